//! The story as a test, through the app on SQLite with fixed dates: founded in 2016, an
//! amendment effective 2017-07-01 that keeps votes for verified members of another party.

mod common;

use charter_app::amending::HistoricalOutcome;
use charter_app::constitution::AmendmentState;
use charter_app::rolls::RollRequest;
use charter_app::{AppError, operator_actor};
use charter_rules::{Context, Right};

use charter_store::prelude::*;
use chrono::NaiveDate;
use common::*;

#[tokio::test]
async fn the_story_through_the_app() {
    let w = world().await;
    let may = app_on(&w.store, d(2017, 5, 19));
    assert!(matches!(
        may.constitution_in_force(d(2016, 1, 1)).await,
        Err(AppError::NotFound("constitution"))
    ));
    let founding = may
        .found_constitution(operator_actor(), FOUNDING)
        .await
        .unwrap();
    // Only once: afterwards, only an amendment changes it.
    assert!(matches!(
        may.found_constitution(operator_actor(), FOUNDING).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(may.grace_days().await.unwrap(), 31);

    // Proposing: a lapsed member has no right to propose, and the refusal cites the clause.
    let lapsed = actor(&may, w.lapsed).await;
    match may
        .propose_amendment(&lapsed, "Votes for party members", AMENDMENT)
        .await
    {
        Err(AppError::Forbidden(why)) => assert!(why.contains("4.1"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let secretary = actor(&may, w.secretary).await;
    match may.propose_amendment(&secretary, "Broken", "name = ").await {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("toml")),
        other => panic!("expected invalid toml, got {other:?}"),
    }
    let id = may
        .propose_amendment(&secretary, "Votes for party members", AMENDMENT)
        .await
        .unwrap();

    // A hasty special conference with 2 days' notice where 14 are required, held before the
    // organisation used Charter: two officers enter it from the minutes, each on their own.
    let chair = national_chair(&w).await;
    let june = app_on(&w.store, d(2017, 6, 12));
    let secretary = actor(&june, w.secretary).await;
    let chair_actor = actor(&june, chair).await;
    let ann_actor = actor(&june, w.ann).await;
    let hasty = conference(d(2017, 5, 26), d(2017, 5, 29));
    // A member who calls no national meeting enters nothing.
    assert!(matches!(
        june.enter_historical_decision(&ann_actor, id, &hasty).await,
        Err(AppError::Forbidden(_))
    ));
    // A meeting cannot be entered as held after the moment of its entry.
    match june
        .enter_historical_decision(
            &secretary,
            id,
            &charter_app::amending::HistoricalDecision {
                held_on: d(2017, 6, 13),
                ..hasty.clone()
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("held_on")),
        other => panic!("expected a refusal of a future date, got {other:?}"),
    }
    // One officer alone records nothing; the same officer twice is still one.
    assert_eq!(
        june.enter_historical_decision(&secretary, id, &hasty)
            .await
            .unwrap(),
        HistoricalOutcome::AwaitingSecondEntry
    );
    assert_eq!(
        june.enter_historical_decision(&secretary, id, &hasty)
            .await
            .unwrap(),
        HistoricalOutcome::AwaitingSecondEntry
    );
    // A second officer who reads the minutes differently is told which fields differ, not
    // what the first entered; the first officer's latest entry is what counts.
    assert_eq!(
        june.enter_historical_decision(
            &chair_actor,
            id,
            &charter_app::amending::HistoricalDecision {
                present: 901,
                ..hasty.clone()
            },
        )
        .await
        .unwrap(),
        HistoricalOutcome::Differs(vec!["present"])
    );
    assert_eq!(june.amendment(id).await.unwrap().0.attempts.len(), 0);
    let refused = match june
        .enter_historical_decision(&chair_actor, id, &hasty)
        .await
        .unwrap()
    {
        HistoricalOutcome::Recorded {
            adopted: false,
            failures,
            meeting,
            ..
        } => {
            let m = w.store.meeting(meeting).await.unwrap().unwrap();
            assert!(m.historical_entered_at.is_some());
            assert!(m.ends_at <= m.historical_entered_at.unwrap());
            failures
        }
        other => panic!("expected the hasty conference recorded as refused, got {other:?}"),
    };
    assert!(
        refused
            .iter()
            .any(|(c, why)| c == "7.1" && why.contains("14 clear days")),
        "{refused:?}"
    );
    assert_eq!(june.constitution_versions().await.unwrap().len(), 1);
    let (info, _) = june.amendment(id).await.unwrap();
    assert_eq!(info.state, AmendmentState::Refused);
    assert_eq!(info.attempts.len(), 1);
    assert!(!info.attempts[0].adopted);
    assert!(info.attempts[0].motion.is_some());

    // The full procedure: notice on 20 May for 10 June.
    let adopted = enter_twice(
        &june,
        [chair, w.secretary],
        id,
        &conference(d(2017, 5, 20), d(2017, 6, 10)),
    )
    .await;
    assert!(
        matches!(adopted, HistoricalOutcome::Recorded { adopted: true, .. }),
        "{adopted:?}"
    );
    let versions = june.constitution_versions().await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["founding constitution 2016", "2017 amendment"]
    );
    // What the version says adopted it is made from the record, not from its proposer.
    assert!(
        versions[1].adopted_by.contains("610 for, 250 against")
            && versions[1]
                .adopted_by
                .contains("historical meeting entered by two officers"),
        "{}",
        versions[1].adopted_by
    );
    chair_resigns(&w, chair).await;
    let (info, _) = june.amendment(id).await.unwrap();
    assert_eq!(info.state, AmendmentState::Adopted);
    assert_eq!(info.attempts.len(), 2);
    assert!(info.attempts[1].adopted);
    assert!(matches!(
        june.enter_historical_decision(&secretary, id, &conference(d(2017, 5, 20), d(2017, 6, 10)))
            .await,
        Err(AppError::Conflict { .. })
    ));
    let kinds: Vec<String> = w
        .store
        .events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("constitution."))
        .collect();
    assert_eq!(
        kinds,
        [
            "constitution.founded",
            "constitution.amendment_proposed",
            "constitution.amendment_refused",
            "constitution.amended"
        ]
    );

    // Before the cut-off Ann (paid up, no party) may vote; from it she may attend but not vote.
    let (v, _) = june.constitution_in_force(d(2017, 6, 30)).await.unwrap();
    assert_eq!(v.id, founding);
    let before = june
        .member_rights(&ann_actor, w.ann, d(2017, 6, 30))
        .await
        .unwrap();
    let vote = before
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    assert!(vote.allowed, "{}", vote.reason);
    let after = june
        .member_rights(&ann_actor, w.ann, d(2017, 7, 1))
        .await
        .unwrap();
    let find = |r: Right| {
        after
            .iter()
            .find(|d| d.context == Context::BranchMeeting && d.right == r)
            .unwrap()
    };
    assert!(find(Right::Attend).allowed);
    let vote = find(Right::Vote);
    assert!(!vote.allowed);
    assert_eq!(
        vote.clauses.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["4.3"]
    );
    assert!(vote.reason.contains("clause 4.3"), "{}", vote.reason);

    // Someone else's rights need the power to see them; the secretary's read is logged.
    let lapsed = actor(&june, w.lapsed).await;
    assert!(matches!(
        june.member_rights(&lapsed, w.ann, d(2017, 7, 1)).await,
        Err(AppError::Forbidden(_))
    ));
    june.member_rights(&secretary, w.ann, d(2017, 7, 1))
        .await
        .unwrap();
    let log = w.store.access_log(w.ann, 1, 50).await.unwrap();
    assert!(log.items.iter().any(|e| e.purpose == "member rights"));

    // Diff and impact: the impact counts match a direct count over the register.
    let diff = june.amendment_diff(id).await.unwrap();
    assert_eq!(diff.from, "founding constitution 2016");
    assert_eq!(diff.to, "2017 amendment");
    let vdiff = june
        .constitution_diff(versions[0].id, versions[1].id)
        .await
        .unwrap();
    assert_eq!(vdiff, diff);
    let impact = june.amendment_impact(id).await.unwrap();
    // Every member on the register, the chair who has since resigned among them.
    assert_eq!(impact.members as usize, w.members.len() + 1);
    let vote = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    let could: Vec<&Seeded> = w.members.iter().filter(|m| m.active && m.paid).collect();
    let keep = could.iter().filter(|m| m.verified).count();
    assert_eq!(vote.total.before as usize, could.len());
    assert_eq!(vote.total.after as usize, keep);
    assert_eq!(vote.total.lose as usize, could.len() - keep);
    assert_eq!(vote.total.gain, 0);
    for (branch, counts) in &vote.by_branch {
        let here: Vec<&&Seeded> = could.iter().filter(|m| m.branch == *branch).collect();
        assert_eq!(counts.before as usize, here.len());
        assert_eq!(
            counts.lose as usize,
            here.iter().filter(|m| !m.verified).count()
        );
    }
    let attend = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Attend)
        .unwrap();
    assert_eq!(attend.total.lose, 0);
    let dissolved: Vec<&str> = impact
        .bodies_dissolved
        .iter()
        .map(|b| b.key.as_str())
        .collect();
    assert!(dissolved.contains(&"national-committee"), "{dissolved:?}");
    let amendments = june.amendments().await.unwrap();
    assert_eq!(amendments.len(), 1);
    assert_eq!(amendments[0].attempts.len(), 2);
}

fn conference_roll(cutoff: NaiveDate) -> RollRequest {
    RollRequest {
        title: "Special conference".into(),
        context: "conference".into(),
        cutoff: Some(cutoff),
        ..RollRequest::default()
    }
}

#[tokio::test]
async fn a_roll_frozen_on_the_cut_off_follows_the_version_in_force_and_takes_challenges() {
    let w = world().await;
    amended(&w).await;
    let july = app_on(&w.store, d(2017, 7, 3));
    let secretary = actor(&july, w.secretary).await;
    let ann = actor(&july, w.ann).await;

    // Only an officer with the power freezes; bad input is named field by field.
    assert!(matches!(
        july.freeze_roll(&ann, &conference_roll(d(2017, 7, 1)))
            .await,
        Err(AppError::Forbidden(_))
    ));
    match july
        .freeze_roll(
            &secretary,
            &RollRequest {
                title: " ".into(),
                context: "tea-party".into(),
                cutoff: Some(d(2017, 8, 1)),
                ..RollRequest::default()
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => {
            let text = format!("{e:?}");
            assert!(text.contains("title") && text.contains("context"), "{text}");
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    match july
        .freeze_roll(
            &secretary,
            &RollRequest {
                context: "branch-meeting".into(),
                ..conference_roll(d(2017, 7, 1))
            },
        )
        .await
    {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("unit")),
        other => panic!("a branch meeting needs its branch, got {other:?}"),
    }

    // Before the cut-off, every active paid-up member is on; after, only verified party members.
    let june_roll = july
        .freeze_roll(&secretary, &conference_roll(d(2017, 6, 30)))
        .await
        .unwrap();
    let id = july
        .freeze_roll(&secretary, &conference_roll(d(2017, 7, 1)))
        .await
        .unwrap();
    let could = w.members.iter().filter(|m| m.active && m.paid).count();
    let keep = w
        .members
        .iter()
        .filter(|m| m.active && m.paid && m.verified)
        .count();
    let before = july.roll_view(&ann, june_roll).await.unwrap();
    assert_eq!(before.roll.eligible as usize, could);
    assert!(before.mine.as_ref().unwrap().eligible);
    let view = july.roll_view(&ann, id).await.unwrap();
    assert_eq!(view.roll.eligible as usize, keep);
    assert_eq!(
        (view.roll.eligible + view.roll.excluded) as usize,
        w.members.len()
    );
    assert_eq!(view.version, "2017 amendment");
    assert_eq!(
        view.counts.iter().map(|c| c.2).sum::<i64>(),
        view.roll.eligible
    );
    let mine = view.mine.clone().unwrap();
    assert!(!mine.eligible);
    assert_eq!(mine.clauses, "4.3");
    assert!(mine.reason.contains("clause 4.3"), "{}", mine.reason);
    assert!(!view.may_see_names);
    assert!(july.check_roll(id).await.unwrap().frozen_hash_matches);

    // Names are for officers; each name shown is logged.
    assert!(matches!(
        july.roll_names(&ann, id, None, None, 1, 25).await,
        Err(AppError::Forbidden(_))
    ));
    let names = july
        .roll_names(&secretary, id, None, Some(false), 1, 500)
        .await
        .unwrap();
    assert_eq!(names.total as usize, w.members.len() - keep);
    let log = w.store.access_log(w.ann, 1, 50).await.unwrap();
    assert!(log.items.iter().any(|e| e.purpose == "roll names"));

    // Ann challenges; she cannot decide her own; the secretary upholds it with reasons.
    match july.lodge_challenge(&ann, id, "  ").await {
        Err(AppError::Invalid(e)) => assert!(format!("{e:?}").contains("grounds")),
        other => panic!("empty grounds must be refused, got {other:?}"),
    }
    let c = july
        .lodge_challenge(&ann, id, "I joined the party in May; my card is attached")
        .await
        .unwrap();
    assert!(matches!(
        july.lodge_challenge(&ann, id, "again").await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(
        july.decide_challenge(&ann, c, true, "mine").await,
        Err(AppError::Forbidden(_))
    ));
    july.decide_challenge(&secretary, c, true, "membership card checked on 3 July")
        .await
        .unwrap();
    assert!(matches!(
        july.decide_challenge(&secretary, c, false, "again").await,
        Err(AppError::Conflict { .. })
    ));
    let view = july.roll_view(&ann, id).await.unwrap();
    assert_eq!(view.roll.eligible as usize, keep + 1);
    assert!(view.mine.as_ref().unwrap().eligible);
    assert_eq!(view.challenges.len(), 1);
    assert_eq!(
        view.challenges[0].state,
        charter_domain::ChallengeState::Upheld
    );
    assert_ne!(view.roll.current_hash, view.roll.frozen_hash);
    let check = july.check_roll(id).await.unwrap();
    assert!(
        check.frozen_hash_matches && check.current_hash_matches,
        "{check:?}"
    );
    assert_eq!(check.lines, w.members.len());

    // After the window closes, no more challenges.
    let later = app_on(&w.store, d(2017, 8, 1));
    let lapsed = actor(&later, w.lapsed).await;
    match later.lodge_challenge(&lapsed, id, "I paid").await {
        Err(AppError::Conflict { message, .. }) => assert!(message.contains("closed"), "{message}"),
        other => panic!("expected the window to be closed, got {other:?}"),
    }
    let kinds: Vec<String> = w
        .store
        .events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("roll."))
        .collect();
    assert_eq!(
        kinds,
        [
            "roll.frozen",
            "roll.frozen",
            "roll.challenged",
            "roll.challenge_decided"
        ]
    );
}
