//! Signing in and out. Failed sign-ins back off per (account, client address) pair, under a
//! ceiling per address, so nobody can lock another person out; an unknown email and a wrong
//! password give the same answer after the same work (the app verifies a dummy hash), so the
//! API does not reveal who is a member.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;

use super::ClientIp;
use super::wire::{SessionInfo, SignInRequest};
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::{
    ApiOwnRecordUser, clear_cookie, session_cookie, sign_in_allowed, sign_in_outcome,
};

/// Sign in: sets the session cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(
    post,
    path = "/api/v1/session",
    operation_id = "sign_in",
    tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set (when `second_factor_pending`, it carries the member only after POST /api/v1/session/two-factor)", body = SessionInfo,
            headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 401, description = "Email or password is wrong", body = ErrorBody),
        (status = 403, description = "The membership is closed (resigned); a suspended or expelled member's session reaches only their own record", body = ErrorBody),
        (status = 422, description = "Email or password missing or malformed", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody,
            headers(("retry-after" = String, description = "Seconds to wait"))),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    sign_in_allowed(&state, ip, &req.email)?;
    let result = state
        .app
        .sign_in(&req.email, SecretString::from(req.password))
        .await;
    sign_in_outcome(
        &state,
        ip,
        &req.email,
        !matches!(result, Err(charter_app::AppError::BadCredentials)),
    );
    let (token, record) = result?;
    let cookie = {
        use secrecy::ExposeSecret;
        session_cookie(
            token.0.expose_secret(),
            state.config.secure_cookies,
            state.app.settings.session_hours,
        )
    };
    let body = SessionInfo {
        member_id: record.member.0,
        csrf_token: record.csrf_token,
        expires_at: record.expires_at,
        second_factor_pending: record.second_factor_pending,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Sign out: ends the session and clears the cookie.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    operation_id = "sign_out",
    tag = "session",
    security(("session" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
) -> ApiResult<Response> {
    state.app.sign_out(&user.token).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
    )
        .into_response())
}
