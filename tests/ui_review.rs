//! Reviewing suggestions in the real app, by keyboard: accept, reject, undo, auto-advance,
//! edit before accepting, and bulk acceptance.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Review};
use marginalia::session::Session;
use marginalia::suggest::{self, Control, Suggester};
use marginalia::ui::app::MarginaliaApp;
use std::path::Path;
use std::sync::atomic::AtomicBool;

mod common;

/// The demo project with the quotes suggester's suggestions (as if run from the window).
fn harness() -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut project =
        marginalia::persist::new_project(&root.join("assets/corpus"), Some("demo")).unwrap();
    let cancel = AtomicBool::new(false);
    let (found, mut report) =
        suggest::run(&project, &[Suggester::Quotes], &Control::none(&cancel)).unwrap();
    let edit = suggest::proposals_edit(&project, &found, &mut report).unwrap();
    project.apply(edit).unwrap();
    let path = dir.path().join("p.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    let (session, _) = Session::open(&path).unwrap();
    (dir, common::harness(session))
}

fn key(h: &mut Harness<'_, MarginaliaApp>, m: Modifiers, k: Key) {
    h.key_press_modifiers(m, k);
    h.run();
}

fn doc(h: &Harness<'_, MarginaliaApp>) -> marginalia::model::Document {
    h.state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(0))
        .unwrap()
        .clone()
}

fn pending(h: &Harness<'_, MarginaliaApp>) -> Vec<marginalia::model::Suggestion> {
    doc(h)
        .suggestions()
        .iter()
        .filter(|s| s.review == Review::Pending)
        .cloned()
        .collect()
}

#[test]
fn accept_reject_undo_and_auto_advance_by_keyboard() {
    let (_dir, mut h) = harness();
    let queue = pending(&h);
    assert!(queue.len() >= 6);
    // J focuses the first pending suggestion in reading order (the Review tab opens).
    key(&mut h, Modifiers::NONE, Key::J);
    assert_eq!(h.state().focused_suggestion(), Some(queue[0].key()));
    // Enter accepts: it becomes a span with its provenance, and the next one is focused.
    key(&mut h, Modifiers::NONE, Key::Enter);
    let span = doc(&h)
        .spans()
        .iter()
        .find(|s| s.start == queue[0].start)
        .cloned()
        .expect("accepted as a span");
    assert_eq!(span.label, queue[0].label);
    assert!(
        span.origin
            .as_deref()
            .unwrap_or_default()
            .starts_with("quotes ")
    );
    assert_eq!(
        h.state().focused_suggestion(),
        Some(queue[1].key()),
        "auto-advance"
    );
    // X rejects: kept, marked rejected; the next one is focused.
    key(&mut h, Modifiers::NONE, Key::X);
    assert_eq!(
        doc(&h).suggestion(queue[1].id).unwrap().review,
        Review::Rejected
    );
    assert_eq!(h.state().focused_suggestion(), Some(queue[2].key()));
    // Ctrl+Z undoes the rejection.
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        doc(&h).suggestion(queue[1].id).unwrap().review,
        Review::Pending
    );
    // K goes back.
    h.state_mut()
        .queue(marginalia::ui::commands::Command::FocusSuggestion(
            queue[2].key(),
        ));
    h.run();
    key(&mut h, Modifiers::NONE, Key::K);
    assert_eq!(h.state().focused_suggestion(), Some(queue[1].key()));
}

#[test]
fn edit_before_accepting_changes_the_range_and_label() {
    let (_dir, mut h) = harness();
    let target = pending(&h)
        .into_iter()
        .find(|s| s.text.starts_with("she would refuse"))
        .unwrap();
    h.state_mut()
        .queue(marginalia::ui::commands::Command::FocusSuggestion(
            target.key(),
        ));
    h.run();
    key(&mut h, Modifiers::NONE, Key::E);
    // `{` pulls the end back by a word; `3` makes it an event; Enter accepts.
    h.event(egui::Event::Text("{".into()));
    h.run();
    key(&mut h, Modifiers::NONE, Key::Num3);
    // The card shows the bounds and label Accept would use, not the suggestion's old ones.
    let shorter = target.text.rsplit_once(' ').unwrap().0;
    assert!(
        h.query_by_label(&format!("“{shorter}”")).is_some(),
        "the card shows the edited text"
    );
    assert!(
        h.query_by_label(&format!("“{}”", target.text)).is_none(),
        "and not the suggestion's old end"
    );
    assert!(h.query_by_label_contains("was “").is_some());
    key(&mut h, Modifiers::NONE, Key::Enter);
    let span = doc(&h)
        .spans()
        .iter()
        .find(|s| s.start == target.start)
        .cloned()
        .expect("accepted");
    assert_eq!(span.label, "event");
    assert_eq!(
        span.text,
        target.text.rsplit_once(' ').unwrap().0,
        "one word shorter"
    );
    assert_eq!(
        doc(&h).suggestion(target.id).unwrap().review,
        Review::Accepted
    );
}

#[test]
fn bulk_accept_of_one_label_is_one_undo_step_and_links_what_it_accepts() {
    let (_dir, mut h) = harness();
    let speakers = pending(&h).iter().filter(|s| s.label == "speaker").count();
    h.state_mut()
        .queue(marginalia::ui::commands::Command::AcceptAllOfLabel(
            "speaker".into(),
        ));
    h.run();
    assert_eq!(doc(&h).spans().len(), speakers);
    h.state_mut()
        .queue(marginalia::ui::commands::Command::AcceptAllOfLabel(
            "stance".into(),
        ));
    h.run();
    assert!(
        !doc(&h).relations().is_empty(),
        "speakers and stances accepted: their holds relations exist"
    );
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        doc(&h).spans().len(),
        speakers,
        "one undo step per bulk action"
    );
    assert!(doc(&h).relations().is_empty());
}

/// A project received from someone else, with a command in it: the window shows the command
/// and runs it only once allowed; the answer is remembered outside the project.
#[cfg(unix)]
#[test]
fn a_received_projects_command_runs_only_after_consent_in_the_window() {
    use egui_kittest::kittest::Queryable;
    use marginalia::ui::commands::Command;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Kim met Trump.").unwrap();
    let mut project = marginalia::persist::new_project(dir.path(), Some("received")).unwrap();
    // Proof the command ran, beside the project: a file it creates.
    let command = r#"touch ran && cat >/dev/null && echo '{"id": "a", "spans": [{"start": 0, "end": 3, "label": "speaker", "score": 0.9}]}'"#;
    project
        .apply(marginalia::model::Edit::SetSuggestCommand(Some(
            command.into(),
        )))
        .unwrap();
    let path = dir.path().join("received.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    let consent = dir.path().join("data/consent.ron");
    let (session, _) = Session::open(&path).unwrap();
    let consent_file = consent.clone();
    let mut h = common::harness_with(common::builder(common::WINDOW, 12), move |_cc| {
        let mut app = MarginaliaApp::with_session(session);
        app.set_consent_file(Some(consent_file));
        app
    });
    let open_and_run = |h: &mut Harness<'_, MarginaliaApp>| {
        h.state_mut().queue(Command::OpenSuggest);
        h.run();
        h.get_by_label("Quotes: speakers and what they said (quotation marks, reporting verbs)")
            .click();
        h.get_by_label("Matches: texts already tagged somewhere, everywhere else they occur")
            .click();
        h.get_by_label("Project command: your own model, run on this computer")
            .click();
        h.run();
        h.get_by_label("Run").click();
        h.run();
    };
    open_and_run(&mut h);
    // Asked, with the command shown; refusing runs nothing.
    assert!(h.query_by_label_contains("touch ran").is_some());
    h.get_by_label("Don't run").click();
    h.run();
    assert!(!dir.path().join("ran").exists());
    assert!(!consent.exists());
    // Allowing runs it, in the project's folder, and the suggestion arrives.
    h.get_by_label("Run").click();
    h.run();
    h.get_by_label("Allow and run").click();
    common::wait_for(&mut h, |app| {
        app.session()
            .is_some_and(|s| !s.project().documents[0].suggestions().is_empty())
    });
    assert!(dir.path().join("ran").exists());
    let s = &h.state().session().unwrap().project().documents[0].suggestions()[0];
    assert_eq!((s.text.as_str(), s.source.as_str()), ("Kim", "command"));
    // Remembered on this machine, not in the project.
    let remembered = std::fs::read_to_string(&consent).unwrap();
    assert!(remembered.contains("received.ron"), "{remembered}");
    assert!(!std::fs::read_to_string(&path).unwrap().contains("consent"));
    // Next time it just runs.
    std::fs::remove_file(dir.path().join("ran")).unwrap();
    // The run's report is on screen; Enter closes it.
    assert!(h.state().dialog().is_some());
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().dialog().is_none());
    open_and_run(&mut h);
    assert!(h.query_by_label("Allow and run").is_none());
    // The command has run once its report is on screen (the file appears before that).
    common::wait_for(&mut h, |app| app.dialog().is_some());
    assert!(dir.path().join("ran").exists());
    h.key_press(Key::Enter);
    h.run();
    // A command typed in the window is the user's own: it runs without asking and becomes
    // the project's command (Ctrl+Z takes it back).
    h.state_mut().queue(Command::OpenSuggest);
    h.run();
    let typed = "touch typed && cat >/dev/null";
    h.get_by_label("Command").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Command").type_text(typed);
    h.run();
    h.get_by_label("Quotes: speakers and what they said (quotation marks, reporting verbs)")
        .click();
    h.get_by_label("Matches: texts already tagged somewhere, everywhere else they occur")
        .click();
    h.run();
    h.get_by_label("Run").click();
    h.run();
    assert!(h.query_by_label("Allow and run").is_none());
    common::wait_for(&mut h, |_| dir.path().join("typed").exists());
    let project_command = |h: &Harness<'_, MarginaliaApp>| {
        h.state()
            .session()
            .unwrap()
            .project()
            .suggest_command
            .clone()
    };
    assert_eq!(project_command(&h).as_deref(), Some(typed));
}

/// Issue 16: rejecting says what was rejected; when the queue crosses into the next
/// document it says so, and the focused suggestion is on screen there.
#[test]
fn review_across_documents_keeps_the_reader_and_says_what_happened() {
    let (_dir, mut h) = harness();
    key(&mut h, Modifiers::NONE, Key::J);
    assert!(h.state().focused_suggestion().is_some());
    key(&mut h, Modifiers::NONE, Key::X);
    let said = h.state().message().unwrap_or_default().to_owned();
    assert!(said.starts_with("Rejected "), "{said}");
    // Reject until the queue leaves the first document.
    let first = h.state().current_document();
    for _ in 0..50 {
        if h.state().current_document() != first {
            break;
        }
        key(&mut h, Modifiers::NONE, Key::X);
    }
    let now = h.state().current_document();
    assert_ne!(now, first, "the queue crossed a document");
    let said = h.state().message().unwrap_or_default().to_owned();
    assert!(said.starts_with("Next document: "), "{said}");
    // A few frames for the new document's layout, then the focused suggestion is in view.
    for _ in 0..5 {
        h.run();
    }
    let focused = h.state().focused_suggestion().unwrap();
    let visible = h.state().view().visible_range(now).unwrap();
    assert!(
        visible.contains(&focused.start),
        "{focused:?} not in the visible {visible:?}"
    );
}

#[test]
fn a_stance_gets_its_polarity_and_target_on_the_card_before_it_is_accepted() {
    let (_dir, mut h) = harness();
    let queue = pending(&h);
    let stance = queue
        .iter()
        .position(|s| s.label == "stance" && s.attrs.get("polarity").is_none())
        .expect("the quotes suggester proposes stances without polarity");
    key(&mut h, Modifiers::NONE, Key::J);
    for _ in 0..stance {
        key(&mut h, Modifiers::NONE, Key::J);
    }
    let s = queue[stance].clone();
    assert_eq!(h.state().focused_suggestion(), Some(s.key()));
    // The card asks for what a stance needs: polarity's values with their keys, a target.
    h.get_by_label("favor (f)");
    h.get_by_label("unclear (u)");
    // F sets the polarity; the target is typed on the card.
    key(&mut h, Modifiers::NONE, Key::F);
    h.get_by_label("Review target").click();
    h.run();
    h.get_by_label("Review target")
        .type_text("talks with Putin");
    h.run();
    h.key_press(Key::Escape);
    h.run();
    // Leave the field, then accept.
    h.state_mut()
        .queue(marginalia::ui::commands::Command::Review(
            marginalia::ui::commands::ReviewKey::Accept,
        ));
    h.run();
    let span = doc(&h)
        .spans()
        .iter()
        .find(|x| x.start == s.start && x.label == "stance")
        .cloned()
        .expect("accepted");
    assert_eq!(span.attrs.get("polarity"), Some("favor"));
    assert_eq!(span.attrs.get("target"), Some("talks with Putin"));
    assert_eq!(
        h.state().message().unwrap_or_default(),
        format!(
            "Accepted stance “{}”",
            marginalia::model::text::excerpt(&s.text, 30)
        )
    );

    // Accepting the next stance without a polarity says so.
    let next = pending(&h)
        .into_iter()
        .find(|x| x.label == "stance" && x.start > s.start && x.attrs.is_empty())
        .expect("another stance");
    while h.state().focused_suggestion() != Some(next.key()) {
        key(&mut h, Modifiers::NONE, Key::J);
    }
    key(&mut h, Modifiers::NONE, Key::Enter);
    assert!(
        h.state()
            .message()
            .unwrap_or_default()
            .ends_with(", without polarity"),
        "{:?}",
        h.state().message()
    );
}
