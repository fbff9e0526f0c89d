//! A document split into blocks (lines, and pieces of very long lines) with a tree of their
//! heights, so the view finds the block at any scroll position in O(log n) and lays out only
//! the blocks it shows.

use std::ops::Range;

/// Lines longer than this are cut into several blocks (at a space when there is one), so a
/// 100 MB file on one line still lays out a screenful at a time.
const MAX_BLOCK_BYTES: usize = 4096;

/// One laid-out unit: a line without its line ending, or a piece of a long line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Byte range in the document text, without `\n` or `\r\n`.
    pub range: Range<usize>,
    /// Number of chars, for height estimates before the block is laid out.
    pub chars: usize,
}

/// Splits `text` into blocks. One pass over the text; done once per document.
pub fn split_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let bytes = text.as_bytes();
    let mut line_start = 0;
    loop {
        let nl = memchr::memchr(b'\n', bytes.get(line_start..).unwrap_or_default())
            .map(|p| line_start + p);
        let mut line_end = nl.unwrap_or(text.len());
        let content_end = if line_end > line_start && bytes.get(line_end - 1) == Some(&b'\r') {
            line_end - 1
        } else {
            line_end
        };
        push_line(text, line_start..content_end, &mut blocks);
        match nl {
            Some(p) => {
                line_end = p + 1;
                line_start = line_end;
            }
            None => break,
        }
    }
    blocks
}

fn push_line(text: &str, line: Range<usize>, out: &mut Vec<Block>) {
    let mut start = line.start;
    loop {
        let remaining = line.end - start;
        if remaining <= MAX_BLOCK_BYTES {
            let chars = text.get(start..line.end).map_or(0, |s| s.chars().count());
            out.push(Block {
                range: start..line.end,
                chars,
            });
            return;
        }
        let limit = crate::model::text::floor_char_boundary(text, start + MAX_BLOCK_BYTES);
        let piece = text.get(start..limit).unwrap_or_default();
        // Cut after the last space of the piece, so no word is split; else at the limit.
        let cut = piece.rfind(' ').map_or(limit, |p| start + p + 1);
        let cut = if cut <= start { limit } else { cut };
        out.push(Block {
            range: start..cut,
            chars: text.get(start..cut).map_or(0, |s| s.chars().count()),
        });
        start = cut;
    }
}

/// Index of the block containing byte `offset` (a line ending belongs to the block before it).
pub fn block_at(blocks: &[Block], offset: usize) -> usize {
    blocks
        .partition_point(|b| b.range.start <= offset)
        .saturating_sub(1)
}

/// A Fenwick tree of block heights: prefix sums and "which block is at y" in O(log n), and an
/// O(log n) update when a block's real height replaces its estimate.
#[derive(Clone, Debug, Default)]
pub struct HeightTree {
    tree: Vec<f64>,
    heights: Vec<f32>,
}

impl HeightTree {
    pub fn new(heights: Vec<f32>) -> Self {
        let n = heights.len();
        let mut tree = Vec::with_capacity(n + 1);
        tree.push(0.0);
        tree.extend(heights.iter().map(|h| f64::from(*h)));
        // Linear-time construction: each node, once complete, adds itself to its parent.
        for j in 1..=n {
            let parent = j + (j & j.wrapping_neg());
            let v = tree.get(j).copied().unwrap_or(0.0);
            if let Some(t) = tree.get_mut(parent) {
                *t += v;
            }
        }
        Self { tree, heights }
    }

    pub fn len(&self) -> usize {
        self.heights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heights.is_empty()
    }

    pub fn height(&self, i: usize) -> f32 {
        self.heights.get(i).copied().unwrap_or(0.0)
    }

    /// Sets block `i`'s height; returns the change.
    pub fn set(&mut self, i: usize, h: f32) -> f32 {
        let Some(old) = self.heights.get_mut(i) else {
            return 0.0;
        };
        let delta = h - *old;
        if delta == 0.0 {
            return 0.0;
        }
        *old = h;
        let mut j = i + 1;
        while let Some(t) = self.tree.get_mut(j) {
            *t += f64::from(delta);
            j += j & j.wrapping_neg();
        }
        delta
    }

    /// Sum of the heights of blocks `0..i` (the top of block `i`).
    pub fn top(&self, i: usize) -> f32 {
        let mut sum = 0.0;
        let mut j = i.min(self.heights.len());
        while j > 0 {
            sum += self.tree.get(j).copied().unwrap_or(0.0);
            j &= j - 1;
        }
        sum as f32
    }

    pub fn total(&self) -> f32 {
        self.top(self.heights.len())
    }

    /// The block whose vertical extent contains `y` (clamped to the first and last block).
    pub fn block_at_y(&self, y: f32) -> usize {
        let n = self.heights.len();
        if n == 0 {
            return 0;
        }
        let mut pos = 0;
        let mut remaining = f64::from(y);
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if let Some(v) = self.tree.get(next).copied()
                && v <= remaining
            {
                pos = next;
                remaining -= v;
            }
            step >>= 1;
        }
        pos.min(n - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_blocks_without_line_endings() {
        let t = "Title\r\n\r\nBody “text”\nlast";
        let blocks = split_blocks(t);
        let texts: Vec<_> = blocks.iter().map(|b| &t[b.range.clone()]).collect();
        assert_eq!(texts, ["Title", "", "Body “text”", "last"]);
        assert_eq!(blocks[2].chars, 11);
        assert_eq!(block_at(&blocks, 0), 0);
        assert_eq!(
            block_at(&blocks, 6),
            0,
            "the CRLF belongs to the line before"
        );
        assert_eq!(block_at(&blocks, t.find("last").unwrap()), 3);
        assert_eq!(split_blocks("").len(), 1);
        assert_eq!(split_blocks("a\n").len(), 2);
    }

    #[test]
    fn long_lines_are_cut_at_spaces_on_char_boundaries() {
        let word = "é“x” ";
        let t = word.repeat(3000);
        let blocks = split_blocks(&t);
        assert!(blocks.len() > 1);
        let mut pos = 0;
        for b in &blocks {
            assert_eq!(b.range.start, pos);
            assert!(b.range.len() <= MAX_BLOCK_BYTES);
            assert!(t.is_char_boundary(b.range.end));
            assert!(t[b.range.clone()].ends_with(' ') || b.range.end == t.len());
            pos = b.range.end;
        }
        assert_eq!(pos, t.len());
    }

    #[test]
    fn height_tree_sums_and_searches() {
        let heights = vec![10.0, 20.0, 5.0, 0.0, 40.0, 7.0, 3.0];
        let mut tree = HeightTree::new(heights.clone());
        let mut top = 0.0;
        for (i, h) in heights.iter().enumerate() {
            assert_eq!(tree.top(i), top, "top of {i}");
            if *h > 0.0 {
                assert_eq!(tree.block_at_y(top), i);
                assert_eq!(tree.block_at_y(top + h - 0.5), i);
            }
            top += h;
        }
        assert_eq!(tree.total(), 85.0);
        assert_eq!(tree.block_at_y(-3.0), 0);
        assert_eq!(tree.block_at_y(1000.0), 6);
        assert_eq!(tree.set(1, 25.0), 5.0);
        assert_eq!(tree.top(2), 35.0);
        assert_eq!(tree.block_at_y(34.0), 1);
        assert_eq!(tree.total(), 90.0);
    }
}
