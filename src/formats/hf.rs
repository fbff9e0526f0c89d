//! Hugging Face token classification: one JSON line per sentence, `{"id": "<doc id>-<n>",
//! "tokens": [..], "ner_tags": [..]}`, and a label list beside it.
//!
//! Tags are written as strings (IOB2), so the data reads without a `ClassLabel`; the label
//! list `<out without extension>.labels.json` (`O`, then `B-`/`I-` of every schema label in
//! schema order) gives the integer ids a model needs, in a fixed order. Tokens, tags, overlap
//! priority and reports are the CoNLL ones ([`crate::formats::conll::each_tagged_sentence`]).
//!
//! Import reads the same lines, with string tags or with integer tags when the label list
//! with the same stem lies beside the file. Sentences whose ids share a document prefix
//! (`<doc>-<n>`) become one document, in `n` order, joined by `\n`.

use crate::formats::conll::{Tag, append_sentence, each_tagged_sentence, report_not_carried};
use crate::formats::export::ExportDoc;
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::{Imported, ImportedDoc, ImportedSpan, Output, Report};
use crate::model::Schema;
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One line of the export, fields in the order people expect to read them.
#[derive(Serialize)]
struct Line<'a> {
    id: String,
    tokens: &'a [&'a str],
    ner_tags: Vec<String>,
}

/// The label list that goes beside `data`: `train.jsonl` → `train.labels.json`.
pub fn labels_path(data: &Path) -> PathBuf {
    let mut s = data.with_extension("").into_os_string();
    s.push(".labels.json");
    PathBuf::from(s)
}

/// `O`, then `B-X`, `I-X` for every label `X` in schema order, then labels the spans use
/// that the schema lacks (reported: a label list must name every tag in the data).
fn tag_names(
    schema: &Schema,
    docs: &[ExportDoc<'_>],
    file: &Path,
    report: &mut Report,
) -> Vec<String> {
    let mut labels: Vec<&str> = schema.labels.iter().map(|l| l.name.as_str()).collect();
    for s in docs.iter().flat_map(|d| &d.spans) {
        if !labels.contains(&s.label.as_str()) {
            report.note(
                file,
                None,
                format!(
                    "label `{}` is not in the schema; added at the end of the label list",
                    s.label
                ),
            );
            labels.push(&s.label);
        }
    }
    std::iter::once("O".to_owned())
        .chain(
            labels
                .iter()
                .flat_map(|l| [format!("B-{l}"), format!("I-{l}")]),
        )
        .collect()
}

/// Writes the sentences to `out` and the label list beside it.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let mut content = crate::formats::sink::Sink::new(out);
    for d in docs {
        // Written as they are tagged: a document's tokens are never all in memory.
        let mut n = 0;
        let mut spans = 0;
        let mut unwritten: Vec<String> = Vec::new();
        each_tagged_sentence(d.doc, &d.spans, out, report, |sentence| {
            n += 1;
            spans += sentence
                .tags
                .iter()
                .filter(|t| matches!(t, Tag::B(_)))
                .count();
            let line = Line {
                id: format!("{}-{n}", d.doc.id),
                tokens: &sentence.tokens,
                ner_tags: sentence.tags.iter().map(Tag::to_string).collect(),
            };
            match serde_json::to_string(&line) {
                Ok(json) => {
                    content.push_str(&json);
                    content.push('\n');
                }
                Err(e) => unwritten.push(format!(
                    "{}: sentence {n} could not be written: {e}; skipped",
                    d.doc.id
                )),
            }
        });
        if n > 0 {
            report.count("spans", spans);
        }
        if n > unwritten.len() {
            report.count("sentences", n - unwritten.len());
        }
        for message in unwritten {
            report.note(out, None, message);
        }
        if n == 0 {
            // A document is only its sentences here: an empty one leaves no line.
            report.note(
                out,
                None,
                format!("{}: no tokens, so no line is written", d.doc.id),
            );
            report.count("documents without tokens", 1);
        }
        report.count("documents", 1);
    }
    report_not_carried("Hugging Face token classification", docs, out, report);
    let names = tag_names(schema, docs, out, report);
    let mut output = Output::single(out, content);
    match serde_json::to_string_pretty(&names) {
        Ok(json) => output.files.push((labels_path(out), json + "\n")),
        Err(e) => report.note(
            out,
            None,
            format!("the label list could not be written: {e}"),
        ),
    }
    output
}

/// A tag as found in a file: a name, or an index into the label list.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawTag {
    Name(String),
    Index(u64),
}

#[derive(Deserialize)]
struct RawLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    tokens: Vec<String>,
    ner_tags: Vec<RawTag>,
}

/// A sentence read, waiting for the rest of its document: already its text and spans, since
/// a token and its tag each held on their own took eight times the file (a 24 MB export
/// peaked at 204 MB).
struct Sentence {
    n: u64,
    text: String,
    spans: Vec<ImportedSpan>,
}

/// A document of sentences in order, joined by `\n` (as [`crate::formats::conll::
/// doc_from_sentences`] joins them).
fn join_sentences(id: String, sentences: Vec<Sentence>) -> ImportedDoc {
    let len = sentences.iter().map(|s| s.text.len() + 1).sum();
    let mut text = String::with_capacity(len);
    let mut spans = Vec::new();
    for (k, s) in sentences.into_iter().enumerate() {
        if k > 0 {
            text.push('\n');
        }
        let at = text.len();
        text.push_str(&s.text);
        spans.extend(s.spans.into_iter().map(|mut span| {
            span.start += at;
            span.end += at;
            span
        }));
    }
    ImportedDoc {
        id,
        text,
        spans,
        ..Default::default()
    }
}

/// `doc-3` → (`doc`, 3); an id without a numeric suffix is a document of its own.
fn split_id(id: &str) -> (&str, u64) {
    match id.rsplit_once('-') {
        Some((doc, n))
            if !doc.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (doc, n.parse().unwrap_or(0))
        }
        _ => (id, 0),
    }
}

/// The label list beside `data`, read when the first integer tag (on line `line`) needs it.
fn read_labels(data: &Path, line: usize) -> Result<Vec<String>, Problem> {
    let path = labels_path(data);
    if !path.exists() {
        return Err(Problem::new(
            ProblemKind::Invalid,
            data,
            format!("ner_tags are integers, but there is no label list {} beside the file (a JSON array of tag names, as the export writes)", path.display()),
        )
        .at_line(Some(line)));
    }
    let text = read_text_file(&path)?;
    serde_json::from_str(&text).map_err(|e| {
        Problem::new(
            ProblemKind::Syntax,
            &path,
            format!("{e} (expected a JSON array of tag names)"),
        )
        .at(e.line(), e.column())
    })
}

/// Reads token classification JSONL files.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let content = match read_text_file(path) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        for (id, mut sentences) in read_sentences(path, &content, &mut problems) {
            sentences.sort_by_key(|s| s.n);
            let id = unique_id(&mut seen, id, path, None, &mut imported.report);
            imported.docs.push(join_sentences(id, sentences));
        }
    }
    LoadError::or_ok(problems, imported)
}

/// The sentences of one file, grouped by document in order of first appearance (a line's
/// id `doc-3` is sentence 3 of `doc`). Lines that cannot be read are problems.
fn read_sentences(
    path: &Path,
    content: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Vec<Sentence>)> {
    let stem = file_stem(path);
    let mut labels = LabelList::default();
    let mut docs: Vec<(String, Vec<Sentence>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, text) in content.lines().enumerate() {
        let line_no = i + 1;
        if text.trim().is_empty() {
            continue;
        }
        let raw: RawLine = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let expected = r#"{"id", "tokens": [..], "ner_tags": [..]}"#;
                problems.push(Problem::json(path, line_no, &e, expected));
                continue;
            }
        };
        if raw.tokens.len() != raw.ner_tags.len() {
            let msg = format!(
                "{} tokens but {} ner_tags",
                raw.tokens.len(),
                raw.ner_tags.len()
            );
            problems.push(Problem::new(ProblemKind::Syntax, path, msg).at(line_no, 1));
            continue;
        }
        let Some(tags) = read_tags(path, line_no, &raw.ner_tags, &mut labels, problems) else {
            continue;
        };
        let id = match raw.id {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => format!("{stem}-{line_no}"),
        };
        let (doc, n) = split_id(&id);
        let at = *index.entry(doc.to_owned()).or_insert_with(|| {
            docs.push((doc.to_owned(), Vec::new()));
            docs.len() - 1
        });
        if let Some((_, sentences)) = docs.get_mut(at) {
            let (mut text, mut spans) = (String::new(), Vec::new());
            let tokens = raw.tokens.iter().map(String::as_str).zip(&tags);
            append_sentence(&mut text, &mut spans, tokens);
            // Held until the file is read: without the growth room.
            text.shrink_to_fit();
            spans.shrink_to_fit();
            sentences.push(Sentence { n, text, spans });
        }
    }
    docs
}

/// The label list of integer tags, read when the first one needs it.
#[derive(Default)]
struct LabelList {
    labels: Option<Vec<String>>,
    /// It could not be read: said once, since every later line would say the same.
    failed: bool,
}

/// A line's tags, names or integers into the label list; `None` (with the problem) when
/// one is not a tag.
fn read_tags(
    path: &Path,
    line_no: usize,
    raw: &[RawTag],
    list: &mut LabelList,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Tag>> {
    let syntax = |msg: String| Problem::new(ProblemKind::Syntax, path, msg).at(line_no, 1);
    let mut tags = Vec::with_capacity(raw.len());
    for t in raw {
        let name = match t {
            RawTag::Name(s) => s.clone(),
            RawTag::Index(k) => {
                if list.labels.is_none() && !list.failed {
                    match read_labels(path, line_no) {
                        Ok(l) => list.labels = Some(l),
                        Err(p) => {
                            problems.push(p);
                            list.failed = true;
                        }
                    }
                }
                if list.failed {
                    return None;
                }
                let found = list
                    .labels
                    .as_ref()
                    .and_then(|l| usize::try_from(*k).ok().and_then(|k| l.get(k)))
                    .cloned();
                let Some(name) = found else {
                    let msg = format!(
                        "tag {k} is not in the label list {}",
                        labels_path(path).display()
                    );
                    problems.push(syntax(msg));
                    return None;
                };
                name
            }
        };
        match Tag::parse(&name) {
            Some(tag) => tags.push(tag),
            None => {
                let msg = format!("`{name}` is not a tag (expected O, B-LABEL or I-LABEL)");
                problems.push(syntax(msg));
                return None;
            }
        }
    }
    Some(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_into_document_and_sentence() {
        assert_eq!(split_id("harris-no-talks-12"), ("harris-no-talks", 12));
        assert_eq!(split_id("harris-no-talks"), ("harris-no-talks", 0));
        assert_eq!(split_id("7"), ("7", 0));
        assert_eq!(split_id("-3"), ("-3", 0));
    }

    #[test]
    fn label_list_sits_beside_the_data() {
        assert_eq!(
            labels_path(Path::new("out/train.jsonl")),
            Path::new("out/train.labels.json")
        );
        assert_eq!(
            labels_path(Path::new("train")),
            Path::new("train.labels.json")
        );
    }
}
