//! Minutes: saving the draft, and putting an earlier meeting's minutes for approval.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use charter_app::AppError;
use serde::Deserialize;

use super::page::after_meeting_form;
use crate::AppState;
use crate::pages::{PageForm, PagePath, error_page, not_found, parse_id};
use crate::session::{CurrentSession, PageUser, check_csrf};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MinutesForm {
    pub csrf: String,
    pub text: String,
    pub of_meeting: String,
}

/// Saving the draft minutes, or putting an earlier meeting's for approval; a refusal is
/// shown on the meeting page.
async fn minutes_form(
    state: &AppState,
    session: &CurrentSession,
    headers: &HeaderMap,
    raw: &str,
    form: &MinutesForm,
    approve: bool,
) -> Response {
    let Some(id) = parse_id(raw) else {
        return not_found(Some(session), "meeting");
    };
    if let Err(e) = check_csrf(session, &form.csrf, headers) {
        return error_page(Some(session), e);
    }
    let result = if approve {
        match parse_id(&form.of_meeting) {
            Some(of) => state
                .app
                .put_minutes_for_approval(&session.actor, id, of)
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
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MinutesForm>,
) -> Response {
    minutes_form(&state, &session, &headers, &raw, &form, false).await
}

pub async fn approve_minutes(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MinutesForm>,
) -> Response {
    minutes_form(&state, &session, &headers, &raw, &form, true).await
}
