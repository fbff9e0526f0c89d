//! The window: one file per panel or tool window (each a struct that owns its state, see
//! [`panel`]), the document view in its own folder, and `app/`, which owns the session and
//! the panels and handles every [`commands::Command`].

pub mod agreement_window;
pub mod app;
pub mod background;
pub mod commands;
pub mod consistency_window;
pub mod dialogs;
pub mod doc_list;
pub mod document_panel;
pub mod document_view;
pub mod interchange;
pub mod keyboard;
pub mod label_bar;
pub mod learned_window;
pub mod menu_bar;
pub mod panel;
pub mod profile;
pub mod review_panel;
pub mod schema_editor;
pub mod screenshot;
pub mod search_panel;
pub mod selection;
pub mod shortcut_sheet;
pub mod span_panel;
pub mod stats_window;
pub mod suggest_dialog;
pub mod tag_all_preview;
pub mod theme;
pub mod welcome;
pub mod widgets;

use crate::cli::GuiArgs;
use std::process::ExitCode;

/// Opens the window and runs until it is closed.
pub fn run(args: GuiArgs) -> ExitCode {
    let startup = app::Startup {
        project: args.project,
        document: args.document,
        screenshot: args.screenshot.clone().map(|p| (p, args.frames)),
        annotator: args.annotator,
        profile_frames: args.profile_frames,
    };
    if let Some(p) = &args.screenshot {
        // A stale picture must not pass for a fresh one.
        let _ = std::fs::remove_file(p);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Marginalia")
            .with_app_id("marginalia")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([720.0, 420.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Marginalia",
        options,
        Box::new(move |cc| Ok(Box::new(app::MarginaliaApp::new(cc, startup)))),
    );
    if let Err(e) = result {
        eprintln!("marginalia: cannot open the window: {e}");
        eprintln!("(the window needs a display: X11 or Wayland; the subcommands work without one)");
        return ExitCode::FAILURE;
    }
    match &args.screenshot {
        Some(p) if !p.exists() => {
            eprintln!("marginalia: no screenshot was written to {}", p.display());
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
