//! Roll pages: every frozen roll, one roll with "am I on it, and why not?", the counts per
//! branch, the challenges with their outcomes and forms to lodge and decide them, and the
//! names for officers who may see them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::rolls::{RollRequest, RollView};
use charter_domain::{ChallengeState, Power, UnitId, UnitKind};
use charter_model::{ChallengeRecord, RollChallengeId, RollId, RollRecord};
use charter_rules::Context;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::view::{Pager, date, time};
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::pages::parse_day;
use crate::session::{CurrentSession, PageUser};

const FREEZE_FIELDS: &[&str] = &[
    "title",
    "context",
    "unit",
    "right",
    "cutoff",
    "challenge_closes_on",
];
const CHALLENGE_FIELDS: &[&str] = &["grounds"];
const DECIDE_FIELDS: &[&str] = &["reason", "upheld"];
const NAMES_PER_PAGE: u32 = 50;

fn context_words(raw: &str) -> String {
    Context::parse(raw).map_or_else(|_| raw.to_string(), |c| c.words())
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 { 0 } else { part * 100 / whole }
}

pub struct RollRow {
    pub id: RollId,
    pub title: String,
    pub context: String,
    pub cutoff: String,
    pub eligible: i64,
    pub excluded: i64,
    pub closes: String,
}

fn roll_row(r: &RollRecord) -> RollRow {
    RollRow {
        id: r.id,
        title: r.title.clone(),
        context: context_words(&r.context),
        cutoff: date(r.cutoff),
        eligible: r.eligible,
        excluded: r.excluded,
        closes: date(r.challenge_closes_on),
    }
}

pub struct UnitChoice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FreezeForm {
    pub title: String,
    pub context: String,
    pub unit: String,
    pub right: String,
    pub cutoff: String,
    pub challenge_closes_on: String,
}

#[derive(Template)]
#[template(path = "rolls.html")]
struct RollsPage {
    layout: Layout,
    rows: Vec<RollRow>,
    may_freeze: bool,
    units: Vec<UnitChoice>,
    form: FreezeForm,
    errors: Errors,
    today: String,
}

async fn rolls_page(
    state: &AppState,
    session: &CurrentSession,
    form: FreezeForm,
    errors: Errors,
) -> PageResult {
    let rolls = state.app.rolls().await?;
    let actor = &session.actor;
    let may_freeze = !actor.scope_roots(Power::ManageRolls).is_empty();
    let mut units = Vec::new();
    if may_freeze {
        let (tree, all) = match (state.app.tree().await, state.app.store_units().await) {
            (Ok(t), Ok(u)) => (t, u),
            (Err(e), _) | (_, Err(e)) => return Err(e.into()),
        };
        units = all
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Branch | UnitKind::Region))
            .filter(|u| actor.may(Power::ManageRolls, u.id, &tree))
            .map(|u| UnitChoice {
                id: u.id.0,
                label: format!("{} ({})", u.name, u.kind.as_str()),
                selected: form.unit == u.id.0.to_string(),
            })
            .collect();
        units.sort_by(|a, b| a.label.cmp(&b.label));
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &RollsPage {
            layout: Layout::new("Rolls", Some(session), "rolls"),
            rows: rolls.iter().map(roll_row).collect(),
            may_freeze,
            units,
            form,
            errors,
            today: state.app.today().to_string(),
        },
    ))
}

pub async fn rolls(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    rolls_page(
        &state,
        &session,
        FreezeForm::default(),
        Errors::none("fr-", FREEZE_FIELDS),
    )
    .await
}

pub async fn freeze(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<FreezeForm>,
) -> PageResult {
    let mut errs = BTreeMap::new();
    let mut day = |field: &str, raw: &str| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        parse_day(raw)
            .map_err(|m| errs.insert(field.to_string(), m))
            .ok()
    };
    let cutoff = day("cutoff", &form.cutoff);
    let closes = day("challenge_closes_on", &form.challenge_closes_on);
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
        return rolls_page(
            &state,
            &session,
            form,
            Errors::new("fr-", FREEZE_FIELDS, errs),
        )
        .await;
    }
    let req = RollRequest {
        title: form.title.clone(),
        context: form.context.clone(),
        unit,
        right: Some(form.right.clone()),
        cutoff,
        challenge_closes_on: closes,
    };
    match state.app.freeze_roll(&session.actor, &req).await {
        Ok(id) => Ok(Redirect::to(&format!("/rolls/{id}?saved=frozen")).into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            rolls_page(
                &state,
                &session,
                form,
                Errors::new("fr-", FREEZE_FIELDS, errs),
            )
            .await
        }
    }
}

pub struct BranchRow {
    pub id: i64,
    pub name: String,
    pub eligible: i64,
    pub excluded: i64,
    pub percent: i64,
}

pub struct ChallengeRow {
    pub id: RollChallengeId,
    pub member_id: i64,
    pub mine: bool,
    pub grounds: String,
    pub lodged: String,
    pub state: String,
    pub state_class: &'static str,
    pub decision: String,
    pub decided: String,
    pub may_decide: bool,
}

pub struct MyLine {
    pub eligible: bool,
    pub reason: String,
    pub clauses: String,
    pub by_challenge: bool,
}

#[derive(Template)]
#[template(path = "roll.html")]
struct RollPage {
    layout: Layout,
    id: i64,
    title: String,
    context: String,
    unit_name: String,
    right: String,
    cutoff: String,
    version: String,
    version_id: i64,
    frozen_at: String,
    frozen_hash: String,
    current_hash: String,
    eligible: i64,
    excluded: i64,
    percent: i64,
    closes: String,
    challenge_open: bool,
    verified: bool,
    mine: Option<MyLine>,
    may_challenge: bool,
    has_open_challenge: bool,
    may_see_names: bool,
    branches: Vec<BranchRow>,
    challenges: Vec<ChallengeRow>,
    notice: Option<&'static str>,
    challenge_form: String,
    challenge_errors: Errors,
    decide_errors: Errors,
    decide_for: i64,
}

fn challenge_row(
    c: &ChallengeRecord,
    session: &CurrentSession,
    tree: &charter_domain::UnitTree,
) -> ChallengeRow {
    let actor = &session.actor;
    ChallengeRow {
        id: c.id,
        member_id: c.member.0,
        mine: c.member == actor.member,
        grounds: c.grounds.clone(),
        lodged: time(c.lodged_at),
        state: c.state.to_string(),
        state_class: match c.state {
            ChallengeState::Upheld => "yes",
            ChallengeState::Rejected => "no",
            ChallengeState::Open => "",
        },
        decision: c.decision_reason.clone().unwrap_or_default(),
        decided: c.decided_at.map(time).unwrap_or_default(),
        may_decide: c.state == ChallengeState::Open
            && c.member != actor.member
            && actor.may(Power::ManageRolls, c.branch, tree),
    }
}

struct RollPageInput {
    notice: Option<&'static str>,
    challenge_form: String,
    challenge_errors: Errors,
    decide_errors: Errors,
    decide_for: i64,
}

impl RollPageInput {
    fn plain(notice: Option<&'static str>) -> Self {
        RollPageInput {
            notice,
            challenge_form: String::new(),
            challenge_errors: Errors::none("ch-", CHALLENGE_FIELDS),
            decide_errors: Errors::none("dc-", DECIDE_FIELDS),
            decide_for: 0,
        }
    }
}

async fn roll_page(
    state: &AppState,
    session: &CurrentSession,
    id: RollId,
    input: RollPageInput,
) -> PageResult {
    let view: RollView = state
        .app
        .roll_view(&session.actor, id)
        .await
        .map_err(as_roll)?;
    let (tree, check) = match (state.app.tree().await, state.app.check_roll(id).await) {
        (Ok(t), Ok(c)) => (t, c),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let r = &view.roll;
    let mine = view.mine.as_ref().map(|m| MyLine {
        eligible: m.eligible,
        reason: m.reason.clone(),
        clauses: m.clauses.clone(),
        by_challenge: m.challenge.is_some(),
    });
    let has_open_challenge = view
        .challenges
        .iter()
        .any(|c| c.member == session.actor.member && c.state == ChallengeState::Open);
    let may_challenge =
        view.challenge_open && !has_open_challenge && mine.as_ref().is_some_and(|m| !m.eligible);
    let status = if input.challenge_errors.any() || input.decide_errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &RollPage {
            layout: Layout::new(r.title.clone(), Some(session), "rolls"),
            id: r.id.0,
            title: r.title.clone(),
            context: context_words(&r.context),
            unit_name: view.unit_name.clone().unwrap_or_default(),
            right: r.right.clone(),
            cutoff: date(r.cutoff),
            version: view.version.clone(),
            version_id: r.version_id.0,
            frozen_at: time(r.frozen_at),
            frozen_hash: r.frozen_hash.clone(),
            current_hash: r.current_hash.clone(),
            eligible: r.eligible,
            excluded: r.excluded,
            percent: percent(r.eligible, r.eligible + r.excluded),
            closes: date(r.challenge_closes_on),
            challenge_open: view.challenge_open,
            verified: check.frozen_hash_matches && check.current_hash_matches,
            mine,
            may_challenge,
            has_open_challenge,
            may_see_names: view.may_see_names,
            branches: view
                .counts
                .iter()
                .map(|(b, name, yes, no)| BranchRow {
                    id: b.0,
                    name: name.clone(),
                    eligible: *yes,
                    excluded: *no,
                    percent: percent(*yes, yes + no),
                })
                .collect(),
            challenges: view
                .challenges
                .iter()
                .map(|c| challenge_row(c, session, &tree))
                .collect(),
            notice: input.notice,
            challenge_form: input.challenge_form,
            challenge_errors: input.challenge_errors,
            decide_errors: input.decide_errors,
            decide_for: input.decide_for,
        },
    ))
}

/// Whatever a roll's page does not find, it says so of the roll.
fn as_roll(e: AppError) -> AppError {
    match e {
        AppError::NotFound(_) => AppError::NotFound("roll"),
        other => other,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: String,
}

pub async fn roll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Roll>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "frozen" => Some("The roll is frozen and published."),
        "challenge" => Some("Your challenge is lodged. You will see its outcome here."),
        "decision" => Some("The decision is recorded."),
        _ => None,
    };
    roll_page(&state, &session, id, RollPageInput::plain(notice)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChallengeForm {
    pub grounds: String,
}

pub async fn lodge(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Roll>,
    CsrfForm(form): CsrfForm<ChallengeForm>,
) -> PageResult {
    match state
        .app
        .lodge_challenge(&session.actor, id, &form.grounds)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rolls/{id}?saved=challenge")).into_response()),
        Err(e) => {
            let mut errs = field_errors(as_roll(e))?;
            // A conflict names the roll or member; show it against the form's one field.
            if let Some(msg) = errs.remove("roll").or_else(|| errs.remove("member")) {
                errs.insert("grounds".into(), msg);
            }
            let input = RollPageInput {
                challenge_form: form.grounds,
                challenge_errors: Errors::new("ch-", CHALLENGE_FIELDS, errs),
                ..RollPageInput::plain(None)
            };
            roll_page(&state, &session, id, input).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    pub roll: String,
    pub outcome: String,
    pub reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::RollChallenge>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> PageResult {
    let upheld = match form.outcome.as_str() {
        "upheld" => Some(true),
        "rejected" => Some(false),
        _ => None,
    };
    let result = match upheld {
        Some(u) => {
            state
                .app
                .decide_challenge(&session.actor, id, u, &form.reason)
                .await
        }
        None => Err(AppError::invalid(
            "upheld",
            "choose whether the challenge is upheld or rejected",
        )),
    };
    match result {
        Ok(roll) => Ok(Redirect::to(&format!("/rolls/{roll}?saved=decision")).into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            let Some(roll) = parse_id(&form.roll) else {
                return Err(AppError::Invalid(charter_domain::FieldErrors(errs)).into());
            };
            let input = RollPageInput {
                decide_errors: Errors::new("dc-", DECIDE_FIELDS, errs),
                decide_for: id.0,
                ..RollPageInput::plain(None)
            };
            roll_page(&state, &session, RollId(roll), input).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NamesQuery {
    pub branch: String,
    pub eligible: String,
    pub page: String,
}

pub struct NameRow {
    pub member_id: i64,
    pub name: String,
    pub eligible: bool,
    pub reason: String,
    pub by_challenge: bool,
}

#[derive(Template)]
#[template(path = "roll_names.html")]
struct NamesPage {
    layout: Layout,
    id: i64,
    title: String,
    rows: Vec<NameRow>,
    total: u64,
    pager: Pager,
    pager_label: &'static str,
    eligible: String,
}

pub async fn names(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Roll>,
    PageQuery(q): PageQuery<NamesQuery>,
) -> PageResult {
    let branch = parse_id(&q.branch).map(UnitId);
    let eligible = match q.eligible.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let page = q
        .page
        .trim()
        .parse::<u32>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let roll = state
        .app
        .roll_view(&session.actor, id)
        .await
        .map_err(as_roll)?
        .roll;
    let found = state
        .app
        .roll_names(&session.actor, id, branch, eligible, page, NAMES_PER_PAGE)
        .await?;
    let filter = format!(
        "{}{}",
        branch.map_or(String::new(), |b| format!("&branch={}", b.0)),
        if q.eligible.is_empty() {
            String::new()
        } else {
            format!("&eligible={}", q.eligible)
        }
    );
    Ok(render(
        StatusCode::OK,
        &NamesPage {
            layout: Layout::new(format!("Names on {}", roll.title), Some(&session), "rolls"),
            id: id.0,
            title: roll.title,
            rows: found
                .items
                .iter()
                .map(|n| NameRow {
                    member_id: n.entry.member.0,
                    name: format!("{} {}", n.first_name, n.last_name),
                    eligible: n.entry.eligible,
                    reason: n.entry.reason.clone(),
                    by_challenge: n.entry.challenge.is_some(),
                })
                .collect(),
            total: found.total,
            pager: Pager::new(page, NAMES_PER_PAGE, found.total, |p| {
                format!("/rolls/{id}/names?page={p}{filter}")
            }),
            pager_label: "Pages of names",
            eligible: q.eligible,
        },
    ))
}
