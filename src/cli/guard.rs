//! What a command that writes a project checks first: nobody else is writing it (its lock),
//! and no window session left changes in its journal.

use crate::persist::lock::{LockError, ProjectLock};
use crate::persist::{self, LoadError, Problem, ProblemKind};
use std::path::Path;

/// The project's lock, for a command that writes it: refused, naming the holder, while a
/// window (or another command) has the project open for editing. Where no lock file can be
/// made (a read-only folder), the command goes on and its own write says what is wrong.
pub(super) fn lock_for_writing(project: &Path) -> Result<Option<ProjectLock>, LoadError> {
    match ProjectLock::acquire(project) {
        Ok(lock) => Ok(Some(lock)),
        Err(e @ LockError::Held { .. }) => Err(e.problem(project).into()),
        Err(LockError::Io(_)) => Ok(None),
    }
}

pub(super) fn no_pending_journal(project: &Path) -> Result<(), LoadError> {
    if let Some(r) = persist::journal::pending(project)? {
        return Err(Problem::new(
            ProblemKind::Invalid,
            project,
            format!(
                "{} holds {} a window session did not save; open the project in the window \
                 to restore or discard them first",
                persist::journal::journal_path(project).display(),
                crate::model::text::plural(r.edits.len(), "change", "changes")
            ),
        )
        .into());
    }
    Ok(())
}
