//! Painting the visible blocks: span tints, text, the selection, underline bars and label
//! chips, the caret, and relations as arcs from span to span.

use super::block_layout::Mark;
use super::input::{Frame, preview_range};
use super::layouter::block_origin;
use super::{Decor, Drag};
use crate::model::{SpanId, SpanKey};
use crate::ui::selection::Selection;
use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, FontId, Pos2, Shape, Stroke, StrokeKind, pos2, vec2};
use std::collections::HashMap;

pub(super) fn paint(
    ui: &egui::Ui,
    view: &Frame<'_>,
    selection: &Selection,
    drag: Option<&Drag>,
    decor: &Decor,
) {
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
            && let Some(r) = layout.caret_rect(view.state.caret)
        {
            let r = r.translate(o);
            painter.line_segment(
                [r.center_top(), r.center_bottom()],
                Stroke::new(2.0, ui.visuals().strong_text_color()),
            );
        }
    }
    paint_relations(ui, view, &anchors, selected_span, decor);
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
}

/// A span's underline bars, its chip, and an outline when it is selected or a link target.
fn paint_mark(painter: &egui::Painter, m: &Mark, o: egui::Vec2, emphasis: Option<Stroke>) {
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

/// Relations as arcs between the chips of their spans (only those with both ends on
/// screen; an end off screen gets a stub towards it).
fn paint_relations(
    ui: &egui::Ui,
    view: &Frame<'_>,
    anchors: &HashMap<SpanId, (Pos2, Color32)>,
    selected: Option<SpanKey>,
    decor: &Decor,
) {
    let painter = ui.painter();
    let relations = view.doc.relations();
    let faint = ui.visuals().weak_text_color().gamma_multiply(0.8);
    let label_bg = ui.visuals().extreme_bg_color;
    let clip = ui.clip_rect();
    let mut drawn = std::collections::HashSet::new();
    for (span, (a, color)) in anchors {
        let focused = selected.is_some_and(|k| k.id == *span);
        if !decor.all_relations && !focused {
            continue;
        }
        let Some(indices) = view.relation_index.by_span.get(span) else {
            continue;
        };
        for &i in indices {
            let Some(r) = relations.get(i) else { continue };
            if !drawn.insert(r.id) {
                continue;
            }
            let touches_selected = selected.is_some_and(|k| k.id == r.from || k.id == r.to);
            let stroke = if touches_selected {
                Stroke::new(2.0, *color)
            } else {
                Stroke::new(1.2, faint)
            };
            let other = if r.from == *span { r.to } else { r.from };
            match anchors.get(&other) {
                Some((b, _)) => {
                    let (from, to) = if r.from == *span { (*a, *b) } else { (*b, *a) };
                    arc(painter, from, to, stroke, Some(&r.kind), label_bg);
                }
                None => {
                    // The other end is off screen: a short stub pointing up or down to it.
                    let starts = &view.relation_index.starts;
                    let other_start = starts.get(&other).copied().unwrap_or(0);
                    let up = other_start < starts.get(span).copied().unwrap_or(0);
                    let edge_y = if up {
                        clip.top() + 4.0
                    } else {
                        clip.bottom() - 4.0
                    };
                    let end = pos2(a.x + 40.0, edge_y.clamp(a.y - 80.0, a.y + 80.0));
                    let (from, to) = if r.from == *span {
                        (*a, end)
                    } else {
                        (end, *a)
                    };
                    arc(
                        painter,
                        from,
                        to,
                        stroke,
                        Some(&format!(
                            "{} ({})",
                            r.kind,
                            if up { "above" } else { "below" }
                        )),
                        label_bg,
                    );
                }
            }
        }
    }
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

/// A curved arrow from `a` to `b`, bulging upwards, with a label in the middle.
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
