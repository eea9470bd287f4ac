//! Small stop-word lists. A query drops these unless it is nothing but them,
//! so "miten haen avustusta" searches for "haen avustusta"; the stem fields
//! of the index leave out a document's stop words (about a third of the
//! words of Swedish and English text) but keep the positions of the words
//! around them, so a phrase still matches with its stop words skipped, and
//! the exact field keeps them for queries made only of them.

use crate::lang::Lang;

const FI: &[&str] = &[
    "ja", "on", "ei", "se", "että", "ovat", "oli", "olla", "ole", "kun", "jos", "niin", "kuin", "mutta", "tai", "sekä",
    "myös", "miten", "mitä", "mikä", "mihin", "missä", "mistä", "milloin", "miksi", "kuka", "ketkä", "keitä",
    "kenelle", "voi", "voiko", "voin", "voimme", "pitää", "täytyy", "tulee", "onko", "ovatko", "minä", "sinä", "hän",
    "me", "te", "he", "meidän", "teidän", "heidän", "tämä", "tuo", "nämä", "ne", "sen", "siitä", "sitä", "siihen",
    "joka", "jotka", "jonka", "mukaan", "kanssa", "vai", "nyt", "vain", "jo", "eli", "ja/tai", "näin", "mm", "esim",
    "kaikki", "jokin",
];
const SV: &[&str] = &[
    "och", "i", "att", "det", "som", "en", "ett", "på", "är", "av", "för", "med", "till", "den", "har", "de", "inte",
    "om", "så", "men", "från", "eller", "hur", "vad", "vem", "vilka", "vilken", "när", "var", "varför", "kan", "ska",
    "skall", "måste", "bör", "jag", "du", "han", "hon", "vi", "ni", "dem", "oss", "vår", "våra", "vårt", "er", "sin",
    "sina", "sitt", "detta", "dessa", "där", "här", "också", "bara", "nu", "vid", "under", "efter", "mot", "hos", "få",
];
const EN: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "from", "as", "is", "are", "was",
    "were", "be", "been", "do", "does", "did", "how", "what", "which", "who", "whom", "when", "where", "why", "can",
    "could", "should", "would", "must", "may", "we", "our", "us", "you", "your", "i", "my", "me", "they", "their",
    "them", "it", "its", "this", "that", "these", "those", "there", "if", "about", "into", "not", "no", "so", "too",
];

/// Whether a lowercased word is a stop word in `lang`.
pub fn is_stop_word(lang: Lang, word: &str) -> bool {
    let list = match lang {
        Lang::Fi => FI,
        Lang::Sv => SV,
        Lang::En => EN,
    };
    list.contains(&word)
}

/// Whether a lowercased word typed without ä/ö/å is a stop word written
/// with them ("mita" for "mitä", "pa" for "på"), so that a query typed on a
/// keyboard without them drops the same words.
pub fn is_folded_stop_word(word: &str) -> bool {
    !word.contains(['ä', 'ö', 'å'])
        && [FI, SV]
            .iter()
            .flat_map(|list| list.iter())
            .any(|stop| stop.contains(['ä', 'ö', 'å']) && super::fold::fold(stop) == word)
}

/// Whether a lowercased word is a stop word in any of the three languages.
pub fn is_stop_word_anywhere(word: &str) -> bool {
    Lang::ALL.iter().any(|&lang| is_stop_word(lang, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_typed_without_umlauts() {
        for word in ["mita", "pitaa", "taytyy", "myos", "pa", "nar", "maste"] {
            assert!(is_folded_stop_word(word), "{word}");
        }
        // Words that are stop words as they are, or no stop word at all.
        for word in ["mitä", "ja", "kotivara", "och", "sahko"] {
            assert!(!is_folded_stop_word(word), "{word}");
        }
    }
}
