//! The window.
pub fn run(_args: crate::cli::GuiArgs) -> std::process::ExitCode { std::process::ExitCode::SUCCESS }
