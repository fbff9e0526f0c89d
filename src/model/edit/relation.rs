//! Applying relation edits: add (checked against the schema and the spans at its ends) and
//! remove.

use super::{Edit, EditError};
use crate::model::check;
use crate::model::project::{DocId, Project, Relation, SpanId};

impl Project {
    pub(super) fn add_relation(
        &mut self,
        doc: DocId,
        relation: Relation,
    ) -> Result<Edit, EditError> {
        let d = self.document(doc)?;
        check::relation_in(&self.schema, d, &relation)?;
        check::id(relation.id)?;
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

    pub(super) fn remove_relation(&mut self, doc: DocId, id: SpanId) -> Result<Edit, EditError> {
        let relation = self
            .document_mut(doc)?
            .remove_relation(id)
            .ok_or(EditError::NoRelation(id.0))?;
        Ok(Edit::AddRelation { doc, relation })
    }
}
