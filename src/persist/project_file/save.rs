//! Writing the project file: deterministic (an unchanged project gives identical bytes, so
//! a team can diff it in git), fast on big projects, atomic, with backups.

use super::{DocumentRecord, FORMAT_VERSION, HEADER, project_dir};
use crate::model::{DocSource, Document, Project};
use crate::persist::atomic::{AtomicError, write_atomic_streamed};
use crate::persist::backup::{DEFAULT_BACKUPS, rotate};
use crate::persist::paths::relative_to;
use crate::persist::problem::{Problem, ProblemKind};
use std::borrow::Cow;
use std::path::Path;

/// The project as the text of its file: deterministic, so saving an unchanged project gives
/// identical bytes and a team can diff projects in git. (A save streams the same text into
/// the file instead, see [`write_project`].)
pub fn project_to_ron(project: &Project, project_path: &Path) -> Result<String, Problem> {
    let mut out = Vec::with_capacity(HEADER.len() + 4096 + project.span_count() * 160);
    write_project(project, project_path, &mut out)?;
    String::from_utf8(out).map_err(|e| {
        Problem::new(
            ProblemKind::Io,
            project_path,
            format!("cannot serialise the project: {e}"),
        )
    })
}

/// Documents serialised together, one thread's share of a batch: at most this many
/// documents or about this many annotations (spans, relations, suggestions). Small enough
/// that a batch is some tens of megabytes of text, so a save never holds the whole file's
/// text (a million documents are 400 MB of it); big enough that the threads' start and
/// finish do not count.
#[derive(Clone, Copy)]
struct Runs {
    documents: usize,
    annotations: usize,
}

const RUNS: Runs = Runs {
    documents: 10_000,
    annotations: 100_000,
};

/// Writes the project's text (see [`project_to_ron`]) into `out`, a run of documents at a
/// time: each run is serialised as a list of its own (on all cores when there are several
/// runs), which is laid out exactly like the same documents in the whole list, and its
/// inside is written indented. Errors name `project_path`.
pub fn write_project(
    project: &Project,
    project_path: &Path,
    out: &mut dyn std::io::Write,
) -> Result<(), Problem> {
    write_project_in(RUNS, project, project_path, out)
}

fn write_project_in(
    runs: Runs,
    project: &Project,
    project_path: &Path,
    out: &mut dyn std::io::Write,
) -> Result<(), Problem> {
    let failed = |e: ron::Error| {
        Problem::new(
            ProblemKind::Io,
            project_path,
            format!("cannot serialise the project: {e}"),
        )
    };
    let written = |e: std::io::Error| Problem::io(project_path, &e);
    let config = || {
        ron::ser::PrettyConfig::new()
            .struct_names(true)
            .new_line("\n")
            .indentor("    ")
    };
    let name = ron::ser::to_string(&project.name).map_err(failed)?;
    let mut head = String::with_capacity(HEADER.len() + 4096);
    head.push_str(HEADER);
    head.push_str("Project(\n");
    head.push_str(&format!("    version: {FORMAT_VERSION},\n"));
    head.push_str(&format!("    name: {name},\n"));
    if let Some(command) = &project.suggest_command {
        let command = ron::ser::to_string(command).map_err(failed)?;
        head.push_str(&format!("    suggest_command: Some({command}),\n"));
    }
    // The schema is small and read by people: one label per block, one attribute per line.
    head.push_str("    schema: ");
    ron::ser::to_writer_pretty(
        Indented(&mut head),
        &project.schema,
        config().depth_limit(4),
    )
    .map_err(failed)?;
    // Documents are big and diffed: one span or relation per line (depth 4 of the list).
    head.push_str(",\n    documents: ");
    if project.documents.is_empty() {
        head.push_str("[]");
    } else {
        head.push_str("[\n    ");
    }
    out.write_all(head.as_bytes()).map_err(written)?;
    let doc_config = || config().depth_limit(3);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let mut paths = RelativePaths::new(project_path);
    let mut chunk = String::new();
    for batch in batches(&project.documents, threads, runs) {
        let records: Vec<Vec<DocumentRecord<'_>>> = batch
            .iter()
            .map(|run| run.iter().map(|d| record_of(d, paths.of(d))).collect())
            .collect();
        for piece in serialise_runs(&records, doc_config).map_err(failed)? {
            chunk.clear();
            // "[\n" + the documents + "]": the documents, indented into the whole list.
            let inner = piece
                .strip_prefix("[\n")
                .and_then(|t| t.strip_suffix(']'))
                .ok_or_else(|| failed(ron::Error::Message("unexpected list layout".into())))?;
            let _ = std::fmt::Write::write_str(&mut Indented(&mut chunk), inner);
            out.write_all(chunk.as_bytes()).map_err(written)?;
        }
    }
    let tail = if project.documents.is_empty() {
        ",\n)\n"
    } else {
        // The last document's line break was indented like one more document would be.
        "],\n)\n"
    };
    out.write_all(tail.as_bytes()).map_err(written)?;
    Ok(())
}

/// Each document's source relative to the project's folder. The documents of a JSONL corpus
/// share one path: worked out once, not per document (it asks for the working folder).
struct RelativePaths<'a> {
    base: std::path::PathBuf,
    last: Option<(&'a Path, String)>,
}

impl<'a> RelativePaths<'a> {
    fn new(project_path: &Path) -> Self {
        Self {
            base: project_dir(project_path),
            last: None,
        }
    }

    fn of(&mut self, d: &'a Document) -> String {
        let source = d.source.path();
        match &self.last {
            Some((p, rel)) if *p == source => rel.clone(),
            _ => {
                let rel = relative_to(&self.base, source);
                self.last = Some((source, rel.clone()));
                rel
            }
        }
    }
}

/// The documents cut into `runs`, grouped `threads` runs to a batch.
fn batches(documents: &[Document], threads: usize, runs_of: Runs) -> Vec<Vec<&[Document]>> {
    let mut runs: Vec<&[Document]> = Vec::new();
    let mut start = 0;
    let mut annotations = 0;
    for (i, d) in documents.iter().enumerate() {
        annotations += d.spans().len() + d.relations().len() + d.suggestions().len();
        if i + 1 - start >= runs_of.documents || annotations >= runs_of.annotations {
            runs.extend(documents.get(start..=i));
            start = i + 1;
            annotations = 0;
        }
    }
    runs.extend(documents.get(start..).filter(|r| !r.is_empty()));
    runs.chunks(threads.max(1)).map(<[_]>::to_vec).collect()
}

/// Each run as the text of a list of its own, in order; on a thread each when there are
/// several.
fn serialise_runs(
    runs: &[Vec<DocumentRecord<'_>>],
    config: impl Fn() -> ron::ser::PrettyConfig + Sync,
) -> Result<Vec<String>, ron::Error> {
    if runs.len() < 2 {
        return runs
            .iter()
            .map(|run| ron::ser::to_string_pretty(run, config()))
            .collect();
    }
    let config = &config;
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|run| scope.spawn(move || ron::ser::to_string_pretty(run, config())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| ron::Error::Message("a serialising thread failed".into()))?
            })
            .collect()
    })
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
        hash: Cow::Owned(d.hash.to_string()),
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
    save_streamed(path, backups, |out| write_project(project, path, out))
}

/// Writes a project's text (see [`project_to_ron`]) to `path` like [`save_project_keeping`].
pub fn write_project_text(path: &Path, text: &str, backups: usize) -> Result<(), Problem> {
    save_streamed(path, backups, |out| {
        out.write_all(text.as_bytes())
            .map_err(|e| Problem::io(path, &e))
    })
}

/// Writes the text `write` streams to `path` atomically. The new file is written and synced
/// first, compared on the way with the file there, so neither the new text nor the old file
/// need be whole in memory. Only then does the version on disk become `<file>.bak1`, and the
/// new file replace it; an unchanged project writes nothing and keeps no backup of itself.
/// A failed write changes nothing: not the file, not the backups.
fn save_streamed(
    path: &Path,
    backups: usize,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), Problem>,
) -> Result<(), Problem> {
    let mut problem = None;
    let replaced = write_atomic_streamed(
        path,
        |file| {
            let mut out = SameAs::new(path, std::io::BufWriter::with_capacity(1 << 20, file));
            if let Err(p) = write(&mut out) {
                problem = Some(p);
                return Err(std::io::Error::other("not written"));
            }
            out.finish()
        },
        || rotate(path, backups),
    );
    if let Some(p) = problem {
        return Err(p);
    }
    replaced.map_err(|e| match e {
        AtomicError::Write(e) => Problem::io(path, &e),
        AtomicError::Before(e) => Problem::new(
            ProblemKind::Io,
            path,
            format!("cannot keep a backup of the previous version ({e}); not saved"),
        ),
    })?;
    remove_stale_temp_files(path);
    Ok(())
}

/// A writer into the new file that also tells whether it is the same as the file it would
/// replace, reading that one alongside.
struct SameAs<W: std::io::Write> {
    out: W,
    old: Option<std::io::BufReader<std::fs::File>>,
    buf: Vec<u8>,
}

impl<W: std::io::Write> SameAs<W> {
    fn new(path: &Path, out: W) -> Self {
        Self {
            out,
            old: std::fs::File::open(path)
                .ok()
                .map(|f| std::io::BufReader::with_capacity(1 << 20, f)),
            buf: Vec::new(),
        }
    }

    /// Flushes; whether the new file differs from the old one (or there was none).
    fn finish(mut self) -> std::io::Result<bool> {
        self.out.flush()?;
        let differs = match &mut self.old {
            None => true,
            // Same so far: the old file must end here too.
            Some(old) => std::io::Read::read(old, &mut [0u8; 1]).map_or(true, |n| n > 0),
        };
        Ok(differs)
    }
}

impl<W: std::io::Write> std::io::Write for SameAs<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(old) = &mut self.old {
            self.buf.resize(bytes.len(), 0);
            let same = std::io::Read::read_exact(old, &mut self.buf).is_ok() && self.buf == bytes;
            if !same {
                self.old = None;
            }
        }
        self.out.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
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

    /// The text as one serialisation of the whole documents list lays it out (how files
    /// were written before they were streamed a run at a time).
    fn whole_list_text(project: &Project, path: &Path) -> String {
        let config = || {
            ron::ser::PrettyConfig::new()
                .struct_names(true)
                .new_line("\n")
                .indentor("    ")
        };
        let mut paths = RelativePaths::new(path);
        let documents: Vec<DocumentRecord<'_>> = project
            .documents
            .iter()
            .map(|d| record_of(d, paths.of(d)))
            .collect();
        let mut out = String::new();
        out.push_str(HEADER);
        out.push_str("Project(\n");
        out.push_str(&format!("    version: {FORMAT_VERSION},\n"));
        out.push_str(&format!(
            "    name: {},\n",
            ron::ser::to_string(&project.name).unwrap()
        ));
        out.push_str("    schema: ");
        ron::ser::to_writer_pretty(Indented(&mut out), &project.schema, config().depth_limit(4))
            .unwrap();
        out.push_str(",\n    documents: ");
        ron::ser::to_writer_pretty(Indented(&mut out), &documents, config().depth_limit(3))
            .unwrap();
        out.push_str(",\n)\n");
        out
    }

    /// A big project is written a run of documents at a time, on several threads: byte for
    /// byte what one serialisation of the whole list writes. Runs end on the document
    /// count (many small documents) and on the annotation count (few big ones).
    #[test]
    fn documents_written_in_runs_are_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        // Small runs, so that a test project has several of each kind.
        let runs = Runs {
            documents: 20,
            annotations: 500,
        };
        let few_big = crate::generate::project(12, 20_000, 12, 7, dir.path());
        assert!(few_big.span_count() > 3 * runs.annotations);
        let many_small = crate::generate::project(3 * runs.documents + 7, 300, 40, 8, dir.path());
        for project in [few_big, many_small] {
            assert!(
                batches(&project.documents, 2, runs).concat().len() > 2,
                "several runs"
            );
            let mut text = Vec::new();
            write_project_in(runs, &project, &path, &mut text).unwrap();
            assert_eq!(
                String::from_utf8(text).unwrap(),
                whole_list_text(&project, &path)
            );
            assert_eq!(
                project_to_ron(&project, &path).unwrap(),
                whole_list_text(&project, &path)
            );
        }
        let empty = Project::new("e".into(), crate::model::Schema::default(), Vec::new());
        assert_eq!(
            project_to_ron(&empty, &path).unwrap(),
            whole_list_text(&empty, &path)
        );
    }

    /// Saving streams the text into the file and compares it with the file there on the
    /// way: an unchanged project leaves the file and its backups alone, a changed one keeps
    /// the old version as a backup.
    #[test]
    fn a_streamed_save_writes_only_a_changed_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        let mut project = crate::generate::project(50, 2_000, 40, 9, dir.path());
        save_project(&project, &path).unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        assert_eq!(first, project_to_ron(&project, &path).unwrap());
        save_project(&project, &path).unwrap();
        assert!(
            !dir.path().join("p.ron.bak1").exists(),
            "unchanged: no backup"
        );
        // A longer and a shorter file than the one there are both changes.
        project.name.push_str(" two");
        save_project(&project, &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("p.ron.bak1")).unwrap(),
            first
        );
        project.documents.pop();
        save_project(&project, &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            project_to_ron(&project, &path).unwrap()
        );
        let temp = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(temp, 0, "no temporary file left");
    }
}
