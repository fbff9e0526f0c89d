//! The keyboard caret: motions by grapheme, word, visual row, page and document, with Shift
//! extending a text selection. Rows come from the laid-out galleys, so Up and Down follow
//! what the user sees, across paragraphs.

use super::blocks::block_at;
use super::layouter::Layouter;
use super::state::DocState;
use crate::model::text::{next_grapheme, next_word_end, prev_grapheme, prev_word_start};
use crate::ui::selection::Motion;
use crate::ui::selection::Selection;
use egui::{Rect, pos2, vec2};

/// The caret's rect in content coordinates (its row's full height), laying out its block.
fn caret_rect(ui: &egui::Ui, state: &mut DocState, layouter: &Layouter<'_>, at: usize) -> Rect {
    let i = block_at(&state.blocks, at);
    layouter.ensure_block(ui, state, i);
    let top = state.heights.top(i);
    match state.layouts.get(&i).and_then(|l| l.caret_rect(at)) {
        Some(r) => r.translate(vec2(0.0, top)),
        // An empty line has no layout: the caret sits at its left edge.
        None => Rect::from_min_size(pos2(0.0, top), vec2(0.0, state.heights.height(i))),
    }
}

/// The byte offset at a point in content coordinates.
fn offset_at(
    ui: &egui::Ui,
    state: &mut DocState,
    layouter: &Layouter<'_>,
    x: f32,
    y: f32,
) -> usize {
    let len = layouter.inputs.doc.text.len();
    if y < 0.0 {
        return 0;
    }
    if y >= state.heights.total() {
        return len;
    }
    let i = state.heights.block_at_y(y);
    layouter.ensure_block(ui, state, i);
    let top = state.heights.top(i);
    match (state.layouts.get(&i), state.blocks.get(i)) {
        (Some(l), _) => l.byte_of(l.char_at(pos2(x, y - top))),
        (None, Some(b)) => b.range.start,
        (None, None) => len,
    }
}

/// Moves the caret; with `extend`, the selection runs from where the motions started.
pub(super) fn apply(
    ui: &egui::Ui,
    state: &mut DocState,
    layouter: &Layouter<'_>,
    motion: Motion,
    extend: bool,
    selection: &mut Selection,
) {
    let text = &layouter.inputs.doc.text;
    let from = state.caret.min(text.len());
    if extend && state.anchor.is_none() {
        // Extending an existing text selection keeps its far end.
        state.anchor = Some(match selection {
            Selection::Text(r) if r.end == from => r.start,
            Selection::Text(r) if r.start == from => r.end,
            _ => from,
        });
    }
    let collapse = match selection {
        Selection::Text(r) if !extend => Some(r.clone()),
        _ => None,
    };
    if !matches!(
        motion,
        Motion::Up | Motion::Down | Motion::PageUp | Motion::PageDown
    ) {
        state.sticky_x = None;
    }
    let page = 0.9 * state.viewport_h;
    let vertical = |state: &mut DocState, dy: f32| {
        let r = caret_rect(ui, state, layouter, from);
        let x = *state.sticky_x.get_or_insert(r.center().x);
        let y = if dy < 0.0 {
            r.top() + dy
        } else {
            r.bottom() + dy
        };
        offset_at(ui, state, layouter, x, y)
    };
    let to = match motion {
        // Left and Right on a selection go to its edge, as in every editor.
        Motion::Left => collapse.map_or_else(|| prev_grapheme(text, from), |r| r.start),
        Motion::Right => collapse.map_or_else(|| next_grapheme(text, from), |r| r.end),
        Motion::WordLeft => prev_word_start(text, from),
        Motion::WordRight => next_word_end(text, from),
        Motion::Up => vertical(state, -1.0),
        Motion::Down => vertical(state, 1.0),
        Motion::PageUp => vertical(state, -page),
        Motion::PageDown => vertical(state, page),
        Motion::LineStart | Motion::LineEnd => {
            let i = block_at(&state.blocks, from);
            layouter.ensure_block(ui, state, i);
            state
                .layouts
                .get(&i)
                .map_or(from, |l| l.row_edge(from, motion == Motion::LineEnd))
        }
        Motion::DocStart => 0,
        Motion::DocEnd => text.len(),
    };
    state.caret = to;
    if extend {
        let a = state.anchor.unwrap_or(from);
        *selection = if a == to {
            Selection::None
        } else {
            Selection::Text(a.min(to)..a.max(to))
        };
    } else {
        state.anchor = None;
        *selection = Selection::None;
    }
}
