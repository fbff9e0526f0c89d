//! Linking spans: `R` on a selected span starts link mode, where Tab and the arrows cycle
//! through the spans it can be linked to (nearest first), typing filters them by their text,
//! and Enter creates the relation, in the direction the schema gives it. Dragging a span's
//! chip onto another span does the same with the mouse.

use super::MarginaliaApp;
use crate::model::{Document, Edit, Relation, Schema, Span, SpanKey};
use crate::ui::commands::LinkKey;
use crate::ui::document_view::LinkPreview;
use crate::ui::selection::Selection;

/// Link mode, while it lasts.
#[derive(Clone, Debug)]
pub struct LinkState {
    /// The span the link starts from (the selected span when `R` was pressed).
    pub source: SpanKey,
    /// Typed filter on the candidates' text.
    pub query: String,
    /// Which candidate is current.
    pub index: usize,
    /// After Enter, when several relation types fit: the target and the types to pick from.
    pub choosing: Option<(SpanKey, Vec<(String, bool)>)>,
}

/// A span that can be linked to the source, and the first relation type that fits.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub key: SpanKey,
    pub kind: String,
    /// Whether the relation goes from the source to this span.
    pub forward: bool,
}

/// Relation types between two spans, with their direction from `a`'s point of view.
fn kinds_between(schema: &Schema, a: &Span, b: &Span) -> Vec<(String, bool)> {
    schema
        .relations_between(&a.label, &b.label)
        .map(|(r, fwd)| (r.name.clone(), fwd))
        .collect()
}

/// Whether a span matches what was typed in link mode: its text, or one of its attribute
/// values ("kamala" finds the speaker "she" whose entity is Kamala Harris).
fn matches(span: &Span, query: &str) -> bool {
    query.is_empty()
        || span.text.to_lowercase().contains(query)
        || span
            .attrs
            .iter()
            .any(|(_, v)| v.to_lowercase().contains(query))
}

/// Spans of `doc` that some relation type can link to `source`, matching `query` (text or
/// attribute values), nearest first. Link mode only: this scans the document.
pub fn candidates(doc: &Document, schema: &Schema, source: &Span, query: &str) -> Vec<Candidate> {
    let query = query.to_lowercase();
    let mut out: Vec<Candidate> = doc
        .spans()
        .iter()
        .filter(|s| s.id != source.id)
        .filter(|s| matches(s, &query))
        .filter_map(|s| {
            let (kind, forward) = kinds_between(schema, source, s).into_iter().next()?;
            Some(Candidate {
                key: s.key(),
                kind,
                forward,
            })
        })
        .collect();
    out.sort_by_key(|c| c.key.start.abs_diff(source.start));
    out
}

impl MarginaliaApp {
    /// `R`: start linking the selected span.
    pub(super) fn start_link(&mut self) {
        let Selection::Span(source) = self.selection else {
            self.say("Select a span first (click it or press Tab), then press R to link it.");
            return;
        };
        let Some((doc, schema)) = self.current_doc_and_schema() else {
            return;
        };
        let Some(span) = doc.span_by_key(source) else {
            return;
        };
        if schema
            .relations
            .iter()
            .all(|r| r.from != span.label && r.to != span.label)
        {
            self.say(format!(
                "No relation type starts or ends at a {} span (see the schema editor).",
                span.label
            ));
            return;
        }
        if candidates(doc, schema, span, "").is_empty() {
            self.say("No span in this document can be linked to this one.");
            return;
        }
        self.link = Some(LinkState {
            source,
            query: String::new(),
            index: 0,
            choosing: None,
        });
        self.reveal_link_candidate();
    }

    /// The current candidate of link mode and its preview for the document view.
    pub(super) fn link_preview(&self) -> Option<(LinkPreview, usize, usize)> {
        let link = self.link.as_ref()?;
        let (doc, schema) = self.current_doc_and_schema()?;
        let source = doc.span_by_key(link.source)?;
        let list = candidates(doc, schema, source, &link.query);
        let current = list.get(link.index.min(list.len().saturating_sub(1)));
        let preview = LinkPreview {
            from: link.source,
            to: current.map(|c| c.key),
            kind: current.map(|c| c.kind.clone()).unwrap_or_default(),
            forward: current.is_none_or(|c| c.forward),
        };
        Some((
            preview,
            link.index.min(list.len().saturating_sub(1)),
            list.len(),
        ))
    }

    fn reveal_link_candidate(&mut self) {
        if let Some((preview, _, _)) = self.link_preview()
            && let Some(to) = preview.to
        {
            self.panels.view.reveal(to.start);
        }
    }

    /// A key in link mode.
    pub(super) fn link_key(&mut self, key: LinkKey) {
        let count = self.link_preview().map_or(0, |(_, _, n)| n);
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let source = link.source;
        let choosing = link.choosing.clone();
        match key {
            LinkKey::Cancel => {
                self.link = None;
                self.say("Linking cancelled");
                return;
            }
            LinkKey::Next if count > 0 => link.index = (link.index + 1) % count,
            LinkKey::Previous if count > 0 => link.index = (link.index + count - 1) % count,
            LinkKey::Next | LinkKey::Previous => {}
            LinkKey::Type(t) => {
                link.query.push_str(&t);
                link.index = 0;
            }
            LinkKey::Backspace => {
                link.query.pop();
                link.index = 0;
            }
            LinkKey::Kind(_) | LinkKey::Confirm if choosing.is_some() => {
                // Picking the relation type: a digit, or Enter for the first.
                let n = if let LinkKey::Kind(n) = key { n } else { 1 };
                if let Some((target, kinds)) = choosing
                    && let Some((kind, forward)) = kinds.get(n.saturating_sub(1)).cloned()
                {
                    self.link = None;
                    self.create_relation(source, target, &kind, forward);
                }
                return;
            }
            LinkKey::Kind(_) => return,
            LinkKey::Confirm => {
                self.confirm_link();
                return;
            }
        }
        self.reveal_link_candidate();
    }

    /// Enter in link mode: link to the current candidate, or ask which type when several fit.
    fn confirm_link(&mut self) {
        let Some((preview, _, _)) = self.link_preview() else {
            return;
        };
        let Some(target) = preview.to else {
            self.say("No span matches; type less, or Esc to cancel.");
            return;
        };
        self.link_spans(preview.from, target);
    }

    /// Links two spans with the relation type the schema allows between them (asking when
    /// several fit). From the mouse (chip dragged onto a span) and from link mode.
    pub(super) fn link_spans(&mut self, a: SpanKey, b: SpanKey) {
        let Some((doc, schema)) = self.current_doc_and_schema() else {
            return;
        };
        let (Some(sa), Some(sb)) = (doc.span_by_key(a), doc.span_by_key(b)) else {
            return;
        };
        let kinds = kinds_between(schema, sa, sb);
        match kinds.as_slice() {
            [] => {
                let msg = format!(
                    "No relation type links a {} span and a {} span.",
                    sa.label, sb.label
                );
                self.link = None;
                self.say(msg);
            }
            [(kind, forward)] => {
                let (kind, forward) = (kind.clone(), *forward);
                self.link = None;
                self.create_relation(a, b, &kind, forward);
            }
            _ => {
                let names: Vec<String> = kinds
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| format!("{} {k}", i + 1))
                    .collect();
                self.say(format!("Which relation? {}", names.join(" · ")));
                self.link = Some(LinkState {
                    source: a,
                    query: String::new(),
                    index: 0,
                    choosing: Some((b, kinds)),
                });
            }
        }
    }

    /// Creates `kind` between spans `a` and `b` (from `a` when `forward`).
    fn create_relation(&mut self, a: SpanKey, b: SpanKey, kind: &str, forward: bool) {
        let doc = self.current;
        let (from, to) = if forward { (a.id, b.id) } else { (b.id, a.id) };
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let exists = session.project().doc(doc).is_some_and(|d| {
            d.relations()
                .iter()
                .any(|r| r.kind == kind && r.from == from && r.to == to)
        });
        if exists {
            self.say(format!("These spans are already linked by {kind}."));
            return;
        }
        let relation = Relation::new(
            session.project().allocate_span_id(),
            kind.to_owned(),
            from,
            to,
        );
        if self.edit(Edit::AddRelation { doc, relation }) {
            self.selection = Selection::Span(a);
            self.say(format!("Linked: {kind}"));
        }
    }

    /// The text shown above the document in link mode.
    pub(super) fn link_banner(&self) -> Option<String> {
        let link = self.link.as_ref()?;
        if let Some((_, kinds)) = &link.choosing {
            let names: Vec<String> = kinds
                .iter()
                .enumerate()
                .map(|(i, (k, _))| format!("{} {k}", i + 1))
                .collect();
            return Some(format!(
                "Which relation? {} · Enter: the first · Esc: cancel",
                names.join(" · ")
            ));
        }
        let (preview, index, count) = self.link_preview()?;
        let (doc, _) = self.current_doc_and_schema()?;
        let source = doc.span_by_key(link.source)?;
        let target = preview.to.and_then(|k| doc.span_by_key(k));
        let filter = if link.query.is_empty() {
            String::new()
        } else {
            format!(" · filter “{}”", link.query)
        };
        Some(match target {
            Some(t) => format!(
                "Link “{}” {} “{}” ({} {} of {count}) · Tab/arrows: next · type to filter · Enter: link · Esc: cancel{filter}",
                crate::model::text::excerpt(&source.text, 30),
                if preview.forward {
                    format!("-{}->", preview.kind)
                } else {
                    format!("<-{}-", preview.kind)
                },
                crate::model::text::excerpt(&t.text, 30),
                t.label,
                index + 1
            ),
            None => format!(
                "Link “{}”: no span matches{filter} · Backspace · Esc: cancel",
                crate::model::text::excerpt(&source.text, 30)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocId, DocSource, Project};

    #[test]
    fn candidates_fit_the_schema_and_come_nearest_first() {
        let text = "Harris said Ukraine must decide. Trump said a deal. Biden met Zelensky.";
        let doc = Document::new(
            "a".into(),
            DocSource::TextFile("a.txt".into()),
            crate::model::TextHash::of(""),
            text.into(),
        );
        let mut p = Project::new("t".into(), Schema::default(), vec![doc]);
        let add = |p: &mut Project, w: &str, label: &str| {
            let at = text.find(w).unwrap();
            let s = p.make_span(DocId(0), at, at + w.len(), label).unwrap();
            p.apply(Edit::AddSpan {
                doc: DocId(0),
                span: s.clone(),
            })
            .unwrap();
            s
        };
        let stance = add(&mut p, "Ukraine must decide", "stance");
        add(&mut p, "Harris", "speaker");
        add(&mut p, "Trump", "speaker");
        add(&mut p, "Biden met Zelensky", "event");
        add(&mut p, "a deal", "stance");
        let c = candidates(&p.documents[0], &p.schema, &stance, "");
        let texts: Vec<_> = c
            .iter()
            .map(|c| p.documents[0].span_by_key(c.key).unwrap().text.clone())
            .collect();
        // stance —about→ event, speaker —holds→ stance; another stance cannot be linked.
        assert_eq!(texts, ["Harris", "Trump", "Biden met Zelensky"]);
        assert!(
            !c[0].forward,
            "a speaker holds the stance: the relation points at the stance"
        );
        assert_eq!(c[2].kind, "about");
        assert!(c[2].forward);
        let filtered = candidates(&p.documents[0], &p.schema, &stance, "tru");
        assert_eq!(filtered.len(), 1);
        // Typing a name finds the span whose entity it is, not only spans that spell it.
        let harris = p.documents[0]
            .spans()
            .iter()
            .find(|s| s.text == "Harris")
            .unwrap();
        p.apply(Edit::SetAttr {
            doc: DocId(0),
            id: harris.id,
            name: "entity".into(),
            value: Some("Kamala Harris".into()),
        })
        .unwrap();
        let by_entity = candidates(&p.documents[0], &p.schema, &stance, "kamala");
        assert_eq!(by_entity.len(), 1);
        assert_eq!(
            p.documents[0].span_by_key(by_entity[0].key).unwrap().text,
            "Harris"
        );
    }
}
