//! What the bank tells about its documents: one document as stored, the
//! list of all, and the bank's state for status pages.

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::document::Format;
use crate::error::FailedFile;
use crate::index::schema::Fields;
use crate::lang::Lang;

/// One document as stored in the index.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentRecord {
    /// Path relative to the documents folder, `/`-separated.
    pub path: String,
    /// Title.
    pub title: String,
    /// Language.
    pub lang: Lang,
    /// Format.
    pub format: Format,
    /// Number of pages (PDF).
    pub pages: Option<u32>,
    /// Tags (lowercased).
    pub tags: Vec<String>,
    /// Author, if the file names one.
    pub author: Option<String>,
    /// Date from the file's metadata.
    pub date: Option<String>,
    /// Headings, in order.
    pub headings: Vec<String>,
    /// File size in bytes.
    pub size: u64,
    /// File modification time, seconds since 1970.
    pub modified: i64,
    /// Problems met while extracting the text.
    pub warnings: Vec<String>,
    /// Pages whose text came from text recognition (it may hold recognition errors).
    #[serde(default)]
    pub ocr_pages: Vec<u32>,
    /// Tesseract's mean word confidence (0–100) over those pages.
    #[serde(default)]
    pub ocr_confidence: Option<f32>,
    /// Scanned pages still waiting for text recognition.
    #[serde(default)]
    pub ocr_pending_pages: Vec<u32>,
    /// For paged formats, the byte offset in `text` where each page starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_starts: Vec<u32>,
    /// The extracted text (omitted by listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl DocumentRecord {
    /// The record of a stored document.
    pub(crate) fn from_stored(f: &Fields, doc: &TantivyDocument, with_text: bool) -> DocumentRecord {
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let lines = |field| text(field).map(|s| s.lines().map(str::to_string).collect()).unwrap_or_default();
        let u32s = |field| {
            doc.get_first(field).and_then(|v| v.as_bytes()).map(crate::index::schema::decode_u32s).unwrap_or_default()
        };
        DocumentRecord {
            path: text(f.path).unwrap_or_default(),
            title: text(f.title_text).unwrap_or_default(),
            lang: text(f.lang).and_then(|l| l.parse().ok()).unwrap_or(Lang::En),
            format: text(f.format).and_then(|l| l.parse().ok()).unwrap_or(Format::Text),
            pages: doc.get_first(f.pages).and_then(|v| v.as_u64()).map(|p| p as u32),
            tags: doc.get_all(f.tag).filter_map(|v| v.as_str().map(str::to_string)).collect(),
            author: text(f.author),
            date: text(f.date),
            headings: lines(f.headings_text),
            size: doc.get_first(f.size).and_then(|v| v.as_u64()).unwrap_or(0),
            modified: doc.get_first(f.mtime).and_then(|v| v.as_i64()).unwrap_or(0) / 1_000_000_000,
            warnings: lines(f.warnings),
            ocr_pages: u32s(f.ocr_pages),
            ocr_confidence: doc.get_first(f.ocr_confidence).and_then(|v| v.as_f64()).map(|c| c as f32),
            ocr_pending_pages: u32s(f.ocr_pending_pages),
            page_starts: u32s(f.page_starts),
            text: if with_text { text(f.text) } else { None },
        }
    }
}

/// A short description of one indexed document, for listings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentSummary {
    /// Path relative to the documents folder.
    pub path: String,
    /// Language.
    pub lang: Lang,
    /// Format.
    pub format: Format,
    /// Number of pages (PDF), else `None`.
    pub pages: Option<u32>,
    /// For PDFs, how many pages' text came from text recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_pages: Option<u32>,
    /// Title.
    pub title: String,
    /// When the file was last changed (added, or changed since), seconds since 1970.
    #[serde(default)]
    pub modified: i64,
}

/// The fast-field columns a [`DocumentSummary`] is read from, in one segment.
pub(crate) struct SummaryColumns {
    paths: tantivy::columnar::StrColumn,
    langs: tantivy::columnar::StrColumn,
    formats: tantivy::columnar::StrColumn,
    titles: tantivy::columnar::StrColumn,
    pages: Option<tantivy::columnar::Column<u64>>,
    ocr_pages: Option<tantivy::columnar::Column<u64>>,
    mtimes: Option<tantivy::columnar::Column<i64>>,
}

impl SummaryColumns {
    /// The columns of `segment`; `None` when it has no documents' text columns.
    pub(crate) fn open(segment: &tantivy::SegmentReader) -> tantivy::Result<Option<SummaryColumns>> {
        let fast = segment.fast_fields();
        let (Some(paths), Some(langs), Some(formats), Some(titles)) =
            (fast.str("path")?, fast.str("lang")?, fast.str("format")?, fast.str("title_text")?)
        else {
            return Ok(None);
        };
        Ok(Some(SummaryColumns {
            paths,
            langs,
            formats,
            titles,
            pages: fast.u64("pages").ok(),
            ocr_pages: fast.u64("ocr_page_count").ok(),
            mtimes: fast.i64("mtime").ok(),
        }))
    }

    /// The summary of one document of the segment.
    pub(crate) fn summary(&self, doc_id: u32) -> DocumentSummary {
        let text = |column: &tantivy::columnar::StrColumn| -> String {
            let mut value = String::new();
            if let Some(ord) = column.term_ords(doc_id).next() {
                let _ = column.ord_to_str(ord, &mut value);
            }
            value
        };
        let format = text(&self.formats).parse().unwrap_or(Format::Text);
        DocumentSummary {
            path: text(&self.paths),
            lang: text(&self.langs).parse().unwrap_or(Lang::En),
            format,
            pages: self.pages.as_ref().and_then(|c| c.first(doc_id)).map(|p| p as u32),
            ocr_pages: self
                .ocr_pages
                .as_ref()
                .and_then(|c| c.first(doc_id))
                .filter(|_| format == Format::Pdf)
                .map(|p| p as u32),
            title: text(&self.titles),
            modified: self.mtimes.as_ref().and_then(|c| c.first(doc_id)).unwrap_or(0) / 1_000_000_000,
        }
    }
}

/// The state of the bank, for status pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// Documents in the index.
    pub documents: u64,
    /// Time of the last sync that changed the index, seconds since 1970.
    pub last_sync: Option<i64>,
    /// Files that could not be indexed, with reasons.
    pub failed: Vec<FailedFile>,
}
