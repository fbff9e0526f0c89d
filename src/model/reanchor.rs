//! Re-anchoring: when a corpus file changed behind the project's back, every span is moved
//! to the occurrence of its stored text nearest to where it was. A span whose text is no
//! longer in the document is not guessed at: it is set aside for review. Nothing moves
//! silently: the caller reports how many moved and how many need review.

/// Where a span's text is now, if anywhere: the occurrence of `needle` nearest to
/// `old_start` (the earlier one on a tie). Searches a window around the old place first and
/// widens it, so the usual small shift costs little even in a long document.
pub fn nearest(text: &str, needle: &str, old_start: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut radius = 1024usize.max(needle.len() * 4);
    loop {
        let lo = floor_boundary(text, old_start.saturating_sub(radius));
        let hi = ceil_boundary(
            text,
            old_start
                .saturating_add(radius)
                .saturating_add(needle.len()),
        );
        let window = text.get(lo..hi).unwrap_or_default();
        let best = window
            .match_indices(needle)
            .map(|(i, _)| lo + i)
            .min_by_key(|&at| (at.abs_diff(old_start), at));
        let whole = lo == 0 && hi == text.len();
        match best {
            // A hit nearer than the window's edge cannot be beaten by one outside it.
            Some(at) if whole || at.abs_diff(old_start) <= radius => return Some(at),
            None if whole => return None,
            _ => radius = radius.saturating_mul(4),
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What happened to one anchored thing (a span or a suggestion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Its text is still at its offsets.
    Kept,
    /// Its text is at these new offsets.
    Moved { start: usize, end: usize },
    /// Its text is nowhere in the document.
    Lost,
}

/// Where `covered` (stored at `start..end`) is in `text` now.
pub fn anchor(text: &str, start: usize, end: usize, covered: &str) -> Anchor {
    if text.get(start..end) == Some(covered) {
        return Anchor::Kept;
    }
    match nearest(text, covered, start) {
        Some(at) => Anchor::Moved {
            start: at,
            end: at + covered.len(),
        },
        None => Anchor::Lost,
    }
}

/// How far from where the shift so far predicts a span may land and still count as the
/// same place (a word inserted or removed before it in its sentence).
pub const NEAR: usize = 16;

/// A span (or suggestion) before the change: where it was and what it covered.
pub struct Before<'a> {
    pub start: usize,
    pub text: &'a str,
}

/// Whether moving `span` to `at` is well supported, given what the new `text` shows: it
/// lands within [`NEAR`] bytes of `expected` (its old place shifted as the spans before it
/// were), or a neighbouring span's text sits at the same shift (`neighbours`: the spans just
/// before and after it: a block that moved, moved together). Anything else is a guess ("she"
/// 450 bytes off; "Kamala Harris" found only in the headline once the sentence that named
/// her was reworded, unique now but not before), and a wrong silent move is worse than a
/// flag: the span goes to review. Being the only occurrence left proves nothing: the old
/// text, which might have had several, is gone.
pub fn well_supported(
    text: &str,
    span: &Before<'_>,
    at: usize,
    expected: usize,
    neighbours: &[Before<'_>],
) -> bool {
    if at.abs_diff(expected) <= NEAR {
        return true;
    }
    let shift = at as isize - span.start as isize;
    neighbours.iter().any(|n| {
        let start = n.start.checked_add_signed(shift);
        start.and_then(|s| text.get(s..s + n.text.len())) == Some(n.text)
    })
}

use crate::model::check;
use crate::model::edit::{Edit, EditError};
use crate::model::project::{DocId, Project, SpanId};

/// Placing a span that was set aside at a range the user chose.
#[derive(Debug)]
pub struct Placement {
    /// One undoable step: the span leaves the aside list and becomes a span there, with its
    /// relations to spans that are in the document.
    pub edit: Edit,
    /// Relations to spans still set aside, which cannot come along.
    pub dropped_relations: usize,
}

impl Project {
    /// Plans placing unanchored span `id` of `doc` at `start..end` (the text there becomes
    /// its text), keeping its label, attributes and note.
    pub fn place_unanchored_edit(
        &self,
        doc: DocId,
        id: SpanId,
        start: usize,
        end: usize,
    ) -> Result<Placement, EditError> {
        let d = self.doc(doc).ok_or(EditError::NoDocument(doc.0))?;
        let old = d
            .unanchored()
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(EditError::NoSpan(id.0))?;
        let mut relations = Vec::new();
        let mut dropped_relations = 0;
        for r in d
            .unanchored_relations()
            .iter()
            .filter(|r| r.from == id || r.to == id)
        {
            let other = if r.from == id { r.to } else { r.from };
            if d.span_by_id(other).is_some() {
                relations.push(Edit::AddRelation {
                    doc,
                    relation: r.clone(),
                });
            } else {
                dropped_relations += 1;
            }
        }
        let mut span = self
            .make_span(doc, start, end, &old.label)
            .ok_or(EditError::BadRange { start, end })?;
        span.id = id;
        // A discontinuous span placed over a stretch as long as it was keeps its pieces.
        if old.is_discontinuous() && end - start == old.len() {
            let pieces: Vec<_> = old
                .pieces()
                .map(|p| p.start - old.start + start..p.end - old.start + start)
                .collect();
            check::pieces(&d.text, &pieces)?;
            span.set_pieces(&d.text, &pieces);
        }
        span.attrs = old.attrs;
        span.note = old.note;
        span.annotator = old.annotator;
        span.origin = old.origin;
        let mut edits = vec![
            Edit::DropUnanchored { doc, id },
            Edit::AddSpan { doc, span },
        ];
        edits.extend(relations);
        Ok(Placement {
            edit: Edit::Batch(edits),
            dropped_relations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_follows_its_text_to_the_nearest_place() {
        let old = "Harris said no. Later Harris said yes.";
        let new = "UPDATE: Harris said no. Later, Harris said yes.";
        let second = old.rfind("Harris").unwrap();
        assert_eq!(
            anchor(new, second, second + 6, "Harris"),
            Anchor::Moved {
                start: new.rfind("Harris").unwrap(),
                end: new.rfind("Harris").unwrap() + 6
            }
        );
        assert_eq!(
            anchor(new, 0, 6, "Harris"),
            Anchor::Moved { start: 8, end: 14 }
        );
        assert_eq!(anchor(old, 0, 6, "Harris"), Anchor::Kept);
        assert_eq!(anchor(new, 0, 6, "Khanna"), Anchor::Lost);
    }

    #[test]
    fn the_search_widens_until_it_finds_the_text_far_away() {
        let mut text = "x".repeat(100_000);
        text.push_str("“Kim” 😀");
        let at = nearest(&text, "“Kim”", 5).unwrap();
        assert_eq!(&text[at..at + "“Kim”".len()], "“Kim”");
        // Old offsets past the end of a shortened text, or inside a character, are fine.
        assert_eq!(nearest("😀 Kim", "Kim", 1_000), Some(5));
        assert_eq!(nearest("😀 Kim", "Kim", 2), Some(5));
        assert_eq!(nearest("abc", "", 0), None);
    }

    #[test]
    fn ties_go_to_the_earlier_occurrence() {
        // "ab" at 0 and at 4; the old place 2 is as far from both.
        assert_eq!(nearest("ab..ab", "ab", 2), Some(0));
    }

    #[test]
    fn a_span_set_aside_is_placed_or_dropped_in_one_undoable_step() {
        use crate::model::{DocSource, Document, Relation, Schema, Span};
        let mut doc = Document::new(
            "d".into(),
            DocSource::TextFile("d.txt".into()),
            crate::model::TextHash::of(""),
            "Harris said no. She left.".into(),
        );
        let span = |id: u64, start: usize, end: usize, label: &str, text: &str| Span {
            note: Some("check".into()),
            ..crate::model::project::testing::span(id, start, end, label, text)
        };
        doc.set_spans(vec![span(1, 0, 6, "speaker", "Harris")]);
        // "Ms Harris had said no" was a stance; that text is gone.
        doc.set_unanchored(
            vec![span(2, 7, 28, "stance", "Ms Harris had said no")],
            vec![Relation::new(SpanId(3), "holds", SpanId(1), SpanId(2))],
        );
        let mut p = Project::new("t".into(), Schema::default(), vec![doc]);
        let at = |p: &Project| p.documents[0].text.find("said no").unwrap();
        let start = at(&p);
        let placed = p
            .place_unanchored_edit(DocId(0), SpanId(2), start, start + 7)
            .unwrap();
        assert_eq!(placed.dropped_relations, 0);
        let undo = p.apply(placed.edit).unwrap();
        let d = &p.documents[0];
        assert!(d.unanchored().is_empty() && d.unanchored_relations().is_empty());
        let s = d.span_by_id(SpanId(2)).unwrap();
        assert_eq!(
            (s.text.as_str(), s.note.as_deref()),
            ("said no", Some("check"))
        );
        assert_eq!(d.relations().len(), 1, "the relation came along");
        p.apply(undo).unwrap();
        let d = &p.documents[0];
        assert_eq!(d.unanchored().len(), 1);
        assert_eq!(d.unanchored_relations().len(), 1);
        assert!(d.span_by_id(SpanId(2)).is_none() && d.relations().is_empty());
        // Deleting it takes its relation too; undo brings both back.
        let undo = p
            .apply(Edit::DropUnanchored {
                doc: DocId(0),
                id: SpanId(2),
            })
            .unwrap();
        assert!(p.documents[0].unanchored().is_empty());
        p.apply(undo).unwrap();
        assert_eq!(p.documents[0].unanchored_relations().len(), 1);
    }

    #[test]
    fn a_move_needs_evidence() {
        use super::{Before, well_supported};
        let old_a = Before {
            start: 20,
            text: "Kamala Harris",
        };
        // Headline and body both name her; the body's mention was reworded.
        let new =
            "Kamala Harris refuses. Vice President Kamala D. Harris made a statement. She said";
        // Found only in the headline, 20 bytes off its expected place: a guess.
        assert!(!well_supported(new, &old_a, 0, 20, &[]));
        // Within a few bytes of where it was expected: a small edit nearby.
        assert!(well_supported(new, &old_a, 10, 20, &[]));
        // A neighbour moved by the same amount: a block moved together.
        let moved = "XXXXXXXXXXXX Kamala Harris said that she would not.";
        let span = Before {
            start: 0,
            text: "Kamala Harris",
        };
        let next = Before {
            start: 19,
            text: "that",
        };
        assert!(well_supported(moved, &span, 13, 0, &[next]));
        // Found once, far away, alone: still a guess.
        let once = Before {
            start: 500,
            text: "bilateral meeting",
        };
        assert!(!well_supported(
            "a bilateral meeting here",
            &once,
            2,
            500,
            &[]
        ));
        // Short and common: never on its own.
        let she = Before {
            start: 500,
            text: "she",
        };
        assert!(!well_supported("she said she would", &she, 0, 500, &[]));
    }
}
