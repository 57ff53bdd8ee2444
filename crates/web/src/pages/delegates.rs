//! A delegate conference's page: the clause that makes it one, each branch's delegates by its
//! paid-up members, the credentials, the challenges with their rulings, and forms for members
//! (challenge a credential) and officers (apportion, record a credential, rule, check in,
//! card votes). Every form posts here and comes back with its outcome or its errors.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::delegates::{ConferenceView, CredentialRequest};
use charter_domain::{DelegateCredentialState, MemberId, MotionState, UnitId};
use charter_model::{CredentialChallengeId, CredentialId, MeetingId, MotionId};
use serde::Deserialize;

use super::forms::{CsrfOnly, Errors, field_errors};
use super::view::{date, time};
use super::{CsrfForm, Layout, PageError, PageQuery, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser};

const CREDENTIAL_FIELDS: &[&str] = &["branch", "member", "role", "source"];
const CHALLENGE_FIELDS: &[&str] = &["grounds"];
const RULING_FIELDS: &[&str] = &["ruling", "reason"];
const CHECK_IN_FIELDS: &[&str] = &["credential", "stands_for"];

pub struct BranchRow {
    pub id: i64,
    pub name: String,
    pub paid_up: u64,
    pub delegates: u32,
    pub named_delegates: u32,
    pub named_substitutes: u32,
}

pub struct CredentialRow {
    pub id: CredentialId,
    pub name: String,
    pub branch: String,
    pub role: String,
    pub source: String,
    pub struck: bool,
    pub present: bool,
    pub stands_for: String,
    pub mine: bool,
}

pub struct ChallengeRow {
    pub id: CredentialChallengeId,
    pub credential: String,
    pub grounds: String,
    pub lodged: String,
    pub ruling: String,
    pub reason: String,
    pub ruled: String,
}

pub struct CardVoteRow {
    pub motion: MotionId,
    pub title: String,
    pub open: bool,
    pub holders: i64,
    pub cards_held: i64,
    pub hands: (i64, i64, i64),
    pub cards: (i64, i64, i64),
}

pub struct MotionChoice {
    pub id: MotionId,
    pub title: String,
}

#[derive(Template)]
#[template(path = "delegates.html")]
struct DelegatesPage {
    layout: Layout,
    id: i64,
    title: String,
    starts: String,
    notice: Option<&'static str>,
    clause: String,
    rule: String,
    apportioned: bool,
    counted_on: String,
    credentials_due: String,
    challenges_close: String,
    ruled_by: String,
    total_delegates: u64,
    total_paid_up: u64,
    branches: Vec<BranchRow>,
    credentials: Vec<CredentialRow>,
    challenges: Vec<ChallengeRow>,
    card_votes: Vec<CardVoteRow>,
    open_motions: Vec<MotionChoice>,
    may_run: bool,
    may_rule: bool,
    may_credential: Vec<BranchRow>,
    credentials_open: bool,
    challenges_open: bool,
    /// Which form the errors belong to, and for which row.
    errors: Errors,
    error_form: &'static str,
    error_for: i64,
    submission: String,
}

#[derive(Default)]
struct PageInput {
    notice: Option<&'static str>,
    errors: Option<(Errors, &'static str, i64)>,
}

async fn delegates_page(
    state: &AppState,
    session: &CurrentSession,
    id: MeetingId,
    input: PageInput,
) -> PageResult {
    let v: ConferenceView = match state.app.conference_view(&session.actor, id).await {
        Err(AppError::NotFound(_)) => return Err(PageError::not_found("meeting")),
        found => found?,
    };
    let motions = state.app.meeting_motions(id).await?;
    let name_of = |cid: CredentialId| {
        v.credential(cid)
            .map(|c| format!("{} ({})", c.name, c.branch_name))
            .unwrap_or_else(|| format!("credential {cid}"))
    };
    let branch_row = |a: &charter_model::AllocationRecord| BranchRow {
        id: a.branch.0,
        name: a.branch_name.clone(),
        paid_up: a.paid_up,
        delegates: a.delegates,
        named_delegates: a.named_delegates,
        named_substitutes: a.named_substitutes,
    };
    let (errors, error_form, error_for) = input.errors.unwrap_or((Errors::none("dl-", &[]), "", 0));
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let conf = v.conference.as_ref();
    Ok(render(
        status,
        &DelegatesPage {
            layout: Layout::new(
                format!("Delegates: {}", v.meeting.title),
                Some(session),
                "meetings",
            ),
            id: id.0,
            title: v.meeting.title.clone(),
            starts: time(v.meeting.starts_at),
            notice: input.notice,
            clause: v.clause.clone().unwrap_or_default(),
            rule: v.rule_words.clone().unwrap_or_default(),
            apportioned: conf.is_some(),
            counted_on: conf.map(|c| date(c.counted_on)).unwrap_or_default(),
            credentials_due: conf.map(|c| time(c.credentials_due_at)).unwrap_or_default(),
            challenges_close: conf
                .map(|c| time(c.challenges_close_at))
                .unwrap_or_default(),
            ruled_by: conf
                .map(|c| c.ruled_by.replace('-', " "))
                .unwrap_or_default(),
            total_delegates: v.total_delegates(),
            total_paid_up: v.total_paid_up(),
            branches: v.allocations.iter().map(branch_row).collect(),
            credentials: v
                .credentials
                .iter()
                .map(|c| CredentialRow {
                    id: c.id,
                    name: c.name.clone(),
                    branch: c.branch_name.clone(),
                    role: c.role.as_str().to_string(),
                    source: c.source.clone(),
                    struck: c.state == DelegateCredentialState::Struck,
                    present: c.present,
                    stands_for: c.stands_for.map(name_of).unwrap_or_default(),
                    mine: c.member == session.actor.member,
                })
                .collect(),
            challenges: v
                .challenges
                .iter()
                .map(|x| ChallengeRow {
                    id: x.id,
                    credential: name_of(x.credential),
                    grounds: x.grounds.clone(),
                    lodged: time(x.lodged_at),
                    ruling: x.ruling.clone().unwrap_or_default(),
                    reason: x.reason.clone().unwrap_or_default(),
                    ruled: x.ruled_at.map(time).unwrap_or_default(),
                })
                .collect(),
            card_votes: v
                .card_votes
                .values()
                .map(|c| CardVoteRow {
                    motion: c.motion,
                    title: motions
                        .iter()
                        .find(|m| m.id == c.motion)
                        .map(|m| m.title.clone())
                        .unwrap_or_default(),
                    open: c.closed_at.is_none(),
                    holders: c.holders,
                    cards_held: c.cards_held,
                    hands: (c.hands_for, c.hands_against, c.hands_abstain),
                    cards: (c.cards_for, c.cards_against, c.cards_abstain),
                })
                .collect(),
            open_motions: motions
                .iter()
                .filter(|m| m.state == MotionState::Proposed && !v.card_votes.contains_key(&m.id))
                .map(|m| MotionChoice {
                    id: m.id,
                    title: format!("{}. {}", m.number, m.title),
                })
                .collect(),
            may_run: v.may_run,
            may_rule: v.may_rule,
            may_credential: v
                .allocations
                .iter()
                .filter(|a| v.may_credential.contains(&a.branch))
                .map(branch_row)
                .collect(),
            credentials_open: v.credentials_open(),
            challenges_open: v.challenges_open(),
            errors,
            error_form,
            error_for,
            submission: charter_app::meetings::vote_key(),
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: String,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "apportioned" => Some("The delegates are apportioned among the branches."),
        "credential" => Some("The credential is recorded."),
        "challenge" => Some("Your challenge is lodged. The ruling will be shown here."),
        "ruling" => Some("The ruling is recorded."),
        "check-in" => Some("Checked in."),
        "card-vote" => Some("The card vote is open."),
        "card" => Some("Your card is cast."),
        "closed" => Some("The card vote is closed and the motion decided."),
        _ => None,
    };
    delegates_page(
        &state,
        &session,
        id,
        PageInput {
            notice,
            errors: None,
        },
    )
    .await
}

/// Which form on the page (its anchor), the fields it has, and the row it belongs to.
type FormAt = (&'static str, &'static [&'static str], i64);

/// Turns the outcome of one form into a redirect or the page again with its errors.
async fn outcome<T>(
    state: &AppState,
    session: &CurrentSession,
    meeting: MeetingId,
    result: Result<T, AppError>,
    saved: &str,
    (form, known, row): FormAt,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/meetings/{meeting}/delegates?saved={saved}#{form}"
        ))
        .into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            let input = PageInput {
                notice: None,
                errors: Some((Errors::new("dl-", known, errs), form, row)),
            };
            delegates_page(state, session, meeting, input).await
        }
    }
}

pub async fn apportion(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    let r = state.app.apportion_delegates(&session.actor, id).await;
    outcome(
        &state,
        &session,
        id,
        r,
        "apportioned",
        ("apportion", &[], 0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CredentialForm {
    pub branch: String,
    pub member: String,
    pub role: String,
    pub source: String,
}

pub async fn credential(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<CredentialForm>,
) -> PageResult {
    let req = CredentialRequest {
        branch: parse_id(&form.branch).map(UnitId),
        member: parse_id(&form.member).map(MemberId),
        role: form.role,
        source: form.source,
    };
    let r = state.app.record_credential(&session.actor, id, &req).await;
    outcome(
        &state,
        &session,
        id,
        r,
        "credential",
        ("credential", CREDENTIAL_FIELDS, 0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChallengeForm {
    pub meeting: String,
    pub grounds: String,
}

pub async fn challenge(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Credential>,
    CsrfForm(form): CsrfForm<ChallengeForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("credential"));
    };
    let r = state
        .app
        .challenge_credential(&session.actor, id, &form.grounds)
        .await
        .map_err(|e| match e {
            AppError::Conflict { message, .. } => AppError::invalid("grounds", message),
            AppError::Invalid(mut f) => {
                if let Some(m) = f.0.remove("credential") {
                    f.0.insert("grounds".into(), m);
                }
                AppError::Invalid(f)
            }
            other => other,
        });
    outcome(
        &state,
        &session,
        MeetingId(meeting),
        r,
        "challenge",
        ("challenge", CHALLENGE_FIELDS, id.0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulingForm {
    pub meeting: String,
    pub ruling: String,
    pub reason: String,
}

pub async fn rule(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::CredentialChallenge>,
    CsrfForm(form): CsrfForm<RulingForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("challenge"));
    };
    let r = state
        .app
        .rule_on_challenge(&session.actor, id, &form.ruling, &form.reason)
        .await;
    outcome(
        &state,
        &session,
        MeetingId(meeting),
        r,
        "ruling",
        ("ruling", RULING_FIELDS, id.0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    pub credential: String,
    pub stands_for: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> PageResult {
    let r = match parse_id(&form.credential) {
        Some(c) => {
            state
                .app
                .check_in_delegate(
                    &session.actor,
                    id,
                    CredentialId(c),
                    (parse_id(&form.stands_for)).map(CredentialId),
                )
                .await
        }
        None => Err(AppError::invalid("credential", "choose whom to check in")),
    };
    outcome(
        &state,
        &session,
        id,
        r,
        "check-in",
        ("check-in", CHECK_IN_FIELDS, 0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardVoteForm {
    pub motion: String,
}

pub async fn open_card_vote(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<CardVoteForm>,
) -> PageResult {
    let r = match parse_id(&form.motion) {
        Some(m) => state.app.open_card_vote(&session.actor, MotionId(m)).await,
        None => Err(AppError::invalid("motion", "choose the motion to put")),
    };
    outcome(
        &state,
        &session,
        id,
        r,
        "card-vote",
        ("card-votes", &["motion"], 0),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardForm {
    pub meeting: String,
    pub choice: String,
    pub submission: String,
}

pub async fn cast(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<CardForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("motion"));
    };
    let r = state
        .app
        .cast_card(&session.actor, motion, &form.choice, &form.submission)
        .await;
    outcome(
        &state,
        &session,
        MeetingId(meeting),
        r,
        "card",
        ("card-votes", &["choice"], motion.0),
    )
    .await
}

pub async fn close(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(motion): PathId<ids::Motion>,
    CsrfForm(form): CsrfForm<CardForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("motion"));
    };
    let r = state.app.close_card_vote(&session.actor, motion).await;
    outcome(
        &state,
        &session,
        MeetingId(meeting),
        r,
        "closed",
        ("card-votes", &[], motion.0),
    )
    .await
}
