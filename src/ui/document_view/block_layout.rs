//! One block laid out for display: its galley, and where each span's tint, underline bar and
//! label chip go. Built only for blocks on screen, and rebuilt only when the spans touching
//! the block, the width or the style change.

use super::arcs::{self, BlockArcs, RelationEnds};
use crate::model::{Document, Schema, SpanKey};
use crate::ui::theme;
use egui::text::{CharIndex, LayoutJob, TextFormat, TextWrapping};
use egui::{Align, Color32, FontId, Galley, Pos2, Rect, pos2, vec2};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

/// What a block's look depends on besides its spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    pub width: f32,
    pub dark_mode: bool,
    pub text_color: Color32,
    /// Every row keeps room for label chips and a bar, whether or not it has spans yet: set
    /// once the document has spans or suggestions, so its first span (or an accepted
    /// suggestion) does not push the text under the reader's eyes.
    pub chip_rows: bool,
}

/// Font metrics the layout needs, measured once per style.
#[derive(Clone, Copy, Debug)]
pub struct Metrics {
    pub font: f32,
    /// Height of a row of text without extra spacing.
    pub text_height: f32,
    /// Row height of unannotated text.
    pub plain_line: f32,
    /// Average advance of a character, for height estimates.
    pub avg_char_width: f32,
}

impl Metrics {
    pub fn measure(fonts: &mut egui::epaint::text::FontsView<'_>) -> Self {
        let font = FontId::proportional(theme::DOC_FONT_SIZE);
        let sample = "The quick brown fox said “Ukraine must have a say,” insisted Harris.";
        let g = fonts.layout_no_wrap(sample.to_owned(), font.clone(), Color32::WHITE);
        let chars = sample.chars().count().max(1) as f32;
        Self {
            font: theme::DOC_FONT_SIZE,
            text_height: fonts.row_height(&font),
            plain_line: (theme::DOC_FONT_SIZE * theme::LINE_SPACING).round(),
            avg_char_width: (g.size().x / chars).max(1.0),
        }
    }

    /// Vertical room above and below the text of an annotated row: label chips go above,
    /// one underline bar per overlap level below.
    pub fn pad(&self, levels: usize) -> f32 {
        let bars =
            2.0 + levels.min(theme::MAX_LEVELS) as f32 * (theme::BAR_THICKNESS + theme::BAR_GAP);
        bars.max(theme::CHIP_HEIGHT + 2.0).ceil()
    }

    /// Row height of text with `levels` overlapping spans (0: room for chips and one bar).
    pub fn annotated_line(&self, levels: usize) -> f32 {
        (self.text_height + 2.0 * self.pad(levels)).round()
    }

    /// Height of a block before it is laid out: a guess from its length.
    pub fn estimate(&self, chars: usize, style: &Style) -> f32 {
        if chars == 0 {
            return (self.font * theme::PARAGRAPH_GAP).round();
        }
        let per_row = (style.width / self.avg_char_width).max(1.0);
        let rows = (chars as f32 / per_row).ceil().max(1.0);
        let line = if style.chip_rows {
            self.annotated_line(0)
        } else {
            self.plain_line
        };
        rows * line
    }
}

/// A span as drawn in this block.
#[derive(Clone, Debug)]
pub struct Mark {
    pub key: SpanKey,
    pub color: Color32,
    pub level: usize,
    /// Text area of the span, one rect per row, relative to the block's origin (for a
    /// discontinuous span, of its fragments only: the gaps are not part of it).
    pub rects: Vec<Rect>,
    /// Text area of a discontinuous span's gaps, where a thin connector joins its pieces.
    pub gaps: Vec<Rect>,
    /// The label chip, when the span starts in this block.
    pub chip: Option<Chip>,
}

#[derive(Clone, Debug)]
pub struct Chip {
    pub rect: Rect,
    pub galley: Arc<Galley>,
}

impl Mark {
    /// Rect of the underline bar under text rect `r`.
    pub fn bar(&self, r: Rect) -> Rect {
        let top = r.bottom()
            + 2.0
            + self.level.min(theme::MAX_LEVELS - 1) as f32
                * (theme::BAR_THICKNESS + theme::BAR_GAP);
        Rect::from_min_max(
            pos2(r.left(), top),
            pos2(r.right(), top + theme::BAR_THICKNESS),
        )
    }
}

/// A block's layout job and the geometry of its spans. The job is re-submitted each frame
/// (egui keeps the galley cached while it is used, and drops it if its font atlas is
/// rebuilt); when egui hands back a different galley, the whole layout is rebuilt.
pub struct BlockLayout {
    pub signature: u64,
    pub job: LayoutJob,
    pub galley: Arc<Galley>,
    pub pad: f32,
    /// Height of a row's text box (text, chips above, bars below), without arc lanes.
    pub line: f32,
    /// Room reserved above each row of the galley for relation arcs (0 for most rows).
    pub bands: Vec<f32>,
    /// Relation arcs of the spans whose chips are in this block.
    pub arcs: BlockArcs,
    pub marks: Vec<Mark>,
    /// Innermost span tint per run of text.
    pub tints: Vec<(Rect, Color32)>,
    /// Pending suggestions touching the block, drawn as dashed outlines.
    pub suggestions: Vec<SuggestionMark>,
    /// Byte offset (relative to the block) of every char, plus the end.
    pub char_bytes: Vec<u32>,
    pub block_start: usize,
    pub last_used: u64,
}

/// A pending suggestion as drawn in this block.
#[derive(Clone, Debug)]
pub struct SuggestionMark {
    pub key: SpanKey,
    pub color: Color32,
    /// Text area per row, relative to the block origin.
    pub rects: Vec<Rect>,
}

/// Pending suggestions that cover at least one byte of `range`.
fn pending_touching<'a>(
    doc: &'a Document,
    range: &Range<usize>,
) -> impl Iterator<Item = &'a crate::model::Suggestion> + 'a {
    let r = range.clone();
    doc.suggestions_overlapping(r.start, r.end.max(r.start + 1))
        .iter()
        .filter(move |s| {
            s.end > r.start && s.start < r.end && s.review == crate::model::Review::Pending
        })
}

/// What laying out a block reads besides its range.
pub struct Inputs<'a> {
    pub doc: &'a Document,
    pub schema: &'a Schema,
    pub ends: &'a RelationEnds,
    pub style: Style,
    pub metrics: Metrics,
}

/// Hash of everything that changes a block's look: the spans touching it, their relations
/// and the style.
pub fn signature(inputs: &Inputs<'_>, range: &Range<usize>) -> u64 {
    let (doc, schema, style) = (inputs.doc, inputs.schema, &inputs.style);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    range.hash(&mut h);
    style.width.to_bits().hash(&mut h);
    style.dark_mode.hash(&mut h);
    style.text_color.hash(&mut h);
    style.chip_rows.hash(&mut h);
    for s in touching(doc, range) {
        s.key().hash(&mut h);
        s.fragments.hash(&mut h);
        s.label.hash(&mut h);
        s.attrs.hash(&mut h);
        schema.label(&s.label).map(|l| l.color).hash(&mut h);
    }
    for s in pending_touching(doc, range) {
        s.key().hash(&mut h);
        s.label.hash(&mut h);
        schema.label(&s.label).map(|l| l.color).hash(&mut h);
    }
    inputs
        .ends
        .hash_block(doc, touching(doc, range), range, &mut h);
    h.finish()
}

/// Spans that cover at least one byte of `range` (or start in an empty block's position).
fn touching<'a>(
    doc: &'a Document,
    range: &Range<usize>,
) -> impl Iterator<Item = &'a crate::model::Span> + 'a {
    let r = range.clone();
    doc.spans_overlapping(r.start, r.end.max(r.start + 1))
        .iter()
        .filter(move |s| s.end > r.start && s.start < r.end)
}

/// Greedy interval colouring: each span gets the lowest level free over its extent, so
/// overlapping spans never share a bar. Spans come sorted by start.
pub(super) fn assign_levels(spans: &[(usize, usize)]) -> Vec<usize> {
    let mut order: Vec<(usize, (usize, usize))> = spans.iter().copied().enumerate().collect();
    // Longer spans first at equal start, so outer spans sit nearest the text.
    order.sort_by_key(|&(_, (start, end))| (start, std::cmp::Reverse(end)));
    let mut level_end: Vec<usize> = Vec::new();
    let mut levels = vec![0; spans.len()];
    for (i, (start, end)) in order {
        let level = match level_end.iter_mut().enumerate().find(|(_, e)| **e <= start) {
            Some((level, e)) => {
                *e = end;
                level
            }
            None => {
                level_end.push(end);
                level_end.len() - 1
            }
        };
        if let Some(l) = levels.get_mut(i) {
            *l = level;
        }
    }
    levels
}

/// Rects covering chars `[c0, c1)` of the galley, one per row: the text area of each row,
/// `pad` inside its text box of height `line`, which sits `bands[row]` below the row's top.
fn char_range_rects(
    galley: &Galley,
    bands: &[f32],
    line: f32,
    pad: f32,
    (c0, c1): (usize, usize),
) -> Vec<Rect> {
    let mut out = Vec::new();
    let mut row_start = 0;
    for (i, row) in galley.rows.iter().enumerate() {
        let n = row.char_count_including_newline().0;
        let lo = c0.max(row_start);
        let hi = c1
            .min(row_start + n)
            .min(row_start + row.row.char_count_excluding_newline().0);
        if lo < hi {
            let x0 = row.pos.x + row.row.x_offset(CharIndex(lo - row_start));
            let x1 = row.pos.x + row.row.x_offset(CharIndex(hi - row_start));
            let top = row.min_y() + bands.get(i).copied().unwrap_or(0.0);
            out.push(Rect::from_min_max(
                pos2(x0, top + pad),
                pos2(x1, top + line - pad),
            ));
        }
        row_start += n;
        if row_start >= c1 {
            break;
        }
    }
    out
}

/// The block's text as a layout job: one format, except that rows in `bands` get taller.
/// A row grows through one whitespace character with a taller line height, the rest of
/// the row keeping its height at the bottom (`valign`), so the room opens above the text;
/// a row without whitespace grows as a whole, by twice the band, text centred.
fn job_with_bands(
    text: &str,
    format: &TextFormat,
    galley: &Galley,
    bands: &[f32],
    width: f32,
) -> LayoutJob {
    let line = format.line_height.unwrap_or(0.0);
    let mut tall: Vec<(Range<usize>, f32)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut byte_of_row_start = 0;
    for (i, row) in galley.rows.iter().enumerate() {
        let n = row.char_count_including_newline().0;
        let visible = row.row.char_count_excluding_newline().0;
        let mut row_chars: Vec<(usize, char)> = Vec::with_capacity(n);
        for _ in 0..n {
            if let Some(c) = chars.next() {
                row_chars.push(c);
            }
        }
        let row_end = chars.peek().map_or(text.len(), |(b, _)| *b);
        let band = bands.get(i).copied().unwrap_or(0.0);
        if band > 0.0 {
            let space = row_chars
                .iter()
                .take(visible)
                .rev()
                .find(|(_, c)| c.is_whitespace());
            match space {
                Some(&(b, c)) => tall.push((b..b + c.len_utf8(), line + band)),
                None => tall.push((byte_of_row_start..row_end, line + 2.0 * band)),
            }
        }
        byte_of_row_start = row_end;
    }
    let mut job = LayoutJob::default();
    let mut at = 0;
    for (r, h) in tall {
        if r.start > at {
            job.append(
                text.get(at..r.start).unwrap_or_default(),
                0.0,
                format.clone(),
            );
        }
        let mut f = format.clone();
        f.line_height = Some(h);
        job.append(text.get(r.clone()).unwrap_or_default(), 0.0, f);
        at = r.end;
    }
    if at < text.len() || text.is_empty() {
        job.append(text.get(at..).unwrap_or_default(), 0.0, format.clone());
    }
    job.wrap = TextWrapping::wrap_at_width(width);
    job
}

impl BlockLayout {
    /// Builds the layout job, marks and arcs of a block. The galley comes from `fonts`,
    /// which memoizes it while it is in use. A block with relation arcs is laid out twice:
    /// the first layout says which rows the chips are on, the second opens lanes above them.
    pub fn build(
        fonts: &mut egui::epaint::text::FontsView<'_>,
        inputs: &Inputs<'_>,
        range: Range<usize>,
        signature: u64,
    ) -> Self {
        let (doc, schema, style, metrics) =
            (inputs.doc, inputs.schema, &inputs.style, &inputs.metrics);
        let text = doc.text.get(range.clone()).unwrap_or_default();
        let mut char_bytes: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
        char_bytes.push(text.len() as u32);
        let spans: Vec<_> = touching(doc, &range).collect();
        let clipped: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| {
                (
                    s.start.max(range.start) - range.start,
                    s.end.min(range.end) - range.start,
                )
            })
            .collect();
        let levels = assign_levels(&clipped);
        let depth = levels.iter().max().map_or(0, |m| m + 1);
        let annotated = style.chip_rows || !spans.is_empty();
        let pad = if annotated { metrics.pad(depth) } else { 0.0 };
        let line_height = if annotated {
            metrics.annotated_line(depth)
        } else {
            metrics.plain_line
        };
        let format = TextFormat {
            font_id: FontId::proportional(metrics.font),
            color: style.text_color,
            line_height: Some(line_height),
            valign: Align::BOTTOM,
            ..Default::default()
        };
        let mut job = LayoutJob::single_section(text.to_owned(), format.clone());
        job.wrap = TextWrapping::wrap_at_width(style.width);
        let galley = fonts.layout_job(job.clone());
        let mut layout = Self {
            signature,
            job,
            galley,
            pad,
            line: line_height,
            bands: Vec::new(),
            arcs: BlockArcs::default(),
            marks: Vec::new(),
            tints: Vec::new(),
            suggestions: Vec::new(),
            char_bytes,
            block_start: range.start,
            last_used: 0,
        };
        layout.place_marks(fonts, schema, &spans, &clipped, &levels, style.width);
        let right = style.width + theme::ARC_GUTTER_PAD;
        let plan = arcs::plan(
            fonts,
            doc,
            inputs.ends,
            &layout.marks,
            &layout.galley,
            right,
        );
        if !plan.is_empty() {
            layout.job = job_with_bands(text, &format, &layout.galley, &plan.bands, style.width);
            layout.galley = fonts.layout_job(layout.job.clone());
            layout.bands = plan.bands.clone();
            layout.marks.clear();
            layout.place_marks(fonts, schema, &spans, &clipped, &levels, style.width);
            layout.arcs = arcs::place(&plan, doc, &layout.marks, &layout.galley);
        }
        layout.place_tints(style.dark_mode, schema, &spans);
        layout.suggestions = pending_touching(doc, &range)
            .map(|sg| {
                let r = sg.start.max(range.start)..sg.end.min(range.end);
                SuggestionMark {
                    key: sg.key(),
                    color: theme::color(schema.color_of(&sg.label)),
                    rects: layout.range_rects(&r),
                }
            })
            .collect();
        layout
    }

    /// Local char index of a byte offset relative to the block.
    pub fn char_of(&self, local_byte: usize) -> usize {
        self.char_bytes
            .partition_point(|&b| (b as usize) < local_byte)
    }

    /// Document byte offset of a char index of the galley.
    pub fn byte_of(&self, local_char: usize) -> usize {
        let i = local_char.min(self.char_bytes.len().saturating_sub(1));
        self.block_start + self.char_bytes.get(i).copied().unwrap_or(0) as usize
    }

    /// Rects of a document byte range within this block, relative to the block origin.
    pub fn range_rects(&self, range: &Range<usize>) -> Vec<Rect> {
        let len = self.char_bytes.last().copied().unwrap_or(0) as usize;
        let lo = range.start.saturating_sub(self.block_start).min(len);
        let hi = range.end.saturating_sub(self.block_start).min(len);
        self.char_rects(self.char_of(lo), self.char_of(hi))
    }

    /// Text rects of galley chars `[c0, c1)`, one per row.
    fn char_rects(&self, c0: usize, c1: usize) -> Vec<Rect> {
        char_range_rects(&self.galley, &self.bands, self.line, self.pad, (c0, c1))
    }

    fn place_marks(
        &mut self,
        fonts: &mut egui::epaint::text::FontsView<'_>,
        schema: &Schema,
        spans: &[&crate::model::Span],
        clipped: &[(usize, usize)],
        levels: &[usize],
        width: f32,
    ) {
        // Chips on one row must not overlap: remember where the last chip on each row ends.
        let mut chip_right: Vec<(f32, f32)> = Vec::new();
        for ((span, &(s, e)), &level) in spans.iter().zip(clipped).zip(levels) {
            let rgb = schema.color_of(&span.label);
            let color = theme::color(rgb);
            let chip_text = theme::on_color(rgb);
            let (rects, gaps) = if span.is_discontinuous() {
                self.piece_rects(span)
            } else {
                (
                    self.char_rects(self.char_of(s), self.char_of(e)),
                    Vec::new(),
                )
            };
            let chip = if span.start >= self.block_start {
                rects.first().map(|first| {
                    let galley = chip_galley(fonts, &chip_label(schema, span), chip_text);
                    let w = galley.size().x + 6.0;
                    let mut x = first.left();
                    let y = first.top() - theme::CHIP_HEIGHT - 1.0;
                    for &(row_y, right) in &chip_right {
                        if (row_y - y).abs() < 1.0 && right > x {
                            x = right + 2.0;
                        }
                    }
                    // A chip at the end of a row stays inside the text column.
                    x = x.min((width - w).max(0.0));
                    chip_right.push((y, x + w));
                    Chip {
                        rect: Rect::from_min_size(pos2(x, y), vec2(w, theme::CHIP_HEIGHT)),
                        galley,
                    }
                })
            } else {
                None
            };
            self.marks.push(Mark {
                key: span.key(),
                color,
                level,
                rects,
                gaps,
                chip,
            });
        }
    }

    /// Rects of a discontinuous span's fragments and of the gaps between them, within this
    /// block.
    fn piece_rects(&self, span: &crate::model::Span) -> (Vec<Rect>, Vec<Rect>) {
        let block = self.block_start..self.block_end();
        let inside = |r: &Range<usize>| r.start < block.end && r.end > block.start;
        let pieces: Vec<Range<usize>> = span.pieces().collect();
        let rects = pieces
            .iter()
            .filter(|p| inside(p))
            .flat_map(|p| self.range_rects(p))
            .collect();
        let gaps = pieces
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some(a.end..b.start),
                _ => None,
            })
            .filter(|g| inside(g))
            .flat_map(|g| self.range_rects(&g))
            .collect();
        (rects, gaps)
    }

    /// Splits the block into runs between span boundaries and gives each run the tint of its
    /// innermost (shortest) span, so nested spans stay distinguishable and colours never stack.
    fn place_tints(&mut self, dark_mode: bool, schema: &Schema, spans: &[&crate::model::Span]) {
        let mut cuts: Vec<usize> = Vec::with_capacity(spans.len() * 2 + 2);
        let block_end = self.block_start + self.char_bytes.last().copied().unwrap_or(0) as usize;
        cuts.push(self.block_start);
        cuts.push(block_end);
        for s in spans {
            for p in s.pieces() {
                cuts.push(p.start.clamp(self.block_start, block_end));
                cuts.push(p.end.clamp(self.block_start, block_end));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        self.tints.clear();
        for (&a, &b) in cuts.iter().zip(cuts.iter().skip(1)) {
            let inner = spans
                .iter()
                .filter(|s| s.covers(a, b))
                .min_by_key(|s| s.len());
            if let Some(s) = inner {
                let rgb = schema.color_of(&s.label);
                let tint = theme::tint(rgb, dark_mode);
                for r in self.range_rects(&(a..b)) {
                    self.tints.push((r, tint));
                }
            }
        }
    }

    /// Byte offset just past the block's last character.
    pub fn block_end(&self) -> usize {
        self.block_start + self.char_bytes.last().copied().unwrap_or(0) as usize
    }

    /// A zero-width rect of the full row height where a caret at document byte `offset`
    /// goes, relative to the block origin; `None` when the offset is outside the block.
    pub fn caret_rect(&self, offset: usize) -> Option<Rect> {
        if offset < self.block_start || offset > self.block_end() {
            return None;
        }
        let cursor = egui::text::CCursor {
            index: CharIndex(self.char_of(offset - self.block_start)),
            prefer_next_row: true,
        };
        Some(self.galley.pos_from_cursor(cursor))
    }

    /// The caret as painted: [`Self::caret_rect`] cut to the row's text box, so a caret on
    /// a row with arc lanes above it stays the height of the text.
    pub fn caret_line(&self, offset: usize) -> Option<Rect> {
        let r = self.caret_rect(offset)?;
        let row = self
            .galley
            .rows
            .iter()
            .position(|row| r.center().y < row.max_y())
            .unwrap_or(0);
        let top = r.top() + self.bands.get(row).copied().unwrap_or(0.0);
        Some(Rect::from_min_max(
            pos2(r.left(), top),
            pos2(r.right(), (top + self.line).min(r.bottom())),
        ))
    }

    /// Document offset of the start (or end) of the visual row holding `offset`.
    pub fn row_edge(&self, offset: usize, end: bool) -> usize {
        let cursor = egui::text::CCursor {
            index: CharIndex(self.char_of(offset.saturating_sub(self.block_start))),
            prefer_next_row: true,
        };
        let edge = if end {
            self.galley.cursor_end_of_row(&cursor)
        } else {
            self.galley.cursor_begin_of_row(&cursor)
        };
        self.byte_of(edge.index.0)
    }

    /// Height of the block as laid out.
    pub fn height(&self) -> f32 {
        self.galley
            .rect
            .height()
            .max(self.galley.rows.last().map_or(0.0, |r| r.max_y()))
    }

    /// Char index under a point relative to the block origin.
    pub fn char_at(&self, p: Pos2) -> usize {
        self.galley.cursor_from_pos(p.to_vec2()).index.0
    }
}

/// What a chip says: the label, and the values of its choice attributes (`stance · against`),
/// so the main facts of a span are visible without selecting it.
fn chip_label(schema: &Schema, span: &crate::model::Span) -> String {
    let mut text = span.label.clone();
    if let Some(def) = schema.label(&span.label) {
        for a in &def.attributes {
            if !a.choices().is_empty()
                && let Some(v) = span.attrs.get(&a.name)
            {
                text.push_str(" · ");
                text.push_str(v);
            }
        }
    }
    text
}

/// The small label name drawn on a chip.
fn chip_galley(
    fonts: &mut egui::epaint::text::FontsView<'_>,
    label: &str,
    text_color: Color32,
) -> Arc<Galley> {
    fonts.layout_no_wrap(
        label.to_owned(),
        FontId::proportional(theme::CHIP_FONT_SIZE),
        text_color,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_get_distinct_levels() {
        // outer 0..50, nested 10..20, overlapping 40..60, disjoint 70..80
        let levels = assign_levels(&[(0, 50), (10, 20), (40, 60), (70, 80)]);
        assert_eq!(levels[0], 0);
        assert_ne!(levels[1], levels[0]);
        assert_ne!(levels[2], levels[0]);
        assert_eq!(levels[3], 0, "a span after the others reuses level 0");
    }
}
