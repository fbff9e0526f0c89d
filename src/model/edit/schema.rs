//! Applying schema edits: replacing the schema (every annotation must still fit it) and
//! renaming a label, an attribute or a relation type everywhere it is used.

use super::{Edit, EditError};
use crate::model::check;
use crate::model::project::Project;
use crate::model::schema::Schema;

impl Project {
    pub(super) fn set_schema(&mut self, schema: Schema) -> Result<Edit, EditError> {
        check::schema_fits(self, &schema)?;
        let old = std::mem::replace(&mut self.schema, schema);
        for d in &mut self.documents {
            d.touch();
        }
        Ok(Edit::SetSchema(Box::new(old)))
    }

    pub(super) fn rename_label(&mut self, from: String, to: String) -> Result<Edit, EditError> {
        check::label(&self.schema, &from)?;
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

    pub(super) fn rename_attribute(
        &mut self,
        label: String,
        from: String,
        to: String,
    ) -> Result<Edit, EditError> {
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

    pub(super) fn rename_relation_type(
        &mut self,
        from: String,
        to: String,
    ) -> Result<Edit, EditError> {
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
}
