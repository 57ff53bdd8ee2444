//! The story as a test (S1–S3): a founding constitution in 2016, an amendment from
//! 2017-07-01 restricting votes and offices to verified members of another party, a hasty
//! attempt to adopt it refused, and adoption by the full procedure.

mod common;

use charter_rules::{
    Context, DecisionKind, DecisionRecord, Forum, Key, Right, RollSpec, build_roll,
    check_amendment_adoption, check_decision, diff, impact_preview,
};
use common::*;

fn branch_meeting(m: &charter_rules::MemberFacts) -> Forum {
    Forum::new(Context::BranchMeeting, Some(m.home_branch))
}

fn special_conference(notice: chrono::NaiveDate, on: chrono::NaiveDate) -> DecisionRecord {
    DecisionRecord {
        body: Key::parse("conference").unwrap(),
        meeting_kind: Key::parse("special-conference").unwrap(),
        notice_sent_on: Some(notice),
        meeting_on: on,
        members_entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    }
}

#[test]
fn before_the_cut_off_an_unaffiliated_paid_up_member_may_vote() {
    let h = history();
    let m = member();
    let on = d(2017, 6, 30);
    let c = h.in_force(on).unwrap();
    assert_eq!(c.version(), "founding constitution 2016");
    let v = c.decide(&m, Right::Vote, &branch_meeting(&m), on);
    assert!(v.allowed, "{}", v.reason);
    assert_eq!(v.clauses.len(), 1);
    assert_eq!(v.clauses[0].as_str(), "4.1");
}

#[test]
fn after_the_cut_off_they_may_attend_and_speak_but_not_vote_and_the_new_clause_says_why() {
    let h = history();
    let m = member();
    let on = d(2017, 7, 1);
    let c = h.in_force(on).unwrap();
    assert_eq!(c.version(), "2017 amendment");
    let forum = branch_meeting(&m);
    assert!(c.decide(&m, Right::Attend, &forum, on).allowed);
    assert!(c.decide(&m, Right::Speak, &forum, on).allowed);
    let vote = c.decide(&m, Right::Vote, &forum, on);
    assert!(!vote.allowed);
    assert_eq!(
        vote.clauses.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["4.3"]
    );
    assert!(
        vote.reason
            .starts_with("clause 4.3: only verified members of the Socialist Alliance Party"),
        "{}",
        vote.reason
    );
    assert!(vote.reason.contains("2017-07-01"), "{}", vote.reason);
    let stand = c.decide(&m, Right::Stand, &Forum::national(Context::Conference), on);
    assert!(!stand.allowed);

    // A verified member of the party keeps the vote; an unverified claim is not enough.
    assert!(
        c.decide(&affiliated(member(), true), Right::Vote, &forum, on)
            .allowed
    );
    assert!(
        !c.decide(&affiliated(member(), false), Right::Vote, &forum, on)
            .allowed
    );
}

#[test]
fn explanations_read_as_members_will_see_them() {
    let h = history();
    let lapsed = charter_rules::MemberFacts {
        paid_up_until: Some(d(2017, 1, 31)),
        ..member()
    };
    let mut out = String::new();
    for (who, m) in [
        ("unaffiliated", member()),
        ("verified", affiliated(member(), true)),
        ("lapsed dues", lapsed),
    ] {
        for on in [d(2017, 6, 30), d(2017, 7, 1)] {
            let c = h.in_force(on).unwrap();
            out.push_str(&format!("## {who}, {on} ({})\n", c.version()));
            for r in c.rights_of(&m, on) {
                if matches!(r.context, Context::BranchMeeting | Context::Committee(_)) {
                    let clauses: Vec<&str> = r.clauses.iter().map(|c| c.as_str()).collect();
                    out.push_str(
                        &format!(
                            "{} {} {}: {} [{}] {}\n",
                            if r.allowed { "yes" } else { "no " },
                            r.context,
                            r.right,
                            r.reason,
                            clauses.join(", "),
                            ""
                        )
                        .replace(" \n", "\n"),
                    );
                }
            }
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_hasty_meeting_with_two_days_notice_cannot_adopt_the_amendment() {
    let founding = founding();
    let amendment = amendment();
    let hasty = special_conference(d(2017, 5, 1), d(2017, 5, 4));
    let err = check_amendment_adoption(&founding, &amendment, &hasty).unwrap_err();
    let clauses: Vec<&str> = err.clauses().iter().map(|c| c.as_str()).collect();
    assert_eq!(clauses, ["7.1"]);
    let text = err.to_string();
    assert!(text.contains("14 clear days' notice"), "{text}");
    assert!(text.contains("gave 2"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn adoption_by_the_full_procedure_succeeds_and_takes_effect_on_its_date() {
    let founding = founding();
    let amendment = amendment();
    let full = special_conference(d(2017, 5, 20), d(2017, 6, 10));
    let adopted = check_amendment_adoption(&founding, &amendment, &full).unwrap();
    assert_eq!(adopted.takes_effect, d(2017, 7, 1));
    assert_eq!(adopted.adopted_on, d(2017, 6, 10));
    assert!(
        adopted
            .checks
            .iter()
            .any(|c| c.clause.as_ref().is_some_and(|c| c.as_str() == "6.2"))
    );
}

#[test]
fn each_skipped_step_is_refused_with_its_clause() {
    let founding = founding();
    let amendment = amendment();
    let good = special_conference(d(2017, 5, 20), d(2017, 6, 10));

    let wrong_body = DecisionRecord {
        body: Key::parse("national-committee").unwrap(),
        meeting_kind: Key::parse("committee-meeting").unwrap(),
        members_entitled: 12,
        present: 9,
        votes_for: 9,
        votes_against: 0,
        abstentions: 0,
        ..good.clone()
    };
    let err = check_amendment_adoption(&founding, &amendment, &wrong_body).unwrap_err();
    assert!(
        err.to_string()
            .contains("only by the conference; this was decided by the national committee"),
        "{err}"
    );

    let inquorate = DecisionRecord {
        present: 80,
        votes_for: 60,
        votes_against: 20,
        abstentions: 0,
        ..good.clone()
    };
    let err = check_amendment_adoption(&founding, &amendment, &inquorate).unwrap_err();
    assert_eq!(
        err.clauses().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["6.2"]
    );

    let short = DecisionRecord {
        votes_for: 500,
        votes_against: 360,
        ..good.clone()
    };
    let err = check_amendment_adoption(&founding, &amendment, &short).unwrap_err();
    assert!(
        err.to_string()
            .contains("at least two thirds of the votes cast: 500 for out of 860"),
        "{err}"
    );

    let retroactive = DecisionRecord {
        notice_sent_on: Some(d(2017, 6, 10)),
        meeting_on: d(2017, 7, 2),
        ..good.clone()
    };
    let err = check_amendment_adoption(&founding, &amendment, &retroactive).unwrap_err();
    assert!(
        err.to_string()
            .contains("may not take effect before it is adopted"),
        "{err}"
    );
}

#[test]
fn a_branch_meeting_cannot_dissolve_the_elected_committees() {
    let founding = founding();
    let record = DecisionRecord {
        body: Key::parse("branch-meeting").unwrap(),
        meeting_kind: Key::parse("general-meeting").unwrap(),
        notice_sent_on: Some(d(2017, 4, 1)),
        meeting_on: d(2017, 4, 20),
        members_entitled: 300,
        present: 40,
        votes_for: 30,
        votes_against: 5,
        abstentions: 5,
    };
    let err = check_decision(&founding, DecisionKind::DissolveBody, &record).unwrap_err();
    assert_eq!(
        err.clauses().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["6.3"]
    );
    let ok = check_decision(&founding, DecisionKind::OrdinaryMotion, &record).unwrap();
    assert_eq!(ok.checks.len(), 4);
}

#[test]
fn the_diff_names_the_new_clause_and_the_dissolved_committees() {
    let out = diff(&founding(), &amendment()).to_string();
    insta::assert_snapshot!(out);
}

#[test]
fn the_impact_preview_counts_who_loses_the_vote() {
    let members = generate(21_000, 2017);
    let (old, new) = (founding(), amendment());
    let impact = impact_preview(&old, &new, &members, d(2017, 7, 1));
    let vote = impact
        .rights
        .iter()
        .find(|r| r.context == Context::BranchMeeting && r.right == Right::Vote)
        .unwrap();
    let direct = members
        .iter()
        .filter(|m| {
            let forum = branch_meeting(m);
            old.allows(m, Right::Vote, &forum, d(2017, 7, 1))
                && !new.allows(m, Right::Vote, &forum, d(2017, 7, 1))
        })
        .count();
    assert_eq!(vote.total.lose as usize, direct);
    assert_eq!(
        vote.by_branch.values().map(|c| c.lose).sum::<u32>(),
        vote.total.lose
    );
    assert_eq!(impact.bodies_dissolved.len(), 2);
    insta::assert_snapshot!(impact.summary().join("\n"));
}

#[test]
fn the_fixtures_round_trip_through_the_file_format() {
    for c in [founding(), amendment()] {
        let again = charter_rules::Constitution::from_toml(&c.to_toml()).unwrap();
        assert_eq!(again, c);
    }
}

#[test]
fn the_conference_roll_on_the_cut_off_excludes_the_unaffiliated_member_citing_the_new_clause() {
    let h = history();
    let members = vec![member(), {
        let mut m = affiliated(member(), true);
        m.member = charter_domain::MemberId(2);
        m
    }];
    let spec = |on| RollSpec {
        forum: Forum::national(Context::Conference),
        right: Right::Vote,
        cutoff: on,
    };
    let before = build_roll(
        h.in_force(d(2017, 6, 30)).unwrap(),
        &spec(d(2017, 6, 30)),
        &members,
    );
    assert_eq!(before.eligible(), 2);
    let after = build_roll(
        h.in_force(d(2017, 7, 1)).unwrap(),
        &spec(d(2017, 7, 1)),
        &members,
    );
    assert_eq!(after.eligible(), 1);
    let off = &after.lines[0];
    assert!(!off.eligible);
    let why = &after.reasons[off.why.unwrap()];
    assert_eq!(why.clauses, ["4.3"]);
    assert!(
        why.reason.contains("Socialist Alliance Party"),
        "{}",
        why.reason
    );
    assert_ne!(before.hash, after.hash);
}
