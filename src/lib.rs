//! # tietopankki — a trilingual knowledge bank
//!
//! tietopankki indexes a folder of PDF, Word (.docx), OpenDocument (.odt),
//! web page (.html), Markdown and plain text documents in
//! Finnish, Swedish and English and searches it the way people type: inflected
//! words, parts of compounds, missing ä/ö/å, typos.
//!
//! The pipeline has one module per stage:
//! [`extract`] (PDF, Word, OpenDocument, HTML, Markdown, text) → [`lang`] (language detection) →
//! [`analysis`] (stemming, folding, compound parts) → indexing (tantivy) →
//! [`search`] (ranking, snippets, facets); [`export`] hands the documents and
//! their analysis to Elasticsearch or OpenSearch. The library has no web or CLI
//! dependencies; the `tietopankki` binary adds those behind cargo features.
//!
//! ```
//! use tietopankki::{KnowledgeBank, SearchRequest};
//!
//! # fn main() -> tietopankki::Result<()> {
//! # let docs = tempfile::tempdir()?; let index = tempfile::tempdir()?;
//! std::fs::create_dir(docs.path().join("sv"))?;
//! std::fs::write(
//!     docs.path().join("sv/strombrott.md"),
//!     "---\ntitle: Strömavbrott\ntags: [beredskap]\n---\nUnder ett långt strömavbrott behöver föreningen en plan.",
//! )?;
//! let bank = KnowledgeBank::builder().documents_dir(docs.path()).index_dir(index.path()).open()?;
//! bank.sync()?;
//! // No ä/ö/å on the keyboard, and an inflected form: still found.
//! let results = bank.search(&SearchRequest::new("stromavbrottet"))?;
//! assert_eq!(results.hits[0].path, "sv/strombrott.md");
//! assert_eq!(results.hits[0].lang, tietopankki::Lang::Sv);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod analysis;
mod bank;
mod config;
mod dates;
pub mod document;
pub mod error;
pub mod export;
pub mod extract;
mod index;
pub mod lang;
pub mod recognition;
pub mod search;
pub use search::parse as query;
pub use search::snippet;
pub use search::translate::Glossary;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "watch")]
pub mod watch;

pub use bank::{DocumentRecord, DocumentSummary, KnowledgeBank, KnowledgeBankBuilder, Status};
pub use config::*;
pub use document::is_ignored_name;
pub use document::{Extracted, Format};
pub use error::{Blame, Error, FailedFile, FileError, Result};
pub use export::{ExportOptions, ExportRecord, ExportRecords};
pub use extract::ExtractLimits;
pub use index::schema::SCHEMA_VERSION;
pub use index::{IndexStage, SyncProgress, SyncReport};
pub use lang::Lang;
pub use recognition::{OcrOptions, OcrReport, OcrStatus};
pub use search::{
    Completion, CompletionKind, DateSource, EvidenceKind, Explanation, FacetCount, Facets, OtherLanguages, Passage,
    SearchHit, SearchRequest, SearchResults, Sort, WordEvidence,
};
