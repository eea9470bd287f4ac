//! Prints where an index's bytes go: segments, the document store, and per
//! field the term dictionary, postings, positions and tokens indexed.
//!
//! `cargo run --release --example space -- INDEX_DIR`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: space INDEX_DIR");
        std::process::exit(2);
    };
    if let Err(err) = report(&path) {
        eprintln!("space: {path}: {err}");
        std::process::exit(1);
    }
}

fn report(path: &str) -> tantivy::Result<()> {
    let index = tantivy::Index::open_in_dir(path)?;
    let searcher = index.reader()?.searcher();
    let usage = searcher.space_usage()?;
    println!("segments {}", searcher.segment_readers().len());
    println!("total {}", usage.total());
    // field -> (term dictionary, postings, positions) bytes
    let mut fields: std::collections::BTreeMap<String, [u64; 3]> = Default::default();
    for segment in usage.segments() {
        let parts = [segment.termdict(), segment.postings(), segment.positions()];
        for (slot, part) in parts.into_iter().enumerate() {
            for field in part.fields() {
                fields.entry(field.field_name().to_string()).or_default()[slot] += field.total().get_bytes();
            }
        }
    }
    let store: u64 = usage.segments().iter().map(|s| s.store().total().get_bytes()).sum();
    println!("store {store}");
    let schema = index.schema();
    for (name, [terms, postings, positions]) in fields {
        // Tokens indexed (the sum of the field's lengths), where recorded.
        let mut tokens = 0u64;
        if let Ok(field) = schema.get_field(&name) {
            for segment in searcher.segment_readers() {
                tokens += segment.inverted_index(field)?.total_num_tokens();
            }
        }
        println!(
            "{name:12} termdict {terms:>10} postings {postings:>10} positions {positions:>10} tokens {tokens:>11}"
        );
    }
    Ok(())
}
