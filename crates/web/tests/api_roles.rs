//! Every API route tried as each demo role, across branches: powers come from offices, scoped
//! to units, deny by default. Writes leave a governance event; refused or invalid writes leave
//! nothing; reads by others leave an access-log entry the member can see.

mod common;

use charter_domain::{MemberId, MemberStatus, UnitId};
use charter_store::{MemberQuery, MemberScope, MemberSort};
use common::{BRANCH_SECRETARY, DPO, MEMBER, NATIONAL, REGIONAL, ROLES, TREASURER, TestApp};
use http::StatusCode;
use serde_json::{Value, json};

/// The branches the demo's officers serve, and one outside London.
struct Places {
    southwark: UnitId,
    havering: UnitId,
    elsewhere: UnitId,
}

async fn places(app: &TestApp) -> Places {
    let units = app.store().units().await.unwrap();
    let by_slug = |s: &str| units.iter().find(|u| u.slug == s).unwrap().clone();
    let southwark = by_slug("southwark");
    let havering = by_slug("havering");
    // The largest branch outside London, so there are members to try things on.
    let stats = app.store().branch_stats(common::today()).await.unwrap();
    let elsewhere = units
        .iter()
        .filter(|u| {
            u.kind == charter_domain::UnitKind::Branch
                && u.parent != southwark.parent
                && u.parent.is_some()
        })
        .max_by_key(|u| {
            stats
                .iter()
                .find(|s| s.branch == Some(u.id))
                .map_or(0, |s| s.active)
        })
        .unwrap();
    Places {
        southwark: southwark.id,
        havering: havering.id,
        elsewhere: elsewhere.id,
    }
}

/// Active members of `branch` who hold no demo account, read without logging (test setup).
async fn active_members(app: &TestApp, branch: UnitId) -> Vec<MemberId> {
    let page = app
        .store()
        .search_members(
            &MemberQuery {
                scope: MemberScope::All,
                text: None,
                branch: Some(branch),
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: MemberSort::Name,
                page: 1,
                per_page: 200,
            },
            None,
        )
        .await
        .unwrap();
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let officers: Vec<MemberId> = app
        .store()
        .offices(None, common::today())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|o| o.holder)
        .collect();
    page.items
        .into_iter()
        .map(|m| m.id)
        .filter(|id| !accounts.contains(id) && !officers.contains(id))
        .collect()
}

async fn event_count(app: &TestApp) -> usize {
    app.store().events(0, u32::MAX).await.unwrap().len()
}

/// Which roles may use a power over a member of each branch (London holds Southwark and
/// Havering; the regional officer is London's membership officer).
fn may_view(role: &str, branch: &str) -> bool {
    match role {
        NATIONAL | DPO => true,
        REGIONAL => branch != "elsewhere",
        BRANCH_SECRETARY => branch == "southwark",
        TREASURER => branch == "havering",
        _ => false,
    }
}

fn may_edit(role: &str, branch: &str) -> bool {
    match role {
        NATIONAL => true,
        REGIONAL => branch != "elsewhere",
        BRANCH_SECRETARY => branch == "southwark",
        _ => false,
    }
}

fn may_record_dues(role: &str, branch: &str) -> bool {
    match role {
        REGIONAL => branch != "elsewhere",
        TREASURER => branch == "havering",
        _ => false,
    }
}

fn expect(allowed: bool, ok: StatusCode) -> StatusCode {
    if allowed { ok } else { StatusCode::FORBIDDEN }
}

// ---------------------------------------------------------------- anonymous

both_backends!(
    personal_data_is_never_kept_by_a_browser_or_proxy,
    |app| async move {
        let officer = app.sign_in(BRANCH_SECRETARY).await;
        let member = app.account(MEMBER).member;
        for path in [
            format!("/api/v1/members/{}", member.0),
            "/api/v1/me".to_string(),
            format!("/members/{}", member.0),
            "/me".to_string(),
            "/sign-in".to_string(),
        ] {
            let res = officer.get(&path).await;
            assert_eq!(res.header("cache-control"), Some("no-store"), "GET {path}");
        }
        // The stylesheet, the same for everyone, is cached for good.
        let css = app.client().get("/static/charter.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(
            css.header("cache-control")
                .is_some_and(|v| v.contains("immutable"))
        );
    }
);

both_backends!(anonymous_gets_401_on_every_route, |app| async move {
    let c = app.client();
    let id = app.account(MEMBER).member.0;
    let body = json!({});
    for (method, path) in [
        ("DELETE", "/api/v1/session".to_string()),
        ("GET", "/api/v1/me".to_string()),
        ("GET", "/api/v1/members".to_string()),
        ("GET", format!("/api/v1/members/{id}")),
        ("PATCH", format!("/api/v1/members/{id}")),
        ("POST", format!("/api/v1/members/{id}/status")),
        ("POST", format!("/api/v1/members/{id}/payments")),
        ("POST", format!("/api/v1/members/{id}/affiliations")),
        (
            "POST",
            format!("/api/v1/members/{id}/affiliations/1/verify"),
        ),
        ("POST", format!("/api/v1/members/{id}/transfer")),
        ("GET", "/api/v1/units".to_string()),
        ("GET", "/api/v1/units/1".to_string()),
        ("GET", "/api/v1/events".to_string()),
    ] {
        let res = c.json(method.parse().unwrap(), &path, &body).await;
        assert_eq!(res.status, 401, "{method} {path}: {}", res.text());
        assert_eq!(res.error_code(), "unauthenticated", "{method} {path}");
    }
    // The document and sign-in itself are open.
    assert_eq!(c.get("/api/openapi.json").await.status, 200);
});

// ---------------------------------------------------------------- sign-in

both_backends!(
    sign_in_sets_a_safe_cookie_and_sign_out_ends_it,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let c = app.client();
        let res = c
            .post_json(
                "/api/v1/session",
                &json!({"email": account.email, "password": account.password}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let cookie = res.header("set-cookie").unwrap().to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        let body = res.json();
        assert_eq!(body["member_id"], account.member.0);
        assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() >= 20));
        assert!(body["expires_at"].is_string());

        let me = c.get("/api/v1/me").await;
        assert_eq!(me.status, 200, "{}", me.text());
        assert_eq!(me.json()["member"]["id"], account.member.0);

        let res = c.delete("/api/v1/session").await;
        assert_eq!(res.status, 204);
        assert_eq!(c.get("/api/v1/me").await.status, 401);
    }
);

both_backends!(
    unknown_email_and_wrong_password_look_the_same,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let c = app.client();
        let mut answers = Vec::new();
        for email in [account.email.as_str(), "nobody.at.all@example.org"] {
            let res = c
                .post_json(
                    "/api/v1/session",
                    &json!({"email": email, "password": "not the password at all"}),
                )
                .await;
            assert_eq!(res.status, 401, "{}", res.text());
            assert!(res.header("set-cookie").is_none());
            answers.push(res.json());
        }
        assert_eq!(answers[0], answers[1], "the answers must not differ");
        assert_eq!(answers[0]["error"]["code"], "bad_credentials");
        // That both paths verify an argon2id hash of the same cost is checked in charter-app
        // (`the_dummy_hash_costs_what_a_real_one_does`); tests never assert wall-clock time.
    }
);

both_backends!(sign_in_is_rate_limited_with_retry_after, |app| async move {
    let c = app.client();
    let account = app.account(MEMBER).clone();
    let mut last = None;
    for _ in 0..12 {
        let res = c
            .post_json(
                "/api/v1/session",
                &json!({"email": account.email, "password": "wrong wrong wrong"}),
            )
            .await;
        last = Some(res);
    }
    let res = last.unwrap();
    assert_eq!(res.status, 429, "{}", res.text());
    assert_eq!(res.error_code(), "rate_limited");
    assert!(res.header("retry-after").is_some());
    // From this address, even the right password is refused until the wait is over (the
    // owner elsewhere is not: see the attack tests in accounts.rs).
    let res = c
        .post_json(
            "/api/v1/session",
            &json!({"email": account.email, "password": account.password}),
        )
        .await;
    assert_eq!(res.status, 429);
});

both_backends!(sign_in_rejects_bad_bodies_as_json, |app| async move {
    let c = app.client();
    for body in [
        json!({"email": "a@example.org"}),
        json!({"email": "a@example.org", "password": "x", "remember": true}),
        json!({"email": 5, "password": "x"}),
        json!([]),
    ] {
        let res = c.post_json("/api/v1/session", &body).await;
        assert_eq!(res.status, 400, "{body}: {}", res.text());
        assert_eq!(res.error_code(), "bad_request");
    }
    let res = c
        .post_json(
            "/api/v1/session",
            &json!({"email": "not-an-email", "password": "x"}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["email"].is_string());
});

// ---------------------------------------------------------------- reads

both_backends!(
    member_reads_follow_offices_across_branches,
    |app| async move {
        let p = places(&app).await;
        let targets = [
            ("southwark", active_members(&app, p.southwark).await[0]),
            ("havering", active_members(&app, p.havering).await[0]),
            ("elsewhere", active_members(&app, p.elsewhere).await[0]),
        ];
        for role in ROLES {
            let c = app.sign_in(role).await;
            for (branch, id) in targets {
                let res = c.get(&format!("/api/v1/members/{}", id.0)).await;
                assert_eq!(
                    res.status,
                    expect(may_view(role, branch), StatusCode::OK),
                    "{role} reading a {branch} member: {}",
                    res.text()
                );
                if res.status == 403 {
                    assert_eq!(res.error_code(), "forbidden");
                    assert!(!res.text().contains("@example"), "a refusal leaks data");
                } else {
                    let m = res.json();
                    assert_eq!(m["id"], id.0);
                    assert!(m["status_history"].is_array());
                    assert!(m["payments"].is_array());
                    assert!(m["affiliations"].is_array());
                    assert!(m["branch_history"].is_array());
                }
            }
            // Everyone may read themselves.
            let me = app.account(role).member.0;
            let res = c.get(&format!("/api/v1/members/{me}")).await;
            assert_eq!(res.status, 200, "{role} reading themselves");
            assert_eq!(res.json()["permissions"]["is_self"], true);
        }
        // Missing members are 404 for those who could see them, never a 500.
        let c = app.sign_in(NATIONAL).await;
        assert_eq!(c.get("/api/v1/members/999999999").await.status, 404);
        // Attack: to anyone whose offices do not reach every branch, an unused number is
        // refused in the same words as a member out of their reach, so trying numbers
        // does not map the register.
        let p = places(&app).await;
        let elsewhere = active_members(&app, p.southwark).await[0];
        for role in [BRANCH_SECRETARY, MEMBER] {
            let c = app.sign_in(role).await;
            let unused = c.get("/api/v1/members/999999999").await;
            let out_of_reach = c.get(&format!("/api/v1/members/{}", elsewhere.0)).await;
            if out_of_reach.status == StatusCode::OK {
                continue;
            }
            assert_eq!(unused.status, out_of_reach.status, "{role}");
            assert_eq!(
                unused.json()["error"]["message"],
                out_of_reach.json()["error"]["message"],
                "{role}"
            );
        }
    }
);

both_backends!(
    directories_hold_only_the_members_an_office_covers,
    |app| async move {
        let p = places(&app).await;
        // A plain member sees only themselves.
        let c = app.sign_in(MEMBER).await;
        let res = c.get("/api/v1/members?per_page=200").await;
        assert_eq!(res.status, 200, "{}", res.text());
        let body = res.json();
        assert_eq!(body["total"], 1);
        assert_eq!(body["items"][0]["id"], app.account(MEMBER).member.0);

        // A branch secretary sees their branch and nothing else, on every page.
        let c = app.sign_in(BRANCH_SECRETARY).await;
        let mut page = 1;
        loop {
            let res = c
                .get(&format!("/api/v1/members?per_page=50&page={page}"))
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            let body = res.json();
            let items = body["items"].as_array().unwrap().clone();
            assert!(body["total"].as_u64().unwrap() > 0);
            for m in &items {
                assert_eq!(m["branch_id"], p.southwark.0, "{m}");
            }
            if items.len() < 50 {
                break;
            }
            page += 1;
        }
        // Asking for another branch is refused, not quietly emptied.
        let res = c
            .get(&format!("/api/v1/members?branch={}", p.havering.0))
            .await;
        assert_eq!(res.status, 403);
        // A search for a member of another branch finds nothing.
        let other = active_members(&app, p.havering).await[0];
        let detail = app.store().member(other, None).await.unwrap().unwrap();
        let res = c
            .get(&format!(
                "/api/v1/members?q={}",
                detail.record.email.replace('@', "%40")
            ))
            .await;
        assert_eq!(res.json()["total"], 0);

        // The treasurer sees Havering only; the regional officer all of London.
        let c = app.sign_in(TREASURER).await;
        let body = c.get("/api/v1/members?per_page=200").await.json();
        for m in body["items"].as_array().unwrap() {
            assert_eq!(m["branch_id"], p.havering.0);
        }
        let c = app.sign_in(REGIONAL).await;
        let body = c.get("/api/v1/members?per_page=200").await.json();
        for m in body["items"].as_array().unwrap() {
            assert_ne!(m["branch_id"], p.elsewhere.0);
        }
        let res = c
            .get(&format!("/api/v1/members?branch={}", p.elsewhere.0))
            .await;
        assert_eq!(res.status, 403);
        // The national officer may filter any branch.
        let c = app.sign_in(NATIONAL).await;
        let res = c
            .get(&format!(
                "/api/v1/members?branch={}&status=active&paid_up=true&sort=-joined",
                p.elsewhere.0
            ))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        for m in res.json()["items"].as_array().unwrap() {
            assert_eq!(m["branch_id"], p.elsewhere.0);
            assert_eq!(m["status"], "active");
        }
    }
);

both_backends!(
    reads_by_others_appear_in_the_members_access_log,
    |app| async move {
        let member = app.account(MEMBER).member;
        let officer = app.account(BRANCH_SECRETARY).member;
        let me = app.sign_in(MEMBER).await;
        let before = me.get("/api/v1/me").await.json()["access_log"]["total"]
            .as_u64()
            .unwrap();
        // Reading yourself is not logged.
        assert_eq!(
            me.get(&format!("/api/v1/members/{}", member.0))
                .await
                .status,
            200
        );
        let c = app.sign_in(BRANCH_SECRETARY).await;
        assert_eq!(
            c.get(&format!("/api/v1/members/{}", member.0)).await.status,
            200
        );
        let body = me.get("/api/v1/me").await.json();
        let log = &body["access_log"];
        assert_eq!(log["total"].as_u64().unwrap(), before + 1, "{log}");
        let entry = &log["items"][0];
        assert_eq!(entry["reader_id"], officer.0);
        assert!(
            entry["office"].as_str().unwrap().contains("secretary"),
            "{entry}"
        );
        // A refused read is not a read.
        let other = app.sign_in(TREASURER).await;
        assert_eq!(
            other
                .get(&format!("/api/v1/members/{}", member.0))
                .await
                .status,
            403
        );
        let after = me.get("/api/v1/me").await.json()["access_log"]["total"]
            .as_u64()
            .unwrap();
        assert_eq!(after, before + 1);
        // The directory logs each member it returns.
        let c = app.sign_in(NATIONAL).await;
        let res = c.get("/api/v1/members?q=southwark.member").await;
        assert_eq!(res.json()["total"], 1);
        let after = me.get("/api/v1/me").await.json()["access_log"]["total"]
            .as_u64()
            .unwrap();
        assert_eq!(after, before + 2);
    }
);

both_backends!(units_are_visible_to_every_member, |app| async move {
    let p = places(&app).await;
    for role in ROLES {
        let c = app.sign_in(role).await;
        let res = c.get("/api/v1/units").await;
        assert_eq!(res.status, 200, "{role}");
        let units = res.json();
        let units = units.as_array().unwrap();
        assert!(units.len() > 80);
        let national = units.iter().find(|u| u["kind"] == "national").unwrap();
        assert_eq!(
            national["members"].as_u64().unwrap(),
            units
                .iter()
                .filter(|u| u["kind"] == "branch")
                .map(|u| u["members"].as_u64().unwrap())
                .sum::<u64>()
        );
        assert!(national["paid_up_percent"].as_u64().unwrap() <= 100);
        let res = c.get(&format!("/api/v1/units/{}", p.southwark.0)).await;
        assert_eq!(res.status, 200, "{role}");
        let unit = res.json();
        assert_eq!(unit["unit"]["slug"], "southwark");
        assert!(!unit["officers"].as_array().unwrap().is_empty());
        assert_eq!(unit["ancestors"][0]["kind"], "national");
        assert_eq!(
            unit["may_view_members"],
            may_view(role, "southwark") && role != MEMBER
        );
        let res = c.get("/api/v1/units/999999").await;
        assert_eq!(res.status, 404);
    }
});

// ---------------------------------------------------------------- writes

both_backends!(
    edits_follow_offices_and_refusals_change_nothing,
    |app| async move {
        let p = places(&app).await;
        let pools = [
            ("southwark", active_members(&app, p.southwark).await),
            ("havering", active_members(&app, p.havering).await),
            ("elsewhere", active_members(&app, p.elsewhere).await),
        ];
        let mut next = [0usize; 3];
        for role in ROLES {
            let c = app.sign_in(role).await;
            for (i, (branch, pool)) in pools.iter().enumerate() {
                let id = pool[next[i] % pool.len()];
                next[i] += 1;
                let before_events = event_count(&app).await;
                let before = app.store().member(id, None).await.unwrap().unwrap();

                let res = c
                    .patch_json(
                        &format!("/api/v1/members/{}", id.0),
                        &json!({"postcode": "SE1 7PB", "phone": "07700 900123"}),
                    )
                    .await;
                let allowed = may_edit(role, branch);
                assert_eq!(
                    res.status,
                    expect(allowed, StatusCode::OK),
                    "{role} editing a {branch} member: {}",
                    res.text()
                );
                let after = app.store().member(id, None).await.unwrap().unwrap();
                if allowed {
                    assert_eq!(res.json()["postcode"], "SE1 7PB");
                    assert_eq!(after.record.postcode, "SE1 7PB");
                    assert_eq!(event_count(&app).await, before_events + 1);
                    let events = app.store().events(0, u32::MAX).await.unwrap();
                    let ev = events.last().unwrap();
                    assert_eq!(ev.kind, "member.updated");
                    assert_eq!(ev.actor_member, Some(app.account(role).member));
                } else {
                    assert_eq!(after, before, "{role}: a refused edit changed the member");
                    assert_eq!(event_count(&app).await, before_events);
                }

                let before_events = event_count(&app).await;
                // Small branches lend the same member to several roles: toggle their status.
                let target = match before.record.status {
                    MemberStatus::Active => MemberStatus::Lapsed,
                    _ => MemberStatus::Active,
                };
                let res = c
                .post_json(
                    &format!("/api/v1/members/{}/status", id.0),
                    &json!({"status": target.as_str(), "reason": "decided at the branch meeting"}),
                )
                .await;
                assert_eq!(
                    res.status,
                    expect(allowed, StatusCode::OK),
                    "{role} changing the status of a {branch} member: {}",
                    res.text()
                );
                let status = app
                    .store()
                    .member(id, None)
                    .await
                    .unwrap()
                    .unwrap()
                    .record
                    .status;
                if allowed {
                    assert_eq!(status, target);
                    assert_eq!(event_count(&app).await, before_events + 1);
                } else {
                    assert_eq!(status, before.record.status);
                    assert_eq!(event_count(&app).await, before_events);
                }

                let before_events = event_count(&app).await;
                let res = c
                    .post_json(
                        &format!("/api/v1/members/{}/payments", id.0),
                        &json!({"paid_on": "2026-11-30", "amount": "5.00", "months": 1}),
                    )
                    .await;
                let dues = may_record_dues(role, branch);
                assert_eq!(
                    res.status,
                    expect(dues, StatusCode::CREATED),
                    "{role} recording dues for a {branch} member: {}",
                    res.text()
                );
                let payments = app
                    .store()
                    .member(id, None)
                    .await
                    .unwrap()
                    .unwrap()
                    .payments
                    .len();
                if dues {
                    assert_eq!(payments, before.payments.len() + 1);
                    assert_eq!(event_count(&app).await, before_events + 1);
                } else {
                    assert_eq!(payments, before.payments.len());
                    assert_eq!(event_count(&app).await, before_events);
                }
            }
        }
    }
);

both_backends!(transfers_need_power_over_both_branches, |app| async move {
    let p = places(&app).await;
    let southwark = active_members(&app, p.southwark).await;
    let havering = active_members(&app, p.havering).await;
    let before_events = event_count(&app).await;

    // The branch secretary may not push a member out to a branch they do not serve…
    let c = app.sign_in(BRANCH_SECRETARY).await;
    let body = json!({"to_branch": p.havering.0, "reason": "moved house"});
    let res = c
        .post_json(
            &format!("/api/v1/members/{}/transfer", southwark[0].0),
            &body,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    // …nor pull one in from another branch.
    let body = json!({"to_branch": p.southwark.0, "reason": "moved house"});
    let res = c
        .post_json(
            &format!("/api/v1/members/{}/transfer", havering[0].0),
            &body,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    for role in [MEMBER, TREASURER, DPO] {
        let c = app.sign_in(role).await;
        let res = c
            .post_json(
                &format!("/api/v1/members/{}/transfer", havering[0].0),
                &body,
            )
            .await;
        assert_eq!(res.status, 403, "{role}: {}", res.text());
    }
    assert_eq!(event_count(&app).await, before_events);
    assert_eq!(
        app.store().member_branch(havering[0]).await.unwrap(),
        Some(p.havering)
    );

    // The regional officer covers both.
    let c = app.sign_in(REGIONAL).await;
    let res = c
        .post_json(
            &format!("/api/v1/members/{}/transfer", havering[0].0),
            &body,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        app.store().member_branch(havering[0]).await.unwrap(),
        Some(p.southwark)
    );
    assert_eq!(event_count(&app).await, before_events + 1);
    let m = c
        .get(&format!("/api/v1/members/{}", havering[0].0))
        .await
        .json();
    assert_eq!(
        m["branch_history"].as_array().unwrap().last().unwrap()["to_id"],
        p.southwark.0
    );

    // An invalid transfer (same branch, no reason) is a 422 and changes nothing.
    let res = c
        .post_json(
            &format!("/api/v1/members/{}/transfer", havering[0].0),
            &json!({"to_branch": p.southwark.0, "reason": ""}),
        )
        .await;
    assert_eq!(res.status, 422);
    let fields = &res.json()["error"]["fields"];
    assert!(
        fields["to_branch"].is_string() && fields["reason"].is_string(),
        "{fields}"
    );
    assert_eq!(event_count(&app).await, before_events + 1);
});

both_backends!(
    affiliations_are_declared_and_verified_by_those_allowed,
    |app| async move {
        let member = app.account(MEMBER).member;
        // A member declares their own affiliation.
        let me = app.sign_in(MEMBER).await;
        let res = me
            .post_json(
                &format!("/api/v1/members/{}/affiliations", member.0),
                &json!({"organisation": "Green Lanes Co-operative", "since": "2025-01-01"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let aff = res.json()["affiliation_id"].as_i64().unwrap();
        // But may not verify it, nor declare one for someone else.
        let res = me
            .post_json(
                &format!("/api/v1/members/{}/affiliations/{aff}/verify", member.0),
                &json!({}),
            )
            .await;
        assert_eq!(res.status, 403);
        let officer = app.account(BRANCH_SECRETARY).member;
        let res = me
            .post_json(
                &format!("/api/v1/members/{}/affiliations", officer.0),
                &json!({"organisation": "Anything"}),
            )
            .await;
        assert_eq!(res.status, 403);
        // The treasurer of another branch may not verify; the member's secretary may.
        let t = app.sign_in(TREASURER).await;
        let path = format!("/api/v1/members/{}/affiliations/{aff}/verify", member.0);
        assert_eq!(t.post_json(&path, &json!({})).await.status, 403);
        let s = app.sign_in(BRANCH_SECRETARY).await;
        let res = s.post_json(&path, &json!({})).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let m = me.get("/api/v1/me").await.json();
        let a = m["member"]["affiliations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == aff)
            .unwrap()
            .clone();
        assert_eq!(a["verified_by_id"], officer.0);
        // An affiliation id that is not this member's is refused without a 500.
        let res = s
            .post_json(
                &format!("/api/v1/members/{}/affiliations/999999/verify", member.0),
                &json!({}),
            )
            .await;
        assert!(res.status.is_client_error(), "{}", res.status);
    }
);

both_backends!(
    a_member_may_edit_their_own_contact_details_only,
    |app| async move {
        let member = app.account(MEMBER).member;
        let me = app.sign_in(MEMBER).await;
        let res = me
            .patch_json(
                &format!("/api/v1/members/{}", member.0),
                &json!({"first_name": "Ada", "phone": ""}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["first_name"], "Ada");
        assert_eq!(res.json()["phone"], Value::Null);
        // A member cannot change their own status or record their own dues.
        let res = me
            .post_json(
                &format!("/api/v1/members/{}/status", member.0),
                &json!({"status": "resigned", "reason": "x"}),
            )
            .await;
        assert_eq!(res.status, 403);
        let res = me
            .post_json(
                &format!("/api/v1/members/{}/payments", member.0),
                &json!({"paid_on": "2026-11-30", "amount": "5", "months": 12}),
            )
            .await;
        assert_eq!(res.status, 403);
    }
);

both_backends!(
    invalid_writes_name_the_field_and_change_nothing,
    |app| async move {
        let p = places(&app).await;
        let id = active_members(&app, p.southwark).await[0];
        let c = app.sign_in(REGIONAL).await;
        let before = app.store().member(id, None).await.unwrap().unwrap();
        let before_events = event_count(&app).await;
        let path = format!("/api/v1/members/{}", id.0);
        for (body, field) in [
            (
                json!({"postcode": "NOT A POSTCODE", "first_name": "Valid"}),
                "postcode",
            ),
            (json!({"email": "nope"}), "email"),
            (json!({"dues_plan": "weekly"}), "dues_plan"),
            (json!({"phone": "call me"}), "phone"),
            (json!({}), "fields"),
        ] {
            let res = c.patch_json(&path, &body).await;
            assert_eq!(res.status, 422, "{body}: {}", res.text());
            assert!(
                res.json()["error"]["fields"][field].is_string(),
                "{body}: {}",
                res.text()
            );
        }
        for (body, field) in [
            (json!({"status": "boss", "reason": "x"}), "status"),
            (json!({"status": "applicant", "reason": "x"}), "status"),
            (json!({"status": "lapsed", "reason": " "}), "reason"),
            (
                json!({"status": "lapsed", "reason": "x", "effective_on": "tomorrow"}),
                "effective_on",
            ),
        ] {
            let res = c.post_json(&format!("{path}/status"), &body).await;
            assert_eq!(res.status, 422, "{body}: {}", res.text());
            assert!(
                res.json()["error"]["fields"][field].is_string(),
                "{body}: {}",
                res.text()
            );
        }
        for (body, field) in [
            (
                json!({"paid_on": "2099-01-01", "amount": "5", "months": 1}),
                "paid_on",
            ),
            (
                json!({"paid_on": "2026-11-01", "amount": "-5", "months": 1}),
                "amount",
            ),
            (
                json!({"paid_on": "2026-11-01", "amount": "0", "months": 1}),
                "amount",
            ),
            (
                json!({"paid_on": "2026-11-01", "amount": "5.001", "months": 1}),
                "amount",
            ),
            (
                json!({"paid_on": "2026-11-01", "amount": "5", "months": 0}),
                "months",
            ),
            (
                json!({"paid_on": "2026-11-01", "amount": "5", "months": 25}),
                "months",
            ),
        ] {
            let res = c.post_json(&format!("{path}/payments"), &body).await;
            assert_eq!(res.status, 422, "{body}: {}", res.text());
            assert!(
                res.json()["error"]["fields"][field].is_string(),
                "{body}: {}",
                res.text()
            );
        }
        let after = app.store().member(id, None).await.unwrap().unwrap();
        assert_eq!(after, before);
        assert_eq!(event_count(&app).await, before_events);
    }
);

// ---------------------------------------------------------------- events

both_backends!(
    the_governance_record_is_public_but_not_personal,
    |app| async move {
        let p = places(&app).await;
        let id = active_members(&app, p.southwark).await[0];
        let officer = app.sign_in(BRANCH_SECRETARY).await;
        let res = officer
            .post_json(
                &format!("/api/v1/members/{}/status", id.0),
                &json!({"status": "lapsed", "reason": "a private matter about their health"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let res = officer
            .post_json(
                &format!("/api/v1/members/{}/affiliations", id.0),
                &json!({"organisation": "The Other Party"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());

        // Any member can read the record, page by page.
        let c = app.sign_in(MEMBER).await;
        let mut after = 0;
        let mut all = Vec::new();
        loop {
            let res = c
                .get(&format!("/api/v1/events?after={after}&limit=500"))
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            let body = res.json();
            let items = body["items"].as_array().unwrap().clone();
            if items.is_empty() {
                assert_eq!(body["next_after"], Value::Null);
                break;
            }
            after = body["next_after"].as_i64().unwrap();
            all.extend(items);
        }
        assert_eq!(all.len(), event_count(&app).await);
        let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "events out of order");
        let text = serde_json::to_string(&all).unwrap();
        assert!(
            !text.contains("private matter"),
            "a member event's reason leaked"
        );
        assert!(!text.contains("The Other Party"), "an affiliation leaked");
        assert!(!text.contains("@example"), "an email leaked");
        // A member not covering them sees that a status changed, by whom in office, and
        // not whose, nor to what: counts, not names.
        let status = all
            .iter()
            .rev()
            .find(|e| e["kind"] == "member.status_changed")
            .unwrap();
        assert_eq!(status["subject"], "member");
        assert_eq!(status["payload"], json!({}));
        assert_eq!(status["actor_id"], app.account(BRANCH_SECRETARY).member.0);
        assert!(
            status["actor_office"]
                .as_str()
                .unwrap()
                .contains("secretary")
        );
        // The officer covering them sees whose, and to what.
        let officer_view = officer
            .get(&format!(
                "/api/v1/events?after={}&limit=500",
                status["seq"].as_i64().unwrap() - 1
            ))
            .await
            .json();
        let seen = &officer_view["items"][0];
        assert_eq!(seen["subject"], format!("member:{}", id.0));
        assert_eq!(seen["payload"]["to"], "lapsed");
        assert_eq!(
            seen["reason"],
            Value::Null,
            "the reason stays in their record"
        );

        for bad in [
            "/api/v1/events?limit=0",
            "/api/v1/events?limit=501",
            "/api/v1/events?after=-1",
        ] {
            let res = c.get(bad).await;
            assert_eq!(res.status, 422, "{bad}");
        }
        assert_eq!(c.get("/api/v1/events?after=abc").await.status, 400);
    }
);
