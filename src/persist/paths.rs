//! Corpus paths: stored relative to the project file (so a project folder can be moved or
//! checked into git), held absolute in memory.

use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute (against the current directory) and removes `.` and `..`
/// lexically, without touching the file system (the file may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `target` relative to the folder `base`, with `/` separators on every platform so project
/// files written on Windows and Linux are identical. Falls back to the absolute path when
/// they share no root (another drive).
pub fn relative_to(base: &Path, target: &Path) -> String {
    let base = normalize(base);
    let target = normalize(target);
    let b: Vec<_> = base.components().collect();
    let t: Vec<_> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); b.len() - common];
    parts.extend(
        t.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Resolves a stored path against the project folder.
pub fn resolve(base: &Path, stored: &str) -> PathBuf {
    normalize(&base.join(stored))
}

/// A path as a person reads it in a message: under the home folder, `~/…`.
pub fn for_display(path: &Path) -> String {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute());
    match home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_round_trip() {
        let base = Path::new("/work/p/projects");
        let target = Path::new("/work/p/assets/corpus/a.txt");
        let rel = relative_to(base, target);
        assert_eq!(rel, "../assets/corpus/a.txt");
        assert_eq!(resolve(base, &rel), target);
        assert_eq!(
            relative_to(base, Path::new("/work/p/projects/x/b.txt")),
            "x/b.txt"
        );
    }

    #[test]
    fn normalize_removes_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
