//! Painting the visible blocks: span tints, text, the selection, underline bars and label
//! chips, the caret, and relations as arcs from span to span.

use super::arcs::{RunEnd, label_fits_right};
use super::block_layout::Mark;
use super::input::{Frame, preview_range};
use super::layouter::block_origin;
use super::{Decor, Drag};
use crate::model::{SpanId, SpanKey};
use crate::ui::selection::Selection;
use crate::ui::theme;
use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, FontId, Galley, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn paint(
    ui: &egui::Ui,
    view: &Frame<'_>,
    selection: &Selection,
    drag: Option<&Drag>,
    decor: &Decor,
) -> Vec<Rect> {
    let painter = ui.painter();
    let selected_span = selection.span();
    let text_selection = match drag {
        Some(Drag::Select {
            anchor,
            head,
            exact,
        }) => preview_range(view.doc, *anchor, *head, *exact),
        _ => match selection {
            Selection::Text(r) => Some(r.clone()),
            _ => None,
        },
    };
    let sel_fill = ui.visuals().selection.bg_fill.gamma_multiply(0.55);
    let text_color = ui.visuals().strong_text_color();
    let candidate = decor.link.as_ref().and_then(|l| l.to);
    // Where each visible span is, for relation arcs.
    let mut anchors: HashMap<SpanId, (Pos2, Color32)> = HashMap::new();
    for i in view.visible.clone() {
        let Some(layout) = view.state.layouts.get(&i) else {
            continue;
        };
        let o = block_origin(view.state, i, view.origin).to_vec2();
        for (r, c) in &layout.tints {
            painter.rect_filled(r.translate(o), 2.0, *c);
        }
        // The selection goes under the text, so selected words keep their full contrast.
        if let Some(sel) = &text_selection
            && sel.start < layout.block_end()
            && sel.end > layout.block_start
        {
            for r in layout.range_rects(sel) {
                painter.rect_filled(r.translate(o).expand(1.0), 2.0, sel_fill);
            }
        }
        painter.galley(o.to_pos2(), layout.galley.clone(), text_color);
        for m in &layout.marks {
            let emphasis = if selected_span == Some(m.key) {
                Some(Stroke::new(2.0, m.color))
            } else if candidate == Some(m.key) {
                Some(Stroke::new(2.0, ui.visuals().strong_text_color()))
            } else {
                None
            };
            paint_mark(painter, m, o, emphasis);
            if let Some(first) = m
                .chip
                .as_ref()
                .map(|c| c.rect)
                .or_else(|| m.rects.first().copied())
            {
                anchors
                    .entry(m.key.id)
                    .or_insert((first.translate(o).center_top(), m.color));
            }
        }
        if decor.show_suggestions {
            for m in &layout.suggestions {
                let focused = decor.focused_suggestion == Some(m.key);
                if focused && decor.edited_suggestion.is_some() {
                    continue;
                }
                for r in &m.rects {
                    let r = r.translate(o).expand(2.0);
                    if focused {
                        painter.rect_filled(r, 3.0, m.color.gamma_multiply(0.15));
                        painter.rect_stroke(r, 3.0, Stroke::new(2.0, m.color), StrokeKind::Outside);
                    } else {
                        dashed_rect(painter, r, Stroke::new(1.5, m.color));
                    }
                }
            }
        }
        if let Some((range, color)) = &decor.edited_suggestion
            && range.start < layout.block_end()
            && range.end > layout.block_start
        {
            for r in layout.range_rects(range) {
                let r = r.translate(o).expand(2.0);
                painter.rect_stroke(r, 3.0, Stroke::new(2.0, *color), StrokeKind::Outside);
            }
        }
        if matches!(selection, Selection::None | Selection::Text(_))
            && drag.is_none()
            && let Some(r) = layout.caret_line(view.state.caret)
        {
            let r = r.translate(o);
            painter.line_segment(
                [r.center_top(), r.center_bottom()],
                Stroke::new(2.0, ui.visuals().strong_text_color()),
            );
        }
    }
    let covered = paint_relations(ui, view, selected_span, decor);
    if let Some(Drag::Link { from, to }) = drag
        && let Some((a, color)) = anchors.get(&from.id)
    {
        arrow(painter, *a, *to, Stroke::new(2.0, *color));
    }
    if let Some(link) = &decor.link
        && let Some(to) = link.to
        && let (Some((a, color)), Some((b, _))) = (anchors.get(&link.from.id), anchors.get(&to.id))
    {
        // The relation Enter would make, drawn in the direction the schema gives it.
        let (a, b) = if link.forward { (*a, *b) } else { (*b, *a) };
        arc(
            painter,
            a,
            b,
            Stroke::new(2.0, *color),
            Some(&link.kind),
            ui.visuals().extreme_bg_color,
        );
    }
    covered
}

/// A span's underline bars, its chip, and an outline when it is selected or a link target.
fn paint_mark(painter: &egui::Painter, m: &Mark, o: egui::Vec2, emphasis: Option<Stroke>) {
    // A discontinuous span's pieces are joined across the gap by a thin dashed line at the
    // height of its bar: one span, not two.
    for r in &m.gaps {
        let bar = m.bar(*r).translate(o);
        let y = bar.center().y;
        let width = if emphasis.is_some() { 1.5 } else { 1.0 };
        painter.add(egui::Shape::dashed_line(
            &[pos2(bar.left(), y), pos2(bar.right(), y)],
            Stroke::new(width, m.color),
            4.0,
            3.0,
        ));
    }
    for r in &m.rects {
        painter.rect_filled(m.bar(*r).translate(o), 1.0, m.color);
        if let Some(stroke) = emphasis {
            painter.rect_stroke(r.translate(o).expand(2.0), 3.0, stroke, StrokeKind::Outside);
        }
    }
    if let Some(chip) = &m.chip {
        let rect = chip.rect.translate(o);
        let fill = if emphasis.is_some() {
            m.color
        } else {
            m.color.gamma_multiply(0.85)
        };
        painter.rect_filled(rect, 3.0, fill);
        if let Some(stroke) = emphasis {
            painter.rect_stroke(
                rect,
                3.0,
                Stroke::new(1.5, stroke.color),
                StrokeKind::Outside,
            );
        }
        painter.galley(
            rect.center() - chip.galley.size() / 2.0,
            chip.galley.clone(),
            Color32::WHITE,
        );
    }
}

/// Relation arcs of the visible blocks (all of them, or those of the selected span). An arc
/// on one row runs in its lane above that row; an arc between rows runs along its lanes to
/// the right margin and down it, or to the edge of the view when its other end is off
/// screen. Returns the rects the arcs and their labels cover, for tests.
fn paint_relations(
    ui: &egui::Ui,
    view: &Frame<'_>,
    selected: Option<SpanKey>,
    decor: &Decor,
) -> Vec<Rect> {
    let painter = ui.painter();
    let faint = ui.visuals().weak_text_color().gamma_multiply(0.8);
    let label_bg = ui.visuals().extreme_bg_color;
    let clip = ui.clip_rect();
    let touches = |ends: &[SpanId; 2]| selected.is_some_and(|k| ends.contains(&k.id));
    let stroke_of = |ends: &[SpanId; 2], color: Color32| {
        if touches(ends) {
            Stroke::new(2.0, color)
        } else {
            Stroke::new(1.2, faint)
        }
    };
    let mut covered = Vec::new();
    let mut runs: Vec<RunEnd> = Vec::new();
    for i in view.visible.clone() {
        let Some(layout) = view.state.layouts.get(&i) else {
            continue;
        };
        let o = block_origin(view.state, i, view.origin).to_vec2();
        for a in &layout.arcs.row_arcs {
            if !decor.all_relations && !touches(&a.ends) {
                continue;
            }
            let stroke = stroke_of(&a.ends, a.color);
            let (from, to, y) = (a.from + o, a.to + o, a.lane_y + o.y);
            let bend = if to.x >= from.x { 3.0 } else { -3.0 };
            painter.add(Shape::line(
                vec![
                    from,
                    pos2(from.x, y + 3.0),
                    pos2(from.x + bend, y),
                    pos2(to.x - bend, y),
                    pos2(to.x, y + 3.0),
                    to,
                ],
                stroke,
            ));
            arrow_head(painter, pos2(to.x, y), to, stroke);
            covered.push(Rect::from_two_pos(pos2(from.x, y), pos2(to.x, y)));
            covered.push(Rect::from_two_pos(pos2(from.x, y), from));
            covered.push(Rect::from_two_pos(pos2(to.x, y), to));
            let mid = pos2((from.x + to.x) / 2.0, y);
            covered.push(arc_label(
                painter,
                &a.label,
                mid,
                Align2::CENTER_CENTER,
                stroke.color,
                label_bg,
            ));
        }
        for r in &layout.arcs.runs {
            if decor.all_relations || touches(&r.ends) {
                let mut r = r.clone();
                r.at += o;
                r.lane_y += o.y;
                runs.push(r);
            }
        }
    }
    // The two ends of a relation between rows, paired; each pair (or lone end) gets its
    // own lane in the right margin where they overlap.
    runs.sort_by(|a, b| {
        a.relation
            .cmp(&b.relation)
            .then(a.lane_y.total_cmp(&b.lane_y))
    });
    let mut groups: Vec<&[RunEnd]> = runs.chunk_by(|a, b| a.relation == b.relation).collect();
    let vertical = |g: &[RunEnd]| match g {
        [a, b, ..] => (a.lane_y.min(b.lane_y), a.lane_y.max(b.lane_y)),
        [a] if a.other_above => (clip.top() + 2.0, a.lane_y),
        [a] => (a.lane_y, clip.bottom() - 2.0),
        [] => (0.0, 0.0),
    };
    groups.sort_by(|a, b| vertical(a).0.total_cmp(&vertical(b).0));
    let gutter = view.origin.x + view.state.style.map_or(0.0, |s| s.width) + theme::ARC_GUTTER_PAD;
    let mut lane_ends: Vec<f32> = Vec::new();
    for g in groups {
        let Some(first) = g.first() else { continue };
        let (y0, y1) = vertical(g);
        let lane = match lane_ends.iter().position(|&end| end + 4.0 < y0) {
            Some(l) => l,
            None => {
                lane_ends.push(y1);
                lane_ends.len() - 1
            }
        };
        if let Some(end) = lane_ends.get_mut(lane) {
            *end = y1;
        }
        let x = gutter + (lane % theme::ARC_GUTTER_LANES) as f32 * theme::ARC_GUTTER_STEP;
        let stroke = stroke_of(&first.ends, first.color);
        for end in g.iter().take(2) {
            let (at, y) = (end.at, end.lane_y);
            painter.add(Shape::line(
                vec![at, pos2(at.x, y + 3.0), pos2(at.x + 3.0, y), pos2(x, y)],
                stroke,
            ));
            if !end.outgoing {
                arrow_head(painter, pos2(at.x, y), at, stroke);
            }
            covered.push(Rect::from_two_pos(pos2(at.x, y), pos2(x, y)));
            covered.push(Rect::from_two_pos(pos2(at.x, y), at));
        }
        painter.line_segment([pos2(x, y0), pos2(x, y1)], stroke);
        covered.push(Rect::from_two_pos(pos2(x, y0), pos2(x, y1)));
        if let [lone] = g
            && lone.outgoing
        {
            // The target is off screen: the arrow leaves the view.
            let (from, tip) = if lone.other_above { (y1, y0) } else { (y0, y1) };
            arrow_head(painter, pos2(x, from), pos2(x, tip), stroke);
        }
        let labelled = g.iter().find(|e| e.outgoing).unwrap_or(first);
        let lw = labelled.label.size().x + 8.0;
        let (x, align) = if label_fits_right(labelled.at.x, lw, gutter) {
            (labelled.at.x + 6.0, Align2::LEFT_CENTER)
        } else {
            (labelled.at.x - 6.0, Align2::RIGHT_CENTER)
        };
        covered.push(arc_label(
            painter,
            &labelled.label,
            pos2(x, labelled.lane_y),
            align,
            stroke.color,
            label_bg,
        ));
    }
    covered
}

/// A relation's name on a small plate where its arc runs; returns the plate.
fn arc_label(
    painter: &egui::Painter,
    galley: &Arc<Galley>,
    at: Pos2,
    align: Align2,
    color: Color32,
    bg: Color32,
) -> Rect {
    let rect = align.anchor_size(at, galley.size()).expand2(vec2(3.0, 0.0));
    painter.rect_filled(rect, 3.0, bg);
    painter.galley(rect.min + vec2(3.0, 0.0), galley.clone(), color);
    rect
}

/// A rectangle drawn with dashes: a suggestion, not yet an annotation.
fn dashed_rect(painter: &egui::Painter, r: egui::Rect, stroke: Stroke) {
    let corners = [
        r.left_top(),
        r.right_top(),
        r.right_bottom(),
        r.left_bottom(),
        r.left_top(),
    ];
    painter.extend(Shape::dashed_line(&corners, stroke, 4.0, 3.0));
}

/// A curved arrow from `a` to `b`, bulging upwards, with a label in the middle: the
/// relation link mode would make, drawn over everything until it is made.
fn arc(
    painter: &egui::Painter,
    a: Pos2,
    b: Pos2,
    stroke: Stroke,
    label: Option<&str>,
    label_bg: Color32,
) {
    let lift = (18.0 + 0.15 * (b.x - a.x).abs() + 0.3 * (b.y - a.y).abs()).min(70.0);
    let top = a.y.min(b.y) - lift;
    let c1 = pos2(a.x, top);
    let c2 = pos2(b.x, top);
    painter.add(Shape::CubicBezier(CubicBezierShape::from_points_stroke(
        [a, c1, c2, b],
        false,
        Color32::TRANSPARENT,
        stroke,
    )));
    arrow_head(painter, c2, b, stroke);
    if let Some(text) = label {
        let mid = pos2(
            (a.x + 3.0 * c1.x + 3.0 * c2.x + b.x) / 8.0,
            (a.y + 3.0 * c1.y + 3.0 * c2.y + b.y) / 8.0,
        );
        let galley =
            painter.layout_no_wrap(text.to_owned(), FontId::proportional(10.0), stroke.color);
        let rect = Align2::CENTER_CENTER
            .anchor_size(mid, galley.size())
            .expand2(vec2(3.0, 1.0));
        painter.rect_filled(rect, 3.0, label_bg);
        painter.galley(rect.min + vec2(3.0, 1.0), galley, stroke.color);
    }
}

/// A straight arrow (while dragging a new relation).
fn arrow(painter: &egui::Painter, a: Pos2, b: Pos2, stroke: Stroke) {
    painter.line_segment([a, b], stroke);
    arrow_head(painter, a, b, stroke);
}

fn arrow_head(painter: &egui::Painter, from: Pos2, tip: Pos2, stroke: Stroke) {
    let dir = (tip - from).normalized();
    if !dir.x.is_finite() || !dir.y.is_finite() {
        return;
    }
    let side = vec2(-dir.y, dir.x);
    let size = 4.0 + stroke.width * 1.5;
    let base = tip - dir * size;
    painter.add(Shape::convex_polygon(
        vec![tip, base + side * size * 0.6, base - side * size * 0.6],
        stroke.color,
        Stroke::NONE,
    ));
}
