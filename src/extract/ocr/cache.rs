//! What text recognition has read, kept by the file's content hash so that a
//! re-sync, a rebuilt index or a restart never reads the same scan twice, and
//! the step that puts it into an [`Extracted`] document.
//!
//! The cache is a folder of small JSON files, `<index>/ocr-cache/<hash>.json`,
//! one per scanned file, written after every page (a page at a time, so an
//! interrupted run loses at most the page it was on).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::RecognisedPage;
use crate::document::Extracted;

/// The name of the cache folder inside the index folder.
pub const CACHE_DIR: &str = "ocr-cache";

/// Version of the cache files; a file of another version is read afresh.
const CACHE_VERSION: u32 = 1;

/// A cache file larger than this is not ours (the text of a 200-page scan
/// is well under a megabyte).
const MAX_CACHE_FILE_BYTES: u64 = 64 << 20;

/// What text recognition has done with one scanned file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScanRecord {
    #[serde(default)]
    version: u32,
    /// Recognised pages, by page number (from 1).
    #[serde(default)]
    pub pages: BTreeMap<u32, RecognisedPage>,
    /// Pages that could not be read, with the reason (not tried again).
    #[serde(default)]
    pub failed: BTreeMap<u32, String>,
    /// Time spent on this file so far, in milliseconds.
    #[serde(default)]
    pub spent_ms: u64,
    /// Why recognition stopped before the last page (the time limit), if it did.
    #[serde(default)]
    pub stopped: Option<String>,
}

impl ScanRecord {
    /// The scanned pages still to read, within `max_pages` scanned pages per
    /// document: none once recognition was stopped.
    pub fn pending(&self, scanned: &[u32], max_pages: usize) -> Vec<u32> {
        if self.stopped.is_some() {
            return Vec::new();
        }
        scanned
            .iter()
            .take(max_pages)
            .copied()
            .filter(|p| !self.pages.contains_key(p) && !self.failed.contains_key(p))
            .collect()
    }
}

/// The cache folder of an index.
#[derive(Debug, Clone)]
pub struct OcrCache {
    dir: PathBuf,
}

impl OcrCache {
    /// The cache of the index at `index_dir`.
    pub fn new(index_dir: &Path) -> OcrCache {
        OcrCache { dir: index_dir.join(CACHE_DIR) }
    }

    fn file(&self, hash: u64) -> PathBuf {
        self.dir.join(format!("{hash:016x}.json"))
    }

    /// What is known of the file with content hash `hash` (nothing, when it
    /// was never read or its cache file cannot be used).
    pub fn load(&self, hash: u64) -> ScanRecord {
        let path = self.file(hash);
        let Ok(meta) = std::fs::metadata(&path) else { return ScanRecord::default() };
        if meta.len() > MAX_CACHE_FILE_BYTES {
            tracing::warn!(path = %path.display(), "text recognition cache file too large: ignored");
            return ScanRecord::default();
        }
        let read = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice::<ScanRecord>(&bytes).ok());
        match read {
            Some(record) if record.version == CACHE_VERSION => record,
            _ => {
                tracing::warn!(path = %path.display(), "unreadable text recognition cache file: read again");
                ScanRecord::default()
            }
        }
    }

    /// Writes the record of the file with content hash `hash` (to a
    /// temporary file first, then renamed, so a reader never sees half of it).
    pub fn save(&self, hash: u64, record: &ScanRecord) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let record = ScanRecord { version: CACHE_VERSION, ..record.clone() };
        let json = serde_json::to_vec(&record).map_err(std::io::Error::other)?;
        let path = self.file(hash);
        let temporary = path.with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&temporary, json)?;
        std::fs::rename(&temporary, &path)
    }
}

/// Puts the recognised pages of `record` into a scanned document `doc`, and
/// notes in its warnings what was not read (failed pages, the page limit,
/// the time limit). Returns the scanned pages still to be read. `name` (the
/// file name without extension) is the title of a scan with no title of its
/// own until its first page is read.
pub fn apply(doc: &mut Extracted, record: &ScanRecord, max_pages: usize, name: &str) -> Vec<u32> {
    if doc.scanned_pages.is_empty() {
        return Vec::new();
    }
    let recognised: BTreeMap<u32, &RecognisedPage> = record
        .pages
        .iter()
        .filter(|(page, _)| doc.scanned_pages.contains(page))
        .map(|(&page, read)| (page, read))
        .collect();
    if !recognised.is_empty() {
        replace_pages(doc, &recognised);
    }
    for (page, why) in &record.failed {
        doc.warnings.push(format!("page {page}: text recognition failed: {why}"));
    }
    let scanned = doc.scanned_pages.len();
    if let Some(why) = &record.stopped {
        doc.warnings
            .push(format!("text recognition stopped at {why}: {} of {scanned} scanned pages read", recognised.len()));
    } else if scanned > max_pages {
        doc.warnings.push(format!(
            "text recognition stopped at the page limit: {max_pages} of {scanned} scanned pages read, the rest not (raise it with --ocr-max-pages)"
        ));
    }
    if doc.title.is_none() {
        let first_read = recognised.values().next().and_then(|read| super::super::title_from_first_page(&read.text));
        doc.title = Some(first_read.unwrap_or_else(|| super::super::title_from_file_name(name)));
    }
    record.pending(&doc.scanned_pages, max_pages)
}

/// Rebuilds the text with the recognised pages in place of their empty
/// text layer, page offsets moved to match.
fn replace_pages(doc: &mut Extracted, recognised: &BTreeMap<u32, &RecognisedPage>) {
    let mut ends: Vec<usize> = doc.page_starts.iter().skip(1).copied().collect();
    ends.push(doc.text.len());
    let mut text = String::with_capacity(doc.text.len() + recognised.values().map(|r| r.text.len()).sum::<usize>());
    let mut starts = Vec::with_capacity(doc.page_starts.len());
    let (mut confidence, mut words) = (0f64, 0f64);
    for (i, (&start, &end)) in doc.page_starts.iter().zip(&ends).enumerate() {
        let page = i as u32 + 1;
        starts.push(text.len());
        match recognised.get(&page) {
            Some(read) => {
                let clean = crate::extract::normalise_text(&read.text);
                text.push_str(clean.trim_end());
                text.push('\n');
                // Pages weigh by their words: a nearly empty page's confidence says little.
                let n = clean.split_whitespace().count().max(1) as f64;
                confidence += f64::from(read.confidence) * n;
                words += n;
                doc.ocr_pages.push(page);
            }
            None => text.push_str(doc.text.get(start..end).unwrap_or("\n")),
        }
    }
    doc.text = text;
    doc.page_starts = starts;
    doc.ocr_confidence = (words > 0.0).then(|| (confidence / words) as f32);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_of(pages: &[&str], scanned: &[u32]) -> Extracted {
        let mut doc = Extracted { scanned_pages: scanned.to_vec(), ..Extracted::default() };
        for page in pages {
            doc.page_starts.push(doc.text.len());
            doc.text.push_str(page);
            doc.text.push('\n');
        }
        doc
    }

    fn read(text: &str, confidence: f32) -> RecognisedPage {
        RecognisedPage { text: text.to_string(), confidence, lang: None }
    }

    #[test]
    fn recognised_pages_take_the_place_of_the_scanned_ones() {
        // A mixed file: page 1 has text, pages 2 and 3 are scans.
        let mut doc = scan_of(&["Kotivara kuntoon", "", ""], &[2, 3]);
        let mut record = ScanRecord::default();
        record.pages.insert(2, read("Vesi ja ruoka\nkolmeksi päiväksi", 90.0));
        let pending = apply(&mut doc, &record, 100, "kotivara");
        assert_eq!(pending, vec![3]);
        assert_eq!(doc.text, "Kotivara kuntoon\nVesi ja ruoka\nkolmeksi päiväksi\n\n");
        assert_eq!(doc.page_of(doc.text.find("ruoka").unwrap()), Some(2));
        assert_eq!(doc.page_starts.len(), 3);
        assert_eq!(doc.ocr_pages, vec![2]);
        assert_eq!(doc.ocr_confidence, Some(90.0));
        assert_eq!(doc.title.as_deref(), Some("Vesi ja ruoka"), "the first read page gives the title");
    }

    #[test]
    fn a_scan_not_yet_read_is_titled_by_its_name_and_the_limits_are_reported() {
        let scanned: Vec<u32> = (1..=5).collect();
        let mut doc = scan_of(&[""; 5], &scanned);
        let pending = apply(&mut doc, &ScanRecord::default(), 3, "poytakirja_2024-03");
        assert_eq!(pending, vec![1, 2, 3], "only the first three pages, within the limit");
        assert_eq!(doc.title.as_deref(), Some("poytakirja 2024 03"));
        assert!(doc.warnings.iter().any(|w| w.contains("page limit: 3 of 5")), "{:?}", doc.warnings);
        assert!(doc.ocr_pages.is_empty() && doc.ocr_confidence.is_none());

        let stopped = ScanRecord { stopped: Some("the time limit (1 min)".to_string()), ..ScanRecord::default() };
        let mut doc = scan_of(&[""; 5], &scanned);
        assert!(apply(&mut doc, &stopped, 100, "x").is_empty(), "a stopped scan waits for nothing more");
        assert!(doc.warnings.iter().any(|w| w.contains("time limit")), "{:?}", doc.warnings);
    }

    #[test]
    fn the_cache_keeps_a_record_by_content_hash() {
        let dir = tempfile::tempdir().unwrap();
        let cache = OcrCache::new(dir.path());
        assert_eq!(cache.load(7), ScanRecord::default());
        let mut record = ScanRecord { spent_ms: 1200, ..ScanRecord::default() };
        record.pages.insert(1, read("Hallituksen kokous", 93.5));
        record.failed.insert(2, "timed out".to_string());
        cache.save(7, &record).unwrap();
        let back = cache.load(7);
        assert_eq!(back.pages, record.pages);
        assert_eq!(back.failed, record.failed);
        assert_eq!(back.pending(&[1, 2, 3], 100), vec![3]);
        assert_eq!(cache.load(8), ScanRecord::default(), "another hash, another file");
        std::fs::write(dir.path().join(CACHE_DIR).join(format!("{:016x}.json", 9u64)), "{garbled").unwrap();
        assert_eq!(cache.load(9), ScanRecord::default(), "a garbled file is read again, not an error");
    }
}
