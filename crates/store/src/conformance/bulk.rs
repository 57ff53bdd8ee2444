//! Conformance: branch statistics and bulk loads.

use super::*;

pub async fn branch_stats_count_statuses_and_paid_up(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    let lapse = StatusChangeInput {
        from: Some(MemberStatus::Active),
        to: MemberStatus::Lapsed,
        effective_on: d(2024, 1, 1),
        reason: "unpaid".into(),
        changed_by: None,
    };
    store
        .change_status(ids[1], MemberStatus::Active, &lapse, &event("x", "x"))
        .await
        .unwrap();
    let expel = StatusChangeInput {
        to: MemberStatus::Expelled,
        ..lapse.clone()
    };
    store
        .change_status(ids[4], MemberStatus::Active, &expel, &event("x", "x"))
        .await
        .unwrap();
    store
        .record_payment(
            ids[3],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[4],
            &payment(d(2024, 5, 1), 12),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    store
        .record_payment(
            ids[0],
            &payment(d(2023, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    let stats = store.branch_stats(d(2024, 6, 1)).await.unwrap();
    let get = |u: UnitId| {
        stats
            .iter()
            .find(|s| s.branch == Some(u))
            .cloned()
            .unwrap_or_default()
    };
    let leeds = get(o.leeds);
    assert_eq!(
        (leeds.active, leeds.lapsed, leeds.expelled, leeds.applicant),
        (1, 1, 1, 0)
    );
    assert_eq!(
        leeds.paid_up, 1,
        "an expelled payer is not a paid-up member"
    );
    assert_eq!(leeds.members(), 2);
    let brixton = get(o.brixton);
    assert_eq!((brixton.active, brixton.paid_up), (2, 0));
    let mut total = BranchStats::default();
    for s in &stats {
        total.add(s);
    }
    assert_eq!(total.active + total.lapsed + total.expelled, 7);
    assert!(
        stats.iter().all(|s| s.branch != Some(o.north)),
        "regions are not branches"
    );
}

pub async fn seeding_loads_members_with_histories(store: &dyn Store) {
    let o = org(store).await;
    let officer = add(
        store,
        &new_member("Sec", "Retary", "sec@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let before = event_count(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let seeds: Vec<SeedMember> = (0..2500)
        .map(|i| {
            let branch = branches[i % 3];
            let mut m = new_member(
                "Seed",
                &format!("Person{i:05}"),
                &format!("seed{i}@example.org"),
                "SE1 7PB",
                branch,
            );
            m.status = if i % 10 == 0 {
                MemberStatus::Lapsed
            } else {
                MemberStatus::Active
            };
            let mut history = vec![StatusChangeInput {
                from: None,
                to: MemberStatus::Active,
                effective_on: d(2023, 1, 1),
                reason: "joined".into(),
                changed_by: None,
            }];
            if i % 10 == 0 {
                history.push(StatusChangeInput {
                    from: Some(MemberStatus::Active),
                    to: MemberStatus::Lapsed,
                    effective_on: d(2024, 1, 1),
                    reason: "unpaid".into(),
                    changed_by: Some(officer),
                });
            }
            let payments = (0..(i % 4) as u32)
                .map(|k| payment(d(2024, 1 + k, 1), 1))
                .collect();
            let affiliations = if i % 2 == 0 {
                vec![SeedAffiliation {
                    organisation: "Another Party".into(),
                    since: Some(d(2019, 1, 1)),
                    verified: (i % 4 == 0).then_some((officer, d(2024, 2, 1))),
                }]
            } else {
                vec![]
            };
            let moves = if i % 7 == 0 {
                vec![BranchMoveInput {
                    from: o.york,
                    to: branch,
                    effective_on: d(2023, 6, 1),
                    reason: "moved".into(),
                    moved_by: None,
                }]
            } else {
                vec![]
            };
            SeedMember {
                member: m,
                password_hash: (i == 1).then(|| "h".to_string()),
                history,
                payments,
                affiliations,
                moves,
            }
        })
        .collect();
    let ids = store
        .seed_members(&seeds, &event("register.seeded", "register"))
        .await
        .unwrap();
    assert_eq!(ids.len(), 2500);
    assert_eq!(
        event_count(store).await,
        before + 1,
        "one event for the batch"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 2500, "distinct ids");
    assert!(!ids.contains(&officer));

    for i in [0usize, 1, 3, 7, 2499] {
        let detail = store.member(ids[i], None).await.unwrap().unwrap();
        assert_eq!(
            detail.record.email,
            format!("seed{i}@example.org"),
            "ids are in input order"
        );
        assert_eq!(detail.record.status, seeds[i].member.status);
        assert_eq!(detail.status_history.len(), seeds[i].history.len());
        assert_eq!(detail.payments.len(), seeds[i].payments.len());
        assert_eq!(
            detail.record.paid_up_until,
            charter_domain::paid_up_until(&seeds[i].payments)
        );
        assert_eq!(detail.affiliations.len(), seeds[i].affiliations.len());
        assert_eq!(detail.branch_history.len(), seeds[i].moves.len());
    }
    let detail = store.member(ids[0], None).await.unwrap().unwrap();
    assert_eq!(
        detail.status_history[1].changed_by_name.as_deref(),
        Some("Sec Retary")
    );
    assert_eq!(detail.affiliations[0].verified_by, Some(officer));
    assert_eq!(
        store
            .credentials("seed1@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("h")
    );
    assert_eq!(
        store
            .search_members(&text_query("person00123"), None)
            .await
            .unwrap()
            .total,
        1,
        "seeded members are searchable"
    );
    let mut q = query(MemberScope::Branches(vec![o.york]));
    q.status = Some(MemberStatus::Lapsed);
    assert_eq!(
        store.search_members(&q, None).await.unwrap().total,
        seeds
            .iter()
            .filter(|s| s.member.branch == o.york && s.member.status == MemberStatus::Lapsed)
            .count() as u64
    );
    // A member added afterwards gets a fresh id.
    let later = add(
        store,
        &new_member("Late", "Comer", "late@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert!(!ids.contains(&later));

    // A batch that breaks a rule writes nothing.
    let before = event_count(store).await;
    let mut bad = seeds[..2].to_vec();
    bad[0].member.email = charter_domain::Email::parse("fresh@example.org").unwrap();
    let err = store
        .seed_members(&bad, &event("register.seeded", "register"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    assert!(
        store
            .credentials("fresh@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(event_count(store).await, before);
}
