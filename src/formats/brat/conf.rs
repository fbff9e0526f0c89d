//! annotation.conf: read into a schema, written from one.

use super::{BINARY, bare_role};
use crate::model::{AttrKind, AttributeDef, Choice, LabelDef, RelationType, Rgb, Schema};
use std::collections::{BTreeMap, HashMap};

/// The sections of an annotation.conf as read, before macros are expanded.
#[derive(Default)]
struct Conf {
    macros: HashMap<String, String>,
    entities: Vec<String>,
    /// Event types with their (role, argument types).
    events: Vec<(String, Vec<(String, String)>)>,
    /// Relation types: name, Arg1 types, Arg2 types, symmetric.
    relations: Vec<(String, String, String, bool)>,
    /// Attributes: name, the types they apply to, their values (`None`: binary).
    attributes: Vec<(String, String, Option<Vec<String>>)>,
}

/// Reads annotation.conf into a schema. Macros (`<POG>=A|B`), `<ENTITY>`, `<EVENT>` and
/// `<ANY>` are expanded; abstract types (`!Life`) are skipped.
pub fn parse_conf(text: &str) -> Schema {
    let conf = read_sections(text);
    let mut schema = Schema {
        labels: conf.labels(),
        relations: Vec::new(),
    };
    for (name, a1, a2, symmetric) in &conf.relations {
        let mut r = RelationType::new(name, &conf.expand(a1).join("|"), &conf.expand(a2).join("|"));
        r.symmetric = *symmetric;
        schema.relations.push(r);
    }
    for (role, (from, to)) in conf.roles() {
        if schema.relation(&role).is_none() {
            schema
                .relations
                .push(RelationType::new(&role, &from.join("|"), &to.join("|")));
        }
    }
    conf.add_attributes(&mut schema);
    schema
}

/// Every line of the file, in its section.
fn read_sections(text: &str) -> Conf {
    let mut conf = Conf::default();
    let mut section = "";
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("---") {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = match line {
                "[entities]" => "entities",
                "[relations]" => "relations",
                "[events]" => "events",
                "[attributes]" => "attributes",
                _ => "",
            };
            continue;
        }
        if let Some((name, value)) = line.split_once('=')
            && name.starts_with('<')
            && name.ends_with('>')
            && !value.contains(':')
        {
            conf.macros.insert(name.to_owned(), value.trim().to_owned());
            continue;
        }
        if !line.starts_with('!') {
            conf.read_line(section, line);
        }
    }
    conf
}

impl Conf {
    /// A type of `section`: its name, then `Key:Value` arguments separated by commas.
    fn read_line(&mut self, section: &str, line: &str) {
        let (name, rest) = match line.split_once(char::is_whitespace) {
            Some((n, r)) => (n.to_owned(), r.trim()),
            None => (line.to_owned(), ""),
        };
        let args: Vec<(String, String)> = rest
            .split(',')
            .filter_map(|a| a.trim().split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let get = |k: &str| args.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
        match section {
            "entities" => self.entities.push(name),
            "events" => {
                let roles = args
                    .iter()
                    .map(|(k, v)| (bare_role(k).to_owned(), v.clone()));
                self.events.push((name, roles.collect()));
            }
            "relations" => {
                let symmetric = args
                    .iter()
                    .any(|(k, v)| k == "<REL-TYPE>" && v.contains("symmetric"));
                let (a1, a2) = (get("Arg1"), get("Arg2"));
                self.relations.push((
                    name,
                    a1.unwrap_or_default(),
                    a2.unwrap_or_default(),
                    symmetric,
                ));
            }
            "attributes" => {
                let values = get("Value").map(|v| v.split('|').map(str::to_owned).collect());
                self.attributes
                    .push((name, get("Arg").unwrap_or_default(), values));
            }
            _ => {}
        }
    }

    fn event_names(&self) -> Vec<String> {
        self.events.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The types a list (`A|<MACRO>|<ENTITY>`) stands for.
    fn expand(&self, types: &str) -> Vec<String> {
        let events = self.event_names();
        let mut out = Vec::new();
        for t in types.split('|').map(str::trim) {
            match t {
                "<ENTITY>" => out.extend(self.entities.iter().cloned()),
                "<EVENT>" => out.extend(events.iter().cloned()),
                "<ANY>" => out.extend(self.entities.iter().chain(&events).cloned()),
                _ => match self.macros.get(t) {
                    Some(m) => out.extend(m.split('|').map(|x| x.trim().to_owned())),
                    None if !t.is_empty() => out.push(t.to_owned()),
                    None => {}
                },
            }
        }
        out.dedup();
        out
    }

    /// Entity and event types as labels, with colours and number keys in order.
    fn labels(&self) -> Vec<LabelDef> {
        let events = self.event_names();
        let mut labels: Vec<LabelDef> = Vec::new();
        for (i, name) in self.entities.iter().chain(&events).enumerate() {
            if labels.iter().any(|l| &l.name == name) {
                continue;
            }
            labels.push(LabelDef {
                name: name.clone(),
                color: Rgb::nth_label_color(i),
                key: char::from_digit((i + 1) as u32, 10).filter(|_| i < 9),
                attributes: Vec::new(),
                event: events.contains(name),
            });
        }
        labels
    }

    /// Each role is a relation type from the events that have it to its argument types.
    fn roles(&self) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        let mut roles: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for (event, args) in &self.events {
            for (role, types) in args {
                let e = roles.entry(role.clone()).or_default();
                if !e.0.contains(event) {
                    e.0.push(event.clone());
                }
                for t in self.expand(types) {
                    if !e.1.contains(&t) {
                        e.1.push(t);
                    }
                }
            }
        }
        roles
    }

    /// Attributes join the labels they apply to: choices, or binary (`true`).
    fn add_attributes(&self, schema: &mut Schema) {
        for (name, target, values) in &self.attributes {
            let choices = match values {
                Some(v) => v.clone(),
                None => vec![BINARY.to_owned()],
            };
            let kind = AttrKind::Choice(
                choices
                    .into_iter()
                    .map(|value| Choice { value, key: None })
                    .collect(),
            );
            for label in self.expand(target) {
                if let Some(l) = schema.labels.iter_mut().find(|l| l.name == label)
                    && l.attribute(name).is_none()
                {
                    l.attributes.push(AttributeDef {
                        name: name.clone(),
                        kind: kind.clone(),
                        key: None,
                    });
                }
            }
        }
    }
}

/// annotation.conf for a schema. Free-text attributes cannot be declared in brat; they
/// travel in notes (see the module comment).
pub(super) fn write_conf(schema: &Schema) -> String {
    let events: Vec<&LabelDef> = schema.labels.iter().filter(|l| l.event).collect();
    let is_role = |r: &RelationType| {
        RelationType::labels(&r.from).all(|l| events.iter().any(|e| e.name == l))
    };
    let mut out = String::from("# Written by Marginalia.\n[entities]\n");
    for l in schema.labels.iter().filter(|l| !l.event) {
        out.push_str(&format!("{}\n", l.name));
    }
    out.push_str("\n[relations]\n");
    for r in schema.relations.iter().filter(|r| !is_role(r)) {
        out.push_str(&format!("{}\tArg1:{}, Arg2:{}", r.name, r.from, r.to));
        if r.symmetric {
            out.push_str(", <REL-TYPE>:symmetric-transitive");
        }
        out.push('\n');
    }
    out.push_str("\n[events]\n");
    for e in &events {
        let roles: Vec<String> = schema
            .relations
            .iter()
            .filter(|r| is_role(r) && RelationType::labels(&r.from).any(|l| l == e.name))
            .map(|r| format!("{}*:{}", r.name, r.to))
            .collect();
        out.push_str(&format!("{}\t{}\n", e.name, roles.join(", ")));
    }
    out.push_str("\n[attributes]\n");
    let mut attrs: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for l in &schema.labels {
        for a in &l.attributes {
            if let AttrKind::Choice(c) = &a.kind {
                let e = attrs.entry(&a.name).or_default();
                e.0.push(&l.name);
                for v in c {
                    if !e.1.contains(&v.value.as_str()) {
                        e.1.push(&v.value);
                    }
                }
            }
        }
    }
    for (name, (labels, values)) in attrs {
        if values == [BINARY] {
            out.push_str(&format!("{name}\tArg:{}\n", labels.join("|")));
        } else {
            out.push_str(&format!(
                "{name}\tArg:{}, Value:{}\n",
                labels.join("|"),
                values.join("|")
            ));
        }
    }
    out
}
