//! What the learned suggester sees of each token: the word and its shape, its affixes, its
//! neighbours, whether it is inside quotation marks, how far it is from a reporting verb and
//! where it stands in its sentence. Every feature is a string hashed into a fixed number of
//! buckets, so no vocabulary is kept and a model's size does not grow with the corpus.
//!
//! Text is cut into chunks (a paragraph, or several sentences of a long one, up to
//! [`MAX_TOKENS`]): a chunk is one sequence for the CRF, short enough that its lattice is
//! cheap, long enough that a quotation spanning two sentences stays inside one.

use super::crf::Sequence;
use crate::formats::tokens::{Token, sentences, tokenize};
use std::ops::Range;

/// Feature buckets (a power of two). On PolNeAR (1,008 articles) 2^18 scores as 2^19 did
/// (exact F1 0.549 against 0.550) and trains 10% faster: a label's weights are 3 MB.
pub const BUCKETS: usize = 1 << 18;

/// Longest chunk, in tokens.
pub const MAX_TOKENS: usize = 160;

/// One sequence of a document: its tokens (byte ranges in the document) and their features.
#[derive(Clone, Debug, Default)]
pub struct Chunk {
    pub tokens: Vec<Range<usize>>,
    pub seq: Sequence,
}

/// The chunks of `text`, in order, with their features.
pub fn chunks(text: &str) -> Vec<Chunk> {
    let tokens = tokenize(text);
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut first = 0;
    let mut push = |current: &mut Vec<Token>, sentence_starts: &[usize]| {
        if !current.is_empty() {
            out.push(chunk(text, std::mem::take(current), sentence_starts));
        }
    };
    let mut starts: Vec<usize> = Vec::new();
    let mut last_end = 0;
    for s in sentences(text) {
        let from = crate::formats::tokens::token_at(&tokens, s.start).max(first);
        let to = tokens.partition_point(|t| t.start < s.end);
        if from >= to {
            continue;
        }
        let paragraph_break = text
            .get(last_end..s.start)
            .is_some_and(|gap| gap.contains('\n'));
        if !current.is_empty() && (paragraph_break || current.len() + (to - from) > MAX_TOKENS) {
            push(&mut current, &starts);
            starts.clear();
        }
        // A sentence longer than a chunk is cut where it must be.
        for piece in tokens.get(from..to).unwrap_or_default().chunks(MAX_TOKENS) {
            if !current.is_empty() && current.len() + piece.len() > MAX_TOKENS {
                push(&mut current, &starts);
                starts.clear();
            }
            starts.push(current.len());
            current.extend_from_slice(piece);
        }
        first = to;
        last_end = s.end;
    }
    push(&mut current, &starts);
    out
}

/// Opening and closing quotation marks; a straight `"` opens or closes by turns.
const OPEN: &[&str] = &["“", "«", "‘", "„"];
const CLOSE: &[&str] = &["”", "»", "’"];

fn is_reporting(word: &str) -> bool {
    word == "according" || crate::suggest::quotes::VERBS.contains(&word)
}

/// A word's shape: `Xxxx` for "Harris", `dd` for "24", `X.X` for "U.S"; repeats collapsed.
fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if last != Some(k) {
            out.push(k);
            last = Some(k);
        }
    }
    out
}

fn bucket_distance(d: usize) -> &'static str {
    match d {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=8 => "5-8",
        _ => "far",
    }
}

/// Hashes a feature (FNV-1a over its template and parts) into a bucket.
fn hash(template: &str, parts: &[&str]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(template.as_bytes());
    for p in parts {
        eat(&[0x1f]);
        eat(p.as_bytes());
    }
    // Fold the high bits in: FNV's low bits alone mix poorly.
    ((h ^ (h >> 29)) as usize & (BUCKETS - 1)) as u32
}

fn chunk(text: &str, tokens: Vec<Token>, sentence_starts: &[usize]) -> Chunk {
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| text.get(t.start..t.end).unwrap_or(""))
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let shapes: Vec<String> = words.iter().map(|w| shape(w)).collect();
    let n = words.len();
    // Inside quotation marks, and the nearest reporting verb on each side.
    let mut open = false;
    let inside: Vec<bool> = words
        .iter()
        .map(|w| {
            let opens = OPEN.contains(w) || (*w == "\"" && !open);
            let closes = CLOSE.contains(w) || (*w == "\"" && open);
            if opens && !closes {
                open = true;
            } else if closes {
                open = false;
            }
            open && !opens
        })
        .collect();
    let verbs: Vec<usize> = lower
        .iter()
        .enumerate()
        .filter(|(_, w)| is_reporting(w))
        .map(|(t, _)| t)
        .collect();
    // Each token's place in its sentence, and its sentence's first token.
    let mut sentence_index = vec![0usize; n];
    let mut sentence_of = vec![0usize; n];
    for (k, &s) in sentence_starts.iter().enumerate() {
        let end = sentence_starts.get(k + 1).copied().unwrap_or(n);
        for (i, (at, of)) in sentence_index
            .iter_mut()
            .zip(sentence_of.iter_mut())
            .enumerate()
            .take(end)
            .skip(s)
        {
            *at = i - s;
            *of = k;
        }
    }
    let word_at = |t: isize| -> &str {
        if t < 0 {
            "<s>"
        } else {
            lower.get(t as usize).map_or("</s>", String::as_str)
        }
    };
    let shape_at = |t: isize| -> &str {
        if t < 0 {
            "<s>"
        } else {
            shapes.get(t as usize).map_or("</s>", String::as_str)
        }
    };
    let mut seq = Sequence {
        feats: Vec::with_capacity(n * 24),
        starts: Vec::with_capacity(n + 1),
    };
    seq.starts.push(0);
    for (t, w) in lower.iter().enumerate() {
        let i = t as isize;
        let w = w.as_str();
        let here = inside.get(t).copied().unwrap_or(false);
        let f = &mut seq.feats;
        let chars: Vec<(usize, char)> = w.char_indices().collect();
        let prefix = |k: usize| chars.get(k).map_or(w, |&(b, _)| &w[..b]);
        let suffix = |k: usize| {
            chars
                .len()
                .checked_sub(k)
                .and_then(|j| chars.get(j))
                .map_or(w, |&(b, _)| &w[b..])
        };
        f.push(hash("bias", &[]));
        f.push(hash("w", &[w]));
        f.push(hash("shape", &[shape_at(i)]));
        f.push(hash("p3", &[prefix(3)]));
        f.push(hash("s3", &[suffix(3)]));
        f.push(hash("s2", &[suffix(2)]));
        f.push(hash("w-1", &[word_at(i - 1)]));
        f.push(hash("w+1", &[word_at(i + 1)]));
        f.push(hash("w-2", &[word_at(i - 2)]));
        f.push(hash("w+2", &[word_at(i + 2)]));
        f.push(hash("sh-1", &[shape_at(i - 1)]));
        f.push(hash("sh+1", &[shape_at(i + 1)]));
        f.push(hash("sh-1.0", &[shape_at(i - 1), shape_at(i)]));
        f.push(hash("w-1.0", &[word_at(i - 1), w]));
        f.push(hash("w0.+1", &[w, word_at(i + 1)]));
        f.push(hash("in-quote", &[bool_str(here)]));
        let before = inside.get(t.wrapping_sub(1)).copied().unwrap_or(false);
        let after = inside.get(t + 1).copied().unwrap_or(false);
        f.push(hash(
            "quote-edge",
            &[bool_str(before), bool_str(here), bool_str(after)],
        ));
        // A reporting verb speaks for its own sentence only.
        let same = |v: &&usize| sentence_of.get(**v) == sentence_of.get(t);
        let left = verbs
            .iter()
            .rev()
            .find(|&&v| v <= t)
            .filter(same)
            .map(|&v| t - v);
        let right = verbs.iter().find(|&&v| v >= t).filter(same).map(|&v| v - t);
        f.push(hash("verb-left", &[left.map_or("none", bucket_distance)]));
        f.push(hash("verb-right", &[right.map_or("none", bucket_distance)]));
        let at = sentence_index.get(t).copied().unwrap_or(0);
        f.push(hash(
            "sent-pos",
            &[match at {
                0 => "0",
                1 => "1",
                2..=3 => "2-3",
                4..=8 => "4-8",
                _ => "later",
            }],
        ));
        f.push(hash(
            "sent-pos.shape",
            &[bucket_distance(at.min(9)), shape_at(i)],
        ));
        seq.starts.push(f.len() as u32);
    }
    Chunk {
        tokens: tokens.into_iter().map(|t| t.start..t.end).collect(),
        seq,
    }
}

fn bool_str(b: bool) -> &'static str {
    if b { "y" } else { "n" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_chunks_and_long_ones_are_cut() {
        let text = "Harris said: “We will win.” She left.\n\nA second paragraph here.";
        let c = chunks(text);
        assert_eq!(c.len(), 2);
        assert_eq!(&text[c[1].tokens[0].clone()], "A");
        assert_eq!(c[0].seq.len(), c[0].tokens.len());
        let long = "word ".repeat(500);
        let c = chunks(&long);
        assert!(c.iter().all(|k| k.tokens.len() <= MAX_TOKENS));
        assert_eq!(c.iter().map(|k| k.tokens.len()).sum::<usize>(), 500);
    }

    #[test]
    fn shapes_and_hashes_are_stable() {
        assert_eq!(shape("Harris"), "Xx");
        assert_eq!(shape("U.S"), "X.X");
        assert_eq!(shape("2024"), "d");
        assert_eq!(hash("w", &["said"]), hash("w", &["said"]));
        assert_ne!(hash("w", &["said"]), hash("w-1", &["said"]));
        assert!((hash("w", &["x"]) as usize) < BUCKETS);
    }
}
