//! Project files at scale:
//!
//! - `open_first_frame/10k_docs_50MB`: the window opens a project over 10,000 documents of
//!   5 KB (50 MB; the first 1,000 annotated, about 50,000 spans) in the background, as
//!   File → Open does; timed from the command to the end of the first frame that shows the
//!   project. Target: 1 s.
//! - `open_first_frame/10k_docs_50MB_all_annotated`: the same with every document annotated
//!   (about 500,000 spans).
//! - `save/200k_spans`, `load/200k_spans`: 400 documents of 50 KB (20 MB, about 200,000
//!   spans, with attributes and relations). Target: 300 ms each; the save is atomic (and
//!   keeps backups). `to_ron/200k_spans` is the save without the disk.

mod common;

use common::{Headless, slow, temp};
use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::session::Session;
use marginalia::ui::commands::Command;
use std::path::Path;
use std::time::Duration;

/// A window with a small project open (saved, so opening another asks nothing).
fn idle_window(small: &Path) -> Headless {
    let (session, _) = Session::open(small).expect("small project");
    let mut h = Headless::with_session(session);
    h.frame();
    h.frame();
    h
}

fn open(c: &mut Criterion) {
    let mut group = c.benchmark_group("open_first_frame");
    for (name, annotated) in [
        ("10k_docs_50MB", 1_000),
        ("10k_docs_50MB_all_annotated", 10_000),
    ] {
        let dir = temp();
        let path = common::project_on_disk(dir.path(), 10_000, 5_000, annotated);
        let small = common::project_on_disk(&dir.path().join("small"), 1, 2_000, 1);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut h = idle_window(&small);
                    h.app.queue(Command::OpenPath(path.clone()));
                    total += h.frames_until(Duration::from_secs(60), |app| {
                        app.session()
                            .is_some_and(|s| s.project().documents.len() == 10_000)
                    });
                }
                total
            })
        });
    }
    group.finish();
}

fn save_load(c: &mut Criterion) {
    let dir = temp();
    let path = common::project_on_disk(dir.path(), 400, 50_000, 400);
    let loaded = marginalia::persist::load_project(&path).expect("loads");
    eprintln!("{} spans", loaded.project.span_count());
    let mut group = c.benchmark_group("project_file");
    group.bench_function("save/200k_spans", |b| {
        b.iter(|| marginalia::persist::save_project(&loaded.project, &path).expect("saved"))
    });
    // The save without the disk: how much of it is writing the text.
    group.bench_function("to_ron/200k_spans", |b| {
        b.iter(|| marginalia::persist::project_to_ron(&loaded.project, &path).expect("text"))
    });
    group.bench_function("load/200k_spans", |b| {
        b.iter(|| marginalia::persist::load_project(&path).expect("loaded"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = slow();
    targets = save_load, open
}
criterion_main!(benches);
