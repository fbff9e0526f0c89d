//! brat standoff: real corpora round-trip (import, export, import again) with the same
//! spans, relations, attributes and notes, compared as sets; and the awkward cases.

use marginalia::formats::{self, Format, Imported, build::build_project, export::ExportFilter};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/brat")
        .join(name)
}

/// (document id, start, end, attribute name, value) and the like: flat tuples to compare.
type Place = (usize, usize);

/// Everything an import holds, by document id and text positions (not by ids, which brat
/// renumbers), so two imports can be compared as sets.
#[derive(Debug, PartialEq, Eq)]
struct Content {
    spans: BTreeSet<(String, usize, usize, String)>,
    relations: BTreeSet<(String, String, Place, Place)>,
    attributes: BTreeSet<(String, Place, String, String)>,
    notes: BTreeSet<(String, Place, String)>,
}

fn content(imported: &Imported) -> Content {
    let mut c = Content {
        spans: BTreeSet::new(),
        relations: BTreeSet::new(),
        attributes: BTreeSet::new(),
        notes: BTreeSet::new(),
    };
    for d in &imported.docs {
        for s in &d.spans {
            c.spans
                .insert((d.id.clone(), s.start, s.end, s.label.clone()));
            for (k, v) in &s.attrs {
                c.attributes
                    .insert((d.id.clone(), (s.start, s.end), k.to_owned(), v.to_owned()));
            }
            if let Some(n) = &s.note {
                c.notes.insert((d.id.clone(), (s.start, s.end), n.clone()));
            }
        }
        for r in &d.relations {
            let (a, b) = (&d.spans[r.from], &d.spans[r.to]);
            c.relations.insert((
                d.id.clone(),
                r.kind.clone(),
                (a.start, a.end),
                (b.start, b.end),
            ));
        }
    }
    c
}

/// Import, build a project, export to brat in a temp folder, import that again.
fn round_trip(dir: &Path) -> (Content, Content, String) {
    let first = formats::import(Format::Brat, &[dir.to_owned()]).unwrap();
    let before = content(&first);
    let tmp = tempfile::tempdir().unwrap();
    let (project, _, _) = build_project(
        formats::import(Format::Brat, &[dir.to_owned()]).unwrap(),
        &tmp.path().join("p.ron"),
        "p",
        None,
    );
    let docs = formats::export::select(&project, &ExportFilter::default());
    let mut report = formats::Report::default();
    let out = tmp.path().join("out");
    let output = formats::export(Format::Brat, &docs, &project.schema, &out, &mut report);
    marginalia::formats::run::write_output(&output.files, false).unwrap();
    let second = formats::import(Format::Brat, &[out]).unwrap();
    let conf = std::fs::read_to_string(tmp.path().join("out/annotation.conf")).unwrap();
    (before, content(&second), conf)
}

#[test]
fn the_brat_tutorial_round_trips() {
    let (before, after, conf) = round_trip(&fixture("news"));
    assert_eq!(before, after);
    assert!(before.spans.contains(&(
        "090-event_structures".into(),
        327,
        333,
        "Organization".into()
    )));
    // E1 Merge-org:T3 Org-Arg:T1 Org-Arg2:T2 in 090: both arguments, under one role name.
    let merges: Vec<_> = before
        .relations
        .iter()
        .filter(|r| r.0 == "090-event_structures" && r.1 == "Org-Arg" && r.2 == (346, 352))
        .collect();
    assert_eq!(merges.len(), 2, "{merges:?}");
    assert!(
        before
            .attributes
            .iter()
            .any(|a| a.2 == "Confidence" && a.3 == "Neutral")
    );
    assert!(
        before
            .attributes
            .iter()
            .any(|a| a.2 == "Individual" && a.3 == "true")
    );
    assert!(before.notes.iter().any(|n| n.2 == "100000000 USD"));
    assert!(conf.contains("[events]") && conf.contains("Merge-org\tOrg-Arg*:Organization"));
    assert!(conf.contains("Alias\tArg1:Person, Arg2:Person, <REL-TYPE>:symmetric-transitive"));
}

#[test]
fn conll2002_and_bionlp_round_trip() {
    for name in ["conll2002", "bionlp2011"] {
        let (before, after, _) = round_trip(&fixture(name));
        assert!(before.spans.len() > 50, "{name}: {}", before.spans.len());
        assert_eq!(before, after, "{name}");
    }
    // Spanish text with accents: “Camilo José Cela” at code points 361..397 of doc 29.
    let imported = formats::import(Format::Brat, &[fixture("conll2002")]).unwrap();
    let doc = imported
        .docs
        .iter()
        .find(|d| d.id == "esp.train-doc-29")
        .unwrap();
    let span = doc
        .spans
        .iter()
        .find(|s| doc.text[s.start..s.end].ends_with("Camilo José Cela"))
        .unwrap();
    assert_eq!(
        &doc.text[span.start..span.end],
        "Nobel de Literatura Camilo José Cela"
    );
    // BioNLP equivalences are symmetric relations.
    let bio = formats::import(Format::Brat, &[fixture("bionlp2011")]).unwrap();
    let schema = bio.schema.as_ref().unwrap();
    assert!(schema.relation("Equiv").unwrap().symmetric);
    assert!(bio.report.get("equivalences") >= 1);
}

#[test]
fn texts_and_annotations_in_separate_folders_with_suffixed_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("text")).unwrap();
    std::fs::create_dir_all(dir.path().join("attributions")).unwrap();
    std::fs::write(
        dir.path().join("text/A.txt"),
        "“Ukraine must have a say,” Harris insisted 😀.",
    )
    .unwrap();
    std::fs::write(dir.path().join("attributions/A_annotator1.ann"), "T1\tSpeaker 27 33\tHarris\nT2\tStance 1 24\tUkraine must have a say\nR1\tHolds Arg1:T1 Arg2:T2\n").unwrap();
    let imported = formats::import(
        Format::Brat,
        &[dir.path().join("text"), dir.path().join("attributions")],
    )
    .unwrap();
    assert_eq!(imported.docs.len(), 1);
    let d = &imported.docs[0];
    assert_eq!(d.spans.len(), 2);
    assert_eq!(&d.text[d.spans[0].start..d.spans[0].end], "Harris");
    assert_eq!(d.relations.len(), 1);
}

#[test]
fn discontinuous_spans_bom_and_bad_lines_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    // A byte order mark counts as one character in brat's offsets.
    std::fs::write(
        dir.path().join("d.txt"),
        "\u{feff}Kim Jong Un met Trump.\nThe talks failed.",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tPerson 1 12\tKim Jong Un\nT2\tEvent 13 16;34 40\tmet failed\nT3\tPerson 100 200\tnothing\nT4\tPerson 17 22\tTrumps\nX9\tweird line\nA1\tNegation T2\n",
    )
    .unwrap();
    let imported = formats::import(Format::Brat, &[dir.path().to_owned()]).unwrap();
    let d = &imported.docs[0];
    let texts: Vec<String> = d
        .spans
        .iter()
        .map(|s| {
            let mut pieces = vec![(s.start, s.end)];
            if !s.fragments.is_empty() {
                pieces = s.fragments.clone();
            }
            let texts: Vec<&str> = pieces.iter().map(|&(a, b)| &d.text[a..b]).collect();
            texts.join("+")
        })
        .collect();
    assert_eq!(
        texts,
        ["Kim Jong Un", "met+failed"],
        "T2 is one span of two fragments; T3 outside the text and T4 with the wrong text are skipped"
    );
    assert_eq!(
        d.spans[1].attrs.get("Negation"),
        Some("true"),
        "the attribute is on the discontinuous span"
    );
    let report = imported.report.to_string();
    assert!(
        report.contains("d.ann:3: T3: offsets 100 200 are outside the text"),
        "{report}"
    );
    assert!(
        report.contains("d.ann:4: T4: the text at its offsets is “Trump”, not “Trumps”"),
        "{report}"
    );
    assert!(
        report.contains("d.ann:5: unknown annotation line"),
        "{report}"
    );
}

#[test]
fn marginalia_attributes_notes_and_multiline_spans_survive_brat() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "Harris said\r\n“no” to Trump’s plan 😀.",
    )
    .unwrap();
    let mut p = marginalia::persist::new_project(&corpus, Some("t")).unwrap();
    let doc = marginalia::model::DocId(0);
    let text = p.documents[0].text.clone();
    let at = |w: &str| text.find(w).unwrap();
    let speaker = p.make_span(doc, 0, 6, "speaker").unwrap();
    let stance = p.make_span(doc, at("said"), at(" to"), "stance").unwrap();
    let (sid, tid) = (speaker.id, stance.id);
    p.apply(marginalia::model::Edit::Batch(vec![
        marginalia::model::Edit::AddSpan { doc, span: speaker },
        marginalia::model::Edit::AddSpan { doc, span: stance },
        marginalia::model::Edit::SetAttr {
            doc,
            id: sid,
            name: "entity".into(),
            value: Some("Kamala Harris".into()),
        },
        marginalia::model::Edit::SetAttr {
            doc,
            id: tid,
            name: "polarity".into(),
            value: Some("against".into()),
        },
        marginalia::model::Edit::SetNote {
            doc,
            id: tid,
            note: Some("about the plan".into()),
        },
    ]))
    .unwrap();
    let rel = marginalia::model::Relation::new(p.allocate_span_id(), "holds", sid, tid);
    p.apply(marginalia::model::Edit::AddRelation { doc, relation: rel })
        .unwrap();
    let docs = formats::export::select(&p, &ExportFilter::default());
    let mut report = formats::Report::default();
    let out = dir.path().join("out");
    let output = formats::export(Format::Brat, &docs, &p.schema, &out, &mut report);
    marginalia::formats::run::write_output(&output.files, false).unwrap();
    let ann = std::fs::read_to_string(out.join("a.ann")).unwrap();
    // The stance crosses the CRLF: two fragments, code point offsets (’ and 😀 are one each).
    assert!(ann.contains("T2\tstance 7 11;13 17\tsaid “no”"), "{ann}");
    assert!(
        ann.contains("AnnotatorNotes T1\t[entity] Kamala Harris"),
        "{ann}"
    );
    assert!(ann.contains("A1\tpolarity T2 against"), "{ann}");
    let back = formats::import(Format::Brat, &[out]).unwrap();
    let d = &back.docs[0];
    assert_eq!(d.spans[0].attrs.get("entity"), Some("Kamala Harris"));
    assert_eq!(d.spans[1].note.as_deref(), Some("about the plan"));
    assert_eq!(d.relations.len(), 1);
}

/// The annotations of a brat folder as canonical lines, ids replaced by what they stand for
/// (a T by its type, offsets and text; an E by its type, trigger and arguments; an R by its
/// type and arguments), as a multiset: what a round trip must give back line for line.
fn brat_lines(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ann"))
        .collect();
    files.sort();
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let content = std::fs::read_to_string(&f).unwrap();
        let mut body: std::collections::HashMap<String, String> = Default::default();
        for line in content.lines().filter(|l| l.contains('\t')) {
            let mut parts = line.splitn(3, '\t');
            let id = parts.next().unwrap().to_owned();
            let rest = parts.collect::<Vec<_>>().join("\t");
            body.insert(id, rest);
        }
        fn canon(id: &str, body: &std::collections::HashMap<String, String>, depth: u32) -> String {
            let Some(b) = body.get(id) else {
                return format!("?{id}");
            };
            if depth > 8 {
                return "…".into();
            }
            let words: Vec<&str> = b.split('\t').next().unwrap().split_whitespace().collect();
            match id.chars().next() {
                Some('T') => format!("[{b}]"),
                Some('E') => {
                    let (ty, trigger) = words[0].split_once(':').unwrap();
                    let mut args: Vec<String> = words[1..]
                        .iter()
                        .map(|w| {
                            let (role, arg) = w.split_once(':').unwrap();
                            let role = role.trim_end_matches(|c: char| c.is_ascii_digit());
                            format!("{role}={}", canon(arg, body, depth + 1))
                        })
                        .collect();
                    args.sort();
                    format!(
                        "{{{ty} {} {}}}",
                        canon(trigger, body, depth + 1),
                        args.join(" ")
                    )
                }
                Some('R') => {
                    let arg = |k: &str| {
                        let a = words[1..].iter().find(|w| w.starts_with(k)).unwrap();
                        canon(a.split_once(':').unwrap().1, body, depth + 1)
                    };
                    format!("({} {} {})", words[0], arg("Arg1"), arg("Arg2"))
                }
                _ => format!("?{id}"),
            }
        }
        for line in content.lines().filter(|l| l.contains('\t')) {
            let mut parts = line.splitn(3, '\t');
            let id = parts.next().unwrap();
            let words: Vec<&str> = parts.next().unwrap_or("").split_whitespace().collect();
            let text = parts.next().unwrap_or("");
            let c = match id.chars().next() {
                Some('T' | 'E' | 'R') => canon(id, &body, 0),
                Some('A' | 'M') => format!(
                    "A {} {} {}",
                    words[0],
                    canon(words[1], &body, 0),
                    words.get(2).unwrap_or(&"")
                ),
                Some('#') => format!("# {} {text}", canon(words[1], &body, 0)),
                Some('*') => {
                    let mut m: Vec<String> =
                        words[1..].iter().map(|w| canon(w, &body, 0)).collect();
                    m.sort();
                    format!("* {} {}", words[0], m.join(" "))
                }
                _ => continue,
            };
            out.push(format!("{stem}: {c}"));
        }
    }
    out.sort();
    out
}

/// Import a brat folder, build a project, export it to brat; the export's folder.
fn export_again(dir: &Path, tmp: &Path) -> (PathBuf, formats::Report) {
    let (project, _, _) = build_project(
        formats::import(Format::Brat, &[dir.to_owned()]).unwrap(),
        &tmp.join("p.ron"),
        "p",
        None,
    );
    let docs = formats::export::select(&project, &ExportFilter::default());
    let mut report = formats::Report::default();
    let out = tmp.join("out");
    let output = formats::export(Format::Brat, &docs, &project.schema, &out, &mut report);
    marginalia::formats::run::write_output(&output.files, false).unwrap();
    (out, report)
}

/// The line-for-line round trip of every fixture corpus (after copying the .ann/.txt
/// pairs of one folder level, as the fixtures keep them).
#[test]
fn brat_fixtures_come_back_line_for_line() {
    for name in ["news", "bionlp2011", "conll2002/esp", "conll2002/ned"] {
        let tmp = tempfile::tempdir().unwrap();
        let (out, _) = export_again(&fixture(name), tmp.path());
        let (before, after) = (brat_lines(&fixture(name)), brat_lines(&out));
        let missing: Vec<_> = before.iter().filter(|l| !after.contains(l)).collect();
        let extra: Vec<_> = after.iter().filter(|l| !before.contains(l)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:#?}\nextra {extra:#?}"
        );
        assert_eq!(before.len(), after.len(), "{name}: same number of lines");
    }
}

/// The minimal case: three events on one trigger, a modifier on the second.
#[test]
fn events_sharing_a_trigger_keep_their_arguments_and_modifiers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.txt"), "IL-2 and IL-4 expressed").unwrap();
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tProtein 0 4\tIL-2\nT2\tProtein 9 13\tIL-4\nT3\tGene_expression 14 23\texpressed\n\
         E1\tGene_expression:T3 Theme:T1\nE2\tGene_expression:T3 Theme:T2\nM1\tNegation E2\n\
         E3\tGene_expression:T3\n",
    )
    .unwrap();
    let imported = formats::import(Format::Brat, &[dir.path().to_owned()]).unwrap();
    assert_eq!(imported.report.get("events"), 3);
    let d = &imported.docs[0];
    let events: Vec<_> = d
        .spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.label == "Gene_expression")
        .collect();
    assert_eq!(events.len(), 3, "one span per event");
    let theme_of = |i: usize| -> Vec<&str> {
        d.relations
            .iter()
            .filter(|r| r.from == i)
            .map(|r| &d.text[d.spans[r.to].start..d.spans[r.to].end])
            .collect()
    };
    let negated: Vec<_> = events
        .iter()
        .filter(|(_, s)| s.attrs.contains_key("Negation"))
        .map(|(i, _)| theme_of(*i))
        .collect();
    assert_eq!(
        negated,
        [vec!["IL-4"]],
        "the negation is on the IL-4 event only"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (out, report) = export_again(dir.path(), tmp.path());
    assert_eq!(report.get("events"), 3);
    assert_eq!(brat_lines(dir.path()), brat_lines(&out));
    let ann = std::fs::read_to_string(out.join("d.ann")).unwrap();
    assert_eq!(ann.matches("\tGene_expression 14 23\t").count(), 1, "{ann}");
}

/// Attributes and notes on relations, and a T line whose text runs over a line break.
#[test]
fn relation_notes_attributes_and_multiline_text_fields_are_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.txt"), "Kim said:\n\nno talks.").unwrap();
    std::fs::write(
        dir.path().join("d.ann"),
        "T1\tPerson 0 3\tKim\nT2\tQuote 11 20\tno talks.\nT3\tCue 4 20\tsaid:\n\nno talks.\n\
         R1\tSays Arg1:T1 Arg2:T2\nA1\tCertain R1\n#1\tAnnotatorNotes R1\tcheck the source\n",
    )
    .unwrap();
    let imported = formats::import(Format::Brat, &[dir.path().to_owned()]).unwrap();
    let d = &imported.docs[0];
    assert_eq!(d.spans.len(), 3, "{}", imported.report);
    assert_eq!(
        &d.text[d.spans[2].start..d.spans[2].end],
        "said:\n\nno talks."
    );
    let r = &d.relations[0];
    assert_eq!(r.note.as_deref(), Some("check the source"));
    assert_eq!(r.attrs.get("Certain"), Some("true"));
    assert!(imported.report.notes.is_empty(), "{}", imported.report);
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = export_again(dir.path(), tmp.path());
    let ann = std::fs::read_to_string(out.join("d.ann")).unwrap();
    assert!(
        ann.contains("\tCertain R1\n") && ann.contains("AnnotatorNotes R1\tcheck the source"),
        "{ann}"
    );
}

/// A corpus shaped like a real news attribution corpus (events over Source, Cue and
/// Content, quotes interrupted by their cue as discontinuous Content) comes back line for
/// line.
#[test]
fn a_news_shaped_corpus_comes_back_line_for_line() {
    let dir = tempfile::tempdir().unwrap();
    marginalia::generate::write_news_brat_corpus(dir.path(), 12, 4_700, 3).unwrap();
    let before = brat_lines(dir.path());
    assert!(
        before.iter().any(|l| l.contains(';')),
        "discontinuous spans"
    );
    assert!(before.iter().any(|l| l.contains("{Attribution")), "events");
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = export_again(dir.path(), tmp.path());
    assert_eq!(before, brat_lines(&out));
}
