//! The public pages that need no sign-in: a unit's published decisions, and how many
//! branches oppose or support a national matter.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;
use crate::pages::view::time;
use crate::pages::{Layout, PageError, PagePath, PageResult, PathId, ids, render};
use crate::session::OptionalUser;

pub struct StatementView {
    pub title: String,
    pub text: String,
    pub meeting: String,
    pub on: String,
    pub votes: String,
}

#[derive(Template)]
#[template(path = "statements.html")]
struct StatementsPage {
    layout: Layout,
    unit: String,
    statements: Vec<StatementView>,
}

fn statement_view(p: &charter_model::PublishedMotion) -> StatementView {
    StatementView {
        title: p.motion.title.clone(),
        text: p.motion.text.clone(),
        meeting: p.meeting_title.clone(),
        on: time(p.meeting_on),
        votes: match (p.motion.votes_for, p.motion.votes_against) {
            (Some(f), Some(a)) => format!("{f} for, {a} against"),
            _ => String::new(),
        },
    }
}

/// `/units/{id}/statements`: a unit's published decisions, for anyone.
pub async fn statements(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PathId(id): PathId<ids::Unit>,
) -> PageResult {
    let units = state.app.store_units().await?;
    let Some(unit) = units.into_iter().find(|u| u.id == id) else {
        return Err(PageError::not_found("unit"));
    };
    let list = state.app.statements_of(id).await?;
    Ok(render(
        StatusCode::OK,
        &StatementsPage {
            layout: Layout::new(
                format!("Statements of {}", unit.name),
                session.as_ref(),
                "statements",
            ),
            unit: unit.name,
            statements: list.iter().map(statement_view).collect(),
        },
    ))
}

pub struct RegionBar {
    pub name: String,
    pub oppose: usize,
    pub support: usize,
    pub oppose_width: usize,
    pub support_width: usize,
}

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    layout: Layout,
    matter: String,
    branches: usize,
    oppose: usize,
    support: usize,
    regions: Vec<RegionBar>,
    statements: Vec<StatementView>,
    /// Requisitions opened on the matter or counting its branches' motions.
    requisitions: Vec<crate::pages::requisitions::RequisitionRow>,
}

/// `/matters/{matter}`: how many branches oppose or support a national matter, by region.
pub async fn matter(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PagePath(raw): PagePath<String>,
) -> PageResult {
    let t = state.app.matter_tally(&raw).await?;
    let requisitions = state
        .app
        .requisitions_on_matter(&t.matter)
        .await?
        .iter()
        .map(crate::pages::requisitions::requisition_row)
        .collect();
    let most = t
        .by_region
        .iter()
        .map(|r| r.2 + r.3)
        .max()
        .unwrap_or(1)
        .max(1);
    let regions = t
        .by_region
        .iter()
        .map(|(_, name, o, s)| RegionBar {
            name: name.clone(),
            oppose: *o,
            support: *s,
            oppose_width: o * 100 / most,
            support_width: s * 100 / most,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &MatterPage {
            layout: Layout::new(
                format!("Branches on {}", t.matter),
                session.as_ref(),
                "statements",
            ),
            matter: t.matter.clone(),
            branches: t.branches,
            oppose: t.oppose,
            support: t.support,
            regions,
            statements: t.motions.iter().map(statement_view).collect(),
            requisitions,
        },
    ))
}
