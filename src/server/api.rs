//! The JSON API under `/api/`, and `/healthz`. Each handler answers with
//! a response or an [`ApiError`], whose status is decided in one place.

use std::sync::Arc;

use serde_json::{json, Value};
use warp::http::header::{self, HeaderValue};
use warp::http::{Method, StatusCode};

use super::error::ApiError;
use super::params::{SearchParams, SearchQuery};
use super::reply::{json, response, Resp, JSON};
use super::state::AppState;
use super::urls::{decode_path, document_url};
use crate::dates::iso_utc;
use crate::{Error, SearchRequest, SearchResults};

/// The OpenAPI description, kept in the repository.
const OPENAPI: &str = include_str!("../../openapi.json");

/// Runs a search on a blocking thread, when a place is free.
pub(crate) async fn run_search(state: &Arc<AppState>, request: SearchRequest) -> Result<SearchResults, ApiError> {
    let _permit = state.search_permits.acquire().await.map_err(|err| ApiError::internal("no search permit", &err))?;
    let bank = Arc::clone(&state.bank);
    Ok(tokio::task::spawn_blocking(move || bank.search(&request)).await??)
}

/// Runs a blocking call of the bank on a blocking thread.
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    call: impl FnOnce(&crate::KnowledgeBank) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let bank = Arc::clone(&state.bank);
    Ok(tokio::task::spawn_blocking(move || call(&bank)).await??)
}

/// A value as JSON with its document's `url` added.
fn with_url(value: &impl serde::Serialize, url: String) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("url".to_string(), Value::String(url));
    }
    value
}

fn hits_with_urls(hits: &[crate::SearchHit]) -> Vec<Value> {
    hits.iter().map(|hit| with_url(hit, document_url(&hit.path, hit.page))).collect()
}

/// `GET /api/search`.
pub(crate) async fn search(state: Arc<AppState>, query: SearchQuery) -> Result<Resp, ApiError> {
    let params = SearchParams::from_query(&query).map_err(ApiError::bad_request)?;
    let results = run_search(&state, params.request()).await?;
    let mut body = json!({
        "query": results.query,
        "total": results.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": results.total.div_ceil(params.per_page),
        "hits": hits_with_urls(&results.hits),
        "facets": results.facets.unwrap_or_default(),
    });
    if let (Some(suggestion), Value::Object(map)) = (&results.suggestion, &mut body) {
        map.insert("suggestion".to_string(), Value::String(suggestion.clone()));
    }
    if let (Some(other), Value::Object(map)) = (&results.other_languages, &mut body) {
        map.insert(
            "other_languages".to_string(),
            json!({ "total": other.total, "langs": other.langs, "hits": hits_with_urls(&other.hits) }),
        );
    }
    Ok(json(StatusCode::OK, &body))
}

/// The query of `GET /api/suggest`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct SuggestQuery {
    q: Option<String>,
    limit: Option<String>,
}

/// Completions a search box offers by default, and at most.
const SUGGESTIONS: usize = 8;
const MAX_SUGGESTIONS: usize = 20;

/// `GET /api/suggest?q=`: completions of what is being typed.
pub(crate) async fn suggest(state: Arc<AppState>, query: SuggestQuery) -> Result<Resp, ApiError> {
    let typed = query.q.unwrap_or_default();
    if typed.chars().count() > crate::search::MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!("'q' is longer than {} characters", crate::search::MAX_QUERY_CHARS)));
    }
    let limit = match query.limit.as_deref().map(str::trim) {
        None | Some("") => SUGGESTIONS,
        Some(value) => value.parse::<usize>().ok().filter(|n| (1..=MAX_SUGGESTIONS).contains(n)).ok_or_else(|| {
            ApiError::bad_request(format!("'limit' must be a whole number from 1 to {MAX_SUGGESTIONS}"))
        })?,
    };
    let shown = typed.clone();
    let suggestions = blocking(&state, move |bank| bank.suggest(&typed, limit)).await?;
    Ok(json(StatusCode::OK, &json!({ "query": shown, "suggestions": suggestions })))
}

/// `GET /api/documents/{path}`: one document's metadata (without its text).
pub(crate) async fn document(state: Arc<AppState>, raw_path: &str) -> Result<Resp, ApiError> {
    let path =
        decode_path(raw_path).map_err(|message| ApiError::bad_request(format!("the document path: {message}")))?;
    if path.is_empty() {
        return Err(ApiError::bad_request("the document path is empty"));
    }
    let record = blocking(&state, move |bank| bank.document(&path)).await?;
    let mut value = with_url(&record, document_url(&record.path, None));
    if let Value::Object(map) = &mut value {
        map.remove("text");
    }
    Ok(json(StatusCode::OK, &value))
}

/// `GET /api/documents`: every document, sorted by path.
pub(crate) async fn documents(state: Arc<AppState>) -> Result<Resp, ApiError> {
    let list = blocking(&state, |bank| bank.documents()).await?;
    let documents: Vec<Value> = list.iter().map(|d| with_url(d, document_url(&d.path, None))).collect();
    Ok(json(StatusCode::OK, &json!({ "total": documents.len(), "documents": documents })))
}

/// `GET /api/status`.
pub(crate) fn status(state: Arc<AppState>) -> Result<Resp, ApiError> {
    let status = state.bank.status()?;
    let ocr = state.bank.ocr_status()?;
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
    let (concepts, freedict) = state.bank.translation_status();
    Ok(json(
        StatusCode::OK,
        &json!({
            "documents": status.documents,
            "last_sync": status.last_sync.map(iso_utc),
            "failed": status.failed,
            "syncing": state.is_syncing(),
            "watching": state.is_watching(),
            "last_run": last_run,
            "ocr": ocr,
            "cross_language": { "concepts": concepts, "freedict": freedict, "install": freedict.install_hint() },
        }),
    ))
}

/// `GET /healthz`.
pub(crate) fn healthz() -> Resp {
    json(StatusCode::OK, &json!({ "status": "ok" }))
}

/// `GET /api/openapi.json`.
pub(crate) fn openapi() -> Resp {
    response(StatusCode::OK, JSON, OPENAPI)
}

/// `POST /api/reindex`: a full sync, with the admin token only.
pub(crate) async fn reindex(
    state: Arc<AppState>,
    method: Method,
    authorization: Option<String>,
) -> Result<Resp, ApiError> {
    let Some(token) = state.config.admin_token.as_deref() else {
        return Err(ApiError::not_found("no such route (POST /api/reindex is off: no admin token is configured)"));
    };
    if method != Method::POST {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let given = authorization
        .as_deref()
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim);
    if !given.is_some_and(|given| same_secret(given, token)) {
        let mut response = super::reply::json_error(
            StatusCode::UNAUTHORIZED,
            "a valid admin token is required (Authorization: Bearer TOKEN)",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tietopankki\""));
        return Ok(response);
    }
    let synced = Arc::clone(&state);
    let report = tokio::task::spawn_blocking(move || {
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
    .await??;
    let documents = state.bank.status().map(|s| s.documents).unwrap_or(0);
    Ok(json(
        StatusCode::OK,
        &json!({
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "failed": report.failed,
            "documents": documents,
        }),
    ))
}

/// Compares secrets in time independent of their contents (`subtle`).
fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_get_the_status_of_whose_fault_they_are() {
        let status = |err: Error| ApiError::from(err).status;
        assert_eq!(status(Error::InvalidRequest("x".into())), StatusCode::BAD_REQUEST);
        assert_eq!(status(Error::NotFound("a.md".into())), StatusCode::NOT_FOUND);
        // A stopping server is unavailable, not a bad request of the client.
        assert_eq!(status(Error::ShuttingDown), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(Error::Locked), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(Error::Engine("x".into())), StatusCode::INTERNAL_SERVER_ERROR);
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
