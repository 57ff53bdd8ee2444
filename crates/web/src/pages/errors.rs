//! The error page, and [`PageError`], the error a page handler returns so it can use `?`.
//!
//! A handler's error carries no session, yet the page it becomes is drawn for whoever is
//! signed in (the navigation, the sign-out form's token). So [`PageError`] draws the page as
//! for nobody and leaves what it showed on the response; [`error_pages`], a layer on every
//! page router, draws it again for the request's session. A page that is the same for
//! everyone (the join form, a link from a letter) says so with [`PageError::signed_out`].

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use charter_app::AppError;

use super::{Layout, render};
use crate::error::WebError;
use crate::session::{CurrentSession, MaybeSession};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

fn heading_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood",
        401 => "Please sign in",
        403 => "You may not do this",
        404 => "Not found",
        409 => "That clashes with the register",
        413 => "Too much was sent",
        415 => "Unsupported form",
        422 => "Please check what you entered",
        429 => "Too many attempts",
        503 => "Please try again shortly",
        _ => "Something went wrong",
    }
}

/// What an error page shows, worked out once (an internal error is logged here, once).
#[derive(Clone)]
struct Shown {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl Shown {
    fn of(err: &WebError) -> Self {
        Shown {
            status: err.status_and_code().0,
            message: err.public_message(),
            retry_after: err.retry_after(),
        }
    }

    fn page(&self, session: Option<&CurrentSession>) -> Response {
        let heading = heading_for(self.status);
        let page = ErrorPage {
            layout: Layout::new(heading, session, ""),
            status: self.status.as_u16(),
            heading,
            message: self.message.clone(),
        };
        let mut resp = render(self.status, &page);
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// An HTML error page with the app's message in words, and the status it deserves.
pub fn error_page(session: Option<&CurrentSession>, err: WebError) -> Response {
    Shown::of(&err).page(session)
}

/// A 404 page for a member, unit or anything else that does not exist.
pub fn not_found(session: Option<&CurrentSession>, what: &'static str) -> Response {
    error_page(session, WebError::App(AppError::NotFound(what)))
}

/// A page handler's error: the error page [`error_page`] draws, for the request's session.
#[derive(Debug)]
pub struct PageError {
    error: WebError,
    signed_out: bool,
}

/// What a page handler returns: its page, or the error page.
pub type PageResult<T = Response> = Result<T, PageError>;

impl PageError {
    /// The 404 page for `what` ("meeting", "agenda item").
    pub fn not_found(what: &'static str) -> Self {
        AppError::NotFound(what).into()
    }

    /// The error page as a signed-out visitor sees it, whoever is signed in: for the pages
    /// that look the same to everyone.
    pub fn signed_out(error: impl Into<WebError>) -> Self {
        PageError {
            error: error.into(),
            signed_out: true,
        }
    }
}

impl From<WebError> for PageError {
    fn from(error: WebError) -> Self {
        PageError {
            error,
            signed_out: false,
        }
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        WebError::App(error).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let shown = Shown::of(&self.error);
        let mut resp = shown.page(None);
        if !self.signed_out {
            resp.extensions_mut().insert(shown);
        }
        resp
    }
}

/// Draws a [`PageError`]'s page again for the request's session, when there is one. The
/// session is shared, not copied: most responses are not error pages.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let session = req
        .extensions()
        .get::<MaybeSession>()
        .and_then(|m| m.0.clone());
    let resp = next.run(req).await;
    match (session, resp.extensions().get::<Shown>()) {
        (Some(session), Some(shown)) => shown.page(Some(session.as_ref())),
        _ => resp,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::middleware::from_fn;
    use axum::routing::get;
    use charter_domain::{Actor, MemberId, SignIn, UnitId};
    use charter_model::SessionRecord;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    pub(in crate::pages) const TOKEN: &str = "the-sessions-csrf-token";

    /// A member's session whose CSRF token is [`TOKEN`].
    pub(in crate::pages) fn session() -> CurrentSession {
        let now = chrono::Utc::now();
        CurrentSession {
            token: "cookie".into(),
            record: SessionRecord {
                token_hash: "hash".into(),
                member: MemberId(7),
                csrf_token: TOKEN.into(),
                created_at: now,
                expires_at: now,
                second_factor_pending: false,
            },
            actor: Actor {
                member: MemberId(7),
                home_branch: UnitId(3),
                offices: Vec::new(),
            },
            access: SignIn::Member,
            must_enrol: false,
        }
    }

    async fn missing() -> PageResult {
        Err(PageError::not_found("meeting"))
    }

    async fn missing_for_everyone() -> PageResult {
        Err(PageError::signed_out(AppError::NotFound("calendar")))
    }

    async fn too_many() -> PageResult {
        Err(WebError::RateLimited(40).into())
    }

    /// What `path` answers behind the error pages' layer, for `session`.
    async fn answer(session: Option<CurrentSession>, path: &str) -> (Response, String) {
        let router = Router::new()
            .route("/missing", get(missing))
            .route("/missing-for-everyone", get(missing_for_everyone))
            .route("/too-many", get(too_many))
            .layer(from_fn(error_pages))
            .layer(axum::Extension(MaybeSession(session.map(Arc::new))));
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let resp = router.oneshot(request).await.expect("an answer");
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.expect("the body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (Response::from_parts(parts, Body::empty()), text)
    }

    #[tokio::test]
    async fn a_handlers_error_page_is_drawn_for_whoever_is_signed_in() {
        let (resp, page) = answer(Some(session()), "/missing").await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert!(page.contains("meeting"), "{page}");
        assert!(page.contains(TOKEN), "the sign-out form's token: {page}");
        assert!(page.contains("Go to my membership"), "{page}");

        let (resp, page) = answer(None, "/missing").await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert!(!page.contains(TOKEN), "{page}");
        assert!(page.contains("/sign-in"), "{page}");
    }

    #[tokio::test]
    async fn a_page_the_same_for_everyone_stays_signed_out() {
        let (resp, page) = answer(Some(session()), "/missing-for-everyone").await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert!(page.contains("calendar"), "{page}");
        assert!(!page.contains(TOKEN), "{page}");
    }

    #[tokio::test]
    async fn drawn_again_the_page_keeps_when_to_try_again() {
        let (resp, page) = answer(Some(session()), "/too-many").await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            resp.headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("40")
        );
        assert!(page.contains(TOKEN), "{page}");
    }
}
