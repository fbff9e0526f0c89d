//! The session and its file on disk, when others may write it too.
//!
//! - **One writer.** Opening takes the project's lock ([`ProjectLock`]); when another window
//!   or command holds it, the project opens read-only and says who holds it.
//! - **No silent overwrite.** The session remembers the file as it read or wrote it (its
//!   hash, taken before the load, so a change racing the load is seen as a change). A save
//!   first checks the file is still that; if another program changed it, the save is
//!   refused with [`ProblemKind::ChangedOnDisk`] and the user chooses: reload (the edits made
//!   since the last save are applied on top), save elsewhere, or overwrite on purpose.
//! - **Noticed while idle.** [`Session::check_disk`] looks at the file's size and time
//!   (cheap, every few seconds), and at its hash only when those moved.

use super::Session;
use crate::model::{EditError, History, IdMap};
use crate::persist::corpus::hash_bytes;
use crate::persist::journal;
use crate::persist::lock::{LockError, ProjectLock};
use crate::persist::{self, LoadError, LoadOptions, Problem, ProblemKind};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Why an edit was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("this project is open read-only: another window holds it ({0})")]
    ReadOnly(String),
}

/// The file as a session last read or wrote it.
#[derive(Clone, Debug)]
pub(super) struct DiskState {
    pub(super) hash: String,
    len: u64,
    modified: Option<SystemTime>,
}

impl DiskState {
    /// The file at `path` now; `None` when it does not exist.
    fn read(path: &Path) -> Result<Option<Self>, Problem> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Problem::io(path, &e)),
        };
        Ok(Some(Self::of(path, &bytes)))
    }

    /// The file at `path`, which holds `bytes` (just written, or just read).
    fn of(path: &Path, bytes: &[u8]) -> Self {
        let meta = std::fs::metadata(path).ok();
        Self {
            hash: hash_bytes(bytes),
            len: meta.as_ref().map_or(bytes.len() as u64, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        }
    }

    /// The file's size and time are still what they were (nothing to hash).
    fn looks_unchanged(&self, path: &Path) -> bool {
        std::fs::metadata(path)
            .is_ok_and(|m| m.len() == self.len && m.modified().ok() == self.modified)
    }
}

/// What a reload did: the edits re-applied on top of the file, those that no longer apply,
/// and how many ids had to change because the other writer used them.
#[derive(Debug, Default)]
pub struct ReloadReport {
    pub reapplied: usize,
    pub failed: Vec<String>,
    pub ids_changed: usize,
}

impl Session {
    /// Opens a project the user trusts (its corpus paths may leave its folder), re-anchoring
    /// the spans of changed corpus files; see [`Session::open_with`].
    pub fn open(path: &Path) -> Result<(Self, Vec<Problem>), LoadError> {
        let options = LoadOptions {
            allow_outside: true,
            ..LoadOptions::WINDOW
        };
        Self::open_with(path, options)
    }

    /// Opens a project for editing: takes its lock (read-only, with the holder named, when
    /// another window or command has it), and finds the edits a crashed session left in
    /// its journal (see [`Session::recovery`]), which are not applied until the user says
    /// so. When spans were re-anchored the project differs from its file, so it opens with
    /// unsaved changes (the next save, or autosave, writes the new offsets).
    pub fn open_with(path: &Path, options: LoadOptions) -> Result<(Self, Vec<Problem>), LoadError> {
        // Before the load: a change racing it then looks like a change, never like nothing.
        let disk = DiskState::read(path)?;
        let loaded = persist::load_project_with(path, options)?;
        let mut warnings = loaded.warnings;
        let mut session = Self::new(loaded.project, Some(path.to_owned()));
        session.disk = disk;
        session.load_options = options;
        let team_changed = loaded.team.as_ref().is_some_and(|t| t.changed());
        if !loaded.reanchored.is_empty() || team_changed {
            // No state of a fresh history has this version.
            session.saved_version = u64::MAX;
        }
        session.reanchored = loaded.reanchored;
        if loaded.team.is_some() {
            session.shared_schema = Some(session.project.schema.clone());
        }
        session.team = loaded.team;
        match ProjectLock::acquire(path) {
            Ok(lock) => session.lock = Some(lock),
            Err(LockError::Held { holder, .. }) => session.read_only = Some(holder),
            // A folder where no lock file can be made: editing goes on, and that is said.
            Err(LockError::Io(p)) => warnings.push(p),
        }
        if session.read_only.is_some() {
            // The journal beside it is the live writer's, not a crashed session's.
            return Ok((session, warnings));
        }
        // Holding the lock, no save of this project is under way: its temp files are leftovers.
        persist::remove_temp_files(path);
        match journal::pending(path) {
            Ok(recovery) => session.recovery = recovery,
            // An unreadable journal is kept as it is and said; the project opens.
            Err(p) => warnings.push(p),
        }
        Ok((session, warnings))
    }

    /// A session opened read-only tries the lock again (the window that held it, this very
    /// window's previous session when a project is opened anew, may have let it go). Once
    /// it writes, it looks for a crashed session's journal as an opening does. True when it
    /// can write now.
    pub fn retry_lock(&mut self) -> bool {
        let (Some(path), Some(_)) = (self.path.clone(), &self.read_only) else {
            return self.read_only.is_none();
        };
        let Ok(lock) = ProjectLock::acquire(&path) else {
            return false;
        };
        self.lock = Some(lock);
        self.read_only = None;
        persist::remove_temp_files(&path);
        if let Ok(recovery) = journal::pending(&path) {
            self.recovery = recovery;
        }
        true
    }

    /// Saves to `path` (or the current path) atomically, and remembers it. Refused, with
    /// nothing written, when the file is the session's own and another program changed it
    /// since it was read ([`ProblemKind::ChangedOnDisk`]), or when another writer holds the
    /// target ([`ProblemKind::Locked`]).
    pub fn save(&mut self, path: Option<&Path>) -> Result<PathBuf, Problem> {
        self.save_checked(path, true)
    }

    /// Saves over a file that changed on disk, on purpose (the user was asked).
    pub fn save_overwriting(&mut self) -> Result<PathBuf, Problem> {
        self.save_checked(None, false)
    }

    fn save_checked(&mut self, path: Option<&Path>, check: bool) -> Result<PathBuf, Problem> {
        let target = match (path, &self.path) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) => p.clone(),
            (None, None) => {
                return Err(Problem::new(
                    ProblemKind::Io,
                    Path::new(&self.project.name),
                    "this project has no file yet; use Save As",
                ));
            }
        };
        let same_file = self.path.as_deref() == Some(target.as_path());
        let lock = self.lock_for(&target, same_file)?;
        if check && same_file && self.changed_on_disk()? {
            return Err(Problem::new(
                ProblemKind::ChangedOnDisk,
                &target,
                "changed on disk since it was opened (another program saved it); reload to \
                 keep both, or save elsewhere; nothing was written",
            ));
        }
        let text = persist::project_to_ron(&self.project, &target)?;
        persist::write_project_text(&target, &text, self.backups)?;
        self.disk = Some(DiskState::of(&target, text.as_bytes()));
        self.ignored_disk = None;
        if let Some(lock) = lock {
            self.lock = Some(lock);
            self.read_only = None;
        }
        self.saved(target.clone());
        self.share_schema(&target);
        Ok(target)
    }

    /// After a save of an annotator's file whose schema the annotator changed: the team's
    /// file gets it too, so it reaches every annotator (see `persist::team`).
    fn share_schema(&mut self, target: &Path) {
        let Some(known) = &self.shared_schema else {
            return;
        };
        if *known == self.project.schema {
            return;
        }
        let team = persist::team::team_of(target);
        self.team_note = match persist::team::share_schema(target, known, &self.project.schema) {
            Ok(Some(shared)) => {
                self.shared_schema = Some(self.project.schema.clone());
                let update = &shared.update;
                let kept = if update.kept.is_empty() {
                    String::new()
                } else {
                    format!(" (it kept what its spans use: {})", update.kept.join(", "))
                };
                team.map(|t| {
                    let t = persist::paths::for_display(&t);
                    if shared.both {
                        format!(
                            "The team's schema in {t} had changed since your file took it: \
                             your changes were added to it, nothing of the others' removed{kept}. \
                             Reopen your file to take theirs."
                        )
                    } else {
                        format!("The team's file {t} has your schema now{kept}.")
                    }
                })
            }
            Ok(None) => None,
            Err(p) => Some(format!(
                "Your schema change is in your file only, not yet the team's: {p}"
            )),
        };
    }

    /// The lock a save to `target` needs: none when this session holds it already, a new
    /// one for another file (or for its own file, when it has none yet).
    fn lock_for(&self, target: &Path, same_file: bool) -> Result<Option<ProjectLock>, Problem> {
        if same_file && self.lock.is_some() {
            return Ok(None);
        }
        match ProjectLock::acquire(target) {
            Ok(lock) => Ok(Some(lock)),
            Err(e @ LockError::Held { .. }) => Err(e.problem(target)),
            // No lock file possible there: the save itself will say what is wrong, if anything.
            Err(LockError::Io(_)) => Ok(None),
        }
    }

    /// After a save to `target`: the journal's edits are in the file now (after Save As the
    /// old file's journal goes too), and a crashed session's edits nobody decided on are
    /// set aside, not lost.
    fn saved(&mut self, target: PathBuf) {
        if let Err(problem) = self.discard_recovery() {
            self.journal_problem = Some(problem);
        }
        self.journal = None;
        self.since_save.clear();
        let old = self.path.replace(target.clone());
        for p in old.iter().chain(std::iter::once(&target)) {
            if let Err(problem) = journal::discard(p) {
                self.journal_problem = Some(problem);
            }
        }
        self.saved_version = self.history.version();
    }

    /// Whether the session's file is no longer what this session read or wrote.
    pub fn changed_on_disk(&self) -> Result<bool, Problem> {
        let (Some(path), Some(known)) = (&self.path, &self.disk) else {
            return Ok(false);
        };
        if known.looks_unchanged(path) {
            return Ok(false);
        }
        Ok(DiskState::read(path)?.is_none_or(|now| now.hash != known.hash))
    }

    /// For the window, every few seconds: true once per new version of the file that
    /// another program wrote (a version the user chose to keep ignoring is not reported
    /// again). Cheap while the file's size and time stay the same.
    pub fn check_disk(&mut self) -> bool {
        let (Some(path), Some(known)) = (&self.path, &self.disk) else {
            return false;
        };
        if known.looks_unchanged(path) {
            return false;
        }
        let Ok(Some(now)) = DiskState::read(path) else {
            return false;
        };
        if now.hash == known.hash || self.ignored_disk.as_deref() == Some(now.hash.as_str()) {
            return false;
        }
        self.ignored_disk = Some(now.hash);
        true
    }

    /// Reads the file again as another program left it (the way it was opened), and applies
    /// on top of it every edit made here since the last save (ids made fresh where the other
    /// writer used them; an edit that no longer applies is skipped and named). The history
    /// starts anew: the re-applied edits are one step each, undoable.
    pub fn reload(&mut self) -> Result<ReloadReport, LoadError> {
        let Some(path) = self.path.clone() else {
            return Ok(ReloadReport::default());
        };
        let disk = DiskState::read(&path)?;
        let loaded = persist::load_project_with(&path, self.load_options)?;
        let edits = std::mem::take(&mut self.since_save);
        self.project = loaded.project;
        if loaded.team.is_some() {
            self.shared_schema = Some(self.project.schema.clone());
        }
        self.history = History::default();
        self.saved_version = if loaded.team.as_ref().is_some_and(|t| t.changed()) {
            // It took the team's changes: it differs from its file.
            u64::MAX
        } else {
            self.history.version()
        };
        self.disk = disk;
        self.ignored_disk = None;
        // The old journal was for the old file: the re-applied edits start a new one.
        self.journal = None;
        if let Err(p) = journal::discard(&path) {
            self.journal_problem = Some(p);
        }
        let mut report = ReloadReport::default();
        let mut map = IdMap::default();
        for edit in edits {
            let description = edit.describe();
            let edit = self.project.remap_edit(edit, &mut map);
            match self.apply(edit) {
                Ok(()) => report.reapplied += 1,
                Err(e) => report.failed.push(format!("{description}: {e}")),
            }
        }
        report.ids_changed = map.len();
        Ok(report)
    }
}
