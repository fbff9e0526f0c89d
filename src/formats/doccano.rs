//! doccano JSONL, with offsets in UTF-16 code units (JavaScript string indices).
//!
//! Import reads both shapes doccano writes: the sequence labelling one,
//! `{"text"|"data", "label"|"labels": [[start, end, "LABEL"], ..]}`, and the one with
//! relations, `{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
//! "relations": [{"id", "from_id", "to_id", "type"}]}`. Export writes the second.
//!
//! doccano has no place for span attributes or notes. So that a round trip through doccano
//! loses nothing, export writes them as extra keys of the entity object, `"attrs": {name:
//! value}` and `"note": "..."`, and import reads them back; doccano itself ignores keys it
//! does not know. Suggestions have no place at all: they are counted in the report.

use crate::formats::export::{ExportDoc, checked_offsets};
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{
    id_text, informative, label_text, meta_object, meta_text, note_unknown_keys, read_attrs_note,
    read_json_lines, report_uncarried, skip_span, span_bytes, write_attrs_note,
};
use crate::formats::{Imported, ImportedDoc, ImportedRelation, ImportedSpan, Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Schema, Status};
use crate::persist::{LoadError, Problem, ProblemKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Keys of a doccano line that Marginalia reads itself; every other key becomes meta.
const LINE_KEYS: [&str; 8] = [
    "id",
    "text",
    "data",
    "label",
    "labels",
    "entities",
    "relations",
    "meta",
];

/// Keys of a doccano entity that Marginalia reads (`attrs` and `note` are its own).
const ENTITY_KEYS: [&str; 6] = ["id", "label", "start_offset", "end_offset", "attrs", "note"];

/// Reads doccano JSONL files. Lines that are not JSON, or have no text, make the import
/// fail with every such line listed; spans with bad offsets are reported and skipped.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for path in paths {
        let stem = file_stem(path);
        let mut unknown_entity_keys = BTreeSet::new();
        for (line, obj) in read_json_lines(path, &mut problems) {
            match read_line(
                path,
                &stem,
                line,
                &obj,
                &mut imported.report,
                &mut unknown_entity_keys,
            ) {
                Ok(mut doc) => {
                    doc.id = unique_id(&mut ids, doc.id, path, Some(line), &mut imported.report);
                    imported.docs.push(doc);
                }
                Err(p) => problems.push(p),
            }
        }
        note_unknown_keys(path, "entity", &unknown_entity_keys, &mut imported.report);
    }
    LoadError::or_ok(problems, imported)
}

/// One line: a document with its spans and relations, or a located problem when there is
/// no text to annotate.
fn read_line(
    path: &Path,
    stem: &str,
    line: usize,
    obj: &Map<String, Value>,
    report: &mut Report,
    unknown_entity_keys: &mut BTreeSet<String>,
) -> Result<ImportedDoc, Problem> {
    let text_key = ["text", "data"]
        .into_iter()
        .find(|k| obj.get(*k).is_some_and(Value::is_string));
    let Some(text) = text_key.and_then(|k| obj.get(k)).and_then(Value::as_str) else {
        return Err(Problem::new(
            ProblemKind::Syntax,
            path,
            "no \"text\" (or \"data\") string: not a doccano line",
        )
        .at(line, 1));
    };
    let mut doc = ImportedDoc {
        id: obj
            .get("id")
            .and_then(id_text)
            .unwrap_or_else(|| format!("{stem}-{line}")),
        text: text.to_owned(),
        ..Default::default()
    };
    // Everything else on the line is kept as meta, so nothing the user had is lost: the
    // `meta` object's fields, other top-level fields, and `data` when `text` is the text.
    if let Some(Value::Object(m)) = obj.get("meta") {
        for (k, v) in m {
            if informative(v) {
                doc.meta.insert(k.clone(), meta_text(v));
            }
        }
    } else if let Some(v) = obj.get("meta").filter(|v| informative(v)) {
        doc.meta.insert("meta".to_owned(), meta_text(v));
    }
    for (k, v) in obj {
        let used = match k.as_str() {
            "text" | "data" => text_key == Some(k.as_str()),
            other => LINE_KEYS.contains(&other),
        };
        if used || !informative(v) {
            continue;
        }
        if doc.meta.insert(k.clone(), meta_text(v)).is_some() {
            report.note(
                path,
                Some(line),
                format!("`{k}` is both a field and a meta field; the field is kept"),
            );
        }
    }
    let index = OffsetIndex::new(text);
    for key in ["label", "labels"] {
        let Some(items) = obj.get(key).and_then(Value::as_array) else {
            continue;
        };
        let mut categories = Vec::new();
        for item in items {
            match item.as_array().map(Vec::as_slice) {
                Some([start, end, label, ..]) => {
                    let Some(label) = label_text(label) else {
                        skip_span(
                            path,
                            line,
                            &doc.id,
                            "a span without a label; skipped",
                            report,
                        );
                        continue;
                    };
                    match span_bytes(&index, Some(start), Some(end), Unit::Utf16) {
                        Ok((start, end)) => doc.spans.push(ImportedSpan {
                            start,
                            end,
                            label,
                            ..Default::default()
                        }),
                        Err(e) => skip_span(
                            path,
                            line,
                            &doc.id,
                            format!("`{label}` span skipped: {e}"),
                            report,
                        ),
                    }
                }
                // Text classification: `"label": ["POS"]` labels the whole document.
                _ if item.is_string() => categories.push(item.clone()),
                _ => {
                    report.note(
                        path,
                        Some(line),
                        format!(
                            "{}: `{key}` item {item} is not [start, end, label]; skipped",
                            doc.id
                        ),
                    );
                    report.count("spans skipped", 1);
                }
            }
        }
        if !categories.is_empty() {
            // Marginalia has no document labels: keep them as meta, and say so.
            report.note(
                path,
                Some(line),
                format!("{}: document labels are kept as meta `{key}`", doc.id),
            );
            report.count("document labels kept as meta", categories.len());
            doc.meta
                .insert(key.to_owned(), Value::Array(categories).to_string());
        }
    }
    // Entity id → index in `doc.spans`, or `None` for an entity that was skipped.
    let mut by_id: HashMap<String, Option<usize>> = HashMap::new();
    for entity in obj
        .get("entities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(e) = entity.as_object() else {
            skip_span(
                path,
                line,
                &doc.id,
                "an entity that is not an object; skipped",
                report,
            );
            continue;
        };
        unknown_entity_keys.extend(
            e.keys()
                .filter(|k| !ENTITY_KEYS.contains(&k.as_str()))
                .cloned(),
        );
        let id = e.get("id").and_then(id_text);
        let Some(label) = e.get("label").and_then(label_text) else {
            skip_span(
                path,
                line,
                &doc.id,
                "an entity without a label; skipped",
                report,
            );
            if let Some(id) = id {
                by_id.insert(id, None);
            }
            continue;
        };
        let at = match span_bytes(
            &index,
            e.get("start_offset"),
            e.get("end_offset"),
            Unit::Utf16,
        ) {
            Ok((start, end)) => {
                let (attrs, note) = read_attrs_note(e);
                doc.spans.push(ImportedSpan {
                    start,
                    end,
                    label,
                    attrs,
                    note,
                });
                Some(doc.spans.len() - 1)
            }
            Err(err) => {
                skip_span(
                    path,
                    line,
                    &doc.id,
                    format!("`{label}` span skipped: {err}"),
                    report,
                );
                None
            }
        };
        if let Some(id) = id {
            by_id.insert(id, at);
        }
    }
    for rel in obj
        .get("relations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = rel.get("type").and_then(label_text);
        let from = rel
            .get("from_id")
            .and_then(id_text)
            .and_then(|i| by_id.get(&i).copied().flatten());
        let to = rel
            .get("to_id")
            .and_then(id_text)
            .and_then(|i| by_id.get(&i).copied().flatten());
        match (kind, from, to) {
            (Some(kind), Some(from), Some(to)) => {
                doc.relations.push(ImportedRelation { kind, from, to })
            }
            (kind, ..) => {
                let kind = kind.unwrap_or_else(|| "(no type)".to_owned());
                report.note(path, Some(line), format!("{}: a `{kind}` relation without a type or between entities that were not read; skipped", doc.id));
                report.count("relations skipped", 1);
            }
        }
    }
    Ok(doc)
}

/// Writes the documents as doccano JSONL with entities and relations, UTF-16 offsets,
/// span ids as entity ids, and attributes and notes as extra entity keys.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let _ = schema;
    let mut content = String::new();
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let mut kept = HashSet::new();
        let mut entities = Vec::new();
        for s in &d.spans {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::Utf16, out, report)
            else {
                continue;
            };
            kept.insert(s.id);
            let mut e = Map::new();
            e.insert("id".into(), json!(s.id.0));
            e.insert("label".into(), json!(s.label));
            e.insert("start_offset".into(), json!(start));
            e.insert("end_offset".into(), json!(end));
            write_attrs_note(&mut e, &s.attrs, s.note.as_deref());
            entities.push(Value::Object(e));
        }
        let mut relations = Vec::new();
        for r in &d.relations {
            if kept.contains(&r.from) && kept.contains(&r.to) {
                relations.push(
                    json!({"id": r.id.0, "from_id": r.from.0, "to_id": r.to.0, "type": r.kind}),
                );
            } else {
                report.count("relations skipped", 1);
            }
        }
        let line = json!({
            "id": doc.id,
            "text": &*doc.text,
            "entities": entities,
            "relations": relations,
            "meta": meta_object(doc),
        });
        content.push_str(&line.to_string());
        content.push('\n');
        report.count("documents", 1);
        report.count("spans", entities.len());
        report.count("relations", relations.len());
        if !d.suggestions.is_empty() {
            report.count("suggestions not exported", d.suggestions.len());
        }
        if doc.status != Status::New {
            report.count("document statuses not exported", 1);
        }
    }
    report_uncarried(docs, report);
    if docs.iter().any(|d| !d.suggestions.is_empty()) {
        report.note(
            out,
            None,
            "doccano has no place for suggestions; they were not exported",
        );
    }
    Output {
        files: vec![(out.to_owned(), content)],
    }
}
