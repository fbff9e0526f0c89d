//! A deterministic generator of news-like corpora and annotated projects of any size, for
//! the benchmarks (`benches/`) and for trying the app on big data.
//!
//! The text reads like wire copy: headlines, paragraphs of quotes and reported speech with
//! curly quotes, accented names, an emoji now and then and the odd CJK sentence. Spans come
//! at about one per [`BYTES_PER_SPAN`] bytes, on the names (speaker), the quoted words
//! (stance) and the events, with attributes and `holds` / `participates_in` relations, so
//! their offsets are right by construction (always on char boundaries).
//!
//! Everything depends only on the seed: the same seed gives the same bytes, on any machine.

mod news_brat;

pub use news_brat::write_news_brat_corpus;

use crate::model::{DocSource, Document, Project, Relation, Schema, Span, SpanId};
use crate::persist::corpus::hash_text;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Average distance between two spans, in bytes.
pub const BYTES_PER_SPAN: usize = 100;

/// SplitMix64: tiny, fast, and good enough to vary text.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items` (the empty string for an empty list).
    pub fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const NAMES: &[&str] = &[
    "Kamala Harris",
    "Olaf Scholz",
    "Amélie Dubois",
    "José Álvarez",
    "Søren Kjær",
    "Zoë Müller",
    "Renée Côté",
    "Volodymyr Zelensky",
    "Ngozi Okonjo-Iweala",
    "Łukasz Wróbel",
    "Ana María Pérez",
    "François Lefèvre",
    "Li Wei",
    "Ayşe Yılmaz",
];
const ORGS: &[&str] = &[
    "the European Commission",
    "the Bundestag",
    "NATO",
    "the Senate",
    "the Élysée",
    "the United Nations",
    "the Ministry of Finance",
    "the Sejm",
];
const VERBS: &[&str] = &[
    "said",
    "told reporters",
    "added",
    "insisted",
    "warned",
    "argued",
];
const TOPICS: &[&str] = &[
    "the ceasefire talks",
    "the new budget",
    "sanctions on oil exports",
    "the climate accord",
    "the pension reform",
    "the border agreement",
    "the café owners’ strike",
    "the naïve coalition plan",
];
const CLAUSES: &[&str] = &[
    "we will not negotiate under threat",
    "the deal is good for workers",
    "this is a dangerous precedent",
    "Ukraine must have a say",
    "the reform goes too far",
    "nobody wanted this crisis",
    "the numbers simply don’t add up",
    "our partners’ patience is running out",
];
const EVENTS: &[(&str, &str)] = &[
    ("met", "meeting"),
    ("negotiated", "negotiation"),
    ("voted", "election"),
    ("announced", "statement"),
    ("passed the bill", "legislation"),
    ("clashed", "attack"),
];
const TIMES: &[&str] = &[
    "on Tuesday",
    "last week",
    "in March",
    "after the summit",
    "on Friday evening",
    "late on Sunday",
];
const POLARITIES: &[&str] = &["favor", "against", "neutral", "unclear"];
const EMOJI: &[&str] = &["😀", "👍", "🇺🇦", "🗳️", "🔥", "📉", "🤝"];
const CJK: &[&str] = &[
    "据新华社报道，会谈将于周四举行。",
    "東京で首脳会談が開かれた。",
    "서울에서 회담이 열렸다.",
];
const FILLER: &[&str] = &[
    "Protesters gathered outside the building as the talks dragged on.",
    "The mood in the capital was tense, but the cafés stayed open.",
    "Analysts expect a decision before the end of the month.",
    "Markets reacted calmly; the euro barely moved.",
    "Officials declined to comment on the details.",
];

/// A generated document: its text and annotations (ids from the caller's counter).
#[derive(Clone, Debug)]
pub struct GeneratedDoc {
    pub text: String,
    pub spans: Vec<Span>,
    pub relations: Vec<Relation>,
}

/// Builds one document's text and spans as it goes.
struct Writer<'a> {
    rng: Rng,
    text: String,
    spans: Vec<Span>,
    relations: Vec<Relation>,
    next_id: &'a mut u64,
}

impl Writer<'_> {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Whether another span keeps the density at about one per [`BYTES_PER_SPAN`] bytes.
    fn wants_span(&self) -> bool {
        self.spans.len() * BYTES_PER_SPAN < self.text.len() + BYTES_PER_SPAN / 2
    }

    /// Appends `s`, as a span of `label` when the density allows; returns its id.
    fn push_span(&mut self, s: &str, label: &str, attrs: &[(&str, &str)]) -> Option<SpanId> {
        let start = self.text.len();
        self.push(s);
        if !self.wants_span() {
            return None;
        }
        let id = SpanId(*self.next_id);
        *self.next_id += 1;
        let note = self
            .rng
            .percent(3)
            .then(|| "checked against the transcript".to_owned());
        self.spans.push(Span {
            id,
            start,
            end: self.text.len(),
            label: label.to_owned(),
            text: s.to_owned(),
            fragments: Vec::new(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<crate::model::Attrs>(),
            note,
            annotator: None,
            origin: None,
        });
        Some(id)
    }

    fn relate(&mut self, kind: &str, from: Option<SpanId>, to: Option<SpanId>) {
        if let (Some(from), Some(to)) = (from, to) {
            let id = SpanId(*self.next_id);
            *self.next_id += 1;
            self.relations.push(Relation::new(id, kind, from, to));
        }
    }

    fn sentence(&mut self) {
        let name = self.rng.pick(NAMES);
        let verb = self.rng.pick(VERBS);
        let clause = self.rng.pick(CLAUSES);
        let topic = self.rng.pick(TOPICS);
        let time = self.rng.pick(TIMES);
        let polarity = self.rng.pick(POLARITIES);
        match self.rng.below(20) {
            0..=5 => {
                // “Clause,” Name said on Tuesday.
                self.push("“");
                let quote = capitalized(clause);
                let stance = self.push_span(
                    &quote,
                    "stance",
                    &[("polarity", polarity), ("target", topic)],
                );
                self.push(",” ");
                let speaker = self.push_span(name, "speaker", &[("entity", name)]);
                self.push(&format!(" {verb} {time}."));
                self.relate("holds", speaker, stance);
            }
            6..=10 => {
                // Name argued that clause, according to Org.
                let speaker = self.push_span(name, "speaker", &[("entity", name)]);
                self.push(&format!(" {verb} that "));
                let stance = self.push_span(
                    clause,
                    "stance",
                    &[("polarity", polarity), ("target", topic)],
                );
                let org = self.rng.pick(ORGS);
                self.push(&format!(", according to {org}."));
                self.relate("holds", speaker, stance);
            }
            11..=14 => {
                // Name met Org on Tuesday over the topic 🤝
                let (word, kind) = EVENTS
                    .get(self.rng.below(EVENTS.len()))
                    .copied()
                    .unwrap_or(("met", "meeting"));
                let speaker = self.push_span(name, "speaker", &[("entity", name)]);
                self.push(" ");
                let event = self.push_span(word, "event", &[("type", kind), ("when", time)]);
                let org = self.rng.pick(ORGS);
                self.push(&format!(" with {org} {time} over {topic}."));
                if self.rng.percent(30) {
                    let e = self.rng.pick(EMOJI);
                    self.push(&format!(" {e}"));
                }
                self.relate("participates_in", speaker, event);
            }
            15..=17 => {
                let f = self.rng.pick(FILLER);
                self.push(f);
            }
            18 => {
                // Critics of the topic — including Name — called it “clause.”
                self.push(&format!("Critics of {topic} — including "));
                let speaker = self.push_span(name, "speaker", &[]);
                self.push(" — called it “");
                let stance = self.push_span(clause, "stance", &[("polarity", "against")]);
                self.push(".”");
                self.relate("holds", speaker, stance);
            }
            _ => {
                let s = self.rng.pick(CJK);
                self.push(s);
            }
        }
    }
}

/// "word" → "Word" (the clauses start with an ASCII letter).
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A document of about `bytes` bytes (a sentence more at most): a headline, then paragraphs
/// separated by blank lines. Span and relation ids are taken from `next_id`.
pub fn generate_document(seed: u64, bytes: usize, next_id: &mut u64) -> GeneratedDoc {
    let mut w = Writer {
        rng: Rng::new(seed),
        text: String::with_capacity(bytes + 256),
        spans: Vec::new(),
        relations: Vec::new(),
        next_id,
    };
    let name = w.rng.pick(NAMES);
    let topic = w.rng.pick(TOPICS);
    let headline = format!("{name} {} on {topic}\n\n", w.rng.pick(VERBS));
    w.push(&capitalized(&headline));
    while w.text.len() < bytes {
        let sentences = 2 + w.rng.below(7);
        for i in 0..sentences {
            if i > 0 {
                w.push(" ");
            }
            w.sentence();
            if w.text.len() >= bytes {
                break;
            }
        }
        if w.text.len() < bytes {
            w.push("\n\n");
        }
    }
    w.push("\n");
    GeneratedDoc {
        text: w.text,
        spans: w.spans,
        relations: w.relations,
    }
}

/// The seed of document `i` of a corpus made with `seed`.
pub(crate) fn doc_seed(seed: u64, i: usize) -> u64 {
    Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).next_u64()
}

/// A project of `docs` documents of about `bytes` bytes each, in memory, as if their texts
/// lived in `dir/doc-NNNNN.txt` (see [`write_project`] to have them on disk). Only the first
/// `annotated` documents get spans and relations.
pub fn project(docs: usize, bytes: usize, annotated: usize, seed: u64, dir: &Path) -> Project {
    let mut next_id = 1;
    let documents = (0..docs)
        .map(|i| {
            let mut ids = if i < annotated { next_id } else { 0 };
            let g = generate_document(doc_seed(seed, i), bytes, &mut ids);
            let id = doc_name(i);
            let path = dir.join(format!("{id}.txt"));
            let mut d = Document::new(
                id,
                DocSource::TextFile(path),
                hash_text(&g.text),
                Arc::from(g.text),
            );
            if i < annotated {
                next_id = ids;
                d.set_spans(g.spans);
                d.set_relations(g.relations);
            }
            d
        })
        .collect();
    let mut p = Project::new("generated".to_owned(), Schema::default(), documents);
    p.reset_span_ids();
    p
}

fn doc_name(i: usize) -> String {
    format!("doc-{:05}", i + 1)
}

/// Writes the texts of [`project`] into `dir/corpus/` and the project file to
/// `dir/project.ron`; returns the project file's path.
pub fn write_project(
    dir: &Path,
    docs: usize,
    bytes: usize,
    annotated: usize,
    seed: u64,
) -> std::io::Result<PathBuf> {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    let corpus = crate::persist::paths::normalize(&corpus);
    let p = project(docs, bytes, annotated, seed, &corpus);
    for d in &p.documents {
        std::fs::write(d.source.path(), d.text.as_bytes())?;
    }
    let path = dir.join("project.ron");
    crate::persist::save_project(&p, &path).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(path)
}

/// A folder of `docs` `.txt` files of about `bytes` bytes each (no annotations).
pub fn write_text_corpus(dir: &Path, docs: usize, bytes: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for i in 0..docs {
        let g = generate_document(doc_seed(seed, i), bytes, &mut 1);
        std::fs::write(dir.join(format!("{}.txt", doc_name(i))), g.text)?;
    }
    Ok(())
}

/// A JSONL corpus (`{"id", "text", "meta"}` per line) of `docs` documents of about `bytes`
/// bytes, written as it is generated (never all in memory).
pub fn write_jsonl_corpus(
    path: &Path,
    docs: usize,
    bytes: usize,
    seed: u64,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..docs {
        let g = generate_document(doc_seed(seed, i), bytes, &mut 1);
        let line = serde_json::json!({
            "id": doc_name(i),
            "text": g.text,
            "meta": {"source": "generated", "n": i},
        });
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// A brat folder: `doc-NNNNN.txt` and `.ann` (T spans in code points, A attributes for the
/// choice attributes, R relations) for `docs` documents of about `bytes` bytes.
pub fn write_brat_corpus(dir: &Path, docs: usize, bytes: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for i in 0..docs {
        let g = generate_document(doc_seed(seed, i), bytes, &mut 1);
        let name = doc_name(i);
        std::fs::write(dir.join(format!("{name}.txt")), &g.text)?;
        std::fs::write(dir.join(format!("{name}.ann")), brat_ann(&g))?;
    }
    Ok(())
}

/// The `.ann` file of a generated document.
fn brat_ann(g: &GeneratedDoc) -> String {
    let mut ann = String::new();
    let mut t_of: BTreeMap<SpanId, usize> = BTreeMap::new();
    // Spans are in text order: count code points incrementally.
    let mut chars = 0;
    let mut at = 0;
    let mut char_of = |byte: usize| {
        chars += g.text.get(at..byte).map_or(0, |s| s.chars().count());
        at = byte;
        chars
    };
    let mut a = 0;
    for (n, s) in g.spans.iter().enumerate() {
        let t = n + 1;
        t_of.insert(s.id, t);
        let start = char_of(s.start);
        let end = char_of(s.end);
        ann.push_str(&format!("T{t}\t{} {start} {end}\t{}\n", s.label, s.text));
        for (k, v) in &s.attrs {
            if k == "polarity" || k == "type" {
                a += 1;
                ann.push_str(&format!("A{a}\t{k} T{t} {v}\n"));
            }
        }
    }
    for (n, r) in g.relations.iter().enumerate() {
        if let (Some(from), Some(to)) = (t_of.get(&r.from), t_of.get(&r.to)) {
            ann.push_str(&format!("R{}\t{} Arg1:T{from} Arg2:T{to}\n", n + 1, r.kind));
        }
    }
    ann
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_valid_and_texts_match() {
        for seed in 0..20 {
            let g = generate_document(seed, 20_000, &mut 1);
            assert!(g.text.len() >= 20_000 && g.text.len() < 21_000);
            for s in &g.spans {
                assert!(g.text.is_char_boundary(s.start) && g.text.is_char_boundary(s.end));
                assert_eq!(g.text.get(s.start..s.end), Some(s.text.as_str()));
            }
            let ids: std::collections::HashSet<_> = g.spans.iter().map(|s| s.id).collect();
            for r in &g.relations {
                assert!(ids.contains(&r.from) && ids.contains(&r.to));
            }
        }
    }

    #[test]
    fn density_and_variety_are_realistic() {
        let g = generate_document(7, 500_000, &mut 1);
        let per_span = g.text.len() / g.spans.len();
        assert!((80..=120).contains(&per_span), "{per_span} bytes per span");
        assert!(g.text.contains('“') && g.text.contains('’'));
        assert!(g.text.contains('é') && g.text.contains("🇺🇦"));
        assert!(
            g.text
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
        assert!(g.text.contains("\n\n"));
        for label in ["speaker", "stance", "event"] {
            assert!(g.spans.iter().any(|s| s.label == label));
        }
        assert!(g.spans.iter().any(|s| !s.attrs.is_empty()));
        assert!(
            g.relations.len() > g.spans.len() / 10,
            "{} relations",
            g.relations.len()
        );
    }

    #[test]
    fn same_seed_same_output() {
        let a = generate_document(42, 10_000, &mut 1);
        let b = generate_document(42, 10_000, &mut 1);
        let c = generate_document(43, 10_000, &mut 1);
        assert_eq!(a.text, b.text);
        assert_eq!(a.spans, b.spans);
        assert_ne!(a.text, c.text);
    }

    #[test]
    fn a_generated_project_loads_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_project(dir.path(), 5, 3_000, 3, 1).unwrap();
        let loaded = crate::persist::load_project(&path).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let p = loaded.project;
        assert_eq!(p.documents.len(), 5);
        assert!(p.span_count() > 60);
        assert!(p.documents[4].spans().is_empty());
    }

    #[test]
    fn corpora_import() {
        let dir = tempfile::tempdir().unwrap();
        let brat = dir.path().join("brat");
        write_brat_corpus(&brat, 3, 4_000, 1).unwrap();
        let imported = crate::formats::import(crate::formats::Format::Brat, &[brat]).unwrap();
        assert_eq!(imported.docs.len(), 3);
        assert!(imported.docs[0].spans.len() > 20);
        assert!(!imported.docs[0].relations.is_empty());
        let jsonl = dir.path().join("c.jsonl");
        write_jsonl_corpus(&jsonl, 4, 2_000, 1).unwrap();
        let docs = crate::persist::corpus::documents_from_jsonl(&jsonl).unwrap();
        assert_eq!(docs.len(), 4);
        let txt = dir.path().join("txt");
        write_text_corpus(&txt, 2, 2_000, 1).unwrap();
        assert_eq!(
            crate::persist::corpus::list_text_files(&txt).unwrap().len(),
            2
        );
    }
}

#[cfg(test)]
mod big_file_tests {
    use super::*;

    /// Above 1 MB the documents list is parsed in pieces on several threads: the result must
    /// be the same, and a broken file must still be reported at its line.
    #[test]
    fn a_big_project_parses_in_pieces_and_errors_stay_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_project(dir.path(), 40, 40_000, 40, 3).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 2 << 20);
        let expected = project(40, 40_000, 40, 3, &dir.path().join("corpus"));
        let loaded = crate::persist::load_project(&path).unwrap().project;
        assert_eq!(loaded.documents.len(), 40);
        for (a, b) in loaded.documents.iter().zip(&expected.documents) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.spans(), b.spans());
            assert_eq!(a.relations(), b.relations());
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let line = src.lines().count() * 3 / 4;
        let broken: Vec<&str> = src
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i + 1 == line {
                    "        Span(id: oops"
                } else {
                    l
                }
            })
            .collect();
        std::fs::write(&path, broken.join("\n")).unwrap();
        let e = crate::persist::load_project(&path).unwrap_err();
        // RON notices the missing comma at the start of the next line.
        let at = e.problems[0].line.unwrap();
        assert!(at == line || at == line + 1, "{e}");
    }

    /// What the careful load reports, the fast one must report too: a big project whose
    /// corpus changed under it.
    #[test]
    fn a_big_project_with_a_changed_corpus_is_still_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_project(dir.path(), 40, 40_000, 40, 3).unwrap();
        let file = dir.path().join("corpus/doc-00031.txt");
        let text = std::fs::read_to_string(&file).unwrap();
        // Appended text: every span still matches, a warning says the file changed.
        std::fs::write(&file, format!("{text}More.\n")).unwrap();
        let loaded = crate::persist::load_project(&path).unwrap();
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].message.contains("still match"));
        // Text inserted at the start: every span of that document moved.
        std::fs::write(&file, format!("Breaking: {text}")).unwrap();
        let e = crate::persist::load_project(&path).unwrap_err();
        assert!(e.problems.len() > 100, "{}", e.problems.len());
        assert!(
            e.problems
                .iter()
                .all(|p| p.kind == crate::persist::ProblemKind::SpanMismatch)
        );
    }

    #[test]
    fn a_big_jsonl_project_loads() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c.jsonl");
        write_jsonl_corpus(&corpus, 6_000, 600, 2).unwrap();
        let p = crate::persist::new_project(&corpus, Some("big")).unwrap();
        let path = dir.path().join("big.ron");
        crate::persist::save_project(&p, &path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1 << 20);
        let loaded = crate::persist::load_project(&path).unwrap().project;
        assert_eq!(loaded.documents.len(), 6_000);
        assert_eq!(loaded.documents[5_999].text, p.documents[5_999].text);
    }
}
