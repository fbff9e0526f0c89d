//! Writing brat: `ID.txt` and `ID.ann` per document, and `annotation.conf`.

use super::BINARY;
use super::conf::write_conf;
use crate::formats::export::ExportDoc;
use crate::formats::{Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{AttrKind, Attrs, Schema, SpanId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

/// Byte ranges of a span split at line breaks (brat text-bound annotations are one line).
fn fragments(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = start;
    for (i, _) in text.get(start..end).unwrap_or_default().match_indices('\n') {
        let line_end = start + i;
        let line_end = if text.get(line_end.saturating_sub(1)..line_end) == Some("\r") {
            line_end - 1
        } else {
            line_end
        };
        if line_end > at {
            out.push((at, line_end));
        }
        at = start + i + 1;
    }
    if end > at {
        out.push((at, end));
    }
    out
}

/// Writes each document as `ID.txt` and `ID.ann` under `out`, and `annotation.conf`.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let mut output = Output::default();
    output
        .files
        .push((out.join("annotation.conf"), write_conf(schema)));
    for d in docs {
        let file = out.join(format!("{}.ann", d.doc.id));
        let mut w = AnnWriter {
            d,
            schema,
            ann: String::new(),
            tid: HashMap::new(),
            eid: HashMap::new(),
            rid: HashMap::new(),
        };
        w.text_bounds(report);
        w.events(report);
        w.relations(report);
        w.attributes_and_notes(&file, report);
        if !d.suggestions.is_empty() {
            report.count(
                "suggestions not exported (brat has no suggestion layer)",
                d.suggestions.len(),
            );
        }
        output.files.push((
            out.join(format!("{}.txt", d.doc.id)),
            d.doc.text.to_string(),
        ));
        output.files.push((file, w.ann));
        report.count("documents", 1);
    }
    output
}

/// One document's .ann file, written line by line.
struct AnnWriter<'a> {
    d: &'a ExportDoc<'a>,
    schema: &'a Schema,
    ann: String,
    /// Span id → its T id.
    tid: HashMap<SpanId, String>,
    /// Span id → its E id, for the spans that are events.
    eid: HashMap<SpanId, String>,
    /// Relation id → its R id, for the attributes and notes on relations.
    rid: HashMap<SpanId, String>,
}

impl AnnWriter<'_> {
    /// An annotation's brat id: its event when it is one, else its T.
    fn target(&self, id: SpanId) -> String {
        self.eid
            .get(&id)
            .or_else(|| self.tid.get(&id))
            .cloned()
            .unwrap_or_default()
    }

    /// `T` lines, in code points; a span across line breaks is written as fragments. Events
    /// over the same text share one trigger `T`, as brat writes them.
    fn text_bounds(&mut self, report: &mut Report) {
        let text = &self.d.doc.text;
        let index = OffsetIndex::new(text);
        let event_labels = event_labels(self.schema);
        let mut triggers: HashMap<(&str, Vec<Range<usize>>), String> = HashMap::new();
        let mut t_n = 0;
        for s in &self.d.spans {
            let event = event_labels.contains(s.label.as_str());
            let key = (s.label.as_str(), s.pieces().collect::<Vec<_>>());
            if event && let Some(t) = triggers.get(&key) {
                self.tid.insert(s.id, t.clone());
                report.count("events sharing a trigger", 1);
                continue;
            }
            t_n += 1;
            let t = format!("T{t_n}");
            let frags: Vec<(usize, usize)> = s
                .pieces()
                .flat_map(|p| fragments(text, p.start, p.end))
                .collect();
            let offsets: Vec<String> = frags
                .iter()
                .map(|(a, b)| {
                    format!(
                        "{} {}",
                        index.from_byte(*a, Unit::CodePoints),
                        index.from_byte(*b, Unit::CodePoints)
                    )
                })
                .collect();
            let texts: Vec<&str> = frags.iter().filter_map(|(a, b)| text.get(*a..*b)).collect();
            if frags.len() > s.pieces().count() {
                report.count("spans written as fragments (line breaks)", 1);
            }
            self.ann.push_str(&format!(
                "{t}\t{} {}\t{}\n",
                s.label,
                offsets.join(";"),
                texts.join(" ")
            ));
            if event {
                triggers.insert(key, t.clone());
            }
            self.tid.insert(s.id, t);
        }
        report.count("spans", self.d.spans.len());
    }

    /// `E` lines: a span of an event label is an event, its outgoing relations the
    /// arguments (a role used twice is numbered: `Theme`, `Theme2`).
    fn events(&mut self, report: &mut Report) {
        let d = self.d;
        let event_labels = event_labels(self.schema);
        let events: Vec<_> = d
            .spans
            .iter()
            .filter(|s| event_labels.contains(s.label.as_str()))
            .collect();
        for (n, s) in events.iter().enumerate() {
            self.eid.insert(s.id, format!("E{}", n + 1));
        }
        for s in &events {
            let trigger = self.tid.get(&s.id).cloned().unwrap_or_default();
            let mut line = format!("{}\t{}:{trigger}", self.target(s.id), s.label);
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for r in d.relations.iter().filter(|r| r.from == s.id) {
                let k = seen.entry(r.kind.as_str()).or_default();
                *k += 1;
                let role = if *k == 1 {
                    r.kind.clone()
                } else {
                    format!("{}{}", r.kind, k)
                };
                line.push_str(&format!(" {role}:{}", self.target(r.to)));
                if !r.attrs.is_empty() || r.note.is_some() {
                    report.count(
                        "attributes and notes of event arguments not exported (brat has no place for them)",
                        1,
                    );
                }
            }
            self.ann.push_str(&line);
            self.ann.push('\n');
        }
        report.count("events", events.len());
    }

    /// `R` lines, and one `*` line per group of spans linked by a symmetric type (a
    /// symmetric relation with attributes or a note is an `R` line: `*` has no id to hang
    /// them on).
    fn relations(&mut self, report: &mut Report) {
        let d = self.d;
        let mut groups: BTreeMap<&str, Groups> = BTreeMap::new();
        let mut r_n = 0;
        for r in d
            .relations
            .iter()
            .filter(|r| !self.eid.contains_key(&r.from))
        {
            let plain = r.attrs.is_empty() && r.note.is_none();
            if plain && self.schema.relation(&r.kind).is_some_and(|t| t.symmetric) {
                groups.entry(&r.kind).or_default().join(r.from, r.to);
                continue;
            }
            r_n += 1;
            let (from, to) = (self.target(r.from), self.target(r.to));
            self.ann
                .push_str(&format!("R{r_n}\t{} Arg1:{from} Arg2:{to}\n", r.kind));
            self.rid.insert(r.id, format!("R{r_n}"));
        }
        for (kind, groups) in groups {
            for members in groups.into_groups() {
                let ids: Vec<String> = members.iter().map(|m| self.target(*m)).collect();
                self.ann.push_str(&format!("*\t{kind} {}\n", ids.join(" ")));
            }
        }
        report.count("relations", d.relations.len());
    }

    /// `A` lines for choice attributes; `#` notes for free-text attributes (`[name] value`)
    /// and for notes, on one line each; on spans, events and relations.
    fn attributes_and_notes(&mut self, file: &Path, report: &mut Report) {
        let d = self.d;
        let mut lines = Lines::default();
        for s in &d.spans {
            let target = self.target(s.id);
            let def = self.schema.label(&s.label);
            let is_text = |name: &str| {
                def.and_then(|l| l.attribute(name))
                    .is_none_or(|a| matches!(a.kind, AttrKind::Text))
            };
            lines.attrs(&target, &s.attrs, is_text);
            if let Some(note) = &s.note {
                if note.contains(['\n', '\t']) {
                    report.note(file, None, format!("the note of span {} has line breaks; brat notes are one line, so they became spaces", s.id.0));
                }
                lines.note(&target, note);
            }
        }
        for r in &d.relations {
            let Some(target) = self.rid.get(&r.id) else {
                continue;
            };
            lines.attrs(target, &r.attrs, |_| false);
            if let Some(note) = &r.note {
                lines.note(target, note);
            }
        }
        self.ann.push_str(&lines.out);
    }
}

/// Labels whose spans are events.
fn event_labels(schema: &Schema) -> BTreeSet<&str> {
    schema
        .labels
        .iter()
        .filter(|l| l.event)
        .map(|l| l.name.as_str())
        .collect()
}

/// `A` and `#` lines, numbered as they are written.
#[derive(Default)]
struct Lines {
    out: String,
    a_n: usize,
    note_n: usize,
}

impl Lines {
    /// One `A` line per choice value; free-text values (and any value with whitespace,
    /// which an `A` line cannot hold) as `[name] value` notes.
    fn attrs(&mut self, target: &str, attrs: &Attrs, is_text: impl Fn(&str) -> bool) {
        for (name, value) in attrs {
            if is_text(name) || value.contains(char::is_whitespace) {
                self.note(target, &format!("[{name}] {value}"));
            } else {
                self.a_n += 1;
                let v = if value == BINARY {
                    String::new()
                } else {
                    format!(" {value}")
                };
                self.out
                    .push_str(&format!("A{}\t{name} {target}{v}\n", self.a_n));
            }
        }
    }

    fn note(&mut self, target: &str, note: &str) {
        self.note_n += 1;
        self.out.push_str(&format!(
            "#{}\tAnnotatorNotes {target}\t{}\n",
            self.note_n,
            note.replace(['\n', '\r', '\t'], " ")
        ));
    }
}

/// Spans joined by a symmetric relation type, grouped (union-find), for `*` lines.
#[derive(Default)]
struct Groups {
    parent: BTreeMap<SpanId, SpanId>,
}

impl Groups {
    fn root(&mut self, id: SpanId) -> SpanId {
        let mut at = id;
        while let Some(&p) = self.parent.get(&at) {
            if p == at {
                break;
            }
            at = p;
        }
        self.parent.entry(id).or_insert(id);
        self.parent.insert(id, at);
        at
    }

    fn join(&mut self, a: SpanId, b: SpanId) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.parent.insert(ra.max(rb), ra.min(rb));
        }
    }

    /// Each group's members in id order, groups in the order of their first member.
    fn into_groups(mut self) -> Vec<Vec<SpanId>> {
        let ids: Vec<SpanId> = self.parent.keys().copied().collect();
        let mut by_root: BTreeMap<SpanId, Vec<SpanId>> = BTreeMap::new();
        for id in ids {
            let r = self.root(id);
            by_root.entry(r).or_default().push(id);
        }
        by_root.into_values().collect()
    }
}
