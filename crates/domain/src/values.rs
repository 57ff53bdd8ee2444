//! Validated values. Each `parse` returns a message a person understands.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> ValueError {
    ValueError::Invalid(msg.into())
}

/// An email address, trimmed and lower-cased so it can serve as a unique sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// The longest address (RFC 5321's limit on a path, less its angle brackets).
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(invalid("email is required"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(invalid(format!(
                "email is longer than {} characters",
                Self::MAX_LEN
            )));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(invalid(format!("email '{}' has no @", raw.trim())));
        };
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let ok_domain = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok_local || !ok_domain {
            return Err(invalid(format!(
                "email '{}' is not a valid address like name@example.org",
                raw.trim()
            )));
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UK postcode in its canonical form: upper case, one space before the inward code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if compact.is_empty() {
            return Err(invalid("postcode is required"));
        }
        let bad = || {
            invalid(format!(
                "postcode '{}' is not a UK postcode like SE1 7PB",
                raw.trim()
            ))
        };
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(bad());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
        };
        // Outward code: 1-2 letters, then a digit, then an optional digit or letter.
        let ob = outward.as_bytes();
        let letters = ob.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let rest = &ob[letters..];
        let outward_ok = (1..=2).contains(&letters)
            && !rest.is_empty()
            && rest.len() <= 2
            && rest[0].is_ascii_digit()
            && rest.get(1).is_none_or(|c| c.is_ascii_alphanumeric());
        if !inward_ok || !outward_ok {
            return Err(bad());
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's given or family name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

impl PersonName {
    /// The most characters a name may have.
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValueError> {
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(invalid(format!("{field} is required")));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(invalid(format!(
                "{field} is longer than {} characters",
                Self::MAX_CHARS
            )));
        }
        if s.chars()
            .any(|c| c.is_control() || "<>{}[]|\\^`\"".contains(c))
        {
            return Err(invalid(format!(
                "{field} contains characters a name cannot have"
            )));
        }
        Ok(PersonName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number: digits with an optional leading +, spaces and dashes dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        let mut out = String::new();
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '+' if i == 0 => out.push(c),
                '0'..='9' => out.push(c),
                ' ' | '-' | '(' | ')' => {}
                _ => {
                    return Err(invalid(format!(
                        "phone '{trimmed}' may only contain digits, spaces, dashes and a leading +"
                    )));
                }
            }
        }
        let digits = out.trim_start_matches('+').len();
        if !(7..=15).contains(&digits) {
            return Err(invalid(format!(
                "phone '{trimmed}' should have between 7 and 15 digits"
            )));
        }
        Ok(Phone(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount of money in pence. Never a float: dues add up exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// Parses "12", "12.5", "12.50" or "£12.50" as pounds; rejects negatives and over-precision.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().trim_start_matches('£').trim();
        let bad = || {
            invalid(format!(
                "{field} '{}' is not an amount like 12.50",
                raw.trim()
            ))
        };
        if s.is_empty() {
            return Err(invalid(format!("{field} is required")));
        }
        if s.starts_with('-') {
            return Err(invalid(format!("{field} cannot be negative")));
        }
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 9 {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let pounds: i64 = whole.parse().map_err(|_| bad())?;
        let pence: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        Ok(Money(pounds * 100 + pence))
    }

    pub fn pence(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "£{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Parses an ISO date (YYYY-MM-DD), also accepting DD/MM/YYYY as CRM exports write it.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid(format!("{field} is required")));
    }
    // The usual form, read without the general parser: imports read millions of dates.
    if let Some(d) = iso_date(s) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| invalid(format!("{field} '{s}' is not a date like 2024-03-31")))
}

/// `YYYY-MM-DD` exactly, when it names a real day.
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r.clone())?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(digits(0..4)?).ok()?,
        digits(5..7)?,
        digits(8..10)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        /// The quick reading of YYYY-MM-DD agrees with the general parser on every day.
        #[test]
        fn iso_dates_read_as_the_general_parser_reads_them(days in 0i64..3_000_000) {
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let s = d.format("%Y-%m-%d").to_string();
            prop_assert_eq!(iso_date(&s), Some(d));
            prop_assert_eq!(parse_date("d", &s).unwrap(), d);
        }
    }

    #[test]
    fn impossible_days_are_refused_whatever_the_form() {
        for bad in [
            "2024-02-30",
            "2023-13-01",
            "2024-00-10",
            "2024-1-5x",
            "20240-1-05",
        ] {
            assert!(parse_date("date", bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_date("date", "29/02/2024").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.ORG ").unwrap().as_str(),
            "ann@example.org"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a b@example.org",
            "ann@-x.org",
            "a..b@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn postcodes_are_canonical() {
        assert_eq!(Postcode::parse("se17pb").unwrap().as_str(), "SE1 7PB");
        assert_eq!(Postcode::parse("EC1A 1BB").unwrap().as_str(), "EC1A 1BB");
        assert_eq!(Postcode::parse("m1 1ae").unwrap().as_str(), "M1 1AE");
        for bad in ["", "12345", "SE1", "SE1 7P", "ÅÅ1 1AA", "S 1AA", "ABC1 1AA"] {
            assert!(Postcode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(Money::parse("amount", "12").unwrap(), Money(1200));
        assert_eq!(Money::parse("amount", "£12.5").unwrap(), Money(1250));
        assert_eq!(Money::parse("amount", "0.07").unwrap(), Money(7));
        assert!(Money::parse("amount", "-1").is_err());
        assert!(Money::parse("amount", "1.234").is_err());
        assert!(Money::parse("amount", "1e3").is_err());
        assert_eq!(Money(1250).to_string(), "£12.50");
    }

    #[test]
    fn dates_accept_iso_and_uk_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        assert_eq!(parse_date("joined", "2024-03-31").unwrap(), d);
        assert_eq!(parse_date("joined", "31/03/2024").unwrap(), d);
        let err = parse_date("joined", "31st March").unwrap_err().to_string();
        assert!(err.contains("joined"), "{err}");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,80}") {
            let _ = Email::parse(&s);
            let _ = Postcode::parse(&s);
            let _ = PersonName::parse("name", &s);
            let _ = Phone::parse(&s);
            let _ = Money::parse("amount", &s);
            let _ = parse_date("date", &s);
        }

        #[test]
        fn parsed_postcodes_reparse_to_themselves(s in "[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}") {
            if let Ok(p) = Postcode::parse(&s) {
                prop_assert_eq!(Postcode::parse(p.as_str()).unwrap(), p);
            }
        }

        #[test]
        fn money_round_trips(p in 0i64..100_000_000) {
            let shown = Money(p).to_string();
            prop_assert_eq!(Money::parse("amount", &shown).unwrap(), Money(p));
        }
    }
}
