//! Relation arcs that stay out of the text, drawn as brat draws them: each arc runs in a lane
//! reserved above the row its ends are on, and only rows with arcs grow (by one lane per arc
//! that cannot share one). An arc whose ends are on different rows leaves its first row in
//! a lane, runs down the right margin and enters the other row in a lane: it never crosses
//! a paragraph.
//!
//! A block is planned in two passes (see `BlockLayout::build`): [`plan`] reads the chips of
//! the first layout and gives every arc a row and a lane, the block is laid out again with
//! the lanes' room above those rows, and [`place`] turns the plan into points.

use super::block_layout::{Mark, assign_levels};
use crate::model::{DocId, Document, Span, SpanId};
use crate::ui::theme;
use egui::{Color32, FontId, Galley, Pos2};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

/// The relations of every span that has some, by span: rebuilt when the document changes,
/// so a block can find its arcs without scanning the document's relations every frame.
#[derive(Default)]
pub(super) struct RelationEnds {
    key: Option<(DocId, u64, usize)>,
    /// Indices into the document's relations, by the id of a span at either end.
    pub by_span: HashMap<SpanId, Vec<usize>>,
    /// Start of every span at either end of a relation.
    pub starts: HashMap<SpanId, usize>,
}

impl RelationEnds {
    pub fn refresh(&mut self, id: DocId, doc: &Document) {
        let key = (
            id,
            doc.revision(),
            Arc::as_ptr(&doc.text).cast::<u8>() as usize,
        );
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        self.by_span.clear();
        self.starts.clear();
        for (i, r) in doc.relations().iter().enumerate() {
            self.by_span.entry(r.from).or_default().push(i);
            if r.to != r.from {
                self.by_span.entry(r.to).or_default().push(i);
            }
        }
        if self.by_span.is_empty() {
            return;
        }
        for s in doc.spans() {
            if self.by_span.contains_key(&s.id) {
                self.starts.insert(s.id, s.start);
            }
        }
    }

    /// Hashes what the arcs of the spans starting in `range` depend on: their relations,
    /// and where the other end of each starts.
    pub fn hash_block<'a>(
        &self,
        doc: &Document,
        spans: impl Iterator<Item = &'a Span>,
        range: &Range<usize>,
        h: &mut impl Hasher,
    ) {
        if self.by_span.is_empty() {
            return;
        }
        for s in spans.filter(|s| s.start >= range.start) {
            for r in self.relations_of(doc, s.id) {
                (r.id, &r.kind, r.from, r.to).hash(h);
                self.starts.get(&r.from).hash(h);
                self.starts.get(&r.to).hash(h);
            }
        }
    }

    fn relations_of<'d>(
        &'d self,
        doc: &'d Document,
        span: SpanId,
    ) -> impl Iterator<Item = &'d crate::model::Relation> + 'd {
        self.by_span
            .get(&span)
            .into_iter()
            .flatten()
            .filter_map(|&i| doc.relations().get(i))
    }
}

/// An arc between two chips on the same row, in block coordinates.
#[derive(Clone, Debug)]
pub struct RowArc {
    pub ends: [SpanId; 2],
    pub from: Pos2,
    pub to: Pos2,
    pub lane_y: f32,
    pub color: Color32,
    pub label: Arc<Galley>,
}

/// One end of an arc whose other end is on another row (or in another block): from the
/// chip up to its lane, then along the lane to the right margin.
#[derive(Clone, Debug)]
pub struct RunEnd {
    pub relation: SpanId,
    pub ends: [SpanId; 2],
    /// Top of the chip.
    pub at: Pos2,
    pub lane_y: f32,
    /// This end is the relation's source (the arrow points at the other end).
    pub outgoing: bool,
    /// The other end starts before this one in the document.
    pub other_above: bool,
    pub color: Color32,
    pub label: Arc<Galley>,
}

/// The arcs of one block, in block coordinates.
#[derive(Clone, Debug, Default)]
pub struct BlockArcs {
    pub row_arcs: Vec<RowArc>,
    pub runs: Vec<RunEnd>,
}

enum PieceKind {
    Row { to_mark: usize },
    Run { outgoing: bool, other_above: bool },
}

/// One arc (or one end of an arc) of a block: its mark, row and lane.
struct Piece {
    relation: usize,
    mark: usize,
    row: usize,
    lane: usize,
    kind: PieceKind,
    label: Arc<Galley>,
}

/// Which arc goes in which lane of which row, from a first layout of the block.
#[derive(Default)]
pub struct ArcPlan {
    pieces: Vec<Piece>,
    /// Room to reserve above each row of the galley (0 where there are no arcs).
    pub bands: Vec<f32>,
}

impl ArcPlan {
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

/// Whether the label of a run starting at `x` fits between it and the margin at `right`
/// (else it goes to the left of the chip). Planning and painting ask the same question.
pub fn label_fits_right(x: f32, label_width: f32, right: f32) -> bool {
    x + 6.0 + label_width <= right
}

/// Row of the galley at height `y` (block coordinates).
fn row_at(galley: &Galley, y: f32) -> usize {
    galley
        .rows
        .iter()
        .position(|r| y < r.max_y())
        .unwrap_or(galley.rows.len().saturating_sub(1))
}

/// Plans the arcs of the spans whose chips are in this block. `right` is where the
/// margin lanes start, relative to the block.
pub fn plan(
    fonts: &mut egui::epaint::text::FontsView<'_>,
    doc: &Document,
    ends: &RelationEnds,
    marks: &[Mark],
    galley: &Galley,
    right: f32,
) -> ArcPlan {
    let mut out = ArcPlan::default();
    if ends.by_span.is_empty() {
        return out;
    }
    // (row, x extent) of every piece, for the lanes.
    let mut extents: Vec<(usize, (usize, usize))> = Vec::new();
    // Marks with a chip, by span: the other end of an arc found without a scan.
    let chipped: HashMap<SpanId, usize> = marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.chip.is_some())
        .map(|(i, m)| (m.key.id, i))
        .collect();
    for (mi, m) in marks.iter().enumerate() {
        let Some(chip) = &m.chip else { continue };
        let row = row_at(galley, chip.rect.center().y);
        let x = chip.rect.center().x;
        for &ri in ends.by_span.get(&m.key.id).into_iter().flatten() {
            let Some(r) = doc.relations().get(ri) else {
                continue;
            };
            let outgoing = r.from == m.key.id;
            let other = if outgoing { r.to } else { r.from };
            let same_row = chipped.get(&other).and_then(|&oi| {
                let c = marks.get(oi)?.chip.as_ref()?;
                (row_at(galley, c.rect.center().y) == row).then_some((oi, c.rect.center().x))
            });
            if same_row.is_some() && !outgoing {
                // Both ends on this row: one arc, planned from its source.
                continue;
            }
            let label = fonts.layout_no_wrap(
                r.kind.clone(),
                FontId::proportional(theme::ARC_FONT_SIZE),
                Color32::PLACEHOLDER,
            );
            let lw = label.size().x + 8.0;
            let (kind, x0, x1) = match same_row {
                Some((to_mark, b)) => {
                    let mid = (x + b) / 2.0;
                    (
                        PieceKind::Row { to_mark },
                        x.min(b).min(mid - lw / 2.0),
                        x.max(b).max(mid + lw / 2.0),
                    )
                }
                None => {
                    let other_start = ends.starts.get(&other).copied().unwrap_or(0);
                    let kind = PieceKind::Run {
                        outgoing,
                        other_above: other_start < m.key.start,
                    };
                    let x0 = if label_fits_right(x, lw, right) {
                        x
                    } else {
                        x - lw - 6.0
                    };
                    (kind, x0, right)
                }
            };
            extents.push((row, (x0.max(0.0) as usize, x1.max(0.0) as usize + 4)));
            out.pieces.push(Piece {
                relation: ri,
                mark: mi,
                row,
                lane: 0,
                kind,
                label,
            });
        }
    }
    out.bands = vec![0.0; galley.rows.len()];
    // Lanes per row: pieces whose extents overlap get different lanes, nearest first.
    let mut order: Vec<usize> = (0..extents.len()).collect();
    order.sort_by_key(|&i| extents.get(i).copied());
    for same_row in
        order.chunk_by(|&a, &b| extents.get(a).map(|e| e.0) == extents.get(b).map(|e| e.0))
    {
        let spans: Vec<(usize, usize)> = same_row
            .iter()
            .filter_map(|&i| extents.get(i).map(|e| e.1))
            .collect();
        let mut deepest = 0;
        for (&i, lane) in same_row.iter().zip(assign_levels(&spans)) {
            let lane = lane.min(theme::ARC_MAX_LANES - 1);
            deepest = deepest.max(lane + 1);
            if let Some(p) = out.pieces.get_mut(i) {
                p.lane = lane;
            }
        }
        let row = same_row.first().and_then(|&i| extents.get(i)).map(|e| e.0);
        if let Some(b) = row.and_then(|r| out.bands.get_mut(r)) {
            *b = (deepest as f32 * theme::ARC_LANE_HEIGHT + 2.0).round();
        }
    }
    out
}

/// The planned arcs as points, on the final layout (`marks` placed on it).
pub fn place(plan: &ArcPlan, doc: &Document, marks: &[Mark], galley: &Galley) -> BlockArcs {
    let mut out = BlockArcs::default();
    for p in &plan.pieces {
        let (Some(r), Some(m)) = (doc.relations().get(p.relation), marks.get(p.mark)) else {
            continue;
        };
        let Some(chip) = &m.chip else { continue };
        let Some(row) = galley.rows.get(p.row) else {
            continue;
        };
        let band = plan.bands.get(p.row).copied().unwrap_or(0.0);
        let line_top = row.min_y() + band;
        let lane_y = line_top - 1.0 - theme::ARC_LANE_HEIGHT * (p.lane as f32 + 0.5);
        let ends = [r.from, r.to];
        match p.kind {
            PieceKind::Row { to_mark } => {
                let Some(to) = marks.get(to_mark).and_then(|t| t.chip.as_ref()) else {
                    continue;
                };
                out.row_arcs.push(RowArc {
                    ends,
                    from: chip.rect.center_top(),
                    to: to.rect.center_top(),
                    lane_y,
                    color: m.color,
                    label: p.label.clone(),
                });
            }
            PieceKind::Run {
                outgoing,
                other_above,
            } => out.runs.push(RunEnd {
                relation: r.id,
                ends,
                at: chip.rect.center_top(),
                lane_y,
                outgoing,
                other_above,
                color: m.color,
                label: p.label.clone(),
            }),
        }
    }
    out
}
