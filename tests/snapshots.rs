//! Snapshot tests (`insta`): the keys the analyser gives index words, and the
//! JSON the CLI prints for a search of a small fixed bank. A changed key or
//! a changed field fails the test with a diff; `cargo insta review` (or
//! `INSTA_UPDATE=always`) accepts a change on purpose. The snapshots are in
//! `tests/snapshots/`; CI never writes them (`INSTA_UPDATE=no` in `.ci/run`,
//! and insta does not write them either when `CI=true`).

use std::fmt::Write as _;
use std::process::Command;

use tietopankki::analysis::Analyzer;
use tietopankki::Lang;

use crate::common::TempBank;

/// One line per word: the word with its language (as the exact field keys it), whether it is a stop word, its stem
/// key, its folded (ä/ö/å-free) key and the keys of its compound tails.
fn keys_table(words: &[(Lang, &str)]) -> String {
    let analyzer = Analyzer::get();
    let mut table = String::new();
    for &(lang, word) in words {
        let keys = analyzer.keys(lang, word);
        let stop = if keys.stop { " stop" } else { "" };
        let tails = keys.tails.join(" ");
        let _ = writeln!(
            table,
            "{lang}:{word}{stop} | stem {stem} | folded {folded} | tails [{tails}]",
            lang = lang.code(),
            stem = keys.stem,
            folded = keys.folded,
        );
    }
    table
}

#[test]
fn finnish_keys_of_inflected_forms_compounds_and_words_without_dots() {
    insta::assert_snapshot!(keys_table(&[
        (Lang::Fi, "kotivara"),
        (Lang::Fi, "kotivaraan"),
        (Lang::Fi, "kotivarasta"),
        (Lang::Fi, "valmiussuunnitelma"),
        (Lang::Fi, "valmiussuunnitelmassa"),
        (Lang::Fi, "väestönsuojassa"),
        (Lang::Fi, "vaestonsuojassa"),
        (Lang::Fi, "sähkökatkos"),
        (Lang::Fi, "sahkokatkos"),
        (Lang::Fi, "päiväkodeissa"),
        (Lang::Fi, "ja"),
    ]));
}

#[test]
fn swedish_keys_of_inflected_forms_compounds_and_words_without_rings() {
    insta::assert_snapshot!(keys_table(&[
        (Lang::Sv, "beredskapsplan"),
        (Lang::Sv, "beredskapsplanerna"),
        (Lang::Sv, "strömavbrott"),
        (Lang::Sv, "stromavbrott"),
        (Lang::Sv, "föreningen"),
        (Lang::Sv, "foreningen"),
        (Lang::Sv, "skyddsrummet"),
        (Lang::Sv, "hemberedskap"),
        (Lang::Sv, "och"),
    ]));
}

#[test]
fn english_keys_of_inflected_forms_and_both_spellings() {
    insta::assert_snapshot!(keys_table(&[
        (Lang::En, "shelter"),
        (Lang::En, "shelters"),
        (Lang::En, "organize"),
        (Lang::En, "organised"),
        (Lang::En, "volunteering"),
        (Lang::En, "preparedness"),
        (Lang::En, "the"),
    ]));
}

/// The bank of the JSON snapshot: three short documents, one per language.
fn small_bank() -> TempBank {
    let tb = TempBank::new();
    tb.write(
        "fi/kotivara.md",
        "---\ntitle: Kotivara\ndate: 2025-03-01\n---\nKotivaraan kuuluu vettä ja ruokaa kolmeksi vuorokaudeksi.\n",
    );
    // Every file dated in its front matter: a file's own time would change the snapshot daily.
    tb.write(
        "sv/hemberedskap.md",
        "---\ndate: 2024-06-01\n---\n# Hemberedskap\n\nHemberedskapen räcker i tre dygn vid ett strömavbrott.\n",
    );
    tb.write(
        "en/home-supplies.md",
        "---\ndate: 2023-10-15\n---\n# Home supplies\n\nKeep water and food at home for 72 hours.\n",
    );
    tb
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tietopankki"))
}

/// Scores are rounded to three decimals: the snapshot is about the fields and
/// the order, not the last bits of a float.
fn round_scores(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                match field.as_f64() {
                    Some(x) if key == "score" => *field = serde_json::json!((x * 1000.0).round() / 1000.0),
                    _ => round_scores(field),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(round_scores),
        _ => {}
    }
}

#[test]
fn search_json_of_a_small_bank() {
    let tb = small_bank();
    let index = bin().args(["index", "--documents"]).arg(tb.docs.path()).arg("--index").arg(tb.index.path()).output();
    let index = index.unwrap();
    assert!(index.status.success(), "{}", String::from_utf8_lossy(&index.stderr));
    // An inflected Finnish word typed without ä/ö, and an English one.
    for query in ["kotivaraa vetta", "water"] {
        let out = bin().args(["search", "--json", "--index"]).arg(tb.index.path()).arg(query).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        round_scores(&mut results);
        insta::assert_json_snapshot!(format!("search_json_{}", query.replace(' ', "_")), results);
    }
}
