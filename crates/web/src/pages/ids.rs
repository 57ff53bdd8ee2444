//! What the ids in the pages' addresses name, for [`super::extract::PathId`]: each a type
//! with no values, carrying the word its 404 page says, the path parameter it is read from
//! (`{id}` unless said), and the id type a handler gets.

use charter_domain::{MemberId, UnitId};
use charter_model::{
    AffiliationId, AgendaItemId, AmendmentId, ApplicationId, BallotId, CompositeId,
    ConstitutionVersionId, CredentialChallengeId, CredentialId, ElectionId, MeetingId, MotionId,
    PaperBatchId, PaperId, RequisitionId, RollChallengeId, RollId,
};

use super::extract::Kind;

macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident($param:literal) = $what:literal => $id:ty, $make:expr;)*) => {$(
        $(#[$doc])*
        pub enum $name {}

        impl Kind for $name {
            const WHAT: &'static str = $what;
            const PARAM: &'static str = $param;
            type Id = $id;
            fn id(raw: i64) -> $id {
                $make(raw)
            }
        }
    )*};
}

kinds! {
    /// `/members/{id}/affiliations/{affiliation}/verify`.
    Affiliation("affiliation") = "affiliation" => AffiliationId, AffiliationId;
    AgendaItem("id") = "agenda item" => AgendaItemId, AgendaItemId;
    Amendment("id") = "amendment" => AmendmentId, AmendmentId;
    Application("id") = "application" => ApplicationId, ApplicationId;
    Ballot("id") = "ballot" => BallotId, BallotId;
    /// `/ballots/{id}/paper/batches/{batch}`.
    Batch("batch") = "batch" => PaperBatchId, PaperBatchId;
    Composite("id") = "composite" => CompositeId, CompositeId;
    ConstitutionVersion("id") = "constitution version" => ConstitutionVersionId, ConstitutionVersionId;
    /// A delegate's credential.
    Credential("id") = "credential" => CredentialId, CredentialId;
    /// A challenge to a delegate's credential.
    CredentialChallenge("id") = "challenge" => CredentialChallengeId, CredentialChallengeId;
    Election("id") = "election" => ElectionId, ElectionId;
    Meeting("id") = "meeting" => MeetingId, MeetingId;
    Member("id") = "member" => MemberId, MemberId;
    Motion("id") = "motion" => MotionId, MotionId;
    Paper("id") = "paper" => PaperId, PaperId;
    Requisition("id") = "requisition" => RequisitionId, RequisitionId;
    Roll("id") = "roll" => RollId, RollId;
    /// A challenge to a line of a roll.
    RollChallenge("id") = "challenge" => RollChallengeId, RollChallengeId;
    Unit("id") = "unit" => UnitId, UnitId;
}
