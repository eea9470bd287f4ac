//! Search itself on arbitrary document text × query: the document is
//! indexed (analysis, tokenizers, the writer), then searched with the query
//! and with words of its own text (word resolution, scoring, proximity,
//! facets, explain, snippets). A panic, or a search that fails with an
//! engine error, is a crash. Input: document text, a 0x01 byte, the query
//! (without 0x01, the second half is the query).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tietopankki::snippet::{make_snippet, QueryWord};
use tietopankki::{Error, KnowledgeBank, Lang, SearchRequest};

/// One bank per fuzzing process, in a folder of its own.
fn bank() -> &'static (PathBuf, KnowledgeBank) {
    static BANK: OnceLock<(PathBuf, KnowledgeBank)> = OnceLock::new();
    BANK.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("tietopankki-fuzz-search-{}", std::process::id()));
        let docs = root.join("docs");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&docs).expect("fuzz folder");
        // A document that stays, so the bank never is empty.
        std::fs::write(docs.join("base.md"), "# Sähkökatko\n\nYhdistyksen varautuminen sähkökatkon aikana.")
            .expect("base document");
        let bank = KnowledgeBank::builder().documents_dir(&docs).index_dir(root.join("index")).open().expect("bank");
        (docs, bank)
    })
}

fn check(bank: &KnowledgeBank, query: &str) {
    let request = SearchRequest::new(query).with_facets().with_explain();
    match bank.search(&request) {
        Ok(_) | Err(Error::InvalidRequest(_)) => {}
        Err(err) => panic!("search failed on {query:?}: {err}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (text, query) = match input.split_once('\u{1}') {
        Some(parts) => parts,
        None => {
            let mut middle = input.len() / 2;
            while !input.is_char_boundary(middle) {
                middle -= 1;
            }
            input.split_at(middle)
        }
    };
    let (docs, bank) = bank();
    // Snippets directly: the search falls back to a plain excerpt on a
    // fault, which would hide it here.
    let words: Vec<QueryWord> = tietopankki::analysis::words(query).iter().map(|w| QueryWord::new(&w.lower)).collect();
    for lang in Lang::ALL {
        let _ = make_snippet(text, lang, &words);
    }
    if std::fs::write(docs.join("doc.md"), text.as_bytes()).is_err() {
        return;
    }
    if bank.sync().is_err() {
        return;
    }
    check(bank, query);
    let own: Vec<String> = tietopankki::analysis::words(text).into_iter().take(4).map(|w| w.lower).collect();
    check(bank, &own.join(" "));
    check(bank, &format!("\"{}\"", own.join(" ")));
});
