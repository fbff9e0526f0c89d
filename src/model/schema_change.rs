//! Changing the schema without leaving annotations that no longer fit it: the edit that
//! replaces the schema also removes what the new schema does not allow (spans of a removed
//! label, values of a removed attribute, relations of a removed type), and says how much,
//! so the user can be asked first.

use crate::model::check;
use crate::model::edit::Edit;
use crate::model::project::{DocId, Project, SpanId};
use crate::model::schema::Schema;
use crate::model::text::plural;
use std::collections::HashSet;

/// What a schema change would delete.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SchemaImpact {
    pub spans: usize,
    pub values: usize,
    pub relations: usize,
    pub documents: usize,
}

impl SchemaImpact {
    pub fn is_empty(&self) -> bool {
        self.spans + self.values + self.relations == 0
    }

    /// "deletes 3 spans and 1 relation in 2 documents".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.spans > 0 {
            parts.push(plural(self.spans, "span", "spans"));
        }
        if self.values > 0 {
            parts.push(plural(self.values, "attribute value", "attribute values"));
        }
        if self.relations > 0 {
            parts.push(plural(self.relations, "relation", "relations"));
        }
        format!(
            "deletes {} in {}",
            parts.join(", "),
            plural(self.documents, "document", "documents")
        )
    }
}

impl Project {
    /// One undoable edit that makes the annotations fit `new` and then sets it.
    pub fn schema_change_edit(&self, new: &Schema) -> (Edit, SchemaImpact) {
        let mut removals = Vec::new();
        let mut impact = SchemaImpact::default();
        for (i, d) in self.documents.iter().enumerate() {
            let doc = DocId(i);
            let before = removals.len();
            let mut gone: HashSet<SpanId> = HashSet::new();
            for s in d.spans() {
                let Some(def) = new.label(&s.label) else {
                    gone.insert(s.id);
                    impact.spans += 1;
                    continue;
                };
                for (name, value) in &s.attrs {
                    if !check::attr_fits(def, name, value) {
                        impact.values += 1;
                        removals.push(Edit::SetAttr {
                            doc,
                            id: s.id,
                            name: name.to_owned(),
                            value: None,
                        });
                    }
                }
            }
            for r in d.relations() {
                // Relations of removed spans go with them (RemoveSpan removes them).
                if gone.contains(&r.from) || gone.contains(&r.to) {
                    impact.relations += 1;
                    continue;
                }
                if check::relation_in(new, d, r).is_err() {
                    impact.relations += 1;
                    removals.push(Edit::RemoveRelation { doc, id: r.id });
                }
            }
            removals.extend(
                d.spans()
                    .iter()
                    .filter(|s| gone.contains(&s.id))
                    .map(|s| Edit::RemoveSpan { doc, id: s.id }),
            );
            if removals.len() > before {
                impact.documents += 1;
            }
        }
        removals.push(Edit::SetSchema(Box::new(new.clone())));
        (Edit::Batch(removals), impact)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{DocId, DocSource, Document, Edit, Project, Relation, Schema};

    #[test]
    fn removing_a_label_removes_its_spans_and_their_relations_in_one_step() {
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            crate::model::TextHash::of(""),
            "Harris said no at the summit".into(),
        );
        let mut p = Project::new("t".into(), Schema::default(), vec![doc]);
        let speaker = p.make_span(DocId(0), 0, 6, "speaker").unwrap();
        let mut stance = p.make_span(DocId(0), 7, 14, "stance").unwrap();
        stance.attrs.insert("polarity".into(), "against".into());
        let event = p.make_span(DocId(0), 22, 28, "event").unwrap();
        let holds = Relation::new(p.allocate_span_id(), "holds", speaker.id, stance.id);
        let about = Relation::new(p.allocate_span_id(), "about", stance.id, event.id);
        p.apply(Edit::Batch(vec![
            Edit::AddSpan {
                doc: DocId(0),
                span: speaker,
            },
            Edit::AddSpan {
                doc: DocId(0),
                span: stance.clone(),
            },
            Edit::AddSpan {
                doc: DocId(0),
                span: event,
            },
            Edit::AddRelation {
                doc: DocId(0),
                relation: holds,
            },
            Edit::AddRelation {
                doc: DocId(0),
                relation: about,
            },
        ]))
        .unwrap();
        let before = format!("{:?}", p.documents[0].spans());

        // Drop the event label (and the about relation type that needs it).
        let mut schema = p.schema.clone();
        schema.labels.retain(|l| l.name != "event");
        schema.relations.retain(|r| r.to != "event");
        let (edit, impact) = p.schema_change_edit(&schema);
        assert_eq!(
            (impact.spans, impact.relations, impact.documents),
            (1, 1, 1)
        );
        assert_eq!(
            impact.describe(),
            "deletes 1 span, 1 relation in 1 document"
        );
        let undo = p.apply(edit).unwrap();
        assert_eq!(p.documents[0].spans().len(), 2);
        assert_eq!(p.documents[0].relations().len(), 1);

        // Dropping a choice value clears it where it is used.
        let mut schema = p.schema.clone();
        if let Some(crate::model::AttrKind::Choice(c)) = schema
            .labels
            .iter_mut()
            .find(|l| l.name == "stance")
            .and_then(|l| l.attributes.first_mut())
            .map(|a| &mut a.kind)
        {
            c.retain(|v| v.value != "against");
        }
        let (edit, impact) = p.schema_change_edit(&schema);
        assert_eq!(impact.values, 1);
        let undo2 = p.apply(edit).unwrap();
        assert!(
            p.documents[0]
                .span_by_id(stance.id)
                .unwrap()
                .attrs
                .is_empty()
        );

        p.apply(undo2).unwrap();
        p.apply(undo).unwrap();
        assert_eq!(format!("{:?}", p.documents[0].spans()), before);
        assert_eq!(p.documents[0].relations().len(), 2);
        assert!(p.schema_change_edit(&p.schema.clone()).1.is_empty());
    }
}
