//! Offsets into document text.
//!
//! Marginalia stores every offset as a UTF-8 **byte** offset on a `char` boundary, because that
//! is what Rust slices with and what makes `text[start..end]` free. Interchange formats count
//! code points or UTF-16 units instead; they convert here, at the boundary, and nowhere else.
//!
//! Selection snapping lives here too, so the document view and the keyboard commands agree on
//! what a "word" is: UAX #29 word boundaries from `unicode-segmentation`, computed on a small
//! window around the edge so that the cost never depends on the document's length.

use std::ops::Range;
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

/// How far (in bytes) around an offset we look for word or grapheme boundaries. Words longer
/// than this are pathological (base64 blobs, minified data); for them the snap is approximate.
const SNAP_WINDOW: usize = 512;

/// Largest char boundary `<= i` (clamped to the text length).
pub fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary `>= i` (clamped to the text length).
pub fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The window `[lo, hi)` around `[start, end)` that snapping looks at, on char boundaries and
/// never crossing a newline (word and grapheme boundaries never cross one either, except
/// inside CRLF, which we keep whole).
fn snap_window(text: &str, start: usize, end: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let lo_limit = floor_char_boundary(text, start.saturating_sub(SNAP_WINDOW));
    let hi_limit = ceil_char_boundary(text, end.saturating_add(SNAP_WINDOW));
    let lo = memchr::memrchr(b'\n', bytes.get(lo_limit..start).unwrap_or_default())
        .map_or(lo_limit, |p| lo_limit + p + 1);
    let hi = memchr::memchr(b'\n', bytes.get(end..hi_limit).unwrap_or_default())
        .map_or(hi_limit, |p| end + p + 1);
    lo..hi
}

/// Word segments (UAX #29) that cover the window around `offset`, as absolute byte ranges.
fn word_segments_around(text: &str, offset: usize) -> Vec<Range<usize>> {
    let window = snap_window(text, offset, offset);
    text[window.clone()]
        .split_word_bound_indices()
        .map(|(i, w)| window.start + i..window.start + i + w.len())
        .collect()
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Snaps a raw selection to whole words: the start moves back to the start of the word it
/// falls in, the end moves forward to the end of its word, and whitespace at either edge is
/// dropped. Punctuation counts as its own word, so a drag that touches a comma includes it.
/// Returns `None` when nothing but whitespace is selected.
pub fn snap_to_words(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let start = floor_char_boundary(text, range.start.min(range.end));
    let end = ceil_char_boundary(text, range.end.max(range.start));
    if start >= end {
        return None;
    }
    // Start: the first non-blank segment that ends after `start`, from its beginning.
    let new_start = word_segments_around(text, start)
        .into_iter()
        .find(|seg| seg.end > start && !is_blank(&text[seg.clone()]))
        .map(|seg| seg.start);
    let new_start = match new_start {
        Some(s) if s < end => s,
        // The blank run reaches past this line: find the first visible char in the selection.
        _ => word_start(text, first_non_blank(text, start, end)?),
    };
    // End: the segment containing `end - 1`; skip backward over blank segments.
    let last = floor_char_boundary(text, end - 1);
    let mut new_end = None;
    for seg in word_segments_around(text, last).into_iter().rev() {
        if seg.start > last {
            continue;
        }
        if !is_blank(&text[seg.clone()]) {
            new_end = Some(seg.end);
            break;
        }
    }
    let new_end = match new_end {
        Some(e) => e,
        None => word_end(text, last_non_blank_end(text, new_start, end)?),
    };
    (new_start < new_end).then_some(new_start..new_end)
}

/// Start of the word segment containing `offset`.
fn word_start(text: &str, offset: usize) -> usize {
    word_segments_around(text, offset)
        .into_iter()
        .find(|s| s.start <= offset && offset < s.end)
        .map_or(offset, |s| s.start)
}

/// End of the word segment containing the char that ends at `end`.
fn word_end(text: &str, end: usize) -> usize {
    let last = floor_char_boundary(text, end.saturating_sub(1));
    word_segments_around(text, last)
        .into_iter()
        .find(|s| s.start <= last && last < s.end)
        .map_or(end, |s| s.end)
}

fn first_non_blank(text: &str, from: usize, to: usize) -> Option<usize> {
    text[from..to]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| from + i)
}

fn last_non_blank_end(text: &str, from: usize, to: usize) -> Option<usize> {
    text[from..to]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| from + i + c.len_utf8())
}

/// Snaps a raw selection outwards to grapheme cluster boundaries (Alt+drag: exact characters,
/// but never half an emoji, a flag or a letter with its combining accent).
pub fn snap_to_graphemes(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let start = floor_char_boundary(text, range.start.min(range.end));
    let end = ceil_char_boundary(text, range.end.max(range.start));
    if start >= end {
        return None;
    }
    let start = grapheme_floor(text, start);
    let end = grapheme_ceil(text, end);
    (start < end).then_some(start..end)
}

/// Largest grapheme boundary `<= offset`.
pub fn grapheme_floor(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    let window = snap_window(text, offset, offset);
    let local = &text[window.start..window.end];
    let mut cursor = GraphemeCursor::new(offset - window.start, local.len(), true);
    match cursor.is_boundary(local, 0) {
        Ok(true) => offset,
        _ => cursor
            .prev_boundary(local, 0)
            .ok()
            .flatten()
            .map_or(offset, |b| window.start + b),
    }
}

/// Smallest grapheme boundary `>= offset`.
pub fn grapheme_ceil(text: &str, offset: usize) -> usize {
    let offset = ceil_char_boundary(text, offset);
    let window = snap_window(text, offset, offset);
    let local = &text[window.start..window.end];
    let mut cursor = GraphemeCursor::new(offset - window.start, local.len(), true);
    match cursor.is_boundary(local, 0) {
        Ok(true) => offset,
        _ => cursor
            .next_boundary(local, 0)
            .ok()
            .flatten()
            .map_or(offset, |b| window.start + b),
    }
}

/// The next grapheme boundary after `offset` (or the text length).
pub fn next_grapheme(text: &str, offset: usize) -> usize {
    let offset = ceil_char_boundary(text, offset);
    if offset >= text.len() {
        return text.len();
    }
    let next_char = offset + text[offset..].chars().next().map_or(1, char::len_utf8);
    grapheme_ceil(text, next_char)
}

/// The previous grapheme boundary before `offset` (or 0).
pub fn prev_grapheme(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset);
    if offset == 0 {
        return 0;
    }
    grapheme_floor(text, floor_char_boundary(text, offset - 1))
}

/// Whether a word segment is a word (letters or digits), not spaces or punctuation.
fn is_wordlike(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The word segment containing `at` (a char boundary inside the text).
fn segment_at(text: &str, at: usize) -> Option<Range<usize>> {
    word_segments_around(text, at)
        .into_iter()
        .find(|s| s.start <= at && at < s.end)
}

/// Word segments (words only, not spaces or punctuation) after `offset`, in order.
fn words_after(text: &str, offset: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = ceil_char_boundary(text, offset);
    std::iter::from_fn(move || {
        while at < text.len() {
            let seg = segment_at(text, at).unwrap_or(at..next_grapheme(text, at));
            at = seg.end.max(at + 1);
            if is_wordlike(text.get(seg.clone()).unwrap_or_default()) {
                return Some(seg);
            }
        }
        None
    })
}

/// Word segments before `offset`, nearest first.
fn words_before(text: &str, offset: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = floor_char_boundary(text, offset);
    std::iter::from_fn(move || {
        while at > 0 {
            let before = prev_grapheme(text, at);
            let seg = segment_at(text, before).unwrap_or(before..at);
            at = seg.start.min(before);
            if is_wordlike(text.get(seg.clone()).unwrap_or_default()) {
                return Some(seg);
            }
        }
        None
    })
}

/// Where Ctrl+Right goes: the end of the next word (skipping spaces and punctuation), so
/// Shift+Ctrl+Right twice from the start of "Kamala Harris" selects exactly the name.
pub fn next_word_end(text: &str, offset: usize) -> usize {
    words_after(text, offset)
        .next()
        .map_or(text.len(), |w| w.end)
}

/// Where Ctrl+Left goes: the start of the word before `offset`.
pub fn prev_word_start(text: &str, offset: usize) -> usize {
    words_before(text, offset).next().map_or(0, |w| w.start)
}

/// The start of the first word that begins after `offset` (`]` shrinks a span from the left).
pub fn next_word_start(text: &str, offset: usize) -> usize {
    words_after(text, offset)
        .find(|w| w.start > offset)
        .map_or(text.len(), |w| w.start)
}

/// The end of the last word that ends before `offset` (`{` shrinks a span from the right).
pub fn prev_word_end(text: &str, offset: usize) -> usize {
    words_before(text, offset)
        .find(|w| w.end < offset)
        .map_or(0, |w| w.end)
}

/// Whether `offset` is on a word boundary (UAX #29): a match of a tagged text only counts
/// where it is a whole word, so "Harris" is not found inside "Harrisburg".
pub fn is_word_boundary(text: &str, offset: usize) -> bool {
    if offset == 0 || offset >= text.len() {
        return true;
    }
    if !text.is_char_boundary(offset) {
        return false;
    }
    if let Some(answer) = obvious_word_boundary(text, offset) {
        return answer;
    }
    word_segments_around(text, offset)
        .iter()
        .any(|s| s.start == offset)
}

/// The cases that decide most calls, where UAX #29 needs no context: a space, an ASCII
/// letter or digit, common punctuation on either side. (Matching checks both ends of every
/// match, and the full rules segment a kilobyte around the offset each time.)
fn obvious_word_boundary(text: &str, offset: usize) -> Option<bool> {
    /// Word break class "Other": a break on either side, next to an ASCII letter or digit.
    const OTHER: [char; 11] = ['“', '”', '—', '–', '(', ')', '!', '?', '"', '[', ']'];
    let mut after = text.get(offset..)?.chars();
    let (b, a) = (text.get(..offset)?.chars().next_back()?, after.next()?);
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if (b.is_ascii_graphic() && a.is_whitespace())
        || (b.is_whitespace() && alnum(a))
        || (OTHER.contains(&b) && alnum(a))
        || (alnum(b) && OTHER.contains(&a))
    {
        return Some(true);
    }
    if alnum(b) && alnum(a) {
        return Some(false);
    }
    // "word, " "word. ": the punctuation would join two words only if one followed it.
    let ends =
        matches!(a, ',' | '.' | ';' | ':' | '\'') && after.next().is_none_or(char::is_whitespace);
    (alnum(b) && ends).then_some(true)
}

/// 1-based line and column (in chars) of a byte offset; `\r\n` and `\n` both end a line.
/// Used for error messages, so it scans; never call it per frame.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Code point offset of a byte offset (for formats that count Python `str` indices).
pub fn byte_to_char(text: &str, byte: usize) -> usize {
    text[..floor_char_boundary(text, byte)].chars().count()
}

/// Byte offset of a code point offset, or `None` past the end.
pub fn char_to_byte(text: &str, chars: usize) -> Option<usize> {
    if chars == 0 {
        return Some(0);
    }
    match text.char_indices().nth(chars) {
        Some((i, _)) => Some(i),
        None if text.chars().count() == chars => Some(text.len()),
        None => None,
    }
}

/// UTF-16 code unit offset of a byte offset (JavaScript string indices).
pub fn byte_to_utf16(text: &str, byte: usize) -> usize {
    text[..floor_char_boundary(text, byte)]
        .chars()
        .map(char::len_utf16)
        .sum()
}

/// Byte offset of a UTF-16 offset, or `None` when it is past the end or splits a surrogate pair.
pub fn utf16_to_byte(text: &str, units: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == units {
            return Some(i);
        }
        if seen > units {
            return None;
        }
        seen += c.len_utf16();
    }
    (seen == units).then_some(text.len())
}

/// Byte ↔ code point ↔ UTF-16 conversions for one text, in constant time per lookup: counts
/// are kept every [`OffsetIndex::stride`] bytes (64 for any ordinary document), so a
/// conversion scans at most that much after a binary search; an ASCII text needs no counts at
/// all. Built once per document, in one pass. Interchange formats use it at their boundary;
/// the model only ever stores bytes.
pub struct OffsetIndex<'a> {
    text: &'a str,
    /// Every unit is one byte: conversions are the identity.
    ascii: bool,
    /// (byte, chars before it, UTF-16 units before it), at char boundaries.
    marks: Vec<(usize, usize, usize)>,
}

/// Which unit a format counts offsets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    CodePoints,
    Utf16,
}

impl<'a> OffsetIndex<'a> {
    /// Bytes between counts: 64, or more for a text so long that the counts would take more
    /// than about 24 MB (a million of them).
    fn stride(len: usize) -> usize {
        (len >> 20).max(64)
    }

    pub fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            return Self {
                text,
                ascii: true,
                marks: Vec::new(),
            };
        }
        let stride = Self::stride(text.len());
        let mut marks = Vec::with_capacity(text.len() / stride + 1);
        marks.push((0, 0, 0));
        let (mut chars, mut units) = (0, 0);
        let mut next = stride;
        for (i, c) in text.char_indices() {
            if i >= next {
                marks.push((i, chars, units));
                next = i + stride;
            }
            chars += 1;
            units += c.len_utf16();
        }
        Self {
            text,
            ascii: false,
            marks,
        }
    }

    /// The offset of byte `byte` (a char boundary) in `unit`.
    pub fn from_byte(&self, byte: usize, unit: Unit) -> usize {
        let byte = floor_char_boundary(self.text, byte);
        if self.ascii {
            return byte;
        }
        let i = self
            .marks
            .partition_point(|m| m.0 <= byte)
            .saturating_sub(1);
        let (b0, c0, u0) = self.marks.get(i).copied().unwrap_or((0, 0, 0));
        let tail = self.text.get(b0..byte).unwrap_or_default();
        match unit {
            Unit::Bytes => byte,
            Unit::CodePoints => c0 + tail.chars().count(),
            Unit::Utf16 => u0 + tail.chars().map(char::len_utf16).sum::<usize>(),
        }
    }

    /// The byte offset of `offset` counted in `unit`; `None` past the end or inside a
    /// character (a UTF-16 offset between the halves of a surrogate pair, or a byte offset
    /// inside a multi-byte character).
    pub fn to_byte(&self, offset: usize, unit: Unit) -> Option<usize> {
        let key = |m: &(usize, usize, usize)| match unit {
            Unit::Bytes => m.0,
            Unit::CodePoints => m.1,
            Unit::Utf16 => m.2,
        };
        if unit == Unit::Bytes || self.ascii {
            return (offset <= self.text.len() && self.text.is_char_boundary(offset))
                .then_some(offset);
        }
        let i = self
            .marks
            .partition_point(|m| key(m) <= offset)
            .saturating_sub(1);
        let m = self.marks.get(i).copied().unwrap_or((0, 0, 0));
        let mut at = key(&m);
        for (b, c) in self.text.get(m.0..).unwrap_or_default().char_indices() {
            if at == offset {
                return Some(m.0 + b);
            }
            if at > offset {
                return None;
            }
            at += if unit == Unit::Utf16 {
                c.len_utf16()
            } else {
                1
            };
        }
        (at == offset).then_some(self.text.len())
    }
}

/// A short, single-line excerpt for lists and messages: whitespace runs folded to one space,
/// cut at `max_chars` with an ellipsis.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= max_chars {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// "1 place", "3 places": a count with the right form of its noun.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(text: &str, a: usize, b: usize) -> Option<&str> {
        snap_to_words(text, a..b).map(|r| &text[r])
    }

    #[test]
    fn words_snap_outward_from_the_middle_of_words() {
        let t = "Vice President Kamala Harris made a statement.";
        let a = t.find("mala").unwrap();
        let b = t.find("rris").unwrap() + 2;
        assert_eq!(snap(t, a, b), Some("Kamala Harris"));
    }

    #[test]
    fn whitespace_at_the_edges_is_dropped() {
        let t = "said  Kamala Harris  today";
        let a = t.find("  Kamala").unwrap();
        let b = t.find("  today").unwrap() + 1;
        assert_eq!(snap(t, a, b), Some("Kamala Harris"));
        assert_eq!(snap(t, 4, 6), None, "only blanks selected");
    }

    #[test]
    fn curly_quotes_are_their_own_word() {
        let t = "she said “Ukraine must have a say” loudly";
        let a = t.find('“').unwrap();
        let b = t.find('”').unwrap() + '”'.len_utf8();
        assert_eq!(snap(t, a, b), Some("“Ukraine must have a say”"));
        let a = t.find("Ukr").unwrap() + 1;
        let b = t.find(" say").unwrap() + 2;
        assert_eq!(snap(t, a, b), Some("Ukraine must have a say"));
    }

    #[test]
    fn emoji_cjk_and_combining_marks_snap_whole() {
        // A family emoji is one grapheme made of several code points.
        let t = "go 👨‍👩‍👧 now";
        let e = t.find('👨').unwrap();
        let r = snap_to_graphemes(t, e + 4..e + 5).unwrap();
        assert_eq!(&t[r], "👨‍👩‍👧");
        // e + combining acute accent is one grapheme.
        let t = "caf\u{65}\u{301} noir";
        let accent = t.find('\u{301}').unwrap();
        let r = snap_to_graphemes(t, accent..accent + 2).unwrap();
        assert_eq!(&t[r], "e\u{301}");
        assert_eq!(snap(t, 1, 2), Some("cafe\u{301}"));
        // CJK: each ideograph is its own word under UAX #29.
        let t = "习近平表示";
        let r = snap_to_graphemes(t, 1..4).unwrap();
        assert_eq!(&t[r], "习近");
    }

    #[test]
    fn crlf_is_never_split_or_included() {
        let t = "Harris\r\nsaid";
        assert_eq!(snap(t, 0, 7), Some("Harris"));
        assert_eq!(snap(t, 3, 12), Some("Harris\r\nsaid"));
        assert_eq!(grapheme_ceil(t, 7), 8);
        assert_eq!(grapheme_floor(t, 7), 6);
        assert_eq!(line_col(t, 8), (2, 1));
    }

    #[test]
    fn offsets_convert_through_code_points_and_utf16() {
        let t = "a“😀”b";
        let b_byte = t.find('b').unwrap();
        assert_eq!(byte_to_char(t, b_byte), 4);
        assert_eq!(char_to_byte(t, 4), Some(b_byte));
        assert_eq!(byte_to_utf16(t, b_byte), 5);
        assert_eq!(utf16_to_byte(t, 5), Some(b_byte));
        assert_eq!(utf16_to_byte(t, 3), None, "inside a surrogate pair");
        assert_eq!(char_to_byte(t, 5), Some(t.len()));
        assert_eq!(char_to_byte(t, 6), None);
    }

    #[test]
    fn word_motions_skip_spaces_and_punctuation() {
        let t = "said “Kamala Harris,” the 😀 VP";
        let k = t.find('K').unwrap();
        let name_end = k + "Kamala Harris".len();
        assert_eq!(&t[k..next_word_end(t, k)], "Kamala");
        assert_eq!(next_word_end(t, next_word_end(t, k)), name_end);
        assert_eq!(prev_word_start(t, name_end), k + "Kamala ".len());
        assert_eq!(prev_word_start(t, k + "Kamala ".len()), k);
        assert_eq!(prev_word_start(t, k), 0, "over the opening quote to “said”");
        assert_eq!(next_word_end(t, name_end), t.find(" 😀").unwrap(), "“the”");
        assert_eq!(next_word_end(t, t.len()), t.len());
        assert_eq!(prev_word_start(t, 0), 0);
        // Shrinking and growing span edges by a word.
        assert_eq!(next_word_start(t, k), k + "Kamala ".len());
        assert_eq!(prev_word_end(t, name_end), k + "Kamala".len());
        // Across a line end.
        let t = "one\r\ntwo";
        assert_eq!(next_word_end(t, 3), t.len());
        assert_eq!(prev_word_start(t, 5), 0);
    }

    #[test]
    fn graphemes_step_whole() {
        let t = "a👨‍👩‍👧b";
        assert_eq!(prev_grapheme(t, t.len() - 1), 1);
        assert_eq!(next_grapheme(t, 1), t.len() - 1);
    }

    #[test]
    fn word_boundaries_for_matching() {
        let t = "Harris and Harrisburg";
        assert!(is_word_boundary(t, 0) && is_word_boundary(t, 6));
        assert!(!is_word_boundary(t, t.rfind("burg").unwrap()));
    }

    #[test]
    fn offset_index_agrees_with_the_slow_conversions() {
        let mut t = String::new();
        for i in 0..400 {
            t.push_str(["a", "é", "“", "😀", "习", "e\u{301}", "\r\n"][i % 7]);
        }
        let idx = OffsetIndex::new(&t);
        for (b, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
            let c = byte_to_char(&t, b);
            let u = byte_to_utf16(&t, b);
            assert_eq!(idx.from_byte(b, Unit::CodePoints), c);
            assert_eq!(idx.from_byte(b, Unit::Utf16), u);
            assert_eq!(idx.to_byte(c, Unit::CodePoints), Some(b));
            assert_eq!(idx.to_byte(u, Unit::Utf16), Some(b));
        }
        let emoji = t.find('😀').unwrap();
        let u = idx.from_byte(emoji, Unit::Utf16);
        assert_eq!(
            idx.to_byte(u + 1, Unit::Utf16),
            None,
            "inside a surrogate pair"
        );
        assert_eq!(idx.to_byte(emoji + 1, Unit::Bytes), None);
        assert_eq!(idx.to_byte(t.chars().count() + 1, Unit::CodePoints), None);
        // An ASCII text: every unit is a byte, no counts kept.
        let ascii = "Harris said no.";
        let idx = OffsetIndex::new(ascii);
        for unit in [Unit::Bytes, Unit::CodePoints, Unit::Utf16] {
            assert_eq!(idx.to_byte(7, unit), Some(7));
            assert_eq!(idx.from_byte(7, unit), 7);
            assert_eq!(idx.to_byte(ascii.len() + 1, unit), None);
        }
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let t = "“one”\n“two” x";
        let x = t.find('x').unwrap();
        assert_eq!(line_col(t, x), (2, 7));
    }

    #[test]
    fn excerpt_folds_and_cuts() {
        assert_eq!(excerpt("a\n  b   c", 10), "a b c");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
