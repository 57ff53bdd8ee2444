//! Pairwise comparisons of ranked ballots, and the Condorcet winner and loser.
//!
//! A ballot prefers `a` to `b` when it ranks `a` strictly higher; candidates it does not rank
//! come after all it does rank, and equal ranks express no preference. A candidate named
//! twice counts at their highest rank. Withdrawn candidates are left out.

use std::fmt::Write;

use super::{effective_ranks, eligible, whole};
use crate::model::{CandidateId, Election};
use crate::report::{Action, Report, Round};

/// `get(a, b)`: the total weight of ballots preferring `a` to `b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairwise {
    n: usize,
    d: Vec<u128>,
}

impl Pairwise {
    pub fn new(election: &Election) -> Self {
        let n = election.candidates.len();
        let mut d = vec![0u128; n * n];
        let mut pos = vec![usize::MAX; n];
        let mut ranked = Vec::with_capacity(n);
        for b in &election.ballots {
            let w = u128::from(b.weight);
            ranked.clear();
            for (r, group) in effective_ranks(election, b).enumerate() {
                for c in group {
                    if pos[c.index()] == usize::MAX {
                        pos[c.index()] = r;
                        ranked.push(c);
                    }
                }
            }
            for &a in &ranked {
                let pa = pos[a.index()];
                let row = &mut d[a.index() * n..(a.index() + 1) * n];
                for (b, cell) in row.iter_mut().enumerate() {
                    // Unranked candidates have position usize::MAX, below every ranked one.
                    if pa < pos[b] {
                        *cell += w;
                    }
                }
            }
            for &a in &ranked {
                pos[a.index()] = usize::MAX;
            }
        }
        // Withdrawn candidates take part in no comparison.
        for c in 0..n {
            if election.candidates[c].withdrawn {
                for k in 0..n {
                    d[c * n + k] = 0;
                    d[k * n + c] = 0;
                }
            }
        }
        Pairwise { n, d }
    }

    pub fn get(&self, a: CandidateId, b: CandidateId) -> u128 {
        self.d[a.index() * self.n + b.index()]
    }

    pub fn beats(&self, a: CandidateId, b: CandidateId) -> bool {
        self.get(a, b) > self.get(b, a)
    }
}

/// The Condorcet winner (beats every other eligible candidate) and loser (loses to every
/// other), when they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condorcet {
    pub winner: Option<CandidateId>,
    pub loser: Option<CandidateId>,
}

pub fn condorcet(election: &Election, pairwise: &Pairwise) -> Condorcet {
    let cands = eligible(election);
    let all = |f: &dyn Fn(CandidateId, CandidateId) -> bool, a: CandidateId| {
        cands.len() > 1 && cands.iter().all(|&b| b == a || f(a, b))
    };
    Condorcet {
        winner: cands
            .iter()
            .copied()
            .find(|&a| all(&|a, b| pairwise.beats(a, b), a)),
        loser: cands
            .iter()
            .copied()
            .find(|&a| all(&|a, b| pairwise.beats(b, a), a)),
    }
}

/// Every pairwise contest in words, for a report's notes.
pub(crate) fn pairwise_notes(election: &Election, p: &Pairwise) -> Vec<String> {
    let cands = eligible(election);
    let name = |c: CandidateId| election.candidates[c.index()].name.as_str();
    let mut notes = Vec::new();
    for (i, &a) in cands.iter().enumerate() {
        for &b in &cands[i + 1..] {
            let (ab, ba) = (p.get(a, b), p.get(b, a));
            let mut s = format!("{} v {}: {ab} to {ba}", name(a), name(b));
            let _ = match ab.cmp(&ba) {
                std::cmp::Ordering::Greater => write!(s, ", {} wins", name(a)),
                std::cmp::Ordering::Less => write!(s, ", {} wins", name(b)),
                std::cmp::Ordering::Equal => write!(s, ", tied"),
            };
            notes.push(s);
        }
    }
    notes
}

/// A report of the Condorcet winner and loser. Totals are each candidate's number of pairwise
/// wins; the winner, if there is one, is reported as elected.
pub fn count(election: &Election) -> Report {
    let p = Pairwise::new(election);
    let c = condorcet(election, &p);
    let cands = eligible(election);
    let name = |c: CandidateId| election.candidates[c.index()].name.clone();
    let wins: Vec<_> = (0..election.candidates.len() as u32)
        .map(|a| {
            let a = CandidateId(a);
            whole(cands.iter().filter(|&&b| b != a && p.beats(a, b)).count() as u128)
        })
        .collect();
    let mut notes = vec![
        match c.winner {
            Some(w) => format!("Condorcet winner: {}", name(w)),
            None => "no Condorcet winner".into(),
        },
        match c.loser {
            Some(l) => format!("Condorcet loser: {}", name(l)),
            None => "no Condorcet loser".into(),
        },
    ];
    notes.extend(pairwise_notes(election, &p));
    Report {
        method: "condorcet".into(),
        title: election.title.clone(),
        seats: 1,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: None,
        elected: c.winner.into_iter().collect(),
        rounds: vec![Round {
            number: 1,
            transfers: wins.clone(),
            totals: wins,
            exhausted: whole(0),
            residual: None,
            quota: None,
            action: Action::Decided,
            reason: match c.winner {
                Some(w) => format!("{} beats every other candidate head to head", name(w)),
                None => "no candidate beats every other head to head".into(),
            },
        }],
        tie_breaks: Vec::new(),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::testing::election;

    #[test]
    fn finds_winner_and_loser() {
        let e = election(3, 1, &[(4, "a>b>c"), (3, "b>c>a"), (2, "c>a"), (1, "b")]);
        let p = Pairwise::new(&e);
        assert_eq!(p.get(CandidateId(0), CandidateId(1)), 6);
        assert_eq!(p.get(CandidateId(1), CandidateId(0)), 4);
        // b v c: b above c on 4+3+1=8, c above b on 2
        let c = condorcet(&e, &p);
        // a v c: a above c on 4, c above a on 3+2=5 → no winner (cycle a>b>c>a)
        assert_eq!(c.winner, None);
        let e = election(3, 1, &[(4, "a>b>c"), (3, "b>a>c"), (2, "c>a>b")]);
        let c = condorcet(&e, &Pairwise::new(&e));
        assert_eq!(c.winner, Some(CandidateId(0)));
        assert_eq!(c.loser, Some(CandidateId(2)));
        let r = count(&e);
        assert_eq!(r.elected, vec![CandidateId(0)]);
        assert!(r.notes.iter().any(|n| n == "A v B: 6 to 3, A wins"));
    }

    #[test]
    fn equal_ranks_and_unranked() {
        let e = election(3, 1, &[(1, "a=b>c")]);
        let p = Pairwise::new(&e);
        assert_eq!(p.get(CandidateId(0), CandidateId(1)), 0);
        assert_eq!(p.get(CandidateId(0), CandidateId(2)), 1);
        let e = election(3, 1, &[(1, "a")]);
        let p = Pairwise::new(&e);
        assert_eq!(p.get(CandidateId(0), CandidateId(2)), 1);
        assert_eq!(p.get(CandidateId(1), CandidateId(2)), 0);
    }
}
