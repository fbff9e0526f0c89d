//! Discontinuous spans (a quote interrupted by "she said") through every format: the ones
//! that can carry them (brat natively; Label Studio, doccano and Prodigy as one piece per
//! fragment grouped by `fragment_of`) give back the same span with its fragments, relation
//! and attributes; spaCy JSONL lists the fragments; token formats tag each fragment and say
//! so.

use marginalia::formats::export::{ExportFilter, select};
use marginalia::formats::{self, Format, Imported, Report};
use marginalia::model::{DocId, Edit, Project, Relation, SpanId};
use marginalia::persist;
use serde_json::Value;
use std::path::Path;

const TEXT: &str = "Zelensky 🇺🇦 spoke. “We will not go,” she said, “without Ukraine at the table.”";

/// The quote's two pieces (bytes), the speaker, and the project.
fn project(dir: &Path) -> (Project, Vec<(usize, usize)>) {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), TEXT).unwrap();
    let mut p = persist::new_project(&corpus, Some("t")).unwrap();
    let find = |s: &str| {
        let a = TEXT.find(s).unwrap();
        (a, a + s.len())
    };
    let pieces = vec![
        find("“We will not go,”"),
        find("“without Ukraine at the table.”"),
    ];
    let (a, b) = (pieces[0].0, pieces[1].1);
    let mut quote = p.make_span(DocId(0), a, b, "stance").unwrap();
    quote.attrs.insert("polarity".into(), "against".into());
    let quote_id = quote.id;
    let (s0, s1) = find("she");
    let she = p.make_span(DocId(0), s0, s1, "speaker").unwrap();
    let she_id = she.id;
    let ranges: Vec<_> = pieces.iter().map(|&(a, b)| a..b).collect();
    p.apply(Edit::Batch(vec![
        Edit::AddSpan {
            doc: DocId(0),
            span: quote,
        },
        Edit::AddSpan {
            doc: DocId(0),
            span: she,
        },
        Edit::SetFragments {
            doc: DocId(0),
            id: quote_id,
            pieces: ranges,
        },
        Edit::AddRelation {
            doc: DocId(0),
            relation: Relation::new(SpanId(100), "holds", she_id, quote_id),
        },
    ]))
    .unwrap();
    (p, pieces)
}

fn export(p: &Project, format: Format, out: &Path) -> Report {
    let docs = select(p, &ExportFilter::default());
    let mut report = Report::default();
    let output = formats::export(format, &docs, &p.schema, out, &mut report);
    formats::run::write_output(&output.files, false).unwrap();
    report
}

/// The imported stance has the quote's fragments, its attribute, and the relation to "she".
fn assert_quote_back(imported: &Imported, pieces: &[(usize, usize)], format: &str) {
    let d = &imported.docs[0];
    let stances: Vec<_> = d
        .spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.label == "stance")
        .collect();
    assert_eq!(
        stances.len(),
        1,
        "{format}: one stance, not one per fragment: {:?}",
        d.spans
    );
    let (i, quote) = stances[0];
    assert_eq!(quote.fragments, pieces, "{format}");
    assert_eq!(
        (quote.start, quote.end),
        (pieces[0].0, pieces[1].1),
        "{format}"
    );
    assert_eq!(quote.attrs.get("polarity"), Some("against"), "{format}");
    let holds: Vec<_> = d.relations.iter().filter(|r| r.to == i).collect();
    assert_eq!(holds.len(), 1, "{format}: {:?}", d.relations);
    assert_eq!(
        &d.text[d.spans[holds[0].from].start..d.spans[holds[0].from].end],
        "she"
    );
}

#[test]
fn the_pieces_of_a_span_come_back_from_every_format_that_can_hold_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, pieces) = project(tmp.path());
    assert!(
        p.documents[0]
            .spans()
            .iter()
            .any(|s| s.fragments.len() == 2)
    );
    for (format, name) in [
        (Format::LabelStudio, "ls.json"),
        (Format::Doccano, "doccano.jsonl"),
        (Format::Prodigy, "prodigy.jsonl"),
        (Format::Brat, "brat"),
    ] {
        let out = tmp.path().join(name);
        let report = export(&p, format, &out);
        assert!(report.notes.is_empty(), "{name}: {report}");
        let imported = formats::import(format, &[out]).unwrap();
        assert_quote_back(&imported, &pieces, name);
    }
}

#[test]
fn spacy_lists_the_fragments_in_code_points() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, pieces) = project(tmp.path());
    let out = tmp.path().join("s.jsonl");
    export(&p, Format::Spacy, &out);
    let written = std::fs::read_to_string(&out).unwrap();
    let line: Value = serde_json::from_str(written.trim()).unwrap();
    let quote = line["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "stance")
        .unwrap();
    let cp = |byte: usize| TEXT[..byte].chars().count();
    let want: Vec<Value> = pieces
        .iter()
        .map(|&(a, b)| serde_json::json!([cp(a), cp(b)]))
        .collect();
    assert_eq!(quote["fragments"].as_array().unwrap(), &want);
    assert_eq!(quote["start"], cp(pieces[0].0));
}

#[test]
fn token_formats_tag_each_fragment_and_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, _) = project(tmp.path());
    let out = tmp.path().join("c.conll");
    let report = export(&p, Format::Conll, &out);
    assert_eq!(
        report.get("discontinuous spans written as one span per fragment"),
        1
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let starts = text.lines().filter(|l| l.ends_with("B-stance")).count();
    assert_eq!(starts, 2, "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("said") && l.ends_with("-stance")),
        "the gap is not tagged: {text}"
    );
}

/// A relation's attributes and note (read from brat) travel in brat only; every other
/// format says it left them out.
#[test]
fn relation_attributes_and_notes_are_counted_where_they_cannot_go() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut p, _) = project(tmp.path());
    let r = p.documents[0].relations()[0].clone();
    let mut noted = r.clone();
    noted.note = Some("reported speech".into());
    p.apply(Edit::Batch(vec![
        Edit::RemoveRelation {
            doc: DocId(0),
            id: r.id,
        },
        Edit::AddRelation {
            doc: DocId(0),
            relation: noted,
        },
    ]))
    .unwrap();
    for (format, name) in [
        (Format::LabelStudio, "ls.json"),
        (Format::Doccano, "d.jsonl"),
        (Format::Prodigy, "p.jsonl"),
        (Format::Spacy, "s.jsonl"),
    ] {
        let report = export(&p, format, &tmp.path().join(name));
        assert_eq!(
            report.get("relation attributes and notes not exported"),
            1,
            "{name}: {report}"
        );
    }
    let report = export(&p, Format::Brat, &tmp.path().join("brat"));
    assert_eq!(report.get("relation attributes and notes not exported"), 0);
}
