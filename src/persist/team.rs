//! A team's files: the team's project and, beside it, one project per annotator, so that a
//! team sharing its work through git never gets a merge conflict from two people annotating
//! (each commits only their own file):
//!
//! ```text
//! seed-news.ron                      the team's: schema, corpus, settings, suggestions
//! seed-news.annotations/anna.ron     anna's project: her spans, relations, statuses
//! seed-news.annotations/carl.ron
//! ```
//!
//! An annotator's file is an ordinary project file (it exports, validates and compares like
//! any other). Loading one also reads the team's file and takes what changed there (schema,
//! new documents: `Project::take_from_team`), so a schema change made in the team's file
//! reaches every annotator the next time they open their own. The team's folder is the
//! annotator file's folder for the question "does this project read files outside its
//! folder?": the corpus beside the team's file is the annotator's too.

use crate::model::Project;
use crate::model::team::TeamUpdate;
use crate::persist::paths::normalize;
use crate::persist::problem::{LoadError, Problem, ProblemKind};
use crate::persist::project_file::{LoadOptions, Loaded, load_one, save_project};
use std::path::{Path, PathBuf};

/// What the folder of a team's annotators' files is called after the team file's stem.
pub const MEMBERS_SUFFIX: &str = ".annotations";

/// `seed-news.ron` → `seed-news.annotations`.
pub fn members_dir(team: &Path) -> PathBuf {
    let team = normalize(team);
    let stem = team
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    team.with_file_name(format!("{stem}{MEMBERS_SUFFIX}"))
}

/// Whether `path` is a team's file: its annotators' folder exists beside it.
pub fn is_team(path: &Path) -> bool {
    team_of(path).is_none() && members_dir(path).is_dir()
}

/// The team file of an annotator's file (`x.annotations/anna.ron` → `x.ron`, when that
/// exists); `None` for any other project.
pub fn team_of(member: &Path) -> Option<PathBuf> {
    let member = normalize(member);
    let dir = member.parent()?;
    let name = dir.file_name()?.to_str()?;
    let stem = name.strip_suffix(MEMBERS_SUFFIX)?;
    let team = dir.with_file_name(format!("{stem}.ron"));
    team.is_file().then_some(team)
}

/// The file name an annotator's work is kept in: their name, with what file systems (or
/// git on another one) refuse replaced by `_`.
pub fn file_name_for(annotator: &str) -> String {
    let name: String = annotator
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches(|c| c == '.' || c == ' ');
    let name = if name.is_empty() { "annotator" } else { name };
    format!("{name}.ron")
}

/// Where `annotator`'s work on the team project `team` lives.
pub fn member_path(team: &Path, annotator: &str) -> PathBuf {
    members_dir(team).join(file_name_for(annotator))
}

/// The annotators' files of a team, sorted by name (an absent folder: none).
pub fn members(team: &Path) -> Result<Vec<PathBuf>, Problem> {
    let dir = members_dir(team);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Problem::io(&dir, &e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Problem::io(&dir, &e))?.path();
        if path.extension().is_some_and(|e| e == "ron") && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `annotator`'s file of the team project `team`, made from the team's project when it does
/// not exist yet (the corpus and pending suggestions, no spans). Returns the path and
/// whether it was made now.
pub fn join(team: &Path, annotator: &str) -> Result<(PathBuf, bool), LoadError> {
    let path = member_path(team, annotator);
    if path.is_file() {
        return Ok((path, false));
    }
    let loaded = load_one(team, LoadOptions::CLI)?;
    write_member(&loaded.project, annotator, &path)?;
    Ok((path, true))
}

/// Writes a new annotator's file from the team's project.
pub fn write_member(team: &Project, annotator: &str, path: &Path) -> Result<(), Problem> {
    let project = team.member_start(
        format!("{} · {}", team.name, annotator.trim()),
        annotator.trim(),
    );
    write_project(&project, path)
}

/// Writes an annotator's file, making the annotators' folder first.
pub fn write_project(project: &Project, path: &Path) -> Result<(), Problem> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Problem::io(dir, &e))?;
    }
    save_project(project, path)
}

/// The folder whose files a project may read without asking: the team's folder for an
/// annotator's file, its own folder for any other.
pub fn trusted_folder(path: &Path) -> PathBuf {
    let own = crate::persist::project_file::project_dir(path);
    match team_of(path) {
        Some(team) => crate::persist::project_file::project_dir(&team),
        None => own,
    }
}

/// After an annotator's file is loaded: takes what changed in the team's file. A team file
/// that does not load is a warning (the annotator's work opens as it is), never an error.
pub(crate) fn update_member(path: &Path, options: LoadOptions, loaded: &mut Loaded) {
    let Some(team) = team_of(path) else {
        return;
    };
    // Most openings find nothing new: the team's file is parsed, its corpus not read.
    if let Ok((schema, command, ids)) = crate::persist::project_file::peek(&team) {
        let p = &loaded.project;
        let have: std::collections::HashSet<&str> =
            p.documents.iter().map(|d| d.id.as_str()).collect();
        if schema == p.schema
            && command == p.suggest_command
            && ids.iter().all(|id| have.contains(id.as_str()))
        {
            loaded.team = Some(TeamUpdate::default());
            return;
        }
    }
    match load_one(&team, options) {
        Ok(t) => {
            let update = loaded.project.take_from_team(&t.project);
            if let Some(why) = &update.refused {
                loaded.warnings.push(Problem::new(
                    ProblemKind::Warning,
                    &team,
                    format!("the team's schema was not taken: {why}"),
                ));
            }
            loaded.team = Some(update);
        }
        Err(e) => {
            let first = e
                .problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            loaded.warnings.push(Problem::new(
                ProblemKind::Warning,
                &team,
                format!("the team's file did not load, so its changes were not taken: {first}"),
            ));
        }
    }
}

/// What giving a changed schema to the team's file did.
#[derive(Debug)]
pub struct Shared {
    pub update: TeamUpdate,
    /// The team's schema had changed since the annotator's file took it (a teammate's
    /// change, pulled meanwhile): both changes are in it, nothing of theirs removed.
    pub both: bool,
}

/// Gives the team's file the schema an annotator changed in their own file (from `base`,
/// the team's schema as their file last took it), so that it reaches the others (the
/// team's project keeps what of its old schema its own spans use). When the team's schema
/// is no longer `base`, a teammate changed it too: the annotator's schema is added to it,
/// never put in its place. Refused, with the reason, while the team's file is open for
/// editing elsewhere. `None`: not an annotator's file.
pub fn share_schema(
    member: &Path,
    base: &crate::model::Schema,
    schema: &crate::model::Schema,
) -> Result<Option<Shared>, Problem> {
    let Some(team) = team_of(member) else {
        return Ok(None);
    };
    let _lock = match crate::persist::lock::ProjectLock::acquire(&team) {
        Ok(lock) => Some(lock),
        Err(e @ crate::persist::lock::LockError::Held { .. }) => return Err(e.problem(&team)),
        Err(crate::persist::lock::LockError::Io(_)) => None,
    };
    if crate::persist::journal::pending(&team)?.is_some() {
        return Err(Problem::new(
            ProblemKind::Locked,
            &team,
            "holds changes a window did not save (its journal): open it to restore or \
             discard them first",
        ));
    }
    let mut loaded = load_one(&team, LoadOptions::CLI).map_err(|e| {
        e.problems.into_iter().next().unwrap_or_else(|| {
            Problem::new(ProblemKind::Invalid, &team, "the team's file did not load")
        })
    })?;
    let both = loaded.project.schema != *base;
    let mut wanted = schema.clone();
    if both {
        wanted = loaded.project.schema.clone();
        crate::model::team::union_schema(&mut wanted, schema);
    }
    let update = loaded.project.take_schema(&wanted);
    if let Some(why) = &update.refused {
        return Err(Problem::new(ProblemKind::Invalid, &team, why.clone()));
    }
    if update.schema {
        save_project(&loaded.project, &team)?;
    }
    Ok(Some(Shared { update, both }))
}

/// `user.name` from the user's git configuration (`~/.gitconfig` or
/// `$XDG_CONFIG_HOME/git/config`), read from the file: no process is started.
pub fn git_user_name() -> Option<String> {
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    [home.join(".gitconfig"), xdg.join("git/config")]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|text| user_name_in(&text))
}

/// The `name` of the `[user]` section of a git config file.
pub fn user_name_in(config: &str) -> Option<String> {
    let mut in_user = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_user = line.trim_start_matches('[').trim_end_matches(']').trim() == "user";
        } else if in_user
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            let name = value.trim().trim_matches('"').trim();
            return (!name.is_empty()).then(|| name.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_name_comes_from_the_user_section() {
        let config = "[core]\n\tname = not this\n[user]\n\temail = a@b.c\n\tname = Anna Lee\n[alias]\n\tst = status\n";
        assert_eq!(user_name_in(config).as_deref(), Some("Anna Lee"));
        assert_eq!(
            user_name_in("[user]\n  name = \"Ben\"\n").as_deref(),
            Some("Ben")
        );
        assert_eq!(user_name_in("[core]\nname = x\n"), None);
        assert_eq!(user_name_in("[user]\nname =\n"), None);
    }
}
