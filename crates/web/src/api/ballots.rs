//! Ballots and elections: set up by officers over a frozen roll, voted by members signed in
//! or holding their personal voting link, counted at close and published ballot by ballot.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::AppError;
use charter_app::ballots::{BallotRequest, BallotView, Choice, PublishedBallot, Receipt};
use charter_domain::MemberId;
use charter_model::{AmendmentId, BallotId, BallotRecord, RollId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody, WebError};
use crate::session::{ApiUser, OptionalUser, same_origin};

/// A ballot: a question or an election, its window, rule and (once counted) its result.
#[derive(Serialize, ToSchema)]
pub struct Ballot {
    pub id: i64,
    pub title: String,
    pub question: String,
    /// question or election.
    pub kind: String,
    pub decision_kind: Option<String>,
    /// The count method: yes-no, or an election method as `charter count` names it.
    pub method: String,
    pub seats: u32,
    pub roll_id: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub later_vote_replaces: bool,
    /// The clause the method or threshold comes from.
    pub clause: Option<String>,
    /// The method or threshold in words.
    pub rule: String,
    /// scheduled, open, closed (being counted) or counted.
    pub state: String,
    /// The options in ballot order (answers or candidates); a choice names them by index.
    pub options: Vec<String>,
    /// Voters issued a link when voting opened.
    pub electorate: Option<i64>,
    pub outcome: Option<String>,
    pub counted_at: Option<DateTime<Utc>>,
}

impl From<&BallotRecord> for Ballot {
    fn from(b: &BallotRecord) -> Self {
        Ballot {
            id: b.id.0,
            title: b.title.clone(),
            question: b.question.clone(),
            kind: b.kind.to_string(),
            decision_kind: b.decision_kind.clone(),
            method: b.method.name().to_string(),
            seats: b.seats,
            roll_id: b.roll.0,
            opens_at: b.opens_at,
            closes_at: b.closes_at,
            later_vote_replaces: b.later_vote_replaces,
            clause: b.clause.clone(),
            rule: b.rule.clone(),
            state: b.state.to_string(),
            options: b.options.clone(),
            electorate: b.electorate,
            outcome: b.outcome.clone(),
            counted_at: b.counted_at,
        }
    }
}

/// One ballot as the reader sees it: with their own part and the turnout (counts only).
#[derive(Serialize, ToSchema)]
pub struct BallotDetail {
    #[serde(flatten)]
    pub ballot: Ballot,
    /// null when you are not a voter in it; else whether you have voted.
    pub voted: Option<bool>,
    pub voters: i64,
    pub votes: i64,
    /// The count's record (as `charter count --format json` prints it), once counted.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

impl From<BallotView> for BallotDetail {
    fn from(v: BallotView) -> Self {
        BallotDetail {
            result: v
                .ballot
                .result_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            ballot: (&v.ballot).into(),
            voted: v.voted,
            voters: v.voters,
            votes: v.votes,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotCreate {
    pub title: String,
    pub question: String,
    /// question or election.
    #[schema(schema_with = crate::api::words::ballot_kind)]
    pub kind: String,
    /// For a question: the kind of decision whose threshold applies (default ordinary-motion).
    pub decision_kind: Option<String>,
    /// For an election: the candidates.
    #[serde(default)]
    pub candidates: Vec<String>,
    pub seats: Option<u32>,
    pub roll_id: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Where the constitution's ballot clause names trustees: the members appointed, by
    /// member id, trustee 1 first; as many as the clause asks for, each holding one of its
    /// offices now, in different units. Leave out otherwise.
    #[serde(default)]
    pub trustees: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BallotCreated {
    pub id: i64,
}

/// A vote. Signed in, or with the personal voting link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteCast {
    /// Your ballot's own id, chosen by your device (a UUID): sending the same ballot again
    /// returns the same receipt and counts nothing twice.
    pub submission: String,
    /// Options by index in order of preference; a question takes exactly one.
    pub ranks: Vec<u32>,
    /// Your earlier ballot's submission id, where a later vote may replace an earlier one.
    pub replaces: Option<String>,
    /// The token from your personal voting link, when not signed in.
    pub link: Option<String>,
    /// For an encrypted (verifiable) ballot sent without encrypting it yourself: the
    /// credential from the scrutineer's letter, 64 hex digits. The server encrypts your
    /// choice with it on arrival and keeps neither.
    pub credential: Option<String>,
}

/// The receipt: find this tracker among the published ballots after close.
#[derive(Serialize, ToSchema)]
pub struct VoteReceiptBody {
    pub ballot_id: i64,
    pub tracker: String,
    /// false when this ballot had already been received (a resend).
    pub new: bool,
    /// true when a teller had recorded the voter as voting on paper: the ballot is kept aside
    /// for the scrutineer, and goes into the box under this tracker only if that record is
    /// reversed before the count.
    pub kept_aside: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TurnoutBody {
    pub branch_id: i64,
    pub branch: String,
    pub voters: i64,
    pub voted: i64,
}

/// The published ballots: each with its tracker, in a file `charter count` reads.
#[derive(Serialize, ToSchema)]
pub struct PublishedBallots {
    pub title: String,
    pub seats: u32,
    pub method: String,
    pub candidates: Vec<String>,
    pub ballots: Vec<PublishedBallotBody>,
}

#[derive(Serialize, ToSchema)]
pub struct PublishedBallotBody {
    pub tracker: String,
    /// Choices in order, by name.
    pub ranks: Vec<String>,
}

impl From<PublishedBallot> for PublishedBallotBody {
    fn from(p: PublishedBallot) -> Self {
        PublishedBallotBody {
            tracker: p.tracker,
            ranks: p.ranks,
        }
    }
}

/// Every ballot, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/ballots",
    operation_id = "list_ballots",
    tag = "ballots",
    security(("session" = [])),
    responses(
        (status = 200, body = [Ballot]),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> ApiResult<Json<Vec<Ballot>>> {
    let list = state.app.ballots().await?;
    Ok(Json(list.iter().map(Ballot::from).collect()))
}

/// Set up a ballot over a frozen roll (officers who call meetings over its unit). The method
/// or threshold comes from the constitution in force; voting opens after the roll's
/// challenge window and stays open at least the constitution's window.
#[utoipa::path(
    post,
    path = "/api/v1/ballots",
    operation_id = "create_ballot",
    tag = "ballots",
    security(("session" = [])),
    request_body = BallotCreate,
    responses(
        (status = 201, body = BallotCreated),
        (status = 403, description = "Not an officer over the roll's unit", body = ErrorBody),
        (status = 422, description = "Fields need attention", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<BallotCreate>,
) -> ApiResult<(StatusCode, Json<BallotCreated>)> {
    let id = state
        .app
        .create_ballot(
            &user.actor,
            &BallotRequest {
                title: req.title,
                question: req.question,
                kind: req.kind,
                decision_kind: req.decision_kind,
                candidates: req.candidates,
                seats: req.seats,
                roll: Some(RollId(req.roll_id)),
                opens_at: Some(req.opens_at),
                closes_at: Some(req.closes_at),
                trustees: req.trustees.into_iter().map(MemberId).collect(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(BallotCreated { id: id.0 })))
}

/// A ballot of the members on an amendment: the frozen roll and the voting window.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBallotCreate {
    /// A title; the amendment's own when absent.
    pub title: Option<String>,
    pub roll_id: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Put an amendment to a ballot of the members, where the amendment procedure in force names
/// `member-ballot` (a refusal cites its clause). The question is the amendment's; the count
/// decides it under the procedure, and the decision — with the new version when it binds —
/// is recorded with the count. There is no other way for a ballot to adopt an amendment.
#[utoipa::path(
    post,
    path = "/api/v1/amendments/{id}/ballots",
    operation_id = "put_amendment_to_ballot",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Amendment id")),
    request_body = AmendmentBallotCreate,
    responses(
        (status = 201, body = BallotCreated),
        (status = 403, description = "Not an officer over the roll's unit", body = ErrorBody),
        (status = 404, description = "No such amendment", body = ErrorBody),
        (status = 409, description = "The amendment is adopted already", body = ErrorBody),
        (status = 422, description = "Fields need attention, or the procedure does not let members decide it by ballot", body = ErrorBody),
    )
)]
pub async fn put_amendment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AmendmentBallotCreate>,
) -> ApiResult<(StatusCode, Json<BallotCreated>)> {
    let ballot = state
        .app
        .put_amendment_to_ballot(
            &user.actor,
            AmendmentId(id),
            &BallotRequest {
                title: req.title.unwrap_or_default(),
                roll: Some(RollId(req.roll_id)),
                opens_at: Some(req.opens_at),
                closes_at: Some(req.closes_at),
                ..BallotRequest::default()
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(BallotCreated { id: ballot.0 })))
}

/// One ballot with your part in it, turnout and (once counted) the result.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}",
    operation_id = "get_ballot",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = BallotDetail),
        (status = 404, description = "No such ballot", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<BallotDetail>> {
    Ok(Json(
        state
            .app
            .ballot_view(&user.actor, BallotId(id))
            .await?
            .into(),
    ))
}

/// Turnout by branch: counts only, while voting is open and after.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/turnout",
    operation_id = "ballot_turnout",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = [TurnoutBody]),
        (status = 404, description = "No such ballot", body = ErrorBody),
    )
)]
pub async fn turnout(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<TurnoutBody>>> {
    let rows = state.app.ballot_turnout(BallotId(id)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| TurnoutBody {
                branch_id: t.branch.0,
                branch: t.name,
                voters: t.voters,
                voted: t.voted,
            })
            .collect(),
    ))
}

/// Vote, signed in or with your personal voting link's token. The receipt carries your
/// tracker; the same ballot sent again returns the same receipt with `new: false`.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/votes",
    operation_id = "cast_ballot",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    request_body = VoteCast,
    responses(
        (status = 201, description = "Your ballot is in the box", body = VoteReceiptBody),
        (status = 200, description = "This ballot was already in the box", body = VoteReceiptBody),
        (status = 401, description = "Neither signed in nor a voting link", body = ErrorBody),
        (status = 403, description = "Not on the ballot's roll, or the link is not valid", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "Voting has not opened or has closed, or you have already voted", body = ErrorBody),
        (status = 422, description = "A choice or the ballot id needs attention", body = ErrorBody),
    )
)]
pub async fn vote(
    State(state): State<AppState>,
    OptionalUser(user): OptionalUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VoteCast>,
) -> ApiResult<(StatusCode, Json<VoteReceiptBody>)> {
    let voter = voter(&state, user, &headers, BallotId(id), req.link.as_deref()).await?;
    let choice = Choice { ranks: req.ranks };
    let receipt = match req.credential.as_deref() {
        Some(credential) => {
            state
                .app
                .cast_encrypting_here(
                    voter,
                    BallotId(id),
                    &req.submission,
                    &choice,
                    credential,
                    req.replaces.as_deref(),
                )
                .await?
        }
        None => {
            state
                .app
                .cast_ballot(
                    voter,
                    BallotId(id),
                    &req.submission,
                    &choice,
                    req.replaces.as_deref(),
                )
                .await?
        }
    };
    Ok(receipt_response(receipt))
}

/// Who votes: the holder of the voting link when one is given, else the member signed in
/// (from this site only).
pub(super) async fn voter(
    state: &AppState,
    user: Option<crate::session::CurrentSession>,
    headers: &HeaderMap,
    id: BallotId,
    link: Option<&str>,
) -> ApiResult<MemberId> {
    match (link, user) {
        (Some(token), _) => Ok(state.app.voter_for_link(id, token).await?),
        (None, Some(session)) => {
            if !same_origin(headers) {
                return Err(WebError::Csrf);
            }
            Ok(session.actor.member)
        }
        (None, None) => Err(AppError::Unauthenticated.into()),
    }
}

/// A receipt: 201 for a ballot new in the box, 200 for one sent again.
pub(super) fn receipt_response(receipt: Receipt) -> (StatusCode, Json<VoteReceiptBody>) {
    let status = if receipt.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(VoteReceiptBody {
            ballot_id: receipt.ballot.0,
            tracker: receipt.tracker,
            new: receipt.new,
            kept_aside: receipt.kept_aside,
        }),
    )
}

/// The published ballots with their trackers, after close (409 before: no choice is seen
/// while voting is open). `charter count` reads this file and reproduces the result.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/ballots.json",
    operation_id = "published_ballots",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = PublishedBallots),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "Voting is still open", body = ErrorBody),
    )
)]
pub async fn published(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PublishedBallots>> {
    let b = state.app.published_box(BallotId(id)).await?;
    Ok(Json(PublishedBallots {
        title: b.title,
        seats: b.seats,
        method: b.method,
        candidates: b.candidates,
        ballots: b.ballots.into_iter().map(Into::into).collect(),
    }))
}

/// The published ballots as a BLT file, after close.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/ballots.blt",
    operation_id = "published_ballots_blt",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "BLT text", content_type = "text/plain"),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "Voting is still open", body = ErrorBody),
    )
)]
pub async fn published_blt(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let election = state.app.ballot_election(BallotId(id)).await?;
    let text = charter_count::blt::to_blt(&election)
        .map_err(|e| AppError::Internal(format!("the ballots do not write as BLT: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ballot-{id}.blt\""),
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Reminded {
    /// Reminders queued: one per voter who has not voted.
    pub reminded: u64,
}

/// Send now the reminder the ballot's timetable has due (officers running the ballot), to the
/// voters who have not voted and only them; the timetable sends it anyway when its time
/// comes. Each reminder of the constitution's timetable goes once: 409 names the timetable
/// and when the next is due. Each letter's link is minted as it is sent; the one sent before
/// stops working.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/reminders",
    operation_id = "remind_nonvoters",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = Reminded),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "The ballot is not open, or no reminder of its timetable is due", body = ErrorBody),
    )
)]
pub async fn remind(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Reminded>> {
    let reminded = state
        .app
        .remind_nonvoters(&user.actor, BallotId(id))
        .await?;
    Ok(Json(Reminded { reminded }))
}
