//! A team's project: one shared project (schema, corpus, settings, machine suggestions) and
//! each annotator's own project over the same corpus. This is the pure part: what a new
//! annotator starts from, and what an annotator's project takes from the team's when it is
//! opened (the files are `persist::team`'s).
//!
//! The team's project decides the schema and the corpus. An annotator's project whose schema
//! is older is migrated, never rejected: it takes the team's schema, and keeps whatever of
//! its own its annotations still use (a label, an attribute, a value or a relation type the
//! team removed or renamed), so that no annotation is lost; those are listed for the user.

use crate::model::check;
use crate::model::project::{Document, Project, Review, SpanId, Status};
use crate::model::schema::{AttrKind, Choice, Schema};
use std::collections::{HashMap, HashSet};

/// What an annotator's project took from the team's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamUpdate {
    /// The team's schema replaced the project's.
    pub schema: bool,
    /// What the project kept of its own schema because its annotations use it (`label
    /// "quote"`, `attribute "stance.polarity"`, `value "stance.polarity = mixed"`, `relation
    /// type "cites"`).
    pub kept: Vec<String>,
    /// Documents the team added to the corpus, now in the project too.
    pub documents: usize,
    /// The team's schema could not be taken (why), and the project kept its own.
    pub refused: Option<String>,
}

impl TeamUpdate {
    pub fn changed(&self) -> bool {
        self.schema || self.documents > 0
    }

    /// One sentence for the user, `None` when nothing changed.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.schema {
            parts.push("took the team's schema".to_owned());
        }
        if self.documents > 0 {
            parts.push(format!(
                "added {} the team added",
                crate::model::text::plural(self.documents, "document", "documents")
            ));
        }
        if !self.kept.is_empty() {
            parts.push(format!(
                "kept what your annotations still use: {}",
                self.kept.join(", ")
            ));
        }
        if let Some(why) = &self.refused {
            parts.push(format!("kept its own schema: the team's {why}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

impl Project {
    /// A new annotator's project: the team's corpus, schema and settings, and its pending
    /// machine suggestions (each annotator reviews them alone). Of the team project's spans,
    /// only those it records as `annotator`'s come along (with the relations between them,
    /// and the document's status): a one-person project that becomes a team's keeps its
    /// author's work in the author's file. The rest is the team's (a curated layer), not
    /// this annotator's.
    pub fn member_start(&self, name: String, annotator: &str) -> Project {
        let documents = self
            .documents
            .iter()
            .map(|d| {
                let mut doc = fresh_document(d);
                let own: Vec<_> = d
                    .spans()
                    .iter()
                    .filter(|s| s.annotator.as_deref() == Some(annotator))
                    .cloned()
                    .collect();
                if !own.is_empty() {
                    let ids: HashSet<SpanId> = own.iter().map(|s| s.id).collect();
                    let relations = d
                        .relations()
                        .iter()
                        .filter(|r| ids.contains(&r.from) && ids.contains(&r.to))
                        .cloned()
                        .collect();
                    doc.set_spans(own);
                    doc.set_relations(relations);
                    doc.status = d.status;
                }
                doc
            })
            .collect();
        let mut p = Project::new(name, self.schema.clone(), documents);
        p.suggest_command = self.suggest_command.clone();
        p
    }

    /// Takes what changed in the team's project: its schema (keeping what this project's
    /// annotations still use), its suggestion command, and documents it has that this one
    /// lacks (matched by id). Not an edit: it happens as the file is opened, like
    /// re-anchoring, and the project then differs from its file.
    pub fn take_from_team(&mut self, team: &Project) -> TeamUpdate {
        let mut update = self.take_schema(&team.schema);
        if team.suggest_command != self.suggest_command {
            self.suggest_command = team.suggest_command.clone();
        }
        let have: HashSet<&str> = self.documents.iter().map(|d| d.id.as_str()).collect();
        let new: Vec<Document> = team
            .documents
            .iter()
            .filter(|d| !have.contains(d.id.as_str()))
            .map(fresh_document)
            .collect();
        update.documents = new.len();
        for mut doc in new {
            // The team's suggestion ids may be this project's span ids: fresh ones.
            let map: HashMap<SpanId, SpanId> = doc
                .suggestions()
                .iter()
                .map(|s| (s.id, self.allocate_span_id()))
                .collect();
            let mut suggestions = doc.suggestions().to_vec();
            for s in &mut suggestions {
                s.id = map.get(&s.id).copied().unwrap_or(s.id);
                s.links.retain_mut(|l| match map.get(&l.to) {
                    Some(to) => {
                        l.to = *to;
                        true
                    }
                    None => false,
                });
            }
            doc.set_suggestions(suggestions);
            self.documents.push(doc);
        }
        update
    }
}

impl Project {
    /// Takes `schema`, keeping what of its own this project's annotations still use (so
    /// nothing is lost): how an annotator's project takes the team's schema, and how the
    /// team's project takes a schema an annotator changed.
    pub fn take_schema(&mut self, schema: &Schema) -> TeamUpdate {
        let mut update = TeamUpdate::default();
        if self.schema == *schema {
            return update;
        }
        let (merged, kept) = merged_schema(schema, self);
        let problems = check::schema(&merged);
        if let Some(first) = problems.first() {
            update.refused = Some(format!("schema has a problem: {first}"));
        } else if merged != self.schema {
            self.schema = merged;
            update.schema = true;
            update.kept = kept;
        }
        update
    }
}

/// Adds label `def` to `schema`, without its key when a label there has that key already.
fn push_label(schema: &mut Schema, mut def: crate::model::schema::LabelDef) {
    if def
        .key
        .is_some_and(|k| schema.labels.iter().any(|l| l.key == Some(k)))
    {
        def.key = None;
    }
    schema.labels.push(def);
}

/// An attribute joining a label that has attributes of its own: without keys, which may be
/// theirs already.
fn keyless(def: &crate::model::schema::AttributeDef) -> crate::model::schema::AttributeDef {
    let mut def = def.clone();
    def.key = None;
    if let AttrKind::Choice(values) = &mut def.kind {
        values.iter_mut().for_each(|v| v.key = None);
    }
    def
}

/// Adds `value` to `choices` (without a key) unless it is there; whether it was added.
fn add_choice(choices: &mut Vec<Choice>, value: &str) -> bool {
    let new = !choices.iter().any(|c| c.value == value);
    if new {
        choices.push(Choice {
            value: value.to_owned(),
            key: None,
        });
    }
    new
}

/// Everything `other` defines that `into` lacks (labels, attributes, choice values, relation
/// types), added to `into`, keys that would clash dropped: one schema for the annotators of
/// an imported team, whose files each declared what they used.
pub fn union_schema(into: &mut Schema, other: &Schema) {
    for l in &other.labels {
        let Some(mine) = into.labels.iter_mut().find(|m| m.name == l.name) else {
            push_label(into, l.clone());
            continue;
        };
        for a in &l.attributes {
            match mine.attributes.iter_mut().find(|m| m.name == a.name) {
                None => mine.attributes.push(keyless(a)),
                Some(m) => {
                    if let (AttrKind::Choice(have), AttrKind::Choice(more)) = (&mut m.kind, &a.kind)
                    {
                        for v in more {
                            add_choice(have, &v.value);
                        }
                    }
                }
            }
        }
        mine.event |= l.event;
    }
    for r in &other.relations {
        if into.relation(&r.name).is_none() {
            into.relations.push(r.clone());
        }
    }
}

/// A team document as a new annotator gets it: the text and metadata, the pending
/// suggestions, nothing annotated.
fn fresh_document(d: &Document) -> Document {
    let mut doc = Document::new(d.id.clone(), d.source.clone(), d.hash, d.text.clone());
    doc.meta = d.meta.clone();
    doc.status = Status::New;
    let pending: HashSet<SpanId> = d
        .suggestions()
        .iter()
        .filter(|s| s.review == Review::Pending)
        .map(|s| s.id)
        .collect();
    let mut suggestions: Vec<_> = d
        .suggestions()
        .iter()
        .filter(|s| s.review == Review::Pending)
        .cloned()
        .collect();
    for s in &mut suggestions {
        s.links.retain(|l| pending.contains(&l.to));
    }
    doc.set_suggestions(suggestions);
    doc
}

/// The team's schema, plus every part of `own`'s schema that `own`'s annotations use and
/// the team's lacks; and a line for each part kept.
fn merged_schema(team: &Schema, own: &Project) -> (Schema, Vec<String>) {
    let mut merged = team.clone();
    let mut kept = Vec::new();
    // What the annotations use: labels, their attribute values, relation types.
    let mut labels: Vec<&str> = Vec::new();
    let mut values: Vec<(&str, &str, &str)> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    for d in &own.documents {
        let spans = d.spans().iter().chain(d.unanchored());
        for s in spans {
            labels.push(&s.label);
            for (name, value) in s.attrs.iter() {
                values.push((&s.label, name, value));
            }
        }
        for s in d.suggestions() {
            labels.push(&s.label);
            for (name, value) in s.attrs.iter() {
                values.push((&s.label, name, value));
            }
        }
        for r in d.relations().iter().chain(d.unanchored_relations()) {
            kinds.push(&r.kind);
        }
    }
    let mut seen = HashSet::new();
    for label in labels {
        if merged.label(label).is_some() || !seen.insert(label) {
            continue;
        }
        let Some(def) = own.schema.label(label) else {
            continue;
        };
        // Its key may be a team label's now: the label is kept, the key is not.
        push_label(&mut merged, def.clone());
        kept.push(format!("label \"{label}\""));
    }
    let mut seen = HashSet::new();
    for (label, name, value) in values {
        if !seen.insert((label, name, value)) {
            continue;
        }
        let Some(own_def) = own.schema.label(label).and_then(|l| l.attribute(name)) else {
            continue;
        };
        let Some(target) = merged.labels.iter_mut().find(|l| l.name == label) else {
            continue;
        };
        match target.attributes.iter_mut().find(|a| a.name == name) {
            None => {
                target.attributes.push(keyless(own_def));
                kept.push(format!("attribute \"{label}.{name}\""));
            }
            Some(def) => {
                if let AttrKind::Choice(choices) = &mut def.kind
                    && add_choice(choices, value)
                {
                    kept.push(format!("value \"{label}.{name} = {value}\""));
                }
            }
        }
    }
    let mut seen = HashSet::new();
    for kind in kinds {
        if merged.relation(kind).is_some() || !seen.insert(kind) {
            continue;
        }
        if let Some(def) = own.schema.relation(kind) {
            merged.relations.push(def.clone());
            kept.push(format!("relation type \"{kind}\""));
        }
    }
    (merged, kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attrs;
    use crate::model::project::Suggestion;
    use crate::model::project::testing::{doc, span};
    use crate::model::schema::{AttributeDef, LabelDef, Rgb};

    fn suggestion(id: u64, start: usize, end: usize, label: &str, text: &str) -> Suggestion {
        Suggestion {
            id: SpanId(id),
            start,
            end,
            label: label.into(),
            text: text.into(),
            attrs: Attrs::new(),
            source: "rules".into(),
            score: None,
            review: Review::Pending,
            span: None,
            links: Vec::new(),
        }
    }

    fn team() -> Project {
        let mut d = doc("a", "Anna said no.");
        d.set_suggestions(vec![suggestion(1, 0, 4, "speaker", "Anna")]);
        let mut span = span(2, 10, 12, "stance", "no");
        span.annotator = Some("lead".into());
        d.set_spans(vec![span]);
        d.status = Status::Done;
        Project::new("team".into(), Schema::news_default(), vec![d])
    }

    #[test]
    fn a_member_starts_with_the_corpus_and_the_pending_suggestions_only() {
        let p = team().member_start("anna".into(), "anna");
        assert_eq!(p.schema, Schema::news_default());
        let d = &p.documents[0];
        assert!(d.spans().is_empty());
        assert_eq!(d.status, Status::New);
        assert_eq!(d.suggestions().len(), 1);
    }

    #[test]
    fn a_member_keeps_the_spans_the_team_project_records_as_theirs() {
        let p = team().member_start("lead".into(), "lead");
        let d = &p.documents[0];
        assert_eq!(d.spans().len(), 1);
        assert_eq!(d.status, Status::Done);
        // Suggestion ids and span ids stay apart.
        assert_ne!(d.spans()[0].id, d.suggestions()[0].id);
    }

    #[test]
    fn an_older_schema_takes_the_teams_and_keeps_what_its_spans_use() {
        let mut old = Schema::news_default();
        old.labels.push(LabelDef {
            name: "quote".into(),
            color: Rgb([1, 2, 3]),
            key: Some('3'),
            attributes: vec![AttributeDef {
                name: "kind".into(),
                kind: AttrKind::Text,
                key: None,
            }],
            event: false,
        });
        let polarity = old.labels[1]
            .attributes
            .iter_mut()
            .find(|a| a.name == "polarity");
        if let Some(AttributeDef {
            kind: AttrKind::Choice(values),
            ..
        }) = polarity
        {
            values.push(Choice {
                value: "mixed".into(),
                key: Some('m'),
            });
        }
        let mut member = Project::new("anna".into(), old, vec![doc("a", "Anna said no.")]);
        let mut quote = span(5, 0, 4, "quote", "Anna");
        quote.attrs.insert("kind".into(), "direct".into());
        let mut stance = span(6, 10, 12, "stance", "no");
        stance.attrs.insert("polarity".into(), "mixed".into());
        member.documents[0].set_spans(vec![quote, stance]);

        let mut t = team();
        // The team's schema gains a label; the member's `quote` is gone from it.
        t.schema.labels.push(LabelDef {
            name: "source".into(),
            color: Rgb([9, 9, 9]),
            key: Some('4'),
            attributes: Vec::new(),
            event: false,
        });
        t.documents.push(doc("b", "Carl agreed."));
        let update = member.take_from_team(&t);
        assert!(update.schema);
        assert!(member.schema.label("source").is_some(), "the team's label");
        let quote = member.schema.label("quote").expect("kept: spans use it");
        assert_eq!(quote.key, None, "its key `3` is the team's `event` key");
        assert_eq!(
            update.kept,
            ["label \"quote\"", "value \"stance.polarity = mixed\""]
        );
        assert!(check::schema(&member.schema).is_empty());
        for s in member.documents[0].spans() {
            assert!(
                check::attrs(&member.schema, &s.label, &s.attrs).is_ok(),
                "{s:?}"
            );
        }
        assert_eq!(update.documents, 1);
        assert_eq!(member.documents[1].id, "b");
        // Opening again changes nothing.
        assert!(!member.take_from_team(&t).changed());
    }

    #[test]
    fn new_documents_get_suggestion_ids_the_project_does_not_use() {
        let mut member = Project::new("anna".into(), Schema::news_default(), vec![]);
        member.documents.push(doc("c", "x"));
        member.documents[0].set_spans(vec![span(1, 0, 1, "speaker", "x")]);
        let mut member = Project::new("anna".into(), member.schema.clone(), member.documents);
        member.take_from_team(&team());
        let s = &member.documents[1].suggestions()[0];
        assert_ne!(s.id, SpanId(1));
    }
}
