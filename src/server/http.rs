//! Routing, response helpers and the headers every response gets.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use warp::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::Filter;

use super::state::AppState;
use super::{api, docs, page};

/// A response as the handlers build it.
pub(crate) type Resp = warp::http::Response<Vec<u8>>;
/// A response as it is sent: its body may stream (documents).
pub(crate) type Streamed = warp::reply::Response;

/// The Content-Security-Policy of pages and JSON: only our own assets.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const STYLE_CSS: &str = include_str!("../../assets/style.css");
const APP_JS: &str = include_str!("../../assets/app.js");
const FAVICON_SVG: &str = include_str!("../../assets/favicon.svg");

/// One request, as the handlers see it.
pub(crate) struct Request {
    pub method: Method,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent (without `?`).
    pub query: String,
    pub headers: HeaderMap,
}

impl Request {
    /// The query parameters, decoded; `Err` with a message for malformed ones.
    pub fn params(&self) -> Result<Vec<(String, String)>, String> {
        parse_query(&self.query)
    }

    pub fn header(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn is_get(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }
}

/// All routes as one warp filter that never rejects.
pub(crate) fn routes(
    state: Arc<AppState>,
) -> impl Filter<Extract = (Streamed,), Error = Infallible> + Clone + Send + Sync + 'static {
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method().and(warp::path::full()).and(query).and(warp::header::headers_cloned()).then(
        move |method: Method, path: warp::path::FullPath, query: String, headers: HeaderMap| {
            let state = Arc::clone(&state);
            let request = Request { method, path: path.as_str().to_string(), query, headers };
            async move { handle(state, request).await }
        },
    )
}

async fn handle(state: Arc<AppState>, request: Request) -> Streamed {
    let started = Instant::now();
    let mut response = match request.path.strip_prefix("/documents/") {
        Some(rest) if request.is_get() && !is_refused(&state, &request) => docs::serve(&state, &request, rest).await,
        _ => dispatch(&state, &request).await.map(Into::into),
    };
    finish_headers(&state, &request, response.headers_mut());
    tracing::debug!(
        method = %request.method,
        path = %request.path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Longest request target (path and query) answered; longer ones get 414.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;
/// Largest request body any route accepts (none reads one); larger get 413.
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Whether a request is refused before any route (a host name not served,
/// an address too long, a body): [`dispatch`] answers those.
fn is_refused(state: &AppState, request: &Request) -> bool {
    request.header(header::HOST).is_some_and(|host| !is_allowed_host(host, &state.config.allowed_hosts))
        || request.path.len() + request.query.len() > MAX_URL_BYTES
        || request.headers.contains_key(header::TRANSFER_ENCODING)
        || request
            .header(header::CONTENT_LENGTH)
            .is_some_and(|v| v.trim().parse::<u64>().map_or(true, |n| n > MAX_BODY_BYTES))
}

async fn dispatch(state: &Arc<AppState>, request: &Request) -> Resp {
    let path = request.path.as_str();
    let is_api = path.starts_with("/api/") || path == "/healthz";
    // DNS rebinding: a page elsewhere can point its own name at this
    // address; the browser then sends that name as the Host.
    if let Some(host) = request.header(header::HOST) {
        if !is_allowed_host(host, &state.config.allowed_hosts) {
            return limit_error(
                request,
                StatusCode::MISDIRECTED_REQUEST,
                "this server does not answer for that host name (start it with --allowed-host NAME to allow one)",
                is_api,
            );
        }
    }
    if path.len() + request.query.len() > MAX_URL_BYTES {
        return limit_error(
            request,
            StatusCode::URI_TOO_LONG,
            &format!("the address is longer than {MAX_URL_BYTES} bytes; use a shorter query"),
            is_api,
        );
    }
    // No route reads a body. A chunked one has no length to check first, so
    // it is refused whatever its size (the limit holds for any framing).
    if request.headers.contains_key(header::TRANSFER_ENCODING) {
        return limit_error(
            request,
            StatusCode::PAYLOAD_TOO_LARGE,
            "request bodies sent in chunks are not accepted (no route reads a body)",
            is_api,
        );
    }
    let body_len = request.header(header::CONTENT_LENGTH).map(|v| v.trim().parse::<u64>());
    match body_len {
        Some(Ok(len)) if len > MAX_BODY_BYTES => {
            return limit_error(
                request,
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                is_api,
            );
        }
        Some(Err(_)) => {
            return limit_error(request, StatusCode::BAD_REQUEST, "the Content-Length header is not a number", is_api)
        }
        _ => {}
    }
    if is_api && request.method == Method::OPTIONS {
        return preflight();
    }
    if path == "/api/reindex" {
        return if request.method == Method::POST {
            api::reindex(state, request).await
        } else if state.config.admin_token.is_none() {
            api::not_found_json("no such route (POST /api/reindex is off: no admin token is configured)")
        } else {
            method_not_allowed("POST", true)
        };
    }
    if !request.is_get() {
        return method_not_allowed("GET, HEAD", is_api);
    }
    match path {
        "/" => page::search_page(state, request).await,
        "/healthz" => api::healthz(),
        "/api/search" => api::search(state, request).await,
        "/api/status" => api::status(state),
        "/api/documents" => api::documents(state).await,
        "/api/openapi.json" => api::openapi(),
        "/assets/style.css" => asset("text/css; charset=utf-8", STYLE_CSS),
        "/assets/app.js" => asset("text/javascript; charset=utf-8", APP_JS),
        "/assets/favicon.svg" | "/favicon.ico" => asset("image/svg+xml", FAVICON_SVG),
        _ => {
            if let Some(rest) = path.strip_prefix("/api/documents/") {
                api::document(state, rest).await
            } else if is_api {
                api::not_found_json("no such route; see /api/openapi.json")
            } else {
                page::error_page(request, StatusCode::NOT_FOUND)
            }
        }
    }
}

/// Whether a `Host` header names this server: an IP address (a web page
/// cannot make the browser send one for its own origin), `localhost` (or a
/// name under `.localhost`), or a name given with `--allowed-host`. The port
/// is not compared.
pub(crate) fn is_allowed_host(host: &str, allowed: &[String]) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((v6, _)) => return v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        host.rsplit_once(':')
            .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host })
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || allowed.iter().any(|a| a.trim_end_matches('.').eq_ignore_ascii_case(&name))
}

/// A refused request, as JSON under `/api/` and as the site's own page
/// elsewhere; the connection is closed (any body is left unread).
fn limit_error(request: &Request, status: StatusCode, message: &str, json: bool) -> Resp {
    let mut response = if json { json_error(status, message) } else { page::refused_page(request, status, message) };
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Resp {
    let mut response = response(StatusCode::OK, content_type, body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

fn preflight() -> Resp {
    let mut response = response(StatusCode::NO_CONTENT, "text/plain; charset=utf-8", "");
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, POST, OPTIONS"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Authorization, Content-Type"));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

fn method_not_allowed(allow: &'static str, json: bool) -> Resp {
    let mut response = if json {
        json_error(StatusCode::METHOD_NOT_ALLOWED, &format!("method not allowed; use {allow}"))
    } else {
        response(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            format!("Method not allowed; use {allow}.\n"),
        )
    };
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// Security headers, CORS and caching defaults.
fn finish_headers(state: &AppState, request: &Request, headers: &mut HeaderMap) {
    let path = request.path.as_str();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if path.starts_with("/api/") || path == "/healthz" {
        cors(state, request, headers);
    }
}

fn cors(state: &AppState, request: &Request, headers: &mut HeaderMap) {
    let allowed = &state.config.cors_origins;
    if allowed.is_empty() {
        return;
    }
    if allowed.iter().any(|o| o == "*") {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        return;
    }
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = request.header(header::ORIGIN) else { return };
    if allowed.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        if let Ok(value) = HeaderValue::from_str(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
    }
}

/// A response with a body and a content type.
pub(crate) fn response(status: StatusCode, content_type: &'static str, body: impl Into<Vec<u8>>) -> Resp {
    let mut response = warp::http::Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Resp {
    match serde_json::to_vec(value) {
        Ok(body) => response(status, "application/json", body),
        Err(err) => {
            tracing::error!(%err, "cannot serialise a response");
            response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "application/json",
                r#"{"error":"internal server error","status":500}"#,
            )
        }
    }
}

/// A JSON error: `{"error": message, "status": code}`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Resp {
    json(status, &serde_json::json!({ "error": message, "status": status.as_u16() }))
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`); the
/// result must be UTF-8.
pub(crate) fn percent_decode(input: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                match value {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => return Err("malformed percent-encoding".to_string()),
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "the text is not valid UTF-8".to_string())
}

/// Parses `a=1&b=2` into decoded pairs.
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let key = percent_decode(key, true)?;
        let value = percent_decode(value, true).map_err(|e| format!("parameter '{key}': {e}"))?;
        out.push((key, value));
    }
    Ok(out)
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes a query component (spaces as `+`).
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a `/`-separated document path for a URL (slashes kept).
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if is_unreserved(b) || b == b'/' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-11-28T22:15:00Z` for seconds since 1970.
pub(crate) fn iso_utc(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `22:15 UTC` (today) or `2026-11-28 22:15 UTC`.
pub(crate) fn short_utc(secs: i64, now: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let time = format!("{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60);
    if secs.div_euclid(86_400) == now.div_euclid(86_400) {
        time
    } else {
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02} {time}")
    }
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for (i, &x) in a.iter().enumerate() {
        diff |= x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_904_100), "2026-11-28T22:15:00Z");
        assert_eq!(short_utc(1_795_904_100, 1_795_904_200), "22:15 UTC");
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%2Fb+c", true).as_deref(), Ok("a/b c"));
        assert!(percent_decode("%zz", false).is_err());
        assert!(percent_decode("%ff", false).is_err());
        assert_eq!(encode_component("ä b&"), "%C3%A4+b%26");
        assert_eq!(encode_path("sv/ström brott.pdf"), "sv/str%C3%B6m%20brott.pdf");
    }

    #[test]
    fn secrets() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
        assert!(!same_secret("a", ""));
    }
}
