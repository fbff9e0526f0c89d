//! Writes generated corpora and projects (see `marginalia::generate`), to try the app and
//! measure the real binary on big data:
//!
//! ```sh
//! cargo run --release --example generate -- project DIR DOCS BYTES [ANNOTATED]
//! cargo run --release --example generate -- jsonl FILE DOCS BYTES
//! cargo run --release --example generate -- brat DIR DOCS BYTES
//! cargo run --release --example generate -- brat-news DIR DOCS BYTES   # shaped like PolNeAR
//! cargo run --release --example generate -- text DIR DOCS BYTES
//! ```
//!
//! `project` writes `DIR/corpus/*.txt` and `DIR/project.ron`, with spans on the first
//! ANNOTATED documents (default: all). The seed is fixed (that of the benchmarks).

use std::path::PathBuf;
use std::process::ExitCode;

const SEED: u64 = 2026;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|a| a.parse::<usize>().ok());
    let (Some(kind), Some(out), Some(docs), Some(bytes)) =
        (args.first(), args.get(1).map(PathBuf::from), num(2), num(3))
    else {
        eprintln!("usage: generate project|jsonl|brat|brat-news|text OUT DOCS BYTES [ANNOTATED]");
        return ExitCode::FAILURE;
    };
    use marginalia::generate as g;
    let result = match kind.as_str() {
        "project" => g::write_project(&out, docs, bytes, num(4).unwrap_or(docs), SEED).map(|p| {
            println!("{}", p.display());
        }),
        "jsonl" => g::write_jsonl_corpus(&out, docs, bytes, SEED),
        "brat" => g::write_brat_corpus(&out, docs, bytes, SEED),
        "brat-news" => g::write_news_brat_corpus(&out, docs, bytes, SEED),
        "text" => g::write_text_corpus(&out, docs, bytes, SEED),
        other => {
            eprintln!("unknown kind `{other}`");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}
