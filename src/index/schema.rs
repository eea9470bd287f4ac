//! The index schema, as a typed struct of fields (no string look-ups of field
//! names elsewhere), and its version number.

use crate::analysis::tokenizer::names;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Bumped whenever the schema or the analysis changes in a way that makes
/// an older index wrong; an index with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 11;

/// All fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Path relative to the documents folder (`fi/kotivara.md`): the document's identity.
    pub path: Field,
    /// Top-level folder of the path (`fi`), for facets and filters; empty for files at the top.
    pub folder: Field,
    /// Title as displayed (also a fast field, so listing documents reads
    /// no stored text).
    pub title_text: Field,
    /// Body text as displayed and used for snippets.
    pub text: Field,
    /// Language code (`fi`/`sv`/`en`).
    pub lang: Field,
    /// Format name (`pdf`/`markdown`/`text`).
    pub format: Field,
    /// Tags, lowercased, one value each.
    pub tag: Field,
    /// The document's facet values in one fast-field string (see
    /// [`facet_key`]), so counting facets reads one value per document.
    pub facet_key: Field,
    /// Author, as displayed.
    pub author: Field,
    /// Date from the document's metadata, as text.
    pub date: Field,
    /// The document's date (or file time) as seconds since 1970, for tie-breaking.
    pub recency: Field,
    /// Headings joined with newlines, stored for display.
    pub headings_text: Field,
    /// Number of pages (PDF; also a fast field).
    pub pages: Field,
    /// Byte offsets where each page starts in `text`, as little-endian u32s.
    pub page_starts: Field,
    /// File size in bytes.
    pub size: Field,
    /// File modification time, nanoseconds since 1970.
    pub mtime: Field,
    /// The file's inode number (0 where the platform has none).
    pub inode: Field,
    /// The file's status-change time, nanoseconds since 1970 (0 where none).
    pub ctime: Field,
    /// When the sync that indexed the file took its stamp, nanoseconds since 1970.
    pub seen: Field,
    /// xxh3 hash of the file's content.
    pub hash: Field,
    /// Warnings from extraction, newline separated.
    pub warnings: Field,
    /// Pages whose text came from text recognition, as little-endian u32s.
    pub ocr_pages: Field,
    /// How many pages' text came from text recognition (a fast field, for listings).
    pub ocr_page_count: Field,
    /// Tesseract's mean word confidence over the recognised pages.
    pub ocr_confidence: Field,
    /// Scanned pages still waiting for text recognition, as little-endian u32s.
    pub ocr_pending_pages: Field,
    /// How many scanned pages are still waiting (a fast field: the
    /// background pass finds its work without reading stored documents).
    pub ocr_pending: Field,
    /// Stem keys of the title.
    pub title: Field,
    /// Stem keys of the headings and tags.
    pub heads: Field,
    /// Stem keys of the body.
    pub body: Field,
    /// Exact lowercased words of title, headings and body.
    pub exact: Field,
    /// Folded (accent-free) stem keys of title, headings and body, only
    /// where folding changes the stem key.
    pub folded: Field,
    /// Compound tails of title, headings and body (Finnish and Swedish).
    pub tails: Field,
}

impl Fields {
    /// Builds the schema and its fields.
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let keyword = STRING | STORED | FAST;
        let indexed = |tokenizer: &str, option| {
            TextOptions::default()
                .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(option))
        };
        let positions = IndexRecordOption::WithFreqsAndPositions;
        let freqs = IndexRecordOption::WithFreqs;
        // Exact forms and compound tails are a bonus and a bridge: which
        // documents hold them is enough, and each text gives each once.
        let presence = IndexRecordOption::Basic;
        let number = NumericOptions::default().set_stored().set_fast();
        let fields = Fields {
            path: b.add_text_field("path", keyword.clone()),
            folder: b.add_text_field("folder", STRING | FAST),
            title_text: b.add_text_field("title_text", STORED | TextOptions::default().set_fast("raw")),
            text: b.add_text_field("text", STORED),
            lang: b.add_text_field("lang", keyword.clone()),
            format: b.add_text_field("format", keyword.clone()),
            tag: b.add_text_field("tag", keyword),
            facet_key: b.add_text_field("facet_key", TextOptions::default().set_fast("raw")),
            author: b.add_text_field("author", STORED),
            date: b.add_text_field("date", STORED),
            recency: b.add_i64_field("recency", number.clone()),
            headings_text: b.add_text_field("headings_text", STORED),
            pages: b.add_u64_field("pages", number.clone()),
            page_starts: b.add_bytes_field("page_starts", STORED),
            size: b.add_u64_field("size", number.clone()),
            mtime: b.add_i64_field("mtime", number.clone()),
            inode: b.add_u64_field("inode", NumericOptions::default().set_fast()),
            ctime: b.add_i64_field("ctime", NumericOptions::default().set_fast()),
            seen: b.add_i64_field("seen", NumericOptions::default().set_fast()),
            hash: b.add_u64_field("hash", number.clone()),
            warnings: b.add_text_field("warnings", STORED),
            ocr_pages: b.add_bytes_field("ocr_pages", STORED),
            ocr_page_count: b.add_u64_field("ocr_page_count", number.clone()),
            ocr_confidence: b.add_f64_field("ocr_confidence", STORED),
            ocr_pending_pages: b.add_bytes_field("ocr_pending_pages", STORED),
            ocr_pending: b.add_u64_field("ocr_pending", number),
            title: b.add_text_field("title", indexed(names::STEM, positions)),
            heads: b.add_text_field("heads", indexed(names::STEM, positions)),
            body: b.add_text_field("body", indexed(names::BODY, positions)),
            exact: b.add_text_field("exact", indexed(names::EXACT, presence)),
            folded: b.add_text_field("folded", indexed(names::FOLDED, freqs)),
            tails: b.add_text_field("tails", indexed(names::TAILS, presence)),
        };
        (b.build(), fields)
    }

    /// Looks the fields up in an existing index's schema.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            path: f("path")?,
            folder: f("folder")?,
            title_text: f("title_text")?,
            text: f("text")?,
            lang: f("lang")?,
            format: f("format")?,
            tag: f("tag")?,
            facet_key: f("facet_key")?,
            author: f("author")?,
            date: f("date")?,
            recency: f("recency")?,
            headings_text: f("headings_text")?,
            pages: f("pages")?,
            page_starts: f("page_starts")?,
            size: f("size")?,
            mtime: f("mtime")?,
            inode: f("inode")?,
            ctime: f("ctime")?,
            seen: f("seen")?,
            hash: f("hash")?,
            warnings: f("warnings")?,
            ocr_pages: f("ocr_pages")?,
            ocr_page_count: f("ocr_page_count")?,
            ocr_confidence: f("ocr_confidence")?,
            ocr_pending_pages: f("ocr_pending_pages")?,
            ocr_pending: f("ocr_pending")?,
            title: f("title")?,
            heads: f("heads")?,
            body: f("body")?,
            exact: f("exact")?,
            folded: f("folded")?,
            tails: f("tails")?,
        })
    }
}

/// Page numbers (or offsets) as little-endian u32s, for a bytes field.
pub(crate) fn encode_u32s(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_le_bytes).collect()
}

/// The numbers of a bytes field written by [`encode_u32s`].
pub(crate) fn decode_u32s(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// Separates the parts of a facet key.
const FACET_SEPARATOR: char = '\u{1f}';
/// Separates the tags inside a facet key.
const TAG_SEPARATOR: char = '\u{1e}';

/// The facet key of a document: language, format, top-level folder and tags
/// in one string.
pub fn facet_key<'a>(lang: &str, format: &str, folder: &str, tags: impl IntoIterator<Item = &'a str>) -> String {
    let mut key = format!("{lang}{FACET_SEPARATOR}{format}{FACET_SEPARATOR}{folder}{FACET_SEPARATOR}");
    for (i, tag) in tags.into_iter().enumerate() {
        if i > 0 {
            key.push(TAG_SEPARATOR);
        }
        key.push_str(tag);
    }
    key
}

/// The parts of a facet key: language, format, folder and tags.
pub fn split_facet_key(key: &str) -> Option<(&str, &str, &str, impl Iterator<Item = &str>)> {
    let mut parts = key.splitn(4, FACET_SEPARATOR);
    let (lang, format, folder, tags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some((lang, format, folder, tags.split(TAG_SEPARATOR).filter(|t| !t.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_keys_round_trip() {
        let key = facet_key("fi", "pdf", "fi", ["avustukset", "tilat"]);
        let (lang, format, folder, tags) = split_facet_key(&key).unwrap();
        assert_eq!((lang, format, folder), ("fi", "pdf", "fi"));
        assert_eq!(tags.collect::<Vec<_>>(), vec!["avustukset", "tilat"]);
        let bare = facet_key("en", "markdown", "", []);
        let (_, _, folder, mut tags) = split_facet_key(&bare).unwrap();
        assert_eq!(folder, "");
        assert!(tags.next().is_none());
    }
}
