//! The annotation project in memory: documents with their text, and the spans on them.
//!
//! Nothing here touches the disk or egui; `persist` reads and writes it, `ui` shows it, and
//! every change goes through [`crate::model::Edit`].

use crate::model::attrs::Attrs;
use crate::model::schema::Schema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

mod document;
pub use document::Document;

#[cfg(test)]
mod text_hash_tests {
    use super::TextHash;

    #[test]
    fn a_text_hash_reads_back_what_it_writes_and_nothing_else() {
        let h = TextHash::of("abc");
        let written = h.to_string();
        assert_eq!(
            written,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TextHash::parse(&written), Some(h));
        assert_eq!(
            TextHash::parse(&written.to_uppercase().replace("SHA256", "sha256")),
            Some(h)
        );
        for bad in [
            "",
            "sha256:",
            "md5:ba78",
            &written[..70],
            &format!("{written}0"),
            &written.replace('b', "g"),
        ] {
            assert_eq!(TextHash::parse(bad), None, "{bad}");
        }
    }
}

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
#[serde(deny_unknown_fields)]
pub struct Span {
    pub id: SpanId,
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary.
    pub end: usize,
    pub label: String,
    /// The covered text, kept so that a changed corpus file is caught instead of silently
    /// shifting every annotation. For a discontinuous span, everything from `start` to
    /// `end`, the gaps included (each piece's own text is in `fragments`).
    pub text: String,
    /// The pieces of a discontinuous span (a quote interrupted by "she said" is one
    /// statement): at least two, in order, apart from each other, the first starting at
    /// `start` and the last ending at `end`. Empty for an ordinary, contiguous span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<Fragment>,
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

/// One piece of a discontinuous span, with the text it covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fragment {
    pub start: usize,
    pub end: usize,
    pub text: String,
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Unique in the project; drawn from the same counter as span ids.
    pub id: SpanId,
    /// The relation type's name (`holds`).
    pub kind: String,
    pub from: SpanId,
    pub to: SpanId,
    /// Attribute values (brat attributes on relations and on event arguments' links).
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
    /// The annotator's free-text note (brat `#` lines on relations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Relation {
    /// A relation with no attributes or note.
    pub fn new(id: SpanId, kind: impl Into<String>, from: SpanId, to: SpanId) -> Self {
        Self {
            id,
            kind: kind.into(),
            from,
            to,
            attrs: Attrs::default(),
            note: None,
        }
    }
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

    /// Whether the span has pieces with gaps between them.
    pub fn is_discontinuous(&self) -> bool {
        !self.fragments.is_empty()
    }

    /// The byte ranges the span covers: its fragments, or `start..end`.
    pub fn pieces(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        let whole = self.fragments.is_empty().then_some(self.start..self.end);
        whole
            .into_iter()
            .chain(self.fragments.iter().map(|f| f.start..f.end))
    }

    /// The text it covers, for lists and exports: a discontinuous span's pieces joined by
    /// " … ".
    pub fn covered(&self) -> Cow<'_, str> {
        if self.fragments.is_empty() {
            Cow::Borrowed(&self.text)
        } else {
            let texts: Vec<&str> = self.fragments.iter().map(|f| f.text.as_str()).collect();
            Cow::Owned(texts.join(" … "))
        }
    }

    /// Whether byte range `a..b` lies inside one of its pieces (not in a gap).
    pub fn covers(&self, a: usize, b: usize) -> bool {
        self.pieces().any(|p| p.start <= a && b <= p.end)
    }

    /// Moves the span (and its fragments) so that it starts at `at`.
    pub fn shift_to(&mut self, at: usize) {
        let delta = at as isize - self.start as isize;
        for f in &mut self.fragments {
            f.start = f.start.saturating_add_signed(delta);
            f.end = f.end.saturating_add_signed(delta);
        }
        self.end = self.end.saturating_add_signed(delta);
        self.start = at;
    }

    /// Gives the span these pieces (sorted, apart, inside `text`; see
    /// [`crate::model::check::pieces`]): one makes it contiguous, several discontinuous.
    pub fn set_pieces(&mut self, text: &str, pieces: &[Range<usize>]) {
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            return;
        };
        self.start = first.start;
        self.end = last.end;
        self.text = text
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_owned();
        self.fragments = if pieces.len() > 1 {
            pieces
                .iter()
                .map(|p| Fragment {
                    start: p.start,
                    end: p.end,
                    text: text.get(p.clone()).unwrap_or_default().to_owned(),
                })
                .collect()
        } else {
            Vec::new()
        };
    }
}

/// Position of a span in its document's sorted list: (start, end, id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanKey {
    pub start: usize,
    pub end: usize,
    pub id: SpanId,
}

/// The SHA-256 of a document's text, recorded so a changed corpus file is noticed; written
/// `sha256:<hex>`. Kept as its 32 bytes: as text it was an 80-byte allocation per document.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextHash([u8; 32]);

impl TextHash {
    pub fn of(text: &str) -> Self {
        use sha2::Digest;
        Self(sha2::Sha256::digest(text.as_bytes()).into())
    }

    /// The hash written `sha256:<hex>` (lower or upper case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let hex = s.strip_prefix("sha256:")?.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            let digit = |c: u8| char::from(c).to_digit(16);
            let (Some(hi), Some(lo)) = (
                pair.first().and_then(|c| digit(*c)),
                pair.get(1).and_then(|c| digit(*c)),
            ) else {
                return None;
            };
            *byte = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(Self(out))
    }
}

impl std::fmt::Display for TextHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sha256:")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for TextHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Where a document's text lives on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocSource {
    /// A whole UTF-8 text file.
    TextFile(PathBuf),
    /// The `text` field of one line of a JSONL corpus (line numbers start at 1).
    /// (The path is shared by every line of the file: a copy per document of a million-line
    /// corpus took 32 MB.)
    JsonlLine {
        path: std::sync::Arc<std::path::Path>,
        line: usize,
    },
}

impl DocSource {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::TextFile(p) => p,
            Self::JsonlLine { path, .. } => path,
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

    /// The id [`Project::allocate_span_id`] hands out next.
    pub fn next_span_id(&self) -> u64 {
        self.next_span_id.load(Ordering::Relaxed)
    }

    /// Never hands out an id below `next` again: for an edit built on a copy of this project
    /// (off the UI thread), whose new ids the copy took.
    pub fn reserve_span_ids(&self, next: u64) {
        self.next_span_id.fetch_max(next, Ordering::Relaxed);
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
        self.documents.iter().map(|d| d.spans().len()).sum()
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
            fragments: Vec::new(),
            attrs: crate::model::Attrs::new(),
            note: None,
            annotator: None,
            origin: None,
        })
    }
}

/// Documents and spans for the model's unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A document `id` with `text`, from `id.txt`.
    pub(crate) fn doc(id: &str, text: &str) -> Document {
        Document::new(
            id.into(),
            DocSource::TextFile(format!("{id}.txt").into()),
            crate::model::TextHash::of(""),
            text.into(),
        )
    }

    /// A span with nothing but its place, label and text.
    pub(crate) fn span(id: u64, start: usize, end: usize, label: &str, text: &str) -> Span {
        Span {
            id: SpanId(id),
            start,
            end,
            label: label.into(),
            text: text.into(),
            fragments: Vec::new(),
            attrs: crate::model::Attrs::new(),
            note: None,
            annotator: None,
            origin: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn doc(text: &str) -> Document {
        Document::new(
            "d".into(),
            DocSource::TextFile("d.txt".into()),
            crate::model::TextHash::of(""),
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
            fragments: Vec::new(),
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
            doc("\n\n  Kamala Harris refuses  \nbody").title(),
            "Kamala Harris refuses"
        );
        assert_eq!(doc("   ").title(), "d");
        // Kept beside the text only when it is not a slice of it.
        assert_eq!(doc("Harris   said\tno\nbody").title(), "Harris said no");
        let long = "word ".repeat(40);
        let title = doc(&long).title().to_owned();
        assert_eq!(title.chars().count(), 91, "{title}");
        assert!(title.ends_with('…'));
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
