//! The annotation project in memory: documents with their text, and the spans on them.
//!
//! Nothing here touches the disk or egui; `persist` reads and writes it, `ui` shows it, and
//! every change goes through [`crate::model::Edit`].

use crate::model::attrs::Attrs;
use crate::model::schema::Schema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A span's identity, unique within a project and never reused within a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpanId(pub u64);

/// Index of a document in [`Project::documents`]. Documents are only ever appended, so an
/// index stays valid for the life of the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(pub usize);

/// An annotated stretch of text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub id: SpanId,
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary.
    pub end: usize,
    pub label: String,
    /// The covered text, kept so that a changed corpus file is caught instead of silently
    /// shifting every annotation.
    pub text: String,
    /// Attribute values by attribute name (from the label's schema).
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
    /// The annotator's free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who made it, when the annotator set a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    /// For a span that was an accepted suggestion: which source proposed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A machine's confidence in a suggestion, from 0 to 1. Compared by bits so that suggestions
/// (and the edits that carry them) can be compared exactly.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Score(pub f32);

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Score {}

/// Where a suggestion stands in review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Review {
    #[default]
    Pending,
    /// Accepted: it became a span (see [`Suggestion::span`]).
    Accepted,
    /// Rejected, and kept: a negative example for training.
    Rejected,
}

impl Review {
    pub fn name(self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Accepted => "accepted",
            Review::Rejected => "rejected",
        }
    }
}

/// A span proposed by a model or a rule, in its own layer: it never counts as an
/// annotation until it is accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
    /// Which suggester or model proposed it.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    #[serde(default)]
    pub review: Review,
    /// The span it became, once accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<SpanId>,
    /// Relations the suggester proposes from this suggestion to others (by suggestion id):
    /// made real when both ends are accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<SuggestedLink>,
}

/// A proposed relation from one suggestion to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Link")]
pub struct SuggestedLink {
    pub kind: String,
    pub to: SpanId,
}

impl Suggestion {
    pub fn key(&self) -> SpanKey {
        SpanKey {
            start: self.start,
            end: self.end,
            id: self.id,
        }
    }
}

/// A typed, directed link between two spans of the same document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// Unique in the project; drawn from the same counter as span ids.
    pub id: SpanId,
    /// The relation type's name (`holds`).
    pub kind: String,
    pub from: SpanId,
    pub to: SpanId,
}

impl Span {
    /// The sort key that keeps a document's spans in reading order and output deterministic.
    pub fn key(&self) -> SpanKey {
        SpanKey {
            start: self.start,
            end: self.end,
            id: self.id,
        }
    }

    /// Length in bytes (0 for a reversed span, which only a damaged file can hold: loading
    /// reports it, and must not panic on the way).
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Position of a span in its document's sorted list: (start, end, id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanKey {
    pub start: usize,
    pub end: usize,
    pub id: SpanId,
}

/// Where a document's text lives on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocSource {
    /// A whole UTF-8 text file.
    TextFile(PathBuf),
    /// The `text` field of one line of a JSONL corpus (line numbers start at 1).
    JsonlLine { path: PathBuf, line: usize },
}

impl DocSource {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::TextFile(p) | Self::JsonlLine { path: p, .. } => p,
        }
    }
}

/// How far a document's annotation has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    #[default]
    New,
    InProgress,
    Done,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::New, Status::InProgress, Status::Done];

    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in progress",
            Status::Done => "done",
        }
    }
}

/// One document of the corpus with its annotations.
#[derive(Clone, Debug)]
pub struct Document {
    /// Stable name used by exports (file stem, or the `id` of a JSONL line).
    pub id: String,
    /// First non-empty line of the text, for lists.
    pub title: String,
    pub source: DocSource,
    /// `sha256:<hex>` of the text, recorded so a changed corpus file is noticed.
    pub hash: String,
    pub text: Arc<str>,
    pub status: Status,
    /// Extra fields from a JSONL corpus (values as JSON text).
    pub meta: BTreeMap<String, String>,
    /// Sorted by [`Span::key`]. Shared copy-on-write, so a background task (corpus search)
    /// can hold a snapshot for free; the next edit of this document copies it only if the
    /// task still holds it.
    spans: Arc<Vec<Span>>,
    /// Sorted by id.
    relations: Vec<Relation>,
    /// The suggestion layer, sorted like spans.
    suggestions: Vec<Suggestion>,
    /// Spans whose text is no longer in the document (the corpus file changed behind the
    /// project's back): kept, with their relations, until the user places or deletes them.
    unanchored: Vec<Span>,
    unanchored_relations: Vec<Relation>,
    /// Ids of the spans and relations, to refuse a duplicate without a scan.
    ids: HashSet<SpanId>,
    /// Bumped on every change to this document's annotations; views key caches on it.
    revision: u64,
    /// Length of the longest span, so "which spans touch this paragraph" is a bounded search.
    max_span_len: usize,
    /// The same for suggestions.
    max_suggestion_len: usize,
}

impl Document {
    pub fn new(id: String, source: DocSource, hash: String, text: Arc<str>) -> Self {
        let title = title_of(&text, &id);
        Self {
            id,
            title,
            source,
            hash,
            text,
            status: Status::New,
            meta: BTreeMap::new(),
            spans: Arc::default(),
            relations: Vec::new(),
            suggestions: Vec::new(),
            unanchored: Vec::new(),
            unanchored_relations: Vec::new(),
            ids: HashSet::new(),
            revision: 0,
            max_span_len: 0,
            max_suggestion_len: 0,
        }
    }

    /// Spans in reading order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The spans as they are now, for a task off the UI thread (no copy).
    pub fn spans_snapshot(&self) -> Arc<Vec<Span>> {
        Arc::clone(&self.spans)
    }

    /// Relations in id order.
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    pub fn relation(&self, id: SpanId) -> Option<&Relation> {
        self.relations
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .and_then(|i| self.relations.get(i))
    }

    /// Relations that start or end at span `id`. Scans the document's relations: fine for
    /// edits and the span panel, not for per-frame work over many spans.
    pub fn relations_of(&self, id: SpanId) -> impl Iterator<Item = &Relation> {
        self.relations
            .iter()
            .filter(move |r| r.from == id || r.to == id)
    }

    pub(crate) fn insert_relation(&mut self, r: Relation) {
        let at = self.relations.partition_point(|x| x.id < r.id);
        self.ids.insert(r.id);
        self.relations.insert(at, r);
        self.revision += 1;
    }

    pub(crate) fn remove_relation(&mut self, id: SpanId) -> Option<Relation> {
        let at = self.relations.binary_search_by_key(&id, |r| r.id).ok()?;
        self.revision += 1;
        self.ids.remove(&id);
        Some(self.relations.remove(at))
    }

    /// Sets the relations in one go (loading).
    pub fn set_relations(&mut self, mut relations: Vec<Relation>) {
        relations.sort_by_key(|r| r.id);
        self.ids.extend(relations.iter().map(|r| r.id));
        self.relations = relations;
        self.revision += 1;
    }

    /// The suggestion layer, in reading order.
    /// Spans set aside because their text is no longer in the document.
    pub fn unanchored(&self) -> &[Span] {
        &self.unanchored
    }

    /// Relations of the unanchored spans.
    pub fn unanchored_relations(&self) -> &[Relation] {
        &self.unanchored_relations
    }

    /// Sets the unanchored spans and their relations (loading). Their ids stay taken.
    pub fn set_unanchored(&mut self, spans: Vec<Span>, relations: Vec<Relation>) {
        self.ids.extend(spans.iter().map(|s| s.id));
        self.ids.extend(relations.iter().map(|r| r.id));
        self.unanchored = spans;
        self.unanchored_relations = relations;
        self.revision += 1;
    }

    /// Takes an unanchored span out, with the relations that have it at one end.
    pub(crate) fn take_unanchored(&mut self, id: SpanId) -> Option<(Span, Vec<Relation>)> {
        let at = self.unanchored.iter().position(|s| s.id == id)?;
        let span = self.unanchored.remove(at);
        let (mine, rest): (Vec<Relation>, Vec<Relation>) =
            std::mem::take(&mut self.unanchored_relations)
                .into_iter()
                .partition(|r| r.from == id || r.to == id);
        self.unanchored_relations = rest;
        self.ids.remove(&id);
        for r in &mine {
            self.ids.remove(&r.id);
        }
        self.revision += 1;
        Some((span, mine))
    }

    pub(crate) fn put_unanchored(&mut self, span: Span, relations: Vec<Relation>) {
        self.ids.insert(span.id);
        self.ids.extend(relations.iter().map(|r| r.id));
        self.unanchored.push(span);
        self.unanchored.sort_by_key(|s| s.id);
        self.unanchored_relations.extend(relations);
        self.unanchored_relations.sort_by_key(|r| r.id);
        self.revision += 1;
    }

    pub fn suggestions(&self) -> &[Suggestion] {
        &self.suggestions
    }

    pub fn suggestion(&self, id: SpanId) -> Option<&Suggestion> {
        self.suggestions.iter().find(|s| s.id == id)
    }

    /// Suggestions that overlap `[start, end)`, in reading order (a bounded search, like
    /// [`Self::spans_overlapping`]; callers filter the ones that end before `start`).
    pub fn suggestions_overlapping(&self, start: usize, end: usize) -> &[Suggestion] {
        let lo_start = start.saturating_sub(self.max_suggestion_len);
        let lo = self.suggestions.partition_point(|s| s.start < lo_start);
        let hi = self.suggestions.partition_point(|s| s.start < end);
        self.suggestions.get(lo..hi).unwrap_or(&[])
    }

    pub(crate) fn insert_suggestion(&mut self, s: Suggestion) {
        self.max_suggestion_len = self.max_suggestion_len.max(s.end.saturating_sub(s.start));
        let at = self.suggestions.partition_point(|x| x.key() < s.key());
        self.ids.insert(s.id);
        self.suggestions.insert(at, s);
        self.revision += 1;
    }

    pub(crate) fn remove_suggestion(&mut self, id: SpanId) -> Option<Suggestion> {
        let at = self.suggestions.iter().position(|s| s.id == id)?;
        self.revision += 1;
        self.ids.remove(&id);
        Some(self.suggestions.remove(at))
    }

    pub(crate) fn suggestion_mut(&mut self, id: SpanId) -> Option<&mut Suggestion> {
        self.revision += 1;
        self.suggestions.iter_mut().find(|s| s.id == id)
    }

    /// Sets the suggestion layer in one go (loading).
    pub fn set_suggestions(&mut self, mut suggestions: Vec<Suggestion>) {
        suggestions.sort_by_key(Suggestion::key);
        self.max_suggestion_len = suggestions
            .iter()
            .map(|s| s.end.saturating_sub(s.start))
            .max()
            .unwrap_or(0);
        self.ids.extend(suggestions.iter().map(|s| s.id));
        self.suggestions = suggestions;
        self.revision += 1;
    }

    /// Whether a span or relation of this document has this id.
    pub fn has_id(&self, id: SpanId) -> bool {
        self.ids.contains(&id)
    }

    /// Changes every span in place (renames); the change must not move spans.
    pub(crate) fn map_spans(&mut self, f: impl FnMut(&mut Span)) {
        Arc::make_mut(&mut self.spans).iter_mut().for_each(f);
        self.revision += 1;
    }

    pub(crate) fn map_relations(&mut self, f: impl FnMut(&mut Relation)) {
        self.relations.iter_mut().for_each(f);
        self.revision += 1;
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn span_by_key(&self, key: SpanKey) -> Option<&Span> {
        self.spans
            .binary_search_by(|s| s.key().cmp(&key))
            .ok()
            .and_then(|i| self.spans.get(i))
    }

    pub fn span_by_id(&self, id: SpanId) -> Option<&Span> {
        self.spans.iter().find(|s| s.id == id)
    }

    /// Spans that overlap the byte range `[start, end)`, in reading order, without scanning
    /// the whole document: spans are sorted by start and none is longer than `max_span_len`.
    pub fn spans_overlapping(&self, start: usize, end: usize) -> &[Span] {
        let lo_start = start.saturating_sub(self.max_span_len);
        let lo = self.spans.partition_point(|s| s.start < lo_start);
        let hi = self.spans.partition_point(|s| s.start < end);
        self.spans.get(lo..hi).unwrap_or(&[])
    }

    /// Inserts a span at its sorted place. Callers go through `Edit`.
    pub(crate) fn insert_span(&mut self, span: Span) {
        let at = self.spans.partition_point(|s| s.key() < span.key());
        self.max_span_len = self.max_span_len.max(span.len());
        self.ids.insert(span.id);
        Arc::make_mut(&mut self.spans).insert(at, span);
        self.revision += 1;
    }

    pub(crate) fn remove_span(&mut self, id: SpanId) -> Option<Span> {
        let at = self.spans.iter().position(|s| s.id == id)?;
        self.revision += 1;
        self.ids.remove(&id);
        Some(Arc::make_mut(&mut self.spans).remove(at))
    }

    pub(crate) fn span_mut(&mut self, id: SpanId) -> Option<&mut Span> {
        self.revision += 1;
        Arc::make_mut(&mut self.spans)
            .iter_mut()
            .find(|s| s.id == id)
    }

    pub(crate) fn touch(&mut self) {
        self.revision += 1;
    }

    /// Largest span or relation id in this document (0 when there is none).
    fn max_id(&self) -> u64 {
        self.ids.iter().map(|id| id.0).max().unwrap_or(0)
    }

    /// Builds the span list in one go (loading); sorts and fixes the bookkeeping.
    pub fn set_spans(&mut self, mut spans: Vec<Span>) {
        spans.sort_by_key(Span::key);
        self.max_span_len = spans.iter().map(Span::len).max().unwrap_or(0);
        self.ids
            .retain(|id| self.relations.iter().any(|r| r.id == *id));
        self.ids.extend(spans.iter().map(|s| s.id));
        self.spans = Arc::new(spans);
        self.revision += 1;
    }
}

/// The first non-empty line, trimmed and shortened; the id when the text is blank.
fn title_of(text: &str, id: &str) -> String {
    let head = text
        .get(..crate::model::text::floor_char_boundary(text, 4096))
        .unwrap_or("");
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| crate::model::text::excerpt(l, 90))
        .unwrap_or_else(|| id.to_owned())
}

/// An annotation project: a corpus, a schema and the annotations.
#[derive(Debug)]
pub struct Project {
    pub name: String,
    pub schema: Schema,
    pub documents: Vec<Document>,
    /// A shell command that reads documents as JSONL on stdin and writes suggestions on
    /// stdout (see `suggest::command`). Stored in the project so a team shares it; it never
    /// runs without consent given on this machine, which is kept outside the project.
    pub suggest_command: Option<String>,
    /// Next span id to hand out. Derived at load (max + 1) and only ever grows, so an id
    /// freed by undo is never given to a different span while a redo could bring it back.
    /// Atomic so that edit builders take `&Project`: handing out an id is not a change.
    next_span_id: AtomicU64,
}

impl Clone for Project {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            schema: self.schema.clone(),
            documents: self.documents.clone(),
            suggest_command: self.suggest_command.clone(),
            next_span_id: AtomicU64::new(self.next_span_id.load(Ordering::Relaxed)),
        }
    }
}

impl Project {
    pub fn new(name: String, schema: Schema, documents: Vec<Document>) -> Self {
        let next_span_id = documents
            .iter()
            .map(Document::max_id)
            .max()
            .map_or(1, |m| m + 1);
        Self {
            name,
            schema,
            documents,
            suggest_command: None,
            next_span_id: AtomicU64::new(next_span_id),
        }
    }

    /// A fresh span id. Taking one is not an edit: ids carry no meaning beyond identity.
    pub fn allocate_span_id(&self) -> SpanId {
        SpanId(self.next_span_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Recomputes the id counter after spans were set directly (loading).
    pub fn reset_span_ids(&mut self) {
        let max = self
            .documents
            .iter()
            .map(Document::max_id)
            .max()
            .unwrap_or(0);
        self.next_span_id.fetch_max(max + 1, Ordering::Relaxed);
    }

    pub fn doc(&self, id: DocId) -> Option<&Document> {
        self.documents.get(id.0)
    }

    pub(crate) fn doc_mut(&mut self, id: DocId) -> Option<&mut Document> {
        self.documents.get_mut(id.0)
    }

    pub fn span_count(&self) -> usize {
        self.documents.iter().map(|d| d.spans.len()).sum()
    }

    /// A span ready to add: the covered text is copied from the document so it always
    /// matches. Returns `None` when the range is empty, out of bounds or not on char
    /// boundaries.
    pub fn make_span(&self, doc: DocId, start: usize, end: usize, label: &str) -> Option<Span> {
        let text = self.doc(doc)?.text.get(start..end)?.to_owned();
        if text.is_empty() {
            return None;
        }
        Some(Span {
            id: self.allocate_span_id(),
            start,
            end,
            label: label.to_owned(),
            text,
            attrs: crate::model::Attrs::new(),
            note: None,
            annotator: None,
            origin: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn doc(text: &str) -> Document {
        Document::new(
            "d".into(),
            DocSource::TextFile("d.txt".into()),
            String::new(),
            text.into(),
        )
    }

    fn span(id: u64, start: usize, end: usize) -> Span {
        Span {
            id: SpanId(id),
            start,
            end,
            label: "speaker".into(),
            text: String::new(),
            attrs: crate::model::Attrs::new(),
            note: None,
            annotator: None,
            origin: None,
        }
    }

    #[test]
    fn spans_stay_sorted_and_overlap_queries_are_exact() {
        let mut d = doc("0123456789012345678901234567890123456789");
        d.insert_span(span(1, 20, 25));
        d.insert_span(span(2, 0, 30));
        d.insert_span(span(3, 5, 7));
        let starts: Vec<_> = d.spans().iter().map(|s| s.start).collect();
        assert_eq!(starts, [0, 5, 20]);
        let ids = |r: &[Span]| r.iter().map(|s| s.id.0).collect::<Vec<_>>();
        // The long span 0..30 must be found even though it starts far before 26.
        let hits: Vec<_> = d
            .spans_overlapping(26, 40)
            .iter()
            .filter(|s| s.end > 26)
            .map(|s| s.id.0)
            .collect();
        assert_eq!(hits, [2]);
        assert!(ids(d.spans_overlapping(8, 19)).contains(&2));
        assert_eq!(
            d.span_by_key(span(3, 5, 7).key()).map(|s| s.id),
            Some(SpanId(3))
        );
    }

    #[test]
    fn title_is_first_non_empty_line() {
        assert_eq!(
            doc("\n\n  Kamala Harris refuses  \nbody").title,
            "Kamala Harris refuses"
        );
        assert_eq!(doc("   ").title, "d");
    }

    #[test]
    fn span_ids_never_repeat() {
        let p = Project::new("p".into(), Schema::default(), vec![doc("Harris said")]);
        let a = p.allocate_span_id();
        let b = p.allocate_span_id();
        assert_ne!(a, b);
        let s = p.make_span(DocId(0), 0, 6, "speaker").unwrap();
        assert_eq!(s.text, "Harris");
        assert!(p.make_span(DocId(0), 3, 3, "speaker").is_none());
        assert!(p.make_span(DocId(0), 0, 60, "speaker").is_none());
    }
}
