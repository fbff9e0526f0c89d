//! brat standoff: `X.txt` (never modified) beside `X.ann`, offsets in code points of the
//! text, and `annotation.conf` for the schema.
//!
//! How brat maps onto Marginalia, and back:
//! - `T` text-bound annotations are spans. Discontinuous ones (`0 5;8 12`) are split into one
//!   span per fragment (reported); relations, attributes and notes go to the first fragment.
//!   On export, a span that crosses a line break is written as fragments split at the breaks.
//!   A `T` line whose text runs over line breaks (the lines after it that do not start with
//!   an id) is read by its offsets.
//! - `E` events: each event is a span over its trigger's text, of a label marked `event` in
//!   the schema; each argument is a relation from it, named by its role (`Theme2` → `Theme`;
//!   roles are numbered again on export). Events that share a trigger get one span each, so
//!   their arguments, attributes and notes stay theirs; on export they share one `T` again.
//!   An argument that is itself an event points at that event's span.
//! - `R` relations are relations; `*` equivalences become relations of a symmetric type,
//!   written back as one `*` line per group of linked spans.
//! - `A`/`M` attributes are attribute values (a binary attribute has the value `true`), on
//!   spans, events and relations.
//! - `#` AnnotatorNotes are notes, on spans, events and relations; Marginalia's free-text
//!   attributes, which brat cannot hold, travel as notes starting with `[name] ` and are read
//!   back as attributes.
//! - `N` normalizations have no place in Marginalia yet: they are reported, not imported.

//!
//! - `conf.rs`: annotation.conf, read and written;
//! - `read.rs`: one .ann file;
//! - `export.rs`: documents as .txt/.ann pairs.

mod conf;
mod export;
mod read;

pub use conf::parse_conf;
pub use export::export;

use crate::formats::{Imported, ImportedDoc};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem};
use read::read_ann;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

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

/// The .ann files, indexed once so that pairing a text with its annotation file costs a
/// lookup, not a comparison with every .ann file (which, with path work per pair, was a fifth
/// of importing a corpus of a thousand articles).
struct AnnIndex<'a> {
    /// By path without extension: `dir/A.ann` under `dir/A`.
    by_base: HashMap<PathBuf, &'a PathBuf>,
    /// By file stem, sorted, for `A_annotator1.ann` in any folder.
    by_stem: Vec<(String, &'a PathBuf)>,
}

impl<'a> AnnIndex<'a> {
    fn new(anns: &'a [PathBuf]) -> Self {
        let by_base = anns.iter().map(|a| (a.with_extension(""), a)).collect();
        let mut by_stem: Vec<(String, &PathBuf)> = anns.iter().map(|a| (stem_of(a), a)).collect();
        by_stem.sort();
        Self { by_base, by_stem }
    }

    /// The .ann file of a text: same path and stem, else a file anywhere whose stem is the
    /// text's, or the text's followed by `_`, `-` or `.` and more (`A.txt` with
    /// `A_annotator1.ann`).
    fn pair(&self, txt: &Path) -> Vec<&'a PathBuf> {
        if let Some(a) = self.by_base.get(&txt.with_extension("")) {
            return vec![*a];
        }
        let stem = stem_of(txt);
        let from = self
            .by_stem
            .partition_point(|(s, _)| s.as_str() < stem.as_str());
        self.by_stem
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|(s, _)| s.starts_with(&stem))
            .filter(|(s, _)| {
                s.len() == stem.len()
                    || matches!(s.as_bytes().get(stem.len()), Some(b'_' | b'-' | b'.'))
            })
            .map(|(_, a)| *a)
            .collect()
    }
}

/// Whether two of the texts share a name and their bytes (copies of one text in annotators'
/// folders; same-named texts that differ, `train/1.txt` and `dev/1.txt`, are not).
fn same_text_twice(txts: &[PathBuf]) -> bool {
    let mut by_stem: HashMap<String, &PathBuf> = HashMap::new();
    txts.iter().any(|t| match by_stem.insert(stem_of(t), t) {
        Some(other) => match (std::fs::read(t), std::fs::read(other)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
        None => false,
    })
}

/// The annotator of `A_ann1.ann` for the text `A`: the suffix (`ann1`); an .ann file named
/// exactly like its text in a folder of its own is that folder's (`anna/A.ann`: `anna`).
fn annotator_of(text_id: &str, ann: &Path) -> String {
    let stem = stem_of(ann);
    let suffix = stem
        .get(text_id.len()..)
        .unwrap_or_default()
        .trim_start_matches(['_', '-', '.']);
    if !suffix.is_empty() {
        return suffix.to_owned();
    }
    ann.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unattributed".to_owned())
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
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
    let index = AnnIndex::new(&anns);
    // Several .ann files for one text (`A_ann1.ann` and `A_ann2.ann`, or `anna/A.ann` and
    // `carl/A.ann`), or one text in several folders each with its .ann (`anna/A.txt`,
    // `carl/A.txt`: one folder per annotator, as bratiaa expects): the corpus holds several
    // annotators' work. Each .ann file is then a document of its own with its annotator
    // (the suffix, or the folder), and the import makes a team project of them.
    let team = same_text_twice(&txts) || txts.iter().any(|t| index.pair(t).len() > 1);
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
        let id = stem_of(txt);
        let mut doc = ImportedDoc {
            id,
            text,
            source: Some(txt.clone()),
            ..Default::default()
        };
        let candidates = index.pair(txt);
        if candidates.is_empty() {
            imported.docs.push(doc);
            continue;
        }
        let last = candidates.len() - 1;
        for (i, ann) in candidates.into_iter().enumerate() {
            used.insert(ann);
            let mut doc = if i == last {
                std::mem::take(&mut doc)
            } else {
                doc.clone()
            };
            if team {
                doc.annotator = Some(annotator_of(&doc.id, ann));
            }
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
            imported.docs.push(doc);
        }
    }
    for a in anns.iter().filter(|a| !used.contains(a)) {
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
