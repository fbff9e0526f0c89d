//! The project file: RON, versioned, deterministic, written atomically.
//!
//! The file records where each document's text lives (relative to the project file), its
//! hash and length, and the annotations. Loading checks every span against the corpus text
//! and reports every problem with its file, line and column; it never modifies anything.
//!
//! - this file: the file's shape, the load options and the entry points;
//! - `parallel.rs`: the fast load of a big project that is fine (most loads);
//! - `careful.rs`: the load that finds and locates every problem;
//! - `rules.rs`: the rules of [`crate::model::check`] located in the file (line, column);
//! - `reanchor.rs`: moving spans of a changed corpus file to where their text is now;
//! - `save.rs`: writing the file, deterministic and atomic, with backups.

mod careful;
mod parallel;
mod reanchor;
mod rules;
mod save;

pub use save::{
    project_to_ron, remove_temp_files, save_project, save_project_keeping, write_project_text,
};

use crate::model::attrs::Meta;
use crate::model::text::line_col;
use crate::model::{
    DocSource, Document, Project, Relation, Schema, Span, Status, Suggestion, TextHash,
};
use crate::persist::corpus::{read_jsonl_texts, read_text_file};
use crate::persist::paths::normalize;
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The format version this build writes. Older versions are migrated on load; newer ones
/// are refused, because silently dropping fields we do not know would lose someone's work.
pub const FORMAT_VERSION: u32 = 6;

const HEADER: &str = "\
// Marginalia annotation project.
// Offsets (`start`, `end`) are UTF-8 byte offsets into each document's text, always on
// character boundaries; `end` is exclusive. `text` repeats the covered text as a check.
// Document `path`s are relative to this file; `hash` is the SHA-256 of the text.
";

/// The whole file, as read. (Writing assembles the same shape piece by piece, see
/// [`project_to_ron`].)
#[derive(Deserialize)]
#[serde(rename = "Project")]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    version: u32,
    name: String,
    schema: Schema,
    /// The suggestion command (format version 4). Refusing newer files matters here: an older
    /// build would drop it without a word.
    #[serde(default)]
    suggest_command: Option<String>,
    documents: Vec<DocumentRecord<'static>>,
}

/// A document in the file. Borrowed when writing (no copy of the spans), owned when read.
#[derive(Serialize, Deserialize)]
#[serde(rename = "Document")]
#[serde(deny_unknown_fields)]
struct DocumentRecord<'a> {
    id: Cow<'a, str>,
    path: String,
    /// Line of a JSONL corpus, for documents that are one line of a JSONL file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    hash: Cow<'a, str>,
    len: usize,
    #[serde(default)]
    status: Status,
    #[serde(default, skip_serializing_if = "Meta::is_empty")]
    meta: Cow<'a, Meta>,
    #[serde(default)]
    spans: Cow<'a, [Span]>,
    #[serde(default, skip_serializing_if = "<[Relation]>::is_empty")]
    relations: Cow<'a, [Relation]>,
    /// The suggestion layer (format version 3).
    #[serde(default, skip_serializing_if = "<[Suggestion]>::is_empty")]
    suggestions: Cow<'a, [Suggestion]>,
    /// Spans whose text left the document when its corpus file changed, waiting for the
    /// user to place or delete them, and their relations (format version 5).
    #[serde(default, skip_serializing_if = "<[Span]>::is_empty")]
    unanchored: Cow<'a, [Span]>,
    #[serde(default, skip_serializing_if = "<[Relation]>::is_empty")]
    unanchored_relations: Cow<'a, [Relation]>,
}

/// Only the version, read first so a newer file is refused with a clear message even when
/// the rest of it would not parse.
#[derive(Deserialize)]
#[serde(rename = "Project")]
struct VersionProbe {
    version: u32,
}

/// A project that loaded, and what the user should know about it.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub warnings: Vec<Problem>,
    /// Documents whose corpus file changed and whose spans were re-anchored (only with
    /// [`LoadOptions::reanchor`]). The project then differs from its file: save it.
    pub reanchored: Vec<Reanchored>,
    /// For an annotator's file of a team project: what it took from the team's file. When
    /// that changed anything, the project differs from its file: save it.
    pub team: Option<crate::model::team::TeamUpdate>,
}

/// What re-anchoring did to one document whose corpus file changed behind the project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reanchored {
    pub document: String,
    pub file: PathBuf,
    /// Spans now at the nearest occurrence of their text, at other offsets than before.
    pub moved: usize,
    /// Spans whose text is no longer in the document, or only too far away to be sure it is
    /// the same place: set aside for review.
    pub review: usize,
    /// Of those, the ones whose text is in the document, but far away with nothing around
    /// it moved the same way.
    pub unsure: usize,
    /// Each span that moved: its text (shortened) and how far, in bytes.
    pub moves: Vec<(String, isize)>,
    /// Suggestions whose text is gone (machine output, made again by running a suggester).
    pub dropped_suggestions: usize,
}

/// How a load treats corpus files that changed and corpus paths that leave the project's
/// folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Re-anchor the spans of a changed corpus file by their text and set aside those whose
    /// text is gone (the window and `resave`, which tell the user), instead of refusing to
    /// load with every mismatch located (`validate`, and the commands that read a project
    /// to produce something from it).
    pub reanchor: bool,
    /// Read corpus paths outside the project's folder tree (with a warning). Without it such
    /// a project is refused with a [`ProblemKind::OutsideFolder`] problem per path, for the
    /// window to list them and ask.
    pub allow_outside: bool,
}

impl LoadOptions {
    /// The command line: the user named the project, so outside paths are read (and said);
    /// a changed corpus is an error to fix with `resave` or the window.
    pub const CLI: Self = Self {
        reanchor: false,
        allow_outside: true,
    };
    /// The window: re-anchors and shows what moved; asks before reading outside paths.
    pub const WINDOW: Self = Self {
        reanchor: true,
        allow_outside: false,
    };
}

/// The folder corpus paths are relative to.
pub fn project_dir(project_path: &Path) -> PathBuf {
    normalize(project_path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

/// Loads a project and its corpus, checking every span.
/// The command line's way ([`LoadOptions::CLI`]).
pub fn load_project(path: &Path) -> Result<Loaded, LoadError> {
    load_project_with(path, LoadOptions::CLI)
}

/// Loads a project and its corpus, checking every span, as `options` say.
/// An annotator's file of a team project also takes what changed in the team's file
/// (`persist::team`).
pub fn load_project_with(path: &Path, options: LoadOptions) -> Result<Loaded, LoadError> {
    let mut loaded = load_one(path, options)?;
    crate::persist::team::update_member(path, options, &mut loaded);
    Ok(loaded)
}

/// What a project file says of itself without reading its corpus: its schema, its
/// suggestion command and its documents' ids (how an annotator's file learns whether the
/// team's file changed, at the cost of parsing it only).
pub(crate) fn peek(path: &Path) -> Result<(Schema, Option<String>, Vec<String>), LoadError> {
    let src = read_text_file(path)?;
    let mut file = parse(path, &src)?;
    let version = file.version;
    migrate(&mut file, version);
    let ids = file
        .documents
        .into_iter()
        .map(|d| d.id.into_owned())
        .collect();
    Ok((file.schema, file.suggest_command, ids))
}

/// Loads one project file as it is.
pub(crate) fn load_one(path: &Path, options: LoadOptions) -> Result<Loaded, LoadError> {
    let src = read_text_file(path)?;
    if let Some(loaded) = parallel::load_parallel(path, &src) {
        return Ok(loaded);
    }
    let file = parse(path, &src)?;
    careful::build(path, &src, file, options)
}

/// The folders outside its own folder that the project at `path` reads corpus files from
/// (none for most projects): what a user allows when asked, and what that consent is kept
/// for, so that a file replaced by one reading elsewhere asks again.
pub fn outside_folders(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let src = read_text_file(path)?;
    let file = parse(path, &src)?;
    Ok(careful::outside_folder_map(path, &file.documents)
        .into_keys()
        .collect())
}

/// Whether resolved corpus paths are inside the project's folder tree, by where each file
/// really is: a link inside the folder to a file outside it (`corpus/a.txt` →
/// `/etc/passwd`) is outside. A path that does not resolve (a missing file) is judged as
/// written; reading it fails anyway. The folder is resolved once and each distinct file once
/// (the twenty thousand documents of a JSONL corpus share one file: resolving it for each
/// was a fifth of loading such a project).
struct Inside {
    base: PathBuf,
    seen: std::sync::Mutex<HashMap<PathBuf, bool>>,
}

fn real_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned())
}

impl Inside {
    /// The folder the project at `path` may read without asking: its own, or its team's
    /// for an annotator's file (see `persist::team`).
    fn for_project(path: &Path) -> Self {
        Self {
            base: real_path(&crate::persist::team::trusted_folder(path)),
            seen: std::sync::Mutex::default(),
        }
    }

    fn check(&self, abs: &Path) -> bool {
        if let Some(known) = self.seen.lock().ok().and_then(|m| m.get(abs).copied()) {
            return known;
        }
        let answer = real_path(abs).starts_with(&self.base);
        if let Ok(mut m) = self.seen.lock() {
            m.insert(abs.to_owned(), answer);
        }
        answer
    }
}

fn syntax_problem(path: &Path, e: &ron::error::SpannedError) -> Problem {
    Problem::new(ProblemKind::Syntax, path, e.code.to_string())
        .at(e.span.start.line, e.span.start.col)
}

fn parse(path: &Path, src: &str) -> Result<ProjectFile, LoadError> {
    // One parse when the file is fine; the version probe only to explain a file that does
    // not parse.
    let parsed = ron::from_str::<ProjectFile>(src);
    let version = match &parsed {
        Ok(file) => file.version,
        Err(_) => {
            let probe: VersionProbe = ron::from_str(src).map_err(|e| syntax_problem(path, &e))?;
            probe.version
        }
    };
    if version > FORMAT_VERSION {
        return Err(Problem::new(
            ProblemKind::NewerVersion,
            path,
            format!(
                "this project was written by a newer Marginalia (file format version {version}); \
                 this version reads formats up to {FORMAT_VERSION}. Update Marginalia to open \
                 it; the file was not changed."
            ),
        )
        .at_line(find_line(src, "version:"))
        .into());
    }
    if version == 0 {
        return Err(Problem::new(
            ProblemKind::Invalid,
            path,
            "file format version 0 does not exist",
        )
        .at_line(find_line(src, "version:"))
        .into());
    }
    let mut file = parsed.map_err(|e| syntax_problem(path, &e))?;
    migrate(&mut file, version);
    Ok(file)
}

/// The document a checked record describes, its text read from `source`.
fn into_document(
    rec: DocumentRecord<'_>,
    source: DocSource,
    hash: TextHash,
    text: String,
) -> Document {
    let mut doc = Document::new(rec.id.into_owned(), source, hash, Arc::from(text));
    doc.status = rec.status;
    doc.meta = rec.meta.into_owned();
    doc.set_spans(rec.spans.into_owned());
    doc.set_relations(rec.relations.into_owned());
    doc.set_suggestions(rec.suggestions.into_owned());
    // Last: setting the spans recounts the ids, and these stay taken.
    doc.set_unanchored(
        rec.unanchored.into_owned(),
        rec.unanchored_relations.into_owned(),
    );
    doc
}

/// Brings a file of an older format version up to the current one. Every version ever
/// released must load (tests keep a sample of each).
fn migrate(file: &mut ProjectFile, version: u32) {
    if version < 2 {
        // Version 1 had labels only. Labels named like the news defaults get the default
        // attributes, and the default relation types are added where their labels exist.
        file.schema.add_news_defaults();
    }
}

/// 1-based line of the first occurrence of `needle`.
fn find_line(src: &str, needle: &str) -> Option<usize> {
    let at = src.find(needle)?;
    Some(line_col(src, at).0)
}

/// Corpus files read so far in this load: a JSONL corpus is read once for all its lines.
#[derive(Default)]
struct CorpusCache {
    jsonl: HashMap<PathBuf, Result<HashMap<usize, String>, LoadError>>,
    /// Each JSONL corpus's path, shared by the documents that are its lines.
    paths: HashMap<PathBuf, Arc<Path>>,
}

impl CorpusCache {
    /// Where a document's text lives: the file `abs`, or its line `line`.
    fn source(&mut self, abs: PathBuf, line: Option<usize>) -> DocSource {
        match line {
            None => DocSource::TextFile(abs),
            Some(line) => DocSource::JsonlLine {
                path: Arc::clone(
                    self.paths
                        .entry(abs)
                        .or_insert_with_key(|abs| Arc::from(abs.as_path())),
                ),
                line,
            },
        }
    }

    fn text(
        &mut self,
        path: &Path,
        line: Option<usize>,
        take: bool,
    ) -> Result<String, Vec<Problem>> {
        let Some(line) = line else {
            return read_text_file(path).map_err(|p| vec![p]);
        };
        let file = self
            .jsonl
            .entry(path.to_owned())
            .or_insert_with(|| read_jsonl_texts(path));
        match file {
            // With `take`, the text moves out instead of being copied: the fast load asks
            // for each line once (asked again, it is empty, its hash no longer matches, and
            // the careful load, with a cache of its own, reads the file afresh).
            Ok(lines) => lines
                .get_mut(&line)
                .map(|t| if take { std::mem::take(t) } else { t.clone() })
                .ok_or_else(|| {
                    vec![Problem::new(
                        ProblemKind::MissingCorpus,
                        path,
                        format!("line {line} of this JSONL corpus no longer holds a document"),
                    )]
                }),
            Err(e) => Err(e.problems.clone()),
        }
    }
}
