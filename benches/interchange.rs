//! Imports and exports at scale:
//!
//! - `import/brat_1000_docs_5MB`: a brat folder of 1,000 documents of 5 KB (about 50,000
//!   spans with attributes and relations) becomes a saved project. Target: 1 s.
//! - `import/brat_news_1008_docs`: a brat folder shaped like a real corpus (PolNeAR: 1,008
//!   articles of 4.7 KB with long names, curly quotes, 94 annotations each, attributions as
//!   events with discontinuous content). Target: no slower than the Python script that only
//!   reads and parses the same files (`benches/python/brat_read.py`, run here side by side
//!   and printed), and below 0.5 s.
//! - `import/jsonl_100k_docs_100MB`: a JSONL corpus of 100,000 documents of 1 KB becomes a
//!   saved project and its corpus file. Target: 10 s (memory: see the README), and no slower
//!   than Python's `json.loads` of every line and `json.dump` of the whole
//!   (`benches/python/jsonl_roundtrip.py`, printed beside it).
//! - `import/prodigy_80MB` and `import/label_studio_80MB`: an 80 MB Prodigy JSONL file
//!   (1,100 annotated articles of 5 KB with their tokens, as `ner.manual` writes them) and an
//!   80 MB Label Studio JSON export (1,600 articles) become saved projects. Target: no slower
//!   than Python's `json.loads` + `json.dump` of the same file (printed beside it); memory:
//!   see the README.
//! - `export/<format>`: 1,000 annotated documents of 5 KB to each format, files written.
//!   Target: 1 s each.

mod common;

use common::{SEED, slow, temp};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use marginalia::formats::Format;
use marginalia::formats::export::ExportFilter;
use marginalia::formats::run::{export_project, import_project};
use std::path::Path;

/// Imports `input` into a new project in a fresh folder under `dir`.
fn import_once(format: Format, input: &Path, dir: &Path) {
    let out = tempfile::tempdir_in(dir).expect("temp dir");
    let target = out.path().join("imported.ron");
    let (project, _, _) =
        import_project(format, &[input.to_owned()], &target, None, None, None).expect("imported");
    std::hint::black_box(project);
}

/// What a user would run instead: a Python script (`benches/python/<script>`) that reads and
/// parses the same files; its time is printed beside the benchmark's.
fn python_baseline(script: &str, folder: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/python")
        .join(script);
    match std::process::Command::new("python3")
        .arg(&script)
        .arg(folder)
        .output()
    {
        Ok(out) if out.status.success() => {
            eprint!("baseline: {}", String::from_utf8_lossy(&out.stdout));
        }
        _ => eprintln!("baseline: python3 not available; run {}", script.display()),
    }
}

fn import(c: &mut Criterion) {
    let dir = temp();
    let brat = dir.path().join("brat");
    marginalia::generate::write_brat_corpus(&brat, 1_000, 5_000, SEED).expect("brat corpus");
    let jsonl = dir.path().join("corpus.jsonl");
    marginalia::generate::write_jsonl_corpus(&jsonl, 100_000, 1_000, SEED).expect("jsonl");
    let news = dir.path().join("brat-news");
    marginalia::generate::write_news_brat_corpus(&news, 1_008, 4_700, SEED).expect("news corpus");
    let prodigy = exported(Format::Prodigy, 1_100, dir.path());
    let label_studio = exported(Format::LabelStudio, 1_600, dir.path());
    python_baseline("brat_read.py", &news);
    python_baseline("jsonl_roundtrip.py", &jsonl);
    python_baseline("jsonl_roundtrip.py", &prodigy);
    python_baseline("jsonl_roundtrip.py", &label_studio);
    let mut group = c.benchmark_group("import");
    group.bench_function("brat_1000_docs_5MB", |b| {
        b.iter(|| import_once(Format::Brat, &brat, dir.path()))
    });
    group.bench_function("brat_news_1008_docs", |b| {
        b.iter(|| import_once(Format::Brat, &news, dir.path()))
    });
    group.bench_function("jsonl_100k_docs_100MB", |b| {
        b.iter(|| import_once(Format::Jsonl, &jsonl, dir.path()))
    });
    group.bench_function("prodigy_80MB", |b| {
        b.iter(|| import_once(Format::Prodigy, &prodigy, dir.path()))
    });
    group.bench_function("label_studio_80MB", |b| {
        b.iter(|| import_once(Format::LabelStudio, &label_studio, dir.path()))
    });
    group.finish();
}

/// A file of `format` made by exporting `docs` annotated articles of 5 KB: what another
/// tool hands over (about 80 MB for 1,100 Prodigy or 1,600 Label Studio articles).
fn exported(format: Format, docs: usize, dir: &Path) -> std::path::PathBuf {
    let project = marginalia::generate::project(docs, 5_000, docs, SEED, dir);
    let ext = if format == Format::LabelStudio {
        "json"
    } else {
        "jsonl"
    };
    let out = dir.join(format!("{}.{ext}", format.name()));
    let mut run = export_project(&project, format, &out, &ExportFilter::default(), None, 0)
        .expect("exported");
    run.write(true).expect("written");
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    eprintln!("{}: {} MB", out.display(), size / 1_000_000);
    out
}

fn export(c: &mut Criterion) {
    let dir = temp();
    let project = marginalia::generate::project(1_000, 5_000, 1_000, SEED, dir.path());
    eprintln!("export: {} spans", project.span_count());
    let mut group = c.benchmark_group("export");
    for format in [
        Format::Brat,
        Format::Doccano,
        Format::LabelStudio,
        Format::Prodigy,
        Format::Spacy,
        Format::Conll,
        Format::Hf,
    ] {
        let out = dir.path().join(format!("out-{}", format.name()));
        let out = if format.exports_folder() {
            out
        } else {
            out.with_extension("jsonl")
        };
        group.bench_function(BenchmarkId::new("1000_docs", format.name()), |b| {
            b.iter(|| {
                let mut run =
                    export_project(&project, format, &out, &ExportFilter::default(), None, 0)
                        .expect("exported");
                run.write(true).expect("written");
            })
        });
    }
    // The brat export without the disk: the rest is 2,000 files written and synced.
    let out = dir.path().join("out-brat-unwritten");
    group.bench_function("1000_docs_unwritten/brat", |b| {
        b.iter(|| {
            export_project(
                &project,
                Format::Brat,
                &out,
                &ExportFilter::default(),
                None,
                0,
            )
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = slow();
    targets = import, export
}
criterion_main!(benches);
