//! The learned suggester from the command line, on real data: one annotator's files of
//! bratiaa's example project (seven CoNLL-2002 Spanish news documents with PER, LOC, ORG and
//! MISC; MIT, see `tests/fixtures/brat/README.md`).

use marginalia::model::Review;
use marginalia::persist;
use std::path::PathBuf;

mod common;

fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("marginalia").unwrap()
}

fn run_ok(args: &[&std::ffi::OsStr]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Lisa's seven documents, imported into a project in a fresh folder.
fn lisa() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = common::bratiaa_lisa(dir.path());
    (dir, project)
}

#[test]
fn suggest_with_learned_trains_caches_and_proposes_on_real_news() {
    let (_dir, project) = lisa();
    let out = run_ok(&[
        "suggest".as_ref(),
        project.as_os_str(),
        "--with".as_ref(),
        "learned".as_ref(),
    ]);
    assert!(out.contains("7 documents the model learned from"), "{out}");
    assert!(out.contains("milliseconds training"), "{out}");
    let cache = project.with_extension("learned");
    assert!(cache.exists(), "the model is kept beside the project");
    let p = persist::load_project(&project).unwrap().project;
    let learned: Vec<_> = p
        .documents
        .iter()
        .flat_map(|d| d.suggestions())
        .filter(|s| s.source == "learned")
        .collect();
    assert!(!learned.is_empty());
    for s in &learned {
        let score = s.score.unwrap().0;
        assert!((0.0..=1.0).contains(&score));
        assert_eq!(s.review, Review::Pending);
        assert!(p.schema.label(&s.label).is_some());
    }
    // Nothing it proposes is already a span of its label there.
    for d in &p.documents {
        for s in d.suggestions() {
            assert!(
                !d.spans_overlapping(s.start, s.end)
                    .iter()
                    .any(|x| x.label == s.label),
                "{s:?}"
            );
        }
    }

    // Again: the cached model is used (no training), and nothing changes.
    let before = std::fs::read(&project).unwrap();
    let out = run_ok(&[
        "suggest".as_ref(),
        project.as_os_str(),
        "--with".as_ref(),
        "learned".as_ref(),
    ]);
    assert!(!out.contains("milliseconds training"), "{out}");
    assert_eq!(std::fs::read(&project).unwrap(), before);

    // A broken cache is not an error: the model is trained again.
    std::fs::write(&cache, b"not a model").unwrap();
    let out = run_ok(&[
        "suggest".as_ref(),
        project.as_os_str(),
        "--with".as_ref(),
        "learned".as_ref(),
    ]);
    assert!(out.contains("milliseconds training"), "{out}");
}

#[test]
fn evaluate_reports_per_label_scores_a_learning_curve_and_calibration() {
    let (dir, project) = lisa();
    let before = std::fs::read(&project).unwrap();
    let json = dir.path().join("eval.json");
    let out = run_ok(&[
        "suggest".as_ref(),
        project.as_os_str(),
        "--with".as_ref(),
        "learned".as_ref(),
        "--evaluate".as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    for want in [
        "PER",
        "LOC",
        "ORG",
        "MISC",
        "Learning curve",
        "calibration error",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert_eq!(
        std::fs::read(&project).unwrap(),
        before,
        "evaluation changes nothing"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        v["train_documents"].as_u64().unwrap() + v["test_documents"].as_u64().unwrap(),
        7
    );
    assert_eq!(v["curve"].as_array().unwrap().len(), 4);
    let per = v["labels"].as_array().unwrap();
    let person = per.iter().find(|l| l["label"] == "PER").unwrap();
    // Names of people are what six short documents teach best.
    assert!(person["exact"]["f1"].as_f64().unwrap() > 0.5, "{person}");

    // Only the learned suggester can be evaluated; the error says so and exits non-zero.
    let out = bin()
        .args(["suggest".as_ref(), project.as_os_str()])
        .args(["--with", "quotes", "--evaluate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--with learned"));
}
