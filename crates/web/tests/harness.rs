//! The test harness itself: the server answers, the demo accounts sign in, cookies are kept.

mod common;

both_backends!(health_and_demo_sign_ins, |app| async move {
    let client = app.client();
    let res = client.get("/healthz").await;
    assert_eq!(res.status, 200);
    let res = client.get("/readyz").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.text().contains(&app.backend.to_string()),
        "{}",
        res.text()
    );
    for role in common::ROLES {
        let signed_in = app.sign_in(role).await;
        assert!(
            signed_in
                .cookie(charter_web::session::COOKIE_NAME)
                .is_some()
        );
        assert!(signed_in.csrf_token().is_some());
    }
});
