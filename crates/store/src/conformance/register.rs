//! Conformance: the register: members, their history, status, dues, affiliations and transfers.

use super::*;

pub async fn added_member_reads_back_with_history(store: &dyn Store) {
    let o = org(store).await;
    let mut m = new_member("Ann", "Okafor", "Ann@Example.org", "se17pb", o.leeds);
    m.phone = Some(charter_domain::Phone::parse("07700 900123").unwrap());
    m.dues_plan = DuesPlan::Annual;
    let id = store
        .add_member(&m, Some("hash"), &event("member.added", "member:new"))
        .await
        .unwrap();
    assert_eq!(store.member_branch(id).await.unwrap(), Some(o.leeds));
    assert_eq!(store.member_branch(MemberId(987_654)).await.unwrap(), None);

    let detail = store
        .member(id, None)
        .await
        .unwrap()
        .expect("member exists");
    let r = &detail.record;
    assert_eq!(r.id, id);
    assert_eq!(r.first_name, "Ann");
    assert_eq!(r.last_name, "Okafor");
    assert_eq!(r.email, "ann@example.org");
    assert_eq!(r.phone.as_deref(), Some("07700900123"));
    assert_eq!(r.postcode, "SE1 7PB");
    assert_eq!(r.branch, o.leeds);
    assert_eq!(r.branch_name, "Leeds");
    assert_eq!(r.status, MemberStatus::Active);
    assert_eq!(r.joined_on, d(2024, 1, 15));
    assert_eq!(r.dues_plan, DuesPlan::Annual);
    assert_eq!(r.paid_up_until, None);
    assert_eq!(
        detail.status_history.len(),
        1,
        "joining is the first status change"
    );
    assert_eq!(detail.status_history[0].from, None);
    assert_eq!(detail.status_history[0].to, MemberStatus::Active);
    assert_eq!(detail.status_history[0].effective_on, d(2024, 1, 15));
    assert!(detail.payments.is_empty());
    assert!(detail.affiliations.is_empty());
    assert!(detail.branch_history.is_empty());
    assert!(
        store
            .member(MemberId(987_654), None)
            .await
            .unwrap()
            .is_none()
    );

    let creds = store
        .credentials(" ANN@example.org ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.member, id);
    assert_eq!(creds.password_hash.as_deref(), Some("hash"));
    assert_eq!(creds.status, MemberStatus::Active);

    let last = all_events(store).await.pop().unwrap();
    assert_eq!(last.kind, "member.added");
    assert_eq!(last.subject, "member:new");
}

pub async fn duplicate_email_writes_nothing(store: &dyn Store) {
    let o = org(store).await;
    add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let events = event_count(store).await;
    let dup = new_member("Other", "Person", "ANN@example.org", "LS1 1AA", o.york);
    let err = store
        .add_member(&dup, None, &event("member.added", "dup"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "duplicate email must be a conflict on email: {err:?}"
    );
    assert_eq!(
        event_count(store).await,
        events,
        "no event for a failed add"
    );
    let page = store
        .search_members(&query(MemberScope::All), None)
        .await
        .unwrap();
    assert_eq!(page.total, 1, "no partial member row");
    let york = store
        .search_members(&query(MemberScope::Branches(vec![o.york])), None)
        .await
        .unwrap();
    assert_eq!(york.total, 0);

    let err = store
        .add_member(
            &new_member(
                "No",
                "Branch",
                "nobranch@example.org",
                "SE1 7PB",
                UnitId(424_242),
            ),
            None,
            &event("member.added", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, events);
}

pub async fn events_are_ordered_one_per_change(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let change = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Lapsed,
        effective_on: d(2024, 6, 1),
        reason: "dues unpaid".into(),
        changed_by: None,
    };
    store
        .change_status(
            a,
            MemberStatus::Active,
            &change,
            &by(a, "member.status_changed", "member:a"),
        )
        .await
        .unwrap();
    // A failed change adds nothing.
    assert!(
        store
            .change_status(
                a,
                MemberStatus::Active,
                &change,
                &event("member.status_changed", "x")
            )
            .await
            .is_err()
    );
    let events = all_events(store).await;
    assert_eq!(events.len(), 8, "6 units, 1 member, 1 status change");
    for w in events.windows(2) {
        assert!(w[0].seq < w[1].seq, "seq strictly increasing");
        assert_eq!(w[1].seq, w[0].seq + 1, "no gaps between committed events");
    }
    let last = events.last().unwrap();
    assert_eq!(last.kind, "member.status_changed");
    assert_eq!(last.actor_member, Some(a));
    assert_eq!(last.actor_office.as_deref(), Some("secretary, test branch"));
    assert_eq!(last.at, t(0));
    assert_eq!(last.payload, "{}");
    assert_eq!(last.reason, "test: member.status_changed");

    let first_three = store.events(0, 3).await.unwrap();
    assert_eq!(first_three.len(), 3);
    let rest = store.events(first_three[2].seq, 100).await.unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].seq, first_three[2].seq + 1);
    assert!(store.events(last.seq, 10).await.unwrap().is_empty());
}

pub async fn status_changes_follow_expected_and_go_stale(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let officer = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let suspend = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Suspended,
        effective_on: d(2024, 7, 1),
        reason: "pending a hearing".into(),
        changed_by: Some(officer),
    };
    for (member, token) in [(a, "ann-session"), (officer, "officer-session")] {
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
    store
        .change_status(
            a,
            MemberStatus::Active,
            &suspend,
            &by(officer, "member.status_changed", "m"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.session("ann-session").await.unwrap(),
        None,
        "a change of status ends the member's sessions"
    );
    assert!(
        store.session("officer-session").await.unwrap().is_some(),
        "and no one else's"
    );
    let before = event_count(store).await;
    let err = store
        .change_status(
            a,
            MemberStatus::Active,
            &suspend,
            &event("member.status_changed", "m"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Stale(_)),
        "expected Stale, got {err:?}"
    );
    let err = store
        .change_status(
            MemberId(555_555),
            MemberStatus::Active,
            &suspend,
            &event("x", "m"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        event_count(store).await,
        before,
        "no event for a stale change"
    );

    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Suspended);
    assert_eq!(detail.status_history.len(), 2);
    let h = &detail.status_history[1];
    assert_eq!(h.from, Some(MemberStatus::Active));
    assert_eq!(h.to, MemberStatus::Suspended);
    assert_eq!(h.effective_on, d(2024, 7, 1));
    assert_eq!(h.reason, "pending a hearing");
    assert_eq!(h.changed_by, Some(officer));
    assert_eq!(h.changed_by_name.as_deref(), Some("Sec Retary"));
    assert_eq!(h.recorded_at, t(0));
}

pub async fn concurrent_status_changes_let_exactly_one_win(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let to = |s| StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: s,
        effective_on: d(2024, 7, 1),
        reason: "race".into(),
        changed_by: None,
    };
    let (lapse, expel) = (to(MemberStatus::Lapsed), to(MemberStatus::Expelled));
    let (e1, e2) = (
        event("member.status_changed", "a"),
        event("member.status_changed", "b"),
    );
    let (r1, r2) = tokio::join!(
        store.change_status(a, MemberStatus::Active, &lapse, &e1),
        store.change_status(a, MemberStatus::Active, &expel, &e2),
    );
    assert!(r1.is_ok() != r2.is_ok(), "exactly one wins: {r1:?} {r2:?}");
    let loser = if r1.is_ok() { r2 } else { r1 };
    assert!(matches!(loser, Err(StoreError::Stale(_))), "{loser:?}");
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.status_history.len(), 2);
    assert_eq!(event_count(store).await, 8);
}

pub async fn payments_recompute_paid_up_until(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let treasurer = add(
        store,
        &new_member("Tre", "Asurer", "t@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let until = store
        .record_payment(
            a,
            &payment(d(2024, 2, 10), 1),
            Some(treasurer),
            &event("dues.paid", "a"),
        )
        .await
        .unwrap();
    assert_eq!(until, Some(d(2024, 3, 9)));
    // An earlier payment recorded later is folded in by date, as the domain rule says.
    let until = store
        .record_payment(
            a,
            &payment(d(2024, 1, 15), 1),
            None,
            &event("dues.paid", "a"),
        )
        .await
        .unwrap();
    let expected =
        charter_domain::paid_up_until(&[payment(d(2024, 2, 10), 1), payment(d(2024, 1, 15), 1)]);
    assert_eq!(until, expected);
    assert_eq!(until, Some(d(2024, 3, 14)));
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(
        detail.record.paid_up_until, until,
        "stored on the member row"
    );
    assert_eq!(detail.payments.len(), 2);
    assert_eq!(
        detail.payments[0].paid_on,
        d(2024, 1, 15),
        "payments in date order"
    );
    assert_eq!(detail.payments[1].amount_pence, 500);
    assert_eq!(detail.payments[1].months, 1);
    assert_eq!(
        detail.payments[1].recorded_by_name.as_deref(),
        Some("Tre Asurer")
    );

    let before = event_count(store).await;
    let err = store
        .record_payment(
            MemberId(777_777),
            &payment(d(2024, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);

    // The paid-up filter uses the stored date.
    let mut q = query(MemberScope::All);
    q.paid_up = Some((true, d(2024, 3, 14)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 1);
    q.paid_up = Some((true, d(2024, 3, 15)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 0);
    q.paid_up = Some((false, d(2024, 3, 15)));
    assert_eq!(
        store.search_members(&q, None).await.unwrap().total,
        2,
        "never paid counts as not paid up"
    );
}

pub async fn affiliations_are_added_and_verified(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let sec = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let aff = store
        .add_affiliation(
            a,
            "Another Party",
            Some(d(2020, 5, 1)),
            &event("affiliation.added", "a"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .verify_affiliation(
            b,
            aff,
            sec,
            d(2024, 8, 1),
            &event("affiliation.verified", "b"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(_)),
        "another member's affiliation: {err:?}"
    );
    assert_eq!(event_count(store).await, before);
    store
        .verify_affiliation(
            a,
            aff,
            sec,
            d(2024, 8, 1),
            &event("affiliation.verified", "a"),
        )
        .await
        .unwrap();
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.affiliations.len(), 1);
    let r = &detail.affiliations[0];
    assert_eq!(r.id, aff);
    assert_eq!(r.organisation, "Another Party");
    assert_eq!(r.since, Some(d(2020, 5, 1)));
    assert_eq!(r.verified_by, Some(sec));
    assert_eq!(r.verified_by_name.as_deref(), Some("Sec Retary"));
    assert_eq!(r.verified_on, Some(d(2024, 8, 1)));
    assert!(r.earlier_verifications.is_empty());
    assert!(
        store
            .member(b, None)
            .await
            .unwrap()
            .unwrap()
            .affiliations
            .is_empty()
    );

    // Verified again by someone else: the earlier verification stays on the record.
    store
        .verify_affiliation(
            a,
            aff,
            b,
            d(2025, 2, 3),
            &event("affiliation.verified", "a"),
        )
        .await
        .unwrap();
    let detail = store.member(a, None).await.unwrap().unwrap();
    let r = &detail.affiliations[0];
    assert_eq!(
        (r.verified_by, r.verified_on),
        (Some(b), Some(d(2025, 2, 3)))
    );
    assert_eq!(
        r.earlier_verifications,
        [EarlierVerification {
            verified_by: Some(sec),
            verified_by_name: Some("Sec Retary".into()),
            verified_on: d(2024, 8, 1),
        }]
    );
}

pub async fn transfers_move_the_member_and_keep_history(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let mv = |from, to, on| BranchMoveInput {
        from,
        to,
        effective_on: on,
        reason: "moved house".into(),
        moved_by: None,
    };
    store
        .transfer_member(
            a,
            &mv(o.leeds, o.york, d(2024, 3, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap();
    store
        .transfer_member(
            a,
            &mv(o.york, o.brixton, d(2024, 9, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .transfer_member(
            a,
            &mv(o.leeds, o.york, d(2024, 10, 1)),
            &event("member.transferred", "a"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Stale(_)),
        "moving from a branch they left: {err:?}"
    );
    let err = store
        .transfer_member(
            a,
            &mv(o.brixton, UnitId(31_337), d(2024, 10, 1)),
            &event("x", "a"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);

    assert_eq!(store.member_branch(a).await.unwrap(), Some(o.brixton));
    let detail = store.member(a, None).await.unwrap().unwrap();
    assert_eq!(detail.record.branch_name, "Brixton");
    let h: Vec<(UnitId, UnitId, &str, &str)> = detail
        .branch_history
        .iter()
        .map(|m| (m.from, m.to, m.from_name.as_str(), m.to_name.as_str()))
        .collect();
    assert_eq!(
        h,
        vec![
            (o.leeds, o.york, "Leeds", "York"),
            (o.york, o.brixton, "York", "Brixton")
        ]
    );
    assert_eq!(detail.branch_history[0].effective_on, d(2024, 3, 1));
    assert_eq!(detail.branch_history[0].reason, "moved house");
    let leeds = store
        .search_members(&query(MemberScope::Branches(vec![o.leeds])), None)
        .await
        .unwrap();
    assert_eq!(
        leeds.total, 0,
        "a transferred member leaves the old branch's scope"
    );
}

pub async fn updates_change_fields_and_search(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let changes = MemberChanges::parse(&RawMemberChanges {
        last_name: Some("Okafor-Smith".into()),
        email: Some("ann.smith@example.org".into()),
        phone: Some("+44 7700 900000".into()),
        postcode: Some("m1 1ae".into()),
        dues_plan: Some("annual".into()),
        ..Default::default()
    })
    .unwrap();
    store
        .update_member(a, &changes, &event("member.updated", "a"))
        .await
        .unwrap();
    let r = store.member(a, None).await.unwrap().unwrap().record;
    assert_eq!(r.first_name, "Ann", "untouched field kept");
    assert_eq!(r.last_name, "Okafor-Smith");
    assert_eq!(r.email, "ann.smith@example.org");
    assert_eq!(r.phone.as_deref(), Some("+447700900000"));
    assert_eq!(r.postcode, "M1 1AE");
    assert_eq!(r.dues_plan, DuesPlan::Annual);
    assert_eq!(
        emails(
            &store
                .search_members(&text_query("smith"), None)
                .await
                .unwrap()
        ),
        vec!["ann.smith@example.org"]
    );
    assert_eq!(
        store
            .search_members(&text_query("m11a"), None)
            .await
            .unwrap()
            .total,
        1,
        "search text follows the new postcode"
    );
    assert_eq!(
        store
            .search_members(&text_query("se17"), None)
            .await
            .unwrap()
            .total,
        1,
        "old postcode no longer matches Ann"
    );
    assert!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .is_none()
    );

    let clear = MemberChanges {
        phone: Some(None),
        ..Default::default()
    };
    store
        .update_member(a, &clear, &event("member.updated", "a"))
        .await
        .unwrap();
    assert_eq!(
        store.member(a, None).await.unwrap().unwrap().record.phone,
        None
    );

    let before = event_count(store).await;
    let clash = MemberChanges {
        email: Some(charter_domain::Email::parse("ben@example.org").unwrap()),
        last_name: Some(charter_domain::PersonName::parse("last name", "Changed").unwrap()),
        ..Default::default()
    };
    let err = store
        .update_member(a, &clash, &event("member.updated", "a"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    assert_eq!(
        store
            .member(a, None)
            .await
            .unwrap()
            .unwrap()
            .record
            .last_name,
        "Okafor-Smith",
        "nothing partially written"
    );
    let err = store
        .update_member(MemberId(88_888), &clear, &event("member.updated", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(event_count(store).await, before);
}
