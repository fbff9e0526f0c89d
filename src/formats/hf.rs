//! hf (being written).

use crate::formats::export::ExportDoc;
use crate::formats::{Imported, Output, Report};
use crate::model::Schema;
use crate::persist::LoadError;
use std::path::{Path, PathBuf};

pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let _ = paths;
    Ok(Imported::default())
}

pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    let _ = (docs, schema, out, report);
    Output::default()
}
