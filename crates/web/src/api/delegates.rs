//! Delegate conferences: the apportionment of delegates among branches, credentials,
//! challenges and rulings, delegates checked in, and card votes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::delegates::{ConferenceView, CredentialRequest};
use charter_domain::{MemberId, UnitId};
use charter_model::{
    AllocationRecord, CardBallotRecord, CardVoteRecord, CredentialChallengeRecord,
    CredentialRecord, VoteReceipt,
};
use charter_model::{CredentialChallengeId, CredentialId, MeetingId, MotionId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use super::meetings::outcome_of;
use super::wire::{BallotReceipt, BallotRequest, VoteOutcome};
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// A branch's share of the conference's delegates.
#[derive(Serialize, ToSchema)]
pub struct BranchAllocation {
    pub branch_id: i64,
    pub branch: String,
    /// Its members active and paid up on the counting day.
    pub paid_up: u64,
    pub delegates: u32,
    /// Delegates and substitutes credentialed so far (struck ones not counted).
    pub named_delegates: u32,
    pub named_substitutes: u32,
}

impl From<&AllocationRecord> for BranchAllocation {
    fn from(a: &AllocationRecord) -> Self {
        BranchAllocation {
            branch_id: a.branch.0,
            branch: a.branch_name.clone(),
            paid_up: a.paid_up,
            delegates: a.delegates,
            named_delegates: a.named_delegates,
            named_substitutes: a.named_substitutes,
        }
    }
}

/// A delegate's or substitute's credential.
#[derive(Serialize, ToSchema)]
pub struct Credential {
    pub id: i64,
    pub branch_id: i64,
    pub branch: String,
    pub member_id: i64,
    pub name: String,
    /// delegate or substitute.
    pub role: String,
    /// How the branch chose them.
    pub source: String,
    /// credentialed, or struck on an upheld challenge.
    pub state: String,
    pub present: bool,
    /// For a substitute checked in: the credential of the delegate they stand in for.
    pub stands_for: Option<i64>,
}

impl From<&CredentialRecord> for Credential {
    fn from(c: &CredentialRecord) -> Self {
        Credential {
            id: c.id.0,
            branch_id: c.branch.0,
            branch: c.branch_name.clone(),
            member_id: c.member.0,
            name: c.name.clone(),
            role: c.role.as_str().to_string(),
            source: c.source.clone(),
            state: c.state.to_string(),
            present: c.present,
            stands_for: c.stands_for.map(|id| id.0),
        }
    }
}

/// A member's challenge to a credential and the ruling on it.
#[derive(Serialize, ToSchema)]
pub struct CredentialChallenge {
    pub id: i64,
    pub credential_id: i64,
    pub grounds: String,
    pub lodged_at: DateTime<Utc>,
    /// upheld (the credential is struck) or rejected; absent until ruled on.
    pub ruling: Option<String>,
    pub reason: Option<String>,
    pub ruled_at: Option<DateTime<Utc>>,
}

impl From<&CredentialChallengeRecord> for CredentialChallenge {
    fn from(x: &CredentialChallengeRecord) -> Self {
        CredentialChallenge {
            id: x.id.0,
            credential_id: x.credential.0,
            grounds: x.grounds.clone(),
            lodged_at: x.lodged_at,
            ruling: x.ruling.clone(),
            reason: x.reason.clone(),
            ruled_at: x.ruled_at,
        }
    }
}

/// The terms the conference was apportioned under, as recorded with it.
#[derive(Serialize, ToSchema)]
pub struct Apportionment {
    /// The clause of the constitution that says how.
    pub clause: String,
    pub counted_on: NaiveDate,
    pub members_per_delegate: u32,
    pub minimum: u32,
    pub maximum: Option<u32>,
    pub substitutes: u32,
    /// none, split-among-present or per-delegate.
    pub card_vote: String,
    pub credentials_due_at: DateTime<Utc>,
    pub challenges_close_at: DateTime<Utc>,
    /// The office whose national holder rules on challenges.
    pub ruled_by: String,
    pub total_delegates: u64,
    pub total_paid_up: u64,
}

/// A delegate conference: the clause, the apportionment, credentials and challenges.
#[derive(Serialize, ToSchema)]
pub struct DelegateConference {
    pub meeting_id: i64,
    /// The clause making this sitting a delegate conference, when one does.
    pub clause: Option<String>,
    /// That rule in words.
    pub rule: Option<String>,
    /// Absent until the officers apportion the delegates.
    pub apportionment: Option<Apportionment>,
    pub branches: Vec<BranchAllocation>,
    pub credentials: Vec<Credential>,
    pub challenges: Vec<CredentialChallenge>,
}

impl From<&ConferenceView> for DelegateConference {
    fn from(v: &ConferenceView) -> Self {
        DelegateConference {
            meeting_id: v.meeting.id.0,
            clause: v.clause.clone(),
            rule: v.rule_words.clone(),
            apportionment: v.conference.as_ref().map(|c| Apportionment {
                clause: c.clause.clone(),
                counted_on: c.counted_on,
                members_per_delegate: c.members_per_delegate,
                minimum: c.minimum,
                maximum: c.maximum,
                substitutes: c.substitutes,
                card_vote: c.card_vote.as_str().to_string(),
                credentials_due_at: c.credentials_due_at,
                challenges_close_at: c.challenges_close_at,
                ruled_by: c.ruled_by.clone(),
                total_delegates: v.total_delegates(),
                total_paid_up: v.total_paid_up(),
            }),
            branches: v.allocations.iter().map(BranchAllocation::from).collect(),
            credentials: v.credentials.iter().map(Credential::from).collect(),
            challenges: v.challenges.iter().map(CredentialChallenge::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialCreate {
    pub branch_id: i64,
    pub member_id: i64,
    /// delegate or substitute.
    #[schema(example = "delegate")]
    #[schema(schema_with = crate::api::words::credential_role)]
    pub role: String,
    /// How the branch chose them (up to 200 characters).
    #[serde(default)]
    #[schema(example = "elected at the branch general meeting, 12 September")]
    pub source: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeCreate {
    /// Why the credential should not stand.
    pub grounds: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulingRequest {
    /// upheld (strikes the credential) or rejected.
    #[schema(example = "rejected")]
    #[schema(schema_with = crate::api::words::ruling)]
    pub ruling: String,
    /// The reasons, recorded with the ruling.
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegateCheckIn {
    pub credential_id: i64,
    /// For a substitute: the credential of the absent delegate of their branch they stand in for.
    #[serde(default)]
    pub stands_for: Option<i64>,
}

/// A vote of the delegates: the show of hands and the cards.
#[derive(Serialize, ToSchema)]
pub struct CardVote {
    pub motion_id: i64,
    /// How cards were weighed: none, split-among-present or per-delegate.
    pub card_vote: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Delegates holding a card, and the cards between them.
    pub holders: i64,
    pub cards_held: i64,
    pub hands_for: i64,
    pub hands_against: i64,
    pub hands_abstain: i64,
    pub cards_for: i64,
    pub cards_against: i64,
    pub cards_abstain: i64,
    /// How each delegate cast their card: on the record.
    pub cast: Vec<CardCast>,
}

#[derive(Serialize, ToSchema)]
pub struct CardCast {
    pub member_id: i64,
    pub name: String,
    pub branch: String,
    pub choice: String,
    pub card: u64,
}

impl From<&CardBallotRecord> for CardCast {
    fn from(b: &CardBallotRecord) -> Self {
        CardCast {
            member_id: b.member.0,
            name: b.name.clone(),
            branch: b.branch_name.clone(),
            choice: b.choice.as_str().to_string(),
            card: b.card,
        }
    }
}

fn card_vote_of(v: &CardVoteRecord, cast: &[CardBallotRecord]) -> CardVote {
    CardVote {
        motion_id: v.motion.0,
        card_vote: v.card_vote.as_str().to_string(),
        opened_at: v.opened_at,
        closed_at: v.closed_at,
        holders: v.holders,
        cards_held: v.cards_held,
        hands_for: v.hands_for,
        hands_against: v.hands_against,
        hands_abstain: v.hands_abstain,
        cards_for: v.cards_for,
        cards_against: v.cards_against,
        cards_abstain: v.cards_abstain,
        cast: cast.iter().map(CardCast::from).collect(),
    }
}

/// What closing a card vote decided, with the count it decided by.
#[derive(Serialize, ToSchema)]
pub struct CardVoteOutcome {
    #[serde(flatten)]
    pub outcome: VoteOutcome,
    pub count: CardVote,
}

/// A delegate conference: the clause that makes it one, each branch's delegates by its
/// paid-up members, the credentials, and the challenges with their rulings. Every member may see it.
#[utoipa::path(get, path = "/api/v1/conferences/{id}/delegates", operation_id = "get_delegate_conference",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "The conference's meeting id")),
    responses(
        (status = 200, body = DelegateConference),
        (status = 404, description = "No such meeting", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DelegateConference>> {
    let v = state
        .app
        .conference_view(&user.actor, MeetingId(id))
        .await?;
    Ok(Json((&v).into()))
}

/// Apportion the conference's delegates among the branches by their paid-up members on the
/// day the constitution says (the officers running the conference; once).
#[utoipa::path(post, path = "/api/v1/conferences/{id}/apportionment", operation_id = "apportion_delegates",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "The conference's meeting id")),
    responses(
        (status = 201, body = [BranchAllocation]),
        (status = 403, description = "Not an officer running the conference", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "Not a delegate conference, before the counting day, after the credentials were due, or already apportioned (the clause is cited)", body = ErrorBody),
    ))]
pub async fn apportion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<Vec<BranchAllocation>>)> {
    let a = state
        .app
        .apportion_delegates(&user.actor, MeetingId(id))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(a.iter().map(BranchAllocation::from).collect()),
    ))
}

/// Record a branch's delegate or substitute (the branch's officers, until the credentials are
/// due and within the branch's share).
#[utoipa::path(post, path = "/api/v1/conferences/{id}/credentials", operation_id = "record_credential",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "The conference's meeting id")),
    request_body = CredentialCreate,
    responses(
        (status = 201, body = Credential),
        (status = 403, description = "Not an officer of the branch", body = ErrorBody),
        (status = 404, description = "No such meeting or member", body = ErrorBody),
        (status = 409, description = "Not apportioned, credentials due, the branch's share taken, or the member already credentialed", body = ErrorBody),
        (status = 422, description = "Fields need attention; a member of another branch or without the right to vote at conference (the clause is cited)", body = ErrorBody),
    ))]
pub async fn credential(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CredentialCreate>,
) -> ApiResult<(StatusCode, Json<Credential>)> {
    let c = state
        .app
        .record_credential(
            &user.actor,
            MeetingId(id),
            &CredentialRequest {
                branch: Some(UnitId(req.branch_id)),
                member: Some(MemberId(req.member_id)),
                role: req.role,
                source: req.source,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&c).into())))
}

/// Challenge a credential, giving grounds, until the constitution's deadline (any member).
#[utoipa::path(post, path = "/api/v1/credentials/{id}/challenges", operation_id = "challenge_credential",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Credential id")),
    request_body = ChallengeCreate,
    responses(
        (status = 201, body = CredentialChallenge),
        (status = 404, description = "No such credential", body = ErrorBody),
        (status = 409, description = "Challenges closed (the clause is cited), already challenged by you, or the credential was struck", body = ErrorBody),
        (status = 422, description = "No grounds, too long, or your own credential", body = ErrorBody),
    ))]
pub async fn challenge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ChallengeCreate>,
) -> ApiResult<(StatusCode, Json<CredentialChallenge>)> {
    let x = state
        .app
        .challenge_credential(&user.actor, CredentialId(id), &req.grounds)
        .await?;
    Ok((StatusCode::CREATED, Json((&x).into())))
}

/// Rule on a challenge, with reasons (the national holder of the office the constitution
/// names; once). Upheld strikes the credential.
#[utoipa::path(post, path = "/api/v1/credential-challenges/{id}/ruling", operation_id = "rule_on_credential_challenge",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Challenge id")),
    request_body = RulingRequest,
    responses(
        (status = 200, body = CredentialChallenge),
        (status = 403, description = "Not the office the constitution names, or your own credential", body = ErrorBody),
        (status = 404, description = "No such challenge", body = ErrorBody),
        (status = 409, description = "Already ruled on", body = ErrorBody),
        (status = 422, description = "No ruling or no reasons", body = ErrorBody),
    ))]
pub async fn rule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RulingRequest>,
) -> ApiResult<Json<CredentialChallenge>> {
    let x = state
        .app
        .rule_on_challenge(
            &user.actor,
            CredentialChallengeId(id),
            &req.ruling,
            &req.reason,
        )
        .await?;
    Ok(Json((&x).into()))
}

/// Check a delegate in at the conference, or a substitute standing in for an absent delegate
/// of their branch (the officers running it, while it is on).
#[utoipa::path(post, path = "/api/v1/conferences/{id}/delegate-check-ins", operation_id = "check_in_delegate",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "The conference's meeting id")),
    request_body = DelegateCheckIn,
    responses(
        (status = 201, body = Credential),
        (status = 403, description = "Not an officer running the conference", body = ErrorBody),
        (status = 404, description = "No such meeting or credential", body = ErrorBody),
        (status = 409, description = "Not on, already present, struck, or nobody absent to stand in for", body = ErrorBody),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DelegateCheckIn>,
) -> ApiResult<(StatusCode, Json<Credential>)> {
    let c = state
        .app
        .check_in_delegate(
            &user.actor,
            MeetingId(id),
            CredentialId(req.credential_id),
            req.stands_for.map(CredentialId),
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&c).into())))
}

/// Put a motion at a delegate conference to a card vote: each delegate present holds a card
/// fixed now (the officers running it).
#[utoipa::path(post, path = "/api/v1/motions/{id}/card-vote", operation_id = "open_card_vote",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 201, body = CardVote),
        (status = 403, description = "Not an officer running the conference", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Not a delegate conference, not on, no delegates present, or voting already opened", body = ErrorBody),
    ))]
pub async fn open_card_vote(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<CardVote>)> {
    let v = state.app.open_card_vote(&user.actor, MotionId(id)).await?;
    Ok((StatusCode::CREATED, Json(card_vote_of(&v, &[]))))
}

/// A card vote: the show of hands and the cards, with how each delegate cast theirs.
#[utoipa::path(get, path = "/api/v1/motions/{id}/card-vote", operation_id = "get_card_vote",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = CardVote),
        (status = 404, description = "No card vote on this motion", body = ErrorBody),
    ))]
pub async fn get_card_vote(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CardVote>> {
    let v = state.app.card_vote_view(MotionId(id)).await?;
    Ok(Json(card_vote_of(&v.vote, &v.ballots)))
}

/// Cast your card (delegates holding one). Sending the same submission again changes nothing.
#[utoipa::path(post, path = "/api/v1/motions/{id}/card-vote/cards", operation_id = "cast_card",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    request_body = BallotRequest,
    responses(
        (status = 201, description = "Recorded", body = BallotReceipt),
        (status = 200, description = "The same submission again: already recorded", body = BallotReceipt),
        (status = 409, description = "No card vote, closed, no card held, or already cast", body = ErrorBody),
        (status = 422, description = "Not for, against or abstain, or a bad submission key", body = ErrorBody),
    ))]
pub async fn cast(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<BallotRequest>,
) -> ApiResult<(StatusCode, Json<BallotReceipt>)> {
    let receipt = state
        .app
        .cast_card(&user.actor, MotionId(id), &req.choice, &req.submission)
        .await?;
    Ok(match receipt {
        VoteReceipt::Recorded => (
            StatusCode::CREATED,
            Json(BallotReceipt {
                status: "recorded".into(),
            }),
        ),
        VoteReceipt::AlreadyRecorded => (
            StatusCode::OK,
            Json(BallotReceipt {
                status: "already-recorded".into(),
            }),
        ),
    })
}

/// Close a card vote and decide the motion by the cards under the constitution in force; the
/// show of hands is recorded beside them.
#[utoipa::path(post, path = "/api/v1/motions/{id}/card-vote/close", operation_id = "close_card_vote",
    tag = "delegates", security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = CardVoteOutcome),
        (status = 403, description = "Not an officer running the conference", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "No card vote, or the motion was already decided", body = ErrorBody),
    ))]
pub async fn close_card_vote(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CardVoteOutcome>> {
    let (result, vote) = state.app.close_card_vote(&user.actor, MotionId(id)).await?;
    let cast = state.app.card_vote_view(MotionId(id)).await?.ballots;
    Ok(Json(CardVoteOutcome {
        outcome: outcome_of(&result),
        count: card_vote_of(&vote, &cast),
    }))
}
