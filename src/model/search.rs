//! Search: text (case-insensitive by default, whole word and regex as options) combined with
//! annotation conditions, over one document or the corpus.
//!
//! A query is words and `field:value` terms, space-separated, with `"..."` for values and
//! phrases that contain spaces, and `-` in front of a term to negate it:
//!
//! - bare words (or a quoted phrase), or `text:"..."`: the text to find;
//! - `label:stance`, `label:*` (any label);
//! - an attribute of the schema: `polarity:against`, `entity:"Kamala Harris"`, `target:*`
//!   (has a value);
//! - `note:word` (the span's note contains it).
//!
//! With text to find, a hit is an occurrence of the text; conditions then ask about the spans
//! that cover it: the positive ones must all hold for one covering span, and no covering span
//! may meet a negated one. So `Harris -label:speaker` finds every "Harris" not yet tagged as a
//! speaker. Without text, a hit is a span meeting every positive condition and no negated
//! one: `label:stance -polarity:*` lists stances whose polarity is not set.

use crate::model::project::{DocId, Span, SpanId};
use crate::model::schema::Schema;
use regex::{Regex, RegexBuilder};
use std::sync::atomic::{AtomicBool, Ordering};

/// How the text of a query is matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchOptions {
    pub case_sensitive: bool,
    pub whole_word: bool,
    /// The text is a regular expression (Rust `regex` syntax: linear time, no backtracking).
    pub regex: bool,
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Label,
    Attr(String),
    Note,
}

/// One `field:value` term. `value` `*` means "any value".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub negated: bool,
    pub field: Field,
    pub value: String,
}

impl Condition {
    /// Whether the span meets the condition, ignoring negation.
    fn holds(&self, span: &Span) -> bool {
        let any = self.value == "*";
        // Case-insensitive beyond ASCII ("émile" finds "Émile"), without allocating when
        // the bytes already agree.
        let same =
            |v: &str| any || v == self.value || v.to_lowercase() == self.value.to_lowercase();
        match &self.field {
            Field::Label => same(&span.label),
            Field::Attr(name) => span.attrs.get(name).is_some_and(same),
            Field::Note => span
                .note
                .as_deref()
                .is_some_and(|n| any || n.to_lowercase().contains(&self.value.to_lowercase())),
        }
    }
}

/// A query that cannot be understood, said in words the user can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// A parsed query.
#[derive(Clone, Debug)]
pub struct Query {
    /// The text to find, as typed (bare words joined by single spaces, or `text:`).
    pub text: Option<String>,
    pattern: Option<Regex>,
    pub conditions: Vec<Condition>,
}

/// One hit: a byte range of a document, and the span it is when the query finds spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub span: Option<SpanId>,
}

impl Query {
    /// Parses `input`. Attribute names come from `schema`, so a typo is an error rather
    /// than a query that silently finds nothing.
    pub fn parse(input: &str, schema: &Schema, options: SearchOptions) -> Result<Self, QueryError> {
        let mut words: Vec<String> = Vec::new();
        let mut text_term: Option<String> = None;
        let mut conditions = Vec::new();
        for term in terms(input)? {
            let (negated, body) = match term.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, term.as_str()),
            };
            let Some((key, value)) = split_field(body) else {
                if negated {
                    return Err(QueryError(format!(
                        "`-{body}`: a minus goes before label:, text: or an attribute (use \"-{body}\" in quotes to find it as text)"
                    )));
                }
                words.push(unquote(body));
                continue;
            };
            let value = unquote(value);
            if value.is_empty() {
                return Err(QueryError(format!("`{key}:` needs a value (or * for any)")));
            }
            let field = match key.to_lowercase().as_str() {
                "text" => {
                    if negated {
                        return Err(QueryError(
                            "-text: is not supported: search for the text and exclude by label"
                                .into(),
                        ));
                    }
                    if text_term.replace(value).is_some() {
                        return Err(QueryError("one text: at a time".into()));
                    }
                    continue;
                }
                "label" => {
                    if value != "*" && schema.label(&value).is_none() {
                        return Err(QueryError(format!(
                            "no label `{value}` (labels: {})",
                            schema
                                .labels
                                .iter()
                                .map(|l| l.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    Field::Label
                }
                "note" => Field::Note,
                other => {
                    let known = schema
                        .labels
                        .iter()
                        .flat_map(|l| &l.attributes)
                        .find(|a| a.name.eq_ignore_ascii_case(other));
                    match known {
                        Some(a) => Field::Attr(a.name.clone()),
                        None => {
                            let mut names: Vec<&str> = schema
                                .labels
                                .iter()
                                .flat_map(|l| &l.attributes)
                                .map(|a| a.name.as_str())
                                .collect();
                            names.sort_unstable();
                            names.dedup();
                            return Err(QueryError(format!(
                                "unknown field `{key}:` (use text:, label:, note: or an attribute: {})",
                                names.join(", ")
                            )));
                        }
                    }
                }
            };
            conditions.push(Condition {
                negated,
                field,
                value,
            });
        }
        let text = match (text_term, words.is_empty()) {
            (Some(_), false) => {
                return Err(QueryError(format!(
                    "both text: and plain words (`{}`): use one",
                    words.join(" ")
                )));
            }
            (Some(t), true) => Some(t),
            (None, false) => Some(words.join(" ")),
            (None, true) => None,
        };
        let pattern = match &text {
            Some(t) => Some(compile(t, options)?),
            None => None,
        };
        Ok(Query {
            text,
            pattern,
            conditions,
        })
    }

    /// Nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.pattern.is_none() && self.conditions.is_empty()
    }

    /// Whether hits are text occurrences (which can be tagged) rather than spans.
    pub fn finds_text(&self) -> bool {
        self.pattern.is_some()
    }

    /// The hits in one document, in reading order. `spans` are the document's spans, sorted
    /// by start (as [`crate::model::Document::spans`] keeps them).
    pub fn find(&self, text: &str, spans: &[Span]) -> Vec<Hit> {
        let (positive, negative): (Vec<&Condition>, Vec<&Condition>) =
            self.conditions.iter().partition(|c| !c.negated);
        let Some(pattern) = &self.pattern else {
            return spans
                .iter()
                .filter(|s| positive.iter().all(|c| c.holds(s)))
                .filter(|s| !negative.iter().any(|c| c.holds(s)))
                .map(|s| Hit {
                    start: s.start,
                    end: s.end,
                    span: Some(s.id),
                })
                .collect();
        };
        let longest = spans.iter().map(|s| s.end - s.start).max().unwrap_or(0);
        pattern
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .filter(|m| {
                if self.conditions.is_empty() {
                    return true;
                }
                let covering: Vec<&Span> = covering(spans, longest, m.start(), m.end()).collect();
                let positive_ok = positive.is_empty()
                    || covering.iter().any(|s| positive.iter().all(|c| c.holds(s)));
                positive_ok && !covering.iter().any(|s| negative.iter().any(|c| c.holds(s)))
            })
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                span: None,
            })
            .collect()
    }
}

/// The spans that cover `[start, end)` (inside one of their pieces: a discontinuous span's
/// gap is not covered): spans are sorted by start and none is longer than `longest`, so
/// only a window of them is looked at.
fn covering(
    spans: &[Span],
    longest: usize,
    start: usize,
    end: usize,
) -> impl Iterator<Item = &Span> {
    let lo = spans.partition_point(|s| s.start < start.saturating_sub(longest));
    let hi = spans.partition_point(|s| s.start <= start);
    spans
        .get(lo..hi)
        .unwrap_or(&[])
        .iter()
        .filter(move |s| s.start <= start && s.end >= end && s.covers(start, end))
}

fn compile(text: &str, options: SearchOptions) -> Result<Regex, QueryError> {
    let body = if options.regex {
        text.to_owned()
    } else {
        regex::escape(text)
    };
    let body = if options.whole_word {
        format!(r"\b(?:{body})\b")
    } else {
        body
    };
    RegexBuilder::new(&body)
        .case_insensitive(!options.case_sensitive)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| QueryError(format!("not a valid regular expression: {e}")))
}

/// Splits a query into terms at spaces outside quotes. Quotes stay in the term (removed by
/// [`unquote`] once the field is known).
fn terms(input: &str) -> Result<Vec<String>, QueryError> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err(QueryError("a quote is not closed".into()));
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// `key:value` when the term starts with a field name (letters, digits, `_`, `-`) and a
/// colon; a quoted term or one like `12:30` is text.
fn split_field(term: &str) -> Option<(&str, &str)> {
    let (key, value) = term.split_once(':')?;
    let is_name = !key.is_empty()
        && key.chars().next().is_some_and(char::is_alphabetic)
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    is_name.then_some((key, value))
}

fn unquote(s: &str) -> String {
    s.replace('"', "")
}

/// One document to search off the UI thread: shared text and spans, no copies (what
/// [`crate::model::Project::snapshot`] gives).
pub type SearchDoc = crate::model::consistency::DocSnapshot;

/// Searches `docs` in order, handing over each document's hits as soon as they are found
/// (so results appear at once), until done or `cancel` is set. Returns whether it finished.
pub fn search_corpus(
    query: &Query,
    docs: &[SearchDoc],
    cancel: &AtomicBool,
    mut found: impl FnMut(DocId, Vec<Hit>),
) -> bool {
    for d in docs {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let hits = query.find(&d.text, &d.spans);
        if !hits.is_empty() {
            found(d.doc, hits);
        }
    }
    true
}

/// A hit with its context on the same line, for a keyword-in-context list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context<'a> {
    pub before: &'a str,
    pub hit: &'a str,
    pub after: &'a str,
}

/// Up to `before` characters before the hit and `after` after it, within its line.
pub fn context(text: &str, start: usize, end: usize, before: usize, after: usize) -> Context<'_> {
    let (Some(before_all), Some(hit), Some(after_all)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return Context {
            before: "",
            hit: "",
            after: "",
        };
    };
    let line_start = before_all.rfind('\n').map_or(0, |i| i + 1);
    let before_line = before_all.get(line_start..).unwrap_or_default();
    let from = before_line
        .char_indices()
        .rev()
        .nth(before.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let after_line = after_all.split(['\n', '\r']).next().unwrap_or_default();
    let to = after_line
        .char_indices()
        .nth(after)
        .map_or(after_line.len(), |(i, _)| i);
    Context {
        before: before_line.get(from..).unwrap_or_default(),
        hit,
        after: after_line.get(..to).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::project::SpanId;

    fn span(id: u64, text: &str, needle: &str, label: &str, attrs: &[(&str, &str)]) -> Span {
        let start = text.find(needle).unwrap();
        Span {
            id: SpanId(id),
            start,
            end: start + needle.len(),
            label: label.into(),
            text: needle.into(),
            fragments: Vec::new(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<crate::model::Attrs>(),
            note: None,
            annotator: None,
            origin: None,
        }
    }

    fn q(s: &str) -> Query {
        Query::parse(s, &Schema::default(), SearchOptions::default()).unwrap()
    }

    fn texts<'a>(text: &'a str, hits: &[Hit]) -> Vec<&'a str> {
        hits.iter().map(|h| &text[h.start..h.end]).collect()
    }

    const TEXT: &str =
        "Harris said “no”. Kamala Harris met Kim. HARRIS again; Harrisburg 😀 Harris.";

    fn spans() -> Vec<Span> {
        let mut s = vec![
            span(
                1,
                TEXT,
                "Kamala Harris",
                "speaker",
                &[("entity", "Kamala Harris")],
            ),
            span(2, TEXT, "“no”", "stance", &[("polarity", "against")]),
            span(3, TEXT, "met Kim", "event", &[]),
        ];
        s.sort_by_key(Span::key);
        s
    }

    #[test]
    fn text_is_case_insensitive_by_default_and_offsets_are_bytes() {
        let hits = q("harris").find(TEXT, &[]);
        assert_eq!(
            texts(TEXT, &hits),
            ["Harris", "Harris", "HARRIS", "Harris", "Harris"]
        );
        // After the curly quotes and the emoji, offsets are still exact bytes.
        let last = hits.last().unwrap();
        assert_eq!(last.start, TEXT.rfind("Harris").unwrap());
        let exact = Query::parse(
            "Harris",
            &Schema::default(),
            SearchOptions {
                case_sensitive: true,
                whole_word: true,
                regex: false,
            },
        )
        .unwrap();
        assert_eq!(exact.find(TEXT, &[]).len(), 3, "not HARRIS, not Harrisburg");
    }

    #[test]
    fn untagged_occurrences_are_found_by_excluding_a_label() {
        let s = spans();
        let hits = q("Harris -label:speaker").find(TEXT, &s);
        // "Kamala Harris" is a speaker: its Harris is covered; the others are not.
        assert_eq!(hits.len(), 4);
        assert!(
            hits.iter()
                .all(|h| h.start != TEXT.find("Harris met").unwrap())
        );
        let covered = q("harris label:speaker entity:\"kamala harris\"").find(TEXT, &s);
        assert_eq!(covered.len(), 1);
        assert_eq!(q("text:\"no\" label:stance").find(TEXT, &s).len(), 1);
        assert_eq!(q("Kim -label:*").find(TEXT, &s).len(), 0);
    }

    #[test]
    fn a_discontinuous_span_does_not_cover_its_gap() {
        // “no” … Harris as one stance: the "said" between them is outside it.
        let mut quote = span(4, TEXT, "Harris said “no”. Kamala Harris", "stance", &[]);
        let a = TEXT.find("Harris").unwrap();
        let b = TEXT.find("Kamala").unwrap();
        quote.set_pieces(TEXT, &[a..a + "Harris".len(), b..b + "Kamala Harris".len()]);
        let s = vec![quote];
        assert_eq!(
            q("said -label:stance").find(TEXT, &s).len(),
            1,
            "in the gap"
        );
        assert_eq!(
            q("Kamala label:stance").find(TEXT, &s).len(),
            1,
            "in a piece"
        );
    }

    #[test]
    fn without_text_the_hits_are_spans() {
        let s = spans();
        let hits = q("label:stance polarity:against").find(TEXT, &s);
        assert_eq!(
            hits,
            [Hit {
                start: s[0].start,
                end: s[0].end,
                span: Some(SpanId(2))
            }]
        );
        let unset = q("label:event -type:*").find(TEXT, &s);
        assert_eq!(unset.len(), 1, "the event has no type yet");
        assert_eq!(q("-label:speaker").find(TEXT, &s).len(), 2);
    }

    #[test]
    fn regex_and_whole_word() {
        let opts = SearchOptions {
            regex: true,
            ..Default::default()
        };
        let re = Query::parse(r"harris\w+", &Schema::default(), opts).unwrap();
        assert_eq!(texts(TEXT, &re.find(TEXT, &[])), ["Harrisburg"]);
        let bad = Query::parse("(", &Schema::default(), opts).unwrap_err();
        assert!(bad.0.contains("regular expression"), "{bad}");
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        let schema = Schema::default();
        let err = |s: &str| {
            Query::parse(s, &schema, SearchOptions::default())
                .unwrap_err()
                .0
        };
        assert!(err("polarty:against").contains("unknown field `polarty:`"));
        assert!(err("polarty:against").contains("polarity"));
        assert!(err("label:speeker").contains("no label `speeker`"));
        assert!(err("\"open").contains("quote"));
        assert!(err("-said").contains("minus"));
        assert!(err("label:").contains("needs a value"));
        // A time or a quoted colon is text, not a field.
        assert_eq!(q("12:30").text.as_deref(), Some("12:30"));
        assert_eq!(q("\"said: no\"").text.as_deref(), Some("said: no"));
        assert!(q("").is_empty());
    }

    #[test]
    fn context_stays_on_the_line_and_on_char_boundaries() {
        let text = "first line\n😀😀 Harris said ✓ yes\nnext";
        let start = text.find("Harris").unwrap();
        let c = context(text, start, start + 6, 2, 2);
        assert_eq!((c.before, c.hit, c.after), ("😀 ", "Harris", " s"));
        let wide = context(text, start, start + 6, 100, 100);
        assert_eq!(wide.before, "😀😀 ");
        assert_eq!(wide.after, " said ✓ yes");
    }

    #[test]
    fn a_corpus_search_hands_over_each_document_and_stops_when_cancelled() {
        let query = q("harris");
        let docs: Vec<SearchDoc> = (0..3)
            .map(|i| SearchDoc {
                doc: DocId(i),
                text: TEXT.into(),
                spans: Default::default(),
            })
            .collect();
        let cancel = AtomicBool::new(false);
        let mut seen = Vec::new();
        assert!(search_corpus(&query, &docs, &cancel, |d, hits| seen.push((d, hits.len()))));
        assert_eq!(seen, [(DocId(0), 5), (DocId(1), 5), (DocId(2), 5)]);
        cancel.store(true, Ordering::Relaxed);
        let mut more = 0;
        assert!(!search_corpus(&query, &docs, &cancel, |_, _| more += 1));
        assert_eq!(more, 0);
    }
}
