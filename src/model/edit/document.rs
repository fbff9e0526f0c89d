//! Applying edits of a document or the project as a whole: a document's status, the spans
//! set aside when their text left the document, and the project's suggestion command.

use super::{Edit, EditError};
use crate::model::project::{DocId, Project, Relation, Span, SpanId, Status};

impl Project {
    pub(super) fn set_status(&mut self, doc: DocId, status: Status) -> Result<Edit, EditError> {
        let d = self.document_mut(doc)?;
        let old = std::mem::replace(&mut d.status, status);
        d.touch();
        Ok(Edit::SetStatus { doc, status: old })
    }

    pub(super) fn drop_unanchored(&mut self, doc: DocId, id: SpanId) -> Result<Edit, EditError> {
        let d = self.document_mut(doc)?;
        let (span, relations) = d.take_unanchored(id).ok_or(EditError::NoSpan(id.0))?;
        Ok(Edit::RestoreUnanchored {
            doc,
            span,
            relations,
        })
    }

    pub(super) fn restore_unanchored(
        &mut self,
        doc: DocId,
        span: Span,
        relations: Vec<Relation>,
    ) -> Result<Edit, EditError> {
        let d = self.document_mut(doc)?;
        if d.has_id(span.id) {
            return Err(EditError::DuplicateId(span.id.0));
        }
        let id = span.id;
        d.put_unanchored(span, relations);
        Ok(Edit::DropUnanchored { doc, id })
    }

    /// A blank command is no command.
    pub(super) fn set_suggest_command(&mut self, command: Option<String>) -> Edit {
        let command = command.filter(|c| !c.trim().is_empty());
        let old = std::mem::replace(&mut self.suggest_command, command);
        Edit::SetSuggestCommand(old)
    }
}
