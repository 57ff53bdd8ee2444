//! Discipline motions on a meeting's page: the form to propose suspending or expelling a
//! member, shown only where the constitution lets this meeting's body decide it.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::discipline::DisciplineRequest;
use charter_domain::MemberId;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::meetings::{Input, meeting_page};
use super::{PageForm, PagePath, app_error, error_page, not_found, parse_id};
use crate::AppState;
use crate::session::{PageUser, check_csrf};

const FIELDS: &[&str] = &["status", "member_id", "grounds"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisciplineForm {
    pub csrf: String,
    pub status: String,
    pub member: String,
    pub grounds: String,
}

pub fn no_errors() -> Errors {
    Errors::none("dc-", FIELDS)
}

/// `POST /meetings/{id}/discipline`.
pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<DisciplineForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let result = match parse_id(&form.member) {
        Some(member) => {
            state
                .app
                .propose_discipline(
                    &session.actor,
                    id,
                    &DisciplineRequest {
                        member: MemberId(member),
                        to: form.status.clone(),
                        grounds: form.grounds.clone(),
                    },
                )
                .await
        }
        None => {
            let mut errs = BTreeMap::new();
            errs.insert(
                "member_id".to_string(),
                "give the member's number, a whole number".to_string(),
            );
            Err(AppError::Invalid(charter_domain::FieldErrors(errs)))
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/meetings/{id}?saved=proposed")).into_response(),
        Err(AppError::NotFound(w)) => not_found(Some(&session), w),
        Err(AppError::Forbidden(why)) => app_error(&session, AppError::Forbidden(why)),
        Err(e) => match field_errors(e) {
            Ok(errs) => {
                let input = Input {
                    discipline_errors: Errors::new("dc-", FIELDS, errs),
                    discipline_form: form,
                    ..Input::plain(None)
                };
                meeting_page(&state, &session, id, input).await
            }
            Err(e) => app_error(&session, e),
        },
    }
}
