//! An open project: the model, its undo history, the file it lives in, whether it has
//! unsaved changes, and the journal that keeps those changes safe until they are saved.
//! Shared by the window and the tests; no egui here.
//!
//! The project, its history and its path are private: [`Session::apply`] (with `undo` and
//! `redo`) is the only way the window changes a project, so every change is undoable,
//! journaled and marks the project unsaved.

use crate::model::{Edit, EditError, History, Project};
use crate::persist::backup::DEFAULT_BACKUPS;
use crate::persist::journal::{self, Journal, Recovery};
use crate::persist::{self, Problem};
use std::path::{Path, PathBuf};

pub struct Session {
    project: Project,
    history: History,
    /// Where the project is saved; `None` until the first Save As.
    path: Option<PathBuf>,
    /// History version at the last save (or load).
    saved_version: u64,
    /// Name recorded on new spans.
    pub annotator: Option<String>,
    /// Every edit since the last save, on disk beside the project (started on the first
    /// edit, removed by a save).
    journal: Option<Journal>,
    /// Edits a crashed session left in the journal, waiting for the user's decision.
    recovery: Option<Recovery>,
    /// The last journal failure, for the user to see once (editing goes on without it).
    journal_problem: Option<Problem>,
    /// How many earlier versions a save keeps.
    pub backups: usize,
    /// Documents whose corpus file had changed when the project was opened, and what
    /// re-anchoring their spans did (for the window to tell the user).
    pub reanchored: Vec<persist::Reanchored>,
}

impl Session {
    pub fn new(project: Project, path: Option<PathBuf>) -> Self {
        let history = History::default();
        let saved_version = history.version();
        Self {
            project,
            history,
            path,
            saved_version,
            annotator: None,
            journal: None,
            recovery: None,
            journal_problem: None,
            backups: DEFAULT_BACKUPS,
            reanchored: Vec::new(),
        }
    }

    /// Opens a project the user trusts (its corpus paths may leave its folder), re-anchoring
    /// the spans of changed corpus files; see [`Session::open_with`].
    pub fn open(path: &Path) -> Result<(Self, Vec<Problem>), persist::LoadError> {
        let options = persist::LoadOptions {
            allow_outside: true,
            ..persist::LoadOptions::WINDOW
        };
        Self::open_with(path, options)
    }

    /// Opens a project, and finds the edits a crashed session left in its journal (see
    /// [`Session::recovery`]): they are not applied until the user says so. When spans were
    /// re-anchored the project differs from its file, so it opens with unsaved changes (the
    /// next save, or autosave, writes the new offsets).
    pub fn open_with(
        path: &Path,
        options: persist::LoadOptions,
    ) -> Result<(Self, Vec<Problem>), persist::LoadError> {
        let loaded = persist::load_project_with(path, options)?;
        let mut warnings = loaded.warnings;
        let mut session = Self::new(loaded.project, Some(path.to_owned()));
        if !loaded.reanchored.is_empty() {
            // No state of a fresh history has this version.
            session.saved_version = u64::MAX;
        }
        session.reanchored = loaded.reanchored;
        match journal::pending(path) {
            Ok(recovery) => session.recovery = recovery,
            // An unreadable journal is kept as it is and said; the project opens.
            Err(p) => warnings.push(p),
        }
        Ok((session, warnings))
    }

    /// The project as it is now. Build edits from it and give them to [`Session::apply`].
    pub fn project(&self) -> &Project {
        &self.project
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The version of the project's current state: caches of views key on it.
    pub fn version(&self) -> u64 {
        self.history.version()
    }

    /// Where the project is saved; `None` until the first Save As.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Applies an edit through the history (so it can be undone), and journals it.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        let record = self.path.is_some().then(|| edit.clone());
        self.history.apply(&mut self.project, edit)?;
        if let Some(e) = record {
            self.record(&e);
        }
        Ok(())
    }

    pub fn undo(&mut self) -> Option<Result<Edit, EditError>> {
        let result = self.history.undo(&mut self.project);
        if let Some(Ok(applied)) = &result {
            self.record(applied);
        }
        result
    }

    pub fn redo(&mut self) -> Option<Result<Edit, EditError>> {
        let result = self.history.redo(&mut self.project);
        if let Some(Ok(applied)) = &result {
            self.record(applied);
        }
        result
    }

    /// Appends an applied edit to the journal, starting it on the first edit after a load
    /// or a save. While a crashed session's edits wait for a decision, their journal is
    /// left alone.
    fn record(&mut self, edit: &Edit) {
        if self.recovery.is_some() {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        if self.journal.is_none() {
            match Journal::start(path) {
                Ok(j) => self.journal = Some(j),
                Err(p) => {
                    self.journal_problem = Some(p);
                    return;
                }
            }
        }
        if let Some(j) = &mut self.journal
            && let Err(p) = j.append(edit)
        {
            self.journal_problem = Some(p);
            self.journal = None;
        }
    }

    /// Puts journaled edits on the disk once they are a second old (every frame).
    pub fn sync_journal(&mut self) {
        if let Some(j) = &mut self.journal
            && let Err(p) = j.sync_if_due()
        {
            self.journal_problem = Some(p);
        }
    }

    /// A journal failure not yet shown to the user.
    pub fn take_journal_problem(&mut self) -> Option<Problem> {
        self.journal_problem.take()
    }

    /// Edits left by a session that ended without saving, waiting for a decision.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Replays the crashed session's edits (each one undoable, and journaled again). Returns
    /// how many were restored; one that no longer applies stops the replay, with the reason.
    pub fn restore(&mut self) -> (usize, Option<String>) {
        let Some(recovery) = self.recovery.take() else {
            return (0, None);
        };
        let mut restored = 0;
        for edit in recovery.edits {
            if let Err(e) = self.apply(edit) {
                return (restored, Some(e.to_string()));
            }
            restored += 1;
        }
        (restored, recovery.note.map(|p| p.to_string()))
    }

    /// Drops the crashed session's edits. Their journal is kept as `<file>.journal.discarded`
    /// (replaced by the next discard), in case the decision was a mistake.
    pub fn discard_recovery(&mut self) -> Result<(), Problem> {
        if self.recovery.take().is_none() {
            return Ok(());
        }
        let Some(path) = &self.path else {
            return Ok(());
        };
        let from = journal::journal_path(path);
        let mut to = from.as_os_str().to_owned();
        to.push(".discarded");
        std::fs::rename(&from, &to).map_err(|e| Problem::io(&from, &e))
    }

    /// The session ends with nothing left to keep (saved, or changes discarded on purpose):
    /// its journal goes.
    pub fn close(&mut self) -> Result<(), Problem> {
        if self.recovery.is_some() {
            // Nobody decided: the crashed session's edits stay for the next opening.
            return Ok(());
        }
        self.journal = None;
        match &self.path {
            Some(p) => journal::discard(p),
            None => Ok(()),
        }
    }

    /// True when the project differs from the file on disk (or was never saved).
    pub fn is_dirty(&self) -> bool {
        self.path.is_none() || self.history.version() != self.saved_version
    }

    /// Saves to `path` (or the current path) atomically, and remembers it.
    pub fn save(&mut self, path: Option<&Path>) -> Result<PathBuf, Problem> {
        let target = match (path, &self.path) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) => p.clone(),
            (None, None) => {
                return Err(Problem::new(
                    persist::ProblemKind::Io,
                    Path::new(&self.project.name),
                    "this project has no file yet; use Save As",
                ));
            }
        };
        persist::save_project_keeping(&self.project, &target, self.backups)?;
        // A crashed session's edits nobody decided on are set aside, not lost.
        if let Err(problem) = self.discard_recovery() {
            self.journal_problem = Some(problem);
        }
        // Saved: the journal's edits are in the file now. (After Save As, the old file's
        // journal goes too: its edits live in the new file.)
        self.journal = None;
        let old = self.path.replace(target.clone());
        for p in old.iter().chain(std::iter::once(&target)) {
            if let Err(problem) = journal::discard(p) {
                self.journal_problem = Some(problem);
            }
        }
        self.saved_version = self.history.version();
        Ok(target)
    }

    /// The window title: project name, file and an unsaved-changes marker.
    pub fn title(&self) -> String {
        let marker = if self.is_dirty() { "● " } else { "" };
        let file = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| format!(" ({})", n.to_string_lossy()))
            .unwrap_or_default();
        format!("{marker}{}{file} — Marginalia", self.project.name)
    }
}
