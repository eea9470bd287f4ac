//! Markdown extraction with pulldown-cmark: body text without markup, title,
//! tags, date and language from YAML (`---`) or TOML (`+++`) front matter.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use yaml_rust2::{Yaml, YamlLoader};

use crate::document::Extracted;

/// Metadata read from a front matter block.
#[derive(Debug, Default, PartialEq)]
struct FrontMatter {
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
    tags: Vec<String>,
    lang: Option<String>,
    /// `description`, `summary` or `subject`.
    subject: Option<String>,
}

/// Extracts a Markdown document. Never fails: malformed front matter becomes
/// a warning and the body is still returned. `fallback_title` (the file
/// name) is used when neither front matter nor a heading gives a title.
pub fn extract_markdown(source: &str, fallback_title: &str) -> Extracted {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut out = Extracted::default();
    let (front, body) = split_front_matter(source);
    if let Some((kind, block)) = front {
        let parsed = match kind {
            FrontKind::Yaml => parse_yaml(block),
            FrontKind::Toml => parse_toml(block),
        };
        match parsed {
            Ok(meta) => {
                out.title = meta.title;
                out.author = meta.author;
                out.date = meta.date;
                out.tags = meta.tags;
                out.subject = meta.subject;
                out.declared_lang = meta.lang.and_then(|l| l.parse().ok());
            }
            Err(reason) => out.warnings.push(format!("malformed front matter: {reason}")),
        }
    }
    let (text, headings) = markdown_to_text(body);
    out.text = text;
    if out.title.is_none() {
        out.title = headings.first().cloned();
    }
    if out.title.is_none() {
        out.title = Some(fallback_title.to_string());
    }
    out.headings = headings;
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FrontKind {
    Yaml,
    Toml,
}

/// Splits `---`/`+++` front matter from the body. An opening fence without a
/// closing one is not front matter (it may be a thematic break).
fn split_front_matter(source: &str) -> (Option<(FrontKind, &str)>, &str) {
    let (kind, fence) = if source.starts_with("---") {
        (FrontKind::Yaml, "---")
    } else if source.starts_with("+++") {
        (FrontKind::Toml, "+++")
    } else {
        return (None, source);
    };
    let first_line_end = match source.find('\n') {
        Some(pos) => pos,
        None => return (None, source),
    };
    if source[..first_line_end].trim_end() != fence {
        return (None, source);
    }
    let rest = &source[first_line_end + 1..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == fence || (kind == FrontKind::Yaml && trimmed == "...") {
            let block = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return (Some((kind, block)), body);
        }
        offset += line.len();
    }
    (None, source)
}

/// Largest front matter read; a larger block is ignored with a warning (the
/// body is still indexed). Real front matter is a few hundred bytes.
pub const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;
/// Most values a YAML front matter may stand for once its aliases are
/// expanded: an alias chain ("billion laughs") makes a few hundred bytes
/// stand for billions of values, which the loader would build in memory.
pub const MAX_YAML_VALUES: u64 = 10_000;

/// Counts the values a YAML stream stands for with every alias expanded,
/// from the parser's events (which are linear in the input).
#[derive(Default)]
struct ExpandedSize {
    /// Values under each anchor, by anchor id.
    anchored: std::collections::HashMap<usize, u64>,
    /// Open sequences and mappings: (anchor id, values so far).
    open: Vec<(usize, u64)>,
    total: u64,
}

impl ExpandedSize {
    /// Adds values to the innermost open node; `total` is the largest
    /// count seen, so an oversized node shows before the stream ends.
    fn add(&mut self, values: u64) {
        let now = match self.open.last_mut() {
            Some((_, count)) => {
                *count = count.saturating_add(values);
                *count
            }
            None => self.total.saturating_add(values),
        };
        self.total = self.total.max(now);
    }
}

impl yaml_rust2::parser::EventReceiver for ExpandedSize {
    fn on_event(&mut self, event: yaml_rust2::Event) {
        use yaml_rust2::Event;
        match event {
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    self.anchored.insert(anchor, 1);
                }
                self.add(1);
            }
            Event::Alias(anchor) => {
                let size = self.anchored.get(&anchor).copied().unwrap_or(1);
                self.add(size);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => self.open.push((anchor, 1)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, count)) = self.open.pop() {
                    if anchor > 0 {
                        self.anchored.insert(anchor, count);
                    }
                    self.add(count);
                }
            }
            _ => {}
        }
    }
}

fn parse_yaml(block: &str) -> Result<FrontMatter, String> {
    if block.len() > MAX_FRONT_MATTER_BYTES {
        return Err(format!("larger than {} KB, ignored", MAX_FRONT_MATTER_BYTES / 1024));
    }
    let mut size = ExpandedSize::default();
    yaml_rust2::parser::Parser::new_from_str(block).load(&mut size, true).map_err(|e| e.to_string())?;
    if size.total > MAX_YAML_VALUES {
        return Err(format!(
            "its aliases expand to more than {MAX_YAML_VALUES} values (a \"billion laughs\" block?), ignored"
        ));
    }
    let docs = YamlLoader::load_from_str(block).map_err(|e| e.to_string())?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(FrontMatter::default());
    };
    let Yaml::Hash(map) = &doc else {
        if matches!(doc, Yaml::Null) {
            return Ok(FrontMatter::default());
        }
        return Err("expected `key: value` lines".to_string());
    };
    let get = |key: &str| map.get(&Yaml::String(key.to_string()));
    let scalar = |value: Option<&Yaml>| -> Option<String> {
        match value? {
            Yaml::String(s) | Yaml::Real(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Yaml::Integer(i) => Some(i.to_string()),
            Yaml::Boolean(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let tags = match get("tags").or_else(|| get("keywords")) {
        Some(Yaml::Array(items)) => items.iter().filter_map(|y| scalar(Some(y))).collect(),
        Some(Yaml::String(s)) => split_tag_list(s),
        _ => Vec::new(),
    };
    let author = match get("author").or_else(|| get("authors")) {
        Some(Yaml::Array(items)) => {
            let names: Vec<String> = items.iter().filter_map(|y| scalar(Some(y))).collect();
            Some(names.join(", ")).filter(|s| !s.is_empty())
        }
        other => scalar(other),
    };
    Ok(FrontMatter {
        title: scalar(get("title")),
        author,
        date: scalar(get("date")).map(|d| normalise_date(&d)),
        tags,
        lang: scalar(get("lang").or_else(|| get("language"))),
        subject: scalar(get("description").or_else(|| get("summary")).or_else(|| get("subject")))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
    })
}

fn parse_toml(block: &str) -> Result<FrontMatter, String> {
    if block.len() > MAX_FRONT_MATTER_BYTES {
        return Err(format!("larger than {} KB, ignored", MAX_FRONT_MATTER_BYTES / 1024));
    }
    let table: toml::Table = block.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
    let scalar = |key: &str| -> Option<String> {
        match table.get(key)? {
            toml::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            toml::Value::Datetime(d) => Some(d.to_string()),
            toml::Value::Integer(i) => Some(i.to_string()),
            _ => None,
        }
    };
    let tags = match table.get("tags").or_else(|| table.get("keywords")) {
        Some(toml::Value::Array(items)) => {
            items.iter().filter_map(|v| v.as_str().map(|s| s.trim().to_string())).filter(|s| !s.is_empty()).collect()
        }
        Some(toml::Value::String(s)) => split_tag_list(s),
        _ => Vec::new(),
    };
    Ok(FrontMatter {
        title: scalar("title"),
        author: scalar("author"),
        date: scalar("date").map(|d| normalise_date(&d)),
        tags,
        lang: scalar("lang").or_else(|| scalar("language")),
        subject: scalar("description")
            .or_else(|| scalar("summary"))
            .or_else(|| scalar("subject"))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
    })
}

/// A list written on one line ("a, b; c"): its entries, trimmed, empty ones left out.
pub(crate) fn split_tag_list(s: &str) -> Vec<String> {
    s.split([',', ';']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

/// Keeps an ISO date (`2025-03-01`, `2025-03-01T10:00:00Z`) as it is and
/// turns `1.3.2025` (the Finnish way) into `2025-03-01`.
pub(crate) fn normalise_date(raw: &str) -> String {
    let raw = raw.trim();
    let parts: Vec<&str> = raw.split('.').map(str::trim).collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        if let (Ok(d), Ok(m), Ok(y)) = (parts[0].parse::<u32>(), parts[1].parse::<u32>(), parts[2].parse::<u32>()) {
            if (1..=31).contains(&d) && (1..=12).contains(&m) && y > 999 {
                return format!("{y:04}-{m:02}-{d:02}");
            }
        }
    }
    raw.to_string()
}

/// Renders Markdown to plain text: one line per block, inline markup dropped,
/// link and image text kept, raw HTML stripped of its tags (script and style
/// contents dropped). Also returns the headings.
fn markdown_to_text(body: &str) -> (String, Vec<String>) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut text = String::with_capacity(body.len());
    let mut headings = Vec::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let stripped = strip_html(&html);
                text.push_str(&stripped);
                if let Some(h) = heading.as_mut() {
                    h.push_str(&stripped);
                }
            }
            Event::SoftBreak => {
                text.push(' ');
                if let Some(h) = heading.as_mut() {
                    h.push(' ');
                }
            }
            Event::HardBreak => text.push('\n'),
            Event::Start(Tag::Heading { .. }) => {
                end_line(&mut text);
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !h.is_empty() {
                        headings.push(h);
                    }
                }
                end_line(&mut text);
            }
            Event::End(TagEnd::TableCell) => text.push_str(" | "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            ) => end_line(&mut text),
            Event::Start(Tag::Item | Tag::Paragraph | Tag::CodeBlock(_)) => end_line(&mut text),
            Event::TaskListMarker(_) | Event::Rule => end_line(&mut text),
            Event::FootnoteReference(_) => {}
            _ => {}
        }
    }
    (text.trim().to_string(), headings)
}

fn end_line(text: &mut String) {
    while text.ends_with(' ') {
        text.pop();
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// Removes HTML tags; the contents of `<script>` and `<style>` are dropped.
fn strip_html(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..lt]);
        }
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[1..gt].trim().to_ascii_lowercase();
        if let Some(end) = skip_until {
            if tag == end {
                skip_until = None;
            }
        } else if tag.starts_with("script") {
            skip_until = Some("/script");
        } else if tag.starts_with("style") {
            skip_until = Some("/style");
        } else {
            out.push(' ');
        }
        rest = &after[gt + 1..];
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_alias_bomb_is_refused_and_the_body_kept() {
        let mut bomb = String::from("---\na: &a [x,x,x,x,x,x,x,x,x]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 9].join(",");
            bomb.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
        }
        bomb.push_str("tags: *i\n---\n# Still here\n\nThe body is indexed.");
        assert!(bomb.len() < 600, "{}", bomb.len());
        let started = std::time::Instant::now();
        let doc = extract_markdown(&bomb, "bomb");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(doc.tags.is_empty());
        assert_eq!(doc.title.as_deref(), Some("Still here"));
        assert!(doc.text.contains("The body is indexed"));
        assert!(doc.warnings.iter().any(|w| w.contains("aliases expand")), "{:?}", doc.warnings);
        // Aliases that expand to little are fine.
        let fine = extract_markdown("---\nt: &t Kotivara\ntitle: *t\ntags: [*t, koti]\n---\nBody.", "x");
        assert_eq!(fine.title.as_deref(), Some("Kotivara"));
        assert_eq!(fine.tags, vec!["Kotivara", "koti"]);
    }

    #[test]
    fn front_matter_over_the_size_cap_is_ignored_with_a_warning() {
        let big = format!("---\ntitle: Big\nnote: \"{}\"\n---\nThe body.", "x".repeat(MAX_FRONT_MATTER_BYTES));
        let doc = extract_markdown(&big, "big.md");
        assert_eq!(doc.title.as_deref(), Some("big.md"));
        assert!(doc.text.contains("The body"));
        assert!(doc.warnings.iter().any(|w| w.contains("larger than 64 KB")), "{:?}", doc.warnings);
    }

    #[test]
    fn yaml_front_matter() {
        let doc = extract_markdown(
            "---\ntitle: Kotivara\ntags: [varautuminen, koti]\ndate: 2025-03-01\nlang: fi\nsummary: Miten varaudut\n  kotona.\n---\n# Otsikko\n\nTeksti **lihava**.\n",
            "x",
        );
        assert_eq!(doc.title.as_deref(), Some("Kotivara"));
        assert_eq!(doc.tags, vec!["varautuminen", "koti"]);
        assert_eq!(doc.date.as_deref(), Some("2025-03-01"));
        assert_eq!(doc.declared_lang, Some(crate::Lang::Fi));
        assert_eq!(doc.headings, vec!["Otsikko"]);
        assert_eq!(doc.subject.as_deref(), Some("Miten varaudut kotona."));
        assert_eq!(doc.text, "Otsikko\nTeksti lihava.");
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn toml_front_matter() {
        let doc = extract_markdown(
            "+++\ntitle = \"Hemberedskap\"\ntags = [\"kris\"]\ndate = 2025-09-15\ndescription = \"Om hemberedskap\"\n+++\nText här.\n",
            "x",
        );
        assert_eq!(doc.title.as_deref(), Some("Hemberedskap"));
        assert_eq!(doc.tags, vec!["kris"]);
        assert_eq!(doc.date.as_deref(), Some("2025-09-15"));
        assert_eq!(doc.subject.as_deref(), Some("Om hemberedskap"));
        assert_eq!(doc.text, "Text här.");
    }

    #[test]
    fn title_falls_back_to_heading_then_file_name() {
        assert_eq!(extract_markdown("Intro\n\n## Second *level*\n", "f").title.as_deref(), Some("Second level"));
        assert_eq!(extract_markdown("Just text.", "file-name").title.as_deref(), Some("file-name"));
    }

    #[test]
    fn malformed_front_matter_is_reported_and_body_kept() {
        let doc = extract_markdown("---\ntitle: [unclosed\n---\nPerustelut ovat tässä.\n", "f");
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        assert!(doc.warnings[0].starts_with("malformed front matter"));
        assert!(doc.text.contains("Perustelut"));
        assert!(!doc.text.contains("unclosed"));
    }

    #[test]
    fn markup_is_removed() {
        let doc = extract_markdown(
            "A [link](http://example.com) and `code` and ![alt text](i.png).\n\n<div>inside</div>\n\n<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| c | d |\n",
            "f",
        );
        assert!(doc.text.contains("A link and code and alt text."), "{}", doc.text);
        assert!(!doc.text.contains("http://"));
        assert!(doc.text.contains("inside"));
        assert!(!doc.text.contains("alert"));
        assert!(!doc.text.contains('<'));
        assert!(doc.text.contains('c') && doc.text.contains('d'));
    }

    #[test]
    fn lone_dashes_are_not_front_matter() {
        let doc = extract_markdown("---\nNo closing fence here\n", "f");
        assert!(doc.text.contains("No closing fence"));
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn finnish_dates() {
        assert_eq!(normalise_date("1.3.2025"), "2025-03-01");
        assert_eq!(normalise_date("2025-03-01"), "2025-03-01");
    }
}
