//! Leaving: "Resign my membership" from My membership, a page that says what resigning
//! means and asks to confirm it, and the page a former member lands on, signed out.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::leaving::{ResignationRequest, ResignationTerms};
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::{CsrfForm, Layout, PageResult, render};
use crate::AppState;
use crate::session::{CurrentSession, OwnRecordUser, clear_cookie};

const RESIGN_FIELDS: &[&str] = &["confirm", "reason"];

#[derive(Template)]
#[template(path = "resign.html")]
struct ResignPage {
    layout: Layout,
    terms: ResignationTerms,
    reason: String,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ResignForm {
    pub confirm: String,
    pub reason: String,
}

async fn resign_page(
    state: &AppState,
    session: &CurrentSession,
    status: StatusCode,
    reason: String,
    errors: Errors,
) -> PageResult {
    let terms = state.app.resignation_terms(&session.actor).await?;
    Ok(render(
        status,
        &ResignPage {
            layout: Layout::new("Resign my membership", Some(session), "me"),
            terms,
            reason,
            errors,
        },
    ))
}

/// `/me/resign`: what resigning means, and the button. A restricted session may resign too
/// (a suspended member may leave); the app refuses an expelled member.
pub async fn confirm(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
) -> PageResult {
    resign_page(
        &state,
        &session,
        StatusCode::OK,
        String::new(),
        Errors::none("", RESIGN_FIELDS),
    )
    .await
}

/// Resigns, then clears the cookie (the app has ended every session) and says goodbye.
pub async fn resign(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    CsrfForm(form): CsrfForm<ResignForm>,
) -> PageResult {
    let req = ResignationRequest {
        confirm: !form.confirm.is_empty(),
        reason: form.reason.clone(),
    };
    match state.app.resign(&session.actor, &req).await {
        Ok(()) => Ok((
            [(
                header::SET_COOKIE,
                clear_cookie(state.config.secure_cookies),
            )],
            Redirect::to("/resigned"),
        )
            .into_response()),
        Err(e) => {
            let status = match &e {
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let fields = field_errors(e)?;
            resign_page(
                &state,
                &session,
                status,
                form.reason,
                Errors::new("", RESIGN_FIELDS, fields),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "resigned.html")]
struct ResignedPage {
    layout: Layout,
}

/// Where a member lands after resigning, signed out.
pub async fn resigned() -> Response {
    render(
        StatusCode::OK,
        &ResignedPage {
            layout: Layout::new("You have resigned", None, ""),
        },
    )
}
