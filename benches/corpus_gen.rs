//! A generator of realistic knowledge-bank folders for benchmarks: Markdown
//! documents in Finnish, Swedish and English built from the Universal
//! Dependencies sentences in `../shared/lang/train-sentences-*.txt`, with
//! front matter (title, tags, date), headings and paragraphs. The same seed
//! and size give the same folder.
//!
//! Used by `benches/search_latency.rs` and `examples/gen_corpus.rs`.

use std::io::Write;
use std::path::Path;

/// A small deterministic random generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TAGS: [&str; 12] = [
    "varautuminen",
    "avustukset",
    "tilat",
    "vapaaehtoiset",
    "hyvinvointi",
    "yhdenvertaisuus",
    "beredskap",
    "bidrag",
    "lokaler",
    "volunteering",
    "grants",
    "wellbeing",
];

/// Reads the train sentences of one language.
pub fn sentences(shared: &Path, lang: &str) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(shared.join(format!("lang/train-sentences-{lang}.txt")))?;
    Ok(text.lines().map(str::trim).filter(|l| l.split_whitespace().count() >= 4).map(str::to_string).collect())
}

/// Writes `count` documents (about `avg_bytes` each) under `out/{fi,sv,en}/`.
/// Returns the total bytes written.
pub fn generate(shared: &Path, out: &Path, count: usize, avg_bytes: usize, seed: u64) -> std::io::Result<u64> {
    let langs = ["fi", "sv", "en"];
    let pools: Vec<Vec<String>> = langs.iter().map(|l| sentences(shared, l)).collect::<Result<_, _>>()?;
    let mut rng = Rng::new(seed);
    let mut total = 0u64;
    for i in 0..count {
        let slot = i % 3;
        let (lang, pool) = (langs[slot], &pools[slot]);
        let dir = out.join(lang).join(format!("{:03}", i / 1000));
        std::fs::create_dir_all(&dir)?;
        let title_words: Vec<&str> = pool[rng.below(pool.len())].split_whitespace().take(6).collect();
        let title = title_words.join(" ").trim_end_matches(['.', ',', '!', '?']).to_string();
        let tags = [TAGS[rng.below(TAGS.len())], TAGS[rng.below(TAGS.len())]];
        let date = format!("20{:02}-{:02}-{:02}", 15 + rng.below(11), 1 + rng.below(12), 1 + rng.below(28));
        let mut doc = format!(
            "---\ntitle: \"{}\"\ntags: [{}, {}]\ndate: {date}\n---\n\n",
            title.replace('"', "'"),
            tags[0],
            tags[1]
        );
        let target = avg_bytes / 2 + rng.below(avg_bytes);
        while doc.len() < target {
            if rng.below(5) == 0 {
                let heading: Vec<&str> = pool[rng.below(pool.len())].split_whitespace().take(4).collect();
                doc.push_str(&format!("## {}\n\n", heading.join(" ")));
            }
            for _ in 0..(2 + rng.below(5)) {
                doc.push_str(&pool[rng.below(pool.len())]);
                doc.push(' ');
            }
            doc.push_str("\n\n");
        }
        let mut file = std::fs::File::create(dir.join(format!("doc-{i:06}.md")))?;
        file.write_all(doc.as_bytes())?;
        total += doc.len() as u64;
    }
    Ok(total)
}
