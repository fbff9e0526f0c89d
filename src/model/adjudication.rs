//! Adjudication: several annotators' projects of one corpus become one curated project in
//! which what every annotator of a document made identically is accepted, and every
//! disagreement is a suggestion to review with the review keys.
//!
//! A span is compared by label, pieces and attributes. In each document, among the
//! annotators who annotated it (see `model::agreement`):
//! - a span all of them made is a span of the curated project;
//! - any other span is a pending suggestion whose source names who made it (`anna+ben`)
//!   and whose score is the share of those annotators who made it (2 of 3: 0.667); two
//!   annotators who gave one span different attributes give two suggestions;
//! - a relation all of them made between two accepted spans is a relation; one between two
//!   suggestions is a link the review makes real when both are accepted; the others (one
//!   end accepted, the other not) are counted, not carried.

use crate::model::agreement::Layer;
use crate::model::{Document, Project, Relation, Review, Score, Span, SpanId, Status};
use crate::model::{SuggestedLink, Suggestion};
use std::collections::{BTreeMap, HashMap};

/// What adjudication made, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Curated {
    pub documents: usize,
    /// Spans every annotator of their document made identically.
    pub agreed: usize,
    /// Disagreements, as pending suggestions.
    pub suggestions: usize,
    pub relations: usize,
    pub links: usize,
    /// Relations between an agreed span and a disputed one, which a suggestion link cannot
    /// hold.
    pub relations_not_carried: usize,
}

/// A span as compared: label, pieces, attributes (in name order).
type Variant = (String, Vec<(usize, usize)>, Vec<(String, String)>);

fn variant(s: &Span) -> Variant {
    let mut attrs: Vec<(String, String)> = s
        .attrs
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    attrs.sort();
    (
        s.label.clone(),
        s.pieces().map(|p| (p.start, p.end)).collect(),
        attrs,
    )
}

/// The curated project (named `name`, with the first project's schema) and what it holds.
pub fn curate(layers: &[Layer<'_>], name: &str) -> (Project, Curated) {
    let mut summary = Curated::default();
    // Documents in the order they first appear, each from the first project that has it.
    let mut order: Vec<&Document> = Vec::new();
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for l in layers {
        for d in &l.project.documents {
            if seen.insert(d.id.as_str(), ()).is_none() {
                order.push(d);
            }
        }
    }
    let schema = layers
        .first()
        .map(|l| l.project.schema.clone())
        .unwrap_or_default();
    let documents: Vec<Document> = order
        .iter()
        .map(|d| {
            let mut doc = Document::new(d.id.clone(), d.source.clone(), d.hash, d.text.clone());
            doc.meta = d.meta.clone();
            doc
        })
        .collect();
    let mut project = Project::new(name.to_owned(), schema, documents);
    let mut next = 1u64;
    let mut fresh = || {
        let id = SpanId(next);
        next += 1;
        id
    };
    for (doc, base) in project.documents.iter_mut().zip(&order) {
        // The annotators of this document and their version of it.
        let versions: Vec<(&str, &Document)> = layers
            .iter()
            .filter_map(|l| {
                let d = l.project.documents.iter().find(|d| d.id == base.id)?;
                let annotated = !(d.status == Status::New && d.spans().is_empty());
                annotated.then_some((l.annotator.as_str(), d))
            })
            .collect();
        if versions.is_empty() {
            continue;
        }
        summary.documents += 1;
        let n = versions.len();
        // Each variant, who made it, and a span of it (the first seen).
        let mut variants: BTreeMap<Variant, (Vec<&str>, &Span)> = BTreeMap::new();
        for (who, d) in &versions {
            for s in d.spans() {
                let e = variants
                    .entry(variant(s))
                    .or_insert_with(|| (Vec::new(), s));
                if !e.0.contains(who) {
                    e.0.push(who);
                }
            }
        }
        let mut spans = Vec::new();
        let mut suggestions = Vec::new();
        // Variant → its id in the curated project, and whether it was agreed.
        let mut placed: BTreeMap<&Variant, (SpanId, bool)> = BTreeMap::new();
        for (v, (by, s)) in &variants {
            let id = fresh();
            if by.len() == n {
                let mut span = (*s).clone();
                span.id = id;
                span.annotator = None;
                spans.push(span);
                placed.insert(v, (id, true));
                summary.agreed += 1;
            } else {
                suggestions.push(Suggestion {
                    id,
                    start: s.start,
                    end: s.end,
                    label: s.label.clone(),
                    text: s.text.clone(),
                    attrs: s.attrs.clone(),
                    source: by.join("+"),
                    score: Some(Score(by.len() as f32 / n as f32)),
                    review: Review::Pending,
                    span: None,
                    links: Vec::new(),
                });
                placed.insert(v, (id, false));
                summary.suggestions += 1;
            }
        }
        // Relations, by the variants at their ends.
        let mut relation_votes: BTreeMap<(String, SpanId, SpanId), usize> = BTreeMap::new();
        for (_, d) in &versions {
            let by_id: HashMap<SpanId, &Span> = d.spans().iter().map(|s| (s.id, s)).collect();
            let mut mine = std::collections::BTreeSet::new();
            for r in d.relations() {
                let end = |id: SpanId| by_id.get(&id).and_then(|s| placed.get(&variant(s)));
                let (Some(&(from, _)), Some(&(to, _))) = (end(r.from), end(r.to)) else {
                    continue;
                };
                if mine.insert((r.kind.clone(), from, to)) {
                    *relation_votes
                        .entry((r.kind.clone(), from, to))
                        .or_default() += 1;
                }
            }
        }
        let agreed_ids: HashMap<SpanId, bool> = placed.values().copied().collect();
        let mut relations = Vec::new();
        for ((kind, from, to), votes) in relation_votes {
            let (Some(&a), Some(&b)) = (agreed_ids.get(&from), agreed_ids.get(&to)) else {
                continue;
            };
            match (a, b) {
                (true, true) if votes == n => {
                    relations.push(Relation::new(fresh(), kind, from, to));
                    summary.relations += 1;
                }
                (false, false) => {
                    if let Some(sg) = suggestions.iter_mut().find(|sg| sg.id == from) {
                        sg.links.push(SuggestedLink { kind, to });
                        summary.links += 1;
                    }
                }
                _ => summary.relations_not_carried += 1,
            }
        }
        doc.status = if suggestions.is_empty() {
            Status::Done
        } else {
            Status::InProgress
        };
        doc.set_spans(spans);
        doc.set_relations(relations);
        doc.set_suggestions(suggestions);
    }
    project.reset_span_ids();
    (project, summary)
}
