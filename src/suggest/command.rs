//! A user's own model as a suggester: a shell command that reads the documents as JSONL on
//! stdin (`{"id", "text", "meta"}`, one per line) and writes predictions as JSONL on stdout,
//! in the format [`super::predictions`] reads (`{"id", "spans": [{"start", "end", "label",
//! "score"?}], "relations"?: [..]}`, code point offsets).
//!
//! The command runs in the project's folder, through `sh -c` (`cmd /C` on Windows), off the
//! UI thread. Whether it may run at all is decided before, by [`super::consent`]: a project
//! received from someone else must not run anything the user has not allowed.

use crate::formats::Report;
use crate::model::Project;
use crate::persist::{LoadError, Problem, ProblemKind};
use crate::suggest::{Control, Proposal, predictions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The source of suggestions whose line names none.
pub const DEFAULT_SOURCE: &str = "command";
/// How much of the command's stderr is kept for messages.
const STDERR_KEPT: usize = 4000;

/// Runs `command` in `dir` over every document of the project and reads its predictions.
pub fn suggest(
    project: &Project,
    command: &str,
    dir: &Path,
    control: &Control<'_>,
    report: &mut Report,
) -> Result<Vec<Proposal>, LoadError> {
    // Messages about the output name the command, as they would name a file.
    let label = PathBuf::from(format!("`{command}`"));
    let fail = |msg: String| LoadError::from(Problem::new(ProblemKind::Io, &label, msg));
    let mut child = shell(command)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            fail(format!(
                "cannot start the command in {}: {e}",
                dir.display()
            ))
        })?;
    let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        kill(&mut child);
        return Err(fail("cannot talk to the command (no pipes)".to_owned()));
    };
    let total = project.documents.len().max(1) as f32;
    let (lines_tx, lines_rx) = mpsc::channel::<std::io::Result<String>>();
    let outcome = std::thread::scope(|scope| {
        // Documents go in on one thread while output is read on another: a command that
        // answers line by line would otherwise block on a full pipe.
        scope.spawn(move || {
            for d in &project.documents {
                let line = serde_json::json!({"id": d.id, "text": &*d.text, "meta": d.meta});
                // A command that stops reading early is not an error here; its exit says.
                if writeln!(stdin, "{line}").is_err() {
                    break;
                }
            }
        });
        let errors = scope.spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        scope.spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut output = String::new();
        let mut received = 0usize;
        loop {
            if control.cancelled() {
                kill(&mut child);
                return Err(fail("cancelled".to_owned()));
            }
            match lines_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Ok(line)) => {
                    output.push_str(&line);
                    output.push('\n');
                    received += 1;
                    (control.progress)((received as f32 / total).min(0.99));
                }
                Ok(Err(e)) => {
                    kill(&mut child);
                    return Err(fail(format!("its output is not UTF-8 text: {e}")));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child
            .wait()
            .map_err(|e| fail(format!("waiting for the command: {e}")))?;
        let errors = errors.join().unwrap_or_default();
        Ok((status, output, errors))
    });
    let (status, output, errors) = outcome?;
    let errors = tail(errors.trim(), STDERR_KEPT);
    if !status.success() {
        let said = if errors.is_empty() {
            String::new()
        } else {
            format!(":\n{errors}")
        };
        return Err(fail(format!("the command failed ({status}){said}")));
    }
    if !errors.is_empty() {
        report.note(&label, None, format!("the command said:\n{errors}"));
    }
    predictions::parse_lines(project, &output, &label, DEFAULT_SOURCE, report)
}

#[cfg(not(windows))]
fn shell(command: &str) -> std::process::Command {
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(command);
    c
}

#[cfg(windows)]
fn shell(command: &str) -> std::process::Command {
    let mut c = std::process::Command::new("cmd");
    c.arg("/C").arg(command);
    c
}

/// Stops the command; it may already have ended, which is fine.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The last `max` bytes of `text` (on a character boundary): the end of a traceback is the
/// part that says what went wrong.
fn tail(text: &str, max: usize) -> &str {
    let mut from = text.len().saturating_sub(max);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text.get(from..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("abc", 10), "abc");
        assert_eq!(tail("aé", 1), "");
        assert_eq!(tail("aéb", 2), "b");
        assert_eq!(tail("aéb", 3), "éb");
    }
}
