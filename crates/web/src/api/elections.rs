//! Elections to bodies' seats: nominations, statements, withdrawals, the ballot and seating.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::elections::ElectionRequest;
use charter_domain::MemberId;
use charter_model::{ElectionId, ElectionRecord, NominationRecord, RollId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// An election to a body's seats.
#[derive(Serialize, ToSchema)]
pub struct Election {
    pub id: i64,
    /// The body's key in the constitution.
    pub body: String,
    pub title: String,
    pub seats: u32,
    pub roll_id: i64,
    /// Nominators each candidate needs.
    pub nominators: u32,
    /// The clause that sets the nomination procedure.
    pub clause: Option<String>,
    pub nominations_close_at: DateTime<Utc>,
    pub withdrawals_close_at: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The ballot built from the valid nominations.
    pub ballot_id: Option<i64>,
    pub seated_at: Option<DateTime<Utc>>,
}

impl From<&ElectionRecord> for Election {
    fn from(e: &ElectionRecord) -> Self {
        Election {
            id: e.id.0,
            body: e.body.clone(),
            title: e.title.clone(),
            seats: e.seats,
            roll_id: e.roll.0,
            nominators: e.nominators,
            clause: e.clause.clone(),
            nominations_close_at: e.nominations_close_at,
            withdrawals_close_at: e.withdrawals_close_at,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            ballot_id: e.ballot.map(|id| id.0),
            seated_at: e.seated_at,
        }
    }
}

/// A candidate's nomination.
#[derive(Serialize, ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub candidate_id: i64,
    pub name: String,
    pub statement: String,
    /// seeking (more nominators needed), valid, or withdrawn.
    pub state: String,
    pub nominators: i64,
}

impl From<&NominationRecord> for Nomination {
    fn from(n: &NominationRecord) -> Self {
        Nomination {
            id: n.id.0,
            candidate_id: n.candidate.0,
            name: n.name.clone(),
            statement: n.statement.clone(),
            state: n.state.to_string(),
            nominators: n.nominators,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ElectionDetail {
    #[serde(flatten)]
    pub election: Election,
    pub nominations: Vec<Nomination>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectionCreate {
    /// The body's key in the constitution, e.g. steering-committee.
    pub body: String,
    pub title: String,
    pub roll_id: i64,
    pub nominations_close_at: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationRequest {
    pub candidate_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    pub statement: String,
}

#[derive(Serialize, ToSchema)]
pub struct ElectionBallot {
    pub ballot_id: i64,
}

/// Every election, newest first.
#[utoipa::path(get, path = "/api/v1/elections", operation_id = "list_elections", tag = "ballots",
    security(("session" = [])),
    responses((status = 200, body = [Election])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> ApiResult<Json<Vec<Election>>> {
    Ok(Json(
        state
            .app
            .elections()
            .await?
            .iter()
            .map(Election::from)
            .collect(),
    ))
}

/// Open nominations for an election to a body the constitution fills by election (national
/// officers who call meetings).
#[utoipa::path(post, path = "/api/v1/elections", operation_id = "open_election", tag = "ballots",
    security(("session" = [])), request_body = ElectionCreate,
    responses(
        (status = 201, body = Created),
        (status = 403, description = "Not a national officer", body = ErrorBody),
        (status = 422, description = "Fields need attention", body = ErrorBody),
    ))]
pub async fn open(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<ElectionCreate>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = state
        .app
        .open_election(
            &user.actor,
            &ElectionRequest {
                body: req.body,
                title: req.title,
                roll: Some(RollId(req.roll_id)),
                nominations_close_at: Some(req.nominations_close_at),
                opens_at: Some(req.opens_at),
                closes_at: Some(req.closes_at),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// One election with its nominations and candidates' statements.
#[utoipa::path(get, path = "/api/v1/elections/{id}", operation_id = "get_election", tag = "ballots",
    security(("session" = [])), params(("id" = i64, Path, description = "Election id")),
    responses(
        (status = 200, body = ElectionDetail),
        (status = 404, description = "No such election", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ElectionDetail>> {
    let (e, n) = state.app.election(ElectionId(id)).await?;
    Ok(Json(ElectionDetail {
        election: (&e).into(),
        nominations: n.iter().map(Nomination::from).collect(),
    }))
}

/// Nominate a member. Your right to nominate and their right to stand are checked by the
/// constitution in force; a refusal cites the clause.
#[utoipa::path(post, path = "/api/v1/elections/{id}/nominations", operation_id = "nominate",
    tag = "ballots", security(("session" = [])),
    params(("id" = i64, Path, description = "Election id")), request_body = NominationRequest,
    responses(
        (status = 201, body = Nomination),
        (status = 403, description = "You may not nominate (the clause is cited)", body = ErrorBody),
        (status = 404, description = "No such election or member", body = ErrorBody),
        (status = 409, description = "Nominations closed, already nominated, or the candidate withdrew", body = ErrorBody),
        (status = 422, description = "The candidate may not stand (the clause is cited), or is you", body = ErrorBody),
    ))]
pub async fn nominate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NominationRequest>,
) -> ApiResult<(StatusCode, Json<Nomination>)> {
    let n = state
        .app
        .nominate(&user.actor, ElectionId(id), MemberId(req.candidate_id))
        .await?;
    Ok((StatusCode::CREATED, Json((&n).into())))
}

/// Publish your statement as a candidate (until voting opens).
#[utoipa::path(put, path = "/api/v1/elections/{id}/statement", operation_id = "candidate_statement",
    tag = "ballots", security(("session" = [])),
    params(("id" = i64, Path, description = "Election id")), request_body = StatementRequest,
    responses(
        (status = 204, description = "Published"),
        (status = 403, description = "You are not a candidate", body = ErrorBody),
        (status = 404, description = "No such election", body = ErrorBody),
        (status = 409, description = "Voting has opened, or you withdrew", body = ErrorBody),
        (status = 422, description = "Too long", body = ErrorBody),
    ))]
pub async fn statement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StatementRequest>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_statement(&user.actor, ElectionId(id), &req.statement)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw your candidacy, until the constitution's withdrawal deadline.
#[utoipa::path(post, path = "/api/v1/elections/{id}/withdrawal", operation_id = "withdraw_candidacy",
    tag = "ballots", security(("session" = [])),
    params(("id" = i64, Path, description = "Election id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "You are not a candidate", body = ErrorBody),
        (status = 404, description = "No such election", body = ErrorBody),
        (status = 409, description = "The deadline has passed, or already withdrawn", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .withdraw_candidacy(&user.actor, ElectionId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Build the election's ballot from the valid nominations, once nominations have closed.
#[utoipa::path(post, path = "/api/v1/elections/{id}/ballot", operation_id = "build_election_ballot",
    tag = "ballots", security(("session" = [])),
    params(("id" = i64, Path, description = "Election id")),
    responses(
        (status = 201, body = ElectionBallot),
        (status = 403, description = "Not a national officer", body = ErrorBody),
        (status = 404, description = "No such election", body = ErrorBody),
        (status = 409, description = "Nominations still open, too few candidates, or already built", body = ErrorBody),
    ))]
pub async fn ballot(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<ElectionBallot>)> {
    let ballot_id = state
        .app
        .build_election_ballot(&user.actor, ElectionId(id), &[])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ElectionBallot {
            ballot_id: ballot_id.0,
        }),
    ))
}
