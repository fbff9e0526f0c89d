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
        /// The journal was written for another version of the file: what each change was,
        /// for the user to review before anything is applied.
        other_version: Option<Vec<String>>,
    },
    /// The project file changed on disk (another program saved it) while this window has
    /// changes of its own: reload with them on top, save elsewhere, or overwrite on purpose.
    ChangedOnDisk {
        /// How many changes this window made since its last save.
        unsaved: usize,
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
    /// "Tag all matches": the hits, to tick before anything is tagged.
    TagAll(Box<crate::ui::tag_all_preview::TagAllDialog>),
    /// Edit → Annotator name…: who annotates on this machine.
    /// With `team`: opening that team project, which needs the name to find (or make) the
    /// annotator's own file.
    Annotator {
        name: String,
        team: Option<std::path::PathBuf>,
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
    /// Read the file as it is on disk now and apply this window's changes on top.
    Reload,
    /// Open the Save As dialog.
    SaveAsDialog,
    /// Save over a file another program changed, on purpose.
    Overwrite,
    /// Ask the native file dialog for a path to put in the field.
    BrowseSaveAs,
    BrowseCorpus {
        jsonl: bool,
    },
    /// Open this project, reading its corpus files outside its folder, and remember that
    /// the user allowed it.
    ReadOutside(std::path::PathBuf),
    /// Record new spans under this name (empty: no name) on this machine.
    SetAnnotator(String),
    /// Open a team's own file (schema, corpus) instead of an annotator's file in it.
    OpenTeamFile(std::path::PathBuf),
    /// Tag these places with `label` and `attrs` (the ticked hits of "Tag all").
    TagAll {
        ranges: Vec<(crate::model::DocId, std::ops::Range<usize>)>,
        label: String,
        attrs: crate::model::Attrs,
        corpus: bool,
    },
}

/// What Enter does in a dialog: its main button, when that button is enabled.
fn primary_action(dialog: &Dialog) -> Option<DialogAction> {
    match dialog {
        Dialog::Error { .. } | Dialog::Report { .. } => Some(DialogAction::Close),
        Dialog::Unsaved { then } => Some(DialogAction::SaveThen(then.clone())),
        // Bringing work back is the safe answer (after a look, for another version's edits).
        Dialog::Recover {
            other_version: None,
            ..
        } => Some(DialogAction::Restore),
        Dialog::Recover { .. } => None,
        // Keeping both is the safe answer.
        Dialog::ChangedOnDisk { .. } => Some(DialogAction::Reload),
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
        Dialog::TagAll(d) => d.apply_action(),
        Dialog::Annotator { name, .. } => {
            let name = name.trim();
            (!name.is_empty()).then(|| DialogAction::SetAnnotator(name.to_owned()))
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
        action = body_ui(ui, dialog);
    });
    if action.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = primary_action(dialog);
    }
    if action.is_none() && modal.should_close() {
        action = Some(DialogAction::Close);
    }
    action
}

/// A row of buttons; the action of the one clicked.
fn buttons_ui(ui: &mut egui::Ui, buttons: Vec<(&str, bool, DialogAction)>) -> Option<DialogAction> {
    ui.horizontal(|ui| {
        let mut clicked = None;
        for (text, enabled, action) in buttons {
            if ui.add_enabled(enabled, egui::Button::new(text)).clicked() {
                clicked = Some(action);
            }
        }
        clicked
    })
    .inner
}

fn body_ui(ui: &mut egui::Ui, dialog: &mut Dialog) -> Option<DialogAction> {
    let close = || ("Cancel", true, DialogAction::Close);
    match dialog {
        Dialog::Error { title, message } => message_ui(ui, title, message, true),
        Dialog::Report { title, message } => message_ui(ui, title, message, false),
        Dialog::Unsaved { then } => {
            ui.heading("Save changes?");
            ui.label("This project has changes that are not saved.");
            buttons_ui(
                ui,
                vec![
                    ("Save", true, DialogAction::SaveThen(then.clone())),
                    ("Don't save", true, DialogAction::DiscardThen(then.clone())),
                    close(),
                ],
            )
        }
        Dialog::Recover {
            changes,
            note,
            other_version,
        } => recover_ui(ui, *changes, note.as_deref(), other_version.as_deref()),
        Dialog::ChangedOnDisk { unsaved } => changed_on_disk_ui(ui, *unsaved),
        Dialog::OutsideFolder { project, folders } => outside_folder_ui(ui, project, folders),
        Dialog::TagAll(d) => crate::ui::tag_all_preview::tag_all_ui(ui, d),
        Dialog::Confirm { message, edit } => {
            ui.heading("Delete annotations?");
            ui.label(message.as_str());
            ui.label(RichText::new("Ctrl+Z brings them back.").weak());
            buttons_ui(
                ui,
                vec![("Apply", true, DialogAction::Apply(edit.clone())), close()],
            )
        }
        Dialog::SaveAs { path } => {
            ui.heading("Save project as");
            let browse = path_field_ui(ui, path, true);
            let save = DialogAction::SaveAs(path.trim().to_owned());
            let chosen = buttons_ui(ui, vec![("Save", !path.trim().is_empty(), save), close()]);
            browse.or(chosen)
        }
        Dialog::OpenProject { path, note } => {
            ui.heading("Open project");
            ui.label(RichText::new(note.as_str()).weak());
            path_field_ui(ui, path, false);
            let open = DialogAction::Open(path.trim().to_owned());
            buttons_ui(ui, vec![("Open", !path.trim().is_empty(), open), close()])
        }
        Dialog::NewProject {
            corpus,
            name,
            jsonl,
        } => new_project_ui(ui, corpus, name, *jsonl),
        Dialog::Annotator { name, team } => {
            ui.heading("Annotator name");
            if let Some(team) = team {
                let file = team.file_name().unwrap_or_default().to_string_lossy();
                ui.label(format!(
                    "{file} is a team project: each annotator works in a file of their own \
                     beside it ({}), which git merges without conflicts. Who annotates here?",
                    crate::persist::team::members_dir(team)
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                ));
            }
            ui.label(
                RichText::new(
                    "New spans, accepted suggestions and fixes record this name; teams compare \
                     annotators by it. Kept on this machine.",
                )
                .weak(),
            );
            let field = ui.add(
                egui::TextEdit::singleline(name)
                    .hint_text("your name")
                    .desired_width(280.0),
            );
            if !field.has_focus() && !field.lost_focus() {
                field.request_focus();
            }
            let set = DialogAction::SetAnnotator(name.trim().to_owned());
            match team {
                Some(team) => {
                    let named = !name.trim().is_empty();
                    let own = DialogAction::OpenTeamFile(team.clone());
                    buttons_ui(
                        ui,
                        vec![
                            ("Annotate in my file", named, set),
                            ("Open the team's file", true, own),
                            close(),
                        ],
                    )
                }
                None => buttons_ui(ui, vec![("Save", true, set), close()]),
            }
        }
    }
}

/// An error (nothing was changed on disk) or a report, scrollable, with a copy button.
fn message_ui(ui: &mut egui::Ui, title: &str, message: &str, error: bool) -> Option<DialogAction> {
    if error {
        ui.heading(RichText::new(title).color(ui.visuals().error_fg_color));
        ui.add_space(6.0);
    } else {
        ui.heading(title);
    }
    egui::ScrollArea::vertical()
        .max_height(320.0)
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(message).monospace()).wrap());
        });
    if error {
        ui.add_space(6.0);
        ui.label(RichText::new("Nothing was changed on disk.").weak());
    }
    ui.horizontal(|ui| {
        let ok = ui.button("OK").clicked();
        let copy = if error { "Copy message" } else { "Copy report" };
        if ui.button(copy).clicked() {
            ui.ctx().copy_text(message.to_owned());
        }
        ok.then_some(DialogAction::Close)
    })
    .inner
}

fn recover_ui(
    ui: &mut egui::Ui,
    changes: usize,
    note: Option<&str>,
    other_version: Option<&[String]>,
) -> Option<DialogAction> {
    ui.heading("Restore unsaved changes?");
    ui.label(format!(
        "Marginalia did not close properly last time. {} made after the last save \
         can be restored from the journal.",
        crate::model::text::plural(changes, "change", "changes")
    ));
    if let Some(list) = other_version {
        ui.label(
            RichText::new(
                "They were made on another version of this file: it changed since (another \
                 program saved it). Look at them before restoring; each is checked, and \
                 restoring stops at the first that no longer applies.",
            )
            .color(ui.visuals().warn_fg_color),
        );
        egui::ScrollArea::vertical()
            .max_height(160.0)
            .show(ui, |ui| {
                for line in list {
                    ui.label(RichText::new(line.as_str()).monospace());
                }
            });
    }
    if let Some(n) = note {
        ui.label(RichText::new(n).color(ui.visuals().warn_fg_color));
    }
    ui.label(
        RichText::new(
            "Restored changes are not saved yet: save to keep them. Discarded ones are \
             kept aside as <project>.journal.discarded.",
        )
        .weak(),
    );
    buttons_ui(
        ui,
        vec![
            ("Restore", true, DialogAction::Restore),
            ("Discard them", true, DialogAction::DiscardRecovery),
        ],
    )
}

fn changed_on_disk_ui(ui: &mut egui::Ui, unsaved: usize) -> Option<DialogAction> {
    ui.heading("The file changed on disk");
    ui.label(format!(
        "Another program saved this project since it was opened here. This window has {} \
         of its own. Nothing was written.",
        crate::model::text::plural(unsaved, "unsaved change", "unsaved changes")
    ));
    ui.label(
        RichText::new(
            "Reload reads the file as it is now and applies this window's changes on top \
             (each is checked; Ctrl+Z undoes them one by one). Overwrite throws away what \
             the other program wrote.",
        )
        .weak(),
    );
    buttons_ui(
        ui,
        vec![
            ("Reload and apply my changes", true, DialogAction::Reload),
            ("Save as…", true, DialogAction::SaveAsDialog),
            ("Overwrite", true, DialogAction::Overwrite),
            ("Cancel", true, DialogAction::Close),
        ],
    )
}

fn outside_folder_ui(
    ui: &mut egui::Ui,
    project: &std::path::Path,
    folders: &[String],
) -> Option<DialogAction> {
    ui.heading("Read files outside this project's folder?");
    ui.label(format!(
        "{} reads corpus files from outside its own folder. A project received from \
         someone else could read any file on this computer this way, so nothing was \
         read yet:",
        project.display()
    ));
    egui::ScrollArea::vertical()
        .max_height(200.0)
        .show(ui, |ui| {
            for f in folders {
                ui.add(egui::Label::new(RichText::new(f.as_str()).monospace()).wrap());
            }
        });
    ui.label(RichText::new("Read them only if you know where this project comes from.").weak());
    buttons_ui(
        ui,
        vec![
            (
                "Read them and open",
                true,
                DialogAction::ReadOutside(project.to_owned()),
            ),
            ("Cancel", true, DialogAction::Close),
        ],
    )
}

/// The project file field (with a Browse button for Save As, which it returns).
fn path_field_ui(ui: &mut egui::Ui, path: &mut String, browse: bool) -> Option<DialogAction> {
    ui.horizontal(|ui| {
        ui.label("File:");
        let field = ui
            .add(
                egui::TextEdit::singleline(path)
                    .desired_width(420.0)
                    .hint_text("/path/to/project.ron"),
            )
            .accessible_name("Project file");
        focus_first(ui, &field);
        (browse && ui.button("Browse…").clicked()).then_some(DialogAction::BrowseSaveAs)
    })
    .inner
}

/// A field's label in a column of its own, so the fields of a dialog line up.
fn field_label_ui(ui: &mut egui::Ui, text: &str) {
    let size = egui::vec2(80.0, ui.spacing().interact_size.y);
    ui.allocate_ui_with_layout(
        size,
        egui::Layout::right_to_left(egui::Align::Center),
        |ui| {
            ui.set_min_size(size);
            ui.label(text);
        },
    );
}

fn new_project_ui(
    ui: &mut egui::Ui,
    corpus: &mut String,
    name: &mut String,
    jsonl: bool,
) -> Option<DialogAction> {
    ui.heading(if jsonl {
        "New project from a JSONL file"
    } else {
        "New project from a folder"
    });
    ui.label(
        RichText::new(if jsonl {
            "One document per line: {\"id\"?, \"text\", \"meta\"?}. The text stays in the file."
        } else {
            "Every .txt file in the folder (and its subfolders) becomes a document. The files are never modified."
        })
        .weak(),
    );
    // Rows rather than a grid: in a modal's first frame a grid's cells are measured before
    // the fields, and the fields came out about 40 px wide.
    let mut browse = None;
    ui.horizontal(|ui| {
        field_label_ui(ui, if jsonl { "JSONL file:" } else { "Folder:" });
        let field = ui
            .add(egui::TextEdit::singleline(corpus).desired_width(380.0))
            .accessible_name("Corpus path");
        focus_first(ui, &field);
        if ui.button("Browse…").clicked() {
            browse = Some(DialogAction::BrowseCorpus { jsonl });
        }
    });
    ui.horizontal(|ui| {
        field_label_ui(ui, "Name:");
        ui.add(
            egui::TextEdit::singleline(name)
                .desired_width(380.0)
                .hint_text("from the folder name"),
        )
        .accessible_name("Project name");
    });
    let create = DialogAction::CreateProject {
        corpus: corpus.trim().to_owned(),
        name: name.trim().to_owned(),
    };
    let chosen = buttons_ui(
        ui,
        vec![
            ("Create", !corpus.trim().is_empty(), create),
            ("Cancel", true, DialogAction::Close),
        ],
    );
    browse.or(chosen)
}
