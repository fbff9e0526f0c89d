//! Shown when no project is open: create one, open one, or pick a recent one.

use crate::ui::commands::Command;
use egui::RichText;
use std::path::PathBuf;

pub fn welcome_ui(
    ui: &mut egui::Ui,
    recent: &[PathBuf],
    path_input: &mut String,
    out: &mut Vec<Command>,
) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.12);
        ui.label(RichText::new("Marginalia").size(36.0).strong());
        ui.label(
            RichText::new(
                "Tag who said what, which stance they took, and the events they talk about.",
            )
            .weak(),
        );
        ui.add_space(24.0);
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 520.0).max(0.0) / 2.0);
            if ui.button("New project from folder…").clicked() {
                out.push(Command::NewFromFolder);
            }
            if ui.button("New project from JSONL…").clicked() {
                out.push(Command::NewFromJsonl);
            }
            if ui.button("Open…").clicked() {
                out.push(Command::Open);
            }
        });
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 520.0).max(0.0) / 2.0);
            let field = ui.add(
                egui::TextEdit::singleline(path_input)
                    .desired_width(420.0)
                    .hint_text("or type the path of a project file (.ron)"),
            );
            let field = field.accessible_name("Project path");
            let enter = (field.has_focus() || field.lost_focus())
                && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open").clicked() || enter) && !path_input.trim().is_empty() {
                out.push(Command::OpenPath(PathBuf::from(path_input.trim())));
            }
        });
        if !recent.is_empty() {
            ui.add_space(24.0);
            ui.label(RichText::new("Recent projects").strong());
            for p in recent {
                if ui.link(p.display().to_string()).clicked() {
                    out.push(Command::OpenPath(p.clone()));
                }
            }
        }
        ui.add_space(24.0);
        ui.label(RichText::new("You can also drop a .ron project file on this window.").weak());
    });
}
