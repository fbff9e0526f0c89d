//! What the buttons of the modal dialogs do (unsaved changes, recovery, Save As, new
//! project, outside-folder consent, confirmations).

use super::{MarginaliaApp, Pick};
use crate::ui::dialogs::DialogAction;
use std::path::PathBuf;

impl MarginaliaApp {
    pub(super) fn on_dialog_action(&mut self, action: DialogAction, ctx: &egui::Context) {
        match action {
            DialogAction::Close => self.dialog = None,
            DialogAction::OpenTeamFile(path) => {
                self.dialog = None;
                self.start_open_as_is(ctx, path);
            }
            DialogAction::SetAnnotator(name) => {
                // Asked while opening a team project: open it now, in this annotator's file.
                let team = match self.dialog.take() {
                    Some(crate::ui::dialogs::Dialog::Annotator { team, .. }) => team,
                    _ => None,
                };
                let name = (!name.is_empty()).then_some(name);
                self.prefs.annotator = name.clone();
                self.prefs.name_asked = true;
                self.window.ask_name = false;
                if let Some(session) = self.session.as_mut() {
                    session.annotator = name.clone();
                }
                self.say(match &name {
                    Some(n) => format!("New annotations are recorded as {n}."),
                    None => "New annotations record no annotator name.".to_owned(),
                });
                self.annotator = name;
                if let Some(team) = team {
                    self.start_open(ctx, team);
                }
            }
            DialogAction::SaveThen(then) => {
                self.dialog = None;
                self.save();
                if !self.is_dirty() {
                    self.handle_with(then, ctx, true);
                }
            }
            DialogAction::DiscardThen(then) => {
                self.dialog = None;
                // "Don't save": the changes are given up on purpose, the journal with them.
                if let Some(s) = &mut self.session
                    && let Err(p) = s.close()
                {
                    self.say(format!("Could not remove the journal: {p}"));
                }
                self.handle_with(then, ctx, true);
            }
            DialogAction::Restore => {
                self.dialog = None;
                if let Some(s) = &mut self.session {
                    let (restored, stopped) = s.restore();
                    let mut message = format!(
                        "Restored {} (not saved yet: Ctrl+S keeps them).",
                        crate::model::text::plural(restored, "change", "changes")
                    );
                    if let Some(why) = stopped {
                        message.push_str(&format!(" Stopped early: {why}"));
                    }
                    self.say(message);
                }
            }
            DialogAction::DiscardRecovery => {
                self.dialog = None;
                if let Some(s) = &mut self.session {
                    match s.discard_recovery() {
                        Ok(()) => {
                            self.say("The unsaved changes were set aside (.journal.discarded).")
                        }
                        Err(p) => {
                            self.show_error("Could not set the journal aside", &p.to_string())
                        }
                    }
                }
            }
            DialogAction::Apply(edit) => {
                self.dialog = None;
                self.edit(*edit);
            }
            DialogAction::TagAll {
                ranges,
                label,
                attrs,
                corpus,
            } => {
                self.dialog = None;
                self.tag_ranges(&ranges, &label, &attrs, corpus);
            }
            DialogAction::SaveAs(path) => {
                self.dialog = None;
                self.save_as(&path);
            }
            DialogAction::CreateProject { corpus, name } => {
                self.dialog = None;
                self.create_project(ctx, corpus, name);
            }
            DialogAction::Open(path) => {
                self.dialog = None;
                self.start_open(ctx, PathBuf::from(path));
            }
            DialogAction::ReadOutside(path) => {
                self.dialog = None;
                self.trust(&path);
                self.start_open(ctx, path);
            }
            DialogAction::Reload => {
                self.dialog = None;
                self.reload();
            }
            DialogAction::Overwrite => {
                self.dialog = None;
                self.save_overwriting();
            }
            DialogAction::SaveAsDialog => {
                self.dialog = None;
                self.open_save_as_dialog();
            }
            DialogAction::BrowseSaveAs => self.pick(ctx, Pick::SaveAsField),
            DialogAction::BrowseCorpus { .. } => self.pick(ctx, Pick::CorpusField),
        }
    }
}
