//! `marginalia`: opens the annotation window, or runs a headless subcommand.

use clap::Parser;
use marginalia::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => marginalia::cli::run(command),
        None => marginalia::ui::run(cli.gui),
    }
}
