//! The story's insiders try the doors that used to be open, one after another, on the demo
//! organisation: each is shut, and each refusal says why, with its clause where a clause
//! decides it.
//!
//! 1. The national secretary types in a conference that never met, to adopt an amendment.
//! 2. She enters a "historical" conference alone, and one dated after its entry.
//! 3. She expels a member in one call; a branch secretary suspends one.
//! 4. The steering committee's dissolution of the National Committee is shown for what it
//!    was: the unit page names it and the clauses it broke.
//! 5. An expelled treasurer's open session, and a suspended secretary's office.
//! 6. Member numbers cannot be tried to find out who is on the register, and personal
//!    responses are never kept by a browser or proxy.

mod common;

use charter_domain::{MemberId, MemberStatus, UnitKind};
use common::{BRANCH_SECRETARY, NATIONAL, TREASURER, TestApp};
use http::StatusCode;
use serde_json::json;

/// An active member of the branch secretary's branch who holds no demo account.
async fn a_member_of_the_secretarys_branch(app: &TestApp) -> MemberId {
    let secretary = app.account(BRANCH_SECRETARY).member;
    let branch = app
        .store()
        .member(secretary, None)
        .await
        .unwrap()
        .unwrap()
        .record
        .branch;
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let page = app
        .store()
        .search_members(
            &charter_store::MemberQuery {
                scope: charter_store::MemberScope::All,
                text: None,
                branch: Some(branch),
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: charter_store::MemberSort::Name,
                page: 1,
                per_page: 50,
            },
            None,
        )
        .await
        .unwrap();
    page.items
        .into_iter()
        .map(|m| m.id)
        .find(|id| !accounts.contains(id))
        .unwrap()
}

both_backends!(every_door_of_the_story_is_shut, |app| async move {
    let national = app.sign_in(NATIONAL).await;
    let amendments = national.get("/api/v1/amendments").await.text();

    // 1. A conference that never met cannot adopt anything: there is no route for it.
    let typed = national
        .post_json(
            "/api/v1/amendments/1/decisions",
            &json!({"body": "conference", "meeting_kind": "special-conference",
                    "notice_sent_on": "2000-01-01", "meeting_on": "2026-11-01",
                    "members_entitled": 400, "present": 300, "votes_for": 250,
                    "votes_against": 0, "abstentions": 0}),
        )
        .await;
    assert!(
        matches!(typed.status.as_u16(), 404 | 405),
        "{}",
        typed.text()
    );
    assert_eq!(national.get("/api/v1/amendments").await.text(), amendments);

    // 2. A historical conference: one officer's entry records nothing, and none is dated
    //    after the moment it is entered.
    let toml = app.amendment_text("leadership", 60).await;
    let proposed = national
        .post_json(
            "/api/v1/amendments",
            &json!({"title": "Leadership elected by the National Council", "toml": toml}),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text());
    let id = proposed.json()["id"].as_i64().unwrap();
    let minutes = |held_on: String| {
        json!({"body": "conference", "kind": "special-conference",
               "notice_on": (common::today() - chrono::Days::new(5)).to_string(),
               "held_on": held_on, "entitled": 400, "present": 300, "votes_for": 250,
               "votes_against": 40, "abstentions": 10})
    };
    let path = format!("/api/v1/amendments/{id}/historical-entries");
    let future = national
        .post_json(
            &path,
            &minutes((common::today() + chrono::Days::new(1)).to_string()),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.json()["error"]["fields"]["held_on"].is_string());
    for _ in 0..2 {
        let alone = national
            .post_json(&path, &minutes(common::today().to_string()))
            .await;
        assert_eq!(alone.status, StatusCode::OK, "{}", alone.text());
        assert_eq!(alone.json()["state"], "awaiting-second-entry");
    }
    let detail = national
        .get(&format!("/api/v1/amendments/{id}"))
        .await
        .json();
    assert_eq!(detail["state"], "proposed");
    assert!(detail["attempts"].as_array().unwrap().is_empty());

    // 3. Nobody suspends or expels alone: the refusal names clause 8.1 and the bodies.
    let target = a_member_of_the_secretarys_branch(&app).await;
    for (who, status) in [(&national, "expelled")] {
        let res = who
            .post_json(
                &format!("/api/v1/members/{}/status", target.0),
                &json!({"status": status, "reason": "spoke against the leadership"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
        assert!(res.text().contains("clause 8.1"), "{}", res.text());
    }
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let res = secretary
        .post_json(
            &format!("/api/v1/members/{}/status", target.0),
            &json!({"status": "suspended", "reason": "pending an inquiry"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert!(res.text().contains("clause 8.1"), "{}", res.text());
    assert_eq!(
        app.store()
            .member(target, None)
            .await
            .unwrap()
            .unwrap()
            .record
            .status,
        MemberStatus::Active
    );

    // 4. The unit page shows the dissolution that did not bind, with its clauses.
    let units = app.store().units().await.unwrap();
    let national_unit = units.iter().find(|u| u.kind == UnitKind::National).unwrap();
    let page = secretary
        .get(&format!("/units/{}", national_unit.id.0))
        .await
        .text();
    let committee = page
        .split("<h3>National Committee")
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .expect("the National Committee is listed");
    assert!(committee.contains("did not bind (clauses"), "{committee}");
    assert!(committee.contains("6.3"), "{committee}");

    // 5. An expelled treasurer's open session ends with the status; signed in again, the
    //    office carries nothing.
    let treasurer = app.sign_in(TREASURER).await;
    let treasurer_id = app.account(TREASURER).member;
    let someone = app
        .store()
        .search_members(
            &charter_store::MemberQuery {
                scope: charter_store::MemberScope::All,
                text: None,
                branch: Some(
                    app.store()
                        .member(treasurer_id, None)
                        .await
                        .unwrap()
                        .unwrap()
                        .record
                        .branch,
                ),
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: charter_store::MemberSort::Name,
                page: 1,
                per_page: 5,
            },
            None,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.id)
        .find(|m| *m != treasurer_id)
        .unwrap();
    let read = format!("/api/v1/members/{}", someone.0);
    assert_eq!(treasurer.get(&read).await.status, StatusCode::OK);
    app.decided_status(treasurer_id, MemberStatus::Expelled)
        .await;
    assert_eq!(treasurer.get(&read).await.status, StatusCode::UNAUTHORIZED);
    let again = app.sign_in(TREASURER).await;
    assert_eq!(again.get(&read).await.status, StatusCode::FORBIDDEN);
    let pay = again
        .post_json(
            &format!("/api/v1/members/{}/payments", someone.0),
            &json!({"paid_on": common::today().to_string(), "amount": "5.00", "months": 1}),
        )
        .await;
    assert_eq!(pay.status, StatusCode::FORBIDDEN, "{}", pay.text());
    assert_eq!(again.get("/me").await.status, StatusCode::OK);

    // A suspended secretary signs in to their own record only.
    let secretary_id = app.account(BRANCH_SECRETARY).member;
    app.decided_status(secretary_id, MemberStatus::Suspended)
        .await;
    let suspended = app.sign_in(BRANCH_SECRETARY).await;
    assert_eq!(
        suspended
            .get(&format!("/api/v1/members/{}", target.0))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        suspended.get("/api/v1/members").await.status,
        StatusCode::FORBIDDEN
    );

    // 6. An unknown number is refused in the words an unreachable member is; personal data
    //    is never kept.
    let member = app.sign_in(common::MEMBER).await;
    let unknown = member.get("/api/v1/members/99999999").await;
    let known = member.get(&format!("/api/v1/members/{}", target.0)).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(known.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.text(), known.text());
    let me = member.get("/api/v1/me").await;
    assert_eq!(me.header("cache-control"), Some("no-store"));
});
