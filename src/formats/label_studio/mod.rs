//! Label Studio JSON: an array of tasks, offsets in code points (older versions counted
//! UTF-16 units; a span whose text only matches that way is read so, and counted).
//!
//! A task is `{"id", "data": {"text"}, "meta", "annotations": [{"result": [..]}],
//! "predictions": [{"model_version", "score", "result": [..]}]}`. In a result list:
//!
//! - a span is `{"id", "from_name": "label", "to_name": "text", "type": "labels", "value":
//!   {"start", "end", "text", "labels": [..]}}`;
//! - a relation is `{"from_id", "to_id", "type": "relation", "direction", "labels": [..]}`;
//! - an attribute is a per-region result with the span's region `id` and the attribute's
//!   name as `from_name`, as Label Studio's own `perRegion` tags write them: `"type":
//!   "choices"` with `"value": {"start", "end", "text", "choices": [value]}` for choice
//!   attributes, `"type": "textarea"` with `"value": {"start", "end", "text": [value]}` for
//!   free-text ones. A span's note is a textarea result named [`NOTE`]. Import reads both.
//! - a discontinuous span, which Label Studio cannot draw as one region, is one `labels`
//!   region per fragment, each with `"meta": {"fragment_of": id}` naming the first
//!   fragment's region, whose id is the span's (so relations and attributes point at it);
//!   import joins them back into one span.
//!
//! The first annotation of a task gives the spans, relations and attributes; predictions
//! become pending suggestions (source = `model_version`), and export writes pending
//! suggestions back as predictions, one per source, with the links between them as
//! predicted relations; import reads predicted relations back as links.
//!
//! - `records.rs`: the JSON as typed records, tolerant field by field;
//! - `read.rs`: a task into an imported document;
//! - `export.rs`: documents into tasks.

mod export;
mod read;
mod records;

pub use export::export;

use crate::formats::Imported;
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{kind_of, note_unknown_keys};
use crate::model::text::line_col;
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem, ProblemKind};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The region meta key that groups the fragments of a discontinuous span.
pub const FRAGMENT_OF: &str = "fragment_of";

/// The `from_name` of the per-region textarea that holds a span's note.
pub const NOTE: &str = "note";

/// Source of predictions that name no `model_version`.
const DEFAULT_SOURCE: &str = "label-studio";

/// Relation type given to Label Studio relations without a label (Marginalia's are typed).
const UNTYPED_RELATION: &str = "related";

/// Task keys Marginalia reads; the others are Label Studio's bookkeeping (dates, counters,
/// project and user numbers), named once per file in the report.
const TASK_KEYS: [&str; 5] = ["id", "data", "meta", "annotations", "predictions"];

/// Reads Label Studio JSON exports. Invalid JSON, and tasks without text, make the import
/// fail with every place listed; results that cannot be read are reported and skipped.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut several = 0;
    for path in paths {
        let content = match read_text_file(path) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let mut file = FileState {
            path,
            stem: file_stem(path),
            unknown_task_keys: BTreeSet::new(),
            other_results: BTreeMap::new(),
            several_annotations: 0,
        };
        // Each task is read as it is parsed and its JSON dropped: the file's whole tree of
        // values took four times the file (an 80 MB export peaked at 489 MB).
        let starts = element_starts(&content);
        let mut lines = Lines::new(&content);
        let mut read_one = |i: usize, task: Value| {
            let line = starts.get(i).map_or(1, |&at| lines.line_of(at));
            let task = match task {
                Value::Object(_) => serde_json::from_value::<records::Task>(task),
                other => {
                    let msg = format!("task {} is {}, not an object", i + 1, kind_of(&other));
                    problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
                    return;
                }
            };
            let task = match task {
                Ok(t) => t,
                Err(e) => {
                    let msg = format!("task {} cannot be read: {e}", i + 1);
                    problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
                    return;
                }
            };
            match read::read_task(&mut file, i, line, &task, &mut imported.report) {
                Ok(docs) => {
                    // One task, one document id, whoever annotated it.
                    let Some(first) = docs.first() else {
                        return;
                    };
                    let id = first.id.clone();
                    let id = unique_id(&mut ids, id, path, Some(line), &mut imported.report);
                    for mut doc in docs {
                        doc.id = id.clone();
                        imported.docs.push(doc);
                    }
                }
                Err(p) => problems.push(p),
            }
        };
        let mut json = serde_json::Deserializer::from_str(&content);
        let read = EachTask(&mut read_one)
            .deserialize(&mut json)
            .and_then(|()| json.end());
        if let Err(e) = read {
            problems.push(Problem::json(path, e.line(), &e, ""));
            continue;
        }
        note_unknown_keys(path, "task", &file.unknown_task_keys, &mut imported.report);
        for (kind, n) in &file.other_results {
            imported.report.note(
                path,
                None,
                format!("{n} `{kind}` results not imported (no place for them)"),
            );
            imported.report.count("results not imported", *n);
        }
        several += file.several_annotations;
    }
    if several == 0 {
        // One annotation per task: an ordinary project, whoever made them.
        for d in &mut imported.docs {
            d.annotator = None;
        }
    } else {
        imported.report.note(
            paths.first().map_or(Path::new(""), PathBuf::as_path),
            None,
            format!(
                "{several} tasks have several annotations: each annotator's work goes to a \
                 file of their own (a team project)"
            ),
        );
    }
    LoadError::or_ok(problems, imported)
}

/// What is gathered over one file, for notes given once rather than per task.
struct FileState<'a> {
    path: &'a Path,
    stem: String,
    unknown_task_keys: BTreeSet<String>,
    /// Result types Marginalia has no place for, with how many were seen.
    other_results: BTreeMap<String, usize>,
    /// Tasks with more than one annotation.
    several_annotations: usize,
}

/// Calls its function with each task of a Label Studio file as it is parsed: the elements
/// of the top-level array, or the one task of a file that is a single object.
struct EachTask<'f, F>(&'f mut F);

impl<'de, F: FnMut(usize, Value)> DeserializeSeed<'de> for EachTask<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(usize, Value)> Visitor<'de> for EachTask<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of Label Studio tasks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(task) = seq.next_element::<Value>()? {
            (self.0)(i, task);
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let task = Value::deserialize(MapAccessDeserializer::new(map))?;
        (self.0)(0, task);
        Ok(())
    }
}

/// Line numbers of increasing byte offsets in one pass over the text (a task's line counted
/// from the start of the file each time made an 80 MB export's import quadratic: 1,600
/// tasks, 64 GB scanned).
struct Lines<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The line of `offset`; offsets asked in increasing order cost one pass in all.
    fn line_of(&mut self, offset: usize) -> usize {
        if offset < self.at {
            return line_col(self.text, offset).0;
        }
        let between = self
            .text
            .as_bytes()
            .get(self.at..offset)
            .unwrap_or_default();
        self.line += memchr::memchr_iter(b'\n', between).count();
        self.at = offset;
        self.line
    }
}

/// Byte offsets where the elements of the top-level JSON array start (the file is known to
/// be valid JSON), so that a task can be named by its line.
fn element_starts(content: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut expect) = (0usize, false, false, false);
    for (i, b) in content.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if depth == 1 && expect && b != b']' {
            starts.push(i);
            expect = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                expect = depth == 1 && b == b'[';
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect = true,
            _ => {}
        }
    }
    starts
}
