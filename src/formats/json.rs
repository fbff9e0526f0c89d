//! Small JSON helpers the JSON formats (doccano, Label Studio, Prodigy) share: reading
//! JSONL with located errors, describing values in messages, offset conversion with a
//! message that says what is wrong, and Marginalia's `attrs`/`note` encoding for formats
//! that have no place for attributes or notes.

use crate::formats::Report;
use crate::formats::export::ExportDoc;
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Document, Suggestion};
use crate::persist::corpus::TextLines;
use crate::persist::{Problem, ProblemKind};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// The JSON objects of a JSONL file with their 1-based line numbers, read as they are needed:
/// only one line's value is in memory at a time (an 85 MB Prodigy file parsed whole took
/// over a gigabyte). A line that is not JSON (or not an object) comes as a located syntax
/// problem and reading goes on, so that one run lists all the bad lines; a file that cannot
/// be read, or is not UTF-8, ends the lines with its problem. Blank lines are allowed.
pub(crate) fn json_lines(path: &Path) -> JsonLines<'_> {
    JsonLines {
        path,
        lines: Some(TextLines::open(path)),
    }
}

/// A line of [`json_lines`], or `None` after putting its problem with the others.
pub(crate) fn line_or_problem<T>(
    item: Result<T, Problem>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    item.map_err(|p| problems.push(p)).ok()
}

pub(crate) struct JsonLines<'a> {
    path: &'a Path,
    /// The file's lines; `None` once they are over or could not be read.
    lines: Option<Result<TextLines<'a>, Problem>>,
}

impl Iterator for JsonLines<'_> {
    type Item = Result<(usize, Map<String, Value>), Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let lines = match self.lines.as_mut()? {
                Ok(lines) => lines,
                Err(_) => return self.lines.take().and_then(Result::err).map(Err),
            };
            let (line, text) = match lines.next_line() {
                Some(Ok(l)) => l,
                Some(Err(p)) => return Some(Err(p)),
                None => {
                    self.lines = None;
                    return None;
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(obj)) => Ok((line, obj)),
                Ok(other) => Err(Problem::new(
                    ProblemKind::Syntax,
                    self.path,
                    format!(
                        "expected a JSON object on each line, found {}",
                        kind_of(&other)
                    ),
                )
                .at(line, 1)),
                Err(e) => Err(Problem::json(self.path, line, &e, "")),
            });
        }
    }
}

/// "an array", "a number"... for messages about a value of the wrong shape.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An id as text: strings as they are, numbers as written. Other values are not ids.
pub(crate) fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A label: a non-empty string.
pub(crate) fn label_text(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// A meta value as Marginalia keeps it: strings as they are, anything else as JSON text.
pub(crate) fn meta_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a value says anything (`null`, `[]` and `{}` do not, and are not kept as meta).
pub(crate) fn informative(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// A document's meta as a JSON object of strings (Marginalia keeps meta values as text).
pub(crate) fn meta_object(doc: &Document) -> Map<String, Value> {
    doc.meta
        .iter()
        // A Prodigy import's own tokens are the Prodigy export's business.
        .filter(|(k, _)| *k != crate::formats::prodigy::TOKENS_META)
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect()
}

/// Reports, once per file, keys of some object kind that were not read.
pub(crate) fn note_unknown_keys(
    path: &Path,
    what: &str,
    keys: &BTreeSet<String>,
    report: &mut Report,
) {
    if !keys.is_empty() {
        let list = keys
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        report.note(path, None, format!("{what} fields not kept: {list}"));
    }
}

/// Converts a span's offsets counted in `unit` to byte offsets. The error says what is
/// wrong in words a user can act on (not a number, past the end, inside a character).
pub(crate) fn span_bytes(
    index: &OffsetIndex<'_>,
    start: Option<&Value>,
    end: Option<&Value>,
    unit: Unit,
) -> Result<(usize, usize), String> {
    let offset = |v: Option<&Value>, which: &str| -> Result<usize, String> {
        let v = v.ok_or_else(|| format!("no {which} offset"))?;
        v.as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("{which} offset {v} is not a whole number"))
    };
    let (s, e) = (offset(start, "start")?, offset(end, "end")?);
    if s >= e {
        return Err(format!("offsets {s}..{e} are empty or reversed"));
    }
    let len = index.from_byte(usize::MAX, unit);
    let byte = |o: usize| {
        index.to_byte(o, unit).ok_or_else(|| {
            if o > len {
                format!(
                    "offset {o} is past the end of the text ({len} {})",
                    unit_name(unit)
                )
            } else {
                format!(
                    "offset {o} falls inside a character (between the halves of a surrogate pair)"
                )
            }
        })
    };
    Ok((byte(s)?, byte(e)?))
}

/// How a unit is called in messages.
pub(crate) fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Bytes => "bytes",
        Unit::CodePoints => "code points",
        Unit::Utf16 => "UTF-16 units",
    }
}

/// The offsets of a suggestion in `unit`, after checking that converting back gives its
/// text (as [`checked_offsets`] does for spans); reported and `None` otherwise.
pub(crate) fn checked_suggestion_offsets(
    index: &OffsetIndex<'_>,
    doc: &Document,
    s: &Suggestion,
    unit: Unit,
    file: &Path,
    report: &mut Report,
) -> Option<(usize, usize)> {
    let start = index.from_byte(s.start, unit);
    let end = index.from_byte(s.end, unit);
    let back = index.to_byte(start, unit).zip(index.to_byte(end, unit));
    if back.and_then(|(a, b)| doc.text.get(a..b)) != Some(s.text.as_str()) {
        report.note(
            file,
            None,
            format!(
                "{}: suggestion {} “{}” does not survive the offset conversion; skipped",
                doc.id, s.id.0, s.text
            ),
        );
        report.count("suggestions skipped", 1);
        return None;
    }
    Some((start, end))
}

/// Attributes and note stored as extra keys of a span object (`"attrs": {..}`, `"note"`),
/// Marginalia's own encoding for formats that have no place for them.
pub(crate) fn read_attrs_note(obj: &Map<String, Value>) -> (crate::model::Attrs, Option<String>) {
    let attrs = match obj.get("attrs") {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    attrs_note(attrs, obj.get("note").and_then(Value::as_str))
}

/// [`read_attrs_note`] from the two fields, as typed records hold them.
pub(crate) fn attrs_note(
    attrs: Option<&Map<String, Value>>,
    note: Option<&str>,
) -> (crate::model::Attrs, Option<String>) {
    let attrs = attrs
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), meta_text(v)))
        .collect();
    let note = note.filter(|n| !n.is_empty()).map(str::to_owned);
    (attrs, note)
}

/// The other half of [`read_attrs_note`]: nothing is written when there is nothing to say.
pub(crate) fn write_attrs_note(
    obj: &mut Map<String, Value>,
    attrs: &crate::model::Attrs,
    note: Option<&str>,
) {
    if !attrs.is_empty() {
        let m: Map<String, Value> = attrs
            .iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
        obj.insert("attrs".into(), Value::Object(m));
    }
    if let Some(n) = note {
        obj.insert("note".into(), Value::String(n.to_owned()));
    }
}

/// Counts what no interchange format carries: who made each span.
pub(crate) fn report_uncarried(docs: &[ExportDoc<'_>], report: &mut Report) {
    let annotated = docs
        .iter()
        .flat_map(|d| &d.spans)
        .filter(|s| s.annotator.is_some())
        .count();
    if annotated > 0 {
        report.count("span annotators not exported", annotated);
    }
    crate::formats::export::report_relation_extras(docs, report);
}

/// Reports a span (or entity) that cannot be read, with its document and line, and counts
/// it: `why` says what is wrong and that it was skipped.
pub(crate) fn skip_span(
    path: &Path,
    line: usize,
    doc: &str,
    why: impl std::fmt::Display,
    report: &mut Report,
) {
    report.push(
        Problem::new(ProblemKind::Warning, path, format!("{doc}: {why}"))
            .at_line(Some(line))
            .in_doc(doc),
    );
    report.count("spans skipped", 1);
}

/// A field read when it has the expected shape and `None` otherwise: readers of other
/// tools' files treat a field of the wrong type as missing (and report what that loses)
/// rather than rejecting a whole record, as those tools' own importers do. Declared on the
/// typed records of each format, so the tolerance is written in one place.
#[derive(Debug)]
pub(crate) struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(Self(serde_json::from_value(v).ok()))
    }
}

impl<T> Lenient<T> {
    pub(crate) fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<T> Lenient<Vec<Lenient<T>>> {
    /// The items that have the expected shape.
    pub(crate) fn items(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten().filter_map(Lenient::get)
    }
}
