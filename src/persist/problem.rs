//! What went wrong with a file, and where: the one error type every loader reports, so the
//! window and the CLI print the same `file:line:col: message` lines.

use std::fmt;
use std::path::{Path, PathBuf};

/// The kind of a problem, for callers (and tests) that react to one kind in particular.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file could not be read or written.
    Io,
    /// Not valid RON or JSON, or a value of the wrong shape.
    Syntax,
    /// Written by a newer Marginalia.
    NewerVersion,
    /// A corpus file named by the project does not exist.
    MissingCorpus,
    /// A file that must be UTF-8 text is not.
    NotUtf8,
    /// A span's stored text differs from the corpus text at its offsets.
    SpanMismatch,
    /// Anything else that makes the project inconsistent (unknown label, duplicate id...).
    Invalid,
    /// Corpus paths that leave the project's folder tree: an error until the user consents
    /// (the window asks; a project received from someone else must not read arbitrary
    /// files), then a warning of this kind.
    OutsideFolder,
    /// Not an error: something the user should know (a corpus file changed, but all spans
    /// still match).
    Warning,
    /// Another window or command holds the project's lock (see `persist::lock`).
    Locked,
    /// The project file changed on disk since it was opened (or last saved): saving would
    /// overwrite someone else's work.
    ChangedOnDisk,
}

/// One problem, located as precisely as we can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub file: PathBuf,
    /// 1-based line, when it applies.
    pub line: Option<usize>,
    /// 1-based column in characters, when it applies.
    pub col: Option<usize>,
    pub message: String,
    /// The document and span it is about, when it is about one (import and export
    /// reports). Boxed: most problems have none, and a problem travels in every `Result`.
    pub about: Option<Box<About>>,
}

/// The document and span a problem is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct About {
    pub doc: Option<String>,
    /// The span (its id in the project, when it has one) and its byte offsets.
    pub span: Option<ProblemSpan>,
}

/// Where a problem's span is: its id (spans being imported have none yet) and byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemSpan {
    pub id: Option<u64>,
    pub start: usize,
    pub end: usize,
}

impl Problem {
    pub fn new(kind: ProblemKind, file: &Path, message: impl Into<String>) -> Self {
        Self {
            kind,
            file: file.to_owned(),
            line: None,
            col: None,
            message: message.into(),
            about: None,
        }
    }

    /// Says which document it is about.
    pub fn in_doc(mut self, doc: &str) -> Self {
        self.about.get_or_insert_default().doc = Some(doc.to_owned());
        self
    }

    /// Says which span it is about (`id`: in the project, when it has one).
    pub fn on_span(mut self, id: Option<u64>, start: usize, end: usize) -> Self {
        self.about.get_or_insert_default().span = Some(ProblemSpan { id, start, end });
        self
    }

    /// The kind as a word, for reports a program reads.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ProblemKind::Io => "io",
            ProblemKind::Syntax => "syntax",
            ProblemKind::NewerVersion => "newer_version",
            ProblemKind::MissingCorpus => "missing_corpus",
            ProblemKind::NotUtf8 => "not_utf8",
            ProblemKind::SpanMismatch => "span_mismatch",
            ProblemKind::Invalid => "invalid",
            ProblemKind::OutsideFolder => "outside_folder",
            ProblemKind::Warning => "warning",
            ProblemKind::Locked => "locked",
            ProblemKind::ChangedOnDisk => "changed_on_disk",
        }
    }

    /// The problem as a JSON object: kind, file, line, column, document, span, message.
    pub fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("kind".into(), self.kind_name().into());
        o.insert("file".into(), self.file.display().to_string().into());
        o.insert("line".into(), self.line.into());
        o.insert("column".into(), self.col.into());
        let about = self.about.as_deref();
        o.insert("document".into(), about.and_then(|a| a.doc.clone()).into());
        let span = about
            .and_then(|a| a.span.as_ref())
            .map(|s| serde_json::json!({"id": s.id, "start": s.start, "end": s.end}));
        o.insert("span".into(), span.unwrap_or(serde_json::Value::Null));
        o.insert("message".into(), self.message.clone().into());
        serde_json::Value::Object(o)
    }

    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.line = Some(line);
        self.col = Some(col);
        self
    }

    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// A JSON syntax error in one line of a JSONL file (`line`, 1-based), located at its
    /// column. serde_json counts lines within the text it was given, so its own " at line 1
    /// column C" is dropped from the message: the location says it.
    pub fn json(file: &Path, line: usize, err: &serde_json::Error, expected: &str) -> Self {
        let full = err.to_string();
        let what = full.split(" at line ").next().unwrap_or(&full);
        let message = if expected.is_empty() {
            format!("not valid JSON: {what}")
        } else {
            format!("{what} (expected {expected})")
        };
        Self::new(ProblemKind::Syntax, file, message).at(line, err.column().max(1))
    }

    pub fn io(file: &Path, err: &std::io::Error) -> Self {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => err.to_string(),
        };
        Self::new(ProblemKind::Io, file, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A load or check that failed, with every problem found (not just the first), so one run of
/// `marginalia validate` tells the whole story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl LoadError {
    pub fn one(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
        }
    }

    /// `Ok(value)` when no problem was found, else all of them: the end of every reader
    /// that collects problems and goes on reading.
    pub fn or_ok<T>(problems: Vec<Problem>, value: T) -> Result<T, LoadError> {
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(LoadError { problems })
        }
    }

    pub fn has(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|p| p.kind == kind)
    }
}

impl From<Problem> for LoadError {
    fn from(p: Problem) -> Self {
        Self::one(p)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 50;
        for (i, p) in self.problems.iter().take(SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        if self.problems.len() > SHOWN {
            write!(f, "\n… and {} more problems", self.problems.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_print_as_file_line_col() {
        let p = Problem::new(ProblemKind::Syntax, Path::new("p.ron"), "expected `)`").at(3, 14);
        assert_eq!(p.to_string(), "p.ron:3:14: expected `)`");
        let p = Problem::new(ProblemKind::Io, Path::new("a.txt"), "file not found");
        assert_eq!(p.to_string(), "a.txt: file not found");
    }
}
