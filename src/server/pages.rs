//! The server-rendered pages: the search page at `/` (works without
//! JavaScript) and the error pages, in the visitor's language. Their
//! markup is in [`super::templates`].

use std::sync::Arc;

use maud::html;
use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::api::run_search;
use super::error::ApiError;
use super::i18n;
use super::params::{parse_lang, SearchParams, SearchQuery};
use super::reply::{html, Resp};
use super::request::RequestContext;
use super::state::AppState;
use super::templates::{self, StatusLine};
use super::urls::last_param;
use crate::{Lang, SearchResults};

/// Documents listed as added last on the start page.
const RECENT: usize = 10;

/// `GET /`.
pub(crate) async fn search_page(state: Arc<AppState>, accept_language: Option<&str>, query: SearchQuery) -> Resp {
    let (params, mut error) = match SearchParams::from_query(&query) {
        Ok(params) => (params, None),
        // Keep the interface language and the words; drop the bad parameter.
        Err(message) => (SearchParams::fallback(&query), Some(message)),
    };
    let ui = params.ui.unwrap_or_else(|| i18n::negotiate(accept_language));
    let t = i18n::texts(ui);
    let mut results: Option<SearchResults> = None;
    let mut fault = false;
    if error.is_none() && params.is_search() {
        // The page shows the other languages' part unless it is switched off.
        let mut request = params.request();
        request.other_languages = params.other_languages.unwrap_or(true);
        match run_search(&state, request).await {
            Ok(found) => results = Some(found),
            Err(ApiError { status: StatusCode::BAD_REQUEST, message, .. }) => error = Some(message),
            // The service's fault, not the user's: 500, and said so.
            Err(_) => fault = true,
        }
    }
    let status = page_status(fault, error.is_some());
    // The start page lists the documents added last.
    let recent = if results.is_none() && error.is_none() && !fault {
        let bank = Arc::clone(&state.bank);
        tokio::task::spawn_blocking(move || bank.recent_documents(RECENT)).await.ok().and_then(Result::ok)
    } else {
        None
    }
    .unwrap_or_default();
    let title = if params.q.is_empty() { t.site.to_string() } else { format!("{} – {}", params.q, t.site) };
    let content = html! {
        (templates::search_top(ui, &params, &status_line(&state)))
        @if let Some(message) = &error { (templates::alert(t.bad_request, message, Some("en"))) }
        @if fault { (templates::alert(t.server_error, t.server_error_text, None)) }
        @if let Some(results) = &results {
            (templates::results(ui, &params, results))
        } @else if error.is_none() && !fault {
            (templates::intro(ui, &recent))
        }
    };
    let mut response = html(status, templates::layout(ui, &title, &params, content));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// What the status line shows now.
fn status_line(state: &AppState) -> StatusLine {
    let status = state.bank.status().ok();
    StatusLine {
        documents: status.as_ref().map(|s| s.documents).unwrap_or(0),
        updated: status.as_ref().and_then(|s| s.last_sync).or(state.sync_info().finished),
        now: crate::index::now_secs(),
        syncing: state.is_syncing(),
        failed: status.map(|s| s.failed).unwrap_or_default(),
    }
}

/// The page's status: a fault of the service is 500, never blamed on the
/// user; a request the user can fix is 400.
fn page_status(fault: bool, user_error: bool) -> StatusCode {
    if fault {
        StatusCode::INTERNAL_SERVER_ERROR
    } else if user_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// The interface language of an error page: `ui=` (fi, sv or en, the
/// last one wins), else `Accept-Language`.
fn error_page_language(context: &RequestContext) -> Lang {
    last_param(&context.query, "ui")
        .and_then(|ui| parse_lang(ui.trim()))
        .unwrap_or_else(|| i18n::negotiate(context.header(header::ACCEPT_LANGUAGE)))
}

/// The 404 page.
pub(crate) fn not_found(context: &RequestContext) -> Resp {
    let ui = error_page_language(context);
    let t = i18n::texts(ui);
    let title = format!("{} – {}", t.not_found, t.site);
    let content = templates::message(ui, t.not_found, t.not_found_text, None);
    html(StatusCode::NOT_FOUND, templates::layout(ui, &title, &SearchParams::default(), content))
}

/// The page's answer to a request it refuses before any search (an address
/// too long, a body too large, a host name not served): the site's own
/// page in the user's language, with the reason (in English).
pub(crate) fn refused(context: &RequestContext, status: StatusCode, reason: &str) -> Resp {
    let ui = i18n::negotiate(context.header(header::ACCEPT_LANGUAGE));
    let t = i18n::texts(ui);
    let title = format!("{} – {}", t.refused, t.site);
    let content = templates::message(ui, t.refused, reason, Some("en"));
    html(status, templates::layout(ui, &title, &SearchParams::default(), content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_of_the_service_is_500_not_400() {
        assert_eq!(page_status(true, false), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(page_status(true, true), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(page_status(false, true), StatusCode::BAD_REQUEST);
        assert_eq!(page_status(false, false), StatusCode::OK);
    }
}
