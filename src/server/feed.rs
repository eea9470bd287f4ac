//! `GET /feed.atom`: an Atom 1.0 feed (RFC 4287) of the documents added or
//! changed, newest first, filtered like a search (`?q=avustus&lang=fi`), so
//! that an association can subscribe to new grant guidance.

use std::collections::HashMap;
use std::sync::Arc;

use maud::{html, PreEscaped};
use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::api::run_search;
use super::error::ApiError;
use super::params::{SearchParams, SearchQuery};
use super::reply::{response, Resp};
use super::state::AppState;
use super::urls::document_url;
use crate::dates::iso_utc;
use crate::DocumentSummary;

/// Content type of the feed.
const ATOM: &str = "application/atom+xml; charset=utf-8";
/// Entries in the feed, at most.
const ENTRIES: usize = 30;
/// Hits of a filtered feed that are looked at for the newest.
const SEARCHED: usize = 100;

/// One entry: the document and, for a filtered feed, its passage.
struct Entry {
    document: DocumentSummary,
    summary: Option<String>,
}

/// `GET /feed.atom`.
pub(crate) async fn feed(state: Arc<AppState>, host: Option<String>, query: SearchQuery) -> Result<Resp, ApiError> {
    let params = SearchParams::from_query(&query).map_err(ApiError::bad_request)?;
    let entries = entries(&state, &params).await?;
    // Atom wants absolute IRIs; the Host was checked before any route.
    let base = format!("http://{}", host.as_deref().unwrap_or("localhost"));
    let ui = params.ui.unwrap_or(crate::Lang::Fi);
    let page = format!("{base}{}", params.page_url(ui, 1));
    let own = format!("{base}{}", params.feed_url());
    let updated = entries.iter().map(|e| e.document.modified).max().unwrap_or(0);
    let t = super::i18n::texts(ui);
    let title = if params.q.is_empty() { t.feed_title.to_string() } else { format!("{}: {}", t.feed_title, params.q) };
    let xml = html! {
        (PreEscaped("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { (own) }
            title { (title) }
            updated { (iso_utc(updated)) }
            link rel="self" type="application/atom+xml" href=(own) {}
            link rel="alternate" type="text/html" href=(page) {}
            author { name { "Tietopankki" } }
            generator { "tietopankki" }
            @for entry in &entries {
                @let url = format!("{base}{}", document_url(&entry.document.path, None));
                entry {
                    id { (url) }
                    title { (if entry.document.title.is_empty() { &entry.document.path } else { &entry.document.title }) }
                    updated { (iso_utc(entry.document.modified)) }
                    link rel="alternate" href=(url) {}
                    category term=(entry.document.lang.code()) {}
                    @if let Some(summary) = &entry.summary {
                        // The passage is HTML (escaped text, <mark>): sent as
                        // type="html", which escapes it once more for XML.
                        summary type="html" { (summary) }
                    }
                }
            }
        }
    };
    let mut answer = response(StatusCode::OK, ATOM, xml.into_string());
    answer.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(answer)
}

/// The documents of the feed, the newest change first: all of them, or
/// those a search with these parameters finds.
async fn entries(state: &Arc<AppState>, params: &SearchParams) -> Result<Vec<Entry>, ApiError> {
    let bank = Arc::clone(&state.bank);
    if !params.is_search() {
        let recent = tokio::task::spawn_blocking(move || bank.recent_documents(ENTRIES)).await??;
        return Ok(recent.into_iter().map(|document| Entry { document, summary: None }).collect());
    }
    let request = crate::SearchRequest { limit: SEARCHED, offset: 0, facets: false, ..params.request() };
    let results = run_search(state, request).await?;
    let all = tokio::task::spawn_blocking(move || bank.documents()).await??;
    let mut by_path: HashMap<String, DocumentSummary> = all.into_iter().map(|d| (d.path.clone(), d)).collect();
    let mut entries: Vec<Entry> = results
        .hits
        .into_iter()
        .filter_map(|hit| by_path.remove(&hit.path).map(|document| Entry { document, summary: Some(hit.snippet) }))
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.document.modified));
    entries.truncate(ENTRIES);
    Ok(entries)
}
