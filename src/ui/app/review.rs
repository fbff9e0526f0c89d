//! Reviewing suggestions: one key to accept or reject, the next pending suggestion focused
//! and scrolled into view after each decision, `E` to fix the boundaries or the label first,
//! and bulk acceptance. Every decision is an edit, so it can be undone.

use super::{MarginaliaApp, SideTab};
use crate::model::review::AcceptAs;
use crate::model::{DocId, Review, SpanId, SpanKey, Suggestion};
use crate::ui::commands::ReviewKey;
use crate::ui::selection::Selection;

impl MarginaliaApp {
    /// The suggestion under review, if it is still pending in the current document.
    pub(super) fn current_suggestion(&self) -> Option<&Suggestion> {
        let (doc, id) = self.panels.review.current?;
        let s = self.session.as_ref()?.project().doc(doc)?.suggestion(id)?;
        (doc == self.current && s.review == Review::Pending).then_some(s)
    }

    /// The key of the suggestion under review, for the document view.
    pub(super) fn focused_suggestion_key(&self) -> Option<SpanKey> {
        self.current_suggestion().map(Suggestion::key)
    }

    /// Where the document view outlines the suggestion under review, and in which label's
    /// colour, while `E` edits it: the bounds and label Accept would use.
    pub(super) fn edited_suggestion_outline(
        &self,
    ) -> Option<(std::ops::Range<usize>, egui::Color32)> {
        let s = self.current_suggestion()?;
        let accepted = self.panels.review.accepted(s, &self.selection);
        if !accepted.edited {
            return None;
        }
        let (_, schema) = self.current_doc_and_schema()?;
        Some((
            accepted.range,
            crate::ui::theme::color(schema.color_of(accepted.label)),
        ))
    }

    pub(super) fn focus_suggestion(&mut self, doc: DocId, key: SpanKey) {
        self.go_to(doc);
        self.panels.side = SideTab::Review;
        self.panels.review.current = Some((doc, key.id));
        self.panels.review.editing = None;
        self.selection = Selection::None;
        self.panels.view.place_caret(doc, key.start);
        self.panels.view.reveal(key.start);
    }

    /// The next (or previous) pending suggestion after `from` (a position in the current
    /// document), in reading order, then in the following (or preceding) documents.
    fn find_next(&self, from: Option<SpanKey>, forward: bool) -> Option<(DocId, SpanKey)> {
        let project = self.session.as_ref()?.project();
        let order = self.panels.review.order;
        if order != crate::model::review_order::ReviewOrder::Reading {
            // Across the project by score: from the suggestion under review (decided or
            // not), else from the start of the order.
            let at = self
                .panels
                .review
                .current
                .filter(|(d, _)| *d == self.current)
                .and_then(|(d, id)| Some((d, project.doc(d)?.suggestion(id)?)));
            return crate::model::review_order::next(
                project,
                &self.panels.review.filter,
                order,
                at,
                forward,
            );
        }
        let n = project.documents.len();
        let filter = &self.panels.review.filter;
        let here = self.current.0;
        for step in 0..n {
            let i = if forward {
                (here + step) % n
            } else {
                (here + n - step % n) % n
            };
            let doc = project.doc(DocId(i))?;
            let keys = doc
                .suggestions()
                .iter()
                .filter(|s| filter.keeps(s))
                .map(Suggestion::key);
            let found = match (step, from) {
                (0, Some(k)) if forward => keys.filter(|x| *x > k).min(),
                (0, Some(k)) => keys.filter(|x| *x < k).max(),
                _ if forward => keys.min(),
                _ => keys.max(),
            };
            if let Some(k) = found {
                return Some((DocId(i), k));
            }
        }
        None
    }

    /// Moves to the next pending suggestion (after a decision, or J / Down).
    pub(super) fn review_step(&mut self, forward: bool) {
        let from = self
            .panels
            .review
            .current
            .filter(|(d, _)| *d == self.current)
            .and_then(|(d, id)| {
                self.session
                    .as_ref()?
                    .project()
                    .doc(d)?
                    .suggestion(id)
                    .map(Suggestion::key)
            })
            .or_else(|| {
                Some(SpanKey {
                    start: self.panels.view.caret(self.current),
                    end: 0,
                    id: SpanId(0),
                })
            });
        match self.find_next(from, forward) {
            Some((doc, key)) => {
                if doc != self.current
                    && let Some(title) = self
                        .session
                        .as_ref()
                        .and_then(|s| s.project().doc(doc))
                        .map(|d| d.title().to_owned())
                {
                    // The queue crossed into another document: say so, rather than leave the
                    // last decision's message under a different text.
                    self.say(format!("Next document: {title}"));
                }
                self.focus_suggestion(doc, key);
            }
            None => {
                self.panels.review.current = None;
                self.say("No pending suggestion left (with these filters).");
            }
        }
    }

    pub(super) fn review_key(&mut self, key: ReviewKey) {
        match key {
            ReviewKey::Next => return self.review_step(true),
            ReviewKey::Previous => return self.review_step(false),
            _ => {}
        }
        let Some(s) = self.current_suggestion().cloned() else {
            self.review_step(true);
            return;
        };
        let doc = self.current;
        match key {
            ReviewKey::Accept => {
                let accepted = self.panels.review.accepted(&s, &self.selection);
                let change = if accepted.edited {
                    AcceptAs {
                        range: Some((accepted.range.start, accepted.range.end)),
                        label: Some(accepted.label.to_owned()),
                        attrs: accepted.chosen.clone(),
                    }
                } else {
                    AcceptAs {
                        attrs: accepted.chosen.clone(),
                        ..AcceptAs::default()
                    }
                };
                let missing = self
                    .current_doc_and_schema()
                    .map_or_else(String::new, |(_, schema)| {
                        unset_choices(schema, accepted.label, &accepted.attrs)
                    });
                let what = format!(
                    "{} “{}”",
                    accepted.label,
                    crate::model::text::excerpt(
                        self.current_doc_and_schema()
                            .and_then(|(d, _)| d.text.get(accepted.range.clone()))
                            .unwrap_or(&s.text),
                        30
                    )
                );
                let annotator = self.annotator.clone();
                let Some(session) = self.session.as_ref() else {
                    return;
                };
                if let Some(edit) = session.project().accept_suggestion_edit(
                    doc,
                    s.id,
                    annotator.as_deref(),
                    &change,
                ) && self.edit(edit)
                {
                    if missing.is_empty() {
                        self.say(format!("Accepted {what}"));
                    } else {
                        self.say(format!("Accepted {what}, without {missing}"));
                    }
                    self.panels.review.editing = None;
                    self.selection = Selection::None;
                    self.review_step(true);
                }
            }
            ReviewKey::Reject => {
                if let Some(edit) = self
                    .session
                    .as_ref()
                    .and_then(|ss| ss.project().reject_suggestion_edit(doc, s.id))
                    && self.edit(edit)
                {
                    self.say(format!(
                        "Rejected {} “{}” (kept as a negative example)",
                        s.label,
                        crate::model::text::excerpt(&s.text, 30)
                    ));
                    self.panels.review.editing = None;
                    self.selection = Selection::None;
                    self.review_step(true);
                }
            }
            ReviewKey::Edit => {
                self.panels.review.editing = Some(s.label.clone());
                self.selection = Selection::Text(s.start..s.end);
                self.say("Edit: [ ] { } move the edges, a label key changes the label, Enter accepts, Esc cancels.");
            }
            ReviewKey::Next | ReviewKey::Previous => {}
        }
    }

    /// Accepts, as one undoable step, every pending suggestion of the current document that
    /// `keep` selects. Accepting one at a time lets relations between them be made.
    pub(super) fn accept_all(&mut self, keep: impl Fn(&Suggestion) -> bool) {
        let doc = self.current;
        let Some(project) = self.session.as_ref().map(|s| s.project()) else {
            return;
        };
        let ids: Vec<SpanId> = project
            .doc(doc)
            .map(|d| {
                d.suggestions()
                    .iter()
                    .filter(|s| self.panels.review.filter.keeps(s) && keep(s))
                    .map(|s| s.id)
                    .collect()
            })
            .unwrap_or_default();
        let Some((edit, n)) = project.accept_suggestions_edit(doc, &ids, self.annotator.as_deref())
        else {
            self.say("Nothing to accept with these filters.");
            return;
        };
        if self.edit(edit) {
            self.say(format!("Accepted {n} suggestions"));
            self.panels.review.current = None;
            self.review_step(true);
        }
    }
}

impl MarginaliaApp {}

/// The choice attributes of `label` that `attrs` leaves unset, named for a message
/// ("polarity", "polarity and type").
pub(super) fn unset_choices(
    schema: &crate::model::Schema,
    label: &str,
    attrs: &crate::model::Attrs,
) -> String {
    let names: Vec<&str> = schema
        .label(label)
        .map(|def| {
            def.attributes
                .iter()
                .filter(|a| !a.choices().is_empty() && !attrs.contains_key(&a.name))
                .map(|a| a.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    names.join(" and ")
}
