//! UI tests: drive the real app with egui_kittest, as a user would.

use egui::{Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Status};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::selection::Selection;
use std::path::{Path, PathBuf};

mod common;

/// A copy of the demo project and corpus in a temp folder, so tests may save.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.path().join("projects")).unwrap();
    std::fs::create_dir_all(dir.path().join("assets/corpus")).unwrap();
    for entry in std::fs::read_dir(root.join("assets/corpus")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(
            &p,
            dir.path()
                .join("assets/corpus")
                .join(p.file_name().unwrap()),
        )
        .unwrap();
    }
    let project = dir.path().join("projects/seed-news.ron");
    std::fs::copy(root.join("projects/seed-news.ron"), &project).unwrap();
    (dir, project)
}

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    let (session, _) = Session::open(project).unwrap();
    common::harness(session)
}

fn drag(h: &mut Harness<'_, MarginaliaApp>, from: Pos2, to: Pos2) {
    h.event(egui::Event::PointerMoved(from));
    h.run();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.run();
    let mid = from + (to - from) * 0.5;
    for p in [mid, to] {
        h.event(egui::Event::PointerMoved(p));
        h.run();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
}

#[test]
fn drag_across_a_name_and_press_1_tags_a_speaker() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let doc = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(0))
        .unwrap()
        .clone();
    // The second paragraph's "Kamala Harris, who is running ..." is not tagged yet.
    let at = doc.text.find("Kamala Harris, who").unwrap();
    let kamala = at..at + "Kamala".len();
    let harris = at + "Kamala ".len()..at + "Kamala Harris".len();
    let r1 = h.state().view().screen_rects(DocId(0), kamala.clone());
    let r2 = h.state().view().screen_rects(DocId(0), harris.clone());
    assert!(!r1.is_empty() && !r2.is_empty(), "the name is on screen");
    // From the middle of "Kamala" to the middle of "Harris": snaps to both whole words.
    drag(&mut h, r1[0].center(), r2[0].center());
    assert_eq!(
        h.state().selection(),
        &Selection::Text(at..at + "Kamala Harris".len())
    );
    h.key_press(Key::Num1);
    h.run();
    let doc = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(0))
        .unwrap();
    let span = doc
        .spans()
        .iter()
        .find(|s| s.start == at)
        .expect("a span was created");
    assert_eq!(span.label, "speaker");
    assert_eq!(span.text, "Kamala Harris");
    assert_eq!(h.state().selection(), &Selection::Span(span.key()));
}

/// The span of the first document whose text is `text` (or starts with it).
fn span_starting(h: &Harness<'_, MarginaliaApp>, text: &str) -> marginalia::model::Span {
    doc0(h)
        .spans()
        .iter()
        .find(|s| s.text.starts_with(text))
        .unwrap_or_else(|| panic!("a span “{text}”"))
        .clone()
}

fn doc0(h: &Harness<'_, MarginaliaApp>) -> marginalia::model::Document {
    h.state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(0))
        .unwrap()
        .clone()
}

/// Selects `needle` by dragging over it (first to last character).
fn select_by_drag(
    h: &mut Harness<'_, MarginaliaApp>,
    needle: &str,
    alt: bool,
) -> std::ops::Range<usize> {
    let doc = doc0(h);
    let at = doc.text.find(needle).unwrap();
    let range = at..at + needle.len();
    let rects = h.state().view().screen_rects(DocId(0), range.clone());
    assert!(!rects.is_empty(), "{needle} is on screen");
    let first = rects.first().unwrap();
    let last = rects.last().unwrap();
    let from = egui::pos2(first.left() + 1.0, first.center().y);
    let to = egui::pos2(last.right() - 1.0, last.center().y);
    let modifiers = if alt { Modifiers::ALT } else { Modifiers::NONE };
    h.event(egui::Event::PointerMoved(from));
    h.run();
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: from,
            button: PointerButton::Primary,
            pressed: true,
            modifiers,
        },
        modifiers,
    );
    h.run();
    h.event_modifiers(egui::Event::PointerMoved(to), modifiers);
    h.run();
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: to,
            button: PointerButton::Primary,
            pressed: false,
            modifiers,
        },
        modifiers,
    );
    h.run();
    range
}

fn click_at(h: &mut Harness<'_, MarginaliaApp>, p: Pos2) {
    h.event(egui::Event::PointerMoved(p));
    h.run();
    h.event(egui::Event::PointerButton {
        pos: p,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos: p,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
}

#[test]
fn undo_and_redo_by_keyboard() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let before = doc0(&h).spans().len();
    let range = select_by_drag(&mut h, "White House", false);
    h.key_press(Key::Num3);
    h.run();
    assert_eq!(doc0(&h).spans().len(), before + 1);
    assert!(h.state().session().unwrap().is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(doc0(&h).spans().len(), before, "Ctrl+Z undoes");
    // Named as it was made, not as the inverse that undid it ("delete span").
    let said = h.state().message().unwrap_or_default().to_owned();
    assert!(said.starts_with("Undid: add event “White House”"), "{said}");
    assert!(
        !h.state().session().unwrap().is_dirty(),
        "back at the saved state"
    );
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(doc0(&h).spans().len(), before + 1, "Ctrl+Shift+Z redoes");
    let span = doc0(&h)
        .spans()
        .iter()
        .find(|s| s.start == range.start)
        .unwrap()
        .clone();
    assert_eq!(span.label, "event");
    assert_eq!(
        h.state().selection(),
        &Selection::Span(span.key()),
        "redo selects what it brought back"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(doc0(&h).spans().len(), before + 1, "Ctrl+Y redoes too");
}

#[test]
fn click_a_span_then_relabel_and_delete_it() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    // "the war in Ukraine" (event) is nested inside a stance: clicking its text picks it.
    let inner = span_starting(&h, "the war in Ukraine");
    let rects = h
        .state()
        .view()
        .screen_rects(DocId(0), inner.start..inner.end);
    click_at(&mut h, rects[0].center());
    assert_eq!(h.state().selection(), &Selection::Span(inner.key()));
    h.key_press(Key::Num1);
    h.run();
    let relabelled = doc0(&h).span_by_id(inner.id).unwrap().clone();
    assert_eq!(relabelled.label, "speaker");
    // Clicking the outer span's text outside the nested one selects the outer span.
    let outer = span_starting(&h, "she would refuse");
    let rects = h
        .state()
        .view()
        .screen_rects(DocId(0), outer.start..outer.start + 3);
    click_at(&mut h, rects[0].center());
    assert_eq!(h.state().selection(), &Selection::Span(outer.key()));
    h.key_press(Key::Delete);
    h.run();
    assert!(doc0(&h).span_by_id(outer.id).is_none());
    assert!(
        doc0(&h).span_by_id(inner.id).is_some(),
        "the nested span stays"
    );
    assert_eq!(h.state().selection(), &Selection::None);
    // Undo brings the span back with its label.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(doc0(&h).span_by_id(outer.id).unwrap().label, "stance");
}

#[test]
fn alt_drag_selects_exact_characters() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    // Word snapping would grow "mala Har" to "Kamala Harris"; Alt keeps the characters.
    let doc = doc0(&h);
    let at = doc.text.find("Kamala Harris, who").unwrap();
    let range = at + 2..at + 10;
    let rects = h.state().view().screen_rects(DocId(0), range.clone());
    let from = egui::pos2(rects[0].left() + 1.0, rects[0].center().y);
    let to = egui::pos2(rects[0].right() - 1.0, rects[0].center().y);
    h.event(egui::Event::PointerMoved(from));
    h.run();
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: from,
            button: PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::ALT,
        },
        Modifiers::ALT,
    );
    h.run();
    h.event_modifiers(egui::Event::PointerMoved(to), Modifiers::ALT);
    h.run();
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: to,
            button: PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::ALT,
        },
        Modifiers::ALT,
    );
    h.run();
    assert_eq!(h.state().selection(), &Selection::Text(range.clone()));
    assert_eq!(&doc.text[range], "mala Har");
}

#[test]
fn save_with_ctrl_s_and_reload() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let range = select_by_drag(&mut h, "Vladimir Putin, President of Russia", false);
    h.key_press(Key::Num1);
    h.run();
    assert!(h.state().session().unwrap().is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    assert!(!h.state().session().unwrap().is_dirty());
    assert!(h.state().message().unwrap_or_default().starts_with("Saved"));
    let (reloaded, _) = Session::open(&project).unwrap();
    let span = reloaded.project().documents[0]
        .spans()
        .iter()
        .find(|s| s.start == range.start)
        .unwrap()
        .clone();
    assert_eq!(span.text, "Vladimir Putin, President of Russia");
    assert_eq!(span.label, "speaker");
}

#[test]
fn the_first_span_marks_a_new_document_in_progress_in_one_undo_step() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    h.state_mut()
        .queue(marginalia::ui::commands::Command::OpenDocument(DocId(2)));
    h.run();
    let doc = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(2))
        .unwrap()
        .clone();
    assert_eq!(doc.status, Status::New);
    let at = doc.text.find("Khanna").unwrap();
    h.state_mut()
        .set_selection(Selection::Text(at..at + "Khanna".len()));
    h.key_press(Key::Num1);
    h.run();
    let doc = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(2))
        .unwrap()
        .clone();
    assert_eq!(doc.spans().len(), 1);
    assert_eq!(doc.status, Status::InProgress);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    let doc = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(2))
        .unwrap()
        .clone();
    assert_eq!((doc.spans().len(), doc.status), (0, Status::New));
}

#[test]
fn status_from_the_header_and_done_and_next() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    h.get_by_label("done").click();
    h.run();
    assert_eq!(doc0(&h).status, Status::Done);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    assert_eq!(h.state().current_document(), DocId(1));
    let status = |h: &Harness<'_, MarginaliaApp>, i| {
        h.state()
            .session()
            .unwrap()
            .project()
            .doc(DocId(i))
            .unwrap()
            .status
    };
    assert_eq!(
        status(&h, 1),
        Status::InProgress,
        "moving on does not touch the next document"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    assert_eq!(
        status(&h, 1),
        Status::Done,
        "Ctrl+Enter marked it done and moved on"
    );
    assert_eq!(h.state().current_document(), DocId(2));
}

#[test]
fn label_keys_do_nothing_without_a_selection_and_say_why() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let before = doc0(&h).spans().len();
    h.key_press(Key::Num2);
    h.run();
    assert_eq!(doc0(&h).spans().len(), before);
    assert!(
        h.state()
            .message()
            .unwrap_or_default()
            .contains("Select some text first")
    );
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    select_by_drag(&mut h, "White House", false);
    h.key_press(Key::Num3);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    h.run();
    assert!(matches!(
        h.state().dialog(),
        Some(marginalia::ui::dialogs::Dialog::Unsaved { .. })
    ));
    h.get_by_label("Save").click();
    h.run();
    assert!(h.state().dialog().is_none());
    assert!(
        !h.state().session().unwrap().is_dirty(),
        "saved before quitting"
    );
}

#[test]
fn clicking_a_row_of_the_span_list_selects_and_reveals_the_span() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let span = span_starting(&h, "Ukraine must have a say in the future of Ukraine");
    h.get_by_label_contains("Ukraine must have a say in the future of Ukraine")
        .click();
    h.run();
    assert_eq!(h.state().selection(), &Selection::Span(span.key()));
    assert!(
        !h.state()
            .view()
            .screen_rects(DocId(0), span.start..span.end)
            .is_empty(),
        "it is on screen"
    );
}

#[test]
fn clicking_a_label_in_the_label_bar_tags_the_selection() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let range = select_by_drag(&mut h, "Vladimir Putin", false);
    h.get_by_label("2 stance").click();
    h.run();
    let doc = doc0(&h);
    let span = doc
        .spans()
        .iter()
        .find(|s| s.start == range.start && s.end == range.end)
        .expect("tagged");
    assert_eq!(span.label, "stance");
}

#[test]
fn the_title_shows_the_project_and_an_unsaved_marker() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    assert_eq!(
        h.state().session().unwrap().title(),
        "Seed news (seed-news.ron) — Marginalia"
    );
    select_by_drag(&mut h, "White House", false);
    h.key_press(Key::Num3);
    h.run();
    assert_eq!(
        h.state().session().unwrap().title(),
        "● Seed news (seed-news.ron) — Marginalia"
    );
}

/// Edit → Annotator name…: the name is recorded on new spans and shown in the title.
#[test]
fn the_annotator_name_is_set_from_the_edit_menu_and_recorded_on_new_spans() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    h.state_mut()
        .queue(marginalia::ui::commands::Command::SetAnnotatorName);
    h.run();
    h.get_by_label("Annotator name");
    h.event(egui::Event::Text("Anna Lee".into()));
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().dialog().is_none());
    assert!(
        h.state()
            .session()
            .unwrap()
            .title()
            .contains(" · Anna Lee — Marginalia"),
        "{}",
        h.state().session().unwrap().title()
    );
    // A new span records the name.
    let at = doc0(&h).text.find("White House").unwrap();
    h.state_mut()
        .set_selection(Selection::Text(at..at + "White House".len()));
    h.key_press(Key::Num3);
    h.run();
    let span = doc0(&h)
        .spans()
        .iter()
        .find(|s| s.start == at)
        .cloned()
        .expect("tagged");
    assert_eq!(span.annotator.as_deref(), Some("Anna Lee"));
}
