//! Keeping work safe while the window is open: the journal reaches the disk within a second
//! of an edit (a journal that cannot be written is said once in a dialog, and retried with
//! every edit), a project with changes is saved by itself every few minutes once the user
//! pauses for a moment, and a file changed by another program is noticed within seconds
//! (reloaded at once when this window has no changes, asked about when it has).

use super::MarginaliaApp;
use std::time::{Duration, Instant};

/// How often a project with changes is saved by itself. The journal already keeps every
/// edit; the periodic save keeps the journal short and the file itself current.
pub const DEFAULT_AUTOSAVE_SECONDS: u64 = 120;

/// A save never interrupts typing: it waits for this much quiet.
const QUIET: Duration = Duration::from_secs(2);
/// How often the project file is looked at for changes made by another program.
const DISK_CHECK: Duration = Duration::from_secs(2);

/// The autosave clock: the history version seen last frame, when it changed, and when the
/// project was last saved (by hand or automatically).
pub(super) struct Autosave {
    seen_version: u64,
    changed_at: Instant,
    pub(super) saved_at: Instant,
    disk_checked_at: Instant,
    /// The journal failure was shown in a dialog (once, until the journal works again).
    journal_warned: bool,
}

impl Default for Autosave {
    fn default() -> Self {
        Self {
            seen_version: 0,
            changed_at: Instant::now(),
            saved_at: Instant::now(),
            disk_checked_at: Instant::now(),
            journal_warned: false,
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
        let journal_ok = session.journal_ok();
        if let Some(p) = session.take_journal_problem() {
            self.journal_failed(&p);
        } else if journal_ok {
            self.autosave.journal_warned = false;
        }
        // What a save (the user's or autosave's) did to the team's file.
        if let Some(note) = self.session.as_mut().and_then(|s| s.take_team_note()) {
            self.say(note);
        }
        self.watch_disk(ctx);
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
        if due && !self.window.profiling {
            self.save();
            self.autosave.saved_at = Instant::now();
            if !self.is_dirty() {
                self.say("Saved automatically.");
            }
        }
    }

    /// A journal that cannot be written: a dialog the first time (the status bar after
    /// that), and the next edit tries again with every change since the save.
    fn journal_failed(&mut self, p: &crate::persist::Problem) {
        if self.autosave.journal_warned || self.dialog.is_some() {
            self.say(format!(
                "The journal still cannot be written ({p}); save often until this is fixed."
            ));
            return;
        }
        self.autosave.journal_warned = true;
        self.show_error(
            "The journal cannot be written",
            &format!(
                "{p}\n\nYour changes are kept in this window, and Marginalia tries again \
                 with every edit. Until it succeeds, a crash would lose what was not saved: \
                 save (Ctrl+S) to keep your work."
            ),
        );
    }

    /// Every few seconds, and when the window gets the focus: has another program written
    /// the project file? Without changes here it is reloaded at once; with changes, the
    /// user chooses.
    fn watch_disk(&mut self, ctx: &egui::Context) {
        if self.session.as_ref().is_some_and(|s| s.path().is_some()) {
            // A frame now and then even when idle, to look.
            ctx.request_repaint_after(DISK_CHECK);
        }
        let focused = ctx.input(|i| {
            i.events
                .iter()
                .any(|e| matches!(e, egui::Event::WindowFocused(true)))
        });
        if self.dialog.is_some()
            || !(focused || self.autosave.disk_checked_at.elapsed() >= DISK_CHECK)
        {
            return;
        }
        self.autosave.disk_checked_at = Instant::now();
        let Some(session) = &mut self.session else {
            return;
        };
        if !session.check_disk() {
            return;
        }
        if session.is_dirty() {
            self.ask_changed_on_disk();
        } else {
            self.reload();
        }
        ctx.request_repaint();
    }
}
