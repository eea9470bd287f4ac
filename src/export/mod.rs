//! Export: the bank's documents as records for another search engine
//! (Elasticsearch, OpenSearch, or anything that takes JSON), carrying
//! what tietopankki knows before the index: the extracted text, the
//! language, page numbers, and its own analysis keys (stems, compound
//! parts, folded forms).
//!
//! - this module: the records ([`KnowledgeBank::export_records`](crate::KnowledgeBank::export_records));
//! - [`bulk`]: the `_bulk` NDJSON format;
//! - [`template`]: the index template and an example query;
//! - `push` (feature `export-push`): posting `_bulk` requests to a cluster,
//!   incrementally.
//!
//! ## Ids
//!
//! A record's id is the document's path relative to the documents folder
//! (`fi/kotivara.md`), and for a PDF page with `per_page` the path and the
//! page (`fi/opas.pdf#p3`): stable across runs and machines, readable in
//! the cluster, and the same document replaces itself when it changes. An
//! id longer than the engines' 512-byte limit is `xxh3:` and the hex
//! xxh3 hash of that text instead.

pub mod bulk;
#[cfg(feature = "export-push")]
pub mod push;
pub mod state;
pub mod template;

use std::collections::VecDeque;

use serde::Serialize;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::analysis::{for_each_word, Analyzer};
use crate::bank::DocumentRecord;
use crate::document::Format;
use crate::error::Result;
use crate::index::schema::Fields;
use crate::lang::Lang;

/// The longest `_id` Elasticsearch and OpenSearch accept, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// What to export and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// One record per PDF page (id `path#pN`) instead of one per PDF;
    /// other formats still give one record each.
    pub per_page: bool,
    /// The title as `{fi, sv, en}` with the document's language filled,
    /// the shape of the City of Helsinki's unified search.
    pub city_shape: bool,
    /// Base URL of the documents: a record's `url` is this joined with its
    /// path (a page record adds `#page=N`). No `url` without it.
    pub base_url: Option<String>,
}

impl ExportOptions {
    /// A short text naming the options and the analysis version: when it
    /// changes, everything exported before is exported again.
    pub fn fingerprint(&self) -> String {
        format!(
            "v{}/schema{}/per_page={}/city_shape={}/base_url={}",
            env!("CARGO_PKG_VERSION"),
            crate::index::schema::SCHEMA_VERSION,
            self.per_page,
            self.city_shape,
            self.base_url.as_deref().unwrap_or("")
        )
    }
}

/// One record: a document, or one page of a PDF.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRecord {
    /// The record's id (see the [module docs](self)).
    pub id: String,
    /// What changes when the record must be sent again: the file's content
    /// hash and the number of pages read by text recognition.
    pub revision: String,
    /// The document itself.
    pub source: ExportSource,
}

/// The fields of a record, as the engine stores them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportSource {
    /// Path relative to the documents folder.
    pub path: String,
    /// Where the document can be read, when a base URL was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The title.
    pub title: Title,
    /// The document's language.
    pub lang: Lang,
    /// The document's format.
    pub format: Format,
    /// Tags, lowercased.
    pub tags: Vec<String>,
    /// Top-level folder of the path (empty for files at the top).
    pub folder: String,
    /// The document's date as `YYYY-MM-DD`, when its metadata has a valid one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Number of pages (PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// The page of a page record (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// xxh3 hash of the file's bytes, 16 hex digits.
    pub content_hash: String,
    /// The text in the field of its language, for the engine's analyzers.
    pub text: LangText,
    /// tietopankki's own analysis of the title, headings, tags and text.
    pub tp: AnalysisKeys,
}

/// A title: plain, or in the city's `{fi, sv, en}` shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Title {
    /// The title as one string.
    Plain(String),
    /// The title in the field of the document's language, the other two
    /// null (all three keys are there, as in the city's data).
    City {
        /// Finnish.
        fi: Option<String>,
        /// Swedish.
        sv: Option<String>,
        /// English.
        en: Option<String>,
    },
}

/// A text in the field of its language (`fi`, `sv` or `en`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LangText {
    /// Finnish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fi: Option<String>,
    /// Swedish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
    /// English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LangText {
    /// `text` in the field of `lang`.
    pub fn new(lang: Lang, text: String) -> LangText {
        let mut out = LangText::default();
        match lang {
            Lang::Fi => out.fi = Some(text),
            Lang::Sv => out.sv = Some(text),
            Lang::En => out.en = Some(text),
        }
        out
    }
}

/// tietopankki's analysis keys, each a whitespace-joined string in text
/// order (so a whitespace analyzer gives them back as tokens with
/// positions, and phrases still match).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalysisKeys {
    /// Stem keys of the title.
    pub title: String,
    /// Stem keys of the title, headings, tags and text, stop words left
    /// out: the main match key (Finnish consonant gradation included). A
    /// page record has the title's and its page's; headings and tags go
    /// with page 1.
    pub stems: String,
    /// Keys of the possible last parts of compounds (Finnish and Swedish),
    /// so "suunnitelma" finds "valmiussuunnitelmassa".
    pub compounds: String,
    /// Folded stem keys (ä→a, ö→o, å→a), only where folding changes the
    /// key, so "sahkokatko" finds "sähkökatko".
    pub folded: String,
}

impl AnalysisKeys {
    /// The keys of a title and a body in a language, through the same
    /// functions that analyse the index and queries ([`crate::analysis`]).
    pub fn of(lang: Lang, title: &str, body: &[&str]) -> AnalysisKeys {
        let mut keys = AnalysisKeys::default();
        let analyzer = Analyzer::get();
        for_each_word(title, |_, _, _, _, lower| {
            let word = analyzer.keys(lang, lower);
            if !word.stop {
                push_key(&mut keys.title, &word.stem);
            }
        });
        for text in std::iter::once(&title).chain(body) {
            for_each_word(text, |_, _, _, _, lower| {
                let word = analyzer.keys(lang, lower);
                if word.stop {
                    return;
                }
                push_key(&mut keys.stems, &word.stem);
                if word.folded != word.stem {
                    push_key(&mut keys.folded, &word.folded);
                }
                for tail in &word.tails {
                    push_key(&mut keys.compounds, tail);
                }
            });
        }
        keys
    }
}

fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(key);
}

/// The records of a bank, made one document at a time (see
/// [`KnowledgeBank::export_records`](crate::KnowledgeBank::export_records)).
pub struct ExportRecords {
    searcher: Searcher,
    fields: Fields,
    options: ExportOptions,
    documents: Vec<ExportDocument>,
    next: usize,
    ready: VecDeque<ExportRecord>,
}

/// A document of an export, before its records are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDocument {
    /// Path relative to the documents folder.
    pub path: String,
    /// See [`ExportRecord::revision`].
    pub revision: String,
    address: DocAddress,
}

impl ExportRecords {
    /// Lists the documents of the index (fast fields only), sorted by path.
    pub(crate) fn new(searcher: Searcher, fields: Fields, options: ExportOptions) -> Result<ExportRecords> {
        let mut documents = Vec::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let fast = segment.fast_fields();
            let Some(paths) = fast.str("path")? else { continue };
            let hashes = fast.u64("hash")?;
            let ocr = fast.u64("ocr_page_count").ok();
            let alive = segment.alive_bitset();
            for doc_id in 0..segment.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc_id)) {
                    continue;
                }
                let mut path = String::new();
                if let Some(ord) = paths.term_ords(doc_id).next() {
                    paths.ord_to_str(ord, &mut path)?;
                }
                let hash = hashes.first(doc_id).unwrap_or(0);
                let ocr_pages = ocr.as_ref().and_then(|c| c.first(doc_id)).unwrap_or(0);
                let revision = format!("{hash:016x}-{ocr_pages}");
                documents.push(ExportDocument { path, revision, address: DocAddress::new(ordinal as u32, doc_id) });
            }
        }
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(ExportRecords { searcher, fields, options, documents, next: 0, ready: VecDeque::new() })
    }

    /// The documents still to be made into records, in order.
    pub fn documents(&self) -> &[ExportDocument] {
        self.documents.get(self.next..).unwrap_or_default()
    }

    /// Keeps only the documents for which `keep(path, revision)` is true,
    /// before any is read: an incremental export skips unchanged documents
    /// without analysing them.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        let mut index = 0;
        let next = self.next;
        self.documents.retain(|d| {
            index += 1;
            index <= next || keep(&d.path, &d.revision)
        });
    }

    /// Reads one document and makes its records.
    fn make(&self, document: &ExportDocument) -> Result<Vec<ExportRecord>> {
        let doc: TantivyDocument = self.searcher.doc(document.address)?;
        let record = DocumentRecord::from_stored(&self.fields, &doc, true);
        let hash = doc.get_first(self.fields.hash).and_then(|v| v.as_u64()).unwrap_or(0);
        Ok(records_of(record, hash, &document.revision, &self.options))
    }
}

impl Iterator for ExportRecords {
    type Item = Result<ExportRecord>;

    fn next(&mut self) -> Option<Result<ExportRecord>> {
        loop {
            if let Some(record) = self.ready.pop_front() {
                return Some(Ok(record));
            }
            let document = self.documents.get(self.next)?.clone();
            self.next += 1;
            match self.make(&document) {
                Ok(records) => self.ready.extend(records),
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

/// The records of one document: one, or one per page of a PDF with `per_page`.
pub fn records_of(doc: DocumentRecord, hash: u64, revision: &str, options: &ExportOptions) -> Vec<ExportRecord> {
    let text = doc.text.clone().unwrap_or_default();
    let folder = doc.path.split_once('/').map(|(top, _)| top.to_string()).unwrap_or_default();
    let date = doc.date.as_deref().filter(|d| crate::dates::date_to_secs(d).is_some()).and_then(|d| d.get(..10));
    let base = ExportSource {
        path: doc.path.clone(),
        url: options.base_url.as_deref().map(|base| join_url(base, &doc.path)),
        title: if options.city_shape {
            let LangText { fi, sv, en } = LangText::new(doc.lang, doc.title.clone());
            Title::City { fi, sv, en }
        } else {
            Title::Plain(doc.title.clone())
        },
        lang: doc.lang,
        format: doc.format,
        tags: doc.tags.clone(),
        folder,
        date: date.map(str::to_string),
        pages: doc.pages,
        page: None,
        content_hash: format!("{hash:016x}"),
        text: LangText::default(),
        tp: AnalysisKeys::default(),
    };
    let record = |id: String, page: Option<u32>, body: &str, with_meta: bool| {
        let mut source = base.clone();
        let meta: Vec<&str> = if with_meta {
            doc.headings.iter().chain(&doc.tags).map(String::as_str).chain([body]).collect()
        } else {
            vec![body]
        };
        source.tp = AnalysisKeys::of(doc.lang, &doc.title, &meta);
        source.text = LangText::new(doc.lang, body.to_string());
        source.page = page;
        if let (Some(url), Some(page)) = (&mut source.url, page) {
            url.push_str(&format!("#page={page}"));
        }
        ExportRecord { id: record_id(&id), revision: revision.to_string(), source }
    };
    if !(options.per_page && doc.format == Format::Pdf && !doc.page_starts.is_empty()) {
        return vec![record(doc.path.clone(), None, &text, true)];
    }
    let starts = &doc.page_starts;
    (0..starts.len())
        .map(|i| {
            let start = starts[i] as usize;
            let end = starts.get(i + 1).map_or(text.len(), |&e| e as usize);
            let body =
                text.get(start..end).unwrap_or_default().trim_matches(|c: char| c == '\u{c}' || c.is_whitespace());
            let page = i as u32 + 1;
            record(format!("{}#p{page}", doc.path), Some(page), body, i == 0)
        })
        .collect()
}

/// `id` itself, or `xxh3:` and its hash when it is too long for an engine.
pub fn record_id(id: &str) -> String {
    if id.len() <= MAX_ID_BYTES {
        id.to_string()
    } else {
        format!("xxh3:{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    }
}

/// `base` and a relative path, each path segment percent-encoded.
fn join_url(base: &str, path: &str) -> String {
    let mut url = base.trim_end_matches('/').to_string();
    for segment in path.split('/') {
        url.push('/');
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                url.push(byte as char);
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ids_are_hashed_and_urls_encoded() {
        assert_eq!(record_id("fi/a.md"), "fi/a.md");
        let long = "a".repeat(MAX_ID_BYTES + 1);
        assert!(record_id(&long).starts_with("xxh3:"));
        assert_eq!(join_url("https://x.fi/docs/", "fi/ä b.pdf"), "https://x.fi/docs/fi/%C3%A4%20b.pdf");
    }

    #[test]
    fn keys_come_from_the_analysis() {
        let keys = AnalysisKeys::of(Lang::Fi, "Sähkökatko", &["valmiussuunnitelmassa"]);
        let analyzer = Analyzer::get();
        assert!(keys.stems.split(' ').any(|k| k == analyzer.stem(Lang::Fi, "sähkökatko")));
        assert!(keys.folded.split(' ').any(|k| k == analyzer.folded(Lang::Fi, "sähkökatko")));
        assert!(keys.compounds.split(' ').any(|k| k == analyzer.stem(Lang::Fi, "suunnitelma")));
    }
}
