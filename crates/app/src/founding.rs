//! Founding an organisation on an empty database (`charter init`): the national unit, the
//! founding constitution, the first member and their appointment as national secretary.
//! It is an operator action: nobody holds an office yet, so no actor could be authorised,
//! and every event names the operator's command line instead.
//!
//! Everything that could be refused is checked before the first write, so a refusal leaves
//! the database as it was. The writes are separate store transactions (the `Store` has no
//! use case spanning them), so a failure part-way is reported with what was written.

use charter_domain::{
    DuesPlan, Email, FieldErrors, MemberId, MemberStatus, NewMember, OfficeId, OfficeKind,
    PersonName, Postcode, UnitId, UnitKind,
};
use charter_model::ConstitutionVersionId;
use charter_rules::{Constitution, ConstitutionError};
use charter_store::{Mandate, NewBody, Term};
use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::auth::{hash_password, validate_new_password};
use crate::units::unit_plan;
use crate::{App, AppError, operator_actor};

/// The slug of the national unit, as the demo names it too: addresses stay stable whatever
/// the organisation is called.
pub const NATIONAL_SLUG: &str = "national";

#[derive(Debug, thiserror::Error)]
pub enum FoundingError {
    #[error(
        "this database already holds an organisation ({0}); init founds a new organisation only on an empty database"
    )]
    AlreadyFounded(String),
    #[error("{0}")]
    Constitution(#[from] ConstitutionError),
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Nothing was written: the database could not be read or the password not hashed.
    #[error("{0}")]
    App(#[from] AppError),
    /// Some steps were written before one failed; the database holds part of a founding.
    #[error(
        "founding stopped while {step} ({written}); the database now holds part of an organisation, so start again on an empty database: {source}"
    )]
    Incomplete {
        step: &'static str,
        written: String,
        #[source]
        source: AppError,
    },
}

impl FoundingError {
    /// Whether the founding was refused for what was asked (the database is not empty, or the
    /// constitution, a detail or the password is not acceptable). Refusals come before the
    /// first write, so nothing was written.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            FoundingError::AlreadyFounded(_)
                | FoundingError::Constitution(_)
                | FoundingError::Invalid(_)
        )
    }
}

impl From<charter_store::StoreError> for FoundingError {
    fn from(e: charter_store::StoreError) -> Self {
        FoundingError::App(e.into())
    }
}

/// The first member, who becomes national secretary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Founder {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub postcode: Postcode,
}

/// What `charter init` was asked to found, every part already checked.
#[derive(Debug, Clone)]
pub struct Founding {
    organisation: String,
    toml: String,
    constitution: Constitution,
    secretary: Founder,
}

impl Founding {
    /// Checks the organisation's name, the constitution file and the secretary's details.
    /// `secretary_name` is split at its first space: the first word is the first name and the
    /// rest the last name, so "Anna van der Berg" keeps her whole surname; the member can
    /// correct either later on their page.
    pub fn parse(
        organisation: &str,
        constitution_toml: &str,
        secretary_name: &str,
        secretary_email: &str,
        secretary_postcode: &str,
    ) -> Result<Founding, FoundingError> {
        let constitution = Constitution::from_toml(constitution_toml)?;
        let mut errs = FieldErrors::default();
        if constitution.office_rules().next().is_some() && constitution.founding_rule().is_none() {
            errs.add(
                "constitution",
                "the constitution sets up offices but has no founding clause saying who takes office at the founding; add [clause.founding] with offices = [\"secretary\"]",
            );
        }
        let organisation = organisation
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if organisation.is_empty() {
            errs.add("name", "the organisation's name is required");
        } else if organisation.chars().count() > 200 {
            errs.add(
                "name",
                "the organisation's name is longer than 200 characters",
            );
        }
        let name = secretary_name.trim();
        let (first, last) = match name.split_once(char::is_whitespace) {
            Some((f, l)) => (Some(f), Some(l)),
            None if name.is_empty() => (None, None),
            None => {
                errs.add(
                    "secretary-name",
                    format!("secretary name '{name}' needs a first and a last name"),
                );
                (None, None)
            }
        };
        let first_name = first.and_then(|f| {
            errs.check(
                "secretary-name",
                PersonName::parse("secretary's first name", f),
            )
        });
        let last_name = last.and_then(|l| {
            errs.check(
                "secretary-name",
                PersonName::parse("secretary's last name", l),
            )
        });
        if name.is_empty() {
            errs.add("secretary-name", "the secretary's name is required");
        }
        let email = errs.check("secretary-email", Email::parse(secretary_email));
        let postcode = errs.check("secretary-postcode", Postcode::parse(secretary_postcode));
        match (first_name, last_name, email, postcode) {
            (Some(first_name), Some(last_name), Some(email), Some(postcode)) if errs.is_empty() => {
                Ok(Founding {
                    organisation,
                    toml: constitution_toml.to_string(),
                    constitution,
                    secretary: Founder {
                        first_name,
                        last_name,
                        email,
                        postcode,
                    },
                })
            }
            _ => Err(FoundingError::Invalid(errs)),
        }
    }

    pub fn organisation(&self) -> &str {
        &self.organisation
    }

    pub fn constitution(&self) -> &Constitution {
        &self.constitution
    }

    pub fn secretary(&self) -> &Founder {
        &self.secretary
    }
}

/// What was founded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Founded {
    pub national: UnitId,
    pub constitution_version: ConstitutionVersionId,
    pub secretary: MemberId,
    pub office: OfficeId,
    /// The day the secretary joined and took office.
    pub on: NaiveDate,
}

/// The error for a step that failed after `written` had been committed.
fn incomplete(step: &'static str, written: &[&str]) -> impl FnOnce(AppError) -> FoundingError {
    let written = if written.is_empty() {
        "nothing had been written yet".to_string()
    } else {
        format!("already written: {}", written.join(", "))
    };
    move |source| FoundingError::Incomplete {
        step,
        written,
        source,
    }
}

impl App {
    /// Refuses when the database already holds any unit or constitution version: founding
    /// is done once, and never on top of another organisation's data.
    pub async fn ensure_unfounded(&self) -> Result<(), FoundingError> {
        let units = self.store.units().await?;
        if !units.is_empty() {
            let national = units
                .iter()
                .find(|u| u.kind == UnitKind::National)
                .map(|u| format!("'{}', ", u.name))
                .unwrap_or_default();
            let n = units.len();
            return Err(FoundingError::AlreadyFounded(format!(
                "{national}{n} unit{}",
                if n == 1 { "" } else { "s" }
            )));
        }
        let versions = self.store.constitution_versions().await?;
        if let Some(v) = versions.first() {
            return Err(FoundingError::AlreadyFounded(format!(
                "a constitution, '{}'",
                v.version
            )));
        }
        Ok(())
    }

    /// Founds the organisation: the national unit, the founding constitution, the secretary
    /// as an active member of the national unit with `password`, and their appointment as
    /// national secretary from today, each written with its governance event.
    ///
    /// The national bodies and offices the constitution establishes are created with it. The
    /// secretary holds office by the founding (under the constitution's founding clause, when
    /// it has one) with no end date whatever term the constitution sets: there is no other
    /// officer yet who could appoint a successor, and the first appointment to the office
    /// ends this holding.
    pub async fn found_organisation(
        &self,
        founding: &Founding,
        password: &SecretString,
    ) -> Result<Founded, FoundingError> {
        validate_new_password(password.expose_secret()).map_err(|e| match e {
            AppError::Invalid(f) => FoundingError::Invalid(f),
            other => FoundingError::App(other),
        })?;
        self.ensure_unfounded().await?;
        let pw = password.expose_secret().to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;

        let org = founding.organisation.as_str();
        let today = self.today();
        let s = &founding.secretary;
        let mut written: Vec<&'static str> = Vec::new();

        let event = self.event(
            operator_actor(),
            "unit.created",
            format!("unit:{NATIONAL_SLUG}"),
            json!({ "name": org, "kind": UnitKind::National.as_str(), "slug": NATIONAL_SLUG,
                    "organisation": org }),
            &format!("{org} founded"),
        );
        let national = self
            .store
            .create_unit(None, UnitKind::National, org, NATIONAL_SLUG, &event)
            .await
            .map_err(AppError::from)
            .map_err(incomplete("creating the national unit", &written))?;
        self.structure_changed().await;
        written.push("the national unit");

        let constitution_version = self
            .found_constitution(operator_actor(), &founding.toml)
            .await
            .map_err(incomplete("recording the founding constitution", &written))?;
        written.push("the founding constitution");

        let member = NewMember {
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
            email: s.email.clone(),
            phone: None,
            postcode: s.postcode.clone(),
            branch: national,
            joined_on: today,
            status: MemberStatus::Active,
            dues_plan: DuesPlan::Monthly,
        };
        let event = self.event(
            operator_actor(),
            "member.added",
            format!("unit:{NATIONAL_SLUG}"),
            json!({ "unit": NATIONAL_SLUG, "to": MemberStatus::Active.as_str(),
                    "effective_on": today.to_string() }),
            &format!("founding member of {org}, its first national secretary"),
        );
        let secretary = self
            .store
            .add_member(&member, Some(&hash), &event)
            .await
            .map_err(AppError::from)
            .map_err(incomplete("adding the secretary as a member", &written))?;
        written.push("the secretary's membership");

        // The national bodies and offices the constitution establishes; the secretary's
        // office always, since the founding fills it.
        let plan = unit_plan(&founding.constitution, UnitKind::National);
        for body in &plan.bodies {
            let event = self.event(
                operator_actor(),
                "body.created",
                format!("unit:{NATIONAL_SLUG}"),
                json!({ "unit": NATIONAL_SLUG, "body": body.kind, "seats": body.seats }),
                &format!("the {} of {org}, at its founding", body.name),
            );
            let new = NewBody {
                unit: national,
                name: body.name.clone(),
                kind: body.kind.clone(),
                seats: body.seats,
                filled_by: body.filled_by.clone(),
            };
            self.store
                .create_body(&new, &event)
                .await
                .map_err(AppError::from)
                .map_err(incomplete("creating the national bodies", &written))?;
        }
        if !plan.bodies.is_empty() {
            written.push("the national bodies");
        }
        let mut offices = plan.offices.clone();
        if !offices.contains(&OfficeKind::Secretary) {
            offices.push(OfficeKind::Secretary);
        }
        let mut office = None;
        for kind in offices {
            let event = self.event(
                operator_actor(),
                "office.created",
                format!("unit:{NATIONAL_SLUG}"),
                json!({ "unit": NATIONAL_SLUG, "office": kind.as_str() }),
                &format!(
                    "the office of national {} of {org}, at its founding",
                    kind.title().to_lowercase()
                ),
            );
            let id = self
                .store
                .create_office(national, kind, &event)
                .await
                .map_err(AppError::from)
                .map_err(incomplete("creating the national offices", &written))?;
            if kind == OfficeKind::Secretary {
                office = Some(id);
            }
        }
        let office = office.ok_or_else(|| {
            incomplete("creating the national offices", &written)(AppError::Internal(
                "no secretary's office".into(),
            ))
        })?;
        written.push("the national offices");

        let term = Term {
            starts_on: today,
            ends_on: None,
        };
        let clause = founding
            .constitution
            .founding_rule()
            .map(|(c, _)| c.as_str().to_string());
        let event = self.event(
            operator_actor(),
            "office.appointed",
            format!("member:{secretary}"),
            json!({ "unit": NATIONAL_SLUG, "office": OfficeKind::Secretary.as_str(),
                    "member": secretary.0, "starts_on": today.to_string(), "ends_on": null,
                    "mandate": Mandate::Founding.as_str(), "clause": clause }),
            &match &clause {
                Some(c) => format!(
                    "national secretary of {org} from its founding, under clause {c}, until the first appointment to the office"
                ),
                None => format!("appointed national secretary of {org} at its founding"),
            },
        );
        self.store
            .take_office(
                office,
                secretary,
                term,
                Mandate::Founding,
                clause.as_deref(),
                &event,
            )
            .await
            .map_err(AppError::from)
            .map_err(incomplete("appointing the secretary", &written))?;

        Ok(Founded {
            national,
            constitution_version,
            secretary,
            office,
            on: today,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOUNDING: &str = include_str!("../../rules/fixtures/founding-2016.toml");

    fn parse(name: &str, email: &str) -> Result<Founding, FoundingError> {
        Founding::parse("Charter Campaign Network", FOUNDING, name, email, "SE1 7PB")
    }

    #[test]
    fn the_secretary_name_splits_at_the_first_space() {
        let f = parse("Anna van der Berg", "anna@example.org").unwrap();
        assert_eq!(f.secretary().first_name.as_str(), "Anna");
        assert_eq!(f.secretary().last_name.as_str(), "van der Berg");
    }

    #[test]
    fn every_bad_detail_is_named() {
        let Err(FoundingError::Invalid(errs)) = parse("Anna", "not an email") else {
            panic!("expected field errors");
        };
        assert!(errs.0["secretary-name"].contains("first and a last name"));
        assert!(errs.0.contains_key("secretary-email"));
    }

    #[test]
    fn a_constitution_that_does_not_read_is_refused_with_its_location() {
        let Err(e) = Founding::parse(
            "Org",
            "name = \"x\"\nversion = 1\n",
            "Anna Berg",
            "anna@example.org",
            "SE1 7PB",
        ) else {
            panic!("expected a refusal");
        };
        assert!(matches!(e, FoundingError::Constitution(_)), "{e}");
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(e.is_refusal());
    }
}
