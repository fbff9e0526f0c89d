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
//!
//! A discontinuous span is one entity per fragment (doccano entities are contiguous), each
//! with the extra key `"fragment_of": <span id>`; the first fragment keeps the span's id (the
//! relations point at it), attributes and note. Import joins entities that share a
//! `fragment_of` into one span again.

use crate::formats::export::{ExportDoc, checked_offsets};
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::json::{
    Lenient, attrs_note, id_text, informative, json_lines, label_text, line_or_problem,
    meta_object, meta_text, note_unknown_keys, report_uncarried, skip_span, span_bytes,
    write_attrs_note,
};
use crate::formats::{Imported, ImportedDoc, ImportedRelation, ImportedSpan, Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Schema, Status};
use crate::persist::{LoadError, Problem, ProblemKind};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A doccano line, typed. Every field is optional and tolerant ([`Lenient`]): a field of an
/// unexpected shape reads as missing, and what that skips is reported.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Line {
    id: Option<Value>,
    /// The text is `text`, or `data` when `text` is not a string.
    text: Option<Value>,
    data: Option<Value>,
    label: Lenient<Vec<Value>>,
    labels: Lenient<Vec<Value>>,
    entities: Lenient<Vec<Lenient<Entity>>>,
    relations: Lenient<Vec<Lenient<Relation>>>,
    meta: Option<Value>,
    /// Every other key: kept as meta.
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// `{"id", "label", "start_offset", "end_offset"}`, plus Marginalia's `attrs` and `note`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entity {
    id: Option<Value>,
    label: Option<Value>,
    start_offset: Option<Value>,
    end_offset: Option<Value>,
    attrs: Lenient<Map<String, Value>>,
    note: Lenient<String>,
    /// Groups the entities of a discontinuous span (see the module comment).
    fragment_of: Option<Value>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// `{"id", "from_id", "to_id", "type"}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Relation {
    from_id: Option<Value>,
    to_id: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
}

/// Reads doccano JSONL files. Lines that are not JSON, or have no text, make the import
/// fail with every such line listed; spans with bad offsets are reported and skipped.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut files: Vec<FileDocs<'_>> = Vec::new();
    for path in paths {
        let mut file = FileState {
            path,
            stem: file_stem(path),
            unknown_entity_keys: BTreeSet::new(),
        };
        let mut docs = Vec::new();
        for item in json_lines(path) {
            let Some((line, obj)) = line_or_problem(item, &mut problems) else {
                continue;
            };
            let record = match serde_json::from_value::<Line>(Value::Object(obj)) {
                Ok(r) => r,
                Err(e) => {
                    let msg = format!("not a doccano line: {e}");
                    problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line, 1));
                    continue;
                }
            };
            match read_line(&mut file, line, record, &mut imported.report) {
                Ok(doc) => docs.push((line, doc)),
                Err(p) => problems.push(p),
            }
        }
        note_unknown_keys(
            path,
            "entity",
            &file.unknown_entity_keys,
            &mut imported.report,
        );
        files.push((path, file.stem, docs));
    }
    // doccano exports a project annotated by several people without collaboration as one
    // file per user (`anna.jsonl`, `carl.jsonl`), each with every document: the same id
    // and text in two files. Each file is then its user's work (a team project); otherwise
    // an id seen twice is renamed (and said).
    let team = per_user_files(&files);
    let mut ids = HashSet::new();
    for (path, stem, docs) in files {
        if team {
            ids.clear();
        }
        for (line, mut doc) in docs {
            doc.id = unique_id(&mut ids, doc.id, path, Some(line), &mut imported.report);
            if team {
                doc.annotator = Some(stem.clone());
            }
            imported.docs.push(doc);
        }
    }
    LoadError::or_ok(problems, imported)
}

/// A file read: its path, its stem, its documents with their lines (ids as written).
type FileDocs<'a> = (&'a PathBuf, String, Vec<(usize, ImportedDoc)>);

/// Whether two of the files share a document: the same id with the same text.
fn per_user_files(files: &[FileDocs<'_>]) -> bool {
    let mut seen: HashMap<&str, (usize, &str)> = HashMap::new();
    for (n, (_, _, docs)) in files.iter().enumerate() {
        for (_, d) in docs {
            match seen.get(d.id.as_str()) {
                Some((m, text)) if *m != n && *text == d.text => return true,
                Some(_) => {}
                None => {
                    seen.insert(&d.id, (n, &d.text));
                }
            }
        }
    }
    false
}

/// What is gathered over one file, for notes given once rather than per line.
struct FileState<'a> {
    path: &'a Path,
    stem: String,
    unknown_entity_keys: BTreeSet<String>,
}

/// One line: a document with its spans and relations, or a located problem when there is
/// no text to annotate.
fn read_line(
    file: &mut FileState<'_>,
    line: usize,
    mut record: Line,
    report: &mut Report,
) -> Result<ImportedDoc, Problem> {
    let text = match (record.text.take(), record.data.take()) {
        (Some(Value::String(t)), data) => {
            // `data` is not the text: kept as meta like any other field.
            record.other.extend(data.map(|d| ("data".to_owned(), d)));
            t
        }
        (text, Some(Value::String(d))) => {
            record.other.extend(text.map(|t| ("text".to_owned(), t)));
            d
        }
        _ => {
            return Err(Problem::new(
                ProblemKind::Syntax,
                file.path,
                "no \"text\" (or \"data\") string: not a doccano line",
            )
            .at(line, 1));
        }
    };
    let mut doc = ImportedDoc {
        id: record
            .id
            .as_ref()
            .and_then(id_text)
            .unwrap_or_else(|| format!("{}-{line}", file.stem)),
        ..Default::default()
    };
    read_meta(file, line, &record, &mut doc, report);
    let index = OffsetIndex::new(&text);
    for (key, items) in [("label", &record.label), ("labels", &record.labels)] {
        if let Some(items) = items.get() {
            read_label_list(file, line, key, items, &index, &mut doc, report);
        }
    }
    let by_id = read_entities(file, line, &record, &index, &mut doc, report);
    read_relations(file, line, &record, &by_id, &mut doc, report);
    doc.text = text;
    Ok(doc)
}

/// Everything else on the line is kept as meta, so nothing the user had is lost: the
/// `meta` object's fields, then the other top-level fields.
fn read_meta(
    file: &FileState<'_>,
    line: usize,
    record: &Line,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    match &record.meta {
        Some(Value::Object(m)) => {
            for (k, v) in m.iter().filter(|(_, v)| informative(v)) {
                doc.meta.insert(k.clone(), meta_text(v));
            }
        }
        Some(v) if informative(v) => {
            doc.meta.insert("meta".to_owned(), meta_text(v));
        }
        _ => {}
    }
    for (k, v) in record.other.iter().filter(|(_, v)| informative(v)) {
        if doc.meta.insert(k.clone(), meta_text(v)).is_some() {
            let msg = format!("`{k}` is both a field and a meta field; the field is kept");
            report.note(file.path, Some(line), msg);
        }
    }
}

/// `"label": [[start, end, "LABEL"], ..]`, or document labels (`["POS"]`), kept as meta.
fn read_label_list(
    file: &FileState<'_>,
    line: usize,
    key: &str,
    items: &[Value],
    index: &OffsetIndex<'_>,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    let path = file.path;
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
                match span_bytes(index, Some(start), Some(end), Unit::Utf16) {
                    Ok((start, end)) => doc.spans.push(ImportedSpan {
                        start,
                        end,
                        label,
                        ..Default::default()
                    }),
                    Err(e) => {
                        let why = format!("`{label}` span skipped: {e}");
                        skip_span(path, line, &doc.id, why, report);
                    }
                }
            }
            // Text classification: `"label": ["POS"]` labels the whole document.
            _ if item.is_string() => categories.push(item.clone()),
            _ => {
                let msg = format!(
                    "{}: `{key}` item {item} is not [start, end, label]; skipped",
                    doc.id
                );
                report.note(path, Some(line), msg);
                report.count("spans skipped", 1);
            }
        }
    }
    if !categories.is_empty() {
        // Marginalia has no document labels: keep them as meta, and say so.
        let msg = format!("{}: document labels are kept as meta `{key}`", doc.id);
        report.note(path, Some(line), msg);
        report.count("document labels kept as meta", categories.len());
        doc.meta
            .insert(key.to_owned(), Value::Array(categories).to_string());
    }
}

/// The entities, as spans. Returns entity id → index in `doc.spans` (`None` for an entity
/// that was skipped), for the relations.
fn read_entities(
    file: &mut FileState<'_>,
    line: usize,
    record: &Line,
    index: &OffsetIndex<'_>,
    doc: &mut ImportedDoc,
    report: &mut Report,
) -> HashMap<String, Option<usize>> {
    let path = file.path;
    let mut by_id = HashMap::new();
    // `fragment_of` value → the span its first piece became.
    let mut groups: HashMap<String, usize> = HashMap::new();
    for entity in record.entities.get().into_iter().flatten() {
        let Some(e) = entity.get() else {
            let why = "an entity that is not an object; skipped";
            skip_span(path, line, &doc.id, why, report);
            continue;
        };
        file.unknown_entity_keys.extend(e.other.keys().cloned());
        let id = e.id.as_ref().and_then(id_text);
        let Some(label) = e.label.as_ref().and_then(label_text) else {
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
            index,
            e.start_offset.as_ref(),
            e.end_offset.as_ref(),
            Unit::Utf16,
        ) {
            Ok((start, end)) => {
                let group = e.fragment_of.as_ref().and_then(id_text);
                match group.as_ref().and_then(|g| groups.get(g)) {
                    Some(&at) => {
                        doc.add_fragment(at, (start, end));
                        Some(at)
                    }
                    None => {
                        let (attrs, note) =
                            attrs_note(e.attrs.get(), e.note.get().map(String::as_str));
                        doc.spans.push(ImportedSpan {
                            start,
                            end,
                            label,
                            attrs,
                            note,
                            ..Default::default()
                        });
                        let at = doc.spans.len() - 1;
                        if let Some(g) = group {
                            groups.insert(g, at);
                        }
                        Some(at)
                    }
                }
            }
            Err(err) => {
                let why = format!("`{label}` span skipped: {err}");
                skip_span(path, line, &doc.id, why, report);
                None
            }
        };
        if let Some(id) = id {
            by_id.insert(id, at);
        }
    }
    by_id
}

/// The relations between entities that were read.
fn read_relations(
    file: &FileState<'_>,
    line: usize,
    record: &Line,
    by_id: &HashMap<String, Option<usize>>,
    doc: &mut ImportedDoc,
    report: &mut Report,
) {
    let entity = |v: &Option<Value>| {
        v.as_ref()
            .and_then(id_text)
            .and_then(|i| by_id.get(&i).copied().flatten())
    };
    // A relation that is not an object is one without a type: reported, never dropped.
    for rel in record.relations.get().into_iter().flatten() {
        let rel = rel.get();
        let kind = rel.and_then(|r| r.kind.as_ref()).and_then(label_text);
        let from = rel.and_then(|r| entity(&r.from_id));
        let to = rel.and_then(|r| entity(&r.to_id));
        match (kind, from, to) {
            (Some(kind), Some(from), Some(to)) => doc.relations.push(ImportedRelation {
                kind,
                from,
                to,
                ..Default::default()
            }),
            (kind, ..) => {
                let kind = kind.unwrap_or_else(|| "(no type)".to_owned());
                let msg = format!(
                    "{}: a `{kind}` relation without a type or between entities that were not read; skipped",
                    doc.id
                );
                report.note(file.path, Some(line), msg);
                report.count("relations skipped", 1);
            }
        }
    }
}

/// Writes the documents as doccano JSONL with entities and relations, UTF-16 offsets,
/// span ids as entity ids, and attributes and notes as extra entity keys.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let _ = schema;
    let mut content = crate::formats::sink::Sink::new(out);
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let mut kept = HashSet::new();
        let mut entities = Vec::new();
        // Ids for the second and later fragments of discontinuous spans: after every id
        // the document uses.
        let mut next_id = d
            .spans
            .iter()
            .map(|s| s.id.0)
            .chain(d.relations.iter().map(|r| r.id.0))
            .max()
            .unwrap_or(0);
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
            if !s.is_discontinuous() {
                entities.push(Value::Object(e));
                continue;
            }
            // doccano entities are contiguous: one per fragment, each naming the span's id
            // in `fragment_of`; the first keeps the span's id, attributes and note.
            report.count("discontinuous spans written as one entity per fragment", 1);
            e.insert("fragment_of".into(), json!(s.id.0));
            for (k, f) in s.fragments.iter().enumerate() {
                let mut piece = if k == 0 { e.clone() } else { Map::new() };
                if k > 0 {
                    next_id += 1;
                    piece.insert("id".into(), json!(next_id));
                    piece.insert("label".into(), json!(s.label));
                    piece.insert("fragment_of".into(), json!(s.id.0));
                }
                piece.insert(
                    "start_offset".into(),
                    json!(index.from_byte(f.start, Unit::Utf16)),
                );
                piece.insert(
                    "end_offset".into(),
                    json!(index.from_byte(f.end, Unit::Utf16)),
                );
                entities.push(Value::Object(piece));
            }
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
        // Keys in the order a JSON object of them is written (sorted), the text borrowed:
        // a 1 GB document is not copied into a JSON value and then into a string.
        #[derive(serde::Serialize)]
        struct LineOut<'a> {
            entities: &'a [Value],
            id: &'a str,
            meta: Map<String, Value>,
            relations: &'a [Value],
            text: &'a str,
        }
        let line = LineOut {
            entities: &entities,
            id: &doc.id,
            meta: meta_object(doc),
            relations: &relations,
            text: &doc.text,
        };
        if let Err(e) = serde_json::to_writer(&mut content, &line) {
            content.fail(e.into());
        }
        content.push('\n');
        report.count("documents", 1);
        report.count("spans", kept.len());
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
    Output::single(out, content)
}
