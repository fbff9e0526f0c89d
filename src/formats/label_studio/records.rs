//! Label Studio's JSON as typed records. Every field is optional and [`Lenient`]: a field
//! of an unexpected shape reads as missing, so one odd task or result never rejects a file
//! (what is skipped is reported by the reader).

use crate::formats::json::Lenient;
use serde::Deserialize;
use serde_json::{Map, Value};

/// One task: `{"id", "data": {"text", ..}, "meta", "annotations", "predictions", ..}`, or a
/// bare data object (`{"text": ..}`) as tasks are before Label Studio imports them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Task {
    /// A number or a string.
    pub id: Option<Value>,
    pub data: Lenient<Map<String, Value>>,
    pub meta: Lenient<Map<String, Value>>,
    pub annotations: Lenient<Vec<Lenient<Annotation>>>,
    pub predictions: Lenient<Vec<Lenient<Prediction>>>,
    /// Every other key: the data itself in a bare task, Label Studio's bookkeeping otherwise.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One annotator's answer.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Annotation {
    pub result: Lenient<Vec<Lenient<ResultItem>>>,
    /// Who made it: a user id (`3`), or in older exports the user (`{"id", "email", ..}`).
    pub completed_by: Option<Value>,
    /// A skipped task: not an answer.
    pub was_cancelled: Lenient<bool>,
}

/// A model's answer.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Prediction {
    pub model_version: Option<Value>,
    pub score: Lenient<f64>,
    pub result: Lenient<Vec<Lenient<ResultItem>>>,
}

/// One item of a result list: a labelled region, a relation, or a per-region (or
/// document-level) choice or text area.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ResultItem {
    /// The region's id (a number or a string).
    pub id: Option<Value>,
    #[serde(rename = "type")]
    pub kind: Lenient<String>,
    pub from_name: Option<Value>,
    pub value: Lenient<RegionValue>,
    pub score: Lenient<f64>,
    /// Relations: the regions at the ends, which way, and the relation's labels.
    pub from_id: Option<Value>,
    pub to_id: Option<Value>,
    pub direction: Lenient<String>,
    pub labels: Lenient<Vec<Value>>,
    /// Region meta; Marginalia's `fragment_of` groups the regions of a discontinuous span.
    pub meta: Lenient<Map<String, Value>>,
}

impl ResultItem {
    /// The result's type, in lower case (`""` when it has none).
    pub fn kind(&self) -> String {
        self.kind
            .get()
            .map(|k| k.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

/// The `value` of a result: where it is, its text, and what it says.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RegionValue {
    pub start: Option<Value>,
    pub end: Option<Value>,
    /// The covered text of a region; the written text (a string or a list) of a text area.
    pub text: Option<Value>,
    pub labels: Lenient<Vec<Value>>,
    pub choices: Lenient<Vec<Value>>,
}
