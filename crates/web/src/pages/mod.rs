//! Server-rendered pages. They work without JavaScript, on a phone and by keyboard.
//!
//! Handlers stay thin: parse the request, call one use case of [`charter_app::App`], turn the
//! answer into a small view model of display strings and render a template. Every error is an
//! HTML page with the app's own message; bad input never becomes a 500.
//!
//! What a handler takes is checked before it runs (`extract.rs`): a posted form comes as
//! [`CsrfForm`] (or [`CsrfUpload`]) with its token already checked against the session, an
//! id in the address as [`PathId`]. What it returns is a [`PageResult`], whose [`PageError`]
//! is the error page (`errors.rs`), so an app error needs only `?`.

mod accounts;
mod agenda;
mod appointments;
mod assets;
mod auth;
mod ballots;
mod constitution;
mod count_view;
mod delegates;
mod discipline;
mod elections;
mod errors;
mod extract;
mod forms;
mod ids;
mod joining;
mod leaving;
mod me;
mod meetings;
mod members;
mod paper;
mod requisitions;
mod rolls;
mod rules_view;
mod sealed;
mod security;
mod units;
mod view;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use charter_app::AppError;

use crate::AppState;
use crate::error::{WebError, html_error};
use crate::session::CurrentSession;

pub(crate) use accounts::request_reset;
pub use assets::{CSS_PATH, JS_PATH, js_href};
pub use constitution::parse_day;
pub use errors::{PageError, PageResult, error_page, not_found};
pub use extract::{CsrfForm, CsrfUpload, PageForm, PagePath, PageQuery, PathId};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(auth::home))
        .route("/sign-in", get(auth::sign_in_form).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route(
            "/sign-in/two-factor",
            get(accounts::code_form).post(accounts::code),
        )
        .route(
            "/forgot-password",
            get(accounts::forgot_form).post(accounts::forgot),
        )
        .route(
            "/set-password/{token}",
            get(accounts::set_password_form).post(accounts::set_password),
        )
        .route(
            "/confirm-email/{token}",
            get(accounts::confirm_email_form).post(accounts::confirm_email),
        )
        .route("/me/security", get(security::page))
        .route("/me/password", post(security::change_password))
        .route("/me/email", post(security::change_email))
        .route("/me/security/two-factor-policy", post(security::set_policy))
        .route(
            "/me/two-factor",
            get(security::two_factor).post(security::begin_two_factor),
        )
        .route("/me/two-factor/confirm", post(security::confirm_two_factor))
        .route("/me/two-factor/off", post(security::turn_off_two_factor))
        .route(
            "/invitations",
            get(security::invitations).post(security::invite_all),
        )
        .route("/members/{id}/invitation", post(security::invite_member))
        .route("/me", get(me::my_membership))
        .route("/me/resign", get(leaving::confirm).post(leaving::resign))
        .route("/resigned", get(leaving::resigned))
        .route("/applications", get(joining::list))
        .route("/applications/{id}", get(joining::detail))
        .route("/applications/{id}/decision", post(joining::decide))
        .route("/me/rights", get(constitution::my_rights))
        .route("/members", get(members::directory))
        .route("/members/{id}", get(members::member_page))
        .route(
            "/members/{id}/edit",
            get(members::edit_form).post(members::edit),
        )
        .route("/members/{id}/rights", get(constitution::member_rights))
        .route("/constitution", get(constitution::in_force))
        .route("/constitution/versions/{id}", get(constitution::version))
        .route("/constitution/diff", get(constitution::diff))
        .route(
            "/amendments",
            get(constitution::amendments).post(constitution::propose),
        )
        .route("/amendments/{id}", get(constitution::amendment))
        .route(
            "/amendments/{id}/historical",
            post(constitution::enter_historical),
        )
        .route("/amendments/{id}/put", post(constitution::put_to_meeting))
        .route("/members/{id}/status", post(members::change_status))
        .route("/members/{id}/payments", post(members::record_payment))
        .route("/members/{id}/affiliations", post(members::add_affiliation))
        .route(
            "/members/{id}/affiliations/{affiliation}/verify",
            post(members::verify_affiliation),
        )
        .route("/members/{id}/transfer", post(members::transfer))
        .route("/meetings", get(meetings::meetings).post(meetings::call))
        .route("/meetings/calendar.ics", get(meetings::body_calendar))
        .route("/me/calendar.ics", get(meetings::my_calendar))
        .route("/me/calendar-link", post(meetings::new_calendar_link))
        .route("/calendar/{token}", get(meetings::calendar_by_link))
        .route("/meetings/{id}", get(meetings::meeting))
        .route("/meetings/{id}/delegates", get(delegates::page))
        .route(
            "/meetings/{id}/delegates/apportionment",
            post(delegates::apportion),
        )
        .route(
            "/meetings/{id}/delegates/credentials",
            post(delegates::credential),
        )
        .route(
            "/meetings/{id}/delegates/check-ins",
            post(delegates::check_in),
        )
        .route(
            "/meetings/{id}/delegates/card-votes",
            post(delegates::open_card_vote),
        )
        .route("/credentials/{id}/challenges", post(delegates::challenge))
        .route("/credential-challenges/{id}/ruling", post(delegates::rule))
        .route("/motions/{id}/card-vote/cards", post(delegates::cast))
        .route("/motions/{id}/card-vote/close", post(delegates::close))
        .route("/meetings/{id}/attendance", post(meetings::check_in))
        .route(
            "/meetings/{id}/check-in/{code}",
            get(meetings::check_in_link),
        )
        .route(
            "/meetings/{id}/check-in-code",
            post(meetings::new_check_in_code),
        )
        .route(
            "/meetings/{id}/composites",
            post(meetings::propose_composite),
        )
        .route(
            "/composites/{id}/{answer}",
            post(meetings::answer_composite),
        )
        .route("/meetings/{id}/motions", post(meetings::propose))
        .route("/meetings/{id}/appointments", post(appointments::propose))
        .route("/meetings/{id}/discipline", post(discipline::propose))
        .route("/meetings/{id}/minutes", post(meetings::save_minutes))
        .route(
            "/meetings/{id}/minutes-approvals",
            post(meetings::approve_minutes),
        )
        .route(
            "/meetings/{id}/procedural-motions",
            post(meetings::procedural),
        )
        .route("/meetings/{id}/agenda-items", post(agenda::add_item))
        .route("/agenda-items/{id}", post(agenda::edit_item))
        .route("/agenda-items/{id}/position", post(agenda::move_item))
        .route("/agenda-items/{id}/removal", post(agenda::remove_item))
        .route("/papers/{id}", get(agenda::download))
        .route("/papers/{id}/withdrawal", post(agenda::withdraw_paper))
        .route("/motions/{id}/vote", post(meetings::vote))
        .route("/motions/{id}/poll", post(meetings::open_poll))
        .route("/motions/{id}/poll/close", post(meetings::close_poll))
        .route("/motions/{id}/ballots", post(meetings::cast))
        .route("/motions/{id}/seconder", post(meetings::second))
        .route("/motions/{id}/withdrawal", post(meetings::withdraw))
        .route("/motions/{id}/amendments", post(meetings::amend))
        .route("/motions/{id}/publication", post(meetings::publish))
        .route(
            "/requisitions",
            get(requisitions::requisitions).post(requisitions::open_requisition),
        )
        .route(
            "/requisitions/{id}/signatures",
            post(requisitions::sign_requisition),
        )
        .route("/units/{id}/statements", get(meetings::statements))
        .route("/matters/{matter}", get(meetings::matter))
        .route("/rolls", get(rolls::rolls).post(rolls::freeze))
        .route("/rolls/{id}", get(rolls::roll))
        .route("/rolls/{id}/names", get(rolls::names))
        .route("/rolls/{id}/challenges", post(rolls::lodge))
        .route("/challenges/{id}/decision", post(rolls::decide))
        .route("/ballots", get(ballots::ballots).post(ballots::create))
        .route("/ballots/{id}", get(ballots::ballot))
        .route("/ballots/{id}/votes", post(ballots::vote))
        .route(
            "/ballots/{id}/vote/{token}",
            get(ballots::ballot_by_link).post(ballots::vote_by_link),
        )
        .route("/ballots/{id}/published", get(ballots::published))
        .route("/ballots/{id}/sealed/{file}", get(sealed::document))
        .route(
            "/ballots/{id}/credentials-roll.csv",
            get(sealed::credentials_roll),
        )
        .route(
            "/elections",
            get(elections::elections).post(elections::open),
        )
        .route("/elections/{id}", get(elections::election))
        .route("/elections/{id}/nominations", post(elections::nominate))
        .route("/elections/{id}/statement", post(elections::statement))
        .route("/elections/{id}/withdrawal", post(elections::withdraw))
        .route("/elections/{id}/ballot", post(elections::build_ballot))
        .route("/ballots/{id}/audit", get(paper::audit))
        .route("/ballots/{id}/paper", get(paper::desk))
        .route("/ballots/{id}/paper/voters", post(paper::mark_voter))
        .route("/ballots/{id}/paper/reversals", post(paper::reverse_mark))
        .route("/ballots/{id}/paper/batches", post(paper::create_batch))
        .route(
            "/ballots/{id}/paper/batches/{batch}",
            post(paper::enter_batch),
        )
        .route("/units", get(units::national))
        .route("/units/{id}", get(units::unit))
        .route("/units/{id}/units", post(units::add))
        .route("/units/{id}/rename", post(units::rename))
        .route("/units/{id}/merge", post(units::merge))
        .route("/units/{id}/close", post(units::close))
        .route(CSS_PATH, get(assets::css))
        .route(JS_PATH, get(assets::js))
        .route(assets::VOTE_JS_PATH, get(assets::vote_js))
        .fallback(no_such_page)
        .layer(from_fn(errors::error_pages))
}

/// The join form, which takes applications from anyone: [`crate::app`] gives it the smaller
/// body limit of applications.
pub fn join_router() -> Router<AppState> {
    Router::new()
        .route("/join", get(joining::form).post(joining::apply))
        .route("/join/received", get(joining::received))
        .layer(from_fn(errors::error_pages))
}

/// The page that takes a paper (`multipart/form-data`): [`crate::app`] gives it the larger
/// upload body limit instead of the forms' limit.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/agenda-items/{id}/papers", post(agenda::circulate))
        .route(
            "/ballots/{id}/trustee-documents",
            post(sealed::post_document),
        )
        .route("/ballots/{id}/credentials", post(sealed::post_credentials))
        .layer(from_fn(errors::error_pages))
}

/// Any address no route answers: an HTML 404 (API addresses answer in JSON themselves).
async fn no_such_page(crate::session::AnySession(session): crate::session::AnySession) -> Response {
    not_found(session.as_ref(), "page")
}

/// What every page's frame needs: the title, whether someone is signed in (for the nav), the
/// CSRF token for the sign-out form, and which nav section is current.
pub struct Layout {
    pub title: String,
    pub signed_in: bool,
    /// A restricted session: the navigation offers only what it may reach.
    pub restricted: bool,
    pub csrf: String,
    pub section: &'static str,
    pub css: &'static str,
}

impl Layout {
    pub fn new(
        title: impl Into<String>,
        session: Option<&CurrentSession>,
        section: &'static str,
    ) -> Self {
        Layout {
            title: title.into(),
            signed_in: session.is_some(),
            restricted: session.is_some_and(CurrentSession::restricted),
            csrf: session
                .map(|s| s.record.csrf_token.clone())
                .unwrap_or_default(),
            section,
            css: assets::css_href(),
        }
    }
}

/// Renders a template with a status; a template that fails to render is logged once.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => html_error(&WebError::App(AppError::Internal(format!(
            "template failed to render: {e}"
        )))),
    }
}

/// Parses an id from the address; anything that is not a positive whole number names nothing.
pub fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}
