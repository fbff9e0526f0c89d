//! Turning a span's probability under the model into a score that is right as often as it
//! says. A CRF trained to fit its documents is over-confident on documents it has not seen,
//! so the suggester holds some documents out, sees how often its spans there are right, and
//! fits Platt's scaling (a logistic curve over the logit of the model's probability) to that.
//! The reliability table shows whether it worked: in each band of scores, the share right.

use serde::{Deserialize, Serialize};

/// `score = sigmoid(a * logit(p) + b)`; the identity is `a = 1, b = 0`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub a: f64,
    pub b: f64,
}

impl Default for Calibration {
    fn default() -> Self {
        Self { a: 1.0, b: 0.0 }
    }
}

/// Fewer held-out spans than this and the scores stay the model's own.
const MIN_POINTS: usize = 30;

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Calibration {
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a * logit(p) + self.b)
    }

    /// Fits the curve to `(model probability, was right)` pairs by Newton's method on the
    /// log loss, with Platt's smoothed targets so that a perfect separation stays finite.
    pub fn fit(points: &[(f64, bool)]) -> Self {
        if points.len() < MIN_POINTS {
            return Self::default();
        }
        let pos = points.iter().filter(|p| p.1).count() as f64;
        let neg = points.len() as f64 - pos;
        let (t1, t0) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
        let target = |right: bool| if right { t1 } else { t0 };
        let loss = |a: f64, b: f64| -> f64 {
            points
                .iter()
                .map(|&(p, right)| {
                    let q = sigmoid(a * logit(p) + b).clamp(1e-12, 1.0 - 1e-12);
                    let t = target(right);
                    -(t * q.ln() + (1.0 - t) * (1.0 - q).ln())
                })
                .sum()
        };
        let (mut a, mut b) = (1.0f64, 0.0f64);
        let mut current = loss(a, b);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
            for &(p, right) in points {
                let x = logit(p);
                let q = sigmoid(a * x + b);
                let d = q - target(right);
                ga += d * x;
                gb += d;
                let w = q * (1.0 - q);
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            // Newton's step, halved until the loss goes down (a full step can overshoot
            // where the scores are all near 0 or 1).
            let mut step = 1.0;
            let mut moved = false;
            while step > 1e-4 {
                let (na, nb) = (a - step * da, b - step * db);
                let l = loss(na, nb);
                if l < current {
                    (a, b, current, moved) = (na, nb, l, true);
                    break;
                }
                step /= 2.0;
            }
            if !moved || (da.abs() + db.abs()) * step < 1e-9 {
                break;
            }
        }
        if a.is_finite() && b.is_finite() && a > 0.0 {
            Self { a, b }
        } else {
            Self::default()
        }
    }
}

/// One band of the reliability table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub count: usize,
    pub mean_score: f64,
    /// Share of the band's suggestions that were right.
    pub right: f64,
}

/// Scores in ten bands of 0.1, with the share right in each (empty bands left out).
pub fn reliability(points: &[(f64, bool)]) -> Vec<Band> {
    (0..10)
        .filter_map(|k| {
            let (from, to) = (k as f64 / 10.0, (k + 1) as f64 / 10.0);
            let inside: Vec<_> = points
                .iter()
                .filter(|(s, _)| *s >= from && (*s < to || (k == 9 && *s <= 1.0)))
                .collect();
            (!inside.is_empty()).then(|| Band {
                from,
                to,
                count: inside.len(),
                mean_score: inside.iter().map(|p| p.0).sum::<f64>() / inside.len() as f64,
                right: inside.iter().filter(|p| p.1).count() as f64 / inside.len() as f64,
            })
        })
        .collect()
}

/// Expected calibration error: the mean gap between score and share right, weighted by band.
pub fn calibration_error(bands: &[Band]) -> f64 {
    let n: usize = bands.iter().map(|b| b.count).sum();
    if n == 0 {
        return 0.0;
    }
    bands
        .iter()
        .map(|b| b.count as f64 * (b.mean_score - b.right).abs())
        .sum::<f64>()
        / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An over-confident model (it says 0.95 when it is right 60% of the time) is scaled down
    /// to about 0.6.
    #[test]
    fn overconfidence_is_scaled_down() {
        let mut pts = Vec::new();
        for i in 0..1000 {
            pts.push((0.95, i % 10 < 6));
            pts.push((0.55, i % 10 < 2));
        }
        let c = Calibration::fit(&pts);
        assert!((c.apply(0.95) - 0.6).abs() < 0.03, "{}", c.apply(0.95));
        assert!((c.apply(0.55) - 0.2).abs() < 0.03, "{}", c.apply(0.55));
        let after: Vec<_> = pts.iter().map(|&(p, r)| (c.apply(p), r)).collect();
        assert!(calibration_error(&reliability(&after)) < 0.03);
        assert!(calibration_error(&reliability(&pts)) > 0.3);
    }

    #[test]
    fn too_few_points_keep_the_scores() {
        assert_eq!(Calibration::fit(&[(0.9, false)]), Calibration::default());
    }
}
