//! Joining and leaving over HTTP on both databases: the join API's 201 contract, bad input
//! with field errors, no email enumeration, the form's protections (origin, per-address
//! limit, body size, the robots' field), officers' decisions by API and by page, resigning,
//! and the restricted sign-in of an expelled member (attack tests: refused everywhere but
//! their own record).

mod common;

use std::net::{IpAddr, Ipv4Addr};

use bytes::Bytes;
use charter_domain::{ApplicationState, MemberId, MemberStatus, OfficeKind, UnitId};
use charter_store::{MemberQuery, MemberScope, MemberSort};
use common::{BRANCH_SECRETARY, MEMBER, TestApp, TestClient, TestResponse};
use http::Method;
use serde_json::{Value, json};

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

/// The branch where the demo's branch secretary holds office.
async fn secretary_branch(app: &TestApp) -> UnitId {
    app.app()
        .actor(app.account(BRANCH_SECRETARY).member)
        .await
        .unwrap()
        .offices
        .iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .expect("the branch secretary holds a secretary's office")
        .unit
}

fn application(email: &str, branch: UnitId) -> Value {
    json!({
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": email,
        "postcode": "SE1 7PB",
        "branch_id": branch.0,
        "consent": true,
    })
}

async fn member_count(app: &TestApp) -> usize {
    app.store()
        .member_facts(common::today())
        .await
        .unwrap()
        .len()
}

async fn queued_letters(app: &TestApp) -> Vec<(String, String)> {
    let now = common::now() + chrono::Duration::days(400);
    app.store()
        .claim_outbox(now, now + chrono::Duration::hours(1), 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.address, m.subject))
        .collect()
}

/// An ordinary active member of `branch` who holds no demo account.
async fn ordinary_member(app: &TestApp, branch: UnitId) -> MemberId {
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    app.store()
        .search_members(
            &MemberQuery {
                scope: MemberScope::Branches(vec![branch]),
                text: None,
                branch: None,
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: MemberSort::Name,
                page: 1,
                per_page: 50,
            },
            None,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.id)
        .find(|m| !accounts.contains(m))
        .expect("an ordinary member")
}

fn assert_received(res: &TestResponse) -> Value {
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    assert_eq!(body["status"], "received");
    body
}

both_backends!(
    the_join_api_answers_201_alike_for_new_and_registered_addresses,
    |app| async move {
        let branch = secretary_branch(&app).await;
        let c = app.client();
        let before = member_count(&app).await;
        let new = c
            .post_json(
                "/api/v1/applications",
                &application("grace@example.net", branch),
            )
            .await;
        let new_body = assert_received(&new);
        assert_eq!(member_count(&app).await, before + 1);
        let creds = app
            .store()
            .credentials("grace@example.net")
            .await
            .unwrap()
            .expect("an applicant is made");
        assert_eq!(creds.status, MemberStatus::Applicant);

        // A registered member's address: the same answer, byte for byte, and no duplicate.
        let known = app.account(MEMBER).email.clone();
        let again = c
            .post_json("/api/v1/applications", &application(&known, branch))
            .await;
        assert_eq!(assert_received(&again), new_body);
        assert_eq!(again.body, new.body);
        assert_eq!(member_count(&app).await, before + 1);
        let member = app.store().credentials(&known).await.unwrap().unwrap();
        assert_eq!(
            member.status,
            MemberStatus::Active,
            "nothing about them changed"
        );

        // The applicant hears they applied; the registered member hears it was their address.
        let letters = queued_letters(&app).await;
        assert!(
            letters
                .iter()
                .any(|(to, s)| to == "grace@example.net" && s.starts_with("Your application"))
        );
        assert!(
            letters
                .iter()
                .any(|(to, s)| *to == known && s.starts_with("Your application")),
            "{letters:?}"
        );
        assert!(
            letters
                .iter()
                .any(|(_, s)| s.starts_with("New application to join")),
            "the branch's officers are told: {letters:?}"
        );
    }
);

both_backends!(
    bad_applications_are_4xx_with_field_errors,
    |app| async move {
        let c = app.client();
        let before = member_count(&app).await;
        let res = c.post_json("/api/v1/applications", &json!({})).await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert_eq!(res.error_code(), "invalid");
        let fields = res.json()["error"]["fields"].clone();
        for f in [
            "first_name",
            "last_name",
            "email",
            "postcode",
            "branch",
            "consent",
        ] {
            assert!(fields.get(f).is_some(), "{f} is named: {fields}");
        }
        let branch = secretary_branch(&app).await;
        let mut bad = application("not an address", branch);
        bad["branch_id"] = json!(1);
        bad["consent"] = json!(false);
        let res = c.post_json("/api/v1/applications", &bad).await;
        assert_eq!(res.status, 422);
        let fields = res.json()["error"]["fields"].clone();
        assert!(
            fields["email"].is_string()
                && fields["branch"].is_string()
                && fields["consent"].is_string(),
            "{fields}"
        );
        // A field the organisation does not ask for is refused, not silently stored.
        let mut extra = application("extra@example.net", branch);
        extra["dues_plan"] = json!("annual");
        let res = c.post_json("/api/v1/applications", &extra).await;
        assert_eq!(res.status, 422);
        assert!(res.json()["error"]["fields"]["dues_plan"].is_string());

        for (body, status) in [
            (&b"{"[..], 400),
            (&b"{\"branch_id\": \"seven\"}"[..], 400),
            (&b"{\"colour\": \"red\"}"[..], 400),
        ] {
            let res = c
                .send(
                    Method::POST,
                    "/api/v1/applications",
                    &JSON,
                    Bytes::from_static(body),
                )
                .await;
            assert_eq!(res.status, status, "{}", res.text());
            res.error_code();
        }
        let res = c
            .send(
                Method::POST,
                "/api/v1/applications",
                &[("content-type", "text/plain")],
                Bytes::from_static(b"{}"),
            )
            .await;
        assert_eq!(res.status, 415);
        let huge = json!({"first_name": "x".repeat(10 * 1024)});
        let res = c.post_json("/api/v1/applications", &huge).await;
        assert_eq!(res.status, 413);
        assert_eq!(res.error_code(), "too_large");
        assert_eq!(member_count(&app).await, before, "nothing bad was recorded");
    }
);

both_backends!(
    the_join_form_refuses_other_sites_and_drops_robots,
    |app| async move {
        let branch = secretary_branch(&app).await;
        let c = app.client();
        let before = member_count(&app).await;
        let body = application("robot@example.net", branch);
        let res = c
            .send(
                Method::POST,
                "/api/v1/applications",
                &[
                    ("content-type", "application/json"),
                    ("origin", "http://evil.example"),
                ],
                Bytes::from(body.to_string()),
            )
            .await;
        assert_eq!(res.status, 403);
        assert_eq!(res.error_code(), "csrf");
        let res = c
            .send(
                Method::POST,
                "/join",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("origin", "http://evil.example"),
                ],
                Bytes::from_static(b"first_name=Evil"),
            )
            .await;
        assert_eq!(res.status, 403);
        // The field only robots fill in: answered as received, nothing recorded.
        let mut robot = body.clone();
        robot["website"] = json!("http://spam.example");
        assert_received(&c.post_json("/api/v1/applications", &robot).await);
        let res = c
            .post_form(
                "/join",
                &[
                    ("first_name", "Robo"),
                    ("last_name", "Bot"),
                    ("email", "robot@example.net"),
                    ("postcode", "SE1 7PB"),
                    ("branch", &branch.0.to_string()),
                    ("consent", "yes"),
                    ("website", "http://spam.example"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(res.header("location"), Some("/join/received"));
        assert_eq!(member_count(&app).await, before);
        assert!(
            app.store()
                .credentials("robot@example.net")
                .await
                .unwrap()
                .is_none()
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_are_limited_per_address_and_only_that_address() {
    let config = charter_web::WebConfig {
        applications_per_hour: 2,
        ..charter_web::WebConfig::default()
    };
    let Some(app) = TestApp::spawn_with(common::Backend::Sqlite, config).await else {
        return;
    };
    let branch = secretary_branch(&app).await;
    let c = app.client();
    for n in 0..2 {
        let res = c
            .post_json(
                "/api/v1/applications",
                &application(&format!("n{n}@example.net"), branch),
            )
            .await;
        assert_received(&res);
    }
    let res = c
        .post_json(
            "/api/v1/applications",
            &application("n2@example.net", branch),
        )
        .await;
    assert_eq!(res.status, 429);
    assert_eq!(res.error_code(), "rate_limited");
    assert_eq!(res.header("retry-after"), Some("3600"));
    assert!(
        app.store()
            .credentials("n2@example.net")
            .await
            .unwrap()
            .is_none()
    );
    let page = c.post_form("/join", &[("first_name", "Late")]).await;
    assert_eq!(page.status, 429);
    assert!(
        page.text().contains("too many applications"),
        "{}",
        page.text()
    );
    // The budget is the address's own: another address still has all of its own, and no
    // email or branch is a key, so nobody can spend someone else's.
    let other = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    assert!(charter_web::session::joining_allowed(&app.state, other).is_ok());
}

both_backends!(officers_decide_applications_by_api, |app| async move {
    let branch = secretary_branch(&app).await;
    assert_received(
        &app.client()
            .post_json(
                "/api/v1/applications",
                &application("grace@example.net", branch),
            )
            .await,
    );
    let grace = app
        .store()
        .credentials("grace@example.net")
        .await
        .unwrap()
        .unwrap()
        .member;
    // A plain member may not see applications, nor decide one.
    let member = app.sign_in(MEMBER).await;
    let res = member.get("/api/v1/applications").await;
    assert_eq!(res.status, 403);
    assert_eq!(res.error_code(), "forbidden");
    let officer = app.sign_in(BRANCH_SECRETARY).await;
    let res = officer.get("/api/v1/applications").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let items = res.json()["items"].as_array().unwrap().clone();
    let a = items
        .iter()
        .find(|a| a["member_id"] == grace.0)
        .expect("the secretary sees their branch's application");
    assert_eq!(a["state"], "pending");
    assert_eq!(a["email"], "grace@example.net");
    let id = a["id"].as_i64().unwrap();
    let res = member
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        officer.get("/api/v1/applications?state=maybe").await.status,
        422
    );
    let res = officer
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"decision": "refuse", "reason": ""}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["reason"].is_string());
    let res = officer
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"decision": "accept", "reason": "met at the branch meeting"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "accepted");
    let res = officer
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"decision": "refuse", "reason": "second thoughts"}),
        )
        .await;
    assert_eq!(res.status, 409);
    let detail = app.store().member(grace, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Active);
    let last = detail.status_history.last().unwrap();
    assert_eq!(last.changed_by, Some(app.account(BRANCH_SECRETARY).member));
    assert_eq!(last.reason, "met at the branch meeting");
    let res = officer.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["state"], "accepted");
    assert_eq!(officer.get("/api/v1/applications/999999").await.status, 404);
});

both_backends!(
    an_expelled_members_session_reaches_only_their_own_record,
    |app| async move {
        let branch = secretary_branch(&app).await;
        let target = ordinary_member(&app, branch).await;
        // Signed in while active, then expelled: the open session ends with the status.
        let c = app.sign_in_member(target).await;
        assert_eq!(c.get("/members").await.status, 200);
        let officer = app.sign_in(BRANCH_SECRETARY).await;
        // No officer expels alone: the refusal names the clause and the bodies it names.
        let res = officer
            .post_json(
                &format!("/api/v1/members/{}/status", target.0),
                &json!({"status": "expelled", "reason": "by decision of the disciplinary panel"}),
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        assert!(res.text().contains("clause 8.1"), "{}", res.text());
        assert_eq!(c.get("/members").await.status, 200);
        app.decided_status(target, MemberStatus::Expelled).await;
        assert_eq!(c.get("/api/v1/members").await.status, 401);
        assert_eq!(c.get("/api/v1/me").await.status, 401);

        // Signing in afresh as an expelled member gives a session restricted to their record.
        let (email, password) = app.give_password(target).await;
        let fresh = app.client();
        let res = fresh
            .post_json(
                "/api/v1/session",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_refused_but_own_record(&app, &fresh, target).await;

        // A suspended officer's office carries no power while the suspension lasts.
        let secretary = app.account(BRANCH_SECRETARY).member;
        let national = app.sign_in(common::NATIONAL).await;
        let res = national
            .post_json(
                &format!("/api/v1/members/{}/status", secretary.0),
                &json!({"status": "suspended", "reason": "pending an inquiry"}),
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        app.decided_status(secretary, MemberStatus::Suspended).await;
        // The suspended officer's session, which read members a moment ago, has ended.
        let res = officer.get(&format!("/api/v1/members/{}", target.0)).await;
        assert_eq!(res.status, 401);
        // Signed in again, their office carries no power while the suspension lasts.
        let officer = app.sign_in(BRANCH_SECRETARY).await;
        let res = officer.get(&format!("/api/v1/members/{}", target.0)).await;
        assert_eq!(res.status, 403);
        assert_eq!(officer.get("/api/v1/applications").await.status, 403);
        assert_eq!(officer.get("/me").await.status, 200);
    }
);

async fn assert_refused_but_own_record(app: &TestApp, c: &TestClient, me: MemberId) {
    let meeting = app
        .store()
        .meetings(None, None)
        .await
        .unwrap()
        .first()
        .map(|m| m.id)
        .expect("the demo has meetings");
    let ballot = app.store().ballots().await.unwrap()[0].id;
    for page in [
        "/members".to_string(),
        format!("/members/{}", me.0),
        format!("/members/{}/edit", me.0),
        "/meetings".to_string(),
        format!("/meetings/{meeting}"),
        "/ballots".to_string(),
        format!("/ballots/{ballot}"),
        "/elections".to_string(),
        "/rolls".to_string(),
        "/units".to_string(),
        "/constitution".to_string(),
        "/me/rights".to_string(),
        "/me/calendar.ics".to_string(),
        "/applications".to_string(),
        "/invitations".to_string(),
        format!("/ballots/{ballot}/published"),
    ] {
        let res = c.get(&page).await;
        assert_eq!(res.status, 403, "GET {page}: {}", res.text());
        assert!(res.text().contains("only your own record"), "GET {page}");
    }
    for api in [
        "/api/v1/members".to_string(),
        format!("/api/v1/members/{}", me.0),
        "/api/v1/meetings".to_string(),
        "/api/v1/ballots".to_string(),
        format!("/api/v1/ballots/{ballot}"),
        "/api/v1/events".to_string(),
        "/api/v1/units".to_string(),
        "/api/v1/constitution".to_string(),
        "/api/v1/rolls".to_string(),
        "/api/v1/applications".to_string(),
    ] {
        let res = c.get(&api).await;
        assert_eq!(res.status, 403, "GET {api}: {}", res.text());
        assert_eq!(res.error_code(), "forbidden", "GET {api}");
    }
    let res = c
        .patch_json(
            &format!("/api/v1/members/{}", me.0),
            &json!({"postcode": "SE1 1AA"}),
        )
        .await;
    assert_eq!(res.status, 403);
    // Their own record and who has read it: on the page and in the API.
    let res = c.get("/me").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let text = res.text();
    assert!(text.contains("Your membership is expelled"), "{text}");
    assert!(text.contains("Who has read my data"));
    assert!(
        !text.contains("href=\"/members\""),
        "the nav offers only what it reaches"
    );
    assert!(
        !text.contains("/me/resign"),
        "an expelled member cannot resign"
    );
    let res = c.get("/api/v1/me").await;
    assert_eq!(res.status, 200, "{}", res.text());
    // Their own sign-in too: a password they can change, so it stays theirs.
    let res = c.get("/me/security").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = c.get("/api/v1/me/two-factor").await;
    assert_eq!(res.status, 200, "{}", res.text());
}

both_backends!(
    a_resigned_member_cannot_sign_in_and_their_sessions_end,
    |app| async move {
        let branch = secretary_branch(&app).await;
        let target = ordinary_member(&app, branch).await;
        let c = app.sign_in_member(target).await;
        let other = app.sign_in_member(target).await;
        let res = c
            .post_json("/api/v1/me/resignation", &json!({"confirm": false}))
            .await;
        assert_eq!(res.status, 422);
        assert!(res.json()["error"]["fields"]["confirm"].is_string());
        let res = c
            .post_json(
                "/api/v1/me/resignation",
                &json!({"confirm": true, "reason": "moving abroad"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["status"], "resigned");
        assert!(res.header("set-cookie").unwrap().contains("Max-Age=0"));
        // Every session of theirs ended, not only this one.
        assert_eq!(other.get("/api/v1/me").await.status, 401);
        let (email, password) = app.give_password(target).await;
        let res = app
            .client()
            .post_json(
                "/api/v1/session",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status, 403);
        assert!(res.text().contains("resigned"));
    }
);

// ---------------------------------------------------------------- pages

both_backends!(join_then_an_officer_accepts_by_page, |app| async move {
    let branch = secretary_branch(&app).await;
    let visitor = app.client();
    let sign_in = visitor.get("/sign-in").await;
    assert!(
        sign_in.text().contains("href=\"/join\""),
        "linked from sign-in"
    );
    let res = visitor.get("/join").await;
    assert_eq!(res.status, 200);
    let form = res.text();
    assert!(form.contains("name=\"consent\""));
    assert!(form.contains("I want to join"), "the statement is shown");
    assert!(form.contains(&format!("value=\"{}\"", branch.0)));
    assert!(form.contains("class=\"hp\""));

    let branch_value = branch.0.to_string();
    let mut fields = vec![
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("email", "grace@example.net"),
        ("postcode", "not a postcode"),
        ("branch", branch_value.as_str()),
    ];
    let res = visitor.post_form("/join", &fields).await;
    assert_eq!(res.status, 422);
    let text = res.text();
    assert!(text.contains("error-summary"), "{text}");
    assert!(text.contains("id=\"postcode\""));
    assert!(text.contains("aria-invalid=\"true\""));
    assert!(text.contains("tick the box"), "{text}");
    assert!(text.contains("value=\"Grace\""), "what was typed is kept");

    fields[3] = ("postcode", "SE1 7PB");
    fields.push(("consent", "yes"));
    let res = visitor.post_form("/join", &fields).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.header("location"), Some("/join/received"));
    let res = visitor.get("/join/received").await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("Thank you"));

    let officer = app.sign_in(BRANCH_SECRETARY).await;
    let me = officer.get("/me").await.text();
    assert!(
        me.contains("href=\"/applications\""),
        "officers find the list"
    );
    let res = officer.get("/applications").await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("Grace Hopper"));
    let id = app
        .app()
        .applications(
            &app.app()
                .actor(app.account(BRANCH_SECRETARY).member)
                .await
                .unwrap(),
            None,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == "grace@example.net")
        .unwrap()
        .id;
    let res = officer.get(&format!("/applications/{id}")).await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("grace@example.net"));
    let csrf = officer.csrf_token().unwrap();
    let res = officer
        .post_form(
            &format!("/applications/{id}/decision"),
            &[("csrf", &csrf), ("decision", "accept"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("/applications?decided=accepted")
    );
    let res = officer.get("/applications?decided=accepted").await;
    assert!(res.text().contains("welcome letter"));
    let grace = app
        .store()
        .credentials("grace@example.net")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.status, MemberStatus::Active);
    // A plain member's session cannot open the officers' pages.
    let member = app.sign_in(MEMBER).await;
    assert_eq!(member.get("/applications").await.status, 403);
    assert_eq!(member.get(&format!("/applications/{id}")).await.status, 403);
});

both_backends!(an_officer_refuses_with_a_reason_by_page, |app| async move {
    let branch = secretary_branch(&app).await;
    assert_received(
        &app.client()
            .post_json(
                "/api/v1/applications",
                &application("ada@example.net", branch),
            )
            .await,
    );
    let officer = app.sign_in(BRANCH_SECRETARY).await;
    let actor = app
        .app()
        .actor(app.account(BRANCH_SECRETARY).member)
        .await
        .unwrap();
    let id = app.app().applications(&actor, None).await.unwrap()[0].id;
    let csrf = officer.csrf_token().unwrap();
    let path = format!("/applications/{id}/decision");
    let res = officer
        .post_form(
            &path,
            &[("csrf", &csrf), ("decision", "refuse"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status, 422);
    let text = res.text();
    assert!(text.contains("a refusal needs a reason"), "{text}");
    assert!(text.contains("id=\"reason\""));
    let res = officer
        .post_form(&path, &[("decision", "refuse"), ("reason", "no token")])
        .await;
    assert_eq!(res.status, 403, "a form without its CSRF token is refused");
    let res = officer
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("decision", "refuse"),
                ("reason", "we could not confirm the address"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let a = app.app().application(&actor, id).await.unwrap();
    assert_eq!(a.state, ApplicationState::Refused);
    assert_eq!(
        a.reason.as_deref(),
        Some("we could not confirm the address")
    );
    let res = officer.get(&format!("/applications/{id}")).await;
    assert!(res.text().contains("we could not confirm the address"));
    assert!(!res.text().contains("Record the decision"), "decided once");
});

both_backends!(a_member_resigns_after_confirming, |app| async move {
    let branch = secretary_branch(&app).await;
    let target = ordinary_member(&app, branch).await;
    let c = app.sign_in_member(target).await;
    let me = c.get("/me").await.text();
    assert!(me.contains("href=\"/me/resign\""));
    let res = c.get("/me/resign").await;
    assert_eq!(res.status, 200);
    let text = res.text();
    assert!(text.contains("you cannot sign in again"), "{text}");
    assert!(text.contains("Resign my membership"));
    let csrf = c.csrf_token().unwrap();
    let res = c
        .post_form(
            "/me/resign",
            &[("csrf", &csrf), ("reason", "moving abroad")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("tick the box"));
    assert!(
        res.text().contains("moving abroad"),
        "the reason typed is kept"
    );
    assert_eq!(
        app.store()
            .member_standing(target)
            .await
            .unwrap()
            .unwrap()
            .1,
        MemberStatus::Active
    );
    let res = c
        .post_form(
            "/me/resign",
            &[
                ("csrf", &csrf),
                ("reason", "moving abroad"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.header("location"), Some("/resigned"));
    assert!(res.header("set-cookie").unwrap().contains("Max-Age=0"));
    let res = c.get("/resigned").await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("apply to join again"));
    let res = c.get("/me").await;
    assert_eq!(res.status, 303, "signed out");
    let detail = app.store().member(target, None).await.unwrap().unwrap();
    assert_eq!(detail.record.status, MemberStatus::Resigned);
    let last = detail.status_history.last().unwrap();
    assert_eq!(last.reason, "resigned: moving abroad");
    assert_eq!(last.changed_by, Some(target));
});
