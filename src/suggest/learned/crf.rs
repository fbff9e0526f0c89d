//! A linear-chain conditional random field over three tags (outside, begin, inside) for one
//! label, with hashed features, trained by stochastic gradient (AdaGrad) on sequences whose
//! tags may be only partly known.
//!
//! Written here rather than taken from a crate because three things the suggester needs are
//! in none of them (`crfs`, a port of CRFsuite, trains by batch L-BFGS over string features):
//! - the probability of a whole *span* (its first token begins it, the next ones continue it
//!   and the token after it does not), which is the score shown to the reviewer;
//! - training on partly known tags: a rejected suggestion says "not this label here" and
//!   nothing about the rest of the paragraph, so only those tokens are constrained and the
//!   others are summed over;
//! - a few passes of online updates, which train 1,000 articles in seconds.
//!
//! The forward-backward pass is scaled (each position's forward vector sums to 1, the scales
//! kept) rather than computed in logarithms: three tags need no `ln`/`exp` per pair.
//!
//! Indexing: the crate denies unchecked indexing so that user data cannot crash the app.
//! This numeric kernel is the one exception: every index is a tag (`0..TAGS` into arrays of
//! `TAGS`) or a position below the length of vectors built here to that length, never a
//! value read from a file. Feature ids, which come from hashing text, are looked up with
//! `get`; the public lattice queries check their positions. (Loops over tag indices stay
//! loops: the sums read as the formulas they are.)
#![allow(clippy::indexing_slicing, clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

/// The three tags. `I` may only follow `B` or `I`.
pub const O: usize = 0;
pub const B: usize = 1;
pub const I: usize = 2;
pub const TAGS: usize = 3;

/// Which tags a token may take, as bits (`1 << O`, ...). Training constrains each token to its
/// set: one bit where the annotation says, all three where nothing is known.
pub type Allowed = u8;
pub const ANY: Allowed = 0b111;

pub fn only(tag: usize) -> Allowed {
    1 << tag
}

/// One sequence: the hashed feature ids of each token (`feats[starts[t]..starts[t + 1]]`).
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    pub feats: Vec<u32>,
    pub starts: Vec<u32>,
}

impl Sequence {
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn token(&self, t: usize) -> &[u32] {
        match (self.starts.get(t), self.starts.get(t + 1)) {
            (Some(&a), Some(&b)) => self.feats.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The weights: per feature bucket one weight per tag, per tag pair one transition weight,
/// and one start weight per tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crf {
    /// `buckets * TAGS`, feature-major.
    pub emit: Vec<f32>,
    /// `[from][to]`.
    pub trans: [[f32; TAGS]; TAGS],
    pub start: [f32; TAGS],
}

/// Training settings.
#[derive(Clone, Copy, Debug)]
pub struct Training {
    pub epochs: usize,
    pub rate: f32,
    /// L2 penalty, applied to the weights a sequence touches.
    pub l2: f32,
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            epochs: 6,
            rate: 0.08,
            l2: 1e-5,
            seed: 7,
        }
    }
}

/// Marginals of one sequence under the model (optionally constrained).
pub struct Lattice {
    n: usize,
    /// Emission scores, and their potentials `exp(score - max)` (zero where a tag is not
    /// allowed).
    emission: Vec<[f64; TAGS]>,
    phi: Vec<[f64; TAGS]>,
    /// Scaled forward and backward vectors.
    alpha: Vec<[f64; TAGS]>,
    beta: Vec<[f64; TAGS]>,
    /// Forward scale of each position.
    scale: Vec<f64>,
    /// `exp(trans)`, zero for O→I.
    a: [[f64; TAGS]; TAGS],
    /// ln Z (up to the per-position maxima, which cancel in every ratio used).
    pub log_z: f64,
}

impl Crf {
    pub fn new(buckets: usize) -> Self {
        Self {
            emit: vec![0.0; buckets * TAGS],
            trans: [[0.0; TAGS]; TAGS],
            start: [0.0; TAGS],
        }
    }

    pub fn buckets(&self) -> usize {
        self.emit.len() / TAGS
    }

    fn scores(&self, seq: &Sequence, t: usize) -> [f64; TAGS] {
        let mut s = [0f64; TAGS];
        for &f in seq.token(t) {
            let base = f as usize * TAGS;
            if let Some(w) = self.emit.get(base..base + TAGS) {
                for k in 0..TAGS {
                    s[k] += w[k] as f64;
                }
            }
        }
        s
    }

    /// Forward-backward over `seq`, each token limited to `allowed` (all tags when `None`).
    /// `None` when the constraints leave no path.
    pub fn lattice(&self, seq: &Sequence, allowed: Option<&[Allowed]>) -> Option<Lattice> {
        let emission: Vec<[f64; TAGS]> = (0..seq.len()).map(|t| self.scores(seq, t)).collect();
        self.lattice_scored(emission, allowed)
    }

    /// [`Crf::lattice`] from emission scores computed elsewhere ([`Scorer`] scores every
    /// label of a model in one pass over the features).
    pub fn lattice_scored(
        &self,
        emission: Vec<[f64; TAGS]>,
        allowed: Option<&[Allowed]>,
    ) -> Option<Lattice> {
        let n = emission.len();
        let mut a = [[0f64; TAGS]; TAGS];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = if i == O && j == I {
                    0.0
                } else {
                    (self.trans[i][j] as f64).exp()
                };
            }
        }
        let mut s = [0f64; TAGS];
        for (j, x) in s.iter_mut().enumerate() {
            *x = if j == I {
                0.0
            } else {
                (self.start[j] as f64).exp()
            };
        }
        let mut phi = Vec::with_capacity(n);
        let mut log_z = 0.0;
        for (t, &sc) in emission.iter().enumerate() {
            let m = sc.iter().copied().fold(f64::MIN, f64::max);
            log_z += m;
            let mask = allowed.and_then(|al| al.get(t)).copied().unwrap_or(ANY);
            let mut p = [0f64; TAGS];
            for k in 0..TAGS {
                if mask & (1 << k) != 0 {
                    p[k] = (sc[k] - m).exp();
                }
            }
            phi.push(p);
        }
        let mut alpha = vec![[0f64; TAGS]; n];
        let mut scale = vec![0f64; n];
        for t in 0..n {
            let mut v = [0f64; TAGS];
            for j in 0..TAGS {
                let into = if t == 0 {
                    s[j]
                } else {
                    (0..TAGS).map(|i| alpha[t - 1][i] * a[i][j]).sum()
                };
                v[j] = into * phi[t][j];
            }
            let c: f64 = v.iter().sum();
            if !(c > 0.0 && c.is_finite()) {
                return None;
            }
            scale[t] = c;
            log_z += c.ln();
            alpha[t] = v.map(|x| x / c);
        }
        let mut beta = vec![[1f64; TAGS]; n];
        for t in (0..n.saturating_sub(1)).rev() {
            let mut v = [0f64; TAGS];
            for (i, x) in v.iter_mut().enumerate() {
                *x = (0..TAGS)
                    .map(|j| a[i][j] * phi[t + 1][j] * beta[t + 1][j])
                    .sum::<f64>()
                    / scale[t + 1];
            }
            beta[t] = v;
        }
        Some(Lattice {
            n,
            emission,
            phi,
            alpha,
            beta,
            scale,
            a,
            log_z,
        })
    }

    /// The most likely tags (Viterbi), `I` never after `O`.
    pub fn viterbi(&self, seq: &Sequence) -> Vec<usize> {
        let emission: Vec<[f64; TAGS]> = (0..seq.len()).map(|t| self.scores(seq, t)).collect();
        self.viterbi_scored(&emission)
    }

    /// [`Crf::viterbi`] over the emission scores a lattice already computed (proposing needs
    /// both: scoring once halves its cost).
    pub fn viterbi_on(&self, lattice: &Lattice) -> Vec<usize> {
        self.viterbi_scored(&lattice.emission)
    }

    fn viterbi_scored(&self, emission: &[[f64; TAGS]]) -> Vec<usize> {
        let n = emission.len();
        if n == 0 {
            return Vec::new();
        }
        let neg = f64::NEG_INFINITY;
        let tr = |i: usize, j: usize| {
            if i == O && j == I {
                neg
            } else {
                self.trans[i][j] as f64
            }
        };
        let mut score = [0f64; TAGS];
        let first = emission[0];
        for j in 0..TAGS {
            score[j] = if j == I {
                neg
            } else {
                self.start[j] as f64 + first[j]
            };
        }
        let mut back = vec![[0u8; TAGS]; n];
        for (t, row) in back.iter_mut().enumerate().skip(1) {
            let e = emission[t];
            let mut next = [neg; TAGS];
            for j in 0..TAGS {
                for i in 0..TAGS {
                    let v = score[i] + tr(i, j);
                    if v > next[j] {
                        next[j] = v;
                        row[j] = i as u8;
                    }
                }
                next[j] += e[j];
            }
            score = next;
        }
        let mut best = (0..TAGS)
            .max_by(|&x, &y| score[x].total_cmp(&score[y]))
            .unwrap_or(O);
        let mut tags = vec![O; n];
        for t in (0..n).rev() {
            tags[t] = best;
            best = back[t][best] as usize;
        }
        tags
    }

    /// One pass of AdaGrad over `data` (sequence, allowed tags), in the order given.
    /// `g2` holds the squared-gradient sums, the same length as the weights.
    pub fn train_pass(
        &mut self,
        data: &[(&Sequence, &[Allowed])],
        order: &[usize],
        g2: &mut Accumulators,
        settings: &Training,
    ) -> f64 {
        let mut loss = 0.0;
        for &k in order {
            let Some(&(seq, allowed)) = data.get(k) else {
                continue;
            };
            if seq.is_empty() {
                continue;
            }
            let Some(free) = self.lattice(seq, None) else {
                continue;
            };
            // Where every tag is known (most of a finished document) the constrained
            // expectation is that one path: no second lattice needed.
            let known: Option<Vec<usize>> = allowed
                .iter()
                .map(|&a| (a.count_ones() == 1).then(|| a.trailing_zeros() as usize))
                .collect();
            let target = match known {
                Some(path) if path.len() == free.n => {
                    loss += free.log_z - self.path_score(&free, &path);
                    Target::Path(path)
                }
                _ => {
                    let Some(fixed) = self.lattice(seq, Some(allowed)) else {
                        continue;
                    };
                    loss += free.log_z - fixed.log_z;
                    Target::Lattice(fixed)
                }
            };
            self.step(seq, &free, &target, g2, settings);
        }
        loss
    }

    /// The score of one path (its log-potential, on the lattice's scale).
    fn path_score(&self, lattice: &Lattice, path: &[usize]) -> f64 {
        let mut s = path.first().map_or(0.0, |&k| self.start[k] as f64);
        for (t, &k) in path.iter().enumerate() {
            s += lattice.emission[t][k];
            if t > 0 {
                s += self.trans[path[t - 1]][k] as f64;
            }
        }
        s
    }

    /// Moves the weights along the gradient of ln P(allowed paths) for one sequence: what
    /// the constrained lattice (or the one known path) expects minus what the free one does.
    fn step(
        &mut self,
        seq: &Sequence,
        free: &Lattice,
        fixed: &Target,
        g2: &mut Accumulators,
        settings: &Training,
    ) {
        let update = |w: &mut f32, acc: &mut f32, g: f64| {
            let g = g as f32 - settings.l2 * *w;
            if g != 0.0 {
                *acc += g * g;
                *w += settings.rate * g / (acc.sqrt() + 1e-6);
            }
        };
        for t in 0..free.n {
            let (pf, pc) = (free.marginal(t), fixed.marginal(t));
            // A token the model already gets right moves nothing worth a pass over its
            // features (most of a document, after the first pass).
            if (0..TAGS).all(|k| (pc[k] - pf[k]).abs() < 1e-3) {
                continue;
            }
            for &f in seq.token(t) {
                let base = f as usize * TAGS;
                for k in 0..TAGS {
                    if let (Some(w), Some(acc)) =
                        (self.emit.get_mut(base + k), g2.emit.get_mut(base + k))
                    {
                        update(w, acc, pc[k] - pf[k]);
                    }
                }
            }
        }
        let mut gt = [[0f64; TAGS]; TAGS];
        for t in 1..free.n {
            let (pf, pc) = (free.pair(t), fixed.pair(t));
            for i in 0..TAGS {
                for j in 0..TAGS {
                    gt[i][j] += pc[i][j] - pf[i][j];
                }
            }
        }
        for i in 0..TAGS {
            for j in 0..TAGS {
                update(&mut self.trans[i][j], &mut g2.trans[i][j], gt[i][j]);
            }
        }
        if free.n > 0 {
            let (pf, pc) = (free.marginal(0), fixed.marginal(0));
            for k in 0..TAGS {
                update(&mut self.start[k], &mut g2.start[k], pc[k] - pf[k]);
            }
        }
    }
}

/// Emission scores of several CRFs (a model's labels) at once. Scoring is random access into
/// a table of megabytes per label; with every label's weights of a feature side by side, a
/// feature costs one cache miss instead of one per label. Built once per proposing run.
pub struct Scorer {
    labels: usize,
    /// `buckets * labels * TAGS`, feature-major, then label, then tag.
    table: Vec<f32>,
}

impl Scorer {
    pub fn new(crfs: &[&Crf]) -> Self {
        let labels = crfs.len();
        let buckets = crfs.first().map_or(0, |c| c.buckets());
        let mut table = vec![0f32; buckets * labels * TAGS];
        for (k, crf) in crfs.iter().enumerate() {
            for (f, w) in crf.emit.chunks(TAGS).enumerate().take(buckets) {
                let at = (f * labels + k) * TAGS;
                if let Some(dst) = table.get_mut(at..at + TAGS) {
                    dst.copy_from_slice(w);
                }
            }
        }
        Self { labels, table }
    }

    /// Per label, the emission scores of every token of `seq`.
    pub fn scores(&self, seq: &Sequence) -> Vec<Vec<[f64; TAGS]>> {
        let n = seq.len();
        let mut out = vec![vec![[0f64; TAGS]; n]; self.labels];
        let row = self.labels * TAGS;
        let mut acc = vec![0f64; row];
        for t in 0..n {
            acc.iter_mut().for_each(|x| *x = 0.0);
            for &f in seq.token(t) {
                let at = f as usize * row;
                if let Some(w) = self.table.get(at..at + row) {
                    for (a, x) in acc.iter_mut().zip(w) {
                        *a += *x as f64;
                    }
                }
            }
            for (k, label) in out.iter_mut().enumerate() {
                label[t].copy_from_slice(&acc[k * TAGS..(k + 1) * TAGS]);
            }
        }
        out
    }
}

/// What training moves the model towards for one sequence: the one path its tags spell, or
/// (tags partly known) the lattice constrained to them.
enum Target {
    Path(Vec<usize>),
    Lattice(Lattice),
}

impl Target {
    fn marginal(&self, t: usize) -> [f64; TAGS] {
        match self {
            Target::Path(p) => {
                let mut m = [0.0; TAGS];
                if let Some(&k) = p.get(t) {
                    m[k] = 1.0;
                }
                m
            }
            Target::Lattice(l) => l.marginal(t),
        }
    }

    fn pair(&self, t: usize) -> [[f64; TAGS]; TAGS] {
        match self {
            Target::Path(p) => {
                let mut m = [[0.0; TAGS]; TAGS];
                if let (Some(&i), Some(&j)) = (p.get(t.wrapping_sub(1)), p.get(t)) {
                    m[i][j] = 1.0;
                }
                m
            }
            Target::Lattice(l) => l.pair(t),
        }
    }
}

/// AdaGrad's running sums of squared gradients, one per weight.
pub struct Accumulators {
    emit: Vec<f32>,
    trans: [[f32; TAGS]; TAGS],
    start: [f32; TAGS],
}

impl Accumulators {
    pub fn for_model(crf: &Crf) -> Self {
        Self {
            emit: vec![0.0; crf.emit.len()],
            trans: [[0.0; TAGS]; TAGS],
            start: [0.0; TAGS],
        }
    }
}

impl Lattice {
    /// P(tag of token `t`) (all zero past the end).
    pub fn marginal(&self, t: usize) -> [f64; TAGS] {
        let mut p = [0f64; TAGS];
        if t >= self.n {
            return p;
        }
        for (k, x) in p.iter_mut().enumerate() {
            *x = self.alpha[t][k] * self.beta[t][k];
        }
        p
    }

    /// P(tags of tokens `t - 1` and `t`), `[from][to]`.
    fn pair(&self, t: usize) -> [[f64; TAGS]; TAGS] {
        let mut p = [[0f64; TAGS]; TAGS];
        for (i, row) in p.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = self.alpha[t - 1][i] * self.a[i][j] * self.phi[t][j] * self.beta[t][j]
                    / self.scale[t];
            }
        }
        p
    }

    /// The weight of every way to go on after a span ending at `last` with tag `prev` (`B`
    /// or `I`): anything but `I` next, or the end of the sequence. Scaled like `alpha`.
    fn ends_after(&self, last: usize, prev: usize) -> f64 {
        if last + 1 >= self.n {
            return 1.0;
        }
        (0..TAGS)
            .filter(|&j| j != I)
            .map(|j| self.a[prev][j] * self.phi[last + 1][j] * self.beta[last + 1][j])
            .sum::<f64>()
            / self.scale[last + 1]
    }

    /// P(tokens `first..=last` are exactly one span: `B`, then `I`s, and no `I` after).
    pub fn span(&self, first: usize, last: usize) -> f64 {
        if last >= self.n || first > last {
            return 0.0;
        }
        let mut p = self.alpha[first][B];
        let mut prev = B;
        for t in first + 1..=last {
            p *= self.a[prev][I] * self.phi[t][I] / self.scale[t];
            prev = I;
        }
        (p * self.ends_after(last, prev)).clamp(0.0, 1.0)
    }

    /// The likeliest span starting at `first` (at most `max_len` tokens) and its probability,
    /// if any reaches `floor`. One pass: the probability that tokens `first..=last` are `B`
    /// then `I`s, whatever follows, bounds every span that long or longer, so the scan stops
    /// once it drops below `floor`.
    pub fn best_span_from(&self, first: usize, max_len: usize, floor: f64) -> Option<(usize, f64)> {
        if first >= self.n {
            return None;
        }
        let mut run = self.alpha[first][B];
        let mut prev = B;
        let mut best: Option<(usize, f64)> = None;
        let mut last = first;
        while run * self.beta[last][prev] >= floor && last < first + max_len {
            let p = (run * self.ends_after(last, prev)).clamp(0.0, 1.0);
            if p >= floor && best.is_none_or(|(_, b)| p > b) {
                best = Some((last, p));
            }
            if last + 1 >= self.n {
                break;
            }
            run *= self.a[prev][I] * self.phi[last + 1][I] / self.scale[last + 1];
            prev = I;
            last += 1;
        }
        best
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny model with random weights, and every tag path of a short sequence enumerated:
    /// the lattice's marginals, span probabilities and Viterbi path must equal brute force.
    fn setup() -> (Crf, Sequence) {
        let mut crf = Crf::new(8);
        let mut x = 12345u64;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 2000) as f32 / 1000.0) - 1.0
        };
        for w in &mut crf.emit {
            *w = rnd() * 2.0;
        }
        for row in &mut crf.trans {
            for w in row {
                *w = rnd();
            }
        }
        for w in &mut crf.start {
            *w = rnd();
        }
        let seq = Sequence {
            feats: vec![0, 1, 2, 3, 1, 4, 5, 6, 7, 0],
            starts: vec![0, 2, 4, 6, 8, 10],
        };
        (crf, seq)
    }

    fn paths(n: usize) -> Vec<Vec<usize>> {
        let mut out = vec![vec![]];
        for _ in 0..n {
            out = out
                .into_iter()
                .flat_map(|p| {
                    (0..TAGS).map(move |k| {
                        let mut q = p.clone();
                        q.push(k);
                        q
                    })
                })
                .collect();
        }
        out.into_iter()
            .filter(|p| p.first() != Some(&I) && p.windows(2).all(|w| !(w[0] == O && w[1] == I)))
            .collect()
    }

    fn weight(crf: &Crf, seq: &Sequence, p: &[usize]) -> f64 {
        let mut s = crf.start[p[0]] as f64;
        for (t, &k) in p.iter().enumerate() {
            s += crf.scores(seq, t)[k];
            if t > 0 {
                s += crf.trans[p[t - 1]][k] as f64;
            }
        }
        s.exp()
    }

    #[test]
    fn lattice_agrees_with_enumerating_every_path() {
        let (crf, seq) = setup();
        let all = paths(seq.len());
        let z: f64 = all.iter().map(|p| weight(&crf, &seq, p)).sum();
        let lat = crf.lattice(&seq, None).unwrap();
        assert!(
            (lat.log_z - z.ln()).abs() < 1e-9,
            "{} vs {}",
            lat.log_z,
            z.ln()
        );
        for t in 0..seq.len() {
            let m = lat.marginal(t);
            for k in 0..TAGS {
                let truth: f64 = all
                    .iter()
                    .filter(|p| p[t] == k)
                    .map(|p| weight(&crf, &seq, p))
                    .sum::<f64>()
                    / z;
                assert!((m[k] - truth).abs() < 1e-9);
            }
        }
        for first in 0..seq.len() {
            for last in first..seq.len() {
                let truth: f64 = all
                    .iter()
                    .filter(|p| {
                        p[first] == B
                            && (first + 1..=last).all(|t| p[t] == I)
                            && p.get(last + 1) != Some(&I)
                    })
                    .map(|p| weight(&crf, &seq, p))
                    .sum::<f64>()
                    / z;
                assert!(
                    (lat.span(first, last) - truth).abs() < 1e-9,
                    "{first}..={last}"
                );
            }
            let best = (first..seq.len())
                .map(|last| (last, lat.span(first, last)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            assert_eq!(lat.best_span_from(first, 99, 0.0), Some(best));
        }
        let best = all
            .iter()
            .max_by(|a, b| weight(&crf, &seq, a).total_cmp(&weight(&crf, &seq, b)))
            .unwrap();
        assert_eq!(&crf.viterbi(&seq), best);
    }

    /// Scoring every label at once gives each CRF's own scores, and the same lattice.
    #[test]
    fn the_scorer_scores_as_each_crf_does() {
        let (a, seq) = setup();
        let mut b = a.clone();
        b.emit.iter_mut().for_each(|w| *w = -*w * 0.5);
        let all = Scorer::new(&[&a, &b]).scores(&seq);
        for (crf, mine) in [&a, &b].into_iter().zip(&all) {
            for t in 0..seq.len() {
                let own = crf.scores(&seq, t);
                for k in 0..TAGS {
                    assert!((own[k] - mine[t][k]).abs() < 1e-9);
                }
            }
            let direct = crf.lattice(&seq, None).unwrap();
            let scored = crf.lattice_scored(mine.clone(), None).unwrap();
            assert!((direct.log_z - scored.log_z).abs() < 1e-9);
            assert_eq!(crf.viterbi(&seq), crf.viterbi_on(&scored));
        }
    }

    #[test]
    fn constraints_sum_only_over_allowed_paths() {
        let (crf, seq) = setup();
        let allowed = [ANY, only(O), only(B) | only(O), ANY, only(O)];
        let keep = |p: &Vec<usize>| (0..p.len()).all(|t| allowed[t] & (1 << p[t]) != 0);
        let z: f64 = paths(seq.len())
            .iter()
            .filter(|p| keep(p))
            .map(|p| weight(&crf, &seq, p))
            .sum();
        let lat = crf.lattice(&seq, Some(&allowed)).unwrap();
        assert!((lat.log_z - z.ln()).abs() < 1e-9);
        assert_eq!(lat.marginal(1)[B], 0.0);
        // No path at all: I at the start.
        assert!(
            crf.lattice(&seq, Some(&[only(I), ANY, ANY, ANY, ANY]))
                .is_none()
        );
    }

    /// Training on fully known tags drives the probability of those tags up.
    #[test]
    fn training_fits_what_it_was_shown() {
        let (_, seq) = setup();
        let tags = [O, B, I, O, B];
        let allowed: Vec<Allowed> = tags.iter().map(|&t| only(t)).collect();
        let mut crf = Crf::new(8);
        let mut g2 = Accumulators::for_model(&crf);
        let data = [(&seq, allowed.as_slice())];
        let before = crf.train_pass(&data, &[0], &mut g2, &Training::default());
        let mut after = before;
        for _ in 0..30 {
            after = crf.train_pass(&data, &[0], &mut g2, &Training::default());
        }
        assert!(after < before * 0.2, "loss {before} -> {after}");
        assert_eq!(crf.viterbi(&seq), tags);
    }
}
