//! Properties of the one-step methods over random ranked ballots.

use charter_count::methods::condorcet::{Pairwise, condorcet};
use charter_count::methods::{approval, plurality, schulze};
use charter_count::model::{Ballot, Candidate, CandidateId, Election};
use proptest::prelude::*;

fn election() -> impl Strategy<Value = Election> {
    (2usize..7, 1u32..4).prop_flat_map(|(n, seats)| {
        let ranking = Just((0..n as u32).map(CandidateId).collect::<Vec<_>>())
            .prop_shuffle()
            .prop_flat_map(move |order| (Just(order), 0..=n))
            .prop_map(|(order, len)| {
                order
                    .into_iter()
                    .take(len)
                    .map(|c| vec![c])
                    .collect::<Vec<_>>()
            });
        let ballots = proptest::collection::vec((1u64..20, ranking), 1..25);
        ballots.prop_map(move |b| Election {
            title: String::new(),
            seats,
            candidates: (0..n)
                .map(|i| Candidate {
                    name: format!("C{i}"),
                    nick: None,
                    withdrawn: false,
                })
                .collect(),
            ballots: b
                .into_iter()
                .map(|(weight, ranks)| Ballot { weight, ranks })
                .collect(),
        })
    })
}

proptest! {
    #[test]
    fn schulze_elects_the_condorcet_winner(e in election()) {
        if let Some(w) = condorcet(&e, &Pairwise::new(&e)).winner {
            let r = schulze::count(&e, 3);
            prop_assert_eq!(r.elected[0], w);
        }
    }

    #[test]
    fn schulze_never_elects_the_condorcet_loser_first(e in election()) {
        if let Some(l) = condorcet(&e, &Pairwise::new(&e)).loser {
            prop_assert_ne!(schulze::count(&e, 3).elected[0], l);
        }
    }

    #[test]
    fn results_do_not_depend_on_ballot_order(e in election(), seed in any::<u64>()) {
        let mut rev = e.clone();
        rev.ballots.reverse();
        prop_assert_eq!(plurality::count(&e, seed).elected, plurality::count(&rev, seed).elected);
        prop_assert_eq!(approval::count(&e, seed).elected, approval::count(&rev, seed).elected);
        prop_assert_eq!(schulze::count(&e, seed).elected, schulze::count(&rev, seed).elected);
    }

    #[test]
    fn fills_every_seat_it_can_and_no_more(e in election(), seed in any::<u64>()) {
        let want = (e.seats as usize).min(e.candidates.len());
        for r in [plurality::count(&e, seed), approval::count(&e, seed), schulze::count(&e, seed)] {
            prop_assert_eq!(r.elected.len(), want, "{}", r.method);
            let mut uniq = r.elected.clone();
            uniq.sort();
            uniq.dedup();
            prop_assert_eq!(uniq.len(), want);
        }
    }

    #[test]
    fn a_majority_of_first_preferences_wins_plurality(e in election()) {
        let total = e.total_votes();
        let mut first = vec![0u64; e.candidates.len()];
        for b in &e.ballots {
            if let Some(g) = b.ranks.first() {
                first[g[0].index()] += b.weight;
            }
        }
        if let Some(w) = first.iter().position(|&f| 2 * f > total) {
            prop_assert_eq!(plurality::count(&e, 0).elected[0], CandidateId(w as u32));
        }
    }
}
