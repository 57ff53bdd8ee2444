//! Conformance: the directory: search, sorting, paging, filters, scope, and the log of reads.

use super::*;

pub async fn search_matches_any_part_of_name_email_or_postcode(store: &dyn Store) {
    let (_, ids) = directory(store).await;
    let find = |q: &'static str| async move {
        let mut e = emails(&store.search_members(&text_query(q), None).await.unwrap());
        e.sort();
        e
    };
    assert_eq!(
        find("okaf").await,
        vec!["ann.okafor@example.org"],
        "part of a last name"
    );
    assert_eq!(
        find("KAFO").await,
        vec!["ann.okafor@example.org"],
        "case-insensitive, inside a word"
    );
    assert_eq!(
        find("smith").await,
        vec!["fay.smith@example.org", "gus@example.org"]
    );
    assert_eq!(
        find("eve@zephyr.exa").await,
        vec!["eve@zephyr.example"],
        "part of an email"
    );
    assert_eq!(find("@example.net").await, vec!["ben@example.net"]);
    assert_eq!(find("okafor@").await, vec!["ann.okafor@example.org"]);
    // Without an '@' the email's domain is not searched: a domain most members share would
    // otherwise make every search walk the whole index.
    assert!(find("zephyr.exa").await.is_empty(), "domain alone");
    assert!(
        find("smith ann@").await.is_empty(),
        "'@' queries match the address only"
    );
    assert_eq!(
        find("ls1 1").await,
        vec!["ben@example.net"],
        "postcode with its space"
    );
    assert_eq!(
        find("ls11").await,
        vec!["ben@example.net"],
        "postcode without its space"
    );
    assert_eq!(find("se15 4qs").await, vec!["fay.smith@example.org"]);
    assert_eq!(
        find("chloé").await,
        vec!["chloe@example.org"],
        "accented names"
    );
    assert_eq!(
        find("ann okafor").await,
        vec!["ann.okafor@example.org"],
        "first and last name"
    );
    assert!(find("nobody-like-this").await.is_empty());
    assert_eq!(
        find("100%").await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(
        find("\"quoted\"").await,
        Vec::<String>::new(),
        "quotes are literal"
    );
    // One or two characters match the start of a first or last name.
    assert_eq!(
        find("ad").await,
        vec!["ben@example.net", "dan.adams@example.com"]
    );
    assert_eq!(find("E").await, vec!["eve@zephyr.example"]);
    // Blank text is no filter.
    assert_eq!(
        store
            .search_members(&text_query("   "), None)
            .await
            .unwrap()
            .total,
        ids.len() as u64
    );
}

pub async fn search_sorts_and_pages(store: &dyn Store) {
    let (_, ids) = directory(store).await;
    let names = |p: &Page<MemberSummary>| -> Vec<String> {
        p.items
            .iter()
            .map(|m| format!("{} {}", m.first_name, m.last_name))
            .collect()
    };
    let mut q = query(MemberScope::All);
    let all = store.search_members(&q, None).await.unwrap();
    assert_eq!(all.total, 7);
    assert_eq!(
        names(&all),
        vec![
            "Ben Adams",
            "dan adams",
            "Chloé Dubois",
            "Ann Okafor",
            "Fay Smith",
            "Gus Smithers",
            "Eve Zephyr"
        ],
        "by last name, then first name, ignoring case"
    );
    q.sort = MemberSort::NameDesc;
    let desc = store.search_members(&q, None).await.unwrap();
    let mut rev = names(&all);
    rev.reverse();
    assert_eq!(names(&desc), rev);
    q.sort = MemberSort::Joined;
    let joined: Vec<MemberId> = store
        .search_members(&q, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(joined, ids, "joined order");
    q.sort = MemberSort::JoinedDesc;
    let mut joined_desc: Vec<MemberId> = store
        .search_members(&q, None)
        .await
        .unwrap()
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    joined_desc.reverse();
    assert_eq!(joined_desc, ids);

    // Paid-up order: never paid first ascending, last descending, on both backends.
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
            ids[5],
            &payment(d(2024, 1, 1), 1),
            None,
            &event("dues.paid", "x"),
        )
        .await
        .unwrap();
    q.sort = MemberSort::PaidUpUntil;
    let asc = store.search_members(&q, None).await.unwrap();
    let tail: Vec<MemberId> = asc.items[5..].iter().map(|m| m.id).collect();
    assert_eq!(tail, vec![ids[5], ids[3]]);
    assert!(asc.items[..5].iter().all(|m| m.paid_up_until.is_none()));
    q.sort = MemberSort::PaidUpUntilDesc;
    let desc = store.search_members(&q, None).await.unwrap();
    let head: Vec<MemberId> = desc.items[..2].iter().map(|m| m.id).collect();
    assert_eq!(head, vec![ids[3], ids[5]]);

    // Pages are slices of the same order, with the same total.
    q.sort = MemberSort::Name;
    q.per_page = 3;
    let mut seen = Vec::new();
    for page in 1..=3 {
        q.page = page;
        let p = store.search_members(&q, None).await.unwrap();
        assert_eq!(p.total, 7);
        seen.extend(names(&p));
    }
    assert_eq!(seen, names(&all));
    q.page = 4;
    assert!(
        store
            .search_members(&q, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    q.page = 0;
    assert_eq!(
        store.search_members(&q, None).await.unwrap().items.len(),
        3,
        "page 0 is read as page 1"
    );
}

pub async fn search_filters_combine(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    store
        .change_status(
            ids[1],
            MemberStatus::Active,
            &StatusChangeInput {
                from: Some(MemberStatus::Active),
                to: MemberStatus::Lapsed,
                effective_on: d(2024, 1, 1),
                reason: "unpaid".into(),
                changed_by: None,
            },
            &event("member.status_changed", "x"),
        )
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
    let mut q = query(MemberScope::All);
    q.branch = Some(o.leeds);
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 3);
    q.status = Some(MemberStatus::Active);
    let p = store.search_members(&q, None).await.unwrap();
    assert_eq!(
        emails(&p),
        vec!["dan.adams@example.com", "eve@zephyr.example"]
    );
    assert!(p.items.iter().all(|m| m.branch == o.leeds
        && m.branch_name == "Leeds"
        && m.status == MemberStatus::Active));
    q.paid_up = Some((true, d(2024, 6, 1)));
    assert_eq!(
        emails(&store.search_members(&q, None).await.unwrap()),
        vec!["dan.adams@example.com"]
    );
    q.text = Some("adams".into());
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 1);
    q.paid_up = Some((false, d(2024, 6, 1)));
    assert_eq!(store.search_members(&q, None).await.unwrap().total, 0);
    let mut q = query(MemberScope::All);
    q.status = Some(MemberStatus::Lapsed);
    assert_eq!(
        emails(&store.search_members(&q, None).await.unwrap()),
        vec!["ben@example.net"]
    );
}

/// Random members in random branches, random scopes and filters: a scoped query never
/// returns a member outside its scope, and returns every member inside it.
pub async fn scope_never_leaks(store: &dyn Store) {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let o = org(store).await;
    let branches = [o.leeds, o.york, o.brixton];
    let mut runner = TestRunner::deterministic();
    let homes = proptest::collection::vec(0usize..3, 30)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let mut members: Vec<(MemberId, UnitId)> = Vec::new();
    for (i, h) in homes.iter().enumerate() {
        let m = new_member(
            "Sam",
            &format!("Member{i}"),
            &format!("sam{i}@example.org"),
            "SE1 7PB",
            branches[*h],
        );
        members.push((add(store, &m).await, branches[*h]));
    }
    let scope_strategy = prop_oneof![
        Just(None),
        proptest::collection::vec(0usize..3, 0..3).prop_map(Some),
    ];
    let case = (
        scope_strategy,
        0usize..30,
        proptest::option::of(0usize..3),
        proptest::option::of("[a-z0-9 ]{1,6}"),
        1u32..4,
        1u32..12,
    );
    for _ in 0..48 {
        let (scope, only, branch_filter, text, page, per_page) =
            case.new_tree(&mut runner).unwrap().current();
        let (scope, allowed): (MemberScope, Vec<MemberId>) = match scope {
            None => (MemberScope::Only(members[only].0), vec![members[only].0]),
            Some(bs) => {
                let units: Vec<UnitId> = bs.iter().map(|b| branches[*b]).collect();
                let allowed = members
                    .iter()
                    .filter(|(_, b)| units.contains(b))
                    .map(|(m, _)| *m)
                    .collect();
                (MemberScope::Branches(units), allowed)
            }
        };
        let mut q = query(scope.clone());
        q.branch = branch_filter.map(|b| branches[b]);
        q.text = text.clone();
        q.page = page;
        q.per_page = per_page;
        let p = store.search_members(&q, None).await.unwrap();
        for m in &p.items {
            assert!(
                allowed.contains(&m.id),
                "{:?} returned {:?} outside scope {scope:?}",
                q,
                m.id
            );
            if let Some(b) = q.branch {
                assert_eq!(m.branch, b);
            }
        }
        if text.is_none() {
            let expected = members
                .iter()
                .filter(|(m, b)| allowed.contains(m) && q.branch.is_none_or(|f| f == *b))
                .count();
            assert_eq!(p.total, expected as u64, "total for {q:?}");
        }
        let access = AccessContext {
            reader: None,
            office: None,
            purpose: "export".into(),
            at: t(1),
        };
        let exported = store.export_members(&scope, &access).await.unwrap();
        let mut got: Vec<MemberId> = exported.iter().map(|m| m.id).collect();
        got.sort();
        let mut want = allowed.clone();
        want.sort();
        assert_eq!(got, want, "export honours scope {scope:?}");
        for m in &allowed {
            assert!(store.member(*m, None).await.unwrap().is_some());
        }
    }
}

pub async fn reads_are_logged_for_each_member_returned(store: &dyn Store) {
    let (o, ids) = directory(store).await;
    let sec = ids[1];
    // A page read: one row per member returned, none for members not on the page.
    let mut q = query(MemberScope::Branches(vec![o.leeds]));
    q.per_page = 2;
    let p = store
        .search_members(&q, Some(&reader(sec, "directory search", t(10))))
        .await
        .unwrap();
    assert_eq!(p.items.len(), 2);
    for m in &p.items {
        let log = store.access_log(m.id, 1, 10).await.unwrap();
        assert_eq!(log.total, 1, "one row for {:?}", m.id);
        assert_eq!(log.items[0].reader, Some(sec));
        assert_eq!(log.items[0].reader_name.as_deref(), Some("Ben Adams"));
        assert_eq!(log.items[0].purpose, "directory search");
        assert_eq!(log.items[0].office.as_deref(), Some("secretary, Leeds"));
        assert_eq!(log.items[0].at, t(10));
    }
    let not_returned = store.access_log(ids[0], 1, 10).await.unwrap();
    assert_eq!(
        not_returned.total, 0,
        "a member in another branch was not read"
    );
    // Unlogged reads write nothing.
    store
        .search_members(&query(MemberScope::All), None)
        .await
        .unwrap();
    store.member(ids[0], None).await.unwrap();
    assert_eq!(store.access_log(ids[0], 1, 10).await.unwrap().total, 0);

    // Member pages and exports are logged too; newest first, paged.
    store
        .member(ids[0], Some(&reader(sec, "member page", t(20))))
        .await
        .unwrap();
    store
        .member(ids[0], Some(&reader(ids[4], "member page", t(30))))
        .await
        .unwrap();
    let operator = AccessContext {
        reader: None,
        office: None,
        purpose: "export".into(),
        at: t(40),
    };
    let exported = store
        .export_members(&MemberScope::Branches(vec![o.brixton]), &operator)
        .await
        .unwrap();
    assert_eq!(exported.len(), 2);
    let log = store.access_log(ids[0], 1, 2).await.unwrap();
    assert_eq!(log.total, 3);
    assert_eq!(log.items.len(), 2);
    assert_eq!(log.items[0].reader, None, "the operator's export, newest");
    assert_eq!(log.items[0].reader_name, None);
    assert_eq!(log.items[0].purpose, "export");
    assert_eq!(log.items[1].reader, Some(ids[4]));
    let older = store.access_log(ids[0], 2, 2).await.unwrap();
    assert_eq!(older.items.len(), 1);
    assert_eq!(older.items[0].at, t(20));
    // Reading a member that does not exist logs nothing and fails nothing.
    assert!(
        store
            .member(MemberId(123_456), Some(&reader(sec, "member page", t(50))))
            .await
            .unwrap()
            .is_none()
    );
}
