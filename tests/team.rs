//! A team project on disk: the team's file, each annotator's own file beside it, a schema
//! change that reaches every annotator, documents the team adds, and the command line's
//! `join`, `agree` and `adjudicate` over the team.

use marginalia::model::{Edit, LabelDef, Rgb, Schema};
use marginalia::persist::{self, team};
use marginalia::session::Session;
use std::path::PathBuf;
use std::process::Command;

mod common;

/// A team project over a copy of the demo corpus: `dir/news.ron`, `dir/corpus/`.
fn team_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::demo_corpus_in(dir.path());
    let project = persist::new_project(&corpus, Some("News")).unwrap();
    let path = dir.path().join("news.ron");
    persist::save_project(&project, &path).unwrap();
    (dir, path)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
}

/// Runs `marginalia ARGS...`, which must succeed.
fn run_ok(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn quote_label() -> LabelDef {
    LabelDef {
        name: "quote".into(),
        color: Rgb([0x70, 0x30, 0xa0]),
        key: Some('q'),
        attributes: Vec::new(),
        event: false,
    }
}

#[test]
fn an_annotators_file_reads_the_team_corpus_without_asking_and_is_found_from_the_team() {
    let (dir, team_file) = team_project();
    assert!(!team::is_team(&team_file), "no annotators yet");
    let (anna, made) = team::join(&team_file, "anna").unwrap();
    assert!(made);
    assert_eq!(anna, dir.path().join("news.annotations/anna.ron"));
    assert!(team::is_team(&team_file));
    assert_eq!(team::team_of(&anna), Some(team_file.clone()));
    assert_eq!(
        team::join(&team_file, "anna").unwrap(),
        (anna.clone(), false)
    );
    // The corpus is `../corpus/…` from the annotator's file: inside the team's folder, so
    // the window does not ask for consent (the strict load refuses anything outside).
    let loaded = persist::load_project_with(&anna, persist::LoadOptions::WINDOW).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.project.documents.len(), 3);
    assert_eq!(loaded.team, Some(Default::default()), "nothing to take");
    // A name no file system minds.
    assert_eq!(team::file_name_for("Carl O'Neil/2"), "Carl O_Neil_2.ron");
    assert_eq!(team::file_name_for(" .. "), "annotator.ron");
}

#[test]
fn a_schema_change_in_the_team_file_reaches_an_annotator_who_keeps_their_spans() {
    let (_dir, team_file) = team_project();
    let (anna, _) = team::join(&team_file, "anna").unwrap();
    // Anna tags an event.
    let (mut s, _) = Session::open(&anna).unwrap();
    let span = s
        .project()
        .make_span(marginalia::model::DocId(0), 0, 6, "event")
        .unwrap();
    s.apply(Edit::AddSpan {
        doc: marginalia::model::DocId(0),
        span,
    })
    .unwrap();
    s.save(None).unwrap();
    drop(s);
    // The team replaces `event` with `quote` and adds a document.
    let mut t = persist::load_project(&team_file).unwrap().project;
    t.schema.labels.retain(|l| l.name != "event");
    t.schema.relations.retain(|r| !r.to.contains("event"));
    t.schema.labels.push(quote_label());
    let corpus = team_file.parent().unwrap().join("corpus/extra.txt");
    std::fs::write(&corpus, "A fourth article, added later.\n").unwrap();
    let extra = persist::new_project(corpus.parent().unwrap(), None)
        .unwrap()
        .documents
        .into_iter()
        .find(|d| d.id.contains("extra"))
        .unwrap();
    t.documents.push(extra);
    persist::save_project(&t, &team_file).unwrap();

    let (s, _) = Session::open(&anna).unwrap();
    let update = s.team.clone().unwrap();
    assert!(update.schema);
    assert_eq!(update.kept, ["label \"event\""]);
    assert_eq!(update.documents, 1);
    let p = s.project();
    assert!(p.schema.label("quote").is_some());
    assert!(
        p.schema.label("event").is_some(),
        "her event span keeps its label"
    );
    assert_eq!(p.span_count(), 1);
    assert_eq!(p.documents.len(), 4);
    assert!(
        s.is_dirty(),
        "the project differs from its file: autosave writes it"
    );
}

#[test]
fn a_schema_change_an_annotator_saves_goes_to_the_team_and_to_the_others() {
    let (_dir, team_file) = team_project();
    let (anna, _) = team::join(&team_file, "anna").unwrap();
    let (carl, _) = team::join(&team_file, "carl").unwrap();
    let (mut s, _) = Session::open(&anna).unwrap();
    let mut schema: Schema = s.project().schema.clone();
    schema.labels.push(quote_label());
    s.apply(Edit::SetSchema(Box::new(schema))).unwrap();
    s.save(None).unwrap();
    let note = s.take_team_note().expect("said");
    assert!(note.contains("has your schema now"), "{note}");
    let t = persist::load_project(&team_file).unwrap().project;
    assert!(t.schema.label("quote").is_some());
    let c = persist::load_project(&carl).unwrap();
    assert!(c.project.schema.label("quote").is_some());
    assert!(c.team.unwrap().schema);
    // While the team's file is open for editing elsewhere, it is not written behind that
    // window's back: the change stays in Anna's file, said, and goes on the next save.
    let (holder, _) = Session::open(&team_file).unwrap();
    let mut schema = s.project().schema.clone();
    schema.labels.retain(|l| l.name != "quote");
    s.apply(Edit::SetSchema(Box::new(schema))).unwrap();
    s.save(None).unwrap();
    let note = s.take_team_note().expect("said");
    assert!(note.contains("in your file only"), "{note}");
    drop(holder);
    let before = std::fs::read_to_string(&team_file).unwrap();
    assert!(before.contains("\"quote\""));
    s.save(None).unwrap();
    let after = std::fs::read_to_string(&team_file).unwrap();
    assert!(!after.contains("\"quote\""), "given on the next save");
}

#[test]
fn the_command_line_joins_and_compares_a_team() {
    let (dir, team_file) = team_project();
    // Without a name from anywhere (no option, variable or git config): a clear error,
    // nothing made.
    let out = bin()
        .arg("join")
        .arg(&team_file)
        .env_remove("MARGINALIA_ANNOTATOR")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--annotator"));
    assert!(!team::is_team(&team_file));
    for name in ["anna", "carl"] {
        let out = run_ok(&[
            "join".as_ref(),
            team_file.as_ref(),
            "--annotator".as_ref(),
            name.as_ref(),
        ]);
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{name}.ron")));
    }
    // Each tags the first document's first word; Carl also its second.
    for (name, words) in [("anna", 1), ("carl", 2)] {
        let path = team::member_path(&team_file, name);
        let (mut s, _) = Session::open(&path).unwrap();
        let text = s.project().documents[0].text.clone();
        let mut at = 0;
        for _ in 0..words {
            let start = at + text[at..].find(|c: char| c.is_alphabetic()).unwrap();
            let end = start + text[start..].find(|c: char| !c.is_alphanumeric()).unwrap();
            let span = s
                .project()
                .make_span(marginalia::model::DocId(0), start, end, "speaker")
                .unwrap();
            s.apply(Edit::AddSpan {
                doc: marginalia::model::DocId(0),
                span,
            })
            .unwrap();
            at = end;
        }
        s.save(None).unwrap();
    }
    let json = dir.path().join("agree.json");
    run_ok(&[
        "agree".as_ref(),
        team_file.as_ref(),
        "--json".as_ref(),
        json.as_ref(),
    ]);
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(figures["annotators"], serde_json::json!(["anna", "carl"]));
    let f1 = figures["labels"]["speaker"]["exact_f1"].as_f64().unwrap();
    assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{f1}");
    let curated = dir.path().join("curated.ron");
    run_ok(&[
        "adjudicate".as_ref(),
        team_file.as_ref(),
        "-o".as_ref(),
        curated.as_ref(),
    ]);
    let c = persist::load_project(&curated).unwrap().project;
    assert_eq!(c.span_count(), 1, "the word both tagged");
    assert_eq!(
        c.documents[0].suggestions().len(),
        1,
        "the word only Carl tagged"
    );
    // A team with one annotator cannot be compared: said.
    std::fs::remove_file(team::member_path(&team_file, "carl")).unwrap();
    let out = bin().arg("agree").arg(&team_file).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("two annotators or more"));
}

#[test]
fn a_one_person_project_becomes_a_team_with_its_authors_spans_in_the_authors_file() {
    let (_dir, team_file) = team_project();
    let (mut s, _) = Session::open(&team_file).unwrap();
    s.annotator = Some("lead".into());
    let mut span = s
        .project()
        .make_span(marginalia::model::DocId(1), 0, 4, "speaker")
        .unwrap();
    span.annotator = Some("lead".into());
    s.apply(Edit::AddSpan {
        doc: marginalia::model::DocId(1),
        span,
    })
    .unwrap();
    s.save(None).unwrap();
    drop(s);
    let (lead, _) = team::join(&team_file, "lead").unwrap();
    let (other, _) = team::join(&team_file, "other").unwrap();
    assert_eq!(
        persist::load_project(&lead).unwrap().project.span_count(),
        1
    );
    assert_eq!(
        persist::load_project(&other).unwrap().project.span_count(),
        0
    );
}

#[test]
fn a_schema_change_saved_after_a_teammates_change_adds_to_it_and_removes_nothing() {
    let (_dir, team_file) = team_project();
    let (anna, _) = team::join(&team_file, "anna").unwrap();
    let (mut s, _) = Session::open(&anna).unwrap();
    // Meanwhile a teammate's schema change reaches the team's file (a git pull).
    let mut t = persist::load_project(&team_file).unwrap().project;
    t.schema.labels.push(quote_label());
    persist::save_project(&t, &team_file).unwrap();
    // Anna adds a label of her own (her window never saw `quote`) and saves.
    let mut schema = s.project().schema.clone();
    schema.labels.push(LabelDef {
        name: "source".into(),
        color: Rgb([9, 9, 9]),
        key: Some('q'),
        attributes: Vec::new(),
        event: false,
    });
    s.apply(Edit::SetSchema(Box::new(schema))).unwrap();
    s.save(None).unwrap();
    let note = s.take_team_note().expect("said");
    assert!(note.contains("had changed since"), "{note}");
    let t = persist::load_project(&team_file).unwrap().project;
    assert!(
        t.schema.label("quote").is_some(),
        "the teammate's label stays"
    );
    let source = t.schema.label("source").expect("hers is added");
    assert_eq!(source.key, None, "`q` is the teammate's label's key");
}
