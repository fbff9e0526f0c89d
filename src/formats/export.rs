//! What an export writes: documents chosen by status, spans and relations chosen by label, a
//! deterministic split by document, and the checks every export runs (each span's text
//! after offset conversion, and whether its ends fall on token boundaries).

use crate::formats::Report;
use crate::model::text::{OffsetIndex, Unit};
use crate::model::{Document, Project, Relation, Span, Status, Suggestion};
use crate::persist::{Problem, ProblemKind};
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

/// A document as exported: the spans and relations that pass the filters.
pub struct ExportDoc<'a> {
    pub doc: &'a Document,
    pub spans: Vec<&'a Span>,
    pub relations: Vec<&'a Relation>,
    pub suggestions: Vec<&'a Suggestion>,
}

/// Which documents and labels to export.
#[derive(Clone, Debug, Default)]
pub struct ExportFilter {
    pub status: Option<Status>,
    pub labels: Option<Vec<String>>,
}

/// The documents and annotations `selection` keeps, in project order.
pub fn select<'a>(project: &'a Project, selection: &ExportFilter) -> Vec<ExportDoc<'a>> {
    let keep_label = |l: &str| {
        selection
            .labels
            .as_ref()
            .is_none_or(|ls| ls.iter().any(|x| x == l))
    };
    project
        .documents
        .iter()
        .filter(|d| selection.status.is_none_or(|s| d.status == s))
        .map(|doc| {
            let spans: Vec<&Span> = doc
                .spans()
                .iter()
                .filter(|s| keep_label(&s.label))
                .collect();
            let ids: HashSet<_> = spans.iter().map(|s| s.id).collect();
            let relations = doc
                .relations()
                .iter()
                .filter(|r| ids.contains(&r.from) && ids.contains(&r.to))
                .collect();
            let suggestions = doc
                .suggestions()
                .iter()
                .filter(|s| keep_label(&s.label))
                .collect();
            ExportDoc {
                doc,
                spans,
                relations,
                suggestions,
            }
        })
        .collect()
}

/// A deterministic pseudo-random generator (SplitMix64): the same seed gives the same split
/// on every machine and every version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Parses `train=0.8,dev=0.1,test=0.1`.
pub fn parse_split(spec: &str) -> Result<Vec<(String, f64)>, String> {
    let mut parts = Vec::new();
    for part in spec.split(',') {
        let (name, share) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not name=share"))?;
        let share: f64 = share
            .trim()
            .parse()
            .map_err(|_| format!("`{share}` is not a number"))?;
        if !(0.0..=1.0).contains(&share) || name.trim().is_empty() {
            return Err(format!("`{part}`: the share must be between 0 and 1"));
        }
        parts.push((name.trim().to_owned(), share));
    }
    let total: f64 = parts.iter().map(|(_, s)| s).sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(format!("the shares add up to {total}, not 1"));
    }
    Ok(parts)
}

/// Splits documents by `parts` (shares adding up to 1), shuffled with `seed`: the same
/// project, split and seed always give the same sets.
pub fn split<'a>(
    docs: Vec<ExportDoc<'a>>,
    parts: &[(String, f64)],
    seed: u64,
) -> Vec<(String, Vec<ExportDoc<'a>>)> {
    let mut keyed: Vec<(u64, ExportDoc<'a>)> = {
        let mut rng = SplitMix(seed);
        docs.into_iter().map(|d| (rng.next(), d)).collect()
    };
    keyed.sort_by_key(|(k, _)| *k);
    let n = keyed.len();
    let mut out = Vec::new();
    let mut taken = 0;
    let mut cumulative = 0.0;
    let mut rest = keyed.into_iter();
    for (i, (name, share)) in parts.iter().enumerate() {
        cumulative += share;
        let upto = if i + 1 == parts.len() {
            n
        } else {
            (cumulative * n as f64).round() as usize
        };
        let count = upto.saturating_sub(taken);
        taken += count;
        out.push((
            name.clone(),
            rest.by_ref().take(count).map(|(_, d)| d).collect(),
        ));
    }
    out
}

/// Offsets of a span in `unit`, after checking that converting back gives the same text.
/// A span that does not survive the round trip is reported and `None` is returned.
pub fn checked_offsets(
    index: &OffsetIndex<'_>,
    doc: &Document,
    span: &Span,
    unit: Unit,
    file: &Path,
    report: &mut Report,
) -> Option<(usize, usize)> {
    let start = index.from_byte(span.start, unit);
    let end = index.from_byte(span.end, unit);
    let back = index.to_byte(start, unit).zip(index.to_byte(end, unit));
    let text = back.and_then(|(s, e)| doc.text.get(s..e));
    if text != Some(span.text.as_str()) {
        let msg = format!(
            "{}: span {} “{}” does not survive the offset conversion; skipped",
            doc.id, span.id.0, span.text
        );
        span_note(report, file, doc, span, span.start..span.end, msg);
        report.count("spans skipped", 1);
        return None;
    }
    Some((start, end))
}

/// Counts the relations whose attributes or note the format has no place for (brat keeps
/// them; the others write a relation as its type and ends only), so none goes unsaid.
pub fn report_relation_extras(docs: &[ExportDoc<'_>], report: &mut Report) {
    let n = docs
        .iter()
        .flat_map(|d| &d.relations)
        .filter(|r| !r.attrs.is_empty() || r.note.is_some())
        .count();
    if n > 0 {
        report.count("relation attributes and notes not exported", n);
    }
}

/// Each discontinuous span as one contiguous span per fragment (same id, label, attributes
/// and note), for the formats that have no discontinuous spans: token tags (CoNLL, Hugging
/// Face) and Prodigy. Counted in the report, so the rule is never applied silently.
pub fn one_per_fragment<'a>(spans: &[&'a Span], report: &mut Report) -> Vec<Cow<'a, Span>> {
    let mut out = Vec::with_capacity(spans.len());
    for &s in spans {
        if !s.is_discontinuous() {
            out.push(Cow::Borrowed(s));
            continue;
        }
        report.count("discontinuous spans written as one span per fragment", 1);
        for f in &s.fragments {
            let mut piece = s.clone();
            piece.fragments.clear();
            piece.start = f.start;
            piece.end = f.end;
            piece.text = f.text.clone();
            out.push(Cow::Owned(piece));
        }
    }
    out
}

/// Notes spans whose ends (each fragment's, for a discontinuous span) do not fall on token
/// boundaries: formats built on tokens will stretch them to whole tokens. Every one is
/// noted (the printed summary shows the first few, `--report` all). `covered` answers as
/// [`crate::formats::tokens::covered`] does for the format's tokens. Returns how many.
pub fn report_misaligned(
    doc: &Document,
    spans: &[&Span],
    covered: impl Fn(&Range<usize>) -> (Range<usize>, bool),
    file: &Path,
    report: &mut Report,
) -> usize {
    let mut n = 0;
    for s in spans {
        let off: Vec<_> = s.pieces().filter(|p| !covered(p).1).collect();
        if off.is_empty() {
            continue;
        }
        n += 1;
        // One note per piece that is off, so that a report names exactly what moves.
        for piece in off {
            let msg = format!(
                "{}: span {} “{}” does not start and end on token boundaries",
                doc.id,
                s.id.0,
                crate::model::text::excerpt(doc.text.get(piece.clone()).unwrap_or_default(), 40)
            );
            span_note(report, file, doc, s, piece, msg);
        }
    }
    report.count("spans off token boundaries", n);
    n
}

/// A note about span `s` (at `piece`, bytes) of `doc`, with both named for `--report`.
pub fn span_note(
    report: &mut Report,
    file: &Path,
    doc: &Document,
    s: &Span,
    piece: std::ops::Range<usize>,
    message: String,
) {
    report.push(
        Problem::new(ProblemKind::Warning, file, message)
            .in_doc(&doc.id)
            .on_span(Some(s.id.0), piece.start, piece.end),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_specs_are_checked() {
        assert_eq!(parse_split("train=0.8,dev=0.1,test=0.1").unwrap().len(), 3);
        assert!(parse_split("train=0.8,dev=0.1").is_err());
        assert!(parse_split("train=1.5").is_err());
        assert!(parse_split("train").is_err());
    }

    #[test]
    fn splitmix_is_stable() {
        let mut r = SplitMix(42);
        // Pinned: changing the generator would silently change every user's splits.
        assert_eq!(r.next(), 13679457532755275413);
    }
}
