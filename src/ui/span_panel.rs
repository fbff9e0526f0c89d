//! Right panel: the selected span in detail (label, attributes, note, relations, tag all
//! matches), then every span of the document in reading order. Clicking a span selects it
//! and scrolls the document to it.

use crate::model::text::excerpt;
use crate::model::{AttrKind, AttributeDef, DocId, Document, Project, Schema, Span, SpanId};
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use crate::ui::selection::Selection;
use crate::ui::widgets::label_chip;
use egui::{Key, RichText};
use std::collections::{BTreeMap, HashMap};

/// Suggestions shown under a free-text attribute field.
const MAX_SUGGESTIONS: usize = 6;

/// Editing state of the panel: text typed in fields but not yet committed.
#[derive(Default)]
pub struct SpanEditor {
    span: Option<(DocId, SpanId)>,
    /// Text attribute fields by attribute name, and the note under the key `""`.
    buffers: BTreeMap<String, String>,
    /// A field to give the keyboard to on the next frame.
    focus: Option<String>,
    /// The highlighted suggestion of the focused field.
    highlighted: Option<usize>,
    /// Values used in the project per (label, attribute), most frequent first, with the
    /// history version they were collected at.
    used_values: Option<(u64, UsedValues)>,
    /// Scroll the list to the selected span on the next frame.
    reveal: bool,
}

/// Attribute values in use, by (label, attribute name), most frequent first.
type UsedValues = HashMap<(String, String), Vec<String>>;

impl SpanEditor {
    /// Gives the keyboard to a field (`note`, or a text attribute) on the next frame.
    pub fn focus(&mut self, field: &str) {
        self.focus = Some(field.to_owned());
        self.highlighted = None;
    }

    fn used_values(
        &mut self,
        project: &Project,
        version: u64,
        label: &str,
        attr: &str,
    ) -> &[String] {
        if self.used_values.as_ref().is_none_or(|(v, _)| *v != version) {
            let mut counts: HashMap<(String, String), HashMap<String, usize>> = HashMap::new();
            for d in &project.documents {
                for s in d.spans() {
                    for (k, v) in &s.attrs {
                        *counts
                            .entry((s.label.clone(), k.to_owned()))
                            .or_default()
                            .entry(v.to_owned())
                            .or_default() += 1;
                    }
                }
            }
            let sorted = counts
                .into_iter()
                .map(|(key, values)| {
                    let mut v: Vec<(String, usize)> = values.into_iter().collect();
                    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    (key, v.into_iter().map(|(s, _)| s).collect())
                })
                .collect();
            self.used_values = Some((version, sorted));
        }
        self.used_values
            .as_ref()
            .and_then(|(_, m)| m.get(&(label.to_owned(), attr.to_owned())))
            .map_or(&[], Vec::as_slice)
    }
}

impl SpanEditor {
    /// The span panel: the selected span's label, attributes, note and relations, the
    /// document's spans, and those set aside for review.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        let input = PanelInput {
            project: cx.project(),
            doc_id: cx.doc,
            selection: cx.selection,
            reveal_selected: std::mem::take(&mut self.reveal),
            version: cx.version(),
        };
        span_panel_ui(ui, &input, self, out);
    }

    /// Scrolls the list to the selected span on the next frame.
    pub fn reveal(&mut self) {
        self.reveal = true;
    }
}

/// What the panel shows.
struct PanelInput<'a> {
    pub project: &'a Project,
    pub doc_id: DocId,
    pub selection: &'a Selection,
    /// Scroll the list to the selected span.
    pub reveal_selected: bool,
    /// History version, to know when cached suggestions are stale.
    pub version: u64,
}

fn span_panel_ui(
    ui: &mut egui::Ui,
    input: &PanelInput<'_>,
    editor: &mut SpanEditor,
    out: &mut Vec<Command>,
) {
    let Some(doc) = input.project.doc(input.doc_id) else {
        return;
    };
    let schema = &input.project.schema;
    egui::ScrollArea::vertical()
        .id_salt("span-detail")
        .max_height(ui.available_height() * 0.6)
        .auto_shrink([false, true])
        .show(ui, |ui| match input.selection {
            Selection::Span(key) => {
                if let Some(span) = doc.span_by_key(*key) {
                    selected_span_ui(ui, input, doc, span, editor, out);
                }
            }
            Selection::Text(r) => {
                editor.span = None;
                ui.strong("Selected text");
                ui.label(RichText::new(format!("“{}”", excerpt(doc.text.get(r.clone()).unwrap_or_default(), 240))).italics());
                ui.label(RichText::new("Press a label key or click a label to tag it.").weak().small());
            }
            Selection::None => {
                editor.span = None;
                ui.strong("Nothing selected");
                ui.label(
                    RichText::new("Drag across text (Alt: exact characters), or move the caret with the arrows and Shift+arrows; click a span or press Tab to select one.")
                        .weak()
                        .small(),
                );
            }
        });
    ui.separator();
    if !doc.unanchored().is_empty() {
        unanchored_ui(ui, doc, schema, input.selection, out);
        ui.separator();
    }
    span_list_ui(
        ui,
        input.doc_id,
        doc,
        schema,
        input.selection,
        input.reveal_selected,
        out,
    );
}

/// Spans whose text left the document when its file changed: each can be placed at the
/// selected text, or deleted.
fn unanchored_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    schema: &Schema,
    selection: &Selection,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("Needs review {}", doc.unanchored().len()))
                .strong()
                .color(ui.visuals().warn_fg_color),
        );
    });
    ui.label(
        RichText::new(
            "The document's file changed and these texts are no longer in it. Select where each \
             belongs and place it, or delete it.",
        )
        .weak()
        .small(),
    );
    let can_place = matches!(selection, Selection::Text(r) if !r.is_empty());
    for span in doc.unanchored() {
        ui.horizontal(|ui| {
            label_chip(ui, schema, &span.label);
            ui.add(egui::Label::new(format!("“{}”", excerpt(&span.text, 40))).truncate());
        });
        ui.horizontal(|ui| {
            ui.add_space(62.0);
            if ui
                .add_enabled(can_place, egui::Button::new("Place at selection").small())
                .on_disabled_hover_text("Select the text where it belongs first")
                .clicked()
            {
                out.push(Command::PlaceUnanchored(span.id));
            }
            if ui.add(egui::Button::new("Delete").small()).clicked() {
                out.push(Command::DropUnanchored(span.id));
            }
        });
    }
}

fn selected_span_ui(
    ui: &mut egui::Ui,
    input: &PanelInput<'_>,
    doc: &Document,
    span: &Span,
    editor: &mut SpanEditor,
    out: &mut Vec<Command>,
) {
    let schema = &input.project.schema;
    if editor.span != Some((input.doc_id, span.id)) {
        editor.span = Some((input.doc_id, span.id));
        editor.buffers.clear();
        editor.highlighted = None;
    }
    ui.horizontal(|ui| {
        ui.strong("Selected span");
        label_chip(ui, schema, &span.label);
    });
    ui.label(RichText::new(format!("“{}”", excerpt(&span.covered(), 240))).italics());
    ui.label(
        RichText::new(format!(
            "bytes {}–{} · id {}",
            span.start, span.end, span.id.0
        ))
        .weak()
        .small(),
    );
    fragments_ui(ui, span, out);
    ui.horizontal_wrapped(|ui| {
        ui.label("Relabel:");
        for l in &schema.labels {
            if l.name != span.label {
                let key = l.key.map(|k| format!(" ({k})")).unwrap_or_default();
                if ui
                    .button(format!("{}{key}", l.name))
                    .on_hover_text("Relabel this span")
                    .clicked()
                {
                    out.push(Command::ApplyLabel(l.name.clone()));
                }
            }
        }
        if ui
            .button("Delete")
            .on_hover_text("Delete this span and its relations (Del)")
            .clicked()
        {
            out.push(Command::DeleteSpan);
        }
    });
    if let Some(def) = schema.label(&span.label)
        && !def.attributes.is_empty()
    {
        ui.add_space(4.0);
        // Rows bounded by the panel (a grid's cells measure against the whole row, and a
        // field that fills its cell then widened the panel whenever a span was selected).
        for a in &def.attributes {
            let hint = a.key.map(|k| format!(" ({k})")).unwrap_or_default();
            let name = format!("{}{hint}", a.name);
            match &a.kind {
                AttrKind::Choice(choices) => {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(name);
                        let current = span.attrs.get(&a.name);
                        for c in choices {
                            let selected = current == Some(&c.value);
                            let text = match c.key {
                                Some(k) => format!("{} ({k})", c.value),
                                None => c.value.clone(),
                            };
                            if ui.selectable_label(selected, text).clicked() {
                                let value = (!selected).then(|| c.value.clone());
                                out.push(Command::SetAttr(a.name.clone(), value));
                            }
                        }
                    });
                }
                AttrKind::Text => {
                    ui.horizontal(|ui| {
                        ui.label(name);
                        ui.vertical(|ui| text_attr_ui(ui, input, span, a, editor, out));
                    });
                }
            }
        }
    }
    ui.add_space(4.0);
    note_ui(ui, span, editor, out);
    relations_ui(ui, input.doc_id, doc, schema, span, out);
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.label("Tag all in:");
        if ui.button("document").on_hover_text("Ctrl+M").clicked() {
            out.push(Command::TagAllMatches { corpus: false });
        }
        if ui.button("corpus").on_hover_text("Ctrl+Shift+M").clicked() {
            out.push(Command::TagAllMatches { corpus: true });
        }
    });
}

/// A free-text attribute: a field that commits on Enter (or when it loses the keyboard),
/// with suggestions from the values already used in the project.
fn text_attr_ui(
    ui: &mut egui::Ui,
    input: &PanelInput<'_>,
    span: &Span,
    a: &AttributeDef,
    editor: &mut SpanEditor,
    out: &mut Vec<Command>,
) {
    let current = span
        .attrs
        .get(&a.name)
        .map(str::to_owned)
        .unwrap_or_default();
    let id = ui.make_persistent_id(("attr-field", &a.name));
    let focused = ui.memory(|m| m.has_focus(id));
    if !focused {
        editor.buffers.insert(a.name.clone(), current.clone());
    }
    // Suggestions: values used elsewhere for this attribute, and the span's own text.
    let mut suggestions: Vec<String> = Vec::new();
    if focused {
        let typed = editor
            .buffers
            .get(&a.name)
            .cloned()
            .unwrap_or_default()
            .to_lowercase();
        let mut pool: Vec<String> = editor
            .used_values(input.project, input.version, &span.label, &a.name)
            .to_vec();
        pool.push(span.text.clone());
        for v in pool {
            if v.to_lowercase().contains(&typed)
                && v != typed
                && !suggestions.contains(&v)
                && suggestions.len() < MAX_SUGGESTIONS
            {
                suggestions.push(v);
            }
        }
        let (down, up) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
            )
        });
        if down && !suggestions.is_empty() {
            editor.highlighted = Some(
                editor
                    .highlighted
                    .map_or(0, |h| (h + 1).min(suggestions.len() - 1)),
            );
        }
        if up {
            editor.highlighted = editor.highlighted.and_then(|h| h.checked_sub(1));
        }
    }
    let buffer = editor.buffers.entry(a.name.clone()).or_default();
    let field = ui
        .add(
            egui::TextEdit::singleline(buffer)
                .id(id)
                .desired_width(f32::INFINITY)
                .hint_text(format!("{} (free text)", a.name)),
        )
        .accessible_name(a.name.clone());
    if editor.focus.as_deref() == Some(a.name.as_str()) {
        field.request_focus();
        editor.focus = None;
    }
    let enter = field.has_focus() && ui.input(|i| i.key_pressed(Key::Enter))
        || field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    let escape = ui.input(|i| i.key_pressed(Key::Escape));
    if focused && escape {
        editor.buffers.insert(a.name.clone(), current.clone());
        field.surrender_focus();
        return;
    }
    let mut chosen = None;
    if !suggestions.is_empty() && focused {
        for (i, s) in suggestions.iter().enumerate() {
            let highlighted = editor.highlighted == Some(i);
            if ui
                .selectable_label(highlighted, RichText::new(s).small())
                .clicked()
            {
                chosen = Some(s.clone());
            }
        }
    }
    if enter && let Some(h) = editor.highlighted {
        chosen = suggestions.get(h).cloned();
    }
    let value = match chosen {
        Some(v) => Some(v),
        None if enter || field.lost_focus() => {
            Some(editor.buffers.get(&a.name).cloned().unwrap_or_default())
        }
        None => None,
    };
    if let Some(v) = value {
        if v.trim() != current {
            let v = v.trim().to_owned();
            out.push(Command::SetAttr(
                a.name.clone(),
                (!v.is_empty()).then_some(v),
            ));
        }
        editor.highlighted = None;
        if field.has_focus() {
            field.surrender_focus();
        }
    }
}

fn note_ui(ui: &mut egui::Ui, span: &Span, editor: &mut SpanEditor, out: &mut Vec<Command>) {
    let current = span.note.clone().unwrap_or_default();
    let id = ui.make_persistent_id("note-field");
    if !ui.memory(|m| m.has_focus(id)) {
        editor.buffers.insert(String::new(), current.clone());
    }
    ui.label("Note");
    let buffer = editor.buffers.entry(String::new()).or_default();
    let field = ui
        .add(
            egui::TextEdit::multiline(buffer)
                .id(id)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("A note for this span"),
        )
        .accessible_name("Note");
    if editor.focus.as_deref() == Some("note") {
        field.request_focus();
        editor.focus = None;
    }
    if field.has_focus() && ui.input(|i| i.key_pressed(Key::Escape)) {
        editor.buffers.insert(String::new(), current);
        field.surrender_focus();
        return;
    }
    if field.lost_focus() {
        let typed = editor.buffers.get("").cloned().unwrap_or_default();
        if typed.trim() != current.trim() {
            out.push(Command::SetNote(
                (!typed.trim().is_empty()).then(|| typed.trim().to_owned()),
            ));
        }
    }
}

/// A discontinuous span's pieces, each removable; for any span, how to add one.
fn fragments_ui(ui: &mut egui::Ui, span: &Span, out: &mut Vec<Command>) {
    if span.is_discontinuous() {
        ui.label(format!("Fragments ({})", span.fragments.len()));
        for (i, f) in span.fragments.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui
                    .small_button("×")
                    .on_hover_text("Remove this fragment from the span")
                    .clicked()
                {
                    out.push(Command::RemoveFragment(i));
                }
                ui.add(
                    egui::Label::new(RichText::new(format!("“{}”", excerpt(&f.text, 60))).small())
                        .truncate(),
                );
            });
        }
    }
    ui.label(
        RichText::new("Add a fragment: select more text, then + (or Ctrl+drag)")
            .weak()
            .small(),
    );
}

/// The relations of the selected span, each a link to the other span.
fn relations_ui(
    ui: &mut egui::Ui,
    doc_id: DocId,
    doc: &Document,
    schema: &Schema,
    span: &Span,
    out: &mut Vec<Command>,
) {
    let relations: Vec<_> = doc.relations_of(span.id).collect();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Relations ({})", relations.len()));
        if ui
            .small_button("Link… (R)")
            .on_hover_text("Link this span to another, by keyboard")
            .clicked()
        {
            out.push(Command::StartLink);
        }
    });
    for r in relations {
        let outgoing = r.from == span.id;
        let other_id = if outgoing { r.to } else { r.from };
        let Some(other) = doc.span_by_id(other_id) else {
            continue;
        };
        ui.horizontal(|ui| {
            let arrow = if outgoing {
                format!("{} ->", r.kind)
            } else {
                format!("<- {}", r.kind)
            };
            ui.label(RichText::new(arrow).strong());
            label_chip(ui, schema, &other.label);
            if ui
                .small_button("×")
                .on_hover_text("Delete this relation")
                .clicked()
            {
                out.push(Command::DeleteRelation(doc_id, r.id));
            }
            // Last, and truncated to the room left: a link's text would otherwise widen the
            // whole panel whenever a span with relations is selected.
            let link = egui::Label::new(
                RichText::new(excerpt(&other.covered(), 40)).color(ui.visuals().hyperlink_color),
            )
            .sense(egui::Sense::click())
            .truncate();
            if ui.add(link).on_hover_text("Select that span").clicked() {
                out.push(Command::SelectSpan(doc_id, other.key()));
            }
        });
        // What an imported relation carries (brat attributes and notes on relations).
        if !r.attrs.is_empty() || r.note.is_some() {
            let mut parts: Vec<String> = r.attrs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            parts.extend(r.note.iter().map(|n| format!("“{}”", excerpt(n, 60))));
            let line = egui::Label::new(RichText::new(parts.join(" · ")).small().weak()).truncate();
            let shown = ui.add(line);
            if let Some(note) = &r.note {
                shown.on_hover_text(note);
            }
        }
    }
}

fn span_list_ui(
    ui: &mut egui::Ui,
    doc_id: DocId,
    doc: &Document,
    schema: &Schema,
    selection: &Selection,
    reveal_selected: bool,
    out: &mut Vec<Command>,
) {
    let spans = doc.spans();
    ui.horizontal(|ui| {
        ui.heading("Spans");
        ui.label(RichText::new(spans.len().to_string()).weak());
    });
    if spans.is_empty() {
        ui.label(
            RichText::new("No spans yet. Select text in the document and press a label key.")
                .weak(),
        );
        return;
    }
    let selected = selection.span();
    let row_height = ui.spacing().interact_size.y + 2.0;
    let row_step = row_height + ui.spacing().item_spacing.y;
    // Rows shown last frame, to scroll only when the selected span is out of sight.
    let shown_id = ui.scope_id().with("span-rows-shown");
    let shown: Option<std::ops::Range<usize>> = ui.data(|d| d.get_temp(shown_id));
    let mut area = egui::ScrollArea::vertical()
        .id_salt("span-list")
        .auto_shrink([false, false]);
    if reveal_selected
        && let Some(key) = selected
        && let Ok(index) = spans.binary_search_by(|s| s.key().cmp(&key))
        && !shown
            .as_ref()
            .is_some_and(|r| r.start < index && index + 1 < r.end)
    {
        // Within the list's extent: an offset past the end makes egui spring back for frames.
        let max = (spans.len() as f32 * row_step - ui.available_height()).max(0.0);
        area = area.vertical_scroll_offset(((index as f32 - 2.0).max(0.0) * row_step).min(max));
    }
    area.show_rows(ui, row_height, spans.len(), |ui, rows| {
        ui.data_mut(|d| d.insert_temp(shown_id, rows.clone()));
        for span in spans.get(rows).unwrap_or_default() {
            let key = span.key();
            let is_selected = selected == Some(key);
            let response = ui
                .horizontal(|ui| {
                    ui.set_min_height(row_height - 2.0);
                    label_chip(ui, schema, &span.label);
                    ui.add(
                        egui::Button::selectable(is_selected, excerpt(&span.covered(), 60))
                            .truncate()
                            .right_text("")
                            .min_size(egui::vec2(ui.available_width(), 0.0)),
                    )
                })
                .inner;
            if response.clicked() {
                out.push(Command::SelectSpan(doc_id, key));
            }
        }
    });
}
