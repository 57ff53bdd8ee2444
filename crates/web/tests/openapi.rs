//! The OpenAPI document is snapshot-tested, so every change to the API is a deliberate one
//! that shows up in review.

mod common;

#[test]
fn openapi_document_is_unchanged() {
    insta::assert_json_snapshot!("openapi", charter_web::api::openapi());
}

#[test]
fn every_api_route_is_documented() {
    let doc = charter_web::api::openapi();
    let paths: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
    for p in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/members/{id}/status",
        "/api/v1/members/{id}/payments",
        "/api/v1/members/{id}/affiliations",
        "/api/v1/members/{id}/affiliations/{aff}/verify",
        "/api/v1/members/{id}/transfer",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/events",
        "/api/v1/members/{id}/rights",
        "/api/v1/constitution",
        "/api/v1/constitution/versions",
        "/api/v1/constitution/versions/{id}",
        "/api/v1/amendments",
        "/api/v1/amendments/{id}",
        "/api/v1/amendments/{id}/impact",
        "/api/v1/amendments/{id}/historical-entries",
        "/api/v1/amendments/{id}/ballots",
        "/api/v1/meetings/{id}/amendments",
        "/api/v1/meetings/{id}/discipline",
        "/api/v1/join-form",
        "/api/v1/applications",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{id}/decision",
        "/api/v1/me/resignation",
        "/api/v1/invitations",
        "/api/v1/invitations/without-password",
        "/api/v1/password-resets",
        "/api/v1/passwords",
        "/api/v1/me/password",
        "/api/v1/me/email-changes",
        "/api/v1/email-confirmations",
        "/api/v1/session/two-factor",
        "/api/v1/me/two-factor",
        "/api/v1/me/two-factor/confirmation",
        "/api/v1/me/two-factor/removal",
        "/api/v1/account-policy",
    ] {
        assert!(paths.contains(&p), "{p} is not documented: {paths:?}");
    }
    let doc = serde_json::to_value(doc).unwrap();
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids must be unique");
}

both_backends!(
    the_served_document_is_the_snapshotted_one,
    |app| async move {
        let res = app.client().get("/api/openapi.json").await;
        assert_eq!(res.status, 200);
        assert!(
            res.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let served = res.json();
        let built = serde_json::to_value(charter_web::api::openapi()).unwrap();
        assert_eq!(served, built);
    }
);
