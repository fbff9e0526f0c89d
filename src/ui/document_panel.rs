//! Centre: the document's title and status, then the document view.

use crate::model::{DocId, Project, Status};
use crate::ui::commands::Command;
use crate::ui::doc_list::{status_color, status_dot_ui};
use crate::ui::document_view::{Decor, DocumentView, ViewOutput};
use crate::ui::selection::Selection;
use egui::RichText;

pub fn document_panel_ui(
    ui: &mut egui::Ui,
    view: &mut DocumentView,
    project: &Project,
    doc_id: DocId,
    selection: &mut Selection,
    decor: &Decor,
    out: &mut Vec<Command>,
) -> ViewOutput {
    let Some(doc) = project.doc(doc_id) else {
        ui.label("This project has no documents.");
        return ViewOutput::default();
    };
    // Nothing here may be wider than the panel: a row that overflows it widens the panel's
    // content under the side panel, and the text column with it.
    ui.add(egui::Label::new(RichText::new(doc.title()).heading().strong()).truncate())
        .on_hover_text(doc.title());
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "Document {} of {} · {} · {} spans",
                    doc_id.0 + 1,
                    project.documents.len(),
                    doc.id,
                    doc.spans().len()
                ))
                .weak(),
            )
            .truncate(),
        );
        ui.separator();
        status_dot_ui(ui, doc.status);
        for s in Status::ALL {
            let selected = doc.status == s;
            let text = RichText::new(s.name()).color(status_color(s));
            if ui
                .selectable_label(selected, text)
                .on_hover_text("Set the document's status")
                .clicked()
                && !selected
            {
                out.push(Command::SetStatus(doc_id, s));
            }
        }
        if ui
            .button("Done & next")
            .on_hover_text(format!(
                "Mark done and open the next document ({})",
                Command::DoneAndNext.shortcut_text(ui.ctx())
            ))
            .clicked()
        {
            out.push(Command::DoneAndNext);
        }
    });
    ui.separator();
    if let Some(text) = &decor.banner {
        egui::Frame::new()
            .fill(ui.visuals().selection.bg_fill.gamma_multiply(0.3))
            .inner_margin(4.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(text).strong());
            });
    }
    view.ui(ui, doc_id, doc, &project.schema, selection, decor)
}
