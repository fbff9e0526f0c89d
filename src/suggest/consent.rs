//! Consent to run a project's suggestion command, remembered per machine.
//!
//! A project file travels (mail, git); the command in it is whatever its author wrote. So
//! the command runs only once the user of *this* machine has allowed exactly that command
//! for exactly that project file, and the answer lives in the user's data folder, never in
//! the project: a project cannot grant itself permission. Changing the command, or moving
//! the project, asks again.

use crate::persist::atomic::write_atomic;
use crate::persist::paths::normalize;
use crate::persist::{Problem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The commands allowed on this machine, as stored in its consent file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "Consent")]
pub struct Consent {
    allowed: Vec<Allowed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Allowed {
    /// The project file, absolute.
    project: PathBuf,
    /// The command exactly as the project had it when it was allowed.
    command: String,
}

impl Consent {
    /// Where this machine keeps its consents: the app's data folder, beside the window's own
    /// preferences (`~/.local/share/marginalia` on Linux).
    pub fn machine_file() -> Option<PathBuf> {
        eframe::storage_dir("marginalia").map(|d| d.join("command-consent.ron"))
    }

    /// Reads a consent file; a missing one allows nothing. A damaged one is an error (and is
    /// not overwritten by [`Consent::grant`]), because guessing would either lose the user's
    /// answers or run commands nobody allowed.
    pub fn load(file: &Path) -> Result<Self, Problem> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Problem::io(file, &e)),
        };
        ron::from_str(&text).map_err(|e| {
            Problem::new(
                ProblemKind::Syntax,
                file,
                format!("the list of allowed commands cannot be read: {e}"),
            )
            .at_line(Some(e.span.start.line))
        })
    }

    /// Whether `command` may run for the project saved at `project`.
    pub fn allows(&self, project: &Path, command: &str) -> bool {
        let project = normalize(project);
        self.allowed
            .iter()
            .any(|a| a.project == project && a.command == command)
    }

    /// Records that `command` may run for `project` on this machine, in `file` (atomically).
    pub fn grant(file: &Path, project: &Path, command: &str) -> Result<(), Problem> {
        let mut consent = Self::load(file)?;
        let project = normalize(project);
        // One command per project: allowing a new one forgets the old.
        consent.allowed.retain(|a| a.project != project);
        consent.allowed.push(Allowed {
            project,
            command: command.to_owned(),
        });
        let text = ron::ser::to_string_pretty(&consent, ron::ser::PrettyConfig::new())
            .map_err(|e| Problem::new(ProblemKind::Io, file, e.to_string()))?;
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Problem::io(dir, &e))?;
        }
        write_atomic(file, text.as_bytes()).map_err(|e| Problem::io(file, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_is_for_one_command_of_one_project() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data/consent.ron");
        let a = dir.path().join("a.ron");
        let b = dir.path().join("b.ron");
        assert!(!Consent::load(&file).unwrap().allows(&a, "echo"));
        Consent::grant(&file, &a, "echo").unwrap();
        let c = Consent::load(&file).unwrap();
        assert!(c.allows(&a, "echo"));
        assert!(
            !c.allows(&a, "echo; rm -rf ~"),
            "a changed command asks again"
        );
        assert!(!c.allows(&b, "echo"), "another project asks again");
        Consent::grant(&file, &a, "echo 2").unwrap();
        let c = Consent::load(&file).unwrap();
        assert!(c.allows(&a, "echo 2") && !c.allows(&a, "echo"));
    }

    #[test]
    fn a_damaged_consent_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("consent.ron");
        std::fs::write(&file, "Consent(allowed: [oops").unwrap();
        let e = Consent::load(&file).unwrap_err();
        assert!(e.to_string().contains("consent.ron:1"), "{e}");
        assert!(Consent::grant(&file, &dir.path().join("a.ron"), "x").is_err());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "Consent(allowed: [oops"
        );
    }
}
