//! Word documents (`.docx`, `.dotx`, `.docm`, `.dotm`): WordprocessingML.
//!
//! The body (`word/document.xml`, or the part `_rels/.rels` names), then
//! footnotes and endnotes, then the distinct lines of the headers and
//! footers. Paragraph styles come from `word/styles.xml`: a style named
//! "heading N" or with an outline level makes a heading, "Title" the title,
//! whatever name the style has in the user's language. Deleted tracked
//! changes (`w:del`, `w:moveFrom`), field codes and the fallback copy of a
//! text box (`mc:Fallback`) are left out; comments live in a part of their
//! own, which is not read. Elements are matched by their usual `w:` names,
//! which every producer we know writes.

use std::collections::HashMap;

use quick_xml::events::{BytesEnd, BytesStart, Event};

use super::numbering::Numbering;
use super::{
    add_distinct_lines, assemble, attribute, read_properties, resolve_reference, Blocks, Nesting, OfficeLimits,
    Package, Paragraph, TextSink,
};
use crate::document::Extracted;
use crate::error::FileError;

/// Extracts a Word document. `name` is the fallback title.
pub fn extract(bytes: &[u8], name: &str, limits: OfficeLimits) -> Result<Extracted, FileError> {
    let mut package = Package::open(bytes, "Word", limits)?;
    let main = package
        .part("_rels/.rels")?
        .and_then(|rels| main_part(&rels))
        .unwrap_or_else(|| "word/document.xml".to_string());
    let Some(document) = package.part(&main)? else {
        return Err(FileError::Damaged(format!("not a Word document: the package has no {main}")));
    };
    let styles = match package.part("word/styles.xml")? {
        Some(xml) => Styles::read(&xml, limits.max_depth)?,
        None => Styles::default(),
    };
    let mut numbering = match package.part("word/numbering.xml")? {
        Some(xml) => Numbering::read(&xml, limits.max_depth)?,
        None => Numbering::default(),
    };
    let mut sink = TextSink::new(limits.max_text_bytes);
    walk(&document, &styles, &mut numbering, &mut sink, limits.max_depth)?;
    for notes in ["word/footnotes.xml", "word/endnotes.xml"] {
        if let Some(xml) = package.part(notes)? {
            sink.break_block();
            walk(&xml, &styles, &mut numbering, &mut sink, limits.max_depth)?;
        }
    }
    let mut margins: Vec<String> = package
        .names()
        .into_iter()
        .filter(|n| (n.starts_with("word/header") || n.starts_with("word/footer")) && n.ends_with(".xml"))
        .collect();
    margins.sort();
    let mut margin_text = TextSink::new(limits.max_text_bytes);
    for part in margins {
        if let Some(xml) = package.part(&part)? {
            walk(&xml, &styles, &mut numbering, &mut margin_text, limits.max_depth)?;
        }
    }
    add_distinct_lines(&mut sink, &margin_text);
    let props = match package.part("docProps/core.xml")? {
        Some(xml) => read_properties(&xml, limits.max_depth)?,
        None => super::Properties::default(),
    };
    Ok(assemble(sink, props, name))
}

/// The target of the `officeDocument` relationship in `_rels/.rels`.
fn main_part(rels: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().into_inner() == "Relationship" => {
                let kind = attribute(&e, "Type").unwrap_or_default();
                if kind.ends_with("/officeDocument") {
                    let target = attribute(&e, "Target")?;
                    return Some(target.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// What each paragraph style of the document is.
#[derive(Default)]
struct Styles {
    kinds: HashMap<String, Paragraph>,
}

struct StyleEntry {
    name: String,
    based_on: Option<String>,
    outline_level: Option<u8>,
}

impl Styles {
    fn read(xml: &str, max_depth: usize) -> Result<Styles, FileError> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut entries: HashMap<String, StyleEntry> = HashMap::new();
        let mut current: Option<(String, StyleEntry)> = None;
        let mut nesting = Nesting::new(max_depth);
        loop {
            let event = reader.read_event();
            let (element, is_start) = match &event {
                Ok(Event::Start(e)) => (e, true),
                Ok(Event::Empty(e)) => (e, false),
                Ok(Event::End(e)) => {
                    nesting.end();
                    if e.name().into_inner() == "w:style" {
                        if let Some((id, entry)) = current.take() {
                            entries.insert(id, entry);
                        }
                    }
                    continue;
                }
                Ok(Event::Eof) => break,
                Ok(_) => continue,
                Err(e) => return Err(FileError::Damaged(format!("word/styles.xml is not valid XML: {e}"))),
            };
            if is_start {
                nesting.start(false)?;
            }
            match element.name().into_inner() {
                "w:style" if is_start => {
                    let id = attribute(element, "w:styleId").unwrap_or_default();
                    current = Some((id, StyleEntry { name: String::new(), based_on: None, outline_level: None }));
                }
                "w:name" => {
                    if let Some((_, entry)) = current.as_mut() {
                        entry.name = attribute(element, "w:val").unwrap_or_default();
                    }
                }
                "w:basedOn" => {
                    if let Some((_, entry)) = current.as_mut() {
                        entry.based_on = attribute(element, "w:val");
                    }
                }
                "w:outlineLvl" => {
                    if let Some((_, entry)) = current.as_mut() {
                        entry.outline_level = attribute(element, "w:val").and_then(|v| v.parse().ok());
                    }
                }
                _ => {}
            }
        }
        let mut kinds = HashMap::new();
        for id in entries.keys() {
            let mut at = Some(id.as_str());
            // A style inherits from the one it is based on; chains are short (and may loop).
            for _ in 0..12 {
                let Some(entry) = at.and_then(|id| entries.get(id)) else { break };
                if let Some(kind) = kind_of_name(&entry.name) {
                    kinds.insert(id.clone(), kind);
                    break;
                }
                if entry.outline_level.is_some_and(|level| level < 9) {
                    kinds.insert(id.clone(), Paragraph::Heading);
                    break;
                }
                at = entry.based_on.as_deref();
            }
        }
        Ok(Styles { kinds })
    }

    fn kind(&self, id: &str) -> Paragraph {
        self.kinds.get(id).copied().or_else(|| kind_of_name(id)).unwrap_or(Paragraph::Body)
    }
}

/// The built-in style names (Word keeps them in English in the file):
/// "heading 1" … "heading 9" and "Title"; also their ids "Heading1", "Title".
fn kind_of_name(name: &str) -> Option<Paragraph> {
    let lower = name.to_ascii_lowercase();
    if lower == "title" {
        return Some(Paragraph::Title);
    }
    let rest = lower.strip_prefix("heading")?.trim_start();
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(Paragraph::Heading)
}

/// Elements whose content is not part of the text a reader sees.
fn is_left_out(name: &str) -> bool {
    matches!(
        name,
        "w:del"
            | "w:moveFrom"
            | "w:delText"
            | "w:instrText"
            | "w:delInstrText"
            | "mc:Fallback"
            | "w:rPr"
            | "w:pPrChange"
    )
}

/// The state of a walk through one WordprocessingML part: where in the part
/// it is, the list item of the paragraph being read, and the paragraphs
/// being built.
struct DocxWalk<'a> {
    /// The document's paragraph styles (which are headings and the title).
    styles: &'a Styles,
    /// The document's lists, numbered as their items are read.
    numbering: &'a mut Numbering,
    /// Paragraphs and tables being built.
    blocks: Blocks,
    /// Elements open, and those being passed over.
    nesting: Nesting,
    /// Inside a `w:t` (text run).
    in_text: bool,
    /// Inside a `w:pPr` (a paragraph's properties).
    in_paragraph_properties: bool,
    /// The list instance of the paragraph being read (`w:numPr`'s `w:numId`).
    list_instance: Option<String>,
    /// Its level in the list (`w:ilvl`).
    list_level: usize,
}

impl DocxWalk<'_> {
    /// Whether text read now is text of the document.
    fn reads_text(&self) -> bool {
        self.in_text && self.nesting.reading()
    }

    /// A start tag: paragraphs, text runs, paragraph properties and tables.
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), FileError> {
        let name = e.name();
        if self.nesting.start(is_left_out(name.into_inner()))?.is_none() {
            return Ok(());
        }
        match name.into_inner() {
            "w:p" => self.blocks.start_paragraph(Paragraph::Body),
            "w:t" => self.in_text = true,
            "w:pPr" => {
                self.in_paragraph_properties = true;
                self.list_instance = None;
                self.list_level = 0;
            }
            "w:tbl" => self.blocks.start_table(),
            _ => {}
        }
        Ok(())
    }

    /// An empty element: a paragraph's style, outline level and list item,
    /// tabs, breaks and non-breaking hyphens.
    fn empty(&mut self, e: &BytesStart<'_>) {
        if !self.nesting.reading() {
            return;
        }
        let in_properties = self.in_paragraph_properties;
        match e.name().into_inner() {
            "w:pStyle" if in_properties => {
                let style = attribute(e, "w:val").unwrap_or_default();
                self.blocks.set_kind(self.styles.kind(&style));
            }
            "w:outlineLvl"
                if in_properties && attribute(e, "w:val").and_then(|v| v.parse::<u8>().ok()).is_some_and(|l| l < 9) =>
            {
                self.blocks.set_kind(Paragraph::Heading);
            }
            "w:tab" | "w:br" | "w:cr" | "w:ptab" if !in_properties => self.blocks.push_text(" "),
            "w:noBreakHyphen" => self.blocks.push_text("-"),
            "w:numId" if in_properties => self.list_instance = attribute(e, "w:val"),
            "w:ilvl" if in_properties => {
                self.list_level = attribute(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0);
            }
            _ => {}
        }
    }

    /// An end tag: paragraphs and table rows go to `sink`; the end of a
    /// paragraph's properties puts its list label first.
    fn end(&mut self, e: &BytesEnd<'_>, sink: &mut TextSink) {
        if self.nesting.end().is_none() {
            return;
        }
        match e.name().into_inner() {
            "w:t" => self.in_text = false,
            "w:pPr" => {
                self.in_paragraph_properties = false;
                // The paragraph's properties come before its text: the label goes first.
                let level = self.list_level;
                if let Some(label) = self.list_instance.take().and_then(|id| self.numbering.next_label(&id, level)) {
                    self.blocks.push_text(&label);
                    self.blocks.push_text(" ");
                }
            }
            "w:p" => self.blocks.end_paragraph(sink),
            "w:tc" => self.blocks.end_cell(),
            "w:tr" => self.blocks.end_row(sink),
            "w:tbl" => self.blocks.end_table(sink),
            _ => {}
        }
    }
}

/// Walks one WordprocessingML part into `sink`.
fn walk(
    xml: &str,
    styles: &Styles,
    numbering: &mut Numbering,
    sink: &mut TextSink,
    max_depth: usize,
) -> Result<(), FileError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut walk = DocxWalk {
        styles,
        numbering,
        blocks: Blocks::default(),
        nesting: Nesting::new(max_depth),
        in_text: false,
        in_paragraph_properties: false,
        list_instance: None,
        list_level: 0,
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => walk.start(&e)?,
            Ok(Event::Empty(e)) => walk.empty(&e),
            Ok(Event::Text(t)) if walk.reads_text() => walk.blocks.push_text(&t.xml10_content()),
            Ok(Event::CData(t)) if walk.reads_text() => walk.blocks.push_text(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if walk.reads_text() => {
                if let Some(text) = resolve_reference(&r) {
                    walk.blocks.push_text(&text);
                }
            }
            Ok(Event::End(e)) => walk.end(&e, sink),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(FileError::Damaged(format!("the Word document is not valid XML: {e}"))),
        }
    }
    walk.blocks.finish(sink);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::package;
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn docx(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let document =
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}</w:body></w:document>"#);
        let mut parts = vec![("word/document.xml", document.as_str())];
        parts.extend_from_slice(extra);
        package(&parts)
    }

    fn para(style: &str, text: &str) -> String {
        let style =
            if style.is_empty() { String::new() } else { format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#) };
        format!("<w:p>{style}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    }

    fn extract_ok(bytes: &[u8]) -> Extracted {
        extract(bytes, "fallback", OfficeLimits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    const STYLES: &str = r#"<w:styles xmlns:w="x">
        <w:style w:type="paragraph" w:styleId="Otsikko1"><w:name w:val="heading 1"/></w:style>
        <w:style w:type="paragraph" w:styleId="Oma"><w:name w:val="Oma otsikko"/><w:basedOn w:val="Otsikko1"/></w:style>
        <w:style w:type="paragraph" w:styleId="Jakso"><w:name w:val="Jakso"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
        <w:style w:type="paragraph" w:styleId="Otsikko"><w:name w:val="Title"/></w:style>
        <w:style w:type="paragraph" w:styleId="Leipa"><w:name w:val="Body Text"/></w:style></w:styles>"#;

    #[test]
    fn headings_by_style_name_in_any_language_and_the_title() {
        let body = [
            para("Otsikko", "Vuosikertomus 2025"),
            para("Otsikko1", "Toiminta"),
            para("Leipa", "Yhdistys järjesti &amp; tuki."),
            para("Oma", "Talous"),
            para("Jakso", "Jäsenet"),
            para("Heading2", "Ilman tyylitiedostoa"),
        ]
        .concat();
        let doc = extract_ok(&docx(&body, &[("word/styles.xml", STYLES)]));
        assert_eq!(doc.title.as_deref(), Some("Vuosikertomus 2025"));
        assert_eq!(doc.headings, ["Toiminta", "Talous", "Jäsenet", "Ilman tyylitiedostoa"]);
        assert!(doc.text.contains("Yhdistys järjesti & tuki.\n"), "{}", doc.text);
    }

    #[test]
    fn runs_join_and_tabs_breaks_and_hyphens_are_kept() {
        let body = r#"<w:p><w:r><w:t>Avust</w:t></w:r><w:r><w:t>us</w:t><w:tab/><w:t>haku</w:t><w:br/><w:t>kevät</w:t><w:noBreakHyphen/><w:t>2026</w:t></w:r></w:p>"#;
        let doc = extract_ok(&docx(body, &[]));
        assert_eq!(doc.text, "Avustus haku kevät-2026\n");
    }

    #[test]
    fn deleted_changes_field_codes_and_fallbacks_are_left_out() {
        let body = r#"<w:p><w:r><w:t>Kokous </w:t></w:r><w:del w:id="1"><w:r><w:delText>peruttiin</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>pidettiin</w:t></w:r></w:ins>
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t> 3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
            <w:moveFrom><w:r><w:t>siirretty</w:t></w:r></w:moveFrom><w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>
            <w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Laatikon teksti</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>
            <mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Laatikon teksti</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>ympärillä</w:t></w:r></w:p>"#;
        let comments = r#"<w:comments xmlns:w="x"><w:comment w:id="0"><w:p><w:r><w:t>Salainen huomautus</w:t></w:r></w:p></w:comment></w:comments>"#;
        let doc = extract_ok(&docx(body, &[("word/comments.xml", comments)]));
        assert!(doc.text.contains("Kokous pidettiin 3"), "{}", doc.text);
        for gone in ["peruttiin", "PAGE", "siirretty", "Salainen"] {
            assert!(!doc.text.contains(gone), "{gone} in {}", doc.text);
        }
        assert_eq!(doc.text.matches("Laatikon teksti").count(), 1, "{}", doc.text);
        assert!(doc.text.contains("ympärillä"));
    }

    #[test]
    fn numbered_lists_get_their_numbers_and_bullets_none() {
        let numbering = r#"<w:numbering xmlns:w="x">
            <w:abstractNum w:abstractNumId="7"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2)"/></w:lvl></w:abstractNum>
            <w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
            <w:num w:numId="3"><w:abstractNumId w:val="8"/></w:num></w:numbering>"#;
        let item = |num: u32, level: u32, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let body = [
            item(1, 0, "Kokouksen avaus"),
            item(1, 0, "Puheenjohtajan valinta"),
            item(1, 1, "sihteeri"),
            item(1, 1, "tarkastajat"),
            item(1, 0, "Talous"),
            item(3, 0, "Kahvit"),
            item(2, 0, "Uusi lista"),
            item(0, 0, "Ei listaa"),
        ]
        .concat();
        let doc = extract_ok(&docx(&body, &[("word/numbering.xml", numbering)]));
        assert_eq!(
            doc.text,
            "1. Kokouksen avaus\n2. Puheenjohtajan valinta\n2.a) sihteeri\n2.b) tarkastajat\n3. Talous\nKahvit\n1. Uusi lista\nEi listaa\n"
        );
    }

    #[test]
    fn tables_row_by_row_notes_and_headers_once() {
        let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
        let body = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>{}",
            cell("Tehtävä"),
            cell("Vastuu"),
            cell("Kahvitus"),
            cell("Liisa"),
            para("", "Loppu.")
        );
        let footnotes = r#"<w:footnotes xmlns:w="x"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Lähde: hallitus.</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
        let header = r#"<w:hdr xmlns:w="x"><w:p><w:r><w:t>Kallion asukasyhdistys</w:t></w:r></w:p></w:hdr>"#;
        let doc = extract_ok(&docx(
            &body,
            &[("word/footnotes.xml", footnotes), ("word/header1.xml", header), ("word/header2.xml", header)],
        ));
        assert!(doc.text.starts_with("Tehtävä | Vastuu\nKahvitus | Liisa\n"), "{}", doc.text);
        assert!(doc.text.contains("Lähde: hallitus."));
        assert_eq!(doc.text.matches("Kallion asukasyhdistys").count(), 1, "{}", doc.text);
    }

    #[test]
    fn properties_become_metadata() {
        let core = r#"<cp:coreProperties xmlns:cp="a" xmlns:dc="b" xmlns:dcterms="c"><dc:title>Avustusopas</dc:title>
            <dc:subject>Avustukset</dc:subject><cp:keywords>avustus, raportointi</cp:keywords><dc:creator>Toimisto</dc:creator>
            <dcterms:created>2025-01-15T09:00:00Z</dcterms:created><dcterms:modified>2025-02-01T09:00:00Z</dcterms:modified><dc:language>fi-FI</dc:language></cp:coreProperties>"#;
        let doc = extract_ok(&docx(&para("", "Teksti."), &[("docProps/core.xml", core)]));
        assert_eq!(doc.title.as_deref(), Some("Avustusopas"));
        assert_eq!(doc.subject.as_deref(), Some("Avustukset"));
        assert_eq!(doc.tags, ["avustus", "raportointi"]);
        assert_eq!(doc.author.as_deref(), Some("Toimisto"));
        assert_eq!(doc.date.as_deref(), Some("2025-01-15"));
        assert_eq!(doc.modified.as_deref(), Some("2025-02-01"));
        assert_eq!(doc.declared_lang, Some(crate::Lang::Fi));
    }

    #[test]
    fn the_main_part_is_found_through_the_relationships() {
        let rels = r#"<Relationships xmlns="x"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>"#;
        let document = format!(r#"<w:document {NS}><w:body>{}</w:body></w:document>"#, para("", "Toinen osa"));
        let bytes = package(&[("_rels/.rels", rels), ("word/document2.xml", &document)]);
        assert_eq!(extract_ok(&bytes).text, "Toinen osa\n");
        assert_eq!(extract_ok(&bytes).title.as_deref(), Some("fallback"));
    }

    #[test]
    fn broken_and_hostile_packages_are_errors() {
        assert!(matches!(
            extract(&package(&[("other.xml", "<a/>")]), "x", OfficeLimits::default()),
            Err(FileError::Damaged(_))
        ));
        let deep = format!("<w:document {NS}><w:body>{}</w:body></w:document>", "<w:p>".repeat(2000));
        assert!(matches!(
            extract(&package(&[("word/document.xml", &deep)]), "x", OfficeLimits::default()),
            Err(FileError::ResourceLimit(_))
        ));
        let broken = format!("<w:document {NS}><w:body>{}<w:p><w:r><w:t>a</w:r></w:body>", para("", "hyvä"));
        assert!(matches!(
            extract(&package(&[("word/document.xml", &broken)]), "x", OfficeLimits::default()),
            Err(FileError::Damaged(_))
        ));
    }
}
