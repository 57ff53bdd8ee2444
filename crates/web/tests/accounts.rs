//! Accounts over HTTP on both databases: invitations and password resets as contracted,
//! email changes, two-factor sign-in and the policy requiring it, and the attacks these
//! must refuse: an officer redirecting a member's voting link by changing their address,
//! someone locking a member out by failing to sign in as them, and `next=` leaving the site.

mod common;

use std::sync::Arc;
use std::time::Duration;

use charter_domain::{MemberId, UnitId};
use charter_mail::{Mailer, SmtpConfig};
use charter_store::MemberScope;
use charter_test_support::{ReceivedMail, SmtpSink};
use charter_web::WebConfig;
use common::{BRANCH_SECRETARY, MEMBER, NATIONAL, TestApp, TestClient};
use serde_json::json;

fn mailer(sink: &SmtpSink) -> Arc<Mailer> {
    Arc::new(Mailer::new(&SmtpConfig::from_url(&sink.relay_url()).unwrap()).unwrap())
}

/// Sends what the outbox holds to the sink and returns every letter received so far.
async fn deliver(app: &TestApp, sink: &SmtpSink) -> Vec<ReceivedMail> {
    deliver_by(app.app(), sink).await
}

/// As [`deliver`], by an app whose clock may be later than the server's.
async fn deliver_by(app: &charter_app::App, sink: &SmtpSink) -> Vec<ReceivedMail> {
    let before = sink.messages().len();
    let round = app.deliver_due(&mailer(sink), 5_000, 4).await.unwrap();
    sink.wait_for(before + round.sent, Duration::from_secs(20))
        .await
        .unwrap()
}

fn letters_to<'a>(mail: &'a [ReceivedMail], address: &str) -> Vec<&'a ReceivedMail> {
    mail.iter()
        .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
        .collect()
}

/// The token of the link with `path` (`/set-password/`, `/confirm-email/`) in a letter.
fn token(letter: &ReceivedMail, path: &str) -> String {
    letter
        .link_token(path)
        .unwrap_or_else(|| panic!("no {path} link in {}", letter.body()))
}

async fn email_of(app: &TestApp, m: MemberId) -> String {
    app.store().member_contacts(&[m]).await.unwrap()[0]
        .2
        .clone()
}

/// A member of the branch secretary's branch with no password.
async fn passwordless_in_branch(app: &TestApp) -> (UnitId, MemberId) {
    let branch = app
        .store()
        .member_branch(app.account(BRANCH_SECRETARY).member)
        .await
        .unwrap()
        .unwrap();
    let m = app
        .store()
        .members_without_password(&MemberScope::Branches(vec![branch]))
        .await
        .unwrap()[0];
    (branch, m)
}

both_backends!(invitations_are_queued_as_contracted, |app| async move {
    let (_, target) = passwordless_in_branch(&app).await;
    let officer = app.sign_in(BRANCH_SECRETARY).await;
    let res = officer
        .post_json("/api/v1/invitations", &json!({"member_id": target.0}))
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    assert_eq!(res.json()["member_id"], json!(target.0));

    // Deny by default: a plain member invites nobody; bad input is a 4xx in the API's shape.
    let member = app.sign_in(MEMBER).await;
    let res = member
        .post_json("/api/v1/invitations", &json!({"member_id": target.0}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    // An unused number is refused as a member out of reach is: the branch officer learns
    // nothing of who is on the register beyond their branch.
    let res = officer
        .post_json("/api/v1/invitations", &json!({"member_id": 99_999_999}))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let res = officer
        .post_json("/api/v1/invitations", &json!({"member": 1}))
        .await;
    assert_eq!(res.error_code(), "bad_request");
    let has_password = app.account(MEMBER).member;
    let national = app.sign_in(NATIONAL).await;
    let res = national
        .post_json("/api/v1/invitations", &json!({"member_id": has_password.0}))
        .await;
    assert_eq!(res.status, 409, "{}", res.text());

    // The letter carries a link that sets a password once; then the member signs in.
    let sink = SmtpSink::start().await;
    let mail = deliver(&app, &sink).await;
    let address = email_of(&app, target).await;
    let letter = letters_to(&mail, &address)[0];
    let t = token(letter, "/set-password/");
    let anon = app.client();
    let page = anon.get(&format!("/set-password/{t}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&address), "the page names the account");
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let res = anon
        .post_json(
            "/api/v1/passwords",
            &json!({"token": t, "password": "short"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let res = anon
        .post_json(
            "/api/v1/passwords",
            &json!({"token": t, "password": "my own long password"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    let res = anon
        .post_json(
            "/api/v1/passwords",
            &json!({"token": t, "password": "another long password"}),
        )
        .await;
    assert_eq!(res.status, 422, "a link works once: {}", res.text());
    let res = anon
        .post_json(
            "/api/v1/session",
            &json!({"email": address, "password": "my own long password"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(anon.get(&format!("/set-password/{t}")).await.status, 410);

    // Everyone in the officer's branch without a password, at once.
    let res = officer
        .post_json("/api/v1/invitations/without-password", &json!({}))
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    assert!(res.json()["invited"].as_u64().unwrap() > 0);
});

both_backends!(
    password_resets_answer_the_same_for_any_address,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let anon = app.client();
        // A session from before the reset, which the reset must end.
        let earlier = app.sign_in(MEMBER).await;
        assert_eq!(earlier.get("/api/v1/me").await.status, 200);

        let unknown = anon
            .post_json(
                "/api/v1/password-resets",
                &json!({"email": "nobody.at.all@example.org"}),
            )
            .await;
        let known = anon
            .post_json("/api/v1/password-resets", &json!({"email": account.email}))
            .await;
        assert_eq!(unknown.status, 202);
        assert_eq!(known.status, 202);
        assert_eq!(unknown.body, known.body, "nothing tells them apart");
        let res = anon
            .post_json(
                "/api/v1/password-resets",
                &json!({"email": "not an address"}),
            )
            .await;
        assert_eq!(res.status, 422);
        let res = anon
            .send(
                http::Method::POST,
                "/api/v1/password-resets",
                &[
                    ("content-type", "application/json"),
                    ("origin", "http://evil.example"),
                ],
                bytes::Bytes::from(json!({"email": account.email}).to_string()),
            )
            .await;
        assert_eq!(res.status, 403, "a cross-site form cannot ask");

        // The reset runs beside the answer: wait for its letter.
        let sink = SmtpSink::start().await;
        let mut mail = Vec::new();
        for _ in 0..100 {
            mail = deliver(&app, &sink).await;
            if !letters_to(&mail, &account.email).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(letters_to(&mail, "nobody.at.all@example.org").is_empty());
        let letter = letters_to(&mail, &account.email)[0];
        assert!(letter.body().contains("60 minutes") || letter.body().contains("1 hour"));
        let t = token(letter, "/set-password/");
        let page = anon.get(&format!("/set-password/{t}")).await;
        assert_eq!(page.status, 200);
        let res = anon
            .post_form(
                &format!("/set-password/{t}"),
                &[
                    ("password", "a brand new password"),
                    ("password_again", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.text());
        assert_eq!(res.header("location"), Some("/sign-in?done=password"));
        assert_eq!(
            earlier.get("/api/v1/me").await.status,
            401,
            "a reset ends the member's sessions"
        );
        let res = anon
            .post_json(
                "/api/v1/session",
                &json!({"email": account.email, "password": "a brand new password"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());

        // Asking again and again from one address is limited.
        let mut last = 0;
        for _ in 0..12 {
            last = anon
                .post_json("/api/v1/password-resets", &json!({"email": account.email}))
                .await
                .status
                .as_u16();
        }
        assert_eq!(last, 429);
    }
);

both_backends!(
    changing_a_password_ends_the_other_sessions,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let here = app.sign_in(MEMBER).await;
        let elsewhere = app.sign_in(MEMBER).await;
        let res = here
            .json(
                http::Method::PUT,
                "/api/v1/me/password",
                &json!({"current_password": "wrong wrong wrong", "new_password": "a changed password"}),
            )
            .await;
        assert_eq!(res.status, 422);
        let res = here
            .json(
                http::Method::PUT,
                "/api/v1/me/password",
                &json!({"current_password": account.password, "new_password": "a changed password"}),
            )
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
        assert_eq!(
            here.get("/api/v1/me").await.status,
            200,
            "this session stays"
        );
        assert_eq!(elsewhere.get("/api/v1/me").await.status, 401, "others end");
    }
);

both_backends!(
    a_member_changes_their_address_from_the_new_one,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let me = app.sign_in(MEMBER).await;
        let res = me
            .patch_json(
                &format!("/api/v1/members/{}", account.member.0),
                &json!({"email": "me.elsewhere@example.org"}),
            )
            .await;
        assert_eq!(res.status, 422, "not without the password: {}", res.text());
        let res = me
            .post_json(
                "/api/v1/me/email-changes",
                &json!({"email": "me.elsewhere@example.org", "current_password": "wrong wrong"}),
            )
            .await;
        assert_eq!(res.status, 422);
        let res = me
            .post_json(
                "/api/v1/me/email-changes",
                &json!({"email": "me.elsewhere@example.org", "current_password": account.password}),
            )
            .await;
        assert_eq!(res.status, 202, "{}", res.text());
        assert_eq!(email_of(&app, account.member).await, account.email);
        let sink = SmtpSink::start().await;
        let mail = deliver(&app, &sink).await;
        let t = token(
            letters_to(&mail, "me.elsewhere@example.org")[0],
            "/confirm-email/",
        );
        let res = app
            .client()
            .post_json("/api/v1/email-confirmations", &json!({"token": t}))
            .await;
        assert_eq!(res.status, 204, "{}", res.text());
        assert_eq!(
            email_of(&app, account.member).await,
            "me.elsewhere@example.org"
        );
        let mail = deliver(&app, &sink).await;
        let told = letters_to(&mail, &account.email);
        assert!(
            told.iter()
                .any(|l| l.body().contains("me.elsewhere@example.org")),
            "the old address is told"
        );
    }
);

// Attack: asking to move to an address to learn whether it is a member's. The answer is
// the same either way; the address's owner hears of it, and nothing else changes.
both_backends!(
    an_address_change_does_not_tell_who_is_registered,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let other = app.account(BRANCH_SECRETARY).clone();
        let me = app.sign_in(MEMBER).await;
        let ask = |email: &str| {
            let me = me.clone();
            let body = json!({"email": email, "current_password": account.password});
            async move { me.post_json("/api/v1/me/email-changes", &body).await }
        };
        let free = ask("nobody.yet@example.org").await;
        let taken = ask(&other.email).await;
        assert_eq!(free.status, 202, "{}", free.text());
        assert_eq!(taken.status, free.status, "{}", taken.text());
        assert_eq!(taken.text(), free.text());
        assert_eq!(email_of(&app, account.member).await, account.email);
        assert_eq!(email_of(&app, other.member).await, other.email);
        let sink = SmtpSink::start().await;
        let mail = deliver(&app, &sink).await;
        let told = letters_to(&mail, &other.email);
        assert_eq!(told.len(), 1, "the owner of the address is told, once");
        assert!(
            !told[0].body().contains("/confirm-email/"),
            "with nothing that could move their address"
        );
        // Asking again the same day writes to them no more.
        assert_eq!(ask(&other.email).await.status, 202);
        let mail = deliver(&app, &sink).await;
        assert_eq!(letters_to(&mail, &other.email).len(), 1);

        // The same for an officer proposing a corrected address for a member they cover.
        let officer = app.sign_in(BRANCH_SECRETARY).await;
        let path = format!("/api/v1/members/{}", account.member.0);
        let free = officer
            .patch_json(&path, &json!({"email": "someone.new@example.org"}))
            .await;
        let taken = officer
            .patch_json(&path, &json!({"email": app.account(NATIONAL).email}))
            .await;
        assert_eq!(free.status, 200, "{}", free.text());
        assert_eq!(taken.status, free.status, "{}", taken.text());
        assert_eq!(email_of(&app, account.member).await, account.email);
    }
);

// The attack the issue shows, refused: an officer changes a non-voter's address, sends
// reminders and tries to vote with the link. The address is only proposed; the reminder
// goes to the confirmed address; the proposed address gets nothing it can use.
both_backends!(an_officer_cannot_redirect_a_voting_link, |app| async move {
    let ballot = app
        .store()
        .ballots()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.title == charter_demo::QUESTION_TITLE)
        .unwrap()
        .id;
    let nonvoters = app.store().ballot_nonvoters(ballot).await.unwrap();
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let victim = nonvoters
        .iter()
        .map(|(m, _)| *m)
        .find(|m| !accounts.contains(m))
        .unwrap();
    let real = email_of(&app, victim).await;
    let evil = "officer.controls.this@example.net";
    let national = app.sign_in(NATIONAL).await;

    let res = national
        .patch_json(
            &format!("/api/v1/members/{}", victim.0),
            &json!({"email": evil}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["email"], json!(real), "only proposed");
    assert_eq!(email_of(&app, victim).await, real);

    // The officer cannot send a reminder the constitution's timetable has not made due; the
    // timetable sends it when it is (2 days before close).
    let res = national
        .post_json(&format!("/api/v1/ballots/{ballot}/reminders"), &json!({}))
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert!(
        res.text().contains("next reminder is due"),
        "{}",
        res.text()
    );
    let tomorrow = common::ballots::app_at(&app, common::now() + chrono::Duration::days(2));
    assert_eq!(tomorrow.run_ballot_clock().await.unwrap(), 1);

    let sink = SmtpSink::start().await;
    let mail = deliver_by(&tomorrow, &sink).await;
    let to_evil = letters_to(&mail, evil);
    assert_eq!(to_evil.len(), 1, "only the confirmation letter");
    assert!(
        !to_evil[0].body().contains("/ballots/"),
        "no voting link at the proposed address"
    );
    assert!(
        letters_to(&mail, &real)
            .iter()
            .any(|l| l.body().contains(&format!("/ballots/{ballot}/vote/"))),
        "the reminder goes to the confirmed address"
    );
    assert!(
        letters_to(&mail, &real)
            .iter()
            .any(|l| l.body().contains("proposed a new email address")),
        "the member is told of the proposal"
    );

    // The officer holds the new mailbox, not the member's password: confirming fails.
    let t = token(to_evil[0], "/confirm-email/");
    let anon = app.client();
    for body in [
        json!({"token": t}),
        json!({"token": t, "password": "a guess at the password"}),
    ] {
        let res = anon.post_json("/api/v1/email-confirmations", &body).await;
        assert_eq!(res.status, 422, "{}", res.text());
    }
    let page = anon
        .post_form(&format!("/confirm-email/{t}"), &[("current_password", "")])
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(email_of(&app, victim).await, real);
    // And still no link to vote with reaches the officer's address.
    let mail = deliver_by(&tomorrow, &sink).await;
    assert!(
        letters_to(&mail, evil)
            .iter()
            .all(|l| !l.body().contains("/ballots/"))
    );
});

/// The server behind a proxy at 127.0.0.1, which names each client in X-Forwarded-For.
async fn behind_proxy(backend: common::Backend) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        WebConfig {
            trusted_proxies: charter_web::session::parse_trusted_proxies("127.0.0.1/32").unwrap(),
            ..WebConfig::default()
        },
    )
    .await
}

async fn sign_in_from(c: &TestClient, from: &str, email: &str, password: &str) -> u16 {
    c.send(
        http::Method::POST,
        "/api/v1/session",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", from),
        ],
        bytes::Bytes::from(json!({"email": email, "password": password}).to_string()),
    )
    .await
    .status
    .as_u16()
}

async fn nobody_can_lock_out_the_owner(app: TestApp) {
    let account = app.account(MEMBER).clone();
    let attacker = app.client();
    let mut refused = false;
    // The attacker even writes the owner's address first in X-Forwarded-For: the proxy
    // appended the attacker's own, and the nearest untrusted hop is the one believed.
    for _ in 0..25 {
        let status = sign_in_from(
            &attacker,
            "198.51.100.7, 203.0.113.9",
            &account.email,
            "guess guess guess",
        )
        .await;
        assert!(status == 401 || status == 429, "{status}");
        refused |= status == 429;
    }
    assert!(refused, "the attacker's own attempts back off");
    assert_eq!(
        sign_in_from(
            &attacker,
            "203.0.113.9",
            &account.email,
            "guess guess guess"
        )
        .await,
        429
    );
    // The owner, from their own address, signs in at once.
    let owner = app.client();
    assert_eq!(
        sign_in_from(&owner, "198.51.100.7", &account.email, &account.password).await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_lock_out_the_owner_sqlite() {
    if let Some(app) = behind_proxy(common::Backend::Sqlite).await {
        nobody_can_lock_out_the_owner(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_lock_out_the_owner_postgres() {
    if let Some(app) = behind_proxy(common::Backend::Postgres).await {
        nobody_can_lock_out_the_owner(app).await;
    }
}

both_backends!(
    forwarded_addresses_from_strangers_are_ignored,
    |app| async move {
        // No trusted proxy: every attempt counts against the peer's own address, whatever
        // X-Forwarded-For claims, so rotating the header does not escape the ceiling.
        let c = app.client();
        let mut last = 0;
        for n in 0..40 {
            last = sign_in_from(
                &c,
                &format!("192.0.2.{n}"),
                &format!("someone{n}@example.org"),
                "guess guess guess",
            )
            .await;
        }
        assert_eq!(last, 429);
    }
);

both_backends!(next_never_leaves_the_site, |app| async move {
    let anon = app.client();
    for next in [
        "/%09/evil.example",
        "%2F%0a%2Fevil.example",
        "/%0aSet-Cookie:%20x=y",
        "//evil.example",
        "/%5Cevil.example",
    ] {
        let page = anon.get(&format!("/sign-in?next={next}")).await;
        assert_eq!(page.status, 200, "{next}: {}", page.text());
        assert!(
            page.text().contains(r#"name="next" value="/""#),
            "{next} is not followed"
        );
    }
    let account = app.account(MEMBER).clone();
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=y",
        "/members?q=Zoë",
    ] {
        let c = app.client();
        let res = c
            .post_form(
                "/sign-in",
                &[
                    ("email", account.email.as_str()),
                    ("password", account.password.as_str()),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{next:?}: {}", res.text());
        let to = res.header("location").unwrap();
        assert!(
            to.starts_with('/') && !to.starts_with("//"),
            "{next:?} -> {to}"
        );
        // And once signed in, the sign-in page sends them on without a 500.
        let again = c.get("/sign-in?next=/%0a/evil.example").await;
        assert_eq!(again.status, 303);
        assert_eq!(again.header("location"), Some("/me"));
    }
});

/// The current TOTP code for a secret at the server's (fixed) clock, `steps` ahead.
fn code(secret: &str, steps: i64) -> String {
    let t = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let at = (common::now().timestamp() + steps * 30) as u64;
    t.generate(at).to_string()
}

both_backends!(
    two_factor_sign_in_accepts_each_code_once,
    |app| async move {
        let account = app.account(MEMBER).clone();
        let me = app.sign_in(MEMBER).await;
        let res = me.post_json("/api/v1/me/two-factor", &json!({})).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let secret = res.json()["secret"].as_str().unwrap().to_string();
        assert!(
            res.json()["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        let res = me
            .post_json(
                "/api/v1/me/two-factor/confirmation",
                &json!({"code": "000000"}),
            )
            .await;
        assert_eq!(res.status, 422);
        let res = me
            .post_json(
                "/api/v1/me/two-factor/confirmation",
                &json!({"code": code(&secret, 0)}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let recovery: Vec<String> = res.json()["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(recovery.len(), 10);

        // Signing in now waits for a code.
        let c = app.client();
        let res = c
            .post_json(
                "/api/v1/session",
                &json!({"email": account.email, "password": account.password}),
            )
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(res.json()["second_factor_pending"], json!(true));
        assert_eq!(c.get("/api/v1/me").await.status, 401, "not yet");
        let page = c.get("/me").await;
        assert_eq!(page.status, 303);
        // The code used to enrol is spent: a replay is refused.
        let res = c
            .post_json(
                "/api/v1/session/two-factor",
                &json!({"code": code(&secret, 0)}),
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        let res = c
            .post_json(
                "/api/v1/session/two-factor",
                &json!({"code": code(&secret, 1)}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(c.get("/api/v1/me").await.status, 200);

        // Another sign-in: the same code again is refused; a recovery code works once.
        let d = app.client();
        d.post_json(
            "/api/v1/session",
            &json!({"email": account.email, "password": account.password}),
        )
        .await;
        let res = d
            .post_json(
                "/api/v1/session/two-factor",
                &json!({"code": code(&secret, 1)}),
            )
            .await;
        assert_eq!(res.status, 422, "replay refused");
        let res = d
            .post_json("/api/v1/session/two-factor", &json!({"code": recovery[0]}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let e = app.client();
        e.post_json(
            "/api/v1/session",
            &json!({"email": account.email, "password": account.password}),
        )
        .await;
        let res = e
            .post_json("/api/v1/session/two-factor", &json!({"code": recovery[0]}))
            .await;
        assert_eq!(res.status, 422, "a recovery code works once");
    }
);

both_backends!(
    office_holders_enrol_before_using_powers_when_required,
    |app| async move {
        let secretary = app.sign_in(BRANCH_SECRETARY).await;
        assert_eq!(secretary.get("/api/v1/members").await.status, 200);
        let res = secretary
            .json(
                http::Method::PUT,
                "/api/v1/account-policy",
                &json!({"two_factor_required": true}),
            )
            .await;
        assert_eq!(res.status, 403, "only a national officer: {}", res.text());
        let national = app.sign_in(NATIONAL).await;
        let res = national
            .json(
                http::Method::PUT,
                "/api/v1/account-policy",
                &json!({"two_factor_required": true}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let events = app.store().events(0, 1_000_000).await.unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.kind == "accounts.two_factor_required")
        );

        // The secretary's powers wait for enrolment, on the API and on pages.
        let res = secretary.get("/api/v1/members").await;
        assert_eq!(res.status, 403);
        assert!(res.text().contains("second factor"), "{}", res.text());
        let page = secretary.get("/members").await;
        assert_eq!(page.status, 303);
        assert_eq!(page.header("location"), Some("/me/two-factor"));
        assert_eq!(secretary.get("/me/two-factor").await.status, 200);
        // A member holding no office is not held back.
        let member = app.sign_in(MEMBER).await;
        assert_eq!(member.get("/api/v1/me").await.status, 200);

        // Enrolled, the secretary's powers return.
        let secret = secretary
            .post_json("/api/v1/me/two-factor", &json!({}))
            .await
            .json()["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let res = secretary
            .post_json(
                "/api/v1/me/two-factor/confirmation",
                &json!({"code": code(&secret, 0)}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(secretary.get("/api/v1/members").await.status, 200);
        // It cannot be turned off while required of an office held.
        let account = app.account(BRANCH_SECRETARY).clone();
        let res = secretary
            .post_json(
                "/api/v1/me/two-factor/removal",
                &json!({"password": account.password}),
            )
            .await;
        assert_eq!(res.status, 409, "{}", res.text());
    }
);

both_backends!(account_pages_work_and_refuse_in_words, |app| async move {
    let anon = app.client();
    let page = anon.get("/sign-in").await;
    assert!(page.text().contains(r#"href="/forgot-password""#));
    let page = anon.get("/forgot-password").await;
    assert_eq!(page.status, 200);
    let res = anon
        .post_form("/forgot-password", &[("email", "not an address")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("error-summary"));
    let res = anon
        .post_form("/forgot-password", &[("email", "anyone@example.org")])
        .await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("on its way"));
    for path in [
        "/set-password/not-a-token-at-all-but-long-enough",
        "/confirm-email/not-a-token-at-all-but-long-enough",
        "/set-password/x",
    ] {
        let res = anon.get(path).await;
        assert_eq!(res.status, 410, "{path}");
        assert!(res.text().contains("cannot be used"), "{path}");
    }

    let member = app.sign_in(MEMBER).await;
    let csrf = member.csrf_token().unwrap();
    let page = member.get("/me/security").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Change my password"));
    assert!(
        !page.text().contains("Require two-factor"),
        "not for a member"
    );
    let res = member
        .post_form(
            "/me/password",
            &[
                ("csrf", csrf.as_str()),
                ("current_password", "not it at all"),
                ("new_password", "a long new password"),
                ("new_password_again", "a long new password"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("current password is not right"));
    let res = member
        .post_form(
            "/me/email",
            &[
                ("csrf", csrf.as_str()),
                ("email", "nope"),
                ("email_current_password", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(member.get("/invitations").await.status, 403);

    let res = member
        .post_form("/me/two-factor", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(res.status, 303);
    let page = member.get("/me/two-factor").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<svg"), "a QR code");
    assert!(page.text().contains("otpauth://totp/"));
    assert_eq!(page.header("cache-control"), Some("no-store"));

    // An officer's correction of an address is a proposal, and the page says so.
    let (_, target) = passwordless_in_branch(&app).await;
    let secretary = app.sign_in(BRANCH_SECRETARY).await;
    let scsrf = secretary.csrf_token().unwrap();
    let page = secretary.get("/invitations").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Invite all"));
    let before = email_of(&app, target).await;
    let res = secretary
        .post_form(
            &format!("/members/{}/edit", target.0),
            &[
                ("csrf", scsrf.as_str()),
                ("email", "corrected.address@example.org"),
                ("orig_email", before.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let to = res.header("location").unwrap().to_string();
    assert!(to.ends_with("saved=email-proposed"), "{to}");
    let page = secretary.get(&to).await;
    assert!(page.text().contains("only proposed"));
    assert!(page.text().contains("corrected.address@example.org"));
    assert_eq!(email_of(&app, target).await, before);
    let res = secretary
        .post_form(
            &format!("/members/{}/invitation", target.0),
            &[("csrf", scsrf.as_str())],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(res.header("location").unwrap().ends_with("saved=invited"));

    // A national officer sets the organisation's rule from the page.
    let national = app.sign_in(NATIONAL).await;
    let ncsrf = national.csrf_token().unwrap();
    assert!(
        national
            .get("/me/security")
            .await
            .text()
            .contains("Require two-factor")
    );
    let res = national
        .post_form(
            "/me/security/two-factor-policy",
            &[("csrf", ncsrf.as_str()), ("required", "yes")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(
        app.app()
            .account_policy()
            .await
            .unwrap()
            .two_factor_required
    );
});
