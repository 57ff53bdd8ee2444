//! Joining and leaving: the join form's API (no session), the officers' decisions on
//! applications, and a member's resignation.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::joining::{DecisionRequest, JoinForm, RawApplication};
use charter_app::leaving::ResignationRequest;
use charter_model::{ApplicationId, ApplicationRecord};
use charter_rules::Ask;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ClientIp};
use crate::AppState;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody, WebError};
use crate::session::{ApiOwnRecordUser, ApiUser, clear_cookie, joining_allowed, same_origin};

/// What the join form asks and offers.
#[derive(Serialize, ToSchema)]
pub struct JoinFormBody {
    pub organisation: String,
    /// The branches an applicant may choose.
    pub branches: Vec<JoinBranch>,
    /// Whether each optional field is `not_asked`, `optional` or `required`.
    pub phone: String,
    pub dues_plan: String,
    /// The statement an applicant agrees to (`consent: true`).
    pub consent: String,
    /// The clause of the constitution in force that sets the form, if one does.
    pub clause: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct JoinBranch {
    pub id: i64,
    pub name: String,
    pub region: Option<String>,
}

fn ask_word(a: Ask) -> String {
    match a {
        Ask::No => "not_asked",
        Ask::Optional => "optional",
        Ask::Required => "required",
    }
    .to_string()
}

impl From<JoinForm> for JoinFormBody {
    fn from(f: JoinForm) -> Self {
        JoinFormBody {
            organisation: f.organisation,
            branches: f
                .branches
                .into_iter()
                .map(|b| JoinBranch {
                    id: b.id.0,
                    name: b.name,
                    region: b.region,
                })
                .collect(),
            phone: ask_word(f.phone),
            dues_plan: ask_word(f.dues_plan),
            consent: f.consent,
            clause: f.clause,
        }
    }
}

/// An application to join. Every field is checked by the register; a missing or bad one is
/// a 422 naming it.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ApplicationRequest {
    #[schema(example = "Grace")]
    pub first_name: String,
    #[schema(example = "Hopper")]
    pub last_name: String,
    #[schema(example = "grace@example.org")]
    pub email: String,
    #[schema(example = "SE1 7PB")]
    pub postcode: String,
    /// A branch id from `GET /api/v1/join-form`.
    pub branch_id: Option<i64>,
    /// When the form asks for it.
    pub phone: Option<String>,
    /// monthly or annual, when the form asks for it.
    pub dues_plan: Option<String>,
    /// True: the applicant agrees to the form's statement.
    pub consent: bool,
    /// Leave out or empty: a field people never see, which only robots fill in.
    pub website: Option<String>,
}

/// The same answer whether or not the address was already registered.
#[derive(Serialize, ToSchema)]
pub struct ApplicationReceived {
    #[schema(example = "received")]
    pub status: String,
    pub message: String,
}

const RECEIVED: &str = "Thank you. A letter is on its way to the address given; the \
    branch's officers will consider the application and write with their decision.";

/// Apply to join: no session. Answers 201 whether or not the address is already registered
/// (its owner is written to instead), so the form reveals nobody's membership. Limited per
/// client address; writes must be same-origin JSON.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    operation_id = "apply_to_join",
    tag = "joining",
    request_body = ApplicationRequest,
    responses(
        (status = 201, description = "Received", body = ApplicationReceived),
        (status = 403, description = "Sent from another site", body = ErrorBody),
        (status = 413, description = "The body is larger than 8 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A field needs attention; `fields` names each", body = ErrorBody),
        (status = 429, description = "Too many applications from this address; see Retry-After", body = ErrorBody,
            headers(("retry-after" = String, description = "Seconds to wait"))),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ApplicationRequest>,
) -> ApiResult<(StatusCode, Json<ApplicationReceived>)> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    joining_allowed(&state, ip)?;
    let received = (
        StatusCode::CREATED,
        Json(ApplicationReceived {
            status: "received".into(),
            message: RECEIVED.into(),
        }),
    );
    if req.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        tracing::info!("an application filled in the field people never see; nothing recorded");
        return Ok(received);
    }
    let raw = RawApplication {
        first_name: req.first_name,
        last_name: req.last_name,
        email: req.email,
        postcode: req.postcode,
        phone: req.phone.unwrap_or_default(),
        dues_plan: req.dues_plan.unwrap_or_default(),
        branch: req.branch_id.map(|b| b.to_string()).unwrap_or_default(),
        consent: req.consent,
    };
    state.app.apply_to_join(&raw).await?;
    Ok(received)
}

/// The join form: the branches, the fields the organisation asks for and its statement.
#[utoipa::path(
    get,
    path = "/api/v1/join-form",
    operation_id = "get_join_form",
    tag = "joining",
    responses((status = 200, body = JoinFormBody))
)]
pub async fn form(State(state): State<AppState>) -> ApiResult<Json<JoinFormBody>> {
    Ok(Json(state.app.join_form().await?.into()))
}

/// An application with its applicant's details, for officers who may decide it.
#[derive(Serialize, ToSchema)]
pub struct Application {
    pub id: i64,
    pub member_id: i64,
    pub branch_id: i64,
    pub branch_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postcode: String,
    pub dues_plan: String,
    /// The applicant's status in the register today.
    pub status: String,
    /// pending, accepted or refused.
    pub state: String,
    /// The statement the applicant agreed to, and the clause that set it.
    pub consent: String,
    pub clause: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by_id: Option<i64>,
    pub decided_by_name: Option<String>,
    pub reason: Option<String>,
}

impl From<ApplicationRecord> for Application {
    fn from(a: ApplicationRecord) -> Self {
        Application {
            id: a.id.0,
            member_id: a.member.0,
            branch_id: a.branch.0,
            branch_name: a.branch_name,
            first_name: a.first_name,
            last_name: a.last_name,
            email: a.email,
            phone: a.phone,
            postcode: a.postcode,
            dues_plan: a.dues_plan.as_str().into(),
            status: a.status.as_str().into(),
            state: a.state.as_str().into(),
            consent: a.consent,
            clause: a.clause,
            submitted_at: a.submitted_at,
            decided_at: a.decided_at,
            decided_by_id: a.decided_by.map(|m| m.0),
            decided_by_name: a.decided_by_name,
            reason: a.reason,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplicationsQuery {
    /// pending (the default), accepted, refused or all.
    #[param(schema_with = crate::api::words::application_state)]
    pub state: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    /// Pending first, oldest first; then the decided, newest first.
    pub items: Vec<Application>,
}

/// Applications in the branches where the caller's offices give the power to admit members.
/// Every applicant listed is logged as read.
#[utoipa::path(
    get,
    path = "/api/v1/applications",
    operation_id = "list_applications",
    tag = "joining",
    security(("session" = [])),
    params(ApplicationsQuery),
    responses(
        (status = 200, body = ApplicationList),
        (status = 403, description = "No office of the caller's admits members", body = ErrorBody),
        (status = 422, description = "`state` is not one of the four", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ApplicationsQuery>,
) -> ApiResult<Json<ApplicationList>> {
    let items = state
        .app
        .applications(&user.actor, q.state.as_deref())
        .await?;
    Ok(Json(ApplicationList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// One application; the read is logged.
#[utoipa::path(
    get,
    path = "/api/v1/applications/{id}",
    operation_id = "get_application",
    tag = "joining",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Application id")),
    responses(
        (status = 200, body = Application),
        (status = 403, description = "No office of the caller's admits members in its branch", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Application>> {
    Ok(Json(
        state
            .app
            .application(&user.actor, ApplicationId(id))
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// accept or refuse.
    #[schema(example = "accept")]
    #[schema(schema_with = crate::api::words::application_decision)]
    pub decision: String,
    /// Why: required to refuse (the applicant is told it), optional to accept.
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub id: i64,
    /// accepted or refused.
    pub state: String,
}

/// Accept or refuse an application, once. Acceptance makes the applicant an active member
/// (their history names the decider) and queues a welcome letter; refusal tells the
/// applicant the reason.
#[utoipa::path(
    post,
    path = "/api/v1/applications/{id}/decision",
    operation_id = "decide_application",
    tag = "joining",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Application id")),
    request_body = DecisionBody,
    responses(
        (status = 200, body = Decided),
        (status = 403, description = "No office of the caller's admits members in its branch", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
        (status = 422, description = "The decision or reason needs attention", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult<Json<Decided>> {
    let decided = state
        .app
        .decide_application(
            &user.actor,
            ApplicationId(id),
            &DecisionRequest {
                decision: body.decision,
                reason: body.reason,
            },
        )
        .await?;
    Ok(Json(Decided {
        id,
        state: decided.as_str().into(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResignationBody {
    /// True: the member has read what resigning means and wants to.
    pub confirm: bool,
    /// Why, if they wish to say; kept in their history.
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Resigned {
    #[schema(example = "resigned")]
    pub status: String,
}

/// Resign: the membership ends today, with the offices and seats held; every session ends
/// and the cookie is cleared. A suspended member may resign too; an expelled one may not.
#[utoipa::path(
    post,
    path = "/api/v1/me/resignation",
    operation_id = "resign",
    tag = "joining",
    security(("session" = [])),
    request_body = ResignationBody,
    responses(
        (status = 200, description = "Resigned; signed out", body = Resigned),
        (status = 409, description = "The membership cannot be resigned (expelled)", body = ErrorBody),
        (status = 422, description = "Not confirmed, or the reason is too long", body = ErrorBody),
    )
)]
pub async fn resign(
    State(state): State<AppState>,
    ApiOwnRecordUser(user): ApiOwnRecordUser,
    ApiJson(body): ApiJson<ResignationBody>,
) -> ApiResult<Response> {
    state
        .app
        .resign(
            &user.actor,
            &ResignationRequest {
                confirm: body.confirm,
                reason: body.reason,
            },
        )
        .await?;
    Ok((
        [(
            header::SET_COOKIE,
            clear_cookie(state.config.secure_cookies),
        )],
        Json(Resigned {
            status: "resigned".into(),
        }),
    )
        .into_response())
}
