//! Temporary PDF reader on lopdf's own `extract_text` (replaced by `pdf/`).

use std::time::Duration;

/// Limits for one PDF.
pub struct PdfLimits {
    /// Max decompressed bytes per stream.
    pub max_stream_bytes: usize,
    /// Max decompressed bytes per document.
    pub max_total_bytes: usize,
    /// Time budget.
    pub max_time: Duration,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits { max_stream_bytes: 64 << 20, max_total_bytes: 256 << 20, max_time: Duration::from_secs(30) }
    }
}

/// Extracted PDF text.
pub struct PdfText {
    /// Pages' text.
    pub pages: Vec<String>,
    /// Info title.
    pub title: Option<String>,
    /// Info author.
    pub author: Option<String>,
    /// Creation date.
    pub created: Option<String>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// Errors.
#[derive(Debug)]
pub enum PdfError {
    /// Empty.
    Empty,
    /// Not a PDF.
    NotAPdf,
    /// Truncated.
    Truncated,
    /// Password.
    PasswordRequired,
    /// No text.
    NoTextLayer,
    /// Damaged.
    Damaged(String),
    /// Limit.
    ResourceLimit(String),
    /// Timeout.
    TimedOut,
}

/// Extracts text.
pub fn extract(bytes: &[u8], _limits: &PdfLimits) -> Result<PdfText, PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if !bytes.starts_with(b"%PDF") {
        return Err(PdfError::NotAPdf);
    }
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| PdfError::Damaged(e.to_string()))?;
    let mut pages = Vec::new();
    for (number, _) in doc.get_pages() {
        pages.push(doc.extract_text(&[number]).unwrap_or_default());
    }
    Ok(PdfText { pages, title: None, author: None, created: None, warnings: Vec::new() })
}
