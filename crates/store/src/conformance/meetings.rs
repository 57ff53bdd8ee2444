//! Conformance: meetings: notice, attendance, motions, procedure, minutes, agenda, polls, composites.

use super::*;
use charter_domain::MotionState;
use charter_domain::VoteChoice;
use charter_model::{AgendaItemId, CompositeId, LetterId, MeetingId, MotionId, PaperId};

/// Motions are seconded once and not by their proposer; an amendment names its motion and,
/// adopted, gives it a new wording kept beside the old; withdrawing a motion takes its
/// undecided amendments with it; wordings cannot be rewritten.
pub async fn motions_are_seconded_amended_and_withdrawn(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(86_400 * 20), &[]).await;
    let motion = |title: &str, text: &str, parent: Option<MotionId>| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: text.into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent,
        target: None,
        emergency: false,
    };
    let m1 = store
        .propose_motion(
            &motion("Delegates", "Send two delegates.", None),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let first = store.motion(m1).await.unwrap().unwrap();
    assert_eq!((first.parent, first.proposed_at), (None, t(0)));
    assert!(matches!(
        store
            .second_motion(m1, ann, &event("motion.seconded", "m"))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .second_motion(m1, ben, &event("motion.seconded", "m"))
        .await
        .unwrap();
    assert_eq!(
        store.motion(m1).await.unwrap().unwrap().seconded_by,
        Some(ben)
    );
    assert!(matches!(
        store
            .second_motion(m1, ben, &event("motion.seconded", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .propose_motion(
                &motion(
                    "Stray",
                    "Amends nothing here.",
                    Some(MotionId(m1.0 + 1_000))
                ),
                &event("motion.proposed", "m"),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let a1 = store
        .propose_motion(
            &motion("Three delegates", "Send three delegates.", Some(m1)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let a2 = store
        .propose_motion(
            &motion("Four delegates", "Send four delegates.", Some(a1)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    assert_eq!(store.motion(a2).await.unwrap().unwrap().parent, Some(a1));
    let outcome = |state: MotionState| MotionOutcome {
        state,
        votes_for: 5,
        votes_against: 1,
        abstentions: 0,
        present: 6,
        failures_json: "[]".into(),
    };
    store
        .decide_motion(
            a2,
            &outcome(MotionState::Rejected),
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    store
        .decide_motion(
            a1,
            &outcome(MotionState::Adopted),
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let amended = store.motion(m1).await.unwrap().unwrap();
    assert_eq!(
        (amended.text.as_str(), amended.state.as_str()),
        ("Send three delegates.", "proposed")
    );
    let versions = store.motion_versions(m1).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.text.as_str(), v.amendment))
            .collect::<Vec<_>>(),
        [
            (1, "Send two delegates.", None),
            (2, "Send three delegates.", Some(a1))
        ]
    );
    assert_eq!(store.motion_versions(a2).await.unwrap().len(), 1);

    // A second motion, amended but withdrawn before its vote: the amendment falls with it.
    let m2 = store
        .propose_motion(
            &motion("Fund", "Set up a fund.", None),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let a3 = store
        .propose_motion(
            &motion("Bigger fund", "Set up a bigger fund.", Some(m2)),
            &event("motion.proposed", "m"),
        )
        .await
        .unwrap();
    let mut fallen = store
        .withdraw_motion(m2, &event("motion.withdrawn", "m"))
        .await
        .unwrap();
    fallen.sort_unstable();
    assert_eq!(fallen, [m2, a3]);
    assert_eq!(
        store.motion(a3).await.unwrap().unwrap().state,
        MotionState::Withdrawn
    );
    assert!(matches!(
        store
            .withdraw_motion(m2, &event("motion.withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .propose_motion(
                &motion("Late", "Amend the withdrawn.", Some(m2)),
                &event("motion.proposed", "m"),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    // Once voting opens, the motion is the meeting's: it can no longer be withdrawn.
    store
        .open_poll(m1, "named", Some(ann), &event("motion.poll_opened", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_motion(m1, &event("motion.withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
}

/// An adopted procedural motion or rescission has its effect in the same transaction: an
/// emergency motion admitted, a motion set aside, a decision rescinded, the meeting
/// adjourned; one whose target can no longer take it changes nothing.
pub async fn procedural_motions_take_effect_when_adopted(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(0), &[]).await;
    let propose = |kind: &str, target: Option<i64>, emergency: bool| {
        let m = NewMotion {
            meeting: id,
            kind: kind.into(),
            title: kind.into(),
            text: format!("That {kind}."),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(ann),
            seconded_by: None,
            parent: None,
            target: target.map(MotionId),
            emergency,
        };
        async move {
            store
                .propose_motion(&m, &event("motion.proposed", "m"))
                .await
                .unwrap()
        }
    };
    let decide = |motion: MotionId, state: MotionState| async move {
        store
            .decide_motion(
                motion,
                &MotionOutcome {
                    state,
                    votes_for: 5,
                    votes_against: 1,
                    abstentions: 0,
                    present: 6,
                    failures_json: "[]".into(),
                },
                &event("motion.decided", "m"),
            )
            .await
    };
    let late = propose("ordinary-motion", None, true).await;
    let got = store.motion(late).await.unwrap().unwrap();
    assert!(got.emergency && got.admitted_by.is_none() && got.target.is_none());
    let admit = propose("admit-emergency-motion", Some(late.0), false).await;
    // Motions of one kind, across meetings, are read in one go.
    let of_kind: Vec<MotionId> = store
        .motions_of_kind("admit-emergency-motion")
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(of_kind, [admit]);
    assert!(
        store
            .motions_of_kind("dissolve-body")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.motion(admit).await.unwrap().unwrap().target,
        Some(late)
    );
    decide(admit, MotionState::Adopted).await.unwrap();
    assert_eq!(
        store.motion(late).await.unwrap().unwrap().admitted_by,
        Some(admit)
    );
    let skip = propose("next-business", Some(late.0), false).await;
    decide(skip, MotionState::Adopted).await.unwrap();
    let set_aside = store.motion(late).await.unwrap().unwrap();
    assert_eq!(
        (set_aside.set_aside_by, set_aside.state.as_str()),
        (Some(skip), "proposed")
    );
    // Referring back what is already set aside takes no effect: nothing changes.
    let again = propose("refer-back", Some(late.0), false).await;
    assert!(matches!(
        decide(again, MotionState::Adopted).await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.motion(again).await.unwrap().unwrap().state,
        MotionState::Proposed
    );
    // A rejected procedural motion has no effect.
    let decided = propose("ordinary-motion", None, false).await;
    decide(decided, MotionState::Adopted).await.unwrap();
    let undo = propose("rescind", Some(decided.0), false).await;
    decide(undo, MotionState::Adopted).await.unwrap();
    assert_eq!(
        store.motion(decided).await.unwrap().unwrap().set_aside_by,
        Some(undo)
    );
    let stop = propose("adjourn", None, false).await;
    decide(stop, MotionState::Rejected).await.unwrap();
    assert_eq!(store.meeting(id).await.unwrap().unwrap().adjourned_by, None);
    let stop = propose("adjourn", None, false).await;
    decide(stop, MotionState::Adopted).await.unwrap();
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().adjourned_by,
        Some(stop)
    );
}

/// Minutes are a draft until a later meeting adopts the motion approving them; then they
/// are final.
pub async fn minutes_are_final_once_approved(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let mut ids = Vec::new();
    for start in [0, 86_400 * 30] {
        ids.push(brixton_meeting(store, o.brixton, ann, t(start), &[]).await);
    }
    let (march, april) = (ids[0], ids[1]);
    assert!(store.minutes(march).await.unwrap().is_none());
    let approve = NewMotion {
        meeting: april,
        kind: "ordinary-motion".into(),
        title: "Minutes of March".into(),
        text: "That the minutes of March be approved.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    assert!(matches!(
        store
            .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .save_minutes(
            march,
            "Draft one.",
            Some(ann),
            &event("minutes.drafted", "m"),
        )
        .await
        .unwrap();
    store
        .save_minutes(
            march,
            "Draft two.",
            Some(ann),
            &event("minutes.drafted", "m"),
        )
        .await
        .unwrap();
    let draft = store.minutes(march).await.unwrap().unwrap();
    assert_eq!(
        (draft.text.as_str(), draft.state.as_str()),
        ("Draft two.", "draft")
    );
    let motion = store
        .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
        .await
        .unwrap();
    assert_eq!(
        store.minutes(march).await.unwrap().unwrap().approval_motion,
        Some(motion)
    );
    assert!(matches!(
        store
            .put_minutes_for_approval(march, &approve, &event("minutes.put", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    store
        .decide_motion(
            motion,
            &MotionOutcome {
                state: MotionState::Adopted,
                votes_for: 5,
                votes_against: 0,
                abstentions: 0,
                present: 5,
                failures_json: "[]".into(),
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let approved = store.minutes(march).await.unwrap().unwrap();
    assert_eq!(approved.state, MinutesState::Approved);
    assert_eq!(approved.approved_at, Some(t(0)));
    assert!(matches!(
        store
            .save_minutes(
                march,
                "Rewritten.",
                Some(ann),
                &event("minutes.drafted", "m")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.minutes(march).await.unwrap().unwrap().text,
        "Draft two."
    );
}

/// A meeting's agenda items are numbered in order, reworded and moved until the meeting
/// starts, then fixed; papers are kept whole with their hash, withdrawn but never removed;
/// an item with a paper in circulation stays on the agenda; every change is one event and
/// every refusal none.
pub async fn agenda_items_and_papers_are_kept_for_the_record(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let starts = t(86_400 * 20);
    let id = brixton_meeting(store, o.brixton, ann, starts, &[]).await;
    let other = brixton_meeting(store, o.brixton, ann, t(86_400 * 40), &[]).await;
    let before = event_count(store).await;
    let item = |meeting: MeetingId, title: &str| NewAgendaItem {
        meeting,
        title: title.into(),
        description: Some(format!("{title}: introduced by the secretary")),
        added_by: Some(ann),
    };
    let mut ids = Vec::new();
    for title in ["Apologies", "Delegates", "Any other business"] {
        ids.push(
            store
                .add_agenda_item(&item(id, title), &event("agenda.item_added", "m"))
                .await
                .unwrap(),
        );
    }
    let (apologies, delegates, aob) = (ids[0], ids[1], ids[2]);
    let elsewhere = store
        .add_agenda_item(&item(other, "Elsewhere"), &event("agenda.item_added", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_agenda_item(
                &item(MeetingId(other.0 + 99), "Nowhere"),
                &event("agenda.item_added", "m")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let numbered = |items: &[AgendaItemRecord]| -> Vec<(Option<i64>, String)> {
        items.iter().map(|i| (i.number, i.title.clone())).collect()
    };
    let agenda = store.agenda(id).await.unwrap();
    assert_eq!(
        numbered(&agenda),
        vec![
            (Some(1), "Apologies".to_string()),
            (Some(2), "Delegates".to_string()),
            (Some(3), "Any other business".to_string()),
        ]
    );
    assert_eq!(agenda[1].meeting, id);
    assert_eq!(
        agenda[1].description.as_deref(),
        Some("Delegates: introduced by the secretary")
    );
    assert_eq!((agenda[1].added_at, agenda[1].added_by), (t(0), Some(ann)));
    assert_eq!(
        numbered(&store.agenda(other).await.unwrap()),
        vec![(Some(1), "Elsewhere".to_string())],
        "each meeting numbers its own items"
    );
    assert_eq!(event_count(store).await, before + 4);

    // Reworded and moved to the top; the others keep their order around it.
    store
        .change_agenda_item(
            delegates,
            &AgendaItemChange {
                title: "Delegates to conference".into(),
                description: None,
                position: Some(1),
            },
            &event("agenda.item_changed", "m"),
        )
        .await
        .unwrap();
    store
        .change_agenda_item(
            aob,
            &AgendaItemChange {
                title: "Any other business".into(),
                description: None,
                position: Some(3),
            },
            &event("agenda.item_changed", "m"),
        )
        .await
        .unwrap();
    let agenda = store.agenda(id).await.unwrap();
    assert_eq!(
        numbered(&agenda),
        vec![
            (Some(1), "Delegates to conference".to_string()),
            (Some(2), "Apologies".to_string()),
            (Some(3), "Any other business".to_string()),
        ]
    );
    assert_eq!(agenda[0].description, None);
    let events = event_count(store).await;
    for place in [0, 4, -1] {
        let r = store
            .change_agenda_item(
                apologies,
                &AgendaItemChange {
                    title: "Moved nowhere".into(),
                    description: None,
                    position: Some(place),
                },
                &event("agenda.item_changed", "m"),
            )
            .await;
        assert!(
            matches!(&r, Err(StoreError::Conflict { field, .. }) if field == "position"),
            "position {place}: {r:?}"
        );
    }
    assert!(matches!(
        store
            .change_agenda_item(
                AgendaItemId(aob.0 + 99),
                &AgendaItemChange {
                    title: "x".into(),
                    description: None,
                    position: None,
                },
                &event("agenda.item_changed", "m"),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        numbered(&store.agenda(id).await.unwrap()),
        numbered(&agenda),
        "a refused move changes nothing"
    );
    assert_eq!(event_count(store).await, events);

    // A paper, kept whole with its hash.
    let content = b"%PDF-1.4\n% the delegates' report\n".to_vec();
    let sha = "a".repeat(64);
    let paper = |item: AgendaItemId| NewPaper {
        item,
        filename: "delegates-report.pdf".into(),
        content_type: "application/pdf".into(),
        sha256: sha.clone(),
        content: content.clone(),
        circulated_by: Some(ann),
    };
    let p1 = store
        .circulate_paper(&paper(delegates), &event("agenda.paper_circulated", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .circulate_paper(
                &paper(AgendaItemId(aob.0 + 99)),
                &event("agenda.paper_circulated", "m")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let record = store.paper(p1).await.unwrap().unwrap();
    assert_eq!(
        (
            record.item,
            record.meeting,
            record.filename.as_str(),
            record.content_type.as_str(),
            record.size,
            record.sha256.as_str(),
        ),
        (
            delegates,
            id,
            "delegates-report.pdf",
            "application/pdf",
            i64::try_from(content.len()).unwrap(),
            sha.as_str(),
        )
    );
    assert_eq!(
        (
            record.circulated_at,
            record.circulated_by,
            record.withdrawn_at
        ),
        (t(0), Some(ann), None)
    );
    let (again, bytes) = store.paper_content(p1).await.unwrap().unwrap();
    assert_eq!((again, bytes), (record.clone(), content.clone()));
    assert!(store.paper(PaperId(p1.0 + 99)).await.unwrap().is_none());
    assert!(
        store
            .paper_content(PaperId(p1.0 + 99))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.agenda(id).await.unwrap()[0].papers,
        vec![record.clone()],
        "the agenda lists the item's papers"
    );

    // An item with a paper in circulation stays; once withdrawn (kept), it may go.
    let events = event_count(store).await;
    let r = store
        .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
        .await;
    assert!(
        matches!(&r, Err(StoreError::Conflict { field, .. }) if field == "item"),
        "{r:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .withdraw_paper(p1, Some(ann), &event("agenda.paper_withdrawn", "m"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .withdraw_paper(p1, Some(ann), &event("agenda.paper_withdrawn", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .withdraw_paper(
                PaperId(p1.0 + 99),
                Some(ann),
                &event("agenda.paper_withdrawn", "m")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let withdrawn = store.paper(p1).await.unwrap().unwrap();
    assert_eq!(
        (withdrawn.withdrawn_at, withdrawn.withdrawn_by),
        (Some(t(0)), Some(ann))
    );
    store
        .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 2);
    assert_eq!(
        numbered(&store.agenda(id).await.unwrap()),
        vec![
            (Some(1), "Apologies".to_string()),
            (Some(2), "Any other business".to_string()),
        ],
        "the items after it move up"
    );
    let removed = store.agenda_item(delegates).await.unwrap().unwrap();
    assert_eq!((removed.number, removed.removed_at), (None, Some(t(0))));
    assert_eq!(
        removed.papers,
        vec![withdrawn.clone()],
        "kept for the record"
    );
    assert_eq!(
        store.paper_content(p1).await.unwrap().unwrap().1,
        content,
        "a withdrawn paper keeps its content"
    );
    for r in [
        store
            .remove_agenda_item(delegates, &event("agenda.item_removed", "m"))
            .await,
        store
            .change_agenda_item(
                delegates,
                &AgendaItemChange {
                    title: "Back again".into(),
                    description: None,
                    position: None,
                },
                &event("agenda.item_changed", "m"),
            )
            .await,
        store
            .circulate_paper(&paper(delegates), &event("agenda.paper_circulated", "m"))
            .await
            .map(|_| ()),
    ] {
        assert!(matches!(r, Err(StoreError::Stale(_))), "{r:?}");
    }
    assert!(
        store
            .agenda_item(AgendaItemId(aob.0 + 99))
            .await
            .unwrap()
            .is_none()
    );

    // From the start the items are fixed; papers still circulate until the end.
    let events = event_count(store).await;
    let during = starts + Duration::minutes(30);
    let after = starts + Duration::hours(3);
    for r in [
        store
            .add_agenda_item(
                &item(id, "Late item"),
                &event_at("agenda.item_added", starts),
            )
            .await
            .map(|_| ()),
        store
            .change_agenda_item(
                apologies,
                &AgendaItemChange {
                    title: "Apologies".into(),
                    description: None,
                    position: Some(2),
                },
                &event_at("agenda.item_changed", during),
            )
            .await,
        store
            .remove_agenda_item(aob, &event_at("agenda.item_removed", during))
            .await,
    ] {
        assert!(matches!(r, Err(StoreError::Stale(_))), "{r:?}");
    }
    assert_eq!(event_count(store).await, events);
    let tabled = store
        .circulate_paper(&paper(aob), &event_at("agenda.paper_circulated", during))
        .await
        .unwrap();
    assert_eq!(
        store.paper(tabled).await.unwrap().unwrap().circulated_at,
        during
    );
    assert!(matches!(
        store
            .circulate_paper(&paper(aob), &event_at("agenda.paper_circulated", after))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .withdraw_paper(tabled, None, &event_at("agenda.paper_withdrawn", after))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        store.agenda(other).await.unwrap()[0].id,
        elsewhere,
        "the other meeting's agenda is untouched"
    );
}

/// Electronic votes: only members checked in with a vote cast one, once; the same submission
/// again changes nothing; a secret vote keeps no choice with its voter; a closed poll
/// takes no more.
pub async fn polls_count_each_present_voter_once(store: &dyn Store) {
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
    let [ann, ben, cat, dan, eve] = members[..] else {
        unreachable!()
    };
    let invitees: Vec<NewInvitee> = members
        .iter()
        .map(|m| NewInvitee {
            member: *m,
            may_vote: *m != cat,
            address: format!("{}@example.org", m.0),
        })
        .collect();
    let id = brixton_meeting(store, o.brixton, ann, t(0), &invitees).await;
    for m in [ann, ben, cat, eve] {
        store
            .check_in(id, m, None, &event("meeting.checked_in", "m"))
            .await
            .unwrap();
    }
    let motion = |title: &str| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: Some(ann),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    let named = store
        .propose_motion(&motion("Named"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let secret = store
        .propose_motion(&motion("Secret"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let vote = |motion: MotionId, member: MemberId, choice: &str, submission: &str| NewVote {
        motion,
        member,
        choice: VoteChoice::parse(choice).unwrap(),
        submission: submission.into(),
    };
    assert!(matches!(
        store.cast_vote(&vote(named, ann, "for", "a1"), t(60)).await,
        Err(StoreError::NotFound(_))
    ));
    let events = event_count(store).await;
    store
        .open_poll(named, "named", Some(ann), &event("motion.poll_opened", "m"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    assert!(matches!(
        store
            .open_poll(
                named,
                "secret",
                Some(ann),
                &event("motion.poll_opened", "m")
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let p = store.poll(named).await.unwrap().unwrap();
    assert_eq!((p.mode.as_str(), p.voted, p.closed_at), ("named", 0, None));

    // Eight sends of one vote at once (a double tap, a retry): counted once.
    let same = vote(named, ann, "for", "a1");
    let (r1, r2, r3, r4, r5, r6, r7, r8) = tokio::join!(
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
        store.cast_vote(&same, t(60)),
    );
    let receipts = [r1, r2, r3, r4, r5, r6, r7, r8].map(Result::unwrap);
    assert_eq!(
        receipts
            .iter()
            .filter(|r| **r == VoteReceipt::Recorded)
            .count(),
        1,
        "{receipts:?}"
    );
    let changed_mind = store
        .cast_vote(&vote(named, ann, "against", "a2"), t(61))
        .await;
    assert!(
        matches!(changed_mind, Err(StoreError::Conflict { .. })),
        "{changed_mind:?}"
    );
    for (who, why) in [(cat, "not a voter"), (dan, "not checked in")] {
        let r = store.cast_vote(&vote(named, who, "for", "x"), t(62)).await;
        assert!(
            matches!(r, Err(StoreError::Conflict { .. })),
            "{why}: {r:?}"
        );
    }
    assert_eq!(
        store
            .cast_vote(&vote(named, ben, "against", "b1"), t(63))
            .await
            .unwrap(),
        VoteReceipt::Recorded
    );
    assert_eq!(
        store.my_vote(named, ann).await.unwrap(),
        Some(("a1".to_string(), Some("for".to_string())))
    );
    assert_eq!(store.my_vote(named, eve).await.unwrap(), None);
    let logged = store.access_log(ben, 1, 50).await.unwrap().total;
    let names = store
        .named_votes(named, &reader(ann, "named vote", t(64)))
        .await
        .unwrap();
    assert_eq!(
        names
            .iter()
            .map(|(m, _, _, c)| (*m, c.as_str()))
            .collect::<Vec<_>>(),
        [(ann, "for"), (ben, "against")]
    );
    assert_eq!(
        store.access_log(ben, 1, 50).await.unwrap().total,
        logged + 1
    );
    let closed = store
        .close_poll(named, &event("motion.poll_closed", "m"))
        .await
        .unwrap();
    assert_eq!(
        (
            closed.voted,
            closed.votes_for,
            closed.votes_against,
            closed.abstentions
        ),
        (2, 1, 1, 0)
    );
    assert!(closed.closed_at.is_some());
    assert!(matches!(
        store.cast_vote(&vote(named, eve, "for", "e1"), t(65)).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        store
            .close_poll(named, &event("motion.poll_closed", "m"))
            .await,
        Err(StoreError::Stale(_))
    ));

    // A secret poll: the voters are known, their choices only counted.
    store
        .open_poll(
            secret,
            "secret",
            Some(ann),
            &event("motion.poll_opened", "m"),
        )
        .await
        .unwrap();
    for (who, choice, sub) in [
        (ann, "for", "s1"),
        (ben, "for", "s2"),
        (eve, "abstain", "s3"),
    ] {
        store
            .cast_vote(&vote(secret, who, choice, sub), t(70))
            .await
            .unwrap();
    }
    assert_eq!(
        store.my_vote(secret, eve).await.unwrap(),
        Some(("s3".to_string(), None))
    );
    assert!(
        store
            .named_votes(secret, &reader(ann, "named vote", t(71)))
            .await
            .unwrap()
            .is_empty()
    );
    let p = store.poll(secret).await.unwrap().unwrap();
    assert_eq!((p.voted, p.votes_for, p.abstentions), (3, 2, 1));
    store
        .close_poll(secret, &event("motion.poll_closed", "m"))
        .await
        .unwrap();
    store
        .decide_motion(
            secret,
            &MotionOutcome {
                state: MotionState::Adopted,
                votes_for: 2,
                votes_against: 0,
                abstentions: 1,
                present: 3,
                failures_json: "[]".into(),
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .open_poll(
                secret,
                "named",
                Some(ann),
                &event("motion.poll_opened", "m")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
}

pub async fn meetings_notices_attendance_and_motions(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let cat = add(
        store,
        &new_member("Cat", "Ng", "cat@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let meeting = NewMeeting {
        body: "branch-meeting".into(),
        unit: Some(o.brixton),
        kind: "general-meeting".into(),
        title: "Brixton general meeting".into(),
        starts_at: t(86_400 * 20),
        ends_at: t(86_400 * 20 + 7_200),
        mode: charter_domain::MeetingMode::Hybrid,
        place: Some("Library".into()),
        online_url: Some("https://meet.example.org/brixton".into()),
        agenda: "1. The new constitution".into(),
        notice_clause: Some("8.1".into()),
        notice_days: Some(14),
        called_by: Some(ann),
        check_in_code: "ABC234".into(),
    };
    let invitees = [
        NewInvitee {
            member: ann,
            may_vote: true,
            address: "ann@example.org".into(),
        },
        NewInvitee {
            member: ben,
            may_vote: false,
            address: "ben@example.org".into(),
        },
    ];
    let notice = NoticeText {
        subject: "Notice".into(),
        body: "Come".into(),
    };
    let events = event_count(store).await;
    let id = store
        .call_meeting(
            &meeting,
            &invitees,
            &notice,
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    let m = store.meeting(id).await.unwrap().unwrap();
    assert_eq!((m.entitled, m.state.as_str()), (2, "called"));
    assert_eq!(m.notice_days, Some(14));
    assert!(m.notice_complete_at.is_none());
    assert_eq!(
        store.meetings(Some(o.brixton), None).await.unwrap().len(),
        1
    );
    assert!(
        store
            .meetings(Some(o.leeds), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .meetings(None, Some(t(86_400 * 30)))
            .await
            .unwrap()
            .is_empty()
    );
    // The check-in code is kept with the meeting and replaced as one change.
    assert_eq!(
        store.check_in_code(id).await.unwrap().as_deref(),
        Some("ABC234")
    );
    let events = event_count(store).await;
    store
        .replace_check_in_code(id, "XYZ789", &event("meeting.check_in_code", "meeting"))
        .await
        .unwrap();
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        store.check_in_code(id).await.unwrap().as_deref(),
        Some("XYZ789")
    );
    assert!(matches!(
        store.check_in_code(MeetingId(id.0 + 99)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .replace_check_in_code(
                MeetingId(id.0 + 99),
                "XYZ789",
                &event("meeting.check_in_code", "m")
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        event_count(store).await,
        events + 1,
        "nothing kept of a failure"
    );
    assert_eq!(store.invitee(id, ann).await.unwrap(), Some(true));
    assert_eq!(store.invitee(id, ben).await.unwrap(), Some(false));
    assert_eq!(store.invitee(id, cat).await.unwrap(), None);
    assert_eq!(
        store
            .meetings_for(ben)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [id]
    );
    assert!(store.meetings_for(cat).await.unwrap().is_empty());
    let contacts = store.member_contacts(&[ben, ann]).await.unwrap();
    assert_eq!(
        contacts,
        [
            (ann, "Ann".to_string(), "ann@example.org".to_string()),
            (ben, "Ben".to_string(), "ben@example.org".to_string())
        ]
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 2,
            sent: 0,
            failed: 0
        }
    );

    // The outbox: nothing is due before its time; a claim leases; deliveries settle notice.
    assert!(
        store
            .claim_outbox(t(-1), t(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = store.claim_outbox(t(5), t(65), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].address, "ann@example.org");
    assert!(
        store
            .claim_outbox(t(6), t(66), 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    store
        .record_delivery(claimed[0].id, &Delivery::Sent, t(7))
        .await
        .unwrap();
    store
        .record_delivery(
            claimed[1].id,
            &Delivery::Retry {
                at: t(100),
                error: "451 try later".into(),
            },
            t(7),
        )
        .await
        .unwrap();
    assert!(
        store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .notice_complete_at
            .is_none()
    );
    let again = store.claim_outbox(t(101), t(160), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    store
        .record_delivery(again[0].id, &Delivery::Sent, t(102))
        .await
        .unwrap();
    let twice = store
        .record_delivery(again[0].id, &Delivery::Sent, t(103))
        .await;
    assert!(matches!(twice, Err(StoreError::Stale(_))), "{twice:?}");
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().notice_complete_at,
        Some(t(102))
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 0,
            sent: 2,
            failed: 0
        }
    );

    // Attendance: invitees only, once each.
    store
        .check_in(id, ann, None, &event("meeting.checked_in", "m"))
        .await
        .unwrap();
    let dup = store
        .check_in(id, ann, None, &event("meeting.checked_in", "m"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict { .. })), "{dup:?}");
    let stranger = store
        .check_in(id, cat, None, &event("meeting.checked_in", "m"))
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound(_))),
        "{stranger:?}"
    );
    store
        .check_in(id, ben, Some(ann), &event("meeting.checked_in", "m"))
        .await
        .unwrap();
    assert_eq!(store.attendance(id).await.unwrap(), (2, 1));
    assert!(store.attended(id, ben).await.unwrap());
    assert!(!store.attended(id, cat).await.unwrap());
    assert_eq!(store.voters(id).await.unwrap(), 1);
    assert_eq!(store.meeting_voters(id).await.unwrap(), [ann]);

    // Motions: numbered in order, decided once, published only when adopted.
    let motion = |title: &str| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution.".into(),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: None,
        proposed_by: Some(ann),
        seconded_by: Some(ben),
        parent: None,
        target: None,
        emergency: false,
    };
    let m1 = store
        .propose_motion(&motion("Oppose"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let m2 = store
        .propose_motion(&motion("Second"), &event("motion.proposed", "m"))
        .await
        .unwrap();
    let listed = store.motions(id).await.unwrap();
    assert_eq!(listed.iter().map(|m| m.number).collect::<Vec<_>>(), [1, 2]);
    let early = store
        .publish_motion(m1, &event("motion.published", "m"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    let adopted = MotionOutcome {
        state: MotionState::Adopted,
        votes_for: 1,
        votes_against: 0,
        abstentions: 0,
        present: 2,
        failures_json: "[]".into(),
    };
    store
        .decide_motion(m1, &adopted, &event("motion.decided", "m"))
        .await
        .unwrap();
    let again = store
        .decide_motion(m1, &adopted, &event("motion.decided", "m"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    store
        .decide_motion(
            m2,
            &MotionOutcome {
                state: MotionState::NotBinding,
                failures_json: "[[\"8.1\",\"too little notice\"]]".into(),
                ..adopted.clone()
            },
            &event("motion.decided", "m"),
        )
        .await
        .unwrap();
    let d1 = store.motion(m1).await.unwrap().unwrap();
    assert_eq!(
        (d1.state.as_str(), d1.votes_for, d1.present),
        ("adopted", Some(1), Some(2))
    );
    assert!(d1.decided_at.is_some() && !d1.published);
    store
        .publish_motion(m1, &event("motion.published", "m"))
        .await
        .unwrap();
    let not_adopted = store
        .publish_motion(m2, &event("motion.published", "m"))
        .await;
    assert!(
        matches!(not_adopted, Err(StoreError::Stale(_))),
        "{not_adopted:?}"
    );
    let published = store
        .published_motions(Some("constitution-2017"))
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].motion.id, m1);
    assert_eq!(published[0].unit, Some(o.brixton));
    assert_eq!(published[0].meeting_title, "Brixton general meeting");
    assert!(
        store
            .published_motions(Some("other"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.motion(MotionId(m1.0 + 100)).await.unwrap().is_none());
}

pub async fn letters_settle_in_bulk(store: &dyn Store) {
    let o = org(store).await;
    let mut invitees = Vec::new();
    for (i, first) in ["Ann", "Ben", "Cat"].iter().enumerate() {
        let address = format!("{}@example.org", first.to_lowercase());
        let member = add(
            store,
            &new_member(first, "Bulk", &address, "SE1 7PB", o.brixton),
        )
        .await;
        invitees.push(NewInvitee {
            member,
            may_vote: i != 1,
            address,
        });
    }
    let meeting = NewMeeting {
        body: "branch-meeting".into(),
        unit: Some(o.brixton),
        kind: "general-meeting".into(),
        title: "Brixton general meeting".into(),
        starts_at: t(86_400 * 20),
        ends_at: t(86_400 * 20 + 7_200),
        mode: charter_domain::MeetingMode::Physical,
        place: Some("Library".into()),
        online_url: None,
        agenda: "1. Business".into(),
        notice_clause: Some("8.1".into()),
        notice_days: Some(14),
        called_by: None,
        check_in_code: "BLK234".into(),
    };
    let notice = NoticeText {
        subject: "Notice".into(),
        body: "Come".into(),
    };
    let id = store
        .call_meeting(
            &meeting,
            &invitees,
            &notice,
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap();
    let claimed = store.claim_outbox(t(5), t(65), 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let mut ids: Vec<LetterId> = claimed.iter().map(|m| m.id).collect();
    // Settling two first leaves notice incomplete; an unknown id is passed over.
    assert_eq!(store.record_sent(&ids[..2], t(7)).await.unwrap(), 2);
    assert!(
        store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .notice_complete_at
            .is_none()
    );
    ids.push(LetterId(ids.iter().max().unwrap().0 + 1_000));
    assert_eq!(
        store.record_sent(&ids, t(9)).await.unwrap(),
        1,
        "only the one still queued is recorded"
    );
    assert_eq!(
        store.meeting(id).await.unwrap().unwrap().notice_complete_at,
        Some(t(9))
    );
    assert_eq!(
        store.notice_progress(id).await.unwrap(),
        NoticeProgress {
            queued: 0,
            sent: 3,
            failed: 0
        }
    );
    assert_eq!(store.record_sent(&[], t(10)).await.unwrap(), 0);
}

/// A composite is formed only when every mover consents: the last consent adds it as a motion
/// and sets its parts aside in one change; a mover's refusal leaves the parts as they were;
/// a motion sits in one pending composite at a time; composites are kept.
pub async fn composites_form_on_every_movers_consent(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.brixton),
    )
    .await;
    let id = brixton_meeting(store, o.brixton, ann, t(86_400 * 20), &[]).await;
    let motion = |title: &str, by: MemberId| NewMotion {
        meeting: id,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: format!("{title}, in full."),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: None,
        proposed_by: Some(by),
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    };
    let mut parts = Vec::new();
    for (title, by) in [("Oppose it", ann), ("Repeal it", ben), ("Reject it", ben)] {
        parts.push(
            store
                .propose_motion(&motion(title, by), &event("motion.proposed", "m"))
                .await
                .unwrap(),
        );
    }
    let composite = |parts: Vec<MotionId>| NewComposite {
        meeting: id,
        title: "Composite A".into(),
        text: "Oppose and repeal it.".into(),
        parts,
        proposed_by: Some(ann),
    };
    // Declined: the parts stand, and may be composited again.
    let first = store
        .propose_composite(
            &composite(vec![parts[1], parts[2]]),
            &event("composite.proposed", "c"),
        )
        .await
        .unwrap();
    let busy = store
        .propose_composite(
            &composite(vec![parts[0], parts[2]]),
            &event("composite.proposed", "c"),
        )
        .await;
    assert!(matches!(busy, Err(StoreError::Stale(_))), "{busy:?}");
    store
        .decline_composite(first, &event("composite.declined", "c"))
        .await
        .unwrap();
    let again = store
        .decline_composite(first, &event("composite.declined", "c"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(
        store.composite(first).await.unwrap().unwrap().state,
        CompositeState::Declined
    );

    let cid = store
        .propose_composite(&composite(parts.clone()), &event("composite.proposed", "c"))
        .await
        .unwrap();
    let formed = NewMotion {
        title: "Composite A".into(),
        text: "Oppose and repeal it.".into(),
        seconded_by: Some(ben),
        ..motion("Composite A", ann)
    };
    let consent = |part: i64, by: MemberId| {
        let formed = formed.clone();
        async move {
            store
                .consent_to_composite(
                    cid,
                    MotionId(part),
                    by,
                    &formed,
                    &event("composite.consented", "c"),
                    &event("motion.composited", "c"),
                )
                .await
        }
    };
    assert_eq!(consent(parts[0].0, ann).await.unwrap(), None);
    let twice = consent(parts[0].0, ann).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    assert_eq!(consent(parts[1].0, ben).await.unwrap(), None);
    let before = store.motions(id).await.unwrap().len();
    let events = event_count(store).await;
    let made = consent(parts[2].0, ben).await.unwrap().expect("formed");
    assert_eq!(
        event_count(store).await,
        events + 2,
        "the consent and the forming"
    );
    let motions = store.motions(id).await.unwrap();
    assert_eq!(motions.len(), before + 1);
    let new = motions.iter().find(|m| m.id == made).unwrap();
    assert_eq!(
        (
            new.state.as_str(),
            new.proposed_by,
            new.seconded_by,
            new.number
        ),
        ("proposed", Some(ann), Some(ben), 4)
    );
    assert_eq!(new.text, "Oppose and repeal it.");
    for p in &parts {
        let m = motions.iter().find(|m| m.id == *p).unwrap();
        assert_eq!((m.state.as_str(), m.set_aside_by), ("proposed", Some(made)));
    }
    let c = store.composite(cid).await.unwrap().unwrap();
    assert_eq!((c.state.as_str(), c.motion), ("formed", Some(made)));
    assert_eq!(
        c.parts
            .iter()
            .map(|p| (p.motion, p.consented_by))
            .collect::<Vec<_>>(),
        vec![
            (parts[0], Some(ann)),
            (parts[1], Some(ben)),
            (parts[2], Some(ben))
        ]
    );
    assert_eq!(store.composites(id).await.unwrap().len(), 2);
    assert!(
        store
            .composite(CompositeId(cid.0 + 99))
            .await
            .unwrap()
            .is_none()
    );
    // Set-aside motions cannot be composited again.
    let late = store
        .propose_composite(
            &composite(vec![parts[0], parts[1]]),
            &event("composite.proposed", "c"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
}
