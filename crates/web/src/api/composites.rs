//! Composite motions: proposed by the officers running a meeting, formed when every mover
//! consents, refused by any of them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_model::{CompositeId, CompositeRecord, MeetingId, MotionId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// A proposed composite: its wording, the motions it merges and each mover's consent.
#[derive(Serialize, ToSchema)]
pub struct Composite {
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    pub text: String,
    /// pending (awaiting consents), formed, or declined.
    pub state: String,
    /// The composite motion once formed.
    pub motion_id: Option<i64>,
    pub proposed_at: chrono::DateTime<chrono::Utc>,
    pub parts: Vec<CompositePartBody>,
}

#[derive(Serialize, ToSchema)]
pub struct CompositePartBody {
    pub motion_id: i64,
    pub consented: bool,
    pub consented_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<CompositeRecord> for Composite {
    fn from(c: CompositeRecord) -> Self {
        Composite {
            id: c.id.0,
            meeting_id: c.meeting.0,
            title: c.title,
            text: c.text,
            state: c.state.to_string(),
            motion_id: c.motion.map(|id| id.0),
            proposed_at: c.proposed_at,
            parts: c
                .parts
                .into_iter()
                .map(|p| CompositePartBody {
                    motion_id: p.motion.0,
                    consented: p.consented_at.is_some(),
                    consented_at: p.consented_at,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositeRequest {
    pub title: String,
    /// The composite's whole wording.
    pub text: String,
    /// The motions it merges (two or more), the first mover's first.
    pub motion_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CompositeProposed {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CompositeConsent {
    /// The composite motion, when this consent was the last one needed.
    pub formed_motion_id: Option<i64>,
}

/// A meeting's composites with each mover's consent.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/composites",
    operation_id = "list_composites",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = [Composite]),
        (status = 404, description = "No such meeting", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Composite>>> {
    let list = state.app.composites(MeetingId(id)).await?;
    Ok(Json(list.into_iter().map(Composite::from).collect()))
}

/// Propose a composite of motions before the meeting (officers running it). It is formed
/// only when every mover consents.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/composites",
    operation_id = "propose_composite",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = CompositeRequest,
    responses(
        (status = 201, body = CompositeProposed),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting is over, or a motion is already in a composite awaiting consent", body = ErrorBody),
        (status = 422, description = "Fields need attention", body = ErrorBody),
    )
)]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CompositeRequest>,
) -> ApiResult<(StatusCode, Json<CompositeProposed>)> {
    let cid = state
        .app
        .propose_composite(
            &user.actor,
            MeetingId(id),
            &req.title,
            &req.text,
            &req.motion_ids
                .iter()
                .copied()
                .map(MotionId)
                .collect::<Vec<_>>(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CompositeProposed { id: cid.0 })))
}

/// Consent, as mover, to a composite of your motion(s); the last consent forms it.
#[utoipa::path(
    post,
    path = "/api/v1/composites/{id}/consent",
    operation_id = "consent_to_composite",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Composite id")),
    responses(
        (status = 200, body = CompositeConsent),
        (status = 403, description = "Not a mover of a motion in it", body = ErrorBody),
        (status = 404, description = "No such composite", body = ErrorBody),
        (status = 409, description = "Already consented, or it was formed or declined, or a motion in it was decided", body = ErrorBody),
    )
)]
pub async fn consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CompositeConsent>> {
    let formed = state
        .app
        .consent_to_composite(&user.actor, CompositeId(id))
        .await?;
    Ok(Json(CompositeConsent {
        formed_motion_id: formed.map(|id| id.0),
    }))
}

/// Refuse a composite (a mover of a motion in it, or an officer running the meeting): every
/// motion stands as it was.
#[utoipa::path(
    post,
    path = "/api/v1/composites/{id}/refusal",
    operation_id = "refuse_composite",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Composite id")),
    responses(
        (status = 204, description = "Declined"),
        (status = 403, description = "Neither a mover nor an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such composite", body = ErrorBody),
        (status = 409, description = "Already formed or declined", body = ErrorBody),
    )
)]
pub async fn refuse(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .decline_composite(&user.actor, CompositeId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
