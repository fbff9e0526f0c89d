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
//! - `paint.rs`: painting text, spans, selection, caret and relation arcs.

mod block_layout;
pub mod blocks;
mod caret;
mod input;
mod paint;

pub use crate::ui::selection::Motion;

use crate::model::{DocId, Document, Schema, SpanId, SpanKey};
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use crate::ui::theme;
use block_layout::{BlockLayout, Metrics, Style, signature};
use blocks::{Block, HeightTree, block_at, split_blocks};
use egui::{Pos2, Rect, Sense, vec2};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Blocks laid out beyond the viewport, above and below, so that measuring them (and the
/// scroll compensation that goes with it) happens before they are seen.
const OVERSCAN: f32 = 600.0;
/// How many documents keep their block list and scroll position when you switch away.
const REMEMBERED_DOCS: usize = 8;
/// Laid-out blocks kept per document before far-away ones are dropped.
const MAX_CACHED_BLOCKS: usize = 400;

/// Per-document state of the view: blocks, heights, cached layouts, scroll position, caret.
struct DocState {
    text: Arc<str>,
    blocks: Vec<Block>,
    heights: HeightTree,
    layouts: HashMap<usize, BlockLayout>,
    /// Width and style the heights were measured for.
    style: Option<Style>,
    offset: f32,
    viewport_h: f32,
    /// Screen position of the content origin in the last frame (for `screen_rects`).
    origin: Pos2,
    /// Content height given to the scroll area in the last frame: egui clamps offsets to it.
    last_total: f32,
    /// Keyboard caret, a byte offset on a grapheme boundary.
    caret: usize,
    /// Where a Shift+motion selection started.
    anchor: Option<usize>,
    /// Remembered x for a run of Up/Down presses, so the caret keeps its column.
    sticky_x: Option<f32>,
    /// Relations touching the spans on screen, rebuilt when the document or the visible
    /// blocks change.
    relation_index: RelationIndex,
}

impl DocState {
    fn new(text: Arc<str>) -> Self {
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
    fn restyle(&mut self, style: Style, metrics: &Metrics) {
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
            .map(|b| metrics.estimate(b.chars, style.width))
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
    fn index_relations(&mut self, doc: &Document, visible: &Range<usize>) {
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
    key: Option<(u64, Range<usize>)>,
    /// Indices into the document's relations, by the id of a span on screen.
    pub by_span: HashMap<SpanId, Vec<usize>>,
    /// Start of every span at either end of those relations (on screen or not).
    pub starts: HashMap<SpanId, usize>,
}

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
        let width = (avail - 48.0).clamp(120.0, theme::MAX_TEXT_WIDTH);
        let style = Style {
            width,
            dark_mode: ui.visuals().dark_mode,
            text_color: ui.visuals().strong_text_color(),
        };
        let metrics = match self.metrics {
            Some((s, m)) if s == style => m,
            _ => {
                let m = ui.ctx().fonts_mut(Metrics::measure);
                self.metrics = Some((style, m));
                m
            }
        };
        let idx = self.state_index(doc_id, doc);
        let mut scroll_to = self.scroll_to.take();
        let motions = std::mem::take(&mut self.motions);
        let set_caret = self.set_caret.take();
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
        let layouter = Layouter {
            doc,
            schema,
            style,
            metrics,
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

        // Pre-pass with last frame's viewport: measure blocks near it and compensate the
        // scroll offset for height changes above it, before anything is drawn.
        let vh = state.viewport_h;
        let correction = layouter.measure_around(ui, state, state.offset);
        let mut offset = state.offset + correction;
        let scroll_by = std::mem::take(&mut self.scroll_by);
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

        let left = ((avail - width) / 2.0).max(8.0);
        let mut area = egui::ScrollArea::vertical()
            .id_salt("document-view")
            .scroll_source(egui::containers::scroll_area::ScrollSource {
                drag: egui::containers::scroll_area::DragScroll::Never,
                ..Default::default()
            })
            .auto_shrink([false, false]);
        if let Some(o) = forced_offset {
            // Never past the end egui knows (last frame's content): it would spring back.
            let max = (state.last_total - vh).max(0.0);
            area = area.vertical_scroll_offset(o.clamp(0.0, max));
        }
        let drag = &mut self.drag;
        let out = area.show_viewport(ui, |ui, viewport| {
            let origin = ui.min_rect().min + vec2(left, 0.0);
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
            state.index_relations(doc, &visible);
            let caret = {
                let view = input::Frame::new(state, visible.clone(), origin, doc, schema);
                input::interact(ui, &response, &view, selection, drag, decor, &mut output)
            };
            if let Some(c) = caret {
                state.caret = c;
                state.anchor = None;
                state.sticky_x = None;
            }
            let view = input::Frame::new(state, visible, origin, doc, schema);
            paint::paint(ui, &view, selection, drag.as_ref(), decor);
        });
        state.offset = out.state.clamped_offset().y;
        state.viewport_h = out.inner_rect.height();
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
}

/// What laying out a block depends on in this frame.
struct Layouter<'a> {
    doc: &'a Document,
    schema: &'a Schema,
    style: Style,
    metrics: Metrics,
    frame: u64,
}

impl Layouter<'_> {
    /// Lays out (or fetches) the blocks meeting `[y0, y1)`, updates their heights and returns
    /// how much the blocks above `anchor_y` grew (the scroll compensation).
    fn measure(&self, ui: &egui::Ui, state: &mut DocState, y0: f32, y1: f32, anchor_y: f32) -> f32 {
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
    fn measure_around(&self, ui: &egui::Ui, state: &mut DocState, offset: f32) -> f32 {
        let vh = state.viewport_h;
        self.measure(ui, state, offset - OVERSCAN, offset + vh + OVERSCAN, offset)
    }

    /// Makes sure block `i` has a current layout; returns its height.
    fn ensure(
        &self,
        fonts: &mut egui::epaint::text::FontsView<'_>,
        state: &mut DocState,
        i: usize,
    ) -> f32 {
        let Some(block) = state.blocks.get(i) else {
            return 0.0;
        };
        if block.range.is_empty() {
            return self.metrics.estimate(0, self.style.width);
        }
        let sig = signature(self.doc, self.schema, &block.range, &self.style);
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
        let mut l = BlockLayout::build(
            fonts,
            self.doc,
            self.schema,
            block.range.clone(),
            &self.style,
            &self.metrics,
            sig,
        );
        l.last_used = self.frame;
        let h = l.height();
        state.layouts.insert(i, l);
        h
    }

    /// Lays out block `i` (if needed) and updates its height.
    fn ensure_block(&self, ui: &egui::Ui, state: &mut DocState, i: usize) {
        let h = ui.ctx().fonts_mut(|f| self.ensure(f, state, i));
        state.heights.set(i, h);
    }

    /// Y (in content coordinates) of byte `offset`, laying out its block if needed.
    fn target_y(&self, ui: &egui::Ui, state: &mut DocState, offset: usize) -> f32 {
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
fn visible_blocks(state: &DocState, viewport: Rect) -> Range<usize> {
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

fn evict(state: &mut DocState, frame: u64) {
    if state.layouts.len() > MAX_CACHED_BLOCKS {
        state
            .layouts
            .retain(|_, l| frame.saturating_sub(l.last_used) < 4);
    }
}

fn block_origin(state: &DocState, i: usize, origin: Pos2) -> Pos2 {
    origin + vec2(0.0, state.heights.top(i))
}
