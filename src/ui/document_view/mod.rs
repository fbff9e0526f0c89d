//! The document view: our own text widget, built for long documents.
//!
//! The text is split into blocks (lines). Only blocks that meet the viewport are laid out
//! and painted; the others are represented by an estimated height in a Fenwick tree, which
//! is corrected as blocks are measured (and the scroll offset compensated, so nothing jumps).
//! Selection and the keyboard caret are the app's own state, in document byte offsets, so
//! they can cross paragraphs.
//!
//! - `blocks.rs`: splitting the text, the height tree;
//! - `block_layout.rs`: one block's galley and the geometry of its spans;
//! - `caret.rs`: keyboard caret motions;
//! - `input.rs`: hit-testing and the mouse;
//! - `state.rs`: what the view keeps per document between frames;
//! - `layouter.rs`: laying out and measuring the blocks a frame needs;
//! - `arcs.rs`: where relation arcs run, in lanes above the rows, never across text;
//! - `paint.rs`: painting text, spans, selection, caret and relation arcs.

mod arcs;
mod block_layout;
pub mod blocks;
mod caret;
mod input;
mod layouter;
mod paint;
mod state;

pub use crate::ui::selection::Motion;

use crate::model::{DocId, Document, Schema, SpanKey};
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use crate::ui::theme;
use arcs::RelationEnds;
use block_layout::{Inputs, Metrics, Style};
use blocks::block_at;
use egui::{Color32, Pos2, Rect, Sense, vec2};
use layouter::{Layouter, block_origin, evict, visible_blocks};
use state::DocState;
use std::ops::Range;
use std::sync::Arc;

/// Blocks laid out beyond the viewport, above and below, so that measuring them (and the
/// scroll compensation that goes with it) happens before they are seen.
const OVERSCAN: f32 = 600.0;
/// How many documents keep their block list and scroll position when you switch away.
const REMEMBERED_DOCS: usize = 8;
/// Laid-out blocks kept per document before far-away ones are dropped.
const MAX_CACHED_BLOCKS: usize = 400;

/// A drag in progress: a text selection (in document bytes), or a link from a span's chip.
#[derive(Clone, Copy, Debug)]
enum Drag {
    Select {
        anchor: usize,
        head: usize,
        exact: bool,
    },
    Link {
        from: SpanKey,
        to: Pos2,
    },
}

/// What the app asks the view to show besides the document.
#[derive(Clone, Debug, Default)]
pub struct Decor {
    /// Draw every relation as an arc (otherwise only those of the selected span).
    pub all_relations: bool,
    /// A relation being made by keyboard.
    pub link: Option<LinkPreview>,
    /// What link mode says above the document (keys, the current candidate).
    pub banner: Option<String>,
    /// Draw pending suggestions (dashed outlines).
    pub show_suggestions: bool,
    /// The suggestion under review.
    pub focused_suggestion: Option<SpanKey>,
    /// The suggestion under review is being edited (`E`): outline these bounds, in this
    /// colour, instead of its own, so the view shows what Accept would make.
    pub edited_suggestion: Option<(Range<usize>, Color32)>,
}

/// The relation that Enter would create in link mode.
#[derive(Clone, Debug)]
pub struct LinkPreview {
    pub from: SpanKey,
    /// The candidate target, if any matches.
    pub to: Option<SpanKey>,
    /// The relation type (the first valid one).
    pub kind: String,
    /// Whether the relation goes from `from` to `to` (else the other way).
    pub forward: bool,
}

/// What the view reports to the app after a frame.
#[derive(Debug, Default)]
pub struct ViewOutput {
    /// The user changed the selection with the mouse.
    pub selection_changed: bool,
    /// Commands from the mouse: a link dragged from span to span, the context menu.
    pub commands: Vec<Command>,
}

/// The document view widget. Lives as long as the app; remembers a few documents.
#[derive(Default)]
pub struct DocumentView {
    docs: Vec<(DocId, DocState)>,
    metrics: Option<(Style, Metrics)>,
    drag: Option<Drag>,
    /// Byte offset to bring into view on the next frame.
    scroll_to: Option<usize>,
    /// Pixels to scroll by on the next frame (keyboard paging, profiling).
    scroll_by: f32,
    /// Frames left to bring `scroll_to` into view: measuring blocks near the target can
    /// change the content height, so a jump may need a second frame to land.
    scroll_retries: u8,
    /// Caret motions to apply on the next frame, when layouts are at hand.
    motions: Vec<(Motion, bool)>,
    /// A caret position set by the app, applied on the next frame.
    set_caret: Option<(DocId, usize)>,
    /// The relations of the document shown, by span, for the arcs.
    relation_ends: RelationEnds,
    frame: u64,
}

impl DocumentView {
    /// Scrolls so that `offset` is visible (if it is not already).
    pub fn reveal(&mut self, offset: usize) {
        self.scroll_to = Some(offset);
        self.scroll_retries = 3;
    }

    /// Moves the caret on the next frame; with `extend`, the text selection follows.
    pub fn move_caret(&mut self, motion: Motion, extend: bool) {
        self.motions.push((motion, extend));
    }

    /// Puts the caret at `offset` (after Tab selected a span, or a search jumped).
    pub fn place_caret(&mut self, doc_id: DocId, offset: usize) {
        self.set_caret = Some((doc_id, offset));
        if let Some((_, s)) = self.docs.iter_mut().find(|(d, _)| *d == doc_id) {
            s.caret = offset;
            s.anchor = None;
        }
    }

    /// The caret of a document (0 before it was shown).
    pub fn caret(&self, doc_id: DocId) -> usize {
        self.state(doc_id).map_or(0, |s| s.caret)
    }

    /// How many blocks of a document have a layout in memory (a long document must never
    /// have all of them).
    pub fn laid_out_blocks(&self, doc_id: DocId) -> usize {
        self.state(doc_id).map_or(0, |s| s.layouts.len())
    }

    /// Scrolls by `dy` points on the next frame.
    pub fn scroll_by(&mut self, dy: f32) {
        self.scroll_by += dy;
    }

    /// The byte range of the blocks shown in the last frame.
    pub fn visible_range(&self, doc_id: DocId) -> Option<Range<usize>> {
        let state = self.state(doc_id)?;
        let first = state.heights.block_at_y(state.offset);
        let last = state.heights.block_at_y(state.offset + state.viewport_h);
        Some(state.blocks.get(first)?.range.start..state.blocks.get(last)?.range.end)
    }

    /// Forgets cached state (a different project was opened).
    pub fn reset(&mut self) {
        self.docs.clear();
        self.drag = None;
        self.scroll_to = None;
        self.motions.clear();
    }

    /// Where a byte range of a document was drawn in the last frame, one rect per row (empty
    /// when it was not on screen). Used by tests to point the mouse at text.
    pub fn screen_rects(&self, doc_id: DocId, range: Range<usize>) -> Vec<Rect> {
        let Some(state) = self.state(doc_id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, l) in &state.layouts {
            let Some(block) = state.blocks.get(*i) else {
                continue;
            };
            if block.range.start < range.end
                && range.start < block.range.end.max(block.range.start + 1)
            {
                let o = block_origin(state, *i, state.origin).to_vec2();
                out.extend(l.range_rects(&range).into_iter().map(|r| r.translate(o)));
            }
        }
        out.sort_by(|a, b| {
            a.top()
                .total_cmp(&b.top())
                .then(a.left().total_cmp(&b.left()))
        });
        out
    }

    /// Where a span's label chip was drawn in the last frame (tests drag links from it).
    pub fn chip_rect(&self, doc_id: DocId, key: SpanKey) -> Option<Rect> {
        let state = self.state(doc_id)?;
        let i = block_at(&state.blocks, key.start);
        let l = state.layouts.get(&i)?;
        let chip = l.marks.iter().find(|m| m.key == key)?.chip.as_ref()?;
        Some(
            chip.rect
                .translate(block_origin(state, i, state.origin).to_vec2()),
        )
    }

    /// Where relation arcs and their labels were drawn in the last frame (tests check that
    /// none covers text).
    pub fn arc_rects(&self, doc_id: DocId) -> Vec<Rect> {
        self.state(doc_id)
            .map_or_else(Vec::new, |s| s.arc_rects.clone())
    }

    /// Whether a mouse drag is in progress (keys should not act on a half-made selection).
    pub fn is_dragging(&self) -> bool {
        self.drag.is_some()
    }

    fn state(&self, doc_id: DocId) -> Option<&DocState> {
        self.docs.iter().find(|(d, _)| *d == doc_id).map(|(_, s)| s)
    }

    fn state_index(&mut self, id: DocId, doc: &Document) -> usize {
        if let Some(i) = self
            .docs
            .iter()
            .position(|(d, s)| *d == id && Arc::ptr_eq(&s.text, &doc.text))
        {
            // Most recently used goes last.
            let entry = self.docs.remove(i);
            self.docs.push(entry);
        } else {
            self.docs.retain(|(d, _)| *d != id);
            if self.docs.len() >= REMEMBERED_DOCS {
                self.docs.remove(0);
            }
            self.docs.push((id, DocState::new(doc.text.clone())));
        }
        self.docs.len() - 1
    }

    /// Shows `doc` and handles the mouse and pending caret motions. `selection` is read to
    /// paint it and written when the user selects text, clicks a span or moves the caret.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc_id: DocId,
        doc: &Document,
        schema: &Schema,
        selection: &mut Selection,
        decor: &Decor,
    ) -> ViewOutput {
        self.frame += 1;
        let frame = self.frame;
        let avail = ui.available_width();
        // Once a document has spans or suggestions, every row keeps room for chips.
        let chip_rows = !doc.spans().is_empty() || !doc.suggestions().is_empty();
        let (style, metrics) = self.style_and_metrics(ui, avail, chip_rows);
        let idx = self.state_index(doc_id, doc);
        let mut scroll_to = self.scroll_to.take();
        let motions = std::mem::take(&mut self.motions);
        let set_caret = self.set_caret.take();
        let scroll_by = std::mem::take(&mut self.scroll_by);
        let Some((_, state)) = self.docs.get_mut(idx) else {
            return ViewOutput::default();
        };
        if state.style != Some(style) {
            state.restyle(style, &metrics);
        }
        if let Some((d, at)) = set_caret
            && d == doc_id
        {
            state.caret = at.min(doc.text.len());
            state.anchor = None;
        }
        self.relation_ends.refresh(doc_id, doc);
        let layouter = Layouter {
            inputs: Inputs {
                doc,
                schema,
                ends: &self.relation_ends,
                style,
                metrics,
            },
            frame,
        };
        let mut output = ViewOutput::default();
        if !motions.is_empty() {
            for (motion, extend) in motions {
                caret::apply(ui, state, &layouter, motion, extend, selection);
            }
            scroll_to = Some(state.caret);
            self.scroll_retries = 3;
            output.selection_changed = true;
        }
        let (forced_offset, retry_scroll) = pre_scroll(ui, state, &layouter, scroll_to, scroll_by);
        let left = ((avail - style.width) / 2.0).max(8.0);
        let area = Area {
            forced_offset,
            left,
        };
        area.show(
            ui,
            state,
            &layouter,
            &mut self.drag,
            selection,
            decor,
            &mut output,
        );
        if let Some(target) = retry_scroll
            && self.scroll_retries > 0
        {
            // Check next frame that the target landed in view.
            self.scroll_retries -= 1;
            self.scroll_to = Some(target);
            ui.ctx().request_repaint();
        }
        evict(state, frame);
        output
    }

    /// The text column's width and style, and the font metrics for them (measured again
    /// only when the style changes).
    fn style_and_metrics(
        &mut self,
        ui: &egui::Ui,
        avail: f32,
        chip_rows: bool,
    ) -> (Style, Metrics) {
        let width = (avail - 48.0).clamp(120.0, theme::MAX_TEXT_WIDTH);
        let style = Style {
            width,
            dark_mode: ui.visuals().dark_mode,
            text_color: ui.visuals().strong_text_color(),
            chip_rows,
        };
        let metrics = match self.metrics {
            Some((s, m)) if s == style => m,
            _ => {
                let m = ui.ctx().fonts_mut(Metrics::measure);
                self.metrics = Some((style, m));
                m
            }
        };
        (style, metrics)
    }
}

/// The pre-pass, with last frame's viewport: measures blocks near it and compensates the
/// scroll offset for height changes above it, before anything is drawn; then scrolls by
/// `scroll_by` or to `scroll_to`. Returns the offset to force (if any) and the target to
/// check again next frame.
fn pre_scroll(
    ui: &egui::Ui,
    state: &mut DocState,
    layouter: &Layouter<'_>,
    scroll_to: Option<usize>,
    scroll_by: f32,
) -> (Option<f32>, Option<usize>) {
    let vh = state.viewport_h;
    let correction = layouter.measure_around(ui, state, state.offset);
    let mut offset = state.offset + correction;
    if scroll_by != 0.0 {
        offset = (offset + scroll_by).clamp(0.0, (state.heights.total() - vh).max(0.0));
        offset += layouter.measure_around(ui, state, offset);
    }
    let mut forced_offset = (correction != 0.0 || scroll_by != 0.0).then_some(offset);
    let mut retry_scroll = None;
    if let Some(target) = scroll_to {
        let y = layouter.target_y(ui, state, target);
        if !(offset + 30.0..offset + vh - 60.0).contains(&y) {
            retry_scroll = Some(target);
            let new_offset = (y - vh * 0.3).max(0.0);
            // Measure around the target so it lands where expected.
            forced_offset = Some(new_offset + layouter.measure_around(ui, state, new_offset));
        }
    }
    (forced_offset, retry_scroll)
}

/// The scroll area of one frame: where it starts, and the text column's left margin.
struct Area {
    forced_offset: Option<f32>,
    left: f32,
}

impl Area {
    /// Lays out what is visible, handles the mouse, paints, and remembers the scroll state.
    #[allow(clippy::too_many_arguments)]
    fn show(
        &self,
        ui: &mut egui::Ui,
        state: &mut DocState,
        layouter: &Layouter<'_>,
        drag: &mut Option<Drag>,
        selection: &mut Selection,
        decor: &Decor,
        output: &mut ViewOutput,
    ) {
        let (doc, schema) = (layouter.inputs.doc, layouter.inputs.schema);
        let vh = state.viewport_h;
        let mut area = egui::ScrollArea::vertical()
            .id_salt("document-view")
            .scroll_source(egui::containers::scroll_area::ScrollSource {
                drag: egui::containers::scroll_area::DragScroll::Never,
                ..Default::default()
            })
            .auto_shrink([false, false]);
        if let Some(o) = self.forced_offset {
            // Never past the end egui knows (last frame's content): it would spring back.
            let max = (state.last_total - vh).max(0.0);
            area = area.vertical_scroll_offset(o.clamp(0.0, max));
        }
        let out = area.show_viewport(ui, |ui, viewport| {
            let origin = ui.min_rect().min + vec2(self.left, 0.0);
            state.origin = origin;
            // Measure what is visible now (usually cache hits after the pre-pass).
            layouter.measure(ui, state, viewport.min.y, viewport.max.y, viewport.min.y);
            let total = state.heights.total();
            state.last_total = total.max(viewport.height());
            let content = Rect::from_min_size(
                ui.min_rect().min,
                vec2(ui.available_width(), total.max(viewport.height())),
            );
            let response = ui.allocate_rect(content, Sense::click_and_drag());
            let visible = visible_blocks(state, viewport);
            let caret = {
                let view = input::Frame::new(state, visible.clone(), origin, doc, schema);
                input::interact(ui, &response, &view, selection, drag, decor, output)
            };
            if let Some(c) = caret {
                state.caret = c;
                state.anchor = None;
                state.sticky_x = None;
            }
            let view = input::Frame::new(state, visible, origin, doc, schema);
            state.arc_rects = paint::paint(ui, &view, selection, drag.as_ref(), decor);
        });
        state.offset = out.state.clamped_offset().y;
        state.viewport_h = out.inner_rect.height();
    }
}
