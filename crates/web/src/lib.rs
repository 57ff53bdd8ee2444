//! Charter's web server: server-rendered pages under `/`, the JSON API under `/api/v1/`,
//! its OpenAPI document at `/api/openapi.json`, and health checks.
//!
//! Only this crate knows HTTP, HTML and JSON. Handlers stay thin: they parse the request,
//! call one use case of [`charter_app::App`] and render the answer.

pub mod api;
pub mod error;
pub mod limits;
pub mod pages;
pub mod session;
pub mod upload;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use charter_app::App;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted: forms and JSON edits are small; anything bigger is refused.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest application to join: the public form's fields fit many times over, and nobody
/// without a session can make the server read more.
pub const MAX_JOIN_BODY_BYTES: usize = 8 * 1024;

/// How long a request may take before it is answered 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an upload may take: 5 MB over a slow phone connection (~400 kbit/s) is under two
/// minutes.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: set when served over HTTPS (behind a TLS proxy).
    pub secure_cookies: bool,
    /// Sign-in attempts allowed per minute from one client address, whatever accounts they
    /// name (an account's own failures back off per address: see [`limits`]).
    pub sign_ins_per_minute: u32,
    /// Applications to join (through the form or the API) allowed per hour per client
    /// address. Kept per address only, so nobody can use it to stop someone else applying;
    /// generous enough for a recruitment stall sharing one connection.
    pub applications_per_hour: u32,
    /// Password reset requests allowed per minute from one client address.
    pub resets_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); from any other
    /// peer the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            sign_ins_per_minute: 30,
            applications_per_hour: 30,
            resets_per_minute: 10,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// Applications to join, per client address only.
    pub applications_by_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Sign-ins (and their second-factor codes): per account and address, and per address.
    pub sign_in_limits: Arc<limits::AttemptLimits>,
    /// Password reset letters: per address asked for and client address, and per address.
    pub reset_limits: Arc<limits::AttemptLimits>,
    /// Guesses at a meeting's check-in code: per member and meeting.
    pub check_in_limits: Arc<limits::AttemptLimits>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        let per_hour =
            NonZeroU32::new(config.applications_per_hour.max(1)).unwrap_or(NonZeroU32::MIN);
        AppState {
            app,
            sign_in_limits: Arc::new(limits::AttemptLimits::new(config.sign_ins_per_minute)),
            reset_limits: Arc::new(limits::AttemptLimits::new(config.resets_per_minute)),
            check_in_limits: Arc::new(limits::AttemptLimits::per_account_only()),
            config: Arc::new(config),
            applications_by_ip: Arc::new(RateLimiter::keyed(Quota::per_hour(per_hour))),
        }
    }
}

/// The whole application as a router, so tests can call it without a socket.
pub fn app(state: AppState) -> Router {
    let security_headers = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        // Pages and API answers may hold members' personal data: no browser or proxy keeps a
        // copy (a shared computer in a branch office, say). The stylesheet sets its own.
        ("cache-control", "no-store"),
    ];
    let timeout = |after| TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, after);
    // Papers are the only bodies larger than MAX_BODY_BYTES: their routes alone read up to
    // MAX_UPLOAD_BODY (the multipart extractor stops there) and may take as long as a slow
    // phone needs to send that; every other route keeps the limit and the usual timeout.
    let uploads = api::upload_router()
        .merge(pages::upload_router())
        .layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BODY))
        .layer(timeout(UPLOAD_TIMEOUT));
    // A verifiable ballot's trustees' documents grow with its ballots: their routes read
    // their bodies themselves, each with its own limit, and may take as long as an upload.
    let board = api::board_router().layer(timeout(UPLOAD_TIMEOUT));
    // The join form and its API take applications from anyone: their own, smaller limit.
    let joining = api::join_router()
        .merge(pages::join_router())
        .layer(RequestBodyLimitLayer::new(MAX_JOIN_BODY_BYTES));
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(joining)
        .merge(api::router())
        .merge(pages::router())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(timeout(REQUEST_TIMEOUT))
        .merge(uploads)
        .merge(board)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve_session,
        ))
        .with_state(state);
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    let request_id = HeaderName::from_static("x-request-id");
    router
        // Outside the limits, so a bare 413 (and any other bare error) under /api/ is JSON.
        .layer(axum::middleware::from_fn(api::json_errors))
        // The outer bound, for what runs before the routes (the session lookup) too.
        .layer(timeout(UPLOAD_TIMEOUT))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.readiness().await {
        Ok(backend) => (StatusCode::OK, format!("ready ({backend})\n")),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable\n".to_string(),
            )
        }
    }
}
