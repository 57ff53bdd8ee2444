//! What page handlers take from a request, checked before the handler runs, each refused with
//! the error page a handler would otherwise draw itself:
//!
//! - [`CsrfForm`] and [`CsrfUpload`]: a form from the signed-in member, its CSRF token checked
//!   against their session and its origin (when the browser names one) — the only place pages
//!   call [`check_csrf`], so no handler can forget it (`tests/tidy.rs` holds this);
//! - [`PathId`]: an id in the address, typed by what it names (`PathId<ids::Meeting>`), so a
//!   handler never parses one; anything but a positive whole number is that thing's 404;
//! - [`PageForm`], [`PageQuery`] and [`PagePath`]: axum's own, refused with a page.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection, RawFormRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, RawForm, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::errors::PageError;
use super::forms::CsrfOnly;
use super::parse_id;
use crate::error::WebError;
use crate::session::{CurrentSession, MaybeSession, check_csrf};
use crate::upload::{Upload, read_upload};

/// The request's session, shared (not copied) so it outlives the request the body is read from.
fn session_of(ext: &axum::http::Extensions) -> Option<Arc<CurrentSession>> {
    ext.get::<MaybeSession>().and_then(|m| m.0.clone())
}

/// The CSRF check every page form passes: the session's token, in constant time, and the
/// origin. Without a session there is no token a form could carry.
fn checked(
    session: Option<&CurrentSession>,
    token: &str,
    headers: &HeaderMap,
) -> Result<(), WebError> {
    match session {
        Some(session) => check_csrf(session, token, headers),
        None => Err(WebError::Csrf),
    }
}

/// A form (`application/x-www-form-urlencoded`) posted by the signed-in member, whose `csrf`
/// field matches their session's token: otherwise the 403 page. A form that does not read
/// is refused first, as [`PageForm`] refuses it. `T` need not have a `csrf` field.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let session = session_of(req.extensions());
        let headers = req.headers().clone();
        let RawForm(body) = RawForm::from_request(req, state)
            .await
            .map_err(raw_form_error)?;
        let form = read_form::<T>(&body)?;
        let token = read_form::<CsrfOnly>(&body)?.csrf;
        checked(session.as_deref(), &token, &headers)?;
        Ok(CsrfForm(form))
    }
}

/// Reads a form's fields from its body as axum's `Form` reads a posted body (the same
/// parser, and the same path to the field that does not fit), so a form that does not fit is
/// described in the same words as [`PageForm`] describes it (a test holds the two together).
fn read_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    let fields = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(fields).map_err(|e| {
        WebError::BadRequest(format!(
            "the form does not fit: Failed to deserialize form body: {e}"
        ))
    })
}

fn raw_form_error(rej: RawFormRejection) -> WebError {
    match rej {
        RawFormRejection::InvalidFormContentType(_) => form_type_error(),
        RawFormRejection::BytesRejection(_) => WebError::TooLarge,
        other => WebError::BadRequest(format!("the form does not fit: {}", other.body_text())),
    }
}

fn form_type_error() -> WebError {
    WebError::UnsupportedMediaType("send the form as application/x-www-form-urlencoded".into())
}

/// The text fields an upload form has beside its file, `csrf` among them.
pub trait UploadFields {
    const TEXT: &'static [&'static str];
}

/// A `multipart/form-data` upload from the signed-in member ([`crate::upload`] reads it), its
/// `csrf` field checked against their session before anything else is said about it. What
/// was wrong with the upload itself (too large, no file) is left in `refused` for the
/// handler, which answers it on its own page with the text fields read before it.
pub struct CsrfUpload<F> {
    pub upload: Upload,
    pub refused: Option<WebError>,
    fields: PhantomData<F>,
}

impl<S: Send + Sync, F: UploadFields> FromRequest<S> for CsrfUpload<F> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let session = session_of(req.extensions());
        let headers = req.headers().clone();
        let multipart: Result<Multipart, MultipartRejection> =
            Multipart::from_request(req, state).await;
        let (upload, refused) = match read_upload(multipart, F::TEXT).await {
            Ok(u) => (u, None),
            Err(r) => (r.fields, Some(r.error)),
        };
        checked(session.as_deref(), upload.field("csrf"), &headers)?;
        Ok(CsrfUpload {
            upload,
            refused,
            fields: PhantomData,
        })
    }
}

/// What an id in a page's address names: the word its 404 page uses, the path parameter it
/// is read from, and the id type handlers get (the domain's, where it has one).
pub trait Kind {
    const WHAT: &'static str;
    const PARAM: &'static str;
    type Id;
    fn id(raw: i64) -> Self::Id;
}

/// An id in the address, as the id of a `K`: anything but a positive whole number names
/// nothing, and is answered with the 404 page an unknown `K` gets.
pub struct PathId<K: Kind>(pub K::Id);

impl<S: Send + Sync, K: Kind> FromRequestParts<S> for PathId<K> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(params) =
            axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|rej| WebError::BadRequest(path_message(&rej)))?;
        params
            .iter()
            .find(|(name, _)| name == K::PARAM)
            .and_then(|(_, raw)| parse_id(raw))
            .map(|n| PathId(K::id(n)))
            .ok_or(PageError::not_found(K::WHAT))
    }
}

/// `Query<T>` whose rejection is an HTML 400 page instead of plain text.
pub struct PageQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(PageQuery(v)),
            Err(rej) => Err(WebError::BadRequest(query_message(&rej)).into()),
        }
    }
}

fn query_message(rej: &QueryRejection) -> String {
    format!("the address does not fit this page: {}", rej.body_text())
}

/// Path segments that are not ids (a link's token, a file's name), as text.
pub struct PagePath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PagePath(v)),
            Err(rej) => Err(WebError::BadRequest(path_message(&rej)).into()),
        }
    }
}

fn path_message(rej: &PathRejection) -> String {
    format!("the address does not fit this page: {}", rej.body_text())
}

/// `Form<T>` whose rejection (wrong content type, too large, malformed) is an HTML page, for
/// the forms sent without a session (signing in, joining, a link from a letter).
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Form::<T>::from_request(req, state).await {
            Ok(axum::extract::Form(v)) => Ok(PageForm(v)),
            Err(rej) => Err(form_error(rej).into()),
        }
    }
}

fn form_error(rej: FormRejection) -> WebError {
    match rej {
        FormRejection::InvalidFormContentType(_) => form_type_error(),
        FormRejection::BytesRejection(_) => WebError::TooLarge,
        other => WebError::BadRequest(format!("the form does not fit: {}", other.body_text())),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use http_body_util::BodyExt;
    use serde::Deserialize;

    use super::*;
    use crate::pages::errors::tests::{TOKEN, session};

    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }

    /// `body` posted as a form by the member whose session [`session`] is.
    fn posted(body: &str) -> Request {
        let mut req = Request::post("/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .expect("a request");
        req.extensions_mut()
            .insert(MaybeSession(Some(Arc::new(session()))));
        req
    }

    /// The status and page a refusal is answered with.
    async fn page(err: PageError) -> (StatusCode, String) {
        let resp: Response = err.into_response();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("the body");
        (
            status,
            String::from_utf8_lossy(&bytes.to_bytes()).into_owned(),
        )
    }

    async fn read_once(body: &str) -> Result<u32, (StatusCode, String)> {
        match CsrfForm::<Count>::from_request(posted(body), &()).await {
            Ok(CsrfForm(form)) => Ok(form.n),
            Err(err) => Err(page(err).await),
        }
    }

    /// How the form was answered when it was read twice through axum's `Form`, as
    /// [`PageForm`] reads it: once for its fields, then again for its token.
    async fn read_twice(body: &str) -> Result<u32, (StatusCode, String)> {
        let form = match PageForm::<Count>::from_request(posted(body), &()).await {
            Ok(PageForm(form)) => form,
            Err(err) => return Err(page(err).await),
        };
        let token = match PageForm::<CsrfOnly>::from_request(posted(body), &()).await {
            Ok(PageForm(only)) => only.csrf,
            Err(err) => return Err(page(err).await),
        };
        match checked(Some(&session()), &token, &HeaderMap::new()) {
            Ok(()) => Ok(form.n),
            Err(err) => Err(page(err.into()).await),
        }
    }

    /// Read once, a form is answered in the very words it was answered with when it was read
    /// twice: a malformed form as [`PageForm`] describes it, then a wrong token.
    #[tokio::test]
    async fn a_form_read_once_is_answered_as_before() {
        let bodies = [
            format!("n=1&csrf={TOKEN}"),
            format!("csrf={TOKEN}&n=7&other=x"),
            format!("n=abc&csrf={TOKEN}"),
            format!("n=-1&csrf={TOKEN}"),
            format!("csrf={TOKEN}"),
            format!("n=1&n=2&csrf={TOKEN}"),
            format!("n=1&csrf={TOKEN}&csrf={TOKEN}"),
            "n=1&csrf=forged".to_string(),
            "n=1".to_string(),
            "n=abc".to_string(),
            "n=%FF%FE&csrf=x".to_string(),
            String::new(),
        ];
        for body in &bodies {
            let once = read_once(body).await;
            assert_eq!(once, read_twice(body).await, "{body}");
            if let Err((status, page)) = &once {
                assert!(
                    *status == StatusCode::FORBIDDEN
                        || page.contains("the form does not fit: Failed to deserialize form body"),
                    "{body}: {status} {page}"
                );
            }
        }
        assert_eq!(read_once(&format!("n=7&csrf={TOKEN}")).await, Ok(7));
        let (status, page) = read_once("n=abc&csrf=x").await.expect_err("refused");
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("n: invalid digit found in string"), "{page}");
    }

    /// A form that does not read is refused as such even without a session: what was sent
    /// is judged before who sent it.
    #[tokio::test]
    async fn a_form_that_does_not_fit_is_refused_before_its_token_is_checked() {
        let mut req = posted("n=abc");
        req.extensions_mut().remove::<MaybeSession>();
        let err = CsrfForm::<Count>::from_request(req, &())
            .await
            .err()
            .expect("refused");
        assert_eq!(page(err).await.0, StatusCode::BAD_REQUEST);

        let mut req = posted("n=1");
        req.extensions_mut().remove::<MaybeSession>();
        let err = CsrfForm::<Count>::from_request(req, &())
            .await
            .err()
            .expect("refused");
        assert_eq!(page(err).await.0, StatusCode::FORBIDDEN);
    }
}
