//! Meeting pages: the list with a form to call one, a meeting with "properly convened: yes or
//! no, and why", notices, quorum, check-in, motions with their outcomes and the officers'
//! forms; and the public pages — a unit's statements and the national tally on a matter —
//! that need no sign-in.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::meetings::{MeetingRequest, MeetingView, PollView};
use charter_domain::{
    CheckInWindow, CompositeState, MemberId, MinutesState, MotionState, PollMode, Power, UnitId,
    UnitKind,
};
use charter_store::{MeetingRecord, NewMotion};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use super::agenda::{AgendaSection, ITEM_FIELDS, ItemForm};
use super::forms::{CsrfOnly, Errors, field_errors};
use super::view::{date, time};
use super::{
    Layout, PageForm, PagePath, PageQuery, app_error, error_page, not_found, parse_id, render,
};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, OptionalUser, PageUser, check_csrf};

const CALL_FIELDS: &[&str] = &[
    "body",
    "unit",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "mode",
    "place",
    "online_url",
    "agenda",
];
const MOTION_FIELDS: &[&str] = &[
    "kind", "title", "text", "matter", "position", "requires", "target",
];
const VOTE_FIELDS: &[&str] = &["votes_for", "votes_against", "abstentions", "present"];

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

pub struct MeetingRow {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub body: String,
    pub upcoming: bool,
    /// Held before the organisation used Charter and entered by two officers.
    pub historical: bool,
}

fn meeting_row(m: &MeetingRecord, now: DateTime<Utc>) -> MeetingRow {
    MeetingRow {
        id: m.id,
        title: m.title.clone(),
        // A historical meeting's day is known, not its hours.
        when: if m.historical_entered_at.is_some() {
            date(m.starts_at.date_naive())
        } else {
            time(m.starts_at)
        },
        body: m.body.replace('-', " "),
        upcoming: m.starts_at > now,
        historical: m.historical_entered_at.is_some(),
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CallForm {
    pub csrf: String,
    pub body: String,
    pub unit: String,
    pub kind: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub mode: String,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    layout: Layout,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    may_call: bool,
    bodies: Vec<Choice>,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    form: CallForm,
    errors: Errors,
    /// A calendar subscription link just made: shown this once.
    feed_url: Option<String>,
}

async fn meetings_page(
    state: &AppState,
    session: &CurrentSession,
    form: CallForm,
    errors: Errors,
) -> Response {
    meetings_page_with(state, session, form, errors, None).await
}

async fn meetings_page_with(
    state: &AppState,
    session: &CurrentSession,
    form: CallForm,
    errors: Errors,
    feed_url: Option<String>,
) -> Response {
    let app = &state.app;
    let now = app.clock.now();
    let all = match app.meetings(&session.actor, None, None).await {
        Ok(m) => m,
        Err(e) => return app_error(session, e),
    };
    let (mut upcoming, mut past): (Vec<MeetingRow>, Vec<MeetingRow>) = all
        .iter()
        .map(|m| meeting_row(m, now))
        .partition(|r| r.upcoming);
    past.reverse();
    upcoming.truncate(200);
    past.truncate(200);
    let may_call = !session.actor.scope_roots(Power::CallMeetings).is_empty();
    let mut bodies = Vec::new();
    let mut kinds = Vec::new();
    let mut units = Vec::new();
    if may_call {
        let choice = |value: &str, label: String, current: &str| Choice {
            value: value.to_string(),
            label,
            selected: current == value,
        };
        for (v, l) in [
            ("branch-meeting", "Branch general meeting"),
            ("regional-meeting", "Regional meeting"),
            ("conference", "Conference"),
        ] {
            bodies.push(choice(v, l.to_string(), &form.body));
        }
        if let Ok((_, c)) = app.constitution_in_force(app.today()).await {
            for (_, b) in c.bodies().filter(|(_, b)| b.is_committee()) {
                bodies.push(choice(b.key.as_str(), b.name.clone(), &form.body));
            }
            for k in [
                "general-meeting",
                "committee-meeting",
                "special-conference",
                "annual-conference",
            ] {
                if let Ok(key) = charter_rules::Key::parse(k)
                    && let Some((clause, n)) = c.notice_for(&key)
                {
                    kinds.push(choice(
                        k,
                        format!(
                            "{} ({} clear days' notice, clause {clause})",
                            key.words(),
                            n.clear_days
                        ),
                        &form.kind,
                    ));
                }
            }
        }
        if let (Ok(tree), Ok(all)) = (app.tree().await, app.store_units().await) {
            let mut list: Vec<Choice> = all
                .iter()
                .filter(|u| matches!(u.kind, UnitKind::Branch | UnitKind::Region) && u.is_open())
                .filter(|u| session.actor.may(Power::CallMeetings, u.id, &tree))
                .map(|u| {
                    choice(
                        &u.id.0.to_string(),
                        format!("{} ({})", u.name, u.kind.as_str()),
                        &form.unit,
                    )
                })
                .collect();
            list.sort_by(|a, b| a.label.cmp(&b.label));
            units = list;
        }
    }
    render(
        status_for(&[&errors]),
        &MeetingsPage {
            layout: Layout::new("Meetings", Some(session), "meetings"),
            upcoming,
            past,
            may_call,
            bodies,
            kinds,
            units,
            form,
            errors,
            feed_url,
        },
    )
}

pub async fn meetings(State(state): State<AppState>, PageUser(session): PageUser) -> Response {
    meetings_page(
        &state,
        &session,
        CallForm::default(),
        Errors::none("cm-", CALL_FIELDS),
    )
    .await
}

pub async fn call(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PageForm(form): PageForm<CallForm>,
) -> Response {
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let mut errs = BTreeMap::new();
    let starts = parse_local(&form.starts_at).unwrap_or_else(|m| {
        errs.insert("starts_at".to_string(), m);
        None
    });
    let ends = parse_local(&form.ends_at).unwrap_or_else(|m| {
        errs.insert("ends_at".to_string(), m);
        None
    });
    let unit = match form.unit.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(UnitId(id)),
            Err(_) => {
                errs.insert("unit".into(), "choose a unit from the list".into());
                None
            }
        },
    };
    if !errs.is_empty() {
        return meetings_page(
            &state,
            &session,
            form,
            Errors::new("cm-", CALL_FIELDS, errs),
        )
        .await;
    }
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let req = MeetingRequest {
        body: form.body.clone(),
        unit,
        kind: form.kind.clone(),
        title: form.title.clone(),
        starts_at: starts,
        ends_at: ends,
        mode: form.mode.clone(),
        place: blank(&form.place),
        online_url: blank(&form.online_url),
        agenda: form.agenda.clone(),
    };
    match state.app.call_meeting(&session.actor, &req).await {
        Ok(c) => {
            let flag = if c.short_notice.is_some() {
                "short"
            } else {
                "called"
            };
            Redirect::to(&format!("/meetings/{}?saved={flag}", c.id)).into_response()
        }
        Err(e) => match field_errors(e) {
            Ok(errs) => {
                meetings_page(
                    &state,
                    &session,
                    form,
                    Errors::new("cm-", CALL_FIELDS, errs),
                )
                .await
            }
            Err(e) => app_error(&session, e),
        },
    }
}

pub struct MotionView {
    pub id: i64,
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

/// An electronic vote on a motion, in words.
pub struct PollLine {
    pub open: bool,
    pub describe: String,
    /// "Your vote is recorded…" once the reader has voted.
    pub mine: Option<String>,
}

fn poll_line(p: &PollView) -> PollLine {
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

/// What the motion card needs beyond the motion: its meeting's motions and the reader.
struct MotionContext<'a> {
    motions: &'a [charter_store::MotionRecord],
    /// Motions formed as composites, which set their parts aside.
    composite_motions: std::collections::BTreeSet<i64>,
    reader: MemberId,
    history: &'a BTreeMap<
        i64,
        Vec<(
            charter_store::MotionVersion,
            Option<charter_rules::WordDiff>,
        )>,
    >,
}

fn motion_view(
    m: &charter_store::MotionRecord,
    poll: Option<&PollView>,
    cx: &MotionContext<'_>,
) -> MotionView {
    let parent = m.parent.and_then(|p| cx.motions.iter().find(|x| x.id == p));
    let number_of = |id: i64| cx.motions.iter().find(|x| x.id == id).map(|x| x.number);
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
    pub csrf: String,
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
    open_business: Vec<(i64, i64, String)>,
    /// Standing decisions of earlier meetings a rescission may name: (id, label).
    rescindable: Vec<(i64, String)>,
    /// Meetings a motion here may call for: (key, words).
    requirable: Vec<(String, String)>,
    minutes: Option<charter_store::MinutesRecord>,
    /// Approved: no more editing.
    minutes_final: bool,
    /// What the officers' minutes form starts from: the saved draft, or one from the record.
    minutes_text: String,
    /// Earlier meetings of the body whose draft minutes this one could approve.
    drafts_to_approve: Vec<(i64, String)>,
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
    appoint_form: super::appointments::AppointForm,
    appoint_errors: Errors,
    /// What this meeting may decide about a member's standing: (status, clause).
    discipline_choices: Vec<(String, String)>,
    discipline_form: super::discipline::DisciplineForm,
    discipline_errors: Errors,
}

/// What a meeting page shows beyond the record: a notice or refusal, and forms as typed.
pub(super) struct Input {
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
    pub appoint_form: super::appointments::AppointForm,
    pub appoint_errors: Errors,
    pub discipline_form: super::discipline::DisciplineForm,
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
            appoint_form: super::appointments::AppointForm::default(),
            appoint_errors: super::appointments::no_errors(),
            discipline_form: super::discipline::DisciplineForm::default(),
            discipline_errors: super::discipline::no_errors(),
        }
    }
}

pub(super) async fn meeting_page(
    state: &AppState,
    session: &CurrentSession,
    id: i64,
    input: Input,
) -> Response {
    let v = match state.app.meeting_view(&session.actor, id).await {
        Ok(v) => v,
        Err(AppError::NotFound(_)) => return not_found(Some(session), "meeting"),
        Err(e) => return app_error(session, e),
    };
    let now = state.app.clock.now();
    // The wordings of motions an amendment has changed (every motion has its first).
    let mut history = BTreeMap::new();
    for mo in v.motions.iter().filter(|mo| mo.parent.is_none()) {
        match state.app.motion_history(mo.id).await {
            Ok(h) if h.len() > 1 => {
                history.insert(mo.id, h);
            }
            Ok(_) => {}
            Err(e) => return app_error(session, e),
        }
    }
    let minutes = match state.app.minutes(id).await {
        Ok(m) => m,
        Err(e) => return app_error(session, e),
    };
    let agenda = match super::agenda::section(state, session, id).await {
        Ok(a) => a,
        Err(e) => return app_error(session, e),
    };
    let drafts_to_approve = if v.may_run {
        match state.app.drafts_to_approve(id).await {
            Ok(list) => list,
            Err(e) => return app_error(session, e),
        }
    } else {
        Vec::new()
    };
    let check_in_code = if v.may_run {
        match state.app.check_in_code(&session.actor, id).await {
            Ok(c) => c,
            Err(e) => return app_error(session, e),
        }
    } else {
        None
    };
    // Only when the motion form shows: it reads every earlier meeting of the body.
    let proposing =
        v.mine.is_some() && now <= v.meeting.ends_at && v.meeting.adjourned_by.is_none();
    let rescindable = if proposing {
        match state.app.rescindable(id).await {
            Ok(list) => list
                .into_iter()
                .map(|(mo, held)| (mo.id, format!("{} ({held})", mo.title)))
                .collect(),
            Err(e) => return app_error(session, e),
        }
    } else {
        Vec::new()
    };
    let requirable = if proposing {
        match state.app.meetings_motions_may_require(id).await {
            Ok(list) => list,
            Err(e) => return app_error(session, e),
        }
    } else {
        Vec::new()
    };
    let appoint_offices = if proposing && now < v.meeting.starts_at {
        match state.app.appointable_offices(id).await {
            Ok(list) => list.into_iter().map(|(o, label)| (o.0, label)).collect(),
            Err(e) => return app_error(session, e),
        }
    } else {
        Vec::new()
    };
    let discipline_choices = if proposing && now < v.meeting.starts_at {
        match state.app.discipline_choices(id).await {
            Ok(list) => list,
            Err(e) => return app_error(session, e),
        }
    } else {
        Vec::new()
    };
    let appointments = match super::appointments::notes(state, &v.motions).await {
        Ok(a) => a,
        Err(e) => return app_error(session, e),
    };
    let m = &v.meeting;
    let (convened_class, convened_word) = match v.convening.properly_convened {
        Some(true) => ("yes", "yes"),
        Some(false) => ("no", "no"),
        None => ("", "not yet known"),
    };
    let quorate = v
        .quorum
        .as_ref()
        .map(|q| v.present_voting >= i64::from(q.1));
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
        in_progress: now >= m.starts_at && now <= m.ends_at && m.adjourned_by.is_none(),
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
    render(status, &page)
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
    PagePath(raw): PagePath<String>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
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
        other => super::agenda::notice(other).map(str::to_string),
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

/// A composite as the meeting page shows it.
struct CompositeView {
    id: i64,
    title: String,
    text: String,
    state: String,
    pending: bool,
    /// The composite motion's number, once formed.
    formed_as: Option<i64>,
    /// (number, title, consented) for each motion it merges.
    parts: Vec<(i64, String, bool)>,
    /// The reader moved a motion in it and has yet to consent.
    awaiting_me: bool,
}

fn composite_view(
    c: &charter_store::CompositeRecord,
    motions: &[charter_store::MotionRecord],
    reader: MemberId,
) -> CompositeView {
    let find = |id: i64| motions.iter().find(|m| m.id == id);
    CompositeView {
        id: c.id,
        title: c.title.clone(),
        text: c.text.clone(),
        state: match c.state {
            CompositeState::Pending => "awaiting the movers' consent".to_string(),
            other => other.to_string(),
        },
        pending: c.state == CompositeState::Pending,
        formed_as: c.motion.and_then(find).map(|m| m.number),
        parts: c
            .parts
            .iter()
            .filter_map(|p| {
                find(p.motion).map(|m| (m.number, m.title.clone(), p.consented_at.is_some()))
            })
            .collect(),
        awaiting_me: c.state == CompositeState::Pending
            && c.parts.iter().any(|p| {
                p.consented_at.is_none()
                    && find(p.motion).and_then(|m| m.proposed_by) == Some(reader)
            }),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompositeForm {
    pub csrf: String,
    pub title: String,
    pub text: String,
    /// The motions' numbers, e.g. "2, 5".
    pub numbers: String,
}

/// The officers propose a composite of motions named by number.
pub async fn propose_composite(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<CompositeForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let result = async {
        let motions = state.app.meeting_motions(id).await?;
        let mut ids = Vec::new();
        for raw in form
            .numbers
            .split([',', ' ', ';'])
            .filter(|w| !w.trim().is_empty())
        {
            let n: Option<i64> = raw.trim().trim_start_matches('#').parse().ok();
            match n.and_then(|n| motions.iter().find(|m| m.number == n)) {
                Some(m) => ids.push(m.id),
                None => {
                    return Err(AppError::invalid(
                        "motions",
                        format!(
                            "'{}' is not the number of a motion before this meeting",
                            raw.trim()
                        ),
                    ));
                }
            }
        }
        state
            .app
            .propose_composite(&session.actor, id, &form.title, &form.text, &ids)
            .await
    }
    .await
    .map(|_| ("composite", "composites".to_string()));
    after_meeting_form(&state, &session, id, result).await
}

/// A mover consents to a composite, or refuses it (`refusal`); officers may drop it.
pub async fn answer_composite(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath((raw, answer)): PagePath<(String, String)>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "composite");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let meeting = match state.app.composite(id).await {
        Ok(Some(c)) => c.meeting,
        Ok(None) => return not_found(Some(&session), "composite"),
        Err(e) => return app_error(&session, e),
    };
    let result = match answer.as_str() {
        "consent" => state
            .app
            .consent_to_composite(&session.actor, id)
            .await
            .map(|formed| {
                if formed.is_some() {
                    "composited"
                } else {
                    "consented"
                }
            }),
        "refusal" => state
            .app
            .decline_composite(&session.actor, id)
            .await
            .map(|()| "composite-declined"),
        _ => return not_found(Some(&session), "page"),
    };
    let anchored = result.map(|saved| (saved, "composites".to_string()));
    after_meeting_form(&state, &session, meeting, anchored).await
}

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

pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MotionForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
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
        target: parse_id(&form.rescinds),
        emergency: form.emergency == "yes",
    };
    match state.app.propose_motion(&session.actor, id, &motion).await {
        Ok(_) => Redirect::to(&format!("/meetings/{id}?saved=proposed")).into_response(),
        Err(AppError::NotFound(w)) => not_found(Some(&session), w),
        Err(AppError::Forbidden(why)) => app_error(&session, AppError::Forbidden(why)),
        Err(e) => match field_errors(e) {
            Ok(errs) => {
                let input = Input {
                    motion_form: form,
                    motion_errors: Errors::new("mo-", MOTION_FIELDS, errs),
                    ..Input::plain(None)
                };
                meeting_page(&state, &session, id, input).await
            }
            Err(e) => app_error(&session, e),
        },
    }
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MotionActionForm {
    pub csrf: String,
    pub meeting: String,
    pub mode: String,
    pub choice: String,
    pub submission: String,
    pub text: String,
}

/// What a form on a motion asked for.
enum MotionAction {
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
async fn motion_form(
    state: &AppState,
    session: &CurrentSession,
    headers: &HeaderMap,
    raw: &str,
    form: &MotionActionForm,
    action: MotionAction,
) -> Response {
    let Some(motion) = parse_id(raw) else {
        return not_found(Some(session), "motion");
    };
    if let Err(e) = check_csrf(session, &form.csrf, headers) {
        return error_page(Some(session), e);
    }
    let Some(meeting) = parse_id(&form.meeting) else {
        return not_found(Some(session), "meeting");
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
    after_meeting_form(state, session, meeting, anchored).await
}

/// The answer to a form on a meeting: on success, back to the meeting page at `anchor`; a
/// refusal (conflict or invalid input) shown at the top of the page as it stands now.
pub(super) async fn after_meeting_form(
    state: &AppState,
    session: &CurrentSession,
    meeting: i64,
    result: Result<(&str, String), AppError>,
) -> Response {
    let refused = |why: String| Input {
        alert: Some(why),
        ..Input::plain(None)
    };
    match result {
        Ok((saved, anchor)) => {
            Redirect::to(&format!("/meetings/{meeting}?saved={saved}#{anchor}")).into_response()
        }
        Err(AppError::NotFound(w)) => not_found(Some(session), w),
        Err(AppError::Conflict { message, .. }) => with_status(
            StatusCode::CONFLICT,
            meeting_page(state, session, meeting, refused(message)).await,
        ),
        Err(AppError::Invalid(errs)) => {
            let why = errs.0.into_values().collect::<Vec<_>>().join("; ");
            with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                meeting_page(state, session, meeting, refused(why)).await,
            )
        }
        Err(e) => app_error(session, e),
    }
}

/// Keeps a rendered page but answers with `status` (unless the page itself is an error).
fn with_status(status: StatusCode, mut page: Response) -> Response {
    if page.status().is_success() {
        *page.status_mut() = status;
    }
    page
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProceduralForm {
    pub csrf: String,
    pub kind: String,
    pub target: String,
}

pub async fn procedural(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<ProceduralForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "meeting");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let result = state
        .app
        .move_procedural(&session.actor, id, &form.kind, parse_id(&form.target))
        .await
        .map(|motion| ("procedural", format!("motion-{motion}")));
    after_meeting_form(&state, &session, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MinutesForm {
    pub csrf: String,
    pub text: String,
    pub of_meeting: String,
}

/// Saving the draft minutes, or putting an earlier meeting's for approval; a refusal is
/// shown on the meeting page.
async fn minutes_form(
    state: &AppState,
    session: &CurrentSession,
    headers: &HeaderMap,
    raw: &str,
    form: &MinutesForm,
    approve: bool,
) -> Response {
    let Some(id) = parse_id(raw) else {
        return not_found(Some(session), "meeting");
    };
    if let Err(e) = check_csrf(session, &form.csrf, headers) {
        return error_page(Some(session), e);
    }
    let result = if approve {
        match parse_id(&form.of_meeting) {
            Some(of) => state
                .app
                .put_minutes_for_approval(&session.actor, id, of)
                .await
                .map(|_| "minutes-put"),
            None => Err(AppError::invalid(
                "of_meeting",
                "choose the meeting whose minutes are to be approved",
            )),
        }
    } else {
        state
            .app
            .save_minutes(&session.actor, id, &form.text)
            .await
            .map(|()| "minutes")
    };
    let anchored = result.map(|saved| (saved, "minutes".to_string()));
    after_meeting_form(state, session, id, anchored).await
}

pub async fn save_minutes(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MinutesForm>,
) -> Response {
    minutes_form(&state, &session, &headers, &raw, &form, false).await
}

pub async fn approve_minutes(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MinutesForm>,
) -> Response {
    minutes_form(&state, &session, &headers, &raw, &form, true).await
}

pub async fn second(
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
        MotionAction::Second,
    )
    .await
}

pub async fn withdraw(
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
        MotionAction::Withdraw,
    )
    .await
}

pub async fn amend(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<MotionActionForm>,
) -> Response {
    motion_form(&state, &session, &headers, &raw, &form, MotionAction::Amend).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    pub csrf: String,
    pub meeting: String,
}

pub async fn publish(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    PageForm(form): PageForm<PublishForm>,
) -> Response {
    let Some(motion) = parse_id(&raw) else {
        return not_found(Some(&session), "motion");
    };
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    match state.app.publish_motion(&session.actor, motion).await {
        Ok(()) => match parse_id(&form.meeting) {
            Some(m) => Redirect::to(&format!("/meetings/{m}?saved=published")).into_response(),
            None => Redirect::to("/meetings").into_response(),
        },
        Err(e) => app_error(&session, e),
    }
}

pub struct StatementView {
    pub title: String,
    pub text: String,
    pub meeting: String,
    pub on: String,
    pub votes: String,
}

#[derive(Template)]
#[template(path = "statements.html")]
struct StatementsPage {
    layout: Layout,
    unit: String,
    statements: Vec<StatementView>,
}

fn statement_view(p: &charter_store::PublishedMotion) -> StatementView {
    StatementView {
        title: p.motion.title.clone(),
        text: p.motion.text.clone(),
        meeting: p.meeting_title.clone(),
        on: time(p.meeting_on),
        votes: match (p.motion.votes_for, p.motion.votes_against) {
            (Some(f), Some(a)) => format!("{f} for, {a} against"),
            _ => String::new(),
        },
    }
}

/// `/units/{id}/statements`: a unit's published decisions, for anyone.
pub async fn statements(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PagePath(raw): PagePath<String>,
) -> Response {
    let Some(id) = parse_id(&raw).map(UnitId) else {
        return not_found(session.as_ref(), "unit");
    };
    let unit = match state.app.store_units().await {
        Ok(units) => units.into_iter().find(|u| u.id == id),
        Err(e) => return error_page(session.as_ref(), e.into()),
    };
    let Some(unit) = unit else {
        return not_found(session.as_ref(), "unit");
    };
    match state.app.statements_of(id).await {
        Ok(list) => render(
            StatusCode::OK,
            &StatementsPage {
                layout: Layout::new(
                    format!("Statements of {}", unit.name),
                    session.as_ref(),
                    "statements",
                ),
                unit: unit.name,
                statements: list.iter().map(statement_view).collect(),
            },
        ),
        Err(e) => error_page(session.as_ref(), e.into()),
    }
}

pub struct RegionBar {
    pub name: String,
    pub oppose: usize,
    pub support: usize,
    pub oppose_width: usize,
    pub support_width: usize,
}

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    layout: Layout,
    matter: String,
    branches: usize,
    oppose: usize,
    support: usize,
    regions: Vec<RegionBar>,
    statements: Vec<StatementView>,
    /// Requisitions opened on the matter or counting its branches' motions.
    requisitions: Vec<super::requisitions::RequisitionRow>,
}

/// `/matters/{matter}`: how many branches oppose or support a national matter, by region.
pub async fn matter(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PagePath(raw): PagePath<String>,
) -> Response {
    let t = match state.app.matter_tally(&raw).await {
        Ok(t) => t,
        Err(e) => return error_page(session.as_ref(), e.into()),
    };
    let requisitions = match state.app.requisitions_on_matter(&t.matter).await {
        Ok(list) => list
            .iter()
            .map(super::requisitions::requisition_row)
            .collect(),
        Err(e) => return error_page(session.as_ref(), e.into()),
    };
    let most = t
        .by_region
        .iter()
        .map(|r| r.2 + r.3)
        .max()
        .unwrap_or(1)
        .max(1);
    let regions = t
        .by_region
        .iter()
        .map(|(_, name, o, s)| RegionBar {
            name: name.clone(),
            oppose: *o,
            support: *s,
            oppose_width: o * 100 / most,
            support_width: s * 100 / most,
        })
        .collect();
    render(
        StatusCode::OK,
        &MatterPage {
            layout: Layout::new(
                format!("Branches on {}", t.matter),
                session.as_ref(),
                "statements",
            ),
            matter: t.matter.clone(),
            branches: t.branches,
            oppose: t.oppose,
            support: t.support,
            regions,
            statements: t.motions.iter().map(statement_view).collect(),
            requisitions,
        },
    )
}

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
pub async fn my_calendar(State(state): State<AppState>, PageUser(session): PageUser) -> Response {
    match state.app.my_calendar(&session.actor).await {
        Ok(text) => calendar_response(text, "my-meetings.ics"),
        Err(e) => app_error(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarQuery {
    pub body: String,
    pub unit: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarLinkForm {
    pub csrf: String,
}

/// Makes the member a new calendar subscription link and shows it once.
pub async fn new_calendar_link(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    headers: HeaderMap,
    PageForm(form): PageForm<CalendarLinkForm>,
) -> Response {
    if let Err(e) = check_csrf(&session, &form.csrf, &headers) {
        return error_page(Some(&session), e);
    }
    let token = match state.app.new_calendar_link(&session.actor).await {
        Ok(t) => t,
        Err(e) => return app_error(&session, e),
    };
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
) -> Response {
    let token = raw.strip_suffix(".ics").unwrap_or(&raw);
    match state.app.calendar_for_link(token).await {
        Ok(Some(text)) => calendar_response(text, "my-meetings.ics"),
        Ok(None) => error_page(None, WebError::App(AppError::NotFound("calendar"))),
        Err(e) => error_page(None, WebError::App(e)),
    }
}

/// `/meetings/calendar.ics?body=…&unit=…`: one body's meetings.
pub async fn body_calendar(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(q): PageQuery<CalendarQuery>,
) -> Response {
    let unit = parse_id(&q.unit).map(UnitId);
    match state.app.body_calendar(&q.body, unit).await {
        Ok(text) => calendar_response(text, &format!("{}.ics", q.body.trim())),
        Err(e) => app_error(&session, e),
    }
}
