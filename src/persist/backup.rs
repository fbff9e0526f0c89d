//! Backups of the project file: before a save replaces it, the version on disk becomes
//! `<file>.bak1`, the one before `<file>.bak2`, and so on, keeping the last N (3 unless the
//! user says otherwise). A save that was a mistake, or a file damaged by something outside
//! Marginalia, can then be undone from the folder.

use std::path::{Path, PathBuf};

/// How many earlier versions a save keeps unless told otherwise.
pub const DEFAULT_BACKUPS: usize = 3;

/// `<file>.bak<n>`, n from 1 (the newest).
pub fn backup_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".bak{n}"));
    PathBuf::from(name)
}

/// Shifts the backups of `path` by one and makes the file as it is now the newest, keeping
/// `keep` of them (unless it is the newest already). Nothing to do for a file that does not exist yet. The current file is
/// hard-linked (copied where links are not possible), never moved: until the new version
/// replaces it atomically, the project file stays where it is.
pub fn rotate(path: &Path, keep: usize) -> std::io::Result<()> {
    if keep == 0 || !path.exists() {
        return Ok(());
    }
    // The version on disk is the newest backup already: a second copy would only push an
    // older, different version out.
    if let (Ok(now), Ok(newest)) = (std::fs::read(path), std::fs::read(backup_path(path, 1)))
        && now == newest
    {
        return Ok(());
    }
    match std::fs::remove_file(backup_path(path, keep)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    for n in (1..keep).rev() {
        let from = backup_path(path, n);
        if from.exists() {
            std::fs::rename(&from, backup_path(path, n + 1))?;
        }
    }
    let newest = backup_path(path, 1);
    if std::fs::hard_link(path, &newest).is_err() {
        std::fs::copy(path, &newest)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_versions_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.ron");
        rotate(&p, 3).unwrap();
        assert!(!backup_path(&p, 1).exists(), "nothing to back up yet");
        for v in 1..=5 {
            std::fs::write(&p, format!("v{v}")).unwrap();
            rotate(&p, 3).unwrap();
            // As a save does: the new version replaces the file (a new inode).
            let tmp = dir.path().join("tmp");
            std::fs::write(&tmp, format!("v{}", v + 1)).unwrap();
            std::fs::rename(&tmp, &p).unwrap();
        }
        let read = |n| std::fs::read_to_string(backup_path(&p, n)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "v6");
        assert_eq!(
            (read(1), read(2), read(3)),
            ("v5".into(), "v4".into(), "v3".into())
        );
        assert!(!backup_path(&p, 4).exists());
        rotate(&p, 0).unwrap();
        assert_eq!(
            read(1),
            "v5",
            "keep = 0 keeps nothing new and touches nothing"
        );
    }
}
