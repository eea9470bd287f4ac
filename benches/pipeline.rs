//! In-process figures of each pipeline stage, with criterion:
//!
//! - `extract/corpus-pdfs`: PDF text extraction of the shared corpus PDFs
//!   (throughput in pages);
//! - `analyse/<lang>`: splitting and keying a document's text as the
//!   indexer does (throughput in bytes);
//! - `index/shared-corpus`: a whole sync of `../shared/corpus/docs` into a
//!   fresh index (throughput in documents);
//! - `search/<query>`: queries on the shared corpus, snippets included.
//!
//! `cargo bench --bench pipeline` (add `-- --quick` for a short run). The
//! generated 20,000-document figures (median and 99th percentile) come from
//! `benches/search_latency.rs`, the whole-process side-by-side figures from
//! `benches/perf/run`. Reports figures, asserts nothing about time.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tantivy::tokenizer::{TokenStream, TokenizerManager};
use tietopankki::analysis::tokenizer::{register, tag_text};
use tietopankki::{ExtractLimits, KnowledgeBank, Lang, SearchRequest};

#[path = "queries.rs"]
mod queries;

/// The shared test material, or an exit with the reason (a failure in CI).
fn shared() -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.join("corpus/docs").is_dir() {
        eprintln!("pipeline bench: ../shared/corpus/docs is missing, nothing to measure");
        std::process::exit(if std::env::var("CI").is_ok_and(|v| v == "true") { 1 } else { 0 });
    }
    shared
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

fn extract(c: &mut Criterion) {
    let pdfs = files(&shared().join("corpus/docs"), "pdf");
    let limits = ExtractLimits::default();
    let pages: usize = pdfs
        .iter()
        .filter_map(|p| tietopankki::extract::extract_file_unguarded(p, &limits).ok())
        .map(|(_, doc)| doc.page_starts.len().max(1))
        .sum();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(pages as u64));
    group.bench_function("corpus-pdfs", |b| {
        b.iter(|| {
            for pdf in &pdfs {
                let _ = tietopankki::extract::extract_file_unguarded(pdf, &limits);
            }
        })
    });
    group.finish();
}

fn analyse(c: &mut Criterion) {
    let shared = shared();
    let manager = TokenizerManager::default();
    register(&manager, Default::default());
    let mut group = c.benchmark_group("analyse");
    for lang in Lang::ALL {
        let text: String = files(&shared.join("corpus/docs").join(lang.code()), "md")
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect::<Vec<_>>()
            .join("\n\n");
        let tagged = tag_text(lang, &text);
        group.throughput(Throughput::Bytes(text.len() as u64));
        let mut round = 0u64;
        group.bench_function(lang.code(), |b| {
            b.iter_batched(
                || {
                    // A text not seen before (the split of the last few
                    // texts is remembered); the word keys stay cached, as
                    // in a long sync.
                    round += 1;
                    format!("{tagged} {round}")
                },
                |tagged| {
                    // The four keyed fields of a body, as tantivy's indexing
                    // threads run them (the split is shared between them).
                    let mut tokens = 0usize;
                    for name in ["tp_body", "tp_exact", "tp_folded", "tp_tails"] {
                        if let Some(mut analyzer) = manager.get(name) {
                            let mut stream = analyzer.token_stream(&tagged);
                            while stream.advance() {
                                tokens += 1;
                            }
                        }
                    }
                    tokens
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn index(c: &mut Criterion) {
    let docs = shared().join("corpus/docs");
    let count = files(&docs, "md").len() + files(&docs, "pdf").len();
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("shared-corpus", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("a temporary folder"),
            |dir| {
                let bank = KnowledgeBank::builder().documents_dir(&docs).index_dir(dir.path()).open();
                bank.and_then(|bank| bank.sync()).map(|report| report.added)
            },
        )
    });
    group.finish();
}

fn search(c: &mut Criterion) {
    let docs = shared().join("corpus/docs");
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-index-corpus");
    let bank = match KnowledgeBank::builder().documents_dir(&docs).index_dir(&index).open() {
        Ok(bank) => bank,
        Err(err) => {
            eprintln!("pipeline bench: cannot open {}: {err}", index.display());
            std::process::exit(1);
        }
    };
    if let Err(err) = bank.sync() {
        eprintln!("pipeline bench: sync failed: {err}");
        std::process::exit(1);
    }
    let mut group = c.benchmark_group("search");
    for q in ["sähkökatkon aikana", "beredskap", "avustus kalenteri", "vapaaehtosten rekrytointi", "power outage"] {
        group.bench_function(q, |b| b.iter(|| bank.search(&SearchRequest::new(q).limit(10)).map(|r| r.total)));
    }
    // The whole mix of the latency benchmark, one query after another.
    group.throughput(Throughput::Elements(queries::QUERIES.len() as u64));
    group.bench_function("mix", |b| {
        b.iter(|| queries::QUERIES.iter().filter_map(|&q| bank.search(&SearchRequest::new(q).limit(10)).ok()).count())
    });
    group.finish();
}

criterion_group!(benches, extract, analyse, index, search);
criterion_main!(benches);
