//! Never losing work: the journal brings back every edit after a crash, saves keep backups,
//! and a save killed at any moment leaves the old file or the new one, never a mix.

use common::demo_copy;
use marginalia::model::{DocId, Edit, Status};
use marginalia::persist::backup::backup_path;
use marginalia::persist::journal::journal_path;
use marginalia::persist::{load_project, project_to_ron, save_project};
use marginalia::session::Session;
use std::path::Path;

mod common;

fn word(s: &Session, doc: usize, word: &str) -> (usize, usize) {
    let start = s.project().documents[doc].text.find(word).unwrap();
    (start, start + word.len())
}

/// A session's worth of edits: tagging, an attribute, a status, an undo and a redo.
fn work(s: &mut Session) {
    let (a, b) = word(s, 2, "Khanna");
    let span = s.project().make_span(DocId(2), a, b, "speaker").unwrap();
    let id = span.id;
    s.apply(Edit::AddSpan {
        doc: DocId(2),
        span,
    })
    .unwrap();
    s.apply(Edit::SetAttr {
        doc: DocId(2),
        id,
        name: "entity".into(),
        value: Some("Ro Khanna".into()),
    })
    .unwrap();
    s.apply(Edit::SetStatus {
        doc: DocId(1),
        status: Status::Done,
    })
    .unwrap();
    s.undo().unwrap().unwrap();
    s.redo().unwrap().unwrap();
    s.undo().unwrap().unwrap();
}

#[test]
fn a_crashed_session_is_restored_edit_for_edit() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    assert!(s.recovery().is_none());
    work(&mut s);
    let before_crash = project_to_ron(s.project(), &path).unwrap();
    // The process dies: no save, no clean close. Every edit is already in the journal.
    drop(s);
    assert!(journal_path(&path).exists());
    let (mut s, _) = Session::open(&path).unwrap();
    let r = s.recovery().unwrap();
    assert_eq!(
        r.edits.len(),
        6,
        "every applied edit, undo and redo included"
    );
    assert_eq!(s.restore(), (6, None));
    assert_eq!(project_to_ron(s.project(), &path).unwrap(), before_crash);
    assert!(s.is_dirty(), "restored, not saved");
    // Crashing again right away loses nothing either: the restored edits are journaled.
    drop(s);
    let (mut s, _) = Session::open(&path).unwrap();
    assert_eq!(s.restore().0, 6);
    // Saving puts them in the file and the journal goes.
    s.save(None).unwrap();
    assert!(!journal_path(&path).exists());
    assert_eq!(
        project_to_ron(&load_project(&path).unwrap().project, &path).unwrap(),
        before_crash
    );
}

#[test]
fn discarding_sets_the_journal_aside_and_a_clean_close_removes_it() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    work(&mut s);
    drop(s);
    let (mut s, _) = Session::open(&path).unwrap();
    s.discard_recovery().unwrap();
    assert!(!journal_path(&path).exists());
    let mut aside = journal_path(&path).into_os_string();
    aside.push(".discarded");
    assert!(Path::new(&aside).exists());
    // New edits start a new journal; closing on purpose ("Don't save") removes it.
    work(&mut s);
    assert!(journal_path(&path).exists());
    s.close().unwrap();
    assert!(!journal_path(&path).exists());
}

/// Issue 13: a journal names the version it was made on (hashed at load). When the file
/// changed since, its edits are offered for review, never replayed on open, and never
/// dropped silently either.
#[test]
fn a_journal_for_another_version_of_the_file_is_offered_for_review_not_replayed() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    work(&mut s);
    drop(s);
    // Someone saves the project elsewhere (another machine, the CLI): the file changed.
    let mut p = load_project(&path).unwrap().project;
    p.apply(Edit::SetStatus {
        doc: DocId(0),
        status: Status::Done,
    })
    .unwrap();
    save_project(&p, &path).unwrap();
    let (mut s, _) = Session::open(&path).unwrap();
    let r = s.recovery().expect("the edits are offered");
    assert!(r.other_version);
    assert_eq!(r.edits.len(), 6, "every applied edit, undos included");
    // Nothing was applied on open: the project is the file as the other writer left it.
    assert_eq!(s.project().documents[0].status, Status::Done);
    assert!(
        s.project().documents[2]
            .spans()
            .iter()
            .all(|x| x.text != "Khanna")
    );
    assert!(!s.is_dirty());
    // Restoring is the user's decision; it applies them (ids made fresh where needed).
    let (restored, stopped) = s.restore();
    assert_eq!((restored, stopped), (6, None));
    assert!(
        s.project().documents[2]
            .spans()
            .iter()
            .any(|x| x.text == "Khanna")
    );
}

/// Issue 13: the journal is bound to the file as it was loaded, not as it was at the first
/// edit. The file changes on disk after the window opened it, then the window edits and is
/// killed: its journal must not pass for a journal of the changed file.
#[test]
fn a_journal_names_the_version_loaded_even_when_the_file_changed_before_the_first_edit() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    // Another program removes the first document's spans and saves, behind the window.
    let mut p = load_project(&path).unwrap().project;
    let ids: Vec<_> = p.documents[0].spans().iter().map(|x| x.id).collect();
    for id in ids {
        p.apply(Edit::RemoveSpan { doc: DocId(0), id }).unwrap();
    }
    save_project(&p, &path).unwrap();
    // The window marks a document done; killed before saving.
    s.apply(Edit::SetStatus {
        doc: DocId(1),
        status: Status::Done,
    })
    .unwrap();
    // Dropped without saving: the journal stays, as after a kill -9 (the lock goes with
    // the process either way).
    drop(s);
    let (s, _) = Session::open(&path).unwrap();
    let r = s.recovery().expect("the edit is offered");
    assert!(
        r.other_version,
        "made on the version the window loaded, not this one"
    );
}

#[test]
fn saves_keep_the_last_three_versions() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    let mut versions = vec![std::fs::read_to_string(&path).unwrap()];
    for status in [Status::InProgress, Status::Done, Status::New, Status::Done] {
        s.apply(Edit::SetStatus {
            doc: DocId(2),
            status,
        })
        .unwrap();
        s.save(None).unwrap();
        versions.push(std::fs::read_to_string(&path).unwrap());
    }
    let n = versions.len();
    for k in 1..=3 {
        assert_eq!(
            std::fs::read_to_string(backup_path(&path, k)).unwrap(),
            versions[n - 1 - k],
            "bak{k}"
        );
    }
    assert!(!backup_path(&path, 4).exists());
    // Every backup is a project that loads.
    load_project(&backup_path(&path, 3)).unwrap();
}

fn marginalia() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_marginalia"))
}

#[test]
fn the_command_line_notes_a_journal_and_will_not_orphan_it() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    work(&mut s);
    drop(s);
    let out = marginalia().arg("validate").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("holds 6 changes not saved in the file"),
        "{text}"
    );
    let before = std::fs::read(&path).unwrap();
    let out = marginalia()
        .args(["suggest"])
        .arg(&path)
        .args(["--with", "quotes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("open the project in the window"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A save killed at random moments, 100 times: the file is always exactly the old version
/// or exactly the new one, and loads.
#[cfg(unix)]
#[test]
fn a_save_killed_at_any_moment_leaves_the_old_file_or_the_new_one() {
    use std::time::Instant;
    let dir = tempfile::tempdir().unwrap();
    // A project big enough that writing it takes a while: 4,000 spans over 400 documents.
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let text = "Harris said “no” to Putin 😀 and Kim agreed. ".repeat(20);
    for i in 0..400 {
        std::fs::write(corpus.join(format!("d{i:03}.txt")), &text).unwrap();
    }
    let mut p = marginalia::persist::new_project(&corpus, Some("big")).unwrap();
    for d in 0..p.documents.len() {
        let starts: Vec<usize> = p.documents[d]
            .text
            .match_indices("Harris")
            .map(|(i, _)| i)
            .take(10)
            .collect();
        for s in starts {
            let span = p.make_span(DocId(d), s, s + 6, "speaker").unwrap();
            p.apply(Edit::AddSpan {
                doc: DocId(d),
                span,
            })
            .unwrap();
        }
    }
    let path = dir.path().join("big.ron");
    save_project(&p, &path).unwrap();
    // The old version: the same project in format version 3 (it loads, and `resave`
    // rewrites it as the current version, so old and new differ).
    let new = std::fs::read(&path).unwrap();
    let old = String::from_utf8(new.clone())
        .unwrap()
        .replacen(
            &format!("version: {},", marginalia::persist::FORMAT_VERSION),
            "version: 3,",
            1,
        )
        .into_bytes();
    assert_ne!(old, new);
    let started = Instant::now();
    std::fs::write(&path, &old).unwrap();
    let ok = marginalia()
        .args(["resave", "--backups", "0"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let whole = started.elapsed();
    assert_eq!(std::fs::read(&path).unwrap(), new);
    let (mut saw_old, mut saw_new) = (0, 0);
    // A deterministic spread of kill times from "at once" to "after it would have ended".
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..100 {
        std::fs::write(&path, &old).unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = whole.mul_f64((seed % 1000) as f64 / 1000.0 * 1.2);
        let mut child = marginalia()
            .args(["resave", "--backups", "0"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(wait);
        let _ = child.kill(); // SIGKILL on unix
        let _ = child.wait();
        let now = std::fs::read(&path).unwrap();
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!("a mix after a kill at {wait:?}: {} bytes", now.len());
        }
    }
    // A temporary file left by a kill is the only trace; the next save clears old ones.
    let stale = dir.path().join(".big.ron.stale.tmp");
    std::fs::write(&stale, "half a file").unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    save_project(&p, &path).unwrap();
    assert!(!stale.exists());
    assert_eq!(saw_old + saw_new, 100);
    // Kills landed both before and after the rename (the test did test something).
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}");
}
