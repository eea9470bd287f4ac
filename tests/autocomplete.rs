//! Autocomplete from the bank's own vocabulary (issue #17): words that
//! begin with the last word typed, the most common first, then titles.

use tietopankki::CompletionKind;

use crate::common::TempBank;

#[test]
fn words_of_the_bank_complete_the_last_word_and_titles_follow() {
    let tb = TempBank::new();
    tb.write(
        "fi/a.md",
        "---\ntitle: Avustuksen raportointi\n---\nAvustus haetaan keväällä. Avustus maksetaan syksyllä.\n",
    );
    tb.write("fi/b.md", "# Avustushaku\n\nAvustus ja avustuksen ehdot.\n");
    tb.write("fi/c.md", "# Kokous\n\nAvustajat auttavat kokouksessa.\n");
    let bank = tb.open();
    bank.sync().unwrap();
    let completions = bank.suggest("avus", 8).unwrap();
    let words: Vec<&str> =
        completions.iter().filter(|c| c.kind == CompletionKind::Word).map(|c| c.text.as_str()).collect();
    assert_eq!(words.first(), Some(&"avustus"), "the most common word first: {completions:?}");
    assert!(words.contains(&"avustuksen") && words.contains(&"avustajat"), "{words:?}");
    assert!(words.iter().all(|w| w.starts_with("avus")), "{words:?}");
    let titles: Vec<&str> =
        completions.iter().filter(|c| c.kind == CompletionKind::Title).map(|c| c.text.as_str()).collect();
    assert!(titles.contains(&"Avustuksen raportointi") && titles.contains(&"Avustushaku"), "{titles:?}");
    assert!(!titles.contains(&"Kokous"));
    // The words before the last are kept; a title needs every word typed.
    let more = bank.suggest("kevään avustuks", 8).unwrap();
    assert!(more.iter().any(|c| c.text == "kevään avustuksen"), "{more:?}");
    assert!(more.iter().all(|c| c.kind == CompletionKind::Word), "no title has both words: {more:?}");
    // Titles match typed without ä/ö/å too; one letter completes nothing.
    assert!(bank.suggest("raportoin", 8).unwrap().iter().any(|c| c.text == "Avustuksen raportointi"));
    assert!(bank.suggest("a", 8).unwrap().is_empty());
    assert!(bank.suggest("", 8).unwrap().is_empty());
    assert!(bank.suggest("avus", 2).unwrap().len() <= 2);
}
