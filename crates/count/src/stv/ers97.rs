//! The Electoral Reform Society's rules ("How to conduct an election by the Single
//! Transferable Vote", 3rd edition, 1997), the rules many societies and unions name.
//!
//! What distinguishes them from the Scottish order, and how each point is done here:
//! - values are kept to two decimal places, fractions dropped;
//! - quota = total votes ÷ (seats + 1) truncated to two decimal places, plus 0.01 (so it
//!   always exceeds the exact share); a candidate with the quota is elected;
//! - **exclusive** Gregory: a surplus is transferred from the parcel that gave the candidate
//!   the quota (all first preferences for a first-stage winner) only; only its transferable
//!   papers take part, each at surplus ÷ transferable papers, truncated, and never more than
//!   the value at which the paper arrived (what that leaves over is non-transferable);
//! - surpluses are deferred while all of them together could neither save the lowest
//!   candidate (less than the gap to the next lowest) nor elect anyone (less than the gap
//!   from the highest continuing candidate to the quota);
//! - an excluded candidate's papers go in parcels, highest transfer value first (first
//!   preferences first), each parcel a stage of its own; a candidate who reaches the quota
//!   during an exclusion is elected at once and receives no more papers;
//! - ties: the most recent earlier stage at which the tied candidates differed, then lot
//!   (the same fallback as every method here, so one published seed decides them all).

use super::arith::{Fixed, Number};
use super::prepare::Prepared;
use super::ties::{Want, break_tie};
use crate::model::{CandidateId, Election};
use crate::report::{Action, Decimal, Report, Round, TieBreak};

type N = Fixed<2>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Excluded,
    Withdrawn,
}

struct Parcel {
    value: N,
    papers: Vec<u32>,
    count: u64,
}

struct Ers<'a> {
    election: &'a Election,
    p: &'a Prepared,
    seed: u64,
    seats: usize,
    pos: Vec<u32>,
    votes: Vec<N>,
    piles: Vec<Vec<Parcel>>,
    /// The parcel (index into the pile) that gave each elected candidate the quota.
    quota_parcel: Vec<Option<usize>>,
    state: Vec<State>,
    pending: Vec<u32>,
    exhausted: N,
    quota: N,
    history: Vec<Vec<N>>,
    rounds: Vec<Round>,
    elected: Vec<u32>,
    ties: Vec<TieBreak>,
    notes: Vec<String>,
}

pub fn count(election: &Election, p: &Prepared, method: &str, seed: u64) -> Report {
    let n = election.candidates.len();
    let seats = election.seats as usize;
    let total = N::from_u64(p.total);
    // Always a hundredth above the truncated share, so that no more candidates than seats
    // can reach it even when the division is exact (4 of 8 votes for one seat would let two
    // candidates tie at the quota).
    let quota = total.div_int_down(seats as u64 + 1) + N::epsilon();
    let mut e = Ers {
        election,
        p,
        seed,
        seats,
        pos: vec![0; p.len()],
        votes: vec![N::zero(); n],
        piles: (0..n).map(|_| Vec::new()).collect(),
        quota_parcel: vec![None; n],
        state: election
            .candidates
            .iter()
            .map(|c| {
                if c.withdrawn {
                    State::Withdrawn
                } else {
                    State::Hopeful
                }
            })
            .collect(),
        pending: Vec::new(),
        exhausted: N::zero(),
        quota,
        history: Vec::new(),
        rounds: Vec::new(),
        elected: Vec::new(),
        ties: Vec::new(),
        notes: Vec::new(),
    };
    e.run();
    Report {
        method: method.to_string(),
        title: election.title.clone(),
        seats: election.seats,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: Some(quota.to_decimal()),
        elected: e.elected.iter().map(|&c| CandidateId(c)).collect(),
        rounds: e.rounds,
        tie_breaks: e.ties,
        notes: e.notes,
    }
}

impl Ers<'_> {
    fn name(&self, c: u32) -> &str {
        &self.election.candidates[c as usize].name
    }

    fn hopeful(&self) -> Vec<u32> {
        (0..self.state.len() as u32)
            .filter(|&c| self.state[c as usize] == State::Hopeful)
            .collect()
    }

    fn seats_left(&self) -> usize {
        self.seats.saturating_sub(self.elected.len())
    }

    fn complete(&self) -> bool {
        self.seats_left() == 0 || self.hopeful().len() <= self.seats_left()
    }

    fn run(&mut self) {
        let mut first: Vec<Vec<u32>> = vec![Vec::new(); self.votes.len()];
        let mut counts = vec![0u64; self.votes.len()];
        for i in 0..self.p.len() {
            match self.p.ranking(i).first() {
                Some(&c) => {
                    first[c as usize].push(i as u32);
                    counts[c as usize] += self.p.weights[i];
                }
                None => self.exhausted += N::one().mul_int(self.p.weights[i]),
            }
        }
        for (c, papers) in first.into_iter().enumerate() {
            if !papers.is_empty() {
                self.add_parcel(c, N::one(), papers, counts[c]);
            }
        }
        self.record(Action::FirstPreferences, "first preferences counted".into());
        loop {
            self.elect_with_quota();
            if self.complete() {
                break;
            }
            if let Some(x) = self.surplus_to_transfer() {
                self.transfer_surplus(x);
            } else {
                self.exclude_lowest();
            }
        }
        let mut rest = self.hopeful();
        rest.sort_by(|a, b| self.votes[*b as usize].cmp(&self.votes[*a as usize]));
        for c in rest {
            if self.seats_left() == 0 {
                break;
            }
            self.state[c as usize] = State::Elected;
            self.elected.push(c);
            let text = format!("{} elected to fill a last vacancy", self.name(c));
            self.note(text);
        }
    }

    fn add_parcel(&mut self, c: usize, value: N, papers: Vec<u32>, count: u64) {
        self.votes[c] += value.mul_int(count);
        self.piles[c].push(Parcel {
            value,
            papers,
            count,
        });
    }

    /// Moves `papers` on to their next hopeful preference at `value`; returns the weight of
    /// papers that had none.
    fn move_papers(&mut self, papers: &[u32], value: N) -> u64 {
        let n = self.votes.len();
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut counts = vec![0u64; n];
        let mut exhausted = 0;
        for &b in papers {
            let ranking = self.p.ranking(b as usize);
            let mut k = self.pos[b as usize] as usize + 1;
            while k < ranking.len() && self.state[ranking[k] as usize] != State::Hopeful {
                k += 1;
            }
            self.pos[b as usize] = k as u32;
            if k < ranking.len() {
                let c = ranking[k] as usize;
                buckets[c].push(b);
                counts[c] += self.p.weights[b as usize];
            } else {
                exhausted += self.p.weights[b as usize];
            }
        }
        for (c, papers) in buckets.into_iter().enumerate() {
            if !papers.is_empty() {
                self.add_parcel(c, value, papers, counts[c]);
            }
        }
        exhausted
    }

    /// Whether paper `b` has a later hopeful preference.
    fn transferable(&self, b: u32) -> bool {
        let ranking = self.p.ranking(b as usize);
        ranking[self.pos[b as usize] as usize + 1..]
            .iter()
            .any(|&c| self.state[c as usize] == State::Hopeful)
    }

    fn elect_with_quota(&mut self) {
        let mut reached: Vec<u32> = self
            .hopeful()
            .into_iter()
            .filter(|&c| self.votes[c as usize] >= self.quota)
            .collect();
        while !reached.is_empty() && self.seats_left() > 0 {
            let top = reached
                .iter()
                .map(|&c| self.votes[c as usize])
                .max()
                .expect("not empty");
            let tied: Vec<u32> = reached
                .iter()
                .copied()
                .filter(|&c| self.votes[c as usize] == top)
                .collect();
            let round = self.rounds.len() as u32;
            let c = break_tie(
                &tied,
                &self.history,
                Want::Highest,
                self.seed,
                round,
                "order of election",
                &mut self.ties,
            );
            reached.retain(|&x| x != c);
            self.state[c as usize] = State::Elected;
            self.elected.push(c);
            self.quota_parcel[c as usize] = Some(self.piles[c as usize].len().saturating_sub(1));
            if self.votes[c as usize] > self.quota {
                self.pending.push(c);
            }
            let text = format!(
                "{} elected with {} (quota {})",
                self.name(c),
                self.votes[c as usize].to_decimal(),
                self.quota.to_decimal()
            );
            self.note(text);
        }
    }

    fn note(&mut self, text: String) {
        let stage = self.rounds.len();
        if let Some(r) = self.rounds.last_mut() {
            r.reason.push_str("; ");
            r.reason.push_str(&text);
        }
        self.notes.push(format!("stage {stage}: {text}"));
    }

    fn surplus_to_transfer(&mut self) -> Option<u32> {
        if self.pending.is_empty() {
            return None;
        }
        let total: N = self.pending.iter().fold(N::zero(), |acc, &c| {
            acc + (self.votes[c as usize] - self.quota)
        });
        let mut hopeful: Vec<N> = self
            .hopeful()
            .iter()
            .map(|&c| self.votes[c as usize])
            .collect();
        hopeful.sort();
        let can_save = hopeful.len() >= 2 && total >= hopeful[1] - hopeful[0];
        let can_elect = hopeful.last().is_some_and(|&top| top + total >= self.quota);
        if !can_save && !can_elect {
            let text = format!(
                "surpluses totalling {} deferred: they could neither save the lowest candidate nor elect anyone",
                total.to_decimal()
            );
            self.note(text);
            return None;
        }
        let top = self
            .pending
            .iter()
            .map(|&c| self.votes[c as usize])
            .max()
            .expect("not empty");
        let tied: Vec<u32> = self
            .pending
            .iter()
            .copied()
            .filter(|&c| self.votes[c as usize] == top)
            .collect();
        let round = self.rounds.len() as u32;
        let x = break_tie(
            &tied,
            &self.history,
            Want::Highest,
            self.seed,
            round,
            "largest surplus first",
            &mut self.ties,
        );
        self.pending.retain(|&c| c != x);
        Some(x)
    }

    fn transfer_surplus(&mut self, x: u32) {
        let xi = x as usize;
        let surplus = self.votes[xi] - self.quota;
        let k = self.quota_parcel[xi].unwrap_or(0);
        let parcel = std::mem::replace(
            &mut self.piles[xi][k],
            Parcel {
                value: N::zero(),
                papers: Vec::new(),
                count: 0,
            },
        );
        let (transferable, dead): (Vec<u32>, Vec<u32>) =
            parcel.papers.iter().partition(|&&b| self.transferable(b));
        let papers: u64 = transferable
            .iter()
            .map(|&b| self.p.weights[b as usize])
            .sum();
        let value = if papers == 0 {
            N::zero()
        } else {
            surplus.div_int_down(papers).min(parcel.value)
        };
        let moved = value.mul_int(papers);
        let lost = self.move_papers(&transferable, value);
        debug_assert_eq!(lost, 0, "only transferable papers are moved");
        // What the surplus could not carry (non-transferable papers, truncation, a value
        // capped at the arrival value) is non-transferable.
        self.exhausted += surplus - moved;
        // The candidate keeps exactly the quota; the dead papers stay with them.
        self.piles[xi][k] = Parcel {
            value: parcel.value,
            papers: dead,
            count: parcel.count - papers,
        };
        self.votes[xi] = self.quota;
        let reason = format!(
            "surplus of {} ({}) transferred from the last parcel received: {} transferable papers at {}",
            self.name(x),
            surplus.to_decimal(),
            papers,
            value.to_decimal()
        );
        self.record(Action::SurplusTransferred(CandidateId(x)), reason);
    }

    fn exclude_lowest(&mut self) {
        let hopeful = self.hopeful();
        let low = hopeful
            .iter()
            .map(|&c| self.votes[c as usize])
            .min()
            .expect("a hopeful candidate remains");
        let tied: Vec<u32> = hopeful
            .iter()
            .copied()
            .filter(|&c| self.votes[c as usize] == low)
            .collect();
        let round = self.rounds.len() as u32;
        let x = break_tie(
            &tied,
            &self.history,
            Want::Lowest,
            self.seed,
            round,
            "exclusion",
            &mut self.ties,
        );
        let xi = x as usize;
        self.state[xi] = State::Excluded;
        let mut parcels = std::mem::take(&mut self.piles[xi]);
        // Highest value first; papers of equal value go together as one parcel.
        parcels.sort_by_key(|p| std::cmp::Reverse(p.value));
        let mut groups: Vec<(N, Vec<u32>, u64)> = Vec::new();
        for p in parcels {
            match groups.last_mut() {
                Some(g) if g.0 == p.value => {
                    g.1.extend(p.papers);
                    g.2 += p.count;
                }
                _ => groups.push((p.value, p.papers, p.count)),
            }
        }
        let parts = groups.len().max(1);
        if groups.is_empty() {
            self.votes[xi] = N::zero();
            let reason = format!("{} excluded with no votes", self.name(x));
            self.record(Action::Excluded(vec![CandidateId(x)]), reason);
            return;
        }
        for (i, (value, papers, count)) in groups.into_iter().enumerate() {
            self.votes[xi] -= value.mul_int(count);
            let lost = self.move_papers(&papers, value);
            self.exhausted += value.mul_int(lost);
            let reason = format!(
                "{} excluded with the fewest votes ({}): parcel {} of {parts}, {count} papers at {}",
                self.name(x),
                low.to_decimal(),
                i + 1,
                value.to_decimal()
            );
            self.record(Action::Excluded(vec![CandidateId(x)]), reason);
            self.elect_with_quota();
            if self.complete() {
                break;
            }
        }
        // Parcels left when the count finished part-way are not transferred (rule 52's
        // counterpart); their value is reported as no longer with any candidate.
        if !self.votes[xi].is_zero() {
            self.exhausted += self.votes[xi];
            self.votes[xi] = N::zero();
        }
    }

    fn record(&mut self, action: Action, reason: String) {
        let totals: Vec<Decimal> = self.votes.iter().map(|v| v.to_decimal()).collect();
        let transfers = match self.history.last() {
            Some(prev) => self
                .votes
                .iter()
                .zip(prev)
                .map(|(a, b)| (*a - *b).to_decimal())
                .collect(),
            None => totals.clone(),
        };
        let sum = self.votes.iter().fold(N::zero(), |acc, v| acc + *v);
        let residual = N::from_u64(self.p.total) - sum - self.exhausted;
        self.history.push(self.votes.clone());
        self.rounds.push(Round {
            number: self.rounds.len() as u32 + 1,
            totals,
            transfers,
            exhausted: self.exhausted.to_decimal(),
            residual: Some(residual.to_decimal()),
            quota: Some(self.quota.to_decimal()),
            action,
            reason,
        });
    }
}
