//! `tietopankki export` and `KnowledgeBank::export_records`: the `_bulk`
//! NDJSON format, the index template, and pushing to a cluster (a local
//! test server that speaks the documented `_bulk` protocol).
//!
//! Shapes checked against:
//! - the `_bulk` API: <https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html>
//!   (the NDJSON structure, the final newline and the Content-Type as stated in
//!   <https://www.elastic.co/guide/en/elasticsearch/reference/7.1/docs-bulk.html>)
//!   and <https://opensearch.org/docs/latest/api-reference/document-apis/bulk/>
//!   (NDJSON, `Content-Type: application/x-ndjson`, an action line and for
//!   `index` a source line, a final newline; the response's `errors` and
//!   per-item `items[].<action>.status` / `.error.{type,reason}`);
//! - index templates: <https://www.elastic.co/guide/en/elasticsearch/reference/current/index-templates.html>
//!   and <https://docs.opensearch.org/docs/im-plugin/index-templates>
//!   (`index_patterns`, `template.settings`, `template.mappings.properties`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tietopankki::analysis::Analyzer;
use tietopankki::export::push::{push, Auth, PushError, PushOptions};
use tietopankki::{ExportOptions, KnowledgeBank, Lang};

use crate::common::{shared_dir, TempBank};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tietopankki"))
}

/// A small bank in three languages.
fn bank() -> (TempBank, KnowledgeBank) {
    let t = TempBank::new();
    t.write(
        "fi/sahkokatko.md",
        "---\ntitle: Sähkökatko\ntags: [varautuminen]\ndate: 2024-05-02\n---\nPitkän sähkökatkon aikana yhdistys noudattaa valmiussuunnitelmaa.",
    );
    t.write(
        "sv/strombrott.md",
        "---\ntitle: Strömavbrott\n---\nUnder ett långt strömavbrott behöver föreningen en beredskapsplan.",
    );
    t.write(
        "en/outage.md",
        "# Power outage\n\nDuring a long power outage the association follows its preparedness plan.",
    );
    t.write("top.txt", "Yhdistyksen kokous pidetään kerhotilassa.");
    let bank = t.open();
    bank.sync().unwrap();
    (t, bank)
}

/// Parses `_bulk` NDJSON, checking its shape: every line a JSON object,
/// a final newline, an `index` action with `_index` and `_id` followed by
/// its source line. Returns (action, source) pairs.
fn parse_bulk(ndjson: &str) -> Vec<(Value, Value)> {
    assert!(ndjson.ends_with('\n'), "a _bulk body ends with a newline");
    let lines: Vec<&str> = ndjson.lines().collect();
    assert_eq!(lines.len() % 2, 0, "action and source lines alternate");
    let mut out = Vec::new();
    for pair in lines.chunks(2) {
        let action: Value = serde_json::from_str(pair[0]).unwrap();
        let source: Value = serde_json::from_str(pair[1]).unwrap();
        assert!(action.is_object() && source.is_object());
        let meta = &action["index"];
        assert!(meta["_index"].is_string() && meta["_id"].is_string(), "{action}");
        assert!(source.get("index").is_none(), "a source line is not an action: {source}");
        out.push((action, source));
    }
    out
}

fn export_cli(index: &Path, extra: &[&str]) -> String {
    let out =
        bin().arg("export").arg("--index").arg(index).args(["--index-name", "docs"]).args(extra).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn export_writes_bulk_ndjson_with_stable_ids_and_the_analysis() {
    let (t, _bank) = bank();
    let first = export_cli(t.index.path(), &["--base-url", "https://docs.example.fi/"]);
    let records = parse_bulk(&first);
    assert_eq!(records.len(), 4);
    let ids: Vec<&str> = records.iter().map(|(a, _)| a["index"]["_id"].as_str().unwrap()).collect();
    let paths: Vec<&str> = records.iter().map(|(_, s)| s["path"].as_str().unwrap()).collect();
    assert_eq!(ids, paths, "the id is the document's path");
    assert_eq!(
        export_cli(t.index.path(), &["--base-url", "https://docs.example.fi/"]),
        first,
        "ids and records are stable"
    );
    let fi = &records.iter().find(|(_, s)| s["path"] == "fi/sahkokatko.md").unwrap().1;
    assert_eq!(fi["lang"], "fi");
    assert_eq!(fi["folder"], "fi");
    assert_eq!(fi["date"], "2024-05-02");
    assert_eq!(fi["url"], "https://docs.example.fi/fi/sahkokatko.md");
    assert_eq!(fi["tags"], json!(["varautuminen"]));
    assert!(fi["text"]["fi"].as_str().unwrap().contains("valmiussuunnitelmaa"));
    assert!(fi["text"].get("sv").is_none_or(Value::is_null));
    let analyzer = Analyzer::get();
    let keys = |field: &str| fi["tp"][field].as_str().unwrap().split(' ').map(str::to_string).collect::<Vec<_>>();
    assert!(keys("stems").contains(&analyzer.stem(Lang::Fi, "sähkökatkon")));
    assert!(keys("title").contains(&analyzer.stem(Lang::Fi, "sähkökatko")));
    assert!(keys("folded").contains(&analyzer.folded(Lang::Fi, "sähkökatkon")));
    assert!(keys("compounds").contains(&analyzer.stem(Lang::Fi, "suunnitelma")));
    let sv = &records.iter().find(|(_, s)| s["lang"] == "sv").unwrap().1;
    assert!(sv["text"]["sv"].as_str().unwrap().contains("beredskapsplan"));
}

#[test]
fn city_shape_puts_the_title_under_the_language() {
    let (t, _bank) = bank();
    for (_, source) in parse_bulk(&export_cli(t.index.path(), &["--city-shape"])) {
        let lang = source["lang"].as_str().unwrap();
        let title = source["title"].as_object().unwrap();
        assert!(title[lang].as_str().is_some_and(|s| !s.is_empty()), "{source}");
        assert_eq!(title.values().filter(|v| !v.is_null()).count(), 1, "{source}");
    }
}

/// Every leaf field path of a JSON object (`text.fi`, `tp.stems`, ...).
fn leaf_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value.as_object() {
        Some(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                leaf_paths(value, &path, out);
            }
        }
        None => {
            out.insert(prefix.to_string());
        }
    }
}

/// The mapping of a dotted field path in `mappings.properties`.
fn mapping<'a>(mappings: &'a Value, path: &str) -> Option<&'a Value> {
    let mut at = mappings;
    for part in path.split('.') {
        at = at.get("properties")?.get(part)?;
    }
    Some(at)
}

#[test]
#[ignore = "needs ../shared"]
fn the_template_maps_every_exported_field() {
    let (t, bank) = bank();
    let shared = shared_dir("corpus/docs");
    std::fs::copy(shared.join("corpus/docs/fi/tietosuoja.pdf"), t.docs.path().join("fi/tietosuoja.pdf")).unwrap();
    bank.sync().unwrap();
    for shape in [vec![], vec!["--city-shape"]] {
        let template: Value =
            serde_json::from_str(&export_cli(t.index.path(), &[&["--template"], &shape[..]].concat())).unwrap();
        assert_eq!(template["index_patterns"], json!(["docs"]));
        let mappings = &template["template"]["mappings"];
        assert_eq!(mapping(mappings, "text.fi").unwrap()["analyzer"], "finnish");
        assert_eq!(mapping(mappings, "text.sv").unwrap()["analyzer"], "swedish");
        assert_eq!(mapping(mappings, "text.en").unwrap()["analyzer"], "english");
        assert_eq!(mapping(mappings, "date").unwrap()["type"], "date");
        let keys_analyzer = mapping(mappings, "tp.stems").unwrap()["analyzer"].as_str().unwrap();
        let analyzer = &template["template"]["settings"]["analysis"]["analyzer"][keys_analyzer];
        assert_eq!(analyzer["tokenizer"], "whitespace");
        let mut fields = BTreeSet::new();
        let ndjson = export_cli(t.index.path(), &[&["--per-page", "--base-url", "http://x/"], &shape[..]].concat());
        for (_, source) in parse_bulk(&ndjson) {
            leaf_paths(&source, "", &mut fields);
        }
        assert!(fields.contains("page") && fields.contains("tp.compounds"));
        for field in &fields {
            let m = mapping(mappings, field).unwrap_or_else(|| panic!("no mapping for {field}"));
            assert!(m["type"].is_string(), "{field}: {m}");
        }
    }
}

#[test]
#[ignore = "needs ../shared"]
fn per_page_gives_one_record_per_pdf_page_with_its_text() {
    let shared = shared_dir("corpus/docs");
    let t = TempBank::new();
    let pdf = shared.join("corpus/docs/fi/yhdistyksen-hallinto.pdf");
    std::fs::create_dir_all(t.docs.path().join("fi")).unwrap();
    std::fs::copy(&pdf, t.docs.path().join("fi/hallinto.pdf")).unwrap();
    t.write("fi/muistio.md", "Kokouksen muistio.");
    t.open().sync().unwrap();
    let extracted = bin().arg("extract").arg(&pdf).output().unwrap();
    assert!(extracted.status.success());
    let text = String::from_utf8(extracted.stdout).unwrap();
    let pages: Vec<&str> = text.split('\u{c}').map(str::trim).collect();
    let records = parse_bulk(&export_cli(t.index.path(), &["--per-page"]));
    let pdf_records: Vec<&Value> = records.iter().map(|(_, s)| s).filter(|s| s["format"] == "pdf").collect();
    assert!(pages.len() > 1, "a multi-page PDF");
    assert_eq!(pdf_records.len(), pages.len(), "one record per page");
    for (i, source) in pdf_records.iter().enumerate() {
        let page = i + 1;
        assert_eq!(source["page"], json!(page));
        assert_eq!(source["pages"], json!(pages.len()));
        assert_eq!(source["text"]["fi"].as_str().unwrap().trim(), pages[i], "page {page}");
    }
    let ids: Vec<&str> = records.iter().map(|(a, _)| a["index"]["_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"fi/hallinto.pdf#p2") && ids.contains(&"fi/muistio.md"), "{ids:?}");
}

#[test]
fn the_library_yields_the_same_records() {
    let (t, bank) = bank();
    let records: Vec<_> = bank.export_records(&ExportOptions::default()).unwrap().map(Result::unwrap).collect();
    let cli = parse_bulk(&export_cli(t.index.path(), &[]));
    assert_eq!(records.len(), cli.len());
    for (record, (_, source)) in records.iter().zip(&cli) {
        assert_eq!(&serde_json::to_value(&record.source).unwrap(), source);
    }
}

#[test]
fn the_example_query_holds_the_analysed_words() {
    let query: Value =
        serde_json::from_str(&export_cli(Path::new("unused"), &["--example-query", "sähkökatkon"])).unwrap();
    let text = query.to_string();
    assert!(text.contains(&Analyzer::get().stem(Lang::Fi, "sähkökatkon")), "{text}");
    assert!(text.contains("tp.compounds") && text.contains("text.fi"), "{text}");
}

// ---------------------------------------------------------------- test server

/// What the test server answers to the next request.
#[derive(Clone, Debug)]
enum Answer {
    /// Accept every item.
    Accept,
    /// Accept, but reject the items with these ids (mapper_parsing_exception).
    Reject(Vec<String>),
    /// Accept, but answer 429 for the first item (the cluster too busy for it).
    BusyFirstItem,
    /// The whole request answered with this status.
    Status(u16),
}

/// One request the server saw.
#[derive(Clone, Debug)]
struct Seen {
    content_type: String,
    authorization: Option<String>,
    /// (action, id) of each item.
    items: Vec<(String, String)>,
}

#[derive(Default)]
struct ServerState {
    answers: VecDeque<Answer>,
    /// When the queue is empty.
    default: Option<Answer>,
    seen: Vec<Seen>,
    /// The documents the "cluster" holds: id → source.
    store: BTreeMap<String, Value>,
    /// Protocol violations (tests assert there are none).
    violations: Vec<String>,
}

struct TestServer {
    url: String,
    state: Arc<Mutex<ServerState>>,
}

impl TestServer {
    fn start(answers: Vec<Answer>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ServerState { answers: answers.into(), ..Default::default() }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                serve(stream, &shared);
            }
        });
        TestServer { url, state }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn store(&self) -> BTreeMap<String, Value> {
        let state = self.state.lock().unwrap();
        assert!(state.violations.is_empty(), "{:?}", state.violations);
        state.store.clone()
    }

    fn set_default(&self, answer: Answer) {
        self.state.lock().unwrap().default = Some(answer);
    }
}

/// Reads one HTTP/1.1 request (Content-Length body) and answers it.
fn serve(stream: std::net::TcpStream, state: &Mutex<ServerState>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut headers = BTreeMap::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let request_line = line.trim().to_string();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (status, answer) = answer(&request_line, &headers, &String::from_utf8_lossy(&body), state);
    let text = answer.to_string();
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// The server's answer to a `_bulk` request, as the documentation shows it.
fn answer(
    request_line: &str,
    headers: &BTreeMap<String, String>,
    body: &str,
    state: &Mutex<ServerState>,
) -> (u16, Value) {
    let mut state = state.lock().unwrap();
    let content_type = headers.get("content-type").cloned().unwrap_or_default();
    if !request_line.starts_with("POST ") || !request_line.contains("/_bulk") {
        state.violations.push(format!("not a POST to _bulk: {request_line}"));
    }
    let items = match check_bulk(body, &content_type) {
        Ok(items) => items,
        Err(problem) => {
            state.violations.push(problem.clone());
            return (400, json!({ "error": { "type": "parse_exception", "reason": problem }, "status": 400 }));
        }
    };
    state.seen.push(Seen {
        content_type,
        authorization: headers.get("authorization").cloned(),
        items: items.iter().map(|(a, id, _)| (a.clone(), id.clone())).collect(),
    });
    let plan = state.answers.pop_front().or(state.default.clone()).unwrap_or(Answer::Accept);
    if let Answer::Status(status) = plan {
        return (status, json!({ "error": { "type": "test", "reason": "scripted failure" }, "status": status }));
    }
    let mut results = Vec::new();
    for (i, (action, id, source)) in items.into_iter().enumerate() {
        let rejected = matches!(&plan, Answer::Reject(ids) if ids.contains(&id));
        let busy = matches!(plan, Answer::BusyFirstItem) && i == 0;
        let (status, error) = if rejected {
            (400, Some(json!({ "type": "mapper_parsing_exception", "reason": format!("failed to parse {id}") })))
        } else if busy {
            (429, Some(json!({ "type": "es_rejected_execution_exception", "reason": "queue full" })))
        } else if action == "delete" {
            (if state.store.remove(&id).is_some() { 200 } else { 404 }, None)
        } else {
            let created = state.store.insert(id.clone(), source.unwrap_or(Value::Null)).is_none();
            (if created { 201 } else { 200 }, None)
        };
        let mut result = json!({ "_index": "docs", "_id": id, "status": status });
        if let Some(error) = error {
            result["error"] = error;
        }
        results.push(json!({ action: result }));
    }
    let errors = results.iter().any(|r| r.as_object().unwrap().values().any(|v| v.get("error").is_some()));
    (200, json!({ "took": 1, "errors": errors, "items": results }))
}

/// Checks a `_bulk` body line by line: (action, id, source) of each item.
fn check_bulk(body: &str, content_type: &str) -> Result<Vec<(String, String, Option<Value>)>, String> {
    if content_type != "application/x-ndjson" {
        return Err(format!("Content-Type {content_type:?}"));
    }
    if !body.ends_with('\n') {
        return Err("no final newline".into());
    }
    let mut lines = body.lines();
    let mut items = Vec::new();
    while let Some(line) = lines.next() {
        let action: Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        let (name, meta) = action.as_object().and_then(|o| o.iter().next()).ok_or(format!("not an action: {line}"))?;
        let id = meta["_id"].as_str().ok_or(format!("no _id: {line}"))?.to_string();
        let source = match name.as_str() {
            "delete" => None,
            "index" | "create" | "update" => {
                let source: Value =
                    serde_json::from_str(lines.next().ok_or("no source line")?).map_err(|e| e.to_string())?;
                source.is_object().then_some(source).ok_or("source not an object")?.into()
            }
            other => return Err(format!("unknown action {other}")),
        };
        items.push((name.clone(), id, source));
    }
    Ok(items)
}

fn options(server: &TestServer) -> PushOptions {
    let mut options = PushOptions::new(&server.url, "docs");
    options.backoff = Duration::from_millis(1);
    options
}

/// The records the bank exports now, as the cluster should hold them.
fn expected(bank: &KnowledgeBank) -> BTreeMap<String, Value> {
    bank.export_records(&ExportOptions::default())
        .unwrap()
        .map(|r| r.unwrap())
        .map(|r| (r.id, serde_json::to_value(r.source).unwrap()))
        .collect()
}

#[test]
fn push_reports_each_rejected_document_and_sends_it_again_next_time() {
    let (_t, bank) = bank();
    let server = TestServer::start(vec![Answer::Reject(vec!["sv/strombrott.md".into()])]);
    let report = push(&bank, &ExportOptions::default(), &options(&server)).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].id, "sv/strombrott.md");
    assert_eq!(report.rejected[0].status, 400);
    assert!(report.rejected[0].reason.contains("mapper_parsing_exception"), "{:?}", report.rejected);
    assert_eq!(report.indexed, 3);
    let seen = server.seen();
    assert_eq!(seen[0].content_type, "application/x-ndjson");
    assert!(seen[0].authorization.is_none());
    let again = push(&bank, &ExportOptions::default(), &options(&server)).unwrap();
    assert_eq!((again.indexed, again.unchanged, again.rejected.len()), (1, 3, 0));
    assert_eq!(server.seen()[1].items, vec![("index".to_string(), "sv/strombrott.md".to_string())]);
    assert_eq!(server.store(), expected(&bank));
}

#[test]
fn push_backs_off_on_429_and_5xx_and_retries_busy_items() {
    let (_t, bank) = bank();
    let server = TestServer::start(vec![Answer::Status(429), Answer::Status(503), Answer::BusyFirstItem]);
    let mut opts = options(&server);
    opts.auth = Some(Auth::ApiKey("secret-key".into()));
    let report = push(&bank, &ExportOptions::default(), &opts).unwrap();
    let seen = server.seen();
    assert_eq!(report.requests, 4);
    assert_eq!(report.retries, 3);
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].items, seen[1].items, "the same batch again after a 429");
    assert_eq!(seen[1].items, seen[2].items, "and after a 503");
    assert_eq!(seen[3].items, vec![seen[2].items[0].clone()], "then only the item the cluster was too busy for");
    assert_eq!(seen[0].authorization.as_deref(), Some("ApiKey secret-key"));
    assert!(report.rejected.is_empty());
    assert_eq!(server.store(), expected(&bank));
}

#[test]
fn push_stops_on_a_4xx_and_after_the_last_retry() {
    let (_t, bank) = bank();
    let server = TestServer::start(vec![Answer::Status(401)]);
    let err = push(&bank, &ExportOptions::default(), &options(&server)).unwrap_err();
    assert!(matches!(err, PushError::Refused { status: 401, .. }), "{err}");
    assert_eq!(server.seen().len(), 1, "no retry on 401");
    server.set_default(Answer::Status(500));
    let mut opts = options(&server);
    opts.max_retries = 2;
    let err = push(&bank, &ExportOptions::default(), &opts).unwrap_err();
    assert!(matches!(err, PushError::GaveUp { attempts: 3, .. }), "{err}");
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn a_second_push_sends_only_changes_and_deletes() {
    let (t, bank) = bank();
    let server = TestServer::start(vec![]);
    let first = push(&bank, &ExportOptions::default(), &options(&server)).unwrap();
    assert_eq!((first.indexed, first.deleted, first.unchanged), (4, 0, 0));
    t.write("en/outage.md", "# Power outage\n\nDuring a long outage, charge the phones first.");
    std::fs::remove_file(t.docs.path().join("top.txt")).unwrap();
    t.write("sv/ny.md", "Föreningens årsmöte hålls i mars.");
    bank.sync().unwrap();
    let second = push(&bank, &ExportOptions::default(), &options(&server)).unwrap();
    assert_eq!((second.indexed, second.deleted, second.unchanged), (2, 1, 2));
    let items: BTreeSet<(String, String)> = server.seen()[1..].iter().flat_map(|s| s.items.clone()).collect();
    let want: BTreeSet<(String, String)> = [("index", "en/outage.md"), ("index", "sv/ny.md"), ("delete", "top.txt")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(items, want);
    assert_eq!(server.store(), expected(&bank));
    let third = push(&bank, &ExportOptions::default(), &options(&server)).unwrap();
    assert_eq!((third.indexed, third.deleted, third.requests), (0, 0, 0), "nothing changed: nothing sent");
}

#[test]
fn nothing_is_lost_when_the_cluster_fails_midway_and_the_push_is_repeated() {
    let (_t, bank) = bank();
    let server = TestServer::start(vec![Answer::Accept, Answer::Accept]);
    server.set_default(Answer::Status(500));
    let mut opts = options(&server);
    opts.batch_bytes = 1; // one document a request
    opts.max_retries = 1;
    let err = push(&bank, &ExportOptions::default(), &opts).unwrap_err();
    assert!(matches!(err, PushError::GaveUp { .. }), "{err}");
    assert_eq!(server.store().len(), 2);
    server.set_default(Answer::Accept);
    let rerun = push(&bank, &ExportOptions::default(), &opts).unwrap();
    assert_eq!((rerun.indexed, rerun.unchanged), (2, 2), "only the rest is sent");
    assert_eq!(server.store(), expected(&bank));
}

#[test]
#[ignore = "needs ../shared"]
fn per_page_push_deletes_pages_that_are_gone() {
    let shared = shared_dir("corpus/docs");
    let t = TempBank::new();
    let target = t.docs.path().join("opas.pdf");
    std::fs::copy(shared.join("corpus/docs/fi/yhdistyksen-hallinto.pdf"), &target).unwrap();
    let bank = t.open();
    bank.sync().unwrap();
    let server = TestServer::start(vec![]);
    let per_page = ExportOptions { per_page: true, ..Default::default() };
    let first = push(&bank, &per_page, &options(&server)).unwrap();
    assert!(first.indexed > 1);
    std::fs::remove_file(&target).unwrap();
    bank.sync().unwrap();
    let second = push(&bank, &per_page, &options(&server)).unwrap();
    assert_eq!(second.deleted, first.indexed, "every page record deleted");
    assert!(server.store().is_empty());
}

#[test]
fn the_cli_pushes_and_reports_rejections_and_keeps_credentials_off_plain_http() {
    let (t, _bank) = bank();
    let server = TestServer::start(vec![Answer::Reject(vec!["top.txt".into()])]);
    let out = bin()
        .args(["export", "--index-name", "docs", "--to", &server.url, "--user", "me:pw", "--index"])
        .arg(t.index.path())
        .env("TIETOPANKKI_EXPORT_RETRY_MS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("top.txt") && stderr.contains("mapper_parsing_exception"), "{stderr}");
    assert_eq!(server.seen()[0].authorization.as_deref(), Some("Basic bWU6cHc="));
    let out = bin()
        .args([
            "export",
            "--index-name",
            "docs",
            "--to",
            "http://search.example.invalid:9200",
            "--api-key",
            "k",
            "--index",
        ])
        .arg(t.index.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain HTTP"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn export_help_names_its_options() {
    let out = bin().args(["export", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--index-name",
        "--per-page",
        "--city-shape",
        "--template",
        "--to",
        "--api-key",
        "--allow-insecure",
        "--batch-mb",
    ] {
        assert!(help.contains(option), "{option} missing from: {help}");
    }
    assert!(!help.contains("--retry-ms"), "the test-only retry delay stays hidden");
    let top = bin().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&top.stdout).contains("export"));
}
