//! The one place where errors become status codes: [`ApiError`], the
//! rejection every route raises, made from the library's errors, and
//! [`to_api_error`], which reads any rejection (ours or warp's) as one.

use warp::http::StatusCode;
use warp::reject::Rejection;

use crate::{Blame, Error};

/// An answer other than success, with the status and the message to show.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Methods the route takes (sent as `Allow` with a 405).
    pub allow: Option<&'static str>,
    /// Whether the connection is closed after the answer (a refused
    /// request whose body is left unread).
    pub close: bool,
}

impl warp::reject::Reject for ApiError {}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), allow: None, close: false }
    }

    /// A request the client can fix (400).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// A route that does not exist (404).
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// A method the route does not take (405, with `Allow`).
    pub fn method_not_allowed(allow: &'static str) -> ApiError {
        ApiError {
            allow: Some(allow),
            ..ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("method not allowed; use {allow}"))
        }
    }

    /// A request refused before any route; the connection is closed.
    pub fn refused(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { close: true, ..ApiError::new(status, message) }
    }

    /// A fault of the server (500), logged; the client is told no more.
    pub fn internal(what: &str, err: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%err, "{what}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
    }
}

impl From<Error> for ApiError {
    /// Whose fault it is ([`Error::blame`]) decides the status: the
    /// client's (400, 404 for a document not in the bank), the moment's
    /// (503: busy or stopping), else the server's (500, logged, and the
    /// client told no more).
    fn from(err: Error) -> ApiError {
        match (err.blame(), err) {
            (_, Error::NotFound(path)) => ApiError::not_found(format!("no such document: {path}")),
            (_, Error::ShuttingDown) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down"),
            (Blame::Busy, _) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the index is being updated; try again shortly")
            }
            (Blame::Input, Error::InvalidRequest(message)) => ApiError::bad_request(message),
            (Blame::Input, other) => ApiError::bad_request(other.to_string()),
            (Blame::File | Blame::Internal, other) => ApiError::internal("request failed", &other),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(err: tokio::task::JoinError) -> ApiError {
        ApiError::internal("a request's task failed", &err)
    }
}

/// Ours as they are; warp's own rejections with their status and a message.
pub(crate) fn to_api_error(rejection: Rejection) -> ApiError {
    if let Some(error) = rejection.find::<ApiError>() {
        return ApiError {
            status: error.status,
            message: error.message.clone(),
            allow: error.allow,
            close: error.close,
        };
    }
    if rejection.is_not_found() {
        return ApiError::not_found("no such route; see /api/openapi.json");
    }
    if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        return ApiError::method_not_allowed("GET, HEAD");
    }
    if let Some(err) = rejection.find::<warp::reject::InvalidQuery>() {
        return ApiError::bad_request(format!("the query string cannot be read: {err}"));
    }
    if let Some(err) = rejection.find::<warp::filters::cors::CorsForbidden>() {
        return ApiError::new(StatusCode::FORBIDDEN, err.to_string());
    }
    ApiError::internal("unexpected rejection", &format!("{rejection:?}"))
}
