//! "My membership": a member's own record, the offices they hold, and who has read their data.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::office_label;
use serde::Deserialize;

use super::view::{AccessRow, MemberDisplay, Pager};
use super::{Layout, PageQuery, PageResult, render};
use crate::AppState;
use crate::session::OwnRecordUser;

/// Entries of the access log shown per page (the app's page size).
const LOG_PER_PAGE: u32 = 50;

#[derive(Deserialize)]
pub struct MeQuery {
    log_page: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    layout: Layout,
    m: MemberDisplay,
    may_edit: bool,
    offices: Vec<String>,
    log: Vec<AccessRow>,
    pager: Pager,
    notice: Option<&'static str>,
    /// The sign-in reaches only this page: say why, and what it shows.
    restricted: bool,
    may_resign: bool,
    may_admit: bool,
}

pub async fn my_membership(
    State(state): State<AppState>,
    OwnRecordUser(session): OwnRecordUser,
    PageQuery(q): PageQuery<MeQuery>,
) -> PageResult {
    let log_page = q
        .log_page
        .as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let mine = state.app.my_membership(&session.actor, log_page).await?;
    let pager = Pager::new(log_page, LOG_PER_PAGE, mine.access_log.total, |p| {
        format!("/me?log_page={p}#access-log")
    });
    let page = MePage {
        layout: Layout::new("My membership", Some(&session), "me"),
        m: MemberDisplay::from_view(&mine.view),
        may_edit: mine.view.may_edit,
        offices: mine.offices.iter().map(office_label).collect(),
        log: mine.access_log.items.iter().map(AccessRow::from).collect(),
        pager,
        notice: super::members::notice(q.saved.as_deref()),
        restricted: session.restricted(),
        may_resign: mine.may_resign,
        may_admit: mine.may_admit,
    };
    Ok(render(StatusCode::OK, &page))
}
