//! An open project: the model, its undo history, the file it lives in, whether it has
//! unsaved changes, and the journal that keeps those changes safe until they are saved.
//! Shared by the window and the tests; no egui here.
//!
//! The project, its history and its path are private: [`Session::apply`] (with `undo` and
//! `redo`) is the only way the window changes a project, so every change is undoable,
//! journaled and marks the project unsaved.
//!
//! - this file: editing, undo, the journal and crash recovery;
//! - `disk.rs`: the file and who else writes it: the project's lock (one writer), what the
//!   file held when this session last read or wrote it, saving without overwriting someone
//!   else's work, and reloading with the unsaved edits on top.

mod disk;

pub use disk::{ApplyError, ReloadReport};

use crate::model::{Edit, EditError, History, IdMap, Project};
use crate::persist::backup::DEFAULT_BACKUPS;
use crate::persist::journal::{self, Journal, Recovery};
use crate::persist::lock::ProjectLock;
use crate::persist::{self, Problem};
use disk::DiskState;
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
    /// Every edit applied since the last save or load, in order: written again to a new
    /// journal when one could not be written, and replayed on top of the file when another
    /// writer changed it.
    since_save: Vec<Edit>,
    /// Edits a crashed session left in the journal, waiting for the user's decision.
    recovery: Option<Recovery>,
    /// The last journal failure, for the user to see once (editing goes on without it).
    journal_problem: Option<Problem>,
    /// How many earlier versions a save keeps.
    pub backups: usize,
    /// Documents whose corpus file had changed when the project was opened, and what
    /// re-anchoring their spans did (for the window to tell the user).
    pub reanchored: Vec<persist::Reanchored>,
    /// For an annotator's file of a team project: what it took from the team's file when
    /// it was opened (for the window to tell the user).
    pub team: Option<crate::model::team::TeamUpdate>,
    /// For an annotator's file: the schema the team's file has as far as this session
    /// knows. A save whose schema differs (the annotator changed it) gives it to the team.
    shared_schema: Option<crate::model::Schema>,
    /// What giving a changed schema to the team's file did (or why it could not), for the
    /// window to say once.
    team_note: Option<String>,
    /// This session's hold on its file: one writer per project (`None`: no file yet, or
    /// opened read-only).
    lock: Option<ProjectLock>,
    /// Who holds the project when this session could only open it read-only.
    read_only: Option<String>,
    /// The file as this session last read or wrote it.
    disk: Option<DiskState>,
    /// A version of the file on disk the user chose not to reload (asked once per version).
    ignored_disk: Option<String>,
    /// How the project was loaded: a reload reads it the same way (with the same consent
    /// to read corpus files outside its folder).
    load_options: persist::LoadOptions,
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
            since_save: Vec::new(),
            recovery: None,
            journal_problem: None,
            backups: DEFAULT_BACKUPS,
            reanchored: Vec::new(),
            team: None,
            shared_schema: None,
            team_note: None,
            lock: None,
            read_only: None,
            disk: None,
            ignored_disk: None,
            // A project made in this window reads what its user chose.
            load_options: persist::LoadOptions {
                allow_outside: true,
                ..persist::LoadOptions::WINDOW
            },
        }
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

    /// Who holds the project, when this session opened it read-only.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// Applies an edit through the history (so it can be undone), and journals it.
    pub fn apply(&mut self, edit: Edit) -> Result<(), ApplyError> {
        self.apply_through(edit, History::apply)
    }

    /// Applies an edit that follows from the last one (see [`History::apply_joined`]), and
    /// journals it.
    pub fn apply_joined(&mut self, edit: Edit) -> Result<(), ApplyError> {
        self.apply_through(edit, History::apply_joined)
    }

    fn apply_through(
        &mut self,
        edit: Edit,
        apply: fn(&mut History, &mut Project, Edit) -> Result<(), EditError>,
    ) -> Result<(), ApplyError> {
        if let Some(holder) = &self.read_only {
            return Err(ApplyError::ReadOnly(holder.clone()));
        }
        let record = edit.clone();
        apply(&mut self.history, &mut self.project, edit)?;
        self.record(record);
        Ok(())
    }

    pub fn undo(&mut self) -> Option<Result<Edit, EditError>> {
        let result = self.history.undo(&mut self.project);
        if let Some(Ok(applied)) = &result {
            self.record(applied.clone());
        }
        result
    }

    pub fn redo(&mut self) -> Option<Result<Edit, EditError>> {
        let result = self.history.redo(&mut self.project);
        if let Some(Ok(applied)) = &result {
            self.record(applied.clone());
        }
        result
    }

    /// Keeps an applied edit, and appends it to the journal (started on the first edit
    /// after a load or a save). When the journal could not be written, the next edit tries
    /// again with a new journal that holds every edit since the save. While a crashed
    /// session's edits wait for a decision, their journal is left alone.
    fn record(&mut self, edit: Edit) {
        self.since_save.push(edit);
        if self.recovery.is_some() {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        let result = match &mut self.journal {
            Some(j) => self.since_save.last().map_or(Ok(()), |e| j.append(e)),
            None => {
                let base = self.disk.as_ref().map(|d| d.hash.clone());
                Journal::start(path, base).and_then(|mut j| {
                    self.since_save.iter().try_for_each(|e| j.append(e))?;
                    self.journal = Some(j);
                    Ok(())
                })
            }
        };
        if let Err(p) = result {
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
            self.journal = None;
        }
    }

    /// A journal failure not yet shown to the user.
    pub fn take_journal_problem(&mut self) -> Option<Problem> {
        self.journal_problem.take()
    }

    /// Whether the journal is being written (false after a failure, until the next edit
    /// manages to write a new one).
    pub fn journal_ok(&self) -> bool {
        self.journal.is_some() || self.since_save.is_empty() || self.path.is_none()
    }

    /// What the last save did to the team's file, once.
    pub fn take_team_note(&mut self) -> Option<String> {
        self.team_note.take()
    }

    /// Edits left by a session that ended without saving, waiting for a decision.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Replays the crashed session's edits (each one undoable, and journaled again). Returns
    /// how many were restored; one that no longer applies stops the replay, with the reason.
    /// A journal written for another version of the file has its ids made fresh where this
    /// version uses them already.
    pub fn restore(&mut self) -> (usize, Option<String>) {
        let Some(recovery) = self.recovery.take() else {
            return (0, None);
        };
        let mut map = IdMap::default();
        let mut restored = 0;
        for edit in recovery.edits {
            let edit = self.project.remap_edit(edit, &mut map);
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
    /// its journal goes. A read-only session's journal is its writer's: left alone.
    pub fn close(&mut self) -> Result<(), Problem> {
        if self.recovery.is_some() || self.read_only.is_some() {
            // Nobody decided: the crashed session's edits stay for the next opening.
            return Ok(());
        }
        self.journal = None;
        match &self.path {
            Some(p) => journal::discard(p),
            None => Ok(()),
        }
    }

    /// How many edits were applied since the last save or load (undos included).
    pub fn unsaved_changes(&self) -> usize {
        self.since_save.len()
    }

    /// True when the project differs from the file on disk (or was never saved).
    pub fn is_dirty(&self) -> bool {
        self.path.is_none() || self.history.version() != self.saved_version
    }

    /// The window title: project name, file, an unsaved-changes marker, read-only, and
    /// who annotates.
    pub fn title(&self) -> String {
        let marker = if self.is_dirty() { "● " } else { "" };
        let file = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| format!(" ({})", n.to_string_lossy()))
            .unwrap_or_default();
        let read_only = if self.read_only.is_some() {
            " [read-only]"
        } else {
            ""
        };
        // A name is one line of readable length in a title bar, whatever the file says.
        let name: String = self
            .project
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        // Who annotates, so that a shared screen or a screenshot says whose work it is.
        let by = self
            .annotator
            .as_deref()
            .map(|a| {
                format!(
                    " · {}",
                    a.chars()
                        .filter(|c| !c.is_control())
                        .take(60)
                        .collect::<String>()
                )
            })
            .unwrap_or_default();
        format!("{marker}{name}{file}{read_only}{by} — Marginalia")
    }
}
