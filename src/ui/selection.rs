//! What the user has selected in the current document: a stretch of text to tag, or a span
//! to relabel or delete. App state, shared by the document view, the span panel and the
//! commands.

use crate::model::{Document, SpanKey};
use std::ops::Range;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    #[default]
    None,
    /// A snapped, non-empty byte range that a label key turns into a span.
    Text(Range<usize>),
    /// An existing span.
    Span(SpanKey),
}

impl Selection {
    /// The byte range to show or scroll to.
    pub fn range(&self) -> Option<Range<usize>> {
        match self {
            Selection::None => None,
            Selection::Text(r) => Some(r.clone()),
            Selection::Span(k) => Some(k.start..k.end),
        }
    }

    pub fn span(&self) -> Option<SpanKey> {
        match self {
            Selection::Span(k) => Some(*k),
            _ => None,
        }
    }

    /// Drops a span selection whose span no longer exists (after undo or delete), and a text
    /// selection that no longer fits the document.
    pub fn validate(&mut self, doc: &Document) {
        let keep = match self {
            Selection::None => true,
            Selection::Text(r) => doc.text.get(r.clone()).is_some() && r.start < r.end,
            Selection::Span(k) => doc.span_by_key(*k).is_some(),
        };
        if !keep {
            *self = Selection::None;
        }
    }
}

/// Where a caret key moves the caret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    Left,
    Right,
    WordLeft,
    WordRight,
    Up,
    Down,
    LineStart,
    LineEnd,
    PageUp,
    PageDown,
    DocStart,
    DocEnd,
}
