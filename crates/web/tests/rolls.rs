//! Rolls over HTTP on both backends: every member sees the counts and their own line with
//! the clause; officers freeze rolls for their units and see names in their scope (logged);
//! a member challenges an exclusion and an officer over their branch decides, with reasons.

mod common;

use charter_domain::UnitId;
use charter_model::RollId;
use common::{BRANCH_SECRETARY, MEMBER, NATIONAL, REGIONAL, TREASURER, TestApp};
use serde_json::{Value, json};

/// Unit ids come from the database (the generator does not know them).
async fn unit_id(app: &TestApp, slug: &str) -> UnitId {
    let units = app.store().units().await.unwrap();
    units.iter().find(|u| u.slug == slug).unwrap().id
}

both_backends!(members_see_counts_and_their_own_line, |app| async move {
    let member = app.sign_in(MEMBER).await;
    let list = member.get("/api/v1/rolls").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let rolls = list.json();
    let rolls: Vec<&serde_json::Value> = rolls
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["context"] == "conference")
        .collect();
    assert_eq!(rolls.len(), 2, "the demo freezes two conference rolls");
    for r in rolls {
        let id = r["id"].as_i64().unwrap();
        let res = member.get(&format!("/api/v1/rolls/{id}")).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let v = res.json();
        let branches = v["branches"].as_array().unwrap();
        let sum = |k: &str| branches.iter().map(|b| b[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!(sum("eligible"), v["roll"]["eligible"].as_i64().unwrap());
        assert_eq!(sum("excluded"), v["roll"]["excluded"].as_i64().unwrap());
        let me = &v["me"];
        assert_eq!(
            me["member_id"].as_i64().unwrap(),
            app.account(MEMBER).member.0
        );
        if !me["eligible"].as_bool().unwrap() {
            assert!(!me["clauses"].as_array().unwrap().is_empty(), "{me}");
            assert!(me["reason"].as_str().unwrap().contains("clause"), "{me}");
        }
        assert_eq!(v["roll"]["frozen_hash"].as_str().unwrap().len(), 64);
        let check = member
            .get(&format!("/api/v1/rolls/{id}/verification"))
            .await;
        assert_eq!(check.status, 200);
        assert_eq!(check.json()["frozen_hash_matches"], json!(true));
        // Names are for officers only.
        let names = member.get(&format!("/api/v1/rolls/{id}/entries")).await;
        assert_eq!(names.status, 403, "{}", names.text());
    }
    assert_eq!(app.client().get("/api/v1/rolls").await.status, 401);
    assert_eq!(member.get("/api/v1/rolls/999999").await.status, 404);
    assert_eq!(member.get("/api/v1/rolls/abc").await.status, 400);
});

both_backends!(
    officers_freeze_rolls_for_their_units_only,
    |app| async move {
        let southwark = unit_id(&app, "southwark").await;
        let havering = unit_id(&app, "havering").await;
        let branch = app.sign_in(BRANCH_SECRETARY).await;
        let events_before = app.store().events(0, 100_000).await.unwrap().len();
        let body = |unit: UnitId| {
            json!({
                "title": "Branch meeting roll",
                "context": "branch-meeting",
                "unit_id": unit.0,
            })
        };
        let refused = branch.post_json("/api/v1/rolls", &body(havering)).await;
        assert_eq!(refused.status, 403, "{}", refused.text());
        let member = app.sign_in(MEMBER).await;
        assert_eq!(
            member
                .post_json("/api/v1/rolls", &body(southwark))
                .await
                .status,
            403
        );
        let treasurer = app.sign_in(TREASURER).await;
        assert_eq!(
            treasurer
                .post_json("/api/v1/rolls", &body(havering))
                .await
                .status,
            403
        );
        let bad = branch
            .post_json(
                "/api/v1/rolls",
                &json!({ "title": "", "context": "picnic", "cutoff": "2999-01-01" }),
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text());
        let fields = bad.json()["error"]["fields"].clone();
        for f in ["title", "context", "cutoff"] {
            assert!(fields.get(f).is_some(), "{f} missing from {fields}");
        }
        let unknown = branch
            .post_json(
                "/api/v1/rolls",
                &json!({ "title": "x", "context": "conference", "colour": 1 }),
            )
            .await;
        assert_eq!(unknown.status, 400);
        assert_eq!(
            app.store().events(0, 100_000).await.unwrap().len(),
            events_before,
            "refused and invalid requests write nothing"
        );

        let ok = branch.post_json("/api/v1/rolls", &body(southwark)).await;
        assert_eq!(ok.status, 201, "{}", ok.text());
        let id = ok.json()["id"].as_i64().unwrap();
        let detail = branch.get(&format!("/api/v1/rolls/{id}")).await.json();
        let branches = detail["branches"].as_array().unwrap();
        assert_eq!(
            branches.len(),
            1,
            "a branch meeting's roll lists that branch only"
        );
        assert_eq!(branches[0]["branch_id"].as_i64().unwrap(), southwark.0);
        // The branch secretary sees the names of their branch; each one is logged.
        let names = branch
            .get(&format!("/api/v1/rolls/{id}/entries?per_page=500"))
            .await;
        assert_eq!(names.status, 200, "{}", names.text());
        let names = names.json();
        let total = detail["roll"]["eligible"].as_i64().unwrap()
            + detail["roll"]["excluded"].as_i64().unwrap();
        assert_eq!(names["total"].as_i64().unwrap(), total);
        let first: &Value = &names["items"][0];
        let reader = app.account(BRANCH_SECRETARY).member;
        let logged = app
            .store()
            .access_log(
                charter_domain::MemberId(first["member_id"].as_i64().unwrap()),
                1,
                50,
            )
            .await
            .unwrap();
        assert!(
            logged
                .items
                .iter()
                .any(|e| e.reader == Some(reader) && e.purpose == "roll names"),
            "{logged:?}"
        );
        // Outside their branch the list is empty, not leaked.
        let national = app.sign_in(NATIONAL).await;
        let conference = national
            .post_json(
                "/api/v1/rolls",
                &json!({ "title": "Conference", "context": "conference" }),
            )
            .await;
        assert_eq!(conference.status, 201, "{}", conference.text());
        let cid = conference.json()["id"].as_i64().unwrap();
        let havering_names = branch
            .get(&format!(
                "/api/v1/rolls/{cid}/entries?branch={}",
                havering.0
            ))
            .await;
        assert_eq!(havering_names.status, 200);
        assert_eq!(havering_names.json()["total"], json!(0));
    }
);

both_backends!(
    a_member_challenges_and_an_officer_decides,
    |app| async move {
        let national = app.sign_in(NATIONAL).await;
        // Nobody in the demo sits on the steering committee except its members, so the member
        // is off this roll and may challenge.
        let res = national
        .post_json(
            "/api/v1/rolls",
            &json!({ "title": "Steering committee", "context": "committee:steering-committee" }),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let id = res.json()["id"].as_i64().unwrap();
        let member = app.sign_in(MEMBER).await;
        let me = member.get(&format!("/api/v1/rolls/{id}")).await.json()["me"].clone();
        assert_eq!(me["eligible"], json!(false), "{me}");
        let path = format!("/api/v1/rolls/{id}/challenges");
        let empty = member.post_json(&path, &json!({ "grounds": " " })).await;
        assert_eq!(empty.status, 422);
        let lodged = member
            .post_json(
                &path,
                &json!({ "grounds": "I was elected at the last conference" }),
            )
            .await;
        assert_eq!(lodged.status, 201, "{}", lodged.text());
        let cid = lodged.json()["id"].as_i64().unwrap();
        let again = member
            .post_json(&path, &json!({ "grounds": "again" }))
            .await;
        assert_eq!(again.status, 409, "{}", again.text());

        let decision = format!("/api/v1/challenges/{cid}/decision");
        let body =
            json!({ "upheld": false, "reason": "the conference minutes show no such election" });
        assert_eq!(member.post_json(&decision, &body).await.status, 403);
        let treasurer = app.sign_in(TREASURER).await;
        assert_eq!(treasurer.post_json(&decision, &body).await.status, 403);
        let no_reason = app
            .sign_in(BRANCH_SECRETARY)
            .await
            .post_json(&decision, &json!({ "upheld": true, "reason": "" }))
            .await;
        assert_eq!(no_reason.status, 422);
        let regional = app.sign_in(REGIONAL).await;
        let decided = regional.post_json(&decision, &body).await;
        assert_eq!(decided.status, 204, "{}", decided.text());
        assert_eq!(regional.post_json(&decision, &body).await.status, 409);
        assert_eq!(
            national
                .post_json("/api/v1/challenges/999999/decision", &body)
                .await
                .status,
            404
        );

        let v = member.get(&format!("/api/v1/rolls/{id}")).await.json();
        assert_eq!(v["challenges"][0]["state"], json!("rejected"));
        assert_eq!(
            v["challenges"][0]["decision_reason"],
            json!("the conference minutes show no such election")
        );
        assert_ne!(v["roll"]["current_hash"], v["roll"]["frozen_hash"]);
        let check = member
            .get(&format!("/api/v1/rolls/{id}/verification"))
            .await
            .json();
        assert_eq!(check["current_hash_matches"], json!(true), "{check}");
        // Another member does not see this challenge; the national officer does.
        let other = national.get(&format!("/api/v1/rolls/{id}")).await.json();
        assert_eq!(other["challenges"].as_array().unwrap().len(), 1);
    }
);

fn assert_page(res: &common::TestResponse, status: u16, needle: &str) {
    let body = res.text();
    assert_eq!(res.status.as_u16(), status, "{body}");
    assert!(body.contains(needle), "{needle:?} not in: {body}");
}

both_backends!(
    the_roll_pages_freeze_challenge_and_decide,
    |app| async move {
        let national = app.sign_in(NATIONAL).await;
        let csrf = national.csrf_token().unwrap();
        assert_page(&national.get("/rolls").await, 200, "Freeze a roll");
        // Bad input is shown against its fields, and nothing is frozen.
        let before = app.store().rolls().await.unwrap().len();
        let res = national
            .post_form(
                "/rolls",
                &[
                    ("csrf", &csrf),
                    ("title", ""),
                    ("context", "conference"),
                    ("cutoff", "someday"),
                ],
            )
            .await;
        assert_page(&res, 422, "is not a date");
        assert_eq!(app.store().rolls().await.unwrap().len(), before);
        let res = national
            .post_form(
                "/rolls",
                &[
                    ("csrf", &csrf),
                    ("title", "Steering committee roll"),
                    ("context", "committee:steering-committee"),
                    ("right", "vote"),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.text());
        let location = res.header("location").unwrap().to_string();
        assert!(location.starts_with("/rolls/"), "{location}");
        let path = location.split('?').next().unwrap().to_string();

        // The member is off it, is told why, and challenges on the page.
        let member = app.sign_in(MEMBER).await;
        let mcsrf = member.csrf_token().unwrap();
        assert_page(&member.get("/rolls").await, 200, "Steering committee roll");
        assert_page(&member.get(&path).await, 200, "You are not on this roll");
        assert_page(
            &member.get(&format!("{path}/names")).await,
            403,
            "only officers",
        );
        let res = member
            .post_form(
                &format!("{path}/challenges"),
                &[("csrf", &mcsrf), ("grounds", "")],
            )
            .await;
        assert_page(&res, 422, "say why you should be on the roll");
        let res = member
            .post_form(
                &format!("{path}/challenges"),
                &[("csrf", &mcsrf), ("grounds", "I was elected in March")],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.text());
        assert_page(&member.get(&path).await, 200, "waiting for a decision");
        let roll_id: i64 = path.trim_start_matches("/rolls/").parse().unwrap();
        let challenge = app.store().challenges(RollId(roll_id)).await.unwrap()[0].id;

        // The branch secretary over the member's branch decides it, with a reason.
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let scsrf = secretary.csrf_token().unwrap();
        assert_page(&secretary.get(&path).await, 200, "Record decision");
        let decision = format!("/challenges/{challenge}/decision");
        let roll_field = roll_id.to_string();
        let res = secretary
            .post_form(
                &decision,
                &[
                    ("csrf", &scsrf),
                    ("roll", &roll_field),
                    ("outcome", "upheld"),
                    ("reason", ""),
                ],
            )
            .await;
        assert_page(&res, 422, "give the reason");
        let res = secretary
            .post_form(
                &decision,
                &[
                    ("csrf", &scsrf),
                    ("roll", &roll_field),
                    ("outcome", "upheld"),
                    ("reason", "minutes of the March conference checked"),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{}", res.text());
        assert_page(
            &member.get(&path).await,
            200,
            "You were added when your challenge was upheld",
        );
        assert_page(
            &secretary.get(&format!("{path}/names?eligible=yes")).await,
            200,
            "challenge upheld",
        );
        // Without the CSRF token nothing is written.
        let res = member
            .post_form(&format!("{path}/challenges"), &[("grounds", "again")])
            .await;
        assert_eq!(res.status.as_u16(), 403);
        assert_eq!(
            app.store().challenges(RollId(roll_id)).await.unwrap().len(),
            1
        );
    }
);
