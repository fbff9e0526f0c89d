//! Top menu bar. Every item is a [`Command`], with the same shortcut as the keyboard.

use crate::model::Status;
use crate::session::Session;
use crate::ui::commands::Command;
use std::path::PathBuf;

fn item(ui: &mut egui::Ui, text: &str, command: Command, enabled: bool, out: &mut Vec<Command>) {
    let shortcut = command.shortcut_text(ui.ctx());
    if ui
        .add_enabled(enabled, egui::Button::new(text).shortcut_text(shortcut))
        .clicked()
    {
        out.push(command);
    }
}

/// What the menus show besides the commands.
pub struct MenuState<'a> {
    pub session: Option<&'a Session>,
    pub current_doc: Option<crate::model::DocId>,
    pub recent: &'a [PathBuf],
    pub all_relations: bool,
    pub show_suggestions: bool,
}

pub fn menu_bar_ui(
    ui: &mut egui::Ui,
    state: &MenuState<'_>,
    show_help: &mut bool,
    out: &mut Vec<Command>,
) {
    let (session, current_doc, recent) = (state.session, state.current_doc, state.recent);
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            item(
                ui,
                "New project from folder…",
                Command::NewFromFolder,
                true,
                out,
            );
            item(
                ui,
                "New project from JSONL…",
                Command::NewFromJsonl,
                true,
                out,
            );
            item(ui, "Open…", Command::Open, true, out);
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
            ui.separator();
            item(ui, "Import…", Command::OpenImport, true, out);
            item(ui, "Export…", Command::OpenExport, session.is_some(), out);
            ui.separator();
            item(ui, "Save", Command::Save, session.is_some(), out);
            item(ui, "Save as…", Command::SaveAs, session.is_some(), out);
            ui.separator();
            item(ui, "Quit", Command::Quit, true, out);
        });
        ui.menu_button("Edit", |ui| {
            let history = session.map(|s| &s.history);
            let undo = history
                .and_then(|h| h.undo_description())
                .map_or("Undo".to_owned(), |d| format!("Undo {d}"));
            let redo = history
                .and_then(|h| h.redo_description())
                .map_or("Redo".to_owned(), |d| format!("Redo {d}"));
            item(
                ui,
                &undo,
                Command::Undo,
                history.is_some_and(|h| h.can_undo()),
                out,
            );
            item(
                ui,
                &redo,
                Command::Redo,
                history.is_some_and(|h| h.can_redo()),
                out,
            );
            ui.separator();
            if ui
                .add(egui::Button::new("Delete span").shortcut_text("Del"))
                .clicked()
            {
                out.push(Command::DeleteSpan);
            }
            if ui
                .add(egui::Button::new("Clear selection").shortcut_text("Esc"))
                .clicked()
            {
                out.push(Command::ClearSelection);
            }
            ui.separator();
            let has = session.is_some();
            item(
                ui,
                "Find in document…",
                Command::OpenSearch { corpus: false },
                has,
                out,
            );
            item(
                ui,
                "Find in all documents…",
                Command::OpenSearch { corpus: true },
                has,
                out,
            );
            item(ui, "Next hit", Command::NextHit, has, out);
            item(ui, "Previous hit", Command::PreviousHit, has, out);
        });
        ui.menu_button("Document", |ui| {
            if let Some(doc) = current_doc {
                for s in Status::ALL {
                    if ui.button(format!("Mark as {}", s.name())).clicked() {
                        out.push(Command::SetStatus(doc, s));
                    }
                }
                ui.separator();
            }
            item(
                ui,
                "Done and next",
                Command::DoneAndNext,
                current_doc.is_some(),
                out,
            );
            item(
                ui,
                "Next document",
                Command::NextDocument,
                current_doc.is_some(),
                out,
            );
            item(
                ui,
                "Previous document",
                Command::PreviousDocument,
                current_doc.is_some(),
                out,
            );
        });
        ui.menu_button("Suggest", |ui| {
            item(
                ui,
                "Run suggesters…",
                Command::OpenSuggest,
                session.is_some(),
                out,
            );
            let mut shown = state.show_suggestions;
            if ui.checkbox(&mut shown, "Show suggestions").clicked() {
                out.push(Command::ToggleSuggestions);
            }
            if ui
                .add_enabled(
                    session.is_some(),
                    egui::Button::new("Review next suggestion").shortcut_text("J"),
                )
                .clicked()
            {
                out.push(Command::Review(crate::ui::commands::ReviewKey::Next));
            }
        });
        ui.menu_button("View", |ui| {
            let mut all = state.all_relations;
            if ui
                .checkbox(&mut all, "Show all relations")
                .on_hover_text("Otherwise only those of the selected span")
                .clicked()
            {
                out.push(Command::ToggleAllRelations);
            }
            item(
                ui,
                "Schema…",
                Command::OpenSchemaEditor,
                session.is_some(),
                out,
            );
            item(
                ui,
                "Statistics…",
                Command::OpenStatistics,
                session.is_some(),
                out,
            );
            item(
                ui,
                "Consistency report…",
                Command::OpenConsistency,
                session.is_some(),
                out,
            );
            ui.separator();
            egui::widgets::global_theme_preference_buttons(ui);
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts").clicked() {
                *show_help = true;
            }
        });
    });
}

/// The keyboard reference window.
pub fn shortcuts_window_ui(
    ctx: &egui::Context,
    open: &mut bool,
    schema: Option<&crate::model::Schema>,
) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                let mut row = |keys: &str, what: &str| {
                    ui.monospace(keys);
                    ui.label(what);
                    ui.end_row();
                };
                row("drag", "select text, snapped to whole words");
                row(
                    "Alt+drag",
                    "select exact characters (never half a grapheme)",
                );
                row("double-click", "select a word");
                row(
                    "click a span",
                    "select it (its label chip or underline picks one of nested spans)",
                );
                if let Some(schema) = schema {
                    for l in &schema.labels {
                        if let Some(k) = l.key {
                            row(
                                &k.to_string(),
                                &format!("tag the selection as {} (or relabel the span)", l.name),
                            );
                        }
                    }
                }
                row("Del / Backspace", "delete the selected span (and its relations)");
                row("Esc", "clear the selection");
                row("arrows, Ctrl+arrows", "move the caret by character, by word");
                row("Home / End, Ctrl+Home / End", "start / end of the line, of the document");
                row("Shift + any of those", "select text with the keyboard");
                row("Tab / Shift+Tab", "select the next / previous span");
                row("[ ]", "move the start of the span or selection left / right by a word");
                row("{ }", "move the end of the span or selection left / right by a word");
                row("attribute keys", "on a selected span: set a value (f a n u for polarity...), or jump to a text field (e, t, w)");
                row("Enter", "on a selected span: edit its first text attribute");
                row("R", "link the selected span: Tab / arrows pick the other span, type to filter, Enter links");
                for (s, c) in crate::ui::commands::SHORTCUTS {
                    let what = match c {
                        Command::Save => "save",
                        Command::SaveAs => "save as",
                        Command::Open => "open a project",
                        Command::NewFromFolder => "new project from a folder of .txt files",
                        Command::Quit => "quit",
                        Command::Undo => "undo",
                        Command::Redo => "redo",
                        Command::DoneAndNext => "mark the document done, open the next",
                        Command::NextDocument => "next document",
                        Command::PreviousDocument => "previous document",
                        Command::TagAllMatches { corpus: false } => "tag all matches of the span in the document",
                        Command::TagAllMatches { corpus: true } => "tag all matches of the span in the corpus",
                        Command::OpenSchemaEditor => "edit the schema",
                        Command::OpenSearch { corpus: false } => "search the document (text, label:, attributes)",
                        Command::OpenSearch { corpus: true } => "search all documents",
                        Command::NextHit => "next search hit",
                        Command::PreviousHit => "previous search hit",
                        _ => continue,
                    };
                    row(&ctx.format_shortcut(s), what);
                }
            });
        });
}
