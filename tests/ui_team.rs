//! Opening a team project in the window: without a name the window asks who annotates, then
//! opens (and makes) that annotator's own file; the team's own file can still be opened.

use egui_kittest::kittest::Queryable;
use marginalia::persist::{self, team};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::commands::Command;
use marginalia::ui::dialogs::Dialog;

mod common;

/// `dir/news.ron` over a copy of the demo corpus in `dir/corpus`, with Carl's file, and
/// `dir/start.ron` open in a window without an annotator name.
fn team_and_window() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    egui_kittest::Harness<'static, MarginaliaApp>,
) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::demo_corpus_in(dir.path());
    let project = persist::new_project(&corpus, Some("News")).unwrap();
    let team_file = dir.path().join("news.ron");
    persist::save_project(&project, &team_file).unwrap();
    team::join(&team_file, "carl").unwrap();
    // A window with another project open, and no annotator name.
    let start = dir.path().join("start.ron");
    persist::save_project(&project, &start).unwrap();
    let (session, _) = Session::open(&start).unwrap();
    let h = common::harness_with(common::builder(common::WINDOW, 12), |_cc| {
        MarginaliaApp::with_session(session)
    });
    (dir, team_file, h)
}

#[test]
fn opening_a_team_project_asks_who_annotates_and_opens_their_own_file() {
    let (dir, team_file, mut h) = team_and_window();
    let start = dir.path().join("start.ron");
    h.state_mut().queue(Command::OpenPath(team_file.clone()));
    h.run();
    assert!(
        matches!(h.state().dialog(), Some(Dialog::Annotator { team: Some(t), .. }) if *t == team_file)
    );
    h.get_by_label_contains("is a team project");
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("anna");
    h.run();
    h.key_press(egui::Key::Enter);
    let anna = dir.path().join("news.annotations/anna.ron");
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(anna.as_path())
    });
    assert!(anna.is_file(), "made from the team's file");
    let s = h.state().session().unwrap();
    assert_eq!(s.annotator.as_deref(), Some("anna"));
    assert!(s.title().contains("anna.ron"), "{}", s.title());
    let said = h.state().message().unwrap_or_default().to_owned();
    assert!(said.contains("team project"), "{said}");

    // Opening the team project again goes to Anna's file without asking.
    h.state_mut().queue(Command::OpenPath(start.clone()));
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(start.as_path())
    });
    h.state_mut().queue(Command::OpenPath(team_file.clone()));
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(anna.as_path())
    });
    assert!(h.state().dialog().is_none());
}

#[test]
fn the_teams_own_file_opens_from_the_question() {
    let (_dir, team_file, mut h) = team_and_window();
    h.state_mut().queue(Command::OpenPath(team_file.clone()));
    h.run();
    h.get_by_label("Open the team's file").click();
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(team_file.as_path())
    });
    assert!(h.state().session().unwrap().annotator.is_none());
}

#[test]
fn a_team_project_named_at_startup_asks_who_annotates_and_takes_typing() {
    let (dir, team_file, _) = team_and_window();
    let mut h = common::builder(common::WINDOW, 12).build_eframe(|cc| {
        MarginaliaApp::new(
            cc,
            marginalia::ui::app::Startup {
                project: Some(team_file.clone()),
                // No name, whatever git says on this machine.
                annotator: Some(String::new()),
                ..Default::default()
            },
        )
    });
    h.run();
    assert!(matches!(h.state().dialog(), Some(Dialog::Annotator { .. })));
    // The welcome screen's path field, then the dialog's name field: the second has the
    // keyboard, so typing goes there without a click.
    let fields: Vec<_> = h
        .get_all_by_role(egui::accesskit::Role::TextInput)
        .collect();
    assert_eq!(fields.len(), 2);
    assert!(fields[1].is_focused(), "the name field has the keyboard");
    fields[1].type_text("anna");
    h.run();
    h.key_press(egui::Key::Enter);
    let anna = dir.path().join("news.annotations/anna.ron");
    common::wait_for(&mut h, |app| {
        app.session().and_then(|s| s.path()) == Some(anna.as_path())
    });
}

#[test]
fn a_first_launch_without_a_name_asks_for_one_without_stopping_work() {
    let (dir, _, _) = team_and_window();
    let (session, _) = Session::open(&dir.path().join("start.ron")).unwrap();
    let mut h = common::harness(session);
    h.state_mut().ask_annotator_name();
    h.run();
    h.get_by_label_contains("Who annotates here?");
    // Work goes on: the bar is no dialog.
    assert!(h.state().dialog().is_none());
    h.get_by_label("Set my name…").click();
    h.run();
    assert!(matches!(
        h.state().dialog(),
        Some(Dialog::Annotator { team: None, .. })
    ));
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("anna");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state().session().unwrap().annotator.as_deref(),
        Some("anna")
    );
    assert!(h.query_by_label_contains("Who annotates here?").is_none());
    assert!(h.state().session().unwrap().title().contains("anna"));
}

#[test]
fn not_now_puts_the_question_away() {
    let (dir, _, _) = team_and_window();
    let (session, _) = Session::open(&dir.path().join("start.ron")).unwrap();
    let mut h = common::harness(session);
    h.state_mut().ask_annotator_name();
    h.run();
    h.get_by_label("Not now").click();
    h.run();
    assert!(h.query_by_label_contains("Who annotates here?").is_none());
    assert!(h.state().session().unwrap().annotator.is_none());
}
