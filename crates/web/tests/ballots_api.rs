//! Ballots over the JSON API on both backends, against the demo's ballots: an election
//! counted by STV (published by tracker, recountable) and a question still open (turnout
//! only, the box sealed). Bad input is a 4xx that stores nothing; a ballot goes in once.

mod common;

use axum::http::Method;
use bytes::Bytes;
use charter_domain::MemberId;
use charter_model::BallotId;
use common::{MEMBER, NATIONAL, TestApp};
use serde_json::json;

async fn ballot_id(app: &TestApp, title: &str) -> BallotId {
    app.store()
        .ballots()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.title == title)
        .unwrap()
        .id
}

/// A voter in the ballot who has not voted yet.
async fn waiting_voter(app: &TestApp, ballot: BallotId) -> MemberId {
    let store = app.store();
    let b = store.ballot(ballot).await.unwrap().unwrap();
    for (m, _, eligible) in store.roll_frozen_lines(b.roll, None).await.unwrap() {
        if eligible && store.ballot_voter(ballot, m).await.unwrap() == Some(None) {
            return m;
        }
    }
    panic!("everyone has voted");
}

/// A member the ballot's roll lists as not entitled to vote.
async fn excluded(app: &TestApp, ballot: BallotId) -> MemberId {
    let store = app.store();
    let b = store.ballot(ballot).await.unwrap().unwrap();
    store
        .roll_frozen_lines(b.roll, None)
        .await
        .unwrap()
        .into_iter()
        .find(|(_, _, eligible)| !eligible)
        .map(|(m, _, _)| m)
        .expect("the roll excludes someone")
}

both_backends!(voting_in_the_open_question, |app| async move {
    let id = ballot_id(&app, charter_demo::QUESTION_TITLE).await;
    let member = app.sign_in(MEMBER).await;
    let list = member.get("/api/v1/ballots").await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    let seen = member.get(&format!("/api/v1/ballots/{id}")).await.json();
    assert_eq!(seen["state"], "open");
    assert_eq!(seen["options"], json!(["Yes", "No", "Abstain"]));
    assert_eq!(
        seen["voted"],
        json!(false),
        "the demo member can vote: {seen}"
    );
    assert!(seen["votes"].as_i64().unwrap() > 0);
    assert!(seen["result"].is_null());
    let votes = format!("/api/v1/ballots/{id}/votes");
    let ballot = |submission: &str, ranks: serde_json::Value| json!({"submission": submission, "ranks": ranks});
    let res = member
        .post_json(&votes, &ballot("member-ballot-0001", json!([0])))
        .await;
    assert_eq!(res.status, 201, "the demo member votes: {}", res.text());
    let res = member
        .post_json(&votes, &ballot("member-ballot-0002", json!([0])))
        .await;
    assert_eq!(res.status, 409, "a second ballot: {}", res.text());
    let outsider = app.sign_in_member(excluded(&app, id).await).await;
    let seen = outsider.get(&format!("/api/v1/ballots/{id}")).await.json();
    assert!(seen["voted"].is_null(), "not on its roll: {seen}");
    let res = outsider
        .post_json(&votes, &ballot("outsider-ballot-01", json!([0])))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(
        app.client()
            .post_json(&votes, &ballot("anonymous-0001", json!([0])))
            .await
            .status,
        401
    );
    let res = app
        .client()
        .post_json(
            &votes,
            &json!({"submission": "linked-000001", "ranks": [0], "link": "forged"}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());

    let before = member.get(&format!("/api/v1/ballots/{id}")).await.json()["votes"]
        .as_i64()
        .unwrap();
    let voter = app.sign_in_member(waiting_voter(&app, id).await).await;
    for (body, status) in [
        (ballot("voter-ballot-0001", json!([])), 422),
        (ballot("voter-ballot-0001", json!([7])), 422),
        (ballot("voter-ballot-0001", json!([0, 1])), 422),
        (ballot("short", json!([0])), 422),
        (
            json!({"submission": "voter-ballot-0001", "ranks": [0], "colour": 1}),
            400,
        ),
        (json!({"ranks": [0]}), 400),
    ] {
        let res = voter.post_json(&votes, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    // From another site the session is not enough.
    let res = voter
        .send(
            Method::POST,
            &votes,
            &[
                ("content-type", "application/json"),
                ("origin", "http://evil.example"),
            ],
            Bytes::from(ballot("voter-ballot-0001", json!([0])).to_string()),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let after_bad = member.get(&format!("/api/v1/ballots/{id}")).await.json()["votes"]
        .as_i64()
        .unwrap();
    assert_eq!(after_bad, before, "nothing stored for bad input");

    let res = voter
        .post_json(&votes, &ballot("voter-ballot-0001", json!([1])))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let tracker = res.json()["tracker"].as_str().unwrap().to_string();
    let again = voter
        .post_json(&votes, &ballot("voter-ballot-0001", json!([1])))
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["tracker"], json!(tracker));
    assert_eq!(again.json()["new"], json!(false));
    let second = voter
        .post_json(&votes, &ballot("voter-ballot-0002", json!([0])))
        .await;
    assert_eq!(second.status, 409, "{}", second.text());
    let seen = voter.get(&format!("/api/v1/ballots/{id}")).await.json();
    assert_eq!(seen["voted"], json!(true));
    assert_eq!(seen["votes"].as_i64().unwrap(), before + 1);

    // Turnout by branch while open; no choice is seen before close.
    let turnout = member.get(&format!("/api/v1/ballots/{id}/turnout")).await;
    assert_eq!(turnout.status, 200);
    let voted: i64 = turnout
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["voted"].as_i64().unwrap())
        .sum();
    assert_eq!(voted, before + 1);
    for suffix in ["ballots.json", "ballots.blt"] {
        let res = app
            .client()
            .get(&format!("/api/v1/ballots/{id}/{suffix}"))
            .await;
        assert_eq!(res.status, 409, "{suffix}: {}", res.text());
    }
    assert_eq!(member.get("/api/v1/ballots/999999").await.status, 404);
    // Reminders go by the constitution's timetable (by default, 2 days before close), not
    // when an officer likes: before it is due the officers are told when it will be.
    let reminders = format!("/api/v1/ballots/{id}/reminders");
    assert_eq!(member.post_json(&reminders, &json!({})).await.status, 403);
    let national = app.sign_in(NATIONAL).await;
    let res = national.post_json(&reminders, &json!({})).await;
    assert_eq!(res.status, 409, "{}", res.text());
    let refusal = res.text();
    assert!(
        refusal.contains("clause 6.7")
            && refusal.contains("2 days before close")
            && refusal.contains("next reminder is due"),
        "{refusal}"
    );
    // The ballot's page says when it will be.
    let page = national.get(&format!("/ballots/{id}")).await.text();
    assert!(
        page.contains("2 days before close (") && page.contains("once each"),
        "{page}"
    );
    // When it is due the timetable sends it, to those who have not voted, once.
    let due = common::ballots::app_at(&app, common::now() + chrono::Duration::days(2));
    assert_eq!(due.run_ballot_clock().await.unwrap(), 1);
    assert_eq!(due.run_ballot_clock().await.unwrap(), 0);
    let waiting = app.store().ballot_nonvoters(id).await.unwrap().len() as i64;
    let sent = app.store().ballot_reminders(id).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].days_before, sent[0].reminded), (2, waiting));
});

both_backends!(
    the_counted_election_is_published_and_recounts,
    |app| async move {
        let id = ballot_id(&app, charter_demo::ELECTION_TITLE).await;
        let member = app.sign_in(MEMBER).await;
        let seen = member.get(&format!("/api/v1/ballots/{id}")).await.json();
        assert_eq!(seen["state"], "counted");
        assert_eq!(seen["method"], "scottish-stv");
        assert_eq!(seen["clause"], "6.7");
        let elected = seen["result"]["elected"].as_array().unwrap().clone();
        assert_eq!(elected.len(), 3);
        assert!(seen["outcome"].as_str().unwrap().starts_with("elected: "));

        // Anyone may download the ballots; charter-count reads them and elects the same.
        let published = app
            .client()
            .get(&format!("/api/v1/ballots/{id}/ballots.json"))
            .await;
        assert_eq!(published.status, 200, "{}", published.text());
        let file = published.json();
        let ballots = file["ballots"].as_array().unwrap();
        assert!(
            ballots
                .iter()
                .all(|b| b["tracker"].as_str().unwrap().len() == 14)
        );
        let election = charter_count::json_ballots::parse(&published.text()).unwrap();
        let recount = charter_count::count_by(
            &election,
            charter_count::Method::ScottishStv,
            &charter_count::stv::StvOptions::default(),
        )
        .unwrap();
        let names: Vec<String> = recount
            .elected
            .iter()
            .map(|c| election.candidates[c.index()].name.clone())
            .collect();
        assert_eq!(json!(names), json!(elected));
        let blt = app
            .client()
            .get(&format!("/api/v1/ballots/{id}/ballots.blt"))
            .await;
        assert_eq!(blt.status, 200);
        assert!(blt.text().starts_with("6 3"), "{}", blt.text());
        assert_eq!(
            charter_count::blt::parse(&blt.text())
                .unwrap()
                .total_votes(),
            ballots.len() as u64
        );
        // Voting after the count is refused.
        let voter = app.sign_in_member(waiting_voter(&app, id).await).await;
        let res = voter
            .post_json(
                &format!("/api/v1/ballots/{id}/votes"),
                &json!({"submission": "too-late-00001", "ranks": [0]}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
    }
);

both_backends!(setting_up_a_ballot, |app| async move {
    let roll = app
        .store()
        .rolls()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.context == "member-ballot")
        .unwrap()
        .id;
    let now = common::now();
    let body = |opens: i64, closes: i64| {
        json!({
            "title": "Conference venue",
            "question": "Should conference meet in Leeds?",
            "kind": "question",
            "roll_id": roll,
            "opens_at": (now + chrono::Duration::days(opens)).to_rfc3339(),
            "closes_at": (now + chrono::Duration::days(closes)).to_rfc3339(),
        })
    };
    let member = app.sign_in(MEMBER).await;
    assert_eq!(
        member
            .post_json("/api/v1/ballots", &body(2, 12))
            .await
            .status,
        403
    );
    let national = app.sign_in(NATIONAL).await;
    for (b, status) in [
        (body(2, 4), 422),
        (body(-1, 12), 422),
        (json!({"title": "x"}), 400),
        (
            json!({"kind": "referendum", "title": "T", "question": "Q", "roll_id": roll,
                "opens_at": now.to_rfc3339(), "closes_at": now.to_rfc3339()}),
            422,
        ),
    ] {
        let res = national.post_json("/api/v1/ballots", &b).await;
        assert_eq!(res.status, status, "{b}: {}", res.text());
    }
    let before = app.store().ballots().await.unwrap().len();
    let res = national.post_json("/api/v1/ballots", &body(2, 12)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(app.store().ballots().await.unwrap().len(), before + 1);
});

both_backends!(elections_take_nominations, |app| async move {
    let roll = app
        .store()
        .rolls()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.context == "conference")
        .unwrap();
    let now = common::now();
    let day = |d: i64| (now + chrono::Duration::days(d)).to_rfc3339();
    let body = |key: &str| {
        json!({
            "body": key,
            "title": "Steering Committee",
            "roll_id": roll.id,
            "nominations_close_at": day(15),
            "opens_at": day(20),
            "closes_at": day(28),
        })
    };
    let member = app.sign_in(MEMBER).await;
    assert_eq!(
        member
            .post_json("/api/v1/elections", &body("steering-committee"))
            .await
            .status,
        403
    );
    let national = app.sign_in(NATIONAL).await;
    for (b, status) in [
        (body("national-council"), 422),
        (body("no-such-body"), 422),
        (json!({"body": "steering-committee"}), 400),
    ] {
        let res = national.post_json("/api/v1/elections", &b).await;
        assert_eq!(res.status, status, "{b}: {}", res.text());
    }
    let res = national
        .post_json("/api/v1/elections", &body("steering-committee"))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let lines = app.store().roll_frozen_lines(roll.id, None).await.unwrap();
    let may_stand = lines.iter().find(|(_, _, ok)| *ok).unwrap().0;
    let may_not = lines.iter().find(|(_, _, ok)| !*ok).unwrap().0;
    let nominations = format!("/api/v1/elections/{id}/nominations");
    let me = app.account(NATIONAL).member;
    for (candidate, status) in [(me, 422), (may_not, 422)] {
        let res = national
            .post_json(&nominations, &json!({"candidate_id": candidate.0}))
            .await;
        assert_eq!(res.status, status, "{}", res.text());
    }
    let refused = national
        .post_json(&nominations, &json!({"candidate_id": may_not.0}))
        .await;
    assert!(refused.text().contains("clause"), "{}", refused.text());
    let res = national
        .post_json(&nominations, &json!({"candidate_id": may_stand.0}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        res.json()["state"],
        "seeking",
        "clause 6.7 needs two nominators"
    );
    let again = national
        .post_json(&nominations, &json!({"candidate_id": may_stand.0}))
        .await;
    assert_eq!(again.status, 409, "{}", again.text());
    let seen = member.get(&format!("/api/v1/elections/{id}")).await.json();
    assert_eq!(seen["nominations"].as_array().unwrap().len(), 1);
    assert_eq!(seen["clause"], "6.7");
    let early = national
        .post_json(&format!("/api/v1/elections/{id}/ballot"), &json!({}))
        .await;
    assert_eq!(early.status, 409, "{}", early.text());
});
