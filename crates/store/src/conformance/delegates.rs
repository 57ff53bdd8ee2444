//! Conformance: delegate conferences.

use super::*;
use charter_domain::CardVote;
use charter_domain::DelegateRole;
use charter_domain::VoteChoice;

/// Delegate conferences: the apportionment is recorded once with every branch; a branch's
/// credentials stop at its share and a member holds one; a challenge is lodged once per
/// member and ruled once, an upheld one striking the credential; a substitute stands in only
/// for an absent delegate of their branch; a card vote counts each card once beside the show
/// of hands, refuses those holding no card and a second vote, and takes none once closed.
pub async fn delegates_are_apportioned_credentialed_and_vote_by_card(store: &dyn Store) {
    let o = org(store).await;
    let mut leeds = Vec::new();
    for (first, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@example.org"),
        ("Cat", "cat@example.org"),
        ("Dan", "dan@example.org"),
    ] {
        leeds.push(
            add(
                store,
                &new_member(first, "Leeds", email, "LS1 1AA", o.leeds),
            )
            .await,
        );
    }
    let [ann, ben, cat, dan] = leeds[..] else {
        unreachable!()
    };
    let york = add(
        store,
        &new_member("Yas", "York", "yas@example.org", "YO1 7HH", o.york),
    )
    .await;
    let invitees: Vec<NewInvitee> = [ann, ben, cat, dan, york]
        .iter()
        .map(|m| NewInvitee {
            member: *m,
            may_vote: true,
            address: format!("{}@example.org", m.0),
        })
        .collect();
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: "Annual conference".into(),
                starts_at: t(0),
                ends_at: t(0) + Duration::hours(8),
                mode: charter_domain::MeetingMode::Physical,
                place: Some("Hall".into()),
                online_url: None,
                agenda: "1. Motions".into(),
                notice_clause: None,
                notice_days: None,
                called_by: Some(ann),
                check_in_code: "CONF23".into(),
            },
            &invitees,
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    assert!(store.delegate_conference(meeting).await.unwrap().is_none());
    let apportionment = NewApportionment {
        meeting,
        clause: "6.8".into(),
        counted_on: d(2024, 9, 1),
        members_per_delegate: 2,
        minimum: 1,
        maximum: Some(10),
        substitutes: 1,
        card_vote: CardVote::SplitAmongPresent,
        credentials_due_at: t(-7 * 86_400),
        challenges_close_at: t(-3 * 86_400),
        ruled_by: "chair".into(),
        allocations: vec![
            Allocation {
                branch: o.leeds,
                paid_up: 5,
                delegates: 2,
            },
            Allocation {
                branch: o.york,
                paid_up: 1,
                delegates: 1,
            },
            Allocation {
                branch: o.brixton,
                paid_up: 0,
                delegates: 0,
            },
        ],
        apportioned_by: Some(ann),
    };
    let before = event_count(store).await;
    store
        .apportion_delegates(&apportionment, &event("delegates.apportioned", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    assert!(matches!(
        store
            .apportion_delegates(&apportionment, &event("delegates.apportioned", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        event_count(store).await,
        before + 1,
        "a refusal writes nothing"
    );
    let conf = store.delegate_conference(meeting).await.unwrap().unwrap();
    assert_eq!(
        (
            conf.clause.as_str(),
            conf.counted_on,
            conf.maximum,
            conf.substitutes
        ),
        ("6.8", d(2024, 9, 1), Some(10), 1)
    );
    assert_eq!(conf.card_vote, CardVote::SplitAmongPresent);
    let shares = store.delegate_allocations(meeting).await.unwrap();
    assert_eq!(
        shares
            .iter()
            .map(|a| (a.branch_name.as_str(), a.paid_up, a.delegates))
            .collect::<Vec<_>>(),
        [("Brixton", 0, 0), ("Leeds", 5, 2), ("York", 1, 1)]
    );

    let credential = |member: MemberId, branch: UnitId, role: &str| NewCredential {
        meeting,
        branch,
        member,
        name: format!("member {}", member.0),
        role: DelegateRole::parse(role).unwrap(),
        source: "elected at the branch meeting".into(),
        recorded_by: Some(ann),
    };
    let ev = || event("delegates.credentialed", "m");
    let c_ann = store
        .add_credential(&credential(ann, o.leeds, "delegate"), 2, &ev())
        .await
        .unwrap();
    let c_ben = store
        .add_credential(&credential(ben, o.leeds, "delegate"), 2, &ev())
        .await
        .unwrap();
    let before = event_count(store).await;
    let full = store
        .add_credential(&credential(cat, o.leeds, "delegate"), 2, &ev())
        .await;
    assert!(
        matches!(&full, Err(StoreError::Conflict { field, .. }) if field == "role"),
        "the branch's share is full: {full:?}"
    );
    let twice = store
        .add_credential(&credential(ann, o.leeds, "substitute"), 1, &ev())
        .await;
    assert!(
        matches!(&twice, Err(StoreError::Conflict { field, .. }) if field == "member"),
        "one credential a member: {twice:?}"
    );
    assert_eq!(event_count(store).await, before, "refusals write nothing");
    let c_cat = store
        .add_credential(&credential(cat, o.leeds, "substitute"), 1, &ev())
        .await
        .unwrap();
    let c_york = store
        .add_credential(&credential(york, o.york, "delegate"), 1, &ev())
        .await
        .unwrap();
    let shares = store.delegate_allocations(meeting).await.unwrap();
    let leeds_share = shares.iter().find(|a| a.branch == o.leeds).unwrap();
    assert_eq!(
        (leeds_share.named_delegates, leeds_share.named_substitutes),
        (2, 1)
    );
    let listed = store.delegate_credentials(meeting).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|c| (c.id, c.role.as_str()))
            .collect::<Vec<_>>(),
        [
            (c_ann, "delegate"),
            (c_ben, "delegate"),
            (c_cat, "substitute"),
            (c_york, "delegate")
        ]
    );

    // Challenges: once per member, ruled once; upheld strikes.
    let x1 = store
        .lodge_credential_challenge(c_ben, dan, "Ben's dues lapsed", &event("c", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .lodge_credential_challenge(c_ben, dan, "again", &event("c", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let x2 = store
        .lodge_credential_challenge(c_york, dan, "not elected", &event("c", "m"))
        .await
        .unwrap();
    store
        .rule_on_credential_challenge(
            x2,
            false,
            "minutes show the election",
            ann,
            &event("r", "m"),
        )
        .await
        .unwrap();
    store
        .rule_on_credential_challenge(x1, true, "dues had lapsed", ann, &event("r", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .rule_on_credential_challenge(x1, false, "changed my mind", ann, &event("r", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let ruled = store.credential_challenges(meeting).await.unwrap();
    assert_eq!(
        ruled
            .iter()
            .map(|x| (x.id, x.ruling.as_deref(), x.reason.as_deref()))
            .collect::<Vec<_>>(),
        [
            (x1, Some("upheld"), Some("dues had lapsed")),
            (x2, Some("rejected"), Some("minutes show the election"))
        ]
    );
    assert_eq!(
        store
            .delegate_credential(c_ben)
            .await
            .unwrap()
            .unwrap()
            .state,
        DelegateCredentialState::Struck
    );
    assert!(matches!(
        store
            .lodge_credential_challenge(c_ben, cat, "late", &event("c", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));

    // Check-in: a struck credential does not; a substitute stands in only for an absent
    // delegate of their own branch, once.
    let ci = || event("delegates.checked_in", "m");
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_ben, None, Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_cat, None, Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .check_in_delegate(meeting, c_cat, Some(c_york), Some(ann), &ci())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .check_in_delegate(meeting, c_york, None, Some(ann), &ci())
        .await
        .unwrap();
    store
        .check_in_delegate(meeting, c_cat, Some(c_ann), Some(ann), &ci())
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .check_in_delegate(meeting, c_ann, None, Some(ann), &ci())
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "someone already stands in for Ann"
    );
    let cat_line = store.delegate_credential(c_cat).await.unwrap().unwrap();
    assert!(cat_line.present);
    assert_eq!(cat_line.stands_for, Some(c_ann));

    // A card vote.
    let motion = store
        .propose_motion(
            &NewMotion {
                meeting,
                kind: "ordinary-motion".into(),
                title: "Restore the committees".into(),
                text: "Conference restores the elected committees.".into(),
                matter: None,
                position: None,
                requires: None,
                proposed_by: Some(york),
                seconded_by: None,
                parent: None,
                target: None,
                emergency: false,
            },
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let card = |member, credential, branch, card| Card {
        member,
        credential,
        branch,
        card,
    };
    let cards = [card(cat, c_cat, o.leeds, 5), card(york, c_york, o.york, 1)];
    let ballot = |member: MemberId, choice: &str, submission: &str| NewCardBallot {
        motion,
        member,
        choice: VoteChoice::parse(choice).unwrap(),
        submission: submission.into(),
    };
    assert!(matches!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .open_card_vote(
            motion,
            meeting,
            CardVote::SplitAmongPresent,
            &cards,
            Some(ann),
            &event("o", "m"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .open_card_vote(
                motion,
                meeting,
                CardVote::SplitAmongPresent,
                &cards,
                Some(ann),
                &event("o", "m")
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let before = event_count(store).await;
    assert_eq!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await
            .unwrap(),
        VoteReceipt::Recorded
    );
    assert_eq!(
        store
            .cast_card_vote(&ballot(cat, "for", "sub-cat-1"), &event("v", "m"))
            .await
            .unwrap(),
        VoteReceipt::AlreadyRecorded
    );
    assert!(matches!(
        store
            .cast_card_vote(&ballot(cat, "against", "sub-cat-2"), &event("v", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(
        matches!(
            store
                .cast_card_vote(&ballot(dan, "for", "sub-dan-1"), &event("v", "m"))
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "Dan holds no card"
    );
    assert_eq!(event_count(store).await, before + 1, "one vote, one event");
    store
        .cast_card_vote(&ballot(york, "against", "sub-yas-1"), &event("v", "m"))
        .await
        .unwrap();
    let open = store.card_vote(motion).await.unwrap().unwrap();
    assert_eq!((open.holders, open.cards_held), (2, 6));
    let closed = store
        .close_card_vote(motion, &event("c", "m"))
        .await
        .unwrap();
    assert!(closed.closed_at.is_some());
    assert_eq!(
        (closed.hands_for, closed.hands_against, closed.hands_abstain),
        (1, 1, 0)
    );
    assert_eq!(
        (closed.cards_for, closed.cards_against, closed.cards_abstain),
        (5, 1, 0)
    );
    assert!(matches!(
        store.close_card_vote(motion, &event("c", "m")).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .cast_card_vote(&ballot(york, "for", "sub-yas-2"), &event("v", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    let record = store.card_ballots(motion).await.unwrap();
    assert_eq!(
        record
            .iter()
            .map(|b| (b.member, b.choice.as_str(), b.card))
            .collect::<Vec<_>>(),
        [(cat, "for", 5), (york, "against", 1)]
    );
}
