//! Applying edits made against one version of a project to another version of it: the edits
//! a window made since its last save, on top of the file as another writer left it (a
//! suggester run from the command line, a second machine's save). Both writers handed out
//! span ids from the same counter, so an id the edits create may already be taken: it gets
//! a fresh one, and every later edit that names it follows.

use super::Edit;
use crate::model::project::{Project, SpanId};
use std::collections::HashMap;

/// Old id → the id it has in the project the edits are applied to.
#[derive(Default, Debug)]
pub struct IdMap(HashMap<SpanId, SpanId>);

impl IdMap {
    fn get(&self, id: SpanId) -> SpanId {
        self.0.get(&id).copied().unwrap_or(id)
    }

    /// How many ids had to change.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Project {
    /// `edit`, with the ids it creates made fresh where this project already uses them (or
    /// where an earlier edit's id was remapped), and the ids it names mapped the same way.
    pub fn remap_edit(&self, edit: Edit, map: &mut IdMap) -> Edit {
        let taken = |id: SpanId| self.documents.iter().any(|d| d.has_id(id));
        let fresh = |id: SpanId, map: &mut IdMap| -> SpanId {
            if map.0.contains_key(&id) || taken(id) {
                let new = self.allocate_span_id();
                map.0.insert(id, new);
                new
            } else {
                id
            }
        };
        match edit {
            Edit::AddSpan { doc, mut span } => {
                span.id = fresh(span.id, map);
                Edit::AddSpan { doc, span }
            }
            Edit::AddRelation { doc, mut relation } => {
                relation.id = fresh(relation.id, map);
                relation.from = map.get(relation.from);
                relation.to = map.get(relation.to);
                Edit::AddRelation { doc, relation }
            }
            Edit::AddSuggestion {
                doc,
                mut suggestion,
            } => {
                suggestion.id = fresh(suggestion.id, map);
                suggestion.span = suggestion.span.map(|s| map.get(s));
                for link in &mut suggestion.links {
                    link.to = map.get(link.to);
                }
                Edit::AddSuggestion { doc, suggestion }
            }
            Edit::RestoreUnanchored {
                doc,
                mut span,
                mut relations,
            } => {
                span.id = fresh(span.id, map);
                for r in &mut relations {
                    r.id = fresh(r.id, map);
                    r.from = map.get(r.from);
                    r.to = map.get(r.to);
                }
                Edit::RestoreUnanchored {
                    doc,
                    span,
                    relations,
                }
            }
            Edit::Batch(edits) => {
                Edit::Batch(edits.into_iter().map(|e| self.remap_edit(e, map)).collect())
            }
            other => renamed(other, map),
        }
    }
}

/// An edit that creates no id, with the ids it names mapped.
fn renamed(edit: Edit, map: &IdMap) -> Edit {
    match edit {
        Edit::RemoveSpan { doc, id } => Edit::RemoveSpan {
            doc,
            id: map.get(id),
        },
        Edit::Relabel {
            doc,
            id,
            label,
            attrs,
        } => Edit::Relabel {
            doc,
            id: map.get(id),
            label,
            attrs,
        },
        Edit::Resize {
            doc,
            id,
            start,
            end,
        } => Edit::Resize {
            doc,
            id: map.get(id),
            start,
            end,
        },
        Edit::SetFragments { doc, id, pieces } => Edit::SetFragments {
            doc,
            id: map.get(id),
            pieces,
        },
        Edit::SetAttr {
            doc,
            id,
            name,
            value,
        } => Edit::SetAttr {
            doc,
            id: map.get(id),
            name,
            value,
        },
        Edit::SetNote { doc, id, note } => Edit::SetNote {
            doc,
            id: map.get(id),
            note,
        },
        Edit::RemoveRelation { doc, id } => Edit::RemoveRelation {
            doc,
            id: map.get(id),
        },
        Edit::RemoveSuggestion { doc, id } => Edit::RemoveSuggestion {
            doc,
            id: map.get(id),
        },
        Edit::SetReview {
            doc,
            id,
            review,
            span,
        } => Edit::SetReview {
            doc,
            id: map.get(id),
            review,
            span: span.map(|s| map.get(s)),
        },
        Edit::DropUnanchored { doc, id } => Edit::DropUnanchored {
            doc,
            id: map.get(id),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{DocId, DocSource, Document, Edit, Project, Relation, Schema, Status};

    fn project() -> Project {
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            crate::model::TextHash::of(""),
            "Harris said Ukraine must have a say.".into(),
        );
        Project::new("t".into(), Schema::default(), vec![doc])
    }

    #[test]
    fn edits_made_on_one_version_apply_to_another_whose_ids_collide() {
        // Two writers start from the same file.
        let base = project();
        let mut mine = base.clone();
        let mut theirs = base.clone();
        let doc = DocId(0);
        // I tag a speaker and a stance and link them...
        let speaker = mine.make_span(doc, 0, 6, "speaker").unwrap();
        let stance = mine.make_span(doc, 12, 35, "stance").unwrap();
        let link = Relation::new(mine.allocate_span_id(), "holds", speaker.id, stance.id);
        let my_edits = vec![
            Edit::AddSpan {
                doc,
                span: speaker.clone(),
            },
            Edit::AddSpan {
                doc,
                span: stance.clone(),
            },
            Edit::AddRelation {
                doc,
                relation: link,
            },
            Edit::SetAttr {
                doc,
                id: stance.id,
                name: "polarity".into(),
                value: Some("favor".into()),
            },
        ];
        for e in &my_edits {
            mine.apply(e.clone()).unwrap();
        }
        // ...while the other writer used the same ids for its own spans.
        let other = theirs.make_span(doc, 12, 19, "event").unwrap();
        assert_eq!(other.id, speaker.id, "the same counter, the same id");
        theirs.apply(Edit::AddSpan { doc, span: other }).unwrap();
        theirs
            .apply(Edit::SetStatus {
                doc,
                status: Status::Done,
            })
            .unwrap();
        // Replayed as they are, my edits collide; remapped, they all apply.
        assert!(theirs.clone().apply(my_edits[0].clone()).is_err());
        let mut map = super::IdMap::default();
        for e in my_edits {
            let e = theirs.remap_edit(e, &mut map);
            theirs.apply(e).unwrap();
        }
        assert!(!map.is_empty());
        let d = &theirs.documents[0];
        assert_eq!(d.spans().len(), 3, "theirs and mine");
        assert_eq!(d.status, Status::Done);
        let r = &d.relations()[0];
        let from = d.span_by_id(r.from).unwrap();
        let to = d.span_by_id(r.to).unwrap();
        assert_eq!(
            (from.text.as_str(), to.label.as_str()),
            ("Harris", "stance")
        );
        assert_eq!(to.attrs.get("polarity"), Some("favor"));
    }
}
