//! The constitution pages: the version in force with its clauses and what each rule means,
//! every version and the differences between any two, the amendments with every attempt to
//! adopt them (refused ones too) and their impact preview, and "what may I do, and why not?".

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::AppError;
use charter_app::constitution::{AmendmentInfo, AmendmentState, AttemptInfo, VersionInfo};
use charter_domain::{MemberId, UnitId};
use charter_rules::Constitution;
use chrono::NaiveDate;
use serde::Deserialize;

use super::rules_view::{
    ClauseLink, ClauseView, DiffView, ImpactView, RightRow, clause_link, clauses, diff_view,
    impact_view, right_rows,
};
use super::view::{date, time};
use super::{Layout, PagePath, PageQuery, app_error, error_page, not_found, parse_id, render};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, PageUser};

/// A date from the address (`on=2017-07-01`), or a message saying how to write one.
pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2017-07-01"))
}

pub struct VersionRow {
    pub id: i64,
    pub version: String,
    pub effective: String,
    pub adopted_by: String,
    pub in_force: bool,
    pub diff_href: Option<String>,
}

fn version_rows(versions: &[VersionInfo], in_force: i64) -> Vec<VersionRow> {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| VersionRow {
            id: v.id,
            version: v.version.clone(),
            effective: date(v.effective),
            adopted_by: v.adopted_by.clone(),
            in_force: v.id == in_force,
            diff_href: i
                .checked_sub(1)
                .and_then(|p| versions.get(p))
                .map(|prev| format!("/constitution/diff?from={}&to={}", prev.id, v.id)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "constitution.html")]
struct ConstitutionPage {
    layout: Layout,
    heading: String,
    name: String,
    version: String,
    effective: String,
    adopted: String,
    in_force: bool,
    clauses: Vec<ClauseView>,
    versions: Vec<VersionRow>,
}

async fn version_page(
    state: &AppState,
    session: &CurrentSession,
    shown: Result<(VersionInfo, Constitution), AppError>,
    in_force_heading: bool,
) -> Response {
    let app = &state.app;
    let (info, c) = match shown {
        Ok(v) => v,
        Err(e) => return app_error(session, e),
    };
    let (today, versions) = match (
        app.constitution_in_force(app.today()).await,
        app.constitution_versions().await,
    ) {
        (Ok((today, _)), Ok(vs)) => (today, vs),
        (Err(e), _) | (_, Err(e)) => return app_error(session, e),
    };
    let in_force = info.id == today.id;
    let heading = if in_force_heading {
        "The constitution".to_string()
    } else {
        format!("The constitution: version “{}”", info.version)
    };
    let page = ConstitutionPage {
        layout: Layout::new(heading.clone(), Some(session), "constitution"),
        heading,
        name: info.name.clone(),
        version: info.version.clone(),
        effective: date(info.effective),
        adopted: info.adopted_by.clone(),
        in_force,
        clauses: clauses(&c),
        versions: version_rows(&versions, today.id),
    };
    render(StatusCode::OK, &page)
}

/// `/constitution`: the version in force today.
pub async fn in_force(State(state): State<AppState>, PageUser(session): PageUser) -> Response {
    let shown = state.app.constitution_in_force(state.app.today()).await;
    version_page(&state, &session, shown, true).await
}

/// `/constitution/versions/{id}`: any version, in force or not.
pub async fn version(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PagePath(raw): PagePath<String>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "constitution version");
    };
    let shown = state.app.constitution_version(id).await;
    version_page(&state, &session, shown, false).await
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    layout: Layout,
    diff: DiffView,
    from_id: i64,
    to_id: i64,
    self_href: String,
}

/// `/constitution/diff?from=&to=`: two versions side by side.
pub async fn diff(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(q): PageQuery<DiffQuery>,
) -> Response {
    let (Some(from), Some(to)) = (
        q.from.as_deref().and_then(parse_id),
        q.to.as_deref().and_then(parse_id),
    ) else {
        return error_page(
            Some(&session),
            WebError::BadRequest(
                "choose two versions to compare: from=<id>&to=<id>, e.g. from=1&to=2".into(),
            ),
        );
    };
    let d = match state.app.constitution_diff(from, to).await {
        Ok(d) => d,
        Err(e) => return app_error(&session, e),
    };
    let diff = diff_view(&d);
    let page = DiffPage {
        layout: Layout::new(
            format!("Differences: {} and {}", diff.from, diff.to),
            Some(&session),
            "constitution",
        ),
        diff,
        from_id: from,
        to_id: to,
        self_href: format!("/constitution/diff?from={from}&to={to}"),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- amendments

pub struct AmendmentRow {
    pub id: i64,
    pub title: String,
    pub version: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub effective: String,
    pub proposed: String,
    pub attempts: usize,
}

fn state_words(s: &AmendmentState) -> (&'static str, &'static str) {
    match s {
        AmendmentState::Proposed => ("proposed, not yet decided", "pending"),
        AmendmentState::Refused => ("refused", "no"),
        AmendmentState::Adopted => ("adopted", "yes"),
    }
}

fn amendment_row(a: &AmendmentInfo) -> AmendmentRow {
    let (state, state_class) = state_words(&a.state);
    AmendmentRow {
        id: a.id,
        title: a.title.clone(),
        version: a.proposed_version.clone(),
        state,
        state_class,
        effective: date(a.effective),
        proposed: time(a.proposed_at),
        attempts: a.attempts.len(),
    }
}

#[derive(Template)]
#[template(path = "amendments.html")]
struct AmendmentsPage {
    layout: Layout,
    rows: Vec<AmendmentRow>,
}

/// `/amendments`: every amendment with its state.
pub async fn amendments(State(state): State<AppState>, PageUser(session): PageUser) -> Response {
    let list = match state.app.amendments().await {
        Ok(l) => l,
        Err(e) => return app_error(&session, e),
    };
    let mut rows: Vec<AmendmentRow> = list.iter().map(amendment_row).collect();
    rows.sort_by_key(|a| std::cmp::Reverse(a.id));
    let page = AmendmentsPage {
        layout: Layout::new("Amendments", Some(&session), "constitution"),
        rows,
    };
    render(StatusCode::OK, &page)
}

pub struct FailureView {
    pub clause: Option<ClauseLink>,
    pub reason: String,
}

pub struct AttemptView {
    pub decided_on: String,
    pub body: String,
    pub adopted: bool,
    pub failures: Vec<FailureView>,
    pub recorded_at: String,
}

fn attempt_view(t: &AttemptInfo, version_href: &str) -> AttemptView {
    AttemptView {
        decided_on: date(t.decided_on),
        body: super::rules_view::capitalise(&t.body.replace('-', " ")),
        adopted: t.adopted,
        failures: t
            .failures
            .iter()
            .map(|(clause, reason)| FailureView {
                clause: (!clause.trim().is_empty()).then(|| clause_link(version_href, clause)),
                reason: reason.clone(),
            })
            .collect(),
        recorded_at: time(t.recorded_at),
    }
}

#[derive(Template)]
#[template(path = "amendment.html")]
struct AmendmentPage {
    layout: Layout,
    a: AmendmentRow,
    attempts: Vec<AttemptView>,
    diff: DiffView,
    impact: Option<ImpactView>,
    impact_note: String,
}

/// `/amendments/{id}`: state, every attempt with its failures, the diff and the impact.
pub async fn amendment(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PagePath(raw): PagePath<String>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "amendment");
    };
    let app = &state.app;
    let (info, _) = match app.amendment(id).await {
        Ok(a) => a,
        Err(e) => return app_error(&session, e),
    };
    // The clauses an attempt failed are those of the version in force when it was decided.
    let mut attempts = Vec::with_capacity(info.attempts.len());
    for t in &info.attempts {
        let href = match app.constitution_in_force(t.decided_on).await {
            Ok((v, _)) => format!("/constitution/versions/{}", v.id),
            Err(_) => "/constitution".to_string(),
        };
        attempts.push(attempt_view(t, &href));
    }
    let (d, names) = match (app.amendment_diff(id).await, app.unit_summaries().await) {
        (Ok(d), Ok(u)) => (d, u),
        (Err(e), _) | (_, Err(e)) => return app_error(&session, e),
    };
    let names: HashMap<UnitId, String> = names
        .into_iter()
        .map(|s| (s.unit.id, s.unit.name))
        .collect();
    // A preview the caller may not see (or that cannot be computed) leaves the rest readable.
    let (impact, impact_note) = match app.amendment_impact(id).await {
        Ok(i) => (Some(impact_view(&i, &names)), String::new()),
        Err(AppError::Forbidden(why)) => (None, why),
        Err(e) => return app_error(&session, e),
    };
    let page = AmendmentPage {
        layout: Layout::new(info.title.clone(), Some(&session), "constitution"),
        a: amendment_row(&info),
        attempts,
        diff: diff_view(&d),
        impact,
        impact_note,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- rights

#[derive(Deserialize)]
pub struct RightsQuery {
    on: Option<String>,
}

#[derive(Template)]
#[template(path = "rights.html")]
struct RightsPage {
    layout: Layout,
    heading: String,
    intro: String,
    who: String,
    action: String,
    on: String,
    on_words: String,
    version: String,
    allowed: usize,
    rows: Vec<RightRow>,
}

/// `/me/rights?on=`: "What may I do, and why not?".
pub async fn my_rights(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PageQuery(q): PageQuery<RightsQuery>,
) -> Response {
    let me = session.actor.member;
    rights_page(&state, &session, me, q.on.as_deref(), None).await
}

/// `/members/{id}/rights?on=`: the same answers about a member, for officers who may see them.
pub async fn member_rights(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PagePath(raw): PagePath<String>,
    PageQuery(q): PageQuery<RightsQuery>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found(Some(&session), "member");
    };
    let member = MemberId(id);
    if member == session.actor.member {
        return rights_page(&state, &session, member, q.on.as_deref(), None).await;
    }
    let name = match state.app.member_view(&session.actor, member).await {
        Ok(v) => format!(
            "{} {}",
            v.detail.record.first_name, v.detail.record.last_name
        ),
        Err(e) => return app_error(&session, e),
    };
    rights_page(&state, &session, member, q.on.as_deref(), Some(name)).await
}

async fn rights_page(
    state: &AppState,
    session: &CurrentSession,
    member: MemberId,
    on: Option<&str>,
    other: Option<String>,
) -> Response {
    let app = &state.app;
    let on = match on.filter(|s| !s.trim().is_empty()).map(parse_day) {
        None => app.today(),
        Some(Ok(d)) => d,
        Some(Err(msg)) => return error_page(Some(session), WebError::BadRequest(msg)),
    };
    let decisions = match app.member_rights(&session.actor, member, on).await {
        Ok(d) => d,
        Err(e) => return app_error(session, e),
    };
    let (version, href) = match app.constitution_in_force(on).await {
        Ok((v, _)) => (v.version, format!("/constitution/versions/{}", v.id)),
        Err(e) => return app_error(session, e),
    };
    let rows = right_rows(&decisions, &href);
    let (heading, intro, who, action) = match other {
        None => (
            "What may I do, and why not?".to_string(),
            "Your rights in every meeting and ballot, as the constitution decides them."
                .to_string(),
            "you".to_string(),
            "/me/rights".to_string(),
        ),
        Some(name) => (
            format!("What may {name} do, and why not?"),
            format!(
                "{name}'s rights in every meeting and ballot, as the constitution decides them."
            ),
            name,
            format!("/members/{}/rights", member.0),
        ),
    };
    let page = RightsPage {
        layout: Layout::new(heading.clone(), Some(session), "me"),
        heading,
        intro,
        who,
        action,
        on: on.format("%Y-%m-%d").to_string(),
        on_words: date(on),
        version,
        allowed: rows.iter().filter(|r| r.allowed).count(),
        rows,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_or_name_the_field() {
        assert_eq!(
            parse_day("2017-07-01").ok(),
            NaiveDate::from_ymd_opt(2017, 7, 1)
        );
        let msg = parse_day("banana").unwrap_err();
        assert!(msg.contains("YYYY-MM-DD"), "{msg}");
    }
}
