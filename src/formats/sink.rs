//! Where an exporter writes a file: in memory while it is small, then, past a few
//! megabytes, into the temporary file beside the target that the atomic write renames into
//! place. A big export (half a gigabyte of Label Studio JSON for 10,000 articles) so never
//! sits in memory whole beside the project it comes from; a small one stays a `String` for
//! the window and the tests.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Past this much text, the rest goes to disk as it is made.
pub const SPILL_BYTES: usize = 8 << 20;

/// An exported file being written.
pub struct Sink {
    target: PathBuf,
    /// UTF-8 as a whole (what is pushed is text; `io::Write` is serde_json's).
    buf: Vec<u8>,
    spill_at: usize,
    /// The temporary file beside the target, once the text outgrew memory.
    spool: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
    /// Why the spool could not be written (the text then stays in memory, and the error is
    /// reported when the file is written).
    failed: Option<std::io::Error>,
}

/// A finished export file: its text, or the temporary file that holds it.
pub enum Body {
    Text(String),
    Spooled(tempfile::NamedTempFile),
}

impl Sink {
    pub fn new(target: &Path) -> Self {
        Self::spilling_at(target, SPILL_BYTES)
    }

    /// A sink that goes to disk past `bytes` (tests use a small figure).
    pub fn spilling_at(target: &Path, bytes: usize) -> Self {
        Self {
            target: target.to_owned(),
            buf: Vec::new(),
            spill_at: bytes,
            spool: None,
            failed: None,
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    fn push_bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= self.spill_at && self.failed.is_none() {
            self.spill();
        }
    }

    /// Moves what is buffered to the temporary file beside the target (made now if need
    /// be). A folder that does not exist yet, or cannot take the file, keeps the text in
    /// memory: the write later makes the folder or says what is wrong.
    fn spill(&mut self) {
        if self.spool.is_none() {
            let dir = match self.target.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
                _ => PathBuf::from("."),
            };
            let name = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .tempfile_in(&dir)
            {
                Ok(f) => self.spool = Some(std::io::BufWriter::with_capacity(1 << 20, f)),
                Err(_) => {
                    // No such folder yet: try again at the next spill, in memory meanwhile.
                    self.spill_at = self.spill_at.saturating_mul(2);
                    return;
                }
            }
        }
        if let Some(spool) = &mut self.spool
            && let Err(e) = spool.write_all(&self.buf)
        {
            self.failed = Some(e);
            return;
        }
        self.buf.clear();
    }

    /// Something could not be written into the file: the whole export is refused (a file
    /// with half a line is worse than none).
    pub fn fail(&mut self, e: std::io::Error) {
        self.failed.get_or_insert(e);
    }

    /// The file as written: text in memory, or the temporary file with all of it.
    pub fn finish(mut self) -> std::io::Result<Body> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        match self.spool.take() {
            None => String::from_utf8(self.buf)
                .map(Body::Text)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Some(mut spool) => {
                spool.write_all(&self.buf)?;
                let file = spool.into_inner().map_err(|e| e.into_error())?;
                Ok(Body::Spooled(file))
            }
        }
    }
}

/// For serializers that write straight into the file (`serde_json::to_writer`): a big
/// text is then never copied into a JSON string first.
impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push_bytes(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_stays_in_memory_and_a_big_one_goes_beside_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let mut small = Sink::spilling_at(&target, 100);
        small.push_str("{\"a\":1}\n");
        assert!(matches!(small.finish().unwrap(), Body::Text(t) if t == "{\"a\":1}\n"));

        let mut big = Sink::spilling_at(&target, 100);
        let line = "{\"text\":\"Anna said no.\"}\n";
        for _ in 0..50 {
            big.push_str(line);
        }
        let Body::Spooled(file) = big.finish().unwrap() else {
            panic!("spooled");
        };
        assert_eq!(file.path().parent(), Some(dir.path()), "beside the target");
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert_eq!(text, line.repeat(50));
        let temp = file.path().to_owned();
        drop(file);
        assert!(
            !temp.exists(),
            "a spool never written to its target goes away"
        );
    }

    #[test]
    fn a_target_folder_that_does_not_exist_yet_keeps_the_text_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("not/yet/out.jsonl");
        let mut sink = Sink::spilling_at(&target, 10);
        sink.push_str(&"x".repeat(100));
        assert!(matches!(sink.finish().unwrap(), Body::Text(t) if t.len() == 100));
    }
}
