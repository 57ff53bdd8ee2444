//! The governance record: every change as an event, in order, as the reader may see it
//! (see `charter_app::record`): what the organisation did is everyone's to read; what a
//! member did for themselves, or had done to them, names them only to themselves and to the
//! officers covering them.

use axum::Json;
use axum::extract::State;
use charter_app::record::RecordEntry;

use super::wire::{Event, EventList, EventsQuery};
use crate::AppState;
use crate::error::{ApiQuery, ApiResult, ErrorBody, WebError};
use crate::session::ApiUser;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;

/// Governance events after `after`, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "list_events",
    tag = "events",
    security(("session" = [])),
    params(EventsQuery),
    responses(
        (status = 200, body = EventList),
        (status = 422, description = "`limit` or `after` out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<EventList>> {
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(WebError::App(charter_app::AppError::invalid(
            "after",
            "after must be 0 or a sequence number",
        )));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WebError::App(charter_app::AppError::invalid(
            "limit",
            format!("limit '{limit}' must be a whole number from 1 to {MAX_LIMIT}"),
        )));
    }
    let events = state
        .app
        .governance_record(&user.actor, after, limit)
        .await?;
    let next_after = events.last().map(|e| e.seq);
    Ok(Json(EventList {
        items: events.into_iter().map(public_event).collect(),
        next_after,
    }))
}

fn public_event(e: RecordEntry) -> Event {
    Event {
        seq: e.seq,
        at: e.at,
        actor_id: e.actor.map(|m| m.0),
        actor_office: e.actor_office,
        kind: e.kind,
        subject: e.subject,
        payload: e.payload,
        reason: e.reason,
    }
}
