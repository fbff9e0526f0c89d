//! One document of the corpus with its annotations: its spans (sorted, shared
//! copy-on-write with background tasks), relations, suggestions and the spans set aside
//! when its text changed. Changed only through [`crate::model::Edit`] (the `pub(crate)`
//! mutators below are the appliers' tools) and in one go when a project is loaded.

use super::{DocSource, Relation, Span, SpanId, SpanKey, Status, Suggestion, TextHash};
use std::collections::HashSet;
use std::sync::Arc;

/// One document of the corpus with its annotations.
#[derive(Clone, Debug)]
pub struct Document {
    /// Stable name used by exports (file stem, or the `id` of a JSONL line).
    pub id: String,
    /// The title when it is not simply the text's first line (see [`Document::title`]):
    /// most titles are a slice of their text, and a million small documents each holding a
    /// copy of theirs took 64 MB.
    title: Option<Box<str>>,
    pub source: DocSource,
    /// The hash of the text, recorded so a changed corpus file is noticed.
    pub hash: TextHash,
    pub text: Arc<str>,
    pub status: Status,
    /// Extra fields from a JSONL corpus (values as JSON text).
    pub meta: crate::model::attrs::Meta,
    /// Sorted by [`Span::key`]. Shared copy-on-write, so a background task (corpus search)
    /// can hold a snapshot for free; the next edit of this document copies it only if the
    /// task still holds it.
    spans: Arc<Vec<Span>>,
    /// Sorted by id. Shared copy-on-write like `spans`, as are `suggestions` and `ids`: a
    /// copy of the project for a background task (the learned suggester retraining, the
    /// agreement window) costs a few pointers per document, not its annotations.
    relations: Arc<Vec<Relation>>,
    /// The suggestion layer, sorted like spans.
    suggestions: Arc<Vec<Suggestion>>,
    /// Spans whose text is no longer in the document (the corpus file changed behind the
    /// project's back): kept, with their relations, until the user places or deletes them.
    /// (Boxed: almost every document has none, and two empty lists are 48 bytes each.)
    unanchored: Option<Box<Unanchored>>,
    /// Ids of the spans and relations, to refuse a duplicate without a scan.
    ids: Arc<HashSet<SpanId>>,
    /// Bumped on every change to this document's annotations; views key caches on it.
    revision: u64,
    /// Length of the longest span, so "which spans touch this paragraph" is a bounded search.
    max_span_len: usize,
    /// The same for suggestions.
    max_suggestion_len: usize,
}

/// Spans whose text is no longer in the document, and their relations.
#[derive(Clone, Debug, Default)]
struct Unanchored {
    spans: Vec<Span>,
    relations: Vec<Relation>,
}

impl Unanchored {
    /// `None` for none at all.
    fn boxed(spans: Vec<Span>, relations: Vec<Relation>) -> Option<Box<Self>> {
        (!spans.is_empty() || !relations.is_empty()).then(|| Box::new(Self { spans, relations }))
    }
}

/// The span list of a document without spans: one shared empty list (a million documents
/// each allocating their own empty one took 48 MB); the first span copies it.
fn no_spans() -> Arc<Vec<Span>> {
    static EMPTY: std::sync::OnceLock<Arc<Vec<Span>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Vec::new())).clone()
}

/// The relation and suggestion lists of a document without any, shared for the same reason
/// as [`no_spans`].
fn no_relations() -> Arc<Vec<Relation>> {
    static EMPTY: std::sync::OnceLock<Arc<Vec<Relation>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Vec::new())).clone()
}

fn no_suggestions() -> Arc<Vec<Suggestion>> {
    static EMPTY: std::sync::OnceLock<Arc<Vec<Suggestion>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Vec::new())).clone()
}

/// `list` as a document keeps it, its ids taken in `ids`; the shared `empty` list when it
/// has none. (Loading sets every document's lists: one without annotations keeps the shared
/// empty lists and id set, not a copy of each.)
fn shared<T>(
    list: Vec<T>,
    empty: fn() -> Arc<Vec<T>>,
    ids: &mut Arc<HashSet<SpanId>>,
    id: impl Fn(&T) -> SpanId,
) -> Arc<Vec<T>> {
    if list.is_empty() {
        return empty();
    }
    Arc::make_mut(ids).extend(list.iter().map(id));
    Arc::new(list)
}

/// The id set of a document without annotations, shared.
fn no_ids() -> Arc<HashSet<SpanId>> {
    static EMPTY: std::sync::OnceLock<Arc<HashSet<SpanId>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(HashSet::new())).clone()
}

impl Document {
    pub fn new(id: String, source: DocSource, hash: TextHash, text: Arc<str>) -> Self {
        let title = title_of(&text, &id);
        Self {
            id,
            title,
            source,
            hash,
            text,
            status: Status::New,
            meta: crate::model::attrs::Meta::new(),
            spans: no_spans(),
            relations: no_relations(),
            suggestions: no_suggestions(),
            unanchored: None,
            ids: no_ids(),
            revision: 0,
            max_span_len: 0,
            max_suggestion_len: 0,
        }
    }

    /// What lists show for the document: its first non-empty line, trimmed and shortened;
    /// the id when the text is blank.
    pub fn title(&self) -> &str {
        match &self.title {
            Some(title) => title,
            None => first_line(&self.text).unwrap_or(&self.id),
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
        Arc::make_mut(&mut self.ids).insert(r.id);
        Arc::make_mut(&mut self.relations).insert(at, r);
        self.revision += 1;
    }

    pub(crate) fn remove_relation(&mut self, id: SpanId) -> Option<Relation> {
        let at = self.relations.binary_search_by_key(&id, |r| r.id).ok()?;
        self.revision += 1;
        Arc::make_mut(&mut self.ids).remove(&id);
        Some(Arc::make_mut(&mut self.relations).remove(at))
    }

    /// Sets the relations in one go (loading).
    pub fn set_relations(&mut self, mut relations: Vec<Relation>) {
        relations.sort_by_key(|r| r.id);
        self.relations = shared(relations, no_relations, &mut self.ids, |r| r.id);
        self.revision += 1;
    }

    /// Spans set aside because their text is no longer in the document.
    pub fn unanchored(&self) -> &[Span] {
        self.unanchored.as_ref().map_or(&[], |u| &u.spans)
    }

    /// Relations of the unanchored spans.
    pub fn unanchored_relations(&self) -> &[Relation] {
        self.unanchored.as_ref().map_or(&[], |u| &u.relations)
    }

    /// Sets the unanchored spans and their relations (loading). Their ids stay taken.
    pub fn set_unanchored(&mut self, spans: Vec<Span>, relations: Vec<Relation>) {
        if !spans.is_empty() || !relations.is_empty() {
            let ids = Arc::make_mut(&mut self.ids);
            ids.extend(spans.iter().map(|s| s.id));
            ids.extend(relations.iter().map(|r| r.id));
        }
        self.unanchored = Unanchored::boxed(spans, relations);
        self.revision += 1;
    }

    /// Takes an unanchored span out, with the relations that have it at one end.
    pub(crate) fn take_unanchored(&mut self, id: SpanId) -> Option<(Span, Vec<Relation>)> {
        let u = self.unanchored.take()?;
        let Unanchored {
            mut spans,
            relations,
        } = *u;
        let Some(at) = spans.iter().position(|s| s.id == id) else {
            self.unanchored = Unanchored::boxed(spans, relations);
            return None;
        };
        let span = spans.remove(at);
        let (mine, rest): (Vec<Relation>, Vec<Relation>) = relations
            .into_iter()
            .partition(|r| r.from == id || r.to == id);
        self.unanchored = Unanchored::boxed(spans, rest);
        Arc::make_mut(&mut self.ids).remove(&id);
        for r in &mine {
            Arc::make_mut(&mut self.ids).remove(&r.id);
        }
        self.revision += 1;
        Some((span, mine))
    }

    pub(crate) fn put_unanchored(&mut self, span: Span, relations: Vec<Relation>) {
        Arc::make_mut(&mut self.ids).insert(span.id);
        Arc::make_mut(&mut self.ids).extend(relations.iter().map(|r| r.id));
        let u = self.unanchored.get_or_insert_with(Box::default);
        u.spans.push(span);
        u.spans.sort_by_key(|s| s.id);
        u.relations.extend(relations);
        u.relations.sort_by_key(|r| r.id);
        self.revision += 1;
    }

    /// The suggestion layer, in reading order.
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
        Arc::make_mut(&mut self.ids).insert(s.id);
        Arc::make_mut(&mut self.suggestions).insert(at, s);
        self.revision += 1;
    }

    pub(crate) fn remove_suggestion(&mut self, id: SpanId) -> Option<Suggestion> {
        let at = self.suggestions.iter().position(|s| s.id == id)?;
        self.revision += 1;
        Arc::make_mut(&mut self.ids).remove(&id);
        Some(Arc::make_mut(&mut self.suggestions).remove(at))
    }

    pub(crate) fn suggestion_mut(&mut self, id: SpanId) -> Option<&mut Suggestion> {
        self.revision += 1;
        Arc::make_mut(&mut self.suggestions)
            .iter_mut()
            .find(|s| s.id == id)
    }

    /// Sets the suggestion layer in one go (loading).
    pub fn set_suggestions(&mut self, mut suggestions: Vec<Suggestion>) {
        suggestions.sort_by_key(Suggestion::key);
        self.max_suggestion_len = suggestions
            .iter()
            .map(|s| s.end.saturating_sub(s.start))
            .max()
            .unwrap_or(0);
        self.suggestions = shared(suggestions, no_suggestions, &mut self.ids, |s| s.id);
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
        Arc::make_mut(&mut self.relations).iter_mut().for_each(f);
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
        Arc::make_mut(&mut self.ids).insert(span.id);
        Arc::make_mut(&mut self.spans).insert(at, span);
        self.revision += 1;
    }

    pub(crate) fn remove_span(&mut self, id: SpanId) -> Option<Span> {
        let at = self.spans.iter().position(|s| s.id == id)?;
        self.revision += 1;
        Arc::make_mut(&mut self.ids).remove(&id);
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
    pub(super) fn max_id(&self) -> u64 {
        self.ids.iter().map(|id| id.0).max().unwrap_or(0)
    }

    /// Builds the span list in one go (loading); sorts and fixes the bookkeeping.
    pub fn set_spans(&mut self, mut spans: Vec<Span>) {
        spans.sort_by_key(Span::key);
        self.max_span_len = spans.iter().map(Span::len).max().unwrap_or(0);
        if !(spans.is_empty() && self.spans.is_empty()) {
            // (Not when there were and are no spans: the shared empty id set stays shared,
            // rather than a set per document of a big imported corpus.)
            let relations = &self.relations;
            Arc::make_mut(&mut self.ids).retain(|id| relations.iter().any(|r| r.id == *id));
            Arc::make_mut(&mut self.ids).extend(spans.iter().map(|s| s.id));
        }
        self.spans = if spans.is_empty() {
            no_spans()
        } else {
            Arc::new(spans)
        };
        self.revision += 1;
    }
}

/// The first non-empty line of the text's first 4 KB, trimmed.
fn first_line(text: &str) -> Option<&str> {
    let head = text
        .get(..crate::model::text::floor_char_boundary(text, 4096))
        .unwrap_or("");
    head.lines().map(str::trim).find(|l| !l.is_empty())
}

/// The title to keep beside the text: `None` when it is the first line itself; that line
/// shortened (or with its runs of spaces made one) when it is not; the id when the text is
/// blank.
fn title_of(text: &str, id: &str) -> Option<Box<str>> {
    match first_line(text) {
        Some(line) => {
            let title = crate::model::text::excerpt(line, 90);
            (title != line).then(|| title.into())
        }
        None => Some(id.into()),
    }
}
