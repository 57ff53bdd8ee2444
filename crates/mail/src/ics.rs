//! iCalendar (RFC 5545) for meeting invitations and calendar subscriptions.
//!
//! Written here rather than with a calendar crate: the candidate (`icalendar` 0.17.17) folds some
//! lines to 76 octets and leaves a carriage return inside escaped text, both of which strict
//! clients reject, and we need only VEVENTs.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

/// Identifies this producer in every calendar (RFC 5545 3.7.3).
const PRODID: &str = "-//Charter//Charter meetings//EN";
/// RFC 5545 3.1: content lines are folded so no line is longer than 75 octets.
const MAX_LINE_OCTETS: usize = 75;

/// What an invitation asks of the recipient's calendar (RFC 5546 iTIP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the meeting, or update it when the UID is known and the SEQUENCE is higher.
    Request,
    /// Remove the meeting: sent with the same UID and a higher SEQUENCE.
    Cancel,
}

impl Method {
    /// The iTIP method name, as in `METHOD:` and the `method=` of a `text/calendar` part.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Method::Request => "CONFIRMED",
            Method::Cancel => "CANCELLED",
        }
    }
}

/// Who calls the meeting: mail clients show the invitation as coming from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    pub name: String,
    pub email: String,
}

/// One meeting as a calendar event.
///
/// `uid` stays the same for the life of the meeting and `sequence` goes up with every change
/// (a cancellation included), which is how calendars tell an update from a new meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub uid: String,
    pub sequence: u32,
    pub method: Method,
    /// When this version of the invitation was issued (`DTSTAMP`). A field rather than the
    /// clock so a retried notice carries the very same calendar as the first attempt.
    pub stamp: DateTime<Utc>,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub organizer: Option<Organizer>,
}

/// The calendar object for one invitation: `METHOD` from `invite.method`, one VEVENT whose
/// `STATUS` is `CONFIRMED` for a request and `CANCELLED` for a cancellation.
pub fn ics(invite: &Invite) -> String {
    invitation(invite, None)
}

/// As [`ics`], naming the recipient as an attendee, which iTIP requires of a REQUEST or
/// CANCEL and some clients need before they offer to add the meeting.
pub(crate) fn invitation(invite: &Invite, attendee: Option<(Option<&str>, &str)>) -> String {
    let mut out = Calendar::begin(invite.method.as_str());
    out.event(invite, attendee);
    out.end()
}

/// A subscribable calendar (`METHOD:PUBLISH`) named `name`, with one VEVENT per invite;
/// cancelled meetings stay in it as `STATUS:CANCELLED` so subscribers see them go.
pub fn feed(name: &str, invites: &[Invite]) -> String {
    let mut out = Calendar::begin("PUBLISH");
    // NAME is RFC 7986; X-WR-CALNAME is what most subscribing clients still read.
    out.text("NAME", name);
    out.text("X-WR-CALNAME", name);
    for invite in invites {
        out.event(invite, None);
    }
    out.end()
}

struct Calendar {
    out: String,
}

impl Calendar {
    fn begin(method: &str) -> Calendar {
        let mut c = Calendar { out: String::new() };
        c.raw("BEGIN", "VCALENDAR");
        c.raw("VERSION", "2.0");
        c.raw("PRODID", PRODID);
        c.raw("CALSCALE", "GREGORIAN");
        c.raw("METHOD", method);
        c
    }

    fn end(mut self) -> String {
        self.raw("END", "VCALENDAR");
        self.out
    }

    fn event(&mut self, invite: &Invite, attendee: Option<(Option<&str>, &str)>) {
        self.raw("BEGIN", "VEVENT");
        self.text("UID", &invite.uid);
        self.raw("DTSTAMP", &utc(invite.stamp));
        self.raw("DTSTART", &utc(invite.starts));
        self.raw("DTEND", &utc(invite.ends));
        self.raw("SEQUENCE", &invite.sequence.to_string());
        self.raw("STATUS", invite.method.status());
        self.text("SUMMARY", &invite.summary);
        if let Some(location) = &invite.location {
            self.text("LOCATION", location);
        }
        if let Some(description) = &invite.description {
            self.text("DESCRIPTION", description);
        }
        if let Some(url) = &invite.url {
            self.raw("URL", &uri(url));
        }
        if let Some(organizer) = &invite.organizer {
            self.person("ORGANIZER", Some(&organizer.name), &organizer.email, "");
        }
        if let Some((name, email)) = attendee {
            // A notice informs; it does not ask members to reply to the organizer.
            self.person(
                "ATTENDEE",
                name,
                email,
                ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE",
            );
        }
        self.raw("TRANSP", "OPAQUE");
        self.raw("END", "VEVENT");
    }

    fn person(&mut self, property: &str, name: Option<&str>, email: &str, params: &str) {
        let mut head = property.to_owned();
        if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
            let _ = write!(head, ";CN=\"{}\"", param_value(name));
        }
        head.push_str(params);
        self.raw(&head, &format!("mailto:{}", uri(email)));
    }

    fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    /// One content line, `name` already holding any parameters and `value` already escaped.
    fn raw(&mut self, name: &str, value: &str) {
        fold_into(&mut self.out, &format!("{name}:{value}"));
    }
}

/// UTC date-time form (RFC 5545 3.3.5, form 2); sub-second precision is not representable.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values (RFC 5545 3.3.11) escape backslash, semicolon, comma and newline. A carriage
/// return has no escape and may not appear in a content line, so CRLF and a lone CR become a
/// newline; other control characters but tab are not allowed in TEXT and are dropped.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Parameter values (RFC 5545 3.2) are quoted here, so only a double quote, a newline and the
/// caret need the RFC 6868 caret encoding; other control characters are dropped.
fn param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// URI values are not escaped in iCalendar; a control character can only be an error and
/// would end the content line early, so it is left out.
fn uri(value: &str) -> String {
    value.trim().chars().filter(|c| !c.is_control()).collect()
}

/// Appends `line` with CRLF, folded so that no physical line exceeds 75 octets: a fold is a
/// CRLF followed by one space, placed only between characters so UTF-8 stays intact.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, 30, 0).unwrap()
    }

    fn invite() -> Invite {
        Invite {
            uid: "meeting-42@charter.example.org".into(),
            sequence: 2,
            method: Method::Request,
            stamp: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 5).unwrap(),
            starts: at(19),
            ends: at(21),
            summary: "Branch AGM; elections, motions".into(),
            location: Some("Hall 2\nHigh St".into()),
            description: None,
            url: Some("https://charter.example.org/meetings/42".into()),
            organizer: Some(Organizer {
                name: "Branch \"North\" Secretary".into(),
                email: "secretary@north.example.org".into(),
            }),
        }
    }

    #[test]
    fn escaping_covers_the_four_specials() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\ntwo"), r"one\ntwo");
        assert_eq!(escape_text("colon: stays"), "colon: stays");
    }

    #[test]
    fn carriage_returns_become_newlines_and_controls_go() {
        assert_eq!(escape_text("a\r\nb\rc\u{7}d\te"), "a\\nb\\ncd\te");
    }

    #[test]
    fn short_lines_are_not_folded() {
        let mut out = String::new();
        fold_into(&mut out, &"x".repeat(75));
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));
    }

    #[test]
    fn long_lines_fold_at_75_octets() {
        let mut out = String::new();
        fold_into(&mut out, &"x".repeat(75 + 74 + 1));
        assert_eq!(
            out,
            format!("{}\r\n {}\r\n x\r\n", "x".repeat(75), "x".repeat(74))
        );
    }

    #[test]
    fn folding_never_splits_a_character() {
        // 74 ASCII octets leave one octet on the line: the 2-octet `é` must move down whole.
        let mut out = String::new();
        fold_into(&mut out, &format!("{}é", "x".repeat(74)));
        assert_eq!(out, format!("{}\r\n é\r\n", "x".repeat(74)));
        let mut out = String::new();
        let line = "😀".repeat(40);
        fold_into(&mut out, &line);
        for physical in out.split("\r\n") {
            assert!(physical.len() <= 75, "{physical:?}");
        }
        assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    #[test]
    fn request_has_every_required_property() {
        let text = invitation(&invite(), Some((Some("Zoë"), "zoe@example.org")));
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(
            lines,
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Charter//Charter meetings//EN",
                "CALSCALE:GREGORIAN",
                "METHOD:REQUEST",
                "BEGIN:VEVENT",
                "UID:meeting-42@charter.example.org",
                "DTSTAMP:20261130T090005Z",
                "DTSTART:20261203T193000Z",
                "DTEND:20261203T213000Z",
                "SEQUENCE:2",
                "STATUS:CONFIRMED",
                r"SUMMARY:Branch AGM\; elections\, motions",
                r"LOCATION:Hall 2\nHigh St",
                "URL:https://charter.example.org/meetings/42",
                "ORGANIZER;CN=\"Branch ^'North^' Secretary\":mailto:secretary@north.example.or",
                " g",
                "ATTENDEE;CN=\"Zoë\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:ma",
                " ilto:zoe@example.org",
                "TRANSP:OPAQUE",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        );
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains(['\r', '\n']));
    }

    #[test]
    fn cancel_is_cancelled() {
        let text = ics(&Invite {
            method: Method::Cancel,
            sequence: 3,
            ..invite()
        });
        assert!(text.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(text.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(text.contains("\r\nSEQUENCE:3\r\n"));
        assert!(!text.contains("ATTENDEE"));
    }

    #[test]
    fn feed_publishes_every_event() {
        let second = Invite {
            uid: "meeting-43@charter.example.org".into(),
            method: Method::Cancel,
            ..invite()
        };
        let text = feed("North, meetings", &[invite(), second]);
        assert!(text.contains("\r\nMETHOD:PUBLISH\r\n"));
        assert!(text.contains("\r\nX-WR-CALNAME:North\\, meetings\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT\r\n").count(), 2);
        assert!(text.contains("UID:meeting-43@charter.example.org\r\nDTSTAMP"));
        assert!(text.contains("STATUS:CONFIRMED"));
        assert!(text.contains("STATUS:CANCELLED"));
        assert!(feed("Empty", &[]).contains("METHOD:PUBLISH\r\nNAME:Empty\r\n"));
    }

    #[test]
    fn uri_values_lose_control_characters() {
        let text = ics(&Invite {
            url: Some("https://x.example.org/a\r\nSTATUS:CANCELLED".into()),
            organizer: None,
            ..invite()
        });
        assert!(text.contains("URL:https://x.example.org/aSTATUS:CANCELLED\r\n"));
        assert!(!text.contains("\r\nSTATUS:CANCELLED"), "{text}");
    }
}
