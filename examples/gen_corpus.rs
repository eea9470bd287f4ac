//! Writes a generated knowledge-bank folder for benchmarks:
//! `cargo run --release --example gen_corpus -- OUT_DIR [COUNT] [SEED] [AVG_BYTES]`.

#[path = "../benches/corpus_gen.rs"]
mod corpus_gen;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: gen_corpus OUT_DIR [COUNT=20000] [SEED=42] [AVG_BYTES=12000]");
        std::process::exit(2);
    };
    let number = |i: usize, default: u64| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    match corpus_gen::generate(
        &shared,
        out.as_ref(),
        number(1, 20_000) as usize,
        number(3, 12_000) as usize,
        number(2, 42),
    ) {
        Ok(bytes) => println!("wrote {:.1} MB to {out}", bytes as f64 / 1e6),
        Err(err) => {
            eprintln!("gen_corpus: {err}");
            std::process::exit(1);
        }
    }
}
