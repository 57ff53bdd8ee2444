//! Delegate conferences: apportionment, credentials and their challenges, card votes.

use async_trait::async_trait;
use charter_domain::{CardVote, MemberId};
use charter_model::{CredentialChallengeId, CredentialId, MeetingId, MotionId};

use crate::*;

/// Delegate conferences: apportionment, credentials and their challenges, card votes.
#[async_trait]
pub trait DelegateStore: Send + Sync {
    /// Records a conference's apportionment with every branch's allocation, once:
    /// `Conflict` if the conference was already apportioned.
    async fn apportion_delegates(&self, a: &NewApportionment, event: &NewEvent) -> StoreResult<()>;

    async fn delegate_conference(
        &self,
        meeting: MeetingId,
    ) -> StoreResult<Option<DelegateConferenceRecord>>;

    /// The branches' allocations, by branch name.
    async fn delegate_allocations(&self, meeting: MeetingId) -> StoreResult<Vec<AllocationRecord>>;

    /// Records a credential unless the branch already has `limit` credentialed in that role
    /// (`Conflict`, field `role`) or the member already holds one here (`Conflict`, `member`).
    async fn add_credential(
        &self,
        c: &NewCredential,
        limit: u32,
        event: &NewEvent,
    ) -> StoreResult<CredentialId>;

    /// The conference's credentials by branch name, delegates before substitutes.
    async fn delegate_credentials(&self, meeting: MeetingId) -> StoreResult<Vec<CredentialRecord>>;

    async fn delegate_credential(&self, id: CredentialId) -> StoreResult<Option<CredentialRecord>>;

    /// A member's challenge to a credential; `Conflict` if they already challenged it,
    /// `Stale` if it was struck meanwhile.
    async fn lodge_credential_challenge(
        &self,
        credential: CredentialId,
        challenger: MemberId,
        grounds: &str,
        event: &NewEvent,
    ) -> StoreResult<CredentialChallengeId>;

    /// The conference's challenges, oldest first.
    async fn credential_challenges(
        &self,
        meeting: MeetingId,
    ) -> StoreResult<Vec<CredentialChallengeRecord>>;

    async fn credential_challenge(
        &self,
        id: CredentialChallengeId,
    ) -> StoreResult<Option<CredentialChallengeRecord>>;

    /// Records the ruling on a challenge, once (`Stale` if already ruled); an upheld
    /// challenge strikes the credential in the same transaction.
    async fn rule_on_credential_challenge(
        &self,
        id: CredentialChallengeId,
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
        meeting: MeetingId,
        credential: CredentialId,
        stands_for: Option<CredentialId>,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Opens a card vote on a motion with each present delegate's card; `Conflict` if the
    /// motion already has one or an electronic vote.
    async fn open_card_vote(
        &self,
        motion: MotionId,
        meeting: MeetingId,
        card_vote: CardVote,
        cards: &[Card],
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn card_vote(&self, motion: MotionId) -> StoreResult<Option<CardVoteRecord>>;

    /// Casts a delegate's card: `NotFound` with no card vote, `Stale` once closed,
    /// `Conflict` (field `member`) for someone holding no card or voting a second time with
    /// another submission; the same submission again is `AlreadyRecorded`.
    async fn cast_card_vote(&self, b: &NewCardBallot, event: &NewEvent)
    -> StoreResult<VoteReceipt>;

    /// The cards cast, on the record, by branch then name.
    async fn card_ballots(&self, motion: MotionId) -> StoreResult<Vec<CardBallotRecord>>;

    /// Closes a card vote and returns its final count; `Stale` if already closed.
    async fn close_card_vote(
        &self,
        motion: MotionId,
        event: &NewEvent,
    ) -> StoreResult<CardVoteRecord>;
}
