//! Conformance: the constitution and the register facts its rules read.

use super::*;
use charter_model::{AmendmentId, ConstitutionVersionId, MotionId};

pub async fn constitution_changes_only_by_amendment_with_events(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert!(store.constitution_versions().await.unwrap().is_empty());
    let before = event_count(store).await;
    let founded = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    // A second founding is refused and writes nothing.
    let again = store
        .found_constitution(
            &version("again", d(2016, 4, 1)),
            &event("constitution.founded", "constitution"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(event_count(store).await, before + 1);
    let v = store.constitution_version(founded).await.unwrap().unwrap();
    assert_eq!(v.version, "founding");
    assert_eq!(v.effective, d(2016, 3, 12));
    assert_eq!(v.amendment, None);
    assert_eq!(v.recorded_at, t(0));
    assert!(v.toml.contains("version = \"founding\""));
    let events = all_events(store).await;
    let founded_event = events.iter().find(|e| e.seq == v.event_seq).unwrap();
    assert_eq!(founded_event.kind, "constitution.founded");
    assert!(
        store
            .constitution_version(ConstitutionVersionId(founded.0 + 1000))
            .await
            .unwrap()
            .is_none()
    );

    let proposal = NewAmendment {
        title: "Votes for party members".into(),
        toml: version("2017", d(2017, 7, 1)).toml,
        proposed_version: "2017".into(),
        effective: d(2017, 7, 1),
        proposed_by: Some(ann),
    };
    let id = store
        .propose_amendment(
            &proposal,
            &by(ann, "constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let a = store.amendment(id).await.unwrap().unwrap();
    assert_eq!(a.state, AmendmentState::Proposed);
    assert_eq!(a.proposed_by, Some(ann));
    assert_eq!(a.title, proposal.title);
    assert_eq!(a.effective, d(2017, 7, 1));
    assert!(
        store
            .amendment(AmendmentId(id.0 + 1000))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.amendments().await.unwrap(), vec![a.clone()]);

    let ben = add(
        store,
        &new_member("Ben", "Ames", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    // A refused attempt at a historical meeting two officers entered; no version is added.
    let (hasty, hasty_motion) = historical_meeting(store, id, [ann, ben], d(2017, 5, 29), None)
        .await
        .unwrap();
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Refused
    );
    assert_eq!(store.constitution_versions().await.unwrap().len(), 1);
    let m = store.meeting(hasty).await.unwrap().unwrap();
    assert_eq!(m.historical_entered_at, Some(t(0)));
    assert_eq!(m.entitled, 21_000);
    assert_eq!(
        m.notice_complete_at.map(|n| n.date_naive()),
        Some(d(2017, 5, 27))
    );
    let decided = store.motion(hasty_motion).await.unwrap().unwrap();
    assert_eq!(decided.meeting, hasty);
    assert_eq!(decided.state, MotionState::NotBinding);
    assert_eq!(
        store.motion_amendment(hasty_motion).await.unwrap(),
        Some(id)
    );
    let entries = store.historical_entries(id).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.meeting == Some(hasty)));
    assert_eq!(entries[0].entry, historical_entry(id, ann, d(2017, 5, 29)));
    // The entries have made their meeting: they make no second one.
    let again = store
        .record_historical_meeting(&NewHistoricalMeeting {
            entries: [entries[0].id, entries[1].id],
            meeting: conference("Again", t(-86_400 * 400)),
            notice_on: None,
            entitled: 1,
            meeting_event: event("meeting.historical_recorded", "meeting"),
            motion: amendment_motion(0),
            proposal_event: event("motion.proposed", "meeting"),
            outcome: amendment_outcome(false),
            decision_event: event("motion.decided", "meeting"),
            decision: amendment_decision(id.0, d(2017, 5, 30), None),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");

    // Then adopted at a meeting held in Charter, with the new version in the transaction
    // that decides the motion putting it.
    let meeting = store
        .call_meeting(
            &conference("Special conference", t(86_400 * 20)),
            &[],
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    let put = store
        .propose_amendment_motion(
            &amendment_motion(meeting.0),
            id,
            &by(ann, "motion.proposed", "meeting"),
        )
        .await
        .unwrap();
    assert_eq!(store.motion_amendment(put).await.unwrap(), Some(id));
    assert_eq!(
        store
            .motion_amendment(MotionId(hasty_motion.0 + 1000))
            .await
            .unwrap(),
        None
    );
    // Not decided as an ordinary motion, nor with an outcome its version contradicts.
    let plain = store
        .decide_motion(
            put,
            &amendment_outcome(true),
            &event("motion.decided", "meeting"),
        )
        .await;
    assert!(
        matches!(plain, Err(StoreError::Conflict { .. })),
        "{plain:?}"
    );
    let new = version("2017", d(2017, 7, 1));
    let contradicts = store
        .decide_amendment_motion(
            put,
            &amendment_outcome(false),
            &event("motion.decided", "meeting"),
            &amendment_decision(id.0, d(2017, 6, 10), Some(new.clone())),
        )
        .await;
    assert!(
        matches!(contradicts, Err(StoreError::Conflict { .. })),
        "{contradicts:?}"
    );
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Refused
    );
    store
        .decide_amendment_motion(
            put,
            &amendment_outcome(true),
            &event("motion.decided", "meeting"),
            &amendment_decision(id.0, d(2017, 6, 10), Some(new.clone())),
        )
        .await
        .unwrap();
    assert_eq!(
        store.motion(put).await.unwrap().unwrap().state,
        MotionState::Adopted
    );
    assert_eq!(
        store.amendment(id).await.unwrap().unwrap().state,
        AmendmentState::Adopted
    );
    let versions = store.constitution_versions().await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["founding", "2017"]
    );
    assert_eq!(versions[1].amendment, Some(id));
    let attempts = store.amendment_attempts(Some(id)).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert!(!attempts[0].adopted);
    assert_eq!(
        attempts[0].failures_json,
        "[[\"7.1\",\"too little notice\"]]"
    );
    assert_eq!(attempts[0].decided_on, d(2017, 5, 29));
    assert_eq!(attempts[0].motion, Some(hasty_motion));
    assert!(attempts[1].adopted);
    assert_eq!(attempts[1].motion, Some(put));
    assert_eq!(attempts[1].event_seq, versions[1].event_seq);
    assert_eq!(store.amendment_attempts(None).await.unwrap(), attempts);
    assert!(
        store
            .amendment_attempts(Some(AmendmentId(id.0 + 1000)))
            .await
            .unwrap()
            .is_empty()
    );
    let kinds: Vec<String> = all_events(store)
        .await
        .into_iter()
        .filter(|e| e.kind.starts_with("constitution."))
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "constitution.founded",
            "constitution.amendment_proposed",
            "constitution.amendment_refused",
            "constitution.amended"
        ]
    );

    // Adopted is final; an unknown amendment is not found; neither writes anything.
    let count = event_count(store).await;
    let stale = historical_meeting(
        store,
        id,
        [ann, ben],
        d(2017, 6, 11),
        Some(version("twice", d(2018, 1, 1))),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    let missing = store
        .add_historical_entry(
            &historical_entry(AmendmentId(id.0 + 1000), ann, d(2017, 6, 11)),
            &by(ann, "meeting.historical_entry", "amendment"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(event_count(store).await, count);
    assert_eq!(store.amendment_attempts(None).await.unwrap().len(), 2);
    // Two versions may not take effect on the same day.
    let p2 = store
        .propose_amendment(
            &NewAmendment {
                title: "Same day".into(),
                ..proposal.clone()
            },
            &event("constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let meetings_before = store.meetings(None, None).await.unwrap().len();
    let clash = historical_meeting(store, p2, [ann, ben], d(2017, 6, 20), Some(new)).await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { .. })),
        "{clash:?}"
    );
    assert_eq!(store.constitution_versions().await.unwrap().len(), 2);
    assert_eq!(
        store.amendment(p2).await.unwrap().unwrap().state,
        AmendmentState::Proposed
    );
    // Nothing of the clashing meeting was written; its entries still wait.
    assert_eq!(
        store.meetings(None, None).await.unwrap().len(),
        meetings_before
    );
    assert!(
        store
            .historical_entries(p2)
            .await
            .unwrap()
            .iter()
            .all(|e| e.meeting.is_none())
    );
}

pub async fn member_facts_reflect_the_register_on_a_date(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    // Before anyone joined there is no one to decide for.
    assert!(store.member_facts(d(2024, 1, 1)).await.unwrap().is_empty());
    store
        .record_payment(ann, &payment(d(2024, 1, 15), 12), None, &event("dues", "x"))
        .await
        .unwrap();
    let verified = store
        .add_affiliation(
            ann,
            "Another Party",
            Some(d(2020, 1, 1)),
            &event("aff", "x"),
        )
        .await
        .unwrap();
    store
        .verify_affiliation(ann, verified, ben, d(2024, 3, 1), &event("aff.v", "x"))
        .await
        .unwrap();
    store
        .add_affiliation(ann, "Third Party", None, &event("aff", "x"))
        .await
        .unwrap();
    store
        .add_affiliation(ann, "Later Party", Some(d(2025, 1, 1)), &event("aff", "x"))
        .await
        .unwrap();
    let office = store
        .create_office(o.leeds, OfficeKind::Secretary, &event("office", "x"))
        .await
        .unwrap();
    store
        .appoint(
            office,
            ann,
            Term {
                starts_on: d(2024, 2, 1),
                ends_on: Some(d(2024, 6, 30)),
            },
            &event("appoint", "x"),
        )
        .await
        .unwrap();
    let body = store
        .create_body(
            &NewBody {
                unit: o.national,
                name: "Steering Committee".into(),
                kind: "committee".into(),
                seats: 5,
                filled_by: "elected by conference".into(),
            },
            &event("body", "x"),
        )
        .await
        .unwrap();
    store
        .fill_seat(
            body,
            ann,
            Term {
                starts_on: d(2024, 4, 1),
                ends_on: None,
            },
            "elected",
            &event("seat", "x"),
        )
        .await
        .unwrap();

    let all = store.member_facts(d(2024, 2, 15)).await.unwrap();
    assert_eq!(all.iter().map(|f| f.member).collect::<Vec<_>>(), [ann, ben]);
    let a = &all[0];
    assert_eq!(a.status, MemberStatus::Active);
    assert_eq!(a.joined_on, d(2024, 1, 15));
    assert!(a.paid_up_until.is_some());
    assert_eq!(a.branch, o.leeds);
    assert_eq!(a.region, Some(o.north));
    let mut affs = a.affiliations.clone();
    affs.sort();
    // Verified only from the day it was checked; not yet begun is left out.
    assert_eq!(
        affs,
        [
            ("Another Party".to_string(), false),
            ("Third Party".to_string(), false)
        ]
    );
    assert_eq!(a.offices, [OfficeKind::Secretary]);
    assert!(a.seats.is_empty());
    let b = &all[1];
    assert_eq!(b.branch, o.brixton);
    assert_eq!(b.region, Some(o.south));
    assert!(b.affiliations.is_empty() && b.offices.is_empty() && b.seats.is_empty());
    assert_eq!(b.paid_up_until, None);

    let later = store.member_facts(d(2024, 7, 1)).await.unwrap();
    let a = &later[0];
    assert!(
        a.affiliations
            .contains(&("Another Party".to_string(), true))
    );
    assert!(a.offices.is_empty(), "the term ended on 30 June");
    assert_eq!(a.seats, ["Steering Committee"]);

    // Later changes are undone for an earlier date: Ben moves to Leeds on 1 August and is
    // suspended on 1 September; on 1 July he is still an active member of Brixton.
    store
        .transfer_member(
            ben,
            &BranchMoveInput {
                from: o.brixton,
                to: o.leeds,
                effective_on: d(2024, 8, 1),
                reason: "moved house".into(),
                moved_by: None,
            },
            &event("member.transferred", "ben"),
        )
        .await
        .unwrap();
    store
        .change_status(
            ben,
            MemberStatus::Active,
            &StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Suspended,
                effective_on: d(2024, 9, 1),
                reason: "pending a hearing".into(),
                changed_by: None,
            },
            &event("member.status_changed", "ben"),
        )
        .await
        .unwrap();
    let july = store.member_facts(d(2024, 7, 1)).await.unwrap();
    assert_eq!(july[1].member, ben);
    assert_eq!(
        (july[1].status, july[1].branch),
        (MemberStatus::Active, o.brixton)
    );
    assert_eq!(july[1].region, Some(o.south));
    let october = store.member_facts(d(2024, 10, 1)).await.unwrap();
    assert_eq!(
        (october[1].status, october[1].branch),
        (MemberStatus::Suspended, o.leeds)
    );
    assert_eq!(october[1].region, Some(o.north));

    // One member: the same facts; a read by someone else is logged with it.
    let one = store
        .member_facts_of(ann, d(2024, 7, 1), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&one, a);
    assert_eq!(store.access_log(ann, 1, 50).await.unwrap().total, 0);
    let read = reader(ben, "member rights", t(5));
    store
        .member_facts_of(ann, d(2024, 7, 1), Some(&read))
        .await
        .unwrap()
        .unwrap();
    let log = store.access_log(ann, 1, 50).await.unwrap();
    assert_eq!(log.total, 1);
    assert_eq!(log.items[0].purpose, "member rights");
    assert!(
        store
            .member_facts_of(MemberId(ann.0 + 1000), d(2024, 7, 1), Some(&read))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.access_log(ann, 1, 50).await.unwrap().total, 1);
}
