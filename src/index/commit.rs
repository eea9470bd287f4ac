//! A sync from start to commit: the plan carried out through one tantivy
//! writer, the documents built in parallel fed to it with back-pressure, and
//! everything committed at once with the payload (schema version, failures).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::build::extract_in_parallel;
use super::plan::{plan_sync, SyncPlan};
use super::schema::SCHEMA_VERSION;
use super::{now_secs, CommitPayload, IndexStage, RememberedFailure, SyncContext, SyncProgress, SyncReport};
use crate::error::{Error, FailedFile, Result};

/// Brings the index up to date with the folder. See [`crate::KnowledgeBank::sync`].
pub(crate) fn sync(ctx: &SyncContext<'_>, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
    progress(SyncProgress { stage: IndexStage::Scanning, done: 0, total: 0 });
    let opstamp = committed_opstamp(ctx.index);
    let mut plan = plan_sync(ctx)?;
    if plan.is_noop() {
        return Ok(plan.finish_noop(progress));
    }

    let mut writer = open_writer(ctx)?;
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
    commit(ctx, writer, &failures)?;
    report.failed = failures.iter().map(|f| FailedFile { path: f.path.clone(), reason: f.reason.clone() }).collect();
    progress(SyncProgress { stage: IndexStage::Done, done: total, total });
    Ok(report)
}

/// Takes the writer lock (held by another process, the sync stops with
/// [`Error::Locked`], one clear line, before it has written anything) and
/// sets the writer up.
fn open_writer(ctx: &SyncContext<'_>) -> Result<IndexWriter<TantivyDocument>> {
    let writer_threads = ctx.threads.clamp(1, 2);
    let writer: IndexWriter<TantivyDocument> = ctx
        .index
        .writer_with_num_threads(writer_threads, ctx.writer_memory.max(15_000_000 * writer_threads))
        .map_err(|e| Error::tantivy("opening the index writer", e))?;
    writer.set_merge_policy(Box::new(crate::index::merge::BoundedMergePolicy::new(ctx.index_dir)));
    // A process killed during a commit can leave files that no commit refers
    // to; one of them could carry the very name this commit is about to
    // write (`<segment>.<opstamp>.del`). Clear them out first.
    writer.garbage_collect_files().wait()?;
    Ok(writer)
}

/// Commits everything written, with the payload (schema version, time,
/// remembered failures), waits for merges and reloads the reader.
fn commit(
    ctx: &SyncContext<'_>,
    mut writer: IndexWriter<TantivyDocument>,
    failures: &[RememberedFailure],
) -> Result<()> {
    let payload = CommitPayload { schema_version: SCHEMA_VERSION, last_sync: now_secs(), failed: failures.to_vec() };
    let payload_json = serde_json::to_string(&payload)?;
    let mut prepared = writer.prepare_commit().map_err(|e| Error::tantivy("preparing the commit", e))?;
    prepared.set_payload(&payload_json);
    prepared.commit().map_err(|e| Error::tantivy("committing the index", e))?;
    writer.wait_merging_threads()?;
    ctx.reader.reload()?;
    Ok(())
}

/// The opstamp of the last commit on disk (0 when none can be read).
pub(crate) fn committed_opstamp(index: &Index) -> u64 {
    index.load_metas().map(|m| m.opstamp).unwrap_or(0)
}

/// Most documents waiting in tantivy's queue at once.
pub(crate) const MAX_QUEUED_DOCUMENTS: u64 = 64;

/// Waits until at most [`MAX_QUEUED_DOCUMENTS`] sent documents are still
/// waiting to be analysed by the writer; an error if it makes no progress
/// for a minute.
pub(crate) fn wait_for_writer(counter: &AtomicU64, base: u64, sent: u64) -> Result<()> {
    let mut last = counter.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while sent.saturating_sub(counter.load(Ordering::Relaxed).saturating_sub(base)) > MAX_QUEUED_DOCUMENTS {
        std::thread::sleep(Duration::from_millis(1));
        let now = counter.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > Duration::from_secs(60) {
            return Err(Error::Engine("the index writer stopped making progress".to_string()));
        }
    }
    Ok(())
}
