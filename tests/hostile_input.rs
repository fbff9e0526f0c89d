//! Hostile corpus files: not UTF-8, a byte order mark, CRLF, NUL bytes, empty, binary,
//! UTF-16, and 100 MB on one line. Each either works (with offsets right) or is refused with
//! a message that names the file and the place; nothing panics. Both ways in are covered:
//! `marginalia new --corpus` ([`new_project`]) and opening a project whose corpus file was
//! changed behind its back ([`load_project`]).
//!
//! Text that is not UTF-8 is refused, not decoded as Latin-1: span offsets are bytes of the
//! text and the project keeps the text's SHA-256, so a guessed decoding would tie every
//! annotation to a text that is not the file's bytes (and a wrong guess, Windows-1252 or
//! Shift-JIS read as Latin-1, would garble it without a word). The message gives the file,
//! line, column and byte offset, and says to re-save the file as UTF-8.

use assert_cmd::Command;
use marginalia::model::{DocId, Edit};
use marginalia::persist::{LoadError, ProblemKind, load_project, new_project, save_project};
use std::io::Write;
use std::path::{Path, PathBuf};

const GOOD: &str = "Kamala Harris said \u{201C}no\u{201D} to Putin.\nKim \u{1F642} agreed.\n";

/// What a hostile file must give.
enum Expect {
    /// Loads, and the document's text is this.
    Text(&'static str),
    /// Refused with this kind, and a message that contains these words.
    Refused(ProblemKind, &'static [&'static str]),
}

/// The hostile files (name, bytes) and what `new --corpus` on a folder holding them gives.
fn hostile_texts() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let bom = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
    let crlf = GOOD.replace('\n', "\r\n");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\xff\xfe".to_vec();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Harris".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    vec![
        (
            "latin1.txt",
            b"Caf\xe9 au lait\nand more".to_vec(),
            Expect::Refused(
                ProblemKind::NotUtf8,
                &[
                    "latin1.txt:1:4:",
                    "invalid byte 0xe9 (byte offset 3)",
                    "UTF-8",
                ],
            ),
        ),
        (
            "bom-latin1.txt",
            b"\xEF\xBB\xBFok\nCaf\xe9".to_vec(),
            Expect::Refused(
                ProblemKind::NotUtf8,
                // Offsets count the byte order mark: the 0xe9 is the file's byte 9.
                &["bom-latin1.txt:2:4:", "(byte offset 9)"],
            ),
        ),
        ("bom.txt", bom, Expect::Text(GOOD)),
        (
            "crlf.txt",
            crlf.clone().into_bytes(),
            Expect::Text(Box::leak(crlf.into_boxed_str())),
        ),
        ("nul.txt", b"a\0b\0\0c".to_vec(), Expect::Text("a\0b\0\0c")),
        ("empty.txt", Vec::new(), Expect::Text("")),
        (
            "binary.txt",
            png,
            Expect::Refused(ProblemKind::NotUtf8, &["binary.txt:1:1:", "binary file"]),
        ),
        (
            "utf16.txt",
            utf16,
            Expect::Refused(ProblemKind::NotUtf8, &["utf16.txt", "UTF-16", "UTF-8"]),
        ),
    ]
}

/// A refusal: the kind of problem, and words its message must contain.
type Refusal = (ProblemKind, &'static [&'static str]);

fn assert_refused(e: &LoadError, kind: ProblemKind, words: &[&str]) {
    let shown = e.to_string();
    assert!(e.has(kind), "expected {kind:?}, got: {shown}");
    for w in words {
        assert!(shown.contains(w), "`{w}` missing from: {shown}");
    }
}

/// A folder holding one file.
fn folder_with(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = root.join(name.replace('.', "-"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
    dir
}

#[test]
fn new_project_on_hostile_text_files() {
    let root = tempfile::tempdir().unwrap();
    for (name, bytes, expect) in hostile_texts() {
        let dir = folder_with(root.path(), name, &bytes);
        match (new_project(&dir, None), expect) {
            (Ok(p), Expect::Text(text)) => {
                assert_eq!(&*p.documents[0].text, text, "{name}");
                // And it saves and opens again with the same text.
                let path = root.path().join(format!("{name}.ron"));
                save_project(&p, &path).unwrap();
                let again = load_project(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(&*again.project.documents[0].text, text, "{name}");
            }
            (Err(e), Expect::Refused(kind, words)) => assert_refused(&e, kind, words),
            (Ok(_), Expect::Refused(..)) => panic!("{name}: loaded, should be refused"),
            (Err(e), Expect::Text(_)) => panic!("{name}: refused: {e}"),
        }
    }
}

#[test]
fn offsets_after_a_byte_order_mark_and_in_crlf_text_are_right() {
    let root = tempfile::tempdir().unwrap();
    let crlf = GOOD.replace('\n', "\r\n");
    for (name, bytes) in [
        (
            "bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat(),
        ),
        ("crlf.txt", crlf.into_bytes()),
        (
            "bom-crlf.txt",
            [
                b"\xEF\xBB\xBF".as_slice(),
                GOOD.replace('\n', "\r\n").as_bytes(),
            ]
            .concat(),
        ),
    ] {
        let dir = folder_with(root.path(), name, &bytes);
        let mut p = new_project(&dir, None).unwrap();
        let text = p.documents[0].text.clone();
        tag_speakers(&mut p, &["Kamala", "Kim \u{1F642}"]);
        let path = root.path().join(format!("{name}.ron"));
        save_project(&p, &path).unwrap();
        let again = load_project(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let spans: Vec<&str> = again.project.documents[0]
            .spans()
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(spans, ["Kamala", "Kim \u{1F642}"], "{name}");
        assert_eq!(
            again.project.documents[0].spans()[0].start,
            0,
            "{name}: the mark is not text"
        );
    }
}

/// JSONL corpora that are not UTF-8, have a byte order mark, CRLF line ends, NUL bytes
/// between the lines, nothing at all, or binary content.
#[test]
fn new_project_on_hostile_jsonl_files() {
    let root = tempfile::tempdir().unwrap();
    let line = "{\"id\": \"d1\", \"text\": \"Kim \u{1F642} said no.\\r\\nThen left.\"}";
    let cases: Vec<(&str, Vec<u8>, Result<usize, Refusal>)> = vec![
        ("bom.jsonl", format!("\u{FEFF}{line}\n").into_bytes(), Ok(1)),
        (
            "crlf.jsonl",
            format!("{line}\r\n\r\n{line}\r\n").into_bytes(),
            Ok(2),
        ),
        (
            "latin1.jsonl",
            b"{\"text\": \"Caf\xe9\"}\n".to_vec(),
            Err((
                ProblemKind::NotUtf8,
                &["latin1.jsonl:1:14:", "byte offset 13"],
            )),
        ),
        (
            "nul.jsonl",
            format!("{line}\n\0\n").into_bytes(),
            Err((ProblemKind::Syntax, &["nul.jsonl:2:1:", "expected"])),
        ),
        (
            "empty.jsonl",
            Vec::new(),
            Err((ProblemKind::Io, &["empty.jsonl", "no documents"])),
        ),
        (
            "binary.jsonl",
            b"\x1f\x8b\x08\0\0\0\0\0\xff\x03".to_vec(),
            Err((ProblemKind::NotUtf8, &["binary.jsonl", "binary file"])),
        ),
    ];
    for (name, bytes, expect) in cases {
        let path = root.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        match (new_project(&path, None), expect) {
            (Ok(p), Ok(n)) => {
                assert_eq!(p.documents.len(), n, "{name}");
                assert_eq!(
                    &*p.documents[0].text,
                    "Kim \u{1F642} said no.\r\nThen left."
                );
            }
            (Err(e), Err((kind, words))) => assert_refused(&e, kind, words),
            (got, want) => panic!(
                "{name}: got {:?}, want {want:?}",
                got.map(|p| p.documents.len())
            ),
        }
    }
}

/// A project over `GOOD` with two spans ("Kamala Harris" on the first line, "Kim" on the
/// second), saved; returns the project file and the corpus file.
/// Tags the first occurrence of each needle in the first document as a speaker.
fn tag_speakers(p: &mut marginalia::model::Project, needles: &[&str]) {
    for needle in needles {
        let start = p.documents[0].text.find(needle).unwrap();
        let span = p
            .make_span(DocId(0), start, start + needle.len(), "speaker")
            .unwrap();
        p.apply(Edit::AddSpan {
            doc: DocId(0),
            span,
        })
        .unwrap();
    }
}

fn saved_project(root: &Path) -> (PathBuf, PathBuf) {
    let dir = root.join("corpus");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("a.txt");
    std::fs::write(&file, GOOD).unwrap();
    let mut p = new_project(&dir, None).unwrap();
    tag_speakers(&mut p, &["Kamala Harris", "Kim"]);
    let path = root.join("p.ron");
    save_project(&p, &path).unwrap();
    (path, file)
}

#[test]
fn opening_a_project_whose_corpus_became_hostile() {
    let root = tempfile::tempdir().unwrap();
    let (project, corpus) = saved_project(root.path());
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
    let with_nul = format!("{GOOD}\0\0").into_bytes();
    let cases: Vec<(&str, Vec<u8>, Option<Refusal>)> = vec![
        // Same text after the mark: nothing changed as far as the spans go.
        ("a byte order mark", with_bom, None),
        ("NUL bytes at the end", with_nul, None),
        (
            "Latin-1",
            b"Kamala Harris said \x93no\x94".to_vec(),
            Some((
                ProblemKind::NotUtf8,
                &["a.txt:1:20:", "invalid byte 0x93 (byte offset 19)"],
            )),
        ),
        (
            "CRLF line ends",
            GOOD.replace('\n', "\r\n").into_bytes(),
            // The span on the second line moved by one byte; the first still matches.
            Some((
                ProblemKind::SpanMismatch,
                &["span 2", "should cover “Kim”", "1 of its 2 spans"],
            )),
        ),
        (
            "nothing",
            Vec::new(),
            Some((
                ProblemKind::SpanMismatch,
                &["past the end of the text (0 bytes)"],
            )),
        ),
        (
            "binary",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\xc0".to_vec(),
            Some((ProblemKind::NotUtf8, &["a.txt", "binary file"])),
        ),
    ];
    for (what, bytes, expect) in cases {
        std::fs::write(&corpus, &bytes).unwrap();
        match (load_project(&project), expect) {
            (Ok(loaded), None) => {
                let doc = &loaded.project.documents[0];
                let spans: Vec<&str> = doc.spans().iter().map(|s| s.text.as_str()).collect();
                assert_eq!(spans, ["Kamala Harris", "Kim"], "{what}");
            }
            (Err(e), Some((kind, words))) => assert_refused(&e, kind, words),
            (Ok(_), Some(_)) => panic!("{what}: loaded, should be refused"),
            (Err(e), None) => panic!("{what}: refused: {e}"),
        }
    }
}

/// Writes `head`, then `n` bytes of words on one line, then `tail`, without holding it all.
fn write_long_line(path: &Path, head: &[u8], n: usize, tail: &[u8]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(head).unwrap();
    let chunk = "lorem ipsum dolor sit amet \u{201C}Harris\u{201D} \u{1F642} ".repeat(1 << 14);
    let mut left = n;
    while left > 0 {
        // Cut on a character boundary.
        let mut take = left.min(chunk.len());
        while !chunk.is_char_boundary(take) {
            take -= 1;
        }
        if take == 0 {
            break;
        }
        f.write_all(&chunk.as_bytes()[..take]).unwrap();
        left -= take;
    }
    f.write_all(tail).unwrap();
    f.flush().unwrap();
}

/// 100 MB on one line: as a text file for `new`, as one JSONL line, and as a corpus file
/// that grew behind a project's back. The files live in a temporary folder only for the
/// test, one at a time.
#[test]
fn a_hundred_megabytes_on_one_line() {
    const SIZE: usize = 100 << 20;
    let root = tempfile::tempdir().unwrap();

    let dir = root.path().join("big");
    std::fs::create_dir(&dir).unwrap();
    let txt = dir.join("big.txt");
    write_long_line(&txt, b"", SIZE, b"");
    let p = new_project(&dir, None).unwrap();
    assert!(p.documents[0].text.len() > SIZE - 16);
    assert!(!p.documents[0].text.contains('\n'));
    drop(p);
    std::fs::remove_file(&txt).unwrap();

    let jsonl = root.path().join("big.jsonl");
    write_long_line(&jsonl, b"{\"id\": \"big\", \"text\": \"", SIZE, b"\"}\n");
    let p = new_project(&jsonl, None).unwrap();
    assert_eq!(p.documents[0].id, "big");
    assert!(p.documents[0].text.len() > SIZE - 16);
    drop(p);
    std::fs::remove_file(&jsonl).unwrap();

    // The corpus file of a saved project grows by 100 MB on its last line: the spans still
    // match, so it opens, with a warning that the file changed.
    let (project, corpus) = saved_project(root.path());
    write_long_line(&corpus, GOOD.as_bytes(), SIZE, b"");
    let loaded = load_project(&project).unwrap();
    assert_eq!(loaded.project.span_count(), 2);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("all 2 spans still match")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn the_command_line_names_the_file_and_the_byte() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("corpus");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("ok.txt"), GOOD).unwrap();
    std::fs::write(dir.join("latin1.txt"), b"Caf\xe9\n").unwrap();
    std::fs::write(dir.join("png.txt"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    let out = root.path().join("p.ron");
    Command::cargo_bin("marginalia")
        .unwrap()
        .args(["new", "--corpus"])
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "latin1.txt:1:4: not UTF-8 text: invalid byte 0xe9 (byte offset 3); re-save the file as UTF-8",
        ))
        .stderr(predicates::str::contains("png.txt:1:1: not UTF-8 text: invalid byte 0x89 (byte offset 0)"));
    assert!(
        !out.exists(),
        "nothing is written when the corpus is refused"
    );
}

/// Issue 13: a project file can come from anyone. Its corpus paths may name a device, a pipe
/// or a link out of the folder; its ids may be absurd; it may have fields this build does not
/// know. Each is refused with a clear message (or, for links, asked about), and nothing
/// outside the project's folder is ever quoted in a message.
#[cfg(unix)]
#[test]
fn corpus_paths_that_are_not_ordinary_files_are_refused_without_reading_them() {
    let root = tempfile::tempdir().unwrap();
    let (project, corpus) = saved_project(root.path());
    let fifo = root.path().join("corpus/pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    for (target, what) in [
        (PathBuf::from("/dev/zero"), "a device, a pipe or a socket"),
        (root.path().join("corpus"), "a folder"),
        (fifo, "a device, a pipe or a socket"),
    ] {
        if !target.exists() || (what.contains("pipe") && made.is_err()) {
            continue;
        }
        std::fs::remove_file(&corpus).unwrap();
        std::os::unix::fs::symlink(&target, &corpus).unwrap();
        // Returns at once (a pipe would block a reader for ever, /dev/zero never end).
        let e = load_project(&project).unwrap_err();
        assert!(e.to_string().contains(what), "{target:?}: {e}");
    }
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_folder_to_a_file_outside_it_counts_as_outside_and_is_never_quoted() {
    let root = tempfile::tempdir().unwrap();
    let (project, corpus) = saved_project(root.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.txt");
    std::fs::write(
        &secret,
        "TOP-SECRET-TOKEN and more words here to fill the spans",
    )
    .unwrap();
    std::fs::remove_file(&corpus).unwrap();
    std::os::unix::fs::symlink(&secret, &corpus).unwrap();
    // The window's way: asked about first, nothing read.
    let e =
        marginalia::persist::load_project_with(&project, marginalia::persist::LoadOptions::WINDOW)
            .unwrap_err();
    assert!(
        e.problems
            .iter()
            .all(|p| p.kind == ProblemKind::OutsideFolder),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains(&elsewhere.path().display().to_string()),
        "{e}"
    );
    // The command line reads it (and says so first), but quotes none of it.
    let e = load_project(&project).unwrap_err();
    let text = e.to_string();
    assert!(!text.contains("TOP-SECRET"), "{text}");
    assert_eq!(e.problems[0].kind, ProblemKind::OutsideFolder, "{text}");
}

#[test]
fn duplicate_document_ids_absurd_ids_and_unknown_fields_are_refused_at_their_line() {
    let root = tempfile::tempdir().unwrap();
    let (project, _) = saved_project(root.path());
    let text = std::fs::read_to_string(&project).unwrap();
    let id_line = text
        .lines()
        .find(|l| l.contains("id: \"a\""))
        .unwrap()
        .to_owned();
    // A second document with the same id.
    let start = text.find("        Document(").unwrap();
    let end = text.rfind("\n    ],").unwrap();
    let doc = &text[start..end];
    let twice = format!(
        "{}{},\n{}{}",
        &text[..start],
        doc.trim_end_matches(','),
        doc,
        &text[end..]
    );
    std::fs::write(&project, &twice).unwrap();
    let e = load_project(&project).unwrap_err();
    assert!(
        e.to_string().contains("document id `a` is used twice"),
        "{e}"
    );
    // A span id the counter could not follow.
    let huge = text.replacen("(id: 1,", &format!("(id: {},", u64::MAX), 1);
    std::fs::write(&project, &huge).unwrap();
    let e = load_project(&project).unwrap_err();
    assert!(e.to_string().contains("is too large"), "{e}");
    // A field this build does not know: an error where it is, not a silent loss on resave.
    let unknown = text.replacen(
        &id_line,
        &format!("{id_line}\n            reviewer: \"ann\","),
        1,
    );
    std::fs::write(&project, &unknown).unwrap();
    let e = load_project(&project).unwrap_err();
    assert!(e.to_string().contains("reviewer"), "{e}");
    assert!(e.problems[0].line.is_some(), "{e}");
}

#[test]
fn importing_nothing_writes_nothing_and_fails() {
    let root = tempfile::tempdir().unwrap();
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for folder in [empty.clone(), root.path().join("missing")] {
        let out = root.path().join("p.ron");
        let assert = Command::cargo_bin("marginalia")
            .unwrap()
            .args(["import", "--format", "brat"])
            .arg(&folder)
            .arg("-o")
            .arg(&out)
            .assert()
            .failure();
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(!out.exists(), "{folder:?}: {err}");
    }
}

#[test]
fn a_reader_that_stops_reading_is_no_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("marginalia"))
        .arg("stats")
        .arg(root.join("projects/seed-news.ron"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{err}");
}
