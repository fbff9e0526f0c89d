//! Finding things in the real app: search the corpus for every "Harris" not yet tagged as a
//! speaker, step through the hits, tag them all in one step, see the statistics change, and
//! apply a fix from the consistency report; every step undoable.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::consistency::FindingKind;
use marginalia::model::{DocId, Status};
use marginalia::session::Session;
use marginalia::ui::app::{MarginaliaApp, SideTab};
use marginalia::ui::commands::Command;
use marginalia::ui::selection::Selection;
use std::path::Path;

mod common;
use common::wait_for;

/// The demo project (10 example spans, 4 of them speakers), saved in a temporary folder.
fn harness() -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = marginalia::persist::load_project(&root.join("projects/seed-news.ron")).unwrap();
    let path = dir.path().join("p.ron");
    // Saved beside the original corpus: paths are rewritten relative to the new file.
    marginalia::persist::save_project(&loaded.project, &path).unwrap();
    let (session, _) = Session::open(&path).unwrap();
    (dir, common::harness(session))
}

fn speakers(h: &Harness<'_, MarginaliaApp>) -> usize {
    h.state()
        .session()
        .unwrap()
        .project()
        .documents
        .iter()
        .flat_map(|d| d.spans())
        .filter(|s| s.label == "speaker")
        .count()
}

#[test]
fn search_step_tag_all_and_see_the_statistics_change() {
    let (_dir, mut h) = harness();
    assert_eq!(speakers(&h), 4);
    // Ctrl+Shift+F: the Search tab over all documents, the keyboard in the query field.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    h.run();
    assert_eq!(h.state().side(), SideTab::Search);
    assert!(h.state().search().corpus);
    h.get_by_label("Search query")
        .type_text("Harris -label:speaker");
    h.run();
    wait_for(&mut h, |app| {
        !app.search().searching() && app.search().total() > 0
    });
    // Every "Harris" of the three articles except those inside a speaker span.
    let hits = h.state().search().hits().to_vec();
    assert_eq!(hits.len(), 20);
    let docs: std::collections::BTreeSet<DocId> = hits.iter().map(|(d, _)| *d).collect();
    assert_eq!(docs.len(), 3);

    // F3 steps to the hits: the text is selected in its document, ready to tag.
    h.key_press(Key::F3);
    h.run();
    h.key_press(Key::F3);
    h.run();
    let (doc, hit) = hits[1];
    assert_eq!(h.state().current_document(), doc);
    assert_eq!(*h.state().selection(), Selection::Text(hit.start..hit.end));
    let text = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(doc)
        .unwrap()
        .text
        .clone();
    assert_eq!(&text[hit.start..hit.end], "Harris");
    h.key_press_modifiers(Modifiers::SHIFT, Key::F3);
    h.run();
    assert_eq!(
        *h.state().selection(),
        Selection::Text(hits[0].1.start..hits[0].1.end)
    );

    // The statistics window shows 4 speakers...
    h.state_mut().queue(Command::OpenStatistics);
    h.run();
    let charted = |h: &Harness<'_, MarginaliaApp>| {
        h.state()
            .stats()
            .stats()
            .unwrap()
            .spans_by_label
            .get("speaker")
            .copied()
    };
    assert_eq!(charted(&h), Some(4));

    // ...then "Tag all 20 as speaker": a preview of the 20 places first, all ticked, with
    // the entity most "Harris" speakers have; Enter tags them in one step, and the search
    // has nothing left to find.
    h.get_by_label("speaker").click();
    h.run();
    assert_eq!(
        speakers(&h),
        4,
        "nothing tagged before the preview is answered"
    );
    h.get_by_label("Tag “Harris” as speaker");
    h.get_by_label(
        "The new spans get entity = Kamala Harris, the most common (1 of 1 speaker spans with this text).",
    );
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(speakers(&h), 24);
    let project = h.state().session().unwrap().project();
    let harrises: Vec<_> = project
        .documents
        .iter()
        .flat_map(|d| d.spans())
        .filter(|s| s.text == "Harris")
        .collect();
    assert_eq!(harrises.len(), 21);
    assert!(
        harrises
            .iter()
            .all(|s| s.attrs.get("entity") == Some("Kamala Harris")),
        "{harrises:?}"
    );
    wait_for(&mut h, |app| !app.search().searching());
    assert_eq!(h.state().search().total(), 0);
    assert_eq!(charted(&h), Some(24), "the chart follows the project");
    // The third article had no span: it is in progress now.
    let news = &h.state().session().unwrap().project().documents[2];
    assert_eq!(news.status, Status::InProgress);

    // One undo takes all 20 back, and the figures with them.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(speakers(&h), 4);
    assert_eq!(charted(&h), Some(4));
    wait_for(&mut h, |app| {
        !app.search().searching() && app.search().total() == 20
    });
}

#[test]
fn the_consistency_report_finds_untagged_places_and_fixes_them() {
    let (_dir, mut h) = harness();
    h.state_mut().queue(Command::OpenConsistency);
    h.run();
    wait_for(&mut h, |app| {
        let v = app.session().unwrap().history().version();
        app.consistency().is_current(v)
    });
    let findings = h.state().consistency().findings().to_vec();
    let she = findings
        .iter()
        .position(|f| f.text == "she" && matches!(f.kind, FindingKind::Unannotated { .. }))
        .expect("“she” is a speaker once and untagged elsewhere");
    let places = findings[she].places.len();
    assert!(places > 3, "{:?}", findings[she]);
    // Clicking a place shows it.
    let p = findings[she].places[1].clone();
    h.state_mut().queue(Command::GoTo {
        doc: p.doc,
        start: p.start,
        end: p.end,
        span: None,
    });
    h.run();
    assert_eq!(h.state().current_document(), p.doc);
    assert_eq!(*h.state().selection(), Selection::Text(p.start..p.end));
    // The fix tags every place as speaker, with the usual entity, in one step.
    let before = speakers(&h);
    h.get_by_label(&findings[she].describe()).click();
    h.run();
    h.get_by_label(&format!("Tag all {places} as speaker"))
        .click();
    h.run();
    assert_eq!(speakers(&h), before + places);
    let d = h
        .state()
        .session()
        .unwrap()
        .project()
        .doc(p.doc)
        .unwrap()
        .clone();
    let tagged = d
        .spans()
        .iter()
        .find(|s| s.start == p.start && s.end == p.end)
        .unwrap();
    assert_eq!(tagged.attrs.get("entity"), Some("Kamala Harris"));
    // The report reruns: that finding is gone.
    wait_for(&mut h, |app| {
        let v = app.session().unwrap().history().version();
        app.consistency().is_current(v)
    });
    assert!(
        !h.state()
            .consistency()
            .findings()
            .iter()
            .any(|f| f.text == "she" && matches!(f.kind, FindingKind::Unannotated { .. }))
    );
}

#[test]
fn the_document_list_filters_and_sorts() {
    let (_dir, mut h) = harness();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("speaker").click();
    h.run();
    h.get_by_label("missing").click();
    h.run();
    // Only the third article has no speaker: it is the only one listed.
    assert!(h.query_by_label_contains("1 of 3 shown").is_some());
    // Ctrl+PgDn follows the list: from the filtered list's only document nowhere to go.
    h.state_mut().queue(Command::OpenDocument(DocId(2)));
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::PageDown);
    h.run();
    assert_eq!(h.state().current_document(), DocId(2));
    assert_eq!(h.state().message(), Some("This is the last document"));
    // Sorted by name: "Harris says…" (the project's second), "Kamala Harris…" (first),
    // "News" (third); Ctrl+PgUp follows that order, not the project's.
    // The second "any" is the label filter's (the first is the status filter's).
    h.get_all_by_label("any").nth(1).unwrap().click();
    h.run();
    h.get_by_label("name").click();
    h.run();
    assert!(
        h.query_by_label_contains("shown").is_none(),
        "no filter left"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::PageUp);
    h.run();
    assert_eq!(h.state().current_document(), DocId(0));
    h.key_press_modifiers(Modifiers::COMMAND, Key::PageUp);
    h.run();
    assert_eq!(h.state().current_document(), DocId(1));
}
