//! Conformance of [`ImportStore::import_register`] and its reads: a whole register written in one
//! transaction, or nothing.

use std::sync::Mutex;

use super::*;

fn change(
    from: Option<MemberStatus>,
    to: MemberStatus,
    on: NaiveDate,
    reason: &str,
) -> StatusChangeInput {
    StatusChangeInput {
        from,
        to,
        effective_on: on,
        reason: reason.to_string(),
        changed_by: None,
    }
}

fn pay(on: NaiveDate, pence: i64, months: u32) -> Payment {
    Payment {
        paid_on: on,
        amount: Money(pence),
        months,
    }
}

/// A member for an import batch: `member.branch` is left at a unit that does not exist, so
/// a store that read it instead of `ImportMember::branch` would fail.
fn imported(first: &str, email: &str, joined: NaiveDate, status: MemberStatus) -> NewMember {
    let mut m = new_member(first, "Imported", email, "NR1 1AA", UnitId(987_654));
    m.joined_on = joined;
    m.status = status;
    m
}

fn import_events() -> Vec<NewEvent> {
    ["import.units", "import.members", "import.offices"]
        .iter()
        .map(|k| event(k, "import"))
        .collect()
}

async fn counts(store: &dyn Store) -> (usize, usize, u64) {
    let members = store
        .search_members(&query(MemberScope::All), None)
        .await
        .unwrap()
        .total;
    (
        store.units().await.unwrap().len(),
        event_count(store).await,
        members,
    )
}

pub async fn imports_write_a_whole_register_in_one_transaction(store: &dyn Store) {
    use MemberStatus::*;
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let chair = store
        .create_office(o.leeds, OfficeKind::Chair, &event("office.created", "x"))
        .await
        .unwrap();
    let before = event_count(store).await;

    let reason = "imported from statuses.csv";
    let batch = ImportBatch {
        units: vec![
            ImportUnit {
                parent: UnitRef::Existing(o.national),
                kind: UnitKind::Region,
                name: "East".into(),
                slug: "east".into(),
            },
            ImportUnit {
                parent: UnitRef::New(0),
                kind: UnitKind::Branch,
                name: "Norwich".into(),
                slug: "norwich".into(),
            },
        ],
        members: vec![
            ImportMember {
                number: Some(MemberId(500)),
                member: imported("Cat", "cat@example.org", d(2020, 1, 10), Lapsed),
                branch: UnitRef::New(1),
                history: vec![
                    change(None, Applicant, d(2020, 1, 10), reason),
                    change(Some(Applicant), Active, d(2020, 2, 1), reason),
                    change(Some(Active), Lapsed, d(2022, 3, 1), reason),
                ],
                payments: vec![pay(d(2020, 2, 1), 6000, 12), pay(d(2021, 2, 1), 6000, 12)],
            },
            ImportMember {
                number: None,
                member: imported("Dan", "dan@example.org", d(2023, 5, 1), Active),
                branch: UnitRef::Existing(o.leeds),
                history: vec![change(None, Active, d(2023, 5, 1), reason)],
                payments: vec![],
            },
        ],
        updates: vec![ImportUpdate {
            member: ann,
            expected_status: Active,
            changes: MemberChanges {
                last_name: Some(
                    charter_domain::PersonName::parse("last name", "Okafor-Jones").unwrap(),
                ),
                ..Default::default()
            },
            moved: Some(ImportMove {
                from: o.leeds,
                to: UnitRef::New(1),
                effective_on: d(2024, 11, 1),
                reason: "imported from members.csv".into(),
            }),
            history: vec![change(Some(Active), Lapsed, d(2024, 6, 1), reason)],
            payments: vec![pay(d(2024, 1, 15), 500, 1)],
        }],
        offices: vec![ImportOffice {
            unit: UnitRef::New(1),
            kind: OfficeKind::Secretary,
        }],
        terms: vec![
            ImportTerm {
                office: OfficeRef::New(0),
                member: MemberRef::New(0),
                starts_on: d(2020, 3, 1),
                ends_on: d(2021, 12, 31),
                imported_from: "offices.csv, imported 2024-11-27".into(),
            },
            ImportTerm {
                office: OfficeRef::Existing(chair),
                member: MemberRef::Existing(ann),
                starts_on: d(2024, 1, 15),
                ends_on: d(2024, 5, 31),
                imported_from: "offices.csv, imported 2024-11-27".into(),
            },
        ],
    };
    let heard = Mutex::new(Vec::new());
    let written = store
        .import_register(&batch, &import_events(), &|n| heard.lock().unwrap().push(n))
        .await
        .unwrap();
    let heard = heard.into_inner().unwrap();
    assert_eq!(
        heard.last().copied(),
        Some(batch.rows()),
        "progress ends at every row"
    );
    assert!(
        heard.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {heard:?}"
    );

    // Units, with the branch under the region created before it.
    assert_eq!(written.units.len(), 2);
    let units = store.units().await.unwrap();
    let east = units.iter().find(|u| u.id == written.units[0]).unwrap();
    let norwich = units.iter().find(|u| u.id == written.units[1]).unwrap();
    assert_eq!(
        (east.kind, east.parent),
        (UnitKind::Region, Some(o.national))
    );
    assert_eq!(
        (norwich.kind, norwich.parent),
        (UnitKind::Branch, Some(east.id))
    );
    assert_eq!(norwich.slug, "norwich");

    // A kept member number, and the next free one after every number in the register.
    assert_eq!(written.members, vec![MemberId(500), MemberId(501)]);
    let cat = store.member(MemberId(500), None).await.unwrap().unwrap();
    assert_eq!(cat.record.branch, norwich.id);
    assert_eq!(cat.record.status, Lapsed);
    assert_eq!(cat.record.joined_on, d(2020, 1, 10));
    let steps: Vec<_> = cat
        .status_history
        .iter()
        .map(|h| (h.from, h.to, h.effective_on))
        .collect();
    assert_eq!(
        steps,
        vec![
            (None, Applicant, d(2020, 1, 10)),
            (Some(Applicant), Active, d(2020, 2, 1)),
            (Some(Active), Lapsed, d(2022, 3, 1)),
        ]
    );
    assert_eq!(cat.status_history[0].reason, reason);
    assert_eq!(cat.payments.len(), 2);
    assert_eq!(
        cat.record.paid_up_until,
        Some(d(2022, 1, 31)),
        "paid-up-until follows from the payments"
    );
    let dan = store.member(MemberId(501), None).await.unwrap().unwrap();
    assert_eq!(dan.record.branch, o.leeds);
    assert_eq!(dan.record.paid_up_until, None);

    // The update: a name, a recorded move, a status change through history, a payment.
    let ann_now = store.member(ann, None).await.unwrap().unwrap();
    assert_eq!(ann_now.record.last_name, "Okafor-Jones");
    assert_eq!(ann_now.record.email, "ann@example.org");
    assert_eq!(ann_now.record.branch, norwich.id);
    assert_eq!(ann_now.branch_history.len(), 1);
    assert_eq!(ann_now.branch_history[0].from, o.leeds);
    assert_eq!(ann_now.record.status, Lapsed);
    assert_eq!(ann_now.status_history.len(), 2);
    assert_eq!(ann_now.status_history[1].from, Some(Active));
    assert_eq!(ann_now.record.paid_up_until, Some(d(2024, 2, 14)));
    let found = store
        .search_members(
            &MemberQuery {
                text: Some("okafor-jones".into()),
                ..query(MemberScope::All)
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(found.total, 1, "the search text follows an updated name");

    // Offices and past holdings, each saying where it came from; none grants power today.
    assert_eq!(written.offices.len(), 1);
    let terms = store.office_terms(Some(norwich.id)).await.unwrap();
    assert_eq!(terms.len(), 1);
    assert_eq!(terms[0].office, written.offices[0]);
    assert_eq!(terms[0].kind, OfficeKind::Secretary);
    assert_eq!(terms[0].member, MemberId(500));
    assert_eq!(terms[0].member_name, "Cat Imported");
    assert_eq!(
        terms[0].term,
        Term {
            starts_on: d(2020, 3, 1),
            ends_on: Some(d(2021, 12, 31))
        }
    );
    assert_eq!(
        terms[0].imported_from.as_deref(),
        Some("offices.csv, imported 2024-11-27")
    );
    let all = store.office_terms(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().any(|t| t.office == chair && t.member == ann));
    let then = store
        .offices(Some(norwich.id), d(2021, 6, 1))
        .await
        .unwrap();
    assert_eq!(
        then[0].holder,
        Some(MemberId(500)),
        "the holder on a past date"
    );
    assert!(
        store
            .offices_held(MemberId(500), d(2024, 11, 27))
            .await
            .unwrap()
            .is_empty()
    );

    // The events, in order, after everything else.
    let events = all_events(store).await;
    let kinds: Vec<&str> = events[before..].iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["import.units", "import.members", "import.offices"]);

    // Members added later are numbered after the imported ones.
    let next = add(
        store,
        &new_member("Eve", "Later", "eve@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    assert_eq!(next, MemberId(502));
}

pub async fn imports_write_nothing_when_any_part_fails(store: &dyn Store) {
    use MemberStatus::*;
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let good = |email: &str| ImportMember {
        number: None,
        member: imported("New", email, d(2023, 5, 1), Active),
        branch: UnitRef::New(0),
        history: vec![change(None, Active, d(2023, 5, 1), "imported")],
        payments: vec![pay(d(2023, 5, 1), 500, 1)],
    };
    let base = ImportBatch {
        units: vec![ImportUnit {
            parent: UnitRef::Existing(o.north),
            kind: UnitKind::Branch,
            name: "Hull".into(),
            slug: "hull".into(),
        }],
        members: vec![good("new1@example.org"), good("new2@example.org")],
        ..Default::default()
    };
    let before = counts(store).await;
    let nothing_written = |what: &'static str| async move {
        assert_eq!(counts(store).await, before, "{what}: nothing is written");
        assert!(
            store
                .credentials("new1@example.org")
                .await
                .unwrap()
                .is_none(),
            "{what}"
        );
        assert!(store.office_terms(None).await.unwrap().is_empty(), "{what}");
    };

    // An email already in the register, in the last member.
    let mut batch = base.clone();
    batch.members.push(good("ann@example.org"));
    let err = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );
    nothing_written("a taken email").await;

    // A member number already in the register.
    let mut batch = base.clone();
    batch.members[1].number = Some(ann);
    let err = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "member_number"),
        "{err:?}"
    );
    nothing_written("a taken number").await;

    // A slug already in the register.
    let mut batch = base.clone();
    batch.units[0].slug = "leeds".into();
    let err = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "slug"),
        "{err:?}"
    );
    nothing_written("a taken slug").await;

    // An update checked against a status the member no longer has.
    let mut batch = base.clone();
    batch.updates.push(ImportUpdate {
        member: ann,
        expected_status: Lapsed,
        changes: MemberChanges::default(),
        moved: None,
        history: vec![change(Some(Lapsed), Active, d(2024, 6, 1), "imported")],
        payments: vec![],
    });
    let err = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    nothing_written("a stale update").await;
    assert_eq!(
        store
            .member(ann, None)
            .await
            .unwrap()
            .unwrap()
            .record
            .status,
        Active
    );

    // A past holding, last of all, naming a member who is not there.
    let mut batch = base.clone();
    batch.offices.push(ImportOffice {
        unit: UnitRef::New(0),
        kind: OfficeKind::Treasurer,
    });
    batch.terms.push(ImportTerm {
        office: OfficeRef::New(0),
        member: MemberRef::Existing(MemberId(987_654)),
        starts_on: d(2020, 1, 1),
        ends_on: d(2020, 12, 31),
        imported_from: "offices.csv, imported 2024-11-27".into(),
    });
    let err = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    nothing_written("an unknown holder").await;

    // The same batch without the faults goes in whole.
    let written = store
        .import_register(&base, &import_events(), &|_| {})
        .await
        .unwrap();
    assert_eq!(written.members.len(), 2);
    assert_eq!(counts(store).await.0, before.0 + 1);
    assert_eq!(counts(store).await.1, before.1 + 3);
}

pub async fn import_matches_find_members_by_email_or_number(store: &dyn Store) {
    let o = org(store).await;
    let ann = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let ben = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.york),
    )
    .await;
    let _cy = add(
        store,
        &new_member("Cy", "Twombly", "cy@example.org", "LS1 1AA", o.york),
    )
    .await;
    store
        .record_payment(ben, &payment(d(2024, 2, 1), 12), None, &event("pay", "x"))
        .await
        .unwrap();
    store
        .change_status(
            ben,
            MemberStatus::Active,
            &change(None, MemberStatus::Lapsed, d(2024, 3, 1), "lapsed"),
            &event("status", "x"),
        )
        .await
        .unwrap();

    assert!(store.import_matches(&[], &[]).await.unwrap().is_empty());
    let found = store
        .import_matches(
            &["ann@example.org".into(), "nobody@example.org".into()],
            &[ben, MemberId(987_654), ann],
        )
        .await
        .unwrap();
    let ids: Vec<MemberId> = found.iter().map(|m| m.record.id).collect();
    assert_eq!(ids, vec![ann, ben], "each member once, in number order");
    assert_eq!(found[0].record.email, "ann@example.org");
    assert_eq!(
        found[0].history,
        vec![(MemberStatus::Active, d(2024, 1, 15))]
    );
    assert!(found[0].payments.is_empty());
    assert_eq!(found[1].record.branch, o.york);
    assert_eq!(
        found[1].history,
        vec![
            (MemberStatus::Active, d(2024, 1, 15)),
            (MemberStatus::Lapsed, d(2024, 3, 1))
        ]
    );
    assert_eq!(found[1].payments, vec![payment(d(2024, 2, 1), 12)]);
}

pub async fn imports_of_many_members_are_searchable(store: &dyn Store) {
    let o = org(store).await;
    // Enough members that a backend may index them for search in bulk rather than one by one.
    let members: Vec<ImportMember> = (0..1_200)
        .map(|i| {
            let mut m = imported(
                "Bulk",
                &format!("bulk.{i}@example.org"),
                d(2023, 5, 1),
                MemberStatus::Active,
            );
            m.last_name =
                charter_domain::PersonName::parse("last name", &format!("Zebedee{i:04}")).unwrap();
            ImportMember {
                number: None,
                member: m,
                branch: UnitRef::Existing(o.york),
                history: vec![change(
                    None,
                    MemberStatus::Active,
                    d(2023, 5, 1),
                    "imported",
                )],
                // Ten monthly payments each: enough for a backend to check keys in bulk.
                payments: (0..10)
                    .map(|k| pay(d(2023, 5, 1) + chrono::Months::new(k), 300, 1))
                    .collect(),
            }
        })
        .collect();
    let batch = ImportBatch {
        members,
        ..Default::default()
    };
    let written = store
        .import_register(&batch, &import_events(), &|_| {})
        .await
        .unwrap();
    assert_eq!(written.members.len(), 1_200);
    let last = store
        .member(written.members[1_199], None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.payments.len(), 10);
    assert_eq!(last.record.paid_up_until, Some(d(2024, 2, 29)));
    let search = |text: &str| {
        let q = MemberQuery {
            text: Some(text.into()),
            ..query(MemberScope::All)
        };
        async move { store.search_members(&q, None).await.unwrap() }
    };
    let found = search("zebedee0777").await;
    assert_eq!(found.total, 1, "an imported member is found by name");
    assert_eq!(found.items[0].id, written.members[777]);
    assert_eq!(search("zebedee").await.total, 1_200);
    // Members added afterwards are indexed as before.
    let later = add(
        store,
        &new_member(
            "Quentin",
            "Zebedee-Later",
            "later@example.org",
            "LS1 1AA",
            o.leeds,
        ),
    )
    .await;
    let found = search("zebedee-later").await;
    assert_eq!(
        found.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![later]
    );
}
