//! The rule suggesters over a 50 MB corpus (10,000 documents of 5 KB, the first 1,000
//! annotated, so `matches` has about 50,000 annotated texts to look for everywhere).
//! Target: 2 s each. In the window they run off the UI thread with progress and Cancel.

mod common;

use common::{SEED, slow};
use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::suggest::{Control, Suggester, run};
use std::sync::atomic::AtomicBool;

fn suggesters(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let project = marginalia::generate::project(10_000, 5_000, 1_000, SEED, &dir);
    let mut group = c.benchmark_group("suggest_50MB");
    for (name, s) in [
        ("matches", Suggester::Matches),
        ("quotes", Suggester::Quotes),
    ] {
        let cancel = AtomicBool::new(false);
        let (found, _) =
            run(&project, std::slice::from_ref(&s), &Control::none(&cancel)).expect("suggested");
        eprintln!("{name}: {} proposals", found.len());
        group.bench_function(name, |b| {
            b.iter(|| run(&project, std::slice::from_ref(&s), &Control::none(&cancel)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = slow();
    targets = suggesters
}
criterion_main!(benches);
