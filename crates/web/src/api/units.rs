//! The organisation's structure. Counts, officers and bodies are visible to every signed-in
//! member: members can see who holds power over them and how the organisation is made up.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_domain::UnitId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use super::wire::{Unit, UnitDetail};
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// Every unit (national, regions, branches) with member counts and paid-up share. Closed
/// units are listed too, with the day they closed and the unit they merged into.
#[utoipa::path(
    get,
    path = "/api/v1/units",
    operation_id = "list_units",
    tag = "units",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<Unit>),
    )
)]
pub async fn list(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Vec<Unit>>> {
    let units = state.app.unit_summaries().await?;
    Ok(Json(units.into_iter().map(Into::into).collect()))
}

/// One unit with its officers, bodies and child units.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}",
    operation_id = "get_unit",
    tag = "units",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Unit id")),
    responses(
        (status = 200, body = UnitDetail),
        (status = 404, description = "No such unit", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UnitDetail>> {
    let page = state.app.unit_page(&user.actor, UnitId(id)).await?;
    Ok(Json(page.into()))
}

/// A region or branch to establish.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitCreate {
    /// region or branch.
    #[schema(schema_with = crate::api::words::unit_kind)]
    pub kind: String,
    pub name: String,
    /// A region's parent is the national unit; a branch's is a region (or the national unit
    /// while there are no regions). Optional where there is only one choice.
    pub parent_id: Option<i64>,
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
pub struct UnitCreated {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRename {
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitMergeRequest {
    /// The open unit of the same kind that takes its members (and, for a region, branches).
    pub into_id: i64,
}

/// What a merge moved.
#[derive(Serialize, ToSchema)]
pub struct UnitMerged {
    /// Members whose home moved, each move kept in their branch history.
    pub members_moved: u64,
    /// Branches that moved under the surviving region.
    pub units_moved: u64,
}

/// Establish a region or branch, with the bodies and (vacant) offices the constitution in
/// force gives its level. National secretary or national chair only.
#[utoipa::path(
    post,
    path = "/api/v1/units",
    operation_id = "create_unit",
    tag = "units",
    security(("session" = [])),
    request_body = UnitCreate,
    responses(
        (status = 201, body = UnitCreated),
        (status = 403, description = "Not the national secretary or chair", body = ErrorBody),
        (status = 409, description = "The parent closed meanwhile", body = ErrorBody),
        (status = 422, description = "A field needs attention", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<UnitCreate>,
) -> ApiResult<(StatusCode, Json<UnitCreated>)> {
    let id = state
        .app
        .create_unit(&user.actor, &req.kind, &req.name, req.parent_id.map(UnitId))
        .await?;
    Ok((StatusCode::CREATED, Json(UnitCreated { id: id.0 })))
}

/// Rename a region or branch; its address (slug) stays.
#[utoipa::path(
    post,
    path = "/api/v1/units/{id}/rename",
    operation_id = "rename_unit",
    tag = "units",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Unit id")),
    request_body = UnitRename,
    responses(
        (status = 204, description = "Renamed"),
        (status = 403, description = "Not the national secretary or chair", body = ErrorBody),
        (status = 409, description = "The unit is closed", body = ErrorBody),
        (status = 422, description = "A field needs attention", body = ErrorBody),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UnitRename>,
) -> ApiResult<StatusCode> {
    state
        .app
        .rename_unit(&user.actor, UnitId(id), &req.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merge a region or branch into another of its kind: its members move (each move kept in
/// their branch history, naming the merge), a region's branches move under the other region,
/// and it closes, marked as merged — never deleted.
#[utoipa::path(
    post,
    path = "/api/v1/units/{id}/merge",
    operation_id = "merge_unit",
    tag = "units",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Unit to merge")),
    request_body = UnitMergeRequest,
    responses(
        (status = 200, body = UnitMerged),
        (status = 403, description = "Not the national secretary or chair", body = ErrorBody),
        (status = 409, description = "Either unit is closed", body = ErrorBody),
        (status = 422, description = "Not two units of one kind", body = ErrorBody),
    )
)]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UnitMergeRequest>,
) -> ApiResult<Json<UnitMerged>> {
    let m = state
        .app
        .merge_unit(&user.actor, UnitId(id), UnitId(req.into_id))
        .await?;
    Ok(Json(UnitMerged {
        members_moved: m.members,
        units_moved: m.children,
    }))
}

/// Close an empty region or branch. One with members or open units under it is refused
/// (409): merge it into another unit instead, which moves them.
#[utoipa::path(
    post,
    path = "/api/v1/units/{id}/close",
    operation_id = "close_unit",
    tag = "units",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Unit id")),
    responses(
        (status = 204, description = "Closed"),
        (status = 403, description = "Not the national secretary or chair", body = ErrorBody),
        (status = 409, description = "It still has members or open units, or is closed", body = ErrorBody),
        (status = 422, description = "The national unit cannot be closed", body = ErrorBody),
    )
)]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.close_unit(&user.actor, UnitId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
