//! Search and the consistency report on real text: the demo corpus, and a large corpus made
//! from it (the same articles many times, each copy with its own spans).

use marginalia::model::consistency::{FindingKind, report};
use marginalia::model::search::{Query, SearchDoc, SearchOptions, search_corpus};
use marginalia::model::{DocId, DocSource, Document, Edit, Project};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn demo() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    marginalia::persist::load_project(&root.join("projects/seed-news.ron"))
        .unwrap()
        .project
}

fn docs(p: &Project) -> Vec<SearchDoc> {
    p.snapshot()
}

fn run(p: &Project, q: &str, options: SearchOptions) -> Vec<(DocId, String)> {
    let query = Query::parse(q, &p.schema, options).unwrap();
    let mut out = Vec::new();
    search_corpus(&query, &docs(p), &AtomicBool::new(false), |d, hits| {
        let text = &p.doc(d).unwrap().text;
        out.extend(hits.iter().map(|h| (d, text[h.start..h.end].to_owned())));
    });
    out
}

#[test]
fn demo_corpus_queries() {
    let p = demo();
    let all = run(&p, "harris", SearchOptions::default());
    let untagged = run(&p, "Harris -label:speaker", SearchOptions::default());
    let tagged = run(&p, "Harris label:speaker", SearchOptions::default());
    assert_eq!(untagged.len(), 20);
    assert_eq!(untagged.len() + tagged.len(), all.len(), "a partition");
    assert!(all.iter().all(|(_, t)| t == "Harris"));
    // Curly quotes in the text and in the query.
    let quoted = run(&p, "“Ukraine must", SearchOptions::default());
    assert_eq!(quoted.len(), 1);
    // Spans by attribute: the two stances against.
    let against = run(
        &p,
        "label:stance polarity:against",
        SearchOptions::default(),
    );
    assert_eq!(against.len(), 2);
    let regex = SearchOptions {
        regex: true,
        case_sensitive: true,
        ..Default::default()
    };
    let names = run(&p, r"\b(Kim|Putin)\b", regex);
    assert!(names.iter().any(|(_, t)| t == "Kim") && names.iter().any(|(_, t)| t == "Putin"));
}

/// `copies` copies of each demo article; copy k of an article keeps its spans only when k
/// is even, so half the corpus is annotated.
fn large(copies: usize) -> Project {
    let demo = demo();
    let mut p = Project::new("large".into(), demo.schema.clone(), Vec::new());
    for k in 0..copies {
        for d in &demo.documents {
            let id = format!("{}-{k}", d.id);
            p.documents.push(Document::new(
                id.clone(),
                DocSource::TextFile(format!("{id}.txt").into()),
                marginalia::model::TextHash::of(&d.text),
                d.text.clone(),
            ));
            if k % 2 == 0 {
                let at = DocId(p.documents.len() - 1);
                for s in d.spans() {
                    let mut span = p.make_span(at, s.start, s.end, &s.label).unwrap();
                    span.attrs.clone_from(&s.attrs);
                    p.apply(Edit::AddSpan { doc: at, span }).unwrap();
                }
            }
        }
    }
    p
}

#[test]
fn a_large_corpus_gives_exactly_the_sum_of_its_parts() {
    let copies = 200;
    let p = large(copies);
    let bytes: usize = p.documents.iter().map(|d| d.text.len()).sum();
    assert!(bytes > 2_000_000, "{bytes} bytes");
    let demo = demo();
    let per_demo_all = run(&demo, "Harris", SearchOptions::default()).len();
    let per_demo_untagged = run(&demo, "Harris -label:speaker", SearchOptions::default()).len();
    assert_eq!(
        run(&p, "Harris", SearchOptions::default()).len(),
        per_demo_all * copies
    );
    // Annotated copies behave like the demo, bare ones have every Harris untagged.
    assert_eq!(
        run(&p, "Harris -label:speaker", SearchOptions::default()).len(),
        per_demo_untagged * copies / 2 + per_demo_all * copies / 2
    );
    // A cancelled search stops before the end and says so.
    let query = Query::parse("Harris", &p.schema, SearchOptions::default()).unwrap();
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let finished = search_corpus(&query, &docs(&p), &cancel, |_, _| {
        seen += 1;
        if seen == 10 {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    assert!(!finished);
    assert_eq!(seen, 10);
}

#[test]
fn the_consistency_report_on_a_large_corpus() {
    let p = large(20);
    let findings = report(&p.snapshot(), &AtomicBool::new(false));
    // Bare copies leave every "Kamala Harris" untagged; annotated ones all but the tagged.
    let kamala = findings
        .iter()
        .find(|f| f.text == "Kamala Harris" && matches!(f.kind, FindingKind::Unannotated { .. }))
        .unwrap();
    let per_copy = demo()
        .documents
        .iter()
        .map(|d| d.text.matches("Kamala Harris").count())
        .sum::<usize>();
    let tagged = demo()
        .documents
        .iter()
        .flat_map(|d| d.spans())
        .filter(|s| s.text == "Kamala Harris")
        .count();
    assert_eq!(
        kamala.places.len(),
        per_copy * 10 + (per_copy - tagged) * 10
    );
    assert_eq!(kamala.agreeing, tagged * 10);
    assert_eq!(kamala.majority, "speaker");
    assert_eq!(kamala.attrs.get("entity"), Some("Kamala Harris"));
    // Findings come largest first.
    assert!(
        findings
            .windows(2)
            .all(|w| w[0].places.len() >= w[1].places.len())
    );
}
