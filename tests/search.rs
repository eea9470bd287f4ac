//! Stage 5: what people type finds what they need.

use tietopankki::{Format, KnowledgeBank, Lang, SearchRequest};

use crate::common::{hit_paths, TempBank};

fn sample_bank() -> (TempBank, KnowledgeBank) {
    let tb = TempBank::new();
    tb.write(
        "fi/sahkokatko.md",
        "---\ntitle: Pitkä sähkökatko\ntags: [varautuminen]\ndate: 2025-01-10\n---\n# Sähkökatkon aikana\n\nPitkän sähkökatkon aikana yhdistyksen kerhotila voi toimia lämpimänä kohtaamispaikkana. Valmiussuunnitelmassa sovitaan vastuuhenkilöt.",
    );
    tb.write(
        "fi/saa.md",
        "# Sää ja ulkoilu\n\nSää vaihtelee paljon, joten retkellä tarvitaan hyvät vaatteet. Yleinen vaaramerkki kuuluu kerran kuukaudessa.",
    );
    tb.write(
        "fi/saada.md",
        "# Avustusta saa hakea\n\nYhdistys saa hakea avustusta kaksi kertaa vuodessa. Tilaisuuksia järjestetään usein.",
    );
    tb.write(
        "sv/beredskap.md",
        "---\ntitle: Beredskapsplanen\ntags: [beredskap, kris]\n---\nFöreningens beredskapsplan beskriver vem som gör vad vid ett strömavbrott. Problemet är ofta att ingen vet var nycklarna finns.",
    );
    tb.write(
        "en/grants.md",
        "---\ntitle: City grants\ntags: [grants]\ndate: 2024-02-01\n---\nAssociations can apply for city grants twice a year. The application needs a budget and an action plan.",
    );
    tb.write(
        "en/volunteers.md",
        "# Volunteering\n\nThank the volunteers who helped at the summer event. Volunteering grows when people feel welcome.",
    );
    let bank = tb.open();
    bank.sync().unwrap();
    (tb, bank)
}

#[test]
fn inflected_forms_find_documents_in_their_language() {
    let (_tb, bank) = sample_bank();
    assert_eq!(hit_paths(&bank, "sähkökatkoksen")[0], "fi/sahkokatko.md");
    assert_eq!(hit_paths(&bank, "beredskapsplaner")[0], "sv/beredskap.md");
    assert_eq!(hit_paths(&bank, "problem")[0], "sv/beredskap.md");
    assert_eq!(hit_paths(&bank, "applying grant")[0], "en/grants.md");
    assert_eq!(hit_paths(&bank, "volunteered")[0], "en/volunteers.md");
}

#[test]
fn compound_parts_find_compounds_without_flooding() {
    let (_tb, bank) = sample_bank();
    // "suunnitelma" is the last part of "valmiussuunnitelmassa".
    assert_eq!(hit_paths(&bank, "suunnitelma")[0], "fi/sahkokatko.md");
    // "tila" finds "kerhotila" but not "tilaisuuksia".
    let tila = hit_paths(&bank, "tila");
    assert_eq!(tila, vec!["fi/sahkokatko.md"]);
    // A compound typed as two words.
    assert_eq!(hit_paths(&bank, "beredskaps plan")[0], "sv/beredskap.md");
}

#[test]
fn first_part_of_a_compound_finds_it_through_the_index_vocabulary() {
    let tb = TempBank::new();
    tb.write("sv/a.md", "# Uppdatering\n\nVi uppdaterar beredskapsplanen varje år tillsammans med styrelsen.");
    tb.write("sv/b.md", "# Plan\n\nEn plan för sommaren och en lista över uppgifter.");
    tb.write("fi/c.md", "# Tilaisuus\n\nTilaisuuksia järjestetään syksyllä.");
    let bank = tb.open();
    bank.sync().unwrap();
    assert_eq!(hit_paths(&bank, "beredskap"), vec!["sv/a.md"]);
    assert!(hit_paths(&bank, "tila").is_empty(), "tila is not the first part of tilaisuus");
}

#[test]
fn folded_letters_find_but_exact_letters_rank_first() {
    let (_tb, bank) = sample_bank();
    assert_eq!(hit_paths(&bank, "sahkokatko")[0], "fi/sahkokatko.md");
    assert_eq!(hit_paths(&bank, "stromavbrott")[0], "sv/beredskap.md");
    // "sää" (weather) and "saa" (may) stay different words.
    let saa = hit_paths(&bank, "saa");
    assert_eq!(saa[0], "fi/saada.md");
    let saa_umlaut = hit_paths(&bank, "sää");
    assert_eq!(saa_umlaut[0], "fi/saa.md");
}

#[test]
fn a_typo_still_finds_the_document() {
    let (_tb, bank) = sample_bank();
    assert_eq!(hit_paths(&bank, "volunteres")[0], "en/volunteers.md");
    assert_eq!(hit_paths(&bank, "beredskapsplam")[0], "sv/beredskap.md");
    // Exact matches outrank fuzzy ones.
    assert_eq!(hit_paths(&bank, "grants")[0], "en/grants.md");
}

#[test]
fn phrases_exclusions_and_filters() {
    let (_tb, bank) = sample_bank();
    assert_eq!(hit_paths(&bank, "\"yleinen vaaramerkki\""), vec!["fi/saa.md"]);
    assert!(hit_paths(&bank, "\"vaaramerkki yleinen\"").is_empty(), "word order matters in a phrase");
    let without = hit_paths(&bank, "avustusta -tilaisuuksia");
    assert!(!without.contains(&"fi/saada.md".to_string()));
    assert_eq!(hit_paths(&bank, "grants lang:fi"), Vec::<String>::new());
    assert_eq!(hit_paths(&bank, "beredskap tag:kris"), vec!["sv/beredskap.md"]);
    assert_eq!(hit_paths(&bank, "format:markdown lang:en").len(), 2);
    let only_sv = bank.search(&SearchRequest::new("plan").lang(Lang::Sv)).unwrap();
    assert!(!only_sv.hits.is_empty() && only_sv.hits.iter().all(|h| h.lang == Lang::Sv), "{:?}", only_sv.hits);
    let everywhere = bank.search(&SearchRequest::new("plan")).unwrap();
    assert!(everywhere.total > only_sv.total, "the filter removed nothing");
    let only_folder = bank.search(&SearchRequest::new("grants").folder("fi")).unwrap();
    assert_eq!(only_folder.total, 0);
    let only_pdf = bank.search(&SearchRequest::new("grants").format(Format::Pdf)).unwrap();
    assert_eq!(only_pdf.total, 0);
}

#[test]
fn stray_syntax_never_errors() {
    let (_tb, bank) = sample_bank();
    for q in ["\"sähkökatko", "lang:", ":", "AND OR", "-", "\"\"", "((", "tag:\"", "*", "kotivara~2", "a:b:c", "🙂"]
    {
        // An answer, never an error; what stray syntax finds is what its words find.
        let results = bank.search(&SearchRequest::new(q)).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(results.hits.len(), results.total.min(10), "{q}");
    }
    assert_eq!(hit_paths(&bank, "\"sähkökatko")[0], "fi/sahkokatko.md");
}

#[test]
fn bad_paging_is_an_invalid_request() {
    let (_tb, bank) = sample_bank();
    assert!(bank.search(&SearchRequest::new("x").limit(0)).is_err());
    assert!(bank.search(&SearchRequest::new("x").limit(1000)).is_err());
    assert!(bank.search(&SearchRequest::new("x".repeat(5000))).is_err());
}

#[test]
fn snippets_mark_stem_compound_and_folded_matches() {
    let (_tb, bank) = sample_bank();
    let hit = &bank.search(&SearchRequest::new("sahkokatko suunnitelma")).unwrap().hits[0];
    assert!(hit.snippet.contains("<mark>sähkökatkon</mark>"), "{}", hit.snippet);
    assert!(hit.snippet.contains("<mark>Valmiussuunnitelmassa</mark>"), "{}", hit.snippet);
    assert_eq!(hit.page, None, "Markdown has no pages");
}

#[test]
fn facets_count_the_current_query() {
    let (_tb, bank) = sample_bank();
    let results = bank.search(&SearchRequest::new("plan").with_facets()).unwrap();
    let facets = results.facets.unwrap();
    let langs: Vec<(String, u64)> = facets.lang.iter().map(|f| (f.value.clone(), f.count)).collect();
    assert_eq!(langs.iter().map(|l| l.1).sum::<u64>(), results.total as u64);
    assert!(langs.contains(&("sv".to_string(), 1)), "{langs:?}");
    assert!(facets.folder.iter().any(|f| f.value == "sv"));
    assert!(facets.tag.iter().any(|f| f.value == "beredskap"));
    assert!(!facets.format.is_empty() && facets.format.iter().all(|f| f.value == "markdown"), "{:?}", facets.format);
}

#[test]
fn stop_words_are_skipped_inside_phrases_and_found_alone() {
    let (_tb, bank) = sample_bank();
    // "vem" and "som" are Swedish stop words: the index keeps their places.
    assert_eq!(hit_paths(&bank, "\"beskriver vem som gör\""), vec!["sv/beredskap.md"]);
    assert!(hit_paths(&bank, "\"beskriver gör\"").is_empty());
    // A query of nothing but stop words still finds their exact forms.
    assert_eq!(hit_paths(&bank, "vem som")[0], "sv/beredskap.md");
    assert_eq!(hit_paths(&bank, "\"vem som\"")[0], "sv/beredskap.md");
}

#[test]
fn facet_counts_follow_the_bank_as_it_changes() {
    let (tb, bank) = sample_bank();
    let tags = |bank: &KnowledgeBank| -> Vec<(String, u64)> {
        let results = bank.search(&SearchRequest::new("grants").with_facets()).unwrap();
        results.facets.unwrap().tag.into_iter().map(|f| (f.value, f.count)).collect()
    };
    assert_eq!(tags(&bank), vec![("grants".to_string(), 1)]);
    // A new document in a new segment, with a tag no segment had.
    tb.write("en/reporting.md", "---\ntags: [grants, reporting]\n---\nReport on city grants when the year ends.");
    bank.sync().unwrap();
    assert_eq!(tags(&bank), vec![("grants".to_string(), 2), ("reporting".to_string(), 1)]);
    // Its tag goes when it does.
    std::fs::remove_file(tb.docs.path().join("en/reporting.md")).unwrap();
    bank.sync().unwrap();
    assert_eq!(tags(&bank), vec![("grants".to_string(), 1)]);
}

#[test]
fn document_text_is_escaped_in_snippets() {
    let tb = TempBank::new();
    tb.write("x.txt", "Warning <script>alert('x')</script> about evacuation drills & exits.");
    let bank = tb.open();
    bank.sync().unwrap();
    let hit = &bank.search(&SearchRequest::new("evacuation")).unwrap().hits[0];
    assert!(!hit.snippet.contains("<script>"));
    assert!(hit.snippet.contains("&lt;script&gt;"));
    assert!(hit.snippet.contains("&amp;"));
}

#[test]
fn pdf_hits_carry_the_page_of_the_passage() {
    // The shipped Finnish PDF has three pages; find a word that is only on a later page.
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("documents");
    let tb = TempBank::new();
    crate::common::copy_tree(&docs, tb.docs.path());
    let bank = tb.open();
    bank.sync().unwrap();
    let pdf =
        bank.documents().unwrap().into_iter().find(|d| d.format == Format::Pdf && d.pages.unwrap_or(0) >= 2).unwrap();
    let record = bank.document(&pdf.path).unwrap();
    let text = record.text.unwrap();
    // Pick a long word that occurs once in the text, in its second half.
    let words: Vec<&str> = text.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 9).collect();
    let late = words
        .iter()
        .rev()
        .find(|w| text.matches(*w).count() == 1 && text.find(*w).unwrap() > text.len() / 2)
        .expect("a unique late word");
    let results = bank.search(&SearchRequest::new(format!("\"{late}\"")).limit(5)).unwrap();
    let hit = results.hits.iter().find(|h| h.path == pdf.path).expect("the PDF is found");
    assert!(hit.page.unwrap() >= 2, "'{late}' is on a later page, got {:?}", hit.page);
    assert!(hit.snippet.contains("<mark>"), "{}", hit.snippet);
}

#[test]
fn a_documents_own_description_is_searchable() {
    let tb = crate::common::TempBank::new();
    tb.write("a.md", "---\ntitle: Kevätkokous\ndescription: Pöytäkirjamalli ja esityslista\n---\n# Kevätkokous\n\nKokous pidetään huhtikuussa.");
    tb.write("b.md", "# Syyskokous\n\nKokous pidetään marraskuussa.");
    let bank = tb.open();
    bank.sync().unwrap();
    assert_eq!(crate::common::hit_paths(&bank, "esityslista"), ["a.md"]);
}
