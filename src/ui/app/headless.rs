//! Runs of the real window without a person: `--screenshot` (draw N frames, save a picture,
//! close) and `--profile-frames` (scroll and tag for N frames, print the timings, close).

use super::MarginaliaApp;
use crate::ui::commands::Command;
use crate::ui::selection::Selection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub(super) struct ScreenshotPlan {
    path: PathBuf,
    frames_left: u32,
    requested: bool,
    /// Set by the screenshot callback once the PNG is written (or failed).
    written: Arc<AtomicBool>,
}

impl ScreenshotPlan {
    pub(super) fn new(path: PathBuf, frames: u32) -> Self {
        Self {
            path,
            frames_left: frames,
            requested: false,
            written: Arc::default(),
        }
    }
}

impl MarginaliaApp {
    /// Counts frames from the moment the project is there, then asks for the picture and
    /// closes once it is written.
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        let loading = self.tasks.loading.is_some();
        let Some(plan) = &mut self.window.screenshot else {
            return;
        };
        if plan.written.load(Ordering::Acquire) {
            self.window.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if loading {
            // Frames are counted from the moment the project is there.
        } else if plan.frames_left > 0 {
            plan.frames_left -= 1;
        } else if !plan.requested {
            plan.requested = true;
            let path = plan.path.clone();
            let written = plan.written.clone();
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                if let Err(e) = crate::ui::screenshot::save_png(&path, &image) {
                    eprintln!("{}: cannot write the screenshot: {e}", path.display());
                }
                written.store(true, Ordering::Release);
                waker.request_repaint();
            });
        }
        ctx.request_repaint();
    }

    /// One frame under `--profile-frames`: scroll, sometimes tag, and time it.
    pub(super) fn profiled_frame(&mut self, ui: &mut egui::Ui, frame: &eframe::Frame) {
        if self.tasks.loading.is_some() {
            // Measured once the project is open.
            self.frame_ui(ui);
            ui.ctx().request_repaint();
            return;
        }
        let Some(mut profile) = self.window.profile.take() else {
            return;
        };
        let doc_len = self
            .session
            .as_ref()
            .and_then(|s| s.project().doc(self.current))
            .map_or(0, |d| d.text.len());
        if profile.begin(frame.info().cpu_usage) {
            self.panels.view.reveal(doc_len / 2);
        } else {
            self.panels.view.scroll_by(37.0);
        }
        let tag = profile.tag_this_frame();
        if tag {
            self.select_word_in_view();
        }
        self.frame_ui(ui);
        if profile.end(tag) {
            println!("{}", profile.report());
            // The edits were the measurement's, not the user's: no journal offers them back.
            if let Some(session) = &mut self.session {
                let _ = session.close();
            }
            self.window.allow_close = true;
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ui.ctx().request_repaint();
            self.window.profile = Some(profile);
        }
    }

    /// Selects a word in the middle of what the view shows and tags it as an event.
    fn select_word_in_view(&mut self) {
        let Some(range) = self.panels.view.visible_range(self.current) else {
            return;
        };
        let Some(doc) = self
            .session
            .as_ref()
            .and_then(|s| s.project().doc(self.current))
        else {
            return;
        };
        let from = crate::model::text::ceil_char_boundary(&doc.text, range.start + range.len() / 2);
        let end = crate::model::text::next_grapheme(&doc.text, from);
        if let Some(word) = crate::model::text::snap_to_words(&doc.text, from..end) {
            self.selection = Selection::Text(word);
            self.commands.push(Command::ApplyLabel("event".to_owned()));
        }
    }
}
