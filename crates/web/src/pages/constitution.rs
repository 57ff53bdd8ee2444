//! The constitution pages: the version in force with its clauses and what each rule means,
//! every version and the differences between any two, the amendments with every attempt to
//! adopt them (refused ones too) and their impact preview, and "what may I do, and why not?".

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::amending::{HistoricalDecision, HistoricalOutcome};
use charter_app::constitution::{AmendmentInfo, AmendmentState, AttemptInfo, VersionInfo};
use charter_domain::{MemberId, UnitId};
use charter_model::{AmendmentId, ConstitutionVersionId, MeetingId};
use charter_rules::{Constitution, DecisionRecord, Key};
use chrono::NaiveDate;
use serde::Deserialize;

use super::forms::Errors;
use super::rules_view::{
    ClauseLink, ClauseView, DiffView, ImpactView, RightRow, clause_link, clauses, diff_view,
    impact_view, right_rows,
};
use super::view::{date, time};
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, PageUser};

/// A date from the address (`on=2017-07-01`), or a message saying how to write one.
pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2017-07-01"))
}

pub struct VersionRow {
    pub id: ConstitutionVersionId,
    pub version: String,
    pub effective: String,
    pub adopted_by: String,
    pub in_force: bool,
    pub diff_href: Option<String>,
}

fn version_rows(versions: &[VersionInfo], in_force: ConstitutionVersionId) -> Vec<VersionRow> {
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
) -> PageResult {
    let app = &state.app;
    let (info, c) = shown?;
    let (today, versions) = match (
        app.constitution_in_force(app.today()).await,
        app.constitution_versions().await,
    ) {
        (Ok((today, _)), Ok(vs)) => (today, vs),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
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
    Ok(render(StatusCode::OK, &page))
}

/// `/constitution`: the version in force today.
pub async fn in_force(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    let shown = state.app.constitution_in_force(state.app.today()).await;
    version_page(&state, &session, shown, true).await
}

/// `/constitution/versions/{id}`: any version, in force or not.
pub async fn version(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::ConstitutionVersion>,
) -> PageResult {
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
) -> PageResult {
    let (Some(from), Some(to)) = (
        q.from.as_deref().and_then(parse_id),
        q.to.as_deref().and_then(parse_id),
    ) else {
        return Err(WebError::BadRequest(
            "choose two versions to compare: from=<id>&to=<id>, e.g. from=1&to=2".into(),
        )
        .into());
    };
    let d = state
        .app
        .constitution_diff(ConstitutionVersionId(from), ConstitutionVersionId(to))
        .await?;
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
    Ok(render(StatusCode::OK, &page))
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
        id: a.id.0,
        title: a.title.clone(),
        version: a.proposed_version.clone(),
        state,
        state_class,
        effective: date(a.effective),
        proposed: time(a.proposed_at),
        attempts: a.attempts.len(),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProposeForm {
    pub title: String,
    pub toml: String,
}

#[derive(Template)]
#[template(path = "amendments.html")]
struct AmendmentsPage {
    layout: Layout,
    rows: Vec<AmendmentRow>,
    form: ProposeForm,
    errors: Errors,
}

const PROPOSE_FIELDS: &[&str] = &["title", "toml"];

async fn amendments_page(
    state: &AppState,
    session: &CurrentSession,
    mut form: ProposeForm,
    errors: Errors,
) -> PageResult {
    let list = state.app.amendments().await?;
    let mut rows: Vec<AmendmentRow> = list.iter().map(amendment_row).collect();
    rows.sort_by_key(|a| std::cmp::Reverse(a.id));
    // An amendment is the whole text of the new version: start from the one in force.
    if form.toml.is_empty()
        && let Ok((info, _)) = state.app.constitution_in_force(state.app.today()).await
        && let Ok((_, toml)) = state.app.constitution_text(info.id).await
    {
        form.toml = toml;
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AmendmentsPage {
        layout: Layout::new("Amendments", Some(session), "constitution"),
        rows,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// `/amendments`: every amendment with its state, and the form to propose one.
pub async fn amendments(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    amendments_page(
        &state,
        &session,
        ProposeForm::default(),
        Errors::none("pr-", PROPOSE_FIELDS),
    )
    .await
}

/// A refusal or a field error shown against the form rather than as a separate page.
fn form_errors(err: AppError, forbidden_field: &str) -> Result<BTreeMap<String, String>, AppError> {
    match err {
        AppError::Forbidden(why) => Ok(BTreeMap::from([(forbidden_field.to_string(), why)])),
        other => super::forms::field_errors(other),
    }
}

pub async fn propose(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<ProposeForm>,
) -> PageResult {
    match state
        .app
        .propose_amendment(&session.actor, &form.title, &form.toml)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/amendments/{id}?saved=proposed")).into_response()),
        Err(e) => {
            let errs = form_errors(e, "title")?;
            amendments_page(
                &state,
                &session,
                form,
                Errors::new("pr-", PROPOSE_FIELDS, errs),
            )
            .await
        }
    }
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
    /// The meeting whose motion decided it: link, and words naming motion and meeting.
    pub decided_by: Option<(String, String)>,
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
        decided_by: None,
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DecisionForm {
    pub body: String,
    pub meeting_kind: String,
    pub notice_sent_on: String,
    pub meeting_on: String,
    pub members_entitled: String,
    pub present: String,
    pub votes_for: String,
    pub votes_against: String,
    pub abstentions: String,
}

const DECISION_FIELDS: &[&str] = &[
    "body",
    "meeting_kind",
    "notice_sent_on",
    "meeting_on",
    "members_entitled",
    "present",
    "votes_for",
    "votes_against",
    "abstentions",
];

#[derive(Template)]
#[template(path = "amendment.html")]
struct AmendmentPage {
    layout: Layout,
    a: AmendmentRow,
    attempts: Vec<AttemptView>,
    diff: DiffView,
    impact: Option<ImpactView>,
    impact_note: String,
    notice: Option<&'static str>,
    /// Meetings the amendment may be put to, when it is still to be decided.
    meetings: Vec<(MeetingId, String)>,
    put_error: String,
    /// The amendment procedure in force lets the members decide it by ballot.
    by_ballot: bool,
    may_enter: bool,
    /// The reader's own entries of a historical meeting on it (never another officer's).
    my_entries: Vec<String>,
    form: DecisionForm,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: String,
}

/// `/amendments/{id}`: state, every attempt with its failures, the diff and the impact.
pub async fn amendment(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Amendment>,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "proposed" => Some(
            "The amendment is proposed. Its diff and impact are below for every member to read.",
        ),
        "put" => Some(
            "The amendment is on the meeting's business as a motion. The meeting decides it from its own notice, attendance and count.",
        ),
        "entered" => Some(
            "Your entry is kept. The meeting is recorded when another officer, entering on their own, agrees with it.",
        ),
        "differs" => Some(
            "Your entry is kept, but it differs from another officer's: check the minutes together, and enter again.",
        ),
        "adopted" => Some(
            "Two officers' entries agree: the historical meeting is recorded, and it adopted the amendment.",
        ),
        "refused" => Some(
            "Two officers' entries agree: the historical meeting is recorded, but it did not adopt the amendment. See why under the attempts.",
        ),
        _ => None,
    };
    amendment_page(
        &state,
        &session,
        id,
        notice,
        DecisionForm::default(),
        Errors::none("dn-", DECISION_FIELDS),
        String::new(),
    )
    .await
}

async fn amendment_page(
    state: &AppState,
    session: &CurrentSession,
    id: AmendmentId,
    notice: Option<&'static str>,
    form: DecisionForm,
    errors: Errors,
    put_error: String,
) -> PageResult {
    let app = &state.app;
    let (info, _) = app.amendment(id).await?;
    // The clauses an attempt failed are those of the version in force when it was decided.
    let mut attempts = Vec::with_capacity(info.attempts.len());
    for t in &info.attempts {
        let href = match app.constitution_in_force(t.decided_on).await {
            Ok((v, _)) => format!("/constitution/versions/{}", v.id),
            Err(_) => "/constitution".to_string(),
        };
        let mut view = attempt_view(t, &href);
        if let Some(motion) = t.motion
            && let Ok(Some((meeting, title, number, historical))) = app.decided_where(motion).await
        {
            view.decided_by = Some((
                format!("/meetings/{meeting}"),
                format!(
                    "motion {number} of {title}{}",
                    if historical {
                        ", a historical meeting entered by two officers"
                    } else {
                        ""
                    }
                ),
            ));
        }
        attempts.push(view);
    }
    let (d, names) = match (app.amendment_diff(id).await, app.unit_summaries().await) {
        (Ok(d), Ok(u)) => (d, u),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let names: HashMap<UnitId, String> = names
        .into_iter()
        .map(|s| (s.unit.id, s.unit.name))
        .collect();
    // A preview the caller may not see (or that cannot be computed) leaves the rest readable.
    let (impact, impact_note) = match app.amendment_impact(id).await {
        Err(AppError::Forbidden(why)) => (None, why),
        found => (Some(impact_view(&found?, &names)), String::new()),
    };
    let open = info.state != AmendmentState::Adopted;
    let meetings = if open {
        app.meetings_for_amendment().await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let may_enter = open && app.may_enter_historical(&session.actor).await;
    let by_ballot = open
        && app
            .constitution_in_force(app.today())
            .await
            .ok()
            .and_then(|(_, c)| {
                c.amendment_procedure().map(|(_, p)| {
                    p.by.iter()
                        .any(|b| b.as_str() == charter_rules::MEMBER_BALLOT)
                })
            })
            .unwrap_or(false);
    let my_entries = if may_enter {
        app.my_historical_entries(&session.actor, id)
            .await
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let x = &e.entry;
                format!(
                    "{}: {} ({}) held {}, notice {}; {} entitled, {} present; {} for, {} against, {} abstaining{}",
                    time(e.entered_at),
                    x.body.replace('-', " "),
                    x.kind.replace('-', " "),
                    date(x.held_on),
                    x.notice_on.map(date).unwrap_or_else(|| "none".into()),
                    x.entitled,
                    x.present,
                    x.votes_for,
                    x.votes_against,
                    x.abstentions,
                    if e.meeting.is_some() { " — agreed and recorded" } else { "" }
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AmendmentPage {
        layout: Layout::new(info.title.clone(), Some(session), "constitution"),
        a: amendment_row(&info),
        attempts,
        diff: diff_view(&d),
        impact,
        impact_note,
        notice,
        meetings,
        put_error,
        by_ballot,
        may_enter,
        my_entries,
        form,
        errors,
    };
    Ok(render(status, &page))
}

/// Parses the decision form into a record, naming each field that does not read.
fn decision_record(f: &DecisionForm) -> Result<DecisionRecord, BTreeMap<String, String>> {
    let mut errs = BTreeMap::new();
    let mut key = |field: &str, raw: &str| match Key::parse(raw) {
        Ok(k) => Some(k),
        Err(e) => {
            errs.insert(field.to_string(), e.to_string());
            None
        }
    };
    let body = key("body", &f.body);
    let kind = key("meeting_kind", &f.meeting_kind);
    let mut day = |field: &str, raw: &str, required: bool| {
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                errs.insert(field.to_string(), "give the date".into());
            }
            return None;
        }
        parse_day(raw)
            .map_err(|m| errs.insert(field.to_string(), m))
            .ok()
    };
    let notice = day("notice_sent_on", &f.notice_sent_on, false);
    let meeting = day("meeting_on", &f.meeting_on, true);
    let mut count = |field: &str, raw: &str| match raw.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.insert(
                field.to_string(),
                format!("'{raw}' is not a whole number of people or votes"),
            );
            None
        }
    };
    let entitled = count("members_entitled", &f.members_entitled);
    let present = count("present", &f.present);
    let votes_for = count("votes_for", &f.votes_for);
    let against = count("votes_against", &f.votes_against);
    let abstentions = count("abstentions", &f.abstentions);
    match (
        body,
        kind,
        meeting,
        entitled,
        present,
        votes_for,
        against,
        abstentions,
    ) {
        (
            Some(body),
            Some(meeting_kind),
            Some(meeting_on),
            Some(e),
            Some(p),
            Some(vf),
            Some(va),
            Some(ab),
        ) if errs.is_empty() => Ok(DecisionRecord {
            body,
            meeting_kind,
            notice_sent_on: notice,
            meeting_on,
            members_entitled: e,
            present: p,
            votes_for: vf,
            votes_against: va,
            abstentions: ab,
        }),
        _ => Err(errs),
    }
}

/// `POST /amendments/{id}/historical`: an officer's own entry of a historical meeting.
pub async fn enter_historical(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Amendment>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let record = match decision_record(&form) {
        Ok(r) => r,
        Err(errs) => {
            let errors = Errors::new("dn-", DECISION_FIELDS, errs);
            return amendment_page(&state, &session, id, None, form, errors, String::new()).await;
        }
    };
    let entry = historical_decision(&record);
    match state
        .app
        .enter_historical_decision(&session.actor, id, &entry)
        .await
    {
        Ok(outcome) => {
            let saved = match outcome {
                HistoricalOutcome::AwaitingSecondEntry => "entered",
                HistoricalOutcome::Differs(_) => "differs",
                HistoricalOutcome::Recorded { adopted: true, .. } => "adopted",
                HistoricalOutcome::Recorded { .. } => "refused",
            };
            Ok(Redirect::to(&format!("/amendments/{id}?saved={saved}#attempts")).into_response())
        }
        // Someone without the office gets the refusal as a page: there is no form to show.
        Err(AppError::Forbidden(why)) => Err(AppError::Forbidden(why).into()),
        Err(e) => {
            let mut errs = form_errors(e, "body")?;
            // The app names the fields of the entry; the form names them as on the page.
            for (from, to) in [
                ("kind", "meeting_kind"),
                ("notice_on", "notice_sent_on"),
                ("held_on", "meeting_on"),
                ("entitled", "members_entitled"),
            ] {
                if let Some(m) = errs.remove(from) {
                    errs.insert(to.to_string(), m);
                }
            }
            let errors = Errors::new("dn-", DECISION_FIELDS, errs);
            amendment_page(&state, &session, id, None, form, errors, String::new()).await
        }
    }
}

/// The form's record as an officer's entry of a historical meeting.
fn historical_decision(r: &DecisionRecord) -> HistoricalDecision {
    HistoricalDecision {
        body: r.body.as_str().to_string(),
        kind: r.meeting_kind.as_str().to_string(),
        notice_on: r.notice_sent_on,
        held_on: r.meeting_on,
        entitled: r.members_entitled,
        present: r.present,
        votes_for: r.votes_for,
        votes_against: r.votes_against,
        abstentions: r.abstentions,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PutForm {
    pub meeting_id: String,
}

/// `POST /amendments/{id}/put`: puts the amendment to a meeting as a motion.
pub async fn put_to_meeting(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Amendment>,
    CsrfForm(form): CsrfForm<PutForm>,
) -> PageResult {
    let blank = || {
        (
            DecisionForm::default(),
            Errors::none("dn-", DECISION_FIELDS),
        )
    };
    let Some(meeting) = parse_id(form.meeting_id.trim()) else {
        let (f, e) = blank();
        return amendment_page(
            &state,
            &session,
            id,
            None,
            f,
            e,
            "choose the meeting".into(),
        )
        .await;
    };
    match state
        .app
        .put_amendment(&session.actor, MeetingId(meeting), id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{meeting}?saved=amendment")).into_response()),
        Err(AppError::Invalid(f)) => {
            let (fm, e) = blank();
            let why = f.0.values().cloned().collect::<Vec<_>>().join("; ");
            amendment_page(&state, &session, id, None, fm, e, why).await
        }
        Err(AppError::Conflict { message, .. }) | Err(AppError::Forbidden(message)) => {
            let (fm, e) = blank();
            amendment_page(&state, &session, id, None, fm, e, message).await
        }
        Err(e) => Err(e.into()),
    }
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
) -> PageResult {
    let me = session.actor.member;
    rights_page(&state, &session, me, q.on.as_deref(), None).await
}

/// `/members/{id}/rights?on=`: the same answers about a member, for officers who may see them.
pub async fn member_rights(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(member): PathId<ids::Member>,
    PageQuery(q): PageQuery<RightsQuery>,
) -> PageResult {
    if member == session.actor.member {
        return rights_page(&state, &session, member, q.on.as_deref(), None).await;
    }
    let v = state.app.member_view(&session.actor, member).await?;
    let name = format!(
        "{} {}",
        v.detail.record.first_name, v.detail.record.last_name
    );
    rights_page(&state, &session, member, q.on.as_deref(), Some(name)).await
}

async fn rights_page(
    state: &AppState,
    session: &CurrentSession,
    member: MemberId,
    on: Option<&str>,
    other: Option<String>,
) -> PageResult {
    let app = &state.app;
    let on = match on.filter(|s| !s.trim().is_empty()).map(parse_day) {
        None => app.today(),
        Some(Ok(d)) => d,
        Some(Err(msg)) => return Err(WebError::BadRequest(msg).into()),
    };
    let decisions = app.member_rights(&session.actor, member, on).await?;
    let (v, _) = app.constitution_in_force(on).await?;
    let (version, href) = (v.version, format!("/constitution/versions/{}", v.id));
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
    Ok(render(StatusCode::OK, &page))
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
