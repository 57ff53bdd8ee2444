//! The ids of the records: each its own type, so a meeting's id can never be passed where a
//! motion's belongs. They are the numbers the store assigns; in events and on the wire they
//! are written as those numbers. (The ids the rules reason about, of members, units, bodies
//! and offices, are the domain's.)

use serde::{Deserialize, Serialize};

/// A record id: the domain's id type, written in events and JSON as the number it wraps.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        charter_domain::id_type!(
            $(#[$doc])*
            #[derive(Serialize, Deserialize)]
            #[serde(transparent)]
            $name
        );
    };
}

record_id!(
    /// A link sent by email (invitation, password reset, email change).
    AccountLinkId
);
record_id!(
    /// A member's declared membership of another organisation.
    AffiliationId
);
record_id!(
    /// An item of a meeting's agenda.
    AgendaItemId
);
record_id!(
    /// One attempt to carry an amendment (a vote at a meeting, or a ballot).
    AmendmentAttemptId
);
record_id!(
    /// A proposed amendment to the constitution.
    AmendmentId
);
record_id!(
    /// An application to join.
    ApplicationId
);
record_id!(
    /// A ballot, secret or sealed.
    BallotId
);
record_id!(
    /// A composite of several motions.
    CompositeId
);
record_id!(
    /// A version of the constitution, as adopted.
    ConstitutionVersionId
);
record_id!(
    /// A challenge to a delegate's credential.
    CredentialChallengeId
);
record_id!(
    /// A delegate's credential for a conference.
    CredentialId
);
record_id!(
    /// An election to an office.
    ElectionId
);
record_id!(
    /// An officer's entry of a meeting held before Charter kept the record.
    HistoricalEntryId
);
record_id!(
    /// A letter in the outbox.
    LetterId
);
record_id!(
    /// A meeting of a body.
    MeetingId
);
record_id!(
    /// A motion (or amendment, or procedural motion) before a meeting.
    MotionId
);
record_id!(
    /// A nomination in an election.
    NominationId
);
record_id!(
    /// A batch of paper ballots, entered twice.
    PaperBatchId
);
record_id!(
    /// One teller's entry of a paper batch.
    PaperEntryId
);
record_id!(
    /// A paper attached to an agenda item.
    PaperId
);
record_id!(
    /// Members' requisition of a meeting.
    RequisitionId
);
record_id!(
    /// A challenge to a line of a roll.
    RollChallengeId
);
record_id!(
    /// A frozen roll of who may vote.
    RollId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_written_as_its_number() {
        assert_eq!(serde_json::to_string(&MeetingId(42)).unwrap(), "42");
        let back: MotionId = serde_json::from_str("7").unwrap();
        assert_eq!(back, MotionId(7));
        assert_eq!(BallotId(3).to_string(), "3");
    }
}
