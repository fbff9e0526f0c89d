//! Adjudication: three annotators who disagree in known ways give a curated project where
//! their agreement is accepted and each disagreement is a suggestion (who made it, their
//! share); the adjudicator resolves them with the review keys in the window.

use egui::{Key, Modifiers};
use marginalia::model::adjudication::curate;
use marginalia::model::agreement::Layer;
use marginalia::model::{
    DocId, DocSource, Document, Edit, Project, Relation, Review, Schema, Status,
};
use marginalia::session::Session;

mod common;

const TEXT: &str = "Kim met Trump in Hanoi.";

/// An annotator's project: (needle, label, entity) spans, and Kim → met relations.
fn annotator(spans: &[(&str, &str, Option<&str>)], kim_met: bool) -> Project {
    let mut d = Document::new(
        "d".into(),
        DocSource::TextFile("d.txt".into()),
        marginalia::model::TextHash::of(""),
        TEXT.into(),
    );
    d.status = Status::InProgress;
    let mut p = Project::new("t".into(), Schema::default(), vec![d]);
    let mut ids = std::collections::HashMap::new();
    for (needle, label, entity) in spans {
        let at = TEXT.find(needle).unwrap();
        let mut s = p.make_span(DocId(0), at, at + needle.len(), label).unwrap();
        if let Some(e) = entity {
            s.attrs.insert("entity".into(), (*e).into());
        }
        ids.insert(*needle, s.id);
        p.apply(Edit::AddSpan {
            doc: DocId(0),
            span: s,
        })
        .unwrap();
    }
    if kim_met {
        let r = Relation::new(
            p.allocate_span_id(),
            "participates_in",
            ids["Kim"],
            ids["met"],
        );
        p.apply(Edit::AddRelation {
            doc: DocId(0),
            relation: r,
        })
        .unwrap();
    }
    p
}

fn three() -> Vec<Project> {
    vec![
        annotator(
            &[
                ("Kim", "speaker", None),
                ("met", "event", None),
                ("Trump", "speaker", Some("Trump")),
            ],
            true,
        ),
        annotator(
            &[
                ("Kim", "speaker", None),
                ("Trump", "speaker", Some("Donald Trump")),
            ],
            false,
        ),
        annotator(&[("Kim", "speaker", None), ("met", "event", None)], true),
    ]
}

fn layers(ps: &[Project]) -> Vec<Layer<'_>> {
    ["anna", "ben", "carl"]
        .iter()
        .zip(ps)
        .map(|(n, project)| Layer {
            annotator: (*n).to_owned(),
            project,
        })
        .collect()
}

#[test]
fn agreement_is_accepted_and_each_disagreement_is_a_suggestion() {
    let ps = three();
    let (curated, summary) = curate(&layers(&ps), "curated");
    let d = &curated.documents[0];
    let spans: Vec<&str> = d.spans().iter().map(|s| s.text.as_str()).collect();
    assert_eq!(spans, ["Kim"], "only what all three made");
    let mut sg: Vec<(String, String, f32, Option<String>)> = d
        .suggestions()
        .iter()
        .map(|s| {
            (
                s.text.clone(),
                s.source.clone(),
                s.score.unwrap().0,
                s.attrs.get("entity").map(str::to_owned),
            )
        })
        .collect();
    sg.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    assert_eq!(
        sg,
        [
            (
                "Trump".into(),
                "anna".into(),
                1.0 / 3.0,
                Some("Trump".into())
            ),
            (
                "Trump".into(),
                "ben".into(),
                1.0 / 3.0,
                Some("Donald Trump".into())
            ),
            ("met".into(), "anna+carl".into(), 2.0 / 3.0, None),
        ]
    );
    assert!(d.suggestions().iter().all(|s| s.review == Review::Pending));
    assert_eq!(summary.agreed, 1);
    assert_eq!(summary.suggestions, 3);
    // Kim (agreed) → met (disputed): a link cannot hold it; counted.
    assert_eq!(summary.relations_not_carried, 1);
    assert_eq!(d.status, Status::InProgress);
}

#[test]
fn the_adjudicator_accepts_and_rejects_with_the_review_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.txt"), TEXT).unwrap();
    // The three annotators' projects on disk, over one corpus file; then the command.
    let mut paths = Vec::new();
    for (name, mut p) in ["anna", "ben", "carl"].into_iter().zip(three()) {
        p.documents[0].source = DocSource::TextFile(dir.path().join("d.txt"));
        p.documents[0].hash = marginalia::persist::corpus::hash_text(TEXT);
        let path = dir.path().join(format!("{name}.ron"));
        marginalia::persist::save_project(&p, &path).unwrap();
        paths.push(path);
    }
    let curated = dir.path().join("curated.ron");
    assert_cmd::Command::cargo_bin("marginalia")
        .unwrap()
        .arg("adjudicate")
        .args(&paths)
        .arg("-o")
        .arg(&curated)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "1 spans every annotator made, 3 disagreements",
        ));

    let (session, _) = Session::open(&curated).unwrap();
    let mut h = common::harness(session);
    let doc = |h: &egui_kittest::Harness<'_, _>| {
        let app: &marginalia::ui::app::MarginaliaApp = h.state();
        app.session().unwrap().project().documents[0].clone()
    };
    let first = doc(&h)
        .suggestions()
        .iter()
        .min_by_key(|s| s.key())
        .unwrap()
        .clone();
    // J opens the review on the first disagreement, Enter accepts it, X rejects the next.
    h.key_press_modifiers(Modifiers::NONE, Key::J);
    h.run();
    assert_eq!(h.state().focused_suggestion(), Some(first.key()));
    h.key_press_modifiers(Modifiers::NONE, Key::Enter);
    h.run();
    h.key_press_modifiers(Modifiers::NONE, Key::X);
    h.run();
    let d = doc(&h);
    assert!(
        d.spans()
            .iter()
            .any(|s| s.start == first.start && s.label == first.label)
    );
    let reviews: Vec<Review> = d.suggestions().iter().map(|s| s.review).collect();
    assert_eq!(
        reviews.iter().filter(|r| **r == Review::Accepted).count(),
        1
    );
    assert_eq!(
        reviews.iter().filter(|r| **r == Review::Rejected).count(),
        1
    );
    assert_eq!(reviews.iter().filter(|r| **r == Review::Pending).count(), 1);
}
