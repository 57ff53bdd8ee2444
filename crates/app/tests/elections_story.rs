//! The election story (S7) through the app on SQLite with fixed times, under the 2017
//! amendment: conference elects the steering committee by STV from nominations. An
//! unaffiliated member is refused nomination, citing clause 4.3; nominations need two
//! nominators (clause 6.7); a candidate withdraws in time and another too late; the ballot is
//! built from the valid nominations, every voter finds their tracker in the published ballots,
//! a recount agrees, and the winners hold the committee's seats.

mod common;

use charter_app::ballots::Choice;
use charter_app::elections::ElectionRequest;
use charter_app::rolls::RollRequest;
use charter_app::{App, AppError};
use charter_domain::{MemberId, MemberStatus};
use charter_model::Method;
use charter_store::NewBody;
use charter_store::prelude::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn app_at(w: &World, t: DateTime<Utc>) -> App {
    App::new(
        w.store.clone(),
        std::sync::Arc::new(charter_app::FixedClock(t)),
        charter_app::Settings::default(),
    )
}

#[tokio::test]
async fn conference_elects_the_steering_committee_by_stv_from_nominations() {
    let w = world().await;
    amended(&w).await;
    w.store
        .create_body(
            &NewBody {
                unit: w.national,
                name: "Steering Committee".into(),
                kind: "committee".into(),
                seats: 5,
                filled_by: "elected by conference".into(),
            },
            &event("body.created"),
        )
        .await
        .unwrap();
    // Seven verified party members who may stand.
    let mut party = Vec::new();
    for n in 300..307 {
        party.push(
            add(
                &w.store,
                n,
                if n % 2 == 0 { w.southwark } else { w.havering },
                MemberStatus::Active,
                true,
                Some(true),
                Some(w.secretary),
            )
            .await,
        );
    }
    let aug1 = app_at(&w, at(2017, 8, 1, 10));
    let secretary = aug1.actor(w.secretary).await.unwrap();
    let roll = aug1
        .freeze_roll(
            &secretary,
            &RollRequest {
                title: "Conference 2017".into(),
                context: "conference".into(),
                unit: None,
                right: None,
                cutoff: None,
                challenge_closes_on: Some(NaiveDate::from_ymd_opt(2017, 8, 25).unwrap()),
            },
        )
        .await
        .unwrap();
    let request = |close: DateTime<Utc>| ElectionRequest {
        body: "steering-committee".into(),
        title: "Steering Committee 2017".into(),
        roll: Some(roll),
        nominations_close_at: Some(close),
        opens_at: Some(at(2017, 9, 1, 9)),
        closes_at: Some(at(2017, 9, 10, 9)),
    };
    // Too short a nomination window (clause 6.7: 14 days), a body not elected, no officer.
    for (who, req) in [
        (&secretary, request(at(2017, 8, 5, 9))),
        (
            &secretary,
            ElectionRequest {
                body: "national-council".into(),
                ..request(at(2017, 8, 20, 9))
            },
        ),
        (
            &aug1.actor(w.ann).await.unwrap(),
            request(at(2017, 8, 20, 9)),
        ),
    ] {
        let r = aug1.open_election(who, &req).await;
        assert!(
            matches!(r, Err(AppError::Invalid(_) | AppError::Forbidden(_))),
            "{r:?}"
        );
    }
    let id = aug1
        .open_election(&secretary, &request(at(2017, 8, 20, 9)))
        .await
        .unwrap();
    // Everyone on the roll of those who elect is sent the notice of nominations, which gives
    // the timetable and the clause on nominators.
    let notices: Vec<_> = w
        .store
        .claim_outbox(at(2017, 8, 1, 11), at(2017, 8, 1, 12), 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == "Nominations open: Steering Committee 2017")
        .collect();
    let electors = w
        .store
        .roll_frozen_lines(roll, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, _, ok)| *ok)
        .count();
    assert_eq!(notices.len(), electors);
    assert!(
        notices[0]
            .body
            .contains("Each candidate needs 2 nominators entitled to nominate (clause 6.7)"),
        "{}",
        notices[0].body
    );

    // Nominations: two nominators each; Ann, unaffiliated, may not stand (clause 4.3).
    let aug5 = app_at(&w, at(2017, 8, 5, 12));
    let actor = |m: MemberId| {
        let app = aug5.clone();
        async move { app.actor(m).await.unwrap() }
    };
    let refused = aug5.nominate(&actor(party[0]).await, id, w.ann).await;
    match refused {
        Err(AppError::Invalid(f)) => {
            let why = f.0.get("candidate").cloned().unwrap_or_default();
            assert!(why.contains("clause 4.3"), "{why}");
        }
        other => panic!("expected a refusal citing the clause, got {other:?}"),
    }
    assert!(matches!(
        aug5.nominate(&actor(party[0]).await, id, party[0]).await,
        Err(AppError::Invalid(_))
    ));
    for (k, candidate) in party.iter().enumerate() {
        let first = party[(k + 1) % party.len()];
        let second = party[(k + 2) % party.len()];
        let n = aug5
            .nominate(&actor(first).await, id, *candidate)
            .await
            .unwrap();
        assert_eq!((n.state.as_str(), n.nominators), ("seeking", 1));
        assert!(matches!(
            aug5.nominate(&actor(first).await, id, *candidate).await,
            Err(AppError::Conflict { .. })
        ));
        let n = aug5
            .nominate(&actor(second).await, id, *candidate)
            .await
            .unwrap();
        assert_eq!((n.state.as_str(), n.nominators), ("valid", 2));
    }
    aug5.set_statement(
        &actor(party[1]).await,
        id,
        "I will restore the elected committees.",
    )
    .await
    .unwrap();
    assert!(matches!(
        aug5.set_statement(&actor(w.ann).await, id, "Me too").await,
        Err(AppError::Forbidden(_))
    ));
    // One withdraws in time; after the deadline (2 clear days before voting) another cannot.
    aug5.withdraw_candidacy(&actor(party[6]).await, id)
        .await
        .unwrap();
    let late = app_at(&w, at(2017, 8, 31, 12));
    assert!(matches!(
        late.withdraw_candidacy(&late.actor(party[5]).await.unwrap(), id)
            .await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        late.nominate(&late.actor(party[0]).await.unwrap(), id, party[6])
            .await,
        Err(AppError::Conflict { .. })
    ));

    // The ballot: the six valid candidates, counted by STV (clause 6.7).
    let secretary = late.actor(w.secretary).await.unwrap();
    let ballot = late
        .build_election_ballot(&secretary, id, &[])
        .await
        .unwrap();
    assert!(matches!(
        late.build_election_ballot(&secretary, id, &[]).await,
        Err(AppError::Conflict { .. })
    ));
    let b = w.store.ballot(ballot).await.unwrap().unwrap();
    assert_eq!(b.method, Method::ScottishStv);
    assert_eq!(b.options.len(), 6);
    app_at(&w, at(2017, 9, 1, 9))
        .run_ballot_clock()
        .await
        .unwrap();
    let voters = common::voters_of(&w, roll).await;
    let day = app_at(&w, at(2017, 9, 3, 12));
    let patterns: [&[u32]; 5] = [&[0, 1, 2], &[1, 0], &[2, 3, 4], &[3, 2], &[4, 5, 0]];
    let mut receipts = Vec::new();
    for (k, v) in voters.iter().enumerate() {
        let ranks = patterns[k % patterns.len()].to_vec();
        let r = day
            .cast_ballot(
                *v,
                ballot,
                &format!("conference-{k:05}"),
                &Choice {
                    ranks: ranks.clone(),
                },
                None,
            )
            .await
            .unwrap();
        receipts.push((r.tracker, ranks));
    }
    let after = app_at(&w, at(2017, 9, 10, 10));
    after.run_ballot_clock().await.unwrap();
    let b = w.store.ballot(ballot).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    let seated_at = w.store.election(id).await.unwrap().unwrap().seated_at;
    assert!(
        seated_at.is_some(),
        "the timetable seats the winners once counted"
    );
    // Every voter finds their tracker with their preferences.
    let published = after.published_ballots(ballot).await.unwrap();
    for (tracker, ranks) in &receipts {
        let p = published.iter().find(|p| &p.tracker == tracker).unwrap();
        let names: Vec<String> = ranks
            .iter()
            .map(|r| b.options[*r as usize].clone())
            .collect();
        assert_eq!(p.ranks, names);
    }
    // The winners took the committee's seats; seating again is refused.
    assert!(matches!(
        after.seat_election_winners(id).await,
        Err(AppError::Conflict { .. })
    ));
    let result: serde_json::Value =
        serde_json::from_str(b.result_json.as_deref().unwrap()).unwrap();
    let (_, nominations) = after.election(id).await.unwrap();
    let winners: Vec<MemberId> = result["elected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| {
            nominations
                .iter()
                .find(|n| Some(n.name.as_str()) == name.as_str())
                .unwrap()
                .candidate
        })
        .collect();
    assert_eq!(winners.len(), 5);
    let seated: Vec<MemberId> = w
        .store
        .bodies(
            Some(w.national),
            NaiveDate::from_ymd_opt(2017, 9, 12).unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Steering Committee")
        .unwrap()
        .holders
        .iter()
        .map(|h| h.member)
        .collect();
    let mut expected = winners.clone();
    expected.sort();
    let mut seated_sorted = seated.clone();
    seated_sorted.sort();
    assert_eq!(seated_sorted, expected);
    assert!(
        !seated.contains(&party[6]),
        "the withdrawn candidate was not on the ballot"
    );
}
