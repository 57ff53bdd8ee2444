//! The membership register: the directory, a member's record and the changes officers make.
//! Who may see or change what is decided by the app from the offices the caller holds.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::register::{self, DirectoryQuery};
use charter_domain::{MemberId, RawMemberChanges};
use charter_model::AffiliationId;

use super::ApiPath;
use super::wire::{
    AffiliationAdded, AffiliationRequest, AffiliationVerified, Me, MeQuery, Member, MemberList,
    MemberListQuery, MemberPatch, PaymentRecorded, PaymentRequest, StatusChangeRequest,
    StatusChanged, TransferRequest, Transferred,
};
use crate::AppState;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::session::{ApiOwnRecordUser, ApiUser};

/// My membership: my record, the offices I hold and who has read my data.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "get_me",
    tag = "members",
    security(("session" = [])),
    params(MeQuery),
    responses(
        (status = 200, body = Me),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiQuery(q): ApiQuery<MeQuery>,
) -> ApiResult<Json<Me>> {
    let page = q.log_page.unwrap_or(1).clamp(1, 1_000_000);
    let mine = state.app.my_membership(&user.actor, page).await?;
    Ok(Json(Me::new(mine, page)))
}

/// The member directory, limited to the members the caller's offices cover (a member without
/// an office sees only themselves). Every member returned is logged as read.
#[utoipa::path(
    get,
    path = "/api/v1/members",
    operation_id = "list_members",
    tag = "members",
    security(("session" = [])),
    params(MemberListQuery),
    responses(
        (status = 200, body = MemberList),
        (status = 403, description = "The branch is outside the caller's offices", body = ErrorBody),
        (status = 422, description = "A filter is invalid; `fields` names it", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<MemberListQuery>,
) -> ApiResult<Json<MemberList>> {
    let raw = DirectoryQuery {
        q: q.q,
        branch: q.branch,
        status: q.status,
        paid_up: q.paid_up,
        sort: q.sort,
        page: q.page,
        per_page: q.per_page,
    };
    let (query, page) = state.app.directory(&user.actor, &raw).await?;
    Ok(Json(MemberList {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        total_capped: page.total_capped,
        page: query.page,
        per_page: query.per_page,
    }))
}

/// One member with their status history, dues, affiliations and branch history. A read by
/// anyone but the member is logged where the member can see it.
#[utoipa::path(
    get,
    path = "/api/v1/members/{id}",
    operation_id = "get_member",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    responses(
        (status = 200, body = Member),
        (status = 403, description = "No office of the caller covers this member", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Member>> {
    let view = state.app.member_view(&user.actor, MemberId(id)).await?;
    Ok(Json(view.into()))
}

/// Change contact details (the member themselves, or an officer who may edit members). An
/// officer's new `email` is only proposed: the member confirms it from a link sent to that
/// address, with their own password, and until then the record keeps the current address. A
/// member changes their own address with `POST /api/v1/me/email-changes`.
#[utoipa::path(
    patch,
    path = "/api/v1/members/{id}",
    operation_id = "update_member",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    request_body = MemberPatch,
    responses(
        (status = 200, description = "Changed; the member as now recorded", body = Member),
        (status = 403, description = "No office of the caller allows this", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "The email belongs to another member", body = ErrorBody),
        (status = 422, description = "A field is invalid (or a member's own new email, which needs their password); `fields` names it", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<MemberPatch>,
) -> ApiResult<Json<Member>> {
    let raw = RawMemberChanges {
        first_name: patch.first_name,
        last_name: patch.last_name,
        email: patch.email,
        phone: patch.phone,
        postcode: patch.postcode,
        dues_plan: patch.dues_plan,
    };
    let member = MemberId(id);
    state.app.update_member(&user.actor, member, &raw).await?;
    let view = state.app.member_view(&user.actor, member).await?;
    Ok(Json(view.into()))
}

/// Change a member's status along the register's state machine, with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/status",
    operation_id = "change_member_status",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, body = StatusChanged),
        (status = 403, description = "No office of the caller allows this", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "The status changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not an allowed change, or a field is invalid", body = ErrorBody),
    )
)]
pub async fn change_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StatusChangeRequest>,
) -> ApiResult<Json<StatusChanged>> {
    let req = register::StatusChangeRequest {
        to: req.status,
        effective_on: req.effective_on.unwrap_or_default(),
        reason: req.reason,
    };
    let to = state
        .app
        .change_status(&user.actor, MemberId(id), &req)
        .await?;
    Ok(Json(StatusChanged {
        member_id: id,
        status: to.as_str().to_string(),
    }))
}

/// Record a dues payment; answers with the new paid-up-until date.
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/payments",
    operation_id = "record_payment",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    request_body = PaymentRequest,
    responses(
        (status = 201, body = PaymentRecorded),
        (status = 403, description = "No office of the caller allows this", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names it", body = ErrorBody),
    )
)]
pub async fn record_payment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PaymentRequest>,
) -> ApiResult<(StatusCode, Json<PaymentRecorded>)> {
    let req = register::PaymentRequest {
        paid_on: req.paid_on,
        amount: req.amount,
        months: req.months.to_string(),
    };
    let paid_up_until = state
        .app
        .record_payment(&user.actor, MemberId(id), &req)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PaymentRecorded {
            member_id: id,
            paid_up_until,
        }),
    ))
}

/// Declare an affiliation (the member themselves, or an officer who verifies affiliations).
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/affiliations",
    operation_id = "add_affiliation",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    request_body = AffiliationRequest,
    responses(
        (status = 201, body = AffiliationAdded),
        (status = 403, description = "No office of the caller allows this", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names it", body = ErrorBody),
    )
)]
pub async fn add_affiliation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AffiliationRequest>,
) -> ApiResult<(StatusCode, Json<AffiliationAdded>)> {
    let affiliation = state
        .app
        .add_affiliation(
            &user.actor,
            MemberId(id),
            &req.organisation,
            req.since.as_deref().unwrap_or(""),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AffiliationAdded {
            member_id: id,
            affiliation_id: affiliation.0,
        }),
    ))
}

/// Verify a member's affiliation, recording who verified it and when.
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/affiliations/{aff}/verify",
    operation_id = "verify_affiliation",
    tag = "members",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "Member id"),
        ("aff" = i64, Path, description = "Affiliation id"),
    ),
    responses(
        (status = 200, body = AffiliationVerified),
        (status = 403, description = "No office of the caller allows this", body = ErrorBody),
        (status = 404, description = "No such member or affiliation", body = ErrorBody),
        (status = 409, description = "Already verified", body = ErrorBody),
    )
)]
pub async fn verify_affiliation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, aff)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<AffiliationVerified>> {
    state
        .app
        .verify_affiliation(&user.actor, MemberId(id), AffiliationId(aff))
        .await?;
    Ok(Json(AffiliationVerified {
        member_id: id,
        affiliation_id: aff,
        verified_on: state.app.today(),
    }))
}

/// Move a member to another branch; the caller needs the power over both branches.
#[utoipa::path(
    post,
    path = "/api/v1/members/{id}/transfer",
    operation_id = "transfer_member",
    tag = "members",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Member id")),
    request_body = TransferRequest,
    responses(
        (status = 200, body = Transferred),
        (status = 403, description = "No office of the caller covers both branches", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names it", body = ErrorBody),
    )
)]
pub async fn transfer(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<Json<Transferred>> {
    let to_branch = req.to_branch;
    let req = register::TransferRequest {
        to_branch: to_branch.to_string(),
        effective_on: req.effective_on.unwrap_or_default(),
        reason: req.reason,
    };
    state.app.transfer(&user.actor, MemberId(id), &req).await?;
    Ok(Json(Transferred {
        member_id: id,
        branch_id: to_branch,
    }))
}
