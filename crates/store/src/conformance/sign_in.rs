//! Conformance: sessions and passwords.

use super::*;

pub async fn sessions_and_passwords(store: &dyn Store) {
    let o = org(store).await;
    let a = add(
        store,
        &new_member("Ann", "Okafor", "ann@example.org", "SE1 7PB", o.leeds),
    )
    .await;
    assert_eq!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        None
    );
    assert!(
        store
            .credentials("nobody@example.org")
            .await
            .unwrap()
            .is_none()
    );
    store.set_password(a, "$argon2id$v=19$test").await.unwrap();
    assert_eq!(
        store
            .credentials("ann@example.org")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$v=19$test")
    );
    assert!(matches!(
        store.set_password(MemberId(4040), "x").await,
        Err(StoreError::NotFound(_))
    ));

    let s = SessionRecord {
        token_hash: "ab".repeat(32),
        member: a,
        csrf_token: "csrf".into(),
        created_at: t(100),
        expires_at: t(100) + Duration::hours(12),
        second_factor_pending: false,
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), Some(s.clone()));
    assert!(matches!(
        store.create_session(&s).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.session("unknown").await.unwrap(), None);
    store.delete_session(&s.token_hash).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), None);
    store
        .delete_session(&s.token_hash)
        .await
        .expect("deleting twice is fine");
    let orphan = SessionRecord {
        member: MemberId(5050),
        token_hash: "cd".repeat(32),
        ..s
    };
    assert!(
        store.create_session(&orphan).await.is_err(),
        "a session needs a member"
    );
}
