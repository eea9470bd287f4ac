//! Facet counts (language, format, tag, folder) of the documents a query
//! matches, for the search stage.
//!
//! Each document has one facet key in a fast field (see
//! `schema::facet_key`); a search counts the keys' ordinals of the
//! matching documents segment by segment. Turning an ordinal back into its
//! values reads the segment's key dictionary, which cost as much as the
//! whole scoring, so each segment's keys are decoded once, when a search
//! first meets the segment, and kept in a `FacetCache` for as long as the
//! segment is in use: segments never change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{ColumnIndex, ColumnValues, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentReader};

use crate::index::schema::split_facet_key;

/// A facet value and how many matching documents have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FacetCount {
    /// The value (`fi`, `pdf`, a tag, a folder name).
    pub value: String,
    /// Number of matching documents.
    pub count: u64,
}

/// Facet counts for the current query (before the request's own filters on
/// that facet are applied only in the sense that filters narrow every count).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facets {
    /// Counts by language.
    pub lang: Vec<FacetCount>,
    /// Counts by format.
    pub format: Vec<FacetCount>,
    /// Counts by tag.
    pub tag: Vec<FacetCount>,
    /// Counts by top-level folder.
    pub folder: Vec<FacetCount>,
    /// Counts by the year of the document's date, newest first.
    #[serde(default)]
    pub year: Vec<FacetCount>,
}

/// The facets counted, in the order of a [`Facets`]' fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Lang,
    Format,
    Tag,
    Folder,
}

/// One segment's facet keys, decoded: the distinct values, and for each key
/// ordinal the values it holds.
#[derive(Debug, Default)]
struct SegmentFacets {
    /// The distinct facet values of the segment.
    values: Vec<(Slot, Arc<str>)>,
    /// Where each key ordinal's value indexes start in `key_values`; one
    /// more entry than there are keys.
    key_starts: Vec<u32>,
    /// Indexes into `values`, key after key.
    key_values: Vec<u32>,
}

impl SegmentFacets {
    /// Reads every key of a segment's facet column, in ordinal order.
    fn decode(column: &StrColumn) -> std::io::Result<SegmentFacets> {
        let mut decoded = SegmentFacets { key_starts: vec![0], ..SegmentFacets::default() };
        let mut index: HashMap<(Slot, String), u32> = HashMap::new();
        let mut keys = column.dictionary().stream()?;
        let mut parts: Vec<(Slot, String)> = Vec::new();
        while keys.advance() {
            parts.clear();
            let key = String::from_utf8_lossy(keys.key());
            if let Some((lang, format, folder, tags)) = split_facet_key(&key) {
                for (slot, value) in [(Slot::Lang, lang), (Slot::Format, format), (Slot::Folder, folder)] {
                    if !value.is_empty() {
                        parts.push((slot, value.to_string()));
                    }
                }
                parts.extend(tags.map(|tag| (Slot::Tag, tag.to_string())));
            }
            for part in parts.drain(..) {
                let next = decoded.values.len() as u32;
                let at = *index.entry(part).or_insert_with_key(|(slot, value)| {
                    decoded.values.push((*slot, Arc::from(value.as_str())));
                    next
                });
                decoded.key_values.push(at);
            }
            decoded.key_starts.push(decoded.key_values.len() as u32);
        }
        Ok(decoded)
    }

    /// The value indexes of key `ord`.
    fn values_of(&self, ord: usize) -> &[u32] {
        match (self.key_starts.get(ord), self.key_starts.get(ord + 1)) {
            (Some(&start), Some(&end)) => self.key_values.get(start as usize..end as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Decoded facet keys by segment, shared by the searches of one bank.
#[derive(Debug, Default)]
pub(crate) struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetCache {
    /// Forgets the segments `searcher` no longer uses (merged away or deleted).
    fn forget_unused(&self, searcher: &Searcher) {
        let Ok(mut segments) = self.segments.lock() else { return };
        if segments.len() > searcher.segment_readers().len() {
            let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
            segments.retain(|id, _| live.contains(id));
        }
    }

    /// The decoded keys of a segment, decoded now if no search has yet.
    fn segment(&self, id: SegmentId, column: &StrColumn) -> std::io::Result<Arc<SegmentFacets>> {
        if let Some(found) = self.segments.lock().ok().and_then(|s| s.get(&id).cloned()) {
            return Ok(found);
        }
        // Decoded outside the lock; two searches may both decode a new segment.
        let decoded = Arc::new(SegmentFacets::decode(column)?);
        if let Ok(mut segments) = self.segments.lock() {
            segments.insert(id, decoded.clone());
        }
        Ok(decoded)
    }
}

/// Counts facet values (language, format, tag, folder) of matching documents.
pub(crate) struct FacetCollector<'a> {
    cache: &'a FacetCache,
}

impl<'a> FacetCollector<'a> {
    /// A collector for one search on `searcher`.
    pub(crate) fn new(cache: &'a FacetCache, searcher: &Searcher) -> Self {
        cache.forget_unused(searcher);
        FacetCollector { cache }
    }
}

/// Counts the facet keys of one segment's matching documents by their
/// ordinal in the segment's dictionary.
pub(crate) struct FacetSegment {
    /// The key ordinals read directly when every document has one.
    single: Option<Arc<dyn ColumnValues<u64>>>,
    column: Option<StrColumn>,
    decoded: Arc<SegmentFacets>,
    counts: Vec<u64>,
}

/// One segment's counts: each distinct value with its count.
pub(crate) type SegmentCounts = Vec<(Slot, Arc<str>, u64)>;

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let column = segment.fast_fields().str("facet_key")?;
        let decoded = match &column {
            Some(column) => self.cache.segment(segment.segment_id(), column)?,
            None => Arc::default(),
        };
        let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
        let single = column.as_ref().and_then(|c| {
            let ords = c.ords();
            matches!(ords.index, ColumnIndex::Full).then(|| ords.values.clone())
        });
        Ok(FacetSegment { single, column, decoded, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Facets> {
        let mut merged: HashMap<(Slot, Arc<str>), u64> = HashMap::new();
        for (slot, value, count) in fruits.into_iter().flatten() {
            *merged.entry((slot, value)).or_insert(0) += count;
        }
        let mut facets = Facets::default();
        for ((slot, value), count) in merged {
            let list = match slot {
                Slot::Lang => &mut facets.lang,
                Slot::Format => &mut facets.format,
                Slot::Tag => &mut facets.tag,
                Slot::Folder => &mut facets.folder,
            };
            list.push(FacetCount { value: value.to_string(), count });
        }
        for list in [&mut facets.lang, &mut facets.format, &mut facets.tag, &mut facets.folder] {
            list.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        }
        Ok(facets)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(values) = &self.single {
            if let Some(count) = self.counts.get_mut(values.get_val(doc) as usize) {
                *count += 1;
            }
        } else if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        let mut by_value = vec![0u64; self.decoded.values.len()];
        for (ord, &count) in self.counts.iter().enumerate().filter(|&(_, &count)| count > 0) {
            for &value in self.decoded.values_of(ord) {
                if let Some(total) = by_value.get_mut(value as usize) {
                    *total += count;
                }
            }
        }
        by_value
            .into_iter()
            .zip(&self.decoded.values)
            .filter(|&(count, _)| count > 0)
            .map(|(count, (slot, value))| (*slot, value.clone(), count))
            .collect()
    }
}
