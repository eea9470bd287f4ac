//! Dates in a search: a document's date as the index keeps it (the
//! `recency` fast field: its metadata date, else its file time), the
//! newest-first order, the year facet, and equal scores by date.

use tantivy::{DocAddress, Searcher};

use super::facets::FacetCount;
use super::score;

/// A document's date (or, without one, its file time), seconds since 1970.
pub(super) fn recency(searcher: &Searcher, address: DocAddress) -> i64 {
    let segment = searcher.segment_reader(address.segment_ord);
    segment.fast_fields().i64("recency").ok().and_then(|c| c.first(address.doc_id)).unwrap_or(0)
}

/// The newest first; equal dates by score.
pub(super) fn newest_first(searcher: &Searcher, candidates: Vec<score::Candidate>) -> Vec<score::Candidate> {
    let mut keyed: Vec<(i64, score::Candidate)> =
        candidates.into_iter().map(|c| (recency(searcher, c.address), c)).collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.score.total_cmp(&a.1.score)));
    keyed.into_iter().map(|(_, c)| c).collect()
}

/// How many matching documents are dated in each year, newest year first.
pub(super) fn year_counts(searcher: &Searcher, matching: &[Vec<tantivy::DocId>]) -> Vec<FacetCount> {
    let mut years: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    for (ord, docs) in matching.iter().enumerate() {
        for &doc_id in docs {
            let secs = recency(searcher, DocAddress::new(ord as u32, doc_id));
            let year = crate::dates::civil_from_days(secs.div_euclid(86_400)).0;
            *years.entry(year).or_default() += 1;
        }
    }
    years.into_iter().rev().map(|(year, count)| FacetCount { value: year.to_string(), count }).collect()
}

/// Orders equal scores by the document's date, newest first.
pub(super) fn tie_break_by_recency(searcher: &Searcher, candidates: Vec<score::Candidate>) -> Vec<score::Candidate> {
    let mut keyed: Vec<(i64, score::Candidate)> =
        candidates.into_iter().map(|c| (recency(searcher, c.address), c)).collect();
    keyed.sort_by(|a, b| {
        let (sa, sb) = ((a.1.score * 1e4).round(), (b.1.score * 1e4).round());
        sb.total_cmp(&sa).then(b.0.cmp(&a.0))
    });
    keyed.into_iter().map(|(_, c)| c).collect()
}
