//! What the project teaches: for each chunk of text and each label, which tags each token may
//! have, from the spans (positives), the rejected suggestions (negatives) and how far the
//! document was annotated.
//!
//! How much of a document is known:
//! - **done**, or **new with spans** (an imported, finished corpus): every token is known;
//!   what no span of a label covers is outside that label;
//! - **in progress**: only the paragraphs (chunks) where the annotator made a span or
//!   decided a suggestion: the rest may simply not be read yet, and calling it "outside"
//!   would teach the model to miss what was not yet tagged;
//! - **new without spans**: nothing, except the rejected suggestions in it.
//!
//! A rejected suggestion of a label makes its tokens "outside" that label (unless a span of
//! the label covers them); pending suggestions teach nothing, so the model never learns from
//! its own guesses.

use super::crf::{ANY, Allowed, B, I, O, only};
use super::features::{Chunk, chunks};
use crate::model::{DocId, Document, Project, Review, Status};
use std::ops::Range;

/// One chunk of a document and, per label (in the model's label order), the allowed tags of
/// each of its tokens. Chunks that teach nothing are left out.
pub struct Example {
    pub doc: DocId,
    pub chunk: Chunk,
    pub allowed: Vec<Vec<Allowed>>,
}

/// Whether the document teaches anything: it has a span, a decided suggestion, or is done.
pub fn teaches(doc: &Document) -> bool {
    doc.status == Status::Done
        || !doc.spans().is_empty()
        || doc
            .suggestions()
            .iter()
            .any(|s| s.review == Review::Rejected)
}

/// Whether every token of the document is known (see the module's doc).
fn fully_known(doc: &Document) -> bool {
    match doc.status {
        Status::Done => true,
        Status::New => !doc.spans().is_empty(),
        Status::InProgress => false,
    }
}

/// The tokens of `chunk` a byte range touches.
fn covered(chunk: &Chunk, range: Range<usize>) -> Range<usize> {
    let first = chunk.tokens.partition_point(|t| t.end <= range.start);
    let last = chunk.tokens.partition_point(|t| t.start < range.end);
    first..last.max(first)
}

/// The training examples of one document.
pub fn examples(doc_id: DocId, doc: &Document, labels: &[String]) -> Vec<Example> {
    if !teaches(doc) {
        return Vec::new();
    }
    let full = fully_known(doc);
    let mut out = Vec::new();
    for chunk in chunks(&doc.text) {
        let (Some(first), Some(last)) = (chunk.tokens.first(), chunk.tokens.last()) else {
            continue;
        };
        let (from, to) = (first.start, last.end);
        let spans = doc.spans_overlapping(from, to);
        let touched = !spans.is_empty()
            || doc
                .suggestions_overlapping(from, to)
                .iter()
                .any(|s| s.review != Review::Pending);
        let known = full || touched;
        let mut allowed = Vec::with_capacity(labels.len());
        let mut teaches_something = known;
        for label in labels {
            let n = chunk.tokens.len();
            let mut tags = vec![if known { only(O) } else { ANY }; n];
            for s in doc
                .suggestions_overlapping(from, to)
                .iter()
                .filter(|s| s.review == Review::Rejected && &s.label == label)
            {
                for tag in tags
                    .get_mut(covered(&chunk, s.start..s.end))
                    .unwrap_or_default()
                {
                    *tag = only(O);
                    teaches_something = true;
                }
            }
            // Spans of this label, longest first where they overlap: a token has one tag.
            let mut mine: Vec<_> = spans.iter().filter(|s| &s.label == label).collect();
            mine.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
            let mut taken_to = 0;
            for s in mine {
                let r = covered(&chunk, s.start..s.end);
                if r.is_empty() || r.start < taken_to {
                    continue;
                }
                for (i, tag) in tags
                    .get_mut(r.clone())
                    .unwrap_or_default()
                    .iter_mut()
                    .enumerate()
                {
                    *tag = if i == 0 { only(B) } else { only(I) };
                }
                taken_to = r.end;
            }
            allowed.push(tags);
        }
        if teaches_something {
            out.push(Example {
                doc: doc_id,
                chunk,
                allowed,
            });
        }
    }
    out
}

/// The examples of `docs`, on all cores, in document order.
pub fn examples_of(project: &Project, docs: &[DocId], labels: &[String]) -> Vec<Example> {
    super::parallel_map(docs, |&d| {
        project
            .doc(d)
            .map(|doc| examples(d, doc, labels))
            .unwrap_or_default()
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;
    use crate::model::project::testing::{doc, span};

    fn tagged(text: &str, words: &str, label: &str) -> Span {
        let at = text.find(words).unwrap();
        span(at as u64 + 1, at, at + words.len(), label, words)
    }

    #[test]
    fn spans_are_begin_and_inside_and_the_rest_of_a_finished_document_is_outside() {
        let text = "Kamala Harris said no.";
        let mut d = doc("d", text);
        d.set_spans(vec![tagged(text, "Kamala Harris", "speaker")]);
        let ex = examples(DocId(0), &d, &["speaker".into(), "stance".into()]);
        assert_eq!(ex.len(), 1);
        let sp = &ex[0].allowed[0];
        assert_eq!(sp[..3], [only(B), only(I), only(O)]);
        assert!(ex[0].allowed[1].iter().all(|&a| a == only(O)));
    }

    #[test]
    fn in_progress_documents_teach_only_the_paragraphs_touched() {
        let text = "Harris said no.\n\nBiden spoke later.";
        let mut d = doc("d", text);
        d.set_spans(vec![tagged(text, "Harris", "speaker")]);
        d.status = Status::InProgress;
        let ex = examples(DocId(0), &d, &["speaker".into()]);
        assert_eq!(ex.len(), 1, "the untouched paragraph teaches nothing");
        d.status = Status::Done;
        let ex = examples(DocId(0), &d, &["speaker".into()]);
        assert_eq!(ex.len(), 2);
        assert!(ex[1].allowed[0].iter().all(|&a| a == only(O)));
    }
}
