//! Records of delegate conferences: the apportionment of delegates among branches, the
//! credentials branches record, challenges and rulings, delegates checked in, and card votes.

use crate::{CredentialChallengeId, CredentialId, MeetingId, MotionId};
use charter_domain::{
    CardVote, DelegateCredentialState, DelegateRole, MemberId, UnitId, VoteChoice,
};
use chrono::{DateTime, NaiveDate, Utc};

/// A conference's delegates apportioned among the branches under the clause in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApportionment {
    pub meeting: MeetingId,
    pub clause: String,
    pub counted_on: NaiveDate,
    pub members_per_delegate: u32,
    pub minimum: u32,
    pub maximum: Option<u32>,
    pub substitutes: u32,
    pub card_vote: CardVote,
    pub credentials_due_at: DateTime<Utc>,
    pub challenges_close_at: DateTime<Utc>,
    /// The office whose national holder rules on challenges.
    pub ruled_by: String,
    /// Per branch: its paid-up members on `counted_on` and the delegates they give it.
    pub allocations: Vec<Allocation>,
    pub apportioned_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub branch: UnitId,
    pub paid_up: u64,
    pub delegates: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateConferenceRecord {
    pub meeting: MeetingId,
    pub clause: String,
    pub counted_on: NaiveDate,
    pub members_per_delegate: u32,
    pub minimum: u32,
    pub maximum: Option<u32>,
    pub substitutes: u32,
    pub card_vote: CardVote,
    pub credentials_due_at: DateTime<Utc>,
    pub challenges_close_at: DateTime<Utc>,
    pub ruled_by: String,
    pub apportioned_by: Option<MemberId>,
    pub apportioned_at: DateTime<Utc>,
}

/// A branch's share of a conference, with the credentials recorded against it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRecord {
    pub branch: UnitId,
    pub branch_name: String,
    pub paid_up: u64,
    pub delegates: u32,
    /// Delegates and substitutes credentialed (not struck).
    pub named_delegates: u32,
    pub named_substitutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub meeting: MeetingId,
    pub branch: UnitId,
    pub member: MemberId,
    /// The name as members know it, published with the credential.
    pub name: String,
    pub role: DelegateRole,
    /// How the branch chose them, in words.
    pub source: String,
    pub recorded_by: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    pub id: CredentialId,
    pub meeting: MeetingId,
    pub branch: UnitId,
    pub branch_name: String,
    pub member: MemberId,
    pub name: String,
    pub role: DelegateRole,
    pub source: String,
    /// `credentialed` or `struck` (on an upheld challenge).
    pub state: DelegateCredentialState,
    pub recorded_at: DateTime<Utc>,
    /// Checked in at the conference.
    pub present: bool,
    /// For a substitute checked in: the delegate's credential they stand in for.
    pub stands_for: Option<CredentialId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialChallengeRecord {
    pub id: CredentialChallengeId,
    pub credential: CredentialId,
    pub meeting: MeetingId,
    pub challenger: MemberId,
    pub grounds: String,
    pub lodged_at: DateTime<Utc>,
    /// `upheld` or `rejected`, once ruled on.
    pub ruling: Option<String>,
    pub reason: Option<String>,
    pub ruled_by: Option<MemberId>,
    pub ruled_at: Option<DateTime<Utc>>,
}

/// One delegate's card, fixed when a card vote opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub member: MemberId,
    pub credential: CredentialId,
    pub branch: UnitId,
    pub card: u64,
}

/// A vote of a delegate conference: the show of hands (one a delegate) and the cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardVoteRecord {
    pub motion: MotionId,
    pub meeting: MeetingId,
    pub card_vote: CardVote,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Delegates holding a card, and the cards they hold between them.
    pub holders: i64,
    pub cards_held: i64,
    pub hands_for: i64,
    pub hands_against: i64,
    pub hands_abstain: i64,
    pub cards_for: i64,
    pub cards_against: i64,
    pub cards_abstain: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCardBallot {
    pub motion: MotionId,
    pub member: MemberId,
    pub choice: VoteChoice,
    pub submission: String,
}

/// A delegate's vote as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardBallotRecord {
    pub member: MemberId,
    pub name: String,
    pub branch_name: String,
    pub choice: VoteChoice,
    pub card: u64,
}
