//! A brat corpus shaped like a real one (PolNeAR, the political news attribution corpus):
//! a thousand articles of about 4.7 KB, long file names (`outlet_date_slug.txt` beside its
//! `.ann`), curly quotes and dashes in the text, and about 94 text-bound annotations per
//! article: attributions as events (`E1 Attribution:T4 Content:T3 Cue:T2 Source:T1`) whose
//! content is discontinuous when the quote is interrupted (`“…,” she said, “…”`). The
//! generator's other corpora have none of this, and import costs that grow with it
//! (offset conversion, pairing files by name) never showed in their benchmarks.

use super::{Rng, doc_seed};
use std::fmt::Write as _;
use std::path::Path;

const OUTLETS: &[&str] = &[
    "breitbart",
    "cnn",
    "foxnews",
    "huffington-post",
    "new-york-times",
    "politico",
    "washington-post",
];
const SLUG_WORDS: &[&str] = &[
    "trump", "clinton", "sanders", "cruz", "rally", "debate", "campaign", "voters", "primary",
    "senate", "says", "slams", "vows", "after", "over", "new", "poll", "shows", "lead", "iowa",
];
const SOURCES: &[&str] = &[
    "Donald Trump",
    "Hillary Clinton",
    "Bernie Sanders",
    "Ted Cruz",
    "the senator",
    "a campaign spokeswoman",
    "he",
    "she",
    "the former secretary of state",
    "officials",
    "Marco Rubio",
    "José Díaz-Balart",
];
const CUES: &[&str] = &[
    "said",
    "told reporters",
    "argued",
    "insisted",
    "warned",
    "claimed",
    "added",
    "wrote on Twitter",
];
const CONTENT: &[&str] = &[
    "the country cannot afford four more years of this",
    "we’re going to win Iowa and we’re going to win big",
    "the polls have been wrong before — and they will be wrong again",
    "nobody is above the law, not even a candidate for president",
    "the deal was a disaster for American workers",
    "voters deserve a real debate about the economy",
    "her record speaks for itself",
    "the establishment is terrified of this movement",
];
const FILLER: &[&str] = &[
    "The remarks came as the race tightened in the final days before the caucuses.",
    "Turnout is expected to be high across the state, according to local officials.",
    "The campaign did not immediately respond to a request for comment.",
    "Polls opened at 7 a.m. and lines stretched around the block in Des Moines.",
];

/// Writes `docs` articles of about `bytes` bytes each (and their `.ann`) into `dir`.
pub fn write_news_brat_corpus(
    dir: &Path,
    docs: usize,
    bytes: usize,
    seed: u64,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for i in 0..docs {
        let mut rng = Rng::new(doc_seed(seed, i));
        let name = file_name(&mut rng, i);
        let (text, ann) = article(&mut rng, bytes);
        std::fs::write(dir.join(format!("{name}.txt")), text)?;
        std::fs::write(dir.join(format!("{name}.ann")), ann)?;
    }
    Ok(())
}

/// `outlet_2016-01-31_slug-of-thirty-two-characters_4e07`, as the corpus names its files.
fn file_name(rng: &mut Rng, i: usize) -> String {
    let mut slug = String::new();
    while slug.len() < 32 {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(rng.pick(SLUG_WORDS));
    }
    slug.truncate(32);
    format!(
        "{}_2016-{:02}-{:02}_{slug}_{i:04x}",
        rng.pick(OUTLETS),
        1 + rng.below(12),
        1 + rng.below(28),
    )
}

/// An article and its `.ann`, offsets in code points.
struct Writer {
    text: String,
    /// Code points in `text`.
    chars: usize,
    ann: String,
    t: usize,
    e: usize,
}

impl Writer {
    /// Appends `s`; returns its code point range.
    fn push(&mut self, s: &str) -> (usize, usize) {
        let start = self.chars;
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, self.chars)
    }

    /// A `T` line over `fragments`, whose texts are `texts`; returns its id.
    fn textbound(&mut self, label: &str, fragments: &[(usize, usize)], texts: &[&str]) -> usize {
        self.t += 1;
        let ranges: Vec<String> = fragments.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let _ = writeln!(
            self.ann,
            "T{}\t{label} {}\t{}",
            self.t,
            ranges.join(";"),
            texts.join(" ")
        );
        self.t
    }

    /// An attribution: a trigger over the cue, and its content, cue and source.
    fn attribution(
        &mut self,
        content: &[(usize, usize)],
        texts: &[&str],
        cue: ((usize, usize), &str),
        source: ((usize, usize), &str),
    ) {
        let s = self.textbound("Source", &[source.0], &[source.1]);
        let c = self.textbound("Cue", &[cue.0], &[cue.1]);
        let q = self.textbound("Content", content, texts);
        let trigger = self.textbound("Attribution", &[cue.0], &[cue.1]);
        self.e += 1;
        let _ = writeln!(
            self.ann,
            "E{}\tAttribution:T{trigger} Content:T{q} Cue:T{c} Source:T{s}",
            self.e
        );
    }
}

fn article(rng: &mut Rng, bytes: usize) -> (String, String) {
    let mut w = Writer {
        text: String::new(),
        chars: 0,
        ann: String::new(),
        t: 0,
        e: 0,
    };
    w.push("Campaign 2016: “It’s going to be close,” aides say\n\n");
    while w.text.len() < bytes {
        let source = rng.pick(SOURCES);
        let cue = rng.pick(CUES);
        let content = rng.pick(CONTENT);
        match rng.below(9) {
            // Source cue that content.
            0 | 1 => {
                let s = w.push(source);
                w.push(" ");
                let c = w.push(cue);
                w.push(" that ");
                let q = w.push(content);
                w.push(". ");
                w.attribution(&[q], &[content], (c, cue), (s, source));
            }
            // “Content one,” source cue, “content two.”
            2 | 3 => {
                let other = rng.pick(CONTENT);
                w.push("“");
                let q1 = w.push(content);
                w.push(",” ");
                let s = w.push(source);
                w.push(" ");
                let c = w.push(cue);
                w.push(", “");
                let q2 = w.push(other);
                w.push(".” ");
                w.attribution(&[q1, q2], &[content, other], (c, cue), (s, source));
            }
            _ => {
                w.push(rng.pick(FILLER));
                w.push(" ");
            }
        }
        if rng.percent(25) {
            w.push("\n\n");
        }
    }
    (w.text, w.ann)
}

#[cfg(test)]
mod tests {
    use crate::formats::Format;

    #[test]
    fn the_news_corpus_imports_with_its_events_and_fragments() {
        let dir = tempfile::tempdir().unwrap();
        super::write_news_brat_corpus(dir.path(), 5, 4_700, 7).unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 10);
        assert!(names.iter().all(|n| n.len() > 40), "{names:?}");
        let imported = crate::formats::import(Format::Brat, &[dir.path().to_owned()]).unwrap();
        assert_eq!(imported.docs.len(), 5);
        for d in &imported.docs {
            assert!(d.text.len() >= 4_700);
            assert!(d.spans.len() > 40, "{}", d.spans.len());
            let mut discontinuous = 0;
            for s in &d.spans {
                let pieces = if s.fragments.is_empty() {
                    vec![(s.start, s.end)]
                } else {
                    discontinuous += 1;
                    s.fragments.clone()
                };
                for (a, b) in pieces {
                    let text = d.text.get(a..b).unwrap();
                    let phrases = match s.label.as_str() {
                        "Source" => super::SOURCES,
                        "Cue" | "Attribution" => super::CUES,
                        _ => super::CONTENT,
                    };
                    assert!(phrases.contains(&text), "{} “{text}”", s.label);
                }
            }
            assert!(discontinuous > 0, "quotes interrupted by their cue");
            assert!(!d.relations.is_empty(), "the events' arguments");
        }
    }
}
