//! Frames of the main window, headless (layout and tessellation through an `egui::Context`,
//! no GPU), with one generated document of 5 KB, 500 KB and 5 MB scrolled to its middle:
//!
//! - `steady`: a frame with nothing new (the window repainting);
//! - `scroll`: a frame that scrolls the document by a wheel notch (up, then down);
//! - `add_span`: the frame in which a span is added (a word in the middle of the viewport is
//!   selected and tagged) plus the next frame, which draws it. Undone between iterations.
//!
//! Targets: at most 4 ms each, and the 5 MB figure at most 1.5 times the 5 KB figure.

mod common;

use common::{Headless, SEED};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use marginalia::model::DocId;
use marginalia::session::Session;
use marginalia::ui::commands::Command;
use marginalia::ui::selection::Selection;
use std::time::{Duration, Instant};

const SIZES: [(&str, usize); 3] = [("5KB", 5_000), ("500KB", 500_000), ("5MB", 5_000_000)];

/// The app over one annotated document of `bytes`, scrolled to the middle and settled. (The
/// project has a file name in a temp dir, as a saved project does: edits are journaled.)
fn window(bytes: usize, dir: &std::path::Path) -> Headless {
    let project = marginalia::generate::project(1, bytes, 1, SEED, dir);
    let mut h = Headless::with_session(Session::new(project, Some(dir.join("bench.ron"))));
    for _ in 0..5 {
        h.frame();
    }
    // Select the span in the middle (this scrolls to it), then clear the selection.
    let key = h
        .app
        .session()
        .and_then(|s| s.project().doc(DocId(0)))
        .and_then(|d| d.spans().get(d.spans().len() / 2).map(|s| s.key()));
    if let Some(key) = key {
        h.app.queue(Command::SelectSpan(DocId(0), key));
    }
    for _ in 0..10 {
        h.frame();
    }
    h.app.queue(Command::ClearSelection);
    for _ in 0..10 {
        h.frame();
    }
    h
}

/// Selects a word in the middle of what is visible (as `--profile-frames` does).
fn select_word(h: &mut Headless) -> bool {
    let Some(range) = h.app.view().visible_range(DocId(0)) else {
        return false;
    };
    let Some(doc) = h.app.session().and_then(|s| s.project().doc(DocId(0))) else {
        return false;
    };
    let text = &doc.text;
    // The first word after the middle that is not annotated yet.
    let mut from = marginalia::model::text::ceil_char_boundary(text, range.start + range.len() / 2);
    while from < range.end {
        let end = marginalia::model::text::next_grapheme(text, from);
        if let Some(word) = marginalia::model::text::snap_to_words(text, from..end)
            && doc
                .spans_overlapping(word.start, word.end)
                .iter()
                .all(|s| s.end <= word.start)
            && text
                .get(word.clone())
                .is_some_and(|w| w.chars().all(char::is_alphanumeric))
        {
            h.app.set_selection(Selection::Text(word));
            return true;
        }
        from = end;
    }
    false
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for (name, bytes) in SIZES {
        let dir = common::temp();
        let mut h = window(bytes, dir.path());
        eprintln!(
            "{name}: {} bytes, {} spans, visible {:?}",
            h.doc_len(),
            h.app.session().map_or(0, |s| s.project().span_count()),
            h.app.view().visible_range(DocId(0))
        );
        // The wheel does reach the document.
        let before = h.app.view().visible_range(DocId(0));
        for _ in 0..10 {
            h.scroll(-80.0);
        }
        assert_ne!(before, h.app.view().visible_range(DocId(0)), "scrolled");
        for _ in 0..10 {
            h.scroll(80.0);
        }
        for _ in 0..30 {
            h.frame();
        }
        group.bench_function(BenchmarkId::new("steady", name), |b| b.iter(|| h.frame()));
        let mut up = false;
        group.bench_function(BenchmarkId::new("scroll", name), |b| {
            b.iter(|| {
                up = !up;
                h.scroll(if up { 40.0 } else { -40.0 });
            })
        });
        group.bench_function(BenchmarkId::new("add_span", name), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    assert!(select_word(&mut h), "no word to tag in view");
                    let before = h.app.session().map_or(0, |s| s.project().span_count());
                    h.app.queue(Command::ApplyLabel("event".to_owned()));
                    let t = Instant::now();
                    h.frame(); // the command is handled at the end of this frame
                    h.frame(); // and drawn in this one
                    total += t.elapsed();
                    let after = h.app.session().map_or(0, |s| s.project().span_count());
                    assert_eq!(after, before + 1, "the span was added");
                    h.app.queue(Command::Undo);
                    h.frame();
                    h.app.queue(Command::ClearSelection);
                    h.frame();
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::frames();
    targets = frames
}
criterion_main!(benches);
