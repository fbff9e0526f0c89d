//! Tokens and sentences for the token-based formats (CoNLL, Hugging Face, Prodigy), from
//! Unicode word and sentence boundaries (UAX #29): every word is a token, every punctuation
//! mark its own token, spaces are not tokens. Deterministic, so exports are reproducible.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// A token: its byte range in the text, and whether whitespace follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub ws: bool,
}

/// The tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for (i, w) in text.split_word_bound_indices() {
        // Spaces (and a stray combining mark on a space) are not tokens.
        if w.graphemes(true)
            .all(|g| g.starts_with(char::is_whitespace))
        {
            if let Some(last) = out.last_mut() {
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
                    if let Some(last) = out.last_mut() {
                        last.ws = true;
                    }
                    continue;
                }
                out.push(Token {
                    start: i + j,
                    end: i + j + g.len(),
                    ws: false,
                });
            }
        } else {
            out.push(Token {
                start: i,
                end: i + w.len(),
                ws: false,
            });
        }
    }
    out
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
