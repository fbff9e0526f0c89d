//! Every input a fuzz target ever crashed on, fed again to the same entry point, so a fixed
//! crash stays fixed. The crashers live in `tests/fixtures/fuzz/<target>/`, the entry points
//! in `fuzz/src/lib.rs` (shared with the fuzz targets, see fuzz/README.md). The seed inputs
//! of the fuzz targets run here too: they are small, valid files of each kind, so this also
//! checks that every entry point gets past reading into building, saving and reopening.

#[path = "../fuzz/src/lib.rs"]
mod entry;

use marginalia::persist::{LoadError, ProblemKind};
use std::path::{Path, PathBuf};

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// A refusal must say which file and, for a syntax error, where in it.
fn assert_located(target: &str, input: &Path, e: &LoadError) {
    assert!(
        !e.problems.is_empty(),
        "{target} {}: an error with no problem",
        input.display()
    );
    for p in &e.problems {
        assert!(
            !p.file.as_os_str().is_empty() && !p.message.is_empty(),
            "{target} {}: problem without a file or a message: {p:?}",
            input.display()
        );
        if p.kind == ProblemKind::Syntax {
            assert!(
                p.line.is_some(),
                "{target} {}: syntax problem without a line: {p}",
                input.display()
            );
        }
    }
}

fn run(dir: &str) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut ran = 0;
    let mut ok_targets = Vec::new();
    for (target, entry) in entry::TARGETS {
        let mut any_ok = false;
        for input in files_in(&root.join(target)) {
            let data = std::fs::read(&input).unwrap();
            // A panic here fails the test, with the file's name in the message below.
            let result = std::panic::catch_unwind(|| entry(&data)).unwrap_or_else(|_| {
                panic!("{target}: {} panics", input.display());
            });
            match result {
                Ok(()) => any_ok = true,
                Err(e) => assert_located(target, &input, &e),
            }
            ran += 1;
        }
        if any_ok {
            ok_targets.push((*target).to_owned());
        }
    }
    (ran, ok_targets)
}

#[test]
fn fuzz_crashers_no_longer_crash() {
    let (ran, _) = run("tests/fixtures/fuzz");
    assert!(ran > 0, "no crasher files in tests/fixtures/fuzz");
}

#[test]
fn fuzz_seeds_go_all_the_way() {
    let (ran, ok) = run("fuzz/seeds");
    assert!(ran > 0, "no seed files in fuzz/seeds");
    let all: Vec<String> = entry::TARGETS
        .iter()
        .map(|(t, _)| (*t).to_owned())
        .collect();
    assert_eq!(ok, all, "targets with no seed that loads or imports");
}
