//! Joining and leaving in real headless Chromium: a visitor finds the join form from the
//! sign-in page, is told what is missing, applies; the branch secretary finds the application
//! from their membership page and accepts it; a member resigns after the confirmation page.
//! Skips loudly without a browser (fails on CI).

mod common;

use charter_domain::{MemberStatus, OfficeKind};
use charter_test_support::browser;
use charter_test_support::page::{click, fill, wait_for_path, wait_for_text};
use common::{BRANCH_SECRETARY, Backend, MEMBER, TestApp};
use fantoccini::{Client, Locator};

async fn setup() -> Option<(Client, TestApp)> {
    let client = browser().await?;
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    Some((client, app))
}

async fn sign_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&format!("{}/sign-in", app.base_url))
        .await
        .expect("open sign-in");
    fill(c, "email", email).await;
    fill(c, "password", password).await;
    click(c, "main form button[type=submit]").await;
    wait_for_path(c, "/me").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_applies_and_the_branch_secretary_accepts() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let branch = app
        .app()
        .actor(app.account(BRANCH_SECRETARY).member)
        .await
        .unwrap()
        .offices
        .iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .unwrap()
        .unit;

    // From the sign-in page to the join form.
    c.goto(&format!("{}/sign-in", app.base_url)).await.unwrap();
    click(&c, "main a[href='/join']").await;
    wait_for_path(&c, "/join").await;
    wait_for_text(&c, "#consent-statement", "I want to join").await;
    fill(&c, "first_name", "Grace").await;
    fill(&c, "last_name", "Hopper").await;
    fill(&c, "email", "grace@example.net").await;
    fill(&c, "postcode", "se1 7pb").await;
    c.find(Locator::Id("branch"))
        .await
        .unwrap()
        .select_by_value(&branch.0.to_string())
        .await
        .unwrap();
    // Without agreeing to the statement: told so beside the box, what was typed kept.
    click(&c, "#form button[type=submit]").await;
    wait_for_text(&c, "[role=alert]", "tick the box").await;
    wait_for_text(&c, "#consent-error", "tick the box").await;
    let first = c.find(Locator::Id("first_name")).await.unwrap();
    assert_eq!(first.prop("value").await.unwrap().as_deref(), Some("Grace"));
    let summary_link = c
        .find(Locator::Css(".error-summary a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(summary_link.as_deref(), Some("#consent"));
    click(&c, "#consent-box").await;
    click(&c, "#form button[type=submit]").await;
    wait_for_path(&c, "/join/received").await;
    wait_for_text(&c, "h1", "Thank you").await;
    let applicant = app
        .store()
        .credentials("grace@example.net")
        .await
        .unwrap()
        .expect("the applicant is in the register");
    assert_eq!(applicant.status, MemberStatus::Applicant);

    // The branch secretary finds it from their membership page and accepts it.
    let acct = app.account(BRANCH_SECRETARY).clone();
    sign_in(&c, &app, &acct.email, &acct.password).await;
    click(&c, "main a[href='/applications']").await;
    wait_for_path(&c, "/applications").await;
    wait_for_text(&c, "table", "Grace Hopper").await;
    click(&c, "table a").await;
    wait_for_text(&c, "h1", "Application from Grace Hopper").await;
    wait_for_text(&c, "dl.details", "grace@example.net").await;
    click(&c, "#decision-accept").await;
    fill(&c, "reason", "met at the stall on Saturday").await;
    click(&c, "#form button[type=submit]").await;
    wait_for_path(&c, "/applications").await;
    wait_for_text(&c, "[role=status]", "Application accepted").await;
    let record = app
        .store()
        .member(applicant.member, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.record.status, MemberStatus::Active);
    assert_eq!(
        record.status_history.last().unwrap().reason,
        "met at the stall on Saturday"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_resigns_after_reading_what_it_means() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let acct = app.account(MEMBER).clone();
    sign_in(&c, &app, &acct.email, &acct.password).await;
    click(&c, "a[href='/me/resign']").await;
    wait_for_path(&c, "/me/resign").await;
    wait_for_text(&c, "main ul", "you cannot sign in again").await;
    fill(&c, "reason", "moving abroad").await;
    click(&c, "#form button[type=submit]").await;
    wait_for_text(&c, "#confirm-error", "tick the box").await;
    click(&c, "#confirm").await;
    click(&c, "#form button[type=submit]").await;
    wait_for_path(&c, "/resigned").await;
    wait_for_text(&c, "h1", "You have resigned").await;
    // Signed out: My membership asks for a sign-in, which is now closed.
    c.goto(&format!("{}/me", app.base_url)).await.unwrap();
    wait_for_path(&c, "/sign-in").await;
    fill(&c, "email", &acct.email).await;
    fill(&c, "password", &acct.password).await;
    click(&c, "main form button[type=submit]").await;
    wait_for_text(&c, "[role=alert]", "signing in is closed").await;
    let status = app
        .store()
        .member_standing(acct.member)
        .await
        .unwrap()
        .unwrap()
        .1;
    assert_eq!(status, MemberStatus::Resigned);
    c.close().await.unwrap();
}
