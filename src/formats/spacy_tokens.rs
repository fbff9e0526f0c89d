//! Where spaCy's English tokenizer (`spacy.blank("en")`, 3.x) puts token boundaries, as
//! closely as the spaCy export's check needs: it predicts which spans
//! `doc.char_span(start, end, alignment_mode="strict")` will refuse, so the report names
//! them before a training script fails on them.
//!
//! The rules follow spaCy's own (`spacy/lang/punctuation.py`, `char_classes.py`,
//! `en/tokenizer_exceptions.py`): text splits at whitespace; each chunk loses prefixes
//! (opening punctuation, quotes, currency, symbols) and suffixes (closing punctuation,
//! quotes, `'s`, a period after a lower-case letter, a digit, a quote or two capitals)
//! until none is left; what remains splits at infixes (ellipses, hyphens and `:<>=/`
//! between letters, commas between letters, a period between a lower-case and an
//! upper-case letter). English contractions (`I’m`, `they’ve`, `don't`) split as spaCy's
//! exceptions split them, common abbreviations (`Mr.`, `U.S.`) and URLs stay whole. It is
//! a prediction, not spaCy: `tests/python/check_exports.py` runs spaCy itself.

use crate::formats::tokens::Token;

/// Opening punctuation, quotes and symbols spaCy splits off the front of a chunk.
fn is_prefix(c: char) -> bool {
    matches!(
        c,
        '§' | '%' | '=' | '—' | '–' | '+' | '$' | '£' | '€' | '¥' | '฿' | '₽' | '₹'
    ) || is_punct(c)
        || is_quote(c)
}

/// spaCy's `LIST_PUNCT`.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '…' | ','
            | ':'
            | ';'
            | '!'
            | '?'
            | '¿'
            | '¡'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '_'
            | '#'
            | '*'
            | '&'
            | '。'
            | '？'
            | '！'
            | '，'
            | '、'
            | '；'
            | '：'
            | '～'
            | '·'
    )
}

/// spaCy's `LIST_QUOTES`.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '”'
            | '“'
            | '`'
            | '‘'
            | '´'
            | '’'
            | '‚'
            | '„'
            | '»'
            | '«'
            | '「'
            | '」'
            | '『'
            | '』'
            | '（'
            | '）'
            | '《'
            | '》'
    )
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '~')
}

/// Contractions spaCy's English exceptions split (after an apostrophe, either kind), by
/// the part that becomes its own token.
const CONTRACTION_TAILS: &[&str] = &["s", "d", "ll", "m", "re", "ve"];

/// Abbreviations that keep their period (a sample of spaCy's exceptions: titles, months,
/// states and Latin ones seen in news).
const ABBREVIATIONS: &[&str] = &[
    "mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "gen.", "gov.", "sen.", "rep.", "rev.",
    "prof.", "lt.", "col.", "capt.", "sgt.", "inc.", "co.", "corp.", "ltd.", "vs.", "etc.", "jan.",
    "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.",
    "a.m.", "p.m.", "e.g.", "i.e.", "u.s.", "u.k.", "mt.", "ft.", "ala.", "ariz.", "ark.",
    "calif.", "colo.", "conn.", "del.", "fla.", "ga.", "ill.", "ind.", "kan.", "ky.", "la.", "md.",
    "mass.", "mich.", "minn.", "miss.", "mo.", "neb.", "nev.", "okla.", "ore.", "pa.", "tenn.",
    "va.", "wash.", "wis.",
];

/// Whether spaCy keeps `s` as one token (an exception): an abbreviation, single letters
/// with periods (`U.S.`), or a URL.
fn is_whole(s: &str) -> bool {
    let lower = s.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // `U.S.`, `D.C.`, `a.k.a.`: letters each followed by a period.
    let chars: Vec<char> = s.chars().collect();
    let initials = chars.len() >= 4
        && chars.len().is_multiple_of(2)
        && chars
            .chunks(2)
            .all(|p| matches!(p, [a, '.'] if a.is_alphabetic()));
    initials || lower.starts_with("http") || lower.starts_with("www.") || lower.contains(".com/")
}

/// Length in bytes of the prefix spaCy splits off `s` (0: none).
fn prefix_len(s: &str) -> usize {
    if s.starts_with("...") {
        return s.len() - s.trim_start_matches('.').len();
    }
    let mut it = s.chars();
    match (it.next(), it.next()) {
        // `+` only when no digit follows.
        (Some('+'), Some(d)) if d.is_ascii_digit() => 0,
        (Some(c), _) if is_prefix(c) || is_symbol(c) => c.len_utf8(),
        _ => 0,
    }
}

/// Other symbols (emoji, ©, arrows, dingbats): spaCy's `LIST_ICONS`, Unicode's "other
/// symbol" category but `°`, approximated by its blocks.
fn is_symbol(c: char) -> bool {
    matches!(c as u32,
        0xA6 | 0xA9 | 0xAE | 0x2116 | 0x2117 | 0x2122 | 0x2125 | 0x2127 | 0x2129 | 0x212E
        | 0x2190..=0x21FF
        | 0x2300..=0x23FF
        | 0x2400..=0x24FF
        | 0x2500..=0x27BF
        | 0x2B00..=0x2BFF
        | 0x1F000..=0x1FAFF)
}

/// Length in bytes of the suffix spaCy splits off `s` (0: none).
fn suffix_len(s: &str) -> usize {
    if s.ends_with("..") {
        return s.len() - s.trim_end_matches('.').len();
    }
    for tail in ["'s", "'S", "’s", "’S"] {
        if s.len() > tail.len() && s.ends_with(tail) {
            return tail.len();
        }
    }
    let mut rev = s.chars().rev();
    let (Some(last), before) = (rev.next(), rev.next()) else {
        return 0;
    };
    if is_punct(last) || is_quote(last) || last == '—' || last == '–' || is_symbol(last) {
        return last.len_utf8();
    }
    if last == '.' {
        let two_caps =
            before.is_some_and(char::is_uppercase) && rev.next().is_some_and(char::is_uppercase);
        let after_lower = before.is_some_and(|b| {
            b.is_lowercase()
                || b.is_ascii_digit()
                || matches!(b, '%' | '²' | '-' | '+')
                || is_quote(b)
                || is_punct(b)
        });
        if after_lower || two_caps {
            return 1;
        }
    }
    0
}

/// The tokens of `text` as spaCy's English tokenizer would make them (see the module).
/// Like spaCy, only one plain space separates tokens: any other whitespace (a second space,
/// a line break, a no-break space) is a token of its own.
pub fn spacy_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chunk_start = 0;
    let mut in_ws = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() == in_ws {
            continue;
        }
        // A change between text and whitespace at `i`.
        if chunk_start < i {
            let chunk = &text[chunk_start..i];
            if in_ws {
                out.push(Token {
                    start: chunk_start,
                    end: i,
                    ws: false,
                });
            } else {
                split_chunk(chunk, chunk_start, &mut out);
            }
        }
        chunk_start = if c == ' ' {
            if let Some(last) = out.last_mut() {
                last.ws = true;
            }
            i + 1
        } else {
            i
        };
        in_ws = !in_ws;
    }
    if chunk_start < text.len() {
        let chunk = &text[chunk_start..];
        if in_ws {
            out.push(Token {
                start: chunk_start,
                end: text.len(),
                ws: false,
            });
        } else {
            split_chunk(chunk, chunk_start, &mut out);
        }
    }
    merge_double_quotes(text, &mut out);
    out
}

/// spaCy's special cases that span several affix tokens: `''` is one token.
fn merge_double_quotes(text: &str, tokens: &mut Vec<Token>) {
    let mut merged: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens.drain(..) {
        if let Some(last) = merged.last_mut()
            && last.end == t.start
            && text.get(last.start..last.end) == Some("'")
            && text.get(t.start..t.end) == Some("'")
        {
            last.end = t.end;
            last.ws = t.ws;
            continue;
        }
        merged.push(t);
    }
    *tokens = merged;
}

fn split_chunk(chunk: &str, base: usize, out: &mut Vec<Token>) {
    let mut prefixes: Vec<(usize, usize)> = Vec::new();
    let mut suffixes: Vec<(usize, usize)> = Vec::new();
    let (mut lo, mut hi) = (0, chunk.len());
    while lo < hi {
        let s = &chunk[lo..hi];
        if is_whole(s) {
            break;
        }
        let pre = prefix_len(s);
        let suf = suffix_len(&s[pre..]);
        if pre > 0 && is_whole(&s[pre..]) {
            prefixes.push((lo, lo + pre));
            lo += pre;
            break;
        }
        if suf > 0 && is_whole(&s[..s.len() - suf]) {
            suffixes.push((hi - suf, hi));
            hi -= suf;
            break;
        }
        match (pre, suf) {
            (0, 0) => break,
            (p, 0) => {
                prefixes.push((lo, lo + p));
                lo += p;
            }
            (0, f) => {
                suffixes.push((hi - f, hi));
                hi -= f;
            }
            (p, f) if p + f <= s.len() => {
                prefixes.push((lo, lo + p));
                suffixes.push((hi - f, hi));
                lo += p;
                hi -= f;
            }
            (p, _) => {
                prefixes.push((lo, lo + p));
                lo += p;
            }
        }
    }
    let push = |out: &mut Vec<Token>, a: usize, b: usize| {
        if a < b {
            out.push(Token {
                start: base + a,
                end: base + b,
                ws: false,
            });
        }
    };
    for (a, b) in &prefixes {
        push(out, *a, *b);
    }
    if lo < hi {
        for (a, b) in core_tokens(&chunk[lo..hi]) {
            push(out, lo + a, lo + b);
        }
    }
    for (a, b) in suffixes.iter().rev() {
        push(out, *a, *b);
    }
}

/// A chunk's core (no prefix or suffix left): contractions, then infixes.
fn core_tokens(core: &str) -> Vec<(usize, usize)> {
    if is_whole(core) {
        return vec![(0, core.len())];
    }
    // `they’ve`, `I'm`, `don't`: the tail after the apostrophe (or `n't`) is a token.
    let lower = core.to_lowercase();
    for apostrophe in ['\'', '’'] {
        let nt = format!("n{apostrophe}t");
        if lower.len() > nt.len()
            && lower.ends_with(&nt)
            && lower.is_char_boundary(lower.len() - nt.len())
            && lower.len() == core.len()
        {
            let cut = core.len() - nt.len();
            return vec![(0, cut), (cut, core.len())];
        }
        if let Some(i) = core.rfind(apostrophe) {
            let tail = &lower[i + apostrophe.len_utf8()..];
            if i > 0 && lower.len() == core.len() && CONTRACTION_TAILS.contains(&tail) {
                return vec![(0, i), (i, core.len())];
            }
        }
    }
    infixes(core)
}

/// Splits at spaCy's infixes.
fn infixes(core: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = core.char_indices().collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).map(|x| x.1);
        let next = chars.get(i + 1).map(|x| x.1);
        let alpha = |x: Option<char>| x.is_some_and(char::is_alphabetic);
        let width = c.len_utf8();
        let infix = match c {
            '…' => true,
            '.' if next == Some('.') => {
                // An ellipsis: every period of the run.
                let run = chars.iter().skip(i).take_while(|x| x.1 == '.').count();
                cuts.push((at, at + run));
                i += run;
                continue;
            }
            '.' => {
                prev.is_some_and(|p| p.is_lowercase() || is_quote(p))
                    && next.is_some_and(|n| n.is_uppercase() || is_quote(n))
            }
            ',' => alpha(prev) && alpha(next),
            c if is_hyphen(c) => {
                (alpha(prev) || prev.is_some_and(|p| p.is_ascii_digit())) && alpha(next)
                    || prev.is_some_and(|p| p.is_ascii_digit())
                        && next.is_some_and(|n| n.is_ascii_digit() || n == '-')
            }
            ':' | '<' | '>' | '=' | '/' => {
                (alpha(prev) || prev.is_some_and(|p| p.is_ascii_digit())) && alpha(next)
            }
            '+' | '*' | '^' => {
                prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit() || n == '-')
            }
            c => is_symbol(c),
        };
        if infix && i > 0 {
            cuts.push((at, at + width));
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut from = 0;
    for (a, b) in cuts {
        if a > from {
            out.push((from, a));
        }
        out.push((a, b));
        from = b;
    }
    if from < core.len() {
        out.push((from, core.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        spacy_tokens(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn splits_as_spacy_english_does() {
        // Each expectation is what spacy.blank("en") 3.8 gives.
        assert_eq!(
            words("“They’ve gone,” Harris’s aide said."),
            [
                "“", "They", "’ve", "gone", ",", "”", "Harris", "’s", "aide", "said", "."
            ]
        );
        assert_eq!(words("Mr. Trump don't"), ["Mr.", "Trump", "do", "n't"]);
        assert_eq!(
            words("the U.S. all-time"),
            ["the", "U.S.", "all", "-", "time"]
        );
        assert_eq!(words("2016\">Donald"), ["2016\">Donald"]);
        assert_eq!(words("(wait...)"), ["(", "wait", "...", ")"]);
        assert_eq!(words("said. ''I'm"), ["said", ".", "''", "I", "'m"]);
        assert_eq!(
            words("Zimmerman  claimed\u{a0}it"),
            ["Zimmerman", " ", "claimed", "\u{a0}", "it"]
        );
        assert_eq!(
            words("\u{feff}Also on\n\nit 😀."),
            ["\u{feff}Also", "on", "\n\n", "it", "😀", "."]
        );
    }
}
