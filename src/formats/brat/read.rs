//! Reading one `.ann` file: text-bound annotations first, then events (whose arguments
//! may name events defined later), then relations, equivalences, attributes and notes.

use super::{BINARY, role_base};
use crate::formats::build::SpanIndex;
use crate::formats::{ImportedDoc, ImportedRelation, ImportedSpan, Report};
use crate::model::text::{OffsetIndex, Unit};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// An event line: its line number, trigger id, and (role, argument id) pairs.
type EventLine = (usize, String, Vec<(String, String)>);

/// Parses one .ann file into the document's spans, relations, attributes and notes.
pub(super) fn read_ann(
    doc: &mut ImportedDoc,
    content: &str,
    file: &Path,
    bom: bool,
    report: &mut Report,
    event_labels: &mut BTreeSet<String>,
) {
    // The text moves out while spans are added, so the index can borrow it.
    let text = std::mem::take(&mut doc.text);
    let mut reader = AnnReader {
        doc,
        file,
        report,
        ids: HashMap::new(),
        event_trigger: HashMap::new(),
        event_args: Vec::new(),
        notes: BTreeMap::new(),
    };
    let index = OffsetIndex::new(&text);
    let mut later: Vec<(usize, &str)> = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match line.chars().next() {
            Some('T') => read_textbound(
                &text,
                &mut reader.doc.spans,
                line,
                n,
                file,
                bom,
                &index,
                &mut reader.ids,
                reader.report,
            ),
            Some('E') => reader.event_line(n, line),
            Some('R' | 'A' | 'M' | '#' | '*' | 'N') => later.push((n, line)),
            _ => reader
                .report
                .note(file, Some(n), "unknown annotation line; skipped"),
        }
    }
    reader.events(event_labels);
    for (n, line) in later {
        reader.later_line(n, line);
    }
    reader.apply_notes();
    drop(index);
    doc.text = text;
}

/// What reading one .ann file has found so far.
struct AnnReader<'a> {
    doc: &'a mut ImportedDoc,
    file: &'a Path,
    report: &'a mut Report,
    /// T id → index of its span.
    ids: SpanIndex,
    /// E id → trigger T id.
    event_trigger: HashMap<String, String>,
    /// Argument lines, resolved once every event is known.
    event_args: Vec<EventLine>,
    /// Notes by span index.
    notes: BTreeMap<usize, Vec<String>>,
}

impl AnnReader<'_> {
    /// The span an id stands for: a T id, or an E id (its trigger).
    fn resolve(&self, id: &str) -> Option<usize> {
        let t = self.event_trigger.get(id).map_or(id, String::as_str);
        self.ids.get(t).copied()
    }

    /// `E1\tType:T3 Role:T1 ...`: the trigger now, the arguments once every event is known.
    fn event_line(&mut self, n: usize, line: &str) {
        let mut fields = line.split('\t');
        let (Some(eid), Some(body)) = (fields.next(), fields.next()) else {
            self.report
                .note(self.file, Some(n), "malformed event line; skipped");
            return;
        };
        let mut parts = body.split_whitespace();
        let Some((_, trigger)) = parts.next().and_then(|p| p.split_once(':')) else {
            self.report
                .note(self.file, Some(n), "event without a trigger; skipped");
            return;
        };
        self.event_trigger
            .insert(eid.to_owned(), trigger.to_owned());
        let args = parts
            .filter_map(|p| p.split_once(':'))
            .map(|(r, t)| (r.to_owned(), t.to_owned()))
            .collect();
        self.event_args.push((n, trigger.to_owned(), args));
    }

    /// Each event argument becomes a relation from the trigger, named by its role.
    fn events(&mut self, event_labels: &mut BTreeSet<String>) {
        for (n, trigger, args) in std::mem::take(&mut self.event_args) {
            let Some(from) = self.ids.get(trigger.as_str()).copied() else {
                let msg = format!("event trigger {trigger} is not a text annotation; skipped");
                self.report.note(self.file, Some(n), msg);
                continue;
            };
            self.report.count("events", 1);
            if let Some(s) = self.doc.spans.get(from) {
                event_labels.insert(s.label.clone());
            }
            for (role, target) in args {
                match self.resolve(&target) {
                    Some(to) => self.doc.relations.push(ImportedRelation {
                        kind: role_base(&role).to_owned(),
                        from,
                        to,
                    }),
                    None => {
                        let msg = format!("event argument {role}:{target} is unknown; skipped");
                        self.report.note(self.file, Some(n), msg);
                    }
                }
            }
        }
    }

    /// An `R`, `*`, `A`/`M`, `#` or `N` line.
    fn later_line(&mut self, n: usize, line: &str) {
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or_default();
        let body = fields.next().unwrap_or_default();
        let rest = fields.next();
        let words: Vec<&str> = body.split_whitespace().collect();
        match id.chars().next() {
            Some('R') => self.relation(n, &words),
            Some('*') => self.equivalence(&words),
            Some('A' | 'M') => self.attribute(n, &words),
            Some('#') => self.note(n, &words, rest),
            Some('N') => {
                self.report.note(self.file, Some(n), "normalization (N) lines are not imported: Marginalia has no knowledge-base links");
                self.report.count("normalizations not imported", 1);
            }
            _ => {}
        }
    }

    /// `R1\tType Arg1:T1 Arg2:T2`.
    fn relation(&mut self, n: usize, words: &[&str]) {
        let arg = |k: &str| {
            words
                .iter()
                .filter_map(|w| w.split_once(':'))
                .find(|(a, _)| *a == k)
                .map(|(_, t)| t)
        };
        let from = arg("Arg1").and_then(|t| self.resolve(t));
        let to = arg("Arg2").and_then(|t| self.resolve(t));
        match (words.first(), from, to) {
            (Some(kind), Some(from), Some(to)) => self.doc.relations.push(ImportedRelation {
                kind: (*kind).to_owned(),
                from,
                to,
            }),
            _ => self.report.note(
                self.file,
                Some(n),
                "relation with unknown arguments; skipped",
            ),
        }
    }

    /// `*\tType T1 T2 T3`: a chain of relations of a symmetric type.
    fn equivalence(&mut self, words: &[&str]) {
        let members: Vec<usize> = words
            .iter()
            .skip(1)
            .filter_map(|t| self.resolve(t))
            .collect();
        let Some(kind) = words.first() else {
            return;
        };
        for pair in members.windows(2) {
            if let [a, b] = pair {
                self.doc.relations.push(ImportedRelation {
                    kind: (*kind).to_owned(),
                    from: *a,
                    to: *b,
                });
            }
        }
        self.report.count("equivalences", 1);
    }

    /// `A1\tName T1 [Value]` (binary when there is no value).
    fn attribute(&mut self, n: usize, words: &[&str]) {
        match (words.first(), words.get(1).and_then(|t| self.resolve(t))) {
            (Some(name), Some(target)) => {
                let value = words.get(2).map_or(BINARY, |v| v).to_owned();
                if let Some(s) = self.doc.spans.get_mut(target) {
                    s.attrs.insert((*name).to_owned(), value);
                    self.report.count("attributes", 1);
                }
            }
            _ => self.report.note(
                self.file,
                Some(n),
                "attribute of an unknown annotation; skipped",
            ),
        }
    }

    /// `#1\tAnnotatorNotes T1\ttext`: kept for the span, applied at the end.
    fn note(&mut self, n: usize, words: &[&str], rest: Option<&str>) {
        match words.get(1).and_then(|t| self.resolve(t)) {
            Some(target) => self
                .notes
                .entry(target)
                .or_default()
                .push(rest.unwrap_or_default().to_owned()),
            None if words
                .get(1)
                .is_some_and(|t| t.starts_with('R') || t.starts_with('*')) =>
            {
                self.report.note(
                    self.file,
                    Some(n),
                    "notes on relations are not imported: Marginalia keeps notes on spans",
                );
                self.report.count("relation notes not imported", 1);
            }
            None => self
                .report
                .note(self.file, Some(n), "note on an unknown annotation; skipped"),
        }
    }

    /// Notes become the span's note; `[name] value` ones are free-text attributes written
    /// by Marginalia.
    fn apply_notes(&mut self) {
        for (target, texts) in std::mem::take(&mut self.notes) {
            let Some(span) = self.doc.spans.get_mut(target) else {
                continue;
            };
            let mut plain = Vec::new();
            for t in texts {
                match t.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                    Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                        span.attrs.insert(name.to_owned(), value.to_owned());
                    }
                    _ => plain.push(t),
                }
            }
            if !plain.is_empty() {
                self.report.count("notes", 1);
                span.note = Some(plain.join("\n"));
            }
        }
    }
}

/// A `T` line: one span per fragment, checked against the text.
#[allow(clippy::too_many_arguments)]
fn read_textbound(
    doc_text: &str,
    spans: &mut Vec<ImportedSpan>,
    line: &str,
    n: usize,
    file: &Path,
    bom: bool,
    index: &OffsetIndex<'_>,
    ids: &mut SpanIndex,
    report: &mut Report,
) {
    let mut fields = line.splitn(3, '\t');
    let (Some(id), Some(body), text) = (fields.next(), fields.next(), fields.next()) else {
        report.note(file, Some(n), "malformed text-bound line; skipped");
        return;
    };
    let Some((label, ranges)) = body.split_once(' ') else {
        report.note(
            file,
            Some(n),
            "text-bound annotation without offsets; skipped",
        );
        return;
    };
    let shift = usize::from(bom);
    let mut fragments = Vec::new();
    for r in ranges.split(';') {
        let mut nums = r.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(s)), Some(Ok(e))) = (nums.next(), nums.next()) else {
            report.note(file, Some(n), format!("bad offsets `{r}`; skipped"));
            return;
        };
        let conv = |o: usize| {
            o.checked_sub(shift)
                .and_then(|o| index.to_byte(o, Unit::CodePoints))
        };
        match (conv(s), conv(e)) {
            (Some(a), Some(b)) if a < b => fragments.push((a, b)),
            _ => {
                report.note(
                    file,
                    Some(n),
                    format!("{id}: offsets {s} {e} are outside the text; skipped"),
                );
                return;
            }
        }
    }
    // brat writes the text of a discontinuous annotation as its fragments joined by spaces.
    let covered: Vec<&str> = fragments
        .iter()
        .filter_map(|(a, b)| doc_text.get(*a..*b))
        .collect();
    if let Some(expected) = text
        && covered.join(" ") != expected
    {
        report.note(
            file,
            Some(n),
            format!(
                "{id}: the text at its offsets is “{}”, not “{expected}”; skipped",
                covered.join(" ")
            ),
        );
        return;
    }
    if fragments.len() > 1 {
        report.note(file, Some(n), format!("{id} is discontinuous: split into {} spans (relations, attributes and notes stay on the first)", fragments.len()));
        report.count("discontinuous spans split", 1);
    }
    for (k, (a, b)) in fragments.into_iter().enumerate() {
        if k == 0 {
            ids.insert(id.to_owned(), spans.len());
        }
        spans.push(ImportedSpan {
            start: a,
            end: b,
            label: label.to_owned(),
            ..Default::default()
        });
    }
}
