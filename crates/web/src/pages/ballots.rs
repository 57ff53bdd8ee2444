//! Ballot pages: every ballot with a form for officers to set one up; one ballot with its
//! rule, turnout by branch, the voting form (signed in, or by the personal voting link with no
//! sign-in), the receipt with its tracker, and once counted the result round by round with a
//! chart; the published ballots, public like the API's files, where a voter finds their
//! tracker.

use charter_count::ordinal;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::ballots::{BallotRequest, BallotView, Choice as BallotChoice, PublishedBallot};
use charter_ballot_crypto::EncryptedBallot;
use charter_domain::{Actor, BallotKind, BallotState, Power};
use charter_model::{AmendmentId, BallotId, BallotRecord, RollRecord};
use charter_rules::{Context, DecisionKind, MEMBER_BALLOT};
use serde::Deserialize;

use super::count_view::{self, CountView};
use super::forms::{Errors, field_errors};
use super::meetings::{Choice, parse_local};
use super::rules_view::capitalise;
use super::sealed::{self, SealedView, SealedVote, TrusteeField};
use super::view::{Pager, date, time};
use super::{
    CsrfForm, Layout, PageError, PageForm, PagePath, PageQuery, PageResult, PathId, error_page,
    ids, parse_id, render,
};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, OptionalUser, PageUser, same_origin};

const CREATE_FIELDS: &[&str] = &[
    "title",
    "question",
    "kind",
    "decision_kind",
    "candidates",
    "seats",
    "roll",
    "opens_at",
    "closes_at",
    "amendment",
    "trustees",
];
/// The voting form's choices are one fieldset, whatever the app calls them.
const VOTE_FIELDS: &[&str] = &["credential", "ranks"];
const TRACKER_FIELDS: &[&str] = &["tracker"];
const PUBLISHED_PER_PAGE: u32 = 50;

fn kind_words(b: &BallotRecord) -> String {
    if b.kind == BallotKind::Question {
        "Question".to_string()
    } else {
        format!(
            "Election, {} seat{}",
            b.seats,
            if b.seats == 1 { "" } else { "s" }
        )
    }
}

/// The state in words, and a class for its tag.
fn state_words(state: BallotState) -> (&'static str, &'static str) {
    match state {
        BallotState::Scheduled => ("scheduled", ""),
        BallotState::Open => ("open for voting", "yes"),
        BallotState::Closed => ("closed: being counted", ""),
        BallotState::Counted => ("counted", ""),
    }
}

/// The rule with its clause: "clause 6.7: counted by scottish-stv for 2 seats".
fn rule_words(b: &BallotRecord) -> String {
    let decision = b
        .decision_kind
        .as_deref()
        .and_then(|k| DecisionKind::ALL.into_iter().find(|d| d.as_str() == k))
        .map(|d| format!("{}: ", capitalise(d.words())))
        .unwrap_or_default();
    match &b.clause {
        Some(c) => format!("clause {c}: {decision}{}", b.rule),
        None => format!("{decision}{}", b.rule),
    }
}

/// A share as a percentage with one decimal place, in integers.
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0.0%".to_string();
    }
    let tenths = part.max(0) * 1000 / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The frozen rolls that list the right to vote, as a form's choices.
pub(super) fn vote_roll_choices(all: &[RollRecord], selected: &str) -> Vec<Choice> {
    all.iter()
        .filter(|r| r.right == "vote")
        .map(|r| Choice {
            value: r.id.to_string(),
            label: format!(
                "{} ({}, {} voters; challenges until {})",
                r.title,
                Context::parse(&r.context).map_or_else(|_| r.context.clone(), |c| c.words()),
                r.eligible,
                date(r.challenge_closes_on)
            ),
            selected: selected == r.id.to_string(),
        })
        .collect()
}

pub struct BallotRow {
    pub id: BallotId,
    pub title: String,
    pub kind: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub opens: String,
    pub closes: String,
    pub outcome: String,
}

fn ballot_row(b: &BallotRecord) -> BallotRow {
    let (state, state_class) = state_words(b.state);
    BallotRow {
        id: b.id,
        title: b.title.clone(),
        kind: kind_words(b),
        state,
        state_class,
        opens: time(b.opens_at),
        closes: time(b.closes_at),
        outcome: b.outcome.clone().unwrap_or_default(),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BallotForm {
    pub title: String,
    pub question: String,
    pub kind: String,
    pub decision_kind: String,
    /// One per line.
    pub candidates: String,
    pub seats: String,
    pub roll: String,
    pub opens_at: String,
    pub closes_at: String,
    /// An amendment to put to the members, instead of a question of one's own.
    pub amendment: String,
    /// Where the ballot clause names trustees: their member numbers, trustee 1 first.
    pub trustees: String,
}

#[derive(Template)]
#[template(path = "ballots.html")]
struct BallotsPage {
    layout: Layout,
    rows: Vec<BallotRow>,
    may_create: bool,
    rolls: Vec<Choice>,
    decisions: Vec<Choice>,
    /// Amendments the members may decide by ballot under the amendment procedure in force.
    amendments: Vec<Choice>,
    /// "Voting stays open at least 7 days (clause 6.7)."
    window: String,
    /// Where the ballot clause names trustees: the field to appoint them.
    trustees: Option<TrusteeField>,
    form: BallotForm,
    errors: Errors,
}

async fn ballots_page(
    state: &AppState,
    session: &CurrentSession,
    form: BallotForm,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let app = &state.app;
    let list = app.ballots().await?;
    let may_create = !session.actor.scope_roots(Power::CallMeetings).is_empty();
    let mut rolls = Vec::new();
    let mut decisions = Vec::new();
    let mut amendments = Vec::new();
    let mut window = String::new();
    let mut trustees = None;
    if may_create {
        trustees = sealed::trustee_field(state).await;
        rolls = vote_roll_choices(&app.rolls().await?, &form.roll);
        if let Ok((_, c)) = app.constitution_in_force(app.today()).await {
            let chosen = if form.decision_kind.is_empty() {
                DecisionKind::OrdinaryMotion.as_str()
            } else {
                form.decision_kind.as_str()
            };
            for k in DecisionKind::ALL {
                if k != DecisionKind::Appointment
                    && let Some((clause, t)) = c.threshold_for(k)
                    && t.by.iter().any(|b| b.as_str() == MEMBER_BALLOT)
                {
                    decisions.push(Choice {
                        value: k.as_str().to_string(),
                        label: format!(
                            "{} (clause {clause}: {})",
                            capitalise(k.words()),
                            t.threshold.words()
                        ),
                        selected: chosen == k.as_str(),
                    });
                }
            }
            if let Some((clause, p)) = c.amendment_procedure()
                && p.by.iter().any(|b| b.as_str() == MEMBER_BALLOT)
            {
                for a in app.amendments().await.unwrap_or_default() {
                    if a.state != charter_app::constitution::AmendmentState::Adopted {
                        amendments.push(Choice {
                            value: a.id.to_string(),
                            label: format!(
                                "{} (clause {clause}: {})",
                                a.title,
                                p.threshold.words()
                            ),
                            selected: form.amendment.trim() == a.id.to_string(),
                        });
                    }
                }
            }
            window = match c.ballot_rule() {
                Some((clause, r)) => format!(
                    "Voting stays open at least {} days (clause {clause}), and opens only after the roll's challenge window has closed.",
                    r.window_days
                ),
                None => {
                    "Voting opens only after the roll's challenge window has closed.".to_string()
                }
            };
        }
    }
    Ok(render(
        status,
        &BallotsPage {
            layout: Layout::new("Ballots", Some(session), "ballots"),
            rows: list.iter().map(ballot_row).collect(),
            may_create,
            rolls,
            decisions,
            amendments,
            window,
            trustees,
            form,
            errors,
        },
    ))
}

pub async fn ballots(State(state): State<AppState>, PageUser(session): PageUser) -> PageResult {
    ballots_page(
        &state,
        &session,
        BallotForm {
            kind: "question".into(),
            ..BallotForm::default()
        },
        Errors::none("nb-", CREATE_FIELDS),
        StatusCode::OK,
    )
    .await
}

/// An officer sets up a ballot; every refusal is shown beside the form.
pub async fn create(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    CsrfForm(form): CsrfForm<BallotForm>,
) -> PageResult {
    let mut errs = BTreeMap::new();
    let mut when = |field: &str, raw: &str| {
        parse_local(raw).unwrap_or_else(|m| {
            errs.insert(field.to_string(), m);
            None
        })
    };
    let opens = when("opens_at", &form.opens_at);
    let closes = when("closes_at", &form.closes_at);
    let seats = match form.seats.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.insert("seats".into(), format!("'{raw}' is not a number of seats"));
                None
            }
        },
    };
    let roll = match form.roll.trim() {
        "" => None,
        raw => match parse_id(raw) {
            Some(id) => Some(id),
            None => {
                errs.insert("roll".into(), "choose a roll from the list".into());
                None
            }
        },
    };
    let trustees = sealed::parse_trustees(&form.trustees).unwrap_or_else(|m| {
        errs.insert("trustees".into(), m);
        Vec::new()
    });
    if !errs.is_empty() {
        let errors = Errors::new("nb-", CREATE_FIELDS, errs);
        return ballots_page(
            &state,
            &session,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let req = BallotRequest {
        title: form.title.clone(),
        question: form.question.clone(),
        kind: form.kind.clone(),
        decision_kind: blank(&form.decision_kind),
        candidates: form.candidates.lines().map(str::to_string).collect(),
        seats,
        roll: roll.map(charter_model::RollId),
        opens_at: opens,
        closes_at: closes,
        trustees,
    };
    let created = match form.amendment.trim() {
        "" => state.app.create_ballot(&session.actor, &req).await,
        raw => match parse_id(raw) {
            Some(amendment) => {
                state
                    .app
                    .put_amendment_to_ballot(&session.actor, AmendmentId(amendment), &req)
                    .await
            }
            None => Err(AppError::invalid(
                "amendment",
                "choose an amendment from the list",
            )),
        },
    };
    match created {
        Ok(id) => Ok(Redirect::to(&format!("/ballots/{id}?saved=created")).into_response()),
        Err(AppError::Forbidden(why)) => {
            let errors = Errors::new(
                "nb-",
                CREATE_FIELDS,
                BTreeMap::from([("ballot".into(), why)]),
            );
            ballots_page(&state, &session, form, errors, StatusCode::FORBIDDEN).await
        }
        Err(e) => {
            let errs = field_errors(e)?;
            let errors = Errors::new("nb-", CREATE_FIELDS, errs);
            ballots_page(
                &state,
                &session,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub struct TurnoutRow {
    pub name: String,
    pub voters: i64,
    pub voted: i64,
    pub percent: String,
    /// Bar length: the share that voted, in percent.
    pub width: i64,
}

pub struct TurnoutView {
    pub voters: i64,
    pub votes: i64,
    pub percent: String,
    pub rows: Vec<TurnoutRow>,
}

/// One preference's select on an election's voting form.
pub struct Preference {
    pub n: usize,
    pub label: String,
    pub options: Vec<Choice>,
}

/// The voting form as drawn: where it posts, its one-off submission id, and the choices (kept
/// as the voter left them when the form comes back with a message).
pub struct VoteForm {
    pub action: String,
    pub csrf: String,
    pub submission: String,
    pub question: bool,
    pub answers: Vec<Choice>,
    pub preferences: Vec<Preference>,
    /// A verifiable ballot: what the browser encrypts under, and the credential typed.
    pub sealed: Option<SealedVote>,
}

fn vote_form(
    b: &BallotRecord,
    action: String,
    csrf: String,
    kept: &BTreeMap<String, String>,
) -> VoteForm {
    let kept_value = |k: &str| {
        kept.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let choices = |chosen: String| -> Vec<Choice> {
        b.options
            .iter()
            .enumerate()
            .map(|(i, name)| Choice {
                value: i.to_string(),
                label: name.clone(),
                selected: chosen == i.to_string(),
            })
            .collect()
    };
    let question = b.kind == BallotKind::Question;
    let answers = if question {
        choices(kept_value("choice"))
    } else {
        Vec::new()
    };
    let preferences = if question {
        Vec::new()
    } else {
        (1..=b.options.len())
            .map(|n| Preference {
                n,
                label: format!("{} preference", ordinal(n)),
                options: choices(kept_value(&format!("rank{n}"))),
            })
            .collect()
    };
    VoteForm {
        action,
        csrf,
        submission: charter_app::meetings::vote_key(),
        question,
        answers,
        preferences,
        sealed: None,
    }
}

/// The tracker check: what was asked and what was found.
#[derive(Default)]
pub struct TrackerCheck {
    /// Where the GET form goes: the page it is on.
    pub action: String,
    pub asked: String,
    /// Some(choices in order) when found; `None` with `searched` when not there.
    pub found: Option<PublishedBallot>,
    pub searched: bool,
    pub errors: Errors,
}

async fn check_tracker(
    state: &AppState,
    id: BallotId,
    action: String,
    asked: &str,
) -> TrackerCheck {
    let mut check = TrackerCheck {
        action,
        asked: asked.trim().to_string(),
        errors: Errors::none("tc-", TRACKER_FIELDS),
        ..TrackerCheck::default()
    };
    if check.asked.is_empty() {
        return check;
    }
    match state.app.published_ballot(id, &check.asked).await {
        Ok(found) => {
            check.searched = true;
            check.found = found;
        }
        Err(e) => {
            let fields = field_errors(e).unwrap_or_else(|e| {
                BTreeMap::from([("tracker".to_string(), WebError::App(e).public_message())])
            });
            check.errors = Errors::new("tc-", TRACKER_FIELDS, fields);
        }
    }
    check
}

/// Who reads a ballot's page, and how: signed in, or holding the personal voting link.
struct Reader<'a> {
    session: Option<&'a CurrentSession>,
    /// The ballot's address for this reader (its page, or the voting link).
    page: String,
    /// Where the voting form posts.
    action: String,
    /// The session's CSRF token; none for the link, whose token protects it.
    csrf: String,
    link: bool,
}

impl<'a> Reader<'a> {
    fn signed_in(session: &'a CurrentSession, id: BallotId) -> Self {
        Reader {
            session: Some(session),
            page: format!("/ballots/{id}"),
            action: format!("/ballots/{id}/votes"),
            csrf: session.record.csrf_token.clone(),
            link: false,
        }
    }

    fn by_link(session: Option<&'a CurrentSession>, id: BallotId, token: &str) -> Self {
        let page = format!("/ballots/{id}/vote/{token}");
        Reader {
            session,
            action: page.clone(),
            page,
            csrf: String::new(),
            link: true,
        }
    }
}

/// What one rendering of the ballot page carries beyond the ballot.
struct Extra {
    notice: Option<&'static str>,
    /// The trustee's or scrutineer's upload, refused.
    sealed_errors: Errors,
    vote_errors: Errors,
    kept: BTreeMap<String, String>,
    tracker: String,
    status: StatusCode,
}

impl Extra {
    fn plain(notice: Option<&'static str>, tracker: String) -> Self {
        Extra {
            notice,
            sealed_errors: Errors::none("sd-", sealed::SEALED_FIELDS),
            vote_errors: Errors::none("vt-", VOTE_FIELDS),
            kept: BTreeMap::new(),
            tracker,
            status: StatusCode::OK,
        }
    }
}

#[derive(Template)]
#[template(path = "ballot.html")]
struct BallotPage {
    layout: Layout,
    id: i64,
    title: String,
    question: String,
    is_question: bool,
    kind: String,
    state: &'static str,
    state_class: &'static str,
    rule: String,
    options: Vec<String>,
    opens: String,
    closes: String,
    /// When those who have not voted are reminded, by the constitution's timetable.
    reminders: String,
    electorate: Option<i64>,
    notice: Option<&'static str>,
    link: bool,
    roll: i64,
    /// scheduled, form, voted, not-voter or closed.
    vote_state: &'static str,
    form: Option<VoteForm>,
    vote_errors: Errors,
    voted: bool,
    turnout: Option<TurnoutView>,
    outcome: Option<String>,
    count: Option<CountView>,
    published: bool,
    check: TrackerCheck,
    recount: String,
    /// The reader runs the ballot: a link to the tellers' page.
    may_run: bool,
    /// The reader is its scrutineer: a link to the audit.
    may_audit: bool,
    /// A verifiable ballot: its trustees and where its key ceremony stands.
    sealed: Option<SealedView>,
}

/// The ballot's reminder timetable in words: each reminder's day before close and its time.
fn reminder_words(b: &BallotRecord) -> String {
    if b.reminder_days.is_empty() {
        return "none: the constitution sets no reminders for this ballot".into();
    }
    b.reminder_days
        .iter()
        .map(|d| {
            format!(
                "{d} day{} before close ({})",
                if *d == 1 { "" } else { "s" },
                time(b.closes_at - chrono::Duration::days(i64::from(*d)))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
        + ": to those who have not voted, once each"
}

async fn ballot_page(
    state: &AppState,
    reader: Reader<'_>,
    view: BallotView,
    extra: Extra,
) -> PageResult {
    let b = &view.ballot;
    let (state_text, state_class) = state_words(b.state);
    let vote_state = match (b.state, view.voted) {
        (BallotState::Scheduled, _) => "scheduled",
        (BallotState::Open, Some(false)) => "form",
        (BallotState::Open, Some(true)) => "voted",
        (BallotState::Open, None) => "not-voter",
        (BallotState::Closed | BallotState::Counted, _) => "closed",
    };
    let mut form = (vote_state == "form")
        .then(|| vote_form(b, reader.action.clone(), reader.csrf.clone(), &extra.kept));
    if let Some(f) = form.as_mut() {
        let ctx = state.app.voting_context(b.id).await?;
        let credential = extra
            .kept
            .get("credential")
            .map(|c| c.trim().to_string())
            .unwrap_or_default();
        f.sealed = ctx.map(|ctx| sealed::sealed_vote(&ctx, credential));
    }
    let officer = reader.session.filter(|_| !reader.link).map(|s| &s.actor);
    let sealed = sealed::sealed_view(state, officer, b, extra.sealed_errors).await?;
    let turnout = if b.state == BallotState::Scheduled {
        None
    } else {
        let rows = state.app.ballot_turnout(b.id).await?;
        Some(TurnoutView {
            voters: view.voters,
            votes: view.votes,
            percent: percent(view.votes, view.voters),
            rows: rows
                .into_iter()
                .map(|t| TurnoutRow {
                    percent: percent(t.voted, t.voters),
                    width: if t.voters > 0 {
                        t.voted.clamp(0, t.voters) * 100 / t.voters
                    } else {
                        0
                    },
                    name: t.name,
                    voters: t.voters,
                    voted: t.voted,
                })
                .collect(),
        })
    };
    let count = b.result_json.as_deref().and_then(|json| {
        let read = count_view::read(json);
        if read.is_none() {
            tracing::warn!(ballot = b.id.0, "a ballot's count record does not read");
        }
        read
    });
    let published = b.state.is_closed();
    let check = if published {
        check_tracker(state, b.id, reader.page.clone(), &extra.tracker).await
    } else {
        TrackerCheck {
            errors: Errors::none("tc-", TRACKER_FIELDS),
            ..TrackerCheck::default()
        }
    };
    let status = if check.errors.any() && extra.status == StatusCode::OK {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        extra.status
    };
    let page = BallotPage {
        layout: Layout::new(b.title.clone(), reader.session, "ballots"),
        id: b.id.0,
        title: b.title.clone(),
        question: b.question.clone(),
        is_question: b.kind == BallotKind::Question,
        kind: kind_words(b),
        state: state_text,
        state_class,
        rule: rule_words(b),
        options: b.options.clone(),
        opens: time(b.opens_at),
        closes: time(b.closes_at),
        reminders: reminder_words(b),
        electorate: b.electorate,
        notice: extra.notice,
        link: reader.link,
        roll: b.roll.0,
        vote_state,
        form,
        vote_errors: extra.vote_errors,
        voted: view.voted == Some(true),
        turnout,
        outcome: b.outcome.clone(),
        count,
        // A sealed ballot's ballots are on its board, encrypted: the section says so.
        published: published && sealed.is_none(),
        check,
        recount: recount_command(b),
        may_run: view.may_run && !reader.link,
        may_audit: view.may_audit && !reader.link,
        sealed,
    };
    let mut resp = render(status, &page);
    if reader.link {
        private(&mut resp);
    }
    Ok(resp)
}

/// The command that recounts the published file.
fn recount_command(b: &BallotRecord) -> String {
    if b.kind == BallotKind::Question {
        "charter count ballots.json --method yes-no".to_string()
    } else {
        format!(
            "charter count ballots.json --method {} --seats {}",
            b.method.name(),
            b.seats
        )
    }
}

/// A page carrying a voting link or a tracker is never cached. (Its address goes to no other
/// site: the referrer policy is same-origin everywhere. `no-referrer` would be stricter but
/// makes browsers send `Origin: null` with the voting form, which the origin check refuses.)
fn private(resp: &mut Response) {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BallotQuery {
    pub saved: String,
    pub tracker: String,
}

pub async fn ballot(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    PageQuery(q): PageQuery<BallotQuery>,
) -> PageResult {
    let view = state.app.ballot_view(&session.actor, id).await?;
    let notice = match q.saved.as_str() {
        "created" => Some(
            "The ballot is set up. Voting opens at the time given, when every voter is sent their personal voting link.",
        ),
        "document" => Some("Your document is checked and on the ballot's board."),
        "credentials" => Some(
            "The voters' public credentials are checked and frozen on the ballot's board. Send each voter their letter with their private credential.",
        ),
        _ => None,
    };
    ballot_page(
        &state,
        Reader::signed_in(&session, id),
        view,
        Extra::plain(notice, q.tracker),
    )
    .await
}

/// The voter a voting link belongs to, and the ballot as they see it; a 403 page otherwise.
async fn link_voter(
    state: &AppState,
    session: Option<&CurrentSession>,
    id: BallotId,
    token: &str,
) -> Result<(Actor, BallotView), Response> {
    let voter = state
        .app
        .voter_for_link(id, token)
        .await
        .map_err(|e| forbidden_link(session, e))?;
    let actor = state
        .app
        .actor(voter)
        .await
        .map_err(|e| error_page(session, e.into()))?;
    let view = state
        .app
        .ballot_view(&actor, id)
        .await
        .map_err(|e| error_page(session, e.into()))?;
    Ok((actor, view))
}

fn forbidden_link(session: Option<&CurrentSession>, e: AppError) -> Response {
    let mut resp = error_page(session, e.into());
    private(&mut resp);
    resp
}

/// `/ballots/{id}/vote/{token}`: the personal voting link from the letter. No sign-in: the
/// link's unguessable token is the voter's credential for this one ballot.
pub async fn ballot_by_link(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PathId(id): PathId<ids::Ballot>,
    PagePath((_, token)): PagePath<(String, String)>,
    PageQuery(q): PageQuery<BallotQuery>,
) -> Response {
    let (_, view) = match link_voter(&state, session.as_ref(), id, &token).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    ballot_page(
        &state,
        Reader::by_link(session.as_ref(), id, &token),
        view,
        Extra::plain(None, q.tracker),
    )
    .await
    .into_response()
}

/// The choices as the form sent them: a question's one answer, or an election's preferences
/// in order. Duplicates and unknown options are the app's to refuse.
fn ranks_from(b: &BallotRecord, form: &BTreeMap<String, String>) -> Result<Vec<u32>, AppError> {
    let field = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    let not_listed = || AppError::invalid("ranks", "choose from the options listed on the ballot");
    if b.kind == BallotKind::Question {
        return match field("choice") {
            "" => Err(AppError::invalid(
                "ranks",
                format!("choose one answer: {}", b.options.join(", ")),
            )),
            raw => raw
                .parse::<u32>()
                .map(|c| vec![c])
                .map_err(|_| not_listed()),
        };
    }
    let mut ranks = Vec::new();
    let mut blank = None;
    for n in 1..=b.options.len() {
        match field(&format!("rank{n}")) {
            "" => {
                blank.get_or_insert(n);
            }
            raw => {
                if let Some(gap) = blank {
                    return Err(AppError::invalid(
                        "ranks",
                        format!(
                            "your {} preference follows a blank {} preference: fill the gap, or clear the preferences after it",
                            ordinal(n),
                            ordinal(gap)
                        ),
                    ));
                }
                ranks.push(raw.parse::<u32>().map_err(|_| not_listed())?);
            }
        }
    }
    if ranks.is_empty() {
        return Err(AppError::invalid("ranks", "choose your 1st preference"));
    }
    Ok(ranks)
}

/// Names the candidate ranked twice, so the voter sees what to change.
fn explain_twice(b: &BallotRecord, ranks: &[u32], message: String) -> String {
    for (i, r) in ranks.iter().enumerate() {
        if let Some(j) = ranks[i + 1..].iter().position(|x| x == r)
            && let Some(name) = b.options.get(*r as usize)
        {
            return format!(
                "{message}: {name} is both your {} and your {} preference",
                ordinal(i + 1),
                ordinal(i + j + 2)
            );
        }
    }
    message
}

#[derive(Template)]
#[template(path = "ballot_receipt.html")]
struct ReceiptPage {
    layout: Layout,
    title: String,
    tracker: String,
    new: bool,
    kept_aside: bool,
    page: String,
    closes: String,
    /// A verifiable ballot: the tracker is the hash of the encrypted ballot on the board.
    sealed: bool,
    /// The tracker in groups of four.
    grouped: String,
    board: String,
}

/// Puts the voter's ballot in the box and shows the receipt, or the ballot page again with
/// what needs changing. The receipt is shown now and never again: nothing joins the voter to
/// their tracker.
async fn cast(
    state: &AppState,
    reader: Reader<'_>,
    voter: &Actor,
    view: BallotView,
    form: BTreeMap<String, String>,
) -> PageResult {
    let b = &view.ballot;
    let submission = form.get("submission").cloned().unwrap_or_default();
    let verifiable = state.app.is_verifiable(b.id).await?;
    let encrypted = form
        .get("encrypted")
        .map(|e| e.trim())
        .filter(|e| !e.is_empty());
    let credential = form.get("credential").map(String::as_str).unwrap_or("");
    let result = match ranks_from(b, &form) {
        // The browser encrypted the choice: the server never sees it.
        _ if verifiable && encrypted.is_some() => {
            match serde_json::from_str::<EncryptedBallot>(encrypted.unwrap_or_default()) {
                Ok(ballot) => {
                    state
                        .app
                        .cast_encrypted(voter.member, b.id, &submission, &ballot, None)
                        .await
                }
                Err(e) => Err(AppError::invalid(
                    "ballot",
                    format!("the encrypted ballot does not read: {e}"),
                )),
            }
        }
        Ok(ranks) if verifiable => state
            .app
            .cast_encrypting_here(
                voter.member,
                b.id,
                &submission,
                &BallotChoice {
                    ranks: ranks.clone(),
                },
                credential,
                None,
            )
            .await
            .map_err(|e| match e {
                AppError::Invalid(mut f) => {
                    if let Some(m) = f.0.remove("ranks") {
                        f.0.insert("ranks".into(), explain_twice(b, &ranks, m));
                    }
                    AppError::Invalid(f)
                }
                other => other,
            }),
        Ok(ranks) => state
            .app
            .cast_ballot(
                voter.member,
                b.id,
                &submission,
                &BallotChoice {
                    ranks: ranks.clone(),
                },
                None,
            )
            .await
            .map_err(|e| match e {
                AppError::Invalid(mut f) => {
                    if let Some(m) = f.0.remove("ranks") {
                        f.0.insert("ranks".into(), explain_twice(b, &ranks, m));
                    }
                    AppError::Invalid(f)
                }
                other => other,
            }),
        Err(e) => Err(e),
    };
    let e = match result {
        Ok(receipt) => {
            let page = ReceiptPage {
                layout: Layout::new("Your receipt", reader.session, "ballots"),
                title: b.title.clone(),
                grouped: sealed::grouped(&receipt.tracker),
                tracker: receipt.tracker,
                sealed: verifiable,
                board: format!("/api/v1/ballots/{}/board", b.id),
                new: receipt.new,
                kept_aside: receipt.kept_aside,
                page: reader.page.clone(),
                closes: time(b.closes_at),
            };
            let mut resp = render(StatusCode::OK, &page);
            private(&mut resp);
            return Ok(resp);
        }
        Err(e) => e,
    };
    let status = match &e {
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    match field_errors(e) {
        Ok(fields) => {
            // The ballot as it stands now: a conflict may mean a vote has just gone in.
            let view = state.app.ballot_view(voter, b.id).await.unwrap_or(view);
            let extra = Extra {
                notice: None,
                sealed_errors: Errors::none("sd-", sealed::SEALED_FIELDS),
                vote_errors: Errors::new("vt-", VOTE_FIELDS, fields),
                kept: form,
                tracker: String::new(),
                status,
            };
            ballot_page(state, reader, view, extra).await
        }
        // Drawn here rather than returned as a `PageError`, so the link's page stays private.
        Err(e) => {
            let mut resp = error_page(reader.session, e.into());
            if reader.link {
                private(&mut resp);
            }
            Ok(resp)
        }
    }
}

/// A signed-in member votes from the ballot's page.
pub async fn vote(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> PageResult {
    let view = state.app.ballot_view(&session.actor, id).await?;
    cast(
        &state,
        Reader::signed_in(&session, id),
        &session.actor,
        view,
        form,
    )
    .await
}

/// A voter votes through their personal link. There is no session and so no CSRF token: the
/// link's token in the address is what a forged form cannot know; the origin is checked too.
pub async fn vote_by_link(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    headers: HeaderMap,
    PathId(id): PathId<ids::Ballot>,
    PagePath((_, token)): PagePath<(String, String)>,
    PageForm(form): PageForm<BTreeMap<String, String>>,
) -> Response {
    if !same_origin(&headers) {
        return error_page(session.as_ref(), WebError::Csrf);
    }
    let (actor, view) = match link_voter(&state, session.as_ref(), id, &token).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    cast(
        &state,
        Reader::by_link(session.as_ref(), id, &token),
        &actor,
        view,
        form,
    )
    .await
    .into_response()
}

pub struct PublishedRow {
    pub tracker: String,
    pub choices: String,
}

#[derive(Template)]
#[template(path = "ballot_published.html")]
struct PublishedPage {
    layout: Layout,
    id: i64,
    title: String,
    total: usize,
    rows: Vec<PublishedRow>,
    pager: Pager,
    check: TrackerCheck,
    recount: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishedQuery {
    pub page: Option<u32>,
    pub tracker: String,
}

/// `/ballots/{id}/published`: every ballot in the box by tracker, once voting has closed.
/// Public, like the files the API publishes, so anyone can check and recount.
pub async fn published(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    PathId(id): PathId<ids::Ballot>,
    PageQuery(q): PageQuery<PublishedQuery>,
) -> PageResult {
    let session = session.as_ref();
    let Some(b) = state.app.find_ballot(id).await? else {
        return Err(PageError::not_found("ballot"));
    };
    let all = state.app.published_ballots(id).await?;
    let page = q.page.unwrap_or(1).max(1);
    let start = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(PUBLISHED_PER_PAGE as usize);
    let rows = all
        .iter()
        .skip(start)
        .take(PUBLISHED_PER_PAGE as usize)
        .map(|p| PublishedRow {
            tracker: p.tracker.clone(),
            choices: p
                .ranks
                .iter()
                .enumerate()
                .map(|(i, name)| format!("{}. {name}", i + 1))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let pager = Pager::new(page, PUBLISHED_PER_PAGE, all.len() as u64, |p| {
        format!("/ballots/{id}/published?page={p}")
    });
    let check = check_tracker(&state, id, format!("/ballots/{id}/published"), &q.tracker).await;
    let status = if check.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &PublishedPage {
            layout: Layout::new(
                format!("Published ballots: {}", b.title),
                session,
                "ballots",
            ),
            id: id.0,
            title: b.title.clone(),
            total: all.len(),
            rows,
            pager,
            check,
            recount: recount_command(&b),
        },
    ))
}

/// The ballot's page for its signed-in trustee or scrutineer, with their upload refused.
pub(super) async fn page_with_sealed_errors(
    state: &AppState,
    session: &CurrentSession,
    id: BallotId,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let view = state.app.ballot_view(&session.actor, id).await?;
    let mut extra = Extra::plain(None, String::new());
    extra.sealed_errors = errors;
    extra.status = status;
    ballot_page(state, Reader::signed_in(session, id), view, extra).await
}
