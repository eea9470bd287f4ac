//! Errors, split by blame: [`Error`] stops an operation (the index cannot be
//! opened, the documents folder is missing), while [`FileError`] belongs to a
//! single file and only ends up as a line in a [`SyncReport`](crate::SyncReport).
//!
//! [`Error::blame`] says whose the error is ([`Blame`]): the input's (a bad
//! request or path, a bad term list), one file's, another process's (the
//! index is in use), or the program's own (the search engine, the index's
//! files, a panic). An error that wraps another keeps it as its
//! [`source`](std::error::Error::source), so a log shows the whole chain.

use std::fmt;
use std::path::PathBuf;

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A fatal error: the operation as a whole could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The documents folder does not exist or is not a folder.
    #[error("documents folder not found: {}", .0.display())]
    DocumentsNotFound(PathBuf),
    /// The index folder could not be created or written.
    #[error("cannot use index folder {}: {reason}", path.display())]
    IndexDir {
        /// The index folder.
        path: PathBuf,
        /// What went wrong, in words.
        reason: String,
    },
    /// The index exists but was written by an incompatible version of tietopankki.
    #[error("index at {} was written by a newer tietopankki (schema version {found}, this build reads {expected}); use the newer version, or delete the folder and run `tietopankki index` to rebuild it", path.display())]
    SchemaMismatch {
        /// The index folder.
        path: PathBuf,
        /// The schema version found in the index.
        found: u32,
        /// The schema version this build writes.
        expected: u32,
    },
    /// The index exists but cannot be read: damaged files, or a disk error.
    #[error("the index at {} cannot be read ({reason}); it holds only what was read from the documents folder, so delete the folder and run `tietopankki index` (or `serve`) to build it again", path.display())]
    CorruptIndex {
        /// The index folder.
        path: PathBuf,
        /// What the search engine reported.
        reason: String,
        /// The search engine's error, when it reported one (not for a panic).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Another `tietopankki serve` is running on the same index.
    #[error("another `tietopankki serve` is already running on the index at {} (it holds {}); stop it first, or give this one another --index", index.display(), lock.display())]
    AlreadyServing {
        /// The index folder.
        index: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// Another process holds the index writer lock.
    #[error("the index is being updated by another tietopankki process (lock held); try again when it has finished")]
    Locked,
    /// A document path that is not in the index.
    #[error("no such document: {0}")]
    NotFound(String),
    /// A term list for cross-language search cannot be read.
    #[error("term list {0}")]
    Glossary(#[from] crate::search::translate::GlossaryError),
    /// A search request that cannot be answered as asked (e.g. a page past the limit).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The service is stopping and starts no new work.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// A file could not be read directly (for `extract`).
    #[error("{0}")]
    File(#[from] FileError),
    /// An I/O error outside any single document.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The search engine failed at something.
    #[error("search engine error while {what}: {source}")]
    Tantivy {
        /// What was being done ("searching", "committing the index", ...).
        what: &'static str,
        /// The search engine's error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index folder could not be opened as a search-engine directory.
    #[error("cannot open the index folder: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// What the index commits besides documents could not be written as JSON.
    #[error("cannot write the index's commit data: {0}")]
    Serialize(#[from] serde_json::Error),
    /// An internal failure with no underlying error to keep: a panic or a
    /// failed task caught at the boundary, a poisoned lock, a writer that
    /// stopped making progress.
    #[error("internal error: {0}")]
    Engine(String),
}

/// Whose an [`Error`] is: what a person can do about it. The command line
/// exits with a code per blame (see `tietopankki --help`), the web service
/// answers with a status per error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Blame {
    /// The input: a bad request, a missing documents folder, a bad term
    /// list, a document that is not in the index, an index from a newer
    /// version. Fixed by asking differently.
    Input,
    /// One file could not be read ([`FileError`]); the rest are fine.
    File,
    /// Another process has the index: a sync holds its writer lock, another
    /// `serve` runs on it, or the service is stopping. Try again later.
    Busy,
    /// The program or its data: the search engine, the index's files (an
    /// unreadable or damaged index counts here: it is the program's own
    /// data, rebuilt from the documents), I/O outside any document, a panic.
    Internal,
}

impl Error {
    /// Whose the error is (see [`Blame`]).
    pub fn blame(&self) -> Blame {
        match self {
            Error::DocumentsNotFound(_)
            | Error::SchemaMismatch { .. }
            | Error::NotFound(_)
            | Error::Glossary(_)
            | Error::InvalidRequest(_) => Blame::Input,
            Error::File(_) => Blame::File,
            Error::AlreadyServing { .. } | Error::Locked | Error::ShuttingDown => Blame::Busy,
            Error::IndexDir { .. }
            | Error::CorruptIndex { .. }
            | Error::Io(_)
            | Error::Tantivy { .. }
            | Error::OpenDirectory(_)
            | Error::Serialize(_)
            | Error::Engine(_) => Blame::Internal,
        }
    }

    /// A search-engine error met while doing `what`; a writer lock held by
    /// another process is [`Error::Locked`].
    pub fn tantivy(what: &'static str, source: tantivy::TantivyError) -> Error {
        match source {
            tantivy::TantivyError::LockFailure(..) => Error::Locked,
            source => Error::Tantivy { what, source },
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Self {
        Error::tantivy("using the index", err)
    }
}

impl From<tantivy::query::QueryParserError> for Error {
    fn from(err: tantivy::query::QueryParserError) -> Self {
        Error::InvalidRequest(err.to_string())
    }
}

/// Why one file could not be indexed, in words a staff member can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum FileError {
    /// The file could not be read from disk.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    /// The file is larger than the configured limit.
    #[error("too large: {} MB, the limit is {} MB (raise it with --max-file-mb)", mb(*size), mb(*limit))]
    TooLarge {
        /// File size in bytes.
        size: u64,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The file is empty.
    #[error("the file is empty (0 bytes)")]
    Empty,
    /// The file's extension says PDF but the content is not one.
    #[error("not a PDF file: the name ends in .pdf but the content is something else (no %PDF header)")]
    NotAPdf,
    /// The file is cut short.
    #[error("damaged: the file is cut short (an incomplete download or copy?)")]
    Truncated,
    /// The PDF needs a password to open.
    #[error("encrypted with a password: save a copy without the password to index it")]
    PasswordRequired,
    /// The PDF's pages are scanned images without a text layer (what
    /// `extract` says without `--ocr`; indexing reads them by text recognition).
    #[error("no text layer: a scanned document; indexing reads it by text recognition (`tietopankki extract --ocr` reads it now)")]
    NoTextLayer,
    /// The file is damaged beyond repair.
    #[error("damaged: {0}")]
    Damaged(String),
    /// Decoding exceeded a size limit.
    #[error("too large to read safely: {0}")]
    ResourceLimit(String),
    /// The reader needed more memory than the limit of its worker process.
    #[error("too large to read safely: reading it needed more than the {0} MB memory limit (raise it with --file-memory-mb)")]
    MemoryLimit(u64),
    /// Extraction took longer than the time budget.
    #[error("timed out: reading took longer than {0} s (raise the limit with --file-timeout)")]
    TimedOut(u64),
    /// The text is not valid UTF-8 (or Latin-1) text.
    #[error("not a text file: {0}")]
    NotText(String),
    /// No text was found in the file.
    #[error("no text found in the file")]
    NoText,
    /// The extractor failed unexpectedly (a bug); the file was skipped.
    #[error("the file could not be read (it may be damaged; the reader failed: {0})")]
    Internal(String),
}

/// Bytes as megabytes with one decimal, for messages.
fn mb(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{mb:.0}")
    } else {
        format!("{mb:.1}")
    }
}

/// A file that could not be indexed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FailedFile {
    /// Path relative to the documents folder, with `/` separators.
    pub path: String,
    /// The reason, as one line of text.
    pub reason: String,
}

impl fmt::Display for FailedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}
