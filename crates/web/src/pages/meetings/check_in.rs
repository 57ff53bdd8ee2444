//! Checking in to a meeting: the link an officer shares, a new check-in code, and the
//! check-in itself (a member with the code, or an officer checking someone in).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use charter_domain::MemberId;
use serde::Deserialize;

use super::page::after_meeting_form;
use crate::AppState;
use crate::error::WebError;
use crate::pages::forms::CsrfOnly;
use crate::pages::{CsrfForm, PagePath, PageResult, PathId, ids, parse_id};
use crate::session::PageUser;

/// `/meetings/{id}/check-in/{code}`: the link an officer shares; it opens the meeting with the
/// code filled in (signing in first if need be), and the member confirms with one button.
pub async fn check_in_link(
    _: PageUser,
    PathId(id): PathId<ids::Meeting>,
    PagePath((_, code)): PagePath<(String, String)>,
) -> Response {
    let code: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    Redirect::to(&format!("/meetings/{id}?code={code}#check-in")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    pub member: String,
    pub code: String,
}

/// A new check-in code, for the officers running the meeting.
pub async fn new_check_in_code(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    let result = state
        .app
        .new_check_in_code(&session.actor, id)
        .await
        .map(|_| ("code", "check-in-code".to_string()));
    after_meeting_form(&state, &session, id, result).await
}

pub async fn check_in(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> PageResult {
    let member = parse_id(&form.member).map(MemberId);
    // Too many wrong codes is a page of its own (429, with when to try again).
    let result = match crate::session::check_in(
        &state,
        &session.actor,
        id,
        member,
        Some(&form.code),
    )
    .await
    {
        Ok(()) => Ok(("checked-in", "main".to_string())),
        Err(WebError::App(e)) => Err(e),
        Err(other) => return Err(other.into()),
    };
    after_meeting_form(&state, &session, id, result).await
}
