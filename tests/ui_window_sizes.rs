//! The window at every size (issue 16): from 800×600 up, the document's text stays inside
//! the centre panel, never under a side panel, and the header's buttons stay on screen.

use egui_kittest::kittest::Queryable;
use marginalia::model::DocId;
use marginalia::session::Session;
use marginalia::ui::commands::Command;

mod common;

/// The demo (a copy: nothing is written into the checkout) in a window of `size` points.
fn demo_at(
    size: [f32; 2],
) -> (
    tempfile::TempDir,
    egui_kittest::Harness<'static, marginalia::ui::app::MarginaliaApp>,
) {
    demo_zoomed(size, 1.0)
}

/// The same at a zoom (font scale): `size` is in points, the screen has `zoom` times more
/// pixels.
fn demo_zoomed(
    size: [f32; 2],
    zoom: f32,
) -> (
    tempfile::TempDir,
    egui_kittest::Harness<'static, marginalia::ui::app::MarginaliaApp>,
) {
    let (dir, path) = common::demo_copy();
    let (session, _) = Session::open(&path).unwrap();
    let h = common::harness_with(
        common::builder(size, 12).with_pixels_per_point(zoom),
        |_cc| marginalia::ui::app::MarginaliaApp::with_session(session),
    );
    (dir, h)
}

/// Where the side panel starts: the leftmost of its "Spans" tab and its list's heading.
fn side_panel_left(h: &egui_kittest::Harness<'_, marginalia::ui::app::MarginaliaApp>) -> f32 {
    h.get_all_by_label("Spans")
        .map(|n| n.rect().min.x)
        .fold(f32::MAX, f32::min)
}

/// The right edge of the text drawn for the whole first document, on screen.
fn text_right_edge(h: &egui_kittest::Harness<'_, marginalia::ui::app::MarginaliaApp>) -> f32 {
    common::visible_text_rects(h)
        .iter()
        .map(|r| r.max.x)
        .fold(0.0, f32::max)
}

#[test]
fn at_800_by_600_no_text_runs_under_a_panel_and_the_header_stays_visible() {
    for size in [[800.0, 600.0], [1000.0, 700.0], [1400.0, 900.0]] {
        let (_dir, h) = demo_at(size);
        let side = side_panel_left(&h);
        let right = text_right_edge(&h);
        assert!(
            right <= side,
            "at {size:?} the text reaches x={right}, the side panel starts at x={side}"
        );
        // The status buttons are on screen.
        let done = h.get_by_label("Done & next").rect();
        assert!(
            done.max.x <= side && done.max.y <= size[1],
            "at {size:?}: {done:?}"
        );
    }
}

/// At 1.5× and 2× font scale (a 1400×900 and a 1600×1200 screen), the text stays clear of
/// the side panel and the header's buttons on screen; small text is readable.
#[test]
fn at_one_and_a_half_and_twice_the_font_scale_the_layout_holds() {
    for (zoom, size) in [(1.5, [933.0, 600.0]), (2.0, [800.0, 600.0])] {
        let (_dir, h) = demo_zoomed(size, zoom);
        let side = side_panel_left(&h);
        let right = text_right_edge(&h);
        assert!(
            right <= side,
            "at {zoom}×: text to x={right}, panel from x={side}"
        );
        let done = h.get_by_label("Done & next").rect();
        assert!(
            done.max.x <= side && done.max.y <= size[1],
            "at {zoom}×: {done:?}"
        );
        let small = h.ctx.global_style().text_styles[&egui::TextStyle::Small].size;
        assert!(small >= 11.0, "small text is {small} points");
    }
}

#[test]
fn hiding_the_side_panels_gives_the_text_the_room() {
    let (_dir, mut h) = demo_at([800.0, 600.0]);
    let before = text_right_edge(&h);
    h.state_mut().queue(Command::ToggleSidePanel);
    h.run();
    h.state_mut().queue(Command::ToggleDocumentList);
    h.run();
    assert!(
        h.query_by_label("Spans").is_none(),
        "the side panel is hidden"
    );
    let after = text_right_edge(&h);
    assert!(after > before + 100.0, "{before} → {after}");
    assert!(after <= 800.0);
}

/// Selecting a span does not widen the side panel (its content used to push it from 270
/// to 420 pixels at 1000×700, moving the text under the reader's eyes).
#[test]
fn selecting_a_span_keeps_the_side_panel_where_it_is() {
    let (_dir, mut h) = demo_at([1000.0, 700.0]);
    let edge = side_panel_left;
    let before = edge(&h);
    for _ in 0..4 {
        h.state_mut().queue(Command::NextSpan);
        h.run();
    }
    assert!(h.state().selection().span().is_some());
    let after = edge(&h);
    assert!((after - before).abs() < 2.0, "{before} → {after}");
}

/// Top of the first row where `needle` is drawn in the first document.
fn top_of(h: &egui_kittest::Harness<'_, marginalia::ui::app::MarginaliaApp>, needle: &str) -> f32 {
    let app = h.state();
    let text = &app.session().unwrap().project().documents[0].text;
    let at = text.find(needle).unwrap();
    let rects = app.view().screen_rects(DocId(0), at..at + needle.len());
    assert!(!rects.is_empty(), "“{needle}” is on screen");
    rects[0].top()
}

#[test]
fn tagging_a_paragraphs_first_span_does_not_move_the_text() {
    let (_dir, path) = common::demo_copy();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    // "08 October 2024 / Interviews" has no span yet; the paragraphs below it do.
    let doc = h.state().session().unwrap().project().documents[0].clone();
    let at = doc.text.find("Interviews").unwrap();
    assert!(
        doc.spans()
            .iter()
            .all(|s| s.end <= at || s.start >= at + 10)
    );
    let (own, below) = (top_of(&h, "Interviews"), top_of(&h, "A clear position"));
    h.state_mut()
        .set_selection(marginalia::ui::selection::Selection::Text(at..at + 10));
    h.run();
    h.key_press(egui::Key::Num3);
    h.run();
    let doc = &h.state().session().unwrap().project().documents[0];
    assert!(doc.spans().iter().any(|s| s.start == at), "tagged");
    assert_eq!(top_of(&h, "Interviews"), own, "its own row stays put");
    assert_eq!(
        top_of(&h, "A clear position"),
        below,
        "the text below stays put"
    );
}

#[test]
fn the_new_project_dialogs_fields_are_wide_enough_to_read_a_path() {
    let (_dir, mut h) = demo_at([800.0, 600.0]);
    h.state_mut().queue(Command::NewFromFolder);
    h.run();
    for field in ["Corpus path", "Project name"] {
        let r = h.get_by_label(field).rect();
        assert!(
            r.width() >= 300.0 && r.max.x <= 800.0,
            "{field} is {r:?} in an 800 px window"
        );
    }
}

#[test]
fn a_window_shrunk_after_start_still_leaves_the_text_room() {
    let (_dir, mut h) = demo_at([1400.0, 900.0]);
    h.set_size(egui::vec2(800.0, 600.0));
    h.run();
    let rects = common::visible_text_rects(&h);
    let left = rects.iter().map(|r| r.min.x).fold(f32::MAX, f32::min);
    let right = rects.iter().map(|r| r.max.x).fold(0.0, f32::max);
    assert!(
        right - left >= 250.0,
        "the text column is {} px wide in an 800 px window",
        right - left
    );
    let side = side_panel_left(&h);
    assert!(
        right <= side,
        "text reaches {right}, the side panel starts at {side}"
    );
}
