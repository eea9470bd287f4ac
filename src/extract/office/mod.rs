//! Word (`.docx`, `.dotx`) and OpenDocument (`.odt`, `.ott`) files: a zip
//! package of XML parts. The package is opened with the `zip` crate and every
//! part is read through [`Package::part`], which holds a zip bomb to the same
//! size limits as a PDF's streams; the XML is walked with `quick-xml` by
//! [`docx`] and [`odt`], which keep paragraphs, headings, tables, lists,
//! notes, text boxes and headers/footers, and leave out deleted tracked
//! changes and comments.

pub mod docx;
mod lists;
mod numbering;
pub mod odt;

use std::io::Read;

use quick_xml::events::{BytesRef, BytesStart};

use crate::document::Extracted;
use crate::error::FileError;

/// Size limits for one package.
#[derive(Debug, Clone, Copy)]
pub struct OfficeLimits {
    /// Largest inflated size of one part, in bytes.
    pub max_part_bytes: u64,
    /// Largest inflated size of all parts read, in bytes.
    pub max_total_bytes: u64,
    /// Deepest element nesting accepted in a part.
    pub max_depth: usize,
    /// Longest text kept, in bytes (more is cut with a warning).
    pub max_text_bytes: usize,
}

impl Default for OfficeLimits {
    fn default() -> Self {
        OfficeLimits { max_part_bytes: 64 << 20, max_total_bytes: 256 << 20, max_depth: 512, max_text_bytes: 32 << 20 }
    }
}

/// The most entries a package may list (real documents have tens).
const MAX_ENTRIES: usize = 10_000;

/// An opened zip package whose parts are read within [`OfficeLimits`].
pub struct Package<'a> {
    archive: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    limits: OfficeLimits,
    /// Inflated bytes read so far.
    read_total: u64,
}

impl<'a> Package<'a> {
    /// Opens the package; `kind` names the format in messages ("Word", "OpenDocument").
    pub fn open(bytes: &'a [u8], kind: &str, limits: OfficeLimits) -> Result<Package<'a>, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if !bytes.starts_with(b"PK") {
            return Err(FileError::Damaged(format!(
                "not a {kind} file: the name says so, but the content is not a zip package"
            )));
        }
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| FileError::Damaged(format!("the {kind} package cannot be opened: {e}")))?;
        if archive.len() > MAX_ENTRIES {
            return Err(FileError::ResourceLimit(format!("the package lists {} parts", archive.len())));
        }
        Ok(Package { archive, limits, read_total: 0 })
    }

    /// The names of the parts in the package.
    pub fn names(&self) -> Vec<String> {
        self.archive.file_names().filter_map(|name| name.ok().map(|n| n.into_owned())).collect()
    }

    /// Reads part `name` as UTF-8 text; `Ok(None)` when there is no such part.
    ///
    /// The inflated size is counted as it is read, whatever the package
    /// declares, so a zip bomb stops at [`OfficeLimits::max_part_bytes`] or
    /// [`OfficeLimits::max_total_bytes`] with [`FileError::ResourceLimit`].
    pub fn part(&mut self, name: &str) -> Result<Option<String>, FileError> {
        let mut file = match self.archive.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(FileError::Damaged(format!("part {name} cannot be read: {e}"))),
        };
        if file.encrypted() {
            return Err(FileError::PasswordRequired);
        }
        let remaining = self.limits.max_total_bytes.saturating_sub(self.read_total);
        let cap = self.limits.max_part_bytes.min(remaining);
        if file.size() > cap {
            return Err(bomb(name, cap));
        }
        let mut data = Vec::with_capacity(file.size().min(cap) as usize);
        (&mut file)
            .take(cap.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| FileError::Damaged(format!("part {name} cannot be inflated: {e}")))?;
        if data.len() as u64 > cap {
            return Err(bomb(name, cap));
        }
        self.read_total += data.len() as u64;
        let text = match String::from_utf8(data) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(Some(text))
    }
}

/// A part that inflates past `cap` bytes (what was left of the limits).
fn bomb(name: &str, cap: u64) -> FileError {
    let cap_mb = cap.div_ceil(1024 * 1024).max(1);
    FileError::ResourceLimit(format!("part {name} inflates to more than {cap_mb} MB (a zip bomb?)"))
}

/// Where an XML walk is: how deep (nesting is capped), and which left-out
/// element (a deleted change, a comment) is being passed over with all
/// that is inside it.
pub(crate) struct Nesting {
    depth: usize,
    max_depth: usize,
    left_out: Option<usize>,
}

impl Nesting {
    pub fn new(max_depth: usize) -> Nesting {
        Nesting { depth: 0, max_depth, left_out: None }
    }

    /// A start tag; `leave_out` says the element's content is not text.
    /// Gives the element's depth when it is read, `None` when it is passed
    /// over, and an error when the nesting is too deep.
    pub fn start(&mut self, leave_out: bool) -> Result<Option<usize>, FileError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(too_deep(self.max_depth));
        }
        if self.left_out.is_some() {
            return Ok(None);
        }
        if leave_out {
            self.left_out = Some(self.depth);
            return Ok(None);
        }
        Ok(Some(self.depth))
    }

    /// An end tag: the depth of the element it closes when that was read,
    /// `None` when it was passed over.
    pub fn end(&mut self) -> Option<usize> {
        let at = self.depth;
        self.depth = self.depth.saturating_sub(1);
        match self.left_out {
            Some(start) => {
                if at == start {
                    self.left_out = None;
                }
                None
            }
            None => Some(at),
        }
    }

    /// Whether what comes now (text, an empty element) is read.
    pub fn reading(&self) -> bool {
        self.left_out.is_none()
    }
}

/// The text of an entity or character reference (`&amp;`, `&#228;`), as
/// quick-xml reports them apart from the text around them.
pub(crate) fn resolve_reference(reference: &BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name: &str = reference;
    quick_xml::escape::resolve_predefined_entity(name).map(str::to_string)
}

/// The value of attribute `key` (a qualified name such as `w:val`).
pub(crate) fn attribute(element: &BytesStart<'_>, key: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// A document's text as the walkers build it: paragraphs one per line.
#[derive(Default)]
pub(crate) struct TextSink {
    pub text: String,
    pub headings: Vec<String>,
    /// The first paragraph in the title style, if any.
    pub styled_title: Option<String>,
    pub truncated: bool,
    limit: usize,
}

impl TextSink {
    pub fn new(limit: usize) -> TextSink {
        TextSink { limit, ..TextSink::default() }
    }

    /// Adds one finished paragraph (whitespace collapsed); a heading also
    /// goes to [`TextSink::headings`].
    pub fn paragraph(&mut self, raw: &str, kind: Paragraph) {
        let line = collapse_whitespace(raw);
        if line.is_empty() {
            return;
        }
        if self.text.len() + line.len() > self.limit {
            self.truncated = true;
            return;
        }
        // A heading that repeats the title paragraph just before it (pandoc
        // writes the title both ways) is one line of text.
        let repeats_title = kind == Paragraph::Heading
            && self.styled_title.as_deref() == Some(line.as_str())
            && self.text.strip_suffix('\n').is_some_and(|t| t.ends_with(line.as_str()));
        if repeats_title {
            self.headings.push(line);
            return;
        }
        match kind {
            Paragraph::Heading => self.headings.push(line.clone()),
            Paragraph::Title if self.styled_title.is_none() => self.styled_title = Some(line.clone()),
            _ => {}
        }
        self.text.push_str(&line);
        self.text.push('\n');
    }

    /// Ends a block (a table row, a section) with an empty line.
    pub fn break_block(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }
}

/// The paragraphs and tables open at a point of the XML walk: paragraphs
/// nest (a text box or a note inside a paragraph), and a paragraph inside a
/// table cell joins its cell; a finished row is one line, cells apart by ` | `.
#[derive(Default)]
pub(crate) struct Blocks {
    paragraphs: Vec<(String, Paragraph)>,
    tables: Vec<TableRow>,
}

#[derive(Default)]
struct TableRow {
    cells: Vec<String>,
    cell: String,
}

impl Blocks {
    pub fn start_paragraph(&mut self, kind: Paragraph) {
        self.paragraphs.push((String::new(), kind));
    }

    /// Sets what the innermost open paragraph is.
    pub fn set_kind(&mut self, kind: Paragraph) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.1 = kind;
        }
    }

    pub fn in_paragraph(&self) -> bool {
        !self.paragraphs.is_empty()
    }

    /// Adds text to the innermost open paragraph (none open: dropped).
    pub fn push_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.0.push_str(text);
        }
    }

    pub fn end_paragraph(&mut self, sink: &mut TextSink) {
        let Some((text, kind)) = self.paragraphs.pop() else { return };
        match self.tables.last_mut() {
            Some(table) => {
                if !table.cell.is_empty() {
                    table.cell.push(' ');
                }
                table.cell.push_str(&text);
            }
            None => sink.paragraph(&text, kind),
        }
    }

    pub fn start_table(&mut self) {
        self.tables.push(TableRow::default());
    }

    pub fn end_cell(&mut self) {
        if let Some(table) = self.tables.last_mut() {
            let cell = collapse_whitespace(&std::mem::take(&mut table.cell));
            if !cell.is_empty() {
                table.cells.push(cell);
            }
        }
    }

    pub fn end_row(&mut self, sink: &mut TextSink) {
        if let Some(table) = self.tables.last_mut() {
            let row = std::mem::take(&mut table.cells).join(" | ");
            sink.paragraph(&row, Paragraph::Body);
        }
    }

    /// Ends the paragraphs still open (a part cut short keeps what was read).
    pub fn finish(&mut self, sink: &mut TextSink) {
        while self.in_paragraph() {
            self.end_paragraph(sink);
        }
    }

    pub fn end_table(&mut self, sink: &mut TextSink) {
        if self.tables.pop().is_some() {
            sink.break_block();
        }
    }
}

/// Adds the lines of headers and footers, each distinct line once (a header
/// repeated on every page, or the same in the first-page and default
/// headers, is one line), skipping lines the body already has.
pub(crate) fn add_distinct_lines(sink: &mut TextSink, extra: &TextSink) {
    let mut seen: std::collections::HashSet<&str> = sink.text.lines().collect();
    let mut added = Vec::new();
    for line in extra.text.lines().filter(|l| !l.is_empty()) {
        if seen.insert(line) {
            added.push(line.to_string());
        }
    }
    if !added.is_empty() {
        sink.break_block();
        for line in added {
            sink.paragraph(&line, Paragraph::Body);
        }
    }
}

/// What a paragraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paragraph {
    Body,
    Heading,
    Title,
}

/// Runs of whitespace (no-break spaces included) as one space, trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Document properties shared by both formats (`docProps/core.xml`, `meta.xml`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Properties {
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:subject`.
    pub subject: Option<String>,
    /// `cp:keywords` / `meta:keyword`, one entry a keyword.
    pub keywords: Vec<String>,
    /// `dc:creator` (or `meta:initial-creator`).
    pub author: Option<String>,
    /// `dcterms:created` / `meta:creation-date`, ISO 8601.
    pub created: Option<String>,
    /// `dcterms:modified` / `dc:date`, ISO 8601.
    pub modified: Option<String>,
    /// `dc:language`, e.g. `fi-FI`.
    pub language: Option<String>,
}

/// Reads the properties part: the text of each element whose local name is
/// one of the Dublin Core / OOXML / ODF property names.
pub(crate) fn read_properties(xml: &str, max_depth: usize) -> Result<Properties, FileError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut props = Properties::default();
    let mut current: Option<(String, Option<String>)> = None;
    let mut text = String::new();
    let mut nesting = Nesting::new(max_depth);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                nesting.start(false)?;
                let qname = e.name().into_inner().to_string();
                current = Some((qname, attribute(&e, "meta:name")));
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => text.extend(resolve_reference(&r)),
            Ok(Event::End(_)) => {
                nesting.end();
                if let Some((qname, name_attr)) = current.take() {
                    let value = collapse_whitespace(&text);
                    if !value.is_empty() {
                        assign_property(&mut props, &qname, name_attr.as_deref(), value);
                    }
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(FileError::Damaged(format!("the document properties are not valid XML: {e}"))),
        }
    }
    Ok(props)
}

fn assign_property(props: &mut Properties, qname: &str, name_attr: Option<&str>, value: String) {
    let local = qname.rsplit(':').next().unwrap_or(qname);
    match local {
        "title" => props.title = Some(value),
        "subject" => props.subject = Some(value),
        "description" if props.subject.is_none() => props.subject = Some(value),
        "creator" => props.author = Some(value),
        "initial-creator" if props.author.is_none() => props.author = Some(value),
        "created" | "creation-date" => props.created = Some(value),
        "modified" => props.modified = Some(value),
        "date" if qname.starts_with("dc:") => props.modified = Some(value),
        "language" => props.language = Some(value),
        // OOXML: one element, keywords separated by commas or semicolons.
        "keywords" => props.keywords.extend(crate::extract::markdown::split_tag_list(&value)),
        // ODF: one element a keyword (pandoc joins them with commas in one).
        "keyword" => {
            props.keywords.extend(value.split(", ").map(str::trim).filter(|k| !k.is_empty()).map(str::to_string))
        }
        "user-defined" if name_attr.is_some_and(|n| n.eq_ignore_ascii_case("keywords")) => {
            props.keywords.extend(crate::extract::markdown::split_tag_list(&value))
        }
        _ => {}
    }
}

fn too_deep(max_depth: usize) -> FileError {
    FileError::ResourceLimit(format!("XML nested deeper than {max_depth} levels"))
}

/// Puts the walked text and the properties together into an [`Extracted`].
pub(crate) fn assemble(sink: TextSink, props: Properties, name: &str) -> Extracted {
    let mut warnings = Vec::new();
    if sink.truncated {
        warnings.push("the text is very long; only its first part is indexed".to_string());
    }
    let title = props
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| sink.styled_title.clone())
        .or_else(|| sink.headings.first().cloned())
        .or_else(|| Some(name.to_string()));
    let mut tags = props.keywords.clone();
    tags.dedup();
    Extracted {
        title,
        author: props.author.clone(),
        date: props
            .created
            .as_deref()
            .and_then(crate::dates::iso_date)
            .or_else(|| props.modified.as_deref().and_then(crate::dates::iso_date)),
        modified: props.modified.as_deref().and_then(crate::dates::iso_date),
        subject: props.subject.clone(),
        tags,
        declared_lang: props.language.as_deref().and_then(crate::lang::Lang::from_tag),
        headings: sink.headings,
        text: sink.text,
        warnings,
        ..Extracted::default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A zip package of `(name, content)` parts, deflated.
    pub fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            for (name, content) in parts {
                zip.start_file(*name, options).unwrap_or_else(|e| panic!("zip: {e}"));
                zip.write_all(content.as_bytes()).unwrap_or_else(|e| panic!("zip: {e}"));
            }
            zip.finish().unwrap_or_else(|e| panic!("zip: {e}"));
        }
        buffer.into_inner()
    }

    #[test]
    fn a_zip_bomb_stops_at_the_part_limit() {
        let huge = "a".repeat(3 << 20);
        let bytes = package(&[("word/document.xml", &huge)]);
        assert!(bytes.len() < 100_000, "the bomb is small: {}", bytes.len());
        let limits = OfficeLimits { max_part_bytes: 1 << 20, ..OfficeLimits::default() };
        let mut package = Package::open(&bytes, "Word", limits).unwrap_or_else(|e| panic!("{e}"));
        match package.part("word/document.xml") {
            Err(FileError::ResourceLimit(why)) => assert!(why.contains("zip bomb"), "{why}"),
            other => panic!("expected a resource limit, got {other:?}"),
        }
    }

    #[test]
    fn the_total_limit_counts_every_part() {
        let part = "b".repeat(600 << 10);
        let bytes = package(&[("one.xml", &part), ("two.xml", &part)]);
        let limits = OfficeLimits { max_total_bytes: 1 << 20, ..OfficeLimits::default() };
        let mut package = Package::open(&bytes, "Word", limits).unwrap_or_else(|e| panic!("{e}"));
        assert!(package.part("one.xml").is_ok_and(|p| p.is_some()));
        assert!(matches!(package.part("two.xml"), Err(FileError::ResourceLimit(_))));
        assert!(package.part("three.xml").is_ok_and(|p| p.is_none()));
    }

    #[test]
    fn not_a_package_is_damaged_not_a_panic() {
        assert!(matches!(Package::open(b"", "Word", OfficeLimits::default()), Err(FileError::Empty)));
        assert!(matches!(Package::open(b"hello", "Word", OfficeLimits::default()), Err(FileError::Damaged(_))));
        assert!(matches!(
            Package::open(b"PK\x03\x04rest", "Word", OfficeLimits::default()),
            Err(FileError::Damaged(_))
        ));
    }

    #[test]
    fn properties_of_both_formats() {
        let core = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="y" xmlns:dcterms="z">
            <dc:title>Vuosikokouksen p&#246;yt&#228;kirja</dc:title><dc:subject>Hallinto</dc:subject>
            <cp:keywords>kokous, hallitus; jäsenet</cp:keywords><dc:creator>Sihteeri</dc:creator>
            <dcterms:created>2025-03-05T10:00:00Z</dcterms:created><dcterms:modified>2025-04-01T08:00:00Z</dcterms:modified>
            <dc:language>fi-FI</dc:language></cp:coreProperties>"#;
        let props = read_properties(core, 64).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(props.title.as_deref(), Some("Vuosikokouksen pöytäkirja"));
        assert_eq!(props.keywords, ["kokous", "hallitus", "jäsenet"]);
        assert_eq!(props.created.as_deref().and_then(crate::dates::iso_date).as_deref(), Some("2025-03-05"));
        assert_eq!(props.language.as_deref(), Some("fi-FI"));
        let meta = r#"<office:document-meta><office:meta><dc:title>Årsmöte</dc:title>
            <meta:keyword>möte</meta:keyword><meta:keyword>styrelse</meta:keyword>
            <meta:initial-creator>Sekreteraren</meta:initial-creator><meta:creation-date>2024-11-02T12:00:00</meta:creation-date>
            <dc:date>2024-12-01T09:00:00</dc:date><dc:language>sv-FI</dc:language></office:meta></office:document-meta>"#;
        let props = read_properties(meta, 64).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(props.keywords, ["möte", "styrelse"]);
        assert_eq!(props.author.as_deref(), Some("Sekreteraren"));
        assert_eq!(props.modified.as_deref(), Some("2024-12-01T09:00:00"));
    }

    #[test]
    fn deep_nesting_is_a_limit() {
        let xml = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(read_properties(&xml, 50), Err(FileError::ResourceLimit(_))));
    }
}
