//! Modal dialogs: errors, unsaved changes, Save As and New project. Each returns what the
//! user chose; the app acts on it.

use crate::ui::commands::Command;
use egui::RichText;

/// The dialog on screen, if any.
#[derive(Clone, Debug)]
pub enum Dialog {
    Error {
        title: String,
        message: String,
    },
    /// What an import or export did.
    Report {
        title: String,
        message: String,
    },
    /// Unsaved changes; `then` runs after Save or Discard.
    Unsaved {
        then: Command,
    },
    /// The project has changes a session that ended without saving left in its journal.
    Recover {
        changes: usize,
        /// Why not every change can come back (a torn last line), if so.
        note: Option<String>,
    },
    /// An edit that deletes annotations, waiting for a yes.
    Confirm {
        message: String,
        edit: Box<crate::model::Edit>,
    },
    SaveAs {
        path: String,
    },
    /// Open a project by typing its path (when no native file dialog is available).
    OpenProject {
        path: String,
        note: String,
    },
    NewProject {
        corpus: String,
        name: String,
        jsonl: bool,
    },
    /// A project whose corpus paths leave its folder: nothing outside is read until the
    /// user says so (a project received from someone else must not read arbitrary files).
    OutsideFolder {
        project: std::path::PathBuf,
        /// One line per folder outside, as the load reported it.
        folders: Vec<String>,
    },
}

/// What the user did in a dialog this frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogAction {
    Close,
    /// Replay the journal of the session that ended without saving.
    Restore,
    /// Set that journal aside.
    DiscardRecovery,
    SaveThen(Command),
    Apply(Box<crate::model::Edit>),
    DiscardThen(Command),
    SaveAs(String),
    CreateProject {
        corpus: String,
        name: String,
    },
    Open(String),
    /// Ask the native file dialog for a path to put in the field.
    BrowseSaveAs,
    BrowseCorpus {
        jsonl: bool,
    },
    /// Open this project, reading its corpus files outside its folder, and remember that
    /// the user allowed it.
    ReadOutside(std::path::PathBuf),
}

/// What Enter does in a dialog: its main button, when that button is enabled.
fn primary_action(dialog: &Dialog) -> Option<DialogAction> {
    match dialog {
        Dialog::Error { .. } | Dialog::Report { .. } => Some(DialogAction::Close),
        Dialog::Unsaved { then } => Some(DialogAction::SaveThen(then.clone())),
        // Bringing work back is the safe answer.
        Dialog::Recover { .. } => Some(DialogAction::Restore),
        // Deleting needs a click, not a reflex; so does reading files outside a project.
        Dialog::Confirm { .. } | Dialog::OutsideFolder { .. } => None,
        Dialog::SaveAs { path } => {
            (!path.trim().is_empty()).then(|| DialogAction::SaveAs(path.trim().to_owned()))
        }
        Dialog::OpenProject { path, .. } => {
            (!path.trim().is_empty()).then(|| DialogAction::Open(path.trim().to_owned()))
        }
        Dialog::NewProject { corpus, name, .. } => {
            (!corpus.trim().is_empty()).then(|| DialogAction::CreateProject {
                corpus: corpus.trim().to_owned(),
                name: name.trim().to_owned(),
            })
        }
    }
}

/// Gives a dialog's first text field the keyboard when nothing else has it, so the user can
/// type at once.
fn focus_first(ui: &egui::Ui, field: &egui::Response) {
    if ui.memory(|m| m.focused().is_none()) {
        field.request_focus();
    }
}

pub fn dialog_ui(ctx: &egui::Context, dialog: &mut Dialog) -> Option<DialogAction> {
    let mut action = None;
    let modal = egui::Modal::new(egui::Id::unique("marginalia-dialog")).show(ctx, |ui| {
        ui.set_max_width(620.0);
        match dialog {
            Dialog::Error { title, message } => {
                ui.heading(RichText::new(title.as_str()).color(ui.visuals().error_fg_color));
                ui.add_space(6.0);
                egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(message.as_str()).monospace()).wrap());
                });
                ui.add_space(6.0);
                ui.label(RichText::new("Nothing was changed on disk.").weak());
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() {
                        action = Some(DialogAction::Close);
                    }
                    if ui.button("Copy message").clicked() {
                        ui.ctx().copy_text(message.clone());
                    }
                });
            }
            Dialog::Report { title, message } => {
                ui.heading(title.as_str());
                egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(message.as_str()).monospace()).wrap());
                });
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() {
                        action = Some(DialogAction::Close);
                    }
                    if ui.button("Copy report").clicked() {
                        ui.ctx().copy_text(message.clone());
                    }
                });
            }
            Dialog::Unsaved { then } => {
                ui.heading("Save changes?");
                ui.label("This project has changes that are not saved.");
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        action = Some(DialogAction::SaveThen(then.clone()));
                    }
                    if ui.button("Don't save").clicked() {
                        action = Some(DialogAction::DiscardThen(then.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
            Dialog::Recover { changes, note } => {
                ui.heading("Restore unsaved changes?");
                ui.label(format!(
                    "Marginalia did not close properly last time. {} made after the last save \
                     can be restored from the journal.",
                    crate::model::text::plural(*changes, "change", "changes")
                ));
                if let Some(n) = note {
                    ui.label(RichText::new(n.as_str()).color(ui.visuals().warn_fg_color));
                }
                ui.label(
                    RichText::new(
                        "Restored changes are not saved yet: save to keep them. Discarded ones are \
                         kept aside as <project>.journal.discarded.",
                    )
                    .weak(),
                );
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        action = Some(DialogAction::Restore);
                    }
                    if ui.button("Discard them").clicked() {
                        action = Some(DialogAction::DiscardRecovery);
                    }
                });
            }
            Dialog::OutsideFolder { project, folders } => {
                ui.heading("Read files outside this project's folder?");
                ui.label(format!(
                    "{} reads corpus files from outside its own folder. A project received from \
                     someone else could read any file on this computer this way, so nothing was \
                     read yet:",
                    project.display()
                ));
                egui::ScrollArea::vertical().max_height(200.0).show(ui, |ui| {
                    for f in folders.iter() {
                        ui.add(egui::Label::new(RichText::new(f.as_str()).monospace()).wrap());
                    }
                });
                ui.label(
                    RichText::new("Read them only if you know where this project comes from.")
                        .weak(),
                );
                ui.horizontal(|ui| {
                    if ui.button("Read them and open").clicked() {
                        action = Some(DialogAction::ReadOutside(project.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
            Dialog::Confirm { message, edit } => {
                ui.heading("Delete annotations?");
                ui.label(message.as_str());
                ui.label(RichText::new("Ctrl+Z brings them back.").weak());
                ui.horizontal(|ui| {
                    if ui.button("Apply").clicked() {
                        action = Some(DialogAction::Apply(edit.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
            Dialog::SaveAs { path } => {
                ui.heading("Save project as");
                ui.horizontal(|ui| {
                    ui.label("File:");
                    let field = ui
                        .add(egui::TextEdit::singleline(path).desired_width(420.0).hint_text("/path/to/project.ron"))
                        .accessible_name("Project file");
                    focus_first(ui, &field);
                    if ui.button("Browse…").clicked() {
                        action = Some(DialogAction::BrowseSaveAs);
                    }
                });
                ui.horizontal(|ui| {
                    if ui.add_enabled(!path.trim().is_empty(), egui::Button::new("Save")).clicked() {
                        action = Some(DialogAction::SaveAs(path.trim().to_owned()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
            Dialog::OpenProject { path, note } => {
                ui.heading("Open project");
                ui.label(RichText::new(note.as_str()).weak());
                ui.horizontal(|ui| {
                    ui.label("File:");
                    let field = ui
                        .add(egui::TextEdit::singleline(path).desired_width(420.0).hint_text("/path/to/project.ron"))
                        .accessible_name("Project file");
                    focus_first(ui, &field);
                });
                ui.horizontal(|ui| {
                    if ui.add_enabled(!path.trim().is_empty(), egui::Button::new("Open")).clicked() {
                        action = Some(DialogAction::Open(path.trim().to_owned()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
            Dialog::NewProject { corpus, name, jsonl } => {
                ui.heading(if *jsonl { "New project from a JSONL file" } else { "New project from a folder" });
                ui.label(
                    RichText::new(if *jsonl {
                        "One document per line: {\"id\"?, \"text\", \"meta\"?}. The text stays in the file."
                    } else {
                        "Every .txt file in the folder (and its subfolders) becomes a document. The files are never modified."
                    })
                    .weak(),
                );
                egui::Grid::new("new-project").num_columns(3).show(ui, |ui| {
                    ui.label(if *jsonl { "JSONL file:" } else { "Folder:" });
                    let field = ui.add(egui::TextEdit::singleline(corpus).desired_width(380.0)).accessible_name("Corpus path");
                    focus_first(ui, &field);
                    if ui.button("Browse…").clicked() {
                        action = Some(DialogAction::BrowseCorpus { jsonl: *jsonl });
                    }
                    ui.end_row();
                    ui.label("Name:");
                    ui.add(egui::TextEdit::singleline(name).desired_width(380.0).hint_text("from the folder name")).accessible_name("Project name");
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    if ui.add_enabled(!corpus.trim().is_empty(), egui::Button::new("Create")).clicked() {
                        action = Some(DialogAction::CreateProject {
                            corpus: corpus.trim().to_owned(),
                            name: name.trim().to_owned(),
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(DialogAction::Close);
                    }
                });
            }
        }
    });
    if action.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = primary_action(dialog);
    }
    if action.is_none() && modal.should_close() {
        action = Some(DialogAction::Close);
    }
    action
}
