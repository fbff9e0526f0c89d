//! The learned suggester: training on 1,000 annotated news-shaped documents (5 KB each, the
//! generator's speakers, stances and events) and proposing in 1,000 documents.
//!
//! Targets (issue 18): train 1,000 articles with 100,000 spans in under 10 s on 2 cores,
//! propose in 1,000 articles in under 1 s. The baseline beside these figures is spaCy's NER
//! trained on the same project's spaCy export, what a user would run instead: about 100 s
//! per epoch on 785 PolNeAR articles, several epochs (`benches/learned_vs_spacy.py`, and the
//! README's table for the figures on real data).

mod common;

use common::{SEED, slow};
use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::suggest::Control;
use marginalia::suggest::learned::{suggest, train};
use std::sync::atomic::AtomicBool;

fn learned(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let project = marginalia::generate::project(1_000, 5_000, 1_000, SEED, &dir);
    let spans: usize = project.documents.iter().map(|d| d.spans().len()).sum();
    let cancel = AtomicBool::new(false);
    let model = train(&project, &Control::none(&cancel)).expect("trained");
    let found = suggest(&project, &model, &Control::none(&cancel));
    eprintln!(
        "{} documents, {spans} spans, {} ms to train, {} proposals",
        project.documents.len(),
        model.trained.millis,
        found.len()
    );
    let mut group = c.benchmark_group("learned_1000_docs");
    group.sample_size(10);
    group.bench_function("train", |b| {
        b.iter(|| train(&project, &Control::none(&cancel)))
    });
    group.bench_function("propose", |b| {
        b.iter(|| suggest(&project, &model, &Control::none(&cancel)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = slow();
    targets = learned
}
criterion_main!(benches);
