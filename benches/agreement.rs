//! `marginalia agree` over 1,000 documents of 5 KB (about 50 spans each) × 6 annotators
//! who each leave out a different share of the spans and move some ends. Target: under a
//! second (what a user would otherwise run: DKPro Agreement or `krippendorff` in Python over
//! an exported matrix, minutes of scripting each time).

mod common;

use common::{SEED, slow};
use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::model::Project;
use marginalia::model::agreement::{Layer, agreement};

/// Annotator `k`'s version: every (k+3)-th span left out, every (k+5)-th one a word shorter.
fn annotator(base: &Project, k: usize) -> Project {
    let mut p = base.clone();
    for d in &mut p.documents {
        let text = d.text.clone();
        let spans = d
            .spans()
            .iter()
            .enumerate()
            .filter(|(i, _)| i % (k + 3) != 0)
            .map(|(i, s)| {
                let mut s = s.clone();
                if i % (k + 5) == 0
                    && let Some(cut) = s.text.rfind(' ')
                    && cut > 0
                {
                    s.end = s.start + cut;
                    s.text = text[s.start..s.end].to_owned();
                }
                s
            })
            .collect();
        d.set_spans(spans);
    }
    p
}

fn agree(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let base = marginalia::generate::project(1_000, 5_000, 1_000, SEED, &dir);
    let projects: Vec<Project> = (0..6).map(|k| annotator(&base, k)).collect();
    let layers: Vec<Layer<'_>> = projects
        .iter()
        .enumerate()
        .map(|(k, project)| Layer {
            annotator: format!("a{k}"),
            project,
        })
        .collect();
    let figures = agreement(&layers, None);
    eprintln!(
        "{} labels, {} pairs, alpha(speaker) {:?}",
        figures.labels.len(),
        figures.pairs.len(),
        figures.labels.get("speaker").and_then(|l| l.alpha_char)
    );
    c.bench_function("agree/1000_docs_6_annotators", |b| {
        b.iter(|| agreement(&layers, None))
    });
}

criterion_group! {
    name = benches;
    config = slow();
    targets = agree
}
criterion_main!(benches);
