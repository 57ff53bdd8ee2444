//! The JSON API under `/api/v1/`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! Handlers are thin: extract (through [`ApiJson`](crate::error::ApiJson),
//! [`ApiQuery`](crate::error::ApiQuery) and [`ApiPath`], so bad input is reported in the API's
//! error shape), call one use case of [`charter_app::App`], convert to a wire type in [`wire`].
//! Authorisation lives in the app, never here.

mod accounts;
mod agenda;
mod applications;
mod appointments;
mod audit;
mod ballots;
mod composites;
mod constitution;
mod delegates;
mod elections;
mod events;
mod meetings;
mod members;
mod paper;
pub mod responses;
mod rolls;
mod schema_limits;
mod session;
mod units;
mod verifiable;
pub mod wire;
mod words;

use std::net::IpAddr;
use std::sync::OnceLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use charter_app::AppError;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ErrorBody, ErrorDetail, WebError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Charter API",
        description = "The register and structure of a member-run organisation. Sign in with \
            POST /api/v1/session; the session cookie authenticates every other call. Errors \
            are {\"error\":{\"code\",\"message\",\"fields\"}} with a 4xx status. Every read of \
            another member's personal data is logged where that member can see it.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&SessionCookie),
    components(schemas(ErrorBody)),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "accounts", description = "Invitations, passwords, email addresses and two-factor sign-in"),
        (name = "members", description = "The membership register"),
        (name = "joining", description = "Joining by the public join form, officers' decisions on applications, and resigning"),
        (name = "units", description = "The organisation's structure"),
        (name = "events", description = "The governance record"),
        (name = "constitution", description = "The constitution, members' rights and amendments"),
        (name = "ballots", description = "Ballots of members and elections: secret, checkable by every voter, counted by the rules in force"),
        (name = "meetings", description = "Meetings, notice, attendance, motions and their outcomes; published statements"),
        (name = "rolls", description = "Frozen rolls for meetings and ballots, and challenges to them"),
        (name = "delegates", description = "Delegate conferences: delegates apportioned among branches, credentials, challenges and rulings, card votes"),
    )
)]
struct ApiDoc;

struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::session::COOKIE_NAME,
            ))),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(accounts::verify_code))
        .routes(routes!(accounts::invite))
        .routes(routes!(accounts::invite_all))
        .routes(routes!(accounts::request_reset))
        .routes(routes!(accounts::set_password))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::request_email_change))
        .routes(routes!(accounts::confirm_email))
        .routes(routes!(accounts::two_factor, accounts::begin_two_factor))
        .routes(routes!(accounts::confirm_two_factor))
        .routes(routes!(accounts::turn_off_two_factor))
        .routes(routes!(accounts::policy, accounts::set_policy))
        .routes(routes!(members::me))
        .routes(routes!(applications::resign))
        .routes(routes!(members::list))
        .routes(routes!(members::get, members::update))
        .routes(routes!(members::change_status))
        .routes(routes!(members::record_payment))
        .routes(routes!(members::add_affiliation))
        .routes(routes!(members::verify_affiliation))
        .routes(routes!(members::transfer))
        .routes(routes!(units::list, units::create))
        .routes(routes!(units::get))
        .routes(routes!(units::rename))
        .routes(routes!(units::merge))
        .routes(routes!(units::close))
        .routes(routes!(appointments::propose))
        .routes(routes!(appointments::discipline))
        .routes(routes!(appointments::get))
        .routes(routes!(events::list))
        .routes(routes!(constitution::rights))
        .routes(routes!(constitution::in_force))
        .routes(routes!(constitution::versions))
        .routes(routes!(constitution::version))
        .routes(routes!(constitution::amendments, constitution::propose))
        .routes(routes!(constitution::amendment))
        .routes(routes!(constitution::impact))
        .routes(routes!(constitution::put_amendment))
        .routes(routes!(constitution::enter_historical))
        .routes(routes!(ballots::put_amendment))
        .routes(routes!(meetings::list, meetings::call))
        .routes(routes!(meetings::get))
        .routes(routes!(meetings::check_in))
        .routes(routes!(
            meetings::check_in_code,
            meetings::new_check_in_code
        ))
        .routes(routes!(meetings::propose))
        .routes(routes!(meetings::vote))
        .routes(routes!(meetings::second))
        .routes(routes!(meetings::get_minutes, meetings::save_minutes))
        .routes(routes!(meetings::draft_minutes))
        .routes(routes!(meetings::minutes_approval))
        .routes(routes!(meetings::procedural))
        .routes(routes!(meetings::withdraw))
        .routes(routes!(composites::list, composites::propose))
        .routes(routes!(composites::consent))
        .routes(routes!(composites::refuse))
        .routes(routes!(ballots::list, ballots::create))
        .routes(routes!(ballots::get))
        .routes(routes!(ballots::turnout))
        .routes(routes!(ballots::vote))
        .routes(routes!(ballots::published))
        .routes(routes!(ballots::published_blt))
        .routes(routes!(ballots::remind))
        .routes(routes!(verifiable::board))
        .routes(routes!(verifiable::setup))
        .routes(routes!(verifiable::ceremony))
        .routes(routes!(verifiable::identities))
        .routes(routes!(verifiable::dealings))
        .routes(routes!(audit::audit))
        .routes(routes!(paper::mark_voter))
        .routes(routes!(paper::reverse_mark))
        .routes(routes!(paper::list, paper::create))
        .routes(routes!(paper::get))
        .routes(routes!(paper::enter))
        .routes(routes!(elections::list, elections::open))
        .routes(routes!(elections::get))
        .routes(routes!(elections::nominate))
        .routes(routes!(elections::statement))
        .routes(routes!(elections::withdraw))
        .routes(routes!(elections::ballot))
        .routes(routes!(meetings::amend))
        .routes(routes!(meetings::versions))
        .routes(routes!(meetings::open_poll, meetings::get_poll))
        .routes(routes!(meetings::cast))
        .routes(routes!(meetings::close_poll))
        .routes(routes!(meetings::publish))
        .routes(routes!(meetings::statements))
        .routes(routes!(meetings::matter))
        .routes(routes!(meetings::requisitions, meetings::open_requisition))
        .routes(routes!(meetings::sign_requisition))
        .routes(routes!(meetings::answer_requisition))
        .routes(routes!(agenda::list, agenda::add))
        .routes(routes!(agenda::edit, agenda::remove))
        .routes(routes!(agenda::download))
        .routes(routes!(agenda::withdraw))
        .routes(routes!(rolls::list, rolls::freeze))
        .routes(routes!(rolls::get))
        .routes(routes!(rolls::entries))
        .routes(routes!(rolls::verify))
        .routes(routes!(rolls::challenge))
        .routes(routes!(rolls::decide))
        .routes(routes!(delegates::get))
        .routes(routes!(delegates::apportion))
        .routes(routes!(delegates::credential))
        .routes(routes!(delegates::challenge))
        .routes(routes!(delegates::rule))
        .routes(routes!(delegates::check_in))
        .routes(routes!(delegates::open_card_vote, delegates::get_card_vote))
        .routes(routes!(delegates::cast))
        .routes(routes!(delegates::close_card_vote))
}

/// The join form's routes, which take applications from anyone: they read bodies up to
/// [`crate::MAX_JOIN_BODY_BYTES`] (see [`join_router`]), with the officers' routes on the
/// same addresses.
fn join_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(applications::form))
        .routes(routes!(applications::list, applications::submit))
        .routes(routes!(applications::get))
        .routes(routes!(applications::decide))
}

/// The join form's API routes, for [`crate::app`] to give their smaller body limit.
pub fn join_router() -> Router<AppState> {
    join_routes().split_for_parts().0
}

/// Routes that take a paper: they read bodies up to [`crate::upload::MAX_UPLOAD_BODY`]
/// instead of the usual limit (see [`upload_router`]).
fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(agenda::circulate))
}

/// Verifiable ballots' routes that take large bodies (trustees' documents, the frozen
/// credentials, encrypted ballots): each reads its body with its own limit (see
/// [`board_router`]).
fn board_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verifiable::put_trustee_document))
        .routes(routes!(verifiable::put_credentials))
        .routes(routes!(verifiable::vote))
}

/// The API's routes for verifiable ballots' large documents, for [`crate::app`] to serve
/// outside the usual body limit.
pub fn board_router() -> Router<AppState> {
    board_routes().split_for_parts().0
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = api_router()
            .merge(upload_routes())
            .merge(board_routes())
            .merge(join_routes())
            .split_for_parts()
            .1;
        responses::add_common_responses(&mut doc);
        schema_limits::add_limits(&mut doc);
        doc
    })
}

/// The API's upload routes, for [`crate::app`] to give their larger body limit.
pub fn upload_router() -> Router<AppState> {
    upload_routes().split_for_parts().0
}

pub fn router() -> Router<AppState> {
    let (router, _) = api_router().split_for_parts();
    router
        .route("/api/openapi.json", get(openapi_json))
        // Anything else under /api/ is a JSON 404, not a page.
        .route("/api", axum::routing::any(not_found))
        .route("/api/", axum::routing::any(not_found))
        .route("/api/{*rest}", axum::routing::any(not_found))
}

async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such API route; see /api/openapi.json",
    )
}

/// An error in the API's shape for statuses that have no [`WebError`] of their own.
fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message: message.to_string(),
            fields: Default::default(),
        },
    };
    (status, Json(body)).into_response()
}

/// Errors produced outside the API's handlers (the body-size limit, method not allowed, a
/// timeout) come back in the API's error shape too, so clients parse one format.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path() == "/api" || req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let status = res.status();
    let mut out = match status {
        StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge.into_response(),
        StatusCode::METHOD_NOT_ALLOWED => api_error(
            status,
            "method_not_allowed",
            "this API route does not take that method; see /api/openapi.json",
        ),
        StatusCode::NOT_FOUND => api_error(
            status,
            "not_found",
            "no such API route; see /api/openapi.json",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            WebError::App(AppError::Unavailable).into_response()
        }
        s if s.is_server_error() => WebError::App(AppError::Internal(format!(
            "a {s} response without a body reached the API"
        )))
        .into_response(),
        s => WebError::BadRequest(
            s.canonical_reason()
                .unwrap_or("the request was refused")
                .to_lowercase(),
        )
        .into_response(),
    };
    // Keep the status the layer chose (e.g. 405 with its Allow header).
    *out.status_mut() = status;
    if let Some(allow) = res.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// `Path<T>` whose rejections (e.g. `/api/v1/members/abc`) come back in the API's error shape.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(rej) => Err(path_rejection(&rej)),
        }
    }
}

fn path_rejection(rej: &PathRejection) -> WebError {
    match rej {
        PathRejection::FailedToDeserializePathParams(_) => WebError::BadRequest(
            "ids in the path are whole numbers, e.g. /api/v1/members/42".into(),
        ),
        other => WebError::BadRequest(other.body_text()),
    }
}

/// The client's address, for sign-in rate limits (unspecified when served without one).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::session::client_ip(
            state,
            &parts.extensions,
            &parts.headers,
        )))
    }
}
