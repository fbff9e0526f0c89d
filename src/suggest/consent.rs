//! Consent to run a project's suggestion command, remembered per machine.
//!
//! A project file travels (mail, git); the command in it is whatever its author wrote. So
//! the command runs only once the user of *this* machine has allowed exactly that command
//! for exactly that project file, and the answer lives in the user's data folder, never in
//! the project: a project cannot grant itself permission. What is allowed is a [`Subject`]:
//! the command, the project file, the corpus files the project would send to the command's
//! input, and the content of every file in the project's folder that the command names (a
//! script). Changing any of them asks again: a script replaced, or a project file swapped
//! for one whose corpus is someone's secrets, is not what the user allowed.

use crate::model::{DocSource, Project};
use crate::persist::atomic::write_atomic;
use crate::persist::corpus::{hash_bytes, hash_text};
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
    /// The corpus files the project read, as a hash of their paths (consents written
    /// before this existed match nothing: they are asked again once).
    #[serde(default)]
    corpus: String,
    /// Files in the project's folder the command names, with the hash of their content.
    #[serde(default)]
    scripts: Vec<(PathBuf, String)>,
}

/// What a consent is about: run this command for this project file, which reads these
/// corpus files, with these scripts as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    project: PathBuf,
    command: String,
    corpus: String,
    scripts: Vec<(PathBuf, String)>,
}

impl Subject {
    /// The subject of running `command` for `project`, saved at `path`.
    pub fn of(path: &Path, project: &Project, command: &str) -> Self {
        let path = normalize(path);
        let dir = path.parent().map(Path::to_owned).unwrap_or_default();
        let mut corpus: Vec<String> = project
            .documents
            .iter()
            .map(|d| match &d.source {
                DocSource::TextFile(p) => p.display().to_string(),
                DocSource::JsonlLine { path, line } => format!("{}:{line}", path.display()),
            })
            .collect();
        corpus.sort_unstable();
        corpus.dedup();
        Self {
            project: path,
            command: command.to_owned(),
            corpus: hash_text(&corpus.join("\n")).to_string(),
            scripts: scripts_named(command, &dir),
        }
    }
}

/// The files in `dir` (the project's folder) that `command` names, with the hash of their
/// content: what the command runs besides programs installed on the machine.
fn scripts_named(command: &str, dir: &Path) -> Vec<(PathBuf, String)> {
    let real_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mut out: Vec<(PathBuf, String)> = command
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | '(' | ')'))
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
        .filter(|w| !w.is_empty())
        .filter_map(|w| {
            let real = std::fs::canonicalize(dir.join(w)).ok()?;
            let bytes = real
                .starts_with(&real_dir)
                .then(|| std::fs::read(&real).ok())
                .flatten()?;
            Some((real, hash_bytes(&bytes)))
        })
        .collect();
    out.sort();
    out.dedup();
    out
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

    /// Whether this machine's user allowed exactly `subject`.
    pub fn allows(&self, subject: &Subject) -> bool {
        self.allowed.iter().any(|a| {
            a.project == subject.project
                && a.command == subject.command
                && a.corpus == subject.corpus
                && a.scripts == subject.scripts
        })
    }

    /// Records that `subject` may run on this machine, in `file` (atomically).
    pub fn grant(file: &Path, subject: &Subject) -> Result<(), Problem> {
        let mut consent = Self::load(file)?;
        // One command per project: allowing a new one forgets the old.
        consent.allowed.retain(|a| a.project != subject.project);
        consent.allowed.push(Allowed {
            project: subject.project.clone(),
            command: subject.command.clone(),
            corpus: subject.corpus.clone(),
            scripts: subject.scripts.clone(),
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

    use crate::model::{Document, Schema};

    fn project(corpus: &[&str]) -> Project {
        let docs = corpus
            .iter()
            .map(|p| {
                Document::new(
                    (*p).into(),
                    DocSource::TextFile(PathBuf::from(p)),
                    crate::model::TextHash::of(""),
                    "text".into(),
                )
            })
            .collect();
        Project::new("t".into(), Schema::default(), docs)
    }

    #[test]
    fn consent_is_for_one_command_of_one_project() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data/consent.ron");
        let a = dir.path().join("a.ron");
        let b = dir.path().join("b.ron");
        let p = project(&["/c/1.txt"]);
        let subject = |path: &Path, command: &str| Subject::of(path, &p, command);
        assert!(!Consent::load(&file).unwrap().allows(&subject(&a, "echo")));
        Consent::grant(&file, &subject(&a, "echo")).unwrap();
        let c = Consent::load(&file).unwrap();
        assert!(c.allows(&subject(&a, "echo")));
        assert!(
            !c.allows(&subject(&a, "echo; rm -rf ~")),
            "a changed command asks again"
        );
        assert!(
            !c.allows(&subject(&b, "echo")),
            "another project asks again"
        );
        Consent::grant(&file, &subject(&a, "echo 2")).unwrap();
        let c = Consent::load(&file).unwrap();
        assert!(c.allows(&subject(&a, "echo 2")) && !c.allows(&subject(&a, "echo")));
    }

    #[test]
    fn a_replaced_script_or_a_swapped_corpus_asks_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("consent.ron");
        let path = dir.path().join("p.ron");
        std::fs::write(dir.path().join("suggest.py"), "print('hello')").unwrap();
        let command = "python3 suggest.py --model small";
        let p = project(&["/c/1.txt"]);
        Consent::grant(&file, &Subject::of(&path, &p, command)).unwrap();
        let c = Consent::load(&file).unwrap();
        assert!(c.allows(&Subject::of(&path, &p, command)));
        // The project file is swapped for one that feeds another file to the command.
        let swapped = project(&["/home/me/.ssh/id_rsa"]);
        assert!(!c.allows(&Subject::of(&path, &swapped, command)));
        // The script it calls is replaced.
        std::fs::write(dir.path().join("suggest.py"), "import os; os.system('...')").unwrap();
        assert!(!c.allows(&Subject::of(&path, &p, command)));
    }

    #[test]
    fn a_damaged_consent_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("consent.ron");
        std::fs::write(&file, "Consent(allowed: [oops").unwrap();
        let e = Consent::load(&file).unwrap_err();
        assert!(e.to_string().contains("consent.ron:1"), "{e}");
        let subject = Subject::of(&dir.path().join("a.ron"), &project(&[]), "x");
        assert!(Consent::grant(&file, &subject).is_err());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "Consent(allowed: [oops"
        );
    }
}
