//! Deciding on suggestions: accepting one makes it a span (its attributes kept, its source
//! recorded on the span), and makes real the relations proposed between it and suggestions
//! already accepted; rejecting one keeps it, marked, as a negative example. Each decision is
//! one edit, so it can be undone.

use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, Relation, Review, SpanId};

/// What accepting changes about a suggestion: nothing, or its boundaries and label (`E`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptAs {
    pub range: Option<(usize, usize)>,
    pub label: Option<String>,
}

impl Project {
    /// The edit that accepts suggestion `id`, or `None` if it does not exist or is decided.
    /// When a span with the same range and label exists, the suggestion is linked to it
    /// rather than duplicated.
    pub fn accept_suggestion_edit(
        &mut self,
        doc: DocId,
        id: SpanId,
        annotator: Option<&str>,
        change: &AcceptAs,
    ) -> Option<Edit> {
        let d = self.doc(doc)?;
        let s = d.suggestion(id)?.clone();
        if s.review != Review::Pending {
            return None;
        }
        let (start, end) = change.range.unwrap_or((s.start, s.end));
        let label = change.label.clone().unwrap_or_else(|| s.label.clone());
        let existing = d
            .spans_overlapping(start, end)
            .iter()
            .find(|x| x.start == start && x.end == end && x.label == label)
            .map(|x| x.id);
        let mut edits = Vec::new();
        let span_id = match existing {
            Some(sid) => sid,
            None => {
                let mut span = self.make_span(doc, start, end, &label)?;
                let def = self.schema.label(&label);
                span.attrs = s
                    .attrs
                    .iter()
                    .filter(|(k, v)| {
                        def.and_then(|l| l.attribute(k))
                            .is_some_and(|a| a.accepts(v))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                span.annotator = annotator.map(str::to_owned);
                span.origin = Some(match s.score {
                    Some(score) => format!("{} {:.2}", s.source, score.0),
                    None => s.source.clone(),
                });
                let sid = span.id;
                edits.push(Edit::AddSpan { doc, span });
                sid
            }
        };
        edits.push(Edit::SetReview {
            doc,
            id,
            review: Review::Accepted,
            span: Some(span_id),
        });
        // Proposed relations whose other end is already a span become relations.
        let d = self.doc(doc)?;
        let mut proposed = Vec::new();
        for link in &s.links {
            if let Some(other) = d.suggestion(link.to).and_then(|o| o.span) {
                proposed.push((link.kind.clone(), span_id, other));
            }
        }
        for other in d.suggestions() {
            for link in other.links.iter().filter(|l| l.to == id) {
                if let Some(from) = other.span {
                    proposed.push((link.kind.clone(), from, span_id));
                }
            }
        }
        let existing: Vec<(String, SpanId, SpanId)> = d
            .relations()
            .iter()
            .map(|r| (r.kind.clone(), r.from, r.to))
            .collect();
        for (kind, from, to) in proposed {
            let exists = existing
                .iter()
                .any(|(k, f, t)| *k == kind && *f == from && *t == to);
            let fits = self.schema.relation(&kind).is_some();
            if !exists && fits {
                let relation = Relation {
                    id: self.allocate_span_id(),
                    kind,
                    from,
                    to,
                };
                edits.push(Edit::AddRelation { doc, relation });
            }
        }
        Some(Edit::Batch(edits))
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
            String::new(),
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

    #[test]
    fn accepting_both_ends_makes_the_proposed_relation_and_undo_takes_it_back() {
        let mut p = project();
        let stance = suggest(&mut p, "Ukraine must have a say", "stance", vec![]);
        let speaker = suggest(
            &mut p,
            "she",
            "speaker",
            vec![SuggestedLink {
                kind: "holds".into(),
                to: stance,
            }],
        );
        let e = p
            .accept_suggestion_edit(DocId(0), speaker, Some("ann"), &AcceptAs::default())
            .unwrap();
        p.apply(e).unwrap();
        let span = p.documents[0].spans()[0].clone();
        assert_eq!(
            span.attrs.get("entity").map(String::as_str),
            Some("Kamala Harris")
        );
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
        };
        let e = p
            .accept_suggestion_edit(DocId(0), t, None, &change)
            .unwrap();
        p.apply(e).unwrap();
        assert_eq!(p.documents[0].spans()[0].label, "speaker");
    }
}
