//! Sizes and colours of the annotation view, in one place so the document view, the span
//! panel and the label bar agree.

use crate::model::Rgb;
use egui::Color32;

/// Size of the document text: large enough to read for hours.
pub const DOC_FONT_SIZE: f32 = 17.0;
/// Line height of unannotated text, as a multiple of the font size.
pub const LINE_SPACING: f32 = 1.45;
/// The text column never gets wider than this: long lines are hard to read.
pub const MAX_TEXT_WIDTH: f32 = 760.0;
/// Height of an empty line (the gap between paragraphs), as a multiple of the font size.
pub const PARAGRAPH_GAP: f32 = 0.6;

/// Label chips drawn above the start of each span.
pub const CHIP_FONT_SIZE: f32 = 10.0;
pub const CHIP_HEIGHT: f32 = 12.0;
/// Underline bars below spans: one level per overlapping span.
pub const BAR_THICKNESS: f32 = 3.0;
pub const BAR_GAP: f32 = 1.5;
/// Overlap levels drawn at most; deeper nesting reuses the last level.
pub const MAX_LEVELS: usize = 6;
/// Relation arcs run in lanes reserved above the rows they start or end on (as brat draws
/// them), so they never cross text; a row grows by one lane per arc that needs its own.
pub const ARC_LANE_HEIGHT: f32 = 13.0;
/// Lanes reserved above one row at most; more arcs share the top lane.
pub const ARC_MAX_LANES: usize = 4;
pub const ARC_FONT_SIZE: f32 = 10.0;
/// Arcs between rows run down the right margin, this far from the text and this far apart.
pub const ARC_GUTTER_PAD: f32 = 5.0;
pub const ARC_GUTTER_STEP: f32 = 4.0;
pub const ARC_GUTTER_LANES: usize = 4;

pub fn color(c: Rgb) -> Color32 {
    let [r, g, b] = c.0;
    Color32::from_rgb(r, g, b)
}

/// The light background tint of a span's text.
pub fn tint(c: Rgb, dark_mode: bool) -> Color32 {
    let alpha = if dark_mode { 70 } else { 48 };
    color(c).gamma_multiply_u8(alpha)
}

/// Text on a chip of colour `c`: white or black, whichever reads better.
pub fn on_color(c: Rgb) -> Color32 {
    let [r, g, b] = c.0;
    let luma = 0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b);
    if luma > 150.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// Size of egui's `small` text (hints, notes): its default, 9 px, is hard to read.
pub const SMALL_FONT_SIZE: f32 = 11.5;

/// The app's look, set once: our scroll areas jump to computed offsets (reveal a span, keep
/// the text still while heights are measured), which must land at once, not spring back;
/// small text is large enough to read.
pub fn setup(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.spacing.scroll.kinetic.rubber_band = false;
        if let Some(small) = style.text_styles.get_mut(&egui::TextStyle::Small) {
            small.size = SMALL_FONT_SIZE;
        }
    });
}
