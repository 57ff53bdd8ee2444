//! Amending from the record in real headless Chromium: the national secretary enters, from
//! its minutes, a conference held before the organisation used Charter; her entry alone
//! records nothing; the national chair, entering on her own and seeing none of the
//! secretary's numbers, agrees, and the meeting is recorded, marked historical, and adopts
//! the amendment. Skips loudly without a browser (fails on CI).

mod common;

use charter_domain::{OfficeKind, UnitKind};
use charter_test_support::browser;
use charter_test_support::page::{click, fill, wait_for_path, wait_for_text};
use common::{Backend, NATIONAL, TestApp};
use fantoccini::{Client, Locator};

async fn sign_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&format!("{}/sign-in", app.base_url))
        .await
        .expect("open sign-in");
    fill(c, "email", email).await;
    fill(c, "password", password).await;
    click(c, "main form button[type=submit]").await;
    wait_for_path(c, "/me").await;
}

/// Fills the entry form as an officer reads the minutes; dates by script, which date fields
/// take more reliably than keys.
async fn enter_minutes(c: &Client, present: &str) {
    for (id, value) in [
        ("dn-body", "conference"),
        ("dn-meeting_kind", "special-conference"),
        ("dn-members_entitled", "400"),
        ("dn-present", present),
        ("dn-votes_for", "150"),
        ("dn-votes_against", "40"),
        ("dn-abstentions", "10"),
    ] {
        fill(c, id, value).await;
    }
    let notice = (common::today() - chrono::Days::new(30)).to_string();
    let held = (common::today() - chrono::Days::new(2)).to_string();
    c.execute(
        "document.getElementById('dn-notice_sent_on').value = arguments[0];
         document.getElementById('dn-meeting_on').value = arguments[1];",
        vec![serde_json::json!(notice), serde_json::json!(held)],
    )
    .await
    .unwrap();
    click(c, "#dn-form button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_enter_a_conference_held_before_charter_and_it_adopts_the_amendment() {
    let Some(c) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    // An amendment to the version in force, proposed by the national secretary.
    let secretary = app.app().actor(app.account(NATIONAL).member).await.unwrap();
    let proposed = app.amendment_text("spring", 60).await;
    let id = app
        .app()
        .propose_amendment(&secretary, "Spring tidy-up", &proposed)
        .await
        .unwrap();

    let national = app.account(NATIONAL).clone();
    sign_in(&c, &app, &national.email, &national.password).await;
    c.goto(&format!("{}/amendments/{id}", app.base_url))
        .await
        .unwrap();
    wait_for_text(&c, "#dn-title", "Enter a meeting held before Charter").await;
    enter_minutes(&c, "200").await;
    wait_for_text(&c, ".notice[role='status']", "Your entry is kept").await;
    wait_for_text(&c, "#dn-mine", "200 present").await;
    wait_for_text(&c, "main", "No decision on this amendment").await;
    c.delete_all_cookies().await.unwrap();

    // The national chair enters on her own: she sees no entry of the secretary's. She misreads
    // the attendance first and is told which field differs, not what the other entry says.
    let chair = app
        .store()
        .offices(None, common::today())
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == OfficeKind::Chair && o.unit_kind == UnitKind::National)
        .and_then(|o| o.holder)
        .expect("the demo has a national chair");
    let (email, password) = app.give_password(chair).await;
    sign_in(&c, &app, &email, &password).await;
    c.goto(&format!("{}/amendments/{id}", app.base_url))
        .await
        .unwrap();
    wait_for_text(&c, "#dn-title", "Enter a meeting held before Charter").await;
    assert!(
        c.find(Locator::Id("dn-mine")).await.is_err(),
        "entries are blind"
    );
    enter_minutes(&c, "210").await;
    wait_for_text(
        &c,
        ".notice[role='status']",
        "differs from another officer's",
    )
    .await;
    enter_minutes(&c, "200").await;
    wait_for_text(&c, ".notice[role='status']", "adopted the amendment").await;
    wait_for_text(&c, "#amendment-state", "adopted").await;
    // The attempt names the meeting; the meeting says it is a historical record.
    click(&c, "ol.attempts a[href^='/meetings/']").await;
    wait_for_text(
        &c,
        "#historical",
        "Held before the organisation used Charter",
    )
    .await;
    c.close().await.unwrap();
}
