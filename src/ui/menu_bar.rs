//! The top menu bar, generated from the command table ([`TABLE`]): every item is a
//! [`Command`] with the same shortcut as the keyboard. Only what depends on the moment is
//! written here: the recent projects, the status items, undo's description, checkboxes.

use crate::model::Status;
use crate::session::Session;
use crate::ui::commands::{Command, Entry, Menu, Needs, TABLE};
use std::path::PathBuf;

/// What the menus show besides the commands.
pub struct MenuState<'a> {
    pub session: Option<&'a Session>,
    pub current_doc: Option<crate::model::DocId>,
    pub recent: &'a [PathBuf],
    pub all_relations: bool,
    pub show_suggestions: bool,
    pub show_documents: bool,
    pub show_side: bool,
}

pub fn menu_bar_ui(ui: &mut egui::Ui, state: &MenuState<'_>, out: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        for menu in Menu::ALL {
            ui.menu_button(menu.title(), |ui| menu_ui(ui, menu, state, out));
        }
    });
}

fn menu_ui(ui: &mut egui::Ui, menu: Menu, state: &MenuState<'_>, out: &mut Vec<Command>) {
    if menu == Menu::Document
        && let Some(doc) = state.current_doc
    {
        for s in Status::ALL {
            if ui.button(format!("Mark as {}", s.name())).clicked() {
                out.push(Command::SetStatus(doc, s));
            }
        }
    }
    for entry in TABLE.iter().filter(|e| e.menu == Some(menu)) {
        if entry.separator {
            ui.separator();
        }
        entry_ui(ui, entry, state, out);
        if entry.command == Command::Open {
            recent_ui(ui, state.recent, out);
        }
    }
    if menu == Menu::View {
        ui.separator();
        egui::widgets::global_theme_preference_buttons(ui);
    }
}

/// One item: a checkbox for what is on or off, a button otherwise.
fn entry_ui(ui: &mut egui::Ui, entry: &Entry, state: &MenuState<'_>, out: &mut Vec<Command>) {
    let checked = match entry.command {
        Command::ToggleAllRelations => Some(state.all_relations),
        Command::ToggleSuggestions => Some(state.show_suggestions),
        Command::ToggleDocumentList => Some(state.show_documents),
        Command::ToggleSidePanel => Some(state.show_side),
        _ => None,
    };
    if let Some(mut on) = checked {
        if ui.checkbox(&mut on, entry.text).clicked() {
            out.push(entry.command.clone());
        }
        return;
    }
    let history = state.session.map(Session::history);
    let (text, enabled) = match entry.command {
        Command::Undo => (
            history
                .and_then(|h| h.undo_description())
                .map(|d| format!("Undo {d}")),
            history.is_some_and(|h| h.can_undo()),
        ),
        Command::Redo => (
            history
                .and_then(|h| h.redo_description())
                .map(|d| format!("Redo {d}")),
            history.is_some_and(|h| h.can_redo()),
        ),
        _ => (
            None,
            entry.needs == Needs::Nothing || state.session.is_some(),
        ),
    };
    let keys = match (entry.shortcut, entry.key) {
        (Some(s), _) => ui.ctx().format_shortcut(&s),
        (None, Some(k)) => k.to_owned(),
        (None, None) => String::new(),
    };
    let button = egui::Button::new(text.as_deref().unwrap_or(entry.text)).shortcut_text(keys);
    if ui.add_enabled(enabled, button).clicked() {
        out.push(entry.command.clone());
    }
}

fn recent_ui(ui: &mut egui::Ui, recent: &[PathBuf], out: &mut Vec<Command>) {
    ui.menu_button("Open recent", |ui| {
        if recent.is_empty() {
            ui.label("No recent projects");
        }
        for p in recent {
            if ui.button(p.display().to_string()).clicked() {
                out.push(Command::OpenPath(p.clone()));
            }
        }
    });
}
