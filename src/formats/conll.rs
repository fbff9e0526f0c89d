//! CoNLL-2003 style columns: one token per line, a blank line between sentences, documents
//! introduced by `-DOCSTART- -X- O O`.
//!
//! Export writes four columns, `TOKEN -X- _ TAG`, in IOB2 (`B-` starts every span), which is
//! what spaCy's `conll_ner2docs` and most NER trainers read. Import reads the first column as
//! the token and the last as the tag, in IOB1 or IOB2 (or all `O`).
//!
//! The tagging here ([`iob2_tags`], [`each_tagged_sentence`]) is shared with the Hugging Face
//! export, so both make the same choices and report the same losses:
//!
//! - Tokens are [`tokens::tokenize`] within each sentence of [`tokens::sentences`], so a token
//!   never crosses a sentence end. Whitespace is never part of a token: UAX #29 can glue a
//!   combining mark or a joiner onto a space (`" \u{301}"`), and such a token is cut at its
//!   whitespace here, so every token is non-empty and has no whitespace (a column format
//!   could not hold it otherwise).
//! - One tag column holds one span per token. When spans share a token the one covering
//!   more tokens wins; at equal length the one that starts first (then the older id). Every
//!   span that loses is counted as "spans dropped (overlap)" and named in a note.
//! - A span whose ends are not on token boundaries is reported and tags every token it
//!   touches (the format cannot say "half a token").
//! - A kept span that crosses a sentence end joins those sentences into one, so that it is
//!   not cut in two (the sentence split is our heuristic; the annotation is the user's).
//! - A discontinuous span is tagged as one entity per fragment (each starts with `B-`): a
//!   tag column has no way to join them. Counted in the report.

use crate::formats::export::{ExportDoc, one_per_fragment, report_misaligned, span_note};
use crate::formats::ids::{file_stem, unique_id};
use crate::formats::tokens::{self, Token, covered};
use crate::formats::{Imported, ImportedDoc, ImportedSpan, Output, Report};
use crate::model::text::excerpt;
use crate::model::{Document, Schema, Span};
use crate::persist::corpus::read_text_file;
use crate::persist::{LoadError, Problem, ProblemKind};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The line that starts every document, exactly as CoNLL-2003 has it: spaCy's converter
/// turns other variants into a junk document.
pub const DOCSTART: &str = "-DOCSTART- -X- O O";

/// One tag of the IOB schemes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    O,
    /// Begins a span (IOB2: every span; IOB1: only one right after a span of the same type).
    B(String),
    /// Inside a span (IOB1: also the start of a span after `O` or another type).
    I(String),
}

impl Tag {
    /// `O`, `B-X` or `I-X` with a non-empty `X`; anything else is not a tag.
    pub fn parse(s: &str) -> Option<Tag> {
        if s == "O" {
            return Some(Tag::O);
        }
        let (prefix, label) = s.split_once('-')?;
        if label.is_empty() {
            return None;
        }
        match prefix {
            "B" => Some(Tag::B(label.to_owned())),
            "I" => Some(Tag::I(label.to_owned())),
            _ => None,
        }
    }

    pub fn label(&self) -> Option<&str> {
        match self {
            Tag::O => None,
            Tag::B(l) | Tag::I(l) => Some(l),
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::O => write!(f, "O"),
            Tag::B(l) => write!(f, "B-{l}"),
            Tag::I(l) => write!(f, "I-{l}"),
        }
    }
}

/// The tokens of the sentence `range` of `text`, in document byte offsets, cut at any
/// whitespace (see the module comment: UAX #29 can attach a mark to a space).
pub fn sentence_tokens(text: &str, range: Range<usize>) -> Vec<Token> {
    let base = range.start;
    let Some(sentence) = text.get(range) else {
        return Vec::new();
    };
    let mut out: Vec<Token> = Vec::new();
    for t in tokens::tokenize(sentence) {
        let Some(word) = sentence.get(t.start..t.end) else {
            continue;
        };
        if !word.chars().any(char::is_whitespace) {
            out.push(Token {
                start: base + t.start,
                end: base + t.end,
                ws: t.ws,
            });
            continue;
        }
        // Rare: cut into the runs between whitespace.
        let before = out.len();
        let mut run: Option<usize> = None;
        for (i, c) in word
            .char_indices()
            .chain(std::iter::once((word.len(), ' ')))
        {
            match (c.is_whitespace(), run) {
                (true, Some(s)) => {
                    out.push(Token {
                        start: base + t.start + s,
                        end: base + t.start + i,
                        ws: true,
                    });
                    run = None;
                }
                (false, None) => run = Some(i),
                _ => {}
            }
        }
        if out.len() > before {
            if let Some(last) = out.last_mut() {
                last.ws = t.ws;
            }
        } else if let Some(previous) = out.last_mut() {
            // The whole token was whitespace: it follows the previous token.
            previous.ws = true;
        }
    }
    out
}

/// IOB2 tags for `tokens` (every token of `doc`, in order): one span per token, the longer
/// span winning (see the module comment). Dropped spans and spans off token boundaries are
/// reported against `file`.
pub fn iob2_tags(
    doc: &Document,
    spans: &[&Span],
    tokens: &[Token],
    file: &Path,
    report: &mut Report,
) -> Vec<Tag> {
    report_misaligned(doc, spans, |r| covered(tokens, r), file, report);
    let mut candidates: Vec<(&Span, Range<usize>)> = Vec::with_capacity(spans.len());
    for s in spans {
        let (range, _) = covered(tokens, &(s.start..s.end));
        if range.is_empty() {
            let msg = format!(
                "{}: span {} “{}” ({}) covers no token (only whitespace); dropped",
                doc.id,
                s.id.0,
                excerpt(&s.text, 40),
                s.label
            );
            span_note(report, file, doc, s, s.start..s.end, msg);
            report.count("spans dropped (no token)", 1);
        } else {
            candidates.push((s, range));
        }
    }
    // Priority: more tokens first, then the earlier start, then the older span.
    candidates.sort_by_key(|(s, r)| (Reverse(r.len()), r.start, s.start, s.id));
    let mut owner: Vec<Option<&Span>> = vec![None; tokens.len()];
    for (s, range) in candidates {
        let Some(slots) = owner.get_mut(range) else {
            continue;
        };
        if let Some(winner) = slots.iter().flatten().next() {
            let msg = format!(
                "{}: span {} “{}” ({}) overlaps span {} “{}” ({}), which wins (longer, or first); one tag column holds one span per token, so it is dropped",
                doc.id,
                s.id.0,
                excerpt(&s.text, 40),
                s.label,
                winner.id.0,
                excerpt(&winner.text, 40),
                winner.label
            );
            span_note(report, file, doc, s, s.start..s.end, msg);
            report.count("spans dropped (overlap)", 1);
            continue;
        }
        slots.iter_mut().for_each(|o| *o = Some(s));
    }
    let mut tags = Vec::with_capacity(tokens.len());
    let mut previous: Option<&Span> = None;
    for o in owner {
        tags.push(match o {
            None => Tag::O,
            Some(s) if previous.is_some_and(|p| p.id == s.id) => Tag::I(s.label.clone()),
            Some(s) => Tag::B(s.label.clone()),
        });
        previous = o;
    }
    tags
}

/// A sentence as token columns write it.
#[derive(Debug, Default)]
pub struct TaggedSentence<'a> {
    pub tokens: Vec<&'a str>,
    pub tags: Vec<Tag>,
}

/// Hands `each` the sentences of `doc` with their IOB2 tags, in order, sentences joined
/// where a kept span crosses their boundary (counted as "sentences joined"), a stretch at a
/// time: a stretch ends at the first
/// sentence end no span crosses. Which span wins a token is decided among the spans that
/// share tokens, and those are always in one stretch, so the tags are those of tagging the
/// whole document at once; but memory holds one stretch, not the document's tokens (a 1 GB
/// document has 170 million: tagging it whole took more than 24 GB).
pub fn each_tagged_sentence<'a>(
    doc: &'a Document,
    spans: &[&Span],
    file: &Path,
    report: &mut Report,
    mut each: impl FnMut(TaggedSentence<'a>),
) {
    let pieces = one_per_fragment(spans, report);
    let mut order: Vec<&Span> = pieces.iter().map(|p| p.as_ref()).collect();
    // Stable: pieces that start together keep their order.
    order.sort_by_key(|p| p.start);
    // The pieces of a discontinuous span share its id, and touching pieces tag as one span
    // (`I-` goes on): a stretch holds the whole span, to its last piece.
    let whole_end: HashMap<crate::model::SpanId, usize> =
        spans.iter().map(|s| (s.id, s.end)).collect();
    let sentences = tokens::sentences(&doc.text);
    let count = sentences.len();
    // Pieces `from..to` belong to the stretch being gathered; `reach` is where they end.
    let (mut from, mut to, mut reach) = (0, 0, 0);
    let mut stretch: Vec<Range<usize>> = Vec::new();
    let mut joined = 0;
    for (k, r) in sentences.into_iter().enumerate() {
        while let Some(p) = order.get(to).filter(|p| p.start < r.end) {
            reach = reach
                .max(p.end)
                .max(whole_end.get(&p.id).copied().unwrap_or(0));
            to += 1;
        }
        let end = r.end;
        stretch.push(r);
        let last = k + 1 == count;
        if reach > end && !last {
            continue;
        }
        if last {
            // Pieces in the trailing whitespace: they cover no token, and say so.
            to = order.len();
        }
        let mine = order.get(from..to).unwrap_or_default();
        joined += tag_stretch(doc, mine, &stretch, file, report, &mut each);
        from = to;
        stretch.clear();
    }
    if count == 0 && !order.is_empty() {
        tag_stretch(doc, &order, &[], file, report, &mut each);
    }
    report.count("sentences joined (a span crosses their end)", joined);
}

/// Tags one stretch of sentences (see [`each_tagged_sentence`]) and hands its sentences
/// out, joined where a kept span crosses their end; returns how many joins it made.
fn tag_stretch<'a>(
    doc: &'a Document,
    spans: &[&Span],
    sentences: &[Range<usize>],
    file: &Path,
    report: &mut Report,
    each: &mut impl FnMut(TaggedSentence<'a>),
) -> usize {
    let text: &'a str = &doc.text;
    let mut toks: Vec<Token> = Vec::new();
    let mut bounds: Vec<Range<usize>> = Vec::new();
    for r in sentences {
        let first = toks.len();
        toks.extend(sentence_tokens(text, r.clone()));
        if toks.len() > first {
            bounds.push(first..toks.len());
        }
    }
    let tags = iob2_tags(doc, spans, &toks, file, report);
    let mut out: Vec<TaggedSentence<'a>> = Vec::with_capacity(bounds.len());
    let mut joined = 0;
    for b in bounds {
        // In IOB2 as written above, `I-` on a sentence's first token continues a span. (Never
        // on a stretch's first sentence: a span crossing into it would be in the stretch.)
        let continues = matches!(tags.get(b.start), Some(Tag::I(_)));
        if continues && !out.is_empty() {
            joined += 1;
        } else {
            out.push(TaggedSentence::default());
        }
        let Some(sentence) = out.last_mut() else {
            continue;
        };
        for (t, tag) in toks
            .get(b.clone())
            .unwrap_or_default()
            .iter()
            .zip(tags.get(b).unwrap_or_default())
        {
            sentence
                .tokens
                .push(text.get(t.start..t.end).unwrap_or_default());
            sentence.tags.push(tag.clone());
        }
    }
    out.into_iter().for_each(each);
    joined
}

/// Says once per export what a token-tag format cannot carry (relations, attributes, notes,
/// suggestions), with counts, so that nothing is lost without a word.
pub fn report_not_carried(format: &str, docs: &[ExportDoc<'_>], file: &Path, report: &mut Report) {
    let relations: usize = docs.iter().map(|d| d.relations.len()).sum();
    let attrs = docs
        .iter()
        .flat_map(|d| &d.spans)
        .filter(|s| !s.attrs.is_empty())
        .count();
    let notes = docs
        .iter()
        .flat_map(|d| &d.spans)
        .filter(|s| s.note.is_some())
        .count();
    let suggestions: usize = docs.iter().map(|d| d.suggestions.len()).sum();
    report.count("relations not exported", relations);
    report.count("suggestions not exported", suggestions);
    if relations + attrs + notes + suggestions > 0 {
        report.note(
            file,
            None,
            format!("{format} holds tokens and one tag per token: {relations} relations, the attributes of {attrs} spans, {notes} span notes and {suggestions} suggestions are not exported"),
        );
    }
}

/// The tag as a column: whitespace in a label would split the column, so it becomes `_`.
fn column_tag(tag: &Tag) -> String {
    tag.to_string()
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// Writes the documents as one CoNLL file at `out`.
pub fn export(docs: &[ExportDoc<'_>], schema: &Schema, out: &Path, report: &mut Report) -> Output {
    // Tags come from the spans themselves; the schema adds nothing a tag column can hold.
    let _ = schema;
    let mut content = crate::formats::sink::Sink::new(out);
    let mut renamed: BTreeSet<String> = BTreeSet::new();
    for d in docs {
        content.push_str(DOCSTART);
        content.push_str("\n\n");
        let mut spans = 0;
        each_tagged_sentence(d.doc, &d.spans, out, report, |sentence| {
            for (token, tag) in sentence.tokens.iter().zip(&sentence.tags) {
                if let Tag::B(l) = tag {
                    spans += 1;
                    if l.chars().any(char::is_whitespace) {
                        renamed.insert(l.clone());
                    }
                }
                content.push_str(token);
                content.push_str(" -X- _ ");
                content.push_str(&column_tag(tag));
                content.push('\n');
            }
            content.push('\n');
        });
        if spans > 0 {
            report.count("spans", spans);
        }
        report.count("documents", 1);
    }
    for l in renamed {
        report.note(
            out,
            None,
            format!(
                "label `{l}` has whitespace, which would split the tag column; written as `{}`",
                l.replace(char::is_whitespace, "_")
            ),
        );
    }
    report_not_carried("CoNLL", docs, out, report);
    Output::single(out, content)
}

/// A document from token sentences: tokens joined by one space, sentences by `\n`, spans
/// decoded from IOB1 or IOB2 (an `I-X` that does not continue an `X` span starts one, so
/// both schemes give the same spans).
pub fn doc_from_sentences(id: String, sentences: &[Vec<(&str, Tag)>]) -> ImportedDoc {
    let mut text = String::new();
    let mut spans = Vec::new();
    for (k, sentence) in sentences.iter().enumerate() {
        if k > 0 {
            text.push('\n');
        }
        append_sentence(
            &mut text,
            &mut spans,
            sentence.iter().map(|(t, tag)| (*t, tag)),
        );
    }
    ImportedDoc {
        id,
        text,
        spans,
        ..Default::default()
    }
}

/// Appends one sentence's tokens to `text`, joined by one space, and the spans its tags
/// decode to (a span never runs past its sentence).
pub fn append_sentence<'t>(
    text: &mut String,
    spans: &mut Vec<ImportedSpan>,
    sentence: impl IntoIterator<Item = (&'t str, &'t Tag)>,
) {
    let mut open: Option<ImportedSpan> = None;
    for (j, (token, tag)) in sentence.into_iter().enumerate() {
        if j > 0 {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(token);
        let end = text.len();
        let continues = match (tag, &open) {
            (Tag::I(l), Some(o)) => o.label == *l,
            _ => false,
        };
        if continues {
            if let Some(o) = open.as_mut() {
                o.end = end;
            }
            continue;
        }
        spans.extend(open.take());
        if let Some(label) = tag.label() {
            open = Some(ImportedSpan {
                start,
                end,
                label: label.to_owned(),
                ..Default::default()
            });
        }
    }
    spans.extend(open.take());
}

/// The document being read: its sentences so far, and the sentence being read.
#[derive(Default)]
struct Reading<'a> {
    /// Whether a document is open (after `-DOCSTART-` or a first token).
    open: bool,
    sentences: Vec<Vec<(&'a str, Tag)>>,
    sentence: Vec<(&'a str, Tag)>,
}

impl<'a> Reading<'a> {
    fn end_sentence(&mut self) {
        if !self.sentence.is_empty() {
            self.sentences.push(std::mem::take(&mut self.sentence));
        }
    }

    /// Closes the open document, if any, as the file's next one.
    fn end_doc(&mut self, stem: &str, n: &mut usize, out: &mut Vec<ImportedDoc>) {
        self.end_sentence();
        if self.open {
            *n += 1;
            out.push(doc_from_sentences(format!("{stem}-{n}"), &self.sentences));
        }
        self.sentences.clear();
        self.open = false;
    }
}

/// Reads CoNLL column files (IOB1 or IOB2). Every malformed line is reported with its place.
pub fn import(paths: &[PathBuf]) -> Result<Imported, LoadError> {
    let mut imported = Imported::default();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        if path.is_dir() {
            problems.push(Problem::new(
                ProblemKind::Io,
                path,
                "is a folder; give the CoNLL files themselves",
            ));
            continue;
        }
        let content = match read_text_file(path) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let stem = file_stem(path);
        let mut docs = Vec::new();
        let mut n = 0;
        let mut reading = Reading::default();
        for (i, line) in content.lines().enumerate() {
            let line_no = i + 1;
            let mut cols = line.split_whitespace();
            let Some(first) = cols.next() else {
                reading.end_sentence();
                continue;
            };
            if first == "-DOCSTART-" {
                reading.end_doc(&stem, &mut n, &mut docs);
                reading.open = true;
                continue;
            }
            let Some(last) = cols.next_back() else {
                problems.push(Problem::new(ProblemKind::Syntax, path, format!("`{line}`: expected a token and a tag, in columns separated by spaces or tabs")).at(line_no, 1));
                continue;
            };
            let Some(tag) = Tag::parse(last) else {
                let at = line.trim_end().len().saturating_sub(last.len());
                let col = line.get(..at).map_or(1, |p| p.chars().count() + 1);
                problems.push(
                    Problem::new(
                        ProblemKind::Syntax,
                        path,
                        format!("`{last}` is not a tag (expected O, B-LABEL or I-LABEL)"),
                    )
                    .at(line_no, col),
                );
                continue;
            };
            reading.open = true;
            reading.sentence.push((first, tag));
        }
        reading.end_doc(&stem, &mut n, &mut docs);
        for mut d in docs {
            d.id = unique_id(
                &mut seen,
                std::mem::take(&mut d.id),
                path,
                None,
                &mut imported.report,
            );
            imported.docs.push(d);
        }
    }
    LoadError::or_ok(problems, imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_strictly() {
        assert_eq!(Tag::parse("O"), Some(Tag::O));
        assert_eq!(Tag::parse("B-speaker"), Some(Tag::B("speaker".into())));
        assert_eq!(Tag::parse("I-stance-x"), Some(Tag::I("stance-x".into())));
        for bad in ["B-", "E-PER", "o", "PER", "-X-"] {
            assert_eq!(Tag::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn whitespace_glued_to_a_mark_is_cut_out_of_the_token() {
        let t = "a \u{301}b";
        let toks = sentence_tokens(t, 0..t.len());
        for k in &toks {
            let w = &t[k.start..k.end];
            assert!(
                !w.is_empty() && !w.chars().any(char::is_whitespace),
                "{w:?}"
            );
        }
    }

    /// Tagging a stretch at a time gives what tagging the whole document at once gives: the
    /// same sentences, tags and notes, on generated news with spans that overlap, cross
    /// sentence ends (a quotation over two sentences) and come in pieces.
    #[test]
    fn stretch_by_stretch_tags_as_the_whole_document_at_once() {
        let p = crate::generate::project(6, 20_000, 6, 3, Path::new("/tmp"));
        let mut crossing = 0;
        for doc in &p.documents {
            let mut spans: Vec<&Span> = doc.spans().iter().collect();
            // A long span over several sentences, overlapping others.
            let long = Span {
                end: (doc.spans()[0].start + 700).min(doc.text.len()),
                ..doc.spans()[0].clone()
            };
            let long = Span {
                end: crate::model::text::floor_char_boundary(&doc.text, long.end),
                id: crate::model::SpanId(999_999),
                ..long
            };
            spans.push(&long);
            // A quotation in two pieces, one sentence apart: the pieces touch no other
            // token of theirs, and tag as one span where they meet.
            let mut pieces_of = doc.spans()[1].clone();
            let text = &doc.text;
            let ends: Vec<usize> = tokens::sentences(text)
                .iter()
                .map(|r| r.end)
                .take(4)
                .collect();
            if let [a, b, c, ..] = ends[..] {
                let starts: Vec<usize> = tokens::sentences(text)
                    .iter()
                    .map(|r| r.start)
                    .take(4)
                    .collect();
                pieces_of.id = crate::model::SpanId(999_998);
                pieces_of.start = starts[0];
                pieces_of.end = c;
                pieces_of.fragments = vec![
                    crate::model::Fragment {
                        start: starts[0],
                        end: a,
                        text: text[starts[0]..a].into(),
                    },
                    crate::model::Fragment {
                        start: starts[1],
                        end: b,
                        text: text[starts[1]..b].into(),
                    },
                    crate::model::Fragment {
                        start: starts[2],
                        end: c,
                        text: text[starts[2]..c].into(),
                    },
                ];
            }
            spans.push(&pieces_of);
            let file = Path::new("out.conll");
            let mut whole_report = Report::default();
            let pieces = one_per_fragment(&spans, &mut whole_report);
            let pieces: Vec<&Span> = pieces.iter().map(|p| p.as_ref()).collect();
            let mut whole = Vec::new();
            let all = tokens::sentences(&doc.text);
            let joined = tag_stretch(doc, &pieces, &all, file, &mut whole_report, &mut |s| {
                whole.push(s)
            });
            crossing += joined;
            let mut streamed_report = Report::default();
            let mut streamed = Vec::new();
            each_tagged_sentence(doc, &spans, file, &mut streamed_report, |s| {
                streamed.push(s)
            });
            assert_eq!(streamed.len(), whole.len());
            for (a, b) in streamed.iter().zip(&whole) {
                assert_eq!(a.tokens, b.tokens);
                assert_eq!(a.tags, b.tags);
            }
            let notes = |r: &Report| {
                let mut v: Vec<String> = r.notes.iter().map(|n| n.to_string()).collect();
                v.sort();
                v
            };
            assert_eq!(notes(&streamed_report), notes(&whole_report));
            assert_eq!(
                streamed_report.get("sentences joined (a span crosses their end)"),
                joined
            );
        }
        assert!(crossing > 0, "some span crossed a sentence end");
    }
}
