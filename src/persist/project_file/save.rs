//! Writing the project file: deterministic (an unchanged project gives identical bytes, so
//! a team can diff it in git), fast on big projects, atomic, with backups.

use super::{DocumentRecord, FORMAT_VERSION, HEADER, project_dir};
use crate::model::{DocSource, Document, Project};
use crate::persist::atomic::{AtomicError, write_atomic_then};
use crate::persist::backup::{DEFAULT_BACKUPS, rotate};
use crate::persist::paths::relative_to;
use crate::persist::problem::{Problem, ProblemKind};
use std::borrow::Cow;
use std::path::Path;

/// The project as the text of its file: deterministic, so saving an unchanged project gives
/// identical bytes and a team can diff projects in git.
pub fn project_to_ron(project: &Project, project_path: &Path) -> Result<String, Problem> {
    let base = project_dir(project_path);
    // The documents of a JSONL corpus share one path: worked out once, not per document.
    let mut last: Option<(&Path, String)> = None;
    let documents: Vec<DocumentRecord<'_>> = project
        .documents
        .iter()
        .map(|d| {
            let source = d.source.path();
            let path = match &last {
                Some((p, rel)) if *p == source => rel.clone(),
                _ => {
                    let rel = relative_to(&base, source);
                    last = Some((source, rel.clone()));
                    rel
                }
            };
            record_of(d, path)
        })
        .collect();
    let failed = |e: ron::Error| {
        Problem::new(
            ProblemKind::Io,
            project_path,
            format!("cannot serialise the project: {e}"),
        )
    };
    let config = || {
        ron::ser::PrettyConfig::new()
            .struct_names(true)
            .new_line("\n")
            .indentor("    ")
    };
    let name = ron::ser::to_string(&project.name).map_err(failed)?;
    // Written straight into `out`, indented on the way: a copy of a big project's text per
    // step would double the memory and the time a save takes.
    let mut out = String::with_capacity(HEADER.len() + 4096 + project.span_count() * 160);
    out.push_str(HEADER);
    out.push_str("Project(\n");
    out.push_str(&format!("    version: {FORMAT_VERSION},\n"));
    out.push_str(&format!("    name: {name},\n"));
    if let Some(command) = &project.suggest_command {
        let command = ron::ser::to_string(command).map_err(failed)?;
        out.push_str(&format!("    suggest_command: Some({command}),\n"));
    }
    // The schema is small and read by people: one label per block, one attribute per line.
    out.push_str("    schema: ");
    ron::ser::to_writer_pretty(Indented(&mut out), &project.schema, config().depth_limit(4))
        .map_err(failed)?;
    // Documents are big and diffed: one span or relation per line (depth 4 of the list).
    out.push_str(",\n    documents: ");
    let pieces = documents_in_pieces(&documents, || config().depth_limit(3)).map_err(failed)?;
    match pieces {
        None => ron::ser::to_writer_pretty(Indented(&mut out), &documents, config().depth_limit(3))
            .map_err(failed)?,
        Some(pieces) => {
            use std::fmt::Write;
            let mut w = Indented(&mut out);
            let _ = w.write_str("[\n");
            for piece in &pieces {
                let _ = w.write_str(piece);
            }
            let _ = w.write_str("]");
        }
    }
    out.push_str(",\n)\n");
    Ok(out)
}

/// A document as its file records it, borrowing the annotations; `path` is its source
/// relative to the project's folder.
fn record_of(d: &Document, path: String) -> DocumentRecord<'_> {
    DocumentRecord {
        id: Cow::Borrowed(&d.id),
        path,
        line: match d.source {
            DocSource::JsonlLine { line, .. } => Some(line),
            DocSource::TextFile(_) => None,
        },
        hash: Cow::Borrowed(&d.hash),
        len: d.text.len(),
        status: d.status,
        meta: Cow::Borrowed(&d.meta),
        spans: Cow::Borrowed(d.spans()),
        relations: Cow::Borrowed(d.relations()),
        suggestions: Cow::Borrowed(d.suggestions()),
        unanchored: Cow::Borrowed(d.unanchored()),
        unanchored_relations: Cow::Borrowed(d.unanchored_relations()),
    }
}

/// A big documents list serialised on all cores: each thread writes a run of documents as
/// a list of its own, which is laid out exactly like the same documents in the whole list;
/// the runs without their brackets are the inside of the whole list. `None` for a list
/// small enough for one thread.
fn documents_in_pieces(
    documents: &[DocumentRecord<'_>],
    config: impl Fn() -> ron::ser::PrettyConfig + Sync,
) -> Result<Option<Vec<String>>, ron::Error> {
    /// Spans below which one thread is as fast.
    const MIN_SPANS: usize = 20_000;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let spans: usize = documents.iter().map(|d| d.spans.len()).sum();
    if threads < 2 || spans < MIN_SPANS || documents.len() < threads {
        return Ok(None);
    }
    let per = documents.len().div_ceil(threads);
    let config = &config;
    std::thread::scope(|scope| {
        let handles: Vec<_> = documents
            .chunks(per)
            .map(|run| scope.spawn(move || ron::ser::to_string_pretty(run, config())))
            .collect();
        let mut pieces = Vec::with_capacity(handles.len());
        for h in handles {
            let text = h
                .join()
                .map_err(|_| ron::Error::Message("a serialising thread failed".into()))??;
            // "[\n" + the documents + "]": keep the documents.
            let inner = text
                .strip_prefix("[\n")
                .and_then(|t| t.strip_suffix(']'))
                .ok_or_else(|| ron::Error::Message("unexpected list layout".into()))?;
            pieces.push(inner.to_owned());
        }
        Ok(Some(pieces))
    })
}

/// Appends to a string, indenting every new line by four spaces.
struct Indented<'a>(&'a mut String);

impl std::fmt::Write for Indented<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        // ron writes a token, or one character of an escaped string, at a time: most writes
        // have no line break.
        if !s.contains('\n') {
            self.0.push_str(s);
            return Ok(());
        }
        let mut lines = s.split('\n');
        if let Some(first) = lines.next() {
            self.0.push_str(first);
        }
        for line in lines {
            self.0.push_str("\n    ");
            self.0.push_str(line);
        }
        Ok(())
    }

    fn write_char(&mut self, c: char) -> std::fmt::Result {
        if c == '\n' {
            self.0.push_str("\n    ");
        } else {
            self.0.push(c);
        }
        Ok(())
    }
}

/// Saves atomically, keeping the last [`DEFAULT_BACKUPS`] versions: on any error the
/// previous file is untouched.
pub fn save_project(project: &Project, path: &Path) -> Result<(), Problem> {
    save_project_keeping(project, path, DEFAULT_BACKUPS)
}

/// Saves atomically, keeping the last `backups` versions as `<file>.bak1`... (0: none).
pub fn save_project_keeping(project: &Project, path: &Path, backups: usize) -> Result<(), Problem> {
    let text = project_to_ron(project, path)?;
    write_project_text(path, &text, backups)
}

/// Writes a project's text (see [`project_to_ron`]) to `path` atomically. The new file is
/// written and synced first; only then does the version on disk become `<file>.bak1` (and
/// only when it differs from the newest backup, so saving an unchanged project keeps no
/// copies of itself), and the new file replace it. A failed write changes nothing: not the
/// file, not the backups.
pub fn write_project_text(path: &Path, text: &str, backups: usize) -> Result<(), Problem> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        // Nothing to write, nothing to back up.
        remove_stale_temp_files(path);
        return Ok(());
    }
    let rotated = |e: std::io::Error| {
        Problem::new(
            ProblemKind::Io,
            path,
            format!("cannot keep a backup of the previous version ({e}); not saved"),
        )
    };
    write_atomic_then(path, text.as_bytes(), || rotate(path, backups)).map_err(|e| match e {
        AtomicError::Write(e) => Problem::io(path, &e),
        AtomicError::Before(e) => rotated(e),
    })?;
    remove_stale_temp_files(path);
    Ok(())
}

/// Temporary files of this project older than an hour were left by a save that was killed
/// (a live save finishes in well under a second): they are removed. Best effort.
fn remove_stale_temp_files(path: &Path) {
    remove_temp_files_older_than(path, std::time::Duration::from_secs(3600));
}

/// Every temporary file a save of this project left behind, whatever its age: for the holder
/// of the project's lock, when it opens the project (no other save can be under way).
pub fn remove_temp_files(path: &Path) {
    remove_temp_files_older_than(path, std::time::Duration::ZERO);
}

fn remove_temp_files_older_than(path: &Path, age: std::time::Duration) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|a| a >= age);
        if file.starts_with(&prefix) && file.ends_with(".tmp") && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod pieces_tests {
    use super::*;

    /// A big project is written on several threads: byte for byte what one thread writes.
    #[test]
    fn documents_written_in_pieces_are_the_same_text() {
        let dir = Path::new("/tmp");
        let project = crate::generate::project(30, 80_000, 30, 7, dir);
        assert!(project.span_count() > 20_000);
        let documents: Vec<DocumentRecord<'_>> = project
            .documents
            .iter()
            .map(|d| record_of(d, relative_to(dir, d.source.path())))
            .collect();
        let config = || {
            ron::ser::PrettyConfig::new()
                .struct_names(true)
                .new_line("\n")
                .indentor("    ")
                .depth_limit(3)
        };
        let whole = ron::ser::to_string_pretty(&documents, config()).unwrap();
        let pieces = documents_in_pieces(&documents, config).unwrap().unwrap();
        assert!(pieces.len() > 1 || std::thread::available_parallelism().unwrap().get() < 2);
        assert_eq!(format!("[\n{}]", pieces.concat()), whole);
    }
}
