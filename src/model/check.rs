//! The rules of a valid project, written once.
//!
//! Every place that lets annotations in asks these functions: an [`Edit`] before it changes
//! anything (`model::edit`), the project file as it loads (`persist` adds the file and line),
//! and the importers (`formats` report what breaks a rule and skip it). A rule broken is a
//! typed [`EditError`] (or [`SchemaProblem`] for the schema itself), never a message string
//! that callers would have to compare.
//!
//! [`Edit`]: crate::model::Edit

use crate::model::attrs::Attrs;
use crate::model::project::{Document, Project, Relation, Span, SpanId};
use crate::model::schema::{AttrKind, LabelDef, RESERVED_KEYS, RelationType, Schema};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// A rule of a valid project that an edit (or a file, or an import) breaks. When an edit
/// returns it, the project is unchanged.
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
    #[error("a discontinuous span's fragments {0}")]
    BadFragments(&'static str),
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
    #[error("id {0} is too large (ids stay below 2^53, so new ones can always follow)")]
    IdTooLarge(u64),
}

/// Span, relation and suggestion ids stay below this: the project hands out the next id
/// after the largest, and must never run out (or wrap around to ids in use). Also the
/// largest integer every JSON reader keeps exactly.
pub const MAX_ID: u64 = 1 << 53;

/// An id a file may hold.
pub fn id(id: crate::model::SpanId) -> Result<(), EditError> {
    if id.0 >= MAX_ID {
        return Err(EditError::IdTooLarge(id.0));
    }
    Ok(())
}

/// The text `start..end` covers: a non-empty range, inside `text`, on character boundaries.
pub fn covered(text: &str, start: usize, end: usize) -> Result<&str, EditError> {
    let bad = EditError::BadRange { start, end };
    if start >= end {
        return Err(bad);
    }
    text.get(start..end).ok_or(bad)
}

/// A span (or suggestion) at `start..end` whose stored text is `stored`: the range is
/// valid and the document has exactly that text there.
pub fn stored_text(text: &str, start: usize, end: usize, stored: &str) -> Result<(), EditError> {
    if covered(text, start, end)? != stored {
        return Err(EditError::TextMismatch { start, end });
    }
    Ok(())
}

/// The pieces a span is to have: at least one, each a valid range, in order and apart (a
/// gap of at least one byte between two pieces: touching pieces are one piece).
pub fn pieces(text: &str, pieces: &[Range<usize>]) -> Result<(), EditError> {
    if pieces.is_empty() {
        return Err(EditError::BadFragments("are missing"));
    }
    for p in pieces {
        covered(text, p.start, p.end)?;
    }
    if pieces
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.end >= b.start))
    {
        return Err(EditError::BadFragments(
            "overlap, touch or are out of order",
        ));
    }
    Ok(())
}

/// A span's stored text, and its fragments' when it is discontinuous, match the document.
pub fn span_text(text: &str, span: &Span) -> Result<(), EditError> {
    stored_text(text, span.start, span.end, &span.text)?;
    let f = &span.fragments;
    let (Some(first), Some(last)) = (f.first(), f.last()) else {
        return Ok(());
    };
    if f.len() < 2 {
        return Err(EditError::BadFragments("are fewer than two"));
    }
    if first.start != span.start || last.end != span.end {
        return Err(EditError::BadFragments(
            "do not start where the span starts and end where it ends",
        ));
    }
    for p in f {
        stored_text(text, p.start, p.end, &p.text)?;
    }
    if f.windows(2)
        .any(|w| matches!(w, [a, b] if a.end >= b.start))
    {
        return Err(EditError::BadFragments(
            "overlap, touch or are out of order",
        ));
    }
    Ok(())
}

/// The label exists in the schema.
pub fn label<'a>(schema: &'a Schema, label: &str) -> Result<&'a LabelDef, EditError> {
    schema
        .label(label)
        .ok_or_else(|| EditError::UnknownLabel(label.to_owned()))
}

/// Every attribute value is one the label's definition has and accepts.
pub fn attrs(schema: &Schema, label_name: &str, attrs: &Attrs) -> Result<(), EditError> {
    let def = label(schema, label_name)?;
    for (name, value) in attrs {
        let a = def
            .attribute(name)
            .ok_or_else(|| EditError::UnknownAttribute {
                label: label_name.to_owned(),
                name: name.to_owned(),
            })?;
        if !a.accepts(value) {
            return Err(EditError::BadValue {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
    }
    Ok(())
}

/// Whether `def` has the attribute `name` and accepts `value` for it.
pub fn attr_fits(def: &LabelDef, name: &str, value: &str) -> bool {
    def.attribute(name).is_some_and(|a| a.accepts(value))
}

/// The attribute values that fit `def` (all dropped when the label is unknown): what a span
/// keeps when it changes label, or when it comes from a suggestion or an import.
pub fn fitting_attrs(def: Option<&LabelDef>, attrs: &Attrs) -> Attrs {
    let Some(def) = def else {
        return Attrs::new();
    };
    attrs.filtered(|k, v| attr_fits(def, k, v))
}

/// A relation's type exists and allows the labels at its ends; `label_of` gives the label
/// of a span of the document (`None`: no such span).
pub fn relation<'a>(
    schema: &Schema,
    r: &Relation,
    label_of: impl Fn(SpanId) -> Option<&'a str>,
) -> Result<(), EditError> {
    let t = schema
        .relation(&r.kind)
        .ok_or_else(|| EditError::UnknownRelationType(r.kind.clone()))?;
    let from = label_of(r.from).ok_or(EditError::NoSpan(r.from.0))?;
    let to = label_of(r.to).ok_or(EditError::NoSpan(r.to.0))?;
    if !t.fits(from, to) {
        return Err(EditError::RelationEnds {
            kind: t.name.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
        });
    }
    Ok(())
}

/// [`relation`] between two spans of `doc`.
pub fn relation_in(schema: &Schema, doc: &Document, r: &Relation) -> Result<(), EditError> {
    relation(schema, r, |id| doc.span_by_id(id).map(|s| s.label.as_str()))
}

/// The labels of a document's spans by id, sorted: checks every relation of a big document
/// without a scan of its spans per relation.
pub struct LabelsById<'a>(Vec<(SpanId, &'a str)>);

impl<'a> LabelsById<'a> {
    pub fn new(spans: impl Iterator<Item = (SpanId, &'a str)>) -> Self {
        let mut v: Vec<_> = spans.collect();
        v.sort_unstable();
        Self(v)
    }

    pub fn get(&self, id: SpanId) -> Option<&'a str> {
        let i = self.0.binary_search_by_key(&id, |(i, _)| *i).ok()?;
        self.0.get(i).map(|(_, l)| *l)
    }
}

/// Every annotation of the project fits `schema` (before it replaces the project's).
pub fn schema_fits(project: &Project, schema: &Schema) -> Result<(), EditError> {
    let mismatch = |e: EditError| EditError::SchemaMismatch(e.to_string());
    for d in &project.documents {
        for s in d.spans() {
            attrs(schema, &s.label, &s.attrs).map_err(mismatch)?;
        }
        for r in d.relations() {
            relation_in(schema, d, r).map_err(mismatch)?;
        }
        for s in d.suggestions() {
            label(schema, &s.label).map_err(mismatch)?;
        }
    }
    Ok(())
}

/// Something wrong with a schema. [`SchemaProblem::is_error`] tells the problems that make
/// annotations ambiguous (a file with one does not load) from those that only get in the
/// annotator's way (keys that clash: shown, the project loads).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaProblem {
    #[error("a label has an empty name")]
    EmptyLabelName,
    #[error("label `{0}` is defined twice")]
    LabelTwice(String),
    #[error("key `{key}` is given to labels `{first}` and `{second}`")]
    KeyTwice {
        key: char,
        first: String,
        second: String,
    },
    #[error("key `{key}` of label `{label}` is reserved by the document view")]
    ReservedKey { key: char, label: String },
    #[error("label `{0}` has an attribute with an empty name")]
    EmptyAttributeName(String),
    #[error("label `{label}` defines attribute `{attribute}` twice")]
    AttributeTwice { label: String, attribute: String },
    #[error("key `{key}` means both `{first}` and `{second}` on `{label}` spans")]
    AttributeKeyTwice {
        key: char,
        label: String,
        first: String,
        second: String,
    },
    #[error("key `{key}` of `{what}` on `{label}` spans is also a label or reserved key")]
    AttributeKeyTaken {
        key: char,
        label: String,
        what: String,
    },
    #[error("attribute `{attribute}` of `{label}` has no values")]
    NoValues { label: String, attribute: String },
    #[error("relation type `{0}` is defined twice")]
    RelationTwice(String),
    #[error("relation type `{relation}` refers to label `{label}`, which does not exist")]
    UnknownEnd { relation: String, label: String },
}

impl SchemaProblem {
    /// Makes annotations ambiguous: a project file with it does not load.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Self::EmptyLabelName
                | Self::LabelTwice(_)
                | Self::KeyTwice { .. }
                | Self::AttributeTwice { .. }
                | Self::RelationTwice(_)
                | Self::UnknownEnd { .. }
        )
    }

    /// The name the problem is about, to find it in a file.
    pub fn subject(&self) -> &str {
        match self {
            Self::EmptyLabelName => "",
            Self::LabelTwice(name) | Self::EmptyAttributeName(name) | Self::RelationTwice(name) => {
                name
            }
            Self::KeyTwice { second, .. } => second,
            Self::ReservedKey { label, .. } | Self::NoValues { label, .. } => label,
            Self::AttributeTwice { attribute, .. } => attribute,
            Self::AttributeKeyTwice { label, .. } | Self::AttributeKeyTaken { label, .. } => label,
            Self::UnknownEnd { relation, .. } => relation,
        }
    }
}

/// Every problem of a schema, labels first, in the order they appear.
pub fn schema(schema: &Schema) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    let mut keys = HashMap::new();
    for l in &schema.labels {
        if l.name.trim().is_empty() {
            out.push(SchemaProblem::EmptyLabelName);
        }
        if !names.insert(l.name.as_str()) {
            out.push(SchemaProblem::LabelTwice(l.name.clone()));
        }
        if let Some(k) = l.key {
            if let Some(other) = keys.insert(k, l.name.as_str()) {
                out.push(SchemaProblem::KeyTwice {
                    key: k,
                    first: other.to_owned(),
                    second: l.name.clone(),
                });
            }
            if RESERVED_KEYS.contains(&k) {
                out.push(SchemaProblem::ReservedKey {
                    key: k,
                    label: l.name.clone(),
                });
            }
        }
        label_attributes(schema, l, &mut out);
    }
    let mut rel_names = HashSet::new();
    for r in &schema.relations {
        if !rel_names.insert(r.name.as_str()) {
            out.push(SchemaProblem::RelationTwice(r.name.clone()));
        }
        for end in RelationType::labels(&r.from).chain(RelationType::labels(&r.to)) {
            if schema.label(end).is_none() {
                out.push(SchemaProblem::UnknownEnd {
                    relation: r.name.clone(),
                    label: end.to_owned(),
                });
            }
        }
    }
    out
}

/// The problems of one label's attributes: names, values and the keys that set them.
fn label_attributes(schema: &Schema, l: &LabelDef, out: &mut Vec<SchemaProblem>) {
    let mut attr_names = HashSet::new();
    let mut attr_keys = HashMap::new();
    for a in &l.attributes {
        if a.name.trim().is_empty() {
            out.push(SchemaProblem::EmptyAttributeName(l.name.clone()));
        }
        if !attr_names.insert(a.name.as_str()) {
            out.push(SchemaProblem::AttributeTwice {
                label: l.name.clone(),
                attribute: a.name.clone(),
            });
        }
        let value_keys = a
            .choices()
            .iter()
            .filter_map(|c| c.key.map(|k| (k, c.value.as_str())));
        for (k, what) in a
            .key
            .map(|k| (k, a.name.as_str()))
            .into_iter()
            .chain(value_keys)
        {
            if let Some(other) = attr_keys.insert(k, what) {
                out.push(SchemaProblem::AttributeKeyTwice {
                    key: k,
                    label: l.name.clone(),
                    first: other.to_owned(),
                    second: what.to_owned(),
                });
            }
            if RESERVED_KEYS.contains(&k) || schema.labels.iter().any(|x| x.key == Some(k)) {
                out.push(SchemaProblem::AttributeKeyTaken {
                    key: k,
                    label: l.name.clone(),
                    what: what.to_owned(),
                });
            }
        }
        if let AttrKind::Choice(c) = &a.kind
            && c.is_empty()
        {
            out.push(SchemaProblem::NoValues {
                label: l.name.clone(),
                attribute: a.name.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{AttributeDef, Rgb};

    #[test]
    fn ranges_must_be_non_empty_inside_and_on_char_boundaries() {
        let text = "a😀b";
        assert_eq!(covered(text, 1, 5), Ok("😀"));
        assert!(covered(text, 2, 5).is_err(), "inside the emoji");
        assert!(covered(text, 3, 3).is_err(), "empty");
        assert!(covered(text, 0, 99).is_err(), "past the end");
        assert_eq!(
            stored_text(text, 0, 1, "b"),
            Err(EditError::TextMismatch { start: 0, end: 1 })
        );
    }

    #[test]
    fn fitting_attrs_keeps_only_what_the_label_accepts() {
        let schema = Schema::news_default();
        let stance = schema.label("stance");
        let attrs: Attrs = [
            ("polarity".to_owned(), "against".to_owned()),
            ("polarity2".to_owned(), "x".to_owned()),
        ]
        .into_iter()
        .collect();
        let kept = fitting_attrs(stance, &attrs);
        assert_eq!(kept.len(), 1);
        assert!(fitting_attrs(None, &attrs).is_empty());
        let bad: Attrs = [("polarity".to_owned(), "furious".to_owned())]
            .into_iter()
            .collect();
        assert!(fitting_attrs(stance, &bad).is_empty());
    }

    #[test]
    fn schema_errors_and_warnings_are_told_apart() {
        let mut s = Schema::news_default();
        s.labels.push(LabelDef {
            name: "speaker".into(),
            color: Rgb([0, 0, 0]),
            key: Some('r'),
            attributes: vec![AttributeDef {
                name: "x".into(),
                kind: AttrKind::Choice(Vec::new()),
                key: None,
            }],
            event: false,
        });
        let found = schema(&s);
        assert!(found.contains(&SchemaProblem::LabelTwice("speaker".into())));
        assert!(
            found
                .iter()
                .any(|p| matches!(p, SchemaProblem::ReservedKey { key: 'r', .. }))
        );
        let errors: Vec<_> = found.iter().filter(|p| p.is_error()).collect();
        assert_eq!(errors, [&SchemaProblem::LabelTwice("speaker".into())]);
        assert!(schema(&Schema::news_default()).is_empty());
    }
}
