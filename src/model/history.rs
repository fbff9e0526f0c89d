//! Unlimited undo and redo, built from the inverses that [`Project::apply`] returns.
//!
//! Each state of the project gets a version number; the file on disk remembers the version
//! it was saved at, so undoing back to the saved state clears the unsaved-changes marker.

use crate::model::edit::{Edit, EditError};
use crate::model::project::Project;

#[derive(Debug)]
struct Step {
    /// The edit that moves the project from `after` back to `before` (on the undo stack) or
    /// from `before` to `after` (on the redo stack).
    edit: Edit,
    before: u64,
    after: u64,
    description: String,
}

/// The undo and redo stacks of one editing session.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// Version of the current state.
    current: u64,
    /// Last version handed out; versions are never reused, so a branch after undo never
    /// collides with the saved version of another branch.
    last: u64,
}

impl History {
    /// Applies an edit, records its inverse and forgets the redo stack.
    pub fn apply(&mut self, project: &mut Project, edit: Edit) -> Result<(), EditError> {
        let description = edit.describe();
        let inverse = project.apply(edit)?;
        self.last += 1;
        let step = Step {
            edit: inverse,
            before: self.current,
            after: self.last,
            description,
        };
        self.current = self.last;
        self.redo.clear();
        self.undo.push(step);
        Ok(())
    }

    /// Applies an edit that follows from the last step rather than being a step of its own
    /// (a model retrained after an acceptance refreshing its pending suggestions): undoing
    /// the last step undoes this too, and `Ctrl+Z` never lands on a change the user did not
    /// make. With no step to join, it is a step of its own.
    pub fn apply_joined(&mut self, project: &mut Project, edit: Edit) -> Result<(), EditError> {
        if self.undo.is_empty() {
            return self.apply(project, edit);
        }
        let inverse = project.apply(edit)?;
        self.last += 1;
        if let Some(top) = self.undo.last_mut() {
            // Undo takes this edit back first, then the step it joined.
            let earlier = std::mem::replace(&mut top.edit, Edit::Batch(Vec::new()));
            top.edit = Edit::Batch(vec![inverse, earlier]);
            top.after = self.last;
        }
        self.current = self.last;
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last step; returns the edit that was applied to do it.
    pub fn undo(&mut self, project: &mut Project) -> Option<Result<Edit, EditError>> {
        let step = self.undo.pop()?;
        Some(self.replay(project, step, false))
    }

    /// Redoes the last undone step; returns the edit that was applied to do it.
    pub fn redo(&mut self, project: &mut Project) -> Option<Result<Edit, EditError>> {
        let step = self.redo.pop()?;
        Some(self.replay(project, step, true))
    }

    fn replay(
        &mut self,
        project: &mut Project,
        step: Step,
        forward: bool,
    ) -> Result<Edit, EditError> {
        let applied = step.edit.clone();
        match project.apply(step.edit) {
            Ok(inverse) => {
                let moved = Step {
                    edit: inverse,
                    ..step
                };
                if forward {
                    self.current = moved.after;
                    self.undo.push(moved);
                } else {
                    self.current = moved.before;
                    self.redo.push(moved);
                }
                Ok(applied)
            }
            Err(e) => {
                // Cannot happen while all changes go through `apply`; drop the history rather
                // than leave it pointing at states that no longer exist.
                self.undo.clear();
                self.redo.clear();
                Err(e)
            }
        }
    }

    /// The version of the current state, to compare with the version last saved.
    pub fn version(&self) -> u64 {
        self.current
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// What Undo would undo, for menus.
    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.description.as_str())
    }

    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.description.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::project::{DocId, DocSource, Document, Status};
    use crate::model::schema::Schema;

    fn project() -> Project {
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            crate::model::TextHash::of(""),
            "Kamala Harris said".into(),
        );
        Project::new("t".into(), Schema::default(), vec![doc])
    }

    fn add_harris(p: &mut Project, h: &mut History) {
        let span = p.make_span(DocId(0), 7, 13, "speaker").unwrap();
        h.apply(
            p,
            Edit::AddSpan {
                doc: DocId(0),
                span,
            },
        )
        .unwrap();
    }

    /// A joined edit is undone and redone with the step it follows, and is a step of its own
    /// only when there is none.
    #[test]
    fn a_joined_edit_goes_with_the_last_step() {
        let mut p = project();
        let mut h = History::default();
        let status = |status| Edit::SetStatus {
            doc: DocId(0),
            status,
        };
        h.apply_joined(&mut p, status(Status::Done)).unwrap();
        assert!(h.can_undo(), "nothing to join: a step of its own");
        h.undo(&mut p).unwrap().unwrap();
        add_harris(&mut p, &mut h);
        let before = h.version();
        h.apply_joined(&mut p, status(Status::InProgress)).unwrap();
        assert_ne!(h.version(), before, "a new state");
        h.undo(&mut p).unwrap().unwrap();
        assert!(p.documents[0].spans().is_empty());
        assert_eq!(p.documents[0].status, Status::New);
        assert!(!h.can_undo());
        h.redo(&mut p).unwrap().unwrap();
        assert_eq!(p.documents[0].spans().len(), 1);
        assert_eq!(p.documents[0].status, Status::InProgress);
    }

    #[test]
    fn undo_and_redo_without_limit() {
        let mut p = project();
        let mut h = History::default();
        for status in [Status::InProgress, Status::Done, Status::New].repeat(100) {
            h.apply(
                &mut p,
                Edit::SetStatus {
                    doc: DocId(0),
                    status,
                },
            )
            .unwrap();
        }
        add_harris(&mut p, &mut h);
        assert_eq!(p.documents[0].spans().len(), 1);
        let mut undone = 0;
        while let Some(r) = h.undo(&mut p) {
            r.unwrap();
            undone += 1;
        }
        assert_eq!(undone, 301);
        assert_eq!(p.documents[0].status, Status::New);
        assert!(p.documents[0].spans().is_empty());
        while let Some(r) = h.redo(&mut p) {
            r.unwrap();
        }
        assert_eq!(p.documents[0].spans().len(), 1);
        assert_eq!(p.documents[0].status, Status::New);
    }

    #[test]
    fn versions_track_the_saved_state_across_undo() {
        let mut p = project();
        let mut h = History::default();
        let saved = h.version();
        add_harris(&mut p, &mut h);
        assert_ne!(h.version(), saved);
        h.undo(&mut p).unwrap().unwrap();
        assert_eq!(h.version(), saved, "undo back to the saved state is clean");
        h.redo(&mut p).unwrap().unwrap();
        let after_add = h.version();
        h.undo(&mut p).unwrap().unwrap();
        // A new edit on another branch must not look like the redone state.
        h.apply(
            &mut p,
            Edit::SetStatus {
                doc: DocId(0),
                status: Status::Done,
            },
        )
        .unwrap();
        assert_ne!(h.version(), after_add);
        assert!(!h.can_redo(), "a new edit forgets the redo stack");
        assert_eq!(h.undo_description(), Some("mark done"));
    }
}
