//! Meetings over HTTP on both backends: officers call meetings of their own units only; the
//! constitution sets the notice and says when a meeting falls short; members propose motions
//! to meetings of their branch; bad input is a 4xx that changes nothing; published
//! statements and the national tally need no sign-in.

mod common;

use charter_domain::UnitId;
use charter_model::{MeetingId, MotionId};
use common::{BRANCH_SECRETARY, MEMBER, NATIONAL, TREASURER, TestApp};
use serde_json::json;

async fn unit_id(app: &TestApp, slug: &str) -> UnitId {
    let units = app.store().units().await.unwrap();
    units.iter().find(|u| u.slug == slug).unwrap().id
}

fn in_days(days: i64) -> String {
    (common::now() + chrono::Duration::days(days)).to_rfc3339()
}

both_backends!(officers_call_meetings_of_their_units, |app| async move {
    let southwark = unit_id(&app, "southwark").await;
    let havering = unit_id(&app, "havering").await;
    let body = |unit: UnitId, days: i64| {
        json!({
            "body": "branch-meeting",
            "unit_id": unit.0,
            "kind": "general-meeting",
            "title": "General meeting",
            "starts_at": in_days(days),
            "mode": "physical",
            "place": "Community hall",
            "agenda": "1. Branch business",
        })
    };
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let events = app.store().events(0, 100_000).await.unwrap().len();
    assert_eq!(
        secretary
            .post_json("/api/v1/meetings", &body(havering, 20))
            .await
            .status,
        403
    );
    let member = app.sign_in(MEMBER).await;
    assert_eq!(
        member
            .post_json("/api/v1/meetings", &body(southwark, 20))
            .await
            .status,
        403
    );
    let treasurer = app.sign_in(TREASURER).await;
    assert_eq!(
        treasurer
            .post_json("/api/v1/meetings", &body(havering, 20))
            .await
            .status,
        403,
        "a treasurer does not call meetings"
    );
    let bad = secretary
        .post_json(
            "/api/v1/meetings",
            &json!({
                "body": "branch-meeting",
                "unit_id": southwark.0,
                "kind": "picnic",
                "title": "",
                "starts_at": in_days(-1),
                "mode": "online",
                "online_url": "ftp://x",
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let fields = bad.json()["error"]["fields"].clone();
    for f in ["kind", "title", "starts_at", "online_url"] {
        assert!(fields.get(f).is_some(), "{f} missing from {fields}");
    }
    let unknown = secretary
        .post_json("/api/v1/meetings", &json!({"title": "x", "colour": "red"}))
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        app.store().events(0, 100_000).await.unwrap().len(),
        events,
        "refused and invalid calls write nothing"
    );

    let ok = secretary
        .post_json("/api/v1/meetings", &body(southwark, 20))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    let called = ok.json();
    assert!(called["invited"].as_u64().unwrap() > 0);
    assert!(called["short_notice"].is_null());
    let id = called["id"].as_i64().unwrap();
    let short = secretary
        .post_json("/api/v1/meetings", &body(southwark, 3))
        .await;
    assert_eq!(short.status, 201, "{}", short.text());
    let warning = short.json()["short_notice"].as_str().unwrap().to_string();
    assert!(warning.contains("clear days"), "{warning}");

    // Every member sees it, and their own place on the roll.
    let detail = member.get(&format!("/api/v1/meetings/{id}")).await;
    assert_eq!(detail.status, 200, "{}", detail.text());
    let d = detail.json();
    assert_eq!(d["meeting"]["title"], json!("General meeting"));
    assert!(
        d["properly_convened"].is_null(),
        "notices not yet delivered"
    );
    assert!(d["convening"].as_str().unwrap().contains("clause"), "{d}");
    assert!(
        !d["may_vote"].is_null(),
        "the member is on their branch's roll"
    );
    let list = member.get("/api/v1/meetings?upcoming=true").await;
    assert_eq!(list.status, 200);
    assert!(list.json().as_array().unwrap().len() >= 2);
    assert_eq!(member.get("/api/v1/meetings/999999").await.status, 404);

    // The member proposes a motion; an empty one is refused; check-in is not open yet.
    let motion = json!({
        "kind": "ordinary-motion",
        "title": "Oppose the new constitution",
        "text": "This branch opposes the constitution and calls for its repeal.",
        "matter": "constitution-2017",
        "position": "oppose",
    });
    let proposed = member
        .post_json(&format!("/api/v1/meetings/{id}/motions"), &motion)
        .await;
    assert_eq!(proposed.status, 201, "{}", proposed.text());
    let empty = member
        .post_json(
            &format!("/api/v1/meetings/{id}/motions"),
            &json!({"kind": "ordinary-motion", "title": "", "text": ""}),
        )
        .await;
    assert_eq!(empty.status, 422);
    let early = member
        .post_json(&format!("/api/v1/meetings/{id}/attendance"), &json!({}))
        .await;
    assert_eq!(early.status, 409, "{}", early.text());
    let motion_id = proposed.json()["id"].as_i64().unwrap();
    let vote = secretary
        .post_json(
            &format!("/api/v1/motions/{motion_id}/vote"),
            &json!({"votes_for": 10, "votes_against": 2}),
        )
        .await;
    assert_eq!(
        vote.status,
        409,
        "the meeting has not started: {}",
        vote.text()
    );
    assert_eq!(
        member
            .post_json(
                &format!("/api/v1/motions/{motion_id}/vote"),
                &json!({"votes_for": 10, "votes_against": 2}),
            )
            .await
            .status,
        403
    );

    // Public: statements and the tally, without signing in.
    let anonymous = app.client();
    let tally = anonymous.get("/api/v1/matters/constitution-2017").await;
    assert_eq!(tally.status, 200, "{}", tally.text());
    assert!(tally.json()["branches"].as_u64().unwrap() > 0);
    let statements = anonymous
        .get(&format!("/api/v1/units/{}/statements", southwark.0))
        .await;
    assert_eq!(statements.status, 200);
    assert_eq!(anonymous.get("/api/v1/meetings").await.status, 401);
    let national = app.sign_in(NATIONAL).await;
    assert_eq!(
        national.get(&format!("/api/v1/meetings/{id}")).await.status,
        200
    );
});

both_backends!(the_meeting_pages_call_show_and_publish, |app| async move {
    let southwark = unit_id(&app, "southwark").await;
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let csrf = secretary.csrf_token().unwrap();
    let page = secretary.get("/meetings").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Call a meeting"));
    let start = (common::now() + chrono::Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let unit = southwark.0.to_string();
    let fields = |starts: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("body", "branch-meeting".to_string()),
            ("unit", unit.clone()),
            ("kind", "general-meeting".to_string()),
            ("title", "Southwark general meeting".to_string()),
            ("starts_at", starts.to_string()),
            ("mode", "physical".to_string()),
            ("place", "Library".to_string()),
        ]
    };
    let as_refs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let bad = as_refs(&fields("next tuesday"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = secretary.post_form("/meetings", &bad).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("is not a date and time"));
    let good = as_refs(&fields(&start));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = secretary.post_form("/meetings", &good).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let location = res.header("location").unwrap().to_string();
    assert!(location.contains("saved=called"), "{location}");
    let page = secretary.get(&location).await.text();
    assert!(page.contains("Properly convened"), "{page}");
    assert!(page.contains("not yet known"), "{page}");
    let path = location.split('?').next().unwrap().to_string();

    let member = app.sign_in(MEMBER).await;
    let page = member.get(&path).await.text();
    assert!(page.contains("On the roll"), "{page}");
    assert!(page.contains("Propose a motion"), "{page}");
    let mcsrf = member.csrf_token().unwrap();
    let res = member
        .post_form(
            &format!("{path}/motions"),
            &[
                ("csrf", &mcsrf),
                ("kind", "ordinary-motion"),
                ("title", ""),
                ("text", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("The motion was not proposed"));
    let res = member
        .post_form(
            &format!("{path}/motions"),
            &[
                ("csrf", &mcsrf),
                ("kind", "ordinary-motion"),
                ("title", "Oppose the new constitution"),
                ("text", "This branch opposes it."),
                ("matter", "constitution-2017"),
                ("position", "oppose"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let page = member.get(&path).await.text();
    assert!(page.contains("1. Oppose the new constitution"), "{page}");

    // The public pages need no sign-in.
    let anonymous = app.client();
    let tally = anonymous.get("/matters/constitution-2017").await;
    assert_eq!(tally.status, 200, "{}", tally.text());
    assert!(tally.text().contains("branches oppose"));
    let statements = anonymous
        .get(&format!("/units/{}/statements", southwark.0))
        .await;
    assert_eq!(statements.status, 200);
    assert_eq!(anonymous.get("/units/999999/statements").await.status, 404);
    assert_eq!(anonymous.get("/matters/Not%20A%20Key").await.status, 422);
});

both_backends!(members_require_a_special_conference, |app| async move {
    let member = app.sign_in(MEMBER).await;
    let bad = member
        .post_json(
            "/api/v1/requisitions",
            &json!({"kind": "picnic", "title": ""}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let opened = member
        .post_json(
            "/api/v1/requisitions",
            &json!({
                "kind": "special-conference",
                "title": "Restore the elected committees",
                "purpose": "Reverse the steering committee's decisions",
                "matter": "special-conference-2017",
            }),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.text());
    let id = opened.json()["id"].as_i64().unwrap();
    let again = member
        .post_json(&format!("/api/v1/requisitions/{id}/signatures"), &json!({}))
        .await;
    assert_eq!(
        again.status,
        409,
        "already signed by opening it: {}",
        again.text()
    );
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let signed = secretary
        .post_json(&format!("/api/v1/requisitions/{id}/signatures"), &json!({}))
        .await;
    assert_eq!(signed.status, 204, "{}", signed.text());
    let list = member.get("/api/v1/requisitions").await.json();
    let r = &list.as_array().unwrap()[0];
    assert_eq!(r["signatures"], json!(2));
    assert_eq!(r["state"], json!("collecting"), "{r}");
    assert!(r["threshold"].as_str().unwrap().contains("clause"), "{r}");
    assert!(r["signed"].as_bool().unwrap());
    let page = member.get("/requisitions").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Restore the elected committees"));
    assert_eq!(app.client().get("/api/v1/requisitions").await.status, 401);
});

both_backends!(calendars_of_a_member_and_of_a_body, |app| async move {
    let member = app.sign_in(MEMBER).await;
    let mine = member.get("/me/calendar.ics").await;
    assert_eq!(mine.status, 200, "{}", mine.text());
    assert!(
        mine.header("content-type")
            .is_some_and(|c| c.starts_with("text/calendar")),
        "{:?}",
        mine.header("content-type")
    );
    let text = mine.text();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains("METHOD:PUBLISH"));
    assert!(text.contains("SUMMARY:Southwark general meeting"), "{text}");
    let body = member
        .get("/meetings/calendar.ics?body=steering-committee")
        .await;
    assert_eq!(body.status, 200);
    assert!(
        body.text()
            .contains("SUMMARY:Steering committee: reorganisation")
    );
    assert!(!body.text().contains("Southwark general meeting"));
    assert_eq!(
        member
            .get("/meetings/calendar.ics?body=Not%20a%20key")
            .await
            .status,
        422
    );
    assert_eq!(app.client().get("/me/calendar.ics").await.status, 303);
});

/// The demo's Southwark meeting under way, its first motion (secret vote open) and second.
async fn meeting_under_way(app: &TestApp) -> (i64, i64, i64) {
    let m = app
        .store()
        .meetings(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.title.starts_with("Southwark members' meeting"))
        .expect("the demo has a meeting under way");
    let motions = app.store().motions(m.id).await.unwrap();
    (m.id.0, motions[0].id.0, motions[1].id.0)
}

both_backends!(members_present_vote_electronically, |app| async move {
    let (meeting, first, second) = meeting_under_way(&app).await;
    let store = app.store();
    let poll = |id: i64| format!("/api/v1/motions/{id}/poll");
    let ballots = |id: i64| format!("/api/v1/motions/{id}/ballots");

    // The demo member may attend but, under the amended constitution, not vote.
    let member = app.sign_in(MEMBER).await;
    let seen = member.get(&poll(first)).await;
    assert_eq!(seen.status, 200, "{}", seen.text());
    let seen = seen.json();
    assert_eq!(seen["mode"], "secret");
    assert_eq!(seen["open"], true);
    assert!(seen["count"].is_null(), "no count while open: {seen}");
    assert!(seen["voted"].as_i64().unwrap() > 0);
    let before = seen["voted"].as_i64().unwrap();
    let res = member
        .post_json(
            &ballots(first),
            &json!({"choice": "for", "submission": "member-key-1"}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert_eq!(member.get(&poll(second)).await.status, 404);

    // A voter not yet checked in: refused until they check in; then one vote, kept once.
    let mut absent = Vec::new();
    for v in store.meeting_voters(MeetingId(meeting)).await.unwrap() {
        let holds_office = !app.state.app.actor(v).await.unwrap().offices.is_empty();
        if !holds_office && !store.attended(MeetingId(meeting), v).await.unwrap() {
            absent.push(v);
        }
    }
    let voter = app.sign_in_member(absent[0]).await;
    let vote = json!({"choice": "against", "submission": "voter-key-0001"});
    let res = voter.post_json(&ballots(first), &vote).await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert!(res.text().contains("check in"), "{}", res.text());
    // Checking yourself in takes the code the chair reads out; only the officers see it.
    let attend = format!("/api/v1/meetings/{meeting}/attendance");
    for body in [json!({}), json!({"code": "ZZZZZZ"})] {
        let res = voter.post_json(&attend, &body).await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(
            res.json()["error"]["fields"]["code"].is_string(),
            "{}",
            res.text()
        );
    }
    let code_url = format!("/api/v1/meetings/{meeting}/check-in-code");
    assert_eq!(voter.get(&code_url).await.status, 403);
    assert_eq!(voter.post_json(&code_url, &json!({})).await.status, 403);
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let shown = secretary.get(&code_url).await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    let code = shown.json()["code"].as_str().unwrap().to_string();
    assert_eq!(
        shown.json()["link"],
        json!(format!("/meetings/{meeting}/check-in/{code}"))
    );
    // A new code stops the old one.
    let replaced = secretary.post_json(&code_url, &json!({})).await;
    assert_eq!(replaced.status, 201, "{}", replaced.text());
    let new_code = replaced.json()["code"].as_str().unwrap().to_string();
    assert_ne!(new_code, code);
    let res = voter.post_json(&attend, &json!({"code": code})).await;
    assert_eq!(res.status, 422, "the old code: {}", res.text());
    // The link fills in the code on the meeting page.
    let link = voter
        .get(&format!("/meetings/{meeting}/check-in/{new_code}"))
        .await;
    assert!(link.status.is_redirection(), "{}", link.status);
    let page = voter
        .get(&format!("/meetings/{meeting}?code={new_code}"))
        .await;
    assert!(
        page.text().contains(&format!("value=\"{new_code}\"")),
        "the check-in form is filled in"
    );
    // Attack: guessing the code from home. Wrong codes back off for the guesser (the three
    // above counted), each wait doubling; someone else in the same hall is not slowed.
    let mut waited = None;
    for n in 0..12 {
        let res = voter
            .post_json(&attend, &json!({"code": format!("WRONG{n}")}))
            .await;
        if res.status == 429 {
            waited = Some(res);
            break;
        }
        assert_eq!(res.status, 422, "{}", res.text());
    }
    let waited = waited.expect("wrong codes are throttled");
    let retry: u64 = waited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a 429 says when to try again");
    let res = secretary
        .post_json(&attend, &json!({"code": new_code}))
        .await;
    assert_ne!(
        res.status,
        429,
        "another member is not slowed: {}",
        res.text()
    );
    // Once the wait is over, the right code works.
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    let typed = format!("{}-{}", &new_code[..3], new_code[3..].to_lowercase());
    let res = voter.post_json(&attend, &json!({"code": typed})).await;
    assert!(res.status.is_success(), "{}", res.text());
    for (body, status) in [
        (
            json!({"choice": "maybe", "submission": "voter-key-0001"}),
            422,
        ),
        (json!({"choice": "for", "submission": "short"}), 422),
        (json!({"choice": "for"}), 400),
        (
            json!({"choice": "for", "submission": "voter-key-0001", "extra": 1}),
            400,
        ),
    ] {
        let res = voter.post_json(&ballots(first), &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    let res = voter.post_json(&ballots(first), &vote).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["status"], "recorded");
    let again = voter.post_json(&ballots(first), &vote).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["status"], "already-recorded");
    let other = voter
        .post_json(
            &ballots(first),
            &json!({"choice": "for", "submission": "voter-key-0002"}),
        )
        .await;
    assert_eq!(other.status, 409, "{}", other.text());
    let mine = voter.get(&poll(first)).await.json();
    assert_eq!(mine["voted"].as_i64().unwrap(), before + 1);
    assert_eq!(mine["my_vote"]["submission"], "voter-key-0001");
    assert!(
        mine["my_vote"]["choice"].is_null(),
        "a secret vote keeps no choice"
    );

    // Only the officers running the meeting open and close votes.
    let res = voter
        .post_json(&poll(second), &json!({"mode": "named"}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(
        voter
            .post_json(&format!("{}/close", poll(first)), &json!({}))
            .await
            .status,
        403
    );
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let res = secretary
        .post_json(&poll(second), &json!({"mode": "by acclamation"}))
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let res = secretary
        .post_json(&poll(second), &json!({"mode": "named"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["mode"], "named");
    let res = secretary
        .post_json(&poll(second), &json!({"mode": "named"}))
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    let res = voter
        .post_json(
            &ballots(second),
            &json!({"choice": "for", "submission": "voter-key-0003"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        voter.get(&poll(second)).await.json()["my_vote"]["choice"],
        "for"
    );
    let res = secretary
        .post_json(
            &format!("/api/v1/motions/{first}/vote"),
            &json!({"votes_for": 5, "votes_against": 0}),
        )
        .await;
    assert_eq!(
        res.status, 409,
        "tellers' count refused while voting is electronic"
    );

    let closed = secretary
        .post_json(&format!("{}/close", poll(first)), &json!({}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text());
    let outcome = closed.json()["outcome"].as_str().unwrap().to_string();
    let after = member.get(&poll(first)).await.json();
    assert_eq!(after["open"], false);
    let count = &after["count"];
    let total = count["for"].as_i64().unwrap()
        + count["against"].as_i64().unwrap()
        + count["abstain"].as_i64().unwrap();
    assert_eq!(total, before + 1);
    let decided = store.motion(MotionId(first)).await.unwrap().unwrap();
    assert_eq!(decided.state.as_str(), outcome);
    assert_eq!(decided.votes_for, Some(count["for"].as_i64().unwrap()));
    let late = voter
        .post_json(
            &ballots(first),
            &json!({"choice": "for", "submission": "voter-key-0004"}),
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.text());
    assert_eq!(
        secretary
            .post_json(&format!("{}/close", poll(first)), &json!({}))
            .await
            .status,
        409
    );
});

both_backends!(vote_forms_open_refuse_and_close, |app| async move {
    let (meeting, _, second) = meeting_under_way(&app).await;
    let path = format!("/meetings/{meeting}");
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let csrf = secretary.csrf_token().unwrap();
    let page = secretary.get(&path).await.text();
    assert!(page.contains("Open a secret vote"), "{page}");
    let m = meeting.to_string();
    let bad = secretary
        .post_form(
            &format!("/motions/{second}/poll"),
            &[
                ("csrf", csrf.as_str()),
                ("meeting", m.as_str()),
                ("mode", "hands"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("role=\"alert\""), "{}", bad.text());
    let res = secretary
        .post_form(
            &format!("/motions/{second}/poll"),
            &[
                ("csrf", csrf.as_str()),
                ("meeting", m.as_str()),
                ("mode", "secret"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let location = res.header("location").unwrap().to_string();
    assert!(location.contains("saved=poll-opened"), "{location}");

    // The demo member may attend but not vote: refused on the page, nothing counted.
    let member = app.sign_in(MEMBER).await;
    let mcsrf = member.csrf_token().unwrap();
    let page = member.get(&path).await.text();
    assert!(
        !page.contains("class=\"ballot\""),
        "no ballot for a non-voter"
    );
    let res = member
        .post_form(
            &format!("/motions/{second}/ballots"),
            &[
                ("csrf", mcsrf.as_str()),
                ("meeting", m.as_str()),
                ("choice", "for"),
                ("submission", "member-form-key-1"),
            ],
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert!(res.text().contains("check in first"), "{}", res.text());
    assert_eq!(
        app.store()
            .poll(MotionId(second))
            .await
            .unwrap()
            .unwrap()
            .voted,
        0
    );
    let forged = member
        .post_form(
            &format!("/motions/{second}/ballots"),
            &[
                ("csrf", "not-the-token"),
                ("meeting", m.as_str()),
                ("choice", "for"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);

    let res = secretary
        .post_form(
            &format!("/motions/{second}/poll/close"),
            &[("csrf", csrf.as_str()), ("meeting", m.as_str())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let page = secretary.get(&path).await.text();
    assert!(
        page.contains("Secret vote closed: 0 for, 0 against"),
        "{page}"
    );
});

both_backends!(
    motions_are_seconded_amended_and_withdrawn,
    |app| async move {
        let southwark = unit_id(&app, "southwark").await;
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let called = secretary
            .post_json(
                "/api/v1/meetings",
                &json!({
                    "body": "branch-meeting",
                    "unit_id": southwark.0,
                    "kind": "general-meeting",
                    "title": "General meeting",
                    "starts_at": in_days(20),
                    "mode": "physical",
                    "place": "Community hall",
                    "agenda": "1. Delegates",
                }),
            )
            .await;
        assert_eq!(called.status, 201, "{}", called.text());
        let meeting = called.json()["id"].as_i64().unwrap();
        let member = app.sign_in(MEMBER).await;
        let res = member
        .post_json(
            &format!("/api/v1/meetings/{meeting}/motions"),
            &json!({"kind": "ordinary-motion", "title": "Delegates", "text": "Send two delegates."}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let m = res.json()["id"].as_i64().unwrap();
        let seconder = |id: i64| format!("/api/v1/motions/{id}/seconder");
        let amendments = |id: i64| format!("/api/v1/motions/{id}/amendments");
        assert_eq!(member.post_json(&seconder(m), &json!({})).await.status, 409);
        assert_eq!(
            secretary.post_json(&seconder(m), &json!({})).await.status,
            204
        );
        assert_eq!(
            secretary.post_json(&seconder(m), &json!({})).await.status,
            409
        );
        for (body, status) in [
            (json!({"text": "Send two delegates."}), 422),
            (json!({"text": "  "}), 422),
            (json!({"text": "Send three.", "extra": 1}), 400),
            (json!({}), 400),
        ] {
            let res = secretary.post_json(&amendments(m), &body).await;
            assert_eq!(res.status, status, "{body}: {}", res.text());
        }
        let res = secretary
            .post_json(&amendments(m), &json!({"text": "Send three delegates."}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let a1 = res.json()["id"].as_i64().unwrap();
        let res = member
            .post_json(&amendments(a1), &json!({"text": "Send four delegates."}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let a2 = res.json()["id"].as_i64().unwrap();
        let too_deep = member
            .post_json(&amendments(a2), &json!({"text": "Send five delegates."}))
            .await;
        assert_eq!(too_deep.status, 409, "{}", too_deep.text());
        assert!(too_deep.text().contains("6.5"), "{}", too_deep.text());
        assert_eq!(
            member
                .post_json(&amendments(m + 10_000), &json!({"text": "x"}))
                .await
                .status,
            404
        );

        let detail = member
            .get(&format!("/api/v1/meetings/{meeting}"))
            .await
            .json();
        let motions = detail["motions"].as_array().unwrap();
        let amends: Vec<(i64, Option<i64>, bool)> = motions
            .iter()
            .map(|x| {
                (
                    x["id"].as_i64().unwrap(),
                    x["amends_id"].as_i64(),
                    x["seconded_by_id"].is_i64(),
                )
            })
            .collect();
        assert_eq!(
            amends,
            [(m, None, true), (a1, Some(m), false), (a2, Some(a1), false)]
        );
        let versions = member.get(&format!("/api/v1/motions/{m}/versions")).await;
        assert_eq!(versions.status, 200, "{}", versions.text());
        let versions = versions.json();
        assert_eq!(versions.as_array().unwrap().len(), 1);
        assert_eq!(versions[0]["text"], "Send two delegates.");
        assert!(versions[0]["diff"].is_null());
        assert_eq!(
            member.get("/api/v1/motions/999999/versions").await.status,
            404
        );

        // The page shows what each amendment would change and offers the forms.
        let page = member.get(&format!("/meetings/{meeting}")).await.text();
        assert!(page.contains("Amends number 1"), "{page}");
        assert!(
            page.contains(
                "<del class=\"diff\"><span class=\"diff-label\">removed</span> two</del>"
            ),
            "{page}"
        );
        assert!(page.contains("Propose an amendment to number 1"), "{page}");
        assert!(page.contains("Withdraw number 1"), "{page}");

        // Only the proposer or an officer withdraws; the amendments fall with the motion.
        let treasurer = app.sign_in(TREASURER).await;
        assert_eq!(
            treasurer
                .post_json(&format!("/api/v1/motions/{m}/withdrawal"), &json!({}))
                .await
                .status,
            403
        );
        let res = member
            .post_json(&format!("/api/v1/motions/{m}/withdrawal"), &json!({}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let mut gone: Vec<i64> = res.json()["withdrawn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        gone.sort_unstable();
        assert_eq!(gone, [m, a1, a2]);
        assert_eq!(
            member
                .post_json(&format!("/api/v1/motions/{m}/withdrawal"), &json!({}))
                .await
                .status,
            409
        );
    }
);

both_backends!(
    procedural_and_emergency_motions_at_the_meeting,
    |app| async move {
        let (meeting, _, second) = meeting_under_way(&app).await;
        let member = app.sign_in(MEMBER).await;
        let moved = |body: serde_json::Value| {
            let member = member.clone();
            async move {
                member
                    .post_json(
                        &format!("/api/v1/meetings/{meeting}/procedural-motions"),
                        &body,
                    )
                    .await
            }
        };
        let res = moved(json!({"kind": "adjourn"})).await;
        assert_eq!(res.status, 409, "not present yet: {}", res.text());
        assert!(res.text().contains("check in"), "{}", res.text());
        let code = app
            .store()
            .check_in_code(MeetingId(meeting))
            .await
            .unwrap()
            .unwrap();
        let res = member
            .post_json(
                &format!("/api/v1/meetings/{meeting}/attendance"),
                &json!({ "code": code }),
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text());
        for (body, status) in [
            (json!({"kind": "filibuster"}), 422),
            (json!({"kind": "next-business"}), 422),
            (json!({"kind": "next-business", "target_id": 999_999}), 422),
            (
                json!({"kind": "closure", "target_id": second, "extra": true}),
                400,
            ),
        ] {
            let res = moved(body.clone()).await;
            assert_eq!(res.status, status, "{body}: {}", res.text());
        }
        let res = moved(json!({"kind": "next-business", "target_id": second})).await;
        assert_eq!(res.status, 201, "{}", res.text());

        // The same from the page's form.
        let page = member.get(&format!("/meetings/{meeting}")).await.text();
        assert!(page.contains("Move a procedural motion"), "{page}");
        let csrf = member.csrf_token().unwrap();
        let target = second.to_string();
        let res = member
            .post_form(
                &format!("/meetings/{meeting}/procedural-motions"),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "closure"),
                    ("target", target.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        let res = member
            .post_form(
                &format!("/meetings/{meeting}/procedural-motions"),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "refer-back"),
                    ("target", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert!(res.text().contains("role=\"alert\""));

        // Late business is an emergency motion, put only once the meeting admits it.
        let motion = |emergency: bool| {
            json!({
                "kind": "ordinary-motion",
                "title": "Strike fund",
                "text": "The branch gives to the strike fund.",
                "emergency": emergency,
            })
        };
        let path = format!("/api/v1/meetings/{meeting}/motions");
        let res = member.post_json(&path, &motion(false)).await;
        assert_eq!(res.status, 409, "{}", res.text());
        let res = member.post_json(&path, &motion(true)).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let late = res.json()["id"].as_i64().unwrap();
        let detail = member
            .get(&format!("/api/v1/meetings/{meeting}"))
            .await
            .json();
        let found = detail["motions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"].as_i64() == Some(late))
            .unwrap()
            .clone();
        assert_eq!(found["emergency"], true);
        assert!(found["admitted_by_id"].is_null());
        let kinds: Vec<String> = detail["motions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["target_id"].as_i64() == Some(second))
            .map(|m| m["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, ["next-business", "closure"]);
        let page = member.get(&format!("/meetings/{meeting}")).await.text();
        assert!(
            page.contains("Emergency business: taken only once"),
            "{page}"
        );
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let res = secretary
            .post_json(
                &format!("/api/v1/motions/{late}/poll"),
                &json!({"mode": "named"}),
            )
            .await;
        assert_eq!(res.status, 409, "not admitted: {}", res.text());
        assert!(res.text().contains("admit"), "{}", res.text());
    }
);

both_backends!(
    minutes_are_drafted_kept_and_put_for_approval,
    |app| async move {
        let (meeting, _, _) = meeting_under_way(&app).await;
        let southwark = unit_id(&app, "southwark").await;
        let minutes = format!("/api/v1/meetings/{meeting}/minutes");
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        let member = app.sign_in(MEMBER).await;
        assert_eq!(member.get(&minutes).await.status, 404);
        let draft = secretary.get(&format!("{minutes}/draft")).await;
        assert_eq!(draft.status, 200, "{}", draft.text());
        let text = draft.json()["text"].as_str().unwrap().to_string();
        assert!(
            text.starts_with("Minutes of Southwark members' meeting"),
            "{text}"
        );
        assert!(
            text.contains("Send delegates to the special conference"),
            "{text}"
        );
        let put = |who: &common::TestClient, body: serde_json::Value| {
            let who = who.clone();
            let path = minutes.clone();
            async move { who.json(http::Method::PUT, &path, &body).await }
        };
        assert_eq!(put(&member, json!({"text": "Mine."})).await.status, 403);
        assert_eq!(put(&secretary, json!({"text": " "})).await.status, 422);
        assert_eq!(put(&secretary, json!({"words": "x"})).await.status, 400);
        let res = put(&secretary, json!({"text": text})).await;
        assert_eq!(res.status, 204, "{}", res.text());
        let saved = member.get(&minutes).await.json();
        assert_eq!(saved["state"], "draft");
        assert!(saved["approval_motion_id"].is_null());

        // The page shows them and lets the secretary edit them.
        let page = secretary.get(&format!("/meetings/{meeting}")).await.text();
        assert!(page.contains("Save the draft minutes"), "{page}");
        assert!(
            page.contains("A draft, final only when a later meeting approves it"),
            "{page}"
        );
        let csrf = secretary.csrf_token().unwrap();
        let res = secretary
            .post_form(
                &format!("/meetings/{meeting}/minutes"),
                &[("csrf", csrf.as_str()), ("text", "Minutes, corrected.")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_eq!(
            member.get(&minutes).await.json()["text"],
            "Minutes, corrected."
        );

        // A later meeting of the branch puts them for approval, once.
        let later = secretary
            .post_json(
                "/api/v1/meetings",
                &json!({
                    "body": "branch-meeting",
                    "unit_id": southwark.0,
                    "kind": "general-meeting",
                    "title": "Next general meeting",
                    "starts_at": in_days(20),
                    "mode": "online",
                    "online_url": "https://meet.example.org/next",
                    "agenda": "1. Minutes",
                }),
            )
            .await;
        assert_eq!(later.status, 201, "{}", later.text());
        let later = later.json()["id"].as_i64().unwrap();
        let approvals = format!("/api/v1/meetings/{later}/minutes-approvals");
        let res = secretary
            .post_json(&approvals, &json!({"of_meeting_id": later}))
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        let res = member
            .post_json(&approvals, &json!({"of_meeting_id": meeting}))
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        let res = secretary
            .post_json(&approvals, &json!({"of_meeting_id": meeting}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let motion = res.json()["id"].as_i64().unwrap();
        assert_eq!(
            member.get(&minutes).await.json()["approval_motion_id"],
            motion
        );
        let again = secretary
            .post_json(&approvals, &json!({"of_meeting_id": meeting}))
            .await;
        assert_eq!(again.status, 409, "{}", again.text());
    }
);

both_backends!(
    calendar_subscription_links_work_without_a_session,
    |app| async move {
        let member = app.sign_in(MEMBER).await;
        let csrf = member.csrf_token().unwrap();
        assert_eq!(
            member
                .post_form("/me/calendar-link", &[("csrf", "wrong")])
                .await
                .status,
            403
        );
        let link = |page: &str| -> String {
            let start = page.find("/calendar/").expect("the link is shown");
            let rest = &page[start..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        let res = member
            .post_form("/me/calendar-link", &[("csrf", csrf.as_str())])
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let first = link(&res.text());
        assert!(first.ends_with(".ics"), "{first}");
        let anonymous = app.client();
        let feed = anonymous.get(&first).await;
        assert_eq!(feed.status, 200, "{}", feed.text());
        assert!(
            feed.header("content-type")
                .unwrap()
                .starts_with("text/calendar")
        );
        let text = feed.text();
        assert!(text.contains("BEGIN:VCALENDAR"), "{text}");
        assert!(text.contains("Southwark members' meeting"), "{text}");
        // A new link replaces the old; made-up links open nothing.
        let res = member
            .post_form("/me/calendar-link", &[("csrf", csrf.as_str())])
            .await;
        let second = link(&res.text());
        assert_ne!(first, second);
        assert_eq!(anonymous.get(&first).await.status, 404);
        assert_eq!(anonymous.get(&second).await.status, 200);
        assert_eq!(anonymous.get("/calendar/made-up.ics").await.status, 404);
    }
);

both_backends!(composites_over_the_api_and_the_page, |app| async move {
    let southwark = unit_id(&app, "southwark").await;
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let called = secretary
        .post_json(
            "/api/v1/meetings",
            &json!({
                "body": "branch-meeting",
                "unit_id": southwark.0,
                "kind": "general-meeting",
                "title": "General meeting",
                "starts_at": in_days(20),
                "mode": "physical",
                "place": "Community hall",
            }),
        )
        .await;
    assert_eq!(called.status, 201, "{}", called.text());
    let meeting = called.json()["id"].as_i64().unwrap();
    let member = app.sign_in(MEMBER).await;
    let mut ids = Vec::new();
    for (who, title) in [(&member, "Delegates"), (&secretary, "Two delegates")] {
        let res = who
            .post_json(
                &format!("/api/v1/meetings/{meeting}/motions"),
                &json!({"kind": "ordinary-motion", "title": title, "text": format!("{title}, in full.")}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        ids.push(res.json()["id"].as_i64().unwrap());
    }
    let url = format!("/api/v1/meetings/{meeting}/composites");
    let good = json!({"title": "Delegates", "text": "Send two delegates.", "motion_ids": ids});
    assert_eq!(member.post_json(&url, &good).await.status, 403);
    for (body, status) in [
        (
            json!({"title": "", "text": "", "motion_ids": [ids[0]]}),
            422,
        ),
        (
            json!({"title": "T", "text": "W", "motion_ids": [ids[0], 999_999]}),
            422,
        ),
        (
            json!({"title": "T", "text": "W", "motion_ids": ids, "x": 1}),
            400,
        ),
        (json!({"title": "T"}), 400),
    ] {
        let res = secretary.post_json(&url, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    assert_eq!(member.get(&url).await.json(), json!([]));
    let res = secretary.post_json(&url, &good).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let cid = res.json()["id"].as_i64().unwrap();
    let busy = secretary.post_json(&url, &good).await;
    assert_eq!(
        busy.status,
        409,
        "already awaiting consent: {}",
        busy.text()
    );

    // The member consents on the page; the secretary, the other mover, through the API.
    let page = member.get(&format!("/meetings/{meeting}")).await;
    assert!(page.text().contains("I agree to this composite"));
    let csrf = member.csrf_token().unwrap();
    let res = member
        .post_form(&format!("/composites/{cid}/consent"), &[("csrf", &csrf)])
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let list = member.get(&url).await.json();
    assert_eq!(list[0]["state"], "pending");
    assert_eq!(list[0]["parts"][0]["consented"], true);
    assert_eq!(list[0]["parts"][1]["consented"], false);
    let consent = format!("/api/v1/composites/{cid}/consent");
    let res = secretary.post_json(&consent, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let formed = res.json()["formed_motion_id"].as_i64().expect("formed");
    assert_eq!(member.post_json(&consent, &json!({})).await.status, 409);
    assert_eq!(
        member
            .post_json(&format!("/api/v1/composites/{cid}/refusal"), &json!({}))
            .await
            .status,
        409
    );
    let page = member.get(&format!("/meetings/{meeting}")).await.text();
    assert!(page.contains("Composited into number 3"), "{page}");
    let detail = member
        .get(&format!("/api/v1/meetings/{meeting}"))
        .await
        .json();
    let motions = detail["motions"].as_array().unwrap();
    assert!(motions.iter().any(|m| m["id"] == json!(formed)));
    assert_eq!(
        member
            .post_json("/api/v1/composites/999999/consent", &json!({}))
            .await
            .status,
        404
    );
});
