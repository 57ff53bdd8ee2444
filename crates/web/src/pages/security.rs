//! Signed-in account pages: "Sign-in and security" (password, email address, the
//! organisation's two-factor policy for national officers), two-factor enrolment, and
//! officers' invitations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use charter_app::two_factor::{Enrolment, TwoFactorStatus};
use secrecy::SecretString;
use serde::Deserialize;

use super::forms::{CsrfOnly, Errors, field_errors};
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, render};
use crate::AppState;
use crate::session::{CurrentSession, OwnRecordUser, PageUser};

const PASSWORD_FIELDS: &[&str] = &["current_password", "new_password", "new_password_again"];
const EMAIL_FIELDS: &[&str] = &["email", "email_current_password"];

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    notice: Option<&'static str>,
    email: String,
    pending_email: Option<String>,
    two_factor: TwoFactorStatus,
    may_set_policy: bool,
    password_errors: Errors,
    email_errors: Errors,
    email_value: String,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn notice(saved: Option<&str>) -> Option<&'static str> {
    match saved? {
        "password" => Some("Your password is changed. You are signed out everywhere else."),
        "email" => Some(
            "A link is on its way to the new address. Your address changes when you follow it; until then letters go to the current one.",
        ),
        "policy-on" => Some("Office holders must now sign in with a second factor."),
        "policy-off" => Some("Office holders no longer must sign in with a second factor."),
        "two-factor-off" => Some("Two-factor sign-in is off."),
        _ => None,
    }
}

async fn security_page(
    state: &AppState,
    session: &CurrentSession,
    status: StatusCode,
    notice: Option<&'static str>,
    password_errors: Errors,
    email_errors: Errors,
    email_value: String,
) -> PageResult {
    let app = &state.app;
    let actor = &session.actor;
    let loaded = async {
        let email = app.own_email(actor).await?;
        let pending = app.pending_email(actor, actor.member).await?;
        let two_factor = app.two_factor_status(actor).await?;
        let may_set_policy = app.may_set_account_policy(actor).await?;
        Ok::<_, charter_app::AppError>((email, pending, two_factor, may_set_policy))
    }
    .await;
    let (email, pending, two_factor, may_set_policy) = loaded?;
    let page = SecurityPage {
        layout: Layout::new("Sign-in and security", Some(session), "me"),
        notice,
        email,
        pending_email: pending.map(|p| p.new_email),
        two_factor,
        may_set_policy,
        password_errors,
        email_errors,
        email_value,
    };
    Ok(render(status, &page))
}

pub async fn page(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    security_page(
        &state,
        &session,
        StatusCode::OK,
        notice(q.saved.as_deref()),
        Errors::none("pw-", PASSWORD_FIELDS),
        Errors::none("em-", EMAIL_FIELDS),
        String::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let result = if form.new_password != form.new_password_again {
        Err(charter_app::AppError::invalid(
            "new_password_again",
            "the two new passwords typed differ",
        ))
    } else {
        state
            .app
            .change_password(
                &session.actor,
                Some(&session.token),
                &SecretString::from(form.current_password),
                &SecretString::from(form.new_password),
            )
            .await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/me/security?saved=password").into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            security_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Errors::new("pw-", PASSWORD_FIELDS, errs),
                Errors::none("em-", EMAIL_FIELDS),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
    email_current_password: String,
}

pub async fn change_email(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    let result = state
        .app
        .request_email_change(
            &session.actor,
            &SecretString::from(form.email_current_password),
            &form.email,
        )
        .await;
    match result {
        Ok(()) => Ok(Redirect::to("/me/security?saved=email").into_response()),
        Err(e) => {
            let mut errs = field_errors(e)?;
            if let Some(m) = errs.remove("current_password") {
                errs.insert("email_current_password".into(), m);
            }
            security_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Errors::none("pw-", PASSWORD_FIELDS),
                Errors::new("em-", EMAIL_FIELDS, errs),
                form.email,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PolicyForm {
    required: String,
}

pub async fn set_policy(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> PageResult {
    let required = form.required == "yes";
    state
        .app
        .set_two_factor_required(&session.actor, required)
        .await?;
    Ok(Redirect::to(if required {
        "/me/security?saved=policy-on"
    } else {
        "/me/security?saved=policy-off"
    })
    .into_response())
}

// ---------------------------------------------------------------- two-factor enrolment

const CODE_FIELDS: &[&str] = &["code", "password"];

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    status: TwoFactorStatus,
    enrolment: Option<Enrolment>,
    recovery_codes: Vec<String>,
    errors: Errors,
}

async fn two_factor_page(
    state: &AppState,
    session: &CurrentSession,
    status_code: StatusCode,
    recovery_codes: Vec<String>,
    errors: Errors,
) -> PageResult {
    let loaded = async {
        let status = state.app.two_factor_status(&session.actor).await?;
        let enrolment = state.app.pending_two_factor(&session.actor).await?;
        Ok::<_, charter_app::AppError>((status, enrolment))
    }
    .await;
    let (status, enrolment) = loaded?;
    let mut resp = render(
        status_code,
        &TwoFactorPage {
            layout: Layout::new("Two-factor sign-in", Some(session), "me"),
            status,
            enrolment,
            recovery_codes,
            errors,
        },
    );
    // The page may show the secret or recovery codes: never cached.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

pub async fn two_factor(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
) -> PageResult {
    two_factor_page(
        &state,
        &session,
        StatusCode::OK,
        Vec::new(),
        Errors::none("", CODE_FIELDS),
    )
    .await
}

pub async fn begin_two_factor(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    match state.app.begin_two_factor(&session.actor).await {
        Ok(_) => Ok(Redirect::to("/me/two-factor").into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            two_factor_page(
                &state,
                &session,
                StatusCode::CONFLICT,
                Vec::new(),
                Errors::new("", CODE_FIELDS, errs),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn confirm_two_factor(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    match state
        .app
        .confirm_two_factor(&session.actor, &form.code)
        .await
    {
        Ok(codes) => {
            two_factor_page(
                &state,
                &session,
                StatusCode::OK,
                codes,
                Errors::none("", CODE_FIELDS),
            )
            .await
        }
        Err(e) => {
            let errs = field_errors(e)?;
            two_factor_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Vec::new(),
                Errors::new("", CODE_FIELDS, errs),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OffForm {
    password: String,
}

pub async fn turn_off_two_factor(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    CsrfForm(form): CsrfForm<OffForm>,
) -> PageResult {
    match state
        .app
        .turn_off_two_factor(&session.actor, &SecretString::from(form.password))
        .await
    {
        Ok(()) => Ok(Redirect::to("/me/security?saved=two-factor-off").into_response()),
        Err(e) => {
            let mut errs = field_errors(e)?;
            if let Some(m) = errs.remove("current_password") {
                errs.insert("password".into(), m);
            }
            two_factor_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Vec::new(),
                Errors::new("", CODE_FIELDS, errs),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- invitations

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    layout: Layout,
    waiting: usize,
    invited: Option<usize>,
    days: i64,
}

async fn invitations_page(
    state: &AppState,
    session: &CurrentSession,
    invited: Option<usize>,
) -> PageResult {
    let waiting = state.app.members_without_password(&session.actor).await?;
    Ok(render(
        StatusCode::OK,
        &InvitationsPage {
            layout: Layout::new("Invite members to sign in", Some(session), "members"),
            waiting,
            invited,
            days: state.app.settings.links.invitation.num_days(),
        },
    ))
}

pub async fn invitations(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    invitations_page(&state, &session, None).await
}

pub async fn invite_all(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    let run = state
        .app
        .invite_all_without_password(&session.actor, &mut |_, _| {})
        .await?;
    invitations_page(&state, &session, Some(run.invited)).await
}

pub async fn invite_member(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Member>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    state.app.invite_member(&session.actor, id).await?;
    Ok(Redirect::to(&format!("/members/{}?saved=invited", id.0)).into_response())
}
