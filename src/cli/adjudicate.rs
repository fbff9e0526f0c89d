//! `marginalia adjudicate`: several annotators' projects into one curated project, where
//! agreement is accepted and every disagreement is a suggestion to review (see
//! `model::adjudication`).

use super::agree::{layers, load_annotators};
use super::output::write_out;
use super::refuse_overwrite;
use crate::model::adjudication::curate;
use crate::persist::{self, LoadError};
use std::path::{Path, PathBuf};

pub(super) fn adjudicate_cmd(
    projects: &[PathBuf],
    output: &Path,
    force: bool,
) -> Result<(), LoadError> {
    refuse_overwrite(output, force, "")?;
    let (names, loaded) = load_annotators(projects)?;
    let layers = layers(&names, &loaded);
    let name = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "curated".to_owned());
    let (project, c) = curate(&layers, &name);
    persist::save_project(&project, output)?;
    outln!(
        "{}: {} documents, {} spans every annotator made, {} disagreements to review (pending \
         suggestions, by annotator), {} relations, {} suggested links{}",
        output.display(),
        c.documents,
        c.agreed,
        c.suggestions,
        c.relations,
        c.links,
        if c.relations_not_carried > 0 {
            format!(
                ", {} relations between an agreed and a disputed span not carried",
                c.relations_not_carried
            )
        } else {
            String::new()
        }
    );
    Ok(())
}
