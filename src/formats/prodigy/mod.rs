//! Prodigy JSONL: one task per line, `start`/`end` in code points, `token_end` inclusive.
//!
//! A task is `{"text", "tokens": [{"text", "start", "end", "id", "ws"}], "spans": [{"start",
//! "end", "token_start", "token_end", "label"}], "relations": [{"head", "child", "label",
//! "head_span", "child_span"}], "answer", "meta"}`. A relation's `head` and `child` are
//! token indices: Prodigy sets them to the `token_end` of the span at each end.
//!
//! Import: accepted tasks (and tasks without an answer) give spans and relations; a rejected
//! task's spans are negatives, so they become rejected suggestions (source `prodigy`), and
//! its text is still a document; ignored tasks are skipped and counted. Prodigy repeats a
//! text in several tasks (one per pass or per suggestion): tasks with the same text are
//! merged into one document (unless their `meta.id`s differ: two articles may share a text),
//! duplicate spans dropped, and the merges counted. Fields of a task other than the ones
//! above become document meta, Prodigy's `_input_hash`, `_task_hash`, `_session_id` and
//! `_view_id` included (the first task's), and the task's `tokens` are kept as they were
//! read (`disabled` flags and all); a relation's `color` is display only.
//!
//! Export: one accepted task per document, with Prodigy's own keys back at its top and the
//! tokens that were imported (when they still fit the text), else tokens from
//! `formats::tokens::tokenize`; a span whose ends
//! are not on token boundaries keeps its exact `start`/`end` and covers the whole tokens it
//! touches in `token_start`/`token_end` (and is reported). Rejected suggestions follow as a
//! second task with `"answer": "reject"`. Attributes and notes, which Prodigy has no place
//! for, are extra keys of the span object (`"attrs"`, `"note"`), read back on import.

mod export;

pub use export::export;

use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{
    id_text, informative, json_lines, label_text, line_or_problem, meta_text, note_unknown_keys,
    read_attrs_note, skip_span, span_bytes,
};
use crate::formats::{
    Imported, ImportedDoc, ImportedRelation, ImportedSpan, ImportedSuggestion, Report,
};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Review, Status};
use crate::persist::{LoadError, Problem, ProblemKind};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Source of the suggestions made from rejected tasks.
pub const SOURCE: &str = "prodigy";

/// Task keys read here; others become document meta.
const TASK_KEYS: [&str; 6] = ["text", "tokens", "spans", "relations", "answer", "meta"];

/// Task keys of Prodigy's own (hashes, session, view): kept in the document's meta and
/// written back at the top of the accepted task, so a dataset keeps its identity.
pub(crate) const PRODIGY_KEYS: [&str; 4] = ["_input_hash", "_task_hash", "_session_id", "_view_id"];

/// The document meta key holding the task's own `tokens` (JSON), `disabled` flags and all:
/// export writes them back instead of tokenizing again.
pub(crate) const TOKENS_META: &str = "_tokens";

/// Span keys read here (`type` is always `span`); others are named in the report.
const SPAN_KEYS: [&str; 10] = [
    "start",
    "end",
    "token_start",
    "token_end",
    "label",
    "text",
    "type",
    "attrs",
    "note",
    FRAGMENT_OF,
];

/// The span key that groups the pieces of a discontinuous span (Marginalia writes one
/// Prodigy span per fragment, each with the span's id here).
const FRAGMENT_OF: &str = "fragment_of";

/// What a task's answer means for Marginalia.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    Reject,
}

/// A span of the task being read: where it went in the document, and its tokens (for
/// relations that name a token instead of a span).
struct TaskSpan {
    at: usize,
    start: usize,
    end: usize,
    label: String,
    tokens: Option<(u64, u64)>,
}

/// Reads Prodigy JSONL files. Lines that are not JSON, or have no text, make the import fail
/// with every such line listed; spans and relations that do not fit the text are reported
/// and skipped.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    // (Text, meta id) → index of its document, across files.
    let mut by_text: HashMap<(String, Option<String>), usize> = HashMap::new();
    let mut ids = HashSet::new();
    for path in paths {
        let stem = file_stem(path);
        let mut unknown_span_keys = BTreeSet::new();
        for item in json_lines(path) {
            let Some((line, task)) = line_or_problem(item, &mut problems) else {
                continue;
            };
            let Some(text) = task.get("text").and_then(Value::as_str) else {
                let msg = "no \"text\" string: not a Prodigy task (image and audio tasks are not supported)";
                problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
                continue;
            };
            let report = &mut imported.report;
            let answer = match task.get("answer").and_then(Value::as_str) {
                None | Some("accept") => Answer::Accept,
                Some("reject") => Answer::Reject,
                Some("ignore") => {
                    report.count("ignored tasks skipped", 1);
                    continue;
                }
                Some(other) => {
                    report.note(
                        path,
                        Some(line),
                        format!("unknown answer `{other}`; task skipped"),
                    );
                    report.count("tasks skipped", 1);
                    continue;
                }
            };
            let meta_id = task.get("meta").and_then(|m| m.get("id")).and_then(id_text);
            // Tasks of one text are one document, unless their meta ids tell documents
            // apart (two articles can have the same text).
            let key = (text.to_owned(), meta_id.clone());
            let at = match by_text.get(&key) {
                Some(&at) => {
                    report.count("tasks merged (same text)", 1);
                    at
                }
                None => {
                    by_text.insert(key, imported.docs.len());
                    let id = meta_id.clone().unwrap_or_else(|| format!("{stem}-{line}"));
                    let id = unique_id(&mut ids, id, path, Some(line), report);
                    imported.docs.push(ImportedDoc {
                        id,
                        text: text.to_owned(),
                        ..Default::default()
                    });
                    imported.docs.len() - 1
                }
            };
            let Some(doc) = imported.docs.get_mut(at) else {
                continue;
            };
            // The meta id is the document's id; one that differs (a merged task's, a
            // repeated one) stays in meta.
            let id_is_doc_id = meta_id.as_deref() == Some(doc.id.as_str());
            let index = OffsetIndex::new(text);
            read_meta(path, line, &task, id_is_doc_id, doc, report);
            keep_tokens(&task, &index, doc);
            let spans = read_spans(
                path,
                line,
                &task,
                answer,
                &index,
                doc,
                report,
                &mut unknown_span_keys,
            );
            if answer == Answer::Accept {
                doc.status = Some(Status::Done);
                read_relations(path, line, &task, &index, &spans, doc, report);
            } else if let Some(n) = task
                .get("relations")
                .and_then(Value::as_array)
                .map(Vec::len)
                .filter(|n| *n > 0)
            {
                report.note(
                    path,
                    Some(line),
                    format!("{}: {n} relations of a rejected task not imported", doc.id),
                );
                report.count("relations of rejected tasks not imported", n);
            }
        }
        note_unknown_keys(path, "span", &unknown_span_keys, &mut imported.report);
    }
    LoadError::or_ok(problems, imported)
}

/// Keeps the task's `tokens` in the document's meta when export could not make them again:
/// when they are not exactly what `formats::tokens::tokenize` gives (another tokenizer,
/// `disabled` flags, other fields). Most files' tokens are, and are not held twice.
fn keep_tokens(task: &Map<String, Value>, index: &OffsetIndex<'_>, doc: &mut ImportedDoc) {
    let Some(Value::Array(given)) = task.get("tokens") else {
        return;
    };
    if given.is_empty() || doc.meta.contains_key(TOKENS_META) {
        return;
    }
    let ours = crate::formats::tokens::tokenize(&doc.text);
    let same = given.len() == ours.len()
        && given.iter().zip(&ours).enumerate().all(|(i, (g, t))| {
            let Some(g) = g.as_object() else {
                return false;
            };
            let num = |k: &str| g.get(k).and_then(Value::as_u64);
            g.len() == 5
                && num("id") == Some(i as u64)
                && num("start") == Some(index.from_byte(t.start, Unit::CodePoints) as u64)
                && num("end") == Some(index.from_byte(t.end, Unit::CodePoints) as u64)
                && g.get("ws").and_then(Value::as_bool) == Some(t.ws)
                && g.get("text").and_then(Value::as_str) == doc.text.get(t.start..t.end)
        });
    if !same {
        doc.meta.insert(
            TOKENS_META.to_owned(),
            Value::Array(given.clone()).to_string(),
        );
    }
}

/// The task's `meta` (its `id` is the document's id) and its other fields become the
/// document's meta; a later task of the same text adds what the first did not say.
fn read_meta(
    path: &Path,
    line: usize,
    task: &Map<String, Value>,
    has_id: bool,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    let meta = task
        .get("meta")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !(has_id && k.as_str() == "id"));
    let others = task
        .iter()
        .filter(|(k, _)| !TASK_KEYS.contains(&k.as_str()));
    for (k, v) in meta.chain(others) {
        if !informative(v) {
            continue;
        }
        let v = meta_text(v);
        match doc.meta.get(k) {
            None => {
                doc.meta.insert(k.clone(), v);
            }
            // Each task has its own hash: the first task's stays with the document.
            Some(_) if PRODIGY_KEYS.contains(&k.as_str()) => {}
            Some(old) if *old != v => {
                report.note(
                    path,
                    Some(line),
                    format!(
                        "{}: meta `{k}` differs between tasks of the same text; the first is kept",
                        doc.id
                    ),
                );
            }
            Some(_) => {}
        }
    }
}

/// The task's spans: accepted ones become spans (a repeat of one already read is merged),
/// rejected ones rejected suggestions. Returns the accepted ones with where they went.
#[allow(clippy::too_many_arguments)]
fn read_spans(
    path: &Path,
    line: usize,
    task: &Map<String, Value>,
    answer: Answer,
    index: &OffsetIndex<'_>,
    doc: &mut ImportedDoc,
    report: &mut Report,
    unknown_keys: &mut BTreeSet<String>,
) -> Vec<TaskSpan> {
    let mut out = Vec::new();
    // `fragment_of` value → the span its first piece became.
    let mut groups: HashMap<String, usize> = HashMap::new();
    for span in task
        .get("spans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(span) = span.as_object() else {
            let why = "a span that is not an object; skipped";
            skip_span(path, line, &doc.id, why, report);
            continue;
        };
        // A rejected span's score is read (as the suggestion's score).
        let read_here =
            |k: &str| SPAN_KEYS.contains(&k) || (answer == Answer::Reject && k == "score");
        unknown_keys.extend(span.keys().filter(|k| !read_here(k)).cloned());
        let Some(read) = read_span(path, line, span, index, doc, report) else {
            continue;
        };
        match answer {
            Answer::Accept => {
                let token = |k: &str| span.get(k).and_then(Value::as_u64);
                let tokens = token("token_start").zip(token("token_end"));
                let (start, end, label) = (read.start, read.end, read.label.clone());
                let group = span.get(FRAGMENT_OF).and_then(id_text);
                let at = match group.as_ref().and_then(|g| groups.get(g)) {
                    Some(&at) => {
                        doc.add_fragment(at, (start, end));
                        at
                    }
                    None => add_accepted(doc, read, report),
                };
                if let Some(g) = group {
                    groups.entry(g).or_insert(at);
                }
                out.push(TaskSpan {
                    at,
                    start,
                    end,
                    label,
                    tokens,
                });
            }
            Answer::Reject => {
                let score = span.get("score").and_then(Value::as_f64).map(|s| s as f32);
                add_rejected(doc, read, score, report);
            }
        }
    }
    out
}

/// A span of a task, checked against the document's text.
struct ReadSpan {
    start: usize,
    end: usize,
    label: String,
    attrs: crate::model::Attrs,
    note: Option<String>,
}

/// The span's label and byte range, when it has a label, valid offsets, and (if it says)
/// the text the document has there; otherwise a note that it is skipped.
fn read_span(
    path: &Path,
    line: usize,
    span: &Map<String, Value>,
    index: &OffsetIndex<'_>,
    doc: &ImportedDoc,
    report: &mut Report,
) -> Option<ReadSpan> {
    let Some(label) = span.get("label").and_then(label_text) else {
        skip_span(
            path,
            line,
            &doc.id,
            "a span without a label; skipped",
            report,
        );
        return None;
    };
    let (start, end) = match span_bytes(index, span.get("start"), span.get("end"), Unit::CodePoints)
    {
        Ok(r) => r,
        Err(e) => {
            let why = format!("`{label}` span skipped: {e}");
            skip_span(path, line, &doc.id, why, report);
            return None;
        }
    };
    let covered = doc.text.get(start..end).unwrap_or_default();
    if let Some(given) = span
        .get("text")
        .and_then(Value::as_str)
        .filter(|g| *g != covered)
    {
        let why = format!(
            "`{label}` span skipped: its text “{given}” differs from the document's “{covered}”"
        );
        skip_span(path, line, &doc.id, why, report);
        return None;
    }
    let (attrs, note) = read_attrs_note(span);
    Some(ReadSpan {
        start,
        end,
        label,
        attrs,
        note,
    })
}

/// An accepted span; a repeat of one already read is merged into it (keeping what either
/// carries). Returns its index in the document's spans.
fn add_accepted(doc: &mut ImportedDoc, read: ReadSpan, report: &mut Report) -> usize {
    let same = doc
        .spans
        .iter()
        .position(|s| s.start == read.start && s.end == read.end && s.label == read.label);
    let Some(at) = same else {
        doc.spans.push(ImportedSpan {
            start: read.start,
            end: read.end,
            label: read.label,
            attrs: read.attrs,
            note: read.note,
            ..Default::default()
        });
        return doc.spans.len() - 1;
    };
    if let Some(s) = doc.spans.get_mut(at) {
        // A repeat may carry what the first did not; keep both.
        for (k, v) in read.attrs {
            if !s.attrs.contains_key(&k) {
                s.attrs.insert(k, v);
            }
        }
        if s.note.is_none() {
            s.note = read.note;
        }
    }
    report.count("duplicate spans merged", 1);
    at
}

/// A rejected span: a rejected suggestion (once per range and label), a negative example.
fn add_rejected(doc: &mut ImportedDoc, read: ReadSpan, score: Option<f32>, report: &mut Report) {
    if read.note.is_some() {
        report.count("notes of rejected spans not imported", 1);
    }
    let same = doc
        .suggestions
        .iter()
        .any(|s| s.start == read.start && s.end == read.end && s.label == read.label);
    if !same {
        doc.suggestions.push(ImportedSuggestion {
            start: read.start,
            end: read.end,
            label: read.label,
            attrs: read.attrs,
            source: SOURCE.to_owned(),
            score,
            review: Review::Rejected,
            links: Vec::new(),
        });
    }
}

/// The task's relations, between its spans: found by `head_span`/`child_span` offsets, or
/// else by the `head`/`child` token falling inside a span.
fn read_relations(
    path: &Path,
    line: usize,
    task: &Map<String, Value>,
    index: &OffsetIndex<'_>,
    spans: &[TaskSpan],
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    let tokens: Vec<(Option<usize>, Option<usize>)> = task
        .get("tokens")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            let at = |k: &str| {
                t.get(k)
                    .and_then(Value::as_u64)
                    .and_then(|o| usize::try_from(o).ok())
                    .and_then(|o| index.to_byte(o, Unit::CodePoints))
            };
            (at("start"), at("end"))
        })
        .collect();
    let find = |end_span: Option<&Value>, token: Option<&Value>| -> Option<usize> {
        if let Some(e) = end_span
            && let Ok((start, end)) =
                span_bytes(index, e.get("start"), e.get("end"), Unit::CodePoints)
        {
            let label = e.get("label").and_then(Value::as_str);
            let mut same = spans.iter().filter(|s| s.start == start && s.end == end);
            let by_label = same.clone().find(|s| Some(s.label.as_str()) == label);
            if let Some(s) = by_label.or_else(|| same.next()) {
                return Some(s.at);
            }
        }
        let token = token.and_then(Value::as_u64)?;
        if let Some(s) = spans
            .iter()
            .find(|s| s.tokens.is_some_and(|(a, b)| a <= token && token <= b))
        {
            return Some(s.at);
        }
        let (Some(start), Some(end)) = tokens.get(usize::try_from(token).ok()?).copied()? else {
            return None;
        };
        spans
            .iter()
            .find(|s| s.start <= start && end <= s.end)
            .map(|s| s.at)
    };
    for rel in task
        .get("relations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = rel.get("label").and_then(label_text);
        let from = find(rel.get("head_span"), rel.get("head"));
        let to = find(rel.get("child_span"), rel.get("child"));
        match (kind, from, to) {
            (Some(kind), Some(from), Some(to)) => {
                let r = ImportedRelation {
                    kind,
                    from,
                    to,
                    ..Default::default()
                };
                if doc.relations.contains(&r) {
                    report.count("duplicate relations merged", 1);
                } else {
                    doc.relations.push(r);
                }
            }
            (kind, ..) => {
                let kind = kind.unwrap_or_else(|| "(no label)".to_owned());
                report.note(path, Some(line), format!("{}: a `{kind}` relation without a label, or whose head or child is not a span of the task; skipped", doc.id));
                report.count("relations skipped", 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::export::{ExportFilter, select};

    /// Tokens are spliced into each task by hand: every line must still be exactly what
    /// serde_json writes for the whole task (keys sorted, no spaces).
    #[test]
    fn tasks_are_canonical_json() {
        let p = crate::generate::project(3, 2_000, 3, 4, Path::new("/tmp"));
        let docs = select(&p, &ExportFilter::default());
        let mut report = Report::default();
        let out = export(&docs, &p.schema, Path::new("out.jsonl"), &mut report);
        let content = &out.files[0].1;
        assert_eq!(content.lines().count(), 3);
        for line in content.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v.to_string(), line);
            assert!(v["tokens"].as_array().unwrap().len() > 300);
        }
    }
}
