//! The JSON API under `/api/`, and `/healthz`.

use std::sync::Arc;

use serde_json::{json, Value};
use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::http::{encode_path, iso_utc, json, json_error, percent_decode, same_secret, Request, Resp};
use super::state::AppState;
use crate::search::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS};
use crate::{Error, Format, Lang, SearchRequest, SearchResults};

/// The OpenAPI description, kept in the repository.
const OPENAPI: &str = include_str!("../../openapi.json");

/// The last page that can be asked for: with at most 100 hits a page, the
/// deepest hit is within the engine's 10,000.
pub(crate) const MAX_PAGE: usize = 100;

/// Hits per page when `per_page` is not given.
pub(crate) const DEFAULT_PER_PAGE: usize = 10;

/// The parameters of a search, shared by the API and the page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SearchParams {
    pub q: String,
    pub lang: Option<Lang>,
    pub format: Option<Format>,
    pub tag: Option<String>,
    pub folder: Option<String>,
    pub page: usize,
    pub per_page: usize,
    /// Whether each hit carries the evidence behind its score (`explain=true`).
    pub explain: bool,
    /// The page's interface language (`ui`); not used by the API.
    pub ui: Option<Lang>,
    /// `other_languages=true|false`: whether documents in the other
    /// languages are searched through translated concepts (the API's
    /// default is off, the page's on).
    pub other_languages: Option<bool>,
    /// `other_limit`: how many hits in other languages (1-20, default 5).
    pub other_limit: Option<usize>,
}

impl SearchParams {
    /// Reads and checks the parameters; `Err` says what is wrong, in English.
    pub fn parse(pairs: &[(String, String)]) -> Result<SearchParams, String> {
        let mut params = SearchParams { page: 1, per_page: DEFAULT_PER_PAGE, ..SearchParams::default() };
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "q" => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(format!("'q' is longer than {MAX_QUERY_CHARS} characters"));
                    }
                    params.q = value.to_string();
                }
                "lang" if !value.is_empty() => {
                    params.lang = Some(
                        parse_lang(value)
                            .ok_or_else(|| format!("'lang' must be fi, sv or en (got '{}')", shorten(value)))?,
                    );
                }
                "format" if !value.is_empty() => {
                    params.format = Some(value.parse::<Format>().map_err(|_| {
                        format!("'format' must be pdf, docx, odt, html, markdown or text (got '{}')", shorten(value))
                    })?);
                }
                "tag" if !value.is_empty() => params.tag = Some(value.to_string()),
                "folder" if !value.is_empty() => params.folder = Some(value.to_string()),
                "page" => {
                    params.page =
                        value.parse::<usize>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or_else(|| {
                            format!("'page' must be a whole number from 1 to {MAX_PAGE} (got '{}')", shorten(value))
                        })?;
                }
                "per_page" => {
                    params.per_page =
                        value.parse::<usize>().ok().filter(|&n| (1..=MAX_LIMIT).contains(&n)).ok_or_else(|| {
                            format!(
                                "'per_page' must be a whole number from 1 to {MAX_LIMIT} (got '{}')",
                                shorten(value)
                            )
                        })?;
                }
                "explain" => {
                    params.explain = match value {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(format!("'explain' must be true or false (got '{}')", shorten(value))),
                    };
                }
                "other_languages" => {
                    params.other_languages = Some(match value {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(format!("'other_languages' must be true or false (got '{}')", shorten(value))),
                    });
                }
                "other_limit" => {
                    let max = crate::search::MAX_OTHER_LANGUAGE_HITS;
                    params.other_limit =
                        Some(value.parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                            format!("'other_limit' must be a whole number from 1 to {max} (got '{}')", shorten(value))
                        })?);
                }
                "ui" => params.ui = parse_lang(value),
                _ => {}
            }
        }
        let offset = params.offset().ok_or_else(|| format!("paging deeper than {MAX_OFFSET} hits is not supported"))?;
        if offset > MAX_OFFSET {
            return Err(format!("paging deeper than {MAX_OFFSET} hits is not supported"));
        }
        Ok(params)
    }

    fn offset(&self) -> Option<usize> {
        self.page.checked_sub(1)?.checked_mul(self.per_page)
    }

    /// The library request for these parameters (with facets).
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            limit: self.per_page,
            offset: self.offset().unwrap_or(0),
            lang: self.lang,
            format: self.format,
            tag: self.tag.clone(),
            folder: self.folder.clone(),
            facets: true,
            explain: self.explain,
            other_languages: self.other_languages.unwrap_or(false),
            other_languages_limit: self.other_limit.unwrap_or(crate::search::DEFAULT_OTHER_LANGUAGE_HITS),
        }
    }

    /// Whether there is anything to search for (words or a filter).
    pub fn is_search(&self) -> bool {
        !self.q.is_empty()
            || self.lang.is_some()
            || self.format.is_some()
            || self.tag.is_some()
            || self.folder.is_some()
    }
}

/// Only the codes `fi`, `sv` and `en` (any case).
pub(crate) fn parse_lang(value: &str) -> Option<Lang> {
    match value.to_ascii_lowercase().as_str() {
        "fi" => Some(Lang::Fi),
        "sv" => Some(Lang::Sv),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// A parameter value cut short for an error message.
fn shorten(value: &str) -> String {
    let mut out: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Runs a search on a blocking thread.
pub(crate) async fn run_search(state: &Arc<AppState>, request: SearchRequest) -> Result<SearchResults, Error> {
    let _permit = state.search_permits.acquire().await.map_err(|e| Error::Engine(e.to_string()))?;
    let bank = Arc::clone(&state.bank);
    match tokio::task::spawn_blocking(move || bank.search(&request)).await {
        Ok(result) => result,
        Err(err) => Err(Error::Engine(format!("search task failed: {err}"))),
    }
}

/// The response for a library error: 400, 404, 503 or a generic 500.
pub(crate) fn error_response(err: &Error) -> Resp {
    match err {
        Error::InvalidRequest(message) => json_error(StatusCode::BAD_REQUEST, message),
        Error::NotFound(path) => json_error(StatusCode::NOT_FOUND, &format!("no such document: {path}")),
        Error::Locked => json_error(StatusCode::SERVICE_UNAVAILABLE, "the index is being updated; try again shortly"),
        Error::ShuttingDown => json_error(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down"),
        other => {
            tracing::error!(err = %other, "request failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        }
    }
}

pub(crate) fn not_found_json(message: &str) -> Resp {
    json_error(StatusCode::NOT_FOUND, message)
}

/// The URL of a document (with `#page=N` for a PDF page).
pub(crate) fn document_url(path: &str, page: Option<u32>) -> String {
    match page {
        Some(page) => format!("/documents/{}#page={page}", encode_path(path)),
        None => format!("/documents/{}", encode_path(path)),
    }
}

/// `GET /api/search`.
pub(crate) async fn search(state: &Arc<AppState>, request: &Request) -> Resp {
    let params = match request.params().and_then(|pairs| SearchParams::parse(&pairs)) {
        Ok(params) => params,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
    };
    let results = match run_search(state, params.request()).await {
        Ok(results) => results,
        Err(err) => return error_response(&err),
    };
    let with_urls = |hits: &[crate::SearchHit]| -> Vec<Value> {
        hits.iter()
            .map(|hit| {
                let mut value = serde_json::to_value(hit).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut value {
                    map.insert("url".to_string(), Value::String(document_url(&hit.path, hit.page)));
                }
                value
            })
            .collect()
    };
    let pages = results.total.div_ceil(params.per_page);
    let mut body = json!({
        "query": results.query,
        "total": results.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": pages,
        "hits": with_urls(&results.hits),
        "facets": results.facets.unwrap_or_default(),
    });
    if let (Some(other), Value::Object(map)) = (&results.other_languages, &mut body) {
        map.insert(
            "other_languages".to_string(),
            json!({ "total": other.total, "langs": other.langs, "hits": with_urls(&other.hits) }),
        );
    }
    json(StatusCode::OK, &body)
}

/// `GET /api/documents/{path}`: one document's metadata (without its text).
pub(crate) async fn document(state: &Arc<AppState>, raw_path: &str) -> Resp {
    let path = match percent_decode(raw_path, false) {
        Ok(path) if !path.is_empty() => path,
        Ok(_) => return json_error(StatusCode::BAD_REQUEST, "the document path is empty"),
        Err(message) => return json_error(StatusCode::BAD_REQUEST, &format!("the document path: {message}")),
    };
    let bank = Arc::clone(&state.bank);
    let lookup = path.clone();
    let record = match tokio::task::spawn_blocking(move || bank.document(&lookup)).await {
        Ok(Ok(record)) => record,
        Ok(Err(err)) => return error_response(&err),
        Err(err) => return error_response(&Error::Engine(err.to_string())),
    };
    let mut value = serde_json::to_value(&record).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("text");
        map.insert("url".to_string(), Value::String(document_url(&record.path, None)));
    }
    json(StatusCode::OK, &value)
}

/// `GET /api/documents`: every document, sorted by path.
pub(crate) async fn documents(state: &Arc<AppState>) -> Resp {
    let bank = Arc::clone(&state.bank);
    match tokio::task::spawn_blocking(move || bank.documents()).await {
        Ok(Ok(list)) => {
            let documents: Vec<Value> = list
                .iter()
                .map(|d| {
                    let mut value = serde_json::to_value(d).unwrap_or(Value::Null);
                    if let Value::Object(map) = &mut value {
                        map.insert("url".to_string(), Value::String(document_url(&d.path, None)));
                    }
                    value
                })
                .collect();
            json(StatusCode::OK, &json!({ "total": documents.len(), "documents": documents }))
        }
        Ok(Err(err)) => error_response(&err),
        Err(err) => error_response(&Error::Engine(err.to_string())),
    }
}

/// `GET /api/status`.
pub(crate) fn status(state: &Arc<AppState>) -> Resp {
    let status = match state.bank.status() {
        Ok(status) => status,
        Err(err) => return error_response(&err),
    };
    let ocr = match state.bank.ocr_status() {
        Ok(ocr) => ocr,
        Err(err) => return error_response(&err),
    };
    let info = state.sync_info();
    let last_run = info.finished.map(|finished| {
        // A failed run has an error and no counts (null), never the counts
        // of an earlier run.
        let report = info.report.as_ref();
        json!({
            "finished": iso_utc(finished),
            "reason": info.reason,
            "duration_ms": info.duration_ms,
            "added": report.map(|r| r.added),
            "updated": report.map(|r| r.updated),
            "removed": report.map(|r| r.removed),
            "unchanged": report.map(|r| r.unchanged),
            "skipped": report.map(|r| &r.skipped),
            "error": info.error,
        })
    });
    json(
        StatusCode::OK,
        &json!({
            "documents": status.documents,
            "last_sync": status.last_sync.map(iso_utc),
            "failed": status.failed,
            "syncing": state.is_syncing(),
            "watching": state.is_watching(),
            "last_run": last_run,
            "ocr": ocr,
            "cross_language": {
                "concepts": state.bank.translation_status().0,
                "freedict": state.bank.translation_status().1,
                "install": state.bank.translation_status().1.install_hint(),
            },
        }),
    )
}

/// `GET /healthz`.
pub(crate) fn healthz() -> Resp {
    json(StatusCode::OK, &json!({ "status": "ok" }))
}

/// `GET /api/openapi.json`.
pub(crate) fn openapi() -> Resp {
    super::http::response(StatusCode::OK, "application/json", OPENAPI)
}

/// `POST /api/reindex`: a full sync, with the admin token only.
pub(crate) async fn reindex(state: &Arc<AppState>, request: &Request) -> Resp {
    let Some(token) = state.config.admin_token.as_deref() else {
        return not_found_json("no such route (POST /api/reindex is off: no admin token is configured)");
    };
    let given = request
        .header(header::AUTHORIZATION)
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim);
    if !given.is_some_and(|given| same_secret(given, token)) {
        let mut response =
            json_error(StatusCode::UNAUTHORIZED, "a valid admin token is required (Authorization: Bearer TOKEN)");
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tietopankki\""));
        return response;
    }
    let synced = Arc::clone(state);
    let result = tokio::task::spawn_blocking(move || {
        // Files still being copied are left to settle first (briefly).
        #[cfg(feature = "watch")]
        crate::watch::wait_until_stable(
            &synced.config.documents_dir,
            &[],
            std::time::Duration::from_millis(200),
            std::time::Duration::from_secs(10),
        );
        synced.sync_now("admin")
    })
    .await;
    match result {
        Ok(Ok(report)) => {
            let documents = state.bank.status().map(|s| s.documents).unwrap_or(0);
            json(
                StatusCode::OK,
                &json!({
                    "added": report.added,
                    "updated": report.updated,
                    "removed": report.removed,
                    "unchanged": report.unchanged,
                    "failed": report.failed,
                    "documents": documents,
                }),
            )
        }
        Ok(Err(err)) => error_response(&err),
        Err(err) => error_response(&Error::Engine(err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_get_the_status_of_whose_fault_they_are() {
        assert_eq!(error_response(&Error::InvalidRequest("x".into())).status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_response(&Error::NotFound("a.md".into())).status(), StatusCode::NOT_FOUND);
        // A stopping server is unavailable, not a bad request of the client.
        assert_eq!(error_response(&Error::ShuttingDown).status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error_response(&Error::Locked).status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error_response(&Error::Engine("x".into())).status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
