//! The order a review queue goes in: reading order, most uncertain first (active learning:
//! a score near 0.5 is where a decision teaches a model most), or highest score first; and
//! how much a document's pending suggestions would teach, to choose what to open next.

use crate::model::project::{DocId, Document, Project, SpanKey, Suggestion};
use crate::model::review::ReviewFilter;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewOrder {
    /// Document by document, each from its start.
    #[default]
    Reading,
    /// Scores nearest 0.5 first, across the project.
    Uncertainty,
    /// Highest scores first, across the project.
    Score,
}

impl ReviewOrder {
    pub const ALL: [ReviewOrder; 3] = [
        ReviewOrder::Reading,
        ReviewOrder::Uncertainty,
        ReviewOrder::Score,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReviewOrder::Reading => "reading order",
            ReviewOrder::Uncertainty => "most uncertain first",
            ReviewOrder::Score => "highest score first",
        }
    }

    /// Smaller goes first; ties go in reading order.
    fn rank(self, s: &Suggestion) -> f32 {
        match self {
            ReviewOrder::Reading => 0.0,
            ReviewOrder::Uncertainty => -uncertainty(s),
            ReviewOrder::Score => -s.score.map_or(0.0, |x| x.0),
        }
    }

    fn compare(self, a: (DocId, &Suggestion), b: (DocId, &Suggestion)) -> Ordering {
        self.rank(a.1)
            .total_cmp(&self.rank(b.1))
            .then(a.0.cmp(&b.0))
            .then(a.1.key().cmp(&b.1.key()))
    }
}

/// How unsure a suggestion's source is: 1 at a score of 0.5, 0 at 0 or 1. A suggestion
/// without a score counts as half unsure.
pub fn uncertainty(s: &Suggestion) -> f32 {
    s.score
        .map_or(0.5, |x| 1.0 - (2.0 * x.0.clamp(0.0, 1.0) - 1.0).abs())
}

/// What reviewing a document would teach: the uncertainty of its pending suggestions, summed.
pub fn expected_gain(doc: &Document) -> f32 {
    doc.suggestions()
        .iter()
        .filter(|s| s.review == crate::model::Review::Pending)
        .map(uncertainty)
        .sum()
}

/// A document's suggestions that `filter` keeps, in `order`.
pub fn in_order<'a>(
    doc: &'a Document,
    filter: &ReviewFilter,
    order: ReviewOrder,
) -> Vec<&'a Suggestion> {
    let mut out: Vec<&Suggestion> = doc
        .suggestions()
        .iter()
        .filter(|s| filter.keeps(s))
        .collect();
    if order != ReviewOrder::Reading {
        out.sort_by(|a, b| order.compare((DocId(0), a), (DocId(0), b)));
    }
    out
}

/// The suggestion after (or before) `from` in `order` across the project, wrapping around;
/// `from` may be decided already (the one just accepted). With no `from`, the first (or
/// last). Reading order is the caller's (it starts from the caret).
pub fn next(
    project: &Project,
    filter: &ReviewFilter,
    order: ReviewOrder,
    from: Option<(DocId, &Suggestion)>,
    forward: bool,
) -> Option<(DocId, SpanKey)> {
    let all = project.documents.iter().enumerate().flat_map(|(i, d)| {
        d.suggestions()
            .iter()
            .filter(|s| filter.keeps(s))
            .map(move |s| (DocId(i), s))
    });
    let better = |a: (DocId, &Suggestion), b: (DocId, &Suggestion)| {
        let o = order.compare(a, b);
        if forward {
            o == Ordering::Less
        } else {
            o == Ordering::Greater
        }
    };
    let mut first = None;
    let mut after = None;
    for item in all {
        if first.is_none_or(|f| better(item, f)) {
            first = Some(item);
        }
        let beyond = from.is_none_or(|f| better(f, item));
        if beyond && after.is_none_or(|a| better(item, a)) {
            after = Some(item);
        }
    }
    after.or(first).map(|(d, s)| (d, s.key()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::project::testing::doc;
    use crate::model::{Review, Schema, Score, SpanId};

    fn sugg(id: u64, start: usize, score: f32) -> Suggestion {
        Suggestion {
            id: SpanId(id),
            start,
            end: start + 1,
            label: "speaker".into(),
            text: "x".into(),
            attrs: Default::default(),
            source: "learned".into(),
            score: Some(Score(score)),
            review: Review::Pending,
            span: None,
            links: Vec::new(),
        }
    }

    fn project() -> Project {
        let mut a = doc("a", "abcdefgh");
        a.set_suggestions(vec![sugg(1, 0, 0.95), sugg(2, 2, 0.55), sugg(3, 4, 0.2)]);
        let mut b = doc("b", "abcdefgh");
        b.set_suggestions(vec![sugg(4, 0, 0.48), sugg(5, 2, 0.8)]);
        Project::new("p".into(), Schema::news_default(), vec![a, b])
    }

    fn walk(p: &Project, order: ReviewOrder) -> Vec<u64> {
        let f = ReviewFilter::default();
        let mut out = Vec::new();
        let mut at: Option<(DocId, SpanKey)> = None;
        for _ in 0..5 {
            let from = at.and_then(|(d, k)| Some((d, p.doc(d)?.suggestion(k.id)?)));
            at = next(p, &f, order, from, true);
            out.push(at.unwrap().1.id.0);
        }
        out
    }

    #[test]
    fn uncertainty_goes_nearest_half_first_and_score_highest_first() {
        let p = project();
        assert_eq!(walk(&p, ReviewOrder::Uncertainty), [4, 2, 3, 5, 1]);
        assert_eq!(walk(&p, ReviewOrder::Score), [1, 5, 2, 4, 3]);
        assert_eq!(walk(&p, ReviewOrder::Reading), [1, 2, 3, 4, 5]);
        // Backwards from the first wraps to the last.
        let f = ReviewFilter::default();
        let first = p.doc(DocId(1)).unwrap().suggestion(SpanId(4)).unwrap();
        let back = next(
            &p,
            &f,
            ReviewOrder::Uncertainty,
            Some((DocId(1), first)),
            false,
        );
        assert_eq!(back.unwrap().1.id, SpanId(1));
    }

    #[test]
    fn a_decided_suggestion_still_marks_the_place() {
        let mut p = project();
        p.apply(crate::model::Edit::SetReview {
            doc: DocId(0),
            id: SpanId(2),
            review: Review::Rejected,
            span: None,
        })
        .unwrap();
        let f = ReviewFilter::default();
        let decided = p.doc(DocId(0)).unwrap().suggestion(SpanId(2)).unwrap();
        let n = next(
            &p,
            &f,
            ReviewOrder::Uncertainty,
            Some((DocId(0), decided)),
            true,
        );
        assert_eq!(n.unwrap().1.id, SpanId(3));
    }

    #[test]
    fn expected_gain_sums_the_uncertainty_of_pending_suggestions() {
        let p = project();
        let a = expected_gain(p.doc(DocId(0)).unwrap());
        let b = expected_gain(p.doc(DocId(1)).unwrap());
        assert!((a - (0.1 + 0.9 + 0.4)).abs() < 1e-5, "{a}");
        assert!((b - (0.96 + 0.4)).abs() < 1e-5, "{b}");
        let mine = in_order(
            p.doc(DocId(0)).unwrap(),
            &ReviewFilter::default(),
            ReviewOrder::Uncertainty,
        );
        assert_eq!(mine.iter().map(|s| s.id.0).collect::<Vec<_>>(), [2, 3, 1]);
    }
}
