//! The requisitions page: every requisition with where it stands, the form to open one, and
//! signing.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::meetings::{RequisitionState as S, RequisitionView};
use charter_model::{MeetingId, RequisitionId};
use serde::Deserialize;

use super::forms::{CsrfOnly, Errors, field_errors};
use super::meetings::status_for;
use super::view::date;
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser};

pub struct RequisitionRow {
    pub id: RequisitionId,
    pub title: String,
    pub purpose: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub threshold: String,
    pub signatures: i64,
    pub call_by: String,
    pub meeting: Option<MeetingId>,
    pub signed: bool,
    /// For an overdue one: since when, the clause, and that letters go out.
    pub overdue: String,
}

/// A requisition in words, for the requisitions, national and matter pages.
pub(super) fn requisition_row(v: &RequisitionView) -> RequisitionRow {
    RequisitionRow {
        id: v.record.id,
        title: v.record.title.clone(),
        purpose: v.record.purpose.clone(),
        state: match v.state {
            S::Collecting => "collecting",
            S::Reached => "reached: the meeting must be called",
            S::Overdue => "overdue: the meeting was not called in time",
            S::Answered => "answered: the meeting is called",
        },
        state_class: match v.state {
            S::Answered => "yes",
            S::Overdue => "no",
            _ => "",
        },
        threshold: v.threshold.clone(),
        signatures: v.record.signatures,
        call_by: v.record.call_by.map(date).unwrap_or_default(),
        meeting: v.record.meeting,
        signed: v.signed,
        overdue: match (v.state, v.record.call_by) {
            (S::Overdue, Some(by)) => format!(
                "Overdue: the {} had to be called by {}{}. Those who must call it are written to every week until they do.",
                v.record.kind.replace('-', " "),
                date(by),
                v.record
                    .reached_clause
                    .as_deref()
                    .map(|c| format!(" (clause {c})"))
                    .unwrap_or_default(),
            ),
            _ => String::new(),
        },
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequisitionForm {
    pub title: String,
    pub purpose: String,
    pub matter: String,
}

const REQUISITION_FIELDS: &[&str] = &["title", "purpose", "matter", "kind"];

#[derive(Template)]
#[template(path = "requisitions.html")]
struct RequisitionsPage {
    layout: Layout,
    rows: Vec<RequisitionRow>,
    form: RequisitionForm,
    errors: Errors,
    notice: Option<&'static str>,
}

async fn requisitions_page(
    state: &AppState,
    session: &CurrentSession,
    form: RequisitionForm,
    errors: Errors,
    notice: Option<&'static str>,
) -> PageResult {
    let list = state.app.requisitions(&session.actor).await?;
    let rows = list.iter().map(requisition_row).collect();
    Ok(render(
        status_for(&[&errors]),
        &RequisitionsPage {
            layout: Layout::new("Requisitions", Some(session), "meetings"),
            rows,
            form,
            errors,
            notice,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequisitionsQuery {
    pub saved: String,
}

pub async fn requisitions(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(q): PageQuery<RequisitionsQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "opened" => Some("The requisition is open, with your signature."),
        "signed" => Some("Your signature is added."),
        _ => None,
    };
    requisitions_page(
        &state,
        &session,
        RequisitionForm::default(),
        Errors::none("rq-", REQUISITION_FIELDS),
        notice,
    )
    .await
}

pub async fn open_requisition(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<RequisitionForm>,
) -> PageResult {
    let matter = (!form.matter.trim().is_empty()).then_some(form.matter.as_str());
    match state
        .app
        .open_requisition(
            &session.actor,
            "special-conference",
            &form.title,
            &form.purpose,
            matter,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/requisitions?saved=opened").into_response()),
        Err(e) => {
            let errs = field_errors(e)?;
            let errors = Errors::new("rq-", REQUISITION_FIELDS, errs);
            requisitions_page(&state, &session, form, errors, None).await
        }
    }
}

pub async fn sign_requisition(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Requisition>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    state.app.sign_requisition(&session.actor, id).await?;
    Ok(Redirect::to("/requisitions?saved=signed").into_response())
}
