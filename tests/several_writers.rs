//! Several hands on one project (issue 13): one writer at a time, no silent overwrite of a
//! file another program changed, saves that keep their backups honest, and a journal that
//! survives failures.

use assert_cmd::Command;
use common::demo_copy;
use marginalia::model::{DocId, Edit, Status};
use marginalia::persist::backup::backup_path;
use marginalia::persist::journal::{journal_path, pending};
use marginalia::persist::lock::lock_path;
use marginalia::persist::{ProblemKind, load_project, save_project};
use marginalia::session::{ApplyError, Session};
use std::path::Path;

mod common;

fn done(doc: usize) -> Edit {
    Edit::SetStatus {
        doc: DocId(doc),
        status: Status::Done,
    }
}

fn status(path: &Path, doc: usize) -> Status {
    load_project(path).unwrap().project.documents[doc].status
}

#[test]
fn a_second_window_opens_read_only_and_never_writes() {
    let (_dir, path) = demo_copy();
    let (mut first, _) = Session::open(&path).unwrap();
    first.apply(done(0)).unwrap();
    assert!(journal_path(&path).exists());
    let (mut second, _) = Session::open(&path).unwrap();
    let holder = second.read_only().expect("read-only").to_owned();
    assert!(
        holder.contains(&format!("process {}", std::process::id())),
        "{holder}"
    );
    assert!(second.title().contains("[read-only]"));
    // The live window's journal is not offered as a crash to recover.
    assert!(second.recovery().is_none());
    assert!(matches!(
        second.apply(done(1)),
        Err(ApplyError::ReadOnly(_))
    ));
    let refused = second.save(None).unwrap_err();
    assert_eq!(refused.kind, ProblemKind::Locked, "{refused}");
    // Closing the read-only window leaves the writer's journal alone.
    second.close().unwrap();
    drop(second);
    assert!(journal_path(&path).exists());
    // The writer saves; its lock goes when it closes, and the next window may write.
    first.save(None).unwrap();
    drop(first);
    assert!(!lock_path(&path).exists());
    let (third, _) = Session::open(&path).unwrap();
    assert!(third.read_only().is_none());
}

#[test]
fn a_writing_command_refuses_while_a_window_holds_the_project() {
    let (_dir, path) = demo_copy();
    let before = std::fs::read(&path).unwrap();
    let (session, _) = Session::open(&path).unwrap();
    // A real second process: the command line.
    for args in [
        vec!["resave", path.to_str().unwrap()],
        vec!["suggest", path.to_str().unwrap(), "--with", "quotes"],
    ] {
        let out = Command::cargo_bin("marginalia")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(err.contains("open for editing elsewhere"), "{err}");
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
    drop(session);
    let out = Command::cargo_bin("marginalia")
        .unwrap()
        .args(["resave", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_file_changed_by_another_program_is_never_overwritten_silently() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    assert!(!s.check_disk());
    s.apply(done(1)).unwrap();
    // Another program (git pull, another machine) writes the file behind the window,
    // ignoring the lock, with a span id the window's counter will also hand out.
    let mut theirs = load_project(&path).unwrap().project;
    theirs.apply(done(2)).unwrap();
    let text = &theirs.documents[0].text;
    let at = text.find("Putin").unwrap();
    let span = theirs.make_span(DocId(0), at, at + 5, "speaker").unwrap();
    theirs
        .apply(Edit::AddSpan {
            doc: DocId(0),
            span,
        })
        .unwrap();
    save_project(&theirs, &path).unwrap();
    let theirs_bytes = std::fs::read(&path).unwrap();
    // Noticed while idle, once.
    assert!(s.check_disk());
    assert!(!s.check_disk(), "asked once per version");
    // Saving is refused, and nothing is written.
    let refused = s.save(None).unwrap_err();
    assert_eq!(refused.kind, ProblemKind::ChangedOnDisk, "{refused}");
    assert_eq!(std::fs::read(&path).unwrap(), theirs_bytes);
    // The window adds a span too (the same id as theirs, from the same counter).
    let text = s.project().documents[0].text.clone();
    let at = text.find("Ukraine").unwrap();
    let mine = s
        .project()
        .make_span(DocId(0), at, at + 7, "event")
        .unwrap();
    s.apply(Edit::AddSpan {
        doc: DocId(0),
        span: mine,
    })
    .unwrap();
    // Reload: their changes, with mine on top.
    let report = s.reload().unwrap();
    assert_eq!(report.reapplied, 2);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.ids_changed, 1, "my span got a fresh id");
    let d = &s.project().documents;
    assert_eq!((d[1].status, d[2].status), (Status::Done, Status::Done));
    assert!(d[0].spans().iter().any(|x| x.text == "Putin"));
    assert!(
        d[0].spans()
            .iter()
            .any(|x| x.text == "Ukraine" && x.label == "event")
    );
    assert!(s.is_dirty());
    s.save(None).unwrap();
    assert_eq!(
        (status(&path, 1), status(&path, 2)),
        (Status::Done, Status::Done)
    );
    // Overwriting on purpose is possible, and only then.
    save_project(&theirs, &path).unwrap();
    s.apply(done(0)).unwrap();
    assert!(s.save(None).is_err());
    s.save_overwriting().unwrap();
    assert_eq!(status(&path, 0), Status::Done);
}

#[test]
fn backups_rotate_only_after_a_good_write_and_only_for_a_change() {
    let (_dir, path) = demo_copy();
    let original = std::fs::read(&path).unwrap();
    let (mut s, _) = Session::open(&path).unwrap();
    for _ in 0..3 {
        s.save(None).unwrap();
    }
    assert!(
        !backup_path(&path, 1).exists(),
        "saving an unchanged project keeps no copy of itself"
    );
    s.apply(done(0)).unwrap();
    s.save(None).unwrap();
    assert_eq!(std::fs::read(backup_path(&path, 1)).unwrap(), original);
    s.save(None).unwrap();
    assert!(!backup_path(&path, 2).exists());
    s.apply(done(1)).unwrap();
    s.save(None).unwrap();
    assert_eq!(std::fs::read(backup_path(&path, 2)).unwrap(), original);
}

#[test]
fn a_write_that_fails_rotates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The folder is a file: no temporary file can be made there.
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let target = not_a_dir.join("p.ron");
    let mut rotated = false;
    let result = marginalia::persist::atomic::write_atomic_then(&target, b"new", || {
        rotated = true;
        Ok(())
    });
    assert!(result.is_err());
    assert!(
        !rotated,
        "backups rotate only once the new file is safely written"
    );
}

#[test]
fn temporary_files_of_a_killed_save_go_when_the_project_is_next_opened() {
    let (dir, path) = demo_copy();
    let tmp = dir.path().join(".p.ron.Ab12Cd.tmp");
    std::fs::write(&tmp, "half a project").unwrap();
    let other = dir.path().join(".other.ron.Ab12Cd.tmp");
    std::fs::write(&other, "another project's").unwrap();
    let (_s, _) = Session::open(&path).unwrap();
    assert!(!tmp.exists());
    assert!(other.exists(), "only this project's");
}

#[test]
fn a_journal_that_cannot_be_written_is_said_and_tried_again_with_every_edit() {
    let (_dir, path) = demo_copy();
    let (mut s, _) = Session::open(&path).unwrap();
    // Something in the way of the journal file.
    std::fs::create_dir(journal_path(&path)).unwrap();
    s.apply(done(0)).unwrap();
    assert!(s.take_journal_problem().is_some());
    assert!(!s.journal_ok());
    std::fs::remove_dir(journal_path(&path)).unwrap();
    s.apply(done(1)).unwrap();
    assert!(s.journal_ok());
    assert!(s.take_journal_problem().is_none());
    drop(s);
    let r = pending(&path).unwrap().unwrap();
    assert_eq!(
        r.edits,
        [done(0), done(1)],
        "the new journal holds every edit"
    );
}

#[test]
fn a_title_stays_one_readable_line_whatever_the_name() {
    let (_dir, path) = demo_copy();
    let mut p = load_project(&path).unwrap().project;
    p.name = format!("bad\0name\n{}", "x".repeat(20_000_000));
    let s = Session::new(p, Some(path));
    let title = s.title();
    assert!(!title.contains('\0') && !title.contains('\n'));
    assert!(title.len() < 400, "{}", title.len());
}
