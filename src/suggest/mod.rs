//! Suggesters: programs that propose spans for a person to review. One file per suggester;
//! all of them produce the same [`Proposal`]s, which become suggestions in the project's
//! suggestion layer through one undoable edit ([`proposals_edit`]).
//!
//! - `matches.rs`: text already annotated somewhere, found again elsewhere;
//! - `quotes.rs`: quotation and reporting-verb rules for English news;
//! - `gazetteer.rs`: a user's list of names;
//! - `predictions.rs`: any model's output, as JSONL (or Label Studio predictions);
//! - `command.rs`: a user's own model, run as a command (JSONL in, predictions out);
//! - `consent.rs`: which project commands this machine's user allowed to run.
//!
//! Suggesters run off the UI thread: they take a progress callback and a cancel flag.

pub mod command;
pub mod consent;
pub mod gazetteer;
pub mod learned;
pub mod matches;
pub mod predictions;
pub mod quotes;

use crate::formats::Report;
use crate::model::{DocId, Edit, Project, Review, Score, SpanId, SuggestedLink, Suggestion};
use crate::persist::{LoadError, Problem, ProblemKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A proposed span, before it is a suggestion.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub doc: DocId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub attrs: crate::model::Attrs,
    pub score: f32,
    pub source: String,
    /// Relations proposed from this proposal to others of the same run (indices).
    pub links: Vec<(String, usize)>,
}

/// Which suggesters to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suggester {
    Matches,
    Quotes,
    Gazetteer(PathBuf),
    /// Model output: JSONL `{"id" or "text", "spans": [{start, end, label, score?}]}`.
    Predictions(PathBuf),
    /// Predictions from a Label Studio export.
    LabelStudio(PathBuf),
    /// The project's command, run in `dir` (the project's folder). Only ever built after
    /// consent was checked: see [`consent`].
    Command {
        command: String,
        dir: PathBuf,
    },
    /// A model trained on the project's own spans (see [`learned`]), cached beside the
    /// project file when there is one.
    Learned {
        project_file: Option<PathBuf>,
    },
}

impl Suggester {
    /// Parses `quotes,matches,learned,gazetteer=FILE,predictions=FILE,label-studio=FILE`. (`command`
    /// is the caller's to resolve: it needs the project and the user's consent.)
    pub fn parse_list(spec: &str) -> Result<Vec<Suggester>, String> {
        spec.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| match s.trim().split_once('=') {
                None if s.trim() == "quotes" => Ok(Suggester::Quotes),
                None if s.trim() == "matches" => Ok(Suggester::Matches),
                None if s.trim() == "learned" => Ok(Suggester::Learned { project_file: None }),
                Some(("gazetteer", f)) => Ok(Suggester::Gazetteer(f.into())),
                Some(("predictions", f)) => Ok(Suggester::Predictions(f.into())),
                Some(("label-studio", f)) => Ok(Suggester::LabelStudio(f.into())),
                _ => Err(format!("unknown suggester `{s}` (use quotes, matches, learned, gazetteer=FILE, predictions=FILE, label-studio=FILE)")),
            })
            .collect()
    }

    /// The suggester for the project saved at `project_file`: the learned one keeps its model
    /// beside it; the others do not care.
    pub fn for_project(self, project_file: Option<&Path>) -> Self {
        match self {
            Suggester::Learned { .. } => Suggester::Learned {
                project_file: project_file.map(Path::to_owned),
            },
            other => other,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Suggester::Matches => "matches".to_owned(),
            Suggester::Quotes => "quotes".to_owned(),
            Suggester::Gazetteer(p) => format!("gazetteer:{}", file_name(p)),
            Suggester::Predictions(p) | Suggester::LabelStudio(p) => file_name(p),
            Suggester::Command { .. } => command::DEFAULT_SOURCE.to_owned(),
            Suggester::Learned { .. } => learned::SOURCE.to_owned(),
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Progress and cancellation for a run off the UI thread.
pub struct Control<'a> {
    /// Called with the fraction done, 0 to 1.
    pub progress: &'a (dyn Fn(f32) + Sync),
    pub cancel: &'a AtomicBool,
}

impl Control<'_> {
    /// A control that reports nowhere and never cancels (tests, the CLI without a bar).
    pub fn none(cancel: &AtomicBool) -> Control<'_> {
        Control {
            progress: &|_| {},
            cancel,
        }
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Runs `suggesters` over the project and returns their proposals (not yet applied).
pub fn run(
    project: &Project,
    suggesters: &[Suggester],
    control: &Control<'_>,
) -> Result<(Vec<Proposal>, Report), LoadError> {
    let mut all = Vec::new();
    let mut report = Report::default();
    let n = suggesters.len().max(1) as f32;
    for (i, s) in suggesters.iter().enumerate() {
        let step = |f: f32| (control.progress)((i as f32 + f) / n);
        let sub = Control {
            progress: &step,
            cancel: control.cancel,
        };
        let before = all.len();
        let found = match s {
            Suggester::Matches => matches::suggest(project, &sub),
            Suggester::Quotes => quotes::suggest(project, &sub, &mut report),
            Suggester::Gazetteer(path) => gazetteer::suggest(project, path, &sub, &mut report)?,
            Suggester::Predictions(path) => predictions::from_jsonl(project, path, &mut report)?,
            Suggester::LabelStudio(path) => {
                predictions::from_label_studio(project, path, &mut report)?
            }
            Suggester::Command { command, dir } => {
                command::suggest(project, command, dir, &sub, &mut report)?
            }
            Suggester::Learned { project_file } => {
                learned::run(project, project_file.as_deref(), &sub, &mut report).map_err(|e| {
                    Problem::new(ProblemKind::Invalid, Path::new(learned::SOURCE), e)
                })?
            }
        };
        // Links are indices into one suggester's list: shift them into the combined list.
        all.extend(found.into_iter().map(|mut p| {
            for l in &mut p.links {
                l.1 += before;
            }
            p
        }));
        report.count(&format!("proposed by {}", s.name()), all.len() - before);
        if control.cancelled() {
            return Err(Problem::new(ProblemKind::Io, Path::new(&s.name()), "cancelled").into());
        }
    }
    (control.progress)(1.0);
    Ok((all, report))
}

/// The edit a run's proposals make: the learned model's replace its pending suggestions
/// ([`learned::refresh_edit`]: a retrained model's stale guesses go), every other source's
/// are added ([`proposals_edit`]).
pub fn suggestions_edit(
    project: &Project,
    proposals: &[Proposal],
    report: &mut Report,
) -> Option<Edit> {
    let (learned, others): (Vec<Proposal>, Vec<Proposal>) = proposals
        .iter()
        .cloned()
        .partition(|p| p.source == learned::SOURCE);
    let learned_ran = report.get(&format!("proposed by {}", learned::SOURCE)) > 0
        || report.get(learned::TRAINED_ON) > 0;
    let edits: Vec<Edit> = [
        proposals_edit(project, &others, report),
        learned_ran
            .then(|| learned::refresh_edit(project, &learned))
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!edits.is_empty()).then_some(Edit::Batch(edits))
}

/// One edit that adds the proposals as pending suggestions. A proposal is skipped when the
/// same range already has a span of that label, or a suggestion of that label from the same
/// source (pending or decided: a rejection stays a rejection).
pub fn proposals_edit(
    project: &Project,
    proposals: &[Proposal],
    report: &mut Report,
) -> Option<Edit> {
    let mut ids: Vec<Option<SpanId>> = Vec::with_capacity(proposals.len());
    let mut kept: Vec<(usize, Suggestion)> = Vec::new();
    let mut seen: HashMap<(DocId, usize, usize, &str, &str), ()> = HashMap::new();
    for (i, p) in proposals.iter().enumerate() {
        let Some(doc) = project.doc(p.doc) else {
            ids.push(None);
            continue;
        };
        let annotated = doc
            .spans_overlapping(p.start, p.end)
            .iter()
            .any(|s| s.start == p.start && s.end == p.end && s.label == p.label);
        let suggested = doc.suggestions().iter().any(|s| {
            s.start == p.start && s.end == p.end && s.label == p.label && s.source == p.source
        });
        let twice = seen
            .insert((p.doc, p.start, p.end, &p.label, &p.source), ())
            .is_some();
        let text = doc
            .text
            .get(p.start..p.end)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let known_label = project.schema.label(&p.label).is_some();
        match text {
            Some(text) if !annotated && !suggested && !twice && known_label => {
                let id = project.allocate_span_id();
                ids.push(Some(id));
                kept.push((
                    i,
                    Suggestion {
                        id,
                        start: p.start,
                        end: p.end,
                        label: p.label.clone(),
                        text,
                        attrs: p.attrs.clone(),
                        source: p.source.clone(),
                        score: Some(Score(p.score)),
                        review: Review::Pending,
                        span: None,
                        links: Vec::new(),
                    },
                ));
            }
            _ => {
                ids.push(None);
                report.count(
                    if annotated {
                        "already annotated"
                    } else if suggested || twice {
                        "already suggested"
                    } else {
                        "skipped"
                    },
                    1,
                );
            }
        }
    }
    let edits: Vec<Edit> = kept
        .into_iter()
        .map(|(i, mut s)| {
            if let Some(p) = proposals.get(i) {
                s.links = p
                    .links
                    .iter()
                    .filter_map(|(kind, j)| {
                        ids.get(*j).copied().flatten().map(|to| SuggestedLink {
                            kind: kind.clone(),
                            to,
                        })
                    })
                    .collect();
            }
            Edit::AddSuggestion {
                doc: proposals.get(i).map_or(DocId(0), |p| p.doc),
                suggestion: s,
            }
        })
        .collect();
    report.count("new suggestions", edits.len());
    (!edits.is_empty()).then_some(Edit::Batch(edits))
}

/// Runs `f` over every document on all cores (blocks of documents handed out in turn) and
/// returns what it proposed in document order, as if run on one thread: each document's
/// links (indices into what `f` returned for it) are shifted into the combined list.
/// Progress counts documents done; a cancel stops every thread at its next document.
pub(crate) fn per_document(
    project: &Project,
    control: &Control<'_>,
    f: impl Fn(DocId, &crate::model::Document) -> Vec<Proposal> + Sync,
) -> Vec<Proposal> {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;
    /// Documents per block: small enough to share the work, big enough to lock rarely.
    const BLOCK: usize = 32;
    let docs = &project.documents;
    let blocks = docs.len().div_ceil(BLOCK);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(blocks.max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<Proposal>)>> = Mutex::new(Vec::with_capacity(blocks));
    let total = docs.len().max(1) as f32;
    let work = || {
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= blocks || control.cancelled() {
                break;
            }
            let mut found = Vec::new();
            for i in b * BLOCK..((b + 1) * BLOCK).min(docs.len()) {
                if control.cancelled() {
                    break;
                }
                if let Some(d) = docs.get(i) {
                    append(&mut found, f(DocId(i), d));
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                (control.progress)(n as f32 / total);
            }
            if let Ok(mut r) = results.lock() {
                r.push((b, found));
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_unstable_by_key(|(b, _)| *b);
    let mut all = Vec::new();
    for (_, found) in results {
        append(&mut all, found);
    }
    all
}

/// Appends proposals whose links index `more`, shifting the links into `all`.
fn append(all: &mut Vec<Proposal>, more: Vec<Proposal>) {
    let before = all.len();
    all.extend(more.into_iter().map(|mut p| {
        for l in &mut p.links {
            l.1 += before;
        }
        p
    }));
}

#[cfg(test)]
mod boundary_tests {
    use unicode_segmentation::UnicodeSegmentation;

    /// `is_word_boundary` looks at a window and takes shortcuts: it must agree with UAX #29
    /// run over the whole text.
    #[test]
    fn word_boundaries_agree_with_segmenting_the_whole_text() {
        let mut text = crate::generate::generate_document(5, 60_000, &mut 1).text;
        text.push_str(
            " U.S. 3.5 can't a,b x:y “q” (p) e.g. ‘s’ a—b a\u{301}b  \u{200d}x 🇺🇦🇫🇷 x_y a\"b 1,5 a. ",
        );
        let truth: std::collections::HashSet<usize> = text
            .split_word_bound_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for (i, _) in text.char_indices() {
            assert_eq!(
                crate::model::text::is_word_boundary(&text, i),
                truth.contains(&i),
                "at {i}: {:?}",
                text.get(i.saturating_sub(8)..(i + 8).min(text.len()))
            );
        }
    }
}

#[cfg(test)]
mod parallel_tests {
    use super::*;

    /// Documents are handed to several threads: the proposals come back in document order,
    /// and each `holds` link still points at the stance of its own document.
    #[test]
    fn many_documents_keep_their_order_and_links() {
        let p = crate::generate::project(150, 3_000, 20, 9, Path::new("/tmp"));
        let cancel = AtomicBool::new(false);
        let (found, _) = run(
            &p,
            &[Suggester::Quotes, Suggester::Matches],
            &Control::none(&cancel),
        )
        .unwrap();
        assert!(found.iter().any(|x| x.doc.0 > 100));
        let quotes: Vec<_> = found.iter().filter(|x| x.source == "quotes").collect();
        assert!(quotes.windows(2).all(|w| w[0].doc <= w[1].doc));
        let mut links = 0;
        for x in &found {
            for (_, to) in &x.links {
                let other = &found[*to];
                assert_eq!((other.doc, other.label.as_str()), (x.doc, "stance"));
                links += 1;
            }
        }
        assert!(links > 100, "{links} links");
    }
}
