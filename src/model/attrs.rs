//! A span's attribute values: a small map from attribute name to value, kept as a sorted
//! list. A span has one to three attributes; a `BTreeMap` node for them took about half a
//! kilobyte per span, which was the largest part of a big project's memory after its text.
//! Reads and writes like a `BTreeMap<String, String>` (the same RON and JSON: a map in key
//! order), so the file format does not change.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Attribute values by attribute name, in name order, each name once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Attrs(Vec<(String, String)>);

impl Attrs {
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        let i = self.find(name).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name` to `value`; returns the value it replaced.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.find(&name) {
            Ok(i) => self.0.get_mut(i).map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.find(name).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> + Clone {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl FromIterator<(String, String)> for Attrs {
    /// A later value for the same name wins, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut out = Self::new();
        out.extend(iter);
        // Built once and rarely grown after: a million documents' metadata at the growth
        // capacity (room for four) took twice the memory of what they hold.
        out.0.shrink_to_fit();
        out
    }
}

impl Extend<(String, String)> for Attrs {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl From<Attrs> for BTreeMap<String, String> {
    fn from(attrs: Attrs) -> Self {
        attrs.0.into_iter().collect()
    }
}

impl IntoIterator for Attrs {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
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
                f.write_str("a map of attribute names to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attrs, A::Error> {
                let mut out = Attrs(Vec::with_capacity(access.size_hint().unwrap_or(0).min(16)));
                while let Some((k, v)) = access.next_entry::<String, String>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(AttrsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map_and_serialises_like_one() {
        let mut a = Attrs::new();
        assert_eq!(a.insert("target".into(), "talks".into()), None);
        assert_eq!(a.insert("polarity".into(), "for".into()), None);
        assert_eq!(
            a.insert("polarity".into(), "against".into()),
            Some("for".into())
        );
        assert_eq!(a.keys().collect::<Vec<_>>(), ["polarity", "target"]);
        assert_eq!(a.get("polarity").map(String::as_str), Some("against"));
        let map: BTreeMap<String, String> = a.clone().into();
        assert_eq!(
            ron::to_string(&a).unwrap(),
            ron::to_string(&map).unwrap(),
            "the same RON as the map it replaces"
        );
        let back: Attrs = ron::from_str(r#"{"b": "2", "a": "1", "b": "3"}"#).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>().len(), 2);
        assert_eq!(back.get("b").map(String::as_str), Some("3"));
        assert_eq!(a.remove("target"), Some("talks".into()));
        assert_eq!(a.len(), 1);
        assert!(!a.contains_key("target"));
    }
}
