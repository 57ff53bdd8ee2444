//! Plain records crossing the store boundary. Values were validated before they were
//! written, so reads come back as plain strings and numbers rather than re-parsed newtypes;
//! ids, states and kinds come back as their types.

use crate::{
    AccountLinkId, AffiliationId, AgendaItemId, AmendmentAttemptId, AmendmentId, BallotId,
    CompositeId, ConstitutionVersionId, ElectionId, HistoricalEntryId, LetterId, MeetingId,
    MotionId, NominationId, PaperBatchId, PaperEntryId, PaperId, RequisitionId, RollChallengeId,
    RollId,
};
use charter_count::Method;
use charter_domain::{
    AmendmentState, BallotKind, BallotState, BodyId, ChallengeState, CompositeState, DuesPlan,
    MeetingMode, MeetingState, MemberId, MemberStatus, MinutesState, MotionState, NominationState,
    OfficeId, OfficeKind, PaperBatchState, Payment, PollMode, UnitId, UnitKind, VoteChoice,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::Mandate;

/// Who did something and under which authority; recorded with every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventActor {
    /// None for the system itself (founding, scheduled jobs) or the CLI run by the operator.
    pub member: Option<MemberId>,
    /// The office acted under, in words ("secretary, Southwark branch"), if any.
    pub office: Option<String>,
}

/// A governance event to append in the same transaction as the change it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub actor: EventActor,
    /// Dotted kind, e.g. "member.status_changed".
    pub kind: String,
    /// What it is about, e.g. "member:123" or "unit:4".
    pub subject: String,
    /// JSON text with the details (the app serialises; the store only keeps it).
    pub payload: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_member: Option<MemberId>,
    pub actor_office: Option<String>,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub reason: String,
}

/// The reader and purpose of a read of personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessContext {
    /// None when the operator reads through the command line (logged as such, never hidden).
    pub reader: Option<MemberId>,
    pub office: Option<String>,
    /// What was looked at and why, e.g. "member page", "directory search", "export".
    pub purpose: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub reader: Option<MemberId>,
    /// None when the reader was the operator.
    pub reader_name: Option<String>,
    pub office: Option<String>,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub slug: String,
    /// The day it closed: a closed unit stays in the register, marked, and is offered in no
    /// picker.
    pub closed_on: Option<NaiveDate>,
    /// The unit it was merged into, when it closed by a merge.
    pub merged_into: Option<UnitId>,
}

impl UnitRecord {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BranchStats {
    pub branch: Option<UnitId>,
    pub applicant: u64,
    pub active: u64,
    pub lapsed: u64,
    pub suspended: u64,
    pub expelled: u64,
    pub resigned: u64,
    /// Members (active, lapsed or suspended) whose dues cover reaches the cutoff.
    pub paid_up: u64,
}

impl BranchStats {
    /// People who count as members (active, lapsed, suspended).
    pub fn members(&self) -> u64 {
        self.active + self.lapsed + self.suspended
    }

    pub fn add(&mut self, other: &BranchStats) {
        self.applicant += other.applicant;
        self.active += other.active;
        self.lapsed += other.lapsed;
        self.suspended += other.suspended;
        self.expelled += other.expelled;
        self.resigned += other.resigned;
        self.paid_up += other.paid_up;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRecord {
    pub id: OfficeId,
    pub unit: UnitId,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub kind: OfficeKind,
    pub holder: Option<MemberId>,
    pub holder_name: Option<String>,
    pub term: Option<Term>,
    /// The decision the current holding came from (`None` when vacant).
    pub mandate: Option<Mandate>,
    /// The clause of the constitution the holding was made under, when recorded.
    pub clause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBody {
    pub unit: UnitId,
    pub name: String,
    /// e.g. "committee", "all-members meeting", "conference".
    pub kind: String,
    pub seats: u32,
    /// How seats are filled, in words ("elected by conference for two years").
    pub filled_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatHolder {
    pub member: MemberId,
    pub name: String,
    pub term: Term,
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRecord {
    pub id: BodyId,
    pub unit: UnitId,
    pub name: String,
    pub kind: String,
    pub seats: u32,
    pub filled_by: String,
    pub holders: Vec<SeatHolder>,
}

/// A member with their history, for bulk seeding (demo organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedMember {
    pub member: charter_domain::NewMember,
    pub password_hash: Option<String>,
    /// Status changes in date order; the last one's `to` must equal `member.status`.
    pub history: Vec<StatusChangeInput>,
    pub payments: Vec<Payment>,
    pub affiliations: Vec<SeedAffiliation>,
    /// Earlier branches in date order; the member's current branch is `member.branch`.
    pub moves: Vec<BranchMoveInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAffiliation {
    pub organisation: String,
    pub since: Option<NaiveDate>,
    /// Verified by this member (by index into the same seed batch is not possible; so an id).
    pub verified: Option<(MemberId, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeInput {
    pub from: Option<MemberStatus>,
    pub to: MemberStatus,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub changed_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchMoveInput {
    pub from: UnitId,
    pub to: UnitId,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub moved_by: Option<MemberId>,
}

/// Which members a query may return. Built by the app from the actor's offices; the store
/// applies it as a filter so an out-of-scope row can never be returned by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberScope {
    All,
    Branches(Vec<UnitId>),
    Only(MemberId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberSort {
    #[default]
    Name,
    NameDesc,
    Joined,
    JoinedDesc,
    PaidUpUntil,
    PaidUpUntilDesc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberQuery {
    pub scope: MemberScope,
    /// Matches any part of name, email or postcode, case-insensitively, from three characters;
    /// one or two characters match the start of the first or last name (kept index-backed).
    pub text: Option<String>,
    pub branch: Option<UnitId>,
    pub status: Option<MemberStatus>,
    /// Some((true, cutoff)) = paid up to at least cutoff; Some((false, cutoff)) = not.
    pub paid_up: Option<(bool, NaiveDate)>,
    pub sort: MemberSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many rows match. Exact unless `total_capped`.
    pub total: u64,
    /// The count stopped early (`text::COUNT_CAP`): at least `total` rows match, maybe more.
    pub total_capped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSummary {
    pub id: MemberId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: String,
    pub branch: UnitId,
    pub branch_name: String,
    pub status: MemberStatus,
    pub joined_on: NaiveDate,
    pub paid_up_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub id: MemberId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postcode: String,
    pub branch: UnitId,
    pub branch_name: String,
    pub status: MemberStatus,
    pub joined_on: NaiveDate,
    pub dues_plan: DuesPlan,
    pub paid_up_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeRecord {
    pub from: Option<MemberStatus>,
    pub to: MemberStatus,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub changed_by: Option<MemberId>,
    pub changed_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub paid_on: NaiveDate,
    pub amount_pence: i64,
    pub months: u32,
    pub recorded_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffiliationRecord {
    pub id: AffiliationId,
    pub organisation: String,
    pub since: Option<NaiveDate>,
    pub verified_by: Option<MemberId>,
    pub verified_by_name: Option<String>,
    pub verified_on: Option<NaiveDate>,
    /// Verifications replaced by a later one, oldest first: kept for the record.
    pub earlier_verifications: Vec<EarlierVerification>,
}

/// A verification of an affiliation that a later one replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierVerification {
    pub verified_by: Option<MemberId>,
    pub verified_by_name: Option<String>,
    pub verified_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchMoveRecord {
    pub from: UnitId,
    pub from_name: String,
    pub to: UnitId,
    pub to_name: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub moved_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDetail {
    pub record: MemberRecord,
    pub status_history: Vec<StatusChangeRecord>,
    pub payments: Vec<PaymentRecord>,
    pub affiliations: Vec<AffiliationRecord>,
    pub branch_history: Vec<BranchMoveRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub member: MemberId,
    pub password_hash: Option<String>,
    pub status: MemberStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie token, hex: a stolen database cannot be replayed as cookies.
    pub token_hash: String,
    pub member: MemberId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Opened with the password of a member who signs in with a second factor: it carries
    /// them only once their code is checked.
    pub second_factor_pending: bool,
}

// ---- constitution ----

/// A constitution version to record: the authored TOML as adopted, with the fields the
/// lists show so they need not parse every version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConstitutionVersion {
    pub toml: String,
    pub version: String,
    pub name: String,
    pub effective: NaiveDate,
    pub adopted_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstitutionVersionRecord {
    pub id: ConstitutionVersionId,
    pub toml: String,
    pub version: String,
    pub name: String,
    pub effective: NaiveDate,
    pub adopted_by: String,
    /// The amendment that adopted it; `None` for the founding version.
    pub amendment: Option<AmendmentId>,
    pub recorded_at: DateTime<Utc>,
    /// The governance event that recorded it.
    pub event_seq: i64,
}

/// A proposed amendment: the whole text of the version it would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAmendment {
    pub title: String,
    pub toml: String,
    pub proposed_version: String,
    pub effective: NaiveDate,
    pub proposed_by: Option<MemberId>,
}

/// Where an amendment stands: "proposed", "refused" (its latest attempt failed; it may be
/// tried again) or "adopted".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRecord {
    pub id: AmendmentId,
    pub title: String,
    pub toml: String,
    pub proposed_version: String,
    pub effective: NaiveDate,
    pub proposed_by: Option<MemberId>,
    pub state: AmendmentState,
    pub proposed_at: DateTime<Utc>,
    pub event_seq: i64,
}

/// One attempt to adopt an amendment, as judged against the version in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAmendmentAttempt {
    pub decided_on: NaiveDate,
    /// The body that decided (`conference`, `member-ballot`).
    pub body: String,
    /// The decision record as JSON text (the app serialises; the store only keeps it).
    pub record_json: String,
    pub adopted: bool,
    /// `[[clause, reason], …]` as JSON text; `[]` when adopted.
    pub failures_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentAttemptRecord {
    pub id: AmendmentAttemptId,
    pub amendment: AmendmentId,
    pub decided_on: NaiveDate,
    pub body: String,
    pub record_json: String,
    pub adopted: bool,
    pub failures_json: String,
    pub recorded_at: DateTime<Utc>,
    pub event_seq: i64,
    /// The motion that decided it (`None` only for attempts recorded before decisions had
    /// to come from Charter's own record).
    pub motion: Option<MotionId>,
    /// The member ballot that decided it.
    pub ballot: Option<BallotId>,
}

/// A decision on an amendment, written in the transaction that decides the motion putting
/// it: the attempt, the new version when it binds, and the amendment's own event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentDecision {
    pub amendment: AmendmentId,
    pub attempt: NewAmendmentAttempt,
    pub version: Option<NewConstitutionVersion>,
    pub event: NewEvent,
}

/// One officer's entry of a meeting held before the organisation used Charter that decided
/// on an amendment: the notice, attendance and vote as its own records show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHistoricalEntry {
    pub amendment: AmendmentId,
    pub entered_by: MemberId,
    pub unit: Option<UnitId>,
    /// The rules' key of the body that met, and of its kind of sitting.
    pub body: String,
    pub kind: String,
    pub notice_on: Option<NaiveDate>,
    pub held_on: NaiveDate,
    pub entitled: u32,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// An officer's entry as kept, with the meeting it made once a second officer's agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricalEntryRecord {
    pub id: HistoricalEntryId,
    pub entry: NewHistoricalEntry,
    pub entered_at: DateTime<Utc>,
    pub meeting: Option<MeetingId>,
}

/// A historical meeting two officers' entries agree on, written in one transaction: the
/// meeting (marked historical), the motion that put the amendment, decided, and the
/// decision on the amendment. `entries` are the agreeing entries; every entry of the
/// amendment still waiting then names the meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHistoricalMeeting {
    pub entries: [HistoricalEntryId; 2],
    pub meeting: NewMeeting,
    pub notice_on: Option<NaiveDate>,
    pub entitled: u32,
    pub meeting_event: NewEvent,
    pub motion: NewMotion,
    pub proposal_event: NewEvent,
    pub outcome: MotionOutcome,
    pub decision_event: NewEvent,
    pub decision: AmendmentDecision,
}

/// What the constitution engine needs to know about one member on a date, read from the
/// register in a few set-based queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFactsRecord {
    pub member: MemberId,
    pub status: MemberStatus,
    pub paid_up_until: Option<NaiveDate>,
    pub joined_on: NaiveDate,
    pub branch: UnitId,
    /// The region above the home branch, if the branch sits in one.
    pub region: Option<UnitId>,
    /// (organisation, verified on or before the date), for affiliations begun by the date.
    pub affiliations: Vec<(String, bool)>,
    /// Offices held on the date.
    pub offices: Vec<OfficeKind>,
    /// The names of the bodies on which the member holds a seat on the date.
    pub seats: Vec<String>,
}

/// A roll to freeze: what it is of, and the hash of its canonical text (computed by the
/// caller with `charter_rules::build_roll`; the store keeps it, never recomputes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoll {
    pub title: String,
    /// A rules context: "conference", "branch-meeting", "committee:<body>", …
    pub context: String,
    /// The branch or region whose meeting it is; `None` when organisation-wide.
    pub unit: Option<UnitId>,
    /// The right it lists ("vote").
    pub right: String,
    pub cutoff: NaiveDate,
    /// The constitution version that decided it.
    pub version_id: ConstitutionVersionId,
    pub challenge_closes_on: NaiveDate,
    pub hash: String,
    pub frozen_by: Option<MemberId>,
}

/// One member's line on a roll being frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewRollEntry {
    pub member: MemberId,
    pub branch: UnitId,
    pub eligible: bool,
    /// Index into the reasons given with the roll, for an excluded member.
    pub reason: Option<u32>,
}

/// Why members are off a roll: the deciding clauses (comma-separated) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollReason {
    pub clauses: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollRecord {
    pub id: RollId,
    pub title: String,
    pub context: String,
    pub unit: Option<UnitId>,
    pub right: String,
    pub cutoff: NaiveDate,
    pub version_id: ConstitutionVersionId,
    pub challenge_closes_on: NaiveDate,
    /// The hash of the list as frozen.
    pub frozen_hash: String,
    /// The frozen hash extended by each decided challenge, in order.
    pub current_hash: String,
    /// Current counts (after upheld challenges).
    pub eligible: i64,
    pub excluded: i64,
    pub frozen_at: DateTime<Utc>,
    pub frozen_by: Option<MemberId>,
    pub event_seq: i64,
}

/// One member's line on a roll as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntryRecord {
    pub member: MemberId,
    pub branch: UnitId,
    pub frozen_eligible: bool,
    pub eligible: bool,
    /// For a line frozen as excluded: the clauses and reason; empty otherwise.
    pub clauses: String,
    pub reason: String,
    /// The upheld challenge that put the member on the roll.
    pub challenge: Option<RollChallengeId>,
}

/// A line on a roll with the member's name, for officers who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollNameRecord {
    pub entry: RollEntryRecord,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollBranchCount {
    pub branch: UnitId,
    pub eligible: i64,
    pub excluded: i64,
}

/// Which lines of a roll to list, and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollQuery {
    pub scope: MemberScope,
    pub branch: Option<UnitId>,
    /// Only those on (true) or off (false) the roll as it stands.
    pub eligible: Option<bool>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    pub roll: RollId,
    pub member: MemberId,
    pub grounds: String,
    /// Who lodged it (the member, or an officer for them); `None` for the operator.
    pub lodged_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRecord {
    pub id: RollChallengeId,
    pub roll: RollId,
    pub member: MemberId,
    /// The challenger's branch as listed on the roll.
    pub branch: UnitId,
    pub grounds: String,
    pub lodged_at: DateTime<Utc>,
    pub lodged_by: Option<MemberId>,
    /// "open", "upheld" or "rejected".
    pub state: ChallengeState,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<MemberId>,
    /// The governance event of the decision: decisions chain the roll's hash in this order.
    pub decided_seq: Option<i64>,
}

/// The outcome of a challenge, with the roll's hash before and after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeDecision {
    pub upheld: bool,
    pub reason: String,
    pub decided_by: Option<MemberId>,
    /// The roll's current hash the decision was made against; a different one means
    /// another decision came first (`Stale`).
    pub expected_hash: String,
    pub new_hash: String,
}

/// A meeting being called, with who is entitled to attend it (and of them, who may vote),
/// decided by the constitution when it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    /// The rules' key of the body meeting: `branch-meeting`, `conference`, `steering-committee`…
    pub body: String,
    /// The branch or region whose meeting it is; `None` for national bodies.
    pub unit: Option<UnitId>,
    /// The rules' key of the kind of sitting: `general-meeting`, `special-conference`…
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// physical, online or hybrid.
    pub mode: MeetingMode,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
    /// The clause and clear days of notice the constitution requires, when it sets any.
    pub notice_clause: Option<String>,
    pub notice_days: Option<u32>,
    pub called_by: Option<MemberId>,
    /// The code members give to check themselves in (see `MeetingStore::check_in_code`).
    pub check_in_code: String,
}

/// One member entitled to attend a meeting: their notice and their place on its roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitee {
    pub member: MemberId,
    pub may_vote: bool,
    /// Where the notice goes.
    pub address: String,
}

/// A member a notice goes to, at their address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub member: MemberId,
    pub address: String,
}

/// A notice's text, the same for every invitee of one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub id: MeetingId,
    pub body: String,
    pub unit: Option<UnitId>,
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: MeetingMode,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
    pub notice_clause: Option<String>,
    pub notice_days: Option<u32>,
    pub called_by: Option<MemberId>,
    pub called_at: DateTime<Utc>,
    /// When the last notice was delivered: notice is complete from then.
    pub notice_complete_at: Option<DateTime<Utc>>,
    /// Members entitled to attend.
    pub entitled: i64,
    /// called or cancelled.
    pub state: MeetingState,
    /// The adopted motion that adjourned it: no business after that.
    pub adjourned_by: Option<MotionId>,
    /// For a meeting held before the organisation used Charter, when two officers' entries
    /// of it agreed: it is marked historical wherever it shows.
    pub historical_entered_at: Option<DateTime<Utc>>,
}

/// Delivery of a meeting's notices so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoticeProgress {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

/// A message waiting in the outbox, claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: LetterId,
    pub meeting: Option<MeetingId>,
    pub member: Option<MemberId>,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    /// The account link this letter carries, minted as it is sent: its body holds the
    /// place for the link.
    pub account_link: Option<AccountLinkId>,
    /// The ballot whose voting link this letter carries to its member, minted as it is sent.
    pub ballot: Option<BallotId>,
}

/// What happened to one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Try again at the given time.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Give up: the address refuses, or attempts ran out.
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMotion {
    pub meeting: MeetingId,
    /// The rules' decision kind: `ordinary-motion`, `dissolve-body`…
    pub kind: String,
    pub title: String,
    pub text: String,
    /// A national matter the motion speaks to, so branches' motions on it add up.
    pub matter: Option<String>,
    /// support or oppose, on `matter`.
    pub position: Option<String>,
    /// The meeting the motion requires, as the rules' key of its kind
    /// (`special-conference`): adopted at a branch's meeting and published, it counts towards
    /// the requisition of that kind, whatever its matter or position.
    pub requires: Option<String>,
    pub proposed_by: Option<MemberId>,
    pub seconded_by: Option<MemberId>,
    /// The motion (or amendment) this amends: its text is the whole wording proposed instead.
    pub parent: Option<MotionId>,
    /// The motion a procedural motion or a rescission acts on.
    pub target: Option<MotionId>,
    /// Late business, taken only once the meeting admits it.
    pub emergency: bool,
}

/// A composite motion as the officers running the meeting propose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComposite {
    pub meeting: MeetingId,
    pub title: String,
    pub text: String,
    /// The motions it merges, in the order their movers are named.
    pub parts: Vec<MotionId>,
    pub proposed_by: Option<MemberId>,
}

/// One motion merged into a composite, with its mover's consent once given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositePart {
    pub motion: MotionId,
    pub consented_by: Option<MemberId>,
    pub consented_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositeRecord {
    pub id: CompositeId,
    pub meeting: MeetingId,
    pub title: String,
    pub text: String,
    pub proposed_by: Option<MemberId>,
    pub proposed_at: DateTime<Utc>,
    /// pending (awaiting consents), formed, or declined by a mover.
    pub state: CompositeState,
    /// The composite motion, once formed.
    pub motion: Option<MotionId>,
    pub parts: Vec<CompositePart>,
}

/// A meeting's minutes: a draft the officers keep, final once a later meeting approves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesRecord {
    pub meeting: MeetingId,
    pub text: String,
    /// draft or approved.
    pub state: MinutesState,
    pub drafted_at: DateTime<Utc>,
    pub drafted_by: Option<MemberId>,
    /// The motion, at a later meeting, that would approve them.
    pub approval_motion: Option<MotionId>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// An item put at the end of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgendaItem {
    pub meeting: MeetingId,
    pub title: String,
    /// Who introduces it, or what the meeting is asked to do.
    pub description: Option<String>,
    pub added_by: Option<MemberId>,
}

/// An item reworded and, when `position` is given, moved there (1-based); the other items
/// keep their order around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItemChange {
    pub title: String,
    pub description: Option<String>,
    pub position: Option<i64>,
}

/// One item of a meeting's agenda, with every paper circulated for it (withdrawn ones too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItemRecord {
    pub id: AgendaItemId,
    pub meeting: MeetingId,
    /// Its number on the agenda (1, 2, 3…); `None` once taken off it.
    pub number: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<MemberId>,
    pub removed_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub papers: Vec<PaperRecord>,
}

/// A paper to circulate for an agenda item: checked by the app (type, size, name) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaper {
    pub item: AgendaItemId,
    pub filename: String,
    pub content_type: String,
    /// Lowercase hex SHA-256 of `content`.
    pub sha256: String,
    pub content: Vec<u8>,
    pub circulated_by: Option<MemberId>,
}

/// A paper as listed: everything but its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperRecord {
    pub id: PaperId,
    pub item: AgendaItemId,
    pub meeting: MeetingId,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
    pub circulated_at: DateTime<Utc>,
    pub circulated_by: Option<MemberId>,
    /// Withdrawn papers are kept, and listed, for the record.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<MemberId>,
}

/// One wording of a motion: as proposed (version 1), then after each amendment adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotionVersion {
    pub motion: MotionId,
    pub version: i64,
    pub text: String,
    /// The adopted amendment that gave this wording; `None` for the wording proposed.
    pub amendment: Option<MotionId>,
    pub at: DateTime<Utc>,
}

/// The votes on a motion and the outcome the constitution in force gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotionOutcome {
    /// Adopted, rejected or not binding: never proposed or withdrawn.
    pub state: MotionState,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
    pub present: u32,
    /// (clause, reason) pairs for a decision that does not bind, as JSON.
    pub failures_json: String,
}

/// An electronic vote on a motion by the members present: named (each voter's choice kept)
/// or secret (who voted kept, the choice only counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRecord {
    pub motion: MotionId,
    /// named or secret.
    pub mode: PollMode,
    pub opened_at: DateTime<Utc>,
    pub opened_by: Option<MemberId>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many have voted.
    pub voted: i64,
    pub votes_for: i64,
    pub votes_against: i64,
    pub abstentions: i64,
}

/// One member's electronic vote. `submission` is the voter's idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVote {
    pub motion: MotionId,
    pub member: MemberId,
    /// for, against or abstain.
    pub choice: VoteChoice,
    pub submission: String,
}

/// What casting a vote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteReceipt {
    Recorded,
    /// The same submission was already counted; nothing changed.
    AlreadyRecorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotionRecord {
    pub id: MotionId,
    pub meeting: MeetingId,
    /// For an amendment, the motion (or amendment) it amends.
    pub parent: Option<MotionId>,
    /// For a procedural motion or a rescission, the motion it acts on.
    pub target: Option<MotionId>,
    pub emergency: bool,
    /// The adopted motion that admitted this emergency motion.
    pub admitted_by: Option<MotionId>,
    /// The adopted motion that set this aside: next business, referred back, or rescinded.
    pub set_aside_by: Option<MotionId>,
    pub proposed_at: DateTime<Utc>,
    pub number: i64,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub matter: Option<String>,
    pub position: Option<String>,
    /// The meeting it requires (`special-conference`), when it calls for one.
    pub requires: Option<String>,
    pub proposed_by: Option<MemberId>,
    pub seconded_by: Option<MemberId>,
    pub state: MotionState,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    pub abstentions: Option<i64>,
    pub present: Option<i64>,
    pub failures_json: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub published: bool,
}

/// A published motion on a national matter, with the unit whose meeting adopted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedMotion {
    pub motion: MotionRecord,
    pub unit: Option<UnitId>,
    pub meeting_title: String,
    pub meeting_on: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequisition {
    /// The rules' key of the meeting required, e.g. `special-conference`.
    pub kind: String,
    pub title: String,
    pub purpose: String,
    /// A national matter: branches' published motions supporting it count towards it.
    pub matter: Option<String>,
    pub opened_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequisitionRecord {
    pub id: RequisitionId,
    pub kind: String,
    pub title: String,
    pub purpose: String,
    pub matter: Option<String>,
    pub opened_by: Option<MemberId>,
    pub opened_at: DateTime<Utc>,
    /// When the constitution's threshold was reached, and the clause that set it.
    pub reached_at: Option<DateTime<Utc>>,
    pub reached_clause: Option<String>,
    /// The last day the officers may call the meeting.
    pub call_by: Option<NaiveDate>,
    /// The meeting called in answer.
    pub meeting: Option<MeetingId>,
    pub signatures: i64,
    /// When those who must call the meeting were last written to that it is overdue.
    pub reminded_at: Option<DateTime<Utc>>,
}

/// A ballot as an officer sets it up: the electorate is a frozen roll, the rule comes from
/// the constitution in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBallot {
    pub title: String,
    pub question: String,
    pub kind: BallotKind,
    /// For a question: the rules' decision kind that sets its threshold.
    pub decision_kind: Option<String>,
    /// The count method (`yes-no` for a question).
    pub method: Method,
    pub seats: u32,
    pub roll: RollId,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub later_vote_replaces: bool,
    /// The clause the method or threshold comes from.
    pub clause: Option<String>,
    /// The method or threshold in words.
    pub rule: String,
    /// The options in ballot order: Yes/No/Abstain, or the candidates.
    pub options: Vec<String>,
    pub created_by: Option<MemberId>,
    /// For a question putting an amendment to the members: the amendment.
    pub amendment: Option<AmendmentId>,
    /// Days before close when those who have not voted are reminded (the constitution's
    /// timetable when the ballot was created).
    pub reminder_days: Vec<u32>,
    /// For a verifiable ballot: its setup and its trustees' appointments, put on its board
    /// with it. Empty for a ballot whose constitution names no trustees.
    pub board: Vec<NewBoardItem>,
}

/// The kinds of document on a verifiable ballot's bulletin board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BoardItemKind {
    /// The election's parameters and their fingerprint (the ballot's own).
    Setup,
    /// A trustee's appointment: who, by which office (one per trustee).
    Trustee,
    /// A trustee's public identity key and its proof.
    Identity,
    /// A trustee's dealing: commitments and encrypted shares.
    Dealing,
    /// A trustee's report at the end of the key ceremony, or its complaints.
    Report,
    /// The credential authority's frozen list of public credentials (the ballot's own).
    Credentials,
    /// A trustee's verifiable shuffle of the ranked ballots.
    Shuffle,
    /// A trustee's decryption share with its proofs.
    Share,
    /// The tally: the rows decrypted, the shares used, the plaintexts and the outcome (the
    /// ballot's own, written when enough shares are in).
    Tally,
}

impl BoardItemKind {
    pub const ALL: [BoardItemKind; 9] = [
        Self::Setup,
        Self::Trustee,
        Self::Identity,
        Self::Dealing,
        Self::Report,
        Self::Credentials,
        Self::Shuffle,
        Self::Share,
        Self::Tally,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Trustee => "trustee",
            Self::Identity => "identity",
            Self::Dealing => "dealing",
            Self::Report => "report",
            Self::Credentials => "credentials",
            Self::Shuffle => "shuffle",
            Self::Share => "share",
            Self::Tally => "tally",
        }
    }

    pub fn parse(text: &str) -> Option<BoardItemKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A document to append to a ballot's board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoardItem {
    pub kind: BoardItemKind,
    /// The trustee's number (1..=n) for a trustee's document; 0 for the ballot's own.
    pub trustee: u32,
    /// Who posts it; for an appointment, the member appointed.
    pub member: Option<MemberId>,
    /// The document as JSON, exactly as its author sent it.
    pub body: String,
}

/// A document on a ballot's board, in the order posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardItem {
    pub seq: i64,
    pub kind: BoardItemKind,
    pub trustee: u32,
    pub member: Option<MemberId>,
    pub body: String,
    pub posted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRecord {
    pub id: BallotId,
    pub title: String,
    pub question: String,
    pub kind: BallotKind,
    pub decision_kind: Option<String>,
    pub method: Method,
    pub seats: u32,
    pub roll: RollId,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub later_vote_replaces: bool,
    pub clause: Option<String>,
    pub rule: String,
    pub state: BallotState,
    /// Voters issued a voting link when it opened.
    pub electorate: Option<i64>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_at: Option<DateTime<Utc>>,
    /// The count's report as JSON, once counted.
    pub result_json: Option<String>,
    pub outcome: Option<String>,
    pub created_by: Option<MemberId>,
    pub created_at: DateTime<Utc>,
    pub options: Vec<String>,
    /// Days before close when those who have not voted are reminded, latest first.
    pub reminder_days: Vec<u32>,
    /// Whether the ballot is sealed by trustees: its board has a setup (written with it,
    /// so fixed from its creation).
    pub sealed: bool,
}

/// A reminder of a ballot's timetable, once sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotReminder {
    pub days_before: u32,
    pub sent_at: DateTime<Utc>,
    pub reminded: i64,
}

/// A voting link minted as its letter is sent: only the token's hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VotingLinkMint {
    pub ballot: BallotId,
    pub member: MemberId,
    pub link_hash: String,
}

/// One voter of a ballot, with the letter that will carry their personal voting link: its
/// body holds the place for the link, minted only as the letter is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBallotVoter {
    pub member: MemberId,
    pub branch: UnitId,
    pub address: String,
    pub letter: String,
}

/// A ballot put in the box: sealed (opaque to the store), under a random tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCast {
    pub tracker: String,
    pub submission_hash: String,
    pub sealed: String,
    /// The submission hash of the voter's earlier ballot it replaces, where the constitution
    /// lets a later vote replace an earlier one.
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CastOutcome {
    Recorded {
        tracker: String,
    },
    /// The same ballot (same submission) was already in the box: its tracker again.
    AlreadyRecorded {
        tracker: String,
    },
    /// The voter was marked as having voted on paper: the ballot is kept aside for the
    /// scrutineer, and goes into the box under this tracker only if the mark is reversed.
    SetAside {
        tracker: String,
    },
}

/// A teller's mark that a member voted on paper, and its reversal if it was reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperMark {
    pub member: MemberId,
    pub marked_by: MemberId,
    pub marked_at: DateTime<Utc>,
    pub reversed_by: Option<MemberId>,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversal_reason: Option<String>,
    /// The member's online ballot kept aside while the mark stands.
    pub kept_aside: bool,
}

/// Turnout in one branch: counts only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnoutRow {
    pub branch: UnitId,
    pub voters: i64,
    pub voted: i64,
}

/// A ballot as it lies in the box, for counting and publication after close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxedBallot {
    pub tracker: String,
    pub sealed: String,
}

/// A bundle of paper ballot papers to be entered twice by tellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaperBatch {
    pub ballot: BallotId,
    /// How the tellers know the bundle, e.g. "box 3, bundle 2".
    pub label: String,
    /// How many papers the bundle holds, spoilt ones included.
    pub papers: i64,
    pub created_by: MemberId,
}

/// One teller's entry of a batch: the papers in order, as text the app writes and reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaperEntry {
    pub teller: MemberId,
    pub papers: String,
}

/// A batch whose two entries agree, going into the box: one ballot per paper that is not
/// spoilt (sealed like a ballot cast online, under a fresh tracker), and the spoilt count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperCommit {
    pub ballots: Vec<NewCast>,
    pub spoilt: i64,
    /// The governance event of the commit (the entry has its own).
    pub event: NewEvent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperEntryRecord {
    pub id: PaperEntryId,
    pub teller: MemberId,
    pub papers: String,
    pub entered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperBatchRecord {
    pub id: PaperBatchId,
    pub ballot: BallotId,
    pub label: String,
    pub papers: i64,
    /// entering or committed.
    pub state: PaperBatchState,
    pub created_by: Option<MemberId>,
    pub created_at: DateTime<Utc>,
    /// The entry that went into the box, once committed.
    pub agreed_entry: Option<PaperEntryId>,
    pub spoilt: Option<i64>,
    pub committed_at: Option<DateTime<Utc>>,
    /// Every entry, oldest first.
    pub entries: Vec<PaperEntryRecord>,
}

/// A ballot's paper side in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaperTally {
    /// Members marked as having voted on paper (their envelope's declaration checked).
    pub voters: i64,
    /// Papers in committed batches, spoilt ones included.
    pub committed: i64,
    /// Spoilt papers in committed batches (in turnout, not in the count).
    pub spoilt: i64,
}

/// One voter of an opened ballot for its scrutineer: who they are and whether (and how) they
/// have voted — never what they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRollLine {
    pub member: MemberId,
    pub first_name: String,
    pub last_name: String,
    pub branch: UnitId,
    pub voted_at: Option<DateTime<Utc>>,
    /// Marked as having voted on paper by a teller (and not reversed).
    pub on_paper: bool,
    /// Their online ballot is kept aside while that mark stands.
    pub kept_aside: bool,
}

/// A challenge to a ballot's roll with the challenger's name, for its scrutineer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedChallenge {
    pub challenge: ChallengeRecord,
    pub first_name: String,
    pub last_name: String,
}

/// What a ballot's scrutineer reads of its roll: a page of its voters and every challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRollAudit {
    pub voters: Page<BallotRollLine>,
    pub challenges: Vec<NamedChallenge>,
}

/// How many ballots lie in the box and how many voters are marked as having voted, read at
/// one moment: counts only, readable while voting is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BoxSize {
    /// Ballots that count.
    pub counting: i64,
    /// Ballots a later vote replaced.
    pub superseded: i64,
    /// Voters marked as having voted, online or on paper.
    pub voted: i64,
    /// The paper side at the same moment.
    pub paper: PaperTally,
}

/// An election to a body's seats as an officer opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewElection {
    /// The rules' key of the body.
    pub body: String,
    pub body_id: charter_domain::BodyId,
    pub title: String,
    pub seats: u32,
    pub term_days: Option<u32>,
    pub roll: RollId,
    pub nominators: u32,
    pub clause: Option<String>,
    pub nominations_close_at: DateTime<Utc>,
    pub withdrawals_close_at: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub created_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionRecord {
    pub id: ElectionId,
    pub body: String,
    pub body_id: charter_domain::BodyId,
    pub title: String,
    pub seats: u32,
    pub term_days: Option<u32>,
    pub roll: RollId,
    pub nominators: u32,
    pub clause: Option<String>,
    pub nominations_close_at: DateTime<Utc>,
    pub withdrawals_close_at: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The ballot built from the valid nominations, once nominations have closed.
    pub ballot: Option<BallotId>,
    /// When the winners took their seats.
    pub seated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationRecord {
    pub id: NominationId,
    pub election: ElectionId,
    pub candidate: MemberId,
    pub name: String,
    pub statement: String,
    /// seeking (more nominators needed), valid, or withdrawn.
    pub state: NominationState,
    pub nominators: i64,
    pub created_at: DateTime<Utc>,
}
