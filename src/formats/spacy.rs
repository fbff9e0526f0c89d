//! spaCy-ready JSONL (export only): one line per document,
//! `{"text", "spans": [{"start", "end", "fragments"?, "label", "text", "id", "attrs"?}],
//! "relations": [{"head", "child", "label"}], "meta": {"id", ..}}`. A discontinuous span
//! has `fragments`, its pieces as `[start, end]` pairs, beside its outer `start`/`end`
//! (spaCy spans are contiguous: the README's recipe makes one span per fragment).
//!
//! `spacy convert` has no converter for character offsets, so training data is built in
//! Python: `doc.char_span(start, end, label=label, alignment_mode="strict")` for each span,
//! into `doc.spans[key]` (overlaps allowed there, not in `doc.ents`), then a `DocBin`.
//! Offsets are therefore Python `str` indices, code points, converted with the offset index
//! and checked span by span. `head`/`child` index `spans`, as Prodigy's relations do.
//!
//! What could make the Python side fail is said here first: spans whose ends are not on
//! spaCy's token boundaries (strict `char_span` returns `None` for them) are reported, each
//! piece with its offsets, using [`crate::formats::spacy_tokens`], which follows spaCy's
//! English tokenizer rules (on a real news corpus it names 346 of the 347 pieces spaCy
//! refuses, and nothing else); `tests/python/check_exports.py` checks an export with spaCy
//! itself.
//!
//! Meta values are written as the strings the project holds (a JSONL corpus's non-string
//! meta values are kept as JSON text).

use crate::formats::export::{ExportDoc, checked_offsets, report_misaligned};
use crate::formats::spacy_tokens::spacy_tokens;
use crate::formats::{Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Schema, SpanId};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Serialize)]
struct Line<'a> {
    text: &'a str,
    spans: Vec<SpanOut<'a>>,
    relations: Vec<RelationOut<'a>>,
    meta: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct SpanOut<'a> {
    start: usize,
    end: usize,
    /// A discontinuous span's pieces, `[start, end]` in code points; `start`/`end` are then
    /// the outer ends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fragments: Vec<[usize; 2]>,
    label: &'a str,
    text: &'a str,
    id: u64,
    #[serde(skip_serializing_if = "crate::model::Attrs::is_empty")]
    attrs: &'a crate::model::Attrs,
    /// The annotator's note and provenance ride along, so the export loses nothing of a span.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    head: usize,
    child: usize,
    label: &'a str,
}

/// Writes one JSON line per document to `out`.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    // Labels are written as the spans carry them; the schema adds nothing spaCy reads.
    let _ = schema;
    let mut content = crate::formats::sink::Sink::new(out);
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let tokens = spacy_tokens(&doc.text);
        report_misaligned(
            doc,
            &d.spans,
            |r| crate::formats::tokens::covered(&tokens, r),
            out,
            report,
        );
        let mut spans = Vec::with_capacity(d.spans.len());
        let mut position: HashMap<SpanId, usize> = HashMap::new();
        for s in &d.spans {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            position.insert(s.id, spans.len());
            let fragments: Vec<[usize; 2]> = s
                .fragments
                .iter()
                .map(|f| {
                    [
                        index.from_byte(f.start, Unit::CodePoints),
                        index.from_byte(f.end, Unit::CodePoints),
                    ]
                })
                .collect();
            if !fragments.is_empty() {
                report.count("discontinuous spans (with fragments)", 1);
            }
            spans.push(SpanOut {
                start,
                end,
                fragments,
                label: &s.label,
                text: &s.text,
                id: s.id.0,
                attrs: &s.attrs,
                note: s.note.as_deref(),
                annotator: s.annotator.as_deref(),
                origin: s.origin.as_deref(),
            });
        }
        let mut relations = Vec::with_capacity(d.relations.len());
        for r in &d.relations {
            match (position.get(&r.from), position.get(&r.to)) {
                (Some(&head), Some(&child)) => relations.push(RelationOut {
                    head,
                    child,
                    label: &r.kind,
                }),
                _ => {
                    report.note(
                        out,
                        None,
                        format!(
                            "{}: relation {} ({}) links a skipped span; skipped",
                            doc.id, r.id.0, r.kind
                        ),
                    );
                    report.count("relations skipped", 1);
                }
            }
        }
        let mut meta: BTreeMap<&str, &str> = doc
            .meta
            .iter()
            .filter(|(k, _)| *k != crate::formats::prodigy::TOKENS_META)
            .collect();
        if let Some(old) = meta.insert("id", &doc.id)
            && old != doc.id
        {
            report.note(
                out,
                None,
                format!(
                    "{}: meta field `id` (“{old}”) is replaced by the document id",
                    doc.id
                ),
            );
        }
        if !d.suggestions.is_empty() {
            report.note(
                out,
                None,
                format!(
                    "{}: {} suggestions are not exported (spaCy data holds annotations only)",
                    doc.id,
                    d.suggestions.len()
                ),
            );
            report.count("suggestions not exported", d.suggestions.len());
        }
        let (n_spans, n_relations) = (spans.len(), relations.len());
        let line = Line {
            text: &doc.text,
            spans,
            relations,
            meta,
        };
        match serde_json::to_string(&line) {
            Ok(json) => {
                content.push_str(&json);
                content.push('\n');
                report.count("documents", 1);
                report.count("spans", n_spans);
                report.count("relations", n_relations);
            }
            Err(e) => report.note(
                out,
                None,
                format!("{}: could not be written: {e}; skipped", doc.id),
            ),
        }
    }
    crate::formats::export::report_relation_extras(docs, report);
    Output::single(out, content)
}
