//! The Search tab: a query over the document (`Ctrl+F`) or the corpus (`Ctrl+Shift+F`), run
//! off the UI thread and restarted (the old run cancelled) whenever the query, its options
//! or the project change. Hits arrive document by document, so the first ones show at once
//! on a large corpus; the list is keyword-in-context, grouped by document, and only its
//! visible rows are drawn.

use crate::model::search::{Hit, Query, SearchDoc, SearchOptions, search_corpus};
use crate::model::{DocId, Project};
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use egui::RichText;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Hits kept for the list; beyond this they are counted only (a query for "the" on a big
/// corpus must not fill the memory).
const MAX_HITS: usize = 100_000;
/// Characters of context on each side of a hit.
const CONTEXT: usize = 40;

/// What the hits were computed for: a change in any part restarts the search.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SearchKey {
    query: String,
    options: SearchOptions,
    scope: Option<DocId>,
    version: u64,
}

enum Message {
    Hits(DocId, Vec<Hit>),
    Done,
}

struct Running {
    cancel: Arc<AtomicBool>,
    rx: mpsc::Receiver<Message>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// One row of the results list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    Document {
        doc: DocId,
        hits: usize,
    },
    /// A hit, by its index in [`SearchState::hits`].
    Hit(usize),
}

/// The Search tab's state: the query as typed, its options, and the hits so far.
#[derive(Default)]
pub struct SearchState {
    pub query: String,
    pub options: SearchOptions,
    /// Search every document (`Ctrl+Shift+F`), or only the open one (`Ctrl+F`).
    pub corpus: bool,
    /// Put the keyboard in the query field on the next frame (and select what is there).
    pub focus: bool,
    key: Option<SearchKey>,
    running: Option<Running>,
    /// Hits in document order, then reading order.
    hits: Vec<(DocId, Hit)>,
    /// Hits beyond [`MAX_HITS`], counted only.
    dropped: usize,
    rows: Vec<Row>,
    documents: usize,
    error: Option<String>,
    finds_text: bool,
    /// The hit the user is on (F3 moves it).
    pub current: Option<usize>,
    /// Scroll the list to the current hit on the next frame.
    reveal: bool,
}

impl SearchState {
    /// Restarts the search when the query, its options, the open document (for a document
    /// search) or the project changed; then takes in the hits that arrived.
    pub fn refresh(&mut self, ctx: &egui::Context, project: &Project, open: DocId, version: u64) {
        let key = SearchKey {
            query: self.query.trim().to_owned(),
            options: self.options,
            scope: (!self.corpus).then_some(open),
            version,
        };
        if self.key.as_ref() != Some(&key) {
            self.start(ctx, project, &key);
            self.key = Some(key);
        }
        self.receive(ctx);
    }

    fn start(&mut self, ctx: &egui::Context, project: &Project, key: &SearchKey) {
        // Dropping the old run cancels it.
        self.running = None;
        let same_query = self.key.as_ref().is_some_and(|k| {
            k.query == key.query && k.options == key.options && k.scope == key.scope
        });
        self.hits.clear();
        self.rows.clear();
        self.dropped = 0;
        self.documents = 0;
        self.error = None;
        if !same_query {
            self.current = None;
        }
        if key.query.is_empty() {
            self.finds_text = false;
            return;
        }
        let query = match Query::parse(&key.query, &project.schema, key.options) {
            Ok(q) => q,
            Err(e) => {
                self.error = Some(e.0);
                return;
            }
        };
        self.finds_text = query.finds_text();
        // Shared texts and spans: building this is a few pointer copies per document.
        let docs: Vec<SearchDoc> = match key.scope {
            Some(doc) => project
                .doc(doc)
                .map(|d| SearchDoc {
                    doc,
                    text: Arc::clone(&d.text),
                    spans: d.spans_snapshot(),
                })
                .into_iter()
                .collect(),
            None => project.snapshot(),
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let flag = Arc::clone(&cancel);
        let waker = ctx.clone();
        std::thread::spawn(move || {
            search_corpus(&query, &docs, &flag, |doc, hits| {
                let _ = tx.send(Message::Hits(doc, hits));
                waker.request_repaint();
            });
            let _ = tx.send(Message::Done);
            waker.request_repaint();
        });
        self.running = Some(Running { cancel, rx });
    }

    fn receive(&mut self, ctx: &egui::Context) {
        let Some(running) = &self.running else {
            return;
        };
        let mut done = false;
        while let Ok(message) = running.rx.try_recv() {
            match message {
                Message::Hits(doc, hits) => {
                    self.documents += 1;
                    let room = MAX_HITS.saturating_sub(self.hits.len());
                    self.dropped += hits.len().saturating_sub(room);
                    let kept = hits.len().min(room);
                    if kept > 0 {
                        self.rows.push(Row::Document { doc, hits: kept });
                    }
                    for h in hits.into_iter().take(room) {
                        self.rows.push(Row::Hit(self.hits.len()));
                        self.hits.push((doc, h));
                    }
                }
                Message::Done => done = true,
            }
        }
        if done {
            self.running = None;
        } else {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        if let Some(c) = self.current
            && c >= self.hits.len()
            && !self.searching()
        {
            self.current = self.hits.len().checked_sub(1);
        }
    }

    pub fn searching(&self) -> bool {
        self.running.is_some()
    }

    /// All hits found so far (at most [`MAX_HITS`]).
    pub fn hits(&self) -> &[(DocId, Hit)] {
        &self.hits
    }

    /// How many hits in all, counted beyond those kept.
    pub fn total(&self) -> usize {
        self.hits.len() + self.dropped
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The hit `step` away from the current one (wrapping), made current.
    pub fn step(&mut self, forward: bool) -> Option<(DocId, Hit)> {
        let n = self.hits.len();
        if n == 0 {
            return None;
        }
        let next = match (self.current, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(c), true) => (c + 1) % n,
            (Some(c), false) => (c + n - 1) % n,
        };
        self.select(next)
    }

    /// Makes hit `i` current and returns it.
    pub fn select(&mut self, i: usize) -> Option<(DocId, Hit)> {
        let hit = self.hits.get(i).copied()?;
        self.current = Some(i);
        self.reveal = true;
        Some(hit)
    }

    /// The hits as ranges to tag (text hits only).
    pub fn ranges(&self) -> Vec<(DocId, std::ops::Range<usize>)> {
        if !self.finds_text {
            return Vec::new();
        }
        self.hits
            .iter()
            .map(|(d, h)| (*d, h.start..h.end))
            .collect()
    }
}

impl SearchState {
    /// The Search tab: the query, its options and the hits, refreshed in the background
    /// when the query or the project changes.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        self.refresh(ui.ctx(), cx.project(), cx.doc, cx.version());
        search_panel_ui(ui, self, cx.project(), out);
    }
}

fn search_panel_ui(
    ui: &mut egui::Ui,
    state: &mut SearchState,
    project: &Project,
    out: &mut Vec<Command>,
) {
    let field = ui.add(
        egui::TextEdit::singleline(&mut state.query)
            .desired_width(f32::INFINITY)
            .hint_text("Harris -label:speaker · label:stance polarity:against"),
    );
    let field = field.accessible_name("Search query");
    if std::mem::take(&mut state.focus) {
        field.request_focus();
        if let Some(mut s) = egui::TextEdit::load_state(ui.ctx(), field.id) {
            let all = egui::text::CCursorRange::two(
                egui::text::CCursor::new(0),
                egui::text::CCursor::new(state.query.chars().count()),
            );
            s.cursor.set_char_range(Some(all));
            s.store(ui.ctx(), field.id);
        }
    }
    // Enter in the field goes to the next hit, like a browser's find.
    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        out.push(Command::NextHit);
        field.request_focus();
    }
    ui.horizontal_wrapped(|ui| {
        ui.toggle_value(&mut state.options.case_sensitive, "Aa")
            .on_hover_text("Match case");
        ui.toggle_value(&mut state.options.whole_word, "Word")
            .on_hover_text("Whole words only");
        ui.toggle_value(&mut state.options.regex, ".*")
            .on_hover_text("Regular expression");
        ui.separator();
        ui.selectable_value(&mut state.corpus, false, "This document");
        ui.selectable_value(&mut state.corpus, true, "All documents");
    });
    if let Some(e) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    let total = state.total();
    ui.horizontal(|ui| {
        let docs = if state.corpus {
            format!(" in {} documents", state.documents)
        } else {
            String::new()
        };
        let what = if state.finds_text { "hits" } else { "spans" };
        if !state.query.trim().is_empty() && state.error.is_none() {
            ui.label(RichText::new(format!("{total} {what}{docs}")).strong());
        }
        if state.searching() {
            ui.spinner();
        }
        if let Some(c) = state.current {
            ui.label(RichText::new(format!("· {} of {}", c + 1, state.hits.len())).weak());
        }
    });
    if state.dropped > 0 {
        ui.label(
            RichText::new(format!(
                "The first {MAX_HITS} are listed; narrow the query to see the rest."
            ))
            .weak()
            .small(),
        );
    }
    if state.finds_text && total > 0 && !state.searching() {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Tag all {} as", state.hits.len()));
            for l in &project.schema.labels {
                let button = egui::Button::new(
                    RichText::new(&l.name).color(crate::ui::theme::on_color(l.color)),
                )
                .fill(crate::ui::theme::color(l.color));
                if ui
                    .add(button)
                    .on_hover_text("One undoable step; places already tagged so are skipped")
                    .clicked()
                {
                    out.push(Command::TagHits(l.name.clone()));
                }
            }
        });
    }
    ui.separator();
    results_ui(ui, state, project, out);
}

fn results_ui(
    ui: &mut egui::Ui,
    state: &mut SearchState,
    project: &Project,
    out: &mut Vec<Command>,
) {
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("search-results")
        .auto_shrink([false, false]);
    if std::mem::take(&mut state.reveal)
        && let Some(c) = state.current
        && let Some(row) = state.rows.iter().position(|r| *r == Row::Hit(c))
    {
        scroll = scroll.vertical_scroll_offset((row as f32 - 3.0).max(0.0) * row_height);
    }
    scroll.show_rows(ui, row_height, state.rows.len(), |ui, range| {
        for i in range {
            let Some(row) = state.rows.get(i).copied() else {
                continue;
            };
            match row {
                Row::Document { doc, hits } => {
                    let title = project.doc(doc).map_or("", |d| d.title());
                    ui.horizontal(|ui| {
                        ui.set_min_height(row_height - 2.0);
                        ui.label(RichText::new(crate::model::text::excerpt(title, 50)).strong());
                        ui.label(RichText::new(hits.to_string()).weak());
                    });
                }
                Row::Hit(h) => {
                    let Some((doc, hit)) = state.hits.get(h).copied() else {
                        continue;
                    };
                    let Some(d) = project.doc(doc) else {
                        continue;
                    };
                    let mut job = egui::text::LayoutJob::default();
                    crate::ui::widgets::kwic(ui, &mut job, &d.text, hit.start..hit.end, CONTEXT);
                    let selected = state.current == Some(h);
                    let response = ui.add(
                        egui::Button::selectable(selected, job)
                            .truncate()
                            .min_size(egui::vec2(ui.available_width(), row_height - 2.0)),
                    );
                    if response.clicked() {
                        out.push(Command::JumpToHit(h));
                    }
                }
            }
        }
    });
}
