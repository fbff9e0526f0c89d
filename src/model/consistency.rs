//! The consistency report (like brat's and INCEpTION's checks), across the whole corpus:
//!
//! 1. the same text annotated with different labels, or with different values of one
//!    attribute, in different places;
//! 2. a text annotated in some places and left unannotated in others: whole-word
//!    occurrences with no span at exactly that range (one with another label there is a
//!    case of 1) and not inside a longer span of the text's usual label.
//!
//! Each finding lists its places and knows the majority annotation, and [`Finding::fix`]
//! plans the one undoable edit that applies the majority to every place. The same index of
//! annotated texts ([`AnnotatedTexts`]) drives the "matches" suggester.

use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, Span, SpanId};
use crate::model::text::{is_word_boundary, plural};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Texts shorter than this (in bytes) are not searched for: single letters match everywhere.
const MIN_LEN: usize = 2;

/// What the corpus says about one annotated text.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// How many spans of this text have each label.
    pub by_label: BTreeMap<String, usize>,
    /// (label, attribute) → value → count.
    pub attrs: BTreeMap<(String, String), BTreeMap<String, usize>>,
}

impl Known {
    /// The most common label (ties: the first by name) and its count.
    pub fn majority_label(&self) -> Option<(&str, usize)> {
        majority(&self.by_label)
    }

    /// The most common value of each attribute among this text's spans of `label`.
    pub fn majority_attrs(&self, label: &str) -> crate::model::Attrs {
        self.attrs
            .iter()
            .filter(|((l, _), _)| l == label)
            .filter_map(|((_, a), values)| majority(values).map(|(v, _)| (a.clone(), v.to_owned())))
            .collect()
    }

    pub fn total(&self) -> usize {
        self.by_label.values().sum()
    }
}

/// The most counted key; ties go to the first key in order, so results are stable.
fn majority(counts: &BTreeMap<String, usize>) -> Option<(&str, usize)> {
    counts
        .iter()
        .fold(None, |best: Option<(&str, usize)>, (k, &c)| match best {
            Some((_, b)) if b >= c => best,
            _ => Some((k.as_str(), c)),
        })
}

/// One document's text and spans, shared (no copy) so the report can run off the UI thread.
#[derive(Clone, Debug)]
pub struct DocSnapshot {
    pub doc: DocId,
    pub text: Arc<str>,
    pub spans: Arc<Vec<Span>>,
}

impl Project {
    /// Every document's text and spans, shared: for work off the UI thread.
    pub fn snapshot(&self) -> Vec<DocSnapshot> {
        self.documents
            .iter()
            .enumerate()
            .map(|(i, d)| DocSnapshot {
                doc: DocId(i),
                text: Arc::clone(&d.text),
                spans: d.spans_snapshot(),
            })
            .collect()
    }
}

/// Every annotated text of a corpus with what it is annotated as, and a matcher that finds
/// its whole-word occurrences.
pub struct AnnotatedTexts {
    pub texts: Vec<String>,
    pub known: Vec<Known>,
    matcher: Option<AhoCorasick>,
}

impl AnnotatedTexts {
    pub fn of<'a>(spans: impl IntoIterator<Item = &'a Span>) -> Self {
        let mut index: BTreeMap<&str, Known> = BTreeMap::new();
        for s in spans {
            // Texts with outer spaces are odd selections, not names to look for; a
            // discontinuous span's text has its gaps in it.
            if s.text.len() < MIN_LEN || s.text.trim() != s.text || s.is_discontinuous() {
                continue;
            }
            let k = index.entry(&s.text).or_default();
            *k.by_label.entry(s.label.clone()).or_default() += 1;
            for (a, v) in &s.attrs {
                *k.attrs
                    .entry((s.label.clone(), a.to_owned()))
                    .or_default()
                    .entry(v.to_owned())
                    .or_default() += 1;
            }
        }
        let texts: Vec<String> = index.keys().map(|t| (*t).to_owned()).collect();
        let known = index.into_values().collect();
        // Standard semantics: every occurrence of every text, overlapping ones included
        // ("Kamala Harris" and "Harris" both match in "Kamala Harris").
        let matcher = (!texts.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&texts)
                    .ok()
            })
            .flatten();
        Self {
            texts,
            known,
            matcher,
        }
    }

    /// Every whole-word occurrence in `text` of an annotated text: (start, end, index).
    pub fn occurrences(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let Some(matcher) = &self.matcher else {
            return;
        };
        for m in matcher.find_overlapping_iter(text) {
            let (start, end) = (m.start(), m.end());
            if is_word_boundary(text, start) && is_word_boundary(text, end) {
                found(start, end, m.pattern().as_usize());
            }
        }
    }
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// The text has different labels.
    Labels,
    /// The text's spans of `label` have different values of `attribute` (or none).
    Attribute { label: String, attribute: String },
    /// The text is annotated as `label` in some places and not in these.
    Unannotated { label: String },
}

/// One place of a finding: a span, or an unannotated occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub doc: DocId,
    pub start: usize,
    pub end: usize,
    pub span: Option<SpanId>,
    /// What the place has now: its label, its attribute value ("" when unset), or "" for an
    /// unannotated occurrence.
    pub now: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub text: String,
    /// The majority label (Labels, Unannotated) or value (Attribute).
    pub majority: String,
    /// Attributes given to newly tagged places (Unannotated): the text's usual values.
    pub attrs: crate::model::Attrs,
    /// The places that differ from the majority (the ones a fix changes).
    pub places: Vec<Place>,
    /// How many places already agree with the majority.
    pub agreeing: usize,
}

impl Finding {
    /// A one-line description for lists.
    pub fn describe(&self) -> String {
        let n = self.places.len();
        match &self.kind {
            FindingKind::Labels => format!(
                "“{}” is {} in {}, something else in {n}",
                self.text,
                self.majority,
                plural(self.agreeing, "place", "places")
            ),
            FindingKind::Attribute { label, attribute } => format!(
                "“{}” ({label}) has {attribute} = {} in {}, another value or none in {n}",
                self.text,
                self.majority,
                plural(self.agreeing, "place", "places")
            ),
            FindingKind::Unannotated { label } => format!(
                "“{}” is tagged {label} in {}, not in {n}",
                self.text,
                plural(self.agreeing, "place", "places")
            ),
        }
    }

    /// The edit that applies the majority to every place, as one undoable step; `None`
    /// when nothing is left to change (the places changed since the report).
    pub fn fix(&self, project: &Project, annotator: Option<&str>) -> Option<Edit> {
        let edits: Vec<Edit> = match &self.kind {
            FindingKind::Labels => self
                .places
                .iter()
                .filter_map(|p| project.relabel_edit(p.doc, p.span?, &self.majority))
                .collect(),
            FindingKind::Attribute { label, attribute } => self
                .places
                .iter()
                .filter(|p| {
                    let span = p.span.and_then(|id| project.doc(p.doc)?.span_by_id(id));
                    span.is_some_and(|s| {
                        s.label == *label && s.attrs.get(attribute) != Some(&self.majority)
                    })
                })
                .filter_map(|p| {
                    Some(Edit::SetAttr {
                        doc: p.doc,
                        id: p.span?,
                        name: attribute.clone(),
                        value: Some(self.majority.clone()),
                    })
                })
                .collect(),
            FindingKind::Unannotated { .. } => {
                let ranges: Vec<(DocId, std::ops::Range<usize>)> = self
                    .places
                    .iter()
                    .map(|p| (p.doc, p.start..p.end))
                    .collect();
                return project
                    .tag_ranges(&ranges, &self.majority, &self.attrs, annotator)
                    .edit;
            }
        };
        (!edits.is_empty()).then_some(Edit::Batch(edits))
    }
}

/// The report over `docs`, largest findings first. Stops early (returning what it has)
/// when `cancel` is set.
pub fn report(docs: &[DocSnapshot], cancel: &AtomicBool) -> Vec<Finding> {
    let index = AnnotatedTexts::of(docs.iter().flat_map(|d| d.spans.iter()));
    let mut findings = Vec::new();
    if !disagreements(docs, &index, cancel, &mut findings) {
        return sorted(findings);
    }
    unannotated(docs, &index, cancel, &mut findings);
    sorted(findings)
}

/// 1. Different labels or attribute values for the same text. False when cancelled.
fn disagreements(
    docs: &[DocSnapshot],
    index: &AnnotatedTexts,
    cancel: &AtomicBool,
    findings: &mut Vec<Finding>,
) -> bool {
    let mut places_of: HashMap<&str, Vec<(DocId, &Span)>> = HashMap::new();
    for d in docs {
        for s in d.spans.iter() {
            places_of
                .entry(s.text.as_str())
                .or_default()
                .push((d.doc, s));
        }
    }
    for (text, known) in index.texts.iter().zip(&index.known) {
        let spans = places_of
            .get(text.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some((label, count)) = known.majority_label()
            && known.by_label.len() > 1
        {
            findings.push(Finding {
                kind: FindingKind::Labels,
                text: text.clone(),
                majority: label.to_owned(),
                attrs: crate::model::Attrs::new(),
                places: spans
                    .iter()
                    .filter(|(_, s)| s.label != label)
                    .map(|(doc, s)| place(*doc, s, s.label.clone()))
                    .collect(),
                agreeing: count,
            });
        }
        attribute_disagreements(text, known, spans, findings);
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
    }
    true
}

/// The attribute values of one text's spans that differ from the majority of its label.
fn attribute_disagreements(
    text: &str,
    known: &Known,
    spans: &[(DocId, &Span)],
    findings: &mut Vec<Finding>,
) {
    for ((label, attribute), values) in &known.attrs {
        let of_label: Vec<&(DocId, &Span)> =
            spans.iter().filter(|(_, s)| s.label == *label).collect();
        let set = values.values().sum::<usize>();
        // A conflict is two different values, or a value here and none there.
        if values.len() < 2 && set == of_label.len() {
            continue;
        }
        let Some((value, count)) = majority(values) else {
            continue;
        };
        findings.push(Finding {
            kind: FindingKind::Attribute {
                label: label.clone(),
                attribute: attribute.clone(),
            },
            text: text.to_owned(),
            majority: value.to_owned(),
            attrs: crate::model::Attrs::new(),
            places: of_label
                .iter()
                .filter(|(_, s)| s.attrs.get(attribute) != Some(value))
                .map(|(doc, s)| {
                    place(
                        *doc,
                        s,
                        s.attrs
                            .get(attribute)
                            .map(str::to_owned)
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            agreeing: count,
        });
    }
}

/// 2. Occurrences of annotated texts left unannotated.
fn unannotated(
    docs: &[DocSnapshot],
    index: &AnnotatedTexts,
    cancel: &AtomicBool,
    findings: &mut Vec<Finding>,
) {
    let mut missing: BTreeMap<usize, Vec<Place>> = BTreeMap::new();
    for d in docs {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let longest = d.spans.iter().map(|s| s.end - s.start).max().unwrap_or(0);
        index.occurrences(&d.text, |start, end, i| {
            let usual = index.known.get(i).and_then(Known::majority_label);
            let lo = d
                .spans
                .partition_point(|s| s.start < start.saturating_sub(longest));
            let tagged = d
                .spans
                .get(lo..)
                .unwrap_or(&[])
                .iter()
                .take_while(|s| s.start <= start)
                .any(|s| {
                    // Annotated there (maybe otherwise: finding 1), or inside a longer span
                    // of its usual label ("Harris" in a "Kamala Harris" speaker).
                    (s.start == start && s.end == end)
                        || (s.end >= end && usual.is_some_and(|(l, _)| l == s.label))
                });
            if !tagged {
                missing.entry(i).or_default().push(Place {
                    doc: d.doc,
                    start,
                    end,
                    span: None,
                    now: String::new(),
                });
            }
        });
    }
    for (i, places) in missing {
        let (Some(text), Some(known)) = (index.texts.get(i), index.known.get(i)) else {
            continue;
        };
        let Some((label, count)) = known.majority_label() else {
            continue;
        };
        findings.push(Finding {
            kind: FindingKind::Unannotated {
                label: label.to_owned(),
            },
            text: text.clone(),
            majority: label.to_owned(),
            attrs: known.majority_attrs(label),
            places,
            agreeing: count,
        });
    }
}

fn place(doc: DocId, s: &Span, now: String) -> Place {
    Place {
        doc,
        start: s.start,
        end: s.end,
        span: Some(s.id),
        now,
    }
}

/// Most places first; then by text, so the order is stable.
fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.retain(|f| !f.places.is_empty());
    findings.sort_by(|a, b| {
        b.places
            .len()
            .cmp(&a.places.len())
            .then_with(|| a.text.cmp(&b.text))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocSource, Document, Schema};

    fn project(texts: &[&str]) -> Project {
        let docs = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Document::new(
                    format!("d{i}"),
                    DocSource::TextFile(format!("d{i}.txt").into()),
                    crate::model::TextHash::of(""),
                    (*t).into(),
                )
            })
            .collect();
        Project::new("t".into(), Schema::default(), docs)
    }

    fn tag(
        p: &mut Project,
        doc: usize,
        nth: usize,
        text: &str,
        label: &str,
        attrs: &[(&str, &str)],
    ) -> SpanId {
        let start = p.documents[doc]
            .text
            .match_indices(text)
            .nth(nth)
            .unwrap()
            .0;
        let mut span = p
            .make_span(DocId(doc), start, start + text.len(), label)
            .unwrap();
        for (k, v) in attrs {
            span.attrs.insert((*k).into(), (*v).into());
        }
        let id = span.id;
        p.apply(Edit::AddSpan {
            doc: DocId(doc),
            span,
        })
        .unwrap();
        id
    }

    fn run(p: &Project) -> Vec<Finding> {
        report(&p.snapshot(), &AtomicBool::new(false))
    }

    #[test]
    fn finds_conflicting_labels_values_and_untagged_places_and_fixes_each() {
        let mut p = project(&[
            "Harris said no. Harris met Kim. Kim smiled.",
            "Harris spoke; “No deal,” said Harris. Harrisburg is a city.",
        ]);
        tag(
            &mut p,
            0,
            0,
            "Harris",
            "speaker",
            &[("entity", "Kamala Harris")],
        );
        tag(
            &mut p,
            0,
            1,
            "Harris",
            "speaker",
            &[("entity", "Kamala Harris")],
        );
        let odd = tag(&mut p, 1, 0, "Harris", "event", &[]);
        tag(&mut p, 0, 0, "Kim", "speaker", &[("entity", "Kim Jong Un")]);
        tag(&mut p, 0, 1, "Kim", "speaker", &[("entity", "Kim")]);
        let findings = run(&p);
        let labels = findings
            .iter()
            .find(|f| f.kind == FindingKind::Labels)
            .unwrap();
        assert_eq!(labels.text, "Harris");
        assert_eq!((labels.majority.as_str(), labels.agreeing), ("speaker", 2));
        assert_eq!(labels.places.len(), 1);
        assert_eq!(labels.places[0].span, Some(odd));
        let entity = findings
            .iter()
            .find(|f| {
                matches!(&f.kind, FindingKind::Attribute { attribute, .. } if attribute == "entity")
                    && f.text == "Kim"
            })
            .unwrap();
        assert_eq!(entity.places.len(), 1);
        let untagged = findings
            .iter()
            .find(|f| matches!(f.kind, FindingKind::Unannotated { .. }) && f.text == "Harris")
            .unwrap();
        // The second "Harris" of document 1 (not "Harrisburg", not the one tagged event).
        assert_eq!(untagged.places.len(), 1, "{untagged:?}");
        assert_eq!(
            untagged.places[0].start,
            p.documents[1].text.rfind("Harris.").unwrap()
        );
        assert_eq!(untagged.attrs.get("entity"), Some("Kamala Harris"));

        // Fixing: one undoable edit each.
        let fix = labels.fix(&p, None).unwrap();
        p.apply(fix).unwrap();
        assert_eq!(p.documents[1].span_by_id(odd).unwrap().label, "speaker");
        let fix = untagged.fix(&p, Some("me")).unwrap();
        p.apply(fix).unwrap();
        let speakers = p.documents[1]
            .spans()
            .iter()
            .filter(|s| s.label == "speaker")
            .count();
        assert_eq!(speakers, 2);
        let after = run(&p);
        assert!(
            !after.iter().any(|f| f.text == "Harris"
                && f.kind
                    != FindingKind::Attribute {
                        label: "speaker".into(),
                        attribute: "entity".into()
                    }),
            "{after:?}"
        );
        // The relabelled span has no entity yet: that is now an attribute finding.
        assert!(
            after
                .iter()
                .any(|f| f.text == "Harris" && matches!(f.kind, FindingKind::Attribute { .. }))
        );
    }

    #[test]
    fn a_consistent_corpus_has_no_findings() {
        let mut p = project(&["Harris said no.", "Then Harris left."]);
        tag(&mut p, 0, 0, "Harris", "speaker", &[]);
        tag(&mut p, 1, 0, "Harris", "speaker", &[]);
        assert_eq!(run(&p), []);
    }
}
