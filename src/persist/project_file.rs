//! The project file: RON, versioned, deterministic, written atomically.
//!
//! The file records where each document's text lives (relative to the project file), its
//! hash and length, and the annotations. Loading checks every span against the corpus text
//! and reports every problem with its file, line and column; it never modifies anything.

use crate::model::text::line_col;
use crate::model::{DocSource, Document, Project, Schema, Span, Status};
use crate::persist::atomic::write_atomic;
use crate::persist::corpus::{JsonlDoc, hash_text, read_jsonl, read_text_file};
use crate::persist::paths::{normalize, relative_to, resolve};
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The format version this build writes. Older versions are migrated on load; newer ones
/// are refused, because silently dropping fields we do not know would lose someone's work.
pub const FORMAT_VERSION: u32 = 1;

const HEADER: &str = "\
// Marginalia annotation project.
// Offsets (`start`, `end`) are UTF-8 byte offsets into each document's text, always on
// character boundaries; `end` is exclusive. `text` repeats the covered text as a check.
// Document `path`s are relative to this file; `hash` is the SHA-256 of the text.
";

#[derive(Serialize, Deserialize)]
#[serde(rename = "Project")]
struct ProjectFile {
    version: u32,
    name: String,
    schema: Schema,
    documents: Vec<DocumentRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "Document")]
struct DocumentRecord {
    id: String,
    path: String,
    /// Line of a JSONL corpus, for documents that are one line of a JSONL file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    hash: String,
    len: usize,
    #[serde(default)]
    status: Status,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    meta: BTreeMap<String, String>,
    #[serde(default)]
    spans: Vec<Span>,
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
}

/// The folder corpus paths are relative to.
pub fn project_dir(project_path: &Path) -> PathBuf {
    normalize(project_path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

/// Loads a project and its corpus, checking every span.
pub fn load_project(path: &Path) -> Result<Loaded, LoadError> {
    let src = read_text_file(path)?;
    let file = parse(path, &src)?;
    build(path, &src, file)
}

fn syntax_problem(path: &Path, e: &ron::error::SpannedError) -> Problem {
    Problem::new(ProblemKind::Syntax, path, e.code.to_string())
        .at(e.span.start.line, e.span.start.col)
}

fn parse(path: &Path, src: &str) -> Result<ProjectFile, LoadError> {
    let probe: VersionProbe = ron::from_str(src).map_err(|e| syntax_problem(path, &e))?;
    if probe.version > FORMAT_VERSION {
        return Err(Problem::new(
            ProblemKind::NewerVersion,
            path,
            format!(
                "this project was written by a newer Marginalia (file format version {}); this \
                 version reads formats up to {FORMAT_VERSION}. Update Marginalia to open it; the \
                 file was not changed.",
                probe.version
            ),
        )
        .at_line(find_line(src, "version:"))
        .into());
    }
    if probe.version == 0 {
        return Err(Problem::new(
            ProblemKind::Invalid,
            path,
            "file format version 0 does not exist",
        )
        .at_line(find_line(src, "version:"))
        .into());
    }
    ron::from_str(src).map_err(|e| syntax_problem(path, &e).into())
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

fn build(path: &Path, src: &str, file: ProjectFile) -> Result<Loaded, LoadError> {
    let base = project_dir(path);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    check_schema(path, src, &file.schema, &mut problems);
    let mut cache = CorpusCache::default();
    let mut seen_ids = HashSet::new();
    let mut documents = Vec::with_capacity(file.documents.len());
    for rec in file.documents {
        let abs = resolve(&base, &rec.path);
        let path_line = find_line(src, &format!("path: {:?}", rec.path));
        let text = match cache.text(&abs, rec.line) {
            Ok(t) => t,
            Err(found) => {
                for p in found {
                    let missing = p.kind == ProblemKind::Io && !abs.exists();
                    if missing {
                        problems.push(
                            Problem::new(
                                ProblemKind::MissingCorpus,
                                path,
                                format!(
                                    "corpus file `{}` (resolved to {}) is missing",
                                    rec.path,
                                    abs.display()
                                ),
                            )
                            .at_line(path_line),
                        );
                    } else {
                        problems.push(p);
                    }
                }
                continue;
            }
        };
        let hash = hash_text(&text);
        let changed = hash != rec.hash || text.len() != rec.len;
        let before = problems.len();
        for span in &rec.spans {
            if !seen_ids.insert(span.id) {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!("span id {} is used twice", span.id.0),
                    )
                    .at_line(span_line(src, span)),
                );
            }
            if file.schema.label(&span.label).is_none() {
                problems.push(
                    Problem::new(
                        ProblemKind::Invalid,
                        path,
                        format!(
                            "span {} has label `{}`, which is not in the schema",
                            span.id.0, span.label
                        ),
                    )
                    .at_line(span_line(src, span)),
                );
            }
            if let Some(p) = check_span_text(path, src, &abs, &text, span) {
                problems.push(p);
            }
        }
        if changed && problems.len() > before {
            problems.insert(
                before,
                Problem::new(
                    ProblemKind::SpanMismatch,
                    &abs,
                    format!(
                        "changed since the project was saved; {} of its {} spans no longer match their text",
                        problems.len() - before,
                        rec.spans.len()
                    ),
                ),
            );
        }
        if changed && problems.len() == before {
            warnings.push(Problem::new(
                ProblemKind::Warning,
                &abs,
                format!(
                    "changed since the project was saved, but all {} spans still match their text",
                    rec.spans.len()
                ),
            ));
        }
        let source = match rec.line {
            Some(line) => DocSource::JsonlLine { path: abs, line },
            None => DocSource::TextFile(abs),
        };
        let mut doc = Document::new(rec.id, source, hash, Arc::from(text));
        doc.status = rec.status;
        doc.meta = rec.meta;
        doc.set_spans(rec.spans);
        documents.push(doc);
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok(Loaded {
        project: Project::new(file.name, file.schema, documents),
        warnings,
    })
}

fn check_schema(path: &Path, src: &str, schema: &Schema, problems: &mut Vec<Problem>) {
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
    let file = ProjectFile {
        version: FORMAT_VERSION,
        name: project.name.clone(),
        schema: project.schema.clone(),
        documents: project
            .documents
            .iter()
            .map(|d| DocumentRecord {
                id: d.id.clone(),
                path: relative_to(&base, d.source.path()),
                line: match d.source {
                    DocSource::JsonlLine { line, .. } => Some(line),
                    DocSource::TextFile(_) => None,
                },
                hash: d.hash.clone(),
                len: d.text.len(),
                status: d.status,
                meta: d.meta.clone(),
                spans: d.spans().to_vec(),
            })
            .collect(),
    };
    // Depth 4 is a span: one span per line keeps files compact and diffs readable.
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .depth_limit(4)
        .new_line("\n")
        .indentor("    ");
    let body = ron::ser::to_string_pretty(&file, config).map_err(|e| {
        Problem::new(
            ProblemKind::Io,
            project_path,
            format!("cannot serialise the project: {e}"),
        )
    })?;
    let mut out = String::with_capacity(HEADER.len() + body.len() + 1);
    out.push_str(HEADER);
    out.push_str(&body);
    out.push('\n');
    Ok(out)
}

/// Saves atomically: on any error the previous file is untouched.
pub fn save_project(project: &Project, path: &Path) -> Result<(), Problem> {
    let text = project_to_ron(project, path)?;
    write_atomic(path, text.as_bytes()).map_err(|e| Problem::io(path, &e))
}
