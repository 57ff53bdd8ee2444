//! Motions on a meeting's page: how each is shown, proposing one, the forms on a motion
//! (seconding, withdrawing, amending, and the electronic vote's, which [`super::polls`]
//! routes here), procedural motions and publishing a decision.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::meetings::PollView;
use charter_domain::{MemberId, MotionState};
use charter_model::{MeetingId, MotionId, NewMotion};
use serde::Deserialize;

use super::page::{Input, after_meeting_form, meeting_page};
use super::polls::{PollLine, poll_line};
use crate::AppState;
use crate::pages::forms::{Errors, field_errors};
use crate::pages::{CsrfForm, PageError, PageResult, PathId, ids, parse_id};
use crate::session::{CurrentSession, PageUser};

pub(super) const MOTION_FIELDS: &[&str] = &[
    "kind", "title", "text", "matter", "position", "requires", "target",
];

pub struct MotionView {
    pub id: MotionId,
    pub number: i64,
    pub title: String,
    pub text: String,
    pub kind: String,
    pub state: String,
    pub state_class: &'static str,
    pub votes: String,
    pub reasons: Vec<(String, String)>,
    pub published: bool,
    pub matter: String,
    /// "Calls for a special conference", when it requires one.
    pub requires: String,
    pub poll: Option<PollLine>,
    /// The key this page's ballot form carries (see `App::cast_vote`).
    pub submission: String,
    pub proposed: bool,
    pub seconded: bool,
    /// Proposed by the reader.
    pub mine: bool,
    /// For an amendment: the number of the motion it amends, and what it would change.
    pub amends: Option<i64>,
    pub change: Vec<(&'static str, String)>,
    /// Each rewording by an adopted amendment: the amendment's number and what it changed.
    pub rewordings: Vec<(i64, Vec<(&'static str, String)>)>,
    /// Where it stands beyond its state: late business, admitted, set aside, its target.
    pub notes: Vec<String>,
}

/// A word diff as (kind, text) runs for the template: `same`, `ins` or `del`.
fn runs(d: &charter_rules::WordDiff) -> Vec<(&'static str, String)> {
    d.0.iter()
        .map(|w| match w {
            charter_rules::Words::Same(t) => ("same", t.clone()),
            charter_rules::Words::Added(t) => ("ins", t.clone()),
            charter_rules::Words::Removed(t) => ("del", t.clone()),
        })
        .collect()
}

/// What the motion card needs beyond the motion: its meeting's motions and the reader.
pub(super) struct MotionContext<'a> {
    pub(super) motions: &'a [charter_model::MotionRecord],
    /// Motions formed as composites, which set their parts aside.
    pub(super) composite_motions: std::collections::BTreeSet<MotionId>,
    pub(super) reader: MemberId,
    pub(super) history: &'a BTreeMap<
        MotionId,
        Vec<(
            charter_model::MotionVersion,
            Option<charter_rules::WordDiff>,
        )>,
    >,
}

pub(super) fn motion_view(
    m: &charter_model::MotionRecord,
    poll: Option<&PollView>,
    cx: &MotionContext<'_>,
) -> MotionView {
    let parent = m.parent.and_then(|p| cx.motions.iter().find(|x| x.id == p));
    let number_of = |id: MotionId| cx.motions.iter().find(|x| x.id == id).map(|x| x.number);
    let reasons: Vec<(String, String)> = m
        .failures_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    MotionView {
        id: m.id,
        number: m.number,
        title: m.title.clone(),
        text: m.text.clone(),
        kind: m.kind.replace('-', " "),
        state: m.state.as_str().replace('-', " "),
        state_class: match m.state {
            MotionState::Adopted => "yes",
            MotionState::Rejected | MotionState::NotBinding => "no",
            MotionState::Proposed | MotionState::Withdrawn => "",
        },
        votes: match (m.votes_for, m.votes_against, m.abstentions) {
            (Some(f), Some(a), Some(ab)) => format!("{f} for, {a} against, {ab} abstaining"),
            _ => String::new(),
        },
        reasons,
        published: m.published,
        matter: match (&m.matter, &m.position) {
            (Some(mt), Some(p)) => format!("{p}s {mt}"),
            _ => String::new(),
        },
        requires: m
            .requires
            .as_deref()
            .map(|k| format!("calls for a {}", k.replace('-', " ")))
            .unwrap_or_default(),
        poll: poll.map(poll_line),
        submission: charter_app::meetings::vote_key(),
        proposed: m.state == MotionState::Proposed,
        seconded: m.seconded_by.is_some(),
        mine: m.proposed_by == Some(cx.reader),
        amends: parent.map(|p| p.number),
        change: match parent {
            Some(p) if m.state == MotionState::Proposed => {
                runs(&charter_rules::word_diff(&p.text, &m.text))
            }
            _ => Vec::new(),
        },
        notes: {
            let mut notes = Vec::new();
            if let Some(t) = m.target.and_then(number_of) {
                notes.push(format!("On number {t}"));
            }
            if m.emergency {
                notes.push(match m.admitted_by.and_then(number_of) {
                    Some(by) => format!("Emergency business, admitted by number {by}"),
                    None => "Emergency business: taken only once the meeting votes to admit it"
                        .to_string(),
                });
            }
            if let Some(by) = m.set_aside_by {
                notes.push(match number_of(by) {
                    Some(n) if cx.composite_motions.contains(&by) => {
                        format!("Composited into number {n} with its mover's consent")
                    }
                    Some(n) => format!("Set aside by number {n}"),
                    None => "Rescinded at a later meeting".to_string(),
                });
            }
            notes
        },
        rewordings: cx
            .history
            .get(&m.id)
            .map(|h| {
                h.iter()
                    .filter_map(|(v, d)| {
                        let by = v.amendment.and_then(number_of)?;
                        Some((by, d.as_ref().map(runs).unwrap_or_default()))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MotionForm {
    pub kind: String,
    pub title: String,
    pub text: String,
    pub matter: String,
    pub position: String,
    /// The meeting it calls for (`special-conference`), or empty.
    pub requires: String,
    /// "yes" for late business.
    pub emergency: String,
    /// For a rescission: the decision it would rescind.
    pub rescinds: String,
}

pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<MotionForm>,
) -> PageResult {
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let motion = NewMotion {
        meeting: id,
        kind: form.kind.clone(),
        title: form.title.clone(),
        text: form.text.clone(),
        matter: blank(&form.matter),
        position: blank(&form.position),
        requires: blank(&form.requires),
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: (parse_id(&form.rescinds)).map(MotionId),
        emergency: form.emergency == "yes",
    };
    match state.app.propose_motion(&session.actor, id, &motion).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?saved=proposed")).into_response()),
        Err(e) => {
            let input = Input {
                motion_errors: Errors::new("mo-", MOTION_FIELDS, field_errors(e)?),
                motion_form: form,
                ..Input::plain(None)
            };
            meeting_page(&state, &session, id, input).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MotionActionForm {
    pub meeting: String,
    pub mode: String,
    pub choice: String,
    pub submission: String,
    pub text: String,
}

/// What a form on a motion asked for.
pub(super) enum MotionAction {
    OpenVote,
    Cast,
    CloseVote,
    Second,
    Withdraw,
    Amend,
}

/// The forms on a motion: opening, casting in and closing an electronic vote, seconding,
/// withdrawing and amending. A refusal (not checked in, already voted, past the deadline)
/// is shown on the meeting page, re-read as it stands.
pub(super) async fn motion_form(
    state: &AppState,
    session: &CurrentSession,
    motion: MotionId,
    form: &MotionActionForm,
    action: MotionAction,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
    };
    let actor = &session.actor;
    let app = &state.app;
    let result = match action {
        MotionAction::OpenVote => app
            .open_voting(actor, motion, &form.mode)
            .await
            .map(|()| "poll-opened"),
        MotionAction::Cast => app
            .cast_vote(actor, motion, &form.choice, &form.submission)
            .await
            .map(|_| "ballot"),
        MotionAction::CloseVote => app.close_voting(actor, motion).await.map(|_| "voted"),
        MotionAction::Second => app.second_motion(actor, motion).await.map(|()| "seconded"),
        MotionAction::Withdraw => app
            .withdraw_motion(actor, motion)
            .await
            .map(|_| "withdrawn"),
        MotionAction::Amend => app
            .amend_motion(actor, motion, &form.text)
            .await
            .map(|_| "amended"),
    };
    let anchored = result.map(|saved| (saved, format!("motion-{motion}")));
    after_meeting_form(state, session, MeetingId(meeting), anchored).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProceduralForm {
    pub kind: String,
    pub target: String,
}

pub async fn procedural(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<ProceduralForm>,
) -> PageResult {
    let result = state
        .app
        .move_procedural(
            &session.actor,
            id,
            &form.kind,
            (parse_id(&form.target)).map(MotionId),
        )
        .await
        .map(|motion| ("procedural", format!("motion-{motion}")));
    after_meeting_form(&state, &session, id, result).await
}

pub async fn second(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::Second).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::Withdraw).await
}

pub async fn amend(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<MotionActionForm>,
) -> PageResult {
    motion_form(&state, &session, motion, &form, MotionAction::Amend).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    pub meeting: String,
}

pub async fn publish(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> PageResult {
    state.app.publish_motion(&session.actor, motion).await?;
    Ok(match parse_id(&form.meeting) {
        Some(m) => Redirect::to(&format!("/meetings/{m}?saved=published")).into_response(),
        None => Redirect::to("/meetings").into_response(),
    })
}
