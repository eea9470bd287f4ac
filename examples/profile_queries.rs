//! Runs a fixed mix of queries against an existing index, for profiling
//! search with an instruction counter (figures that do not depend on the
//! machine's load):
//!
//! `valgrind --tool=callgrind target/release/examples/profile_queries INDEX_DIR [ROUNDS] [QUERY_FILE]`
//!
//! The queries are those of `benches/search_latency.rs`, or one a line from
//! QUERY_FILE, with facets as the server asks. One unmeasured round runs first; then it prints how many
//! searches ran, their hits and the mean time per search.

use tietopankki::{KnowledgeBank, SearchRequest};

#[path = "../benches/queries.rs"]
mod queries;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(index) = args.first() else {
        eprintln!("usage: profile_queries INDEX_DIR [ROUNDS=1] [QUERY_FILE]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(1);
    let bank = match KnowledgeBank::open(index) {
        Ok(bank) => bank,
        Err(err) => {
            eprintln!("profile_queries: {err}");
            std::process::exit(1);
        }
    };
    let from_file: Option<String> = match args.get(2).map(std::fs::read_to_string) {
        Some(Ok(text)) => Some(text),
        Some(Err(err)) => {
            eprintln!("profile_queries: cannot read the query file: {err}");
            std::process::exit(1);
        }
        None => None,
    };
    let list: Vec<&str> = match &from_file {
        Some(text) => text.lines().map(str::trim).filter(|l| !l.is_empty()).collect(),
        None => queries::QUERIES.to_vec(),
    };
    let mut hits = 0;
    let mut start = std::time::Instant::now();
    for round in 0..=rounds {
        if round == 1 {
            start = std::time::Instant::now();
        }
        for &q in &list {
            match bank.search(&SearchRequest::new(q).limit(10).with_facets()) {
                Ok(results) if round > 0 => hits += results.hits.len(),
                Ok(_) => {}
                Err(err) => eprintln!("query {q:?} failed: {err}"),
            }
        }
    }
    let searches = rounds * list.len();
    let per_search = start.elapsed().as_secs_f64() * 1000.0 / searches.max(1) as f64;
    println!("{searches} searches, {hits} hits, {per_search:.2} ms per search");
}
