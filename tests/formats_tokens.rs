//! Token and character formats for training: spaCy-ready JSONL (code point offsets), CoNLL
//! IOB2 columns and Hugging Face token classification, on text with curly quotes, em
//! dashes, emoji, CJK, combining accents and CRLF.

use marginalia::formats::build::build_project;
use marginalia::formats::export::{ExportFilter, select};
use marginalia::formats::tokens::tokenize;
use marginalia::formats::{self, Format, Imported, Output, Report, conll, hf};
use marginalia::model::{DocId, Edit, Project, Relation, SpanId};
use marginalia::persist::{self, ProblemKind, load_project};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A folder with a corpus of the given files and a project over it (default news schema).
fn project_over(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for (name, text) in files {
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let project = persist::new_project(&corpus, Some("t")).unwrap();
    (dir, project)
}

/// Tags the first occurrence of `needle` in document `doc`.
fn tag(p: &mut Project, doc: usize, needle: &str, label: &str) -> SpanId {
    let start = p.documents[doc]
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    let span = p
        .make_span(DocId(doc), start, start + needle.len(), label)
        .unwrap();
    let id = span.id;
    p.apply(Edit::AddSpan {
        doc: DocId(doc),
        span,
    })
    .unwrap();
    id
}

fn link(p: &mut Project, doc: usize, kind: &str, from: SpanId, to: SpanId) {
    let relation = Relation::new(p.allocate_span_id(), kind, from, to);
    p.apply(Edit::AddRelation {
        doc: DocId(doc),
        relation,
    })
    .unwrap();
}

fn export(format: Format, p: &Project, out: &Path) -> (Output, Report) {
    let docs = select(p, &ExportFilter::default());
    let mut report = Report::default();
    let output = formats::export(format, &docs, &p.schema, out, &mut report);
    (output, report)
}

fn write(output: &Output) {
    for (path, content) in &output.files {
        std::fs::write(path, content).unwrap();
    }
}

fn content(output: &Output, path: &Path) -> String {
    output
        .files
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("no {} in {:?}", path.display(), output.files))
}

/// What a token format can keep of a span: its label and its tokens.
fn token_set(p: &Project) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for d in &p.documents {
        for s in d.spans() {
            let toks: Vec<&str> = tokenize(&s.text)
                .iter()
                .map(|t| &s.text[t.start..t.end])
                .collect();
            out.insert((d.id.clone(), s.label.clone(), toks.join(" ")));
        }
    }
    out
}

/// Text with everything that breaks offsets: curly quotes, an em dash, an emoji before the
/// spans, CJK, a combining accent and CRLF line ends.
const TRICKY: &str =
    "Harris 😀 met “Kim” — 習近平 in Cafe\u{301}.\r\nThen Putin said “no deal”.\r\n";
/// A span that crosses a line end, a family emoji (one grapheme, five code points).
const CROSSING: &str = "Kim met Xi.\r\nCafe\u{301} talks 👨‍👩‍👧 ended — “fine”.\r\n";

fn tricky_project() -> (tempfile::TempDir, Project) {
    let (dir, mut p) = project_over(&[("a.txt", TRICKY), ("b.txt", CROSSING)]);
    tag(&mut p, 0, "Kim", "speaker");
    tag(&mut p, 0, "習近平", "speaker");
    tag(&mut p, 0, "Cafe\u{301}", "event");
    let putin = tag(&mut p, 0, "Putin", "speaker");
    let no = tag(&mut p, 0, "“no deal”", "stance");
    link(&mut p, 0, "holds", putin, no);
    p.apply(Edit::SetAttr {
        doc: DocId(0),
        id: putin,
        name: "entity".into(),
        value: Some("Vladimir Putin".into()),
    })
    .unwrap();
    tag(&mut p, 1, "Kim", "speaker");
    tag(&mut p, 1, "Xi.\r\nCafe\u{301} talks", "stance");
    tag(&mut p, 1, "“fine”", "stance");
    (dir, p)
}

#[test]
fn spacy_offsets_are_code_points_after_emoji_quotes_and_accents() {
    let (dir, p) = tricky_project();
    let out = dir.path().join("train.spacy.jsonl");
    let (output, report) = export(Format::Spacy, &p, &out);
    assert_eq!(report.get("spans skipped"), 0, "{report}");
    // spaCy keeps `Café.` (with a combining accent) as one token, so strict char_span
    // refuses the span “Café”: the check says so (checked with spaCy 3.8), and only that.
    assert_eq!(report.get("spans off token boundaries"), 1, "{report}");
    assert!(
        report
            .to_string()
            .contains("“Cafe\u{301}” does not start and end on token boundaries"),
        "{report}"
    );
    let text = content(&output, &out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let a = &lines[0];
    assert_eq!(
        a["text"], TRICKY,
        "the text is exported as is, CRLF included"
    );
    assert_eq!(a["meta"]["id"], "a");
    let spans = a["spans"].as_array().unwrap();
    // "Harris 😀 met “" is 14 code points (but 19 UTF-8 bytes and 15 UTF-16 units).
    assert_eq!(
        (spans[0]["start"].as_u64(), spans[0]["end"].as_u64()),
        (Some(14), Some(17))
    );
    assert_eq!(spans[0]["text"], "Kim");
    assert_eq!(spans[0]["label"], "speaker");
    let expected = [
        ("Kim", 14, 17),
        ("習近平", 21, 24),
        ("Cafe\u{301}", 28, 33),
        ("Putin", 41, 46),
        ("“no deal”", 52, 61),
    ];
    let chars: Vec<char> = TRICKY.chars().collect();
    for (s, (t, start, end)) in spans.iter().zip(expected) {
        assert_eq!(
            (
                s["text"].as_str().unwrap(),
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap()
            ),
            (t, start, end)
        );
        // What Python's text[start:end] gives.
        assert_eq!(
            chars[start as usize..end as usize]
                .iter()
                .collect::<String>(),
            t
        );
    }
    assert_eq!(spans[3]["attrs"]["entity"], "Vladimir Putin");
    assert!(spans[0].get("attrs").is_none(), "no empty attrs");
    assert_eq!(
        a["relations"],
        serde_json::json!([{"head": 3, "child": 4, "label": "holds"}])
    );
    let b = &lines[1];
    let crossing = &b["spans"][1];
    assert_eq!(crossing["text"], "Xi.\r\nCafe\u{301} talks");
    assert_eq!(
        (crossing["start"].as_u64(), crossing["end"].as_u64()),
        (Some(8), Some(24))
    );
}

#[test]
fn spacy_reports_spans_off_token_boundaries() {
    let (dir, mut p) = project_over(&[("a.txt", "Harrisburg said no.")]);
    tag(&mut p, 0, "Harris", "speaker");
    let out = dir.path().join("x.jsonl");
    let (_, report) = export(Format::Spacy, &p, &out);
    assert_eq!(report.get("spans off token boundaries"), 1);
    assert!(
        report
            .to_string()
            .contains("“Harris” does not start and end on token boundaries"),
        "{report}"
    );
    assert_eq!(report.get("spans"), 1, "reported, still exported: {report}");
}

#[test]
fn conll_export_is_exact() {
    let (dir, mut p) = project_over(&[
        (
            "a.txt",
            "Kamala Harris met Kim Jong Un.\r\nShe said “no”.\r\n",
        ),
        ("b.txt", "Putin 😀 spoke."),
    ]);
    tag(&mut p, 0, "Kamala Harris", "speaker");
    tag(&mut p, 0, "Kim Jong Un", "speaker");
    tag(&mut p, 0, "“no”", "stance");
    let out = dir.path().join("out.conll");
    let (output, report) = export(Format::Conll, &p, &out);
    let expected = "\
-DOCSTART- -X- O O

Kamala -X- _ B-speaker
Harris -X- _ I-speaker
met -X- _ O
Kim -X- _ B-speaker
Jong -X- _ I-speaker
Un -X- _ I-speaker
. -X- _ O

She -X- _ O
said -X- _ O
“ -X- _ B-stance
no -X- _ I-stance
” -X- _ I-stance
. -X- _ O

-DOCSTART- -X- O O

Putin -X- _ O
😀 -X- _ O
spoke -X- _ O
. -X- _ O

";
    assert_eq!(content(&output, &out), expected);
    assert_eq!(output.files.len(), 1);
    assert_eq!(
        (report.get("documents"), report.get("spans")),
        (2, 3),
        "{report}"
    );
    assert!(report.notes.is_empty(), "{report}");
}

#[test]
fn conll_adjacent_spans_of_one_label_each_begin_with_b() {
    let (dir, mut p) = project_over(&[("a.txt", "Harris Walz won")]);
    tag(&mut p, 0, "Harris", "speaker");
    tag(&mut p, 0, "Walz", "speaker");
    let out = dir.path().join("out.conll");
    let (output, _) = export(Format::Conll, &p, &out);
    assert!(
        content(&output, &out)
            .contains("Harris -X- _ B-speaker\nWalz -X- _ B-speaker\nwon -X- _ O\n")
    );
}

#[test]
fn conll_nested_spans_keep_the_longer_and_name_the_dropped_one() {
    let text =
        "Harris said she would refuse to meet Vladimir Putin without Ukraine. Kim Jong Un laughed.";
    let (dir, mut p) = project_over(&[("a.txt", text)]);
    tag(
        &mut p,
        0,
        "she would refuse to meet Vladimir Putin without Ukraine",
        "stance",
    );
    tag(&mut p, 0, "Vladimir Putin", "speaker");
    // Equal length (two tokens each), overlapping: the earlier one wins.
    tag(&mut p, 0, "Kim Jong", "speaker");
    tag(&mut p, 0, "Jong Un", "event");
    let out = dir.path().join("out.conll");
    let (output, report) = export(Format::Conll, &p, &out);
    assert_eq!(report.get("spans dropped (overlap)"), 2, "{report}");
    assert_eq!(report.get("spans"), 2, "{report}");
    let notes: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        notes.iter().any(|n| n.contains("a: span")
            && n.contains("“Vladimir Putin” (speaker)")
            && n.contains("dropped")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("“Jong Un” (event)") && n.contains("“Kim Jong” (speaker)")),
        "{notes:#?}"
    );
    let conll = content(&output, &out);
    assert!(
        conll.contains("Vladimir -X- _ I-stance\nPutin -X- _ I-stance\n"),
        "{conll}"
    );
    assert!(
        conll.contains("Kim -X- _ B-speaker\nJong -X- _ I-speaker\nUn -X- _ O\n"),
        "{conll}"
    );
    // The same choice in the Hugging Face export.
    let (_, hf_report) = export(Format::Hf, &p, &dir.path().join("out.jsonl"));
    assert_eq!(hf_report.get("spans dropped (overlap)"), 2, "{hf_report}");
}

#[test]
fn conll_misaligned_spans_are_reported_and_tag_whole_tokens() {
    let (dir, mut p) = project_over(&[("a.txt", "Harrisburg voted.")]);
    tag(&mut p, 0, "Harris", "speaker");
    let out = dir.path().join("out.conll");
    let (output, report) = export(Format::Conll, &p, &out);
    assert_eq!(report.get("spans off token boundaries"), 1, "{report}");
    assert!(content(&output, &out).contains("Harrisburg -X- _ B-speaker\nvoted -X- _ O\n"));
}

fn spans_of(imported: &Imported) -> Vec<(String, Vec<(String, String)>)> {
    imported
        .docs
        .iter()
        .map(|d| {
            (
                d.text.clone(),
                d.spans
                    .iter()
                    .map(|s| (s.label.clone(), d.text[s.start..s.end].to_owned()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn iob1_and_iob2_imports_give_the_same_spans() {
    let dir = tempfile::tempdir().unwrap();
    // IOB1: a span starts with I-; B- only separates adjacent spans of the same type.
    let iob1 = "\
Kamala\tNNP\tI-PER
Harris\tNNP\tI-PER
met\tVBD\tO
Kim\tNNP\tI-PER
Jong\tNNP\tI-PER
Un\tNNP\tI-PER
.\t.\tO

Putin\tNNP\tI-PER
Xi\tNNP\tB-PER
NATO\tNNP\tI-ORG
EU\tNNP\tB-ORG
Kyiv\tNNP\tI-LOC
talked\tVBD\tO
";
    let iob2 = "\
-DOCSTART- -X- O O

Kamala -X- _ B-PER
Harris -X- _ I-PER
met -X- _ O
Kim -X- _ B-PER
Jong -X- _ I-PER
Un -X- _ I-PER
. -X- _ O

Putin -X- _ B-PER
Xi -X- _ B-PER
NATO -X- _ B-ORG
EU -X- _ B-ORG
Kyiv -X- _ B-LOC
talked -X- _ O

";
    let (a, b) = (dir.path().join("iob1.txt"), dir.path().join("iob2.conll"));
    std::fs::write(&a, iob1).unwrap();
    std::fs::write(&b, iob2).unwrap();
    let one = conll::import(&[a]).unwrap();
    let two = conll::import(&[b]).unwrap();
    assert_eq!(spans_of(&one), spans_of(&two));
    let (text, spans) = &spans_of(&one)[0];
    assert_eq!(
        text,
        "Kamala Harris met Kim Jong Un .\nPutin Xi NATO EU Kyiv talked"
    );
    let spans: Vec<(&str, &str)> = spans
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            ("PER", "Kamala Harris"),
            ("PER", "Kim Jong Un"),
            ("PER", "Putin"),
            ("PER", "Xi"),
            ("ORG", "NATO"),
            ("ORG", "EU"),
            ("LOC", "Kyiv")
        ]
    );
    assert_eq!(
        (one.docs[0].id.as_str(), two.docs[0].id.as_str()),
        ("iob1-1", "iob2-1")
    );
}

#[test]
fn conll_documents_split_at_docstart_and_plain_o_files_read() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("news.conll");
    std::fs::write(&f, "-DOCSTART- -X- -X- O\n\nHarris O\nspoke O\n\n-DOCSTART- -X- O O\n\nPutin O\r\nlistened O\r\n\r\nThen O\n").unwrap();
    let imported = conll::import(&[f]).unwrap();
    let docs: Vec<(&str, &str, usize)> = imported
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str(), d.spans.len()))
        .collect();
    assert_eq!(
        docs,
        [
            ("news-1", "Harris spoke", 0),
            ("news-2", "Putin listened\nThen", 0)
        ]
    );
}

#[test]
fn conll_round_trip_keeps_labels_and_tokens() {
    let (dir, p) = tricky_project();
    let out = dir.path().join("round.conll");
    let (output, report) = export(Format::Conll, &p, &out);
    write(&output);
    assert_eq!(
        report.get("sentences joined (a span crosses their end)"),
        1,
        "{report}"
    );
    assert_eq!(report.get("relations not exported"), 1, "{report}");
    assert!(
        report
            .to_string()
            .contains("1 relations, the attributes of 1 spans"),
        "{report}"
    );
    let imported = formats::import(Format::Conll, &[out]).unwrap();
    let (back, _, build_report) =
        build_project(imported, &dir.path().join("back.ron"), "back", None);
    assert!(build_report.notes.is_empty(), "{build_report}");
    let strip = |set: BTreeSet<(String, String, String)>| {
        set.into_iter()
            .map(|(_, l, t)| (l, t))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(strip(token_set(&back)), strip(token_set(&p)));
    assert_eq!(
        back.documents
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ["round-1", "round-2"]
    );
    // Each CJK ideograph is a token (UAX #29); tokens are joined by single spaces.
    assert_eq!(
        &*back.documents[0].text,
        "Harris 😀 met “ Kim ” — 習 近 平 in Cafe\u{301} .\nThen Putin said “ no deal ” ."
    );
}

#[test]
fn a_malformed_conll_line_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.conll");
    std::fs::write(
        &f,
        "-DOCSTART- -X- O O\n\nHarris -X- _ B-PER\nsaid -X- _ X-PER\nlonely\n",
    )
    .unwrap();
    let e = conll::import(&[f]).unwrap_err();
    assert!(e.has(ProblemKind::Syntax), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("bad.conll:4:12: `X-PER` is not a tag"),
        "{msg}"
    );
    assert!(
        msg.contains("bad.conll:5:1: "),
        "every bad line is named: {msg}"
    );
}

#[test]
fn hf_round_trip_and_label_list() {
    let (dir, p) = tricky_project();
    let out = dir.path().join("train.jsonl");
    let (output, report) = export(Format::Hf, &p, &out);
    let labels_path = dir.path().join("train.labels.json");
    assert_eq!(
        output
            .files
            .iter()
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>(),
        [out.clone(), labels_path.clone()]
    );
    let labels: Vec<String> = serde_json::from_str(&content(&output, &labels_path)).unwrap();
    assert_eq!(
        labels,
        [
            "O",
            "B-speaker",
            "I-speaker",
            "B-stance",
            "I-stance",
            "B-event",
            "I-event"
        ]
    );
    assert_eq!(report.get("spans"), 8, "{report}");
    let data = content(&output, &out);
    let first: serde_json::Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "a-1");
    assert_eq!(first["tokens"][1], "😀");
    let tags: Vec<&str> = first["ner_tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(&tags[..6], ["O", "O", "O", "O", "B-speaker", "O"]);
    assert!(
        data.starts_with("{\"id\":\"a-1\",\"tokens\":["),
        "field order: {data}"
    );
    write(&output);

    let imported = formats::import(Format::Hf, std::slice::from_ref(&out)).unwrap();
    let ids: Vec<&str> = imported.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"], "sentences grouped by document");
    let (back, _, _) = build_project(imported, &dir.path().join("back.ron"), "back", None);
    assert_eq!(token_set(&back), token_set(&p));

    // Integer tags read through the label list with the same stem.
    let ints: String = data
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let idx: Vec<usize> = v["ner_tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    labels
                        .iter()
                        .position(|x| x == t.as_str().unwrap())
                        .unwrap()
                })
                .collect();
            v["ner_tags"] = serde_json::json!(idx);
            v.to_string() + "\n"
        })
        .collect();
    let int_file = dir.path().join("ints.jsonl");
    std::fs::write(&int_file, &ints).unwrap();
    let e = hf::import(std::slice::from_ref(&int_file)).unwrap_err();
    assert!(
        e.to_string()
            .contains("ints.jsonl:1: ner_tags are integers")
            && e.to_string().contains("ints.labels.json"),
        "{e}"
    );
    std::fs::copy(&labels_path, dir.path().join("ints.labels.json")).unwrap();
    let imported = hf::import(&[int_file]).unwrap();
    let (back, _, _) = build_project(imported, &dir.path().join("back2.ron"), "back2", None);
    assert_eq!(token_set(&back), token_set(&p));
}

#[test]
fn hf_bad_lines_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.jsonl");
    std::fs::write(&f, "{\"id\":\"d-1\",\"tokens\":[\"a\"],\"ner_tags\":[\"O\"]}\n{\"id\":\"d-2\",\"tokens\":[\"a\",\"b\"],\"ner_tags\":[\"O\"]}\n{\"tokens\":[\"a\"],\"ner_tags\":[\"S-X\"]}\n").unwrap();
    let msg = hf::import(&[f]).unwrap_err().to_string();
    assert!(
        msg.contains("bad.jsonl:2:1: 2 tokens but 1 ner_tags"),
        "{msg}"
    );
    assert!(msg.contains("bad.jsonl:3:1: `S-X` is not a tag"), "{msg}");
}

#[test]
fn spacy_is_not_an_import_format() {
    assert!(!Format::Spacy.can_import());
    assert!(formats::import(Format::Spacy, &[PathBuf::from("x.jsonl")]).is_err());
}

fn demo() -> Project {
    let loaded = load_project(&root().join("projects/seed-news.ron")).unwrap();
    // The only warning: its corpus is in assets/, outside projects/.
    assert!(
        loaded
            .warnings
            .iter()
            .all(|w| w.message.contains("outside the project's folder")),
        "{:?}",
        loaded.warnings
    );
    loaded.project
}

#[test]
fn demo_project_exports_to_spacy_and_hf_without_skipping_a_span() {
    let p = demo();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seed.spacy.jsonl");
    let (output, report) = export(Format::Spacy, &p, &out);
    assert_eq!(report.get("spans skipped"), 0, "{report}");
    assert_eq!(report.get("spans off token boundaries"), 0, "{report}");
    assert_eq!(report.get("spans"), p.span_count(), "{report}");
    let relations: usize = p.documents.iter().map(|d| d.relations().len()).sum();
    assert_eq!(report.get("relations"), relations, "{report}");
    assert_eq!(content(&output, &out).lines().count(), p.documents.len());

    let out = dir.path().join("seed.hf.jsonl");
    let (output, report) = export(Format::Hf, &p, &out);
    assert_eq!(report.get("spans skipped"), 0, "{report}");
    assert_eq!(report.get("spans off token boundaries"), 0, "{report}");
    // The event inside the stance of the first article cannot share its tokens.
    assert_eq!(
        report.get("spans") + report.get("spans dropped (overlap)"),
        p.span_count(),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("“the war in Ukraine” (event) overlaps"),
        "{report}"
    );
    assert_eq!(output.files.len(), 2);
}

/// Writes the exports the Python check (`tests/python/check_exports.py`) reads, when
/// `MARGINALIA_EXPORT_DIR` names a folder; does nothing otherwise (CI has no spaCy).
#[test]
fn exports_for_the_python_check_when_asked() {
    let Ok(dir) = std::env::var("MARGINALIA_EXPORT_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let demo = demo();
    let (_tmp, tricky) = tricky_project();
    // The tricky texts go to a folder of their own: spaCy's English tokenizer keeps "Café."
    // whole when the é is e + U+0301, so their spaCy check shows that limitation.
    for (name, p, folder) in [
        ("seed-news", &demo, dir.clone()),
        ("tricky", &tricky, dir.join("tricky")),
    ] {
        std::fs::create_dir_all(&folder).unwrap();
        for (format, ext) in [
            (Format::Spacy, "spacy.jsonl"),
            (Format::Hf, "hf.jsonl"),
            (Format::Conll, "conll"),
        ] {
            let (output, report) = export(format, p, &folder.join(format!("{name}.{ext}")));
            write(&output);
            eprintln!("{name} {}: {report}", format.name());
        }
    }
}

#[test]
fn hf_sentences_out_of_order_join_in_order_with_their_spans_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mixed.jsonl");
    let lines = [
        r#"{"id":"d-2","tokens":["Harris","said","no"],"ner_tags":["B-speaker","O","B-stance"]}"#,
        r#"{"id":"e-1","tokens":["Élan"],"ner_tags":["I-event"]}"#,
        r#"{"id":"d-1","tokens":["Le","Pen","😀"],"ner_tags":["B-speaker","I-speaker","O"]}"#,
        r#"{"id":"d-3","tokens":[],"ner_tags":[]}"#,
    ];
    std::fs::write(&f, lines.join("\n")).unwrap();
    let imported = hf::import(&[f]).unwrap();
    let docs: Vec<(&str, &str)> = imported
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(
        docs,
        [("d", "Le Pen 😀\nHarris said no\n"), ("e", "Élan")],
        "sentences in id order, joined by a newline, documents in order of first sight"
    );
    let spans = |i: usize| -> Vec<(&str, &str)> {
        let d = &imported.docs[i];
        d.spans
            .iter()
            .map(|s| (&d.text[s.start..s.end], s.label.as_str()))
            .collect()
    };
    assert_eq!(
        spans(0),
        [
            ("Le Pen", "speaker"),
            ("Harris", "speaker"),
            ("no", "stance")
        ]
    );
    assert_eq!(
        spans(1),
        [("Élan", "event")],
        "an I- after nothing starts a span"
    );
}
