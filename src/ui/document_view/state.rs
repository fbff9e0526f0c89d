//! What the view keeps per document between frames: its blocks and their heights, the
//! cached layouts, the scroll position, the caret, and the relations of the spans on screen.

use super::block_layout::{BlockLayout, Metrics, Style};
use super::blocks::{Block, HeightTree, split_blocks};
use crate::model::{Document, SpanId};
use egui::Pos2;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Per-document state of the view: blocks, heights, cached layouts, scroll position, caret.
pub(super) struct DocState {
    pub(super) text: Arc<str>,
    pub(super) blocks: Vec<Block>,
    pub(super) heights: HeightTree,
    pub(super) layouts: HashMap<usize, BlockLayout>,
    /// Width and style the heights were measured for.
    pub(super) style: Option<Style>,
    pub(super) offset: f32,
    pub(super) viewport_h: f32,
    /// Screen position of the content origin in the last frame (for `screen_rects`).
    pub(super) origin: Pos2,
    /// Content height given to the scroll area in the last frame: egui clamps offsets to it.
    pub(super) last_total: f32,
    /// Keyboard caret, a byte offset on a grapheme boundary.
    pub(super) caret: usize,
    /// Where a Shift+motion selection started.
    pub(super) anchor: Option<usize>,
    /// Remembered x for a run of Up/Down presses, so the caret keeps its column.
    pub(super) sticky_x: Option<f32>,
    /// Relations touching the spans on screen, rebuilt when the document or the visible
    /// blocks change.
    pub(super) relation_index: RelationIndex,
}

impl DocState {
    pub(super) fn new(text: Arc<str>) -> Self {
        let blocks = split_blocks(&text);
        let n = blocks.len();
        Self {
            text,
            blocks,
            heights: HeightTree::new(vec![0.0; n]),
            layouts: HashMap::new(),
            style: None,
            offset: 0.0,
            viewport_h: 400.0,
            origin: Pos2::ZERO,
            last_total: 0.0,
            caret: 0,
            anchor: None,
            sticky_x: None,
            relation_index: RelationIndex::default(),
        }
    }

    /// Re-estimates every height for a new width or style, keeping the block at the top of
    /// the viewport where it is.
    pub(super) fn restyle(&mut self, style: Style, metrics: &Metrics) {
        let anchor = self.heights.block_at_y(self.offset);
        let frac = if self.heights.height(anchor) > 0.0 {
            ((self.offset - self.heights.top(anchor)) / self.heights.height(anchor)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let had_heights = self.style.is_some();
        let estimates = self
            .blocks
            .iter()
            .map(|b| metrics.estimate(b.chars, &style))
            .collect();
        self.heights = HeightTree::new(estimates);
        self.layouts.clear();
        self.style = Some(style);
        if had_heights {
            self.offset = self.heights.top(anchor) + frac * self.heights.height(anchor);
        }
    }

    /// Relations touching the spans of the visible blocks, rebuilt only when the document
    /// or the visible blocks changed. One pass over the relations (no allocation per
    /// relation), so the frame that adds a span stays cheap in a document with thousands.
    pub(super) fn index_relations(&mut self, doc: &Document, visible: &Range<usize>) {
        let bytes = match (
            self.blocks.get(visible.start),
            self.blocks.get(visible.end.saturating_sub(1)),
        ) {
            (Some(a), Some(b)) => a.range.start..b.range.end.max(a.range.start + 1),
            _ => 0..0,
        };
        let key = (doc.revision(), bytes.clone());
        if self.relation_index.key.as_ref() == Some(&key) {
            return;
        }
        let index = &mut self.relation_index;
        index.key = Some(key);
        index.by_span.clear();
        index.starts.clear();
        let mut shown: Vec<(SpanId, usize)> = doc
            .spans_overlapping(bytes.start, bytes.end)
            .iter()
            .filter(|s| s.end > bytes.start || s.start == bytes.start)
            .map(|s| (s.id, s.start))
            .collect();
        if shown.is_empty() {
            return;
        }
        shown.sort_unstable();
        let start_of = |id: SpanId| {
            shown
                .binary_search_by_key(&id, |(i, _)| *i)
                .ok()
                .and_then(|i| shown.get(i))
                .map(|(_, start)| *start)
        };
        let mut off_screen = Vec::new();
        for (i, r) in doc.relations().iter().enumerate() {
            let (from, to) = (start_of(r.from), start_of(r.to));
            if from.is_none() && to.is_none() {
                continue;
            }
            for (id, start) in [(r.from, from), (r.to, to)] {
                match start {
                    Some(s) => {
                        index.by_span.entry(id).or_default().push(i);
                        index.starts.insert(id, s);
                    }
                    None => off_screen.push(id),
                }
            }
        }
        if !off_screen.is_empty() {
            // Where the off-screen ends are, for the stubs that point to them: one pass.
            off_screen.sort_unstable();
            for s in doc.spans() {
                if off_screen.binary_search(&s.id).is_ok() {
                    index.starts.insert(s.id, s.start);
                }
            }
        }
    }
}

/// Relations by span, for the spans on screen (see [`DocState::index_relations`]).
#[derive(Default)]
pub(super) struct RelationIndex {
    /// Document revision and byte range of the visible blocks it was built for.
    pub(super) key: Option<(u64, Range<usize>)>,
    /// Indices into the document's relations, by the id of a span on screen.
    pub by_span: HashMap<SpanId, Vec<usize>>,
    /// Start of every span at either end of those relations (on screen or not).
    pub starts: HashMap<SpanId, usize>,
}
