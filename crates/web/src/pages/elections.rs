//! Election pages: every election with a form for officers to open one; one election with its
//! timetable and the clause that sets it, the candidates with their nominators and statements,
//! forms to nominate, to publish a statement and to withdraw, the officers' button that builds
//! the ballot once nominations close, and the result once the ballot is counted.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::elections::ElectionRequest;
use charter_domain::{MemberId, NominationState, Power};
use charter_model::{ElectionId, ElectionRecord, NominationRecord};
use charter_rules::Filling;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::ballots::vote_roll_choices;
use super::forms::{Errors, field_errors};
use super::meetings::{Choice, parse_local};
use super::rules_view::capitalise;
use super::view::time;
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser};

const OPEN_FIELDS: &[&str] = &[
    "body",
    "title",
    "roll",
    "nominations_close_at",
    "opens_at",
    "closes_at",
];
const ELECTION_FIELDS: &[&str] = &["candidate", "statement"];

/// "steering-committee" as people say it: "Steering committee".
fn body_words(key: &str) -> String {
    capitalise(&key.replace('-', " "))
}

/// Where the election stands, in words, at `now`.
fn phase(e: &ElectionRecord, now: DateTime<Utc>) -> &'static str {
    if e.seated_at.is_some() {
        "winners seated"
    } else if now < e.nominations_close_at {
        "nominations open"
    } else if e.ballot.is_none() {
        "nominations closed: ballot to be built"
    } else if now < e.opens_at {
        "ballot built: voting not yet open"
    } else if now < e.closes_at {
        "voting open"
    } else {
        "voting closed"
    }
}

fn nomination_state(n: &NominationRecord, needed: u32) -> String {
    match n.state {
        NominationState::Valid => "valid".to_string(),
        NominationState::Withdrawn => "withdrawn".to_string(),
        NominationState::Seeking => format!(
            "seeking nominators ({} of {needed})",
            n.nominators.clamp(0, i64::from(needed))
        ),
    }
}

pub struct ElectionRow {
    pub id: ElectionId,
    pub title: String,
    pub body: String,
    pub seats: u32,
    pub phase: &'static str,
    pub nominations_close: String,
    pub voting: String,
}

fn election_row(e: &ElectionRecord, now: DateTime<Utc>) -> ElectionRow {
    ElectionRow {
        id: e.id,
        title: e.title.clone(),
        body: body_words(&e.body),
        seats: e.seats,
        phase: phase(e, now),
        nominations_close: time(e.nominations_close_at),
        voting: format!("{} to {}", time(e.opens_at), time(e.closes_at)),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OpenForm {
    pub body: String,
    pub title: String,
    pub roll: String,
    pub nominations_close_at: String,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Template)]
#[template(path = "elections.html")]
struct ElectionsPage {
    layout: Layout,
    rows: Vec<ElectionRow>,
    may_open: bool,
    bodies: Vec<Choice>,
    rolls: Vec<Choice>,
    form: OpenForm,
    errors: Errors,
}

async fn elections_page(
    state: &AppState,
    session: &CurrentSession,
    form: OpenForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let app = &state.app;
    let list = app.elections().await?;
    let now = app.clock.now();
    let may_open = !session.actor.scope_roots(Power::CallMeetings).is_empty();
    let mut bodies = Vec::new();
    let mut rolls = Vec::new();
    if may_open {
        if let Ok((_, c)) = app.constitution_in_force(app.today()).await {
            for (_, b) in c.bodies() {
                let elected = matches!(b.filled, Filling::ElectedBy(_)) && b.seats.is_some();
                if let (true, Some((clause, rule))) = (elected, c.nomination_for(&b.key)) {
                    bodies.push(Choice {
                        value: b.key.as_str().to_string(),
                        label: format!(
                            "{} ({} seats; clause {clause}: {} nominators, nominations open at least {} days)",
                            b.name,
                            b.seats.unwrap_or(0),
                            rule.nominators,
                            rule.window_days
                        ),
                        selected: form.body == b.key.as_str(),
                    });
                }
            }
        }
        rolls = vote_roll_choices(&app.rolls().await?, &form.roll);
    }
    Ok(render(
        status,
        &ElectionsPage {
            layout: Layout::new("Elections", Some(session), "ballots"),
            rows: list.iter().map(|e| election_row(e, now)).collect(),
            may_open,
            bodies,
            rolls,
            form,
            errors,
        },
    ))
}

pub async fn elections(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    elections_page(
        &state,
        &session,
        OpenForm::default(),
        Errors::none("ne-", OPEN_FIELDS),
        StatusCode::OK,
    )
    .await
}

/// An officer opens nominations; every refusal is shown beside the form.
pub async fn open(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> PageResult {
    let mut errs = BTreeMap::new();
    let mut when = |field: &str, raw: &str| {
        parse_local(raw).unwrap_or_else(|m| {
            errs.insert(field.to_string(), m);
            None
        })
    };
    let nominations_close = when("nominations_close_at", &form.nominations_close_at);
    let opens = when("opens_at", &form.opens_at);
    let closes = when("closes_at", &form.closes_at);
    let roll = match form.roll.trim() {
        "" => None,
        raw => parse_id(raw).or_else(|| {
            errs.insert("roll".into(), "choose a roll from the list".into());
            None
        }),
    };
    if !errs.is_empty() {
        let errors = Errors::new("ne-", OPEN_FIELDS, errs);
        return elections_page(
            &state,
            &session,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let req = ElectionRequest {
        body: form.body.clone(),
        title: form.title.clone(),
        roll: roll.map(charter_model::RollId),
        nominations_close_at: nominations_close,
        opens_at: opens,
        closes_at: closes,
    };
    match state.app.open_election(&session.actor, &req).await {
        Ok(id) => Ok(Redirect::to(&format!("/elections/{id}?saved=opened")).into_response()),
        Err(e) => {
            let (status, fields) = refusal(e)?;
            let errors = Errors::new("ne-", OPEN_FIELDS, fields);
            elections_page(&state, &session, form, errors, status).await
        }
    }
}

/// A refusal the form shows beside its fields, with its status; anything else is an error page.
fn refusal(e: AppError) -> Result<(StatusCode, BTreeMap<String, String>), AppError> {
    let status = match &e {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    match e {
        AppError::Forbidden(why) => Ok((status, BTreeMap::from([("election".into(), why)]))),
        other => field_errors(other).map(|f| (status, f)),
    }
}

pub struct CandidateRow {
    pub name: String,
    pub state: String,
    pub valid: bool,
    pub statement: String,
}

#[derive(Template)]
#[template(path = "election.html")]
struct ElectionPage {
    layout: Layout,
    id: i64,
    title: String,
    body: String,
    seats: u32,
    phase: &'static str,
    clause: String,
    nominators: u32,
    nominations_close: String,
    withdrawals_close: String,
    opens: String,
    closes: String,
    candidates: Vec<CandidateRow>,
    notice: Option<&'static str>,
    errors: Errors,
    may_nominate: bool,
    /// The reader's own statement, when they are a candidate who may still change it.
    my_statement: Option<String>,
    may_withdraw: bool,
    may_build: bool,
    ballot: Option<i64>,
    outcome: Option<String>,
    seated: Option<String>,
    candidate_value: String,
}

/// What a rendering of the election page carries beyond the election.
struct Shown {
    notice: Option<&'static str>,
    errors: Errors,
    status: StatusCode,
    candidate: String,
    statement: Option<String>,
}

impl Shown {
    fn plain(notice: Option<&'static str>) -> Self {
        Shown {
            notice,
            errors: Errors::none("el-", ELECTION_FIELDS),
            status: StatusCode::OK,
            candidate: String::new(),
            statement: None,
        }
    }
}

async fn election_page(
    state: &AppState,
    session: &CurrentSession,
    id: ElectionId,
    shown: Shown,
) -> PageResult {
    let app = &state.app;
    let (e, nominations) = app.election(id).await?;
    let now = app.clock.now();
    let (outcome, seated) = match e.ballot {
        Some(b) => match app.find_ballot(b).await? {
            Some(b) => (
                b.outcome,
                e.seated_at
                    .map(|t| format!("The winners took their seats on {}.", time(t))),
            ),
            None => (None, None),
        },
        None => (None, None),
    };
    let mine = nominations
        .iter()
        .find(|n| n.candidate == session.actor.member && n.state != NominationState::Withdrawn);
    let my_statement = mine.filter(|_| now < e.opens_at).map(|n| {
        shown
            .statement
            .clone()
            .unwrap_or_else(|| n.statement.clone())
    });
    let page = ElectionPage {
        layout: Layout::new(e.title.clone(), Some(session), "ballots"),
        id: e.id.0,
        title: e.title.clone(),
        body: body_words(&e.body),
        seats: e.seats,
        phase: phase(&e, now),
        clause: e.clause.clone().unwrap_or_default(),
        nominators: e.nominators,
        nominations_close: time(e.nominations_close_at),
        withdrawals_close: time(e.withdrawals_close_at),
        opens: time(e.opens_at),
        closes: time(e.closes_at),
        candidates: nominations
            .iter()
            .map(|n| CandidateRow {
                name: n.name.clone(),
                state: nomination_state(n, e.nominators),
                valid: n.state == NominationState::Valid,
                statement: n.statement.clone(),
            })
            .collect(),
        notice: shown.notice,
        errors: shown.errors,
        may_nominate: now < e.nominations_close_at,
        my_statement,
        may_withdraw: mine.is_some() && now <= e.withdrawals_close_at,
        may_build: e.ballot.is_none()
            && now >= e.nominations_close_at
            && !session.actor.scope_roots(Power::CallMeetings).is_empty(),
        ballot: e.ballot.map(|id| id.0),
        outcome,
        seated,
        candidate_value: shown.candidate,
    };
    Ok(render(shown.status, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ElectionQuery {
    pub saved: String,
}

pub async fn election(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Election>,
    PageQuery(q): PageQuery<ElectionQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "opened" => Some(
            "Nominations are open. Members entitled to nominate can nominate candidates here until the time given.",
        ),
        "nominated" => Some("Your nomination is recorded."),
        "statement" => Some("Your statement is published."),
        "withdrawn" => Some("You have withdrawn from this election."),
        "ballot" => Some(
            "The ballot is built from the valid nominations. Voting opens at the time given, when every voter is sent a personal voting link.",
        ),
        _ => None,
    };
    election_page(&state, &session, id, Shown::plain(notice)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ElectionForm {
    /// The member number of the person nominated.
    pub candidate: String,
    pub statement: String,
}

/// What a form on the election page asks the app to do.
enum Act {
    Nominate(MemberId),
    Statement(String),
    Withdraw,
    BuildBallot,
}

/// Runs one of the election page's forms: on success back to the page with a notice, on a
/// refusal the page again with the message beside the form and what was typed kept.
async fn act(
    state: &AppState,
    session: &CurrentSession,
    id: ElectionId,
    form: ElectionForm,
    make: impl FnOnce(&ElectionForm) -> Result<Act, String>,
) -> PageResult {
    let kept = |errors: Errors, status: StatusCode| Shown {
        notice: None,
        errors,
        status,
        candidate: form.candidate.clone(),
        statement: Some(form.statement.clone()),
    };
    let act = match make(&form) {
        Ok(a) => a,
        Err(msg) => {
            let errors = Errors::new(
                "el-",
                ELECTION_FIELDS,
                BTreeMap::from([("candidate".into(), msg)]),
            );
            let shown = kept(errors, StatusCode::UNPROCESSABLE_ENTITY);
            return election_page(state, session, id, shown).await;
        }
    };
    let app = &state.app;
    let actor = &session.actor;
    let done = match act {
        Act::Nominate(m) => app.nominate(actor, id, m).await.map(|_| "nominated"),
        Act::Statement(s) => app.set_statement(actor, id, &s).await.map(|()| "statement"),
        Act::Withdraw => app
            .withdraw_candidacy(actor, id)
            .await
            .map(|()| "withdrawn"),
        Act::BuildBallot => app
            .build_election_ballot(actor, id, &[])
            .await
            .map(|_| "ballot"),
    };
    match done {
        Ok(saved) => Ok(Redirect::to(&format!("/elections/{id}?saved={saved}")).into_response()),
        Err(e) => {
            let (status, fields) = refusal(e)?;
            let errors = Errors::new("el-", ELECTION_FIELDS, fields);
            election_page(state, session, id, kept(errors, status)).await
        }
    }
}

pub async fn nominate(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Election>,
    CsrfForm(form): CsrfForm<ElectionForm>,
) -> PageResult {
    act(&state, &session, id, form, |f| {
        match parse_id(f.candidate.trim().trim_start_matches('#')) {
            Some(n) => Ok(Act::Nominate(MemberId(n))),
            None if f.candidate.trim().is_empty() => {
                Err("give the member number of the person you nominate".into())
            }
            None => Err(format!(
                "'{}' is not a member number; it is the number on the member's card and page",
                f.candidate.trim()
            )),
        }
    })
    .await
}

pub async fn statement(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Election>,
    CsrfForm(form): CsrfForm<ElectionForm>,
) -> PageResult {
    act(&state, &session, id, form, |f| {
        Ok(Act::Statement(f.statement.clone()))
    })
    .await
}

pub async fn withdraw(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Election>,
    CsrfForm(form): CsrfForm<ElectionForm>,
) -> PageResult {
    act(&state, &session, id, form, |_| Ok(Act::Withdraw)).await
}

pub async fn build_ballot(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Election>,
    CsrfForm(form): CsrfForm<ElectionForm>,
) -> PageResult {
    act(&state, &session, id, form, |_| Ok(Act::BuildBallot)).await
}
