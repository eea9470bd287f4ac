//! Building the documents of a sync: each changed file extracted (in a
//! worker process where configured), its language decided, and analysed
//! into a tantivy document, on worker threads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

use tantivy::TantivyDocument;

use super::scan::{FileStamp, FoundFile};
use super::schema::Fields;
use super::{OcrIndexing, SyncContext};
use crate::analysis::tokenizer::tag_text;
use crate::document::{Extracted, Format};
use crate::error::FileError;
use crate::extract::{extract_file, ExtractLimits};
use crate::lang::Lang;

/// A document ready for the writer.
pub(crate) struct BuiltDocument {
    pub doc: TantivyDocument,
    pub warnings: Vec<String>,
}

pub(crate) type Outcome = (FoundFile, bool, std::result::Result<BuiltDocument, FileError>);

/// Extracts and analyses files on `ctx.threads` worker threads, handing each
/// result to `on_result` on the calling thread as soon as it is ready, so
/// memory holds only the documents in flight (the channels are bounded).
pub(crate) fn extract_in_parallel(
    ctx: &SyncContext<'_>,
    work: Vec<(FoundFile, bool)>,
    on_result: &mut dyn FnMut(Outcome),
) {
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
pub(crate) struct Reader {
    #[cfg(unix)]
    pub(crate) worker: Option<crate::extract::worker::Worker>,
}

impl Reader {
    pub(crate) fn new(worker_exe: Option<&Path>) -> Reader {
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

    pub(crate) fn read(
        &mut self,
        path: &Path,
        limits: &ExtractLimits,
    ) -> std::result::Result<(Format, Extracted), FileError> {
        #[cfg(unix)]
        if let Some(answer) = self.worker.as_mut().and_then(|w| w.extract(path, limits)) {
            return answer;
        }
        extract_file(path, limits)
    }
}

/// Extracts, detects the language of, and analyses one file.
pub(crate) fn build_document(
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
    pub(crate) fn identity(&self, hash: u64) -> FileIdentity<'_> {
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
