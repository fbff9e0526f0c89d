//! Inter-annotator agreement: hand-computed cases for each figure, a deliberately naive
//! second implementation that recomputes them on a larger random corpus (to 1e-9), and the
//! `marginalia agree` command.

use marginalia::model::agreement::{Layer, agreement};
use marginalia::model::{DocId, DocSource, Document, Edit, Project, Schema, Status};
use std::collections::{BTreeMap, HashMap};

/// A span to add: (document index, pieces, label, attributes).
type Spec<'a> = (usize, Vec<(usize, usize)>, &'a str, Vec<(&'a str, &'a str)>);

/// An annotator's project over `texts` (documents `d0`, `d1`...), every document marked in
/// progress (annotated) unless `new` lists it.
fn project(texts: &[&str], spans: &[Spec<'_>], new: &[usize]) -> Project {
    let docs = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut d = Document::new(
                format!("d{i}"),
                DocSource::TextFile(format!("d{i}.txt").into()),
                marginalia::model::TextHash::of(t),
                (*t).into(),
            );
            d.status = if new.contains(&i) {
                Status::New
            } else {
                Status::InProgress
            };
            d
        })
        .collect();
    let mut schema = Schema::default();
    schema.labels.clear();
    let mut p = Project::new("t".into(), schema, docs);
    for (doc, pieces, label, attrs) in spans {
        if p.schema.label(label).is_none() {
            let mut schema = p.schema.clone();
            let def = marginalia::model::LabelDef {
                name: (*label).to_owned(),
                color: marginalia::model::Rgb::parse("#336699").unwrap(),
                key: None,
                attributes: attrs
                    .iter()
                    .map(|(name, _)| marginalia::model::AttributeDef {
                        name: (*name).to_owned(),
                        kind: marginalia::model::AttrKind::Text,
                        key: None,
                    })
                    .collect(),
                event: false,
            };
            schema.labels.push(def);
            p.apply(Edit::SetSchema(Box::new(schema))).unwrap();
        }
        let (a, b) = (pieces[0].0, pieces[pieces.len() - 1].1);
        let mut span = p.make_span(DocId(*doc), a, b, label).unwrap();
        for (k, v) in attrs {
            span.attrs.insert((*k).into(), (*v).into());
        }
        let id = span.id;
        p.apply(Edit::AddSpan {
            doc: DocId(*doc),
            span,
        })
        .unwrap();
        if pieces.len() > 1 {
            p.apply(Edit::SetFragments {
                doc: DocId(*doc),
                id,
                pieces: pieces.iter().map(|&(a, b)| a..b).collect(),
            })
            .unwrap();
        }
    }
    p
}

fn layers(projects: &[Project]) -> Vec<Layer<'_>> {
    projects
        .iter()
        .enumerate()
        .map(|(i, p)| Layer {
            annotator: format!("ann{}", i + 1),
            project: p,
        })
        .collect()
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("defined");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn hand_computed_two_annotators() {
    let text = ["abcdefghij"];
    let a = project(
        &text,
        &[
            (0, vec![(0, 4)], "X", vec![]),
            (0, vec![(6, 8)], "X", vec![]),
        ],
        &[],
    );
    let b = project(
        &text,
        &[
            (0, vec![(0, 4)], "X", vec![]),
            (0, vec![(5, 8)], "X", vec![]),
        ],
        &[],
    );
    let ps = [a, b];
    let r = agreement(&layers(&ps), None);
    let x = &r.labels["X"];
    // One of two spans each matches exactly: 2·1 / (2 + 2).
    close(x.exact_f1, 0.5);
    // Every span overlaps one of the other's.
    close(x.overlap_f1, 1.0);
    // Characters: 0-3 (1,1), 4 (0,0), 5 (0,1), 6-7 (1,1), 8-9 (0,0). n1 = 13, n0 = 7,
    // one disagreeing unit: α = 1 − 19·2 / (2·7·13) = 1 − 38/182. The `krippendorff`
    // Python package (0.9.0, level "nominal") gives 0.7912087912087913 for this matrix.
    close(x.alpha_char, 1.0 - 38.0 / 182.0);
    assert_eq!(x.spans["ann1"], 2);
    assert_eq!(r.documents, 1);
    assert_eq!(r.pairs.len(), 1);
}

#[test]
fn empty_layers_one_annotator_nested_and_discontinuous_spans() {
    let text = ["Kamala Harris said no, she said, never.", "Nothing here."];
    // Nested spans and a discontinuous quote; the second document is new for ann2 (not
    // annotated), so only the first counts.
    let a = project(
        &text,
        &[
            (0, vec![(0, 13)], "speaker", vec![]),
            (0, vec![(7, 13)], "speaker", vec![]),
            (0, vec![(19, 21), (33, 39)], "stance", vec![]),
            (1, vec![(0, 7)], "speaker", vec![]),
        ],
        &[],
    );
    let b = project(
        &text,
        &[
            (0, vec![(7, 13)], "speaker", vec![]),
            (0, vec![(19, 21), (33, 39)], "stance", vec![]),
        ],
        &[1],
    );
    let ps = [a, b];
    let r = agreement(&layers(&ps), None);
    assert_eq!(r.documents, 1);
    let stance = &r.labels["stance"];
    close(stance.exact_f1, 1.0);
    close(stance.alpha_char, 1.0);
    let speaker = &r.labels["speaker"];
    // ann1 has two speakers in d0 (nested), ann2 one of them: 2·1/3.
    close(speaker.exact_f1, 2.0 / 3.0);
    close(speaker.overlap_f1, 1.0);
    assert_eq!(r.pairs[0].documents, 1);
    // A discontinuous span does not match its extent, and its gap is outside it.
    let c = project(&text, &[(0, vec![(19, 39)], "stance", vec![])], &[1]);
    let ps = [ps[1].clone(), c];
    let r = agreement(&layers(&ps), Some(&["stance".to_owned()]));
    close(r.labels["stance"].exact_f1, 0.0);
    close(r.labels["stance"].overlap_f1, 1.0);
    let alpha = r.labels["stance"].alpha_char.unwrap();
    assert!(alpha < 1.0, "{alpha}");
    // Nobody used a label: no figure is invented.
    let empty = project(&text, &[], &[]);
    let ps = [empty.clone(), empty];
    let r = agreement(&layers(&ps), Some(&["stance".to_owned()]));
    assert_eq!(r.labels["stance"].exact_f1, None);
    close(r.labels["stance"].overlap_f1, 1.0);
    assert_eq!(r.labels["stance"].alpha_char, None);
}

#[test]
fn kappa_cohen_for_two_and_fleiss_for_three() {
    let text = ["a b c d e f g h"];
    let spans = |vals: [&'static str; 4]| -> Vec<Spec<'static>> {
        vals.iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    0,
                    vec![(i * 2, i * 2 + 1)],
                    "stance",
                    vec![("polarity", *v)],
                )
            })
            .collect()
    };
    let a = project(&text, &spans(["f", "f", "a", "a"]), &[]);
    let b = project(&text, &spans(["f", "a", "a", "a"]), &[]);
    let c = project(&text, &spans(["f", "f", "a", "f"]), &[]);
    // Cohen: p_o = 3/4; p_e = (2/4·1/4) + (2/4·3/4) = 1/2; κ = (0.75 − 0.5) / 0.5.
    let ps = [a.clone(), b.clone()];
    let r = agreement(&layers(&ps), None);
    let k = &r.attributes["stance.polarity"];
    close(k.kappa, 0.5);
    assert_eq!(k.items, 4);
    // Fleiss over 4 items × 3 raters: rows (f,f,f) (f,a,f) (a,a,a) (a,a,f).
    // P_i = 1, 1/3, 1, 1/3 → P̄ = 2/3; p_f = 6/12, p_a = 6/12 → P̄e = 1/2; κ = 1/3.
    let ps = [a, b, c];
    let r = agreement(&layers(&ps), None);
    close(r.attributes["stance.polarity"].kappa, 1.0 / 3.0);
}

/// A tiny deterministic generator for the random corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The naive reference: alpha from the full coincidence matrix over explicit value lists,
/// exact and overlap F1 by comparing every span with every other.
fn naive(projects: &[Project], label: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let annotated = |d: &Document| !(d.status == Status::New && d.spans().is_empty());
    let n_docs = projects[0].documents.len();
    // alpha
    let mut coincidence: BTreeMap<(u8, u8), f64> = BTreeMap::new();
    for i in 0..n_docs {
        let present: Vec<&Document> = projects
            .iter()
            .map(|p| &p.documents[i])
            .filter(|d| annotated(d))
            .collect();
        if present.len() < 2 {
            continue;
        }
        let chars: Vec<usize> = present[0].text.char_indices().map(|(b, _)| b).collect();
        for &c in &chars {
            let values: Vec<u8> =
                present
                    .iter()
                    .map(|d| {
                        u8::from(d.spans().iter().any(|s| {
                            s.label == label && s.pieces().any(|p| p.start <= c && c < p.end)
                        }))
                    })
                    .collect();
            let m = values.len() as f64;
            for (x, &v) in values.iter().enumerate() {
                for (y, &w) in values.iter().enumerate() {
                    if x != y {
                        *coincidence.entry((v, w)).or_default() += 1.0 / (m - 1.0);
                    }
                }
            }
        }
    }
    let n_c = |c: u8| -> f64 {
        coincidence
            .iter()
            .filter(|((a, _), _)| *a == c)
            .map(|(_, v)| v)
            .sum()
    };
    let (n0, n1) = (n_c(0), n_c(1));
    let n = n0 + n1;
    let d_o: f64 = coincidence
        .iter()
        .filter(|((a, b), _)| a != b)
        .map(|(_, v)| v)
        .sum();
    let alpha = (n0 * n1 > 0.0).then(|| 1.0 - (n - 1.0) * d_o / (2.0 * n0 * n1));
    // F1s for the first pair
    let (mut matches, mut sa, mut sb, mut fa, mut fb) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..n_docs {
        let (da, db) = (&projects[0].documents[i], &projects[1].documents[i]);
        if !annotated(da) || !annotated(db) {
            continue;
        }
        let a: Vec<_> = da.spans().iter().filter(|s| s.label == label).collect();
        let b: Vec<_> = db.spans().iter().filter(|s| s.label == label).collect();
        sa += a.len() as f64;
        sb += b.len() as f64;
        let mut used = vec![false; b.len()];
        for s in &a {
            let p: Vec<_> = s.pieces().collect();
            if let Some(j) =
                (0..b.len()).find(|&j| !used[j] && b[j].pieces().collect::<Vec<_>>() == p)
            {
                used[j] = true;
                matches += 1.0;
            }
        }
        let touch = |x: &marginalia::model::Span, y: &marginalia::model::Span| {
            x.pieces()
                .any(|p| y.pieces().any(|q| p.start < q.end && q.start < p.end))
        };
        fa += a.iter().filter(|s| b.iter().any(|t| touch(s, t))).count() as f64;
        fb += b.iter().filter(|s| a.iter().any(|t| touch(s, t))).count() as f64;
    }
    let exact = (sa + sb > 0.0).then(|| 2.0 * matches / (sa + sb));
    let overlap = if sa == 0.0 && sb == 0.0 {
        1.0
    } else if sa == 0.0 || sb == 0.0 {
        0.0
    } else {
        let (p, r) = (fa / sa, fb / sb);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    (exact, Some(overlap), alpha)
}

#[test]
fn a_naive_second_implementation_agrees_on_a_random_corpus() {
    let mut rng = Lcg(7);
    let words = [
        "Harris", "said", "Kim", "will", "not", "meet", "ça", "😀", "talks", "no",
    ];
    let texts: Vec<String> = (0..12)
        .map(|_| {
            (0..60)
                .map(|_| words[rng.next(words.len())])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut projects = Vec::new();
    for ann in 0..3 {
        let mut specs: Vec<Spec<'static>> = Vec::new();
        for (d, t) in texts.iter().enumerate() {
            let bounds: Vec<usize> = std::iter::once(0)
                .chain(t.match_indices(' ').map(|(i, _)| i + 1))
                .collect();
            let ends: Vec<usize> = t
                .match_indices(' ')
                .map(|(i, _)| i)
                .chain(std::iter::once(t.len()))
                .collect();
            for _ in 0..8 {
                let w = rng.next(bounds.len() - 3);
                let len = 1 + rng.next(3);
                let label = ["speaker", "stance"][rng.next(2)];
                let pieces = if rng.next(5) == 0 && w + len + 2 < bounds.len() {
                    vec![
                        (bounds[w], ends[w]),
                        (bounds[w + len + 1], ends[w + len + 1]),
                    ]
                } else {
                    vec![(bounds[w], ends[w + len - 1])]
                };
                specs.push((d, pieces, label, vec![]));
            }
        }
        // Annotator 3 did not annotate document 0.
        if ann == 2 {
            specs.retain(|s| s.0 != 0);
        }
        let new: Vec<usize> = if ann == 2 { vec![0] } else { vec![] };
        projects.push(project(&text_refs, &specs, &new));
    }
    let r = agreement(&layers(&projects), None);
    for label in ["speaker", "stance"] {
        let (exact, overlap, alpha) = naive(&projects, label);
        let pair = r
            .pairs
            .iter()
            .find(|p| p.label == label && p.a == "ann1" && p.b == "ann2")
            .unwrap();
        close(pair.exact_f1, exact.unwrap());
        close(pair.overlap_f1, overlap.unwrap());
        close(r.labels[label].alpha_char, alpha.unwrap());
    }
    let spans: HashMap<_, _> = r.labels["speaker"].spans.clone().into_iter().collect();
    assert_eq!(spans.len(), 3);
}
