//! The learned suggester in the window: once it has run (or "Keep learning" is ticked in the
//! Review tab), every change to what the annotators decided retrains it in the background,
//! a moment after the last change, and its pending suggestions are brought up to date.
//!
//! Nothing of it runs on the UI thread but a copy of the project (documents share their
//! annotations copy-on-write: 0.35 ms for 1,000 articles) and, when a model comes back,
//! applying the edit that refreshes its suggestions (built on the thread too, unless the
//! project changed meanwhile). That edit joins the user's last step
//! ([`crate::session::Session::apply_joined`]): `Ctrl+Z` undoes the acceptance together with
//! the refresh it caused, never a change the user did not make. A large project gets a
//! one-pass model first, so that suggestions show within a couple of seconds.

use super::MarginaliaApp;
use crate::suggest::Proposal;
use crate::suggest::learned::{self, Origin, Trained};
use crate::ui::background::Task;
use std::time::{Duration, Instant};

/// How long after the last change the model retrains: long enough that a run of quick
/// decisions trains once, short enough that the next suggestions already know them.
const SETTLE: Duration = Duration::from_millis(1200);

/// What a round trained, and what its model proposes.
struct Learned {
    trained: Trained,
    proposals: Vec<Proposal>,
    /// Cached, trained now, or the quick one-pass model (the full one to follow).
    origin: Origin,
    /// The refresh of the pending suggestions, built on the copy the round started from
    /// (building it for 12,000 suggestions takes 14 ms: not on the UI thread), and the id the
    /// copy would hand out next.
    refresh: Option<crate::model::Edit>,
    /// The copy's next id before and after building the refresh.
    ids: (u64, u64),
}

/// What a background round returns: `None` when what the model learns from had not changed.
type Round = Result<Option<Learned>, String>;

#[derive(Default)]
pub(super) struct Learning {
    /// Retrain after changes.
    pub on: bool,
    /// What the current model was trained on, and the wall-clock time it was trained.
    pub trained: Option<(Trained, String)>,
    pub error: Option<String>,
    /// Where the current model came from.
    pub origin: Option<Origin>,
    task: Option<Task<Round>>,
    /// The project version the last round started from, and the one waiting to settle
    /// with the moment it was first seen.
    started_from: Option<u64>,
    settling: Option<(u64, Instant)>,
}

impl Learning {
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    /// The line the Review tab shows.
    pub fn summary(&self) -> Option<String> {
        use crate::model::text::plural;
        let (t, at) = self.trained.as_ref()?;
        let rejections = if t.rejections > 0 {
            format!(" and {}", plural(t.rejections, "rejection", "rejections"))
        } else {
            String::new()
        };
        let took = if t.millis < 1000 {
            format!("{} ms", t.millis)
        } else {
            format!("{:.1} s", t.millis as f64 / 1000.0)
        };
        let first = if self.origin == Some(Origin::Quick) {
            "; a first pass, the full model is training"
        } else {
            ""
        };
        let when = if self.origin == Some(Origin::Cached) {
            format!("read from its cache at {at}, trained")
        } else {
            format!("trained at {at}")
        };
        Some(format!(
            "Learned model: {when} on {}{rejections} in {} ({took}{first})",
            plural(t.spans, "span", "spans"),
            plural(t.documents, "document", "documents"),
        ))
    }

    /// Forgets the model and stops (another project was opened).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// The time of day, `HH:MM:SS` (UTC: the window has no time zone database).
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

impl MarginaliaApp {
    /// Starts learning: now, and again after each change.
    pub(super) fn keep_learning(&mut self, on: bool) {
        self.learning.on = on;
        self.learning.started_from = None;
        self.learning.settling = None;
        if on {
            self.learning.error = None;
        }
    }

    /// Once per frame: takes a finished round's result, and starts a round when the project
    /// changed and has settled.
    pub(super) fn learning_tick(&mut self, ctx: &egui::Context) {
        if let Some(task) = &self.learning.task
            && let Some(result) = task.poll()
        {
            self.learning.task = None;
            self.learned(result);
        }
        let Some(session) = &self.session else {
            return;
        };
        if !self.learning.on || self.learning.task.is_some() || session.read_only().is_some() {
            return;
        }
        let version = session.version();
        if self.learning.started_from == Some(version) {
            return;
        }
        let now = Instant::now();
        let since = match self.learning.settling {
            Some((v, at)) if v == version => at,
            _ => {
                self.learning.settling = Some((version, now));
                // The very first round (just switched on) need not wait.
                if self.learning.started_from.is_some() {
                    ctx.request_repaint_after(SETTLE);
                    return;
                }
                now - SETTLE
            }
        };
        if now.duration_since(since) < SETTLE {
            ctx.request_repaint_after(SETTLE - now.duration_since(since));
            return;
        }
        self.learning.started_from = Some(version);
        let project = session.project().clone();
        let file = session.path().map(std::path::Path::to_owned);
        let previous = self.learning.trained.as_ref().map(|(t, _)| t.fingerprint);
        let first = self.learning.trained.is_none();
        self.learning.task = Some(Task::spawn(ctx, "Learning…", move || {
            let print = learned::fingerprint(&project);
            if previous == Some(print) {
                return Ok(None);
            }
            let cancel = std::sync::atomic::AtomicBool::new(false);
            let control = crate::suggest::Control::none(&cancel);
            // The window's first model on a large project is the quick one.
            let (model, origin) =
                learned::model_for(&project, file.as_deref(), print, first, &control)?;
            let proposals = learned::suggest(&project, &model, &control);
            let before = project.next_span_id();
            let refresh = learned::refresh_edit(&project, &proposals);
            Ok(Some(Learned {
                trained: model.trained,
                proposals,
                origin,
                refresh,
                ids: (before, project.next_span_id()),
            }))
        }));
    }

    fn learned(&mut self, result: Round) {
        if !self.learning.on {
            // Switched off while it trained: its suggestions are not wanted.
            return;
        }
        match result {
            Ok(None) => {}
            Ok(Some(Learned {
                trained,
                proposals,
                origin,
                refresh,
                ids: (before, after),
            })) => {
                self.learning.error = None;
                self.learning.trained = Some((trained, clock()));
                self.learning.origin = Some(origin);
                let started_from = self.learning.started_from;
                if origin == Origin::Quick {
                    // The full model next, at once.
                    self.learning.started_from = None;
                    self.learning.settling = None;
                }
                let Some(session) = self.session.as_mut() else {
                    return;
                };
                // Built on the copy: good as it is if nothing changed since (same state, no id
                // handed out meanwhile); otherwise built again against the project as it is.
                let unchanged = Some(session.version()) == started_from
                    && session.project().next_span_id() == before;
                let refresh = if unchanged {
                    session.project().reserve_span_ids(after);
                    refresh
                } else {
                    learned::refresh_edit(session.project(), &proposals)
                };
                if let Some(edit) = refresh
                    && let Err(e) = session.apply_joined(edit)
                {
                    self.learning.error = Some(e.to_string());
                }
            }
            Err(e) => {
                // Nothing to learn yet is not a failure: it says what to do.
                self.learning.error = Some(e);
            }
        }
    }
}
