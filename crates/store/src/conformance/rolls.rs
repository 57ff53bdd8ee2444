//! Conformance: frozen rolls and challenges to them.

use super::*;
use charter_model::RollId;

/// A roll of thousands: its lines span several stored blocks per branch, and one member's
/// line, the frozen lines, counts and every page of names (filtered, with a challenge
/// upheld) read the same as a straightforward list would give.
pub async fn large_rolls_read_back_line_for_line(store: &dyn Store) {
    let o = org(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let seeds: Vec<SeedMember> = (0..2600)
        .map(|i| SeedMember {
            member: new_member(
                "Roll",
                &format!("Person{i:05}"),
                &format!("roll{i}@example.org"),
                "SE1 7PB",
                branches[if i < 2200 { 0 } else { 1 + i % 2 }],
            ),
            password_hash: None,
            history: vec![],
            payments: vec![],
            affiliations: vec![],
            moves: vec![],
        })
        .collect();
    let ids = store
        .seed_members(&seeds, &event("register.seeded", "register"))
        .await
        .unwrap();
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    // Written in reverse: a store may not rely on the order it is given lines in.
    let entries: Vec<NewRollEntry> = ids
        .iter()
        .enumerate()
        .rev()
        .map(|(i, m)| NewRollEntry {
            member: *m,
            branch: branches[if i < 2200 { 0 } else { 1 + i % 2 }],
            eligible: i % 3 != 0,
            reason: (i % 3 == 0).then_some(u32::from(i % 2 == 0)),
        })
        .collect();
    let reasons = [
        RollReason {
            clauses: "4.1".into(),
            reason: "not paid up".into(),
        },
        RollReason {
            clauses: "4.3".into(),
            reason: "not a member of another party".into(),
        },
    ];
    let hash = "d".repeat(64);
    let id = store
        .freeze_roll(
            &NewRoll {
                title: "Large".into(),
                context: "conference".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: hash.clone(),
                frozen_by: None,
            },
            &reasons,
            &entries,
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let mut expected: Vec<NewRollEntry> = entries.clone();
    expected.sort_by_key(|e| e.member);
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        expected
            .iter()
            .map(|e| (e.member, e.branch, e.eligible))
            .collect::<Vec<_>>()
    );
    // Lines at and around every block edge, and one member not on it.
    for k in [0, 1, 1023, 1024, 1025, 2047, 2048, 2199, 2200, 2201, 2599] {
        let e = &expected[k];
        let line = store.roll_entry(id, e.member, None).await.unwrap().unwrap();
        assert_eq!(
            (
                line.member,
                line.branch,
                line.eligible,
                line.frozen_eligible
            ),
            (e.member, e.branch, e.eligible, e.eligible),
            "line {k}"
        );
        let want = e.reason.map(|r| reasons[r as usize].clauses.clone());
        assert_eq!(line.clauses, want.unwrap_or_default(), "line {k}");
    }
    let stranger = add(
        store,
        &new_member("Not", "Listed", "notlisted@example.org", "SE1 7PB", o.york),
    )
    .await;
    assert!(
        store
            .roll_entry(id, stranger, None)
            .await
            .unwrap()
            .is_none()
    );

    // A challenge upheld for an excluded Leeds member in the second block.
    let moved = expected
        .iter()
        .filter(|e| e.branch == o.leeds && !e.eligible)
        .nth(400)
        .unwrap()
        .member;
    let c = store
        .lodge_challenge(
            &NewChallenge {
                roll: id,
                member: moved,
                grounds: "paid on time".into(),
                lodged_by: Some(moved),
            },
            &event("roll.challenged", "roll"),
        )
        .await
        .unwrap();
    assert_eq!(store.challenge(c).await.unwrap().unwrap().branch, o.leeds);
    store
        .decide_challenge(
            c,
            &ChallengeDecision {
                upheld: true,
                reason: "receipt shown".into(),
                decided_by: None,
                expected_hash: hash.clone(),
                new_hash: "e".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    let now = |e: &NewRollEntry| e.eligible || e.member == moved;
    let line = store.roll_entry(id, moved, None).await.unwrap().unwrap();
    assert!(line.eligible && !line.frozen_eligible && line.challenge == Some(c));

    // Every page, in branch then member order, for several filters.
    let mut in_order = expected.clone();
    in_order.sort_by_key(|e| (e.branch, e.member));
    for (scope, branch, eligible, per_page) in [
        (MemberScope::All, None, None, 500),
        (MemberScope::All, None, Some(true), 333),
        (MemberScope::All, Some(o.leeds), Some(false), 97),
        (
            MemberScope::Branches(vec![o.york, o.brixton]),
            None,
            None,
            150,
        ),
        (MemberScope::Branches(vec![o.leeds]), Some(o.york), None, 50),
    ] {
        let want: Vec<MemberId> = in_order
            .iter()
            .filter(|e| match &scope {
                MemberScope::Branches(bs) => bs.contains(&e.branch),
                _ => true,
            })
            .filter(|e| branch.is_none_or(|b| b == e.branch))
            .filter(|e| eligible.is_none_or(|y| y == now(e)))
            .map(|e| e.member)
            .collect();
        let mut got = Vec::new();
        let mut page = 1;
        loop {
            let p = store
                .roll_names(
                    id,
                    &RollQuery {
                        scope: scope.clone(),
                        branch,
                        eligible,
                        page,
                        per_page,
                    },
                    &reader(ids[0], "roll names", t(5)),
                )
                .await
                .unwrap();
            assert_eq!(
                p.total,
                want.len() as u64,
                "{scope:?} {branch:?} {eligible:?}"
            );
            if p.items.is_empty() {
                break;
            }
            assert!(p.items.iter().all(|n| n.last_name.starts_with("Person")));
            got.extend(p.items.iter().map(|n| n.entry.member));
            page += 1;
        }
        assert_eq!(got, want, "{scope:?} {branch:?} {eligible:?}");
    }
    let only = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Only(moved),
                branch: None,
                eligible: Some(true),
                page: 1,
                per_page: 10,
            },
            &reader(moved, "my line", t(5)),
        )
        .await
        .unwrap();
    assert_eq!(only.total, 1);
    assert_eq!(only.items[0].entry.challenge, Some(c));
}

pub async fn rolls_freeze_count_and_take_challenges(store: &dyn Store) {
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
    let cat = add(
        store,
        &new_member("Cat", "Ng", "cat@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = NewRoll {
        title: "Conference 2024".into(),
        context: "conference".into(),
        unit: None,
        right: "vote".into(),
        cutoff: d(2024, 5, 1),
        version_id,
        challenge_closes_on: d(2024, 5, 15),
        hash: "a".repeat(64),
        frozen_by: Some(ann),
    };
    let reasons = [RollReason {
        clauses: "4.3".into(),
        reason: "clause 4.3: only verified members of another party may vote".into(),
    }];
    let entries = [
        NewRollEntry {
            member: cat,
            branch: o.brixton,
            eligible: false,
            reason: Some(0),
        },
        NewRollEntry {
            member: ann,
            branch: o.leeds,
            eligible: true,
            reason: None,
        },
        NewRollEntry {
            member: ben,
            branch: o.brixton,
            eligible: false,
            reason: Some(0),
        },
    ];
    let events = event_count(store).await;
    let id = store
        .freeze_roll(&roll, &reasons, &entries, &event("roll.frozen", "roll"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    let r = store.roll(id).await.unwrap().unwrap();
    assert_eq!((r.eligible, r.excluded), (1, 2));
    assert_eq!(r.frozen_hash, r.current_hash);
    assert_eq!(r.cutoff, d(2024, 5, 1));
    assert_eq!(r.unit, None);
    assert_eq!(r.frozen_by, Some(ann));
    assert_eq!(store.rolls().await.unwrap(), std::slice::from_ref(&r));
    assert!(store.roll(RollId(id.0 + 100)).await.unwrap().is_none());
    let counts = store.roll_counts(id).await.unwrap();
    let of = |b: UnitId| {
        counts
            .iter()
            .find(|c| c.branch == b)
            .map(|c| (c.eligible, c.excluded))
    };
    assert_eq!(of(o.leeds), Some((1, 0)));
    assert_eq!(of(o.brixton), Some((0, 2)));
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        [
            (ann, o.leeds, true),
            (ben, o.brixton, false),
            (cat, o.brixton, false)
        ]
    );

    // A member reads their own line without a log; an officer's read is logged.
    let line = store.roll_entry(id, ben, None).await.unwrap().unwrap();
    assert!(!line.eligible && !line.frozen_eligible);
    assert_eq!(line.clauses, "4.3");
    assert!(line.reason.starts_with("clause 4.3"));
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 0);
    store
        .roll_entry(id, ben, Some(&reader(ann, "roll", t(3))))
        .await
        .unwrap();
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 1);
    assert!(
        store
            .roll_entry(id, MemberId(ann.0 + 999), None)
            .await
            .unwrap()
            .is_none()
    );

    // Names within the scope only, each logged.
    let names = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Branches(vec![o.brixton]),
                branch: None,
                eligible: None,
                page: 1,
                per_page: 1,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(names.total, 2);
    assert_eq!(names.items.len(), 1);
    assert_eq!(names.items[0].entry.member, ben);
    assert_eq!(names.items[0].last_name, "Adams");
    assert_eq!(store.access_log(ben, 1, 50).await.unwrap().total, 2);
    assert_eq!(store.access_log(cat, 1, 50).await.unwrap().total, 0);
    let none = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::Branches(vec![]),
                branch: None,
                eligible: None,
                page: 1,
                per_page: 25,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    let eligible_only = store
        .roll_names(
            id,
            &RollQuery {
                scope: MemberScope::All,
                branch: None,
                eligible: Some(true),
                page: 1,
                per_page: 25,
            },
            &reader(ann, "roll names", t(4)),
        )
        .await
        .unwrap();
    assert_eq!(
        eligible_only
            .items
            .iter()
            .map(|n| n.entry.member)
            .collect::<Vec<_>>(),
        [ann]
    );

    // Challenges: only an exclusion, one open at a time, decided once against the hash.
    let challenge = |m: MemberId| NewChallenge {
        roll: id,
        member: m,
        grounds: "I am a verified member".into(),
        lodged_by: Some(m),
    };
    let on_roll = store
        .lodge_challenge(&challenge(ann), &event("roll.challenged", "roll"))
        .await;
    assert!(
        matches!(on_roll, Err(StoreError::Conflict { .. })),
        "{on_roll:?}"
    );
    let not_listed = store
        .lodge_challenge(
            &challenge(MemberId(ann.0 + 999)),
            &event("roll.challenged", "roll"),
        )
        .await;
    assert!(
        matches!(not_listed, Err(StoreError::NotFound(_))),
        "{not_listed:?}"
    );
    let c1 = store
        .lodge_challenge(&challenge(ben), &event("roll.challenged", "roll"))
        .await
        .unwrap();
    let twice = store
        .lodge_challenge(&challenge(ben), &event("roll.challenged", "roll"))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let c2 = store
        .lodge_challenge(&challenge(cat), &event("roll.challenged", "roll"))
        .await
        .unwrap();
    let open = store.challenges(id).await.unwrap();
    assert_eq!(open.iter().map(|c| c.id).collect::<Vec<_>>(), [c1, c2]);
    assert!(
        open.iter()
            .all(|c| c.state == ChallengeState::Open && c.decided_at.is_none())
    );

    let events = event_count(store).await;
    let wrong_hash = store
        .decide_challenge(
            c1,
            &ChallengeDecision {
                upheld: true,
                reason: "verified on 1 May".into(),
                decided_by: Some(ann),
                expected_hash: "b".repeat(64),
                new_hash: "c".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await;
    assert!(
        matches!(wrong_hash, Err(StoreError::Stale(_))),
        "{wrong_hash:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .decide_challenge(
            c1,
            &ChallengeDecision {
                upheld: true,
                reason: "verified on 1 May".into(),
                decided_by: Some(ann),
                expected_hash: "a".repeat(64),
                new_hash: "c".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    store
        .decide_challenge(
            c2,
            &ChallengeDecision {
                upheld: false,
                reason: "no affiliation recorded".into(),
                decided_by: Some(ann),
                expected_hash: "c".repeat(64),
                new_hash: "d".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await
        .unwrap();
    let again = store
        .decide_challenge(
            c2,
            &ChallengeDecision {
                upheld: true,
                reason: "changed my mind".into(),
                decided_by: Some(ann),
                expected_hash: "d".repeat(64),
                new_hash: "e".repeat(64),
            },
            &event("roll.challenge_decided", "roll"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(event_count(store).await, events + 2);
    let r = store.roll(id).await.unwrap().unwrap();
    assert_eq!((r.eligible, r.excluded), (2, 1));
    assert_eq!(r.frozen_hash, "a".repeat(64));
    assert_eq!(r.current_hash, "d".repeat(64));
    let counts = store.roll_counts(id).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .find(|c| c.branch == o.brixton)
            .map(|c| (c.eligible, c.excluded)),
        Some((1, 1))
    );
    let ben_line = store.roll_entry(id, ben, None).await.unwrap().unwrap();
    assert!(ben_line.eligible && !ben_line.frozen_eligible);
    assert_eq!(ben_line.challenge, Some(c1));
    // The frozen list is unchanged, so its hash can still be checked.
    assert_eq!(
        store.roll_frozen_lines(id, None).await.unwrap(),
        [
            (ann, o.leeds, true),
            (ben, o.brixton, false),
            (cat, o.brixton, false)
        ]
    );
    let decided = store.challenge(c2).await.unwrap().unwrap();
    assert_eq!(decided.state, ChallengeState::Rejected);
    assert_eq!(
        decided.decision_reason.as_deref(),
        Some("no affiliation recorded")
    );
    assert_eq!(decided.decided_by, Some(ann));
    assert!(decided.decided_at.is_some());
    // Cat may lodge again now that the first is decided.
    store
        .lodge_challenge(&challenge(cat), &event("roll.challenged", "roll"))
        .await
        .unwrap();
}
