//! Paper ballots and the scrutineer's audit over the JSON API on both backends, in the demo's
//! open question. Tellers (the officers running it) mark members whose envelopes came back
//! and enter batches twice; every refusal is a 4xx that changes nothing; the batch goes in
//! only when two tellers agree. Only the scrutineer the constitution names reads the audit.

mod common;

use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_model::BallotId;
use common::sealed::holder;
use common::{MEMBER, NATIONAL, TestApp};
use serde_json::json;

/// The national office of `kind`'s holder (`fallback` appointed when it is vacant), signed in.
async fn national_officer(
    app: &TestApp,
    kind: OfficeKind,
    fallback: MemberId,
) -> (MemberId, common::TestClient) {
    let id = holder(app, kind, UnitKind::National, Some(fallback)).await;
    (id, app.sign_in_member(id).await)
}

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

/// Voters in the ballot who have not voted yet, and one the roll excludes.
async fn voters(app: &TestApp, ballot: BallotId) -> (Vec<MemberId>, MemberId) {
    let store = app.store();
    let b = store.ballot(ballot).await.unwrap().unwrap();
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let mut waiting = Vec::new();
    let mut excluded = None;
    for (m, _, eligible) in store.roll_frozen_lines(b.roll, None).await.unwrap() {
        if !eligible {
            excluded.get_or_insert(m);
        } else if !accounts.contains(&m)
            && store.ballot_voter(ballot, m).await.unwrap() == Some(None)
        {
            waiting.push(m);
        }
    }
    (waiting, excluded.expect("the roll excludes someone"))
}

async fn tally(app: &TestApp, ballot: BallotId) -> (i64, i64, i64) {
    let t = app.store().ballot_box_size(ballot).await.unwrap();
    (t.counting, t.voted, t.paper.voters)
}

both_backends!(tellers_enter_paper_ballots_twice, |app| async move {
    let id = ballot_id(&app, charter_demo::QUESTION_TITLE).await;
    let (waiting, excluded) = voters(&app, id).await;
    assert!(waiting.len() >= 4);
    let national = app.sign_in(NATIONAL).await;
    let (_, chair) = national_officer(&app, OfficeKind::Chair, waiting[3]).await;
    let member = app.sign_in(MEMBER).await;
    let voters_url = format!("/api/v1/ballots/{id}/paper-voters");
    let batches_url = format!("/api/v1/ballots/{id}/paper-batches");

    // Only the officers running the ballot act as tellers.
    assert_eq!(member.get(&batches_url).await.status, 403);
    let res = member
        .post_json(&voters_url, &json!({"member_id": waiting[0].0}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert_eq!(app.client().get(&batches_url).await.status, 401);

    // The demo member votes online.
    let res = member
        .post_json(
            &format!("/api/v1/ballots/{id}/votes"),
            &json!({"submission": "member-online-0001", "ranks": [0]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let before = tally(&app, id).await;
    for (body, status) in [
        // The demo member voted online.
        (json!({"member_id": app.account(MEMBER).member.0}), 409),
        (json!({"member_id": excluded.0}), 422),
        (json!({"member_id": 999_999_999}), 422),
        (json!({"member_id": "one"}), 400),
        (json!({"member_id": 1, "colour": "red"}), 400),
    ] {
        let res = national.post_json(&voters_url, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    assert_eq!(tally(&app, id).await, before, "nothing changed");
    for (k, m) in waiting[..2].iter().enumerate() {
        let res = national
            .post_json(&voters_url, &json!({"member_id": m.0}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.json()["paper_voters"], json!(k + 1));
    }
    let res = chair
        .post_json(&voters_url, &json!({"member_id": waiting[0].0}))
        .await;
    assert_eq!(res.status, 409, "marked once: {}", res.text());
    let marked = tally(&app, id).await;
    assert_eq!(marked, (before.0, before.1 + 2, before.2 + 2));

    // Batches: no more papers than paper voters; bad input is refused.
    for (body, status) in [
        (json!({"label": "postal box 1", "papers": 3}), 409),
        (json!({"label": "", "papers": 2}), 422),
        (json!({"label": "postal box 1", "papers": 0}), 422),
        (json!({"label": "postal box 1"}), 400),
    ] {
        let res = national.post_json(&batches_url, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    assert!(
        national.get(&batches_url).await.json()["batches"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let res = national
        .post_json(&batches_url, &json!({"label": "postal box 1", "papers": 2}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let batch = res.json()["id"].as_i64().unwrap();
    let entries = format!("{batches_url}/{batch}/entries");
    let read = json!({"papers": [{"ranks": [0]}, {"spoilt": true}]});
    let res = national.post_json(&entries, &read).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["state"], "waiting");
    // The same teller twice, wrong counts and bad papers: refused, nothing in the box.
    let res = national.post_json(&entries, &read).await;
    assert_eq!(res.status, 409, "the same teller twice: {}", res.text());
    for (body, status) in [
        (json!({"papers": [{"ranks": [0]}]}), 422),
        (json!({"papers": [{"ranks": [0]}, {"ranks": [5]}]}), 422),
        (json!({"papers": [{"ranks": [0]}, {"ranks": [0, 1]}]}), 422),
        (
            json!({"papers": [{"ranks": [0], "spoilt": true}, {"spoilt": true}]}),
            422,
        ),
        (json!({"papers": [{}, {"spoilt": true}]}), 422),
        (json!({"papers": [{"rank": [0]}, {"spoilt": true}]}), 400),
    ] {
        let res = chair.post_json(&entries, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
    }
    // The chair's entry differs at the first paper: not committed.
    let misread = json!({"papers": [{"ranks": [1]}, {"spoilt": true}]});
    let res = chair.post_json(&entries, &misread).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["state"], "differ");
    assert_eq!(res.json()["differ_at"], json!([1]));
    assert_eq!(tally(&app, id).await, marked, "nothing in the box");
    // Each teller sees their own entry and never the other's.
    let mine = national.get(&format!("{batches_url}/{batch}")).await.json();
    assert_eq!(mine["your_entry"], read["papers"]);
    assert_eq!(mine["differ_at"], json!([1]));
    let theirs = chair.get(&format!("{batches_url}/{batch}")).await.json();
    assert_eq!(theirs["your_entry"], misread["papers"]);
    assert_eq!(
        chair.get(&format!("{batches_url}/999999")).await.status,
        404
    );
    // The chair corrects their entry: the batch goes in, one ballot and one spoilt paper.
    let res = chair.post_json(&entries, &read).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["state"], "committed");
    assert_eq!(tally(&app, id).await, (marked.0 + 1, marked.1, marked.2));
    let res = national.post_json(&entries, &read).await;
    assert_eq!(res.status, 409, "in the box already: {}", res.text());
    let desk = national.get(&batches_url).await.json();
    assert_eq!(
        (
            &desk["paper_voters"],
            &desk["papers_entered"],
            &desk["papers_spoilt"]
        ),
        (&json!(2), &json!(2), &json!(1))
    );
    // Every paper voter's paper is in: a batch more is refused.
    let res = national
        .post_json(&batches_url, &json!({"label": "postal box 2", "papers": 1}))
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
});

both_backends!(only_the_named_scrutineer_audits, |app| async move {
    let id = ballot_id(&app, charter_demo::QUESTION_TITLE).await;
    let (waiting, _) = voters(&app, id).await;
    let audit = format!("/api/v1/ballots/{id}/audit");
    // The officers who run the ballot, the data protection officer and members: 403.
    for role in [NATIONAL, common::DPO, MEMBER] {
        let res = app.sign_in(role).await.get(&audit).await;
        assert_eq!(res.status, 403, "{role}: {}", res.text());
        assert_eq!(res.error_code(), "forbidden");
    }
    assert_eq!(app.client().get(&audit).await.status, 401);
    let (scrutineer_id, scrutineer) =
        national_officer(&app, OfficeKind::Scrutineer, waiting[0]).await;
    assert_eq!(
        scrutineer.get("/api/v1/ballots/999999/audit").await.status,
        404
    );
    assert_eq!(scrutineer.get(&format!("{audit}?page=x")).await.status, 400);
    let res = scrutineer.get(&audit).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let a = res.json();
    assert_eq!(a["check"]["box_matches"], json!(true), "{a}");
    assert!(a["check"]["recount_matches"].is_null(), "still open");
    assert!(
        a["roll_verification"]["frozen_hash_matches"]
            .as_bool()
            .unwrap()
    );
    let voters = a["voters"].as_array().unwrap();
    assert!(!voters.is_empty());
    assert!(voters.iter().any(|v| !v["voted_at"].is_null()));
    assert!(
        a["trail"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| { e["sha256"].as_str().unwrap().len() == 64 && e["kind"] != "ballot.voted" })
    );
    let text = res.text();
    assert!(!text.contains("v1:"), "no sealed choice in the audit");
    assert!(!text.contains("tracker"), "no tracker in the audit");
    // The read is in the access log of every voter listed.
    let first = MemberId(voters[0]["member_id"].as_i64().unwrap());
    let log = app.store().access_log(first, 1, 50).await.unwrap();
    assert!(log.items.iter().any(|e| e.reader == Some(scrutineer_id)));

    // The counted election: the count reproduces from the box.
    let election = ballot_id(&app, charter_demo::ELECTION_TITLE).await;
    let a = scrutineer
        .get(&format!("/api/v1/ballots/{election}/audit"))
        .await
        .json();
    assert_eq!(a["check"]["recount_matches"], json!(true), "{a}");
    assert_eq!(a["check"]["box_matches"], json!(true), "{a}");
    assert!(a["result"].is_object());

    // The page: the same people, the same refusals.
    let page = scrutineer.get(&format!("/ballots/{id}/audit")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("id=\"au-box-matches\""));
    assert_eq!(
        app.sign_in(NATIONAL)
            .await
            .get(&format!("/ballots/{id}/audit"))
            .await
            .status,
        403
    );
    let ballot_page = scrutineer.get(&format!("/ballots/{id}")).await.text();
    assert!(ballot_page.contains(&format!("href=\"/ballots/{id}/audit\"")));
});

both_backends!(tellers_double_entry_on_the_page, |app| async move {
    let id = ballot_id(&app, charter_demo::QUESTION_TITLE).await;
    let (waiting, _) = voters(&app, id).await;
    let national = app.sign_in(NATIONAL).await;
    let (_, chair) = national_officer(&app, OfficeKind::Chair, waiting[3]).await;
    let desk = format!("/ballots/{id}/paper");
    assert_eq!(app.sign_in(MEMBER).await.get(&desk).await.status, 403);
    let ballot_page = national.get(&format!("/ballots/{id}")).await.text();
    assert!(
        ballot_page.contains(&format!("href=\"{desk}\"")),
        "a link for the tellers"
    );
    let page = national.get(&desk).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(
        text.contains("<label for=\"pb-member\">"),
        "labelled fields"
    );
    let csrf = national.csrf_token().unwrap();
    let chair_csrf = chair.csrf_token().unwrap();

    // A bad member number is shown beside its field; nothing is marked.
    let res = national
        .post_form(
            &format!("{desk}/voters"),
            &[("csrf", &csrf), ("member", "nobody")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("id=\"pb-member-error\""));
    for m in &waiting[..2] {
        let res = national
            .post_form(
                &format!("{desk}/voters"),
                &[("csrf", &csrf), ("member", &m.0.to_string())],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
    }
    let res = national
        .post_form(
            &format!("{desk}/batches"),
            &[("csrf", &csrf), ("label", "postal box 1"), ("papers", "2")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let batch = app.store().paper_batches(id).await.unwrap()[0].id;
    let entry = format!("{desk}/batches/{batch}");
    let res = national
        .post_form(
            &entry,
            &[("csrf", &csrf), ("paper1", "1"), ("paper2", "spoilt")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    // The second teller's form starts blank: they do not see the first entry.
    let text = chair.get(&desk).await.text();
    assert!(text.contains(&format!(
        "id=\"pb-{batch}-paper1\" name=\"paper1\" value=\"\""
    )));
    // Entering it again alone is refused.
    let res = national
        .post_form(
            &entry,
            &[("csrf", &csrf), ("paper1", "1"), ("paper2", "spoilt")],
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    let res = chair
        .post_form(
            &entry,
            &[("csrf", &chair_csrf), ("paper1", "2"), ("paper2", "spoilt")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let text = chair.get(&desk).await.text();
    assert!(text.contains("The entries differ at paper 1."), "{text}");
    assert!(text.contains("Paper 1 (differs)"));
    let res = chair
        .post_form(
            &entry,
            &[("csrf", &chair_csrf), ("paper1", "1"), ("paper2", "s")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let text = chair.get(&format!("{desk}?saved=committed")).await.text();
    assert!(text.contains("in the box"), "{text}");
    let b = &app.store().paper_batches(id).await.unwrap()[0];
    assert_eq!((b.state.as_str(), b.spoilt), ("committed", Some(1)));
});

// The attack: one teller marks members who sent no paper, so their votes would be lost. The
// member's online vote is kept aside; the teller who marked cannot reverse the mark; the
// scrutineer reverses it, from the audit page or the API, with a reason kept; the vote kept
// aside goes into the box, or the member may vote.
both_backends!(a_false_paper_mark_is_reversed, |app| async move {
    let id = ballot_id(&app, charter_demo::QUESTION_TITLE).await;
    let (waiting, _) = voters(&app, id).await;
    let (ada, bo) = (waiting[1], waiting[2]);
    let national = app.sign_in(NATIONAL).await;
    for m in [ada, bo] {
        let res = national
            .post_json(
                &format!("/api/v1/ballots/{id}/paper-voters"),
                &json!({"member_id": m.0}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let member = app.sign_in_member(ada).await;
    let res = member
        .post_json(
            &format!("/api/v1/ballots/{id}/votes"),
            &json!({"submission": "ada-after-a-false-mark", "ranks": [1]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["kept_aside"], json!(true));
    let tracker = res.json()["tracker"].as_str().unwrap().to_string();

    let reversal = |m: MemberId| format!("/api/v1/ballots/{id}/paper-voters/{}/reversal", m.0);
    let res = national
        .post_json(&reversal(ada), &json!({"reason": "my mistake"}))
        .await;
    assert_eq!(res.status, 409, "the teller who marked: {}", res.text());
    let res = member
        .post_json(&reversal(ada), &json!({"reason": "not mine"}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let (scrutineer_id, scrutineer) =
        national_officer(&app, OfficeKind::Scrutineer, waiting[0]).await;
    let res = scrutineer
        .post_json(&reversal(ada), &json!({"reason": " "}))
        .await;
    assert_eq!(res.status, 422, "{}", res.text());

    // From the audit page: the mark is shown with its form, and reversed.
    let page = scrutineer.get(&format!("/ballots/{id}/audit")).await.text();
    let page_of_ada = format!("id=\"au-reverse-{}\"", ada.0);
    let mut audit_page = 1;
    let mut text = page;
    while !text.contains(&page_of_ada) && audit_page < 200 {
        audit_page += 1;
        text = scrutineer
            .get(&format!("/ballots/{id}/audit?page={audit_page}"))
            .await
            .text();
    }
    assert!(text.contains(&page_of_ada), "the mark's form on the audit");
    assert!(text.contains("an online ballot kept aside"));
    let csrf = scrutineer.csrf_token().unwrap();
    let res = scrutineer
        .post_form(
            &format!("/ballots/{id}/paper/reversals"),
            &[
                ("csrf", &csrf),
                ("member", &ada.0.to_string()),
                ("reason", "no envelope from Ada was received"),
                ("back", "audit"),
            ],
        )
        .await;
    assert!(res.status == 303 || res.status == 302, "{}", res.text());
    let mark = app.store().paper_mark(id, ada).await.unwrap().unwrap();
    assert_eq!(mark.reversed_by, Some(scrutineer_id));
    assert_eq!(
        mark.reversal_reason.as_deref(),
        Some("no envelope from Ada was received")
    );
    assert!(
        app.store()
            .ballot_voter(id, ada)
            .await
            .unwrap()
            .unwrap()
            .is_some()
    );
    // Bo had not voted online: after the API reversal he may.
    let res = scrutineer
        .post_json(&reversal(bo), &json!({"reason": "Bo sent no paper"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["kept_aside_ballot_boxed"], json!(false));
    assert_eq!(app.store().ballot_voter(id, bo).await.unwrap(), Some(None));
    let res = scrutineer
        .post_json(&reversal(bo), &json!({"reason": "again"}))
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    // The receipt's tracker will be found among the published ballots after close.
    assert!(!tracker.is_empty());
});
