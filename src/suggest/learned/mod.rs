//! The learned suggester: a model trained on the project's own spans, proposing spans of
//! every label in every document, with calibrated scores so that the review queue can put
//! what it is unsure of first.
//!
//! One linear-chain CRF per label (`crf.rs`), so that spans of different labels may overlap
//! (an event inside a stance), over hashed token features (`features.rs`), trained on what
//! the annotators decided (`data.rs`: spans are positives, rejected suggestions negatives,
//! unread paragraphs unknown), its scores calibrated on held-out documents
//! (`calibrate.rs`). `evaluate.rs` measures it; `cache.rs` keeps a trained model beside the
//! project so that a window opened again does not train again.

pub mod cache;
pub mod calibrate;
pub mod crf;
pub mod data;
pub mod evaluate;
pub mod features;

use crate::model::{DocId, Document, Edit, Project, Review, Score, Suggestion};
use crate::suggest::{Control, Proposal};
use calibrate::Calibration;
use crf::{Accumulators, Allowed, B, Crf, I, Training};
use data::Example;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The `source` of the learned suggester's suggestions.
pub const SOURCE: &str = "learned";

/// The report's count of the documents the model was trained on.
pub const TRAINED_ON: &str = "documents the model learned from";

/// Spans the model thinks less likely than this are not proposed.
const MIN_SCORE: f64 = 0.05;

/// A trained model: one CRF per label that had examples, and what it was trained on.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Model {
    pub labels: Vec<LabelModel>,
    pub trained: Trained,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabelModel {
    pub label: String,
    #[serde(skip, default = "empty_crf")]
    pub crf: Crf,
    pub calibration: Calibration,
    /// Spans of this label it was trained on.
    pub positives: usize,
}

fn empty_crf() -> Crf {
    Crf::new(0)
}

/// What a model was trained on, shown in the window and the CLI.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trained {
    pub documents: usize,
    pub spans: usize,
    pub rejections: usize,
    pub tokens: usize,
    pub millis: u64,
    /// Of the project's teaching content: a cached model with another fingerprint is stale.
    pub fingerprint: u64,
}

/// Runs `f` over `items` on all cores (contiguous blocks), results in order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(items.len().max(1));
    let per = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|block| scope.spawn(move || block.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The fingerprint of everything training reads: labels, and per teaching document its text
/// hash, status, spans and decided suggestions.
pub fn fingerprint(project: &Project) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for l in &project.schema.labels {
        l.name.hash(&mut h);
    }
    for (i, d) in project.documents.iter().enumerate() {
        if !data::teaches(d) {
            continue;
        }
        (i, &d.hash, d.text.len(), d.status as u8).hash(&mut h);
        for s in d.spans() {
            (s.start, s.end, &s.label).hash(&mut h);
        }
        for s in d
            .suggestions()
            .iter()
            .filter(|s| s.review == Review::Rejected)
        {
            (s.start, s.end, &s.label).hash(&mut h);
        }
    }
    h.finish()
}

/// A label's model while it trains: its weights and AdaGrad's sums.
type State = (Crf, Accumulators);

/// Trains one CRF per label on `examples` (labels on separate threads) for `epochs` passes,
/// from `start` (warm) or from zero.
fn fit(
    examples: &[&Example],
    labels: usize,
    epochs: usize,
    start: Option<Vec<State>>,
    settings: &Training,
    control: &Control<'_>,
) -> Vec<State> {
    let mut start: Vec<Option<State>> = match start {
        Some(s) => s.into_iter().map(Some).collect(),
        None => (0..labels).map(|_| None).collect(),
    };
    let jobs: Vec<(usize, std::sync::Mutex<Option<State>>)> = start
        .iter_mut()
        .map(Option::take)
        .enumerate()
        .map(|(k, s)| (k, std::sync::Mutex::new(s)))
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = (labels * epochs).max(1) as f32;
    parallel_map(&jobs, |(k, state)| {
        let k = *k;
        let (mut crf, mut g2) = state
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .unwrap_or_else(|| {
                let crf = Crf::new(features::BUCKETS);
                let g2 = Accumulators::for_model(&crf);
                (crf, g2)
            });
        let data: Vec<(&crf::Sequence, &[Allowed])> = examples
            .iter()
            .filter_map(|e| Some((&e.chunk.seq, e.allowed.get(k)?.as_slice())))
            .collect();
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut seed = settings.seed ^ (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for _ in 0..epochs {
            if control.cancelled() {
                break;
            }
            // Fisher–Yates with xorshift: the same project trains the same model.
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            crf.train_pass(&data, &order, &mut g2, settings);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            (control.progress)(n as f32 / total);
        }
        (crf, g2)
    })
}

/// The token ranges `first..=last` of the spans a tag sequence (or single-tag constraints)
/// spells.
fn spans_of(tags: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut n = 0;
    for (t, tag) in tags.enumerate() {
        n = t + 1;
        if tag != I
            && let Some(s) = open.take()
        {
            out.push((s, t - 1));
        }
        if tag == B {
            open = Some(t);
        }
    }
    if let Some(s) = open {
        out.push((s, n - 1));
    }
    out
}

/// The gold tag of each token where the constraints name exactly one (`None` elsewhere).
fn known_tags(allowed: &[Allowed]) -> Option<Vec<usize>> {
    allowed
        .iter()
        .map(|&a| (a.count_ones() == 1).then(|| a.trailing_zeros() as usize))
        .collect()
}

/// A span the model found: which label (index into [`Model::labels`]), its tokens, and its
/// probability under the model before and after calibration.
struct Found {
    label: usize,
    tokens: (usize, usize),
    raw: f64,
    score: f64,
    /// On the model's single likeliest reading (Viterbi): what it asserts, as a tagger
    /// would output; the others are there for review.
    best: bool,
}

/// A span is looked for from every token whose probability of beginning one reaches this,
/// so that the spans the model is unsure of are proposed too (they are the ones worth a
/// reviewer's time), not only its single best reading.
const CANDIDATE: f64 = 0.1;

/// Longest span proposed, in tokens (a long quotation).
const MAX_SPAN_TOKENS: usize = 120;

/// The CRFs of a model with their calibration, and a scorer over all of them.
struct Models<'a> {
    labels: Vec<(&'a Crf, Calibration)>,
    scorer: crf::Scorer,
}

impl Model {
    fn models(&self) -> Models<'_> {
        Models::new(
            self.labels
                .iter()
                .map(|l| (&l.crf, l.calibration))
                .collect(),
        )
    }
}

impl<'a> Models<'a> {
    fn new(labels: Vec<(&'a Crf, Calibration)>) -> Self {
        let crfs: Vec<&Crf> = labels.iter().map(|(c, _)| *c).collect();
        let scorer = crf::Scorer::new(&crfs);
        Self { labels, scorer }
    }
}

/// The spans each label's CRF finds in a chunk: those of its likeliest reading (Viterbi),
/// then the likeliest span from every other token likely enough to begin one, likeliest
/// first, none overlapping another of its label.
fn find(models: &Models<'_>, seq: &crf::Sequence) -> Vec<Found> {
    let mut out = Vec::new();
    let emissions = models.scorer.scores(seq);
    for (k, ((crf, cal), emission)) in models.labels.iter().zip(emissions).enumerate() {
        let Some(lattice) = crf.lattice_scored(emission, None) else {
            continue;
        };
        // Its likeliest reading first (those spans never overlap), then the others,
        // likeliest first.
        let mut candidates: Vec<(f64, usize, usize, bool)> =
            spans_of(crf.viterbi_on(&lattice).into_iter())
                .into_iter()
                .map(|(first, last)| (lattice.span(first, last), first, last, true))
                .collect();
        let mut others: Vec<(f64, usize, usize, bool)> = (0..lattice.len())
            .filter(|&t| lattice.marginal(t)[B] >= CANDIDATE)
            .filter_map(|t| {
                let (last, p) = lattice.best_span_from(t, MAX_SPAN_TOKENS, CANDIDATE)?;
                Some((p, t, last, false))
            })
            .collect();
        others.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.extend(others);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for (raw, first, last, best) in candidates {
            if taken.iter().any(|&(a, b)| first <= b && a <= last) {
                continue;
            }
            taken.push((first, last));
            out.push(Found {
                label: k,
                tokens: (first, last),
                raw,
                score: cal.apply(raw),
                best,
            });
        }
    }
    out
}

/// Splits documents in two by a hash of their id: about every fifth one held out. `salt`
/// makes independent splits (evaluation's test documents, calibration's within training).
fn held_out(doc: &Document, salt: u64) -> bool {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (salt, &doc.id).hash(&mut h);
    h.finish().is_multiple_of(5)
}

/// `(model probability, right)` of every span `crfs` find in the fully known chunks of
/// `test`, per label.
fn held_out_points(crfs: &[State], test: &[&Example]) -> Vec<Vec<(f64, bool)>> {
    let models = Models::new(
        crfs.iter()
            .map(|(c, _)| (c, Calibration::default()))
            .collect(),
    );
    let mut points = vec![Vec::new(); crfs.len()];
    for e in test {
        for f in find(&models, &e.chunk.seq) {
            let Some(gold) = e.allowed.get(f.label).and_then(|a| known_tags(a)) else {
                continue;
            };
            let right = spans_of(gold.into_iter()).contains(&f.tokens);
            if let Some(p) = points.get_mut(f.label) {
                p.push((f.raw, right));
            }
        }
    }
    points
}

/// Labels of the schema, and the teaching documents of the project.
fn labels_and_docs(project: &Project) -> (Vec<String>, Vec<DocId>) {
    let labels = project
        .schema
        .labels
        .iter()
        .map(|l| l.name.clone())
        .collect();
    let docs = (0..project.documents.len())
        .map(DocId)
        .filter(|&d| project.doc(d).is_some_and(data::teaches))
        .collect();
    (labels, docs)
}

/// Trains a model on everything the project's annotators decided. Scores are calibrated on
/// a fifth of the documents held out (when there are at least ten), then the model is
/// trained again on all of them.
pub fn train(project: &Project, control: &Control<'_>) -> Result<Model, String> {
    let (labels, docs) = labels_and_docs(project);
    let mut model = train_on(project, &labels, &docs, control, Training::default())?;
    model.trained.fingerprint = fingerprint(project);
    Ok(model)
}

/// Documents a quick first model learns from at most.
const QUICK_DOCS: usize = 150;

/// More documents to learn from than this, and a window asking for a model gets a quick
/// one first (see [`model_for`]).
const QUICK_FIRST: usize = 100;

/// A first model in a fraction of the time: one pass over at most [`QUICK_DOCS`] documents
/// spread over the project, its scores the model's own (not calibrated). The window shows
/// its suggestions at once on a large project and trains the full model right after. Its
/// fingerprint is 0: a cache never takes it for the full model.
pub fn train_quick(project: &Project, control: &Control<'_>) -> Result<Model, String> {
    let (labels, all) = labels_and_docs(project);
    quick_on(project, &labels, &all, control)
}

fn quick_on(
    project: &Project,
    labels: &[String],
    all: &[DocId],
    control: &Control<'_>,
) -> Result<Model, String> {
    let n = all.len().min(QUICK_DOCS);
    let docs: Vec<DocId> = (0..n)
        .filter_map(|j| all.get(j * all.len() / n.max(1)).copied())
        .collect();
    let settings = Training {
        epochs: 1,
        ..Training::default()
    };
    train_on(project, labels, &docs, control, settings)
}

/// [`train`] on some of the documents only (evaluation holds the others out).
fn train_on(
    project: &Project,
    labels: &[String],
    docs: &[DocId],
    control: &Control<'_>,
    settings: Training,
) -> Result<Model, String> {
    let started = std::time::Instant::now();
    let examples = data::examples_of(project, docs, labels);
    let positives: Vec<usize> = (0..labels.len())
        .map(|k| {
            examples
                .iter()
                .filter_map(|e| e.allowed.get(k))
                .map(|a| a.iter().filter(|&&x| x == crf::only(B)).count())
                .sum()
        })
        .collect();
    if positives.iter().all(|&n| n == 0) {
        return Err("nothing to learn from yet: tag a few spans first (the learned suggester trains on the project's own spans)".to_owned());
    }
    let mut calibration = vec![Calibration::default(); labels.len()];
    let all: Vec<&Example> = examples.iter().collect();
    let (test, train): (Vec<&Example>, Vec<&Example>) = examples
        .iter()
        .partition(|e| project.doc(e.doc).is_some_and(|d| held_out(d, 0)));
    let calibrating = settings.epochs > 1 && docs.len() >= 10;
    let states = if calibrating && !test.is_empty() && !train.is_empty() {
        // Train on four fifths, see how often its spans are right on the last fifth, then
        // go on training the same weights on everything for a few passes: calibrated
        // scores for about the price of one training.
        let first = Control {
            progress: &|f| (control.progress)(f * 0.8),
            cancel: control.cancel,
        };
        let states = fit(
            &train,
            labels.len(),
            settings.epochs,
            None,
            &settings,
            &first,
        );
        for (k, pts) in held_out_points(&states, &test).into_iter().enumerate() {
            if let Some(c) = calibration.get_mut(k) {
                *c = Calibration::fit(&pts);
            }
        }
        let rest = Control {
            progress: &|f| (control.progress)(0.8 + f * 0.2),
            cancel: control.cancel,
        };
        let more = (settings.epochs / 4).max(2);
        fit(&all, labels.len(), more, Some(states), &settings, &rest)
    } else {
        fit(
            &all,
            labels.len(),
            settings.epochs,
            None,
            &settings,
            control,
        )
    };
    if control.cancelled() {
        return Err("cancelled".to_owned());
    }
    let crfs = states.into_iter().map(|(c, _)| c);
    let models = labels
        .iter()
        .zip(crfs)
        .zip(calibration)
        .zip(&positives)
        .filter(|(_, n)| **n > 0)
        .map(|(((label, crf), calibration), &positives)| LabelModel {
            label: label.clone(),
            crf,
            calibration,
            positives,
        })
        .collect();
    Ok(Model {
        labels: models,
        trained: Trained {
            documents: docs.len(),
            spans: positives.iter().sum(),
            rejections: docs
                .iter()
                .filter_map(|&d| project.doc(d))
                .map(|d| {
                    d.suggestions()
                        .iter()
                        .filter(|s| s.review == Review::Rejected)
                        .count()
                })
                .sum(),
            tokens: examples.iter().map(|e| e.chunk.tokens.len()).sum(),
            millis: started.elapsed().as_millis() as u64,
            // Set by the callers that train on the whole project.
            fingerprint: 0,
        },
    })
}

/// A span the model proposes in a document.
struct Predicted {
    /// Index into [`Model::labels`].
    label: usize,
    range: Range<usize>,
    score: f64,
    /// On its likeliest reading (see [`Found::best`]).
    best: bool,
}

/// The spans the model proposes in one document.
fn predict(models: &Models<'_>, text: &str) -> Vec<Predicted> {
    let mut out = Vec::new();
    for chunk in features::chunks(text) {
        for f in find(models, &chunk.seq) {
            let (Some(a), Some(b)) = (chunk.tokens.get(f.tokens.0), chunk.tokens.get(f.tokens.1))
            else {
                continue;
            };
            if f.score >= MIN_SCORE || f.best {
                out.push(Predicted {
                    label: f.label,
                    range: a.start..b.end,
                    score: f.score,
                    best: f.best,
                });
            }
        }
    }
    out
}

/// What the model proposes over the whole project, leaving out what a span of the label
/// already covers (in part or whole) and what was rejected before (from any source).
pub fn suggest(project: &Project, model: &Model, control: &Control<'_>) -> Vec<Proposal> {
    let models = model.models();
    crate::suggest::per_document(project, control, |id, doc| {
        predict(&models, &doc.text)
            .into_iter()
            .filter_map(
                |Predicted {
                     label,
                     range: r,
                     score,
                     ..
                 }| {
                    let label = &model.labels.get(label)?.label;
                    let annotated = doc
                        .spans_overlapping(r.start, r.end)
                        .iter()
                        .any(|s| &s.label == label);
                    let rejected = doc.suggestions_overlapping(r.start, r.end).iter().any(|s| {
                        s.review == Review::Rejected
                            && &s.label == label
                            && s.start == r.start
                            && s.end == r.end
                    });
                    (!annotated && !rejected).then(|| Proposal {
                        doc: id,
                        start: r.start,
                        end: r.end,
                        label: label.clone(),
                        attrs: Default::default(),
                        score: score as f32,
                        source: SOURCE.to_owned(),
                        links: Vec::new(),
                    })
                },
            )
            .collect()
    })
}

/// Where [`model_for`]'s model came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from the cache beside the project: trained on what the project holds now.
    Cached,
    /// Trained now, on the whole project (and cached for next time).
    Trained,
    /// The quick one-pass model ([`train_quick`]): the full one is still to train.
    Quick,
}

/// The model for `project`, whose [`fingerprint`] is `print` (the caller's, computed once):
/// the one cached beside `project_file` if it was trained on what the project holds now,
/// else a new one, cached for next time. With `quick_first`, a project with more than
/// [`QUICK_FIRST`] documents to learn from gets the quick model instead, not cached.
pub fn model_for(
    project: &Project,
    project_file: Option<&std::path::Path>,
    print: u64,
    quick_first: bool,
    control: &Control<'_>,
) -> Result<(Model, Origin), String> {
    if let Some(m) = project_file.and_then(|f| cache::load(f, print)) {
        return Ok((m, Origin::Cached));
    }
    let (labels, docs) = labels_and_docs(project);
    if quick_first && docs.len() > QUICK_FIRST {
        return Ok((quick_on(project, &labels, &docs, control)?, Origin::Quick));
    }
    let mut model = train_on(project, &labels, &docs, control, Training::default())?;
    model.trained.fingerprint = print;
    if let Some(f) = project_file {
        // A cache that cannot be written only costs training again next time.
        let _ = cache::store(f, &model);
    }
    Ok((model, Origin::Trained))
}

/// Trains (or takes the cached model) and proposes: the suggester's whole run.
pub fn run(
    project: &Project,
    project_file: Option<&std::path::Path>,
    control: &Control<'_>,
    report: &mut crate::formats::Report,
) -> Result<Vec<Proposal>, String> {
    let train_part = Control {
        progress: &|f| (control.progress)(f * 0.9),
        cancel: control.cancel,
    };
    let (model, origin) = model_for(
        project,
        project_file,
        fingerprint(project),
        false,
        &train_part,
    )?;
    report.count(TRAINED_ON, model.trained.documents);
    report.count("spans the model learned from", model.trained.spans);
    if origin != Origin::Cached {
        report.count("milliseconds training", model.trained.millis as usize);
    }
    let predict_part = Control {
        progress: &|f| (control.progress)(0.9 + f * 0.1),
        cancel: control.cancel,
    };
    let started = std::time::Instant::now();
    let found = suggest(project, &model, &predict_part);
    report.count(
        "milliseconds proposing",
        started.elapsed().as_millis() as usize,
    );
    Ok(found)
}

/// One edit that brings the pending learned suggestions up to date with `proposals` (a new
/// model's): those it no longer proposes go, new ones come, and those it proposes again keep
/// their id (the one under review stays under review) with the new score. Decided
/// suggestions are never touched.
pub fn refresh_edit(project: &Project, proposals: &[Proposal]) -> Option<Edit> {
    use std::collections::HashMap;
    let mut wanted: HashMap<(DocId, usize, usize, &str), f32> = proposals
        .iter()
        .map(|p| ((p.doc, p.start, p.end, p.label.as_str()), p.score))
        .collect();
    let mut edits = Vec::new();
    for (i, doc) in project.documents.iter().enumerate() {
        for s in doc
            .suggestions()
            .iter()
            .filter(|s| s.source == SOURCE && s.review == Review::Pending)
        {
            let key = (DocId(i), s.start, s.end, s.label.as_str());
            match wanted.remove(&key) {
                Some(score) if s.score.is_some_and(|x| (x.0 - score).abs() < 0.005) => {}
                Some(score) => {
                    let mut again: Suggestion = s.clone();
                    again.score = Some(Score(score));
                    edits.push(Edit::RemoveSuggestion {
                        doc: DocId(i),
                        id: s.id,
                    });
                    edits.push(Edit::AddSuggestion {
                        doc: DocId(i),
                        suggestion: again,
                    });
                }
                None => edits.push(Edit::RemoveSuggestion {
                    doc: DocId(i),
                    id: s.id,
                }),
            }
        }
    }
    let fresh: Vec<Proposal> = proposals
        .iter()
        .filter(|p| wanted.contains_key(&(p.doc, p.start, p.end, p.label.as_str())))
        .cloned()
        .collect();
    let mut report = crate::formats::Report::default();
    if let Some(add) = crate::suggest::proposals_edit(project, &fresh, &mut report) {
        edits.push(add);
    }
    (!edits.is_empty()).then_some(Edit::Batch(edits))
}

#[cfg(test)]
mod tests;
