//! Keeping work safe while the window is open: the journal reaches the disk within a second
//! of an edit, and a project with changes is saved by itself every few minutes, once the
//! user pauses for a moment.

use super::MarginaliaApp;
use std::time::{Duration, Instant};

/// How often a project with changes is saved by itself. The journal already keeps every
/// edit; the periodic save keeps the journal short and the file itself current.
pub const DEFAULT_AUTOSAVE_SECONDS: u64 = 120;

/// A save never interrupts typing: it waits for this much quiet.
const QUIET: Duration = Duration::from_secs(2);

/// The autosave clock: the history version seen last frame, when it changed, and when the
/// project was last saved (by hand or automatically).
pub(super) struct Autosave {
    seen_version: u64,
    changed_at: Instant,
    pub(super) saved_at: Instant,
}

impl Default for Autosave {
    fn default() -> Self {
        Self {
            seen_version: 0,
            changed_at: Instant::now(),
            saved_at: Instant::now(),
        }
    }
}

impl MarginaliaApp {
    /// Every frame: syncs the journal, says when it cannot be written, and saves a project
    /// with changes when it is due.
    pub(super) fn keep_work_safe(&mut self, ctx: &egui::Context) {
        let Some(session) = &mut self.session else {
            return;
        };
        session.sync_journal();
        if let Some(p) = session.take_journal_problem() {
            self.say(format!(
                "The journal could not be written ({p}); save often until this is fixed."
            ));
        }
        let Some(session) = &self.session else {
            return;
        };
        let clock = &mut self.autosave;
        let version = session.version();
        if version != clock.seen_version {
            clock.seen_version = version;
            clock.changed_at = Instant::now();
        }
        if !session.is_dirty() {
            clock.saved_at = Instant::now();
            return;
        }
        if session.path().is_none() {
            return;
        }
        // Keep frames coming while a sync or a save is due, even if the user is idle.
        ctx.request_repaint_after(Duration::from_millis(500));
        let every = Duration::from_secs(self.prefs.autosave_seconds);
        let due = self.prefs.autosave_seconds > 0
            && session.recovery().is_none()
            && self.dialog.is_none()
            && clock.saved_at.elapsed() >= every
            && clock.changed_at.elapsed() >= QUIET;
        if due {
            self.save();
            self.autosave.saved_at = Instant::now();
            if !self.is_dirty() {
                self.say("Saved automatically.");
            }
        }
    }
}
