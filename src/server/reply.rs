//! Building responses: the two response types, content types, and JSON.

use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

/// A response as the handlers build it.
pub(crate) type Resp = warp::http::Response<Vec<u8>>;
/// A response as it is sent: its body may stream (documents).
pub(crate) type Streamed = warp::reply::Response;

/// Content type of the pages (that of HTML documents).
pub(crate) const HTML: &str = crate::Format::Html.mime();
/// Content type of the API's answers.
pub(crate) const JSON: &str = "application/json";
/// Content type of plain-text answers (that of text documents).
pub(crate) const TEXT: &str = crate::Format::Text.mime();
/// Content type of the stylesheet.
pub(crate) const CSS: &str = "text/css; charset=utf-8";
/// Content type of the script.
pub(crate) const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
/// Content type of the icon.
pub(crate) const SVG: &str = "image/svg+xml";

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
        Ok(body) => response(status, JSON, body),
        Err(err) => {
            tracing::error!(%err, "cannot serialise a response");
            response(StatusCode::INTERNAL_SERVER_ERROR, JSON, r#"{"error":"internal server error","status":500}"#)
        }
    }
}

/// A JSON error: `{"error": message, "status": code}`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Resp {
    json(status, &serde_json::json!({ "error": message, "status": status.as_u16() }))
}

/// An HTML page.
pub(crate) fn html(status: StatusCode, markup: maud::Markup) -> Resp {
    response(status, HTML, markup.into_string())
}

/// A built response as it is sent.
pub(crate) fn streamed(response: Resp) -> Streamed {
    response.map(Into::into)
}
