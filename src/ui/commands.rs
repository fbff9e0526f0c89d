//! Every user action as a value. Menus, buttons and keyboard shortcuts all produce a
//! [`Command`]; the app queues them during the frame and handles them in one place
//! (`app/command_handling.rs`).
//!
//! [`TABLE`] says, for each command a user can name, its menu, its text, what it does and
//! its keys: the menu bar (`menu_bar.rs`), the shortcut sheet (`shortcut_sheet.rs`) and the
//! key handler (`keyboard.rs`) are all generated from it, so they cannot drift apart.

use crate::model::{DocId, Schema, SpanId, SpanKey, Status};
use crate::ui::selection::Motion;
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Save,
    SaveAs,
    Open,
    OpenPath(PathBuf),
    NewFromFolder,
    NewFromJsonl,
    Quit,
    Undo,
    Redo,
    /// Tag the selected text with this label, or relabel the selected span.
    ApplyLabel(String),
    DeleteSpan,
    ClearSelection,
    SetStatus(DocId, Status),
    /// Mark the current document done and open the next one.
    DoneAndNext,
    NextDocument,
    PreviousDocument,
    OpenDocument(DocId),
    /// Select a span (and scroll to it), from the span list.
    SelectSpan(DocId, SpanKey),
    /// Select a stretch of text (and scroll to it).
    SelectText(DocId, std::ops::Range<usize>),
    /// Move the caret; `true` extends the selection.
    Caret(Motion, bool),
    /// Select the next (or previous) span in reading order.
    NextSpan,
    PreviousSpan,
    /// `[` `]` `{` `}`: move the start (or end) of the selected span or text by a word.
    MoveEdge {
        end: bool,
        forward: bool,
    },
    /// `+`: add the selected text to the span selected before it, as another fragment.
    AddFragment,
    /// Remove this fragment (by index) of the selected span.
    RemoveFragment(usize),
    /// Set (or clear) an attribute of the selected span.
    SetAttr(String, Option<String>),
    SetNote(Option<String>),
    /// Put the keyboard in the span panel's field for this attribute (or `note`).
    FocusField(String),
    /// `R`: start linking the selected span to another, by keyboard.
    StartLink,
    /// A key while linking.
    Link(LinkKey),
    /// Link two spans (a drag from one chip to another span); the schema says which way.
    LinkSpans(SpanKey, SpanKey),
    DeleteRelation(DocId, SpanId),
    /// Tag every other occurrence of the selected span's text, in this document or all.
    TagAllMatches {
        corpus: bool,
    },
    ToggleAllRelations,
    OpenSchemaEditor,
    /// Replace the schema, deleting (after asking) what no longer fits.
    ChangeSchema(Box<Schema>),
    /// Apply an edit (schema renames from the schema editor).
    Edit(Box<crate::model::Edit>),
    /// File → Import… / Export…
    OpenImport,
    OpenExport,
    /// Review this suggestion (clicked in the document or the queue).
    FocusSuggestion(SpanKey),
    /// A key of the review workflow.
    Review(ReviewKey),
    /// Set an attribute of the suggestion under review, for when it is accepted.
    ReviewAttr(String, String),
    /// Accept every pending suggestion of the document at or above this score (in
    /// hundredths), or of this label.
    AcceptAllAbove(u8),
    AcceptAllOfLabel(String),
    ToggleSuggestions,
    OpenSuggest,
    /// Retrain the learned suggester after each change (on), or stop (off).
    KeepLearning(bool),
    /// The learned suggester's evaluation window.
    EvaluateLearned,
    /// `Ctrl+F` / `Ctrl+Shift+F`: the Search tab, over the document or the corpus.
    OpenSearch {
        corpus: bool,
    },
    /// `F3` / `Shift+F3`: the next / previous search hit.
    NextHit,
    PreviousHit,
    /// A hit of the results list, by its index.
    JumpToHit(usize),
    /// Tag every text hit of the search with this label (one undoable step).
    TagHits(String),
    /// Show a place: open its document, select the span or the text, scroll to it.
    GoTo {
        doc: DocId,
        start: usize,
        end: usize,
        span: Option<SpanId>,
    },
    OpenStatistics,
    /// Edit → Annotator name…
    SetAnnotatorName,
    OpenAgreement,
    /// Choose another annotator's project file to compare with (View → Agreement).
    PickAgreementFile,
    /// View → Agreement → Adjudicate…: the curated project of the annotators compared,
    /// written and opened.
    Adjudicate,
    OpenConsistency,
    /// Help → Keyboard shortcuts.
    ShowShortcuts,
    /// Hide or show the document list (left) and the side panel (right), for room.
    ToggleDocumentList,
    ToggleSidePanel,
    /// Apply the majority annotation to every place of a consistency finding.
    FixFinding(usize),
    /// Place a span whose text left the document at the selected text, or delete it.
    PlaceUnanchored(SpanId),
    DropUnanchored(SpanId),
}

/// Keys of the review workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewKey {
    Accept,
    Reject,
    /// Adjust the boundaries or label before accepting.
    Edit,
    Next,
    Previous,
}

/// Keys while linking a span to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKey {
    Next,
    Previous,
    Confirm,
    Cancel,
    /// Typing filters the candidates by their text.
    Type(String),
    Backspace,
    /// A digit picks a relation type when several fit.
    Kind(usize),
}

/// Which menu of the menu bar an entry of [`TABLE`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    File,
    Edit,
    Document,
    Suggest,
    View,
    Help,
}

impl Menu {
    pub const ALL: [Menu; 6] = [
        Menu::File,
        Menu::Edit,
        Menu::Document,
        Menu::Suggest,
        Menu::View,
        Menu::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Menu::File => "File",
            Menu::Edit => "Edit",
            Menu::Document => "Document",
            Menu::Suggest => "Suggest",
            Menu::View => "View",
            Menu::Help => "Help",
        }
    }
}

/// What a command needs to make sense; its menu item is greyed out without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Project,
}

/// One command a user can name: where it is, what it says, what it does, its keys.
pub struct Entry {
    pub command: Command,
    /// Its menu (`None`: a key only).
    pub menu: Option<Menu>,
    /// A separator comes before it in its menu.
    pub separator: bool,
    /// The menu item's text.
    pub text: &'static str,
    /// What it does, for the shortcut sheet (empty: not listed there).
    pub help: &'static str,
    /// The chord that runs it from anywhere, text fields included.
    pub shortcut: Option<KeyboardShortcut>,
    /// A plain key the document view reads for it (shown beside the menu item).
    pub key: Option<&'static str>,
    pub needs: Needs,
}

const fn shortcut(modifiers: Modifiers, key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(modifiers, key))
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers {
    alt: false,
    ctrl: false,
    shift: true,
    mac_cmd: false,
    command: true,
};

/// An entry with a menu item and perhaps a chord.
const fn item(
    menu: Menu,
    separator: bool,
    command: Command,
    text: &'static str,
    help: &'static str,
    shortcut: Option<KeyboardShortcut>,
    needs: Needs,
) -> Entry {
    Entry {
        command,
        menu: Some(menu),
        separator,
        text,
        help,
        shortcut,
        key: None,
        needs,
    }
}

/// An entry whose key the document view reads (not a chord).
const fn keyed(mut entry: Entry, key: &'static str) -> Entry {
    entry.key = Some(key);
    entry
}

use Menu::{Document, Edit, File, Help, Suggest, View};
use Needs::{Nothing, Project};

/// Every command a user can name, in menu order.
pub const TABLE: &[Entry] = &[
    item(
        File,
        false,
        Command::NewFromFolder,
        "New project from folder…",
        "new project from a folder of .txt files",
        shortcut(CMD, Key::N),
        Nothing,
    ),
    item(
        File,
        false,
        Command::NewFromJsonl,
        "New project from JSONL…",
        "",
        None,
        Nothing,
    ),
    item(
        File,
        false,
        Command::Open,
        "Open…",
        "open a project",
        shortcut(CMD, Key::O),
        Nothing,
    ),
    item(
        File,
        true,
        Command::OpenImport,
        "Import…",
        "",
        None,
        Nothing,
    ),
    item(
        File,
        false,
        Command::OpenExport,
        "Export…",
        "",
        None,
        Project,
    ),
    item(
        File,
        true,
        Command::Save,
        "Save",
        "save",
        shortcut(CMD, Key::S),
        Project,
    ),
    item(
        File,
        false,
        Command::SaveAs,
        "Save as…",
        "save as",
        shortcut(CMD_SHIFT, Key::S),
        Project,
    ),
    item(
        File,
        true,
        Command::Quit,
        "Quit",
        "quit",
        shortcut(CMD, Key::Q),
        Nothing,
    ),
    item(
        Edit,
        false,
        Command::Undo,
        "Undo",
        "undo",
        shortcut(CMD, Key::Z),
        Project,
    ),
    item(
        Edit,
        false,
        Command::Redo,
        "Redo",
        "redo",
        shortcut(CMD_SHIFT, Key::Z),
        Project,
    ),
    Entry {
        command: Command::Redo,
        menu: None,
        separator: false,
        text: "Redo",
        help: "",
        shortcut: shortcut(CMD, Key::Y),
        key: None,
        needs: Project,
    },
    keyed(
        item(
            Edit,
            true,
            Command::DeleteSpan,
            "Delete span",
            "delete the selected span (and its relations)",
            None,
            Project,
        ),
        "Del",
    ),
    keyed(
        item(
            Edit,
            false,
            Command::ClearSelection,
            "Clear selection",
            "clear the selection",
            None,
            Project,
        ),
        "Esc",
    ),
    item(
        Edit,
        true,
        Command::SetAnnotatorName,
        "Annotator name…",
        "the name new annotations record on this machine",
        None,
        Nothing,
    ),
    item(
        Edit,
        true,
        Command::TagAllMatches { corpus: false },
        "Tag all matches in the document",
        "tag all matches of the span in the document",
        shortcut(CMD, Key::M),
        Project,
    ),
    item(
        Edit,
        false,
        Command::TagAllMatches { corpus: true },
        "Tag all matches in all documents",
        "tag all matches of the span in the corpus",
        shortcut(CMD_SHIFT, Key::M),
        Project,
    ),
    keyed(
        item(
            Edit,
            false,
            Command::StartLink,
            "Link the selected span…",
            "link the selected span: Tab / arrows pick the other span, type to filter, Enter links",
            None,
            Project,
        ),
        "R",
    ),
    item(
        Edit,
        true,
        Command::OpenSearch { corpus: false },
        "Find in document…",
        "search the document (text, label:, attributes)",
        shortcut(CMD, Key::F),
        Project,
    ),
    item(
        Edit,
        false,
        Command::OpenSearch { corpus: true },
        "Find in all documents…",
        "search all documents",
        shortcut(CMD_SHIFT, Key::F),
        Project,
    ),
    item(
        Edit,
        false,
        Command::NextHit,
        "Next hit",
        "next search hit",
        shortcut(Modifiers::NONE, Key::F3),
        Project,
    ),
    item(
        Edit,
        false,
        Command::PreviousHit,
        "Previous hit",
        "previous search hit",
        shortcut(Modifiers::SHIFT, Key::F3),
        Project,
    ),
    item(
        Document,
        true,
        Command::DoneAndNext,
        "Done and next",
        "mark the document done, open the next",
        shortcut(CMD, Key::Enter),
        Project,
    ),
    item(
        Document,
        false,
        Command::NextDocument,
        "Next document",
        "next document",
        shortcut(CMD, Key::PageDown),
        Project,
    ),
    item(
        Document,
        false,
        Command::PreviousDocument,
        "Previous document",
        "previous document",
        shortcut(CMD, Key::PageUp),
        Project,
    ),
    item(
        Suggest,
        false,
        Command::OpenSuggest,
        "Run suggesters…",
        "",
        None,
        Project,
    ),
    item(
        Suggest,
        false,
        Command::KeepLearning(true),
        "Learn from this project",
        "train the learned suggester on your spans, and retrain it as you annotate",
        None,
        Project,
    ),
    item(
        Suggest,
        false,
        Command::EvaluateLearned,
        "Evaluate the learned suggester…",
        "",
        None,
        Project,
    ),
    item(
        Suggest,
        true,
        Command::ToggleSuggestions,
        "Show suggestions",
        "",
        None,
        Nothing,
    ),
    keyed(
        item(
            Suggest,
            false,
            Command::Review(ReviewKey::Next),
            "Review next suggestion",
            "review the next pending suggestion (K: the previous one)",
            None,
            Project,
        ),
        "J",
    ),
    item(
        View,
        false,
        Command::ToggleAllRelations,
        "Show all relations",
        "",
        None,
        Nothing,
    ),
    item(
        View,
        false,
        Command::ToggleDocumentList,
        "Show the document list",
        "hide or show the document list",
        shortcut(CMD_SHIFT, Key::L),
        Nothing,
    ),
    item(
        View,
        false,
        Command::ToggleSidePanel,
        "Show the side panel",
        "hide or show the spans, review and search panel",
        shortcut(CMD_SHIFT, Key::P),
        Nothing,
    ),
    item(
        View,
        false,
        Command::OpenSchemaEditor,
        "Schema…",
        "edit the schema",
        shortcut(CMD_SHIFT, Key::E),
        Project,
    ),
    item(
        View,
        false,
        Command::OpenStatistics,
        "Statistics…",
        "",
        None,
        Project,
    ),
    item(
        View,
        false,
        Command::OpenAgreement,
        "Agreement…",
        "compare with other annotators' copies of the project",
        None,
        Project,
    ),
    item(
        View,
        false,
        Command::OpenConsistency,
        "Consistency report…",
        "",
        None,
        Project,
    ),
    item(
        Help,
        false,
        Command::ShowShortcuts,
        "Keyboard shortcuts",
        "",
        None,
        Nothing,
    ),
];

impl Command {
    /// The chord of this command in [`TABLE`], for menus and buttons.
    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        TABLE
            .iter()
            .find(|e| e.command == *self && e.shortcut.is_some())
            .and_then(|e| e.shortcut)
    }

    pub fn shortcut_text(&self, ctx: &egui::Context) -> String {
        self.shortcut()
            .map(|s| ctx.format_shortcut(&s))
            .unwrap_or_default()
    }
}

/// Every chord of [`TABLE`], most specific first: egui ignores an extra Shift when matching,
/// so Ctrl+Shift+Z must be tried before Ctrl+Z.
pub fn chords() -> impl Iterator<Item = (KeyboardShortcut, &'static Command)> {
    let with = |shift: bool| {
        TABLE.iter().filter_map(move |e| {
            let s = e.shortcut?;
            (s.modifiers.shift == shift).then_some((s, &e.command))
        })
    };
    with(true).chain(with(false))
}

/// The egui key for a label key character (`'1'` → `Key::Num1`, `'s'` → `Key::S`).
pub fn key_for_char(c: char) -> Option<Key> {
    Key::from_name(&c.to_string())
}
