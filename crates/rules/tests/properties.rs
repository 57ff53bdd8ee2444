//! Properties of the engine over generated members, conditions and constitutions.

mod common;

use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId};
use charter_rules::{
    Affiliation, BallotRule, Clause, ClauseRef, Constitution, Context, ContextPattern, CountMethod,
    Effect, Expr, Filling, Forum, History, Key, MemberFacts, NominationRule, Right, RightRule,
    RollSpec, build_roll, impact_preview, roll_hash,
};
use common::*;
use proptest::prelude::*;

fn any_status() -> impl Strategy<Value = MemberStatus> {
    proptest::sample::select(MemberStatus::ALL.to_vec())
}

fn any_member() -> impl Strategy<Value = MemberFacts> {
    (
        any_status(),
        proptest::option::of(0u64..900),
        0u64..900,
        proptest::collection::vec((prop::bool::ANY, prop::bool::ANY), 0..3),
        0i64..6,
        proptest::collection::vec(proptest::sample::select(OfficeKind::ALL.to_vec()), 0..2),
        proptest::collection::vec(
            proptest::sample::select(vec![
                "national-committee",
                "steering-committee",
                "national-council",
            ]),
            0..2,
        ),
    )
        .prop_map(
            |(status, paid, joined, affs, branch, offices, seats)| MemberFacts {
                member: MemberId(1),
                status,
                paid_up_until: paid.map(|p| d(2016, 1, 1) + chrono::Days::new(p)),
                joined_on: d(2016, 1, 1) + chrono::Days::new(joined),
                affiliations: affs
                    .into_iter()
                    .map(|(ours, verified)| Affiliation {
                        organisation: if ours {
                            PARTY.into()
                        } else {
                            "Green Club".into()
                        },
                        verified,
                    })
                    .collect(),
                home_branch: UnitId(10 + branch),
                home_region: Some(UnitId(branch / 3)),
                offices,
                seats: seats.into_iter().map(|s| Key::parse(s).unwrap()).collect(),
            },
        )
}

fn any_date() -> impl Strategy<Value = chrono::NaiveDate> {
    (0u64..1200).prop_map(|n| d(2015, 6, 1) + chrono::Days::new(n))
}

fn any_atom() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "paid_up".to_string(),
        "status is active".into(),
        "status is not suspended".into(),
        "lapsed".into(),
        "member_for >= 90 days".into(),
        "member_for < 1 year".into(),
        "member_for = 6 months".into(),
        "affiliated".into(),
        "affiliated(\"Socialist Alliance Party\")".into(),
        "affiliated(\"socialist  alliance party\", verified)".into(),
        "holds office".into(),
        "holds office(chair)".into(),
        "holds seat".into(),
        "home unit within context".into(),
        "true".into(),
        "false".into(),
    ])
}

/// Conditions built from the grammar, so the round-trip and evaluation properties see
/// nesting, negation and both operators.
fn any_condition() -> impl Strategy<Value = String> {
    any_atom().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or {b}")),
            inner.clone().prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn any_forum() -> impl Strategy<Value = Forum> {
    prop_oneof![
        (0i64..6).prop_map(|b| Forum::new(Context::BranchMeeting, Some(UnitId(10 + b)))),
        Just(Forum::national(Context::Conference)),
        Just(Forum::national(Context::MemberBallot)),
        Just(Forum::national(Context::Committee(
            Key::parse("steering-committee").unwrap()
        ))),
    ]
}

fn with_restriction(
    base: &Constitution,
    rights: Vec<Right>,
    pattern: ContextPattern,
    cond: Expr,
) -> Constitution {
    let mut clauses = base.clauses().to_vec();
    let mut c = Clause::new(ClauseRef::parse("99.1").unwrap(), "Added restriction", "");
    c.rights.push(RightRule {
        effect: Effect::Restrict,
        rights,
        contexts: vec![pattern],
        condition: cond,
        says: None,
    });
    clauses.push(c);
    Constitution::new(
        base.name(),
        "with restriction",
        base.effective(),
        base.adopted_by().clone(),
        clauses,
    )
    .unwrap()
}

/// Any ballot rule a version may hold: every method, except IRV for several seats.
fn any_ballot_rule() -> impl Strategy<Value = BallotRule> {
    let several: Vec<CountMethod> = CountMethod::ALL
        .into_iter()
        .filter(|m| !m.single_seat_only())
        .collect();
    (
        proptest::sample::select(several),
        proptest::sample::select(CountMethod::ALL.to_vec()),
        prop::bool::ANY,
        1u32..,
        any::<u32>(),
        proptest::option::of(
            proptest::sample::select(OfficeKind::ALL.to_vec())
                .prop_map(|o| Key::parse(o.as_str()).unwrap()),
        ),
    )
        .prop_map(
            |(
                election_method,
                single_seat_method,
                later_vote_replaces,
                window_days,
                roll_challenge_days,
                scrutineer,
            )| BallotRule {
                election_method,
                single_seat_method,
                later_vote_replaces,
                window_days,
                roll_challenge_days,
                scrutineer,
                // Every day of the window but the first, latest first, at most three.
                reminder_days: (1..window_days).rev().take(3).collect(),
                trustees: None,
            },
        )
}

/// `base` with its own ballot and nomination rules taken out and these put in a clause of
/// their own.
fn with_ballot_rules(
    base: &Constitution,
    ballot: BallotRule,
    nominations: Vec<NominationRule>,
) -> Result<Constitution, charter_rules::ConstitutionError> {
    let mut clauses = base.clauses().to_vec();
    for c in &mut clauses {
        c.ballots.clear();
        c.nominations.clear();
    }
    let mut c = Clause::new(ClauseRef::parse("99.2").unwrap(), "Ballots", "Generated.");
    c.ballots.push(ballot);
    c.nominations = nominations;
    clauses.push(c);
    Constitution::new(
        base.name(),
        "with ballots",
        base.effective(),
        base.adopted_by().clone(),
        clauses,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics_on_any_text(s in "\\PC{0,200}") {
        let _ = Expr::parse(&s);
    }

    #[test]
    fn the_parser_never_panics_on_near_misses(s in "[a-z_ ()\",=<>!0-9]{0,120}") {
        if let Err(e) = Expr::parse(&s) {
            prop_assert!(e.column >= 1 && e.column <= s.chars().count() + 1, "{e} for {s:?}");
        }
    }

    #[test]
    fn conditions_print_back_to_the_same_tree(src in any_condition()) {
        let e = Expr::parse(&src).unwrap();
        let printed = e.to_string();
        prop_assert_eq!(Expr::parse(&printed).unwrap(), e, "{}", printed);
    }

    #[test]
    fn adding_a_restriction_never_grants_a_right(
        m in any_member(), forum in any_forum(), on in any_date(), cond in any_condition(),
        rights in proptest::collection::vec(proptest::sample::select(Right::ALL.to_vec()), 1..4),
        any in prop::bool::ANY,
    ) {
        for base in [founding(), amendment()] {
            let pattern = if any { ContextPattern::Any } else { ContextPattern::Exactly(forum.context.clone()) };
            let restricted = with_restriction(&base, rights.clone(), pattern, Expr::parse(&cond).unwrap());
            for r in Right::ALL {
                let after = restricted.decide(&m, r, &forum, on);
                if after.allowed {
                    prop_assert!(base.allows(&m, r, &forum, on));
                }
            }
        }
    }

    #[test]
    fn evaluation_is_deterministic_and_the_fast_path_agrees(m in any_member(), forum in any_forum(), on in any_date()) {
        for c in [founding(), amendment()] {
            for r in Right::ALL {
                let a = c.decide(&m, r, &forum, on);
                let b = c.decide(&m, r, &forum, on);
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(a.allowed, c.allows(&m, r, &forum, on));
                // Every refusal names a clause, or says that none gives the right.
                if !a.allowed {
                    prop_assert!(!a.clauses.is_empty() || a.reason.starts_with("no clause gives"), "{}", a.reason);
                }
                for cl in &a.clauses {
                    prop_assert!(a.reason.contains(&format!("clause {cl}")), "{}", a.reason);
                }
            }
        }
    }

    #[test]
    fn any_valid_ballot_rule_round_trips_through_the_file(
        ballot in any_ballot_rule(),
        nominated in proptest::sample::subsequence(vec![0usize, 1, 2], 0..=3),
        nominators in 1u32..,
        window_days in 1u32..,
        withdrawal_days in any::<u32>(),
    ) {
        for base in [founding(), amendment()] {
            // One nomination rule for some of the version's elected bodies with seats.
            let elected: Vec<Key> = base
                .bodies()
                .filter(|(_, b)| b.is_committee() && matches!(b.filled, Filling::ElectedBy(_)))
                .map(|(_, b)| b.key.clone())
                .collect();
            let nominations: Vec<NominationRule> = nominated
                .iter()
                .filter_map(|&i| elected.get(i))
                .map(|body| NominationRule { body: body.clone(), nominators, window_days, withdrawal_days })
                .collect();
            let c = with_ballot_rules(&base, ballot.clone(), nominations.clone()).unwrap();
            let text = c.to_toml();
            let again = Constitution::from_toml(&text).unwrap();
            prop_assert_eq!(&again, &c, "{}", text);
            prop_assert_eq!(again.ballot_rule().map(|(_, b)| b), Some(&ballot));
            for n in &nominations {
                prop_assert_eq!(again.nomination_for(&n.body).map(|(_, x)| x), Some(n));
            }
        }
    }

    #[test]
    fn irv_for_several_seats_is_refused_whatever_else_the_rule_says(ballot in any_ballot_rule()) {
        let irv = BallotRule { election_method: CountMethod::Irv, ..ballot };
        let err = with_ballot_rules(&founding(), irv, Vec::new()).unwrap_err().to_string();
        prop_assert!(err.starts_with("clause 99.2, ballot 1: election_method: irv fills one seat only"), "{}", err);
    }

    #[test]
    fn a_version_never_applies_before_its_effective_date(on in any_date(), shift in 0u64..800) {
        let founding = founding();
        let later = Constitution::new(
            "later", "later", d(2016, 3, 13) + chrono::Days::new(shift),
            founding.adopted_by().clone(), founding.clauses().to_vec(),
        ).unwrap();
        let h = History::new(vec![later.clone(), founding.clone()]).unwrap();
        match h.in_force(on) {
            None => prop_assert!(on < founding.effective()),
            Some(v) => {
                prop_assert!(v.effective() <= on);
                if later.effective() <= on { prop_assert_eq!(v.version(), "later"); }
            }
        }
    }

}

proptest! {
    // Each case previews a whole generated register, so fewer cases cover it.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn impact_counts_equal_a_direct_count(seed in 0u64..1000, n in 0usize..200, on in any_date()) {
        let members = generate(n, seed);
        let (old, new) = (founding(), amendment());
        let impact = impact_preview(&old, &new, &members, on);
        prop_assert_eq!(impact.members as usize, n);
        for ri in &impact.rights {
            let forum_of = |m: &MemberFacts| Forum::new(ri.context.clone(), ri.context.home_unit(m.home_branch, m.home_region));
            let before = members.iter().filter(|m| old.decide(m, ri.right, &forum_of(m), on).allowed).count();
            let lose = members.iter().filter(|m| {
                let f = forum_of(m);
                old.decide(m, ri.right, &f, on).allowed && !new.decide(m, ri.right, &f, on).allowed
            }).count();
            let gain = members.iter().filter(|m| {
                let f = forum_of(m);
                !old.decide(m, ri.right, &f, on).allowed && new.decide(m, ri.right, &f, on).allowed
            }).count();
            prop_assert_eq!(ri.total.before as usize, before);
            prop_assert_eq!(ri.total.lose as usize, lose);
            prop_assert_eq!(ri.total.gain as usize, gain);
            prop_assert_eq!(ri.total.after + ri.total.lose, ri.total.before + ri.total.gain);
            prop_assert_eq!(ri.by_branch.values().map(|c| c.lose).sum::<u32>(), ri.total.lose);
            prop_assert_eq!(ri.by_branch.values().map(|c| c.members).sum::<u32>(), n as u32);
        }
    }

    #[test]
    fn a_roll_lists_everyone_in_scope_once_and_agrees_with_the_engine(
        seed in 0u64..1000, n in 0usize..200, on in any_date(), branch_meeting in prop::bool::ANY,
    ) {
        let members = generate(n, seed);
        let c = amendment();
        let forum = if branch_meeting {
            Forum::new(Context::BranchMeeting, Some(members.first().map_or(UnitId(100), |m| m.home_branch)))
        } else {
            Forum::national(Context::Conference)
        };
        let spec = RollSpec { forum: forum.clone(), right: Right::Vote, cutoff: on };
        let roll = build_roll(&c, &spec, &members);
        let in_scope: Vec<&MemberFacts> = members.iter().filter(|m| spec.in_scope(m)).collect();
        prop_assert_eq!(roll.lines.len(), in_scope.len());
        prop_assert!(roll.lines.windows(2).all(|w| w[0].member < w[1].member));
        for m in in_scope {
            let line = roll.lines.iter().find(|l| l.member == m.member).unwrap();
            let d = c.decide_general(m, Right::Vote, &forum, on);
            prop_assert_eq!(line.eligible, d.allowed);
            prop_assert_eq!(d.allowed, c.decide(m, Right::Vote, &forum, on).allowed);
            match line.why {
                None => prop_assert!(line.eligible),
                Some(i) => {
                    prop_assert_eq!(&roll.reasons[i].reason, &d.reason);
                    let cited: Vec<String> = d.clauses.iter().map(|c| c.as_str().to_string()).collect();
                    prop_assert_eq!(&roll.reasons[i].clauses, &cited);
                }
            }
        }
        // The hash does not depend on the order the register came in.
        let mut reversed = members.clone();
        reversed.reverse();
        prop_assert_eq!(&build_roll(&c, &spec, &reversed).hash, &roll.hash);
        prop_assert_eq!(
            &roll_hash(c.version(), &spec, roll.lines.iter().map(|l| (l.member, l.branch, l.eligible))),
            &roll.hash
        );
        // Flipping any one member's line changes it.
        if let Some(first) = roll.lines.first() {
            let flipped = roll_hash(c.version(), &spec, roll.lines.iter().map(|l| {
                (l.member, l.branch, if l.member == first.member { !l.eligible } else { l.eligible })
            }));
            prop_assert_ne!(flipped, roll.hash);
        }
    }
}

fn any_delegates_rule() -> impl Strategy<Value = charter_rules::DelegatesRule> {
    (
        1u32..500,
        0u32..5,
        proptest::option::of(0u32..20),
        proptest::sample::select(charter_rules::CardVote::ALL.to_vec()),
    )
        .prop_map(
            |(per, minimum, extra, card_vote)| charter_rules::DelegatesRule {
                meeting: Key::parse("annual-conference").unwrap(),
                members_per_delegate: per,
                minimum,
                maximum: extra.map(|e| minimum.max(1) + e),
                counted_days_before: 56,
                substitutes: 2,
                card_vote,
                credentials_due_days: 14,
                challenge_days: 7,
                ruled_by: Key::parse("chair").unwrap(),
            },
        )
}

proptest! {
    /// Apportionment: no branch sends more than the clause allows (its share, its minimum,
    /// the maximum, its paid-up members), every branch with members gets its minimum as far
    /// as its members go, and more paid-up members never give fewer delegates.
    #[test]
    fn apportionment_stays_within_the_clause(
        rule in any_delegates_rule(),
        branches in proptest::collection::vec(0u64..20_000, 1..40),
        more in 0u64..5_000,
    ) {
        let mut total = 0u64;
        let mut allowed = 0u64;
        for &paid in &branches {
            let n = u64::from(rule.delegates_for(paid));
            let share = paid / u64::from(rule.members_per_delegate);
            prop_assert!(n <= paid);
            prop_assert!(n <= share.max(u64::from(rule.minimum)));
            if let Some(max) = rule.maximum {
                prop_assert!(n <= u64::from(max));
            }
            if paid > 0 {
                prop_assert!(n >= u64::from(rule.minimum).min(paid));
                prop_assert!(n >= 1 || rule.minimum == 0);
            }
            prop_assert!(rule.delegates_for(paid + more) >= rule.delegates_for(paid));
            total += n;
            allowed += share + u64::from(rule.minimum);
        }
        prop_assert!(total <= allowed);
    }

    /// Cards: a branch's cards never add up to more than its paid-up members; split among
    /// those present they add up to exactly that, and no two differ by more than one.
    #[test]
    fn cards_never_make_members(
        rule in any_delegates_rule(),
        paid in 0u64..1_000_000,
        allocated in 0u32..12,
        present in 0usize..14,
    ) {
        let cards = rule.cards(paid, allocated, present);
        prop_assert_eq!(cards.len(), present);
        let sum: u64 = cards.iter().sum();
        match rule.card_vote {
            charter_rules::CardVote::None => prop_assert_eq!(sum, present as u64),
            charter_rules::CardVote::SplitAmongPresent => {
                prop_assert_eq!(sum, if present == 0 { 0 } else { paid });
            }
            charter_rules::CardVote::PerDelegate => prop_assert!(sum <= paid),
        }
        if rule.card_vote == charter_rules::CardVote::SplitAmongPresent && present > 0 {
            let (lo, hi) = (cards.iter().min().copied(), cards.iter().max().copied());
            prop_assert!(hi.unwrap_or(0) - lo.unwrap_or(0) <= 1);
        }
    }
}
