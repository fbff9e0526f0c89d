//! View → Agreement in the window: another annotator's copy of the demo is added, the
//! figures appear, and the current document's disagreements link to their places.

use egui_kittest::kittest::Queryable;
use marginalia::session::Session;
use marginalia::ui::selection::Selection;

mod common;

#[test]
fn the_agreement_window_compares_with_another_annotator_and_links_to_disagreements() {
    let (dir, project) = common::demo_copy();
    // Ben's copy: without the first document's "the war in Ukraine" event (and its relation).
    let ron = std::fs::read_to_string(&project).unwrap();
    let ben = ron
        .lines()
        .filter(|l| {
            !l.contains("text: \"the war in Ukraine\"")
                && !l.contains("kind: \"about\", from: 4, to: 5")
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(ben.len() < ron.len());
    let ben_path = dir.path().join("ben.ron");
    std::fs::write(&ben_path, ben + "\n").unwrap();

    let (session, _) = Session::open(&project).unwrap();
    let mut h = common::harness(session);
    h.state_mut().agreement_mut().open = true;
    h.state_mut().agreement_mut().add(&ben_path);
    h.run();
    let figures = h.state().agreement().figures().expect("figures").clone();
    assert_eq!(figures.annotators.len(), 2);
    // 3 events against 2: 2·2 / 5.
    let event = figures.labels["event"].exact_f1.unwrap();
    assert!((event - 0.8).abs() < 1e-9, "{event}");
    assert_eq!(figures.labels["speaker"].exact_f1, Some(1.0));
    h.get_by_label("This document: 1 place where the annotators differ");
    let d = h.state().agreement().disagreements()[0].clone();
    assert_eq!(d.label, "event");
    assert_eq!(d.text, "the war in Ukraine");
    assert_eq!(d.by, ["p (open)"]);
    // Its link selects the span in the document.
    h.get_by_label("the war in Ukraine").click();
    h.run();
    assert_eq!(h.state().selection(), &Selection::Span(d.here.unwrap()));
}
