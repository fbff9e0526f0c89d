//! The learned suggester on crafted projects: it learns a pattern it was shown and proposes
//! it in documents it has not seen; its scores are right as often as they say on held-out
//! documents; rejections and unread paragraphs teach what they should.

use super::*;
use crate::model::project::testing::span;
use crate::model::{DocSource, Schema, Status};
use std::sync::atomic::AtomicBool;

const FIRST: &[&str] = &[
    "Maria", "John", "Olga", "Pierre", "Amina", "Kenji", "Lucia", "Tomas", "Grace", "Ivan",
    "Nadia", "Omar", "Sofia", "Viktor", "Helen", "Rahul",
];
const LAST: &[&str] = &[
    "Lopez", "Smith", "Petrova", "Dubois", "Diallo", "Sato", "Rossi", "Novak", "Okafor", "Ivanov",
    "Haddad", "Silva", "Berg", "Kowalski", "Moreau", "Gupta",
];
const THINGS: &[&str] = &[
    "budget", "plan", "election", "vote", "bill", "deal", "tax", "war",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A document of short news sentences. Who "said" something is always tagged a speaker;
/// who "told" reporters only when `told_tagged` says so (a coin the annotator tosses: the
/// model cannot know, so its right answer is "maybe").
fn news(
    rng: &mut Rng,
    names: &[String],
    told_tagged: &mut dyn FnMut() -> bool,
) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    for _ in 0..8 {
        let name = &names[rng.next(names.len())];
        let thing = THINGS[rng.next(THINGS.len())];
        match rng.next(3) {
            0 => {
                spans.push((text.len(), text.len() + name.len()));
                text.push_str(&format!("{name} said the {thing} was wrong. "));
            }
            1 => {
                let at = text.len() + format!("“The {thing} is fine,” ").len();
                if told_tagged() {
                    spans.push((at, at + name.len()));
                }
                text.push_str(&format!("“The {thing} is fine,” {name} told reporters. "));
            }
            _ => text.push_str(&format!("The {thing} came up again on Monday. ")),
        }
    }
    (text, spans)
}

fn names(rng: &mut Rng, n: usize, from_first: &[&str]) -> Vec<String> {
    (0..n)
        .map(|_| {
            format!(
                "{} {}",
                from_first[rng.next(from_first.len())],
                LAST[rng.next(LAST.len())]
            )
        })
        .collect()
}

/// `docs` documents, all done, spans as [`news`] makes them.
fn project(docs: usize, told_share: usize, seed: u64) -> Project {
    let mut rng = Rng(seed);
    let mut coin = Rng(seed ^ 0x55);
    let known = names(&mut rng, 40, &FIRST[..12]);
    let mut documents = Vec::new();
    let mut id = 1;
    for i in 0..docs {
        let (text, spans) = news(&mut rng, &known, &mut || coin.next(100) < told_share);
        let mut d = Document::new(
            format!("doc{i}"),
            DocSource::TextFile(format!("doc{i}.txt").into()),
            crate::model::TextHash::of(""),
            text.as_str().into(),
        );
        d.set_spans(
            spans
                .into_iter()
                .map(|(a, b)| {
                    id += 1;
                    span(id, a, b, "speaker", &text[a..b])
                })
                .collect(),
        );
        d.status = Status::Done;
        documents.push(d);
    }
    Project::new("t".into(), Schema::news_default(), documents)
}

fn control(cancel: &AtomicBool) -> Control<'_> {
    Control::none(cancel)
}

#[test]
fn it_learns_what_it_was_shown_and_proposes_it_in_an_unseen_document() {
    let mut p = project(30, 100, 3);
    // An unseen document, with names it never saw (first names outside the training list).
    let mut rng = Rng(99);
    let unseen = names(&mut rng, 5, &FIRST[12..]);
    let text = format!(
        "{} said the deal was wrong. The tax came up again on Monday. “The war is fine,” {} told reporters.",
        unseen[0], unseen[1]
    );
    p.documents.push(Document::new(
        "new".into(),
        DocSource::TextFile("new.txt".into()),
        crate::model::TextHash::of(""),
        text.as_str().into(),
    ));
    let cancel = AtomicBool::new(false);
    let model = train(&p, &control(&cancel)).unwrap();
    assert_eq!(model.labels.len(), 1, "only speaker had examples");
    assert_eq!(model.trained.documents, 30);
    let found = suggest(&p, &model, &control(&cancel));
    let here: Vec<&str> = found
        .iter()
        .filter(|x| x.doc == DocId(30))
        .map(|x| &text[x.start..x.end])
        .collect();
    assert_eq!(here, [unseen[0].as_str(), unseen[1].as_str()], "{found:?}");
    assert!(
        found
            .iter()
            .all(|x| x.source == SOURCE && x.label == "speaker")
    );
    // Nothing already tagged is proposed again.
    assert!(found.iter().all(|x| x.doc == DocId(30)), "{found:?}");
}

/// Names after "told" are tagged half the time: the model cannot tell which, and its
/// calibrated scores must say so. On held-out documents, every band of scores is right about
/// as often as it claims.
#[test]
fn scores_are_calibrated_on_held_out_documents() {
    let p = project(150, 50, 11);
    let cancel = AtomicBool::new(false);
    let e = evaluate::evaluate(&p, &control(&cancel)).unwrap();
    assert!(e.test_documents >= 15, "{}", e.test_documents);
    assert!(e.calibration_error < 0.1, "{}", e.to_text());
    // The unsure ones are in the middle, the sure ones high.
    assert!(
        e.reliability
            .iter()
            .any(|b| b.from >= 0.3 && b.to <= 0.7 && b.count > 20),
        "{}",
        e.to_text()
    );
    assert!(
        e.reliability.iter().any(|b| b.from >= 0.9 && b.right > 0.9),
        "{}",
        e.to_text()
    );
    // "said" is always tagged and always found.
    let sp = &e.labels[0];
    assert_eq!(sp.label, "speaker");
    assert!(
        sp.overlap.precision > 0.6 && sp.exact.recall > 0.7,
        "{}",
        e.to_text()
    );
    assert_eq!(e.curve.len(), 4);
}

/// A rejected suggestion teaches "not this": the model trained with the rejection scores that
/// span lower than the one trained without it, and never proposes it again.
#[test]
fn rejections_are_negative_examples() {
    let mut p = project(20, 100, 5);
    let cancel = AtomicBool::new(false);
    // "Budget Office" said something: shaped like a speaker, so a model proposes it; it was
    // proposed and rejected as a speaker six times.
    let text = "Budget Office said nothing. ".repeat(6);
    let mut d = Document::new(
        "r".into(),
        DocSource::TextFile("r.txt".into()),
        crate::model::TextHash::of(""),
        text.as_str().into(),
    );
    let mut sugg = Vec::new();
    for (k, (at, _)) in text.match_indices("Budget Office").enumerate() {
        sugg.push(Suggestion {
            id: crate::model::SpanId(10_000 + k as u64),
            start: at,
            end: at + "Budget Office".len(),
            label: "speaker".into(),
            text: "Budget Office".into(),
            attrs: Default::default(),
            source: "quotes".into(),
            score: Some(Score(0.9)),
            review: Review::Rejected,
            span: None,
            links: Vec::new(),
        });
    }
    d.set_suggestions(sugg);
    p.documents.push(d);
    let with = train(&p, &control(&cancel)).unwrap();
    assert_eq!(with.trained.rejections, 6);
    let found = suggest(&p, &with, &control(&cancel));
    assert!(
        !found.iter().any(|x| x.doc == DocId(20)),
        "a rejected span is never proposed again: {found:?}"
    );
    // In a fresh document: likely without the rejections, unlikely with them.
    let probe = "Budget Office said the plan was wrong.";
    let score = |m: &Model| {
        let c = &features::chunks(probe)[0];
        m.labels[0].crf.lattice(&c.seq, None).unwrap().span(0, 1)
    };
    p.documents.pop();
    let without = train(&p, &control(&cancel)).unwrap();
    assert!(score(&without) > 0.5, "{}", score(&without));
    assert!(score(&with) < 0.1, "{}", score(&with));
}

#[test]
fn a_project_without_spans_says_there_is_nothing_to_learn() {
    let mut p = project(3, 100, 1);
    for d in &mut p.documents {
        d.set_spans(Vec::new());
        d.status = Status::New;
    }
    let cancel = AtomicBool::new(false);
    let err = train(&p, &control(&cancel)).unwrap_err();
    assert!(err.contains("nothing to learn"), "{err}");
}

/// A retrained model's proposals replace the pending learned suggestions: those proposed
/// again keep their id, the others go, decided ones stay.
#[test]
fn refresh_keeps_ids_drops_the_stale_and_leaves_decisions() {
    let mut p = project(30, 100, 3);
    let cancel = AtomicBool::new(false);
    p.documents.iter_mut().take(2).for_each(|d| {
        d.set_spans(Vec::new());
        d.status = Status::New;
    });
    let model = train(&p, &control(&cancel)).unwrap();
    let found = suggest(&p, &model, &control(&cancel));
    assert!(!found.is_empty());
    let edit = refresh_edit(&p, &found).unwrap();
    p.apply(edit).unwrap();
    let pending = |p: &Project| -> Vec<(usize, usize, crate::model::SpanId)> {
        p.documents[0]
            .suggestions()
            .iter()
            .filter(|s| s.review == Review::Pending)
            .map(|s| (s.start, s.end, s.id))
            .collect()
    };
    let before = pending(&p);
    assert!(!before.is_empty());
    // Proposing the same again changes nothing.
    assert!(refresh_edit(&p, &found).is_none());
    // A model that proposes only the first one: the others go, the first keeps its id.
    let first = found.iter().find(|x| x.doc == DocId(0)).unwrap().clone();
    let kept = *before
        .iter()
        .find(|(a, b, _)| (*a, *b) == (first.start, first.end))
        .unwrap();
    let edit = refresh_edit(
        &p,
        &[Proposal {
            score: 0.3,
            ..first
        }],
    )
    .unwrap();
    p.apply(edit).unwrap();
    let after = pending(&p);
    assert_eq!(after, [kept]);
    assert_eq!(
        p.documents[0].suggestion(kept.2).unwrap().score,
        Some(Score(0.3))
    );
    assert!(
        p.documents[1]
            .suggestions()
            .iter()
            .all(|s| s.review != Review::Pending)
    );
}

#[test]
fn a_cached_model_reads_back_the_same() {
    let p = project(12, 100, 8);
    let cancel = AtomicBool::new(false);
    let model = train(&p, &control(&cancel)).unwrap();
    let bytes = cache::to_bytes(&model);
    let back = cache::from_bytes(&bytes).unwrap();
    assert_eq!(back.trained, model.trained);
    assert_eq!(back.labels[0].crf, model.labels[0].crf);
    assert!(cache::from_bytes(&bytes[..bytes.len() - 3]).is_none());
    assert!(cache::from_bytes(b"MARGLRN1garbage").is_none());
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
}

/// The window's first model on a large project: one pass over at most 150 documents spread
/// over the project, already proposing what it was shown, and never taken for the full model
/// by the cache.
#[test]
fn a_quick_first_model_learns_from_a_sample_and_is_never_cached_as_the_full_one() {
    let p = project(200, 100, 4);
    let cancel = AtomicBool::new(false);
    let quick = train_quick(&p, &control(&cancel)).unwrap();
    assert_eq!(quick.trained.documents, 150);
    assert_eq!(quick.trained.fingerprint, 0);
    assert_ne!(fingerprint(&p), 0);
    assert_eq!(quick.labels[0].calibration, Calibration::default());
    // One pass is enough for the pattern it was shown.
    let probe = "Rahul Gupta said the plan was wrong.";
    let c = &features::chunks(probe)[0];
    let p_speaker = quick.labels[0]
        .crf
        .lattice(&c.seq, None)
        .unwrap()
        .span(0, 1);
    assert!(p_speaker > 0.5, "{p_speaker}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.ron");
    cache::store(&file, &quick).unwrap();
    assert!(cache::load(&file, fingerprint(&p)).is_none());
}
