//! The autosave journal: every edit applied since the last save, appended to a file beside
//! the project (`seed-news.ron.journal`) the moment it is applied. After a crash (or a
//! `kill -9`), opening the project finds the journal and offers to replay it.
//!
//! The first line names the project file the edits apply to, by the SHA-256 of its bytes, so
//! a journal is never replayed onto another version of the file (one saved since, or edited
//! by hand). Each further line is one [`Edit`] in RON. Lines reach the operating system at
//! once (a killed process loses nothing) and the disk within a second (`sync_if_due`); a
//! line torn by a power cut ends the replay there, and the report says so.

use crate::model::Edit;
use crate::persist::corpus::hash_bytes;
use crate::persist::{Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const VERSION: u32 = 1;
/// How long an appended line may wait for fsync.
pub const SYNC_AFTER: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
#[serde(rename = "Journal")]
struct Header {
    version: u32,
    /// `sha256:` of the project file the edits apply to.
    base: String,
}

/// `<project file>.journal`.
pub fn journal_path(project: &Path) -> PathBuf {
    let mut name = project.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// The SHA-256 of the project file as it is on disk.
fn base_of(project: &Path) -> Result<String, Problem> {
    std::fs::read(project)
        .map(|b| hash_bytes(&b))
        .map_err(|e| Problem::io(project, &e))
}

/// An open journal, appending.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// When the oldest line not yet on disk was written.
    unsynced: Option<Instant>,
}

impl Journal {
    /// Starts an empty journal for the project file, replacing any older journal. `base`
    /// is the hash of the file the edits apply to, as the session read it (`None`: the file
    /// as it is on disk now). Taken at load, not now: a file changed by another program
    /// since then is not what the edits were made on.
    pub fn start(project: &Path, base: Option<String>) -> Result<Self, Problem> {
        let path = journal_path(project);
        let base = match base {
            Some(b) => b,
            None => base_of(project)?,
        };
        let header = Header {
            version: VERSION,
            base,
        };
        let io = |e: std::io::Error| Problem::io(&path, &e);
        let line = ron::ser::to_string(&header)
            .map_err(|e| Problem::new(ProblemKind::Io, &path, e.to_string()))?;
        let mut file = File::create(&path).map_err(io)?;
        writeln!(file, "{line}").map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(Self {
            path,
            file,
            unsynced: None,
        })
    }

    /// Records an applied edit. The line is handed to the operating system before this
    /// returns, so it survives the process being killed.
    pub fn append(&mut self, edit: &Edit) -> Result<(), Problem> {
        let line = ron::ser::to_string(edit)
            .map_err(|e| Problem::new(ProblemKind::Io, &self.path, e.to_string()))?;
        // One write per line: a line is either all there or torn at the very end.
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        self.file
            .write_all(&bytes)
            .map_err(|e| Problem::io(&self.path, &e))?;
        self.unsynced.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Puts appended lines on the disk once they have waited [`SYNC_AFTER`]; called every
    /// frame, cheap when there is nothing to do.
    pub fn sync_if_due(&mut self) -> Result<(), Problem> {
        if self.unsynced.is_some_and(|t| t.elapsed() >= SYNC_AFTER) {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), Problem> {
        if self.unsynced.take().is_some() {
            self.file
                .sync_data()
                .map_err(|e| Problem::io(&self.path, &e))?;
        }
        Ok(())
    }
}

fn remove(path: &Path) -> Result<(), Problem> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Problem::io(path, &e)),
    }
}

/// Removes the journal of `project`, if any (after a save, or a decision to discard).
pub fn discard(project: &Path) -> Result<(), Problem> {
    remove(&journal_path(project))
}

/// What a journal left by an earlier session holds.
#[derive(Debug)]
pub struct Recovery {
    pub edits: Vec<Edit>,
    /// Why the replay stops early (a torn last line), if it does.
    pub note: Option<Problem>,
    /// The journal was written for another version of the file (it changed since, by
    /// another program): its edits are for the user to review, never replayed blindly.
    pub other_version: bool,
}

/// The edits of a journal left beside `project`, if any, and whether they were made on this
/// version of the file.
pub fn pending(project: &Path) -> Result<Option<Recovery>, Problem> {
    let path = journal_path(project);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Problem::io(&path, &e)),
    };
    let mut lines = BufReader::new(file).lines();
    let Some(Ok(first)) = lines.next() else {
        return Ok(None);
    };
    let Ok(header) = ron::from_str::<Header>(&first) else {
        return Err(Problem::new(
            ProblemKind::Syntax,
            &path,
            "this is not a Marginalia journal (its first line is not a journal header)",
        )
        .at_line(Some(1)));
    };
    if header.version > VERSION {
        return Err(Problem::new(
            ProblemKind::NewerVersion,
            &path,
            format!(
                "journal version {} was written by a newer Marginalia",
                header.version
            ),
        )
        .at_line(Some(1)));
    }
    let other_version = base_of(project)? != header.base;
    let mut edits = Vec::new();
    let mut note = None;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let parsed = line
            .map_err(|e| e.to_string())
            .and_then(|l| ron::from_str::<Edit>(&l).map_err(|e| e.to_string()));
        match parsed {
            Ok(edit) => edits.push(edit),
            Err(e) => {
                note = Some(
                    Problem::new(
                        ProblemKind::Syntax,
                        &path,
                        format!(
                            "line {n} cannot be read ({e}); the {} changes before it can be restored",
                            edits.len()
                        ),
                    )
                    .at_line(Some(n)),
                );
                break;
            }
        }
    }
    Ok((!edits.is_empty() || note.is_some()).then_some(Recovery {
        edits,
        note,
        other_version,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocId, Status};

    fn edit(n: usize) -> Edit {
        Edit::SetStatus {
            doc: DocId(n),
            status: Status::Done,
        }
    }

    #[test]
    fn a_journal_replays_for_its_file_only_and_stops_at_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p.ron");
        std::fs::write(&project, "saved").unwrap();
        assert!(pending(&project).unwrap().is_none());
        let mut j = Journal::start(&project, None).unwrap();
        j.append(&edit(0)).unwrap();
        j.append(&edit(1)).unwrap();
        // Killed here: nothing synced, nothing removed. The lines are there anyway.
        drop(j);
        let r = pending(&project).unwrap().unwrap();
        assert_eq!(r.edits, [edit(0), edit(1)]);
        assert!(r.note.is_none());
        // A torn last line: the edits before it are kept, and that is said.
        let jp = journal_path(&project);
        let mut text = std::fs::read_to_string(&jp).unwrap();
        text.push_str("SetStatus(doc: 2, sta");
        std::fs::write(&jp, text).unwrap();
        let r = pending(&project).unwrap().unwrap();
        assert_eq!(r.edits.len(), 2);
        assert!(r.note.unwrap().to_string().contains("p.ron.journal:4"));
        assert!(!r.other_version);
        // The project file changed since: the edits are offered for review, not replayed.
        std::fs::write(&project, "saved again").unwrap();
        assert!(pending(&project).unwrap().unwrap().other_version);
        discard(&project).unwrap();
        assert!(!jp.exists());
    }
}
