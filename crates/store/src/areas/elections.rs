//! Elections to bodies: nominations, statements and seating the winners.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::{BallotId, ElectionId, NominationId};

use crate::*;

/// Elections to bodies: nominations, statements and seating the winners.
#[async_trait]
pub trait ElectionStore: Send + Sync {
    /// Opens an election and queues its notice of nominations to every recipient, in one
    /// transaction with `event`.
    async fn create_election(
        &self,
        e: &NewElection,
        notice: &NoticeText,
        recipients: &[Recipient],
        event: &NewEvent,
    ) -> StoreResult<ElectionId>;

    /// Every election, newest first.
    async fn elections(&self) -> StoreResult<Vec<ElectionRecord>>;

    async fn election(&self, id: ElectionId) -> StoreResult<Option<ElectionRecord>>;

    /// Adds `nominator`'s nomination of `candidate` (creating the nomination at the first),
    /// valid once `needed` members have nominated. `Conflict` if they already nominated this
    /// candidate; `Stale` if the candidate withdrew.
    async fn nominate(
        &self,
        election: ElectionId,
        candidate: MemberId,
        name: &str,
        nominator: MemberId,
        needed: u32,
        event: &NewEvent,
    ) -> StoreResult<NominationRecord>;

    /// The election's nominations, oldest first.
    async fn nominations(&self, election: ElectionId) -> StoreResult<Vec<NominationRecord>>;

    async fn set_statement(
        &self,
        nomination: NominationId,
        text: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The candidate withdraws: `Stale` if already withdrawn.
    async fn withdraw_nomination(
        &self,
        nomination: NominationId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Links the ballot built from the valid nominations; `Stale` if one is linked already.
    async fn attach_election_ballot(
        &self,
        election: ElectionId,
        ballot: BallotId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Seats the winners in one transaction: the body's current terms end the day before
    /// `term.starts_on`, each winner is seated for `term`. `Stale` if already seated.
    async fn seat_winners(
        &self,
        election: ElectionId,
        winners: &[MemberId],
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;
}
