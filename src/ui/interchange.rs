//! File → Import… and File → Export…: the same work as `marginalia import` and `marginalia
//! export`, run off the UI thread, ending with the same report.

use crate::formats::{Format, export::ExportFilter};
use crate::model::Status;
use egui::RichText;
use std::path::PathBuf;

/// What the Import or Export window holds while it is open.
#[derive(Clone, Debug)]
pub enum InterchangeDialog {
    Import {
        format: Format,
        /// Files or folders, one per line.
        paths: String,
        /// The new project file.
        project: String,
    },
    Export {
        format: Format,
        out: String,
        status: Option<Status>,
        /// Comma-separated labels; empty for all.
        labels: String,
        /// `train=0.8,dev=0.1,test=0.1`, or empty.
        split: String,
        seed: String,
        overwrite: bool,
    },
}

/// What the user asked for when they pressed the button.
pub enum InterchangeAction {
    Close,
    Import {
        format: Format,
        paths: Vec<PathBuf>,
        project: PathBuf,
    },
    Export {
        format: Format,
        out: PathBuf,
        selection: ExportFilter,
        split: Option<String>,
        seed: u64,
        overwrite: bool,
    },
}

impl InterchangeDialog {
    pub fn import(default_project: &str) -> Self {
        Self::Import {
            format: Format::Brat,
            paths: String::new(),
            project: default_project.to_owned(),
        }
    }

    pub fn export(default_out: &str) -> Self {
        Self::Export {
            format: Format::Spacy,
            out: default_out.to_owned(),
            status: None,
            labels: String::new(),
            split: String::new(),
            seed: "0".to_owned(),
            overwrite: false,
        }
    }
}

fn format_picker(ui: &mut egui::Ui, format: &mut Format, import: bool) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Format:");
        for f in Format::ALL {
            if (import && f.can_import()) || (!import && f.can_export()) {
                ui.selectable_value(format, f, f.name());
            }
        }
    });
}

pub fn interchange_ui(
    ctx: &egui::Context,
    dialog: &mut InterchangeDialog,
) -> Option<InterchangeAction> {
    let mut action = None;
    let title = match dialog {
        InterchangeDialog::Import { .. } => "Import",
        InterchangeDialog::Export { .. } => "Export",
    };
    let mut open = true;
    egui::Window::new(title).open(&mut open).collapsible(false).resizable(false).default_width(560.0).show(ctx, |ui| match dialog {
        InterchangeDialog::Import { format, paths, project } => {
            format_picker(ui, format, true);
            ui.label(RichText::new(import_hint(*format)).weak());
            ui.label("Files or folders (one per line):");
            ui.add(egui::TextEdit::multiline(paths).desired_rows(3).desired_width(f32::INFINITY)).accessible_name("Files to import");
            ui.horizontal(|ui| {
                ui.label("New project file:");
                ui.add(egui::TextEdit::singleline(project).desired_width(360.0)).accessible_name("New project file");
            });
            ui.label(RichText::new("Texts that have no file of their own are written to a .corpus.jsonl file beside the project.").weak().small());
            let list: Vec<PathBuf> = paths.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect();
            ui.horizontal(|ui| {
                if ui.add_enabled(!list.is_empty() && !project.trim().is_empty(), egui::Button::new("Import")).clicked() {
                    action = Some(InterchangeAction::Import { format: *format, paths: list, project: PathBuf::from(project.trim()) });
                }
                if ui.button("Cancel").clicked() {
                    action = Some(InterchangeAction::Close);
                }
            });
        }
        InterchangeDialog::Export { format, out, status, labels, split, seed, overwrite } => {
            let before = *format;
            format_picker(ui, format, false);
            if *format != before {
                *out = with_extension(out, *format);
            }
            ui.horizontal(|ui| {
                ui.label(if format.exports_folder() { "Folder:" } else { "File:" });
                ui.add(egui::TextEdit::singleline(out).desired_width(380.0)).accessible_name("Export to");
            });
            ui.horizontal(|ui| {
                ui.label("Documents:");
                ui.selectable_value(status, None, "all");
                for s in Status::ALL {
                    ui.selectable_value(status, Some(s), s.name());
                }
            });
            ui.horizontal(|ui| {
                ui.label("Labels:");
                ui.add(egui::TextEdit::singleline(labels).desired_width(220.0).hint_text("all (or speaker,stance)")).accessible_name("Labels to export");
            });
            ui.horizontal(|ui| {
                ui.label("Split:");
                ui.add(egui::TextEdit::singleline(split).desired_width(220.0).hint_text("train=0.8,dev=0.1,test=0.1")).accessible_name("Split");
                ui.label("seed");
                ui.add(egui::TextEdit::singleline(seed).desired_width(60.0)).accessible_name("Seed");
            });
            ui.checkbox(overwrite, "Overwrite existing files");
            ui.horizontal(|ui| {
                if ui.add_enabled(!out.trim().is_empty(), egui::Button::new("Export")).clicked() {
                    let labels: Vec<String> = labels.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
                    action = Some(InterchangeAction::Export {
                        format: *format,
                        out: PathBuf::from(out.trim()),
                        selection: ExportFilter { status: *status, labels: (!labels.is_empty()).then_some(labels) },
                        split: (!split.trim().is_empty()).then(|| split.trim().to_owned()),
                        seed: seed.trim().parse().unwrap_or(0),
                        overwrite: *overwrite,
                    });
                }
                if ui.button("Cancel").clicked() {
                    action = Some(InterchangeAction::Close);
                }
            });
        }
    });
    if !open {
        action = Some(InterchangeAction::Close);
    }
    action
}

/// `out` with the extension the format writes (none for a folder): choosing CoNLL after
/// spaCy turns `export.jsonl` into `export.conll`.
fn with_extension(out: &str, format: Format) -> String {
    let path = PathBuf::from(out.trim());
    let path = match format.export_extension() {
        Some(ext) => path.with_extension(ext),
        None => path.with_extension(""),
    };
    path.display().to_string()
}

fn import_hint(format: Format) -> &'static str {
    match format {
        Format::Brat => {
            "Folders of .txt and .ann files (annotation.conf becomes the schema); texts and annotations may be in two folders."
        }
        Format::Doccano => {
            "doccano JSONL, `label` or `entities`/`relations` form (UTF-16 offsets)."
        }
        Format::LabelStudio => {
            "A Label Studio JSON export: annotations become spans, predictions suggestions."
        }
        Format::Prodigy => {
            "Prodigy JSONL (db-out): accepted tasks become spans, rejected ones rejected suggestions."
        }
        Format::Conll => "CoNLL columns, IOB1 or IOB2 tags in the last column.",
        Format::Hf => "Hugging Face token classification JSONL (tokens + ner_tags).",
        Format::Text => "Folders of .txt files.",
        Format::Jsonl => "JSONL corpora: one {\"id\"?, \"text\", \"meta\"?} per line.",
        Format::Spacy => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_name_follows_the_format() {
        assert_eq!(
            with_extension("/p/export.jsonl", Format::Conll),
            "/p/export.conll"
        );
        assert_eq!(
            with_extension("/p/export.conll", Format::LabelStudio),
            "/p/export.json"
        );
        assert_eq!(with_extension("/p/export.json", Format::Brat), "/p/export");
        assert_eq!(
            with_extension("/p/export", Format::Spacy),
            "/p/export.jsonl"
        );
    }
}
