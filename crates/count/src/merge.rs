//! Merging identical rankings while a file is read.
//!
//! Real elections repeat the same short rankings thousands of times (Meath 2002: 64,081 ballots,
//! 25,101 distinct rankings), and every method's work is proportional to the number of
//! [`Ballot`]s, so parsers fold duplicates as they go and memory follows distinct rankings.

use std::collections::HashMap;

use crate::model::{Ballot, CandidateId};

type Ranks = Vec<Vec<CandidateId>>;

/// Accumulates weighted rankings, keeping the order in which each ranking was first seen so
/// that the merged ballot list (and so every transcript) is deterministic.
#[derive(Debug, Default)]
pub struct BallotMerger {
    seen: HashMap<Ranks, (usize, u64)>,
}

/// Adding a ballot would make the total number of voters overflow `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightOverflow;

impl BallotMerger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, ranks: Ranks, weight: u64) -> Result<(), WeightOverflow> {
        let next = self.seen.len();
        let entry = self.seen.entry(ranks).or_insert((next, 0));
        entry.1 = entry.1.checked_add(weight).ok_or(WeightOverflow)?;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The merged ballots in order of first appearance; rankings whose total weight is zero
    /// are dropped because they cannot affect any count.
    pub fn finish(self) -> Vec<Ballot> {
        let mut all: Vec<(usize, Ballot)> = self
            .seen
            .into_iter()
            .filter(|(_, (_, w))| *w > 0)
            .map(|(ranks, (first, weight))| (first, Ballot { weight, ranks }))
            .collect();
        all.sort_unstable_by_key(|(first, _)| *first);
        all.into_iter().map(|(_, b)| b).collect()
    }
}

/// Merges an existing ballot list (e.g. one built by hand or by another reader).
pub fn merge_ballots(
    ballots: impl IntoIterator<Item = Ballot>,
) -> Result<Vec<Ballot>, WeightOverflow> {
    let mut m = BallotMerger::new();
    for b in ballots {
        m.add(b.ranks, b.weight)?;
    }
    Ok(m.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(i: u32) -> CandidateId {
        CandidateId(i)
    }

    #[test]
    fn merges_identical_rankings_in_first_seen_order() {
        let mut m = BallotMerger::new();
        m.add(vec![vec![c(1)]], 2).unwrap();
        m.add(vec![vec![c(0)], vec![c(1)]], 1).unwrap();
        m.add(vec![vec![c(1)]], 3).unwrap();
        let b = m.finish();
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            Ballot {
                weight: 5,
                ranks: vec![vec![c(1)]]
            }
        );
        assert_eq!(b[1].weight, 1);
    }

    #[test]
    fn overflow_is_reported() {
        let mut m = BallotMerger::new();
        m.add(vec![], u64::MAX).unwrap();
        assert_eq!(m.add(vec![], 1), Err(WeightOverflow));
    }
}
