//! The values passed between the pipeline's stages.

use std::fmt;
use std::str::FromStr;

use crate::lang::Lang;

/// The file formats the knowledge bank reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A PDF file (`.pdf`).
    Pdf,
    /// A Markdown file (`.md`, `.markdown`).
    Markdown,
    /// A plain text file (`.txt`).
    Text,
    /// A Word document (`.docx`, and the `.dotx` template, `.docm`/`.dotm` with macros, which are never run).
    Docx,
    /// An OpenDocument text (`.odt`, and the `.ott` template), as LibreOffice writes it.
    Odt,
    /// A web page (`.html`, `.htm`), e.g. saved from the city's site.
    Html,
}

impl Format {
    /// All formats, in a fixed order.
    pub const ALL: [Format; 6] = [Format::Pdf, Format::Docx, Format::Odt, Format::Html, Format::Markdown, Format::Text];

    /// The format's name as used in JSON and filters: `pdf`, `docx`, `odt`, `html`, `markdown` or `text`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Html => "html",
        }
    }

    /// The format a file name's extension stands for, if it is one we read.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Format::Pdf),
            "md" | "markdown" | "mdown" | "mkd" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            "docx" | "dotx" | "docm" | "dotm" => Some(Format::Docx),
            "odt" | "ott" => Some(Format::Odt),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            _ => None,
        }
    }

    /// The MIME type of files of this format.
    pub const fn mime(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Odt => "application/vnd.oasis.opendocument.text",
            Format::Html => "text/html; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "markdown" | "md" => Ok(Format::Markdown),
            "text" | "txt" => Ok(Format::Text),
            "docx" | "word" => Ok(Format::Docx),
            "odt" => Ok(Format::Odt),
            "html" | "htm" => Ok(Format::Html),
            other => Err(format!("unknown format '{other}' (expected pdf, docx, odt, html, markdown or text)")),
        }
    }
}

/// Names the walker skips: hidden files, editor and download temp files.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.starts_with('#')
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp", ".temp", ".part", ".crdownload", ".partial", ".download"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

/// The text and metadata extracted from one file (stage 1's output).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extracted {
    /// Title from the file's metadata, if it has one (front matter, PDF info, first heading).
    pub title: Option<String>,
    /// Author from the file's metadata.
    pub author: Option<String>,
    /// Date from the file's metadata, ISO 8601 (`YYYY-MM-DD`, maybe with a time).
    pub date: Option<String>,
    /// The document's subject or description (front matter, document properties).
    #[serde(default)]
    pub subject: Option<String>,
    /// When the file's metadata says it was last changed, ISO 8601 (`YYYY-MM-DD`).
    #[serde(default)]
    pub modified: Option<String>,
    /// Tags from front matter or document keywords.
    pub tags: Vec<String>,
    /// A language the file declares for itself (front matter `lang:`).
    pub declared_lang: Option<Lang>,
    /// Headings of the document (Markdown `#` headings), in order.
    pub headings: Vec<String>,
    /// The body text, markup removed.
    pub text: String,
    /// For paged formats: the byte offset in `text` where each page starts (page 1 first).
    pub page_starts: Vec<usize>,
    /// Problems that cost part of the text but not the document.
    pub warnings: Vec<String>,
    /// Pages (from 1) without a text layer that show an image: scanned
    /// pages, read by text recognition (see [`crate::extract::ocr`]).
    #[serde(default)]
    pub scanned_pages: Vec<u32>,
    /// Pages (from 1) whose text came from text recognition and may hold
    /// recognition errors.
    #[serde(default)]
    pub ocr_pages: Vec<u32>,
    /// Tesseract's mean word confidence (0–100) over the recognised pages.
    #[serde(default)]
    pub ocr_confidence: Option<f32>,
    /// xxh3 hash of the file's bytes (set by [`extract_file`](crate::extract::extract_file); 0 otherwise).
    pub source_hash: u64,
}

impl Extracted {
    /// The language the document is indexed in: what it declares, else the
    /// detected dominant language of its text (or of its title), else
    /// English (see [`crate::lang::document_language`]).
    pub fn language(&self) -> Lang {
        crate::lang::document_language(self.declared_lang, &self.text, self.title.as_deref())
    }

    /// The number of pages, for paged formats.
    pub fn pages(&self) -> Option<u32> {
        if self.page_starts.is_empty() {
            None
        } else {
            Some(self.page_starts.len() as u32)
        }
    }

    /// The 1-based page on which byte offset `offset` of `text` lies.
    pub fn page_of(&self, offset: usize) -> Option<u32> {
        page_of(&self.page_starts, offset)
    }
}

/// The 1-based page on which byte `offset` lies, given each page's start offset.
pub(crate) fn page_of(page_starts: &[usize], offset: usize) -> Option<u32> {
    if page_starts.is_empty() {
        return None;
    }
    let idx = page_starts.partition_point(|&start| start <= offset);
    Some(idx.max(1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lookup() {
        let starts = vec![0, 10, 25];
        assert_eq!(page_of(&starts, 0), Some(1));
        assert_eq!(page_of(&starts, 9), Some(1));
        assert_eq!(page_of(&starts, 10), Some(2));
        assert_eq!(page_of(&starts, 100), Some(3));
        assert_eq!(page_of(&[], 3), None);
    }

    #[test]
    fn ignored_names() {
        for name in [".hidden.md", "~$report.docx", ".#notes.md", "notes.md.swp", "file.md~", "x.pdf.part"] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in ["kotivara.md", "report.pdf", "a~b.md"] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn formats_from_names() {
        assert_eq!(Format::from_path("a/B.PDF".as_ref()), Some(Format::Pdf));
        assert_eq!(Format::from_path("x.md".as_ref()), Some(Format::Markdown));
        assert_eq!(Format::from_path("x.DOCX".as_ref()), Some(Format::Docx));
        assert_eq!(Format::from_path("x.ott".as_ref()), Some(Format::Odt));
        assert_eq!(Format::from_path("x.doc".as_ref()), None);
        assert_eq!(Format::from_path("sivu.HTM".as_ref()), Some(Format::Html));
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
    }
}
