//! Rich annotation in the real app: attributes, relations, notes, keyboard-only editing, tag
//! all matches and the schema editor.

use egui::{Event, Key, Modifiers, PointerButton};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Document, Span};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::commands::Command;
use marginalia::ui::dialogs::Dialog;
use marginalia::ui::selection::Selection;
use std::path::{Path, PathBuf};

mod common;

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

fn doc0(h: &Harness<'_, MarginaliaApp>) -> Document {
    h.state()
        .session()
        .unwrap()
        .project()
        .doc(DocId(0))
        .unwrap()
        .clone()
}

fn caret(h: &Harness<'_, MarginaliaApp>) -> usize {
    h.state().view().caret(DocId(0))
}

fn key(h: &mut Harness<'_, MarginaliaApp>, modifiers: Modifiers, k: Key) {
    h.key_press_modifiers(modifiers, k);
    h.run();
}

fn type_text(h: &mut Harness<'_, MarginaliaApp>, text: &str) {
    h.event(Event::Text(text.to_owned()));
    h.run();
}

/// Moves the caret by words (Ctrl+Right) until it is at `offset`, as a user would.
fn ctrl_right_to(h: &mut Harness<'_, MarginaliaApp>, offset: usize) {
    for _ in 0..2000 {
        if caret(h) == offset {
            return;
        }
        assert!(
            caret(h) < offset,
            "the caret went past {offset} (at {})",
            caret(h)
        );
        key(h, Modifiers::COMMAND, Key::ArrowRight);
    }
    panic!("never reached {offset}");
}

/// Selects `words` words starting at byte `start` with Ctrl+Right / Ctrl+Left / Shift.
fn select_words(h: &mut Harness<'_, MarginaliaApp>, start: usize, first_word: &str, words: usize) {
    ctrl_right_to(h, start + first_word.len());
    key(h, Modifiers::COMMAND, Key::ArrowLeft);
    assert_eq!(caret(h), start);
    for _ in 0..words {
        key(h, Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowRight);
    }
}

fn span_at(h: &Harness<'_, MarginaliaApp>, start: usize) -> Span {
    doc0(h)
        .spans()
        .iter()
        .find(|s| s.start == start)
        .expect("a span there")
        .clone()
}

#[test]
fn keyboard_only_speaker_stance_and_holds_relation_survive_save_and_reopen() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let text = doc0(&h).text.clone();

    // 1. "Kamala Harris" (second paragraph) as a speaker with entity "Kamala Harris".
    let name_at = text.find("Kamala Harris, who").unwrap();
    select_words(&mut h, name_at, "Kamala", 2);
    assert_eq!(
        h.state().selection(),
        &Selection::Text(name_at..name_at + "Kamala Harris".len())
    );
    key(&mut h, Modifiers::NONE, Key::Num1);
    key(&mut h, Modifiers::NONE, Key::E);
    type_text(&mut h, "Kamala Harris");
    key(&mut h, Modifiers::NONE, Key::Enter);
    let speaker = span_at(&h, name_at);
    assert_eq!(speaker.label, "speaker");
    assert_eq!(speaker.attrs.get("entity"), Some("Kamala Harris"));

    // 2. "This is a sellout" as a stance against Trump's plan for Ukraine.
    let stance_at = text.find("This is a sellout").unwrap();
    select_words(&mut h, stance_at, "This", 4);
    key(&mut h, Modifiers::NONE, Key::Num2);
    key(&mut h, Modifiers::NONE, Key::A);
    key(&mut h, Modifiers::NONE, Key::T);
    type_text(&mut h, "Trump's plan for Ukraine");
    key(&mut h, Modifiers::NONE, Key::Enter);
    let stance = span_at(&h, stance_at);
    assert_eq!(stance.text, "This is a sellout");
    assert_eq!(stance.attrs.get("polarity"), Some("against"));
    assert_eq!(stance.attrs.get("target"), Some("Trump's plan for Ukraine"));
    assert_eq!(
        h.state().selection(),
        &Selection::Span(stance.key()),
        "the stance is still selected"
    );

    // 3. R, type to find the speaker, Enter: speaker —holds→ stance. Typing matches text
    //    and attribute values, nearest first (issue 16): the nearest span that is about
    //    Kamala is the demo's "she" (entity Kamala Harris); Tab goes on to the new speaker.
    //    (Matching text only, Tab would reach the headline's "Kamala Harris" instead.)
    key(&mut h, Modifiers::NONE, Key::R);
    type_text(&mut h, "kamala");
    key(&mut h, Modifiers::NONE, Key::Tab);
    key(&mut h, Modifiers::NONE, Key::Enter);
    let doc = doc0(&h);
    let holds = doc
        .relations()
        .iter()
        .find(|r| r.kind == "holds" && r.to == stance.id)
        .expect("a holds relation to the stance");
    assert_eq!(
        holds.from, speaker.id,
        "the second Kamala by distance is the new speaker"
    );

    // 4. Save, reopen, everything is there.
    key(&mut h, Modifiers::COMMAND, Key::S);
    let (reopened, _) = Session::open(&project).unwrap();
    let d = &reopened.project().documents[0];
    let s = d.span_by_id(speaker.id).unwrap();
    assert_eq!(s.attrs.get("entity"), Some("Kamala Harris"));
    let t = d.span_by_id(stance.id).unwrap();
    assert_eq!(t.attrs.get("target"), Some("Trump's plan for Ukraine"));
    assert!(
        d.relations()
            .iter()
            .any(|r| r.kind == "holds" && r.from == speaker.id && r.to == stance.id)
    );
}

#[test]
fn tab_cycles_spans_and_brackets_move_edges() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let spans = doc0(&h).spans().to_vec();
    key(&mut h, Modifiers::NONE, Key::Tab);
    assert_eq!(h.state().selection(), &Selection::Span(spans[0].key()));
    key(&mut h, Modifiers::NONE, Key::Tab);
    assert_eq!(h.state().selection(), &Selection::Span(spans[1].key()));
    key(&mut h, Modifiers::SHIFT, Key::Tab);
    assert_eq!(h.state().selection(), &Selection::Span(spans[0].key()));
    // "Kamala Harris": `[` grows it left by a word, `}` right by a word, `]` shrinks back.
    let first = spans[0].clone();
    for b in ["[", "}"] {
        type_text(&mut h, b);
    }
    let grown = doc0(&h).span_by_id(first.id).unwrap().clone();
    assert_eq!(grown.text, "President Kamala Harris made");
    type_text(&mut h, "]");
    type_text(&mut h, "{");
    assert_eq!(doc0(&h).span_by_id(first.id).unwrap().text, "Kamala Harris");
    // Each move is one undo step.
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        doc0(&h).span_by_id(first.id).unwrap().text,
        "Kamala Harris made"
    );
}

#[test]
fn choice_keys_set_values_and_relabelling_drops_the_ones_that_do_not_fit() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let stance = doc0(&h)
        .spans()
        .iter()
        .find(|s| s.label == "stance")
        .unwrap()
        .clone();
    h.state_mut()
        .queue(Command::SelectSpan(DocId(0), stance.key()));
    h.run();
    key(&mut h, Modifiers::NONE, Key::U);
    assert_eq!(
        doc0(&h)
            .span_by_id(stance.id)
            .unwrap()
            .attrs
            .get("polarity"),
        Some("unclear")
    );
    let relations_before = doc0(&h).relations_of(stance.id).count();
    assert!(relations_before > 0);
    key(&mut h, Modifiers::NONE, Key::Num3);
    let s = doc0(&h).span_by_id(stance.id).unwrap().clone();
    assert_eq!(s.label, "event");
    assert!(!s.attrs.contains_key("polarity"));
    key(&mut h, Modifiers::COMMAND, Key::Z);
    let s = doc0(&h).span_by_id(stance.id).unwrap().clone();
    assert_eq!(s.attrs.get("polarity"), Some("unclear"));
    assert_eq!(
        doc0(&h).relations_of(stance.id).count(),
        relations_before,
        "undo brings the relations back"
    );
}

#[test]
fn deleting_a_span_deletes_its_relations_and_undo_restores_both() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let stance = doc0(&h)
        .spans()
        .iter()
        .find(|s| s.text.starts_with("she would refuse"))
        .unwrap()
        .clone();
    let linked = doc0(&h).relations_of(stance.id).count();
    assert_eq!(linked, 2, "holds from Harris, about the war");
    h.state_mut()
        .queue(Command::SelectSpan(DocId(0), stance.key()));
    h.run();
    key(&mut h, Modifiers::NONE, Key::Delete);
    assert_eq!(doc0(&h).relations().len(), 1);
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(doc0(&h).relations_of(stance.id).count(), 2);
}

#[test]
fn notes_are_edited_in_the_panel_and_shown_on_hover() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let span = doc0(&h).spans()[0].clone();
    h.state_mut()
        .queue(Command::SelectSpan(DocId(0), span.key()));
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::MultilineTextInput, "Note")
        .focus();
    h.run();
    type_text(&mut h, "Vice President at the time");
    // Leaving the field commits the note.
    key(&mut h, Modifiers::NONE, Key::Tab);
    h.state_mut().queue(Command::ClearSelection);
    h.run();
    assert_eq!(
        doc0(&h).span_by_id(span.id).unwrap().note.as_deref(),
        Some("Vice President at the time")
    );
}

/// The preview's state, while it is open.
fn tag_all_dialog(h: &Harness<'_, MarginaliaApp>) -> marginalia::ui::tag_all_preview::TagAllDialog {
    match h.state().dialog() {
        Some(Dialog::TagAll(d)) => (**d).clone(),
        other => panic!("no Tag all preview: {other:?}"),
    }
}

#[test]
fn tag_all_matches_in_the_corpus_shows_a_preview_to_tick_first() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let harris = doc0(&h)
        .spans()
        .iter()
        .find(|s| s.text == "Harris")
        .unwrap()
        .clone();
    h.state_mut()
        .queue(Command::SelectSpan(DocId(0), harris.key()));
    h.run();
    let before: usize = h.state().session().unwrap().project().span_count();
    key(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::M);
    // Nothing is tagged yet: the places are listed with their context.
    assert_eq!(h.state().session().unwrap().project().span_count(), before);
    h.get_by_label("Tag “Harris” as speaker");
    let d = tag_all_dialog(&h);
    assert!(d.preview.hits.len() >= 10, "{}", d.preview.hits.len());
    // The Harris of "Kamala Harris" (a speaker span already) is listed, not ticked.
    let inside: Vec<usize> = (0..d.preview.hits.len())
        .filter(|&i| d.preview.hits[i].inside.is_some())
        .collect();
    assert!(!inside.is_empty());
    assert!(inside.iter().all(|&i| !d.ticked[i]));
    assert!(d.ticked.iter().any(|t| *t));
    // Down, Space: the second place changes its tick.
    key(&mut h, Modifiers::NONE, Key::ArrowDown);
    key(&mut h, Modifiers::NONE, Key::Space);
    let toggled = tag_all_dialog(&h);
    assert_eq!(toggled.focus, 1);
    assert_eq!(toggled.ticked[1], !d.ticked[1]);
    let ticked = toggled.ticked_count();
    key(&mut h, Modifiers::NONE, Key::Enter);
    assert!(h.state().dialog().is_none());
    let project_now = h.state().session().unwrap().project();
    let added = project_now.span_count() - before;
    assert_eq!(added, ticked, "exactly the ticked places");
    // None of them inside a longer speaker span.
    for d in &project_now.documents {
        for s in d.spans().iter().filter(|s| s.text == "Harris") {
            assert!(
                !d.spans().iter().any(|o| o.label == "speaker"
                    && o.len() > s.len()
                    && o.start <= s.start
                    && o.end >= s.end)
                    || toggled
                        .ticked
                        .iter()
                        .zip(&toggled.preview.hits)
                        .any(|(t, hit)| *t && hit.range == (s.start..s.end)),
                "{s:?} was tagged inside a longer speaker span without being ticked"
            );
        }
    }
    assert!(
        h.state()
            .message()
            .unwrap_or_default()
            .starts_with(&format!("Tagged {added} “Harris” as speaker in")),
        "{:?}",
        h.state().message()
    );
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        h.state().session().unwrap().project().span_count(),
        before,
        "one undo step"
    );
}

#[test]
fn dragging_a_chip_onto_another_span_links_them() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let doc = doc0(&h);
    let speaker = doc
        .spans()
        .iter()
        .find(|s| s.text == "she")
        .unwrap()
        .clone();
    let event = doc
        .spans()
        .iter()
        .find(|s| s.text == "the war in Ukraine")
        .unwrap()
        .clone();
    let chip = h
        .state()
        .view()
        .chip_rect(DocId(0), speaker.key())
        .expect("chip on screen");
    let target = h
        .state()
        .view()
        .screen_rects(DocId(0), event.start..event.end)[0]
        .center();
    let from = chip.center();
    h.event(Event::PointerMoved(from));
    h.run();
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.run();
    h.event(Event::PointerMoved(target));
    h.run();
    h.event(Event::PointerButton {
        pos: target,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
    let doc = doc0(&h);
    assert!(
        doc.relations()
            .iter()
            .any(|r| r.kind == "participates_in" && r.from == speaker.id && r.to == event.id)
    );
}

#[test]
fn the_schema_editor_renames_a_label_everywhere() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::E);
    h.run();
    let field = h
        .get_all_by_label("Label name")
        .nth(1)
        .expect("the stance name field");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    type_text(&mut h, "position");
    key(&mut h, Modifiers::NONE, Key::Enter);
    let p = &h.state().session().unwrap().project();
    assert!(p.schema.label("position").is_some() && p.schema.label("stance").is_none());
    assert!(
        p.documents
            .iter()
            .flat_map(|d| d.spans())
            .all(|s| s.label != "stance")
    );
    assert_eq!(p.schema.relation("holds").unwrap().to, "position");
    key(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(
        h.state()
            .session()
            .unwrap()
            .project()
            .schema
            .label("stance")
            .is_some()
    );
}

#[test]
fn removing_a_label_in_use_asks_first() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let mut schema = h.state().session().unwrap().project().schema.clone();
    schema.labels.retain(|l| l.name != "event");
    schema.relations.retain(|r| r.to != "event");
    h.state_mut().queue(Command::ChangeSchema(Box::new(schema)));
    h.run();
    match h.state().dialog() {
        Some(marginalia::ui::dialogs::Dialog::Confirm { message, .. }) => {
            assert!(message.contains("deletes 3 spans"), "{message}");
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
    h.get_by_label("Apply").click();
    h.run();
    let p = &h.state().session().unwrap().project();
    assert!(
        p.documents
            .iter()
            .flat_map(|d| d.spans())
            .all(|s| s.label != "event")
    );
}
