//! What the view keeps per document between frames: its blocks and their heights, the
//! cached layouts, the scroll position, the caret, and the relations of the spans on screen.

use super::block_layout::{BlockLayout, Metrics, Style};
use super::blocks::{Block, HeightTree, split_blocks};
use egui::Pos2;
use std::collections::HashMap;
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
    /// Where relation arcs were drawn in the last frame (see `DocumentView::arc_rects`).
    pub(super) arc_rects: Vec<egui::Rect>,
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
            arc_rects: Vec::new(),
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
}
