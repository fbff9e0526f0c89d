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
//!
//! The first annotation of a task gives the spans, relations and attributes; predictions
//! become pending suggestions (source = `model_version`), and export writes pending
//! suggestions back as predictions, one per source, with the links between them as
//! predicted relations; import reads predicted relations back as links.

use crate::formats::export::{ExportDoc, checked_offsets};
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{
    checked_suggestion_offsets, id_text, informative, kind_of, label_text, meta_object, meta_text,
    note_unknown_keys, report_uncarried, span_bytes, unit_name,
};
use crate::formats::{
    Imported, ImportedDoc, ImportedRelation, ImportedSpan, ImportedSuggestion, Output, Report,
};
use crate::model::text::{OffsetIndex, Unit, line_col};
use crate::model::{AttrKind, Review, Schema, SpanId, Status, Suggestion};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem, ProblemKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

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
    for path in paths {
        let content = match read_text_file(path) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let value = match serde_json::from_str::<Value>(&content) {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem::json(path, e.line(), &e, ""));
                continue;
            }
        };
        let starts = element_starts(&content);
        let tasks = match value {
            Value::Array(tasks) => tasks,
            task @ Value::Object(_) => vec![task],
            other => {
                let msg = format!(
                    "expected an array of Label Studio tasks, found {}",
                    kind_of(&other)
                );
                problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(1, 1));
                continue;
            }
        };
        let mut file = FileState {
            path,
            stem: file_stem(path),
            unknown_task_keys: BTreeSet::new(),
            other_results: BTreeMap::new(),
            extra_annotations: 0,
        };
        for (i, task) in tasks.iter().enumerate() {
            let line = starts.get(i).map_or(1, |&at| line_col(&content, at).0);
            let Some(task) = task.as_object() else {
                let msg = format!("task {} is {}, not an object", i + 1, kind_of(task));
                problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
                continue;
            };
            match read_task(&mut file, i, line, task, &mut imported.report) {
                Ok(mut doc) => {
                    doc.id = unique_id(&mut ids, doc.id, path, Some(line), &mut imported.report);
                    imported.docs.push(doc);
                }
                Err(p) => problems.push(p),
            }
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
        if file.extra_annotations > 0 {
            imported.report.note(
                path,
                None,
                format!(
                    "{} tasks have several annotations; only the first of each is imported",
                    file.extra_annotations
                ),
            );
        }
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
    extra_annotations: usize,
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

/// A labelled region of a result list, in bytes, with its attributes.
#[derive(Default)]
struct Region {
    start: usize,
    end: usize,
    labels: Vec<String>,
    attrs: crate::model::Attrs,
    note: Option<String>,
    score: Option<f32>,
}

/// A relation between two regions, by region id.
struct RegionLink {
    from: String,
    to: String,
    kind: String,
}

/// What one result list says, by region.
#[derive(Default)]
struct Results {
    /// Regions in the order they came, with their ids.
    regions: Vec<(String, Region)>,
    links: Vec<RegionLink>,
    /// Document-level choices and text areas (no region): kept as meta.
    doc_fields: Vec<(String, String)>,
}

fn read_task(
    file: &mut FileState<'_>,
    i: usize,
    line: usize,
    task: &Map<String, Value>,
    report: &mut Report,
) -> Result<ImportedDoc, Problem> {
    let path = file.path;
    // Tasks imported into Label Studio may be bare data objects (`{"text": ..}`).
    let data = match task.get("data") {
        Some(Value::Object(d)) => d,
        _ => task,
    };
    let text_key = if data.get("text").is_some_and(Value::is_string) {
        Some("text")
    } else {
        let strings: Vec<&String> = data
            .iter()
            .filter(|(_, v)| v.is_string())
            .map(|(k, _)| k)
            .collect();
        match strings.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        }
    };
    let Some(text) = text_key.and_then(|k| data.get(k)).and_then(Value::as_str) else {
        let msg = format!(
            "task {} has no data.text (and not exactly one string field in data to use instead)",
            i + 1
        );
        return Err(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
    };
    let mut doc = ImportedDoc {
        id: task
            .get("id")
            .and_then(id_text)
            .unwrap_or_else(|| format!("{}-{}", file.stem, i + 1)),
        text: text.to_owned(),
        ..Default::default()
    };
    if text_key != Some("text") {
        let key = text_key.unwrap_or_default();
        report.note(
            path,
            Some(line),
            format!(
                "{}: the text is read from data.{key} (there is no data.text)",
                doc.id
            ),
        );
        report.count("texts read from another data field", 1);
    }
    // Other data fields and the task's meta become the document's meta.
    let same_object = std::ptr::eq(data, task);
    for (k, v) in data {
        let is_task_key = same_object && TASK_KEYS.contains(&k.as_str());
        if Some(k.as_str()) != text_key && !is_task_key && informative(v) {
            doc.meta.insert(k.clone(), meta_text(v));
        }
    }
    if let Some(Value::Object(m)) = task.get("meta") {
        for (k, v) in m.iter().filter(|(_, v)| informative(v)) {
            if doc.meta.contains_key(k) {
                report.note(
                    path,
                    Some(line),
                    format!(
                        "{}: meta `{k}` is also a data field; the data field is kept",
                        doc.id
                    ),
                );
            } else {
                doc.meta.insert(k.clone(), meta_text(v));
            }
        }
    }
    if !same_object {
        file.unknown_task_keys.extend(
            task.iter()
                .filter(|(k, v)| !TASK_KEYS.contains(&k.as_str()) && informative(v))
                .map(|(k, _)| k.clone()),
        );
    }
    let index = OffsetIndex::new(text);

    let annotations: Vec<&Map<String, Value>> = task
        .get("annotations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|a| {
            // A skipped task in Label Studio is a cancelled annotation: not an answer.
            let cancelled = a
                .get("was_cancelled")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if cancelled {
                report.count("cancelled annotations skipped", 1);
            }
            !cancelled
        })
        .collect();
    if annotations.len() > 1 {
        file.extra_annotations += 1;
        report.count("annotations not imported", annotations.len() - 1);
    }
    if let Some(annotation) = annotations.first() {
        doc.status = Some(Status::Done);
        let results = read_results(
            file,
            line,
            &doc.id,
            &index,
            text,
            annotation.get("result"),
            report,
        );
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        for (id, r) in &results.regions {
            for label in &r.labels {
                first_of.entry(id.as_str()).or_insert(doc.spans.len());
                doc.spans.push(ImportedSpan {
                    start: r.start,
                    end: r.end,
                    label: label.clone(),
                    attrs: r.attrs.clone(),
                    note: r.note.clone(),
                });
            }
        }
        for link in &results.links {
            match (
                first_of.get(link.from.as_str()),
                first_of.get(link.to.as_str()),
            ) {
                (Some(&from), Some(&to)) => doc.relations.push(ImportedRelation {
                    kind: link.kind.clone(),
                    from,
                    to,
                }),
                _ => {
                    report.note(path, Some(line), format!("{}: a `{}` relation links regions that were not read ({} → {}); skipped", doc.id, link.kind, link.from, link.to));
                    report.count("relations skipped", 1);
                }
            }
        }
        doc.meta.extend(results.doc_fields);
    }

    for prediction in task
        .get("predictions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(prediction) = prediction.as_object() else {
            continue;
        };
        let source = prediction
            .get("model_version")
            .and_then(label_text)
            .unwrap_or_else(|| DEFAULT_SOURCE.to_owned());
        let task_score = prediction
            .get("score")
            .and_then(Value::as_f64)
            .map(|s| s as f32);
        let results = read_results(
            file,
            line,
            &doc.id,
            &index,
            text,
            prediction.get("result"),
            report,
        );
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        for (id, r) in &results.regions {
            if r.note.is_some() {
                report.count("predicted notes not imported", 1);
            }
            for label in &r.labels {
                first_of.entry(id.as_str()).or_insert(doc.suggestions.len());
                doc.suggestions.push(ImportedSuggestion {
                    start: r.start,
                    end: r.end,
                    label: label.clone(),
                    attrs: r.attrs.clone(),
                    source: source.clone(),
                    score: r.score.or(task_score),
                    review: Review::Pending,
                    links: Vec::new(),
                });
            }
        }
        for link in &results.links {
            let from = first_of.get(link.from.as_str());
            let to = first_of.get(link.to.as_str());
            match (from.and_then(|&i| doc.suggestions.get_mut(i)), to) {
                (Some(s), Some(&to)) => s.links.push((link.kind.clone(), to)),
                _ => {
                    report.note(path, Some(line), format!("{}: a predicted `{}` relation links regions that were not read ({} → {}); skipped", doc.id, link.kind, link.from, link.to));
                    report.count("predicted relations skipped", 1);
                }
            }
        }
        if !results.doc_fields.is_empty() {
            report.count(
                "predicted document choices not imported",
                results.doc_fields.len(),
            );
        }
    }
    Ok(doc)
}

/// Reads a `result` list: regions first (attributes and relations may come before the
/// region they refer to), then everything that points at a region.
fn read_results(
    file: &mut FileState<'_>,
    line: usize,
    doc_id: &str,
    index: &OffsetIndex<'_>,
    text: &str,
    results: Option<&Value>,
    report: &mut Report,
) -> Results {
    let path = file.path;
    let mut out = Results::default();
    let items: Vec<&Map<String, Value>> = results
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let kind = |r: &Map<String, Value>| {
        r.get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (n, r) in items.iter().enumerate() {
        if kind(r) != "labels" {
            continue;
        }
        let id = r
            .get("id")
            .and_then(id_text)
            .unwrap_or_else(|| format!("region-{}", n + 1));
        let value = r.get("value").and_then(Value::as_object);
        let labels: Vec<String> = value
            .and_then(|v| v.get("labels"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(label_text)
            .collect();
        if labels.is_empty() {
            report.note(
                path,
                Some(line),
                format!("{doc_id}: region {id} has no label; skipped"),
            );
            report.count("spans skipped", 1);
            continue;
        }
        let given = value.and_then(|v| v.get("text")).and_then(Value::as_str);
        let start = value.and_then(|v| v.get("start"));
        let end = value.and_then(|v| v.get("end"));
        let range = match span_bytes(index, start, end, Unit::CodePoints) {
            Ok((s, e)) if given.is_none_or(|g| text.get(s..e) == Some(g)) => Ok((s, e)),
            first => {
                // Older Label Studio counted UTF-16 units: accept them when the text says so.
                match span_bytes(index, start, end, Unit::Utf16) {
                    Ok((s, e)) if given.is_some() && text.get(s..e) == given => {
                        report.count("spans with UTF-16 offsets (older Label Studio)", 1);
                        Ok((s, e))
                    }
                    _ => match first {
                        Ok((s, e)) => Err(format!(
                            "its text “{}” differs from the document's “{}” at {}..{} {}",
                            given.unwrap_or_default(),
                            text.get(s..e).unwrap_or_default(),
                            start.map(ToString::to_string).unwrap_or_default(),
                            end.map(ToString::to_string).unwrap_or_default(),
                            unit_name(Unit::CodePoints)
                        )),
                        Err(e) => Err(e),
                    },
                }
            }
        };
        match range {
            Ok((start, end)) => {
                let score = r.get("score").and_then(Value::as_f64).map(|s| s as f32);
                by_id.insert(id.clone(), out.regions.len());
                out.regions.push((
                    id,
                    Region {
                        start,
                        end,
                        labels,
                        score,
                        ..Default::default()
                    },
                ));
            }
            Err(e) => {
                report.note(
                    path,
                    Some(line),
                    format!(
                        "{doc_id}: region {id} (`{}`) skipped: {e}",
                        labels.join(", ")
                    ),
                );
                report.count("spans skipped", labels.len());
            }
        }
    }
    for r in &items {
        let k = kind(r);
        let value = r.get("value").and_then(Value::as_object);
        match k.as_str() {
            "labels" => {}
            "relation" => {
                let (Some(from), Some(to)) = (
                    r.get("from_id").and_then(id_text),
                    r.get("to_id").and_then(id_text),
                ) else {
                    report.note(
                        path,
                        Some(line),
                        format!("{doc_id}: a relation without from_id and to_id; skipped"),
                    );
                    report.count("relations skipped", 1);
                    continue;
                };
                let (from, to) = match r.get("direction").and_then(Value::as_str) {
                    Some("left") => (to, from),
                    Some("bi") => {
                        report.count("two-way relations read as from → to", 1);
                        (from, to)
                    }
                    _ => (from, to),
                };
                let mut kinds: Vec<String> = r
                    .get("labels")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(label_text)
                    .collect();
                if kinds.is_empty() {
                    report.count(
                        &format!("relations without a label, typed `{UNTYPED_RELATION}`"),
                        1,
                    );
                    kinds.push(UNTYPED_RELATION.to_owned());
                }
                for kind in kinds {
                    out.links.push(RegionLink {
                        from: from.clone(),
                        to: to.clone(),
                        kind,
                    });
                }
            }
            "choices" | "textarea" => {
                let Some(name) = r.get("from_name").and_then(label_text) else {
                    report.count("results not imported", 1);
                    continue;
                };
                let values: Vec<String> = if k == "choices" {
                    value
                        .and_then(|v| v.get("choices"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(meta_text)
                        .collect()
                } else {
                    match value.and_then(|v| v.get("text")) {
                        Some(Value::Array(a)) => a.iter().map(meta_text).collect(),
                        Some(Value::String(s)) => vec![s.clone()],
                        _ => Vec::new(),
                    }
                };
                let region = r
                    .get("id")
                    .and_then(id_text)
                    .and_then(|id| by_id.get(&id).copied());
                match region.and_then(|at| out.regions.get_mut(at)) {
                    Some((_, region)) => {
                        let joined = if k == "choices" {
                            if values.len() > 1 {
                                report.note(path, Some(line), format!("{doc_id}: `{name}` has several choices ({}); the first is kept", values.join(", ")));
                                report.count("attribute choices not imported", values.len() - 1);
                            }
                            values.into_iter().next()
                        } else {
                            (!values.is_empty()).then(|| values.join("\n"))
                        };
                        let Some(v) = joined.filter(|v| !v.is_empty()) else {
                            continue;
                        };
                        if k == "textarea" && name == NOTE {
                            region.note = Some(v);
                        } else {
                            region.attrs.insert(name, v);
                        }
                    }
                    None if value.is_none_or(|v| !v.contains_key("start")) => {
                        // A choice about the whole text (classification): kept as meta.
                        out.doc_fields.push((
                            name,
                            if k == "choices" && values.len() == 1 {
                                values.join("")
                            } else {
                                Value::from(values).to_string()
                            },
                        ));
                    }
                    None => {
                        report.note(
                            path,
                            Some(line),
                            format!(
                                "{doc_id}: `{name}` refers to a region that was not read; skipped"
                            ),
                        );
                        report.count("attributes skipped", 1);
                    }
                }
            }
            _ => {
                *file
                    .other_results
                    .entry(if k.is_empty() {
                        "untyped".to_owned()
                    } else {
                        k
                    })
                    .or_default() += 1
            }
        }
    }
    out
}

/// Writes the documents as a Label Studio task array: spans, relations, attributes and
/// notes as the first annotation, pending suggestions as predictions (one per source).
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let mut tasks = Vec::new();
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let mut result = Vec::new();
        let mut kept: HashSet<SpanId> = HashSet::new();
        for s in &d.spans {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            kept.insert(s.id);
            let region = Placed {
                id: s.id,
                start,
                end,
                text: &s.text,
            };
            result.push(region.labels(&s.label, None));
            result.extend(region.attributes(schema, &s.label, &s.attrs, report));
            if let Some(note) = &s.note {
                result.push(region.textarea(NOTE, note));
            }
        }
        let mut relations = 0;
        for r in &d.relations {
            if kept.contains(&r.from) && kept.contains(&r.to) {
                result.push(json!({"from_id": r.from.0.to_string(), "to_id": r.to.0.to_string(), "type": "relation", "direction": "right", "labels": [r.kind]}));
                relations += 1;
            } else {
                report.count("relations skipped", 1);
            }
        }
        // An empty annotation says "looked at, nothing here": only for documents marked done.
        let annotations = if kept.is_empty() && doc.status != Status::Done {
            json!([])
        } else {
            json!([{"result": result}])
        };
        if doc.status == Status::InProgress {
            report.count("document statuses not exported", 1);
        }

        let mut by_source: BTreeMap<&str, Vec<&Suggestion>> = BTreeMap::new();
        for s in &d.suggestions {
            match s.review {
                Review::Pending => by_source.entry(s.source.as_str()).or_default().push(s),
                Review::Rejected => report.count("rejected suggestions not exported", 1),
                Review::Accepted => {
                    report.count("accepted suggestions not exported (their spans are)", 1)
                }
            }
        }
        let mut predictions = Vec::new();
        for (source, suggestions) in by_source {
            let mut result = Vec::new();
            let mut scores = Vec::new();
            let mut placed: HashSet<SpanId> = HashSet::new();
            for s in &suggestions {
                let Some((start, end)) =
                    checked_suggestion_offsets(&index, doc, s, Unit::CodePoints, out, report)
                else {
                    continue;
                };
                let region = Placed {
                    id: s.id,
                    start,
                    end,
                    text: &s.text,
                };
                let score = s.score.map(|x| x.0);
                scores.extend(score);
                result.push(region.labels(&s.label, score));
                result.extend(region.attributes(schema, &s.label, &s.attrs, report));
                report.count("suggestions", 1);
                placed.insert(s.id);
            }
            // Links the suggester proposed are predicted relations, when both ends are in
            // this prediction (a prediction's results can only refer to each other).
            for s in suggestions.iter().filter(|s| placed.contains(&s.id)) {
                for link in &s.links {
                    if placed.contains(&link.to) {
                        result.push(json!({"from_id": s.id.0.to_string(), "to_id": link.to.0.to_string(), "type": "relation", "direction": "right", "labels": [link.kind]}));
                    } else {
                        report.count("suggested links not exported", 1);
                    }
                }
            }
            let mut p = Map::new();
            p.insert("model_version".into(), json!(source));
            if !scores.is_empty() {
                p.insert(
                    "score".into(),
                    json!(scores.iter().sum::<f32>() / scores.len() as f32),
                );
            }
            p.insert("result".into(), Value::Array(result));
            predictions.push(Value::Object(p));
        }

        let mut task = Map::new();
        task.insert("id".into(), task_id(&doc.id));
        task.insert("data".into(), json!({"text": &*doc.text}));
        if !doc.meta.is_empty() {
            task.insert("meta".into(), Value::Object(meta_object(doc)));
        }
        task.insert("annotations".into(), annotations);
        task.insert("predictions".into(), Value::Array(predictions));
        tasks.push(Value::Object(task));
        report.count("documents", 1);
        report.count("spans", kept.len());
        report.count("relations", relations);
    }
    report_uncarried(docs, report);
    let content = serde_json::to_string_pretty(&Value::Array(tasks)).unwrap_or_default();
    Output {
        files: vec![(out.to_owned(), content + "\n")],
    }
}

/// A document id as a task id: a number when it is one (Label Studio numbers its tasks).
fn task_id(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(n) if n.to_string() == id => json!(n),
        _ => json!(id),
    }
}

/// A span or suggestion placed in the text, in code points, for writing its results.
struct Placed<'a> {
    id: SpanId,
    start: usize,
    end: usize,
    text: &'a str,
}

impl Placed<'_> {
    fn labels(&self, label: &str, score: Option<f32>) -> Value {
        let mut r = json!({
            "id": self.id.0.to_string(),
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": self.start, "end": self.end, "text": self.text, "labels": [label]},
        });
        if let (Some(score), Some(obj)) = (score, r.as_object_mut()) {
            obj.insert("score".into(), json!(score));
        }
        r
    }

    fn textarea(&self, name: &str, text: &str) -> Value {
        json!({
            "id": self.id.0.to_string(),
            "from_name": name,
            "to_name": "text",
            "type": "textarea",
            "value": {"start": self.start, "end": self.end, "text": [text]},
        })
    }

    /// One per-region result per attribute: `choices` for choice attributes, `textarea`
    /// for free text (and for values the schema does not declare, which are counted).
    fn attributes(
        &self,
        schema: &Schema,
        label: &str,
        attrs: &crate::model::Attrs,
        report: &mut Report,
    ) -> Vec<Value> {
        let mut out = Vec::new();
        for (name, value) in attrs {
            let kind = schema
                .label(label)
                .and_then(|l| l.attribute(name))
                .map(|a| &a.kind);
            // The textarea named `note` is the note: an attribute of that name is written
            // as a choice, whatever its kind, so that the two never mix on import.
            match kind {
                _ if name == NOTE => out.push(self.choice(name, value)),
                Some(AttrKind::Choice(_)) => out.push(self.choice(name, value)),
                Some(AttrKind::Text) => out.push(self.textarea(name, value)),
                None => {
                    report.count("undeclared attributes exported as text", 1);
                    out.push(self.textarea(name, value));
                }
            }
        }
        out
    }

    fn choice(&self, name: &str, value: &str) -> Value {
        json!({
            "id": self.id.0.to_string(),
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"start": self.start, "end": self.end, "text": self.text, "choices": [value]},
        })
    }
}
