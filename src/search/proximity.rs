//! The proximity bonus: documents where neighbouring query words stand close
//! together rank higher.

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Term};

use super::ranking::{weight, Candidate};
use super::resolve::{Evidence, EvidenceKind, ResolvedWord, Source};
use super::stats::Statistics;
use crate::error::Result;
use crate::index::schema::Fields;

/// The stem keys whose positions show where an evidence's word stands.
fn position_keys(evidence: &Evidence) -> Vec<&str> {
    match &evidence.source {
        Source::Stems(keys) => keys.iter().map(String::as_str).collect(),
        Source::Folded { body, .. } => body.iter().map(String::as_str).collect(),
        Source::Parts(first, second) => first.iter().chain(second).map(String::as_str).collect(),
        Source::Tails(_) | Source::Exact(_) => Vec::new(),
    }
}

/// Adds to each candidate the proximity bonus: for each pair of
/// neighbouring query words both in the document, the rarer word's IDF
/// times [`weight::PROXIMITY`], less the further apart they stand in the
/// body or the title.
pub(super) fn add_proximity(
    stats: &Statistics,
    fields: &Fields,
    words: &[ResolvedWord],
    idf: &[f32],
    candidates: &mut [Candidate],
) -> Result<()> {
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
    let mut buffer = Vec::new();
    for candidate in candidates.iter_mut() {
        let segment = stats.segment_reader(candidate.address.segment_ord);
        let doc = candidate.address.doc_id;
        let mut best_pairs = vec![0.0f32; words.len().saturating_sub(1)];
        for field in [fields.title, fields.body] {
            let inverted = segment.inverted_index(field)?;
            for (w, word) in words.iter().enumerate() {
                positions[w].clear();
                let Some(found) = candidate.matches[w] else { continue };
                let Some(evidence) = word.evidence.get(found.evidence) else { continue };
                if evidence.kind == EvidenceKind::Joined {
                    continue;
                }
                for key in position_keys(evidence) {
                    let term = Term::from_field_text(field, key);
                    let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)?
                    else {
                        continue;
                    };
                    if postings.seek(doc) == doc {
                        buffer.clear();
                        postings.positions(&mut buffer);
                        positions[w].extend_from_slice(&buffer);
                    }
                }
                positions[w].sort_unstable();
            }
            for (pair, best) in best_pairs.iter_mut().enumerate() {
                if let Some(distance) = min_distance(&positions[pair], &positions[pair + 1]) {
                    let closeness = 1.0 / (1.0 + (distance.max(1) - 1) as f32 / 4.0);
                    *best = best.max(closeness * weight::PROXIMITY * idf[pair].min(idf[pair + 1]));
                }
            }
        }
        let bonus: f32 = best_pairs.iter().sum();
        candidate.proximity = bonus;
        candidate.score += bonus;
    }
    Ok(())
}

/// The smallest distance between a position of `a` and one of `b` (both sorted).
fn min_distance(a: &[u32], b: &[u32]) -> Option<u32> {
    let (mut i, mut j, mut best) = (0, 0, None::<u32>);
    while i < a.len() && j < b.len() {
        let d = a[i].abs_diff(b[j]);
        best = Some(best.map_or(d, |b| b.min(d)));
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_between_sorted_positions() {
        assert_eq!(min_distance(&[1, 10, 30], &[12, 40]), Some(2));
        assert_eq!(min_distance(&[5], &[]), None);
        assert_eq!(min_distance(&[7], &[7]), Some(0));
    }
}
