//! Words typed otherwise than the bank writes them: one-edit corrections of
//! a typo, and a compound typed whole that the bank has as two words.

use std::collections::HashMap;

use tantivy::Term;

use super::restore::restorations;
use super::stats::Statistics;
use crate::analysis::{exact_key, fold, stopwords, Analyzer};
use crate::error::Result;
use crate::index::schema::Fields;
use crate::lang::Lang;

/// Shortest part of a split compound, in characters.
const SPLIT_MIN_CHARS: usize = 4;

/// The keys sorted, each once.
pub(super) fn dedup(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut keys: Vec<String> = keys.collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Words of the index one edit (insertion, deletion, substitution or swap of
/// two letters) away from `word` as typed, or from its accent-free form,
/// most frequent first (at most three).
pub(super) fn corrections(stats: &Statistics, fields: &Fields, langs: &[Lang], word: &str) -> Result<Vec<String>> {
    let mut found: HashMap<String, u64> = HashMap::new();
    let mut forms = vec![word.to_string()];
    if fold(word) != word {
        forms.push(fold(word));
    }
    for &lang in langs {
        for form in &forms {
            let automaton = tantivy::query::FuzzyTermQuery::new(
                Term::from_field_text(fields.exact, &exact_key(lang, form)),
                1,
                true,
            )
            .automaton()?;
            for segment in stats.segment_readers() {
                let inverted = segment.inverted_index(fields.exact)?;
                let mut stream = inverted.terms().search(&automaton).into_stream()?;
                while stream.advance() {
                    let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                    let Some((_, candidate)) = key.split_once(':') else { continue };
                    // A stop word is no correction of a content word.
                    if stopwords::is_stop_word(lang, candidate) {
                        continue;
                    }
                    *found.entry(candidate.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    let mut ranked: Vec<(String, u64)> = found.into_iter().filter(|(c, _)| c != word).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranked.into_iter().take(3).map(|(c, _)| c).collect())
}

/// The best split of a compound typed whole into two words the bank has
/// ("hyvinvointikeinot" → "hyvinvointi" + "keinot"): both parts known as
/// stems, the split that leaves the rarer part most common first.
pub(super) fn split_compound(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
) -> Result<Option<(String, String)>> {
    let analyzer = Analyzer::get();
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    if chars.len() < 2 * SPLIT_MIN_CHARS || !chars.iter().all(|&(_, c)| c.is_alphabetic()) {
        return Ok(None);
    }
    let stem_docs = |part: &str| -> Result<u64> {
        let keys = dedup(langs.iter().map(|&l| analyzer.stem(l, part)));
        let mut best = 0;
        for key in &keys {
            best = best.max(stats.key_freq(fields.body, key)?.max(stats.key_freq(fields.title, key)?));
        }
        Ok(best)
    };
    // A part typed without ä/ö/å is the form the bank has with them
    // ("ansokningar" → "ansökningar"), so the split ranks as typed with them.
    let docs_of = |part: &str| -> Result<(u64, String)> {
        let docs = stem_docs(part)?;
        if docs > 0 || part.contains(['ä', 'ö', 'å']) {
            return Ok((docs, part.to_string()));
        }
        match restorations(stats, fields, langs, part)?.into_iter().next() {
            Some((_, form, _)) => Ok((stem_docs(&form)?, form)),
            None => Ok((0, part.to_string())),
        }
    };
    let mut best: Option<(u64, String, String)> = None;
    for &(cut, _) in &chars[SPLIT_MIN_CHARS..=chars.len() - SPLIT_MIN_CHARS] {
        let (head, rest) = word.split_at(cut);
        let (rest_docs, rest) = docs_of(rest)?;
        if rest_docs == 0 {
            continue;
        }
        let (mut head_docs, mut head) = docs_of(head)?;
        // A Swedish linking -s- may end the first part.
        if head_docs == 0 && head.ends_with('s') && head.chars().count() > SPLIT_MIN_CHARS {
            (head_docs, head) = docs_of(&head[..head.len() - 1])?;
        }
        if head_docs == 0 {
            continue;
        }
        let strength = head_docs.min(rest_docs);
        if best.as_ref().is_none_or(|b| strength > b.0) {
            best = Some((strength, head, rest));
        }
    }
    Ok(best.map(|(_, head, rest)| (head, rest)))
}
