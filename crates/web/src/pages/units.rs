//! The organisation's structure: the national page (regions with their counts) and one page
//! per region or branch, with officers, bodies, member counts and the paid-up share.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::structure::{UnitPage, UnitSummary};
use charter_domain::{UnitId, UnitKind};

use super::view::date;
use super::{Layout, PagePath, app_error, not_found, parse_id, render};
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
    pub members: u64,
    pub paid_up: u64,
    pub percent: u64,
}

pub struct OfficerRow {
    pub office: &'static str,
    pub holder: String,
    pub term: String,
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
}

fn term_text(term: Option<charter_store::Term>) -> String {
    match term {
        Some(t) => match t.ends_on {
            Some(end) => format!("{} to {}", date(t.starts_on), date(end)),
            None => format!("since {}", date(t.starts_on)),
        },
        None => String::new(),
    }
}

fn child_row(s: &UnitSummary) -> ChildRow {
    ChildRow {
        id: s.unit.id.0,
        name: s.unit.name.clone(),
        members: s.stats.members(),
        paid_up: s.stats.paid_up,
        percent: s.paid_up_percent(),
    }
}

fn unit_response(session: &CurrentSession, page: UnitPage) -> Response {
    let s = &page.summary;
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
            .map(|(b, dissolved)| BodyView {
                dissolved: dissolved.clone(),
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
    };
    render(StatusCode::OK, &t)
}

/// The national page: the whole organisation and its regions.
pub async fn national(State(state): State<AppState>, PageUser(session): PageUser) -> Response {
    let national = match state.app.national_unit().await {
        Ok(u) => u,
        Err(e) => return app_error(&session, e),
    };
    match state.app.unit_page(&session.actor, national.id).await {
        Ok(page) => unit_response(&session, page),
        Err(e) => app_error(&session, e),
    }
}

pub async fn unit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PagePath(raw): PagePath<String>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "unit");
    };
    match state.app.unit_page(&session.actor, UnitId(id)).await {
        Ok(page) => unit_response(&session, page),
        Err(e) => app_error(&session, e),
    }
}
