//! Laying out the blocks a frame needs (and only those), measuring their heights, and
//! keeping the scroll position steady while heights change above it.

use super::block_layout::{BlockLayout, Inputs, signature};
use super::blocks::block_at;
use super::state::DocState;
use super::{MAX_CACHED_BLOCKS, OVERSCAN};
use egui::{Pos2, Rect, vec2};
use std::ops::Range;
use std::sync::Arc;

/// What laying out a block depends on in this frame.
pub(super) struct Layouter<'a> {
    pub(super) inputs: Inputs<'a>,
    pub(super) frame: u64,
}

impl Layouter<'_> {
    /// Lays out (or fetches) the blocks meeting `[y0, y1)`, updates their heights and returns
    /// how much the blocks above `anchor_y` grew (the scroll compensation).
    pub(super) fn measure(
        &self,
        ui: &egui::Ui,
        state: &mut DocState,
        y0: f32,
        y1: f32,
        anchor_y: f32,
    ) -> f32 {
        if state.blocks.is_empty() {
            return 0.0;
        }
        let mut correction = 0.0;
        let mut i = state.heights.block_at_y(y0.max(0.0));
        ui.ctx().fonts_mut(|fonts| {
            while i < state.blocks.len() {
                let top = state.heights.top(i);
                if top >= y1 {
                    break;
                }
                let h = self.ensure(fonts, state, i);
                let delta = state.heights.set(i, h);
                if delta != 0.0 && top < anchor_y {
                    correction += delta;
                }
                i += 1;
            }
        });
        correction
    }

    /// [`Self::measure`] for a viewport at `offset`, with the overscan around it.
    pub(super) fn measure_around(&self, ui: &egui::Ui, state: &mut DocState, offset: f32) -> f32 {
        let vh = state.viewport_h;
        self.measure(ui, state, offset - OVERSCAN, offset + vh + OVERSCAN, offset)
    }

    /// Makes sure block `i` has a current layout; returns its height.
    pub(super) fn ensure(
        &self,
        fonts: &mut egui::epaint::text::FontsView<'_>,
        state: &mut DocState,
        i: usize,
    ) -> f32 {
        let Some(block) = state.blocks.get(i) else {
            return 0.0;
        };
        if block.range.is_empty() {
            return self.inputs.metrics.estimate(0, &self.inputs.style);
        }
        let sig = signature(&self.inputs, &block.range);
        if let Some(l) = state.layouts.get_mut(&i)
            && l.signature == sig
        {
            // Re-submit the job so egui keeps its galley cached; a different galley back
            // means egui rebuilt its font atlas, and our geometry must be rebuilt too.
            let g = fonts.layout_job(l.job.clone());
            if Arc::ptr_eq(&g, &l.galley) {
                l.last_used = self.frame;
                return l.height();
            }
        }
        let mut l = BlockLayout::build(fonts, &self.inputs, block.range.clone(), sig);
        l.last_used = self.frame;
        let h = l.height();
        state.layouts.insert(i, l);
        h
    }

    /// Lays out block `i` (if needed) and updates its height.
    pub(super) fn ensure_block(&self, ui: &egui::Ui, state: &mut DocState, i: usize) {
        let h = ui.ctx().fonts_mut(|f| self.ensure(f, state, i));
        state.heights.set(i, h);
    }

    /// Y (in content coordinates) of byte `offset`, laying out its block if needed.
    pub(super) fn target_y(&self, ui: &egui::Ui, state: &mut DocState, offset: usize) -> f32 {
        let i = block_at(&state.blocks, offset);
        self.ensure_block(ui, state, i);
        let within = state
            .layouts
            .get(&i)
            .and_then(|l| l.caret_rect(offset))
            .map_or(0.0, |r| r.top());
        state.heights.top(i) + within
    }
}

/// Blocks meeting the viewport.
pub(super) fn visible_blocks(state: &DocState, viewport: Rect) -> Range<usize> {
    if state.blocks.is_empty() {
        return 0..0;
    }
    let first = state.heights.block_at_y(viewport.min.y.max(0.0));
    let mut last = first;
    while last < state.blocks.len() && state.heights.top(last) < viewport.max.y {
        last += 1;
    }
    first..last
}

pub(super) fn evict(state: &mut DocState, frame: u64) {
    if state.layouts.len() > MAX_CACHED_BLOCKS {
        state
            .layouts
            .retain(|_, l| frame.saturating_sub(l.last_used) < 4);
    }
}

pub(super) fn block_origin(state: &DocState, i: usize, origin: Pos2) -> Pos2 {
    origin + vec2(0.0, state.heights.top(i))
}
