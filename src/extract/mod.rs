//! Stage 1: extraction. Turns one file (PDF, Word, OpenDocument, HTML,
//! Markdown or plain text) into an
//! [`Extracted`] value, or a [`FileError`] that says why it could not be read.
//! A panic inside a parser is caught here and becomes a [`FileError`] too, so
//! one bad file never takes the whole sync down.

pub mod html;
pub mod markdown;
pub mod ocr;
pub mod office;
pub mod pdf;
pub mod text;
#[cfg(unix)]
pub mod worker;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::document::{Extracted, Format};
use crate::error::FileError;

pub use crate::config::ExtractLimits;

/// Extra time the watchdog allows past [`ExtractLimits::max_time`] before it
/// gives up on a reader (the PDF reader checks the budget itself and usually
/// stops first, with the same error).
const WATCHDOG_GRACE: Duration = Duration::from_secs(2);

/// Stack of an extraction thread: deep but legal nesting (page trees, form
/// XObjects, Markdown lists) must not overflow it.
const EXTRACT_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Extraction threads given up on by the watchdog that are still running.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);

/// Extraction threads the watchdog gave up on that have not finished yet
/// (they finish, or are ended with the process; see [`extract_file`]).
pub fn abandoned_threads() -> usize {
    ABANDONED.load(Ordering::SeqCst)
}

/// Reads and extracts the file at `path`, whose format is given by its
/// extension, under a watchdog.
///
/// The file is read and parsed on a thread of its own; if it has not finished
/// within [`ExtractLimits::max_time`] (plus a short grace), the caller gets
/// [`FileError::TimedOut`] and goes on. Rust cannot stop a thread from
/// outside, so a reader stuck in a loop is *abandoned*: it keeps running in
/// the background, holds no lock and no part of the index, and its late
/// result is thrown away; it ends with the process at the latest (a sync
/// never waits for it). [`abandoned_threads`] counts them. A panic in a
/// reader becomes [`FileError::Internal`].
pub fn extract_file(path: &Path, limits: &ExtractLimits) -> Result<(Format, Extracted), FileError> {
    // A rendezvous channel: a send fails exactly when the watchdog has given up.
    let (tx, rx) = mpsc::sync_channel(0);
    let owned_path = path.to_path_buf();
    let owned_limits = *limits;
    let spawned = std::thread::Builder::new()
        .name("tietopankki-extract".to_string())
        .stack_size(EXTRACT_STACK_BYTES)
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| extract_file_unguarded(&owned_path, &owned_limits)))
                .unwrap_or_else(|panic| Err(FileError::Internal(panic_message(panic.as_ref()))));
            // The receiver is gone when the watchdog gave up: nobody wants the result.
            if tx.send(outcome).is_err() {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            }
        });
    if let Err(err) = spawned {
        // No thread to be had (resource exhaustion): read it here, unguarded.
        tracing::warn!(%err, "cannot start an extraction thread; reading the file without a watchdog");
        return extract_file_unguarded(path, limits);
    }
    let budget = limits.max_time.saturating_add(WATCHDOG_GRACE.min(limits.max_time));
    match rx.recv_timeout(budget) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            // It may have finished in the meantime.
            if let Ok(outcome) = rx.try_recv() {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
                return outcome;
            }
            drop(rx);
            tracing::warn!(path = %path.display(), secs = limits.max_time.as_secs_f64(), "extraction timed out; reader thread abandoned");
            Err(FileError::TimedOut(limits.max_time.as_secs().max(1)))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(FileError::Internal("the reader stopped without a result".to_string()))
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "parser panicked".to_string())
}

/// [`extract_file`] on the calling thread, without the watchdog (panics are still caught).
pub fn extract_file_unguarded(path: &Path, limits: &ExtractLimits) -> Result<(Format, Extracted), FileError> {
    let format = Format::from_path(path).ok_or_else(|| {
        FileError::NotText(
            unread_format_advice(path)
                .unwrap_or("not a PDF, Word, OpenDocument, HTML, Markdown or text file")
                .to_string(),
        )
    })?;
    let meta = std::fs::metadata(path).map_err(|e| FileError::Unreadable(e.to_string()))?;
    if meta.len() > limits.max_file_bytes {
        return Err(FileError::TooLarge { size: meta.len(), limit: limits.max_file_bytes });
    }
    let bytes = std::fs::read(path).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("document");
    let mut doc = extract_bytes(format, &bytes, name, limits)?;
    doc.source_hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    Ok((format, doc))
}

/// What to do with a file in a format staff often have but that is not read
/// (old binary Office formats): a report line says how to convert it.
pub(crate) fn unread_format_advice(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "doc" | "dot" => Some("old Word format (.doc): open it in Word or LibreOffice and save it as .docx"),
        "rtf" => Some("Rich Text Format (.rtf) is not read: open it in Word or LibreOffice and save it as .docx"),
        _ => None,
    }
}

/// Extracts a file's content given its format. `name` is the fallback title.
pub fn extract_bytes(format: Format, bytes: &[u8], name: &str, limits: &ExtractLimits) -> Result<Extracted, FileError> {
    let result = catch_unwind(AssertUnwindSafe(|| match format {
        Format::Pdf => extract_pdf(bytes, limits),
        Format::Markdown => {
            let source = text::decode_text(bytes)?;
            Ok(markdown::extract_markdown(&source, name))
        }
        Format::Text => text::extract_text(bytes, name),
        Format::Docx => office::docx::extract(bytes, name, office_limits(limits)),
        Format::Odt => office::odt::extract(bytes, name, office_limits(limits)),
        Format::Html => html::extract(bytes, name),
    }));
    let mut doc = match result {
        Ok(outcome) => outcome?,
        Err(panic) => return Err(FileError::Internal(panic_message(panic.as_ref()))),
    };
    doc.text = normalise_text(&doc.text);
    if doc.text.trim().is_empty() && format != Format::Pdf {
        return Err(FileError::NoText);
    }
    Ok(doc)
}

/// A package may inflate to at most the file limit per part and four times
/// it in all (capped by the office defaults).
fn office_limits(limits: &ExtractLimits) -> office::OfficeLimits {
    let defaults = office::OfficeLimits::default();
    office::OfficeLimits {
        max_part_bytes: defaults.max_part_bytes.min(limits.max_file_bytes.max(1 << 20)),
        max_total_bytes: defaults.max_total_bytes.min(limits.max_file_bytes.saturating_mul(4).max(4 << 20)),
        ..defaults
    }
}

fn extract_pdf(bytes: &[u8], limits: &ExtractLimits) -> Result<Extracted, FileError> {
    let pdf_limits = pdf::PdfLimits { max_time: limits.max_time, ..pdf::PdfLimits::default() };
    let pdf = pdf::extract(bytes, &pdf_limits).map_err(map_pdf_error(limits))?;
    let mut doc = Extracted {
        title: pdf.title.as_deref().and_then(meaningful_title),
        author: pdf.author.filter(|a| !a.trim().is_empty()),
        date: pdf.created,
        warnings: pdf.warnings,
        scanned_pages: pdf.scanned_pages,
        ..Extracted::default()
    };
    for (i, page) in pdf.pages.iter().enumerate() {
        doc.page_starts.push(doc.text.len());
        // The stray words of a scanned page's stamp give way to its recognised text.
        if !doc.scanned_pages.contains(&(i as u32 + 1)) {
            doc.text.push_str(page.trim_end());
        }
        doc.text.push('\n');
    }
    if doc.text.trim().is_empty() && doc.scanned_pages.is_empty() {
        return Err(FileError::NoText);
    }
    if doc.title.is_none() {
        doc.title = pdf.pages.first().and_then(|page| title_from_first_page(page));
    }
    // A scan without a title of its own gets one from its first recognised
    // page, or its file name until then: see `ocr::cache::apply`.
    Ok(doc)
}

/// A readable title from a file name: `poytakirja_2024-03` → `poytakirja 2024 03`.
pub(crate) fn title_from_file_name(name: &str) -> String {
    let spaced: String = name.chars().map(|c| if matches!(c, '_' | '-' | '.') { ' ' } else { c }).collect();
    let title = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        name.to_string()
    } else {
        title
    }
}

/// A PDF's info title, unless it is a producer's placeholder ("Enscript
/// Output", "untitled", a file name). "Microsoft Word - report.docx" becomes "report".
fn meaningful_title(raw: &str) -> Option<String> {
    let mut title = raw.trim();
    if let Some(rest) = title.strip_prefix("Microsoft Word - ") {
        title = rest.trim();
    }
    let lower = title.to_lowercase();
    for ext in [".docx", ".doc", ".odt", ".rtf", ".pdf", ".txt", ".md", ".indd", ".pptx"] {
        if lower.ends_with(ext) {
            return None;
        }
    }
    let placeholder =
        ["", "document", "untitled", "enscript output", "title", "no title", "untitled document", "slide 1"];
    if placeholder.contains(&lower.as_str()) || !title.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(title.to_string())
}

/// The title a reader sees first: the leading short lines of the first page
/// (a heading broken over up to three lines), or else the start of the first
/// line, cut at a word boundary.
pub(crate) fn title_from_first_page(page: &str) -> Option<String> {
    let lines: Vec<&str> =
        page.lines().map(str::trim).filter(|l| l.chars().filter(|c| c.is_alphabetic()).count() >= 3).take(40).collect();
    let first = *lines.first()?;
    let mut lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    lengths.sort_unstable();
    let median = lengths[lengths.len() / 2];
    let short = |l: &str| (l.chars().count() as f64) < 0.75 * median as f64;
    let mut title = String::new();
    if short(first) {
        for line in lines.iter().take(3).take_while(|l| short(l)) {
            if !title.is_empty() {
                title.push(' ');
            }
            title.push_str(line);
            if line.ends_with(['.', '!', '?', ':']) {
                break;
            }
        }
    } else {
        title = first.to_string();
    }
    const MAX: usize = 100;
    if title.chars().count() > MAX {
        let cut: String = title.chars().take(MAX).collect();
        let at = cut.rfind(' ').unwrap_or(cut.len());
        title = format!("{}…", cut[..at].trim_end_matches([',', ';', ':', ' ']));
    }
    Some(title)
}

fn map_pdf_error(limits: &ExtractLimits) -> impl Fn(pdf::PdfError) -> FileError + '_ {
    move |err| match err {
        pdf::PdfError::Empty => FileError::Empty,
        pdf::PdfError::NotAPdf => FileError::NotAPdf,
        pdf::PdfError::Truncated => FileError::Truncated,
        pdf::PdfError::PasswordRequired => FileError::PasswordRequired,
        pdf::PdfError::Damaged(why) => FileError::Damaged(why),
        pdf::PdfError::ResourceLimit(why) => FileError::ResourceLimit(why),
        pdf::PdfError::TimedOut => FileError::TimedOut(limits.max_time.as_secs().max(1)),
    }
}

/// Final clean-up shared by all formats: Unicode NFC (so `a` + combining
/// diaeresis becomes `ä`), ligatures expanded, soft hyphens and control
/// characters dropped.
pub fn normalise_text(text: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let clean = |c: char| {
        !matches!(c, '\u{00AD}' | '\u{200B}' | '\u{FEFF}' | '\u{FB00}'..='\u{FB06}' | '\r' | '\t' | '\u{0C}')
            && (!c.is_control() || c == '\n')
    };
    // Most text is already clean NFC: skip the rebuild.
    if is_plainly_clean(text) || is_nfc_quick(text.chars()) == IsNormalized::Yes && text.chars().all(clean) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '\u{00AD}' | '\u{200B}' | '\u{FEFF}' => {}
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            '\r' => {}
            '\t' | '\u{0C}' => out.push(' '),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// A byte-level look at whether [`normalise_text`] would change nothing:
/// true when every character is printable ASCII, a line break, a letter
/// below U+0300 other than the soft hyphen and the C1 controls, or
/// punctuation from U+2010 to U+203F (all of which are NFC as they stand
/// and need no clean-up). False means "look
/// closer", not "unclean".
fn is_plainly_clean(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' | 0x20..=0x7E => i += 1,
            // U+0080..U+00BF: the C1 controls (C2 80..9F) and the soft hyphen (C2 AD) need cleaning.
            0xC2 => match bytes.get(i + 1) {
                Some(&next) if next >= 0xA0 && next != 0xAD => i += 2,
                _ => return false,
            },
            // U+00C0..U+02FF: Latin letters (ä, ö, å, é...), NFC as they stand.
            0xC3..=0xCB => i += 2,
            // U+2010..U+203F: dashes, typographic quotes, bullets, the ellipsis.
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2).is_some_and(|b| (0x90..=0xBF).contains(b)) => {
                i += 3
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_ligatures_and_combining_marks() {
        assert_eq!(normalise_text("\u{FB01}nns ka\u{0308}si\u{00AD}kirja"), "finns käsikirja");
    }

    #[test]
    fn the_byte_check_only_passes_text_that_needs_nothing() {
        for clean in ["Kotivara ja sähkökatko.\nÅbo, Öresund, café, Łódź – “so’s” … ‰", ""] {
            assert!(is_plainly_clean(clean), "{clean:?}");
            assert_eq!(normalise_text(clean), clean);
        }
        for unclean in ["a\u{00AD}b", "a\u{0085}b", "tab\there", "cr\r\n", "ka\u{0308}si", "\u{FB01}", "a\u{7F}", "€"]
        {
            assert!(!is_plainly_clean(unclean), "{unclean:?}");
        }
    }

    #[test]
    fn placeholder_pdf_titles_are_dropped() {
        assert_eq!(meaningful_title("Enscript Output"), None);
        assert_eq!(meaningful_title("report.docx"), None);
        assert_eq!(meaningful_title("Microsoft Word - plan.doc"), None);
        assert_eq!(meaningful_title(" Kotivara "), Some("Kotivara".to_string()));
    }

    #[test]
    fn title_from_the_first_lines() {
        let page = "Volunteering basics: recruiting,\norienting and thanking\nVolunteers are the heart of almost every small association in Helsinki and they\nneed clear practices for recruiting new people and introducing them to work.\nMore text follows here on the page, with lines as long as the others are.\n";
        assert_eq!(
            title_from_first_page(page).as_deref(),
            Some("Volunteering basics: recruiting, orienting and thanking")
        );
        let body = "När en stadsdel drabbas av en brand, en översvämning eller ett långvarigt elavbrott vill många hjälpa till.\nDet är fint.";
        let title = title_from_first_page(body).unwrap_or_default();
        assert!(title.starts_with("När en stadsdel") && title.chars().count() <= 101, "{title}");
    }

    #[test]
    fn empty_markdown_is_an_error() {
        let limits = ExtractLimits::default();
        assert_eq!(extract_bytes(Format::Markdown, b"   \n", "x", &limits), Err(FileError::NoText));
    }
}
