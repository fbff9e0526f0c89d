//! Corpus search and the consistency report over a 50 MB corpus (10,000 documents of 5 KB,
//! the first 1,000 annotated). Both run off the UI thread; what the user waits for is the
//! first hits (they are shown document by document) and, for the report, the whole run.

mod common;

use common::{SEED, slow};
use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::model::consistency::report;
use marginalia::model::search::{Query, SearchDoc, SearchOptions, search_corpus};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};

fn search(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let project = marginalia::generate::project(10_000, 5_000, 1_000, SEED, &dir);
    let docs: Vec<SearchDoc> = project.snapshot();
    let mut group = c.benchmark_group("search_50MB");
    for q in [
        "Harris",
        "Harris -label:speaker",
        "label:stance polarity:against",
    ] {
        let query =
            Query::parse(q, &project.schema, SearchOptions::default()).expect("a valid query");
        let cancel = AtomicBool::new(false);
        // Time to the first hits on screen: the search stops once it has handed some over.
        group.bench_function(format!("first hits: {q}"), |b| {
            b.iter(|| {
                let stop = AtomicBool::new(false);
                search_corpus(&query, &docs, &stop, |_, hits| {
                    black_box(hits);
                    stop.store(true, Ordering::Relaxed);
                })
            })
        });
        group.bench_function(format!("all hits: {q}"), |b| {
            b.iter(|| {
                let mut n = 0;
                search_corpus(&query, &docs, &cancel, |_, hits| n += hits.len());
                n
            })
        });
    }
    group.bench_function("consistency report", |b| {
        let snapshot = project.snapshot();
        let cancel = AtomicBool::new(false);
        b.iter(|| report(&snapshot, &cancel).len())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = slow();
    targets = search
}
criterion_main!(benches);
