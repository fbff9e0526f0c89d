//! Left panel: the documents of the project with their status and number of spans.

use crate::model::{DocId, Project, Status};
use crate::ui::commands::Command;
use egui::{Color32, RichText};

/// The colour that shows a document's status in lists.
pub fn status_color(status: Status) -> Color32 {
    match status {
        Status::New => Color32::from_rgb(140, 140, 140),
        Status::InProgress => Color32::from_rgb(217, 140, 20),
        Status::Done => Color32::from_rgb(40, 160, 80),
    }
}

/// A status dot: hollow for new, half-filled for in progress, filled for done. Painted, not
/// a font glyph, so it looks the same whatever fonts are installed.
pub fn status_dot_ui(ui: &mut egui::Ui, status: Status) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    let c = rect.center();
    let r = 4.5;
    let color = status_color(status);
    let painter = ui.painter();
    match status {
        Status::New => {
            painter.circle_stroke(c, r, egui::Stroke::new(1.5, color));
        }
        Status::InProgress => {
            painter.circle_stroke(c, r, egui::Stroke::new(1.5, color));
            let half = egui::epaint::PathShape::convex_polygon(
                (0..=16)
                    .map(|i| {
                        let a = std::f32::consts::PI * (0.5 + i as f32 / 16.0);
                        c + egui::vec2(a.cos(), a.sin()) * r
                    })
                    .collect(),
                color,
                egui::Stroke::NONE,
            );
            painter.add(half);
        }
        Status::Done => {
            painter.circle_filled(c, r, color);
        }
    }
    response.on_hover_text(format!("Status: {}", status.name()))
}

pub fn doc_list_ui(ui: &mut egui::Ui, project: &Project, current: DocId, out: &mut Vec<Command>) {
    let total = project.documents.len();
    let done = project
        .documents
        .iter()
        .filter(|d| d.status == Status::Done)
        .count();
    ui.horizontal(|ui| {
        ui.heading("Documents");
        ui.label(RichText::new(format!("{done}/{total} done")).weak());
    });
    ui.add(
        egui::ProgressBar::new(if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        })
        .desired_height(4.0),
    );
    ui.add_space(4.0);
    let row_height = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("doc-list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, total, |ui, rows| {
            for i in rows {
                let Some(doc) = project.documents.get(i) else {
                    continue;
                };
                let id = DocId(i);
                let selected = id == current;
                let response = ui
                    .horizontal(|ui| {
                        ui.set_min_height(row_height - 4.0);
                        status_dot_ui(ui, doc.status);
                        let count = doc.spans().len();
                        let title = ui.add(
                            egui::Button::selectable(selected, &doc.title)
                                .truncate()
                                .right_text(RichText::new(count.to_string()).weak())
                                .min_size(egui::vec2(ui.available_width(), 0.0)),
                        );
                        title.on_hover_text(format!(
                            "{}\n{} spans · {}",
                            doc.id,
                            count,
                            doc.status.name()
                        ))
                    })
                    .inner;
                if response.clicked() {
                    out.push(Command::OpenDocument(id));
                }
                response.context_menu(|ui| {
                    ui.label(RichText::new("Mark document as").weak());
                    for s in Status::ALL {
                        if ui
                            .button(RichText::new(s.name()).color(status_color(s)))
                            .clicked()
                        {
                            out.push(Command::SetStatus(id, s));
                        }
                    }
                });
            }
        });
}
