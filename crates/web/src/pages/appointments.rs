//! Appointment motions on a meeting's page: the form to propose one, and a note on each
//! saying whom it would appoint (only if the meeting's decision binds).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::appointments::AppointmentRequest;
use charter_domain::{MemberId, MotionState, OfficeId};
use charter_model::{MotionId, MotionRecord};
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::meetings::{Input, meeting_page};
use super::view::date;
use super::{CsrfForm, PageResult, PathId, ids, parse_id};
use crate::AppState;
use crate::session::PageUser;

const FIELDS: &[&str] = &["office_id", "member_id"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AppointForm {
    pub office: String,
    pub member: String,
}

pub fn no_errors() -> Errors {
    Errors::none("ap-", FIELDS)
}

/// For each appointment motion, what it would do, in words.
pub async fn notes(
    state: &AppState,
    motions: &[MotionRecord],
) -> Result<BTreeMap<MotionId, String>, AppError> {
    let mut out = BTreeMap::new();
    for m in motions.iter().filter(|m| m.kind == "appointment") {
        if let Some(a) = state.app.motion_appointment(m.id).await? {
            let until = match a.term.ends_on {
                Some(end) => format!("until {}", date(end)),
                None => "until the next appointment".to_string(),
            };
            let done = if m.state == MotionState::Adopted {
                "appointed"
            } else {
                "appoints, if the decision binds,"
            };
            out.insert(
                m.id,
                format!(
                    "{done} {} as {} of {} from {} {until} (clause {})",
                    a.member_name,
                    a.office_kind.title().to_lowercase(),
                    a.unit_name,
                    date(a.term.starts_on),
                    a.clause
                ),
            );
        }
    }
    Ok(out)
}

pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<AppointForm>,
) -> PageResult {
    let mut errs = BTreeMap::new();
    let office = parse_id(&form.office);
    if office.is_none() {
        errs.insert("office_id".to_string(), "choose the office".to_string());
    }
    let member = parse_id(&form.member);
    if member.is_none() {
        errs.insert(
            "member_id".to_string(),
            "give the member's number, a whole number".to_string(),
        );
    }
    let result = match (office, member) {
        (Some(office), Some(member)) => {
            state
                .app
                .propose_appointment(
                    &session.actor,
                    id,
                    &AppointmentRequest {
                        office: OfficeId(office),
                        member: MemberId(member),
                        text: None,
                    },
                )
                .await
        }
        _ => Err(AppError::Invalid(charter_domain::FieldErrors(errs))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?saved=proposed")).into_response()),
        Err(e) => {
            let input = Input {
                appoint_errors: Errors::new("ap-", FIELDS, field_errors(e)?),
                appoint_form: form,
                ..Input::plain(None)
            };
            meeting_page(&state, &session, id, input).await
        }
    }
}
