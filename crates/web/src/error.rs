//! One error type for the API and one for pages, with stable codes. Bad input is always a
//! 4xx with a message a person understands; a 5xx is logged once and never shows internals.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use charter_app::AppError;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// Too many attempts: wait this many seconds.
    #[error("too many attempts; wait {} and try again", wait_words(*.0))]
    RateLimited(u64),
    #[error("too many applications from this connection; try again in an hour")]
    TooManyApplications,
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is larger than {} KiB", crate::MAX_BODY_BYTES / 1024)]
    TooLarge,
    /// A body over a route's own limit, in bytes (routes that take more than the usual).
    #[error("the request body is larger than {}", size_words(*.0))]
    BodyTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`, `not_found`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Per-field messages for invalid input; empty otherwise.
    pub fields: BTreeMap<String, String>,
}

impl WebError {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::App(e) => match e {
                AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
                AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
                AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
                AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
                AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
                AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
                AppError::Internal(_) | AppError::Database(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
            WebError::RateLimited(_) | WebError::TooManyApplications => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            WebError::TooLarge | WebError::BodyTooLarge(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            WebError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            WebError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
        }
    }

    /// Field messages, for forms and the API's `fields`.
    pub fn fields(&self) -> BTreeMap<String, String> {
        match self {
            WebError::App(AppError::Invalid(f)) => f.0.clone(),
            WebError::App(AppError::Conflict { field, message }) => {
                BTreeMap::from([(field.clone(), message.clone())])
            }
            _ => BTreeMap::new(),
        }
    }

    /// The message shown to people; internals are logged, never shown.
    pub fn public_message(&self) -> String {
        match self {
            WebError::App(AppError::Internal(detail)) => {
                tracing::error!(error = %detail, "internal error");
                "something went wrong on our side; it has been logged".to_string()
            }
            WebError::App(e @ AppError::Database(_)) => {
                tracing::error!(error = %error_chain(e), "database error");
                "something went wrong on our side; it has been logged".to_string()
            }
            // Said in full, so a page without the form (a link with a bad date) still tells
            // the person what to change.
            WebError::App(AppError::Invalid(f)) => {
                let said: Vec<&str> = f.0.values().map(String::as_str).collect();
                format!("some fields need attention: {}", said.join("; "))
            }
            other => other.to_string(),
        }
    }

    /// Seconds to wait before trying again, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::RateLimited(secs) => Some((*secs).max(1)),
            WebError::TooManyApplications => Some(3600),
            WebError::App(AppError::Unavailable) => Some(5),
            _ => None,
        }
    }
}

/// JSON error responses for the API.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: self.public_message(),
                fields: self.fields(),
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, WebError>;

/// A size in words: "128 MiB", "64 KiB".
fn size_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// A wait in words: "a minute", "40 seconds".
fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// `Json<T>` whose rejections (malformed JSON, wrong types, unknown fields, wrong content
/// type, oversized body) come back in the API's error shape instead of plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> WebError {
    match rej {
        JsonRejection::MissingJsonContentType(_) => WebError::UnsupportedMediaType(
            "send the body as JSON with content-type application/json".into(),
        ),
        JsonRejection::JsonSyntaxError(e) => {
            WebError::BadRequest(format!("the body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            WebError::BadRequest(format!("the JSON does not fit: {}", e.body_text()))
        }
        JsonRejection::BytesRejection(_) => WebError::TooLarge,
        other => WebError::BadRequest(other.body_text()),
    }
}

/// `Query<T>` with rejections in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(WebError::BadRequest(query_message(&rej))),
        }
    }
}

fn query_message(rej: &QueryRejection) -> String {
    format!("the query string does not fit: {}", rej.body_text())
}

/// A panic becomes a logged 500 with the API's error shape, never a dropped connection.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    WebError::App(AppError::Internal("panic".into())).into_response()
}

/// Escapes text for HTML (for the few responses built without a template).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A plain HTML error page for pages' errors, used until a template renders it.
pub fn html_error(err: &WebError) -> Response {
    let (status, _) = err.status_and_code();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{code} — Charter</title><link rel=\"stylesheet\" href=\"/static/charter.css\"></head><body><main id=\"main\"><h1>{title}</h1><p role=\"alert\">{msg}</p><p><a href=\"/\">Back to the start</a></p></main></body></html>",
        code = status.as_u16(),
        title = status.canonical_reason().unwrap_or("Error"),
        msg = escape_html(&err.public_message()),
    );
    (status, Html(body)).into_response()
}

/// An error and every source beneath it, outermost first, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut said = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        said.push_str(": ");
        said.push_str(&cause.to_string());
        next = cause.source();
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_store::StoreError;

    #[test]
    fn the_log_keeps_the_database_error_beneath_an_internal_one() {
        let driver = std::io::Error::other("disk I/O error: no space left on device");
        let e: AppError = StoreError::Query(Box::new(driver)).into();
        assert!(matches!(e, AppError::Database(_)), "{e:?}");
        assert_eq!(e.to_string(), "internal error");
        assert_eq!(
            error_chain(&e),
            "internal error: the database refused a statement: disk I/O error: no space left on device"
        );
    }
}
