//! The organisation's structure: the national page (regions with their counts) and one page
//! per region or branch, with officers (and the decision each holding came from), bodies,
//! member counts and the paid-up share. National officers also find forms there to add a
//! region or branch, rename, merge or close a unit.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::structure::{UnitPage, UnitSummary};
use charter_domain::{UnitId, UnitKind};
use charter_model::Mandate;
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::requisitions::{RequisitionRow, requisition_row};
use super::view::date;
use super::{CsrfForm, Layout, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser};

pub struct Crumb {
    pub id: i64,
    pub name: String,
}

pub struct CountRow {
    pub label: &'static str,
    pub count: u64,
}

pub struct ChildRow {
    pub id: i64,
    pub name: String,
    pub closed: bool,
    pub members: u64,
    pub paid_up: u64,
    pub percent: u64,
}

pub struct OfficerRow {
    pub office: &'static str,
    pub holder: String,
    pub term: String,
    /// The decision the holding came from, in words.
    pub how: String,
}

/// A unit to merge into, for the merge form's list.
pub struct MergeChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// The structure forms on a unit's page, for national officers.
pub struct Manage {
    /// What the add form may add here: regions on the national page (and branches while
    /// there are no regions), branches on a region's page, nothing on a branch's.
    pub add_kinds: Vec<&'static str>,
    /// The kind chosen when the form comes back.
    pub add_kind: String,
    pub add_name: String,
    pub add_errors: Errors,
    /// Regions and branches can be renamed, merged and closed; the national unit cannot.
    pub changeable: bool,
    pub rename_name: String,
    pub rename_errors: Errors,
    pub merge_choices: Vec<MergeChoice>,
    pub merge_errors: Errors,
    pub close_errors: Errors,
}

const ADD_FIELDS: &[&str] = &["name", "kind", "parent_id"];
const RENAME_FIELDS: &[&str] = &["name"];
const MERGE_FIELDS: &[&str] = &["into"];
const CLOSE_FIELDS: &[&str] = &["unit"];

/// What a structure form sent back, to redraw it with its messages.
#[derive(Default)]
struct Failed {
    form: &'static str,
    value: String,
    kind: String,
    errors: BTreeMap<String, String>,
}

pub struct PastOfficerRow {
    pub office: &'static str,
    pub holder: String,
    pub term: String,
    /// Where the record came from.
    pub source: String,
}

pub struct BodyView {
    pub name: String,
    pub kind: String,
    pub seats: u32,
    pub filled_by: String,
    pub holders: Vec<SeatView>,
    pub vacant: u32,
    /// Why the body no longer stands, when the constitution in force dissolved it.
    pub dissolved: Option<String>,
    /// Decisions that tried to dissolve it and did not bind: (meeting link, words).
    pub failed: Vec<(String, String)>,
}

pub struct SeatView {
    pub name: String,
    pub term: String,
    pub how: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitTemplate {
    layout: Layout,
    id: i64,
    name: String,
    kind: &'static str,
    description: String,
    child_kind: &'static str,
    crumbs: Vec<Crumb>,
    members: u64,
    paid_up: u64,
    percent: u64,
    counts: Vec<CountRow>,
    children: Vec<ChildRow>,
    officers: Vec<OfficerRow>,
    past_officers: Vec<PastOfficerRow>,
    bodies: Vec<BodyView>,
    directory_href: Option<String>,
    /// When and how it closed, in words, for a closed unit.
    closed: Option<String>,
    merged_into: Option<Crumb>,
    manage: Option<Manage>,
    /// On the national page: meetings required and not yet called.
    requisitions: Vec<RequisitionRow>,
}

fn term_text(term: Option<charter_model::Term>) -> String {
    match term {
        Some(t) => match t.ends_on {
            Some(end) => format!("{} to {}", date(t.starts_on), date(end)),
            None => format!("since {}", date(t.starts_on)),
        },
        None => String::new(),
    }
}

fn mandate_text(m: Option<Mandate>, clause: Option<&str>) -> String {
    let clause = clause.map(|c| format!(", clause {c}")).unwrap_or_default();
    match m {
        None => String::new(),
        Some(Mandate::Founding) => format!("at the founding{clause}"),
        Some(Mandate::Election(e)) => format!("elected in election {e}{clause}"),
        Some(Mandate::Motion(m)) => format!("appointed by motion {m}, adopted{clause}"),
        Some(Mandate::Record) => "from the register's records".to_string(),
    }
}

fn child_row(s: &UnitSummary) -> ChildRow {
    ChildRow {
        id: s.unit.id.0,
        name: s.unit.name.clone(),
        closed: !s.unit.is_open(),
        members: s.stats.members(),
        paid_up: s.stats.paid_up,
        percent: s.paid_up_percent(),
    }
}

fn unit_response(
    session: &CurrentSession,
    page: UnitPage,
    all: &[UnitSummary],
    manage: bool,
    requisitions: Vec<RequisitionRow>,
    failed: Failed,
    status: StatusCode,
) -> Response {
    let s = &page.summary;
    let unit = &s.unit;
    let has_regions = all
        .iter()
        .any(|u| u.unit.kind == UnitKind::Region && u.unit.is_open());
    let errors = |form: &str, prefix: &'static str, known: &'static [&'static str]| {
        if failed.form == form {
            Errors::new(prefix, known, failed.errors.clone())
        } else {
            Errors::none(prefix, known)
        }
    };
    let value = |form: &str, default: &str| {
        if failed.form == form {
            failed.value.clone()
        } else {
            default.to_string()
        }
    };
    let manage = (manage && unit.is_open()).then(|| Manage {
        add_kinds: match unit.kind {
            UnitKind::National if has_regions => vec!["region"],
            UnitKind::National => vec!["region", "branch"],
            UnitKind::Region => vec!["branch"],
            UnitKind::Branch => vec![],
        },
        add_kind: if failed.form == "add" {
            failed.kind.clone()
        } else {
            "region".to_string()
        },
        add_name: value("add", ""),
        add_errors: errors("add", "nu-", ADD_FIELDS),
        changeable: unit.kind != UnitKind::National,
        rename_name: value("rename", &unit.name),
        rename_errors: errors("rename", "rn-", RENAME_FIELDS),
        merge_choices: all
            .iter()
            .filter(|u| u.unit.kind == unit.kind && u.unit.is_open() && u.unit.id != unit.id)
            .map(|u| MergeChoice {
                id: u.unit.id.0,
                name: u.unit.name.clone(),
                selected: failed.form == "merge" && failed.value == u.unit.id.0.to_string(),
            })
            .collect(),
        merge_errors: errors("merge", "mg-", MERGE_FIELDS),
        close_errors: errors("close", "cl-", CLOSE_FIELDS),
    });
    let merged_into = unit.merged_into.and_then(|m| {
        all.iter().find(|u| u.unit.id == m).map(|u| Crumb {
            id: u.unit.id.0,
            name: u.unit.name.clone(),
        })
    });
    let st = &s.stats;
    let kind = s.unit.kind;
    let directory_href = (page.may_view_members && kind == UnitKind::Branch)
        .then(|| format!("/members?branch={}", s.unit.id.0));
    let t = UnitTemplate {
        layout: Layout::new(s.unit.name.clone(), Some(session), "units"),
        id: s.unit.id.0,
        name: s.unit.name.clone(),
        kind: kind.as_str(),
        description: match (kind, page.ancestors.last()) {
            (UnitKind::National, _) | (_, None) => {
                "The whole organisation, with every region and branch.".to_string()
            }
            (UnitKind::Region, Some(p)) => format!("A region of {}.", p.name),
            (UnitKind::Branch, Some(p)) => format!("A branch in {}.", p.name),
        },
        child_kind: match kind.child_kind() {
            Some(UnitKind::Region) => "Regions",
            Some(_) => "Branches",
            None => "",
        },
        crumbs: page
            .ancestors
            .iter()
            .map(|u| Crumb {
                id: u.id.0,
                name: u.name.clone(),
            })
            .collect(),
        members: st.members(),
        paid_up: st.paid_up,
        percent: s.paid_up_percent(),
        counts: vec![
            CountRow {
                label: "active",
                count: st.active,
            },
            CountRow {
                label: "lapsed",
                count: st.lapsed,
            },
            CountRow {
                label: "suspended",
                count: st.suspended,
            },
            CountRow {
                label: "applicants",
                count: st.applicant,
            },
            CountRow {
                label: "expelled",
                count: st.expelled,
            },
            CountRow {
                label: "resigned",
                count: st.resigned,
            },
        ],
        children: page.children.iter().map(child_row).collect(),
        officers: page
            .offices
            .iter()
            .map(|o| OfficerRow {
                office: o.kind.title(),
                holder: o.holder_name.clone().unwrap_or_else(|| "vacant".into()),
                term: term_text(o.term),
                how: mandate_text(o.mandate, o.clause.as_deref()),
            })
            .collect(),
        past_officers: page
            .past_holdings
            .iter()
            .map(|t| PastOfficerRow {
                office: t.kind.title(),
                holder: t.member_name.clone(),
                term: term_text(Some(t.term)),
                source: match &t.imported_from {
                    Some(from) => format!("brought in from the old register: {from}"),
                    None => "recorded in Charter".to_string(),
                },
            })
            .collect(),
        bodies: page
            .bodies
            .iter()
            .zip(page.dissolved.iter())
            .zip(page.failed_dissolutions.iter())
            .map(|((b, dissolved), failed)| BodyView {
                dissolved: dissolved.clone(),
                failed: failed
                    .iter()
                    .map(|f| (format!("/meetings/{}", f.meeting), f.words.clone()))
                    .collect(),
                name: b.name.clone(),
                kind: b.kind.clone(),
                seats: b.seats,
                filled_by: b.filled_by.clone(),
                vacant: b
                    .seats
                    .saturating_sub(u32::try_from(b.holders.len()).unwrap_or(u32::MAX)),
                holders: b
                    .holders
                    .iter()
                    .map(|h| SeatView {
                        name: h.name.clone(),
                        term: match h.term.ends_on {
                            Some(end) => format!("until {}", date(end)),
                            None => String::new(),
                        },
                        how: h.how.clone(),
                    })
                    .collect(),
            })
            .collect(),
        directory_href,
        closed: unit.closed_on.map(|on| format!("Closed on {}", date(on))),
        merged_into,
        manage,
        requisitions,
    };
    render(status, &t)
}

async fn show(
    state: &AppState,
    session: &CurrentSession,
    id: UnitId,
    failed: Failed,
    status: StatusCode,
) -> PageResult {
    let page = state.app.unit_page(&session.actor, id).await?;
    let all = state.app.unit_summaries().await?;
    let manage = state.app.may_manage_structure(&session.actor).await;
    let requisitions = if page.summary.unit.kind == UnitKind::National {
        state
            .app
            .requisitions_standing()
            .await?
            .iter()
            .map(requisition_row)
            .collect()
    } else {
        Vec::new()
    };
    Ok(unit_response(
        session,
        page,
        &all,
        manage,
        requisitions,
        failed,
        status,
    ))
}

/// The national page: the whole organisation and its regions.
pub async fn national(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    let national = state.app.national_unit().await?;
    show(
        &state,
        &session,
        national.id,
        Failed::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn unit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Unit>,
) -> PageResult {
    show(&state, &session, id, Failed::default(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StructureForm {
    pub kind: String,
    pub name: String,
    pub into: String,
}

/// Which structure change a form asks for.
#[derive(Clone, Copy)]
enum Change {
    Add,
    Rename,
    Merge,
    Close,
}

/// A refusal shown beside the form, with its status; anything else is an error page.
fn refusal(e: AppError, field: &str) -> Result<(StatusCode, BTreeMap<String, String>), AppError> {
    let status = match &e {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    match e {
        AppError::Forbidden(why) => Ok((status, BTreeMap::from([(field.to_string(), why)]))),
        other => field_errors(other).map(|f| (status, f)),
    }
}

async fn change(
    state: AppState,
    session: CurrentSession,
    unit: UnitId,
    form: StructureForm,
    what: Change,
) -> PageResult {
    let id = unit.0;
    let app = &state.app;
    let (name, field, value, result) = match what {
        Change::Add => (
            "add",
            "name",
            form.name.clone(),
            app.create_unit(&session.actor, &form.kind, &form.name, Some(unit))
                .await
                .map(|new| format!("/units/{}?saved=created", new.0)),
        ),
        Change::Rename => (
            "rename",
            "name",
            form.name.clone(),
            app.rename_unit(&session.actor, unit, &form.name)
                .await
                .map(|()| format!("/units/{id}?saved=renamed")),
        ),
        Change::Merge => {
            let result = match parse_id(&form.into) {
                Some(into) => app
                    .merge_unit(&session.actor, unit, UnitId(into))
                    .await
                    .map(|_| format!("/units/{into}?saved=merged")),
                None => Err(AppError::invalid("into", "choose the unit to merge into")),
            };
            ("merge", "into", form.into.clone(), result)
        }
        Change::Close => (
            "close",
            "unit",
            String::new(),
            app.close_unit(&session.actor, unit)
                .await
                .map(|()| format!("/units/{id}?saved=closed")),
        ),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => {
            let (status, mut errors) = refusal(e, field)?;
            // The add form's kind and parent are fixed by the page: show them on its name.
            if name == "add" {
                for f in ["kind", "parent_id"] {
                    if let Some(m) = errors.remove(f) {
                        errors.entry("name".into()).or_insert(m);
                    }
                }
            }
            let failed = Failed {
                form: name,
                value,
                kind: form.kind.clone(),
                errors,
            };
            show(&state, &session, unit, failed, status).await
        }
    }
}

/// Adds a region or branch under this unit.
pub async fn add(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(unit): PathId<ids::Unit>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> PageResult {
    change(state, session, unit, form, Change::Add).await
}

pub async fn rename(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(unit): PathId<ids::Unit>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> PageResult {
    change(state, session, unit, form, Change::Rename).await
}

pub async fn merge(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(unit): PathId<ids::Unit>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> PageResult {
    change(state, session, unit, form, Change::Merge).await
}

pub async fn close(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(unit): PathId<ids::Unit>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> PageResult {
    change(state, session, unit, form, Change::Close).await
}
