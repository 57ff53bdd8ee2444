//! Conformance: joining and leaving.

use super::*;
use charter_model::ApplicationId;

pub async fn applications_are_submitted_and_decided_once(store: &dyn Store) {
    let o = org(store).await;
    let sec = add(
        store,
        &new_member("Sam", "Secretary", "sam@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let ack = NoticeText {
        subject: "Your application".into(),
        body: "We have it.".into(),
    };
    let to_sec = [letter(Some(sec), "sam@example.org", "A new application")];
    let before = event_count(store).await;
    let (id, ada) = store
        .submit_application(
            &applicant("Ada", "ada@example.org", o.leeds),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    assert_eq!(
        event_count(store).await,
        before + 1,
        "one event per application"
    );
    let detail = store.member(ada, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Applicant);
    assert_eq!(detail.record.branch, o.leeds);
    assert_eq!(detail.status_history.len(), 1);
    assert_eq!(detail.status_history[0].from, None);
    assert_eq!(detail.status_history[0].to, MemberStatus::Applicant);
    assert_eq!(detail.status_history[0].reason, "test: member.applied");
    assert_eq!(
        new_letters(store).await,
        [
            (
                Some(sec),
                "sam@example.org".to_string(),
                "A new application".to_string()
            ),
            (
                Some(ada),
                "ada@example.org".to_string(),
                "Your application".to_string()
            ),
        ],
        "the applicant and the officers are written to in the same transaction"
    );

    // A registered address or a unit that is no branch writes nothing.
    let before = event_count(store).await;
    let err = store
        .submit_application(
            &applicant("Ada", "ADA@example.org", o.york),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    let err = store
        .submit_application(
            &applicant("Reg", "reg@example.org", o.north),
            &ack,
            &to_sec,
            &event("member.applied", "application"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
    assert!(
        store
            .credentials("reg@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // Listing is scoped and every applicant listed is logged as read.
    let (id2, bo) = store
        .submit_application(
            &applicant("Bo", "bo@example.org", o.york),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    new_letters(store).await;
    let query = |scope, state| ApplicationQuery {
        scope,
        state,
        limit: 50,
    };
    let leeds = store
        .applications(
            &query(MemberScope::Branches(vec![o.leeds]), None),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert_eq!(leeds.iter().map(|a| a.id).collect::<Vec<_>>(), [id]);
    let a = &leeds[0];
    assert_eq!(
        (a.member, a.branch, a.branch_name.as_str(), a.email.as_str()),
        (ada, o.leeds, "Leeds", "ada@example.org")
    );
    assert_eq!(
        (a.state, a.status),
        (ApplicationState::Pending, MemberStatus::Applicant)
    );
    assert_eq!(a.consent, "I support the aims of the organisation.");
    assert_eq!(a.clause.as_deref(), Some("3.1"));
    assert_eq!(a.submitted_at, t(0));
    assert_eq!(
        (a.decided_at, a.decided_by, a.reason.as_deref()),
        (None, None, None)
    );
    assert_eq!(store.access_log(ada, 1, 10).await.unwrap().total, 1);
    assert_eq!(store.access_log(bo, 1, 10).await.unwrap().total, 0);
    let all = store
        .applications(
            &query(MemberScope::All, None),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [id, id2]);
    assert!(
        store
            .applications(
                &query(MemberScope::Branches(vec![]), None),
                &reader(sec, "applications", t(10)),
            )
            .await
            .unwrap()
            .is_empty(),
        "an empty scope lists nothing"
    );

    // Acceptance: applicant to active with history, joined on the day, letters queued.
    let accept = ApplicationDecision {
        state: ApplicationState::Accepted,
        reason: "welcome".into(),
        by: sec,
        on: d(2024, 12, 2),
    };
    let welcome = [letter(Some(ada), "ada@example.org", "Welcome")];
    let before = event_count(store).await;
    store
        .decide_application(
            id,
            &accept,
            &welcome,
            None,
            &by(sec, "member.application_accepted", "member:1"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    let detail = store.member(ada, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Active);
    assert_eq!(detail.record.joined_on, d(2024, 12, 2));
    let last = detail.status_history.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.effective_on, last.reason.as_str()),
        (
            Some(MemberStatus::Applicant),
            MemberStatus::Active,
            d(2024, 12, 2),
            "welcome"
        )
    );
    assert_eq!(last.changed_by, Some(sec));
    let decided = store.application(id, None).await.unwrap().unwrap();
    assert_eq!(decided.state, ApplicationState::Accepted);
    assert_eq!(decided.status, MemberStatus::Active);
    assert_eq!(decided.decided_by, Some(sec));
    assert_eq!(decided.decided_by_name.as_deref(), Some("Sam Secretary"));
    assert_eq!(decided.decided_at, Some(t(0)));
    assert_eq!(decided.reason.as_deref(), Some("welcome"));
    assert_eq!(new_letters(store).await.len(), 1);

    // Decided once: a second decision is stale and writes nothing.
    let before = event_count(store).await;
    let refuse = ApplicationDecision {
        state: ApplicationState::Refused,
        reason: "too late".into(),
        ..accept.clone()
    };
    let err = store
        .decide_application(
            id,
            &refuse,
            &welcome,
            None,
            &by(sec, "member.application_refused", "member:1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    let err = store
        .decide_application(
            ApplicationId(9_999),
            &refuse,
            &[],
            None,
            &by(sec, "member.application_refused", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
    assert_eq!(
        store.application(id, None).await.unwrap().unwrap().state,
        ApplicationState::Accepted
    );

    // Refusal keeps the reason; the applicant's status is untouched. Reading one
    // application logs the read when it is someone else's.
    store
        .decide_application(
            id2,
            &refuse,
            &[letter(Some(bo), "bo@example.org", "Your application")],
            None,
            &by(sec, "member.application_refused", "member:2"),
        )
        .await
        .unwrap();
    let refused = store
        .application(id2, Some(&reader(sec, "application", t(20))))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refused.state, ApplicationState::Refused);
    assert_eq!(refused.status, MemberStatus::Applicant);
    assert_eq!(refused.reason.as_deref(), Some("too late"));
    // Listed once with every application, then read on its own.
    assert_eq!(store.access_log(bo, 1, 10).await.unwrap().total, 2);
    let pending = store
        .applications(
            &query(MemberScope::All, Some(ApplicationState::Pending)),
            &reader(sec, "applications", t(10)),
        )
        .await
        .unwrap();
    assert!(pending.is_empty());

    // An applicant whose status changed meanwhile cannot be accepted.
    let (id3, cy) = store
        .submit_application(
            &applicant("Cy", "cy@example.org", o.leeds),
            &ack,
            &[],
            &event("member.applied", "application"),
        )
        .await
        .unwrap();
    store
        .change_status(
            cy,
            MemberStatus::Applicant,
            &StatusChangeInput {
                from: None,
                to: MemberStatus::Resigned,
                effective_on: d(2024, 11, 28),
                reason: "withdrew".into(),
                changed_by: Some(sec),
            },
            &by(sec, "member.status_changed", "member:3"),
        )
        .await
        .unwrap();
    let err = store
        .decide_application(
            id3,
            &accept,
            &[],
            None,
            &by(sec, "member.application_accepted", "member:3"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    assert_eq!(
        store.application(id3, None).await.unwrap().unwrap().state,
        ApplicationState::Pending,
        "a refused acceptance leaves the application pending"
    );
}

pub async fn repeat_applications_write_at_most_one_letter_a_day(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let already = letter(Some(ann), "ann@example.org", "You are already registered");
    let before = event_count(store).await;
    assert!(
        store
            .queue_quiet_letter(
                ann,
                &already,
                t(-86_400),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, before + 1);
    assert_eq!(new_letters(store).await.len(), 1);
    // Within the quiet period nothing is queued and nothing written.
    assert!(
        !store
            .queue_quiet_letter(
                ann,
                &already,
                t(-86_400),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(event_count(store).await, before + 1);
    assert!(new_letters(store).await.is_empty());
    // Once it has passed, one more.
    assert!(
        store
            .queue_quiet_letter(
                ann,
                &already,
                t(0),
                &event("member.application_repeated", "application"),
            )
            .await
            .unwrap()
    );
    assert_eq!(new_letters(store).await.len(), 1);
}

pub async fn resigning_ends_membership_offices_seats_and_sessions(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let office = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    let term = Term {
        starts_on: d(2024, 1, 1),
        ends_on: None,
    };
    store
        .appoint(office, ann, term, &event("office.appointed", "x"))
        .await
        .unwrap();
    let body = store
        .create_body(
            &NewBody {
                unit: o.leeds,
                name: "Leeds committee".into(),
                kind: "committee".into(),
                seats: 3,
                filled_by: "elected".into(),
            },
            &event("body.created", "x"),
        )
        .await
        .unwrap();
    store
        .fill_seat(body, ann, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    for (member, token) in [(ann, "ann-1"), (ann, "ann-2"), (ben, "ben-1")] {
        store
            .create_session(&SessionRecord {
                token_hash: token.into(),
                member,
                csrf_token: "c".into(),
                created_at: t(0),
                expires_at: t(3_600),
                second_factor_pending: false,
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.member_standing(ann).await.unwrap(),
        Some((o.leeds, MemberStatus::Active))
    );
    assert_eq!(store.member_standing(MemberId(9_999)).await.unwrap(), None);

    let change = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Resigned,
        effective_on: d(2024, 12, 2),
        reason: "moving abroad".into(),
        changed_by: Some(ann),
    };
    let goodbye = letter(Some(ann), "ann@example.org", "You have resigned");
    let before = event_count(store).await;
    store
        .resign(
            ann,
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:1"),
        )
        .await
        .unwrap();
    assert_eq!(event_count(store).await, before + 1);
    assert_eq!(
        store.member_standing(ann).await.unwrap(),
        Some((o.leeds, MemberStatus::Resigned))
    );
    let detail = store.member(ann, None).await.unwrap().unwrap();
    let last = detail.status_history.last().unwrap();
    assert_eq!(
        (
            last.from,
            last.to,
            last.effective_on,
            last.reason.as_str(),
            last.changed_by
        ),
        (
            Some(MemberStatus::Active),
            MemberStatus::Resigned,
            d(2024, 12, 2),
            "moving abroad",
            Some(ann)
        )
    );
    // Offices and seats end the day before; they were held until then.
    assert!(
        store
            .offices_held(ann, d(2024, 12, 2))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.offices_held(ann, d(2024, 12, 1)).await.unwrap().len(),
        1
    );
    let seats_on = |on| async move {
        store.bodies(Some(o.leeds), on).await.unwrap()[0]
            .holders
            .iter()
            .map(|h| h.member)
            .collect::<Vec<_>>()
    };
    assert!(seats_on(d(2024, 12, 2)).await.is_empty());
    assert_eq!(seats_on(d(2024, 12, 1)).await, [ann]);
    // Every session of theirs ends; nobody else's.
    assert!(store.session("ann-1").await.unwrap().is_none());
    assert!(store.session("ann-2").await.unwrap().is_none());
    assert!(store.session("ben-1").await.unwrap().is_some());
    assert_eq!(
        new_letters(store).await,
        [(
            Some(ann),
            "ann@example.org".to_string(),
            "You have resigned".to_string()
        )]
    );

    // Compare-and-set: a second resignation from the old status is stale and writes nothing.
    let before = event_count(store).await;
    let err = store
        .resign(
            ann,
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    let err = store
        .resign(
            MemberId(9_999),
            MemberStatus::Active,
            &change,
            &goodbye,
            &by(ann, "member.resigned", "member:9999"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
    assert!(new_letters(store).await.is_empty());
}
