//! What a search answers ([`SearchResults`]): hits, facet counts, the
//! other-languages part and, on request, the evidence behind each score.

use super::facets::Facets;
use super::resolve::EvidenceKind;
use crate::document::Format;
use crate::lang::Lang;

/// One search hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchHit {
    /// Path relative to the documents folder, `/`-separated.
    pub path: String,
    /// The document's title.
    pub title: String,
    /// The document's language.
    pub lang: Lang,
    /// The document's format.
    pub format: Format,
    /// Relevance score (higher is better; only comparable within one search).
    pub score: f32,
    /// For PDFs, the page of the best-matching passage.
    pub page: Option<u32>,
    /// The best-matching passage as HTML-safe text, matched words in
    /// `<mark>…</mark>` (the first of [`passages`](Self::passages), kept
    /// for compatibility).
    pub snippet: String,
    /// Up to three passages that match, the best first, each with its page.
    #[serde(default)]
    pub passages: Vec<Passage>,
    /// The document's date, `YYYY-MM-DD`: from its metadata, else the
    /// day the file was last changed.
    #[serde(default)]
    pub date: Option<String>,
    /// Where [`date`](Self::date) came from.
    #[serde(default)]
    pub date_source: DateSource,
    /// Whether the passage's text came from text recognition of a scanned
    /// page (it may hold recognition errors).
    #[serde(default)]
    pub ocr: bool,
    /// Why the document ranks where it does, when asked for
    /// ([`SearchRequest::explain`](super::SearchRequest::explain)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
    /// For a hit in another language: the translated terms it was found by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// Where a document's date came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The `date:` of a Markdown file's front matter.
    FrontMatter,
    /// The properties of a Word or OpenDocument file.
    DocumentProperties,
    /// The `/CreationDate` of a PDF's Info dictionary.
    PdfInfo,
    /// A web page's `<meta>` date.
    HtmlMeta,
    /// None of those: the file's modification time.
    #[default]
    FileModified,
}

impl DateSource {
    /// Where a stored date of a document of `format` came from.
    pub(crate) fn of_metadata(format: crate::Format) -> DateSource {
        match format {
            crate::Format::Markdown | crate::Format::Text => DateSource::FrontMatter,
            crate::Format::Docx | crate::Format::Odt => DateSource::DocumentProperties,
            crate::Format::Pdf => DateSource::PdfInfo,
            crate::Format::Html => DateSource::HtmlMeta,
        }
    }
}

/// A passage of a hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Passage {
    /// HTML-safe text, matched words in `<mark>…</mark>`.
    pub text: String,
    /// For PDFs, the page the passage starts on.
    pub page: Option<u32>,
}

/// The documents in the other languages that a query's concepts lead to.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OtherLanguages {
    /// How many documents in the other languages match in all.
    pub total: usize,
    /// The languages searched (those other than the query's).
    pub langs: Vec<Lang>,
    /// The best of them, each with the terms it was found by ([`SearchHit::via`]).
    pub hits: Vec<SearchHit>,
}

/// The evidence behind a hit's score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    /// One entry per query word, in the query's order.
    pub words: Vec<WordEvidence>,
    /// The bonus for query words standing close together.
    pub proximity: f32,
    /// The bonus for a document in the query's language.
    pub language: f32,
}

/// How one query word matched a document.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WordEvidence {
    /// The query word as typed (lowercased).
    pub word: String,
    /// How it matched (`None`: not in this document).
    pub kind: Option<EvidenceKind>,
    /// The index word it matched.
    pub matched: Option<String>,
    /// The best field it was found in (`title`, `headings`, `body`, `folded`, `compound`, `exact`).
    pub field: Option<String>,
    /// The word's informativeness in the bank (IDF).
    pub idf: f32,
    /// The confidence of the evidence.
    pub confidence: f32,
    /// What the word added to the score.
    pub contribution: f32,
}

/// The answer to a [`SearchRequest`](super::SearchRequest).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// How many documents match in all.
    pub total: usize,
    /// The requested page of hits, best first.
    pub hits: Vec<SearchHit>,
    /// Facet counts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// Documents in the other languages on the query's concepts, when asked
    /// for ([`SearchRequest::other_languages`](super::SearchRequest::other_languages)); never part of `hits`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_languages: Option<OtherLanguages>,
    /// "Did you mean …?": the query with each word the bank has in no form
    /// replaced by the word of the bank it was read as (a typo corrected);
    /// `None` when no word was corrected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}
