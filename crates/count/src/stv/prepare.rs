//! Ballots flattened for counting.
//!
//! The shared model keeps each rank as a group (`Vec<Vec<CandidateId>>`), which is right for
//! parsers but costs a pointer chase per preference. Counting walks preferences millions of
//! times, so distinct rankings are copied once into one contiguous `u32` array with offsets.
//!
//! Clean-up decided here, the same for every STV rule (each rule's module documents what it
//! adds):
//! - withdrawn candidates are removed from every ranking, as if never printed;
//! - a candidate ranked again later is ignored at the later rank (the earlier, stronger
//!   preference stands);
//! - an empty rank (a skipped number, `-` in BLT) is passed over;
//! - equal rankings (`a=b`) are kept only when the rule can split a vote ([`EqualRanks::Split`],
//!   Meek); otherwise the ranking stops before the first real tie ([`EqualRanks::Stop`]): the
//!   voter's next preference cannot be determined, which is how a paper with the same number
//!   against two names is treated under the Scottish order.

use super::CountError;
use crate::model::Election;

/// Fixed point keeps votes in `i64` units: at nine places that leaves room for 9.2 billion
/// votes; the limit is set a little lower.
pub const MAX_VOTES: u64 = 9_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EqualRanks {
    Stop,
    Split,
}

#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub candidates: usize,
    /// Candidate indices of every simple ranking, back to back.
    pub prefs: Vec<u32>,
    /// `prefs[starts[i]..starts[i+1]]` is ranking `i`.
    pub starts: Vec<u32>,
    pub weights: Vec<u64>,
    /// Rankings with at least one equal-rank group (only under [`EqualRanks::Split`]).
    pub grouped: Vec<(u64, Vec<Vec<u32>>)>,
    /// Sum of all weights: the valid poll.
    pub total: u64,
}

impl Prepared {
    /// Fails on a ranking naming a candidate the election does not have, or on more votes
    /// than the arithmetic can hold; checked here, in the one pass over the ballots.
    pub fn new(election: &Election, equal: EqualRanks) -> Result<Prepared, CountError> {
        let n = election.candidates.len();
        let withdrawn: Vec<bool> = election.candidates.iter().map(|c| c.withdrawn).collect();
        let mut out = Prepared {
            candidates: n,
            prefs: Vec::with_capacity(election.ballots.len() * 4),
            starts: Vec::with_capacity(election.ballots.len() + 1),
            weights: Vec::with_capacity(election.ballots.len()),
            grouped: Vec::new(),
            total: 0,
        };
        out.starts.push(0);
        let mut seen = vec![false; n];
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for ballot in &election.ballots {
            if ballot.weight == 0 {
                continue;
            }
            out.total = out
                .total
                .checked_add(ballot.weight)
                .filter(|&t| t <= MAX_VOTES)
                .ok_or_else(|| CountError::TooManyVotes {
                    total: election
                        .ballots
                        .iter()
                        .fold(0u64, |t, b| t.saturating_add(b.weight)),
                })?;
            if let Some(c) = ballot.ranks.iter().flatten().find(|c| c.index() >= n) {
                return Err(CountError::UnknownCandidate {
                    candidate: c.0,
                    count: n,
                });
            }
            // Most rankings have one candidate per rank: copy them straight into the flat
            // array without building groups (a million ballots would otherwise cost millions
            // of small allocations).
            if ballot.ranks.iter().all(|r| r.len() <= 1) {
                let start = out.prefs.len();
                for c in ballot.ranks.iter().flatten().map(|c| c.0) {
                    if !withdrawn[c as usize] && !seen[c as usize] {
                        seen[c as usize] = true;
                        out.prefs.push(c);
                    }
                }
                for &c in &out.prefs[start..] {
                    seen[c as usize] = false;
                }
                out.starts.push(out.prefs.len() as u32);
                out.weights.push(ballot.weight);
                continue;
            }
            groups.clear();
            for rank in &ballot.ranks {
                let g: Vec<u32> = rank
                    .iter()
                    .map(|c| c.0)
                    .filter(|&c| !withdrawn[c as usize])
                    .filter(|&c| !std::mem::replace(&mut seen[c as usize], true))
                    .collect();
                if !g.is_empty() {
                    groups.push(g);
                }
            }
            for g in &groups {
                for &c in g {
                    seen[c as usize] = false;
                }
            }
            let first_tie = groups.iter().position(|g| g.len() > 1);
            match (first_tie, equal) {
                (Some(_), EqualRanks::Split) => {
                    out.grouped.push((ballot.weight, groups.clone()));
                    continue;
                }
                (Some(i), EqualRanks::Stop) => groups.truncate(i),
                (None, _) => {}
            }
            out.prefs.extend(groups.iter().map(|g| g[0]));
            out.starts.push(out.prefs.len() as u32);
            out.weights.push(ballot.weight);
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    #[inline]
    pub fn ranking(&self, i: usize) -> &[u32] {
        &self.prefs[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ballot, Candidate, CandidateId};

    fn election(withdrawn: &[bool], ballots: Vec<(u64, Vec<Vec<u32>>)>) -> Election {
        Election {
            title: "t".into(),
            seats: 1,
            candidates: withdrawn
                .iter()
                .enumerate()
                .map(|(i, &w)| Candidate {
                    name: format!("c{i}"),
                    nick: None,
                    withdrawn: w,
                })
                .collect(),
            ballots: ballots
                .into_iter()
                .map(|(weight, ranks)| Ballot {
                    weight,
                    ranks: ranks
                        .into_iter()
                        .map(|g| g.into_iter().map(CandidateId).collect())
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn rejects_unknown_candidates() {
        let e = election(&[false], vec![(1, vec![vec![0], vec![3]])]);
        assert_eq!(
            Prepared::new(&e, EqualRanks::Stop).unwrap_err(),
            CountError::UnknownCandidate {
                candidate: 3,
                count: 1
            }
        );
    }

    #[test]
    fn cleans_rankings() {
        let e = election(
            &[false, true, false, false],
            vec![
                (2, vec![vec![1], vec![0], vec![], vec![0], vec![2]]),
                (1, vec![vec![3], vec![0, 2], vec![1]]),
            ],
        );
        let p = Prepared::new(&e, EqualRanks::Stop).unwrap();
        assert_eq!(p.total, 3);
        assert_eq!(p.ranking(0), &[0, 2]);
        assert_eq!(p.ranking(1), &[3]);
        let p = Prepared::new(&e, EqualRanks::Split).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p.grouped, vec![(1, vec![vec![3], vec![0, 2]])]);
    }
}
