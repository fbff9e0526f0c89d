//! Suggesters on the demo corpus, and model predictions with their checks.

use marginalia::model::{DocId, Project, Review};
use marginalia::suggest::{self, Control, Proposal, Suggester};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The demo corpus without any annotation (what a new user starts from).
fn bare_demo() -> Project {
    marginalia::persist::new_project(&root().join("assets/corpus"), Some("demo")).unwrap()
}

fn demo() -> Project {
    marginalia::persist::load_project(&root().join("projects/seed-news.ron"))
        .unwrap()
        .project
}

fn run(project: &Project, with: &str) -> (Vec<Proposal>, marginalia::formats::Report) {
    let cancel = AtomicBool::new(false);
    suggest::run(
        project,
        &Suggester::parse_list(with).unwrap(),
        &Control::none(&cancel),
    )
    .unwrap()
}

fn text<'a>(p: &'a Project, x: &Proposal) -> &'a str {
    &p.doc(x.doc).unwrap().text[x.start..x.end]
}

fn doc_index(p: &Project, id: &str) -> DocId {
    DocId(p.documents.iter().position(|d| d.id == id).unwrap())
}

#[test]
fn quotes_finds_harris_behind_she_and_links_her_to_the_stance() {
    let p = bare_demo();
    let (found, _) = run(&p, "quotes");
    let harris_doc = doc_index(&p, "harris-no-putin-talks-without-ukraine");
    let stance = found
        .iter()
        .position(|x| {
            x.doc == harris_doc
                && x.label == "stance"
                && text(&p, x) == "Ukraine must have a say in the future of Ukraine"
        })
        .expect("the quote is a stance");
    let speaker = found
        .iter()
        .find(|x| {
            x.label == "speaker" && x.links.iter().any(|(k, to)| k == "holds" && *to == stance)
        })
        .expect("a speaker holds it");
    assert_eq!(text(&p, speaker), "she");
    assert_eq!(speaker.attrs.get("entity"), Some("Harris"), "she is Harris");
    // "Harris assured that she would refuse ...": a reported stance, not a quotation.
    assert!(
        found
            .iter()
            .any(|x| x.doc == harris_doc && x.label == "speaker" && text(&p, x) == "Harris")
    );
    assert!(
        found
            .iter()
            .any(|x| text(&p, x).starts_with("she would refuse to meet with Vladimir Putin"))
    );
    assert!(
        found
            .iter()
            .all(|x| x.source == "quotes" && (0.0..=1.0).contains(&x.score))
    );
}

#[test]
fn quotes_finds_khanna_in_the_retracted_letter_article() {
    let p = bare_demo();
    let (found, _) = run(&p, "quotes");
    let letter = doc_index(&p, "progressive-lawmakers-retract-russia-letter");
    let khanna: Vec<_> = found
        .iter()
        .filter(|x| x.doc == letter && x.label == "speaker" && text(&p, x).starts_with("Khanna"))
        .collect();
    assert!(khanna.len() >= 3, "{khanna:?}");
    // “We did not anticipate ...,” Khanna told Foreign Policy: a quotation with a name.
    let quote = found
        .iter()
        .position(|x| {
            x.doc == letter && text(&p, x).starts_with("We did not anticipate that our call")
        })
        .unwrap();
    let by = found
        .iter()
        .find(|x| x.links.iter().any(|(_, to)| *to == quote))
        .unwrap();
    assert_eq!(text(&p, by), "Khanna");
    assert!(by.score > 0.85);
    // "the United States' ongoing efforts": "States" is not a reporting verb.
    assert!(found.iter().all(|x| text(&p, x) != "United"));
}

#[test]
fn quotes_suggestions_become_reviewable_and_accepting_both_makes_the_relation() {
    let mut p = bare_demo();
    let (found, mut report) = run(&p, "quotes");
    let edit = suggest::proposals_edit(&p, &found, &mut report).unwrap();
    p.apply(edit).unwrap();
    let doc = doc_index(&p, "harris-no-putin-talks-without-ukraine");
    let d = p.doc(doc).unwrap();
    let stance = d
        .suggestions()
        .iter()
        .find(|s| s.text == "Ukraine must have a say in the future of Ukraine")
        .unwrap()
        .id;
    let speaker = d
        .suggestions()
        .iter()
        .find(|s| s.links.iter().any(|l| l.to == stance))
        .unwrap()
        .id;
    for id in [speaker, stance] {
        let e = p
            .accept_suggestion_edit(doc, id, None, &Default::default())
            .unwrap();
        p.apply(e).unwrap();
    }
    let d = p.doc(doc).unwrap();
    assert_eq!(d.suggestion(stance).unwrap().review, Review::Accepted);
    assert_eq!(d.relations().len(), 1);
    assert_eq!(
        d.spans()
            .iter()
            .find(|s| s.text == "she")
            .unwrap()
            .origin
            .as_deref(),
        Some("quotes 0.80")
    );
    // Running again proposes nothing twice.
    let (again, mut report) = run(&p, "quotes");
    let e = suggest::proposals_edit(&p, &again, &mut report);
    assert!(e.is_none(), "{report}");
}

#[test]
fn matches_propose_annotated_texts_elsewhere_with_their_usual_label() {
    let p = demo();
    let (found, _) = run(&p, "matches");
    // "Kamala Harris" is a speaker in the demo: other occurrences are proposed as speakers.
    let kamala: Vec<_> = found
        .iter()
        .filter(|x| text(&p, x) == "Kamala Harris")
        .collect();
    assert!(kamala.len() >= 4, "{}", kamala.len());
    assert!(
        kamala
            .iter()
            .all(|x| x.label == "speaker" && x.score == 1.0)
    );
    assert_eq!(kamala[0].attrs.get("entity"), Some("Kamala Harris"));
    // Whole words only.
    assert!(found.iter().all(|x| {
        let t = &p.doc(x.doc).unwrap().text;
        marginalia::model::text::is_word_boundary(t, x.start)
            && marginalia::model::text::is_word_boundary(t, x.end)
    }));
}

#[test]
fn a_gazetteer_proposes_every_listed_name() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names.txt");
    std::fs::write(
        &list,
        "# people and places\nKim Jong Un\nNATO\tevent\nMoscow\tvillain\n",
    )
    .unwrap();
    let p = bare_demo();
    let (found, report) = run(&p, &format!("gazetteer={}", list.display()));
    assert!(
        found
            .iter()
            .any(|x| text(&p, x) == "Kim Jong Un" && x.label == "speaker")
    );
    assert!(
        found
            .iter()
            .any(|x| text(&p, x) == "NATO" && x.label == "event")
    );
    assert!(
        report
            .to_string()
            .contains("names.txt:4: label `villain` is not in the schema"),
        "{report}"
    );
}

#[test]
fn predictions_with_bad_offsets_are_reported_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.jsonl");
    let p = bare_demo();
    let d = &p.documents[0];
    // Code point offsets: the first "Kamala Harris" is at 0..13 in the title line.
    std::fs::write(
        &file,
        format!(
            "{{\"id\": \"{}\", \"spans\": [{{\"start\": 0, \"end\": 13, \"label\": \"speaker\", \"score\": 0.7}}, {{\"start\": 0, \"end\": 5, \"label\": \"speaker\", \"text\": \"Harris\"}}, {{\"start\": 99999, \"end\": 100000, \"label\": \"speaker\"}}]}}\n{{\"id\": \"nope\", \"spans\": []}}\nnot json\n",
            d.id
        ),
    )
    .unwrap();
    let cancel = AtomicBool::new(false);
    let err = suggest::run(
        &p,
        &[Suggester::Predictions(file.clone())],
        &Control::none(&cancel),
    )
    .unwrap_err();
    assert!(err.to_string().contains("model.jsonl:3:"), "{err}");
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("not json\n", ""),
    )
    .unwrap();
    let (found, report) = run(&p, &format!("predictions={}", file.display()));
    assert_eq!(found.len(), 1);
    assert_eq!(text(&p, &found[0]), "Kamala Harris");
    assert_eq!(found[0].score, 0.7);
    assert_eq!(found[0].source, "model");
    let r = report.to_string();
    assert!(
        r.contains("model.jsonl:1: span 2 (0..5) should cover “Harris”"),
        "{r}"
    );
    assert!(
        r.contains("model.jsonl:1: span 3 (99999..100000 speaker) is outside the text"),
        "{r}"
    );
    assert!(r.contains("model.jsonl:2: no document with id nope"), "{r}");
}

#[test]
fn label_studio_predictions_keep_their_relations_as_links() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ls.json");
    let p = bare_demo();
    let d = &p.documents[0];
    let body: &str = &d.text;
    // Code point offsets of the first "Kamala Harris" and of a word later in the text.
    let at = |needle: &str| {
        let b = body.find(needle).unwrap();
        let s = body[..b].chars().count();
        (s, s + needle.chars().count())
    };
    let (hs, he) = at("Kamala Harris");
    let (ss, se) = at("refuses any one-on-one with Putin");
    let region = |id: &str, s: usize, e: usize, label: &str| {
        serde_json::json!({"id": id, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s, "end": e, "labels": [label]}})
    };
    let tasks = serde_json::json!([{
        "data": {"text": body},
        "predictions": [{"model_version": "rel-model", "score": 0.8, "result": [
            region("h", hs, he, "speaker"),
            region("s", ss, se, "stance"),
            {"from_id": "h", "to_id": "s", "type": "relation", "direction": "right", "labels": ["holds"]},
            {"from_id": "h", "to_id": "gone", "type": "relation", "direction": "right", "labels": ["holds"]}
        ]}]
    }]);
    std::fs::write(&file, tasks.to_string()).unwrap();
    let (found, report) = run(&p, &format!("label-studio={}", file.display()));
    assert_eq!(found.len(), 2, "{report}");
    let harris = found.iter().position(|x| x.label == "speaker").unwrap();
    let said = found.iter().position(|x| x.label == "stance").unwrap();
    assert_eq!(text(&p, &found[said]), "refuses any one-on-one with Putin");
    assert_eq!(found[harris].links, [("holds".to_owned(), said)]);
    assert_eq!(found[harris].source, "rel-model");
    // The relation to a region that is not there is said, with the file, not dropped silently.
    assert_eq!(report.get("predicted relations skipped"), 1, "{report}");
    assert!(report.to_string().contains("ls.json"), "{report}");
}
