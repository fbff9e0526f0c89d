//! An import or an export from start to finish, shared by `marginalia import|export` and the
//! window's File menu, so both do exactly the same thing and report the same way.

use crate::formats::build::{CorpusFile, build_project};
use crate::formats::export::{ExportDoc, Selection, parse_split, select, split};
use crate::formats::{Format, Report, export, import};
use crate::model::Project;
use crate::persist::{self, LoadError, Problem, ProblemKind};
use std::path::{Path, PathBuf};

/// What an export produced.
pub struct ExportRun {
    /// Files to write, with their contents.
    pub files: Vec<(PathBuf, String)>,
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
    selection: &Selection,
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
        report: Report::default(),
        parts: Vec::new(),
    };
    for (name, docs) in &parts {
        let target = if name.is_empty() {
            out.to_owned()
        } else {
            split_path(out, name, format.exports_folder())
        };
        run.files
            .extend(export(format, docs, &project.schema, &target, &mut run.report).files);
        if !name.is_empty() {
            run.parts.push((name.clone(), docs.len(), target));
        }
    }
    Ok(run)
}

/// Writes export files: refuses to overwrite anything without `force` (checked before any
/// file is written), and writes each file atomically.
pub fn write_output(files: &[(PathBuf, String)], force: bool) -> Result<(), Problem> {
    if !force && let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(Problem::new(
            ProblemKind::Io,
            p,
            "already exists; pass --force to overwrite it",
        ));
    }
    for (path, content) in files {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Problem::io(dir, &e))?;
        }
        persist::atomic::write_atomic(path, content.as_bytes())
            .map_err(|e| Problem::io(path, &e))?;
    }
    Ok(())
}

/// Imports `paths` into a new project at `target` (or into `into`) and saves it, the corpus
/// file first. Returns the project, the corpus file written (if any) and the report.
pub fn import_project(
    format: Format,
    paths: &[PathBuf],
    target: &Path,
    name: Option<&str>,
    into: Option<Project>,
) -> Result<(Project, Option<CorpusFile>, Report), LoadError> {
    if !format.can_import() {
        return Err(Problem::new(
            ProblemKind::Invalid,
            Path::new(format.name()),
            "this format can only be exported",
        )
        .into());
    }
    let imported = import(format, paths)?;
    let name = name.map(str::to_owned).unwrap_or_else(|| {
        target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let (project, corpus, report) = build_project(imported, target, &name, into);
    if let Some(c) = &corpus {
        persist::atomic::write_atomic(&c.path, c.content.as_bytes())
            .map_err(|e| Problem::io(&c.path, &e))?;
    }
    persist::save_project(&project, target)?;
    Ok((project, corpus, report))
}
