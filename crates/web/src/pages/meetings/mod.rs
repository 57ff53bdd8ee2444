//! Meeting pages, one concept a file: the list with the form to call a meeting ([`call`]);
//! a meeting's page with "properly convened: yes or no, and why", notices, quorum and the
//! forms on it ([`page`]); check-in ([`check_in`]); motions and their procedure
//! ([`motions`]); the tellers' count and electronic votes ([`polls`]); composites
//! ([`composites`]); minutes ([`minutes`]); calendars ([`calendar`]); and the public pages
//! — a unit's statements and the national tally on a matter — that need no sign-in
//! ([`statements`]).

mod calendar;
mod call;
mod check_in;
mod composites;
mod minutes;
mod motions;
mod page;
mod polls;
mod statements;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::forms::Errors;

pub use calendar::{body_calendar, calendar_by_link, my_calendar, new_calendar_link};
pub use call::{Choice, call, meetings};
pub use check_in::{check_in, check_in_link, new_check_in_code};
pub use composites::{answer_composite, propose_composite};
pub use minutes::{approve_minutes, save_minutes};
pub use motions::{amend, procedural, propose, publish, second, withdraw};
pub use page::meeting;
pub(super) use page::{Input, after_meeting_form, meeting_page};
pub use polls::{cast, close_poll, open_poll, vote};
pub use statements::{matter, statements};

pub(super) fn status_for(errors: &[&Errors]) -> StatusCode {
    if errors.iter().any(|e| e.any()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// A `datetime-local` value (taken as UTC, which the form says) or a message.
pub(super) fn parse_local(raw: &str) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map(|t| Some(t.and_utc()))
        .map_err(|_| format!("'{raw}' is not a date and time; write it as 2027-03-14T19:00"))
}
