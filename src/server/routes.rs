//! The routes, as warp filters, and what every response gets on its way out.
//!
//! A request passes [`guard`] (host name, address length, body), then one
//! route of [`endpoints`]. Any rejection, ours ([`ApiError`]) or warp's
//! (no route, wrong method, a query that cannot be read, a CORS origin not
//! allowed), is answered by [`answer`]: JSON under `/api/`, else a page. That is done with `or_else`
//! rather than `recover` because the answer depends on the request (JSON
//! under `/api/`, else a page in the visitor's language), which a `recover`
//! handler does not see.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use serde::de::DeserializeOwned;
use warp::filters::BoxedFilter;
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::reject::Rejection;
use warp::{Filter, Reply};

use super::error::{self, ApiError};
use super::params::SearchQuery;
use super::reply::{json_error, response, streamed, Resp, Streamed, CSS, JAVASCRIPT, SVG, TEXT};
use super::request::{is_api_path, RequestContext};
use super::state::AppState;
use super::{api, docs, feed, pages, urls};

/// The Content-Security-Policy of pages and JSON: only our own assets.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const STYLE_CSS: &str = include_str!("../../assets/style.css");
const APP_JS: &str = include_str!("../../assets/app.js");
const FAVICON_SVG: &str = include_str!("../../assets/favicon.svg");

/// Longest request target (path and query) answered; longer ones get 414.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;
/// Largest request body any route accepts (none reads one); larger get 413.
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024;

/// The request's context; never rejects.
fn context() -> impl Filter<Extract = (RequestContext,), Error = Infallible> + Clone {
    warp::method().and(warp::path::full()).and(raw_query()).and(warp::header::headers_cloned()).map(
        |method, path: warp::path::FullPath, query, headers| RequestContext {
            method,
            path: path.as_str().to_string(),
            query,
            headers,
        },
    )
}

/// The raw query string, empty when there is none.
fn raw_query() -> impl Filter<Extract = (String,), Error = Infallible> + Clone {
    warp::query::raw().or(warp::any().map(String::new)).unify()
}

/// All routes as one filter that never rejects.
pub(crate) fn routes(state: Arc<AppState>) -> BoxedFilter<(Streamed,)> {
    let answered = guard(&state)
        .and(endpoints(&state))
        .map(Ok::<Streamed, Rejection>)
        .or_else(|rejection| async move { Ok::<_, Rejection>((Err(rejection),)) });
    context()
        .and(answered)
        .map(move |context: RequestContext, answered: Result<Streamed, Rejection>| {
            let started = Instant::now();
            let mut response = answered.unwrap_or_else(|rejection| streamed(answer(&context, rejection)));
            finish_headers(&state, &context, response.headers_mut());
            tracing::debug!(method = %context.method, path = %context.path, status = response.status().as_u16(),
                ms = started.elapsed().as_secs_f64() * 1000.0, "request");
            response
        })
        .boxed()
}

/// Refuses, before any route, a host name not served (DNS rebinding), an
/// address too long and any request body (no route reads one).
fn guard(state: &Arc<AppState>) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    let allowed_hosts = Arc::new(state.config.allowed_hosts.clone());
    context()
        .and_then(move |context: RequestContext| {
            let allowed_hosts = Arc::clone(&allowed_hosts);
            async move { check_request(&context, &allowed_hosts).map_err(warp::reject::custom) }
        })
        .untuple_one()
}

fn check_request(context: &RequestContext, allowed_hosts: &[String]) -> Result<(), ApiError> {
    // A page elsewhere can point its own name at this address; the browser
    // then sends that name as the Host.
    if context.header(header::HOST).is_some_and(|host| !is_allowed_host(host, allowed_hosts)) {
        return Err(ApiError::refused(
            StatusCode::MISDIRECTED_REQUEST,
            "this server does not answer for that host name (start it with --allowed-host NAME to allow one)",
        ));
    }
    if context.path.len() + context.query.len() > MAX_URL_BYTES {
        return Err(ApiError::refused(
            StatusCode::URI_TOO_LONG,
            format!("the address is longer than {MAX_URL_BYTES} bytes; use a shorter query"),
        ));
    }
    // A chunked body has no length to check first, so it is refused
    // whatever its size (the limit holds for any framing).
    if context.headers.contains_key(header::TRANSFER_ENCODING) {
        return Err(ApiError::refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request bodies sent in chunks are not accepted (no route reads a body)",
        ));
    }
    match context.header(header::CONTENT_LENGTH).map(|v| v.trim().parse::<u64>()) {
        Some(Ok(len)) if len > MAX_BODY_BYTES => Err(ApiError::refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )),
        Some(Err(_)) => Err(ApiError::refused(StatusCode::BAD_REQUEST, "the Content-Length header is not a number")),
        _ => Ok(()),
    }
}

/// Every route.
fn endpoints(state: &Arc<AppState>) -> BoxedFilter<(Streamed,)> {
    let api = api_routes(state);
    let api = match cors(state) {
        Some(cors) => api.with(cors).map(Reply::into_response).boxed(),
        None => api,
    };
    let api = api_scope().and(api);
    api.or(page_routes(state)).unify().boxed()
}

/// Passes `/api/…` and `/healthz` only (so CORS applies to nothing else).
fn api_scope() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::path::full()
        .and_then(|path: warp::path::FullPath| async move {
            if is_api_path(path.as_str()) {
                Ok(())
            } else {
                Err(warp::reject::not_found())
            }
        })
        .untuple_one()
}

/// The API's routes.
fn api_routes(state: &Arc<AppState>) -> BoxedFilter<(Streamed,)> {
    let healthz = warp::path!("healthz").and(get_or_head()).map(|| streamed(api::healthz()));
    let search = warp::path!("api" / "search")
        .and(get_or_head())
        .and(with_state(state))
        .and(strict_query::<SearchQuery>())
        .and_then(|state, query| async move { respond(api::search(state, query).await) });
    let status = warp::path!("api" / "status")
        .and(get_or_head())
        .and(with_state(state))
        .and_then(|state| async move { respond(api::status(state)) });
    let documents = warp::path!("api" / "documents")
        .and(get_or_head())
        .and(with_state(state))
        .and_then(|state| async move { respond(api::documents(state).await) });
    let document = warp::path("api")
        .and(warp::path("documents"))
        .and(warp::path::tail())
        .and(get_or_head())
        .and(with_state(state))
        .and_then(|tail: warp::path::Tail, state| async move { respond(api::document(state, tail.as_str()).await) });
    let suggest = warp::path!("api" / "suggest")
        .and(get_or_head())
        .and(with_state(state))
        .and(strict_query::<api::SuggestQuery>())
        .and_then(|state, query| async move { respond(api::suggest(state, query).await) });
    let openapi = warp::path!("api" / "openapi.json").and(get_or_head()).map(|| streamed(api::openapi()));
    // The route exists only with an admin token, so its methods are
    // checked by the handler: without a token any method gets 404.
    let reindex = warp::path!("api" / "reindex")
        .and(warp::method())
        .and(warp::header::optional::<String>("authorization"))
        .and(with_state(state))
        .and_then(
            |method, authorization, state| async move { respond(api::reindex(state, method, authorization).await) },
        );
    healthz
        .or(search)
        .unify()
        .or(status)
        .unify()
        .or(documents)
        .unify()
        .or(document)
        .unify()
        .or(suggest)
        .unify()
        .or(openapi)
        .unify()
        .or(reindex)
        .unify()
        .boxed()
}

/// The page, its assets and the documents.
fn page_routes(state: &Arc<AppState>) -> BoxedFilter<(Streamed,)> {
    let page = warp::path::end()
        .and(get_or_head())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(strict_query::<SearchQuery>())
        .then(|state, headers: HeaderMap, query| async move {
            let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string);
            streamed(pages::search_page(state, accept.as_deref(), query).await)
        });
    let style = warp::path!("assets" / "style.css").and(get_or_head()).map(|| asset(CSS, STYLE_CSS));
    let script = warp::path!("assets" / "app.js").and(get_or_head()).map(|| asset(JAVASCRIPT, APP_JS));
    let icon = warp::path!("assets" / "favicon.svg")
        .or(warp::path!("favicon.ico"))
        .unify()
        .and(get_or_head())
        .map(|| asset(SVG, FAVICON_SVG));
    let documents =
        warp::path("documents").and(warp::path::tail()).and(get_or_head()).and(with_state(state)).and(context()).then(
            |tail: warp::path::Tail, state, context| async move { docs::serve(state, &context, tail.as_str()).await },
        );
    let feed = warp::path!("feed.atom")
        .and(get_or_head())
        .and(with_state(state))
        .and(warp::header::optional::<String>("host"))
        .and(strict_query::<SearchQuery>())
        .and_then(|state, host, query| async move { respond(feed::feed(state, host, query).await) });
    page.or(feed).unify().or(style).unify().or(script).unify().or(icon).unify().or(documents).unify().boxed()
}

/// `GET` or `HEAD` (hyper sends no body for a `HEAD`).
fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

fn with_state(state: &Arc<AppState>) -> impl Filter<Extract = (Arc<AppState>,), Error = Infallible> + Clone {
    let state = Arc::clone(state);
    warp::any().map(move || Arc::clone(&state))
}

/// `warp::query::<T>()`, after checking that the escapes are well formed
/// and the text UTF-8 (which `warp::query` would let through garbled).
fn strict_query<T: DeserializeOwned + Send + 'static>() -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    raw_query()
        .and_then(|raw: String| async move {
            urls::check_query(&raw).map_err(|message| warp::reject::custom(ApiError::bad_request(message)))
        })
        .untuple_one()
        .and(warp::query::<T>())
}

/// The answer to a rejected request.
fn answer(context: &RequestContext, rejection: Rejection) -> Resp {
    let error = error::to_api_error(rejection);
    let mut response = if context.is_api() {
        json_error(error.status, &error.message)
    } else {
        match error.status {
            StatusCode::NOT_FOUND => pages::not_found(context),
            StatusCode::METHOD_NOT_ALLOWED => {
                response(error.status, TEXT, format!("Method not allowed; use {}.\n", error.allow.unwrap_or("GET")))
            }
            status => pages::refused(context, status, &error.message),
        }
    };
    if let Some(allow) = error.allow {
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    if error.close {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// A handler's answer as warp takes it.
fn respond(result: Result<Resp, ApiError>) -> Result<Streamed, Rejection> {
    result.map(streamed).map_err(warp::reject::custom)
}

fn asset(content_type: &'static str, body: &'static str) -> Streamed {
    let mut response = response(StatusCode::OK, content_type, body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    streamed(response)
}

/// CORS for the API, when origins are configured (warp's `cors()`: it
/// answers preflights and refuses other origins with 403).
fn cors(state: &AppState) -> Option<warp::cors::Builder> {
    let origins = &state.config.cors_origins;
    if origins.is_empty() {
        return None;
    }
    let builder = warp::cors()
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers(["authorization", "content-type"])
        .max_age(600);
    Some(if origins.iter().any(|o| o == "*") {
        builder.allow_any_origin()
    } else {
        builder.allow_origins(origins.iter().map(|o| o.trim_end_matches('/')))
    })
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

/// Security headers and caching defaults; `Vary: Origin` on the API when
/// CORS depends on the origin.
fn finish_headers(state: &AppState, context: &RequestContext, headers: &mut HeaderMap) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    let origins = &state.config.cors_origins;
    if context.is_api() && !origins.is_empty() && !origins.iter().any(|o| o == "*") {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}
