//! The governance record as one reader sees it. Every signed-in member reads what the
//! organisation did: units, bodies, offices, meetings, motions, ballots, amendments, whole.
//! What a person did for themselves, or what was done to them — a vote cast, a check-in, a
//! status change, a payment, a roll challenge and its grounds — is theirs: it is shown in full
//! only to that person and to officers whose offices cover their branch. Everyone else sees
//! that it happened, and when to the minute, with no one named: counts, not names.

use std::collections::HashMap;

use charter_domain::{Actor, MemberId, Power};
use charter_store::EventRecord;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::{App, AppError};

/// An event as one reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who acted: withheld when a member acted for themselves and the reader is not
    /// entitled to know it.
    pub actor: Option<MemberId>,
    /// The office acted under: officers act in the open.
    pub actor_office: Option<String>,
    pub kind: String,
    pub subject: String,
    pub payload: Value,
    /// Why; withheld for events about a member, which may name personal matters.
    pub reason: Option<String>,
}

/// Payload keys an event about a member may show to those entitled to it: ids, statuses,
/// dates, counts and field names. Free text (reasons, organisations, amounts) stays in the
/// member's own record, where each read of it is logged.
const MEMBER_EVENT_KEYS: [&str; 16] = [
    "member",
    "affiliation",
    "from",
    "to",
    "effective_on",
    "verified_on",
    "fields",
    "months",
    "first",
    "last",
    "count",
    "unit",
    "office",
    "body",
    "starts_on",
    "ends_on",
];

/// Payload keys that name things, not people: kept when a personal event is shown to
/// someone not entitled to know whose it was.
const THING_KEYS: [&str; 10] = [
    "ballot", "meeting", "roll", "election", "motion", "unit", "body", "count", "first", "last",
];

/// Whether events of `kind` are about a person's own affairs rather than the organisation's.
pub fn personal(kind: &str) -> bool {
    kind.starts_with("member.")
        || kind.starts_with("account.")
        || kind.starts_with("affiliation.")
        || matches!(
            kind,
            "ballot.voted"
                | "ballot.paper_voted"
                | "ballot.reminded"
                | "meeting.checked_in"
                | "delegates.checked_in"
                | "roll.challenged"
                | "roll.challenge_decided"
                | "requisition.signed"
        )
}

/// The people an event is about: its subject when that is a member, the members its payload
/// names, and whoever acted without an office (acting for themselves).
fn concerned(e: &EventRecord, payload: &Value) -> Vec<MemberId> {
    let mut people = Vec::new();
    if let Some(id) = e
        .subject
        .strip_prefix("member:")
        .and_then(|n| n.parse().ok())
    {
        people.push(MemberId(id));
    }
    for key in ["member", "candidate"] {
        if let Some(id) = payload.get(key).and_then(Value::as_i64) {
            people.push(MemberId(id));
        }
    }
    if e.actor_office.is_none()
        && let Some(m) = e.actor_member
    {
        people.push(m);
    }
    people.sort();
    people.dedup();
    people
}

fn keep(payload: Value, keys: &[&str]) -> Value {
    match payload {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .collect::<Map<String, Value>>(),
        ),
        _ => Value::Object(Map::new()),
    }
}

/// An event shown whole, or (for one about a member) with ids, statuses and dates only.
fn open_entry(e: EventRecord, payload: Value) -> RecordEntry {
    let about_member = e.kind.starts_with("member.") || e.subject.starts_with("member:");
    let (payload, reason) = if personal(&e.kind) {
        (keep(payload, &MEMBER_EVENT_KEYS), None)
    } else if about_member {
        // Offices and seats held are public; anything else about a member is filtered.
        (keep(payload, &MEMBER_EVENT_KEYS), Some(e.reason))
    } else {
        (payload, Some(e.reason))
    };
    RecordEntry {
        seq: e.seq,
        at: e.at,
        actor: e.actor_member,
        actor_office: e.actor_office,
        kind: e.kind,
        subject: e.subject,
        payload,
        reason,
    }
}

/// A personal event for someone not entitled to know whose it was: that it happened, about
/// which ballot, meeting or roll, at which minute.
fn anonymous_entry(e: EventRecord, payload: Value) -> RecordEntry {
    let subject = if e.subject.starts_with("member:") {
        "member".to_string()
    } else {
        e.subject
    };
    RecordEntry {
        seq: e.seq,
        at: e.at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(e.at),
        actor: e.actor_office.is_some().then_some(e.actor_member).flatten(),
        actor_office: e.actor_office,
        kind: e.kind,
        subject,
        payload: keep(payload, &THING_KEYS),
        reason: None,
    }
}

impl App {
    /// Governance events after `after`, oldest first, as `reader` may see them.
    pub async fn governance_record(
        &self,
        reader: &Actor,
        after: i64,
        limit: u32,
    ) -> Result<Vec<RecordEntry>, AppError> {
        let events = self.store.events(after, limit).await?;
        let tree = self.tree().await?;
        let mut branches: HashMap<MemberId, Option<charter_domain::UnitId>> = HashMap::new();
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            let payload = serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null);
            if !personal(&e.kind) {
                out.push(open_entry(e, payload));
                continue;
            }
            let mut entitled = true;
            for person in concerned(&e, &payload) {
                if person == reader.member {
                    continue;
                }
                let branch = match branches.get(&person) {
                    Some(b) => *b,
                    None => {
                        let b = self.store.member_branch(person).await?;
                        branches.insert(person, b);
                        b
                    }
                };
                if branch.is_none_or(|b| reader.authority(Power::ViewMembers, b, &tree).is_none()) {
                    entitled = false;
                    break;
                }
            }
            out.push(if entitled {
                open_entry(e, payload)
            } else {
                anonymous_entry(e, payload)
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn event(kind: &str, subject: &str, payload: Value, reason: &str) -> EventRecord {
        EventRecord {
            seq: 1,
            at: Utc.with_ymd_and_hms(2026, 11, 30, 18, 42, 17).unwrap()
                + TimeDelta::nanoseconds(123_456_789),
            actor_member: Some(MemberId(9)),
            actor_office: None,
            kind: kind.into(),
            subject: subject.into(),
            payload: payload.to_string(),
            reason: reason.into(),
        }
    }

    fn parts(e: EventRecord) -> (EventRecord, Value) {
        let p = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        (e, p)
    }

    #[test]
    fn member_events_show_ids_statuses_and_dates_only_to_those_entitled() {
        let (e, p) = parts(event(
            "member.affiliation_added",
            "member:7",
            json!({"member": 7, "organisation": "Other Party", "since": "2024-01-01"}),
            "declared at the branch meeting about their health",
        ));
        let shown = open_entry(e, p);
        assert_eq!(shown.payload, json!({"member": 7}));
        assert_eq!(shown.reason, None);
        let (e, p) = parts(event(
            "member.payment_recorded",
            "member:7",
            json!({"member": 7, "paid_on": "2026-11-01", "amount_pence": 1200, "months": 1}),
            "dues payment recorded",
        ));
        assert_eq!(open_entry(e, p).payload, json!({"member": 7, "months": 1}));
    }

    #[test]
    fn to_anyone_else_a_personal_event_names_no_one() {
        let (e, p) = parts(event(
            "ballot.voted",
            "ballot:3",
            json!({"ballot": 3, "member": 9}),
            "",
        ));
        assert_eq!(concerned(&e, &p), [MemberId(9)]);
        let shown = anonymous_entry(e, p);
        assert_eq!(shown.actor, None, "who voted");
        assert_eq!(shown.payload, json!({"ballot": 3}));
        assert_eq!(
            shown.at,
            Utc.with_ymd_and_hms(2026, 11, 30, 18, 42, 0).unwrap(),
            "to the minute, not the nanosecond"
        );
        let (e, p) = parts(event(
            "member.status_changed",
            "member:7",
            json!({"member": 7, "from": "active", "to": "expelled"}),
            "by decision of the panel",
        ));
        let mut e = e;
        e.actor_office = Some("secretary, Southwark".into());
        let shown = anonymous_entry(e, p);
        assert_eq!(shown.subject, "member");
        assert_eq!(shown.payload, json!({}), "not even the status");
        assert_eq!(shown.reason, None);
        assert_eq!(
            shown.actor,
            Some(MemberId(9)),
            "an officer acts in the open"
        );
    }

    #[test]
    fn structural_events_are_shown_whole() {
        let payload = json!({"name": "Southwark", "kind": "branch", "slug": "southwark"});
        let (e, p) = parts(event(
            "unit.created",
            "unit:southwark",
            payload.clone(),
            "set up",
        ));
        assert!(!personal(&e.kind));
        let shown = open_entry(e, p);
        assert_eq!(shown.payload, payload);
        assert_eq!(shown.reason.as_deref(), Some("set up"));
    }

    #[test]
    fn unreadable_payloads_become_empty() {
        let mut rec = event("member.updated", "member:1", Value::Null, "x");
        rec.payload = "not json".into();
        let (e, p) = parts(rec);
        assert_eq!(open_entry(e, p).payload, json!({}));
    }
}
