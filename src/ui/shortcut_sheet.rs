//! The keyboard reference (Help → Keyboard shortcuts): what the mouse and the document
//! view's keys do, the schema's label keys, then every command of the command table that has
//! a key. Scrolls, so it fits any window.

use crate::model::Schema;
use crate::ui::commands::TABLE;

/// What the document view does with the mouse and with keys that are not commands.
const GESTURES: &[(&str, &str)] = &[
    ("drag", "select text, snapped to whole words"),
    (
        "Alt+drag",
        "select exact characters (never half a grapheme)",
    ),
    ("double-click", "select a word"),
    (
        "click a span",
        "select it (its label chip or underline picks one of nested spans)",
    ),
    (
        "arrows, Ctrl+arrows",
        "move the caret by character, by word",
    ),
    (
        "Home / End, Ctrl+Home / End",
        "start / end of the line, of the document",
    ),
    ("Shift + any of those", "select text with the keyboard"),
    ("Tab / Shift+Tab", "select the next / previous span"),
    (
        "[ ]",
        "move the start of the span or selection left / right by a word",
    ),
    (
        "{ }",
        "move the end of the span or selection left / right by a word",
    ),
    (
        "+",
        "add the selected text to the span selected before it, as another fragment (a quote interrupted by “she said”)",
    ),
    (
        "Ctrl+drag",
        "with a span selected: add the dragged text to it as another fragment",
    ),
    (
        "attribute keys",
        "on a selected span: set a value (f a n u for polarity...), or jump to a text field (e, t, w)",
    ),
    ("Enter", "on a selected span: edit its first text attribute"),
    (
        "Review tab",
        "Enter / A accept, X / Del reject, E edit first, J / K next / previous",
    ),
];

/// The shortcut sheet, open or not.
#[derive(Default)]
pub struct ShortcutSheet {
    pub open: bool,
}

impl ShortcutSheet {
    pub fn show(&mut self, ctx: &egui::Context, schema: Option<&Schema>) {
        egui::Window::new("Keyboard shortcuts")
            .open(&mut self.open)
            .collapsible(false)
            .default_height(ctx.content_rect().height() * 0.8)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| sheet_ui(ui, schema));
            });
    }
}

fn sheet_ui(ui: &mut egui::Ui, schema: Option<&Schema>) {
    let ctx = ui.ctx().clone();
    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
        let mut row = |keys: &str, what: &str| {
            ui.monospace(keys);
            ui.label(what);
            ui.end_row();
        };
        for (keys, what) in GESTURES {
            row(keys, what);
        }
        for l in schema.map_or(&[][..], |s| &s.labels) {
            if let Some(k) = l.key {
                row(
                    &k.to_string(),
                    &format!("tag the selection as {} (or relabel the span)", l.name),
                );
            }
        }
        for e in TABLE.iter().filter(|e| !e.help.is_empty()) {
            let keys = match (e.shortcut, e.key) {
                (Some(s), _) => ctx.format_shortcut(&s),
                (None, Some(k)) => k.to_owned(),
                (None, None) => continue,
            };
            row(&keys, e.help);
        }
    });
}
