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
    // The figures are computed on a thread.
    common::wait_for(&mut h, |app| {
        app.agreement().up_to_date(app.session().unwrap()) && app.agreement().figures().is_some()
    });
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

/// A team in a temporary folder: bratiaa's four annotators (real data, see
/// `tests/fixtures/brat/README.md`), copied there and imported as `team.ron` with their
/// files.
fn bratiaa_team() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brat/bratiaa");
    let fixture = dir.path().join("brat");
    for who in ["Lisa", "Maria", "Max", "Peter"] {
        std::fs::create_dir_all(fixture.join(who)).unwrap();
        for entry in std::fs::read_dir(from.join(who)).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, fixture.join(who).join(p.file_name().unwrap())).unwrap();
        }
    }
    let target = dir.path().join("team.ron");
    marginalia::formats::run::import_project(
        marginalia::formats::Format::Brat,
        &[fixture],
        &target,
        None,
        None,
        None,
    )
    .unwrap();
    (dir, target)
}

#[test]
fn in_a_team_the_window_compares_with_the_teammates_recomputes_after_edits_and_adjudicates() {
    let (dir, team_file) = bratiaa_team();
    let lisa = marginalia::persist::team::member_path(&team_file, "Lisa");
    let (session, _) = Session::open(&lisa).unwrap();
    let mut h = common::harness(session);
    h.state_mut()
        .queue(marginalia::ui::commands::Command::OpenAgreement);
    let ready = |app: &marginalia::ui::app::MarginaliaApp| {
        app.agreement().up_to_date(app.session().unwrap()) && app.agreement().figures().is_some()
    };
    common::wait_for(&mut h, ready);
    let figures = h.state().agreement().figures().unwrap().clone();
    assert_eq!(figures.annotators, ["Lisa (open)", "Maria", "Max", "Peter"]);
    assert!((figures.labels["PER"].exact_f1.unwrap() - 0.938).abs() < 0.0005);
    h.get_by_label("Documents, least agreement first (exact F1, all labels)");
    // The least agreed document is a link that opens it.
    h.get_by_label("esp.train-doc-100").click();
    h.run();
    let doc = h.state().current_document();
    let id = h.state().session().unwrap().project().documents[doc.0]
        .id
        .clone();
    assert_eq!(id, "esp.train-doc-100");

    // An edit: the figures are computed again, in the background.
    h.state_mut().set_selection(Selection::Text(0..3)); // "Por"
    h.key_press(egui::Key::Num1);
    h.run();
    common::wait_for(&mut h, ready);
    let after = h.state().agreement().figures().unwrap().labels.clone();
    let spans: usize = after.values().map(|l| l.spans["Lisa (open)"]).sum();
    let was: usize = figures
        .labels
        .values()
        .map(|l| l.spans["Lisa (open)"])
        .sum();
    assert_eq!(spans, was + 1);

    // Adjudicate…: the curated project is written beside the team's file and opened, with
    // every annotator's version of the disagreement under review shown.
    h.get_by_label("Adjudicate…").click();
    let curated = dir.path().join("team.curated.ron");
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(curated.as_path())
    });
    let p = h.state().session().unwrap().project();
    let pending: usize = p.documents.iter().map(|d| d.suggestions().len()).sum();
    assert!(pending > 0);
    common::wait_for(&mut h, ready);
    let figures = h.state().agreement().figures().unwrap().clone();
    assert_eq!(
        figures.annotators.len(),
        5,
        "the curated file and the four annotators"
    );
    // J: the first disagreement under review.
    h.key_press(egui::Key::J);
    h.run();
    assert!(h.state().focused_suggestion().is_some());
    h.get_by_label("This passage, by annotator");
    for who in ["Lisa:", "Maria:", "Max:", "Peter:"] {
        h.get_by_label(who);
    }
}
