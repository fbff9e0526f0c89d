//! The project file: RON, versioned, deterministic, written atomically.
//!
//! The file records where each document's text lives (relative to the project file), its
//! hash and length, and the annotations. Loading checks every span against the corpus text
//! and reports every problem with its file, line and column; it never modifies anything.

#[cfg(doc)]
use crate::model::edit::check_relation;
use crate::model::edit::{EditError, check_attrs};
use crate::model::text::line_col;
use crate::model::{
    DocSource, Document, Project, Relation, RelationType, Schema, Span, SpanId, Status, Suggestion,
};
use crate::persist::atomic::write_atomic;
use crate::persist::backup::{DEFAULT_BACKUPS, rotate};
use crate::persist::corpus::{JsonlDoc, hash_text, read_jsonl, read_text_file};
use crate::persist::paths::{normalize, relative_to, resolve};
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The format version this build writes. Older versions are migrated on load; newer ones
/// are refused, because silently dropping fields we do not know would lose someone's work.
pub const FORMAT_VERSION: u32 = 5;

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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    meta: Cow<'a, BTreeMap<String, String>>,
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
}

/// What re-anchoring did to one document whose corpus file changed behind the project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reanchored {
    pub document: String,
    pub file: PathBuf,
    /// Spans now at the nearest occurrence of their text, at other offsets than before.
    pub moved: usize,
    /// Spans whose text is no longer in the document: set aside for review.
    pub review: usize,
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
pub fn load_project_with(path: &Path, options: LoadOptions) -> Result<Loaded, LoadError> {
    let src = read_text_file(path)?;
    if let Some(loaded) = load_parallel(path, &src) {
        return Ok(loaded);
    }
    let file = parse(path, &src)?;
    build(path, &src, file, options)
}

/// Whether a resolved corpus path is inside the project's folder tree.
fn inside(base: &Path, abs: &Path) -> bool {
    abs.starts_with(base)
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

/// The fast way to load a big project that is fine, which is what every load but a few is:
/// a file laid out as [`project_to_ron`] writes it has its documents list cut into pieces,
/// one per core, and each thread parses its piece and reads and checks its documents (most
/// of the time a big project takes to load is parsing, then reading and hashing the
/// corpus). `None` when the file is laid out differently, or anything at all is wrong or
/// worth a warning: the caller then loads it the careful way, one step after the other,
/// which finds and locates every problem.
fn load_parallel(path: &Path, src: &str) -> Option<Loaded> {
    const OPEN: &str = "\n    documents: [\n";
    const CLOSE: &str = "\n    ],\n";
    const DOC: &str = "\n        Document(\n";
    /// Below this, one thread is as fast.
    const MIN_PARALLEL_BYTES: usize = 1 << 20;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if src.len() < MIN_PARALLEL_BYTES || threads < 2 {
        return None;
    }
    let open = src.find(OPEN)? + OPEN.len() - 1;
    let close = src.rfind(CLOSE)?;
    let body = src.get(open..close)?;
    let mut file: ProjectFile =
        ron::from_str(&format!("{}{}", src.get(..open)?, src.get(close..)?)).ok()?;
    if !file.documents.is_empty() || file.version == 0 || file.version > FORMAT_VERSION {
        return None;
    }
    let version = file.version;
    migrate(&mut file, version);
    let mut problems = Vec::new();
    check_schema(path, src, &file.schema, &mut problems);
    if !problems.is_empty() {
        return None;
    }
    let warnings: Vec<Problem> = file
        .schema
        .problems()
        .into_iter()
        .map(|p| Problem::new(ProblemKind::Warning, path, p))
        .collect();
    let starts: Vec<usize> = body.match_indices(DOC).map(|(i, _)| i).collect();
    if starts.first() != Some(&0) {
        return None;
    }
    // Pieces of about PIECE_BYTES, cut before a document, handed out to the threads in
    // turn: each piece's copy (with its brackets) and records live only while it is worked
    // on, so memory stays near the file's size plus the project's.
    const PIECE_BYTES: usize = 2 << 20;
    let mut cuts = vec![0];
    for start in &starts {
        if cuts.last().is_some_and(|c| start - c >= PIECE_BYTES) {
            cuts.push(*start);
        }
    }
    cuts.push(body.len());
    let pieces: Vec<&str> = cuts
        .windows(2)
        .filter_map(|w| body.get(*w.first()?..*w.get(1)?))
        .collect();
    let base = project_dir(path);
    let cache = std::sync::Mutex::new(CorpusCache::default());
    let schema = &file.schema;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let done = std::sync::Mutex::new(Vec::with_capacity(pieces.len()));
    let work = || {
        use std::sync::atomic::Ordering::Relaxed;
        while !failed.load(Relaxed) {
            let i = next.fetch_add(1, Relaxed);
            let Some(piece) = pieces.get(i) else {
                return;
            };
            let docs = ron::from_str::<Vec<DocumentRecord<'static>>>(&format!("[{piece}]"))
                .ok()
                .and_then(|records| {
                    records
                        .into_iter()
                        .map(|rec| checked_document(schema, &base, &cache, rec))
                        .collect::<Option<Vec<Document>>>()
                });
            match (docs, done.lock()) {
                (Some(docs), Ok(mut done)) => done.push((i, docs)),
                _ => failed.store(true, Relaxed),
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let mut done = done.into_inner().ok()?;
    if failed.into_inner() || done.len() != pieces.len() {
        return None;
    }
    done.sort_unstable_by_key(|(i, _)| *i);
    let documents: Vec<Document> = done.into_iter().flat_map(|(_, docs)| docs).collect();
    // Ids are unique across the project.
    let mut seen = HashSet::new();
    for d in &documents {
        let ids = d.spans().iter().map(|s| s.id);
        let ids = ids.chain(d.relations().iter().map(|r| r.id));
        for id in ids.chain(d.suggestions().iter().map(|s| s.id)) {
            if !seen.insert(id) {
                return None;
            }
        }
    }
    let mut project = Project::new(file.name, file.schema, documents);
    project.suggest_command = file.suggest_command.filter(|c| !c.trim().is_empty());
    Some(Loaded {
        project,
        warnings,
        reanchored: Vec::new(),
    })
}

/// One document of [`load_parallel`], if its text is there, unchanged, and every span,
/// relation and suggestion checks out (`None` otherwise: `build` then says what is wrong).
fn checked_document(
    schema: &Schema,
    base: &Path,
    cache: &std::sync::Mutex<CorpusCache>,
    rec: DocumentRecord<'static>,
) -> Option<Document> {
    let abs = resolve(base, &rec.path);
    if !inside(base, &abs) || !rec.unanchored.is_empty() {
        // Said (or asked about) and checked the careful way.
        return None;
    }
    let text = match rec.line {
        None => read_text_file(&abs).ok()?,
        Some(_) => cache.lock().ok()?.text(&abs, rec.line).ok()?,
    };
    let hash = hash_text(&text);
    if hash != rec.hash || text.len() != rec.len {
        return None;
    }
    for span in rec.spans.iter() {
        if span.start >= span.end || text.get(span.start..span.end) != Some(span.text.as_str()) {
            return None;
        }
        check_attrs(schema, &span.label, &span.attrs).ok()?;
    }
    let mut labels: Vec<(SpanId, &str)> =
        rec.spans.iter().map(|s| (s.id, s.label.as_str())).collect();
    labels.sort_unstable();
    for r in rec.relations.iter() {
        check_relation_ends(schema, &labels, r).ok()?;
    }
    for sg in rec.suggestions.iter() {
        schema.label(&sg.label)?;
        if text.get(sg.start..sg.end) != Some(sg.text.as_str()) {
            return None;
        }
    }
    Some(into_document(rec, abs, hash, text))
}

/// The document a checked record describes, its text read from `abs`.
fn into_document(rec: DocumentRecord<'_>, abs: PathBuf, hash: String, text: String) -> Document {
    let source = match rec.line {
        Some(line) => DocSource::JsonlLine { path: abs, line },
        None => DocSource::TextFile(abs),
    };
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
    jsonl: HashMap<PathBuf, Result<HashMap<usize, JsonlDoc>, LoadError>>,
}

impl CorpusCache {
    fn text(&mut self, path: &Path, line: Option<usize>) -> Result<String, Vec<Problem>> {
        let Some(line) = line else {
            return read_text_file(path).map_err(|p| vec![p]);
        };
        let file = self.jsonl.entry(path.to_owned()).or_insert_with(|| {
            read_jsonl(path).map(|docs| docs.into_iter().map(|d| (d.line, d)).collect())
        });
        match file {
            Ok(lines) => lines.get(&line).map(|d| d.text.clone()).ok_or_else(|| {
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

fn build(
    path: &Path,
    src: &str,
    file: ProjectFile,
    options: LoadOptions,
) -> Result<Loaded, LoadError> {
    let base = project_dir(path);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut reanchored = Vec::new();
    let outside = outside_paths(path, src, &base, &file.documents);
    if !outside.is_empty() && !options.allow_outside {
        // Asked about before any of them is read.
        return Err(LoadError { problems: outside });
    }
    // Allowed: said, and kept of their kind so the window (which asked) can leave them out.
    warnings.extend(outside);
    check_schema(path, src, &file.schema, &mut problems);
    for p in file.schema.problems() {
        // Key clashes and the like: the project loads, the schema editor shows them too.
        if !problems.iter().any(|x: &Problem| x.message == p) {
            warnings.push(Problem::new(ProblemKind::Warning, path, p));
        }
    }
    let mut cache = CorpusCache::default();
    let mut seen_ids = HashSet::new();
    let mut documents = Vec::with_capacity(file.documents.len());
    for mut rec in file.documents {
        let abs = resolve(&base, &rec.path);
        let text = match cache.text(&abs, rec.line) {
            Ok(t) => t,
            Err(found) => {
                let path_line = find_line(src, &format!("path: {:?}", rec.path));
                problems.extend(found.into_iter().map(|p| {
                    if p.kind == ProblemKind::Io && !abs.exists() {
                        let msg = format!(
                            "corpus file `{}` (resolved to {}) is missing",
                            rec.path,
                            abs.display()
                        );
                        Problem::new(ProblemKind::MissingCorpus, path, msg).at_line(path_line)
                    } else {
                        p
                    }
                }));
                continue;
            }
        };
        let hash = hash_text(&text);
        let changed = hash != rec.hash || text.len() != rec.len;
        let mut moved_here = false;
        if changed && options.reanchor {
            let mut done = reanchor_record(&text, &mut rec);
            moved_here = done.moved + done.review + done.dropped_suggestions > 0;
            if moved_here {
                done.file.clone_from(&abs);
                warnings.push(Problem::new(ProblemKind::Warning, &abs, done.message()));
                reanchored.push(done);
            }
        }
        for span in rec.unanchored.iter() {
            let line = || span_line(src, span);
            if !seen_ids.insert(span.id) {
                let msg = format!("id {} is used twice", span.id.0);
                problems.push(Problem::new(ProblemKind::Invalid, path, msg).at_line(line()));
            }
            if let Err(e) = check_attrs(&file.schema, &span.label, &span.attrs) {
                let msg = format!("span {} (set aside for review): {e}", span.id.0);
                problems.push(Problem::new(ProblemKind::Invalid, path, msg).at_line(line()));
            }
        }
        for r in rec.unanchored_relations.iter() {
            if !seen_ids.insert(r.id) {
                let msg = format!("id {} is used twice", r.id.0);
                problems.push(Problem::new(ProblemKind::Invalid, path, msg));
            }
            if file.schema.relation(&r.kind).is_none() {
                let e = EditError::UnknownRelationType(r.kind.clone());
                problems.push(Problem::new(
                    ProblemKind::Invalid,
                    path,
                    format!("relation {}: {e}", r.id.0),
                ));
            }
        }
        let mut mismatches = Vec::new();
        for span in rec.spans.iter() {
            let line = || span_line(src, span);
            if !seen_ids.insert(span.id) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("id {} is used twice", span.id.0),
                    )
                    .at_line(line()),
                );
            }
            if let Err(e) = check_attrs(&file.schema, &span.label, &span.attrs) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("span {}: {e}", span.id.0),
                    )
                    .at_line(line()),
                );
            }
            mismatches.extend(check_span_text(path, src, &abs, &text, span));
        }
        if changed && !mismatches.is_empty() {
            let msg = format!(
                "changed since the project was saved; {} of its {} spans no longer match their \
                 text. Open the project in the window or run `marginalia resave` to move each \
                 span to where its text is now (spans whose text is gone are kept for review)",
                mismatches.len(),
                rec.spans.len()
            );
            problems.push(Problem::new(ProblemKind::SpanMismatch, &abs, msg));
        }
        if changed && mismatches.is_empty() && !moved_here {
            let msg = format!(
                "changed since the project was saved, but all {} spans still match their text",
                rec.spans.len()
            );
            warnings.push(Problem::new(ProblemKind::Warning, &abs, msg));
        }
        problems.extend(mismatches);
        // Labels by span id, so each relation is checked without scanning the spans.
        let mut labels: Vec<(SpanId, &str)> =
            rec.spans.iter().map(|s| (s.id, s.label.as_str())).collect();
        labels.sort_unstable();
        for r in rec.relations.iter() {
            // Found only when needed: searching the file for every relation is quadratic.
            let line = || find_line(src, &format!("Relation(id: {}, ", r.id.0));
            if !seen_ids.insert(r.id) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("id {} is used twice", r.id.0),
                    )
                    .at_line(line()),
                );
            }
            if let Err(e) = check_relation_ends(&file.schema, &labels, r) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("relation {}: {e}", r.id.0),
                    )
                    .at_line(line()),
                );
            }
        }
        for sg in rec.suggestions.iter() {
            let line = || find_line(src, &format!("Suggestion(id: {}, ", sg.id.0));
            if !seen_ids.insert(sg.id) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("id {} is used twice", sg.id.0),
                    )
                    .at_line(line()),
                );
            }
            if file.schema.label(&sg.label).is_none() {
                let msg = format!(
                    "suggestion {} has label `{}`, which is not in the schema",
                    sg.id.0, sg.label
                );
                problems.push(Problem::new(ProblemKind::Invalid, path, msg).at_line(line()));
            }
            if text.get(sg.start..sg.end) != Some(sg.text.as_str()) {
                let msg = format!(
                    "suggestion {} ({}..{}) should cover “{}”, which is not what the text has there",
                    sg.id.0,
                    sg.start,
                    sg.end,
                    crate::model::text::excerpt(&sg.text, 60)
                );
                problems.push(Problem::new(ProblemKind::SpanMismatch, path, msg).at_line(line()));
            }
        }
        documents.push(into_document(rec, abs, hash, text));
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    let mut project = Project::new(file.name, file.schema, documents);
    project.suggest_command = file.suggest_command.filter(|c| !c.trim().is_empty());
    Ok(Loaded {
        project,
        warnings,
        reanchored,
    })
}

/// One problem per folder outside the project's folder tree that corpus paths resolve into
/// (with how many files, located at the first one's line in the project file): what the
/// user is asked to allow is which folders the project reads.
fn outside_paths(path: &Path, src: &str, base: &Path, docs: &[DocumentRecord<'_>]) -> Vec<Problem> {
    // Folder → (a stored path in it, files in it).
    let mut folders: BTreeMap<PathBuf, (&str, HashSet<&str>)> = BTreeMap::new();
    for rec in docs {
        let abs = resolve(base, &rec.path);
        if inside(base, &abs) {
            continue;
        }
        let folder = abs.parent().map(Path::to_owned).unwrap_or_default();
        let entry = folders.entry(folder).or_insert((&rec.path, HashSet::new()));
        entry.1.insert(&rec.path);
    }
    folders
        .into_iter()
        .map(|(folder, (first, files))| {
            let msg = format!(
                "reads {} outside the project's folder: {}",
                match files.len() {
                    1 => format!("corpus file `{first}`"),
                    n => format!("{n} corpus files like `{first}`"),
                },
                folder.display()
            );
            let line = find_line(src, &format!("path: {first:?}"));
            Problem::new(ProblemKind::OutsideFolder, path, msg).at_line(line)
        })
        .collect()
}

impl Reanchored {
    /// The sentence the user reads.
    pub fn message(&self) -> String {
        use crate::model::text::plural;
        let mut msg = format!(
            "changed since the project was saved: {} to where {} text is now",
            plural(self.moved, "span moved", "spans moved"),
            if self.moved == 1 { "its" } else { "their" },
        );
        if self.review > 0 {
            msg.push_str(&format!(
                ", {} (their text is gone; see Needs review in the span panel)",
                plural(self.review, "needs review", "need review")
            ));
        }
        if self.dropped_suggestions > 0 {
            msg.push_str(&format!(
                "; {} whose text is gone were dropped",
                plural(self.dropped_suggestions, "suggestion", "suggestions")
            ));
        }
        msg
    }
}

/// Moves the spans and suggestions of a document whose text changed to the nearest
/// occurrence of their stored text; spans whose text is gone are set aside (with the
/// relations that touch them), suggestions whose text is gone are dropped. The search for
/// each starts from its old place shifted by the last shift found, so a paragraph inserted
/// near the top moves every later span by the same amount rather than to a nearer copy of
/// its text.
fn reanchor_record(text: &str, rec: &mut DocumentRecord<'_>) -> Reanchored {
    use crate::model::reanchor::{Anchor, anchor};
    let mut done = Reanchored {
        document: rec.id.to_string(),
        ..Reanchored::default()
    };
    let place = |shift: &mut isize, start: usize, end: usize, covered: &str| {
        let hint = start.saturating_add_signed(*shift);
        let len = end.saturating_sub(start);
        if start >= end || covered.len() != len {
            return None;
        }
        let at = match anchor(text, hint, hint.saturating_add(len), covered) {
            Anchor::Kept => hint,
            Anchor::Moved { start: at, .. } => at,
            Anchor::Lost => return None,
        };
        *shift = at as isize - start as isize;
        Some(at)
    };
    let mut spans = rec.spans.to_vec();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    let mut taken = HashSet::new();
    let mut aside = rec.unanchored.to_vec();
    let mut shift = 0isize;
    for mut span in spans {
        match place(&mut shift, span.start, span.end, &span.text) {
            // Two spans of one label landing on the same text would be one span twice.
            Some(at) if taken.insert((at, span.label.clone())) => {
                if at != span.start {
                    done.moved += 1;
                }
                span.end = at + span.text.len();
                span.start = at;
                kept.push(span);
            }
            _ => {
                done.review += 1;
                aside.push(span);
            }
        }
    }
    let gone: HashSet<SpanId> = aside.iter().map(|s| s.id).collect();
    let (relations, set_aside): (Vec<Relation>, Vec<Relation>) = rec
        .relations
        .iter()
        .cloned()
        .partition(|r| !gone.contains(&r.from) && !gone.contains(&r.to));
    let mut aside_relations = rec.unanchored_relations.to_vec();
    aside_relations.extend(set_aside);
    let mut suggestions = rec.suggestions.to_vec();
    suggestions.sort_by_key(|s| (s.start, s.end));
    let mut shift = 0isize;
    suggestions.retain_mut(|sg| match place(&mut shift, sg.start, sg.end, &sg.text) {
        Some(at) => {
            sg.end = at + sg.text.len();
            sg.start = at;
            true
        }
        None => {
            done.dropped_suggestions += 1;
            false
        }
    });
    // A link to a dropped suggestion has nothing to become.
    let left: HashSet<SpanId> = suggestions.iter().map(|s| s.id).collect();
    for sg in &mut suggestions {
        sg.links.retain(|l| left.contains(&l.to));
    }
    rec.spans = Cow::Owned(kept);
    rec.relations = Cow::Owned(relations);
    rec.suggestions = Cow::Owned(suggestions);
    rec.unanchored = Cow::Owned(aside);
    rec.unanchored_relations = Cow::Owned(aside_relations);
    done
}

/// [`check_relation`] against a sorted list of the document's span labels by id: the same
/// errors, without a scan of the spans per relation.
fn check_relation_ends(
    schema: &Schema,
    labels: &[(SpanId, &str)],
    r: &Relation,
) -> Result<(), EditError> {
    let t = schema
        .relation(&r.kind)
        .ok_or_else(|| EditError::UnknownRelationType(r.kind.clone()))?;
    let label = |id: SpanId| {
        labels
            .binary_search_by_key(&id, |(i, _)| *i)
            .ok()
            .and_then(|i| labels.get(i))
            .map(|(_, l)| *l)
            .ok_or(EditError::NoSpan(id.0))
    };
    let (from, to) = (label(r.from)?, label(r.to)?);
    if !t.fits(from, to) {
        return Err(EditError::RelationEnds {
            kind: t.name.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
        });
    }
    Ok(())
}

/// Schema errors that make annotations ambiguous (the softer ones are warnings).
fn check_schema(path: &Path, src: &str, schema: &Schema, problems: &mut Vec<Problem>) {
    let mut relation_names = HashSet::new();
    for r in &schema.relations {
        let line = find_line(src, &format!("name: {:?}", r.name));
        if !relation_names.insert(r.name.as_str()) {
            problems.push(
                Problem::new(
                    ProblemKind::Invalid,
                    path,
                    format!("relation type `{}` is defined twice", r.name),
                )
                .at_line(line),
            );
        }
        for end in RelationType::labels(&r.from).chain(RelationType::labels(&r.to)) {
            if schema.label(end).is_none() {
                let msg = format!(
                    "relation type `{}` refers to label `{end}`, which does not exist",
                    r.name
                );
                problems.push(Problem::new(ProblemKind::Invalid, path, msg).at_line(line));
            }
        }
    }
    for l in &schema.labels {
        let mut attrs = HashSet::new();
        for a in &l.attributes {
            if !attrs.insert(a.name.as_str()) {
                let msg = format!("label `{}` defines attribute `{}` twice", l.name, a.name);
                problems.push(
                    Problem::new(ProblemKind::Invalid, path, msg)
                        .at_line(find_line(src, &format!("name: {:?}", a.name))),
                );
            }
        }
    }
    let mut names = HashSet::new();
    let mut keys = HashSet::new();
    for l in &schema.labels {
        let line = find_line(src, &format!("name: {:?}", l.name));
        if l.name.trim().is_empty() {
            problems.push(
                Problem::new(ProblemKind::Invalid, path, "a label has an empty name").at_line(line),
            );
        }
        if !names.insert(l.name.as_str()) {
            problems.push(
                Problem::new(
                    ProblemKind::Invalid,
                    path,
                    format!("label `{}` is defined twice", l.name),
                )
                .at_line(line),
            );
        }
        if let Some(k) = l.key
            && !keys.insert(k)
        {
            problems.push(
                Problem::new(
                    ProblemKind::Invalid,
                    path,
                    format!("key `{k}` is given to two labels"),
                )
                .at_line(line),
            );
        }
    }
}

/// Line of a span in the project file, for error messages.
fn span_line(src: &str, span: &Span) -> Option<usize> {
    find_line(
        src,
        &format!(
            "(id: {}, start: {}, end: {},",
            span.id.0, span.start, span.end
        ),
    )
}

/// A problem when the span does not cover its stored text in `text`.
fn check_span_text(
    path: &Path,
    src: &str,
    corpus: &Path,
    text: &str,
    span: &Span,
) -> Option<Problem> {
    let at_corpus = || {
        let (l, c) = line_col(text, span.start);
        format!("{}:{l}:{c}", corpus.display())
    };
    let message = if span.start >= span.end {
        format!(
            "span {} is empty or reversed ({}..{})",
            span.id.0, span.start, span.end
        )
    } else if span.end > text.len() {
        format!(
            "span {} ends at byte {}, past the end of the text ({} bytes) of {}",
            span.id.0,
            span.end,
            text.len(),
            corpus.display()
        )
    } else {
        match text.get(span.start..span.end) {
            None => format!(
                "span {} ({}..{}) does not fall on character boundaries at {}",
                span.id.0,
                span.start,
                span.end,
                at_corpus()
            ),
            Some(found) if found != span.text => {
                let (want, got) = differing_excerpts(&span.text, found);
                format!(
                    "span {} ({} {}..{}) should cover “{want}” but the text at {} is now “{got}”",
                    span.id.0,
                    span.label,
                    span.start,
                    span.end,
                    at_corpus(),
                )
            }
            Some(_) => return None,
        }
    };
    Some(Problem::new(ProblemKind::SpanMismatch, path, message).at_line(span_line(src, span)))
}

/// Short excerpts of two texts that show where they differ (long spans differ near the end
/// as often as near the start).
fn differing_excerpts(want: &str, got: &str) -> (String, String) {
    const CONTEXT: usize = 24;
    let first_diff = want
        .chars()
        .zip(got.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let cut = |s: &str| {
        let skip = first_diff.saturating_sub(CONTEXT / 2);
        let body: String = s.chars().skip(skip).take(CONTEXT * 2).collect();
        let more = s.chars().count() > skip + CONTEXT * 2;
        format!(
            "{}{}{}",
            if skip > 0 { "…" } else { "" },
            body.replace(['\n', '\r'], " "),
            if more { "…" } else { "" }
        )
    };
    (cut(want), cut(got))
}

/// The project as the text of its file: deterministic, so saving an unchanged project gives
/// identical bytes and a team can diff projects in git.
pub fn project_to_ron(project: &Project, project_path: &Path) -> Result<String, Problem> {
    let base = project_dir(project_path);
    let documents: Vec<DocumentRecord<'_>> = project
        .documents
        .iter()
        .map(|d| record_of(d, &base))
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

/// A document as its file records it, borrowing the annotations; its path relative to
/// `base`, the project's folder.
fn record_of<'a>(d: &'a Document, base: &Path) -> DocumentRecord<'a> {
    DocumentRecord {
        id: Cow::Borrowed(&d.id),
        path: relative_to(base, d.source.path()),
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
}

/// Saves atomically, keeping the last [`DEFAULT_BACKUPS`] versions: on any error the
/// previous file is untouched.
pub fn save_project(project: &Project, path: &Path) -> Result<(), Problem> {
    save_project_keeping(project, path, DEFAULT_BACKUPS)
}

/// Saves atomically, keeping the last `backups` versions as `<file>.bak1`... (0: none).
pub fn save_project_keeping(project: &Project, path: &Path, backups: usize) -> Result<(), Problem> {
    let text = project_to_ron(project, path)?;
    rotate(path, backups).map_err(|e| {
        Problem::new(
            ProblemKind::Io,
            path,
            format!("cannot keep a backup of the previous version ({e}); not saved"),
        )
    })?;
    write_atomic(path, text.as_bytes()).map_err(|e| Problem::io(path, &e))?;
    remove_stale_temp_files(path);
    Ok(())
}

/// Temporary files of this project older than an hour were left by a save that was killed
/// (a live save finishes in well under a second): they are removed. Best effort.
fn remove_stale_temp_files(path: &Path) {
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
    let hour = std::time::Duration::from_secs(3600);
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > hour);
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
            .map(|d| record_of(d, dir))
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
