//! Every change to a project is an [`Edit`] value, applied in exactly one place
//! ([`Project::apply`]), which returns the edit that undoes it. Undo/redo, the unsaved-changes
//! marker and the autosave journal all come from this one funnel.
//!
//! `apply` also keeps the project consistent whatever the caller does: a span's stored text
//! always matches the document, attribute values and relations always fit the schema, and
//! deleting a span deletes its relations (and undo brings them back). The rules themselves
//! live in [`crate::model::check`]; each family of edits has its applier here:
//!
//! - `span.rs`: add, remove, relabel, resize, attributes and notes of spans;
//! - `relation.rs`: add and remove relations;
//! - `suggestion.rs`: the suggestion layer and review decisions;
//! - `document.rs`: status, spans set aside, the suggestion command;
//! - `schema.rs`: replacing the schema and renaming in it;
//! - `compose.rs`: edits built from several (the first span marks a document in progress,
//!   accepting many suggestions as one step);
//! - `remap.rs`: edits made on one version of a project applied to another (ids made fresh
//!   where the other version already uses them).

mod compose;
mod document;
mod relation;
mod remap;
mod schema;
mod span;
mod suggestion;
#[cfg(test)]
mod tests;

pub use crate::model::check::EditError;
use crate::model::project::{
    DocId, Document, Project, Relation, Review, Span, SpanId, Status, Suggestion,
};
use crate::model::schema::Schema;
pub use remap::IdMap;

/// A change to a project. Applying it yields its inverse. Serializable: the autosave
/// journal records every applied edit, to replay them after a crash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Edit {
    AddSpan {
        doc: DocId,
        span: Span,
    },
    /// Removes the span and every relation that starts or ends at it.
    RemoveSpan {
        doc: DocId,
        id: SpanId,
    },
    /// Changes the label and, with it, the attributes (which belong to the label).
    Relabel {
        doc: DocId,
        id: SpanId,
        label: String,
        attrs: crate::model::Attrs,
    },
    /// Moves a span's boundaries; its stored text follows.
    Resize {
        doc: DocId,
        id: SpanId,
        start: usize,
        end: usize,
    },
    /// Gives a span its pieces: one range makes it contiguous, several (sorted, apart)
    /// discontinuous; its stored texts follow.
    SetFragments {
        doc: DocId,
        id: SpanId,
        pieces: Vec<std::ops::Range<usize>>,
    },
    /// Sets (or with `None`, removes) one attribute value.
    SetAttr {
        doc: DocId,
        id: SpanId,
        name: String,
        value: Option<String>,
    },
    SetNote {
        doc: DocId,
        id: SpanId,
        note: Option<String>,
    },
    AddRelation {
        doc: DocId,
        relation: Relation,
    },
    RemoveRelation {
        doc: DocId,
        id: SpanId,
    },
    SetStatus {
        doc: DocId,
        status: Status,
    },
    AddSuggestion {
        doc: DocId,
        suggestion: Suggestion,
    },
    RemoveSuggestion {
        doc: DocId,
        id: SpanId,
    },
    /// Marks a suggestion accepted (with the span it became), rejected or pending again.
    SetReview {
        doc: DocId,
        id: SpanId,
        review: Review,
        span: Option<SpanId>,
    },
    /// Replaces the schema; every span and relation must still fit it.
    SetSchema(Box<Schema>),
    /// Sets (or clears) the project's suggestion command.
    SetSuggestCommand(Option<String>),
    /// Deletes a span that was set aside because its text left the document, with its
    /// relations (placing it again is this plus an `AddSpan`, see
    /// [`Project::place_unanchored_edit`]).
    DropUnanchored {
        doc: DocId,
        id: SpanId,
    },
    /// Puts such a span (and its relations) back aside: the inverse of `DropUnanchored`.
    RestoreUnanchored {
        doc: DocId,
        span: Span,
        relations: Vec<Relation>,
    },
    /// Renames a label in the schema and on every span.
    RenameLabel {
        from: String,
        to: String,
    },
    /// Renames an attribute of a label in the schema and on every span of that label.
    RenameAttribute {
        label: String,
        from: String,
        to: String,
    },
    /// Renames a relation type in the schema and on every relation.
    RenameRelationType {
        from: String,
        to: String,
    },
    /// Several edits that undo and redo as one step.
    Batch(Vec<Edit>),
}

impl Edit {
    /// A short description for the status bar and the Edit menu ("Undo add speaker").
    pub fn describe(&self) -> String {
        match self {
            Edit::AddSpan { span, .. } => format!("add {} “{}”", span.label, short(&span.text)),
            Edit::RemoveSpan { .. } => "delete span".to_owned(),
            Edit::Relabel { label, .. } => format!("relabel as {label}"),
            Edit::Resize { .. } => "resize span".to_owned(),
            Edit::SetFragments { pieces, .. } if pieces.len() > 1 => {
                format!("make a span of {} fragments", pieces.len())
            }
            Edit::SetFragments { .. } => "make a span contiguous".to_owned(),
            Edit::SetAttr {
                name,
                value: Some(v),
                ..
            } => format!("set {name} to {}", short(v)),
            Edit::SetAttr {
                name, value: None, ..
            } => format!("clear {name}"),
            Edit::SetNote { .. } => "edit note".to_owned(),
            Edit::AddRelation { relation, .. } => format!("link {}", relation.kind),
            Edit::RemoveRelation { .. } => "delete relation".to_owned(),
            Edit::SetStatus { status, .. } => format!("mark {}", status.name()),
            Edit::AddSuggestion { suggestion, .. } => {
                format!("suggest {} “{}”", suggestion.label, short(&suggestion.text))
            }
            Edit::RemoveSuggestion { .. } => "remove suggestion".to_owned(),
            Edit::SetReview {
                review: Review::Accepted,
                ..
            } => "accept suggestion".to_owned(),
            Edit::SetReview {
                review: Review::Rejected,
                ..
            } => "reject suggestion".to_owned(),
            Edit::SetReview {
                review: Review::Pending,
                ..
            } => "reopen suggestion".to_owned(),
            Edit::SetSchema(_) => "change schema".to_owned(),
            Edit::SetSuggestCommand(_) => "set suggestion command".to_owned(),
            Edit::DropUnanchored { .. } => "delete a span set aside".to_owned(),
            Edit::RestoreUnanchored { .. } => "set a span aside".to_owned(),
            Edit::RenameLabel { from, to } => format!("rename label {from} to {to}"),
            Edit::RenameAttribute { from, to, .. } => format!("rename attribute {from} to {to}"),
            Edit::RenameRelationType { from, to } => format!("rename relation {from} to {to}"),
            Edit::Batch(edits) => match edits.as_slice() {
                [] => "nothing".to_owned(),
                [only] => only.describe(),
                [first, rest @ ..]
                    if rest
                        .iter()
                        .all(|e| std::mem::discriminant(e) == std::mem::discriminant(first)) =>
                {
                    match first {
                        Edit::AddSpan { span, .. } => {
                            format!("add {} {} spans", edits.len(), span.label)
                        }
                        Edit::RemoveSpan { .. } => format!("delete {} spans", edits.len()),
                        _ => first.describe(),
                    }
                }
                [first, ..] => first.describe(),
            },
        }
    }

    /// The document and span a user should see after this edit is applied (or undone), so
    /// that undo shows what it changed.
    pub fn focus(&self) -> Option<(DocId, Option<SpanId>)> {
        match self {
            Edit::AddSpan { doc, span } => Some((*doc, Some(span.id))),
            Edit::Relabel { doc, id, .. }
            | Edit::Resize { doc, id, .. }
            | Edit::SetFragments { doc, id, .. }
            | Edit::SetAttr { doc, id, .. }
            | Edit::SetNote { doc, id, .. } => Some((*doc, Some(*id))),
            Edit::AddRelation { doc, relation } => Some((*doc, Some(relation.from))),
            Edit::AddSuggestion { doc, .. }
            | Edit::RemoveSuggestion { doc, .. }
            | Edit::SetReview { doc, .. } => Some((*doc, None)),
            Edit::RemoveSpan { doc, .. }
            | Edit::RemoveRelation { doc, .. }
            | Edit::SetStatus { doc, .. } => Some((*doc, None)),
            Edit::DropUnanchored { doc, .. } | Edit::RestoreUnanchored { doc, .. } => {
                Some((*doc, None))
            }
            Edit::SetSchema(_)
            | Edit::SetSuggestCommand(_)
            | Edit::RenameLabel { .. }
            | Edit::RenameAttribute { .. }
            | Edit::RenameRelationType { .. } => None,
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
    /// Applies an edit and returns its inverse. On error nothing has changed. The one place
    /// a project changes: each family of edits has its applier in this folder.
    pub fn apply(&mut self, edit: Edit) -> Result<Edit, EditError> {
        match edit {
            Edit::AddSpan { doc, span } => self.add_span(doc, span),
            Edit::RemoveSpan { doc, id } => self.remove_span(doc, id),
            Edit::Relabel {
                doc,
                id,
                label,
                attrs,
            } => self.relabel(doc, id, label, attrs),
            Edit::Resize {
                doc,
                id,
                start,
                end,
            } => self.resize(doc, id, start, end),
            Edit::SetFragments { doc, id, pieces } => self.set_fragments(doc, id, pieces),
            Edit::SetAttr {
                doc,
                id,
                name,
                value,
            } => self.set_attr(doc, id, name, value),
            Edit::SetNote { doc, id, note } => self.set_note(doc, id, note),
            Edit::AddRelation { doc, relation } => self.add_relation(doc, relation),
            Edit::RemoveRelation { doc, id } => self.remove_relation(doc, id),
            Edit::SetStatus { doc, status } => self.set_status(doc, status),
            Edit::AddSuggestion { doc, suggestion } => self.add_suggestion(doc, suggestion),
            Edit::RemoveSuggestion { doc, id } => self.remove_suggestion(doc, id),
            Edit::SetReview {
                doc,
                id,
                review,
                span,
            } => self.set_review(doc, id, review, span),
            Edit::SetSchema(schema) => self.set_schema(*schema),
            Edit::SetSuggestCommand(command) => Ok(self.set_suggest_command(command)),
            Edit::DropUnanchored { doc, id } => self.drop_unanchored(doc, id),
            Edit::RestoreUnanchored {
                doc,
                span,
                relations,
            } => self.restore_unanchored(doc, span, relations),
            Edit::RenameLabel { from, to } => self.rename_label(from, to),
            Edit::RenameAttribute { label, from, to } => self.rename_attribute(label, from, to),
            Edit::RenameRelationType { from, to } => self.rename_relation_type(from, to),
            Edit::Batch(edits) => self.apply_batch(edits),
        }
    }

    /// Applies every edit or none: a failure rolls back what was applied before it.
    fn apply_batch(&mut self, edits: Vec<Edit>) -> Result<Edit, EditError> {
        let mut inverses = Vec::with_capacity(edits.len());
        for e in edits {
            match self.apply(e) {
                Ok(inv) => inverses.push(inv),
                Err(err) => {
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

    fn document_mut(&mut self, doc: DocId) -> Result<&mut Document, EditError> {
        self.doc_mut(doc).ok_or(EditError::NoDocument(doc.0))
    }

    fn document(&self, doc: DocId) -> Result<&Document, EditError> {
        self.doc(doc).ok_or(EditError::NoDocument(doc.0))
    }
}
