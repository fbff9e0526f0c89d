//! Suggest → Evaluate the learned suggester…: how well a model trained on this project does
//! on its own documents (as `marginalia suggest --with learned --evaluate` reports, and as
//! INCEpTION's evaluation sidebar shows): per-label precision, recall and F1, the learning
//! curve, and whether its scores can be trusted. Computed on a thread; the window stays
//! live.

use crate::suggest::learned::evaluate::{Evaluation, Prf, evaluate};
use crate::ui::background::Task;
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use egui::RichText;

#[derive(Default)]
pub struct LearnedWindow {
    pub open: bool,
    task: Option<Task<Result<Evaluation, String>>>,
    /// The last evaluation, and the project version it was made at.
    result: Option<(u64, Result<Evaluation, String>)>,
    /// The version the running evaluation was started at.
    running_at: u64,
}

impl LearnedWindow {
    /// The last evaluation, if it succeeded (tests).
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.result.as_ref().and_then(|(_, r)| r.as_ref().ok())
    }

    pub fn running(&self) -> bool {
        self.task.is_some()
    }

    fn start(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>) {
        let project = cx.project().clone();
        self.running_at = cx.version();
        self.task = Some(Task::spawn(ctx, "Evaluating…", move || {
            let cancel = std::sync::atomic::AtomicBool::new(false);
            evaluate(&project, &crate::suggest::Control::none(&cancel))
        }));
    }

    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, _out: &mut Vec<Command>) {
        if let Some(task) = &self.task
            && let Some(result) = task.poll()
        {
            self.task = None;
            self.result = Some((self.running_at, result));
        }
        if !self.open {
            return;
        }
        if self.result.is_none() && self.task.is_none() {
            self.start(ctx, cx);
        }
        let mut open = self.open;
        egui::Window::new("Learned suggester: evaluation")
            .open(&mut open)
            .default_width(560.0)
            .default_height(560.0)
            .max_height(ctx.content_rect().height() * 0.85)
            .show(ctx, |ui| self.window_ui(ui, cx));
        self.open = open;
    }

    fn window_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>) {
        ui.label(
            RichText::new(
                "Trains on about four fifths of the finished documents and proposes in the others: \
                 the figures compare its proposals with what was tagged there.",
            )
            .weak(),
        );
        ui.horizontal(|ui| {
            let stale = self
                .result
                .as_ref()
                .is_some_and(|(v, _)| *v != cx.version());
            if self.task.is_some() {
                ui.spinner();
                ui.label("Training and testing…");
            } else if ui
                .button(if stale {
                    "Evaluate again (the project changed)"
                } else {
                    "Evaluate again"
                })
                .clicked()
            {
                self.start(ui.ctx(), cx);
            }
        });
        match self.result.as_ref().map(|(_, r)| r) {
            None => {}
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
            Some(Ok(e)) => {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, true])
                    .show(ui, |ui| evaluation_ui(ui, e));
            }
        }
    }
}

fn prf_cells(ui: &mut egui::Ui, p: &Prf) {
    for x in [p.precision, p.recall, p.f1] {
        ui.label(format!("{x:.3}"));
    }
}

fn evaluation_ui(ui: &mut egui::Ui, e: &Evaluation) {
    ui.label(format!(
        "Trained on {} documents, tested on {}. Found: the spans of the model's likeliest reading.",
        e.train_documents, e.test_documents
    ));
    egui::Grid::new("learned-scores")
        .striped(true)
        .num_columns(8)
        .show(ui, |ui| {
            for h in ["label", "tagged", "found", "P", "R", "F1", "overlap F1"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for l in &e.labels {
                ui.label(&l.label);
                ui.label(l.gold.to_string());
                ui.label(l.predicted.to_string());
                prf_cells(ui, &l.exact);
                ui.label(format!("{:.3}", l.overlap.f1));
                ui.end_row();
            }
            ui.label(RichText::new("all").strong());
            ui.label(e.labels.iter().map(|l| l.gold).sum::<usize>().to_string());
            ui.label(
                e.labels
                    .iter()
                    .map(|l| l.predicted)
                    .sum::<usize>()
                    .to_string(),
            );
            prf_cells(ui, &e.all_exact);
            ui.label(format!("{:.3}", e.all_overlap.f1));
            ui.end_row();
        });
    ui.add_space(6.0);
    ui.label(RichText::new("Learning curve").strong());
    egui::Grid::new("learned-curve")
        .num_columns(3)
        .show(ui, |ui| {
            for p in &e.curve {
                ui.label(format!("{:.0}% of the training documents", p.share * 100.0));
                ui.label(crate::model::text::plural(
                    p.documents,
                    "document",
                    "documents",
                ));
                ui.label(format!("F1 {:.3}", p.f1));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    ui.label(
        RichText::new(format!(
            "Scores against how often they were right (calibration error {:.3})",
            e.calibration_error
        ))
        .strong(),
    );
    egui::Grid::new("learned-reliability")
        .num_columns(3)
        .show(ui, |ui| {
            for b in &e.reliability {
                ui.label(format!("scores {:.1}–{:.1}", b.from, b.to));
                ui.label(format!("{} suggestions", b.count));
                ui.label(format!(
                    "right {:.0}% (mean score {:.0}%)",
                    b.right * 100.0,
                    b.mean_score * 100.0
                ));
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(format!(
            "Training took {:.1} s; proposing in the test documents {:.2} s.",
            e.train_seconds, e.predict_seconds
        ))
        .weak(),
    );
}
