//! An import or an export from start to finish, shared by `marginalia import|export` and the
//! window's File menu, so both do exactly the same thing and report the same way.

use crate::formats::build::{Builder, CorpusFile, build_project};
use crate::formats::export::{ExportDoc, ExportFilter, parse_split, select, split};
use crate::formats::{Format, Report, export, import};
use crate::model::Project;
use crate::persist::{self, LoadError, Problem, ProblemKind};
use std::path::{Path, PathBuf};

/// What an export produced.
pub struct ExportRun {
    /// Files to write, with their contents.
    pub files: Vec<(PathBuf, String)>,
    /// Big files, already written beside their targets (see `formats::sink`).
    pub spooled: Vec<(PathBuf, tempfile::NamedTempFile)>,
    /// Why a file could not be made: nothing may be written.
    pub failed: Option<Problem>,
    pub report: Report,
    /// For a split: each part's name, number of documents and where it goes.
    pub parts: Vec<(String, usize, PathBuf)>,
}

/// `OUT` with `.NAME` before its extension (`out.jsonl` → `out.train.jsonl`); a folder gets a
/// subfolder.
pub fn split_path(out: &Path, name: &str, folder: bool) -> PathBuf {
    if folder {
        return out.join(name);
    }
    match (out.file_stem(), out.extension()) {
        (Some(stem), Some(ext)) => out.with_file_name(format!(
            "{}.{name}.{}",
            stem.to_string_lossy(),
            ext.to_string_lossy()
        )),
        _ => out.with_file_name(format!(
            "{}.{name}",
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )),
    }
}

/// Exports `project`: selection, optional split by document (`train=0.8,...` with a seed),
/// and the files of every part. Nothing is written yet.
pub fn export_project(
    project: &Project,
    format: Format,
    out: &Path,
    selection: &ExportFilter,
    split_spec: Option<&str>,
    seed: u64,
) -> Result<ExportRun, Problem> {
    if !format.can_export() {
        return Err(Problem::new(
            ProblemKind::Invalid,
            Path::new(format.name()),
            "this format can only be imported",
        ));
    }
    let docs = select(project, selection);
    let parts: Vec<(String, Vec<ExportDoc<'_>>)> = match split_spec {
        Some(spec) => split(
            docs,
            &parse_split(spec)
                .map_err(|e| Problem::new(ProblemKind::Invalid, Path::new("split"), e))?,
            seed,
        ),
        None => vec![(String::new(), docs)],
    };
    let mut run = ExportRun {
        files: Vec::new(),
        spooled: Vec::new(),
        failed: None,
        report: Report::default(),
        parts: Vec::new(),
    };
    for (name, docs) in &parts {
        let target = if name.is_empty() {
            out.to_owned()
        } else {
            split_path(out, name, format.exports_folder())
        };
        let output = export(format, docs, &project.schema, &target, &mut run.report);
        run.files.extend(output.files);
        run.spooled.extend(output.spooled);
        run.failed = run.failed.or(output.failed);
        if !name.is_empty() {
            run.parts.push((name.clone(), docs.len(), target));
        }
    }
    Ok(run)
}

impl ExportRun {
    /// Writes the export: refuses to overwrite anything without `force` (checked before any
    /// file is replaced), then every file atomically, the spooled ones by renaming their
    /// temporary file (dropped, and so removed, when the export is refused).
    pub fn write(&mut self, force: bool) -> Result<(), Problem> {
        if let Some(p) = self.failed.take() {
            return Err(p);
        }
        if !force && let Some((p, _)) = self.spooled.iter().find(|(p, _)| p.exists()) {
            return Err(exists(p));
        }
        write_output(&self.files, force)?;
        for (path, tmp) in std::mem::take(&mut self.spooled) {
            persist::atomic::persist_written(tmp, &path).map_err(|e| Problem::io(&path, &e))?;
        }
        Ok(())
    }
}

/// An export target that exists, without `--force`.
fn exists(p: &Path) -> Problem {
    Problem::new(
        ProblemKind::Io,
        p,
        "already exists; nothing was written (to overwrite on purpose: --force on the \
         command line, “Overwrite existing files” in the window)",
    )
}

/// Writes export files: refuses to overwrite anything without `force` (checked before any
/// file is written), and writes each file atomically.
pub fn write_output(files: &[(PathBuf, String)], force: bool) -> Result<(), Problem> {
    if !force && let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(exists(p));
    }
    for dir in files
        .iter()
        .filter_map(|(p, _)| p.parent().filter(|d| !d.as_os_str().is_empty()))
    {
        std::fs::create_dir_all(dir).map_err(|e| Problem::io(dir, &e))?;
    }
    // A folder export (brat) is thousands of small files, each synced to disk: several are
    // written at once, and each folder is synced once at the end.
    const WRITERS: usize = 4;
    let write = |part: &[(PathBuf, String)]| {
        persist::atomic::write_atomic_many(part.iter().map(|(p, c)| (p.as_path(), c.as_bytes())))
            .map_err(|(path, e)| Problem::io(path, &e))
    };
    if files.len() < 2 * WRITERS {
        return write(files);
    }
    let chunk = files.len().div_ceil(WRITERS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || write(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Problem::new(
                        ProblemKind::Io,
                        Path::new("export"),
                        "a writer thread failed",
                    ))
                })
            })
            .collect::<Result<Vec<()>, Problem>>()
            .map(|_| ())
    })
}

/// Several annotators' work on the same texts becomes a team project (see `persist::team`):
/// the team's file at `target` with every text and no annotations, and one file per
/// annotator in `<target>.annotations/` with their spans, all with one schema. Nothing of
/// any annotator is left out: work with no annotator named is `unattributed`'s. Into an
/// existing project (`into`, at `target`), the team's file gains only the texts it lacks.
fn import_team(
    mut imported: crate::formats::Imported,
    target: &Path,
    name: &str,
    into: Option<Project>,
) -> Result<(Project, Option<CorpusFile>, Report), LoadError> {
    use crate::formats::{Imported, ImportedDoc};
    use std::collections::{BTreeMap, HashMap, HashSet};
    let mut by: BTreeMap<String, Vec<ImportedDoc>> = BTreeMap::new();
    let mut texts: Vec<ImportedDoc> = Vec::new();
    // The texts the team's file has already (adding to it) are not added again.
    let mut seen: HashSet<String> = into
        .iter()
        .flat_map(|p| p.documents.iter().map(|d| d.id.clone()))
        .collect();
    for d in std::mem::take(&mut imported.docs) {
        if seen.insert(d.id.clone()) {
            texts.push(ImportedDoc {
                spans: Vec::new(),
                relations: Vec::new(),
                status: None,
                annotator: None,
                ..d.clone()
            });
        }
        let annotated = !d.spans.is_empty() || d.status.is_some();
        match d.annotator.clone() {
            Some(a) => by.entry(a).or_default().push(d),
            None if annotated => by.entry("unattributed".to_owned()).or_default().push(d),
            None => {}
        }
    }
    let members_dir = persist::team::members_dir(target);
    let paths: Vec<PathBuf> = by
        .keys()
        .map(|a| persist::team::member_path(target, a))
        .collect();
    if let Some(there) = paths.iter().find(|p| p.exists()) {
        return Err(Problem::new(
            ProblemKind::Io,
            there,
            format!(
                "exists already: an annotator's file is never overwritten by an import (move \
                 {} away first)",
                members_dir.display()
            ),
        )
        .into());
    }
    let part = |docs| Imported {
        docs,
        schema: imported.schema.clone(),
        event_labels: imported.event_labels.clone(),
        report: Report::default(),
    };
    let mut team_part = part(texts);
    team_part.report = std::mem::take(&mut imported.report);
    let (mut team, mut corpus, mut report) = build_project(team_part, target, name, into);
    let mut members = Vec::new();
    let sources: HashMap<&str, &crate::model::Document> =
        team.documents.iter().map(|d| (d.id.as_str(), d)).collect();
    for ((annotator, docs), path) in by.into_iter().zip(paths) {
        let (mut p, _, r) =
            build_project(part(docs), &path, &format!("{name} · {annotator}"), None);
        for (what, n) in r.counts {
            if what != "documents" {
                report.count(&what, n);
            }
        }
        report.notes.extend(r.notes);
        // The texts are the team's files (or its corpus file): every annotator's copy of a
        // text must be the same text.
        for d in &mut p.documents {
            match sources.get(d.id.as_str()) {
                Some(t) if t.hash == d.hash => d.source = t.source.clone(),
                _ => {
                    return Err(Problem::new(
                        ProblemKind::Invalid,
                        &path,
                        format!(
                            "{annotator}'s document `{}` has another text than the document \
                             of that id the team's file has: the annotators must share texts",
                            d.id
                        ),
                    )
                    .into());
                }
            }
        }
        report.note(
            &path,
            None,
            format!(
                "{annotator}: {} annotated, {}",
                crate::model::text::plural(p.documents.len(), "document", "documents"),
                crate::model::text::plural(p.span_count(), "span", "spans")
            ),
        );
        members.push((path, p));
    }
    report.count("annotators", members.len());
    // One schema for everyone, so that nobody's file takes a changed one when opened.
    let mut schema = team.schema.clone();
    for (_, p) in &members {
        crate::model::team::union_schema(&mut schema, &p.schema);
    }
    team.schema = schema.clone();
    if let Some(c) = &mut corpus {
        c.write()?;
    }
    persist::save_project(&team, target)?;
    for (path, mut p) in members {
        p.schema = schema.clone();
        persist::team::write_project(&p, &path)?;
    }
    Ok((team, corpus, report))
}

/// Imports `paths` into a new project at `target` (or into `into`) and saves it, the corpus
/// file first. Returns the project, the corpus file written (if any; its lines leave
/// memory once written) and the report.
pub fn import_project(
    format: Format,
    paths: &[PathBuf],
    target: &Path,
    name: Option<&str>,
    into: Option<Project>,
    annotator: Option<&str>,
) -> Result<(Project, Option<CorpusFile>, Report), LoadError> {
    if !format.can_import() {
        return Err(Problem::new(
            ProblemKind::Invalid,
            Path::new(format.name()),
            "this format can only be exported",
        )
        .into());
    }
    let name = name.map(str::to_owned).unwrap_or_else(|| {
        target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if format == Format::Jsonl && annotator.is_none() {
        // Texts without annotations: each document goes into the project as it is read.
        let mut builder = Builder::new(
            &mut crate::formats::Imported::default(),
            target,
            &name,
            into,
        );
        crate::formats::plain::each_jsonl_doc(paths, |d| builder.add(d))?;
        if builder.added() == 0 {
            return Err(nothing_found(format, paths, &Report::default()));
        }
        return save_imported(builder.finish(), target);
    }
    let mut imported = import(format, paths)?;
    if imported.docs.is_empty() {
        // A missing or empty folder, or files with nothing to read: no project is written.
        return Err(nothing_found(format, paths, &imported.report));
    }
    if let Some(who) = annotator {
        // One annotator's work (`--annotator NAME`): theirs alone, in a team project.
        if let Some(other) = imported
            .docs
            .iter()
            .find_map(|d| d.annotator.as_deref().filter(|a| *a != who))
        {
            return Err(Problem::new(
                ProblemKind::Invalid,
                paths.first().map_or(Path::new(""), PathBuf::as_path),
                format!(
                    "these files hold several annotators' work (`{other}` among them): import \
                     them without --annotator, each goes to its annotator's file"
                ),
            )
            .into());
        }
        for d in &mut imported.docs {
            d.annotator = Some(who.trim().to_owned());
        }
    }
    if imported.docs.iter().any(|d| d.annotator.is_some()) {
        return import_team(imported, target, &name, into);
    }
    save_imported(build_project(imported, target, &name, into), target)
}

/// Writes what an import built: the corpus file first, then the project.
fn save_imported(
    (project, mut corpus, report): (Project, Option<CorpusFile>, Report),
    target: &Path,
) -> Result<(Project, Option<CorpusFile>, Report), LoadError> {
    if let Some(c) = &mut corpus {
        // Written: the texts need not be in memory twice while the project is saved.
        c.write()?;
    }
    persist::save_project(&project, target)?;
    Ok((project, corpus, report))
}

/// The refusal of an import that found no documents (a missing or empty folder, files with
/// nothing to read): no project is written. What the reader noted is said.
fn nothing_found(format: Format, paths: &[PathBuf], report: &Report) -> LoadError {
    let notes: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let what = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut message = format!("no {} documents found; nothing was written", format.name());
    if !notes.is_empty() {
        message.push_str(&format!(":\n  {}", notes.join("\n  ")));
    }
    Problem::new(ProblemKind::Invalid, Path::new(&what), message).into()
}

#[cfg(test)]
mod spool_tests {
    use super::*;
    use crate::formats::Output;
    use crate::formats::sink::Sink;

    fn spooled_run(target: &Path, text: &str) -> ExportRun {
        let mut sink = Sink::spilling_at(target, 16);
        sink.push_str(text);
        let out = Output::single(target, sink);
        assert_eq!(out.spooled.len(), 1, "past 16 bytes: on disk");
        ExportRun {
            files: out.files,
            spooled: out.spooled,
            failed: out.failed,
            report: Report::default(),
            parts: Vec::new(),
        }
    }

    fn temp_files(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn a_spooled_export_replaces_its_target_only_when_allowed_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old\n").unwrap();
        let text = "{\"text\":\"Anna said no.\"}\n".repeat(10);
        // Refused: the old file stays, the spool goes.
        let e = spooled_run(&target, &text).write(false).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        assert!(temp_files(dir.path()).is_empty());
        // Allowed: the new text, whole.
        spooled_run(&target, &text).write(true).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
        assert!(temp_files(dir.path()).is_empty());
    }
}
