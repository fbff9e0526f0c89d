//! Reads each frame's key presses into [`Command`]s. Chords come from the command table
//! ([`crate::ui::commands::TABLE`]); plain keys mean what the document view is doing now
//! (linking, reviewing, a span selected), as [`KeyContext`] says.

use crate::model::Schema;
use crate::ui::commands::{Command, LinkKey, ReviewKey, chords, key_for_char};
use crate::ui::selection::Motion;
use egui::{InputState, Key, Modifiers};

/// What the keys mean right now.
pub struct KeyContext<'a> {
    pub schema: &'a Schema,
    /// The label of the selected span: its attribute keys are live.
    pub selected_label: Option<&'a str>,
    /// A text field has the keyboard: only Ctrl/Cmd chords are taken.
    pub text_field_focused: bool,
    /// Linking by keyboard: keys pick the other span.
    pub linking: bool,
    /// The review panel is open: Enter/A accept, X/Del reject, E edit, J/K move.
    pub reviewing: bool,
    /// `E` was pressed on a suggestion: Enter accepts, the rest edits the range.
    pub editing_suggestion: bool,
    /// The label the suggestion under review would be accepted as: its choice keys set
    /// the span's attributes (after the review keys, which win a shared letter).
    pub review_label: Option<&'a str>,
}

/// Keys that act on the document view only (they mean something else in a text field).
const VIEW_KEYS: &[(Key, Command)] = &[
    (Key::Delete, Command::DeleteSpan),
    (Key::Backspace, Command::DeleteSpan),
    (Key::Escape, Command::ClearSelection),
    (Key::R, Command::StartLink),
];

/// Caret keys: the motion without Ctrl, and with Ctrl.
const CARET_KEYS: &[(Key, Motion, Motion)] = &[
    (Key::ArrowLeft, Motion::Left, Motion::WordLeft),
    (Key::ArrowRight, Motion::Right, Motion::WordRight),
    (Key::ArrowUp, Motion::Up, Motion::Up),
    (Key::ArrowDown, Motion::Down, Motion::Down),
    (Key::Home, Motion::LineStart, Motion::DocStart),
    (Key::End, Motion::LineEnd, Motion::DocEnd),
    (Key::PageUp, Motion::PageUp, Motion::PageUp),
    (Key::PageDown, Motion::PageDown, Motion::PageDown),
];

/// Review keys while a suggestion is focused, and while it is being edited (`E`).
const REVIEW_KEYS: &[(Key, ReviewKey)] = &[
    (Key::Enter, ReviewKey::Accept),
    (Key::A, ReviewKey::Accept),
    (Key::X, ReviewKey::Reject),
    (Key::Delete, ReviewKey::Reject),
    (Key::E, ReviewKey::Edit),
    (Key::J, ReviewKey::Next),
    (Key::ArrowDown, ReviewKey::Next),
    (Key::K, ReviewKey::Previous),
    (Key::ArrowUp, ReviewKey::Previous),
];
const EDITING_KEYS: &[(Key, ReviewKey)] = &[(Key::Enter, ReviewKey::Accept)];

/// Reads this frame's key presses into commands.
pub fn read_keyboard(ctx: &egui::Context, keys: &KeyContext<'_>) -> Vec<Command> {
    let mut out = Vec::new();
    let mut took_navigation = false;
    ctx.input_mut(|i| {
        for (s, c) in chords() {
            if i.consume_shortcut(&s) {
                out.push(c.clone());
            }
        }
        if keys.text_field_focused {
            return;
        }
        if keys.linking {
            read_link_keys(i, &mut out);
            took_navigation = true;
            return;
        }
        took_navigation |= read_review_keys(i, keys, &mut out);
        read_review_attribute_keys(i, keys, &mut out);
        for (key, c) in VIEW_KEYS {
            if i.consume_key(Modifiers::NONE, *key) {
                out.push(c.clone());
            }
        }
        took_navigation |= read_navigation_keys(i, &mut out);
        read_typed_keys(i, &mut out);
        read_attribute_keys(i, keys, &mut out);
        for label in &keys.schema.labels {
            if let Some(key) = label.key.and_then(key_for_char)
                && i.consume_key(Modifiers::NONE, key)
            {
                out.push(Command::ApplyLabel(label.name.clone()));
            }
        }
    });
    if took_navigation {
        // The keys were ours: egui must not also move its widget focus with them.
        ctx.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
    }
    out
}

/// The review keys while reviewing; elsewhere J and K open the review on the next
/// (previous) pending suggestion. True when a key moved the focus.
fn read_review_keys(i: &mut InputState, keys: &KeyContext<'_>, out: &mut Vec<Command>) -> bool {
    if !keys.reviewing {
        for (key, rk) in [(Key::J, ReviewKey::Next), (Key::K, ReviewKey::Previous)] {
            if i.consume_key(Modifiers::NONE, key) {
                out.push(Command::Review(rk));
            }
        }
        return false;
    }
    let table = if keys.editing_suggestion {
        EDITING_KEYS
    } else {
        REVIEW_KEYS
    };
    let mut took = false;
    for (key, rk) in table {
        if i.consume_key(Modifiers::NONE, *key) {
            out.push(Command::Review(*rk));
            took = true;
        }
    }
    took
}

/// While reviewing, the choice keys of the label the suggestion would be accepted as.
fn read_review_attribute_keys(i: &mut InputState, keys: &KeyContext<'_>, out: &mut Vec<Command>) {
    let Some(def) = keys
        .review_label
        .filter(|_| keys.reviewing)
        .and_then(|l| keys.schema.label(l))
    else {
        return;
    };
    for a in &def.attributes {
        for c in a.choices() {
            if let Some(key) = c.key.and_then(key_for_char)
                && i.consume_key(Modifiers::NONE, key)
            {
                out.push(Command::ReviewAttr(a.name.clone(), c.value.clone()));
            }
        }
    }
}

/// Tab between spans (not between widgets) and the caret keys. True when one was pressed.
fn read_navigation_keys(i: &mut InputState, out: &mut Vec<Command>) -> bool {
    let mut took = false;
    if i.consume_key(Modifiers::SHIFT, Key::Tab) {
        out.push(Command::PreviousSpan);
        took = true;
    }
    if i.consume_key(Modifiers::NONE, Key::Tab) {
        out.push(Command::NextSpan);
        took = true;
    }
    for (key, plain, with_ctrl) in CARET_KEYS {
        // Most specific first: egui ignores an extra Shift when matching.
        for (mods, motion, extend) in [
            (Modifiers::COMMAND | Modifiers::SHIFT, with_ctrl, true),
            (Modifiers::COMMAND, with_ctrl, false),
            (Modifiers::SHIFT, plain, true),
            (Modifiers::NONE, plain, false),
        ] {
            // Key repeat can press a key several times in one frame.
            for _ in 0..i.count_and_consume_key(mods, *key) {
                out.push(Command::Caret(*motion, extend));
                took = true;
            }
        }
    }
    took
}

/// `[ ] { }` move the edges of the selection, `+` adds the selected text to the span selected
/// before as a fragment. They come as text, so that they work on every keyboard layout.
fn read_typed_keys(i: &mut InputState, out: &mut Vec<Command>) {
    let mut typed = Vec::new();
    i.events.retain(|e| match e {
        egui::Event::Text(t) if matches!(t.as_str(), "[" | "]" | "{" | "}" | "+") => {
            typed.push(t.clone());
            false
        }
        _ => true,
    });
    for b in typed {
        let (end, forward) = match b.as_str() {
            "+" => {
                out.push(Command::AddFragment);
                continue;
            }
            "[" => (false, false),
            "]" => (false, true),
            "{" => (true, false),
            _ => (true, true),
        };
        out.push(Command::MoveEdge { end, forward });
    }
}

/// With a span selected, its attribute keys come before the label keys; Enter edits its
/// first text attribute (or the note).
fn read_attribute_keys(i: &mut InputState, keys: &KeyContext<'_>, out: &mut Vec<Command>) {
    let Some(def) = keys.selected_label.and_then(|l| keys.schema.label(l)) else {
        return;
    };
    for a in &def.attributes {
        if let Some(key) = a.key.and_then(key_for_char)
            && i.consume_key(Modifiers::NONE, key)
        {
            out.push(Command::FocusField(a.name.clone()));
        }
        for c in a.choices() {
            if let Some(key) = c.key.and_then(key_for_char)
                && i.consume_key(Modifiers::NONE, key)
            {
                out.push(Command::SetAttr(a.name.clone(), Some(c.value.clone())));
            }
        }
    }
    if i.consume_key(Modifiers::NONE, Key::Enter) {
        let first_text = def
            .attributes
            .iter()
            .find(|a| a.choices().is_empty())
            .map(|a| a.name.clone());
        out.push(Command::FocusField(
            first_text.unwrap_or_else(|| "note".to_owned()),
        ));
    }
}

/// Keys while linking: Tab/arrows cycle, Enter links, Esc cancels, typing filters.
fn read_link_keys(i: &mut InputState, out: &mut Vec<Command>) {
    let keys = [
        (Modifiers::SHIFT, Key::Tab, LinkKey::Previous),
        (Modifiers::NONE, Key::Tab, LinkKey::Next),
        (Modifiers::NONE, Key::ArrowDown, LinkKey::Next),
        (Modifiers::NONE, Key::ArrowRight, LinkKey::Next),
        (Modifiers::NONE, Key::ArrowUp, LinkKey::Previous),
        (Modifiers::NONE, Key::ArrowLeft, LinkKey::Previous),
        (Modifiers::NONE, Key::Enter, LinkKey::Confirm),
        (Modifiers::NONE, Key::Escape, LinkKey::Cancel),
        (Modifiers::NONE, Key::Backspace, LinkKey::Backspace),
    ];
    for (mods, key, link) in keys {
        if i.consume_key(mods, key) {
            out.push(Command::Link(link));
        }
    }
    let mut typed = String::new();
    i.events.retain(|e| match e {
        egui::Event::Text(t) => {
            typed.push_str(t);
            false
        }
        _ => true,
    });
    for c in typed.chars() {
        match c.to_digit(10) {
            Some(d) if d > 0 => out.push(Command::Link(LinkKey::Kind(d as usize))),
            _ => out.push(Command::Link(LinkKey::Type(c.to_string()))),
        }
    }
}
