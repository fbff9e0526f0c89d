//! Creating, opening and dropping projects in the real app.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::commands::Command;
use marginalia::ui::dialogs::Dialog;
use std::path::Path;

mod common;
use common::wait_for;

fn empty_app() -> Harness<'static, MarginaliaApp> {
    let corpus = tempfile::tempdir().unwrap();
    std::fs::write(corpus.path().join("a.txt"), "Harris said no.").unwrap();
    let project = marginalia::persist::new_project(corpus.path(), Some("start")).unwrap();
    let start = corpus.path().join("start.ron");
    // Keep the corpus folder alive for the test's life.
    std::mem::forget(corpus);
    common::harness_with(common::builder([1300.0, 800.0], 20), |_cc| {
        MarginaliaApp::with_session(Session::new(project, Some(start)))
    })
}

/// Focuses a text field, selects what it holds and types over it.
fn type_into(h: &mut Harness<'_, MarginaliaApp>, field: &str, text: &str) {
    h.get_by_label(field).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label(field).type_text(text);
    h.run();
}

#[test]
fn new_project_from_a_folder_then_save_as() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("news");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("one.txt"), "Kamala Harris said “no”.").unwrap();
    std::fs::write(corpus.join("two.txt"), "Kim met Trump.").unwrap();
    let mut h = empty_app();
    h.state_mut().queue(Command::NewFromFolder);
    h.run();
    assert!(matches!(
        h.state().dialog(),
        Some(Dialog::NewProject { jsonl: false, .. })
    ));
    type_into(&mut h, "Corpus path", &corpus.display().to_string());
    type_into(&mut h, "Project name", "Election news");
    h.get_by_label("Create").click();
    wait_for(&mut h, |app| {
        matches!(app.dialog(), Some(Dialog::SaveAs { .. }))
    });
    let session = h.state().session().unwrap();
    assert_eq!(session.project().name, "Election news");
    assert_eq!(session.project().documents.len(), 2);
    assert!(session.is_dirty() && session.path().is_none());
    // Save As: type a path without extension; .ron is added.
    let target = dir.path().join("election");
    type_into(&mut h, "Project file", &target.display().to_string());
    h.get_by_label("Save").click();
    h.run();
    let saved = dir.path().join("election.ron");
    assert!(saved.exists(), "{:?}", h.state().message());
    let (reloaded, _) = Session::open(&saved).unwrap();
    assert_eq!(
        reloaded.project().documents[0].text.as_ref(),
        "Kamala Harris said “no”."
    );
    assert!(!h.state().session().unwrap().is_dirty());
}

#[test]
fn opening_a_broken_project_shows_the_problem_and_keeps_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.ron");
    std::fs::write(
        &broken,
        "// header\nProject(\n    version: 1,\n    name: \"x\"\n    schema: oops,\n)",
    )
    .unwrap();
    let mut h = empty_app();
    h.state_mut().queue(Command::OpenPath(broken.clone()));
    wait_for(&mut h, |app| app.dialog().is_some());
    match h.state().dialog() {
        Some(Dialog::Error { message, .. }) => {
            assert!(message.contains("broken.ron:5:"), "{message}")
        }
        other => panic!("expected an error dialog, got {other:?}"),
    }
    assert_eq!(
        h.state().session().unwrap().project().name,
        "start",
        "the open project stays"
    );
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().dialog().is_none());
}

/// A file dropped on the window, as winit reports it.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_project_file_opens_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = empty_app();
    let demo = root.join("projects/seed-news.ron");
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(demo.clone())));
    wait_for(&mut h, |app| {
        app.session()
            .is_some_and(|s| s.project().name == "Seed news")
    });
    assert_eq!(h.state().session().unwrap().path(), Some(demo.as_path()));
}

#[test]
fn opening_another_project_with_unsaved_changes_asks_first() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = empty_app();
    h.state_mut()
        .set_selection(marginalia::ui::selection::Selection::Text(0..6));
    h.key_press(egui::Key::Num1);
    h.run();
    assert!(h.state().session().unwrap().is_dirty());
    h.state_mut()
        .queue(Command::OpenPath(root.join("projects/seed-news.ron")));
    h.run();
    assert!(matches!(h.state().dialog(), Some(Dialog::Unsaved { .. })));
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().session().unwrap().project().name, "start");
    h.state_mut()
        .queue(Command::OpenPath(root.join("projects/seed-news.ron")));
    h.run();
    h.get_by_label("Don't save").click();
    wait_for(&mut h, |app| {
        app.session()
            .is_some_and(|s| s.project().name == "Seed news")
    });
}

#[test]
fn startup_opens_the_demo_project_by_default() {
    let mut h = common::builder([1300.0, 800.0], 4).build_eframe(|cc| {
        MarginaliaApp::new(
            cc,
            marginalia::ui::app::Startup {
                document: Some("cozy-up".into()),
                ..Default::default()
            },
        )
    });
    // Loaded in the background: the first frame does not wait for it.
    wait_for(&mut h, |app| app.session().is_some());
    assert_eq!(
        h.state().current_document(),
        marginalia::model::DocId(1),
        "--document picks the document"
    );
    let session = h.state().session().expect("the demo project is open");
    assert_eq!(session.project().name, "Seed news");
    assert!(!session.is_dirty());
    let title: String = session.project().documents[1]
        .title()
        .chars()
        .take(20)
        .collect();
    h.run();
    assert!(
        h.get_all_by_label_contains(&title).count() >= 2,
        "{title} in the list and the header"
    );
    h.get_by_label_contains("Kamala Harris refuses");
}

#[test]
fn startup_with_a_missing_project_shows_the_welcome_screen_and_says_why() {
    let startup = marginalia::ui::app::Startup {
        project: Some("/no/such/project.ron".into()),
        ..Default::default()
    };
    let mut h =
        common::builder([1300.0, 800.0], 4).build_eframe(|cc| MarginaliaApp::new(cc, startup));
    wait_for(&mut h, |app| app.dialog().is_some());
    assert!(h.state().session().is_none());
    match h.state().dialog() {
        Some(Dialog::Error { message, .. }) => assert!(
            message.contains("/no/such/project.ron: file not found"),
            "{message}"
        ),
        other => panic!("expected an error, got {other:?}"),
    }
    h.get_by_label("OK").click();
    h.run();
    h.get_by_label("New project from folder…");
    h.get_by_label("Open…");
}

#[test]
fn import_brat_from_the_file_menu_opens_the_new_project() {
    let dir = tempfile::tempdir().unwrap();
    let brat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brat/news");
    let target = dir.path().join("news.ron");
    let mut h = empty_app();
    h.state_mut().queue(Command::OpenImport);
    h.run();
    type_into(&mut h, "Files to import", &brat.display().to_string());
    type_into(&mut h, "New project file", &target.display().to_string());
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Import")
        .click();
    wait_for(&mut h, |app| {
        app.session().is_some_and(|s| s.project().name == "news")
    });
    match h.state().dialog() {
        Some(Dialog::Report { message, .. }) => assert!(message.contains("119 spans"), "{message}"),
        other => panic!("expected the import report, got {other:?}"),
    }
    assert_eq!(h.state().session().unwrap().project().documents.len(), 13);
}

#[test]
fn export_from_the_file_menu_writes_the_file_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("train.jsonl");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/seed-news.ron");
    let (session, _) = Session::open(&demo).unwrap();
    let mut h = common::harness_with(common::builder([1300.0, 800.0], 20), |_cc| {
        MarginaliaApp::with_session(session)
    });
    h.state_mut().queue(Command::OpenExport);
    h.run();
    h.get_by_label("brat").click();
    h.run();
    type_into(&mut h, "Export to", &out.display().to_string());
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Export")
        .click();
    wait_for(&mut h, |app| {
        matches!(
            app.dialog(),
            Some(Dialog::Report { .. } | Dialog::Error { .. })
        )
    });
    match h.state().dialog() {
        Some(Dialog::Report { message, .. }) => assert!(message.contains("10 spans"), "{message}"),
        other => panic!("expected the export report, got {other:?}"),
    }
    assert!(out.join("annotation.conf").exists());
    assert!(out.join("harris-will-not-cozy-up-to-kim.ann").exists());
}

#[test]
fn after_a_crash_opening_the_project_offers_its_unsaved_changes_back() {
    use marginalia::model::{DocId, Edit};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Harris said no.").unwrap();
    let project = marginalia::persist::new_project(dir.path(), Some("crashy")).unwrap();
    let path = dir.path().join("crashy.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    // A session tags "Harris" and dies without saving.
    let (mut s, _) = Session::open(&path).unwrap();
    let span = s.project().make_span(DocId(0), 0, 6, "speaker").unwrap();
    s.apply(Edit::AddSpan {
        doc: DocId(0),
        span,
    })
    .unwrap();
    drop(s);

    let mut h = empty_app();
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| {
        matches!(app.dialog(), Some(Dialog::Recover { changes: 1, .. }))
    });
    assert!(
        h.query_by_label_contains("did not close properly")
            .is_some()
    );
    // Enter restores (the safe answer).
    h.key_press(egui::Key::Enter);
    h.run();
    let session = h.state().session().unwrap();
    assert_eq!(session.path(), Some(path.as_path()));
    assert_eq!(session.project().documents[0].spans().len(), 1);
    assert!(session.is_dirty());
    assert!(h.state().message().unwrap().contains("Restored 1 change"));
    // Ctrl+S keeps it, and the journal is gone.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(!marginalia::persist::journal::journal_path(&path).exists());
    let saved = marginalia::persist::load_project(&path).unwrap().project;
    assert_eq!(saved.documents[0].spans().len(), 1);
}

#[test]
fn a_project_reading_outside_its_folder_asks_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("a.txt"), "Harris said no.").unwrap();
    let project = marginalia::persist::new_project(&shared, Some("received")).unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    let path = dir.path().join("mine/received.ron");
    marginalia::persist::save_project(&project, &path).unwrap();

    let mut h = empty_app();
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| app.dialog().is_some());
    match h.state().dialog() {
        Some(Dialog::OutsideFolder { folders, .. }) => {
            assert!(folders[0].contains("../shared/a.txt"), "{folders:?}")
        }
        other => panic!("expected the outside-folder question, got {other:?}"),
    }
    // Enter does not say yes for the user.
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(matches!(
        h.state().dialog(),
        Some(Dialog::OutsideFolder { .. })
    ));
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().session().unwrap().project().name, "start");

    // Asked again, and allowed: it opens, and is not asked about next time.
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| app.dialog().is_some());
    h.get_by_label("Read them and open").click();
    wait_for(&mut h, |app| {
        app.session()
            .is_some_and(|s| s.project().name == "received")
    });
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| {
        app.message().is_some_and(|m| m.contains("Opened"))
    });
    assert!(h.state().dialog().is_none(), "{:?}", h.state().dialog());
    // Opening the open project anew: the window's own lock is no obstacle.
    assert!(h.state().session().unwrap().read_only().is_none());

    // The file is replaced by one that reads another folder: what was allowed was the
    // folder, not the path, so it asks again.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("b.txt"), "Putin said yes.").unwrap();
    let other = marginalia::persist::new_project(&elsewhere, Some("swapped")).unwrap();
    marginalia::persist::save_project(&other, &path).unwrap();
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| app.dialog().is_some());
    match h.state().dialog() {
        Some(Dialog::OutsideFolder { folders, .. }) => {
            assert!(folders[0].contains("elsewhere"), "{folders:?}")
        }
        other => panic!("expected to be asked again, got {other:?}"),
    }
}

#[test]
fn a_changed_corpus_file_reports_what_moved_and_lists_what_needs_review() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "Putin said no. Harris said yes.").unwrap();
    let mut project = marginalia::persist::new_project(&corpus, Some("changed")).unwrap();
    for word in ["Putin", "Harris"] {
        let start = project.documents[0].text.find(word).unwrap();
        let span = project
            .make_span(
                marginalia::model::DocId(0),
                start,
                start + word.len(),
                "speaker",
            )
            .unwrap();
        project
            .apply(marginalia::model::Edit::AddSpan {
                doc: marginalia::model::DocId(0),
                span,
            })
            .unwrap();
    }
    let path = dir.path().join("changed.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "The Kremlin said no. Kamala Harris said yes.",
    )
    .unwrap();

    let mut h = empty_app();
    h.state_mut().queue(Command::OpenPath(path.clone()));
    wait_for(&mut h, |app| app.dialog().is_some());
    match h.state().dialog() {
        Some(Dialog::Report { title, message }) => {
            assert_eq!(title, "Corpus files changed");
            assert!(message.contains("1 span moved"), "{message}");
            assert!(message.contains("1 span needs review"), "{message}");
        }
        other => panic!("expected the re-anchoring report, got {other:?}"),
    }
    h.get_by_label("OK").click();
    h.run();
    let s = h.state().session().unwrap();
    assert!(s.is_dirty());
    assert_eq!(s.project().documents[0].spans()[0].text, "Harris");
    assert_eq!(s.project().documents[0].unanchored()[0].text, "Putin");
    // The span panel lists it under Needs review.
    assert!(h.query_all_by_label_contains("Needs review 1").count() > 0);
}
