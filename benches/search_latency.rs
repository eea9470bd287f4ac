//! In-process search latency: median and 99th percentile over a mix of
//! real-looking queries (inflected, compound parts, no umlauts, typos,
//! phrases), on the shared corpus and on a generated bank.
//!
//! `cargo bench --bench search_latency` (TP_BENCH_DOCS=20000 by default; the
//! generated folder and its index are kept in target/bench-corpus-N so later
//! runs skip generation and indexing). Reports figures, asserts nothing.

#[path = "corpus_gen.rs"]
mod corpus_gen;
mod queries;

use std::path::{Path, PathBuf};
use std::time::Instant;

use tietopankki::{KnowledgeBank, SearchRequest};

fn measure(bank: &KnowledgeBank, label: &str, rounds: usize) {
    measure_with(bank, label, rounds, false);
    measure_with(bank, &format!("{label}, with other languages"), rounds, true);
}

/// `other_languages`: the results in the other languages too, through the
/// query's concepts translated (as the web page asks by default).
fn measure_with(bank: &KnowledgeBank, label: &str, rounds: usize, other_languages: bool) {
    let request = |q: &str| SearchRequest::new(q).limit(10).other_languages(other_languages);
    // One unmeasured round first: the index files are mapped and cached.
    for q in queries::QUERIES {
        let _ = bank.search(&request(q));
    }
    let mut times = Vec::new();
    for _ in 0..rounds {
        for q in queries::QUERIES {
            let start = Instant::now();
            let results = bank.search(&request(q));
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            if let Err(err) = results {
                eprintln!("query {q:?} failed: {err}");
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{label}: {} searches, median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    if !shared.join("lang").exists() {
        eprintln!("../shared is missing: no benchmark data");
        std::process::exit(if std::env::var("CI").is_ok_and(|v| v == "true") { 1 } else { 0 });
    }
    // 1. The shared corpus.
    let index = root.join("target/bench-index-corpus");
    let bank = KnowledgeBank::builder().documents_dir(shared.join("corpus/docs")).index_dir(&index).open().unwrap();
    bank.sync().unwrap();
    measure(&bank, "shared corpus (77 documents)", 20);

    // 2. A generated bank.
    let count: usize = std::env::var("TP_BENCH_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let dir: PathBuf = root.join(format!("target/bench-corpus-{count}"));
    let docs = dir.join("docs");
    if !docs.exists() {
        let start = Instant::now();
        let bytes = corpus_gen::generate(&shared, &docs, count, 12_000, 42).unwrap();
        println!(
            "generated {count} documents, {:.0} MB, in {:.1} s",
            bytes as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    let bank = KnowledgeBank::builder().documents_dir(&docs).index_dir(dir.join("index")).open().unwrap();
    let start = Instant::now();
    let report = bank.sync().unwrap();
    println!("sync: {} added, {} unchanged in {:.1} s", report.added, report.unchanged, start.elapsed().as_secs_f64());
    measure(&bank, &format!("generated bank ({count} documents)"), 10);
}
