//! The tellers' page of a ballot (`/ballots/{id}/paper`): mark a member whose envelope came
//! back as having voted on paper, start a batch of papers, and enter a batch paper by paper
//! (each teller on their own; a batch goes into the box when two entries agree). And the
//! scrutineer's page (`/ballots/{id}/audit`): the roll, who has voted and how, turnout, the
//! trail of events and the box checked against the roll and the count.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::paper::{BatchState, BatchView, Paper, PaperDesk};
use charter_app::scrutiny::BallotAudit;
use charter_domain::{BallotKind, BallotState, MemberId};
use charter_model::{BallotId, PaperBatchId};
use serde::Deserialize;

use super::forms::{Errors, field_errors};
use super::view::time;
use super::{CsrfForm, Layout, PageQuery, PageResult, PathId, ids, parse_id, render};
use crate::AppState;
use crate::session::{CurrentSession, PageUser};

const DESK_FIELDS: &[&str] = &["member", "label", "papers", "teller", "batch", "ballot"];

/// One paper's field on the entry form.
pub struct PaperField {
    pub n: usize,
    pub value: String,
    pub differs: bool,
}

pub struct BatchRow {
    pub id: PaperBatchId,
    pub label: String,
    pub papers: i64,
    /// Waiting, Entries differ, In the box.
    pub state: &'static str,
    pub state_class: &'static str,
    pub differ_at: String,
    pub tellers: usize,
    pub entered_by_me: bool,
    pub may_enter: bool,
    pub fields: Vec<PaperField>,
    pub spoilt: Option<i64>,
}

#[derive(Template)]
#[template(path = "ballot_paper.html")]
struct DeskPage {
    layout: Layout,
    id: i64,
    title: String,
    open: bool,
    is_question: bool,
    options: Vec<(usize, String)>,
    paper_voters: i64,
    entered: i64,
    spoilt: i64,
    batches: Vec<BatchRow>,
    notice: Option<&'static str>,
    errors: Errors,
}

/// How a paper is written on the form: a question's answer by number, an election's
/// preferences as candidates' numbers in order ("2 1 3"), or "spoilt".
fn paper_text(p: &Paper) -> String {
    match p {
        Paper::Spoilt => "spoilt".into(),
        Paper::Marked(r) => r
            .iter()
            .map(|x| (x + 1).to_string())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A paper as the form gives it; `None` when it does not read.
fn paper_from(raw: &str) -> Option<Paper> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("spoilt") || raw.eq_ignore_ascii_case("s") {
        return Some(Paper::Spoilt);
    }
    let ranks: Option<Vec<u32>> = raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|x| !x.is_empty())
        .map(|x| x.parse::<u32>().ok().and_then(|n| n.checked_sub(1)))
        .collect();
    ranks.filter(|r| !r.is_empty()).map(Paper::Marked)
}

fn batch_row(v: &BatchView, me: MemberId) -> BatchRow {
    let (state, state_class, differ) = match &v.state {
        BatchState::Waiting => ("waiting for a teller's entry", "pending", Vec::new()),
        BatchState::Differ(p) => ("the entries differ", "no", p.clone()),
        BatchState::Committed => ("in the box", "yes", Vec::new()),
    };
    let n = usize::try_from(v.batch.papers).unwrap_or(0);
    // A correction starts from the teller's own entry; a first entry starts blank.
    let fields = (1..=n)
        .map(|i| PaperField {
            n: i,
            value: v
                .mine
                .as_ref()
                .and_then(|m| m.get(i - 1))
                .map(paper_text)
                .unwrap_or_default(),
            differs: differ.contains(&i),
        })
        .collect();
    BatchRow {
        id: v.batch.id,
        label: v.batch.label.clone(),
        papers: v.batch.papers,
        state,
        state_class,
        differ_at: differ
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        tellers: v.tellers.len(),
        entered_by_me: v.tellers.contains(&me),
        may_enter: v.may_enter,
        fields,
        spoilt: v.batch.spoilt,
    }
}

fn desk_page(
    session: &CurrentSession,
    desk: &PaperDesk,
    notice: Option<&'static str>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let b = &desk.ballot;
    let page = DeskPage {
        layout: Layout::new(
            format!("Paper ballots: {}", b.title),
            Some(session),
            "ballots",
        ),
        id: b.id.0,
        title: b.title.clone(),
        open: b.state == BallotState::Open,
        is_question: b.kind == BallotKind::Question,
        options: b
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| (i + 1, o.clone()))
            .collect(),
        paper_voters: desk.tally.voters,
        entered: desk.tally.committed,
        spoilt: desk.tally.spoilt,
        batches: desk
            .batches
            .iter()
            .map(|v| batch_row(v, session.actor.member))
            .collect(),
        notice,
        errors,
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    pub saved: String,
}

pub async fn desk(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    PageQuery(q): PageQuery<DeskQuery>,
) -> PageResult {
    let notice = match q.saved.as_str() {
        "voter" => Some("Marked as having voted on paper."),
        "batch" => Some("The batch is started: two tellers now enter it, each on their own."),
        "waiting" => {
            Some("Your entry is saved. A second teller now enters the batch on their own.")
        }
        "differ" => Some(
            "Your entry differs from another teller's at the papers shown: check those papers, and a teller enters the batch again.",
        ),
        "committed" => Some("The entries agree: the batch's papers are in the ballot box."),
        _ => None,
    };
    let d = state.app.paper_desk(&session.actor, id).await?;
    Ok(desk_page(
        &session,
        &d,
        notice,
        Errors::none("pb-", DESK_FIELDS),
        StatusCode::OK,
    ))
}

/// Shows the desk again with `err` beside the form that caused it.
async fn refused(
    state: &AppState,
    session: &CurrentSession,
    id: BallotId,
    err: AppError,
) -> PageResult {
    let status = match &err {
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let errs = field_errors(err)?;
    let d = state.app.paper_desk(&session.actor, id).await?;
    Ok(desk_page(
        session,
        &d,
        None,
        Errors::new("pb-", DESK_FIELDS, errs),
        status,
    ))
}

#[derive(Deserialize)]
pub struct VoterForm {
    #[serde(default)]
    pub member: String,
}

pub async fn mark_voter(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfForm(form): CsrfForm<VoterForm>,
) -> PageResult {
    let Some(member) = parse_id(&form.member) else {
        return refused(
            &state,
            &session,
            id,
            AppError::invalid("member", "give the member's number, as on their envelope"),
        )
        .await;
    };
    match state
        .app
        .mark_paper_voter(&session.actor, id, MemberId(member))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ballots/{id}/paper?saved=voter")).into_response()),
        Err(e) => refused(&state, &session, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub papers: String,
}

pub async fn create_batch(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfForm(form): CsrfForm<BatchForm>,
) -> PageResult {
    let Ok(papers) = form.papers.trim().parse::<i64>() else {
        return refused(
            &state,
            &session,
            id,
            AppError::invalid("papers", "give the number of papers in the bundle"),
        )
        .await;
    };
    match state
        .app
        .create_paper_batch(&session.actor, id, &form.label, papers)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ballots/{id}/paper?saved=batch")).into_response()),
        Err(e) => refused(&state, &session, id, e).await,
    }
}

pub async fn enter_batch(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    PathId(batch): PathId<ids::Batch>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> PageResult {
    let mut papers = Vec::new();
    let mut errs = charter_domain::FieldErrors::default();
    for n in 1.. {
        let Some(raw) = form.get(&format!("paper{n}")) else {
            break;
        };
        match paper_from(raw) {
            Some(p) => papers.push(p),
            None => {
                errs.add(
                    "papers",
                    format!("paper {n}: write the numbers in order of preference, or 'spoilt'"),
                );
                papers.push(Paper::Spoilt);
            }
        }
    }
    if !errs.is_empty() {
        return refused(&state, &session, id, AppError::Invalid(errs)).await;
    }
    match state
        .app
        .enter_paper_batch(&session.actor, id, batch, &papers)
        .await
    {
        Ok(e) => {
            let saved = match e.state {
                BatchState::Waiting => "waiting",
                BatchState::Differ(_) => "differ",
                BatchState::Committed => "committed",
            };
            Ok(
                Redirect::to(&format!("/ballots/{id}/paper?saved={saved}#batch-{batch}"))
                    .into_response(),
            )
        }
        Err(e) => refused(&state, &session, id, e).await,
    }
}

// ---------------------------------------------------------------- the scrutineer's page

pub struct AuditVoterRow {
    pub member: i64,
    pub name: String,
    pub voted: String,
    pub how: &'static str,
    /// Marked on paper while the ballot is open: the scrutineer may reverse the mark.
    pub reversible: bool,
}

pub struct TrailRow {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub by: String,
    pub reason: String,
    pub sha256: String,
}

pub struct ChallengeRow {
    pub name: String,
    pub state: String,
    pub grounds: String,
    pub ruling: String,
}

pub struct TurnoutLine {
    pub name: String,
    pub voters: i64,
    pub voted: i64,
}

#[derive(Template)]
#[template(path = "ballot_audit.html")]
struct AuditPage {
    layout: Layout,
    id: i64,
    title: String,
    state: String,
    office: String,
    roll_id: i64,
    roll_title: String,
    frozen_hash: String,
    current_hash: String,
    frozen_ok: bool,
    current_ok: bool,
    challenges: Vec<ChallengeRow>,
    voters: Vec<AuditVoterRow>,
    voters_total: u64,
    page: u32,
    pages: u64,
    has_next: bool,
    turnout: Vec<TurnoutLine>,
    trail: Vec<TrailRow>,
    voted: i64,
    paper_voters: i64,
    papers_entered: i64,
    papers_spoilt: i64,
    awaiting: i64,
    in_box: i64,
    replaced: i64,
    box_matches: bool,
    recount: Option<bool>,
    box_sha256: Option<String>,
    result_sha256: Option<String>,
    outcome: Option<String>,
}

fn audit_page(session: &CurrentSession, a: BallotAudit) -> Response {
    let per = u64::from(charter_app::scrutiny::AUDIT_PAGE);
    let open = a.ballot.state == BallotState::Open;
    let page = AuditPage {
        layout: Layout::new(
            format!("Audit: {}", a.ballot.title),
            Some(session),
            "ballots",
        ),
        id: a.ballot.id.0,
        title: a.ballot.title.clone(),
        state: a.ballot.state.to_string(),
        office: charter_app::office_label(&a.office),
        roll_id: a.roll.id.0,
        roll_title: a.roll.title.clone(),
        frozen_hash: a.roll.frozen_hash.clone(),
        current_hash: a.roll.current_hash.clone(),
        frozen_ok: a.roll_check.frozen_hash_matches,
        current_ok: a.roll_check.current_hash_matches,
        challenges: a
            .challenges
            .iter()
            .map(|c| ChallengeRow {
                name: format!("{} {}", c.first_name, c.last_name),
                state: c.challenge.state.to_string(),
                grounds: c.challenge.grounds.clone(),
                ruling: c.challenge.decision_reason.clone().unwrap_or_default(),
            })
            .collect(),
        voters: a
            .voters
            .items
            .iter()
            .map(|v| AuditVoterRow {
                member: v.member.0,
                name: format!("{} {}", v.first_name, v.last_name),
                voted: v.voted_at.map(time).unwrap_or_default(),
                how: match (v.voted_at.is_some(), v.on_paper, v.kept_aside) {
                    (false, _, _) => "not yet",
                    (true, true, true) => "on paper, and an online ballot kept aside",
                    (true, true, false) => "on paper",
                    (true, false, _) => "online",
                },
                reversible: v.on_paper && open,
            })
            .collect(),
        voters_total: a.voters.total,
        page: a.page,
        pages: a.voters.total.div_ceil(per).max(1),
        has_next: u64::from(a.page) < a.voters.total.div_ceil(per),
        turnout: a
            .turnout
            .iter()
            .map(|t| TurnoutLine {
                name: t.name.clone(),
                voters: t.voters,
                voted: t.voted,
            })
            .collect(),
        trail: a
            .trail
            .iter()
            .map(|t| TrailRow {
                seq: t.event.seq,
                at: time(t.event.at),
                kind: t.event.kind.clone(),
                by: t
                    .event
                    .actor_office
                    .clone()
                    .unwrap_or_else(|| "—".to_string()),
                reason: t.event.reason.clone(),
                sha256: t.sha256.clone(),
            })
            .collect(),
        voted: a.check.voted,
        paper_voters: a.check.paper_voters,
        papers_entered: a.check.paper.committed,
        papers_spoilt: a.check.paper.spoilt,
        awaiting: a.check.papers_awaiting_entry,
        in_box: a.check.boxed.counting,
        replaced: a.check.boxed.superseded,
        box_matches: a.check.box_matches,
        recount: a.check.recount_matches,
        box_sha256: a.check.box_sha256.clone(),
        result_sha256: a.check.result_sha256.clone(),
        outcome: a.ballot.outcome.clone(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct ReversalForm {
    #[serde(default)]
    pub member: String,
    #[serde(default)]
    pub reason: String,
    /// `audit` when sent from the scrutineer's page, else the tellers' desk.
    #[serde(default)]
    pub back: String,
}

/// Reverses a paper mark, from the tellers' desk or the scrutineer's audit, and goes back.
pub async fn reverse_mark(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfForm(form): CsrfForm<ReversalForm>,
) -> PageResult {
    let from_audit = form.back == "audit";
    let result = match parse_id(&form.member) {
        None => Err(AppError::invalid(
            "member",
            "give the number of the member whose mark is reversed",
        )),
        Some(member) => {
            state
                .app
                .reverse_paper_mark(&session.actor, id, MemberId(member), &form.reason)
                .await
        }
    };
    match (result, from_audit) {
        (Ok(_), true) => {
            Ok(Redirect::to(&format!("/ballots/{id}/audit?saved=reversed")).into_response())
        }
        (Ok(_), false) => {
            Ok(Redirect::to(&format!("/ballots/{id}/paper?saved=reversed")).into_response())
        }
        (Err(e), true) => Err(e.into()),
        (Err(e), false) => refused(&state, &session, id, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    pub page: String,
}

pub async fn audit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    PageQuery(q): PageQuery<AuditQuery>,
) -> PageResult {
    let page = q
        .page
        .trim()
        .parse::<u32>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let a = state.app.ballot_audit(&session.actor, id, page).await?;
    Ok(audit_page(&session, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_read_as_tellers_write_them() {
        assert_eq!(paper_from("2"), Some(Paper::Marked(vec![1])));
        assert_eq!(paper_from(" 3 1, 2 "), Some(Paper::Marked(vec![2, 0, 1])));
        assert_eq!(paper_from("Spoilt"), Some(Paper::Spoilt));
        assert_eq!(paper_from("s"), Some(Paper::Spoilt));
        assert_eq!(paper_from(""), None);
        assert_eq!(paper_from("0"), None);
        assert_eq!(paper_from("two"), None);
        for p in [Paper::Spoilt, Paper::Marked(vec![2, 0, 1])] {
            assert_eq!(paper_from(&paper_text(&p)), Some(p));
        }
    }
}
