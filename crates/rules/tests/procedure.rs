//! Procedure beyond the story: requisitions, deadlines, terms, business, ballots and
//! elections, and records that cannot bind.

mod common;

use charter_rules::{
    BallotRule, CountMethod, DecisionKind, DecisionRecord, Key, MotionResult, check_decision,
    check_requisition, motion_result,
};
use common::*;

fn key(s: &str) -> Key {
    Key::parse(s).unwrap()
}

fn general_meeting() -> DecisionRecord {
    DecisionRecord {
        body: key("branch-meeting"),
        meeting_kind: key("general-meeting"),
        notice_sent_on: Some(d(2017, 3, 1)),
        meeting_on: d(2017, 3, 16),
        members_entitled: 260,
        present: 30,
        votes_for: 20,
        votes_against: 8,
        abstentions: 2,
    }
}

#[test]
fn ten_branches_or_five_percent_can_force_a_special_conference() {
    let c = founding();
    let sc = key("special-conference");
    assert!(check_requisition(&c, &sc, 0, 21_000, 10).is_ok());
    assert!(check_requisition(&c, &sc, 1_050, 21_000, 0).is_ok());
    let refused = check_requisition(&c, &sc, 1_049, 21_000, 9).unwrap_err();
    assert_eq!(refused.clause.unwrap().as_str(), "6.4");
    assert!(
        refused
            .reason
            .contains("1,050 members needed, 1,049 signed"),
        "{}",
        refused.reason
    );
    assert!(check_requisition(&c, &key("annual-conference"), 21_000, 21_000, 80).is_err());
}

/// A requisition clause may name the bodies that must call the meeting; each must be a body
/// of the constitution, and a version written out reads back the same.
#[test]
fn a_requisition_names_the_bodies_that_must_call_it() {
    let text = include_str!("../fixtures/founding-2016.toml");
    let naming = |bodies: &str| {
        text.replace(
            "branches = 10\n",
            &format!("branches = 10\ncalled_by = [{bodies}]\n"),
        )
    };
    let c = charter_rules::Constitution::from_toml(&naming("\"national-committee\"")).unwrap();
    let (clause, r) = c.requisition_for(&key("special-conference")).unwrap();
    assert_eq!(clause.as_str(), "6.4");
    assert_eq!(r.called_by, vec![key("national-committee")]);
    assert_eq!(
        r.describe(),
        "5% of the members or 10 branches can require a special conference, which the national committee must call"
    );
    let again = charter_rules::Constitution::from_toml(&c.to_toml()).unwrap();
    assert_eq!(
        again.requisition_for(&key("special-conference")).unwrap().1,
        r
    );
    assert!(
        founding()
            .requisition_for(&key("special-conference"))
            .unwrap()
            .1
            .called_by
            .is_empty()
    );
    let err = charter_rules::Constitution::from_toml(&naming("\"ghosts\"")).unwrap_err();
    assert!(
        err.to_string().contains(
            "the requisition names 'ghosts' to call it, which is no body of this constitution"
        ),
        "{err}"
    );
}

#[test]
fn appeal_deadlines_and_terms_come_from_their_clauses() {
    let c = founding();
    let (clause, due) = c.deadline(&key("appeal"), d(2017, 8, 1)).unwrap();
    assert_eq!((clause.as_str(), due), ("8.1", d(2017, 8, 29)));
    let (clause, term) = c.term_of(&key("steering-committee")).unwrap();
    assert_eq!(
        (clause.as_str(), term.to_string().as_str()),
        ("5.5", "1 year")
    );
    assert_eq!(c.term_of(&key("chair")).unwrap().0.as_str(), "5.6");
    assert_eq!(c.grace_days(), 31);
    assert_eq!(c.grace_clause().unwrap().as_str(), "3.2");
}

#[test]
fn a_quorate_majority_at_a_properly_called_meeting_binds() {
    let b = check_decision(
        &founding(),
        DecisionKind::OrdinaryMotion,
        &general_meeting(),
    )
    .unwrap();
    let found: Vec<String> = b.checks.iter().map(|c| c.finding.clone()).collect();
    insta::assert_snapshot!(found.join("\n"));
}

#[test]
fn every_failing_step_is_reported_not_only_the_first() {
    let r = DecisionRecord {
        notice_sent_on: None,
        present: 20,
        votes_for: 10,
        votes_against: 10,
        abstentions: 0,
        ..general_meeting()
    };
    let err = check_decision(&founding(), DecisionKind::OrdinaryMotion, &r).unwrap_err();
    assert_eq!(err.failures.len(), 3, "{err}");
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn inconsistent_records_and_unknown_meetings_never_bind() {
    let too_many = DecisionRecord {
        votes_for: 40,
        ..general_meeting()
    };
    assert!(check_decision(&founding(), DecisionKind::OrdinaryMotion, &too_many).is_err());
    let unknown = DecisionRecord {
        meeting_kind: key("pub-quiz"),
        ..general_meeting()
    };
    let err = check_decision(&founding(), DecisionKind::OrdinaryMotion, &unknown).unwrap_err();
    assert!(
        err.to_string()
            .contains("no clause says what notice a pub quiz needs"),
        "{err}"
    );
    let before = DecisionRecord {
        meeting_on: d(2016, 1, 5),
        notice_sent_on: Some(d(2015, 12, 1)),
        ..general_meeting()
    };
    assert!(check_decision(&founding(), DecisionKind::OrdinaryMotion, &before).is_err());
    let no_votes = DecisionRecord {
        votes_for: 0,
        votes_against: 0,
        abstentions: 0,
        ..general_meeting()
    };
    assert!(check_decision(&founding(), DecisionKind::OrdinaryMotion, &no_votes).is_err());
}

#[test]
fn a_vote_is_adopted_rejected_or_not_binding() {
    let c = founding();
    let adopted = motion_result(&c, DecisionKind::OrdinaryMotion, &general_meeting());
    assert!(matches!(adopted, MotionResult::Adopted(_)), "{adopted:?}");
    // A properly held meeting that votes it down decided: rejected, citing the threshold.
    let lost = DecisionRecord {
        votes_for: 8,
        votes_against: 20,
        ..general_meeting()
    };
    match motion_result(&c, DecisionKind::OrdinaryMotion, &lost) {
        MotionResult::Rejected(f) => assert!(f.reason.starts_with("it needs"), "{f}"),
        other => panic!("expected rejected, got {other:?}"),
    }
    // The story: a committee called on 2 days' notice "dissolves" bodies it cannot dissolve.
    let hasty = DecisionRecord {
        body: key("steering-committee"),
        meeting_kind: key("committee-meeting"),
        notice_sent_on: Some(d(2017, 8, 13)),
        meeting_on: d(2017, 8, 16),
        members_entitled: 7,
        present: 6,
        votes_for: 6,
        votes_against: 0,
        abstentions: 0,
    };
    match motion_result(&amendment(), DecisionKind::DissolveBody, &hasty) {
        MotionResult::NotBinding(nb) => {
            let text = nb.to_string();
            assert_eq!(nb.failures.len(), 2, "{text}");
            assert!(text.contains("7 clear days"), "{text}");
            assert!(
                text.contains("conference"),
                "only conference may dissolve a body: {text}"
            );
        }
        other => panic!("expected not binding, got {other:?}"),
    }
}

#[test]
fn motions_and_amendments_are_due_clear_days_before_the_meeting() {
    let c = founding();
    let (clause, b) = c.business_for(&key("general-meeting")).unwrap();
    assert_eq!(clause.as_str(), "6.5");
    assert!(b.seconder);
    assert_eq!(b.amendment_depth, 2);
    // 14 clear days before the 16th: the 1st is the last day a motion may come in.
    assert_eq!(b.motions_due(d(2017, 3, 16)), d(2017, 3, 1));
    assert_eq!(b.amendments_due(d(2017, 3, 16)), d(2017, 3, 8));
    assert_eq!(
        charter_rules::clear_days(b.motions_due(d(2017, 3, 16)), d(2017, 3, 16)),
        14
    );
    let committee = c.business_for(&key("committee-meeting")).unwrap().1;
    assert_eq!(committee.motions_due(d(2017, 8, 17)), d(2017, 8, 14));
    assert!(c.business_for(&key("tea-party")).is_none());
    assert!(b.describe().contains("14 clear days"), "{}", b.describe());
    assert!(b.describe().contains("seconded"), "{}", b.describe());
}

#[test]
fn business_for_a_meeting_is_set_once() {
    let twice = format!(
        "{}\n[[clause]]\nnumber = \"9.9\"\ntext = \"Again.\"\n[[clause.business]]\nmeeting = \"general-meeting\"\nmotions_clear_days = 1\namendments_clear_days = 1\n",
        include_str!("../fixtures/founding-2016.toml")
    );
    let err = charter_rules::Constitution::from_toml(&twice).unwrap_err();
    assert!(
        err.to_string().contains("business of a general meeting"),
        "{err}"
    );
}

#[test]
fn both_versions_run_ballots_by_clause_6_7() {
    for c in [founding(), amendment()] {
        let (clause, b) = c.ballot_rule().unwrap();
        assert_eq!(clause.as_str(), "6.7");
        assert_eq!(
            b,
            &BallotRule {
                scrutineer: Some(key("scrutineer")),
                ..BallotRule::default()
            }
        );
        assert_eq!(b.election_method, CountMethod::ScottishStv);
        // The steering committee's five seats by STV; a single seat by IRV.
        assert_eq!(b.method_for(5), "scottish-stv");
        assert_eq!(b.method_for(1), "irv");
        let (clause, n) = c.nomination_for(&key("steering-committee")).unwrap();
        assert_eq!(clause.as_str(), "6.7");
        assert_eq!((n.nominators, n.window_days, n.withdrawal_days), (2, 14, 2));
        // Voting opens on 1 May: the 29th and 30th April are the two clear days.
        assert_eq!(n.withdrawal_due(d(2017, 5, 1)), d(2017, 4, 28));
        // The National Council is appointed, and conference is open to all: no nominations.
        assert!(c.nomination_for(&key("national-council")).is_none());
        assert!(c.nomination_for(&key("conference")).is_none());
    }
    // Every elected committee of 2016 takes nominations; 2017 dissolved two of them.
    let founding = founding();
    for body in ["national-committee", "regional-committee"] {
        assert_eq!(
            founding.nomination_for(&key(body)).unwrap().0.as_str(),
            "6.7"
        );
        assert!(amendment().nomination_for(&key(body)).is_none());
    }
}

#[test]
fn procedural_motions_carry_by_their_own_thresholds() {
    let c = founding();
    let record = |f: u32, a: u32| DecisionRecord {
        votes_for: f,
        votes_against: a,
        abstentions: 0,
        ..general_meeting()
    };
    // The closure needs two thirds; next business a simple majority (clause 6.6).
    assert!(matches!(
        motion_result(&c, DecisionKind::Closure, &record(19, 10)),
        MotionResult::Rejected(f) if f.clause.as_ref().unwrap().as_str() == "6.6"
    ));
    assert!(matches!(
        motion_result(&c, DecisionKind::Closure, &record(20, 10)),
        MotionResult::Adopted(_)
    ));
    assert!(matches!(
        motion_result(&c, DecisionKind::NextBusiness, &record(16, 14)),
        MotionResult::Adopted(_)
    ));
    assert!(matches!(
        motion_result(&c, DecisionKind::AdmitEmergencyMotion, &record(16, 14)),
        MotionResult::Rejected(_)
    ));
    for k in DecisionKind::PROCEDURAL {
        assert!(k.is_procedural());
        assert!(c.threshold_for(k).is_some(), "{k} has a threshold");
    }
    assert!(DecisionKind::Rescind.needs_target() && !DecisionKind::Rescind.is_procedural());
    assert!(!DecisionKind::Adjourn.needs_target());
    assert_eq!(
        DecisionKind::parse("refer-back").unwrap(),
        DecisionKind::ReferBack
    );
    assert!(
        DecisionKind::parse("filibuster")
            .unwrap_err()
            .to_string()
            .contains("next-business")
    );
}
