//! Writes a TREC run for query files in the `qid lang kind topic query`
//! format of `../shared/corpus/queries`, for scoring with `../shared/tools/ireval`:
//!
//! `target/release/examples/trec_run INDEX_DIR QUERIES.tsv... > run.trec`
//!
//! With `--other-languages` the run lists the hits found in the other
//! languages instead of the main results (for the `cross/*.qrels`).

use tietopankki::{KnowledgeBank, SearchRequest};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((index, files)) = args.split_first() else {
        eprintln!("usage: trec_run INDEX_DIR QUERIES.tsv...");
        std::process::exit(2);
    };
    let bank = match KnowledgeBank::open(index) {
        Ok(bank) => bank,
        Err(err) => {
            eprintln!("trec_run: {err}");
            std::process::exit(1);
        }
    };
    for file in files {
        let tsv = match std::fs::read_to_string(file) {
            Ok(tsv) => tsv,
            Err(err) => {
                eprintln!("trec_run: {file}: {err}");
                std::process::exit(1);
            }
        };
        for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(qid), Some(text)) = (cols.first(), cols.get(4)) else { continue };
            match bank.search(&SearchRequest::new(*text).limit(10)) {
                Ok(results) => {
                    for (rank, hit) in results.hits.iter().enumerate() {
                        println!("{qid} Q0 {} {} {:.4} tietopankki", hit.path, rank + 1, hit.score);
                    }
                }
                Err(err) => eprintln!("trec_run: {qid}: {err}"),
            }
        }
    }
}
