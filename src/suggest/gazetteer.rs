//! Gazetteer: a user's list of names, one per line (`name`, or `name<TAB>label`), proposed
//! wherever they occur as whole words. Lines starting with `#` are comments.

use crate::formats::Report;
use crate::model::text::is_word_boundary;
use crate::model::{DocId, Project};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem, ProblemKind};
use crate::suggest::{Control, Proposal};
use aho_corasick::{AhoCorasick, MatchKind};
use std::path::Path;

/// A list entry is certain about the text, less about the label in context.
const SCORE: f32 = 0.9;

/// Reads the list: (name, label) pairs; a line without a label gets `speaker` (or the first
/// label of the schema when there is no speaker).
pub fn read_list(
    project: &Project,
    path: &Path,
    report: &mut Report,
) -> Result<Vec<(String, String)>, LoadError> {
    let text = read_text_file(path)?;
    let default = if project.schema.label("speaker").is_some() {
        Some("speaker".to_owned())
    } else {
        project.schema.labels.first().map(|l| l.name.clone())
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, label) = match line.split_once('\t') {
            Some((n, l)) => (n.trim().to_owned(), Some(l.trim().to_owned())),
            None => (line.trim().to_owned(), default.clone()),
        };
        match label {
            Some(l) if project.schema.label(&l).is_some() => out.push((name, l)),
            Some(l) => report.note(
                path,
                Some(i + 1),
                format!("label `{l}` is not in the schema; line skipped"),
            ),
            None => {
                return Err(
                    Problem::new(ProblemKind::Invalid, path, "the project has no labels").into(),
                );
            }
        }
    }
    Ok(out)
}

pub fn suggest(
    project: &Project,
    path: &Path,
    control: &Control<'_>,
    report: &mut Report,
) -> Result<Vec<Proposal>, LoadError> {
    let list = read_list(project, path, report)?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&names)
        .map_err(|e| {
            Problem::new(
                ProblemKind::Invalid,
                path,
                format!("cannot use this list: {e}"),
            )
        })?;
    let source = format!(
        "gazetteer:{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let mut out = Vec::new();
    let total = project.documents.len().max(1) as f32;
    for (i, d) in project.documents.iter().enumerate() {
        if control.cancelled() {
            break;
        }
        for m in ac.find_iter(d.text.as_ref()) {
            if !is_word_boundary(&d.text, m.start()) || !is_word_boundary(&d.text, m.end()) {
                continue;
            }
            let Some((_, label)) = list.get(m.pattern().as_usize()) else {
                continue;
            };
            out.push(Proposal {
                doc: DocId(i),
                start: m.start(),
                end: m.end(),
                label: label.clone(),
                attrs: crate::model::Attrs::new(),
                score: SCORE,
                source: source.clone(),
                links: Vec::new(),
            });
        }
        (control.progress)((i + 1) as f32 / total);
    }
    Ok(out)
}
