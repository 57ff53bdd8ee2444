//! Wire formats for frozen rolls and challenges to them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A roll to freeze: who may exercise `right` in `context` on `cutoff`, by the version in
/// force that day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollRequestBody {
    #[schema(example = "Special conference, March")]
    pub title: String,
    /// conference, member-ballot, branch-meeting, regional-meeting or committee:<body>.
    #[schema(example = "conference")]
    pub context: String,
    /// The branch (branch-meeting) or region (regional-meeting) whose meeting it is.
    pub unit_id: Option<i64>,
    /// attend, speak, vote (the default), stand, nominate or propose.
    pub right: Option<String>,
    /// Defaults to today; never in the future.
    pub cutoff: Option<NaiveDate>,
    /// Last day to challenge an exclusion; defaults to the constitution's `roll-challenge`
    /// deadline, else a week from today.
    pub challenge_closes_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct RollFrozen {
    pub id: i64,
    /// SHA-256 of the roll's canonical text (see ARCHITECTURE.md, "Rolls").
    pub hash: String,
    pub eligible: i64,
    pub excluded: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Roll {
    pub id: i64,
    pub title: String,
    pub context: String,
    pub unit_id: Option<i64>,
    pub right: String,
    pub cutoff: NaiveDate,
    pub constitution_version_id: i64,
    pub challenge_closes_on: NaiveDate,
    /// The hash of the list as frozen.
    pub frozen_hash: String,
    /// The frozen hash extended by each decided challenge, in order.
    pub current_hash: String,
    pub eligible: i64,
    pub excluded: i64,
    pub frozen_at: DateTime<Utc>,
}

impl From<&charter_model::RollRecord> for Roll {
    fn from(r: &charter_model::RollRecord) -> Self {
        Roll {
            id: r.id.0,
            title: r.title.clone(),
            context: r.context.clone(),
            unit_id: r.unit.map(|u| u.0),
            right: r.right.clone(),
            cutoff: r.cutoff,
            constitution_version_id: r.version_id.0,
            challenge_closes_on: r.challenge_closes_on,
            frozen_hash: r.frozen_hash.clone(),
            current_hash: r.current_hash.clone(),
            eligible: r.eligible,
            excluded: r.excluded,
            frozen_at: r.frozen_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RollBranch {
    pub branch_id: i64,
    pub branch_name: String,
    pub eligible: i64,
    pub excluded: i64,
}

/// One member's line on a roll: on it or not, and the clause that decided.
#[derive(Serialize, ToSchema)]
pub struct RollLine {
    pub member_id: i64,
    pub branch_id: i64,
    /// On the roll as it stands.
    pub eligible: bool,
    /// On the roll as frozen.
    pub frozen_eligible: bool,
    /// For a member frozen off the roll, the clauses that decided.
    pub clauses: Vec<String>,
    pub reason: Option<String>,
    /// The upheld challenge that put them on it.
    pub challenge_id: Option<i64>,
}

impl From<&charter_model::RollEntryRecord> for RollLine {
    fn from(e: &charter_model::RollEntryRecord) -> Self {
        RollLine {
            member_id: e.member.0,
            branch_id: e.branch.0,
            eligible: e.eligible,
            frozen_eligible: e.frozen_eligible,
            clauses: e
                .clauses
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            reason: (!e.reason.is_empty()).then(|| e.reason.clone()),
            challenge_id: e.challenge.map(|id| id.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Challenge {
    pub id: i64,
    pub roll_id: i64,
    pub member_id: i64,
    pub branch_id: i64,
    pub grounds: String,
    pub lodged_at: DateTime<Utc>,
    /// open, upheld or rejected.
    pub state: String,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<&charter_model::ChallengeRecord> for Challenge {
    fn from(c: &charter_model::ChallengeRecord) -> Self {
        Challenge {
            id: c.id.0,
            roll_id: c.roll.0,
            member_id: c.member.0,
            branch_id: c.branch.0,
            grounds: c.grounds.clone(),
            lodged_at: c.lodged_at,
            state: c.state.to_string(),
            decision_reason: c.decision_reason.clone(),
            decided_at: c.decided_at,
        }
    }
}

/// A roll as the caller may see it: counts for everyone, their own line, and the
/// challenges they may see (their own; officers: those in their scope).
#[derive(Serialize, ToSchema)]
pub struct RollDetail {
    pub roll: Roll,
    /// The constitution version that decided it.
    pub constitution_version: String,
    pub unit_name: Option<String>,
    pub challenge_open: bool,
    pub branches: Vec<RollBranch>,
    /// The caller's line; null when the roll does not list them (another unit's meeting).
    pub me: Option<RollLine>,
    pub challenges: Vec<Challenge>,
}

impl From<&charter_app::rolls::RollView> for RollDetail {
    fn from(v: &charter_app::rolls::RollView) -> Self {
        RollDetail {
            roll: (&v.roll).into(),
            constitution_version: v.version.clone(),
            unit_name: v.unit_name.clone(),
            challenge_open: v.challenge_open,
            branches: v
                .counts
                .iter()
                .map(|(id, name, yes, no)| RollBranch {
                    branch_id: id.0,
                    branch_name: name.clone(),
                    eligible: *yes,
                    excluded: *no,
                })
                .collect(),
            me: v.mine.as_ref().map(Into::into),
            challenges: v.challenges.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RollEntriesQuery {
    /// Branch (unit) id.
    pub branch: Option<i64>,
    /// true: only those on the roll; false: only those off it.
    pub eligible: Option<bool>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// 1 to 500, default 100.
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct RollEntry {
    #[serde(flatten)]
    pub line: RollLine,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct RollEntries {
    pub items: Vec<RollEntry>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// Why the member should be on the roll.
    #[schema(example = "I paid my dues on 2 March; the receipt number is 4411")]
    pub grounds: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeLodged {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeDecisionRequest {
    pub upheld: bool,
    pub reason: String,
}

/// Whether the stored roll still produces the hashes it was published with.
#[derive(Serialize, ToSchema)]
pub struct RollVerification {
    pub frozen_hash_matches: bool,
    pub current_hash_matches: bool,
    pub lines: usize,
}
