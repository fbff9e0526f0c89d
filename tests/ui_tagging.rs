//! UI tests: drive the real app with egui_kittest, as a user would.

use egui::{Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use marginalia::model::DocId;
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::selection::Selection;
use std::path::{Path, PathBuf};

/// A copy of the demo project and corpus in a temp folder, so tests may save.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.path().join("projects")).unwrap();
    std::fs::create_dir_all(dir.path().join("assets/corpus")).unwrap();
    for entry in std::fs::read_dir(root.join("assets/corpus")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(
            &p,
            dir.path()
                .join("assets/corpus")
                .join(p.file_name().unwrap()),
        )
        .unwrap();
    }
    let project = dir.path().join("projects/seed-news.ron");
    std::fs::copy(root.join("projects/seed-news.ron"), &project).unwrap();
    (dir, project)
}

fn harness(project: &Path) -> Harness<'static, MarginaliaApp> {
    let (session, _) = Session::open(project).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|_cc| MarginaliaApp::with_session(session));
    h.run();
    h
}

fn drag(h: &mut Harness<'_, MarginaliaApp>, from: Pos2, to: Pos2) {
    h.event(egui::Event::PointerMoved(from));
    h.run();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.run();
    let mid = from + (to - from) * 0.5;
    for p in [mid, to] {
        h.event(egui::Event::PointerMoved(p));
        h.run();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
}

#[test]
fn drag_across_a_name_and_press_1_tags_a_speaker() {
    let (_dir, project) = demo_copy();
    let mut h = harness(&project);
    let doc = h
        .state()
        .session()
        .unwrap()
        .project
        .doc(DocId(0))
        .unwrap()
        .clone();
    // The second paragraph's "Kamala Harris, who is running ..." is not tagged yet.
    let at = doc.text.find("Kamala Harris, who").unwrap();
    let kamala = at..at + "Kamala".len();
    let harris = at + "Kamala ".len()..at + "Kamala Harris".len();
    let r1 = h.state().view().screen_rects(DocId(0), kamala.clone());
    let r2 = h.state().view().screen_rects(DocId(0), harris.clone());
    assert!(!r1.is_empty() && !r2.is_empty(), "the name is on screen");
    // From the middle of "Kamala" to the middle of "Harris": snaps to both whole words.
    drag(&mut h, r1[0].center(), r2[0].center());
    assert_eq!(
        h.state().selection(),
        &Selection::Text(at..at + "Kamala Harris".len())
    );
    h.key_press(Key::Num1);
    h.run();
    let doc = h.state().session().unwrap().project.doc(DocId(0)).unwrap();
    let span = doc
        .spans()
        .iter()
        .find(|s| s.start == at)
        .expect("a span was created");
    assert_eq!(span.label, "speaker");
    assert_eq!(span.text, "Kamala Harris");
    assert_eq!(h.state().selection(), &Selection::Span(span.key()));
}
