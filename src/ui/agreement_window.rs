//! View → Agreement…: this project compared with other annotators' copies of it, with the
//! figures of `marginalia agree` (see `model::agreement`) per label, attribute and document,
//! the current document's disagreements (each a link to its place), every annotator's
//! version of the passage under review stacked, and Adjudicate… to make the curated project.
//!
//! In a team project (see `persist::team`) the teammates' files are compared at once. The
//! figures are computed on a thread after each change (a thousand documents by six
//! annotators take most of a second); the window shows the last ones meanwhile.

use crate::model::agreement::{Agreement, Layer, agreement};
use crate::model::{DocId, Project, SpanKey};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use crate::ui::widgets::label_chip;
use egui::RichText;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Another annotator's project, loaded.
struct Other {
    name: String,
    path: PathBuf,
    project: Arc<Project>,
}

/// What the figures are for: the open project's version, and which others (a count that
/// only grows, so removing one and adding another is a change too).
type FiguresKey = (u64, u64);

/// Figures being computed, and for what.
type FiguresTask = Task<(FiguresKey, Agreement)>;

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
    /// Bumped whenever `others` changes.
    generation: u64,
    /// A path typed to add (the button beside it opens a file dialog).
    path: String,
    /// The project file whose teammates were added (once per file opened).
    team_for: Option<PathBuf>,
    /// What `figures` are for.
    figures_key: Option<FiguresKey>,
    figures: Option<Agreement>,
    computing: Option<FiguresTask>,
    /// History version, others and document the disagreements are for.
    version: Option<(u64, u64, DocId)>,
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
                    project: Arc::new(loaded.project),
                });
                self.generation += 1;
                self.message = None;
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

    /// Whether the figures on screen are for the project as it is now.
    pub fn up_to_date(&self, session: &Session) -> bool {
        self.figures_key == Some((session.version(), self.generation)) && self.computing.is_none()
    }

    /// In a team project, the teammates' files (once per project file opened): an
    /// annotator's file is compared with the others', a team's curated file with all.
    fn add_team(&mut self, session: &Session) {
        let path = session.path().map(Path::to_owned);
        if path == self.team_for {
            return;
        }
        self.team_for.clone_from(&path);
        let Some(path) = path else {
            return;
        };
        for p in teammates(&path) {
            if !self.others.iter().any(|o| o.path == p) {
                self.add(&p);
            }
        }
    }

    /// Starts computing the figures when the project or the others changed, and takes
    /// finished ones; the disagreements of the document shown are cheap: computed here.
    fn refresh(&mut self, ctx: &egui::Context, session: &Session, doc: DocId) {
        self.add_team(session);
        if let Some(task) = &self.computing
            && let Some((key, figures)) = task.poll()
        {
            self.computing = None;
            self.figures_key = Some(key);
            self.figures = Some(figures);
        }
        let key = (session.version(), self.generation);
        if self.others.is_empty() {
            self.figures = None;
            self.figures_key = Some(key);
            self.disagreements.clear();
            return;
        }
        if self.figures_key != Some(key) && self.computing.is_none() {
            let me = layer_name(session);
            let open = Arc::new(session.project().clone());
            let others: Vec<(String, Arc<Project>)> = self
                .others
                .iter()
                .map(|o| (o.name.clone(), o.project.clone()))
                .collect();
            self.computing = Some(Task::spawn(ctx, "Computing agreement…", move || {
                let mut layers = vec![Layer {
                    annotator: me,
                    project: &open,
                }];
                layers.extend(others.iter().map(|(name, project)| Layer {
                    annotator: name.clone(),
                    project,
                }));
                (key, agreement(&layers, None))
            }));
        }
        let here = (session.version(), self.generation, doc);
        if self.version != Some(here) {
            self.version = Some(here);
            self.disagreements = disagreements(&self.layers(session), doc);
        }
    }

    /// The open project and the others, as compared.
    fn layers<'a>(&'a self, session: &'a Session) -> Vec<Layer<'a>> {
        self.layers_as(session, layer_name(session))
    }

    /// The same, the open project named `me`.
    fn layers_as<'a>(&'a self, session: &'a Session, me: String) -> Vec<Layer<'a>> {
        let mut layers = vec![Layer {
            annotator: me,
            project: session.project(),
        }];
        layers.extend(self.others.iter().map(|o| Layer {
            annotator: o.name.clone(),
            project: &o.project,
        }));
        layers
    }

    /// Adjudicate…: the curated project of the open project and the others (see
    /// `model::adjudication`), written beside the team's file (or the open project) as
    /// `NAME.curated.ron`; never over an existing file. Returns where it is.
    pub fn write_curated(&self, session: &Session) -> Result<PathBuf, String> {
        let Some(open) = session.path() else {
            return Err("Save the project first.".to_owned());
        };
        let base = crate::persist::team::team_of(open).unwrap_or_else(|| open.to_owned());
        let stem = base
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".to_owned());
        let out = base.with_file_name(format!("{stem}.curated.ron"));
        if out.exists() {
            return Err(format!(
                "{} exists already: open it to go on adjudicating, or move it away to start again.",
                crate::persist::paths::for_display(&out)
            ));
        }
        // The curated project names who made each disagreement: the open file by its name.
        let me = open.file_stem().map_or_else(
            || "this project".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let layers = self.layers_as(session, me);
        let (project, _) =
            crate::model::adjudication::curate(&layers, &format!("{stem} (curated)"));
        crate::persist::save_project(&project, &out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// View → Agreement.
    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        if !self.open {
            return;
        }
        self.refresh(ctx, cx.session, cx.doc);
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

/// The open project's name among the annotators: its file name.
fn layer_name(session: &Session) -> String {
    let me = session.path().and_then(Path::file_stem).map_or_else(
        || "this project".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    format!("{me} (open)")
}

/// The files a project in a team is compared with: for an annotator's file, the other
/// annotators' files; for a team's curated file (`news.curated.ron` beside `news.ron`),
/// every annotator's file.
fn teammates(path: &Path) -> Vec<PathBuf> {
    use crate::persist::team;
    let team_file = team::team_of(path).or_else(|| {
        let name = path.file_name()?.to_str()?;
        let stem = name.strip_suffix(".curated.ron")?;
        let t = path.with_file_name(format!("{stem}.ron"));
        team::is_team(&t).then_some(t)
    });
    let Some(team_file) = team_file else {
        return Vec::new();
    };
    let me = crate::persist::paths::normalize(path);
    team::members(&team_file)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| crate::persist::paths::normalize(p) != me)
        .collect()
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
        w.generation += 1;
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
    let curated = cx
        .session
        .path()
        .and_then(Path::file_name)
        .is_some_and(|n| n.to_string_lossy().ends_with(".curated.ron"));
    if !w.others.is_empty() && !curated {
        let adjudicate = ui.button("Adjudicate…").on_hover_text(
            "Make the curated project: what every annotator made alike is accepted, each \
             disagreement a suggestion to review (source: who made it)",
        );
        if adjudicate.clicked() {
            out.push(Command::Adjudicate);
        }
    }
    if w.computing.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("computing the figures…").weak());
        });
    }
    versions_ui(ui, w, cx);
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
    documents_ui(ui, figures, cx, out);
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

/// The documents with the least agreement first, each a link to it.
fn documents_ui(
    ui: &mut egui::Ui,
    figures: &Agreement,
    cx: &PanelContext<'_>,
    out: &mut Vec<Command>,
) {
    const SHOWN: usize = 8;
    if figures.per_document.is_empty() {
        return;
    }
    let mut docs: Vec<_> = figures.per_document.iter().collect();
    docs.sort_by(|x, y| {
        let f = |d: &&crate::model::agreement::DocumentAgreement| d.exact_f1.unwrap_or(2.0);
        f(x).total_cmp(&f(y)).then_with(|| x.id.cmp(&y.id))
    });
    ui.add_space(4.0);
    ui.label(RichText::new("Documents, least agreement first (exact F1, all labels)").strong());
    for d in docs.iter().take(SHOWN) {
        ui.horizontal(|ui| {
            ui.monospace(num(d.exact_f1));
            let here = cx
                .project()
                .documents
                .iter()
                .position(|doc| doc.id == d.id)
                .map(DocId);
            let text = RichText::new(crate::model::text::excerpt(&d.id, 60));
            match here {
                Some(doc) => {
                    let link = egui::Label::new(text.color(ui.visuals().hyperlink_color))
                        .sense(egui::Sense::click())
                        .truncate();
                    if ui.add(link).on_hover_text("Open this document").clicked() {
                        out.push(Command::OpenDocument(doc));
                    }
                }
                None => {
                    ui.add(egui::Label::new(text).truncate());
                }
            }
        });
    }
    if docs.len() > SHOWN {
        ui.label(
            RichText::new(format!(
                "… and {} more (marginalia agree --json lists them all)",
                docs.len() - SHOWN
            ))
            .weak()
            .small(),
        );
    }
}

/// Every annotator's spans over the passage under review (or selected), stacked: who said
/// what, before deciding.
fn versions_ui(ui: &mut egui::Ui, w: &AgreementWindow, cx: &PanelContext<'_>) {
    let (Some(passage), Some(doc)) = (cx.passage.clone(), cx.document()) else {
        return;
    };
    ui.separator();
    ui.label(RichText::new("This passage, by annotator").strong());
    let schema = &cx.project().schema;
    for layer in w.layers(cx.session) {
        let Some(d) = layer.project.documents.iter().find(|d| d.id == doc.id) else {
            continue;
        };
        let spans: Vec<_> = d
            .spans()
            .iter()
            .filter(|s| {
                s.pieces()
                    .any(|p| p.start < passage.end && passage.start < p.end)
            })
            .collect();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{}:", layer.annotator)).strong());
            if spans.is_empty() {
                ui.label(RichText::new("nothing here").weak());
            }
            for s in spans {
                label_chip(ui, schema, &s.label);
                let mut text = crate::model::text::excerpt(&s.covered(), 40);
                let attrs: Vec<String> = s.attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if !attrs.is_empty() {
                    text.push_str(&format!(" ({})", attrs.join(", ")));
                }
                ui.label(text);
            }
        });
    }
}
