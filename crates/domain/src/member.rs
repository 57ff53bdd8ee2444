//! Members as the register holds them, and validated changes to them.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::dues::DuesPlan;
use crate::ids::UnitId;
use crate::status::MemberStatus;
use crate::values::{Email, PersonName, Phone, Postcode, ValueError, parse_date};

/// Messages keyed by field name, so forms and the API can show each next to its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, err: impl std::fmt::Display) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| err.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs a parser and records its error under `field`.
    pub fn check<T>(&mut self, field: &str, r: Result<T, ValueError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

/// A member to be added to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub postcode: Postcode,
    pub branch: UnitId,
    pub joined_on: NaiveDate,
    pub status: MemberStatus,
    pub dues_plan: DuesPlan,
}

/// Changes an officer makes to contact details. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<Email>,
    /// `Some(None)` clears the phone number.
    pub phone: Option<Option<Phone>>,
    pub postcode: Option<Postcode>,
    pub dues_plan: Option<DuesPlan>,
}

/// Raw text as typed into a form or sent in JSON, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawMemberChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub dues_plan: Option<String>,
}

impl MemberChanges {
    pub fn parse(raw: &RawMemberChanges) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let first_name = raw
            .first_name
            .as_deref()
            .and_then(|s| errs.check("first_name", PersonName::parse("first name", s)));
        let last_name = raw
            .last_name
            .as_deref()
            .and_then(|s| errs.check("last_name", PersonName::parse("last name", s)));
        let email = raw
            .email
            .as_deref()
            .and_then(|s| errs.check("email", Email::parse(s)));
        let phone = match raw.phone.as_deref() {
            None => None,
            Some(s) if s.trim().is_empty() => Some(None),
            Some(s) => errs.check("phone", Phone::parse(s)).map(Some),
        };
        let postcode = raw
            .postcode
            .as_deref()
            .and_then(|s| errs.check("postcode", Postcode::parse(s)));
        let dues_plan = raw
            .dues_plan
            .as_deref()
            .and_then(|s| errs.check("dues_plan", DuesPlan::parse(s)));
        if errs.is_empty() {
            Ok(MemberChanges {
                first_name,
                last_name,
                email,
                phone,
                postcode,
                dues_plan,
            })
        } else {
            Err(errs)
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == MemberChanges::default()
    }
}

/// Raw fields of a new member (a form, an API call or a CSV row).
#[derive(Debug, Clone, Default)]
pub struct RawNewMember {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub joined_on: String,
    pub status: String,
    pub dues_plan: String,
}

impl NewMember {
    /// Validates every field, reporting all problems at once. Blank status means active,
    /// blank dues plan means monthly: the common case for a CRM export.
    pub fn parse(raw: &RawNewMember, branch: UnitId) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let first_name = errs.check(
            "first_name",
            PersonName::parse("first name", &raw.first_name),
        );
        let last_name = errs.check("last_name", PersonName::parse("last name", &raw.last_name));
        let email = errs.check("email", Email::parse(&raw.email));
        let phone = if raw.phone.trim().is_empty() {
            Some(None)
        } else {
            errs.check("phone", Phone::parse(&raw.phone)).map(Some)
        };
        let postcode = errs.check("postcode", Postcode::parse(&raw.postcode));
        let joined_on = errs.check("joined_on", parse_date("joined on", &raw.joined_on));
        let status = if raw.status.trim().is_empty() {
            Some(MemberStatus::Active)
        } else {
            match MemberStatus::parse(&raw.status) {
                Ok(s) => Some(s),
                Err(e) => {
                    errs.add("status", e);
                    None
                }
            }
        };
        let dues_plan = if raw.dues_plan.trim().is_empty() {
            Some(DuesPlan::Monthly)
        } else {
            errs.check("dues_plan", DuesPlan::parse(&raw.dues_plan))
        };
        match (
            first_name, last_name, email, phone, postcode, joined_on, status, dues_plan,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(phone),
                Some(postcode),
                Some(joined_on),
                Some(status),
                Some(dues_plan),
            ) if errs.is_empty() => Ok(NewMember {
                first_name,
                last_name,
                email,
                phone,
                postcode,
                branch,
                joined_on,
                status,
                dues_plan,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let raw = RawNewMember {
            first_name: "".into(),
            last_name: "Okafor".into(),
            email: "not-an-email".into(),
            postcode: "XYZ".into(),
            joined_on: "yesterday".into(),
            status: "boss".into(),
            ..Default::default()
        };
        let errs = NewMember::parse(&raw, UnitId(1)).unwrap_err();
        let fields: Vec<&str> = errs.0.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["email", "first_name", "joined_on", "postcode", "status"]
        );
    }

    #[test]
    fn blank_phone_clears_it_in_changes() {
        let raw = RawMemberChanges {
            phone: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(MemberChanges::parse(&raw).unwrap().phone, Some(None));
    }
}
