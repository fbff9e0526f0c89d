//! Bottom bar: the labels with their keys (click one to apply it), a hint for what the keys
//! do right now, or the last status message while it shows.

use crate::model::Schema;
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use crate::ui::theme;
use egui::RichText;

pub fn label_bar_ui(
    ui: &mut egui::Ui,
    schema: &Schema,
    selection: &Selection,
    message: Option<&str>,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Labels").strong());
        for l in &schema.labels {
            let key = l.key.map(|k| format!("{k} ")).unwrap_or_default();
            let text = RichText::new(format!("{key}{}", l.name)).color(theme::on_color(l.color));
            let button = egui::Button::new(text).fill(theme::color(l.color));
            let hint = match selection {
                Selection::Span(_) => format!("Relabel the selected span as {}", l.name),
                _ => format!("Tag the selected text as {}", l.name),
            };
            if ui.add_enabled(!matches!(selection, Selection::None), button).on_hover_text(hint).clicked() {
                out.push(Command::ApplyLabel(l.name.clone()));
            }
        }
        ui.separator();
        let hint = match selection {
            Selection::None => "Drag across text to select · Alt+drag: exact characters · click a span to select it",
            Selection::Text(_) => "Press a label key to tag the selection · Esc to clear",
            Selection::Span(_) => "Label key: relabel · Del: delete · Esc: deselect",
        };
        // A status message takes the hint's place while it shows, cut to the bar's width
        // (the two side by side overlapped in a narrow window).
        match message {
            Some(m) => ui.add(egui::Label::new(m).truncate()).on_hover_text(m),
            None => ui.add(egui::Label::new(RichText::new(hint).weak()).truncate()),
        };
    });
}
