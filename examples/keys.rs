//! Prints the index keys of words: `cargo run --example keys -- fi sähkökatkon tila kerhotilan`.
fn main() {
    let mut args = std::env::args().skip(1);
    let lang: tietopankki::Lang = args.next().and_then(|l| l.parse().ok()).unwrap_or(tietopankki::Lang::Fi);
    let analyzer = tietopankki::analysis::Analyzer::get();
    for word in args {
        let lower = word.to_lowercase();
        println!("{word}\tstem={}\tfolded={}", analyzer.stem(lang, &lower), analyzer.folded(lang, &lower));
    }
}
