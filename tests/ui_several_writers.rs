//! Issue 13 in the real app: a file another program saved is never overwritten by Ctrl+S;
//! the window offers to reload with its own changes on top, and reloads by itself when it
//! has none.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Edit, Status};
use marginalia::persist::{load_project, save_project};
use marginalia::session::Session;
use marginalia::ui::commands::Command;
use marginalia::ui::dialogs::Dialog;
use std::path::{Path, PathBuf};

mod common;

/// A project over a copy of the demo corpus, all inside one temporary folder.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("assets/corpus")).unwrap() {
        let from = entry.unwrap().path();
        std::fs::copy(&from, corpus.join(from.file_name().unwrap())).unwrap();
    }
    let p = marginalia::persist::new_project(&corpus, Some("p")).unwrap();
    let path = dir.path().join("p.ron");
    save_project(&p, &path).unwrap();
    (dir, path)
}

/// Another program marks document `doc` done and saves, behind the window's back.
fn saved_elsewhere(path: &Path, doc: usize) {
    let mut p = load_project(path).unwrap().project;
    p.apply(Edit::SetStatus {
        doc: DocId(doc),
        status: Status::Done,
    })
    .unwrap();
    save_project(&p, path).unwrap();
}

fn statuses(h: &egui_kittest::Harness<'_, marginalia::ui::app::MarginaliaApp>) -> Vec<Status> {
    let s = h.state().session().unwrap();
    s.project().documents.iter().map(|d| d.status).collect()
}

#[test]
fn ctrl_s_after_another_program_saved_asks_and_reload_keeps_both() {
    let (_dir, path) = demo_copy();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    h.state_mut()
        .queue(Command::SetStatus(DocId(1), Status::Done));
    h.run();
    saved_elsewhere(&path, 2);
    let theirs = std::fs::read(&path).unwrap();
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    assert!(
        matches!(
            h.state().dialog(),
            Some(Dialog::ChangedOnDisk { unsaved: 1 })
        ),
        "{:?}",
        h.state().dialog()
    );
    assert_eq!(std::fs::read(&path).unwrap(), theirs, "nothing was written");
    h.get_by_label("Reload and apply my changes").click();
    h.run();
    assert!(h.state().dialog().is_none());
    assert!(
        h.state().message().is_some_and(|m| m.contains("Reloaded")),
        "{:?}",
        h.state().message()
    );
    assert_eq!(statuses(&h)[1..], [Status::Done, Status::Done]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    let saved = load_project(&path).unwrap().project;
    assert_eq!(saved.documents[1].status, Status::Done, "mine");
    assert_eq!(saved.documents[2].status, Status::Done, "theirs");
}

#[test]
fn without_changes_of_its_own_the_window_reloads_by_itself() {
    let (_dir, path) = demo_copy();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    saved_elsewhere(&path, 0);
    // The window gets the focus back (or two seconds pass): it looks at the file.
    h.event(egui::Event::WindowFocused(true));
    h.run();
    assert!(h.state().dialog().is_none());
    assert_eq!(statuses(&h)[0], Status::Done);
    assert!(
        h.state().message().is_some_and(|m| m.contains("Reloaded")),
        "{:?}",
        h.state().message()
    );
}

#[test]
fn a_project_open_in_another_window_opens_read_only_and_says_so() {
    let (_dir, path) = demo_copy();
    let (_writer, _) = Session::open(&path).unwrap();
    let mut h = common::harness_with(common::builder(common::WINDOW, 20), |cc| {
        marginalia::ui::app::MarginaliaApp::new(
            cc,
            marginalia::ui::app::Startup {
                project: Some(path.clone()),
                ..Default::default()
            },
        )
    });
    common::wait_for(&mut h, |app| app.session().is_some());
    assert!(h.state().session().unwrap().read_only().is_some());
    assert!(
        h.state().message().is_some_and(|m| m.contains("read-only")),
        "{:?}",
        h.state().message()
    );
    h.state_mut()
        .queue(Command::SetStatus(DocId(0), Status::Done));
    h.run();
    assert!(
        h.state().message().is_some_and(|m| m.contains("read-only")),
        "{:?}",
        h.state().message()
    );
    assert_eq!(statuses(&h)[0], Status::New);
}

#[test]
fn a_journal_that_cannot_be_written_is_said_once_in_a_dialog() {
    let (_dir, path) = demo_copy();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    // Something in the way of the journal file (a full disk, a read-only folder...).
    std::fs::create_dir(marginalia::persist::journal::journal_path(&path)).unwrap();
    h.state_mut()
        .queue(Command::SetStatus(DocId(0), Status::Done));
    h.run();
    match h.state().dialog() {
        Some(Dialog::Error { title, message }) => {
            assert!(title.contains("journal"), "{title}");
            assert!(message.contains("save (Ctrl+S)"), "{message}");
        }
        other => panic!("expected the journal dialog, got {other:?}"),
    }
    h.get_by_label("OK").click();
    h.run();
    // Once: the next failure is in the status bar, and work goes on.
    h.state_mut()
        .queue(Command::SetStatus(DocId(1), Status::Done));
    h.run();
    assert!(h.state().dialog().is_none(), "{:?}", h.state().dialog());
    assert!(
        h.state().message().is_some_and(|m| m.contains("journal")),
        "{:?}",
        h.state().message()
    );
    assert_eq!(statuses(&h)[..2], [Status::Done, Status::Done]);
}
