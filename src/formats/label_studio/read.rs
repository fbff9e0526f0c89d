//! Reading one Label Studio task (typed in `records.rs`) into an imported document: its
//! text and meta, the first annotation as spans, relations and attributes, and predictions
//! as pending suggestions.

use super::records::{Annotation, Prediction, RegionValue, ResultItem, Task};
use super::{DEFAULT_SOURCE, FRAGMENT_OF, FileState, NOTE, TASK_KEYS, UNTYPED_RELATION};
use crate::formats::json::{id_text, informative, label_text, meta_text, span_bytes, unit_name};
use crate::formats::{ImportedDoc, ImportedRelation, ImportedSpan, ImportedSuggestion, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Review, Status};
use crate::persist::{Problem, ProblemKind};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// A labelled region of a result list, in bytes, with its attributes.
#[derive(Default)]
struct Region {
    start: usize,
    end: usize,
    /// The region id of the first fragment, for a fragment of a discontinuous span.
    fragment_of: Option<String>,
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

/// Where in the file a task is, and its text: what reading its results needs.
struct TaskPlace<'a> {
    line: usize,
    doc_id: &'a str,
    index: &'a OffsetIndex<'a>,
    text: &'a str,
}

/// Reads task `i` (at `line` of the file).
pub(super) fn read_task(
    file: &mut FileState<'_>,
    i: usize,
    line: usize,
    task: &Task,
    report: &mut Report,
) -> Result<Vec<ImportedDoc>, Problem> {
    let path = file.path;
    // Tasks imported into Label Studio may be bare data objects (`{"text": ..}`).
    let bare = task.data.get().is_none();
    let data = task.data.get().unwrap_or(&task.other);
    let Some((text_key, text)) = text_of(data) else {
        let msg = format!(
            "task {} has no data.text (and not exactly one string field in data to use instead)",
            i + 1
        );
        return Err(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
    };
    let mut doc = ImportedDoc {
        id: task
            .id
            .as_ref()
            .and_then(id_text)
            .unwrap_or_else(|| format!("{}-{}", file.stem, i + 1)),
        text: text.to_owned(),
        ..Default::default()
    };
    if text_key != "text" {
        let msg = format!(
            "{}: the text is read from data.{text_key} (there is no data.text)",
            doc.id
        );
        report.note(path, Some(line), msg);
        report.count("texts read from another data field", 1);
    }
    read_meta(file, line, task, data, text_key, &mut doc, report);
    if !bare {
        file.unknown_task_keys.extend(
            task.other
                .iter()
                .filter(|(k, v)| !TASK_KEYS.contains(&k.as_str()) && informative(v))
                .map(|(k, _)| k.clone()),
        );
    }
    let index = OffsetIndex::new(text);
    let doc_id = doc.id.clone();
    let place = TaskPlace {
        line,
        doc_id: &doc_id,
        index: &index,
        text,
    };
    let annotations: Vec<&Annotation> = task
        .annotations
        .items()
        .filter(|a| {
            let cancelled = a.was_cancelled.get().copied().unwrap_or(false);
            if cancelled {
                report.count("cancelled annotations skipped", 1);
            }
            !cancelled
        })
        .collect();
    for prediction in task.predictions.items() {
        let results = read_results(file, &place, &prediction.result, report);
        add_prediction(file, &place, prediction, results, &mut doc, report);
    }
    // Each annotation is an annotator's: one document each, the same text and predictions.
    // Whether they make a team project is decided once the whole export is read (see
    // `label_studio::import`).
    if annotations.len() > 1 {
        file.several_annotations += 1;
    }
    let mut docs = Vec::with_capacity(annotations.len().max(1));
    let last = annotations.len().saturating_sub(1);
    for (n, annotation) in annotations.iter().enumerate() {
        let mut copy = if n == last {
            std::mem::take(&mut doc)
        } else {
            doc.clone()
        };
        copy.annotator = Some(annotator_name(annotation.completed_by.as_ref(), n));
        let results = read_results(file, &place, &annotation.result, report);
        add_annotation(file, &place, results, &mut copy, report);
        docs.push(copy);
    }
    if annotations.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// An annotator's name from `completed_by`: the email of a user object, else `user-<id>`;
/// without it, by the annotation's place in the task (`annotation-2`).
fn annotator_name(completed_by: Option<&Value>, n: usize) -> String {
    match completed_by {
        Some(Value::Number(id)) => format!("user-{id}"),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Object(user)) => match (user.get("email"), user.get("id")) {
            (Some(Value::String(e)), _) if !e.is_empty() => e.clone(),
            (_, Some(id)) => format!("user-{id}"),
            _ => format!("annotation-{}", n + 1),
        },
        _ => format!("annotation-{}", n + 1),
    }
}

/// The key of the text in `data`, and the text: `text`, or the only string field.
fn text_of(data: &Map<String, Value>) -> Option<(&str, &str)> {
    if let Some(Value::String(t)) = data.get("text") {
        return Some(("text", t));
    }
    let mut strings = data.iter().filter_map(|(k, v)| Some((k, v.as_str()?)));
    match (strings.next(), strings.next()) {
        (Some((k, t)), None) => Some((k.as_str(), t)),
        _ => None,
    }
}

/// Other data fields and the task's meta become the document's meta.
fn read_meta(
    file: &FileState<'_>,
    line: usize,
    task: &Task,
    data: &Map<String, Value>,
    text_key: &str,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    for (k, v) in data {
        if k != text_key && informative(v) {
            doc.meta.insert(k.clone(), meta_text(v));
        }
    }
    for (k, v) in task.meta.get().into_iter().flatten() {
        if !informative(v) {
            continue;
        }
        if doc.meta.contains_key(k) {
            let msg = format!(
                "{}: meta `{k}` is also a data field; the data field is kept",
                doc.id
            );
            report.note(file.path, Some(line), msg);
        } else {
            doc.meta.insert(k.clone(), meta_text(v));
        }
    }
}

/// An annotation's regions become spans (one per label), its relations relations.
fn add_annotation(
    file: &FileState<'_>,
    place: &TaskPlace<'_>,
    results: Results,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    doc.status = Some(Status::Done);
    // The regions of a discontinuous span (Marginalia writes one per fragment, each with
    // `meta.fragment_of` naming the first) become one span again.
    let mut pieces: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (_, r) in &results.regions {
        if let Some(g) = &r.fragment_of {
            pieces.entry(g.as_str()).or_default().push((r.start, r.end));
        }
    }
    let ids: HashSet<&str> = results.regions.iter().map(|(id, _)| id.as_str()).collect();
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (id, r) in &results.regions {
        if r.fragment_of
            .as_ref()
            .is_some_and(|g| g != id && ids.contains(g.as_str()))
        {
            continue;
        }
        let mut fragments = pieces.get(id.as_str()).cloned().unwrap_or_default();
        fragments.sort_unstable();
        let (start, end) = match (fragments.first(), fragments.last()) {
            (Some(a), Some(b)) if fragments.len() > 1 => (a.0, b.1),
            _ => {
                fragments.clear();
                (r.start, r.end)
            }
        };
        for label in &r.labels {
            first_of.entry(id.as_str()).or_insert(doc.spans.len());
            doc.spans.push(ImportedSpan {
                start,
                end,
                label: label.clone(),
                fragments: fragments.clone(),
                attrs: r.attrs.clone(),
                note: r.note.clone(),
            });
        }
    }
    // A relation to any fragment's region is a relation to the span.
    for (id, r) in &results.regions {
        if let Some(&i) = r.fragment_of.as_deref().and_then(|g| first_of.get(g)) {
            first_of.entry(id.as_str()).or_insert(i);
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
                ..Default::default()
            }),
            _ => {
                let msg = format!(
                    "{}: a `{}` relation links regions that were not read ({} → {}); skipped",
                    place.doc_id, link.kind, link.from, link.to
                );
                report.note(file.path, Some(place.line), msg);
                report.count("relations skipped", 1);
            }
        }
    }
    doc.meta.extend(results.doc_fields);
}

/// A prediction's regions become pending suggestions (source: its model version), its
/// relations links between them.
fn add_prediction(
    file: &FileState<'_>,
    place: &TaskPlace<'_>,
    prediction: &Prediction,
    results: Results,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    let source = prediction
        .model_version
        .as_ref()
        .and_then(label_text)
        .unwrap_or_else(|| DEFAULT_SOURCE.to_owned());
    let task_score = prediction.score.get().map(|s| *s as f32);
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
                let msg = format!(
                    "{}: a predicted `{}` relation links regions that were not read ({} → {}); skipped",
                    place.doc_id, link.kind, link.from, link.to
                );
                report.note(file.path, Some(place.line), msg);
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

/// Reads a `result` list: regions first (attributes and relations may come before the
/// region they refer to), then everything that points at a region.
fn read_results(
    file: &mut FileState<'_>,
    place: &TaskPlace<'_>,
    results: &crate::formats::json::Lenient<Vec<crate::formats::json::Lenient<ResultItem>>>,
    report: &mut Report,
) -> Results {
    let items: Vec<&ResultItem> = results.items().collect();
    let mut out = Results::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (n, r) in items.iter().enumerate() {
        if r.kind() != "labels" {
            continue;
        }
        let id =
            r.id.as_ref()
                .and_then(id_text)
                .unwrap_or_else(|| format!("region-{}", n + 1));
        if let Some(mut region) = read_region(file, place, &id, r, report) {
            region.fragment_of = r
                .meta
                .get()
                .and_then(|m| m.get(FRAGMENT_OF))
                .and_then(id_text);
            by_id.insert(id.clone(), out.regions.len());
            out.regions.push((id, region));
        }
    }
    for r in &items {
        match r.kind().as_str() {
            "labels" => {}
            "relation" => read_relation(file, place, r, &mut out, report),
            k @ ("choices" | "textarea") => {
                read_field(file, place, k, r, &by_id, &mut out, report);
            }
            other => {
                let kind = if other.is_empty() { "untyped" } else { other };
                *file.other_results.entry(kind.to_owned()).or_default() += 1;
            }
        }
    }
    out
}

/// A labelled region, in bytes: code points as Label Studio counts them now, or UTF-16
/// units as older versions did when the text only matches that way.
fn read_region(
    file: &FileState<'_>,
    place: &TaskPlace<'_>,
    id: &str,
    r: &ResultItem,
    report: &mut Report,
) -> Option<Region> {
    let (path, line, doc_id) = (file.path, Some(place.line), place.doc_id);
    let value = r.value.get();
    let labels: Vec<String> = value
        .and_then(|v| v.labels.get())
        .into_iter()
        .flatten()
        .filter_map(label_text)
        .collect();
    if labels.is_empty() {
        report.note(
            path,
            line,
            format!("{doc_id}: region {id} has no label; skipped"),
        );
        report.count("spans skipped", 1);
        return None;
    }
    match region_bytes(place, value, report) {
        Ok((start, end)) => Some(Region {
            start,
            end,
            labels,
            score: r.score.get().map(|s| *s as f32),
            ..Default::default()
        }),
        Err(e) => {
            let msg = format!(
                "{doc_id}: region {id} (`{}`) skipped: {e}",
                labels.join(", ")
            );
            report.note(path, line, msg);
            report.count("spans skipped", labels.len());
            None
        }
    }
}

/// The byte range of a region's `value`, checked against its `text` when it has one.
fn region_bytes(
    place: &TaskPlace<'_>,
    value: Option<&RegionValue>,
    report: &mut Report,
) -> Result<(usize, usize), String> {
    let given = value.and_then(|v| v.text.as_ref()).and_then(Value::as_str);
    let start = value.and_then(|v| v.start.as_ref());
    let end = value.and_then(|v| v.end.as_ref());
    let text = place.text;
    let first = match span_bytes(place.index, start, end, Unit::CodePoints) {
        Ok((s, e)) if given.is_none_or(|g| text.get(s..e) == Some(g)) => return Ok((s, e)),
        first => first,
    };
    // Older Label Studio counted UTF-16 units: accept them when the text says so.
    if let Ok((s, e)) = span_bytes(place.index, start, end, Unit::Utf16)
        && given.is_some()
        && text.get(s..e) == given
    {
        report.count("spans with UTF-16 offsets (older Label Studio)", 1);
        return Ok((s, e));
    }
    let (s, e) = first?;
    Err(format!(
        "its text “{}” differs from the document's “{}” at {}..{} {}",
        given.unwrap_or_default(),
        text.get(s..e).unwrap_or_default(),
        start.map(ToString::to_string).unwrap_or_default(),
        end.map(ToString::to_string).unwrap_or_default(),
        unit_name(Unit::CodePoints)
    ))
}

/// A relation between two regions, in the direction it points, once per label.
fn read_relation(
    file: &FileState<'_>,
    place: &TaskPlace<'_>,
    r: &ResultItem,
    out: &mut Results,
    report: &mut Report,
) {
    let ends = (
        r.from_id.as_ref().and_then(id_text),
        r.to_id.as_ref().and_then(id_text),
    );
    let (Some(from), Some(to)) = ends else {
        let msg = format!(
            "{}: a relation without from_id and to_id; skipped",
            place.doc_id
        );
        report.note(file.path, Some(place.line), msg);
        report.count("relations skipped", 1);
        return;
    };
    let (from, to) = match r.direction.get().map(String::as_str) {
        Some("left") => (to, from),
        Some("bi") => {
            report.count("two-way relations read as from → to", 1);
            (from, to)
        }
        _ => (from, to),
    };
    let mut kinds: Vec<String> = r
        .labels
        .get()
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

/// A choice or text area: an attribute (or the note) of the region it names, or a field of
/// the whole document when it names no region.
fn read_field(
    file: &FileState<'_>,
    place: &TaskPlace<'_>,
    kind: &str,
    r: &ResultItem,
    by_id: &HashMap<String, usize>,
    out: &mut Results,
    report: &mut Report,
) {
    let (path, line, doc_id) = (file.path, Some(place.line), place.doc_id);
    let Some(name) = r.from_name.as_ref().and_then(label_text) else {
        report.count("results not imported", 1);
        return;
    };
    let value = r.value.get();
    let values: Vec<String> = if kind == "choices" {
        value
            .and_then(|v| v.choices.get())
            .into_iter()
            .flatten()
            .map(meta_text)
            .collect()
    } else {
        match value.and_then(|v| v.text.as_ref()) {
            Some(Value::Array(a)) => a.iter().map(meta_text).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let region =
        r.id.as_ref()
            .and_then(id_text)
            .and_then(|id| by_id.get(&id).copied());
    match region.and_then(|at| out.regions.get_mut(at)) {
        Some((_, region)) => {
            let joined = if kind == "choices" {
                if values.len() > 1 {
                    let msg = format!(
                        "{doc_id}: `{name}` has several choices ({}); the first is kept",
                        values.join(", ")
                    );
                    report.note(path, line, msg);
                    report.count("attribute choices not imported", values.len() - 1);
                }
                values.into_iter().next()
            } else {
                (!values.is_empty()).then(|| values.join("\n"))
            };
            let Some(v) = joined.filter(|v| !v.is_empty()) else {
                return;
            };
            if kind == "textarea" && name == NOTE {
                region.note = Some(v);
            } else {
                region.attrs.insert(name, v);
            }
        }
        None if value.is_none_or(|v| v.start.is_none()) => {
            // A choice about the whole text (classification): kept as meta.
            let field = if kind == "choices" && values.len() == 1 {
                values.join("")
            } else {
                Value::from(values).to_string()
            };
            out.doc_fields.push((name, field));
        }
        None => {
            let msg = format!("{doc_id}: `{name}` refers to a region that was not read; skipped");
            report.note(path, line, msg);
            report.count("attributes skipped", 1);
        }
    }
}
