//! The document view: our own text widget, built for long documents.
//!
//! The text is split into blocks (lines). Only blocks that meet the viewport are laid out
//! and painted; the others are represented by an estimated height in a Fenwick tree, which
//! is corrected as blocks are measured (and the scroll offset compensated, so nothing jumps).
//! Selection is the app's own state, in document byte offsets, so it can cross paragraphs.

mod block_layout;
pub mod blocks;

use crate::model::text::{snap_to_graphemes, snap_to_words};
use crate::model::{DocId, Document, Schema, SpanKey};
use crate::ui::selection::Selection;
use crate::ui::theme;
use block_layout::{BlockLayout, Metrics, Style, signature};
use blocks::{Block, HeightTree, block_at, split_blocks};
use egui::{Color32, CursorIcon, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2, vec2};
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

/// Per-document state of the view: blocks, heights, cached layouts, scroll position.
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
}

/// A drag in progress: where it started and where the pointer is, in document bytes.
#[derive(Clone, Copy, Debug)]
struct Drag {
    anchor: usize,
    head: usize,
    exact: bool,
}

/// What the view reports to the app after a frame.
#[derive(Debug, Default)]
pub struct ViewOutput {
    /// The user changed the selection with the mouse.
    pub selection_changed: bool,
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
    frame: u64,
}

impl DocumentView {
    /// Scrolls so that `offset` is visible (if it is not already).
    pub fn reveal(&mut self, offset: usize) {
        self.scroll_to = Some(offset);
        self.scroll_retries = 3;
    }

    /// How many blocks of a document have a layout in memory (a long document must never
    /// have all of them).
    pub fn laid_out_blocks(&self, doc_id: DocId) -> usize {
        self.docs
            .iter()
            .find(|(d, _)| *d == doc_id)
            .map_or(0, |(_, s)| s.layouts.len())
    }

    /// Scrolls by `dy` points on the next frame.
    pub fn scroll_by(&mut self, dy: f32) {
        self.scroll_by += dy;
    }

    /// Scrolls by a fraction of the visible height of the current document.
    pub fn scroll_pages(&mut self, doc_id: DocId, pages: f32) {
        let vh = self
            .docs
            .iter()
            .find(|(d, _)| *d == doc_id)
            .map_or(400.0, |(_, s)| s.viewport_h);
        self.scroll_by(pages * vh);
    }

    /// The byte range of the blocks shown in the last frame.
    pub fn visible_range(&self, doc_id: DocId) -> Option<Range<usize>> {
        let (_, state) = self.docs.iter().find(|(d, _)| *d == doc_id)?;
        let first = state.heights.block_at_y(state.offset);
        let last = state.heights.block_at_y(state.offset + state.viewport_h);
        Some(state.blocks.get(first)?.range.start..state.blocks.get(last)?.range.end)
    }

    /// Forgets cached state (a different project was opened).
    pub fn reset(&mut self) {
        self.docs.clear();
        self.drag = None;
        self.scroll_to = None;
    }

    /// Where a byte range of a document was drawn in the last frame, one rect per row (empty
    /// when it was not on screen). Used by tests to point the mouse at text.
    pub fn screen_rects(&self, doc_id: DocId, range: Range<usize>) -> Vec<Rect> {
        let Some((_, state)) = self.docs.iter().find(|(d, _)| *d == doc_id) else {
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

    /// Whether a mouse drag selection is in progress (keys should not act on a half-made
    /// selection).
    pub fn is_dragging(&self) -> bool {
        self.drag.is_some()
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

    /// Shows `doc` and handles the mouse. `selection` is read to paint it and written when
    /// the user selects text or clicks a span.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc_id: DocId,
        doc: &Document,
        schema: &Schema,
        selection: &mut Selection,
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
        let scroll_to = self.scroll_to.take();
        let Some((_, state)) = self.docs.get_mut(idx) else {
            return ViewOutput::default();
        };
        if state.style != Some(style) {
            state.restyle(style, &metrics);
        }

        let layouter = Layouter {
            doc,
            schema,
            style,
            metrics,
            frame,
        };
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
        let mut output = ViewOutput::default();
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
            paint(ui, state, &visible, origin, selection, drag.as_ref(), doc);
            output.selection_changed =
                interact(ui, &response, state, &visible, origin, doc, selection, drag);
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

    /// Y (in content coordinates) of byte `offset`, laying out its block if needed.
    fn target_y(&self, ui: &egui::Ui, state: &mut DocState, offset: usize) -> f32 {
        let i = block_at(&state.blocks, offset);
        let h = ui.ctx().fonts_mut(|f| self.ensure(f, state, i));
        state.heights.set(i, h);
        let within = state.layouts.get(&i).map_or(0.0, |l| {
            l.range_rects(&(offset..offset + 1))
                .first()
                .map_or(0.0, |r| r.top())
        });
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

fn paint(
    ui: &egui::Ui,
    state: &DocState,
    visible: &Range<usize>,
    origin: Pos2,
    selection: &Selection,
    drag: Option<&Drag>,
    doc: &Document,
) {
    let painter = ui.painter();
    let selected_span = selection.span();
    let text_selection = match drag {
        Some(d) => preview_range(doc, d),
        None => match selection {
            Selection::Text(r) => Some(r.clone()),
            _ => None,
        },
    };
    let sel_fill = ui.visuals().selection.bg_fill.gamma_multiply(0.55);
    let text_color = ui.visuals().strong_text_color();
    for i in visible.clone() {
        let Some(layout) = state.layouts.get(&i) else {
            continue;
        };
        let o = block_origin(state, i, origin).to_vec2();
        for (r, c) in &layout.tints {
            painter.rect_filled(r.translate(o), 2.0, *c);
        }
        painter.galley(o.to_pos2(), layout.galley.clone(), text_color);
        if let Some(sel) = &text_selection
            && sel.start < layout_end(layout)
            && sel.end > layout.block_start
        {
            for r in layout.range_rects(sel) {
                painter.rect_filled(r.translate(o).expand(1.0), 2.0, sel_fill);
            }
        }
        for m in &layout.marks {
            let selected = selected_span == Some(m.key);
            for r in &m.rects {
                let bar = m.bar(*r).translate(o);
                painter.rect_filled(bar, 1.0, m.color);
                if selected {
                    painter.rect_stroke(
                        r.translate(o).expand(2.0),
                        3.0,
                        Stroke::new(2.0, m.color),
                        StrokeKind::Outside,
                    );
                }
            }
            if let Some(chip) = &m.chip {
                let rect = chip.rect.translate(o);
                let fill = if selected {
                    m.color
                } else {
                    m.color.gamma_multiply(0.85)
                };
                painter.rect_filled(rect, 3.0, fill);
                if selected {
                    painter.rect_stroke(
                        rect,
                        3.0,
                        Stroke::new(1.5, ui.visuals().strong_text_color()),
                        StrokeKind::Outside,
                    );
                }
                let text_pos = rect.center() - chip.galley.size() / 2.0;
                painter.galley(text_pos, chip.galley.clone(), Color32::WHITE);
            }
        }
    }
}

fn layout_end(l: &BlockLayout) -> usize {
    l.block_start + l.char_bytes.last().copied().unwrap_or(0) as usize
}

/// The snapped range a drag would select, shown while dragging.
fn preview_range(doc: &Document, d: &Drag) -> Option<Range<usize>> {
    let (a, b) = if d.anchor <= d.head {
        (d.anchor, d.head)
    } else {
        (d.head, d.anchor)
    };
    if d.exact {
        snap_to_graphemes(&doc.text, a..b)
    } else {
        snap_to_words(&doc.text, a..b)
    }
}

/// Byte offset under a screen point (clamped to the document).
fn offset_at(state: &DocState, visible: &Range<usize>, origin: Pos2, p: Pos2) -> Option<usize> {
    if visible.is_empty() {
        return None;
    }
    let y = p.y - origin.y;
    let i = state
        .heights
        .block_at_y(y)
        .clamp(visible.start, visible.end - 1);
    let block = state.blocks.get(i)?;
    if y < state.heights.top(visible.start) {
        return Some(state.blocks.get(visible.start)?.range.start);
    }
    match state.layouts.get(&i) {
        Some(l) => {
            let local = p - block_origin(state, i, origin).to_vec2();
            Some(l.byte_of(l.char_at(local)))
        }
        None => Some(block.range.start),
    }
}

/// The span under a point: a chip or bar names one span exactly; on the text, the innermost
/// span wins.
fn span_at(
    state: &DocState,
    visible: &Range<usize>,
    origin: Pos2,
    p: Pos2,
) -> Option<(SpanKey, String)> {
    let mut best: Option<(&block_layout::Mark, usize)> = None;
    for i in visible.clone() {
        let Some(l) = state.layouts.get(&i) else {
            continue;
        };
        let o = block_origin(state, i, origin).to_vec2();
        for m in &l.marks {
            let on_chip = m
                .chip
                .as_ref()
                .is_some_and(|c| c.rect.translate(o).contains(p));
            let on_bar = m
                .rects
                .iter()
                .any(|r| m.bar(*r).translate(o).expand2(vec2(0.0, 1.0)).contains(p));
            if on_chip || on_bar {
                return Some((m.key, format!("{}: {}", m.label, m.excerpt)));
            }
            if m.rects.iter().any(|r| r.translate(o).contains(p)) {
                let len = m.key.end - m.key.start;
                if best.is_none_or(|(_, l)| len < l) {
                    best = Some((m, len));
                }
            }
        }
    }
    best.map(|(m, _)| (m.key, format!("{}: {}", m.label, m.excerpt)))
}

/// Mouse handling: drag to select (snapped to words, or to characters with Alt), click a
/// span to select it, click elsewhere to clear. Returns whether the selection changed.
#[allow(clippy::too_many_arguments)]
fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    state: &DocState,
    visible: &Range<usize>,
    origin: Pos2,
    doc: &Document,
    selection: &mut Selection,
    drag: &mut Option<Drag>,
) -> bool {
    let pointer = response
        .interact_pointer_pos()
        .or_else(|| response.hover_pos());
    if let Some(p) = response.hover_pos() {
        match span_at(state, visible, origin, p) {
            Some((_, tip)) => {
                ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
                response.clone().on_hover_text_at_pointer(tip);
            }
            None => ui.ctx().set_cursor_icon(CursorIcon::Text),
        }
    }
    let exact = ui.input(|i| i.modifiers.alt);
    // The drag starts where the button went down, not where the pointer is once it has moved
    // far enough to count as a drag.
    if response.drag_started()
        && let Some(p) = ui
            .input(|i| i.pointer.press_origin())
            .or(response.interact_pointer_pos())
        && let Some(at) = offset_at(state, visible, origin, p)
    {
        *drag = Some(Drag {
            anchor: at,
            head: at,
            exact,
        });
    }
    if let Some(d) = drag.as_mut() {
        if let Some(p) = pointer
            && let Some(at) = offset_at(state, visible, origin, p)
        {
            d.head = at;
            d.exact = exact;
        }
        // Scroll when dragging past the top or bottom edge.
        if let Some(p) = pointer {
            let clip = ui.clip_rect();
            let dy = if p.y < clip.top() + 10.0 {
                (clip.top() + 10.0 - p.y).min(40.0)
            } else if p.y > clip.bottom() - 10.0 {
                -(p.y - clip.bottom() + 10.0).min(40.0)
            } else {
                0.0
            };
            if dy != 0.0 {
                ui.scroll_with_delta(Vec2::new(0.0, dy));
                ui.ctx().request_repaint();
            }
        }
        if response.drag_stopped() || !ui.input(|i| i.pointer.any_down()) {
            let d = *d;
            *drag = None;
            *selection = match preview_range(doc, &d) {
                Some(r) => Selection::Text(r),
                None => Selection::None,
            };
            return true;
        }
        return false;
    }
    if response.double_clicked()
        && let Some(p) = response.interact_pointer_pos()
        && let Some(at) = offset_at(state, visible, origin, p)
    {
        let end = crate::model::text::next_grapheme(&doc.text, at);
        if let Some(r) = snap_to_words(&doc.text, at..end) {
            *selection = Selection::Text(r);
            return true;
        }
    }
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        *selection = match span_at(state, visible, origin, p) {
            Some((key, _)) => Selection::Span(key),
            None => Selection::None,
        };
        return true;
    }
    false
}
