//! Imported documents become a project: the schema grows to fit what was read, texts that
//! have no file of their own go into one JSONL corpus file beside the project, and every
//! span, relation and suggestion is checked before it is kept.

use crate::formats::{Imported, ImportedDoc, Report};
use crate::model::check;
use crate::model::{
    AttrKind, AttributeDef, Choice, DocSource, Document, LabelDef, Project, Relation, RelationType,
    Rgb, Schema, Score, Span, SpanId, SuggestedLink, Suggestion,
};
use crate::persist::corpus::hash_text;
use crate::persist::paths::normalize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Attributes with at most this many distinct short values become choices; others free text.
const MAX_CHOICES: usize = 12;

/// A corpus file the import needs written beside the project: texts that had no file.
pub struct CorpusFile {
    pub path: PathBuf,
    pub content: String,
}

/// Makes sure `schema` has every label, attribute and relation type the data uses.
fn grow_schema(schema: &mut Schema, imported: &Imported, report: &mut Report, file: &Path) {
    let mut labels: Vec<&str> = Vec::new();
    let mut values: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut ends: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for d in &imported.docs {
        for s in &d.spans {
            labels.push(&s.label);
            for (k, v) in &s.attrs {
                values.entry((&s.label, k)).or_default().insert(v);
            }
        }
        for s in &d.suggestions {
            labels.push(&s.label);
        }
        for r in &d.relations {
            if let (Some(a), Some(b)) = (d.spans.get(r.from), d.spans.get(r.to)) {
                let e = ends.entry(&r.kind).or_default();
                e.0.insert(&a.label);
                e.1.insert(&b.label);
            }
        }
    }
    for l in labels {
        if schema.label(l).is_none() {
            let n = schema.labels.len();
            let key = ('1'..='9').find(|k| schema.labels.iter().all(|x| x.key != Some(*k)));
            schema.labels.push(LabelDef {
                name: l.to_owned(),
                color: Rgb::nth_label_color(n),
                key,
                attributes: Vec::new(),
                event: false,
            });
            if imported.schema.is_some() {
                report.note(
                    file,
                    None,
                    format!("label `{l}` is used but not declared; added to the schema"),
                );
            }
        }
    }
    for ((label, name), vals) in values {
        let Some(def) = schema.labels.iter_mut().find(|x| x.name == label) else {
            continue;
        };
        match def.attributes.iter_mut().find(|a| a.name == name) {
            Some(a) => {
                if let AttrKind::Choice(c) = &mut a.kind {
                    for v in vals {
                        if !c.iter().any(|x| x.value == v) {
                            c.push(Choice {
                                value: v.to_owned(),
                                key: None,
                            });
                        }
                    }
                }
            }
            None => {
                let short = vals.len() <= MAX_CHOICES
                    && vals
                        .iter()
                        .all(|v| v.chars().count() <= 30 && !v.contains(' '));
                let kind = if short {
                    AttrKind::Choice(
                        vals.iter()
                            .map(|v| Choice {
                                value: (*v).to_owned(),
                                key: None,
                            })
                            .collect(),
                    )
                } else {
                    AttrKind::Text
                };
                def.attributes.push(AttributeDef {
                    name: name.to_owned(),
                    kind,
                    key: None,
                });
            }
        }
    }
    for (kind, (from, to)) in ends {
        let join = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join("|");
        match schema.relations.iter_mut().find(|r| r.name == kind) {
            None => schema
                .relations
                .push(RelationType::new(kind, &join(&from), &join(&to))),
            Some(r) => {
                // Grow the declared ends to what the data uses (and say so).
                for (set, used) in [(&mut r.from, &from), (&mut r.to, &to)] {
                    for l in used {
                        if !RelationType::labels(set).any(|x| x == *l) {
                            report.note(file, None, format!("relation `{kind}` links a `{l}` span, which its declaration does not allow; allowed now"));
                            if set.is_empty() {
                                set.push_str(l);
                            } else {
                                set.push('|');
                                set.push_str(l);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Makes the schema one that a project file may hold (what loading checks): no label with
/// a blank name, no label, attribute or relation type defined twice, no key given to two
/// labels, no relation end naming a label that does not exist. A declared schema (brat's
/// annotation.conf) can break each of these, and a project saved with it would not open
/// again. Relation types defined twice are merged (brat allows several argument lists for
/// one type); everything else that is dropped is reported.
fn fit_schema(schema: &mut Schema, report: &mut Report, file: &Path) {
    let mut names = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let mut labels = Vec::with_capacity(schema.labels.len());
    for mut l in std::mem::take(&mut schema.labels) {
        if l.name.trim().is_empty() {
            report.note(
                file,
                None,
                "a label with a blank name is left out of the schema (its spans are skipped)",
            );
            continue;
        }
        if !names.insert(l.name.clone()) {
            report.note(
                file,
                None,
                format!("label `{}` is declared twice; the first is kept", l.name),
            );
            continue;
        }
        if let Some(k) = l.key
            && !keys.insert(k)
        {
            report.note(
                file,
                None,
                format!(
                    "key `{k}` is given to two labels; `{}` has none now",
                    l.name
                ),
            );
            l.key = None;
        }
        let mut attrs = BTreeSet::new();
        l.attributes.retain(|a| attrs.insert(a.name.clone()));
        labels.push(l);
    }
    schema.labels = labels;
    let mut relations: Vec<RelationType> = Vec::with_capacity(schema.relations.len());
    for r in std::mem::take(&mut schema.relations) {
        let mut ends = |set: &str| {
            RelationType::labels(set)
                .filter(|l| {
                    let known = names.contains(*l);
                    if !known {
                        report.note(file, None, format!("relation `{}` names label `{l}`, which is not in the schema; left out of its ends", r.name));
                    }
                    known
                })
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let (from, to) = (ends(&r.from), ends(&r.to));
        match relations.iter_mut().find(|x| x.name == r.name) {
            Some(x) => {
                for (set, add) in [(&mut x.from, from), (&mut x.to, to)] {
                    for l in add {
                        if !RelationType::labels(set).any(|y| y == l) {
                            if !set.is_empty() {
                                set.push('|');
                            }
                            set.push_str(&l);
                        }
                    }
                }
                x.symmetric |= r.symmetric;
            }
            None => relations.push(RelationType {
                from: from.join("|"),
                to: to.join("|"),
                ..r
            }),
        }
    }
    schema.relations = relations;
}

/// A free corpus file name beside the project: `NAME.corpus.jsonl`, or `NAME.corpus-2.jsonl`...
fn corpus_path(project_path: &Path) -> PathBuf {
    let dir = project_path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let stem = project_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_owned());
    (1..)
        .map(|n| {
            if n == 1 {
                dir.join(format!("{stem}.corpus.jsonl"))
            } else {
                dir.join(format!("{stem}.corpus-{n}.jsonl"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.corpus.jsonl")))
}

/// Turns what was imported into a project (or adds it to `into`). Bad spans, relations and
/// suggestions are reported and left out; nothing else is lost.
pub fn build_project(
    mut imported: Imported,
    project_path: &Path,
    name: &str,
    into: Option<Project>,
) -> (Project, Option<CorpusFile>, Report) {
    let mut report = std::mem::take(&mut imported.report);
    let file = project_path.to_owned();
    let mut project = into.unwrap_or_else(|| {
        let schema = imported.schema.clone().unwrap_or(Schema {
            labels: Vec::new(),
            relations: Vec::new(),
        });
        Project::new(name.to_owned(), schema, Vec::new())
    });
    adopt_schema(&mut project, &imported, &mut report, &file);
    let corpus = corpus_path(project_path);
    let mut corpus_lines = String::new();
    let mut line_no = 0;
    // Adding to a project: an id it has already is renamed (and said), never duplicated.
    let mut ids: std::collections::HashSet<String> =
        project.documents.iter().map(|d| d.id.clone()).collect();
    for mut d in std::mem::take(&mut imported.docs) {
        d.id = crate::formats::ids::unique_id(&mut ids, d.id, &file, None, &mut report);
        let source = match &d.source {
            Some(p) => DocSource::TextFile(normalize(p)),
            None => {
                line_no += 1;
                corpus_lines.push_str(&corpus_line(&d));
                DocSource::JsonlLine {
                    path: normalize(&corpus),
                    line: line_no,
                }
            }
        };
        let doc = build_document(&project, &d, source, &file, &mut report);
        report.count("documents", 1);
        project.documents.push(doc);
    }
    project.reset_span_ids();
    let corpus_file = (!corpus_lines.is_empty()).then_some(CorpusFile {
        path: corpus,
        content: corpus_lines,
    });
    (project, corpus_file, report)
}

/// The project's schema takes in the labels and relation types the source declares, then
/// grows to fit what the data uses; labels of event triggers are marked.
fn adopt_schema(project: &mut Project, imported: &Imported, report: &mut Report, file: &Path) {
    if let Some(declared) = &imported.schema {
        // Adding to a project: declared labels it lacks join its schema.
        for l in &declared.labels {
            if project.schema.label(&l.name).is_none() {
                project.schema.labels.push(l.clone());
            }
        }
        for r in &declared.relations {
            if project.schema.relation(&r.name).is_none() {
                project.schema.relations.push(r.clone());
            }
        }
    }
    let mut schema = project.schema.clone();
    grow_schema(&mut schema, imported, report, file);
    fit_schema(&mut schema, report, file);
    for l in &mut schema.labels {
        if imported.event_labels.contains(&l.name) {
            l.event = true;
        }
    }
    project.schema = schema;
}

/// A text without a file of its own, as a line of the project's JSONL corpus.
fn corpus_line(d: &ImportedDoc) -> String {
    let mut rec = serde_json::Map::new();
    rec.insert("id".into(), d.id.clone().into());
    rec.insert("text".into(), d.text.clone().into());
    if !d.meta.is_empty() {
        let meta: serde_json::Map<String, serde_json::Value> = d
            .meta
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        rec.insert("meta".into(), meta.into());
    }
    let mut line = serde_json::Value::Object(rec).to_string();
    line.push('\n');
    line
}

/// One imported document with the spans, relations and suggestions that pass the rules
/// of `project`'s schema.
fn build_document(
    project: &Project,
    d: &ImportedDoc,
    source: DocSource,
    file: &Path,
    report: &mut Report,
) -> Document {
    let text: Arc<str> = Arc::from(d.text.as_str());
    let mut doc = Document::new(d.id.clone(), source, hash_text(&text), text);
    doc.meta = d.meta.clone();
    if let Some(s) = d.status {
        doc.status = s;
    }
    let ids = add_spans(project, &mut doc, d, file, report);
    add_relations(project, &mut doc, d, &ids, file, report);
    add_suggestions(project, &mut doc, d, file, report);
    doc
}

/// The spans that fit; returns the new id of each imported span (`None`: skipped).
fn add_spans(
    project: &Project,
    doc: &mut Document,
    d: &ImportedDoc,
    file: &Path,
    report: &mut Report,
) -> Vec<Option<SpanId>> {
    let mut ids = Vec::with_capacity(d.spans.len());
    let mut spans = Vec::with_capacity(d.spans.len());
    for s in &d.spans {
        let Some(covered) = usable(
            project,
            doc,
            d,
            (s.start, s.end, &s.label),
            "span",
            file,
            report,
        ) else {
            ids.push(None);
            continue;
        };
        let mut span = Span {
            id: SpanId(0),
            start: s.start,
            end: s.end,
            label: s.label.clone(),
            text: covered,
            fragments: Vec::new(),
            attrs: check::fitting_attrs(project.schema.label(&s.label), &s.attrs),
            note: s.note.clone(),
            annotator: None,
            origin: None,
        };
        if s.fragments.len() > 1 {
            let pieces: Vec<_> = s.fragments.iter().map(|&(a, b)| a..b).collect();
            if let Err(e) = check::pieces(&doc.text, &pieces) {
                let msg = format!("{}: span {}..{}: {e}; skipped", d.id, s.start, s.end);
                report.note(file, None, msg);
                ids.push(None);
                continue;
            }
            span.set_pieces(&doc.text, &pieces);
            report.count("discontinuous spans", 1);
        }
        span.id = project.allocate_span_id();
        ids.push(Some(span.id));
        spans.push(span);
    }
    report.count("spans", spans.len());
    doc.set_spans(spans);
    ids
}

/// The text at `start..end` when it is a valid range and `label` is in the schema;
/// otherwise a note that the span (or suggestion) is skipped.
fn usable(
    project: &Project,
    doc: &Document,
    d: &ImportedDoc,
    (start, end, label): (usize, usize, &str),
    what: &str,
    file: &Path,
    report: &mut Report,
) -> Option<String> {
    let Ok(covered) = check::covered(&doc.text, start, end) else {
        let msg = format!(
            "{}: {what} {start}..{end} is empty or not on character boundaries; skipped",
            d.id
        );
        report.note(file, None, msg);
        return None;
    };
    if project.schema.label(label).is_none() {
        let msg = format!(
            "{}: {what} {start}..{end} has no usable label; skipped",
            d.id
        );
        report.note(file, None, msg);
        return None;
    }
    Some(covered.to_owned())
}

/// The relations between kept spans that fit the schema.
fn add_relations(
    project: &Project,
    doc: &mut Document,
    d: &ImportedDoc,
    ids: &[Option<SpanId>],
    file: &Path,
    report: &mut Report,
) {
    let mut relations = Vec::new();
    for r in &d.relations {
        let (Some(Some(from)), Some(Some(to))) = (ids.get(r.from), ids.get(r.to)) else {
            let msg = format!(
                "{}: a `{}` relation points at a skipped span; skipped",
                d.id, r.kind
            );
            report.note(file, None, msg);
            continue;
        };
        let mut rel = Relation::new(project.allocate_span_id(), r.kind.clone(), *from, *to);
        rel.attrs = r.attrs.clone();
        rel.note = r.note.clone();
        match check::relation_in(&project.schema, doc, &rel) {
            Ok(()) => relations.push(rel),
            Err(e) => report.note(file, None, format!("{}: relation skipped: {e}", d.id)),
        }
    }
    report.count("relations", relations.len());
    doc.set_relations(relations);
}

/// The suggestions that fit, with the links between kept ones.
fn add_suggestions(
    project: &Project,
    doc: &mut Document,
    d: &ImportedDoc,
    file: &Path,
    report: &mut Report,
) {
    let mut suggestions = Vec::new();
    // Imported links point at indices of `d.suggestions`; kept ones get ids here.
    let mut ids: Vec<Option<SpanId>> = Vec::with_capacity(d.suggestions.len());
    for s in &d.suggestions {
        let range = (s.start, s.end, s.label.as_str());
        let Some(covered) = usable(project, doc, d, range, "suggestion", file, report) else {
            ids.push(None);
            continue;
        };
        let id = project.allocate_span_id();
        ids.push(Some(id));
        suggestions.push(Suggestion {
            id,
            start: s.start,
            end: s.end,
            label: s.label.clone(),
            text: covered,
            attrs: s.attrs.clone(),
            source: s.source.clone(),
            score: s.score.map(Score),
            review: s.review,
            span: None,
            links: Vec::new(),
        });
    }
    let kept_sources = d
        .suggestions
        .iter()
        .zip(&ids)
        .filter(|(_, id)| id.is_some());
    for ((s, _), kept) in kept_sources.zip(suggestions.iter_mut()) {
        for (kind, to) in &s.links {
            match ids.get(*to).copied().flatten() {
                Some(to) => kept.links.push(SuggestedLink {
                    kind: kind.clone(),
                    to,
                }),
                None => report.count("suggested relations to skipped suggestions", 1),
            }
        }
    }
    report.count("suggestions", suggestions.len());
    doc.set_suggestions(suggestions);
}

/// Id → index of spans in an imported document, for formats that name spans (T1, "r3"...).
pub type SpanIndex = HashMap<String, usize>;
