//! The Schulze method: the strongest path between every pair of candidates (measured in
//! winning votes), and the ranking it induces.
//!
//! `a` ranks above `b` when the strongest path from `a` to `b` is stronger than the one back.
//! The ranking is built by repeatedly taking the candidates no remaining candidate ranks above;
//! when several are level, their order is drawn by lot and, when that decides a seat, the draw
//! is recorded. With several seats the first `seats` of the ranking are elected (Schulze's
//! ranking, not his proportional STV variant).

use super::condorcet::{Pairwise, pairwise_notes};
use super::{eligible, whole};
use crate::lot::Lot;
use crate::model::{CandidateId, Election};
use crate::report::{Action, Report, Round, TieBreak};

/// Strongest-path strengths: `p[a][b]`, indexed `a * n + b`.
pub fn strongest_paths(election: &Election, d: &Pairwise) -> Vec<u128> {
    let n = election.candidates.len();
    let cands = eligible(election);
    let mut p = vec![0u128; n * n];
    for &a in &cands {
        for &b in &cands {
            if a != b && d.beats(a, b) {
                p[a.index() * n + b.index()] = d.get(a, b);
            }
        }
    }
    for &k in &cands {
        let k = k.index();
        for &i in &cands {
            let i = i.index();
            if i == k {
                continue;
            }
            let ik = p[i * n + k];
            if ik == 0 {
                continue;
            }
            for &j in &cands {
                let j = j.index();
                if j == i || j == k {
                    continue;
                }
                let via = ik.min(p[k * n + j]);
                if via > p[i * n + j] {
                    p[i * n + j] = via;
                }
            }
        }
    }
    p
}

pub fn count(election: &Election, seed: u64) -> Report {
    let n = election.candidates.len();
    let d = Pairwise::new(election);
    let p = strongest_paths(election, &d);
    let above = |a: CandidateId, b: CandidateId| {
        p[a.index() * n + b.index()] > p[b.index() * n + a.index()]
    };
    let seats = election.seats as usize;
    let mut lot = Lot::new(seed);
    let mut remaining = eligible(election);
    let mut ranking: Vec<Vec<CandidateId>> = Vec::new();
    let mut order: Vec<CandidateId> = Vec::new();
    let mut tie_breaks = Vec::new();
    while !remaining.is_empty() {
        let top: Vec<CandidateId> = remaining
            .iter()
            .copied()
            .filter(|&a| !remaining.iter().any(|&b| above(b, a)))
            .collect();
        // The Schulze relation is transitive, so `top` is never empty; guard anyway.
        let top = if top.is_empty() {
            remaining.clone()
        } else {
            top
        };
        remaining.retain(|c| !top.contains(c));
        let start = order.len();
        let decides_seat = top.len() > 1 && start < seats && start + top.len() > seats;
        let mut pool = top.clone();
        while !pool.is_empty() {
            let pick = if pool.len() == 1 {
                pool[0]
            } else if decides_seat && order.len() < seats {
                let pick = lot.draw(&pool);
                tie_breaks.push(TieBreak {
                    round: 1,
                    tied: pool.clone(),
                    chosen: pick,
                    rule: lot.rule(),
                });
                pick
            } else {
                pool[0]
            };
            pool.retain(|&c| c != pick);
            order.push(pick);
        }
        ranking.push(top);
    }
    let elected: Vec<CandidateId> = order.iter().copied().take(seats).collect();
    let name = |c: CandidateId| election.candidates[c.index()].name.as_str();
    let cands = eligible(election);
    let path_wins: Vec<_> = (0..n as u32)
        .map(|a| {
            let a = CandidateId(a);
            whole(cands.iter().filter(|&&b| b != a && above(a, b)).count() as u128)
        })
        .collect();
    let ranking_text: Vec<String> = ranking
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let names: Vec<&str> = g.iter().map(|&c| name(c)).collect();
            format!("{}. {}", i + 1, names.join(" = "))
        })
        .collect();
    let mut notes = vec![format!("Schulze ranking: {}", ranking_text.join(", "))];
    let cw = super::condorcet::condorcet(election, &d);
    if let Some(w) = cw.winner {
        notes.push(format!("Condorcet winner: {}", name(w)));
    }
    notes.push("pairwise contests (ballots preferring each):".into());
    notes.extend(pairwise_notes(election, &d));
    notes.push("strongest paths (winning votes):".into());
    for &a in &cands {
        for &b in &cands {
            if a != b {
                notes.push(format!(
                    "{} to {}: {}",
                    name(a),
                    name(b),
                    p[a.index() * n + b.index()]
                ));
            }
        }
    }
    Report {
        method: "schulze".into(),
        title: election.title.clone(),
        seats: election.seats,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: None,
        elected,
        rounds: vec![Round {
            number: 1,
            transfers: path_wins.clone(),
            totals: path_wins,
            exhausted: whole(0),
            residual: None,
            quota: None,
            action: Action::Decided,
            reason: "totals are the number of candidates each beats by strongest path; the highest in the Schulze ranking are elected".into(),
        }],
        tie_breaks,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::testing::election;

    /// The 45-voter example from Schulze's paper (and the Wikipedia article): E wins, and the
    /// ranking is E > A > C > B > D.
    #[test]
    fn schulze_reference_example() {
        let e = election(
            5,
            5,
            &[
                (5, "a>c>b>e>d"),
                (5, "a>d>e>c>b"),
                (8, "b>e>d>a>c"),
                (3, "c>a>b>e>d"),
                (7, "c>a>e>b>d"),
                (2, "c>b>a>d>e"),
                (7, "d>c>e>b>a"),
                (8, "e>b>a>d>c"),
            ],
        );
        let r = count(&e, 0);
        let c = CandidateId;
        assert_eq!(r.elected, vec![c(4), c(0), c(2), c(1), c(3)]);
        assert!(r.tie_breaks.is_empty());
        assert!(r.notes.iter().any(|n| n == "A to B: 28"));
    }

    #[test]
    fn full_tie_is_drawn_and_recorded() {
        let e = election(2, 1, &[(1, "a>b"), (1, "b>a")]);
        let r = count(&e, 7);
        assert_eq!(r.elected.len(), 1);
        assert_eq!(r.tie_breaks.len(), 1);
        assert_eq!(r.tie_breaks[0].rule, "lot, seed 7");
    }
}
