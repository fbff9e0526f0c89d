//! A long document in the real app: only what is visible is laid out, and scrolling through
//! blocks whose height was only estimated never makes the text jump.

use egui::{Modifiers, Pos2};
use egui_kittest::Harness;
use marginalia::model::{DocId, Edit};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::commands::Command;
use std::path::PathBuf;

mod common;

/// ~400 KB of paragraphs of very different lengths (so height estimates are wrong), with
/// curly quotes and emoji, and a speaker span on every "Harris".
fn long_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 400_000 {
        i += 1;
        let words = 3 + (i * 7919 % 180) as usize;
        for w in 0..words {
            text.push_str(match (i + w as u64) % 9 {
                0 => "Harris ",
                1 => "said “no” ",
                2 => "😀 ",
                3 => "négociations ",
                _ => "the war in Ukraine ",
            });
        }
        text.push_str(if i.is_multiple_of(3) { "\n\n" } else { "\n" });
    }
    std::fs::write(corpus.join("long.txt"), &text).unwrap();
    let mut project = marginalia::persist::new_project(&corpus, Some("long")).unwrap();
    let starts: Vec<usize> = project.documents[0]
        .text
        .match_indices("Harris")
        .map(|(i, _)| i)
        .collect();
    let mut edits = Vec::new();
    for s in starts {
        let span = project.make_span(DocId(0), s, s + 6, "speaker").unwrap();
        edits.push(Edit::AddSpan {
            doc: DocId(0),
            span,
        });
    }
    project.apply(Edit::Batch(edits)).unwrap();
    let path = dir.path().join("long.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    (dir, path)
}

fn span_top(h: &Harness<'_, MarginaliaApp>, start: usize) -> f32 {
    let rects = h.state().view().screen_rects(DocId(0), start..start + 6);
    rects.first().expect("span on screen").top()
}

#[test]
fn scrolling_up_through_unmeasured_blocks_moves_text_exactly_by_the_wheel() {
    let (_dir, path) = long_project();
    let (session, _) = Session::open(&path).unwrap();
    let doc = session.project().documents[0].clone();
    let mut h = common::harness_with(common::builder([1200.0, 800.0], 12), |_cc| {
        MarginaliaApp::with_session(session)
    });
    // Jump to a span in the middle: nothing above it has been measured.
    let target = doc.spans()[doc.spans().len() / 2].clone();
    h.state_mut()
        .queue(Command::SelectSpan(DocId(0), target.key()));
    h.run();
    eprintln!(
        "target {:?} visible {:?} len {}",
        target.start,
        h.state().view().visible_range(DocId(0)),
        doc.text.len()
    );
    let laid_out = h.state().view().laid_out_blocks(DocId(0));
    assert!(
        laid_out < 120,
        "only blocks near the viewport are laid out ({laid_out})"
    );
    let mut top = span_top(&h, target.start);
    let centre = Pos2::new(600.0, 400.0);
    h.event(egui::Event::PointerMoved(centre));
    for _ in 0..25 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, 24.0),
            modifiers: Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        h.run();
        let now = span_top(&h, target.start);
        let moved = now - top;
        assert!(
            (moved - 24.0).abs() < 1.0,
            "the text moved {moved} px for a 24 px wheel step"
        );
        top = now;
    }
    assert!(
        h.state().view().laid_out_blocks(DocId(0)) < 400,
        "far blocks are dropped"
    );
}

#[test]
fn tagging_in_the_middle_of_a_long_document() {
    let (_dir, path) = long_project();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness_with(
        common::builder([1200.0, 800.0], 40).with_step_dt(0.05),
        |_cc| MarginaliaApp::with_session(session),
    );
    h.state_mut().queue(Command::Caret(
        marginalia::ui::document_view::Motion::DocEnd,
        false,
    ));
    h.run();
    let doc = h.state().session().unwrap().project().documents[0].clone();
    let visible = h.state().view().visible_range(DocId(0)).unwrap();
    assert!(
        visible.end + 1000 > doc.text.len(),
        "End shows the end of the document"
    );
    // The first occurrence well inside the window.
    let (at, p) = doc.text[visible.clone()]
        .match_indices("négociations")
        .map(|(i, w)| (visible.start + i, w.len()))
        .find_map(|(at, len)| {
            let r = h.state().view().screen_rects(DocId(0), at..at + len);
            r.first()
                .filter(|r| r.top() > 150.0 && r.bottom() < 700.0)
                .map(|r| (at, r.center()))
        })
        .expect("a word on screen");
    // Double-click selects the word, then `3` tags it.
    for _ in 0..2 {
        h.event(egui::Event::PointerMoved(p));
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::NONE,
        });
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.run();
    h.key_press(egui::Key::Num3);
    h.run();
    let doc = &h.state().session().unwrap().project().documents[0];
    let span = doc.spans().iter().find(|s| s.start == at).expect("tagged");
    assert_eq!(
        (span.text.as_str(), span.label.as_str()),
        ("négociations", "event")
    );
}
