//! Every [`Command`] is handled here, once per frame, after the panels were drawn. The
//! match is split by what a command is about: files, annotation, moving around, review,
//! search, and opening panels and tool windows.

use super::{MarginaliaApp, Pick, SideTab};
use crate::model::{Edit, Status};
use crate::ui::commands::Command;
use crate::ui::dialogs::Dialog;
use crate::ui::selection::Selection;
use std::path::Path;

impl MarginaliaApp {
    pub(super) fn handle(&mut self, command: Command, ctx: &egui::Context) {
        self.handle_with(command, ctx, false);
    }

    /// Handles one command. `discarding` skips the unsaved-changes question (the user
    /// already answered it).
    pub(super) fn handle_with(&mut self, command: Command, ctx: &egui::Context, discarding: bool) {
        let guarded = matches!(
            command,
            Command::Open
                | Command::OpenPath(_)
                | Command::NewFromFolder
                | Command::NewFromJsonl
                | Command::Quit
        );
        if guarded && !discarding && self.is_dirty() {
            self.dialog = Some(Dialog::Unsaved { then: command });
            return;
        }
        let Some(command) = self.file_command(command, ctx) else {
            return;
        };
        let Some(command) = self.annotation_command(command) else {
            return;
        };
        let Some(command) = self.navigation_command(command) else {
            return;
        };
        self.panel_command(command);
    }

    /// Files and the program: `None` when handled.
    fn file_command(&mut self, command: Command, ctx: &egui::Context) -> Option<Command> {
        match command {
            Command::Save => self.save(),
            Command::SaveAs => self.open_save_as_dialog(),
            Command::Open => self.pick(ctx, Pick::OpenProject),
            Command::PickAgreementFile => self.pick(ctx, Pick::AgreementFile),
            Command::Adjudicate => {
                let written = self
                    .session
                    .as_ref()
                    .map(|s| self.panels.agreement.write_curated(s));
                match written {
                    Some(Ok(path)) => {
                        self.say(format!(
                            "Wrote {}: what every annotator made alike is accepted; review \
                             each disagreement (Enter accepts, X rejects, J/K move).",
                            crate::persist::paths::for_display(&path)
                        ));
                        self.start_open(ctx, path);
                    }
                    Some(Err(why)) => self.show_error("Could not adjudicate", &why),
                    None => {}
                }
            }
            Command::OpenPath(path) => self.start_open(ctx, path),
            Command::NewFromFolder | Command::NewFromJsonl => {
                self.dialog = Some(Dialog::NewProject {
                    corpus: String::new(),
                    name: String::new(),
                    jsonl: command == Command::NewFromJsonl,
                });
            }
            Command::Quit => {
                self.window.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::OpenImport => {
                let dir = self.project_folder();
                self.panels.interchange =
                    Some(self.panels.last_import.clone().unwrap_or_else(|| {
                        crate::ui::interchange::InterchangeDialog::import(
                            &dir.join("imported.ron").display().to_string(),
                        )
                    }));
            }
            Command::OpenExport => {
                let dir = self.project_folder();
                self.panels.interchange =
                    Some(self.panels.last_export.clone().unwrap_or_else(|| {
                        crate::ui::interchange::InterchangeDialog::export(
                            &dir.join("export.jsonl").display().to_string(),
                        )
                    }));
            }
            other => return Some(other),
        }
        None
    }

    /// Changes to the annotations: `None` when handled.
    fn annotation_command(&mut self, command: Command) -> Option<Command> {
        match command {
            Command::Undo => self.undo_redo(true),
            Command::Redo => self.undo_redo(false),
            Command::ApplyLabel(label) => self.apply_label(&label),
            Command::DeleteSpan => self.delete_span(),
            Command::SetStatus(doc, status) => {
                self.edit(Edit::SetStatus { doc, status });
            }
            Command::MoveEdge { end, forward } => self.move_edge(end, forward),
            Command::AddFragment => self.add_fragment(),
            Command::RemoveFragment(i) => self.remove_fragment(i),
            Command::SetAttr(name, value) => self.set_attr(name, value),
            Command::SetNote(note) => self.set_note(note),
            Command::StartLink => self.start_link(),
            Command::Link(key) => self.link_key(key),
            Command::LinkSpans(a, b) => self.link_spans(a, b),
            Command::DeleteRelation(doc, id) => {
                self.edit(Edit::RemoveRelation { doc, id });
            }
            Command::TagAllMatches { corpus } => self.tag_all_matches(corpus),
            Command::ChangeSchema(schema) => self.change_schema(&schema),
            Command::Edit(edit) => {
                self.edit(*edit);
            }
            Command::Review(key) => self.review_key(key),
            Command::ReviewAttr(name, value) => {
                if let Some(id) = self.current_suggestion().map(|s| s.id) {
                    self.panels.review.choose(id, &name, Some(value));
                }
            }
            Command::AcceptAllAbove(hundredths) => {
                let threshold = f32::from(hundredths) / 100.0;
                self.accept_all(|s| s.score.is_some_and(|x| x.0 >= threshold));
            }
            Command::AcceptAllOfLabel(label) => self.accept_all(|s| s.label == label),
            Command::TagHits(label) => self.tag_hits(&label),
            Command::FixFinding(i) => self.fix_finding(i),
            Command::PlaceUnanchored(id) => self.place_unanchored(id),
            Command::DropUnanchored(id) => {
                let doc = self.current;
                if self.edit(Edit::DropUnanchored { doc, id }) {
                    self.say("Deleted (Ctrl+Z brings it back).");
                }
            }
            other => return Some(other),
        }
        None
    }

    /// Moving between documents, spans, hits and places: `None` when handled.
    fn navigation_command(&mut self, command: Command) -> Option<Command> {
        match command {
            Command::ClearSelection => {
                if self.panels.review.editing.take().is_some() {
                    self.say("Edit cancelled");
                }
                self.selection = Selection::None;
            }
            Command::DoneAndNext => {
                let doc = self.current;
                let not_done = self
                    .session
                    .as_ref()
                    .and_then(|s| s.project().doc(doc))
                    .is_some_and(|d| d.status != Status::Done);
                if not_done {
                    self.edit(Edit::SetStatus {
                        doc,
                        status: Status::Done,
                    });
                }
                self.step_document(1);
            }
            Command::NextDocument => self.step_document(1),
            Command::PreviousDocument => self.step_document(-1),
            Command::OpenDocument(doc) => self.go_to(doc),
            Command::SelectText(doc, range) => {
                self.go_to(doc);
                self.panels.view.place_caret(doc, range.start);
                self.panels.view.reveal(range.start);
                self.selection = Selection::Text(range);
            }
            Command::SelectSpan(doc, key) => {
                self.go_to(doc);
                self.selection = Selection::Span(key);
                self.panels.view.place_caret(doc, key.start);
                self.panels.view.reveal(key.start);
                self.panels.spans.reveal();
            }
            Command::Caret(motion, extend) => self.panels.view.move_caret(motion, extend),
            Command::NextSpan => self.step_span(true),
            Command::PreviousSpan => self.step_span(false),
            Command::FocusSuggestion(key) => {
                let doc = self.current;
                self.focus_suggestion(doc, key);
            }
            Command::NextHit => self.step_hit(true),
            Command::PreviousHit => self.step_hit(false),
            Command::JumpToHit(i) => {
                if let Some((doc, hit)) = self.panels.search.select(i) {
                    self.show_hit(doc, hit);
                }
            }
            Command::GoTo {
                doc,
                start,
                end,
                span,
            } => self.go_to_place(doc, start, end, span),
            other => return Some(other),
        }
        None
    }

    /// Opening panels and tool windows, and view options.
    fn panel_command(&mut self, command: Command) {
        match command {
            Command::FocusField(name) if self.selection.span().is_some() => {
                self.panels.spans.focus(&name);
            }
            Command::ToggleAllRelations => {
                self.panels.all_relations = !self.panels.all_relations;
            }
            Command::ToggleSuggestions => {
                self.panels.show_suggestions = !self.panels.show_suggestions;
            }
            Command::ToggleDocumentList => {
                self.panels.show_documents = !self.panels.show_documents;
            }
            Command::ToggleSidePanel => {
                self.panels.show_side = !self.panels.show_side;
            }
            Command::OpenSchemaEditor => self.panels.schema_editor.open = true,
            Command::OpenSearch { corpus } => {
                self.panels.side = SideTab::Search;
                self.panels.search.corpus = corpus;
                self.panels.search.focus = true;
            }
            Command::OpenStatistics => self.panels.stats.open = true,
            Command::OpenAgreement => self.panels.agreement.open = true,
            Command::SetAnnotatorName => {
                self.dialog = Some(Dialog::Annotator {
                    name: self.annotator.clone().unwrap_or_default(),
                    team: None,
                });
            }
            Command::OpenConsistency => self.panels.consistency.open(),
            Command::ShowShortcuts => self.panels.shortcuts.open = true,
            Command::KeepLearning(on) => {
                self.keep_learning(on);
                if on {
                    self.panels.side = SideTab::Review;
                }
            }
            Command::EvaluateLearned => self.panels.learned.open = true,
            Command::OpenSuggest if self.panels.suggest_dialog.is_none() => {
                let command = self
                    .session
                    .as_ref()
                    .and_then(|s| s.project().suggest_command.as_deref());
                self.panels.suggest_dialog = Some(
                    crate::ui::suggest_dialog::SuggestDialog::for_command(command),
                );
            }
            // Handled by the groups above.
            _ => {}
        }
    }

    /// The open project's folder (where new files are proposed).
    fn project_folder(&self) -> std::path::PathBuf {
        self.session
            .as_ref()
            .and_then(|s| s.path())
            .and_then(|p| p.parent().map(Path::to_owned))
            .unwrap_or_default()
    }
}
