//! Calendars: a member's own meetings, a body's, and the subscription link a calendar app
//! fetches without a session.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use charter_app::AppError;
use charter_domain::UnitId;
use serde::Deserialize;

use super::call::{CALL_FIELDS, CallForm, meetings_page_with};
use crate::AppState;
use crate::pages::forms::{CsrfOnly, Errors};
use crate::pages::{CsrfForm, PageError, PagePath, PageQuery, PageResult, parse_id};
use crate::session::PageUser;

fn calendar_response(text: String, file: &str) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        text,
    )
        .into_response()
}

/// `/me/calendar.ics`: every meeting the member is on the roll of.
pub async fn my_calendar(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    let text = state.app.my_calendar(&session.actor).await?;
    Ok(calendar_response(text, "my-meetings.ics"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarQuery {
    pub body: String,
    pub unit: String,
}

/// Makes the member a new calendar subscription link and shows it once.
pub async fn new_calendar_link(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    let token = state.app.new_calendar_link(&session.actor).await?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{host}/calendar/{token}.ics");
    meetings_page_with(
        &state,
        &session,
        CallForm::default(),
        Errors::none("cm-", CALL_FIELDS),
        Some(url),
    )
    .await
}

/// `/calendar/{token}.ics`: the subscription a calendar app fetches, without a session.
pub async fn calendar_by_link(
    State(state): State<AppState>,
    PagePath(raw): PagePath<String>,
) -> PageResult {
    let token = raw.strip_suffix(".ics").unwrap_or(&raw);
    match state.app.calendar_for_link(token).await {
        Ok(Some(text)) => Ok(calendar_response(text, "my-meetings.ics")),
        Ok(None) => Err(PageError::signed_out(AppError::NotFound("calendar"))),
        Err(e) => Err(PageError::signed_out(e)),
    }
}

/// `/meetings/calendar.ics?body=…&unit=…`: one body's meetings.
pub async fn body_calendar(
    State(state): State<AppState>,
    _: PageUser,
    PageQuery(q): PageQuery<CalendarQuery>,
) -> PageResult {
    let unit = parse_id(&q.unit).map(UnitId);
    let text = state.app.body_calendar(&q.body, unit).await?;
    Ok(calendar_response(text, &format!("{}.ics", q.body.trim())))
}
