//! Reviewing suggestions in the real app, by keyboard: accept, reject, undo, auto-advance,
//! edit before accepting, and bulk acceptance.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use marginalia::model::{DocId, Review};
use marginalia::session::Session;
use marginalia::suggest::{self, Control, Suggester};
use marginalia::ui::app::MarginaliaApp;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The demo project with the quotes suggester's suggestions (as if run from the window).
fn harness() -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut project =
        marginalia::persist::new_project(&root.join("assets/corpus"), Some("demo")).unwrap();
    let cancel = AtomicBool::new(false);
    let (found, mut report) =
        suggest::run(&project, &[Suggester::Quotes], &Control::none(&cancel)).unwrap();
    let edit = suggest::proposals_edit(&mut project, &found, &mut report).unwrap();
    project.apply(edit).unwrap();
    let path = dir.path().join("p.ron");
    marginalia::persist::save_project(&project, &path).unwrap();
    let (session, _) = Session::open(&path).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_max_steps(12)
        .build_eframe(|_cc| MarginaliaApp::with_session(session));
    h.run();
    (dir, h)
}

fn key(h: &mut Harness<'_, MarginaliaApp>, m: Modifiers, k: Key) {
    h.key_press_modifiers(m, k);
    h.run();
}

fn doc(h: &Harness<'_, MarginaliaApp>) -> marginalia::model::Document {
    h.state()
        .session()
        .unwrap()
        .project
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
