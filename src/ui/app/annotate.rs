//! Annotation commands: tagging, relabelling, deleting, attributes, notes, span edges,
//! moving between spans and documents, tag all matches, schema changes, spans set aside.

use super::MarginaliaApp;
use crate::model::{DocId, Edit, Span};
use crate::ui::selection::Selection;

impl MarginaliaApp {
    pub(super) fn apply_label(&mut self, label: &str) {
        if let Some(editing) = &mut self.panels.review.editing {
            // Editing a suggestion before accepting it: the key picks its label.
            *editing = label.to_owned();
            return;
        }
        let doc_id = self.current;
        let annotator = self.annotator.clone();
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let Some(doc) = session.project().doc(doc_id) else {
            return;
        };
        match self.selection.clone() {
            Selection::Span(key) => {
                let Some(span) = doc.span_by_key(key) else {
                    return;
                };
                if let Some(edit) = session.project().relabel_edit(doc_id, span.id, label) {
                    self.edit(edit);
                }
            }
            Selection::Text(range) => {
                let Some((edit, key)) = session.project().tag_edit(
                    doc_id,
                    range.start,
                    range.end,
                    label,
                    annotator.as_deref(),
                ) else {
                    return;
                };
                if self.edit(edit) {
                    self.selection = Selection::Span(key);
                    self.panels.spans.reveal();
                }
            }
            Selection::None => self.say("Select some text first, then press a label key."),
        }
    }

    /// Keeps the selected span as the one `+` adds a fragment to.
    pub(super) fn remember_fragment_target(&mut self) {
        if let Selection::Span(key) = self.selection {
            self.fragment_target = Some((self.current, key.id));
        }
    }

    /// `+` or a Ctrl+drag: the selected text becomes another fragment of the span selected
    /// before it (pieces that overlap or touch it are joined), in one undoable step.
    pub(super) fn add_fragment(&mut self) {
        let doc_id = self.current;
        let range = match self.selection.clone() {
            Selection::Text(r) => r,
            Selection::Span(_) => {
                self.say("Now select the text to add to this span (drag, or Shift+arrows), then press +.");
                return;
            }
            Selection::None => {
                self.say("Select a span, then the text to add to it, then press +.");
                return;
            }
        };
        let Some((doc, _)) = self.current_doc_and_schema() else {
            return;
        };
        let target = self
            .fragment_target
            .filter(|(d, _)| *d == doc_id)
            .and_then(|(_, id)| doc.span_by_id(id));
        let Some(span) = target else {
            self.say("Select the span to extend first, then this text, then press +.");
            return;
        };
        let id = span.id;
        let mut pieces: Vec<std::ops::Range<usize>> = span.pieces().collect();
        if pieces
            .iter()
            .any(|p| p.start <= range.start && range.end <= p.end)
        {
            self.say("That text is already part of the span.");
            return;
        }
        pieces.push(range);
        pieces.sort_by_key(|p| p.start);
        let mut joined: Vec<std::ops::Range<usize>> = Vec::with_capacity(pieces.len());
        for p in pieces {
            match joined.last_mut() {
                Some(last) if p.start <= last.end => last.end = last.end.max(p.end),
                _ => joined.push(p),
            }
        }
        let n = joined.len();
        if self.edit(Edit::SetFragments {
            doc: doc_id,
            id,
            pieces: joined,
        }) {
            self.select_span_id(id);
            self.panels.spans.reveal();
            if n > 1 {
                self.say(format!("The span now has {n} fragments."));
            }
        }
    }

    /// Removes fragment `index` of the selected span (its other pieces stay one span).
    pub(super) fn remove_fragment(&mut self, index: usize) {
        let doc = self.current;
        let Some(span) = self.selected_span() else {
            return;
        };
        let id = span.id;
        let mut pieces: Vec<std::ops::Range<usize>> = span.pieces().collect();
        if pieces.len() < 2 || index >= pieces.len() {
            return;
        }
        pieces.remove(index);
        if self.edit(Edit::SetFragments { doc, id, pieces }) {
            self.select_span_id(id);
        }
    }

    /// Selects span `id` of the current document (its key changes with its extent).
    fn select_span_id(&mut self, id: crate::model::SpanId) {
        if let Some(key) = self
            .current_doc_and_schema()
            .and_then(|(d, _)| d.span_by_id(id))
            .map(Span::key)
        {
            self.selection = Selection::Span(key);
        }
    }

    pub(super) fn delete_span(&mut self) {
        let doc = self.current;
        let Selection::Span(key) = self.selection else {
            return;
        };
        if self.edit(Edit::RemoveSpan { doc, id: key.id }) {
            self.selection = Selection::None;
        }
    }

    pub(super) fn go_to(&mut self, doc: DocId) {
        let exists = self
            .session
            .as_ref()
            .is_some_and(|s| s.project().doc(doc).is_some());
        if exists && doc != self.current {
            self.current = doc;
            self.selection = Selection::None;
        }
    }

    /// The next (previous) document in the list's order: filtered and sorted as the user
    /// set it, when the current document is in the list.
    pub(super) fn step_document(&mut self, delta: isize) {
        let Some(n) = self.session.as_ref().map(|s| s.project().documents.len()) else {
            return;
        };
        let order = self.panels.doc_list.order();
        let next = match order.iter().position(|d| *d == self.current) {
            Some(at) => {
                let to = at as isize + delta;
                usize::try_from(to).ok().and_then(|i| order.get(i)).copied()
            }
            None => usize::try_from(self.current.0 as isize + delta)
                .ok()
                .filter(|i| *i < n)
                .map(DocId),
        };
        match next {
            Some(doc) => self.go_to(doc),
            None => self.say(if delta > 0 {
                "This is the last document"
            } else {
                "This is the first document"
            }),
        }
    }
}

impl MarginaliaApp {
    /// The current document and the schema, for read-only checks.
    pub(super) fn current_doc_and_schema(
        &self,
    ) -> Option<(&crate::model::Document, &crate::model::Schema)> {
        let session = self.session.as_ref()?;
        Some((
            session.project().doc(self.current)?,
            &session.project().schema,
        ))
    }

    /// The selected span, if the selection is one.
    fn selected_span(&self) -> Option<&Span> {
        let key = self.selection.span()?;
        self.current_doc_and_schema()?.0.span_by_key(key)
    }

    pub(super) fn set_attr(&mut self, name: String, value: Option<String>) {
        let doc = self.current;
        let Some(span) = self.selected_span() else {
            return;
        };
        let id = span.id;
        if span.attrs.get(&name) == value.as_deref() {
            return;
        }
        self.edit(Edit::SetAttr {
            doc,
            id,
            name,
            value,
        });
    }

    pub(super) fn set_note(&mut self, note: Option<String>) {
        let doc = self.current;
        if let Some(id) = self.selected_span().map(|s| s.id) {
            self.edit(Edit::SetNote { doc, id, note });
        }
    }

    /// `[` `]` `{` `}`: moves the start or end of the selected span (or text selection) by a
    /// word. A span is resized by an edit (undoable); it never becomes empty.
    pub(super) fn move_edge(&mut self, end: bool, forward: bool) {
        use crate::model::text::{next_word_end, next_word_start, prev_word_end, prev_word_start};
        let Some((doc, _)) = self.current_doc_and_schema() else {
            return;
        };
        let text = &doc.text;
        let Some(range) = self.selection.range() else {
            self.say("Select a span or some text first; [ ] move its start, { } its end.");
            return;
        };
        let (start, stop) = match (end, forward) {
            (false, false) => (prev_word_start(text, range.start), range.end),
            (false, true) => (next_word_start(text, range.start), range.end),
            (true, false) => (range.start, prev_word_end(text, range.end)),
            (true, true) => (range.start, next_word_end(text, range.end)),
        };
        if start >= stop {
            self.say("A span needs at least one word.");
            return;
        }
        match self.selection.clone() {
            Selection::Span(key) => {
                let doc_id = self.current;
                if self.edit(Edit::Resize {
                    doc: doc_id,
                    id: key.id,
                    start,
                    end: stop,
                }) {
                    self.selection = Selection::Span(crate::model::SpanKey {
                        start,
                        end: stop,
                        id: key.id,
                    });
                    self.panels.spans.reveal();
                }
            }
            Selection::Text(_) => self.selection = Selection::Text(start..stop),
            Selection::None => {}
        }
        self.panels.view.reveal(if end { stop } else { start });
    }

    /// Tab / Shift+Tab: the next (previous) span in reading order after the selected span,
    /// or after the caret.
    pub(super) fn step_span(&mut self, forward: bool) {
        let doc_id = self.current;
        let Some((doc, _)) = self.current_doc_and_schema() else {
            return;
        };
        let spans = doc.spans();
        let here = match self.selection.span() {
            Some(key) => spans.binary_search_by(|s| s.key().cmp(&key)).ok(),
            None => None,
        };
        let caret = self.panels.view.caret(doc_id);
        let next = match (here, forward) {
            (Some(i), true) => spans.get(i + 1).or_else(|| spans.first()),
            (Some(i), false) => i
                .checked_sub(1)
                .and_then(|j| spans.get(j))
                .or_else(|| spans.last()),
            (None, true) => spans
                .iter()
                .find(|s| s.start >= caret)
                .or_else(|| spans.first()),
            (None, false) => spans
                .iter()
                .rev()
                .find(|s| s.start < caret)
                .or_else(|| spans.last()),
        };
        let Some(key) = next.map(Span::key) else {
            self.say("This document has no spans yet.");
            return;
        };
        self.selection = Selection::Span(key);
        self.panels.view.place_caret(doc_id, key.start);
        self.panels.view.reveal(key.start);
        self.panels.spans.reveal();
    }

    /// Ctrl+M / Ctrl+Shift+M: the other whole-word occurrences of the selected span's text,
    /// in a preview to tick before they get its label and attributes (one undoable edit).
    pub(super) fn tag_all_matches(&mut self, corpus: bool) {
        let doc = self.current;
        let Some(span) = self.selected_span().cloned() else {
            self.say("Select a span first: its text is what gets tagged everywhere.");
            return;
        };
        if span.is_discontinuous() {
            self.say("Tag all looks for a span's text elsewhere: this one is in pieces, so there is nothing to look for.");
            return;
        }
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let project = session.project();
        let Some(preview) = project.tag_all_preview(doc, span.id, corpus) else {
            return;
        };
        if preview.hits.is_empty() {
            let short = crate::model::text::excerpt(&span.text, 30);
            self.say(format!(
                "Every occurrence of “{short}” is already tagged as {}.",
                span.label
            ));
            return;
        }
        let dialog = crate::ui::tag_all_preview::TagAllDialog::new(preview, project, corpus);
        self.dialog = Some(crate::ui::dialogs::Dialog::TagAll(Box::new(dialog)));
    }

    /// The ticked hits of the preview get `label` and `attrs`, as one undoable edit.
    pub(super) fn tag_ranges(
        &mut self,
        ranges: &[(DocId, std::ops::Range<usize>)],
        label: &str,
        attrs: &crate::model::Attrs,
        corpus: bool,
    ) {
        let annotator = self.annotator.clone();
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let project = session.project();
        let text = ranges
            .first()
            .and_then(|(d, r)| project.doc(*d)?.text.get(r.clone()))
            .map(|t| crate::model::text::excerpt(t, 30))
            .unwrap_or_default();
        let plan = project.tag_ranges(ranges, label, attrs, annotator.as_deref());
        let Some(edit) = plan.edit else {
            self.say(format!("Every place was already tagged as {label}."));
            return;
        };
        if self.edit(edit) {
            let docs = if corpus {
                format!(" in {} documents", plan.documents)
            } else {
                String::new()
            };
            self.say(format!("Tagged {} “{text}” as {label}{docs}", plan.count));
        }
    }
}

impl MarginaliaApp {
    /// Sets a new schema; when that deletes annotations, asks first and says how many.
    pub(super) fn change_schema(&mut self, schema: &crate::model::Schema) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let (edit, impact) = session.project().schema_change_edit(schema);
        if impact.is_empty() {
            self.edit(edit);
        } else {
            self.dialog = Some(crate::ui::dialogs::Dialog::Confirm {
                message: format!("This change {}.", impact.describe()),
                edit: Box::new(edit),
            });
        }
    }

    /// Places a span set aside (its text left the document) at the selected text.
    pub(super) fn place_unanchored(&mut self, id: crate::model::SpanId) {
        let doc = self.current;
        let Selection::Text(range) = self.selection.clone() else {
            self.say("Select the text where it belongs first.");
            return;
        };
        let Some(session) = self.session.as_ref() else {
            return;
        };
        match session
            .project()
            .place_unanchored_edit(doc, id, range.start, range.end)
        {
            Ok(placed) => {
                if self.edit(placed.edit) {
                    self.selection = Selection::Span(crate::model::SpanKey {
                        start: range.start,
                        end: range.end,
                        id,
                    });
                    let dropped = if placed.dropped_relations > 0 {
                        format!(
                            "; {} to spans still set aside could not come along",
                            crate::model::text::plural(
                                placed.dropped_relations,
                                "relation",
                                "relations"
                            )
                        )
                    } else {
                        String::new()
                    };
                    self.say(format!("Placed{dropped}."));
                }
            }
            Err(e) => self.say(format!("Not placed: {e}")),
        }
    }
}
