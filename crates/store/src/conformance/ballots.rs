//! Conformance: ballots: secrecy, group commit and the sealed board.

use super::*;
use charter_model::BallotId;

/// A ballot keeps who took part apart from what they chose: voters are issued links when it
/// opens, each voter puts one ballot in the box (the same ballot again is answered with its
/// tracker, a second is refused), the box stays sealed until close, and the count is recorded
/// once.
pub async fn ballots_keep_voters_apart_from_their_choices(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
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
    let roll = store
        .freeze_roll(
            &NewRoll {
                title: "Ballot 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "b".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben]
                .iter()
                .zip([o.brixton, o.leeds])
                .map(|(m, b)| NewRollEntry {
                    member: *m,
                    branch: b,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_ballot(
            &NewBallot {
                title: "Affiliation".into(),
                question: "Should the Network affiliate?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("ordinary-motion".into()),
                method: Method::YesNo,
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: true,
                clause: Some("6.3".into()),
                rule: "more than half of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: vec![3, 1],
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!(
        (
            b.state.as_str(),
            b.options.len(),
            b.seats,
            b.later_vote_replaces,
            b.roll
        ),
        ("scheduled", 3, 1, true, roll)
    );
    assert_eq!(b.reminder_days, vec![3, 1]);
    assert_eq!(store.ballots().await.unwrap()[0].options[1], "No");
    let cast = |tracker: &str, submission: &str, replaces: Option<&str>| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: format!("v1:{tracker}"),
        replaces: replaces.map(str::to_string),
    };
    let early = store
        .cast_ballot(id, ann, &cast("T1", "S1", None), &event("ballot.cast", "b"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    assert!(matches!(
        store.ballot_box(id).await,
        Err(StoreError::Stale(_))
    ));
    let voter = |m: MemberId, branch: UnitId, link: &str| NewBallotVoter {
        member: m,
        branch,
        address: "x@example.org".into(),
        letter: format!("Your link: {link}"),
    };
    let letters = store
        .claim_outbox(t(86_400), t(86_400 + 60), 100)
        .await
        .unwrap()
        .len();
    store
        .open_ballot(
            id,
            &[voter(ann, o.brixton, "H1"), voter(ben, o.leeds, "H2")],
            "Your vote",
            &event("ballot.opened", "b"),
        )
        .await
        .unwrap();
    let queued = store
        .claim_outbox(t(86_400), t(86_400 + 60), 100)
        .await
        .unwrap();
    assert_eq!(queued.len(), letters + 2, "one letter per voter");
    assert!(queued.iter().any(|m| m.body == "Your link: H2"
        && m.meeting.is_none()
        && m.ballot == Some(id)
        && m.member == Some(ben)));
    let again = store
        .open_ballot(id, &[], "Your vote", &event("ballot.opened", "b"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!((b.state.as_str(), b.electorate), ("open", Some(2)));
    // No link opens a ballot until its letter goes; then only the one minted.
    assert_eq!(store.voter_by_link(id, "H2").await.unwrap(), None);
    let mint = |m: MemberId, hash: &str| VotingLinkMint {
        ballot: id,
        member: m,
        link_hash: hash.into(),
    };
    assert_eq!(
        store
            .mint_voting_links(&[mint(ann, "H1"), mint(ben, "H2"), mint(cat, "H3")])
            .await
            .unwrap(),
        vec![(id, ann), (id, ben)],
        "only voters get links"
    );
    assert_eq!(store.voter_by_link(id, "H2").await.unwrap(), Some(ben));
    assert_eq!(store.voter_by_link(id, "H3").await.unwrap(), None);
    assert_eq!(store.voter_by_link(id, "H9").await.unwrap(), None);

    let events = event_count(store).await;
    assert_eq!(
        store
            .cast_ballot(id, ann, &cast("T1", "S1", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::Recorded {
            tracker: "T1".into()
        }
    );
    assert_eq!(
        store
            .cast_ballot(id, ann, &cast("T9", "S1", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T1".into()
        }
    );
    assert_eq!(
        event_count(store).await,
        events + 1,
        "one event per ballot cast"
    );
    let second = store
        .cast_ballot(id, ann, &cast("T2", "S2", None), &event("ballot.cast", "b"))
        .await;
    assert!(
        matches!(second, Err(StoreError::Conflict { .. })),
        "{second:?}"
    );
    let stranger = store
        .cast_ballot(id, cat, &cast("T3", "S3", None), &event("ballot.cast", "b"))
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    assert!(matches!(
        store.ballot_voter(id, ann).await.unwrap(),
        Some(Some(_))
    ));
    assert_eq!(store.ballot_voter(id, ben).await.unwrap(), Some(None));
    assert_eq!(store.ballot_voter(id, cat).await.unwrap(), None);
    // Once voted, no new link; a reminder of the timetable goes once, to those not voted.
    assert!(
        store
            .mint_voting_links(&[mint(ann, "H1-again")])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.ballot_reminders(id).await.unwrap().is_empty());
    // Letters queued before are claimed (leased) here, so the next claim holds only new ones.
    store
        .claim_outbox(t(86_400 * 2), t(86_400 * 2 + 60), 100)
        .await
        .unwrap();
    let reminded = store
        .remind_voters(
            id,
            3,
            &[voter(ann, o.brixton, "R1"), voter(ben, o.leeds, "R2")],
            "Reminder",
            &event("ballot.reminded", "b"),
        )
        .await
        .unwrap();
    assert_eq!(reminded, 1, "only the voter who has not voted");
    let after = store
        .claim_outbox(t(86_400 * 2), t(86_400 * 2 + 60), 100)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert!(after[0].body == "Your link: R2" && after[0].ballot == Some(id));
    let twice = store
        .remind_voters(
            id,
            3,
            &[voter(ben, o.leeds, "R2")],
            "Reminder",
            &event("ballot.reminded", "b"),
        )
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    let sent = store.ballot_reminders(id).await.unwrap();
    assert_eq!(
        sent.iter()
            .map(|r| (r.days_before, r.reminded))
            .collect::<Vec<_>>(),
        vec![(3, 1)]
    );
    // A later ballot replaces the earlier one only by naming it.
    let wrong = store
        .cast_ballot(
            id,
            ann,
            &cast("T4", "S4", Some("S9")),
            &event("ballot.cast", "b"),
        )
        .await;
    assert!(
        matches!(wrong, Err(StoreError::Conflict { .. })),
        "{wrong:?}"
    );
    store
        .cast_ballot(
            id,
            ann,
            &cast("T5", "S5", Some("S1")),
            &event("ballot.cast", "b"),
        )
        .await
        .unwrap();
    store
        .cast_ballot(id, ben, &cast("T0", "S0", None), &event("ballot.cast", "b"))
        .await
        .unwrap();
    let turnout = store.ballot_turnout(id).await.unwrap();
    assert_eq!(turnout.len(), 2);
    assert!(turnout.iter().all(|r| r.voters == 1 && r.voted == 1));
    assert!(matches!(
        store.ballot_box(id).await,
        Err(StoreError::Stale(_))
    ));

    store
        .close_ballot(id, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let late = store
        .cast_ballot(id, ben, &cast("T6", "S6", None), &event("ballot.cast", "b"))
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    // The acknowledged ballot is still answered after close.
    assert_eq!(
        store
            .cast_ballot(id, ben, &cast("T7", "S0", None), &event("ballot.cast", "b"))
            .await
            .unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T0".into()
        }
    );
    assert!(matches!(
        store.close_ballot(id, &event("ballot.closed", "b")).await,
        Err(StoreError::Stale(_))
    ));
    let boxed = store.ballot_box(id).await.unwrap();
    assert_eq!(
        boxed,
        vec![
            BoxedBallot {
                tracker: "T0".into(),
                sealed: "v1:T0".into()
            },
            BoxedBallot {
                tracker: "T5".into(),
                sealed: "v1:T5".into()
            },
        ],
        "the replaced ballot does not count"
    );
    store
        .record_ballot_count(id, "{}", "carried", &event("ballot.counted", "b"), None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .record_ballot_count(id, "{}", "carried", &event("ballot.counted", "b"), None)
            .await,
        Err(StoreError::Stale(_))
    ));

    // A ballot putting an amendment is counted only with the decision on it, in the same
    // transaction, and the attempt names the ballot.
    let amendment = store
        .propose_amendment(
            &NewAmendment {
                title: "Ballots by post".into(),
                toml: version("2025", d(2025, 1, 1)).toml,
                proposed_version: "2025".into(),
                effective: d(2025, 1, 1),
                proposed_by: Some(ann),
            },
            &event("constitution.amendment_proposed", "constitution"),
        )
        .await
        .unwrap();
    let putting = store
        .create_ballot(
            &NewBallot {
                title: "Ballots by post".into(),
                question: "Adopt the amendment?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("constitutional-amendment".into()),
                method: Method::YesNo,
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: false,
                clause: Some("7.1".into()),
                rule: "at least two thirds of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: Some(amendment),
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.ballot_amendment(putting).await.unwrap(),
        Some(amendment)
    );
    assert_eq!(store.ballot_amendment(id).await.unwrap(), None);
    store
        .open_ballot(putting, &[], "Your vote", &event("ballot.opened", "b"))
        .await
        .unwrap();
    store
        .close_ballot(putting, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let alone = store
        .record_ballot_count(
            putting,
            "{}",
            "carried",
            &event("ballot.counted", "b"),
            None,
        )
        .await;
    assert!(
        matches!(alone, Err(StoreError::Conflict { .. })),
        "{alone:?}"
    );
    store
        .record_ballot_count(
            putting,
            "{}",
            "carried",
            &event("ballot.counted", "b"),
            Some(&AmendmentDecision {
                amendment,
                attempt: attempt(d(2024, 5, 22), true),
                version: Some(version("2025", d(2025, 1, 1))),
                event: event("constitution.amended", "amendment"),
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        store.amendment(amendment).await.unwrap().unwrap().state,
        AmendmentState::Adopted
    );
    let attempts = store.amendment_attempts(Some(amendment)).await.unwrap();
    assert_eq!(
        (attempts[0].ballot, attempts[0].motion),
        (Some(putting), None)
    );
    assert_eq!(
        store.ballot(putting).await.unwrap().unwrap().state,
        BallotState::Counted
    );
    let b = store.ballot(id).await.unwrap().unwrap();
    assert_eq!(
        (b.state.as_str(), b.outcome.as_deref()),
        ("counted", Some("carried"))
    );
    assert!(store.ballot(BallotId(id.0 + 99)).await.unwrap().is_none());
}

/// Ballots sent at the same moment go into the box together (group commit) and each is
/// answered as if it had come alone: the same ballot twice gets one tracker, a voter's second
/// ballot and a stranger's are refused without harming the others, a ballot for a ballot
/// that does not exist is not found, and each ballot that went in has its one event.
pub async fn ballots_cast_at_once_are_each_answered_as_alone(store: &dyn Store) {
    let o = org(store).await;
    let mut members = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
    ] {
        members.push(
            add(
                store,
                &new_member(first, "Voter", email, "SE1 7PB", o.brixton),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan] = [members[0], members[1], members[2], members[3]];
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
                title: "Ballot 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben, cat]
                .iter()
                .map(|m| NewRollEntry {
                    member: *m,
                    branch: o.brixton,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let id = store
        .create_ballot(
            &NewBallot {
                title: "Affiliation".into(),
                question: "Should the Network affiliate?".into(),
                kind: BallotKind::Question,
                decision_kind: Some("ordinary-motion".into()),
                method: Method::YesNo,
                seats: 1,
                roll,
                opens_at: t(100),
                closes_at: t(86_400 * 7),
                later_vote_replaces: false,
                clause: Some("6.3".into()),
                rule: "more than half of the votes cast".into(),
                options: vec!["Yes".into(), "No".into(), "Abstain".into()],
                created_by: Some(ann),
                amendment: None,
                reminder_days: Vec::new(),
                board: Vec::new(),
            },
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let voters: Vec<NewBallotVoter> = [ann, ben, cat]
        .iter()
        .map(|m| NewBallotVoter {
            member: *m,
            branch: o.brixton,
            address: "x@example.org".into(),
            letter: "Your link".into(),
        })
        .collect();
    store
        .open_ballot(id, &voters, "Your vote", &event("ballot.opened", "b"))
        .await
        .unwrap();
    let cast = |tracker: &str, submission: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: format!("v1:{tracker}"),
        replaces: None,
    };
    let voted = event("ballot.voted", "b");
    let events = event_count(store).await;
    // The first is alone (nobody else has queued yet) and holds the turn while the rest
    // queue; they then go in one batch.
    let c: Vec<NewCast> = [
        ("T1", "S1"),
        ("T2", "S1"),
        ("T3", "S3"),
        ("T4", "S4"),
        ("T5", "S5"),
        ("T6", "S6"),
        ("T7", "S7"),
        ("T8", "S4"),
    ]
    .iter()
    .map(|(t, s)| cast(t, s))
    .collect();
    let (first, again, second, ben_in, stranger, nowhere, cat_in, ben_again) = tokio::join!(
        store.cast_ballot(id, ann, &c[0], &voted),
        store.cast_ballot(id, ann, &c[1], &voted),
        store.cast_ballot(id, ann, &c[2], &voted),
        store.cast_ballot(id, ben, &c[3], &voted),
        store.cast_ballot(id, dan, &c[4], &voted),
        store.cast_ballot(BallotId(id.0 + 99), cat, &c[5], &voted),
        store.cast_ballot(id, cat, &c[6], &voted),
        store.cast_ballot(id, ben, &c[7], &voted),
    );
    let recorded = |t: &str| CastOutcome::Recorded { tracker: t.into() };
    assert_eq!(first.unwrap(), recorded("T1"));
    assert_eq!(
        again.unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T1".into()
        }
    );
    assert!(
        matches!(second, Err(StoreError::Conflict { .. })),
        "{second:?}"
    );
    assert_eq!(ben_in.unwrap(), recorded("T4"));
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    assert!(
        matches!(nowhere, Err(StoreError::NotFound(_))),
        "{nowhere:?}"
    );
    assert_eq!(cat_in.unwrap(), recorded("T7"));
    assert_eq!(
        ben_again.unwrap(),
        CastOutcome::AlreadyRecorded {
            tracker: "T4".into()
        },
        "the same ballot twice in one batch is one ballot"
    );
    assert_eq!(
        event_count(store).await,
        events + 3,
        "one event per ballot that went in"
    );
    let turnout = store.ballot_turnout(id).await.unwrap();
    assert_eq!(turnout.iter().map(|r| r.voted).sum::<i64>(), 3);
    store
        .close_ballot(id, &event("ballot.closed", "b"))
        .await
        .unwrap();
    let trackers: Vec<String> = store
        .ballot_box(id)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.tracker)
        .collect();
    assert_eq!(trackers, ["T1", "T4", "T7"]);
}

pub async fn ballot_boards_are_appended_once_per_author(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
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
                title: "Board 2024".into(),
                context: "member-ballot".into(),
                unit: None,
                right: "vote".into(),
                cutoff: d(2024, 5, 1),
                version_id,
                challenge_closes_on: d(2024, 5, 15),
                hash: "c".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben]
                .iter()
                .zip([o.brixton, o.leeds])
                .map(|(m, b)| NewRollEntry {
                    member: *m,
                    branch: b,
                    eligible: true,
                    reason: None,
                })
                .collect::<Vec<_>>(),
            &event("roll.frozen", "roll"),
        )
        .await
        .unwrap();
    let item = |kind, trustee, member: Option<MemberId>, body: &str| NewBoardItem {
        kind,
        trustee,
        member,
        body: body.into(),
    };
    let ballot = |board: Vec<NewBoardItem>| NewBallot {
        title: "Sealed".into(),
        question: "Should the Network affiliate?".into(),
        kind: BallotKind::Question,
        decision_kind: Some("ordinary-motion".into()),
        method: Method::YesNo,
        seats: 1,
        roll,
        opens_at: t(100),
        closes_at: t(86_400 * 7),
        later_vote_replaces: false,
        clause: Some("6.3".into()),
        rule: "more than half of the votes cast".into(),
        options: vec!["Yes".into(), "No".into(), "Abstain".into()],
        created_by: Some(ann),
        amendment: None,
        reminder_days: Vec::new(),
        board,
    };
    let id = store
        .create_ballot(
            &ballot(vec![
                item(BoardItemKind::Setup, 0, None, r#"{"setup":1}"#),
                item(BoardItemKind::Trustee, 1, Some(ann), r#"{"t":1}"#),
                item(BoardItemKind::Trustee, 2, Some(ben), r#"{"t":2}"#),
            ]),
            &event("ballot.created", "ballot"),
        )
        .await
        .unwrap();
    let plain = store
        .create_ballot(&ballot(Vec::new()), &event("ballot.created", "ballot"))
        .await
        .unwrap();
    assert!(store.board_items(plain).await.unwrap().is_empty());

    let before = event_count(store).await;
    let seq = store
        .post_board_item(
            id,
            &["scheduled"],
            &item(BoardItemKind::Identity, 2, Some(ben), r#"{"id":2}"#),
            &event("ballot.trustee_identity", "b"),
        )
        .await
        .unwrap();
    assert_eq!(seq, 4);
    assert_eq!(
        event_count(store).await,
        before + 1,
        "posted with its event"
    );
    // The same author's same kind goes once; nothing is written by the attempt.
    let again = store
        .post_board_item(
            id,
            &["scheduled"],
            &item(BoardItemKind::Identity, 2, Some(ben), r#"{"id":"other"}"#),
            &event("ballot.trustee_identity", "b"),
        )
        .await;
    assert!(
        matches!(&again, Err(StoreError::Conflict { field, .. }) if field == "board"),
        "{again:?}"
    );
    // Only while the ballot is in a state the caller names.
    let late = store
        .post_board_item(
            id,
            &["closed"],
            &item(BoardItemKind::Share, 1, Some(ann), "{}"),
            &event("ballot.share", "b"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    let missing = store
        .post_board_item(
            BallotId(9_999),
            &["scheduled"],
            &item(BoardItemKind::Identity, 1, None, "{}"),
            &event("ballot.share", "b"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(event_count(store).await, before + 1);

    let board = store.board_items(id).await.unwrap();
    assert_eq!(
        board
            .iter()
            .map(|i| (i.seq, i.kind, i.trustee, i.member, i.body.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (1, BoardItemKind::Setup, 0, None, r#"{"setup":1}"#),
            (2, BoardItemKind::Trustee, 1, Some(ann), r#"{"t":1}"#),
            (3, BoardItemKind::Trustee, 2, Some(ben), r#"{"t":2}"#),
            (4, BoardItemKind::Identity, 2, Some(ben), r#"{"id":2}"#),
        ]
    );

    // Encrypted ballots are public as they arrive; a plaintext box stays sealed.
    let voters = [(ann, o.brixton), (ben, o.leeds)].map(|(m, branch)| NewBallotVoter {
        member: m,
        branch,
        address: "x@example.org".into(),
        letter: "Your link: {link}".into(),
    });
    for b in [id, plain] {
        store
            .open_ballot(b, &voters, "Your vote", &event("ballot.opened", "b"))
            .await
            .unwrap();
    }
    assert!(store.encrypted_box(id).await.unwrap().is_empty());
    let cast = |tracker: &str, sealed: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: format!("S-{tracker}"),
        sealed: sealed.into(),
        replaces: None,
    };
    store
        .cast_ballot(
            id,
            ann,
            &cast("ab12", r#"v2:{"choices":[]}"#),
            &event("ballot.cast", "b"),
        )
        .await
        .unwrap();
    store
        .cast_ballot(plain, ann, &cast("T1", "v1:{}"), &event("ballot.cast", "b"))
        .await
        .unwrap();
    assert_eq!(
        store.encrypted_box(id).await.unwrap(),
        vec![BoxedBallot {
            tracker: "ab12".into(),
            sealed: r#"v2:{"choices":[]}"#.into()
        }]
    );
    assert!(store.encrypted_box(plain).await.unwrap().is_empty());
    assert!(matches!(
        store.ballot_box(plain).await,
        Err(StoreError::Stale(_))
    ));
}
