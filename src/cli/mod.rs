//! The `marginalia` command line. With no subcommand it opens the window; subcommands run
//! headless and print problems as `file:line:col: message` on stderr.

#[macro_use]
mod output;
mod adjudicate;
mod agree;
mod guard;
mod team;

use crate::formats::{self, Format};
use crate::model::Status;
use crate::model::stats::ProjectStats;
use crate::persist::{self, LoadError, Problem, ProblemKind};
use clap::{Args, Parser, Subcommand};
use guard::{lock_for_writing, no_pending_journal};
use output::write_out;
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
    pub command: Option<CliCommand>,
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
pub enum CliCommand {
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
    /// Load a project and save it again: in the current format version, with the previous
    /// file kept as a backup (`PROJECT.ron.bak1`...).
    Resave {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
        /// How many earlier versions to keep.
        #[arg(long, default_value_t = persist::backup::DEFAULT_BACKUPS)]
        backups: usize,
    },
    /// Import annotated documents from another tool into a new project (or an existing one).
    Import {
        #[arg(long, value_enum)]
        format: Format,
        /// Files or folders to read (brat: folders of .txt/.ann; a second folder may hold
        /// the .ann files, named like the texts with a suffix).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The new project file.
        #[arg(
            short,
            long,
            value_name = "PROJECT.ron",
            conflicts_with = "into",
            required_unless_present = "into"
        )]
        output: Option<PathBuf>,
        /// Add the documents to this existing project instead.
        #[arg(long, value_name = "PROJECT.ron")]
        into: Option<PathBuf>,
        /// Project name (new projects; default: the output file name).
        #[arg(long)]
        name: Option<String>,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
        /// Also write every note and error as JSON (document, span, offsets, kind,
        /// message), for a program to read; written even when the import fails.
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
        /// The files are this annotator's work (one folder per annotator): it goes to
        /// their own file of the team project (-o a new one, --into an existing one).
        #[arg(long, value_name = "NAME")]
        annotator: Option<String>,
    },
    /// Export a project's annotations for training or for another tool.
    Export {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
        #[arg(long, value_enum)]
        format: Format,
        /// The file to write (a folder for brat).
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
        /// Only documents with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Only these labels (comma-separated); relations need both ends kept.
        #[arg(long, value_delimiter = ',')]
        labels: Option<Vec<String>>,
        /// Split by document, e.g. train=0.8,dev=0.1,test=0.1 (written as OUT.train.EXT...).
        #[arg(long)]
        split: Option<String>,
        /// Seed of the split: the same seed gives the same split.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Overwrite existing output files.
        #[arg(long)]
        force: bool,
        /// Also write every note and error as JSON (document, span, offsets, kind,
        /// message), for a program to read; written even when the export fails.
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
    },
    /// Run suggesters and write their suggestions into the project's suggestion layer.
    Suggest {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
        /// quotes, matches, gazetteer=FILE, predictions=FILE.jsonl, label-studio=FILE.json,
        /// command (the project's own command, see --command)
        #[arg(
            long = "with",
            value_name = "LIST",
            default_value = "",
            required_unless_present = "command"
        )]
        with: String,
        /// Set the project's suggestion command and run it: a shell command, run in the
        /// project's folder, that reads documents as JSONL on stdin and writes predictions
        /// as JSONL on stdout.
        #[arg(long, value_name = "CMD")]
        command: Option<String>,
        /// Allow the project's command to run on this machine (remembered for this project
        /// file and this exact command, outside the project).
        #[arg(long)]
        allow_command: bool,
        /// With `--with learned`: change nothing, but train on four fifths of the finished
        /// documents and report precision, recall and F1 per label on the rest, a learning
        /// curve and how well the scores are calibrated.
        #[arg(long)]
        evaluate: bool,
        /// With --evaluate: also write the figures as JSON to FILE.
        #[arg(long, value_name = "FILE", requires = "evaluate")]
        json: Option<PathBuf>,
    },
    /// Inter-annotator agreement of several annotators' projects over one corpus:
    /// exact and overlap F1 per label and pair, Krippendorff's alpha per label over
    /// characters, Cohen's or Fleiss' kappa per attribute (definitions in the README).
    Agree {
        /// Two or more projects over the same corpus (documents matched by id); each is an
        /// annotator, named by its file name. A team project stands for all its
        /// annotators' files.
        #[arg(required = true, num_args = 1.., value_name = "PROJECT.ron")]
        projects: Vec<PathBuf>,
        /// Only these labels (comma-separated).
        #[arg(long, value_delimiter = ',')]
        labels: Option<Vec<String>>,
        /// Write the figures as JSON to this file, or to standard output with `-`.
        #[arg(long, value_name = "FILE.json")]
        json: Option<PathBuf>,
        /// Write the per-pair figures as CSV (`label,a,b,documents,exact_f1,overlap_f1`).
        #[arg(long, value_name = "FILE.csv")]
        csv: Option<PathBuf>,
        /// Overwrite the JSON or CSV file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// A curated project from several annotators' projects: what every annotator made
    /// identically is accepted, every disagreement a suggestion (source: who made it, score:
    /// their share) to review with the review keys.
    Adjudicate {
        /// The annotators' projects, or a team project (all its annotators' files).
        #[arg(required = true, num_args = 1.., value_name = "PROJECT.ron")]
        projects: Vec<PathBuf>,
        /// The curated project to write.
        #[arg(short, long, value_name = "CURATED.ron")]
        output: PathBuf,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Your own file of a team project (made the first time): `PROJECT.annotations/NAME.ron`,
    /// with the team's corpus, schema and suggestions. Commit it; the window opens it when
    /// you open the team project.
    Join {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
        /// Who annotates (default: MARGINALIA_ANNOTATOR, then git's user.name).
        #[arg(long, value_name = "NAME", env = "MARGINALIA_ANNOTATOR")]
        annotator: Option<String>,
    },
    /// Counts: documents by status, spans by label, attributes, relations, suggestions.
    Stats {
        #[arg(value_name = "PROJECT.ron")]
        project: PathBuf,
        /// Write every figure as CSV (`section,group,item,detail,count`) to this file, or
        /// to standard output with `-`.
        #[arg(long, value_name = "FILE.csv")]
        csv: Option<PathBuf>,
        /// Overwrite the CSV file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Loads a project named on the command line and prints its warnings on stderr, among them
/// the corpus paths outside the project's folder: the user named the project, so they are
/// read, but said.
fn load_named(path: &Path) -> Result<persist::Loaded, LoadError> {
    let loaded = persist::load_project(path)?;
    say_warnings(path, &loaded);
    Ok(loaded)
}

/// A loaded project's warnings on stderr, and what an annotator's file took from its
/// team's file (its own file is not changed by a command that only reads it).
fn say_warnings(path: &Path, loaded: &persist::Loaded) {
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(took) = loaded.team.as_ref().and_then(|t| t.describe()) {
        eprintln!("note: {}: opening it {took}", path.display());
    }
}

/// A command's output file that exists is overwritten only with `--force`; `or` says what
/// else the user can do.
fn refuse_overwrite(out: &Path, force: bool, or: &str) -> Result<(), LoadError> {
    if out.exists() && !force {
        return Err(Problem::new(
            ProblemKind::Io,
            out,
            format!("already exists; pass --force to overwrite it{or}"),
        )
        .into());
    }
    Ok(())
}

fn stats_cmd(path: &Path, csv: Option<&Path>, force: bool) -> Result<(), LoadError> {
    let stats = ProjectStats::of(&load_named(path)?.project);
    match csv {
        None => outln!("{stats}"),
        Some(out) if out == Path::new("-") => write_out(format_args!("{}", stats.to_csv())),
        Some(out) => {
            refuse_overwrite(out, force, "")?;
            persist::atomic::write_atomic(out, stats.to_csv().as_bytes())
                .map_err(|e| Problem::io(out, &e))?;
            outln!("{}: statistics written", out.display());
        }
    }
    Ok(())
}

/// The project's command as a suggester, if this machine's user allowed it: typing
/// `--command` or `--allow-command` allows it (and is remembered); otherwise an earlier
/// consent must exist, or the command does not run.
fn command_suggester(
    path: &Path,
    project: &crate::model::Project,
    allow: bool,
) -> Result<crate::suggest::Suggester, LoadError> {
    use crate::suggest::consent::{Consent, Subject};
    let command = project.suggest_command.as_deref();
    let Some(command) = command else {
        return Err(Problem::new(
            ProblemKind::Invalid,
            path,
            "the project has no suggestion command; give one with --command CMD",
        )
        .into());
    };
    let file = Consent::machine_file();
    let subject = Subject::of(path, project, command);
    let allowed = match &file {
        Some(f) if !allow => Consent::load(f)?.allows(&subject),
        _ => allow,
    };
    if !allowed {
        return Err(Problem::new(
            ProblemKind::Invalid,
            path,
            format!(
                "this project asks to run `{command}`, which has not been allowed on this \
                 machine (or the project's corpus, or a script it names, changed since). Read \
                 it first: it can do anything you can. To allow it (for this project, this \
                 exact command and these files), run again with --allow-command"
            ),
        )
        .into());
    }
    if allow && let Some(f) = &file {
        Consent::grant(f, &subject)?;
    }
    let dir = persist::paths::normalize(path)
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    Ok(crate::suggest::Suggester::Command {
        command: command.to_owned(),
        dir,
    })
}

/// A document status on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    New,
    InProgress,
    Done,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::New => Status::New,
            StatusArg::InProgress => Status::InProgress,
            StatusArg::Done => Status::Done,
        }
    }
}

/// Runs a headless subcommand.
pub fn run(command: CliCommand) -> ExitCode {
    let result = match command {
        CliCommand::New {
            corpus,
            output,
            name,
            force,
        } => new_cmd(&corpus, &output, name.as_deref(), force),
        CliCommand::Validate { project } => validate_cmd(&project),
        CliCommand::Resave { project, backups } => resave_cmd(&project, backups),
        CliCommand::Import {
            format,
            paths,
            output,
            into,
            name,
            force,
            report,
            annotator,
        } => with_report(report.as_deref(), "import", format, || {
            import_cmd(
                format,
                &paths,
                (output.as_deref(), into.as_deref()),
                name.as_deref(),
                annotator.as_deref(),
                force,
            )
        }),
        CliCommand::Export {
            project,
            format,
            output,
            status,
            labels,
            split,
            seed,
            force,
            report,
        } => {
            let selection = formats::export::ExportFilter {
                status: status.map(Into::into),
                labels,
            };
            with_report(report.as_deref(), "export", format, || {
                export_cmd(
                    &project,
                    format,
                    &output,
                    &selection,
                    split.as_deref(),
                    seed,
                    force,
                )
            })
        }
        CliCommand::Suggest {
            project,
            with,
            evaluate,
            json,
            ..
        } if evaluate => evaluate_cmd(&project, &with, json.as_deref()),
        CliCommand::Suggest {
            project,
            with,
            command,
            allow_command,
            ..
        } => suggest_cmd(&project, &with, command.as_deref(), allow_command),
        CliCommand::Stats {
            project,
            csv,
            force,
        } => stats_cmd(&project, csv.as_deref(), force),
        CliCommand::Join { project, annotator } => team::join_cmd(&project, annotator.as_deref()),
        CliCommand::Adjudicate {
            projects,
            output,
            force,
        } => adjudicate::adjudicate_cmd(&projects, &output, force),
        CliCommand::Agree {
            projects,
            labels,
            json,
            csv,
            force,
        } => agree::agree_cmd(
            &projects,
            labels.as_deref(),
            json.as_deref(),
            csv.as_deref(),
            force,
        ),
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
    refuse_overwrite(output, force, "")?;
    let project = persist::new_project(corpus, name)?;
    persist::save_project(&project, output)?;
    outln!(
        "created {} with {} documents from {}",
        output.display(),
        project.documents.len(),
        corpus.display()
    );
    Ok(())
}

fn validate_cmd(project: &Path) -> Result<(), LoadError> {
    let loaded = persist::load_project(project)?;
    say_warnings(project, &loaded);
    let p = &loaded.project;
    outln!(
        "{}: ok — {} documents, {} spans, every span matches its text",
        project.display(),
        p.documents.len(),
        p.span_count()
    );
    match persist::journal::pending(project) {
        Ok(Some(r)) => outln!(
            "note: {} holds {} not saved in the file; open the project in the window to \
             restore or discard them",
            persist::journal::journal_path(project).display(),
            crate::model::text::plural(r.edits.len(), "change", "changes")
        ),
        Ok(None) => {}
        Err(p) => eprintln!("warning: {p}"),
    }
    Ok(())
}

/// Refuses to rewrite a project whose journal holds changes a window session did not save:
/// writing the file would orphan them.
/// Loads and saves a project: the file in the current format version, the previous
/// versions kept as backups.
fn resave_cmd(project: &Path, backups: usize) -> Result<(), LoadError> {
    let _lock = lock_for_writing(project)?;
    no_pending_journal(project)?;
    // Re-anchors the spans of changed corpus files (and says what moved): the command to
    // run when `validate` reports a changed corpus file.
    let options = persist::LoadOptions {
        reanchor: true,
        ..persist::LoadOptions::CLI
    };
    let loaded = persist::load_project_with(project, options)?;
    say_warnings(project, &loaded);
    persist::save_project_keeping(&loaded.project, project, backups)?;
    outln!(
        "{}: saved in format version {}",
        project.display(),
        persist::FORMAT_VERSION
    );
    Ok(())
}

/// A spinner on stderr for work of unknown length (hidden when stderr is not a terminal).
fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn import_cmd(
    format: Format,
    paths: &[PathBuf],
    (output, into): (Option<&Path>, Option<&Path>),
    name: Option<&str>,
    annotator: Option<&str>,
    force: bool,
) -> Result<formats::Report, LoadError> {
    let target = output.or(into).unwrap_or(Path::new("project.ron"));
    if let Some(out) = output {
        refuse_overwrite(out, force, ", or --into to add to it")?;
    }
    let _lock = lock_for_writing(target)?;
    if let Some(p) = into {
        no_pending_journal(p)?;
    }
    let existing = into.map(load_named).transpose()?.map(|l| l.project);
    let bar = spinner(&format!("reading {} files…", format.name()));
    let result = formats::run::import_project(format, paths, target, name, existing, annotator);
    bar.finish_and_clear();
    let (_, corpus, report) = result?;
    outln!("{}: {}", target.display(), report);
    if let Some(c) = corpus {
        outln!(
            "texts without a file of their own were written to {}",
            c.path.display()
        );
    }
    Ok(report)
}

/// Runs an import or export and, with `--report FILE.json`, writes what it said there:
/// the counts and every note on success, the errors on failure (atomically; a report that
/// cannot be written is an error of its own).
fn with_report(
    path: Option<&Path>,
    command: &str,
    format: Format,
    run: impl FnOnce() -> Result<formats::Report, LoadError>,
) -> Result<(), LoadError> {
    let outcome = run();
    let Some(path) = path else {
        return outcome.map(|_| ());
    };
    let empty = formats::Report::default();
    let (report, errors) = match &outcome {
        Ok(r) => (r, &[][..]),
        Err(e) => (&empty, e.problems.as_slice()),
    };
    let json = report.to_json(command, format, errors);
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    persist::atomic::write_atomic(path, text.as_bytes()).map_err(|e| {
        Problem::new(
            ProblemKind::Io,
            path,
            format!("cannot write the report: {e}"),
        )
    })?;
    outcome.map(|_| ())
}

fn export_cmd(
    project: &Path,
    format: Format,
    output: &Path,
    selection: &formats::export::ExportFilter,
    split: Option<&str>,
    seed: u64,
    force: bool,
) -> Result<formats::Report, LoadError> {
    let loaded = load_named(project)?;
    let bar = spinner(&format!("writing {}…", format.name()));
    let run = formats::run::export_project(&loaded.project, format, output, selection, split, seed);
    bar.finish_and_clear();
    let mut run = run?;
    run.write(force)?;
    for (name, n, path) in &run.parts {
        outln!("{name}: {n} documents → {}", path.display());
    }
    outln!("{}: {}", output.display(), run.report);
    Ok(run.report)
}

/// Runs `f` with a progress bar on the terminal, cleared when it is done.
fn with_progress<T>(f: impl FnOnce(&crate::suggest::Control<'_>) -> T) -> T {
    let bar = indicatif::ProgressBar::new(1000);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let progress = |x: f32| bar.set_position((x * 1000.0) as u64);
    let out = f(&crate::suggest::Control {
        progress: &progress,
        cancel: &cancel,
    });
    bar.finish_and_clear();
    out
}

/// `suggest --with learned --evaluate`: the learned suggester's figures on this project,
/// read-only.
fn evaluate_cmd(path: &Path, with: &str, json: Option<&Path>) -> Result<(), LoadError> {
    if with.trim() != "learned" {
        return Err(Problem::new(
            ProblemKind::Invalid,
            Path::new("--evaluate"),
            "only the learned suggester can be evaluated: use --with learned --evaluate",
        )
        .into());
    }
    let project = load_named(path)?.project;
    let evaluation =
        with_progress(|control| crate::suggest::learned::evaluate::evaluate(&project, control))
            .map_err(|e| Problem::new(ProblemKind::Invalid, path, e))?;
    outln!("{}", evaluation.to_text().trim_end());
    if let Some(out) = json {
        let text = serde_json::to_string_pretty(&evaluation).unwrap_or_default();
        crate::persist::atomic::write_atomic(out, text.as_bytes())
            .map_err(|e| Problem::new(ProblemKind::Io, out, e.to_string()))?;
    }
    Ok(())
}

fn suggest_cmd(
    path: &Path,
    with: &str,
    set_command: Option<&str>,
    allow_command: bool,
) -> Result<(), LoadError> {
    let invalid = |e: String| Problem::new(ProblemKind::Invalid, Path::new("--with"), e);
    let mut wants_command = set_command.is_some();
    let rest: Vec<&str> = with
        .split(',')
        .map(str::trim)
        .filter(|s| {
            let is_command = *s == "command";
            wants_command |= is_command;
            !is_command
        })
        .collect();
    let mut suggesters: Vec<_> = crate::suggest::Suggester::parse_list(&rest.join(","))
        .map_err(invalid)?
        .into_iter()
        .map(|s| s.for_project(Some(path)))
        .collect();
    let _lock = lock_for_writing(path)?;
    no_pending_journal(path)?;
    let mut project = load_named(path)?.project;
    let mut changed = false;
    if let Some(command) = set_command {
        project
            .apply(crate::model::Edit::SetSuggestCommand(Some(
                command.to_owned(),
            )))
            .map_err(|e| Problem::new(ProblemKind::Invalid, path, e.to_string()))?;
        changed = true;
    }
    if wants_command {
        suggesters.push(command_suggester(
            path,
            &project,
            allow_command || set_command.is_some(),
        )?);
    }
    let (proposals, mut report) =
        with_progress(|control| crate::suggest::run(&project, &suggesters, control))?;
    if let Some(edit) = crate::suggest::suggestions_edit(&project, &proposals, &mut report) {
        project
            .apply(edit)
            .map_err(|e| Problem::new(ProblemKind::Invalid, path, e.to_string()))?;
        changed = true;
    }
    if changed {
        persist::save_project(&project, path)?;
    }
    outln!("{}: {report}", path.display());
    outln!(
        "{}",
        ProjectStats::of(&project)
            .to_string()
            .lines()
            .skip_while(|l| !l.starts_with("suggestions"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    Ok(())
}
