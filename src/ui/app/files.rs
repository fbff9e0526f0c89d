//! Project files in the window: opening (in the background), saving, Save As, new projects
//! from a corpus, native file dialogs with a typed-path fallback, and the dialogs' answers.

use super::{MAX_RECENT, MarginaliaApp, Pick, first_line};
use crate::model::DocId;
use crate::persist::{Problem, ProblemKind};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::dialogs::Dialog;
use crate::ui::selection::Selection;
use std::path::{Path, PathBuf};

impl MarginaliaApp {
    /// A project opened from `path`.
    pub(super) fn install(&mut self, session: Session, path: &Path, mut warnings: Vec<Problem>) {
        // The user allowed (or the app trusts) reading outside the folder: nothing to warn of.
        warnings.retain(|w| w.kind != ProblemKind::OutsideFolder);
        self.set_session(session);
        let Some(session) = &self.session else {
            return;
        };
        let docs = session.project().documents.len();
        let spans = session.project().span_count();
        let recovery = session.recovery().map(|r| Dialog::Recover {
            changes: r.edits.len(),
            note: r.note.as_ref().map(ToString::to_string),
            other_version: r
                .other_version
                .then(|| r.edits.iter().map(|e| e.describe()).collect()),
        });
        let read_only = session.read_only().map(str::to_owned);
        let reanchored = reanchor_report(&session.reanchored);
        let team = session.team.as_ref().map(|update| {
            let took = update
                .describe()
                .map(|d| format!(" Opening it {d}."))
                .unwrap_or_default();
            let team = crate::persist::team::team_of(path)
                .map(|t| crate::persist::paths::for_display(&t))
                .unwrap_or_default();
            format!("Your own file of the team project {team}.{took}")
        });
        if let Some(dialog) = recovery {
            self.dialog = Some(dialog);
        } else if let Some(message) = reanchored {
            self.dialog = Some(Dialog::Report {
                title: "Corpus files changed".into(),
                message,
            });
        }
        self.remember_recent(path);
        if let Some(holder) = read_only {
            self.say(format!(
                "Opened read-only: {} is open for editing elsewhere ({holder}).",
                crate::persist::paths::for_display(path)
            ));
        } else if warnings.is_empty() {
            self.say(format!(
                "Opened {} — {docs} documents, {spans} spans. {}",
                crate::persist::paths::for_display(path),
                team.unwrap_or_default()
            ));
        } else {
            let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
            self.say(format!(
                "Opened with {}: {}",
                crate::model::text::plural(warnings.len(), "warning", "warnings"),
                first_line(&text.join("\n"))
            ));
        }
    }

    /// Makes `session` the open project, starting at its first document.
    pub(super) fn set_session(&mut self, mut session: Session) {
        session.annotator = self.annotator.clone();
        session.backups = self.prefs.backups;
        // The project being replaced was saved or its changes discarded (the app asked):
        // its journal has nothing left to keep.
        if let Some(mut old) = self.session.take()
            && let Err(p) = old.close()
        {
            self.say(format!("Could not remove the old journal: {p}"));
        }
        // The old session (and its lock) is gone: the same project opened anew can write.
        session.retry_lock();
        self.panels.view.reset();
        self.selection = Selection::None;
        self.current = DocId(0);
        self.session = Some(session);
        // A model learned another project.
        self.learning.reset();
    }

    pub(super) fn remember_recent(&mut self, path: &Path) {
        let path = crate::persist::paths::normalize(path);
        self.prefs.recent.retain(|p| *p != path);
        self.prefs.recent.insert(0, path);
        self.prefs.recent.truncate(MAX_RECENT);
    }

    pub(super) fn save(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if session.path().is_none() {
            self.open_save_as_dialog();
            return;
        }
        let result = session.save(None);
        self.after_save(result);
    }

    /// Saves over a file another program changed (the user chose to).
    pub(super) fn save_overwriting(&mut self) {
        if let Some(session) = self.session.as_mut() {
            let result = session.save_overwriting();
            self.after_save(result);
        }
    }

    /// Says what a save did; a file changed by another program asks what to do.
    fn after_save(&mut self, result: Result<PathBuf, Problem>) {
        match result {
            Ok(path) => {
                self.say(format!("Saved {}", path.display()));
                self.remember_recent(&path);
            }
            Err(e) if e.kind == ProblemKind::ChangedOnDisk => self.ask_changed_on_disk(),
            Err(e) => self.show_error("Could not save", &e.to_string()),
        }
    }

    /// The file changed on disk and this window has changes: the user chooses.
    pub(super) fn ask_changed_on_disk(&mut self) {
        let unsaved = self.session.as_ref().map_or(0, Session::unsaved_changes);
        self.dialog = Some(Dialog::ChangedOnDisk { unsaved });
    }

    /// Reads the file again as another program left it, with this window's changes on top.
    pub(super) fn reload(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let path = session.path().map(Path::to_owned).unwrap_or_default();
        match session.reload() {
            Ok(report) => {
                let mut message = format!(
                    "Reloaded {} as the other program left it; {} of this window's changes applied on top",
                    path.display(),
                    report.reapplied
                );
                if !report.failed.is_empty() {
                    message.push_str(&format!(
                        ". {} no longer apply:\n{}",
                        report.failed.len(),
                        report.failed.join("\n")
                    ));
                    self.dialog = Some(Dialog::Report {
                        title: "Reloaded".into(),
                        message,
                    });
                } else {
                    self.say(message);
                }
                self.selection = Selection::None;
                self.panels.view.reset();
            }
            Err(e) => self.show_error("Could not reload", &e.to_string()),
        }
    }

    /// The Save As dialog, filled with the current file, or the project name in the
    /// current folder for a project never saved.
    pub(super) fn open_save_as_dialog(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let path = match session.path() {
            Some(p) => p.display().to_string(),
            None => format!("{}.ron", session.project().name),
        };
        self.dialog = Some(Dialog::SaveAs { path });
    }

    pub(super) fn save_as(&mut self, path: &str) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let mut path = PathBuf::from(path);
        if path.extension().is_none() {
            path.set_extension("ron");
        }
        let result = session.save(Some(&path));
        if let Ok(p) = &result {
            // The user chose where it lives and what it reads.
            self.trust(p);
        }
        self.after_save(result);
    }

    /// Opens a project. A team project (see `persist::team`) opens as this annotator's own
    /// file in it, made the first time; without a name, the user is asked who annotates.
    pub(super) fn start_open(&mut self, ctx: &egui::Context, path: PathBuf) {
        if !crate::persist::team::is_team(&path) {
            return self.start_open_as_is(ctx, path);
        }
        let Some(annotator) = self.annotator.clone() else {
            self.dialog = Some(Dialog::Annotator {
                name: String::new(),
                team: Some(path),
            });
            return;
        };
        let what = format!("Opening your file of {}…", path.display());
        let options = self.load_options(&path);
        let allowed = self.allowed_folders(&path);
        self.tasks.startup_open = None;
        self.tasks.loading = Some(Task::spawn(ctx, what, move || {
            // An annotator's file reads the team's corpus: the team's consent is its consent.
            match crate::persist::team::join(&path, &annotator) {
                Ok((member, _)) => {
                    let result = open_allowing(&member, options, allowed.as_deref());
                    (member, result)
                }
                Err(e) => (path, Err(e)),
            }
        }));
    }

    /// Opens the project file at `path` itself (a team's own file too).
    pub(super) fn start_open_as_is(&mut self, ctx: &egui::Context, path: PathBuf) {
        let what = format!("Opening {}…", path.display());
        let options = self.load_options(&path);
        let allowed = self.allowed_folders(&path);
        // Another open replaces the startup one (its result is dropped with its task).
        self.tasks.startup_open = None;
        self.tasks.loading = Some(Task::spawn(ctx, what, move || {
            let result = open_allowing(&path, options, allowed.as_deref());
            (path, result)
        }));
    }

    /// Shows the first document whose id or title contains `wanted` (`--document`).
    pub(super) fn go_to_document_matching(&mut self, wanted: &str) {
        if let Some(i) = self.session.as_ref().and_then(|s| {
            s.project()
                .documents
                .iter()
                .position(|d| d.id.contains(wanted) || d.title().contains(wanted))
        }) {
            self.current = DocId(i);
        }
    }

    pub(super) fn pick(&mut self, ctx: &egui::Context, pick: Pick) {
        let start_dir = self
            .session
            .as_ref()
            .and_then(|s| s.path())
            .and_then(|p| p.parent().map(Path::to_owned));
        let jsonl = matches!(&self.dialog, Some(Dialog::NewProject { jsonl: true, .. }));
        let task = Task::spawn(ctx, "Choosing a file…", move || {
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = start_dir {
                d = d.set_directory(dir);
            }
            match pick {
                Pick::OpenProject | Pick::AgreementFile => {
                    d.add_filter("Marginalia project", &["ron"]).pick_file()
                }
                Pick::SaveAsField => d.add_filter("Marginalia project", &["ron"]).save_file(),
                Pick::CorpusField if jsonl => {
                    d.add_filter("JSONL corpus", &["jsonl", "json"]).pick_file()
                }
                Pick::CorpusField => d.pick_folder(),
            }
        });
        self.tasks.picker = Some((pick, std::time::Instant::now(), task));
    }

    /// No native file dialog answered: let the user type the path instead.
    pub(super) fn no_native_dialog(&mut self, pick: Pick) {
        const WHY: &str =
            "No native file dialog is available here (on Linux it needs xdg-desktop-portal).";
        match pick {
            Pick::OpenProject => {
                self.dialog = Some(Dialog::OpenProject {
                    path: String::new(),
                    note: format!("{WHY} Type the path of the project file:"),
                });
            }
            Pick::SaveAsField | Pick::CorpusField | Pick::AgreementFile => {
                self.say(format!("{WHY} Type the path in the field."))
            }
        }
    }

    pub(super) fn create_project(&mut self, ctx: &egui::Context, corpus: String, name: String) {
        let corpus = PathBuf::from(corpus);
        let what = format!("Reading {}…", corpus.display());
        let from = corpus.clone();
        let task = Task::spawn(ctx, what, move || {
            let name = (!name.is_empty()).then_some(name);
            crate::persist::new_project(&from, name.as_deref())
        });
        self.tasks.creating = Some((corpus, task));
    }
}

/// Opens a project. When it reads outside its folder and the user allowed exactly those
/// folders (or more) before, it is read without asking; a project that now reads anywhere
/// else is refused as usual, so the window asks again. Runs off the UI thread.
fn open_allowing(
    path: &Path,
    options: crate::persist::LoadOptions,
    allowed: Option<&[PathBuf]>,
) -> Result<(Session, Vec<Problem>), crate::persist::LoadError> {
    let first = Session::open_with(path, options);
    let Some(allowed) = allowed else {
        return first;
    };
    match first {
        Err(e)
            if !e.problems.is_empty()
                && e.problems
                    .iter()
                    .all(|p| p.kind == ProblemKind::OutsideFolder) =>
        {
            match crate::persist::outside_folders(path) {
                Ok(folders) if folders.iter().all(|f| allowed.contains(f)) => {
                    let options = crate::persist::LoadOptions {
                        allow_outside: true,
                        ..options
                    };
                    Session::open_with(path, options)
                }
                _ => Err(e),
            }
        }
        other => other,
    }
}

/// What re-anchoring did at load, for the user: totals, then one line per document.
fn reanchor_report(done: &[crate::persist::Reanchored]) -> Option<String> {
    use crate::model::text::plural;
    if done.is_empty() {
        return None;
    }
    let moved: usize = done.iter().map(|d| d.moved).sum();
    let review: usize = done.iter().map(|d| d.review).sum();
    let mut out = format!(
        "{} changed since the project was saved. {} moved to where {} text is now.",
        plural(done.len(), "corpus file", "corpus files"),
        plural(moved, "span", "spans"),
        if moved == 1 { "its" } else { "their" },
    );
    if review > 0 {
        out.push_str(&format!(
            " {} (their text is gone: place or delete them under Needs review in the span \
             panel).",
            plural(review, "span needs review", "spans need review"),
        ));
    }
    out.push('\n');
    for d in done {
        out.push_str(&format!("\n{}: {}", d.document, d.message()));
    }
    out.push_str("\n\nThe new offsets are not saved yet: Ctrl+S keeps them.");
    Some(out)
}
