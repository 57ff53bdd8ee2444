//! A verifiable ballot from its pages: the constitution is amended so that its ballot clause
//! names trustees; three trustees make the key and the scrutineer freezes the credentials
//! (simulated with `charter-ballot-crypto`, through the app as the pages' uploads do); then a
//! member opens the link from the scrutineer's letter in headless Chromium, encrypts, checks
//! one encryption (Benaloh), encrypts again and casts. The receipt's tracker is on the board
//! and the board verifies. Without JavaScript, the form's choice and credential are
//! encrypted by the server. Skips loudly without a browser (fails on CI).

mod common;

use charter_app::ballots::BallotRequest;
use charter_app::rolls::RollRequest;
use charter_ballot_crypto::dkg::{combine_shares, deal, new_identity, open_share};
use charter_ballot_crypto::documents::{CredentialList, Finished, key_report};
use charter_ballot_crypto::{Credential, verify_board};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_model::BallotId;
use charter_store::BoardItemKind;
use charter_test_support::browser;
use charter_test_support::page::{click, wait_for_text};
use chrono::Duration;
use common::ballots::app_at;
use common::sealed::{holder, trustees_in_force};
use common::{Backend, MEMBER, NATIONAL, TestApp, now, today};
use fantoccini::{Client, Locator};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// A verifiable question, open, with the private credentials the scrutineer made.
struct Sealed {
    id: i64,
    /// Each voter's private credential (64 hex digits).
    credentials: Vec<(MemberId, String)>,
    scrutineer: MemberId,
    trustees: Vec<MemberId>,
}

impl Sealed {
    fn credential(&self, member: MemberId) -> &str {
        &self
            .credentials
            .iter()
            .find(|(m, _)| *m == member)
            .unwrap_or_else(|| panic!("member {} is not on the roll", member.0))
            .1
    }
}

/// The whole ceremony: trustees from three units, the key made, credentials frozen, open.
async fn sealed_ballot(app: &TestApp) -> Sealed {
    trustees_in_force(app).await;
    let a = app.app();
    let national_secretary = holder(app, OfficeKind::Secretary, UnitKind::National, None).await;
    let regional_secretary = holder(app, OfficeKind::Secretary, UnitKind::Region, None).await;
    let branch_secretary = holder(app, OfficeKind::Secretary, UnitKind::Branch, None).await;
    let trustees = vec![national_secretary, regional_secretary, branch_secretary];
    // The scrutineer, if the demo has none: an ordinary member, who is no trustee.
    let member = app.account(MEMBER).member;
    let all = app.store().offices(None, today()).await.unwrap();
    let someone = app
        .store()
        .member_facts(today())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.member)
        .find(|m| *m != member && !all.iter().any(|o| o.holder == Some(*m)))
        .expect("a member holding no office");
    let scrutineer = holder(
        app,
        OfficeKind::Scrutineer,
        UnitKind::National,
        Some(someone),
    )
    .await;

    let then = now() - Duration::days(10);
    let past = app_at(app, then);
    let national = past.actor(app.account(NATIONAL).member).await.unwrap();
    let roll = past
        .freeze_roll(
            &national,
            &RollRequest {
                title: "Roll for the sealed question".into(),
                context: "member-ballot".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some((then + Duration::days(3)).date_naive()),
            },
        )
        .await
        .unwrap();
    let id = past
        .create_ballot(
            &national,
            &BallotRequest {
                title: "Sealed question".into(),
                question: "Shall the ballots be sealed?".into(),
                kind: "question".into(),
                decision_kind: None,
                candidates: Vec::new(),
                seats: None,
                roll: Some(roll),
                opens_at: Some(now() - Duration::hours(1)),
                closes_at: Some(now() + Duration::days(7)),
                trustees: trustees.clone(),
            },
        )
        .await
        .unwrap();
    assert!(a.is_verifiable(id).await.unwrap());

    // The trustees, each on their own machine.
    let params = a.ceremony(id).await.unwrap().setup.election;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let actors = {
        let mut v = Vec::new();
        for t in &trustees {
            v.push(a.actor(*t).await.unwrap());
        }
        v
    };
    let (secrets, ids): (Vec<_>, Vec<_>) = (1..=3)
        .map(|j| new_identity(&params, j, &mut rng).unwrap())
        .unzip();
    // Trustee 1 through the page: told what to run, refused a wrong file, then accepted.
    let first = app.sign_in_member(trustees[0]).await;
    let page = first.get(&format!("/ballots/{id}")).await.text();
    assert!(
        page.contains("waiting for the identities of trustees 1, 2 and 3"),
        "{page}"
    );
    assert!(
        page.contains("charter trustee new --setup setup.json --index 1"),
        "{page}"
    );
    let doc = format!("/ballots/{id}/trustee-documents");
    let res = upload(&first, &doc, &[("kind", "identity")], "{}").await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("sd-document-error"), "{}", res.text());
    let res = upload(
        &first,
        &doc,
        &[("kind", "identity")],
        &serde_json::to_string(&ids[0]).unwrap(),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    // Trustee 2 may not post trustee 1's identity as their own.
    let second = app.sign_in_member(trustees[1]).await;
    let res = upload(
        &second,
        &doc,
        &[("kind", "identity")],
        &serde_json::to_string(&ids[0]).unwrap(),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.text());
    for (j, (actor, identity)) in actors.iter().zip(&ids).enumerate().skip(1) {
        let body = serde_json::to_string(identity).unwrap();
        a.post_trustee_document(actor, id, j as u32 + 1, BoardItemKind::Identity, &body)
            .await
            .unwrap();
    }
    let page = first.get(&format!("/ballots/{id}")).await.text();
    assert!(
        page.contains("waiting for the dealings of trustees 1, 2 and 3"),
        "{page}"
    );
    assert!(page.contains("charter trustee deal"), "{page}");
    let dealings: Vec<_> = secrets
        .iter()
        .map(|s| deal(&params, s, &ids, &mut rng).unwrap())
        .collect();
    for (j, (actor, dealing)) in actors.iter().zip(&dealings).enumerate() {
        let body = serde_json::to_string(dealing).unwrap();
        a.post_trustee_document(actor, id, j as u32 + 1, BoardItemKind::Dealing, &body)
            .await
            .unwrap();
    }
    for (j, (actor, secret)) in actors.iter().zip(&secrets).enumerate() {
        let shares: Vec<_> = dealings
            .iter()
            .map(|d| open_share(&params, secret, &ids, d).unwrap())
            .collect();
        let key = combine_shares(secret.index, &shares);
        let report = Finished::Key(key_report(&params, &ids, &dealings, &key).unwrap());
        let body = serde_json::to_string(&report).unwrap();
        a.post_trustee_document(actor, id, j as u32 + 1, BoardItemKind::Report, &body)
            .await
            .unwrap();
    }

    // The scrutineer makes one credential per voter and freezes the public list.
    let scrutineer_actor = a.actor(scrutineer).await.unwrap();
    let roll = a.credentials_roll(&scrutineer_actor, id).await.unwrap();
    assert!(roll.len() > 60, "{} voters", roll.len());
    let credentials: Vec<(MemberId, Credential)> = roll
        .iter()
        .map(|v| (v.member, Credential::generate(&mut rng)))
        .collect();
    let setup = a.ceremony(id).await.unwrap().setup;
    let list = CredentialList::new(
        &setup,
        credentials.iter().map(|(_, c)| c.public()).collect(),
    )
    .unwrap();
    // The scrutineer freezes them through the page.
    let by_page = app.sign_in_member(scrutineer).await;
    let page = by_page.get(&format!("/ballots/{id}")).await.text();
    assert!(page.contains("waiting for the scrutineer"), "{page}");
    assert!(page.contains("charter credentials generate"), "{page}");
    let res = upload(
        &by_page,
        &format!("/ballots/{id}/credentials"),
        &[],
        &serde_json::to_string(&list).unwrap(),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let page = by_page.get(&format!("/ballots/{id}")).await.text();
    assert!(page.contains("ready to open"), "{page}");

    assert!(a.run_ballot_clock().await.unwrap() >= 1);
    assert_eq!(
        app.store().ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Open
    );
    Sealed {
        id: id.0,
        credentials: credentials
            .into_iter()
            .map(|(m, c)| (m, hex::encode(c.to_bytes().0)))
            .collect(),
        scrutineer,
        trustees,
    }
}

/// Posts a file as the pages' upload forms do (`multipart/form-data`), with the session's
/// CSRF token and `fields`; returns the response.
async fn upload(
    client: &common::TestClient,
    path: &str,
    fields: &[(&str, &str)],
    file: &str,
) -> common::TestResponse {
    const B: &str = "charter-test-boundary";
    let mut body = String::new();
    let csrf = client.csrf_token().unwrap();
    for (name, value) in [("csrf", csrf.as_str())].iter().chain(fields) {
        body.push_str(&format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"document.json\"\r\nContent-Type: application/json\r\n\r\n{file}\r\n--{B}--\r\n"
    ));
    client
        .send(
            http::Method::POST,
            path,
            &[(
                "content-type",
                &format!("multipart/form-data; boundary={B}"),
            )],
            bytes::Bytes::from(body),
        )
        .await
}

async fn sign_in(c: &Client, app: &TestApp, role: &str) {
    let acct = app.account(role).clone();
    c.goto(&format!("{}/sign-in", app.base_url)).await.unwrap();
    charter_test_support::page::fill(c, "email", &acct.email).await;
    charter_test_support::page::fill(c, "password", &acct.password).await;
    click(c, "main form button[type=submit]").await;
    charter_test_support::page::wait_for_path(c, "/me").await;
}

async fn attr(c: &Client, css: &str, name: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_checks_one_encryption_then_casts_another_from_the_letters_link() {
    let Some(c) = browser::browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let sealed = sealed_ballot(&app).await;
    let id = sealed.id;
    let member = app.account(MEMBER).member;
    let credential = sealed.credential(member).to_string();

    sign_in(&c, &app, MEMBER).await;
    c.goto(&format!(
        "{}/ballots/{id}#credential={credential}",
        app.base_url
    ))
    .await
    .unwrap();
    wait_for_text(&c, "#sealed-title", "Sealed by trustees").await;
    wait_for_text(&c, "#sealed-stage", "open").await;
    // The fragment filled the field, and left the address.
    let field = c.find(Locator::Id("vt-credential")).await.unwrap();
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some(credential.as_str())
    );
    assert!(
        !c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("credential")
    );
    wait_for_text(&c, "#vt-js", "Your device encrypts").await;
    assert!(
        !c.find(Locator::Id("vt-nojs"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );

    // Encrypt, then check: the audit passes and that encryption is spoilt.
    click(&c, "#vt-choice-0").await;
    click(&c, "#vt-submit").await;
    wait_for_text(&c, "#vt-sealed-title", "Your encrypted ballot").await;
    // Focus moves to the encrypted ballot, and at a phone's width nothing needs scrolling
    // sideways.
    let focused = c
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("vt-sealed"));
    c.set_window_size(375, 800).await.unwrap();
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        serde_json::json!(true),
        "the page scrolls sideways on a phone"
    );
    let checked = attr(&c, "#vt-tracker", "data-tracker").await;
    assert_eq!(checked.len(), 64, "{checked}");
    click(&c, "#vt-check").await;
    wait_for_text(&c, "#vt-check-result", "The check passed").await;
    assert_eq!(attr(&c, "#vt-check-result", "data-ok").await, "true");

    // Encrypt again, and cast.
    click(&c, "#vt-again").await;
    click(&c, "#vt-submit").await;
    let mut cast = String::new();
    for _ in 0..100 {
        cast = attr(&c, "#vt-tracker", "data-tracker").await;
        let shown = c
            .find(Locator::Id("vt-sealed"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap();
        if shown && cast != checked {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(cast, checked, "a new encryption, with a new tracker");
    click(&c, "#vt-cast").await;
    wait_for_text(&c, "h1", "Your vote is in the ballot box").await;
    wait_for_text(&c, "#receipt-sealed", "hash").await;
    let receipt = attr(&c, "#tracker", "data-tracker").await;
    assert_eq!(receipt, cast);

    // On the board, the one cast and not the one checked; and the board verifies.
    let board = app.app().board(BallotId(id)).await.unwrap();
    let trackers: Vec<String> = board
        .ballots
        .iter()
        .map(|b| hex::encode(b.tracker))
        .collect();
    assert_eq!(trackers, vec![cast.clone()]);
    verify_board(&board).unwrap_or_else(|f| panic!("the board does not verify: {f:?}"));
    let _ = sealed.scrutineer;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_server_encrypts_the_choice_and_the_scrutineer_reads_the_roll() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let sealed = sealed_ballot(&app).await;
    let id = sealed.id;
    let member = app.account(MEMBER).member;
    let client = app.sign_in(MEMBER).await;

    // Setting up a ballot asks for the trustees the constitution now names.
    // (The national secretary is trustee 1, whose password the setup changed.)
    let national = app.sign_in_member(app.account(NATIONAL).member).await;
    let form = national.get("/ballots").await.text();
    assert!(form.contains("id=\"nb-trustees\""), "{form}");
    assert!(form.contains("held by 3 trustees"), "{form}");
    assert!(form.contains(&format!("<td class=\"num\">{}</td>", sealed.trustees[2].0)));
    let roll = app
        .store()
        .ballot(BallotId(id))
        .await
        .unwrap()
        .unwrap()
        .roll
        .to_string();
    let local = |d: Duration| (now() + d).format("%Y-%m-%dT%H:%M").to_string();
    let (opens, closes) = (local(Duration::days(1)), local(Duration::days(9)));
    let res = national
        .post_form(
            "/ballots",
            &[
                ("csrf", &national.csrf_token().unwrap()),
                ("title", "Another sealed question"),
                ("question", "Again?"),
                ("kind", "question"),
                ("decision_kind", "ordinary-motion"),
                ("roll", &roll),
                ("opens_at", &opens),
                ("closes_at", &closes),
                ("trustees", &sealed.trustees[0].0.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("nb-trustees-error"), "{}", res.text());

    let page = client.get(&format!("/ballots/{id}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Sealed by trustees"), "{html}");
    assert!(html.contains("Without JavaScript your choice is encrypted by the server"));
    assert!(html.contains("charter verify ballot http"));
    assert!(html.contains("data-public-key="));
    let submission = html
        .split("name=\"submission\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let csrf = client.csrf_token().unwrap();

    // A wrong credential is refused beside its field.
    let res = client
        .post_form(
            &format!("/ballots/{id}/votes"),
            &[
                ("csrf", &csrf),
                ("submission", &submission),
                ("choice", "1"),
                ("credential", "not a credential"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("vt-credential-error"), "{}", res.text());

    let res = client
        .post_form(
            &format!("/ballots/{id}/votes"),
            &[
                ("csrf", &csrf),
                ("submission", &submission),
                ("choice", "1"),
                ("credential", sealed.credential(member)),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let text = res.text();
    let tracker = text
        .split("data-tracker=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(text.contains("receipt-sealed"));
    let board = app.app().board(BallotId(id)).await.unwrap();
    assert!(
        board
            .ballots
            .iter()
            .any(|b| hex::encode(b.tracker) == tracker)
    );
    verify_board(&board).unwrap_or_else(|f| panic!("the board does not verify: {f:?}"));

    // The public documents the trustees' commands read.
    for file in ["setup.json", "identities.json", "dealings.json"] {
        let res = app
            .client()
            .get(&format!("/ballots/{id}/sealed/{file}"))
            .await;
        assert_eq!(res.status, 200, "{file}");
        let _ = res.json();
    }

    // The roll as `charter credentials generate` reads it: the scrutineer's only.
    assert_eq!(
        client
            .get(&format!("/ballots/{id}/credentials-roll.csv"))
            .await
            .status,
        403
    );
    let scrutineer = app.sign_in_member(sealed.scrutineer).await;
    let res = scrutineer
        .get(&format!("/ballots/{id}/credentials-roll.csv"))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let csv = res.text();
    assert!(csv.starts_with("member_id,name,email\n"), "{csv}");
    assert_eq!(csv.lines().count(), sealed.credentials.len() + 1);
    assert!(csv.contains(&format!("\n{},", member.0)));
    let log = app.store().access_log(member, 1, 50).await.unwrap();
    assert!(
        log.items
            .iter()
            .any(|e| e.reader == Some(sealed.scrutineer)),
        "the scrutineer's reading is logged for each voter"
    );

    // Closed: the trustees are asked for their shares, and the audit still reads.
    app_at(&app, now() + Duration::days(8))
        .run_ballot_clock()
        .await
        .unwrap();
    assert_eq!(
        app.store()
            .ballot(BallotId(id))
            .await
            .unwrap()
            .unwrap()
            .state,
        charter_domain::BallotState::Closed
    );
    let trustee = app.sign_in_member(sealed.trustees[1]).await;
    let page = trustee.get(&format!("/ballots/{id}")).await.text();
    assert!(page.contains("waiting for 2 trustees to decrypt"), "{page}");
    assert!(page.contains("charter trustee decrypt"), "{page}");
    let res = scrutineer.get(&format!("/ballots/{id}/audit")).await;
    assert_eq!(res.status, 200, "{}", res.text());
}
