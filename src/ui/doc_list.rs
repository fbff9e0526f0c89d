//! Left panel: the documents of the project with their status, number of spans and
//! suggestions left to review; filters (title, status, label present or absent) and sorting.

use crate::model::{DocId, Project, Status};
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
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

/// How the list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// The project's order.
    #[default]
    Project,
    Name,
    Status,
    Spans,
    /// Pending suggestions, most first.
    Pending,
    /// What reviewing would teach a model most first: the uncertainty of the pending
    /// suggestions, summed (`model::review_order::expected_gain`).
    Gain,
}

impl SortBy {
    const ALL: [SortBy; 6] = [
        SortBy::Project,
        SortBy::Name,
        SortBy::Status,
        SortBy::Spans,
        SortBy::Pending,
        SortBy::Gain,
    ];

    fn name(self) -> &'static str {
        match self {
            SortBy::Project => "project order",
            SortBy::Name => "name",
            SortBy::Status => "status",
            SortBy::Spans => "spans",
            SortBy::Pending => "pending suggestions",
            SortBy::Gain => "expected gain (uncertain suggestions)",
        }
    }
}

/// What the shown list depends on: text, status, label filter, order, project version and
/// number of documents.
type ListKey = (
    String,
    Option<Status>,
    Option<(String, bool)>,
    SortBy,
    u64,
    usize,
);

/// The list's filters and order, and the documents they let through (recomputed only when
/// they or the project change, never per frame).
#[derive(Clone, Debug, Default)]
pub struct DocListState {
    /// Title or id contains this (case-insensitive).
    pub text: String,
    pub status: Option<Status>,
    /// A label, and whether documents must have it (`true`) or lack it.
    pub label: Option<(String, bool)>,
    pub sort: SortBy,
    pub show_filters: bool,
    order: Vec<DocId>,
    key: Option<ListKey>,
}

impl DocListState {
    fn refresh(&mut self, project: &Project, version: u64) {
        let key = (
            self.text.clone(),
            self.status,
            self.label.clone(),
            self.sort,
            version,
            project.documents.len(),
        );
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.key = Some(key);
        let needle = self.text.trim().to_lowercase();
        let pending = |d: &crate::model::Document| {
            d.suggestions()
                .iter()
                .filter(|s| s.review == crate::model::Review::Pending)
                .count()
        };
        let mut order: Vec<DocId> = project
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                needle.is_empty()
                    || d.title().to_lowercase().contains(&needle)
                    || d.id.to_lowercase().contains(&needle)
            })
            .filter(|(_, d)| self.status.is_none_or(|s| d.status == s))
            .filter(|(_, d)| {
                self.label
                    .as_ref()
                    .is_none_or(|(label, has)| d.spans().iter().any(|s| s.label == *label) == *has)
            })
            .map(|(i, _)| DocId(i))
            .collect();
        let doc = |id: &DocId| project.doc(*id);
        match self.sort {
            SortBy::Project => {}
            SortBy::Name => order.sort_by_cached_key(|d| doc(d).map(|d| d.title().to_lowercase())),
            SortBy::Status => order.sort_by_key(|d| {
                doc(d).and_then(|d| Status::ALL.iter().position(|s| *s == d.status))
            }),
            SortBy::Spans => {
                order.sort_by_key(|d| std::cmp::Reverse(doc(d).map_or(0, |d| d.spans().len())));
            }
            SortBy::Pending => order.sort_by_key(|d| std::cmp::Reverse(doc(d).map_or(0, pending))),
            SortBy::Gain => order.sort_by_cached_key(|d| {
                let gain = doc(d).map_or(0.0, crate::model::review_order::expected_gain);
                std::cmp::Reverse((gain * 1000.0) as u64)
            }),
        }
        self.order = order;
    }

    /// The documents shown, in order.
    pub fn order(&self) -> &[DocId] {
        &self.order
    }

    fn filtering(&self) -> bool {
        !self.text.trim().is_empty() || self.status.is_some() || self.label.is_some()
    }
}

fn filters_ui(ui: &mut egui::Ui, project: &Project, state: &mut DocListState) {
    ui.add(
        egui::TextEdit::singleline(&mut state.text)
            .desired_width(f32::INFINITY)
            .hint_text("Filter by title"),
    )
    .accessible_name("Filter documents");
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Status").weak());
        ui.selectable_value(&mut state.status, None, "any");
        for s in Status::ALL {
            ui.selectable_value(&mut state.status, Some(s), s.name());
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Label").weak());
        let has = state.label.as_ref().is_none_or(|(_, has)| *has);
        ui.selectable_value(&mut state.label, None, "any");
        for l in &project.schema.labels {
            let selected = state.label.as_ref().is_some_and(|(n, _)| *n == l.name);
            if ui.selectable_label(selected, l.name.as_str()).clicked() {
                state.label = Some((l.name.clone(), has));
            }
        }
        let mut without = !has;
        if ui
            .add_enabled(
                state.label.is_some(),
                egui::Checkbox::new(&mut without, "missing"),
            )
            .on_hover_text("Documents without any span of this label")
            .changed()
            && let Some((_, h)) = &mut state.label
        {
            *h = !without;
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Sort").weak());
        for s in SortBy::ALL {
            ui.selectable_value(&mut state.sort, s, s.name());
        }
    });
}

impl DocListState {
    /// The document list panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        doc_list_ui(ui, cx.project(), cx.doc, cx.version(), self, out);
    }
}

fn doc_list_ui(
    ui: &mut egui::Ui,
    project: &Project,
    current: DocId,
    version: u64,
    state: &mut DocListState,
    out: &mut Vec<Command>,
) {
    let total = project.documents.len();
    let done = project
        .documents
        .iter()
        .filter(|d| d.status == Status::Done)
        .count();
    // The count wraps under the heading rather than under the Filter button when narrow.
    ui.horizontal_wrapped(|ui| {
        ui.heading("Documents");
        let text = if state.filtering() {
            "Filter (on)"
        } else {
            "Filter"
        };
        ui.toggle_value(&mut state.show_filters, text)
            .on_hover_text("Filter by title, status or label; sort");
        // In one piece: it moves to the next line whole rather than break after "0/3".
        ui.add(
            egui::Label::new(RichText::new(format!("{done}/{total} done")).weak())
                .wrap_mode(egui::TextWrapMode::Extend),
        );
    });
    ui.add(
        egui::ProgressBar::new(if total == 0 {
            0.0
        } else {
            done as f32 / total as f32
        })
        .desired_height(4.0),
    );
    if state.show_filters {
        filters_ui(ui, project, state);
    }
    state.refresh(project, version);
    if state.filtering() {
        ui.label(RichText::new(format!("{} of {total} shown", state.order.len())).weak());
    }
    ui.add_space(4.0);
    let row_height = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("doc-list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, state.order.len(), |ui, rows| {
            for row in rows {
                let Some(&id) = state.order.get(row) else {
                    continue;
                };
                let Some(doc) = project.doc(id) else {
                    continue;
                };
                let selected = id == current;
                let response = ui
                    .horizontal(|ui| {
                        ui.set_min_height(row_height - 4.0);
                        status_dot_ui(ui, doc.status);
                        let count = doc.spans().len();
                        let pending = doc
                            .suggestions()
                            .iter()
                            .filter(|s| s.review == crate::model::Review::Pending)
                            .count();
                        let right = if pending > 0 {
                            format!("{count} · {pending} to review")
                        } else {
                            count.to_string()
                        };
                        let title = ui.add(
                            egui::Button::selectable(selected, doc.title())
                                .truncate()
                                .right_text(RichText::new(right).weak())
                                .min_size(egui::vec2(ui.available_width(), 0.0)),
                        );
                        let reviewed = doc.suggestions().len() - pending;
                        title.on_hover_text(format!(
                            "{}\n{} spans · {} · {reviewed} of {} suggestions reviewed",
                            doc.id,
                            count,
                            doc.status.name(),
                            doc.suggestions().len()
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
