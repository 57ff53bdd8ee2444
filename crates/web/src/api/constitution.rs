//! The constitution: versions, a member's rights with the clause behind each answer, and
//! amendments with every attempt to adopt them and their impact. Readable by every signed-in
//! member; who may see another member's rights, propose or record is decided by the app.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::AppError;
use charter_app::amending::HistoricalDecision;
use charter_domain::MemberId;
use charter_model::{AmendmentId, ConstitutionVersionId, MeetingId};

use super::ApiPath;
use super::wire::{
    Amendment, AmendmentDetail, AmendmentImpact, AmendmentProposed, AmendmentRequest,
    ConstitutionText, ConstitutionVersion, HistoricalEntryOutcome, HistoricalEntryRequest,
    MotionProposed, PutAmendmentRequest, RightAnswer, RightsQuery,
};
use crate::AppState;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::pages::parse_day;
use crate::session::ApiUser;

/// What a member may do on a day, in every context, with the clauses that decided and why.
#[utoipa::path(
    get,
    path = "/api/v1/members/{id}/rights",
    operation_id = "get_member_rights",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id"), RightsQuery),
    responses(
        (status = 200, body = Vec<RightAnswer>),
        (status = 403, description = "Not the caller, and no office of the caller covers this member", body = ErrorBody),
        (status = 404, description = "No such member, or no version in force that day", body = ErrorBody),
        (status = 422, description = "`on` is not a date (YYYY-MM-DD)", body = ErrorBody),
    )
)]
pub async fn rights(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<RightsQuery>,
) -> ApiResult<Json<Vec<RightAnswer>>> {
    let on = match q.on.as_deref() {
        Some(raw) => parse_day(raw).map_err(|m| AppError::invalid("on", m))?,
        None => state.app.today(),
    };
    let decisions = state
        .app
        .member_rights(&user.actor, MemberId(id), on)
        .await?;
    Ok(Json(decisions.iter().map(RightAnswer::from).collect()))
}

/// The version in force today: its clauses with their rules in words and its TOML file.
#[utoipa::path(
    get,
    path = "/api/v1/constitution",
    operation_id = "get_constitution",
    tag = "constitution",
    security(("session" = [])),
    responses(
        (status = 200, body = ConstitutionText),
        (status = 404, description = "No version is in force yet", body = ErrorBody),
    )
)]
pub async fn in_force(
    State(state): State<AppState>,
    _user: ApiUser,
) -> ApiResult<Json<ConstitutionText>> {
    let (info, c) = state.app.constitution_in_force(state.app.today()).await?;
    Ok(Json(ConstitutionText::new(&info, &c)))
}

/// Every version, oldest first, with its effective date and how it was adopted.
#[utoipa::path(
    get,
    path = "/api/v1/constitution/versions",
    operation_id = "list_constitution_versions",
    tag = "constitution",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<ConstitutionVersion>),
    )
)]
pub async fn versions(
    State(state): State<AppState>,
    _user: ApiUser,
) -> ApiResult<Json<Vec<ConstitutionVersion>>> {
    let vs = state.app.constitution_versions().await?;
    Ok(Json(vs.iter().map(ConstitutionVersion::from).collect()))
}

/// One version in full.
#[utoipa::path(
    get,
    path = "/api/v1/constitution/versions/{id}",
    operation_id = "get_constitution_version",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Version id")),
    responses(
        (status = 200, body = ConstitutionText),
        (status = 404, description = "No such version", body = ErrorBody),
    )
)]
pub async fn version(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ConstitutionText>> {
    let (info, c) = state
        .app
        .constitution_version(ConstitutionVersionId(id))
        .await?;
    Ok(Json(ConstitutionText::new(&info, &c)))
}

/// Every amendment with its state and every attempt to adopt it, refused ones included.
#[utoipa::path(
    get,
    path = "/api/v1/amendments",
    operation_id = "list_amendments",
    tag = "constitution",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<Amendment>),
    )
)]
pub async fn amendments(
    State(state): State<AppState>,
    _user: ApiUser,
) -> ApiResult<Json<Vec<Amendment>>> {
    let list = state.app.amendments().await?;
    Ok(Json(list.iter().map(Amendment::from).collect()))
}

/// Propose an amendment: the whole new version as its TOML file. A file that does not parse
/// is a 422 naming the clause, rule and column.
#[utoipa::path(
    post,
    path = "/api/v1/amendments",
    operation_id = "propose_amendment",
    tag = "constitution",
    security(("session" = [])),
    request_body = AmendmentRequest,
    responses(
        (status = 201, body = AmendmentProposed),
        (status = 403, description = "The caller may not propose amendments", body = ErrorBody),
        (status = 422, description = "The title or the file is invalid; `fields` names it", body = ErrorBody),
    )
)]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<AmendmentRequest>,
) -> ApiResult<(StatusCode, Json<AmendmentProposed>)> {
    let id = state
        .app
        .propose_amendment(&user.actor, &req.title, &req.toml)
        .await?;
    Ok((StatusCode::CREATED, Json(AmendmentProposed { id: id.0 })))
}

/// One amendment with its attempts and proposed text.
#[utoipa::path(
    get,
    path = "/api/v1/amendments/{id}",
    operation_id = "get_amendment",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Amendment id")),
    responses(
        (status = 200, body = AmendmentDetail),
        (status = 404, description = "No such amendment", body = ErrorBody),
    )
)]
pub async fn amendment(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AmendmentDetail>> {
    let (info, c) = state.app.amendment(AmendmentId(id)).await?;
    let proposed = ConstitutionText::new(
        &charter_app::constitution::VersionInfo {
            id: ConstitutionVersionId(0),
            version: c.version().to_string(),
            name: c.name().to_string(),
            effective: c.effective(),
            adopted_by: c.adopted_by().text.clone(),
            recorded_at: info.proposed_at,
        },
        &c,
    );
    Ok(Json(AmendmentDetail {
        amendment: (&info).into(),
        proposed,
    }))
}

/// What the amendment would change for the members, against the version in force.
#[utoipa::path(
    get,
    path = "/api/v1/amendments/{id}/impact",
    operation_id = "get_amendment_impact",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Amendment id")),
    responses(
        (status = 200, body = AmendmentImpact),
        (status = 403, description = "The caller may not see this preview", body = ErrorBody),
        (status = 404, description = "No such amendment", body = ErrorBody),
    )
)]
pub async fn impact(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AmendmentImpact>> {
    let i = state.app.amendment_impact(AmendmentId(id)).await?;
    Ok(Json((&i).into()))
}

/// Put an amendment to a meeting, as a motion. The meeting must be of a body the amendment
/// procedure in force names (a refusal cites the clause), not yet started, and the usual rules
/// for business apply. The meeting's own notice, attendance and count then decide it: there
/// is no route that records an outcome.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/amendments",
    operation_id = "put_amendment",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = PutAmendmentRequest,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "The caller may not propose here; the message cites the clause", body = ErrorBody),
        (status = 404, description = "No such meeting or amendment", body = ErrorBody),
        (status = 409, description = "The meeting has started, motions were due, or the amendment is adopted or already before it", body = ErrorBody),
        (status = 422, description = "This meeting's body does not decide amendments; the message cites the clause", body = ErrorBody),
    )
)]
pub async fn put_amendment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PutAmendmentRequest>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let motion = state
        .app
        .put_amendment(&user.actor, MeetingId(id), AmendmentId(req.amendment_id))
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: motion.0 })))
}

/// Enter, from its minutes, a meeting held before the organisation used Charter that decided
/// on an amendment. Two officers who call national meetings each enter it on their own; when
/// two entries agree the meeting is recorded, marked historical, and judged by the version
/// in force on its day (`state` = `recorded`, with `adopted` and every failing clause).
#[utoipa::path(
    post,
    path = "/api/v1/amendments/{id}/historical-entries",
    operation_id = "enter_historical_meeting",
    tag = "constitution",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Amendment id")),
    request_body = HistoricalEntryRequest,
    responses(
        (status = 200, description = "The entry is kept; where the meeting stands", body = HistoricalEntryOutcome),
        (status = 403, description = "The caller does not call national meetings", body = ErrorBody),
        (status = 404, description = "No such amendment", body = ErrorBody),
        (status = 409, description = "The amendment was already adopted", body = ErrorBody),
        (status = 422, description = "A field is invalid: a date after today, notice after the meeting, more present than entitled", body = ErrorBody),
    )
)]
pub async fn enter_historical(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<HistoricalEntryRequest>,
) -> ApiResult<Json<HistoricalEntryOutcome>> {
    let entry = HistoricalDecision {
        body: req.body,
        kind: req.kind,
        notice_on: req.notice_on,
        held_on: req.held_on,
        entitled: req.entitled,
        present: req.present,
        votes_for: req.votes_for,
        votes_against: req.votes_against,
        abstentions: req.abstentions,
    };
    let outcome = state
        .app
        .enter_historical_decision(&user.actor, AmendmentId(id), &entry)
        .await?;
    Ok(Json(HistoricalEntryOutcome::from(outcome)))
}
