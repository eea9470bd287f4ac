//! Measures the word-normalisation keys of `analysis::stem` against real
//! Universal Dependencies word forms (`shared/lang/forms-{fi,sv,en}.tsv`,
//! columns `form`, `lemma`, `upos`).
//!
//! * **Recall** ("joined pairs"): for every lemma, all pairs of its distinct
//!   forms (forms are deduplicated per lemma, the UPOS column is ignored); the
//!   share of those pairs whose two forms get the same key.
//! * **Key precision**: over all pairs of distinct forms (of any lemma) that
//!   share a key, the share whose forms also share a lemma.
//! * **Per-POS recall**: the same as recall, with forms grouped by
//!   (lemma, UPOS), reported for NOUN, VERB, ADJ and PROPN.
//!
//! The same figures are computed for plain Snowball (the `frostem` crate) so
//! that the output shows what the extra rules buy.
//!
//! The forms files are only a measuring stick: nothing in the stemmer is
//! derived from them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use tietopankki::analysis::stem::{StemLang, WordStemmer};

/// The parts of speech reported separately.
const POS: [&str; 4] = ["NOUN", "VERB", "ADJ", "PROPN"];

/// One row of a forms file.
struct Row {
    form: String,
    lemma: String,
    upos: String,
}

/// The figures for one language and one key function.
#[derive(Debug, Default)]
struct Figures {
    /// Pairs of distinct forms of the same lemma.
    pairs: usize,
    /// Of those, pairs with the same key.
    joined: usize,
    /// Pairs of distinct forms sharing a key.
    key_pairs: usize,
    /// Of those, pairs whose forms share a lemma.
    key_pairs_same_lemma: usize,
    /// Per UPOS: (pairs, joined).
    per_pos: BTreeMap<String, (usize, usize)>,
}

impl Figures {
    fn recall(&self) -> f64 {
        ratio(self.joined, self.pairs)
    }

    fn precision(&self) -> f64 {
        ratio(self.key_pairs_same_lemma, self.key_pairs)
    }

    fn pos_recall(&self, pos: &str) -> f64 {
        self.per_pos.get(pos).map_or(0.0, |&(pairs, joined)| ratio(joined, pairs))
    }

    fn line(&self, label: &str) -> String {
        let mut s = format!(
            "{label:<10} recall {:.3} ({}/{})  precision {:.3} ({}/{})",
            self.recall(),
            self.joined,
            self.pairs,
            self.precision(),
            self.key_pairs_same_lemma,
            self.key_pairs
        );
        for pos in POS {
            s.push_str(&format!("  {pos} {:.3}", self.pos_recall(pos)));
        }
        s
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The directory of the shared language files. The tests that read them are
/// `#[ignore = "needs ../shared"]`; running one asks for them, so a missing
/// file fails the test (in CI and everywhere else).
fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/lang");
    let missing: Vec<String> = ["fi", "sv", "en"]
        .iter()
        .map(|l| dir.join(format!("forms-{l}.tsv")))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "morphology test: the shared forms files are missing: {}", missing.join(", "));
    dir
}

fn read_rows(dir: &std::path::Path, lang: &str) -> Vec<Row> {
    let path = dir.join(format!("forms-{lang}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1) // header: form, lemma, upos
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let form = cols.next()?.trim();
            let lemma = cols.next()?.trim();
            let upos = cols.next()?.trim();
            if form.is_empty() || lemma.is_empty() {
                return None;
            }
            Some(Row { form: form.to_lowercase(), lemma: lemma.to_lowercase(), upos: upos.to_string() })
        })
        .collect()
}

/// Number of same-key pairs among a group of distinct forms.
fn joined_pairs(forms: &HashSet<&str>, keys: &HashMap<&str, String>) -> (usize, usize) {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for f in forms {
        *by_key.entry(keys[f].as_str()).or_default() += 1;
    }
    let n = forms.len();
    let joined = by_key.values().map(|&c| c * (c - 1) / 2).sum();
    (n * (n - 1) / 2, joined)
}

fn measure(rows: &[Row], key: impl Fn(&str) -> String) -> Figures {
    let keys: HashMap<&str, String> = rows.iter().map(|r| (r.form.as_str(), key(&r.form))).collect();

    let mut figs = Figures::default();

    // Recall over lemmas (forms deduplicated per lemma; UPOS ignored).
    let mut by_lemma: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in rows {
        by_lemma.entry(&r.lemma).or_default().insert(&r.form);
    }
    for forms in by_lemma.values() {
        let (p, j) = joined_pairs(forms, &keys);
        figs.pairs += p;
        figs.joined += j;
    }

    // Per-POS recall over (lemma, UPOS) groups.
    let mut by_lemma_pos: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
    for r in rows {
        by_lemma_pos.entry((&r.lemma, &r.upos)).or_default().insert(&r.form);
    }
    for ((_, upos), forms) in &by_lemma_pos {
        let (p, j) = joined_pairs(forms, &keys);
        let e = figs.per_pos.entry(upos.to_string()).or_default();
        e.0 += p;
        e.1 += j;
    }

    // Key precision: all pairs of distinct forms that share a key.
    let mut lemmas_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in rows {
        lemmas_of.entry(&r.form).or_default().insert(&r.lemma);
    }
    let mut by_key: HashMap<&str, Vec<&str>> = HashMap::new();
    for (form, k) in &keys {
        by_key.entry(k.as_str()).or_default().push(form);
    }
    for forms in by_key.values() {
        for (i, a) in forms.iter().enumerate() {
            for b in &forms[i + 1..] {
                figs.key_pairs += 1;
                if !lemmas_of[a].is_disjoint(&lemmas_of[b]) {
                    figs.key_pairs_same_lemma += 1;
                }
            }
        }
    }
    figs
}

/// Measures one language; returns (ours, plain Snowball).
fn run(lang: &str) -> (Figures, Figures) {
    let dir = shared_dir();
    let rows = read_rows(&dir, lang);
    let (stem_lang, algo) = match lang {
        "fi" => (StemLang::Fi, frostem::Algorithm::Finnish),
        "sv" => (StemLang::Sv, frostem::Algorithm::Swedish),
        _ => (StemLang::En, frostem::Algorithm::English),
    };
    let stemmer = WordStemmer::new(stem_lang);
    let snowball = frostem::Stemmer::new(algo);

    let ours = measure(&rows, |w| stemmer.stem(w));
    let base = measure(&rows, |w| snowball.stem(w).into_owned());

    // Speed: stem every form a number of times.
    let words: Vec<&str> = rows.iter().map(|r| r.form.as_str()).collect();
    let rounds = 20;
    let start = Instant::now();
    let mut total = 0usize;
    for _ in 0..rounds {
        for w in &words {
            total += stemmer.stem(w).len();
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / (rounds * words.len()) as f64;

    println!("[{lang}] {} rows", rows.len());
    println!("[{lang}] {}", ours.line("ours"));
    println!("[{lang}] {}", base.line("snowball"));
    println!("[{lang}] {ns:.0} ns per word (checksum {total})");
    (ours, base)
}

#[test]
#[ignore = "needs ../shared"]
fn finnish_keys_join_forms_of_a_lemma() {
    let (ours, _) = run("fi");
    assert!(ours.recall() >= 0.50, "fi recall {:.3}", ours.recall());
    assert!(ours.precision() >= 0.85, "fi precision {:.3}", ours.precision());
}

#[test]
#[ignore = "needs ../shared"]
fn swedish_keys_join_forms_of_a_lemma() {
    let (ours, _) = run("sv");
    assert!(ours.recall() >= 0.70, "sv recall {:.3}", ours.recall());
    assert!(ours.precision() >= 0.65, "sv precision {:.3}", ours.precision());
}

#[test]
#[ignore = "needs ../shared"]
fn english_keys_at_least_as_good_as_snowball() {
    let (ours, base) = run("en");
    assert!(ours.recall() >= base.recall().max(0.74), "en recall {:.3} (snowball {:.3})", ours.recall(), base.recall());
    assert!(
        ours.precision() >= base.precision(),
        "en precision {:.3} (snowball {:.3})",
        ours.precision(),
        base.precision()
    );
}
