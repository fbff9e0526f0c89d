//! Deciding on suggestions: accepting one makes it a span (its attributes kept, its source
//! recorded on the span), and makes real the relations proposed between it and suggestions
//! already accepted; rejecting one keeps it, marked, as a negative example. Each decision is
//! one edit, so it can be undone; accepting many is one edit too.

use crate::model::check;
use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, Relation, Review, SpanId, Suggestion};
use std::collections::HashMap;

/// What accepting changes about a suggestion: nothing, or its boundaries and label (`E`),
/// and attribute values the reviewer chose on top of the suggestion's (a stance's polarity).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptAs {
    pub range: Option<(usize, usize)>,
    pub label: Option<String>,
    pub attrs: crate::model::Attrs,
}

/// Which pending suggestions a review queue shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewFilter {
    pub label: Option<String>,
    pub source: Option<String>,
    /// Minimum score, 0 to 1.
    pub min_score: f32,
}

impl ReviewFilter {
    pub fn keeps(&self, s: &Suggestion) -> bool {
        s.review == Review::Pending
            && self.label.as_ref().is_none_or(|l| *l == s.label)
            && self.source.as_ref().is_none_or(|src| *src == s.source)
            && s.score.is_none_or(|x| x.0 >= self.min_score)
    }
}

/// What the acceptances of one batch have made so far, so that later ones in the same batch
/// see them: spans by (start, end, label), spans by suggestion, relations by their ends.
#[derive(Default)]
struct Accepting {
    edits: Vec<Edit>,
    spans: HashMap<(usize, usize, String), SpanId>,
    became: HashMap<SpanId, SpanId>,
    relations: Vec<(String, SpanId, SpanId)>,
}

impl Project {
    /// The edit that accepts suggestion `id`, or `None` if it does not exist or is decided.
    /// When a span with the same range and label exists, the suggestion is linked to it
    /// rather than duplicated. A new document becomes in progress in the same step.
    pub fn accept_suggestion_edit(
        &self,
        doc: DocId,
        id: SpanId,
        annotator: Option<&str>,
        change: &AcceptAs,
    ) -> Option<Edit> {
        let mut batch = Accepting::default();
        self.accept_into(doc, id, annotator, change, &mut batch)?;
        Some(self.with_progress(batch.edits))
    }

    /// The edit that accepts every suggestion of `ids` (as they are) in one undo step, in
    /// order, as accepting them one by one would: relations proposed between two of them are
    /// made. Returns the edit and how many were accepted (`None` when none could be).
    pub fn accept_suggestions_edit(
        &self,
        doc: DocId,
        ids: &[SpanId],
        annotator: Option<&str>,
    ) -> Option<(Edit, usize)> {
        let mut batch = Accepting::default();
        let mut n = 0;
        for id in ids {
            if self
                .accept_into(doc, *id, annotator, &AcceptAs::default(), &mut batch)
                .is_some()
            {
                n += 1;
            }
        }
        (n > 0).then(|| (self.with_progress(batch.edits), n))
    }

    /// Adds the edits that accept suggestion `id` to `batch`.
    fn accept_into(
        &self,
        doc: DocId,
        id: SpanId,
        annotator: Option<&str>,
        change: &AcceptAs,
        batch: &mut Accepting,
    ) -> Option<()> {
        let d = self.doc(doc)?;
        let s = d.suggestion(id)?;
        if s.review != Review::Pending || batch.became.contains_key(&id) {
            return None;
        }
        let (start, end) = change.range.unwrap_or((s.start, s.end));
        let label = change.label.clone().unwrap_or_else(|| s.label.clone());
        let existing = d
            .spans_overlapping(start, end)
            .iter()
            .find(|x| x.start == start && x.end == end && x.label == label)
            .map(|x| x.id)
            .or_else(|| batch.spans.get(&(start, end, label.clone())).copied());
        let span_id = match existing {
            Some(sid) => sid,
            None => {
                let mut span = self.make_span(doc, start, end, &label)?;
                let mut attrs = s.attrs.clone();
                for (k, v) in change.attrs.iter() {
                    attrs.insert(k.to_owned(), v.to_owned());
                }
                span.attrs = check::fitting_attrs(self.schema.label(&label), &attrs);
                span.annotator = annotator.map(str::to_owned);
                span.origin = Some(match s.score {
                    Some(score) => format!("{} {:.2}", s.source, score.0),
                    None => s.source.clone(),
                });
                let sid = span.id;
                batch.spans.insert((start, end, label), sid);
                batch.edits.push(Edit::AddSpan { doc, span });
                sid
            }
        };
        batch.became.insert(id, span_id);
        batch.edits.push(Edit::SetReview {
            doc,
            id,
            review: Review::Accepted,
            span: Some(span_id),
        });
        self.make_proposed_relations(doc, s, span_id, batch);
        Some(())
    }

    /// Relations proposed between suggestion `s` (now span `span_id`) and suggestions that
    /// are spans already (before this batch or in it) become relations.
    fn make_proposed_relations(
        &self,
        doc: DocId,
        s: &Suggestion,
        span_id: SpanId,
        batch: &mut Accepting,
    ) {
        let Some(d) = self.doc(doc) else {
            return;
        };
        let span_of = |o: &Suggestion| o.span.or_else(|| batch.became.get(&o.id).copied());
        let mut proposed = Vec::new();
        for link in &s.links {
            if let Some(other) = d.suggestion(link.to).and_then(span_of) {
                proposed.push((link.kind.clone(), span_id, other));
            }
        }
        for other in d.suggestions() {
            for link in other.links.iter().filter(|l| l.to == s.id) {
                if let Some(from) = span_of(other) {
                    proposed.push((link.kind.clone(), from, span_id));
                }
            }
        }
        for (kind, from, to) in proposed {
            let exists = d
                .relations()
                .iter()
                .any(|r| r.kind == kind && r.from == from && r.to == to)
                || batch.relations.contains(&(kind.clone(), from, to));
            if exists || self.schema.relation(&kind).is_none() {
                continue;
            }
            batch.relations.push((kind.clone(), from, to));
            let relation = Relation::new(self.allocate_span_id(), kind, from, to);
            batch.edits.push(Edit::AddRelation { doc, relation });
        }
    }

    /// The edit that rejects suggestion `id` (kept, marked rejected).
    pub fn reject_suggestion_edit(&self, doc: DocId, id: SpanId) -> Option<Edit> {
        let s = self.doc(doc)?.suggestion(id)?;
        (s.review == Review::Pending).then_some(Edit::SetReview {
            doc,
            id,
            review: Review::Rejected,
            span: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocSource, Document, Schema, Score, SuggestedLink, Suggestion};

    fn project() -> Project {
        let text = "“Ukraine must have a say,” she insisted.";
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            crate::model::TextHash::of(""),
            text.into(),
        );
        Project::new("t".into(), Schema::default(), vec![doc])
    }

    fn suggest(p: &mut Project, word: &str, label: &str, links: Vec<SuggestedLink>) -> SpanId {
        let start = p.documents[0].text.find(word).unwrap();
        let id = p.allocate_span_id();
        let mut attrs = crate::model::Attrs::new();
        if label == "speaker" {
            attrs.insert("entity".to_owned(), "Kamala Harris".to_owned());
        }
        let suggestion = Suggestion {
            id,
            start,
            end: start + word.len(),
            label: label.into(),
            text: word.into(),
            attrs,
            source: "quotes".into(),
            score: Some(Score(0.75)),
            review: Review::Pending,
            span: None,
            links,
        };
        p.apply(Edit::AddSuggestion {
            doc: DocId(0),
            suggestion,
        })
        .unwrap();
        id
    }

    /// A stance suggestion, and a speaker suggestion proposing `holds` to it.
    fn speaker_holds_stance(p: &mut Project) -> (SpanId, SpanId) {
        let stance = suggest(p, "Ukraine must have a say", "stance", vec![]);
        let speaker = suggest(
            p,
            "she",
            "speaker",
            vec![SuggestedLink {
                kind: "holds".into(),
                to: stance,
            }],
        );
        (stance, speaker)
    }

    #[test]
    fn accepting_both_ends_makes_the_proposed_relation_and_undo_takes_it_back() {
        let mut p = project();
        let (stance, speaker) = speaker_holds_stance(&mut p);
        let e = p
            .accept_suggestion_edit(DocId(0), speaker, Some("ann"), &AcceptAs::default())
            .unwrap();
        p.apply(e).unwrap();
        let span = p.documents[0].spans()[0].clone();
        assert_eq!(span.attrs.get("entity"), Some("Kamala Harris"));
        assert_eq!(span.origin.as_deref(), Some("quotes 0.75"));
        assert_eq!(span.annotator.as_deref(), Some("ann"));
        assert!(
            p.documents[0].relations().is_empty(),
            "the stance is not accepted yet"
        );
        let e = p
            .accept_suggestion_edit(DocId(0), stance, None, &AcceptAs::default())
            .unwrap();
        let undo = p.apply(e).unwrap();
        assert_eq!(p.documents[0].relations().len(), 1);
        assert_eq!(p.documents[0].relations()[0].kind, "holds");
        assert!(
            p.accept_suggestion_edit(DocId(0), stance, None, &AcceptAs::default())
                .is_none(),
            "decided"
        );
        p.apply(undo).unwrap();
        assert!(p.documents[0].relations().is_empty());
        assert_eq!(
            p.documents[0].suggestion(stance).unwrap().review,
            Review::Pending
        );
    }

    #[test]
    fn rejecting_keeps_the_suggestion_and_accepting_with_changes_edits_the_span() {
        let mut p = project();
        let s = suggest(&mut p, "Ukraine must have a say", "stance", vec![]);
        let e = p.reject_suggestion_edit(DocId(0), s).unwrap();
        p.apply(e).unwrap();
        assert_eq!(
            p.documents[0].suggestion(s).unwrap().review,
            Review::Rejected
        );
        assert!(p.documents[0].spans().is_empty());
        let t = suggest(&mut p, "she", "stance", vec![]);
        let change = AcceptAs {
            range: None,
            label: Some("speaker".into()),
            attrs: crate::model::Attrs::default(),
        };
        let e = p
            .accept_suggestion_edit(DocId(0), t, None, &change)
            .unwrap();
        p.apply(e).unwrap();
        assert_eq!(p.documents[0].spans()[0].label, "speaker");
        // Values chosen while reviewing go onto the span, beside the suggestion's own.
        let u = suggest(&mut p, "Ukraine must have a say", "stance", vec![]);
        let mut attrs = crate::model::Attrs::default();
        attrs.insert("polarity".into(), "favor".into());
        attrs.insert("nonsense".into(), "x".into());
        let change = AcceptAs {
            attrs,
            ..AcceptAs::default()
        };
        let e = p
            .accept_suggestion_edit(DocId(0), u, None, &change)
            .unwrap();
        p.apply(e).unwrap();
        let stance = p.documents[0]
            .spans()
            .iter()
            .find(|x| x.label == "stance")
            .unwrap();
        assert_eq!(stance.attrs.get("polarity"), Some("favor"));
        assert_eq!(
            stance.attrs.len(),
            1,
            "what the schema does not know is dropped"
        );
    }

    #[test]
    fn accepting_a_suggestion_marks_a_new_document_in_progress_and_undo_brings_it_back() {
        use crate::model::Status;
        let mut p = project();
        assert_eq!(p.documents[0].status, Status::New);
        let s = suggest(&mut p, "she", "speaker", vec![]);
        let e = p
            .accept_suggestion_edit(DocId(0), s, None, &AcceptAs::default())
            .unwrap();
        let undo = p.apply(e).unwrap();
        assert_eq!(p.documents[0].status, Status::InProgress);
        p.apply(undo).unwrap();
        assert_eq!(p.documents[0].status, Status::New);
        assert!(p.documents[0].spans().is_empty());
        // A document already done stays done.
        p.apply(Edit::SetStatus {
            doc: DocId(0),
            status: Status::Done,
        })
        .unwrap();
        let e = p
            .accept_suggestion_edit(DocId(0), s, None, &AcceptAs::default())
            .unwrap();
        p.apply(e).unwrap();
        assert_eq!(p.documents[0].status, Status::Done);
    }

    #[test]
    fn accepting_many_at_once_is_one_step_and_links_them_as_one_by_one_would() {
        use crate::model::Status;
        let mut p = project();
        let (stance, speaker) = speaker_holds_stance(&mut p);
        // The same range and label twice (two sources): one span, both accepted.
        let again = suggest(&mut p, "she", "speaker", vec![]);
        let (e, n) = p
            .accept_suggestions_edit(DocId(0), &[stance, speaker, again], None)
            .unwrap();
        assert_eq!(n, 3);
        let undo = p.apply(e).unwrap();
        let d = &p.documents[0];
        assert_eq!(d.spans().len(), 2);
        assert_eq!(d.relations().len(), 1, "the holds link between them");
        assert_eq!(
            d.suggestion(again).unwrap().span,
            d.suggestion(speaker).unwrap().span
        );
        assert_eq!(d.status, Status::InProgress);
        p.apply(undo).unwrap();
        assert!(p.documents[0].spans().is_empty());
        assert!(p.documents[0].relations().is_empty());
        assert_eq!(p.documents[0].status, Status::New);
        assert!(p.accept_suggestions_edit(DocId(0), &[], None).is_none());
    }
}
