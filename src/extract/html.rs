//! Web pages (`.html`, `.htm`), such as pages saved from the city's site.
//!
//! The page is tokenized with `html5gum` (a WHATWG-compliant tokenizer;
//! character references are decoded there, script and style content is raw
//! text) and walked once. What a reader of the page sees as its content is
//! kept: the text of `<main>` or `<article>` when the page has one, else of
//! the whole body, without navigation (`<nav>`, the page's own header and
//! footer, breadcrumbs, cookie banners), scripts, styles, forms and hidden
//! elements. `<title>` (or the first `<h1>` when the title repeats it with
//! the site's name) is the title, `<h1>`–`<h3>` are headings, the `lang`
//! attribute of `<html>` is the language hint, and the description, keywords
//! and author meta tags become metadata.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::office::{collapse_whitespace, Paragraph, TextSink};
use crate::document::Extracted;
use crate::error::FileError;
use crate::lang::Lang;

/// Longest text kept, in bytes (more is cut with a warning).
const MAX_TEXT_BYTES: usize = 32 << 20;

/// Elements whose content is never text of the page.
fn is_never_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "canvas"
            | "nav"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "dialog"
    )
}

/// Elements that end a line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "br"
            | "hr"
            | "tr"
            | "table"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "header"
            | "footer"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "caption"
            | "address"
            | "details"
            | "summary"
            | "body"
    )
}

/// Elements that have no end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Whether an element's attributes mark it as not part of the content:
/// hidden, navigation by role, or a breadcrumb trail or cookie banner by
/// its class or id.
fn is_left_out_by_attributes(attribute: &dyn Fn(&str) -> Option<String>) -> bool {
    if attribute("hidden").is_some() || attribute("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    if attribute("role").is_some_and(|r| matches!(r.to_ascii_lowercase().as_str(), "navigation" | "search" | "banner"))
    {
        return true;
    }
    let names = format!("{} {}", attribute("class").unwrap_or_default(), attribute("id").unwrap_or_default());
    names.split(|c: char| c.is_whitespace()).any(|name| {
        let name = name.to_ascii_lowercase();
        name.contains("breadcrumb") || name.contains("cookie") || name == "skip-link" || name == "skiplink"
    })
}

/// A line of text being built, and what it is.
struct Line {
    text: String,
    kind: Paragraph,
    /// Inside `<main>` or `<article>`.
    in_main: bool,
}

impl Line {
    /// An empty body line outside the main part.
    fn new() -> Line {
        Line { text: String::new(), kind: Paragraph::Body, in_main: false }
    }
}

/// The page's own `<header>` being read. It is kept only when it is the
/// title block (an `<h1>`, no menu), as pandoc writes it.
struct HeaderBlock {
    /// Index in the page's lines where the header's lines start.
    start: usize,
    /// It holds an `<h1>`.
    has_heading: bool,
    /// It holds a `<nav>`.
    has_nav: bool,
}

/// The state of one walk through a page's tokens: the lines read so far,
/// where in the page the walk is, and the head's title, language and meta
/// tags.
struct PageWalk {
    /// Lines of the page read so far.
    lines: Vec<Line>,
    /// The line being built.
    line: Line,
    /// Elements being passed over, innermost last (their names).
    skipping: Vec<String>,
    /// How many `<main>` elements are open.
    main_depth: usize,
    /// How many `<article>` elements are open.
    article_depth: usize,
    /// Elements marked `role="main"` that are open, innermost last, each
    /// with how many elements of its name are open inside it.
    role_main: Vec<(String, usize)>,
    /// Inside the `<title>` being read.
    in_title: bool,
    /// The text of `<title>`.
    title: String,
    /// Inside `<head>`.
    in_head: bool,
    /// The `lang` attribute of `<html>`.
    lang: Option<Lang>,
    /// What the meta tags say.
    meta: Extracted,
    /// Cells of the table row being read so far.
    row_cells: usize,
    /// The page's own `<header>` being read.
    header: Option<HeaderBlock>,
}

impl PageWalk {
    /// A walk at the start of a page.
    fn new() -> PageWalk {
        PageWalk {
            lines: Vec::new(),
            line: Line::new(),
            skipping: Vec::new(),
            main_depth: 0,
            article_depth: 0,
            role_main: Vec::new(),
            in_title: false,
            title: String::new(),
            in_head: false,
            lang: None,
            meta: Extracted::default(),
            row_cells: 0,
            header: None,
        }
    }

    /// Whether a `<main>`, `<article>` or `role="main"` element is open.
    fn in_main_part(&self) -> bool {
        self.main_depth + self.article_depth > 0
    }

    /// Ends the line being built (kept when it has text); `in_main` marks it
    /// as part of the main part.
    fn flush(&mut self, in_main: bool) {
        let text = collapse_whitespace(&self.line.text);
        if !text.is_empty() {
            self.lines.push(Line { text, kind: self.line.kind, in_main: self.line.in_main || in_main });
        }
        self.line.text.clear();
        self.line.kind = Paragraph::Body;
        self.line.in_main = false;
    }

    /// A start tag named `name` (lowercase), its attributes read by `attribute`.
    fn start_tag(&mut self, name: String, self_closing: bool, attribute: &dyn Fn(&str) -> Option<String>) {
        let opens = !is_void(&name) && !self_closing;
        if !self.skipping.is_empty() {
            if opens {
                self.skipping.push(name);
            }
            return;
        }
        self.read_head_tag(&name, attribute);
        let in_page_frame = !self.in_main_part();
        let leave_out = is_never_text(&name)
            || (self.in_head && name != "title")
            || (in_page_frame && name == "footer")
            || is_left_out_by_attributes(attribute);
        if let Some(header) = self.header.as_mut() {
            header.has_nav |= name == "nav";
            header.has_heading |= name == "h1";
        }
        if leave_out && opens && name != "head" {
            self.skipping.push(name);
            return;
        }
        if is_block(&name) {
            self.flush(self.in_main_part());
        }
        self.open_element(&name, self_closing, in_page_frame);
        self.open_role_main(name, opens, attribute);
    }

    /// The page's language, head, body, title and meta tags.
    fn read_head_tag(&mut self, name: &str, attribute: &dyn Fn(&str) -> Option<String>) {
        match name {
            "html" => self.lang = attribute("lang").and_then(|l| Lang::from_tag(&l)),
            "head" => self.in_head = true,
            "body" => self.in_head = false,
            "title" if self.in_head || self.title.is_empty() => self.in_title = true,
            "meta" => read_meta(attribute, &mut self.meta),
            _ => {}
        }
    }

    /// An element of the content opening: the page's header, the main part,
    /// headings and table cells.
    fn open_element(&mut self, name: &str, self_closing: bool, in_page_frame: bool) {
        match name {
            "header" if in_page_frame && self.header.is_none() && !self_closing => {
                self.header = Some(HeaderBlock { start: self.lines.len(), has_heading: false, has_nav: false });
            }
            "main" => self.main_depth += 1,
            "article" => self.article_depth += 1,
            // The heading of the page's title block is its title line.
            "h1" if self.header.is_some() => self.line.kind = Paragraph::Title,
            "h1" | "h2" | "h3" => self.line.kind = Paragraph::Heading,
            "td" | "th" => {
                if self.row_cells > 0 {
                    self.line.text.push_str(" | ");
                }
                self.row_cells += 1;
            }
            "tr" => self.row_cells = 0,
            "img" => {
                // Images are not text; their alt text is what a reader hears.
            }
            _ => {}
        }
    }

    /// An element marked `role="main"` opening, or one of the same name
    /// inside the innermost such element.
    fn open_role_main(&mut self, name: String, opens: bool, attribute: &dyn Fn(&str) -> Option<String>) {
        if attribute("role").is_some_and(|r| r.eq_ignore_ascii_case("main"))
            && opens
            && !matches!(name.as_str(), "main" | "article")
        {
            self.role_main.push((name, 0));
            self.main_depth += 1;
        } else if let Some((_, inside)) = self.role_main.last_mut().filter(|(open, _)| *open == name && opens) {
            *inside += 1;
        }
    }

    /// An end tag named `name` (lowercase).
    fn end_tag(&mut self, name: String) {
        if let Some(at) = self.skipping.iter().rposition(|n| *n == name) {
            self.skipping.truncate(at);
            return;
        }
        if !self.skipping.is_empty() {
            return;
        }
        match name.as_str() {
            "title" => self.in_title = false,
            "head" => self.in_head = false,
            "main" => self.main_depth = self.main_depth.saturating_sub(1),
            "article" => self.article_depth = self.article_depth.saturating_sub(1),
            _ => {}
        }
        let closes_role_main = self.close_role_main(&name);
        if is_block(&name) || closes_role_main || matches!(name.as_str(), "main" | "article") {
            let in_main = self.in_main_part() || closes_role_main || matches!(name.as_str(), "main" | "article");
            self.flush(in_main);
        }
        if name == "header" && !self.in_main_part() {
            if let Some(header) = self.header.take() {
                if !header.has_heading || header.has_nav {
                    self.lines.truncate(header.start);
                }
            }
        }
    }

    /// Whether the end tag `name` closes the innermost `role="main"`
    /// element (which is then closed), else counts down one of its name
    /// open inside it.
    fn close_role_main(&mut self, name: &str) -> bool {
        let mut closes_role_main = false;
        if let Some((open, inside)) = self.role_main.last_mut() {
            if *open == name {
                if *inside > 0 {
                    *inside -= 1;
                } else {
                    closes_role_main = true;
                }
            }
        }
        if closes_role_main {
            self.role_main.pop();
            self.main_depth = self.main_depth.saturating_sub(1);
        }
        closes_role_main
    }

    /// Text between tags.
    fn text(&mut self, text: &str) {
        if self.in_title {
            self.title.push_str(text);
        } else if self.skipping.is_empty() && !self.in_head {
            self.line.text.push_str(text);
        }
    }

    /// The page read: its content (the main part when the page marks one),
    /// title, headings, language and metadata. `name` is the fallback title.
    fn finish(mut self, name: &str) -> Result<Extracted, FileError> {
        self.flush(self.in_main_part());
        let has_main = self.lines.iter().any(|l| l.in_main);
        let mut sink = TextSink::new(MAX_TEXT_BYTES);
        for line in self.lines.iter().filter(|l| l.in_main || !has_main) {
            sink.paragraph(&line.text, line.kind);
        }
        if sink.text.trim().is_empty() {
            return Err(FileError::NoText);
        }
        let title =
            page_title(&collapse_whitespace(&self.title), sink.styled_title.as_deref(), sink.headings.first(), name);
        let mut warnings = Vec::new();
        if sink.truncated {
            warnings.push("the text is very long; only its first part is indexed".to_string());
        }
        Ok(Extracted {
            title: Some(title),
            declared_lang: self.lang,
            headings: sink.headings,
            text: sink.text,
            warnings,
            ..self.meta
        })
    }
}

/// Extracts a web page. `name` is the fallback title.
pub fn extract(bytes: &[u8], name: &str) -> Result<Extracted, FileError> {
    let source = super::text::decode_text(bytes)?;
    let mut emitter = DefaultEmitter::default();
    // Script and style content is raw text, as a browser reads it.
    emitter.naively_switch_states(true);
    let mut walk = PageWalk::new();
    for token in Tokenizer::new_with_emitter(source.as_str(), emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attribute = |key: &str| -> Option<String> {
                    tag.attributes
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key.as_bytes()))
                        .map(|(_, v)| String::from_utf8_lossy(&v.value).into_owned())
                };
                walk.start_tag(name, tag.self_closing, &attribute);
            }
            Token::EndTag(tag) => walk.end_tag(String::from_utf8_lossy(&tag.name).to_ascii_lowercase()),
            Token::String(text) => walk.text(&String::from_utf8_lossy(&text)),
            _ => {}
        }
    }
    walk.finish(name)
}

/// The page's title: its own title block when it has one (pandoc's), else
/// `<title>` without the site's name after a separator ("Avustukset |
/// Helsingin kaupunki" with the heading "Avustukset"), else the first heading.
fn page_title(title: &str, title_block: Option<&str>, heading: Option<&String>, name: &str) -> String {
    if let Some(block) = title_block.filter(|b| !b.is_empty()) {
        return block.to_string();
    }
    if let Some(heading) = heading {
        let site_after = title
            .strip_prefix(heading.as_str())
            .map(str::trim_start)
            .is_some_and(|rest| ["|", "–", "—", "-", "::", "·", "»"].iter().any(|sep| rest.starts_with(sep)));
        if title.is_empty() || site_after {
            return heading.clone();
        }
    }
    if title.is_empty() {
        name.to_string()
    } else {
        title.to_string()
    }
}

/// Description, keywords, author and date from `<meta name=… content=…>`.
fn read_meta(attribute: &dyn Fn(&str) -> Option<String>, meta: &mut Extracted) {
    let key = attribute("name").or_else(|| attribute("property")).unwrap_or_default().to_ascii_lowercase();
    let Some(content) = attribute("content").map(|c| collapse_whitespace(&c)).filter(|c| !c.is_empty()) else {
        return;
    };
    match key.as_str() {
        "description" | "og:description" | "dc.description" if meta.subject.is_none() => meta.subject = Some(content),
        "keywords" => {
            meta.tags.extend(crate::extract::markdown::split_tag_list(&content));
        }
        "author" | "dc.creator" if meta.author.is_none() => meta.author = Some(content),
        "date" | "dc.date" | "dcterms.date" | "article:published_time" if meta.date.is_none() => {
            meta.date = crate::dates::iso_date(&content);
        }
        "dcterms.modified" | "article:modified_time" if meta.modified.is_none() => {
            meta.modified = crate::dates::iso_date(&content)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_ok(html: &str) -> Extracted {
        extract(html.as_bytes(), "fallback").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_main_text_without_navigation_scripts_and_styles() {
        let page = r#"<!DOCTYPE html><html lang="fi-FI"><head><title>Avustukset | Helsingin kaupunki</title>
            <meta name="description" content="Kaupungin avustukset yhdistyksille.">
            <meta name="keywords" content="avustukset, yhdistykset">
            <style>body { color: red }</style><script>var avustus = "<p>ei tekstiä</p>";</script></head>
            <body><header><a href="/">Etusivu</a> <nav><ul><li>Palvelut</li><li>Asuminen</li></ul></nav></header>
            <div class="breadcrumbs">Etusivu › Avustukset</div>
            <main><h1>Avustukset</h1><p>Yhdistys voi hakea <b>toiminta</b>avustusta &amp; tilavuokra-avustusta.</p>
            <h2>Haku&nbsp;ajat</h2><ul><li>Tammikuu</li><li>Syyskuu</li></ul>
            <table><tr><th>Avustus</th><th>Haku</th></tr><tr><td>Toiminta</td><td>1.2.</td></tr></table>
            <form><label>Hae</label><input name=q></form><div hidden>Piilotettu</div></main>
            <footer>© Helsingin kaupunki</footer><div id="cookie-consent">Hyväksy evästeet</div></body></html>"#;
        let doc = extract_ok(page);
        assert_eq!(doc.title.as_deref(), Some("Avustukset"));
        assert_eq!(doc.declared_lang, Some(Lang::Fi));
        assert_eq!(doc.subject.as_deref(), Some("Kaupungin avustukset yhdistyksille."));
        assert_eq!(doc.tags, ["avustukset", "yhdistykset"]);
        assert_eq!(doc.headings, ["Avustukset", "Haku ajat"]);
        assert_eq!(
            doc.text,
            "Avustukset\nYhdistys voi hakea toimintaavustusta & tilavuokra-avustusta.\nHaku ajat\nTammikuu\nSyyskuu\nAvustus | Haku\nToiminta | 1.2.\n"
        );
        for left_out in ["Palvelut", "Etusivu", "ei tekstiä", "color", "Piilotettu", "evästeet", "©", "Hae"] {
            assert!(!doc.text.contains(left_out), "{left_out} in {}", doc.text);
        }
    }

    #[test]
    fn a_page_without_main_keeps_its_body_and_tag_soup_is_read() {
        // pandoc's title block is a header with the page's heading: kept.
        let pandoc = r#"<html><head><title>Kerho</title></head><body><header id="title-block-header"><h1 class="title">Kerho</h1></header><p>Tiistaisin.</p></body></html>"#;
        assert_eq!(extract_ok(pandoc).text, "Kerho\nTiistaisin.\n");
        let page =
            "<title>Kerho</title><p>Kerho kokoontuu <i>tiistaisin<p>Tervetuloa!<h3>Paikka</h3>Kirjasto</div></span>";
        let doc = extract_ok(page);
        assert_eq!(doc.title.as_deref(), Some("Kerho"));
        assert_eq!(doc.text, "Kerho kokoontuu tiistaisin\nTervetuloa!\nPaikka\nKirjasto\n");
        assert_eq!(doc.headings, ["Paikka"]);
        assert_eq!(extract(b"<html><script>only()</script></html>", "x"), Err(FileError::NoText));
        assert_eq!(extract(b"", "x"), Err(FileError::Empty));
    }

    #[test]
    fn a_role_main_element_is_the_main_text_through_all_its_paragraphs() {
        let page = r#"<html><body><div class="menu"><a href="/">Etusivu</a> Palvelut</div>
            <div role="main" id="content"><h1>Tilat</h1><p>Nuorisotalo on ilmainen.</p><div><p>Varaa kuukautta ennen.</p></div>
            <p>Avaimet toimistosta.</p></div><div class="aside">Uutiskirje</div>
            <meta name="date" content="0000-00-00T00:00:00"></body></html>"#;
        let doc = extract_ok(page);
        assert_eq!(doc.text, "Tilat\nNuorisotalo on ilmainen.\nVaraa kuukautta ennen.\nAvaimet toimistosta.\n");
        assert_eq!(doc.date, None, "an empty date is no date");
    }
}
