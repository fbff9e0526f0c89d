//! An open project: the model, its undo history, the file it lives in, and whether it has
//! unsaved changes. Shared by the window and the tests; no egui here.

use crate::model::{Edit, EditError, History, Project};
use crate::persist::{self, Problem};
use std::path::{Path, PathBuf};

pub struct Session {
    pub project: Project,
    pub history: History,
    /// Where the project is saved; `None` until the first Save As.
    pub path: Option<PathBuf>,
    /// History version at the last save (or load).
    saved_version: u64,
    /// Name recorded on new spans.
    pub annotator: Option<String>,
}

impl Session {
    pub fn new(project: Project, path: Option<PathBuf>) -> Self {
        let history = History::default();
        let saved_version = history.version();
        Self {
            project,
            history,
            path,
            saved_version,
            annotator: None,
        }
    }

    pub fn open(path: &Path) -> Result<(Self, Vec<Problem>), persist::LoadError> {
        let loaded = persist::load_project(path)?;
        Ok((
            Self::new(loaded.project, Some(path.to_owned())),
            loaded.warnings,
        ))
    }

    /// Applies an edit through the history (so it can be undone).
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.history.apply(&mut self.project, edit)
    }

    pub fn undo(&mut self) -> Option<Result<Edit, EditError>> {
        self.history.undo(&mut self.project)
    }

    pub fn redo(&mut self) -> Option<Result<Edit, EditError>> {
        self.history.redo(&mut self.project)
    }

    /// True when the project differs from the file on disk (or was never saved).
    pub fn is_dirty(&self) -> bool {
        self.path.is_none() || self.history.version() != self.saved_version
    }

    /// Saves to `path` (or the current path) atomically, and remembers it.
    pub fn save(&mut self, path: Option<&Path>) -> Result<PathBuf, Problem> {
        let target = match (path, &self.path) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) => p.clone(),
            (None, None) => {
                return Err(Problem::new(
                    persist::ProblemKind::Io,
                    Path::new(&self.project.name),
                    "this project has no file yet; use Save As",
                ));
            }
        };
        persist::save_project(&self.project, &target)?;
        self.path = Some(target.clone());
        self.saved_version = self.history.version();
        Ok(target)
    }

    /// The window title: project name, file and an unsaved-changes marker.
    pub fn title(&self) -> String {
        let marker = if self.is_dirty() { "● " } else { "" };
        let file = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| format!(" ({})", n.to_string_lossy()))
            .unwrap_or_default();
        format!("{marker}{}{file} — Marginalia", self.project.name)
    }
}
