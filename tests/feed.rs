//! The Atom feed of what is new (issue #17): RFC 4287's required elements,
//! newest first, filtered like a search, a new file shows up, and document
//! text is escaped.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use quick_xml::events::Event;
use tietopankki::server::{self, Server};
use tietopankki::Config;

use crate::common::{wait_until, TempBank};

/// An element of the feed, with its attributes, text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn text_of(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }
}

/// Parses the XML into its root element; panics on anything not well formed.
fn parse(xml: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = vec![Node::default()];
    let node = |e: &quick_xml::events::BytesStart<'_>| Node {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).expect("an attribute value");
                (a.key.as_ref().to_string(), value.into_owned())
            })
            .collect(),
        ..Node::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(node(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let resolved = quick_xml::escape::resolve_predefined_entity(name).expect("a predefined entity");
                stack.last_mut().unwrap().text.push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    stack.pop().unwrap().children.pop().expect("a root element")
}

fn get(addr: SocketAddr, target: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

fn start(tb: &TempBank) -> Server {
    let config = Config { addr: "127.0.0.1:0".to_string(), ..Config::new(tb.docs.path(), tb.index.path()) };
    server::start(config).unwrap()
}

/// Checks RFC 4287's required elements (4.1.1 feed, 4.1.2 entry) and
/// returns the entries' titles in order.
fn check_atom(feed: &Node) -> Vec<String> {
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some("http://www.w3.org/2005/Atom"));
    for required in ["id", "title", "updated"] {
        assert!(!feed.text_of(required).is_empty(), "feed/{required}");
    }
    let self_link = feed.all("link").into_iter().find(|l| l.attr("rel") == Some("self")).expect("a self link");
    assert!(self_link.attr("href").is_some_and(|h| h.starts_with("http://")), "absolute self link");
    assert!(!feed.child("author").expect("a feed author").text_of("name").is_empty());
    let mut titles = Vec::new();
    let mut updated = Vec::new();
    for entry in feed.all("entry") {
        for required in ["id", "title", "updated"] {
            assert!(!entry.text_of(required).is_empty(), "entry/{required}");
        }
        assert!(entry.child("link").and_then(|l| l.attr("href")).is_some_and(|h| h.contains("/documents/")));
        titles.push(entry.text_of("title").to_string());
        updated.push(entry.text_of("updated").to_string());
    }
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first: {updated:?}");
    titles
}

#[test]
fn the_feed_is_atom_newest_first_and_follows_new_files() {
    let tb = TempBank::new();
    tb.write("fi/avustus.md", "---\ntitle: Avustuksen haku\n---\nAvustuksen hakeminen ja raportointi.\n");
    tb.write("sv/lokal.md", "---\ntitle: Lokalbokning\n---\nHur föreningen bokar en lokal.\n");
    let server = start(&tb);
    let (status, content_type, body) = get(server.addr(), "/feed.atom");
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    let titles = check_atom(&parse(&body));
    assert_eq!(titles.len(), 2, "{titles:?}");

    // A new file: after the watcher's sync it is the first entry.
    std::thread::sleep(Duration::from_millis(1100)); // a later modification second than the others
    tb.write("fi/uusi-avustus.md", "---\ntitle: Uusi avustusohje\n---\nAvustusta voi hakea keväällä.\n");
    wait_until("the new file in the feed", || {
        let (_, _, body) = get(server.addr(), "/feed.atom");
        check_atom(&parse(&body)).first().map(String::as_str) == Some("Uusi avustusohje")
    });

    // Filtered like a search: only the Finnish grant documents.
    let (status, _, body) = get(server.addr(), "/feed.atom?q=avustus&lang=fi");
    assert_eq!(status, 200);
    let feed = parse(&body);
    let mut titles = check_atom(&feed);
    titles.sort();
    assert_eq!(titles, ["Avustuksen haku", "Uusi avustusohje"]);
    assert!(feed.all("entry").iter().all(|e| e.child("summary").is_some_and(|s| s.text.contains("<mark>"))));
    // A bad parameter is the API's 400.
    assert_eq!(get(server.addr(), "/feed.atom?lang=xx").0, 400);
    // The page links the feed of what it shows.
    let (_, _, page) = get(server.addr(), "/?q=avustus&lang=fi&ui=fi");
    assert!(page.contains("rel=\"alternate\" type=\"application/atom+xml\""), "{page}");
    assert!(page.contains("href=\"/feed.atom?q=avustus&amp;lang=fi\""), "{page}");
    server.shutdown();
}

#[test]
fn document_text_is_escaped_in_the_feed() {
    let tb = TempBank::new();
    let title = "Ohje <script>alert(1)</script> & \"lainaus\" ]]>";
    tb.write("fi/vaarallinen.md", format!("---\ntitle: '{title}'\n---\nAvustus, kun 3 < 5 & muuta.\n"));
    let server = start(&tb);
    let (_, _, body) = get(server.addr(), "/feed.atom?q=avustus");
    assert!(!body.contains("<script>"), "{body}");
    let feed = parse(&body);
    let entry = feed.child("entry").expect("the document is in the feed");
    assert_eq!(entry.text_of("title"), title, "the title comes through intact");
    // The summary is HTML (escaped text with marks) inside escaped XML.
    let summary = entry.text_of("summary");
    assert!(summary.contains("3 &lt; 5 &amp; muuta") && summary.contains("<mark>"), "{summary}");
    server.shutdown();
}

#[test]
fn the_start_page_lists_the_documents_added_last() {
    let tb = TempBank::new();
    for i in 0..12 {
        tb.write(&format!("fi/ohje-{i:02}.md"), format!("---\ntitle: Ohje {i:02}\n---\nTeksti numero {i}.\n"));
    }
    let server = start(&tb);
    let (_, _, page) = get(server.addr(), "/?ui=fi");
    let listed = page.matches("href=\"/documents/fi/ohje-").count();
    assert_eq!(listed, 10, "ten of the twelve documents: {page}");
    assert!(page.contains("Viimeksi lisätyt"));
    server.shutdown();
}
