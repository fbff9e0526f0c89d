//! Applying edits of the suggestion layer: add and remove suggestions, and record a review
//! decision (accepted with the span it became, rejected, or pending again).

use super::{Edit, EditError};
use crate::model::check;
use crate::model::project::{DocId, Project, Review, SpanId, Suggestion};

impl Project {
    pub(super) fn add_suggestion(
        &mut self,
        doc: DocId,
        suggestion: Suggestion,
    ) -> Result<Edit, EditError> {
        let d = self.document(doc)?;
        check::stored_text(&d.text, suggestion.start, suggestion.end, &suggestion.text)?;
        check::label(&self.schema, &suggestion.label)?;
        check::id(suggestion.id)?;
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

    pub(super) fn remove_suggestion(&mut self, doc: DocId, id: SpanId) -> Result<Edit, EditError> {
        let suggestion = self
            .document_mut(doc)?
            .remove_suggestion(id)
            .ok_or(EditError::NoSpan(id.0))?;
        Ok(Edit::AddSuggestion { doc, suggestion })
    }

    pub(super) fn set_review(
        &mut self,
        doc: DocId,
        id: SpanId,
        review: Review,
        span: Option<SpanId>,
    ) -> Result<Edit, EditError> {
        let s = self
            .document_mut(doc)?
            .suggestion_mut(id)
            .ok_or(EditError::NoSpan(id.0))?;
        let old_review = std::mem::replace(&mut s.review, review);
        let old_span = std::mem::replace(&mut s.span, span);
        Ok(Edit::SetReview {
            doc,
            id,
            review: old_review,
            span: old_span,
        })
    }
}
