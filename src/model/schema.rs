//! The label schema: which kinds of spans a project has, how they look and which key makes
//! them. Stored in the project file so a team shares one schema.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An sRGB colour, stored in project files as `"#rrggbb"` so people can read and edit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
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
pub struct LabelDef {
    /// The name spans carry and exports write (`speaker`, `stance`, ...).
    pub name: String,
    pub color: Rgb,
    /// The key that applies this label in the document view (`1`, `2`, `s`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<char>,
}

/// The labels of a project, in the order the toolbar shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub labels: Vec<LabelDef>,
}

impl Schema {
    /// The schema Marginalia is built for: who speaks, which position they take, and the
    /// events they talk about.
    pub fn news_default() -> Self {
        let label = |name: &str, color: [u8; 3], key: char| LabelDef {
            name: name.to_owned(),
            color: Rgb(color),
            key: Some(key),
        };
        Self {
            labels: vec![
                label("speaker", [0x25, 0x63, 0xeb], '1'),
                label("stance", [0xdc, 0x4c, 0x10], '2'),
                label("event", [0x16, 0x8a, 0x4a], '3'),
            ],
        }
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
    fn default_schema_maps_number_keys() {
        let s = Schema::news_default();
        assert_eq!(
            s.label_for_key('2').map(|l| l.name.as_str()),
            Some("stance")
        );
        assert!(s.label_for_key('9').is_none());
    }
}
