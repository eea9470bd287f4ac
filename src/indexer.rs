//! Stage 4: indexing. Walks the documents folder, decides per file whether it
//! is new, changed, unchanged or gone, extracts the changed ones on worker
//! threads, and writes them through one tantivy writer in one atomic commit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use std::time::{SystemTime, UNIX_EPOCH};

use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};
use walkdir::WalkDir;

use crate::analysis::tokenizer::tag_text;
use crate::document::{Extracted, Format};
use crate::error::{FailedFile, FileError, Result};
use crate::extract::{extract_file, ExtractLimits};
use crate::lang::Lang;
use crate::schema::{Fields, SCHEMA_VERSION};

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
}

impl SyncReport {
    /// Whether the sync changed the index.
    pub fn changed_anything(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

/// A file's identity for change detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    pub size: u64,
    pub mtime: i64,
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

/// A file found in the documents folder.
#[derive(Debug, Clone)]
struct FoundFile {
    rel: String,
    abs: PathBuf,
    stamp: FileStamp,
}

/// Lists the indexable files under `root`. Hidden files and folders, editor
/// temp files and symlinks that point outside `root` are skipped.
pub(crate) fn scan_folder(root: &Path) -> Vec<(String, PathBuf)> {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    let walker = WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored_name(e.file_name().to_string_lossy().as_ref())) {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            // Follow a link only when its target is a file inside the folder.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                _ => continue,
            }
        } else if !file_type.is_file() {
            continue;
        }
        if Format::from_path(path).is_none() {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let Some(rel) = relative_key(rel) else { continue };
        out.push((rel, path.to_path_buf()));
    }
    out
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

/// Names the walker skips: hidden files, editor and download temp files.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.starts_with('#')
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp", ".temp", ".part", ".crdownload", ".partial", ".download"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

fn stamp_of(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0);
    Some(FileStamp { size: meta.len(), mtime })
}

/// What the index holds for one path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexedStamp {
    pub stamp: FileStamp,
}

/// Reads path → (size, mtime) of every live document from fast fields.
pub(crate) fn indexed_stamps(reader: &IndexReader) -> Result<HashMap<String, IndexedStamp>> {
    let searcher = reader.searcher();
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(paths) = fast.str("path")? else { continue };
        let sizes = fast.u64("size")?;
        let mtimes = fast.i64("mtime")?;
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
            let stamp = FileStamp { size: sizes.first(doc).unwrap_or(0), mtime: mtimes.first(doc).unwrap_or(0) };
            out.insert(buf.clone(), IndexedStamp { stamp });
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
    /// Counts the documents tantivy's indexing threads have analysed.
    pub indexed_counter: Arc<AtomicU64>,
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
    writer.set_merge_policy(Box::new(crate::merge::BoundedMergePolicy::new(ctx.index_dir)));
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
    for (rel, abs) in scan_folder(ctx.documents_dir) {
        let Some(stamp) = stamp_of(&abs) else { continue };
        on_disk.insert(rel.clone());
        if let Some(old) = indexed.get(&rel) {
            if old.stamp == stamp && !remembered.contains_key(rel.as_str()) {
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
        work.push((FoundFile { rel, abs, stamp }, is_update));
    }
    let removed: Vec<String> = indexed.keys().filter(|p| !on_disk.contains(*p)).cloned().collect();
    let failures_changed = failures.len() != payload.failed.len();

    Ok(SyncPlan { report, work, removed, failures, failures_changed })
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
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let result_tx = result_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok((file, is_update)) = job else { break };
                // A panic anywhere in extraction or analysis costs this file only.
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_document(&fields, &file, &limits)))
                        .unwrap_or_else(|_| Err(FileError::Internal("the reader failed unexpectedly".to_string())));
                if result_tx.send((file, is_update, outcome)).is_err() {
                    break;
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

/// Extracts, detects the language of, and analyses one file.
fn build_document(
    fields: &Fields,
    file: &FoundFile,
    limits: &ExtractLimits,
) -> std::result::Result<BuiltDocument, FileError> {
    let (format, extracted) = extract_file(&file.abs, limits)?;
    let lang = crate::extract::detect_language(&extracted);
    let doc = to_tantivy(fields, &file.rel, format, lang, &extracted, file.stamp, extracted.source_hash);
    Ok(BuiltDocument { doc, warnings: extracted.warnings })
}

/// Builds the tantivy document for an extracted file.
pub(crate) fn to_tantivy(
    fields: &Fields,
    rel: &str,
    format: Format,
    lang: Lang,
    doc: &Extracted,
    stamp: FileStamp,
    hash: u64,
) -> TantivyDocument {
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
        crate::schema::facet_key(lang.code(), format.name(), folder, seen_tags.keys().map(String::as_str)),
    );
    if let Some(author) = &doc.author {
        out.add_text(fields.author, author);
    }
    if let Some(date) = &doc.date {
        out.add_text(fields.date, date);
    }
    let recency = doc.date.as_deref().and_then(date_to_secs).unwrap_or(stamp.mtime / 1_000_000_000);
    out.add_i64(fields.recency, recency);
    out.add_text(fields.headings_text, doc.headings.join("\n"));
    if let Some(pages) = doc.pages() {
        out.add_u64(fields.pages, pages as u64);
        let bytes: Vec<u8> = doc.page_starts.iter().flat_map(|&s| (s as u32).to_le_bytes()).collect();
        out.add_bytes(fields.page_starts, &bytes);
    }
    out.add_u64(fields.size, stamp.size);
    out.add_i64(fields.mtime, stamp.mtime);
    out.add_u64(fields.hash, hash);
    if !doc.warnings.is_empty() {
        out.add_text(fields.warnings, doc.warnings.join("\n"));
    }

    // The indexed fields get language-tagged text; tantivy's indexing
    // threads analyse it (see analysis::tokenizer).
    let heads = format!("{}\n{}", doc.headings.join("\n"), doc.tags.join("\n"));
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

/// Parses `YYYY-MM-DD` (optionally followed by a time) to seconds since 1970.
pub(crate) fn date_to_secs(date: &str) -> Option<i64> {
    let date = date.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        for name in [".hidden.md", "~$report.docx", ".#notes.md", "notes.md.swp", "file.md~", "x.pdf.part"] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in ["kotivara.md", "report.pdf", "a~b.md"] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date_to_secs("1970-01-02"), Some(86_400));
        assert_eq!(date_to_secs("2025-03-01T10:00"), Some(1_740_787_200));
        assert_eq!(date_to_secs("yesterday"), None);
    }
}
