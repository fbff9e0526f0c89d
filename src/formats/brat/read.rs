//! Reading one `.ann` file: text-bound annotations first, then events (whose arguments
//! may name events defined later), then relations, equivalences, attributes and notes.

use super::{BINARY, role_base};
use crate::formats::build::SpanIndex;
use crate::formats::{ImportedDoc, ImportedRelation, ImportedSpan, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::persist::{Problem, ProblemKind};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// An event line: its line number, E id, trigger id, and (role, argument id) pairs.
type EventLine = (usize, String, String, Vec<(String, String)>);

/// What an attribute or note is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Span(usize),
    Relation(usize),
}

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
        relation_ids: HashMap::new(),
        event_lines: Vec::new(),
        triggers: HashMap::new(),
        notes: BTreeMap::new(),
    };
    let index = OffsetIndex::new(&text);
    let at = TextAt {
        text: &text,
        index: &index,
        bom,
    };
    let mut later: Vec<(usize, Cow<'_, str>)> = Vec::new();
    for (n, line) in logical_lines(content, &at) {
        match line.chars().next() {
            Some('T') => read_textbound(
                &mut reader.doc.spans,
                &line,
                (n, file, &reader.doc.id),
                &at,
                &mut reader.ids,
                reader.report,
            ),
            Some('E') => reader.event_line(n, &line),
            Some('R' | 'A' | 'M' | '#' | '*' | 'N') => later.push((n, line)),
            _ => reader.say(n, "unknown annotation line; skipped"),
        }
    }
    reader.events(event_labels);
    for (n, line) in later {
        reader.later_line(n, &line);
    }
    reader.apply_notes();
    drop(index);
    doc.text = text;
    // Held until every file is read: without the room they grew into.
    doc.spans.shrink_to_fit();
    doc.relations.shrink_to_fit();
}

/// What reading one .ann file has found so far.
struct AnnReader<'a> {
    doc: &'a mut ImportedDoc,
    file: &'a Path,
    report: &'a mut Report,
    /// T and E ids → index of their span (an event's span is its own copy of its trigger's
    /// when several events share one trigger).
    ids: SpanIndex,
    /// R ids → index of their relation, for the attributes and notes on relations.
    relation_ids: HashMap<String, usize>,
    /// Event lines, resolved once every text-bound annotation is known.
    event_lines: Vec<EventLine>,
    /// T ids that are event triggers → the E id of their first event.
    triggers: HashMap<String, String>,
    /// Notes by what they are on.
    notes: BTreeMap<Target, Vec<String>>,
}

impl AnnReader<'_> {
    /// A note on line `n` of this .ann file, about its document.
    fn say(&mut self, n: usize, message: impl Into<String>) {
        self.report.push(
            Problem::new(ProblemKind::Warning, self.file, message)
                .at_line(Some(n))
                .in_doc(&self.doc.id),
        );
    }

    /// The span an id stands for: a T id or an E id. A T that triggers an event stands for
    /// its (first) event, which is how Marginalia keeps it: said, as the id changes on export.
    fn resolve(&mut self, n: usize, id: &str) -> Option<usize> {
        if let Some(event) = self.triggers.get(id) {
            let msg = format!(
                "{id} is the trigger of event {event}: this reference is kept on the event"
            );
            self.say(n, msg);
            self.report
                .count("references to an event's trigger kept on the event", 1);
        }
        self.ids.get(id).copied()
    }

    /// `E1\tType:T3 Role:T1 ...`: read once every T is known.
    fn event_line(&mut self, n: usize, line: &str) {
        let mut fields = line.split('\t');
        let (Some(eid), Some(body)) = (fields.next(), fields.next()) else {
            self.say(n, "malformed event line; skipped");
            return;
        };
        let mut parts = body.split_whitespace();
        let Some((_, trigger)) = parts.next().and_then(|p| p.split_once(':')) else {
            self.say(n, "event without a trigger; skipped");
            return;
        };
        let args = parts
            .filter_map(|p| p.split_once(':'))
            .map(|(r, t)| (r.to_owned(), t.to_owned()))
            .collect();
        self.event_lines
            .push((n, eid.to_owned(), trigger.to_owned(), args));
    }

    /// Each event becomes a span of the trigger's label, and each argument a relation from
    /// it named by its role. Events that share a trigger each get their own span over the
    /// same text, so that their arguments, attributes and notes stay theirs (brat, too, draws
    /// one box per event).
    fn events(&mut self, event_labels: &mut BTreeSet<String>) {
        let mut resolved = Vec::with_capacity(self.event_lines.len());
        for (n, eid, trigger, args) in std::mem::take(&mut self.event_lines) {
            let Some(&t) = self.ids.get(trigger.as_str()) else {
                let msg = format!("event trigger {trigger} is not a text annotation; skipped");
                self.say(n, msg);
                continue;
            };
            let span = match self.triggers.entry(trigger) {
                Entry::Occupied(_) => {
                    let Some(s) = self.doc.spans.get(t) else {
                        continue;
                    };
                    let copy = ImportedSpan {
                        start: s.start,
                        end: s.end,
                        label: s.label.clone(),
                        ..Default::default()
                    };
                    self.doc.spans.push(copy);
                    self.report.count("events sharing a trigger", 1);
                    self.doc.spans.len() - 1
                }
                Entry::Vacant(v) => {
                    v.insert(eid.clone());
                    t
                }
            };
            self.report.count("events", 1);
            if let Some(s) = self.doc.spans.get(span) {
                event_labels.insert(s.label.clone());
            }
            self.ids.insert(eid, span);
            resolved.push((n, span, args));
        }
        for (n, from, args) in resolved {
            for (role, target) in args {
                match self.resolve(n, &target) {
                    Some(to) => self.doc.relations.push(ImportedRelation {
                        kind: role_base(&role).to_owned(),
                        from,
                        to,
                        ..Default::default()
                    }),
                    None => {
                        let msg = format!("event argument {role}:{target} is unknown; skipped");
                        self.say(n, msg);
                    }
                }
            }
        }
    }

    /// What an attribute or note names: a span (T or E) or a relation (R).
    fn target(&mut self, n: usize, id: &str) -> Option<Target> {
        match self.relation_ids.get(id) {
            Some(&r) => Some(Target::Relation(r)),
            None => self.resolve(n, id).map(Target::Span),
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
            Some('R') => self.relation(n, id, &words),
            Some('*') => self.equivalence(n, &words),
            Some('A' | 'M') => self.attribute(n, &words),
            Some('#') => self.note(n, &words, rest),
            Some('N') => {
                self.say(n, "normalization (N) lines are not imported: Marginalia has no knowledge-base links");
                self.report.count("normalizations not imported", 1);
            }
            _ => {}
        }
    }

    /// `R1\tType Arg1:T1 Arg2:T2`.
    fn relation(&mut self, n: usize, id: &str, words: &[&str]) {
        let arg = |k: &str| {
            words
                .iter()
                .filter_map(|w| w.split_once(':'))
                .find(|(a, _)| *a == k)
                .map(|(_, t)| t)
        };
        let from = arg("Arg1").and_then(|t| self.resolve(n, t));
        let to = arg("Arg2").and_then(|t| self.resolve(n, t));
        match (words.first(), from, to) {
            (Some(kind), Some(from), Some(to)) => {
                self.relation_ids
                    .insert(id.to_owned(), self.doc.relations.len());
                self.doc.relations.push(ImportedRelation {
                    kind: (*kind).to_owned(),
                    from,
                    to,
                    ..Default::default()
                });
            }
            _ => self.say(n, "relation with unknown arguments; skipped"),
        }
    }

    /// `*\tType T1 T2 T3`: a chain of relations of a symmetric type.
    fn equivalence(&mut self, n: usize, words: &[&str]) {
        let members: Vec<usize> = words
            .iter()
            .skip(1)
            .filter_map(|t| self.resolve(n, t))
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
                    ..Default::default()
                });
            }
        }
        self.report.count("equivalences", 1);
    }

    /// `A1\tName T1 [Value]` (binary when there is no value), on a span, an event or a
    /// relation.
    fn attribute(&mut self, n: usize, words: &[&str]) {
        let target = words.get(1).and_then(|t| self.target(n, t));
        let attrs = match target {
            Some(Target::Span(i)) => self.doc.spans.get_mut(i).map(|s| &mut s.attrs),
            Some(Target::Relation(i)) => self.doc.relations.get_mut(i).map(|r| &mut r.attrs),
            None => None,
        };
        match (words.first(), attrs) {
            (Some(name), Some(attrs)) => {
                let value = words.get(2).map_or(BINARY, |v| v).to_owned();
                attrs.insert((*name).to_owned(), value);
                self.report.count("attributes", 1);
            }
            _ => self.say(n, "attribute of an unknown annotation; skipped"),
        }
    }

    /// `#1\tAnnotatorNotes T1\ttext`: kept for its span or relation, applied at the end.
    fn note(&mut self, n: usize, words: &[&str], rest: Option<&str>) {
        match words.get(1).and_then(|t| self.target(n, t)) {
            Some(target) => self
                .notes
                .entry(target)
                .or_default()
                .push(rest.unwrap_or_default().to_owned()),
            None => self
                .report
                .note(self.file, Some(n), "note on an unknown annotation; skipped"),
        }
    }

    /// Notes become the span's or relation's note; `[name] value` ones are free-text
    /// attributes written by Marginalia.
    fn apply_notes(&mut self) {
        for (target, texts) in std::mem::take(&mut self.notes) {
            let (attrs, note) = match target {
                Target::Span(i) => match self.doc.spans.get_mut(i) {
                    Some(s) => (&mut s.attrs, &mut s.note),
                    None => continue,
                },
                Target::Relation(i) => match self.doc.relations.get_mut(i) {
                    Some(r) => (&mut r.attrs, &mut r.note),
                    None => continue,
                },
            };
            let mut plain = Vec::new();
            for t in texts {
                match t.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                    Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                        attrs.insert(name.to_owned(), value.to_owned());
                    }
                    _ => plain.push(t),
                }
            }
            if !plain.is_empty() {
                self.report.count("notes", 1);
                *note = Some(plain.join("\n"));
            }
        }
    }
}

/// The .ann file's annotations, each with its line number. A `T` line followed by lines
/// that do not start with an annotation id has covered text with line breaks in it (some
/// tools and hand edits write it so): when the joined text is the text at its offsets, the
/// lines are one annotation, read rather than lost.
fn logical_lines<'c>(content: &'c str, text: &TextAt<'_>) -> Vec<(usize, Cow<'c, str>)> {
    let lines: Vec<&str> = content.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        i += 1;
        if line.trim().is_empty() {
            continue;
        }
        let n = i;
        let rest = lines.get(i..).unwrap_or_default();
        let more = rest.iter().take_while(|l| !is_annotation_start(l)).count();
        let more = rest.get(..more).map_or(0, |r| {
            r.iter()
                .rposition(|l| !l.trim().is_empty())
                .map_or(0, |p| p + 1)
        });
        if line.starts_with('T') && more > 0 {
            let joined = std::iter::once(line)
                .chain(rest.iter().take(more).copied())
                .collect::<Vec<_>>()
                .join("\n");
            if parse_textbound(&joined, text).is_ok() {
                out.push((n, Cow::Owned(joined)));
                i += more;
                continue;
            }
        }
        out.push((n, Cow::Borrowed(line)));
    }
    out
}

/// Whether a line begins like a brat annotation: an id (`T12`, `E3`, `#1`, `*`) and a tab.
fn is_annotation_start(line: &str) -> bool {
    let Some((id, _)) = line.split_once('\t') else {
        return false;
    };
    let mut chars = id.chars();
    matches!(
        chars.next(),
        Some('T' | 'E' | 'R' | 'A' | 'M' | 'N' | '#' | '*')
    ) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A document's text with what brat offsets need to be read against it.
struct TextAt<'t> {
    text: &'t str,
    index: &'t OffsetIndex<'t>,
    /// The .txt starts with a byte order mark, which brat counts as one character.
    bom: bool,
}

/// A `T` line read: id, label and byte ranges of its fragments.
type Textbound<'l> = (&'l str, &'l str, Vec<(usize, usize)>);

/// Reads a `T` line and checks it against the text, or says what is wrong with it.
fn parse_textbound<'l>(line: &'l str, at: &TextAt<'_>) -> Result<Textbound<'l>, String> {
    let mut fields = line.splitn(3, '\t');
    let (Some(id), Some(body), text) = (fields.next(), fields.next(), fields.next()) else {
        return Err("malformed text-bound line; skipped".into());
    };
    let Some((label, ranges)) = body.split_once(' ') else {
        return Err("text-bound annotation without offsets; skipped".into());
    };
    let shift = usize::from(at.bom);
    let mut fragments = Vec::new();
    for r in ranges.split(';') {
        let mut nums = r.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(s)), Some(Ok(e))) = (nums.next(), nums.next()) else {
            return Err(format!("bad offsets `{r}`; skipped"));
        };
        let conv = |o: usize| {
            o.checked_sub(shift)
                .and_then(|o| at.index.to_byte(o, Unit::CodePoints))
        };
        match (conv(s), conv(e)) {
            (Some(a), Some(b)) if a < b => fragments.push((a, b)),
            _ => {
                return Err(format!(
                    "{id}: offsets {s} {e} are outside the text; skipped"
                ));
            }
        }
    }
    // brat writes the text of a discontinuous annotation as its fragments joined by spaces.
    let covered: Vec<&str> = fragments
        .iter()
        .filter_map(|(a, b)| at.text.get(*a..*b))
        .collect();
    if let Some(expected) = text
        && covered.join(" ") != expected
    {
        return Err(format!(
            "{id}: the text at its offsets is “{}”, not “{expected}”; skipped",
            covered.join(" ")
        ));
    }
    Ok((id, label, fragments))
}

/// A span's fragments in text order (brat keeps them in the order they were selected), with
/// overlapping or touching ones joined (said: the file had more pieces than the span now).
fn in_order(mut fragments: Vec<(usize, usize)>, mut say: impl FnMut(&str)) -> Vec<(usize, usize)> {
    fragments.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(fragments.len());
    for (a, b) in fragments {
        match out.last_mut() {
            Some(last) if a <= last.1 => {
                say("fragments overlap or touch; joined into one");
                last.1 = last.1.max(b);
            }
            _ => out.push((a, b)),
        }
    }
    out
}

/// A `T` line: one span, with its fragments when it is discontinuous.
fn read_textbound(
    spans: &mut Vec<ImportedSpan>,
    line: &str,
    (n, file, doc): (usize, &Path, &str),
    at: &TextAt<'_>,
    ids: &mut SpanIndex,
    report: &mut Report,
) {
    let (id, label, fragments) = match parse_textbound(line, at) {
        Ok(t) => t,
        Err(msg) => {
            let p = Problem::new(ProblemKind::Warning, file, msg);
            report.push(p.at_line(Some(n)).in_doc(doc));
            return;
        }
    };
    let fragments = in_order(fragments, |msg| {
        let p = Problem::new(ProblemKind::Warning, file, format!("{id}: {msg}"));
        report.push(p.at_line(Some(n)).in_doc(doc));
    });
    let (Some(&(start, _)), Some(&(_, end))) = (fragments.first(), fragments.last()) else {
        return;
    };
    ids.insert(id.to_owned(), spans.len());
    spans.push(ImportedSpan {
        start,
        end,
        label: label.to_owned(),
        fragments: if fragments.len() > 1 {
            fragments
        } else {
            Vec::new()
        },
        ..Default::default()
    });
}
