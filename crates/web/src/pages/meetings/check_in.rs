//! Checking in to a meeting: the link an officer shares, a new check-in code, and the
//! check-in itself (a member with the code, or an officer checking someone in).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use charter_domain::MemberId;
use serde::Deserialize;

use super::page::after_meeting_form;
use crate::AppState;
use crate::error::WebError;
use crate::pages::forms::CsrfOnly;
use crate::pages::{PageForm, PagePath, error_page, not_found, parse_id};
use crate::session::{PageUser, check_csrf};

/// `/meetings/{id}/check-in/{code}`: the link an officer shares; it opens the meeting with the
/// code filled in (signing in first if need be), and the member confirms with one button.
pub async fn check_in_link(
    PageUser(session): PageUser,
    PagePath((raw, code)): PagePath<(String, String)>,
) -> Response {
    let code: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    match parse_id(&raw) {
        Some(id) => Redirect::to(&format!("/meetings/{id}?code={code}#check-in")).into_response(),
        None => not_found(Some(&session), "meeting"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    pub csrf: String,
    pub member: String,
    pub code: String,
}

/// A new check-in code, for the officers running the meeting.
pub async fn new_check_in_code(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
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
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<CheckInForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
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
        Err(other) => return error_page(Some(&session), other),
    };
    after_meeting_form(&state, &session, id, result).await
}
