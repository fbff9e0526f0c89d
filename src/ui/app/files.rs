//! Project files in the window: opening (in the background), saving, Save As, new projects
//! from a corpus, native file dialogs with a typed-path fallback, and the dialogs' answers.

use super::{MAX_RECENT, MarginaliaApp, NO_DIALOG_THRESHOLD, Pick, first_line};
use crate::model::DocId;
use crate::persist::paths::normalize;
use crate::persist::{LoadError, LoadOptions, Problem, ProblemKind};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::dialogs::{Dialog, DialogAction};
use crate::ui::selection::Selection;
use std::path::{Path, PathBuf};

impl MarginaliaApp {
    /// A project opened from `path`.
    pub(super) fn install(&mut self, session: Session, path: &Path, mut warnings: Vec<Problem>) {
        // The user allowed (or the app trusts) reading outside the folder: nothing to warn of.
        warnings.retain(|w| w.kind != ProblemKind::OutsideFolder);
        let docs = session.project.documents.len();
        let spans = session.project.span_count();
        let recovery = session
            .recovery()
            .map(|r| (r.edits.len(), r.note.as_ref().map(ToString::to_string)));
        let reanchored = reanchor_report(&session.reanchored);
        self.set_session(session);
        if let Some((changes, note)) = recovery {
            self.dialog = Some(Dialog::Recover { changes, note });
        } else if let Some(message) = reanchored {
            self.dialog = Some(Dialog::Report {
                title: "Corpus files changed".into(),
                message,
            });
        }
        self.remember_recent(path);
        if warnings.is_empty() {
            self.say(format!(
                "Opened {} — {docs} documents, {spans} spans",
                path.display()
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
        self.view.reset();
        self.selection = Selection::None;
        self.current = DocId(0);
        self.session = Some(session);
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
        if session.path.is_none() {
            self.open_save_as_dialog();
            return;
        }
        match session.save(None) {
            Ok(path) => {
                self.say(format!("Saved {}", path.display()));
                self.remember_recent(&path);
            }
            Err(e) => self.show_error("Could not save", &e.to_string()),
        }
    }

    /// The Save As dialog, filled with the current file, or the project name in the
    /// current folder for a project never saved.
    pub(super) fn open_save_as_dialog(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let path = match &session.path {
            Some(p) => p.display().to_string(),
            None => format!("{}.ron", session.project.name),
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
        match session.save(Some(&path)) {
            Ok(p) => {
                self.say(format!("Saved {}", p.display()));
                self.remember_recent(&p);
                // The user chose where it lives and what it reads.
                self.trust(&p);
            }
            Err(e) => self.show_error("Could not save", &e.to_string()),
        }
    }

    pub(super) fn start_open(&mut self, ctx: &egui::Context, path: PathBuf) {
        let what = format!("Opening {}…", path.display());
        let options = self.load_options(&path);
        // Another open replaces the startup one (its result is dropped with its task).
        self.startup_open = None;
        self.loading = Some(Task::spawn(ctx, what, move || {
            let result = Session::open_with(&path, options);
            (path, result)
        }));
    }

    /// Shows the first document whose id or title contains `wanted` (`--document`).
    fn go_to_document_matching(&mut self, wanted: &str) {
        if let Some(i) = self.session.as_ref().and_then(|s| {
            s.project
                .documents
                .iter()
                .position(|d| d.id.contains(wanted) || d.title.contains(wanted))
        }) {
            self.current = DocId(i);
        }
    }

    /// How the window loads `path`: re-anchoring changed corpus files, and reading corpus
    /// files outside the project's folder only for the bundled demo and projects the user
    /// allowed.
    pub(super) fn load_options(&self, path: &Path) -> LoadOptions {
        let path = normalize(path);
        // The demo of this very build (not any `projects/seed-news.ron` in the current
        // folder, which could be anyone's).
        let demo = path == normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join(super::DEMO));
        LoadOptions {
            allow_outside: demo || self.prefs.trusted.contains(&path),
            ..LoadOptions::WINDOW
        }
    }

    /// When a load stopped only because corpus paths leave the project's folder, asks the
    /// user (true); any other failure is for the caller to show.
    pub(super) fn ask_outside(&mut self, path: &Path, e: &LoadError) -> bool {
        let outside = !e.problems.is_empty()
            && e.problems
                .iter()
                .all(|p| p.kind == ProblemKind::OutsideFolder);
        if outside {
            self.dialog = Some(Dialog::OutsideFolder {
                project: path.to_owned(),
                folders: e.problems.iter().map(|p| p.message.clone()).collect(),
            });
        }
        outside
    }

    /// Remembers that the project at `path` may read outside its folder.
    pub(super) fn trust(&mut self, path: &Path) {
        let path = normalize(path);
        if !self.prefs.trusted.contains(&path) {
            self.prefs.trusted.push(path);
        }
    }

    pub(super) fn pick(&mut self, ctx: &egui::Context, pick: Pick) {
        let start_dir = self
            .session
            .as_ref()
            .and_then(|s| s.path.as_ref())
            .and_then(|p| p.parent().map(Path::to_owned));
        let jsonl = matches!(&self.dialog, Some(Dialog::NewProject { jsonl: true, .. }));
        let task = Task::spawn(ctx, "Choosing a file…", move || {
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = start_dir {
                d = d.set_directory(dir);
            }
            match pick {
                Pick::OpenProject => d.add_filter("Marginalia project", &["ron"]).pick_file(),
                Pick::SaveAsField => d.add_filter("Marginalia project", &["ron"]).save_file(),
                Pick::CorpusField if jsonl => {
                    d.add_filter("JSONL corpus", &["jsonl", "json"]).pick_file()
                }
                Pick::CorpusField => d.pick_folder(),
            }
        });
        self.picker = Some((pick, std::time::Instant::now(), task));
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
            Pick::SaveAsField | Pick::CorpusField => {
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
        self.creating = Some((corpus, task));
    }

    pub(super) fn on_dialog_action(&mut self, action: DialogAction, ctx: &egui::Context) {
        match action {
            DialogAction::Close => self.dialog = None,
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
            DialogAction::BrowseSaveAs => self.pick(ctx, Pick::SaveAsField),
            DialogAction::BrowseCorpus { .. } => self.pick(ctx, Pick::CorpusField),
        }
    }

    /// Results of background work that finished since the last frame.
    pub(super) fn poll_tasks(&mut self, ctx: &egui::Context) {
        if let Some((pick, opened, task)) = &self.picker
            && let Some(result) = task.poll()
        {
            let pick = *pick;
            // Nobody cancels a dialog this fast: no native dialog could be shown.
            let unavailable = result.is_none() && opened.elapsed() < NO_DIALOG_THRESHOLD;
            self.picker = None;
            if unavailable {
                self.no_native_dialog(pick);
            }
            if let Some(path) = result {
                match (pick, &mut self.dialog) {
                    (Pick::OpenProject, _) => self.start_open(ctx, path),
                    (Pick::SaveAsField, Some(Dialog::SaveAs { path: field })) => {
                        *field = path.display().to_string()
                    }
                    (Pick::CorpusField, Some(Dialog::NewProject { corpus, .. })) => {
                        *corpus = path.display().to_string()
                    }
                    _ => {}
                }
            }
        }
        if let Some(task) = &self.interchange_task
            && let Some(result) = task.poll()
        {
            self.interchange_task = None;
            match result {
                Ok((project, report)) => {
                    let title = if project.is_some() {
                        "Imported"
                    } else {
                        "Exported"
                    };
                    if let Some(p) = project {
                        // The user chose what it reads: not asked about on opening.
                        self.trust(&p);
                        // Opening may first ask about unsaved changes; the report then waits
                        // in the status bar.
                        self.handle(crate::ui::commands::Command::OpenPath(p), ctx);
                    }
                    if self.dialog.is_none() {
                        self.dialog = Some(Dialog::Report {
                            title: title.to_owned(),
                            message: report,
                        });
                    } else {
                        self.say(format!("{title}: {}", first_line(&report)));
                    }
                }
                Err(e) => self.show_error("Import or export failed", &e.to_string()),
            }
        }
        if let Some(task) = &self.loading
            && let Some((path, result)) = task.poll()
        {
            self.loading = None;
            let startup = self.startup_open.take();
            match result {
                Ok((session, warnings)) => {
                    self.install(session, &path, warnings);
                    if let Some(wanted) = startup.and_then(|s| s.document) {
                        self.go_to_document_matching(&wanted);
                    }
                }
                Err(e) if self.ask_outside(&path, &e) => {}
                // The last project, reopened by itself: not worth a dialog.
                Err(e) if startup.as_ref().is_some_and(|s| !s.explicit) => {
                    self.say(format!(
                        "Could not reopen {}: {}",
                        path.display(),
                        first_line(&e.to_string())
                    ));
                }
                Err(e) => {
                    self.show_error(&format!("Cannot open {}", path.display()), &e.to_string())
                }
            }
        }
        if let Some((corpus, task)) = &self.creating
            && let Some(result) = task.poll()
        {
            let beside = crate::persist::paths::normalize(corpus)
                .parent()
                .map(Path::to_owned);
            self.creating = None;
            match result {
                Ok(project) => {
                    let docs = project.documents.len();
                    self.set_session(Session::new(project, None));
                    self.say(format!(
                        "New project with {docs} documents — save it to choose where it lives"
                    ));
                    self.open_save_as_dialog();
                    if let (Some(Dialog::SaveAs { path }), Some(dir)) = (&mut self.dialog, beside) {
                        *path = dir.join(path.as_str()).display().to_string();
                    }
                }
                Err(e) => self.show_error("Cannot create the project", &e.to_string()),
            }
        }
    }

    /// Runs an import or export from the File menu in the background.
    pub(super) fn on_interchange(
        &mut self,
        action: crate::ui::interchange::InterchangeAction,
        ctx: &egui::Context,
    ) {
        use crate::ui::interchange::InterchangeAction;
        self.interchange = None;
        match action {
            InterchangeAction::Close => {}
            InterchangeAction::Import {
                format,
                paths,
                project,
            } => {
                let what = format!("Importing {}…", format.name());
                self.interchange_task = Some(Task::spawn(ctx, what, move || {
                    if project.exists() {
                        let p = crate::persist::Problem::new(
                            crate::persist::ProblemKind::Io,
                            &project,
                            "already exists; choose another name (imports never overwrite)",
                        );
                        return Err(p.into());
                    }
                    let (_, corpus, report) =
                        crate::formats::run::import_project(format, &paths, &project, None, None)?;
                    let corpus = corpus
                        .map(|c| {
                            format!("\nTexts without a file of their own: {}", c.path.display())
                        })
                        .unwrap_or_default();
                    Ok((Some(project), format!("{report}{corpus}")))
                }));
            }
            InterchangeAction::Export {
                format,
                out,
                selection,
                split,
                seed,
                overwrite,
            } => {
                let Some(project) = self.session.as_ref().map(|s| s.project.clone()) else {
                    return;
                };
                let what = format!("Exporting {}…", format.name());
                self.interchange_task = Some(Task::spawn(ctx, what, move || {
                    let run = crate::formats::run::export_project(
                        &project,
                        format,
                        &out,
                        &selection,
                        split.as_deref(),
                        seed,
                    )?;
                    crate::formats::run::write_output(&run.files, overwrite)?;
                    let parts: String = run
                        .parts
                        .iter()
                        .map(|(n, k, p)| format!("\n{n}: {k} documents → {}", p.display()))
                        .collect();
                    Ok((None, format!("{}: {}{parts}", out.display(), run.report)))
                }));
            }
        }
    }

    pub(super) fn busy_text(&self) -> Option<&str> {
        self.loading
            .as_ref()
            .map(|t| t.what.as_str())
            .or(self.creating.as_ref().map(|(_, t)| t.what.as_str()))
            .or(self.picker.as_ref().map(|(_, _, t)| t.what.as_str()))
            .or(self.interchange_task.as_ref().map(|t| t.what.as_str()))
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
