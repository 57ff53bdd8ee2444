//! Conformance: paper ballots.

use super::*;

/// Paper ballots: a teller marks a voter whose envelope came back (not twice, not one who
/// voted online, not one off the roll); batches of papers are kept with every entry; a batch
/// goes into the box only with its agreed entry and only while papers do not outnumber the
/// paper voters; entries compare-and-set on how many there were; nothing of it can be
/// rewritten or removed. The scrutineer's reads: the voters with their marks (each read
/// logged), the ballot's trail without the per-voter events, and the box's size.
pub async fn paper_ballots_go_in_only_by_agreed_batches(store: &dyn Store) {
    let o = org(store).await;
    let mut members = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
        ("Eve", "eve@example.org"),
    ] {
        members.push(
            add(
                store,
                &new_member(first, "Voter", email, "SE1 7PB", o.brixton),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan, eve] = [members[0], members[1], members[2], members[3], members[4]];
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
                hash: "d".repeat(64),
                frozen_by: Some(ann),
            },
            &[],
            &[ann, ben, cat, dan]
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
    let subject = format!("ballot:{id}");
    // Before it opens nothing is marked and no batch starts.
    assert!(matches!(
        store
            .mark_paper_voter(id, ben, ann, &event("ballot.paper_voted", &subject))
            .await,
        Err(StoreError::Stale(_))
    ));
    let batch = |papers: i64| NewPaperBatch {
        ballot: id,
        label: "postal box 1".into(),
        papers,
        created_by: ann,
    };
    assert!(matches!(
        store
            .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Stale(_))
    ));
    let voters: Vec<NewBallotVoter> = [ann, ben, cat, dan]
        .iter()
        .map(|m| NewBallotVoter {
            member: *m,
            branch: o.brixton,
            address: "x@example.org".into(),
            letter: "Your link".into(),
        })
        .collect();
    store
        .open_ballot(id, &voters, "Your vote", &event("ballot.opened", &subject))
        .await
        .unwrap();
    // Ann votes online.
    store
        .cast_ballot(
            id,
            ann,
            &NewCast {
                tracker: "ONLINE-1".into(),
                submission_hash: "S-ann".into(),
                sealed: "v1:ann".into(),
                replaces: None,
            },
            &event("ballot.voted", &subject),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let sub = subject.as_str();
    let mark = |m: MemberId| async move {
        store
            .mark_paper_voter(id, m, ann, &event("ballot.paper_voted", sub))
            .await
    };
    // Ann voted online, Eve is not on the roll: refused, nothing written.
    assert!(
        matches!(mark(ann).await, Err(StoreError::Conflict { .. })),
        "one who voted online is not marked again"
    );
    assert!(matches!(mark(eve).await, Err(StoreError::NotFound(_))));
    assert_eq!(event_count(store).await, events);
    // No paper voter yet: a batch would outnumber them.
    assert!(matches!(
        store
            .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    mark(ben).await.unwrap();
    mark(cat).await.unwrap();
    assert!(
        matches!(mark(ben).await, Err(StoreError::Conflict { .. })),
        "a paper voter is marked once"
    );
    assert_eq!(event_count(store).await, events + 2);
    assert!(
        store
            .ballot_voter(id, ben)
            .await
            .unwrap()
            .unwrap()
            .is_some()
    );
    // A marked paper voter's online ballot does not go in: it is kept aside, once (the
    // same one again gets the same answer), and shown on the mark.
    let online = |tracker: &str, submission: &str| NewCast {
        tracker: tracker.into(),
        submission_hash: submission.into(),
        sealed: "v1:ben".into(),
        replaces: None,
    };
    for _ in 0..2 {
        assert_eq!(
            store
                .cast_ballot(
                    id,
                    ben,
                    &online("ONLINE-2", "S-ben"),
                    &event("ballot.voted", &subject)
                )
                .await
                .unwrap(),
            CastOutcome::SetAside {
                tracker: "ONLINE-2".into()
            }
        );
    }
    let again = store
        .cast_ballot(
            id,
            ben,
            &online("ONLINE-3", "S-ben-2"),
            &event("ballot.voted", &subject),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let marked = store.paper_mark(id, ben).await.unwrap().unwrap();
    assert!(marked.kept_aside && marked.reversed_at.is_none());
    assert_eq!(
        store.paper_tally(id).await.unwrap(),
        PaperTally {
            voters: 2,
            committed: 0,
            spoilt: 0
        }
    );
    // Three papers for two paper voters: refused.
    assert!(matches!(
        store
            .create_paper_batch(&batch(3), &event("ballot.paper_batch", &subject))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let b1 = store
        .create_paper_batch(&batch(2), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    let entry = |teller: MemberId, papers: &str| NewPaperEntry {
        teller,
        papers: papers.into(),
    };
    let e1 = store
        .enter_paper_batch(
            b1,
            &entry(ann, "[[0],null]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    // An entry made against a stale view is refused.
    assert!(matches!(
        store
            .enter_paper_batch(
                b1,
                &entry(dan, "[[0],null]"),
                0,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let commit = |spoilt: i64, trackers: &[&str]| PaperCommit {
        ballots: trackers
            .iter()
            .map(|tr| NewCast {
                tracker: (*tr).into(),
                submission_hash: format!("paper-{tr}"),
                sealed: "v1:{\"ranks\":[0]}".into(),
                replaces: None,
            })
            .collect(),
        spoilt,
        event: event("ballot.paper_committed", &subject),
    };
    let e2 = store
        .enter_paper_batch(
            b1,
            &entry(dan, "[[0],null]"),
            1,
            Some(&commit(1, &["PAPER-1"])),
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    let got = store.paper_batch(b1).await.unwrap().unwrap();
    assert_eq!(
        (
            got.state.as_str(),
            got.agreed_entry,
            got.spoilt,
            got.entries.iter().map(|e| e.id).collect::<Vec<_>>()
        ),
        ("committed", Some(e2), Some(1), vec![e1, e2])
    );
    assert_eq!(got.entries[0].teller, ann);
    assert_eq!(got.entries[0].papers, "[[0],null]");
    assert_eq!(store.paper_batches(id).await.unwrap(), vec![got]);
    // A committed batch takes no more entries.
    assert!(matches!(
        store
            .enter_paper_batch(
                b1,
                &entry(cat, "[[0],null]"),
                2,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.paper_tally(id).await.unwrap(),
        PaperTally {
            voters: 2,
            committed: 2,
            spoilt: 1
        }
    );
    // Every paper voter's paper is in: one more batch cannot go in, even agreed.
    mark(dan).await.unwrap();
    let b2 = store
        .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    let b3 = store
        .create_paper_batch(&batch(1), &event("ballot.paper_batch", &subject))
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b2,
            &entry(ann, "[[1]]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b2,
            &entry(dan, "[[1]]"),
            1,
            Some(&commit(0, &["PAPER-2"])),
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    store
        .enter_paper_batch(
            b3,
            &entry(ann, "[[2]]"),
            0,
            None,
            &event("ballot.paper_entered", &subject),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let stuffed = store
        .enter_paper_batch(
            b3,
            &entry(dan, "[[2]]"),
            1,
            Some(&commit(0, &["PAPER-3"])),
            &event("ballot.paper_entered", &subject),
        )
        .await;
    assert!(
        matches!(stuffed, Err(StoreError::Conflict { .. })),
        "{stuffed:?}"
    );
    assert_eq!(event_count(store).await, events, "nothing written");
    assert_eq!(
        store.paper_batch(b3).await.unwrap().unwrap().entries.len(),
        1
    );

    // The scrutineer's reads.
    let size = store.ballot_box_size(id).await.unwrap();
    assert_eq!(
        (size.counting, size.superseded, size.voted),
        (3, 0, 4),
        "Ann online, two papers (one spoilt) and Dan's"
    );
    assert_eq!(size.paper.voters, 3);
    let access = reader(eve, "ballot audit", t(500));
    let audit = store.ballot_roll_audit(id, 1, 3, &access).await.unwrap();
    assert_eq!(audit.voters.total, 4);
    assert_eq!(
        audit
            .voters
            .items
            .iter()
            .map(|l| (l.member, l.voted_at.is_some(), l.on_paper))
            .collect::<Vec<_>>(),
        vec![(ann, true, false), (ben, true, true), (cat, true, true)]
    );
    assert!(audit.challenges.is_empty());
    let page2 = store.ballot_roll_audit(id, 2, 3, &access).await.unwrap();
    assert_eq!(page2.voters.items.len(), 1);
    for m in [ann, ben, cat, dan] {
        let log = store.access_log(m, 1, 50).await.unwrap();
        assert!(
            log.items.iter().any(|e| e.reader == Some(eve)),
            "the scrutineer's read of member {} is logged",
            m.0
        );
    }
    let trail = store.ballot_trail(id).await.unwrap();
    let kinds: Vec<&str> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"ballot.created"));
    assert!(kinds.contains(&"ballot.opened"));
    assert!(kinds.contains(&"ballot.paper_committed"));
    assert!(!kinds.contains(&"ballot.voted") && !kinds.contains(&"ballot.paper_voted"));
    assert!(trail.windows(2).all(|w| w[0].seq < w[1].seq));

    // Nothing of it is rewritten or removed.
    store
        .close_ballot(id, &event("ballot.closed", &subject))
        .await
        .unwrap();
    assert!(matches!(
        store
            .enter_paper_batch(
                b3,
                &entry(dan, "[[2]]"),
                1,
                None,
                &event("ballot.paper_entered", &subject),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(mark(cat).await, Err(StoreError::Stale(_))));
    let boxed = store.ballot_box(id).await.unwrap();
    assert_eq!(
        boxed.iter().map(|b| b.tracker.as_str()).collect::<Vec<_>>(),
        ["ONLINE-1", "PAPER-1", "PAPER-2"]
    );
}
