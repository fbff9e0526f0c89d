//! "Tag all matches": give other whole-word occurrences of a span's text the same label and
//! attributes, in one document or the whole corpus, as one undoable edit. The window shows
//! a [`TagAllPreview`] first: every hit with its context and a checkbox, hits inside a span
//! of the same label unticked (the "Harris" in "Kamala Harris").

use crate::model::Attrs;
use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, SpanId};
use crate::model::text::is_word_boundary;
use std::ops::Range;

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

/// One place tagging all matches could tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagAllHit {
    pub doc: DocId,
    pub range: Range<usize>,
    /// Text of a span of the same label around this place (the hit is part of a longer
    /// mention): not tagged unless the user ticks it.
    pub inside: Option<String>,
}

impl TagAllHit {
    /// Whether the preview ticks it to begin with.
    pub fn wanted(&self) -> bool {
        self.inside.is_none()
    }
}

/// Where the attributes given to the new spans come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrsFrom {
    /// The selected span has attributes: they are used.
    Span,
    /// The selected span has none: the most common attributes of the spans with the same
    /// text and label (`count` of `of` such spans).
    Majority { count: usize, of: usize },
    /// Neither: the new spans get none.
    Nothing,
}

/// What "Tag all" would tag, for the user to look at before anything changes.
#[derive(Clone, Debug)]
pub struct TagAllPreview {
    pub text: String,
    pub label: String,
    pub attrs: Attrs,
    pub attrs_from: AttrsFrom,
    /// Untagged whole-word occurrences, in corpus order (already tagged places are left out).
    pub hits: Vec<TagAllHit>,
}

impl Project {
    /// Every whole-word occurrence of span `id`'s text, in its document or the corpus, that
    /// no span of its label covers exactly; `None` when the span does not exist or is
    /// discontinuous.
    pub fn tag_all_preview(&self, doc: DocId, id: SpanId, corpus: bool) -> Option<TagAllPreview> {
        let source = self.doc(doc)?.span_by_id(id)?;
        // A span in pieces has no one text to look for.
        if source.is_discontinuous() {
            return None;
        }
        let targets: Vec<DocId> = if corpus {
            (0..self.documents.len()).map(DocId).collect()
        } else {
            vec![doc]
        };
        let mut ranges = Vec::new();
        for d in targets {
            let Some(document) = self.doc(d) else {
                continue;
            };
            let text = &document.text;
            for (start, _) in text.match_indices(source.text.as_str()) {
                let end = start + source.text.len();
                if is_word_boundary(text, start) && is_word_boundary(text, end) {
                    ranges.push((d, start..end));
                }
            }
        }
        let attrs = (!source.attrs.is_empty()).then(|| source.attrs.clone());
        Some(self.preview_ranges(&ranges, &source.text, &source.label, attrs))
    }

    /// The preview of tagging `ranges` (search hits, or the matches of a span) with `label`:
    /// ranges a span of that label already covers exactly are left out, ranges inside a
    /// longer one are marked. The new spans get `attrs`, or else the majority attributes of
    /// the spans of that label whose text is `text`.
    pub fn preview_ranges(
        &self,
        ranges: &[(DocId, Range<usize>)],
        text: &str,
        label: &str,
        attrs: Option<Attrs>,
    ) -> TagAllPreview {
        let mut hits = Vec::new();
        for (d, range) in ranges {
            let Some(document) = self.doc(*d) else {
                continue;
            };
            let (start, end) = (range.start, range.end);
            let mut inside = None;
            let mut tagged = false;
            for s in document
                .spans_overlapping(start, end)
                .iter()
                .filter(|s| s.label == label && s.start <= start && s.end >= end)
            {
                if s.start == start && s.end == end {
                    tagged = true;
                } else {
                    inside = Some(s.text.clone());
                }
            }
            if !tagged {
                hits.push(TagAllHit {
                    doc: *d,
                    range: range.clone(),
                    inside,
                });
            }
        }
        let (attrs, attrs_from) = match attrs {
            Some(a) => (a, AttrsFrom::Span),
            None => self.majority_attrs(text, label),
        };
        TagAllPreview {
            text: text.to_owned(),
            label: label.to_owned(),
            attrs,
            attrs_from,
            hits,
        }
    }

    /// The most common non-empty attributes of the spans with this text and label (the
    /// earliest wins a tie, so the answer does not change between runs).
    fn majority_attrs(&self, text: &str, label: &str) -> (Attrs, AttrsFrom) {
        let mut counts: Vec<(&Attrs, usize)> = Vec::new();
        let mut of = 0;
        for s in self
            .documents
            .iter()
            .flat_map(|d| d.spans())
            .filter(|s| s.text == text && s.label == label && !s.attrs.is_empty())
        {
            of += 1;
            match counts.iter_mut().find(|(a, _)| **a == s.attrs) {
                Some((_, n)) => *n += 1,
                None => counts.push((&s.attrs, 1)),
            }
        }
        let best = counts
            .iter()
            .fold(None::<(&Attrs, usize)>, |best, &(a, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((a, n)),
            });
        match best {
            Some((attrs, count)) => (attrs.clone(), AttrsFrom::Majority { count, of }),
            None => (Attrs::new(), AttrsFrom::Nothing),
        }
    }

    /// Plans tagging the hits the preview ticks by default (the command line, and tests).
    pub fn tag_all_matches(
        &self,
        doc: DocId,
        id: SpanId,
        corpus: bool,
        annotator: Option<&str>,
    ) -> TagAllPlan {
        let Some(preview) = self.tag_all_preview(doc, id, corpus) else {
            return TagAllPlan {
                edit: None,
                count: 0,
                documents: 0,
            };
        };
        let ranges: Vec<(DocId, Range<usize>)> = preview
            .hits
            .iter()
            .filter(|h| h.wanted())
            .map(|h| (h.doc, h.range.clone()))
            .collect();
        self.tag_ranges(&ranges, &preview.label, &preview.attrs, annotator)
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
    use crate::model::project::testing::doc;
    use crate::model::{DocId, Edit, Project, Schema};

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
                .all(|s| s.attrs.get("entity") == Some("Kamala Harris"))
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

    #[test]
    fn the_preview_unticks_hits_inside_a_longer_span_and_takes_the_majority_attributes() {
        let text = "Kamala Harris spoke. Harris left. Harris DNC.jpeg was shown. Harris won.";
        let mut p = Project::new("t".into(), Schema::default(), vec![doc("a", text)]);
        let add = |p: &mut Project, at: usize, len: usize, entity: Option<&str>| {
            let mut span = p.make_span(DocId(0), at, at + len, "speaker").unwrap();
            if let Some(e) = entity {
                span.attrs.insert("entity".into(), e.into());
            }
            let id = span.id;
            p.apply(Edit::AddSpan {
                doc: DocId(0),
                span,
            })
            .unwrap();
            id
        };
        add(&mut p, 0, 13, Some("Kamala Harris"));
        let won = text.rfind("Harris").unwrap();
        add(&mut p, won, 6, Some("Kamala Harris"));
        let left = text.find("Harris left").unwrap();
        let plain = add(&mut p, left, 6, None);

        let preview = p.tag_all_preview(DocId(0), plain, false).unwrap();
        let starts: Vec<(usize, bool)> = preview
            .hits
            .iter()
            .map(|h| (h.range.start, h.wanted()))
            .collect();
        let caption = text.find("Harris DNC").unwrap();
        // The tagged places (its own, "Harris won") are left out; the one in "Kamala Harris"
        // is listed but not ticked.
        assert_eq!(starts, vec![(7, false), (caption, true)]);
        assert_eq!(
            preview.hits[0].inside.as_deref(),
            Some("Kamala Harris"),
            "says why"
        );
        assert_eq!(preview.attrs.get("entity"), Some("Kamala Harris"));
        assert_eq!(
            preview.attrs_from,
            super::AttrsFrom::Majority { count: 1, of: 1 }
        );

        let plan = p.tag_all_matches(DocId(0), plain, false, None);
        assert_eq!(plan.count, 1, "only the ticked hit");
    }
}
