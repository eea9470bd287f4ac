//! What the routes, the error answers and the pages need to know of a request.

use warp::http::header::{self, HeaderMap};
use warp::http::Method;

/// What the error pages and the response headers need of a request.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    pub method: Method,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent (without `?`).
    pub query: String,
    pub headers: HeaderMap,
}

impl RequestContext {
    /// Whether the request is for the JSON API (`/api/…` or `/healthz`).
    pub fn is_api(&self) -> bool {
        is_api_path(&self.path)
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}
