//! What this machine's user allowed, asked once and remembered outside the project (a
//! project file can come from anyone): running the project's suggestion command, and
//! reading corpus files outside the project's folder.

use super::MarginaliaApp;
use crate::persist::paths::normalize;
use crate::persist::{LoadError, LoadOptions, ProblemKind};
use crate::ui::dialogs::Dialog;
use std::path::Path;

impl MarginaliaApp {
    /// Whether this machine's user allowed `command` for the open project.
    pub(super) fn command_allowed(&mut self, command: &str) -> bool {
        use crate::suggest::consent::Consent;
        let (Some(file), Some(subject)) = (self.consent_file.clone(), self.subject(command)) else {
            return false;
        };
        match Consent::load(&file) {
            Ok(c) => c.allows(&subject),
            Err(e) => {
                self.show_error("Cannot read the allowed commands", &e.to_string());
                false
            }
        }
    }

    /// Remembers that `command` may run for the open project (when the project has a file
    /// and this machine a place to keep consents).
    pub(super) fn allow_command(&mut self, command: &str) {
        use crate::suggest::consent::Consent;
        if let (Some(file), Some(subject)) = (self.consent_file.clone(), self.subject(command))
            && let Err(e) = Consent::grant(&file, &subject)
        {
            self.show_error("Cannot remember the allowed command", &e.to_string());
        }
    }

    /// What running `command` for the open project means: its file, corpus and scripts.
    fn subject(&self, command: &str) -> Option<crate::suggest::consent::Subject> {
        let session = self.session.as_ref()?;
        let path = session.path()?;
        Some(crate::suggest::consent::Subject::of(
            path,
            session.project(),
            command,
        ))
    }

    /// How the window loads `path`: re-anchoring changed corpus files, and reading corpus
    /// files outside the project's folder only for the bundled demo (projects the user
    /// allowed are read again with their folders checked: see [`Self::allowed_folders`]).
    pub(super) fn load_options(&self, path: &Path) -> LoadOptions {
        let path = normalize(path);
        // The demo of this very build (not any `projects/seed-news.ron` in the current
        // folder, which could be anyone's).
        let demo = path == normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join(super::DEMO));
        LoadOptions {
            allow_outside: demo,
            ..LoadOptions::WINDOW
        }
    }

    /// The folders outside its own that the user allowed the project at `path` to read.
    pub(super) fn allowed_folders(&self, path: &Path) -> Option<Vec<std::path::PathBuf>> {
        let path = normalize(path);
        self.prefs
            .trusted_reads
            .iter()
            .find(|t| t.project == path)
            .map(|t| t.folders.clone())
    }

    /// When a load stopped only because corpus paths leave the project's folder, asks the
    /// user (true); any other failure is for the caller to show.
    pub(super) fn ask_outside(&mut self, path: &Path, e: &LoadError) -> bool {
        let outside = !e.problems.is_empty()
            && e.problems
                .iter()
                .all(|p| p.kind == ProblemKind::OutsideFolder);
        if outside {
            self.dialog = Some(Dialog::OutsideFolder {
                project: path.to_owned(),
                folders: e.problems.iter().map(|p| p.message.clone()).collect(),
            });
        }
        outside
    }

    /// Remembers that the project at `path` may read the folders outside its own that it
    /// reads now (and only those).
    pub(super) fn trust(&mut self, path: &Path) {
        let folders = crate::persist::outside_folders(path).unwrap_or_default();
        let project = normalize(path);
        self.prefs.trusted_reads.retain(|t| t.project != project);
        self.prefs
            .trusted_reads
            .push(super::TrustedReads { project, folders });
    }
}
