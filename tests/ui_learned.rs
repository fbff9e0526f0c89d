//! The learned suggester in the real app: "Learn from this project" trains it in the
//! background and fills the review queue; tagging retrains it in the background (frames go
//! on meanwhile) and refreshes its suggestions; `Ctrl+Z` undoes the tag together with that
//! refresh; `J` follows the most uncertain suggestion first; the evaluation window reports.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use marginalia::model::review_order::ReviewOrder;
use marginalia::model::{DocId, Review, Suggestion};
use marginalia::session::Session;
use marginalia::ui::app::MarginaliaApp;
use marginalia::ui::commands::Command;
use marginalia::ui::selection::Selection;

mod common;

/// Steps until `done` holds; training runs unoptimized in tests, so this waits longer than
/// `common::wait_for`. Returns how many frames ran while the model was training.
fn wait_long(
    h: &mut Harness<'_, MarginaliaApp>,
    mut done: impl FnMut(&MarginaliaApp) -> bool,
) -> usize {
    let mut busy_frames = 0;
    for _ in 0..3000 {
        h.step();
        busy_frames += usize::from(h.state().learning_busy());
        if done(h.state()) {
            h.run();
            return busy_frames;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out; message {:?}", h.state().message());
}

fn learned(h: &Harness<'_, MarginaliaApp>) -> Vec<(DocId, Suggestion)> {
    learned_in(h.state())
}

fn learned_in(app: &MarginaliaApp) -> Vec<(DocId, Suggestion)> {
    let p = app.session().unwrap().project();
    p.documents
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            d.suggestions()
                .iter()
                .filter(|s| s.source == "learned" && s.review == Review::Pending)
                .map(move |s| (DocId(i), s.clone()))
        })
        .collect()
}

#[test]
fn learns_in_the_background_refreshes_undoes_with_the_users_step_and_orders_by_uncertainty() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::bratiaa_lisa(dir.path());
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    h.state_mut().queue(Command::KeepLearning(true));
    h.run_steps(2);
    wait_long(&mut h, |a| {
        a.learned_model().is_some() && !a.learning_busy()
    });
    let first = h.state().learned_model().unwrap().clone();
    assert_eq!(first.documents, 7);
    let before = learned(&h);
    assert!(
        !before.is_empty(),
        "it proposes what the annotator did not tag"
    );
    assert!(
        path.with_extension("learned").exists(),
        "the model is cached beside the project"
    );

    // Tag an untagged word of the third document as a person (with PER's key): the model
    // retrains on its own while frames go on.
    h.state_mut().queue(Command::OpenDocument(DocId(2)));
    h.run_steps(2);
    let doc = h.state().session().unwrap().project().documents[2].clone();
    let (at, end) = doc
        .text
        .match_indices(|c: char| c.is_alphabetic())
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || !doc.text[..i].ends_with(|c: char| c.is_alphanumeric()))
        .map(|i| {
            (
                i,
                i + doc.text[i..]
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(0),
            )
        })
        .find(|&(a, b)| b > a + 3 && doc.spans_overlapping(a, b).is_empty())
        .unwrap();
    let key = h
        .state()
        .session()
        .unwrap()
        .project()
        .schema
        .label("PER")
        .unwrap()
        .key
        .unwrap();
    h.state_mut().set_selection(Selection::Text(at..end));
    h.key_press(Key::from_name(&key.to_string()).unwrap());
    h.run_steps(2);
    assert_eq!(
        h.state().session().unwrap().project().documents[2]
            .spans()
            .len(),
        doc.spans().len() + 1
    );
    // Ids stay unique in the project: the refresh was built on a copy, whose new ids the
    // project must never hand out again (the tag above took one after it).
    let p = h.state().session().unwrap().project();
    let mut ids: Vec<u64> = p
        .documents
        .iter()
        .flat_map(|d| {
            d.spans()
                .iter()
                .map(|s| s.id.0)
                .chain(d.suggestions().iter().map(|s| s.id.0))
        })
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "an id used twice");
    let spans = first.spans;
    let busy = wait_long(&mut h, |a| {
        a.learned_model().is_some_and(|t| t.spans > spans) && !a.learning_busy()
    });
    assert!(busy > 0, "frames were drawn while it trained");

    // Ctrl+Z takes back the tag and, with it, the refresh it caused: the pending learned
    // suggestions are the ones from before.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let undone = &h.state().session().unwrap().project().documents[2];
    assert_eq!(undone.spans().len(), doc.spans().len());
    let ids = |v: &[(DocId, Suggestion)]| {
        let mut x: Vec<_> = v
            .iter()
            .map(|(d, s)| (*d, s.start, s.end, s.label.clone()))
            .collect();
        x.sort();
        x
    };
    assert_eq!(ids(&learned(&h)), ids(&before));

    // Most uncertain first: J goes to the pending suggestion whose score is nearest 0.5.
    h.state_mut().set_review_order(ReviewOrder::Uncertainty);
    h.key_press(Key::J);
    h.run_steps(2);
    let all = learned(&h);
    let nearest = all
        .iter()
        .map(|(_, s)| (s.score.unwrap().0 - 0.5).abs())
        .fold(f32::MAX, f32::min);
    let focused = h.state().focused_suggestion().unwrap();
    let (_, s) = all.iter().find(|(_, s)| s.key() == focused).unwrap();
    assert!(((s.score.unwrap().0 - 0.5).abs() - nearest).abs() < 1e-6);

    // The evaluation window trains and tests on the annotated documents.
    h.state_mut().queue(Command::EvaluateLearned);
    h.run_steps(2);
    wait_long(&mut h, |a| a.learned_window().evaluation().is_some());
    let e = h.state().learned_window().evaluation().unwrap();
    assert!(e.test_documents >= 1 && e.train_documents >= 1);
    assert_eq!(e.curve.len(), 4);
}

/// Suggest → Run suggesters… with only *Learned* ticked: it trains beside the project file,
/// its suggestions arrive as one edit, and the window goes on learning from then on.
#[test]
fn the_suggest_windows_learned_box_trains_beside_the_project_and_keeps_learning() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let path = common::bratiaa_lisa(dir.path());
    let (session, _) = Session::open(&path).unwrap();
    let mut h = common::harness(session);
    h.state_mut().queue(Command::OpenSuggest);
    h.run();
    h.get_by_label("Quotes: speakers and what they said (quotation marks, reporting verbs)")
        .click();
    h.get_by_label("Matches: texts already tagged somewhere, everywhere else they occur")
        .click();
    h.get_by_label("Learned: a model trained on this project's spans, retrained as you annotate")
        .click();
    h.run();
    h.get_by_label("Run").click();
    h.run_steps(2);
    wait_long(&mut h, |a| !learned_in(a).is_empty());
    assert!(
        path.with_extension("learned").exists(),
        "cached beside the project file"
    );
    let sources: std::collections::BTreeSet<String> = h
        .state()
        .session()
        .unwrap()
        .project()
        .documents
        .iter()
        .flat_map(|d| d.suggestions().iter().map(|s| s.source.clone()))
        .collect();
    assert_eq!(sources.into_iter().collect::<Vec<_>>(), ["learned"]);
    // It goes on learning: the next round reads the model it just cached.
    wait_long(&mut h, |a| {
        a.learned_model().is_some() && !a.learning_busy()
    });
    assert_eq!(h.state().learned_model().unwrap().documents, 7);
}
