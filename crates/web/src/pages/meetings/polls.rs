//! Votes on a motion: the tellers' count, and the electronic vote of the members checked in
//! (open, cast, close), with the line that says where it stands.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::meetings::PollView;
use charter_domain::PollMode;
use serde::Deserialize;

use super::motions::{MotionAction, MotionActionForm, motion_form};
use super::page::{Input, meeting_page};
use crate::AppState;
use crate::pages::forms::{Errors, field_errors};
use crate::pages::{PageForm, PagePath, app_error, error_page, not_found, parse_id};
use crate::session::{PageUser, check_csrf};

pub(super) const VOTE_FIELDS: &[&str] = &["votes_for", "votes_against", "abstentions", "present"];

/// An electronic vote on a motion, in words.
pub struct PollLine {
    pub open: bool,
    pub describe: String,
    /// "Your vote is recorded…" once the reader has voted.
    pub mine: Option<String>,
}

pub(super) fn poll_line(p: &PollView) -> PollLine {
    let kind = if p.poll.mode == PollMode::Secret {
        "Secret vote"
    } else {
        "Named vote"
    };
    let voted = match p.poll.voted {
        1 => "1 member has voted".to_string(),
        n => format!("{n} members have voted"),
    };
    PollLine {
        open: p.open(),
        describe: if p.open() {
            format!("{kind} open: {voted}. The count is shown when it closes.")
        } else {
            format!(
                "{kind} closed: {} for, {} against, {} abstaining ({voted}).",
                p.poll.votes_for, p.poll.votes_against, p.poll.abstentions
            )
        },
        mine: p.mine.as_ref().map(|(_, choice)| match choice {
            Some(c) => format!("Your vote ({c}) is recorded."),
            None => "Your secret vote is recorded; how you voted is not kept.".to_string(),
        }),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct VoteForm {
    pub csrf: String,
    pub meeting: String,
    pub votes_for: String,
    pub votes_against: String,
    pub abstentions: String,
    pub present: String,
}

pub async fn vote(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<VoteForm>,
) -> Response {
    let Some(motion) = parse_id(&raw) else {
        return not_found(Some(&session), "motion");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let Some(meeting) = parse_id(&form.meeting) else {
        return not_found(Some(&session), "meeting");
    };
    let mut errs = BTreeMap::new();
    let mut count = |field: &str, raw: &str, required: bool| -> Option<u32> {
        let raw = raw.trim();
        if raw.is_empty() && !required {
            return None;
        }
        match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.insert(
                    field.to_string(),
                    format!("'{raw}' is not a whole number of votes"),
                );
                None
            }
        }
    };
    let f = count("votes_for", &form.votes_for, true);
    let a = count("votes_against", &form.votes_against, true);
    let ab = count("abstentions", &form.abstentions, false).unwrap_or(0);
    let present = count("present", &form.present, false);
    let result = match (f, a) {
        (Some(f), Some(a)) if errs.is_empty() => state
            .app
            .record_vote(&session.actor, motion, f, a, ab, present)
            .await
            .map(|_| ()),
        _ => Err(AppError::Invalid(charter_domain::FieldErrors(errs))),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/meetings/{meeting}?saved=voted")).into_response(),
        Err(AppError::Forbidden(why)) => app_error(&session, AppError::Forbidden(why)),
        Err(AppError::NotFound(w)) => not_found(Some(&session), w),
        Err(e) => match field_errors(e) {
            Ok(errs) => {
                let input = Input {
                    vote_errors: Errors::new("vo-", VOTE_FIELDS, errs),
                    vote_for: motion,
                    ..Input::plain(None)
                };
                meeting_page(&state, &session, meeting, input).await
            }
            Err(e) => app_error(&session, e),
        },
    }
}

pub async fn open_poll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MotionActionForm>,
) -> Response {
    motion_form(
        &state,
        &session,
        &headers,
        &raw,
        &form,
        MotionAction::OpenVote,
    )
    .await
}

pub async fn cast(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MotionActionForm>,
) -> Response {
    motion_form(&state, &session, &headers, &raw, &form, MotionAction::Cast).await
}

pub async fn close_poll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MotionActionForm>,
) -> Response {
    motion_form(
        &state,
        &session,
        &headers,
        &raw,
        &form,
        MotionAction::CloseVote,
    )
    .await
}
