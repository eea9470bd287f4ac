//! "Did you mean …?" (issue #17): a query whose words were corrected
//! suggests the corrected query, and only then.

use tietopankki::SearchRequest;

use crate::common::TempBank;

fn bank() -> (TempBank, tietopankki::KnowledgeBank) {
    let tb = TempBank::new();
    tb.write("fi/varautuminen.md", "# Varautuminen\n\nVarautuminen sähkökatkoon kuuluu jokaiseen yhdistykseen.\n");
    tb.write("sv/beredskap.md", "# Beredskap\n\nFöreningens beredskap inför ett strömavbrott.\n");
    let bank = tb.open();
    bank.sync().unwrap();
    (tb, bank)
}

#[test]
fn a_corrected_word_gives_the_corrected_query() {
    let (_tb, bank) = bank();
    let results = bank.search(&SearchRequest::new("varautminen yhdistykseen")).unwrap();
    assert_eq!(results.suggestion.as_deref(), Some("varautuminen yhdistykseen"));
    // What is typed as the bank writes it, or only without its ä/ö/å, is no typo.
    for right in ["varautuminen", "sahkokatkoon", "Beredskap", "strömavbrott"] {
        let results = bank.search(&SearchRequest::new(right)).unwrap();
        assert_eq!(results.suggestion, None, "{right}");
    }
    // A word the bank has in no form and nothing near: nothing to suggest.
    assert_eq!(bank.search(&SearchRequest::new("zxqvwy")).unwrap().suggestion, None);
}

#[test]
fn the_suggestion_keeps_the_rest_of_the_query_as_typed() {
    let (_tb, bank) = bank();
    let results = bank.search(&SearchRequest::new("\"sähkökatkoon\" Varautminen -kissa")).unwrap();
    assert_eq!(results.suggestion.as_deref(), Some("\"sähkökatkoon\" varautuminen -kissa"));
}
