//! The entry points of the fuzz targets, one per kind of user file Marginalia reads.
//!
//! Each takes the raw bytes libFuzzer made up, writes them where the real reader expects a
//! file (a fresh temporary folder per call), and runs the same code a user's file goes
//! through: reading, then building the project, then saving it, opening the saved file
//! again and exporting it. Nothing may panic; a file that loads or imports must also save
//! and open again (a project that cannot be reopened is lost work).
//!
//! `tests/fuzz_regressions.rs` includes this file with `#[path]` and feeds it every crasher
//! kept in `tests/fixtures/fuzz/<target>/`, so a fixed crash stays fixed in `cargo test`.
//!
//! Targets that need several files take them from one input, cut at the first
//! [`SEP`] bytes (ASCII "record separator", 0x1E): for `brat`, `.txt` then `.ann` then
//! `annotation.conf`; for `project_ron`, the project then the two corpus files it may name
//! (`a.txt`, `c.jsonl`); for `hf`, the data then its label list; for `predictions`, the
//! predictions (or the gazetteer) then the text of the project's first document.

use marginalia::formats::build::build_project;
use marginalia::formats::export::{ExportFilter, select};
use marginalia::formats::{self, Format, Imported, Report};
use marginalia::model::{DocSource, Document, Project, Schema};
use marginalia::persist::corpus::{hash_text, read_jsonl};
use marginalia::persist::{
    LoadError, LoadOptions, load_project, load_project_with, new_project, save_project,
};
use marginalia::suggest::{Control, Proposal, gazetteer, predictions, proposals_edit};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Cuts a multi-file input into its files.
pub const SEP: u8 = 0x1E;

/// A target's entry point: the refusal of the reader, if it refused the input.
pub type Entry = fn(&[u8]) -> Result<(), LoadError>;

/// Every target by name, for the regression test.
pub const TARGETS: &[(&str, Entry)] = &[
    ("project_ron", project_ron),
    ("brat", brat),
    ("doccano", doccano),
    ("label_studio", label_studio),
    ("prodigy", prodigy),
    ("conll", conll),
    ("hf", hf),
    ("corpus_jsonl", corpus_jsonl),
    ("predictions", predictions),
    ("gazetteer", gazetteer),
];

/// The input cut at the first `n - 1` separators: `n` parts at most, the last one keeps any
/// further separators.
fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |b| *b == SEP).collect()
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("marginalia-fuzz")
        .tempdir()
        .expect("a temporary folder")
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("writing a scratch file");
}

/// A project that loaded must save, and the saved file must load again, with every
/// annotation. Then it is exported in every format (nothing is written).
fn saves_and_reopens(project: &Project, dir: &Path, what: &str) {
    let path = dir.join("saved.ron");
    save_project(project, &path).unwrap_or_else(|e| panic!("{what}: cannot save: {e}"));
    let again = load_project(&path)
        .unwrap_or_else(|e| panic!("{what}: the saved project does not open again: {e}"));
    assert_eq!(
        again.project.span_count(),
        project.span_count(),
        "{what}: spans lost in a save and reopen"
    );
    let docs = select(&again.project, &ExportFilter::default());
    for format in Format::ALL.into_iter().filter(|f| f.can_export()) {
        let mut report = Report::default();
        let _ = formats::export(
            format,
            &docs,
            &again.project.schema,
            &dir.join("out"),
            &mut report,
        );
    }
}

/// An import, then what `marginalia import` does with it: a project with its corpus file,
/// saved and opened again.
fn import_then_build(format: Format, dir: &Path, paths: &[PathBuf]) -> Result<(), LoadError> {
    let imported: Imported = formats::import(format, paths)?;
    let target = dir.join("imported.ron");
    let (project, corpus, _report) = build_project(imported, &target, "fuzz", None);
    if let Some(mut c) = corpus {
        c.write()
            .expect("writing the corpus file into the scratch folder");
    }
    saves_and_reopens(&project, dir, format.name());
    Ok(())
}

/// A project file (RON) over two corpus files, `a.txt` and `c.jsonl`, whose contents also
/// come from the input.
pub fn project_ron(data: &[u8]) -> Result<(), LoadError> {
    let dir = scratch();
    let p = parts(data, 3);
    let path = dir.path().join("p.ron");
    write(&path, p.first().copied().unwrap_or_default());
    write(
        &dir.path().join("a.txt"),
        p.get(1).copied().unwrap_or(b"Kamala Harris said \xe2\x80\x9cno\xe2\x80\x9d. \xf0\x9f\x99\x82 \xe6\x97\xa5\xe6\x9c\xac\r\nEnd."),
    );
    write(
        &dir.path().join("c.jsonl"),
        p.get(2)
            .copied()
            .unwrap_or(b"{\"id\": \"j1\", \"text\": \"Kim told reporters.\"}\n"),
    );
    let loaded = match load_project(&path) {
        Ok(loaded) => loaded,
        // The window re-anchors the spans of a changed corpus file: what that makes must
        // save and open again as strictly as any project.
        Err(_) => load_project_with(
            &path,
            LoadOptions {
                reanchor: true,
                allow_outside: true,
            },
        )?,
    };
    saves_and_reopens(&loaded.project, dir.path(), "project");
    Ok(())
}

/// brat: `doc.txt`, `doc.ann`, and `annotation.conf` when the input has a third part.
pub fn brat(data: &[u8]) -> Result<(), LoadError> {
    let dir = scratch();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("a scratch folder");
    let p = parts(data, 3);
    write(
        &input.join("doc.txt"),
        p.first().copied().unwrap_or_default(),
    );
    if let Some(ann) = p.get(1) {
        write(&input.join("doc.ann"), ann);
    }
    if let Some(conf) = p.get(2) {
        write(&input.join("annotation.conf"), conf);
    }
    import_then_build(Format::Brat, dir.path(), &[input])
}

fn one_file(format: Format, name: &str, data: &[u8]) -> Result<(), LoadError> {
    let dir = scratch();
    let path = dir.path().join(name);
    write(&path, data);
    import_then_build(format, dir.path(), &[path])
}

/// doccano JSONL.
pub fn doccano(data: &[u8]) -> Result<(), LoadError> {
    one_file(Format::Doccano, "doccano.jsonl", data)
}

/// A Label Studio JSON export.
pub fn label_studio(data: &[u8]) -> Result<(), LoadError> {
    one_file(Format::LabelStudio, "label-studio.json", data)
}

/// Prodigy JSONL.
pub fn prodigy(data: &[u8]) -> Result<(), LoadError> {
    one_file(Format::Prodigy, "prodigy.jsonl", data)
}

/// CoNLL columns.
pub fn conll(data: &[u8]) -> Result<(), LoadError> {
    one_file(Format::Conll, "train.conll", data)
}

/// Hugging Face JSONL, and its label list when the input has a second part.
pub fn hf(data: &[u8]) -> Result<(), LoadError> {
    let dir = scratch();
    let path = dir.path().join("train.jsonl");
    let p = parts(data, 2);
    write(&path, p.first().copied().unwrap_or_default());
    if let Some(labels) = p.get(1) {
        write(&formats::hf::labels_path(&path), labels);
    }
    import_then_build(Format::Hf, dir.path(), &[path])
}

/// A JSONL corpus, as `marginalia new --corpus FILE.jsonl` reads it.
pub fn corpus_jsonl(data: &[u8]) -> Result<(), LoadError> {
    let dir = scratch();
    let path = dir.path().join("corpus.jsonl");
    write(&path, data);
    let docs = read_jsonl(&path);
    let project = new_project(&path, None)?;
    assert_eq!(
        docs.map(|d| d.len()).ok(),
        Some(project.documents.len()),
        "read_jsonl and new_project disagree"
    );
    saves_and_reopens(&project, dir.path(), "new project");
    Ok(())
}

/// A suggester's input file (the input up to the first separator) and a project of two
/// documents: the first one's text comes from the input (after the separator), the second has
/// emoji, CJK and CRLF.
fn suggester_input(data: &[u8], name: &str) -> (tempfile::TempDir, PathBuf, Project) {
    let dir = scratch();
    let p = parts(data, 2);
    let path = dir.path().join(name);
    write(&path, p.first().copied().unwrap_or_default());
    let first = String::from_utf8_lossy(p.get(1).copied().unwrap_or(b"Harris said no."));
    let second = "Kim \u{1F642} said \u{201C}\u{65E5}\u{672C}\u{201D}.\r\nDone.";
    let docs = [("d1", first.as_ref()), ("d2", second)]
        .into_iter()
        .map(|(id, text)| {
            let file = dir.path().join(format!("{id}.txt"));
            write(&file, text.as_bytes());
            Document::new(
                id.to_owned(),
                DocSource::TextFile(file),
                hash_text(text),
                Arc::from(text),
            )
        })
        .collect();
    let project = Project::new("fuzz".to_owned(), Schema::default(), docs);
    (dir, path, project)
}

/// What `marginalia suggest` does with proposals: one edit that adds them, then the project
/// is saved and opened again.
fn apply_proposals(mut project: Project, proposals: &[Proposal], dir: &Path, what: &str) {
    let mut report = Report::default();
    if let Some(edit) = proposals_edit(&project, proposals, &mut report) {
        project
            .apply(edit)
            .unwrap_or_else(|e| panic!("the suggestions of valid proposals do not apply: {e}"));
    }
    saves_and_reopens(&project, dir, what);
}

/// Model predictions JSONL, optionally followed by the first document's text.
pub fn predictions(data: &[u8]) -> Result<(), LoadError> {
    let (dir, path, project) = suggester_input(data, "predictions.jsonl");
    let proposals = predictions::from_jsonl(&project, &path, &mut Report::default())?;
    apply_proposals(project, &proposals, dir.path(), "predictions");
    Ok(())
}

/// A gazetteer (`name` or `name<TAB>label` lines), optionally followed by the first
/// document's text.
pub fn gazetteer(data: &[u8]) -> Result<(), LoadError> {
    let (dir, path, project) = suggester_input(data, "names.txt");
    let cancel = AtomicBool::new(false);
    let proposals = gazetteer::suggest(
        &project,
        &path,
        &Control::none(&cancel),
        &mut Report::default(),
    )?;
    apply_proposals(project, &proposals, dir.path(), "gazetteer");
    Ok(())
}
