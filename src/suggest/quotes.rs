//! Quotation attribution for English news, by rules: a reporting verb ("said", "told",
//! "insisted", "according to"...) with its speaker (a name or a pronoun next to it) and what
//! was said (a quotation right before or after, a "that" clause, or the clause that follows).
//!
//! It proposes the speaker (with an `entity` when it can tell who a pronoun is: the last
//! person named as a speaker before it, completed from entities already in the project), the
//! stance (the quoted or reported content), and a `holds` relation between them.

use crate::formats::Report;
use crate::formats::tokens::{Token, sentences, tokenize};
use crate::model::{DocId, Document, Project};
use crate::suggest::{Control, Proposal};
use std::collections::BTreeMap;

pub(crate) const VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "insisted",
    "insists",
    "warned",
    "warns",
    "argued",
    "argues",
    "stressed",
    "stresses",
    "assured",
    "assures",
    "claimed",
    "claims",
    "stated",
    "states",
    "declared",
    "declares",
    "noted",
    "notes",
    "explained",
    "explains",
    "wrote",
    "writes",
    "asserted",
    "asserts",
    "affirmed",
    "affirms",
    "urged",
    "urges",
    "announced",
    "announces",
    "reiterated",
    "acknowledged",
    "admitted",
    "emphasized",
    "emphasised",
    "promised",
    "vowed",
    "replied",
    "responded",
    "countered",
    "cautioned",
];
const PRONOUNS: &[&str] = &["he", "she", "they", "i", "we", "it", "her", "him", "them"];
/// Nouns that make "X’s office" a speaker.
const SPEAKER_NOUNS: &[&str] = &[
    "office",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "campaign",
    "team",
    "aides",
    "aide",
];
/// Quotation marks that open and close.
const OPEN: &[&str] = &["“", "\"", "«"];
const CLOSE: &[&str] = &["”", "\"", "»"];

/// Scores by how the attribution was found: the more explicit, the higher.
const SCORE_QUOTE_NAME: f32 = 0.9;
const SCORE_QUOTE_PRONOUN: f32 = 0.8;
const SCORE_THAT: f32 = 0.65;
const SCORE_CLAUSE: f32 = 0.5;

struct Doc<'a> {
    text: &'a str,
    tokens: Vec<Token>,
}

impl Doc<'_> {
    fn word(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }

    fn lower(&self, i: usize) -> String {
        self.word(i).to_lowercase()
    }

    fn is_capitalized(&self, i: usize) -> bool {
        self.word(i).chars().next().is_some_and(char::is_uppercase)
            && self.word(i).chars().any(char::is_alphabetic)
    }

    fn is_pronoun(&self, i: usize) -> bool {
        PRONOUNS.contains(&self.lower(i).as_str())
    }

    /// No line break between tokens `a` and `b` (quotes and clauses stay in a paragraph).
    fn same_paragraph(&self, a: usize, b: usize) -> bool {
        let (Some(x), Some(y)) = (self.tokens.get(a.min(b)), self.tokens.get(a.max(b))) else {
            return false;
        };
        !self.text.get(x.start..y.end).unwrap_or("").contains('\n')
    }

    /// A name ending at token `j` (walking back over capitalized words), or "X’s office".
    fn name_ending_at(&self, j: usize, sentence_start: usize) -> Option<(usize, usize)> {
        let mut end = j;
        if SPEAKER_NOUNS.contains(&self.lower(j).as_str()) {
            let owner = j.checked_sub(1)?;
            let w = self.word(owner);
            if !(w.ends_with("’s") || w.ends_with("'s")) {
                return None;
            }
            end = j;
            let start = self.capitalized_run_back(owner, sentence_start)?;
            return Some((start, end));
        }
        if !self.is_capitalized(j) || self.is_pronoun(j) {
            return None;
        }
        let start = self.capitalized_run_back(j, sentence_start)?;
        // A sentence-initial capitalized common word ("The", "This") is not a name.
        if start == sentence_start
            && start == j
            && matches!(
                self.lower(j).as_str(),
                "the" | "this" | "that" | "it" | "a" | "an"
            )
        {
            return None;
        }
        Some((start, end))
    }

    fn capitalized_run_back(&self, j: usize, floor: usize) -> Option<usize> {
        if !self.is_capitalized(j) {
            return None;
        }
        let mut start = j;
        while start > floor && start + 3 > j {
            let prev = start - 1;
            if self.is_capitalized(prev) && !self.is_pronoun(prev) && self.same_paragraph(prev, j) {
                start = prev;
            } else {
                break;
            }
        }
        Some(start)
    }

    /// A name starting at token `j` (up to four capitalized words).
    fn name_starting_at(&self, j: usize) -> Option<(usize, usize)> {
        if !self.is_capitalized(j) || self.is_pronoun(j) {
            return None;
        }
        let mut end = j;
        while end < j + 3 && self.is_capitalized(end + 1) && self.same_paragraph(j, end + 1) {
            end += 1;
        }
        Some((j, end))
    }

    /// The subject at `j`: a pronoun or a name, as an inclusive token range.
    fn subject_before(&self, j: usize, sentence_start: usize) -> Option<(usize, usize)> {
        if self.is_pronoun(j) {
            return Some((j, j));
        }
        self.name_ending_at(j, sentence_start)
    }

    fn subject_after(&self, j: usize) -> Option<(usize, usize)> {
        if self.is_pronoun(j) && self.lower(j) != "it" {
            return Some((j, j));
        }
        self.name_starting_at(j)
    }

    /// The quotation whose closing mark is token `close`: its content tokens (without the
    /// marks and a trailing comma).
    fn quote_closing_at(&self, close: usize) -> Option<(usize, usize)> {
        if !CLOSE.contains(&self.word(close)) {
            return None;
        }
        let mut i = close;
        while i > 0 {
            i -= 1;
            if !self.same_paragraph(i, close) {
                return None;
            }
            if OPEN.contains(&self.word(i)) && (self.word(i) != "\"" || i + 1 < close) {
                return self.trim_content(i + 1, close.checked_sub(1)?);
            }
        }
        None
    }

    /// The quotation opening at token `open`.
    fn quote_opening_at(&self, open: usize) -> Option<(usize, usize)> {
        if !OPEN.contains(&self.word(open)) {
            return None;
        }
        let mut i = open + 1;
        while i < self.tokens.len() && self.same_paragraph(open, i) {
            if CLOSE.contains(&self.word(i)) {
                return self.trim_content(open + 1, i.checked_sub(1)?);
            }
            i += 1;
        }
        None
    }

    /// Drops trailing punctuation (`,` `.`) from an inclusive token range; `None` if empty.
    fn trim_content(&self, start: usize, mut end: usize) -> Option<(usize, usize)> {
        while end > start && matches!(self.word(end), "," | "." | ";" | ":") {
            end -= 1;
        }
        (end >= start && !matches!(self.word(end), "," | "." | ";" | ":")).then_some((start, end))
    }

    fn bytes(&self, range: (usize, usize)) -> Option<(usize, usize)> {
        Some((
            self.tokens.get(range.0)?.start,
            self.tokens.get(range.1)?.end,
        ))
    }
}

/// Known entities (values of `entity` on speaker spans) by their last word, to turn "Harris"
/// into "Kamala Harris".
fn known_entities(project: &Project, speaker: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in &project.documents {
        for s in d.spans().iter().filter(|s| s.label == speaker) {
            if let Some(e) = s.attrs.get("entity") {
                out.insert(e.to_owned(), e.to_owned());
                if let Some(last) = e.split_whitespace().last() {
                    out.entry(last.to_owned()).or_insert_with(|| e.to_owned());
                }
            }
        }
    }
    out
}

pub fn suggest(project: &Project, control: &Control<'_>, report: &mut Report) -> Vec<Proposal> {
    let schema = &project.schema;
    let (speaker, stance) = ("speaker", "stance");
    if schema.label(speaker).is_none() || schema.label(stance).is_none() {
        report.note(
            std::path::Path::new("quotes"),
            None,
            "the quotes suggester needs `speaker` and `stance` labels in the schema",
        );
        return Vec::new();
    }
    let holds = schema
        .relations_between(speaker, stance)
        .find(|(_, fwd)| *fwd)
        .map(|(r, _)| r.name.clone());
    let with_entity = schema
        .label(speaker)
        .is_some_and(|l| l.attribute("entity").is_some());
    let entities = known_entities(project, speaker);
    crate::suggest::per_document(project, control, |doc, d| {
        let mut out = Vec::new();
        suggest_doc(doc, d, &entities, holds.as_deref(), with_entity, &mut out);
        out
    })
}

/// One attribution found in a document: speaker and content token ranges, and a score.
struct Found {
    speaker: (usize, usize),
    content: (usize, usize),
    score: f32,
}

/// Statements in one document: each speaker and what they said, as a speaker and a stance
/// proposal linked by `holds`.
fn suggest_doc(
    doc_id: DocId,
    document: &Document,
    entities: &BTreeMap<String, String>,
    holds: Option<&str>,
    with_entity: bool,
    out: &mut Vec<Proposal>,
) {
    let d = Doc {
        text: &document.text,
        tokens: tokenize(&document.text),
    };
    let mut found: Vec<Found> = Vec::new();
    for sent in sentences(&document.text) {
        let first = d.tokens.partition_point(|t| t.start < sent.start);
        let last = d.tokens.partition_point(|t| t.end <= sent.end);
        find_in_sentence(&d, first, last, &mut found);
    }
    // Resolve names in reading order, so a pronoun refers to the last person named.
    found.sort_by_key(|f| f.speaker.0);
    let mut proposing = Proposing {
        doc_id,
        document,
        entities,
        holds,
        with_entity,
        named: named_speakers(document),
    };
    for f in found {
        proposing.propose(&d, &f, out);
    }
}

/// Named speakers already annotated, to resolve pronouns: (offset, entity).
fn named_speakers(document: &Document) -> Vec<(usize, String)> {
    document
        .spans()
        .iter()
        .filter(|s| s.label == "speaker")
        .filter_map(|s| {
            s.attrs
                .get("entity")
                .map(str::to_owned)
                .or_else(|| {
                    s.text
                        .chars()
                        .next()
                        .filter(|c| c.is_uppercase())
                        .map(|_| s.text.clone())
                })
                .map(|e| (s.start, e))
        })
        .collect()
}

/// The statements of the sentence made of tokens `first..last`.
fn find_in_sentence(d: &Doc<'_>, first: usize, last: usize, found: &mut Vec<Found>) {
    let sentence_end = last.saturating_sub(1);
    for v in first..last {
        let w = d.lower(v);
        if w == "according" && d.lower(v + 1) == "to" {
            if let Some(subj) = d.subject_after(v + 2)
                && d.word(subj.1 + 1) == ","
                && let Some(content) = d.trim_content(subj.1 + 2, sentence_end)
                && content.1 >= content.0 + 3
            {
                found.push(Found {
                    speaker: subj,
                    content,
                    score: SCORE_THAT,
                });
            }
            continue;
        }
        // A reporting verb is written in lower case: "States" in "the United States" is not
        // one.
        if !VERBS.contains(&w.as_str()) || d.word(v).starts_with(char::is_uppercase) {
            continue;
        }
        found.extend(statement_at_verb(d, v, first, last));
    }
}

/// The statement around reporting verb `v` of the sentence `first..last`: its speaker
/// (before the verb, or after it: "said Michael Cohen") and what was said.
fn statement_at_verb(d: &Doc<'_>, v: usize, first: usize, last: usize) -> Option<Found> {
    let sentence_end = last.saturating_sub(1);
    let before = v
        .checked_sub(1)
        .filter(|j| *j >= first)
        .and_then(|j| d.subject_before(j, first));
    let after = if before.is_none() {
        d.subject_after(v + 1)
    } else {
        None
    };
    let subj = before.or(after)?;
    let group = (subj.0.min(v), subj.1.max(v));
    let pronoun = subj.0 == subj.1 && d.is_pronoun(subj.0);
    let quote_score = if pronoun {
        SCORE_QUOTE_PRONOUN
    } else {
        SCORE_QUOTE_NAME
    };
    // What was said: the quotation just before, the quotation just after, a "that"
    // clause, or the clause that follows the verb.
    let quoted_before = group.0.checked_sub(1).and_then(|c| {
        let c = if d.word(c) == "," {
            c.checked_sub(1)?
        } else {
            c
        };
        d.quote_closing_at(c)
    });
    let mut next = group.1 + 1;
    if matches!(d.word(next), ":" | ",") {
        next += 1;
    }
    let quoted_after = d
        .quote_opening_at(next)
        .filter(|_| d.same_paragraph(v, next));
    let that = (group.1 + 1..(group.1 + 6).min(last)).find(|&k| {
        d.lower(k) == "that"
            && (group.1 + 1..k).all(|m| d.word(m).chars().any(char::is_alphanumeric))
    });
    let content = if let Some(q) = quoted_before.or(quoted_after) {
        Some((q, quote_score))
    } else if let Some(t) = that {
        d.trim_content(t + 1, sentence_end).map(|c| (c, SCORE_THAT))
    } else if before.is_some() {
        // "Harris said she will not cozy up to dictators, ...": up to the first comma.
        let end = (group.1 + 1..last)
            .find(|&k| matches!(d.word(k), "," | ";" | "." | "!" | "?"))
            .map_or(sentence_end, |k| k.saturating_sub(1));
        d.trim_content(group.1 + 1, end)
            .filter(|c| c.1 >= c.0 + 3)
            .map(|c| (c, SCORE_CLAUSE))
    } else {
        None
    };
    let (content, score) = content.filter(|(c, _)| c.1 > c.0)?;
    Some(Found {
        speaker: subj,
        content,
        score,
    })
}

/// Turning statements into proposals, one document at a time.
struct Proposing<'a> {
    doc_id: DocId,
    document: &'a Document,
    entities: &'a BTreeMap<String, String>,
    holds: Option<&'a str>,
    with_entity: bool,
    /// Speakers named so far, in reading order: (offset, entity).
    named: Vec<(usize, String)>,
}

impl Proposing<'_> {
    /// A speaker proposal (its entity: the name, or for a pronoun the last person named)
    /// and a stance proposal, linked by `holds`.
    fn propose(&mut self, d: &Doc<'_>, f: &Found, out: &mut Vec<Proposal>) {
        let (Some(sp), Some(ct)) = (d.bytes(f.speaker), d.bytes(f.content)) else {
            return;
        };
        let words = self.document.text.get(sp.0..sp.1).unwrap_or("").to_owned();
        let pronoun = f.speaker.0 == f.speaker.1 && d.is_pronoun(f.speaker.0);
        let entity = if pronoun {
            // "it" is a document or an organisation more often than a person: no guess.
            let personal = !matches!(words.to_lowercase().as_str(), "it");
            self.named
                .iter()
                .filter(|(at, _)| personal && *at < sp.0)
                .max_by_key(|(at, _)| *at)
                .map(|(_, e)| e.clone())
        } else {
            let bare = words
                .trim_end_matches("’s office")
                .trim_end_matches("'s office")
                .to_owned();
            let full = self
                .entities
                .get(&bare)
                .cloned()
                .unwrap_or_else(|| bare.clone());
            self.named.push((sp.0, full.clone()));
            Some(full)
        };
        let mut attrs = crate::model::Attrs::new();
        if self.with_entity
            && let Some(e) = entity
        {
            attrs.insert("entity".to_owned(), e);
        }
        let speaker_index = out.len();
        out.push(Proposal {
            doc: self.doc_id,
            start: sp.0,
            end: sp.1,
            label: "speaker".to_owned(),
            attrs,
            score: f.score,
            source: "quotes".to_owned(),
            links: self
                .holds
                .map(|h| vec![(h.to_owned(), speaker_index + 1)])
                .unwrap_or_default(),
        });
        out.push(Proposal {
            doc: self.doc_id,
            start: ct.0,
            end: ct.1,
            label: "stance".to_owned(),
            attrs: crate::model::Attrs::new(),
            score: f.score,
            source: "quotes".to_owned(),
            links: Vec::new(),
        });
    }
}
