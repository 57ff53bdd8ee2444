//! Conformance: requisitions and their reminders.

use super::*;
use charter_domain::MotionState;
use charter_model::{MeetingId, RequisitionId};

pub async fn requisitions_collect_signatures_and_are_answered(store: &dyn Store) {
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
    let id = store
        .open_requisition(
            &NewRequisition {
                kind: "special-conference".into(),
                title: "Restore the elected committees".into(),
                purpose: "To reverse the dissolution".into(),
                matter: Some("constitution-2017".into()),
                opened_by: Some(ann),
            },
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!((r.signatures, r.reached_at, r.meeting), (1, None, None));
    assert!(store.has_signed(id, ann).await.unwrap());
    let second = |by: Option<MemberId>| NewRequisition {
        kind: "special-conference".into(),
        title: "The same again".into(),
        purpose: String::new(),
        matter: Some("constitution-2017".into()),
        opened_by: by,
    };
    // One open requisition per matter, however it is opened; nothing of the second is kept.
    let events = event_count(store).await;
    let dup = store
        .open_requisition(&second(None), &event("requisition.opened", "r"))
        .await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { field, .. }) if field == "matter"),
        "{dup:?}"
    );
    assert_eq!(event_count(store).await, events);
    assert_eq!(store.requisitions().await.unwrap().len(), 1);
    let twice = store
        .sign_requisition(id, ann, &event("requisition.signed", "r"))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
    store
        .sign_requisition(id, ben, &event("requisition.signed", "r"))
        .await
        .unwrap();
    assert_eq!(store.requisitions().await.unwrap()[0].signatures, 2);
    let early = store
        .answer_requisition(id, MeetingId(1), &event("requisition.answered", "r"))
        .await;
    assert!(matches!(early, Err(StoreError::Stale(_))), "{early:?}");
    let events = event_count(store).await;
    assert!(
        store
            .requisition_reached(id, "6.4", d(2024, 3, 1), &event("requisition.reached", "r"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .requisition_reached(id, "6.4", d(2024, 4, 1), &event("requisition.reached", "r"))
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, events + 1, "reached once");
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!(
        (r.reached_clause.as_deref(), r.call_by),
        (Some("6.4"), Some(d(2024, 3, 1)))
    );
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "conference".into(),
                unit: None,
                kind: "special-conference".into(),
                title: "Special conference".into(),
                starts_at: t(86_400 * 30),
                ends_at: t(86_400 * 30 + 3_600),
                mode: charter_domain::MeetingMode::Physical,
                place: Some("Hall".into()),
                online_url: None,
                agenda: String::new(),
                notice_clause: None,
                notice_days: None,
                called_by: None,
                check_in_code: "ABC234".into(),
            },
            &[],
            &NoticeText {
                subject: "s".into(),
                body: "b".into(),
            },
            &event("meeting.called", "m"),
        )
        .await
        .unwrap();
    store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await
        .unwrap();
    let again = store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await;
    assert!(matches!(again, Err(StoreError::Stale(_))), "{again:?}");
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().meeting,
        Some(meeting)
    );
    // Once answered, the matter may be required again.
    store
        .open_requisition(&second(Some(ben)), &event("requisition.opened", "r"))
        .await
        .unwrap();
    let late = store
        .sign_requisition(id, ben, &event("requisition.signed", "r"))
        .await;
    assert!(matches!(late, Err(StoreError::Stale(_))), "{late:?}");
    assert!(
        store
            .requisition(RequisitionId(id.0 + 99))
            .await
            .unwrap()
            .is_none()
    );
}

/// Motions that require a meeting read back with it, and are found by it; a reached
/// requisition's reminder is written once per compare-and-set on when the last one was, and
/// never once it is answered; branches' motions open one requisition of a kind at a time.
pub async fn motions_require_meetings_and_overdue_requisitions_remind(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let meeting = store
        .call_meeting(
            &NewMeeting {
                body: "branch-meeting".into(),
                unit: Some(o.leeds),
                kind: "general-meeting".into(),
                title: "Leeds general meeting".into(),
                starts_at: t(86_400),
                ends_at: t(86_400 + 3_600),
                mode: charter_domain::MeetingMode::Physical,
                place: Some("Hall".into()),
                online_url: None,
                agenda: String::new(),
                notice_clause: None,
                notice_days: None,
                called_by: None,
                check_in_code: "ABC234".into(),
            },
            &[],
            &NoticeText {
                subject: "s".into(),
                body: "b".into(),
            },
            &event("meeting.called", "m"),
        )
        .await
        .unwrap();
    let motion = |title: &str, requires: Option<&str>| NewMotion {
        meeting,
        kind: "ordinary-motion".into(),
        title: title.into(),
        text: "This branch opposes the new constitution and calls for a special conference.".into(),
        matter: Some("constitution-2017".into()),
        position: Some("oppose".into()),
        requires: requires.map(String::from),
        proposed_by: Some(ann),
        seconded_by: Some(ben),
        parent: None,
        target: None,
        emergency: false,
    };
    let adopted = MotionOutcome {
        state: MotionState::Adopted,
        votes_for: 2,
        votes_against: 0,
        abstentions: 0,
        present: 2,
        failures_json: "[]".into(),
    };
    let mut ids = Vec::new();
    for (title, requires) in [
        ("Calls for it", Some("special-conference")),
        ("Does not", None),
        ("Calls for another", Some("annual-conference")),
        ("Calls for it too", Some("special-conference")),
    ] {
        let id = store
            .propose_motion(&motion(title, requires), &event("motion.proposed", "m"))
            .await
            .unwrap();
        store
            .decide_motion(id, &adopted, &event("motion.decided", "m"))
            .await
            .unwrap();
        store
            .publish_motion(id, &event("motion.published", "m"))
            .await
            .unwrap();
        ids.push(id);
    }
    assert_eq!(
        store
            .motion(ids[0])
            .await
            .unwrap()
            .unwrap()
            .requires
            .as_deref(),
        Some("special-conference")
    );
    assert_eq!(store.motion(ids[1]).await.unwrap().unwrap().requires, None);
    let calling = store
        .published_motions_requiring("special-conference")
        .await
        .unwrap();
    assert_eq!(
        calling.iter().map(|p| p.motion.id).collect::<Vec<_>>(),
        [ids[3], ids[0]],
        "only those requiring it, newest first"
    );
    assert_eq!(calling[0].unit, Some(o.leeds));
    assert!(
        store
            .published_motions_requiring("ordinary-meeting")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .published_motions(Some("constitution-2017"))
            .await
            .unwrap()
            .len(),
        4,
        "a motion calling for a meeting still speaks to its matter"
    );

    // Branches' motions open one requisition of a kind at a time; members may open others.
    let by_branches = |kind: &str| NewRequisition {
        kind: kind.into(),
        title: "Branches require a special conference".into(),
        purpose: String::new(),
        matter: None,
        opened_by: None,
    };
    let id = store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
    let events = event_count(store).await;
    let dup = store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { field, .. }) if field == "kind"),
        "{dup:?}"
    );
    assert_eq!(event_count(store).await, events);
    store
        .open_requisition(
            &NewRequisition {
                opened_by: Some(ben),
                ..by_branches("special-conference")
            },
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();

    // No reminder before the threshold is reached.
    let letters = [
        letter(
            Some(ann),
            "ann@example.org",
            "Overdue: the special conference",
        ),
        letter(
            Some(ben),
            "ben@example.org",
            "Overdue: the special conference",
        ),
    ];
    let remind = |last: Option<DateTime<Utc>>, at: i64| {
        let letters = &letters;
        async move {
            store
                .remind_requisition(
                    id,
                    last,
                    letters,
                    &NewEvent {
                        at: t(at),
                        ..event("requisition.overdue", "r")
                    },
                )
                .await
        }
    };
    new_letters(store).await;
    let events = event_count(store).await;
    assert!(!remind(None, 10).await.unwrap());
    assert_eq!(event_count(store).await, events);
    assert!(new_letters(store).await.is_empty());
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().reminded_at,
        None
    );

    store
        .requisition_reached(id, "6.4", d(2024, 3, 1), &event("requisition.reached", "r"))
        .await
        .unwrap();
    let events = event_count(store).await;
    assert!(remind(None, 20).await.unwrap());
    assert_eq!(event_count(store).await, events + 1);
    assert_eq!(
        new_letters(store).await,
        [
            (
                Some(ann),
                "ann@example.org".to_string(),
                "Overdue: the special conference".to_string()
            ),
            (
                Some(ben),
                "ben@example.org".to_string(),
                "Overdue: the special conference".to_string()
            ),
        ]
    );
    let r = store.requisition(id).await.unwrap().unwrap();
    assert_eq!(r.reminded_at, Some(t(20)));
    assert!(
        store
            .requisitions()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == id && x.reminded_at == Some(t(20)))
    );
    // A second timetable that read the requisition before that reminder writes nothing.
    assert!(!remind(None, 21).await.unwrap());
    assert!(!remind(Some(t(10)), 21).await.unwrap());
    assert_eq!(event_count(store).await, events + 1);
    assert!(new_letters(store).await.is_empty());
    // The next one follows from the last.
    assert!(remind(r.reminded_at, 30).await.unwrap());
    assert_eq!(new_letters(store).await.len(), 2);
    assert_eq!(
        store.requisition(id).await.unwrap().unwrap().reminded_at,
        Some(t(30))
    );

    // Answered: no more.
    store
        .answer_requisition(id, meeting, &event("requisition.answered", "r"))
        .await
        .unwrap();
    let events = event_count(store).await;
    assert!(!remind(Some(t(30)), 40).await.unwrap());
    assert_eq!(event_count(store).await, events);
    assert!(new_letters(store).await.is_empty());
    let missing = store
        .remind_requisition(
            RequisitionId(id.0 + 99),
            None,
            &letters,
            &event("requisition.overdue", "r"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    // Once answered, branches' motions may open another.
    store
        .open_requisition(
            &by_branches("special-conference"),
            &event("requisition.opened", "r"),
        )
        .await
        .unwrap();
}
