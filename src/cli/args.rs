//! The command line: its commands and their arguments (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// tietopankki: a knowledge bank for Finnish, Swedish and English documents.
///
/// Drop PDF, Word (.docx), OpenDocument (.odt), web page (.html), Markdown (.md) and text (.txt) files into a documents folder,
/// run `tietopankki index`, then search them with `tietopankki search`, or
/// run `tietopankki serve` for the web page and JSON API.
#[derive(Parser)]
#[command(name = "tietopankki", version, about, long_about, after_help = super::exit::HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Bring the index up to date with the documents folder and print what changed.
    ///
    /// New files are added, changed files re-indexed, deleted files removed;
    /// unchanged files cost nothing. Files that cannot be read are listed with
    /// the reason, and the rest are indexed anyway.
    Index {
        /// The folder of documents to index.
        #[arg(long, default_value = tietopankki::DEFAULT_DOCUMENTS_DIR, value_name = "DIR")]
        documents: PathBuf,
        /// Where the index is kept (created if missing).
        #[arg(long, default_value = tietopankki::DEFAULT_INDEX_DIR, value_name = "DIR")]
        index: PathBuf,
        /// Print the report as one JSON object instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        ocr: OcrArgs,
    },
    /// Search the index and print the best hits.
    ///
    /// Type words as you would say them: inflected forms, parts of compounds
    /// and words without ä/ö/å are found. "Quoted phrases" must occur as
    /// written, -word excludes, and lang:fi, format:pdf, tag:X, folder:X filter.
    Search {
        /// Where the index is kept.
        #[arg(long, default_value = tietopankki::DEFAULT_INDEX_DIR, value_name = "DIR")]
        index: PathBuf,
        /// How many hits to show (1-100).
        #[arg(long, default_value_t = 10, value_name = "N")]
        limit: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Show how each query word matched each hit, and what it added to the score.
        #[arg(long)]
        explain: bool,
        /// Also list documents in the other two languages on the same
        /// concepts, found through the term list (a separate part of the results).
        #[arg(long)]
        other_languages: bool,
        /// A local term list (concept, fi, sv, en; tab-separated) added to
        /// the built-in one for --other-languages.
        #[arg(long, value_name = "FILE")]
        glossary: Option<PathBuf>,
        /// The query.
        #[arg(required = true, value_name = "QUERY")]
        query: Vec<String>,
    },
    /// Print the text that would be indexed from one file (PDF pages are separated by form feeds).
    ///
    /// Use it to see why a file is or is not found. Exits with an error and a
    /// one-line reason when the file cannot be read.
    Extract {
        /// The file (PDF, Word, OpenDocument, HTML, Markdown or text).
        file: PathBuf,
        /// Also print the title, language and other metadata first.
        #[arg(long)]
        meta: bool,
        /// Read scanned pages by text recognition (pdftoppm and Tesseract),
        /// as indexing does; without it a scan is reported as having no text layer.
        #[arg(long)]
        ocr: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Run the web page and JSON API (indexes the documents folder first, then keeps it up to date).
    Serve(ServeArgs),
    /// Export the documents, their text and tietopankki's analysis keys for
    /// Elasticsearch/OpenSearch: `_bulk` NDJSON to stdout or --out, the index
    /// template (--template), or pushed to a cluster (--to URL).
    ///
    /// Records: path, url, title, lang, format, tags, folder, date, pages,
    /// content_hash, text.fi|sv|en and tp.title|stems|compounds|folded (see
    /// docs/scaling.md). Pushing reports every record the cluster rejects,
    /// retries 429 and 5xx with backoff, and sends only what changed since
    /// the last push (exit code 1 when some records were rejected).
    Export(super::export::ExportArgs),
}

/// Arguments of `serve` (kept even without the server feature so `--help` is the same).
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The folder of documents to index and serve.
    #[arg(long, default_value = tietopankki::DEFAULT_DOCUMENTS_DIR, value_name = "DIR")]
    pub documents: PathBuf,
    /// Where the index is kept.
    #[arg(long, default_value = tietopankki::DEFAULT_INDEX_DIR, value_name = "DIR")]
    pub index: PathBuf,
    /// Address to listen on. Only this machine can connect by default.
    #[arg(long, default_value = tietopankki::DEFAULT_ADDR, value_name = "IP:PORT")]
    pub addr: String,
    /// Bearer token that enables POST /api/reindex (or set TIETOPANKKI_ADMIN_TOKEN).
    #[arg(long, env = "TIETOPANKKI_ADMIN_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Allowed CORS origin for the JSON API (e.g. https://example.org, or * for any).
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Vec<String>,
    /// A host name the server answers for, besides IP addresses and localhost
    /// (repeat for more); requests naming any other host get 421.
    #[arg(long, value_name = "NAME")]
    pub allowed_host: Vec<String>,
    /// Seconds between full re-scans of the documents folder (a fallback for lost file events).
    #[arg(long, default_value_t = tietopankki::DEFAULT_RESCAN_SECS, value_name = "SECONDS")]
    pub rescan: u64,
    /// A local term list (concept, fi, sv, en; tab-separated) added to the
    /// built-in one for the results in other languages.
    #[arg(long, value_name = "FILE")]
    pub glossary: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub ocr: OcrArgs,
}

/// Text recognition of scanned pages, for `index` and `serve`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct OcrArgs {
    /// Do not read scanned pages by text recognition: scans are found by their title and metadata only.
    #[arg(long)]
    pub no_ocr: bool,
    /// Scanned pages read per document; the rest of a longer scan is left unread and reported.
    #[arg(long, default_value_t = tietopankki::DEFAULT_OCR_MAX_PAGES as u64, value_name = "PAGES", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub ocr_max_pages: u64,
    /// Minutes text recognition may spend on one document, over all runs.
    #[arg(long, default_value_t = tietopankki::DEFAULT_OCR_MINUTES, value_name = "MINUTES", value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub ocr_minutes: u64,
    /// Seconds one scanned page may take before it is reported and skipped.
    #[arg(long, default_value_t = tietopankki::DEFAULT_OCR_PAGE_TIMEOUT_SECS, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub ocr_page_timeout: u64,
}

impl OcrArgs {
    pub(crate) fn options(self) -> tietopankki::OcrOptions {
        tietopankki::OcrOptions {
            enabled: !self.no_ocr,
            max_pages_per_document: self.ocr_max_pages as usize,
            max_time_per_document: std::time::Duration::from_secs(self.ocr_minutes.saturating_mul(60)),
            page_timeout: std::time::Duration::from_secs(self.ocr_page_timeout),
            ..tietopankki::OcrOptions::default()
        }
    }
}

/// Per-file limits of `index`, `serve` and `extract`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct LimitArgs {
    /// Files larger than this many megabytes are reported as too large and skipped.
    #[arg(long, default_value_t = tietopankki::DEFAULT_MAX_FILE_MB, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_file_mb: u64,
    /// Seconds one file may take to read before it is reported as timed out and skipped.
    #[arg(long, default_value_t = tietopankki::DEFAULT_FILE_TIMEOUT_SECS, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub file_timeout: u64,
    /// Megabytes of memory the reader of one file may use (files are read in
    /// worker processes with this limit); a file that needs more is reported and skipped.
    #[arg(long, default_value_t = tietopankki::DEFAULT_FILE_MEMORY_MB, value_name = "MB", value_parser = clap::value_parser!(u64).range(64..=1_000_000))]
    pub file_memory_mb: u64,
}

impl LimitArgs {
    pub(crate) fn limits(self) -> tietopankki::ExtractLimits {
        tietopankki::ExtractLimits {
            max_file_bytes: self.max_file_mb.saturating_mul(1024 * 1024),
            max_time: std::time::Duration::from_secs(self.file_timeout),
            max_memory_bytes: self.file_memory_mb.saturating_mul(1024 * 1024),
        }
    }
}
