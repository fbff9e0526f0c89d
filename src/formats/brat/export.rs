//! Writing brat: `ID.txt` and `ID.ann` per document, and `annotation.conf`.

use super::BINARY;
use super::conf::write_conf;
use crate::formats::export::ExportDoc;
use crate::formats::{Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{AttrKind, Schema, SpanId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Span id → its E id, for event triggers.
    eid: HashMap<SpanId, String>,
}

impl AnnWriter<'_> {
    /// An annotation's brat id: its event when it is a trigger, else its T.
    fn target(&self, id: SpanId) -> String {
        self.eid
            .get(&id)
            .or_else(|| self.tid.get(&id))
            .cloned()
            .unwrap_or_default()
    }

    /// `T` lines, in code points; a span across line breaks is written as fragments.
    fn text_bounds(&mut self, report: &mut Report) {
        let text = &self.d.doc.text;
        let index = OffsetIndex::new(text);
        for (i, s) in self.d.spans.iter().enumerate() {
            let t = format!("T{}", i + 1);
            let frags = fragments(text, s.start, s.end);
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
            if frags.len() > 1 {
                report.count("spans written as fragments (line breaks)", 1);
            }
            self.ann.push_str(&format!(
                "{t}\t{} {}\t{}\n",
                s.label,
                offsets.join(";"),
                texts.join(" ")
            ));
            self.tid.insert(s.id, t);
        }
        report.count("spans", self.d.spans.len());
    }

    /// `E` lines: a span of an event label is a trigger, its outgoing relations the
    /// arguments (a role used twice is numbered: `Theme`, `Theme2`).
    fn events(&mut self, report: &mut Report) {
        let event_labels: BTreeSet<&str> = self
            .schema
            .labels
            .iter()
            .filter(|l| l.event)
            .map(|l| l.name.as_str())
            .collect();
        let d = self.d;
        let triggers: Vec<_> = d
            .spans
            .iter()
            .filter(|s| event_labels.contains(s.label.as_str()))
            .collect();
        for (n, s) in triggers.iter().enumerate() {
            self.eid.insert(s.id, format!("E{}", n + 1));
        }
        for s in &triggers {
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
            }
            self.ann.push_str(&line);
            self.ann.push('\n');
        }
        report.count("events", triggers.len());
    }

    /// `R` lines, and `*` lines for relations of a symmetric type.
    fn relations(&mut self, report: &mut Report) {
        let d = self.d;
        let mut symmetric: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
        let mut r_n = 0;
        for r in d
            .relations
            .iter()
            .filter(|r| !self.eid.contains_key(&r.from))
        {
            let (from, to) = (self.target(r.from), self.target(r.to));
            if self.schema.relation(&r.kind).is_some_and(|t| t.symmetric) {
                symmetric.entry(&r.kind).or_default().push((from, to));
                continue;
            }
            r_n += 1;
            self.ann
                .push_str(&format!("R{r_n}\t{} Arg1:{from} Arg2:{to}\n", r.kind));
        }
        for (kind, pairs) in symmetric {
            for (a, b) in pairs {
                self.ann.push_str(&format!("*\t{kind} {a} {b}\n"));
            }
        }
        report.count("relations", d.relations.len());
    }

    /// `A` lines for choice attributes; `#` notes for free-text attributes (`[name] value`)
    /// and for notes, on one line each.
    fn attributes_and_notes(&mut self, file: &Path, report: &mut Report) {
        let (mut a_n, mut note_n) = (0, 0);
        let d = self.d;
        for s in &d.spans {
            let target = self.target(s.id);
            let def = self.schema.label(&s.label);
            for (name, value) in &s.attrs {
                let text_attr = def
                    .and_then(|l| l.attribute(name))
                    .is_none_or(|a| matches!(a.kind, AttrKind::Text))
                    || value.contains(char::is_whitespace);
                if text_attr {
                    note_n += 1;
                    self.ann.push_str(&format!(
                        "#{note_n}\tAnnotatorNotes {target}\t[{name}] {}\n",
                        value.replace(['\n', '\r', '\t'], " ")
                    ));
                } else {
                    a_n += 1;
                    let v = if value == BINARY {
                        String::new()
                    } else {
                        format!(" {value}")
                    };
                    self.ann.push_str(&format!("A{a_n}\t{name} {target}{v}\n"));
                }
            }
            if let Some(note) = &s.note {
                if note.contains(['\n', '\t']) {
                    report.note(file, None, format!("the note of span {} has line breaks; brat notes are one line, so they became spaces", s.id.0));
                }
                note_n += 1;
                self.ann.push_str(&format!(
                    "#{note_n}\tAnnotatorNotes {target}\t{}\n",
                    note.replace(['\n', '\r', '\t'], " ")
                ));
            }
        }
    }
}
