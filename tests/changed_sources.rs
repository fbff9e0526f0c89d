//! Corpus files that changed behind the project's back, and corpus paths that leave the
//! project's folder: spans follow their text or are set aside for review, never shifted
//! silently; outside files are read only with consent (window) or a warning (CLI).

use marginalia::model::{DocId, Edit, Project, Relation, SpanId};
use marginalia::persist::{
    self, LoadOptions, ProblemKind, load_project, load_project_with, save_project,
};
use marginalia::session::Session;
use std::path::{Path, PathBuf};

mod common;
use common::tag;

const REANCHOR: LoadOptions = LoadOptions {
    reanchor: true,
    allow_outside: true,
};

fn project_over(text: &str) -> (tempfile::TempDir, PathBuf, Project) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), text).unwrap();
    let project = persist::new_project(&corpus, Some("t")).unwrap();
    (dir, dir_path_join(&corpus, "../t.ron"), project)
}

fn dir_path_join(dir: &Path, rel: &str) -> PathBuf {
    persist::paths::normalize(&dir.join(rel))
}

fn relate(p: &mut Project, from: SpanId, to: SpanId) {
    let id = p.allocate_span_id();
    let relation = Relation::new(id, "holds", from, to);
    p.apply(Edit::AddRelation {
        doc: DocId(0),
        relation,
    })
    .unwrap();
}

fn covered(p: &Project) -> Vec<(String, String)> {
    let d = &p.documents[0];
    d.spans()
        .iter()
        .map(|s| {
            assert_eq!(&d.text[s.start..s.end], s.text, "offsets and text agree");
            (s.label.clone(), s.text.clone())
        })
        .collect()
}

#[test]
fn spans_follow_their_text_and_lost_ones_wait_for_review() {
    // Emoji, CJK, combining marks and CRLF before and between the spans.
    let old = "Kamala Harris 🙂 said “no”.\r\nKim 金正恩 met Trump.\r\nPutin said cafe\u{301}.";
    let (dir, path, mut p) = project_over(old);
    let harris = tag(&mut p, "Harris", 0, "speaker");
    let no = tag(&mut p, "“no”", 0, "stance");
    relate(&mut p, harris, no);
    let putin = tag(&mut p, "Putin", 0, "speaker");
    let cafe = tag(&mut p, "cafe\u{301}", 0, "stance");
    relate(&mut p, putin, cafe);
    tag(&mut p, "金正恩", 0, "speaker");
    save_project(&p, &path).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();

    // A paragraph inserted at the top, and the Putin sentence rewritten.
    let new = "UPDATE 👍 (Reuters) — corrected.\r\nKamala Harris 🙂 said “no”.\r\nKim 金正恩 met \
               Trump.\r\nThe Kremlin said cafe\u{301}.";
    std::fs::write(dir.path().join("corpus/a.txt"), new).unwrap();

    // The command line refuses, locates every mismatch, says how to fix it, and writes nothing.
    let e = load_project(&path).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("marginalia resave"), "{msg}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);

    let loaded = load_project_with(&path, REANCHOR).unwrap();
    let [done] = loaded.reanchored.as_slice() else {
        panic!("{:?}", loaded.reanchored)
    };
    assert_eq!((done.moved, done.review), (4, 1), "{done:?}");
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("4 spans moved") && w.message.contains("1 needs review")),
        "{:?}",
        loaded.warnings
    );
    let p2 = loaded.project;
    let d = &p2.documents[0];
    assert_eq!(
        covered(&p2),
        [
            ("speaker", "Harris"),
            ("stance", "“no”"),
            ("speaker", "金正恩"),
            ("stance", "cafe\u{301}"),
        ]
        .map(|(l, t)| (l.to_owned(), t.to_owned()))
    );
    // Putin is gone from the text: set aside with its relation, nothing guessed.
    assert_eq!(d.unanchored().len(), 1);
    assert_eq!(d.unanchored()[0].id, putin);
    assert_eq!(d.unanchored_relations().len(), 1);
    assert_eq!(d.relations().len(), 1, "Harris holds “no” still holds");

    // Saved, it opens strictly (the new hash, the new offsets) and keeps what waits for review.
    save_project(&p2, &path).unwrap();
    let again = load_project(&path).unwrap().project;
    assert_eq!(again.documents[0].unanchored(), d.unanchored());
    assert_eq!(
        again.documents[0].unanchored_relations(),
        d.unanchored_relations()
    );
    assert_eq!(covered(&again), covered(&p2));
    // Its id stays taken: a new span never reuses it.
    let again = again;
    assert!(again.allocate_span_id().0 > putin.0);
}

#[test]
fn placing_a_span_that_waits_for_review_is_one_undoable_edit() {
    let (dir, path, mut p) = project_over("Putin said no. Trump said yes.");
    let putin = tag(&mut p, "Putin", 0, "speaker");
    save_project(&p, &path).unwrap();
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "The Kremlin said no. Trump said yes.",
    )
    .unwrap();
    let (mut s, warnings) = Session::open(&path).unwrap();
    assert!(s.is_dirty(), "the new offsets are not saved yet");
    assert_eq!(s.reanchored.len(), 1);
    assert!(!warnings.is_empty());
    let at = s.project().documents[0].text.find("The Kremlin").unwrap();
    let placement = s
        .project()
        .place_unanchored_edit(DocId(0), putin, at, at + "The Kremlin".len())
        .unwrap();
    s.apply(placement.edit).unwrap();
    let d = &s.project().documents[0];
    assert!(d.unanchored().is_empty());
    assert_eq!(d.spans()[0].text, "The Kremlin");
    assert_eq!(d.spans()[0].id, putin);
    s.undo().unwrap().unwrap();
    assert_eq!(s.project().documents[0].unanchored().len(), 1);
    assert!(s.project().documents[0].spans().is_empty());
}

#[test]
fn repeated_text_keeps_its_order_when_everything_shifts() {
    // Three "Harris" mentions; an insertion longer than the gap between them at the top. The
    // nearest copy to each old offset would be the wrong one; the shift of the one before
    // says where to look.
    let old = "Harris. Harris. Harris.";
    let (dir, path, mut p) = project_over(old);
    tag(&mut p, "Harris", 0, "speaker");
    let second = tag(&mut p, "Harris", 1, "stance");
    tag(&mut p, "Harris", 2, "event");
    save_project(&p, &path).unwrap();
    let new = format!("{}{old}", "Breaking news in a long line of text. ");
    std::fs::write(dir.path().join("corpus/a.txt"), &new).unwrap();
    let p2 = load_project_with(&path, REANCHOR).unwrap().project;
    let d = &p2.documents[0];
    let starts: Vec<_> = new.match_indices("Harris").map(|(i, _)| i).collect();
    let labels: Vec<_> = d
        .spans()
        .iter()
        .map(|s| (s.start, s.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            (starts[0], "speaker"),
            (starts[1], "stance"),
            (starts[2], "event")
        ]
    );
    assert_eq!(d.spans()[1].id, second);
}

#[test]
fn corpus_paths_outside_the_project_folder_are_asked_about_or_warned() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("a.txt"), "Harris said no.").unwrap();
    std::fs::write(shared.join("b.txt"), "Kim said yes.").unwrap();
    let project = persist::new_project(&shared, Some("p")).unwrap();
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    let path = mine.join("p.ron");
    save_project(&project, &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("path: \"../shared/a.txt\""), "{text}");

    // The window's way: nothing read, one problem per folder, located, for the dialog.
    let e = load_project_with(&path, LoadOptions::WINDOW).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.kind, ProblemKind::OutsideFolder);
    assert!(
        p.message.contains("2 corpus files like `../shared/a.txt`"),
        "{e}"
    );
    assert!(p.message.contains(&shared.display().to_string()), "{e}");
    let line = text
        .lines()
        .position(|l| l.contains("../shared/a.txt"))
        .unwrap()
        + 1;
    assert_eq!(p.line, Some(line));

    // The command line's way: read, with a warning.
    let loaded = load_project(&path).unwrap();
    assert_eq!(loaded.project.documents.len(), 2);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.kind == ProblemKind::OutsideFolder && w.message.contains("outside")),
        "{:?}",
        loaded.warnings
    );

    // Paths inside the folder, even through `..` that comes back in, are not asked about.
    let inside = dir.path().join("p.ron");
    save_project(&project, &inside).unwrap();
    assert!(load_project_with(&inside, LoadOptions::WINDOW).is_ok());
}

/// The demo project copied with its corpus into a temporary folder, where the corpus can
/// be edited behind the project's back.
fn demo_with_corpus() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = common::demo_corpus_in(dir.path());
    let text = std::fs::read_to_string(root.join("projects/seed-news.ron"))
        .unwrap()
        .replace("../assets/corpus/", "corpus/");
    let path = dir.path().join("p.ron");
    std::fs::write(&path, text).unwrap();
    let article = corpus.join("harris-no-putin-talks-without-ukraine.txt");
    (dir, path, article)
}

fn edit_file(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn spans_with_text<'a>(p: &'a Project, text: &str) -> Vec<&'a marginalia::model::Span> {
    p.documents[0]
        .spans()
        .iter()
        .filter(|s| s.text == text)
        .collect()
}

/// Issue 13: the sentence that named her is reworded; the only "Kamala Harris" left is
/// the headline's. The span must not jump there: it is set aside for review.
#[test]
fn a_span_whose_text_survives_only_elsewhere_is_flagged_not_moved() {
    let (_dir, path, article) = demo_with_corpus();
    let before = load_project(&path).unwrap().project;
    let harris = spans_with_text(&before, "Kamala Harris");
    assert_eq!(harris.len(), 1);
    let old_start = harris[0].start;
    edit_file(
        &article,
        "Vice President Kamala Harris made",
        "Kamala D. Harris made",
    );
    let loaded = load_project_with(&path, REANCHOR).unwrap();
    let d = &loaded.project.documents[0];
    assert!(
        d.spans()
            .iter()
            .all(|s| s.text != "Kamala Harris" || s.start == old_start),
        "moved to another mention"
    );
    assert!(d.unanchored().iter().any(|s| s.text == "Kamala Harris"));
    let r = &loaded.reanchored[0];
    assert_eq!(r.unsure, 1);
    assert!(
        r.message().contains("too far away to be sure"),
        "{}",
        r.message()
    );
}

/// Issue 13: the sentence with the speaker "she" is deleted; another "she" 450 bytes away is
/// not the same speaker.
#[test]
fn a_short_common_text_found_far_away_is_flagged_not_moved() {
    let (_dir, path, article) = demo_with_corpus();
    let before = load_project(&path).unwrap().project;
    let she = spans_with_text(&before, "she");
    assert_eq!(she.len(), 1);
    let start = she[0].start;
    let text = std::fs::read_to_string(&article).unwrap();
    let sentence_start = text.find("“Ukraine must have a say").unwrap();
    let sentence_end = text.find("If elected, Harris stressed").unwrap();
    assert!((sentence_start..sentence_end).contains(&start));
    let cut = format!("{}{}", &text[..sentence_start], &text[sentence_end..]);
    std::fs::write(&article, cut).unwrap();
    let loaded = load_project_with(&path, REANCHOR).unwrap();
    let d = &loaded.project.documents[0];
    assert!(
        spans_with_text(&loaded.project, "she").is_empty(),
        "no guess"
    );
    assert!(d.unanchored().iter().any(|s| s.text == "she"));
    // Spans after the cut moved by its length, together: that is evidence.
    let cut_len = (sentence_end - sentence_start) as isize;
    let r = &loaded.reanchored[0];
    assert!(r.moves.iter().all(|(_, d)| *d == -cut_len), "{:?}", r.moves);
}

/// A paragraph inserted at the top moves every span by its length: each has neighbours
/// that moved the same way, and the report gives the distance.
#[test]
fn spans_that_move_together_follow_their_text_and_the_distance_is_said() {
    let (_dir, path, article) = demo_with_corpus();
    let before = load_project(&path).unwrap().project;
    let n = before.documents[0].spans().len();
    let text = std::fs::read_to_string(&article).unwrap();
    let head = "Editor's note: this article was updated.\n\n";
    std::fs::write(&article, format!("{head}{text}")).unwrap();
    let loaded = load_project_with(&path, REANCHOR).unwrap();
    let d = &loaded.project.documents[0];
    assert_eq!(d.spans().len(), n, "every span followed");
    assert!(d.unanchored().is_empty());
    let r = &loaded.reanchored[0];
    assert_eq!(r.moved, n);
    assert!(
        r.message().contains(&format!("+{} bytes", head.len())),
        "{}",
        r.message()
    );
}
