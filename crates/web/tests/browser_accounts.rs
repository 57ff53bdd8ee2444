//! Accounts in real headless Chromium, with mail through a real SMTP sink: an officer
//! invites a member, who chooses a password from the letter's link and signs in; later they
//! forget it, reset it by email and sign in with the new one. Skips loudly without a browser
//! (fails on CI).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use charter_domain::MemberId;
use charter_mail::{Mailer, SmtpConfig};
use charter_store::MemberScope;
use charter_test_support::page::{WAIT, click, fill, wait_for_path, wait_for_text};
use charter_test_support::{ReceivedMail, SmtpSink, browser};
use common::{BRANCH_SECRETARY, Backend, TestApp};
use fantoccini::Client;

async fn sign_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&format!("{}/sign-in", app.base_url))
        .await
        .expect("open sign-in");
    fill(c, "email", email).await;
    fill(c, "password", password).await;
    click(c, "main form button[type=submit]").await;
}

async fn sign_out(c: &Client) {
    click(c, "form[action='/sign-out'] button").await;
    wait_for_path(c, "/").await;
}

/// Delivers the outbox to the sink until a new letter (past the first `seen`) to `to` with
/// `path` in it arrives; returns the link's path.
async fn letter_for(app: &TestApp, sink: &SmtpSink, seen: usize, to: &str, path: &str) -> String {
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=charter%40example.org",
        sink.host(),
        sink.port()
    ))
    .unwrap();
    let mailer = Arc::new(Mailer::new(&config).unwrap());
    let deadline = Instant::now() + WAIT;
    loop {
        app.app().deliver_due(&mailer, 500, 4).await.unwrap();
        let found = sink
            .messages()
            .into_iter()
            .skip(seen)
            .find(|m: &ReceivedMail| {
                m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.body().contains(path)
            });
        if let Some(m) = found {
            let body = m.body();
            let at = body.find(path).unwrap() + path.len();
            let token: String = body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            return format!("{path}{token}");
        }
        assert!(Instant::now() < deadline, "no letter with {path} for {to}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invited_member_sets_a_password_signs_in_and_resets_it() {
    let Some(c) = browser().await else { return };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    let sink = SmtpSink::start().await;
    let branch = app
        .store()
        .member_branch(app.account(BRANCH_SECRETARY).member)
        .await
        .unwrap()
        .unwrap();
    let member: MemberId = app
        .store()
        .members_without_password(&MemberScope::Branches(vec![branch]))
        .await
        .unwrap()[0];
    let email = app.store().member_contacts(&[member]).await.unwrap()[0]
        .2
        .clone();

    // The branch secretary invites the member from their page.
    let secretary = app.account(BRANCH_SECRETARY).clone();
    sign_in(&c, &app, &secretary.email, &secretary.password).await;
    wait_for_path(&c, "/me").await;
    c.goto(&format!("{}/members/{}", app.base_url, member.0))
        .await
        .unwrap();
    click(&c, "form[action$='/invitation'] button").await;
    wait_for_text(&c, ".notice", "Invitation sent").await;
    sign_out(&c).await;

    // The member follows the link in the letter and chooses a password.
    let link = letter_for(&app, &sink, 0, &email, "/set-password/").await;
    c.goto(&format!("{}{link}", app.base_url)).await.unwrap();
    wait_for_text(&c, "h1", "choose your password").await;
    fill(&c, "password", "short").await;
    fill(&c, "password_again", "short").await;
    click(&c, "main form button[type=submit]").await;
    wait_for_text(&c, ".error-summary", "12 characters").await;
    fill(&c, "password", "my first real password").await;
    fill(&c, "password_again", "my first real password").await;
    click(&c, "main form button[type=submit]").await;
    wait_for_path(&c, "/sign-in").await;
    wait_for_text(&c, ".notice", "Your password is set").await;

    // They sign in with it.
    sign_in(&c, &app, &email, "my first real password").await;
    wait_for_path(&c, "/me").await;
    sign_out(&c).await;

    // Later they forget it: "Forgot your password?" on the sign-in page.
    c.goto(&format!("{}/sign-in", app.base_url)).await.unwrap();
    click(&c, "a[href='/forgot-password']").await;
    wait_for_path(&c, "/forgot-password").await;
    let seen = sink.messages().len();
    fill(&c, "email", &email).await;
    click(&c, "main form button[type=submit]").await;
    wait_for_text(&c, "#sent", "on its way").await;
    let link = letter_for(&app, &sink, seen, &email, "/set-password/").await;
    c.goto(&format!("{}{link}", app.base_url)).await.unwrap();
    wait_for_text(&c, "h1", "Choose a new password").await;
    fill(&c, "password", "my second real password").await;
    fill(&c, "password_again", "my second real password").await;
    click(&c, "main form button[type=submit]").await;
    wait_for_path(&c, "/sign-in").await;

    // The old password no longer works; the new one does.
    sign_in(&c, &app, &email, "my first real password").await;
    wait_for_text(&c, "#sign-in-error", "wrong").await;
    sign_in(&c, &app, &email, "my second real password").await;
    wait_for_path(&c, "/me").await;
    c.close().await.unwrap();
}
