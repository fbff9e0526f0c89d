//! Suggest → Run suggesters…: pick suggesters, run them off the UI thread with a progress
//! bar and a Cancel button; the suggestions arrive as one undoable edit.
//!
//! The project's own command is one of the choices. A command that came with the project
//! (not typed here) runs only after the user allowed it on this machine: the dialog shows
//! the command and asks, and the answer is kept outside the project (`suggest::consent`).

use crate::suggest::Suggester;
use egui::RichText;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The dialog's choices.
#[derive(Clone, Debug)]
pub struct SuggestDialog {
    pub quotes: bool,
    pub matches: bool,
    /// The learned suggester (and retraining as the user annotates, once it ran).
    pub learned: bool,
    pub gazetteer: String,
    pub predictions: String,
    pub label_studio: String,
    /// Run the project's command.
    pub run_command: bool,
    /// The command, as the project has it or as typed here.
    pub command: String,
    /// A command waiting for the user's consent, and the other suggesters of the run.
    pub asking: Option<(String, Vec<Suggester>)>,
}

impl Default for SuggestDialog {
    fn default() -> Self {
        Self {
            quotes: true,
            matches: true,
            learned: false,
            gazetteer: String::new(),
            predictions: String::new(),
            label_studio: String::new(),
            run_command: false,
            command: String::new(),
            asking: None,
        }
    }
}

impl SuggestDialog {
    /// The dialog for a project, with its command filled in (not ticked: running it is a
    /// choice made each time).
    pub fn for_command(command: Option<&str>) -> Self {
        Self {
            command: command.unwrap_or_default().to_owned(),
            ..Self::default()
        }
    }
}

/// A run in progress: shared with the worker thread.
#[derive(Clone, Default)]
pub struct SuggestProgress {
    /// Thousandths done.
    pub done: Arc<AtomicU32>,
    pub cancel: Arc<AtomicBool>,
}

impl SuggestProgress {
    pub fn fraction(&self) -> f32 {
        self.done.load(Ordering::Relaxed) as f32 / 1000.0
    }
}

pub enum SuggestAction {
    Close,
    /// Run these suggesters, and the command if there is one (after checking consent).
    Run {
        suggesters: Vec<Suggester>,
        command: Option<String>,
    },
    /// The user allowed the command in [`SuggestDialog::asking`].
    Allow,
    /// The user did not allow it.
    Deny,
    Cancel,
}

impl SuggestDialog {
    fn suggesters(&self) -> Vec<Suggester> {
        let mut out = Vec::new();
        if self.quotes {
            out.push(Suggester::Quotes);
        }
        if self.matches {
            out.push(Suggester::Matches);
        }
        if self.learned {
            out.push(Suggester::Learned { project_file: None });
        }
        let path = |s: &str| (!s.trim().is_empty()).then(|| std::path::PathBuf::from(s.trim()));
        out.extend(path(&self.gazetteer).map(Suggester::Gazetteer));
        out.extend(path(&self.predictions).map(Suggester::Predictions));
        out.extend(path(&self.label_studio).map(Suggester::LabelStudio));
        out
    }
}

pub fn suggest_dialog_ui(
    ctx: &egui::Context,
    dialog: &mut SuggestDialog,
    running: Option<&SuggestProgress>,
) -> Option<SuggestAction> {
    let mut action = None;
    let mut open = true;
    egui::Window::new("Suggest").open(&mut open).collapsible(false).resizable(false).default_width(520.0).show(ctx, |ui| {
        if let Some(p) = running {
            ui.label("Running suggesters…");
            ui.add(egui::ProgressBar::new(p.fraction()).show_percentage());
            if ui.button("Cancel").clicked() {
                action = Some(SuggestAction::Cancel);
            }
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
            return;
        }
        if let Some((command, _)) = &dialog.asking {
            consent_ui(ui, command, &mut action);
            return;
        }
        ui.checkbox(&mut dialog.quotes, "Quotes: speakers and what they said (quotation marks, reporting verbs)");
        ui.checkbox(&mut dialog.matches, "Matches: texts already tagged somewhere, everywhere else they occur");
        ui.checkbox(&mut dialog.learned, "Learned: a model trained on this project's spans, retrained as you annotate");
        for (field, name, hint) in [
            (&mut dialog.gazetteer, "Gazetteer", "a list of names, one per line (name<TAB>label)"),
            (&mut dialog.predictions, "Model predictions", "JSONL: {\"id\" or \"text\", \"spans\": [{start, end, label, score}]} (code points)"),
            (&mut dialog.label_studio, "Label Studio export", "its predictions become suggestions"),
        ] {
            ui.horizontal(|ui| {
                ui.label(format!("{name}:"));
                ui.add(egui::TextEdit::singleline(field).desired_width(320.0).hint_text(hint)).accessible_name(name);
            });
        }
        ui.separator();
        ui.checkbox(&mut dialog.run_command, "Project command: your own model, run on this computer");
        ui.horizontal(|ui| {
            ui.add_space(24.0);
            let field = egui::TextEdit::singleline(&mut dialog.command)
                .desired_width(420.0)
                .font(egui::TextStyle::Monospace)
                .hint_text("python3 predict.py");
            if ui.add(field).accessible_name("Command").changed() && !dialog.command.trim().is_empty() {
                dialog.run_command = true;
            }
        });
        ui.label(RichText::new("Runs in the project's folder; reads documents as JSONL on stdin ({\"id\", \"text\", \"meta\"}), writes predictions as JSONL on stdout, like model predictions above.").weak().small());
        ui.separator();
        ui.label(RichText::new("Suggestions go into their own layer; nothing counts as an annotation until you accept it. Ctrl+Z removes them all.").weak().small());
        ui.horizontal(|ui| {
            let suggesters = dialog.suggesters();
            let command = (dialog.run_command && !dialog.command.trim().is_empty())
                .then(|| dialog.command.trim().to_owned());
            let any = !suggesters.is_empty() || command.is_some();
            if ui.add_enabled(any, egui::Button::new("Run")).clicked() {
                action = Some(SuggestAction::Run { suggesters, command });
            }
            if ui.button("Close").clicked() {
                action = Some(SuggestAction::Close);
            }
        });
    });
    if !open && action.is_none() {
        if dialog.asking.is_some() {
            return Some(SuggestAction::Deny);
        }
        action = Some(if running.is_some() {
            SuggestAction::Cancel
        } else {
            SuggestAction::Close
        });
    }
    action
}

/// The question asked before a project's command runs for the first time on this machine.
fn consent_ui(ui: &mut egui::Ui, command: &str, action: &mut Option<SuggestAction>) {
    ui.heading("Run this project's command?");
    ui.label("This project asks to run a command on your computer:");
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.add(egui::Label::new(RichText::new(command).monospace()).wrap());
    });
    ui.label(
        "It can do anything you can do: read and delete your files, use the network. Allow \
         it only if you trust whoever wrote this project, and you have read the command.",
    );
    ui.label(
        RichText::new(
            "Your answer is remembered on this computer, for this project file and this exact \
             command; it is never written into the project. A changed command asks again.",
        )
        .weak()
        .small(),
    );
    ui.horizontal(|ui| {
        if ui.button("Allow and run").clicked() {
            *action = Some(SuggestAction::Allow);
        }
        if ui.button("Don't run").clicked() {
            *action = Some(SuggestAction::Deny);
        }
    });
}
