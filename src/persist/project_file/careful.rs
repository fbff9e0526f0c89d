//! The careful load: one document after the other, every problem found and located in the
//! file. Used when the fast load finds anything wrong or worth a warning.

use super::reanchor::reanchor_record;
use super::rules::{check_schema, check_span_text, schema_warnings, span_line};
use super::{
    CorpusCache, DocumentRecord, Inside, LoadOptions, Loaded, ProjectFile, find_line,
    into_document, project_dir,
};
use crate::model::check::{self, LabelsById};
use crate::model::{Project, Schema, SpanId, TextHash};
use crate::persist::corpus::hash_text;
use crate::persist::paths::resolve;
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Loads `file` (parsed from `src`, at `path`): reads each document's text, re-anchors or
/// refuses changed ones as `options` say, and checks every record against the rules.
pub(super) fn build(
    path: &Path,
    src: &str,
    file: ProjectFile,
    options: LoadOptions,
) -> Result<Loaded, LoadError> {
    let base = project_dir(path);
    let outside = outside_paths(path, src, &file.documents);
    if !outside.is_empty() && !options.allow_outside {
        // Asked about before any of them is read.
        return Err(LoadError { problems: outside });
    }
    let mut checking = Checking {
        path,
        src,
        schema: &file.schema,
        seen_ids: HashSet::new(),
        seen_docs: HashSet::new(),
        problems: Vec::new(),
        // Allowed: said, and kept of their kind so the window (which asked) can leave them out.
        warnings: outside,
    };
    check_schema(path, src, &file.schema, &mut checking.problems);
    checking
        .warnings
        .extend(schema_warnings(path, &file.schema));
    let mut cache = CorpusCache::default();
    let inside = Inside::for_project(path);
    let mut reanchored = Vec::new();
    let mut documents = Vec::with_capacity(file.documents.len());
    // How many documents ask for each line of a JSONL corpus: the last one takes the text
    // out of the cache instead of copying it (one copy of a 1 GB line less at the peak).
    // (Paths by number: a JSONL corpus is one path for all its documents.)
    let mut paths: HashMap<String, usize> = HashMap::new();
    let mut askers: HashMap<(usize, usize), usize> = HashMap::new();
    for rec in &file.documents {
        if let Some(line) = rec.line {
            let n = paths.len();
            let p = *paths.entry(rec.path.clone()).or_insert(n);
            *askers.entry((p, line)).or_default() += 1;
        }
    }
    for mut rec in file.documents {
        checking.unique_document(&rec.id);
        let abs = resolve(&base, &rec.path);
        let last = rec.line.is_some_and(|line| {
            paths
                .get(&rec.path)
                .and_then(|p| askers.get_mut(&(*p, line)))
                .is_some_and(|n| {
                    *n -= 1;
                    *n == 0
                })
        });
        let text = match cache.text(&abs, rec.line, last) {
            Ok(t) => t,
            Err(found) => {
                checking.missing_corpus(&rec, &abs, found);
                continue;
            }
        };
        let hash = hash_text(&text);
        let changed = TextHash::parse(&rec.hash) != Some(hash) || text.len() != rec.len;
        let mut moved_here = false;
        if changed && options.reanchor {
            let mut done = reanchor_record(&text, &mut rec);
            moved_here = done.moved + done.review + done.dropped_suggestions > 0;
            if moved_here {
                done.file.clone_from(&abs);
                checking.warn(&abs, done.message());
                reanchored.push(done);
            }
        }
        checking.unanchored(&rec);
        let shown = inside.check(&abs);
        checking.spans(&rec, (&abs, shown), &text, changed && !moved_here);
        checking.relations(&rec);
        checking.suggestions(&rec, &text);
        let source = cache.source(abs, rec.line);
        documents.push(into_document(rec, source, hash, text));
    }
    let (problems, warnings) = (checking.problems, checking.warnings);
    if !problems.is_empty() {
        // What the project reads outside its folder is said first, whatever else is wrong.
        let outside = warnings
            .into_iter()
            .filter(|w| w.kind == ProblemKind::OutsideFolder);
        return Err(LoadError {
            problems: outside.chain(problems).collect(),
        });
    }
    let mut project = Project::new(file.name, file.schema, documents);
    project.suggest_command = file.suggest_command.filter(|c| !c.trim().is_empty());
    Ok(Loaded {
        project,
        warnings,
        reanchored,
        team: None,
    })
}

/// The careful load's findings so far, and what it needs to locate them.
struct Checking<'a> {
    path: &'a Path,
    src: &'a str,
    schema: &'a Schema,
    /// Ids are unique across the project.
    seen_ids: HashSet<SpanId>,
    seen_docs: HashSet<String>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Checking<'_> {
    fn invalid(&mut self, message: String, line: Option<usize>) {
        self.problems
            .push(Problem::new(ProblemKind::Invalid, self.path, message).at_line(line));
    }

    fn warn(&mut self, file: &Path, message: String) {
        self.warnings
            .push(Problem::new(ProblemKind::Warning, file, message));
    }

    /// Says when `id` was seen before, or is too large; `line` is found only then
    /// (searching the file for every record would be quadratic).
    fn unique(&mut self, id: SpanId, line: impl Fn() -> Option<usize>) {
        if !self.seen_ids.insert(id) {
            self.invalid(format!("id {} is used twice", id.0), line());
        }
        if let Err(e) = check::id(id) {
            self.invalid(e.to_string(), line());
        }
    }

    /// Says when a document id was seen before: exports name files and records by it, so
    /// two documents with one id would overwrite each other.
    fn unique_document(&mut self, id: &str) {
        if !self.seen_docs.insert(id.to_owned()) {
            let line = find_line(self.src, &format!("id: {id:?}"));
            self.invalid(format!("document id `{id}` is used twice"), line);
        }
    }

    fn missing_corpus(&mut self, rec: &DocumentRecord<'_>, abs: &Path, found: Vec<Problem>) {
        let path_line = find_line(self.src, &format!("path: {:?}", rec.path));
        self.problems.extend(found.into_iter().map(|p| {
            if p.kind == ProblemKind::Io && !abs.exists() {
                let msg = format!(
                    "corpus file `{}` (resolved to {}) is missing",
                    rec.path,
                    abs.display()
                );
                Problem::new(ProblemKind::MissingCorpus, self.path, msg).at_line(path_line)
            } else {
                p
            }
        }));
    }

    /// Spans set aside for review, and their relations.
    fn unanchored(&mut self, rec: &DocumentRecord<'_>) {
        let src = self.src;
        for span in rec.unanchored.iter() {
            let line = || span_line(src, span);
            self.unique(span.id, line);
            if let Err(e) = check::attrs(self.schema, &span.label, &span.attrs) {
                self.invalid(
                    format!("span {} (set aside for review): {e}", span.id.0),
                    line(),
                );
            }
        }
        for r in rec.unanchored_relations.iter() {
            self.unique(r.id, || None);
            if self.schema.relation(&r.kind).is_none() {
                let e = check::EditError::UnknownRelationType(r.kind.clone());
                self.invalid(format!("relation {}: {e}", r.id.0), None);
            }
        }
    }

    /// The spans of a document: ids, attributes, and their text in `text` (the document's
    /// text, read from `abs`). `changed_in_place`: the file changed and nothing was moved.
    fn spans(
        &mut self,
        rec: &DocumentRecord<'_>,
        (abs, shown): (&Path, bool),
        text: &str,
        changed_in_place: bool,
    ) {
        let src = self.src;
        let mut mismatches = Vec::new();
        for span in rec.spans.iter() {
            let line = || span_line(src, span);
            self.unique(span.id, line);
            if let Err(e) = check::attrs(self.schema, &span.label, &span.attrs) {
                self.invalid(format!("span {}: {e}", span.id.0), line());
            }
            mismatches.extend(check_span_text(self.path, src, (abs, shown), text, span));
        }
        if changed_in_place && !mismatches.is_empty() {
            let msg = format!(
                "changed since the project was saved; {} of its {} spans no longer match their \
                 text. Open the project in the window or run `marginalia resave` to move each \
                 span to where its text is now (spans whose text is gone are kept for review)",
                mismatches.len(),
                rec.spans.len()
            );
            self.problems
                .push(Problem::new(ProblemKind::SpanMismatch, abs, msg));
        }
        if changed_in_place && mismatches.is_empty() {
            let msg = format!(
                "changed since the project was saved, but all {} spans still match their text",
                rec.spans.len()
            );
            self.warn(abs, msg);
        }
        self.problems.extend(mismatches);
    }

    fn relations(&mut self, rec: &DocumentRecord<'_>) {
        let src = self.src;
        let labels = LabelsById::new(rec.spans.iter().map(|s| (s.id, s.label.as_str())));
        for r in rec.relations.iter() {
            let line = || find_line(src, &format!("Relation(id: {}, ", r.id.0));
            self.unique(r.id, line);
            if let Err(e) = check::relation(self.schema, r, |id| labels.get(id)) {
                self.invalid(format!("relation {}: {e}", r.id.0), line());
            }
        }
    }

    fn suggestions(&mut self, rec: &DocumentRecord<'_>, text: &str) {
        let src = self.src;
        for sg in rec.suggestions.iter() {
            let line = || find_line(src, &format!("Suggestion(id: {}, ", sg.id.0));
            self.unique(sg.id, line);
            if self.schema.label(&sg.label).is_none() {
                let msg = format!(
                    "suggestion {} has label `{}`, which is not in the schema",
                    sg.id.0, sg.label
                );
                self.invalid(msg, line());
            }
            if check::stored_text(text, sg.start, sg.end, &sg.text).is_err() {
                let msg = format!(
                    "suggestion {} ({}..{}) should cover “{}”, which is not what the text has there",
                    sg.id.0,
                    sg.start,
                    sg.end,
                    crate::model::text::excerpt(&sg.text, 60)
                );
                self.problems
                    .push(Problem::new(ProblemKind::SpanMismatch, self.path, msg).at_line(line()));
            }
        }
    }
}

/// The folders outside the project's folder tree (its team's, for an annotator's file) that
/// corpus paths resolve into, each with a stored path in it and the files in it.
pub(super) fn outside_folder_map<'a>(
    path: &Path,
    docs: &'a [DocumentRecord<'_>],
) -> BTreeMap<PathBuf, (&'a str, HashSet<&'a str>)> {
    let mut folders: BTreeMap<PathBuf, (&str, HashSet<&str>)> = BTreeMap::new();
    let base = project_dir(path);
    let inside = Inside::for_project(path);
    for rec in docs {
        let abs = resolve(&base, &rec.path);
        if inside.check(&abs) {
            continue;
        }
        // Where the file really is: a link's target, not the folder the link sits in.
        let real = std::fs::canonicalize(&abs).unwrap_or(abs);
        let folder = real.parent().map(Path::to_owned).unwrap_or_default();
        let entry = folders.entry(folder).or_insert((&rec.path, HashSet::new()));
        entry.1.insert(&rec.path);
    }
    folders
}

/// One problem per folder outside the project's folder tree that corpus paths resolve into
/// (with how many files, located at the first one's line in the project file): what the
/// user is asked to allow is which folders the project reads.
fn outside_paths(path: &Path, src: &str, docs: &[DocumentRecord<'_>]) -> Vec<Problem> {
    outside_folder_map(path, docs)
        .into_iter()
        .map(|(folder, (first, files))| {
            let msg = format!(
                "reads {} outside the project's folder: {}",
                match files.len() {
                    1 => format!("corpus file `{first}`"),
                    n => format!("{n} corpus files like `{first}`"),
                },
                folder.display()
            );
            let line = find_line(src, &format!("path: {first:?}"));
            Problem::new(ProblemKind::OutsideFolder, path, msg).at_line(line)
        })
        .collect()
}
