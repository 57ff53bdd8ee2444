//! Joining: what the public join form asks an applicant for, beyond what every application
//! needs (names, email, postcode and branch), and the statement they agree to. It is part of
//! the membership clause, so an organisation changes its form by amending its constitution,
//! and every application records the clause and the words its applicant agreed to.

use crate::error::ValueError;

/// An optional field of the join form. Names, email, postcode and branch are always asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JoinField {
    /// A phone number.
    Phone,
    /// Monthly or annual dues (monthly when not asked).
    DuesPlan,
}

impl JoinField {
    pub const ALL: [JoinField; 2] = [JoinField::Phone, JoinField::DuesPlan];

    pub fn as_str(self) -> &'static str {
        match self {
            JoinField::Phone => "phone",
            JoinField::DuesPlan => "dues_plan",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            JoinField::Phone => "a phone number",
            JoinField::DuesPlan => "how often dues are paid",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                ValueError(format!(
                    "'{s}' is not a field the join form can ask for; use one of {}",
                    Self::ALL.map(JoinField::as_str).join(", ")
                ))
            })
    }
}

/// Whether the join form asks for a field, and whether an applicant must give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ask {
    No,
    Optional,
    Required,
}

/// `[clause.joining]`: the join form's optional fields and the applicant's statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoiningRule {
    /// Fields the form shows, in the order given.
    pub ask: Vec<JoinField>,
    /// Of those, the ones an applicant must fill in.
    pub require: Vec<JoinField>,
    /// What an applicant agrees to by ticking the box, in the organisation's own words.
    pub consent: String,
}

impl JoiningRule {
    /// Checks what the file says: a required field must also be asked, none twice, and the
    /// statement has words.
    pub fn new(
        ask: Vec<JoinField>,
        require: Vec<JoinField>,
        consent: String,
    ) -> Result<Self, ValueError> {
        for (i, f) in ask.iter().enumerate() {
            if ask[..i].contains(f) {
                return Err(ValueError(format!("'{}' is asked twice", f.as_str())));
            }
        }
        for f in &require {
            if !ask.contains(f) {
                return Err(ValueError(format!(
                    "'{}' is required but not asked; add it to ask",
                    f.as_str()
                )));
            }
        }
        let consent = consent.split_whitespace().collect::<Vec<_>>().join(" ");
        if consent.is_empty() {
            return Err(ValueError(
                "consent is empty: say what an applicant agrees to".into(),
            ));
        }
        Ok(JoiningRule {
            ask,
            require,
            consent,
        })
    }

    pub fn asks(&self, field: JoinField) -> Ask {
        if self.require.contains(&field) {
            Ask::Required
        } else if self.ask.contains(&field) {
            Ask::Optional
        } else {
            Ask::No
        }
    }

    pub fn describe(&self) -> String {
        let asked: Vec<String> = self
            .ask
            .iter()
            .map(|f| match self.asks(*f) {
                Ask::Required => format!("{} (required)", f.words()),
                _ => format!("{} (optional)", f.words()),
            })
            .collect();
        let fields = if asked.is_empty() {
            String::new()
        } else {
            format!(" and {}", asked.join(", "))
        };
        format!(
            "the join form asks for names, email, postcode and branch{fields}; applicants agree: \"{}\"",
            self.consent
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_by_name_and_refuse_others() {
        assert_eq!(JoinField::parse(" phone ").unwrap(), JoinField::Phone);
        assert_eq!(JoinField::parse("dues_plan").unwrap(), JoinField::DuesPlan);
        let e = JoinField::parse("date_of_birth").unwrap_err().0;
        assert!(e.contains("phone, dues_plan"), "{e}");
    }

    #[test]
    fn a_required_field_must_be_asked_and_consent_must_say_something() {
        let e = JoiningRule::new(vec![], vec![JoinField::Phone], "I agree".into()).unwrap_err();
        assert!(e.0.contains("required but not asked"), "{e}");
        let e = JoiningRule::new(
            vec![JoinField::Phone, JoinField::Phone],
            vec![],
            "I agree".into(),
        )
        .unwrap_err();
        assert!(e.0.contains("asked twice"), "{e}");
        assert!(JoiningRule::new(vec![], vec![], "  \n ".into()).is_err());
    }

    #[test]
    fn asks_says_whether_a_field_is_shown_and_needed() {
        let r = JoiningRule::new(
            vec![JoinField::Phone, JoinField::DuesPlan],
            vec![JoinField::Phone],
            "I  support\nthe aims.".into(),
        )
        .unwrap();
        assert_eq!(r.asks(JoinField::Phone), Ask::Required);
        assert_eq!(r.asks(JoinField::DuesPlan), Ask::Optional);
        assert_eq!(r.consent, "I support the aims.");
        let none = JoiningRule::new(vec![], vec![], "Yes.".into()).unwrap();
        assert_eq!(none.asks(JoinField::Phone), Ask::No);
        assert!(
            r.describe()
                .contains("a phone number (required), how often dues are paid (optional)"),
            "{}",
            r.describe()
        );
    }
}
