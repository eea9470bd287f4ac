//! "More like this": the words that set a document apart (frequent in it,
//! rare in the bank), which a search for related documents asks for.

use std::collections::HashMap;

use tantivy::{Searcher, Term};

use crate::analysis::{lower, stopwords, Analyzer};
use crate::index::schema::Fields;
use crate::Lang;

/// Words of a document's text read for its distinctive words, at most.
const WORDS_READ: usize = 20_000;

/// The `n` most distinctive words of `text` (in `lang`), as written in it:
/// by tf-idf of their stems, with the text's most frequent form of each.
pub(crate) fn distinctive_words(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
    lang: Lang,
    n: usize,
) -> tantivy::Result<Vec<String>> {
    let analyzer = Analyzer::get();
    // Per stem: its count, and the count of each form.
    let mut stems: HashMap<String, (u32, HashMap<String, u32>)> = HashMap::new();
    let words = text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 4).take(WORDS_READ);
    for word in words {
        let form = lower(word);
        if form.chars().all(|c| c.is_ascii_digit()) || stopwords::is_stop_word(lang, &form) {
            continue;
        }
        let entry = stems.entry(analyzer.stem(lang, &form)).or_default();
        entry.0 += 1;
        *entry.1.entry(form).or_default() += 1;
    }
    let documents = searcher.num_docs().max(1) as f64;
    let mut scored: Vec<(f64, String)> = Vec::with_capacity(stems.len());
    for (stem, (count, forms)) in stems {
        let df = searcher.doc_freq(&Term::from_field_text(fields.body, &stem))?.max(1) as f64;
        // A word in almost every document says nothing of the subject.
        if df / documents > 0.5 {
            continue;
        }
        let weight = (1.0 + f64::from(count).ln()) * (documents / df).ln();
        let form = forms.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|(f, _)| f);
        if let Some(form) = form {
            scored.push((weight, form));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(scored.into_iter().take(n).map(|(_, form)| form).collect())
}
