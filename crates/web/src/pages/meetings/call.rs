//! The meetings list, with the form an officer calls a meeting by.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::meetings::MeetingRequest;
use charter_domain::{Power, UnitId, UnitKind};
use charter_model::{MeetingId, MeetingRecord};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{parse_local, status_for};
use crate::AppState;
use crate::pages::forms::{Errors, field_errors};
use crate::pages::view::{date, time};
use crate::pages::{CsrfForm, Layout, PageResult, render};
use crate::session::{CurrentSession, PageUser};

pub(super) const CALL_FIELDS: &[&str] = &[
    "body",
    "unit",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "mode",
    "place",
    "online_url",
    "agenda",
];

pub struct MeetingRow {
    pub id: MeetingId,
    pub title: String,
    pub when: String,
    pub body: String,
    pub upcoming: bool,
    /// Held before the organisation used Charter and entered by two officers.
    pub historical: bool,
}

fn meeting_row(m: &MeetingRecord, now: DateTime<Utc>) -> MeetingRow {
    MeetingRow {
        id: m.id,
        title: m.title.clone(),
        // A historical meeting's day is known, not its hours.
        when: if m.historical_entered_at.is_some() {
            date(m.starts_at.date_naive())
        } else {
            time(m.starts_at)
        },
        body: m.body.replace('-', " "),
        upcoming: m.starts_at > now,
        historical: m.historical_entered_at.is_some(),
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CallForm {
    pub body: String,
    pub unit: String,
    pub kind: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub mode: String,
    pub place: String,
    pub online_url: String,
    pub agenda: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    layout: Layout,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    may_call: bool,
    bodies: Vec<Choice>,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    form: CallForm,
    errors: Errors,
    /// A calendar subscription link just made: shown this once.
    feed_url: Option<String>,
}

async fn meetings_page(
    state: &AppState,
    session: &CurrentSession,
    form: CallForm,
    errors: Errors,
) -> PageResult {
    meetings_page_with(state, session, form, errors, None).await
}

pub(super) async fn meetings_page_with(
    state: &AppState,
    session: &CurrentSession,
    form: CallForm,
    errors: Errors,
    feed_url: Option<String>,
) -> PageResult {
    let app = &state.app;
    let now = app.clock.now();
    let all = app.meetings(&session.actor, None, None).await?;
    let (mut upcoming, mut past): (Vec<MeetingRow>, Vec<MeetingRow>) = all
        .iter()
        .map(|m| meeting_row(m, now))
        .partition(|r| r.upcoming);
    past.reverse();
    upcoming.truncate(200);
    past.truncate(200);
    let may_call = !session.actor.scope_roots(Power::CallMeetings).is_empty();
    let mut bodies = Vec::new();
    let mut kinds = Vec::new();
    let mut units = Vec::new();
    if may_call {
        let choice = |value: &str, label: String, current: &str| Choice {
            value: value.to_string(),
            label,
            selected: current == value,
        };
        for (v, l) in [
            ("branch-meeting", "Branch general meeting"),
            ("regional-meeting", "Regional meeting"),
            ("conference", "Conference"),
        ] {
            bodies.push(choice(v, l.to_string(), &form.body));
        }
        if let Ok((_, c)) = app.constitution_in_force(app.today()).await {
            for (_, b) in c.bodies().filter(|(_, b)| b.is_committee()) {
                bodies.push(choice(b.key.as_str(), b.name.clone(), &form.body));
            }
            for k in [
                "general-meeting",
                "committee-meeting",
                "special-conference",
                "annual-conference",
            ] {
                if let Ok(key) = charter_rules::Key::parse(k)
                    && let Some((clause, n)) = c.notice_for(&key)
                {
                    kinds.push(choice(
                        k,
                        format!(
                            "{} ({} clear days' notice, clause {clause})",
                            key.words(),
                            n.clear_days
                        ),
                        &form.kind,
                    ));
                }
            }
        }
        if let (Ok(tree), Ok(all)) = (app.tree().await, app.store_units().await) {
            let mut list: Vec<Choice> = all
                .iter()
                .filter(|u| matches!(u.kind, UnitKind::Branch | UnitKind::Region) && u.is_open())
                .filter(|u| session.actor.may(Power::CallMeetings, u.id, &tree))
                .map(|u| {
                    choice(
                        &u.id.0.to_string(),
                        format!("{} ({})", u.name, u.kind.as_str()),
                        &form.unit,
                    )
                })
                .collect();
            list.sort_by(|a, b| a.label.cmp(&b.label));
            units = list;
        }
    }
    Ok(render(
        status_for(&[&errors]),
        &MeetingsPage {
            layout: Layout::new("Meetings", Some(session), "meetings"),
            upcoming,
            past,
            may_call,
            bodies,
            kinds,
            units,
            form,
            errors,
            feed_url,
        },
    ))
}

pub async fn meetings(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    meetings_page(
        &state,
        &session,
        CallForm::default(),
        Errors::none("cm-", CALL_FIELDS),
    )
    .await
}

pub async fn call(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<CallForm>,
) -> PageResult {
    let mut errs = BTreeMap::new();
    let starts = parse_local(&form.starts_at).unwrap_or_else(|m| {
        errs.insert("starts_at".to_string(), m);
        None
    });
    let ends = parse_local(&form.ends_at).unwrap_or_else(|m| {
        errs.insert("ends_at".to_string(), m);
        None
    });
    let unit = match form.unit.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(UnitId(id)),
            Err(_) => {
                errs.insert("unit".into(), "choose a unit from the list".into());
                None
            }
        },
    };
    if !errs.is_empty() {
        return meetings_page(
            &state,
            &session,
            form,
            Errors::new("cm-", CALL_FIELDS, errs),
        )
        .await;
    }
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let req = MeetingRequest {
        body: form.body.clone(),
        unit,
        kind: form.kind.clone(),
        title: form.title.clone(),
        starts_at: starts,
        ends_at: ends,
        mode: form.mode.clone(),
        place: blank(&form.place),
        online_url: blank(&form.online_url),
        agenda: form.agenda.clone(),
    };
    match state.app.call_meeting(&session.actor, &req).await {
        Ok(c) => {
            let flag = if c.short_notice.is_some() {
                "short"
            } else {
                "called"
            };
            Ok(Redirect::to(&format!("/meetings/{}?saved={flag}", c.id)).into_response())
        }
        Err(e) => {
            let errors = Errors::new("cm-", CALL_FIELDS, field_errors(e)?);
            meetings_page(&state, &session, form, errors).await
        }
    }
}
