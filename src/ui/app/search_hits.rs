//! Finding things: stepping through search hits, tagging them all, jumping to a place of
//! the consistency report and applying its majority annotation.

use super::MarginaliaApp;
use crate::model::search::Hit;
use crate::model::{DocId, SpanId, SpanKey};
use crate::ui::selection::Selection;

impl MarginaliaApp {
    /// F3 / Shift+F3 (and Enter in the query field).
    pub(super) fn step_hit(&mut self, forward: bool) {
        match self.panels.search.step(forward) {
            Some((doc, hit)) => self.show_hit(doc, hit),
            None if self.panels.search.searching() => self.say("Still searching…"),
            None => self.say("No hits: Ctrl+F to search the document, Ctrl+Shift+F all documents."),
        }
    }

    pub(super) fn show_hit(&mut self, doc: DocId, hit: Hit) {
        self.go_to_place(doc, hit.start, hit.end, hit.span);
    }

    /// Opens `doc`, selects the span (or the text) and scrolls it into view.
    pub(super) fn go_to_place(
        &mut self,
        doc: DocId,
        start: usize,
        end: usize,
        span: Option<SpanId>,
    ) {
        let exists = self
            .session
            .as_ref()
            .and_then(|s| s.project().doc(doc))
            .is_some_and(|d| d.text.get(start..end).is_some());
        if !exists {
            self.say("That place is gone (the document changed).");
            return;
        }
        self.go_to(doc);
        self.selection = match span {
            Some(id) => Selection::Span(SpanKey { start, end, id }),
            None if start < end => Selection::Text(start..end),
            None => Selection::None,
        };
        self.panels.view.place_caret(doc, start);
        self.panels.view.reveal(start);
        self.panels.spans.reveal();
    }

    /// "Tag all N as …" in the Search tab: the hits in a preview to tick, then tagged with
    /// `label` as one undoable step. They get the majority attributes of the spans of that
    /// label with the same text, when every hit has the same text.
    pub(super) fn tag_hits(&mut self, label: &str) {
        let ranges = self.panels.search.ranges();
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let project = session.project();
        let text_of = |(d, r): &(DocId, std::ops::Range<usize>)| {
            project.doc(*d).and_then(|doc| doc.text.get(r.clone()))
        };
        let first = ranges.first().and_then(text_of);
        let text = match first {
            Some(t) if ranges.iter().all(|r| text_of(r) == Some(t)) => t.to_owned(),
            _ => self.panels.search.query.trim().to_owned(),
        };
        let preview = project.preview_ranges(&ranges, &text, label, None);
        if preview.hits.is_empty() {
            self.say(format!("Every hit is already tagged as {label}."));
            return;
        }
        let corpus = self.panels.search.corpus;
        let dialog = crate::ui::tag_all_preview::TagAllDialog::new(preview, project, corpus);
        self.dialog = Some(crate::ui::dialogs::Dialog::TagAll(Box::new(dialog)));
    }
}
