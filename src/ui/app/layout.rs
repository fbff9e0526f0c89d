//! One frame of the window: which panel goes where, the key handler's context, the tool
//! windows and dialogs, and then the commands the frame produced.

use super::{MESSAGE_SECONDS, MarginaliaApp, SideTab};
use crate::model::Review;
use crate::ui::commands::Command;
use crate::ui::dialogs::dialog_ui;
use crate::ui::document_view::Decor;
use crate::ui::keyboard::{KeyContext, read_keyboard};
use crate::ui::panel::PanelContext;
use crate::ui::{document_panel, label_bar, menu_bar, welcome};
use std::path::PathBuf;

impl MarginaliaApp {
    /// Draws one frame. Public so tests can drive the app without eframe.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.window.styled {
            crate::ui::theme::setup(&ctx);
            self.window.styled = true;
        }
        self.poll_tasks(&ctx);
        self.handle_window_events(&ctx);
        self.keep_work_safe(&ctx);
        self.age_message(&ctx);
        self.read_keys(&ctx);

        let mut out = Vec::new();
        egui::Panel::top("menu").show(ui, |ui| {
            let state = menu_bar::MenuState {
                session: self.session.as_ref(),
                current_doc: self.session.as_ref().map(|_| self.current),
                recent: &self.prefs.recent,
                all_relations: self.panels.all_relations,
                show_suggestions: self.panels.show_suggestions,
                show_documents: self.panels.show_documents,
                show_side: self.panels.show_side,
            };
            menu_bar::menu_bar_ui(ui, &state, &mut out);
        });
        if self.session.is_some() {
            self.project_ui(ui, &mut out);
        } else {
            let message = self.status_text();
            egui::Panel::bottom("label-bar").show(ui, |ui| {
                ui.label(message.unwrap_or_default());
            });
            egui::CentralPanel::default().show(ui, |ui| {
                welcome::welcome_ui(
                    ui,
                    &self.prefs.recent,
                    &mut self.panels.welcome_path,
                    &mut out,
                );
            });
        }
        let schema = self.session.as_ref().map(|s| &s.project().schema);
        self.panels.shortcuts.show(&ctx, schema);
        if let Some(dialog) = &mut self.dialog
            && let Some(action) = dialog_ui(&ctx, dialog)
        {
            self.on_dialog_action(action, &ctx);
        }
        self.suggest_window(&ctx);
        self.learning_tick(&ctx);
        if let Some(d) = &mut self.panels.interchange
            && let Some(action) = crate::ui::interchange::interchange_ui(&ctx, d)
        {
            self.on_interchange(action, &ctx);
        }
        self.run_commands(&ctx, out);
        if self.tasks.loading.is_some() || self.tasks.creating.is_some() {
            ctx.set_cursor_icon(egui::CursorIcon::Progress);
        }
        self.screenshot_step(&ctx);
    }

    /// The panels around an open project: the label bar, the document list, the side tabs,
    /// the document, and the tool windows.
    fn project_ui(&mut self, ui: &mut egui::Ui, out: &mut Vec<Command>) {
        let message = self.status_text();
        self.panels.review.learning = crate::ui::review_panel::LearningStatus {
            on: self.learning.on,
            busy: self.learning.busy(),
            summary: self.learning.summary(),
            error: self.learning.error.clone(),
        };
        let decor = Decor {
            all_relations: self.panels.all_relations,
            link: self.link_preview().map(|(p, _, _)| p),
            banner: self.link_banner(),
            show_suggestions: self.panels.show_suggestions,
            focused_suggestion: self.focused_suggestion_key(),
            edited_suggestion: self.edited_suggestion_outline(),
        };
        let reviewed = self.focused_suggestion_key().map(|k| k.start..k.end);
        let Some(session) = &self.session else {
            return;
        };
        if let Some(doc) = session.project().doc(self.current) {
            self.selection.validate(doc);
        }
        if self.window.ask_name && self.annotator.is_none() {
            egui::Panel::top("ask-name").show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        "Who annotates here? New annotations record no name yet: a team tells \
                         its annotators' work apart by it.",
                    );
                    if ui.button("Set my name…").clicked() {
                        out.push(Command::SetAnnotatorName);
                    }
                    if ui.button("Not now").clicked() {
                        self.window.ask_name = false;
                        self.prefs.name_asked = true;
                    }
                });
            });
        }
        let panels = &mut self.panels;
        egui::Panel::bottom("label-bar").show(ui, |ui| {
            label_bar::label_bar_ui(
                ui,
                &session.project().schema,
                &self.selection,
                message.as_deref(),
                out,
            );
        });
        let cx = PanelContext {
            session,
            doc: self.current,
            selection: &self.selection,
            passage: reviewed.clone().or_else(|| self.selection.range()),
        };
        // Side panels start narrower on a small screen, and their widths are bounded by the
        // window's (egui clamps a stored width to the range every frame), so a window shrunk
        // after start still leaves the text most of the room.
        let width = ui.available_width();
        if panels.show_documents {
            egui::Panel::left("documents")
                .resizable(true)
                .default_size((width * 0.2).clamp(150.0, 250.0))
                .size_range(120.0..=(width * 0.25).max(120.0))
                .show(ui, |ui| panels.doc_list.ui(ui, &cx, out));
        }
        if panels.show_side {
            egui::Panel::right("spans")
                .resizable(true)
                .default_size((width * 0.27).clamp(220.0, 320.0))
                .size_range(200.0..=(width * 0.35).max(200.0))
                .show(ui, |ui| side_panel_ui(ui, panels, &cx, out));
        }
        let ctx = ui.ctx().clone();
        egui::CentralPanel::default().show(ui, |ui| {
            let view_out = document_panel::document_panel_ui(
                ui,
                &mut panels.view,
                session.project(),
                self.current,
                &mut self.selection,
                &decor,
                out,
            );
            if view_out.selection_changed {
                panels.spans.reveal();
            }
            out.extend(view_out.commands);
        });
        let cx = PanelContext {
            session,
            doc: self.current,
            selection: &self.selection,
            passage: reviewed.or_else(|| self.selection.range()),
        };
        panels.schema_editor.show(&ctx, &cx, out);
        panels.stats.show(&ctx, &cx, out);
        panels.agreement.show(&ctx, &cx, out);
        panels.consistency.show(&ctx, &cx, out);
        panels.learned.show(&ctx, &cx, out);
    }

    /// What the keys mean now, and this frame's key presses queued as commands.
    fn read_keys(&mut self, ctx: &egui::Context) {
        let text_focus = ctx.egui_wants_keyboard_input();
        if self.dialog.is_none()
            && let Some(session) = &self.session
        {
            let project = session.project();
            let selected_label = project
                .doc(self.current)
                .and_then(|d| d.span_by_key(self.selection.span()?))
                .map(|s| s.label.as_str());
            let keys = KeyContext {
                schema: &project.schema,
                selected_label,
                text_field_focused: text_focus || self.window.had_text_focus,
                linking: self.link.is_some(),
                reviewing: self.panels.side == SideTab::Review,
                editing_suggestion: self.panels.review.editing.is_some(),
                review_label: self
                    .current_suggestion()
                    .map(|s| self.panels.review.accepted(s, &self.selection).label),
            };
            let commands = read_keyboard(ctx, &keys);
            if !self.panels.view.is_dragging() {
                self.commands.extend(commands);
            }
        } else if self.dialog.is_none() {
            // No project: the chords of the menus still work (open, new, quit).
            let keys = KeyContext {
                schema: &crate::model::Schema::default(),
                selected_label: None,
                text_field_focused: true,
                linking: false,
                reviewing: false,
                editing_suggestion: false,
                review_label: None,
            };
            self.commands.extend(read_keyboard(ctx, &keys));
        }
        self.window.had_text_focus = text_focus;
    }

    /// Commands run after the panels were drawn; then the frame is drawn again to show
    /// their effect.
    fn run_commands(&mut self, ctx: &egui::Context, out: Vec<Command>) {
        self.commands.extend(out);
        if !self.commands.is_empty() {
            ctx.request_repaint();
        }
        for command in std::mem::take(&mut self.commands) {
            self.handle(command, ctx);
        }
        self.remember_fragment_target();
    }

    /// What the status bar says: the background work under way, or the last message.
    fn status_text(&self) -> Option<String> {
        self.busy_text()
            .map(str::to_owned)
            .or_else(|| self.message.as_ref().map(|(m, _)| m.clone()))
    }

    /// A status message goes after a few seconds.
    fn age_message(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        if let Some((_, shown)) = &mut self.message {
            let since = *shown.get_or_insert(now);
            if now - since > MESSAGE_SECONDS {
                self.message = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(MESSAGE_SECONDS));
            }
        }
    }

    /// Closing with unsaved changes asks first; a dropped `.ron` file opens; the title
    /// follows the project.
    fn handle_window_events(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested())
            && !self.window.allow_close
            && self.is_dirty()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(crate::ui::dialogs::Dialog::Unsaved {
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
            if title != self.window.title {
                ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
                self.window.title = title;
            }
        }
    }
}

/// The right panel: its tabs, and the Spans, Review or Search panel.
fn side_panel_ui(
    ui: &mut egui::Ui,
    panels: &mut super::Panels,
    cx: &PanelContext<'_>,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let pending = cx.document().map_or(0, |d| {
            d.suggestions()
                .iter()
                .filter(|s| s.review == Review::Pending)
                .count()
        });
        ui.selectable_value(&mut panels.side, SideTab::Spans, "Spans");
        ui.selectable_value(
            &mut panels.side,
            SideTab::Review,
            format!("Review ({pending})"),
        );
        ui.selectable_value(&mut panels.side, SideTab::Search, "Search");
    });
    ui.separator();
    match panels.side {
        SideTab::Search => panels.search.ui(ui, cx, out),
        SideTab::Review => panels.review.ui(ui, cx, out),
        SideTab::Spans => panels.spans.ui(ui, cx, out),
    }
}
