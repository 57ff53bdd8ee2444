//! Joining: the public join form (no session; origin-checked, limited per client address,
//! with a field only robots fill in), the page it leads to, and the officers' list of
//! applications with the form to accept or refuse each.

use askama::Template;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::joining::{DecisionRequest, JoinForm, RawApplication};
use charter_domain::ApplicationState;
use charter_model::{ApplicationId, ApplicationRecord};
use charter_rules::Ask;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::view::time;
use super::{CsrfForm, Layout, PageError, PageForm, PageQuery, PageResult, PathId, ids, render};
use crate::AppState;
use crate::error::WebError;
use crate::session::{PageUser, client_ip, joining_allowed, same_origin};

const JOIN_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "postcode",
    "phone",
    "dues_plan",
    "branch",
    "consent",
];
const DECISION_FIELDS: &[&str] = &["decision", "reason"];

/// The join form as typed. `website` is the field people never see.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct JoinFormBody {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: String,
    pub phone: String,
    pub dues_plan: String,
    pub branch: String,
    pub consent: String,
    pub website: String,
}

pub struct BranchChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    layout: Layout,
    organisation: String,
    branches: Vec<BranchChoice>,
    phone: &'static str,
    dues_plan: &'static str,
    consent: String,
    clause: Option<String>,
    form: JoinFormBody,
    errors: Errors,
    limited: Option<String>,
}

/// "required", "optional" or "" (not asked), for the template.
fn ask(a: Ask) -> &'static str {
    match a {
        Ask::No => "",
        Ask::Optional => "optional",
        Ask::Required => "required",
    }
}

fn join_page(
    status: StatusCode,
    form: &JoinForm,
    typed: JoinFormBody,
    errors: Errors,
    limited: Option<String>,
) -> Response {
    let page = JoinPage {
        layout: Layout::new(format!("Join {}", form.organisation), None, "join"),
        organisation: form.organisation.clone(),
        branches: form
            .branches
            .iter()
            .map(|b| BranchChoice {
                value: b.id.0.to_string(),
                label: match &b.region {
                    Some(r) => format!("{} ({r})", b.name),
                    None => b.name.clone(),
                },
                selected: typed.branch == b.id.0.to_string(),
            })
            .collect(),
        phone: ask(form.phone),
        dues_plan: ask(form.dues_plan),
        consent: form.consent.clone(),
        clause: form.clause.clone(),
        form: typed,
        errors,
        limited,
    };
    render(status, &page)
}

/// `/join`: the form, for anyone. A session is not looked at: the page is the same for all.
pub async fn form(State(state): State<AppState>) -> PageResult {
    let form = state.app.join_form().await.map_err(PageError::signed_out)?;
    Ok(join_page(
        StatusCode::OK,
        &form,
        JoinFormBody {
            dues_plan: "monthly".into(),
            ..JoinFormBody::default()
        },
        Errors::none("", JOIN_FIELDS),
        None,
    ))
}

/// An application from the form. Refused from another site and beyond the client address's
/// budget; a form with the robots' field filled in is answered as if received and dropped.
/// Whether or not the address was registered, the answer is the same page.
pub async fn apply(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    PageForm(typed): PageForm<JoinFormBody>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::signed_out(WebError::Csrf));
    }
    let form = state.app.join_form().await.map_err(PageError::signed_out)?;
    if let Err(e) = joining_allowed(&state, client_ip(&state, &ext, &headers)) {
        let mut resp = join_page(
            StatusCode::TOO_MANY_REQUESTS,
            &form,
            typed,
            Errors::none("", JOIN_FIELDS),
            Some(e.to_string()),
        );
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("3600"),
        );
        return Ok(resp);
    }
    if !typed.website.trim().is_empty() {
        tracing::info!("an application filled in the field people never see; nothing recorded");
        return Ok(Redirect::to("/join/received").into_response());
    }
    let raw = RawApplication {
        first_name: typed.first_name.clone(),
        last_name: typed.last_name.clone(),
        email: typed.email.clone(),
        postcode: typed.postcode.clone(),
        phone: typed.phone.clone(),
        dues_plan: typed.dues_plan.clone(),
        branch: typed.branch.clone(),
        consent: !typed.consent.is_empty(),
    };
    match state.app.apply_to_join(&raw).await {
        Ok(()) => Ok(Redirect::to("/join/received").into_response()),
        Err(e) => {
            let fields = field_errors(e).map_err(PageError::signed_out)?;
            Ok(join_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                typed,
                Errors::new("", JOIN_FIELDS, fields),
                None,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "join_received.html")]
struct ReceivedPage {
    layout: Layout,
}

/// After applying: the same words whatever happened to the application.
pub async fn received() -> Response {
    render(
        StatusCode::OK,
        &ReceivedPage {
            layout: Layout::new("Application received", None, "join"),
        },
    )
}

// ---------------------------------------------------------------- officers

pub struct ApplicationRow {
    pub id: ApplicationId,
    pub name: String,
    pub branch: String,
    pub submitted: String,
    pub state: &'static str,
}

impl From<&ApplicationRecord> for ApplicationRow {
    fn from(a: &ApplicationRecord) -> Self {
        ApplicationRow {
            id: a.id,
            name: format!("{} {}", a.first_name, a.last_name),
            branch: a.branch_name.clone(),
            submitted: time(a.submitted_at),
            state: a.state.as_str(),
        }
    }
}

pub struct StateTab {
    pub value: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<StateTab>,
    showing: &'static str,
    rows: Vec<ApplicationRow>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    state: Option<String>,
    decided: Option<String>,
}

/// `/applications`: the applications the signed-in officer may decide, pending by default.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let chosen = q.state.as_deref().unwrap_or("pending");
    let items = state.app.applications(&session.actor, Some(chosen)).await?;
    let tabs = [
        ("pending", "Waiting for a decision"),
        ("accepted", "Accepted"),
        ("refused", "Refused"),
        ("all", "All"),
    ];
    let tabs: Vec<StateTab> = tabs
        .into_iter()
        .map(|(value, label)| StateTab {
            value,
            label,
            current: value == chosen,
        })
        .collect();
    let showing = tabs
        .iter()
        .find(|t| t.current)
        .map(|t| t.label)
        .unwrap_or("All");
    Ok(render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::new("Applications to join", Some(&session), "me"),
            tabs,
            showing,
            rows: items.iter().map(ApplicationRow::from).collect(),
            notice: match q.decided.as_deref() {
                Some("accepted") => Some(
                    "Application accepted: the new member has been sent a welcome letter with a link to choose their password.",
                ),
                Some("refused") => {
                    Some("Application refused: the applicant has been told the reason.")
                }
                _ => None,
            },
        },
    ))
}

#[derive(Template)]
#[template(path = "application.html")]
struct DetailPage {
    layout: Layout,
    a: ApplicationRecord,
    submitted: String,
    decided: String,
    pending: bool,
    may_accept: bool,
    decision: String,
    reason: String,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub reason: String,
}

fn detail_page(
    status: StatusCode,
    session: &crate::session::CurrentSession,
    a: ApplicationRecord,
    typed: DecisionForm,
    errors: Errors,
) -> Response {
    let page = DetailPage {
        layout: Layout::new(
            format!("Application from {} {}", a.first_name, a.last_name),
            Some(session),
            "me",
        ),
        submitted: time(a.submitted_at),
        decided: a.decided_at.map(time).unwrap_or_default(),
        pending: a.state == ApplicationState::Pending,
        // Only an applicant is accepted: anyone else's status moved on since they applied.
        may_accept: a.status == charter_domain::MemberStatus::Applicant,
        decision: typed.decision,
        reason: typed.reason,
        errors,
        a,
    };
    render(status, &page)
}

/// `/applications/{id}`: one application, with the form to decide it while pending.
pub async fn detail(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Application>,
) -> PageResult {
    let a = state.app.application(&session.actor, id).await?;
    Ok(detail_page(
        StatusCode::OK,
        &session,
        a,
        DecisionForm::default(),
        Errors::none("", DECISION_FIELDS),
    ))
}

/// Accepts or refuses; on success back to the list, which says what happened.
pub async fn decide(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Application>,
    CsrfForm(typed): CsrfForm<DecisionForm>,
) -> PageResult {
    let req = DecisionRequest {
        decision: typed.decision.clone(),
        reason: typed.reason.clone(),
    };
    match state.app.decide_application(&session.actor, id, &req).await {
        Ok(decided) => Ok(
            Redirect::to(&format!("/applications?decided={}", decided.as_str())).into_response(),
        ),
        Err(e) => {
            let status = match &e {
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let fields = field_errors(e)?;
            let a = state.app.application(&session.actor, id).await?;
            Ok(detail_page(
                status,
                &session,
                a,
                typed,
                Errors::new("", DECISION_FIELDS, fields),
            ))
        }
    }
}
