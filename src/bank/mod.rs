//! The front door: [`KnowledgeBank`] opens (or creates) an index, syncs it
//! with a documents folder, searches it and reads documents back.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

use crate::config::Config;
use crate::error::{Error, FailedFile, Result};
use crate::extract::ocr::cache::OcrCache;
use crate::extract::ocr::OcrEngine;
use crate::extract::ExtractLimits;
use crate::index::schema::Fields;
use crate::index::{CommitPayload, OcrIndexing, SyncContext, SyncProgress, SyncReport};
use crate::recognition::{
    OcrOptions, OcrProgress, OcrReport, OcrState, OcrStatus, RecognisedScan, RunningGuard, WaitingScan,
};
use crate::search::translate::{FreeDictStatus, Glossary, Translator};
use crate::search::FacetCache;
use crate::search::{self, SearchRequest, SearchResults};

mod discover;
mod records;
use records::SummaryColumns;
pub use records::{DocumentRecord, DocumentSummary, Status};

/// Configures and opens a [`KnowledgeBank`].
#[derive(Debug, Clone)]
pub struct KnowledgeBankBuilder {
    /// The folders, limits and options, starting from [`Config`]'s defaults.
    config: Config,
    threads: usize,
    glossary: Option<Glossary>,
    dictionary_dir: PathBuf,
}

impl Default for KnowledgeBankBuilder {
    fn default() -> Self {
        KnowledgeBankBuilder {
            config: Config::default(),
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            glossary: None,
            dictionary_dir: crate::search::translate::freedict::default_dir(),
        }
    }
}

impl KnowledgeBankBuilder {
    /// A builder of the bank a [`Config`](crate::Config) describes (its
    /// term list read now: a bad line is an error naming it).
    pub fn from_config(config: &crate::config::Config) -> Result<KnowledgeBankBuilder> {
        let mut builder = KnowledgeBankBuilder { config: config.clone(), ..KnowledgeBankBuilder::default() };
        builder.config.writer_memory = config.writer_memory.max(15_000_000);
        if let Some(path) = &config.glossary {
            builder = builder.glossary(Glossary::load(path)?);
        }
        Ok(builder)
    }

    /// The folder of PDF, Word, OpenDocument, HTML, Markdown and text files (default `documents`).
    pub fn documents_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.documents_dir = dir.into();
        self
    }

    /// The folder of the index (default `index`); created when missing.
    pub fn index_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.index_dir = dir.into();
        self
    }

    /// Per-file limits (size, time).
    pub fn limits(mut self, limits: ExtractLimits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Memory budget of the index writer in bytes (at least 15 MB).
    pub fn writer_memory(mut self, bytes: usize) -> Self {
        self.config.writer_memory = bytes.max(15_000_000);
        self
    }

    /// Reads files in worker processes started from `exe` (a program that
    /// calls [`crate::extract::worker::run_worker`] when its first argument
    /// is [`crate::extract::worker::WORKER_ARG`], as the `tietopankki` binary
    /// does), where the memory limit and the time limit really hold. Without
    /// it files are read on threads of this process (Unix only; elsewhere
    /// this setting is ignored).
    pub fn extract_worker(mut self, exe: impl Into<PathBuf>) -> Self {
        self.config.extract_worker = Some(exe.into());
        self
    }

    /// Limits of text recognition of scanned pages (or `enabled: false` to
    /// leave scans to be found by their title and metadata only).
    pub fn ocr(mut self, options: OcrOptions) -> Self {
        self.config.ocr = options;
        self
    }

    /// Adds a local term list to the built-in one for cross-language
    /// search (see [`Glossary::load`] for reading one from a file).
    pub fn glossary(mut self, local: Glossary) -> Self {
        self.glossary = Some(local);
        self
    }

    /// Where the optional FreeDict dictionaries are looked for (default
    /// `/usr/share/dictd`, or `TIETOPANKKI_FREEDICT_DIR`); a folder without
    /// them leaves cross-language search to the term list.
    pub fn dictionary_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dictionary_dir = dir.into();
        self
    }

    /// Number of extraction threads (default: the number of cores).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Opens the index, creating it if missing. An index written with
    /// another schema version is rebuilt from scratch (it only holds data
    /// derived from the documents folder).
    ///
    /// An index that cannot be read (damaged files, a disk error) is
    /// [`Error::CorruptIndex`], which says how to rebuild it.
    pub fn open(self) -> Result<KnowledgeBank> {
        // tantivy asserts on some damaged files instead of returning an error.
        let index_dir = self.config.index_dir.clone();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.open_unguarded())).unwrap_or_else(|panic| {
            Err(Error::CorruptIndex {
                path: index_dir,
                reason: format!("a damaged file: {}", crate::index::open::panic_text(panic.as_ref())),
                source: None,
            })
        })
    }

    fn open_unguarded(self) -> Result<KnowledgeBank> {
        let crate::index::open::Opened { index, reader, fields, indexed_counter } =
            crate::index::open::open_index(&self.config.index_dir)?;
        let ocr_cache = OcrCache::new(&self.config.index_dir);
        Ok(KnowledgeBank {
            index,
            reader,
            fields,
            config: self.config,
            threads: self.threads,
            ocr_cache,
            ocr_state: OcrState::default(),
            translator: Translator::new(self.glossary, &self.dictionary_dir),
            sync_lock: Mutex::new(()),
            indexed_counter,
            facet_cache: FacetCache::default(),
        })
    }
}

/// A knowledge bank: an index of a documents folder.
///
/// Cheap to share between threads (`&KnowledgeBank` is `Send + Sync`): searches
/// run concurrently with a sync and see the last committed state.
///
/// ```
/// # fn main() -> tietopankki::Result<()> {
/// # let docs = tempfile::tempdir()?; let index = tempfile::tempdir()?;
/// std::fs::write(docs.path().join("kotivara.md"), "# Kotivara\n\nKotivaraan kuuluu vettä ja ruokaa kolmeksi päiväksi.")?;
/// let bank = tietopankki::KnowledgeBank::builder()
///     .documents_dir(docs.path())
///     .index_dir(index.path())
///     .open()?;
/// let report = bank.sync()?;
/// assert_eq!(report.added, 1);
/// let results = bank.search(&tietopankki::SearchRequest::new("kotivaran"))?;
/// assert_eq!(results.hits[0].path, "kotivara.md");
/// # Ok(()) }
/// ```
pub struct KnowledgeBank {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The folders, limits and options it was opened with.
    config: Config,
    threads: usize,
    ocr_cache: OcrCache,
    ocr_state: OcrState,
    translator: Translator,
    sync_lock: Mutex<()>,
    indexed_counter: Arc<AtomicU64>,
    facet_cache: FacetCache,
}

impl KnowledgeBank {
    /// Starts configuring a bank (documents folder, index folder, limits).
    pub fn builder() -> KnowledgeBankBuilder {
        KnowledgeBankBuilder::default()
    }

    /// Opens (or creates) the index at `index_dir` with default settings.
    pub fn open(index_dir: impl Into<PathBuf>) -> Result<KnowledgeBank> {
        Self::builder().index_dir(index_dir).open()
    }

    /// The documents folder this bank syncs with.
    pub fn documents_dir(&self) -> &Path {
        &self.config.documents_dir
    }

    /// The index folder.
    pub fn index_dir(&self) -> &Path {
        &self.config.index_dir
    }

    /// Brings the index up to date with the documents folder: new files are
    /// added, changed ones replaced, deleted ones removed, all in one atomic
    /// commit; unchanged files (same size and modification time) cost nothing.
    /// A file that cannot be read is listed in the report's `failed`, never
    /// an error of the sync.
    pub fn sync(&self) -> Result<SyncReport> {
        self.sync_with_progress(&mut |_| {})
    }

    /// [`sync`](Self::sync), calling `progress` as files are processed.
    pub fn sync_with_progress(&self, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
        self.sync_forcing(&HashSet::new(), progress)
    }

    /// A sync that indexes the paths in `force` again even when unchanged.
    fn sync_forcing(&self, force: &HashSet<String>, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
        if !self.config.documents_dir.is_dir() {
            return Err(Error::DocumentsNotFound(self.config.documents_dir.clone()));
        }
        let _guard = self.sync_lock.lock().map_err(|_| Error::Engine("sync lock poisoned".to_string()))?;
        self.reader.reload()?;
        let ctx = SyncContext {
            index: &self.index,
            reader: &self.reader,
            fields: self.fields,
            documents_dir: &self.config.documents_dir,
            index_dir: &self.config.index_dir,
            limits: self.config.limits,
            writer_memory: self.config.writer_memory,
            threads: self.threads,
            extract_worker: self.config.extract_worker.as_deref(),
            indexed_counter: self.indexed_counter.clone(),
            ocr: OcrIndexing { cache: self.ocr_cache.clone(), max_pages: self.config.ocr.max_pages_per_document },
            force,
        };
        let report = crate::index::commit::sync(&ctx, progress)?;
        tracing::info!(
            added = report.added,
            updated = report.updated,
            removed = report.removed,
            unchanged = report.unchanged,
            failed = report.failed.len(),
            "sync finished"
        );
        Ok(report)
    }

    /// Searches the bank.
    ///
    /// A fault inside the search (a bug, or index files damaged after they
    /// were opened) is an [`Error::Engine`], never a panic in the caller.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            search::search(&searcher, &self.fields, &self.facet_cache, &self.translator, request)
        }))
        .unwrap_or_else(|panic| {
            Err(Error::Engine(format!("the search failed: {}", crate::index::open::panic_text(panic.as_ref()))))
        })
    }

    /// Reads one document's stored fields, text included.
    pub fn document(&self, path: &str) -> Result<DocumentRecord> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.path, path), IndexRecordOption::Basic);
        let top = searcher.search(&query, &tantivy::collector::TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.into_iter().next() else {
            return Err(Error::NotFound(path.to_string()));
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(DocumentRecord::from_stored(&self.fields, &doc, true))
    }

    /// The bank's documents as records for another search engine, one per
    /// document (or per PDF page), with the text and tietopankki's analysis
    /// keys; made lazily, one document at a time (see [`crate::export`]).
    pub fn export_records(&self, options: &crate::export::ExportOptions) -> Result<crate::export::ExportRecords> {
        crate::export::ExportRecords::new(self.reader.searcher(), self.fields, options.clone())
    }

    /// The `limit` documents changed last (added, or changed since), the
    /// newest first. Reads every document's time, then the summaries of
    /// only those it lists.
    pub fn recent_documents(&self, limit: usize) -> Result<Vec<DocumentSummary>> {
        let searcher = self.reader.searcher();
        let mut times: Vec<(i64, u32, u32)> = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let Ok(mtimes) = segment.fast_fields().i64("mtime") else { continue };
            let alive = segment.alive_bitset();
            for doc_id in (0..segment.max_doc()).filter(|&d| alive.is_none_or(|a| a.is_alive(d))) {
                times.push((mtimes.first(doc_id).unwrap_or(0) / 1_000_000_000, ord as u32, doc_id));
            }
        }
        times.sort_by_key(|t| std::cmp::Reverse(t.0));
        // Documents of the same second as the last one listed are read too:
        // among them the path decides, as in the full list.
        let Some(&(last, _, _)) = times.get(limit.saturating_sub(1)).or(times.last()) else { return Ok(Vec::new()) };
        times.retain(|t| t.0 >= last);
        let mut out = Vec::with_capacity(times.len());
        for (_, ord, doc_id) in times {
            if let Some(columns) = SummaryColumns::open(searcher.segment_reader(ord))? {
                out.push(columns.summary(doc_id));
            }
        }
        out.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
        out.truncate(limit);
        Ok(out)
    }

    /// Lists every document in the index, sorted by path. Reads only fast
    /// fields (no stored text), so listing a large bank stays cheap.
    pub fn documents(&self) -> Result<Vec<DocumentSummary>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for segment in searcher.segment_readers() {
            let Some(columns) = SummaryColumns::open(segment)? else { continue };
            let alive = segment.alive_bitset();
            for doc_id in (0..segment.max_doc()).filter(|&d| alive.is_none_or(|a| a.is_alive(d))) {
                out.push(columns.summary(doc_id));
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Reads the scanned pages that wait for text recognition, a page at a
    /// time, and indexes each document again with its text when its pages
    /// are read (see [`crate::recognition`]). Every page read is kept in the
    /// index folder's cache at once, so a run stopped by `cancel`, a
    /// restart or a rebuilt index never reads a page twice. `progress` is
    /// called before each page.
    ///
    /// Without pdftoppm and Tesseract (with the fin/swe/eng data) nothing is
    /// read: the report says what to install and lists the scans that wait.
    /// Only one run reads at a time; a second one returns at once.
    pub fn recognise_scans(
        &self,
        cancel: &Arc<AtomicBool>,
        progress: &mut dyn FnMut(&OcrProgress),
    ) -> Result<OcrReport> {
        let mut report = OcrReport::default();
        if self.ocr_state.running.swap(true, Ordering::SeqCst) {
            return Ok(report);
        }
        let _running = RunningGuard(&self.ocr_state);
        let pending = crate::recognition::pending_scans(&self.reader.searcher(), &self.fields)?;
        let waiting = |pending: &[crate::recognition::PendingScan]| {
            pending.iter().map(|p| WaitingScan { path: p.path.clone(), pages: p.pages.len() }).collect()
        };
        if pending.is_empty() {
            return Ok(report);
        }
        if !self.config.ocr.enabled {
            report.waiting = waiting(&pending);
            return Ok(report);
        }
        let engine = match self.find_engine() {
            Ok(engine) => engine.with_cancel(Arc::clone(cancel)),
            Err(why) => {
                report.unavailable = Some(why);
                report.waiting = waiting(&pending);
                return Ok(report);
            }
        };
        let documents_total = pending.len();
        for (documents_done, scan) in pending.iter().enumerate() {
            let file = self.config.documents_dir.join(&scan.path);
            // A file changed since it was indexed waits for the next sync to read it afresh.
            if crate::index::scan::hash_file(&file) != Some(scan.hash) {
                continue;
            }
            let mut record = self.ocr_cache.load(scan.hash);
            let at = (documents_done, documents_total);
            let read = self.recognise_pages(&engine, scan, &mut record, cancel, progress, at)?;
            if record.stopped.is_some() {
                self.save_ocr(scan.hash, &record)?;
            }
            if cancel.load(Ordering::SeqCst) {
                report.cancelled = true;
            }
            if read > 0 || record.stopped.is_some() || !record.failed.is_empty() {
                let force: HashSet<String> = [scan.path.clone()].into_iter().collect();
                self.sync_forcing(&force, &mut |_| {})?;
                let indexed = self.document(&scan.path)?;
                report.recognised.push(RecognisedScan {
                    path: scan.path.clone(),
                    pages_read: read,
                    ocr_pages: indexed.ocr_pages.len(),
                    failed_pages: record.failed.len(),
                    confidence: indexed.ocr_confidence,
                    lang: indexed.lang,
                    stopped: record.stopped.clone(),
                });
            }
            if report.cancelled {
                break;
            }
        }
        let still = crate::recognition::pending_scans(&self.reader.searcher(), &self.fields)?;
        report.waiting = waiting(&still);
        Ok(report)
    }

    /// Reads the waiting pages of one scan by text recognition, a page at a
    /// time within the time budget of a document, saving the record after
    /// each page; returns how many pages were read.
    fn recognise_pages(
        &self,
        engine: &OcrEngine,
        scan: &crate::recognition::PendingScan,
        record: &mut crate::extract::ocr::cache::ScanRecord,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(&OcrProgress),
        (documents_done, documents_total): (usize, usize),
    ) -> Result<usize> {
        let file = self.config.documents_dir.join(&scan.path);
        let todo: Vec<u32> = record.pending(&scan.pages, usize::MAX);
        let mut read = 0;
        for (done, &page) in todo.iter().enumerate() {
            if cancel.load(Ordering::SeqCst) {
                break;
            }
            if record.spent_ms >= self.config.ocr.max_time_per_document.as_millis() as u64 {
                let minutes = self.config.ocr.max_time_per_document.as_secs().div_ceil(60);
                record.stopped = Some(format!("the time limit ({minutes} min, --ocr-minutes)"));
                break;
            }
            let now =
                OcrProgress { path: scan.path.clone(), page, done, total: todo.len(), documents_done, documents_total };
            progress(&now);
            if let Ok(mut current) = self.ocr_state.current.lock() {
                *current = Some(now);
            }
            let started = Instant::now();
            let outcome = engine.recognise_page(&file, page as usize, self.config.ocr.page_timeout);
            if cancel.load(Ordering::SeqCst) {
                // Stopped mid-page: the page is read next time, not counted as failed.
                break;
            }
            record.spent_ms += started.elapsed().as_millis() as u64;
            match outcome {
                Ok(recognised) => {
                    record.pages.insert(page, recognised);
                    read += 1;
                    self.ocr_state.recognised_pages.fetch_add(1, Ordering::SeqCst);
                }
                Err(err) => {
                    tracing::warn!(path = %scan.path, page, %err, "text recognition failed on a page");
                    record.failed.insert(page, err.to_string());
                }
            }
            self.save_ocr(scan.hash, record)?;
        }
        Ok(read)
    }

    /// Saves what text recognition has read of a scan.
    fn save_ocr(&self, hash: u64, record: &crate::extract::ocr::cache::ScanRecord) -> Result<()> {
        self.ocr_cache.save(hash, record).map_err(|e| Error::IndexDir {
            path: self.config.index_dir.clone(),
            reason: format!("the text recognition cache: {e}"),
        })
    }

    /// Looks for the recognition programs, remembering the answer for [`ocr_status`](Self::ocr_status).
    fn find_engine(&self) -> std::result::Result<OcrEngine, String> {
        let found = OcrEngine::find_with(&self.config.ocr.programs);
        if let Ok(mut remembered) = self.ocr_state.engine_found.lock() {
            *remembered = Some(found.as_ref().map(|_| ()).map_err(Clone::clone));
        }
        found
    }

    /// The state of text recognition: whether it can run here, what waits,
    /// and the page being read now.
    pub fn ocr_status(&self) -> Result<OcrStatus> {
        let (pending_documents, pending_pages) = crate::recognition::pending_counts(&self.reader.searcher())?;
        let known = self.ocr_state.engine_found.lock().ok().and_then(|f| f.clone());
        let found = match known {
            Some(found) => found,
            None if self.config.ocr.enabled => self.find_engine().map(|_| ()),
            None => Ok(()),
        };
        Ok(OcrStatus {
            enabled: self.config.ocr.enabled,
            available: found.is_ok(),
            unavailable: found.err(),
            running: self.ocr_state.running.load(Ordering::SeqCst),
            pending_documents,
            pending_pages,
            recognised_pages: self.ocr_state.recognised_pages.load(Ordering::SeqCst),
            current: self.ocr_state.current.lock().ok().and_then(|c| c.clone()),
        })
    }

    /// What cross-language search translates with: the number of concepts of
    /// the term list, and which FreeDict dictionaries were found.
    pub fn translation_status(&self) -> (usize, &FreeDictStatus) {
        (self.translator.domain.len(), &self.translator.freedict)
    }

    /// Number of documents, last sync time and failed files.
    pub fn status(&self) -> Result<Status> {
        let searcher = self.reader.searcher();
        let payload = CommitPayload::read(&self.index);
        Ok(Status {
            documents: searcher.num_docs(),
            last_sync: (payload.last_sync > 0).then_some(payload.last_sync),
            failed: payload.failed.into_iter().map(|f| FailedFile { path: f.path, reason: f.reason }).collect(),
        })
    }
}
