//! Conformance: the schema and the unit tree.

use super::*;

pub async fn migrate_twice_and_ping(store: &dyn Store) {
    store.migrate().await.expect("a second migrate is a no-op");
    store.ping().await.expect("ping");
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

pub async fn units_form_a_tree_and_slugs_are_unique(store: &dyn Store) {
    let o = org(store).await;
    let units = store.units().await.unwrap();
    assert_eq!(units.len(), 6);
    let leeds = units.iter().find(|u| u.id == o.leeds).unwrap();
    assert_eq!(leeds.parent, Some(o.north));
    assert_eq!(leeds.kind, UnitKind::Branch);
    assert_eq!(leeds.name, "Leeds");
    assert_eq!(leeds.slug, "leeds");
    let national = units.iter().find(|u| u.id == o.national).unwrap();
    assert_eq!(national.parent, None);

    let before = event_count(store).await;
    assert_eq!(before, 6, "one event per unit created");
    let err = store
        .create_unit(
            Some(o.north),
            UnitKind::Branch,
            "Leeds again",
            "leeds",
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "slug"),
        "duplicate slug: {err:?}"
    );
    let err = store
        .create_unit(
            Some(UnitId(999_999)),
            UnitKind::Branch,
            "Nowhere",
            "nowhere",
            &event("unit.created", "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        event_count(store).await,
        before,
        "no event for a failed change"
    );
    assert_eq!(store.units().await.unwrap().len(), 6);
}
