//! View → Consistency report…: texts annotated differently in different places, and texts
//! annotated in some places but not in others. The report runs off the UI thread over a
//! shared snapshot and reruns after every change, so a fix makes its finding disappear.

use crate::model::consistency::{Finding, FindingKind, report};
use crate::model::search::context;
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use egui::RichText;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Places listed per finding; the fix applies to all of them anyway.
const PLACES_SHOWN: usize = 200;

/// Which findings the window lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Show {
    #[default]
    All,
    Labels,
    Attributes,
    Unannotated,
}

impl Show {
    fn keeps(self, f: &Finding) -> bool {
        matches!(
            (self, &f.kind),
            (Show::All, _)
                | (Show::Labels, FindingKind::Labels)
                | (Show::Attributes, FindingKind::Attribute { .. })
                | (Show::Unannotated, FindingKind::Unannotated { .. })
        )
    }
}

#[derive(Default)]
pub struct ConsistencyState {
    open: bool,
    findings: Vec<Finding>,
    /// The project version the findings describe.
    version: Option<u64>,
    running: Option<(u64, Arc<AtomicBool>, Task<Vec<Finding>>)>,
    show: Show,
}

impl ConsistencyState {
    pub fn open(&mut self) {
        self.open = true;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn finding(&self, i: usize) -> Option<&Finding> {
        self.findings.get(i)
    }

    /// Whether the findings describe the project as it is now.
    pub fn is_current(&self, version: u64) -> bool {
        self.version == Some(version) && self.running.is_none()
    }

    /// Starts a run when the project changed since the last one, and takes in its result.
    fn refresh(&mut self, ctx: &egui::Context, session: &Session) {
        let version = session.version();
        if let Some((v, _, task)) = &self.running
            && let Some(findings) = task.poll()
        {
            self.version = Some(*v);
            self.findings = findings;
            self.running = None;
        }
        let stale = self.version != Some(version);
        let running_for = self.running.as_ref().map(|(v, _, _)| *v);
        if stale && running_for != Some(version) {
            if let Some((_, cancel, _)) = &self.running {
                cancel.store(true, Ordering::Relaxed);
            }
            let docs = session.project().snapshot();
            let cancel = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&cancel);
            let task = Task::spawn(ctx, "Checking consistency…", move || report(&docs, &flag));
            self.running = Some((version, cancel, task));
        }
    }

    /// View → Consistency report.
    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        self.window_ui(ctx, cx.session, out);
    }

    fn window_ui(&mut self, ctx: &egui::Context, session: &Session, out: &mut Vec<Command>) {
        if !self.open {
            return;
        }
        self.refresh(ctx, session);
        let mut open = true;
        egui::Window::new("Consistency report")
            .open(&mut open)
            .default_size([620.0, 520.0])
            .show(ctx, |ui| self.contents_ui(ui, session, out));
        if !open {
            self.open = false;
            if let Some((_, cancel, _)) = self.running.take() {
                cancel.store(true, Ordering::Relaxed);
            }
            self.version = None;
        }
    }

    fn contents_ui(&mut self, ui: &mut egui::Ui, session: &Session, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let shown = self.findings.iter().filter(|f| self.show.keeps(f)).count();
            ui.label(RichText::new(format!("{shown} findings")).strong());
            if self.running.is_some() {
                ui.spinner();
                ui.label(RichText::new("checking…").weak());
            }
        });
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show, Show::All, "All");
            ui.selectable_value(&mut self.show, Show::Labels, "Different labels");
            ui.selectable_value(&mut self.show, Show::Attributes, "Different values");
            ui.selectable_value(&mut self.show, Show::Unannotated, "Not annotated");
        });
        ui.label(
            RichText::new(
                "The same text annotated differently, or annotated in some places and not in \
                 others. A fix applies the majority to every place, as one undoable step.",
            )
            .weak()
            .small(),
        );
        ui.separator();
        let project = session.project();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (i, f) in self.findings.iter().enumerate() {
                    if !self.show.keeps(f) {
                        continue;
                    }
                    egui::CollapsingHeader::new(f.describe())
                        // Keyed by what it is about, so a fix that removes one finding does
                        // not open the next in its place.
                        .id_salt(("finding", format!("{:?}", f.kind), &f.text))
                        .show(ui, |ui| {
                            let action = match &f.kind {
                                FindingKind::Labels => format!("Make all {}", f.majority),
                                FindingKind::Attribute { attribute, .. } => {
                                    format!("Set {attribute} = {} everywhere", f.majority)
                                }
                                FindingKind::Unannotated { label } => {
                                    format!("Tag all {} as {label}", f.places.len())
                                }
                            };
                            if ui.button(action).clicked() {
                                out.push(Command::FixFinding(i));
                            }
                            for p in f.places.iter().take(PLACES_SHOWN) {
                                let Some(d) = project.doc(p.doc) else {
                                    continue;
                                };
                                let c = context(&d.text, p.start, p.end, 30, 30);
                                let now = if p.now.is_empty() {
                                    String::new()
                                } else {
                                    format!(" [{}]", p.now)
                                };
                                let text = format!(
                                    "{}: …{}[{}]{}…{now}",
                                    crate::model::text::excerpt(d.title(), 24),
                                    c.before,
                                    c.hit,
                                    c.after
                                );
                                if ui
                                    .add(egui::Button::new(text).frame(false).truncate())
                                    .on_hover_text("Show this place")
                                    .clicked()
                                {
                                    out.push(Command::GoTo {
                                        doc: p.doc,
                                        start: p.start,
                                        end: p.end,
                                        span: p.span,
                                    });
                                }
                            }
                            if f.places.len() > PLACES_SHOWN {
                                ui.label(
                                    RichText::new(format!(
                                        "… and {} more",
                                        f.places.len() - PLACES_SHOWN
                                    ))
                                    .weak(),
                                );
                            }
                        });
                }
            });
    }
}
