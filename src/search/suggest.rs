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
