//! Ballots of the members: voters, the box, the sealed board and the count.

use async_trait::async_trait;
use charter_domain::{MemberId, UnitId};
use charter_model::{AmendmentId, BallotId};
use chrono::{DateTime, Utc};

use crate::*;

/// Ballots of the members: voters, the box, the sealed board and the count.
#[async_trait]
pub trait BallotStore: Send + Sync {
    async fn create_ballot(&self, b: &NewBallot, event: &NewEvent) -> StoreResult<BallotId>;

    /// Every ballot, newest first.
    async fn ballots(&self) -> StoreResult<Vec<BallotRecord>>;

    async fn ballot(&self, id: BallotId) -> StoreResult<Option<BallotRecord>>;

    /// Opens a scheduled ballot: its voters, and one queued letter each with the place for
    /// their link (minted as it is sent, [`BallotStore::mint_voting_links`]). `Stale` unless it is
    /// scheduled.
    async fn open_ballot(
        &self,
        id: BallotId,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Whether `member` may vote in the ballot, and when they did.
    async fn ballot_voter(
        &self,
        id: BallotId,
        member: MemberId,
    ) -> StoreResult<Option<Option<DateTime<Utc>>>>;

    /// The voter a personal link belongs to.
    async fn voter_by_link(&self, id: BallotId, link_hash: &str) -> StoreResult<Option<MemberId>>;

    /// Puts a ballot in the box and marks the voter as having voted, in one transaction (the
    /// event records only that they took part) shared with the ballots cast at the same moment
    /// (group commit, [`batch`]); answered once it has committed. The same submission again is
    /// `AlreadyRecorded`; a different one from someone who voted is `Conflict` unless it
    /// replaces their earlier ballot; `NotFound` if they are not a voter; `Stale` if closed.
    async fn cast_ballot(
        &self,
        id: BallotId,
        member: MemberId,
        cast: &NewCast,
        event: &NewEvent,
    ) -> StoreResult<CastOutcome>;

    /// Voters of an open ballot who have not voted yet, with their branch.
    async fn ballot_nonvoters(&self, id: BallotId) -> StoreResult<Vec<(MemberId, UnitId)>>;

    /// Sends the reminder of the ballot's timetable `days_before` close: queues a letter to
    /// each listed voter who has still not voted (their link minted as it is sent), and
    /// records the reminder once. Returns how many were queued. `Stale` unless the ballot is
    /// open; `Conflict` when that reminder has gone already.
    async fn remind_voters(
        &self,
        id: BallotId,
        days_before: u32,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<u64>;

    /// The reminders of the ballot's timetable sent so far.
    async fn ballot_reminders(&self, id: BallotId) -> StoreResult<Vec<BallotReminder>>;

    /// Keeps each minted link's hash as its voter's link, for voters who have not voted in
    /// a ballot still open (the link sent before stops working). Returns the (ballot, member)
    /// pairs whose link was kept; a letter for anyone else goes without one.
    async fn mint_voting_links(
        &self,
        mints: &[VotingLinkMint],
    ) -> StoreResult<Vec<(BallotId, MemberId)>>;

    /// Voters and votes per branch: counts only.
    async fn ballot_turnout(&self, id: BallotId) -> StoreResult<Vec<TurnoutRow>>;

    /// Closes an open ballot: no more ballots go in. `Stale` unless it is open.
    async fn close_ballot(&self, id: BallotId, event: &NewEvent) -> StoreResult<()>;

    /// Appends a document to a verifiable ballot's board, in one transaction with its event,
    /// while the ballot is in one of `states` (`Stale` otherwise). `Conflict` (field `board`)
    /// when that kind of document from that trustee (or the ballot) is there already;
    /// `NotFound` without the ballot. Returns its place on the board.
    async fn post_board_item(
        &self,
        ballot: BallotId,
        states: &[&str],
        item: &NewBoardItem,
        event: &NewEvent,
    ) -> StoreResult<i64>;

    /// A ballot's board, in the order posted (empty for a ballot that is not verifiable).
    async fn board_items(&self, ballot: BallotId) -> StoreResult<Vec<BoardItem>>;

    /// The encrypted ballots of a verifiable ballot that count (not replaced), by tracker:
    /// public from the moment they are cast, as the board shows them. Empty for a ballot
    /// without a setup on its board, whose box stays sealed until the close.
    async fn encrypted_box(&self, ballot: BallotId) -> StoreResult<Vec<BoxedBallot>>;

    /// The ballots in the box that count (not replaced), by tracker. Sealed until the ballot
    /// closes: `Stale` before.
    async fn ballot_box(&self, id: BallotId) -> StoreResult<Vec<BoxedBallot>>;

    /// Records the count of a closed ballot. `Stale` unless it is closed and uncounted. For
    /// a ballot putting an amendment, `decision` is the decision on it, recorded in the same
    /// transaction (the version too, when it binds); it must name that ballot's amendment.
    async fn record_ballot_count(
        &self,
        id: BallotId,
        result_json: &str,
        outcome: &str,
        event: &NewEvent,
        decision: Option<&AmendmentDecision>,
    ) -> StoreResult<()>;

    /// The amendment a ballot puts to the members, if it puts one.
    async fn ballot_amendment(&self, ballot: BallotId) -> StoreResult<Option<AmendmentId>>;
}
