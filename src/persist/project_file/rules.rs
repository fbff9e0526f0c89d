//! The rules of [`crate::model::check`], located in the project file: which line, and for a
//! span whose text no longer matches, where in the corpus file.

use super::find_line;
use crate::model::check::{self, SchemaProblem};
use crate::model::text::line_col;
use crate::model::{Schema, Span};
use crate::persist::problem::{Problem, ProblemKind};
use std::path::Path;

/// The schema's errors, which make annotations ambiguous (a file with one does not load),
/// each at the line of the name it is about.
pub(super) fn check_schema(path: &Path, src: &str, schema: &Schema, problems: &mut Vec<Problem>) {
    for p in check::schema(schema)
        .into_iter()
        .filter(SchemaProblem::is_error)
    {
        let line = find_line(src, &format!("name: {:?}", p.subject()));
        problems.push(Problem::new(ProblemKind::Invalid, path, p.to_string()).at_line(line));
    }
}

/// The schema's softer problems (keys that clash and the like), as warnings: the project
/// loads, and the schema editor shows them too.
pub(super) fn schema_warnings(path: &Path, schema: &Schema) -> Vec<Problem> {
    check::schema(schema)
        .into_iter()
        .filter(|p| !p.is_error())
        .map(|p| Problem::new(ProblemKind::Warning, path, p.to_string()))
        .collect()
}

/// Line of a span in the project file, for error messages.
pub(super) fn span_line(src: &str, span: &Span) -> Option<usize> {
    find_line(
        src,
        &format!(
            "(id: {}, start: {}, end: {},",
            span.id.0, span.start, span.end
        ),
    )
}

/// A problem when the span does not cover its stored text in `text`. The text found there
/// is quoted only when `show` allows: never for a file outside the project's folder, whose
/// content is nobody's business but its owner's (`/proc/self/environ`...).
pub(super) fn check_span_text(
    path: &Path,
    src: &str,
    (corpus, show): (&Path, bool),
    text: &str,
    span: &Span,
) -> Option<Problem> {
    let at_corpus = || {
        let (l, c) = line_col(text, span.start);
        format!("{}:{l}:{c}", corpus.display())
    };
    let message = if span.start >= span.end {
        format!(
            "span {} is empty or reversed ({}..{})",
            span.id.0, span.start, span.end
        )
    } else if span.end > text.len() {
        format!(
            "span {} ends at byte {}, past the end of the text ({} bytes) of {}",
            span.id.0,
            span.end,
            text.len(),
            corpus.display()
        )
    } else {
        match text.get(span.start..span.end) {
            None => format!(
                "span {} ({}..{}) does not fall on character boundaries at {}",
                span.id.0,
                span.start,
                span.end,
                at_corpus()
            ),
            Some(found) if found != span.text && !show => format!(
                "span {} ({} {}..{}) no longer matches the text at {} (a file outside the \
                 project's folder: its content is not shown)",
                span.id.0,
                span.label,
                span.start,
                span.end,
                at_corpus(),
            ),
            Some(found) if found != span.text => {
                let (want, got) = differing_excerpts(&span.text, found);
                format!(
                    "span {} ({} {}..{}) should cover “{want}” but the text at {} is now “{got}”",
                    span.id.0,
                    span.label,
                    span.start,
                    span.end,
                    at_corpus(),
                )
            }
            Some(_) => match check::span_text(text, span) {
                Ok(()) => return None,
                Err(e) => {
                    let msg = format!("span {}: {e}", span.id.0);
                    return Some(
                        Problem::new(ProblemKind::Invalid, path, msg).at_line(span_line(src, span)),
                    );
                }
            },
        }
    };
    Some(Problem::new(ProblemKind::SpanMismatch, path, message).at_line(span_line(src, span)))
}

/// Short excerpts of two texts that show where they differ (long spans differ near the end
/// as often as near the start).
fn differing_excerpts(want: &str, got: &str) -> (String, String) {
    const CONTEXT: usize = 24;
    let first_diff = want
        .chars()
        .zip(got.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let cut = |s: &str| {
        let skip = first_diff.saturating_sub(CONTEXT / 2);
        let body: String = s.chars().skip(skip).take(CONTEXT * 2).collect();
        let more = s.chars().count() > skip + CONTEXT * 2;
        format!(
            "{}{}{}",
            if skip > 0 { "…" } else { "" },
            body.replace(['\n', '\r'], " "),
            if more { "…" } else { "" }
        )
    };
    (cut(want), cut(got))
}
