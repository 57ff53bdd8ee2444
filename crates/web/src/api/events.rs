//! The governance record: every change as an event, in order. It is the organisation's
//! public record, readable by every signed-in member, so what it shows about a member is
//! limited to ids, statuses, dates and the names of changed fields: the free-text reason and
//! details such as a declared affiliation or an amount paid stay in the member's own record,
//! where only they and the officers covering them can read it.

use axum::Json;
use axum::extract::State;
use charter_store::EventRecord;
use serde_json::{Map, Value};

use super::wire::{Event, EventList, EventsQuery};
use crate::AppState;
use crate::error::{ApiQuery, ApiResult, ErrorBody, WebError};
use crate::session::ApiUser;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;

/// Payload keys a member event may show: ids, statuses, dates, counts and field names.
const MEMBER_EVENT_KEYS: [&str; 16] = [
    "member",
    "affiliation",
    "from",
    "to",
    "effective_on",
    "verified_on",
    "fields",
    "months",
    "first",
    "last",
    "count",
    "unit",
    "office",
    "body",
    "starts_on",
    "ends_on",
];

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
        (status = 400, description = "Bad query string", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "`limit` or `after` out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _user: ApiUser,
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
        .store
        .events(after, limit)
        .await
        .map_err(charter_app::AppError::from)?;
    let next_after = events.last().map(|e| e.seq);
    Ok(Json(EventList {
        items: events.into_iter().map(public_event).collect(),
        next_after,
    }))
}

/// An event as the public record shows it.
pub fn public_event(e: EventRecord) -> Event {
    let about_member = e.kind.starts_with("member.") || e.subject.starts_with("member:");
    let payload = serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null);
    let (payload, reason) = if e.kind.starts_with("member.") {
        (keep_keys(payload), None)
    } else if about_member {
        // Offices and seats held are public; anything else about a member is filtered.
        (keep_keys(payload), Some(e.reason))
    } else {
        (payload, Some(e.reason))
    };
    Event {
        seq: e.seq,
        at: e.at,
        actor_id: e.actor_member.map(|m| m.0),
        actor_office: e.actor_office,
        kind: e.kind,
        subject: e.subject,
        payload,
        reason,
    }
}

fn keep_keys(payload: Value) -> Value {
    match payload {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| MEMBER_EVENT_KEYS.contains(&k.as_str()))
                .collect::<Map<String, Value>>(),
        ),
        _ => Value::Object(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(kind: &str, subject: &str, payload: Value, reason: &str) -> EventRecord {
        EventRecord {
            seq: 1,
            at: Utc::now(),
            actor_member: None,
            actor_office: None,
            kind: kind.into(),
            subject: subject.into(),
            payload: payload.to_string(),
            reason: reason.into(),
        }
    }

    #[test]
    fn member_events_show_ids_statuses_and_dates_only() {
        let e = public_event(event(
            "member.affiliation_added",
            "member:7",
            serde_json::json!({"member": 7, "organisation": "Other Party", "since": "2024-01-01"}),
            "declared at the branch meeting about their health",
        ));
        assert_eq!(e.payload, serde_json::json!({"member": 7}));
        assert_eq!(e.reason, None);
        let e = public_event(event(
            "member.payment_recorded",
            "member:7",
            serde_json::json!({"member": 7, "paid_on": "2026-11-01", "amount_pence": 1200, "months": 1}),
            "dues payment recorded",
        ));
        assert_eq!(e.payload, serde_json::json!({"member": 7, "months": 1}));
    }

    #[test]
    fn structural_events_are_shown_whole() {
        let payload =
            serde_json::json!({"name": "Southwark", "kind": "branch", "slug": "southwark"});
        let e = public_event(event(
            "unit.created",
            "unit:southwark",
            payload.clone(),
            "set up",
        ));
        assert_eq!(e.payload, payload);
        assert_eq!(e.reason.as_deref(), Some("set up"));
    }

    #[test]
    fn unreadable_payloads_become_empty() {
        let mut rec = event("member.updated", "member:1", Value::Null, "x");
        rec.payload = "not json".into();
        assert_eq!(public_event(rec).payload, serde_json::json!({}));
    }
}
