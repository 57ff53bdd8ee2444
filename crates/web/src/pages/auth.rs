//! The start page, signing in and signing out.

use askama::Template;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::forms::CsrfOnly;
use super::{CsrfForm, Layout, PageForm, PageQuery, PageResult, error_page, render};
use crate::AppState;
use crate::error::WebError;
use crate::session::{
    AnySession, OwnRecordUser, clear_cookie, client_ip, safe_next, same_origin, session_cookie,
    sign_in_allowed, sign_in_outcome, url_encode,
};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

/// Signed-in members go straight to their membership; everyone else gets a short welcome.
pub async fn home(AnySession(session): AnySession) -> Response {
    if session.is_some() {
        return Redirect::to("/me").into_response();
    }
    render(
        StatusCode::OK,
        &HomePage {
            layout: Layout::new("Welcome", None, "home"),
        },
    )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn sign_in_page(status: StatusCode, email: &str, next: &str, error: Option<String>) -> Response {
    render(
        status,
        &SignInPage {
            layout: Layout::new("Sign in", None, "sign-in"),
            email: email.to_string(),
            next: next.to_string(),
            error,
            notice: None,
        },
    )
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

/// What the sign-in page says after a step done elsewhere.
fn sign_in_notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "password" => Some("Your password is set. Sign in with it."),
        "email" => Some("Your new email address is confirmed. Sign in with it."),
        _ => None,
    }
}

pub async fn sign_in_form(
    AnySession(session): AnySession,
    PageQuery(q): PageQuery<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if session.is_some() {
        return Redirect::to(&landing(&next)).into_response();
    }
    render(
        StatusCode::OK,
        &SignInPage {
            layout: Layout::new("Sign in", None, "sign-in"),
            email: String::new(),
            next,
            error: None,
            notice: sign_in_notice(q.done.as_deref()),
        },
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Where to go after signing in: the page that sent the member here, else their membership.
pub(super) fn landing(next: &str) -> String {
    if next == "/" {
        "/me".to_string()
    } else {
        next.to_string()
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    PageForm(form): PageForm<SignInForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    // A sign-in form posted from another site would sign the victim in as the attacker.
    if !same_origin(&headers) {
        return error_page(None, WebError::Csrf);
    }
    let ip = client_ip(&state, &ext, &headers);
    if let Err(e) = sign_in_allowed(&state, ip, &form.email) {
        let mut resp = sign_in_page(
            StatusCode::TOO_MANY_REQUESTS,
            &form.email,
            &next,
            Some(e.to_string()),
        );
        if let Some(secs) = e.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        return resp;
    }
    let password = SecretString::from(form.password);
    let result = state.app.sign_in(&form.email, password).await;
    sign_in_outcome(
        &state,
        ip,
        &form.email,
        !matches!(result, Err(AppError::BadCredentials)),
    );
    match result {
        Ok((token, record)) => {
            let cookie = session_cookie(
                token.0.expose_secret(),
                state.config.secure_cookies,
                state.app.settings.session_hours,
            );
            let to = if record.second_factor_pending {
                format!("/sign-in/two-factor?next={}", url_encode(&next))
            } else {
                landing(&next)
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
        }
        Err(AppError::BadCredentials) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            &form.email,
            &next,
            Some(AppError::BadCredentials.to_string()),
        ),
        Err(AppError::Invalid(fields)) => {
            let msg = fields.0.values().cloned().collect::<Vec<_>>().join("; ");
            sign_in_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.email,
                &next,
                Some(msg),
            )
        }
        Err(AppError::Forbidden(msg)) => {
            sign_in_page(StatusCode::FORBIDDEN, &form.email, &next, Some(msg))
        }
        Err(e) => error_page(None, WebError::App(e)),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    state.app.sign_out(&session.token).await?;
    Ok((
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
        Redirect::to("/"),
    )
        .into_response())
}
