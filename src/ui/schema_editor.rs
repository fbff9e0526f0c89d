//! The schema editor window: labels (name, colour, key), their attributes (choice values
//! with keys, or free text) and the relation types. Every change is an edit, so it can be
//! undone; a change that would delete annotations asks first and says how many.

use crate::model::schema::LABEL_COLORS;
use crate::model::{
    AttrKind, AttributeDef, Choice, Edit, LabelDef, Project, RelationType, Rgb, Schema,
};
use crate::ui::commands::Command;
use crate::ui::panel::PanelContext;
use crate::ui::theme;
use egui::RichText;
use std::collections::HashMap;

/// Text typed in the editor's fields, by field id, until it is committed.
#[derive(Default)]
pub struct SchemaEditor {
    pub open: bool,
    fields: HashMap<String, String>,
}

impl SchemaEditor {
    /// A field that commits on Enter or when it loses the keyboard; returns the new text
    /// when it changed.
    fn field(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        current: &str,
        width: f32,
        name: &str,
    ) -> Option<String> {
        let buffer = self
            .fields
            .entry(id.to_owned())
            .or_insert_with(|| current.to_owned());
        let response = ui
            .add(egui::TextEdit::singleline(buffer).desired_width(width))
            .accessible_name(name);
        if !response.has_focus() && !response.lost_focus() {
            // Not being edited: follow the schema (undo, other changes).
            current.clone_into(buffer);
            return None;
        }
        if response.lost_focus() && buffer.trim() != current {
            return Some(buffer.trim().to_owned());
        }
        None
    }

    /// View → Schema.
    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        self.window_ui(ctx, cx.project(), out);
    }

    fn window_ui(&mut self, ctx: &egui::Context, project: &Project, out: &mut Vec<Command>) {
        let mut open = self.open;
        egui::Window::new("Schema")
            .open(&mut open)
            .default_width(560.0)
            .default_height(560.0)
            .vscroll(true)
            .show(ctx, |ui| self.contents_ui(ui, project, out));
        self.open = open;
    }

    fn contents_ui(&mut self, ui: &mut egui::Ui, project: &Project, out: &mut Vec<Command>) {
        let schema = &project.schema;
        ui.label(
            RichText::new(
                "Changes apply at once and can be undone with Ctrl+Z. Renaming updates every span.",
            )
            .weak(),
        );
        ui.heading("Labels");
        for (li, label) in schema.labels.iter().enumerate() {
            ui.push_id(("label", li), |ui| {
                ui.horizontal(|ui| {
                    let (rect, response) =
                        ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::click());
                    ui.painter()
                        .rect_filled(rect, 3.0, theme::color(label.color));
                    let popup = egui::Popup::menu(&response).id(ui.make_persistent_id("palette"));
                    popup.show(|ui| {
                        ui.horizontal_wrapped(|ui| {
                            ui.set_max_width(160.0);
                            for c in &LABEL_COLORS {
                                let (r, resp) = ui.allocate_exact_size(
                                    egui::vec2(20.0, 20.0),
                                    egui::Sense::click(),
                                );
                                ui.painter().rect_filled(r, 3.0, theme::color(*c));
                                if resp.clicked() {
                                    out.push(schema_with(schema, |s| {
                                        if let Some(l) = s.labels.get_mut(li) {
                                            l.color = *c;
                                        }
                                    }));
                                }
                            }
                        });
                    });
                    if let Some(name) =
                        self.field(ui, &format!("label-{li}"), &label.name, 130.0, "Label name")
                    {
                        out.push(Command::Edit(Box::new(Edit::RenameLabel {
                            from: label.name.clone(),
                            to: name,
                        })));
                    }
                    ui.label("key");
                    let key = label.key.map(String::from).unwrap_or_default();
                    if let Some(k) =
                        self.field(ui, &format!("label-key-{li}"), &key, 24.0, "Label key")
                    {
                        out.push(schema_with(schema, |s| {
                            if let Some(l) = s.labels.get_mut(li) {
                                l.key = k.chars().next();
                            }
                        }));
                    }
                    let used = project
                        .documents
                        .iter()
                        .flat_map(|d| d.spans())
                        .filter(|s| s.label == label.name)
                        .count();
                    ui.label(RichText::new(format!("{used} spans")).weak());
                    if ui.small_button("Remove").clicked() {
                        let name = label.name.clone();
                        out.push(schema_with(schema, |s| {
                            s.labels.retain(|l| l.name != name);
                            s.relations.retain(|r| {
                                !RelationType::labels(&r.from)
                                    .chain(RelationType::labels(&r.to))
                                    .any(|l| l == name)
                            });
                        }));
                    }
                });
                ui.indent("attributes", |ui| {
                    self.attributes_ui(ui, schema, li, label, out)
                });
            });
        }
        ui.horizontal(|ui| {
            let name = self.fields.entry("new-label".to_owned()).or_default();
            ui.add(
                egui::TextEdit::singleline(name)
                    .desired_width(130.0)
                    .hint_text("new label"),
            )
            .accessible_name("New label");
            if ui.button("Add label").clicked() && !name.trim().is_empty() {
                let name = std::mem::take(name).trim().to_owned();
                out.push(schema_with(schema, |s| {
                    let color = Rgb::nth_label_color(s.labels.len());
                    let key = ('1'..='9').find(|k| s.labels.iter().all(|l| l.key != Some(*k)));
                    s.labels.push(LabelDef {
                        name,
                        color,
                        key,
                        attributes: Vec::new(),
                        event: false,
                    });
                }));
            }
        });
        ui.separator();
        self.relations_ui(ui, schema, out);
        let problems: Vec<String> = crate::model::check::schema(schema)
            .iter()
            .map(ToString::to_string)
            .collect();
        if !problems.is_empty() {
            ui.separator();
            for p in problems {
                ui.label(RichText::new(p).color(ui.visuals().warn_fg_color));
            }
        }
    }

    fn attributes_ui(
        &mut self,
        ui: &mut egui::Ui,
        schema: &Schema,
        li: usize,
        label: &LabelDef,
        out: &mut Vec<Command>,
    ) {
        for (ai, a) in label.attributes.iter().enumerate() {
            ui.push_id(("attr", ai), |ui| {
                self.attribute_row_ui(ui, schema, (li, ai), label, a, out);
                if let AttrKind::Choice(values) = &a.kind {
                    self.choice_values_ui(ui, schema, (li, ai), values, out);
                }
            });
        }
        ui.horizontal(|ui| {
            let buffer = self.fields.entry(format!("new-attr-{li}")).or_default();
            ui.add(
                egui::TextEdit::singleline(buffer)
                    .desired_width(100.0)
                    .hint_text("new attribute"),
            )
            .accessible_name("New attribute");
            if ui.small_button("Add attribute").clicked() && !buffer.trim().is_empty() {
                let name = std::mem::take(buffer).trim().to_owned();
                out.push(schema_with(schema, |s| {
                    if let Some(l) = s.labels.get_mut(li) {
                        l.attributes.push(AttributeDef {
                            name: name.clone(),
                            kind: AttrKind::Text,
                            key: None,
                        });
                    }
                }));
            }
        });
    }

    /// An attribute's name, kind (choice or free text), key for free text, and Remove.
    fn attribute_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        schema: &Schema,
        (li, ai): (usize, usize),
        label: &LabelDef,
        a: &AttributeDef,
        out: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            let id = format!("attr-{li}-{ai}");
            if let Some(name) = self.field(ui, &id, &a.name, 100.0, "Attribute name") {
                out.push(Command::Edit(Box::new(Edit::RenameAttribute {
                    label: label.name.clone(),
                    from: a.name.clone(),
                    to: name,
                })));
            }
            let is_text = matches!(a.kind, AttrKind::Text);
            for (kind_is_text, text) in [(false, "choice"), (true, "free text")] {
                if ui.selectable_label(is_text == kind_is_text, text).clicked()
                    && is_text != kind_is_text
                {
                    let kind = if kind_is_text {
                        AttrKind::Text
                    } else {
                        AttrKind::Choice(Vec::new())
                    };
                    out.push(schema_with(schema, |s| {
                        attr_mut(s, li, ai, |a| a.kind = kind.clone())
                    }));
                }
            }
            if is_text {
                ui.label("key");
                let key = a.key.map(String::from).unwrap_or_default();
                let id = format!("attr-key-{li}-{ai}");
                if let Some(k) = self.field(ui, &id, &key, 24.0, "Attribute key") {
                    out.push(schema_with(schema, |s| {
                        attr_mut(s, li, ai, |a| a.key = k.chars().next())
                    }));
                }
            }
            if ui.small_button("Remove").clicked() {
                out.push(schema_with(schema, |s| {
                    if let Some(l) = s.labels.get_mut(li)
                        && ai < l.attributes.len()
                    {
                        l.attributes.remove(ai);
                    }
                }));
            }
        });
    }

    /// A choice attribute's values (each removable), and a field to add one with its key.
    fn choice_values_ui(
        &mut self,
        ui: &mut egui::Ui,
        schema: &Schema,
        (li, ai): (usize, usize),
        values: &[Choice],
        out: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.add_space(12.0);
            for (vi, v) in values.iter().enumerate() {
                let key = v.key.map(|k| format!(" ({k})")).unwrap_or_default();
                // A value and its × wrap together, never apart.
                let text = format!("{}{key}", v.value);
                let body = egui::TextStyle::Body.resolve(ui.style());
                let w = ui
                    .painter()
                    .layout_no_wrap(text.clone(), body, egui::Color32::WHITE)
                    .size()
                    .x;
                if ui.available_width() < w + 24.0 {
                    ui.end_row();
                }
                ui.label(text);
                let remove = ui
                    .small_button("×")
                    .on_hover_text("Remove this value (clears it where used)")
                    .clicked();
                if remove {
                    out.push(schema_with(schema, |s| {
                        attr_mut(s, li, ai, |a| {
                            if let AttrKind::Choice(c) = &mut a.kind
                                && vi < c.len()
                            {
                                c.remove(vi);
                            }
                        })
                    }));
                }
            }
            let buffer = self
                .fields
                .entry(format!("new-value-{li}-{ai}"))
                .or_default();
            if ui.available_width() < 140.0 {
                ui.end_row();
            }
            ui.add(
                egui::TextEdit::singleline(buffer)
                    .desired_width(90.0)
                    .hint_text("value k"),
            )
            .accessible_name("New value");
            let add = ui
                .small_button("Add")
                .on_hover_text("Type a value, then a space and its key: “favor f”")
                .clicked();
            if add && !buffer.trim().is_empty() {
                let typed = std::mem::take(buffer);
                let (value, key) = match typed.trim().rsplit_once(' ') {
                    Some((v, k)) if k.chars().count() == 1 => {
                        (v.trim().to_owned(), k.chars().next())
                    }
                    _ => (typed.trim().to_owned(), None),
                };
                out.push(schema_with(schema, |s| {
                    attr_mut(s, li, ai, |a| {
                        if let AttrKind::Choice(c) = &mut a.kind {
                            c.push(Choice {
                                value: value.clone(),
                                key,
                            });
                        }
                    })
                }));
            }
        });
    }

    fn relations_ui(&mut self, ui: &mut egui::Ui, schema: &Schema, out: &mut Vec<Command>) {
        ui.heading("Relation types");
        let labels: Vec<String> = schema.labels.iter().map(|l| l.name.clone()).collect();
        for (ri, r) in schema.relations.iter().enumerate() {
            ui.push_id(("relation", ri), |ui| {
                ui.horizontal(|ui| {
                    if let Some(name) =
                        self.field(ui, &format!("rel-{ri}"), &r.name, 110.0, "Relation name")
                    {
                        out.push(Command::Edit(Box::new(Edit::RenameRelationType {
                            from: r.name.clone(),
                            to: name,
                        })));
                    }
                    if ui.small_button("Remove").clicked() {
                        out.push(schema_with(schema, |s| {
                            if ri < s.relations.len() {
                                s.relations.remove(ri);
                            }
                        }));
                    }
                });
                // The labels it links: one button per label, the current one selected.
                for (end_is_to, current) in [(false, &r.from), (true, &r.to)] {
                    ui.horizontal_wrapped(|ui| {
                        ui.add_space(12.0);
                        ui.label(if end_is_to { "to" } else { "from" });
                        for l in &labels {
                            if ui.selectable_label(l == current, l.as_str()).clicked()
                                && l != current
                            {
                                out.push(schema_with(schema, |s| {
                                    if let Some(rt) = s.relations.get_mut(ri) {
                                        if end_is_to {
                                            rt.to.clone_from(l)
                                        } else {
                                            rt.from.clone_from(l)
                                        }
                                    }
                                }));
                            }
                        }
                    });
                }
            });
        }
        ui.horizontal(|ui| {
            let buffer = self.fields.entry("new-relation".to_owned()).or_default();
            ui.add(
                egui::TextEdit::singleline(buffer)
                    .desired_width(110.0)
                    .hint_text("new relation type"),
            )
            .accessible_name("New relation type");
            if ui.button("Add relation type").clicked()
                && !buffer.trim().is_empty()
                && !labels.is_empty()
            {
                let name = std::mem::take(buffer).trim().to_owned();
                let first = labels.first().cloned().unwrap_or_default();
                out.push(schema_with(schema, |s| {
                    s.relations.push(RelationType::new(&name, &first, &first))
                }));
            }
        });
    }
}

/// A command to change the schema to a modified copy.
fn schema_with(schema: &Schema, f: impl FnOnce(&mut Schema)) -> Command {
    let mut s = schema.clone();
    f(&mut s);
    Command::ChangeSchema(Box::new(s))
}

/// Runs `f` on attribute `ai` of label `li`.
fn attr_mut(s: &mut Schema, li: usize, ai: usize, f: impl FnOnce(&mut AttributeDef)) {
    if let Some(a) = s.labels.get_mut(li).and_then(|l| l.attributes.get_mut(ai)) {
        f(a);
    }
}
