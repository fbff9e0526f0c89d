//! Small maps from a name to a text, packed into one string: a span's (or relation's)
//! attribute values, and a document's metadata (the other fields of its JSONL line, a
//! task's `meta`, a Label Studio task's `data`...).
//!
//! Half a million spans with an attribute each, or a million small documents with two or
//! three fields, are that many maps. A `BTreeMap` node took half a kilobyte; a sorted list
//! of `(String, String)` was a list allocation plus one per name and per value, about 240
//! bytes for two fields and a third of the memory of such an import. Packed, a map is one
//! allocation of what it says plus a few length digits. Reads are a scan of a few fields; a
//! change rebuilds the string, which for a few small fields costs what the list's
//! allocations did.
//!
//! Reads and writes like a `BTreeMap<String, String>` (the same RON and JSON: a map in key
//! order), so the file formats do not change.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt::Write as _;

/// Values by name, in name order, each name once. Packed as `<len>:<name><len>:<value>` per
/// entry (lengths in bytes, in decimal), so every boundary is a char boundary and the whole
/// is one `str`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Attrs(Box<str>);

/// A document's metadata: the same packed map.
pub type Meta = Attrs;

impl Attrs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`; returns the value it replaced.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        let old = self.get(&name).map(str::to_owned);
        let before = self.iter().take_while(|(k, _)| *k < name.as_str());
        let after = self.iter().filter(|(k, _)| *k > name.as_str());
        let packed = pack(before.chain([(name.as_str(), value.as_str())]).chain(after));
        self.0 = packed;
        old
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        let old = self.get(name).map(str::to_owned)?;
        self.0 = pack(self.iter().filter(|(k, _)| *k != name));
        Some(old)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names and values, in name order.
    pub fn iter(&self) -> Fields<'_> {
        Fields { rest: &self.0 }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    /// The entries `keep` says yes to: a copy of the same string when it keeps them all
    /// (what an import's spans usually do), one rebuild otherwise.
    pub fn filtered(&self, mut keep: impl FnMut(&str, &str) -> bool) -> Self {
        let kept: Vec<(&str, &str)> = self.iter().filter(|(k, v)| keep(k, v)).collect();
        if kept.len() == self.len() {
            return self.clone();
        }
        Self(pack(kept.into_iter()))
    }

    /// Packs entries given in any order; a later value for the same name wins, as in a map.
    fn from_entries(mut entries: Vec<(String, String)>) -> Self {
        // Stable: entries of one name stay in the order given, and the last is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let kept = entries
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| entries.get(i + 1).is_none_or(|(next, _)| next != k))
            .map(|(_, (k, v))| (k.as_str(), v.as_str()));
        Self(pack(kept))
    }
}

/// The entries of an [`Attrs`], in name order.
#[derive(Clone)]
pub struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Fields<'a> {
    /// The next length-prefixed piece of `rest`; `None` at the end (or, never for a string
    /// [`pack`] wrote, on a malformed one).
    fn piece(&mut self) -> Option<&'a str> {
        let (len, rest) = self.rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let piece = rest.get(..len)?;
        self.rest = rest.get(len..)?;
        Some(piece)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = self.piece()?;
        let value = self.piece()?;
        Some((name, value))
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a str, &'a str);
    type IntoIter = Fields<'a>;

    fn into_iter(self) -> Fields<'a> {
        self.iter()
    }
}

/// Packs fields given in name order, each name once, into one string of exactly their size.
fn pack<'a>(fields: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Box<str> {
    let piece_len = |s: &str| s.len() + decimal_len(s.len()) + 1;
    let size = fields
        .clone()
        .map(|(k, v)| piece_len(k) + piece_len(v))
        .sum();
    let mut out = String::with_capacity(size);
    for (k, v) in fields {
        for piece in [k, v] {
            // Writing into a String cannot fail; the length goes in without a String of
            // its own (half a million spans are built through here on an import).
            let _ = write!(out, "{}:", piece.len());
            out.push_str(piece);
        }
    }
    out.into_boxed_str()
}

fn decimal_len(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

impl IntoIterator for Attrs {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        let owned: Vec<_> = self
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        owned.into_iter()
    }
}

impl FromIterator<(String, String)> for Attrs {
    /// A later value for the same name wins, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self::from_entries(iter.into_iter().collect())
    }
}

impl Extend<(String, String)> for Attrs {
    /// A later value for the same name wins, as in a map; one rebuild for all of them.
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        let mine = self.iter().map(|(k, v)| (k.to_owned(), v.to_owned()));
        *self = Self::from_entries(mine.chain(iter).collect());
    }
}

impl From<Attrs> for std::collections::BTreeMap<String, String> {
    fn from(attrs: Attrs) -> Self {
        attrs
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

impl std::fmt::Debug for Attrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttrsVisitor;
        impl<'de> Visitor<'de> for AttrsVisitor {
            type Value = Attrs;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of names to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attrs, A::Error> {
                let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(0).min(16));
                while let Some(entry) = access.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(Attrs::from_entries(entries))
            }
        }
        deserializer.deserialize_map(AttrsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_map_and_serialises_like_one() {
        let mut m = Meta::new();
        assert!(m.is_empty());
        assert_eq!(m.insert("source".into(), "wire".into()), None);
        assert_eq!(m.insert("date".into(), "2024-10-01".into()), None);
        assert_eq!(m.insert("source".into(), "AP".into()), Some("wire".into()));
        // Names and values that look like the packing: digits, colons, empty, multi-byte.
        assert_eq!(m.insert("12:x".into(), "3:abc".into()), None);
        assert_eq!(m.insert("".into(), "".into()), None);
        assert_eq!(m.insert("é".into(), "ünï 🌍".into()), None);
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["", "12:x", "date", "source", "é"]
        );
        assert_eq!(m.get("12:x"), Some("3:abc"));
        assert_eq!(m.get("source"), Some("AP"));
        assert_eq!(m.get("é"), Some("ünï 🌍"));
        assert_eq!(m.get(""), Some(""));
        assert_eq!(m.get("sourc"), None);
        assert_eq!(m.len(), 5);

        let map: BTreeMap<String, String> = m
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            ron::to_string(&m).unwrap(),
            ron::to_string(&map).unwrap(),
            "the same RON as the map it replaces"
        );
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        let back: Meta = ron::from_str(&ron::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let later_wins: Meta = ron::from_str(r#"{"b": "2", "a": "1", "b": "3"}"#).unwrap();
        assert_eq!(
            later_wins.iter().collect::<Vec<_>>(),
            [("a", "1"), ("b", "3")]
        );

        assert_eq!(m.remove("12:x"), Some("3:abc".into()));
        assert_eq!(m.remove("12:x"), None);
        assert_eq!(m.len(), 4);
        assert!(!m.contains_key("12:x"));
        m.extend([
            ("date".to_owned(), "today".to_owned()),
            ("z".into(), "1".into()),
        ]);
        assert_eq!(m.get("date"), Some("today"));
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["", "date", "source", "z", "é"]
        );
        assert_eq!(format!("{:?}", later_wins), r#"{"a": "1", "b": "3"}"#);
    }

    #[test]
    fn equal_maps_are_equal_however_they_were_built() {
        let mut a = Meta::new();
        a.insert("n".into(), "1".into());
        a.insert("m".into(), "2".into());
        let b: Meta = [("m".to_owned(), "2".to_owned()), ("n".into(), "1".into())]
            .into_iter()
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn is_one_allocation_of_what_it_holds() {
        let m: Meta = [
            ("source".to_owned(), "generated".to_owned()),
            ("n".into(), "42".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(&*m.0, "1:n2:426:source9:generated");
        assert_eq!(std::mem::size_of::<Meta>(), 16);
    }
}
