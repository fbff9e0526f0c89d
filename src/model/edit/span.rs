//! Applying span edits: add, remove (with the span's relations), relabel, resize, set an
//! attribute or the note. Each returns the edit that undoes it.

use super::{Edit, EditError};
use crate::model::attrs::Attrs;
use crate::model::check;
use crate::model::project::{DocId, Project, Span, SpanId};
use std::sync::Arc;

impl Project {
    pub(super) fn add_span(&mut self, doc: DocId, span: Span) -> Result<Edit, EditError> {
        let d = self.document(doc)?;
        check::span_text(&d.text, &span)?;
        check::attrs(&self.schema, &span.label, &span.attrs)?;
        check::id(span.id)?;
        if d.has_id(span.id) {
            return Err(EditError::DuplicateId(span.id.0));
        }
        let inverse = Edit::RemoveSpan { doc, id: span.id };
        self.document_mut(doc)?.insert_span(span);
        Ok(inverse)
    }

    pub(super) fn remove_span(&mut self, doc: DocId, id: SpanId) -> Result<Edit, EditError> {
        let d = self.document_mut(doc)?;
        d.span_by_id(id).ok_or(EditError::NoSpan(id.0))?;
        let linked: Vec<SpanId> = d.relations_of(id).map(|r| r.id).collect();
        let mut relations = Vec::with_capacity(linked.len());
        for rid in linked {
            if let Some(r) = d.remove_relation(rid) {
                relations.push(Edit::AddRelation { doc, relation: r });
            }
        }
        let span = d.remove_span(id).ok_or(EditError::NoSpan(id.0))?;
        if relations.is_empty() {
            return Ok(Edit::AddSpan { doc, span });
        }
        let mut restore = Vec::with_capacity(relations.len() + 1);
        restore.push(Edit::AddSpan { doc, span });
        restore.extend(relations);
        Ok(Edit::Batch(restore))
    }

    pub(super) fn relabel(
        &mut self,
        doc: DocId,
        id: SpanId,
        label: String,
        attrs: Attrs,
    ) -> Result<Edit, EditError> {
        check::attrs(&self.schema, &label, &attrs)?;
        let d = self.document(doc)?;
        d.span_by_id(id).ok_or(EditError::NoSpan(id.0))?;
        // Relations at this span must still fit its new label.
        let label_of = |sid: SpanId| {
            if sid == id {
                Some(label.as_str())
            } else {
                d.span_by_id(sid).map(|s| s.label.as_str())
            }
        };
        for r in d.relations_of(id) {
            check::relation(&self.schema, r, label_of)?;
        }
        let span = self
            .document_mut(doc)?
            .span_mut(id)
            .ok_or(EditError::NoSpan(id.0))?;
        let old_label = std::mem::replace(&mut span.label, label);
        let old_attrs = std::mem::replace(&mut span.attrs, attrs);
        Ok(Edit::Relabel {
            doc,
            id,
            label: old_label,
            attrs: old_attrs,
        })
    }

    /// Moves a span's outer boundaries: a discontinuous span's first piece starts and its
    /// last piece ends there.
    pub(super) fn resize(
        &mut self,
        doc: DocId,
        id: SpanId,
        start: usize,
        end: usize,
    ) -> Result<Edit, EditError> {
        let d = self.document(doc)?;
        let old = d.span_by_id(id).ok_or(EditError::NoSpan(id.0))?;
        let mut pieces: Vec<_> = old.pieces().collect();
        if let Some(first) = pieces.first_mut() {
            first.start = start;
        }
        if let Some(last) = pieces.last_mut() {
            last.end = end;
        }
        check::covered(&d.text, start, end)?;
        let inverse = Edit::Resize {
            doc,
            id,
            start: old.start,
            end: old.end,
        };
        self.reshape(doc, id, &pieces)?;
        Ok(inverse)
    }

    /// Gives a span new pieces (one: contiguous; several: discontinuous).
    pub(super) fn set_fragments(
        &mut self,
        doc: DocId,
        id: SpanId,
        pieces: Vec<std::ops::Range<usize>>,
    ) -> Result<Edit, EditError> {
        let old = self
            .document(doc)?
            .span_by_id(id)
            .ok_or(EditError::NoSpan(id.0))?
            .pieces()
            .collect();
        self.reshape(doc, id, &pieces)?;
        Ok(Edit::SetFragments {
            doc,
            id,
            pieces: old,
        })
    }

    fn reshape(
        &mut self,
        doc: DocId,
        id: SpanId,
        pieces: &[std::ops::Range<usize>],
    ) -> Result<(), EditError> {
        let d = self.document_mut(doc)?;
        check::pieces(&d.text, pieces)?;
        let mut span = d.remove_span(id).ok_or(EditError::NoSpan(id.0))?;
        let text = Arc::clone(&d.text);
        span.set_pieces(&text, pieces);
        d.insert_span(span);
        Ok(())
    }

    pub(super) fn set_attr(
        &mut self,
        doc: DocId,
        id: SpanId,
        name: String,
        value: Option<String>,
    ) -> Result<Edit, EditError> {
        let label = self
            .document(doc)?
            .span_by_id(id)
            .ok_or(EditError::NoSpan(id.0))?
            .label
            .clone();
        let a = check::label(&self.schema, &label)?
            .attribute(&name)
            .ok_or_else(|| EditError::UnknownAttribute {
                label: label.clone(),
                name: name.clone(),
            })?;
        let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(v) = &value
            && !a.accepts(v)
        {
            return Err(EditError::BadValue {
                name,
                value: v.clone(),
            });
        }
        let span = self
            .document_mut(doc)?
            .span_mut(id)
            .ok_or(EditError::NoSpan(id.0))?;
        let old = match value {
            Some(v) => span.attrs.insert(name.clone(), v),
            None => span.attrs.remove(&name),
        };
        Ok(Edit::SetAttr {
            doc,
            id,
            name,
            value: old,
        })
    }

    pub(super) fn set_note(
        &mut self,
        doc: DocId,
        id: SpanId,
        note: Option<String>,
    ) -> Result<Edit, EditError> {
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        let span = self
            .document_mut(doc)?
            .span_mut(id)
            .ok_or(EditError::NoSpan(id.0))?;
        let old = std::mem::replace(&mut span.note, note);
        Ok(Edit::SetNote { doc, id, note: old })
    }

    /// The edit that gives span `id` a new label: attribute values the new label does not
    /// have are dropped, and relations that no longer fit are deleted, in one undo step.
    /// `None` when the span already has that label (or does not exist).
    pub fn relabel_edit(&self, doc: DocId, id: SpanId, label: &str) -> Option<Edit> {
        let d = self.doc(doc)?;
        let span = d.span_by_id(id)?;
        if span.label == label {
            return None;
        }
        let def = self.schema.label(label)?;
        let attrs = check::fitting_attrs(Some(def), &span.attrs);
        let label_of = |sid: SpanId| {
            if sid == id {
                Some(label)
            } else {
                d.span_by_id(sid).map(|s| s.label.as_str())
            }
        };
        let mut edits: Vec<Edit> = d
            .relations_of(id)
            .filter(|r| check::relation(&self.schema, r, label_of).is_err())
            .map(|r| Edit::RemoveRelation { doc, id: r.id })
            .collect();
        let relabel = Edit::Relabel {
            doc,
            id,
            label: label.to_owned(),
            attrs,
        };
        Some(if edits.is_empty() {
            relabel
        } else {
            edits.push(relabel);
            Edit::Batch(edits)
        })
    }
}
