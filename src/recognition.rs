//! Stage 4b: text recognition of scanned pages, after the sync.
//!
//! A sync indexes a scanned PDF at once, by its title, metadata and any
//! pages that have a text layer; its scanned pages wait (the `ocr_pending`
//! fields of the index). [`KnowledgeBank::recognise_scans`] then reads them,
//! a page at a time, with [`OcrEngine`](crate::extract::ocr::OcrEngine),
//! keeps each page in the [`OcrCache`](crate::extract::ocr::cache::OcrCache)
//! as soon as it is read, and indexes the document again with its text when
//! its last page is done. `tietopankki index` runs it after the sync;
//! `tietopankki serve` runs it on a thread of its own after every sync.
//!
//! [`KnowledgeBank::recognise_scans`]: crate::KnowledgeBank::recognise_scans

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument};

use crate::error::Result;
use crate::index::schema::Fields;
use crate::lang::Lang;

pub use crate::config::OcrOptions;

/// Where a run of text recognition is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OcrProgress {
    /// The document being read.
    pub path: String,
    /// The page being read now.
    pub page: u32,
    /// Pages of this document read in this run so far.
    pub done: usize,
    /// Pages of this document to read in this run.
    pub total: usize,
    /// Documents finished in this run.
    pub documents_done: usize,
    /// Documents to read in this run.
    pub documents_total: usize,
}

/// A scan whose pages text recognition has read in a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecognisedScan {
    /// The document.
    pub path: String,
    /// Pages read in this run.
    pub pages_read: usize,
    /// Pages of the document whose text came from recognition, in all.
    pub ocr_pages: usize,
    /// Pages that could not be read (reported in the document's warnings).
    pub failed_pages: usize,
    /// Tesseract's mean word confidence over the document's recognised pages.
    pub confidence: Option<f32>,
    /// The document's language, judged on its recognised text.
    pub lang: Lang,
    /// Why recognition stopped before the document's last scanned page, if it did.
    pub stopped: Option<String>,
}

/// A scan with pages waiting for text recognition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WaitingScan {
    /// The document (found by its title and metadata meanwhile).
    pub path: String,
    /// Scanned pages not yet read.
    pub pages: usize,
}

/// What a run of text recognition did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OcrReport {
    /// Why text recognition cannot run on this machine (what is missing and
    /// how to install it), when it cannot.
    pub unavailable: Option<String>,
    /// Scans read in this run.
    pub recognised: Vec<RecognisedScan>,
    /// Scans whose pages still wait (recognition unavailable, switched off
    /// or stopped), found by their title and metadata meanwhile.
    pub waiting: Vec<WaitingScan>,
    /// Whether the run was stopped before it finished (what it read is kept).
    pub cancelled: bool,
}

/// The state of text recognition, for status pages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OcrStatus {
    /// Whether scanned pages are read at all.
    pub enabled: bool,
    /// Whether pdftoppm and Tesseract with the fin/swe/eng data were found.
    pub available: bool,
    /// What is missing and how to install it, when not available.
    pub unavailable: Option<String>,
    /// Whether a run is reading pages now.
    pub running: bool,
    /// Documents with scanned pages waiting.
    pub pending_documents: usize,
    /// Scanned pages waiting, over all documents.
    pub pending_pages: usize,
    /// Pages read since the bank was opened.
    pub recognised_pages: usize,
    /// The page being read now.
    pub current: Option<OcrProgress>,
}

/// What the bank keeps of text recognition between runs.
#[derive(Debug, Default)]
pub(crate) struct OcrState {
    pub running: AtomicBool,
    pub recognised_pages: AtomicUsize,
    pub current: Mutex<Option<OcrProgress>>,
    /// The last look for the programs: `Some(Err(why))` when missing.
    pub engine_found: Mutex<Option<std::result::Result<(), String>>>,
}

/// Clears [`OcrState::running`] and the current page when a run ends, however it ends.
pub(crate) struct RunningGuard<'a>(pub &'a OcrState);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut current) = self.0.current.lock() {
            *current = None;
        }
        self.0.running.store(false, Ordering::SeqCst);
    }
}

/// A document with scanned pages still to read.
#[derive(Debug, Clone)]
pub(crate) struct PendingScan {
    pub path: String,
    /// The content hash of the file that was indexed.
    pub hash: u64,
    pub pages: Vec<u32>,
}

/// How many documents have scanned pages waiting, and how many pages in
/// all, from the `ocr_pending` fast field alone.
pub(crate) fn pending_counts(searcher: &Searcher) -> Result<(usize, usize)> {
    let (mut documents, mut pages) = (0, 0);
    for segment in searcher.segment_readers() {
        let pending = segment.fast_fields().u64("ocr_pending")?;
        let alive = segment.alive_bitset();
        for doc_id in 0..segment.max_doc() {
            let waiting = pending.first(doc_id).unwrap_or(0);
            if waiting > 0 && alive.is_none_or(|a| a.is_alive(doc_id)) {
                documents += 1;
                pages += waiting as usize;
            }
        }
    }
    Ok((documents, pages))
}

/// The documents whose scanned pages wait, sorted by path. Finds them in
/// the `ocr_pending` fast field and reads only their stored fields.
pub(crate) fn pending_scans(searcher: &Searcher, fields: &Fields) -> Result<Vec<PendingScan>> {
    let mut out = Vec::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let pending = segment.fast_fields().u64("ocr_pending")?;
        let alive = segment.alive_bitset();
        for doc_id in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc_id)) || pending.first(doc_id).unwrap_or(0) == 0 {
                continue;
            }
            let doc: TantivyDocument = searcher.doc(tantivy::DocAddress::new(segment_ord as u32, doc_id))?;
            let path = doc.get_first(fields.path).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let hash = doc.get_first(fields.hash).and_then(|v| v.as_u64()).unwrap_or(0);
            let pages = doc
                .get_first(fields.ocr_pending_pages)
                .and_then(|v| v.as_bytes())
                .map(crate::index::schema::decode_u32s)
                .unwrap_or_default();
            if !path.is_empty() && !pages.is_empty() {
                out.push(PendingScan { path, hash, pages });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
