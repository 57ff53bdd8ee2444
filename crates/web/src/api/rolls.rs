//! Rolls: frozen lists of who may exercise a right at a meeting or ballot, their per-branch
//! counts and hashes (every member), names (officers who may see members), and challenges
//! to exclusions with their outcomes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::rolls::RollRequest;
use charter_domain::UnitId;
use charter_model::{RollChallengeId, RollId};

use super::ApiPath;
use super::wire::{
    ChallengeDecisionRequest, ChallengeLodged, ChallengeRequest, Roll, RollDetail, RollEntries,
    RollEntriesQuery, RollEntry, RollFrozen, RollRequestBody, RollVerification,
};
use crate::AppState;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// Every roll, newest first, with its counts and hashes.
#[utoipa::path(
    get,
    path = "/api/v1/rolls",
    operation_id = "list_rolls",
    tag = "rolls",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<Roll>),
    )
)]
pub async fn list(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Vec<Roll>>> {
    let rolls = state.app.rolls().await?;
    Ok(Json(rolls.iter().map(Roll::from).collect()))
}

/// Freeze a roll by the constitution in force on its cut-off date.
#[utoipa::path(
    post,
    path = "/api/v1/rolls",
    operation_id = "freeze_roll",
    tag = "rolls",
    security(("session" = [])),
    request_body = RollRequestBody,
    responses(
        (status = 201, body = RollFrozen),
        (status = 403, description = "No office of the caller may freeze rolls for that unit", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names each", body = ErrorBody),
    )
)]
pub async fn freeze(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<RollRequestBody>,
) -> ApiResult<(StatusCode, Json<RollFrozen>)> {
    let id = state
        .app
        .freeze_roll(
            &user.actor,
            &RollRequest {
                title: req.title,
                context: req.context,
                unit: req.unit_id.map(UnitId),
                right: req.right,
                cutoff: req.cutoff,
                challenge_closes_on: req.challenge_closes_on,
            },
        )
        .await?;
    let v = state.app.roll_view(&user.actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(RollFrozen {
            id: id.0,
            hash: v.roll.frozen_hash,
            eligible: v.roll.eligible,
            excluded: v.roll.excluded,
        }),
    ))
}

/// One roll: counts per branch, the caller's own line with the clause that decided it, and
/// the challenges the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/rolls/{id}",
    operation_id = "get_roll",
    tag = "rolls",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Roll id")),
    responses(
        (status = 200, body = RollDetail),
        (status = 404, description = "No such roll", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RollDetail>> {
    let v = state.app.roll_view(&user.actor, RollId(id)).await?;
    Ok(Json((&v).into()))
}

/// Names on a roll, for officers who may see members; only their branches; each name logged.
#[utoipa::path(
    get,
    path = "/api/v1/rolls/{id}/entries",
    operation_id = "list_roll_entries",
    tag = "rolls",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Roll id"), RollEntriesQuery),
    responses(
        (status = 200, body = RollEntries),
        (status = 403, description = "The caller may not see members' names", body = ErrorBody),
        (status = 404, description = "No such roll", body = ErrorBody),
        (status = 422, description = "`branch` is not a branch", body = ErrorBody),
    )
)]
pub async fn entries(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<RollEntriesQuery>,
) -> ApiResult<Json<RollEntries>> {
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let per_page = q.per_page.unwrap_or(100).clamp(1, 500);
    let names = state
        .app
        .roll_names(
            &user.actor,
            RollId(id),
            q.branch.map(UnitId),
            q.eligible,
            page,
            per_page,
        )
        .await?;
    Ok(Json(RollEntries {
        items: names
            .items
            .iter()
            .map(|n| RollEntry {
                line: (&n.entry).into(),
                first_name: n.first_name.clone(),
                last_name: n.last_name.clone(),
            })
            .collect(),
        total: names.total,
        page,
        per_page,
    }))
}

/// Recompute the roll's hashes from what is stored: the frozen list, then each decided
/// challenge in order.
#[utoipa::path(
    get,
    path = "/api/v1/rolls/{id}/verification",
    operation_id = "verify_roll",
    tag = "rolls",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Roll id")),
    responses(
        (status = 200, body = RollVerification),
        (status = 404, description = "No such roll", body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RollVerification>> {
    let c = state.app.check_roll(RollId(id)).await?;
    Ok(Json(RollVerification {
        frozen_hash_matches: c.frozen_hash_matches,
        current_hash_matches: c.current_hash_matches,
        lines: c.lines,
    }))
}

/// Challenge your own exclusion from a roll while its window is open.
#[utoipa::path(
    post,
    path = "/api/v1/rolls/{id}/challenges",
    operation_id = "lodge_roll_challenge",
    tag = "rolls",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Roll id")),
    request_body = ChallengeRequest,
    responses(
        (status = 201, body = ChallengeLodged),
        (status = 404, description = "No such roll", body = ErrorBody),
        (status = 409, description = "The caller is on the roll, not listed, already has an open challenge, or the window has closed", body = ErrorBody),
        (status = 422, description = "The grounds are empty or too long", body = ErrorBody),
    )
)]
pub async fn challenge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ChallengeRequest>,
) -> ApiResult<(StatusCode, Json<ChallengeLodged>)> {
    let id = state
        .app
        .lodge_challenge(&user.actor, RollId(id), &req.grounds)
        .await?;
    Ok((StatusCode::CREATED, Json(ChallengeLodged { id: id.0 })))
}

/// Uphold or reject a challenge, with reasons (an officer with the power over the
/// challenger's branch; never the challenger).
#[utoipa::path(
    post,
    path = "/api/v1/challenges/{id}/decision",
    operation_id = "decide_roll_challenge",
    tag = "rolls",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Challenge id")),
    request_body = ChallengeDecisionRequest,
    responses(
        (status = 204, description = "Decided; an upheld challenge puts the member on the roll"),
        (status = 403, description = "The caller may not decide this challenge", body = ErrorBody),
        (status = 404, description = "No such challenge", body = ErrorBody),
        (status = 409, description = "Already decided, or the roll changed meanwhile", body = ErrorBody),
        (status = 422, description = "The reason is empty or too long", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ChallengeDecisionRequest>,
) -> ApiResult<StatusCode> {
    state
        .app
        .decide_challenge(&user.actor, RollChallengeId(id), req.upheld, &req.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
