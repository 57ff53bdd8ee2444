//! The organisation's structure. Counts, officers and bodies are visible to every signed-in
//! member: members can see who holds power over them and how the organisation is made up.

use axum::Json;
use axum::extract::State;
use charter_domain::UnitId;

use super::ApiPath;
use super::wire::{Unit, UnitDetail};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::session::ApiUser;

/// Every unit (national, regions, branches) with member counts and paid-up share.
#[utoipa::path(
    get,
    path = "/api/v1/units",
    operation_id = "list_units",
    tag = "units",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<Unit>),
        (status = 401, description = "Not signed in", body = ErrorBody),
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
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
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
