//! Index words related to a query word's stems, found in the index's own
//! vocabulary: near forms (a letter or two longer or shorter) and compounds
//! that begin with the word (see [`related_keys`]).

use tantivy::schema::Field;

use super::stats::Statistics;
use crate::error::Result;
use crate::index::schema::Fields;

/// Shortest stem that takes part in near-form matching, in characters.
const NEAR_MIN_CHARS: usize = 5;
/// Shortest stem that can be the first part of a compound.
const HEAD_MIN_CHARS: usize = 4;
/// Shortest rest of a compound after its first part.
const HEAD_REST_MIN_CHARS: usize = 3;
/// How many dictionary terms of a prefix scan may give near forms.
const NEAR_SCAN_LIMIT: usize = 64;
/// How many dictionary terms one prefix scan reads at most, per segment.
const PREFIX_SCAN_LIMIT: usize = 2_000;

/// Body stems related to the query's stems, found in the index's own
/// vocabulary:
/// - near forms: stems one or two letters longer or shorter;
/// - compounds that begin with the word: a stem that starts with the query
///   stem and whose rest (after a Swedish linking -s-) is itself a stem of
///   the index, so "beredskap" finds "beredskapsplan" (plan is a word) and
///   "tila" finds "tilavuokra" but not "tilaisuus" (isuus is not).
///
/// `field` is the body's stems, or the folded keys for a word typed without
/// ä/ö/å that the bank has only with them.
pub(super) fn related_keys(
    stats: &Statistics,
    fields: &Fields,
    field: Field,
    keys: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let mut near: Vec<String> = Vec::new();
    let mut heads: Vec<String> = Vec::new();
    let known = |term: &str| -> Result<bool> {
        Ok(stats.key_freq(field, term)? > 0 || (field != fields.body && stats.key_freq(fields.body, term)? > 0))
    };
    for key in keys {
        let chars: Vec<char> = key.chars().collect();
        if chars.len() < HEAD_MIN_CHARS || !chars.iter().all(|c| c.is_alphabetic()) {
            continue;
        }
        for cut in 1..=2 {
            if chars.len() < NEAR_MIN_CHARS + cut {
                break;
            }
            let shorter: String = chars[..chars.len() - cut].iter().collect();
            if !keys.contains(&shorter) && !near.contains(&shorter) && known(&shorter)? {
                near.push(shorter);
            }
        }
        for segment in stats.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().range().ge(key.as_bytes()).into_stream()?;
            let mut scanned = 0;
            while stream.advance() && scanned < PREFIX_SCAN_LIMIT {
                scanned += 1;
                let bytes = stream.key();
                if !bytes.starts_with(key.as_bytes()) {
                    break;
                }
                let Ok(term) = std::str::from_utf8(bytes) else { continue };
                if keys.iter().any(|k| k == term) || near.iter().any(|o| o == term) || heads.iter().any(|o| o == term) {
                    continue;
                }
                let Some(rest) = term.get(key.len()..) else { continue };
                let extra = rest.chars().count();
                if (1..=2).contains(&extra) {
                    // Near forms only from the first terms of the scan (the
                    // closest in the dictionary's order).
                    if chars.len() >= NEAR_MIN_CHARS && scanned <= NEAR_SCAN_LIMIT {
                        near.push(term.to_string());
                    }
                    continue;
                }
                let rest = rest.strip_prefix('s').filter(|r| r.chars().count() >= HEAD_REST_MIN_CHARS).unwrap_or(rest);
                if rest.chars().count() >= HEAD_REST_MIN_CHARS && rest.chars().all(char::is_alphabetic) && known(rest)?
                {
                    heads.push(term.to_string());
                }
            }
        }
    }
    near.truncate(12);
    heads.truncate(24);
    Ok((near, heads))
}
