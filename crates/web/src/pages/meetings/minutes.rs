//! Minutes: saving the draft, and putting an earlier meeting's minutes for approval.

use axum::extract::State;
use charter_app::AppError;
use charter_model::MeetingId;
use serde::Deserialize;

use super::page::after_meeting_form;
use crate::AppState;
use crate::pages::{CsrfForm, PageResult, PathId, ids, parse_id};
use crate::session::{CurrentSession, PageUser};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MinutesForm {
    pub text: String,
    pub of_meeting: String,
}

/// Saving the draft minutes, or putting an earlier meeting's for approval; a refusal is
/// shown on the meeting page.
async fn minutes_form(
    state: &AppState,
    session: &CurrentSession,
    id: MeetingId,
    form: &MinutesForm,
    approve: bool,
) -> PageResult {
    let result = if approve {
        match parse_id(&form.of_meeting) {
            Some(of) => state
                .app
                .put_minutes_for_approval(&session.actor, id, MeetingId(of))
                .await
                .map(|_| "minutes-put"),
            None => Err(AppError::invalid(
                "of_meeting",
                "choose the meeting whose minutes are to be approved",
            )),
        }
    } else {
        state
            .app
            .save_minutes(&session.actor, id, &form.text)
            .await
            .map(|()| "minutes")
    };
    let anchored = result.map(|saved| (saved, "minutes".to_string()));
    after_meeting_form(state, session, id, anchored).await
}

pub async fn save_minutes(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<MinutesForm>,
) -> PageResult {
    minutes_form(&state, &session, id, &form, false).await
}

pub async fn approve_minutes(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<MinutesForm>,
) -> PageResult {
    minutes_form(&state, &session, id, &form, true).await
}
