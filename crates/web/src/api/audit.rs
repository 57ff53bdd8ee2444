//! The scrutineer's audit of a ballot: its roll, who has voted and how, turnout, its trail of
//! events with their hashes, and the box checked against the roll and the count. Only the
//! holder of the office the constitution names as scrutineer reads it; never a choice.

use axum::Json;
use axum::extract::State;
use charter_model::BallotId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiPath;
use super::ballots::{Ballot, TurnoutBody};
use super::wire::{Challenge, Roll, RollVerification};
use crate::AppState;
use crate::error::{ApiQuery, ApiResult, ErrorBody};
use crate::session::ApiUser;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Page of the voters, 1-based (100 a page).
    pub page: Option<u32>,
}

/// A voter of the ballot and whether (and how) they have voted: participation only.
#[derive(Serialize, ToSchema)]
pub struct AuditVoter {
    pub member_id: i64,
    pub name: String,
    pub branch_id: i64,
    pub voted_at: Option<DateTime<Utc>>,
    /// Marked by a teller as voting on paper (their envelope's declaration checked).
    pub on_paper: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AuditChallenge {
    #[serde(flatten)]
    pub challenge: Challenge,
    pub member_name: String,
}

/// One event of the ballot's trail.
#[derive(Serialize, ToSchema)]
pub struct TrailEventBody {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_office: Option<String>,
    pub kind: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub reason: String,
    /// SHA-256 of the event's canonical text: `charter-event-v1`, seq, time (RFC 3339),
    /// kind, subject, actor id or `-`, office or `-`, payload and reason, each on a line.
    pub sha256: String,
}

/// The box against the roll's marks, and the count redone.
#[derive(Serialize, ToSchema)]
pub struct BoxCheckBody {
    /// Voters marked as having voted, online or on paper.
    pub voted: i64,
    pub voted_on_paper: i64,
    /// Papers in batches that went into the box, spoilt ones included.
    pub papers_entered: i64,
    pub papers_spoilt: i64,
    pub papers_awaiting_entry: i64,
    /// Ballots in the box that count.
    pub ballots_in_box: i64,
    /// Ballots a later vote replaced.
    pub ballots_replaced: i64,
    /// One ballot that counts per voter marked online and one per unspoilt paper entered.
    pub box_matches: bool,
    /// Once counted: whether the count redone from the box gives the published record.
    pub recount_matches: Option<bool>,
    /// Once closed: SHA-256 of the box as published (`tracker sealed` lines, tracker order).
    pub box_sha256: Option<String>,
    /// Once counted: SHA-256 of the count's published record.
    pub result_sha256: Option<String>,
}

/// What the ballot's scrutineer reads.
#[derive(Serialize, ToSchema)]
pub struct BallotAuditBody {
    pub ballot: Ballot,
    /// The office the reader scrutinises by, e.g. "scrutineer, Common Ground Campaign".
    pub scrutineer_office: String,
    pub roll: Roll,
    pub roll_verification: RollVerification,
    pub challenges: Vec<AuditChallenge>,
    /// Voters issued a link when the ballot opened (none before), a page at a time.
    pub voters: Vec<AuditVoter>,
    pub voters_total: u64,
    pub page: u32,
    pub turnout: Vec<TurnoutBody>,
    pub trail: Vec<TrailEventBody>,
    pub check: BoxCheckBody,
    /// The count's record (as `charter count --format json` prints it), once counted.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

/// The ballot's audit, for its scrutineer only (403 for anyone else, officers included):
/// the roll with its challenges, who has voted and how, turnout, the trail of events with
/// hashes, and the box checked against the roll and the count. Never a choice. Reading the
/// voters' names is logged in each one's access log.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/audit",
    operation_id = "audit_ballot",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id"), AuditQuery),
    responses(
        (status = 200, body = BallotAuditBody),
        (status = 403, description = "Not the ballot's scrutineer", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
    )
)]
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<BallotAuditBody>> {
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let a = state
        .app
        .ballot_audit(&user.actor, BallotId(id), page)
        .await?;
    Ok(Json(BallotAuditBody {
        ballot: (&a.ballot).into(),
        scrutineer_office: charter_app::office_label(&a.office),
        roll: (&a.roll).into(),
        roll_verification: RollVerification {
            frozen_hash_matches: a.roll_check.frozen_hash_matches,
            current_hash_matches: a.roll_check.current_hash_matches,
            lines: a.roll_check.lines,
        },
        challenges: a
            .challenges
            .iter()
            .map(|c| AuditChallenge {
                challenge: (&c.challenge).into(),
                member_name: format!("{} {}", c.first_name, c.last_name),
            })
            .collect(),
        voters: a
            .voters
            .items
            .iter()
            .map(|v| AuditVoter {
                member_id: v.member.0,
                name: format!("{} {}", v.first_name, v.last_name),
                branch_id: v.branch.0,
                voted_at: v.voted_at,
                on_paper: v.on_paper,
            })
            .collect(),
        voters_total: a.voters.total,
        page: a.page,
        turnout: a
            .turnout
            .into_iter()
            .map(|t| TurnoutBody {
                branch_id: t.branch.0,
                branch: t.name,
                voters: t.voters,
                voted: t.voted,
            })
            .collect(),
        trail: a
            .trail
            .into_iter()
            .map(|t| TrailEventBody {
                seq: t.event.seq,
                at: t.event.at,
                actor_id: t.event.actor_member.map(|m| m.0),
                actor_office: t.event.actor_office,
                kind: t.event.kind,
                subject: t.event.subject,
                payload: serde_json::from_str(&t.event.payload).unwrap_or(serde_json::Value::Null),
                reason: t.event.reason,
                sha256: t.sha256,
            })
            .collect(),
        check: BoxCheckBody {
            voted: a.check.voted,
            voted_on_paper: a.check.paper_voters,
            papers_entered: a.check.paper.committed,
            papers_spoilt: a.check.paper.spoilt,
            papers_awaiting_entry: a.check.papers_awaiting_entry,
            ballots_in_box: a.check.boxed.counting,
            ballots_replaced: a.check.boxed.superseded,
            box_matches: a.check.box_matches,
            recount_matches: a.check.recount_matches,
            box_sha256: a.check.box_sha256,
            result_sha256: a.check.result_sha256,
        },
        result: a
            .ballot
            .result_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
    }))
}
