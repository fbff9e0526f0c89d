//! Relation arcs stay out of the text (issue 16): they run in lanes reserved above the rows
//! they start or end on, and between rows down the right margin. A relation on the first
//! line is drawn inside the view, and one whose other end is far away leaves by the margin.

use egui::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Edit, Relation};
use marginalia::persist;
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;

mod common;

/// Arcs drawn in the last frame that cover some text of the document on screen.
fn arcs_over_text(h: &Harness<'_, MarginaliaApp>) -> (usize, Vec<(Rect, Rect)>) {
    let text = common::visible_text_rects(h);
    let arcs = h.state().view().arc_rects(DocId(0));
    let mut hits = Vec::new();
    for a in &arcs {
        // A hair inside, so an arc that only touches a row's edge does not count.
        let a = a.shrink(0.5);
        for t in &text {
            if a.intersects(t.shrink(0.5)) {
                hits.push((a, *t));
            }
        }
    }
    (arcs.len(), hits)
}

#[test]
fn the_demo_arcs_never_cover_its_text_at_any_window_size() {
    let (_dir, path) = common::demo_copy();
    for size in [[1400.0, 900.0], [1000.0, 700.0], [800.0, 600.0]] {
        let (session, _) = Session::open(&path).unwrap();
        let h = common::harness_with(common::builder(size, 12), |_cc| {
            MarginaliaApp::with_session(session)
        });
        let (drawn, hits) = arcs_over_text(&h);
        // holds, about, holds: each an arc with a label.
        assert!(drawn >= 9, "at {size:?} only {drawn} arc pieces were drawn");
        assert!(hits.is_empty(), "at {size:?} arcs cover text: {hits:?}");
    }
}

/// A one-document project over `text` with `links` as (from, to) needles tagged speaker
/// and stance, related by `holds`.
fn project_with(text: &str, links: &[(&str, &str)]) -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), text).unwrap();
    let mut p = persist::new_project(&corpus, Some("t")).unwrap();
    for (from, to) in links {
        let a = common::tag(&mut p, from, 0, "speaker");
        let b = common::tag(&mut p, to, 0, "stance");
        let relation = Relation::new(p.allocate_span_id(), "holds", a, b);
        p.apply(Edit::AddRelation {
            doc: DocId(0),
            relation,
        })
        .unwrap();
    }
    let path = dir.path().join("t.ron");
    persist::save_project(&p, &path).unwrap();
    let (session, _) = Session::open(&path).unwrap();
    (dir, session)
}

#[test]
fn a_relation_on_the_first_line_is_drawn_inside_the_view() {
    let (_dir, session) = project_with(
        "Harris said she opposes the plan.\n\nA second paragraph follows.\n",
        &[("Harris", "she opposes the plan")],
    );
    let h = common::harness(session);
    let (drawn, hits) = arcs_over_text(&h);
    assert!(drawn > 0, "the relation is drawn");
    assert!(hits.is_empty(), "arcs cover text: {hits:?}");
    let app = h.state();
    let first_row = app.view().screen_rects(DocId(0), 0..6)[0];
    let header = h.get_by_label("Done & next").rect();
    for a in app.view().arc_rects(DocId(0)) {
        assert!(
            a.top() > header.bottom(),
            "an arc at {a:?} is above the document area (header ends at {})",
            header.bottom()
        );
        assert!(
            a.bottom() <= first_row.top(),
            "{a:?} is above the first row"
        );
    }
}

#[test]
fn a_relation_to_a_far_paragraph_leaves_by_the_margin_without_crossing_text() {
    let mut text = String::from("Harris said the deal is dead.\n\n");
    for i in 0..60 {
        text.push_str(&format!(
            "Paragraph {i} talks about something else entirely, at some length, to fill a screen.\n\n"
        ));
    }
    text.push_str("Later she repeated that no deal was possible.\n");
    let (_dir, session) = project_with(&text, &[("Harris", "no deal was possible")]);
    let h = common::harness(session);
    let (drawn, hits) = arcs_over_text(&h);
    assert!(drawn > 0, "the relation's near end is drawn");
    assert!(hits.is_empty(), "arcs cover text: {hits:?}");
    // The far end is below the view: the arc runs down the margin, right of the text.
    let text_right = common::visible_text_rects(&h)
        .iter()
        .map(|r| r.right())
        .fold(0.0, f32::max);
    let tallest = h
        .state()
        .view()
        .arc_rects(DocId(0))
        .into_iter()
        .max_by(|a, b| a.height().total_cmp(&b.height()))
        .unwrap();
    assert!(tallest.height() > 300.0, "{tallest:?}");
    assert!(
        tallest.left() > text_right,
        "{tallest:?} vs text right {text_right}"
    );
}
