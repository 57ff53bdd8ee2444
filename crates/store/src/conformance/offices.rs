//! Conformance: offices and bodies.

use super::*;

pub async fn appointments_close_the_previous_term(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.leeds),
    )
    .await;
    let sec = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap();
    let chair = store
        .create_office(o.leeds, OfficeKind::Chair, &event("office.created", "x"))
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .create_office(
            o.leeds,
            OfficeKind::Secretary,
            &event("office.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "one secretary office per unit: {err:?}"
    );
    assert_eq!(event_count(store).await, before);

    let term = |y, m, day| Term {
        starts_on: d(y, m, day),
        ends_on: None,
    };
    store
        .appoint(sec, a, term(2024, 1, 1), &event("office.appointed", "x"))
        .await
        .unwrap();
    store
        .appoint(sec, b, term(2024, 6, 1), &event("office.appointed", "x"))
        .await
        .unwrap();

    let on = |y, m, day| d(y, m, day);
    let leeds = store.offices(Some(o.leeds), on(2024, 3, 1)).await.unwrap();
    assert_eq!(leeds.len(), 2);
    let s = leeds.iter().find(|r| r.id == sec).unwrap();
    assert_eq!(s.kind, OfficeKind::Secretary);
    assert_eq!(s.unit, o.leeds);
    assert_eq!(s.unit_name, "Leeds");
    assert_eq!(s.unit_kind, UnitKind::Branch);
    assert_eq!(s.holder, Some(a));
    assert_eq!(s.holder_name.as_deref(), Some("Ann Okafor"));
    assert_eq!(
        s.term,
        Some(Term {
            starts_on: d(2024, 1, 1),
            ends_on: Some(d(2024, 5, 31))
        }),
        "closed the day before"
    );
    let c = leeds.iter().find(|r| r.id == chair).unwrap();
    assert_eq!((c.holder, c.term), (None, None), "vacant office");

    let later = store.offices(Some(o.leeds), on(2024, 7, 1)).await.unwrap();
    assert_eq!(later.iter().find(|r| r.id == sec).unwrap().holder, Some(b));
    assert_eq!(store.offices(None, on(2024, 7, 1)).await.unwrap().len(), 2);
    assert!(
        store
            .offices(Some(o.york), on(2024, 7, 1))
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        store
            .offices_held(a, on(2024, 3, 1))
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![sec]
    );
    assert!(
        store
            .offices_held(a, on(2024, 7, 1))
            .await
            .unwrap()
            .is_empty(),
        "powers end with the term"
    );
    assert!(
        store
            .offices_held(b, on(2024, 5, 31))
            .await
            .unwrap()
            .is_empty(),
        "and start with it"
    );
    assert_eq!(
        store.offices_held(b, on(2030, 1, 1)).await.unwrap().len(),
        1
    );

    let before = event_count(store).await;
    let err = store
        .appoint(sec, MemberId(99_999), term(2024, 8, 1), &event("x", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        store.offices_held(b, on(2030, 1, 1)).await.unwrap().len(),
        1,
        "failed appointment closed nothing"
    );
    assert_eq!(event_count(store).await, before);
}

pub async fn bodies_have_seats_and_holders(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    let b = add(
        store,
        &new_member("Ben", "Adams", "ben@example.org", "LS1 1AA", o.york),
    )
    .await;
    let c = add(
        store,
        &new_member("Cat", "Jones", "cat@example.org", "LS1 1AA", o.york),
    )
    .await;
    let body = store
        .create_body(
            &NewBody {
                unit: o.north,
                name: "North regional committee".into(),
                kind: "committee".into(),
                seats: 2,
                filled_by: "elected by the regional meeting for two years".into(),
            },
            &event("body.created", "x"),
        )
        .await
        .unwrap();
    let term = Term {
        starts_on: d(2024, 1, 1),
        ends_on: Some(d(2025, 12, 31)),
    };
    store
        .fill_seat(body, a, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    store
        .fill_seat(body, b, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap();
    let before = event_count(store).await;
    let err = store
        .fill_seat(body, c, term, "appointed", &event("seat.filled", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "no third holder of two seats: {err:?}"
    );
    let err = store
        .fill_seat(body, a, term, "elected", &event("seat.filled", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(event_count(store).await, before);

    let bodies = store.bodies(Some(o.north), d(2024, 6, 1)).await.unwrap();
    assert_eq!(bodies.len(), 1);
    let r = &bodies[0];
    assert_eq!((r.id, r.unit, r.seats), (body, o.north, 2));
    assert_eq!(r.name, "North regional committee");
    assert_eq!(r.kind, "committee");
    assert_eq!(r.filled_by, "elected by the regional meeting for two years");
    let holders: Vec<(MemberId, &str, &str)> = r
        .holders
        .iter()
        .map(|h| (h.member, h.name.as_str(), h.how.as_str()))
        .collect();
    assert_eq!(
        holders,
        vec![(a, "Ann Okafor", "elected"), (b, "Ben Adams", "elected")]
    );
    assert_eq!(r.holders[0].term, term);
    assert!(
        store.bodies(Some(o.north), d(2026, 1, 1)).await.unwrap()[0]
            .holders
            .is_empty(),
        "terms end"
    );
    assert!(
        store
            .bodies(Some(o.south), d(2024, 6, 1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.bodies(None, d(2024, 6, 1)).await.unwrap().len(), 1);
    // After the terms end a seat can be filled again.
    let next = Term {
        starts_on: d(2026, 1, 1),
        ends_on: None,
    };
    store
        .fill_seat(body, c, next, "co-opted", &event("seat.filled", "x"))
        .await
        .unwrap();
}
