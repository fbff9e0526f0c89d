//! Matches (like INCEpTION's string matcher): every whole-word occurrence, anywhere in the
//! corpus, of a text already annotated somewhere, with the label it usually gets. The score
//! is the share of that label among the annotations of that text; the attributes are the
//! most common values the text's spans of that label carry.

use crate::model::consistency::AnnotatedTexts;
use crate::model::{DocId, Project};
use crate::suggest::{Control, Proposal};

pub fn suggest(project: &Project, control: &Control<'_>) -> Vec<Proposal> {
    let index = AnnotatedTexts::of(project.documents.iter().flat_map(|d| d.spans()));
    let mut out = Vec::new();
    let total = project.documents.len().max(1) as f32;
    for (i, d) in project.documents.iter().enumerate() {
        if control.cancelled() {
            break;
        }
        index.occurrences(&d.text, |start, end, k| {
            let Some(known) = index.known.get(k) else {
                return;
            };
            let Some((label, count)) = known.majority_label() else {
                return;
            };
            out.push(Proposal {
                doc: DocId(i),
                start,
                end,
                label: label.to_owned(),
                attrs: known.majority_attrs(label),
                score: count as f32 / known.total() as f32,
                source: "matches".to_owned(),
                links: Vec::new(),
            });
        });
        (control.progress)((i + 1) as f32 / total);
    }
    out
}
