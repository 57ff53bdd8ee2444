//! The constitution over HTTP on both backends: its pages (version in force, versions, the
//! diff, amendments with refused attempts and the impact preview, "what may I do, and why
//! not?") and its API (rights, versions, amendments, impact, proposing, putting an
//! amendment to a meeting and entering a historical one), with the role checks and bad input the rest of the API has.

mod common;

use charter_domain::{MemberId, MemberStatus, UnitId, UnitKind};
use charter_model::{AmendmentId, BallotId, HistoricalEntryId, MeetingId, MotionId};
use charter_store::{MemberQuery, MemberScope, MemberSort};
use common::{BRANCH_SECRETARY, MEMBER, NATIONAL, TestApp};
use serde_json::{Value, json};

/// Posts a form given as owned pairs.
async fn post_pairs(
    client: &common::TestClient,
    path: &str,
    fields: &[(&'static str, String)],
) -> common::TestResponse {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post_form(path, &pairs).await
}

/// A branch in another region than the branch secretary's (Southwark), and an active member
/// there who holds no demo account.
async fn member_elsewhere(app: &TestApp) -> MemberId {
    let units = app.store().units().await.unwrap();
    let southwark = units.iter().find(|u| u.slug == "southwark").unwrap();
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let branches: Vec<UnitId> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Branch && u.parent != southwark.parent)
        .map(|u| u.id)
        .collect();
    for b in branches {
        let page = app
            .store()
            .search_members(
                &MemberQuery {
                    scope: MemberScope::All,
                    text: None,
                    branch: Some(b),
                    status: Some(MemberStatus::Active),
                    paid_up: None,
                    sort: MemberSort::Name,
                    page: 1,
                    per_page: 20,
                },
                None,
            )
            .await
            .unwrap();
        if let Some(m) = page.items.iter().find(|m| !accounts.contains(&m.id)) {
            return m.id;
        }
    }
    panic!("no active member outside Southwark's region");
}

/// The effective days of the recorded versions, oldest first: the demo's story is dated
/// relative to its `today`, so tests read its days rather than fixing them.
async fn version_days(c: &common::TestClient) -> Vec<String> {
    let res = c.get("/api/v1/constitution/versions").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let mut days: Vec<String> = res
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["effective"].as_str().unwrap().to_string())
        .collect();
    days.sort();
    assert!(days.len() >= 2, "the founding and the amendment: {days:?}");
    days
}

fn me(app: &TestApp, role: &str) -> i64 {
    app.account(role).member.0
}

/// The demo's amendment: the one with a refused attempt and an adoption.
async fn story_amendment(c: &common::TestClient) -> Value {
    let res = c.get("/api/v1/amendments").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let list = res.json();
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| {
            let attempts = a["attempts"].as_array().unwrap();
            attempts.iter().any(|t| t["adopted"] == false)
                && attempts.iter().any(|t| t["adopted"] == true)
        })
        .cloned()
        .unwrap_or_else(|| panic!("no amendment with a refused and an adopted attempt: {list}"))
}

both_backends!(constitution_pages_need_sign_in, |app| async move {
    for path in [
        "/constitution",
        "/amendments",
        "/me/rights",
        "/constitution/diff?from=1&to=2",
    ] {
        let res = app.client().get(path).await;
        assert_eq!(res.status, 303, "{path}");
    }
    let res = app.client().get("/api/v1/constitution").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.error_code(), "unauthenticated");
});

both_backends!(
    the_constitution_page_shows_clauses_rules_and_versions,
    |app| async move {
        let c = app.sign_in(MEMBER).await;
        let res = c.get("/constitution").await;
        assert_eq!(res.status, 200, "{}", res.text());
        let html = res.text();
        assert!(html.contains("What this rule means"), "{html}");
        assert!(html.contains("id=\"clause-"), "clauses carry anchors");
        assert!(html.contains("href=\"/constitution\" aria-current=\"page\""));
        assert!(html.contains("in force"));
        let versions = c.get("/api/v1/constitution/versions").await.json();
        let vs = versions.as_array().unwrap();
        assert!(vs.len() >= 2, "founding and amended versions: {versions}");
        for v in vs {
            let res = c.get(&format!("/constitution/versions/{}", v["id"])).await;
            assert_eq!(res.status, 200);
            assert!(res.text().contains(v["version"].as_str().unwrap()));
        }
        let (a, b) = (&vs[0]["id"], &vs[1]["id"]);
        let res = c.get(&format!("/constitution/diff?from={a}&to={b}")).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let html = res.text();
        assert!(html.contains("<ins class=\"diff\"><span class=\"diff-label\">added</span>"));
        assert!(html.contains("<del class=\"diff\"><span class=\"diff-label\">removed</span>"));
        assert!(html.contains("diff-cols"));
        // Bad addresses are pages, not crashes.
        assert_eq!(c.get("/constitution/versions/999999").await.status, 404);
        assert_eq!(c.get("/constitution/versions/abc").await.status, 404);
        assert_eq!(
            c.get(&format!("/constitution/diff?from=x&to={b}"))
                .await
                .status,
            400
        );
    }
);

both_backends!(
    amendment_pages_show_attempts_diff_and_impact,
    |app| async move {
        let c = app.sign_in(MEMBER).await;
        let a = story_amendment(&c).await;
        let list = c.get("/amendments").await;
        assert_eq!(list.status, 200);
        assert!(list.text().contains(&format!("/amendments/{}", a["id"])));
        let res = c.get(&format!("/amendments/{}", a["id"])).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let html = res.text();
        assert!(html.contains("refused"), "the refused attempt is visible");
        assert!(html.contains("#clause-"), "its failures cite clauses");
        assert!(html.contains("<ins class=\"diff\">"), "the diff");
        assert!(html.contains("Impact preview"));
        assert!(html.contains("would lose"), "summary sentences: {html}");
        assert!(html.contains("<svg"), "bars");
        assert!(html.contains("By branch"));
        assert_eq!(c.get("/amendments/999999").await.status, 404);
    }
);

both_backends!(my_rights_page_answers_why_not, |app| async move {
    let c = app.sign_in(MEMBER).await;
    let res = c.get("/me/rights").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    assert!(html.contains("What may I do, and why not?"));
    assert!(html.contains("type=\"date\""));
    assert!(
        html.contains("/constitution/versions/"),
        "clauses link to their version"
    );
    let days = version_days(&c).await;
    let amended = days[1].clone();
    let res = c.get(&format!("/me/rights?on={amended}")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res.text().contains(&format!("value=\"{amended}\"")));
    // The member joined after the founding: asking about that day says so.
    let res = c.get(&format!("/me/rights?on={}", days[0])).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("not yet a member"), "{}", res.text());
    let res = c.get("/me/rights?on=banana").await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("YYYY-MM-DD"));
    let own = c
        .get(&format!("/members/{}/rights", me(&app, MEMBER)))
        .await;
    assert_eq!(own.status, 200);
});

both_backends!(rights_are_scoped_like_the_register, |app| async move {
    let other = member_elsewhere(&app).await;
    let sec = app.sign_in(BRANCH_SECRETARY).await;
    let res = sec
        .get(&format!("/api/v1/members/{}/rights", other.0))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(res.error_code(), "forbidden");
    let page = sec.get(&format!("/members/{}/rights", other.0)).await;
    assert_eq!(page.status, 403);
    let member = app.sign_in(MEMBER).await;
    let res = member
        .get(&format!("/api/v1/members/{}/rights", other.0))
        .await;
    assert_eq!(res.status, 403);
    let national = app.sign_in(NATIONAL).await;
    let res = national
        .get(&format!("/api/v1/members/{}/rights", other.0))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let page = national.get(&format!("/members/{}/rights", other.0)).await;
    assert_eq!(page.status, 200);
});

both_backends!(
    rights_api_answers_with_clauses_and_reasons,
    |app| async move {
        let c = app.sign_in(MEMBER).await;
        let id = me(&app, MEMBER);
        let days = version_days(&c).await;
        let amended = days.last().unwrap();
        let res = c
            .get(&format!("/api/v1/members/{id}/rights?on={amended}"))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let v = res.json();
        let rows = v.as_array().unwrap();
        assert!(!rows.is_empty());
        for r in rows {
            assert!(r["context"].is_string() && r["right"].is_string());
            assert!(r["allowed"].is_boolean());
            assert!(r["clauses"].is_array());
            assert!(!r["reason"].as_str().unwrap().is_empty());
        }
        let today = c.get(&format!("/api/v1/members/{id}/rights")).await;
        assert_eq!(today.status, 200);
        for bad in ["banana", "2017-13-01", "01/07/2017"] {
            let res = c
                .get(&format!("/api/v1/members/{id}/rights?on={bad}"))
                .await;
            assert!(res.status.is_client_error(), "{bad}: {}", res.status);
            assert_eq!(res.error_code(), "invalid");
        }
        let res = c.get(&format!("/api/v1/members/{id}/rights?when=x")).await;
        assert_eq!(res.status, 400);
        assert_eq!(res.error_code(), "bad_request");
        assert_eq!(c.get("/api/v1/members/abc/rights").await.status, 400);
    }
);

both_backends!(constitution_api_reads, |app| async move {
    let c = app.sign_in(MEMBER).await;
    let res = c.get("/api/v1/constitution").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let v = res.json();
    for k in [
        "id",
        "version",
        "name",
        "effective",
        "adopted_by",
        "clauses",
        "toml",
    ] {
        assert!(!v[k].is_null(), "{k} missing: {v}");
    }
    let clause = &v["clauses"][0];
    assert!(clause["number"].is_string() && clause["rules"].is_array());
    assert!(v["toml"].as_str().unwrap().contains("[[clause]]"));
    let one = c
        .get(&format!("/api/v1/constitution/versions/{}", v["id"]))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["version"], v["version"]);
    let missing = c.get("/api/v1/constitution/versions/999999").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "not_found");

    let a = story_amendment(&c).await;
    let refused = a["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["adopted"] == false)
        .unwrap();
    assert!(
        refused["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["clause"].is_string()),
        "the refusal cites a clause: {refused}"
    );
    let detail = c.get(&format!("/api/v1/amendments/{}", a["id"])).await;
    assert_eq!(detail.status, 200, "{}", detail.text());
    assert!(detail.json()["proposed"]["clauses"].is_array());
    let impact = c
        .get(&format!("/api/v1/amendments/{}/impact", a["id"]))
        .await;
    assert_eq!(impact.status, 200, "{}", impact.text());
    let i = impact.json();
    assert!(!i["summary"].as_array().unwrap().is_empty());
    let rights = i["rights"].as_array().unwrap();
    assert!(rights.iter().any(|r| r["total"]["lose"].as_u64() > Some(0)));
    let sum: u64 = rights[0]["by_branch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["members"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, rights[0]["total"]["members"].as_u64().unwrap());
});

both_backends!(amendment_writes_are_checked, |app| async move {
    let c = app.sign_in(NATIONAL).await;
    let bad = c
        .post_json(
            "/api/v1/amendments",
            &json!({"title": "Broken", "toml": "name = "}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let unknown = c
        .post_json(
            "/api/v1/amendments",
            &json!({"title": "x", "toml": "", "extra": 1}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    // Nobody types in an outcome: the route that took one is gone, and nothing changed.
    let before = c.get("/api/v1/amendments").await.text();
    let typed = c
        .post_json(
            "/api/v1/amendments/1/decisions",
            &json!({"body": "conference", "meeting_kind": "special-conference",
                    "notice_sent_on": "2000-01-01", "meeting_on": "2017-06-10",
                    "members_entitled": 400, "present": 300, "votes_for": 250,
                    "votes_against": 0, "abstentions": 0}),
        )
        .await;
    assert!(
        matches!(typed.status.as_u16(), 404 | 405),
        "{}",
        typed.text()
    );
    assert_eq!(c.get("/api/v1/amendments").await.text(), before);

    let entry = |body: &str, held_on: &str| {
        json!({"body": body, "kind": "special-conference", "notice_on": "2017-05-20",
               "held_on": held_on, "entitled": 400, "present": 300, "votes_for": 250,
               "votes_against": 40, "abstentions": 10})
    };
    let wrong = c
        .post_json(
            "/api/v1/amendments/1/historical-entries",
            &entry("conference", "banana"),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), "bad_request");
    let bad_key = c
        .post_json(
            "/api/v1/amendments/1/historical-entries",
            &entry("Con Ference!", "2017-06-10"),
        )
        .await;
    assert_eq!(bad_key.status, 422, "{}", bad_key.text());
    assert!(bad_key.json()["error"]["fields"]["body"].is_string());
    // Not dated after the moment it is entered.
    let tomorrow = (common::today() + chrono::Days::new(1)).to_string();
    let future = c
        .post_json(
            "/api/v1/amendments/1/historical-entries",
            &entry("conference", &tomorrow),
        )
        .await;
    assert_eq!(future.status, 422, "{}", future.text());
    assert!(future.json()["error"]["fields"]["held_on"].is_string());
    // A member who calls no national meeting enters nothing.
    let member = app.sign_in(MEMBER).await;
    let refused = member
        .post_json(
            "/api/v1/amendments/1/historical-entries",
            &entry("conference", "2017-06-10"),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());

    // An amendment goes only to a meeting of the body its procedure names.
    let secretary = app.app().actor(app.account(NATIONAL).member).await.unwrap();
    let southwark = app
        .store()
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.slug == "southwark")
        .unwrap();
    let branch = app
        .app()
        .call_meeting(
            &secretary,
            &charter_app::meetings::MeetingRequest {
                body: "branch-meeting".into(),
                unit: Some(southwark.id),
                kind: "general-meeting".into(),
                title: "Southwark GM".into(),
                starts_at: Some(common::now() + chrono::Duration::days(40)),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Hall".into()),
                online_url: None,
                agenda: "1. Business".into(),
            },
        )
        .await
        .unwrap();
    let amendments = c.get("/api/v1/amendments").await.json();
    let open = amendments
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["state"] != "adopted")
        .map(|a| a["id"].as_i64().unwrap());
    if let Some(open) = open {
        let put = c
            .post_json(
                &format!("/api/v1/meetings/{}/amendments", branch.id),
                &json!({ "amendment_id": open }),
            )
            .await;
        assert_eq!(put.status, 422, "{}", put.text());
        assert!(put.text().contains("clause"), "{}", put.text());
    }
    let unknown = c
        .post_json(
            &format!("/api/v1/meetings/{}/amendments", branch.id),
            &json!({ "amendment_id": 99_999 }),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
});

both_backends!(
    bodies_the_amendment_dissolved_are_marked_on_their_units,
    |app| async move {
        let units = app.store().units().await.unwrap();
        let national = units.iter().find(|u| u.kind == UnitKind::National).unwrap();
        let c = app.sign_in(MEMBER).await;
        let page = c.get(&format!("/units/{}", national.id.0)).await;
        assert_eq!(page.status, 200);
        let body = page.text();
        // The 2017 amendment replaces the National Committee; the Steering Committee stands.
        let committee = body.split("<h3>National Committee").nth(1).expect("listed");
        assert!(
            committee
                .trim_start()
                .starts_with("<span class=\"tag no\">dissolved</span>"),
            "{body}"
        );
        // It names the decision that dissolved it, made from the record, and the one that
        // tried before and did not bind, with its clauses.
        let section = committee.split("</li>").next().unwrap();
        assert!(section.contains("Adopted by the conference"), "{section}");
        assert!(section.contains("did not bind (clauses"), "{section}");
        assert!(section.contains("href=\"/meetings/"), "{section}");
        let steering = body.split("<h3>Steering Committee").nth(1).expect("listed");
        assert!(steering.trim_start().starts_with("</h3>"), "{body}");
    }
);

both_backends!(
    amendments_are_proposed_and_decided_through_the_pages,
    |app| async move {
        let national = app.sign_in(NATIONAL).await;
        let csrf = national.csrf_token().unwrap();
        let list = national.get("/amendments").await;
        assert_eq!(list.status, 200);
        let body = list.text();
        assert!(body.contains("Propose an amendment"), "{body}");
        assert!(
            body.contains("[[clause"),
            "the form starts from the version in force"
        );

        let bad = national
            .post_form(
                "/amendments",
                &[("csrf", &csrf), ("title", "Broken"), ("toml", "name = ")],
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text());
        assert!(bad.text().contains("The amendment was not proposed"));

        let proposed = app.amendment_text("tidy-up", 90).await;
        let res = national
            .post_form(
                "/amendments",
                &[("csrf", &csrf), ("title", "Tidy-up"), ("toml", &proposed)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let location = res.header("location").unwrap().to_string();
        let path = location.split('?').next().unwrap().to_string();
        let page = national.get(&location).await.text();
        assert!(page.contains("The amendment is proposed"), "{page}");
        assert!(
            page.contains("Enter a meeting held before Charter"),
            "{page}"
        );
        let member = app.sign_in(MEMBER).await;
        assert!(
            !member
                .get(&path)
                .await
                .text()
                .contains("Enter a meeting held before Charter")
        );

        // Two days' notice where fourteen are required, held yesterday before the
        // organisation used Charter: the secretary and the chair each enter it.
        let meeting = common::today() - chrono::Days::new(1);
        let notice = meeting - chrono::Days::new(2);
        let (meeting, notice) = (meeting.to_string(), notice.to_string());
        let fields = |csrf: &str, entitled: &str| {
            vec![
                ("csrf", csrf.to_string()),
                ("body", "conference".to_string()),
                ("meeting_kind", "special-conference".to_string()),
                ("notice_sent_on", notice.clone()),
                ("meeting_on", meeting.clone()),
                ("members_entitled", entitled.to_string()),
                ("present", "200".to_string()),
                ("votes_for", "150".to_string()),
                ("votes_against", "40".to_string()),
                ("abstentions", "10".to_string()),
            ]
        };
        let historical = format!("{path}/historical");
        let res = post_pairs(&national, &historical, &fields(&csrf, "lots")).await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(res.text().contains("is not a whole number"));
        let res = post_pairs(&national, &historical, &fields(&csrf, "400")).await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert!(res.header("location").unwrap().contains("saved=entered"));
        let page = national.get(&path).await.text();
        assert!(page.contains("Your entries"), "{page}");
        assert!(page.contains("No decision on this amendment"), "{page}");
        // A member may not enter one.
        let mcsrf = member.csrf_token().unwrap();
        let res = post_pairs(&member, &historical, &fields(&mcsrf, "400")).await;
        assert_eq!(res.status, 403, "{}", res.text());
        assert!(res.text().contains("only the officers who call"));
        // The chair enters the same on her own: the meeting is recorded, and refused.
        let today = common::today();
        let chair = app
            .store()
            .offices(None, today)
            .await
            .unwrap()
            .into_iter()
            .find(|o| {
                o.kind == charter_domain::OfficeKind::Chair && o.unit_kind == UnitKind::National
            })
            .and_then(|o| o.holder)
            .unwrap();
        let chair = app.sign_in_member(chair).await;
        let ccsrf = chair.csrf_token().unwrap();
        let chair_page = chair.get(&path).await.text();
        assert!(
            !chair_page.contains("Your entries"),
            "entries are blind: {chair_page}"
        );
        let res = post_pairs(&chair, &historical, &fields(&ccsrf, "400")).await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert!(res.header("location").unwrap().contains("saved=refused"));
        let page = national.get(&path).await.text();
        assert!(page.contains("clear days"), "{page}");
        assert!(
            page.contains("a historical meeting entered by two officers"),
            "{page}"
        );
        // The meeting is marked historical wherever it shows.
        let href = page
            .split("Decided by <a href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the attempt links to its meeting")
            .to_string();
        let meeting_page = member.get(&href).await;
        assert_eq!(meeting_page.status, 200);
        assert!(meeting_page.text().contains("id=\"historical\""));
        let list = member.get("/meetings").await.text();
        assert!(list.contains("historical record"), "{list}");
    }
);

// The invariant over the whole record: every change to structure, powers or rules names the
// recorded decision that made it. Members change them only through a motion a meeting
// adopted (or an election's count); whatever no member did is the founding or the
// organisation's past brought in by the operator, and names that.
both_backends!(
    every_change_to_structure_powers_or_rules_names_its_decision,
    |app| async move {
        let store = app.store();
        let events = store.events(0, u32::MAX).await.unwrap();
        let payload = |e: &charter_store::EventRecord| -> Value {
            serde_json::from_str(&e.payload).unwrap_or(Value::Null)
        };
        let mut checked = 0;
        for e in &events {
            let p = payload(e);
            match e.kind.as_str() {
                "constitution.amended" | "constitution.amendment_refused" => {
                    // A meeting in Charter names its motion; a historical meeting names the
                    // two officers' entries that made it, and through them its motion.
                    let amendment = p["amendment"].as_i64().unwrap();
                    // A ballot of the members names its ballot, which puts the amendment.
                    if let Some(ballot) = p["ballot"].as_i64() {
                        assert_eq!(
                            store.ballot_amendment(BallotId(ballot)).await.unwrap(),
                            Some(AmendmentId(amendment)),
                            "{e:?}"
                        );
                        checked += 1;
                        continue;
                    }
                    let motion = match p["motion"].as_i64() {
                        Some(m) => m,
                        None => {
                            let ids: Vec<i64> = p["historical_entries"]
                                .as_array()
                                .unwrap_or_else(|| panic!("{} names no decision: {e:?}", e.kind))
                                .iter()
                                .filter_map(Value::as_i64)
                                .collect();
                            assert_eq!(ids.len(), 2, "{e:?}");
                            let entries = store
                                .historical_entries(AmendmentId(amendment))
                                .await
                                .unwrap();
                            let made: Vec<MeetingId> = entries
                                .iter()
                                .filter(|x| ids.contains(&x.id.0))
                                .filter_map(|x| x.meeting)
                                .collect();
                            assert_eq!(made.len(), 2, "{e:?}");
                            assert_eq!(made[0], made[1]);
                            assert_ne!(
                                entries
                                    .iter()
                                    .find(|x| x.id == HistoricalEntryId(ids[0]))
                                    .unwrap()
                                    .entry
                                    .entered_by,
                                entries
                                    .iter()
                                    .find(|x| x.id == HistoricalEntryId(ids[1]))
                                    .unwrap()
                                    .entry
                                    .entered_by,
                                "two different officers"
                            );
                            let meeting =
                                store.meeting(MeetingId(made[0].0)).await.unwrap().unwrap();
                            assert!(meeting.historical_entered_at.is_some());
                            let mut putting = None;
                            for mo in store.motions(meeting.id).await.unwrap() {
                                if store.motion_amendment(mo.id).await.unwrap()
                                    == Some(AmendmentId(amendment))
                                {
                                    putting = Some(mo.id);
                                }
                            }
                            putting.expect("the historical meeting's motion").0
                        }
                    };
                    let m = store
                        .motion(MotionId(motion))
                        .await
                        .unwrap()
                        .expect("the motion");
                    assert_eq!(
                        store.motion_amendment(MotionId(motion)).await.unwrap(),
                        p["amendment"].as_i64().map(AmendmentId),
                        "{e:?}"
                    );
                    assert_eq!(
                        m.state == charter_domain::MotionState::Adopted,
                        e.kind == "constitution.amended",
                        "{e:?} / {m:?}"
                    );
                    assert_eq!(e.actor_member, None, "the meeting decided, not a member");
                    checked += 1;
                }
                "motion.decided" => {
                    let m = store
                        .motion(MotionId(p["motion"].as_i64().unwrap_or(-1)))
                        .await
                        .unwrap();
                    if !p["appointed"].is_null() {
                        let m = m.clone().expect("the appointing motion");
                        assert_eq!(
                            (m.kind.as_str(), m.state.as_str()),
                            ("appointment", "adopted")
                        );
                        checked += 1;
                    }
                    if !p["status_changed"].is_null() {
                        let m = m.expect("the discipline motion");
                        assert!(m.kind == "suspend-member" || m.kind == "expel-member");
                        assert_eq!(m.state, charter_domain::MotionState::Adopted);
                        checked += 1;
                    }
                }
                "member.status_changed" => {
                    let to = p["to"].as_str().unwrap_or("");
                    assert!(
                        !(matches!(to, "suspended" | "expelled") && e.actor_member.is_some()),
                        "a member suspended or expelled alone: {e:?}"
                    );
                }
                "office.appointed" | "body.created" | "office.created" | "seat.filled" => {
                    // Only the founding or the past brought in: never a member acting alone.
                    assert_eq!(e.actor_member, None, "{e:?}");
                    checked += 1;
                }
                _ => {}
            }
        }
        assert!(checked > 0, "the demo's record has changes to check");
    }
);
