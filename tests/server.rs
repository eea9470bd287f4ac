//! The HTTP service end to end: a real server on a loopback port, driven by
//! a tiny HTTP/1.1 client, every route, bad input, the OpenAPI contract and
//! live updates.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tietopankki::server::{self, Server};
use tietopankki::Config;

// ---------------------------------------------------------------- client

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text().chars().take(300).collect::<String>()))
    }
}

fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Response { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target, &[])
}

// ---------------------------------------------------------------- fixtures

const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
const CORS_ORIGIN: &str = "https://city.example";

struct Fixture {
    server: Server,
    _docs: tempfile::TempDir,
    _index: tempfile::TempDir,
    _outside: tempfile::TempDir,
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// The shared read-only server: a few documents in three languages, a PDF,
/// a document with markup in it, and a symlink that points outside.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let docs = tempfile::tempdir().expect("tempdir");
        let index = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let d = docs.path();
        write(
            &d.join("fi/kotivara.md"),
            "---\ntitle: Kotivara 72 tunniksi\ntags: [varautuminen]\n---\n# Kotivara\n\nKotivaraan kuuluu vettä, ruokaa ja lääkkeitä kolmeksi vuorokaudeksi. Kotivara auttaa sähkökatkossa.\n",
        );
        write(
            &d.join("fi/tilavaraus.md"),
            "# Tilavaraukset\n\nYhdistyksen kokoustilan varaus tehdään sähköisesti. Kotivara-illan tila varataan hyvissä ajoin.\n",
        );
        write(
            &d.join("sv/strombrott.md"),
            "---\ntitle: Strömavbrott i föreningen\ntags: [beredskap]\n---\nUnder ett långt strömavbrott behöver föreningen en plan och ett hemförråd.\n",
        );
        write(
            &d.join("en/markup.md"),
            "---\ntitle: Markup <b>test</b> & \"quotes\"\n---\nThis guide about zanzibarword shows <script>alert('x')</script> as text, and <img src=x onerror=alert(1)> too.\n",
        );
        write(
            &d.join("en/notes.txt"),
            "Plain notes about volunteer coordination and zanzibarword: <script>alert('x')</script> stays text.\n",
        );
        std::fs::copy(repo_file("documents/sv/strombrott-i-foreningen.pdf"), d.join("sv/strombrott.pdf"))
            .expect("copy pdf");
        write(&outside.path().join("secret.md"), "# Secret\n\nsupersecretword must never be served.\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.md"), d.join("fi/link-out.md")).expect("symlink");
        let config = Config {
            addr: "127.0.0.1:0".to_string(),
            admin_token: Some(ADMIN_TOKEN.to_string()),
            cors_origins: vec![CORS_ORIGIN.to_string()],
            rescan_secs: 0,
            ..Config::new(d, index.path())
        };
        let server = server::start(config).expect("server starts");
        Fixture { server, _docs: docs, _index: index, _outside: outside }
    })
}

fn addr() -> SocketAddr {
    fixture().server.addr()
}

// ---------------------------------------------------------------- OpenAPI check

fn openapi() -> Value {
    let text = std::fs::read_to_string(repo_file("openapi.json")).expect("openapi.json in the repo");
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let pointer = reference.strip_prefix('#').expect("local $ref");
        node = root.pointer(pointer).unwrap_or_else(|| panic!("unresolved $ref {reference}"));
    }
    node
}

/// The JSON schema of a documented response.
fn response_schema<'a>(root: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let operation = root["paths"][path][method].as_object().unwrap_or_else(|| panic!("{method} {path} not documented"));
    let response = operation["responses"]
        .get(status.to_string())
        .unwrap_or_else(|| panic!("{method} {path} does not document status {status}"));
    let response = resolve(root, response);
    &response["content"]["application/json"]["schema"]
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unknown schema type {other}"),
    }
}

/// Checks `value` against a schema (type, enum, required, properties — no
/// undocumented ones —, items, minimum, maximum, oneOf, $ref).
fn check(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(root, schema);
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = options.iter().filter(|o| check(root, o, value, at).is_ok()).count();
        return if matching == 1 { Ok(()) } else { Err(format!("{at}: matches {matching} of oneOf")) };
    }
    if let Some(expected) = schema.get("type") {
        let ok = match expected {
            Value::String(t) => type_matches(t, value),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_matches(t, value)),
            _ => return Err(format!("{at}: bad type in schema")),
        };
        if !ok {
            return Err(format!("{at}: expected {expected}, got {value}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            return Err(format!("{at}: {value} not in {options:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), value.as_f64()) {
        if n < min {
            return Err(format!("{at}: {n} < minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), value.as_f64()) {
        if n > max {
            return Err(format!("{at}: {n} > maximum {max}"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: missing required property '{name}'"));
            }
        }
        if let Some(properties) = properties {
            for (key, item) in object {
                let Some(sub) = properties.get(key) else {
                    return Err(format!("{at}: property '{key}' is not documented"));
                };
                check(root, sub, item, &format!("{at}.{key}"))?;
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(root, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Asserts the response's status and that its JSON body matches the documented schema.
fn assert_documented(response: &Response, path: &str, method: &str, status: u16) -> Value {
    assert_eq!(response.status, status, "{method} {path}: {}", response.text());
    assert!(
        response.header("content-type").is_some_and(|c| c.starts_with("application/json")),
        "{method} {path}: content type {:?}",
        response.header("content-type")
    );
    let root = openapi();
    let schema = response_schema(&root, path, method, status);
    let value = response.json();
    if let Err(err) = check(&root, schema, &value, "$") {
        panic!("{method} {path} {status} does not match openapi.json: {err}\n{value}");
    }
    value
}

// ---------------------------------------------------------------- JSON API

#[test]
fn healthz_and_status() {
    let health = assert_documented(&get(addr(), "/healthz"), "/healthz", "get", 200);
    assert_eq!(health["status"], "ok");
    let status = assert_documented(&get(addr(), "/api/status"), "/api/status", "get", 200);
    assert_eq!(status["documents"], 6, "{status}");
    assert!(status["last_sync"].as_str().is_some_and(|s| s.ends_with('Z')), "{status}");
    assert_eq!(status["last_run"]["reason"], "startup");
    assert!(status["failed"].is_array());
}

#[test]
fn search_sorts_by_date_and_filters_by_year() {
    let response = get(addr(), "/api/search?q=&lang=fi&sort=date&per_page=100");
    let body = assert_documented(&response, "/api/search", "get", 200);
    let hits = body["hits"].as_array().expect("hits");
    assert!(hits.len() >= 2, "{body}");
    let dates: Vec<&str> = hits.iter().map(|h| h["date"].as_str().expect("a date")).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    assert!(hits.iter().all(|h| h["date_source"].is_string() && h["passages"].is_array()));
    let years = body["facets"]["year"].as_array().expect("a year facet");
    let year = years[0]["value"].as_str().expect("a year").to_string();
    let count = years[0]["count"].as_u64().expect("a count");
    let filtered = get(addr(), &format!("/api/search?q=&lang=fi&year={year}"));
    let filtered = assert_documented(&filtered, "/api/search", "get", 200);
    assert_eq!(filtered["total"].as_u64(), Some(count), "the year facet's count is what the filter finds");
    for bad in ["sort=newest", "from=2024-13-01", "to=yesterday", "year=24"] {
        let response = get(addr(), &format!("/api/search?q=kotivara&{bad}"));
        assert_documented(&response, "/api/search", "get", 400);
    }
    // The page offers both orders and the year facet.
    let page = get(addr(), "/?q=kotivara&ui=en").text();
    assert!(page.contains("sort=date"), "a link to newest first");
    let page = get(addr(), "/?q=&lang=fi&ui=en").text();
    assert!(page.contains("&amp;year="), "year facet links");
}

#[test]
fn a_corrected_query_is_suggested_as_a_link() {
    let page = get(addr(), "/?q=kotivarra&ui=en").text();
    assert!(page.contains("class=\"did-you-mean\""), "{page}");
    assert!(page.contains("href=\"/?ui=en&amp;q=kotivara\""), "the suggestion links the corrected query: {page}");
    let body = assert_documented(&get(addr(), "/api/search?q=kotivarra"), "/api/search", "get", 200);
    assert_eq!(body["suggestion"], "kotivara");
    let body = assert_documented(&get(addr(), "/api/search?q=kotivara"), "/api/search", "get", 200);
    assert!(body.get("suggestion").is_none(), "no suggestion for a word the bank has");
}

#[test]
fn suggest_completes_from_the_banks_words() {
    let body = assert_documented(&get(addr(), "/api/suggest?q=kotiv"), "/api/suggest", "get", 200);
    let suggestions = body["suggestions"].as_array().expect("suggestions");
    assert!(suggestions.iter().any(|s| s["text"].as_str().is_some_and(|t| t.starts_with("kotivar"))), "{body}");
    let body = assert_documented(&get(addr(), "/api/suggest?q=k"), "/api/suggest", "get", 200);
    assert_eq!(body["suggestions"].as_array().map(Vec::len), Some(0));
    assert_documented(&get(addr(), "/api/suggest?q=kotiv&limit=0"), "/api/suggest", "get", 400);
}

#[test]
fn search_returns_hits_facets_and_paging() {
    let response = get(addr(), "/api/search?q=kotivara");
    let body = assert_documented(&response, "/api/search", "get", 200);
    assert_eq!(body["query"], "kotivara");
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 10);
    let hits = body["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert_eq!(hits[0]["path"], "fi/kotivara.md");
    assert_eq!(hits[0]["url"], "/documents/fi/kotivara.md");
    assert!(hits[0]["snippet"].as_str().is_some_and(|s| s.contains("<mark>")), "{}", hits[0]);
    assert!(body["facets"]["lang"].as_array().is_some_and(|f| f.iter().any(|c| c["value"] == "fi")));
    assert!(body["facets"]["tag"].as_array().is_some_and(|f| f.iter().any(|c| c["value"] == "varautuminen")));

    // Paging: one hit per page, pages differ.
    let first = get(addr(), "/api/search?q=kotivara&per_page=1&page=1").json();
    let second = get(addr(), "/api/search?q=kotivara&per_page=1&page=2").json();
    assert_eq!(first["hits"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["hits"].as_array().map(Vec::len), Some(1));
    assert_ne!(first["hits"][0]["path"], second["hits"][0]["path"]);
    assert_eq!(first["pages"], first["total"]);

    // Filters.
    let sv = assert_documented(&get(addr(), "/api/search?q=str%C3%B6mavbrott&lang=sv"), "/api/search", "get", 200);
    let hits = sv["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["lang"] == "sv"), "{sv}");
    let pdf = get(addr(), "/api/search?q=str%C3%B6mavbrott&format=pdf").json();
    let pdf_hit = &pdf["hits"][0];
    assert_eq!(pdf_hit["format"], "pdf", "{pdf}");
    let page = pdf_hit["page"].as_u64().expect("a PDF hit has a page");
    assert_eq!(pdf_hit["url"], format!("/documents/sv/strombrott.pdf#page={page}"));
    let tagged = get(addr(), "/api/search?tag=beredskap").json();
    assert!(tagged["hits"].as_array().is_some_and(|h| !h.is_empty() && h.iter().all(|h| h["lang"] == "sv")));
    let folder = get(addr(), "/api/search?q=zanzibarword&folder=en").json();
    assert_eq!(folder["total"], 2, "{folder}");
    let none = assert_documented(&get(addr(), "/api/search?q=xyzzyplugh"), "/api/search", "get", 200);
    assert_eq!(none["total"], 0);
    let empty = assert_documented(&get(addr(), "/api/search"), "/api/search", "get", 200);
    assert_eq!(empty["total"], 0);
}

#[test]
fn other_languages_are_a_separate_documented_part_of_the_results() {
    // Off by default in the API: the main results only.
    let plain = assert_documented(&get(addr(), "/api/search?q=kotivara"), "/api/search", "get", 200);
    assert!(plain.get("other_languages").is_none(), "{plain}");
    let body =
        assert_documented(&get(addr(), "/api/search?q=kotivara&other_languages=true"), "/api/search", "get", 200);
    assert_eq!(body["hits"], plain["hits"], "the main results stay as they are");
    let other = &body["other_languages"];
    let hits = other["hits"].as_array().expect("other-language hits");
    let strombrott = hits.iter().find(|h| h["path"] == "sv/strombrott.md").unwrap_or_else(|| panic!("{other}"));
    assert!(strombrott["via"].as_array().is_some_and(|v| v.iter().any(|t| t == "hemförråd")), "{strombrott}");
    assert_eq!(strombrott["url"], "/documents/sv/strombrott.md");
    assert!(hits.iter().all(|h| h["lang"] != "fi"), "{other}");
    assert!(other["total"].as_u64().is_some_and(|t| t as usize >= hits.len()));
    let bad = get(addr(), "/api/search?q=kotivara&other_languages=maybe");
    assert_documented(&bad, "/api/search", "get", 400);
    // The page shows them by default, labelled, and the link switches them off.
    let page = get(addr(), "/?ui=fi&q=kotivara").text();
    assert!(page.contains("Myös ruotsiksi ja englanniksi") && page.contains("hemförråd"), "{page}");
    let off = get(addr(), "/?ui=fi&q=kotivara&other_languages=false").text();
    assert!(!off.contains("class=\"other-languages\""), "switched off");
    assert!(off.contains("Näytä myös muunkieliset tulokset"), "and a link to switch them on again");
}

#[test]
fn search_rejects_bad_parameters_with_400() {
    let long = "a".repeat(1001);
    let long_q = format!("/api/search?q={long}");
    let cases = [
        "/api/search?q=x&lang=xx",
        "/api/search?q=x&lang=finnish",
        "/api/search?q=x&format=doc",
        "/api/search?q=x&per_page=0",
        "/api/search?q=x&per_page=1000",
        "/api/search?q=x&per_page=-1",
        "/api/search?q=x&page=0",
        "/api/search?q=x&page=abc",
        "/api/search?q=x&page=101",
        "/api/search?q=x&page=1002",
        "/api/search?q=x&page=99999999999999999999999",
        "/api/search?q=x&page=18446744073709551615&per_page=100",
        "/api/search?q=%ff%fe",
        "/api/search?q=%zz",
        long_q.as_str(),
    ];
    for case in cases {
        let response = get(addr(), case);
        let body = assert_documented(&response, "/api/search", "get", 400);
        assert_eq!(body["status"], 400);
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{case}: {body}");
    }
    // At the limit is fine.
    let ok = get(addr(), &format!("/api/search?q={}", "a".repeat(1000)));
    assert_eq!(ok.status, 200);
    let deepest = get(addr(), "/api/search?q=x&page=100&per_page=100");
    assert_eq!(deepest.status, 200, "{}", deepest.text());
    // Odd but harmless input never makes a 500.
    for case in [
        "/api/search?q=%22unbalanced",
        "/api/search?q=-",
        "/api/search?q=lang%3Axx",
        "/api/search?q=AND+OR+NOT",
        "/api/search?q=*%3F%5B%5D%7B%7D%5E~%3A",
        "/api/search?q=x&unknown=1",
        "/api/search?q=x&tag=%3Cscript%3E",
        "/api/search?&&q=&=&",
    ] {
        let response = get(addr(), case);
        assert_eq!(response.status, 200, "{case}: {}", response.text());
    }
}

#[test]
fn documents_metadata_and_list() {
    let doc = get(addr(), "/api/documents/fi/kotivara.md");
    let body = assert_documented(&doc, "/api/documents/{path}", "get", 200);
    assert_eq!(body["path"], "fi/kotivara.md");
    assert_eq!(body["title"], "Kotivara 72 tunniksi");
    assert_eq!(body["lang"], "fi");
    assert_eq!(body["tags"][0], "varautuminen");
    assert_eq!(body["url"], "/documents/fi/kotivara.md");
    assert!(body.get("text").is_none());
    let encoded = get(addr(), "/api/documents/fi%2Fkotivara.md");
    assert_eq!(encoded.status, 200);
    let pdf = assert_documented(&get(addr(), "/api/documents/sv/strombrott.pdf"), "/api/documents/{path}", "get", 200);
    assert!(pdf["pages"].as_u64().is_some_and(|p| p >= 1));

    for missing in ["/api/documents/fi/nope.md", "/api/documents/../Cargo.toml", "/api/documents/fi/link-out.md"] {
        let response = request(addr(), "GET", missing, &[]);
        let body = assert_documented(&response, "/api/documents/{path}", "get", 404);
        assert!(body["error"].as_str().is_some_and(|e| e.contains("no such document")), "{body}");
    }
    let bad = get(addr(), "/api/documents/%ff");
    assert_documented(&bad, "/api/documents/{path}", "get", 400);

    let list = assert_documented(&get(addr(), "/api/documents"), "/api/documents", "get", 200);
    assert_eq!(list["total"], 6);
    let paths: Vec<&str> =
        list["documents"].as_array().expect("documents").iter().filter_map(|d| d["path"].as_str()).collect();
    assert!(paths.contains(&"sv/strombrott.pdf"));
    assert!(!paths.iter().any(|p| p.contains("link-out")), "a symlink out of the folder is not indexed");
}

#[test]
fn openapi_is_served_and_valid() {
    let response = get(addr(), "/api/openapi.json");
    assert_eq!(response.status, 200);
    let served = response.json();
    assert_eq!(served, openapi(), "the served description is the one in the repository");
    assert!(served["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    // Every $ref resolves.
    fn refs<'a>(node: &'a Value, out: &mut Vec<&'a str>) {
        match node {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&served, &mut found);
    assert!(found.len() > 10);
    for r in found {
        assert!(served.pointer(r.trim_start_matches('#')).is_some(), "unresolved {r}");
    }
}

#[test]
fn unknown_routes_and_methods() {
    let api = get(addr(), "/api/nothing");
    assert_eq!(api.status, 404);
    assert!(api.json()["error"].is_string());
    let page = get(addr(), "/nothing");
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    let post = request(addr(), "POST", "/api/search?q=x", &[]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let get_reindex = get(addr(), "/api/reindex");
    assert_eq!(get_reindex.status, 405);
    let head = request(addr(), "HEAD", "/healthz", &[]);
    assert_eq!(head.status, 200);
}

#[test]
fn cors_only_for_configured_origins() {
    let allowed = request(addr(), "GET", "/api/search?q=kotivara", &[("Origin", CORS_ORIGIN)]);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(CORS_ORIGIN));
    let other = request(addr(), "GET", "/api/search?q=kotivara", &[("Origin", "https://evil.example")]);
    assert_eq!(other.header("access-control-allow-origin"), None);
    // warp's CORS refuses an origin not in the list (documented in OpenAPI).
    assert_eq!(other.status, 403);
    let preflight =
        request(addr(), "OPTIONS", "/api/search", &[("Origin", CORS_ORIGIN), ("Access-Control-Request-Method", "GET")]);
    // Any 2xx passes a preflight (Fetch standard, CORS-preflight fetch step 7).
    assert!((200..300).contains(&preflight.status), "preflight answered {}", preflight.status);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(CORS_ORIGIN));
    assert!(preflight.header("access-control-allow-methods").is_some_and(|m| m.contains("GET")));
    // The page is not an API: no CORS headers.
    let page = request(addr(), "GET", "/", &[("Origin", CORS_ORIGIN)]);
    assert_eq!(page.header("access-control-allow-origin"), None);
}

// ---------------------------------------------------------------- admin

#[test]
fn reindex_needs_the_token() {
    let missing = request(addr(), "POST", "/api/reindex", &[]);
    assert_documented(&missing, "/api/reindex", "post", 401);
    assert!(missing.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    let wrong = request(addr(), "POST", "/api/reindex", &[("Authorization", "Bearer wrong-token")]);
    assert_documented(&wrong, "/api/reindex", "post", 401);
    let prefix = request(addr(), "POST", "/api/reindex", &[("Authorization", "Bearer test-admin-token")]);
    assert_eq!(prefix.status, 401);
    let basic = request(addr(), "POST", "/api/reindex", &[("Authorization", &format!("Basic {ADMIN_TOKEN}"))]);
    assert_eq!(basic.status, 401);
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let ok = request(addr(), "POST", "/api/reindex", &[("Authorization", bearer.as_str())]);
    let body = assert_documented(&ok, "/api/reindex", "post", 200);
    assert_eq!(body["documents"], 6);
    assert_eq!(body["unchanged"], 6);
}

#[test]
fn reindex_is_off_without_a_token() {
    let docs = tempfile::tempdir().expect("tempdir");
    let index = tempfile::tempdir().expect("tempdir");
    write(&docs.path().join("a.md"), "# A\n\nAlpha.\n");
    let config = Config { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..Config::new(docs.path(), index.path()) };
    let server = server::start(config).expect("server");
    let response = request(server.addr(), "POST", "/api/reindex", &[("Authorization", "Bearer anything")]);
    assert_documented(&response, "/api/reindex", "post", 404);
    // No CORS configured: no CORS headers.
    let api = request(server.addr(), "GET", "/healthz", &[("Origin", CORS_ORIGIN)]);
    assert_eq!(api.header("access-control-allow-origin"), None);
    server.shutdown();
}

// ---------------------------------------------------------------- documents

#[test]
fn documents_are_served_with_their_content_type() {
    let md = get(addr(), "/documents/fi/kotivara.md");
    assert_eq!(md.status, 200);
    assert_eq!(md.header("content-type"), Some("text/markdown; charset=utf-8"));
    assert_eq!(md.header("content-security-policy"), Some("sandbox"));
    assert_eq!(md.header("x-content-type-options"), Some("nosniff"));
    assert!(md.text().contains("Kotivaraan kuuluu"));
    let txt = get(addr(), "/documents/en/notes.txt");
    assert_eq!(txt.header("content-type"), Some("text/plain; charset=utf-8"));
    let pdf = get(addr(), "/documents/sv/strombrott.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF"));
    assert_eq!(
        pdf.body.len() as u64,
        std::fs::metadata(repo_file("documents/sv/strombrott-i-foreningen.pdf")).map(|m| m.len()).unwrap_or(0)
    );
    let encoded = get(addr(), "/documents/sv%2Fstrombrott.md");
    assert_eq!(encoded.status, 200);
}

#[test]
fn nothing_outside_the_documents_folder_is_served() {
    let attempts = [
        "/documents/../Cargo.toml",
        "/documents/fi/../../Cargo.toml",
        "/documents/%2e%2e/Cargo.toml",
        "/documents/%2E%2E/%2E%2E/Cargo.toml",
        "/documents/..%2fCargo.toml",
        "/documents/..%2F..%2FCargo.toml",
        "/documents/%2fetc%2fpasswd",
        "/documents//etc/passwd",
        "/documents/%2f%2e%2e%2fCargo.toml",
        "/documents/..%5cCargo.toml",
        "/documents/fi%5c..%5c..%5cCargo.toml",
        "/documents/fi/kotivara.md%00.pdf",
        "/documents/fi/link-out.md",
        "/documents/C:%5cWindows%5cwin.ini",
        "/documents/.%2e/Cargo.toml",
        "/documents/%252e%252e/Cargo.toml",
        "/documents/",
        "/documents/fi",
        "/documents/fi/",
        "/documents/fi/nope.md",
    ];
    for attempt in attempts {
        let response = request(addr(), "GET", attempt, &[]);
        assert!(response.status == 404 || response.status == 400, "{attempt} answered {}", response.status);
        let text = response.text();
        assert!(
            !text.contains("[package]") && !text.contains("supersecretword") && !text.contains("root:"),
            "{attempt} leaked"
        );
    }
    // A raw backslash in the request line.
    let raw = request(addr(), "GET", "/documents/..\\Cargo.toml", &[]);
    assert!(raw.status == 404 || raw.status == 400, "raw backslash answered {}", raw.status);
    assert!(!raw.text().contains("[package]"));
}

// ---------------------------------------------------------------- the page

#[test]
fn page_renders_results_escaped() {
    let response = get(addr(), "/?q=zanzibarword&ui=en");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/html; charset=utf-8"));
    let html = response.text();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(!html.contains("<script>alert"), "document text must be escaped");
    assert!(!html.contains("<img src=x"), "document text must be escaped");
    assert!(!html.contains("<b>test</b>"), "titles must be escaped");
    assert!(html.contains("Markup &lt;b&gt;test&lt;/b&gt; &amp; &quot;quotes&quot;"), "{html}");
    assert!(html.contains("<mark>"));
    assert!(html.contains("&lt;script&gt;alert("), "a document's <script> is shown as text: {html}");
    assert!(html.contains("href=\"/documents/en/markup.md\""));
    // The only scripts are our own file.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script src=\"/assets/app.js\" defer></script>"));
    // Landmarks, label, status line.
    for needle in [
        "<main",
        "<header",
        "<footer",
        "role=\"search\"",
        "<label for=\"q\">",
        "class=\"skip\"",
        "2 results for",
        "6 documents, updated",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
}

#[test]
fn page_escapes_the_query_and_filters() {
    let html = get(addr(), "/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&tag=%3Cimg%3E&ui=fi").text();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img>"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn page_language_from_accept_language_and_url() {
    let sv = request(addr(), "GET", "/", &[("Accept-Language", "sv-FI,sv;q=0.9,en;q=0.5")]).text();
    assert!(sv.contains("<html lang=\"sv\">"));
    assert!(sv.contains(">Sök</button>"));
    let fi = request(addr(), "GET", "/", &[]).text();
    assert!(fi.contains("<html lang=\"fi\">"));
    assert!(fi.contains(">Hae</button>"));
    let en = request(addr(), "GET", "/?ui=en", &[("Accept-Language", "sv")]).text();
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains(">Search</button>"));
    // The choice is remembered in links.
    assert!(en.contains("href=\"/?ui=sv\""));
    // `ui` takes the codes only, on every page alike: "suomi" is no choice, so the browser's language holds.
    for target in ["/?ui=suomi", "/?ui=suomi&page=0", "/no-such-page?ui=suomi"] {
        let page = request(addr(), "GET", target, &[("Accept-Language", "sv")]).text();
        assert!(page.contains("<html lang=\"sv\">"), "{target}");
    }
    // A Finnish-interface page marks the Swedish and English hits.
    let page = get(addr(), "/?q=str%C3%B6mavbrott&ui=fi").text();
    assert!(page.contains("<li class=\"hit\" lang=\"sv\">"), "{page}");
    let page = get(addr(), "/?q=kotivara&ui=fi").text();
    assert!(page.contains("<li class=\"hit\">"));
}

#[test]
fn page_filters_and_paging_links() {
    let html = get(addr(), "/?q=kotivara&ui=en").text();
    assert!(html.contains("href=\"/?ui=en&amp;q=kotivara&amp;lang=fi\""), "facet link: {html}");
    let html = get(addr(), "/?q=kotivara&ui=en&per_page=1").text();
    assert!(html.contains("href=\"/?ui=en&amp;q=kotivara&amp;lang=fi&amp;per_page=1\""), "facet link: {html}");
    let filtered = get(addr(), "/?q=kotivara&ui=en&lang=fi").text();
    assert!(filtered.contains("aria-current=\"true\""));
    assert!(filtered.contains("name=\"lang\" value=\"fi\""), "the filter stays on for a new search");
    let paged = get(addr(), "/?q=kotivara&ui=en&per_page=1&page=2").text();
    assert!(paged.contains("rel=\"prev\""));
    assert!(paged.contains("aria-current=\"page\""));
}

#[test]
fn page_bad_parameter_is_a_400_page() {
    let response = get(addr(), "/?q=kotivara&lang=xx&ui=en");
    assert_eq!(response.status, 400);
    let html = response.text();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("The search could not be run"));
    assert!(html.contains("value=\"kotivara\""));
}

#[test]
fn security_headers_everywhere() {
    for target in ["/", "/?q=kotivara", "/api/search?q=kotivara", "/nothing", "/assets/style.css"] {
        let response = get(addr(), target);
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{target}");
        let csp = response.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{target}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{target}: {csp}");
    }
    let css = get(addr(), "/assets/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let js = get(addr(), "/assets/app.js");
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    let icon = get(addr(), "/assets/favicon.svg");
    assert_eq!(icon.status, 200);
}

// ---------------------------------------------------------------- live updates

fn total(addr: SocketAddr, query: &str) -> u64 {
    get(addr, &format!("/api/search?q={query}")).json()["total"].as_u64().unwrap_or(0)
}

/// Polls until `done`, for at most `limit` (here the promise under test, not a
/// grace period); returns the time it took.
fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    crate::common::poll_for(limit, || done().then(|| start.elapsed()))
}

#[test]
fn live_updates_within_two_seconds() {
    let docs = tempfile::tempdir().expect("tempdir");
    let index = tempfile::tempdir().expect("tempdir");
    write(&docs.path().join("fi/alku.md"), "# Alku\n\nEnsimmäinen asiakirja.\n");
    let config = Config { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..Config::new(docs.path(), index.path()) };
    let server = server::start(config).expect("server");
    let addr = server.addr();
    assert_eq!(total(addr, "quokkaword"), 0);

    // Added.
    write(&docs.path().join("en/new.md"), "# New\n\nA brand new quokkaword guide.\n");
    let added = wait_for(Duration::from_secs(2), || total(addr, "quokkaword") == 1);
    assert!(added.is_some(), "a new file must be searchable within 2 s");
    eprintln!("live update: added file searchable after {added:?}");

    // Changed.
    write(&docs.path().join("en/new.md"), "# New\n\nNow it is about a wombatword instead.\n");
    let changed = wait_for(Duration::from_secs(2), || total(addr, "wombatword") == 1 && total(addr, "quokkaword") == 0);
    assert!(changed.is_some(), "a changed file must be re-indexed within 2 s");
    eprintln!("live update: changed file re-indexed after {changed:?}");

    // In a new subfolder.
    write(&docs.path().join("sv/ny/mapp.md"), "# Ny\n\nEtt dokument om numbatord.\n");
    let nested = wait_for(Duration::from_secs(2), || total(addr, "numbatord") == 1);
    assert!(nested.is_some(), "a file in a new folder must be searchable within 2 s");

    // Removed.
    std::fs::remove_file(docs.path().join("en/new.md")).expect("remove");
    let removed = wait_for(Duration::from_secs(2), || total(addr, "wombatword") == 0);
    assert!(removed.is_some(), "a removed file must disappear within 2 s");
    eprintln!("live update: removed file gone after {removed:?}");

    // Searches keep working while all this happens, and the status tells.
    let status = get(addr, "/api/status").json();
    assert_eq!(status["documents"], 2, "{status}");
    assert_eq!(status["watching"], true);
    server.shutdown();
}

#[test]
fn a_file_being_written_is_not_indexed_half_written() {
    let docs = tempfile::tempdir().expect("tempdir");
    let index = tempfile::tempdir().expect("tempdir");
    write(&docs.path().join("alku.md"), "# Alku\n\nEnsimmäinen.\n");
    let config = Config { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..Config::new(docs.path(), index.path()) };
    let server = server::start(config).expect("server");
    let addr = server.addr();
    let path = docs.path().join("slow.md");
    let mut file = std::fs::File::create(&path).expect("create");
    file.write_all(b"# Slow copy\n\nThe first part mentions alphaword.\n").expect("write");
    file.flush().expect("flush");
    // Keep writing for a while, a little at a time, as a slow copy would (the
    // pauses are the point: they make the copy slow).
    for i in 0..12 {
        std::thread::sleep(Duration::from_millis(100));
        file.write_all(format!("Filler line {i} of the slow copy.\n").as_bytes()).expect("write");
        file.flush().expect("flush");
        assert_eq!(total(addr, "alphaword"), 0, "a file still being written must not be indexed");
    }
    file.write_all(b"The last part mentions omegaword.\n").expect("write");
    drop(file);
    let done = wait_for(Duration::from_secs(2), || total(addr, "alphaword") == 1 && total(addr, "omegaword") == 1);
    assert!(done.is_some(), "the finished file must be searchable within 2 s, whole");
    server.shutdown();
}

#[test]
fn shutdown_is_clean_and_the_index_reopens() {
    let docs = tempfile::tempdir().expect("tempdir");
    let index = tempfile::tempdir().expect("tempdir");
    write(&docs.path().join("a.md"), "# A\n\nAlpha beta.\n");
    let config = Config { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..Config::new(docs.path(), index.path()) };
    let server = server::start(config.clone()).expect("server");
    let addr = server.addr();
    assert_eq!(get(addr, "/healthz").status, 200);
    server.shutdown();
    assert!(TcpStream::connect(addr).is_err(), "the port is closed after shutdown");
    // Started again on the same index: nothing to redo.
    let again = server::start(config).expect("restart");
    let status = get(again.addr(), "/api/status").json();
    assert_eq!(status["documents"], 1);
    assert_eq!(status["last_run"]["unchanged"], 1);
    again.shutdown();
}

#[test]
fn start_fails_cleanly() {
    let index = tempfile::tempdir().expect("tempdir");
    let missing = index.path().join("no-such-folder");
    assert!(server::start(Config::new(&missing, index.path())).is_err());
    let docs = tempfile::tempdir().expect("tempdir");
    let bad_addr = Config { addr: "not-an-address".to_string(), ..Config::new(docs.path(), index.path()) };
    assert!(server::start(bad_addr).is_err());
}

#[test]
fn open_connections_do_not_hold_up_shutdown() {
    let docs = tempfile::tempdir().expect("tempdir");
    let index = tempfile::tempdir().expect("tempdir");
    write(&docs.path().join("a.md"), "# A\n\nAlpha.\n");
    let config = Config { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..Config::new(docs.path(), index.path()) };
    let server = server::start(config).expect("server");
    // One idle keep-alive connection after a request, one that never sends anything.
    let mut kept = TcpStream::connect(server.addr()).expect("connect");
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr()).as_bytes()).expect("send");
    let mut buf = [0u8; 512];
    kept.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let n = kept.read(&mut buf).expect("response");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let _silent = TcpStream::connect(server.addr()).expect("connect");
    let started = Instant::now();
    server.shutdown();
    assert!(started.elapsed() < Duration::from_secs(12), "shutdown took {:?}", started.elapsed());
    eprintln!("shutdown with open connections took {:?}", started.elapsed());
}
