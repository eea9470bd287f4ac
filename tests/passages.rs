//! Several passages per hit (issue #17): how many, in which order, which
//! page, and the same in the JSON and on the page.

use tietopankki::{Format, SearchRequest};

use crate::common::TempBank;

/// Filler of `n` words that match no query word (each one different, so
/// that no two passages read alike).
fn filler(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("{}{i}", ["talo", "katu", "puisto", "silta", "tori"][i % 5]))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn up_to_three_passages_the_best_first_none_overlapping() {
    let tb = TempBank::new();
    // "avustus" alone twice, then with "raportti" beside it (the best
    // passage), then alone again, each far from the others.
    let text = format!(
        "# Ohje\n\n{} avustus {} avustus {} avustuksen raportti ja avustus {} avustusta {}\n",
        filler(0, 60),
        filler(100, 60),
        filler(200, 60),
        filler(300, 60),
        filler(400, 60)
    );
    tb.write("fi/ohje.md", &text);
    let bank = tb.open();
    bank.sync().unwrap();
    let results = bank.search(&SearchRequest::new("avustus raportti")).unwrap();
    let hit = &results.hits[0];
    assert_eq!(hit.passages.len(), 3, "{:#?}", hit.passages);
    // The best passage holds both words, and it is the snippet too.
    assert!(hit.passages[0].text.contains("<mark>raportti</mark>"), "{}", hit.passages[0].text);
    assert_eq!(hit.snippet, hit.passages[0].text);
    // Every passage marks a match, and no two show the same stretch of text.
    for passage in &hit.passages {
        assert!(passage.text.contains("<mark>"), "{}", passage.text);
        assert_eq!(passage.page, None, "a Markdown file has no pages");
    }
    for (i, a) in hit.passages.iter().enumerate() {
        for b in &hit.passages[i + 1..] {
            assert_ne!(a.text, b.text);
        }
    }
}

#[test]
fn a_short_document_has_one_passage_and_no_match_still_gives_one() {
    let tb = TempBank::new();
    tb.write("fi/lyhyt.md", "# Kokous\n\nVuosikokous pidetään keväällä.\n");
    let bank = tb.open();
    bank.sync().unwrap();
    let hit = &bank.search(&SearchRequest::new("vuosikokous")).unwrap().hits[0];
    assert_eq!(hit.passages.len(), 1);
    // A filter alone matches no word: the start of the text is the passage.
    let filtered = bank.search(&SearchRequest::new("").lang(tietopankki::Lang::Fi)).unwrap();
    assert_eq!(filtered.hits[0].passages.len(), 1);
    assert!(!filtered.hits[0].passages[0].text.contains("<mark>"));
}

#[test]
fn each_passage_of_a_pdf_carries_its_own_page() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("documents");
    let tb = TempBank::new();
    crate::common::copy_tree(&docs, tb.docs.path());
    let bank = tb.open();
    bank.sync().unwrap();
    let pdf = bank
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.format == Format::Pdf && d.lang == tietopankki::Lang::Fi)
        .expect("the shipped Finnish PDF");
    let record = bank.document(&pdf.path).unwrap();
    let text = record.text.unwrap();
    let starts: Vec<usize> = record.page_starts.iter().map(|&s| s as usize).collect();
    let page_of = |offset: usize| starts.partition_point(|&s| s <= offset) as u32;
    // A word of the text that stands on at least two pages.
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 8).collect();
    let (word, pages) = words
        .iter()
        .map(|&w| {
            let mut pages: Vec<u32> = text.match_indices(w).map(|(i, _)| page_of(i)).collect();
            pages.dedup();
            (w, pages)
        })
        .find(|(_, pages)| pages.len() >= 2)
        .expect("a word on two pages");
    let results = bank.search(&SearchRequest::new(format!("\"{word}\"")).lang(tietopankki::Lang::Fi)).unwrap();
    let hit = results.hits.iter().find(|h| h.path == pdf.path).expect("the PDF is found");
    let hit_pages: Vec<u32> = hit.passages.iter().map(|p| p.page.expect("a PDF passage has a page")).collect();
    assert!(hit.passages.len() >= 2, "'{word}' is on pages {pages:?}: {:#?}", hit.passages);
    for page in &hit_pages {
        assert!(pages.contains(page), "'{word}' is on pages {pages:?}, a passage says {page}");
    }
    assert_eq!(hit.page, Some(hit_pages[0]), "the hit's page is its best passage's");
}
