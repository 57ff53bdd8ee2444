//! The demo's constitutional story: all three versions, the refused hasty attempt with its
//! clause, the adoption, and members who lost the vote.

use std::sync::Arc;

use charter_app::constitution::AmendmentState;
use charter_app::{App, FixedClock, Settings};
use charter_demo::{DemoOptions, StoryDates, generate, load, load_constitution_sealed};
use charter_rules::{Context, Right};
use charter_store::Store;
use charter_store_sqlite::SqliteStore;
use chrono::{TimeZone, Utc};

#[tokio::test]
async fn the_demo_tells_the_amendment_story() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let opts = DemoOptions {
        members: 400,
        ..DemoOptions::default()
    };
    let org = generate(opts);
    let sign_ins = load(&store, &org, &|_, _| {}).await.unwrap();
    let now = Utc.from_utc_datetime(&opts.today.and_hms_opt(10, 0, 0).unwrap());
    let app = App::new(
        Arc::new(store),
        Arc::new(FixedClock(now)),
        Settings::default(),
    );
    let dates = load_constitution_sealed(&app, opts.today).await.unwrap();
    assert_eq!(dates, StoryDates::before(opts.today));
    assert!(dates.founded < dates.proposed && dates.meeting < dates.effective);
    assert!(dates.effective < opts.today);

    let versions = app.constitution_versions().await.unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0].effective, dates.founded);
    assert_eq!(versions[1].effective, dates.effective);
    assert_eq!(versions[2].effective, dates.sealed_effective);
    assert!(dates.effective < dates.sealed_proposed && dates.sealed_effective < opts.today);
    let (v, c) = app.constitution_in_force(opts.today).await.unwrap();
    assert_eq!(v.id, versions[2].id);
    assert!(c.name().contains("Common Ground"));
    // The sealed-ballots amendment names the trustees in clause 6.7, rule and text alike.
    let (_, before) = app
        .constitution_in_force(dates.sealed_effective.pred_opt().unwrap())
        .await
        .unwrap();
    assert_eq!(before.version(), versions[1].version);
    let clause = c
        .clause(&charter_rules::ClauseRef::parse("6.7").unwrap())
        .unwrap();
    assert!(clause.text.contains("three trustees"), "{}", clause.text);
    let trustees = c.ballot_rule().unwrap().1.trustees.clone().unwrap();
    assert_eq!((trustees.count, trustees.threshold), (3, 2));
    assert!(before.ballot_rule().unwrap().1.trustees.is_none());
    let amendments = app.amendments().await.unwrap();
    assert_eq!(amendments.len(), 2);
    let sealed = amendments
        .iter()
        .find(|a| a.title.starts_with("Ballots sealed"))
        .unwrap();
    assert_eq!(sealed.state, AmendmentState::Adopted);
    assert_eq!(sealed.attempts.len(), 1);
    let a = amendments
        .iter()
        .find(|a| !a.title.starts_with("Ballots sealed"))
        .unwrap();
    assert_eq!(a.state, AmendmentState::Adopted);
    assert_eq!(a.attempts.len(), 2);
    assert!(!a.attempts[0].adopted);
    assert!(
        a.attempts[0].failures.iter().any(|(c, _)| c == "7.1"),
        "{:?}",
        a.attempts[0].failures
    );
    assert!(a.attempts[1].adopted);

    let diff = app.amendment_diff(a.id).await.unwrap();
    assert_eq!(diff.from, versions[0].version);
    let impact = app.amendment_impact(a.id).await.unwrap();
    let vote = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    assert!(vote.total.lose > 0, "{:?}", vote.total);
    // Most verifications come later, so on the day few if any keep the vote.
    assert!(vote.total.after < vote.total.before, "{:?}", vote.total);

    // Two conference rolls, both by an amended constitution (the one in force on their
    // cut-off), both checkable.
    let rolls = app.rolls().await.unwrap();
    assert_eq!(rolls.len(), 2);
    for r in &rolls {
        let by = if r.cutoff < dates.sealed_effective {
            1
        } else {
            2
        };
        assert_eq!(r.version_id, versions[by].id, "{r:?}");
        assert!(r.excluded > 0, "{r:?}");
        let check = app.check_roll(r.id).await.unwrap();
        assert!(check.frozen_hash_matches && check.current_hash_matches);
        assert!(r.challenge_closes_on > opts.today);
    }
    // On the day it took effect few were verified yet; a week ago, some are.
    assert!(rolls[0].eligible > rolls[1].eligible, "{rolls:?}");

    // The meetings: the hasty steering committee could not dissolve anything.
    charter_demo::load_meetings(&app, opts.today).await.unwrap();
    let meetings = app.store().meetings(None, None).await.unwrap();
    let hasty = meetings
        .iter()
        .find(|m| m.body == "steering-committee")
        .expect("the steering committee met");
    let motions = app.store().motions(hasty.id).await.unwrap();
    assert_eq!(motions.len(), 1);
    assert_eq!(motions[0].state, charter_domain::MotionState::NotBinding);
    let why = motions[0].failures_json.as_deref().unwrap();
    assert!(why.contains("6.1") && why.contains("6.3"), "{why}");
    assert!(
        !why.contains("inconsistent"),
        "the committee's members may vote: {why}"
    );
    let (under_way, held): (Vec<_>, Vec<_>) = meetings
        .iter()
        .filter(|m| m.body == "branch-meeting")
        .partition(|m| m.ends_at > app.clock.now());
    // Southwark and Havering, and as many of five more branches as have the voters.
    assert!((2..=7).contains(&held.len()), "{}", held.len());
    let mut calling = std::collections::BTreeSet::new();
    for m in &held {
        let decided = app.store().motions(m.id).await.unwrap();
        assert_eq!(decided.len(), 1);
        assert_ne!(
            decided[0].state,
            charter_domain::MotionState::Proposed,
            "every vote was recorded"
        );
        assert_eq!(decided[0].requires.as_deref(), Some("special-conference"));
        if decided[0].published {
            calling.insert(m.unit);
        }
    }
    // Their published motions count towards one requisition, short of its ten branches.
    let standing = app.requisitions_standing().await.unwrap();
    if calling.is_empty() {
        assert!(standing.is_empty());
    } else {
        assert_eq!(standing.len(), 1);
        let r = &standing[0];
        assert_eq!(
            (r.record.kind.as_str(), r.record.opened_by),
            ("special-conference", None)
        );
        assert_eq!(r.branches_supporting as usize, calling.len());
        assert_eq!(r.state, charter_app::meetings::RequisitionState::Collecting);
    }
    // Southwark's meeting is under way: a secret vote open on its first motion, cast by most
    // of those checked in, none of whom holds a vote they may not.
    assert_eq!(under_way.len(), 1);
    let m = under_way[0];
    assert!(m.starts_at < app.clock.now());
    let motions = app.store().motions(m.id).await.unwrap();
    assert_eq!(motions.len(), 2);
    assert!(
        motions
            .iter()
            .all(|mo| mo.state == charter_domain::MotionState::Proposed)
    );
    let poll = app.store().poll(motions[0].id).await.unwrap().unwrap();
    assert_eq!((poll.mode.as_str(), poll.closed_at), ("secret", None));
    let (_, present_voting) = app.store().attendance(m.id).await.unwrap();
    assert!(poll.voted > 0 && poll.voted <= present_voting, "{poll:?}");
    assert!(
        poll.voted < present_voting || present_voting == 1,
        "{poll:?}"
    );
    assert!(app.store().poll(motions[1].id).await.unwrap().is_none());
    // Its agenda is numbered items, with papers circulated before it began.
    let agenda = app.store().agenda(m.id).await.unwrap();
    let numbers: Vec<Option<i64>> = agenda.iter().map(|i| i.number).collect();
    assert_eq!(numbers, vec![Some(1), Some(2), Some(3), Some(4)]);
    let papers: Vec<_> = agenda.iter().flat_map(|i| i.papers.iter()).collect();
    assert_eq!(papers.len(), 2);
    assert!(
        papers
            .iter()
            .all(|p| p.circulated_at < m.starts_at && p.size > 0)
    );

    // The ballots: an election counted by STV with three elected, a question still open.
    charter_demo::load_ballots(&app, &sign_ins).await.unwrap();
    let ballots = app.ballots().await.unwrap();
    let election = ballots
        .iter()
        .find(|b| b.title == charter_demo::ELECTION_TITLE)
        .unwrap();
    assert_eq!(
        (election.state.as_str(), election.method.name()),
        ("counted", "scottish-stv")
    );
    let result: serde_json::Value =
        serde_json::from_str(election.result_json.as_deref().unwrap()).unwrap();
    assert_eq!(result["elected"].as_array().unwrap().len(), 3, "{result}");
    let published = app.published_ballots(election.id).await.unwrap();
    assert_eq!(
        published.len() as u64,
        app.ballot_election(election.id)
            .await
            .unwrap()
            .total_votes()
    );
    let question = ballots
        .iter()
        .find(|b| b.title == charter_demo::QUESTION_TITLE)
        .unwrap();
    assert_eq!(question.state, charter_domain::BallotState::Open);
    assert!(matches!(
        app.published_ballots(question.id).await,
        Err(charter_app::AppError::Conflict { .. })
    ));
    let turnout = app.ballot_turnout(question.id).await.unwrap();
    let voted: i64 = turnout.iter().map(|t| t.voted).sum();
    let voters: i64 = turnout.iter().map(|t| t.voters).sum();
    assert!(voted > 0 && voted < voters, "{voted} of {voters}");
}
