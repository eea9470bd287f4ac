//! Stage 4: indexing. Walks the documents folder ([`scan`]), decides per
//! file whether it is new, changed, unchanged or gone ([`plan`]), extracts
//! and analyses the changed ones on worker threads ([`build`]), and writes
//! them through one tantivy writer in one atomic commit ([`commit`]);
//! [`schema`] has the fields, [`merge`] the merge policy. This module holds
//! what the stages pass between them and what a sync reports.

pub(crate) mod build;
pub(crate) mod commit;
pub(crate) mod merge;
pub(crate) mod open;
pub(crate) mod plan;
pub(crate) mod scan;
pub(crate) mod schema;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tantivy::{Index, IndexReader};

use crate::error::FailedFile;
use crate::extract::ExtractLimits;
use scan::FileStamp;
use schema::Fields;

/// The stages of a sync, for progress display and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexStage {
    /// Listing the documents folder and comparing it with the index.
    Scanning,
    /// Extracting and indexing changed files.
    Indexing,
    /// Writing the commit.
    Committing,
    /// Finished.
    Done,
}

/// Progress of a sync, passed to the progress callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProgress {
    /// The current stage.
    pub stage: IndexStage,
    /// Files processed so far in this stage.
    pub done: usize,
    /// Files to process in this stage.
    pub total: usize,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncReport {
    /// New files indexed.
    pub added: usize,
    /// Changed files re-indexed.
    pub updated: usize,
    /// Files gone from the folder, removed from the index.
    pub removed: usize,
    /// Files found unchanged (no work done).
    pub unchanged: usize,
    /// Files that could not be indexed, with reasons (also those that failed
    /// in an earlier sync and have not changed since).
    pub failed: Vec<FailedFile>,
    /// Problems that cost part of a document's text, `path: warning`.
    pub warnings: Vec<String>,
    /// Entries of the folder that look like documents but are not read at
    /// all (a name that is not UTF-8, a link out of the folder, a pipe or
    /// socket), with the reason.
    #[serde(default)]
    pub skipped: Vec<FailedFile>,
}

impl SyncReport {
    /// Whether the sync changed the index.
    pub fn changed_anything(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

/// A failure remembered between syncs, so an unchanged broken file is not retried.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct RememberedFailure {
    pub path: String,
    pub reason: String,
    pub stamp: FileStamp,
}

/// What the index's commit carries besides the documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct CommitPayload {
    pub schema_version: u32,
    /// Seconds since 1970 of the last sync that committed.
    pub last_sync: i64,
    pub failed: Vec<RememberedFailure>,
}

impl CommitPayload {
    pub(crate) fn read(index: &Index) -> CommitPayload {
        index.load_metas().ok().and_then(|m| m.payload).and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default()
    }
}

/// Everything a sync needs.
pub(crate) struct SyncContext<'a> {
    pub index: &'a Index,
    pub reader: &'a IndexReader,
    pub fields: Fields,
    pub documents_dir: &'a Path,
    /// The index folder (the merge policy reads segment sizes there).
    pub index_dir: &'a Path,
    pub limits: ExtractLimits,
    pub writer_memory: usize,
    pub threads: usize,
    /// The program to start extraction workers from (see [`crate::extract::worker`]).
    pub extract_worker: Option<&'a Path>,
    /// Counts the documents tantivy's indexing threads have analysed.
    pub indexed_counter: Arc<AtomicU64>,
    /// What text recognition has read, and how many scanned pages of a
    /// document it reads.
    pub ocr: OcrIndexing,
    /// Paths indexed again even when unchanged (a scan whose pages text
    /// recognition has read since).
    pub force: &'a HashSet<String>,
}

/// How scanned pages are indexed: with the text recognition has read so far.
#[derive(Debug, Clone)]
pub(crate) struct OcrIndexing {
    pub cache: crate::extract::ocr::cache::OcrCache,
    /// Scanned pages read per document (the rest are reported).
    pub max_pages: usize,
}

pub(crate) fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
