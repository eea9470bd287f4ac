//! The index's segment merge policy: merges bounded in bytes.
//!
//! tantivy's default policy merges by document counts and may end a large
//! sync by merging the whole index at once; a merge reads every input
//! segment through memory maps, so its peak memory grows with the bank. This
//! policy merges groups of [`MERGE_FACTOR`] segments of similar size only
//! while the group stays under [`MAX_MERGE_BYTES`]: segments grow to about
//! that size and stop, so a merge never maps more than that, whatever the
//! size of the bank, and the index keeps few segments (a 20,000-document,
//! 300 MB index ends with about eight).

use std::path::PathBuf;

use tantivy::index::{SegmentComponent, SegmentMeta};
use tantivy::merge_policy::{MergeCandidate, MergePolicy};

/// Largest total size of the segments one merge reads.
pub const MAX_MERGE_BYTES: u64 = 96 * 1024 * 1024;
/// How many segments one merge joins (at least two; fewer when small ones are few).
pub const MERGE_FACTOR: usize = 8;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct BoundedMergePolicy {
    /// The index folder, to read the segments' file sizes.
    dir: PathBuf,
    max_bytes: u64,
}

impl BoundedMergePolicy {
    /// The policy for the index in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        BoundedMergePolicy { dir: dir.into(), max_bytes: MAX_MERGE_BYTES }
    }

    /// The bytes of a segment's live documents (its files' sizes, less the
    /// share of deleted documents).
    fn live_bytes(&self, meta: &SegmentMeta) -> u64 {
        let components = [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::Terms,
            SegmentComponent::Store,
            SegmentComponent::FastFields,
            SegmentComponent::FieldNorms,
        ];
        let bytes: u64 = components
            .into_iter()
            .filter_map(|c| std::fs::metadata(self.dir.join(meta.relative_path(c))).ok())
            .map(|m| m.len())
            .sum();
        let max_doc = u64::from(meta.max_doc().max(1));
        bytes * u64::from(meta.num_docs()) / max_doc
    }
}

impl MergePolicy for BoundedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let sizes: Vec<(u64, &SegmentMeta)> = segments.iter().map(|m| (self.live_bytes(m), m)).collect();
        plan_merges(&sizes, self.max_bytes, MERGE_FACTOR)
            .into_iter()
            .map(|group| MergeCandidate(group.into_iter().map(|m| m.id()).collect()))
            .collect()
    }
}

/// Groups segments for merging: the smallest segments first, up to `factor`
/// per group and `max_bytes` per group. A group is merged when it has
/// `factor` segments, when it is as large as the bound allows (at least
/// half of it, or three quarters for the last group), or when it has
/// deletions worth purging. Segments of half
/// the bound or more are left alone unless they carry many deletions.
fn plan_merges<T: Copy + HasDeletes>(segments: &[(u64, T)], max_bytes: u64, factor: usize) -> Vec<Vec<T>> {
    let mut small: Vec<(u64, T)> =
        segments.iter().copied().filter(|(bytes, meta)| *bytes < max_bytes / 2 || meta.deleted_share() > 0.3).collect();
    small.sort_by_key(|(bytes, _)| *bytes);
    let mut groups = Vec::new();
    let mut group: Vec<T> = Vec::new();
    let mut group_bytes = 0u64;
    let mut has_deletes = false;
    for (bytes, meta) in small {
        if !group.is_empty() && group_bytes + bytes > max_bytes {
            // The group is as large as a merge may read (the rest are
            // larger still): merge it if that makes a segment of at least
            // half the bound, or purges deletions.
            if group.len() >= 2 && (group_bytes >= max_bytes / 2 || has_deletes) {
                groups.push(std::mem::take(&mut group));
            }
            break;
        }
        group.push(meta);
        group_bytes += bytes;
        has_deletes |= meta.deleted_share() > 0.3;
        if group.len() == factor {
            groups.push(std::mem::take(&mut group));
            group_bytes = 0;
            has_deletes = false;
        }
    }
    // A last group that is not full: merged when it comes near the bound
    // (more small segments may still come) or purges deletions.
    if group.len() >= 2 && (group_bytes >= max_bytes / 4 * 3 || has_deletes) {
        groups.push(group);
    }
    groups
}

/// The share of a segment's documents that are deleted.
trait HasDeletes {
    fn deleted_share(&self) -> f64;
}

impl HasDeletes for &SegmentMeta {
    fn deleted_share(&self) -> f64 {
        f64::from(self.num_deleted_docs()) / f64::from(self.max_doc().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (segment number, deleted share).
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Seg(u32, f64);

    impl HasDeletes for Seg {
        fn deleted_share(&self) -> f64 {
            self.1
        }
    }

    fn ids(groups: &[Vec<Seg>]) -> Vec<Vec<u32>> {
        groups.iter().map(|g| g.iter().map(|s| s.0).collect()).collect()
    }

    #[test]
    fn full_groups_of_small_segments_merge_smallest_first() {
        let segments: Vec<(u64, Seg)> = (0..10).map(|i| (10 + i as u64, Seg(i, 0.0))).collect();
        let groups = plan_merges(&segments, 1_000, 4);
        assert_eq!(ids(&groups), vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
    }

    #[test]
    fn no_merge_reads_more_than_the_bound() {
        let segments: Vec<(u64, Seg)> = (0..16).map(|i| (30, Seg(i, 0.0))).collect();
        for group in plan_merges(&segments, 100, 8) {
            assert!(group.len() * 30 <= 100, "{group:?}");
        }
        // Two segments that fill the bound are merged; segments of half
        // the bound or more are final.
        let pairs: Vec<(u64, Seg)> = (0..3).map(|i| (40, Seg(i, 0.0))).collect();
        assert_eq!(ids(&plan_merges(&pairs, 100, 8)), vec![vec![0, 1]]);
        let big: Vec<(u64, Seg)> = (0..16).map(|i| (60, Seg(i, 0.0))).collect();
        assert!(plan_merges(&big, 100, 8).is_empty());
    }

    #[test]
    fn segments_with_many_deletions_are_purged() {
        let segments = vec![(10, Seg(0, 0.5)), (12, Seg(1, 0.0)), (70, Seg(2, 0.6)), (500, Seg(3, 0.0))];
        assert_eq!(ids(&plan_merges(&segments, 100, 8)), vec![vec![0, 1, 2]]);
        // Without deletions, a group that is not full waits.
        let quiet = vec![(10, Seg(0, 0.0)), (12, Seg(1, 0.0))];
        assert!(plan_merges(&quiet, 100, 8).is_empty());
        // Near the bound, a last group merges without waiting.
        let near = vec![(30, Seg(0, 0.0)), (25, Seg(1, 0.0)), (22, Seg(2, 0.0))];
        assert_eq!(ids(&plan_merges(&near, 100, 8)), vec![vec![2, 1, 0]]);
    }
}
