//! Suggestions: "Did you mean …?" for a query whose words were corrected.

use super::resolve::{EvidenceKind, ResolvedWord};

/// "Did you mean …?": `query` with every word that was read as a
/// correction (a word the bank has in no form, a typo) replaced by the
/// bank's word, the rest as typed; `None` when nothing was corrected.
pub(crate) fn suggestion(query: &str, words: &[ResolvedWord]) -> Option<String> {
    let correction_of = |token: &str| -> Option<&str> {
        let lower = crate::analysis::lower(token);
        let word = words.iter().find(|w| w.typed == lower)?;
        // Corrections are only looked for when the word is in the bank in no form.
        let correction = word.evidence.iter().find(|e| e.kind == EvidenceKind::Correction)?;
        Some(correction.word.as_str())
    };
    let mut changed = false;
    let corrected: Vec<String> = query
        .split_whitespace()
        .map(|token| {
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            match correction_of(word).filter(|_| !word.is_empty()) {
                Some(fix) => {
                    changed = true;
                    token.replacen(word, fix, 1)
                }
                None => token.to_string(),
            }
        })
        .collect();
    changed.then(|| corrected.join(" "))
}

/// Terms of one language read while completing a word, at most.
const COMPLETION_SCAN_LIMIT: usize = 2_000;

/// A completion of what is being typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Completion {
    /// The text to put in the search box.
    pub text: String,
    /// What it is: a word of the bank's vocabulary, or a document's title.
    pub kind: CompletionKind,
    /// How many documents hold it (a word), or 1 (a title).
    pub documents: u64,
}

/// The kind of a [`Completion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    /// A word of the bank's vocabulary that begins with the last word typed.
    Word,
    /// A document title with a word that begins so.
    Title,
}

/// Words of the bank that begin with `prefix` (lowercased, at least two
/// letters), the most common first: read from the exact-form field's term
/// dictionary, in every language.
pub(crate) fn complete_word(
    searcher: &tantivy::Searcher,
    fields: &crate::index::schema::Fields,
    prefix: &str,
    limit: usize,
) -> crate::Result<Vec<(String, u64)>> {
    let mut found: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for lang in crate::Lang::ALL {
        let key = crate::analysis::exact_key(lang, prefix);
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(fields.exact)?;
            let mut stream = inverted.terms().range().ge(key.as_bytes()).into_stream()?;
            let mut scanned = 0;
            while stream.advance() && scanned < COMPLETION_SCAN_LIMIT {
                scanned += 1;
                if !stream.key().starts_with(key.as_bytes()) {
                    break;
                }
                let Some(word) = std::str::from_utf8(stream.key()).ok().and_then(|k| k.split_once(':')) else {
                    continue;
                };
                if crate::analysis::stopwords::is_stop_word(lang, word.1) {
                    continue;
                }
                *found.entry(word.1.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.len().cmp(&b.0.len())).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(limit);
    Ok(ranked)
}
