//! Wire formats for meetings, motions, votes, minutes and published statements.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A meeting to call: body, kind and when; the constitution in force decides the notice,
/// quorum and who is entitled to attend and vote.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequestBody {
    /// The body meeting: `branch-meeting`, `regional-meeting`, `conference`, or a committee's key.
    #[schema(example = "branch-meeting")]
    pub body: String,
    /// The branch or region whose meeting it is.
    pub unit_id: Option<i64>,
    /// The kind of sitting, which sets notice and quorum: `general-meeting`, `committee-meeting`…
    #[schema(example = "general-meeting")]
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// physical, online or hybrid.
    #[schema(schema_with = crate::api::words::meeting_mode)]
    pub mode: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    #[serde(default)]
    pub agenda: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingCalled {
    pub id: i64,
    /// Members sent notice.
    pub invited: usize,
    /// Set when the notice falls short of the constitution: the meeting will not be properly
    /// convened and its votes will not bind.
    pub short_notice: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub body: String,
    pub unit_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
    pub notice_clause: Option<String>,
    pub notice_days: Option<u32>,
    pub notice_complete_at: Option<DateTime<Utc>>,
    /// Members entitled to attend.
    pub entitled: i64,
    pub state: String,
    /// The adopted motion that adjourned it; no business is taken after.
    pub adjourned_by_id: Option<i64>,
}

impl From<&charter_model::MeetingRecord> for Meeting {
    fn from(m: &charter_model::MeetingRecord) -> Self {
        Meeting {
            id: m.id.0,
            body: m.body.clone(),
            unit_id: m.unit.map(|u| u.0),
            kind: m.kind.clone(),
            title: m.title.clone(),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            mode: m.mode.to_string(),
            place: m.place.clone(),
            online_url: m.online_url.clone(),
            agenda: m.agenda.clone(),
            notice_clause: m.notice_clause.clone(),
            notice_days: m.notice_days,
            notice_complete_at: m.notice_complete_at,
            entitled: m.entitled,
            state: m.state.to_string(),
            adjourned_by_id: m.adjourned_by.map(|id| id.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Motion {
    pub id: i64,
    pub number: i64,
    /// ordinary-motion, dissolve-body, create-body or suspend-standing-orders.
    pub kind: String,
    pub title: String,
    pub text: String,
    pub matter: Option<String>,
    pub position: Option<String>,
    /// The meeting it calls for, e.g. `special-conference`: adopted at a branch's meeting
    /// and published, it counts towards the requisition for that meeting.
    pub requires: Option<String>,
    pub proposed_by_id: Option<i64>,
    /// Who seconded it, once someone has (`POST /api/v1/motions/{id}/seconder`).
    pub seconded_by_id: Option<i64>,
    /// For an amendment: the motion (or amendment) it amends. Its `text` is the whole
    /// wording proposed instead.
    pub amends_id: Option<i64>,
    /// For a procedural motion or a rescission: the motion it acts on.
    pub target_id: Option<i64>,
    /// Late business, put only once admitted (`admitted_by_id`).
    pub emergency: bool,
    pub admitted_by_id: Option<i64>,
    /// The adopted motion that set this aside: next business, referred back or rescinded.
    pub set_aside_by_id: Option<i64>,
    pub proposed_at: DateTime<Utc>,
    /// proposed, adopted, rejected, not-binding or withdrawn.
    pub state: String,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    pub abstentions: Option<i64>,
    pub present: Option<i64>,
    /// Why it was rejected or does not bind: each with the clause, when one applies.
    pub reasons: Vec<ClauseReason>,
    pub decided_at: Option<DateTime<Utc>>,
    pub published: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClauseReason {
    pub clause: Option<String>,
    pub reason: String,
}

impl From<&charter_model::MotionRecord> for Motion {
    fn from(m: &charter_model::MotionRecord) -> Self {
        let reasons: Vec<(String, String)> = m
            .failures_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        Motion {
            id: m.id.0,
            number: m.number,
            kind: m.kind.clone(),
            title: m.title.clone(),
            text: m.text.clone(),
            matter: m.matter.clone(),
            position: m.position.clone(),
            requires: m.requires.clone(),
            proposed_by_id: m.proposed_by.map(|p| p.0),
            seconded_by_id: m.seconded_by.map(|p| p.0),
            amends_id: m.parent.map(|id| id.0),
            target_id: m.target.map(|id| id.0),
            emergency: m.emergency,
            admitted_by_id: m.admitted_by.map(|id| id.0),
            set_aside_by_id: m.set_aside_by.map(|id| id.0),
            proposed_at: m.proposed_at,
            state: m.state.to_string(),
            votes_for: m.votes_for,
            votes_against: m.votes_against,
            abstentions: m.abstentions,
            present: m.present,
            reasons: reasons
                .into_iter()
                .map(|(c, r)| ClauseReason {
                    clause: (!c.is_empty()).then_some(c),
                    reason: r,
                })
                .collect(),
            decided_at: m.decided_at,
            published: m.published,
        }
    }
}

/// A meeting as the caller sees it: whether it was properly convened and why, its quorum,
/// attendance and motions, and the caller's own place on its roll.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub unit_name: Option<String>,
    pub body_name: String,
    /// null while notices are still being delivered.
    pub properly_convened: Option<bool>,
    pub convening_clause: Option<String>,
    pub convening: String,
    pub notices_queued: i64,
    pub notices_sent: i64,
    pub notices_failed: i64,
    pub present: i64,
    pub present_voting: i64,
    pub entitled_to_vote: i64,
    pub quorum: Option<u32>,
    pub quorum_clause: Option<String>,
    pub quorate: Option<bool>,
    pub motions: Vec<Motion>,
    /// null when the caller is not on the roll; else whether they may vote.
    pub may_vote: Option<bool>,
    pub checked_in: bool,
}

impl From<&charter_app::meetings::MeetingView> for MeetingDetail {
    fn from(v: &charter_app::meetings::MeetingView) -> Self {
        MeetingDetail {
            meeting: (&v.meeting).into(),
            unit_name: v.unit_name.clone(),
            body_name: v.body_name.clone(),
            properly_convened: v.convening.properly_convened,
            convening_clause: v.convening.clause.clone(),
            convening: v.convening.explanation.clone(),
            notices_queued: v.notices.queued,
            notices_sent: v.notices.sent,
            notices_failed: v.notices.failed,
            present: v.present,
            present_voting: v.present_voting,
            entitled_to_vote: v.entitled_to_vote,
            quorum: v.quorum.as_ref().map(|q| q.1),
            quorum_clause: v.quorum.as_ref().map(|q| q.0.clone()),
            quorate: v
                .quorum
                .as_ref()
                .map(|q| v.present_voting >= i64::from(q.1)),
            motions: v.motions.iter().map(Into::into).collect(),
            may_vote: v.mine,
            checked_in: v.checked_in,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeetingsQuery {
    /// Only this unit's meetings.
    pub unit: Option<i64>,
    /// true: only meetings that have not started.
    pub upcoming: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// Someone else to check in (officers running the meeting); omit to check yourself in.
    pub member_id: Option<i64>,
    /// The meeting's check-in code, read out at the meeting or carried in its link; needed to
    /// check yourself in unless you run the meeting. Case, spaces and hyphens do not matter.
    pub code: Option<String>,
}

/// A meeting's check-in code and the link that carries it, for the officers running it.
#[derive(Serialize, ToSchema)]
pub struct CheckInCode {
    /// Six letters and digits, without I, O, 0 or 1.
    pub code: String,
    /// The page a member opens to check in with the code filled in (a path on this site).
    pub link: String,
}

impl CheckInCode {
    pub fn new(meeting: i64, code: String) -> Self {
        CheckInCode {
            link: format!("/meetings/{meeting}/check-in/{code}"),
            code,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionRequest {
    /// ordinary-motion, dissolve-body, create-body, suspend-standing-orders or rescind.
    #[schema(example = "ordinary-motion")]
    #[schema(schema_with = crate::api::words::motion_kind)]
    pub kind: String,
    pub title: String,
    pub text: String,
    /// A national matter this speaks to, e.g. `constitution-2017`, so branches' motions add up.
    pub matter: Option<String>,
    /// support or oppose (with `matter`).
    pub position: Option<String>,
    /// A meeting the motion calls for, e.g. `special-conference`: one the constitution in
    /// force lets branches require, at a branch's meeting. Adopted and published, the motion
    /// counts towards that meeting's requisition, whatever its matter or position.
    pub requires: Option<String>,
    /// Late business, after the deadline or at the meeting: taken only once admitted by a
    /// vote (`admit-emergency-motion`).
    #[serde(default)]
    pub emergency: bool,
    /// For `rescind`: the standing decision of an earlier meeting of the same body.
    pub rescinds_id: Option<i64>,
}

/// A procedural motion moved at the meeting by a member present.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProceduralRequest {
    /// closure, next-business, refer-back, adjourn, admit-emergency-motion or
    /// suspend-standing-orders.
    #[schema(example = "closure")]
    #[schema(schema_with = crate::api::words::procedural_kind)]
    pub kind: String,
    /// The motion of this meeting it is about (all but adjourn and suspend-standing-orders).
    pub target_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MotionProposed {
    pub id: i64,
}

/// The tellers' count.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub votes_for: u32,
    pub votes_against: u32,
    #[serde(default)]
    pub abstentions: u32,
    /// Voting members present; defaults to those checked in.
    pub present: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct VoteOutcome {
    /// adopted, rejected or not-binding.
    pub outcome: String,
    pub reasons: Vec<ClauseReason>,
}

/// An amendment: the motion's whole wording as it would read once amended.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionAmendmentRequest {
    pub text: String,
}

/// The motions a withdrawal took off the agenda: the motion and its undecided amendments.
#[derive(Serialize, ToSchema)]
pub struct Withdrawn {
    pub withdrawn: Vec<i64>,
}

/// One wording of a motion.
#[derive(Serialize, ToSchema)]
pub struct MotionVersionBody {
    pub version: i64,
    pub text: String,
    /// The adopted amendment that gave this wording; absent for the wording proposed.
    pub amendment_id: Option<i64>,
    pub at: DateTime<Utc>,
    /// What changed from the wording before, `[-removed-]{+added+}` inline.
    pub diff: Option<String>,
}

/// A meeting's minutes.
#[derive(Serialize, ToSchema)]
pub struct MinutesBody {
    pub meeting_id: i64,
    /// draft, or approved by a later meeting.
    pub state: String,
    pub text: String,
    pub drafted_at: DateTime<Utc>,
    /// The motion, at a later meeting, that would approve them.
    pub approval_motion_id: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// The minutes as written from the record, for an officer to start from.
#[derive(Serialize, ToSchema)]
pub struct MinutesDraft {
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesRequest {
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesApprovalRequest {
    /// The earlier meeting of the same body whose draft minutes this meeting is to approve.
    pub of_meeting_id: i64,
}

/// How an electronic vote is taken.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollRequest {
    /// named (each member's choice recorded) or secret (only who voted is kept).
    #[schema(example = "secret")]
    #[schema(schema_with = crate::api::words::poll_mode)]
    pub mode: String,
}

/// The count of an electronic vote, given once it has closed.
#[derive(Serialize, ToSchema)]
pub struct PollCount {
    #[serde(rename = "for")]
    pub votes_for: i64,
    pub against: i64,
    pub abstain: i64,
}

/// The caller's own vote.
#[derive(Serialize, ToSchema)]
pub struct MyVote {
    pub submission: String,
    /// Their choice, in a named vote; never kept in a secret one.
    pub choice: Option<String>,
}

/// An electronic vote on a motion.
#[derive(Serialize, ToSchema)]
pub struct PollBody {
    pub motion_id: i64,
    /// named or secret.
    pub mode: String,
    pub open: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many have voted so far.
    pub voted: i64,
    /// Kept back while the vote is open.
    pub count: Option<PollCount>,
    pub my_vote: Option<MyVote>,
}

/// One member's electronic vote.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotRequest {
    /// for, against or abstain.
    #[schema(example = "for")]
    #[schema(schema_with = crate::api::words::choice)]
    pub choice: String,
    /// A key the client makes once per vote (8 to 64 letters, digits, '-' or '_'): sending
    /// the same vote again with it changes nothing.
    #[schema(example = "b3f1c2d4e5f60718")]
    pub submission: String,
}

/// What casting a vote did.
#[derive(Serialize, ToSchema)]
pub struct BallotReceipt {
    /// recorded, or already-recorded for the same submission sent again.
    pub status: String,
}

/// Branches' published motions on a national matter, added up.
#[derive(Serialize, ToSchema)]
pub struct MatterTallyBody {
    pub matter: String,
    pub branches: usize,
    pub oppose: usize,
    pub support: usize,
    pub by_region: Vec<RegionTally>,
    pub statements: Vec<Statement>,
}

#[derive(Serialize, ToSchema)]
pub struct RegionTally {
    pub region_id: Option<i64>,
    pub region: String,
    pub oppose: usize,
    pub support: usize,
}

/// A published motion: a unit's public statement.
#[derive(Serialize, ToSchema)]
pub struct Statement {
    pub motion_id: i64,
    pub unit_id: Option<i64>,
    pub title: String,
    pub text: String,
    pub position: Option<String>,
    pub meeting: String,
    pub meeting_on: DateTime<Utc>,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
}

impl From<&charter_model::PublishedMotion> for Statement {
    fn from(p: &charter_model::PublishedMotion) -> Self {
        Statement {
            motion_id: p.motion.id.0,
            unit_id: p.unit.map(|u| u.0),
            title: p.motion.title.clone(),
            text: p.motion.text.clone(),
            position: p.motion.position.clone(),
            meeting: p.meeting_title.clone(),
            meeting_on: p.meeting_on,
            votes_for: p.motion.votes_for,
            votes_against: p.motion.votes_against,
        }
    }
}
