//! `--profile-frames N`: runs the real window for N frames while scrolling through the
//! current document and tagging a word every tenth frame, then prints the median and 95th
//! percentile frame CPU time. The way to measure the window itself on a long document.

use std::time::Instant;

/// Frame times collected so far.
pub struct Profile {
    frames: u32,
    started: bool,
    /// Time spent in our `ui` (layout, hit-testing, building shapes), per frame, in ms.
    ui_ms: Vec<f64>,
    /// Same, for frames in which a span was added.
    edit_ms: Vec<f64>,
    /// eframe's measure of the whole previous frame (ui, tessellation and rendering), in ms.
    total_ms: Vec<f64>,
    frame_start: Option<Instant>,
}

impl Profile {
    pub fn new(frames: u32) -> Self {
        Self {
            frames,
            started: false,
            ui_ms: Vec::new(),
            edit_ms: Vec::new(),
            total_ms: Vec::new(),
            frame_start: None,
        }
    }

    /// True on the first frame (the caller jumps to the middle of the document).
    pub fn begin(&mut self, previous_frame_cpu: Option<f32>) -> bool {
        let first = !self.started;
        self.started = true;
        if let Some(s) = previous_frame_cpu
            && !first
        {
            self.total_ms.push(f64::from(s) * 1000.0);
        }
        self.frame_start = Some(Instant::now());
        first
    }

    /// Whether this frame should add a span.
    pub fn tag_this_frame(&self) -> bool {
        let n = self.ui_ms.len() + self.edit_ms.len();
        n > 5 && n.is_multiple_of(10)
    }

    /// Records the frame; returns true when enough frames were measured.
    pub fn end(&mut self, tagged: bool) -> bool {
        if let Some(t) = self.frame_start.take() {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if tagged {
                self.edit_ms.push(ms);
            } else {
                self.ui_ms.push(ms);
            }
        }
        (self.ui_ms.len() + self.edit_ms.len()) as u32 >= self.frames
    }

    pub fn report(&self) -> String {
        fn stats(name: &str, v: &[f64]) -> String {
            if v.is_empty() {
                return format!("{name}: no frames");
            }
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            let at = |q: f64| {
                s.get(((s.len() - 1) as f64 * q).round() as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            format!(
                "{name}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} frames)",
                at(0.5),
                at(0.95),
                at(1.0),
                s.len()
            )
        }
        [
            stats("ui (scrolling)", &self.ui_ms),
            stats("ui (frame that adds a span)", &self.edit_ms),
            stats(
                "whole frame incl. tessellation and rendering",
                &self.total_ms,
            ),
        ]
        .join("\n")
    }
}
