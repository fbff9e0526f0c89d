//! Plain corpora: folders of .txt files and JSONL corpora, imported as documents without
//! annotations (like `marginalia new`, but into an existing project with `--into`).

use crate::formats::{Imported, ImportedDoc};
use crate::persist::LoadError;
use crate::persist::corpus::{for_each_jsonl_doc, list_text_files, read_text_file};
use std::path::PathBuf;

/// Every .txt file below each folder (or each .txt file given).
pub fn import_folders(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    for p in paths {
        let (files, base) = if p.is_dir() {
            (list_text_files(p)?, p.clone())
        } else {
            (
                vec![p.clone()],
                p.parent().map(PathBuf::from).unwrap_or_default(),
            )
        };
        for f in files {
            match read_text_file(&f) {
                Ok(text) => {
                    let id = f
                        .strip_prefix(&base)
                        .unwrap_or(&f)
                        .with_extension("")
                        .to_string_lossy()
                        .replace('\\', "/");
                    imported.docs.push(ImportedDoc {
                        id,
                        text,
                        source: Some(f.clone()),
                        ..Default::default()
                    });
                }
                Err(e) => problems.push(e),
            }
        }
    }
    LoadError::or_ok(problems, imported)
}

/// Every line of each JSONL corpus.
pub fn import_jsonl(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    each_jsonl_doc(paths, |d| imported.docs.push(d))?;
    Ok(imported)
}

/// Calls `f` with each line of each JSONL corpus as a document, as it is read (an import
/// of a million lines then never holds them all beside the project it builds).
pub fn each_jsonl_doc(paths: &[PathBuf], mut f: impl FnMut(ImportedDoc)) -> Result<(), LoadError> {
    for p in paths {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for_each_jsonl_doc(p, |r| {
            f(ImportedDoc {
                id: r.id.unwrap_or_else(|| format!("{stem}-{}", r.line)),
                text: r.text,
                meta: r.meta,
                ..Default::default()
            });
        })?;
    }
    Ok(())
}
