//! Applying edits, undo and redo. Every change the window makes goes through
//! [`MarginaliaApp::edit`], which hands it to [`crate::session::Session::apply`]: the
//! history, the journal and the unsaved-changes marker all follow from there.

use super::MarginaliaApp;
use crate::model::{Edit, Span};
use crate::ui::selection::Selection;

impl MarginaliaApp {
    /// Applies an edit through the history; reports a refusal in the status bar.
    pub(super) fn edit(&mut self, edit: Edit) -> bool {
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        match session.apply(edit) {
            Ok(()) => true,
            Err(e) => {
                self.say(format!("Not done: {e}"));
                false
            }
        }
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        // Named as the user made it ("add speaker “Harris”"), not as the inverse that
        // undoes it ("delete span").
        let history = session.history();
        let description = if undo {
            history.undo_description()
        } else {
            history.redo_description()
        }
        .map(str::to_owned);
        let (result, verb) = if undo {
            (session.undo(), "Undid")
        } else {
            (session.redo(), "Redid")
        };
        let Some(result) = result else {
            self.say(if undo {
                "Nothing to undo"
            } else {
                "Nothing to redo"
            });
            return;
        };
        match result {
            Ok(edit) => {
                // Show what changed: the document, and the span if it still exists.
                let description = description.unwrap_or_else(|| edit.describe());
                if let Some((doc, span)) = edit.focus() {
                    self.go_to(doc);
                    let key = span.and_then(|id| {
                        self.session
                            .as_ref()?
                            .project()
                            .doc(doc)?
                            .span_by_id(id)
                            .map(Span::key)
                    });
                    self.selection = key.map_or(Selection::None, Selection::Span);
                    if let Some(k) = key {
                        self.panels.view.reveal(k.start);
                        self.panels.spans.reveal();
                    }
                }
                self.say(format!("{verb}: {description}"));
            }
            Err(e) => self.say(format!("Undo history was reset: {e}")),
        }
    }
}
