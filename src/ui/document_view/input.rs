//! The mouse in the document view: hit-testing, drag-to-select, clicks on spans, dragging a
//! relation from a span's chip to another span, and the context menu.

use super::block_layout::Mark;
use super::layouter::block_origin;
use super::state::DocState;
use super::{Decor, Drag, ViewOutput};
use crate::model::text::{next_grapheme, snap_to_graphemes, snap_to_words};
use crate::model::{Document, Schema, SpanKey};
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use egui::{CursorIcon, Pos2, Vec2, vec2};
use std::ops::Range;

/// Everything the mouse and paint code need to know about this frame of the view.
pub(super) struct Frame<'a> {
    pub state: &'a DocState,
    pub visible: Range<usize>,
    pub origin: Pos2,
    pub doc: &'a Document,
    pub schema: &'a Schema,
}

/// Where on a span the pointer is.
pub(super) struct Hit<'a> {
    pub mark: &'a Mark,
    pub on_chip: bool,
}

impl<'a> Frame<'a> {
    pub fn new(
        state: &'a DocState,
        visible: Range<usize>,
        origin: Pos2,
        doc: &'a Document,
        schema: &'a Schema,
    ) -> Self {
        Self {
            state,
            visible,
            origin,
            doc,
            schema,
        }
    }

    /// Byte offset under a screen point (clamped to the visible blocks).
    pub fn offset_at(&self, p: Pos2) -> Option<usize> {
        let (state, visible) = (self.state, &self.visible);
        if visible.is_empty() {
            return None;
        }
        let y = p.y - self.origin.y;
        if y < state.heights.top(visible.start) {
            return Some(state.blocks.get(visible.start)?.range.start);
        }
        let i = state
            .heights
            .block_at_y(y)
            .clamp(visible.start, visible.end - 1);
        let block = state.blocks.get(i)?;
        match state.layouts.get(&i) {
            Some(l) => {
                let local = p - block_origin(state, i, self.origin).to_vec2();
                Some(l.byte_of(l.char_at(local)))
            }
            None => Some(block.range.start),
        }
    }

    /// The span under a point: a chip or bar names one span exactly; on the text, the
    /// innermost span wins.
    pub fn span_at(&self, p: Pos2) -> Option<Hit<'_>> {
        let mut best: Option<(&Mark, usize)> = None;
        for i in self.visible.clone() {
            let Some(l) = self.state.layouts.get(&i) else {
                continue;
            };
            let o = block_origin(self.state, i, self.origin).to_vec2();
            for m in &l.marks {
                if m.chip
                    .as_ref()
                    .is_some_and(|c| c.rect.translate(o).contains(p))
                {
                    return Some(Hit {
                        mark: m,
                        on_chip: true,
                    });
                }
                if m.rects
                    .iter()
                    .any(|r| m.bar(*r).translate(o).expand2(vec2(0.0, 1.0)).contains(p))
                {
                    return Some(Hit {
                        mark: m,
                        on_chip: false,
                    });
                }
                if m.rects.iter().any(|r| r.translate(o).contains(p)) {
                    let len = m.key.end - m.key.start;
                    if best.is_none_or(|(_, l)| len < l) {
                        best = Some((m, len));
                    }
                }
            }
        }
        best.map(|(mark, _)| Hit {
            mark,
            on_chip: false,
        })
    }

    /// The pending suggestion under a point (its dashed outline).
    pub fn suggestion_at(&self, p: Pos2) -> Option<SpanKey> {
        for i in self.visible.clone() {
            let Some(l) = self.state.layouts.get(&i) else {
                continue;
            };
            let o = block_origin(self.state, i, self.origin).to_vec2();
            if let Some(m) = l.suggestions.iter().find(|m| {
                m.rects
                    .iter()
                    .any(|r| r.translate(o).expand(2.0).contains(p))
            }) {
                return Some(m.key);
            }
        }
        None
    }

    fn suggestion_tooltip(&self, key: SpanKey) -> String {
        let Some(s) = self.doc.suggestion(key.id) else {
            return String::new();
        };
        let score = s
            .score
            .map(|x| format!(", score {:.2}", x.0))
            .unwrap_or_default();
        let attrs: String = s.attrs.iter().map(|(k, v)| format!("\n{k}: {v}")).collect();
        format!(
            "Suggestion from {}{score}\n{}: {}{attrs}\nClick to review: Enter accepts, X rejects",
            s.source,
            s.label,
            crate::model::text::excerpt(&s.text, 120)
        )
    }

    /// The tooltip of a span: label, text, attributes, note.
    fn tooltip(&self, key: SpanKey) -> String {
        let Some(span) = self.doc.span_by_key(key) else {
            return String::new();
        };
        let mut tip = format!(
            "{}: {}",
            span.label,
            crate::model::text::excerpt(&span.covered(), 120)
        );
        for (k, v) in &span.attrs {
            tip.push_str(&format!("\n{k}: {v}"));
        }
        if let Some(note) = &span.note {
            tip.push_str(&format!("\nNote: {note}"));
        }
        tip
    }
}

/// The snapped range a selection drag would select, shown while dragging.
pub(super) fn preview_range(
    doc: &Document,
    anchor: usize,
    head: usize,
    exact: bool,
) -> Option<Range<usize>> {
    let (a, b) = if anchor <= head {
        (anchor, head)
    } else {
        (head, anchor)
    };
    if exact {
        snap_to_graphemes(&doc.text, a..b)
    } else {
        snap_to_words(&doc.text, a..b)
    }
}

/// Mouse handling: drag to select (snapped to words, or to characters with Alt), drag from a
/// chip to link, click a span to select it, click elsewhere to clear, right-click for the
/// context menu. Returns where the caret goes, if the mouse moved it.
pub(super) fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &Frame<'_>,
    selection: &mut Selection,
    drag: &mut Option<Drag>,
    decor: &Decor,
    output: &mut ViewOutput,
) -> Option<usize> {
    if drag.is_none() {
        hover_ui(ui, response, view, decor);
    }
    start_drag(ui, response, view, drag);
    if drag.is_some() {
        return continue_drag(ui, response, view, selection, drag, output);
    }
    if response.secondary_clicked()
        && let Some(p) = response.interact_pointer_pos()
        && let Some(hit) = view.span_at(p)
    {
        *selection = Selection::Span(hit.mark.key);
        output.selection_changed = true;
    }
    if matches!(selection, Selection::Span(_)) {
        response.context_menu(|ui| context_menu_ui(ui, view.schema, output));
    }
    clicks(response, view, selection, decor, output)
}

/// The cursor and tooltip for what is under the pointer: a span, its chip, a suggestion.
fn hover_ui(ui: &egui::Ui, response: &egui::Response, view: &Frame<'_>, decor: &Decor) {
    let Some(p) = response.hover_pos() else {
        return;
    };
    let suggestion = decor
        .show_suggestions
        .then(|| view.suggestion_at(p))
        .flatten();
    match (view.span_at(p), suggestion) {
        (Some(hit), sg) if hit.on_chip || sg.is_none() => {
            ui.ctx().set_cursor_icon(if hit.on_chip {
                CursorIcon::Grab
            } else {
                CursorIcon::PointingHand
            });
            response
                .clone()
                .on_hover_text_at_pointer(view.tooltip(hit.mark.key));
        }
        (_, Some(key)) => {
            ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
            response
                .clone()
                .on_hover_text_at_pointer(view.suggestion_tooltip(key));
        }
        _ => ui.ctx().set_cursor_icon(CursorIcon::Text),
    }
}

/// A drag starts where the button went down, not where the pointer is once it has moved
/// far enough to count as a drag: on a chip it links, elsewhere it selects.
fn start_drag(ui: &egui::Ui, response: &egui::Response, view: &Frame<'_>, drag: &mut Option<Drag>) {
    let exact = ui.input(|i| i.modifiers.alt);
    if response.drag_started()
        && let Some(p) = ui
            .input(|i| i.pointer.press_origin())
            .or(response.interact_pointer_pos())
    {
        *drag = match view.span_at(p) {
            Some(hit) if hit.on_chip => Some(Drag::Link {
                from: hit.mark.key,
                to: p,
            }),
            _ => view.offset_at(p).map(|at| Drag::Select {
                anchor: at,
                head: at,
                exact,
            }),
        };
    }
}

/// A drag under way follows the pointer (scrolling at the edges); released, a selection
/// becomes the selected text and a link the command that links two spans.
fn continue_drag(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &Frame<'_>,
    selection: &mut Selection,
    drag: &mut Option<Drag>,
    output: &mut ViewOutput,
) -> Option<usize> {
    let pointer = response
        .interact_pointer_pos()
        .or_else(|| response.hover_pos());
    let released = response.drag_stopped() || !ui.input(|i| i.pointer.any_down());
    match drag {
        Some(Drag::Select {
            anchor,
            head,
            exact: e,
        }) => {
            if let Some(p) = pointer
                && let Some(at) = view.offset_at(p)
            {
                *head = at;
                *e = ui.input(|i| i.modifiers.alt);
            }
            autoscroll(ui, pointer);
            if !released {
                return None;
            }
            let range = preview_range(view.doc, *anchor, *head, *e);
            let caret = *head;
            *drag = None;
            // Ctrl+drag from a selected span: the text becomes another of its fragments.
            let extend = matches!(selection, Selection::Span(_))
                && range.is_some()
                && ui.input(|i| i.modifiers.command);
            *selection = range.clone().map_or(Selection::None, Selection::Text);
            output.selection_changed = true;
            if extend {
                output.commands.push(Command::AddFragment);
            }
            Some(range.map_or(caret, |r| if caret >= r.end { r.end } else { r.start }))
        }
        Some(Drag::Link { from, to }) => {
            if let Some(p) = pointer {
                *to = p;
            }
            ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
            autoscroll(ui, pointer);
            if released {
                let from = *from;
                *drag = None;
                if let Some(p) = pointer
                    && let Some(hit) = view.span_at(p)
                    && hit.mark.key != from
                {
                    output.commands.push(Command::LinkSpans(from, hit.mark.key));
                }
            }
            None
        }
        None => None,
    }
}

/// A double click selects a word; a click selects a span, opens a suggestion in review,
/// or places the caret.
fn clicks(
    response: &egui::Response,
    view: &Frame<'_>,
    selection: &mut Selection,
    decor: &Decor,
    output: &mut ViewOutput,
) -> Option<usize> {
    if response.double_clicked()
        && let Some(p) = response.interact_pointer_pos()
        && let Some(at) = view.offset_at(p)
        && let Some(r) = snap_to_words(&view.doc.text, at..next_grapheme(&view.doc.text, at))
    {
        *selection = Selection::Text(r.clone());
        output.selection_changed = true;
        return Some(r.end);
    }
    let p = response
        .interact_pointer_pos()
        .filter(|_| response.clicked())?;
    // A suggestion's outline (unless a span's chip or bar is clicked) opens it in review.
    if decor.show_suggestions
        && let Some(key) = view.suggestion_at(p)
        && !view.span_at(p).is_some_and(|h| h.on_chip)
    {
        output.commands.push(Command::FocusSuggestion(key));
        return Some(key.start);
    }
    output.selection_changed = true;
    match view.span_at(p) {
        Some(hit) => {
            *selection = Selection::Span(hit.mark.key);
            Some(hit.mark.key.start)
        }
        None => {
            *selection = Selection::None;
            view.offset_at(p)
        }
    }
}

/// Scrolls when a drag goes past the top or bottom edge.
fn autoscroll(ui: &egui::Ui, pointer: Option<Pos2>) {
    let Some(p) = pointer else {
        return;
    };
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

/// Right-click on a span: the same commands as the keys, for those who reach for the mouse.
fn context_menu_ui(ui: &mut egui::Ui, schema: &Schema, output: &mut ViewOutput) {
    ui.label(egui::RichText::new("Relabel as").weak());
    for l in &schema.labels {
        let shortcut = l.key.map(|k| k.to_string()).unwrap_or_default();
        if ui
            .add(egui::Button::new(&l.name).shortcut_text(shortcut))
            .clicked()
        {
            output.commands.push(Command::ApplyLabel(l.name.clone()));
        }
    }
    ui.separator();
    let items = [
        ("Link to another span…", "R", Command::StartLink),
        ("Edit note…", "", Command::FocusField("note".to_owned())),
        (
            "Tag all matches in this document",
            "Ctrl+M",
            Command::TagAllMatches { corpus: false },
        ),
        (
            "Tag all matches in the corpus",
            "Ctrl+Shift+M",
            Command::TagAllMatches { corpus: true },
        ),
        ("Delete span", "Del", Command::DeleteSpan),
    ];
    for (text, shortcut, command) in items {
        if ui
            .add(egui::Button::new(text).shortcut_text(shortcut))
            .clicked()
        {
            output.commands.push(command);
        }
    }
}
