//! Whatever text a person types into a meeting's summary or description comes back out of the
//! calendar unchanged, and the calendar stays well-formed around it. The reader here is written
//! independently of the crate's writer, from RFC 5545 3.1 (unfolding) and 3.3.11 (TEXT).

use charter_mail::{Invite, Method, Organizer, feed, ics};
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\r\n\t", "")
}

fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The one documented change: a carriage return cannot be written in iCalendar, so CRLF and a
/// lone CR read back as a newline, and control characters other than tab and newline are left
/// out.
fn expected(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// The value of the first content line named `name` (no parameters), unescaped.
fn property(ics: &str, name: &str) -> Option<String> {
    let prefix = format!("{name}:");
    unfold(ics)
        .split("\r\n")
        .find_map(|line| line.strip_prefix(&prefix).map(unescape))
}

fn property_names(ics: &str) -> Vec<String> {
    unfold(ics)
        .split_terminator("\r\n")
        .map(|line| line.split([':', ';']).next().unwrap_or_default().to_owned())
        .collect()
}

fn assert_well_formed(ics: &str) {
    assert!(ics.ends_with("\r\n"), "ends with CRLF");
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains(['\r', '\n']), "bare CR or LF in {line:?}");
    }
}

fn invite(summary: String, description: String, starts: DateTime<Utc>, minutes: i64) -> Invite {
    Invite {
        uid: "m-1@charter.example.org".into(),
        sequence: 0,
        method: Method::Request,
        stamp: starts,
        starts,
        ends: starts + chrono::Duration::minutes(minutes),
        summary,
        location: None,
        description: Some(description),
        url: None,
        organizer: Some(Organizer {
            name: "Secretary".into(),
            email: "s@example.org".into(),
        }),
    }
}

/// Every content line's name, in order, for the invites made above.
const PROPERTIES: [&str; 18] = [
    "BEGIN",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "BEGIN",
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "DESCRIPTION",
    "ORGANIZER",
    "TRANSP",
    "END",
    "END",
];

fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 to 2100-01-01, to the second.
    (946_684_800i64..4_102_444_800).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_survives(
        summary in any::<String>(),
        description in any::<String>(),
        starts in instants(),
        minutes in 1i64..10_000,
    ) {
        let text = ics(&invite(summary.clone(), description.clone(), starts, minutes));
        assert_well_formed(&text);
        prop_assert_eq!(property(&text, "SUMMARY"), Some(expected(&summary)));
        prop_assert_eq!(property(&text, "DESCRIPTION"), Some(expected(&description)));
        prop_assert_eq!(
            property(&text, "DTSTART"),
            Some(starts.format("%Y%m%dT%H%M%SZ").to_string())
        );
        // No text, however odd, adds, removes or reorders a property.
        prop_assert_eq!(property_names(&text), PROPERTIES);
    }

    #[test]
    fn printable_text_survives_exactly(
        summary in "[\\PC\\n\\t]{0,300}",
        description in "[\\PC\\n\\t\\\\;,]{0,600}",
        starts in instants(),
    ) {
        let text = ics(&invite(summary.clone(), description.clone(), starts, 90));
        assert_well_formed(&text);
        prop_assert_eq!(property(&text, "SUMMARY"), Some(summary));
        prop_assert_eq!(property(&text, "DESCRIPTION"), Some(description));
    }

    #[test]
    fn feeds_hold_every_invite(summaries in prop::collection::vec(any::<String>(), 0..8)) {
        let start = Utc.with_ymd_and_hms(2027, 1, 1, 18, 0, 0).unwrap();
        let invites: Vec<Invite> = summaries
            .iter()
            .map(|s| invite(s.clone(), String::new(), start, 60))
            .collect();
        let text = feed("Branch, meetings", &invites);
        assert_well_formed(&text);
        prop_assert_eq!(property(&text, "METHOD"), Some("PUBLISH".to_owned()));
        let unfolded = unfold(&text);
        let found: Vec<String> = unfolded
            .split("\r\n")
            .filter_map(|l| l.strip_prefix("SUMMARY:").map(unescape))
            .collect();
        let wanted: Vec<String> = summaries.iter().map(|s| expected(s)).collect();
        prop_assert_eq!(found, wanted);
    }
}
