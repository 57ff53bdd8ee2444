//! The structure over HTTP on both backends: `POST /api/v1/units` with
//! `{"kind","name","parent_id"}` answers `201 {"id"}` and `GET /api/v1/units` lists the unit;
//! rename, merge and close; only a national officer may, and a refusal writes nothing; the
//! unit page offers the forms to national officers only; no route appoints to an office.

mod common;

use common::{BRANCH_SECRETARY, DPO, MEMBER, NATIONAL, REGIONAL, TREASURER, TestApp};
use http::StatusCode;
use serde_json::{Value, json};

async fn units(c: &common::TestClient) -> Vec<Value> {
    let res = c.get("/api/v1/units").await;
    assert_eq!(res.status, StatusCode::OK);
    res.json().as_array().unwrap().clone()
}

fn by_id(list: &[Value], id: i64) -> Value {
    list.iter()
        .find(|u| u["id"] == id)
        .unwrap_or_else(|| panic!("unit {id} is listed"))
        .clone()
}

async fn events(app: &TestApp) -> usize {
    app.store().events(0, 1_000_000).await.unwrap().len()
}

both_backends!(
    national_officers_create_rename_merge_and_close_units,
    |app| async move {
        let national = app.sign_in(NATIONAL).await;
        let list = units(&national).await;
        let national_id = list.iter().find(|u| u["kind"] == "national").unwrap()["id"]
            .as_i64()
            .unwrap();
        let southwark = list
            .iter()
            .find(|u| u["slug"] == "southwark")
            .unwrap()
            .clone();

        // The contract, exactly.
        let res = national
            .post_json(
                "/api/v1/units",
                &json!({"kind": "region", "name": "Thames Valley", "parent_id": national_id}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let body = res.json();
        assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["id"]);
        let region = body["id"].as_i64().unwrap();
        let listed = by_id(&units(&national).await, region);
        assert_eq!(
            (
                &listed["kind"],
                &listed["name"],
                &listed["parent_id"],
                &listed["slug"]
            ),
            (
                &json!("region"),
                &json!("Thames Valley"),
                &json!(national_id),
                &json!("thames-valley")
            )
        );
        assert_eq!(listed["closed_on"], Value::Null);
        assert_eq!(listed["members"], 0);

        let res = national
            .post_json(
                "/api/v1/units",
                &json!({"kind": "branch", "name": "Reading", "parent_id": region}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let branch = res.json()["id"].as_i64().unwrap();
        let detail = national
            .get(&format!("/api/v1/units/{branch}"))
            .await
            .json();
        assert_eq!(detail["unit"]["parent_id"], region);
        assert!(
            detail["bodies"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["kind"] == "branch-meeting"),
            "the constitution's branch bodies exist for it: {detail}"
        );

        // Bad input is a 4xx naming the field, and writes nothing.
        let before = events(&app).await;
        for (req, field) in [
            (
                json!({"kind": "county", "name": "X", "parent_id": national_id}),
                "kind",
            ),
            (
                json!({"kind": "branch", "name": "  ", "parent_id": region}),
                "name",
            ),
            (
                json!({"kind": "branch", "name": "X", "parent_id": branch}),
                "parent_id",
            ),
            (
                json!({"kind": "region", "name": "X", "parent_id": 999_999}),
                "parent_id",
            ),
        ] {
            let res = national.post_json("/api/v1/units", &req).await;
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{req}: {}",
                res.text()
            );
            assert!(
                res.json()["error"]["fields"][field].is_string(),
                "{req}: {}",
                res.text()
            );
        }
        let res = national
            .post_json(
                "/api/v1/units",
                &json!({"kind": "region", "name": "X", "colour": 1}),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert_eq!(events(&app).await, before);

        // Rename, then merge the branch into Southwark and close the emptied region.
        let res = national
            .post_json(
                &format!("/api/v1/units/{branch}/rename"),
                &json!({"name": "Reading and Slough"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
        let res = national
            .post_json(
                &format!("/api/v1/units/{branch}/merge"),
                &json!({"into_id": region}),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a branch merges into a branch"
        );
        let res = national
            .post_json(
                &format!("/api/v1/units/{branch}/merge"),
                &json!({"into_id": southwark["id"]}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json(), json!({"members_moved": 0, "units_moved": 0}));
        let res = national
            .post_json(&format!("/api/v1/units/{region}/close"), &json!({}))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
        let list = units(&national).await;
        let merged = by_id(&list, branch);
        assert_eq!(
            (&merged["name"], &merged["merged_into_id"]),
            (&json!("Reading and Slough"), &southwark["id"])
        );
        assert!(merged["closed_on"].is_string());
        assert!(by_id(&list, region)["closed_on"].is_string());
        // A closed unit takes no change; one with members does not close.
        let res = national
            .post_json(
                &format!("/api/v1/units/{branch}/rename"),
                &json!({"name": "Again"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        let res = national
            .post_json(
                &format!("/api/v1/units/{}/close", southwark["id"]),
                &json!({}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(
            res.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("merge")
        );

        // Officers' holdings say where they came from.
        let detail = national
            .get(&format!("/api/v1/units/{national_id}"))
            .await
            .json();
        assert!(
            detail["officers"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["holder_id"].is_number())
                .all(|o| o["mandate"].is_string()),
            "{detail}"
        );
    }
);

both_backends!(nobody_else_changes_the_structure, |app| async move {
    let list = units(&app.sign_in(MEMBER).await).await;
    let national_id = list.iter().find(|u| u["kind"] == "national").unwrap()["id"].clone();
    let region = list.iter().find(|u| u["kind"] == "region").unwrap()["id"].clone();
    let branch = list.iter().find(|u| u["slug"] == "southwark").unwrap()["id"].clone();
    let other = list.iter().find(|u| u["slug"] == "havering").unwrap()["id"].clone();
    let before = events(&app).await;
    for role in [REGIONAL, BRANCH_SECRETARY, TREASURER, DPO, MEMBER] {
        let c = app.sign_in(role).await;
        for (path, body) in [
            (
                "/api/v1/units".to_string(),
                json!({"kind": "region", "name": "Mine", "parent_id": national_id}),
            ),
            (
                "/api/v1/units".to_string(),
                json!({"kind": "branch", "name": "Mine", "parent_id": region}),
            ),
            (
                format!("/api/v1/units/{branch}/rename"),
                json!({"name": "Mine"}),
            ),
            (
                format!("/api/v1/units/{branch}/merge"),
                json!({"into_id": other}),
            ),
            (format!("/api/v1/units/{branch}/close"), json!({})),
        ] {
            let res = c.post_json(&path, &body).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{role} {path}: {}",
                res.text()
            );
            assert_eq!(res.error_code(), "forbidden");
        }
        // The unit page offers them no structure forms.
        let page = c.get(&format!("/units/{branch}")).await.text();
        assert!(!page.contains("/rename\""), "{role} sees the forms");
    }
    let res = app
        .client()
        .post_json("/api/v1/units", &json!({"kind": "region", "name": "X"}))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(events(&app).await, before, "refusals write nothing");

    // The national officer sees the forms.
    let page = app
        .sign_in(NATIONAL)
        .await
        .get(&format!("/units/{branch}"))
        .await
        .text();
    assert!(
        page.contains(&format!("action=\"/units/{branch}/rename\"")),
        "{page}"
    );
    assert!(page.contains(&format!("action=\"/units/{branch}/merge\"")));
});

both_backends!(
    no_route_appoints_without_a_binding_decision,
    |app| async move {
        let national = app.sign_in(NATIONAL).await;
        let detail = national.get("/api/v1/units").await.json();
        let branch = detail
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["slug"] == "southwark")
            .unwrap()["id"]
            .clone();
        let office = national
            .get(&format!("/api/v1/units/{branch}"))
            .await
            .json()["officers"][0]["office_id"]
            .clone();
        let before = events(&app).await;
        for path in [
            format!("/api/v1/offices/{office}"),
            format!("/api/v1/offices/{office}/holders"),
            format!("/api/v1/units/{branch}/officers"),
            format!("/api/v1/units/{branch}/offices/{office}/appoint"),
        ] {
            let res = national.post_json(&path, &json!({"member_id": 1})).await;
            assert!(
                res.status == StatusCode::NOT_FOUND || res.status == StatusCode::METHOD_NOT_ALLOWED,
                "{path}: {}",
                res.status
            );
        }
        // An appointment motion to a meeting must match what the constitution in force allows:
        // the demo's constitution fills no branch office by appointment, so it is refused.
        let meeting = national.get("/api/v1/meetings").await.json()[0]["id"].clone();
        let res = national
            .post_json(
                &format!("/api/v1/meetings/{meeting}/appointments"),
                &json!({"office_id": office, "member_id": 1}),
            )
            .await;
        assert!(res.status.is_client_error(), "{}", res.text());
        assert_eq!(events(&app).await, before);
    }
);

both_backends!(
    the_structure_forms_show_errors_beside_their_fields,
    |app| async move {
        let c = app.sign_in(NATIONAL).await;
        let csrf = c.csrf_token().expect("token");
        let list = units(&c).await;
        let region = list.iter().find(|u| u["kind"] == "region").unwrap()["id"].clone();
        let branch = list.iter().find(|u| u["slug"] == "southwark").unwrap()["id"].clone();

        // An empty name: the form comes back with the summary and the message beside the field.
        let res = c
            .post_form(
                &format!("/units/{region}/units"),
                &[("csrf", &csrf), ("kind", "branch"), ("name", " ")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text();
        assert!(page.contains("Nothing was added"), "{page}");
        assert!(page.contains("id=\"nu-name-error\""), "{page}");
        assert!(page.contains("href=\"#nu-name\""), "{page}");

        // A branch with members does not close: the message is on the close form.
        let res = c
            .post_form(&format!("/units/{branch}/close"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        let page = res.text();
        assert!(
            page.contains("It was not closed") && page.contains("merge"),
            "{page}"
        );

        // A branch added from the region's page, then merged away from its own page.
        let res = c
            .post_form(
                &format!("/units/{region}/units"),
                &[("csrf", &csrf), ("kind", "branch"), ("name", "Form Branch")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        let new = units(&c)
            .await
            .into_iter()
            .find(|u| u["name"] == "Form Branch")
            .unwrap()["id"]
            .clone();
        let res = c
            .post_form(
                &format!("/units/{new}/merge"),
                &[("csrf", &csrf), ("into", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains("id=\"mg-into-error\""));
        let into = branch.to_string();
        let res = c
            .post_form(
                &format!("/units/{new}/merge"),
                &[("csrf", &csrf), ("into", &into)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        let page = c.get(&format!("/units/{new}")).await.text();
        assert!(
            page.contains("closed</span>") && page.contains("when it merged into"),
            "{page}"
        );
        assert!(
            !page.contains("action=\"/units/"),
            "a closed unit offers no forms"
        );
        // Without the CSRF token nothing happens.
        let res = c
            .post_form(&format!("/units/{branch}/rename"), &[("name", "Stolen")])
            .await;
        assert!(res.status.is_client_error());
        assert!(by_id(&units(&c).await, branch.as_i64().unwrap())["name"] != "Stolen");
    }
);
