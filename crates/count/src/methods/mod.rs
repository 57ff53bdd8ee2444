//! Methods decided in one step: plurality, approval, Condorcet and Schulze over ranked
//! ballots, and yes/no questions with a threshold. (The round-by-round STV family lives in
//! `crate::stv`.)
//!
//! Shared conventions: withdrawn candidates are removed from every ballot before counting,
//! and can never be elected; counts are exact integers (`u128`, so no total of `u64` weights
//! can overflow); a tie that decides who is elected is broken by a seeded [`Lot`] and recorded
//! as a [`TieBreak`].

pub mod approval;
pub mod condorcet;
pub mod plurality;
pub mod schulze;
pub mod yes_no;

use crate::lot::Lot;
use crate::model::{Ballot, CandidateId, Election};
use crate::report::{Decimal, TieBreak};

/// A ballot's ranks with withdrawn candidates removed and emptied ranks dropped.
pub(crate) fn effective_ranks<'a>(
    election: &'a Election,
    ballot: &'a Ballot,
) -> impl Iterator<Item = Vec<CandidateId>> + 'a {
    ballot.ranks.iter().filter_map(move |group| {
        let g: Vec<CandidateId> = group
            .iter()
            .copied()
            .filter(|c| is_eligible(election, *c))
            .collect();
        (!g.is_empty()).then_some(g)
    })
}

pub(crate) fn is_eligible(election: &Election, c: CandidateId) -> bool {
    election
        .candidates
        .get(c.index())
        .is_some_and(|cand| !cand.withdrawn)
}

pub(crate) fn eligible(election: &Election) -> Vec<CandidateId> {
    (0..election.candidates.len() as u32)
        .map(CandidateId)
        .filter(|&c| is_eligible(election, c))
        .collect()
}

pub(crate) fn whole(n: u128) -> Decimal {
    Decimal::whole(i128::try_from(n).unwrap_or(i128::MAX))
}

/// The `seats` eligible candidates with the highest scores, best first.
///
/// Candidates with equal scores that all fit are taken in candidate order (their order among
/// the elected decides nothing); when a group of equal scores straddles the last seat, the
/// seats left are drawn by lot one at a time and each draw is recorded.
pub(crate) fn top_n(
    scores: &[u128],
    candidates: &[CandidateId],
    seats: usize,
    lot: &mut Lot,
    round: u32,
) -> (Vec<CandidateId>, Vec<TieBreak>) {
    let mut order: Vec<CandidateId> = candidates.to_vec();
    order.sort_by(|a, b| scores[b.index()].cmp(&scores[a.index()]).then(a.cmp(b)));
    let mut chosen = Vec::new();
    let mut ties = Vec::new();
    let mut i = 0;
    while chosen.len() < seats && i < order.len() {
        let score = scores[order[i].index()];
        let mut j = i;
        while j < order.len() && scores[order[j].index()] == score {
            j += 1;
        }
        let mut group: Vec<CandidateId> = order[i..j].to_vec();
        let room = seats - chosen.len();
        if group.len() <= room {
            chosen.extend(group);
        } else {
            for _ in 0..room {
                let pick = lot.draw(&group);
                ties.push(TieBreak {
                    round,
                    tied: group.clone(),
                    chosen: pick,
                    rule: lot.rule(),
                });
                group.retain(|&c| c != pick);
                chosen.push(pick);
            }
        }
        i = j;
    }
    (chosen, ties)
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::model::{Ballot, Candidate, CandidateId, Election};

    /// An election from `(weight, "a>b=c>d")` strings, candidates named by single letters.
    pub fn election(ncand: usize, seats: u32, ballots: &[(u64, &str)]) -> Election {
        let candidates = (0..ncand)
            .map(|i| Candidate {
                name: ((b'A' + i as u8) as char).to_string(),
                nick: None,
                withdrawn: false,
            })
            .collect();
        let ballots = ballots
            .iter()
            .map(|&(weight, s)| Ballot {
                weight,
                ranks: s
                    .split('>')
                    .filter(|g| !g.is_empty())
                    .map(|g| {
                        g.split('=')
                            .map(|c| CandidateId(u32::from(c.as_bytes()[0] - b'a')))
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        Election {
            title: "test".into(),
            seats,
            candidates,
            ballots,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_n_draws_only_across_the_boundary() {
        let c = CandidateId;
        let scores = [5, 3, 3, 3, 1];
        let all: Vec<_> = (0..5).map(c).collect();
        let (chosen, ties) = top_n(&scores, &all, 2, &mut Lot::new(1), 1);
        assert_eq!(chosen[0], c(0));
        assert!([c(1), c(2), c(3)].contains(&chosen[1]));
        assert_eq!(ties.len(), 1);
        assert_eq!(ties[0].tied, vec![c(1), c(2), c(3)]);
        let (chosen, ties) = top_n(&scores, &all, 4, &mut Lot::new(1), 1);
        assert_eq!(chosen, vec![c(0), c(1), c(2), c(3)]);
        assert!(ties.is_empty());
    }
}
