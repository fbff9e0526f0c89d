//! Writing a Label Studio task array: spans, relations, attributes and notes as the first
//! annotation; pending suggestions as predictions, one per source.

use super::{FRAGMENT_OF, NOTE};
use crate::formats::export::{ExportDoc, checked_offsets};
use crate::formats::json::{checked_suggestion_offsets, meta_object, report_uncarried};
use crate::formats::sink::Sink;
use crate::formats::{Output, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{AttrKind, Review, Schema, SpanId, Status, Suggestion};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Writes the documents as a Label Studio task array: spans, relations, attributes and
/// notes as the first annotation, pending suggestions as predictions (one per source).
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    // Each task is written as soon as it is made, laid out as inside the whole array:
    // holding every task as a JSON value first took 3.2 GB for 10,000 documents.
    let mut content = Sink::new(out);
    content.push_str("[");
    let mut first = true;
    for d in docs {
        let doc = d.doc;
        let index = OffsetIndex::new(&doc.text);
        let mut result = Vec::new();
        let mut kept: HashSet<SpanId> = HashSet::new();
        for s in &d.spans {
            let Some((start, end)) = checked_offsets(&index, doc, s, Unit::CodePoints, out, report)
            else {
                continue;
            };
            kept.insert(s.id);
            let region = Placed {
                id: s.id,
                start,
                end,
                text: &s.text,
            };
            if s.is_discontinuous() {
                // One region per fragment; the first carries the span's id (relations and
                // attributes point at it), each names it in `meta.fragment_of`.
                for (k, f) in s.fragments.iter().enumerate() {
                    let id = if k == 0 {
                        s.id.0.to_string()
                    } else {
                        format!("{}-{}", s.id.0, k + 1)
                    };
                    result.push(json!({
                        "id": id,
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": index.from_byte(f.start, Unit::CodePoints),
                            "end": index.from_byte(f.end, Unit::CodePoints),
                            "text": f.text,
                            "labels": [s.label],
                        },
                        "meta": {FRAGMENT_OF: s.id.0.to_string()},
                    }));
                }
                report.count("discontinuous spans written as one region per fragment", 1);
            } else {
                result.push(region.labels(&s.label, None));
            }
            result.extend(region.attributes(schema, &s.label, &s.attrs, report));
            if let Some(note) = &s.note {
                result.push(region.textarea(NOTE, note));
            }
        }
        let mut relations = 0;
        for r in &d.relations {
            if kept.contains(&r.from) && kept.contains(&r.to) {
                result.push(json!({"from_id": r.from.0.to_string(), "to_id": r.to.0.to_string(), "type": "relation", "direction": "right", "labels": [r.kind]}));
                relations += 1;
            } else {
                report.count("relations skipped", 1);
            }
        }
        // An empty annotation says "looked at, nothing here": only for documents marked done.
        let annotations = if kept.is_empty() && doc.status != Status::Done {
            json!([])
        } else {
            json!([{"result": result}])
        };
        if doc.status == Status::InProgress {
            report.count("document statuses not exported", 1);
        }

        let mut by_source: BTreeMap<&str, Vec<&Suggestion>> = BTreeMap::new();
        for s in &d.suggestions {
            match s.review {
                Review::Pending => by_source.entry(s.source.as_str()).or_default().push(s),
                Review::Rejected => report.count("rejected suggestions not exported", 1),
                Review::Accepted => {
                    report.count("accepted suggestions not exported (their spans are)", 1)
                }
            }
        }
        let mut predictions = Vec::new();
        for (source, suggestions) in by_source {
            let mut result = Vec::new();
            let mut scores = Vec::new();
            let mut placed: HashSet<SpanId> = HashSet::new();
            for s in &suggestions {
                let Some((start, end)) =
                    checked_suggestion_offsets(&index, doc, s, Unit::CodePoints, out, report)
                else {
                    continue;
                };
                let region = Placed {
                    id: s.id,
                    start,
                    end,
                    text: &s.text,
                };
                let score = s.score.map(|x| x.0);
                scores.extend(score);
                result.push(region.labels(&s.label, score));
                result.extend(region.attributes(schema, &s.label, &s.attrs, report));
                report.count("suggestions", 1);
                placed.insert(s.id);
            }
            // Links the suggester proposed are predicted relations, when both ends are in
            // this prediction (a prediction's results can only refer to each other).
            for s in suggestions.iter().filter(|s| placed.contains(&s.id)) {
                for link in &s.links {
                    if placed.contains(&link.to) {
                        result.push(json!({"from_id": s.id.0.to_string(), "to_id": link.to.0.to_string(), "type": "relation", "direction": "right", "labels": [link.kind]}));
                    } else {
                        report.count("suggested links not exported", 1);
                    }
                }
            }
            let mut p = Map::new();
            p.insert("model_version".into(), json!(source));
            if !scores.is_empty() {
                p.insert(
                    "score".into(),
                    json!(scores.iter().sum::<f32>() / scores.len() as f32),
                );
            }
            p.insert("result".into(), Value::Array(result));
            predictions.push(Value::Object(p));
        }

        let mut task = Map::new();
        task.insert("id".into(), task_id(&doc.id));
        task.insert("data".into(), json!({"text": &*doc.text}));
        if !doc.meta.is_empty() {
            task.insert("meta".into(), Value::Object(meta_object(doc)));
        }
        task.insert("annotations".into(), annotations);
        task.insert("predictions".into(), Value::Array(predictions));
        push_task(&mut content, &Value::Object(task), &mut first);
        report.count("documents", 1);
        report.count("spans", kept.len());
        report.count("relations", relations);
    }
    report_uncarried(docs, report);
    content.push_str(if first { "]\n" } else { "\n]\n" });
    Output::single(out, content)
}

/// Appends a task to the array being written, exactly as `to_string_pretty` of the whole
/// array would lay it out (two more spaces on each line: JSON strings hold no raw line
/// breaks, so every line break is the layout's).
fn push_task(content: &mut Sink, task: &Value, first: &mut bool) {
    content.push_str(if *first { "\n  " } else { ",\n  " });
    *first = false;
    let text = serde_json::to_string_pretty(task).unwrap_or_default();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            content.push_str("\n  ");
        }
        content.push_str(line);
    }
}

/// A document id as a task id: a number when it is one (Label Studio numbers its tasks).
fn task_id(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(n) if n.to_string() == id => json!(n),
        _ => json!(id),
    }
}

/// A span or suggestion placed in the text, in code points, for writing its results.
struct Placed<'a> {
    id: SpanId,
    start: usize,
    end: usize,
    text: &'a str,
}

impl Placed<'_> {
    fn labels(&self, label: &str, score: Option<f32>) -> Value {
        let mut r = json!({
            "id": self.id.0.to_string(),
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": self.start, "end": self.end, "text": self.text, "labels": [label]},
        });
        if let (Some(score), Some(obj)) = (score, r.as_object_mut()) {
            obj.insert("score".into(), json!(score));
        }
        r
    }

    fn textarea(&self, name: &str, text: &str) -> Value {
        json!({
            "id": self.id.0.to_string(),
            "from_name": name,
            "to_name": "text",
            "type": "textarea",
            "value": {"start": self.start, "end": self.end, "text": [text]},
        })
    }

    /// One per-region result per attribute: `choices` for choice attributes, `textarea`
    /// for free text (and for values the schema does not declare, which are counted).
    fn attributes(
        &self,
        schema: &Schema,
        label: &str,
        attrs: &crate::model::Attrs,
        report: &mut Report,
    ) -> Vec<Value> {
        let mut out = Vec::new();
        for (name, value) in attrs {
            let kind = schema
                .label(label)
                .and_then(|l| l.attribute(name))
                .map(|a| &a.kind);
            // The textarea named `note` is the note: an attribute of that name is written
            // as a choice, whatever its kind, so that the two never mix on import.
            match kind {
                _ if name == NOTE => out.push(self.choice(name, value)),
                Some(AttrKind::Choice(_)) => out.push(self.choice(name, value)),
                Some(AttrKind::Text) => out.push(self.textarea(name, value)),
                None => {
                    report.count("undeclared attributes exported as text", 1);
                    out.push(self.textarea(name, value));
                }
            }
        }
        out
    }

    fn choice(&self, name: &str, value: &str) -> Value {
        json!({
            "id": self.id.0.to_string(),
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"start": self.start, "end": self.end, "text": self.text, "choices": [value]},
        })
    }
}
