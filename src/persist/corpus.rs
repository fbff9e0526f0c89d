//! Reading corpus files: folders of `.txt` files and JSONL corpora (`{"id"?, "text",
//! "meta"?}` per line). The text is never copied into the project; the project records each
//! document's path, hash and length.

use crate::model::text::line_col;
use crate::model::{DocSource, Document, Project, Schema};
use crate::persist::paths::normalize;
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused with a clear message instead of exhausting memory.
pub const MAX_CORPUS_FILE_BYTES: u64 = 1 << 30;

/// The hash of a document's text.
pub fn hash_text(text: &str) -> crate::model::TextHash {
    crate::model::TextHash::of(text)
}

/// `sha256:<hex>` of any bytes (a project file, for the journal).
pub fn hash_bytes(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// Reads a file as UTF-8 text. A leading byte order mark is dropped (offsets count from the
/// first character after it); anything that is not UTF-8 is reported with its line and column.
pub fn read_text_file(path: &Path) -> Result<String, Problem> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    // Read with a bound, whatever the file became since it was looked at.
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_CORPUS_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| Problem::io(path, &e))?;
    if bytes.len() as u64 > MAX_CORPUS_FILE_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    text_from_bytes(path, bytes)
}

/// Opens a file Marginalia reads (a project, a corpus file): an ordinary file (a link to
/// one is fine) of at most [`MAX_CORPUS_FILE_BYTES`]. A device (`/dev/zero` grows without
/// end), a named pipe (a read that never returns), a folder or a socket is refused before
/// it is opened, with what it is.
pub fn open_regular(path: &Path) -> Result<std::fs::File, Problem> {
    let meta = std::fs::metadata(path).map_err(|e| Problem::io(path, &e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "a device, a pipe or a socket"
        };
        return Err(Problem::new(
            ProblemKind::Io,
            path,
            format!("is {what}, not an ordinary file; it is not read"),
        ));
    }
    if meta.len() > MAX_CORPUS_FILE_BYTES {
        return Err(too_big(path, meta.len()));
    }
    std::fs::File::open(path).map_err(|e| Problem::io(path, &e))
}

fn too_big(path: &Path, len: u64) -> Problem {
    Problem::new(
        ProblemKind::Io,
        path,
        format!(
            "file is {} MB; corpus files larger than {} MB are not supported (split it)",
            len >> 20,
            MAX_CORPUS_FILE_BYTES >> 20
        ),
    )
}

/// UTF-8 decoding with a located error. The byte offset in the message counts from the
/// start of the file (byte order mark included); UTF-16 files and binary files are named as
/// such, since "invalid byte" alone would puzzle someone who saved their text as UTF-16.
pub fn text_from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<String, Problem> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
        3
    } else {
        0
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = std::str::from_utf8(bytes.get(..valid_up_to).unwrap_or_default()).unwrap_or("");
        let (line, col) = line_col(prefix, prefix.len());
        let bad = bytes.get(valid_up_to).copied().unwrap_or(0);
        let offset = valid_up_to + bom;
        let head = bytes.get(..8192).unwrap_or(&bytes);
        let message = if bom == 0 && (bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")) {
            "not UTF-8 text: this file is UTF-16 (it starts with a UTF-16 byte order mark); re-save it as UTF-8".to_owned()
        } else if memchr::memchr(0, head).is_some() {
            format!("not UTF-8 text: invalid byte 0x{bad:02x} (byte offset {offset}) and NUL bytes; this looks like a binary file, not text")
        } else {
            format!("not UTF-8 text: invalid byte 0x{bad:02x} (byte offset {offset}); re-save the file as UTF-8")
        };
        Problem::new(ProblemKind::NotUtf8, path, message).at(line, col)
    })
}

/// One line of a JSONL corpus.
#[derive(Debug, Clone)]
pub struct JsonlDoc {
    /// 1-based line number in the file.
    pub line: usize,
    pub id: Option<String>,
    pub text: String,
    pub meta: crate::model::attrs::Meta,
}

#[derive(serde::Deserialize)]
struct JsonlRecord {
    #[serde(default)]
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    meta: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Parses a JSONL corpus; every malformed line is reported with its number. The file is
/// read a line at a time, so a 100 MB corpus never sits in memory twice.
pub fn read_jsonl(path: &Path) -> Result<Vec<JsonlDoc>, LoadError> {
    let mut docs = Vec::new();
    for_each_jsonl_doc(path, |d| docs.push(d))?;
    Ok(docs)
}

/// Calls `f` with each document of a JSONL corpus as it is read (an import keeps only what
/// it makes of them, not a list of them too); every malformed line is reported with its
/// number.
pub fn for_each_jsonl_doc(path: &Path, mut f: impl FnMut(JsonlDoc)) -> Result<(), LoadError> {
    let problems = jsonl_records(path, |line, rec: JsonlRecord| {
        f(JsonlDoc {
            line,
            id: rec.id.map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
            text: rec.text,
            meta: rec
                .meta
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect(),
        });
    })?;
    LoadError::or_ok(problems, ())
}

/// Only the texts of a JSONL corpus, by line: what loading a project needs of it (its ids and
/// meta are in the project file). Skipping them makes `validate` of a JSONL-backed project a
/// third faster.
pub fn read_jsonl_texts(path: &Path) -> Result<HashMap<usize, String>, LoadError> {
    #[derive(serde::Deserialize)]
    struct TextOnly {
        text: String,
    }
    let mut texts = HashMap::new();
    let problems = jsonl_records(path, |line, rec: TextOnly| {
        texts.insert(line, rec.text);
    })?;
    LoadError::or_ok(problems, texts)
}

/// Calls `f` with each record of a JSONL file; returns the malformed lines' problems.
fn jsonl_records<R: serde::de::DeserializeOwned>(
    path: &Path,
    mut f: impl FnMut(usize, R),
) -> Result<Vec<Problem>, Problem> {
    let mut problems = Vec::new();
    for_each_jsonl_line(path, |line_no, line| {
        if line.trim().is_empty() {
            return;
        }
        match serde_json::from_str::<R>(line) {
            Ok(rec) => f(line_no, rec),
            Err(e) => problems.push(Problem::json(
                path,
                line_no,
                &e,
                r#"{"id"?, "text", "meta"?}"#,
            )),
        }
    })?;
    Ok(problems)
}

/// Calls `f` with each line of a UTF-8 text file (see [`TextLines`]).
fn for_each_jsonl_line(path: &Path, mut f: impl FnMut(usize, &str)) -> Result<(), Problem> {
    let mut lines = TextLines::open(path)?;
    while let Some(line) = lines.next_line() {
        let (n, text) = line?;
        f(n, text);
    }
    Ok(())
}

/// The lines of a UTF-8 text file, read as they are asked for (a JSONL corpus or export never
/// sits in memory whole): each with its 1-based number, without its `\n` or `\r\n`, a leading
/// byte order mark dropped. The same checks and messages as [`read_text_file`]: too big, or
/// not UTF-8 (located); after a problem there are no more lines.
pub(crate) struct TextLines<'a> {
    path: &'a Path,
    reader: Option<std::io::BufReader<std::io::Take<std::fs::File>>>,
    buf: Vec<u8>,
    line: usize,
}

impl<'a> TextLines<'a> {
    pub(crate) fn open(path: &'a Path) -> Result<Self, Problem> {
        let file = std::io::Read::take(open_regular(path)?, MAX_CORPUS_FILE_BYTES);
        Ok(Self {
            path,
            reader: Some(std::io::BufReader::with_capacity(1 << 20, file)),
            buf: Vec::new(),
            line: 0,
        })
    }

    /// The next line, `None` at the end.
    pub(crate) fn next_line(&mut self) -> Option<Result<(usize, &str), Problem>> {
        use std::io::BufRead;
        let reader = self.reader.as_mut()?;
        self.buf.clear();
        match reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.reader = None;
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                self.reader = None;
                return Some(Err(Problem::io(self.path, &e)));
            }
        }
        self.line += 1;
        let mut bytes = self.buf.as_slice();
        if self.line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes = bytes.get(3..).unwrap_or_default();
        }
        let Ok(line) = std::str::from_utf8(bytes) else {
            // Not UTF-8: the whole file read the usual way says where, and what it looks like.
            self.reader = None;
            return Some(Err(match read_text_file(self.path) {
                Err(p) => p,
                Ok(_) => Problem::new(ProblemKind::NotUtf8, self.path, "not UTF-8 text"),
            }));
        };
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(Ok((self.line, line.strip_suffix('\r').unwrap_or(line))))
    }
}

/// Every `.txt` file below `dir` (hidden folders skipped), sorted so that a project built
/// twice from the same folder is identical.
pub fn list_text_files(dir: &Path) -> Result<Vec<PathBuf>, Problem> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Problem::io(&d, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Problem::io(&d, &e))?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if hidden {
                continue;
            }
            if is_dir {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Documents for every `.txt` file in a folder. Problems in any file are all reported.
pub fn documents_from_folder(dir: &Path) -> Result<Vec<Document>, LoadError> {
    let files = list_text_files(dir)?;
    if files.is_empty() {
        return Err(Problem::new(ProblemKind::Io, dir, "no .txt files in this folder").into());
    }
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        match read_text_file(&path) {
            Ok(text) => {
                let id = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .with_extension("")
                    .to_string_lossy()
                    .replace('\\', "/");
                let hash = hash_text(&text);
                docs.push(Document::new(
                    id,
                    DocSource::TextFile(normalize(&path)),
                    hash,
                    Arc::from(text),
                ));
            }
            Err(p) => problems.push(p),
        }
    }
    LoadError::or_ok(problems, docs)
}

/// Documents for every line of a JSONL corpus.
pub fn documents_from_jsonl(path: &Path) -> Result<Vec<Document>, LoadError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let records = read_jsonl(path)?;
    if records.is_empty() {
        return Err(Problem::new(ProblemKind::Io, path, "no documents in this JSONL file").into());
    }
    let abs: Arc<Path> = Arc::from(normalize(path));
    let mut seen = std::collections::HashSet::new();
    Ok(records
        .into_iter()
        .map(|r| {
            let id = r.id.unwrap_or_else(|| format!("{stem}-{}", r.line));
            // Exports name files and records by id: a repeated one gets its line number
            // (the id as written stays in the file, which the project never changes).
            let id = if seen.insert(id.clone()) {
                id
            } else {
                let unique = format!("{id}@line{}", r.line);
                seen.insert(unique.clone());
                unique
            };
            let hash = hash_text(&r.text);
            let mut doc = Document::new(
                id,
                DocSource::JsonlLine {
                    path: Arc::clone(&abs),
                    line: r.line,
                },
                hash,
                Arc::from(r.text),
            );
            doc.meta = r.meta;
            doc
        })
        .collect())
}

/// A new project over a folder of `.txt` files or a `.jsonl` corpus, with the default schema.
pub fn new_project(corpus: &Path, name: Option<&str>) -> Result<Project, LoadError> {
    let meta = std::fs::metadata(corpus).map_err(|e| Problem::io(corpus, &e))?;
    let docs = if meta.is_dir() {
        documents_from_folder(corpus)?
    } else {
        documents_from_jsonl(corpus)?
    };
    let name = name.map(str::to_owned).unwrap_or_else(|| {
        normalize(corpus)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Untitled".to_owned())
    });
    Ok(Project::new(name, Schema::default(), docs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_is_located() {
        let e = text_from_bytes(Path::new("a.txt"), b"ok\nab\xffcd".to_vec()).unwrap_err();
        assert_eq!(e.kind, ProblemKind::NotUtf8);
        assert_eq!((e.line, e.col), (Some(2), Some(3)));
        assert!(e.to_string().starts_with("a.txt:2:3: not UTF-8"), "{e}");
    }

    #[test]
    fn bom_is_dropped() {
        let t = text_from_bytes(Path::new("a.txt"), b"\xEF\xBB\xBFHarris".to_vec()).unwrap();
        assert_eq!(t, "Harris");
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(
            hash_text("abc").to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn jsonl_reports_every_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        std::fs::write(&p, "{\"text\": \"a\"}\nnot json\n\n{\"id\": 7}\n{\"id\": 3, \"text\": \"b\", \"meta\": {\"src\": \"x\"}}\n").unwrap();
        let e = read_jsonl(&p).unwrap_err();
        let lines: Vec<_> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(4)]);
        std::fs::write(&p, b"{\"text\": \"\xff\"}\n").unwrap();
        let e = read_jsonl(&p).unwrap_err();
        assert_eq!(e.problems[0].kind, ProblemKind::NotUtf8);
        assert_eq!((e.problems[0].line, e.problems[0].col), (Some(1), Some(11)));
        std::fs::write(&p, "\u{feff}{\"text\": \"a\"}\r\n\r\n{\"text\": \"b\"}").unwrap();
        let docs = read_jsonl(&p).unwrap();
        assert_eq!((docs[1].line, docs[1].text.as_str()), (3, "b"));
        std::fs::write(
            &p,
            "{\"text\": \"a\"}\n{\"id\": 3, \"text\": \"b\", \"meta\": {\"src\": \"x\"}}\n",
        )
        .unwrap();
        let docs = documents_from_jsonl(&p).unwrap();
        assert_eq!(docs[0].id, "c-1");
        assert_eq!(docs[1].id, "3");
        assert_eq!(docs[1].meta.get("src"), Some("x"));
    }
}
