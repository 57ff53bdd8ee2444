//! What the ids in the pages' addresses name, for [`super::extract::PathId`]: each a type
//! with no values, carrying the word its 404 page says, the path parameter it is read from
//! (`{id}` unless said), and the id type a handler gets.

use std::convert::identity;

use charter_domain::{MemberId, UnitId};

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
    Affiliation("affiliation") = "affiliation" => i64, identity;
    AgendaItem("id") = "agenda item" => i64, identity;
    Amendment("id") = "amendment" => i64, identity;
    Application("id") = "application" => i64, identity;
    Ballot("id") = "ballot" => i64, identity;
    /// `/ballots/{id}/paper/batches/{batch}`.
    Batch("batch") = "batch" => i64, identity;
    Composite("id") = "composite" => i64, identity;
    ConstitutionVersion("id") = "constitution version" => i64, identity;
    /// A delegate's credential.
    Credential("id") = "credential" => i64, identity;
    /// A challenge to a delegate's credential.
    CredentialChallenge("id") = "challenge" => i64, identity;
    Election("id") = "election" => i64, identity;
    Meeting("id") = "meeting" => i64, identity;
    Member("id") = "member" => MemberId, MemberId;
    Motion("id") = "motion" => i64, identity;
    Paper("id") = "paper" => i64, identity;
    Requisition("id") = "requisition" => i64, identity;
    Roll("id") = "roll" => i64, identity;
    /// A challenge to a line of a roll.
    RollChallenge("id") = "challenge" => i64, identity;
    Unit("id") = "unit" => UnitId, UnitId;
}
