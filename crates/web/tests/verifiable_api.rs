//! Verifiable ballots over the JSON API on both backends: a constitution whose ballot clause
//! names three trustees (any two open the result) is put in force; the trustees' key
//! ceremony, the scrutineer's credentials, encrypted ballots, the close and the decryption
//! shares all go over HTTP, the trustees simulated with `charter-ballot-crypto` as their
//! `charter trustee` commands would run it; the board the API serves then verifies. Every
//! attack on the way is refused with its status and writes nothing.

mod common;

use axum::http::Method;
use bytes::Bytes;
use charter_app::ballots::BallotRequest;
use charter_app::rolls::RollRequest;
use charter_ballot_crypto::dkg::{
    Dealing, IdentitySecret, TrusteeIdentity, TrusteeKey, combine_shares, deal, new_identity,
    open_share,
};
use charter_ballot_crypto::documents::key_report;
use charter_ballot_crypto::{
    Board, Choice, Credential, CredentialList, EncryptedBallot, Finished, Outcome, Setup,
    decrypt_share, encrypt_ballot, verify_board,
};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_model::{BallotId, RollId};
use chrono::Duration;
use common::ballots::app_at;
use common::sealed::{holder, trustees_in_force};
use common::{NATIONAL, TestApp, TestClient, TestResponse, now, today};
use serde_json::{Value, json};

/// The people of a verifiable ballot, signed in: three trustees in different units (the
/// national scrutineer, a regional and a branch secretary, none of them a demo account) and
/// the scrutineer.
struct People {
    trustees: Vec<(MemberId, TestClient)>,
    scrutineer: TestClient,
    /// Members on the roll who are none of the above nor a demo account.
    voters: Vec<MemberId>,
    roll: i64,
}

async fn people(app: &TestApp) -> People {
    let then = now() - Duration::days(10);
    let past = app_at(app, then);
    let national = past.actor(app.account(NATIONAL).member).await.unwrap();
    let roll = past
        .freeze_roll(
            &national,
            &RollRequest {
                title: "Roll for the verifiable ballots".into(),
                context: "member-ballot".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some((then + Duration::days(3)).date_naive()),
            },
        )
        .await
        .unwrap();
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let offices = app.store().offices(None, today()).await.unwrap();
    let secretary_of = |kind: UnitKind| {
        offices
            .iter()
            .find(|o| {
                o.kind == OfficeKind::Secretary
                    && o.unit_kind == kind
                    && o.holder.is_some_and(|h| !accounts.contains(&h))
            })
            .and_then(|o| o.holder)
            .unwrap_or_else(|| panic!("a {kind:?} secretary who is no demo account"))
    };
    let (regional, branch) = (
        secretary_of(UnitKind::Region),
        secretary_of(UnitKind::Branch),
    );
    let lines = app.store().roll_frozen_lines(roll, None).await.unwrap();
    let mut ordinary: Vec<MemberId> = lines
        .iter()
        .filter(|(m, _, ok)| *ok && !accounts.contains(m) && *m != regional && *m != branch)
        .map(|(m, _, _)| *m)
        .collect();
    let scrutineer = holder(
        app,
        OfficeKind::Scrutineer,
        UnitKind::National,
        Some(ordinary.remove(0)),
    )
    .await;
    ordinary.retain(|m| *m != scrutineer);
    let mut trustees = Vec::new();
    for m in [scrutineer, regional, branch] {
        trustees.push((m, app.sign_in_member(m).await));
    }
    People {
        scrutineer: trustees[0].1.clone(),
        trustees,
        voters: ordinary,
        roll: roll.0,
    }
}

/// A ballot set up ten days ago by the national officer over the roll, with `trustees`,
/// opening an hour ago and closing in a week (once its ceremony is done).
async fn verifiable_ballot(
    app: &TestApp,
    p: &People,
    title: &str,
    candidates: &[&str],
) -> BallotId {
    let past = app_at(app, now() - Duration::days(10));
    let national = past.actor(app.account(NATIONAL).member).await.unwrap();
    past.create_ballot(
        &national,
        &BallotRequest {
            title: title.into(),
            question: format!("{title}: the question put"),
            kind: if candidates.is_empty() {
                "question"
            } else {
                "election"
            }
            .into(),
            decision_kind: None,
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            seats: Some(1),
            roll: Some(RollId(p.roll)),
            opens_at: Some(now() - Duration::hours(1)),
            closes_at: Some(now() + Duration::days(7)),
            trustees: p.trustees.iter().map(|(m, _)| *m).collect(),
        },
    )
    .await
    .unwrap()
}

async fn put(client: &TestClient, path: &str, body: &impl serde::Serialize) -> TestResponse {
    client
        .json(Method::PUT, path, &serde_json::to_value(body).unwrap())
        .await
}

fn doc(id: BallotId, index: usize, kind: &str) -> String {
    format!("/api/v1/ballots/{id}/trustees/{index}/{kind}")
}

async fn get_json<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> T {
    let res = app.client().get(path).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

async fn board_len(app: &TestApp, id: BallotId) -> usize {
    app.store().board_items(id).await.unwrap().len()
}

/// The trustees' key ceremony over HTTP, as `charter trustee new`, `deal` and `finish`
/// would run it with the files these routes serve. Returns each trustee's secrets.
async fn key_ceremony(
    app: &TestApp,
    p: &People,
    id: BallotId,
) -> Vec<(IdentitySecret, TrusteeKey)> {
    let rng = &mut rand::rng();
    let setup: Setup = get_json(app, &format!("/api/v1/ballots/{id}/setup")).await;
    let params = setup.check().unwrap().clone();
    let mut secrets = Vec::new();
    for (i, (_, client)) in p.trustees.iter().enumerate() {
        let (secret, identity) = new_identity(&params, i as u32 + 1, rng).unwrap();
        let res = put(client, &doc(id, i + 1, "identity"), &identity).await;
        assert_eq!(res.status, 204, "identity {}: {}", i + 1, res.text());
        secrets.push(secret);
        if i == 0 {
            // Out of order: no dealing before every identity is in.
            let before = board_len(app, id).await;
            let ids = vec![identity.clone()];
            let early = deal(&params, &secrets[0], &ids, rng);
            if let Ok(d) = early {
                let res = put(client, &doc(id, 1, "dealing"), &d).await;
                assert_eq!(res.status, 409, "{}", res.text());
            }
            let res = app
                .client()
                .get(&format!("/api/v1/ballots/{id}/ceremony/identities"))
                .await;
            assert_eq!(res.status, 409, "{}", res.text());
            assert_eq!(board_len(app, id).await, before);
        }
    }
    let ids: Vec<TrusteeIdentity> =
        get_json(app, &format!("/api/v1/ballots/{id}/ceremony/identities")).await;
    assert_eq!(ids.len(), 3);
    for (i, (_, client)) in p.trustees.iter().enumerate() {
        let dealing = deal(&params, &secrets[i], &ids, rng).unwrap();
        let res = put(client, &doc(id, i + 1, "dealing"), &dealing).await;
        assert_eq!(res.status, 204, "dealing {}: {}", i + 1, res.text());
    }
    let dealings: Vec<Dealing> =
        get_json(app, &format!("/api/v1/ballots/{id}/ceremony/dealings")).await;
    let mut keys = Vec::new();
    for (i, (_, client)) in p.trustees.iter().enumerate() {
        let shares: Vec<_> = dealings
            .iter()
            .map(|d| open_share(&params, &secrets[i], &ids, d).unwrap())
            .collect();
        let key = combine_shares(i as u32 + 1, &shares);
        let report = key_report(&params, &ids, &dealings, &key).unwrap();
        let res = put(client, &doc(id, i + 1, "report"), &Finished::Key(report)).await;
        assert_eq!(res.status, 204, "report {}: {}", i + 1, res.text());
        keys.push(key);
    }
    secrets.into_iter().zip(keys).collect()
}

/// The scrutineer's credentials, one per voter, frozen over HTTP. Returns the secrets.
async fn credentials(app: &TestApp, p: &People, id: BallotId) -> Vec<Credential> {
    let setup: Setup = get_json(app, &format!("/api/v1/ballots/{id}/setup")).await;
    let roll = app
        .store()
        .roll_frozen_lines(RollId(p.roll), None)
        .await
        .unwrap();
    let voters = roll.iter().filter(|(_, _, ok)| *ok).count();
    let rng = &mut rand::rng();
    let creds: Vec<Credential> = (0..voters).map(|_| Credential::generate(rng)).collect();
    let list = CredentialList::new(&setup, creds.iter().map(Credential::public).collect()).unwrap();
    let url = format!("/api/v1/ballots/{id}/credentials");
    let before = board_len(app, id).await;
    // Only the scrutineer freezes them.
    let res = put(&p.trustees[1].1, &url, &list).await;
    assert_eq!(res.status, 403, "{}", res.text());
    // One per voter, no fewer.
    let short =
        CredentialList::new(&setup, creds[1..].iter().map(Credential::public).collect()).unwrap();
    let res = put(&p.scrutineer, &url, &short).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert_eq!(board_len(app, id).await, before);
    let res = put(&p.scrutineer, &url, &list).await;
    assert_eq!(res.status, 204, "{}", res.text());
    // Frozen: a second list is refused.
    let other = CredentialList::new(
        &setup,
        (0..voters)
            .map(|_| Credential::generate(rng).public())
            .collect(),
    )
    .unwrap();
    let res = put(&p.scrutineer, &url, &other).await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert_eq!(board_len(app, id).await, before + 1);
    creds
}

async fn board(app: &TestApp, id: BallotId) -> Board {
    get_json(app, &format!("/api/v1/ballots/{id}/board")).await
}

fn encrypted(board: &Board, credential: &Credential, choice: Choice) -> EncryptedBallot {
    encrypt_ballot(
        &board.context().unwrap(),
        credential,
        &choice,
        &mut rand::rng(),
    )
    .unwrap()
}

async fn cast(
    client: &TestClient,
    id: BallotId,
    submission: &str,
    ballot: &EncryptedBallot,
) -> TestResponse {
    client
        .post_json(
            &format!("/api/v1/ballots/{id}/encrypted-votes"),
            &json!({"submission": submission, "ballot": ballot}),
        )
        .await
}

fn state_of(v: &Value) -> &str {
    v["state"].as_str().unwrap()
}

both_backends!(a_verifiable_question_end_to_end, |app| async move {
    trustees_in_force(&app).await;
    let p = people(&app).await;

    // Set up over the API: the trustees by member id, as many as the clause asks for.
    let national = app.sign_in(NATIONAL).await;
    let create = |trustees: Vec<i64>| {
        json!({"title": "Over the API", "question": "Agreed?", "kind": "question",
               "roll_id": p.roll, "opens_at": now() + Duration::days(1),
               "closes_at": now() + Duration::days(9), "trustees": trustees})
    };
    let ids: Vec<i64> = p.trustees.iter().map(|(m, _)| m.0).collect();
    let res = national
        .post_json("/api/v1/ballots", &create(ids[..2].to_vec()))
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(
        res.json()["error"]["fields"]["trustees"].is_string(),
        "{}",
        res.text()
    );
    let res = national
        .post_json("/api/v1/ballots", &create(vec![ids[0], ids[1], ids[1]]))
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let res = national
        .post_json("/api/v1/ballots", &create(ids.clone()))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let over_api = res.json()["id"].as_i64().unwrap();
    let c: Value = get_json(&app, &format!("/api/v1/ballots/{over_api}/ceremony")).await;
    assert_eq!(c["stage"], "identities");
    assert_eq!(c["trustees"].as_array().unwrap().len(), 3);
    assert_eq!(c["trustees"][0]["index"], 1);
    assert_eq!(c["trustees"][0]["office"], "scrutineer");
    assert!(c["trustees"][0]["identity"].is_null());
    assert!(c["credentials"].is_null());
    let res = app
        .client()
        .get(&format!("/api/v1/ballots/{over_api}/board"))
        .await;
    assert_eq!(res.status, 409, "the ceremony is not done: {}", res.text());

    // Not verifiable, or no ballot: 404.
    let demo = app.store().ballots().await.unwrap();
    let plain = demo
        .iter()
        .find(|b| b.title == charter_demo::QUESTION_TITLE)
        .unwrap()
        .id;
    for path in ["board", "setup", "ceremony", "ceremony/identities"] {
        for ballot in [plain, BallotId(999_999)] {
            let res = app
                .client()
                .get(&format!("/api/v1/ballots/{ballot}/{path}"))
                .await;
            assert_eq!(res.status, 404, "{ballot}/{path}: {}", res.text());
        }
    }

    let id = verifiable_ballot(&app, &p, "Encrypted question", &[]).await;
    // A trustee posts only their own documents.
    let setup: Setup = get_json(&app, &format!("/api/v1/ballots/{id}/setup")).await;
    let (_, forged) = new_identity(&setup.election, 2, &mut rand::rng()).unwrap();
    let res = put(&p.trustees[0].1, &doc(id, 2, "identity"), &forged).await;
    assert_eq!(res.status, 403, "{}", res.text());
    // Trustee 1's own place, with trustee 2's identity document.
    let res = put(&p.trustees[0].1, &doc(id, 1, "identity"), &forged).await;
    assert_eq!(res.status, 422, "{}", res.text());
    for (path, status) in [
        (doc(id, 4, "identity"), 404),
        (doc(id, 1, "tally"), 404),
        (doc(id, 1, "setup"), 404),
    ] {
        let res = put(&p.trustees[0].1, &path, &forged).await;
        assert_eq!(res.status, status, "{path}: {}", res.text());
    }
    let res = p.trustees[0]
        .1
        .send(
            Method::PUT,
            &doc(id, 1, "identity"),
            &[("content-type", "application/json")],
            Bytes::from_static(b"{not json"),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert_eq!(
        app.client()
            .json(Method::PUT, &doc(id, 1, "identity"), &json!({}))
            .await
            .status,
        401
    );
    assert_eq!(
        board_len(&app, id).await,
        4,
        "the setup and three appointments only"
    );

    let secrets = key_ceremony(&app, &p, id).await;
    let c: Value = get_json(&app, &format!("/api/v1/ballots/{id}/ceremony")).await;
    assert_eq!(c["stage"], "credentials");
    // Still waiting for credentials: the ballot does not open.
    app.app().run_ballot_clock().await.unwrap();
    assert_eq!(
        app.store().ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Scheduled
    );
    let creds = credentials(&app, &p, id).await;
    let c: Value = get_json(&app, &format!("/api/v1/ballots/{id}/ceremony")).await;
    assert_eq!(c["stage"], "ready");
    assert!(
        c["trustees"][2]["report"]["election_key"].is_string(),
        "{c}"
    );

    // The key ceremony's documents go before voting opens only.
    app.app().run_ballot_clock().await.unwrap();
    assert_eq!(
        app.store().ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Open
    );
    let b = board(&app, id).await;
    assert!(b.ballots.is_empty());
    assert_eq!(b.credentials.len(), creds.len());

    // Votes: encrypted on the voter's device, signed in or by link; and for a voter without
    // JavaScript, encrypted by the server on arrival with the credential they give.
    let v: Vec<TestClient> = {
        let mut out = Vec::new();
        for m in &p.voters[..4] {
            out.push(app.sign_in_member(*m).await);
        }
        out
    };
    let yes = encrypted(&b, &creds[0], Choice::Options(vec![0]));
    let res = cast(&v[0], id, "device-ballot-0001", &yes).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let tracker = res.json()["tracker"].as_str().unwrap().to_string();
    assert_eq!(tracker.len(), 64);
    assert!(tracker.chars().all(|c| c.is_ascii_hexdigit()));
    let again = cast(&v[0], id, "device-ballot-0001", &yes).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["tracker"], json!(tracker));

    let links = common::ballots::voting_links(&app_at(&app, now()), id).await;
    let mut link = None;
    for l in &links {
        let m = app.app().voter_for_link(id, l).await.unwrap();
        if p.voters[4..].contains(&m) {
            link = Some((m, l.clone()));
            break;
        }
    }
    let (linked, token) = link.expect("a link of an ordinary voter");
    let no = encrypted(&b, &creds[1], Choice::Options(vec![1]));
    let res = app
        .client()
        .post_json(
            &format!("/api/v1/ballots/{id}/encrypted-votes"),
            &json!({"submission": "linked-ballot-0001", "ballot": no, "link": token}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());

    let votes = format!("/api/v1/ballots/{id}/votes");
    let res = v[1]
        .post_json(
            &votes,
            &json!({"submission": "nojs-ballot-0001", "ranks": [0]}),
        )
        .await;
    assert_eq!(
        res.status,
        422,
        "no credential, no plaintext ballot: {}",
        res.text()
    );
    let res = v[1]
        .post_json(
            &votes,
            &json!({"submission": "nojs-ballot-0001", "ranks": [0], "credential": "nonsense"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let res = v[1]
        .post_json(
            &votes,
            &json!({"submission": "nojs-ballot-0001", "ranks": [0],
                    "credential": hex::encode(creds[2].to_bytes().0)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["tracker"].as_str().unwrap().len(), 64);

    // Attacks, each refused with nothing written. `v[2]` tries them all.
    let in_box = board(&app, id).await.ballots.len();
    assert_eq!(in_box, 3);
    let attacker = &v[2];
    let mut bare = encrypted(&b, &creds[3], Choice::Options(vec![1]));
    bare.credential = None;
    bare.signature = None;
    let stranger = encrypted(
        &b,
        &Credential::generate(&mut rand::rng()),
        Choice::Options(vec![1]),
    );
    let mut modified = encrypted(&b, &creds[3], Choice::Options(vec![1]));
    let first = modified.choices[0].ciphertext;
    modified.choices[0].ciphertext = modified.choices[1].ciphertext;
    modified.choices[1].ciphertext = first;
    for (what, ballot, status) in [
        ("without a credential", &bare, 422),
        ("with a credential not on the list", &stranger, 422),
        ("changed after signing", &modified, 422),
        ("another voter's, replayed", &yes, 409),
    ] {
        let res = cast(attacker, id, "attack-ballot-0001", ballot).await;
        assert_eq!(res.status, status, "a ballot {what}: {}", res.text());
        if status == 409 {
            assert!(res.text().contains("in the box already"), "{}", res.text());
        }
    }
    let res = attacker
        .send(
            Method::POST,
            &format!("/api/v1/ballots/{id}/encrypted-votes"),
            &[("content-type", "application/json")],
            Bytes::from(vec![b' '; 1024 * 1024 + 1]),
        )
        .await;
    assert_eq!(res.status, 413, "{}", res.text());
    assert_eq!(res.error_code(), "too_large");
    let res = attacker
        .post_json(
            &format!("/api/v1/ballots/{id}/encrypted-votes"),
            &json!({"submission": "attack-ballot-0001", "ballot": {"choices": "no"}}),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text());
    assert_eq!(board(&app, id).await.ballots.len(), in_box);
    assert_eq!(
        app.store().ballot_voter(id, p.voters[2]).await.unwrap(),
        Some(None),
        "the attacker has not voted"
    );
    assert!(
        matches!(
            app.store().ballot_voter(id, linked).await.unwrap(),
            Some(Some(_))
        ),
        "the link's holder voted"
    );

    // No share while voting is open: no ballot is decrypted before the close.
    let rows = board(&app, id).await.tally_rows().unwrap();
    let ctx = b.context().unwrap();
    let early = decrypt_share(&ctx, &secrets[0].1, &rows, &mut rand::rng()).unwrap();
    let before = board_len(&app, id).await;
    let res = put(&p.trustees[0].1, &doc(id, 1, "share"), &early).await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert_eq!(board_len(&app, id).await, before);

    // The close; the trustees decrypt the sums.
    app_at(&app, now() + Duration::days(8))
        .run_ballot_clock()
        .await
        .unwrap();
    let seen = national.get(&format!("/api/v1/ballots/{id}")).await.json();
    assert_eq!(state_of(&seen), "closed", "waits for the trustees: {seen}");
    let res = cast(
        &v[3],
        id,
        "late-ballot-00001",
        &encrypted(&b, &creds[4], Choice::Options(vec![0])),
    )
    .await;
    assert_eq!(res.status, 409, "after the close: {}", res.text());
    let closed = board(&app, id).await;
    let rows = closed.tally_rows().unwrap();
    // A share made with another trustee's key does not check against trustee 2's key.
    let mut wrong = decrypt_share(&ctx, &secrets[0].1, &rows, &mut rand::rng()).unwrap();
    wrong.trustee = 2;
    let res = put(&p.trustees[1].1, &doc(id, 2, "share"), &wrong).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert_eq!(board_len(&app, id).await, before);
    for (i, (_, key)) in secrets.iter().enumerate().take(2) {
        let share = decrypt_share(&ctx, key, &rows, &mut rand::rng()).unwrap();
        let res = put(&p.trustees[i].1, &doc(id, i + 1, "share"), &share).await;
        assert_eq!(res.status, 204, "share {}: {}", i + 1, res.text());
    }
    let seen = national.get(&format!("/api/v1/ballots/{id}")).await.json();
    assert_eq!(state_of(&seen), "counted", "{seen}");
    let late = decrypt_share(&ctx, &secrets[2].1, &rows, &mut rand::rng()).unwrap();
    let res = put(&p.trustees[2].1, &doc(id, 3, "share"), &late).await;
    assert_eq!(res.status, 409, "after the count: {}", res.text());

    // The board verifies, and holds the result the count published.
    let res = app
        .client()
        .get(&format!("/api/v1/ballots/{id}/board"))
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let done: Board = serde_json::from_slice(&res.body).unwrap();
    verify_board(&done).unwrap_or_else(|f| panic!("the board does not verify: {f:?}"));
    match &done.tally.as_ref().unwrap().outcome {
        Outcome::Totals { ballots, totals } => {
            assert_eq!(*ballots, 3);
            assert_eq!(totals[..2], [2, 1]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        done.ballots
            .iter()
            .any(|x| hex::encode(x.tracker) == tracker)
    );
    assert!(seen["result"].is_object(), "{seen}");
    // Identities after the ceremony: posted already, and too late.
    let again = new_identity(&setup.election, 1, &mut rand::rng())
        .unwrap()
        .1;
    let res = put(&p.trustees[0].1, &doc(id, 1, "identity"), &again).await;
    assert_eq!(res.status, 409, "{}", res.text());
});

both_backends!(
    a_verifiable_election_is_shuffled_then_decrypted,
    |app| async move {
        trustees_in_force(&app).await;
        let p = people(&app).await;
        let id = verifiable_ballot(&app, &p, "Encrypted election", &["Ann", "Bob", "Cy"]).await;
        let secrets = key_ceremony(&app, &p, id).await;
        let creds = credentials(&app, &p, id).await;
        app.app().run_ballot_clock().await.unwrap();
        let b = board(&app, id).await;
        for (i, ranking) in [vec![0, 1], vec![1, 0, 2], vec![0]].into_iter().enumerate() {
            let voter = app.sign_in_member(p.voters[i]).await;
            let ballot = encrypted(&b, &creds[i], Choice::Ranking(ranking));
            let res = cast(&voter, id, &format!("ranked-ballot-000{i}"), &ballot).await;
            assert_eq!(res.status, 201, "{}", res.text());
        }
        app_at(&app, now() + Duration::days(8))
            .run_ballot_clock()
            .await
            .unwrap();

        // Trustees shuffle in turn; a shuffle that drops a ballot is refused.
        let before = board_len(&app, id).await;
        let closed = board(&app, id).await;
        let mut dropping = closed
            .next_shuffle(&secrets[0].0, &mut rand::rng())
            .unwrap();
        dropping.ciphertexts.pop();
        let res = put(&p.trustees[0].1, &doc(id, 1, "shuffle"), &dropping).await;
        assert_eq!(res.status, 422, "{}", res.text());
        assert_eq!(board_len(&app, id).await, before);
        // No decryption before t shuffles: a ballot would still be linked to its credential.
        let ctx = closed.context().unwrap();
        let res = put(
            &p.trustees[0].1,
            &doc(id, 1, "share"),
            &json!({"trustee": 1, "factors": []}),
        )
        .await;
        assert_eq!(res.status, 409, "{}", res.text());
        for (i, (identity, _)) in secrets.iter().enumerate().take(2) {
            let shuffle = board(&app, id)
                .await
                .next_shuffle(identity, &mut rand::rng())
                .unwrap();
            let res = put(&p.trustees[i].1, &doc(id, i + 1, "shuffle"), &shuffle).await;
            assert_eq!(res.status, 204, "shuffle {}: {}", i + 1, res.text());
        }
        let shuffled = board(&app, id).await;
        let rows = shuffled.tally_rows().unwrap();
        for i in [1, 2] {
            let share = decrypt_share(&ctx, &secrets[i].1, &rows, &mut rand::rng()).unwrap();
            let res = put(&p.trustees[i].1, &doc(id, i + 1, "share"), &share).await;
            assert_eq!(res.status, 204, "share {}: {}", i + 1, res.text());
        }
        assert_eq!(
            app.store().ballot(id).await.unwrap().unwrap().state,
            charter_domain::BallotState::Counted
        );
        let done = board(&app, id).await;
        verify_board(&done).unwrap_or_else(|f| panic!("the board does not verify: {f:?}"));
        match &done.tally.as_ref().unwrap().outcome {
            Outcome::Rankings {
                ballots, rankings, ..
            } => {
                assert_eq!(*ballots, 3);
                let mut got = rankings.clone();
                got.sort();
                assert_eq!(got, vec![vec![0], vec![0, 1], vec![1, 0, 2]]);
            }
            other => panic!("{other:?}"),
        }
    }
);
