//! The relevance harness: every development query of `../shared/corpus/queries`
//! against an index of `../shared/corpus/docs`, written as a TREC run file and
//! scored with the shared `ireval` tool (nDCG@10, MRR, recall@10 by kind).
//!
//! `cargo test --release relevance -- --ignored --nocapture` prints the table; the run
//! file is left in `target/relevance/run.trec` for a closer look.

use std::fmt::Write as _;
use std::path::Path;

use tietopankki::{KnowledgeBank, SearchRequest};

use crate::common::{shared_dir, tempdir};

/// Writes the queries, judgments and run as `{prefix}queries.tsv`,
/// `{prefix}qrels` and `{prefix}run.trec` in `out_dir`, scores them with the
/// shared `ireval` and returns its table (the last line the overall JSON).
fn ireval(shared: &Path, out_dir: &Path, prefix: &str, [queries, qrels, run]: [String; 3]) -> String {
    let paths = ["queries.tsv", "qrels", "run.trec"].map(|name| out_dir.join(format!("{prefix}{name}")));
    for (path, text) in paths.iter().zip([queries, qrels, run]) {
        std::fs::write(path, text).unwrap();
    }
    let output = std::process::Command::new("python3")
        .arg(shared.join("tools/ireval"))
        .args(&paths)
        .output()
        .expect("python3 runs ireval");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[ignore = "needs ../shared"]
fn development_queries_meet_the_targets() {
    let shared = shared_dir("corpus/queries");
    let index = tempdir();
    let bank =
        KnowledgeBank::builder().documents_dir(shared.join("corpus/docs")).index_dir(index.path()).open().unwrap();
    bank.sync().unwrap();

    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/relevance");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut queries = String::from("qid\tlang\tkind\ttopic\tquery\n");
    let mut qrels = String::new();
    let mut run = String::new();
    for lang in ["fi", "sv", "en"] {
        let tsv = std::fs::read_to_string(shared.join(format!("corpus/queries/{lang}.tsv"))).unwrap();
        for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            queries.push_str(line);
            queries.push('\n');
            let cols: Vec<&str> = line.split('\t').collect();
            let (qid, text) = (cols[0], cols[4]);
            let results = bank.search(&SearchRequest::new(text).limit(10)).unwrap();
            for (rank, hit) in results.hits.iter().enumerate() {
                writeln!(run, "{qid} Q0 {} {} {:.4} tietopankki", hit.path, rank + 1, hit.score).unwrap();
            }
        }
        qrels.push_str(&std::fs::read_to_string(shared.join(format!("corpus/queries/{lang}.qrels"))).unwrap());
    }
    let table = ireval(&shared, &out_dir, "", [queries, qrels, run]);
    println!("{table}");

    let overall: serde_json::Value = serde_json::from_str(table.lines().last().unwrap()).unwrap();
    let ndcg = overall["ndcg@10"].as_f64().unwrap();
    assert!(ndcg >= 0.90, "nDCG@10 {ndcg} is below 0.90");
    // Per-kind rows: `kind  n  ndcg  mrr  recall`.
    for line in table.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() >= 5 && cols[1].parse::<u32>().is_ok() {
            if let Ok(recall) = cols[4].parse::<f64>() {
                assert!(recall >= 1.0, "recall@10 of kind {} is {recall}, below 1.0", cols[0]);
            }
        }
    }
}

/// Issue #14, cross-language search: for every development query, the
/// `other_languages` hits (documents in the other two languages, found
/// through the query's concepts translated) scored against
/// `../shared/corpus/queries/cross/*.qrels`, where the documents of the
/// other languages on the query's topic are the relevant ones. The main
/// results must stay exactly as they are without the option.
#[test]
#[ignore = "needs ../shared"]
fn other_language_hits_of_the_development_queries_meet_the_target() {
    let shared = shared_dir("corpus/queries/cross");
    let index = tempdir();
    let bank =
        KnowledgeBank::builder().documents_dir(shared.join("corpus/docs")).index_dir(index.path()).open().unwrap();
    bank.sync().unwrap();

    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/relevance");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut queries = String::from("qid\tlang\tkind\ttopic\tquery\n");
    let mut qrels = String::new();
    let mut run = String::new();
    let mut with_hits = 0;
    for lang in ["fi", "sv", "en"] {
        let tsv = std::fs::read_to_string(shared.join(format!("corpus/queries/{lang}.tsv"))).unwrap();
        for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            queries.push_str(line);
            queries.push('\n');
            let cols: Vec<&str> = line.split('\t').collect();
            let (qid, text) = (cols[0], cols[4]);
            let plain = bank.search(&SearchRequest::new(text).limit(10)).unwrap();
            let request = SearchRequest::new(text).limit(10).other_languages(true).other_languages_limit(10);
            let results = bank.search(&request).unwrap();
            assert_eq!(
                plain.hits.iter().map(|h| (&h.path, h.score)).collect::<Vec<_>>(),
                results.hits.iter().map(|h| (&h.path, h.score)).collect::<Vec<_>>(),
                "{qid}: the main results change with other_languages on"
            );
            let other = results.other_languages.expect("asked for");
            with_hits += usize::from(!other.hits.is_empty());
            for (rank, hit) in other.hits.iter().enumerate() {
                assert!(other.langs.contains(&hit.lang), "{qid}: {} is in the query's language", hit.path);
                assert!(!hit.via.is_empty(), "{qid}: {} has no translated term", hit.path);
                writeln!(run, "{qid} Q0 {} {} {:.4} tietopankki", hit.path, rank + 1, hit.score).unwrap();
            }
        }
        qrels.push_str(&std::fs::read_to_string(shared.join(format!("corpus/queries/cross/{lang}.qrels"))).unwrap());
    }
    let table = ireval(&shared, &out_dir, "cross-", [queries, qrels, run]);
    println!("other languages ({with_hits} queries with hits):\n{table}");
    let overall: serde_json::Value = serde_json::from_str(table.lines().last().unwrap()).unwrap();
    let ndcg = overall["ndcg@10"].as_f64().unwrap();
    assert!(ndcg >= 0.75, "cross-language nDCG@10 {ndcg} is below 0.75");
}
