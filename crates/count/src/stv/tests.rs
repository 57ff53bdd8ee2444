//! Hand-worked counts and properties every STV rule here must keep.

use proptest::prelude::*;

use super::*;
use crate::model::{Ballot, Candidate, CandidateId};
use crate::report::{Action, Decimal};

fn election(names: &[&str], seats: u32, ballots: &[(u64, &[u32])]) -> Election {
    Election {
        title: "test".into(),
        seats,
        candidates: names
            .iter()
            .map(|n| Candidate {
                name: n.to_string(),
                nick: None,
                withdrawn: false,
            })
            .collect(),
        ballots: ballots
            .iter()
            .map(|(w, r)| Ballot {
                weight: *w,
                ranks: r.iter().map(|&c| vec![CandidateId(c)]).collect(),
            })
            .collect(),
    }
}

fn totals(r: &Report, round: usize) -> Vec<String> {
    r.rounds[round]
        .totals
        .iter()
        .map(|d| d.to_string())
        .collect()
}

fn elected(r: &Report) -> Vec<u32> {
    r.elected.iter().map(|c| c.0).collect()
}

/// 100 papers, 2 seats: quota ⌊100/3⌋+1 = 34. A's surplus of 26 goes on at 26/60 =
/// 0.43333 (rule 48(3), remainder ignored); D, then B are excluded; C fills the last seat.
#[test]
fn scottish_hand_worked() {
    let e = election(
        &["A", "B", "C", "D"],
        2,
        &[(40, &[0, 1]), (20, &[0, 2]), (25, &[2]), (15, &[3, 1])],
    );
    let r = count(&e, StvMethod::ScottishStv, &StvOptions::default()).unwrap();
    assert_eq!(r.quota.unwrap().to_string(), "34.00000");
    assert_eq!(
        totals(&r, 0),
        ["60.00000", "0.00000", "25.00000", "15.00000"]
    );
    assert_eq!(
        r.rounds[1].action,
        Action::SurplusTransferred(CandidateId(0))
    );
    assert_eq!(
        totals(&r, 1),
        ["34.00000", "17.33320", "33.66660", "15.00000"]
    );
    assert_eq!(r.rounds[1].residual.unwrap().to_string(), "0.00020");
    assert_eq!(r.rounds[2].action, Action::Excluded(vec![CandidateId(3)]));
    assert_eq!(
        totals(&r, 2),
        ["34.00000", "32.33320", "33.66660", "0.00000"]
    );
    assert_eq!(r.rounds[3].action, Action::Excluded(vec![CandidateId(1)]));
    assert_eq!(r.rounds[3].exhausted.to_string(), "32.33320");
    assert_eq!(elected(&r), [0, 2]);
    assert!(r.tie_breaks.is_empty());
}

/// Rule 51: equal lowest now, so look at the most recent stage where they differed.
#[test]
fn scottish_exclusion_tie_looks_back() {
    // Stage 1: A 30, B 20, C 21, D 19, E 10. E out → 5 to B, 4 to C, 1 to D: B 25, C 25, D 20.
    // Stage 3: D out → all 20 to A... we only need the B/C tie: D (20) goes first, then B and C
    // are tied at 25 but differed at stage 1 (20 < 21), so B is excluded.
    let e = election(
        &["A", "B", "C", "D", "E"],
        1,
        &[
            (30, &[0]),
            (20, &[1]),
            (21, &[2]),
            (19, &[3]),
            (5, &[4, 1]),
            (4, &[4, 2]),
            (1, &[4, 3]),
        ],
    );
    let r = count(&e, StvMethod::ScottishStv, &StvOptions::default()).unwrap();
    let excluded: Vec<u32> = r
        .rounds
        .iter()
        .filter_map(|r| match &r.action {
            Action::Excluded(c) => Some(c[0].0),
            _ => None,
        })
        .collect();
    assert_eq!(&excluded[..3], [4, 3, 1]);
    assert_eq!(r.tie_breaks.len(), 1);
    assert_eq!(r.tie_breaks[0].chosen, CandidateId(1));
    assert!(r.tie_breaks[0].rule.contains("stage 1"));
}

#[test]
fn complete_tie_goes_to_a_published_lot() {
    let e = election(&["A", "B", "C"], 1, &[(3, &[0]), (3, &[1]), (5, &[2])]);
    let draws: Vec<Vec<u32>> = (0..16)
        .map(|seed| {
            let o = StvOptions {
                seed,
                ..StvOptions::default()
            };
            let r = count(&e, StvMethod::ScottishStv, &o).unwrap();
            assert_eq!(r.tie_breaks.len(), 1);
            assert!(r.tie_breaks[0].rule.contains(&format!("seed {seed}")));
            vec![r.tie_breaks[0].chosen.0]
        })
        .collect();
    assert!(draws.contains(&vec![0]) && draws.contains(&vec![1]));
    let again = count(
        &e,
        StvMethod::ScottishStv,
        &StvOptions {
            seed: 3,
            ..StvOptions::default()
        },
    )
    .unwrap();
    assert_eq!(vec![again.tie_breaks[0].chosen.0], draws[3]);
}

/// Meek's keep factors converge so each winner holds a quota; exact arithmetic agrees
/// with fixed point on who wins.
#[test]
fn meek_fixed_and_exact_agree() {
    let e = election(
        &["A", "B", "C", "D"],
        2,
        &[(40, &[0, 1]), (20, &[0, 2]), (25, &[2]), (15, &[3, 1])],
    );
    let fixed = count(&e, StvMethod::Meek, &StvOptions::default()).unwrap();
    let exact = count(
        &e,
        StvMethod::Meek,
        &StvOptions {
            meek_arithmetic: MeekArithmetic::Exact,
            ..StvOptions::default()
        },
    )
    .unwrap();
    let mut a = elected(&fixed);
    let mut b = elected(&exact);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // D (15) and then B (17.78 + 15) fall below C (25 + 8.89): A and C win.
    assert_eq!(a, [0, 2]);
}

/// Equal rankings split the ballot between the tied candidates under Meek.
#[test]
fn meek_splits_equal_rankings() {
    let mut e = election(&["A", "B", "C"], 1, &[(10, &[2])]);
    e.ballots.push(Ballot {
        weight: 12,
        ranks: vec![vec![CandidateId(0), CandidateId(1)]],
    });
    let (_, t) = meek_transcript(&e, &StvOptions::default()).unwrap();
    let text = t.render();
    assert!(text.contains("Hopeful:  A (6.000000000)"), "{text}");
    assert!(text.contains("Hopeful:  B (6.000000000)"), "{text}");
}

#[test]
fn withdrawn_candidates_are_skipped() {
    let mut e = election(&["A", "B", "C"], 1, &[(10, &[1, 0]), (8, &[2]), (3, &[0])]);
    e.candidates[1].withdrawn = true;
    for m in [
        StvMethod::ScottishStv,
        StvMethod::Meek,
        StvMethod::Wigm,
        StvMethod::Ers97,
        StvMethod::Irv,
    ] {
        let r = count(&e, m, &StvOptions::default()).unwrap();
        assert_eq!(elected(&r), [0], "{m:?}");
        assert_eq!(r.rounds[0].totals[1].units, 0, "{m:?}");
    }
}

#[test]
fn ers97_exclusive_gregory_transfers_the_last_parcel_only() {
    // Quota 100/3 = 33.34 (rounded up to hundredths). A has 60 first preferences, 40 of them
    // transferable to B: surplus 26.66 ÷ 40 papers = 0.66 each (truncated) → 26.40 to B.
    let e = election(
        &["A", "B", "C", "D"],
        2,
        &[(40, &[0, 1]), (20, &[0]), (25, &[2]), (15, &[3])],
    );
    let r = count(&e, StvMethod::Ers97, &StvOptions::default()).unwrap();
    assert_eq!(r.quota.unwrap().to_string(), "33.34");
    assert_eq!(
        r.rounds[1].action,
        Action::SurplusTransferred(CandidateId(0))
    );
    assert_eq!(totals(&r, 1), ["33.34", "26.40", "25.00", "15.00"]);
    assert_eq!(r.rounds[1].exhausted.to_string(), "0.26");
}

#[test]
fn ers97_defers_a_surplus_that_cannot_matter() {
    // Quota 33.34; A's surplus 1.66 can neither lift D (9) past E (11) nor bring C (25) to
    // the quota, so D is excluded first.
    let e = election(
        &["A", "B", "C", "D", "E"],
        2,
        &[
            (35, &[0, 1]),
            (20, &[1]),
            (25, &[2]),
            (9, &[3, 2]),
            (11, &[4]),
        ],
    );
    let r = count(&e, StvMethod::Ers97, &StvOptions::default()).unwrap();
    assert!(
        r.rounds[0].reason.contains("deferred"),
        "{}",
        r.rounds[0].reason
    );
    assert_eq!(r.rounds[1].action, Action::Excluded(vec![CandidateId(3)]));
    assert_eq!(totals(&r, 1), ["35.00", "20.00", "34.00", "0.00", "11.00"]);
}

#[test]
fn meek_exact_tie_is_drawn_and_recorded() {
    let e = election(&["A", "B", "C"], 1, &[(3, &[0]), (3, &[1]), (5, &[2])]);
    let r = count(&e, StvMethod::Meek, &StvOptions::default()).unwrap();
    assert_eq!(r.tie_breaks.len(), 1);
    let t = &r.tie_breaks[0];
    assert_eq!(t.tied, [CandidateId(0), CandidateId(1)]);
    assert!(t.rule.contains("lot, seed 0"), "{}", t.rule);
    let excluded = r
        .rounds
        .iter()
        .find_map(|r| match &r.action {
            Action::Excluded(c) => Some(c[0]),
            _ => None,
        })
        .unwrap();
    assert_eq!(excluded, t.chosen);
}

#[test]
fn scottish_equal_preferences_end_the_ballot() {
    // A paper with "2" against both B and C cannot show a next preference (rule 48: no
    // next available preference), so A's surplus on it is non-transferable.
    let mut e = election(&["A", "B", "C"], 1, &[(3, &[1]), (2, &[2])]);
    e.ballots.push(Ballot {
        weight: 6,
        ranks: vec![vec![CandidateId(0)], vec![CandidateId(1), CandidateId(2)]],
    });
    let r = count(&e, StvMethod::ScottishStv, &StvOptions::default()).unwrap();
    assert_eq!(elected(&r), [0]);
    let e2 = {
        let mut e2 = e.clone();
        e2.seats = 2;
        e2
    };
    let r = count(&e2, StvMethod::ScottishStv, &StvOptions::default()).unwrap();
    // Quota 4: A's surplus of 2 (6 papers at 0.33333) has nowhere to go.
    assert_eq!(r.rounds[1].exhausted.to_string(), "1.99998");
}

#[test]
fn irv_needs_one_seat() {
    let e = election(&["A", "B"], 2, &[(1, &[0])]);
    assert!(matches!(
        count(&e, StvMethod::Irv, &StvOptions::default()),
        Err(CountError::SingleSeatOnly { .. })
    ));
}

#[test]
fn method_names_round_trip() {
    for m in [
        StvMethod::ScottishStv,
        StvMethod::Meek,
        StvMethod::Wigm,
        StvMethod::Ers97,
        StvMethod::Irv,
    ] {
        assert_eq!(StvMethod::from_name(m.name()), Some(m));
    }
}

// ----- properties -----

fn arb_election(max_seats: u32) -> impl Strategy<Value = Election> {
    (2usize..7, 1u32..=max_seats).prop_flat_map(|(n, seats)| {
        let ranking =
            proptest::sample::subsequence((0..n as u32).collect::<Vec<_>>(), 0..=n).prop_shuffle();
        (
            Just(n),
            Just(seats.min(n as u32 - 1).max(1)),
            proptest::collection::vec((1u64..40, ranking), 1..25),
        )
            .prop_map(|(n, seats, ballots)| Election {
                title: "prop".into(),
                seats,
                candidates: (0..n)
                    .map(|i| Candidate {
                        name: format!("c{i}"),
                        nick: None,
                        withdrawn: false,
                    })
                    .collect(),
                ballots: ballots
                    .into_iter()
                    .map(|(weight, r)| Ballot {
                        weight,
                        ranks: r.into_iter().map(|c| vec![CandidateId(c)]).collect(),
                    })
                    .collect(),
            })
    })
}

const ALL: [StvMethod; 4] = [
    StvMethod::ScottishStv,
    StvMethod::Meek,
    StvMethod::Wigm,
    StvMethod::Ers97,
];

fn sum(ds: impl IntoIterator<Item = Decimal>) -> i128 {
    ds.into_iter().map(|d| d.units).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn quota_of_first_preferences_is_elected(e in arb_election(3)) {
        for m in ALL {
            let r = count(&e, m, &StvOptions::default()).unwrap();
            let q = r.rounds[0].quota.unwrap();
            for (c, t) in r.rounds[0].totals.iter().enumerate() {
                if t.units >= q.units {
                    prop_assert!(r.elected.contains(&CandidateId(c as u32)), "{:?}: {}", m, c);
                }
            }
        }
    }

    #[test]
    fn result_does_not_depend_on_ballot_order(e in arb_election(3)) {
        let mut reversed = e.clone();
        reversed.ballots.reverse();
        for m in ALL {
            let a = count(&e, m, &StvOptions::default()).unwrap();
            let b = count(&reversed, m, &StvOptions::default()).unwrap();
            prop_assert_eq!(&a.elected, &b.elected, "{:?}", m);
            let ta: Vec<_> = a.rounds.iter().map(|r| r.totals.clone()).collect();
            let tb: Vec<_> = b.rounds.iter().map(|r| r.totals.clone()).collect();
            prop_assert_eq!(ta, tb, "{:?}", m);
        }
    }

    #[test]
    fn irv_equals_single_seat_stv(mut e in arb_election(1)) {
        e.seats = 1;
        let irv = count(&e, StvMethod::Irv, &StvOptions::default()).unwrap();
        for m in [StvMethod::ScottishStv, StvMethod::Wigm] {
            let stv = count(&e, m, &StvOptions::default()).unwrap();
            prop_assert_eq!(&irv.elected, &stv.elected, "{:?}", m);
        }
    }

    #[test]
    fn every_vote_is_accounted_for(e in arb_election(3)) {
        let total = e.total_votes() as i128;
        for m in ALL.into_iter().chain([StvMethod::Irv]) {
            let mut e = e.clone();
            if m == StvMethod::Irv {
                e.seats = 1;
            }
            let r = count(&e, m, &StvOptions::default()).unwrap();
            for round in &r.rounds {
                let scale = round.exhausted.scale;
                let residual = round.residual.unwrap();
                prop_assert!(residual.units >= 0, "{:?} round {}", m, round.number);
                let all = sum(round.totals.iter().copied()) + round.exhausted.units + residual.units;
                prop_assert_eq!(all, total * 10i128.pow(scale), "{:?} round {}", m, round.number);
            }
            prop_assert!(r.elected.len() <= e.seats as usize);
            let hopefuls = e.candidates.len();
            prop_assert_eq!(r.elected.len(), (e.seats as usize).min(hopefuls));
        }
    }

    #[test]
    fn any_profile_counts_without_panicking(
        n in 1usize..6,
        seats in 1u32..4,
        withdrawn in proptest::collection::vec(any::<bool>(), 6),
        ballots in proptest::collection::vec(
            (0u64..5, proptest::collection::vec(proptest::collection::vec(0u32..6, 0..3), 0..6)),
            0..12,
        ),
    ) {
        let e = Election {
            title: "any".into(),
            seats,
            candidates: (0..n)
                .map(|i| Candidate { name: format!("c{i}"), nick: None, withdrawn: withdrawn[i] })
                .collect(),
            ballots: ballots
                .into_iter()
                .map(|(weight, ranks)| Ballot {
                    weight,
                    ranks: ranks
                        .into_iter()
                        .map(|g| g.into_iter().filter(|&c| (c as usize) < n).map(CandidateId).collect())
                        .collect(),
                })
                .collect(),
        };
        for m in ALL.into_iter().chain([StvMethod::Irv, StvMethod::Minneapolis]) {
            let mut e = e.clone();
            if m == StvMethod::Irv {
                e.seats = 1;
            }
            let r = count(&e, m, &StvOptions::default()).unwrap();
            let eligible = e.candidates.iter().filter(|c| !c.withdrawn).count();
            prop_assert_eq!(r.elected.len(), (e.seats as usize).min(eligible), "{:?}", m);
            prop_assert!(r.elected.iter().all(|c| !e.candidates[c.index()].withdrawn));
        }
    }
}
