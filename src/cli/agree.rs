//! `marginalia agree`: the agreement figures of several annotators' projects, printed, and
//! as JSON or CSV for a paper's tables (definitions in `model::agreement`).

use super::output::write_out;
use super::{load_named, refuse_overwrite};
use crate::model::Project;
use crate::model::agreement::{Agreement, Layer, agreement};
use crate::persist::{self, LoadError, Problem};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub(super) fn agree_cmd(
    projects: &[PathBuf],
    labels: Option<&[String]>,
    json: Option<&Path>,
    csv: Option<&Path>,
    force: bool,
) -> Result<(), LoadError> {
    let (names, loaded) = load_annotators(projects)?;
    let figures = agreement(&layers(&names, &loaded), labels);
    if let Some(out) = json {
        let text = serde_json::to_string_pretty(&figures.to_json()).unwrap_or_default() + "\n";
        write_file(out, &text, force)?;
    }
    if let Some(out) = csv {
        write_file(out, &to_csv(&figures), force)?;
    }
    if json != Some(Path::new("-")) && csv != Some(Path::new("-")) {
        outln!("{}", table(&figures));
    }
    Ok(())
}

/// Loads every annotator's project (all problems at once) and names each annotator.
pub(super) fn load_annotators(
    projects: &[PathBuf],
) -> Result<(Vec<String>, Vec<Project>), LoadError> {
    let projects = &super::team::expand(projects)?;
    let mut loaded = Vec::with_capacity(projects.len());
    let mut problems = Vec::new();
    for p in projects {
        match load_named(p) {
            Ok(l) => loaded.push(l.project),
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok((annotator_names(projects), loaded))
}

/// The layers `model::agreement` and `model::adjudication` compare.
pub(super) fn layers<'a>(names: &[String], projects: &'a [Project]) -> Vec<Layer<'a>> {
    names
        .iter()
        .zip(projects)
        .map(|(annotator, project)| Layer {
            annotator: annotator.clone(),
            project,
        })
        .collect()
}

/// Each project's annotator: its file name without `.ron`, with its folder when two files
/// share a name (`anna/news.ron`, `ben/news.ron`).
fn annotator_names(projects: &[PathBuf]) -> Vec<String> {
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let stems: Vec<String> = projects.iter().map(|p| stem(p)).collect();
    let mut seen = HashSet::new();
    let unique = stems.iter().all(|s| seen.insert(s));
    if unique {
        return stems;
    }
    projects
        .iter()
        .map(|p| {
            let folder = p
                .parent()
                .and_then(Path::file_name)
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{folder}/{}", stem(p))
        })
        .collect()
}

fn write_file(out: &Path, text: &str, force: bool) -> Result<(), LoadError> {
    if out == Path::new("-") {
        write_out(format_args!("{text}"));
        return Ok(());
    }
    refuse_overwrite(out, force, "")?;
    persist::atomic::write_atomic(out, text.as_bytes()).map_err(|e| Problem::io(out, &e))?;
    Ok(())
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

/// The figures as a plain table.
fn table(a: &Agreement) -> String {
    let mut out = format!(
        "{} annotators ({}), {} documents annotated by at least two\n\n",
        a.annotators.len(),
        a.annotators.join(", "),
        a.documents
    );
    out.push_str(&format!(
        "{:<24} {:>9} {:>11} {:>11}  spans\n",
        "label", "exact F1", "overlap F1", "alpha_char"
    ));
    for (label, l) in &a.labels {
        let spans: Vec<String> = l.spans.iter().map(|(k, n)| format!("{k} {n}")).collect();
        out.push_str(&format!(
            "{:<24} {:>9} {:>11} {:>11}  {}\n",
            label,
            num(l.exact_f1),
            num(l.overlap_f1),
            num(l.alpha_char),
            spans.join(", ")
        ));
    }
    if !a.per_document.is_empty() {
        // Least agreement first: where an adjudicator (or a guideline) should look.
        const SHOWN: usize = 15;
        let mut docs: Vec<_> = a.per_document.iter().collect();
        docs.sort_by(|x, y| {
            let key = |d: &&crate::model::agreement::DocumentAgreement| d.exact_f1.unwrap_or(2.0);
            key(x).total_cmp(&key(y)).then_with(|| x.id.cmp(&y.id))
        });
        out.push_str(&format!(
            "\n{:<40} {:>9}  annotators\n",
            "document (least agreement first)", "exact F1"
        ));
        for d in docs.iter().take(SHOWN) {
            out.push_str(&format!(
                "{:<40} {:>9}  {}\n",
                d.id,
                num(d.exact_f1),
                d.annotators
            ));
        }
        if docs.len() > SHOWN {
            out.push_str(&format!(
                "… and {} more (--json has them all)\n",
                docs.len() - SHOWN
            ));
        }
    }
    if !a.attributes.is_empty() {
        out.push_str(&format!(
            "\n{:<32} {:>7} {:>6}\n",
            "attribute", "kappa", "items"
        ));
        for (name, k) in &a.attributes {
            out.push_str(&format!(
                "{:<32} {:>7} {:>6}\n",
                name,
                num(k.kappa),
                k.items
            ));
        }
    }
    out
}

/// Per pair and label: `label,a,b,documents,exact_f1,overlap_f1` (empty where undefined).
fn to_csv(a: &Agreement) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("label,a,b,documents,exact_f1,overlap_f1\n");
    for p in &a.pairs {
        let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            field(&p.label),
            field(&p.a),
            field(&p.b),
            p.documents,
            f(p.exact_f1),
            f(p.overlap_f1)
        ));
    }
    out
}
