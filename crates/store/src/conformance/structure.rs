//! Conformance for the structure after the founding: units established, renamed, merged and
//! closed (never deleted), and office holdings that name the decision they came from.

use charter_domain::MotionState;
use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId, UnitKind};
use charter_model::MotionId;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{add, event, event_count, new_member, org};
use crate::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_730_000_000 + secs, 0)
        .single()
        .expect("valid test instant")
}

fn new_branch(parent: UnitId, name: &str, slug: &str) -> NewUnit {
    NewUnit {
        parent,
        kind: UnitKind::Branch,
        name: name.into(),
        slug: slug.into(),
        bodies: vec![UnitBody {
            name: "Branch general meeting".into(),
            kind: "branch-meeting".into(),
            seats: 0,
            filled_by: "open to all members".into(),
        }],
        offices: vec![OfficeKind::Secretary, OfficeKind::Chair],
    }
}

async fn unit(store: &dyn Store, id: UnitId) -> UnitRecord {
    store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == id)
        .expect("the unit is listed")
}

/// A unit is established with its bodies and vacant offices in one transaction; renamed
/// keeping its slug; merged, its members moving with a line in their branch history naming
/// the merge and its officers' terms ending; closed only once empty; and never deleted.
pub async fn units_are_established_renamed_merged_and_closed(store: &dyn Store) {
    let o = org(store).await;
    let before = event_count(store).await;
    let hull = store
        .establish_unit(
            &new_branch(o.north, "Hull", "hull"),
            &event("unit.created", "unit:hull"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1, "one event per unit");
    let u = unit(store, hull).await;
    assert_eq!(
        (u.parent, u.kind, u.name.as_str(), u.is_open()),
        (Some(o.north), UnitKind::Branch, "Hull", true)
    );
    let bodies = store.bodies(Some(hull), d(2025, 1, 1)).await.unwrap();
    assert_eq!(
        bodies
            .iter()
            .map(|b| (b.kind.as_str(), b.seats))
            .collect::<Vec<_>>(),
        [("branch-meeting", 0)]
    );
    let offices = store.offices(Some(hull), d(2025, 1, 1)).await.unwrap();
    assert_eq!(offices.len(), 2, "its offices exist, vacant");
    assert!(
        offices
            .iter()
            .all(|o| o.holder.is_none() && o.mandate.is_none())
    );

    // A taken slug writes nothing.
    let before = event_count(store).await;
    let err = store
        .establish_unit(
            &new_branch(o.north, "Hull", "hull"),
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "slug"),
        "{err:?}"
    );
    assert_eq!(event_count(store).await, before);
    let err = store
        .establish_unit(
            &new_branch(UnitId(9_999), "X", "x"),
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    store
        .rename_unit(
            hull,
            "Hull and East Riding",
            &event("unit.renamed", "unit:hull"),
        )
        .await
        .unwrap();
    let u = unit(store, hull).await;
    assert_eq!(
        (u.name.as_str(), u.slug.as_str()),
        ("Hull and East Riding", "hull")
    );

    // Two members and an officer in Leeds; Leeds merges into Hull.
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS2 1AA", o.leeds),
    )
    .await;
    let sec = store
        .offices(Some(o.leeds), d(2025, 1, 1))
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.kind == OfficeKind::Secretary);
    let sec = match sec {
        Some(s) => s.id,
        None => store
            .create_office(
                o.leeds,
                OfficeKind::Secretary,
                &event("office.created", "x"),
            )
            .await
            .unwrap(),
    };
    store
        .appoint(
            sec,
            ann,
            Term {
                starts_on: d(2024, 1, 1),
                ends_on: None,
            },
            &event("office.appointed", "x"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    let merged = store
        .merge_unit(
            &UnitMerge {
                from: o.leeds,
                into: hull,
                on: d(2025, 3, 1),
                moved_by: Some(ben),
                reason: "Leeds merged into Hull and East Riding".into(),
            },
            &NewEvent {
                at: at(60),
                ..event("unit.merged", "unit:leeds")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        merged,
        Merged {
            members: 2,
            children: 0
        }
    );
    assert_eq!(event_count(store).await, before + 1);
    for m in [ann, ben] {
        assert_eq!(store.member_branch(m).await.unwrap(), Some(hull));
        let detail = store.member(m, None).await.unwrap().unwrap();
        let last = detail
            .branch_history
            .last()
            .expect("the move is in their history");
        assert_eq!(
            (last.from, last.to, last.effective_on, last.reason.as_str()),
            (
                o.leeds,
                hull,
                d(2025, 3, 1),
                "Leeds merged into Hull and East Riding"
            )
        );
    }
    let leeds = unit(store, o.leeds).await;
    assert_eq!(
        (leeds.closed_on, leeds.merged_into),
        (Some(d(2025, 3, 1)), Some(hull))
    );
    assert!(
        store.offices_held(ann, d(2025, 2, 28)).await.unwrap().len() == 1
            && store
                .offices_held(ann, d(2025, 3, 1))
                .await
                .unwrap()
                .is_empty(),
        "the merged unit's officers hold office until the day before the merge"
    );

    // A closed unit takes no change, and nothing is written.
    let before = event_count(store).await;
    for err in [
        store
            .rename_unit(o.leeds, "Leeds", &event("unit.renamed", "x"))
            .await
            .unwrap_err(),
        store
            .merge_unit(
                &UnitMerge {
                    from: o.york,
                    into: o.leeds,
                    on: d(2025, 3, 2),
                    moved_by: None,
                    reason: "x".into(),
                },
                &event("unit.merged", "x"),
            )
            .await
            .unwrap_err(),
        store
            .close_unit(o.leeds, d(2025, 3, 2), &event("unit.closed", "x"))
            .await
            .unwrap_err(),
        store
            .establish_unit(&new_branch(o.leeds, "Under", "under"), &event("x", "x"))
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    }
    // Merging across kinds, or into itself, is refused.
    for (from, into) in [(o.york, o.south), (o.york, o.york)] {
        let err = store
            .merge_unit(
                &UnitMerge {
                    from,
                    into,
                    on: d(2025, 3, 2),
                    moved_by: None,
                    reason: "x".into(),
                },
                &event("unit.merged", "x"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict { field, .. } if field == "into"),
            "{err:?}"
        );
    }
    assert_eq!(event_count(store).await, before);

    // Hull has members, North open branches: neither closes.
    for u in [hull, o.north] {
        let err = store
            .close_unit(u, d(2025, 4, 1), &event("unit.closed", "x"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict { field, .. } if field == "unit"),
            "{err:?}"
        );
    }
    assert_eq!(event_count(store).await, before);

    // A former member does not keep a branch open.
    let cal = add(
        store,
        &new_member("Cal", "Reid", "cal@example.org", "BS1 1AA", o.brixton),
    )
    .await;
    store
        .change_status(
            cal,
            MemberStatus::Active,
            &StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Resigned,
                effective_on: d(2025, 1, 1),
                reason: "moved away".into(),
                changed_by: None,
            },
            &event("member.status_changed", "x"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    store
        .close_unit(
            o.brixton,
            d(2025, 4, 1),
            &event("unit.closed", "unit:brixton"),
        )
        .await
        .unwrap();
    assert_eq!(unit(store, o.brixton).await.closed_on, Some(d(2025, 4, 1)));
    assert_eq!(event_count(store).await, before + 1);

    // A region merged moves its open branches under the other region.
    let merged = store
        .merge_unit(
            &UnitMerge {
                from: o.north,
                into: o.south,
                on: d(2025, 5, 1),
                moved_by: None,
                reason: "regions merged".into(),
            },
            &event("unit.merged", "unit:north"),
        )
        .await
        .unwrap();
    assert_eq!(
        merged,
        Merged {
            members: 0,
            children: 2
        }
    );
    assert_eq!(unit(store, hull).await.parent, Some(o.south));
    assert_eq!(unit(store, o.york).await.parent, Some(o.south));
    assert_eq!(
        unit(store, o.leeds).await.parent,
        Some(o.north),
        "closed units stay put"
    );
    assert_eq!(store.units().await.unwrap().len(), 7, "nothing is deleted");
}

/// Every holding names its decision: the founding or an election through `take_office`, an
/// appointment motion only by its adoption (in the deciding transaction) — never directly,
/// and not when the decision does not bind. A term ends on its date.
pub async fn offices_name_the_decision_they_came_from(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 1AA", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE2 1AA", o.brixton),
    )
    .await;
    let sec = store
        .create_office(
            o.brixton,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    let national_sec = store
        .create_office(
            o.national,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    store
        .take_office(
            national_sec,
            ann,
            Term {
                starts_on: d(2025, 1, 1),
                ends_on: Some(d(2025, 1, 31)),
            },
            Mandate::Founding,
            Some("9.1"),
            &event("office.appointed", "x"),
        )
        .await
        .unwrap();
    let held = store.offices_held(ann, d(2025, 1, 31)).await.unwrap();
    assert_eq!(
        held.iter()
            .map(|h| (h.id, h.mandate, h.clause.as_deref()))
            .collect::<Vec<_>>(),
        [(national_sec, Some(Mandate::Founding), Some("9.1"))]
    );
    assert!(
        store
            .offices_held(ann, d(2025, 2, 1))
            .await
            .unwrap()
            .is_empty(),
        "a term that ended confers nothing the next day"
    );

    // No direct appointment by motion; no election that does not exist.
    let before = event_count(store).await;
    let term = Term {
        starts_on: d(2025, 2, 1),
        ends_on: None,
    };
    let err = store
        .take_office(
            sec,
            ben,
            term,
            Mandate::Motion(MotionId(1)),
            None,
            &event("x", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "mandate"),
        "{err:?}"
    );
    let err = store
        .take_office(
            sec,
            ben,
            term,
            Mandate::Election(ElectionId(9_999)),
            None,
            &event("x", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);

    // Appointment motions at a branch meeting.
    let meeting = super::brixton_meeting(store, o.brixton, ann, at(3_600), &[]).await;
    let propose = |title: &'static str, member: MemberId| async move {
        store
            .propose_appointment(
                &NewMotion {
                    meeting,
                    kind: "appointment".into(),
                    title: title.into(),
                    text: "That Ben Adams be appointed branch secretary.".into(),
                    matter: None,
                    position: None,
                    requires: None,
                    proposed_by: Some(ann),
                    seconded_by: None,
                    parent: None,
                    target: None,
                    emergency: false,
                },
                &NewAppointment {
                    office: sec,
                    member,
                    term: Term {
                        starts_on: d(2025, 2, 10),
                        ends_on: Some(d(2026, 2, 9)),
                    },
                    clause: "5.2".into(),
                },
                &event("motion.proposed", "meeting"),
            )
            .await
            .unwrap()
    };
    let outcome = |state: MotionState| MotionOutcome {
        state,
        votes_for: 5,
        votes_against: 1,
        abstentions: 0,
        present: 6,
        failures_json: "[]".into(),
    };
    let not_binding = propose("Appoint Ben", ben).await;
    let a = store
        .motion_appointment(not_binding)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.office, a.office_kind, a.unit, a.member, a.clause.as_str()),
        (sec, OfficeKind::Secretary, o.brixton, ben, "5.2")
    );
    assert_eq!(a.member_name, "Ben Adams");
    assert!(
        store
            .motion_appointment(MotionId(9_999))
            .await
            .unwrap()
            .is_none()
    );
    for (motion, state) in [
        (not_binding, MotionState::NotBinding),
        (
            propose("Appoint Ben again", ben).await,
            MotionState::Rejected,
        ),
    ] {
        store
            .decide_motion(motion, &outcome(state), &event("motion.decided", "m"))
            .await
            .unwrap();
    }
    assert!(
        store
            .offices_held(ben, d(2025, 2, 10))
            .await
            .unwrap()
            .is_empty(),
        "a decision that does not bind appoints nobody"
    );
    let adopted = propose("Appoint Ben at last", ben).await;
    store
        .decide_motion(
            adopted,
            &outcome(MotionState::Adopted),
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let held = store.offices_held(ben, d(2025, 2, 10)).await.unwrap();
    assert_eq!(
        held.iter()
            .map(|h| (h.id, h.mandate, h.clause.as_deref(), h.term))
            .collect::<Vec<_>>(),
        [(
            sec,
            Some(Mandate::Motion(adopted)),
            Some("5.2"),
            Some(Term {
                starts_on: d(2025, 2, 10),
                ends_on: Some(d(2026, 2, 9)),
            })
        )]
    );
    assert!(
        store
            .offices_held(ben, d(2026, 2, 10))
            .await
            .unwrap()
            .is_empty()
    );
}
