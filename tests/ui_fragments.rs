//! Discontinuous spans in the window: select a span, then more text, and `+` (or a
//! Ctrl+drag) makes that text another fragment of the span, in one undo step; the span panel
//! lists the fragments and removes one.

use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{DocId, Span};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::selection::Selection;

mod common;

fn doc_span(h: &Harness<'_, MarginaliaApp>, text: &str) -> Span {
    let p = h.state().session().unwrap().project();
    p.doc(DocId(0))
        .unwrap()
        .spans()
        .iter()
        .find(|s| s.text.starts_with(text))
        .unwrap()
        .clone()
}

fn center_of(h: &Harness<'_, MarginaliaApp>, range: std::ops::Range<usize>) -> Pos2 {
    across(h, range).0
}

/// The centre of a word on screen, and two points inside it near its ends (to drag over).
fn across(h: &Harness<'_, MarginaliaApp>, range: std::ops::Range<usize>) -> (Pos2, Pos2, Pos2) {
    let rects = h.state().view().screen_rects(DocId(0), range);
    assert!(!rects.is_empty(), "on screen");
    let r = rects[0];
    let y = r.center().y;
    (
        r.center(),
        Pos2::new(r.left() + 3.0, y),
        Pos2::new(r.right() - 3.0, y),
    )
}

fn press(h: &mut Harness<'_, MarginaliaApp>, at: Pos2, pressed: bool, modifiers: Modifiers) {
    h.event(Event::PointerButton {
        pos: at,
        button: PointerButton::Primary,
        pressed,
        modifiers,
    });
    h.run();
}

fn click(h: &mut Harness<'_, MarginaliaApp>, at: Pos2) {
    h.event(Event::PointerMoved(at));
    h.run();
    press(h, at, true, Modifiers::NONE);
    press(h, at, false, Modifiers::NONE);
}

fn drag(h: &mut Harness<'_, MarginaliaApp>, from: Pos2, to: Pos2, modifiers: Modifiers) {
    h.event(Event::PointerMoved(from));
    h.run();
    h.event(Event::ModifiersChanged(modifiers));
    press(h, from, true, modifiers);
    for p in [from + (to - from) * 0.5, to] {
        h.event(Event::PointerMoved(p));
        h.run();
    }
    press(h, to, false, modifiers);
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run();
}

/// Byte range of the first occurrence of `needle` after `after`.
fn find(h: &Harness<'_, MarginaliaApp>, needle: &str, after: usize) -> std::ops::Range<usize> {
    let p = h.state().session().unwrap().project();
    let text = &p.doc(DocId(0)).unwrap().text;
    let at = after + text[after..].find(needle).unwrap();
    at..at + needle.len()
}

/// The demo with its span "Harris" selected by a click, and where the word "interview"
/// after it is.
fn harris_selected() -> (
    tempfile::TempDir,
    Harness<'static, MarginaliaApp>,
    Span,
    std::ops::Range<usize>,
) {
    let (dir, project) = common::demo_copy();
    let (session, _) = Session::open(&project).unwrap();
    let mut h = common::harness(session);
    let harris = doc_span(&h, "Harris");
    let at = center_of(&h, harris.start..harris.end);
    click(&mut h, at);
    assert_eq!(h.state().selection(), &Selection::Span(harris.key()));
    let more = find(&h, "interview", harris.end);
    (dir, h, harris, more)
}

#[test]
fn plus_adds_the_selected_text_to_the_span_selected_before_and_undo_takes_it_back() {
    // Select the span "Harris", then drag over a later word, then +.
    let (_dir, mut h, harris, more) = harris_selected();
    let (_, a, b) = across(&h, more.clone());
    drag(&mut h, a, b, Modifiers::NONE);
    assert_eq!(h.state().selection(), &Selection::Text(more.clone()));
    h.event(Event::Text("+".into()));
    h.run();
    let now = doc_span(&h, "Harris");
    assert_eq!(now.id, harris.id, "the same span");
    let pieces: Vec<_> = now.pieces().collect();
    assert_eq!(pieces, [harris.start..harris.end, more.clone()]);
    assert_eq!(now.fragments[1].text, "interview");
    assert_eq!(
        h.state().selection(),
        &Selection::Span(now.key()),
        "the span stays selected"
    );
    // The panel lists both pieces.
    h.get_by_label("Fragments (2)");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    let back = doc_span(&h, "Harris");
    assert!(
        back.fragments.is_empty() && back.end == harris.end,
        "one undo step"
    );
}

#[test]
fn ctrl_drag_from_a_selected_span_adds_a_fragment() {
    let (_dir, mut h, _, more) = harris_selected();
    let (_, a, b) = across(&h, more.clone());
    drag(&mut h, a, b, Modifiers::COMMAND);
    let now = doc_span(&h, "Harris");
    assert_eq!(now.fragments.len(), 2, "{now:?}");
    assert_eq!(now.fragments[1].start, more.start);
}
