//! Running suggesters from the window: the Suggest window, the run off the UI thread with
//! its progress and cancel button, and the proposals added as one undoable edit. A project
//! command runs only with consent (`consent.rs`).

use super::{MarginaliaApp, SideTab};
use crate::model::Edit;

impl MarginaliaApp {
    /// The Suggest window and the run it started: progress, cancel, and the result applied
    /// as one edit.
    pub(super) fn suggest_window(&mut self, ctx: &egui::Context) {
        use crate::ui::suggest_dialog::{SuggestAction, suggest_dialog_ui};
        if let Some((_, task)) = &self.tasks.suggest
            && let Some(result) = task.poll()
        {
            self.tasks.suggest = None;
            self.panels.suggest_dialog = None;
            match result {
                Ok((proposals, mut report)) => {
                    let Some(session) = self.session.as_ref() else {
                        return;
                    };
                    let edit = crate::suggest::suggestions_edit(
                        session.project(),
                        &proposals,
                        &mut report,
                    );
                    let applied = edit.is_some_and(|e| self.edit(e));
                    if report.get(crate::suggest::learned::TRAINED_ON) > 0 {
                        // It goes on learning from what the user decides next (its model,
                        // just cached, is picked up without training again).
                        self.keep_learning(true);
                    }
                    let title = if applied {
                        "Suggestions"
                    } else {
                        "No new suggestions"
                    };
                    if applied {
                        self.panels.side = SideTab::Review;
                        self.panels.review.current = None;
                        self.review_step(true);
                    }
                    self.dialog = Some(crate::ui::dialogs::Dialog::Report {
                        title: title.to_owned(),
                        message: report.to_string(),
                    });
                }
                Err(e) => self.show_error("Suggesters failed", &e.to_string()),
            }
        }
        let running = self.tasks.suggest.as_ref().map(|(p, _)| p.clone());
        let Some(dialog) = &mut self.panels.suggest_dialog else {
            return;
        };
        match suggest_dialog_ui(ctx, dialog, running.as_ref()) {
            Some(SuggestAction::Close) => self.panels.suggest_dialog = None,
            Some(SuggestAction::Cancel) => {
                if let Some(p) = &running {
                    p.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Some(SuggestAction::Run {
                suggesters,
                command,
            }) => match command {
                None => self.start_suggest(ctx, suggesters),
                Some(command) => self.run_with_command(ctx, suggesters, command),
            },
            Some(SuggestAction::Allow) => {
                if let Some((command, suggesters)) = dialog.asking.take() {
                    self.allow_command(&command);
                    self.start_with_command(ctx, suggesters, command);
                }
            }
            Some(SuggestAction::Deny) => {
                dialog.asking = None;
                self.say("The command did not run.".to_owned());
            }
            None => {}
        }
    }

    /// Runs the suggesters off the UI thread, with progress in the Suggest window.
    fn start_suggest(&mut self, ctx: &egui::Context, list: Vec<crate::suggest::Suggester>) {
        use crate::ui::suggest_dialog::SuggestProgress;
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let project = session.project().clone();
        let list: Vec<_> = list
            .into_iter()
            .map(|s| s.for_project(session.path()))
            .collect();
        let progress = SuggestProgress::default();
        let shared = progress.clone();
        let waker = ctx.clone();
        let task = crate::ui::background::Task::spawn(ctx, "Running suggesters…", move || {
            let report_progress = |f: f32| {
                shared
                    .done
                    .store((f * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
                waker.request_repaint();
            };
            let control = crate::suggest::Control {
                progress: &report_progress,
                cancel: &shared.cancel,
            };
            crate::suggest::run(&project, &list, &control)
        });
        self.tasks.suggest = Some((progress, task));
    }

    /// A run that includes the project's command. A command typed in the window is the
    /// user's own: it becomes the project's command (an undoable edit) and is allowed. One
    /// that came with the project runs only if this machine's user allowed it before;
    /// otherwise the Suggest window asks.
    fn run_with_command(
        &mut self,
        ctx: &egui::Context,
        suggesters: Vec<crate::suggest::Suggester>,
        command: String,
    ) {
        let Some(session) = &self.session else {
            return;
        };
        let typed = session.project().suggest_command.as_deref() != Some(command.as_str());
        if typed {
            if !self.edit(Edit::SetSuggestCommand(Some(command.clone()))) {
                return;
            }
            self.allow_command(&command);
        } else if !self.command_allowed(&command) {
            if let Some(dialog) = &mut self.panels.suggest_dialog {
                dialog.asking = Some((command, suggesters));
            }
            return;
        }
        self.start_with_command(ctx, suggesters, command);
    }

    fn start_with_command(
        &mut self,
        ctx: &egui::Context,
        mut suggesters: Vec<crate::suggest::Suggester>,
        command: String,
    ) {
        let dir = self
            .session
            .as_ref()
            .and_then(|s| s.path())
            .map(crate::persist::paths::normalize)
            .and_then(|p| p.parent().map(std::path::Path::to_owned))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        suggesters.push(crate::suggest::Suggester::Command { command, dir });
        self.start_suggest(ctx, suggesters);
    }
}
