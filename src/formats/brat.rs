//! brat standoff: `X.txt` (never modified) beside `X.ann`, offsets in code points of the
//! text, and `annotation.conf` for the schema.
//!
//! How brat maps onto Marginalia, and back:
//! - `T` text-bound annotations are spans. Discontinuous ones (`0 5;8 12`) are split into one
//!   span per fragment (reported); relations, attributes and notes go to the first fragment.
//!   On export, a span that crosses a line break is written as fragments split at the breaks.
//! - `E` events: the trigger is a span whose label is marked `event` in the schema; each
//!   argument is a relation from the trigger, named by its role (`Theme2` → `Theme`; roles are
//!   numbered again on export). An argument that is itself an event points at its trigger.
//! - `R` relations are relations; `*` equivalences become relations of a symmetric type.
//! - `A`/`M` attributes are attribute values (a binary attribute has the value `true`).
//! - `#` AnnotatorNotes are notes; Marginalia's free-text attributes, which brat cannot hold,
//!   travel as notes starting with `[name] ` and are read back as attributes.
//! - `N` normalizations have no place in Marginalia yet: they are reported, not imported.

use crate::formats::build::SpanIndex;
use crate::formats::export::ExportDoc;
use crate::formats::{Imported, ImportedDoc, ImportedRelation, ImportedSpan, Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{AttrKind, AttributeDef, Choice, LabelDef, RelationType, Rgb, Schema};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Label colours for a schema read from annotation.conf.
const PALETTE: [[u8; 3]; 8] = [
    [0x25, 0x63, 0xeb],
    [0xdc, 0x4c, 0x10],
    [0x16, 0x8a, 0x4a],
    [0x93, 0x33, 0xea],
    [0xc0, 0x26, 0x6d],
    [0x0e, 0x74, 0x90],
    [0xb4, 0x53, 0x09],
    [0x4d, 0x7c, 0x0f],
];

/// The value a binary brat attribute (present or absent) has in Marginalia.
const BINARY: &str = "true";

// ------------------------------------------------------------------------------------------
// annotation.conf

/// Removes `?`, `*`, `+` and `{n}` from a role (`Theme+` → `Theme`).
fn bare_role(role: &str) -> &str {
    let r = role.split('{').next().unwrap_or(role);
    r.trim_end_matches(['?', '*', '+'])
}

/// A role as used in .ann files (`Theme2`) without its number.
fn role_base(role: &str) -> &str {
    let base = role.trim_end_matches(|c: char| c.is_ascii_digit());
    if base.is_empty() { role } else { base }
}

/// Reads annotation.conf into a schema. Macros (`<POG>=A|B`), `<ENTITY>`, `<EVENT>` and
/// `<ANY>` are expanded; abstract types (`!Life`) are skipped.
pub fn parse_conf(text: &str) -> Schema {
    let mut section = "";
    let mut macros: HashMap<String, String> = HashMap::new();
    let mut entities: Vec<String> = Vec::new();
    let mut events: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut relations: Vec<(String, String, String, bool)> = Vec::new();
    let mut attributes: Vec<(String, String, Option<Vec<String>>)> = Vec::new();
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
            macros.insert(name.to_owned(), value.trim().to_owned());
            continue;
        }
        if line.starts_with('!') {
            continue;
        }
        let (name, rest) = match line.split_once(char::is_whitespace) {
            Some((n, r)) => (n.to_owned(), r.trim()),
            None => (line.to_owned(), ""),
        };
        let args: Vec<(String, String)> = rest
            .split(',')
            .filter_map(|a| a.trim().split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        match section {
            "entities" => entities.push(name),
            "events" => events.push((
                name,
                args.into_iter()
                    .map(|(k, v)| (bare_role(&k).to_owned(), v))
                    .collect(),
            )),
            "relations" => {
                let symmetric = args
                    .iter()
                    .any(|(k, v)| k == "<REL-TYPE>" && v.contains("symmetric"));
                let get = |k: &str| {
                    args.iter()
                        .find(|(a, _)| a == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                relations.push((name, get("Arg1"), get("Arg2"), symmetric));
            }
            "attributes" => {
                let target = args
                    .iter()
                    .find(|(k, _)| k == "Arg")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let values = args
                    .iter()
                    .find(|(k, _)| k == "Value")
                    .map(|(_, v)| v.split('|').map(str::to_owned).collect());
                attributes.push((name, target, values));
            }
            _ => {}
        }
    }
    let event_names: Vec<String> = events.iter().map(|(n, _)| n.clone()).collect();
    let expand = |types: &str| -> Vec<String> {
        let mut out = Vec::new();
        for t in types.split('|') {
            let t = t.trim();
            match t {
                "<ENTITY>" => out.extend(entities.iter().cloned()),
                "<EVENT>" => out.extend(event_names.iter().cloned()),
                "<ANY>" => out.extend(entities.iter().chain(&event_names).cloned()),
                _ => match macros.get(t) {
                    Some(m) => out.extend(m.split('|').map(|x| x.trim().to_owned())),
                    None if !t.is_empty() => out.push(t.to_owned()),
                    None => {}
                },
            }
        }
        out.dedup();
        out
    };
    let mut labels: Vec<LabelDef> = Vec::new();
    for (i, name) in entities.iter().chain(&event_names).enumerate() {
        if labels.iter().any(|l| &l.name == name) {
            continue;
        }
        labels.push(LabelDef {
            name: name.clone(),
            color: Rgb(PALETTE
                .get(i % PALETTE.len())
                .copied()
                .unwrap_or([128, 128, 128])),
            key: char::from_digit((i + 1) as u32, 10).filter(|_| i < 9),
            attributes: Vec::new(),
            event: event_names.contains(name),
        });
    }
    let mut schema = Schema {
        labels,
        relations: Vec::new(),
    };
    for (name, a1, a2, symmetric) in relations {
        let mut r = RelationType::new(&name, &expand(&a1).join("|"), &expand(&a2).join("|"));
        r.symmetric = symmetric;
        schema.relations.push(r);
    }
    // Each role is a relation type from the events that have it to its argument types.
    let mut roles: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for (event, args) in &events {
        for (role, types) in args {
            let e = roles.entry(role.clone()).or_default();
            if !e.0.contains(event) {
                e.0.push(event.clone());
            }
            for t in expand(types) {
                if !e.1.contains(&t) {
                    e.1.push(t);
                }
            }
        }
    }
    for (role, (from, to)) in roles {
        if schema.relation(&role).is_none() {
            schema
                .relations
                .push(RelationType::new(&role, &from.join("|"), &to.join("|")));
        }
    }
    for (name, target, values) in attributes {
        let kind = match values {
            Some(v) => AttrKind::Choice(
                v.into_iter()
                    .map(|value| Choice { value, key: None })
                    .collect(),
            ),
            None => AttrKind::Choice(vec![Choice {
                value: BINARY.to_owned(),
                key: None,
            }]),
        };
        for label in expand(&target) {
            if let Some(l) = schema.labels.iter_mut().find(|l| l.name == label)
                && l.attribute(&name).is_none()
            {
                l.attributes.push(AttributeDef {
                    name: name.clone(),
                    kind: kind.clone(),
                    key: None,
                });
            }
        }
    }
    schema
}

/// annotation.conf for a schema. Free-text attributes cannot be declared in brat; they
/// travel in notes (see the module comment).
fn write_conf(schema: &Schema) -> String {
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

// ------------------------------------------------------------------------------------------
// Import

/// The .txt files, the .ann files and the first annotation.conf found.
type Files = (Vec<PathBuf>, Vec<PathBuf>, Option<PathBuf>);

/// The .txt and .ann files below the given paths, and the first annotation.conf.
fn collect(paths: &[PathBuf]) -> Result<Files, Problem> {
    let (mut txt, mut ann, mut conf) = (Vec::new(), Vec::new(), None);
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            let entries = std::fs::read_dir(&p).map_err(|e| Problem::io(&p, &e))?;
            for e in entries.flatten() {
                stack.push(e.path());
            }
            continue;
        }
        match p.extension().and_then(|e| e.to_str()) {
            Some("txt") => txt.push(p),
            Some("ann") => ann.push(p),
            Some("conf")
                if p.file_name().is_some_and(|n| n == "annotation.conf") && conf.is_none() =>
            {
                conf = Some(p)
            }
            _ => {}
        }
    }
    txt.sort();
    ann.sort();
    Ok((txt, ann, conf))
}

/// The .ann file of a text: same stem, or the stem followed by `_`, `-` or `.` and more
/// (`A.txt` with `A_annotator1.ann`, possibly in another folder).
fn pair<'a>(txt: &Path, anns: &'a [PathBuf]) -> Vec<&'a PathBuf> {
    let stem = txt
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let same_dir = anns
        .iter()
        .find(|a| a.with_extension("") == txt.with_extension(""));
    if let Some(a) = same_dir {
        return vec![a];
    }
    anns.iter()
        .filter(|a| {
            let s = a
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            s == stem
                || [b'_', b'-', b'.'].iter().any(|sep| {
                    s.len() > stem.len()
                        && s.starts_with(&stem)
                        && s.as_bytes().get(stem.len()) == Some(sep)
                })
        })
        .collect()
}

/// Reads brat documents from folders or files.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let (txts, anns, conf) = collect(paths)?;
    let mut imported = Imported::default();
    if let Some(c) = &conf {
        let text = read_text_file(c)?;
        imported.schema = Some(parse_conf(&text));
    }
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for txt in &txts {
        let raw = match std::fs::read(txt) {
            Ok(b) => b,
            Err(e) => {
                problems.push(Problem::io(txt, &e));
                continue;
            }
        };
        // brat counts a byte order mark as a character; we drop it from the text.
        let bom = raw.starts_with(b"\xEF\xBB\xBF");
        let text = match crate::persist::corpus::text_from_bytes(txt, raw) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let id = txt
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut doc = ImportedDoc {
            id,
            text,
            source: Some(txt.clone()),
            ..Default::default()
        };
        let candidates = pair(txt, &anns);
        if candidates.len() > 1 {
            imported.report.note(
                txt,
                None,
                format!(
                    "{} annotation files match; using {}",
                    candidates.len(),
                    candidates
                        .first()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            );
        }
        if let Some(ann) = candidates.first() {
            used.insert((*ann).clone());
            match read_text_file(ann) {
                Ok(content) => read_ann(
                    &mut doc,
                    &content,
                    ann,
                    bom,
                    &mut imported.report,
                    &mut imported.event_labels,
                ),
                Err(p) => problems.push(p),
            }
        }
        imported.docs.push(doc);
    }
    for a in anns.iter().filter(|a| !used.contains(*a)) {
        imported.report.note(
            a,
            None,
            "no .txt file for this annotation file; not imported",
        );
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok(imported)
}

/// An event line: its line number, trigger id, and (role, argument id) pairs.
type EventLine = (usize, String, Vec<(String, String)>);

/// Parses one .ann file into the document's spans, relations, attributes and notes.
fn read_ann(
    doc: &mut ImportedDoc,
    content: &str,
    file: &Path,
    bom: bool,
    report: &mut Report,
    event_labels: &mut BTreeSet<String>,
) {
    // The text moves out while spans are added, so the index can borrow it.
    let text = std::mem::take(&mut doc.text);
    let index = OffsetIndex::new(&text);
    let mut ids: SpanIndex = HashMap::new();
    // Events: E id → trigger T id, and argument lines resolved once every event is known.
    let mut event_trigger: HashMap<String, String> = HashMap::new();
    let mut event_args: Vec<EventLine> = Vec::new();
    let mut later: Vec<(usize, &str)> = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match line.chars().next() {
            Some('T') => read_textbound(
                &text,
                &mut doc.spans,
                line,
                n,
                file,
                bom,
                &index,
                &mut ids,
                report,
            ),
            Some('E') => {
                let mut fields = line.split('\t');
                let (Some(eid), Some(body)) = (fields.next(), fields.next()) else {
                    report.note(file, Some(n), "malformed event line; skipped");
                    continue;
                };
                let mut parts = body.split_whitespace();
                let Some((_, trigger)) = parts.next().and_then(|p| p.split_once(':')) else {
                    report.note(file, Some(n), "event without a trigger; skipped");
                    continue;
                };
                event_trigger.insert(eid.to_owned(), trigger.to_owned());
                let args = parts
                    .filter_map(|p| p.split_once(':'))
                    .map(|(r, t)| (r.to_owned(), t.to_owned()))
                    .collect();
                event_args.push((n, trigger.to_owned(), args));
            }
            Some('R' | 'A' | 'M' | '#' | '*' | 'N') => later.push((n, line)),
            _ => report.note(file, Some(n), "unknown annotation line; skipped"),
        }
    }
    let resolve = |id: &str| -> Option<usize> {
        let t = event_trigger.get(id).map_or(id, String::as_str);
        ids.get(t).copied()
    };
    for (n, trigger, args) in &event_args {
        let Some(from) = ids.get(trigger.as_str()).copied() else {
            report.note(
                file,
                Some(*n),
                format!("event trigger {trigger} is not a text annotation; skipped"),
            );
            continue;
        };
        report.count("events", 1);
        if let Some(s) = doc.spans.get(from) {
            event_labels.insert(s.label.clone());
        }
        for (role, target) in args {
            match resolve(target) {
                Some(to) => doc.relations.push(ImportedRelation {
                    kind: role_base(role).to_owned(),
                    from,
                    to,
                }),
                None => report.note(
                    file,
                    Some(*n),
                    format!("event argument {role}:{target} is unknown; skipped"),
                ),
            }
        }
    }
    let mut notes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (n, line) in later {
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or_default();
        let body = fields.next().unwrap_or_default();
        let rest = fields.next();
        let words: Vec<&str> = body.split_whitespace().collect();
        match id.chars().next() {
            Some('R') => {
                let arg = |k: &str| {
                    words
                        .iter()
                        .filter_map(|w| w.split_once(':'))
                        .find(|(a, _)| *a == k)
                        .map(|(_, t)| t)
                };
                match (
                    words.first(),
                    arg("Arg1").and_then(resolve),
                    arg("Arg2").and_then(resolve),
                ) {
                    (Some(kind), Some(from), Some(to)) => doc.relations.push(ImportedRelation {
                        kind: (*kind).to_owned(),
                        from,
                        to,
                    }),
                    _ => report.note(file, Some(n), "relation with unknown arguments; skipped"),
                }
            }
            Some('*') => {
                let members: Vec<usize> = words.iter().skip(1).filter_map(|t| resolve(t)).collect();
                if let Some(kind) = words.first() {
                    for pair in members.windows(2) {
                        if let [a, b] = pair {
                            doc.relations.push(ImportedRelation {
                                kind: (*kind).to_owned(),
                                from: *a,
                                to: *b,
                            });
                        }
                    }
                    report.count("equivalences", 1);
                }
            }
            Some('A' | 'M') => match (words.first(), words.get(1).and_then(|t| resolve(t))) {
                (Some(name), Some(target)) => {
                    let value = words.get(2).map_or(BINARY, |v| v).to_owned();
                    if let Some(s) = doc.spans.get_mut(target) {
                        s.attrs.insert((*name).to_owned(), value);
                        report.count("attributes", 1);
                    }
                }
                _ => report.note(file, Some(n), "attribute of an unknown annotation; skipped"),
            },
            Some('#') => match words.get(1).and_then(|t| resolve(t)) {
                Some(target) => notes
                    .entry(target)
                    .or_default()
                    .push(rest.unwrap_or_default().to_owned()),
                None if words
                    .get(1)
                    .is_some_and(|t| t.starts_with('R') || t.starts_with('*')) =>
                {
                    report.note(
                        file,
                        Some(n),
                        "notes on relations are not imported: Marginalia keeps notes on spans",
                    );
                    report.count("relation notes not imported", 1);
                }
                None => report.note(file, Some(n), "note on an unknown annotation; skipped"),
            },
            Some('N') => {
                report.note(file, Some(n), "normalization (N) lines are not imported: Marginalia has no knowledge-base links");
                report.count("normalizations not imported", 1);
            }
            _ => {}
        }
    }
    for (target, texts) in notes {
        let Some(span) = doc.spans.get_mut(target) else {
            continue;
        };
        let mut plain = Vec::new();
        for t in texts {
            // `[name] value`: a free-text attribute written by Marginalia.
            match t.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                    span.attrs.insert(name.to_owned(), value.to_owned());
                }
                _ => plain.push(t),
            }
        }
        if !plain.is_empty() {
            report.count("notes", 1);
            span.note = Some(plain.join("\n"));
        }
    }
    drop(index);
    doc.text = text;
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

// ------------------------------------------------------------------------------------------
// Export

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
        let index = OffsetIndex::new(&d.doc.text);
        let mut ann = String::new();
        let mut tid: HashMap<_, String> = HashMap::new();
        let mut eid: HashMap<_, String> = HashMap::new();
        let (mut a_n, mut note_n, mut r_n, mut e_n) = (0, 0, 0, 0);
        let file = out.join(format!("{}.ann", d.doc.id));
        for (i, s) in d.spans.iter().enumerate() {
            let t = format!("T{}", i + 1);
            let frags = fragments(&d.doc.text, s.start, s.end);
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
            let texts: Vec<&str> = frags
                .iter()
                .filter_map(|(a, b)| d.doc.text.get(*a..*b))
                .collect();
            if frags.len() > 1 {
                report.count("spans written as fragments (line breaks)", 1);
            }
            ann.push_str(&format!(
                "{t}\t{} {}\t{}\n",
                s.label,
                offsets.join(";"),
                texts.join(" ")
            ));
            tid.insert(s.id, t);
        }
        report.count("spans", d.spans.len());
        let event_labels: BTreeSet<&str> = schema
            .labels
            .iter()
            .filter(|l| l.event)
            .map(|l| l.name.as_str())
            .collect();
        for s in d
            .spans
            .iter()
            .filter(|s| event_labels.contains(s.label.as_str()))
        {
            e_n += 1;
            eid.insert(s.id, format!("E{e_n}"));
        }
        // An annotation's brat id: its event when it is a trigger, else its T.
        let target = |id| {
            eid.get(&id)
                .or_else(|| tid.get(&id))
                .cloned()
                .unwrap_or_default()
        };
        for s in d.spans.iter().filter(|s| eid.contains_key(&s.id)) {
            let mut line = format!(
                "{}\t{}:{}",
                target(s.id),
                s.label,
                tid.get(&s.id).cloned().unwrap_or_default()
            );
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for r in d.relations.iter().filter(|r| r.from == s.id) {
                let k = seen.entry(r.kind.as_str()).or_default();
                *k += 1;
                let role = if *k == 1 {
                    r.kind.clone()
                } else {
                    format!("{}{}", r.kind, k)
                };
                line.push_str(&format!(" {role}:{}", target(r.to)));
            }
            ann.push_str(&line);
            ann.push('\n');
        }
        report.count("events", e_n);
        let mut symmetric: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
        for r in d.relations.iter().filter(|r| !eid.contains_key(&r.from)) {
            if schema.relation(&r.kind).is_some_and(|t| t.symmetric) {
                symmetric
                    .entry(&r.kind)
                    .or_default()
                    .push((target(r.from), target(r.to)));
                continue;
            }
            r_n += 1;
            ann.push_str(&format!(
                "R{r_n}\t{} Arg1:{} Arg2:{}\n",
                r.kind,
                target(r.from),
                target(r.to)
            ));
        }
        for (kind, pairs) in symmetric {
            for (a, b) in pairs {
                ann.push_str(&format!("*\t{kind} {a} {b}\n"));
            }
        }
        report.count("relations", d.relations.len());
        for s in &d.spans {
            let def = schema.label(&s.label);
            for (name, value) in &s.attrs {
                let text_attr = def
                    .and_then(|l| l.attribute(name))
                    .is_none_or(|a| matches!(a.kind, AttrKind::Text))
                    || value.contains(char::is_whitespace);
                if text_attr {
                    note_n += 1;
                    ann.push_str(&format!(
                        "#{note_n}\tAnnotatorNotes {}\t[{name}] {}\n",
                        target(s.id),
                        value.replace(['\n', '\r', '\t'], " ")
                    ));
                } else {
                    a_n += 1;
                    let v = if value == BINARY {
                        String::new()
                    } else {
                        format!(" {value}")
                    };
                    ann.push_str(&format!("A{a_n}\t{name} {}{v}\n", target(s.id)));
                }
            }
            if let Some(note) = &s.note {
                if note.contains(['\n', '\t']) {
                    report.note(&file, None, format!("the note of span {} has line breaks; brat notes are one line, so they became spaces", s.id.0));
                }
                note_n += 1;
                ann.push_str(&format!(
                    "#{note_n}\tAnnotatorNotes {}\t{}\n",
                    target(s.id),
                    note.replace(['\n', '\r', '\t'], " ")
                ));
            }
        }
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
        output.files.push((file, ann));
        report.count("documents", 1);
    }
    output
}
