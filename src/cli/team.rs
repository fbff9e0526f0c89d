//! `marginalia join`: an annotator's own file of a team project (see `persist::team`), and
//! team projects named where annotators' files are expected (`agree`, `adjudicate`).

use super::output::write_out;
use crate::persist::team;
use crate::persist::{LoadError, Problem, ProblemKind};
use std::path::{Path, PathBuf};

/// Makes (or finds) `annotator`'s file of the team project `project`; a project without an
/// annotators' folder becomes a team project this way.
pub(super) fn join_cmd(project: &Path, annotator: Option<&str>) -> Result<(), LoadError> {
    let name = annotator
        .map(str::to_owned)
        .or_else(team::git_user_name)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            Problem::new(
                ProblemKind::Invalid,
                project,
                "who joins? give --annotator NAME (or set MARGINALIA_ANNOTATOR, or git's user.name)",
            )
        })?;
    if team::team_of(project).is_some() {
        return Err(Problem::new(
            ProblemKind::Invalid,
            project,
            "is an annotator's file already: join the team's file beside its folder",
        )
        .into());
    }
    let (path, made) = team::join(project, &name)?;
    let shown = crate::persist::paths::for_display(&path);
    if made {
        outln!("{name} annotates in {shown} (new: the team's corpus, schema and suggestions)");
    } else {
        outln!("{name} annotates in {shown} (it exists already)");
    }
    Ok(())
}

/// The annotators' files the command line names: a team project stands for all of its
/// annotators' files.
pub(super) fn expand(projects: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in projects {
        if team::is_team(p) {
            let members = team::members(p)?;
            if members.is_empty() {
                return Err(Problem::new(
                    ProblemKind::Invalid,
                    p,
                    "is a team project with no annotators' files yet",
                )
                .into());
            }
            out.extend(members);
        } else {
            out.push(p.clone());
        }
    }
    if out.len() < 2 {
        let first = projects
            .first()
            .map(PathBuf::as_path)
            .unwrap_or(Path::new(""));
        return Err(Problem::new(
            ProblemKind::Invalid,
            first,
            "needs two annotators or more: name their files, or a team project with two \
             annotators' files or more",
        )
        .into());
    }
    Ok(out)
}
