//! The fast load: a big project that is fine, parsed and checked on every core.

use super::rules::{check_schema, schema_warnings};
use super::{
    CorpusCache, DocumentRecord, FORMAT_VERSION, Inside, Loaded, ProjectFile, into_document,
    migrate, project_dir,
};
use crate::model::check::{self, LabelsById};
use crate::model::{DocSource, Document, Project, Schema, SpanId, TextHash};
use crate::persist::corpus::{hash_text, read_text_file};
use crate::persist::paths::resolve;
use std::collections::HashSet;
use std::path::Path;

/// The fast way to load a big project that is fine, which is what every load but a few is:
/// a file laid out as [`project_to_ron`] writes it has its documents list cut into pieces,
/// one per core, and each thread parses its piece and reads and checks its documents (most
/// of the time a big project takes to load is parsing, then reading and hashing the
/// corpus). `None` when the file is laid out differently, or anything at all is wrong or
/// worth a warning: the caller then loads it the careful way, one step after the other,
/// which finds and locates every problem.
pub(super) fn load_parallel(path: &Path, src: &str) -> Option<Loaded> {
    const OPEN: &str = "\n    documents: [\n";
    const CLOSE: &str = "\n    ],\n";
    /// Below this, one thread is as fast.
    const MIN_PARALLEL_BYTES: usize = 1 << 20;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if src.len() < MIN_PARALLEL_BYTES || threads < 2 {
        return None;
    }
    let open = src.find(OPEN)? + OPEN.len() - 1;
    let close = src.rfind(CLOSE)?;
    let body = src.get(open..close)?;
    let mut file: ProjectFile =
        ron::from_str(&format!("{}{}", src.get(..open)?, src.get(close..)?)).ok()?;
    if !file.documents.is_empty() || file.version == 0 || file.version > FORMAT_VERSION {
        return None;
    }
    let version = file.version;
    migrate(&mut file, version);
    let mut problems = Vec::new();
    check_schema(path, src, &file.schema, &mut problems);
    if !problems.is_empty() {
        return None;
    }
    let warnings = schema_warnings(path, &file.schema);
    let pieces = pieces(body)?;
    let base = project_dir(path);
    let cache = std::sync::Mutex::new(CorpusCache::default());
    let inside = Inside::for_project(path);
    let schema = &file.schema;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let done = std::sync::Mutex::new(Vec::with_capacity(pieces.len()));
    let work = || {
        use std::sync::atomic::Ordering::Relaxed;
        while !failed.load(Relaxed) {
            let i = next.fetch_add(1, Relaxed);
            let Some(piece) = pieces.get(i) else {
                return;
            };
            let docs = ron::from_str::<Vec<DocumentRecord<'static>>>(&format!("[{piece}]"))
                .ok()
                .and_then(|records| {
                    records
                        .into_iter()
                        .map(|rec| checked_document(schema, (&base, &inside), &cache, rec))
                        .collect::<Option<Vec<Document>>>()
                });
            match (docs, done.lock()) {
                (Some(docs), Ok(mut done)) => done.push((i, docs)),
                _ => failed.store(true, Relaxed),
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let mut done = done.into_inner().ok()?;
    if failed.into_inner() || done.len() != pieces.len() {
        return None;
    }
    done.sort_unstable_by_key(|(i, _)| *i);
    let documents: Vec<Document> = done.into_iter().flat_map(|(_, docs)| docs).collect();
    if !ids_unique(&documents) {
        return None;
    }
    let mut project = Project::new(file.name, file.schema, documents);
    project.suggest_command = file.suggest_command.filter(|c| !c.trim().is_empty());
    Some(Loaded {
        project,
        warnings,
        reanchored: Vec::new(),
        team: None,
    })
}

/// The documents list cut into pieces of about `PIECE_BYTES`, each before a document, for
/// the threads to take in turn: each piece's copy (with its brackets) and records live only
/// while it is worked on, so memory stays near the file's size plus the project's. `None`
/// when the list is not laid out as a save writes it.
fn pieces(body: &str) -> Option<Vec<&str>> {
    const DOC: &str = "\n        Document(\n";
    const PIECE_BYTES: usize = 2 << 20;
    let starts: Vec<usize> = body.match_indices(DOC).map(|(i, _)| i).collect();
    if starts.first() != Some(&0) {
        return None;
    }
    let mut cuts = vec![0];
    for start in &starts {
        if cuts.last().is_some_and(|c| start - c >= PIECE_BYTES) {
            cuts.push(*start);
        }
    }
    cuts.push(body.len());
    Some(
        cuts.windows(2)
            .filter_map(|w| body.get(*w.first()?..*w.get(1)?))
            .collect(),
    )
}

/// Ids are unique across the project (and not too large), document ids too.
fn ids_unique(documents: &[Document]) -> bool {
    let mut seen: HashSet<SpanId> = HashSet::new();
    let mut docs: HashSet<&str> = HashSet::new();
    documents.iter().all(|d| {
        let ids = d.spans().iter().map(|s| s.id);
        let ids = ids.chain(d.relations().iter().map(|r| r.id));
        let mut ids = ids.chain(d.suggestions().iter().map(|s| s.id));
        docs.insert(d.id.as_str()) && ids.all(|id| check::id(id).is_ok() && seen.insert(id))
    })
}

/// One document of [`load_parallel`], if its text is there, unchanged, and every span,
/// relation and suggestion checks out (`None` otherwise: `build` then says what is wrong).
fn checked_document(
    schema: &Schema,
    (base, inside): (&Path, &Inside),
    cache: &std::sync::Mutex<CorpusCache>,
    rec: DocumentRecord<'static>,
) -> Option<Document> {
    let abs = resolve(base, &rec.path);
    if !inside.check(&abs) || !rec.unanchored.is_empty() {
        // Said (or asked about) and checked the careful way.
        return None;
    }
    let (text, source) = match rec.line {
        None => (read_text_file(&abs).ok()?, DocSource::TextFile(abs)),
        Some(_) => {
            let mut cache = cache.lock().ok()?;
            let text = cache.text(&abs, rec.line, true).ok()?;
            (text, cache.source(abs, rec.line))
        }
    };
    let hash = hash_text(&text);
    if TextHash::parse(&rec.hash) != Some(hash) || text.len() != rec.len {
        return None;
    }
    for span in rec.spans.iter() {
        check::span_text(&text, span).ok()?;
        check::attrs(schema, &span.label, &span.attrs).ok()?;
    }
    let labels = LabelsById::new(rec.spans.iter().map(|s| (s.id, s.label.as_str())));
    for r in rec.relations.iter() {
        check::relation(schema, r, |id| labels.get(id)).ok()?;
    }
    for sg in rec.suggestions.iter() {
        check::label(schema, &sg.label).ok()?;
        check::stored_text(&text, sg.start, sg.end, &sg.text).ok()?;
    }
    Some(into_document(rec, source, hash, text))
}
