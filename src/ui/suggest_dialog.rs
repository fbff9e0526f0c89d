//! Suggest → Run suggesters…: pick suggesters, run them off the UI thread with a progress
//! bar and a Cancel button; the suggestions arrive as one undoable edit.

use crate::suggest::Suggester;
use egui::RichText;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The dialog's choices.
#[derive(Clone, Debug)]
pub struct SuggestDialog {
    pub quotes: bool,
    pub matches: bool,
    pub gazetteer: String,
    pub predictions: String,
    pub label_studio: String,
}

impl Default for SuggestDialog {
    fn default() -> Self {
        Self {
            quotes: true,
            matches: true,
            gazetteer: String::new(),
            predictions: String::new(),
            label_studio: String::new(),
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
    Run(Vec<Suggester>),
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
        ui.checkbox(&mut dialog.quotes, "Quotes: speakers and what they said (quotation marks, reporting verbs)");
        ui.checkbox(&mut dialog.matches, "Matches: texts already tagged somewhere, everywhere else they occur");
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
        ui.label(RichText::new("Suggestions go into their own layer; nothing counts as an annotation until you accept it. Ctrl+Z removes them all.").weak().small());
        ui.horizontal(|ui| {
            let list = dialog.suggesters();
            if ui.add_enabled(!list.is_empty(), egui::Button::new("Run")).clicked() {
                action = Some(SuggestAction::Run(list));
            }
            if ui.button("Close").clicked() {
                action = Some(SuggestAction::Close);
            }
        });
    });
    if !open && action.is_none() {
        action = Some(if running.is_some() {
            SuggestAction::Cancel
        } else {
            SuggestAction::Close
        });
    }
    action
}
