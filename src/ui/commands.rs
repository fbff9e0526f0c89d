//! Every user action as a value. Menus, buttons and keyboard shortcuts all produce a
//! [`Command`]; the app queues them during the frame and handles them in one place
//! (`app.rs`), so a shortcut and its menu item can never drift apart.

use crate::model::{DocId, Schema, SpanKey, Status};
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
    /// Scroll the document by this many pages (negative: up).
    ScrollPages(i8),
    ScrollToStart,
    ScrollToEnd,
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
    (shortcut(Modifiers::COMMAND, Key::S), Command::Save),
    (shortcut(Modifiers::COMMAND, Key::O), Command::Open),
    (shortcut(Modifiers::COMMAND, Key::N), Command::NewFromFolder),
    (shortcut(Modifiers::COMMAND, Key::Q), Command::Quit),
    (shortcut(Modifiers::COMMAND, Key::Z), Command::Undo),
    (shortcut(Modifiers::COMMAND, Key::Y), Command::Redo),
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

/// Keys that act on the document view only (they would mean something else in a text field).
const VIEW_KEYS: &[(Key, Command)] = &[
    (Key::Delete, Command::DeleteSpan),
    (Key::Backspace, Command::DeleteSpan),
    (Key::Escape, Command::ClearSelection),
    (Key::PageDown, Command::ScrollPages(1)),
    (Key::PageUp, Command::ScrollPages(-1)),
    (Key::Space, Command::ScrollPages(1)),
    (Key::Home, Command::ScrollToStart),
    (Key::End, Command::ScrollToEnd),
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

/// Reads this frame's key presses into commands. When a text field has the keyboard, only
/// chords with Ctrl/Cmd are taken, so typing a `1` in a field never tags anything.
pub fn read_keyboard(
    ctx: &egui::Context,
    schema: &Schema,
    text_field_focused: bool,
) -> Vec<Command> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        for (s, c) in SHORTCUTS {
            if i.consume_shortcut(s) {
                out.push(c.clone());
            }
        }
        if text_field_focused {
            return;
        }
        for (key, c) in VIEW_KEYS {
            if i.consume_key(Modifiers::NONE, *key) {
                out.push(c.clone());
            }
        }
        for label in &schema.labels {
            if let Some(key) = label.key.and_then(key_for_char)
                && i.consume_key(Modifiers::NONE, key)
            {
                out.push(Command::ApplyLabel(label.name.clone()));
            }
        }
    });
    out
}
