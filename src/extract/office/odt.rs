//! OpenDocument text (`.odt`, `.ott`): `content.xml` for the body, notes
//! gathered after it, the distinct lines of the page headers and footers
//! from `styles.xml`, and `meta.xml` for the properties. `text:h` is a
//! heading; a paragraph whose style is (or derives from) "Title" is the
//! title. Tracked changes (`text:tracked-changes`, which holds the deleted
//! text), comments (`office:annotation`) and note numbers are left out.

use std::collections::HashMap;

use quick_xml::events::{BytesEnd, BytesStart, Event};

use super::lists::{Counters, Level, NumberStyle, MAX_LEVELS};
use super::{
    add_distinct_lines, assemble, attribute, read_properties, resolve_reference, Blocks, Nesting, OfficeLimits,
    Package, Paragraph, TextSink,
};
use crate::document::Extracted;
use crate::error::FileError;

/// Extracts an OpenDocument text. `name` is the fallback title.
pub fn extract(bytes: &[u8], name: &str, limits: OfficeLimits) -> Result<Extracted, FileError> {
    let mut package = Package::open(bytes, "OpenDocument", limits)?;
    let Some(content) = package.part("content.xml")? else {
        return Err(FileError::Damaged("not an OpenDocument file: the package has no content.xml".to_string()));
    };
    let styles = package.part("styles.xml")?;
    let mut lists = ListStyles::default();
    for xml in [Some(&content), styles.as_ref()].into_iter().flatten() {
        lists.read(xml, limits.max_depth)?;
    }
    let mut sink = TextSink::new(limits.max_text_bytes);
    let mut notes = TextSink::new(limits.max_text_bytes);
    walk(&content, &lists, &mut sink, &mut notes, limits.max_depth)?;
    if !notes.text.is_empty() {
        sink.break_block();
        for line in notes.text.lines().filter(|l| !l.is_empty()) {
            sink.paragraph(line, Paragraph::Body);
        }
    }
    if let Some(styles) = styles {
        let mut margins = TextSink::new(limits.max_text_bytes);
        let mut margin_notes = TextSink::new(limits.max_text_bytes);
        walk(&styles, &lists, &mut margins, &mut margin_notes, limits.max_depth)?;
        add_distinct_lines(&mut sink, &margins);
    }
    let props = match package.part("meta.xml")? {
        Some(xml) => read_properties(&xml, limits.max_depth)?,
        None => super::Properties::default(),
    };
    Ok(assemble(sink, props, name))
}

/// Elements whose content is not part of the text a reader sees.
fn is_left_out(name: &str) -> bool {
    matches!(
        name,
        "text:tracked-changes"
            | "office:annotation"
            | "text:note-citation"
            | "text:sequence-decls"
            | "text:variable-decls"
            | "text:user-field-decls"
            | "office:forms"
            | "svg:title"
            | "svg:desc"
            | "office:automatic-styles"
            | "office:font-face-decls"
            // A label cached by the producer: labels are computed (see `lists`).
            | "text:number"
    )
}

/// `style:name` → `style:parent-style-name` of the automatic styles, which
/// LibreOffice gives paragraphs ("P1" based on "Title").
fn parent_styles(xml: &str) -> HashMap<String, String> {
    let mut parents = HashMap::new();
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().into_inner() == "style:style" => {
                if let (Some(name), Some(parent)) =
                    (attribute(&e, "style:name"), attribute(&e, "style:parent-style-name"))
                {
                    parents.insert(name, parent);
                }
            }
            // The automatic styles come before the body.
            Ok(Event::Start(e)) if e.name().into_inner() == "office:body" => break,
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    parents
}

/// The list styles (`text:list-style`) of the automatic and the named
/// styles: how each level of a list is numbered.
#[derive(Default)]
struct ListStyles {
    levels: HashMap<String, Vec<Level>>,
}

impl ListStyles {
    fn read(&mut self, xml: &str, max_depth: usize) -> Result<(), FileError> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut nesting = Nesting::new(max_depth);
        let mut current: Option<(String, Vec<Level>)> = None;
        loop {
            let event = reader.read_event();
            let (element, is_start) = match &event {
                Ok(Event::Start(e)) => (e, true),
                Ok(Event::Empty(e)) => (e, false),
                Ok(Event::End(e)) => {
                    nesting.end();
                    if e.name().into_inner() == "text:list-style" {
                        if let Some((name, levels)) = current.take() {
                            self.levels.insert(name, levels);
                        }
                    }
                    continue;
                }
                // Styles come before the body; a broken part is reported by the walk.
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => continue,
            };
            if is_start {
                nesting.start(false)?;
            }
            match element.name().into_inner() {
                "text:list-style" if is_start => {
                    let name = attribute(element, "style:name").unwrap_or_default();
                    current = Some((name, vec![Level::default(); MAX_LEVELS]));
                }
                "text:list-level-style-number" => {
                    let Some((_, levels)) = current.as_mut() else { continue };
                    let at = attribute(element, "text:level").and_then(|l| l.parse::<usize>().ok()).unwrap_or(1);
                    let Some(level) = at.checked_sub(1).and_then(|i| levels.get_mut(i)) else { continue };
                    let shown = attribute(element, "text:display-levels")
                        .and_then(|d| d.parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, at);
                    let numbers: Vec<String> = (at + 1 - shown..=at).map(|l| format!("%{l}")).collect();
                    level.style = NumberStyle::from_odf(&attribute(element, "style:num-format").unwrap_or_default());
                    level.start = attribute(element, "text:start-value").and_then(|s| s.parse().ok()).unwrap_or(1);
                    level.template = format!(
                        "{}{}{}",
                        attribute(element, "style:num-prefix").unwrap_or_default(),
                        numbers.join("."),
                        attribute(element, "style:num-suffix").unwrap_or_default()
                    );
                }
                "office:body" => break,
                _ => {}
            }
        }
        Ok(())
    }
}

/// A list open at a point of the walk.
struct OpenList {
    /// Its list style (inherited from the list it is in when it names none).
    style: String,
    /// 0 for a list in the text, 1 for a list in an item of it, …
    level: usize,
}

/// Whether paragraph style `style` is the title style or derives from it.
fn is_title_style(style: &str, parents: &HashMap<String, String>) -> bool {
    let mut at = Some(style);
    for _ in 0..8 {
        let Some(name) = at else { return false };
        if name == "Title" {
            return true;
        }
        at = parents.get(name).map(String::as_str);
    }
    false
}

/// The state of a walk through one OpenDocument part: where in the part it
/// is, the lists open and their numbers, and the paragraphs being built.
struct OdtWalk<'a> {
    /// Parent of each automatic paragraph style, to find title paragraphs.
    parents: HashMap<String, String>,
    /// How each list style numbers its levels.
    list_styles: &'a ListStyles,
    /// Paragraphs and tables of the text.
    blocks: Blocks,
    /// Paragraphs and tables of the notes.
    note_blocks: Blocks,
    /// Elements open, and those being passed over.
    nesting: Nesting,
    /// The depth of the `text:note` being read (its paragraphs go to `notes`).
    in_note: Option<usize>,
    /// The lists open, innermost last.
    lists: Vec<OpenList>,
    /// Current numbers by list style.
    counters: HashMap<String, Counters>,
    /// The label waiting for an item's first paragraph.
    label: Option<String>,
}

impl<'a> OdtWalk<'a> {
    /// The paragraphs being built: those of the note being read, else of the text.
    fn target(&mut self) -> &mut Blocks {
        if self.in_note.is_some() {
            &mut self.note_blocks
        } else {
            &mut self.blocks
        }
    }

    /// A start tag: paragraphs, headings, lists, list items, notes, tables.
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), FileError> {
        let name = e.name();
        let Some(depth) = self.nesting.start(is_left_out(name.into_inner()))? else { return Ok(()) };
        match name.into_inner() {
            "text:h" => {
                let label = self.label.take();
                let target = self.target();
                target.start_paragraph(Paragraph::Heading);
                push_label(target, label);
            }
            "text:p" => {
                let style = attribute(e, "text:style-name").unwrap_or_default();
                let kind = if is_title_style(&style, &self.parents) { Paragraph::Title } else { Paragraph::Body };
                let label = self.label.take();
                let target = self.target();
                target.start_paragraph(kind);
                push_label(target, label);
            }
            "text:list" => self.open_list(e),
            "text:list-item" => self.open_list_item(e),
            "text:note" if self.in_note.is_none() => self.in_note = Some(depth),
            "table:table" => self.target().start_table(),
            _ => {}
        }
        Ok(())
    }

    /// A `text:list` opening: its style (the outer list's when it names
    /// none) and level; a list in the text restarts its numbers unless it
    /// continues an earlier one.
    fn open_list(&mut self, e: &BytesStart<'_>) {
        let outer = self.lists.last();
        let style = attribute(e, "text:style-name").or_else(|| outer.map(|l| l.style.clone())).unwrap_or_default();
        let level = outer.map_or(0, |l| l.level + 1);
        let continues = attribute(e, "text:continue-numbering").as_deref() == Some("true")
            || attribute(e, "text:continue-list").is_some();
        if level == 0 && !continues {
            self.counters.remove(&style);
        }
        self.lists.push(OpenList { style, level });
    }

    /// A `text:list-item` opening: the next label of its list.
    fn open_list_item(&mut self, e: &BytesStart<'_>) {
        if let Some(list) = self.lists.last() {
            let start_at = attribute(e, "text:start-value").and_then(|s| s.parse().ok());
            let levels = self.list_styles.levels.get(&list.style).map(Vec::as_slice).unwrap_or(&[]);
            self.label = self.counters.entry(list.style.clone()).or_default().next(levels, list.level, start_at);
        }
    }

    /// An empty element: spaces, tabs and line breaks.
    fn empty(&mut self, e: &BytesStart<'_>) {
        if !self.nesting.reading() {
            return;
        }
        match e.name().into_inner() {
            "text:s" => {
                let count = attribute(e, "text:c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1);
                self.target().push_text(&" ".repeat(count.clamp(1, 8)));
            }
            "text:tab" | "text:line-break" => self.target().push_text(" "),
            _ => {}
        }
    }

    /// An end tag: paragraphs and table rows go to `sink`, or to `notes`
    /// inside a note.
    fn end(&mut self, e: &BytesEnd<'_>, sink: &mut TextSink, notes: &mut TextSink) {
        let Some(at) = self.nesting.end() else { return };
        let (target, out) =
            if self.in_note.is_some() { (&mut self.note_blocks, notes) } else { (&mut self.blocks, sink) };
        match e.name().into_inner() {
            "text:h" | "text:p" => target.end_paragraph(out),
            "text:list" => {
                self.lists.pop();
            }
            "table:table-cell" => target.end_cell(),
            "table:table-row" => target.end_row(out),
            "table:table" => target.end_table(out),
            "text:note" if self.in_note == Some(at) => self.in_note = None,
            _ => {}
        }
    }
}

/// Walks one OpenDocument part: paragraphs and headings into `sink`, the
/// paragraphs of notes into `notes`.
fn walk(
    xml: &str,
    list_styles: &ListStyles,
    sink: &mut TextSink,
    notes: &mut TextSink,
    max_depth: usize,
) -> Result<(), FileError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut walk = OdtWalk {
        parents: parent_styles(xml),
        list_styles,
        blocks: Blocks::default(),
        note_blocks: Blocks::default(),
        nesting: Nesting::new(max_depth),
        in_note: None,
        lists: Vec::new(),
        counters: HashMap::new(),
        label: None,
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => walk.start(&e)?,
            Ok(Event::Empty(e)) => walk.empty(&e),
            Ok(Event::Text(t)) if walk.nesting.reading() => walk.target().push_text(&t.xml10_content()),
            Ok(Event::CData(t)) if walk.nesting.reading() => walk.target().push_text(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if walk.nesting.reading() => {
                if let Some(text) = resolve_reference(&r) {
                    walk.target().push_text(&text);
                }
            }
            Ok(Event::End(e)) => walk.end(&e, sink, notes),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(FileError::Damaged(format!("the OpenDocument file is not valid XML: {e}"))),
        }
    }
    walk.blocks.finish(sink);
    Ok(())
}

/// Puts an item's label in front of its first paragraph.
fn push_label(target: &mut Blocks, label: Option<String>) {
    if let Some(label) = label {
        target.push_text(&label);
        target.push_text(" ");
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::package;
    use super::*;

    fn odt(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:text="t" xmlns:table="ta" xmlns:style="s">
            <office:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/></office:automatic-styles>
            <office:body><office:text><text:sequence-decls><text:sequence-decl text:name="Figure"/></text:sequence-decls>{body}</office:text></office:body></office:document-content>"#
        );
        let mut parts =
            vec![("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", content.as_str())];
        parts.extend_from_slice(extra);
        package(&parts)
    }

    fn extract_ok(bytes: &[u8]) -> Extracted {
        extract(bytes, "fallback", OfficeLimits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn headings_title_spans_spaces_and_lists() {
        let body = r#"<text:p text:style-name="P1">Årsberättelse</text:p>
            <text:h text:outline-level="1">Verksam<text:span>heten</text:span></text:h>
            <text:p>Föreningen<text:s/>ordnade<text:s text:c="3"/>kurser<text:tab/>och&#160;läger &amp; fester.</text:p>
            <text:list><text:list-item><text:p>Första punkten</text:p></text:list-item><text:list-item><text:p>Andra</text:p></text:list-item></text:list>"#;
        let doc = extract_ok(&odt(body, &[]));
        assert_eq!(doc.title.as_deref(), Some("Årsberättelse"));
        assert_eq!(doc.headings, ["Verksamheten"]);
        assert!(doc.text.contains("Föreningen ordnade kurser och läger & fester.\n"), "{}", doc.text);
        assert!(doc.text.contains("Första punkten\nAndra\n"));
    }

    #[test]
    fn numbered_lists_count_on_nest_and_restart() {
        let styles = r#"<office:document-styles xmlns:office="o" xmlns:text="t" xmlns:style="s"><office:styles>
            <text:list-style style:name="Num"><text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/>
            <text:list-level-style-number text:level="2" style:num-suffix=")" style:num-format="a" text:display-levels="2"/></text:list-style>
            <text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/></text:list-style>
            </office:styles></office:document-styles>"#;
        let item = |text: &str| format!("<text:list-item><text:p>{text}</text:p></text:list-item>");
        let body = format!(
            r#"<text:list text:style-name="Num">{}<text:list-item><text:p>Valinnat</text:p><text:list>{}{}</text:list></text:list-item></text:list>
            <text:list text:style-name="Bullets">{}</text:list>
            <text:list text:style-name="Num" text:continue-numbering="true">{}</text:list>
            <text:list text:style-name="Num"><text:list-item text:start-value="5"><text:p>Viides</text:p></text:list-item></text:list>"#,
            item("Avaus"),
            item("sihteeri"),
            item("tarkastajat"),
            item("Kahvit"),
            item("Talous"),
        );
        let doc = extract_ok(&odt(&body, &[("styles.xml", styles)]));
        assert_eq!(doc.text, "1. Avaus\n2. Valinnat\n2.a) sihteeri\n2.b) tarkastajat\nKahvit\n3. Talous\n5. Viides\n");
    }

    #[test]
    fn notes_go_after_the_body_and_changes_and_comments_are_left_out() {
        let body = r#"<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Struken mening</text:p></text:deletion></text:changed-region></text:tracked-changes>
            <text:p>Mötet<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Protokollet justerat.</text:p></text:note-body></text:note> hölls<text:change text:change-id="c1"/> i maj.<office:annotation><dc:creator>X</dc:creator><text:p>Hemlig kommentar</text:p></office:annotation></text:p>
            <text:p>Sista.</text:p>"#;
        let doc = extract_ok(&odt(body, &[]));
        assert!(doc.text.starts_with("Mötet hölls i maj.\nSista.\n"), "{}", doc.text);
        assert!(doc.text.trim_end().ends_with("Protokollet justerat."), "{}", doc.text);
        assert!(!doc.text.contains("Struken") && !doc.text.contains("Hemlig"), "{}", doc.text);
        assert!(!doc.text.contains("Mötet1"), "{}", doc.text);
    }

    #[test]
    fn tables_text_boxes_and_page_headers_once() {
        let body = r#"<table:table><table:table-row><table:table-cell><text:p>Uppgift</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>Ansvar</text:p></table:table-cell></table:table-row>
            <table:table-row><table:table-cell><text:p>Kaffe</text:p></table:table-cell><table:table-cell><text:p>Lisa</text:p></table:table-cell></table:table-row></table:table>
            <text:p>Före <draw:frame><draw:text-box><text:p>Rutans text</text:p></draw:text-box></draw:frame>efter.</text:p>"#;
        let styles = r#"<office:document-styles xmlns:office="o" xmlns:style="s" xmlns:text="t"><office:master-styles>
            <style:master-page style:name="Standard"><style:header><text:p>Berghälls förening</text:p></style:header>
            <style:header-first><text:p>Berghälls förening</text:p></style:header-first><style:footer><text:p>Sida <text:page-number>1</text:page-number></text:p></style:footer></style:master-page></office:master-styles></office:document-styles>"#;
        let doc = extract_ok(&odt(body, &[("styles.xml", styles)]));
        assert!(doc.text.starts_with("Uppgift | Ansvar\nKaffe | Lisa\n"), "{}", doc.text);
        assert!(doc.text.contains("Rutans text\nFöre efter.\n"), "{}", doc.text);
        assert_eq!(doc.text.matches("Berghälls förening").count(), 1, "{}", doc.text);
    }

    #[test]
    fn properties_from_meta() {
        let meta = r#"<office:document-meta xmlns:office="o" xmlns:meta="m" xmlns:dc="d"><office:meta><dc:title>Lokalguide</dc:title>
            <meta:keyword>lokaler</meta:keyword><meta:keyword>bokning</meta:keyword><dc:creator>Kansliet</dc:creator>
            <meta:creation-date>2024-05-02T10:00:00.123</meta:creation-date><dc:language>sv-FI</dc:language></office:meta></office:document-meta>"#;
        let doc = extract_ok(&odt("<text:p>Text.</text:p>", &[("meta.xml", meta)]));
        assert_eq!(doc.title.as_deref(), Some("Lokalguide"));
        assert_eq!(doc.tags, ["lokaler", "bokning"]);
        assert_eq!(doc.date.as_deref(), Some("2024-05-02"));
        assert_eq!(doc.declared_lang, Some(crate::Lang::Sv));
    }

    #[test]
    fn no_content_is_damaged() {
        assert!(matches!(
            extract(&package(&[("mimetype", "x")]), "x", OfficeLimits::default()),
            Err(FileError::Damaged(_))
        ));
    }
}
