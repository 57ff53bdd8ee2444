//! Derived columns and value decoding shared by every backend, so both dialects store and
//! read exactly the same text. No SQL here: only the strings that go into it.

use charter_domain::{DuesPlan, MemberStatus, OfficeKind, UnitKind};
use chrono::NaiveDate;

use crate::{StoreError, StoreResult};

/// The lower-cased text the directory's trigram index holds: "first last local@
/// postcode-without-spaces postcode", so "se17", "SE1 7" and "ann@" all match as substrings.
///
/// The email's domain is left out on purpose: a domain shared by most members (an
/// organisation's own, or a big provider's) puts the same trigrams in nearly every row, and
/// every search containing one would walk the whole index. A query containing `@` is
/// matched against the email address itself instead (see [`email_query`]).
pub fn search_text(first: &str, last: &str, email: &str, postcode: &str) -> String {
    let compact: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    let local = match email.find('@') {
        Some(at) => &email[..=at],
        None => email,
    };
    format!("{first} {last} {local} {compact} {postcode}").to_lowercase()
}

/// How a normalised query containing `@` is matched: the email address must contain the
/// whole query, and the part up to and including the `@` (the end of the local part) is what
/// the trigram index can narrow on — `None` when that part is too short for trigrams.
pub fn email_query(normalised: &str) -> Option<(Option<&str>, &str)> {
    let at = normalised.find('@')?;
    let head = &normalised[..=at];
    // The local part is the last word before the '@' (names come before it in search_text).
    let head = head.rsplit(' ').next().unwrap_or(head);
    Some(((head.chars().count() >= 3).then_some(head), normalised))
}

/// Counts stop here: past it a directory reports "at least this many" (`Page::total_capped`),
/// so a broad filter over a million members costs a page, not a full count.
pub const COUNT_CAP: u64 = 10_000;

/// The key the directory sorts by name on: "last first", lower-cased.
pub fn sort_key(first: &str, last: &str) -> String {
    format!("{last} {first}").to_lowercase()
}

/// A search box's text as the store matches it: trimmed, inner whitespace collapsed,
/// lower-cased. `None` when nothing is left to search for.
pub fn normalise_query(raw: &str) -> Option<String> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        None
    } else {
        Some(s.to_lowercase())
    }
}

/// Escapes `%`, `_` and `\` so user text is matched literally by `LIKE … ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The smallest string greater than every string starting with `prefix`, for index range scans.
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} '{value}' is not recognised"))
}

pub fn decode_status(s: &str) -> StoreResult<MemberStatus> {
    MemberStatus::parse(s).map_err(|_| corrupt("status", s))
}

/// The first day `decode_fact_date` counts from.
pub const DAY_ZERO: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("2000-01-01 is a date"),
};

/// A date in a bulk read of the register: `YYYY-MM-DD` as SQLite stores it, or whole days
/// since `DAY_ZERO` as PostgreSQL computes more cheaply than it prints a date. Parsed by hand:
/// the general parser was a noticeable part of reading a million members.
pub fn decode_fact_date(s: &str) -> StoreResult<NaiveDate> {
    let b = s.as_bytes();
    let parsed = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        match (num(0..4), num(5..7), num(8..10)) {
            (Some(y), Some(m), Some(d)) => i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d)),
            _ => None,
        }
    } else {
        s.parse::<i64>()
            .ok()
            .and_then(|days| DAY_ZERO.checked_add_signed(chrono::TimeDelta::try_days(days)?))
    };
    parsed.ok_or_else(|| corrupt("date", s))
}

pub fn decode_unit_kind(s: &str) -> StoreResult<UnitKind> {
    UnitKind::parse(s).ok_or_else(|| corrupt("unit kind", s))
}

pub fn decode_office_kind(s: &str) -> StoreResult<OfficeKind> {
    OfficeKind::parse(s).ok_or_else(|| corrupt("office kind", s))
}

pub fn decode_dues_plan(s: &str) -> StoreResult<DuesPlan> {
    DuesPlan::parse(s).map_err(|_| corrupt("dues plan", s))
}

/// A count or size read from the database as a signed integer.
pub fn decode_u32(what: &str, v: i64) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

pub fn decode_u64(what: &str, v: i64) -> StoreResult<u64> {
    u64::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

/// Which input a uniqueness violation is about, from the constraint name or the message.
pub fn conflict_for(constraint_or_message: &str) -> StoreError {
    let s = constraint_or_message.to_lowercase();
    let (field, message) = if s.contains("members.id") || s.contains("members_pkey") {
        (
            "member_number",
            "a member with this member number already exists",
        )
    } else if s.contains("email") {
        ("email", "a member with this email address already exists")
    } else if s.contains("slug") {
        ("slug", "a unit with this short name already exists")
    } else if s.contains("offices") {
        ("kind", "this unit already has that office")
    } else if s.contains("roll_challenges") {
        (
            "member",
            "this member already has an open challenge on this roll; wait for its outcome",
        )
    } else if s.contains("requisitions_open_matter") || s.contains("requisitions.matter") {
        (
            "matter",
            "a requisition on this matter is still open: sign that one instead",
        )
    } else if s.contains("requisitions_open_kind") || s.contains("requisitions.kind") {
        (
            "kind",
            "a requisition for this meeting, opened by branches' motions, is still open: their motions count towards that one",
        )
    } else if s.contains("token") || s.contains("session") {
        ("token_hash", "this session already exists")
    } else {
        ("record", "this record already exists")
    };
    StoreError::Conflict {
        field: field.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Both forms a bulk read may carry decode to the date they were made from.
        #[test]
        fn fact_dates_read_back(days in -800_000i64..800_000) {
            let date = DAY_ZERO + chrono::TimeDelta::days(days);
            prop_assert_eq!(decode_fact_date(&days.to_string()).unwrap(), date);
            if (0..=9999).contains(&chrono::Datelike::year(&date)) {
                prop_assert_eq!(decode_fact_date(&date.to_string()).unwrap(), date);
            }
        }
    }

    #[test]
    fn bad_fact_dates_are_errors_not_guesses() {
        for bad in [
            "",
            "-",
            "2024-02-30",
            "2024-13-01",
            "20x4-01-01",
            "2024/01/01",
            "1.5",
        ] {
            assert!(decode_fact_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_text_holds_both_postcode_forms() {
        assert_eq!(
            search_text("Ann", "Okafor", "ann@example.org", "SE1 7PB"),
            "ann okafor ann@ se17pb se1 7pb"
        );
        assert_eq!(
            email_query("ann.okafor@exa"),
            Some((Some("ann.okafor@"), "ann.okafor@exa"))
        );
        assert_eq!(
            email_query("okafor ann@"),
            Some((Some("ann@"), "okafor ann@"))
        );
        assert_eq!(email_query("@example.net"), Some((None, "@example.net")));
        assert_eq!(email_query("okafor"), None);
        assert_eq!(sort_key("Ann", "Okafor"), "okafor ann");
    }

    #[test]
    fn queries_are_normalised_and_escaped() {
        assert_eq!(normalise_query("  SE1   7PB "), Some("se1 7pb".into()));
        assert_eq!(normalise_query(" \t"), None);
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
