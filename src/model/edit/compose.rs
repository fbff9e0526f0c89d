//! Edits built from several, in the model rather than in the window, so every path that
//! makes them (keys, menus, the CLI, suggestions) follows the same rules.
//!
//! The rule that lives here: **a document that gets spans is in progress.** Tagging by hand,
//! tagging every match, accepting a suggestion and fixing a consistency finding all add
//! spans; [`Project::with_progress`] adds the status change to the same undo step.

use super::Edit;
use crate::model::project::{DocId, Project, SpanKey, Status};
use std::collections::BTreeSet;

impl Project {
    /// `edits` as one batch, plus "in progress" for every new document they add a span to.
    pub fn with_progress(&self, mut edits: Vec<Edit>) -> Edit {
        let mut started = BTreeSet::new();
        for e in &edits {
            collect_new_span_docs(e, &mut started);
        }
        started.retain(|d| self.doc(*d).is_some_and(|d| d.status == Status::New));
        edits.extend(started.into_iter().map(|doc| Edit::SetStatus {
            doc,
            status: Status::InProgress,
        }));
        Edit::Batch(edits)
    }

    /// The edit that tags `start..end` of `doc` with `label` (by `annotator`), and where the
    /// new span will be. `None` when the range is not a valid span.
    pub fn tag_edit(
        &self,
        doc: DocId,
        start: usize,
        end: usize,
        label: &str,
        annotator: Option<&str>,
    ) -> Option<(Edit, SpanKey)> {
        let mut span = self.make_span(doc, start, end, label)?;
        span.annotator = annotator.map(str::to_owned);
        let key = span.key();
        Some((self.with_progress(vec![Edit::AddSpan { doc, span }]), key))
    }
}

fn collect_new_span_docs(edit: &Edit, out: &mut BTreeSet<DocId>) {
    match edit {
        Edit::AddSpan { doc, .. } => {
            out.insert(*doc);
        }
        Edit::Batch(edits) => {
            for e in edits {
                collect_new_span_docs(e, out);
            }
        }
        _ => {}
    }
}
