//! Document ids and names shared by every import: ids must be unique in a project, and
//! exports name files and tasks after them.

use crate::formats::Report;
use std::collections::HashSet;
use std::path::Path;

/// The file name without its extension, for ids like `<stem>-<line>`.
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `id`, or when an earlier document of this import already has it, `<stem>/<id>` (with
/// `-2`, `-3`... if need be): two files of one data set often both number from 1. The
/// report says what was renamed and where.
pub(crate) fn unique_id(
    used: &mut HashSet<String>,
    id: String,
    path: &Path,
    line: Option<usize>,
    report: &mut Report,
) -> String {
    if used.insert(id.clone()) {
        return id;
    }
    let stem = file_stem(path);
    let mut fresh = format!("{stem}/{id}");
    let mut n = 1;
    while !used.insert(fresh.clone()) {
        n += 1;
        fresh = format!("{stem}/{id}-{n}");
    }
    report.note(
        path,
        line,
        format!("document id `{id}` is already used; this one is `{fresh}`"),
    );
    report.count("repeated document ids renamed", 1);
    fresh
}
