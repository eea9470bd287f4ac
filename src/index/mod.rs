//! Stage 4: indexing (`schema`: the fields; `merge`: the merge policy). Walks the documents folder, decides per file whether it
//! is new, changed, unchanged or gone, extracts the changed ones on worker
//! threads, and writes them through one tantivy writer in one atomic commit.

pub(crate) mod merge;
pub(crate) mod schema;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use std::time::{SystemTime, UNIX_EPOCH};

use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};
use walkdir::WalkDir;

use crate::analysis::tokenizer::tag_text;
use crate::document::{is_ignored_name, Extracted, Format};
use crate::error::{FailedFile, FileError, Result};
use crate::extract::{extract_file, ExtractLimits};
use crate::lang::Lang;
use schema::{Fields, SCHEMA_VERSION};

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

/// A file's identity for change detection: what `stat` says of it.
///
/// Size and modification time alone miss a changed file when both are kept
/// (`cp -p`, `rsync -a`, tar, unzip). The inode changes when a file is
/// replaced by a rename (rsync, editors' safe save), and the status-change
/// time (`ctime`) is set by the kernel on every write and cannot be set back
/// by a copying tool, so a file whose four values all match is unchanged.
/// Where the platform has no inode or ctime they are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    pub size: u64,
    /// Modification time, nanoseconds since 1970.
    pub mtime: i64,
    #[serde(default)]
    pub inode: u64,
    /// Status-change time, nanoseconds since 1970.
    #[serde(default)]
    pub ctime: i64,
}

impl FileStamp {
    /// Whether the file may have been written again, after it was read,
    /// within the timestamp granularity of its last change: such a second
    /// write leaves every stamp value equal (the "racily clean" case of git).
    /// `seen` is when the stamp was taken, nanoseconds since 1970; the file
    /// was read after that. A racy file's content hash is checked by later
    /// syncs.
    fn is_racy(&self, seen: i64) -> bool {
        // Sub-second parts mean the file system keeps fine timestamps, so
        // only the kernel's clock tick is at stake; without them (FAT, some
        // network file systems) a change can hide for up to two seconds.
        let coarse = self.mtime % 1_000_000_000 == 0 && self.ctime % 1_000_000_000 == 0;
        let window = if coarse { 2_000_000_000 } else { FINE_RACY_WINDOW_NANOS };
        self.mtime.max(self.ctime) >= seen.saturating_sub(window)
    }
}

/// The racy window on file systems with sub-second timestamps: well above
/// the kernel's coarse clock tick (at most 10 ms).
const FINE_RACY_WINDOW_NANOS: i64 = 50_000_000;

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

/// A file found in the documents folder.
#[derive(Debug, Clone)]
struct FoundFile {
    rel: String,
    abs: PathBuf,
    stamp: FileStamp,
    /// When the stamp was taken, nanoseconds since 1970.
    seen: i64,
}

/// What a scan of the documents folder found.
#[derive(Debug, Default)]
pub(crate) struct FolderScan {
    /// Indexable files: index key and absolute path.
    pub files: Vec<(String, PathBuf)>,
    /// Entries that look like documents but cannot be indexed, with the reason.
    pub skipped: Vec<FailedFile>,
}

/// Lists the indexable files under `root`. Hidden files and folders, editor
/// temp files and files of other formats are passed over in silence; a
/// document whose name is not valid UTF-8, a link pointing outside `root` or
/// a special file (pipe, socket, device) is listed in
/// [`FolderScan::skipped`] with the reason.
pub(crate) fn scan_folder(root: &Path) -> FolderScan {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut scan = FolderScan::default();
    let walker = WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored_name(e.file_name().to_string_lossy().as_ref())) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // An unreadable folder: its files cannot be listed.
                if let Some(path) =
                    err.path().and_then(|p| p.strip_prefix(root).ok()).filter(|p| !p.as_os_str().is_empty())
                {
                    let reason = "skipped: the folder cannot be read (permission denied?)".to_string();
                    scan.skipped.push(FailedFile { path: display_key(path), reason });
                }
                continue;
            }
        };
        let path = entry.path();
        let file_type = entry.file_type();
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let skip = |reason: &str| FailedFile { path: display_key(rel), reason: format!("skipped: {reason}") };
        if Format::from_path(path).is_none() {
            if let Some(advice) = crate::extract::unread_format_advice(path).filter(|_| file_type.is_file()) {
                scan.skipped.push(skip(advice));
            }
            continue;
        }
        if file_type.is_symlink() {
            // Follow a link only when its target is a file inside the folder.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(target) if target.starts_with(&canonical_root) => continue,
                Ok(_) => {
                    scan.skipped.push(skip("a link to a file outside the documents folder; copy the file in instead"));
                    continue;
                }
                Err(_) => {
                    scan.skipped.push(skip("a link whose target does not exist"));
                    continue;
                }
            }
        } else if !file_type.is_file() {
            if !file_type.is_dir() {
                scan.skipped.push(skip("not a regular file (a pipe, socket or device)"));
            }
            continue;
        }
        let Some(key) = relative_key(rel) else {
            scan.skipped.push(skip("the file name is not valid UTF-8 text; rename the file"));
            continue;
        };
        scan.files.push((key, path.to_path_buf()));
    }
    scan
}

/// A relative path for a report line, readable even when not valid UTF-8.
fn display_key(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Turns a relative path into the index key: `/`-separated, valid UTF-8.
fn relative_key(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let parts = parts?;
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

fn stamp_of(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0);
    let (inode, ctime) = inode_and_ctime(&meta);
    Some(FileStamp { size: meta.len(), mtime, inode, ctime })
}

#[cfg(unix)]
fn inode_and_ctime(meta: &std::fs::Metadata) -> (u64, i64) {
    use std::os::unix::fs::MetadataExt;
    let ctime = meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec());
    (meta.ino(), ctime)
}

#[cfg(not(unix))]
fn inode_and_ctime(_meta: &std::fs::Metadata) -> (u64, i64) {
    (0, 0)
}

/// The xxh3 hash of a file's content (the same as
/// [`Extracted::source_hash`](crate::document::Extracted)), read in blocks.
pub(crate) fn hash_file(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut block = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut block) {
            Ok(0) => return Some(hasher.digest()),
            Ok(n) => hasher.update(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

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

/// Brings the index up to date with the folder. See [`crate::KnowledgeBank::sync`].
pub(crate) fn sync(ctx: &SyncContext<'_>, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
    progress(SyncProgress { stage: IndexStage::Scanning, done: 0, total: 0 });
    let opstamp = committed_opstamp(ctx.index);
    let mut plan = plan_sync(ctx)?;
    if plan.is_noop() {
        return Ok(plan.finish_noop(progress));
    }

    // The writer lock: held by another process, this sync stops with
    // `Error::Locked` (one clear line) before it has written anything.
    let writer_threads = ctx.threads.clamp(1, 2);
    let mut writer: IndexWriter<TantivyDocument> =
        ctx.index.writer_with_num_threads(writer_threads, ctx.writer_memory.max(15_000_000 * writer_threads))?;
    writer.set_merge_policy(Box::new(crate::index::merge::BoundedMergePolicy::new(ctx.index_dir)));
    // A process killed during a commit can leave files that no commit refers
    // to; one of them could carry the very name this commit is about to
    // write (`<segment>.<opstamp>.del`). Clear them out first.
    writer.garbage_collect_files().wait()?;
    // Another process may have committed between the scan and the lock: scan
    // again against what is committed now (nobody else can commit any more).
    if committed_opstamp(ctx.index) != opstamp {
        ctx.reader.reload()?;
        plan = plan_sync(ctx)?;
        if plan.is_noop() {
            drop(writer);
            return Ok(plan.finish_noop(progress));
        }
    }
    let SyncPlan { mut report, work, removed, mut failures, .. } = plan;
    for path in &removed {
        writer.delete_term(Term::from_field_text(ctx.fields.path, path));
        report.removed += 1;
    }

    let total = work.len();
    progress(SyncProgress { stage: IndexStage::Indexing, done: 0, total });
    let mut done = 0;
    let mut write_error: Option<crate::Error> = None;
    let base = ctx.indexed_counter.load(Ordering::Relaxed);
    let mut sent = 0u64;
    extract_in_parallel(ctx, work, &mut |(file, is_update, outcome)| {
        done += 1;
        progress(SyncProgress { stage: IndexStage::Indexing, done, total });
        match outcome {
            Ok(built) => {
                // Only an update has a previous version to replace: each
                // delete is held (with a query weight) until the commit.
                if is_update {
                    writer.delete_term(Term::from_field_text(ctx.fields.path, &file.rel));
                }
                if let Err(err) = writer.add_document(built.doc) {
                    write_error.get_or_insert(err.into());
                    return;
                }
                sent += 1;
                // Hold back while tantivy's queue is long: queued documents
                // are memory, and the writer is the slower stage.
                if let Err(err) = wait_for_writer(&ctx.indexed_counter, base, sent) {
                    write_error.get_or_insert(err);
                    return;
                }
                report.warnings.extend(built.warnings.into_iter().map(|w| format!("{}: {w}", file.rel)));
                if is_update {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
            }
            Err(err) => {
                // A changed file that fails keeps its previous version searchable.
                failures.push(RememberedFailure { path: file.rel.clone(), reason: err.to_string(), stamp: file.stamp });
            }
        }
    });
    if let Some(err) = write_error {
        // Nothing is committed: the index keeps its last committed state.
        let _ = writer.rollback();
        return Err(err);
    }

    progress(SyncProgress { stage: IndexStage::Committing, done: total, total });
    failures.sort_by(|a, b| a.path.cmp(&b.path));
    let payload = CommitPayload { schema_version: SCHEMA_VERSION, last_sync: now_secs(), failed: failures.clone() };
    let payload_json = serde_json::to_string(&payload).map_err(|e| crate::Error::Engine(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload_json);
    prepared.commit()?;
    writer.wait_merging_threads()?;
    ctx.reader.reload()?;
    report.failed = failures.iter().map(|f| FailedFile { path: f.path.clone(), reason: f.reason.clone() }).collect();
    progress(SyncProgress { stage: IndexStage::Done, done: total, total });
    Ok(report)
}

/// The opstamp of the last commit on disk (0 when none can be read).
fn committed_opstamp(index: &Index) -> u64 {
    index.load_metas().map(|m| m.opstamp).unwrap_or(0)
}

/// What a sync has to do, decided by comparing the folder with the index.
struct SyncPlan {
    report: SyncReport,
    work: Vec<(FoundFile, bool)>,
    removed: Vec<String>,
    failures: Vec<RememberedFailure>,
    failures_changed: bool,
}

impl SyncPlan {
    fn is_noop(&self) -> bool {
        self.work.is_empty() && self.removed.is_empty() && !self.failures_changed
    }

    fn finish_noop(self, progress: &mut dyn FnMut(SyncProgress)) -> SyncReport {
        let mut report = self.report;
        report.failed =
            self.failures.iter().map(|f| FailedFile { path: f.path.clone(), reason: f.reason.clone() }).collect();
        progress(SyncProgress { stage: IndexStage::Done, done: 0, total: 0 });
        report
    }
}

/// Scans the folder and compares it with the committed index.
fn plan_sync(ctx: &SyncContext<'_>) -> Result<SyncPlan> {
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
fn is_unchanged(old: &IndexedStamp, now: FileStamp, path: &Path) -> bool {
    old.stamp == now && (!old.stamp.is_racy(old.seen) || hash_file(path) == Some(old.hash))
}

/// Most documents waiting in tantivy's queue at once.
const MAX_QUEUED_DOCUMENTS: u64 = 64;

/// Waits until at most [`MAX_QUEUED_DOCUMENTS`] sent documents are still
/// waiting to be analysed by the writer; an error if it makes no progress
/// for a minute.
fn wait_for_writer(counter: &AtomicU64, base: u64, sent: u64) -> Result<()> {
    let mut last = counter.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while sent.saturating_sub(counter.load(Ordering::Relaxed).saturating_sub(base)) > MAX_QUEUED_DOCUMENTS {
        std::thread::sleep(Duration::from_millis(1));
        let now = counter.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > Duration::from_secs(60) {
            return Err(crate::Error::Engine("the index writer stopped making progress".to_string()));
        }
    }
    Ok(())
}

fn now_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos().min(i64::MAX as u128) as i64).unwrap_or(0)
}

pub(crate) fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A document ready for the writer.
pub(crate) struct BuiltDocument {
    pub doc: TantivyDocument,
    pub warnings: Vec<String>,
}

type Outcome = (FoundFile, bool, std::result::Result<BuiltDocument, FileError>);

/// Extracts and analyses files on `ctx.threads` worker threads, handing each
/// result to `on_result` on the calling thread as soon as it is ready, so
/// memory holds only the documents in flight (the channels are bounded).
fn extract_in_parallel(ctx: &SyncContext<'_>, work: Vec<(FoundFile, bool)>, on_result: &mut dyn FnMut(Outcome)) {
    let threads = ctx.threads.clamp(1, 16).min(work.len().max(1));
    let (job_tx, job_rx) = mpsc::sync_channel::<(FoundFile, bool)>(threads * 2);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (result_tx, result_rx) = mpsc::sync_channel::<Outcome>(threads * 2);
    let fields = ctx.fields;
    let limits = ctx.limits;
    let worker_exe = ctx.extract_worker;
    let ocr = &ctx.ocr;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let result_tx = result_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                let mut reader = Reader::new(worker_exe);
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((file, is_update)) = job else { break };
                    // A panic anywhere in extraction or analysis costs this file only.
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        build_document(&fields, &file, &limits, ocr, &mut reader)
                    }))
                    .unwrap_or_else(|_| Err(FileError::Internal("the reader failed unexpectedly".to_string())));
                    if result_tx.send((file, is_update, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_tx);
        scope.spawn(move || {
            for job in work {
                if job_tx.send(job).is_err() {
                    break;
                }
            }
        });
        for outcome in result_rx.iter() {
            on_result(outcome);
        }
    });
}

/// Where an extraction thread reads its files: in its worker process when
/// one is configured, otherwise on a watched thread of this process.
struct Reader {
    #[cfg(unix)]
    worker: Option<crate::extract::worker::Worker>,
}

impl Reader {
    fn new(worker_exe: Option<&Path>) -> Reader {
        #[cfg(unix)]
        {
            Reader { worker: worker_exe.map(crate::extract::worker::Worker::new) }
        }
        #[cfg(not(unix))]
        {
            let _ = worker_exe;
            Reader {}
        }
    }

    fn read(&mut self, path: &Path, limits: &ExtractLimits) -> std::result::Result<(Format, Extracted), FileError> {
        #[cfg(unix)]
        if let Some(answer) = self.worker.as_mut().and_then(|w| w.extract(path, limits)) {
            return answer;
        }
        extract_file(path, limits)
    }
}

/// Extracts, detects the language of, and analyses one file.
fn build_document(
    fields: &Fields,
    file: &FoundFile,
    limits: &ExtractLimits,
    ocr: &OcrIndexing,
    reader: &mut Reader,
) -> std::result::Result<BuiltDocument, FileError> {
    let (format, mut extracted) = reader.read(&file.abs, limits)?;
    let mut ocr_pending = Vec::new();
    if !extracted.scanned_pages.is_empty() {
        let record = ocr.cache.load(extracted.source_hash);
        let name = file.abs.file_stem().and_then(|s| s.to_str()).unwrap_or("document");
        ocr_pending = crate::extract::ocr::cache::apply(&mut extracted, &record, ocr.max_pages, name);
    }
    let lang = extracted.language();
    let doc = to_tantivy(fields, &file.identity(extracted.source_hash), format, lang, &extracted, &ocr_pending);
    Ok(BuiltDocument { doc, warnings: extracted.warnings })
}

/// What the index records of a file besides its content.
pub(crate) struct FileIdentity<'a> {
    /// The index key (path relative to the documents folder).
    pub rel: &'a str,
    pub stamp: FileStamp,
    /// When the stamp was taken, nanoseconds since 1970.
    pub seen: i64,
    /// The xxh3 hash of the bytes that were read.
    pub hash: u64,
}

impl FoundFile {
    fn identity(&self, hash: u64) -> FileIdentity<'_> {
        FileIdentity { rel: &self.rel, stamp: self.stamp, seen: self.seen, hash }
    }
}

/// Builds the tantivy document for an extracted file.
pub(crate) fn to_tantivy(
    fields: &Fields,
    file: &FileIdentity<'_>,
    format: Format,
    lang: Lang,
    doc: &Extracted,
    ocr_pending: &[u32],
) -> TantivyDocument {
    let FileIdentity { rel, stamp, seen, hash } = *file;
    let title = doc.title.clone().unwrap_or_else(|| rel.to_string());
    let mut out = TantivyDocument::default();
    out.add_text(fields.path, rel);
    out.add_text(fields.folder, rel.split_once('/').map(|(top, _)| top).unwrap_or(""));
    out.add_text(fields.title_text, &title);
    out.add_text(fields.text, &doc.text);
    out.add_text(fields.lang, lang.code());
    out.add_text(fields.format, format.name());
    let mut seen_tags = BTreeMap::new();
    for tag in &doc.tags {
        seen_tags.entry(tag.to_lowercase()).or_insert(());
    }
    for tag in seen_tags.keys() {
        out.add_text(fields.tag, tag);
    }
    let folder = rel.split_once('/').map(|(top, _)| top).unwrap_or("");
    out.add_text(
        fields.facet_key,
        crate::index::schema::facet_key(lang.code(), format.name(), folder, seen_tags.keys().map(String::as_str)),
    );
    if let Some(author) = &doc.author {
        out.add_text(fields.author, author);
    }
    if let Some(date) = &doc.date {
        out.add_text(fields.date, date);
    }
    let recency = doc.date.as_deref().and_then(crate::dates::date_to_secs).unwrap_or(stamp.mtime / 1_000_000_000);
    out.add_i64(fields.recency, recency);
    out.add_text(fields.headings_text, doc.headings.join("\n"));
    if let Some(pages) = doc.pages() {
        out.add_u64(fields.pages, pages as u64);
        let bytes = crate::index::schema::encode_u32s(doc.page_starts.iter().map(|&s| s as u32));
        out.add_bytes(fields.page_starts, &bytes);
    }
    if !doc.ocr_pages.is_empty() {
        out.add_bytes(fields.ocr_pages, &crate::index::schema::encode_u32s(doc.ocr_pages.iter().copied()));
    }
    out.add_u64(fields.ocr_page_count, doc.ocr_pages.len() as u64);
    if let Some(confidence) = doc.ocr_confidence {
        out.add_f64(fields.ocr_confidence, f64::from(confidence));
    }
    if !ocr_pending.is_empty() {
        out.add_bytes(fields.ocr_pending_pages, &crate::index::schema::encode_u32s(ocr_pending.iter().copied()));
    }
    out.add_u64(fields.ocr_pending, ocr_pending.len() as u64);
    out.add_u64(fields.size, stamp.size);
    out.add_i64(fields.mtime, stamp.mtime);
    out.add_u64(fields.inode, stamp.inode);
    out.add_i64(fields.ctime, stamp.ctime);
    out.add_i64(fields.seen, seen);
    out.add_u64(fields.hash, hash);
    if !doc.warnings.is_empty() {
        out.add_text(fields.warnings, doc.warnings.join("\n"));
    }

    // The indexed fields get language-tagged text; tantivy's indexing
    // threads analyse it (see analysis::tokenizer).
    // Headings, tags and the document's own description weigh alike.
    let heads =
        format!("{}\n{}\n{}", doc.headings.join("\n"), doc.tags.join("\n"), doc.subject.as_deref().unwrap_or(""));
    out.add_text(fields.title, tag_text(lang, &title));
    out.add_text(fields.heads, tag_text(lang, &heads));
    out.add_text(fields.body, tag_text(lang, &doc.text));
    for part in [title.as_str(), heads.as_str(), doc.text.as_str()] {
        let tagged = tag_text(lang, part);
        out.add_text(fields.exact, &tagged);
        out.add_text(fields.folded, &tagged);
        out.add_text(fields.tails, tagged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
