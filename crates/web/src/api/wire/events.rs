//! Wire formats for the governance record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Return events after this sequence number (exclusive); 0 for the start.
    pub after: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

/// A governance event as the organisation's public record shows it.
#[derive(Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who acted; null when a member acted for themselves (voted, checked in) and the
    /// reader is neither them nor an officer covering them.
    pub actor_id: Option<i64>,
    /// The office acted under, e.g. "secretary, Southwark".
    pub actor_office: Option<String>,
    pub kind: String,
    /// What it is about: "member" alone when the reader may not know which member.
    pub subject: String,
    /// Details; for changes to a member only ids, statuses, dates and field names, and to
    /// readers not entitled to know whose the change was, only the ballot, meeting or roll.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Why; withheld (null) for changes to a member, which may name personal matters.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
    /// Pass as `after` to read on; null when there are no more events yet.
    pub next_after: Option<i64>,
}
