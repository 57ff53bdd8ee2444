//! A meeting's page: "properly convened: yes or no, and why", notices, quorum, check-in,
//! the agenda, motions with their outcomes and the officers' forms; and the answer every
//! form on it gives.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::meetings::MeetingView;
use charter_domain::{CheckInWindow, MinutesState, MotionState, Sitting};
use charter_model::{MeetingId, MotionId};
use serde::Deserialize;

use super::composites::{CompositeView, composite_view};
use super::motions::{MOTION_FIELDS, MotionContext, MotionForm, MotionView, motion_view};
use super::polls::VOTE_FIELDS;
use super::status_for;
use crate::AppState;
use crate::pages::agenda::{AgendaSection, ITEM_FIELDS, ItemForm};
use crate::pages::forms::Errors;
use crate::pages::view::{date, time};
use crate::pages::{Layout, PageError, PageQuery, PageResult, PathId, ids, render};
use crate::session::{CurrentSession, PageUser};

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    v: MeetingView,
    when: String,
    ends: String,
    convened_class: &'static str,
    convened_word: &'static str,
    quorate: Option<bool>,
    notice_total: i64,
    motions: Vec<MotionView>,
    /// Checked in with a vote: may cast electronic votes.
    may_vote_here: bool,
    /// The meeting is on (started, not ended, not adjourned).
    in_progress: bool,
    /// Motions before the meeting a procedural motion may name: (id, number, title).
    open_business: Vec<(MotionId, i64, String)>,
    /// Standing decisions of earlier meetings a rescission may name: (id, label).
    rescindable: Vec<(MotionId, String)>,
    /// Meetings a motion here may call for: (key, words).
    requirable: Vec<(String, String)>,
    minutes: Option<charter_model::MinutesRecord>,
    /// Approved: no more editing.
    minutes_final: bool,
    /// What the officers' minutes form starts from: the saved draft, or one from the record.
    minutes_text: String,
    /// Earlier meetings of the body whose draft minutes this one could approve.
    drafts_to_approve: Vec<(MeetingId, String)>,
    adjourned_by: Option<i64>,
    /// When two officers' entries of this historical meeting agreed.
    historical: Option<String>,
    /// Why the last action was refused, shown at the top.
    alert: Option<String>,
    check_in_open: bool,
    /// For the officers running the meeting: its check-in code, when it has one.
    check_in_code: Option<String>,
    composites: Vec<CompositeView>,
    /// The code to fill in the member's check-in form.
    code: String,
    started: bool,
    notice: Option<String>,
    motion_form: MotionForm,
    motion_errors: Errors,
    vote_errors: Errors,
    vote_for: i64,
    /// The numbered agenda with its papers, and the officers' forms.
    agenda: AgendaSection,
    item_form: ItemForm,
    item_errors: Errors,
    /// Offices this meeting may appoint to, and the appointment form as typed.
    appoint_offices: Vec<(i64, String)>,
    appoint_form: crate::pages::appointments::AppointForm,
    appoint_errors: Errors,
    /// What this meeting may decide about a member's standing: (status, clause).
    discipline_choices: Vec<(String, String)>,
    discipline_form: crate::pages::discipline::DisciplineForm,
    discipline_errors: Errors,
}

/// What a meeting page shows beyond the record: a notice or refusal, and forms as typed.
pub(in crate::pages) struct Input {
    pub notice: Option<String>,
    pub alert: Option<String>,
    /// The check-in code a check-in link filled in.
    pub code: String,
    pub motion_form: MotionForm,
    pub motion_errors: Errors,
    pub vote_errors: Errors,
    pub vote_for: i64,
    pub item_form: ItemForm,
    pub item_errors: Errors,
    pub appoint_form: crate::pages::appointments::AppointForm,
    pub appoint_errors: Errors,
    pub discipline_form: crate::pages::discipline::DisciplineForm,
    pub discipline_errors: Errors,
}

impl Input {
    pub fn plain(notice: Option<String>) -> Self {
        Input {
            notice,
            alert: None,
            code: String::new(),
            motion_form: MotionForm::default(),
            motion_errors: Errors::none("mo-", MOTION_FIELDS),
            vote_errors: Errors::none("vo-", VOTE_FIELDS),
            vote_for: 0,
            item_form: ItemForm::default(),
            item_errors: Errors::none("ai-", ITEM_FIELDS),
            appoint_form: crate::pages::appointments::AppointForm::default(),
            appoint_errors: crate::pages::appointments::no_errors(),
            discipline_form: crate::pages::discipline::DisciplineForm::default(),
            discipline_errors: crate::pages::discipline::no_errors(),
        }
    }
}

pub(in crate::pages) async fn meeting_page(
    state: &AppState,
    session: &CurrentSession,
    id: MeetingId,
    input: Input,
) -> PageResult {
    let v = match state.app.meeting_view(&session.actor, id).await {
        Err(AppError::NotFound(_)) => return Err(PageError::not_found("meeting")),
        found => found?,
    };
    let now = state.app.clock.now();
    // The wordings of motions an amendment has changed (every motion has its first).
    let mut history = BTreeMap::new();
    for mo in v.motions.iter().filter(|mo| mo.parent.is_none()) {
        let h = state.app.motion_history(mo.id).await?;
        if h.len() > 1 {
            history.insert(mo.id, h);
        }
    }
    let minutes = state.app.minutes(id).await?;
    let agenda = crate::pages::agenda::section(state, session, id).await?;
    let drafts_to_approve = if v.may_run {
        state.app.drafts_to_approve(id).await?
    } else {
        Vec::new()
    };
    let check_in_code = if v.may_run {
        state.app.check_in_code(&session.actor, id).await?
    } else {
        None
    };
    // Only when the motion form shows: it reads every earlier meeting of the body.
    let proposing = v.mine.is_some() && !v.sitting(now).is_over();
    let rescindable = if proposing {
        state
            .app
            .rescindable(id)
            .await?
            .into_iter()
            .map(|(mo, held)| (mo.id, format!("{} ({held})", mo.title)))
            .collect()
    } else {
        Vec::new()
    };
    let requirable = if proposing {
        state.app.meetings_motions_may_require(id).await?
    } else {
        Vec::new()
    };
    let appoint_offices = if proposing && now < v.meeting.starts_at {
        state
            .app
            .appointable_offices(id)
            .await?
            .into_iter()
            .map(|(o, label)| (o.0, label))
            .collect()
    } else {
        Vec::new()
    };
    let discipline_choices = if proposing && now < v.meeting.starts_at {
        state.app.discipline_choices(id).await?
    } else {
        Vec::new()
    };
    let appointments = crate::pages::appointments::notes(state, &v.motions).await?;
    let m = &v.meeting;
    let (convened_class, convened_word) = match v.convening.properly_convened {
        Some(true) => ("yes", "yes"),
        Some(false) => ("no", "no"),
        None => ("", "not yet known"),
    };
    let quorate = v.quorate();
    let page = MeetingPage {
        layout: Layout::new(m.title.clone(), Some(session), "meetings"),
        when: if m.historical_entered_at.is_some() {
            date(m.starts_at.date_naive())
        } else {
            time(m.starts_at)
        },
        ends: if m.historical_entered_at.is_some() {
            "the end of the day".to_string()
        } else {
            time(m.ends_at)
        },
        convened_class,
        convened_word,
        quorate,
        notice_total: v.notices.queued + v.notices.sent + v.notices.failed,
        motions: {
            let cx = MotionContext {
                motions: &v.motions,
                composite_motions: v.composites.iter().filter_map(|c| c.motion).collect(),
                reader: session.actor.member,
                history: &history,
            };
            v.motions
                .iter()
                .map(|mo| {
                    let mut view = motion_view(mo, v.polls.get(&mo.id), &cx);
                    if let Some(note) = appointments.get(&mo.id) {
                        view.notes.insert(0, note.clone());
                    }
                    view
                })
                .collect()
        },
        may_vote_here: v.checked_in && v.mine == Some(true),
        in_progress: v.sitting(now) == Sitting::InProgress,
        open_business: v
            .motions
            .iter()
            .filter(|mo| mo.state == MotionState::Proposed && mo.set_aside_by.is_none())
            .map(|mo| (mo.id, mo.number, mo.title.clone()))
            .collect(),
        rescindable,
        requirable,
        minutes_text: match (&minutes, v.may_run && now >= m.starts_at) {
            (Some(saved), _) => saved.text.clone(),
            (None, true) => charter_app::meetings::minutes_from_record(&v),
            (None, false) => String::new(),
        },
        minutes_final: minutes
            .as_ref()
            .is_some_and(|mn| mn.state == MinutesState::Approved),
        minutes,
        drafts_to_approve,
        adjourned_by: m
            .adjourned_by
            .and_then(|by| v.motions.iter().find(|x| x.id == by))
            .map(|x| x.number),
        historical: m.historical_entered_at.map(time),
        alert: input.alert,
        check_in_open: CheckInWindow::of(m.starts_at, m.ends_at).is_open(now),
        check_in_code,
        composites: v
            .composites
            .iter()
            .map(|c| composite_view(c, &v.motions, session.actor.member))
            .collect(),
        code: input.code,
        started: now >= m.starts_at,
        notice: input.notice,
        motion_form: input.motion_form,
        vote_errors: input.vote_errors,
        vote_for: input.vote_for,
        v,
        motion_errors: input.motion_errors,
        agenda,
        item_form: input.item_form,
        item_errors: input.item_errors,
        appoint_offices,
        appoint_form: input.appoint_form,
        appoint_errors: input.appoint_errors,
        discipline_choices,
        discipline_form: input.discipline_form,
        discipline_errors: input.discipline_errors,
    };
    let status = status_for(&[
        &page.motion_errors,
        &page.vote_errors,
        &page.item_errors,
        &page.appoint_errors,
        &page.discipline_errors,
    ]);
    Ok(render(status, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: String,
    /// Filled in by a check-in link.
    pub code: String,
}

pub async fn meeting(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "called" => Some("The meeting is called and its notices are being sent.".to_string()),
        "short" => Some(
            "The meeting is called, but on less notice than the constitution requires: it will not be properly convened and its votes will not bind."
                .to_string(),
        ),
        "checked-in" => Some("Checked in.".to_string()),
        "composite" => Some(
            "The composite is proposed; it replaces its motions once every mover consents."
                .to_string(),
        ),
        "consented" => Some("Your consent is recorded.".to_string()),
        "composited" => Some(
            "Every mover has consented: the composite is now a motion before the meeting, in place of the motions it merges."
                .to_string(),
        ),
        "composite-declined" => {
            Some("The composite is declined; each motion stands as it was.".to_string())
        }
        "code" => Some(
            "A new check-in code is made: the old code and its link no longer work.".to_string(),
        ),
        "proposed" => Some("Your motion is on the agenda.".to_string()),
        "voted" => Some("The vote is recorded with its outcome.".to_string()),
        "poll-opened" => Some("Voting is open to members checked in with a vote.".to_string()),
        "ballot" => Some("Your vote is recorded.".to_string()),
        "seconded" => Some("You seconded the motion.".to_string()),
        "withdrawn" => Some("The motion is withdrawn, with any amendments to it.".to_string()),
        "amended" => Some("Your amendment is on the agenda.".to_string()),
        "procedural" => Some("Your procedural motion is before the meeting.".to_string()),
        "minutes" => Some("The draft minutes are saved.".to_string()),
        "minutes-put" => Some(
            "The motion to approve those minutes is before this meeting.".to_string(),
        ),
        "published" => Some("The decision is published on the unit's public page.".to_string()),
        other => crate::pages::agenda::notice(other).map(str::to_string),
    };
    let input = Input {
        code: q
            .code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect(),
        ..Input::plain(notice)
    };
    meeting_page(&state, &session, id, input).await
}

/// The answer to a form on a meeting: on success, back to the meeting page at `anchor`; a
/// refusal (conflict or invalid input) shown at the top of the page as it stands now.
pub(in crate::pages) async fn after_meeting_form(
    state: &AppState,
    session: &CurrentSession,
    meeting: MeetingId,
    result: Result<(&str, String), AppError>,
) -> PageResult {
    let refused = |why: String| Input {
        alert: Some(why),
        ..Input::plain(None)
    };
    match result {
        Ok((saved, anchor)) => Ok(Redirect::to(&format!(
            "/meetings/{meeting}?saved={saved}#{anchor}"
        ))
        .into_response()),
        Err(AppError::Conflict { message, .. }) => Ok(with_status(
            StatusCode::CONFLICT,
            meeting_page(state, session, meeting, refused(message)).await?,
        )),
        Err(AppError::Invalid(errs)) => {
            let why = errs.0.into_values().collect::<Vec<_>>().join("; ");
            Ok(with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                meeting_page(state, session, meeting, refused(why)).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Keeps a rendered page but answers with `status` (unless the page itself is an error).
fn with_status(status: StatusCode, mut page: Response) -> Response {
    if page.status().is_success() {
        *page.status_mut() = status;
    }
    page
}
