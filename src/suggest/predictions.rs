//! Suggestions from any model: JSONL lines `{"id" or "text", "spans": [{"start", "end",
//! "label", "score"?, "text"?}], "relations"?: [{"from", "to", "type"}], "source"?}` with
//! code point offsets (what a spaCy or LLM script writes; relations name spans by their
//! index in `spans`), or the predictions of a Label Studio export. Documents are matched by id,
//! else by exact text; every offset is checked against the text, and every mismatch reported.

use crate::formats::{self, Format, Report};
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{DocId, Project};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem};
use crate::suggest::Proposal;
use std::collections::HashMap;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    source: Option<String>,
    spans: Vec<PredictedSpan>,
    /// Proposed relations between this line's spans, by index in `spans`.
    #[serde(default)]
    relations: Vec<PredictedRelation>,
}

#[derive(serde::Deserialize)]
struct PredictedRelation {
    from: usize,
    to: usize,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(serde::Deserialize)]
struct PredictedSpan {
    start: usize,
    end: usize,
    label: String,
    #[serde(default)]
    score: Option<f32>,
    #[serde(default)]
    text: Option<String>,
}

/// Finds a project document by id, else by exact text.
fn lookup(
    project: &Project,
    by_id: &HashMap<&str, usize>,
    by_text: &HashMap<&str, usize>,
    id: Option<&str>,
    text: Option<&str>,
) -> Option<DocId> {
    id.and_then(|i| by_id.get(i))
        .or_else(|| text.and_then(|t| by_text.get(t)))
        .copied()
        .map(DocId)
        .filter(|d| project.doc(*d).is_some())
}

/// Predictions from a JSONL file (one line per document, see the module doc).
pub fn from_jsonl(
    project: &Project,
    path: &Path,
    report: &mut Report,
) -> Result<Vec<Proposal>, LoadError> {
    let content = read_text_file(path)?;
    let default_source = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "predictions".to_owned());
    parse_lines(project, &content, path, &default_source, report)
}

/// Predictions from JSONL text: `path` names where it came from in messages (a file, or a
/// command's output), `default_source` is the source of lines that name none.
pub fn parse_lines(
    project: &Project,
    content: &str,
    path: &Path,
    default_source: &str,
    report: &mut Report,
) -> Result<Vec<Proposal>, LoadError> {
    let by_id: HashMap<&str, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let by_text: HashMap<&str, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.text.as_ref(), i))
        .collect();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in content.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let line: Line = match serde_json::from_str(raw) {
            Ok(l) => l,
            Err(e) => {
                let expected = r#"{"id" or "text", "spans": [...]}"#;
                problems.push(Problem::json(path, n, &e, expected));
                continue;
            }
        };
        let id = line.id.as_ref().map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let doc_id = lookup(
            project,
            &by_id,
            &by_text,
            id.as_deref(),
            line.text.as_deref(),
        );
        let Some(doc_id) = doc_id else {
            let msg = format!(
                "no document with id {} or this exact text; line skipped",
                id.as_deref().unwrap_or("(none)")
            );
            report.note(path, Some(n), msg);
            continue;
        };
        let place = LinePlace {
            project,
            path,
            n,
            doc: doc_id,
        };
        let source = line.source.as_deref().unwrap_or(default_source);
        let at = place.spans(&line.spans, source, &mut out, report);
        place.relations(&line.relations, &at, &mut out, report);
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok(out)
}

/// One line of predictions and the document it is about.
struct LinePlace<'a> {
    project: &'a Project,
    path: &'a Path,
    /// The line number.
    n: usize,
    doc: DocId,
}

impl LinePlace<'_> {
    /// The line's spans that fit the document and the schema, as proposals; returns where
    /// each span went in `out` (`None`: skipped), for the relations.
    fn spans(
        &self,
        spans: &[PredictedSpan],
        source: &str,
        out: &mut Vec<Proposal>,
        report: &mut Report,
    ) -> Vec<Option<usize>> {
        let (path, n) = (self.path, Some(self.n));
        let mut at: Vec<Option<usize>> = vec![None; spans.len()];
        let Some(doc) = self.project.doc(self.doc) else {
            return at;
        };
        let index = OffsetIndex::new(&doc.text);
        for (k, s) in spans.iter().enumerate() {
            let range = index
                .to_byte(s.start, Unit::CodePoints)
                .zip(index.to_byte(s.end, Unit::CodePoints))
                .filter(|(a, b)| a < b);
            let Some((start, end)) = range else {
                let msg = format!(
                    "span {} ({}..{} {}) is outside the text of `{}` or empty; skipped",
                    k + 1,
                    s.start,
                    s.end,
                    s.label,
                    doc.id
                );
                report.note(path, n, msg);
                report.count("predictions with bad offsets", 1);
                continue;
            };
            let covered = doc.text.get(start..end).unwrap_or("");
            if let Some(expected) = &s.text
                && expected != covered
            {
                report.note(path, n, format!("span {} ({}..{}) should cover “{expected}” but `{}` has “{covered}” there; skipped", k + 1, s.start, s.end, doc.id));
                report.count("predictions with bad offsets", 1);
                continue;
            }
            if self.project.schema.label(&s.label).is_none() {
                let msg = format!(
                    "label `{}` is not in the schema; span {} skipped",
                    s.label,
                    k + 1
                );
                report.note(path, n, msg);
                continue;
            }
            if let Some(slot) = at.get_mut(k) {
                *slot = Some(out.len());
            }
            out.push(Proposal {
                doc: self.doc,
                start,
                end,
                label: s.label.clone(),
                attrs: crate::model::Attrs::new(),
                score: s.score.unwrap_or(1.0).clamp(0.0, 1.0),
                source: source.to_owned(),
                links: Vec::new(),
            });
        }
        at
    }

    /// The line's relations between spans that were kept, as links of their proposals.
    fn relations(
        &self,
        relations: &[PredictedRelation],
        at: &[Option<usize>],
        out: &mut [Proposal],
        report: &mut Report,
    ) {
        for r in relations {
            let ends = at
                .get(r.from)
                .copied()
                .flatten()
                .zip(at.get(r.to).copied().flatten());
            let known = self.project.schema.relation(&r.kind).is_some();
            match ends {
                Some((from, to)) if known => {
                    if let Some(p) = out.get_mut(from) {
                        p.links.push((r.kind.clone(), to));
                    }
                }
                _ => {
                    let why = if known {
                        "one of its spans was skipped or does not exist"
                    } else {
                        "this relation type is not in the schema"
                    };
                    let msg = format!(
                        "`{}` relation {} -> {} skipped: {why}",
                        r.kind, r.from, r.to
                    );
                    report.note(self.path, Some(self.n), msg);
                }
            }
        }
    }
}

/// The predictions of a Label Studio export, matched to project documents by text.
pub fn from_label_studio(
    project: &Project,
    path: &Path,
    report: &mut Report,
) -> Result<Vec<Proposal>, LoadError> {
    let mut imported = formats::import(Format::LabelStudio, &[path.to_owned()])?;
    report.absorb(std::mem::take(&mut imported.report));
    let by_id: HashMap<&str, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let by_text: HashMap<&str, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.text.as_ref(), i))
        .collect();
    let mut out = Vec::new();
    for d in &imported.docs {
        let Some(doc_id) = lookup(project, &by_id, &by_text, None, Some(&d.text)) else {
            if !d.suggestions.is_empty() {
                report.note(
                    path,
                    None,
                    format!(
                        "task `{}`: no project document has this text; its predictions are skipped",
                        d.id
                    ),
                );
            }
            continue;
        };
        // Links are indices into `d.suggestions`; proposals are indices into `out`.
        let mut at: Vec<Option<usize>> = Vec::with_capacity(d.suggestions.len());
        for s in &d.suggestions {
            if project.schema.label(&s.label).is_none() {
                report.note(
                    path,
                    None,
                    format!(
                        "label `{}` is not in the schema; prediction skipped",
                        s.label
                    ),
                );
                at.push(None);
                continue;
            }
            at.push(Some(out.len()));
            out.push(Proposal {
                doc: doc_id,
                start: s.start,
                end: s.end,
                label: s.label.clone(),
                attrs: s.attrs.clone(),
                score: s.score.unwrap_or(1.0),
                source: s.source.clone(),
                links: Vec::new(),
            });
        }
        for (s, from) in d.suggestions.iter().zip(&at) {
            let Some(proposal) = from.and_then(|i| out.get_mut(i)) else {
                continue;
            };
            proposal.links = s
                .links
                .iter()
                .filter_map(|(kind, to)| Some((kind.clone(), at.get(*to).copied().flatten()?)))
                .collect();
        }
    }
    Ok(out)
}
