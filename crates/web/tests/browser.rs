//! The pages in real headless Chromium: signing in, searching the directory, opening a
//! member, an officer's edit with a validation error and then success, a refusal across
//! branches, and the keyboard's first stop. Skips loudly without a browser (fails on CI).

mod common;

use charter_domain::{MemberId, MemberStatus, UnitId};
use charter_model::BallotId;
use charter_store::{MemberQuery, MemberScope, MemberSort};
use charter_test_support::browser;
use charter_test_support::page::{click, fill, wait_for_path, wait_for_text};
use common::{BRANCH_SECRETARY, Backend, MEMBER, NATIONAL, TREASURER, TestApp};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

/// A browser and a fresh app, or `None` when the browser is unavailable (already reported).
async fn setup() -> Option<(Client, TestApp)> {
    let client = browser().await?;
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite always runs");
    Some((client, app))
}

async fn sign_in(c: &Client, app: &TestApp, role: &str) {
    let acct = app.account(role).clone();
    c.goto(&format!("{}/sign-in", app.base_url))
        .await
        .expect("open sign-in");
    fill(c, "email", &acct.email).await;
    fill(c, "password", &acct.password).await;
    click(c, "main form button[type=submit]").await;
    wait_for_path(c, "/me").await;
}

async fn member_of(app: &TestApp, role: &str) -> (MemberId, String, String) {
    let branch: UnitId = app
        .app()
        .actor(app.account(role).member)
        .await
        .expect("actor")
        .home_branch;
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let page = app
        .store()
        .search_members(
            &MemberQuery {
                scope: MemberScope::Branches(vec![branch]),
                text: None,
                branch: None,
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: MemberSort::Name,
                page: 1,
                per_page: 50,
            },
            None,
        )
        .await
        .expect("search");
    let m = page
        .items
        .into_iter()
        .find(|m| !accounts.contains(&m.id))
        .expect("an ordinary member");
    (m.id, m.first_name, m.last_name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_refuses_a_wrong_password_then_lands_on_my_membership() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let acct = app.account(MEMBER).clone();
    c.goto(&format!("{}/me", app.base_url)).await.unwrap();
    wait_for_path(&c, "/sign-in").await;
    fill(&c, "email", &acct.email).await;
    fill(&c, "password", "not my password").await;
    click(&c, "main form button[type=submit]").await;
    wait_for_text(&c, "[role=alert]", "email or password is wrong").await;
    let email = c.find(Locator::Id("email")).await.unwrap();
    assert_eq!(
        email.prop("value").await.unwrap().as_deref(),
        Some(acct.email.as_str())
    );
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );

    fill(&c, "password", &acct.password).await;
    click(&c, "main form button[type=submit]").await;
    // Back to the page that asked for a sign-in.
    wait_for_path(&c, "/me").await;
    wait_for_text(&c, "h1", "My membership").await;
    wait_for_text(&c, "#access-log", "Who has read my data").await;

    click(&c, ".site-nav button[type=submit]").await;
    wait_for_text(&c, "h1", "Welcome to Charter").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_searches_filters_and_opens_a_member() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let (id, first, last) = member_of(&app, BRANCH_SECRETARY).await;
    sign_in(&c, &app, NATIONAL).await;
    click(&c, ".site-nav a[href='/members']").await;
    wait_for_path(&c, "/members").await;
    fill(&c, "f-q", &last).await;
    click(&c, "#f-form button[type=submit]").await;
    wait_for_text(&c, "#result-count", "found").await;
    let link = c
        .find(Locator::Css(&format!(
            "#directory a[href='/members/{}']",
            id.0
        )))
        .await
        .expect("the member is listed");
    assert!(link.text().await.unwrap().contains(&first));

    // Filter by status: every row shown has it, and the choice stays selected.
    fill(&c, "f-q", "").await;
    c.find(Locator::Id("f-status"))
        .await
        .unwrap()
        .select_by_value("lapsed")
        .await
        .unwrap();
    click(&c, "#f-form button[type=submit]").await;
    wait_for_text(&c, "caption", "Members sorted by").await;
    let statuses = c
        .find_all(Locator::Css("#directory tbody td:nth-of-type(2)"))
        .await
        .unwrap();
    assert!(!statuses.is_empty());
    for s in statuses {
        assert_eq!(s.text().await.unwrap(), "lapsed");
    }
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap_or("").contains("status=lapsed"), "{url}");

    // Open the member found by the search.
    c.goto(&format!(
        "{}/members?q={}",
        app.base_url,
        last.replace(' ', "+")
    ))
    .await
    .unwrap();
    click(&c, &format!("#directory a[href='/members/{}']", id.0)).await;
    wait_for_path(&c, &format!("/members/{}", id.0)).await;
    wait_for_text(&c, "h1", &last).await;
    wait_for_text(&c, "#status-history", "Status history").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_fixes_a_bad_postcode_and_saves() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let (id, _, _) = member_of(&app, BRANCH_SECRETARY).await;
    sign_in(&c, &app, BRANCH_SECRETARY).await;
    c.goto(&format!("{}/members/{}", app.base_url, id.0))
        .await
        .unwrap();
    click(&c, &format!("a[href='/members/{}/edit']", id.0)).await;
    wait_for_path(&c, &format!("/members/{}/edit", id.0)).await;

    fill(&c, "postcode", "NOT A POSTCODE").await;
    click(&c, "#form button[type=submit]").await;
    let msg = wait_for_text(&c, "#postcode-error", "not a UK postcode").await;
    assert!(msg.contains("SE1 7PB"), "{msg}");
    let input = c.find(Locator::Id("postcode")).await.unwrap();
    assert_eq!(
        input.prop("value").await.unwrap().as_deref(),
        Some("NOT A POSTCODE")
    );
    let described = input
        .attr("aria-describedby")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(described.contains("postcode-error"), "{described}");
    wait_for_text(&c, "[role=alert]", "not a UK postcode").await;

    fill(&c, "postcode", "se1 7pb").await;
    click(&c, "#form button[type=submit]").await;
    wait_for_path(&c, &format!("/members/{}", id.0)).await;
    wait_for_text(&c, "[role=status]", "Contact details saved.").await;
    wait_for_text(&c, "dl.details", "SE1 7PB").await;
    let rec = app.store().member(id, None).await.unwrap().unwrap().record;
    assert_eq!(rec.postcode, "SE1 7PB");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_secretary_is_refused_another_branchs_member() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let (other, _, _) = member_of(&app, TREASURER).await;
    sign_in(&c, &app, BRANCH_SECRETARY).await;
    c.goto(&format!("{}/members/{}", app.base_url, other.0))
        .await
        .unwrap();
    wait_for_text(&c, "h1", "You may not do this").await;
    wait_for_text(&c, "[role=alert]", "no office of yours covers their branch").await;
    c.close().await.unwrap();
}

async fn press_tab(c: &Client) {
    let tab: char = Key::Tab.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab });
    c.perform_actions(keys).await.expect("tab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skip_link_is_the_first_tab_stop() {
    let Some((c, app)) = setup().await else {
        return;
    };
    for path in ["/sign-in", "/"] {
        c.goto(&format!("{}{path}", app.base_url)).await.unwrap();
        press_tab(&c).await;
        let active = c.active_element().await.unwrap();
        assert_eq!(
            active.attr("href").await.unwrap().as_deref(),
            Some("#main"),
            "{path}"
        );
        // textContent, not the rendered text: the link slides into view on focus, and
        // WebDriver reports only text that is visible at that instant.
        let label = active
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(label.trim(), "Skip to main content");
    }
    sign_in(&c, &app, MEMBER).await;
    press_tab(&c).await;
    let active = c.active_element().await.unwrap();
    assert_eq!(
        active.attr("class").await.unwrap().as_deref(),
        Some("skip-link")
    );
    // Following it moves focus into the main content.
    active.click().await.unwrap();
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("main"));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_why_a_right_is_refused_with_its_clause() {
    let Some((c, app)) = setup().await else {
        return;
    };
    sign_in(&c, &app, MEMBER).await;
    click(&c, "main a[href='/me/rights']").await;
    wait_for_path(&c, "/me/rights").await;
    wait_for_text(&c, "main h1", "What may I do, and why not?").await;
    // The date picker is a labelled field of the form.
    let on = c.find(Locator::Id("on")).await.expect("date field");
    assert_eq!(on.attr("type").await.unwrap().as_deref(), Some("date"));
    let refused = wait_for_text(&c, "table.rights tr.refused", "no").await;
    assert!(refused.contains(' '), "a reason in words: {refused}");
    let link = c
        .find(Locator::Css("table.rights tr.refused td a"))
        .await
        .expect("the refusal names its clause");
    let clause = link.text().await.unwrap();
    link.click().await.unwrap();
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/constitution/versions/"), "{url}");
    assert_eq!(url.fragment(), Some(format!("clause-{clause}").as_str()));
    wait_for_text(&c, &format!("[id='clause-{clause}']"), &clause).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_amendment_page_shows_its_diff_and_impact_preview() {
    let Some((c, app)) = setup().await else {
        return;
    };
    sign_in(&c, &app, MEMBER).await;
    click(&c, "nav.site-nav a[href='/constitution']").await;
    wait_for_path(&c, "/constitution").await;
    wait_for_text(&c, "main h1", "The constitution").await;
    c.goto(&format!("{}/amendments", app.base_url))
        .await
        .unwrap();
    click(&c, "main table tbody th a").await;
    wait_for_text(&c, "#attempts", "Attempts").await;
    wait_for_text(&c, "ol.attempts", "refused").await;
    wait_for_text(&c, ".diff-clause ins.diff", "").await;
    wait_for_text(&c, ".impact-summary", "would lose").await;
    let bars = c
        .find_all(Locator::Css("table.impact svg"))
        .await
        .expect("bars");
    assert!(!bars.is_empty(), "the impact table has bars");
    wait_for_text(&c, "table.impact-branches caption", "by home branch").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_left_off_a_roll_sees_why_and_challenges_it() {
    let Some((c, app)) = setup().await else {
        return;
    };
    sign_in(&c, &app, MEMBER).await;
    click(&c, "nav.site-nav a[href='/rolls']").await;
    wait_for_path(&c, "/rolls").await;
    // On the day the amendment took effect nobody was yet verified, so no one kept the vote.
    let link = c
        .find(Locator::LinkText(
            "Special conference roll (cut-off: the day the amendment took effect)",
        ))
        .await
        .expect("the demo's roll is listed");
    link.click().await.unwrap();
    let why = wait_for_text(&c, "#mine + .notice", "You are not on this roll").await;
    assert!(why.contains("clause"), "the reason cites its clause: {why}");
    fill(
        &c,
        "ch-grounds",
        "My party card was issued before the cut-off",
    )
    .await;
    click(&c, "#ch-form button[type='submit']").await;
    wait_for_text(&c, ".notice[role='status']", "Your challenge is lodged").await;
    wait_for_text(&c, "#challenges + .cards", "My party card was issued").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_why_the_hasty_meeting_decided_nothing() {
    let Some((c, app)) = setup().await else {
        return;
    };
    sign_in(&c, &app, MEMBER).await;
    click(&c, "nav.site-nav a[href='/meetings']").await;
    wait_for_path(&c, "/meetings").await;
    let link = c
        .find(Locator::LinkText("Steering committee: reorganisation"))
        .await
        .expect("the demo's hasty meeting is listed");
    link.click().await.unwrap();
    let convened = wait_for_text(&c, "#convened", "no").await;
    assert!(convened.contains("clause 6.1"), "{convened}");
    let motion = wait_for_text(&c, "ol.motions", "not binding").await;
    assert!(
        motion.contains("clause 6.3"),
        "only conference dissolves a body: {motion}"
    );
    // The branches' answer is public: the tally needs no sign-in.
    c.goto(&format!("{}/matters/constitution-2017", app.base_url))
        .await
        .unwrap();
    wait_for_text(&c, "main .lead", "branches oppose").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_calls_a_meeting_on_short_notice_and_checks_in() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let units = app.store().units().await.unwrap();
    let southwark = units.iter().find(|u| u.slug == "southwark").unwrap().id;
    sign_in(&c, &app, BRANCH_SECRETARY).await;
    click(&c, "nav.site-nav a[href='/meetings']").await;
    wait_for_path(&c, "/meetings").await;
    wait_for_text(&c, "#cm-title", "Call a meeting").await;
    click(&c, &format!("#cm-unit option[value='{}']", southwark.0)).await;
    click(&c, "#cm-kind option[value='general-meeting']").await;
    fill(&c, "cm-title-input", "Emergency branch meeting").await;
    fill(&c, "cm-place", "Walworth Road library").await;
    // Half an hour from the app's clock: far less than the 14 clear days required.
    let starts = (common::now() + chrono::Duration::minutes(30))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    // A datetime-local field takes its value from script more reliably than from keys.
    c.execute(
        "document.getElementById('cm-starts_at').value = arguments[0];",
        vec![serde_json::json!(starts)],
    )
    .await
    .unwrap();
    click(&c, "#cm-form button[type='submit']").await;
    let notice = wait_for_text(&c, ".notice[role='status']", "less notice").await;
    assert!(notice.contains("will not bind"), "{notice}");
    wait_for_text(&c, "#convened", "not yet known").await;
    // The meeting starts within the hour, so check-in is open to those on its roll.
    click(&c, "main form[action$='/attendance'] button").await;
    wait_for_text(&c, ".notice[role='status']", "Checked in").await;
    wait_for_text(&c, "main dl.details", "You are checked in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_checks_in_and_votes_in_secret_then_the_secretary_closes_the_vote() {
    let Some((c, app)) = setup().await else {
        return;
    };
    let store = app.store();
    let meeting = store
        .meetings(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.title.starts_with("Southwark members' meeting"))
        .expect("the demo meeting under way");
    let motion = store.motions(meeting.id).await.unwrap()[0].id;
    let mut voter = None;
    for v in store.meeting_voters(meeting.id).await.unwrap() {
        if app.app().actor(v).await.unwrap().offices.is_empty()
            && !store.attended(meeting.id, v).await.unwrap()
        {
            voter = Some(v);
            break;
        }
    }
    let (email, password) = app
        .give_password(voter.expect("a voter not yet there"))
        .await;
    let before = store.poll(motion).await.unwrap().unwrap().voted;

    c.goto(&format!("{}/sign-in", app.base_url)).await.unwrap();
    fill(&c, "email", &email).await;
    fill(&c, "password", &password).await;
    click(&c, "main form button[type=submit]").await;
    wait_for_path(&c, "/me").await;
    c.goto(&format!("{}/meetings/{}", app.base_url, meeting.id))
        .await
        .unwrap();
    let card = format!("#motion-{motion}");
    wait_for_text(&c, &card, "Secret vote open").await;
    // Not checked in yet: no ballot, only the check-in form. A wrong code is refused on the
    // page; the meeting's link fills in the right one.
    assert!(
        c.find(Locator::Css(&format!("{card} form.ballot")))
            .await
            .is_err()
    );
    fill(&c, "ci-code", "WRONG1").await;
    click(&c, "#check-in button").await;
    wait_for_text(&c, "#alert", "not this meeting's check-in code").await;
    let code = store
        .check_in_code(meeting.id)
        .await
        .unwrap()
        .expect("the demo meeting has a code");
    c.goto(&format!(
        "{}/meetings/{}/check-in/{code}",
        app.base_url, meeting.id
    ))
    .await
    .unwrap();
    let filled = c
        .find(Locator::Css("#ci-code"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(filled.as_deref(), Some(code.as_str()));
    click(&c, "#check-in button").await;
    wait_for_text(&c, ".notice[role='status']", "Checked in").await;
    click(&c, &format!("{card} form.ballot button[value='against']")).await;
    wait_for_text(&c, ".notice[role='status']", "Your vote is recorded").await;
    wait_for_text(&c, &card, "Your secret vote is recorded").await;
    assert!(
        c.find(Locator::Css(&format!("{card} form.ballot")))
            .await
            .is_err(),
        "one vote only"
    );
    assert_eq!(store.poll(motion).await.unwrap().unwrap().voted, before + 1);

    c.delete_all_cookies().await.unwrap();
    sign_in(&c, &app, BRANCH_SECRETARY).await;
    c.goto(&format!("{}/meetings/{}", app.base_url, meeting.id))
        .await
        .unwrap();
    click(&c, &format!("{card} form[action$='/poll/close'] button")).await;
    wait_for_text(&c, ".notice[role='status']", "recorded with its outcome").await;
    let text = wait_for_text(&c, &card, "Secret vote closed").await;
    let decided = store.motion(motion).await.unwrap().unwrap();
    assert_ne!(decided.state, charter_domain::MotionState::Proposed);
    assert!(
        text.contains(&decided.state.as_str().replace('-', " ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} against", decided.votes_against.unwrap())),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_votes_by_their_link_then_finds_their_tracker_in_the_results() {
    let Some((c, app)) = setup().await else {
        return;
    };
    use common::ballots::{close, open_ballot, ordinary_links};
    let (id, links) = open_ballot(&app, "Steering committee", &["Ada", "Bea", "Cal"], 2).await;
    let links = ordinary_links(&app, BallotId(id), &links).await;
    let link = format!("{}/ballots/{id}/vote/{}", app.base_url, links[0]);

    // The link from the letter opens the ballot with no sign-in; the member ranks with the
    // selects, each labelled by its preference.
    c.goto(&link).await.unwrap();
    wait_for_text(&c, "h1", "Steering committee").await;
    wait_for_text(&c, "label[for='vt-rank1']", "1st preference").await;
    wait_for_text(&c, "label[for='vt-rank2']", "2nd preference").await;
    let select = |id: &'static str, name: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Id(id))
                .await
                .expect(id)
                .select_by_label(name)
                .await
                .expect("select");
        }
    };
    // A candidate twice is refused on the page, with the choices kept.
    select("vt-rank1", "Bea").await;
    select("vt-rank2", "Bea").await;
    click(&c, "#vt-form button[type='submit']").await;
    wait_for_text(
        &c,
        "#vt-ranks-error",
        "Bea is both your 1st and your 2nd preference",
    )
    .await;
    select("vt-rank2", "Ada").await;
    click(&c, "#vt-form button[type='submit']").await;
    let tracker = wait_for_text(&c, "#tracker", "-").await;
    assert_eq!(tracker.len(), 14, "{tracker}");
    wait_for_text(&c, "main", "shown only this once").await;

    // Others vote; the ballot closes and is counted.
    let patterns: [&[u32]; 3] = [&[0, 1], &[1, 0], &[2, 0]];
    for (k, token) in links.iter().skip(1).take(20).enumerate() {
        let voter = app.app().voter_for_link(BallotId(id), token).await.unwrap();
        app.app()
            .cast_ballot(
                voter,
                BallotId(id),
                &format!("browser-ballot-{k:04}"),
                &charter_app::ballots::Choice {
                    ranks: patterns[k % patterns.len()].to_vec(),
                },
                None,
            )
            .await
            .unwrap();
    }
    close(&app, BallotId(id)).await;
    let result: serde_json::Value = serde_json::from_str(
        app.store()
            .ballot(BallotId(id))
            .await
            .unwrap()
            .unwrap()
            .result_json
            .as_deref()
            .unwrap(),
    )
    .unwrap();

    // The same link now shows the result: who was elected, and the tracker check finds the
    // member's ballot as they cast it, typed in lower case.
    c.goto(&link).await.unwrap();
    let elected = wait_for_text(&c, "ol.elected", "").await;
    for name in result["elected"].as_array().unwrap() {
        assert!(elected.contains(name.as_str().unwrap()), "{elected}");
    }
    fill(&c, "tc-tracker", &tracker.to_lowercase()).await;
    click(&c, "#tc-form button[type='submit']").await;
    let found = wait_for_text(&c, "#tc-result", &tracker).await;
    let (bea, ada) = (found.find("Bea").unwrap(), found.find("Ada").unwrap());
    assert!(bea < ada, "in the order ranked: {found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_nominates_and_is_told_with_the_clause_who_may_not_stand() {
    let Some((c, app)) = setup().await else {
        return;
    };
    // An active member with no affiliation: under the 2017 amendment they may not stand.
    let today = common::today();
    let mut unaffiliated = None;
    for n in 1..400 {
        let facts = app
            .store()
            .member_facts_of(MemberId(n), today, None)
            .await
            .expect("facts");
        if let Some(f) = facts
            && f.status == MemberStatus::Active
            && f.affiliations.is_empty()
            && f.offices.is_empty()
        {
            unaffiliated = Some(f.member);
            break;
        }
    }
    let unaffiliated = unaffiliated.expect("the demo has unaffiliated members");

    sign_in(&c, &app, MEMBER).await;
    c.goto(&format!("{}/ballots", app.base_url))
        .await
        .expect("open ballots");
    click(&c, "main a[href='/elections']").await;
    wait_for_path(&c, "/elections").await;
    let title = charter_demo::STEERING_ELECTION_TITLE;
    c.find(Locator::LinkText(title))
        .await
        .expect("the election is listed")
        .click()
        .await
        .expect("open the election");
    wait_for_text(&c, "main h1", title).await;
    wait_for_text(&c, "#candidates", "seeking nominators (1 of 2)").await;
    fill(&c, "el-candidate", &unaffiliated.0.to_string()).await;
    click(&c, "form[action$='/nominations'] button[type=submit]").await;
    let summary = wait_for_text(&c, ".error-summary", "may not stand").await;
    assert!(summary.contains("clause"), "{summary}");
    // The message is beside its field, which keeps what was typed and is marked invalid.
    let field = c.find(Locator::Id("el-candidate")).await.expect("field");
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some(unaffiliated.0.to_string().as_str())
    );
    // The summary's link takes the keyboard to the field.
    click(&c, ".error-summary a").await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some("el-candidate"));
    c.close().await.unwrap();
}
