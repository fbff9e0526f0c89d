//! Helpers shared by the UI tests (each test file is its own crate and includes this).
#![allow(dead_code)] // each test file uses some of them

use egui_kittest::{Harness, HarnessBuilder};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;

/// The window most UI tests use: a laptop screen.
pub const WINDOW: [f32; 2] = [1400.0, 900.0];

/// A harness builder for a window of `size`, letting the app settle for up to `max_steps`
/// frames per `run` (loads and dialogs take a few).
pub fn builder(size: [f32; 2], max_steps: u64) -> HarnessBuilder<MarginaliaApp> {
    Harness::builder()
        .with_size(egui::vec2(size[0], size[1]))
        .with_max_steps(max_steps)
}

/// The real app built by `app`, drawn until it settles.
pub fn harness_with(
    builder: HarnessBuilder<MarginaliaApp>,
    app: impl FnOnce(&mut eframe::CreationContext<'_>) -> MarginaliaApp,
) -> Harness<'static, MarginaliaApp> {
    let mut h = builder.build_eframe(app);
    h.run();
    h
}

/// The real app over an open session, in the usual window.
pub fn harness(session: Session) -> Harness<'static, MarginaliaApp> {
    harness_with(builder(WINDOW, 12), |_cc| {
        MarginaliaApp::with_session(session)
    })
}

/// The demo project saved in a temporary folder (its corpus stays where it is).
pub fn demo_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = marginalia::persist::load_project(&root.join("projects/seed-news.ron"))
        .unwrap()
        .project;
    let path = dir.path().join("p.ron");
    marginalia::persist::save_project(&p, &path).unwrap();
    (dir, path)
}

/// A copy of the demo corpus (`assets/corpus`) in `dir/corpus`, whose path it returns: for
/// projects whose corpus lies inside their folder.
pub fn demo_corpus_in(dir: &std::path::Path) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(root.join("assets/corpus")).unwrap() {
        let from = entry.unwrap().path();
        std::fs::copy(&from, corpus.join(from.file_name().unwrap())).unwrap();
    }
    corpus
}

/// Steps until `done` holds (background work runs on threads), at most a few seconds.
pub fn wait_for(h: &mut Harness<'_, MarginaliaApp>, mut done: impl FnMut(&MarginaliaApp) -> bool) {
    for _ in 0..300 {
        h.step();
        if done(h.state()) {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!(
        "timed out; dialog {:?}, message {:?}",
        h.state().dialog(),
        h.state().message()
    );
}

/// Tags the `nth` occurrence of `needle`; returns the span's id.
pub fn tag(
    p: &mut marginalia::model::Project,
    needle: &str,
    nth: usize,
    label: &str,
) -> marginalia::model::SpanId {
    let start = p.documents[0]
        .text
        .match_indices(needle)
        .nth(nth)
        .unwrap()
        .0;
    let span = p
        .make_span(
            marginalia::model::DocId(0),
            start,
            start + needle.len(),
            label,
        )
        .unwrap();
    let id = span.id;
    p.apply(marginalia::model::Edit::AddSpan {
        doc: marginalia::model::DocId(0),
        span,
    })
    .unwrap();
    id
}

/// Where the first document's text was drawn in the last frame, one rect per row, for the
/// part on screen (never empty: the tests that ask look at text that is shown).
pub fn visible_text_rects(h: &Harness<'_, MarginaliaApp>) -> Vec<egui::Rect> {
    let app = h.state();
    let doc = &app.session().unwrap().project().documents[0];
    let visible = app
        .view()
        .visible_range(marginalia::model::DocId(0))
        .unwrap();
    assert!(!visible.is_empty());
    let end = visible.end.min(doc.text.len());
    let rects = app
        .view()
        .screen_rects(marginalia::model::DocId(0), visible.start..end);
    assert!(!rects.is_empty(), "text is on screen");
    rects
}

/// One annotator's seven CoNLL-2002 Spanish news documents from bratiaa's example project
/// (MIT, see `tests/fixtures/brat/README.md`), copied into `dir` and imported with the real
/// binary; returns the project file.
pub fn bratiaa_lisa(dir: &std::path::Path) -> std::path::PathBuf {
    let from =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/brat/bratiaa/Lisa");
    let corpus = dir.join("Lisa");
    std::fs::create_dir(&corpus).unwrap();
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, corpus.join(f.file_name().unwrap())).unwrap();
    }
    let project = dir.join("lisa.ron");
    let out = assert_cmd::Command::cargo_bin("marginalia")
        .unwrap()
        .args([
            "import".as_ref(),
            "--format".as_ref(),
            "brat".as_ref(),
            corpus.as_os_str(),
        ])
        .args(["-o".as_ref(), project.as_os_str()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    project
}
