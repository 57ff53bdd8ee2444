//! Ballots for page and browser tests: set up through the app with its clock in the past, so
//! the rules' checks run as for a real ballot, then opened and closed by the ballot clock.

use std::sync::Arc;

use charter_app::ballots::BallotRequest;
use charter_app::rolls::RollRequest;
use charter_app::{App, FixedClock, Settings};
use charter_domain::MemberId;
use charter_model::BallotId;
use chrono::{DateTime, Duration, Utc};

use super::{NATIONAL, TestApp, now};

pub const PUBLIC_URL: &str = "http://charter.test";

/// The app over the test's database with its clock at `t`: to set up before "now" and to
/// run the ballot clock after it.
pub fn app_at(app: &TestApp, t: DateTime<Utc>) -> App {
    App::new(
        app.state.app.store().clone(),
        Arc::new(FixedClock(t)),
        Settings {
            public_url: PUBLIC_URL.into(),
            ..Settings::default()
        },
    )
}

/// A ballot of all members over a roll frozen ten days ago, set up then by the national
/// officer through the app, opening an hour ago and closing in a week. The server's clock
/// opens it; returns its id and each voter's personal link token (read from the letters).
pub async fn open_ballot(
    app: &TestApp,
    title: &str,
    candidates: &[&str],
    seats: u32,
) -> (i64, Vec<String>) {
    let then = now() - Duration::days(10);
    let past = app_at(app, then);
    let national = past.actor(app.account(NATIONAL).member).await.unwrap();
    let roll = past
        .freeze_roll(
            &national,
            &RollRequest {
                title: format!("Roll for {title}"),
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
                seats: Some(seats),
                roll: Some(roll),
                opens_at: Some(now() - Duration::hours(1)),
                closes_at: Some(now() + Duration::days(7)),
                trustees: Vec::new(),
            },
        )
        .await
        .unwrap();
    assert!(app.app().run_ballot_clock().await.unwrap() >= 1);
    let ballot = app.store().ballot(id).await.unwrap().unwrap();
    assert_eq!(ballot.state, charter_domain::BallotState::Open);
    let links = voting_links(&app_at(app, now()), id).await;
    assert!(links.len() > 60, "a letter per voter: {}", links.len());
    (id.0, links)
}

/// Sends the letters due by `app`'s clock through a real SMTP sink, as the server's sender
/// would, and returns the tokens of the voting links for `ballot` they carry: links are
/// minted only as their letters go.
pub async fn voting_links(app: &App, ballot: BallotId) -> Vec<String> {
    let sink = charter_test_support::SmtpSink::start().await;
    let config = charter_mail::SmtpConfig::from_url(&sink.relay_url()).unwrap();
    let mailer = Arc::new(charter_mail::Mailer::new(&config).unwrap());
    let mut sent = 0;
    loop {
        let round = app.deliver_due(&mailer, 5_000, 8).await.unwrap();
        sent += round.sent;
        if round.settled() == 0 {
            break;
        }
    }
    let path = format!("/ballots/{ballot}/vote/");
    sink.wait_for(sent, std::time::Duration::from_secs(30))
        .await
        .unwrap()
        .iter()
        .filter_map(|l| l.link_token(&path))
        .collect()
}

/// Closes and counts the ballot: the clock a week and a day on.
pub async fn close(app: &TestApp, id: BallotId) {
    app_at(app, now() + Duration::days(8))
        .run_ballot_clock()
        .await
        .unwrap();
    assert_eq!(
        app.store().ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Counted
    );
}

/// The link tokens whose voters are none of the demo accounts.
pub async fn ordinary_links(app: &TestApp, id: BallotId, links: &[String]) -> Vec<String> {
    let accounts: Vec<MemberId> = app.accounts.iter().map(|a| a.member).collect();
    let mut out = Vec::new();
    for l in links {
        let voter = app.app().voter_for_link(id, l).await.unwrap();
        if !accounts.contains(&voter) {
            out.push(l.clone());
        }
    }
    out
}
