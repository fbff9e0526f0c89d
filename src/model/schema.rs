//! The label schema: which kinds of spans a project has, how they look and which key makes
//! them. Stored in the project file so a team shares one schema.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An sRGB colour, stored in project files as `"#rrggbb"` so people can read and edit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rgb(pub [u8; 3]);

/// Colours for labels: distinct, readable under text, fine for white chip text. New labels
/// (typed in the schema editor, or read from another tool) take them in turn.
pub const LABEL_COLORS: [Rgb; 12] = [
    Rgb([0x25, 0x63, 0xeb]),
    Rgb([0xdc, 0x4c, 0x10]),
    Rgb([0x16, 0x8a, 0x4a]),
    Rgb([0x93, 0x33, 0xea]),
    Rgb([0xc0, 0x26, 0x6d]),
    Rgb([0x0e, 0x74, 0x90]),
    Rgb([0xb4, 0x53, 0x09]),
    Rgb([0x4d, 0x7c, 0x0f]),
    Rgb([0x6d, 0x28, 0xd9]),
    Rgb([0x57, 0x53, 0x4e]),
    Rgb([0xbe, 0x12, 0x3c]),
    Rgb([0x03, 0x69, 0xa1]),
];

impl Rgb {
    /// The `n`th label colour, in turn.
    pub fn nth_label_color(n: usize) -> Self {
        LABEL_COLORS
            .get(n % LABEL_COLORS.len())
            .copied()
            .unwrap_or(Rgb([128, 128, 128]))
    }

    /// Parses `#rrggbb` (the `#` is optional).
    pub fn parse(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#').unwrap_or(s);
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Self([byte(0)?, byte(2)?, byte(4)?]))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl TryFrom<String> for Rgb {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("`{s}` is not a colour of the form \"#rrggbb\""))
    }
}

impl From<Rgb> for String {
    fn from(c: Rgb) -> Self {
        c.to_string()
    }
}

/// One label of the schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Label")]
#[serde(deny_unknown_fields)]
pub struct LabelDef {
    /// The name spans carry and exports write (`speaker`, `stance`, ...).
    pub name: String,
    pub color: Rgb,
    /// The key that applies this label in the document view (`1`, `2`, `s`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<char>,
    /// What a span of this label can say beyond its label (stance polarity, event type...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDef>,
    /// Spans of this label are event triggers: their outgoing relations are the event's
    /// arguments (brat's `E` annotations, written back as events).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub event: bool,
}

impl LabelDef {
    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// An attribute of a label's spans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Attribute")]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    pub name: String,
    pub kind: AttrKind,
    /// For free text: the key that jumps to the field when a span is selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<char>,
}

/// The values an attribute takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrKind {
    /// One of a fixed list; each value may have a key that sets it on the selected span.
    Choice(Vec<Choice>),
    /// Free text, suggested from the values already used in the project.
    Text,
}

/// A value of a choice attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Value")]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<char>,
}

impl AttributeDef {
    /// Whether `value` is allowed: any non-empty text, or one of the choices.
    pub fn accepts(&self, value: &str) -> bool {
        match &self.kind {
            AttrKind::Choice(choices) => choices.iter().any(|c| c.value == value),
            AttrKind::Text => !value.trim().is_empty(),
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match &self.kind {
            AttrKind::Choice(c) => c,
            AttrKind::Text => &[],
        }
    }
}

/// A typed, directed relation between spans of two labels (speaker —holds→ stance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "RelationType")]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    pub name: String,
    /// Label of the span the relation starts from; several as `a|b` (brat's alternatives).
    pub from: String,
    /// Label of the span it points to; several as `a|b`.
    pub to: String,
    /// Undirected (brat's symmetric-transitive equivalences): either end may be either label.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub symmetric: bool,
}

impl RelationType {
    pub fn new(name: &str, from: &str, to: &str) -> Self {
        Self {
            name: name.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            symmetric: false,
        }
    }

    /// Whether a relation of this type may go from a `from_label` span to a `to_label` span.
    pub fn fits(&self, from_label: &str, to_label: &str) -> bool {
        let has = |set: &str, l: &str| set.split('|').any(|x| x == l);
        (has(&self.from, from_label) && has(&self.to, to_label))
            || (self.symmetric && has(&self.from, to_label) && has(&self.to, from_label))
    }

    /// The labels at one end (`from` or `to`).
    pub fn labels(set: &str) -> impl Iterator<Item = &str> {
        set.split('|').filter(|l| !l.is_empty())
    }
}

/// Keys the document view keeps for itself whatever the schema says (`r` starts a relation).
pub const RESERVED_KEYS: &[char] = &['r', 'j', 'k', '[', ']', '{', '}'];

/// The labels of a project, in the order the toolbar shows them, and the relation types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub labels: Vec<LabelDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationType>,
}

impl Schema {
    /// The schema Marginalia is built for: who speaks, which position they take, and the
    /// events they talk about.
    pub fn news_default() -> Self {
        let label = |name: &str, color: [u8; 3], key: char| LabelDef {
            name: name.to_owned(),
            color: Rgb(color),
            key: Some(key),
            attributes: default_attributes(name),
            event: false,
        };
        let labels = vec![
            label("speaker", [0x25, 0x63, 0xeb], '1'),
            label("stance", [0xdc, 0x4c, 0x10], '2'),
            label("event", [0x16, 0x8a, 0x4a], '3'),
        ];
        let relations = default_relations(&labels);
        Self { labels, relations }
    }

    /// Default attributes and relation types added to a schema from format version 1, which
    /// had none: labels named like the news defaults get the default attributes.
    pub fn add_news_defaults(&mut self) {
        for l in &mut self.labels {
            if l.attributes.is_empty() {
                l.attributes = default_attributes(&l.name);
            }
        }
        if self.relations.is_empty() {
            self.relations = default_relations(&self.labels);
        }
    }

    pub fn label_index(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    pub fn relation(&self, name: &str) -> Option<&RelationType> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// Relation types that can link a span labelled `a` with one labelled `b`, in either
    /// direction: `(type, true)` when it goes from `a` to `b`.
    pub fn relations_between<'a>(
        &'a self,
        a: &'a str,
        b: &'a str,
    ) -> impl Iterator<Item = (&'a RelationType, bool)> + 'a {
        self.relations.iter().filter_map(move |r| {
            if r.fits(a, b) {
                Some((r, true))
            } else if r.fits(b, a) {
                Some((r, false))
            } else {
                None
            }
        })
    }

    pub fn label(&self, name: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.name == name)
    }

    /// The colour of a label; grey for a label the schema does not know (it can only come
    /// from a file edited by hand, and is reported by `validate`).
    pub fn color_of(&self, name: &str) -> Rgb {
        self.label(name).map_or(Rgb([128, 128, 128]), |l| l.color)
    }

    /// The label a key press selects, if any.
    pub fn label_for_key(&self, key: char) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.key == Some(key))
    }
}

/// The attributes the news schema gives each default label.
fn default_attributes(label: &str) -> Vec<AttributeDef> {
    let choice = |name: &str, values: &[(&str, char)]| AttributeDef {
        name: name.to_owned(),
        kind: AttrKind::Choice(
            values
                .iter()
                .map(|(v, k)| Choice {
                    value: (*v).to_owned(),
                    key: Some(*k),
                })
                .collect(),
        ),
        key: None,
    };
    let text = |name: &str, key: char| AttributeDef {
        name: name.to_owned(),
        kind: AttrKind::Text,
        key: Some(key),
    };
    match label {
        "speaker" => vec![text("entity", 'e')],
        "stance" => vec![
            choice(
                "polarity",
                &[
                    ("favor", 'f'),
                    ("against", 'a'),
                    ("neutral", 'n'),
                    ("unclear", 'u'),
                ],
            ),
            text("target", 't'),
        ],
        "event" => vec![
            choice(
                "type",
                &[
                    ("statement", 's'),
                    ("meeting", 'm'),
                    ("negotiation", 'n'),
                    ("attack", 'a'),
                    ("election", 'e'),
                    ("legislation", 'l'),
                    ("other", 'o'),
                ],
            ),
            text("when", 'w'),
        ],
        _ => Vec::new(),
    }
}

/// speaker —holds→ stance, speaker —participates_in→ event, stance —about→ event, where
/// those labels exist.
fn default_relations(labels: &[LabelDef]) -> Vec<RelationType> {
    let has = |n: &str| labels.iter().any(|l| l.name == n);
    [
        ("holds", "speaker", "stance"),
        ("participates_in", "speaker", "event"),
        ("about", "stance", "event"),
    ]
    .into_iter()
    .filter(|(_, a, b)| has(a) && has(b))
    .map(|(name, from, to)| RelationType::new(name, from, to))
    .collect()
}

impl Default for Schema {
    fn default() -> Self {
        Self::news_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_through_hex() {
        let c = Rgb::parse("#2563eb").unwrap();
        assert_eq!(c, Rgb([0x25, 0x63, 0xeb]));
        assert_eq!(c.to_string(), "#2563eb");
        assert_eq!(Rgb::parse("2563EB"), Some(c));
        assert_eq!(Rgb::parse("#25"), None);
        assert_eq!(Rgb::parse("#gg63eb"), None);
        assert_eq!(Rgb::parse("#é563e"), None);
    }

    #[test]
    fn the_default_schema_has_no_problems() {
        assert_eq!(
            crate::model::check::schema(&Schema::news_default()),
            Vec::new()
        );
    }

    #[test]
    fn clashing_keys_and_names_are_reported() {
        let mut s = Schema::news_default();
        s.labels[2].key = Some('1');
        s.labels[1].attributes[0].name = "target".into();
        s.relations
            .push(RelationType::new("cites", "speaker", "source"));
        let p = crate::model::check::schema(&s)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            p.contains("key `1` is given to labels `speaker` and `event`"),
            "{p}"
        );
        assert!(p.contains("defines attribute `target` twice"), "{p}");
        assert!(p.contains("label `source`, which does not exist"), "{p}");
    }

    #[test]
    fn relations_between_work_in_both_directions() {
        let s = Schema::news_default();
        let found: Vec<_> = s
            .relations_between("stance", "speaker")
            .map(|(r, fwd)| (r.name.as_str(), fwd))
            .collect();
        assert_eq!(found, [("holds", false)]);
        let found: Vec<_> = s
            .relations_between("speaker", "event")
            .map(|(r, fwd)| (r.name.as_str(), fwd))
            .collect();
        assert_eq!(found, [("participates_in", true)]);
    }

    #[test]
    fn default_schema_maps_number_keys() {
        let s = Schema::news_default();
        assert_eq!(
            s.label_for_key('2').map(|l| l.name.as_str()),
            Some("stance")
        );
        assert!(s.label_for_key('9').is_none());
    }
}
