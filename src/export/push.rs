//! Pushing records to an Elasticsearch or OpenSearch cluster with `_bulk`
//! requests (feature `export-push`; HTTPS also needs `export-tls`).
//!
//! - Batches of about `batch_bytes`, cut only between documents (a
//!   document's page records travel together), posted as
//!   `application/x-ndjson` to `<url>/_bulk`.
//! - Every response's per-item results are read: an item the cluster
//!   rejected is reported with its reason, an item it refused for load
//!   (429) is sent again.
//! - 429 and 5xx answers (and lost connections) are retried with
//!   exponential backoff; any other 4xx stops the run with its reason.
//! - Incremental: only documents whose revision changed are sent, and a
//!   delete goes for each record that is gone (see [`super::state`]).
//! - Credentials never go over plain HTTP to a host other than this
//!   machine unless `allow_insecure` is set.

use std::collections::HashSet;
use std::time::Duration;

use super::bulk;
use super::state::{ExportState, Sent};
use super::{ExportOptions, ExportRecord};
use crate::KnowledgeBank;

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The cluster's base URL (`https://search.example.fi:9200`).
    pub url: String,
    /// The index the records go to.
    pub index_name: String,
    /// Credentials, if the cluster needs them.
    pub auth: Option<Auth>,
    /// Send credentials over plain HTTP to another machine anyway.
    pub allow_insecure: bool,
    /// About how many bytes one `_bulk` request carries.
    pub batch_bytes: usize,
    /// The first retry's delay; each further retry waits twice as long.
    pub backoff: Duration,
    /// How many times one batch is retried before the run stops.
    pub max_retries: u32,
}

impl PushOptions {
    /// Options with the defaults: 5 MB batches, 500 ms first backoff, 8 retries.
    pub fn new(url: impl Into<String>, index_name: impl Into<String>) -> PushOptions {
        PushOptions {
            url: url.into(),
            index_name: index_name.into(),
            auth: None,
            allow_insecure: false,
            batch_bytes: 5 * 1024 * 1024,
            backoff: Duration::from_millis(500),
            max_retries: 8,
        }
    }
}

/// Credentials for the cluster.
#[derive(Clone)]
pub enum Auth {
    /// An API key, sent as `Authorization: ApiKey <key>`.
    ApiKey(String),
    /// A user and password, sent as HTTP basic authentication.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::ApiKey(_) => f.write_str("ApiKey(…)"),
            Auth::Basic { user, .. } => write!(f, "Basic({user}:…)"),
        }
    }
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Auth::ApiKey(key) => format!("ApiKey {key}"),
            Auth::Basic { user, password } => format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
        }
    }
}

/// Why a push stopped.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The URL cannot be used.
    #[error("cannot use the cluster URL {url}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Credentials would travel unencrypted to another machine.
    #[error("refusing to send credentials over plain HTTP to {host}: use https://, or --allow-insecure if the network is trusted")]
    Insecure {
        /// The host.
        host: String,
    },
    /// The cluster refused a request (a 4xx other than 429).
    #[error("the cluster refused the request with HTTP {status}: {body}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The start of the answer.
        body: String,
    },
    /// The cluster stayed busy or unreachable through every retry.
    #[error("gave up after {attempts} attempts: {last}; what was acknowledged is kept, run the export again to send the rest")]
    GaveUp {
        /// Attempts made for the last batch.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// An answer that is not a `_bulk` response.
    #[error("the cluster's answer is not a _bulk response: {0}")]
    BadResponse(String),
    /// Reading the bank failed.
    #[error("{0}")]
    Bank(#[from] crate::Error),
    /// The export state file could not be read or written.
    #[error("export state: {0}")]
    State(#[from] std::io::Error),
}

/// A record the cluster did not take.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejected {
    /// The record's id.
    pub id: String,
    /// The item's HTTP status.
    pub status: u16,
    /// The cluster's reason (error type and reason).
    pub reason: String,
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushReport {
    /// Records indexed (created or replaced).
    pub indexed: usize,
    /// Records deleted.
    pub deleted: usize,
    /// Documents left alone because the cluster already has them.
    pub unchanged: usize,
    /// Records the cluster rejected, with reasons.
    pub rejected: Vec<Rejected>,
    /// `_bulk` requests made, retries included.
    pub requests: usize,
    /// Requests (or items) sent again after a 429, a 5xx or a lost connection.
    pub retries: usize,
}

/// One item of a batch, already in NDJSON.
struct Item {
    id: String,
    path: String,
    rev: String,
    delete: bool,
    ndjson: Vec<u8>,
}

/// Sends the bank's changes since the last push to the cluster (see the
/// [module docs](self)).
pub fn push(bank: &KnowledgeBank, export: &ExportOptions, options: &PushOptions) -> Result<PushReport, PushError> {
    let host = check_url(&options.url, options.auth.is_some(), options.allow_insecure)?;
    tracing::debug!(host, "pushing to cluster");
    let file = ExportState::file(bank.index_dir(), &options.url, &options.index_name);
    let mut state = ExportState::load(&file, &options.url, &options.index_name)?;
    let fingerprint = export.fingerprint();
    if state.fingerprint != fingerprint {
        state.sent.values_mut().for_each(|s| s.rev.clear());
        state.fingerprint = fingerprint;
    }
    let mut pusher = Pusher { options, agent: agent(), state, file, report: PushReport::default() };
    let mut records = bank.export_records(export)?;
    let present: HashSet<String> = records.documents().iter().map(|d| d.path.clone()).collect();
    {
        let known = pusher.state.revisions();
        let before = records.documents().len();
        records.retain(|path, rev| known.get(path).copied().flatten() != Some(rev));
        pusher.report.unchanged = before - records.documents().len();
    }
    let changed: HashSet<String> = records.documents().iter().map(|d| d.path.clone()).collect();
    let made = pusher.send_records(records)?;
    let gone: Vec<Item> = pusher
        .state
        .sent
        .iter()
        .filter(|(id, s)| !present.contains(&s.path) || (changed.contains(&s.path) && !made.contains(*id)))
        .map(|(id, s)| delete_item(&options.index_name, id, &s.path))
        .collect();
    pusher.send_items(gone)?;
    Ok(pusher.report)
}

fn delete_item(index: &str, id: &str, path: &str) -> Item {
    let mut ndjson = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = bulk::write_delete(&mut ndjson, index, id);
    Item { id: id.to_string(), path: path.to_string(), rev: String::new(), delete: true, ndjson }
}

struct Pusher<'a> {
    options: &'a PushOptions,
    agent: ureq::Agent,
    state: ExportState,
    file: std::path::PathBuf,
    report: PushReport,
}

impl Pusher<'_> {
    /// Sends the records in batches cut between documents; returns the ids made.
    fn send_records(&mut self, records: super::ExportRecords) -> Result<HashSet<String>, PushError> {
        let mut made = HashSet::new();
        let (mut batch, mut bytes): (Vec<Item>, usize) = (Vec::new(), 0);
        for record in records {
            let record: ExportRecord = record?;
            let new_document = batch.last().is_some_and(|last: &Item| last.path != record.source.path);
            if new_document && bytes >= self.options.batch_bytes {
                self.send_items(std::mem::take(&mut batch))?;
                bytes = 0;
            }
            let mut ndjson = Vec::new();
            bulk::write_index(&mut ndjson, &self.options.index_name, &record)?;
            bytes += ndjson.len();
            made.insert(record.id.clone());
            batch.push(Item { id: record.id, path: record.source.path, rev: record.revision, delete: false, ndjson });
        }
        self.send_items(batch)?;
        Ok(made)
    }

    /// Sends items until each is acknowledged or rejected, then saves the state.
    fn send_items(&mut self, items: Vec<Item>) -> Result<(), PushError> {
        let mut pending = items;
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let body: Vec<u8> = pending.iter().flat_map(|i| i.ndjson.iter().copied()).collect();
            self.report.requests += 1;
            let failure = match self.post(&body) {
                Ok(results) => {
                    pending = self.settle(pending, results)?;
                    if pending.is_empty() {
                        break;
                    }
                    format!("the cluster was too busy for {} items (429)", pending.len())
                }
                Err(Failure::Retry(reason)) => reason,
                Err(Failure::Fatal(err)) => {
                    self.state.save(&self.file)?;
                    return Err(err);
                }
            };
            attempt += 1;
            if attempt > self.options.max_retries {
                self.state.save(&self.file)?;
                return Err(PushError::GaveUp { attempts: attempt, last: failure });
            }
            self.report.retries += 1;
            let delay = self.options.backoff.saturating_mul(1 << (attempt - 1).min(16)).min(Duration::from_secs(60));
            tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, failure, "retrying a _bulk request");
            std::thread::sleep(delay);
        }
        self.state.save(&self.file)?;
        Ok(())
    }

    /// Records each item's result; returns the items to send again (429).
    fn settle(&mut self, items: Vec<Item>, results: Vec<ItemResult>) -> Result<Vec<Item>, PushError> {
        if results.len() != items.len() {
            return Err(PushError::BadResponse(format!("{} items sent, {} results", items.len(), results.len())));
        }
        let mut again = Vec::new();
        for (item, result) in items.into_iter().zip(results) {
            let ok = (200..300).contains(&result.status) || (item.delete && result.status == 404);
            if ok && item.delete {
                self.state.sent.remove(&item.id);
                self.report.deleted += 1;
            } else if ok {
                self.state.sent.insert(item.id, Sent { path: item.path, rev: item.rev });
                self.report.indexed += 1;
            } else if result.status == 429 {
                again.push(item);
            } else {
                if !item.delete {
                    self.state.sent.insert(item.id.clone(), Sent { path: item.path, rev: String::new() });
                }
                self.report.rejected.push(Rejected { id: item.id, status: result.status, reason: result.reason });
            }
        }
        Ok(again)
    }
}

/// Why a request failed.
enum Failure {
    /// Worth another try (429, 5xx, a lost connection).
    Retry(String),
    /// Not worth another try.
    Fatal(PushError),
}

/// One item of a `_bulk` response.
struct ItemResult {
    status: u16,
    reason: String,
}

impl Pusher<'_> {
    /// Posts one `_bulk` body; the per-item results, or why to retry.
    fn post(&self, body: &[u8]) -> Result<Vec<ItemResult>, Failure> {
        let url = format!("{}/_bulk", self.options.url.trim_end_matches('/'));
        let mut request = self.agent.post(&url).header("Content-Type", bulk::CONTENT_TYPE);
        if let Some(auth) = &self.options.auth {
            request = request.header("Authorization", auth.header());
        }
        let mut response = match request.send(body) {
            Ok(response) => response,
            Err(err) => return Err(Failure::Retry(format!("cannot reach {url}: {err}"))),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().with_config().limit(256 * 1024 * 1024).read_to_string();
        let text = match text {
            Ok(text) => text,
            Err(err) => return Err(Failure::Retry(format!("the answer was cut off: {err}"))),
        };
        if status == 429 || status >= 500 {
            return Err(Failure::Retry(format!("HTTP {status}: {}", excerpt(&text))));
        }
        if !(200..300).contains(&status) {
            return Err(Failure::Fatal(PushError::Refused { status, body: excerpt(&text) }));
        }
        parse_response(&text).map_err(Failure::Fatal)
    }
}

/// The per-item results of a `_bulk` response, in the order of the items
/// (<https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html#bulk-api-response-body>).
fn parse_response(text: &str) -> Result<Vec<ItemResult>, PushError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| PushError::BadResponse(e.to_string()))?;
    let items = value
        .get("items")
        .and_then(|i| i.as_array())
        .ok_or_else(|| PushError::BadResponse(format!("no items: {}", excerpt(text))))?;
    items
        .iter()
        .map(|item| {
            // Each item is an object with one key, the action: {"index": {...}}.
            let result = item
                .as_object()
                .and_then(|o| o.values().next())
                .ok_or_else(|| PushError::BadResponse(format!("an item is not an object: {item}")))?;
            let status = result.get("status").and_then(|s| s.as_u64()).unwrap_or(0) as u16;
            let reason = match result.get("error") {
                Some(error) => {
                    let kind = error.get("type").and_then(|t| t.as_str()).unwrap_or("error");
                    let why = error.get("reason").and_then(|r| r.as_str()).unwrap_or("");
                    format!("{kind}: {why}")
                }
                None => String::new(),
            };
            Ok(ItemResult { status, reason })
        })
        .collect()
}

/// The start of an answer, for error messages.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Checks the URL's scheme and whether credentials may go to its host; the host.
pub fn check_url(url: &str, credentials: bool, allow_insecure: bool) -> Result<String, PushError> {
    let bad = |reason: &str| PushError::BadUrl { url: url.to_string(), reason: reason.to_string() };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("it must start with http:// or https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, authority),
    };
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("").to_string()
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" if !cfg!(feature = "export-tls") => {
            Err(bad("this tietopankki was built without HTTPS: build it with `cargo build --release --features export-tls` (the default build stays pure Rust)"))
        }
        "https" => Ok(host),
        "http" => {
            let local = host.eq_ignore_ascii_case("localhost")
                || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if (credentials || userinfo.is_some()) && !local && !allow_insecure {
                return Err(PushError::Insecure { host });
            }
            Ok(host)
        }
        _ => Err(bad("it must start with http:// or https://")),
    }
}

/// The HTTP client: status codes are read, not turned into errors; no
/// redirects (a `_bulk` body is never re-posted elsewhere).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into()
}

/// Standard base64 with padding (RFC 4648), for basic authentication.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn credentials_stay_off_plain_http_to_other_hosts() {
        assert!(check_url("http://localhost:9200", true, false).is_ok());
        assert!(check_url("http://127.0.0.1:9200", true, false).is_ok());
        assert!(check_url("http://[::1]:9200", true, false).is_ok());
        assert!(matches!(check_url("http://search.example.fi:9200", true, false), Err(PushError::Insecure { .. })));
        assert!(matches!(check_url("http://u:p@search.example.fi", false, false), Err(PushError::Insecure { .. })));
        assert!(check_url("http://search.example.fi:9200", true, true).is_ok());
        assert!(check_url("http://search.example.fi:9200", false, false).is_ok());
        assert!(check_url("ftp://x", false, false).is_err());
    }
}
