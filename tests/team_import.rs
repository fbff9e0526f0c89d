//! Several annotators' work imported as a team project, on real data: bratiaa's example
//! project (seven CoNLL-2002 Spanish documents, four annotators, one folder each; MIT, see
//! `tests/fixtures/brat/README.md`). The agreement figures must be the ones bratiaa reports
//! on the same files, and the same work reached through other layouts (brat `A_ann1.ann`
//! suffixes, a Label Studio export with one annotation per annotator) must give the same.

use marginalia::formats::{self, Format};
use marginalia::model::agreement::{Agreement, Layer, agreement};
use marginalia::persist::{self, team};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brat/bratiaa")
}

/// The agreement of a team project's annotators.
fn team_agreement(team_file: &Path) -> Agreement {
    let members = team::members(team_file).unwrap();
    let projects: Vec<_> = members
        .iter()
        .map(|m| persist::load_project(m).unwrap().project)
        .collect();
    let layers: Vec<Layer<'_>> = members
        .iter()
        .zip(&projects)
        .map(|(m, project)| Layer {
            annotator: m.file_stem().unwrap().to_string_lossy().into_owned(),
            project,
        })
        .collect();
    agreement(&layers, None)
}

/// bratiaa's `instance-agreement-report.md` for this project, to its three decimals.
fn assert_bratiaas_figures(a: &Agreement) {
    assert_eq!(a.annotators, ["Lisa", "Maria", "Max", "Peter"]);
    assert_eq!(a.documents, 7);
    for (label, f1) in [
        ("LOC", 0.819),
        ("MISC", 0.840),
        ("ORG", 0.906),
        ("PER", 0.938),
    ] {
        let ours = a.labels[label].exact_f1.unwrap();
        assert!((ours - f1).abs() < 0.0005, "{label}: {ours} against {f1}");
    }
    for (doc, f1) in [
        ("esp.train-doc-100", 0.798),
        ("esp.train-doc-1400", 0.894),
        ("esp.train-doc-29", 0.906),
        ("esp.train-doc-423", 0.906),
        ("esp.train-doc-46", 0.936),
        ("esp.train-doc-503", 0.907),
        ("esp.train-doc-896", 0.873),
    ] {
        let d = a.per_document.iter().find(|d| d.id == doc).unwrap();
        let ours = d.exact_f1.unwrap();
        assert!((ours - f1).abs() < 0.0005, "{doc}: {ours} against {f1}");
        assert_eq!(d.annotators, 4);
    }
}

#[test]
fn one_folder_per_annotator_becomes_a_team_whose_agreement_is_bratiaas() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("team.ron");
    let (team_project, _, report) =
        formats::run::import_project(Format::Brat, &[fixture()], &target, None, None, None)
            .unwrap();
    assert_eq!(team_project.documents.len(), 7, "each text once");
    assert_eq!(
        team_project.span_count(),
        0,
        "the team's file holds no one's spans"
    );
    assert_eq!(report.get("annotators"), 4);
    // Every span of every annotator is in their file: 404 + 404 + 358 + 401 `T` lines.
    let spans: usize = team::members(&target)
        .unwrap()
        .iter()
        .map(|m| persist::load_project(m).unwrap().project.span_count())
        .sum();
    assert_eq!(spans, 1567);
    assert_eq!(report.get("spans"), 1567);
    assert_bratiaas_figures(&team_agreement(&target));
    // Importing again never overwrites an annotator's file.
    let again = dir.path().join("team.ron");
    std::fs::remove_file(&again).unwrap();
    let e = formats::run::import_project(Format::Brat, &[fixture()], &again, None, None, None)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("never overwritten"), "{e}");
}

#[test]
fn suffixed_ann_files_beside_one_text_are_annotators_too() {
    // text/A.txt with ann/A_Lisa.ann, ann/A_Max.ann…: the layout the issue names.
    let dir = tempfile::tempdir().unwrap();
    let (text, ann) = (dir.path().join("text"), dir.path().join("ann"));
    std::fs::create_dir_all(&text).unwrap();
    std::fs::create_dir_all(&ann).unwrap();
    for who in ["Lisa", "Maria", "Max", "Peter"] {
        for entry in std::fs::read_dir(fixture().join(who)).unwrap() {
            let p = entry.unwrap().path();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            match p.extension().and_then(|e| e.to_str()) {
                Some("txt") => {
                    std::fs::copy(&p, text.join(format!("{stem}.txt"))).unwrap();
                }
                Some("ann") => {
                    std::fs::copy(&p, ann.join(format!("{stem}_{who}.ann"))).unwrap();
                }
                _ => {}
            }
        }
    }
    let target = dir.path().join("team.ron");
    let paths = [text, ann];
    formats::run::import_project(Format::Brat, &paths, &target, None, None, None).unwrap();
    assert_bratiaas_figures(&team_agreement(&target));
}

#[test]
fn a_label_studio_task_with_one_annotation_per_annotator_is_a_team() {
    // Each annotator's work exported to Label Studio, then merged as Label Studio exports a
    // project where several people annotated each task: one `annotations` entry each, with
    // `completed_by`.
    let dir = tempfile::tempdir().unwrap();
    let brat_team = dir.path().join("brat.ron");
    formats::run::import_project(Format::Brat, &[fixture()], &brat_team, None, None, None).unwrap();
    let mut tasks: Vec<serde_json::Value> = Vec::new();
    for (n, member) in team::members(&brat_team).unwrap().iter().enumerate() {
        let project = persist::load_project(member).unwrap().project;
        let out = dir.path().join(format!("ls-{n}.json"));
        let run = formats::run::export_project(
            &project,
            Format::LabelStudio,
            &out,
            &Default::default(),
            None,
            0,
        )
        .unwrap();
        let exported: Vec<serde_json::Value> = serde_json::from_str(&run.files[0].1).unwrap();
        let who = member.file_stem().unwrap().to_string_lossy().into_owned();
        for (i, mut task) in exported.into_iter().enumerate() {
            let mut annotation = task["annotations"][0].take();
            annotation["completed_by"] =
                serde_json::json!({"id": n + 1, "email": who.clone(), "first_name": ""});
            if n == 0 {
                task["annotations"] = serde_json::json!([annotation]);
                tasks.push(task);
            } else {
                tasks[i]["annotations"]
                    .as_array_mut()
                    .unwrap()
                    .push(annotation);
            }
        }
    }
    let merged = dir.path().join("export.json");
    std::fs::write(&merged, serde_json::to_string(&tasks).unwrap()).unwrap();
    let target = dir.path().join("ls.ron");
    let (_, _, report) =
        formats::run::import_project(Format::LabelStudio, &[merged], &target, None, None, None)
            .unwrap();
    assert_eq!(report.get("annotators"), 4);
    assert_eq!(report.get("annotations not imported"), 0);
    assert_bratiaas_figures(&team_agreement(&target));
}

#[test]
fn a_label_studio_export_with_one_annotation_per_task_stays_one_project() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.json");
    let task = serde_json::json!([{
        "id": 1,
        "data": {"text": "Anna said no."},
        "annotations": [{"completed_by": 3, "result": [{
            "id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["speaker"]}
        }]}]
    }]);
    std::fs::write(&file, task.to_string()).unwrap();
    let target = dir.path().join("one.ron");
    let (p, _, _) =
        formats::run::import_project(Format::LabelStudio, &[file], &target, None, None, None)
            .unwrap();
    assert_eq!(p.span_count(), 1);
    assert!(!team::is_team(&target));
}

#[test]
fn doccano_files_one_per_user_are_a_team() {
    // doccano exports a project annotated without collaboration as one JSONL file per user.
    let dir = tempfile::tempdir().unwrap();
    let brat_team = dir.path().join("brat.ron");
    formats::run::import_project(Format::Brat, &[fixture()], &brat_team, None, None, None).unwrap();
    let mut files = Vec::new();
    for member in team::members(&brat_team).unwrap() {
        let project = persist::load_project(&member).unwrap().project;
        let who = member.file_stem().unwrap().to_string_lossy().into_owned();
        let out = dir.path().join(format!("{who}.jsonl"));
        let run = formats::run::export_project(
            &project,
            Format::Doccano,
            &out,
            &Default::default(),
            None,
            0,
        )
        .unwrap();
        formats::run::write_output(&run.files, false).unwrap();
        files.push(out);
    }
    let target = dir.path().join("doccano.ron");
    let (_, _, report) =
        formats::run::import_project(Format::Doccano, &files, &target, None, None, None).unwrap();
    assert_eq!(report.get("annotators"), 4);
    assert_bratiaas_figures(&team_agreement(&target));
    // One user's file alone is an ordinary project.
    let single = dir.path().join("single.ron");
    formats::run::import_project(Format::Doccano, &files[..1], &single, None, None, None).unwrap();
    assert!(!team::is_team(&single));
}

#[test]
fn one_annotators_folder_at_a_time_with_their_name() {
    // `import --annotator Lisa -o team.ron`, then `--into team.ron --annotator Maria`...
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("team.ron");
    for (i, who) in ["Lisa", "Maria", "Max", "Peter"].into_iter().enumerate() {
        let into = (i > 0).then(|| persist::load_project(&target).unwrap().project);
        let (team_project, _, _) = formats::run::import_project(
            Format::Brat,
            &[fixture().join(who)],
            &target,
            None,
            into,
            Some(who),
        )
        .unwrap();
        assert_eq!(
            team_project.documents.len(),
            7,
            "the texts once, whoever adds them"
        );
    }
    assert_bratiaas_figures(&team_agreement(&target));
    // Never over an annotator's file.
    let into = persist::load_project(&target).unwrap().project;
    let again = formats::run::import_project(
        Format::Brat,
        &[fixture().join("Max")],
        &target,
        None,
        Some(into),
        Some("Max"),
    );
    assert!(again.is_err());
    // A name for files that hold several annotators' work is refused, not applied.
    let other = dir.path().join("other.ron");
    let e =
        formats::run::import_project(Format::Brat, &[fixture()], &other, None, None, Some("Lisa"))
            .err()
            .expect("refused");
    assert!(e.to_string().contains("several annotators"), "{e}");
    assert!(!other.exists());
}
