//! "Tag all matches": give every other whole-word occurrence of a span's text the same label
//! and attributes, in one document or the whole corpus, as one undoable edit.

use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, SpanId};
use crate::model::text::is_word_boundary;

/// What tagging all matches would do.
#[derive(Debug)]
pub struct TagAllPlan {
    /// The edit to apply, or `None` when every match is already tagged.
    pub edit: Option<Edit>,
    /// How many spans it adds.
    pub count: usize,
    /// In how many documents.
    pub documents: usize,
}

impl Project {
    /// Plans tagging every untagged whole-word occurrence of span `id`'s text like it. A match
    /// counts as tagged when a span with the same range and label exists. The new spans get
    /// the span's attributes (not its note, which is about that one place).
    pub fn tag_all_matches(
        &self,
        doc: DocId,
        id: SpanId,
        corpus: bool,
        annotator: Option<&str>,
    ) -> TagAllPlan {
        let empty = TagAllPlan {
            edit: None,
            count: 0,
            documents: 0,
        };
        let Some(source) = self.doc(doc).and_then(|d| d.span_by_id(id)).cloned() else {
            return empty;
        };
        let targets: Vec<DocId> = if corpus {
            (0..self.documents.len()).map(DocId).collect()
        } else {
            vec![doc]
        };
        let mut found: Vec<(DocId, std::ops::Range<usize>)> = Vec::new();
        for d in targets {
            let Some(document) = self.doc(d) else {
                continue;
            };
            let text = &document.text;
            for (start, _) in text.match_indices(source.text.as_str()) {
                let end = start + source.text.len();
                if is_word_boundary(text, start) && is_word_boundary(text, end) {
                    found.push((d, start..end));
                }
            }
        }
        self.tag_ranges(&found, &source.label, &source.attrs, annotator)
    }

    /// Plans tagging each range with `label` and `attrs`, skipping ranges already tagged with
    /// that label (same start and end) and ranges that are not a valid span. New documents
    /// that get spans become in progress, in the same step.
    pub fn tag_ranges(
        &self,
        ranges: &[(DocId, std::ops::Range<usize>)],
        label: &str,
        attrs: &crate::model::Attrs,
        annotator: Option<&str>,
    ) -> TagAllPlan {
        let mut edits = Vec::new();
        let mut documents = std::collections::HashSet::new();
        for (d, range) in ranges {
            let tagged = self.doc(*d).is_none_or(|document| {
                document
                    .spans_overlapping(range.start, range.end)
                    .iter()
                    .any(|s| s.start == range.start && s.end == range.end && s.label == label)
            });
            if tagged {
                continue;
            }
            if let Some(mut span) = self.make_span(*d, range.start, range.end, label) {
                span.attrs.clone_from(attrs);
                span.annotator = annotator.map(str::to_owned);
                edits.push(Edit::AddSpan { doc: *d, span });
                documents.insert(d.0);
            }
        }
        let count = edits.len();
        TagAllPlan {
            // As when tagging by hand: a new document that gets spans is in progress now.
            edit: (count > 0).then(|| self.with_progress(edits)),
            count,
            documents: documents.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{DocId, DocSource, Document, Edit, Project, Schema};

    fn doc(id: &str, text: &str) -> Document {
        Document::new(
            id.into(),
            DocSource::TextFile(format!("{id}.txt").into()),
            String::new(),
            text.into(),
        )
    }

    #[test]
    fn tags_whole_word_matches_in_the_document_or_corpus() {
        let mut p = Project::new(
            "t".into(),
            Schema::default(),
            vec![
                doc(
                    "a",
                    "Harris spoke. Harrisburg cheered. Harris left; “Harris” waved.",
                ),
                doc("b", "Later Harris met Kim."),
            ],
        );
        let mut span = p.make_span(DocId(0), 0, 6, "speaker").unwrap();
        span.attrs.insert("entity".into(), "Kamala Harris".into());
        let id = span.id;
        p.apply(Edit::AddSpan {
            doc: DocId(0),
            span,
        })
        .unwrap();

        let plan = p.tag_all_matches(DocId(0), id, false, None);
        assert_eq!(
            (plan.count, plan.documents),
            (2, 1),
            "not inside Harrisburg"
        );
        let undo = p.apply(plan.edit.unwrap()).unwrap();
        assert_eq!(p.documents[0].spans().len(), 3);
        assert!(
            p.documents[0]
                .spans()
                .iter()
                .all(|s| s.attrs.get("entity").map(String::as_str) == Some("Kamala Harris"))
        );
        // Already tagged places are skipped; the corpus-wide run finds the other document.
        let plan = p.tag_all_matches(DocId(0), id, true, Some("ann"));
        assert_eq!((plan.count, plan.documents), (1, 1));
        p.apply(plan.edit.unwrap()).unwrap();
        assert_eq!(p.documents[1].spans()[0].text, "Harris");
        assert_eq!(p.documents[1].spans()[0].annotator.as_deref(), Some("ann"));
        assert!(p.tag_all_matches(DocId(0), id, true, None).edit.is_none());
        p.apply(undo).unwrap();
        assert_eq!(p.documents[0].spans().len(), 1, "one undo step");
    }
}
