//! Votes on a motion: the tellers' count, and the electronic vote of the members checked in
//! (open, cast, close), with the line that says where it stands.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::meetings::PollView;
use charter_domain::PollMode;
use charter_model::MeetingId;
use serde::Deserialize;

use super::motions::{MotionAction, MotionActionForm, motion_form};
use super::page::{Input, meeting_page};
use crate::AppState;
use crate::pages::forms::{Errors, field_errors};
use crate::pages::{CsrfForm, PageError, PageResult, PathId, ids, parse_id};
use crate::session::PageUser;

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
    pub meeting: String,
    pub votes_for: String,
    pub votes_against: String,
    pub abstentions: String,
    pub present: String,
}

pub async fn vote(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
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
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{meeting}?saved=voted")).into_response()),
        Err(e) => {
            let input = Input {
                vote_errors: Errors::new("vo-", VOTE_FIELDS, field_errors(e)?),
                vote_for: motion.0,
                ..Input::plain(None)
            };
            meeting_page(&state, &session, MeetingId(meeting), input).await
        }
    }
}

pub async fn open_poll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::OpenVote).await
}

pub async fn cast(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::Cast).await
}

pub async fn close_poll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::CloseVote).await
}
