//! PDF text extraction.
//!
//! [`extract`] turns the bytes of a PDF into per-page text plus metadata.
//! lopdf parses the file structure (including xref repair and decryption
//! with the empty user password); everything from content streams on is
//! our own: capped stream decoding, a forgiving content tokenizer, font
//! decoding (ToUnicode, encodings and glyph names, embedded font cmaps) and
//! a layout pass that finds word and line breaks from glyph positions.
//!
//! Failures are contained: a bad font costs its glyphs, a bad page costs
//! that page (both reported in [`PdfText::warnings`]); only a file that
//! cannot be opened at all is an error.
//!
//! Time limit: when [`PdfLimits::max_time`] passes, extraction stops; the
//! pages read so far are returned with a warning, or [`PdfError::TimedOut`]
//! when no text had been found yet.

mod cmap;
mod content;
mod encodings;
mod fonts;
mod layout;
mod objects;
mod stream;

use lopdf::{Dictionary, Document, Object, ObjectId};
use objects::deref;
use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, Instant};

/// Resource limits for one extraction.
#[derive(Clone, Debug)]
pub struct PdfLimits {
    /// Maximum decoded size of one stream, in bytes.
    pub max_stream_bytes: usize,
    /// Maximum decoded bytes for the whole document.
    pub max_total_bytes: usize,
    /// Wall-clock limit for one document.
    pub max_time: Duration,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits { max_stream_bytes: 64 << 20, max_total_bytes: 256 << 20, max_time: Duration::from_secs(30) }
    }
}

/// The text and metadata of a PDF.
#[derive(Clone, Debug, Default)]
pub struct PdfText {
    /// Text of page 1, 2, ... (index = page number - 1), in reading order;
    /// words separated by spaces, lines by `'\n'`.
    pub pages: Vec<String>,
    /// `/Title` from the document information dictionary.
    pub title: Option<String>,
    /// `/Author` from the document information dictionary.
    pub author: Option<String>,
    /// `/CreationDate` as ISO 8601 (`YYYY-MM-DD`, or with time) when parseable.
    pub created: Option<String>,
    /// Problems that cost some text (per page / per font) or repairs made.
    pub warnings: Vec<String>,
    /// Pages (from 1) that draw an image but carry no text layer worth the
    /// name: scanned pages, for text recognition.
    pub scanned_pages: Vec<u32>,
}

/// A page that draws an image and has fewer words than this in its text
/// layer is taken for a scan (a copier may stamp a line or a page number).
const SCANNED_PAGE_MAX_WORDS: usize = 3;

/// Whether a page's text layer is too thin to be the page's text.
fn has_no_real_text(page: &str) -> bool {
    page.split_whitespace().filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2).count()
        < SCANNED_PAGE_MAX_WORDS
}

/// Why a PDF gave no text at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PdfError {
    /// The file has 0 bytes.
    Empty,
    /// No `%PDF` header: not a PDF file.
    NotAPdf,
    /// The file ends early and could not be repaired.
    Truncated,
    /// Encrypted with a user password we do not have.
    PasswordRequired,
    /// Structurally damaged beyond repair.
    Damaged(String),
    /// A size limit stopped extraction before any text was found.
    ResourceLimit(String),
    /// The time limit passed before any text was found.
    TimedOut,
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Empty => write!(f, "the file is empty (0 bytes)"),
            PdfError::NotAPdf => write!(f, "not a PDF file (no %PDF header)"),
            PdfError::Truncated => write!(f, "the file is cut short (incomplete download?)"),
            PdfError::PasswordRequired => {
                write!(f, "password required: the PDF is encrypted with a user password")
            }
            PdfError::Damaged(d) => write!(f, "damaged PDF: {d}"),
            PdfError::ResourceLimit(d) => write!(f, "resource limit exceeded: {d}"),
            PdfError::TimedOut => write!(f, "timed out"),
        }
    }
}

impl std::error::Error for PdfError {}

/// Most pages we walk; a page tree claiming more is treated as damaged
/// beyond that point.
const MAX_PAGES: usize = 200_000;

struct PageRef<'d> {
    dict: &'d Dictionary,
    resources: Option<&'d Dictionary>,
}

/// Walks the page tree iteratively (no recursion: a 3000-level tree must
/// not overflow the stack), with a visited set against cycles.
fn collect_pages(doc: &Document) -> Result<Vec<PageRef<'_>>, String> {
    let catalog = doc.catalog().map_err(|e| format!("no document catalog ({e})"))?;
    let root = catalog.get(b"Pages").map_err(|_| "the catalog has no page tree".to_string())?;
    let mut pages = Vec::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    // Stack of (node, inherited resources), children pushed in reverse.
    let mut stack: Vec<(&Object, Option<&Dictionary>)> = vec![(root, None)];
    while let Some((node, inherited)) = stack.pop() {
        if pages.len() >= MAX_PAGES {
            break;
        }
        if let Object::Reference(id) = node {
            if !visited.insert(*id) {
                continue;
            }
        }
        let Object::Dictionary(d) = deref(doc, node) else { continue };
        let res = match d.get(b"Resources").ok().map(|o| deref(doc, o)) {
            Some(Object::Dictionary(r)) => Some(r),
            _ => inherited,
        };
        let is_pages = match d.get(b"Type").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => n.as_slice() == b"Pages",
            _ => d.has(b"Kids"),
        };
        if is_pages {
            if let Some(Object::Array(kids)) = d.get(b"Kids").ok().map(|o| deref(doc, o)) {
                for k in kids.iter().rev() {
                    stack.push((k, res));
                }
            }
        } else {
            pages.push(PageRef { dict: d, resources: res });
        }
    }
    Ok(pages)
}

fn info_string(doc: &Document, info: &Dictionary, key: &[u8]) -> Option<String> {
    match info.get(key).ok().map(|o| deref(doc, o)) {
        Some(Object::String(s, _)) => {
            let t = encodings::decode_text_string(s);
            let t = t.trim().to_string();
            (!t.is_empty()).then_some(t)
        }
        _ => None,
    }
}

/// `D:YYYYMMDDHHmmSS...` to `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
fn parse_pdf_date(s: &str) -> Option<String> {
    let s = s.trim().strip_prefix("D:").unwrap_or(s.trim());
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let part = |a: usize, b: usize, def: &str| digits.get(a..b).map(str::to_string).unwrap_or_else(|| def.to_string());
    let (y, m, d) = (part(0, 4, "0000"), part(4, 6, "01"), part(6, 8, "01"));
    let mi: u32 = m.parse().ok()?;
    let di: u32 = d.parse().ok()?;
    if !(1..=12).contains(&mi) || !(1..=31).contains(&di) {
        return None;
    }
    if digits.len() >= 12 {
        let (hh, mm, ss) = (part(8, 10, "00"), part(10, 12, "00"), part(12, 14, "00"));
        Some(format!("{y}-{m}-{d}T{hh}:{mm}:{ss}"))
    } else {
        Some(format!("{y}-{m}-{d}"))
    }
}

fn has_pdf_header(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or(bytes);
    head.windows(5).any(|w| w == b"%PDF-")
}

fn looks_truncated(bytes: &[u8]) -> bool {
    let tail = bytes.get(bytes.len().saturating_sub(2048)..).unwrap_or(bytes);
    !tail.windows(5).any(|w| w == b"%%EOF")
}

fn load(bytes: &[u8], limits: &PdfLimits, warnings: &mut Vec<String>) -> Result<Document, PdfError> {
    let opts = lopdf::LoadOptions { max_decompressed_size: Some(limits.max_stream_bytes), ..Default::default() };
    let doc = match Document::load_mem_with_options(bytes, opts) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            let low = msg.to_ascii_lowercase();
            if low.contains("password") || low.contains("decrypt") || low.contains("encrypt") {
                return Err(PdfError::PasswordRequired);
            }
            if low.contains("limit") {
                return Err(PdfError::ResourceLimit(msg));
            }
            if looks_truncated(bytes) {
                return Err(PdfError::Truncated);
            }
            return Err(PdfError::Damaged(msg));
        }
    };
    if doc.is_encrypted() {
        // lopdf tried the empty user password and it did not open the file.
        return Err(PdfError::PasswordRequired);
    }
    match doc.xref_recovery {
        Some(lopdf::xref::XrefRecovery::Reconstructed) => {
            warnings.push("repaired: xref table rebuilt by scanning objects".to_string())
        }
        Some(lopdf::xref::XrefRecovery::OffsetCorrected) => {
            warnings.push("repaired: xref offset corrected".to_string())
        }
        Some(_) => warnings.push("repaired: cross-reference data".to_string()),
        None => {}
    }
    Ok(doc)
}

/// Appends the text of visible annotations' normal appearances (filled-in
/// form fields, free-text notes) to the page's glyphs.
fn draw_annotations<'d>(
    ctx: &mut content::Ctx<'d>,
    doc: &'d Document,
    page: &'d Dictionary,
    mut out: content::PageOutput,
) -> content::PageOutput {
    let Some(Object::Array(annots)) = page.get(b"Annots").ok().map(|o| deref(doc, o)) else {
        return out;
    };
    for a in annots.iter().take(10_000) {
        let Object::Dictionary(ad) = deref(doc, a) else { continue };
        let flags = match ad.get(b"F").ok().map(|o| deref(doc, o)) {
            Some(Object::Integer(f)) => *f,
            _ => 0,
        };
        // Hidden (2) or NoView (32) annotations are not shown.
        if flags & (2 | 32) != 0 {
            continue;
        }
        let subtype = match ad.get(b"Subtype").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => n.as_slice(),
            _ => b"",
        };
        if !matches!(subtype, b"Widget" | b"FreeText") {
            continue;
        }
        let Some(Object::Dictionary(ap)) = ad.get(b"AP").ok().map(|o| deref(doc, o)) else { continue };
        let normal = match ap.get(b"N").ok().map(|o| deref(doc, o)) {
            Some(Object::Stream(s)) => Some(s),
            Some(Object::Dictionary(states)) => {
                let state = match ad.get(b"AS").ok().map(|o| deref(doc, o)) {
                    Some(Object::Name(n)) => Some(n.clone()),
                    _ => None,
                };
                state.and_then(|st| match states.get(&st).ok().map(|o| deref(doc, o)) {
                    Some(Object::Stream(s)) => Some(s),
                    _ => None,
                })
            }
            _ => None,
        };
        let Some(form) = normal else { continue };
        let rect = objects::number_array(doc, ad, b"Rect");
        let rect = match rect.as_slice() {
            [x0, y0, x1, y1] => [x0.min(*x1), y0.min(*y1), x0.max(*x1), y0.max(*y1)],
            _ => continue,
        };
        out = content::interpret_appearance(ctx, out, form, rect);
    }
    out
}

/// Producers that never hyphenate automatically, judged from /Producer
/// and /Creator.
fn producer_keeps_hyphens(doc: &Document) -> bool {
    let Some(Object::Dictionary(info)) = doc.trailer.get(b"Info").ok().map(|o| deref(doc, o)) else {
        return false;
    };
    let mut s = String::new();
    for k in [&b"Producer"[..], b"Creator"] {
        if let Some(v) = info_string(doc, info, k) {
            s.push_str(&v.to_ascii_lowercase());
        }
    }
    ["libreoffice", "openoffice", "skia", "chrome", "reportlab", "fpdf", "microsoft", "google docs"]
        .iter()
        .any(|p| s.contains(p))
}

/// Extracts the text of every page of a PDF, with its title, author and
/// creation date.
pub fn extract(bytes: &[u8], limits: &PdfLimits) -> Result<PdfText, PdfError> {
    let started = Instant::now();
    let deadline = started + limits.max_time;
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if !has_pdf_header(bytes) {
        return Err(PdfError::NotAPdf);
    }
    let mut result = PdfText::default();
    let doc = load(bytes, limits, &mut result.warnings)?;

    if let Some(Object::Dictionary(info)) = doc.trailer.get(b"Info").ok().map(|o| deref(&doc, o)) {
        result.title = info_string(&doc, info, b"Title");
        result.author = info_string(&doc, info, b"Author");
        result.created = info_string(&doc, info, b"CreationDate").and_then(|d| parse_pdf_date(&d));
    }

    let pages = match collect_pages(&doc) {
        Ok(p) => p,
        Err(e) => {
            if looks_truncated(bytes) {
                return Err(PdfError::Truncated);
            }
            return Err(PdfError::Damaged(e));
        }
    };
    if pages.is_empty() && looks_truncated(bytes) {
        return Err(PdfError::Truncated);
    }

    let mut ctx = content::Ctx {
        doc: &doc,
        fonts: Default::default(),
        deadline,
        budget: limits.max_total_bytes,
        max_stream: limits.max_stream_bytes,
        warned_fonts: Default::default(),
    };
    let mut text_ops = 0usize;
    let mut glyph_total = 0usize;
    let mut timed_out = false;
    let mut budget_hit = false;
    let mut raw_recoveries = 0usize;
    for (idx, page) in pages.iter().enumerate() {
        let pno = idx + 1;
        if timed_out || Instant::now() > deadline {
            timed_out = true;
            result.pages.push(String::new());
            continue;
        }
        let mut content = Vec::new();
        let mut capped = false;
        let refs: Vec<&Object> = match page.dict.get(b"Contents").ok() {
            Some(o @ Object::Reference(_)) => match deref(&doc, o) {
                Object::Array(a) => a.iter().collect(),
                _ => vec![o],
            },
            Some(Object::Array(a)) => a.iter().collect(),
            Some(o) => vec![o],
            None => Vec::new(),
        };
        let mut streams: Vec<std::borrow::Cow<'_, lopdf::Stream>> = Vec::with_capacity(refs.len());
        for r in refs {
            match (deref(&doc, r), r) {
                // A stream without a usable /Length comes back empty.
                (Object::Stream(s), _) if !s.content.is_empty() || s.dict.get(b"Length").is_ok() => {
                    streams.push(std::borrow::Cow::Borrowed(s))
                }
                (_, Object::Reference(id)) if raw_recoveries < stream::MAX_RAW_RECOVERIES => {
                    raw_recoveries += 1;
                    if let Some(s) = stream::raw_stream(bytes, *id) {
                        result
                            .warnings
                            .push(format!("page {pno}: repaired: content stream {} read without its length", id.0));
                        streams.push(std::borrow::Cow::Owned(s));
                    }
                }
                _ => {}
            }
        }
        for s in &streams {
            let cap = limits.max_stream_bytes.min(ctx.budget);
            if cap == 0 {
                budget_hit = true;
                capped = true;
                break;
            }
            match stream::decode(s, cap) {
                Ok(d) => {
                    ctx.budget = ctx.budget.saturating_sub(d.data.len());
                    if d.capped {
                        capped = true;
                    }
                    if d.damaged {
                        result.warnings.push(format!("page {pno}: content stream is damaged; read up to the damage"));
                    }
                    // Move rather than copy the (usually single) stream:
                    // a capped bomb is 64 MiB we should hold only once.
                    if content.is_empty() {
                        content = d.data;
                    } else {
                        content.extend_from_slice(&d.data);
                    }
                    content.push(b'\n');
                }
                Err(e) => result.warnings.push(format!("page {pno}: {e}")),
            }
        }
        let mut out = content::interpret_page(&mut ctx, &content, page.resources);
        drop(content);
        out = draw_annotations(&mut ctx, &doc, page.dict, out);
        text_ops += out.text_ops;
        glyph_total += out.glyphs.len();
        for p in &out.problems {
            result.warnings.push(format!("page {pno}: {p}"));
        }
        if capped || out.capped {
            budget_hit = true;
            result.warnings.push(format!("page {pno}: resource limit: content cut at the size limit"));
        }
        if out.timed_out {
            timed_out = true;
        }
        let text = layout::page_text(&out.glyphs, &out.text);
        if out.images > 0 && !out.timed_out && has_no_real_text(&text) {
            result.scanned_pages.push(pno as u32);
        }
        result.pages.push(text);
    }

    if timed_out {
        if glyph_total == 0 {
            return Err(PdfError::TimedOut);
        }
        result.warnings.push(format!("timed out after {} s: later pages not read", limits.max_time.as_secs()));
    }
    if glyph_total == 0 {
        if budget_hit {
            return Err(PdfError::ResourceLimit("content streams exceed the size limit".into()));
        }
        if text_ops == 0 && !pages.is_empty() && result.scanned_pages.is_empty() {
            result.warnings.push("no text on any page".to_string());
        }
    }

    // Running page numbers (first or last line of a page) are furniture,
    // not content.
    for (idx, p) in result.pages.iter_mut().enumerate() {
        let lines: Vec<&str> = p.lines().collect();
        let n = lines.len();
        if n < 2 {
            continue;
        }
        let drop_first = lines.first().is_some_and(|l| layout::is_page_number_line(l, idx + 1));
        let drop_last = lines.last().is_some_and(|l| layout::is_page_number_line(l, idx + 1));
        if drop_first || drop_last {
            let kept: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(k, _)| !(drop_first && *k == 0 || drop_last && *k + 1 == n))
                .map(|(_, l)| *l)
                .collect();
            *p = kept.join("\n");
            p.push('\n');
        }
    }

    // Line-end hyphenation, with the document's own words and hyphenated
    // compounds as evidence.
    if result.pages.iter().any(|p| p.contains("-\n")) {
        let mut ev =
            layout::HyphenEvidence { producer_keeps_hyphens: producer_keeps_hyphens(&doc), ..Default::default() };
        for p in &result.pages {
            layout::inline_compounds(p, &mut ev.compounds);
            layout::collect_words(p, &mut ev.words);
        }
        ev.words.sort_unstable();
        ev.words.dedup();
        for p in result.pages.iter_mut() {
            if p.contains("-\n") {
                *p = layout::dehyphenate(p, &ev);
            }
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests;
