//! Discipline motions on a meeting's page: the form to propose suspending or expelling a
//! member, shown only where the constitution lets this meeting's body decide it.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::discipline::DisciplineRequest;
use charter_domain::MemberId;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::meetings::{Input, meeting_page};
use super::{CsrfForm, PageResult, PathId, ids, parse_id};
use crate::AppState;
use crate::session::PageUser;

const FIELDS: &[&str] = &["status", "member_id", "grounds"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisciplineForm {
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
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<DisciplineForm>,
) -> PageResult {
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
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?saved=proposed")).into_response()),
        Err(e) => {
            let input = Input {
                discipline_errors: Errors::new("dc-", FIELDS, field_errors(e)?),
                discipline_form: form,
                ..Input::plain(None)
            };
            meeting_page(&state, &session, id, input).await
        }
    }
}
