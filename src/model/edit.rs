//! Every change to a project is an [`Edit`] value, applied in exactly one place
//! ([`Project::apply`]), which returns the edit that undoes it. Undo/redo, the unsaved-changes
//! marker and (later) the autosave journal all come from this one funnel.

use crate::model::project::{DocId, Project, Span, SpanId, Status};

/// A change to a project. Applying it yields its inverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    AddSpan {
        doc: DocId,
        span: Span,
    },
    RemoveSpan {
        doc: DocId,
        id: SpanId,
    },
    Relabel {
        doc: DocId,
        id: SpanId,
        label: String,
    },
    SetStatus {
        doc: DocId,
        status: Status,
    },
    /// Several edits that undo and redo as one step.
    Batch(Vec<Edit>),
}

/// Why an edit could not be applied. The project is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no document number {0}")]
    NoDocument(usize),
    #[error("no span {0} in this document")]
    NoSpan(u64),
    #[error("a span with id {0} already exists")]
    DuplicateId(u64),
    #[error("the label `{0}` is not in the schema")]
    UnknownLabel(String),
    #[error("span {start}..{end} is empty, outside the text or not on character boundaries")]
    BadRange { start: usize, end: usize },
    #[error("the span's stored text does not match the document at {start}..{end}")]
    TextMismatch { start: usize, end: usize },
}

impl Edit {
    /// A short description for the status bar and the Edit menu ("Undo add speaker").
    pub fn describe(&self) -> String {
        match self {
            Edit::AddSpan { span, .. } => format!("add {} “{}”", span.label, short(&span.text)),
            Edit::RemoveSpan { .. } => "delete span".to_owned(),
            Edit::Relabel { label, .. } => format!("relabel as {label}"),
            Edit::SetStatus { status, .. } => format!("mark {}", status.name()),
            Edit::Batch(edits) => match edits.as_slice() {
                [only] => only.describe(),
                [first, ..] => first.describe(),
                [] => "nothing".to_owned(),
            },
        }
    }

    /// The document and span a user should see after this edit is applied (or undone), so
    /// that undo shows what it changed.
    pub fn focus(&self) -> Option<(DocId, Option<SpanId>)> {
        match self {
            Edit::AddSpan { doc, span } => Some((*doc, Some(span.id))),
            Edit::Relabel { doc, id, .. } => Some((*doc, Some(*id))),
            Edit::RemoveSpan { doc, .. } | Edit::SetStatus { doc, .. } => Some((*doc, None)),
            Edit::Batch(edits) => {
                let mut focus = None;
                for e in edits {
                    match (e.focus(), focus) {
                        (Some((d, Some(s))), _) => return Some((d, Some(s))),
                        (Some(f), None) => focus = Some(f),
                        _ => {}
                    }
                }
                focus
            }
        }
    }
}

fn short(text: &str) -> String {
    crate::model::text::excerpt(text, 40)
}

impl Project {
    /// Applies an edit and returns its inverse. On error nothing has changed.
    pub fn apply(&mut self, edit: Edit) -> Result<Edit, EditError> {
        match edit {
            Edit::AddSpan { doc, span } => {
                self.check_new_span(doc, &span)?;
                let inverse = Edit::RemoveSpan { doc, id: span.id };
                self.doc_mut(doc)
                    .ok_or(EditError::NoDocument(doc.0))?
                    .insert_span(span);
                Ok(inverse)
            }
            Edit::RemoveSpan { doc, id } => {
                let d = self.doc_mut(doc).ok_or(EditError::NoDocument(doc.0))?;
                let span = d.remove_span(id).ok_or(EditError::NoSpan(id.0))?;
                Ok(Edit::AddSpan { doc, span })
            }
            Edit::Relabel { doc, id, label } => {
                if self.schema.label(&label).is_none() {
                    return Err(EditError::UnknownLabel(label));
                }
                let d = self.doc_mut(doc).ok_or(EditError::NoDocument(doc.0))?;
                let span = d.span_mut(id).ok_or(EditError::NoSpan(id.0))?;
                let old = std::mem::replace(&mut span.label, label);
                Ok(Edit::Relabel {
                    doc,
                    id,
                    label: old,
                })
            }
            Edit::SetStatus { doc, status } => {
                let d = self.doc_mut(doc).ok_or(EditError::NoDocument(doc.0))?;
                let old = std::mem::replace(&mut d.status, status);
                d.touch();
                Ok(Edit::SetStatus { doc, status: old })
            }
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for e in edits {
                    match self.apply(e) {
                        Ok(inv) => inverses.push(inv),
                        Err(err) => {
                            // Roll back what was applied so the batch is all or nothing.
                            for inv in inverses.into_iter().rev() {
                                // Inverses of edits that just succeeded cannot fail.
                                let _ = self.apply(inv);
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Ok(Edit::Batch(inverses))
            }
        }
    }

    fn check_new_span(&self, doc: DocId, span: &Span) -> Result<(), EditError> {
        let d = self.doc(doc).ok_or(EditError::NoDocument(doc.0))?;
        let bad_range = EditError::BadRange {
            start: span.start,
            end: span.end,
        };
        if span.start >= span.end {
            return Err(bad_range);
        }
        let covered = d.text.get(span.start..span.end).ok_or(bad_range)?;
        if covered != span.text {
            return Err(EditError::TextMismatch {
                start: span.start,
                end: span.end,
            });
        }
        if self.schema.label(&span.label).is_none() {
            return Err(EditError::UnknownLabel(span.label.clone()));
        }
        if self
            .documents
            .iter()
            .any(|d| d.span_by_id(span.id).is_some())
        {
            return Err(EditError::DuplicateId(span.id.0));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::project::{DocSource, Document};
    use crate::model::schema::Schema;

    fn project() -> Project {
        let text = "“Ukraine must have a say,” Harris 😀 insisted.";
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            String::new(),
            text.into(),
        );
        Project::new("t".into(), Schema::default(), vec![doc])
    }

    fn add(p: &mut Project, word: &str, label: &str) -> Edit {
        let start = p.documents[0].text.find(word).unwrap();
        let span = p
            .make_span(DocId(0), start, start + word.len(), label)
            .unwrap();
        Edit::AddSpan {
            doc: DocId(0),
            span,
        }
    }

    /// Applies `edit`, then its inverse, and checks we are back where we started, then
    /// re-applies the inverse's inverse and checks we got the edited state again.
    fn round_trip(p: &mut Project, edit: Edit) {
        let before = p.documents[0].spans().to_vec();
        let before_status = p.documents[0].status;
        let inverse = p.apply(edit).unwrap();
        let after = p.documents[0].spans().to_vec();
        let after_status = p.documents[0].status;
        let redo = p.apply(inverse).unwrap();
        assert_eq!(p.documents[0].spans(), before.as_slice());
        assert_eq!(p.documents[0].status, before_status);
        p.apply(redo).unwrap();
        assert_eq!(p.documents[0].spans(), after.as_slice());
        assert_eq!(p.documents[0].status, after_status);
    }

    #[test]
    fn every_edit_round_trips_through_its_inverse() {
        let mut p = project();
        let e = add(&mut p, "Harris", "speaker");
        round_trip(&mut p, e);
        let id = p.documents[0].spans()[0].id;
        round_trip(
            &mut p,
            Edit::Relabel {
                doc: DocId(0),
                id,
                label: "stance".into(),
            },
        );
        round_trip(&mut p, Edit::RemoveSpan { doc: DocId(0), id });
        round_trip(
            &mut p,
            Edit::SetStatus {
                doc: DocId(0),
                status: Status::Done,
            },
        );
        let a = add(&mut p, "Ukraine", "event");
        let b = add(&mut p, "😀", "event");
        round_trip(&mut p, Edit::Batch(vec![a, b]));
    }

    #[test]
    fn invalid_edits_change_nothing() {
        let mut p = project();
        let mut bad = add(&mut p, "Harris", "speaker");
        if let Edit::AddSpan { span, .. } = &mut bad {
            span.start += 1;
        }
        assert!(matches!(p.apply(bad), Err(EditError::TextMismatch { .. })));
        let emoji = p.documents[0].text.find('😀').unwrap();
        let mut split = add(&mut p, "Harris", "speaker");
        if let Edit::AddSpan { span, .. } = &mut split {
            span.start = emoji + 1;
            span.end = emoji + 3;
        }
        assert!(matches!(p.apply(split), Err(EditError::BadRange { .. })));
        let unknown = add(&mut p, "Harris", "villain");
        assert!(matches!(p.apply(unknown), Err(EditError::UnknownLabel(_))));
        // A batch whose second edit fails leaves the first one unapplied.
        let ok = add(&mut p, "Harris", "speaker");
        let dup = ok.clone();
        assert!(matches!(
            p.apply(Edit::Batch(vec![ok, dup])),
            Err(EditError::DuplicateId(_))
        ));
        assert!(p.documents[0].spans().is_empty());
    }

    #[test]
    fn nested_and_overlapping_spans_coexist() {
        let mut p = project();
        let outer = add(&mut p, "“Ukraine must have a say,”", "stance");
        let inner = add(&mut p, "Ukraine", "event");
        p.apply(outer).unwrap();
        p.apply(inner).unwrap();
        assert_eq!(p.documents[0].spans().len(), 2);
        assert_eq!(p.documents[0].spans()[0].label, "stance");
    }
}
