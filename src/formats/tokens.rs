//! Tokens and sentences for the token-based formats (CoNLL, Hugging Face, Prodigy), from
//! Unicode word and sentence boundaries (UAX #29): every word is a token, every punctuation
//! mark its own token, spaces are not tokens. Deterministic, so exports are reproducible.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// A token: its byte range in the text, and whether whitespace follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub ws: bool,
}

/// The tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_token(text, |t| out.push(t));
    out
}

/// Calls `f` with each token of `text`, in order (what [`tokenize`] collects): a 1 GB
/// document's 170 million tokens need not all be held to be written. A token is given
/// once the text after it says whether whitespace follows.
pub fn each_token(text: &str, mut f: impl FnMut(Token)) {
    let mut pending: Option<Token> = None;
    let mut push = |t: Token, pending: &mut Option<Token>| {
        if let Some(done) = pending.replace(t) {
            f(done);
        }
    };
    for (i, w) in text.split_word_bound_indices() {
        // Spaces (and a stray combining mark on a space) are not tokens.
        if w.graphemes(true)
            .all(|g| g.starts_with(char::is_whitespace))
        {
            if let Some(last) = &mut pending {
                last.ws = true;
            }
            continue;
        }
        // UAX #29 keeps runs like "..." or "--" whole; split punctuation into visible
        // characters (graphemes: a flag or a family emoji stays whole) so that every mark is
        // a token, as tokenizers for NER do. A grapheme that starts with a space (a stray
        // combining mark after a space) counts as space.
        if w.chars().all(|c| !c.is_alphanumeric()) && w.graphemes(true).count() > 1 {
            for (j, g) in w.grapheme_indices(true) {
                if g.starts_with(char::is_whitespace) {
                    if let Some(last) = &mut pending {
                        last.ws = true;
                    }
                    continue;
                }
                let t = Token {
                    start: i + j,
                    end: i + j + g.len(),
                    ws: false,
                };
                push(t, &mut pending);
            }
        } else {
            let t = Token {
                start: i,
                end: i + w.len(),
                ws: false,
            };
            push(t, &mut pending);
        }
    }
    if let Some(last) = pending {
        f(last);
    }
}

/// What [`covered`] answers for a known set of byte ranges, worked out in one pass over the
/// tokens as they come ([`each_token`]), without holding them: for each range start, the
/// index and start of the first token ending after it; for each range end, how many tokens
/// start before it and where the last of them ends.
#[derive(Debug, Default)]
pub struct Coverage {
    firsts: std::collections::HashMap<usize, (usize, Option<usize>)>,
    lasts: std::collections::HashMap<usize, (usize, Option<usize>)>,
}

impl Coverage {
    /// The answers for `ranges`, from the tokens `tokens` gives to its callback, in order.
    pub fn of(
        ranges: impl IntoIterator<Item = Range<usize>>,
        tokens: impl FnOnce(&mut dyn FnMut(Token)),
    ) -> Self {
        let (mut starts, mut ends): (Vec<usize>, Vec<usize>) =
            ranges.into_iter().map(|r| (r.start, r.end)).unzip();
        starts.sort_unstable();
        starts.dedup();
        ends.sort_unstable();
        ends.dedup();
        let mut out = Self::default();
        let (mut s, mut e) = (starts.iter().peekable(), ends.iter().peekable());
        let mut n = 0;
        let mut previous_end = None;
        tokens(&mut |t: Token| {
            // Tokens do not overlap: their starts and ends both grow.
            while let Some(&&at) = s.peek().filter(|&&&at| at < t.end) {
                out.firsts.insert(at, (n, Some(t.start)));
                s.next();
            }
            while let Some(&&at) = e.peek().filter(|&&&at| at <= t.start) {
                out.lasts.insert(at, (n, previous_end));
                e.next();
            }
            previous_end = Some(t.end);
            n += 1;
        });
        for &at in s {
            out.firsts.insert(at, (n, None));
        }
        for &at in e {
            out.lasts.insert(at, (n, previous_end));
        }
        out
    }

    /// [`covered`] for one of the ranges given to [`Coverage::of`] (another range covers no
    /// token).
    pub fn covered(&self, range: &Range<usize>) -> (Range<usize>, bool) {
        let (Some(&(first, first_start)), Some(&(last, last_end))) =
            (self.firsts.get(&range.start), self.lasts.get(&range.end))
        else {
            return (0..0, false);
        };
        let aligned =
            first_start == Some(range.start) && last > first && last_end == Some(range.end);
        (first..last, aligned)
    }
}

/// Sentence ranges (UAX #29; every line break also ends a sentence), without the trailing
/// whitespace, skipping blank ones.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    text.split_sentence_bound_indices()
        .filter_map(|(i, s)| {
            let trimmed = s.trim_end();
            let lead = s.len() - s.trim_start().len();
            (!trimmed.trim().is_empty()).then(|| i + lead..i + trimmed.len())
        })
        .collect()
}

/// Index of the first token that ends after `offset` (the token holding `offset`).
pub fn token_at(tokens: &[Token], offset: usize) -> usize {
    tokens.partition_point(|t| t.end <= offset)
}

/// The tokens a byte range covers (every token it touches), and whether both ends fall on
/// token boundaries.
pub fn covered(tokens: &[Token], range: &Range<usize>) -> (Range<usize>, bool) {
    let first = token_at(tokens, range.start);
    let last = tokens.partition_point(|t| t.start < range.end);
    let aligned = tokens.get(first).is_some_and(|t| t.start == range.start)
        && last > first
        && tokens.get(last - 1).is_some_and(|t| t.end == range.end);
    (first..last, aligned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed answers are the held list's, for every range of a text full of
    /// punctuation, spaces and emoji (ends inside tokens, between them, past the end).
    #[test]
    fn coverage_in_one_pass_answers_what_the_token_list_answers() {
        let text = "  Harris said: “no…” 😀 U.S. policy,  2024. ";
        let tokens = tokenize(text);
        let mut streamed = Vec::new();
        each_token(text, |t| streamed.push(t));
        assert_eq!(streamed, tokens);
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let ranges: Vec<Range<usize>> = bounds
            .iter()
            .flat_map(|&a| bounds.iter().filter(move |&&b| b > a).map(move |&b| a..b))
            .collect();
        let coverage = Coverage::of(ranges.iter().cloned(), |f| each_token(text, f));
        for r in &ranges {
            assert_eq!(coverage.covered(r), covered(&tokens, r), "{r:?}");
        }
        let none = Coverage::of(ranges.iter().cloned(), |f| each_token("   ", f));
        assert_eq!(none.covered(&(0..2)), covered(&[], &(0..2)));
    }

    #[test]
    fn words_and_punctuation_are_tokens() {
        let t = "Harris said: “no…” 😀 U.S. policy, 2024.";
        let words: Vec<&str> = tokenize(t).iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(
            words,
            [
                "Harris", "said", ":", "“", "no", "…", "”", "😀", "U.S", ".", "policy", ",",
                "2024", "."
            ]
        );
        let toks = tokenize(t);
        assert!(toks[0].ws, "a space after Harris");
        assert!(toks[2].ws, "a space after the colon");
        assert!(!toks[3].ws, "no space after the opening quote");
    }

    #[test]
    fn emoji_sequences_stay_whole_and_stray_marks_are_space() {
        let t = "ok 👨‍👩‍👧🇺🇸 \u{301}go";
        let words: Vec<&str> = tokenize(t).iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(words, ["ok", "👨‍👩‍👧", "🇺🇸", "go"]);
    }

    #[test]
    fn sentences_end_at_line_breaks() {
        let t = "Title line\n\nFirst one. Second one!\r\nLast";
        let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(s, ["Title line", "First one.", "Second one!", "Last"]);
    }

    #[test]
    fn coverage_reports_misaligned_ends() {
        let t = "Kamala Harris said";
        let toks = tokenize(t);
        assert_eq!(covered(&toks, &(0..13)), (0..2, true));
        assert_eq!(covered(&toks, &(2..13)), (0..2, false));
    }
}
