//! Every change to a project is an [`Edit`] value, applied in exactly one place
//! ([`Project::apply`]), which returns the edit that undoes it. Undo/redo, the unsaved-changes
//! marker and the autosave journal all come from this one funnel.
//!
//! `apply` also keeps the project consistent whatever the caller does: a span's stored text
//! always matches the document, attribute values and relations always fit the schema, and
//! deleting a span deletes its relations (and undo brings them back).

use crate::model::project::{
    DocId, Document, Project, Relation, Review, Span, SpanId, Status, Suggestion,
};
use crate::model::schema::Schema;

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

/// Why an edit could not be applied. The project is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no document number {0}")]
    NoDocument(usize),
    #[error("no span {0} in this document")]
    NoSpan(u64),
    #[error("no relation {0} in this document")]
    NoRelation(u64),
    #[error("id {0} is already used")]
    DuplicateId(u64),
    #[error("the label `{0}` is not in the schema")]
    UnknownLabel(String),
    #[error("span {start}..{end} is empty, outside the text or not on character boundaries")]
    BadRange { start: usize, end: usize },
    #[error("the span's stored text does not match the document at {start}..{end}")]
    TextMismatch { start: usize, end: usize },
    #[error("`{label}` spans have no attribute `{name}`")]
    UnknownAttribute { label: String, name: String },
    #[error("`{value}` is not a value of the attribute `{name}`")]
    BadValue { name: String, value: String },
    #[error("there is no relation type `{0}`")]
    UnknownRelationType(String),
    #[error("a `{kind}` relation goes from a `{from}` span to a `{to}` span")]
    RelationEnds {
        kind: String,
        from: String,
        to: String,
    },
    #[error("`{0}` is already taken")]
    NameTaken(String),
    #[error("the new schema does not fit the annotations: {0}")]
    SchemaMismatch(String),
}

impl Edit {
    /// A short description for the status bar and the Edit menu ("Undo add speaker").
    pub fn describe(&self) -> String {
        match self {
            Edit::AddSpan { span, .. } => format!("add {} “{}”", span.label, short(&span.text)),
            Edit::RemoveSpan { .. } => "delete span".to_owned(),
            Edit::Relabel { label, .. } => format!("relabel as {label}"),
            Edit::Resize { .. } => "resize span".to_owned(),
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

/// Checks attribute values against a label's definition.
pub fn check_attrs(
    schema: &Schema,
    label: &str,
    attrs: &crate::model::Attrs,
) -> Result<(), EditError> {
    let def = schema
        .label(label)
        .ok_or_else(|| EditError::UnknownLabel(label.to_owned()))?;
    for (name, value) in attrs {
        let a = def
            .attribute(name)
            .ok_or_else(|| EditError::UnknownAttribute {
                label: label.to_owned(),
                name: name.clone(),
            })?;
        if !a.accepts(value) {
            return Err(EditError::BadValue {
                name: name.clone(),
                value: value.clone(),
            });
        }
    }
    Ok(())
}

/// Checks that a relation fits the schema and the document's spans.
pub fn check_relation(schema: &Schema, doc: &Document, r: &Relation) -> Result<(), EditError> {
    let t = schema
        .relation(&r.kind)
        .ok_or_else(|| EditError::UnknownRelationType(r.kind.clone()))?;
    let from = doc.span_by_id(r.from).ok_or(EditError::NoSpan(r.from.0))?;
    let to = doc.span_by_id(r.to).ok_or(EditError::NoSpan(r.to.0))?;
    if !t.fits(&from.label, &to.label) {
        return Err(EditError::RelationEnds {
            kind: t.name.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
        });
    }
    Ok(())
}

/// Checks that every annotation of the project fits `schema`.
fn check_schema_fits(project: &Project, schema: &Schema) -> Result<(), EditError> {
    let mismatch = |e: EditError| EditError::SchemaMismatch(e.to_string());
    for d in &project.documents {
        for s in d.spans() {
            check_attrs(schema, &s.label, &s.attrs).map_err(mismatch)?;
        }
        for r in d.relations() {
            check_relation(schema, d, r).map_err(mismatch)?;
        }
        for s in d.suggestions() {
            if schema.label(&s.label).is_none() {
                return Err(mismatch(EditError::UnknownLabel(s.label.clone())));
            }
        }
    }
    Ok(())
}

impl Project {
    fn document_mut(&mut self, doc: DocId) -> Result<&mut Document, EditError> {
        self.doc_mut(doc).ok_or(EditError::NoDocument(doc.0))
    }

    fn document(&self, doc: DocId) -> Result<&Document, EditError> {
        self.doc(doc).ok_or(EditError::NoDocument(doc.0))
    }

    fn span(&self, doc: DocId, id: SpanId) -> Result<&Span, EditError> {
        self.document(doc)?
            .span_by_id(id)
            .ok_or(EditError::NoSpan(id.0))
    }

    /// Applies an edit and returns its inverse. On error nothing has changed.
    pub fn apply(&mut self, edit: Edit) -> Result<Edit, EditError> {
        match edit {
            Edit::AddSpan { doc, span } => {
                self.check_new_span(doc, &span)?;
                let inverse = Edit::RemoveSpan { doc, id: span.id };
                self.document_mut(doc)?.insert_span(span);
                Ok(inverse)
            }
            Edit::RemoveSpan { doc, id } => {
                let d = self.document_mut(doc)?;
                d.span_by_id(id).ok_or(EditError::NoSpan(id.0))?;
                let linked: Vec<SpanId> = d.relations_of(id).map(|r| r.id).collect();
                let mut restore = Vec::with_capacity(linked.len() + 1);
                let mut relations = Vec::with_capacity(linked.len());
                for rid in linked {
                    if let Some(r) = d.remove_relation(rid) {
                        relations.push(Edit::AddRelation { doc, relation: r });
                    }
                }
                let span = d.remove_span(id).ok_or(EditError::NoSpan(id.0))?;
                restore.push(Edit::AddSpan { doc, span });
                restore.extend(relations);
                Ok(match restore.len() {
                    1 => restore.remove(0),
                    _ => Edit::Batch(restore),
                })
            }
            Edit::Relabel {
                doc,
                id,
                label,
                attrs,
            } => {
                check_attrs(&self.schema, &label, &attrs)?;
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
                    let t = self
                        .schema
                        .relation(&r.kind)
                        .ok_or_else(|| EditError::UnknownRelationType(r.kind.clone()))?;
                    let fits = matches!((label_of(r.from), label_of(r.to)), (Some(a), Some(b)) if t.fits(a, b));
                    if !fits {
                        return Err(EditError::RelationEnds {
                            kind: t.name.clone(),
                            from: t.from.clone(),
                            to: t.to.clone(),
                        });
                    }
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
            Edit::Resize {
                doc,
                id,
                start,
                end,
            } => {
                let d = self.document(doc)?;
                let old = d.span_by_id(id).ok_or(EditError::NoSpan(id.0))?;
                if start >= end {
                    return Err(EditError::BadRange { start, end });
                }
                let text = d
                    .text
                    .get(start..end)
                    .ok_or(EditError::BadRange { start, end })?
                    .to_owned();
                let inverse = Edit::Resize {
                    doc,
                    id,
                    start: old.start,
                    end: old.end,
                };
                let d = self.document_mut(doc)?;
                let mut span = d.remove_span(id).ok_or(EditError::NoSpan(id.0))?;
                span.start = start;
                span.end = end;
                span.text = text;
                d.insert_span(span);
                Ok(inverse)
            }
            Edit::SetAttr {
                doc,
                id,
                name,
                value,
            } => {
                let label = self.span(doc, id)?.label.clone();
                let def = self
                    .schema
                    .label(&label)
                    .ok_or_else(|| EditError::UnknownLabel(label.clone()))?;
                let a = def
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
            Edit::SetNote { doc, id, note } => {
                let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
                let span = self
                    .document_mut(doc)?
                    .span_mut(id)
                    .ok_or(EditError::NoSpan(id.0))?;
                let old = std::mem::replace(&mut span.note, note);
                Ok(Edit::SetNote { doc, id, note: old })
            }
            Edit::AddRelation { doc, relation } => {
                let d = self.document(doc)?;
                check_relation(&self.schema, d, &relation)?;
                if d.has_id(relation.id) {
                    return Err(EditError::DuplicateId(relation.id.0));
                }
                let inverse = Edit::RemoveRelation {
                    doc,
                    id: relation.id,
                };
                self.document_mut(doc)?.insert_relation(relation);
                Ok(inverse)
            }
            Edit::RemoveRelation { doc, id } => {
                let relation = self
                    .document_mut(doc)?
                    .remove_relation(id)
                    .ok_or(EditError::NoRelation(id.0))?;
                Ok(Edit::AddRelation { doc, relation })
            }
            Edit::SetStatus { doc, status } => {
                let d = self.document_mut(doc)?;
                let old = std::mem::replace(&mut d.status, status);
                d.touch();
                Ok(Edit::SetStatus { doc, status: old })
            }
            Edit::AddSuggestion { doc, suggestion } => {
                let d = self.document(doc)?;
                let range = EditError::BadRange {
                    start: suggestion.start,
                    end: suggestion.end,
                };
                if suggestion.start >= suggestion.end {
                    return Err(range);
                }
                if d.text.get(suggestion.start..suggestion.end).ok_or(range)? != suggestion.text {
                    return Err(EditError::TextMismatch {
                        start: suggestion.start,
                        end: suggestion.end,
                    });
                }
                if self.schema.label(&suggestion.label).is_none() {
                    return Err(EditError::UnknownLabel(suggestion.label));
                }
                if d.has_id(suggestion.id) {
                    return Err(EditError::DuplicateId(suggestion.id.0));
                }
                let inverse = Edit::RemoveSuggestion {
                    doc,
                    id: suggestion.id,
                };
                self.document_mut(doc)?.insert_suggestion(suggestion);
                Ok(inverse)
            }
            Edit::RemoveSuggestion { doc, id } => {
                let suggestion = self
                    .document_mut(doc)?
                    .remove_suggestion(id)
                    .ok_or(EditError::NoSpan(id.0))?;
                Ok(Edit::AddSuggestion { doc, suggestion })
            }
            Edit::SetReview {
                doc,
                id,
                review,
                span,
            } => {
                let s = self
                    .document_mut(doc)?
                    .suggestion_mut(id)
                    .ok_or(EditError::NoSpan(id.0))?;
                let old = (
                    std::mem::replace(&mut s.review, review),
                    std::mem::replace(&mut s.span, span),
                );
                Ok(Edit::SetReview {
                    doc,
                    id,
                    review: old.0,
                    span: old.1,
                })
            }
            Edit::SetSchema(schema) => {
                check_schema_fits(self, &schema)?;
                let old = std::mem::replace(&mut self.schema, *schema);
                for d in &mut self.documents {
                    d.touch();
                }
                Ok(Edit::SetSchema(Box::new(old)))
            }
            Edit::DropUnanchored { doc, id } => {
                let d = self.document_mut(doc)?;
                let (span, relations) = d.take_unanchored(id).ok_or(EditError::NoSpan(id.0))?;
                Ok(Edit::RestoreUnanchored {
                    doc,
                    span,
                    relations,
                })
            }
            Edit::RestoreUnanchored {
                doc,
                span,
                relations,
            } => {
                let d = self.document_mut(doc)?;
                if d.has_id(span.id) {
                    return Err(EditError::DuplicateId(span.id.0));
                }
                let id = span.id;
                d.put_unanchored(span, relations);
                Ok(Edit::DropUnanchored { doc, id })
            }
            Edit::SetSuggestCommand(command) => {
                let command = command.filter(|c| !c.trim().is_empty());
                let old = std::mem::replace(&mut self.suggest_command, command);
                Ok(Edit::SetSuggestCommand(old))
            }
            Edit::RenameLabel { from, to } => {
                if self.schema.label(&from).is_none() {
                    return Err(EditError::UnknownLabel(from));
                }
                if to.trim().is_empty() || self.schema.label(&to).is_some() {
                    return Err(EditError::NameTaken(to));
                }
                for l in &mut self.schema.labels {
                    if l.name == from {
                        l.name.clone_from(&to);
                    }
                }
                for r in &mut self.schema.relations {
                    for end in [&mut r.from, &mut r.to] {
                        if *end == from {
                            end.clone_from(&to);
                        }
                    }
                }
                for d in &mut self.documents {
                    d.map_spans(|s| {
                        if s.label == from {
                            s.label.clone_from(&to);
                        }
                    });
                }
                Ok(Edit::RenameLabel { from: to, to: from })
            }
            Edit::RenameAttribute { label, from, to } => {
                let def = self
                    .schema
                    .labels
                    .iter_mut()
                    .find(|l| l.name == label)
                    .ok_or_else(|| EditError::UnknownLabel(label.clone()))?;
                if def.attribute(&from).is_none() {
                    return Err(EditError::UnknownAttribute { label, name: from });
                }
                if to.trim().is_empty() || def.attribute(&to).is_some() {
                    return Err(EditError::NameTaken(to));
                }
                for a in &mut def.attributes {
                    if a.name == from {
                        a.name.clone_from(&to);
                    }
                }
                for d in &mut self.documents {
                    d.map_spans(|s| {
                        if s.label == label
                            && let Some(v) = s.attrs.remove(&from)
                        {
                            s.attrs.insert(to.clone(), v);
                        }
                    });
                }
                Ok(Edit::RenameAttribute {
                    label,
                    from: to,
                    to: from,
                })
            }
            Edit::RenameRelationType { from, to } => {
                if self.schema.relation(&from).is_none() {
                    return Err(EditError::UnknownRelationType(from));
                }
                if to.trim().is_empty() || self.schema.relation(&to).is_some() {
                    return Err(EditError::NameTaken(to));
                }
                for r in &mut self.schema.relations {
                    if r.name == from {
                        r.name.clone_from(&to);
                    }
                }
                for d in &mut self.documents {
                    d.map_relations(|r| {
                        if r.kind == from {
                            r.kind.clone_from(&to);
                        }
                    });
                }
                Ok(Edit::RenameRelationType { from: to, to: from })
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
        let attrs = span
            .attrs
            .iter()
            .filter(|(k, v)| def.attribute(k).is_some_and(|a| a.accepts(v)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let label_of = |sid: SpanId| {
            if sid == id {
                Some(label)
            } else {
                d.span_by_id(sid).map(|s| s.label.as_str())
            }
        };
        let mut edits: Vec<Edit> = d
            .relations_of(id)
            .filter(|r| {
                self.schema.relation(&r.kind).is_none_or(|t| {
                    !matches!((label_of(r.from), label_of(r.to)), (Some(a), Some(b)) if t.fits(a, b))
                })
            })
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

    fn check_new_span(&self, doc: DocId, span: &Span) -> Result<(), EditError> {
        let d = self.document(doc)?;
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
        check_attrs(&self.schema, &span.label, &span.attrs)?;
        if d.has_id(span.id) {
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
        let text = "“Ukraine must have a say,” Harris 😀 insisted at the summit.";
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            String::new(),
            text.into(),
        );
        Project::new("t".into(), Schema::default(), vec![doc])
    }

    fn span(p: &mut Project, word: &str, label: &str) -> Span {
        let start = p.documents[0].text.find(word).unwrap();
        p.make_span(DocId(0), start, start + word.len(), label)
            .unwrap()
    }

    fn add(p: &mut Project, word: &str, label: &str) -> Edit {
        let span = span(p, word, label);
        Edit::AddSpan {
            doc: DocId(0),
            span,
        }
    }

    /// Adds a span and returns its id.
    fn added(p: &mut Project, word: &str, label: &str) -> SpanId {
        let e = add(p, word, label);
        let Edit::AddSpan { span, .. } = &e else {
            unreachable!()
        };
        let id = span.id;
        p.apply(e).unwrap();
        id
    }

    /// Everything an edit can change, to compare states.
    fn state(p: &Project) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            p.schema,
            p.documents[0].spans(),
            p.documents[0].relations(),
            p.documents[0].status
        )
    }

    /// Applies `edit`, then its inverse, and checks we are back where we started, then
    /// re-applies the inverse's inverse and checks we got the edited state again.
    fn round_trip(p: &mut Project, edit: Edit) {
        let before = state(p);
        let inverse = p.apply(edit).unwrap();
        let after = state(p);
        assert_ne!(before, after, "the edit changed something");
        let redo = p.apply(inverse).unwrap();
        assert_eq!(state(p), before);
        p.apply(redo).unwrap();
        assert_eq!(state(p), after);
    }

    fn holds(p: &mut Project, from: SpanId, to: SpanId) -> Relation {
        Relation {
            id: p.allocate_span_id(),
            kind: "holds".into(),
            from,
            to,
        }
    }

    #[test]
    fn every_edit_round_trips_through_its_inverse() {
        let mut p = project();
        let doc = DocId(0);
        let e = add(&mut p, "Harris", "speaker");
        round_trip(&mut p, e);
        let harris = p.documents[0].spans()[0].id;
        let stance = added(&mut p, "Ukraine must have a say", "stance");
        round_trip(
            &mut p,
            Edit::SetAttr {
                doc,
                id: stance,
                name: "polarity".into(),
                value: Some("against".into()),
            },
        );
        round_trip(
            &mut p,
            Edit::SetAttr {
                doc,
                id: stance,
                name: "target".into(),
                value: Some("Trump’s plan for Ukraine".into()),
            },
        );
        round_trip(
            &mut p,
            Edit::SetAttr {
                doc,
                id: stance,
                name: "polarity".into(),
                value: None,
            },
        );
        round_trip(
            &mut p,
            Edit::SetNote {
                doc,
                id: harris,
                note: Some("the Vice President".into()),
            },
        );
        let r = holds(&mut p, harris, stance);
        round_trip(
            &mut p,
            Edit::AddRelation {
                doc,
                relation: r.clone(),
            },
        );
        round_trip(&mut p, Edit::RemoveRelation { doc, id: r.id });
        round_trip(
            &mut p,
            Edit::Resize {
                doc,
                id: stance,
                start: 0,
                end: 30,
            },
        );
        let relabel = p.relabel_edit(doc, harris, "event").unwrap();
        round_trip(&mut p, relabel);
        round_trip(&mut p, Edit::RemoveSpan { doc, id: harris });
        round_trip(
            &mut p,
            Edit::SetStatus {
                doc,
                status: Status::Done,
            },
        );
        let a = add(&mut p, "summit", "event");
        let b = add(&mut p, "😀", "event");
        round_trip(&mut p, Edit::Batch(vec![a, b]));
        round_trip(
            &mut p,
            Edit::RenameLabel {
                from: "stance".into(),
                to: "position".into(),
            },
        );
        round_trip(
            &mut p,
            Edit::RenameAttribute {
                label: "position".into(),
                from: "target".into(),
                to: "about".into(),
            },
        );
        round_trip(
            &mut p,
            Edit::RenameRelationType {
                from: "holds".into(),
                to: "takes".into(),
            },
        );
        let mut schema = p.schema.clone();
        schema.labels[0].color = crate::model::Rgb([1, 2, 3]);
        round_trip(&mut p, Edit::SetSchema(Box::new(schema)));
    }

    #[test]
    fn deleting_a_span_deletes_its_relations_and_undo_brings_both_back() {
        let mut p = project();
        let doc = DocId(0);
        let harris = added(&mut p, "Harris", "speaker");
        let stance = added(&mut p, "Ukraine must have a say", "stance");
        let r = holds(&mut p, harris, stance);
        p.apply(Edit::AddRelation {
            doc,
            relation: r.clone(),
        })
        .unwrap();
        let undo = p.apply(Edit::RemoveSpan { doc, id: stance }).unwrap();
        assert!(p.documents[0].relations().is_empty());
        p.apply(undo).unwrap();
        assert_eq!(p.documents[0].relations(), &[r]);
        assert!(p.documents[0].span_by_id(stance).is_some());
    }

    #[test]
    fn renames_reach_every_span_relation_and_relation_type() {
        let mut p = project();
        let doc = DocId(0);
        let harris = added(&mut p, "Harris", "speaker");
        let stance = added(&mut p, "Ukraine must have a say", "stance");
        p.apply(Edit::SetAttr {
            doc,
            id: stance,
            name: "target".into(),
            value: Some("Ukraine".into()),
        })
        .unwrap();
        let r = holds(&mut p, harris, stance);
        p.apply(Edit::AddRelation { doc, relation: r }).unwrap();
        p.apply(Edit::RenameLabel {
            from: "stance".into(),
            to: "position".into(),
        })
        .unwrap();
        p.apply(Edit::RenameAttribute {
            label: "position".into(),
            from: "target".into(),
            to: "object".into(),
        })
        .unwrap();
        p.apply(Edit::RenameRelationType {
            from: "holds".into(),
            to: "takes".into(),
        })
        .unwrap();
        let s = p.documents[0].span_by_id(stance).unwrap();
        assert_eq!(s.label, "position");
        assert_eq!(s.attrs.get("object").map(String::as_str), Some("Ukraine"));
        assert_eq!(p.documents[0].relations()[0].kind, "takes");
        assert_eq!(p.schema.relation("takes").unwrap().to, "position");
        assert!(matches!(
            p.apply(Edit::RenameLabel {
                from: "event".into(),
                to: "speaker".into()
            }),
            Err(EditError::NameTaken(_))
        ));
    }

    #[test]
    fn invalid_edits_change_nothing() {
        let mut p = project();
        let doc = DocId(0);
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
        // Attribute values are checked against the schema.
        let stance = added(&mut p, "Ukraine must have a say", "stance");
        let wrong_value = Edit::SetAttr {
            doc,
            id: stance,
            name: "polarity".into(),
            value: Some("furious".into()),
        };
        assert!(matches!(
            p.apply(wrong_value),
            Err(EditError::BadValue { .. })
        ));
        let wrong_attr = Edit::SetAttr {
            doc,
            id: stance,
            name: "entity".into(),
            value: Some("x".into()),
        };
        assert!(matches!(
            p.apply(wrong_attr),
            Err(EditError::UnknownAttribute { .. })
        ));
        // Relations must go the schema's way: stance —holds→ speaker is not a thing.
        let harris = added(&mut p, "Harris", "speaker");
        let before_rel = state(&p);
        let backwards = holds(&mut p, stance, harris);
        assert!(matches!(
            p.apply(Edit::AddRelation {
                doc,
                relation: backwards
            }),
            Err(EditError::RelationEnds { .. })
        ));
        assert_eq!(state(&p), before_rel);
        // A schema that drops a label still in use is refused.
        let mut schema = p.schema.clone();
        schema.labels.retain(|l| l.name != "stance");
        schema
            .relations
            .retain(|r| r.from != "stance" && r.to != "stance");
        assert!(matches!(
            p.apply(Edit::SetSchema(Box::new(schema))),
            Err(EditError::SchemaMismatch(_))
        ));
    }

    #[test]
    fn relabelling_drops_attributes_and_relations_that_no_longer_fit() {
        let mut p = project();
        let doc = DocId(0);
        let harris = added(&mut p, "Harris", "speaker");
        let stance = added(&mut p, "Ukraine must have a say", "stance");
        p.apply(Edit::SetAttr {
            doc,
            id: stance,
            name: "polarity".into(),
            value: Some("favor".into()),
        })
        .unwrap();
        let r = holds(&mut p, harris, stance);
        p.apply(Edit::AddRelation { doc, relation: r }).unwrap();
        let e = p.relabel_edit(doc, stance, "event").unwrap();
        let undo = p.apply(e).unwrap();
        let s = p.documents[0].span_by_id(stance).unwrap();
        assert_eq!(s.label, "event");
        assert!(s.attrs.is_empty(), "polarity is not an event attribute");
        assert!(
            p.documents[0].relations().is_empty(),
            "speaker —holds→ event does not exist"
        );
        p.apply(undo).unwrap();
        assert_eq!(p.documents[0].relations().len(), 1);
        assert_eq!(
            p.documents[0]
                .span_by_id(stance)
                .unwrap()
                .attrs
                .get("polarity")
                .map(String::as_str),
            Some("favor")
        );
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
