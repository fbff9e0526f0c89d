//! What every panel and tool window sees of the app, and the two shapes they come in.
//!
//! Each panel is a struct that owns its state (filters, caches, scroll positions) and draws
//! itself from a [`PanelContext`]: docked panels with `ui(&mut self, ui, cx, out)`, tool
//! windows with `show(&mut self, ctx, cx, out)`. A panel never changes the project: it
//! pushes [`Command`](crate::ui::commands::Command)s into `out`, which the app handles once
//! the frame is drawn (`app/command_handling.rs`).

use crate::model::{DocId, Document, Project};
use crate::session::Session;
use crate::ui::selection::Selection;

/// The open session and where the user is in it, read-only.
pub struct PanelContext<'a> {
    pub session: &'a Session,
    /// The document shown.
    pub doc: DocId,
    pub selection: &'a Selection,
    /// The passage the user looks at: the suggestion under review, else the selection.
    pub passage: Option<std::ops::Range<usize>>,
}

impl PanelContext<'_> {
    pub fn project(&self) -> &Project {
        self.session.project()
    }

    /// The document shown, if it exists.
    pub fn document(&self) -> Option<&Document> {
        self.session.project().doc(self.doc)
    }

    /// The session's version: panels key their caches on it.
    pub fn version(&self) -> u64 {
        self.session.version()
    }
}
