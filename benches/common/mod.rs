//! What the benchmarks share: fixtures generated once per run into a temp dir, and a
//! headless window (a plain `egui::Context`, layout and tessellation, no GPU).

#![allow(dead_code)] // each bench uses part of it

use criterion::Criterion;
use marginalia::model::DocId;
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The seed of every fixture: the same bytes on every run and machine.
pub const SEED: u64 = 2026;

/// Criterion for slow, big benchmarks: few samples, no long warm-up.
pub fn slow() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .without_plots()
}

/// Criterion for frame benchmarks.
pub fn frames() -> Criterion {
    Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .without_plots()
}

/// A fresh temp dir (removed when dropped).
pub fn temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("marginalia-bench-")
        .tempdir()
        .expect("temp dir")
}

/// The real app, driven frame by frame without a window: `ui` (layout, hit-testing, shapes)
/// then tessellation, as eframe does before handing triangles to the GPU.
pub struct Headless {
    pub ctx: egui::Context,
    pub app: MarginaliaApp,
    time: f64,
    /// Where the pointer is (over the document), for wheel events.
    pub pointer: egui::Pos2,
}

impl Headless {
    pub const SIZE: egui::Vec2 = egui::vec2(1400.0, 880.0);

    pub fn new(app: MarginaliaApp) -> Self {
        Self {
            ctx: egui::Context::default(),
            app,
            time: 0.0,
            pointer: egui::pos2(700.0, 450.0),
        }
    }

    pub fn with_session(session: Session) -> Self {
        Self::new(MarginaliaApp::with_session(session))
    }

    /// One frame with these input events.
    pub fn frame_with(&mut self, events: Vec<egui::Event>) {
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, Self::SIZE)),
            time: Some(self.time),
            events,
            ..Default::default()
        };
        let app = &mut self.app;
        let mut out = self.ctx.run_ui(input, |ui| app.frame_ui(ui));
        let shapes = std::mem::take(&mut out.shapes);
        let primitives = self.ctx.tessellate(shapes, out.pixels_per_point);
        black_box(primitives);
        out.textures_delta.clear();
    }

    pub fn frame(&mut self) {
        self.frame_with(Vec::new());
    }

    /// A wheel scroll of `dy` points over the document.
    pub fn scroll(&mut self, dy: f32) {
        self.frame_with(vec![
            egui::Event::PointerMoved(self.pointer),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            },
        ]);
    }

    /// Frames until `done` holds (background work), at most `limit`; returns the time taken.
    pub fn frames_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&MarginaliaApp) -> bool,
    ) -> Duration {
        let t = Instant::now();
        loop {
            self.frame();
            if done(&self.app) {
                return t.elapsed();
            }
            assert!(t.elapsed() < limit, "gave up after {limit:?}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    pub fn doc_len(&self) -> usize {
        self.app
            .session()
            .and_then(|s| s.project().doc(DocId(0)))
            .map_or(0, |d| d.text.len())
    }
}

/// `path` with the generated project's corpus as a fixture, for benchmarks that need files.
pub fn project_on_disk(
    dir: &std::path::Path,
    docs: usize,
    bytes: usize,
    annotated: usize,
) -> PathBuf {
    let t = Instant::now();
    let path = marginalia::generate::write_project(dir, docs, bytes, annotated, SEED)
        .expect("generated project");
    eprintln!(
        "fixture: {docs} documents of {bytes} bytes ({annotated} annotated) in {:.1?}",
        t.elapsed()
    );
    path
}
