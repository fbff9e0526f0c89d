//! The "Tag all matches" preview: every untagged occurrence of the selected span's text with
//! its context and a checkbox, before anything is tagged. Hits inside a longer span of the
//! same label start unticked; Space ticks, the arrows move, Enter tags the ticked ones.

use crate::model::tag_all::{AttrsFrom, TagAllPreview};
use crate::model::{DocId, Project};
use crate::ui::dialogs::DialogAction;
use egui::{Key, Modifiers, RichText};
use std::sync::Arc;

/// Characters of context before a hit, at most.
const CONTEXT: usize = 40;

/// The preview's state: the hits, which are ticked, and the row the keys act on.
#[derive(Clone, Debug)]
pub struct TagAllDialog {
    pub preview: TagAllPreview,
    pub ticked: Vec<bool>,
    pub focus: usize,
    /// Whether the hits come from the whole corpus (the rows then name their document).
    pub corpus: bool,
    /// Text and title of each hit's document, for its context line.
    docs: Vec<(Arc<str>, String)>,
    /// Scroll the focused row into view on the next frame.
    reveal: bool,
}

impl TagAllDialog {
    pub fn new(preview: TagAllPreview, project: &Project, corpus: bool) -> Self {
        let docs = preview
            .hits
            .iter()
            .map(|h| {
                project.doc(h.doc).map_or_else(
                    || (Arc::from(""), String::new()),
                    |d| (d.text.clone(), d.title().to_owned()),
                )
            })
            .collect();
        let ticked = preview.hits.iter().map(|h| h.wanted()).collect();
        Self {
            preview,
            ticked,
            focus: 0,
            corpus,
            docs,
            reveal: false,
        }
    }

    pub fn ticked_count(&self) -> usize {
        self.ticked.iter().filter(|t| **t).count()
    }

    /// What Enter does: tag the ticked hits (nothing when none is ticked).
    pub fn apply_action(&self) -> Option<DialogAction> {
        let ranges: Vec<(DocId, std::ops::Range<usize>)> = self
            .preview
            .hits
            .iter()
            .zip(&self.ticked)
            .filter(|(_, t)| **t)
            .map(|(h, _)| (h.doc, h.range.clone()))
            .collect();
        (!ranges.is_empty()).then(|| DialogAction::TagAll {
            ranges,
            label: self.preview.label.clone(),
            attrs: self.preview.attrs.clone(),
            corpus: self.corpus,
        })
    }

    /// Space, Up and Down (read before the widgets, so a focused checkbox does not also
    /// take the Space).
    fn keys(&mut self, ui: &egui::Ui) {
        let n = self.ticked.len();
        if n == 0 {
            return;
        }
        let (space, up, down) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::Space),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
            )
        });
        if space && let Some(t) = self.ticked.get_mut(self.focus) {
            *t = !*t;
        }
        if up {
            self.focus = self.focus.saturating_sub(1);
            self.reveal = true;
        }
        if down {
            self.focus = (self.focus + 1).min(n - 1);
            self.reveal = true;
        }
    }
}

/// The preview's body inside the modal; the user's choice, if any.
pub fn tag_all_ui(ui: &mut egui::Ui, d: &mut TagAllDialog) -> Option<DialogAction> {
    d.keys(ui);
    let p = &d.preview;
    let short = crate::model::text::excerpt(&p.text, 40);
    ui.heading(format!("Tag “{short}” as {}", p.label));
    let inside = p.hits.iter().filter(|h| h.inside.is_some()).count();
    let mut found = format!(
        "{} untagged {} found",
        p.hits.len(),
        if p.hits.len() == 1 { "place" } else { "places" }
    );
    if inside > 0 {
        found.push_str(&format!(
            "; {inside} inside a longer {} span, not ticked",
            p.label
        ));
    }
    ui.label(found);
    ui.label(attrs_line(p));
    ui.add_space(4.0);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("tag-all-hits")
        .max_height(300.0)
        .auto_shrink([false, true]);
    if std::mem::take(&mut d.reveal) {
        scroll = scroll.vertical_scroll_offset((d.focus as f32 - 4.0).max(0.0) * row_height);
    }
    scroll.show_rows(ui, row_height, d.preview.hits.len(), |ui, rows| {
        for i in rows {
            hit_row_ui(ui, d, i, row_height);
        }
    });
    ui.add_space(4.0);
    ui.label(
        RichText::new("Space ticks or unticks · Up and Down move · Enter tags · Esc cancels")
            .weak(),
    );
    let n = d.ticked_count();
    let mut action = None;
    ui.horizontal(|ui| {
        let tag = ui.add_enabled(n > 0, egui::Button::new(format!("Tag {n}")));
        if tag.clicked() {
            action = d.apply_action();
        }
        if ui.button("Tick all").clicked() {
            d.ticked.iter_mut().for_each(|t| *t = true);
        }
        if ui.button("Untick all").clicked() {
            d.ticked.iter_mut().for_each(|t| *t = false);
        }
        if ui.button("Cancel").clicked() {
            action = Some(DialogAction::Close);
        }
    });
    action
}

/// What the new spans get besides the label, and why.
fn attrs_line(p: &TagAllPreview) -> String {
    if p.attrs.is_empty() {
        return "The new spans get no attributes.".to_owned();
    }
    let values: Vec<String> = p.attrs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    let from = match p.attrs_from {
        AttrsFrom::Span => ", as the selected span has".to_owned(),
        AttrsFrom::Majority { count, of } => format!(
            ", the most common ({count} of {of} {} spans with this text)",
            p.label
        ),
        AttrsFrom::Nothing => String::new(),
    };
    format!("The new spans get {}{from}.", values.join(", "))
}

fn hit_row_ui(ui: &mut egui::Ui, d: &mut TagAllDialog, i: usize, row_height: f32) {
    let (Some(hit), Some((text, title))) = (d.preview.hits.get(i), d.docs.get(i)) else {
        return;
    };
    let focused = d.focus == i;
    let frame = egui::Frame::new()
        .fill(if focused {
            ui.visuals().selection.bg_fill.gamma_multiply(0.35)
        } else {
            egui::Color32::TRANSPARENT
        })
        .corner_radius(3.0)
        .inner_margin(egui::Margin::symmetric(4, 1));
    frame.show(ui, |ui| {
        ui.set_min_height(row_height - 4.0);
        ui.horizontal(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            if d.corpus {
                // A fixed column, so the checkboxes line up.
                let name = egui::Label::new(RichText::new(title.as_str()).strong()).truncate();
                ui.add_sized([130.0, row_height - 6.0], name);
            }
            // The checkbox's text is the place in context (what a screen reader says too),
            // after why it is not ticked when it is part of a longer span.
            let mut job = egui::text::LayoutJob::default();
            if let Some(outer) = &hit.inside {
                let note = format!("(in “{}”) ", crate::model::text::excerpt(outer, 24));
                let font = egui::TextStyle::Body.resolve(ui.style());
                let mut format = egui::TextFormat::simple(font, ui.visuals().weak_text_color());
                format.italics = true;
                job.append(&note, 0.0, format);
            }
            crate::ui::widgets::kwic(ui, &mut job, text, hit.range.clone(), CONTEXT);
            let Some(ticked) = d.ticked.get_mut(i) else {
                return;
            };
            if ui.checkbox(ticked, job).changed() {
                d.focus = i;
            }
        });
    });
}
