//! Meetings: calling and notice, attendance, motions, polls, minutes and publication.

use async_trait::async_trait;
use charter_domain::{MemberId, UnitId};
use charter_model::{CompositeId, LetterId, MeetingId, MotionId};
use chrono::{DateTime, Utc};

use crate::*;

/// Meetings: calling and notice, attendance, motions, polls, minutes and publication.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Calls a meeting: the meeting, its invitees (the roll) and one queued notice per
    /// invitee, in one transaction with `event`. Returns the meeting's id.
    async fn call_meeting(
        &self,
        meeting: &NewMeeting,
        invitees: &[NewInvitee],
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MeetingId>;

    async fn meeting(&self, id: MeetingId) -> StoreResult<Option<MeetingRecord>>;

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
    async fn invitee(&self, meeting: MeetingId, member: MemberId) -> StoreResult<Option<bool>>;

    async fn notice_progress(&self, meeting: MeetingId) -> StoreResult<NoticeProgress>;

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
        message: LetterId,
        delivery: &Delivery,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Records claimed messages as sent at `at`, all in one transaction (letters handed over
    /// together); a message no longer queued is left as it is. Settles meetings' notice as
    /// [`MeetingStore::record_delivery`] does. Returns how many were recorded.
    async fn record_sent(&self, messages: &[LetterId], at: DateTime<Utc>) -> StoreResult<u64>;

    /// Records a member's attendance; `Conflict` if already recorded, `NotFound` if they are
    /// not invited.
    async fn check_in(
        &self,
        meeting: MeetingId,
        member: MemberId,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The code members give to check themselves in; `None` for a meeting called before codes
    /// were kept, until an officer makes one.
    async fn check_in_code(&self, meeting: MeetingId) -> StoreResult<Option<String>>;

    /// Replaces the meeting's check-in code (the old one and its link stop working).
    async fn replace_check_in_code(
        &self,
        meeting: MeetingId,
        code: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes a composite of `parts` (each still proposed, of this meeting, in no other
    /// pending composite: else `Stale`).
    async fn propose_composite(
        &self,
        c: &NewComposite,
        event: &NewEvent,
    ) -> StoreResult<CompositeId>;

    /// A meeting's composites, oldest first, with their parts.
    async fn composites(&self, meeting: MeetingId) -> StoreResult<Vec<CompositeRecord>>;

    async fn composite(&self, id: CompositeId) -> StoreResult<Option<CompositeRecord>>;

    /// Records the mover's consent for `part`. The last consent forms the composite in the
    /// same transaction: `formed` is added as a motion, the parts are set aside by it, and its
    /// id is returned. `Stale` if the composite is no longer pending or a part was decided.
    async fn consent_to_composite(
        &self,
        id: CompositeId,
        part: MotionId,
        by: MemberId,
        formed: &NewMotion,
        consent: &NewEvent,
        forming: &NewEvent,
    ) -> StoreResult<Option<MotionId>>;

    /// A mover refuses: the composite is declined and its parts stand as they were.
    async fn decline_composite(&self, id: CompositeId, event: &NewEvent) -> StoreResult<()>;

    /// (present, of whom may vote).
    async fn attendance(&self, meeting: MeetingId) -> StoreResult<(i64, i64)>;

    async fn attended(&self, meeting: MeetingId, member: MemberId) -> StoreResult<bool>;

    /// Invitees who may vote: the meeting's roll, fixed when it was called.
    async fn voters(&self, meeting: MeetingId) -> StoreResult<i64>;

    /// The invitees who may vote, in member id order.
    async fn meeting_voters(&self, meeting: MeetingId) -> StoreResult<Vec<MemberId>>;

    async fn propose_motion(&self, motion: &NewMotion, event: &NewEvent) -> StoreResult<MotionId>;

    async fn motions(&self, meeting: MeetingId) -> StoreResult<Vec<MotionRecord>>;

    /// Every motion of one kind (`dissolve-body`…), at any meeting, oldest first.
    async fn motions_of_kind(&self, kind: &str) -> StoreResult<Vec<MotionRecord>>;

    async fn motion(&self, id: MotionId) -> StoreResult<Option<MotionRecord>>;

    /// Records the vote and outcome of a proposed motion; `Stale` if it was already decided.
    /// An amendment adopted gives the motion it amends its wording, as a new version.
    async fn decide_motion(
        &self,
        id: MotionId,
        outcome: &MotionOutcome,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records the seconder of a proposed motion (`Stale` once seconded or decided,
    /// `Conflict` for its own proposer).
    async fn second_motion(
        &self,
        id: MotionId,
        seconder: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Withdraws a proposed motion not yet put to a vote, with every undecided amendment to
    /// it; returns the motions withdrawn (`Stale` once voting opened or it was decided).
    async fn withdraw_motion(&self, id: MotionId, event: &NewEvent) -> StoreResult<Vec<MotionId>>;

    /// Every wording the motion has had, oldest first.
    async fn motion_versions(&self, motion: MotionId) -> StoreResult<Vec<MotionVersion>>;

    /// Saves a meeting's draft minutes (`Stale` once approved).
    async fn save_minutes(
        &self,
        meeting: MeetingId,
        text: &str,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn minutes(&self, meeting: MeetingId) -> StoreResult<Option<MinutesRecord>>;

    /// Proposes `motion` (at a later meeting) to approve the draft minutes of `of_meeting`,
    /// in one transaction; adopting it approves them. `NotFound` without a draft, `Stale`
    /// once approved or while another approval motion is undecided.
    async fn put_minutes_for_approval(
        &self,
        of_meeting: MeetingId,
        motion: &NewMotion,
        event: &NewEvent,
    ) -> StoreResult<MotionId>;

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
        motion: MotionId,
        mode: &str,
        opened_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn poll(&self, motion: MotionId) -> StoreResult<Option<PollRecord>>;

    /// Casts a vote in an open poll by a member checked in who may vote. A secret vote's
    /// choice is only added to the count. The same submission again is `AlreadyRecorded`;
    /// another from the same member is `Conflict`; a closed poll is `Stale`; a member not
    /// present with a vote is `Conflict` on `member`.
    async fn cast_vote(&self, vote: &NewVote, at: DateTime<Utc>) -> StoreResult<VoteReceipt>;

    /// The member's vote in the poll: their submission, and their choice in a named poll.
    async fn my_vote(
        &self,
        motion: MotionId,
        member: MemberId,
    ) -> StoreResult<Option<(String, Option<String>)>>;

    /// How each member voted in a named poll, with names, in name order; every member
    /// listed is logged as read under `access`.
    async fn named_votes(
        &self,
        motion: MotionId,
        access: &AccessContext,
    ) -> StoreResult<Vec<(MemberId, String, String, String)>>;

    /// Closes an open poll and returns its final count (`Stale` if already closed).
    async fn close_poll(&self, motion: MotionId, event: &NewEvent) -> StoreResult<PollRecord>;

    /// Publishes an adopted motion (`Stale` unless it is adopted).
    async fn publish_motion(&self, id: MotionId, event: &NewEvent) -> StoreResult<()>;

    /// Published motions, on `matter` when given, newest first.
    async fn published_motions(&self, matter: Option<&str>) -> StoreResult<Vec<PublishedMotion>>;

    /// Published motions that require a meeting of `kind` (`special-conference`), whatever
    /// their matter, newest first.
    async fn published_motions_requiring(&self, kind: &str) -> StoreResult<Vec<PublishedMotion>>;
}
