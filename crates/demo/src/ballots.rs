//! The demo's ballots of all members, dated relative to now, through the app's use cases: a
//! campaigns committee elected by STV (voted and counted, its ballots published by tracker)
//! and a question still open, with part of the electorate having voted, both set up the day
//! before ballots became sealed by trustees and so plaintext; then three sealed (verifiable)
//! ballots set up under the amended clause 6.7 (see [`crate::sealed`]): a question and a
//! ranked election voted, shuffled, decrypted and counted, and a question still open in which
//! the demo member has not voted. Letters carrying the voting links are recorded as delivered
//! (the demo sends no mail).

use std::sync::Arc;

use charter_app::ballots::{BallotRequest, Choice};
use charter_app::elections::ElectionRequest;
use charter_app::rolls::RollRequest;
use charter_app::{App, AppError, FixedClock};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_model::{BallotId, RollId};
use charter_store::{EventActor, NewEvent, Term};
use chrono::{DateTime, Days, Duration, Utc};
use serde_json::json;

use crate::sealed::{self, SealedBallot};

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
    #[error("the demo's sealed ballots failed while {step}: {message}")]
    Crypto { step: &'static str, message: String },
}

/// What the demo's ballots leave for `charter demo` to print and write: the sealed ballot
/// still open with its simulated secrets, and the sealed ballots counted (none without the
/// sealed-ballots amendment).
#[derive(Clone, Default)]
pub struct DemoBallots {
    pub open: Option<SealedBallot>,
    /// The sealed question and election, counted (ids).
    pub counted: Vec<BallotId>,
}

/// Titles the demo's ballots carry, for tests and tours.
pub const ELECTION_TITLE: &str = "Campaigns committee 2017";
pub const QUESTION_TITLE: &str = "Restore the elected National Committee";
/// The sealed ballots: a question and an election counted, and a question still open.
pub const SEALED_QUESTION_TITLE: &str = "Join the Renters' Alliance";
pub const SEALED_ELECTION_TITLE: &str = "Policy forum 2027";
pub const OPEN_SEALED_TITLE: &str = "Hold the annual conference in Leeds";
/// Encrypted votes the demo casts in each sealed ballot: enough to show a count, few
/// enough that encrypting them keeps the demo's start quick.
const SEALED_VOTES: [usize; 3] = [120, 80, 60];
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
        app.store().clone(),
        Arc::new(FixedClock(at)),
        app.settings.clone(),
    )
}

pub(crate) fn err(step: &'static str) -> impl Fn(AppError) -> BallotsStoryError {
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
/// the voters sampled, so the demo member can vote in the open questions, plaintext and
/// sealed. Call after [`crate::load_constitution`]: the sealed ballots need its second
/// amendment in force.
pub async fn load_ballots(
    app: &App,
    sign_ins: &crate::DemoSignIns,
) -> Result<DemoBallots, BallotsStoryError> {
    let now = app.clock.now();
    let today = now.date_naive();
    let units = app
        .store()
        .units()
        .await
        .map_err(|e| err("reading the units")(e.into()))?;
    let national = units
        .iter()
        .find(|u| u.kind == UnitKind::National)
        .ok_or(BallotsStoryError::Missing("a national unit"))?;
    let secretary = app
        .store()
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
        .store()
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

    // Two days later ballots are sealed by trustees: the national scrutineer and two
    // secretaries set up the sealed ballots' keys, and the scrutineer their credentials.
    // (Only where the constitution's history has that amendment: see
    // `load_constitution_sealed`.)
    let sealing = app_at(app, now - Duration::days(18));
    let (_, c) = sealing
        .constitution_in_force(sealing.today())
        .await
        .map_err(err("reading the constitution"))?;
    let sealed = if c.ballot_rule().is_some_and(|(_, r)| r.trustees.is_some()) {
        set_up_sealed(&sealing, roll, secretary, &voters, &sample).await?
    } else {
        Vec::new()
    };
    let (counted, open) = (sealed.get(..2).unwrap_or_default(), sealed.get(2));

    // The election opens, two thirds of a sample vote, and it closes and is counted.
    let opened = app_at(app, now - Duration::days(17));
    opened
        .run_ballot_clock()
        .await
        .map_err(err("opening the election"))?;
    delivered(app, now - Duration::days(17) + Duration::minutes(5)).await?;
    // The sealed question and election open the next day.
    if !counted.is_empty() {
        app_at(app, now - Duration::days(16))
            .run_ballot_clock()
            .await
            .map_err(err("opening the sealed ballots"))?;
        delivered(app, now - Duration::days(16) + Duration::minutes(5)).await?;
    }
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
    let voting = app_at(app, now - Duration::days(14));
    for (ballot, &votes) in counted.iter().zip(&SEALED_VOTES) {
        cast_sealed(&voting, ballot, &sample, votes, 0).await?;
    }
    // The question opens a week later; some have voted so far.
    app_at(app, now - Duration::days(10))
        .run_ballot_clock()
        .await
        .map_err(err("opening the question"))?;
    delivered(app, now - Duration::days(10) + Duration::minutes(5)).await?;
    if open.is_some() {
        app_at(app, now - Duration::days(9))
            .run_ballot_clock()
            .await
            .map_err(err("opening the open sealed question"))?;
        delivered(app, now - Duration::days(9) + Duration::minutes(5)).await?;
    }
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
    if let Some(open) = open {
        let voting = app_at(app, now - Duration::days(7));
        cast_sealed(&voting, open, &sample, SEALED_VOTES[2], 1).await?;
    }
    // The sealed question and election close; two trustees of three shuffle the election's
    // ballots, then decrypt both results, and the app counts them.
    if !counted.is_empty() {
        app_at(app, now - Duration::days(6))
            .run_ballot_clock()
            .await
            .map_err(err("closing the sealed ballots"))?;
        let opening = app_at(app, now - Duration::days(5));
        for ballot in counted {
            sealed::open_result(&opening, ballot).await?;
        }
    }
    app_at(app, now - Duration::days(3))
        .run_ballot_clock()
        .await
        .map_err(err("closing and counting the election"))?;
    load_steering_election(app, secretary, &voters).await?;
    Ok(DemoBallots {
        counted: counted.iter().map(|b| b.id).collect(),
        open: open.cloned(),
    })
}

/// Encrypted votes in a sealed ballot from `votes` of the sampled voters (every other one
/// from `offset`), each with their own credential.
async fn cast_sealed(
    app: &App,
    ballot: &SealedBallot,
    sample: &[MemberId],
    votes: usize,
    offset: usize,
) -> Result<(), BallotsStoryError> {
    let ctx = sealed::voting_context(app, ballot).await?;
    let ranked = !ballot.setup.election.kind.is_homomorphic();
    for (k, v) in sample
        .iter()
        .enumerate()
        .skip(offset)
        .step_by(2)
        .take(votes)
    {
        let ranks = if ranked {
            preferences(k)
                .into_iter()
                .filter(|&c| c < ballot.setup.election.options)
                .collect()
        } else {
            vec![if k % 7 == 3 { 1 } else { 0 }]
        };
        sealed::vote(
            app,
            ballot,
            &ctx,
            *v,
            &format!("demo-sealed-{}-{k:06}", ballot.id),
            ranks,
        )
        .await?;
    }
    Ok(())
}

/// The national scrutineer's office, filled by the National Committee a month before ballots
/// became sealed (the demo's register has no scrutineer before), from members who hold no
/// office and do not sign in to the demo.
async fn appoint_scrutineer(
    app: &App,
    national: charter_domain::UnitId,
    candidates: &[MemberId],
) -> Result<MemberId, BallotsStoryError> {
    let today = app.today();
    let offices = app
        .store()
        .offices(None, today)
        .await
        .map_err(|e| err("reading the offices")(e.into()))?;
    if let Some(held) = offices
        .iter()
        .find(|o| o.kind == OfficeKind::Scrutineer && o.unit == national)
        .and_then(|o| o.holder)
    {
        return Ok(held);
    }
    let holders: Vec<MemberId> = offices.iter().filter_map(|o| o.holder).collect();
    let member = candidates
        .iter()
        .rev()
        .copied()
        .find(|m| !holders.contains(m))
        .ok_or(BallotsStoryError::Missing("a member to be scrutineer"))?;
    let starts_on = today - Days::new(30);
    let at = app.clock.now();
    let event = |kind: &str, payload: serde_json::Value| NewEvent {
        at,
        actor: EventActor {
            member: None,
            office: Some("National Committee".into()),
        },
        kind: kind.into(),
        subject: format!("member:{}", member.0),
        payload: payload.to_string(),
        reason: format!(
            "demo organisation: appointed scrutineer of National by the National Committee from {starts_on}"
        ),
    };
    let office = app
        .store()
        .create_office(
            national,
            OfficeKind::Scrutineer,
            &event(
                "office.created",
                json!({ "unit": "national", "office": "scrutineer" }),
            ),
        )
        .await
        .map_err(|e| err("creating the scrutineer's office")(e.into()))?;
    app.store()
        .appoint(
            office,
            member,
            Term {
                starts_on,
                ends_on: None,
            },
            &event(
                "office.appointed",
                json!({ "unit": "national", "office": "scrutineer", "member": member.0,
                        "starts_on": starts_on.to_string() }),
            ),
        )
        .await
        .map_err(|e| err("appointing the scrutineer")(e.into()))?;
    Ok(member)
}

/// The sealed ballots, set up by the national secretary over the ballots' roll with their
/// trustees: the national scrutineer, Southwark's branch secretary (who signs in to the demo)
/// and London's regional secretary. Each key ceremony is done and the credentials frozen.
async fn set_up_sealed(
    app: &App,
    roll: RollId,
    secretary: MemberId,
    voters: &[MemberId],
    sample: &[MemberId],
) -> Result<Vec<SealedBallot>, BallotsStoryError> {
    let now = app.clock.now();
    let all = app
        .store()
        .units()
        .await
        .map_err(|e| err("reading the units")(e.into()))?;
    let unit = |name: &'static str| {
        all.iter()
            .find(|u| u.name == name)
            .map(|u| u.id)
            .ok_or(BallotsStoryError::Missing(name))
    };
    let national = all
        .iter()
        .find(|u| u.kind == UnitKind::National)
        .map(|u| u.id)
        .ok_or(BallotsStoryError::Missing("a national unit"))?;
    let scrutineer = appoint_scrutineer(app, national, sample).await?;
    let offices = app
        .store()
        .offices(None, app.today())
        .await
        .map_err(|e| err("reading the offices")(e.into()))?;
    let secretary_of = |u: charter_domain::UnitId, what: &'static str| {
        offices
            .iter()
            .find(|o| o.unit == u && o.kind == OfficeKind::Secretary)
            .and_then(|o| o.holder)
            .ok_or(BallotsStoryError::Missing(what))
    };
    let trustees = vec![
        scrutineer,
        secretary_of(unit("Southwark")?, "a Southwark secretary")?,
        secretary_of(unit("London")?, "a London secretary")?,
    ];
    let officer = app
        .actor(secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    let requests = [
        BallotRequest {
            title: SEALED_QUESTION_TITLE.into(),
            question: "Should the Campaign affiliate to the Renters' Alliance, paying its \
                       affiliation fee from national funds?"
                .into(),
            kind: "question".into(),
            decision_kind: None,
            candidates: Vec::new(),
            seats: None,
            roll: Some(roll),
            opens_at: Some(now + Duration::days(2)),
            closes_at: Some(now + Duration::days(12)),
            trustees: trustees.clone(),
        },
        BallotRequest {
            title: SEALED_ELECTION_TITLE.into(),
            question: "Elect three members to the policy forum for a year.".into(),
            kind: "election".into(),
            decision_kind: None,
            candidates: CANDIDATES[..5].iter().map(|c| c.to_string()).collect(),
            seats: Some(3),
            roll: Some(roll),
            opens_at: Some(now + Duration::days(2)),
            closes_at: Some(now + Duration::days(12)),
            trustees: trustees.clone(),
        },
        BallotRequest {
            title: OPEN_SEALED_TITLE.into(),
            question: "Should next year's annual conference be held in Leeds?".into(),
            kind: "question".into(),
            decision_kind: None,
            candidates: Vec::new(),
            seats: None,
            roll: Some(roll),
            opens_at: Some(now + Duration::days(9)),
            closes_at: Some(now + Duration::days(23)),
            trustees: trustees.clone(),
        },
    ];
    let mut out = Vec::new();
    for req in &requests {
        let id = app
            .create_ballot(&officer, req)
            .await
            .map_err(err("setting up a sealed ballot"))?;
        out.push(sealed::ceremony(app, id, &trustees, scrutineer, voters).await?);
    }
    Ok(out)
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
