//! Pages reached signed out: "Forgot your password?", the links sent by email (choosing a
//! password, confirming an address) and the second step of signing in with a code.
//!
//! These forms have no session to carry a CSRF token (the code step's pending session does),
//! so each checks that the browser sent it from this site; the token in a link's address is
//! the credential, and each page is `no-store`.

use askama::Template;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_domain::LinkPurpose;
use secrecy::SecretString;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::{Layout, PageError, PageForm, PagePath, PageQuery, PageResult, error_page, render};
use crate::AppState;
use crate::error::WebError;
use crate::session::{COOKIE_NAME, client_ip, safe_next, same_origin, sign_in_outcome, url_encode};

/// Pages behind a link's token are never kept by a cache.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

// ---------------------------------------------------------------- forgot your password

const FORGOT_FIELDS: &[&str] = &["email"];

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    errors: Errors,
    sent: bool,
    minutes: i64,
}

fn forgot_page(
    state: &AppState,
    status: StatusCode,
    email: &str,
    errors: Errors,
    sent: bool,
) -> Response {
    render(
        status,
        &ForgotPage {
            layout: Layout::new("Forgot your password?", None, "sign-in"),
            email: email.to_string(),
            errors,
            sent,
            minutes: state.app.settings.links.password_reset.num_minutes(),
        },
    )
}

pub async fn forgot_form(State(state): State<AppState>) -> Response {
    forgot_page(
        &state,
        StatusCode::OK,
        "",
        Errors::none("", FORGOT_FIELDS),
        false,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    PageForm(form): PageForm<ForgotForm>,
) -> Response {
    if !same_origin(&headers) {
        return error_page(None, WebError::Csrf);
    }
    let ip = client_ip(&state, &ext, &headers);
    match request_reset(&state, ip, &form.email) {
        Ok(()) => forgot_page(
            &state,
            StatusCode::OK,
            "",
            Errors::none("", FORGOT_FIELDS),
            true,
        ),
        Err(WebError::App(e)) => match field_errors(e) {
            Ok(errs) => forgot_page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.email,
                Errors::new("", FORGOT_FIELDS, errs),
                false,
            ),
            Err(e) => error_page(None, WebError::App(e)),
        },
        Err(e) => error_page(None, e),
    }
}

/// Checks the address reads and the limits allow it, then asks for the reset without waiting
/// for it: the answer comes at once and is the same whether or not the address is known.
pub(crate) fn request_reset(
    state: &AppState,
    ip: std::net::IpAddr,
    email: &str,
) -> Result<(), WebError> {
    let parsed = charter_domain::Email::parse(email)
        .map_err(|e| WebError::App(AppError::invalid("email", e)))?;
    let now = std::time::Instant::now();
    state
        .reset_limits
        .check(parsed.as_str(), ip, now)
        .map_err(WebError::RateLimited)?;
    // Each request counts: one address cannot have letters sent to one mailbox again and again.
    state.reset_limits.failed(parsed.as_str(), ip, now);
    let app = state.app.clone();
    tokio::spawn(async move {
        if let Err(e) = app.request_password_reset(parsed.as_str()).await {
            tracing::error!(error = %e, "a password reset could not be queued");
        }
    });
    Ok(())
}

// ---------------------------------------------------------------- set a password

const PASSWORD_FIELDS: &[&str] = &["password", "password_again"];

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    token: String,
    /// The link cannot be used: why.
    gone: Option<String>,
    invitation: bool,
    email: String,
    first_name: String,
    errors: Errors,
}

async fn set_password_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    let page = match state.app.password_link(token).await {
        Ok(link) => SetPasswordPage {
            layout: Layout::new("Choose your password", None, "sign-in"),
            token: token.to_string(),
            gone: None,
            invitation: link.purpose == LinkPurpose::Invitation,
            email: link.email,
            first_name: link.first_name,
            errors,
        },
        Err(AppError::Invalid(f)) => SetPasswordPage {
            layout: Layout::new("This link cannot be used", None, "sign-in"),
            token: String::new(),
            gone: Some(f.0.into_values().collect::<Vec<_>>().join("; ")),
            invitation: false,
            email: String::new(),
            first_name: String::new(),
            errors: Errors::none("", PASSWORD_FIELDS),
        },
        Err(AppError::NotFound(_)) => {
            return Err(PageError::signed_out(AppError::NotFound("link")));
        }
        Err(e) => return Err(PageError::signed_out(e)),
    };
    let status = if page.gone.is_some() {
        StatusCode::GONE
    } else {
        status
    };
    Ok(no_store(render(status, &page)))
}

pub async fn set_password_form(
    State(state): State<AppState>,
    PagePath(token): PagePath<String>,
) -> PageResult {
    set_password_page(
        &state,
        &token,
        StatusCode::OK,
        Errors::none("", PASSWORD_FIELDS),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetPasswordForm {
    password: String,
    password_again: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(token): PagePath<String>,
    PageForm(form): PageForm<SetPasswordForm>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::signed_out(WebError::Csrf));
    }
    if form.password != form.password_again {
        let mut e = std::collections::BTreeMap::new();
        e.insert(
            "password_again".to_string(),
            "the two passwords typed differ".to_string(),
        );
        return set_password_page(
            &state,
            &token,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::new("", PASSWORD_FIELDS, e),
        )
        .await;
    }
    let password = SecretString::from(form.password);
    match state.app.set_password_with_link(&token, &password).await {
        Ok(_) => {
            // Any session in this browser belonged to the sessions just ended.
            let clear = crate::session::clear_cookie(state.config.secure_cookies);
            Ok(no_store(
                (
                    [(header::SET_COOKIE, clear)],
                    Redirect::to("/sign-in?done=password"),
                )
                    .into_response(),
            ))
        }
        Err(e) => match field_errors(e) {
            Ok(errs) if errs.contains_key("token") => {
                set_password_page(
                    &state,
                    &token,
                    StatusCode::OK,
                    Errors::none("", PASSWORD_FIELDS),
                )
                .await
            }
            Ok(errs) => {
                set_password_page(
                    &state,
                    &token,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Errors::new("", PASSWORD_FIELDS, errs),
                )
                .await
            }
            Err(e) => Err(PageError::signed_out(e)),
        },
    }
}

// ---------------------------------------------------------------- confirm an address

const CONFIRM_FIELDS: &[&str] = &["current_password"];

#[derive(Template)]
#[template(path = "confirm_email.html")]
struct ConfirmEmailPage {
    layout: Layout,
    token: String,
    gone: Option<String>,
    new_email: String,
    needs_password: bool,
    errors: Errors,
}

async fn confirm_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    let page = match state.app.email_link(token).await {
        Ok(link) => ConfirmEmailPage {
            layout: Layout::new("Confirm your new email address", None, "sign-in"),
            token: token.to_string(),
            gone: None,
            new_email: link.new_email,
            needs_password: link.needs_password,
            errors,
        },
        Err(AppError::Invalid(f)) => ConfirmEmailPage {
            layout: Layout::new("This link cannot be used", None, "sign-in"),
            token: String::new(),
            gone: Some(f.0.into_values().collect::<Vec<_>>().join("; ")),
            new_email: String::new(),
            needs_password: false,
            errors: Errors::none("", CONFIRM_FIELDS),
        },
        Err(AppError::NotFound(_)) => {
            return Err(PageError::signed_out(AppError::NotFound("link")));
        }
        Err(e) => return Err(PageError::signed_out(e)),
    };
    let status = if page.gone.is_some() {
        StatusCode::GONE
    } else {
        status
    };
    Ok(no_store(render(status, &page)))
}

pub async fn confirm_email_form(
    State(state): State<AppState>,
    PagePath(token): PagePath<String>,
) -> PageResult {
    confirm_page(
        &state,
        &token,
        StatusCode::OK,
        Errors::none("", CONFIRM_FIELDS),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmEmailForm {
    current_password: String,
}

pub async fn confirm_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(token): PagePath<String>,
    PageForm(form): PageForm<ConfirmEmailForm>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::signed_out(WebError::Csrf));
    }
    let password = SecretString::from(form.current_password);
    match state
        .app
        .confirm_email_change(&token, Some(&password))
        .await
    {
        Ok(_) => Ok(no_store(
            Redirect::to("/sign-in?done=email").into_response(),
        )),
        Err(e) => match field_errors(e) {
            Ok(errs) if errs.contains_key("token") => {
                confirm_page(
                    &state,
                    &token,
                    StatusCode::OK,
                    Errors::none("", CONFIRM_FIELDS),
                )
                .await
            }
            Ok(errs) => {
                confirm_page(
                    &state,
                    &token,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Errors::new("", CONFIRM_FIELDS, errs),
                )
                .await
            }
            Err(e) => Err(PageError::signed_out(e)),
        },
    }
}

// ---------------------------------------------------------------- the code step

const CODE_FIELDS: &[&str] = &["code"];

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    layout: Layout,
    next: String,
    csrf: String,
    errors: Errors,
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_string()).filter_map(Result::ok))
        .find(|c| c.name() == COOKIE_NAME)
        .map(|c| c.value().to_string())
}

#[derive(Deserialize)]
pub struct CodeQuery {
    next: Option<String>,
}

pub async fn code_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<CodeQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    let pending = match cookie_token(&headers) {
        Some(t) => state.app.pending_session(&t).await,
        None => Ok(None),
    };
    match pending {
        Ok(Some(record)) => render(
            StatusCode::OK,
            &CodePage {
                layout: Layout::new("Enter your code", None, "sign-in"),
                next,
                csrf: record.csrf_token,
                errors: Errors::none("", CODE_FIELDS),
            },
        ),
        Ok(None) => Redirect::to(&format!("/sign-in?next={}", url_encode(&next))).into_response(),
        Err(e) => error_page(None, WebError::App(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    csrf: String,
    next: String,
}

pub async fn code(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> PageResult {
    let next = safe_next(Some(&form.next));
    let Some(token) = cookie_token(&headers) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let pending = state
        .app
        .pending_session(&token)
        .await
        .map_err(PageError::signed_out)?;
    let Some(record) = pending else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    // The pending session's own token: the member has no full session yet.
    if !same_origin(&headers) || !crate::session::constant_time_eq(&record.csrf_token, &form.csrf) {
        return Err(PageError::signed_out(WebError::Csrf));
    }
    let ip = client_ip(&state, &ext, &headers);
    let key = format!("code:{}", record.member.0);
    crate::session::sign_in_allowed(&state, ip, &key).map_err(PageError::signed_out)?;
    let result = state.app.verify_second_factor(&token, &form.code).await;
    sign_in_outcome(&state, ip, &key, result.is_ok());
    match result {
        Ok(_) => Ok(Redirect::to(&super::auth::landing(&next)).into_response()),
        Err(e) => match field_errors(e) {
            Ok(errs) => Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CodePage {
                    layout: Layout::new("Enter your code", None, "sign-in"),
                    next,
                    csrf: record.csrf_token,
                    errors: Errors::new("", CODE_FIELDS, errs),
                },
            )),
            Err(AppError::Unauthenticated) => Ok(Redirect::to("/sign-in").into_response()),
            Err(e) => Err(PageError::signed_out(e)),
        },
    }
}
