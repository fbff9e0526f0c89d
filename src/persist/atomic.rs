//! Atomic file replacement: a reader (or a crash) sees the old file or the new one, never a
//! mix or a truncated file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename
/// over the target, then fsync of the folder so the rename itself survives a power cut.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// What went wrong in [`write_atomic_then`]: the write itself, or what had to happen
/// before the new file replaces the old one.
#[derive(Debug)]
pub enum AtomicError {
    Write(std::io::Error),
    Before(std::io::Error),
}

/// Like [`write_atomic`], with `before` run once the new content is safely on disk and just
/// before it replaces `path` (backups rotate there, so a failed write never costs one). If
/// writing or `before` fails, the target is untouched and the temp file removed.
pub fn write_atomic_then(
    path: &Path,
    bytes: &[u8],
    before: impl FnOnce() -> std::io::Result<()>,
) -> Result<(), AtomicError> {
    let tmp = prepare(path, |f| f.write_all(bytes)).map_err(AtomicError::Write)?;
    tmp.as_file().sync_all().map_err(AtomicError::Write)?;
    before().map_err(AtomicError::Before)?;
    tmp.persist(path).map_err(|e| AtomicError::Write(e.error))?;
    sync_dir(parent_dir(path));
    Ok(())
}

/// Like [`write_atomic_then`], with the content streamed by `write`, which says whether the
/// new file should replace the old one (`false`: they are the same, nothing is renamed, the
/// temp file goes). Returns whether it was replaced.
pub fn write_atomic_streamed(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<bool>,
    before: impl FnOnce() -> std::io::Result<()>,
) -> Result<bool, AtomicError> {
    let mut replace = false;
    let tmp = prepare(path, |f| {
        replace = write(f)?;
        Ok(())
    })
    .map_err(AtomicError::Write)?;
    if !replace {
        return Ok(false);
    }
    tmp.as_file().sync_all().map_err(AtomicError::Write)?;
    before().map_err(AtomicError::Before)?;
    tmp.persist(path).map_err(|e| AtomicError::Write(e.error))?;
    sync_dir(parent_dir(path));
    Ok(true)
}

/// Like [`write_atomic`], with the content produced by `write` (streaming writers, and tests
/// that fail half-way). If `write` fails, the target is untouched and the temp file removed.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    replace_synced(path, write)?;
    sync_dir(parent_dir(path));
    Ok(())
}

/// Many files, each replaced atomically like [`write_atomic`], with each folder synced once
/// at the end rather than once per file (a brat export is thousands of files in one folder;
/// a folder sync per file made it disk-bound). Every file is the old or the new one at any
/// time; all are on disk when this returns. On an error, which file it was.
pub fn write_atomic_many<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8])>,
) -> Result<(), (&'a Path, std::io::Error)> {
    /// Files written before any is synced: the disk then gets them together.
    const BATCH: usize = 128;
    let mut dirs: Vec<&Path> = Vec::new();
    let mut batch: Vec<(&Path, tempfile::NamedTempFile)> = Vec::with_capacity(BATCH);
    let mut files = files.into_iter().peekable();
    while files.peek().is_some() {
        for (path, bytes) in files.by_ref().take(BATCH) {
            let tmp = prepare(path, |f| f.write_all(bytes)).map_err(|e| (path, e))?;
            batch.push((path, tmp));
            let dir = parent_dir(path);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for (path, tmp) in &batch {
            tmp.as_file().sync_all().map_err(|e| (*path, e))?;
        }
        for (path, tmp) in batch.drain(..) {
            tmp.persist(path).map_err(|e| (path, e.error))?;
        }
    }
    for dir in dirs {
        sync_dir(dir);
    }
    Ok(())
}

/// A temporary file already written beside `path` (a spooled export) replaces it like
/// [`write_atomic`]: synced, given the replaced file's permissions, renamed, folder synced.
pub fn persist_written(tmp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        Err(_) => set_default_permissions(tmp.as_file()),
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(parent_dir(path));
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The temporary file written, synced and renamed over `path` (the folder not synced).
fn replace_synced(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = prepare(path, write)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The temporary file beside `path`, written (not synced), with the permissions the
/// replaced file had.
fn prepare(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    // Keep the permissions of the file we replace (a shared, group-writable project stays so);
    // a new file gets the usual rw-r--r-- rather than the temp file's private rw-------.
    match std::fs::metadata(path) {
        Ok(meta) => {
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        Err(_) => set_default_permissions(tmp.as_file()),
    }
    Ok(tmp)
}

#[cfg(unix)]
fn set_default_permissions(file: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_default_permissions(_file: &std::fs::File) {}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Best effort: some file systems refuse fsync on directories; the data is already safe.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.ron");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(
                mode, 0o644,
                "a new file is readable by others, like any saved file"
            );
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.ron");
        write_atomic(&p, b"old content").unwrap();
        let failed = write_atomic_with(&p, |f| {
            f.write_all(b"half of the new")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old content");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temp file is cleaned up");
    }

    #[test]
    fn many_files_are_written_and_no_temp_files_remain() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let paths: Vec<_> = (0..5).map(|i| sub.join(format!("{i}.txt"))).collect();
        write_atomic(&paths[0], b"old").unwrap();
        let contents: Vec<Vec<u8>> = (0..5).map(|i| format!("new {i}").into_bytes()).collect();
        write_atomic_many(
            paths
                .iter()
                .zip(&contents)
                .map(|(p, c)| (p.as_path(), c.as_slice())),
        )
        .unwrap();
        for (p, c) in paths.iter().zip(&contents) {
            assert_eq!(&std::fs::read(p).unwrap(), c);
        }
        assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 5);
        let missing = dir.path().join("nowhere/x.txt");
        let (failed, _) = write_atomic_many([(missing.as_path(), &b"x"[..])]).unwrap_err();
        assert_eq!(failed, missing.as_path());
    }
}
