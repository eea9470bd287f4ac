//! Runs a fixed mix of queries against an existing index, for profiling
//! search with an instruction counter (figures that do not depend on the
//! machine's load):
//!
//! `valgrind --tool=callgrind target/release/examples/profile_queries INDEX_DIR [ROUNDS]`
//!
//! The queries are those of `benches/search_latency.rs`. One unmeasured
//! round runs first; then it prints how many searches ran and their hits.

use tietopankki::{KnowledgeBank, SearchRequest};

#[path = "../benches/queries.rs"]
mod queries;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(index) = args.first() else {
        eprintln!("usage: profile_queries INDEX_DIR [ROUNDS=1]");
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
    let mut hits = 0;
    for round in 0..=rounds {
        for q in queries::QUERIES {
            match bank.search(&SearchRequest::new(q).limit(10)) {
                Ok(results) if round > 0 => hits += results.hits.len(),
                Ok(_) => {}
                Err(err) => eprintln!("query {q:?} failed: {err}"),
            }
        }
    }
    println!("{} searches, {hits} hits", rounds * queries::QUERIES.len());
}
