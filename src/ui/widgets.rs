//! Small widgets more than one panel draws.

use crate::model::Schema;
use crate::ui::theme;

/// A small coloured label name, as on the chips in the document, in a column of fixed width
/// so the span texts beside it line up.
pub fn label_chip(ui: &mut egui::Ui, schema: &Schema, label: &str) -> egui::Response {
    let rgb = schema.color_of(label);
    let galley = ui.painter().layout_no_wrap(
        label.to_owned(),
        egui::FontId::proportional(theme::CHIP_FONT_SIZE),
        theme::on_color(rgb),
    );
    let width = (galley.size().x + 8.0).max(58.0);
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(width, theme::CHIP_HEIGHT + 2.0),
        egui::Sense::hover(),
    );
    let chip =
        egui::Rect::from_min_size(rect.min, egui::vec2(galley.size().x + 8.0, rect.height()));
    ui.painter().rect_filled(chip, 3.0, theme::color(rgb));
    ui.painter().galley(
        chip.center() - galley.size() / 2.0,
        galley,
        theme::on_color(rgb),
    );
    response
}
