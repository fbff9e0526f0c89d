//! Writing Prodigy JSONL: one accepted task per document with tokens from [`tokenize`], and
//! a rejected task for the rejected suggestions.

use super::{PRODIGY_KEYS, TOKENS_META};
use crate::formats::export::{ExportDoc, checked_offsets, one_per_fragment, report_misaligned};
use crate::formats::json::{
    checked_suggestion_offsets, meta_object, report_uncarried, write_attrs_note,
};
use crate::formats::tokens::{Coverage, Token, each_token, tokenize};
use crate::formats::{Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Document, Review, Schema, Span, SpanId, Status};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Documents up to this size keep their token list while they are exported (made once);
/// bigger ones are tokenized again to be written.
const HELD_TOKENS_UP_TO: usize = 16 << 20;

/// The tokens of a task as written: the imported list as it was read, or ours.
enum TaskTokens<'a> {
    Kept(String),
    Ours {
        /// `None`: tokenized again as they are written (a big document).
        tokens: Option<&'a [Token]>,
        index: &'a OffsetIndex<'a>,
        text: &'a str,
    },
}

impl TaskTokens<'_> {
    /// Writes the JSON array, one token at a time: a 1 GB document has 170 million tokens,
    /// and building their list first took more memory than the machine had.
    fn write(&self, content: &mut crate::formats::sink::Sink) {
        match self {
            TaskTokens::Kept(json) => content.push_str(json),
            TaskTokens::Ours {
                tokens,
                index,
                text,
            } => {
                content.push('[');
                let mut i = 0;
                let write = |t: Token| {
                    if i > 0 {
                        content.push(',');
                    }
                    let token = TokenOut {
                        end: index.from_byte(t.end, Unit::CodePoints),
                        id: i,
                        start: index.from_byte(t.start, Unit::CodePoints),
                        text: text.get(t.start..t.end).unwrap_or_default(),
                        ws: t.ws,
                    };
                    // A struct of numbers and a string: serializing it cannot fail.
                    let _ = serde_json::to_writer(&mut *content, &token);
                    i += 1;
                };
                match tokens {
                    Some(tokens) => tokens.iter().copied().for_each(write),
                    None => each_token(text, write),
                }
                content.push(']');
            }
        }
    }
}

/// Appends a task line: `task` (its keys sorted, as serde_json writes a map), then the
/// document's `text` and the `tokens`, which sort after every other key of a task, written
/// straight into the file rather than copied into the task first.
fn push_task(
    content: &mut crate::formats::sink::Sink,
    task: &Value,
    text: &str,
    tokens: &TaskTokens<'_>,
) {
    let task = task.to_string();
    content.push_str(task.strip_suffix('}').unwrap_or(&task));
    content.push_str(",\"text\":");
    // A string: serializing it cannot fail.
    let _ = serde_json::to_writer(&mut *content, text);
    content.push_str(",\"tokens\":");
    tokens.write(content);
    content.push_str("}\n");
}

/// The tokens the document was imported with (Prodigy's `tokens`, kept in its meta), as
/// byte ranges, with their JSON as read; `None` when there are none or they no longer fit
/// the text (each token's `text` must be the text at its `start`..`end`).
fn imported_tokens(doc: &Document, index: &OffsetIndex<'_>) -> Option<(Vec<Token>, String)> {
    let json = doc.meta.get(TOKENS_META)?;
    let list: Vec<Value> = serde_json::from_str(json).ok()?;
    let mut tokens = Vec::with_capacity(list.len());
    for t in &list {
        let at = |k: &str| t.get(k).and_then(Value::as_u64).map(|n| n as usize);
        let start = index.to_byte(at("start")?, Unit::CodePoints)?;
        let end = index.to_byte(at("end")?, Unit::CodePoints)?;
        if t.get("text").and_then(Value::as_str) != doc.text.get(start..end) {
            return None;
        }
        let ws = t.get("ws").and_then(Value::as_bool).unwrap_or(false);
        tokens.push(Token { start, end, ws });
    }
    // Tokens in order, apart: what the span and relation indices need.
    if tokens
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.end > b.start))
    {
        return None;
    }
    Some((tokens, json.to_owned()))
}

/// A token of an exported task.
#[derive(serde::Serialize)]
struct TokenOut<'a> {
    end: usize,
    id: usize,
    start: usize,
    text: &'a str,
    ws: bool,
}

/// Writes one accepted task per document, and one rejected task per document that has
/// rejected suggestions.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    export_holding(docs, schema, out, report, HELD_TOKENS_UP_TO)
}

/// [`export`], holding the token lists of documents up to `held_up_to` bytes.
fn export_holding(
    docs: &[ExportDoc<'_>],
    schema: &Schema,
    out: &Path,
    report: &mut Report,
    held_up_to: usize,
) -> Output {
    let _ = schema;
    let mut content = crate::formats::sink::Sink::new(out);
    for d in docs {
        export_doc(d, out, &mut content, report, held_up_to);
    }
    report_uncarried(docs, report);
    Output::single(out, content)
}

/// One document's accepted task, and its rejected task when it has rejected suggestions.
fn export_doc(
    d: &ExportDoc<'_>,
    out: &Path,
    content: &mut crate::formats::sink::Sink,
    report: &mut Report,
    held_up_to: usize,
) {
    {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let kept = imported_tokens(doc, &index);
        if kept.is_none() && doc.meta.contains_key(TOKENS_META) {
            report.count(
                "imported token lists that no longer fit (tokenized again)",
                1,
            );
        }
        let (tokens, kept_json) = kept.unzip();
        // Our tokens of a big document are made twice, to place its spans and to write
        // them, rather than held: 170 million of them for 1 GB of text took 4 GB.
        let tokens = tokens.or_else(|| (doc.text.len() <= held_up_to).then(|| tokenize(&doc.text)));
        // Prodigy spans are contiguous: a discontinuous span is one span per fragment, each
        // with `fragment_of` (the span's id), which import joins again.
        let pieces = one_per_fragment(&d.spans, report);
        let pieces: Vec<&Span> = pieces.iter().map(|p| p.as_ref()).collect();
        let ranges = pieces
            .iter()
            .flat_map(|s| s.pieces())
            .chain(pieces.iter().map(|s| s.start..s.end))
            .chain(d.suggestions.iter().map(|s| s.start..s.end));
        let coverage = Coverage::of(ranges, |f| match &tokens {
            Some(tokens) => tokens.iter().copied().for_each(f),
            None => each_token(&doc.text, f),
        });
        let discontinuous: HashSet<SpanId> = d
            .spans
            .iter()
            .filter(|s| s.is_discontinuous())
            .map(|s| s.id)
            .collect();
        report_misaligned(doc, &pieces, |r| coverage.covered(r), out, report);
        // Tokens are most of a task: written from a plain struct rather than one JSON map
        // each (fields in the order a map would sort them), straight into the file.
        let task_tokens = match kept_json {
            Some(json) => TaskTokens::Kept(json),
            None => TaskTokens::Ours {
                tokens: tokens.as_deref(),
                index: &index,
                text: &doc.text,
            },
        };
        let meta = task_meta(doc, out, report);

        // Span id → (its core object, its last token) for the relations.
        let mut placed: HashMap<SpanId, (Value, usize)> = HashMap::new();
        let mut spans = Vec::new();
        let mut alike: HashSet<(usize, usize, &str)> = HashSet::new();
        for s in &pieces {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            let Some((core, last)) = core_span(
                doc, &coverage, start, end, s.start, s.end, &s.label, out, report,
            ) else {
                continue;
            };
            let mut obj = core.as_object().cloned().unwrap_or_default();
            obj.insert("text".into(), json!(s.text));
            write_attrs_note(&mut obj, &s.attrs, s.note.as_deref());
            if discontinuous.contains(&s.id) {
                obj.insert("fragment_of".into(), json!(s.id.0));
            }
            if !placed.contains_key(&s.id) && !alike.insert((start, end, s.label.as_str())) {
                // Prodigy finds a relation's ends by offsets and label: two spans alike
                // (events that share a trigger) are one span to it.
                report.count(
                    "spans identical to another (one span to Prodigy: merged on import)",
                    1,
                );
            }
            spans.push(Value::Object(obj));
            placed.entry(s.id).or_insert((core, last));
        }
        let mut relations = Vec::new();
        for r in &d.relations {
            let (Some((head_span, head)), Some((child_span, child))) =
                (placed.get(&r.from), placed.get(&r.to))
            else {
                report.count("relations skipped", 1);
                continue;
            };
            relations.push(json!({"head": head, "child": child, "head_span": head_span, "child_span": child_span, "label": r.kind}));
        }
        let mut task = json!({
            "spans": spans,
            "relations": relations,
            "answer": "accept",
            "meta": meta,
        });
        // Prodigy's own keys, as they were read (numbers stay numbers).
        if let Some(obj) = task.as_object_mut() {
            for k in PRODIGY_KEYS {
                if let Some(v) = doc.meta.get(k) {
                    let value = serde_json::from_str(v).unwrap_or_else(|_| json!(v));
                    obj.insert(k.to_owned(), value);
                }
            }
        }
        push_task(content, &task, &doc.text, &task_tokens);
        report.count("documents", 1);
        report.count("spans", spans.len());
        report.count("relations", relations.len());
        if doc.status != Status::Done {
            // An accepted task says "these are all the spans": worth knowing for new texts.
            report.count("documents not marked done exported as accepted", 1);
        }

        let rejected = rejected_spans(d, &index, &coverage, out, report);
        if !rejected.is_empty() {
            report.count("rejected suggestions", rejected.len());
            let task = json!({
                "spans": rejected,
                "answer": "reject",
                "meta": meta,
            });
            push_task(content, &task, &doc.text, &task_tokens);
        }
    }
}

/// `{"id": doc id, ...doc meta}`: the id goes first in meaning; a meta field named `id` gives
/// way to it (and is reported).
fn task_meta(doc: &Document, out: &Path, report: &mut Report) -> Map<String, Value> {
    let mut meta = meta_object(doc);
    for k in PRODIGY_KEYS {
        meta.remove(k);
    }
    if let Some(old) = meta.insert("id".into(), json!(doc.id))
        && old != json!(doc.id)
    {
        let msg = format!(
            "{}: meta `id` ({old}) is replaced by the document id",
            doc.id
        );
        report.note(out, None, msg);
    }
    meta
}

/// The span object Prodigy matches relations on: `start`/`end` (exact, code points),
/// `token_start`/`token_end` (whole tokens it touches, `token_end` inclusive) and `label`,
/// with the index of its last token. `None` (reported) when it covers no token at all.
#[allow(clippy::too_many_arguments)]
fn core_span(
    doc: &Document,
    tokens: &Coverage,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    label: &str,
    out: &Path,
    report: &mut Report,
) -> Option<(Value, usize)> {
    let (range, _) = tokens.covered(&(byte_start..byte_end));
    if range.is_empty() {
        report.note(
            out,
            None,
            format!(
                "{}: `{label}` {start}..{end} covers no token (only spaces); skipped",
                doc.id
            ),
        );
        report.count("spans skipped", 1);
        return None;
    }
    let last = range.end - 1;
    Some((
        json!({"start": start, "end": end, "token_start": range.start, "token_end": last, "label": label}),
        last,
    ))
}

/// The rejected suggestions as the spans of a rejected task (pending and accepted ones are
/// counted: Prodigy has no place for them).
fn rejected_spans(
    d: &ExportDoc<'_>,
    index: &OffsetIndex<'_>,
    tokens: &Coverage,
    out: &Path,
    report: &mut Report,
) -> Vec<Value> {
    let doc = d.doc;
    let mut rejected = Vec::new();
    for s in &d.suggestions {
        match s.review {
            Review::Rejected => {}
            Review::Pending => {
                report.count("pending suggestions not exported", 1);
                continue;
            }
            Review::Accepted => {
                report.count("accepted suggestions not exported (their spans are)", 1);
                continue;
            }
        }
        let Some((start, end)) =
            checked_suggestion_offsets(index, doc, s, Unit::CodePoints, out, report)
        else {
            continue;
        };
        let Some((core, _)) = core_span(
            doc, tokens, start, end, s.start, s.end, &s.label, out, report,
        ) else {
            continue;
        };
        if !tokens.covered(&(s.start..s.end)).1 {
            report.count("rejected suggestions off token boundaries", 1);
        }
        let mut obj = core.as_object().cloned().unwrap_or_default();
        obj.insert("text".into(), json!(s.text));
        if let Some(score) = s.score {
            obj.insert("score".into(), json!(score.0));
        }
        if !s.links.is_empty() {
            report.count("suggested links not exported", s.links.len());
        }
        write_attrs_note(&mut obj, &s.attrs, None);
        rejected.push(Value::Object(obj));
    }
    rejected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::export::{ExportFilter, select};
    use crate::model::{Score, Suggestion};

    /// A big document's tokens are made twice instead of held: the file and every note are
    /// the same, with spans and rejected suggestions on and off token boundaries.
    #[test]
    fn streamed_tokens_write_what_held_tokens_write() {
        let mut p = crate::generate::project(4, 3_000, 4, 11, Path::new("/tmp"));
        for d in &mut p.documents {
            let text = d.text.clone();
            let bounds: Vec<usize> = (0..text.len())
                .filter(|&i| text.is_char_boundary(i))
                .step_by(97)
                .collect();
            let suggestions = bounds
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| {
                    let (&start, &end) = (w.first()?, w.get(1)?);
                    Some(Suggestion {
                        id: crate::model::SpanId(1_000_000 + i as u64),
                        start,
                        end,
                        label: "speaker".into(),
                        text: text.get(start..end)?.to_owned(),
                        attrs: Default::default(),
                        source: "test".into(),
                        score: Some(Score(0.5)),
                        review: if i % 2 == 0 {
                            Review::Rejected
                        } else {
                            Review::Pending
                        },
                        span: None,
                        links: Vec::new(),
                    })
                })
                .collect();
            d.set_suggestions(suggestions);
        }
        let docs = select(&p, &ExportFilter::default());
        let run = |held_up_to| {
            let mut report = Report::default();
            let out = export_holding(
                &docs,
                &p.schema,
                Path::new("o.jsonl"),
                &mut report,
                held_up_to,
            );
            (out.files[0].1.clone(), report.to_string(), report.counts)
        };
        let (held, streamed) = (run(usize::MAX), run(0));
        assert!(held.2.get("rejected suggestions").copied().unwrap_or(0) > 10);
        assert!(
            held.2
                .get("rejected suggestions off token boundaries")
                .copied()
                .unwrap_or(0)
                > 0
        );
        assert_eq!(held, streamed);
    }
}
