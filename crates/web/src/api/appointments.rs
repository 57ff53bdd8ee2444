//! Appointment and discipline motions: proposed to a meeting of the body the constitution
//! names, they appoint, suspend or expel only when the meeting's decision on them binds.
//! There is no route that appoints, suspends or expels directly.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::AppError;
use charter_app::appointments::AppointmentRequest;
use charter_app::discipline::DisciplineRequest;
use charter_domain::{MemberId, OfficeId};
use charter_model::{AppointmentRecord, MeetingId, MotionId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use super::wire::MotionProposed;
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentBody {
    pub office_id: i64,
    pub member_id: i64,
    /// The motion's wording; a plain one naming member, office, term and clause if absent.
    pub text: Option<String>,
}

/// What an appointment motion would do if its decision binds.
#[derive(Serialize, ToSchema)]
pub struct Appointment {
    pub motion_id: i64,
    pub office_id: i64,
    /// chair, secretary, treasurer, membership-officer, data-protection-officer or scrutineer.
    pub office: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub member_id: i64,
    pub member_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// The clause that fills the office by appointment of this body.
    pub clause: String,
}

impl From<AppointmentRecord> for Appointment {
    fn from(a: AppointmentRecord) -> Self {
        Appointment {
            motion_id: a.motion.0,
            office_id: a.office.0,
            office: a.office_kind.as_str().to_string(),
            unit_id: a.unit.0,
            unit_name: a.unit_name,
            member_id: a.member.0,
            member_name: a.member_name,
            starts_on: a.term.starts_on,
            ends_on: a.term.ends_on,
            clause: a.clause,
        }
    }
}

/// Propose a motion appointing a member to an office. The constitution in force must fill
/// the office by appointment of this meeting's body (a refusal cites the clause); the usual
/// rules for business apply. The member is appointed only if the meeting's decision binds.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/appointments",
    operation_id = "propose_appointment",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = AppointmentBody,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "The caller may not propose here; the message cites the clause", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting has started or motions were due", body = ErrorBody),
        (status = 422, description = "The office or member does not fit; the message cites the clause", body = ErrorBody),
    )
)]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AppointmentBody>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let motion = state
        .app
        .propose_appointment(
            &user.actor,
            MeetingId(id),
            &AppointmentRequest {
                office: OfficeId(req.office_id),
                member: MemberId(req.member_id),
                text: req.text,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: motion.0 })))
}

/// The appointment a motion proposes.
#[utoipa::path(
    get,
    path = "/api/v1/motions/{id}/appointment",
    operation_id = "get_appointment",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = Appointment),
        (status = 404, description = "No such motion, or it appoints nobody", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Appointment>> {
    let a = state
        .app
        .motion_appointment(MotionId(id))
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    Ok(Json(a.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisciplineBody {
    pub member_id: i64,
    /// `suspended` or `expelled`.
    #[schema(example = "suspended")]
    #[schema(schema_with = crate::api::words::discipline_status)]
    pub status: String,
    /// What the member is said to have done, and under which clause.
    pub grounds: String,
}

/// Propose a motion to suspend or expel a member. The constitution in force must let this
/// meeting's body take that decision (a refusal cites the clause: nobody suspends or expels
/// alone); the usual rules for business apply. The member's status changes only if the
/// meeting's decision binds, in the same transaction, ending their sessions.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/discipline",
    operation_id = "propose_discipline",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = DisciplineBody,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "The caller may not propose here; the message cites the clause", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting has started or motions were due", body = ErrorBody),
        (status = 422, description = "This meeting's body may not decide it, or the member does not fit; the message cites the clause", body = ErrorBody),
    )
)]
pub async fn discipline(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DisciplineBody>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let motion = state
        .app
        .propose_discipline(
            &user.actor,
            MeetingId(id),
            &DisciplineRequest {
                member: MemberId(req.member_id),
                to: req.status,
                grounds: req.grounds,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: motion.0 })))
}
