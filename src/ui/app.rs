//! The application: owns the open session and the UI state, draws the panels, and handles
//! every [`Command`] in one place, once per frame.

use crate::model::{DocId, Edit, Project, Span, Status};
use crate::persist::{LoadError, Problem};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::commands::{Command, read_keyboard};
use crate::ui::dialogs::{Dialog, DialogAction, dialog_ui};
use crate::ui::document_view::DocumentView;
use crate::ui::selection::Selection;
use crate::ui::{doc_list, document_panel, label_bar, menu_bar, span_panel, welcome};
use std::path::{Path, PathBuf};

/// Preferences kept between runs (in eframe's storage: never project data).
#[derive(Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
}

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
}

/// The demo project: next to the working directory when run from a checkout, else where it
/// was built.
fn demo_project() -> Option<PathBuf> {
    let rel = PathBuf::from("projects/seed-news.ron");
    if rel.exists() {
        return Some(rel);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/seed-news.ron");
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
            match Session::open(&path) {
                Ok((session, warnings)) => app.install(session, &path, warnings),
                Err(e) if explicit => {
                    app.show_error(&format!("Cannot open {}", path.display()), &e.to_string())
                }
                Err(e) => {
                    app.say(format!(
                        "Could not reopen {}: {}",
                        path.display(),
                        first_line(&e.to_string())
                    ));
                }
            }
        }
        if let Some(wanted) = &startup.document
            && let Some(session) = &app.session
            && let Some(i) =
                session.project.documents.iter().position(|d| {
                    d.id.contains(wanted.as_str()) || d.title.contains(wanted.as_str())
                })
        {
            app.current = DocId(i);
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
        }
    }

    /// An app over an already loaded session (tests, and embedding).
    pub fn with_session(session: Session) -> Self {
        let mut app = Self::empty(Prefs::default());
        app.session = Some(session);
        app
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
    pub fn queue(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Makes `session` the open project, starting at its first document.
    fn set_session(&mut self, mut session: Session) {
        session.annotator = self.annotator.clone();
        self.view.reset();
        self.selection = Selection::None;
        self.current = DocId(0);
        self.session = Some(session);
    }

    /// A project opened from `path`.
    fn install(&mut self, session: Session, path: &Path, warnings: Vec<Problem>) {
        let docs = session.project.documents.len();
        let spans = session.project.span_count();
        self.set_session(session);
        self.remember_recent(path);
        if warnings.is_empty() {
            self.say(format!(
                "Opened {} — {docs} documents, {spans} spans",
                path.display()
            ));
        } else {
            let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
            self.say(format!(
                "Opened with {} warnings: {}",
                warnings.len(),
                first_line(&text.join("\n"))
            ));
        }
    }

    fn remember_recent(&mut self, path: &Path) {
        let path = crate::persist::paths::normalize(path);
        self.prefs.recent.retain(|p| *p != path);
        self.prefs.recent.insert(0, path);
        self.prefs.recent.truncate(MAX_RECENT);
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
            Command::ClearSelection => self.selection = Selection::None,
            Command::SetStatus(doc, status) => {
                self.edit(Edit::SetStatus { doc, status });
            }
            Command::DoneAndNext => {
                let doc = self.current;
                if self
                    .session
                    .as_ref()
                    .and_then(|s| s.project.doc(doc))
                    .is_some_and(|d| d.status != Status::Done)
                {
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
            Command::ScrollPages(pages) => {
                self.view.scroll_pages(self.current, 0.9 * f32::from(pages))
            }
            Command::ScrollToStart => self.view.reveal(0),
            Command::ScrollToEnd => {
                let len = self
                    .session
                    .as_ref()
                    .and_then(|s| s.project.doc(self.current))
                    .map_or(0, |d| d.text.len());
                self.view.reveal(len);
            }
            Command::SelectSpan(doc, key) => {
                self.go_to(doc);
                self.selection = Selection::Span(key);
                self.view.reveal(key.start);
            }
        }
    }

    /// Applies an edit through the history; reports a refusal in the status bar.
    fn edit(&mut self, edit: Edit) -> bool {
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        match session.apply(edit) {
            Ok(()) => true,
            Err(e) => {
                self.say(format!("Not done: {e}"));
                false
            }
        }
    }

    fn apply_label(&mut self, label: &str) {
        let doc_id = self.current;
        let annotator = self.annotator.clone();
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let Some(doc) = session.project.doc(doc_id) else {
            return;
        };
        match self.selection.clone() {
            Selection::Span(key) => {
                let Some(span) = doc.span_by_key(key) else {
                    return;
                };
                if let Some(edit) = session.project.relabel_edit(doc_id, span.id, label) {
                    self.edit(edit);
                }
            }
            Selection::Text(range) => {
                let was_new = doc.status == Status::New;
                let Some(mut span) =
                    session
                        .project
                        .make_span(doc_id, range.start, range.end, label)
                else {
                    return;
                };
                span.annotator = annotator;
                let key = span.key();
                let add = Edit::AddSpan { doc: doc_id, span };
                // The first span of a new document also marks it in progress, in one undo step.
                let edit = if was_new {
                    Edit::Batch(vec![
                        add,
                        Edit::SetStatus {
                            doc: doc_id,
                            status: Status::InProgress,
                        },
                    ])
                } else {
                    add
                };
                if self.edit(edit) {
                    self.selection = Selection::Span(key);
                    self.reveal_in_list = true;
                }
            }
            Selection::None => self.say("Select some text first, then press a label key."),
        }
    }

    fn delete_span(&mut self) {
        let doc = self.current;
        let Selection::Span(key) = self.selection else {
            return;
        };
        if self.edit(Edit::RemoveSpan { doc, id: key.id }) {
            self.selection = Selection::None;
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let (result, verb) = if undo {
            (session.undo(), "Undid")
        } else {
            (session.redo(), "Redid")
        };
        let Some(result) = result else {
            self.say(if undo {
                "Nothing to undo"
            } else {
                "Nothing to redo"
            });
            return;
        };
        match result {
            Ok(edit) => {
                // Show what changed: the document, and the span if it still exists.
                let description = edit.describe();
                if let Some((doc, span)) = edit.focus() {
                    self.go_to(doc);
                    let key = span.and_then(|id| {
                        self.session
                            .as_ref()?
                            .project
                            .doc(doc)?
                            .span_by_id(id)
                            .map(Span::key)
                    });
                    self.selection = key.map_or(Selection::None, Selection::Span);
                    if let Some(k) = key {
                        self.view.reveal(k.start);
                        self.reveal_in_list = true;
                    }
                }
                self.say(format!("{verb}: {description}"));
            }
            Err(e) => self.say(format!("Undo history was reset: {e}")),
        }
    }

    fn go_to(&mut self, doc: DocId) {
        let exists = self
            .session
            .as_ref()
            .is_some_and(|s| s.project.doc(doc).is_some());
        if exists && doc != self.current {
            self.current = doc;
            self.selection = Selection::None;
        }
    }

    fn step_document(&mut self, delta: isize) {
        let Some(n) = self.session.as_ref().map(|s| s.project.documents.len()) else {
            return;
        };
        let next = self.current.0 as isize + delta;
        if next < 0 || next as usize >= n {
            self.say(if delta > 0 {
                "This is the last document"
            } else {
                "This is the first document"
            });
            return;
        }
        self.go_to(DocId(next as usize));
    }

    fn save(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if session.path.is_none() {
            self.open_save_as_dialog();
            return;
        }
        match session.save(None) {
            Ok(path) => {
                self.say(format!("Saved {}", path.display()));
                self.remember_recent(&path);
            }
            Err(e) => self.show_error("Could not save", &e.to_string()),
        }
    }

    /// The Save As dialog, filled with the current file, or the project name in the
    /// current folder for a project never saved.
    fn open_save_as_dialog(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let path = match &session.path {
            Some(p) => p.display().to_string(),
            None => format!("{}.ron", session.project.name),
        };
        self.dialog = Some(Dialog::SaveAs { path });
    }

    fn save_as(&mut self, path: &str) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let mut path = PathBuf::from(path);
        if path.extension().is_none() {
            path.set_extension("ron");
        }
        match session.save(Some(&path)) {
            Ok(p) => {
                self.say(format!("Saved {}", p.display()));
                self.remember_recent(&p);
            }
            Err(e) => self.show_error("Could not save", &e.to_string()),
        }
    }

    fn start_open(&mut self, ctx: &egui::Context, path: PathBuf) {
        let what = format!("Opening {}…", path.display());
        self.loading = Some(Task::spawn(ctx, what, move || {
            let result = Session::open(&path);
            (path, result)
        }));
    }

    fn pick(&mut self, ctx: &egui::Context, pick: Pick) {
        let start_dir = self
            .session
            .as_ref()
            .and_then(|s| s.path.as_ref())
            .and_then(|p| p.parent().map(Path::to_owned));
        let jsonl = matches!(&self.dialog, Some(Dialog::NewProject { jsonl: true, .. }));
        let task = Task::spawn(ctx, "Choosing a file…", move || {
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = start_dir {
                d = d.set_directory(dir);
            }
            match pick {
                Pick::OpenProject => d.add_filter("Marginalia project", &["ron"]).pick_file(),
                Pick::SaveAsField => d.add_filter("Marginalia project", &["ron"]).save_file(),
                Pick::CorpusField if jsonl => {
                    d.add_filter("JSONL corpus", &["jsonl", "json"]).pick_file()
                }
                Pick::CorpusField => d.pick_folder(),
            }
        });
        self.picker = Some((pick, std::time::Instant::now(), task));
    }

    /// No native file dialog answered: let the user type the path instead.
    fn no_native_dialog(&mut self, pick: Pick) {
        const WHY: &str =
            "No native file dialog is available here (on Linux it needs xdg-desktop-portal).";
        match pick {
            Pick::OpenProject => {
                self.dialog = Some(Dialog::OpenProject {
                    path: String::new(),
                    note: format!("{WHY} Type the path of the project file:"),
                });
            }
            Pick::SaveAsField | Pick::CorpusField => {
                self.say(format!("{WHY} Type the path in the field."))
            }
        }
    }

    fn create_project(&mut self, ctx: &egui::Context, corpus: String, name: String) {
        let corpus = PathBuf::from(corpus);
        let what = format!("Reading {}…", corpus.display());
        let from = corpus.clone();
        let task = Task::spawn(ctx, what, move || {
            let name = (!name.is_empty()).then_some(name);
            crate::persist::new_project(&from, name.as_deref())
        });
        self.creating = Some((corpus, task));
    }

    fn on_dialog_action(&mut self, action: DialogAction, ctx: &egui::Context) {
        match action {
            DialogAction::Close => self.dialog = None,
            DialogAction::SaveThen(then) => {
                self.dialog = None;
                self.save();
                if !self.is_dirty() {
                    self.handle_with(then, ctx, true);
                }
            }
            DialogAction::DiscardThen(then) => {
                self.dialog = None;
                self.handle_with(then, ctx, true);
            }
            DialogAction::SaveAs(path) => {
                self.dialog = None;
                self.save_as(&path);
            }
            DialogAction::CreateProject { corpus, name } => {
                self.dialog = None;
                self.create_project(ctx, corpus, name);
            }
            DialogAction::Open(path) => {
                self.dialog = None;
                self.start_open(ctx, PathBuf::from(path));
            }
            DialogAction::BrowseSaveAs => self.pick(ctx, Pick::SaveAsField),
            DialogAction::BrowseCorpus { .. } => self.pick(ctx, Pick::CorpusField),
        }
    }

    /// Results of background work that finished since the last frame.
    fn poll_tasks(&mut self, ctx: &egui::Context) {
        if let Some((pick, opened, task)) = &self.picker
            && let Some(result) = task.poll()
        {
            let pick = *pick;
            // Nobody cancels a dialog this fast: no native dialog could be shown.
            let unavailable = result.is_none() && opened.elapsed() < NO_DIALOG_THRESHOLD;
            self.picker = None;
            if unavailable {
                self.no_native_dialog(pick);
            }
            if let Some(path) = result {
                match (pick, &mut self.dialog) {
                    (Pick::OpenProject, _) => self.start_open(ctx, path),
                    (Pick::SaveAsField, Some(Dialog::SaveAs { path: field })) => {
                        *field = path.display().to_string()
                    }
                    (Pick::CorpusField, Some(Dialog::NewProject { corpus, .. })) => {
                        *corpus = path.display().to_string()
                    }
                    _ => {}
                }
            }
        }
        if let Some(task) = &self.loading
            && let Some((path, result)) = task.poll()
        {
            self.loading = None;
            match result {
                Ok((session, warnings)) => self.install(session, &path, warnings),
                Err(e) => {
                    self.show_error(&format!("Cannot open {}", path.display()), &e.to_string())
                }
            }
        }
        if let Some((corpus, task)) = &self.creating
            && let Some(result) = task.poll()
        {
            let beside = crate::persist::paths::normalize(corpus)
                .parent()
                .map(Path::to_owned);
            self.creating = None;
            match result {
                Ok(project) => {
                    let docs = project.documents.len();
                    self.set_session(Session::new(project, None));
                    self.say(format!(
                        "New project with {docs} documents — save it to choose where it lives"
                    ));
                    self.open_save_as_dialog();
                    if let (Some(Dialog::SaveAs { path }), Some(dir)) = (&mut self.dialog, beside) {
                        *path = dir.join(path.as_str()).display().to_string();
                    }
                }
                Err(e) => self.show_error("Cannot create the project", &e.to_string()),
            }
        }
    }

    fn busy_text(&self) -> Option<&str> {
        self.loading
            .as_ref()
            .map(|t| t.what.as_str())
            .or(self.creating.as_ref().map(|(_, t)| t.what.as_str()))
            .or(self.picker.as_ref().map(|(_, _, t)| t.what.as_str()))
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

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(plan) = &mut self.screenshot else {
            return;
        };
        if plan.written.load(std::sync::atomic::Ordering::Acquire) {
            self.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if plan.frames_left > 0 {
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
        self.poll_tasks(&ctx);
        self.handle_window_events(&ctx);
        let now = ctx.input(|i| i.time);
        if let Some((_, shown)) = &mut self.message {
            let since = *shown.get_or_insert(now);
            if now - since > MESSAGE_SECONDS {
                self.message = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(MESSAGE_SECONDS));
            }
        }

        if self.dialog.is_none() {
            let schema = self
                .session
                .as_ref()
                .map(|s| s.project.schema.clone())
                .unwrap_or_default();
            let text_focus = ctx.egui_wants_keyboard_input();
            let keys = read_keyboard(&ctx, &schema, text_focus);
            if !self.view.is_dragging() {
                self.commands.extend(keys);
            }
        }

        let mut out = Vec::new();
        let current = self.session.as_ref().map(|_| self.current);
        egui::Panel::top("menu").show(ui, |ui| {
            menu_bar::menu_bar_ui(
                ui,
                self.session.as_ref(),
                current,
                &self.prefs.recent,
                &mut self.show_help,
                &mut out,
            );
        });
        let message = self
            .busy_text()
            .map(str::to_owned)
            .or_else(|| self.message.as_ref().map(|(m, _)| m.clone()));
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
                        doc_list::doc_list_ui(ui, project, self.current, &mut out)
                    });
                egui::Panel::right("spans")
                    .resizable(true)
                    .default_size(300.0)
                    .show(ui, |ui| {
                        if let Some(doc) = project.doc(self.current) {
                            let reveal = std::mem::take(&mut self.reveal_in_list);
                            span_panel::span_panel_ui(
                                ui,
                                self.current,
                                doc,
                                &project.schema,
                                &self.selection,
                                reveal,
                                &mut out,
                            );
                        }
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    let view_out = document_panel::document_panel_ui(
                        ui,
                        &mut self.view,
                        project,
                        self.current,
                        &mut self.selection,
                        &mut out,
                    );
                    if view_out.selection_changed {
                        self.reveal_in_list = true;
                    }
                });
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

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

impl MarginaliaApp {
    /// One frame under `--profile-frames`: scroll, sometimes tag, and time it.
    fn profiled_frame(&mut self, ui: &mut egui::Ui, frame: &eframe::Frame) {
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
}
