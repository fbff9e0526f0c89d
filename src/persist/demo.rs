//! The demo project, built into the binary and installed on first use as an ordinary,
//! self-contained project in the user's data folder (`seed-news.ron` beside `corpus/`).
//!
//! Opened where the checkout keeps it, the demo's autosave wrote into the source tree; a copy
//! elsewhere read its corpus from outside its folder and greeted a newcomer with a security
//! question. The installed copy reads only its own folder, so the check for projects received
//! from others stays as strict as it is, and the user's work on the demo stays between runs.

use std::path::{Path, PathBuf};

/// The project file, as it is in `projects/` (its corpus paths point into `assets/`).
const PROJECT: &str = include_str!("../../projects/seed-news.ron");
/// Where the checkout's project file finds the corpus, and where the installed one does.
const CHECKOUT_CORPUS: &str = "\"../assets/corpus/";
const INSTALLED_CORPUS: &str = "\"corpus/";
const CORPUS: [(&str, &str); 3] = [
    (
        "harris-no-putin-talks-without-ukraine.txt",
        include_str!("../../assets/corpus/harris-no-putin-talks-without-ukraine.txt"),
    ),
    (
        "harris-will-not-cozy-up-to-kim.txt",
        include_str!("../../assets/corpus/harris-will-not-cozy-up-to-kim.txt"),
    ),
    (
        "progressive-lawmakers-retract-russia-letter.txt",
        include_str!("../../assets/corpus/progressive-lawmakers-retract-russia-letter.txt"),
    ),
];

/// Folder of the installed demo inside the data folder.
pub const FOLDER: &str = "demo";
pub const FILE: &str = "seed-news.ron";

/// The demo project in `data_dir`, installed there first if it is not: the corpus files,
/// then the project file (written last, atomically, so a half-installed demo is never
/// opened). An existing installation is left as it is: it may hold the user's work.
pub fn install(data_dir: &Path) -> std::io::Result<PathBuf> {
    let dir = data_dir.join(FOLDER);
    let project = dir.join(FILE);
    if project.exists() {
        return Ok(project);
    }
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    for (name, text) in CORPUS {
        super::atomic::write_atomic(&corpus.join(name), text.as_bytes())?;
    }
    let text = PROJECT.replace(CHECKOUT_CORPUS, INSTALLED_CORPUS);
    super::atomic::write_atomic(&project, text.as_bytes())?;
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::{LoadOptions, load_project_with};

    #[test]
    fn the_installed_demo_reads_only_its_own_folder_and_matches_the_checkouts() {
        let dir = tempfile::tempdir().unwrap();
        let path = install(dir.path()).unwrap();
        assert_eq!(path, dir.path().join("demo/seed-news.ron"));
        // The window's strict options: nothing outside the project's folder.
        let installed = load_project_with(&path, LoadOptions::WINDOW).unwrap();
        assert!(installed.warnings.is_empty(), "{:?}", installed.warnings);
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checkout = crate::persist::load_project(&root.join("projects/seed-news.ron")).unwrap();
        assert_eq!(
            installed.project.documents.len(),
            checkout.project.documents.len()
        );
        for (a, b) in installed
            .project
            .documents
            .iter()
            .zip(&checkout.project.documents)
        {
            assert_eq!(a.text, b.text);
            assert_eq!(a.spans(), b.spans());
            assert_eq!(a.relations(), b.relations());
        }
        // Every corpus file of the checkout's demo is built in.
        let files = std::fs::read_dir(root.join("assets/corpus"))
            .unwrap()
            .count();
        assert_eq!(files, CORPUS.len());
    }

    #[test]
    fn an_installed_demo_is_kept_with_the_users_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = install(dir.path()).unwrap();
        std::fs::write(&path, "changed by the user").unwrap();
        assert_eq!(install(dir.path()).unwrap(), path);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "changed by the user"
        );
    }
}
