//! Derived columns and value decoding shared by every backend, so both dialects store and
//! read exactly the same text. No SQL here: only the strings that go into it.

use charter_domain::{DuesPlan, MemberStatus, OfficeKind, UnitKind};

use crate::{StoreError, StoreResult};

/// The lower-cased text the directory searches: "first last email postcode-without-spaces
/// postcode", so "se17", "SE1 7" and "ann@" all match as substrings.
pub fn search_text(first: &str, last: &str, email: &str, postcode: &str) -> String {
    let compact: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    format!("{first} {last} {email} {compact} {postcode}").to_lowercase()
}

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

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} '{value}' is not recognised"))
}

pub fn decode_status(s: &str) -> StoreResult<MemberStatus> {
    MemberStatus::parse(s).map_err(|_| corrupt("status", s))
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
    let (field, message) = if s.contains("email") {
        ("email", "a member with this email address already exists")
    } else if s.contains("slug") {
        ("slug", "a unit with this short name already exists")
    } else if s.contains("offices") {
        ("kind", "this unit already has that office")
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

    #[test]
    fn search_text_holds_both_postcode_forms() {
        assert_eq!(
            search_text("Ann", "Okafor", "ann@example.org", "SE1 7PB"),
            "ann okafor ann@example.org se17pb se1 7pb"
        );
        assert_eq!(sort_key("Ann", "Okafor"), "okafor ann");
    }

    #[test]
    fn queries_are_normalised_and_escaped() {
        assert_eq!(normalise_query("  SE1   7PB "), Some("se1 7pb".into()));
        assert_eq!(normalise_query(" \t"), None);
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
