//! The `marginalia` binary, run as a user runs it.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn marginalia() -> Command {
    Command::cargo_bin("marginalia").unwrap()
}

fn corpus(dir: &Path) -> std::path::PathBuf {
    let c = dir.join("corpus");
    std::fs::create_dir_all(c.join("sub")).unwrap();
    std::fs::write(c.join("b.txt"), "Harris said “no”.\r\n").unwrap();
    std::fs::write(c.join("a.txt"), "Kim met Trump 😀.").unwrap();
    std::fs::write(c.join("sub/c.txt"), "习近平").unwrap();
    std::fs::write(c.join("notes.md"), "not a document").unwrap();
    c
}

/// `marginalia new --corpus C -o OUT`, ready for more arguments.
fn new_cmd(corpus: &Path, out: &Path) -> Command {
    let mut cmd = marginalia();
    cmd.args(["new", "--corpus"]).arg(corpus).arg("-o").arg(out);
    cmd
}

#[test]
fn new_creates_a_project_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    let out = dir.path().join("p.ron");
    new_cmd(&c, &out)
        .args(["--name", "My news"])
        .assert()
        .success()
        .stdout(predicates::str::contains("3 documents"));
    let ron = std::fs::read_to_string(&out).unwrap();
    assert!(ron.contains("name: \"My news\""));
    let a = ron.find("corpus/a.txt").unwrap();
    let b = ron.find("corpus/b.txt").unwrap();
    let sub = ron.find("corpus/sub/c.txt").unwrap();
    assert!(a < b && b < sub, "sorted, recursive: {ron}");
    assert!(!ron.contains("notes.md"));
    marginalia()
        .arg("validate")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("3 documents, 0 spans"));
}

#[test]
fn new_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    let out = dir.path().join("p.ron");
    std::fs::write(&out, "precious").unwrap();
    new_cmd(&c, &out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    marginalia()
        .args(["new", "--force", "--corpus"])
        .arg(&c)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("// Marginalia")
    );
}

#[test]
fn new_from_a_jsonl_file_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("c.jsonl");
    std::fs::write(&jsonl, "{\"text\": \"ok\"}\n{\"text\": 5}\n").unwrap();
    let out = dir.path().join("p.ron");
    new_cmd(&jsonl, &out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("c.jsonl:2:"));
    assert!(!out.exists(), "nothing is written on error");
}

#[test]
fn validate_the_demo_project() {
    marginalia()
        .arg("validate")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/seed-news.ron"))
        .assert()
        .success()
        .stdout(predicates::str::contains("every span matches its text"));
}

#[test]
fn validate_reports_every_problem_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    let out = dir.path().join("p.ron");
    new_cmd(&c, &out).assert().success();
    // Add two spans by hand: one right, one whose text is wrong.
    let ron = std::fs::read_to_string(&out).unwrap();
    let needle = "path: \"corpus/b.txt\",";
    let at = ron.find(needle).unwrap();
    let spans_at = at + ron[at..].find("spans: [],").unwrap();
    let fixed = format!(
        "{}spans: [\n                Span(id: 1, start: 0, end: 6, label: \"speaker\", text: \"Harris\"),\n                Span(id: 2, start: 12, end: 16, label: \"stance\", text: \"“no”\"),\n            ],{}",
        &ron[..spans_at],
        &ron[spans_at + "spans: [],".len()..]
    );
    std::fs::write(&out, &fixed).unwrap();
    let line = fixed.lines().position(|l| l.contains("id: 2")).unwrap() + 1;
    marginalia()
        .arg("validate")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!("p.ron:{line}: span 2")));
    marginalia()
        .arg("validate")
        .arg(dir.path().join("missing.ron"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("file not found"));
}

#[test]
fn unknown_arguments_are_usage_errors() {
    marginalia().args(["export", "--nope"]).assert().code(2);
}

fn fixture(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

#[test]
fn import_export_and_stats_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("news.ron");
    marginalia()
        .args(["import", "--format", "brat"])
        .arg(fixture("tests/fixtures/brat/news"))
        .arg("-o")
        .arg(&project)
        .assert()
        .success()
        .stdout(
            predicates::str::contains("13 documents").and(predicates::str::contains("119 spans")),
        )
        .stdout(predicates::str::contains(
            "normalization (N) lines are not imported",
        ));
    marginalia()
        .arg("validate")
        .arg(&project)
        .assert()
        .success();
    marginalia()
        .arg("stats")
        .arg(&project)
        .assert()
        .success()
        .stdout(
            predicates::str::contains("Organization: 56")
                .and(predicates::str::contains("Org-Arg: 32")),
        );
    // Export with a deterministic split by document.
    let out = dir.path().join("out");
    let run = |seed: &str| {
        marginalia()
            .arg("export")
            .arg(&project)
            .args([
                "--format",
                "brat",
                "--split",
                "train=0.6,dev=0.2,test=0.2",
                "--seed",
                seed,
                "--force",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let mut names: Vec<_> = std::fs::read_dir(out.join("train"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let a = run("7");
    let b = run("7");
    assert_eq!(a, b, "the same seed gives the same split");
    assert!(out.join("dev").is_dir() && out.join("test").is_dir());
    // -o never overwrites without --force.
    marginalia()
        .arg("export")
        .arg(&project)
        .args(["--format", "brat", "-o"])
        .arg(out.join("train"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("--force"));
    // Labels filter: only Person spans remain.
    let only = dir.path().join("persons");
    marginalia()
        .arg("export")
        .arg(&project)
        .args(["--format", "brat", "--labels", "Person", "-o"])
        .arg(&only)
        .assert()
        .success()
        .stdout(predicates::str::contains("27 spans"));
}

#[test]
fn import_errors_are_clear_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    marginalia()
        .args(["import", "--format", "spacy", "x.jsonl", "-o"])
        .arg(dir.path().join("p.ron"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "spacy: this format can only be exported",
        ));
    let existing = dir.path().join("p.ron");
    std::fs::write(&existing, "keep").unwrap();
    marginalia()
        .args(["import", "--format", "brat"])
        .arg(fixture("tests/fixtures/brat/news"))
        .arg("-o")
        .arg(&existing)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    marginalia()
        .args(["export", "nope.ron", "--format", "conll", "-o", "x"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("nope.ron: file not found"));
    marginalia()
        .args(["export", "nope.ron", "--format", "excel", "-o", "x"])
        .assert()
        .code(2);
}

#[test]
fn suggest_with_quotes_fills_the_suggestion_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.ron");
    let c = dir.path().join("news");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(
        c.join("a.txt"),
        "“We will not negotiate without Ukraine,” Harris said on Monday.\n",
    )
    .unwrap();
    new_cmd(&c, &out).assert().success();
    marginalia()
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "quotes,nonsense"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("unknown suggester `nonsense`"));
    marginalia()
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "quotes"])
        .assert()
        .success()
        .stdout(predicates::str::contains("quotes: 2 pending"));
    let ron = std::fs::read_to_string(&out).unwrap();
    assert!(ron.contains("text: \"Harris\""), "{ron}");
    assert!(
        ron.contains("We will not negotiate without Ukraine"),
        "{ron}"
    );
}

/// A machine's data folder for consents (XDG_DATA_HOME on Linux).
#[cfg(target_os = "linux")]
fn on_machine(data: &Path) -> Command {
    let mut cmd = marginalia();
    cmd.env("XDG_DATA_HOME", data);
    cmd
}

#[cfg(target_os = "linux")]
#[test]
fn a_project_command_runs_only_where_it_was_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.ron");
    new_cmd(&corpus(dir.path()), &out).assert().success();
    let here = dir.path().join("here");
    // The command reads the documents (and checks it got three), then predicts "Kim".
    let command = r#"test "$(wc -l)" -eq 3 && echo '{"id": "a", "spans": [{"start": 0, "end": 3, "label": "speaker", "score": 0.9}]}'"#;
    on_machine(&here)
        .args(["suggest"])
        .arg(&out)
        .args(["--command", command])
        .assert()
        .success()
        .stdout(predicates::str::contains("command: 1 pending"));
    let saved = std::fs::read_to_string(&out).unwrap();
    assert!(saved.contains("suggest_command: Some("), "{saved}");
    assert!(saved.contains("text: \"Kim\""), "{saved}");
    // Typing --command allowed it here: running it again needs nothing more.
    on_machine(&here)
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "command"])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 already suggested"));

    // The same project on another machine does not run it...
    let there = dir.path().join("there");
    on_machine(&there)
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "command"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "has not been allowed on this machine",
        ));
    // ...and neither does a command someone changed in the file.
    let changed = saved.replace("-eq 3 &&", "-eq 3 && touch pwned &&");
    assert_ne!(changed, saved);
    std::fs::write(&out, &changed).unwrap();
    on_machine(&here)
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "quotes,command"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("touch pwned"));
    assert!(!dir.path().join("pwned").exists());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), changed, "untouched");
    // Until the user says so.
    on_machine(&here)
        .args(["suggest"])
        .arg(&out)
        .args(["--with", "command", "--allow-command"])
        .assert()
        .success();
    assert!(
        dir.path().join("pwned").exists(),
        "runs in the project folder"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_failing_command_says_why_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.ron");
    new_cmd(&corpus(dir.path()), &out).assert().success();
    let before = std::fs::read_to_string(&out).unwrap();
    on_machine(&dir.path().join("data"))
        .args(["suggest"])
        .arg(&out)
        .args(["--command", "echo 'ModuleNotFoundError: spacy' >&2; exit 3"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("failed (exit status: 3)"))
        .stderr(predicates::str::contains("ModuleNotFoundError: spacy"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), before);
    // Output that is not predictions is located by line.
    on_machine(&dir.path().join("data"))
        .args(["suggest"])
        .arg(&out)
        .args([
            "--command",
            "cat >/dev/null; echo '{\"id\": \"a\", \"spans\": []}'; echo oops",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains(":2:"));
}

#[test]
fn stats_prints_the_figures_and_writes_csv() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/seed-news.ron");
    marginalia()
        .arg("stats")
        .arg(&demo)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "most frequent speakers: Kamala Harris (4)",
        ))
        .stdout(predicates::str::contains("stance polarity by target:"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stats.csv");
    marginalia()
        .arg("stats")
        .arg(&demo)
        .arg("--csv")
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("section,group,item,detail,count\n"));
    assert!(csv.contains("spans,label,speaker,,4\n"), "{csv}");
    // A value with a comma is quoted.
    assert!(
        csv.contains("attributes,event.when,\"October 7, 2024\",,1\n"),
        "{csv}"
    );
    assert!(csv.contains("crosstab,stance.polarity by target,cozying up to dictators,against,1\n"));
    marginalia()
        .arg("stats")
        .arg(&demo)
        .arg("--csv")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("--force"));
}

#[test]
fn a_changed_corpus_fails_validate_and_resave_reanchors_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("corpus");
    std::fs::create_dir(&c).unwrap();
    std::fs::write(c.join("a.txt"), "Putin said “no”. Harris said yes.").unwrap();
    let out = dir.path().join("p.ron");
    new_cmd(&c, &out).assert().success();
    // Two spans, written as a user's project file holds them.
    let ron = std::fs::read_to_string(&out).unwrap();
    let span = |id: u64, start: usize, text: &str| {
        format!(
            "Span(id: {id}, start: {start}, end: {}, label: \"speaker\", text: {text:?}),",
            start + text.len()
        )
    };
    let spans = format!(
        "spans: [\n                {}\n                {}\n            ],",
        span(1, 0, "Putin"),
        span(2, "Putin said “no”. ".len(), "Harris")
    );
    std::fs::write(&out, ron.replacen("spans: [],", &spans, 1)).unwrap();
    marginalia().arg("validate").arg(&out).assert().success();

    std::fs::write(
        c.join("a.txt"),
        "The Kremlin said “no”. Kamala Harris said yes.",
    )
    .unwrap();
    marginalia()
        .arg("validate")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicates::str::contains("marginalia resave"));
    marginalia()
        .args(["resave", "--backups", "1"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("1 span moved"))
        .stderr(predicates::str::contains("1 needs review"));
    marginalia().arg("validate").arg(&out).assert().success();
    let ron = std::fs::read_to_string(&out).unwrap();
    assert!(ron.contains("unanchored: ["), "{ron}");
    let at = "The Kremlin said “no”. Kamala ".len();
    assert!(
        ron.contains(&format!("start: {at}, end: {}", at + 6)),
        "{ron}"
    );
    assert!(
        out.with_extension("ron.bak1").exists(),
        "the old version is kept"
    );
}

/// `--report FILE.json` holds every note with its document and span, far past the 40
/// the printed summary shows, and the errors when the command fails (exit non-zero).
#[test]
fn import_and_export_reports_list_every_problem_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).unwrap();
    // 60 spans whose ends cut words: each one is a note of the export.
    let text = "Kamala Harris insisted. ".repeat(60);
    let mut ann = String::new();
    for i in 0..60 {
        let at = i * 24;
        ann.push_str(&format!(
            "T{}\tPerson {} {}\t{}\n",
            i + 1,
            at + 1,
            at + 6,
            &text[at + 1..at + 6]
        ));
    }
    ann.push_str("X1\tnot an annotation\n");
    std::fs::write(brat.join("d.txt"), &text).unwrap();
    std::fs::write(brat.join("d.ann"), &ann).unwrap();
    let project = dir.path().join("p.ron");
    let import_report = dir.path().join("import.json");
    marginalia()
        .args(["import", "--format", "brat"])
        .arg(&brat)
        .arg("-o")
        .arg(&project)
        .arg("--report")
        .arg(&import_report)
        .assert()
        .success();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&import_report).unwrap()).unwrap();
    assert_eq!(r["ok"], true);
    assert_eq!(r["counts"]["spans"], 60);
    let note = &r["notes"][0];
    assert_eq!(note["document"], "d");
    assert_eq!(note["line"], 61);
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("unknown annotation line")
    );

    let export_report = dir.path().join("export.json");
    marginalia()
        .arg("export")
        .arg(&project)
        .args(["--format", "spacy", "-o"])
        .arg(dir.path().join("out.jsonl"))
        .arg("--report")
        .arg(&export_report)
        .assert()
        .success()
        .stdout(predicates::str::contains("… and 20 more notes"));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export_report).unwrap()).unwrap();
    let notes = r["notes"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        60,
        "every span off token boundaries, not the first few"
    );
    assert_eq!(notes[59]["span"]["start"], 59 * 24 + 1);
    assert_eq!(notes[59]["span"]["end"], 59 * 24 + 6);
    assert!(notes[59]["span"]["id"].is_u64());

    // A failing import writes its errors and exits non-zero.
    let failed = dir.path().join("failed.json");
    marginalia()
        .args(["import", "--format", "brat"])
        .arg(dir.path().join("nothing-here"))
        .arg("-o")
        .arg(dir.path().join("q.ron"))
        .arg("--report")
        .arg(&failed)
        .assert()
        .failure();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&failed).unwrap()).unwrap();
    assert_eq!(r["ok"], false);
    assert!(!r["errors"].as_array().unwrap().is_empty());
}

/// `marginalia agree` over two annotators' copies of the demo: figures printed, and the
/// JSON a paper's script reads.
#[test]
fn agree_compares_two_annotators_projects() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("projects/seed-news.ron")).unwrap();
    for name in ["anna", "ben"] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
    }
    let corpus = root.join("assets/corpus");
    let fix = |ron: &str| ron.replace("../assets/corpus/", &format!("{}/", corpus.display()));
    std::fs::write(dir.path().join("anna/news.ron"), fix(&demo)).unwrap();
    // Ben left out the second document's event.
    let ben = fix(&demo).replace(
        "                Span(id: 10, start: 416, end: 455, label: \"event\", text: \"nomination acceptance speech in Chicago\", attrs: {\"type\": \"statement\", \"when\": \"Thursday\"}),\n",
        "",
    );
    let ben = ben.replace(
        "                Relation(id: 15, kind: \"participates_in\", from: 8, to: 10),\n",
        "",
    );
    assert_ne!(ben, fix(&demo));
    std::fs::write(dir.path().join("ben/news.ron"), &ben).unwrap();
    let json = dir.path().join("agree.json");
    marginalia()
        .arg("agree")
        .arg(dir.path().join("anna/news.ron"))
        .arg(dir.path().join("ben/news.ron"))
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "2 annotators (anna/news, ben/news), 2 documents",
        ));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["documents"], 2);
    assert_eq!(r["labels"]["speaker"]["exact_f1"], 1.0);
    // 3 events against 2: 2·2 / 5.
    assert_eq!(r["labels"]["event"]["exact_f1"], 0.8);
    assert_eq!(r["labels"]["event"]["spans"]["anna/news"], 3);
    assert!(r["labels"]["event"]["alpha_char"].as_f64().unwrap() < 1.0);
    // Both gave the three stances the same polarities (against, against, favor).
    assert_eq!(r["attributes"]["stance.polarity"]["kappa"], 1.0);
    assert_eq!(r["attributes"]["stance.polarity"]["items"], 3);
    assert_eq!(r["pairs"].as_array().unwrap().len(), 3);
}
