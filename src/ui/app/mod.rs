//! The application: owns the open session, the panels and the command queue. Panels push
//! [`Command`]s while they draw; the queue is handled once per frame, after drawing.
//!
//! Where things are, by file:
//! - `layout.rs`: the frame: which panel goes where, and the key handler's context;
//! - `command_handling.rs`: every command, handled in one place;
//! - `undo.rs`: applying edits, undo and redo;
//! - `annotate.rs`: tagging, relabelling, attributes, span edges, moving between spans;
//! - `link.rs`: linking spans by keyboard and mouse;
//! - `review.rs`: the review workflow (accept, reject, edit, next);
//! - `run_suggester.rs`: the Suggest window and suggester runs in the background;
//! - `learning.rs`: the learned suggester retraining in the background as you annotate;
//! - `consent.rs`: what this machine's user allowed (project commands, reading outside a
//!   project's folder);
//! - `search_hits.rs`: moving between search hits and tagging them;
//! - `consistency_fix.rs`: applying the majority of a consistency finding;
//! - `files.rs`: opening, saving, new projects, file dialogs;
//! - `tasks.rs`: background loads, imports and exports finishing;
//! - `dialog_answers.rs`: what the modal dialogs' buttons do;
//! - `autosave.rs`: the journal's sync and the periodic save;
//! - `headless.rs`: `--screenshot` and `--profile-frames` runs.

mod annotate;
mod autosave;
mod command_handling;
mod consent;
mod consistency_fix;
mod dialog_answers;
mod files;
mod headless;
mod layout;
mod learning;
mod link;
mod review;
mod run_suggester;
mod search_hits;
mod tasks;
mod undo;

use crate::model::{DocId, Project};
use crate::persist::{LoadError, Problem};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::commands::Command;
use crate::ui::consistency_window::ConsistencyState;
use crate::ui::dialogs::Dialog;
use crate::ui::doc_list::DocListState;
use crate::ui::document_view::DocumentView;
use crate::ui::review_panel::ReviewPanel;
use crate::ui::schema_editor::SchemaEditor;
use crate::ui::search_panel::SearchState;
use crate::ui::selection::Selection;
use crate::ui::shortcut_sheet::ShortcutSheet;
use crate::ui::span_panel::SpanEditor;
use crate::ui::stats_window::StatsState;
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
    /// there with Save As, or imported), each with exactly the folders it was allowed to
    /// read: a project file replaced by one that reads elsewhere asks again.
    pub trusted_reads: Vec<TrustedReads>,
    /// Who annotates on this machine (Edit → Annotator name…): recorded on new spans and
    /// shown in the title bar. Set once; the default is `git config user.name`.
    pub annotator: Option<String>,
    /// The first launch with no name known asked for one (answered or put off): not again.
    pub name_asked: bool,
}

/// A project (normalized path) and the folders outside its own it may read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrustedReads {
    pub project: PathBuf,
    pub folders: Vec<PathBuf>,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            backups: crate::persist::backup::DEFAULT_BACKUPS,
            autosave_seconds: autosave::DEFAULT_AUTOSAVE_SECONDS,
            trusted_reads: Vec::new(),
            annotator: None,
            name_asked: false,
        }
    }
}

pub use autosave::DEFAULT_AUTOSAVE_SECONDS;

const PREFS_KEY: &str = "marginalia-prefs";
const MAX_RECENT: usize = 10;
/// How long a status message stays in the bar, in seconds.
const MESSAGE_SECONDS: f64 = 8.0;

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
    /// Another annotator's project for View → Agreement.
    AgreementFile,
    SaveAsField,
    CorpusField,
}

/// What a background project load returns: the path, and the session or what went wrong.
type LoadResult = (PathBuf, Result<(Session, Vec<Problem>), LoadError>);

/// What a suggester run returns: proposals and the report, or what went wrong.
type SuggestResult = Result<(Vec<crate::suggest::Proposal>, crate::formats::Report), LoadError>;

/// What an import (the new project's path) or an export returns, with the report.
type InterchangeResult = Result<(Option<PathBuf>, String), LoadError>;

/// The panels and tool windows, each owning its state, and the view options they share.
#[derive(Default)]
struct Panels {
    view: DocumentView,
    doc_list: DocListState,
    spans: SpanEditor,
    review: ReviewPanel,
    search: SearchState,
    stats: StatsState,
    agreement: crate::ui::agreement_window::AgreementWindow,
    learned: crate::ui::learned_window::LearnedWindow,
    consistency: ConsistencyState,
    schema_editor: SchemaEditor,
    shortcuts: ShortcutSheet,
    /// What the right panel shows.
    side: SideTab,
    /// Draw every relation (View menu), or only those of the selected span.
    all_relations: bool,
    /// Pending suggestions are drawn (View → Show suggestions).
    show_suggestions: bool,
    /// The document list and the side panel are shown (View menu; hidden for room).
    show_documents: bool,
    show_side: bool,
    /// The path typed on the welcome screen.
    welcome_path: String,
    /// The Suggest window, while open.
    suggest_dialog: Option<crate::ui::suggest_dialog::SuggestDialog>,
    /// The Import or Export window, while open.
    interchange: Option<crate::ui::interchange::InterchangeDialog>,
    /// The last Export and Import windows as they were when run: opened again with the
    /// same choices (a failed export keeps its format and filters).
    last_export: Option<crate::ui::interchange::InterchangeDialog>,
    last_import: Option<crate::ui::interchange::InterchangeDialog>,
}

/// Work running off the UI thread.
#[derive(Default)]
struct Tasks {
    loading: Option<Task<LoadResult>>,
    /// The project the window started with, while it loads.
    startup_open: Option<StartupOpen>,
    /// A new project being read from its corpus, and the corpus path (the new project's file
    /// is proposed beside it).
    creating: Option<(PathBuf, Task<Result<Project, LoadError>>)>,
    /// A native file dialog on its thread, and when it was opened.
    picker: Option<(Pick, std::time::Instant, Task<Option<PathBuf>>)>,
    /// An import or export: its title and result.
    interchange: Option<Task<InterchangeResult>>,
    /// A suggester run and its progress.
    suggest: Option<(
        crate::ui::suggest_dialog::SuggestProgress,
        Task<SuggestResult>,
    )>,
}

/// The window itself, beyond its panels.
#[derive(Default)]
struct WindowState {
    title: String,
    /// The user confirmed quitting (or had nothing to save).
    allow_close: bool,
    /// The app's style was set up (on the first frame, whoever created the app).
    styled: bool,
    /// A text field had the keyboard last frame: Esc that left it must not also act on the
    /// document.
    had_text_focus: bool,
    screenshot: Option<headless::ScreenshotPlan>,
    profile: Option<crate::ui::profile::Profile>,
    /// A `--profile-frames` run: its edits are synthetic, never saved nor journaled.
    profiling: bool,
    /// The first launch without a name: a bar above the document asks for one (without
    /// stopping anyone from working).
    ask_name: bool,
}

pub struct MarginaliaApp {
    session: Option<Session>,
    current: DocId,
    selection: Selection,
    commands: Vec<Command>,
    dialog: Option<Dialog>,
    prefs: Prefs,
    /// The status message and when it was first shown (set on the next frame).
    message: Option<(String, Option<f64>)>,
    annotator: Option<String>,
    /// Where this machine remembers which project commands may run (`None`: nowhere, so
    /// every run asks; tests and embedders that must not touch the user's data folder).
    consent_file: Option<PathBuf>,
    /// Link mode (`R`), while it lasts.
    link: Option<LinkState>,
    /// The span selected last, which `+` (or a Ctrl+drag) adds the selected text to as
    /// another fragment: selecting that text replaces the span selection.
    fragment_target: Option<(DocId, crate::model::SpanId)>,
    panels: Panels,
    tasks: Tasks,
    window: WindowState,
    autosave: autosave::Autosave,
    learning: learning::Learning,
}

/// The demo project, relative to the repository.
const DEMO: &str = "projects/seed-news.ron";

/// The demo project to open when there is nothing else: the copy installed in the user's data
/// folder (never the checkout's, which autosave would change); the build's own only when
/// there is no data folder.
fn demo_project() -> Option<PathBuf> {
    let installed =
        eframe::storage_dir("marginalia").and_then(|dir| crate::persist::demo::install(&dir).ok());
    installed.or_else(|| {
        let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO);
        built.exists().then_some(built)
    })
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
    /// The app as eframe creates it: preferences from storage, then the startup project.
    pub fn new(cc: &eframe::CreationContext<'_>, startup: Startup) -> Self {
        cc.egui_ctx.set_theme(egui::ThemePreference::Light);
        let prefs: Prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, PREFS_KEY))
            .unwrap_or_default();
        let mut app = Self::empty(prefs);
        app.consent_file = crate::suggest::consent::Consent::machine_file();
        // The command line (or MARGINALIA_ANNOTATOR) wins, then this machine's choice, then
        // the name git knows this user by.
        // An empty name (`--annotator ""`) is no name, and stops the search.
        app.annotator = startup
            .annotator
            .clone()
            .or_else(|| app.prefs.annotator.clone())
            .or_else(crate::persist::team::git_user_name)
            .filter(|n| !n.trim().is_empty());
        // Nobody named on a first launch (no git name either): ask, once. An explicit
        // `--annotator ""`, a screenshot or a profile run is not a person to ask.
        app.window.ask_name = app.annotator.is_none()
            && !app.prefs.name_asked
            && startup.annotator.is_none()
            && startup.screenshot.is_none()
            && startup.profile_frames.is_none();
        app.window.profile = startup.profile_frames.map(crate::ui::profile::Profile::new);
        app.window.profiling = app.window.profile.is_some();
        if let Some((path, frames)) = &startup.screenshot {
            app.window.screenshot = Some(headless::ScreenshotPlan::new(path.clone(), *frames));
        }
        let explicit = startup.project.is_some();
        let candidate = startup
            .project
            .clone()
            .or_else(|| app.prefs.recent.iter().find(|p| p.exists()).cloned())
            .or_else(demo_project);
        if let Some(path) = candidate.clone()
            && app.annotator.is_none()
            && crate::persist::team::is_team(&path)
        {
            // A team project asks who annotates: asked in the first frame, once the window
            // is there to take the answer (a dialog made before it never got the keyboard).
            app.queue(Command::OpenPath(path));
        } else if let Some(path) = candidate {
            // Read in the background like any other open: the first frame shows at once,
            // whatever the size of the project.
            app.start_open(&cc.egui_ctx, path);
            app.tasks.startup_open = Some(StartupOpen {
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
            commands: Vec::new(),
            dialog: None,
            prefs,
            message: None,
            annotator: None,
            consent_file: None,
            link: None,
            fragment_target: None,
            panels: Panels {
                all_relations: true,
                show_suggestions: true,
                show_documents: true,
                show_side: true,
                ..Panels::default()
            },
            tasks: Tasks::default(),
            window: WindowState::default(),
            autosave: autosave::Autosave::default(),
            learning: learning::Learning::default(),
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

    /// Shows the bar that asks for the annotator's name, as a first launch without one does.
    pub fn ask_annotator_name(&mut self) {
        self.window.ask_name = true;
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
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
        &self.panels.view
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

    /// The Search tab's state (tests).
    pub fn search(&self) -> &SearchState {
        &self.panels.search
    }

    /// The statistics window's state (tests).
    pub fn stats(&self) -> &StatsState {
        &self.panels.stats
    }

    /// View → Agreement (tests add files with [`Self::agreement_mut`]).
    pub fn agreement(&self) -> &crate::ui::agreement_window::AgreementWindow {
        &self.panels.agreement
    }

    pub fn agreement_mut(&mut self) -> &mut crate::ui::agreement_window::AgreementWindow {
        &mut self.panels.agreement
    }

    /// The consistency report's state (tests).
    /// What the learned suggester's current model was trained on, once it trained.
    pub fn learned_model(&self) -> Option<&crate::suggest::learned::Trained> {
        self.learning.trained.as_ref().map(|(t, _)| t)
    }

    /// The learned suggester is training in the background.
    pub fn learning_busy(&self) -> bool {
        self.learning.busy()
    }

    pub fn learned_window(&self) -> &crate::ui::learned_window::LearnedWindow {
        &self.panels.learned
    }

    /// The order `J`/`K` review in (the Review tab's choice).
    pub fn set_review_order(&mut self, order: crate::model::review_order::ReviewOrder) {
        self.panels.review.order = order;
    }

    pub fn consistency(&self) -> &ConsistencyState {
        &self.panels.consistency
    }

    /// What the right panel shows.
    pub fn side(&self) -> SideTab {
        self.panels.side
    }

    /// Queues a command as if the user had chosen it.
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
}

impl eframe::App for MarginaliaApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.window.profile.is_some() {
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
