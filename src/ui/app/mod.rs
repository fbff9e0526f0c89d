//! The application: owns the open session and the UI state, draws the panels, and handles
//! every [`Command`] in one place ([`MarginaliaApp::handle_with`]), once per frame.
//!
//! - `files.rs`: opening, saving, new projects, file dialogs;
//! - `annotate.rs`: the annotation commands;
//! - `link.rs`: linking spans by keyboard and mouse.

mod annotate;
mod files;
mod link;
mod review;
mod search;

pub use review::{ReviewFilter, ReviewState};

use crate::model::{DocId, Edit, Project, Status};
use crate::persist::{LoadError, Problem};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::commands::{Command, KeyContext, read_keyboard};
use crate::ui::dialogs::{Dialog, dialog_ui};
use crate::ui::document_view::{Decor, DocumentView};
use crate::ui::schema_editor::SchemaEditor;
use crate::ui::selection::Selection;
use crate::ui::span_panel::SpanEditor;
use crate::ui::{doc_list, document_panel, label_bar, menu_bar, span_panel, welcome};
use link::LinkState;
use std::path::{Path, PathBuf};

/// What the right panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SideTab {
    #[default]
    Spans,
    Review,
    Search,
}

/// Preferences kept between runs (in eframe's storage: never project data).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// Earlier versions of the project file each save keeps (`<file>.bak1`...).
    pub backups: usize,
    /// Seconds between automatic saves of a project with changes (0: never).
    pub autosave_seconds: u64,
    /// Projects the user allowed to read corpus files outside their folder (or saved
    /// there with Save As), normalized.
    pub trusted: Vec<PathBuf>,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            backups: crate::persist::backup::DEFAULT_BACKUPS,
            autosave_seconds: DEFAULT_AUTOSAVE_SECONDS,
            trusted: Vec::new(),
        }
    }
}

/// How often a project with changes is saved by itself. The journal already keeps every
/// edit; the periodic save keeps the journal short and the file itself current.
pub const DEFAULT_AUTOSAVE_SECONDS: u64 = 120;

const PREFS_KEY: &str = "marginalia-prefs";
const MAX_RECENT: usize = 10;
/// How long a status message stays in the bar, in seconds.
const MESSAGE_SECONDS: f64 = 8.0;
/// A native file dialog that returns nothing faster than this was never shown.
const NO_DIALOG_THRESHOLD: std::time::Duration = std::time::Duration::from_millis(300);

/// How the window starts.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    /// A project given on the command line.
    pub project: Option<PathBuf>,
    /// Open the document whose id or title contains this text.
    pub document: Option<String>,
    /// Take a screenshot after this many frames, save it here and close.
    pub screenshot: Option<(PathBuf, u32)>,
    pub annotator: Option<String>,
    /// Measure N frames (see `profile.rs`).
    pub profile_frames: Option<u32>,
}

/// Which file a native file dialog is picking.
#[derive(Clone, Copy, Debug)]
enum Pick {
    OpenProject,
    SaveAsField,
    CorpusField,
}

/// What a background project load returns: the path, and the session or what went wrong.
type LoadResult = (PathBuf, Result<(Session, Vec<Problem>), LoadError>);

struct ScreenshotPlan {
    path: PathBuf,
    frames_left: u32,
    requested: bool,
    /// Set by the screenshot callback once the PNG is written (or failed).
    written: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

pub struct MarginaliaApp {
    session: Option<Session>,
    current: DocId,
    selection: Selection,
    view: DocumentView,
    commands: Vec<Command>,
    dialog: Option<Dialog>,
    loading: Option<Task<LoadResult>>,
    /// The project the window started with, while it loads.
    startup_open: Option<StartupOpen>,
    /// A new project being read from its corpus, and the corpus path (the new project's file
    /// is proposed beside it).
    creating: Option<(PathBuf, Task<Result<Project, LoadError>>)>,
    /// A native file dialog on its thread, and when it was opened.
    picker: Option<(Pick, std::time::Instant, Task<Option<PathBuf>>)>,
    prefs: Prefs,
    /// The status message and when it was first shown (set on the next frame).
    message: Option<(String, Option<f64>)>,
    welcome_path: String,
    show_help: bool,
    allow_close: bool,
    screenshot: Option<ScreenshotPlan>,
    title: String,
    /// The span list should scroll to the selected span this frame.
    reveal_in_list: bool,
    annotator: Option<String>,
    profile: Option<crate::ui::profile::Profile>,
    /// Link mode (`R`), while it lasts.
    link: Option<LinkState>,
    /// Text typed in the span panel's fields and not yet committed.
    editor: SpanEditor,
    /// Draw every relation (View menu), or only those of the selected span.
    all_relations: bool,
    schema_editor: SchemaEditor,
    /// A text field had the keyboard last frame: Esc that left it must not also act on the
    /// document.
    had_text_focus: bool,
    /// The app's style was set up (on the first frame, whoever created the app).
    styled: bool,
    /// The Import or Export window, while open.
    interchange: Option<crate::ui::interchange::InterchangeDialog>,
    /// An import or export running off the UI thread: its title and result.
    interchange_task: Option<Task<InterchangeResult>>,
    review: ReviewState,
    review_cache: crate::ui::review_panel::ReviewCache,
    /// Score threshold of "accept all at or above".
    bulk_score: f32,
    /// Pending suggestions are drawn (View → Show suggestions).
    show_suggestions: bool,
    /// The Suggest window, while open, and a run in progress.
    suggest_dialog: Option<crate::ui::suggest_dialog::SuggestDialog>,
    suggest_task: Option<(
        crate::ui::suggest_dialog::SuggestProgress,
        Task<SuggestResult>,
    )>,
    /// Where this machine remembers which project commands may run (`None`: nowhere, so
    /// every run asks; tests and embedders that must not touch the user's data folder).
    consent_file: Option<PathBuf>,
    /// The history version seen last frame, when it changed, and when the project was last
    /// saved (by hand or automatically): the autosave clock.
    seen_version: u64,
    changed_at: std::time::Instant,
    saved_at: std::time::Instant,
    /// What the right panel shows.
    side: SideTab,
    search: crate::ui::search_panel::SearchState,
    stats: crate::ui::stats_window::StatsState,
    consistency: crate::ui::consistency_window::ConsistencyState,
    /// The document list's filters and order.
    doc_filter: crate::ui::doc_list::DocListState,
}

/// What a suggester run returns: proposals and the report, or what went wrong.
type SuggestResult = Result<(Vec<crate::suggest::Proposal>, crate::formats::Report), LoadError>;

/// What an import (the new project's path) or an export returns, with the report.
type InterchangeResult = Result<(Option<PathBuf>, String), LoadError>;

/// The demo project: next to the working directory when run from a checkout, else where it
/// was built.
/// The demo project, relative to the repository.
const DEMO: &str = "projects/seed-news.ron";

fn demo_project() -> Option<PathBuf> {
    let rel = PathBuf::from(DEMO);
    if rel.exists() {
        return Some(rel);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO);
    built.exists().then_some(built)
}

impl MarginaliaApp {
    /// The app as eframe creates it: preferences from storage, then the startup project.
    pub fn new(cc: &eframe::CreationContext<'_>, startup: Startup) -> Self {
        cc.egui_ctx.set_theme(egui::ThemePreference::Light);
        let prefs: Prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, PREFS_KEY))
            .unwrap_or_default();
        let mut app = Self::empty(prefs);
        app.consent_file = crate::suggest::consent::Consent::machine_file();
        app.annotator = startup.annotator.clone();
        app.profile = startup.profile_frames.map(crate::ui::profile::Profile::new);
        if let Some((path, frames)) = &startup.screenshot {
            app.screenshot = Some(ScreenshotPlan {
                path: path.clone(),
                frames_left: *frames,
                requested: false,
                written: Default::default(),
            });
        }
        let explicit = startup.project.is_some();
        let candidate = startup
            .project
            .clone()
            .or_else(|| app.prefs.recent.iter().find(|p| p.exists()).cloned())
            .or_else(demo_project);
        if let Some(path) = candidate {
            // Read in the background like any other open: the first frame shows at once,
            // whatever the size of the project.
            app.start_open(&cc.egui_ctx, path);
            app.startup_open = Some(StartupOpen {
                explicit,
                document: startup.document.clone(),
            });
        }
        app
    }

    fn empty(prefs: Prefs) -> Self {
        Self {
            session: None,
            current: DocId(0),
            selection: Selection::None,
            view: DocumentView::default(),
            commands: Vec::new(),
            dialog: None,
            loading: None,
            startup_open: None,
            creating: None,
            picker: None,
            prefs,
            message: None,
            welcome_path: String::new(),
            show_help: false,
            allow_close: false,
            screenshot: None,
            title: String::new(),
            reveal_in_list: false,
            annotator: None,
            profile: None,
            link: None,
            editor: SpanEditor::default(),
            all_relations: true,
            schema_editor: SchemaEditor::default(),
            had_text_focus: false,
            styled: false,
            interchange: None,
            interchange_task: None,
            review: ReviewState::default(),
            review_cache: Default::default(),
            bulk_score: 0.8,
            show_suggestions: true,
            suggest_dialog: None,
            suggest_task: None,
            consent_file: None,
            seen_version: 0,
            changed_at: std::time::Instant::now(),
            saved_at: std::time::Instant::now(),
            side: SideTab::Spans,
            search: Default::default(),
            stats: Default::default(),
            consistency: Default::default(),
            doc_filter: Default::default(),
        }
    }

    /// An app over an already loaded session (tests, and embedding).
    pub fn with_session(session: Session) -> Self {
        let mut app = Self::empty(Prefs::default());
        app.session = Some(session);
        app
    }

    /// Where consents to run project commands are kept (see [`crate::suggest::consent`]).
    pub fn set_consent_file(&mut self, file: Option<PathBuf>) {
        self.consent_file = file;
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn session_mut(&mut self) -> Option<&mut Session> {
        self.session.as_mut()
    }

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    pub fn set_selection(&mut self, selection: Selection) {
        self.selection = selection;
    }

    /// The suggestion under review, if any (tests, and the status bar).
    pub fn focused_suggestion(&self) -> Option<crate::model::SpanKey> {
        self.focused_suggestion_key()
    }

    pub fn view(&self) -> &DocumentView {
        &self.view
    }

    pub fn current_document(&self) -> DocId {
        self.current
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// The status bar message, if one is showing.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().map(|(m, _)| m.as_str())
    }

    /// Queues a command as if the user had chosen it.
    /// The Search tab's state (tests).
    pub fn search(&self) -> &crate::ui::search_panel::SearchState {
        &self.search
    }

    /// The statistics window's state (tests).
    pub fn stats(&self) -> &crate::ui::stats_window::StatsState {
        &self.stats
    }

    /// The consistency report's state (tests).
    pub fn consistency(&self) -> &crate::ui::consistency_window::ConsistencyState {
        &self.consistency
    }

    /// What the right panel shows.
    pub fn side(&self) -> SideTab {
        self.side
    }

    pub fn queue(&mut self, command: Command) {
        self.commands.push(command);
    }

    fn say(&mut self, message: impl Into<String>) {
        self.message = Some((message.into(), None));
    }

    fn show_error(&mut self, title: &str, message: &str) {
        self.dialog = Some(Dialog::Error {
            title: title.to_owned(),
            message: message.to_owned(),
        });
    }

    fn is_dirty(&self) -> bool {
        self.session.as_ref().is_some_and(Session::is_dirty)
    }

    // ---------------------------------------------------------------------------------------
    // Commands

    fn handle(&mut self, command: Command, ctx: &egui::Context) {
        self.handle_with(command, ctx, false);
    }

    /// Handles one command. `discarding` skips the unsaved-changes question (the user
    /// already answered it).
    fn handle_with(&mut self, command: Command, ctx: &egui::Context, discarding: bool) {
        let guarded = matches!(
            command,
            Command::Open
                | Command::OpenPath(_)
                | Command::NewFromFolder
                | Command::NewFromJsonl
                | Command::Quit
        );
        if guarded && !discarding && self.is_dirty() {
            self.dialog = Some(Dialog::Unsaved { then: command });
            return;
        }
        match command {
            Command::Save => self.save(),
            Command::SaveAs => self.open_save_as_dialog(),
            Command::Open => self.pick(ctx, Pick::OpenProject),
            Command::OpenPath(path) => self.start_open(ctx, path),
            Command::NewFromFolder | Command::NewFromJsonl => {
                self.dialog = Some(Dialog::NewProject {
                    corpus: String::new(),
                    name: String::new(),
                    jsonl: command == Command::NewFromJsonl,
                });
            }
            Command::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::Undo => self.undo_redo(true),
            Command::Redo => self.undo_redo(false),
            Command::ApplyLabel(label) => self.apply_label(&label),
            Command::DeleteSpan => self.delete_span(),
            Command::ClearSelection => {
                if self.review.editing.take().is_some() {
                    self.say("Edit cancelled");
                }
                self.selection = Selection::None;
            }
            Command::SetStatus(doc, status) => {
                self.edit(Edit::SetStatus { doc, status });
            }
            Command::DoneAndNext => {
                let doc = self.current;
                let not_done = self
                    .session
                    .as_ref()
                    .and_then(|s| s.project.doc(doc))
                    .is_some_and(|d| d.status != Status::Done);
                if not_done {
                    self.edit(Edit::SetStatus {
                        doc,
                        status: Status::Done,
                    });
                }
                self.step_document(1);
            }
            Command::NextDocument => self.step_document(1),
            Command::PreviousDocument => self.step_document(-1),
            Command::OpenDocument(doc) => self.go_to(doc),
            Command::SelectSpan(doc, key) => {
                self.go_to(doc);
                self.selection = Selection::Span(key);
                self.view.place_caret(doc, key.start);
                self.view.reveal(key.start);
                self.reveal_in_list = true;
            }
            Command::Caret(motion, extend) => self.view.move_caret(motion, extend),
            Command::NextSpan => self.step_span(true),
            Command::PreviousSpan => self.step_span(false),
            Command::MoveEdge { end, forward } => self.move_edge(end, forward),
            Command::SetAttr(name, value) => self.set_attr(name, value),
            Command::SetNote(note) => self.set_note(note),
            Command::FocusField(name) => {
                if self.selection.span().is_some() {
                    self.editor.focus(&name);
                }
            }
            Command::StartLink => self.start_link(),
            Command::Link(key) => self.link_key(key),
            Command::LinkSpans(a, b) => self.link_spans(a, b),
            Command::DeleteRelation(doc, id) => {
                self.edit(Edit::RemoveRelation { doc, id });
            }
            Command::TagAllMatches { corpus } => self.tag_all_matches(corpus),
            Command::ToggleAllRelations => self.all_relations = !self.all_relations,
            Command::OpenSchemaEditor => self.schema_editor.open = true,
            Command::ChangeSchema(schema) => self.change_schema(&schema),
            Command::Edit(edit) => {
                self.edit(*edit);
            }
            Command::FocusSuggestion(key) => {
                let doc = self.current;
                self.focus_suggestion(doc, key);
            }
            Command::Review(key) => self.review_key(key),
            Command::AcceptAllAbove(hundredths) => {
                let threshold = f32::from(hundredths) / 100.0;
                self.accept_all(|s| s.score.is_some_and(|x| x.0 >= threshold));
            }
            Command::AcceptAllOfLabel(label) => self.accept_all(|s| s.label == label),
            Command::ToggleSuggestions => self.show_suggestions = !self.show_suggestions,
            Command::OpenSearch { corpus } => {
                self.side = SideTab::Search;
                self.search.corpus = corpus;
                self.search.focus = true;
            }
            Command::NextHit => self.step_hit(true),
            Command::PreviousHit => self.step_hit(false),
            Command::JumpToHit(i) => {
                if let Some((doc, hit)) = self.search.select(i) {
                    self.show_hit(doc, hit);
                }
            }
            Command::TagHits(label) => self.tag_hits(&label),
            Command::GoTo {
                doc,
                start,
                end,
                span,
            } => self.go_to_place(doc, start, end, span),
            Command::OpenStatistics => self.stats.open = true,
            Command::OpenConsistency => self.consistency.open(),
            Command::FixFinding(i) => self.fix_finding(i),
            Command::PlaceUnanchored(id) => self.place_unanchored(id),
            Command::DropUnanchored(id) => {
                let doc = self.current;
                if self.edit(Edit::DropUnanchored { doc, id }) {
                    self.say("Deleted (Ctrl+Z brings it back).");
                }
            }
            Command::OpenSuggest => {
                if self.suggest_dialog.is_none() {
                    let command = self
                        .session
                        .as_ref()
                        .and_then(|s| s.project.suggest_command.as_deref());
                    self.suggest_dialog = Some(
                        crate::ui::suggest_dialog::SuggestDialog::for_command(command),
                    );
                }
            }
            Command::OpenImport => {
                let dir = self
                    .session
                    .as_ref()
                    .and_then(|s| s.path.as_ref())
                    .and_then(|p| p.parent().map(Path::to_owned))
                    .unwrap_or_default();
                self.interchange = Some(crate::ui::interchange::InterchangeDialog::import(
                    &dir.join("imported.ron").display().to_string(),
                ));
            }
            Command::OpenExport => {
                let dir = self
                    .session
                    .as_ref()
                    .and_then(|s| s.path.as_ref())
                    .and_then(|p| p.parent().map(Path::to_owned))
                    .unwrap_or_default();
                self.interchange = Some(crate::ui::interchange::InterchangeDialog::export(
                    &dir.join("export.jsonl").display().to_string(),
                ));
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Frame

    fn handle_window_events(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close && self.is_dirty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::Unsaved {
                then: Command::Quit,
            });
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
            {
                self.commands.push(Command::OpenPath(path));
            } else {
                self.say("Drop a .ron project file to open it (File > New project makes one from a corpus).");
            }
        }
        if let Some(session) = &self.session {
            let title = session.title();
            if title != self.title {
                ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
                self.title = title;
            }
        }
    }

    /// The journal reaches the disk within a second of an edit, and a project with changes
    /// is saved by itself every few minutes, once the user pauses for a moment.
    fn keep_work_safe(&mut self, ctx: &egui::Context) {
        /// A save never interrupts typing: it waits for this much quiet.
        const QUIET: std::time::Duration = std::time::Duration::from_secs(2);
        let Some(session) = &mut self.session else {
            return;
        };
        session.sync_journal();
        if let Some(p) = session.take_journal_problem() {
            self.say(format!(
                "The journal could not be written ({p}); save often until this is fixed."
            ));
        }
        let Some(session) = &self.session else {
            return;
        };
        let version = session.history.version();
        if version != self.seen_version {
            self.seen_version = version;
            self.changed_at = std::time::Instant::now();
        }
        if !session.is_dirty() {
            self.saved_at = std::time::Instant::now();
            return;
        }
        if session.path.is_none() {
            return;
        }
        // Keep frames coming while a sync or a save is due, even if the user is idle.
        ctx.request_repaint_after(std::time::Duration::from_millis(500));
        let every = std::time::Duration::from_secs(self.prefs.autosave_seconds);
        let due = self.prefs.autosave_seconds > 0
            && session.recovery().is_none()
            && self.dialog.is_none()
            && self.saved_at.elapsed() >= every
            && self.changed_at.elapsed() >= QUIET;
        if due {
            self.save();
            self.saved_at = std::time::Instant::now();
            if !self.is_dirty() {
                self.say("Saved automatically.");
            }
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(plan) = &mut self.screenshot else {
            return;
        };
        if plan.written.load(std::sync::atomic::Ordering::Acquire) {
            self.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if self.loading.is_some() {
            // Frames are counted from the moment the project is there.
        } else if plan.frames_left > 0 {
            plan.frames_left -= 1;
        } else if !plan.requested {
            plan.requested = true;
            let path = plan.path.clone();
            let written = plan.written.clone();
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                if let Err(e) = crate::ui::screenshot::save_png(&path, &image) {
                    eprintln!("{}: cannot write the screenshot: {e}", path.display());
                }
                written.store(true, std::sync::atomic::Ordering::Release);
                waker.request_repaint();
            });
        }
        ctx.request_repaint();
    }

    /// Draws one frame. Public so tests can drive the app without eframe.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.styled {
            crate::ui::theme::setup(&ctx);
            self.styled = true;
        }
        self.poll_tasks(&ctx);
        self.handle_window_events(&ctx);
        self.keep_work_safe(&ctx);
        let now = ctx.input(|i| i.time);
        if let Some((_, shown)) = &mut self.message {
            let since = *shown.get_or_insert(now);
            if now - since > MESSAGE_SECONDS {
                self.message = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(MESSAGE_SECONDS));
            }
        }

        let text_focus = ctx.egui_wants_keyboard_input();
        if self.dialog.is_none() {
            let schema = self
                .session
                .as_ref()
                .map(|s| s.project.schema.clone())
                .unwrap_or_default();
            let selected_label = self
                .current_doc_and_schema()
                .and_then(|(d, _)| d.span_by_key(self.selection.span()?))
                .map(|s| s.label.clone());
            let keys = KeyContext {
                schema: &schema,
                selected_label: selected_label.as_deref(),
                text_field_focused: text_focus || self.had_text_focus,
                linking: self.link.is_some(),
                reviewing: self.side == SideTab::Review,
                editing_suggestion: self.review.editing.is_some(),
            };
            let commands = read_keyboard(&ctx, &keys);
            if !self.view.is_dragging() {
                self.commands.extend(commands);
            }
        }
        self.had_text_focus = text_focus;

        let mut out = Vec::new();
        let current = self.session.as_ref().map(|_| self.current);
        egui::Panel::top("menu").show(ui, |ui| {
            let state = menu_bar::MenuState {
                session: self.session.as_ref(),
                current_doc: current,
                recent: &self.prefs.recent,
                all_relations: self.all_relations,
                show_suggestions: self.show_suggestions,
            };
            menu_bar::menu_bar_ui(ui, &state, &mut self.show_help, &mut out);
        });
        let message = self
            .busy_text()
            .map(str::to_owned)
            .or_else(|| self.message.as_ref().map(|(m, _)| m.clone()));
        let link_preview = self.link_preview();
        let link_banner = self.link_banner();
        let focused_suggestion = self.focused_suggestion_key();
        match &self.session {
            Some(session) => {
                let project = &session.project;
                if let Some(doc) = project.doc(self.current) {
                    self.selection.validate(doc);
                }
                egui::Panel::bottom("label-bar").show(ui, |ui| {
                    label_bar::label_bar_ui(
                        ui,
                        &project.schema,
                        &self.selection,
                        message.as_deref(),
                        &mut out,
                    );
                });
                egui::Panel::left("documents")
                    .resizable(true)
                    .default_size(250.0)
                    .show(ui, |ui| {
                        doc_list::doc_list_ui(
                            ui,
                            project,
                            self.current,
                            session.history.version(),
                            &mut self.doc_filter,
                            &mut out,
                        )
                    });
                egui::Panel::right("spans")
                    .resizable(true)
                    .default_size(320.0)
                    .show(ui, |ui| {
                        ui.horizontal(|ui| {
                            let pending = project.doc(self.current).map_or(0, |d| {
                                d.suggestions()
                                    .iter()
                                    .filter(|s| s.review == crate::model::Review::Pending)
                                    .count()
                            });
                            ui.selectable_value(&mut self.side, SideTab::Spans, "Spans");
                            ui.selectable_value(
                                &mut self.side,
                                SideTab::Review,
                                format!("Review ({pending})"),
                            );
                            ui.selectable_value(&mut self.side, SideTab::Search, "Search");
                        });
                        ui.separator();
                        if self.side == SideTab::Search {
                            self.search.refresh(
                                &ctx,
                                project,
                                self.current,
                                session.history.version(),
                            );
                            crate::ui::search_panel::search_panel_ui(
                                ui,
                                &mut self.search,
                                project,
                                &mut out,
                            );
                        } else if self.side == SideTab::Review {
                            let input = crate::ui::review_panel::ReviewInput {
                                project,
                                doc_id: self.current,
                                current: self
                                    .review
                                    .current
                                    .filter(|(d, _)| *d == self.current)
                                    .map(|(_, id)| id),
                                editing: self.review.editing.as_deref(),
                                version: session.history.version(),
                            };
                            crate::ui::review_panel::review_panel_ui(
                                ui,
                                &input,
                                &mut self.review.filter,
                                &mut self.review_cache,
                                &mut self.bulk_score,
                                &mut out,
                            );
                        } else {
                            let input = span_panel::PanelInput {
                                project,
                                doc_id: self.current,
                                selection: &self.selection,
                                reveal_selected: std::mem::take(&mut self.reveal_in_list),
                                version: session.history.version(),
                            };
                            span_panel::span_panel_ui(ui, &input, &mut self.editor, &mut out);
                        }
                    });
                let decor = Decor {
                    all_relations: self.all_relations,
                    link: link_preview.map(|(p, _, _)| p),
                    banner: link_banner,
                    show_suggestions: self.show_suggestions,
                    focused_suggestion,
                };
                egui::CentralPanel::default().show(ui, |ui| {
                    let view_out = document_panel::document_panel_ui(
                        ui,
                        &mut self.view,
                        project,
                        self.current,
                        &mut self.selection,
                        &decor,
                        &mut out,
                    );
                    if view_out.selection_changed {
                        self.reveal_in_list = true;
                    }
                    out.extend(view_out.commands);
                });
                self.schema_editor.window_ui(&ctx, project, &mut out);
                crate::ui::stats_window::stats_window_ui(&ctx, &mut self.stats, session, &mut out);
                self.consistency.window_ui(&ctx, session, &mut out);
            }
            None => {
                egui::Panel::bottom("label-bar").show(ui, |ui| {
                    ui.label(message.unwrap_or_default());
                });
                egui::CentralPanel::default().show(ui, |ui| {
                    welcome::welcome_ui(ui, &self.prefs.recent, &mut self.welcome_path, &mut out);
                });
            }
        }
        menu_bar::shortcuts_window_ui(
            &ctx,
            &mut self.show_help,
            self.session.as_ref().map(|s| &s.project.schema),
        );
        if let Some(dialog) = &mut self.dialog
            && let Some(action) = dialog_ui(&ctx, dialog)
        {
            self.on_dialog_action(action, &ctx);
        }
        self.suggest_window(&ctx);
        if let Some(d) = &mut self.interchange
            && let Some(action) = crate::ui::interchange::interchange_ui(&ctx, d)
        {
            self.on_interchange(action, &ctx);
        }
        self.commands.extend(out);
        if !self.commands.is_empty() {
            // Commands run after the panels were drawn: draw again to show their effect.
            ctx.request_repaint();
        }
        for command in std::mem::take(&mut self.commands) {
            self.handle(command, &ctx);
        }
        if self.loading.is_some() || self.creating.is_some() {
            ctx.set_cursor_icon(egui::CursorIcon::Progress);
        }
        self.screenshot_step(&ctx);
    }
}

/// What to do once the startup project has loaded (or failed to).
struct StartupOpen {
    /// Named on the command line: a failure is an error dialog, not a status message.
    explicit: bool,
    /// Open the document whose id or title contains this text.
    document: Option<String>,
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

impl MarginaliaApp {
    /// One frame under `--profile-frames`: scroll, sometimes tag, and time it.
    fn profiled_frame(&mut self, ui: &mut egui::Ui, frame: &eframe::Frame) {
        if self.loading.is_some() {
            // Measured once the project is open.
            self.frame_ui(ui);
            ui.ctx().request_repaint();
            return;
        }
        let Some(mut profile) = self.profile.take() else {
            return;
        };
        if profile.begin(frame.info().cpu_usage) {
            let middle = self
                .session
                .as_ref()
                .and_then(|s| s.project.doc(self.current))
                .map_or(0, |d| d.text.len() / 2);
            self.view.reveal(middle);
        } else {
            self.view.scroll_by(37.0);
        }
        let tag = profile.tag_this_frame();
        if tag
            && let Some(range) = self.view.visible_range(self.current)
            && let Some(doc) = self
                .session
                .as_ref()
                .and_then(|s| s.project.doc(self.current))
        {
            let from =
                crate::model::text::ceil_char_boundary(&doc.text, range.start + range.len() / 2);
            let end = crate::model::text::next_grapheme(&doc.text, from);
            if let Some(word) = crate::model::text::snap_to_words(&doc.text, from..end) {
                self.selection = Selection::Text(word);
                self.commands.push(Command::ApplyLabel("event".to_owned()));
            }
        }
        self.frame_ui(ui);
        if profile.end(tag) {
            println!("{}", profile.report());
            self.allow_close = true;
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ui.ctx().request_repaint();
            self.profile = Some(profile);
        }
    }
}

impl eframe::App for MarginaliaApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.profile.is_some() {
            self.profiled_frame(ui, frame);
        } else {
            self.frame_ui(ui);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }

    /// A clean exit: a project without unsaved changes needs its journal no more. (With
    /// unsaved changes the user was asked; "Don't save" already removed it.)
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(session) = &mut self.session
            && !session.is_dirty()
        {
            let _ = session.close();
        }
    }
}
