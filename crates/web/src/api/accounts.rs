//! Accounts: invitations, password resets and changes, email changes, two-factor sign-in
//! and the organisation's account policy. Who may do what is decided by the app.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::AppError;
use charter_domain::MemberId;
use secrecy::SecretString;

use super::ClientIp;
use super::wire::{
    AccountPolicyBody, CodeRequest, EmailChangeRequest, EmailConfirmation, InvitationQueued,
    InvitationRequest, InvitationsQueued, PasswordChange, PasswordOnly, PasswordResetRequest,
    PasswordWithLink, RecoveryCodes, SessionInfo, TwoFactorEnrolment, TwoFactorState,
};
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody, WebError};
use crate::session::{
    ApiOwnRecordUser, ApiUser, COOKIE_NAME, same_origin, sign_in_allowed, sign_in_outcome,
};

/// Invite a member to choose a password: a letter with a single-use link that expires.
/// Inviting again sends a new link and stops the earlier one working.
#[utoipa::path(
    post,
    path = "/api/v1/invitations",
    operation_id = "invite_member",
    tag = "accounts",
    security(("session" = [])),
    request_body = InvitationRequest,
    responses(
        (status = 202, description = "The invitation is queued", body = InvitationQueued),
        (status = 403, description = "No office of the caller may edit this member", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "The member has a password, or may not sign in", body = ErrorBody),
    )
)]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<InvitationRequest>,
) -> ApiResult<Response> {
    state
        .app
        .invite_member(&user.actor, MemberId(req.member_id))
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(InvitationQueued {
            member_id: req.member_id,
        }),
    )
        .into_response())
}

/// Invite every member in the caller's scope (where an office of theirs may edit members)
/// who has no password and may sign in.
#[utoipa::path(
    post,
    path = "/api/v1/invitations/without-password",
    operation_id = "invite_all_without_password",
    tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 202, description = "The invitations are queued", body = InvitationsQueued),
        (status = 403, description = "No office of the caller may edit members", body = ErrorBody),
    )
)]
pub async fn invite_all(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Response> {
    let run = state
        .app
        .invite_all_without_password(&user.actor, &mut |_, _| {})
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(InvitationsQueued {
            found: run.found,
            invited: run.invited,
        }),
    )
        .into_response())
}

/// Ask for a password reset link by email. The answer is the same whether or not the
/// address belongs to a member, and comes before any work on it.
#[utoipa::path(
    post,
    path = "/api/v1/password-resets",
    operation_id = "request_password_reset",
    tag = "accounts",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address is a member's, a link is on its way"),
        (status = 403, description = "Sent from another site", body = ErrorBody),
        (status = 422, description = "Not an email address", body = ErrorBody),
        (status = 429, description = "Too many requests; see Retry-After", body = ErrorBody,
            headers(("retry-after" = String, description = "Seconds to wait"))),
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<Response> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    crate::pages::request_reset(&state, ip, &req.email)?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Choose a password with the token from an invitation or reset letter. The link works
/// once; every session of the member ends.
#[utoipa::path(
    post,
    path = "/api/v1/passwords",
    operation_id = "set_password_with_link",
    tag = "accounts",
    request_body = PasswordWithLink,
    responses(
        (status = 204, description = "The password is set; sign in with it"),
        (status = 409, description = "The link was used meanwhile", body = ErrorBody),
        (status = 422, description = "The link cannot be used, or the password is too short or long", body = ErrorBody),
    )
)]
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PasswordWithLink>,
) -> ApiResult<Response> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    state
        .app
        .set_password_with_link(&req.token, &SecretString::from(req.password))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Change my password with my current one; my other sessions end.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    operation_id = "change_password",
    tag = "accounts",
    security(("session" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every other session of mine has ended"),
        (status = 422, description = "The current password is wrong, or the new one too short or long", body = ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<Response> {
    state
        .app
        .change_password(
            &user.actor,
            Some(&user.token),
            &SecretString::from(req.current_password),
            &SecretString::from(req.new_password),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ask to use a new email address, with my current password: a link goes to the new
/// address, and the address changes when it is followed.
#[utoipa::path(
    post,
    path = "/api/v1/me/email-changes",
    operation_id = "request_email_change",
    tag = "accounts",
    security(("session" = [])),
    request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "A confirmation link is on its way to the new address"),
        (status = 409, description = "Another member uses that address", body = ErrorBody),
        (status = 422, description = "Not an address, or the current password is wrong", body = ErrorBody),
    )
)]
pub async fn request_email_change(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiJson(req): ApiJson<EmailChangeRequest>,
) -> ApiResult<Response> {
    state
        .app
        .request_email_change(
            &user.actor,
            &SecretString::from(req.current_password),
            &req.email,
        )
        .await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Confirm a new email address with the token sent to it (and the member's password when an
/// officer proposed the address).
#[utoipa::path(
    post,
    path = "/api/v1/email-confirmations",
    operation_id = "confirm_email_change",
    tag = "accounts",
    request_body = EmailConfirmation,
    responses(
        (status = 204, description = "The address is changed; the old one is told"),
        (status = 409, description = "Another member uses that address, or the link was used meanwhile", body = ErrorBody),
        (status = 422, description = "The link cannot be used, or the password is missing or wrong", body = ErrorBody),
    )
)]
pub async fn confirm_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EmailConfirmation>,
) -> ApiResult<Response> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let password = req.password.map(SecretString::from);
    state
        .app
        .confirm_email_change(&req.token, password.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Complete a sign-in that waits for its second factor, with a current code or an unused
/// recovery code. Each code is accepted once.
#[utoipa::path(
    post,
    path = "/api/v1/session/two-factor",
    operation_id = "verify_second_factor",
    tag = "session",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Signed in", body = SessionInfo),
        (status = 401, description = "No sign-in waits for a code", body = ErrorBody),
        (status = 422, description = "The code is wrong or was used already", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    )
)]
pub async fn verify_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Json<SessionInfo>> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_string()).filter_map(Result::ok))
        .find(|c| c.name() == COOKIE_NAME)
        .map(|c| c.value().to_string())
        .ok_or(WebError::App(AppError::Unauthenticated))?;
    let pending = state
        .app
        .pending_session(&token)
        .await?
        .ok_or(WebError::App(AppError::Unauthenticated))?;
    let key = format!("code:{}", pending.member.0);
    sign_in_allowed(&state, ip, &key)?;
    let result = state.app.verify_second_factor(&token, &req.code).await;
    sign_in_outcome(&state, ip, &key, result.is_ok());
    let record = result?;
    Ok(Json(SessionInfo {
        member_id: record.member.0,
        csrf_token: record.csrf_token,
        expires_at: record.expires_at,
        second_factor_pending: false,
    }))
}

/// My two-factor sign-in.
#[utoipa::path(
    get,
    path = "/api/v1/me/two-factor",
    operation_id = "get_two_factor",
    tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 200, body = TwoFactorState),
    )
)]
pub async fn two_factor(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
) -> ApiResult<Json<TwoFactorState>> {
    Ok(Json(state.app.two_factor_status(&user.actor).await?.into()))
}

/// Start turning on two-factor sign-in: a new secret for my authenticator app, waiting for
/// its first code.
#[utoipa::path(
    post,
    path = "/api/v1/me/two-factor",
    operation_id = "begin_two_factor",
    tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 201, description = "Add the secret to an authenticator app, then confirm with a code", body = TwoFactorEnrolment),
        (status = 409, description = "Two-factor sign-in is already on", body = ErrorBody),
    )
)]
pub async fn begin_two_factor(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
) -> ApiResult<Response> {
    let e = state.app.begin_two_factor(&user.actor).await?;
    let mut resp = (
        StatusCode::CREATED,
        Json(TwoFactorEnrolment {
            secret: e.secret,
            otpauth_uri: e.uri,
        }),
    )
        .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// Turn on two-factor sign-in with the first code from the app; answers with the recovery
/// codes, shown only now.
#[utoipa::path(
    post,
    path = "/api/v1/me/two-factor/confirmation",
    operation_id = "confirm_two_factor",
    tag = "accounts",
    security(("session" = [])),
    request_body = CodeRequest,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 409, description = "The enrolment was replaced meanwhile", body = ErrorBody),
        (status = 422, description = "The code is wrong, or no enrolment was started", body = ErrorBody),
    )
)]
pub async fn confirm_two_factor(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Response> {
    let codes = state.app.confirm_two_factor(&user.actor, &req.code).await?;
    let mut resp = Json(RecoveryCodes {
        recovery_codes: codes,
    })
    .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// Turn off two-factor sign-in, with my password (refused while the organisation requires it
/// of an office I hold).
#[utoipa::path(
    post,
    path = "/api/v1/me/two-factor/removal",
    operation_id = "turn_off_two_factor",
    tag = "accounts",
    security(("session" = [])),
    request_body = PasswordOnly,
    responses(
        (status = 204, description = "Off"),
        (status = 404, description = "It was not on", body = ErrorBody),
        (status = 409, description = "Required of an office the caller holds", body = ErrorBody),
        (status = 422, description = "The password is wrong", body = ErrorBody),
    )
)]
pub async fn turn_off_two_factor(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiJson(req): ApiJson<PasswordOnly>,
) -> ApiResult<Response> {
    state
        .app
        .turn_off_two_factor(&user.actor, &SecretString::from(req.password))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The organisation's account policy.
#[utoipa::path(
    get,
    path = "/api/v1/account-policy",
    operation_id = "get_account_policy",
    tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 200, body = AccountPolicyBody),
    )
)]
pub async fn policy(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> ApiResult<Json<AccountPolicyBody>> {
    let p = state.app.account_policy().await?;
    Ok(Json(AccountPolicyBody {
        two_factor_required: p.two_factor_required,
    }))
}

/// Require office holders to sign in with a second factor, or stop requiring it: a national
/// officer who may edit members; recorded in the governance log.
#[utoipa::path(
    put,
    path = "/api/v1/account-policy",
    operation_id = "set_account_policy",
    tag = "accounts",
    security(("session" = [])),
    request_body = AccountPolicyBody,
    responses(
        (status = 200, body = AccountPolicyBody),
        (status = 403, description = "Not a national officer who may edit members", body = ErrorBody),
    )
)]
pub async fn set_policy(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<AccountPolicyBody>,
) -> ApiResult<Json<AccountPolicyBody>> {
    state
        .app
        .set_two_factor_required(&user.actor, req.two_factor_required)
        .await?;
    Ok(Json(req))
}
