//! The JSON formats (doccano, Label Studio, Prodigy): real Prodigy files and a project over
//! awkward text round-trip (import, export, import again) with the same spans, relations,
//! attributes, notes and suggestions, compared as sets; offsets are in each format's unit;
//! bad lines and bad offsets are located, reported and never a panic.

use marginalia::formats::build::build_project;
use marginalia::formats::export::{ExportFilter, select};
use marginalia::formats::{self, Format, Imported, Report};
use marginalia::model::{
    DocId, Edit, Project, Relation, Review, Score, Span, SpanId, SuggestedLink, Suggestion,
};
use marginalia::persist::{self, ProblemKind, load_project, save_project};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/prodigy")
        .join(name)
}

/// A span by document and place: (doc id, start, end, label, text).
type SpanRow = (String, usize, usize, String, String);
/// A relation by its ends' places: (doc id, kind, (start, end, label) → (start, end, label)).
type End = (usize, usize, String);
type RelationRow = (String, String, End, End);
/// A suggestion: (doc id, start, end, label, source, score bits, review, attributes).
type SuggestionRow = (
    String,
    usize,
    usize,
    String,
    String,
    Option<u32>,
    String,
    String,
);

/// Everything an import (or a project) holds, by document id and byte positions rather than
/// ids, so that two can be compared as sets.
#[derive(Debug, Default, PartialEq, Eq)]
struct Content {
    spans: BTreeSet<SpanRow>,
    relations: BTreeSet<RelationRow>,
    /// (doc id, start, end, attribute, value).
    attributes: BTreeSet<(String, usize, usize, String, String)>,
    /// (doc id, start, end, note).
    notes: BTreeSet<(String, usize, usize, String)>,
    suggestions: BTreeSet<SuggestionRow>,
    /// Proposed relations between suggestions: (doc id, type, from, to).
    links: BTreeSet<RelationRow>,
}

fn attrs_text(a: &marginalia::model::Attrs) -> String {
    format!("{a:?}")
}

fn content(imported: &Imported) -> Content {
    let mut c = Content::default();
    for d in &imported.docs {
        for s in &d.spans {
            let text = d.text[s.start..s.end].to_owned();
            c.spans
                .insert((d.id.clone(), s.start, s.end, s.label.clone(), text));
            for (k, v) in &s.attrs {
                c.attributes
                    .insert((d.id.clone(), s.start, s.end, k.to_owned(), v.to_owned()));
            }
            if let Some(n) = &s.note {
                c.notes.insert((d.id.clone(), s.start, s.end, n.clone()));
            }
        }
        for r in &d.relations {
            let (a, b) = (&d.spans[r.from], &d.spans[r.to]);
            c.relations.insert((
                d.id.clone(),
                r.kind.clone(),
                (a.start, a.end, a.label.clone()),
                (b.start, b.end, b.label.clone()),
            ));
        }
        for s in &d.suggestions {
            c.suggestions.insert((
                d.id.clone(),
                s.start,
                s.end,
                s.label.clone(),
                s.source.clone(),
                s.score.map(f32::to_bits),
                s.review.name().to_owned(),
                attrs_text(&s.attrs),
            ));
            for (kind, to) in &s.links {
                let b = &d.suggestions[*to];
                c.links.insert((
                    d.id.clone(),
                    kind.clone(),
                    (s.start, s.end, s.label.clone()),
                    (b.start, b.end, b.label.clone()),
                ));
            }
        }
    }
    c
}

/// The same view of a project (what an export should carry).
fn project_content(p: &Project) -> Content {
    let mut c = Content::default();
    for d in &p.documents {
        let end = |id: SpanId| {
            let s = d.span_by_id(id).unwrap();
            (s.start, s.end, s.label.clone())
        };
        for s in d.spans() {
            c.spans.insert((
                d.id.clone(),
                s.start,
                s.end,
                s.label.clone(),
                s.text.clone(),
            ));
            for (k, v) in &s.attrs {
                c.attributes
                    .insert((d.id.clone(), s.start, s.end, k.to_owned(), v.to_owned()));
            }
            if let Some(n) = &s.note {
                c.notes.insert((d.id.clone(), s.start, s.end, n.clone()));
            }
        }
        for r in d.relations() {
            c.relations
                .insert((d.id.clone(), r.kind.clone(), end(r.from), end(r.to)));
        }
        for s in d.suggestions() {
            c.suggestions.insert((
                d.id.clone(),
                s.start,
                s.end,
                s.label.clone(),
                s.source.clone(),
                s.score.map(|x| x.0.to_bits()),
                s.review.name().to_owned(),
                attrs_text(&s.attrs),
            ));
            for link in &s.links {
                let b = d.suggestion(link.to).unwrap();
                c.links.insert((
                    d.id.clone(),
                    link.kind.clone(),
                    (s.start, s.end, s.label.clone()),
                    (b.start, b.end, b.label.clone()),
                ));
            }
        }
    }
    c
}

/// Imported documents become a project that is saved and loaded again, as the app does.
fn build_save_load(imported: Imported, dir: &Path) -> Project {
    let path = dir.join("imported.ron");
    let from_import = imported.report.notes.len();
    let (project, corpus, report) = build_project(imported, &path, "imported", None);
    assert!(
        report.notes.len() == from_import,
        "building reported problems: {report}"
    );
    if let Some(mut c) = corpus {
        c.write().unwrap();
    }
    save_project(&project, &path).unwrap();
    load_project(&path).unwrap().project
}

/// Exports every document of `project` in `format` to `file`, writing what the export made.
fn export_to(format: Format, project: &Project, file: &Path) -> (String, Report) {
    let docs = select(project, &ExportFilter::default());
    let mut report = Report::default();
    let output = formats::export(format, &docs, &project.schema, file, &mut report);
    assert_eq!(output.files.len(), 1, "a single-file format");
    let (path, text) = &output.files[0];
    assert_eq!(path, file);
    std::fs::write(path, text).unwrap();
    (text.clone(), report)
}

/// Import a Prodigy file, make a project of it (saved and loaded), export it, import that.
fn prodigy_round_trip(name: &str) -> (Imported, Imported, String) {
    let tmp = tempfile::tempdir().unwrap();
    let first = formats::import(Format::Prodigy, &[fixture(name)]).unwrap();
    let again = formats::import(Format::Prodigy, &[fixture(name)]).unwrap();
    let project = build_save_load(again, tmp.path());
    let out = tmp.path().join("out.jsonl");
    let (text, _) = export_to(Format::Prodigy, &project, &out);
    let second = formats::import(Format::Prodigy, &[out]).unwrap();
    (first, second, text)
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn prodigy_relation_tutorial_round_trips() {
    let (first, second, exported) = prodigy_round_trip("annotations.jsonl");
    assert!(first.report.notes.is_empty(), "{}", first.report);
    assert_eq!(first.docs.len(), 149);
    let before = content(&first);
    assert_eq!(before.spans.len(), 466);
    // 267 relations in the file, 4 of them repeated within their task.
    assert_eq!(before.relations.len(), 263);
    assert_eq!(first.report.get("duplicate relations merged"), 4);

    // First line: "Furthermore, Smad-phosphorylation was followed by upregulation of Id1 mRNA".
    let id = "annotations-1".to_owned();
    assert!(
        before
            .spans
            .contains(&(id.clone(), 13, 17, "GGP".into(), "Smad".into()))
    );
    assert!(before.relations.contains(&(
        id.clone(),
        "Pos-Reg".into(),
        (13, 17, "GGP".into()),
        (66, 69, "GGP".into())
    )));
    // Line 61: the head_span of "TGF-beta" says token_start 2 while the span says 0; the
    // offsets still find it.
    assert!(before.relations.contains(&(
        "annotations-61".into(),
        "Pos-Reg".into(),
        (0, 8, "GGP".into()),
        (18, 22, "GGP".into())
    )));
    let meta = &first.docs[0].meta;
    assert_eq!(
        meta.get("source"),
        Some("BioNLP 2011 Genia Shared Task, PMC-1134658-00-TIAB.txt")
    );

    assert_eq!(before, content(&second), "the same after a round trip");
    assert_eq!(second.docs[0].id, id, "the document id travels in meta");
    assert_eq!(second.docs[0].meta, first.docs[0].meta);

    // Relations point at the last token of each span, as Prodigy's own do.
    let task = &lines(&exported)[0];
    let tokens = task["tokens"].as_array().unwrap();
    for rel in task["relations"].as_array().unwrap() {
        assert_eq!(rel["head"], rel["head_span"]["token_end"]);
        assert_eq!(rel["child"], rel["child_span"]["token_end"]);
    }
    for span in task["spans"].as_array().unwrap() {
        let (ts, te) = (
            span["token_start"].as_u64().unwrap() as usize,
            span["token_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(tokens[ts]["start"], span["start"]);
        assert_eq!(tokens[te]["end"], span["end"], "token_end is inclusive");
    }
    assert_eq!(task["answer"], "accept");
    // Every task's tokens come back exactly as they were read (`disabled` flags included),
    // and so do the spans' token indices.
    let original = lines(&std::fs::read_to_string(fixture("annotations.jsonl")).unwrap());
    let written = lines(&exported);
    assert_eq!(original.len(), written.len());
    for (a, b) in original.iter().zip(&written) {
        assert_eq!(a["tokens"], b["tokens"]);
        assert_eq!(a["_task_hash"], b["_task_hash"]);
        let key = |t: &Value| {
            let mut v: Vec<String> = t["spans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    format!(
                        "{} {} {} {}",
                        s["start"], s["end"], s["token_start"], s["token_end"]
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(key(a), key(b));
    }
}

/// Two articles with the same text are two documents when their meta ids differ; tasks of
/// one text without ids are still one document.
#[test]
fn prodigy_tasks_with_one_text_are_kept_apart_by_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.jsonl");
    let text = "Harris met Kim.";
    std::fs::write(
        &f,
        [
            serde_json::json!({"text": text, "meta": {"id": "a"}, "spans": [{"start": 0, "end": 6, "label": "PER"}], "answer": "accept"}),
            serde_json::json!({"text": text, "meta": {"id": "b"}, "spans": [{"start": 11, "end": 14, "label": "PER"}], "answer": "accept"}),
            serde_json::json!({"text": "Same text.", "spans": [{"start": 0, "end": 4, "label": "X"}], "answer": "accept"}),
            serde_json::json!({"text": "Same text.", "spans": [{"start": 5, "end": 9, "label": "X"}], "answer": "reject"}),
        ]
        .iter()
        .map(|v| v.to_string() + "\n")
        .collect::<String>(),
    )
    .unwrap();
    let imported = formats::import(Format::Prodigy, &[f]).unwrap();
    let ids: Vec<&str> = imported.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "t-3"]);
    assert_eq!(imported.docs[0].spans.len(), 1);
    assert_eq!(imported.docs[1].spans.len(), 1);
    assert_eq!(
        imported.docs[2].suggestions.len(),
        1,
        "the rejected task joined its text"
    );
}

#[test]
fn prodigy_entity_linking_tutorial_round_trips() {
    let (first, second, exported) = prodigy_round_trip("emerson_annotated_text.jsonl");
    assert_eq!(first.docs.len(), 30);
    let before = content(&first);
    assert_eq!(before.spans.len(), 30);
    assert!(before.spans.contains(&(
        "emerson_annotated_text-1".into(),
        15,
        22,
        "ORG".into(),
        "Emerson".into()
    )));
    // The linked entity and the options are kept as meta; the span's model fields are
    // named in the report, not dropped silently.
    let meta = &first.docs[0].meta;
    assert_eq!(meta.get("accept"), Some(r#"["Q312545"]"#));
    assert!(meta.get("options").unwrap().contains("Q48226"));
    assert!(
        first
            .report
            .notes
            .iter()
            .any(|n| n.message.contains("span fields not kept") && n.message.contains("rank"))
    );
    // Some texts are not ASCII: code point offsets differ from bytes there.
    assert!(first.docs.iter().any(|d| !d.text.is_ascii()));

    assert_eq!(before, content(&second));
    // Prodigy's own keys come back; the tokens the export made are Marginalia's own, so
    // they are not held in meta.
    assert_eq!(meta.get("_input_hash"), Some("2024197919"));
    assert_eq!(first.docs[0].meta, second.docs[0].meta);
    let task = &lines(&exported)[0];
    assert_eq!(
        task["_input_hash"], 2024197919,
        "at the top of the task, a number"
    );
    assert_eq!(task["_task_hash"], -1926469210);
    assert!(task["meta"].get("_input_hash").is_none());
    assert_eq!(lines(&exported).len(), 30, "one task per document");
}

#[test]
fn prodigy_answers_merges_and_token_relations() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tasks.jsonl");
    // "😀 Merkel met Kim." : Merkel is code points 2..8 (bytes 5..11).
    let text = "😀 Merkel met Kim.";
    let tasks = [
        // Accepted, with a relation whose head_span does not match: the head token finds it.
        serde_json::json!({"text": text, "_input_hash": 7, "answer": "accept",
            "spans": [{"start": 2, "end": 8, "token_start": 1, "token_end": 1, "label": "speaker", "text": "Merkel"},
                      {"start": 9, "end": 16, "token_start": 2, "token_end": 3, "label": "event"}],
            "relations": [{"head": 1, "child": 3, "label": "participates_in",
                           "head_span": {"start": 0, "end": 1}, "child_span": {"start": 9, "end": 16, "label": "event"}}]}),
        // The same text again: merged, its repeated span dropped, its new one kept.
        serde_json::json!({"text": text, "_input_hash": 7,
            "spans": [{"start": 2, "end": 8, "label": "speaker"}, {"start": 13, "end": 16, "label": "speaker"}]}),
        // Rejected: a negative example, kept as a rejected suggestion.
        serde_json::json!({"text": text, "answer": "reject", "spans": [{"start": 0, "end": 1, "label": "event", "score": 0.5}]}),
        serde_json::json!({"text": "Skipped text.", "answer": "ignore"}),
        // A span whose text does not match: reported with its line, skipped.
        serde_json::json!({"text": "Other text", "spans": [{"start": 0, "end": 5, "label": "event", "text": "Wrong"}]}),
    ];
    let jsonl: String = tasks.iter().map(|t| format!("{t}\n")).collect();
    std::fs::write(&path, jsonl).unwrap();
    let imported = formats::import(Format::Prodigy, std::slice::from_ref(&path)).unwrap();
    assert_eq!(imported.docs.len(), 2, "{:?}", imported.docs);
    let d = &imported.docs[0];
    assert_eq!(d.id, "tasks-1");
    let spans: Vec<_> = d
        .spans
        .iter()
        .map(|s| (&d.text[s.start..s.end], s.label.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            ("Merkel", "speaker"),
            ("met Kim", "event"),
            ("Kim", "speaker")
        ]
    );
    assert_eq!(d.relations.len(), 1);
    assert_eq!((d.relations[0].from, d.relations[0].to), (0, 1));
    assert_eq!(d.suggestions.len(), 1);
    let s = &d.suggestions[0];
    assert_eq!(
        (
            &d.text[s.start..s.end],
            s.review,
            s.source.as_str(),
            s.score
        ),
        ("😀", Review::Rejected, "prodigy", Some(0.5))
    );
    let r = &imported.report;
    assert_eq!(r.get("tasks merged (same text)"), 2);
    assert_eq!(r.get("duplicate spans merged"), 1);
    assert_eq!(r.get("ignored tasks skipped"), 1);
    assert_eq!(r.get("spans skipped"), 1);
    assert!(
        r.notes
            .iter()
            .any(|n| n.line == Some(5) && n.message.contains("Wrong")),
        "{r}"
    );

    // Rejected suggestions go out as a rejected task and come back as such.
    let project = build_save_load(imported, tmp.path());
    let out = tmp.path().join("out.jsonl");
    let (exported, _) = export_to(Format::Prodigy, &project, &out);
    let tasks = lines(&exported);
    assert_eq!(tasks.len(), 3, "two documents and one rejected task");
    assert_eq!(tasks[1]["answer"], "reject");
    assert_eq!(tasks[1]["spans"][0]["start"], 0);
    let again = formats::import(Format::Prodigy, &[out]).unwrap();
    assert_eq!(content(&again), project_content(&project));
}

/// A text where bytes, code points and UTF-16 units all differ: curly quotes, an em dash,
/// CJK, a combining accent, CRLF and emoji.
const RICH: &str =
    "“No deal” — Harris said.\r\n習近平 met Kim 😀 in Cafe\u{301} Lumière.\r\nMerkel 👍 agreed.";

fn find(p: &Project, needle: &str) -> (usize, usize) {
    let start = p.documents[0].text.find(needle).unwrap();
    (start, start + needle.len())
}

fn add_span(
    p: &mut Project,
    needle: &str,
    label: &str,
    attrs: &[(&str, &str)],
    note: Option<&str>,
) -> SpanId {
    let (start, end) = find(p, needle);
    let mut span: Span = p.make_span(DocId(0), start, end, label).unwrap();
    span.attrs = attrs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    span.note = note.map(str::to_owned);
    let id = span.id;
    p.apply(Edit::AddSpan {
        doc: DocId(0),
        span,
    })
    .unwrap();
    id
}

fn add_relation(p: &mut Project, kind: &str, from: SpanId, to: SpanId) {
    let relation = Relation::new(p.allocate_span_id(), kind.to_owned(), from, to);
    p.apply(Edit::AddRelation {
        doc: DocId(0),
        relation,
    })
    .unwrap();
}

fn add_suggestion(
    p: &mut Project,
    needle: &str,
    label: &str,
    source: &str,
    score: Option<f32>,
    review: Review,
    links: Vec<SuggestedLink>,
) -> SpanId {
    let (start, end) = find(p, needle);
    let id = p.allocate_span_id();
    let suggestion = Suggestion {
        id,
        start,
        end,
        label: label.to_owned(),
        text: needle.to_owned(),
        attrs: marginalia::model::Attrs::new(),
        source: source.to_owned(),
        score: score.map(Score),
        review,
        span: None,
        links,
    };
    p.apply(Edit::AddSuggestion {
        doc: DocId(0),
        suggestion,
    })
    .unwrap();
    id
}

/// A project over [`RICH`] with the news schema: spans with attributes and notes (one
/// across the CRLF), relations, and suggestions pending and rejected.
fn rich_project(dir: &Path) -> Project {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), RICH).unwrap();
    let mut p = persist::new_project(&corpus, Some("t")).unwrap();
    assert_eq!(&*p.documents[0].text, RICH, "CRLF kept");
    let no_deal = add_span(
        &mut p,
        "“No deal”",
        "stance",
        &[("polarity", "against"), ("target", "the deal")],
        Some("quoted — twice"),
    );
    let harris = add_span(
        &mut p,
        "Harris",
        "speaker",
        &[("entity", "Kamala Harris")],
        None,
    );
    let xi = add_span(&mut p, "習近平", "speaker", &[], Some("習 = Xi"));
    let met = add_span(&mut p, "met Kim", "event", &[("type", "meeting")], None);
    add_span(
        &mut p,
        "Cafe\u{301} Lumière",
        "event",
        &[("type", "other"), ("when", "today")],
        None,
    );
    add_span(&mut p, "Lumière.\r\nMerkel", "stance", &[], None);
    let merkel = add_span(&mut p, "Merkel", "speaker", &[], None);
    let agreed = add_span(
        &mut p,
        "agreed",
        "stance",
        &[("polarity", "favor")],
        Some("after 👍"),
    );
    add_relation(&mut p, "holds", harris, no_deal);
    add_relation(&mut p, "participates_in", xi, met);
    add_relation(&mut p, "holds", merkel, agreed);
    // A suggester's proposal: "Kim" (speaker) participates in "met" (event).
    let met_suggested = add_suggestion(
        &mut p,
        "met",
        "event",
        "ner-model",
        Some(0.5),
        Review::Pending,
        vec![],
    );
    let link = SuggestedLink {
        kind: "participates_in".into(),
        to: met_suggested,
    };
    add_suggestion(
        &mut p,
        "Kim",
        "speaker",
        "ner-model",
        Some(0.75),
        Review::Pending,
        vec![link],
    );
    add_suggestion(
        &mut p,
        "😀",
        "event",
        "emoji-bot",
        None,
        Review::Pending,
        vec![],
    );
    add_suggestion(
        &mut p,
        "Lumière",
        "speaker",
        "ner-model",
        Some(0.25),
        Review::Rejected,
        vec![],
    );
    p
}

// "agreed" in RICH, counted by hand:
// line 1 “No deal” — Harris said.\r\n : 26 code points = 26 UTF-16 units (all in the BMP),
//   32 bytes (“ ” — are 3 bytes each);
// line 2 習近平 met Kim 😀 in Cafe\u{301} Lumière.\r\n : 3 + 9 + 1 (😀) + 4 + 5 + 9 + 2 = 33
//   code points, 34 UTF-16 units (😀 is a surrogate pair), 44 bytes;
// then "Merkel 👍 " : 9 code points, 10 UTF-16 units, 12 bytes.
const AGREED_BYTES: usize = 32 + 44 + 12;
const AGREED_CODE_POINTS: u64 = 26 + 33 + 9;
const AGREED_UTF16: u64 = 26 + 34 + 10;

#[test]
fn hand_counted_offsets_are_right() {
    assert_eq!(RICH.find("agreed"), Some(AGREED_BYTES));
    assert_eq!(
        RICH[..AGREED_BYTES].chars().count() as u64,
        AGREED_CODE_POINTS
    );
    assert_eq!(
        RICH[..AGREED_BYTES].encode_utf16().count() as u64,
        AGREED_UTF16
    );
}

#[test]
fn doccano_round_trips_rich_text_in_utf16() {
    let tmp = tempfile::tempdir().unwrap();
    let project = rich_project(tmp.path());
    let out = tmp.path().join("out.jsonl");
    let (text, report) = export_to(Format::Doccano, &project, &out);
    assert_eq!(report.get("suggestions not exported"), 4);
    assert_eq!(report.get("spans"), 8);

    let line = &lines(&text)[0];
    assert_eq!(line["id"], "a");
    let agreed = line["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "stance" && e["attrs"]["polarity"] == "favor")
        .unwrap();
    assert_eq!(agreed["start_offset"], AGREED_UTF16);
    assert_eq!(agreed["end_offset"], AGREED_UTF16 + 6);
    assert_eq!(agreed["note"], "after 👍");
    assert_eq!(line["relations"].as_array().unwrap().len(), 3);

    let back = formats::import(Format::Doccano, &[out]).unwrap();
    assert!(back.report.notes.is_empty(), "{}", back.report);
    let mut expected = project_content(&project);
    // doccano has no place for suggestions (counted in the export report).
    expected.suggestions.clear();
    expected.links.clear();
    assert_eq!(content(&back), expected);
    // And the import makes a project again, attributes included.
    let rebuilt = build_save_load(back, tmp.path());
    let mut again = project_content(&rebuilt);
    again.suggestions.clear();
    assert_eq!(again, expected);
}

#[test]
fn label_studio_round_trips_rich_text_in_code_points() {
    let tmp = tempfile::tempdir().unwrap();
    let project = rich_project(tmp.path());
    let out = tmp.path().join("out.json");
    let (text, report) = export_to(Format::LabelStudio, &project, &out);
    assert_eq!(report.get("rejected suggestions not exported"), 1);
    assert_eq!(report.get("suggestions"), 3);
    assert_eq!(report.get("suggested links not exported"), 0);

    let tasks: Value = serde_json::from_str(&text).unwrap();
    let result = tasks[0]["annotations"][0]["result"].as_array().unwrap();
    let agreed = result
        .iter()
        .find(|r| r["type"] == "labels" && r["value"]["text"] == "agreed")
        .unwrap();
    assert_eq!(agreed["value"]["start"], AGREED_CODE_POINTS);
    assert_eq!(agreed["value"]["end"], AGREED_CODE_POINTS + 6);
    // Its attribute and note are per-region results with the same id.
    let polarity = result
        .iter()
        .find(|r| r["id"] == agreed["id"] && r["type"] == "choices")
        .unwrap();
    assert_eq!(polarity["from_name"], "polarity");
    assert_eq!(polarity["value"]["choices"][0], "favor");
    let note = result
        .iter()
        .find(|r| r["id"] == agreed["id"] && r["type"] == "textarea")
        .unwrap();
    assert_eq!(note["value"]["text"][0], "after 👍");
    let predictions = tasks[0]["predictions"].as_array().unwrap();
    let sources: Vec<&str> = predictions
        .iter()
        .map(|p| p["model_version"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["emoji-bot", "ner-model"], "one per source");
    // The suggested link is a predicted relation between the two regions.
    let ner = predictions[1]["result"].as_array().unwrap();
    let region = |text: &str| {
        ner.iter()
            .find(|r| r["type"] == "labels" && r["value"]["text"] == text)
            .map(|r| r["id"].clone())
            .unwrap()
    };
    let relation = ner.iter().find(|r| r["type"] == "relation").unwrap();
    assert_eq!(relation["from_id"], region("Kim"));
    assert_eq!(relation["to_id"], region("met"));
    assert_eq!(relation["labels"][0], "participates_in");

    let back = formats::import(Format::LabelStudio, &[out]).unwrap();
    // The predicted relation comes back as a link between the two suggestions.
    assert_eq!(back.report.get("predicted relations skipped"), 0);
    assert!(back.report.notes.is_empty(), "{}", back.report);
    let mut expected = project_content(&project);
    expected.suggestions.retain(|s| s.6 == "pending");
    assert_eq!(expected.suggestions.len(), 3);
    assert_eq!(expected.links.len(), 1);
    assert_eq!(content(&back), expected);
    let rebuilt = build_save_load(back, tmp.path());
    assert_eq!(project_content(&rebuilt), expected);
}

#[test]
fn prodigy_exports_rich_text_in_code_points_with_whole_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let mut project = rich_project(tmp.path());
    // "Lumi" ends inside the token "Lumière": exported exactly, stretched in tokens only.
    add_span(&mut project, "Lumi", "speaker", &[], None);
    let out = tmp.path().join("out.jsonl");
    let (text, report) = export_to(Format::Prodigy, &project, &out);
    assert_eq!(report.get("spans off token boundaries"), 1);
    assert_eq!(report.get("pending suggestions not exported"), 3);
    let tasks = lines(&text);
    assert_eq!(tasks.len(), 2, "accepted task and rejected task");
    let spans = tasks[0]["spans"].as_array().unwrap();
    let agreed = spans.iter().find(|s| s["text"] == "agreed").unwrap();
    assert_eq!(agreed["start"], AGREED_CODE_POINTS);
    let lumi = spans.iter().find(|s| s["text"] == "Lumi").unwrap();
    let token = &tasks[0]["tokens"][lumi["token_start"].as_u64().unwrap() as usize];
    assert_eq!(token["text"], "Lumière");
    assert_eq!(lumi["token_start"], lumi["token_end"]);
    assert_eq!(lumi["start"], token["start"]);
    assert_eq!(
        lumi["end"].as_u64().unwrap(),
        token["start"].as_u64().unwrap() + 4
    );
    assert_eq!(tasks[1]["answer"], "reject");

    let back = formats::import(Format::Prodigy, &[out]).unwrap();
    let mut expected = project_content(&project);
    expected.suggestions.retain(|s| s.6 == "rejected");
    // Only rejected suggestions travel (as a rejected task), and their links do not.
    expected.links.clear();
    // A rejected task's spans come back with the source `prodigy` (and their score).
    expected.suggestions = expected
        .suggestions
        .into_iter()
        .map(|mut s| {
            s.4 = "prodigy".into();
            s
        })
        .collect();
    assert_eq!(content(&back), expected);
}

#[test]
fn doccano_label_form_and_data_key_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("old.jsonl");
    // "😀 Merkel" : Merkel is UTF-16 units 3..9 (the emoji is two units, then a space).
    let jsonl = concat!(
        r#"{"text": "😀 Merkel said “no”.", "label": [[3, 9, "speaker"], [15, 19, "stance"]], "source": "wire", "score": 3}"#,
        "\n\n",
        r#"{"id": 42, "data": "Kim met Xi", "labels": [[0, 3, "speaker"]], "meta": {"url": "http://x"}}"#,
        "\n",
        r#"{"text": "Good news", "label": ["POSITIVE"]}"#,
        "\n",
    );
    std::fs::write(&path, jsonl).unwrap();
    let imported = formats::import(Format::Doccano, &[path]).unwrap();
    let c = content(&imported);
    let expected: BTreeSet<SpanRow> = [
        ("old-1", 5, 11, "speaker", "Merkel"),
        ("old-1", 17, 25, "stance", "“no”"),
        ("42", 0, 3, "speaker", "Kim"),
    ]
    .into_iter()
    .map(|(d, s, e, l, t)| (d.to_owned(), s, e, l.to_owned(), t.to_owned()))
    .collect();
    assert_eq!(c.spans, expected);
    let meta = |i: usize, k: &str| imported.docs[i].meta.get(k).map(str::to_owned);
    assert_eq!(meta(0, "source").as_deref(), Some("wire"));
    assert_eq!(meta(0, "score").as_deref(), Some("3"));
    assert_eq!(meta(1, "url").as_deref(), Some("http://x"));
    assert_eq!(
        imported.docs[2].id, "old-4",
        "line numbers count blank lines"
    );
    // Document labels have no span to go on: kept as meta, and said.
    assert_eq!(meta(2, "label").as_deref(), Some(r#"["POSITIVE"]"#));
    assert_eq!(imported.report.get("document labels kept as meta"), 1);
}

#[test]
fn a_broken_doccano_line_is_named_by_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("broken.jsonl");
    std::fs::write(
        &path,
        "{\"text\": \"fine\"}\n{\"text\": \"oops\", \"label\": [[0, 2, \"x\"]\n{\"text\": \"fine\"}\n[1, 2]\n{\"no_text\": 1}\n",
    )
    .unwrap();
    let e = formats::import(Format::Doccano, &[path]).unwrap_err();
    let lines: Vec<_> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(2), Some(4), Some(5)], "every bad line: {e}");
    assert!(e.has(ProblemKind::Syntax));
    let msg = e.to_string();
    assert!(msg.contains("broken.jsonl:2:"), "{msg}");
}

#[test]
fn bad_doccano_offsets_are_reported_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("offsets.jsonl");
    // "a😀b": 😀 is UTF-16 units 1..3; 2 falls between its halves; the text is 4 units.
    let jsonl = concat!(
        r#"{"text": "a😀b", "label": [[0, 2, "half"], [2, 4, "half"], [3, 9, "past"], [3, 1, "reversed"], [1, 3, "emoji"]]}"#,
        "\n",
        r#"{"text": "a😀b", "entities": [{"id": 1, "label": "x", "start_offset": 0, "end_offset": 99}, {"id": 2, "label": "y", "start_offset": "0", "end_offset": 1}], "relations": [{"id": 3, "from_id": 1, "to_id": 2, "type": "r"}]}"#,
        "\n",
    );
    std::fs::write(&path, jsonl).unwrap();
    let imported = formats::import(Format::Doccano, &[path]).unwrap();
    let d = &imported.docs[0];
    assert_eq!(d.spans.len(), 1);
    assert_eq!(&d.text[d.spans[0].start..d.spans[0].end], "😀");
    assert!(imported.docs[1].spans.is_empty());
    let r = &imported.report;
    assert_eq!(r.get("spans skipped"), 6);
    assert_eq!(r.get("relations skipped"), 1);
    let notes = |line: usize| {
        r.notes
            .iter()
            .filter(|n| n.line == Some(line))
            .map(|n| n.message.clone())
            .collect::<Vec<_>>()
    };
    let first = notes(1).join("\n");
    assert!(first.contains("surrogate pair"), "{first}");
    assert!(first.contains("past the end"), "{first}");
    assert!(first.contains("reversed"), "{first}");
    let second = notes(2).join("\n");
    assert!(second.contains("not a whole number"), "{second}");
    assert!(r.notes.iter().all(|n| n.file.ends_with("offsets.jsonl")));
}

#[test]
fn label_studio_predictions_become_suggestions_with_their_score() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ls.json");
    let tasks = serde_json::json!([
        {
            "id": 7,
            "data": {"text": "😀 Merkel met Kim.", "source": "wire"},
            "created_at": "2024-01-01",
            "annotations": [{"result": [
                {"id": "a1", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": 2, "end": 8, "text": "Merkel", "labels": ["speaker"]}},
                {"id": "a1", "from_name": "entity", "to_name": "text", "type": "textarea",
                 "value": {"start": 2, "end": 8, "text": ["Angela Merkel"]}}
            ]}],
            "predictions": [
                {"model_version": "ner-v2", "score": 0.5, "result": [
                    {"id": "p1", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.9,
                     "value": {"start": 13, "end": 16, "text": "Kim", "labels": ["speaker"]}},
                    {"id": "p2", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": 9, "end": 12, "text": "met", "labels": ["event"]}}
                ]},
                {"result": [
                    {"id": "p3", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": 0, "end": 1, "text": "😀", "labels": ["event"]}}
                ]}
            ]
        },
        // Text under another key, and offsets counted the old way (UTF-16): both read, and said.
        {"data": {"content": "😀 Kim"}, "annotations": [{"result": [
            {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 3, "end": 6, "text": "Kim", "labels": ["speaker"]}}
        ]}]}
    ]);
    std::fs::write(&path, serde_json::to_string_pretty(&tasks).unwrap()).unwrap();
    let imported = formats::import(Format::LabelStudio, &[path]).unwrap();
    assert_eq!(imported.docs.len(), 2);
    let d = &imported.docs[0];
    assert_eq!(d.id, "7");
    assert_eq!(d.meta.get("source"), Some("wire"));
    assert_eq!(d.spans.len(), 1);
    assert_eq!(d.spans[0].attrs.get("entity"), Some("Angela Merkel"));
    let got: Vec<_> = d
        .suggestions
        .iter()
        .map(|s| {
            (
                &d.text[s.start..s.end],
                s.label.as_str(),
                s.source.as_str(),
                s.score,
                s.review,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Kim", "speaker", "ner-v2", Some(0.9), Review::Pending),
            ("met", "event", "ner-v2", Some(0.5), Review::Pending),
            ("😀", "event", "label-studio", None, Review::Pending),
        ]
    );
    let d = &imported.docs[1];
    assert_eq!(d.id, "ls-2");
    assert_eq!(&d.text[d.spans[0].start..d.spans[0].end], "Kim");
    let r = &imported.report;
    assert_eq!(r.get("texts read from another data field"), 1);
    assert_eq!(r.get("spans with UTF-16 offsets (older Label Studio)"), 1);
    // The second task starts on its own line of the pretty-printed file.
    let note = r
        .notes
        .iter()
        .find(|n| n.message.contains("data.content"))
        .unwrap();
    assert!(note.line.unwrap() > 20, "{note}");
    assert!(
        r.notes
            .iter()
            .any(|n| n.message.contains("task fields not kept: created_at"))
    );

    // Suggestions survive a project and come out as predictions again.
    let project = build_save_load(imported, tmp.path());
    assert_eq!(project.documents[0].suggestions().len(), 3);
    let kim = project.documents[0]
        .suggestions()
        .iter()
        .find(|s| s.text == "Kim")
        .unwrap();
    assert_eq!(
        (kim.score, kim.source.as_str()),
        (Some(Score(0.9)), "ner-v2")
    );
}

#[test]
fn broken_label_studio_json_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.json");
    std::fs::write(
        &path,
        "[\n  {\"data\": {\"text\": \"a\"}},\n  {\"data\": }\n]\n",
    )
    .unwrap();
    let e = formats::import(Format::LabelStudio, std::slice::from_ref(&path)).unwrap_err();
    assert!(e.to_string().contains("bad.json:3:"), "{e}");
    std::fs::write(
        &path,
        "[\n  {\"data\": {\"text\": \"a\"}},\n  {\"data\": {\"n\": 1}}\n]\n",
    )
    .unwrap();
    let e = formats::import(Format::LabelStudio, std::slice::from_ref(&path)).unwrap_err();
    assert!(
        e.to_string()
            .contains("bad.json:3:1: task 2 has no data.text"),
        "{e}"
    );
    // Tasks are read as they are parsed, their lines counted in one pass: every bad task
    // is named by its own line, the good ones between them do not shift the count.
    std::fs::write(
        &path,
        "[\n  {\"data\": {\"text\": \"a\\nb\"}},\n  3,\n  {\"data\": {\"text\": \"c\"}},\n\n  \
         {\"data\": {\"n\": 1}}, {\"data\": []}\n]\n",
    )
    .unwrap();
    let e = formats::import(Format::LabelStudio, std::slice::from_ref(&path)).unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("bad.json:3:1: task 2 is a number, not an object"),
        "{e}"
    );
    assert!(e.contains("bad.json:6:1: task 4 has no data.text"), "{e}");
    assert!(e.contains("bad.json:6:1: task 5 has no data.text"), "{e}");
    // A file that is not a list of tasks says what it is instead.
    std::fs::write(&path, "\n\"text\"\n").unwrap();
    let e = formats::import(Format::LabelStudio, std::slice::from_ref(&path)).unwrap_err();
    assert!(
        e.to_string().contains("bad.json:2:")
            && e.to_string()
                .contains("expected an array of Label Studio tasks"),
        "{e}"
    );
    // One task on its own is a file of one task.
    std::fs::write(&path, "{\"data\": {\"text\": \"one\"}}").unwrap();
    let one = formats::import(Format::LabelStudio, &[path]).unwrap();
    assert_eq!(one.docs.len(), 1);
    assert_eq!(&*one.docs[0].text, "one");
}

#[test]
fn repeated_document_ids_are_renamed_not_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.jsonl");
    let b = tmp.path().join("b.jsonl");
    std::fs::write(&a, "{\"id\": 1, \"text\": \"one\"}\n").unwrap();
    std::fs::write(&b, "{\"id\": 1, \"text\": \"two\"}\n").unwrap();
    let imported = formats::import(Format::Doccano, &[a.clone(), b.clone()]).unwrap();
    let ids: Vec<_> = imported.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["1", "b/1"]);
    assert_eq!(imported.report.get("repeated document ids renamed"), 1);

    // Prodigy: two different texts with the same meta id stay two documents.
    std::fs::write(
        &a,
        "{\"text\": \"one\", \"meta\": {\"id\": \"art\"}}\n{\"text\": \"two\", \"meta\": {\"id\": \"art\"}}\n",
    )
    .unwrap();
    let imported = formats::import(Format::Prodigy, &[a]).unwrap();
    let ids: Vec<_> = imported.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["art", "a/art"]);
    assert_eq!(
        imported.docs[1].meta.get("id"),
        Some("art"),
        "the original id is kept"
    );
}

/// A plain JSONL corpus goes into the project as it is read (its documents are never all
/// held twice): ids repeated within it, or already in the project it is added to, are
/// renamed all the same (`<project>/<id>`, as every import renames them), and the corpus
/// file beside the project has every text, in order.
#[test]
fn a_streamed_jsonl_import_renames_repeated_ids_and_writes_its_corpus() {
    use marginalia::formats::run::import_project;
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.jsonl");
    let b = tmp.path().join("b.jsonl");
    std::fs::write(
        &a,
        "{\"id\": \"x\", \"text\": \"one\"}\n{\"id\": \"y\", \"text\": \"two\", \"meta\": {\"src\": \"w\", \"n\": 2}}\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "{\"id\": \"x\", \"text\": \"three\"}\n\n{\"text\": \"four\"}\n",
    )
    .unwrap();
    let target = tmp.path().join("p.ron");
    let paths = [a, b.clone()];
    let (project, corpus, report) =
        import_project(Format::Jsonl, &paths, &target, None, None, None).unwrap();
    let ids: Vec<_> = project.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["x", "y", "p/x", "b-3"]);
    assert_eq!(report.get("repeated document ids renamed"), 1);
    let corpus = corpus.unwrap().path;
    assert_eq!(
        std::fs::read_to_string(&corpus).unwrap(),
        "{\"id\":\"x\",\"text\":\"one\"}\n\
         {\"id\":\"y\",\"meta\":{\"n\":\"2\",\"src\":\"w\"},\"text\":\"two\"}\n\
         {\"id\":\"p/x\",\"text\":\"three\"}\n\
         {\"id\":\"b-3\",\"text\":\"four\"}\n"
    );
    let loaded = load_project(&target).unwrap().project;
    let read: Vec<_> = loaded
        .documents
        .iter()
        .map(|d| (d.id.as_str(), &*d.text, d.meta.get("n")))
        .collect();
    assert_eq!(
        read,
        [
            ("x", "one", None),
            ("y", "two", Some("2")),
            ("p/x", "three", None),
            ("b-3", "four", None)
        ]
    );
    // Added to that project: every id is taken already.
    let (more, _, report) =
        import_project(Format::Jsonl, &[b], &target, None, Some(loaded), None).unwrap();
    let ids: Vec<_> = more.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["x", "y", "p/x", "b-3", "p/x-2", "p/b-3"]);
    assert_eq!(report.get("repeated document ids renamed"), 2);
}
