//! Every user action as a value. Menus, buttons and keyboard shortcuts all produce a
//! [`Command`]; the app queues them during the frame and handles them in one place
//! (`app.rs`), so a shortcut and its menu item can never drift apart.

use crate::model::{DocId, Schema, SpanId, SpanKey, Status};
use crate::ui::document_view::Motion;
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Save,
    SaveAs,
    Open,
    OpenPath(PathBuf),
    NewFromFolder,
    NewFromJsonl,
    Quit,
    Undo,
    Redo,
    /// Tag the selected text with this label, or relabel the selected span.
    ApplyLabel(String),
    DeleteSpan,
    ClearSelection,
    SetStatus(DocId, Status),
    /// Mark the current document done and open the next one.
    DoneAndNext,
    NextDocument,
    PreviousDocument,
    OpenDocument(DocId),
    /// Select a span (and scroll to it), from the span list.
    SelectSpan(DocId, SpanKey),
    /// Move the caret; `true` extends the selection.
    Caret(Motion, bool),
    /// Select the next (or previous) span in reading order.
    NextSpan,
    PreviousSpan,
    /// `[` `]` `{` `}`: move the start (or end) of the selected span or text by a word.
    MoveEdge {
        end: bool,
        forward: bool,
    },
    /// Set (or clear) an attribute of the selected span.
    SetAttr(String, Option<String>),
    SetNote(Option<String>),
    /// Put the keyboard in the span panel's field for this attribute (or `note`).
    FocusField(String),
    /// `R`: start linking the selected span to another, by keyboard.
    StartLink,
    /// A key while linking.
    Link(LinkKey),
    /// Link two spans (a drag from one chip to another span); the schema says which way.
    LinkSpans(SpanKey, SpanKey),
    DeleteRelation(DocId, SpanId),
    /// Tag every other occurrence of the selected span's text, in this document or all.
    TagAllMatches {
        corpus: bool,
    },
    ToggleAllRelations,
    OpenSchemaEditor,
    /// Replace the schema, deleting (after asking) what no longer fits.
    ChangeSchema(Box<Schema>),
    /// Apply an edit (schema renames from the schema editor).
    Edit(Box<crate::model::Edit>),
    /// File → Import… / Export…
    OpenImport,
    OpenExport,
    /// Review this suggestion (clicked in the document or the queue).
    FocusSuggestion(SpanKey),
    /// A key of the review workflow.
    Review(ReviewKey),
    /// Accept every pending suggestion of the document at or above this score (in
    /// hundredths), or of this label.
    AcceptAllAbove(u8),
    AcceptAllOfLabel(String),
    ToggleSuggestions,
    OpenSuggest,
    /// `Ctrl+F` / `Ctrl+Shift+F`: the Search tab, over the document or the corpus.
    OpenSearch {
        corpus: bool,
    },
    /// `F3` / `Shift+F3`: the next / previous search hit.
    NextHit,
    PreviousHit,
    /// A hit of the results list, by its index.
    JumpToHit(usize),
    /// Tag every text hit of the search with this label (one undoable step).
    TagHits(String),
    /// Show a place: open its document, select the span or the text, scroll to it.
    GoTo {
        doc: DocId,
        start: usize,
        end: usize,
        span: Option<SpanId>,
    },
    OpenStatistics,
    OpenConsistency,
    /// Apply the majority annotation to every place of a consistency finding.
    FixFinding(usize),
    /// Place a span whose text left the document at the selected text, or delete it.
    PlaceUnanchored(SpanId),
    DropUnanchored(SpanId),
}

/// Keys of the review workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewKey {
    Accept,
    Reject,
    /// Adjust the boundaries or label before accepting.
    Edit,
    Next,
    Previous,
}

/// Keys while linking a span to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKey {
    Next,
    Previous,
    Confirm,
    Cancel,
    /// Typing filters the candidates by their text.
    Type(String),
    Backspace,
    /// A digit picks a relation type when several fit.
    Kind(usize),
}

const fn shortcut(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

const CMD_SHIFT: Modifiers = Modifiers {
    alt: false,
    ctrl: false,
    shift: true,
    mac_cmd: false,
    command: true,
};

/// Fixed shortcuts, most specific first (egui ignores extra Shift when matching, so
/// Ctrl+Shift+Z must be tried before Ctrl+Z).
pub const SHORTCUTS: &[(KeyboardShortcut, Command)] = &[
    (shortcut(CMD_SHIFT, Key::S), Command::SaveAs),
    (shortcut(CMD_SHIFT, Key::Z), Command::Redo),
    (
        shortcut(CMD_SHIFT, Key::M),
        Command::TagAllMatches { corpus: true },
    ),
    (shortcut(CMD_SHIFT, Key::E), Command::OpenSchemaEditor),
    (
        shortcut(CMD_SHIFT, Key::F),
        Command::OpenSearch { corpus: true },
    ),
    (shortcut(Modifiers::SHIFT, Key::F3), Command::PreviousHit),
    (shortcut(Modifiers::NONE, Key::F3), Command::NextHit),
    (
        shortcut(Modifiers::COMMAND, Key::F),
        Command::OpenSearch { corpus: false },
    ),
    (shortcut(Modifiers::COMMAND, Key::S), Command::Save),
    (shortcut(Modifiers::COMMAND, Key::O), Command::Open),
    (shortcut(Modifiers::COMMAND, Key::N), Command::NewFromFolder),
    (shortcut(Modifiers::COMMAND, Key::Q), Command::Quit),
    (shortcut(Modifiers::COMMAND, Key::Z), Command::Undo),
    (shortcut(Modifiers::COMMAND, Key::Y), Command::Redo),
    (
        shortcut(Modifiers::COMMAND, Key::M),
        Command::TagAllMatches { corpus: false },
    ),
    (
        shortcut(Modifiers::COMMAND, Key::Enter),
        Command::DoneAndNext,
    ),
    (
        shortcut(Modifiers::COMMAND, Key::PageDown),
        Command::NextDocument,
    ),
    (
        shortcut(Modifiers::COMMAND, Key::PageUp),
        Command::PreviousDocument,
    ),
];

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

impl Command {
    /// The fixed shortcut of this command, for menus.
    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        SHORTCUTS.iter().find(|(_, c)| c == self).map(|(s, _)| *s)
    }

    pub fn shortcut_text(&self, ctx: &egui::Context) -> String {
        self.shortcut()
            .map(|s| ctx.format_shortcut(&s))
            .unwrap_or_default()
    }
}

/// The egui key for a label key character (`'1'` → `Key::Num1`, `'s'` → `Key::S`).
pub fn key_for_char(c: char) -> Option<Key> {
    Key::from_name(&c.to_string())
}

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
}

/// Reads this frame's key presses into commands.
pub fn read_keyboard(ctx: &egui::Context, keys: &KeyContext<'_>) -> Vec<Command> {
    let mut out = Vec::new();
    let mut took_navigation = false;
    ctx.input_mut(|i| {
        for (s, c) in SHORTCUTS {
            if i.consume_shortcut(s) {
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
        if keys.reviewing {
            let review_keys: &[(Key, ReviewKey)] = if keys.editing_suggestion {
                &[(Key::Enter, ReviewKey::Accept)]
            } else {
                &[
                    (Key::Enter, ReviewKey::Accept),
                    (Key::A, ReviewKey::Accept),
                    (Key::X, ReviewKey::Reject),
                    (Key::Delete, ReviewKey::Reject),
                    (Key::E, ReviewKey::Edit),
                    (Key::J, ReviewKey::Next),
                    (Key::ArrowDown, ReviewKey::Next),
                    (Key::K, ReviewKey::Previous),
                    (Key::ArrowUp, ReviewKey::Previous),
                ]
            };
            for (key, rk) in review_keys {
                if i.consume_key(Modifiers::NONE, *key) {
                    out.push(Command::Review(*rk));
                    took_navigation = true;
                }
            }
        } else {
            // J and K open the review on the next (previous) pending suggestion.
            for (key, rk) in [(Key::J, ReviewKey::Next), (Key::K, ReviewKey::Previous)] {
                if i.consume_key(Modifiers::NONE, key) {
                    out.push(Command::Review(rk));
                }
            }
        }
        for (key, c) in VIEW_KEYS {
            if i.consume_key(Modifiers::NONE, *key) {
                out.push(c.clone());
            }
        }
        // Tab moves between spans, not between widgets.
        if i.consume_key(Modifiers::SHIFT, Key::Tab) {
            out.push(Command::PreviousSpan);
            took_navigation = true;
        }
        if i.consume_key(Modifiers::NONE, Key::Tab) {
            out.push(Command::NextSpan);
            took_navigation = true;
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
                    took_navigation = true;
                }
            }
        }
        // Brackets come as text so that they work on every keyboard layout.
        let mut brackets = Vec::new();
        i.events.retain(|e| match e {
            egui::Event::Text(t) if matches!(t.as_str(), "[" | "]" | "{" | "}") => {
                brackets.push(t.clone());
                false
            }
            _ => true,
        });
        for b in brackets {
            out.push(match b.as_str() {
                "[" => Command::MoveEdge {
                    end: false,
                    forward: false,
                },
                "]" => Command::MoveEdge {
                    end: false,
                    forward: true,
                },
                "{" => Command::MoveEdge {
                    end: true,
                    forward: false,
                },
                _ => Command::MoveEdge {
                    end: true,
                    forward: true,
                },
            });
        }
        // With a span selected, its attribute keys come before the label keys.
        if let Some(def) = keys.selected_label.and_then(|l| keys.schema.label(l)) {
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

/// Keys while linking: Tab/arrows cycle, Enter links, Esc cancels, typing filters.
fn read_link_keys(i: &mut egui::InputState, out: &mut Vec<Command>) {
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
