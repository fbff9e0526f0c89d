//! One writer per project. A window that opens a project for editing, and every command
//! that writes one, holds an operating-system lock on `<project>.lock` (as SQLite and Vim
//! keep a file beside what they edit). The kernel releases the lock when its holder ends,
//! however it ends, so a lock left by a crash is never in the way; the file's text only says
//! who holds it (process id, host, since when) for the message the next writer sees.

use crate::persist::{Problem, ProblemKind};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// `<project file>.lock`.
pub fn lock_path(project: &Path) -> PathBuf {
    let mut name = project.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The lock of a project, held until dropped.
#[derive(Debug)]
pub struct ProjectLock {
    path: PathBuf,
    file: File,
}

/// Why a project could not be locked.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it: who, as its lock file says.
    Held { path: PathBuf, holder: String },
    /// The lock file could not be made (a read-only folder...).
    Io(Problem),
}

impl LockError {
    /// As a problem located at the project file, for the command line and dialogs.
    pub fn problem(&self, project: &Path) -> Problem {
        match self {
            LockError::Held { holder, .. } => Problem::new(
                ProblemKind::Locked,
                project,
                format!(
                    "is open for editing elsewhere ({holder}); close it there first (nothing was \
                     changed)"
                ),
            ),
            LockError::Io(p) => p.clone(),
        }
    }
}

impl ProjectLock {
    /// Takes the lock of `project`, or says who holds it.
    pub fn acquire(project: &Path) -> Result<Self, LockError> {
        let path = lock_path(project);
        let io = |e: std::io::Error| LockError::Io(Problem::io(&path, &e));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = text.trim();
                let holder = if holder.is_empty() {
                    "another Marginalia".to_owned()
                } else {
                    holder.to_owned()
                };
                return Err(LockError::Held { path, holder });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let who = format!(
            "process {} on {}, since {}",
            std::process::id(),
            host_name(),
            now_text()
        );
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(who.as_bytes()).map_err(io)?;
        Ok(Self { path, file })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ProjectLock {
    /// The file goes first, then the lock (with the file handle): nobody can take a lock on
    /// a file that is about to disappear.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// This computer's name, for the holder's description.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this computer".to_owned())
}

/// The time now in UTC, `2026-12-04 21:33 UTC` (no calendar crate for one message).
fn now_text() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| utc_text(d.as_secs()))
        .unwrap_or_default()
}

/// Seconds since 1970 as a UTC date and time (Howard Hinnant's days-to-civil algorithm).
fn utc_text(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hour, minute) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_who_holds_the_lock_and_a_released_lock_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p.ron");
        let first = ProjectLock::acquire(&project).unwrap();
        assert!(lock_path(&project).exists());
        match ProjectLock::acquire(&project) {
            Err(LockError::Held { holder, .. }) => {
                assert!(
                    holder.contains(&format!("process {}", std::process::id())),
                    "{holder}"
                );
            }
            other => panic!("expected the lock to be held, got {other:?}"),
        }
        let message = ProjectLock::acquire(&project)
            .unwrap_err()
            .problem(&project)
            .to_string();
        assert!(message.contains("open for editing elsewhere"), "{message}");
        drop(first);
        assert!(
            !lock_path(&project).exists(),
            "the lock file goes with the lock"
        );
        let again = ProjectLock::acquire(&project).unwrap();
        assert_eq!(again.path(), lock_path(&project));
    }

    #[test]
    fn the_holder_says_when_in_a_readable_date() {
        assert_eq!(utc_text(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_text(1_796_420_214), "2026-12-04 21:36 UTC");
    }

    #[test]
    fn a_lock_file_left_behind_without_its_lock_is_no_obstacle() {
        // A crash leaves the file; the kernel has released the lock with the process.
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p.ron");
        std::fs::write(lock_path(&project), "process 1 on elsewhere").unwrap();
        assert!(ProjectLock::acquire(&project).is_ok());
    }
}
