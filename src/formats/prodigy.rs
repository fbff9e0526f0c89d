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
//! merged into one document, duplicate spans dropped, and the merges counted. Fields of a
//! task other than the ones above become document meta (`_input_hash`, `_task_hash` and
//! `_view_id` are left out: Prodigy computes them again when the file is loaded back; a
//! relation's `color` is display only).
//!
//! Export: one accepted task per document with tokens from [`tokenize`]; a span whose ends
//! are not on token boundaries keeps its exact `start`/`end` and covers the whole tokens it
//! touches in `token_start`/`token_end` (and is reported). Rejected suggestions follow as a
//! second task with `"answer": "reject"`. Attributes and notes, which Prodigy has no place
//! for, are extra keys of the span object (`"attrs"`, `"note"`), read back on import.

use crate::formats::export::{ExportDoc, checked_offsets, report_misaligned};
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{
    checked_suggestion_offsets, id_text, informative, label_text, meta_object, meta_text,
    note_unknown_keys, read_attrs_note, read_json_lines, report_uncarried, skip_span, span_bytes,
    write_attrs_note,
};
use crate::formats::tokens::{Token, covered, tokenize};
use crate::formats::{
    Imported, ImportedDoc, ImportedRelation, ImportedSpan, ImportedSuggestion, Output, Report,
};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Document, Review, Schema, SpanId, Status};
use crate::persist::{LoadError, Problem, ProblemKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Source of the suggestions made from rejected tasks.
pub const SOURCE: &str = "prodigy";

/// Task keys read here; others become document meta.
const TASK_KEYS: [&str; 6] = ["text", "tokens", "spans", "relations", "answer", "meta"];

/// Task keys Prodigy computes itself (hashes) or that only say which view was used.
const PRODIGY_KEYS: [&str; 3] = ["_input_hash", "_task_hash", "_view_id"];

/// Span keys read here (`type` is always `span`); others are named in the report.
const SPAN_KEYS: [&str; 9] = [
    "start",
    "end",
    "token_start",
    "token_end",
    "label",
    "text",
    "type",
    "attrs",
    "note",
];

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
    // Text → index of its document, across files: a text is one document.
    let mut by_text: HashMap<String, usize> = HashMap::new();
    let mut ids = HashSet::new();
    for path in paths {
        let stem = file_stem(path);
        let mut unknown_span_keys = BTreeSet::new();
        for (line, task) in read_json_lines(path, &mut problems) {
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
            let at = match by_text.get(text) {
                Some(&at) => {
                    report.count("tasks merged (same text)", 1);
                    at
                }
                None => {
                    by_text.insert(text.to_owned(), imported.docs.len());
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
            read_meta(path, line, &task, id_is_doc_id, doc, report);
            let index = OffsetIndex::new(text);
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
        .filter(|(k, _)| !TASK_KEYS.contains(&k.as_str()) && !PRODIGY_KEYS.contains(&k.as_str()));
    for (k, v) in meta.chain(others) {
        if !informative(v) {
            continue;
        }
        let v = meta_text(v);
        match doc.meta.get(k) {
            None => {
                doc.meta.insert(k.clone(), v);
            }
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

/// The task's spans, checked against the text: spans of the document (accepted) or
/// rejected suggestions. Returns where each went, for the relations.
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
    for span in task
        .get("spans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(span) = span.as_object() else {
            skip_span(
                path,
                line,
                &doc.id,
                "a span that is not an object; skipped",
                report,
            );
            continue;
        };
        // A rejected span's score is read (as the suggestion's score).
        let read_here =
            |k: &str| SPAN_KEYS.contains(&k) || (answer == Answer::Reject && k == "score");
        unknown_keys.extend(span.keys().filter(|k| !read_here(k)).cloned());
        let Some(label) = span.get("label").and_then(label_text) else {
            skip_span(
                path,
                line,
                &doc.id,
                "a span without a label; skipped",
                report,
            );
            continue;
        };
        let (start, end) =
            match span_bytes(index, span.get("start"), span.get("end"), Unit::CodePoints) {
                Ok(r) => r,
                Err(e) => {
                    skip_span(
                        path,
                        line,
                        &doc.id,
                        format!("`{label}` span skipped: {e}"),
                        report,
                    );
                    continue;
                }
            };
        let covered = doc.text.get(start..end).unwrap_or_default();
        if let Some(given) = span
            .get("text")
            .and_then(Value::as_str)
            .filter(|g| *g != covered)
        {
            skip_span(
                path,
                line,
                &doc.id,
                format!(
                    "`{label}` span skipped: its text “{given}” differs from the document's “{covered}”"
                ),
                report,
            );
            continue;
        }
        let (attrs, note) = read_attrs_note(span);
        let at = match answer {
            Answer::Accept => {
                let same = doc
                    .spans
                    .iter()
                    .position(|s| s.start == start && s.end == end && s.label == label);
                match same {
                    Some(at) => {
                        let s = doc.spans.get_mut(at);
                        // A repeat may carry what the first did not; keep both.
                        if let Some(s) = s {
                            for (k, v) in attrs {
                                if !s.attrs.contains_key(&k) {
                                    s.attrs.insert(k, v);
                                }
                            }
                            if s.note.is_none() {
                                s.note = note;
                            }
                        }
                        report.count("duplicate spans merged", 1);
                        at
                    }
                    None => {
                        doc.spans.push(ImportedSpan {
                            start,
                            end,
                            label: label.clone(),
                            attrs,
                            note,
                        });
                        doc.spans.len() - 1
                    }
                }
            }
            Answer::Reject => {
                if note.is_some() {
                    report.count("notes of rejected spans not imported", 1);
                }
                let same = doc
                    .suggestions
                    .iter()
                    .any(|s| s.start == start && s.end == end && s.label == label);
                if !same {
                    let score = span.get("score").and_then(Value::as_f64).map(|s| s as f32);
                    doc.suggestions.push(ImportedSuggestion {
                        start,
                        end,
                        label: label.clone(),
                        attrs,
                        source: SOURCE.to_owned(),
                        score,
                        review: Review::Rejected,
                        links: Vec::new(),
                    });
                }
                continue;
            }
        };
        let token = |k: &str| span.get(k).and_then(Value::as_u64);
        out.push(TaskSpan {
            at,
            start,
            end,
            label,
            tokens: token("token_start").zip(token("token_end")),
        });
    }
    out
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
                let r = ImportedRelation { kind, from, to };
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

/// Writes one accepted task per document, and one rejected task per document that has
/// rejected suggestions.
/// Appends a task line: `task` with `"tokens": tokens_json` added. `tokens` sorts last
/// among a task's keys, so it goes just before the object's closing brace.
fn push_task(content: &mut String, task: &Value, tokens_json: &str) {
    let task = task.to_string();
    content.push_str(task.strip_suffix('}').unwrap_or(&task));
    content.push_str(",\"tokens\":");
    content.push_str(tokens_json);
    content.push_str("}\n");
}

/// A token of an exported task.
#[derive(serde::Serialize)]
struct TokenOut<'a> {
    end: usize,
    id: usize,
    start: usize,
    text: &'a str,
    ws: bool,
}

pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let _ = schema;
    let mut content = String::new();
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let tokens = tokenize(&doc.text);
        report_misaligned(doc, &d.spans, &tokens, out, report);
        // Tokens are most of a task: written from a plain struct rather than one JSON map
        // each (fields in the order a map would sort them).
        let token_list: Vec<TokenOut<'_>> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| TokenOut {
                end: index.from_byte(t.end, Unit::CodePoints),
                id: i,
                start: index.from_byte(t.start, Unit::CodePoints),
                text: doc.text.get(t.start..t.end).unwrap_or_default(),
                ws: t.ws,
            })
            .collect();
        let token_json = serde_json::to_string(&token_list).unwrap_or_else(|_| "[]".into());
        let meta = task_meta(doc, out, report);

        // Span id → (its core object, its last token) for the relations.
        let mut placed: HashMap<SpanId, (Value, usize)> = HashMap::new();
        let mut spans = Vec::new();
        for s in &d.spans {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            let Some((core, last)) = core_span(
                doc, &tokens, start, end, s.start, s.end, &s.label, out, report,
            ) else {
                continue;
            };
            let mut obj = core.as_object().cloned().unwrap_or_default();
            obj.insert("text".into(), json!(s.text));
            write_attrs_note(&mut obj, &s.attrs, s.note.as_deref());
            spans.push(Value::Object(obj));
            placed.insert(s.id, (core, last));
        }
        let mut relations = Vec::new();
        for r in &d.relations {
            let (Some((head_span, head)), Some((child_span, child))) =
                (placed.get(&r.from), placed.get(&r.to))
            else {
                report.count("relations skipped", 1);
                continue;
            };
            relations.push(json!({"head": head, "child": child, "head_span": head_span, "child_span": child_span, "label": r.kind}));
        }
        let task = json!({
            "text": &*doc.text,
            "spans": spans,
            "relations": relations,
            "answer": "accept",
            "meta": meta,
        });
        push_task(&mut content, &task, &token_json);
        report.count("documents", 1);
        report.count("spans", spans.len());
        report.count("relations", relations.len());
        if doc.status != Status::Done {
            // An accepted task says "these are all the spans": worth knowing for new texts.
            report.count("documents not marked done exported as accepted", 1);
        }

        let mut rejected = Vec::new();
        for s in &d.suggestions {
            match s.review {
                Review::Rejected => {}
                Review::Pending => {
                    report.count("pending suggestions not exported", 1);
                    continue;
                }
                Review::Accepted => {
                    report.count("accepted suggestions not exported (their spans are)", 1);
                    continue;
                }
            }
            let Some((start, end)) =
                checked_suggestion_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            let Some((core, _)) = core_span(
                doc, &tokens, start, end, s.start, s.end, &s.label, out, report,
            ) else {
                continue;
            };
            if !covered(&tokens, &(s.start..s.end)).1 {
                report.count("rejected suggestions off token boundaries", 1);
            }
            let mut obj = core.as_object().cloned().unwrap_or_default();
            obj.insert("text".into(), json!(s.text));
            if let Some(score) = s.score {
                obj.insert("score".into(), json!(score.0));
            }
            if !s.links.is_empty() {
                report.count("suggested links not exported", s.links.len());
            }
            write_attrs_note(&mut obj, &s.attrs, None);
            rejected.push(Value::Object(obj));
        }
        if !rejected.is_empty() {
            report.count("rejected suggestions", rejected.len());
            let task = json!({
                "text": &*doc.text,
                "spans": rejected,
                "answer": "reject",
                "meta": meta,
            });
            push_task(&mut content, &task, &token_json);
        }
    }
    report_uncarried(docs, report);
    Output {
        files: vec![(out.to_owned(), content)],
    }
}

/// `{"id": doc id, ...doc meta}`: the id goes first in meaning; a meta field named `id` gives
/// way to it (and is reported).
fn task_meta(doc: &Document, out: &Path, report: &mut Report) -> Map<String, Value> {
    let mut meta = meta_object(doc);
    if let Some(old) = meta.insert("id".into(), json!(doc.id))
        && old != json!(doc.id)
    {
        let msg = format!(
            "{}: meta `id` ({old}) is replaced by the document id",
            doc.id
        );
        report.note(out, None, msg);
    }
    meta
}

/// The span object Prodigy matches relations on: `start`/`end` (exact, code points),
/// `token_start`/`token_end` (whole tokens it touches, `token_end` inclusive) and `label`,
/// with the index of its last token. `None` (reported) when it covers no token at all.
#[allow(clippy::too_many_arguments)]
fn core_span(
    doc: &Document,
    tokens: &[Token],
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    label: &str,
    out: &Path,
    report: &mut Report,
) -> Option<(Value, usize)> {
    let (range, _) = covered(tokens, &(byte_start..byte_end));
    if range.is_empty() {
        report.note(
            out,
            None,
            format!(
                "{}: `{label}` {start}..{end} covers no token (only spaces); skipped",
                doc.id
            ),
        );
        report.count("spans skipped", 1);
        return None;
    }
    let last = range.end - 1;
    Some((
        json!({"start": start, "end": end, "token_start": range.start, "token_end": last, "label": label}),
        last,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::export::{Selection, select};

    /// Tokens are spliced into each task by hand: every line must still be exactly what
    /// serde_json writes for the whole task (keys sorted, no spaces).
    #[test]
    fn tasks_are_canonical_json() {
        let p = crate::generate::project(3, 2_000, 3, 4, Path::new("/tmp"));
        let docs = select(&p, &Selection::default());
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
