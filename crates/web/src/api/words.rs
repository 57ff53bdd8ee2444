//! Request fields that take one of a fixed set of words, documented as enums (with
//! `#[schema(schema_with = …)]` or `#[param(schema_with = …)]`), so a client reads the choices
//! from the document instead of from a 422. The words are the app's: where it keeps them in a
//! list, that list.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// A string that is one of `words`, described for a person.
fn one_of<'a>(description: &str, words: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(words))
        .build()
}

/// A unit to establish: `region` or `branch` (the national unit is made at the founding).
pub fn unit_kind() -> Object {
    one_of("region or branch.", ["region", "branch"])
}

/// How a meeting is held.
pub fn meeting_mode() -> Object {
    one_of(
        "physical, online or hybrid.",
        charter_domain::MeetingMode::ALL.iter().map(|m| m.as_str()),
    )
}

/// How a motion's electronic vote records choices.
pub fn poll_mode() -> Object {
    one_of(
        "named (each member's choice recorded) or secret (only who voted is kept).",
        charter_domain::PollMode::ALL.iter().map(|m| m.as_str()),
    )
}

/// A member's status.
pub fn member_status() -> Object {
    one_of(
        "A member's status.",
        charter_domain::MemberStatus::ALL.iter().map(|s| s.as_str()),
    )
}

/// What a discipline motion proposes.
pub fn discipline_status() -> Object {
    one_of("`suspended` or `expelled`.", ["suspended", "expelled"])
}

/// A credential's role at a delegate conference.
pub fn credential_role() -> Object {
    one_of(
        "delegate or substitute.",
        charter_domain::DelegateRole::ALL.iter().map(|r| r.as_str()),
    )
}

/// A ruling on a challenge to a credential.
pub fn ruling() -> Object {
    one_of(
        "upheld (strikes the credential) or rejected.",
        ["upheld", "rejected"],
    )
}

/// An officer's decision on an application to join.
pub fn application_decision() -> Object {
    one_of("accept or refuse.", ["accept", "refuse"])
}

/// Which applications to list.
pub fn application_state() -> Object {
    one_of(
        "pending (the default), accepted, refused or all.",
        ["pending", "accepted", "refused", "all"],
    )
}

/// A vote on a motion.
pub fn choice() -> Object {
    one_of(
        "for, against or abstain.",
        charter_domain::VoteChoice::ALL.iter().map(|c| c.as_str()),
    )
}

/// A substantive motion's kind.
pub fn motion_kind() -> Object {
    one_of(
        "ordinary-motion, dissolve-body, create-body, suspend-standing-orders or rescind.",
        [
            "ordinary-motion",
            "dissolve-body",
            "create-body",
            "suspend-standing-orders",
            "rescind",
        ],
    )
}

/// A procedural motion's kind.
pub fn procedural_kind() -> Object {
    one_of(
        "closure, next-business, refer-back, adjourn, admit-emergency-motion or \
         suspend-standing-orders.",
        charter_rules::DecisionKind::PROCEDURAL
            .iter()
            .map(|k| k.as_str()),
    )
}

/// A ballot's kind.
pub fn ballot_kind() -> Object {
    one_of(
        "question or election.",
        charter_domain::BallotKind::ALL.iter().map(|k| k.as_str()),
    )
}

/// The directory's order: by name, joining date or dues cover, `-` for descending.
pub fn member_sort() -> Object {
    one_of(
        "name, -name, joined, -joined, paid_up_until or -paid_up_until.",
        [
            "name",
            "-name",
            "joined",
            "-joined",
            "paid_up_until",
            "-paid_up_until",
        ],
    )
}

/// The directory's dues filter (read without regard to case).
pub fn paid_up() -> Object {
    one_of(
        "true or false (also yes, no, 1, 0; any for no filter).",
        ["true", "false", "yes", "no", "1", "0", "any"],
    )
}
