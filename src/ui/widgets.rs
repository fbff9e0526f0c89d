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

/// Appends a hit in its context on one line to `job` (keyword in context): some text before
/// it, weak, the hit highlighted, then what follows, sized so about a third of the row comes
/// before the hit and the hit is always seen. At most `max_before` characters before it.
pub fn kwic(
    ui: &egui::Ui,
    job: &mut egui::text::LayoutJob,
    text: &str,
    hit: std::ops::Range<usize>,
    max_before: usize,
) {
    let body = egui::TextStyle::Body.resolve(ui.style());
    let fits = (ui.available_width() / (body.size * 0.55)) as usize;
    let before = (fits / 3).clamp(8, max_before.max(8));
    let c = crate::model::search::context(text, hit.start, hit.end, before, fits);
    let weak = ui.visuals().weak_text_color();
    let strong = ui.visuals().strong_text_color();
    let format = |color| egui::TextFormat::simple(body.clone(), color);
    job.append(c.before, 0.0, format(weak));
    let mut hit_format = format(strong);
    hit_format.background = ui.visuals().selection.bg_fill.gamma_multiply(0.5);
    job.append(&crate::model::text::excerpt(c.hit, 60), 0.0, hit_format);
    job.append(c.after, 0.0, format(weak));
}
