//! Re-anchoring the records of a document whose corpus file changed: each span moves to the
//! nearest occurrence of its stored text, or is set aside for review.

use super::{DocumentRecord, Reanchored};
use crate::model::{Relation, Span, SpanId};
use std::borrow::Cow;
use std::collections::HashSet;

/// Moves named in a message, at most.
const MOVES_SHOWN: usize = 8;

impl Reanchored {
    /// The sentence the user reads.
    pub fn message(&self) -> String {
        use crate::model::text::plural;
        let mut msg = format!(
            "changed since the project was saved: {} to where {} text is now",
            plural(self.moved, "span moved", "spans moved"),
            if self.moved == 1 { "its" } else { "their" },
        );
        if self.review > 0 {
            let why = if self.unsure > 0 {
                format!(
                    "their text is gone, or only found too far away to be sure: {}",
                    self.unsure
                )
            } else {
                "their text is gone".to_owned()
            };
            msg.push_str(&format!(
                ", {} ({why}; see Needs review in the span panel)",
                plural(self.review, "needs review", "need review")
            ));
        }
        if !self.moves.is_empty() {
            let shown: Vec<String> = self
                .moves
                .iter()
                .take(MOVES_SHOWN)
                .map(|(text, d)| format!("“{text}” {d:+} bytes"))
                .collect();
            let more = self.moves.len().saturating_sub(MOVES_SHOWN);
            msg.push_str(&format!("; moved: {}", shown.join(", ")));
            if more > 0 {
                msg.push_str(&format!(" and {more} more"));
            }
        }
        if self.dropped_suggestions > 0 {
            msg.push_str(&format!(
                "; {} whose text is gone were dropped",
                plural(self.dropped_suggestions, "suggestion", "suggestions")
            ));
        }
        msg
    }
}

/// Moves the spans and suggestions of a document whose text changed to the nearest
/// occurrence of their stored text; spans whose text is gone are set aside (with the
/// relations that touch them), suggestions whose text is gone are dropped. The search for
/// each starts from its old place shifted by the last shift found, so a paragraph inserted
/// near the top moves every later span by the same amount rather than to a nearer copy of
/// its text.
pub(super) fn reanchor_record(text: &str, rec: &mut DocumentRecord<'_>) -> Reanchored {
    use crate::model::reanchor::{Anchor, Before, anchor, well_supported};
    let mut done = Reanchored {
        document: rec.id.to_string(),
        ..Reanchored::default()
    };
    let place = |shift: &mut isize, start: usize, end: usize, covered: &str| {
        let hint = start.saturating_add_signed(*shift);
        let len = end.saturating_sub(start);
        if start >= end || covered.len() != len {
            return None;
        }
        let at = match anchor(text, hint, hint.saturating_add(len), covered) {
            Anchor::Kept => hint,
            Anchor::Moved { start: at, .. } => at,
            Anchor::Lost => return None,
        };
        *shift = at as isize - start as isize;
        Some(at)
    };
    let mut spans = rec.spans.to_vec();
    spans.sort_by_key(|s| (s.start, s.end));
    let before: Vec<(usize, String)> = spans.iter().map(|s| (s.start, s.text.clone())).collect();
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    let mut taken = HashSet::new();
    let mut aside = rec.unanchored.to_vec();
    let mut shift = 0isize;
    for (i, mut span) in spans.into_iter().enumerate() {
        let expected = span.start.saturating_add_signed(shift);
        let shift_before = shift;
        let found = place(&mut shift, span.start, span.end, &span.text);
        // A move needs evidence: near where expected, or a neighbour moved the same way.
        let supported = |at: usize| {
            let neighbours: Vec<Before<'_>> = [i.checked_sub(1), Some(i + 1)]
                .into_iter()
                .flatten()
                .filter_map(|j| before.get(j))
                .map(|(start, text)| Before {
                    start: *start,
                    text,
                })
                .collect();
            let me = Before {
                start: span.start,
                text: &span.text,
            };
            well_supported(text, &me, at, expected, &neighbours)
        };
        match found {
            Some(at) if !supported(at) => {
                // Found, but too far to be sure: a flag, not a guess (and not a shift for
                // the spans after it).
                shift = shift_before;
                done.unsure += 1;
                done.review += 1;
                aside.push(span);
            }
            // Two spans of one label landing on the same text would be one span twice
            // (unless they were already: events that share a trigger).
            Some(at) if taken.insert((at, span.label.clone(), span.start)) => {
                if at != span.start {
                    done.moved += 1;
                    let distance = at as isize - span.start as isize;
                    done.moves
                        .push((crate::model::text::excerpt(&span.text, 30), distance));
                }
                span.shift_to(at);
                kept.push(span);
            }
            _ => {
                done.review += 1;
                aside.push(span);
            }
        }
    }
    let gone: HashSet<SpanId> = aside.iter().map(|s| s.id).collect();
    let (relations, set_aside): (Vec<Relation>, Vec<Relation>) = rec
        .relations
        .iter()
        .cloned()
        .partition(|r| !gone.contains(&r.from) && !gone.contains(&r.to));
    let mut aside_relations = rec.unanchored_relations.to_vec();
    aside_relations.extend(set_aside);
    let mut suggestions = rec.suggestions.to_vec();
    suggestions.sort_by_key(|s| (s.start, s.end));
    let mut shift = 0isize;
    suggestions.retain_mut(|sg| match place(&mut shift, sg.start, sg.end, &sg.text) {
        Some(at) => {
            sg.end = at + sg.text.len();
            sg.start = at;
            true
        }
        None => {
            done.dropped_suggestions += 1;
            false
        }
    });
    // A link to a dropped suggestion has nothing to become.
    let left: HashSet<SpanId> = suggestions.iter().map(|s| s.id).collect();
    for sg in &mut suggestions {
        sg.links.retain(|l| left.contains(&l.to));
    }
    rec.spans = Cow::Owned(kept);
    rec.relations = Cow::Owned(relations);
    rec.suggestions = Cow::Owned(suggestions);
    rec.unanchored = Cow::Owned(aside);
    rec.unanchored_relations = Cow::Owned(aside_relations);
    done
}
