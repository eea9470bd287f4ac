//! Every text function is safe on any Unicode (issue #13): property tests
//! over strings made of the characters real documents and queries carry —
//! no-break and other spaces, soft hyphens, combining marks, ZWJ sequences,
//! right-to-left marks and overrides, emoji, U+FFFD, CRLF, ä/ö/å, CJK,
//! quotes and query syntax — through analysis, query parsing, snippets,
//! extraction, language detection and a whole search.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use tietopankki::analysis::{self, Analyzer};
use tietopankki::snippet::{make_snippet, QueryWord};
use tietopankki::{Error, ExtractLimits, Format, KnowledgeBank, Lang, SearchRequest};

/// Pieces of text that have broken text code before, or could.
const PIECES: &[&str] = &[
    "\u{a0}",                 // no-break space (Word, Google Docs)
    "\u{202f}",               // narrow no-break space
    "\u{2009}",               // thin space
    "\u{ad}",                 // soft hyphen
    "\u{301}",                // combining acute
    "\u{308}",                // combining diaeresis (a + ̈ = ä decomposed)
    "a\u{308}",               // decomposed ä
    "\u{200d}",               // zero-width joiner
    "\u{200c}",               // zero-width non-joiner
    "\u{200b}",               // zero-width space
    "\u{200f}",               // right-to-left mark
    "\u{202e}",               // right-to-left override
    "\u{2066}",               // left-to-right isolate
    "\u{feff}",               // byte order mark
    "👩\u{200d}👩\u{200d}👧", // a ZWJ family
    "🇫🇮",                     // a flag (two regional indicators)
    "\u{fffd}",               // replacement character
    "\r\n",
    "\n",
    "\t",
    " ",
    "  ",
    "ä",
    "ö",
    "å",
    "Ä",
    "ß",
    "ﬁ",     // ligature
    "İ",     // lower-cases to two characters
    "ǅ",     // title-case digraph
    "東京",  // CJK
    "مرحبا", // Arabic
    "-",
    "–",
    "'",
    "’",
    "\"",
    "“",
    "«",
    "*",
    ":",
    "<script>",
    "&amp;",
    "0",
    "42",
    "x",
    "sähkökatko",
    "avustus",
    "föreningen",
    "volunteer",
    "lang:fi",
    "-ei",
    "OR",
    "\u{0}",
    "\u{1b}[2J",
];

/// A string of 0..60 pieces.
fn tricky_text() -> impl Strategy<Value = String> {
    long_tricky_text(60)
}

/// A string of 0..`most` pieces.
fn long_tricky_text(most: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..most).prop_map(|pieces| pieces.concat())
}

/// A mix of tricky pieces and any characters at all.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![3 => tricky_text(), 1 => any::<String>()]
}

/// Whether an HTML fragment has no markup other than `<mark>` and `</mark>`.
fn only_marks(html: &str) -> bool {
    html.replace("<mark>", "").replace("</mark>", "").chars().all(|c| c != '<' && c != '>')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn analysis_is_safe_on_any_text(text in any_text()) {
        for word in analysis::words(&text) {
            prop_assert!(text.is_char_boundary(word.start) && text.is_char_boundary(word.end));
            prop_assert!(word.start <= word.end && word.end <= text.len());
            let analyzer = Analyzer::get();
            for lang in Lang::ALL {
                let _ = analyzer.stem(lang, &word.lower);
                let _ = analyzer.folded(lang, &word.lower);
                let _ = analyzer.tail_keys(lang, &word.lower);
            }
        }
        for (start, end) in analysis::word_spans(&text) {
            prop_assert!(text.get(start..end).is_some(), "span {start}..{end} is not on char boundaries");
        }
        let _ = analysis::fold(&text);
        for lang in Lang::ALL {
            let _ = tietopankki::analysis::tokenizer::tag_text(lang, &text);
        }
    }

    #[test]
    fn query_parsing_and_language_detection_are_safe(query in any_text()) {
        let _ = tietopankki::query::parse(&query);
        let _ = tietopankki::lang::detect(&query);
        let _ = tietopankki::lang::detect_query(&query);
    }

    #[test]
    fn snippets_are_safe_escaped_and_on_char_boundaries(
        text in prop_oneof![3 => long_tricky_text(300), 1 => any::<String>()],
        query in any_text(),
    ) {
        // Query words: the query's own and some from the end of the text,
        // so that matches happen often, and far into it (the snippet then
        // starts a few words before the match, across whatever spaces).
        let mut words: Vec<QueryWord> = analysis::words(&query).iter().map(|w| QueryWord::new(&w.lower)).collect();
        words.extend(analysis::words(&text).iter().rev().step_by(5).take(2).map(|w| QueryWord::new(&w.lower)));
        for lang in Lang::ALL {
            let snippet = make_snippet(&text, lang, &words);
            prop_assert!(only_marks(&snippet.html), "unescaped markup: {:?}", snippet.html);
            prop_assert_eq!(snippet.html.matches("<mark>").count(), snippet.html.matches("</mark>").count());
            if let Some(offset) = snippet.offset {
                prop_assert!(text.is_char_boundary(offset));
            }
        }
        let plain = tietopankki::snippet::plain_excerpt(&text);
        prop_assert!(only_marks(&plain.html));
    }

    #[test]
    fn extraction_of_text_and_markdown_is_safe(text in any_text(), bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let limits = ExtractLimits::default();
        for format in [Format::Markdown, Format::Text] {
            for input in [text.as_bytes(), bytes.as_slice()] {
                if let Ok(doc) = tietopankki::extract::extract_bytes(format, input, "x.md", &limits) {
                    let _ = doc.language();
                }
            }
        }
        let _ = tietopankki::extract::normalise_text(&text);
    }
}

/// A bank of documents made of the tricky pieces, built once.
fn tricky_bank() -> &'static KnowledgeBank {
    // Statics are never dropped: the folders live under target/ (made
    // anew each run) instead of piling up in the system's temp folder.
    static BANK: OnceLock<KnowledgeBank> = OnceLock::new();
    BANK.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("unicode-bank");
        let _ = std::fs::remove_dir_all(&root);
        let (docs, index) = (root.join("docs"), root.join("index"));
        std::fs::create_dir_all(&docs).unwrap();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for i in 0..40 {
            let body = tricky_text().new_tree(&mut runner).unwrap().current();
            let title = tricky_text().new_tree(&mut runner).unwrap().current();
            let text = format!("# {title}\n\nSähkökatkon\u{a0}aikana yhdistys. {body}\n\n{body} avustus\u{ad}haku");
            // A NUL byte makes a file binary (reported, not indexed).
            let text = text.replace('\u{0}', "");
            std::fs::write(docs.join(format!("doc-{i}.md")), text).unwrap();
        }
        let bank = KnowledgeBank::builder().documents_dir(&docs).index_dir(&index).open().unwrap();
        let report = bank.sync().unwrap();
        assert_eq!(report.added, 40, "{report:?}");
        bank
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_search_never_fails_on_any_query(query in any_text(), explain in any::<bool>()) {
        let bank = tricky_bank();
        let mut request = SearchRequest::new(query.clone()).with_facets();
        if explain {
            request = request.with_explain();
        }
        match bank.search(&request) {
            Ok(results) => {
                for hit in &results.hits {
                    prop_assert!(only_marks(&hit.snippet), "unescaped snippet: {:?}", hit.snippet);
                }
            }
            // Only what the user asked can be refused (a query too long).
            Err(Error::InvalidRequest(_)) => prop_assert!(query.chars().count() > 1000),
            Err(other) => prop_assert!(false, "the search failed on {query:?}: {other}"),
        }
    }
}
