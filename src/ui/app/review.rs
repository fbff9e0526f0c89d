//! Reviewing suggestions: one key to accept or reject, the next pending suggestion focused
//! and scrolled into view after each decision, `E` to fix the boundaries or the label first,
//! and bulk acceptance. Every decision is an edit, so it can be undone.

use super::{MarginaliaApp, SideTab};
use crate::model::review::AcceptAs;
use crate::model::{DocId, Edit, Review, SpanId, SpanKey, Suggestion};
use crate::ui::commands::ReviewKey;
use crate::ui::selection::Selection;

/// Which pending suggestions the queue shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewFilter {
    pub label: Option<String>,
    pub source: Option<String>,
    /// Minimum score, 0 to 1.
    pub min_score: f32,
}

impl ReviewFilter {
    pub fn keeps(&self, s: &Suggestion) -> bool {
        s.review == Review::Pending
            && self.label.as_ref().is_none_or(|l| *l == s.label)
            && self.source.as_ref().is_none_or(|src| *src == s.source)
            && s.score.is_none_or(|x| x.0 >= self.min_score)
    }
}

/// The review workflow's state.
#[derive(Clone, Debug, Default)]
pub struct ReviewState {
    /// The suggestion under review.
    pub current: Option<(DocId, SpanId)>,
    pub filter: ReviewFilter,
    /// `E` was pressed: the selection holds the range to accept, this the label.
    pub editing: Option<String>,
}

impl MarginaliaApp {
    /// The suggestion under review, if it is still pending in the current document.
    pub(super) fn current_suggestion(&self) -> Option<&Suggestion> {
        let (doc, id) = self.review.current?;
        let s = self.session.as_ref()?.project.doc(doc)?.suggestion(id)?;
        (doc == self.current && s.review == Review::Pending).then_some(s)
    }

    /// The key of the suggestion under review, for the document view.
    pub(super) fn focused_suggestion_key(&self) -> Option<SpanKey> {
        self.current_suggestion().map(Suggestion::key)
    }

    pub(super) fn focus_suggestion(&mut self, doc: DocId, key: SpanKey) {
        self.go_to(doc);
        self.side = SideTab::Review;
        self.review.current = Some((doc, key.id));
        self.review.editing = None;
        self.selection = Selection::None;
        self.view.place_caret(doc, key.start);
        self.view.reveal(key.start);
    }

    /// The next (or previous) pending suggestion after `from` (a position in the current
    /// document), in reading order, then in the following (or preceding) documents.
    fn find_next(&self, from: Option<SpanKey>, forward: bool) -> Option<(DocId, SpanKey)> {
        let project = &self.session.as_ref()?.project;
        let n = project.documents.len();
        let filter = &self.review.filter;
        let here = self.current.0;
        for step in 0..n {
            let i = if forward {
                (here + step) % n
            } else {
                (here + n - step % n) % n
            };
            let doc = project.doc(DocId(i))?;
            let keys = doc
                .suggestions()
                .iter()
                .filter(|s| filter.keeps(s))
                .map(Suggestion::key);
            let found = match (step, from) {
                (0, Some(k)) if forward => keys.filter(|x| *x > k).min(),
                (0, Some(k)) => keys.filter(|x| *x < k).max(),
                _ if forward => keys.min(),
                _ => keys.max(),
            };
            if let Some(k) = found {
                return Some((DocId(i), k));
            }
        }
        None
    }

    /// Moves to the next pending suggestion (after a decision, or J / Down).
    pub(super) fn review_step(&mut self, forward: bool) {
        let from = self
            .review
            .current
            .filter(|(d, _)| *d == self.current)
            .and_then(|(d, id)| {
                self.session
                    .as_ref()?
                    .project
                    .doc(d)?
                    .suggestion(id)
                    .map(Suggestion::key)
            })
            .or_else(|| {
                Some(SpanKey {
                    start: self.view.caret(self.current),
                    end: 0,
                    id: SpanId(0),
                })
            });
        match self.find_next(from, forward) {
            Some((doc, key)) => self.focus_suggestion(doc, key),
            None => {
                self.review.current = None;
                self.say("No pending suggestion left (with these filters).");
            }
        }
    }

    pub(super) fn review_key(&mut self, key: ReviewKey) {
        match key {
            ReviewKey::Next => return self.review_step(true),
            ReviewKey::Previous => return self.review_step(false),
            _ => {}
        }
        let Some(s) = self.current_suggestion().cloned() else {
            self.review_step(true);
            return;
        };
        let doc = self.current;
        match key {
            ReviewKey::Accept => {
                let change = match (&self.review.editing, &self.selection) {
                    (Some(label), Selection::Text(r)) => AcceptAs {
                        range: Some((r.start, r.end)),
                        label: Some(label.clone()),
                    },
                    (Some(label), _) => AcceptAs {
                        range: None,
                        label: Some(label.clone()),
                    },
                    _ => AcceptAs::default(),
                };
                let annotator = self.annotator.clone();
                let Some(session) = self.session.as_mut() else {
                    return;
                };
                if let Some(edit) =
                    session
                        .project
                        .accept_suggestion_edit(doc, s.id, annotator.as_deref(), &change)
                    && self.edit(edit)
                {
                    self.say(format!(
                        "Accepted {} “{}”",
                        change.label.as_deref().unwrap_or(&s.label),
                        crate::model::text::excerpt(&s.text, 30)
                    ));
                    self.review.editing = None;
                    self.selection = Selection::None;
                    self.review_step(true);
                }
            }
            ReviewKey::Reject => {
                if let Some(edit) = self
                    .session
                    .as_ref()
                    .and_then(|ss| ss.project.reject_suggestion_edit(doc, s.id))
                    && self.edit(edit)
                {
                    self.review.editing = None;
                    self.selection = Selection::None;
                    self.review_step(true);
                }
            }
            ReviewKey::Edit => {
                self.review.editing = Some(s.label.clone());
                self.selection = Selection::Text(s.start..s.end);
                self.say("Edit: [ ] { } move the edges, a label key changes the label, Enter accepts, Esc cancels.");
            }
            ReviewKey::Next | ReviewKey::Previous => {}
        }
    }

    /// Accepts, as one undoable step, every pending suggestion of the current document that
    /// `keep` selects. Accepting one at a time lets relations between them be made.
    pub(super) fn accept_all(&mut self, keep: impl Fn(&Suggestion) -> bool) {
        let doc = self.current;
        let annotator = self.annotator.clone();
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let Some(d) = session.project.doc(doc) else {
            return;
        };
        let ids: Vec<SpanId> = d
            .suggestions()
            .iter()
            .filter(|s| self.review.filter.keeps(s) && keep(s))
            .map(|s| s.id)
            .collect();
        let mut forward = Vec::new();
        let mut inverses = Vec::new();
        for id in ids {
            if let Some(e) = session.project.accept_suggestion_edit(
                doc,
                id,
                annotator.as_deref(),
                &AcceptAs::default(),
            ) && let Ok(inv) = session.project.apply(e.clone())
            {
                forward.push(e);
                inverses.push(inv);
            }
        }
        // Undo them directly, then apply them again as one step of the history.
        for inv in inverses.into_iter().rev() {
            let _ = session.project.apply(inv);
        }
        let n = forward.len();
        if n == 0 {
            self.say("Nothing to accept with these filters.");
            return;
        }
        if self.edit(Edit::Batch(forward)) {
            self.say(format!("Accepted {n} suggestions"));
            self.review.current = None;
            self.review_step(true);
        }
    }
}

impl MarginaliaApp {
    /// The Suggest window and the run it started: progress, cancel, and the result applied
    /// as one edit.
    pub(super) fn suggest_window(&mut self, ctx: &egui::Context) {
        use crate::ui::suggest_dialog::{SuggestAction, suggest_dialog_ui};
        if let Some((_, task)) = &self.suggest_task
            && let Some(result) = task.poll()
        {
            self.suggest_task = None;
            self.suggest_dialog = None;
            match result {
                Ok((proposals, mut report)) => {
                    let Some(session) = self.session.as_mut() else {
                        return;
                    };
                    let edit = crate::suggest::proposals_edit(
                        &mut session.project,
                        &proposals,
                        &mut report,
                    );
                    let applied = edit.is_some_and(|e| self.edit(e));
                    let title = if applied {
                        "Suggestions"
                    } else {
                        "No new suggestions"
                    };
                    if applied {
                        self.side = SideTab::Review;
                        self.review.current = None;
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
        let running = self.suggest_task.as_ref().map(|(p, _)| p.clone());
        let Some(dialog) = &mut self.suggest_dialog else {
            return;
        };
        match suggest_dialog_ui(ctx, dialog, running.as_ref()) {
            Some(SuggestAction::Close) => self.suggest_dialog = None,
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
        let Some(project) = self.session.as_ref().map(|s| s.project.clone()) else {
            return;
        };
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
        self.suggest_task = Some((progress, task));
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
        let typed = session.project.suggest_command.as_deref() != Some(command.as_str());
        if typed {
            if !self.edit(Edit::SetSuggestCommand(Some(command.clone()))) {
                return;
            }
            self.allow_command(&command);
        } else if !self.command_allowed(&command) {
            if let Some(dialog) = &mut self.suggest_dialog {
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
            .and_then(|s| s.path.as_deref())
            .map(crate::persist::paths::normalize)
            .and_then(|p| p.parent().map(std::path::Path::to_owned))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        suggesters.push(crate::suggest::Suggester::Command { command, dir });
        self.start_suggest(ctx, suggesters);
    }

    /// Whether this machine's user allowed `command` for the open project.
    fn command_allowed(&mut self, command: &str) -> bool {
        use crate::suggest::consent::Consent;
        let project = self.session.as_ref().and_then(|s| s.path.clone());
        let (Some(file), Some(project)) = (self.consent_file.clone(), project) else {
            return false;
        };
        match Consent::load(&file) {
            Ok(c) => c.allows(&project, command),
            Err(e) => {
                self.show_error("Cannot read the allowed commands", &e.to_string());
                false
            }
        }
    }

    /// Remembers that `command` may run for the open project (when the project has a file
    /// and this machine a place to keep consents).
    fn allow_command(&mut self, command: &str) {
        use crate::suggest::consent::Consent;
        let project = self.session.as_ref().and_then(|s| s.path.clone());
        if let (Some(file), Some(project)) = (self.consent_file.clone(), project)
            && let Err(e) = Consent::grant(&file, &project, command)
        {
            self.show_error("Cannot remember the allowed command", &e.to_string());
        }
    }
}
