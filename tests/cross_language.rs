//! Issue #14, cross-language search: a query's concepts, found through the
//! term list, lead to the documents in the other two languages; the main
//! results stay as they are (see also `relevance::other_language_hits_…`).

use std::process::Command;

use tietopankki::{Glossary, KnowledgeBank, Lang, SearchRequest};

use crate::common::{shared_dir, tempdir, TempBank};

/// The other-language hits of `query`: (path, language, via).
fn other_hits(bank: &KnowledgeBank, query: &str) -> Vec<(String, Lang, Vec<String>)> {
    let results = bank.search(&SearchRequest::new(query).other_languages(true).other_languages_limit(20)).unwrap();
    let other = results.other_languages.expect("asked for");
    other.hits.into_iter().map(|h| (h.path, h.lang, h.via)).collect()
}

fn corpus_bank() -> (KnowledgeBank, tempfile::TempDir) {
    let shared = shared_dir("corpus/docs");
    let index = tempdir();
    let bank = KnowledgeBank::builder()
        .documents_dir(shared.join("corpus/docs"))
        .index_dir(index.path())
        .ocr(tietopankki::OcrOptions { enabled: false, ..Default::default() })
        .open()
        .unwrap();
    bank.sync().unwrap();
    (bank, index)
}

#[test]
#[ignore = "needs ../shared"]
fn each_language_reaches_the_other_two_through_a_domain_term() {
    let (bank, _index) = corpus_bank();
    // (query, its language, a term expected in `via` for each other language)
    let cases = [
        ("väestönsuojassa", Lang::Fi, [(Lang::Sv, "skyddsrum"), (Lang::En, "shelter")]),
        ("verksamhetsbidrag redovisning", Lang::Sv, [(Lang::Fi, "toiminta-avustus"), (Lang::En, "grant")]),
        ("emergency shelter", Lang::En, [(Lang::Fi, "väestönsuoja"), (Lang::Sv, "skyddsrum")]),
    ];
    for (query, own, expected) in cases {
        let hits = other_hits(&bank, query);
        assert!(hits.iter().all(|(_, lang, _)| *lang != own), "{query}: a hit in the query's own language: {hits:?}");
        for (lang, term) in expected {
            let found = hits.iter().any(|(_, l, via)| *l == lang && via.iter().any(|v| v.contains(term)));
            assert!(found, "{query}: no {lang} hit via '{term}': {hits:?}");
        }
    }
}

#[test]
#[ignore = "needs ../shared"]
fn inflected_and_compound_words_are_translated_and_unknown_words_add_nothing() {
    let (bank, _index) = corpus_bank();
    // Inflected: "beredskapsplanerna" (the plans) → valmiussuunnitelma / preparedness plan.
    let inflected = other_hits(&bank, "beredskapsplanerna");
    assert!(inflected.iter().any(|(p, _, _)| p.starts_with("fi/valmiussuunnitelma")), "{inflected:?}");
    assert!(inflected.iter().any(|(p, _, _)| p.starts_with("en/")), "{inflected:?}");
    // A compound not in the list, through its part: "kotivaralista" → hemberedskap, home supplies.
    let compound = other_hits(&bank, "kotivaralista");
    assert!(compound.iter().any(|(p, _, _)| p.starts_with("sv/hemberedskap")), "{compound:?}");
    assert!(compound.iter().any(|(p, _, _)| p.starts_with("en/home-supplies")), "{compound:?}");
    // A word with no concept adds nothing, alone or beside one.
    assert!(other_hits(&bank, "xyzzyq").is_empty());
    let paths = |hits: Vec<(String, Lang, Vec<String>)>| hits.into_iter().map(|h| h.0).collect::<Vec<_>>();
    assert_eq!(paths(other_hits(&bank, "valmiussuunnitelma xyzzyq")), paths(other_hits(&bank, "valmiussuunnitelma")));
    // A quoted phrase is not translated word by word; a language filter turns the part off.
    assert!(other_hits(&bank, "\"kotivara valmiussuunnitelma\"").is_empty());
    let filtered = bank.search(&SearchRequest::new("valmiussuunnitelma").lang(Lang::Fi).other_languages(true)).unwrap();
    assert!(filtered.other_languages.is_some_and(|o| o.hits.is_empty()));
}

#[test]
fn a_local_term_list_adds_concepts_and_a_bad_line_is_reported_with_its_number() {
    let bank = TempBank::new();
    bank.write("fi/talkoot.md", "# Pullatalkoot\n\nPullatalkoot pidetään torstaina nuorisotalolla.\n");
    bank.write("sv/bullbak.md", "# Bullbak\n\nBullbaket hålls på torsdag i ungdomsgården.\n");
    bank.write("en/bake.md", "# Bun bake\n\nThe bun bake is on Thursday at the youth centre.\n");
    let plain = bank.open();
    plain.sync().unwrap();
    assert!(other_hits(&plain, "pullatalkoot").is_empty(), "not in the built-in list");
    drop(plain);

    let local = bank.docs.path().join("../local-terms.tsv");
    std::fs::write(&local, "concept\tfi\tsv\ten\nbun_bake\tpullatalkoot\tbullbak\tbun bake\n").unwrap();
    let glossary = Glossary::load(&local).unwrap();
    let extended = KnowledgeBank::builder()
        .documents_dir(bank.docs.path())
        .index_dir(bank.index.path())
        .glossary(glossary)
        .open()
        .unwrap();
    let hits = other_hits(&extended, "pullatalkoisiin");
    let paths: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert!(paths.contains(&"sv/bullbak.md") && paths.contains(&"en/bake.md"), "{hits:?}");
    assert!(!paths.contains(&"fi/talkoot.md"));

    std::fs::write(&local, "bun_bake\tpullatalkoot\tbullbak\tbun bake\nbroken line without tabs\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args(["search", "--other-languages", "--glossary"])
        .arg(&local)
        .arg("--index")
        .arg(bank.index.path())
        .arg("pullatalkoot")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2: expected 4 tab-separated columns"), "{stderr}");
    let _ = std::fs::remove_file(&local);
}

#[test]
fn freedict_dictionaries_translate_words_outside_the_term_list_when_installed() {
    use std::io::Write;
    let bank = TempBank::new();
    bank.write("fi/lainaus.md", "# Lainaus\n\nKirjastossa voi lainata kirjoja.\n");
    bank.write("sv/lan.md", "# Lån\n\nPå biblioteket kan man låna böcker.\n");
    // A dictd pair as Debian installs it: an index and a gzip'd body.
    let dicts = tempdir();
    let body = "kirjasto /k/ <n>\nbibliotek\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    std::fs::write(dicts.path().join("freedict-fin-swe.dict.dz"), gz.finish().unwrap()).unwrap();
    std::fs::write(dicts.path().join("freedict-fin-swe.index"), "00databaseshort\tA\tB\nkirjasto\tA\tb\n").unwrap();
    let open = |dir: &std::path::Path| {
        KnowledgeBank::builder()
            .documents_dir(bank.docs.path())
            .index_dir(bank.index.path())
            .dictionary_dir(dir)
            .open()
            .unwrap()
    };
    let without = open(&bank.docs.path().join("no-dictionaries-here"));
    without.sync().unwrap();
    assert!(other_hits(&without, "kirjastossa").is_empty(), "'kirjasto' is not in the term list");
    let (_, status) = without.translation_status();
    assert_eq!(status.missing.len(), 6);
    drop(without);
    let with = open(dicts.path());
    let (concepts, status) = with.translation_status();
    assert!(concepts >= 250);
    assert_eq!(status.found, ["fin-swe"]);
    let hits = other_hits(&with, "kirjastossa");
    assert_eq!(hits.first().map(|h| (h.0.as_str(), h.2.clone())), Some(("sv/lan.md", vec!["bibliotek".to_string()])));
}
