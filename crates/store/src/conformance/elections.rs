//! Conformance: elections.

use super::*;

/// Nominations become valid at the constitution's number of nominators, a nominator counts
/// once, a withdrawn candidate takes no more nominations, the ballot is linked once, and the
/// winners are seated in one change that ends the body's current terms the day before.
pub async fn elections_nominate_and_seat_their_winners(store: &dyn Store) {
    let o = org(store).await;
    let mut people = Vec::new();
    for (first, email) in [
        ("Ann", "ann"),
        ("Ben", "ben"),
        ("Cat", "cat"),
        ("Dev", "dev"),
    ] {
        people.push(
            add(
                store,
                &new_member(
                    first,
                    "Okafor",
                    &format!("{email}@example.org"),
                    "SE1 7PB",
                    o.brixton,
                ),
            )
            .await,
        );
    }
    let (ann, ben, cat, dev) = (people[0], people[1], people[2], people[3]);
    let body = store
        .create_body(
            &NewBody {
                unit: o.national,
                name: "Steering Committee".into(),
                kind: "committee".into(),
                seats: 2,
                filled_by: "elected by conference".into(),
            },
            &event("body.created", "body"),
        )
        .await
        .unwrap();
    store
        .fill_seat(
            body,
            dev,
            Term {
                starts_on: d(2023, 1, 1),
                ends_on: None,
            },
            "appointed",
            &event("seat.filled", "body"),
        )
        .await
        .unwrap();
    let version_id = store
        .found_constitution(
            &version("founding", d(2016, 3, 12)),
            &event("constitution.founded", "constitution"),
        )
        .await
        .unwrap();
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Conference".into(),
                context: "conference".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[],
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_election(
            &NewElection {
                body: "steering-committee".into(),
                body_id: body,
                title: "Steering Committee 2024".into(),
                seats: 2,
                term_days: Some(365),
                roll,
                nominators: 2,
                clause: Some("6.7".into()),
                nominations_close_at: t(100),
                withdrawals_close_at: t(200),
                opens_at: t(300),
                closes_at: t(400),
                created_by: Some(ann),
            },
            &NoticeText {
                subject: "Nominations open: Steering Committee 2024".into(),
                body: "Nominations close soon.".into(),
            },
            &[
                Recipient {
                    member: ben,
                    address: "ben@example.org".into(),
                },
                Recipient {
                    member: cat,
                    address: "cat@example.org".into(),
                },
            ],
            &event("election.opened", "election"),
        )
        .await
        .unwrap();
    let e = store.election(id).await.unwrap().unwrap();
    assert_eq!(
        (e.seats, e.nominators, e.ballot, e.seated_at),
        (2, 2, None, None)
    );
    // The notice of nominations went to every recipient with the election.
    let letters = store
        .claim_outbox(t(1000), t(2000), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == "Nominations open: Steering Committee 2024")
        .map(|m| (m.member, m.address, m.body))
        .collect::<Vec<_>>();
    assert_eq!(
        letters,
        [
            (
                Some(ben),
                "ben@example.org".to_string(),
                "Nominations close soon.".to_string()
            ),
            (
                Some(cat),
                "cat@example.org".to_string(),
                "Nominations close soon.".to_string()
            ),
        ]
    );
    assert_eq!(store.elections().await.unwrap().len(), 1);
    let nominate = |candidate: MemberId, by: MemberId| async move {
        store
            .nominate(
                id,
                candidate,
                "Name",
                by,
                2,
                &event("election.nominated", "e"),
            )
            .await
    };
    let n = nominate(ann, ben).await.unwrap();
    assert_eq!((n.state.as_str(), n.nominators), ("seeking", 1));
    let twice = nominate(ann, ben).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let n = nominate(ann, cat).await.unwrap();
    assert_eq!((n.state.as_str(), n.nominators), ("valid", 2));
    nominate(ben, ann).await.unwrap();
    store
        .set_statement(n.id, "Vote for me", &event("election.statement", "e"))
        .await
        .unwrap();
    let cat_n = nominate(cat, ann).await.unwrap();
    store
        .withdraw_nomination(cat_n.id, &event("election.withdrawn", "e"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_nomination(cat_n.id, &event("election.withdrawn", "e"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        nominate(cat, ben).await,
        Err(StoreError::Stale(_))
    ));
    let list = store.nominations(id).await.unwrap();
    assert_eq!(
        list.iter().map(|n| n.state.as_str()).collect::<Vec<_>>(),
        ["valid", "seeking", "withdrawn"]
    );
    assert_eq!(list[0].statement, "Vote for me");

    let ballot = store
        .create_ballot(
            &NewBallot {
                title: "Steering Committee 2024".into(),
                question: "Elect two".into(),
                kind: BallotKind::Election,
                decision_kind: None,
                method: Method::ScottishStv,
                seats: 2,
                roll,
                opens_at: t(300),
                closes_at: t(400),
                later_vote_replaces: false,
                clause: Some("6.7".into()),
                rule: "counted by scottish-stv for 2 seats".into(),
                options: vec!["Ann".into(), "Ben".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    store
        .attach_election_ballot(id, ballot, &event("election.ballot", "e"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .attach_election_ballot(id, ballot, &event("election.ballot", "e"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let term = Term {
        starts_on: d(2024, 6, 1),
        ends_on: Some(d(2025, 5, 31)),
    };
    store
        .seat_winners(
            id,
            &[ann, ben],
            term,
            "elected",
            &event("election.seated", "e"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .seat_winners(
                id,
                &[ann, ben],
                term,
                "elected",
                &event("election.seated", "e")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let holders = |on: NaiveDate| async move {
        let mut v: Vec<MemberId> = store
            .bodies(Some(o.national), on)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.id == body)
            .unwrap()
            .holders
            .iter()
            .map(|h| h.member)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        holders(d(2024, 5, 31)).await,
        vec![dev],
        "the old term ends the day before"
    );
    let mut winners = vec![ann, ben];
    winners.sort();
    assert_eq!(holders(d(2024, 6, 1)).await, winners);
    assert!(
        store
            .election(id)
            .await
            .unwrap()
            .unwrap()
            .seated_at
            .is_some()
    );
}
