//! Matches (like INCEpTION's string matcher): every whole-word occurrence, anywhere in the
//! corpus, of a text already annotated somewhere, with the label it usually gets. The score
//! is the share of that label among the annotations of that text; the attributes are the
//! most common values the text's spans of that label carry.

use crate::model::text::is_word_boundary;
use crate::model::{DocId, Project};
use crate::suggest::{Control, Proposal};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeMap, HashMap};

/// Texts shorter than this (in bytes) are not searched: single letters match everywhere.
const MIN_LEN: usize = 2;

/// What the corpus says about one annotated text.
#[derive(Default)]
struct Known {
    by_label: BTreeMap<String, usize>,
    /// (label, attribute) → value → count.
    attrs: HashMap<(String, String), HashMap<String, usize>>,
}

pub fn suggest(project: &Project, control: &Control<'_>) -> Vec<Proposal> {
    let mut known: BTreeMap<&str, Known> = BTreeMap::new();
    for d in &project.documents {
        for s in d.spans() {
            if s.text.len() < MIN_LEN || s.text.trim() != s.text {
                continue;
            }
            let k = known.entry(&s.text).or_default();
            *k.by_label.entry(s.label.clone()).or_default() += 1;
            for (a, v) in &s.attrs {
                *k.attrs
                    .entry((s.label.clone(), a.clone()))
                    .or_default()
                    .entry(v.clone())
                    .or_default() += 1;
            }
        }
    }
    if known.is_empty() {
        return Vec::new();
    }
    let patterns: Vec<&str> = known.keys().copied().collect();
    // Standard semantics: every occurrence of every pattern, including overlapping ones
    // ("Kamala Harris" and "Harris" both match in "Kamala Harris").
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let total = project.documents.len().max(1) as f32;
    for (i, d) in project.documents.iter().enumerate() {
        if control.cancelled() {
            break;
        }
        for m in ac.find_overlapping_iter(d.text.as_ref()) {
            let (start, end) = (m.start(), m.end());
            if !is_word_boundary(&d.text, start) || !is_word_boundary(&d.text, end) {
                continue;
            }
            let Some(text) = patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let Some(k) = known.get(text) else { continue };
            let total_count: usize = k.by_label.values().sum();
            let Some((label, count)) = k
                .by_label
                .iter()
                .max_by_key(|(l, c)| (**c, std::cmp::Reverse((*l).clone())))
            else {
                continue;
            };
            let attrs = k
                .attrs
                .iter()
                .filter(|((l, _), _)| l == label)
                .filter_map(|((_, a), values)| {
                    values
                        .iter()
                        .max_by_key(|(v, c)| (**c, std::cmp::Reverse((*v).clone())))
                        .map(|(v, _)| (a.clone(), v.clone()))
                })
                .collect();
            out.push(Proposal {
                doc: DocId(i),
                start,
                end,
                label: label.clone(),
                attrs,
                score: *count as f32 / total_count as f32,
                source: "matches".to_owned(),
                links: Vec::new(),
            });
        }
        (control.progress)((i + 1) as f32 / total);
    }
    out
}
