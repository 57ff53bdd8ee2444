//! Offices and the founding: which offices exist at each level of the organisation, how each
//! is filled (elected, or appointed by a named body) and for how long; and the founding
//! clause, which lets the first officers come in at the founding and hold office until the
//! first election or appointment to their office.
//!
//! ```toml
//! [[clause.office]]
//! office = "secretary"
//! level = "branch"
//! filled = "appointed"
//! by = "branch-meeting"
//! term = "1 year"
//!
//! [clause.founding]
//! offices = ["secretary"]
//! ```

use charter_domain::{OfficeKind, UnitKind};
use chrono::NaiveDate;

use crate::constitution::{Clause, Constitution, MEMBER_BALLOT, by_words};
use crate::error::{ConstitutionError, Location};
use crate::words::{ClauseRef, DecisionKind, Duration, Key};

/// How an office is filled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OfficeFilling {
    /// Elected by a body or by a ballot of all members.
    ElectedBy(Key),
    /// Appointed by a motion of a meeting of this body, of the office's own unit.
    AppointedBy(Key),
}

impl OfficeFilling {
    pub fn words(&self) -> String {
        match self {
            OfficeFilling::ElectedBy(k) => format!("elected by {}", by_words(k)),
            OfficeFilling::AppointedBy(k) => format!("appointed by the {}", k.words()),
        }
    }

    /// The body that elects or appoints.
    pub fn by(&self) -> &Key {
        match self {
            OfficeFilling::ElectedBy(k) | OfficeFilling::AppointedBy(k) => k,
        }
    }
}

/// An office every unit of a level has, how it is filled and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfficeRule {
    pub office: OfficeKind,
    pub level: UnitKind,
    pub filled: OfficeFilling,
    /// `None`: until the next election or appointment to it.
    pub term: Option<Duration>,
}

impl OfficeRule {
    /// The term of a holding that starts on `starts_on`: its last day is the day before the
    /// term's anniversary, so a one-year term from 1 March ends on the last day of February.
    /// `None` for an office held until the next election or appointment.
    pub fn ends_on(&self, starts_on: NaiveDate) -> Option<NaiveDate> {
        self.term
            .and_then(|t| t.after(starts_on))
            .and_then(|end| end.pred_opt())
            .map(|end| end.max(starts_on))
    }

    pub fn describe(&self) -> String {
        let term = match self.term {
            Some(t) => format!(" for a term of {t}"),
            None => " until the next election or appointment to it".into(),
        };
        format!(
            "each {} has a {}, {}{term}",
            self.level.as_str(),
            self.office.title().to_lowercase(),
            self.filled.words()
        )
    }
}

/// The founding clause: the offices the founders fill at the founding, at national level,
/// held until the first election or appointment to each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoundingRule {
    pub offices: Vec<OfficeKind>,
}

impl FoundingRule {
    pub fn describe(&self) -> String {
        format!(
            "at the founding the founders fill the national {}, held until the first election or appointment to it",
            self.offices
                .iter()
                .map(|o| o.title().to_lowercase())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    }
}

impl Constitution {
    /// Every office rule with its clause.
    pub fn office_rules(&self) -> impl Iterator<Item = (&ClauseRef, &OfficeRule)> {
        self.clauses()
            .iter()
            .flat_map(|c| c.offices.iter().map(move |o| (c.number(), o)))
    }

    /// The offices every unit of `level` has, in the order the constitution names them.
    pub fn offices_at(&self, level: UnitKind) -> impl Iterator<Item = (&ClauseRef, &OfficeRule)> {
        self.office_rules().filter(move |(_, o)| o.level == level)
    }

    /// How `office` at `level` is filled, and the clause that says so.
    pub fn office_rule(
        &self,
        office: OfficeKind,
        level: UnitKind,
    ) -> Option<(&ClauseRef, &OfficeRule)> {
        self.office_rules()
            .find(|(_, o)| o.office == office && o.level == level)
    }

    /// The founding clause, if the constitution has one.
    pub fn founding_rule(&self) -> Option<(&ClauseRef, &FoundingRule)> {
        self.clauses()
            .iter()
            .find_map(|c| c.founding.as_ref().map(|f| (c.number(), f)))
    }

    /// The bodies established at `level`, in the order the constitution names them.
    pub fn bodies_at(&self, level: UnitKind) -> impl Iterator<Item = (&ClauseRef, &crate::Body)> {
        self.bodies().filter(move |(_, b)| b.level == level)
    }
}

pub(crate) fn office_kind(raw: &str) -> Result<OfficeKind, String> {
    OfficeKind::parse(raw.trim()).ok_or_else(|| {
        format!(
            "'{}' is no office; name one of {}",
            raw.trim(),
            OfficeKind::ALL.map(OfficeKind::as_str).join(", ")
        )
    })
}

/// Checks the office and founding clauses against the rest: each office once per level,
/// filled by a body that exists (an appointing body able to decide appointments), and a
/// founding that names offices the constitution has at national level.
pub(crate) fn validate(clauses: &[Clause]) -> Result<(), ConstitutionError> {
    let bodies: Vec<&crate::Body> = clauses.iter().flat_map(|c| &c.bodies).collect();
    let offices: Vec<&OfficeRule> = clauses.iter().flat_map(|c| &c.offices).collect();
    let deciders_of_appointments: Vec<&Key> = clauses
        .iter()
        .flat_map(|c| &c.thresholds)
        .filter(|t| t.decision == DecisionKind::Appointment)
        .flat_map(|t| &t.by)
        .collect();
    let mut seen: Vec<(OfficeKind, UnitKind)> = Vec::new();
    let mut founding_at: Option<&ClauseRef> = None;
    for c in clauses {
        for (i, o) in c.offices.iter().enumerate() {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "office",
                index: i + 1,
            };
            if seen.contains(&(o.office, o.level)) {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "office: the {} at {} level is already set",
                        o.office.title().to_lowercase(),
                        o.level.as_str()
                    ),
                ));
            }
            seen.push((o.office, o.level));
            let by = o.filled.by();
            let body = bodies.iter().find(|b| &b.key == by);
            match (&o.filled, body) {
                (OfficeFilling::ElectedBy(k), None) if k.as_str() != MEMBER_BALLOT => {
                    return Err(ConstitutionError::at(
                        at(),
                        format!("by: '{k}' is no body of this constitution, nor member-ballot"),
                    ));
                }
                (OfficeFilling::AppointedBy(k), None) => {
                    return Err(ConstitutionError::at(
                        at(),
                        format!("by: '{k}' is no body of this constitution"),
                    ));
                }
                (OfficeFilling::AppointedBy(k), Some(b)) => {
                    if b.level != o.level && b.level != UnitKind::National {
                        return Err(ConstitutionError::at(
                            at(),
                            format!(
                                "by: the {} meets at {} level, so cannot appoint a {} officer",
                                b.name,
                                b.level.as_str(),
                                o.level.as_str()
                            ),
                        ));
                    }
                    if !deciders_of_appointments.contains(&k) {
                        return Err(ConstitutionError::at(
                            at(),
                            format!(
                                "by: no threshold clause lets the {} decide an appointment; add one with decision = \"appointment\"",
                                k.words()
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        if let Some(f) = &c.founding {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "founding",
                index: 1,
            };
            if let Some(first) = founding_at {
                return Err(ConstitutionError::at(
                    at(),
                    format!("the founding is already set by clause {first}"),
                ));
            }
            founding_at = Some(c.number());
            if !f.offices.contains(&OfficeKind::Secretary) {
                return Err(ConstitutionError::at(
                    at(),
                    "offices: name the secretary, the office charter init fills at the founding",
                ));
            }
            if !offices.is_empty()
                && let Some(o) = f.offices.iter().find(|o| {
                    !offices
                        .iter()
                        .any(|r| r.office == **o && r.level == UnitKind::National)
                })
            {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "offices: the {} is no national office of this constitution",
                        o.title().to_lowercase()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(term: Option<Duration>) -> OfficeRule {
        OfficeRule {
            office: OfficeKind::Secretary,
            level: UnitKind::Branch,
            filled: OfficeFilling::AppointedBy(Key::parse("branch-meeting").unwrap()),
            term,
        }
    }

    #[test]
    fn a_year_from_the_first_of_march_ends_on_the_last_day_of_february() {
        let r = rule(Some(Duration::parse("1 year").unwrap()));
        let start = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(r.ends_on(start), NaiveDate::from_ymd_opt(2028, 2, 29));
        assert_eq!(rule(None).ends_on(start), None);
    }

    proptest! {
        /// A term never ends before it starts, and the day after it ends is the term's
        /// anniversary: the holding covers exactly the term the clause sets.
        #[test]
        fn a_term_covers_exactly_its_length(
            days in 0i64..40_000,
            amount in 0u32..30,
            unit in 0usize..4,
        ) {
            let unit = ["days", "weeks", "months", "years"][unit];
            let term = Duration::parse(&format!("{amount} {unit}")).unwrap();
            let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let end = rule(Some(term)).ends_on(start).unwrap();
            prop_assert!(end >= start);
            if amount > 0 {
                prop_assert_eq!(end.succ_opt(), term.after(start));
            }
        }
    }
}
