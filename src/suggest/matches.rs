//! Matches (like INCEpTION's string matcher): every whole-word occurrence, anywhere in the
//! corpus, of a text already annotated somewhere, with the label it usually gets. The score
//! is the share of that label among the annotations of that text; the attributes are the
//! most common values the text's spans of that label carry.

use crate::model::Project;
use crate::model::consistency::AnnotatedTexts;
use crate::suggest::{Control, Proposal};

/// What a match of one annotated text proposes: label, score, attributes.
type Proposed = (String, f32, crate::model::Attrs);

pub fn suggest(project: &Project, control: &Control<'_>) -> Vec<Proposal> {
    let index = AnnotatedTexts::of(project.documents.iter().flat_map(|d| d.spans()));
    // Documents are matched on every core; what each proposes is worked out once per text.
    let proposed: Vec<Option<Proposed>> = index
        .known
        .iter()
        .map(|known| {
            let (label, count) = known.majority_label()?;
            let score = count as f32 / known.total() as f32;
            Some((label.to_owned(), score, known.majority_attrs(label)))
        })
        .collect();
    crate::suggest::per_document(project, control, |doc, d| {
        let mut out = Vec::new();
        index.occurrences(&d.text, |start, end, k| {
            let Some(Some((label, score, attrs))) = proposed.get(k) else {
                return;
            };
            out.push(Proposal {
                doc,
                start,
                end,
                label: label.clone(),
                attrs: attrs.clone(),
                score: *score,
                source: "matches".to_owned(),
                links: Vec::new(),
            });
        });
        out
    })
}
