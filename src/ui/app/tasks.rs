//! Work that runs off the UI thread, and what happens when it finishes: a native file
//! dialog, a project load, a new project read from its corpus, an import or an export.

use super::{MarginaliaApp, Pick, first_line};
use crate::session::Session;
use crate::ui::background::Task;
use crate::ui::dialogs::Dialog;
use std::path::Path;

/// A native file dialog that returns nothing faster than this was never shown.
const NO_DIALOG_THRESHOLD: std::time::Duration = std::time::Duration::from_millis(300);

impl MarginaliaApp {
    /// Results of background work that finished since the last frame.
    pub(super) fn poll_tasks(&mut self, ctx: &egui::Context) {
        if let Some((pick, opened, task)) = &self.tasks.picker
            && let Some(result) = task.poll()
        {
            let pick = *pick;
            // Nobody cancels a dialog this fast: no native dialog could be shown.
            let unavailable = result.is_none() && opened.elapsed() < NO_DIALOG_THRESHOLD;
            self.tasks.picker = None;
            if unavailable {
                self.no_native_dialog(pick);
            }
            if let Some(path) = result {
                match (pick, &mut self.dialog) {
                    (Pick::OpenProject, _) => self.start_open(ctx, path),
                    (Pick::AgreementFile, _) => self.panels.agreement.add(&path),
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
        if let Some(task) = &self.tasks.interchange
            && let Some(result) = task.poll()
        {
            self.tasks.interchange = None;
            match result {
                Ok((project, report)) => {
                    let title = if project.is_some() {
                        "Imported"
                    } else {
                        "Exported"
                    };
                    if let Some(p) = project {
                        // The user chose what it reads: not asked about on opening.
                        self.trust(&p);
                        // Opening may first ask about unsaved changes; the report then waits
                        // in the status bar.
                        self.handle(crate::ui::commands::Command::OpenPath(p), ctx);
                    }
                    if self.dialog.is_none() {
                        self.dialog = Some(Dialog::Report {
                            title: title.to_owned(),
                            message: report,
                        });
                    } else {
                        self.say(format!("{title}: {}", first_line(&report)));
                    }
                }
                Err(e) => self.show_error("Import or export failed", &e.to_string()),
            }
        }
        if let Some(task) = &self.tasks.loading
            && let Some((path, result)) = task.poll()
        {
            self.tasks.loading = None;
            let startup = self.tasks.startup_open.take();
            match result {
                Ok((session, warnings)) => {
                    self.install(session, &path, warnings);
                    if let Some(wanted) = startup.and_then(|s| s.document) {
                        self.go_to_document_matching(&wanted);
                    }
                }
                Err(e) if self.ask_outside(&path, &e) => {}
                // The last project, reopened by itself: not worth a dialog.
                Err(e) if startup.as_ref().is_some_and(|s| !s.explicit) => {
                    self.say(format!(
                        "Could not reopen {}: {}",
                        path.display(),
                        first_line(&e.to_string())
                    ));
                }
                Err(e) => {
                    self.show_error(&format!("Cannot open {}", path.display()), &e.to_string())
                }
            }
        }
        if let Some((corpus, task)) = &self.tasks.creating
            && let Some(result) = task.poll()
        {
            let beside = crate::persist::paths::normalize(corpus)
                .parent()
                .map(Path::to_owned);
            self.tasks.creating = None;
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

    /// Runs an import or export from the File menu in the background.
    pub(super) fn on_interchange(
        &mut self,
        action: crate::ui::interchange::InterchangeAction,
        ctx: &egui::Context,
    ) {
        use crate::ui::interchange::{InterchangeAction, InterchangeDialog};
        // Kept as it was, to open again with the same choices.
        match self.panels.interchange.take() {
            Some(d @ InterchangeDialog::Export { .. })
                if !matches!(action, InterchangeAction::Close) =>
            {
                self.panels.last_export = Some(d);
            }
            Some(d @ InterchangeDialog::Import { .. })
                if !matches!(action, InterchangeAction::Close) =>
            {
                self.panels.last_import = Some(d);
            }
            _ => {}
        }
        match action {
            InterchangeAction::Close => {}
            InterchangeAction::Import {
                format,
                paths,
                project,
            } => {
                let what = format!("Importing {}…", format.name());
                self.tasks.interchange = Some(Task::spawn(ctx, what, move || {
                    if project.exists() {
                        let p = crate::persist::Problem::new(
                            crate::persist::ProblemKind::Io,
                            &project,
                            "already exists; choose another name (imports never overwrite)",
                        );
                        return Err(p.into());
                    }
                    let (_, corpus, report) = crate::formats::run::import_project(
                        format, &paths, &project, None, None, None,
                    )?;
                    let corpus = corpus
                        .map(|c| {
                            format!("\nTexts without a file of their own: {}", c.path.display())
                        })
                        .unwrap_or_default();
                    Ok((Some(project), format!("{report}{corpus}")))
                }));
            }
            InterchangeAction::Export {
                format,
                out,
                selection,
                split,
                seed,
                overwrite,
            } => {
                let Some(project) = self.session.as_ref().map(|s| s.project().clone()) else {
                    return;
                };
                let what = format!("Exporting {}…", format.name());
                self.tasks.interchange = Some(Task::spawn(ctx, what, move || {
                    let mut run = crate::formats::run::export_project(
                        &project,
                        format,
                        &out,
                        &selection,
                        split.as_deref(),
                        seed,
                    )?;
                    run.write(overwrite)?;
                    let parts: String = run
                        .parts
                        .iter()
                        .map(|(n, k, p)| format!("\n{n}: {k} documents → {}", p.display()))
                        .collect();
                    Ok((None, format!("{}: {}{parts}", out.display(), run.report)))
                }));
            }
        }
    }

    pub(super) fn busy_text(&self) -> Option<&str> {
        self.tasks
            .loading
            .as_ref()
            .map(|t| t.what.as_str())
            .or(self.tasks.creating.as_ref().map(|(_, t)| t.what.as_str()))
            .or(self.tasks.picker.as_ref().map(|(_, _, t)| t.what.as_str()))
            .or(self.tasks.interchange.as_ref().map(|t| t.what.as_str()))
    }
}
