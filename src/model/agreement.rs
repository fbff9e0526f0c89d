//! Inter-annotator agreement over several annotators' projects of one corpus: the figures a
//! paper reports, with definitions simple enough for a reader to recompute them.
//!
//! Documents are matched by id. A document counts as annotated by an annotator when it is
//! in their project and is not both `New` and without spans. Per label:
//!
//! - **exact_f1**, per pair of annotators over the documents both annotated: two spans match
//!   when label and every fragment's offsets are equal (each span matched at most once);
//!   F1 = 2·matches / (|A| + |B|), undefined (`None`) when both are empty.
//! - **overlap_f1**, per pair: a span of A is found when it shares at least one character
//!   with a span of B of the same label; P = found(A)/|A|, R = found(B)/|B|, F1 their
//!   harmonic mean; 1 when both are empty, 0 when only one is.
//! - **alpha_char**: Krippendorff's α, nominal. The units are the characters (code points)
//!   of every document that at least two annotators annotated; an annotator's value is 1
//!   when the character lies inside one of their spans of the label (a discontinuous span's
//!   gaps are outside), 0 otherwise, missing when they did not annotate the document. With
//!   the coincidence counts of the units that have at least two values,
//!   α = 1 − (n − 1) · Σ_u 2·a_u·b_u/(m_u − 1) / (2 · n₀ · n₁), where a_u and b_u are the
//!   numbers of 1s and 0s in unit u, m_u = a_u + b_u, n₁ = Σ a_u, n₀ = Σ b_u, n = n₀ + n₁;
//!   undefined when n₀·n₁ = 0 (no variation).
//!
//! Per attribute (`label.attribute`), **kappa** over the exactly matched spans for which
//! every annotator compared gave a value: Cohen's κ for two annotators, Fleiss' κ for more
//! (items: the spans every annotator has), undefined when chance agreement is 1.
//!
//! Spans with the same label and pieces in one annotator's document are counted as often
//! as they occur (a duplicate is a span the other annotator lacks).

use crate::model::{Document, Project, Span, Status};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// One annotator's project, by name.
pub struct Layer<'a> {
    pub annotator: String,
    pub project: &'a Project,
}

/// The figures for one label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelAgreement {
    /// Mean over pairs (of the pairs where it is defined).
    pub exact_f1: Option<f64>,
    pub overlap_f1: Option<f64>,
    pub alpha_char: Option<f64>,
    /// Spans of this label per annotator (in the documents they annotated).
    pub spans: BTreeMap<String, usize>,
}

/// One pair of annotators on one label.
#[derive(Clone, Debug, PartialEq)]
pub struct PairAgreement {
    pub a: String,
    pub b: String,
    pub label: String,
    pub exact_f1: Option<f64>,
    pub overlap_f1: Option<f64>,
    /// Documents both annotated.
    pub documents: usize,
}

/// κ for one attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeAgreement {
    pub kappa: Option<f64>,
    /// Spans (items) the figure is computed over.
    pub items: usize,
}

/// The figures for one document that at least two annotators annotated.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentAgreement {
    pub id: String,
    /// Exact F1 over every label (spans match when label and fragments are equal), for each
    /// pair of its annotators, then the mean over the pairs (bratiaa's "agreement per
    /// document"); `None` when no pair has a span.
    pub exact_f1: Option<f64>,
    /// The annotators who annotated it.
    pub annotators: usize,
}

/// Everything `marginalia agree` reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Agreement {
    pub annotators: Vec<String>,
    /// Documents at least two annotators annotated.
    pub documents: usize,
    /// Per document (those at least two annotators annotated), by id.
    pub per_document: Vec<DocumentAgreement>,
    pub labels: BTreeMap<String, LabelAgreement>,
    pub pairs: Vec<PairAgreement>,
    /// By `label.attribute`.
    pub attributes: BTreeMap<String, AttributeAgreement>,
}

/// An annotated document of one annotator, with its spans by label (built once: every
/// figure looks spans up by label, pair after pair).
struct Annotated<'a> {
    doc: &'a Document,
    by_label: HashMap<&'a str, Vec<&'a Span>>,
}

impl<'a> Annotated<'a> {
    fn new(doc: &'a Document) -> Self {
        let mut by_label: HashMap<&str, Vec<&Span>> = HashMap::new();
        for s in doc.spans() {
            by_label.entry(s.label.as_str()).or_default().push(s);
        }
        Self { doc, by_label }
    }

    fn spans(&self, label: &str) -> &[&'a Span] {
        self.by_label.get(label).map_or(&[], Vec::as_slice)
    }
}

/// An annotator's annotated documents by id.
type Docs<'a> = HashMap<&'a str, Annotated<'a>>;

/// Whether `doc` counts as annotated.
fn annotated(doc: &Document) -> bool {
    !(doc.status == Status::New && doc.spans().is_empty())
}

/// Computes every figure; `labels` limits them to those labels (default: every label any
/// annotator used).
pub fn agreement(layers: &[Layer<'_>], labels: Option<&[String]>) -> Agreement {
    // Each annotator's annotated documents by id.
    let docs: Vec<Docs<'_>> = layers
        .iter()
        .map(|l| {
            l.project
                .documents
                .iter()
                .filter(|d| annotated(d))
                .map(|d| (d.id.as_str(), Annotated::new(d)))
                .collect()
        })
        .collect();
    let keep = |label: &str| labels.is_none_or(|ls| ls.iter().any(|l| l == label));
    let mut all_labels: BTreeSet<String> = BTreeSet::new();
    for d in docs.iter().flat_map(|m| m.values()) {
        for label in d.by_label.keys() {
            if keep(label) {
                all_labels.insert((*label).to_owned());
            }
        }
    }
    if let Some(ls) = labels {
        all_labels.extend(ls.iter().cloned());
    }
    let ids: BTreeSet<&str> = docs.iter().flat_map(|m| m.keys().copied()).collect();
    let shared: Vec<&str> = ids
        .into_iter()
        .filter(|id| docs.iter().filter(|m| m.contains_key(id)).count() >= 2)
        .collect();
    // Where each character of a shared document starts: every label's alpha needs it.
    let characters: Vec<(&str, Vec<usize>)> = shared
        .iter()
        .filter_map(|id| {
            let doc = docs.iter().find_map(|m| m.get(id))?.doc;
            Some((*id, doc.text.char_indices().map(|(i, _)| i).collect()))
        })
        .collect();
    let mut out = Agreement {
        annotators: layers.iter().map(|l| l.annotator.clone()).collect(),
        documents: shared.len(),
        ..Default::default()
    };
    for label in &all_labels {
        let mut la = LabelAgreement::default();
        for (l, m) in layers.iter().zip(&docs) {
            let n = m.values().map(|d| d.spans(label).len()).sum();
            la.spans.insert(l.annotator.clone(), n);
        }
        la.alpha_char = alpha_char(&docs, &characters, label);
        let (mut exact, mut overlap) = (Vec::new(), Vec::new());
        let both: Vec<_> = layers.iter().zip(&docs).collect();
        for (i, (la_i, da)) in both.iter().enumerate() {
            for (lb_j, db) in both.iter().skip(i + 1) {
                let p = pair(da, db, label);
                exact.extend(p.0);
                overlap.extend(p.1);
                out.pairs.push(PairAgreement {
                    a: la_i.annotator.clone(),
                    b: lb_j.annotator.clone(),
                    label: label.clone(),
                    exact_f1: p.0,
                    overlap_f1: p.1,
                    documents: p.2,
                });
            }
        }
        la.exact_f1 = mean(&exact);
        la.overlap_f1 = mean(&overlap);
        out.labels.insert(label.clone(), la);
    }
    out.attributes = attribute_kappas(&docs, &all_labels);
    out.per_document = shared
        .iter()
        .map(|id| document_agreement(&docs, id, &all_labels))
        .collect();
    out
}

/// A document's exact F1 over all labels, per pair of its annotators, and their mean.
fn document_agreement(docs: &[Docs<'_>], id: &str, labels: &BTreeSet<String>) -> DocumentAgreement {
    let present: Vec<&Annotated<'_>> = docs.iter().filter_map(|m| m.get(id)).collect();
    let mut f1s = Vec::new();
    for (i, a) in present.iter().enumerate() {
        for b in present.iter().skip(i + 1) {
            let (mut matches, mut sizes) = (0, 0);
            for label in labels {
                let (sa, sb) = (a.spans(label), b.spans(label));
                matches += exact_matches(sa, sb);
                sizes += sa.len() + sb.len();
            }
            if sizes > 0 {
                f1s.push(2.0 * matches as f64 / sizes as f64);
            }
        }
    }
    DocumentAgreement {
        id: id.to_owned(),
        exact_f1: mean(&f1s),
        annotators: present.len(),
    }
}

/// How many spans of `sa` have a span of `sb` at the same place (each used once); both are
/// spans of one label.
fn exact_matches(sa: &[&Span], sb: &[&Span]) -> usize {
    fn place<'s>(s: &&'s Span) -> (usize, usize, &'s [crate::model::Fragment]) {
        (s.start, s.end, s.fragments.as_slice())
    }
    let mut counts: HashMap<(usize, usize, &[crate::model::Fragment]), usize> =
        HashMap::with_capacity(sb.len());
    for s in sb {
        *counts.entry(place(s)).or_default() += 1;
    }
    let mut matches = 0;
    for s in sa {
        if let Some(c) = counts.get_mut(&place(s))
            && *c > 0
        {
            *c -= 1;
            matches += 1;
        }
    }
    matches
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Exact and overlap F1 of two annotators on one label, and the documents both annotated.
fn pair(a: &Docs<'_>, b: &Docs<'_>, label: &str) -> (Option<f64>, Option<f64>, usize) {
    let (mut matches, mut size_a, mut size_b) = (0usize, 0usize, 0usize);
    let (mut found_a, mut found_b) = (0usize, 0usize);
    let mut documents = 0;
    for (id, da) in a {
        let Some(db) = b.get(id) else {
            continue;
        };
        documents += 1;
        let (sa, sb) = (da.spans(label), db.spans(label));
        size_a += sa.len();
        size_b += sb.len();
        matches += exact_matches(sa, sb);
        found_a += sa.iter().filter(|s| overlaps_any(s, sb)).count();
        found_b += sb.iter().filter(|s| overlaps_any(s, sa)).count();
    }
    let exact = (size_a + size_b > 0).then(|| 2.0 * matches as f64 / (size_a + size_b) as f64);
    let overlap = if size_a == 0 && size_b == 0 {
        1.0
    } else if size_a == 0 || size_b == 0 {
        0.0
    } else {
        let p = found_a as f64 / size_a as f64;
        let r = found_b as f64 / size_b as f64;
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    (exact, Some(overlap), documents)
}

/// Whether span `s` shares a character with one of `others` (pieces, not gaps).
fn overlaps_any(s: &Span, others: &[&Span]) -> bool {
    others.iter().any(|o| {
        s.pieces()
            .any(|p| o.pieces().any(|q| p.start < q.end && q.start < p.end))
    })
}

/// Krippendorff's α (nominal) over the characters of the shared documents.
/// `shared`: the documents at least two annotators annotated, each with the byte offset of
/// every character (found once, for all labels).
fn alpha_char(docs: &[Docs<'_>], shared: &[(&str, Vec<usize>)], label: &str) -> Option<f64> {
    // Units grouped by (ones, zeros): the sums only depend on those counts.
    let mut units: HashMap<(u32, u32), u64> = HashMap::new();
    for (id, starts) in shared {
        let present: Vec<&Annotated<'_>> = docs.iter().filter_map(|m| m.get(id)).collect();
        if present.is_empty() {
            continue;
        }
        // Per code point: how many annotators have it inside a span of the label.
        let mut delta = vec![0i64; starts.len() + 1];
        let cp = |byte: usize| starts.partition_point(|&s| s < byte);
        for d in &present {
            // One annotator's coverage: their pieces merged, so overlaps count once.
            let mut pieces: Vec<Range<usize>> =
                d.spans(label).iter().flat_map(|s| s.pieces()).collect();
            pieces.sort_by_key(|p| p.start);
            let mut merged: Vec<Range<usize>> = Vec::new();
            for p in pieces {
                match merged.last_mut() {
                    Some(m) if p.start <= m.end => m.end = m.end.max(p.end),
                    _ => merged.push(p),
                }
            }
            for p in merged {
                let (a, b) = (cp(p.start), cp(p.end));
                if let Some(x) = delta.get_mut(a) {
                    *x += 1;
                }
                if let Some(x) = delta.get_mut(b) {
                    *x -= 1;
                }
            }
        }
        let m = present.len();
        // Characters by how many annotators have them inside: counted in an array, then
        // added to the corpus-wide groups once per document.
        let mut by_ones = vec![0u64; m + 1];
        let mut ones = 0i64;
        for d in delta.iter().take(starts.len()) {
            ones += d;
            let a = (ones.max(0) as usize).min(m);
            if let Some(n) = by_ones.get_mut(a) {
                *n += 1;
            }
        }
        for (a, n) in by_ones.into_iter().enumerate() {
            if n > 0 {
                *units.entry((a as u32, (m - a) as u32)).or_default() += n;
            }
        }
    }
    let (mut n0, mut n1, mut disagreement) = (0f64, 0f64, 0f64);
    for (&(a, b), &count) in &units {
        let m = a + b;
        if m < 2 {
            continue;
        }
        let c = count as f64;
        n1 += c * f64::from(a);
        n0 += c * f64::from(b);
        disagreement += c * 2.0 * f64::from(a) * f64::from(b) / f64::from(m - 1);
    }
    let n = n0 + n1;
    if n0 * n1 == 0.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * disagreement / (2.0 * n0 * n1))
}

/// κ per `label.attribute` over exactly matched spans.
fn attribute_kappas(
    docs: &[Docs<'_>],
    labels: &BTreeSet<String>,
) -> BTreeMap<String, AttributeAgreement> {
    // A span's place in the corpus: document, start, end, fragments.
    type Item<'a> = (&'a str, usize, usize, &'a [crate::model::Fragment]);
    // Label → place → per annotator, the first such span's attributes.
    let mut by_label: HashMap<&str, HashMap<Item<'_>, Vec<Option<&crate::model::Attrs>>>> =
        HashMap::new();
    for (i, m) in docs.iter().enumerate() {
        for (id, d) in m {
            for (label, spans) in &d.by_label {
                if !labels.contains(*label) {
                    continue;
                }
                let items = by_label.entry(label).or_default();
                for s in spans {
                    let slot = items
                        .entry((id, s.start, s.end, s.fragments.as_slice()))
                        .or_insert_with(|| vec![None; docs.len()]);
                    if let Some(x) = slot.get_mut(i)
                        && x.is_none()
                    {
                        *x = Some(&s.attrs);
                    }
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for (label, items) in by_label {
        let names: BTreeSet<&str> = items
            .values()
            .flatten()
            .flatten()
            .flat_map(|a| a.keys())
            .collect();
        for name in names {
            let rows: Vec<Vec<Option<&str>>> = items
                .values()
                .map(|attrs| attrs.iter().map(|a| a.and_then(|a| a.get(name))).collect())
                .collect();
            let figure = if docs.len() == 2 {
                cohen(&rows)
            } else {
                fleiss(&rows)
            };
            out.insert(format!("{label}.{name}"), figure);
        }
    }
    out
}

/// Cohen's κ over the rows where both annotators gave a value.
fn cohen(rows: &[Vec<Option<&str>>]) -> AttributeAgreement {
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|r| match r.as_slice() {
            [Some(a), Some(b)] => Some((*a, *b)),
            _ => None,
        })
        .collect();
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return AttributeAgreement {
            kappa: None,
            items: 0,
        };
    }
    let observed = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut ca: HashMap<&str, f64> = HashMap::new();
    let mut cb: HashMap<&str, f64> = HashMap::new();
    for (a, b) in &pairs {
        *ca.entry(a).or_default() += 1.0;
        *cb.entry(b).or_default() += 1.0;
    }
    let expected: f64 = ca
        .iter()
        .map(|(v, x)| x / n * cb.get(v).copied().unwrap_or(0.0) / n)
        .sum();
    AttributeAgreement {
        kappa: (expected < 1.0).then(|| (observed - expected) / (1.0 - expected)),
        items: pairs.len(),
    }
}

/// Fleiss' κ over the rows where every annotator gave a value.
fn fleiss(rows: &[Vec<Option<&str>>]) -> AttributeAgreement {
    let full: Vec<Vec<&str>> = rows
        .iter()
        .filter_map(|r| r.iter().copied().collect::<Option<Vec<&str>>>())
        .collect();
    let raters = full.first().map_or(0, Vec::len) as f64;
    if full.is_empty() || raters < 2.0 {
        return AttributeAgreement {
            kappa: None,
            items: full.len(),
        };
    }
    let n_items = full.len() as f64;
    let mut totals: HashMap<&str, f64> = HashMap::new();
    let mut p_bar = 0.0;
    for row in &full {
        let mut counts: HashMap<&str, f64> = HashMap::new();
        for v in row {
            *counts.entry(v).or_default() += 1.0;
            *totals.entry(v).or_default() += 1.0;
        }
        let agree: f64 = counts.values().map(|c| c * (c - 1.0)).sum();
        p_bar += agree / (raters * (raters - 1.0));
    }
    p_bar /= n_items;
    let p_e: f64 = totals
        .values()
        .map(|t| (t / (n_items * raters)).powi(2))
        .sum();
    AttributeAgreement {
        kappa: (p_e < 1.0).then(|| (p_bar - p_e) / (1.0 - p_e)),
        items: full.len(),
    }
}

impl Agreement {
    /// The JSON `marginalia agree --json` writes (numbers as plain floats, `null` where a
    /// figure is undefined).
    pub fn to_json(&self) -> serde_json::Value {
        let labels: serde_json::Map<String, serde_json::Value> = self
            .labels
            .iter()
            .map(|(l, a)| {
                (
                    l.clone(),
                    serde_json::json!({
                        "exact_f1": a.exact_f1,
                        "overlap_f1": a.overlap_f1,
                        "alpha_char": a.alpha_char,
                        "spans": a.spans,
                    }),
                )
            })
            .collect();
        let pairs: Vec<serde_json::Value> = self
            .pairs
            .iter()
            .map(|p| {
                serde_json::json!({
                    "a": p.a, "b": p.b, "label": p.label,
                    "exact_f1": p.exact_f1, "overlap_f1": p.overlap_f1,
                    "documents": p.documents,
                })
            })
            .collect();
        let attributes: serde_json::Map<String, serde_json::Value> = self
            .attributes
            .iter()
            .map(|(k, a)| {
                (
                    k.clone(),
                    serde_json::json!({"kappa": a.kappa, "items": a.items}),
                )
            })
            .collect();
        let per_document: Vec<serde_json::Value> = self
            .per_document
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id, "exact_f1": d.exact_f1, "annotators": d.annotators,
                })
            })
            .collect();
        serde_json::json!({
            "annotators": self.annotators,
            "documents": self.documents,
            "labels": labels,
            "pairs": pairs,
            "attributes": attributes,
            "per_document": per_document,
        })
    }
}
