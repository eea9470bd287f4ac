//! Every setting of tietopankki and its default, in one place: [`Config`]
//! is what the library's [`KnowledgeBankBuilder`](crate::KnowledgeBankBuilder)
//! starts from (`KnowledgeBankBuilder::from_config`), what the CLI fills from its arguments, and what
//! `tietopankki serve` runs with.

use std::path::PathBuf;
use std::time::Duration;

use crate::Result;

/// Default documents folder.
pub const DEFAULT_DOCUMENTS_DIR: &str = "documents";
/// Default index folder.
pub const DEFAULT_INDEX_DIR: &str = "index";
/// Default address of the web service: this machine only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default seconds between the service's full re-scans of the documents folder.
pub const DEFAULT_RESCAN_SECS: u64 = 30;
/// Default memory budget of the index writer (bytes): fits a small server.
pub const DEFAULT_WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Default size limit of a file, in megabytes.
pub const DEFAULT_MAX_FILE_MB: u64 = 200;
/// Default time limit of a file, in seconds.
pub const DEFAULT_FILE_TIMEOUT_SECS: u64 = 30;
/// Default memory limit of a file's reader, in megabytes.
pub const DEFAULT_FILE_MEMORY_MB: u64 = 1024;
/// Default scanned pages read per document.
pub const DEFAULT_OCR_MAX_PAGES: usize = 100;
/// Default minutes of text recognition per document.
pub const DEFAULT_OCR_MINUTES: u64 = 30;
/// Default seconds one page may take.
pub const DEFAULT_OCR_PAGE_TIMEOUT_SECS: u64 = 180;

/// Limits applied to every file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtractLimits {
    /// Files larger than this are reported as too large and not read.
    pub max_file_bytes: u64,
    /// Time budget for one file.
    pub max_time: Duration,
    /// Memory one reader may use, in bytes: the address-space limit of a
    /// worker process (see [`worker`](crate::extract::worker)); not enforced when files are read
    /// on threads of the calling process.
    pub max_memory_bytes: u64,
}

impl Default for ExtractLimits {
    /// The limits of [`Config`]'s defaults.
    fn default() -> Self {
        default_limits()
    }
}

/// Limits of text recognition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrOptions {
    /// Whether scanned pages are read at all (when not, scans are found by
    /// their title and metadata only).
    pub enabled: bool,
    /// Scanned pages read per document; the rest of a longer scan is left
    /// unread, with a line in the report.
    pub max_pages_per_document: usize,
    /// Time spent on one document, over all runs; recognition of a document
    /// that needs longer stops there, with a line in the report.
    pub max_time_per_document: Duration,
    /// Time one page may take (rendering and both recognition passes)
    /// before its programs are killed and the page is reported.
    pub page_timeout: Duration,
    /// Where pdftoppm and Tesseract are, when not on `PATH` (or named by
    /// `TIETOPANKKI_PDFTOPPM` / `TIETOPANKKI_TESSERACT`).
    pub programs: OcrPrograms,
}

impl Default for OcrOptions {
    /// The options of [`Config`]'s defaults.
    fn default() -> Self {
        default_ocr()
    }
}

/// Where the recognition programs are, when not on `PATH`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcrPrograms {
    /// poppler's `pdftoppm`.
    pub pdftoppm: Option<PathBuf>,
    /// `tesseract`.
    pub tesseract: Option<PathBuf>,
}

/// The per-file limits by default.
pub(crate) fn default_limits() -> ExtractLimits {
    ExtractLimits {
        max_file_bytes: DEFAULT_MAX_FILE_MB * 1024 * 1024,
        max_time: Duration::from_secs(DEFAULT_FILE_TIMEOUT_SECS),
        max_memory_bytes: DEFAULT_FILE_MEMORY_MB * 1024 * 1024,
    }
}

/// Text recognition by default: on, within the page and time limits.
pub(crate) fn default_ocr() -> OcrOptions {
    OcrOptions {
        enabled: true,
        max_pages_per_document: DEFAULT_OCR_MAX_PAGES,
        max_time_per_document: Duration::from_secs(DEFAULT_OCR_MINUTES * 60),
        page_timeout: Duration::from_secs(DEFAULT_OCR_PAGE_TIMEOUT_SECS),
        programs: Default::default(),
    }
}

/// The settings of a bank and of its web service.
///
/// ```
/// let config = tietopankki::Config { rescan_secs: 0, ..tietopankki::Config::new("documents", "index") };
/// assert_eq!(config.addr, tietopankki::DEFAULT_ADDR);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The documents folder.
    pub documents_dir: PathBuf,
    /// The index folder.
    pub index_dir: PathBuf,
    /// Per-file limits of extraction (size, time, memory).
    pub limits: ExtractLimits,
    /// Memory budget of the index writer in bytes.
    pub writer_memory: usize,
    /// The program extraction workers are started from (see
    /// [`crate::extract::worker`]); `None` reads files on threads.
    pub extract_worker: Option<PathBuf>,
    /// Text recognition of scanned pages.
    pub ocr: OcrOptions,
    /// A local term list added to the built-in one for cross-language search.
    pub glossary: Option<PathBuf>,
    /// The service's address, `IP:PORT`.
    pub addr: String,
    /// Bearer token enabling `POST /api/reindex`; `None` turns the route off.
    pub admin_token: Option<String>,
    /// Origins allowed by CORS (`*` for any); empty means no CORS.
    pub cors_origins: Vec<String>,
    /// Host names the service answers for besides IP addresses and
    /// `localhost` (others get 421: DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Seconds between the service's full re-scans of the documents folder (0: none).
    pub rescan_secs: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config::new(DEFAULT_DOCUMENTS_DIR, DEFAULT_INDEX_DIR)
    }
}

impl Config {
    /// The defaults, with these folders.
    pub fn new(documents_dir: impl Into<PathBuf>, index_dir: impl Into<PathBuf>) -> Config {
        Config {
            documents_dir: documents_dir.into(),
            index_dir: index_dir.into(),
            limits: default_limits(),
            writer_memory: DEFAULT_WRITER_MEMORY,
            extract_worker: None,
            ocr: default_ocr(),
            glossary: None,
            addr: DEFAULT_ADDR.to_string(),
            admin_token: None,
            cors_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            rescan_secs: DEFAULT_RESCAN_SECS,
        }
    }

    /// Checks what the service would otherwise find only when it answers:
    /// each CORS origin must be `*` or `scheme://host[:port]`.
    pub fn check(&self) -> Result<()> {
        for origin in &self.cors_origins {
            if origin != "*" && !is_origin(origin.trim_end_matches('/')) {
                return Err(crate::Error::InvalidRequest(format!(
                    "--cors-origin '{origin}' is not an origin: give it as https://name or http://name:port, or * for any"
                )));
            }
        }
        Ok(())
    }
}

/// `http://host[:port]` or `https://host[:port]`, nothing more.
fn is_origin(text: &str) -> bool {
    let Some((scheme, host)) = text.split_once("://") else { return false };
    let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
    matches!(scheme, "http" | "https")
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '[' | ']' | ':'))
        && port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for good in ["https://city.example", "http://localhost:3000", "https://a-b.example.fi/"] {
            assert!(Config { cors_origins: vec![good.into()], ..Config::default() }.check().is_ok(), "{good}");
        }
        for bad in ["city.example", "ftp://x", "https://", "https://x/path", "https://x:port", "https://a b"] {
            assert!(Config { cors_origins: vec![bad.into()], ..Config::default() }.check().is_err(), "{bad}");
        }
    }
}
