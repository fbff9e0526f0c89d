//! How good the learned suggester is on this project, measured as INCEpTION's evaluation
//! does: train on some annotated documents, propose on the others, compare with what the
//! annotators tagged there. Per label: precision, recall and F1, exact (same bounds) and
//! overlapping; a learning curve (F1 with 10%, 25%, 50% and all of the training
//! documents), and the reliability of the scores on the held-out documents.

use super::calibrate::{Band, calibration_error, reliability};
use super::crf::Training;
use super::{Model, held_out, labels_and_docs, predict, train_on};
use crate::model::{DocId, Project, Status};
use crate::suggest::Control;
use serde::Serialize;

/// Precision, recall and F1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(right_predicted: usize, predicted: usize, right_gold: usize, gold: usize) -> Self {
        let precision = ratio(right_predicted, predicted);
        let recall = ratio(right_gold, gold);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[derive(Clone, Debug, Serialize)]
pub struct LabelScores {
    pub label: String,
    /// Spans the annotators tagged in the test documents.
    pub gold: usize,
    pub predicted: usize,
    pub exact: Prf,
    pub overlap: Prf,
}

/// F1 (exact) after training on a share of the training documents.
#[derive(Clone, Debug, Serialize)]
pub struct CurvePoint {
    pub share: f64,
    pub documents: usize,
    /// All labels together.
    pub f1: f64,
    pub per_label: Vec<(String, f64)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub train_documents: usize,
    pub test_documents: usize,
    /// The ids of the test documents, so that another tool can be measured on the same split
    /// (`benches/learned_vs_spacy.py`).
    pub test_ids: Vec<String>,
    pub labels: Vec<LabelScores>,
    /// All labels together (micro-averaged).
    pub all_exact: Prf,
    pub all_overlap: Prf,
    pub curve: Vec<CurvePoint>,
    pub reliability: Vec<Band>,
    /// Mean gap between score and share right over the bands (0 is perfect).
    pub calibration_error: f64,
    /// Training on all the training documents, calibration included.
    pub train_seconds: f64,
    /// Proposing in every test document.
    pub predict_seconds: f64,
}

/// The shares of the training documents the learning curve trains on.
pub const SHARES: [f64; 4] = [0.1, 0.25, 0.5, 1.0];

/// Scores of one model on the test documents: per label, all labels, and the
/// `(score, exactly right)` pairs for the reliability table.
fn score(
    project: &Project,
    model: &Model,
    test: &[DocId],
    labels: &[String],
) -> (Vec<LabelScores>, Prf, Prf, Vec<(f64, bool)>) {
    let models = model.models();
    let found = super::parallel_map(test, |&d| {
        project
            .doc(d)
            .map(|doc| predict(&models, &doc.text))
            .unwrap_or_default()
    });
    let mut out = Vec::new();
    let mut points = Vec::new();
    let mut totals = [0usize; 6];
    for label in labels {
        let k = model.labels.iter().position(|l| &l.label == label);
        let (mut gold_n, mut pred_n, mut exact_p, mut exact_g, mut over_p, mut over_g) =
            (0, 0, 0, 0, 0, 0);
        for (&d, pred) in test.iter().zip(&found) {
            let Some(doc) = project.doc(d) else { continue };
            let gold: Vec<_> = doc.spans().iter().filter(|s| &s.label == label).collect();
            let mine: Vec<_> = pred.iter().filter(|p| Some(p.label) == k).collect();
            for p in &mine {
                let r = &p.range;
                points.push((
                    p.score,
                    gold.iter().any(|g| g.start == r.start && g.end == r.end),
                ));
            }
            // The model asserts its likeliest reading; the other spans are for review only.
            let mine: Vec<_> = mine
                .into_iter()
                .filter(|p| p.best)
                .map(|p| (p.range.clone(), p.score))
                .collect();
            gold_n += gold.len();
            pred_n += mine.len();
            for (r, _) in &mine {
                exact_p += usize::from(gold.iter().any(|g| g.start == r.start && g.end == r.end));
                over_p += usize::from(gold.iter().any(|g| g.start < r.end && r.start < g.end));
            }
            for g in &gold {
                exact_g += usize::from(
                    mine.iter()
                        .any(|(r, _)| g.start == r.start && g.end == r.end),
                );
                over_g += usize::from(mine.iter().any(|(r, _)| g.start < r.end && r.start < g.end));
            }
        }
        for (t, x) in totals
            .iter_mut()
            .zip([gold_n, pred_n, exact_p, exact_g, over_p, over_g])
        {
            *t += x;
        }
        out.push(LabelScores {
            label: label.clone(),
            gold: gold_n,
            predicted: pred_n,
            exact: Prf::new(exact_p, pred_n, exact_g, gold_n),
            overlap: Prf::new(over_p, pred_n, over_g, gold_n),
        });
    }
    let [gold, pred, ep, eg, op, og] = totals;
    (
        out,
        Prf::new(ep, pred, eg, gold),
        Prf::new(op, pred, og, gold),
        points,
    )
}

/// Trains on about four fifths of the fully annotated documents (and every partly annotated
/// one), tests on the rest. Errors when there is too little to split.
pub fn evaluate(project: &Project, control: &Control<'_>) -> Result<Evaluation, String> {
    let (labels, docs) = labels_and_docs(project);
    let finished = |d: DocId| {
        project.doc(d).is_some_and(|doc| {
            doc.status == Status::Done || (doc.status == Status::New && !doc.spans().is_empty())
        })
    };
    let (test, train): (Vec<DocId>, Vec<DocId>) = docs
        .iter()
        .partition(|&&d| finished(d) && project.doc(d).is_some_and(|doc| held_out(doc, 1)));
    if test.is_empty() || train.len() < 2 {
        return Err(format!(
            "too few annotated documents to evaluate: {} to train on and {} to test on (annotate or finish at least ten)",
            train.len(),
            test.len()
        ));
    }
    let mut curve = Vec::new();
    let mut last = None;
    for (i, share) in SHARES.iter().enumerate() {
        let n = ((train.len() as f64 * share).round() as usize).clamp(1, train.len());
        let sub = Control {
            progress: &|f| (control.progress)((i as f32 + f) / SHARES.len() as f32),
            cancel: control.cancel,
        };
        let started = std::time::Instant::now();
        // Documents are in corpus order: a share is spread over the corpus, not its start.
        let some: Vec<DocId> = (0..n)
            .filter_map(|j| train.get(j * train.len() / n).copied())
            .collect();
        let Ok(model) = train_on(project, &labels, &some, &sub, Training::default()) else {
            // No spans yet in so few documents: nothing learned, F1 of nothing.
            curve.push(CurvePoint {
                share: *share,
                documents: n,
                f1: 0.0,
                per_label: labels.iter().map(|l| (l.clone(), 0.0)).collect(),
            });
            continue;
        };
        let train_seconds = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let (per_label, exact, overlap, points) = score(project, &model, &test, &labels);
        let predict_seconds = started.elapsed().as_secs_f64();
        curve.push(CurvePoint {
            share: *share,
            documents: n,
            f1: exact.f1,
            per_label: per_label
                .iter()
                .map(|l| (l.label.clone(), l.exact.f1))
                .collect(),
        });
        last = Some((
            per_label,
            exact,
            overlap,
            points,
            train_seconds,
            predict_seconds,
        ));
        if control.cancelled() {
            return Err("cancelled".to_owned());
        }
    }
    let Some((per_label, exact, overlap, points, train_seconds, predict_seconds)) = last else {
        return Err("nothing to learn from: the training documents have no spans".to_owned());
    };
    let bands = reliability(&points);
    Ok(Evaluation {
        train_documents: train.len(),
        test_documents: test.len(),
        test_ids: test
            .iter()
            .filter_map(|&d| project.doc(d).map(|doc| doc.id.clone()))
            .collect(),
        labels: per_label,
        all_exact: exact,
        all_overlap: overlap,
        curve,
        calibration_error: calibration_error(&bands),
        reliability: bands,
        train_seconds,
        predict_seconds,
    })
}

impl Evaluation {
    /// The report as text, for the terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Trained on {} documents, tested on {} (every fifth finished document, by id).\n",
            self.train_documents, self.test_documents
        );
        let _ = writeln!(
            s,
            "{:<16} {:>6} {:>6}   {:>5} {:>5} {:>5}   {:>5} {:>5} {:>5}",
            "label", "gold", "found", "P", "R", "F1", "P~", "R~", "F1~"
        );
        let row = |s: &mut String, name: &str, gold: usize, found: usize, e: &Prf, o: &Prf| {
            let _ = writeln!(
                s,
                "{:<16} {:>6} {:>6}   {:>5.3} {:>5.3} {:>5.3}   {:>5.3} {:>5.3} {:>5.3}",
                name, gold, found, e.precision, e.recall, e.f1, o.precision, o.recall, o.f1
            );
        };
        for l in &self.labels {
            row(&mut s, &l.label, l.gold, l.predicted, &l.exact, &l.overlap);
        }
        let gold = self.labels.iter().map(|l| l.gold).sum();
        let found = self.labels.iter().map(|l| l.predicted).sum();
        row(
            &mut s,
            "all",
            gold,
            found,
            &self.all_exact,
            &self.all_overlap,
        );
        let _ = writeln!(
            s,
            "(its likeliest reading, as a tagger outputs; P R F1: exact bounds; P~ R~ F1~: overlapping)\n"
        );
        let _ = writeln!(s, "Learning curve (exact F1, all labels):");
        for p in &self.curve {
            let _ = writeln!(
                s,
                "  {:>4.0}% of training documents ({:>5}): {:.3}",
                p.share * 100.0,
                p.documents,
                p.f1
            );
        }
        let _ = writeln!(
            s,
            "\nScores against the share right, on the test documents (calibration error {:.3}):",
            self.calibration_error
        );
        for b in &self.reliability {
            let _ = writeln!(
                s,
                "  {:.1}-{:.1}: {:>6} suggestions, mean score {:.2}, right {:.2}",
                b.from, b.to, b.count, b.mean_score, b.right
            );
        }
        let _ = writeln!(
            s,
            "\nTraining took {:.2} s; proposing in the {} test documents {:.2} s.",
            self.train_seconds, self.test_documents, self.predict_seconds
        );
        s
    }
}
