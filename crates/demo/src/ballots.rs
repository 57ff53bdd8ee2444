//! The demo's ballots of all members, dated relative to now, through the app's use cases: a
//! campaigns committee elected by STV (voted and counted, its ballots published by tracker)
//! and a question still open, with part of the electorate having voted. Letters carrying the
//! voting links are recorded as delivered (the demo sends no mail).

use std::sync::Arc;

use charter_app::ballots::{BallotRequest, Choice};
use charter_app::elections::ElectionRequest;
use charter_app::rolls::RollRequest;
use charter_app::{App, AppError, FixedClock};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, thiserror::Error)]
pub enum BallotsStoryError {
    #[error("loading the demo ballots failed while {step}: {source}")]
    App {
        step: &'static str,
        #[source]
        source: AppError,
    },
    #[error("the demo organisation lacks {0}")]
    Missing(&'static str),
    #[error("recording the demo's letters as delivered failed: {0}")]
    Letters(String),
}

/// Titles the demo's ballots carry, for tests and tours.
pub const ELECTION_TITLE: &str = "Campaigns committee 2017";
pub const QUESTION_TITLE: &str = "Restore the elected National Committee";
/// The election the demo leaves with nominations open, for a newcomer to nominate in.
pub const STEERING_ELECTION_TITLE: &str = "Steering Committee 2027";
/// Candidates the demo nominates in it: three with enough nominators, one still seeking.
const STEERING_NOMINEES: usize = 4;

const CANDIDATES: [&str; 6] = [
    "Amara Okafor",
    "Bryn Hughes",
    "Chen Wei",
    "Dana Kowalski",
    "Eilidh Ross",
    "Farid Haddad",
];

fn app_at(app: &App, at: DateTime<Utc>) -> App {
    App::new(
        app.store.clone(),
        Arc::new(FixedClock(at)),
        app.settings.clone(),
    )
}

fn err(step: &'static str) -> impl Fn(AppError) -> BallotsStoryError {
    move |source| BallotsStoryError::App { step, source }
}

/// Every queued letter recorded as delivered at `at`, as the meetings' notices are.
async fn delivered(app: &App, at: DateTime<Utc>) -> Result<(), BallotsStoryError> {
    crate::meetings::delivered(app, at)
        .await
        .map_err(|e| BallotsStoryError::Letters(e.to_string()))
}

/// Preferences the demo's voters cast, varied by voter so the count has transfers to show.
fn preferences(k: usize) -> Vec<u32> {
    const PATTERNS: [&[u32]; 7] = [
        &[0, 2, 1],
        &[1, 0],
        &[2, 0, 4],
        &[0, 1, 2, 3],
        &[3, 2],
        &[4, 1, 0],
        &[5, 3, 2, 1],
    ];
    PATTERNS[k % PATTERNS.len()].to_vec()
}

/// Loads the demo's ballots. The members who sign in to the demo (`sign_ins`) are left out of
/// the voters sampled, so the demo member can vote in the open question.
pub async fn load_ballots(
    app: &App,
    sign_ins: &crate::DemoSignIns,
) -> Result<(), BallotsStoryError> {
    let now = app.clock.now();
    let today = now.date_naive();
    let units = app
        .store
        .units()
        .await
        .map_err(|e| err("reading the units")(e.into()))?;
    let national = units
        .iter()
        .find(|u| u.kind == UnitKind::National)
        .ok_or(BallotsStoryError::Missing("a national unit"))?;
    let secretary = app
        .store
        .offices(Some(national.id), today)
        .await
        .map_err(|e| err("reading the offices")(e.into()))?
        .into_iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .and_then(|o| o.holder)
        .ok_or(BallotsStoryError::Missing("a national secretary"))?;

    let set_up = app_at(app, now - Duration::days(20));
    let officer = set_up
        .actor(secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    let roll = set_up
        .freeze_roll(
            &officer,
            &RollRequest {
                title: "Ballots of all members, autumn".into(),
                context: "member-ballot".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some((now - Duration::days(18)).date_naive()),
            },
        )
        .await
        .map_err(err("freezing the ballots' roll"))?;
    let election = set_up
        .create_ballot(
            &officer,
            &BallotRequest {
                title: ELECTION_TITLE.into(),
                question: "Elect three members to the campaigns committee for a year.".into(),
                kind: "election".into(),
                decision_kind: None,
                candidates: CANDIDATES.iter().map(|c| c.to_string()).collect(),
                seats: Some(3),
                roll: Some(roll),
                opens_at: Some(now - Duration::days(17)),
                closes_at: Some(now - Duration::days(3)),
                trustees: Vec::new(),
            },
        )
        .await
        .map_err(err("setting up the election"))?;
    let question = set_up
        .create_ballot(
            &officer,
            &BallotRequest {
                title: QUESTION_TITLE.into(),
                question: "Should the Network restore the National Committee that the steering committee claimed to dissolve?".into(),
                kind: "question".into(),
                decision_kind: None,
                candidates: Vec::new(),
                seats: None,
                roll: Some(roll),
                opens_at: Some(now - Duration::days(10)),
                closes_at: Some(now + Duration::days(4)),
                trustees: Vec::new(),
            },
        )
        .await
        .map_err(err("setting up the question"))?;

    let voters: Vec<MemberId> = app
        .store
        .roll_frozen_lines(roll, None)
        .await
        .map_err(|e| err("reading the roll")(e.into()))?
        .into_iter()
        .filter(|(_, _, ok)| *ok)
        .map(|(m, _, _)| m)
        .collect();
    // Those who vote in the demo: never a member who signs in to it.
    let sample: Vec<MemberId> = voters
        .iter()
        .copied()
        .filter(|m| !sign_ins.iter().any(|s| s.member == *m))
        .collect();

    // The election opens, two thirds of a sample vote, and it closes and is counted.
    let opened = app_at(app, now - Duration::days(17));
    opened
        .run_ballot_clock()
        .await
        .map_err(err("opening the election"))?;
    delivered(app, now - Duration::days(17) + Duration::minutes(5)).await?;
    let voting = app_at(app, now - Duration::days(15));
    for (k, v) in sample
        .iter()
        .take(450)
        .enumerate()
        .filter(|(k, _)| k % 3 != 2)
    {
        voting
            .cast_ballot(
                *v,
                election,
                &format!("demo-election-{k:06}"),
                &Choice {
                    ranks: preferences(k),
                },
                None,
            )
            .await
            .map_err(err("casting a demo ballot"))?;
    }
    // The question opens a week later; some have voted so far.
    app_at(app, now - Duration::days(10))
        .run_ballot_clock()
        .await
        .map_err(err("opening the question"))?;
    delivered(app, now - Duration::days(10) + Duration::minutes(5)).await?;
    let asking = app_at(app, now - Duration::days(8));
    for (k, v) in sample
        .iter()
        .take(300)
        .enumerate()
        .filter(|(k, _)| k % 2 == 0)
    {
        let answer = if k % 10 == 4 { 1 } else { 0 };
        asking
            .cast_ballot(
                *v,
                question,
                &format!("demo-question-{k:06}"),
                &Choice {
                    ranks: vec![answer],
                },
                None,
            )
            .await
            .map_err(err("casting a demo answer"))?;
    }
    app_at(app, now - Duration::days(3))
        .run_ballot_clock()
        .await
        .map_err(err("closing and counting the election"))?;
    load_steering_election(app, secretary, &voters).await
}

/// The steering committee's election, opened now by the national secretary over the annual
/// conference's roll, with nominations open for the constitution's fortnight: candidates are
/// tried in roll order and those the constitution lets stand are nominated by members it lets
/// nominate, until three are valid and a fourth has one nominator of two. Two publish a
/// statement.
async fn load_steering_election(
    app: &App,
    secretary: MemberId,
    voters: &[MemberId],
) -> Result<(), BallotsStoryError> {
    let now = app.clock.now();
    let roll = app
        .rolls()
        .await
        .map_err(err("reading the rolls"))?
        .into_iter()
        .filter(|r| r.context == "conference" && r.right == "vote")
        .max_by_key(|r| r.cutoff)
        .ok_or(BallotsStoryError::Missing("a conference roll"))?;
    let officer = app
        .actor(secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    let election = app
        .open_election(
            &officer,
            &ElectionRequest {
                body: "steering-committee".into(),
                title: STEERING_ELECTION_TITLE.into(),
                roll: Some(roll.id),
                nominations_close_at: Some(now + Duration::days(14)),
                opens_at: Some(now + Duration::days(18)),
                closes_at: Some(now + Duration::days(32)),
            },
        )
        .await
        .map_err(err("opening the steering committee's election"))?;
    delivered(app, now).await?;
    let needed = app
        .election(election)
        .await
        .map_err(err("reading the election"))?
        .0
        .nominators as usize;
    // Members refused the right to nominate are passed over, once.
    let mut nominators = voters.iter().rev().copied();
    let mut current = nominators.next();
    let mut nominees = 0;
    for &candidate in voters.iter().take(200) {
        if nominees == STEERING_NOMINEES {
            break;
        }
        let wanted = if nominees + 1 == STEERING_NOMINEES {
            needed.saturating_sub(1).max(1)
        } else {
            needed
        };
        let mut got = 0;
        while got < wanted {
            let Some(nominator) = current else {
                return Err(BallotsStoryError::Missing("members entitled to nominate"));
            };
            if nominator == candidate {
                current = nominators.next();
                continue;
            }
            let actor = app
                .actor(nominator)
                .await
                .map_err(err("reading a nominator"))?;
            match app.nominate(&actor, election, candidate).await {
                Ok(_) => {
                    got += 1;
                    current = nominators.next();
                }
                // Not entitled to nominate, or has used their nominations: the next member.
                Err(AppError::Forbidden(_) | AppError::Conflict { .. }) => {
                    current = nominators.next();
                }
                // This member may not stand (the constitution says why): try the next.
                Err(AppError::Invalid(_)) => break,
                Err(e) => return Err(err("nominating a candidate")(e)),
            }
        }
        if got == 0 {
            continue;
        }
        if nominees < 2 {
            let actor = app
                .actor(candidate)
                .await
                .map_err(err("reading a candidate"))?;
            app.set_statement(
                &actor,
                election,
                "I will stand for a steering committee that answers to conference: every \
                 decision minuted and published, and no meeting called without the notice \
                 the constitution requires.",
            )
            .await
            .map_err(err("publishing a statement"))?;
        }
        nominees += 1;
    }
    Ok(())
}
