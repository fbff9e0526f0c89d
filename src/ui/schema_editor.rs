//! The schema editor window.
use crate::model::Project;
use crate::ui::commands::Command;

#[derive(Default)]
pub struct SchemaEditor {
    pub open: bool,
}

impl SchemaEditor {
    pub fn window_ui(&mut self, ctx: &egui::Context, project: &Project, out: &mut Vec<Command>) {
        let _ = (ctx, project, out);
    }
}
