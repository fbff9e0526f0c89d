//! The `marginalia` command line. With no subcommand it opens the window; subcommands run
//! headless and print problems as `file:line:col: message` on stderr.

use crate::persist::{self, LoadError, Problem, ProblemKind};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "marginalia",
    version,
    about = "Annotate speakers, stances and events in news text",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub gui: GuiArgs,
}

/// Options of the window (no subcommand).
#[derive(Args, Debug, Default, Clone)]
pub struct GuiArgs {
    /// Project to open (default: the last project opened, else the demo project).
    pub project: Option<PathBuf>,
    /// Render the real window, save a PNG screenshot to this path and exit (smoke tests,
    /// README pictures).
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: frames to run before the picture is taken.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub frames: u32,
    /// With --screenshot: select the document whose id or title contains this text first.
    #[arg(long, value_name = "TEXT")]
    pub document: Option<String>,
    /// Run the window for N frames while scrolling and tagging, print frame times, exit.
    #[arg(long, value_name = "N")]
    pub profile_frames: Option<u32>,
    /// Name recorded on new spans as their annotator.
    #[arg(long, value_name = "NAME", env = "MARGINALIA_ANNOTATOR")]
    pub annotator: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a project over a folder of .txt files or a JSONL corpus.
    New {
        /// A folder of .txt files, or a .jsonl file with one {"id"?, "text", "meta"?} per line.
        #[arg(long, value_name = "DIR|FILE.jsonl")]
        corpus: PathBuf,
        /// Where to write the project file.
        #[arg(short, long, value_name = "PROJECT.ron")]
        output: PathBuf,
        /// Project name (default: the corpus folder or file name).
        #[arg(long)]
        name: Option<String>,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check that a project loads and every span still covers its text. Exit 0 when it does.
    Validate {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
    },
}

/// Runs a headless subcommand.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::New {
            corpus,
            output,
            name,
            force,
        } => new_cmd(&corpus, &output, name.as_deref(), force),
        Command::Validate { project } => validate_cmd(&project),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            let n = e.problems.len();
            if n > 1 {
                eprintln!("{n} problems");
            }
            ExitCode::FAILURE
        }
    }
}

fn new_cmd(corpus: &Path, output: &Path, name: Option<&str>, force: bool) -> Result<(), LoadError> {
    if output.exists() && !force {
        return Err(Problem::new(
            ProblemKind::Io,
            output,
            "already exists; pass --force to overwrite it",
        )
        .into());
    }
    let project = persist::new_project(corpus, name)?;
    persist::save_project(&project, output)?;
    println!(
        "created {} with {} documents from {}",
        output.display(),
        project.documents.len(),
        corpus.display()
    );
    Ok(())
}

fn validate_cmd(project: &Path) -> Result<(), LoadError> {
    let loaded = persist::load_project(project)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let p = &loaded.project;
    println!(
        "{}: ok — {} documents, {} spans, every span matches its text",
        project.display(),
        p.documents.len(),
        p.span_count()
    );
    Ok(())
}
