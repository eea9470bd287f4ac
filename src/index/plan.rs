//! What a sync has to do: the folder compared with what the index holds
//! (added, changed, unchanged, removed, failed before and unchanged since).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::IndexReader;

use super::scan::{hash_file, now_nanos, scan_folder, stamp_of, FileStamp, FoundFile};
use super::{CommitPayload, IndexStage, RememberedFailure, SyncContext, SyncProgress, SyncReport};
use crate::error::{FailedFile, Result};

/// What the index holds for one path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexedStamp {
    pub stamp: FileStamp,
    /// When the indexed file's stamp was taken, nanoseconds since 1970.
    pub seen: i64,
    /// The xxh3 hash of the content that was indexed.
    pub hash: u64,
}

/// Reads path → stamp of every live document from fast fields.
pub(crate) fn indexed_stamps(reader: &IndexReader) -> Result<HashMap<String, IndexedStamp>> {
    let searcher = reader.searcher();
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(paths) = fast.str("path")? else { continue };
        let sizes = fast.u64("size")?;
        let mtimes = fast.i64("mtime")?;
        let inodes = fast.u64("inode")?;
        let ctimes = fast.i64("ctime")?;
        let seens = fast.i64("seen")?;
        let hashes = fast.u64("hash")?;
        let alive = segment.alive_bitset();
        let mut buf = String::new();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let Some(ord) = paths.term_ords(doc).next() else { continue };
            buf.clear();
            if !paths.ord_to_str(ord, &mut buf)? {
                continue;
            }
            let stamp = FileStamp {
                size: sizes.first(doc).unwrap_or(0),
                mtime: mtimes.first(doc).unwrap_or(0),
                inode: inodes.first(doc).unwrap_or(0),
                ctime: ctimes.first(doc).unwrap_or(0),
            };
            out.insert(
                buf.clone(),
                IndexedStamp { stamp, seen: seens.first(doc).unwrap_or(0), hash: hashes.first(doc).unwrap_or(0) },
            );
        }
    }
    Ok(out)
}

/// What a sync has to do, decided by comparing the folder with the index.
pub(crate) struct SyncPlan {
    pub(crate) report: SyncReport,
    pub(crate) work: Vec<(FoundFile, bool)>,
    pub(crate) removed: Vec<String>,
    pub(crate) failures: Vec<RememberedFailure>,
    pub(crate) failures_changed: bool,
}

impl SyncPlan {
    pub(crate) fn is_noop(&self) -> bool {
        self.work.is_empty() && self.removed.is_empty() && !self.failures_changed
    }

    pub(crate) fn finish_noop(self, progress: &mut dyn FnMut(SyncProgress)) -> SyncReport {
        let mut report = self.report;
        report.failed =
            self.failures.iter().map(|f| FailedFile { path: f.path.clone(), reason: f.reason.clone() }).collect();
        progress(SyncProgress { stage: IndexStage::Done, done: 0, total: 0 });
        report
    }
}

/// Scans the folder and compares it with the committed index.
pub(crate) fn plan_sync(ctx: &SyncContext<'_>) -> Result<SyncPlan> {
    let mut report = SyncReport::default();
    let indexed = indexed_stamps(ctx.reader)?;
    let payload = CommitPayload::read(ctx.index);
    let remembered: HashMap<&str, &RememberedFailure> = payload.failed.iter().map(|f| (f.path.as_str(), f)).collect();

    let mut on_disk = HashSet::new();
    let mut work: Vec<(FoundFile, bool)> = Vec::new(); // (file, is_update)
    let mut failures: Vec<RememberedFailure> = Vec::new();
    // Every stamp below is taken after this moment (nanoseconds since 1970).
    let scanned_at = now_nanos();
    let scan = scan_folder(ctx.documents_dir);
    report.skipped = scan.skipped;
    for (rel, abs) in scan.files {
        let Some(stamp) = stamp_of(&abs) else { continue };
        on_disk.insert(rel.clone());
        if let Some(old) = indexed.get(&rel) {
            let forced = ctx.force.contains(&rel);
            if !forced && !remembered.contains_key(rel.as_str()) && is_unchanged(old, stamp, &abs) {
                report.unchanged += 1;
                continue;
            }
        }
        if let Some(failure) = remembered.get(rel.as_str()) {
            if failure.stamp == stamp {
                // Still the same broken file: report it again, do no work.
                failures.push((*failure).clone());
                if indexed.contains_key(&rel) {
                    report.unchanged += 1;
                }
                continue;
            }
        }
        let is_update = indexed.contains_key(&rel);
        work.push((FoundFile { rel, abs, stamp, seen: scanned_at }, is_update));
    }
    let removed: Vec<String> = indexed.keys().filter(|p| !on_disk.contains(*p)).cloned().collect();
    let failures_changed = failures.len() != payload.failed.len();

    Ok(SyncPlan { report, work, removed, failures, failures_changed })
}

/// Whether a file is the one the index holds: the same size, modification
/// time, inode and status-change time; for a stamp taken too close to the
/// file's last change (see [`FileStamp::is_racy`]), also the same content.
pub(crate) fn is_unchanged(old: &IndexedStamp, now: FileStamp, path: &Path) -> bool {
    old.stamp == now && (!old.stamp.is_racy(old.seen) || hash_file(path) == Some(old.hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::scan::{hash_file, stamp_of, FileStamp};

    #[test]
    fn a_racy_stamp_is_trusted_only_with_the_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "# A\n\nsame size one").unwrap();
        let stamp = stamp_of(&path).unwrap();
        let hash = xxhash_rust::xxh3::xxh3_64(&std::fs::read(&path).unwrap());
        assert_eq!(hash_file(&path), Some(hash), "the streamed hash is the one-shot hash");
        // Looked at right after its last change: racy, so the hash decides.
        let racy = IndexedStamp { stamp, seen: stamp.mtime.max(stamp.ctime), hash };
        assert!(stamp.is_racy(racy.seen));
        assert!(is_unchanged(&racy, stamp, &path));
        assert!(!is_unchanged(&IndexedStamp { hash: hash ^ 1, ..racy }, stamp, &path));
        // Looked at an hour later: the stamp alone decides.
        let later = IndexedStamp { seen: racy.seen + 3_600_000_000_000, hash: hash ^ 1, ..racy };
        assert!(!stamp.is_racy(later.seen));
        assert!(is_unchanged(&later, stamp, &path));
        // Any stamp value differing is a change, whatever the hash.
        for other in [
            FileStamp { inode: stamp.inode + 1, ..stamp },
            FileStamp { ctime: stamp.ctime + 1, ..stamp },
            FileStamp { size: stamp.size + 1, ..stamp },
            FileStamp { mtime: stamp.mtime - 1, ..stamp },
        ] {
            assert!(!is_unchanged(&later, other, &path), "{other:?}");
        }
    }

    #[test]
    fn coarse_timestamps_widen_the_racy_window() {
        let second = 1_700_000_000_000_000_000i64;
        let coarse = FileStamp { size: 1, mtime: second, inode: 1, ctime: second };
        assert!(coarse.is_racy(second + 1_500_000_000));
        assert!(!coarse.is_racy(second + 2_500_000_000));
        let fine = FileStamp { mtime: second + 123, ctime: second + 456, ..coarse };
        assert!(fine.is_racy(second + 10_000_000));
        assert!(!fine.is_racy(second + 1_500_000_000));
    }
}
