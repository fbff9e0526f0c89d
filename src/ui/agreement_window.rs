//! View → Agreement…: this project compared with other annotators' copies of it, with the
//! figures of `marginalia agree` (see `model::agreement`) per label and attribute, and the
//! current document's disagreements, each a link to its place.

use crate::model::agreement::{Agreement, Layer, agreement};
use crate::model::{DocId, Project, SpanKey};
use crate::session::Session;
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use crate::ui::widgets::label_chip;
use egui::RichText;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Another annotator's project, loaded.
struct Other {
    name: String,
    path: PathBuf,
    project: Project,
}

/// One place where the annotators differ in the current document: a span (label and
/// pieces) that some of them made and the others did not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub label: String,
    pub pieces: Vec<(usize, usize)>,
    pub text: String,
    /// Who made it.
    pub by: Vec<String>,
    /// The span in this project, when this annotator made it (to select it).
    pub here: Option<SpanKey>,
}

#[derive(Default)]
pub struct AgreementWindow {
    pub open: bool,
    others: Vec<Other>,
    /// A path typed to add (the button beside it opens a file dialog).
    path: String,
    /// History version and document the figures are for.
    version: Option<(u64, usize, DocId)>,
    figures: Option<Agreement>,
    disagreements: Vec<Disagreement>,
    message: Option<String>,
}

impl AgreementWindow {
    /// Loads another annotator's project and compares with it.
    pub fn add(&mut self, path: &Path) {
        match crate::persist::load_project(path) {
            Ok(loaded) => {
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.others.retain(|o| o.path != path);
                self.others.push(Other {
                    name,
                    path: path.to_owned(),
                    project: loaded.project,
                });
                self.message = None;
                self.version = None;
            }
            Err(e) => self.message = Some(format!("Could not compare with it: {e}")),
        }
    }

    /// The figures on screen (tests).
    pub fn figures(&self) -> Option<&Agreement> {
        self.figures.as_ref()
    }

    /// The current document's disagreements (tests).
    pub fn disagreements(&self) -> &[Disagreement] {
        &self.disagreements
    }

    fn refresh(&mut self, session: &Session, doc: DocId) {
        let key = (session.version(), self.others.len(), doc);
        if self.version == Some(key) {
            return;
        }
        self.version = Some(key);
        if self.others.is_empty() {
            self.figures = None;
            self.disagreements.clear();
            return;
        }
        let me = session.path().and_then(Path::file_stem).map_or_else(
            || "this project".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let mut layers = vec![Layer {
            annotator: format!("{me} (open)"),
            project: session.project(),
        }];
        layers.extend(self.others.iter().map(|o| Layer {
            annotator: o.name.clone(),
            project: &o.project,
        }));
        self.figures = Some(agreement(&layers, None));
        self.disagreements = disagreements(&layers, doc);
    }

    /// View → Agreement.
    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        if !self.open {
            return;
        }
        self.refresh(cx.session, cx.doc);
        let mut open = true;
        egui::Window::new("Agreement")
            .open(&mut open)
            .default_size([560.0, 520.0])
            .vscroll(true)
            .show(ctx, |ui| agreement_window_ui(ui, self, cx, out));
        if !open {
            self.open = false;
        }
    }
}

/// The spans of document `doc` (matched by id) that not every annotator made.
fn disagreements(layers: &[Layer<'_>], doc: DocId) -> Vec<Disagreement> {
    let Some(here) = layers.first().and_then(|l| l.project.doc(doc)) else {
        return Vec::new();
    };
    type Place = (String, Vec<(usize, usize)>);
    let mut by_place: BTreeMap<Place, (Vec<String>, Option<SpanKey>, String)> = BTreeMap::new();
    for (i, l) in layers.iter().enumerate() {
        let Some(d) = l.project.documents.iter().find(|d| d.id == here.id) else {
            continue;
        };
        for s in d.spans() {
            let place = (
                s.label.clone(),
                s.pieces().map(|p| (p.start, p.end)).collect(),
            );
            let entry = by_place
                .entry(place)
                .or_insert_with(|| (Vec::new(), None, s.covered().into_owned()));
            if !entry.0.contains(&l.annotator) {
                entry.0.push(l.annotator.clone());
            }
            if i == 0 {
                entry.1 = Some(s.key());
            }
        }
    }
    let all = layers
        .iter()
        .filter(|l| l.project.documents.iter().any(|d| d.id == here.id))
        .count();
    let mut out: Vec<Disagreement> = by_place
        .into_iter()
        .filter(|(_, (by, _, _))| by.len() < all)
        .map(|((label, pieces), (by, key, text))| Disagreement {
            label,
            pieces,
            text,
            by,
            here: key,
        })
        .collect();
    out.sort_by_key(|d| d.pieces.first().copied());
    out
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

fn agreement_window_ui(
    ui: &mut egui::Ui,
    w: &mut AgreementWindow,
    cx: &PanelContext<'_>,
    out: &mut Vec<Command>,
) {
    ui.label(
        RichText::new(
            "Compare this project with other annotators' copies of it (documents matched by \
             id). The figures are defined in the README; `marginalia agree` gives the same.",
        )
        .weak()
        .small(),
    );
    let mut remove = None;
    for (i, o) in w.others.iter().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .small_button("×")
                .on_hover_text("Stop comparing with it")
                .clicked()
            {
                remove = Some(i);
            }
            ui.label(&o.name);
            ui.add(
                egui::Label::new(
                    RichText::new(crate::persist::paths::for_display(&o.path))
                        .weak()
                        .small(),
                )
                .truncate(),
            );
        });
    }
    if let Some(i) = remove {
        w.others.remove(i);
        w.version = None;
    }
    ui.horizontal(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut w.path)
                .hint_text("another annotator's project.ron")
                .desired_width(260.0),
        );
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Add").clicked() || enter) && !w.path.trim().is_empty() {
            let path = PathBuf::from(w.path.trim());
            w.add(&path);
            if w.message.is_none() {
                w.path.clear();
            }
        }
        if ui.button("Browse…").clicked() {
            out.push(Command::PickAgreementFile);
        }
    });
    if let Some(m) = &w.message {
        ui.colored_label(ui.visuals().warn_fg_color, m);
    }
    let Some(figures) = &w.figures else {
        return;
    };
    ui.separator();
    ui.label(
        RichText::new(format!(
            "{} annotators, {} documents annotated by at least two",
            figures.annotators.len(),
            figures.documents
        ))
        .strong(),
    );
    egui::Grid::new("agreement-labels")
        .striped(true)
        .show(ui, |ui| {
            // Span counts in the order of the annotators' names.
            let names: Vec<&str> = figures
                .labels
                .values()
                .next()
                .map(|l| l.spans.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let spans = format!("spans ({})", names.join(" / "));
            for h in [
                "label",
                "exact F1",
                "overlap F1",
                "α (chars)",
                spans.as_str(),
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for (label, l) in &figures.labels {
                label_chip(ui, &cx.session.project().schema, label);
                ui.monospace(num(l.exact_f1));
                ui.monospace(num(l.overlap_f1));
                ui.monospace(num(l.alpha_char));
                let spans: Vec<String> = l.spans.values().map(ToString::to_string).collect();
                ui.label(spans.join(" / "));
                ui.end_row();
            }
        });
    if !figures.attributes.is_empty() {
        ui.add_space(4.0);
        egui::Grid::new("agreement-attributes")
            .striped(true)
            .show(ui, |ui| {
                for h in ["attribute", "κ", "spans"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (name, k) in &figures.attributes {
                    ui.label(name);
                    ui.monospace(num(k.kappa));
                    ui.label(k.items.to_string());
                    ui.end_row();
                }
            });
    }
    ui.separator();
    ui.label(
        RichText::new(format!(
            "This document: {} where the annotators differ",
            match w.disagreements.len() {
                1 => "1 place".to_owned(),
                n => format!("{n} places"),
            }
        ))
        .strong(),
    );
    for d in &w.disagreements {
        ui.horizontal_wrapped(|ui| {
            label_chip(ui, &cx.session.project().schema, &d.label);
            let text = crate::model::text::excerpt(&d.text, 50);
            let link = egui::Label::new(RichText::new(text).color(ui.visuals().hyperlink_color))
                .sense(egui::Sense::click())
                .truncate();
            if ui
                .add(link)
                .on_hover_text("Show it in the document")
                .clicked()
            {
                out.push(match d.here {
                    Some(key) => Command::SelectSpan(cx.doc, key),
                    None => Command::SelectText(
                        cx.doc,
                        d.pieces.first().map_or(0, |p| p.0)..d.pieces.last().map_or(0, |p| p.1),
                    ),
                });
            }
            ui.label(
                RichText::new(format!("only {}", d.by.join(", ")))
                    .weak()
                    .small(),
            );
        });
    }
}
