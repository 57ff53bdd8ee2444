//! The persistence boundary. The application owns this trait; each SQL dialect implements it
//! in its own crate (`charter-store-sqlite`, `charter-store-postgres`) and both must pass the
//! one conformance suite in [`conformance`].
//!
//! Every mutating method takes the governance event that describes it and writes both in one
//! transaction: nothing changes governance state without its event. Every method that returns
//! a member's personal data to someone else takes the access record and writes it in the
//! same transaction as the read.

pub mod accounts;
pub mod applications;
pub mod batch;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod delegates;
pub mod import;
pub mod records;
pub mod structure;
pub mod text;

pub use accounts::*;
pub use applications::*;
pub use delegates::*;
pub use import::*;
pub use records::*;
pub use structure::*;

use async_trait::async_trait;
use charter_domain::{
    MemberChanges, MemberId, MemberStatus, NewMember, OfficeId, OfficeKind, Payment, UnitId,
    UnitKind,
};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; `field` names the input at fault (e.g. "email").
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since it was read (e.g. its status is no longer what the caller saw).
    #[error("{0}")]
    Stale(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is ("sqlite" or "postgres"), for logs and /readyz.
    fn backend(&self) -> &'static str;

    /// Brings the schema up to date.
    async fn migrate(&self) -> StoreResult<()>;

    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    // ---- structure ----

    async fn create_unit(
        &self,
        parent: Option<UnitId>,
        kind: UnitKind,
        name: &str,
        slug: &str,
        event: &NewEvent,
    ) -> StoreResult<UnitId>;

    async fn units(&self) -> StoreResult<Vec<UnitRecord>>;

    /// Establishes a region or branch under an open `parent`, with the bodies and vacant
    /// offices given, in one transaction with `event`. `NotFound` without the parent, `Stale`
    /// if it is closed, `Conflict` (field `name`) if the slug is taken.
    async fn establish_unit(&self, unit: &NewUnit, event: &NewEvent) -> StoreResult<UnitId>;

    /// Renames an open unit; its slug (and so its addresses) stays. `Stale` if it is closed.
    async fn rename_unit(&self, unit: UnitId, name: &str, event: &NewEvent) -> StoreResult<()>;

    /// Merges `m.from` into `m.into`: every member whose home is `from` moves, each move kept
    /// in their branch history with `m.reason`; `from`'s open children move under `into`;
    /// `from`'s office terms and seats end the day before `m.on`; `from` closes on `m.on`,
    /// marked as merged into `into`. `Stale` if either is closed.
    async fn merge_unit(&self, m: &UnitMerge, event: &NewEvent) -> StoreResult<Merged>;

    /// Closes a unit on `on`, ending its office terms and seats the day before. `Conflict`
    /// (field `unit`) while members (applicants, active, lapsed or suspended) have it as
    /// their home or an open unit lies under it; `Stale` if already closed.
    async fn close_unit(&self, unit: UnitId, on: NaiveDate, event: &NewEvent) -> StoreResult<()>;

    /// Puts `member` in `office` for a term by the founding or an election's result, naming
    /// it; the previous holder's open term ends the day before. A motion's appointment is
    /// never made here: it takes effect only in the transaction deciding the motion
    /// (`decide_motion`), so `Mandate::Motion` is refused with `Conflict` (field `mandate`).
    async fn take_office(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        mandate: Mandate,
        clause: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes an appointment motion: the motion and the appointment it would make, in one
    /// transaction. Adopting it (`decide_motion` with state `adopted`) appoints the member for
    /// the term in that same transaction, the holding naming the motion; any other outcome
    /// appoints nobody.
    async fn propose_appointment(
        &self,
        motion: &NewMotion,
        appointment: &NewAppointment,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// The appointment an appointment motion proposes.
    async fn motion_appointment(&self, motion: i64) -> StoreResult<Option<AppointmentRecord>>;

    /// Proposes a motion to suspend or expel a member: the motion and what it would do, in
    /// one transaction. Adopting it (`decide_motion` with state `adopted`) changes the
    /// member's status in that same transaction — through the state machine, with history,
    /// ending their sessions — and any other outcome changes nothing.
    async fn propose_status_motion(
        &self,
        motion: &NewMotion,
        change: &NewStatusMotion,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// What a discipline motion proposes.
    async fn motion_status_change(&self, motion: i64) -> StoreResult<Option<NewStatusMotion>>;

    /// Member counts per branch (status breakdown and paid-up count as of `paid_up_cutoff`:
    /// paid up means `paid_up_until >= paid_up_cutoff`).
    async fn branch_stats(&self, paid_up_cutoff: NaiveDate) -> StoreResult<Vec<BranchStats>>;

    async fn create_office(
        &self,
        unit: UnitId,
        kind: OfficeKind,
        event: &NewEvent,
    ) -> StoreResult<OfficeId>;

    /// Puts `member` in `office` for a term; the previous holder's open term ends the day
    /// before. The holding is recorded as brought in from the record (`Mandate::Record`: the
    /// demo, an import); the app fills offices only through `take_office` and appointment
    /// motions.
    async fn appoint(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Offices (with their holder on `on`, if any), optionally only those of one unit.
    async fn offices(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<OfficeRecord>>;

    /// Offices `member` holds on `on`: the source of every power they have.
    async fn offices_held(&self, member: MemberId, on: NaiveDate)
    -> StoreResult<Vec<OfficeRecord>>;

    async fn create_body(
        &self,
        body: &NewBody,
        event: &NewEvent,
    ) -> StoreResult<charter_domain::BodyId>;

    async fn fill_seat(
        &self,
        body: charter_domain::BodyId,
        member: MemberId,
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Bodies with their current seat holders on `on`, optionally only those of one unit.
    async fn bodies(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<BodyRecord>>;

    // ---- register ----

    async fn add_member(
        &self,
        member: &NewMember,
        password_hash: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// Loads many members with their histories in one transaction (demo organisation, bulk
    /// seeding). One event describes the whole batch.
    async fn seed_members(
        &self,
        members: &[SeedMember],
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>>;

    /// Members already in the register with any of these emails (lower-cased) or member
    /// numbers, each with their status history and payments: what an import's rows are
    /// checked against. The system comparing rows, not a person reading: nothing is logged.
    async fn import_matches(
        &self,
        emails: &[String],
        numbers: &[MemberId],
    ) -> StoreResult<Vec<ImportMatch>>;

    /// Writes a whole import in one transaction with `events` (appended after its rows, in
    /// order): units, then members with their histories and payments (paid-up-until computed
    /// from them), then updates, offices and past holdings. Nothing is written if anything
    /// fails: `Conflict` for a slug, email or member number already taken, `Stale` when an
    /// updated member's status is no longer the one expected, `NotFound` for a reference to
    /// nothing. `progress` hears how many of [`ImportBatch::rows`] are written.
    async fn import_register(
        &self,
        batch: &ImportBatch,
        events: &[NewEvent],
        progress: ImportProgress<'_>,
    ) -> StoreResult<ImportWritten>;

    /// Every holding of the offices of `unit` (of every unit when `None`), past and present,
    /// by office then newest first, with where imported holdings came from.
    async fn office_terms(&self, unit: Option<UnitId>) -> StoreResult<Vec<OfficeTermRecord>>;

    /// The home branch of a member (to decide authority before reading anything personal).
    async fn member_branch(&self, member: MemberId) -> StoreResult<Option<UnitId>>;

    /// A member with all their history. `access` is written in the same transaction when given.
    async fn member(
        &self,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberDetail>>;

    /// One page of the directory. Each member returned is logged as read under `access`.
    async fn search_members(
        &self,
        query: &MemberQuery,
        access: Option<&AccessContext>,
    ) -> StoreResult<Page<MemberSummary>>;

    async fn update_member(
        &self,
        member: MemberId,
        changes: &MemberChanges,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Moves a member from `expected` to `to`, and ends every session of theirs: what a
    /// session reaches and the powers it carries come from the status, so none outlives a
    /// change of it. Fails with `Stale` if the status is no longer `expected`, so two
    /// officers acting at once cannot skip the state machine.
    async fn change_status(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records a payment and recomputes paid-up-until; returns the new paid-up-until.
    async fn record_payment(
        &self,
        member: MemberId,
        payment: &Payment,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<Option<NaiveDate>>;

    async fn add_affiliation(
        &self,
        member: MemberId,
        organisation: &str,
        since: Option<NaiveDate>,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    async fn verify_affiliation(
        &self,
        member: MemberId,
        affiliation: i64,
        verified_by: MemberId,
        on: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn transfer_member(
        &self,
        member: MemberId,
        move_: &BranchMoveInput,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Every member in scope, for export. `access` is logged per member exported.
    async fn export_members(
        &self,
        scope: &MemberScope,
        access: &AccessContext,
    ) -> StoreResult<Vec<MemberRecord>>;

    // ---- joining and leaving ----

    /// Records an application from the join form in one transaction: the applicant as a
    /// member with status applicant (their first status change carries `event.reason`), the
    /// application, `to_applicant` queued to the applicant's address, the letters to the
    /// branch's officers, and `event`. Returns the application's and the applicant's ids.
    /// `Conflict` on `email` when the address is already registered, writing nothing;
    /// `NotFound` when the member's branch is not a branch.
    async fn submit_application(
        &self,
        application: &NewApplication,
        to_applicant: &NoticeText,
        to_officers: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<(i64, MemberId)>;

    /// Someone used the address of `member`, who is already registered (to apply, or as the
    /// new address of another membership): queues `letter` to them with `event`, unless a
    /// letter of the same subject was queued to them after `quiet_since` (so nobody can use
    /// it to flood anyone's inbox). Returns whether it queued one; when it did not, nothing
    /// is written.
    async fn queue_quiet_letter(
        &self,
        member: MemberId,
        letter: &Letter,
        quiet_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Applications of applicants in `query.scope`; each applicant listed is logged as read
    /// under `access` in the same transaction.
    async fn applications(
        &self,
        query: &ApplicationQuery,
        access: &AccessContext,
    ) -> StoreResult<Vec<ApplicationRecord>>;

    /// One application; `access` is written in the same transaction when given.
    async fn application(
        &self,
        id: i64,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<ApplicationRecord>>;

    /// Decides a pending application, once. Acceptance moves the applicant from applicant to
    /// active (compare-and-set, with a status change naming the decider, the day and the
    /// reason) and records `decision.on` as their join date; with `invitation`, it also
    /// issues the new member an invitation link whose letter welcomes them (as
    /// [`Store::invite_members`] does). `letters` are queued, unless that invitation was
    /// issued, and `event` is written, all in the same transaction. `Stale` if the application
    /// was already decided or the applicant is no longer an applicant; `NotFound` without the
    /// application.
    async fn decide_application(
        &self,
        id: i64,
        decision: &ApplicationDecision,
        letters: &[Letter],
        invitation: Option<&LinkRequest>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A member resigns: their status moves from `expected` to resigned (compare-and-set,
    /// with `change` as its history), the offices and seats they hold end the day before
    /// `change.effective_on`, every session of theirs ends, and `letter` is queued, with
    /// `event`, in one transaction. `Stale` if the status is no longer `expected`.
    async fn resign(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        letter: &Letter,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A member's home branch and status, to decide what their session may reach.
    async fn member_standing(
        &self,
        member: MemberId,
    ) -> StoreResult<Option<(UnitId, MemberStatus)>>;

    // ---- sign-in and sessions ----

    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;

    async fn set_password(&self, member: MemberId, password_hash: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Marks a session's second factor as checked; false if there is no such session.
    async fn complete_second_factor(&self, token_hash: &str) -> StoreResult<bool>;

    // ---- accounts: links by email, passwords, two-factor sign-in ----

    /// Members in `scope` with no password whose status lets them sign in
    /// ([`charter_domain::SIGN_IN_STATUSES`]), in id order.
    async fn members_without_password(&self, scope: &MemberScope) -> StoreResult<Vec<MemberId>>;

    /// Issues an invitation to each of `members` who, as the transaction sees them, has no
    /// password and may sign in: their link (re)issued with no working token, an earlier
    /// letter for it not yet sent withdrawn, one letter queued (sent with a fresh token), and
    /// `event` written naming the members invited (subject `member:<id>` for one, else
    /// `members` with their ids in the payload). In bulk statements, one transaction.
    /// Returns the members invited, in id order.
    async fn invite_members(
        &self,
        members: &[MemberId],
        request: &LinkRequest,
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>>;

    /// Issues a password reset to the member whose email is `email`, if there is one whose
    /// status lets them sign in and no reset was issued to them after `not_since` (so
    /// requests from others cannot keep replacing the link a member was just sent). The same
    /// statements run whether or not the address is known; `event` is written (subject
    /// `member:<id>`) only when a link was issued. Says nothing about what it found.
    async fn request_password_reset(
        &self,
        email: &str,
        request: &LinkRequest,
        not_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes `new_email` for `member`: the email-change link (re)issued with a letter to
    /// the new address, and `notice` to the member's current address when given. `Conflict`
    /// on `email` if another member has that address; `NotFound` without the member.
    async fn propose_email_change(
        &self,
        member: MemberId,
        new_email: &str,
        request: &LinkRequest,
        notice: Option<&NoticeText>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The member's email change waiting for confirmation, if any (used or not).
    async fn email_change(&self, member: MemberId) -> StoreResult<Option<AccountLinkRecord>>;

    /// The link a token (by its hash) opens, if it is one.
    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLinkRecord>>;

    /// Stores the hashes of tokens minted as their letters are sent, replacing any earlier
    /// token, for links not yet used. Returns the links minted with their purpose.
    async fn mint_link_tokens(
        &self,
        mints: &[LinkMint],
    ) -> StoreResult<Vec<(i64, charter_domain::LinkPurpose)>>;

    /// Uses a password link: `Stale` unless it still has `token_hash`, is unused and
    /// unexpired at `event.at`. Sets the password, ends every session of the member, and
    /// clears every other password link of theirs. Returns the member.
    async fn use_password_link(
        &self,
        link: i64,
        token_hash: &str,
        password_hash: &str,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// Confirms an email change as [`Store::use_password_link`] uses a link: the member's
    /// address becomes the new one (`Conflict` on `email` if another member has it by now)
    /// and `notice` goes to the old address. Password links sent to the old address stop
    /// working.
    async fn confirm_email_change(
        &self,
        link: i64,
        token_hash: &str,
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// A member changes their password: every other session ends (`keep`, a session's
    /// token hash, stays) and any password link of theirs stops working.
    async fn change_password(
        &self,
        member: MemberId,
        password_hash: &str,
        keep: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The member's two-factor sign-in, confirmed or pending.
    async fn two_factor(&self, member: MemberId) -> StoreResult<Option<TwoFactorRecord>>;

    /// Starts enrolment with a new secret, replacing a pending one; `Conflict` on `code` if
    /// two-factor sign-in is already confirmed.
    async fn begin_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Confirms a pending enrolment with the first code's time step and the recovery codes'
    /// hashes. `Stale` unless pending with `secret`.
    async fn confirm_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Accepts a code's time step for a confirmed enrolment only if it is later than every
    /// step accepted before, so a code is never accepted twice.
    async fn accept_totp_step(&self, member: MemberId, step: i64) -> StoreResult<bool>;

    /// Uses a recovery code (by its hash), once.
    async fn use_recovery_code(
        &self,
        member: MemberId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Turns two-factor sign-in off for the member, with its recovery codes.
    async fn remove_two_factor(&self, member: MemberId, event: &NewEvent) -> StoreResult<()>;

    async fn account_policy(&self) -> StoreResult<AccountPolicy>;

    async fn set_account_policy(&self, policy: &AccountPolicy, event: &NewEvent)
    -> StoreResult<()>;

    // ---- logs ----

    /// Governance events in order, after `after` (exclusive), at most `limit`.
    async fn events(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>>;

    /// Who read this member's data, newest first.
    async fn access_log(
        &self,
        subject: MemberId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<AccessEntry>>;

    // ---- constitution ----

    /// Records the founding version. Refused with `Conflict` if any version exists: after
    /// the founding, versions come only from adopted amendments.
    async fn found_constitution(
        &self,
        version: &NewConstitutionVersion,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// Every adopted version, oldest effective date first.
    async fn constitution_versions(&self) -> StoreResult<Vec<ConstitutionVersionRecord>>;

    async fn constitution_version(&self, id: i64)
    -> StoreResult<Option<ConstitutionVersionRecord>>;

    async fn propose_amendment(
        &self,
        amendment: &NewAmendment,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// Every amendment, oldest first.
    async fn amendments(&self) -> StoreResult<Vec<AmendmentRecord>>;

    async fn amendment(&self, id: i64) -> StoreResult<Option<AmendmentRecord>>;

    /// Attempts to adopt amendments, oldest first; only those of `amendment` when given.
    async fn amendment_attempts(
        &self,
        amendment: Option<i64>,
    ) -> StoreResult<Vec<AmendmentAttemptRecord>>;

    /// Proposes a motion putting `amendment` to a meeting, in one transaction with its link.
    /// Deciding it goes through `decide_amendment_motion`, never `decide_motion`.
    async fn propose_amendment_motion(
        &self,
        motion: &NewMotion,
        amendment: i64,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// The amendment a motion puts, if it puts one.
    async fn motion_amendment(&self, motion: i64) -> StoreResult<Option<i64>>;

    /// Decides a motion putting an amendment (as `decide_motion`) and records the attempt in
    /// the same transaction: when `decision.version` is given the attempt bound, the
    /// amendment becomes "adopted" and the version is recorded; otherwise it becomes
    /// "refused". `Stale` if the motion was decided or the amendment adopted already.
    async fn decide_amendment_motion(
        &self,
        motion: i64,
        outcome: &MotionOutcome,
        event: &NewEvent,
        decision: &AmendmentDecision,
    ) -> StoreResult<()>;

    /// Keeps one officer's entry of a historical meeting's decision on an amendment.
    async fn add_historical_entry(
        &self,
        entry: &NewHistoricalEntry,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// Every entry of historical meetings on `amendment`, oldest first.
    async fn historical_entries(&self, amendment: i64) -> StoreResult<Vec<HistoricalEntryRecord>>;

    /// Writes a historical meeting two officers' entries agree on, with its motion decided
    /// and the decision on the amendment, in one transaction; every waiting entry of the
    /// amendment then names the meeting. `Stale` if either agreeing entry already made a
    /// meeting or the amendment was adopted. Returns the meeting's and the motion's ids.
    async fn record_historical_meeting(
        &self,
        meeting: &NewHistoricalMeeting,
    ) -> StoreResult<(i64, i64)>;

    /// The facts the constitution engine needs about every member on `on`, in member order.
    async fn member_facts(&self, on: NaiveDate) -> StoreResult<Vec<MemberFactsRecord>>;

    /// The same for one member; `access` is written in the same transaction when given.
    async fn member_facts_of(
        &self,
        member: MemberId,
        on: NaiveDate,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberFactsRecord>>;

    // ---- meetings ----

    /// Calls a meeting: the meeting, its invitees (the roll) and one queued notice per
    /// invitee, in one transaction with `event`. Returns the meeting's id.
    async fn call_meeting(
        &self,
        meeting: &NewMeeting,
        invitees: &[NewInvitee],
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    async fn meeting(&self, id: i64) -> StoreResult<Option<MeetingRecord>>;

    /// (member, first name, email) for sending members their own notices: the system
    /// writing to a member, not a person reading about them, so no access is logged.
    async fn member_contacts(
        &self,
        members: &[MemberId],
    ) -> StoreResult<Vec<(MemberId, String, String)>>;

    /// Meetings starting from `from` (all when `None`), of `unit` when given, soonest first.
    async fn meetings(
        &self,
        unit: Option<UnitId>,
        from: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<MeetingRecord>>;

    /// Meetings the member is on the roll of, soonest first.
    async fn meetings_for(&self, member: MemberId) -> StoreResult<Vec<MeetingRecord>>;

    /// Whether the member is invited, and whether they may vote.
    async fn invitee(&self, meeting: i64, member: MemberId) -> StoreResult<Option<bool>>;

    async fn notice_progress(&self, meeting: i64) -> StoreResult<NoticeProgress>;

    /// Claims up to `limit` queued messages due by `now` for delivery, oldest first. A claimed
    /// message is not handed out again until `lease_until`, so two senders never send it twice.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Records one delivery attempt. When a meeting's last queued notice is settled, its
    /// notice becomes complete at `at`.
    async fn record_delivery(
        &self,
        message: i64,
        delivery: &Delivery,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Records claimed messages as sent at `at`, all in one transaction (letters handed over
    /// together); a message no longer queued is left as it is. Settles meetings' notice as
    /// [`Store::record_delivery`] does. Returns how many were recorded.
    async fn record_sent(&self, messages: &[i64], at: DateTime<Utc>) -> StoreResult<u64>;

    /// Records a member's attendance; `Conflict` if already recorded, `NotFound` if they are
    /// not invited.
    async fn check_in(
        &self,
        meeting: i64,
        member: MemberId,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Opens an election and queues its notice of nominations to every recipient, in one
    /// transaction with `event`.
    async fn create_election(
        &self,
        e: &NewElection,
        notice: &NoticeText,
        recipients: &[Recipient],
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// Every election, newest first.
    async fn elections(&self) -> StoreResult<Vec<ElectionRecord>>;

    async fn election(&self, id: i64) -> StoreResult<Option<ElectionRecord>>;

    /// Adds `nominator`'s nomination of `candidate` (creating the nomination at the first),
    /// valid once `needed` members have nominated. `Conflict` if they already nominated this
    /// candidate; `Stale` if the candidate withdrew.
    async fn nominate(
        &self,
        election: i64,
        candidate: MemberId,
        name: &str,
        nominator: MemberId,
        needed: u32,
        event: &NewEvent,
    ) -> StoreResult<NominationRecord>;

    /// The election's nominations, oldest first.
    async fn nominations(&self, election: i64) -> StoreResult<Vec<NominationRecord>>;

    async fn set_statement(&self, nomination: i64, text: &str, event: &NewEvent)
    -> StoreResult<()>;

    /// The candidate withdraws: `Stale` if already withdrawn.
    async fn withdraw_nomination(&self, nomination: i64, event: &NewEvent) -> StoreResult<()>;

    /// Links the ballot built from the valid nominations; `Stale` if one is linked already.
    async fn attach_election_ballot(
        &self,
        election: i64,
        ballot: i64,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Seats the winners in one transaction: the body's current terms end the day before
    /// `term.starts_on`, each winner is seated for `term`. `Stale` if already seated.
    async fn seat_winners(
        &self,
        election: i64,
        winners: &[MemberId],
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn create_ballot(&self, b: &NewBallot, event: &NewEvent) -> StoreResult<i64>;

    /// Every ballot, newest first.
    async fn ballots(&self) -> StoreResult<Vec<BallotRecord>>;

    async fn ballot(&self, id: i64) -> StoreResult<Option<BallotRecord>>;

    /// Opens a scheduled ballot: its voters, and one queued letter each with the place for
    /// their link (minted as it is sent, [`Store::mint_voting_links`]). `Stale` unless it is
    /// scheduled.
    async fn open_ballot(
        &self,
        id: i64,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Whether `member` may vote in the ballot, and when they did.
    async fn ballot_voter(
        &self,
        id: i64,
        member: MemberId,
    ) -> StoreResult<Option<Option<DateTime<Utc>>>>;

    /// The voter a personal link belongs to.
    async fn voter_by_link(&self, id: i64, link_hash: &str) -> StoreResult<Option<MemberId>>;

    /// Puts a ballot in the box and marks the voter as having voted, in one transaction (the
    /// event records only that they took part) shared with the ballots cast at the same moment
    /// (group commit, [`batch`]); answered once it has committed. The same submission again is
    /// `AlreadyRecorded`; a different one from someone who voted is `Conflict` unless it
    /// replaces their earlier ballot; `NotFound` if they are not a voter; `Stale` if closed.
    async fn cast_ballot(
        &self,
        id: i64,
        member: MemberId,
        cast: &NewCast,
        event: &NewEvent,
    ) -> StoreResult<CastOutcome>;

    /// Voters of an open ballot who have not voted yet, with their branch.
    async fn ballot_nonvoters(&self, id: i64) -> StoreResult<Vec<(MemberId, UnitId)>>;

    /// Sends the reminder of the ballot's timetable `days_before` close: queues a letter to
    /// each listed voter who has still not voted (their link minted as it is sent), and
    /// records the reminder once. Returns how many were queued. `Stale` unless the ballot is
    /// open; `Conflict` when that reminder has gone already.
    async fn remind_voters(
        &self,
        id: i64,
        days_before: u32,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<u64>;

    /// The reminders of the ballot's timetable sent so far.
    async fn ballot_reminders(&self, id: i64) -> StoreResult<Vec<BallotReminder>>;

    /// Keeps each minted link's hash as its voter's link, for voters who have not voted in
    /// a ballot still open (the link sent before stops working). Returns the (ballot, member)
    /// pairs whose link was kept; a letter for anyone else goes without one.
    async fn mint_voting_links(
        &self,
        mints: &[VotingLinkMint],
    ) -> StoreResult<Vec<(i64, MemberId)>>;

    /// Voters and votes per branch: counts only.
    async fn ballot_turnout(&self, id: i64) -> StoreResult<Vec<TurnoutRow>>;

    /// Closes an open ballot: no more ballots go in. `Stale` unless it is open.
    async fn close_ballot(&self, id: i64, event: &NewEvent) -> StoreResult<()>;

    /// Appends a document to a verifiable ballot's board, in one transaction with its event,
    /// while the ballot is in one of `states` (`Stale` otherwise). `Conflict` (field `board`)
    /// when that kind of document from that trustee (or the ballot) is there already;
    /// `NotFound` without the ballot. Returns its place on the board.
    async fn post_board_item(
        &self,
        ballot: i64,
        states: &[&str],
        item: &NewBoardItem,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// A ballot's board, in the order posted (empty for a ballot that is not verifiable).
    async fn board_items(&self, ballot: i64) -> StoreResult<Vec<BoardItem>>;

    /// The encrypted ballots of a verifiable ballot that count (not replaced), by tracker:
    /// public from the moment they are cast, as the board shows them. Empty for a ballot
    /// without a setup on its board, whose box stays sealed until the close.
    async fn encrypted_box(&self, ballot: i64) -> StoreResult<Vec<BoxedBallot>>;

    /// The ballots in the box that count (not replaced), by tracker. Sealed until the ballot
    /// closes: `Stale` before.
    async fn ballot_box(&self, id: i64) -> StoreResult<Vec<BoxedBallot>>;

    /// Records the count of a closed ballot. `Stale` unless it is closed and uncounted. For
    /// a ballot putting an amendment, `decision` is the decision on it, recorded in the same
    /// transaction (the version too, when it binds); it must name that ballot's amendment.
    async fn record_ballot_count(
        &self,
        id: i64,
        result_json: &str,
        outcome: &str,
        event: &NewEvent,
        decision: Option<&AmendmentDecision>,
    ) -> StoreResult<()>;

    /// The amendment a ballot puts to the members, if it puts one.
    async fn ballot_amendment(&self, ballot: i64) -> StoreResult<Option<i64>>;

    /// Marks a voter of an open ballot as having voted on paper (their returned envelope's
    /// declaration checked by `teller`), in the same transaction as its event, which names
    /// the voter and never a paper. `NotFound` if they are not a voter of it, `Conflict` if
    /// they have voted (online or on paper), `Stale` unless the ballot is open.
    async fn mark_paper_voter(
        &self,
        id: i64,
        member: MemberId,
        teller: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A ballot's paper side in numbers.
    async fn paper_tally(&self, id: i64) -> StoreResult<PaperTally>;

    /// The paper mark on `member` in a ballot, if a teller made one.
    async fn paper_mark(&self, id: i64, member: MemberId) -> StoreResult<Option<PaperMark>>;

    /// Reverses the paper mark on `member` while the ballot is open, with `by` and `reason`
    /// kept on the mark, in one transaction with its event: their online ballot kept aside,
    /// if any, goes into the box under its tracker (and they stay recorded as having voted,
    /// online); otherwise they are recorded as not having voted. Returns whether a ballot
    /// kept aside went in. `NotFound` without a mark; `Conflict` if it was reversed already,
    /// `by` made it, or the papers in the box would outnumber the marks left; `Stale` unless
    /// the ballot is open.
    async fn reverse_paper_mark(
        &self,
        id: i64,
        member: MemberId,
        by: MemberId,
        reason: &str,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Starts a batch of papers. `Stale` unless the ballot is open; `Conflict` if its papers
    /// and those committed would outnumber the members marked as voting on paper.
    async fn create_paper_batch(&self, b: &NewPaperBatch, event: &NewEvent) -> StoreResult<i64>;

    /// A ballot's batches, oldest first, each with its entries.
    async fn paper_batches(&self, id: i64) -> StoreResult<Vec<PaperBatchRecord>>;

    async fn paper_batch(&self, batch: i64) -> StoreResult<Option<PaperBatchRecord>>;

    /// Adds a teller's entry to a batch that had `seen` entries when the caller resolved it
    /// (compare-and-set: `Stale` if another entry came first, the batch is committed or the
    /// ballot is not open). With `commit`, in the same transaction the batch's papers go into
    /// the box and the batch is committed with this entry as the agreed one; `Conflict` (and
    /// nothing written) if its papers and those committed before would outnumber the members
    /// marked as voting on paper. Returns the entry's id.
    async fn enter_paper_batch(
        &self,
        batch: i64,
        entry: &NewPaperEntry,
        seen: usize,
        commit: Option<&PaperCommit>,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// A page of an opened ballot's voters with whether and how they voted, and every
    /// challenge to its roll with the challenger's name, for its scrutineer. Every member
    /// listed is logged as read under `access`, in the same transaction. No choice is read.
    async fn ballot_roll_audit(
        &self,
        id: i64,
        page: u32,
        per_page: u32,
        access: &AccessContext,
    ) -> StoreResult<BallotRollAudit>;

    /// The ballot's governance events, oldest first: its creation and every event about it
    /// but the one per voter (who voted is on its roll).
    async fn ballot_trail(&self, id: i64) -> StoreResult<Vec<EventRecord>>;

    /// How many ballots lie in the box beside how many voters are marked, read in one
    /// snapshot: counts only, in any state.
    async fn ballot_box_size(&self, id: i64) -> StoreResult<BoxSize>;

    /// The code members give to check themselves in; `None` for a meeting called before codes
    /// were kept, until an officer makes one.
    async fn check_in_code(&self, meeting: i64) -> StoreResult<Option<String>>;

    /// Replaces the meeting's check-in code (the old one and its link stop working).
    async fn replace_check_in_code(
        &self,
        meeting: i64,
        code: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes a composite of `parts` (each still proposed, of this meeting, in no other
    /// pending composite: else `Stale`).
    async fn propose_composite(&self, c: &NewComposite, event: &NewEvent) -> StoreResult<i64>;

    /// A meeting's composites, oldest first, with their parts.
    async fn composites(&self, meeting: i64) -> StoreResult<Vec<CompositeRecord>>;

    async fn composite(&self, id: i64) -> StoreResult<Option<CompositeRecord>>;

    /// Records the mover's consent for `part`. The last consent forms the composite in the
    /// same transaction: `formed` is added as a motion, the parts are set aside by it, and its
    /// id is returned. `Stale` if the composite is no longer pending or a part was decided.
    async fn consent_to_composite(
        &self,
        id: i64,
        part: i64,
        by: MemberId,
        formed: &NewMotion,
        consent: &NewEvent,
        forming: &NewEvent,
    ) -> StoreResult<Option<i64>>;

    /// A mover refuses: the composite is declined and its parts stand as they were.
    async fn decline_composite(&self, id: i64, event: &NewEvent) -> StoreResult<()>;

    /// (present, of whom may vote).
    async fn attendance(&self, meeting: i64) -> StoreResult<(i64, i64)>;

    async fn attended(&self, meeting: i64, member: MemberId) -> StoreResult<bool>;

    /// Invitees who may vote: the meeting's roll, fixed when it was called.
    async fn voters(&self, meeting: i64) -> StoreResult<i64>;

    /// The invitees who may vote, in member id order.
    async fn meeting_voters(&self, meeting: i64) -> StoreResult<Vec<MemberId>>;

    async fn propose_motion(&self, motion: &NewMotion, event: &NewEvent) -> StoreResult<i64>;

    async fn motions(&self, meeting: i64) -> StoreResult<Vec<MotionRecord>>;

    /// Every motion of one kind (`dissolve-body`…), at any meeting, oldest first.
    async fn motions_of_kind(&self, kind: &str) -> StoreResult<Vec<MotionRecord>>;

    async fn motion(&self, id: i64) -> StoreResult<Option<MotionRecord>>;

    /// Records the vote and outcome of a proposed motion; `Stale` if it was already decided.
    /// An amendment adopted gives the motion it amends its wording, as a new version.
    async fn decide_motion(
        &self,
        id: i64,
        outcome: &MotionOutcome,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records the seconder of a proposed motion (`Stale` once seconded or decided,
    /// `Conflict` for its own proposer).
    async fn second_motion(&self, id: i64, seconder: MemberId, event: &NewEvent)
    -> StoreResult<()>;

    /// Withdraws a proposed motion not yet put to a vote, with every undecided amendment to
    /// it; returns the motions withdrawn (`Stale` once voting opened or it was decided).
    async fn withdraw_motion(&self, id: i64, event: &NewEvent) -> StoreResult<Vec<i64>>;

    /// Every wording the motion has had, oldest first.
    async fn motion_versions(&self, motion: i64) -> StoreResult<Vec<MotionVersion>>;

    /// Saves a meeting's draft minutes (`Stale` once approved).
    async fn save_minutes(
        &self,
        meeting: i64,
        text: &str,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn minutes(&self, meeting: i64) -> StoreResult<Option<MinutesRecord>>;

    /// Proposes `motion` (at a later meeting) to approve the draft minutes of `of_meeting`,
    /// in one transaction; adopting it approves them. `NotFound` without a draft, `Stale`
    /// once approved or while another approval motion is undecided.
    async fn put_minutes_for_approval(
        &self,
        of_meeting: i64,
        motion: &NewMotion,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    // ---- agenda and papers ----

    /// Puts an item at the end of a meeting's agenda. `NotFound` without the meeting, `Stale`
    /// once it was cancelled or has started (by `event.at`): then its agenda is fixed.
    async fn add_agenda_item(&self, item: &NewAgendaItem, event: &NewEvent) -> StoreResult<i64>;

    /// The items on a meeting's agenda in order, each with its papers' records (no content).
    async fn agenda(&self, meeting: i64) -> StoreResult<Vec<AgendaItemRecord>>;

    /// One item, on the agenda or taken off it, with its papers' records.
    async fn agenda_item(&self, id: i64) -> StoreResult<Option<AgendaItemRecord>>;

    /// Rewords an item and moves it when `change.position` is given. `Stale` once its meeting
    /// was cancelled or has started, or the item was taken off; `Conflict` on `position` for a
    /// place not on the agenda.
    async fn change_agenda_item(
        &self,
        id: i64,
        change: &AgendaItemChange,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Takes an item off the agenda (kept for the record); the items after it move up.
    /// `Stale` as for a change; `Conflict` on `item` while it has papers not withdrawn.
    async fn remove_agenda_item(&self, id: i64, event: &NewEvent) -> StoreResult<()>;

    /// Circulates a paper for an item on the agenda. `NotFound` without the item, `Stale` once
    /// it was taken off or its meeting was cancelled or has ended.
    async fn circulate_paper(&self, paper: &NewPaper, event: &NewEvent) -> StoreResult<i64>;

    async fn paper(&self, id: i64) -> StoreResult<Option<PaperRecord>>;

    /// A paper's record with its content, exactly as circulated.
    async fn paper_content(&self, id: i64) -> StoreResult<Option<(PaperRecord, Vec<u8>)>>;

    /// Marks a paper withdrawn; it is kept. `Stale` if already withdrawn or its meeting was
    /// cancelled or has ended.
    async fn withdraw_paper(
        &self,
        id: i64,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Sets the member's calendar subscription token (by its hash), replacing any other.
    async fn set_calendar_feed(
        &self,
        member: MemberId,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Whose calendar subscription the token (by its hash) opens.
    async fn calendar_feed_member(&self, token_hash: &str) -> StoreResult<Option<MemberId>>;

    /// Opens an electronic vote on a proposed motion (`Stale` unless proposed, `Conflict` if
    /// one was already opened).
    async fn open_poll(
        &self,
        motion: i64,
        mode: &str,
        opened_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn poll(&self, motion: i64) -> StoreResult<Option<PollRecord>>;

    /// Casts a vote in an open poll by a member checked in who may vote. A secret vote's
    /// choice is only added to the count. The same submission again is `AlreadyRecorded`;
    /// another from the same member is `Conflict`; a closed poll is `Stale`; a member not
    /// present with a vote is `Conflict` on `member`.
    async fn cast_vote(&self, vote: &NewVote, at: DateTime<Utc>) -> StoreResult<VoteReceipt>;

    /// The member's vote in the poll: their submission, and their choice in a named poll.
    async fn my_vote(
        &self,
        motion: i64,
        member: MemberId,
    ) -> StoreResult<Option<(String, Option<String>)>>;

    /// How each member voted in a named poll, with names, in name order; every member
    /// listed is logged as read under `access`.
    async fn named_votes(
        &self,
        motion: i64,
        access: &AccessContext,
    ) -> StoreResult<Vec<(MemberId, String, String, String)>>;

    /// Closes an open poll and returns its final count (`Stale` if already closed).
    async fn close_poll(&self, motion: i64, event: &NewEvent) -> StoreResult<PollRecord>;

    /// Publishes an adopted motion (`Stale` unless it is adopted).
    async fn publish_motion(&self, id: i64, event: &NewEvent) -> StoreResult<()>;

    /// Published motions, on `matter` when given, newest first.
    async fn published_motions(&self, matter: Option<&str>) -> StoreResult<Vec<PublishedMotion>>;

    /// Published motions that require a meeting of `kind` (`special-conference`), whatever
    /// their matter, newest first.
    async fn published_motions_requiring(&self, kind: &str) -> StoreResult<Vec<PublishedMotion>>;

    // ---- requisitions ----

    /// Opens a requisition, signed by its opener when given.
    async fn open_requisition(&self, r: &NewRequisition, event: &NewEvent) -> StoreResult<i64>;

    /// Every requisition, newest first, with its signature count.
    async fn requisitions(&self) -> StoreResult<Vec<RequisitionRecord>>;

    async fn requisition(&self, id: i64) -> StoreResult<Option<RequisitionRecord>>;

    async fn has_signed(&self, id: i64, member: MemberId) -> StoreResult<bool>;

    /// Adds a signature; `Conflict` if already signed, `Stale` once a meeting answers it.
    async fn sign_requisition(
        &self,
        id: i64,
        member: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records that the threshold was reached (once; later calls change nothing and return false).
    async fn requisition_reached(
        &self,
        id: i64,
        clause: &str,
        call_by: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Links the meeting called in answer; `Stale` unless reached and not yet answered.
    async fn answer_requisition(&self, id: i64, meeting: i64, event: &NewEvent) -> StoreResult<()>;

    /// Writes to those who must call a reached requisition's meeting that it is overdue:
    /// queues `letters` and records `event.at` as the last time they were written to, with
    /// `event`, in one transaction — only while that last time is still `last` (so two
    /// timetables running at once write once), the threshold is reached and no meeting
    /// answers it. Returns whether it wrote; when it did not, nothing is written. `NotFound`
    /// without the requisition.
    async fn remind_requisition(
        &self,
        id: i64,
        last: Option<DateTime<Utc>>,
        letters: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<bool>;

    // ---- rolls ----

    /// Freezes a roll: its lines (in any order, one per member), the reasons they index,
    /// and per-branch counts, all in one transaction with `event`. Returns the roll's id.
    async fn freeze_roll(
        &self,
        roll: &NewRoll,
        reasons: &[RollReason],
        entries: &[NewRollEntry],
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// Every roll, newest first.
    async fn rolls(&self) -> StoreResult<Vec<RollRecord>>;

    async fn roll(&self, id: i64) -> StoreResult<Option<RollRecord>>;

    /// Eligible and excluded counts per branch as the roll stands.
    async fn roll_counts(&self, roll: i64) -> StoreResult<Vec<RollBranchCount>>;

    /// One member's line; `access` is written in the same transaction when the line is
    /// read by someone else.
    async fn roll_entry(
        &self,
        roll: i64,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<RollEntryRecord>>;

    /// A page of lines with names, in member id order, within `query.scope`; every member
    /// on the page is logged under `access`.
    async fn roll_names(
        &self,
        roll: i64,
        query: &RollQuery,
        access: &AccessContext,
    ) -> StoreResult<Page<RollNameRecord>>;

    /// The frozen lines in canonical order (member id, branch, eligible as frozen), to
    /// recompute the frozen hash. When the lines leave the system (`access` given), every
    /// member listed is logged in the same transaction.
    async fn roll_frozen_lines(
        &self,
        roll: i64,
        access: Option<&AccessContext>,
    ) -> StoreResult<Vec<(MemberId, UnitId, bool)>>;

    /// Lodges a challenge to a member's exclusion. `Conflict` if the member is on the roll
    /// or already has an open challenge on it; `NotFound` if they are not listed at all.
    async fn lodge_challenge(&self, challenge: &NewChallenge, event: &NewEvent)
    -> StoreResult<i64>;

    /// A roll's challenges, oldest first.
    async fn challenges(&self, roll: i64) -> StoreResult<Vec<ChallengeRecord>>;

    async fn challenge(&self, id: i64) -> StoreResult<Option<ChallengeRecord>>;

    /// Decides an open challenge: upheld puts the member on the roll (their frozen line is
    /// kept), and the roll's hash moves on to `decision.new_hash`. `Stale` if the challenge
    /// is no longer open or the roll's hash is not `decision.expected_hash`.
    async fn decide_challenge(
        &self,
        id: i64,
        decision: &ChallengeDecision,
        event: &NewEvent,
    ) -> StoreResult<()>;

    // ---- delegate conferences ----

    /// Records a conference's apportionment with every branch's allocation, once:
    /// `Conflict` if the conference was already apportioned.
    async fn apportion_delegates(&self, a: &NewApportionment, event: &NewEvent) -> StoreResult<()>;

    async fn delegate_conference(
        &self,
        meeting: i64,
    ) -> StoreResult<Option<DelegateConferenceRecord>>;

    /// The branches' allocations, by branch name.
    async fn delegate_allocations(&self, meeting: i64) -> StoreResult<Vec<AllocationRecord>>;

    /// Records a credential unless the branch already has `limit` credentialed in that role
    /// (`Conflict`, field `role`) or the member already holds one here (`Conflict`, `member`).
    async fn add_credential(
        &self,
        c: &NewCredential,
        limit: u32,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// The conference's credentials by branch name, delegates before substitutes.
    async fn delegate_credentials(&self, meeting: i64) -> StoreResult<Vec<CredentialRecord>>;

    async fn delegate_credential(&self, id: i64) -> StoreResult<Option<CredentialRecord>>;

    /// A member's challenge to a credential; `Conflict` if they already challenged it,
    /// `Stale` if it was struck meanwhile.
    async fn lodge_credential_challenge(
        &self,
        credential: i64,
        challenger: MemberId,
        grounds: &str,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// The conference's challenges, oldest first.
    async fn credential_challenges(
        &self,
        meeting: i64,
    ) -> StoreResult<Vec<CredentialChallengeRecord>>;

    async fn credential_challenge(&self, id: i64)
    -> StoreResult<Option<CredentialChallengeRecord>>;

    /// Records the ruling on a challenge, once (`Stale` if already ruled); an upheld
    /// challenge strikes the credential in the same transaction.
    async fn rule_on_credential_challenge(
        &self,
        id: i64,
        upheld: bool,
        reason: &str,
        by: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Checks in a credentialed delegate, or a substitute standing in for `stands_for`, a
    /// credentialed delegate of the same branch who is not present and has nobody standing in.
    /// `Conflict` when any of that does not hold.
    async fn check_in_delegate(
        &self,
        meeting: i64,
        credential: i64,
        stands_for: Option<i64>,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Opens a card vote on a motion with each present delegate's card; `Conflict` if the
    /// motion already has one or an electronic vote.
    async fn open_card_vote(
        &self,
        motion: i64,
        meeting: i64,
        card_vote: &str,
        cards: &[Card],
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn card_vote(&self, motion: i64) -> StoreResult<Option<CardVoteRecord>>;

    /// Casts a delegate's card: `NotFound` with no card vote, `Stale` once closed,
    /// `Conflict` (field `member`) for someone holding no card or voting a second time with
    /// another submission; the same submission again is `AlreadyRecorded`.
    async fn cast_card_vote(&self, b: &NewCardBallot, event: &NewEvent)
    -> StoreResult<VoteReceipt>;

    /// The cards cast, on the record, by branch then name.
    async fn card_ballots(&self, motion: i64) -> StoreResult<Vec<CardBallotRecord>>;

    /// Closes a card vote and returns its final count; `Stale` if already closed.
    async fn close_card_vote(&self, motion: i64, event: &NewEvent) -> StoreResult<CardVoteRecord>;
}
