//! Imported documents become a project: the schema grows to fit what was read, texts that
//! have no file of their own go into one JSONL corpus file beside the project, and every
//! span, relation and suggestion is checked before it is kept.

use crate::formats::sink::{Body, Sink};
use crate::formats::{Imported, ImportedDoc, Report};
use crate::model::check;
use crate::model::{
    AttrKind, AttributeDef, Choice, DocSource, Document, LabelDef, Project, Relation, RelationType,
    Rgb, Schema, Score, Span, SpanId, SuggestedLink, Suggestion,
};
use crate::persist::Problem;
use crate::persist::atomic::{persist_written, write_atomic};
use crate::persist::corpus::hash_text;
use crate::persist::paths::normalize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The ids of a project's documents, to keep them unique as more are added. Kept as 64-bit
/// hashes while no two collide: a million ids as strings, beside the documents that hold
/// them, took 84 MB. A hash seen before is a repeated id, or rarely two ids with one hash:
/// only then are the ids themselves collected, once, and checked exactly from there on.
struct UsedIds {
    hashes: HashSet<u64>,
    exact: Option<HashSet<String>>,
}

impl UsedIds {
    fn new(project: &Project) -> Self {
        Self {
            hashes: project
                .documents
                .iter()
                .map(|d| Self::hash(&d.id))
                .collect(),
            exact: None,
        }
    }

    fn hash(id: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        h.finish()
    }

    /// `id`, or a new one if a document of `project` has it (see
    /// [`crate::formats::ids::unique_id`]).
    fn unique(
        &mut self,
        project: &Project,
        id: String,
        file: &Path,
        report: &mut Report,
    ) -> String {
        if self.exact.is_none() && self.hashes.insert(Self::hash(&id)) {
            return id;
        }
        let exact = self
            .exact
            .get_or_insert_with(|| project.documents.iter().map(|d| d.id.clone()).collect());
        crate::formats::ids::unique_id(exact, id, file, None, report)
    }
}

/// Attributes with at most this many distinct short values become choices; others free text.
const MAX_CHOICES: usize = 12;

/// A corpus file the import needs written beside the project: texts that had no file.
pub struct CorpusFile {
    pub path: PathBuf,
    /// Its lines: in memory while they are few, then in the temporary file beside `path`
    /// (a million documents' texts are not held a second time beside the project's).
    /// `None` once written.
    lines: Option<Sink>,
}

impl CorpusFile {
    /// Writes the file atomically (its lines then leave memory, or their temporary file
    /// becomes it).
    pub fn write(&mut self) -> Result<(), Problem> {
        let Some(lines) = self.lines.take() else {
            return Ok(());
        };
        let failed = |e: std::io::Error| Problem::io(&self.path, &e);
        match lines.finish().map_err(failed)? {
            Body::Text(text) => write_atomic(&self.path, text.as_bytes()),
            Body::Spooled(file) => persist_written(file, &self.path),
        }
        .map_err(failed)
    }
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
    let mut builder = Builder::new(&mut imported, project_path, name, into);
    let mut docs = std::mem::take(&mut imported.docs);
    // Taken from the back of the reversed list, which is shrunk as it empties: the imported
    // documents leave memory as the project's arrive (a million small ones are 200 MB of
    // list alone).
    docs.reverse();
    builder.project.documents.reserve(docs.len());
    while let Some(d) = docs.pop() {
        if docs.len().is_multiple_of(65_536) {
            docs.shrink_to_fit();
        }
        builder.add(d);
    }
    builder.finish()
}

/// A project being built from imported documents, one at a time: from a list
/// ([`build_project`]), or as a corpus without annotations is read, so that its documents
/// are never all in memory twice ([`crate::formats::run`]).
pub struct Builder {
    project: Project,
    report: Report,
    file: PathBuf,
    corpus: PathBuf,
    /// `corpus`, normalised once (it asks for the working folder), shared by its lines.
    corpus_source: Arc<Path>,
    corpus_lines: Sink,
    line_no: usize,
    /// Adding to a project: an id it has already is renamed (and said), never duplicated.
    ids: UsedIds,
    added: usize,
}

impl Builder {
    /// A builder for what `imported` declares and uses: its schema, grown to fit the
    /// labels of its documents, its event labels and its report (taken). Its documents are
    /// not added.
    pub fn new(
        imported: &mut Imported,
        project_path: &Path,
        name: &str,
        into: Option<Project>,
    ) -> Self {
        let mut report = std::mem::take(&mut imported.report);
        let file = project_path.to_owned();
        let mut project = into.unwrap_or_else(|| {
            let schema = imported.schema.clone().unwrap_or(Schema {
                labels: Vec::new(),
                relations: Vec::new(),
            });
            Project::new(name.to_owned(), schema, Vec::new())
        });
        adopt_schema(&mut project, imported, &mut report, &file);
        let corpus = corpus_path(project_path);
        let ids = UsedIds::new(&project);
        Self {
            report,
            corpus_source: Arc::from(normalize(&corpus)),
            corpus_lines: Sink::new(&corpus),
            corpus,
            file,
            line_no: 0,
            ids,
            project,
            added: 0,
        }
    }

    /// Adds a document with the annotations that fit the project's schema (which must
    /// already have every label they use: see [`Builder::new`]).
    pub fn add(&mut self, mut d: ImportedDoc) {
        d.id = self
            .ids
            .unique(&self.project, d.id, &self.file, &mut self.report);
        let source = match &d.source {
            Some(p) => DocSource::TextFile(normalize(p)),
            None => {
                self.line_no += 1;
                write_corpus_line(&mut self.corpus_lines, &d);
                DocSource::JsonlLine {
                    path: Arc::clone(&self.corpus_source),
                    line: self.line_no,
                }
            }
        };
        let doc = build_document(&self.project, d, source, &self.file, &mut self.report);
        self.report.count("documents", 1);
        self.project.documents.push(doc);
        self.added += 1;
    }

    /// How many documents were added.
    pub fn added(&self) -> usize {
        self.added
    }

    /// The project, the corpus file its texts without a file need (not yet written) and the
    /// report.
    pub fn finish(mut self) -> (Project, Option<CorpusFile>, Report) {
        self.project.reset_span_ids();
        let corpus_file = (self.line_no > 0).then_some(CorpusFile {
            path: self.corpus,
            lines: Some(self.corpus_lines),
        });
        (self.project, corpus_file, self.report)
    }
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

/// A text without a file of its own, as a line of the project's JSONL corpus, appended to
/// `out`: `{"id":…,"meta":{…},"text":…}`, keys in that order.
fn write_corpus_line(out: &mut Sink, d: &ImportedDoc) {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        id: &'a str,
        #[serde(skip_serializing_if = "crate::model::attrs::Meta::is_empty")]
        meta: &'a crate::model::attrs::Meta,
        text: &'a str,
    }
    let line = Line {
        id: &d.id,
        meta: &d.meta,
        text: &d.text,
    };
    // Strings and a map of strings: serialising cannot fail, and the sink keeps any write
    // error for `CorpusFile::write`.
    let _ = serde_json::to_writer(&mut *out, &line);
    out.push('\n');
}

/// One imported document with the spans, relations and suggestions that pass the rules
/// of `project`'s schema.
fn build_document(
    project: &Project,
    mut d: ImportedDoc,
    source: DocSource,
    file: &Path,
    report: &mut Report,
) -> Document {
    let text: Arc<str> = Arc::from(std::mem::take(&mut d.text));
    let mut doc = Document::new(d.id.clone(), source, hash_text(&text), text);
    doc.meta = std::mem::take(&mut d.meta);
    if let Some(s) = d.status {
        doc.status = s;
    }
    let ids = add_spans(project, &mut doc, &d, file, report);
    add_relations(project, &mut doc, &d, &ids, file, report);
    add_suggestions(project, &mut doc, &d, file, report);
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
