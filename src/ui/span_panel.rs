//! Right panel: the selected span in detail, then every span of the document in reading
//! order. Clicking a span selects it and scrolls the document to it.

use crate::model::text::excerpt;
use crate::model::{DocId, Document, Schema};
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use crate::ui::theme;
use egui::RichText;

/// A small coloured label name, as on the chips in the document.
pub fn label_chip(ui: &mut egui::Ui, schema: &Schema, label: &str) -> egui::Response {
    let rgb = schema.color_of(label);
    let text = RichText::new(format!(" {label} "))
        .small()
        .color(theme::on_color(rgb))
        .background_color(theme::color(rgb));
    ui.label(text)
}

pub fn span_panel_ui(
    ui: &mut egui::Ui,
    doc_id: DocId,
    doc: &Document,
    schema: &Schema,
    selection: &Selection,
    reveal_selected: bool,
    out: &mut Vec<Command>,
) {
    selected_span_ui(ui, doc, schema, selection, out);
    ui.separator();
    let spans = doc.spans();
    ui.horizontal(|ui| {
        ui.heading("Spans");
        ui.label(RichText::new(spans.len().to_string()).weak());
    });
    if spans.is_empty() {
        ui.label(
            RichText::new("No spans yet. Select text in the document and press a label key.")
                .weak(),
        );
        return;
    }
    let selected = selection.span();
    let row_height = ui.spacing().interact_size.y + 2.0;
    let row_step = row_height + ui.spacing().item_spacing.y;
    // Rows shown last frame, to scroll only when the selected span is out of sight.
    let shown_id = ui.scope_id().with("span-rows-shown");
    let shown: Option<std::ops::Range<usize>> = ui.data(|d| d.get_temp(shown_id));
    let mut area = egui::ScrollArea::vertical()
        .id_salt("span-list")
        .auto_shrink([false, false]);
    if reveal_selected
        && let Some(key) = selected
        && let Ok(index) = spans.binary_search_by(|s| s.key().cmp(&key))
        && !shown
            .as_ref()
            .is_some_and(|r| r.start < index && index + 1 < r.end)
    {
        area = area.vertical_scroll_offset((index as f32 - 2.0).max(0.0) * row_step);
    }
    area.show_rows(ui, row_height, spans.len(), |ui, rows| {
        ui.data_mut(|d| d.insert_temp(shown_id, rows.clone()));
        for span in spans.get(rows).unwrap_or_default() {
            let key = span.key();
            let is_selected = selected == Some(key);
            let response = ui
                .horizontal(|ui| {
                    ui.set_min_height(row_height - 2.0);
                    label_chip(ui, schema, &span.label);
                    ui.add(
                        egui::Button::selectable(is_selected, excerpt(&span.text, 60))
                            .truncate()
                            .right_text("")
                            .min_size(egui::vec2(ui.available_width(), 0.0)),
                    )
                })
                .inner;
            if response.clicked() {
                out.push(Command::SelectSpan(doc_id, key));
            }
        }
    });
}

fn selected_span_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    schema: &Schema,
    selection: &Selection,
    out: &mut Vec<Command>,
) {
    match selection {
        Selection::Span(key) => {
            let Some(span) = doc.span_by_key(*key) else {
                return;
            };
            ui.horizontal(|ui| {
                ui.strong("Selected span");
                label_chip(ui, schema, &span.label);
            });
            ui.label(RichText::new(format!("“{}”", excerpt(&span.text, 240))).italics());
            ui.label(
                RichText::new(format!(
                    "bytes {}–{} · id {}",
                    span.start, span.end, span.id.0
                ))
                .weak()
                .small(),
            );
            ui.horizontal_wrapped(|ui| {
                ui.label("Relabel:");
                for l in &schema.labels {
                    if l.name != span.label {
                        let key = l.key.map(|k| format!(" ({k})")).unwrap_or_default();
                        if ui
                            .button(format!("as {}{key}", l.name))
                            .on_hover_text("Relabel this span")
                            .clicked()
                        {
                            out.push(Command::ApplyLabel(l.name.clone()));
                        }
                    }
                }
                if ui
                    .button("Delete")
                    .on_hover_text("Delete this span (Del)")
                    .clicked()
                {
                    out.push(Command::DeleteSpan);
                }
            });
        }
        Selection::Text(r) => {
            ui.strong("Selected text");
            let text = doc.text.get(r.clone()).unwrap_or_default();
            ui.label(RichText::new(format!("“{}”", excerpt(text, 240))).italics());
            ui.label(
                RichText::new("Press a label key or click a label to tag it.")
                    .weak()
                    .small(),
            );
        }
        Selection::None => {
            ui.strong("Nothing selected");
            ui.label(
                RichText::new("Drag across text to select it (Alt+drag for exact characters); click a span to select it.")
                    .weak()
                    .small(),
            );
        }
    }
}
