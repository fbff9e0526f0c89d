//! Project files on disk: round trips, and every kind of bad input.

use marginalia::model::{DocId, Edit, Project, Status};
use marginalia::persist::{self, ProblemKind, load_project, project_to_ron, save_project};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A folder with a corpus of the given files and a project over it.
fn project_over(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, Project) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for (name, text) in files {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let project = persist::new_project(&corpus, Some("t")).unwrap();
    let path = dir.path().join("t.ron");
    (dir, path, project)
}

fn tag(p: &mut Project, doc: usize, needle: &str, label: &str) {
    let start = p.documents[doc].text.find(needle).unwrap();
    let span = p
        .make_span(DocId(doc), start, start + needle.len(), label)
        .unwrap();
    p.apply(Edit::AddSpan {
        doc: DocId(doc),
        span,
    })
    .unwrap();
}

#[test]
fn demo_project_round_trips_byte_for_byte() {
    let path = root().join("projects/seed-news.ron");
    let original = std::fs::read_to_string(&path).unwrap();
    let loaded = load_project(&path).unwrap();
    // Its corpus is in assets/, beside projects/: the command line reads it and says so
    // (the window trusts the bundled demo).
    let [outside] = loaded.warnings.as_slice() else {
        panic!("{:?}", loaded.warnings)
    };
    assert!(
        outside
            .message
            .contains("3 corpus files like `../assets/corpus/"),
        "{outside}"
    );
    assert_eq!(loaded.project.documents.len(), 3);
    assert!(loaded.project.span_count() >= 5);
    let again = project_to_ron(&loaded.project, &path).unwrap();
    assert_eq!(
        again, original,
        "saving an unchanged project must give identical bytes"
    );
}

#[test]
fn spans_over_emoji_cjk_combining_marks_and_crlf_survive_a_round_trip() {
    let text = "Harris 😀 said “no”.\r\n習近平 met Kim.\r\nCafe\u{301} talks — 👨‍👩‍👧 family\r\n";
    let (_dir, path, mut p) = project_over(&[("a.txt", text)]);
    for (needle, label) in [
        ("😀", "event"),
        ("“no”", "stance"),
        ("習近平", "speaker"),
        ("Cafe\u{301}", "event"),
        ("👨‍👩‍👧", "event"),
        ("Kim.\r\nCafe\u{301}", "stance"),
    ] {
        tag(&mut p, 0, needle, label);
    }
    p.apply(Edit::SetStatus {
        doc: DocId(0),
        status: Status::Done,
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let first = std::fs::read(&path).unwrap();
    let loaded = load_project(&path).unwrap().project;
    assert_eq!(loaded.documents[0].spans(), p.documents[0].spans());
    assert_eq!(loaded.documents[0].status, Status::Done);
    for s in loaded.documents[0].spans() {
        assert_eq!(&loaded.documents[0].text[s.start..s.end], s.text);
    }
    save_project(&loaded, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first, "byte-stable");
    let ron = String::from_utf8(first).unwrap();
    assert!(
        ron.contains("byte offsets"),
        "the header says what offsets are"
    );
    assert!(
        ron.contains("path: \"corpus/a.txt\""),
        "paths are relative: {ron}"
    );
}

#[test]
fn a_newer_format_version_is_refused_and_the_file_kept() {
    let (_dir, path, p) = project_over(&[("a.txt", "text")]);
    save_project(&p, &path).unwrap();
    let newer = std::fs::read_to_string(&path).unwrap().replace(
        &format!("version: {},", persist::FORMAT_VERSION),
        "version: 99,\n    future_field: (x: 1),",
    );
    std::fs::write(&path, &newer).unwrap();
    let e = load_project(&path).unwrap_err();
    assert!(e.has(ProblemKind::NewerVersion), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("version 99") && msg.contains("t.ron:"),
        "{msg}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);
}

#[test]
fn a_syntax_error_names_line_and_column() {
    let (_dir, path, p) = project_over(&[("a.txt", "text")]);
    save_project(&p, &path).unwrap();
    let broken = std::fs::read_to_string(&path)
        .unwrap()
        .replace("status: New,", "status: New,,");
    std::fs::write(&path, &broken).unwrap();
    let e = load_project(&path).unwrap_err();
    assert!(e.has(ProblemKind::Syntax), "{e}");
    let line = broken.lines().position(|l| l.contains("New,,")).unwrap() + 1;
    let problem = &e.problems[0];
    assert_eq!(problem.line, Some(line), "{e}");
    assert!(problem.col.is_some());
}

#[test]
fn a_missing_corpus_file_is_reported_with_its_line() {
    let (dir, path, p) = project_over(&[("a.txt", "alpha"), ("b.txt", "beta")]);
    save_project(&p, &path).unwrap();
    std::fs::remove_file(dir.path().join("corpus/b.txt")).unwrap();
    let e = load_project(&path).unwrap_err();
    assert!(e.has(ProblemKind::MissingCorpus), "{e}");
    let src = std::fs::read_to_string(&path).unwrap();
    let line = src
        .lines()
        .position(|l| l.contains("corpus/b.txt"))
        .unwrap()
        + 1;
    assert_eq!(e.problems[0].line, Some(line));
    assert!(e.to_string().contains("corpus/b.txt"), "{e}");
}

#[test]
fn a_changed_corpus_file_is_caught_span_by_span() {
    let (dir, path, mut p) = project_over(&[("a.txt", "Kamala Harris said “no”.")]);
    tag(&mut p, 0, "Harris", "speaker");
    tag(&mut p, 0, "“no”", "stance");
    save_project(&p, &path).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    // An edit before the spans shifts them: both must be reported, nothing rewritten.
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "VP Kamala Harris said “no”.",
    )
    .unwrap();
    let e = load_project(&path).unwrap_err();
    let msg = e.to_string();
    assert_eq!(msg.matches("should cover").count(), 2, "{msg}");
    assert!(
        msg.contains("corpus/a.txt: changed since the project was saved; 2 of its 2 spans"),
        "{msg}"
    );
    assert!(
        e.problems
            .iter()
            .all(|p| p.kind == ProblemKind::SpanMismatch)
    );
    assert!(msg.contains("should cover “Harris”"), "{msg}");
    let span_line = saved
        .lines()
        .position(|l| l.contains("\"Harris\""))
        .unwrap()
        + 1;
    assert!(
        e.problems.iter().any(|p| p.line == Some(span_line)),
        "{msg}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);

    // An edit after the spans keeps them valid: it loads, with a warning.
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "Kamala Harris said “no”. More.",
    )
    .unwrap();
    let loaded = load_project(&path).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.project.span_count(), 2);
}

#[test]
fn a_corpus_file_that_is_not_utf8_is_located() {
    let (dir, path, p) = project_over(&[("a.txt", "ok")]);
    save_project(&p, &path).unwrap();
    std::fs::write(dir.path().join("corpus/a.txt"), b"line one\nna\xefve\n").unwrap();
    let e = load_project(&path).unwrap_err();
    assert!(e.has(ProblemKind::NotUtf8), "{e}");
    assert_eq!((e.problems[0].line, e.problems[0].col), (Some(2), Some(3)));
}

#[test]
fn unknown_labels_and_duplicate_ids_are_invalid() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "Kamala Harris said")]);
    tag(&mut p, 0, "Harris", "speaker");
    tag(&mut p, 0, "said", "event");
    save_project(&p, &path).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    let bad = src
        .replace("label: \"event\"", "label: \"villain\"")
        .replace("id: 2,", "id: 1,");
    std::fs::write(&path, bad).unwrap();
    let e = load_project(&path).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`villain`") && msg.contains("used twice"),
        "{msg}"
    );
}

#[test]
fn an_empty_or_garbage_project_file_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.ron");
    for content in [
        &b""[..],
        b"\x00\x01\x02",
        b"Project(",
        b"[1, 2, 3]",
        b"Project(version: 0)",
    ] {
        std::fs::write(&path, content).unwrap();
        let e = load_project(&path).unwrap_err();
        assert!(!e.problems.is_empty());
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
    }
    let e = load_project(&dir.path().join("nope.ron")).unwrap_err();
    assert!(e.to_string().contains("file not found"), "{e}");
}

#[test]
fn jsonl_corpora_keep_their_line_numbers_and_meta() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("news.jsonl");
    std::fs::write(
        &corpus,
        "{\"id\": \"a\", \"text\": \"Harris said “no” 😀\", \"meta\": {\"source\": \"cbs\"}}\n\n{\"text\": \"Kim met Trump\"}\n",
    )
    .unwrap();
    let mut p = persist::new_project(&corpus, None).unwrap();
    assert_eq!(p.name, "news");
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[1].id, "news-3");
    tag(&mut p, 0, "“no”", "stance");
    tag(&mut p, 1, "Kim", "speaker");
    let path = dir.path().join("p.ron");
    save_project(&p, &path).unwrap();
    let loaded = load_project(&path).unwrap().project;
    assert_eq!(loaded.documents[0].meta.get("source"), Some("cbs"));
    assert_eq!(loaded.documents[1].spans()[0].text, "Kim");
    assert_eq!(loaded.documents[0].spans()[0].text, "“no”");
}

#[test]
fn a_failed_save_leaves_the_previous_project_file_intact() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "Kamala Harris said")]);
    save_project(&p, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    tag(&mut p, 0, "Harris", "speaker");
    // The target is now a folder: the atomic rename fails after the temp file is written.
    let blocked = path.with_extension("dir");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), "x").unwrap();
    assert!(save_project(&p, &blocked).is_err());
    assert!(blocked.join("keep").exists());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left behind");
}

#[test]
fn a_format_version_1_project_loads_and_gains_the_default_attributes() {
    let path = root().join("tests/fixtures/format-v1/projects/seed-news.ron");
    let original = std::fs::read(&path).unwrap();
    assert!(String::from_utf8_lossy(&original).contains("version: 1,"));
    let loaded = load_project(&path).unwrap();
    let p = &loaded.project;
    assert_eq!(p.span_count(), 10);
    let stance = p.schema.label("stance").unwrap();
    assert!(stance.attribute("polarity").is_some() && stance.attribute("target").is_some());
    assert!(p.schema.relation("holds").is_some());
    // Saving writes the current version; the sample itself is never touched by loading.
    let ron = project_to_ron(p, &path).unwrap();
    assert!(ron.contains(&format!("version: {},", persist::FORMAT_VERSION)));
    assert_eq!(std::fs::read(&path).unwrap(), original);
}

#[test]
fn attributes_relations_and_notes_round_trip() {
    let (_dir, path, mut p) = project_over(&[(
        "a.txt",
        "Kamala Harris said “no” to Trump’s plan for Ukraine 😀.",
    )]);
    tag(&mut p, 0, "Kamala Harris", "speaker");
    tag(&mut p, 0, "“no” to Trump’s plan for Ukraine", "stance");
    let speaker = p.documents[0].spans()[0].id;
    let stance = p.documents[0].spans()[1].id;
    let doc = DocId(0);
    let set = |name: &str, id, value: &str| Edit::SetAttr {
        doc,
        id,
        name: name.into(),
        value: Some(value.into()),
    };
    p.apply(Edit::Batch(vec![
        set("entity", speaker, "Kamala Harris"),
        set("polarity", stance, "against"),
        set("target", stance, "Trump's plan for Ukraine"),
        Edit::SetNote {
            doc,
            id: stance,
            note: Some("said on CBS, \"60 Minutes\"\nsecond line".into()),
        },
    ]))
    .unwrap();
    let relation = marginalia::model::Relation::new(p.allocate_span_id(), "holds", speaker, stance);
    p.apply(Edit::AddRelation {
        doc,
        relation: relation.clone(),
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let first = std::fs::read(&path).unwrap();
    let loaded = load_project(&path).unwrap().project;
    assert_eq!(loaded.documents[0].spans(), p.documents[0].spans());
    assert_eq!(loaded.documents[0].relations(), &[relation]);
    let s = loaded.documents[0].span_by_id(stance).unwrap();
    assert_eq!(s.attrs.get("target"), Some("Trump's plan for Ukraine"));
    assert_eq!(
        s.note.as_deref(),
        Some("said on CBS, \"60 Minutes\"\nsecond line")
    );
    save_project(&loaded, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first, "byte-stable");
    let ron = String::from_utf8(first).unwrap();
    let relation_lines = ron
        .lines()
        .filter(|l| l.trim_start().starts_with("Relation("))
        .count();
    assert_eq!(relation_lines, 1, "one relation per line:\n{ron}");
}

#[test]
fn attribute_values_and_relations_are_checked_against_the_schema() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "Kamala Harris said no.")]);
    tag(&mut p, 0, "Kamala Harris", "speaker");
    tag(&mut p, 0, "said no", "stance");
    let (a, b) = (p.documents[0].spans()[0].id, p.documents[0].spans()[1].id);
    let doc = DocId(0);
    p.apply(Edit::SetAttr {
        doc,
        id: b,
        name: "polarity".into(),
        value: Some("against".into()),
    })
    .unwrap();
    let relation = marginalia::model::Relation::new(p.allocate_span_id(), "holds", a, b);
    p.apply(Edit::AddRelation { doc, relation }).unwrap();
    save_project(&p, &path).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    let bad = src
        .replace("\"polarity\": \"against\"", "\"polarity\": \"furious\"")
        .replace(
            "kind: \"holds\", from: 1, to: 2",
            "kind: \"holds\", from: 2, to: 1",
        );
    std::fs::write(&path, &bad).unwrap();
    let e = load_project(&path).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`furious` is not a value of the attribute `polarity`"),
        "{msg}"
    );
    assert!(
        msg.contains("a `holds` relation goes from a `speaker` span to a `stance` span"),
        "{msg}"
    );
    let rel_line = bad.lines().position(|l| l.contains("Relation(")).unwrap() + 1;
    assert!(e.problems.iter().any(|p| p.line == Some(rel_line)), "{msg}");
}

#[test]
fn a_format_version_2_project_loads_unchanged() {
    let path = root().join("tests/fixtures/format-v2/projects/seed-news.ron");
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains("version: 2,"));
    let p = load_project(&path).unwrap().project;
    assert_eq!(p.span_count(), 10);
    assert_eq!(p.documents[0].relations().len(), 3);
    let again = project_to_ron(&p, &path).unwrap();
    assert_eq!(
        again.replace(
            &format!("version: {},", persist::FORMAT_VERSION),
            "version: 2,"
        ),
        original,
        "only the version changes"
    );
}

#[test]
fn format_v3_with_suggestions_still_loads() {
    let path = root().join("tests/fixtures/format-v3/projects/seed-news.ron");
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains("version: 3,"));
    let p = load_project(&path).unwrap().project;
    assert_eq!(p.span_count(), 10);
    let suggestions: usize = p.documents.iter().map(|d| d.suggestions().len()).sum();
    assert_eq!(suggestions, 36);
    let linked = p
        .documents
        .iter()
        .flat_map(|d| d.suggestions())
        .filter(|s| !s.links.is_empty())
        .count();
    assert!(linked > 0, "the quotes suggester links speakers to stances");
    assert_eq!(p.suggest_command, None);
    let again = project_to_ron(&p, &path).unwrap();
    assert_eq!(
        again.replace(
            &format!("version: {},", persist::FORMAT_VERSION),
            "version: 3,"
        ),
        original,
        "only the version changes"
    );
}

#[test]
fn format_v4_with_a_suggest_command_still_loads() {
    let path = root().join("tests/fixtures/format-v4/projects/seed-news.ron");
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains("version: 4,"));
    let p = load_project(&path).unwrap().project;
    assert_eq!(p.span_count(), 10);
    assert_eq!(
        p.suggest_command.as_deref(),
        Some("python3 tag.py --label speaker")
    );
    assert!(p.documents.iter().all(|d| d.unanchored().is_empty()));
    let again = project_to_ron(&p, &path).unwrap();
    assert_eq!(
        again.replace(
            &format!("version: {},", persist::FORMAT_VERSION),
            "version: 4,"
        ),
        original,
        "only the version changes"
    );
}

#[test]
fn format_v5_loads_unchanged() {
    let path = root().join("tests/fixtures/format-v5/projects/seed-news.ron");
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains("version: 5,"));
    let p = load_project(&path).unwrap().project;
    assert_eq!(p.span_count(), 10);
    let again = project_to_ron(&p, &path).unwrap();
    assert_eq!(
        again.replace(
            &format!("version: {},", persist::FORMAT_VERSION),
            "version: 5,"
        ),
        original,
        "only the version changes"
    );
}

#[test]
fn attributes_and_notes_on_relations_round_trip() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "Harris said no.")]);
    let doc = DocId(0);
    tag(&mut p, 0, "Harris", "speaker");
    tag(&mut p, 0, "said no", "stance");
    let ids: Vec<_> = p.documents[0].spans().iter().map(|s| s.id).collect();
    let mut relation =
        marginalia::model::Relation::new(p.allocate_span_id(), "holds", ids[0], ids[1]);
    relation.note = Some("reported, not direct".into());
    relation.attrs.insert("certainty".into(), "high".into());
    p.apply(Edit::AddRelation {
        doc,
        relation: relation.clone(),
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let back = load_project(&path).unwrap().project;
    assert_eq!(back.documents[0].relations(), [relation]);
}

#[test]
fn the_suggest_command_round_trips_and_an_older_build_would_refuse_it() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "Harris said no.")]);
    let command = r#"python3 "my model.py" --label 'speaker'"#;
    p.apply(Edit::SetSuggestCommand(Some(command.into())))
        .unwrap();
    save_project(&p, &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // Written in the header, where a reader of the file sees it before any document.
    let at = text.find("suggest_command:").unwrap();
    assert!(at < text.find("documents:").unwrap());
    assert!(text.contains(&format!("version: {},", persist::FORMAT_VERSION)));
    let back = load_project(&path).unwrap().project;
    assert_eq!(back.suggest_command.as_deref(), Some(command));
    // A blank command is no command.
    p.apply(Edit::SetSuggestCommand(Some("  ".into()))).unwrap();
    assert_eq!(p.suggest_command, None);
}

#[test]
fn suggestions_round_trip_and_are_checked() {
    use marginalia::model::{Review, Score, Suggestion};
    let (_dir, path, mut p) = project_over(&[("a.txt", "Harris said no.")]);
    let id = p.allocate_span_id();
    let suggestion = Suggestion {
        id,
        start: 0,
        end: 6,
        label: "speaker".into(),
        text: "Harris".into(),
        attrs: Default::default(),
        source: "quotes".into(),
        score: Some(Score(0.75)),
        review: Review::Rejected,
        span: None,
        links: Vec::new(),
    };
    p.apply(Edit::AddSuggestion {
        doc: DocId(0),
        suggestion: suggestion.clone(),
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let loaded = load_project(&path).unwrap().project;
    assert_eq!(loaded.documents[0].suggestions(), &[suggestion]);
    let src = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        src.replace("text: \"Harris\", source", "text: \"Harriz\", source"),
    )
    .unwrap();
    let e = load_project(&path).unwrap_err();
    assert!(e.to_string().contains("suggestion"), "{e}");
}

#[test]
fn a_discontinuous_span_saves_loads_and_a_tampered_fragment_is_located() {
    let (_dir, path, mut p) = project_over(&[("a.txt", "“No,” Harris said, “never.”")]);
    tag(&mut p, 0, "“No,” Harris said, “never.”", "stance");
    let id = p.documents[0].spans()[0].id;
    let text = p.documents[0].text.clone();
    let piece = |w: &str| {
        let s = text.find(w).unwrap();
        s..s + w.len()
    };
    p.apply(Edit::SetFragments {
        doc: DocId(0),
        id,
        pieces: vec![piece("“No,”"), piece("“never.”")],
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("fragments: [Fragment(start: 0, end: 9, text: \"“No,”\")"),
        "{saved}"
    );
    let back = load_project(&path).unwrap().project;
    assert_eq!(back.documents[0].spans(), p.documents[0].spans());
    // A fragment whose text does not match is an error at its line; the file is kept.
    let tampered = saved.replace("text: \"“never.”\"", "text: \"“always.”\"");
    std::fs::write(&path, &tampered).unwrap();
    let err = load_project(&path).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(".ron:"), "{msg}");
    assert!(
        msg.contains("span 1: the span's stored text does not match"),
        "{msg}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), tampered);
}
