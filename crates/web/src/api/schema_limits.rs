//! The limits a request body's fields are held to, written into the document's schemas from
//! the very constants the use cases check them against, so the document cannot promise other
//! limits than the code keeps. (utoipa's `#[schema(max_length = …)]` takes only a literal,
//! which would be a copy.) A test checks that every limit lands on a property of the
//! document; a field renamed or a schema renamed fails it.

use charter_app::{
    agenda, auth, ballots, constitution, delegates, meetings, paper, register, rolls, units,
};
use charter_domain::{Email, PersonName};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// What a property is held to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// Text of at most this many characters.
    Chars(usize),
    /// Text of `min` to `max` characters.
    CharsFromTo(usize, usize),
    /// A whole number from `min` to `max`.
    FromTo(i64, i64),
    /// A list of at most this many items.
    Items(usize),
}

use Limit::{Chars, CharsFromTo, FromTo, Items};

/// Each limited property of a request body, as (schema, property, limit), by area.
pub const LIMITS: &[(&str, &str, Limit)] = &[
    // Accounts and the register.
    (
        "PasswordWithLink",
        "password",
        CharsFromTo(auth::MIN_PASSWORD, auth::MAX_PASSWORD),
    ),
    (
        "PasswordChange",
        "new_password",
        CharsFromTo(auth::MIN_PASSWORD, auth::MAX_PASSWORD),
    ),
    ("EmailChangeRequest", "email", Chars(Email::MAX_LEN)),
    ("MemberPatch", "first_name", Chars(PersonName::MAX_CHARS)),
    ("MemberPatch", "last_name", Chars(PersonName::MAX_CHARS)),
    ("MemberPatch", "email", Chars(Email::MAX_LEN)),
    ("StatusChangeRequest", "reason", Chars(register::MAX_REASON)),
    (
        "PaymentRequest",
        "months",
        FromTo(1, register::MAX_MONTHS as i64),
    ),
    (
        "AffiliationRequest",
        "organisation",
        Chars(register::MAX_ORGANISATION),
    ),
    ("TransferRequest", "reason", Chars(register::MAX_REASON)),
    // Joining and leaving.
    (
        "ApplicationRequest",
        "first_name",
        Chars(PersonName::MAX_CHARS),
    ),
    (
        "ApplicationRequest",
        "last_name",
        Chars(PersonName::MAX_CHARS),
    ),
    ("ApplicationRequest", "email", Chars(Email::MAX_LEN)),
    ("DecisionBody", "reason", Chars(register::MAX_REASON)),
    ("ResignationBody", "reason", Chars(register::MAX_REASON)),
    // Structure and the constitution.
    ("UnitCreate", "name", Chars(units::MAX_UNIT_NAME)),
    ("UnitRename", "name", Chars(units::MAX_UNIT_NAME)),
    (
        "AmendmentRequest",
        "title",
        Chars(constitution::MAX_AMENDMENT_TITLE),
    ),
    // Meetings and their business.
    ("MeetingRequestBody", "title", Chars(meetings::MAX_TITLE)),
    ("MeetingRequestBody", "agenda", Chars(meetings::MAX_AGENDA)),
    ("AgendaItemRequest", "title", Chars(agenda::MAX_ITEM_TITLE)),
    (
        "AgendaItemRequest",
        "description",
        Chars(agenda::MAX_ITEM_DESCRIPTION),
    ),
    ("AgendaItemEdit", "title", Chars(agenda::MAX_ITEM_TITLE)),
    (
        "AgendaItemEdit",
        "description",
        Chars(agenda::MAX_ITEM_DESCRIPTION),
    ),
    ("MotionRequest", "title", Chars(meetings::MAX_TITLE)),
    ("MotionRequest", "text", Chars(meetings::MAX_MOTION)),
    (
        "MotionAmendmentRequest",
        "text",
        Chars(meetings::MAX_MOTION),
    ),
    ("CompositeRequest", "title", Chars(meetings::MAX_TITLE)),
    ("CompositeRequest", "text", Chars(meetings::MAX_MOTION)),
    ("AppointmentBody", "text", Chars(meetings::MAX_MOTION)),
    ("DisciplineBody", "grounds", Chars(meetings::MAX_MOTION)),
    ("MinutesRequest", "text", Chars(meetings::MAX_MINUTES)),
    (
        "BallotRequest",
        "submission",
        CharsFromTo(meetings::MIN_SUBMISSION, meetings::MAX_SUBMISSION),
    ),
    ("RequisitionRequest", "title", Chars(meetings::MAX_TITLE)),
    ("RequisitionRequest", "purpose", Chars(meetings::MAX_AGENDA)),
    // Rolls, ballots and elections.
    ("RollRequestBody", "title", Chars(rolls::MAX_TITLE)),
    ("ChallengeRequest", "grounds", Chars(rolls::MAX_TEXT)),
    ("ChallengeDecisionRequest", "reason", Chars(rolls::MAX_TEXT)),
    ("BallotCreate", "title", Chars(meetings::MAX_TITLE)),
    ("BallotCreate", "question", Chars(meetings::MAX_MOTION)),
    ("BallotCreate", "candidates", Items(ballots::MAX_CANDIDATES)),
    ("ElectionCreate", "title", Chars(meetings::MAX_TITLE)),
    ("StatementRequest", "statement", Chars(meetings::MAX_MOTION)),
    ("PaperBatchRequest", "label", Chars(paper::MAX_LABEL)),
    ("PaperBatchRequest", "papers", FromTo(1, paper::MAX_BATCH)),
    (
        "PaperMarkReversalRequest",
        "reason",
        Chars(paper::MAX_REVERSAL_REASON),
    ),
    // Delegate conferences.
    ("CredentialCreate", "source", Chars(delegates::MAX_SOURCE)),
    ("ChallengeCreate", "grounds", Chars(delegates::MAX_GROUNDS)),
    ("RulingRequest", "reason", Chars(delegates::MAX_GROUNDS)),
];

/// Writes every limit of [`LIMITS`] into its property of `doc`'s schemas.
pub fn add_limits(doc: &mut OpenApi) {
    for &(schema, property, limit) in LIMITS {
        if let Some(target) = property_mut(doc, schema, property) {
            apply(target, limit);
        }
    }
}

/// The schema of `schema`'s `property`, when the document has it.
fn property_mut<'a>(doc: &'a mut OpenApi, schema: &str, property: &str) -> Option<&'a mut Schema> {
    let components = doc.components.as_mut()?;
    match components.schemas.get_mut(schema)? {
        RefOr::T(Schema::Object(object)) => match object.properties.get_mut(property)? {
            RefOr::T(target) => Some(target),
            RefOr::Ref(_) => None,
        },
        _ => None,
    }
}

/// Sets `limit` on `target`; false when the limit does not fit the property's kind (text,
/// number or list).
fn apply(target: &mut Schema, limit: Limit) -> bool {
    match (target, limit) {
        (Schema::Object(text), Chars(max)) => {
            text.max_length = Some(max);
            true
        }
        (Schema::Object(text), CharsFromTo(min, max)) => {
            text.min_length = Some(min);
            text.max_length = Some(max);
            true
        }
        (Schema::Object(number), FromTo(min, max)) => {
            number.minimum = Some(min.into());
            number.maximum = Some(max.into());
            true
        }
        (Schema::Array(list), Items(max)) => {
            list.max_items = Some(max);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every limit names a property the document has, of a kind it fits: a renamed schema or
    /// field, or a limit on the wrong kind of property, fails here instead of going missing.
    #[test]
    fn every_limit_lands_on_a_property_of_the_document() {
        let mut doc = crate::api::openapi().clone();
        let mut missing = Vec::new();
        for &(schema, property, limit) in LIMITS {
            match property_mut(&mut doc, schema, property).map(|target| apply(target, limit)) {
                Some(true) => {}
                Some(false) => missing.push(format!("{schema}.{property} cannot take {limit:?}")),
                None => missing.push(format!("{schema}.{property} is not in the document")),
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    /// The served document carries the limits the use cases check, for example a title's.
    #[test]
    fn the_document_carries_the_use_cases_limits() {
        let doc = serde_json::to_value(crate::api::openapi()).expect("the document");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["MotionRequest"]["properties"]["title"]["maxLength"],
            meetings::MAX_TITLE
        );
        assert_eq!(
            schemas["PaperBatchRequest"]["properties"]["papers"]["maximum"],
            paper::MAX_BATCH
        );
        assert_eq!(
            schemas["PasswordChange"]["properties"]["new_password"]["minLength"],
            auth::MIN_PASSWORD
        );
        assert_eq!(
            schemas["BallotCreate"]["properties"]["candidates"]["maxItems"],
            ballots::MAX_CANDIDATES
        );
    }
}
