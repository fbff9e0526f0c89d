//! The review panel: the suggestion under review with its keys, the queue of pending
//! suggestions of the document (in reading order, most uncertain first or highest score
//! first), the learned suggester's state, filters, bulk actions and per-source statistics.

use crate::model::review::ReviewFilter;
use crate::model::review_order::{ReviewOrder, in_order};
use crate::model::stats::ReviewCounts;
use crate::model::text::excerpt;
use crate::model::{Attrs, DocId, Document, Project, Review, Schema, SpanId, Suggestion};
use crate::ui::commands::{Command, ReviewKey};
use crate::ui::panel::PanelContext;
use crate::ui::selection::Selection;
use crate::ui::widgets::label_chip;
use egui::RichText;
use std::collections::BTreeMap;
use std::ops::Range;

/// Letters the review keys take before attribute keys (`crate::ui::keyboard`), except
/// while `E` edits a suggestion.
const REVIEW_LETTERS: [char; 5] = ['a', 'x', 'e', 'j', 'k'];

/// The Review tab and the state of the review workflow: which suggestion is under review,
/// whether it is being edited before acceptance, the queue's filter, the bulk threshold.
pub struct ReviewPanel {
    /// The suggestion under review.
    pub current: Option<(DocId, SpanId)>,
    pub filter: ReviewFilter,
    /// `E` was pressed: the selection holds the range to accept, this the label.
    pub editing: Option<String>,
    /// Score threshold of "accept all at or above".
    pub bulk_score: f32,
    /// The order `J`/`K` and the queue go in.
    pub order: ReviewOrder,
    /// The learned suggester's state, set by the app each frame.
    pub learning: LearningStatus,
    /// Attribute values chosen on the card for a suggestion (by id), given to the span
    /// Accept makes: a stance suggestion comes without polarity or target.
    chosen: Option<(SpanId, Attrs)>,
    cache: ReviewCache,
}

impl Default for ReviewPanel {
    fn default() -> Self {
        Self {
            current: None,
            filter: ReviewFilter::default(),
            editing: None,
            bulk_score: 0.8,
            order: ReviewOrder::default(),
            learning: LearningStatus::default(),
            chosen: None,
            cache: ReviewCache::default(),
        }
    }
}

/// What the Review tab says about the learned suggester.
#[derive(Clone, Debug, Default)]
pub struct LearningStatus {
    /// It retrains after changes.
    pub on: bool,
    /// Training now.
    pub busy: bool,
    /// What the current model was trained on.
    pub summary: Option<String>,
    pub error: Option<String>,
}

/// What Accept would make of the suggestion under review.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted<'a> {
    pub label: &'a str,
    /// Byte range in the document.
    pub range: Range<usize>,
    /// `E` was pressed: the label or bounds may differ from the suggestion's.
    pub edited: bool,
    /// The values chosen on the card.
    pub chosen: Attrs,
    /// The suggestion's values with the chosen ones over them: what the span will have.
    pub attrs: Attrs,
}

impl ReviewPanel {
    /// What Accept would make of `s`, after any edit in progress. While editing, the bounds
    /// are the text selection (the edge keys `[ ] { }` move it) and the label the one chosen.
    /// The card, the document's outline and Accept all read this one answer, so what is shown
    /// is what gets accepted.
    pub fn accepted<'a>(&'a self, s: &'a Suggestion, selection: &Selection) -> Accepted<'a> {
        let chosen = self.chosen_for(s.id).cloned().unwrap_or_default();
        let mut attrs = s.attrs.clone();
        for (k, v) in chosen.iter() {
            attrs.insert(k.to_owned(), v.to_owned());
        }
        let Some(label) = self.editing.as_deref() else {
            return Accepted {
                label: &s.label,
                range: s.start..s.end,
                edited: false,
                chosen,
                attrs,
            };
        };
        let range = match selection {
            Selection::Text(r) if r.start < r.end => r.clone(),
            _ => s.start..s.end,
        };
        Accepted {
            label,
            range,
            edited: true,
            chosen,
            attrs,
        }
    }

    fn chosen_for(&self, id: SpanId) -> Option<&Attrs> {
        self.chosen
            .as_ref()
            .filter(|(i, _)| *i == id)
            .map(|(_, a)| a)
    }

    /// Sets (or clears) an attribute value for suggestion `id`, for when it is accepted.
    pub fn choose(&mut self, id: SpanId, name: &str, value: Option<String>) {
        if self.chosen.as_ref().is_none_or(|(i, _)| *i != id) {
            self.chosen = Some((id, Attrs::default()));
        }
        if let Some((_, attrs)) = &mut self.chosen {
            match value {
                Some(v) => {
                    attrs.insert(name.to_owned(), v);
                }
                None => {
                    attrs.remove(name);
                }
            }
        }
    }
}

/// Counts kept between frames: recomputed only when the project changes.
#[derive(Default)]
struct ReviewCache {
    version: Option<u64>,
    by_source: BTreeMap<String, ReviewCounts>,
    pending_total: usize,
}

impl ReviewCache {
    fn refresh(&mut self, project: &Project, version: u64) {
        if self.version == Some(version) {
            return;
        }
        self.version = Some(version);
        self.by_source.clear();
        self.pending_total = 0;
        for d in &project.documents {
            for s in d.suggestions() {
                let c = self.by_source.entry(s.source.clone()).or_default();
                match s.review {
                    Review::Pending => {
                        c.pending += 1;
                        self.pending_total += 1;
                    }
                    Review::Accepted => c.accepted += 1,
                    Review::Rejected => c.rejected += 1,
                }
            }
        }
    }
}

impl ReviewPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        self.cache.refresh(cx.project(), cx.version());
        let Some(doc) = cx.document() else {
            return;
        };
        let schema = &cx.project().schema;
        let queue: Vec<&Suggestion> = in_order(doc, &self.filter, self.order);
        ui.horizontal(|ui| {
            ui.heading("Review");
            ui.label(
                RichText::new(format!(
                    "{} here · {} in the project",
                    queue.len(),
                    self.cache.pending_total
                ))
                .weak(),
            );
        });
        self.learning_ui(ui, out);
        if self.cache.by_source.is_empty() {
            ui.label(RichText::new("No suggestions yet. Run suggesters… (Suggest menu) proposes speakers and stances from quotes, matches of what you tagged, your own lists, or a model that learns from your spans.").weak());
            if ui.button("Run suggesters…").clicked() {
                out.push(Command::OpenSuggest);
            }
            return;
        }
        let current = self.current.filter(|(d, _)| *d == cx.doc).map(|(_, id)| id);
        match current.and_then(|id| doc.suggestion(id)) {
            Some(s) => self.card_ui(ui, schema, doc, s, cx.selection, out),
            None => {
                ui.label(
                    RichText::new("Press J (or Down) to review the next pending suggestion.")
                        .weak(),
                );
            }
        }
        ui.collapsing("Filters and bulk actions", |ui| {
            self.filters_ui(ui, schema, out)
        });
        ui.collapsing("By source", |ui| self.by_source_ui(ui));
        ui.separator();
        queue_ui(ui, schema, &queue, current, out);
    }

    /// The suggestion under review, with its keys.
    fn card_ui(
        &mut self,
        ui: &mut egui::Ui,
        schema: &Schema,
        doc: &Document,
        s: &Suggestion,
        selection: &Selection,
        out: &mut Vec<Command>,
    ) {
        let accepted = self.accepted(s, selection);
        let text = doc.text.get(accepted.range.clone()).unwrap_or(&s.text);
        let mut change = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                label_chip(ui, schema, accepted.label);
                let score = s
                    .score
                    .map(|x| format!(" · {:.2}", x.0))
                    .unwrap_or_default();
                ui.label(RichText::new(format!("{}{score}", s.source)).weak());
            });
            ui.label(RichText::new(format!("“{}”", excerpt(text, 200))).italics());
            if accepted.range != (s.start..s.end) {
                ui.label(
                    RichText::new(format!("was “{}”", excerpt(&s.text, 60)))
                        .small()
                        .weak(),
                );
            }
            change = self.attributes_ui(ui, schema, s.id, accepted.label, &accepted.attrs);
            for l in &s.links {
                if let Some(t) = doc.suggestion(l.to) {
                    ui.label(
                        RichText::new(format!("{} -> “{}”", l.kind, excerpt(&t.text, 40))).small(),
                    );
                }
            }
            if self.editing.is_some() {
                ui.label(
                    RichText::new(
                        "Editing: [ ] { } move the edges, a label key changes the label.",
                    )
                    .small(),
                );
            }
            ui.horizontal(|ui| {
                for (text, key, hint) in [
                    ("Accept", ReviewKey::Accept, "Enter or A"),
                    ("Reject", ReviewKey::Reject, "X or Del"),
                    ("Edit", ReviewKey::Edit, "E"),
                    ("Next", ReviewKey::Next, "J or Down"),
                ] {
                    if ui.button(text).on_hover_text(hint).clicked() {
                        out.push(Command::Review(key));
                    }
                }
            });
        });
        if let Some((name, value)) = change {
            self.choose(s.id, &name, value);
        }
    }

    /// The attributes the span will have, to set before accepting: a choice's values as
    /// buttons (their keys work while reviewing, unless a review key has the same letter),
    /// a free-text value as a field. An unset choice is said plainly. Returns a change.
    fn attributes_ui(
        &self,
        ui: &mut egui::Ui,
        schema: &Schema,
        id: SpanId,
        label: &str,
        attrs: &Attrs,
    ) -> Option<(String, Option<String>)> {
        let def = schema.label(label)?;
        let mut change = None;
        for a in &def.attributes {
            let current = attrs.get(&a.name);
            ui.horizontal_wrapped(|ui| {
                let name = RichText::new(a.name.as_str());
                if current.is_none() && !a.choices().is_empty() {
                    ui.label(name.color(ui.visuals().warn_fg_color))
                        .on_hover_text("Not set: choose before accepting");
                } else {
                    ui.label(name);
                }
                if a.choices().is_empty() {
                    let mut value = current.map(str::to_owned).unwrap_or_default();
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut value)
                            .desired_width(ui.available_width().min(180.0))
                            .id_salt(("review-attr", id, &a.name)),
                    );
                    let field = field.accessible_name(format!("Review {}", a.name));
                    if field.changed() {
                        change = Some((a.name.clone(), (!value.is_empty()).then_some(value)));
                    }
                    return;
                }
                for c in a.choices() {
                    // A key the review keys take (A accepts) is shown only while editing.
                    let key = c
                        .key
                        .filter(|k| self.editing.is_some() || !REVIEW_LETTERS.contains(k))
                        .map(|k| format!(" ({k})"))
                        .unwrap_or_default();
                    let on = current == Some(&c.value);
                    if ui
                        .selectable_label(on, format!("{}{key}", c.value))
                        .clicked()
                    {
                        change = Some((a.name.clone(), (!on).then(|| c.value.clone())));
                    }
                }
            });
        }
        change
    }

    /// The learned suggester: whether it keeps learning, what it was trained on, and the
    /// order of the queue (most uncertain first is where a decision teaches it most).
    fn learning_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            let mut on = self.learning.on;
            if ui
                .checkbox(&mut on, "Keep learning")
                .on_hover_text("Train the learned suggester on this project's spans and decisions, and retrain it in the background after each change")
                .changed()
            {
                out.push(Command::KeepLearning(on));
            }
            if self.learning.busy {
                // Words, not a spinner: an animation repaints every frame, and on a laptop
                // without a GPU that takes the core the training needs.
                ui.label(RichText::new("training…").weak());
            }
            let label = ui.label("Order:");
            egui::ComboBox::from_id_salt("review-order")
                .selected_text(self.order.name())
                .show_ui(ui, |ui| {
                    for o in ReviewOrder::ALL {
                        ui.selectable_value(&mut self.order, o, o.name());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if let Some(summary) = &self.learning.summary {
            ui.label(RichText::new(summary).weak().small());
        }
        if let Some(e) = &self.learning.error
            && self.learning.on
        {
            ui.label(RichText::new(e).color(ui.visuals().warn_fg_color).small());
        }
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, schema: &Schema, out: &mut Vec<Command>) {
        let filter = &mut self.filter;
        ui.horizontal_wrapped(|ui| {
            ui.label("Label:");
            ui.selectable_value(&mut filter.label, None, "all");
            for l in &schema.labels {
                ui.selectable_value(&mut filter.label, Some(l.name.clone()), l.name.as_str());
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Source:");
            ui.selectable_value(&mut filter.source, None, "all");
            for source in self.cache.by_source.keys() {
                ui.selectable_value(&mut filter.source, Some(source.clone()), source.as_str());
            }
        });
        ui.add(egui::Slider::new(&mut filter.min_score, 0.0..=1.0).text("minimum score"));
        ui.separator();
        ui.horizontal(|ui| {
            ui.add(egui::Slider::new(&mut self.bulk_score, 0.0..=1.0).text("score"));
            if ui
                .button("Accept all at or above")
                .on_hover_text("In this document, with the filters above; one undo step")
                .clicked()
            {
                out.push(Command::AcceptAllAbove(
                    (self.bulk_score * 100.0).round() as u8
                ));
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Accept all of label:");
            for l in &schema.labels {
                if ui.small_button(l.name.as_str()).clicked() {
                    out.push(Command::AcceptAllOfLabel(l.name.clone()));
                }
            }
        });
    }

    fn by_source_ui(&self, ui: &mut egui::Ui) {
        egui::Grid::new("review-stats")
            .striped(true)
            .show(ui, |ui| {
                for h in ["source", "pending", "accepted", "rejected", "precision"] {
                    ui.strong(h);
                }
                ui.end_row();
                for (source, c) in &self.cache.by_source {
                    ui.label(source.as_str());
                    ui.label(c.pending.to_string());
                    ui.label(c.accepted.to_string());
                    ui.label(c.rejected.to_string());
                    ui.label(
                        c.precision()
                            .map_or("-".to_owned(), |p| format!("{:.0}%", p * 100.0)),
                    );
                    ui.end_row();
                }
            });
    }
}

/// The document's pending suggestions in the chosen order; a click reviews one.
fn queue_ui(
    ui: &mut egui::Ui,
    schema: &Schema,
    queue: &[&Suggestion],
    current: Option<SpanId>,
    out: &mut Vec<Command>,
) {
    let row_height = ui.spacing().interact_size.y + 2.0;
    egui::ScrollArea::vertical()
        .id_salt("review-queue")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, queue.len(), |ui, rows| {
            for s in queue.get(rows).unwrap_or_default() {
                let selected = current == Some(s.id);
                ui.horizontal(|ui| {
                    ui.set_min_height(row_height - 2.0);
                    label_chip(ui, schema, &s.label);
                    let score = s.score.map(|x| format!("{:.2} ", x.0)).unwrap_or_default();
                    let button = egui::Button::selectable(
                        selected,
                        format!("{score}{}", excerpt(&s.text, 50)),
                    )
                    .truncate()
                    .right_text("")
                    .min_size(egui::vec2(ui.available_width(), 0.0));
                    if ui.add(button).clicked() {
                        out.push(Command::FocusSuggestion(s.key()));
                    }
                });
            }
        });
}
