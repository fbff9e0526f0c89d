//! A trained model kept beside its project (`news.ron` → `news.learned`), never inside the
//! RON: it is derived data, rebuilt when missing, unreadable or stale (trained on other
//! spans than the project now has: see [`super::fingerprint`]).
//!
//! The file: `MARGLRN1`, the length of a JSON header (labels, calibration, transitions, what
//! it was trained on) and the header, then per label the non-zero feature weights as
//! `(bucket u32, three f32)`, little-endian. Most buckets of a model are zero, so this is a
//! few megabytes where the dense weights are 6 MB per label.

use super::crf::{Crf, TAGS};
use super::{LabelModel, Model, features};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MARGLRN1";

/// Where the model of the project at `project` is cached.
pub fn path_for(project: &Path) -> PathBuf {
    project.with_extension("learned")
}

#[derive(Serialize, Deserialize)]
struct Header {
    model: Model,
    trans: Vec<[[f32; TAGS]; TAGS]>,
    start: Vec<[f32; TAGS]>,
    buckets: usize,
}

/// The model as bytes.
pub fn to_bytes(model: &Model) -> Vec<u8> {
    let header = Header {
        model: model.clone_without_weights(),
        trans: model.labels.iter().map(|l| l.crf.trans).collect(),
        start: model.labels.iter().map(|l| l.crf.start).collect(),
        buckets: features::BUCKETS,
    };
    let json = serde_json::to_vec(&header).unwrap_or_default();
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for l in &model.labels {
        let rows: Vec<(usize, &[f32])> = l
            .crf
            .emit
            .chunks(TAGS)
            .enumerate()
            .filter(|(_, w)| w.iter().any(|x| *x != 0.0))
            .collect();
        out.extend_from_slice(&(rows.len() as u64).to_le_bytes());
        for (i, w) in rows {
            out.extend_from_slice(&(i as u32).to_le_bytes());
            for x in w {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
    out
}

/// Reads bytes [`to_bytes`] wrote; `None` for anything else (the caller trains again).
pub fn from_bytes(bytes: &[u8]) -> Option<Model> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (len, rest) = take_u64(rest)?;
    let json = rest.get(..len as usize)?;
    let mut rest = rest.get(len as usize..)?;
    let header: Header = serde_json::from_slice(json).ok()?;
    if header.buckets != features::BUCKETS
        || header.trans.len() != header.model.labels.len()
        || header.start.len() != header.model.labels.len()
    {
        return None;
    }
    let mut model = header.model;
    for (k, l) in model.labels.iter_mut().enumerate() {
        let mut crf = Crf::new(header.buckets);
        crf.trans = *header.trans.get(k)?;
        crf.start = *header.start.get(k)?;
        let (rows, r) = take_u64(rest)?;
        rest = r;
        for _ in 0..rows {
            let i = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
            for t in 0..TAGS {
                let at = 4 + 4 * t;
                let x = f32::from_le_bytes(rest.get(at..at + 4)?.try_into().ok()?);
                *crf.emit.get_mut(i * TAGS + t)? = x;
            }
            rest = rest.get(4 + 4 * TAGS..)?;
        }
        l.crf = crf;
    }
    rest.is_empty().then_some(model)
}

fn take_u64(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    Some((n, bytes.get(8..)?))
}

/// The cached model of `project`, if there is one and it was trained on what the project
/// holds now (`fingerprint`).
pub fn load(project: &Path, fingerprint: u64) -> Option<Model> {
    let bytes = std::fs::read(path_for(project)).ok()?;
    from_bytes(&bytes).filter(|m| m.trained.fingerprint == fingerprint)
}

/// Keeps `model` beside `project` (atomically; a failure only costs a retrain later).
pub fn store(project: &Path, model: &Model) -> std::io::Result<()> {
    crate::persist::atomic::write_atomic(&path_for(project), &to_bytes(model))
}

impl Model {
    fn clone_without_weights(&self) -> Model {
        Model {
            labels: self
                .labels
                .iter()
                .map(|l| LabelModel {
                    label: l.label.clone(),
                    crf: Crf::new(0),
                    calibration: l.calibration,
                    positives: l.positives,
                })
                .collect(),
            trained: self.trained.clone(),
        }
    }
}
