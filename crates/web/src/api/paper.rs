//! Paper and postal ballots, for the officers running a ballot as its tellers: mark a member
//! whose envelope came back as having voted on paper, then enter the papers in batches, each
//! twice by two tellers on their own; a batch goes into the box when two entries agree.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::AppError;
use charter_app::paper::{BatchState, BatchView, Paper, PaperDesk};
use charter_domain::MemberId;
use charter_model::{BallotId, PaperBatchId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::ApiUser;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperVoterRequest {
    /// The member whose returned envelope's declaration was checked.
    pub member_id: i64,
}

/// The ballot's paper side in numbers.
#[derive(Serialize, ToSchema)]
pub struct PaperTallyBody {
    /// Members marked as having voted on paper.
    pub paper_voters: i64,
    /// Papers in batches in the box, spoilt ones included.
    pub papers_entered: i64,
    pub papers_spoilt: i64,
}

impl From<charter_model::PaperTally> for PaperTallyBody {
    fn from(t: charter_model::PaperTally) -> Self {
        PaperTallyBody {
            paper_voters: t.voters,
            papers_entered: t.committed,
            papers_spoilt: t.spoilt,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperBatchRequest {
    /// How the tellers know the bundle, e.g. "postal box 1, bundle 3".
    pub label: String,
    /// Papers in the bundle, spoilt ones included (1 to 500).
    pub papers: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PaperBatchCreated {
    pub id: i64,
}

/// One ballot paper as a teller reads it: its choices, or spoilt.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BallotPaper)]
pub struct PaperBody {
    /// Options by index in order of preference; a question's paper takes exactly one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranks: Option<Vec<u32>>,
    /// true for a spoilt paper (unmarked, marked for too many, or unclear): counted in
    /// turnout, not in the count. Give `ranks` or `spoilt`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoilt: Option<bool>,
}

impl From<&Paper> for PaperBody {
    fn from(p: &Paper) -> Self {
        match p {
            Paper::Marked(r) => PaperBody {
                ranks: Some(r.clone()),
                spoilt: None,
            },
            Paper::Spoilt => PaperBody {
                ranks: None,
                spoilt: Some(true),
            },
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperEntryRequest {
    /// Every paper of the batch, in the order they lie.
    pub papers: Vec<PaperBody>,
}

/// A batch as a teller sees it: never another teller's entry.
#[derive(Serialize, ToSchema)]
pub struct PaperBatchBody {
    pub id: i64,
    pub label: String,
    pub papers: i64,
    /// waiting (for a teller's entry), differ (the entries disagree) or committed (in the box).
    pub state: String,
    /// The papers (1-based) where the tellers' entries differ.
    pub differ_at: Vec<usize>,
    /// Tellers who have entered it, by member id, in order.
    pub tellers: Vec<i64>,
    /// Whether you may enter it now.
    pub may_enter: bool,
    /// Your latest entry of it, if you made one.
    pub your_entry: Option<Vec<PaperBody>>,
    pub spoilt: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
}

fn state_words(s: &BatchState) -> (String, Vec<usize>) {
    match s {
        BatchState::Waiting => ("waiting".into(), Vec::new()),
        BatchState::Differ(p) => ("differ".into(), p.clone()),
        BatchState::Committed => ("committed".into(), Vec::new()),
    }
}

impl From<&BatchView> for PaperBatchBody {
    fn from(v: &BatchView) -> Self {
        let (state, differ_at) = state_words(&v.state);
        PaperBatchBody {
            id: v.batch.id.0,
            label: v.batch.label.clone(),
            papers: v.batch.papers,
            state,
            differ_at,
            tellers: v.tellers.iter().map(|m| m.0).collect(),
            may_enter: v.may_enter,
            your_entry: v
                .mine
                .as_ref()
                .map(|m| m.iter().map(PaperBody::from).collect()),
            spoilt: v.batch.spoilt,
            created_at: v.batch.created_at,
            committed_at: v.batch.committed_at,
        }
    }
}

/// The tellers' desk: the paper side in numbers and every batch.
#[derive(Serialize, ToSchema)]
pub struct PaperDeskBody {
    #[serde(flatten)]
    pub tally: PaperTallyBody,
    pub batches: Vec<PaperBatchBody>,
}

impl From<&PaperDesk> for PaperDeskBody {
    fn from(d: &PaperDesk) -> Self {
        PaperDeskBody {
            tally: d.tally.into(),
            batches: d.batches.iter().map(PaperBatchBody::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaperEntered {
    pub entry_id: i64,
    /// waiting, differ or committed: where the batch stands after your entry.
    pub state: String,
    /// The papers (1-based) where the tellers' entries differ.
    pub differ_at: Vec<usize>,
}

/// The papers as the app takes them; a paper with neither or both of ranks and spoilt is
/// refused, naming it.
pub fn papers_from(body: &[PaperBody]) -> Result<Vec<Paper>, AppError> {
    body.iter()
        .enumerate()
        .map(|(i, p)| match (&p.ranks, p.spoilt) {
            (Some(r), None | Some(false)) => Ok(Paper::Marked(r.clone())),
            (None, Some(true)) => Ok(Paper::Spoilt),
            _ => Err(AppError::invalid(
                "papers",
                format!("paper {}: give its ranks, or spoilt: true", i + 1),
            )),
        })
        .collect()
}

/// Mark a member as having voted on paper: their returned envelope's declaration is checked
/// (the officers running the ballot). Records that they took part, never a choice.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/paper-voters",
    operation_id = "mark_paper_voter",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    request_body = PaperVoterRequest,
    responses(
        (status = 201, description = "Marked", body = PaperTallyBody),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "The member has voted already, online or on paper, or the ballot is not open", body = ErrorBody),
        (status = 422, description = "The member is not a voter on the ballot's roll", body = ErrorBody),
    )
)]
pub async fn mark_voter(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PaperVoterRequest>,
) -> ApiResult<(StatusCode, Json<PaperTallyBody>)> {
    let tally = state
        .app
        .mark_paper_voter(&user.actor, BallotId(id), MemberId(req.member_id))
        .await?;
    Ok((StatusCode::CREATED, Json(tally.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperMarkReversalRequest {
    /// Why the mark is wrong, kept on the mark and in the record, e.g. "no envelope from
    /// this member was received".
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaperMarkReversed {
    /// true when the member's online ballot, kept aside while the mark stood, went into the
    /// box; false when they had none and may now vote.
    pub kept_aside_ballot_boxed: bool,
}

/// Reverse a teller's mark that a member voted on paper, before the count (the ballot's
/// scrutineer, or a teller other than the one who made it), with the reason kept. Their
/// online ballot kept aside, if any, goes into the box; otherwise they may vote.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/paper-voters/{member_id}/reversal",
    operation_id = "reverse_paper_mark",
    tag = "ballots",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "Ballot id"),
        ("member_id" = i64, Path, description = "The member marked as voting on paper"),
    ),
    request_body = PaperMarkReversalRequest,
    responses(
        (status = 200, body = PaperMarkReversed),
        (status = 403, description = "Neither the ballot's scrutineer nor one of its tellers", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "Reversed already, made by the reader, papers in the box would outnumber the marks, or the ballot is not open", body = ErrorBody),
        (status = 422, description = "No reason, or no such mark", body = ErrorBody),
    )
)]
pub async fn reverse_mark(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, member)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<PaperMarkReversalRequest>,
) -> ApiResult<Json<PaperMarkReversed>> {
    let boxed = state
        .app
        .reverse_paper_mark(&user.actor, BallotId(id), MemberId(member), &req.reason)
        .await?;
    Ok(Json(PaperMarkReversed {
        kept_aside_ballot_boxed: boxed,
    }))
}

/// The tellers' desk: the paper side in numbers and every batch (the officers running the
/// ballot). Each teller sees their own entries, never another's.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/paper-batches",
    operation_id = "list_paper_batches",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = PaperDeskBody),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PaperDeskBody>> {
    let desk = state.app.paper_desk(&user.actor, BallotId(id)).await?;
    Ok(Json((&desk).into()))
}

/// Start a batch: a bundle of papers out of their envelopes, to be entered by two tellers.
/// Refused while its papers and those in the box would outnumber the paper voters marked.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/paper-batches",
    operation_id = "create_paper_batch",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    request_body = PaperBatchRequest,
    responses(
        (status = 201, body = PaperBatchCreated),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "More papers than paper voters marked, or the ballot is not open", body = ErrorBody),
        (status = 422, description = "The label or number of papers needs attention", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PaperBatchRequest>,
) -> ApiResult<(StatusCode, Json<PaperBatchCreated>)> {
    let batch = state
        .app
        .create_paper_batch(&user.actor, BallotId(id), &req.label, req.papers)
        .await?;
    Ok((StatusCode::CREATED, Json(PaperBatchCreated { id: batch.0 })))
}

/// One batch as you, a teller, see it.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/paper-batches/{batch}",
    operation_id = "get_paper_batch",
    tag = "ballots",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "Ballot id"),
        ("batch" = i64, Path, description = "Batch id"),
    ),
    responses(
        (status = 200, body = PaperBatchBody),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot or batch", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, batch)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<PaperBatchBody>> {
    let v = state
        .app
        .paper_batch(&user.actor, BallotId(id), PaperBatchId(batch))
        .await?;
    Ok(Json((&v).into()))
}

/// Enter a batch, paper by paper, on your own. The first teller's entry waits for a second
/// teller's (the same teller twice is refused); when two tellers' latest entries agree the
/// batch goes into the box in the same transaction, each paper under a fresh tracker; when
/// they differ, `differ_at` names the papers and a teller enters the batch again.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/paper-batches/{batch}/entries",
    operation_id = "enter_paper_batch",
    tag = "ballots",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "Ballot id"),
        ("batch" = i64, Path, description = "Batch id"),
    ),
    request_body = PaperEntryRequest,
    responses(
        (status = 201, body = PaperEntered),
        (status = 403, description = "Not an officer running the ballot", body = ErrorBody),
        (status = 404, description = "No such ballot or batch", body = ErrorBody),
        (status = 409, description = "You entered it already and no second teller has, it is in the box, another entry came first, more papers than paper voters, or the ballot is not open", body = ErrorBody),
        (status = 422, description = "A paper or the number of papers needs attention", body = ErrorBody),
    )
)]
pub async fn enter(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, batch)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<PaperEntryRequest>,
) -> ApiResult<(StatusCode, Json<PaperEntered>)> {
    let papers = papers_from(&req.papers)?;
    let e = state
        .app
        .enter_paper_batch(&user.actor, BallotId(id), PaperBatchId(batch), &papers)
        .await?;
    let (state, differ_at) = state_words(&e.state);
    Ok((
        StatusCode::CREATED,
        Json(PaperEntered {
            entry_id: e.entry.0,
            state,
            differ_at,
        }),
    ))
}
