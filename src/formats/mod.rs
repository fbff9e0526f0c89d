//! Interchange formats: import from and export to the tools people already use.
//!
//! One file per format, import and export side by side. Every format counts offsets its own
//! way (code points, UTF-16 units, tokens); conversion happens here, at the boundary, with
//! [`crate::model::text::OffsetIndex`], and every converted span is checked against the text.
//! What a format cannot carry is said in the [`Report`], never dropped silently.
//!
//! - `build.rs`: imported documents become a project (schema, corpus file, ids);
//! - `export.rs`: choosing documents and spans, splits, and the checks every export runs;
//! - `ids.rs`: unique document ids across the files of one import;
//! - `json.rs`: helpers the JSON formats share (located JSONL errors, offsets, attributes);
//! - `tokens.rs`: the tokenizer and sentence splitter for token-based formats.

pub mod brat;
pub mod build;
pub mod conll;
pub mod doccano;
pub mod export;
pub mod hf;
pub mod ids;
pub mod json;
pub mod label_studio;
pub mod plain;
pub mod prodigy;
pub mod run;
pub mod sink;
pub mod spacy;
pub mod spacy_tokens;
pub mod tokens;

use crate::model::{Review, Schema, Status};
use crate::persist::{Problem, ProblemKind};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The formats Marginalia reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// brat standoff: .txt + .ann per document, annotation.conf for the schema.
    Brat,
    /// doccano JSONL (`label` or `entities`/`relations` form), UTF-16 offsets.
    Doccano,
    /// Label Studio JSON tasks: annotations are spans, predictions are suggestions.
    LabelStudio,
    /// Prodigy JSONL: accepted tasks are spans, rejected ones rejected suggestions.
    Prodigy,
    /// spaCy-ready JSONL with code point offsets (export).
    Spacy,
    /// CoNLL IOB2 columns (export; import reads IOB1 and IOB2).
    Conll,
    /// Hugging Face token classification JSONL with string tags, and a label list.
    Hf,
    /// A folder of .txt files (import).
    Text,
    /// A JSONL corpus of {"id"?, "text", "meta"?} lines (import).
    Jsonl,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Brat => "brat",
            Format::Doccano => "doccano",
            Format::LabelStudio => "label-studio",
            Format::Prodigy => "prodigy",
            Format::Spacy => "spacy",
            Format::Conll => "conll",
            Format::Hf => "hf",
            Format::Text => "text",
            Format::Jsonl => "jsonl",
        }
    }

    pub const ALL: [Format; 9] = [
        Format::Brat,
        Format::Doccano,
        Format::LabelStudio,
        Format::Prodigy,
        Format::Spacy,
        Format::Conll,
        Format::Hf,
        Format::Text,
        Format::Jsonl,
    ];

    pub fn can_import(self) -> bool {
        !matches!(self, Format::Spacy)
    }

    pub fn can_export(self) -> bool {
        !matches!(self, Format::Text | Format::Jsonl)
    }

    /// Whether export writes a folder (brat) rather than a file.
    pub fn exports_folder(self) -> bool {
        matches!(self, Format::Brat)
    }

    /// The extension of the file an export writes (`None`: a folder).
    pub fn export_extension(self) -> Option<&'static str> {
        match self {
            Format::Brat | Format::Text => None,
            Format::LabelStudio => Some("json"),
            Format::Conll => Some("conll"),
            Format::Doccano | Format::Prodigy | Format::Spacy | Format::Hf | Format::Jsonl => {
                Some("jsonl")
            }
        }
    }
}

/// A span read from another tool, in byte offsets of its document's text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedSpan {
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// A discontinuous span's pieces as byte ranges (`start..end` is then their extent);
    /// empty for a contiguous span.
    pub fragments: Vec<(usize, usize)>,
    pub attrs: crate::model::Attrs,
    pub note: Option<String>,
}

/// A relation between two spans of the same document (indices into its `spans`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedRelation {
    pub kind: String,
    pub from: usize,
    pub to: usize,
    pub attrs: crate::model::Attrs,
    pub note: Option<String>,
}

/// A machine suggestion read from another tool.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedSuggestion {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub attrs: crate::model::Attrs,
    pub source: String,
    pub score: Option<f32>,
    pub review: Review,
    /// Proposed relations to other suggestions of the same document: (type, index into
    /// [`ImportedDoc::suggestions`]).
    pub links: Vec<(String, usize)>,
}

/// A document read from another tool, before it becomes part of a project.
#[derive(Clone, Debug, Default)]
pub struct ImportedDoc {
    pub id: String,
    pub text: String,
    /// Where the text already lives as a UTF-8 file (brat .txt, a text folder): the project
    /// points at it. `None`: the text goes into the project's corpus file.
    pub source: Option<PathBuf>,
    pub meta: crate::model::attrs::Meta,
    pub spans: Vec<ImportedSpan>,
    pub relations: Vec<ImportedRelation>,
    pub suggestions: Vec<ImportedSuggestion>,
    pub status: Option<Status>,
    /// Whose annotations these are, when the source keeps several annotators' work on one
    /// text (brat `A_ann1.ann` beside `A_ann2.ann`, Label Studio `completed_by`): the
    /// import then makes a team project, one file per annotator (`formats::run`).
    pub annotator: Option<String>,
}

impl ImportedDoc {
    /// Another piece of the discontinuous span at `at` of `spans` (formats that write one
    /// span per fragment, grouped by a shared key, are read back with this).
    pub fn add_fragment(&mut self, at: usize, piece: (usize, usize)) {
        let Some(s) = self.spans.get_mut(at) else {
            return;
        };
        if s.fragments.is_empty() {
            s.fragments.push((s.start, s.end));
        }
        s.fragments.push(piece);
        s.fragments.sort_unstable();
        s.start = s.start.min(piece.0);
        s.end = s.end.max(piece.1);
    }
}

/// Everything an import read.
#[derive(Debug, Default)]
pub struct Imported {
    pub docs: Vec<ImportedDoc>,
    /// The schema the source declares (brat's annotation.conf), if any.
    pub schema: Option<Schema>,
    /// Labels whose spans are event triggers in the source (brat `E` lines).
    pub event_labels: std::collections::BTreeSet<String>,
    pub report: Report,
}

/// What an import or export did, and what it could not carry, with places.
#[derive(Debug, Default)]
pub struct Report {
    pub notes: Vec<Problem>,
    /// Counts by what was counted ("documents", "spans", ...), for the summary line.
    pub counts: BTreeMap<String, usize>,
}

impl Report {
    /// Something the user must know: a span that was split, a line that was skipped.
    pub fn note(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.notes
            .push(Problem::new(ProblemKind::Warning, file, message).at_line(line));
    }

    /// A note already located (with its document and span, for `--report`).
    pub fn push(&mut self, problem: Problem) {
        self.notes.push(problem);
    }

    pub fn count(&mut self, what: &str, n: usize) {
        *self.counts.entry(what.to_owned()).or_default() += n;
    }

    /// Everything the report holds, for `--report FILE.json`: what ran, the counts, and
    /// every note (never cut short, unlike the printed summary).
    pub fn to_json(&self, command: &str, format: Format, errors: &[Problem]) -> serde_json::Value {
        serde_json::json!({
            "command": command,
            "format": format.name(),
            "ok": errors.is_empty(),
            "counts": self.counts,
            "errors": errors.iter().map(Problem::to_json).collect::<Vec<_>>(),
            "notes": self.notes.iter().map(Problem::to_json).collect::<Vec<_>>(),
        })
    }

    /// Takes in what another step said (an import run on the way to something else).
    pub fn absorb(&mut self, other: Report) {
        self.notes.extend(other.notes);
        for (what, n) in other.counts {
            self.count(&what, n);
        }
    }

    pub fn get(&self, what: &str) -> usize {
        self.counts.get(what).copied().unwrap_or(0)
    }

    /// "3 documents, 120 spans, 4 relations".
    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())?;
        const SHOWN: usize = 40;
        for n in self.notes.iter().take(SHOWN) {
            write!(f, "\n  {n}")?;
        }
        if self.notes.len() > SHOWN {
            write!(f, "\n  … and {} more notes", self.notes.len() - SHOWN)?;
        }
        Ok(())
    }
}

/// Files an export produces: paths (relative to where the user asked) and contents, in
/// memory or, for big ones, already on disk beside their target (see `sink`).
#[derive(Debug, Default)]
pub struct Output {
    pub files: Vec<(PathBuf, String)>,
    /// Big files, each in the temporary file the write renames over its target (removed if
    /// it never is).
    pub spooled: Vec<(PathBuf, tempfile::NamedTempFile)>,
    /// A file that could not be spooled (a full disk): the export must not be written.
    pub failed: Option<Problem>,
}

impl Output {
    /// The output of one file written through a [`sink::Sink`].
    pub fn single(target: &Path, sink: sink::Sink) -> Self {
        let mut out = Output::default();
        out.add(target, sink);
        out
    }

    /// Adds the file `sink` wrote to `target`.
    pub fn add(&mut self, target: &Path, sink: sink::Sink) {
        match sink.finish() {
            Ok(sink::Body::Text(text)) => self.files.push((target.to_owned(), text)),
            Ok(sink::Body::Spooled(file)) => self.spooled.push((target.to_owned(), file)),
            Err(e) => self.failed = Some(Problem::io(target, &e)),
        }
    }
}

/// Reads `paths` in `format`.
pub fn import(format: Format, paths: &[PathBuf]) -> Result<Imported, crate::persist::LoadError> {
    match format {
        Format::Brat => brat::import(paths),
        Format::Doccano => doccano::import(paths),
        Format::LabelStudio => label_studio::import(paths),
        Format::Prodigy => prodigy::import(paths),
        Format::Conll => conll::import(paths),
        Format::Hf => hf::import(paths),
        Format::Text => plain::import_folders(paths),
        Format::Jsonl => plain::import_jsonl(paths),
        Format::Spacy => Err(Problem::new(ProblemKind::Invalid, Path::new("spacy"), "spaCy JSONL is an export format only (to bring spaCy output in, use doccano or Prodigy JSONL)").into()),
    }
}

/// Writes the selected documents in `format`; `out` is the file (or folder) asked for.
pub fn export(
    format: Format,
    docs: &[export::ExportDoc<'_>],
    schema: &Schema,
    out: &Path,
    report: &mut Report,
) -> Output {
    match format {
        Format::Brat => brat::export(docs, schema, out, report),
        Format::Doccano => doccano::export(docs, schema, out, report),
        Format::LabelStudio => label_studio::export(docs, schema, out, report),
        Format::Prodigy => prodigy::export(docs, schema, out, report),
        Format::Spacy => spacy::export(docs, schema, out, report),
        Format::Conll => conll::export(docs, schema, out, report),
        Format::Hf => hf::export(docs, schema, out, report),
        Format::Text | Format::Jsonl => Output::default(),
    }
}
