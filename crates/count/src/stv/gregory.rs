//! Weighted inclusive Gregory counts: the Scottish order, generic WIGM, and instant runoff
//! (which is the same count with one seat and a majority threshold).
//!
//! Every stage moves whole parcels: a candidate's papers are kept as parcels that share one
//! transfer value, so the value is computed once per parcel rather than once per paper, and
//! each paper (a distinct ranking with its weight) only ever moves forward along its ranking.
//! The total work of a count is therefore about the total length of the rankings.
//!
//! Scottish Local Government Elections Order 2007, schedule 1, rules 45–52 (unchanged in
//! substance in 2011):
//! - quota: valid papers ÷ (seats + 1), decimals ignored, plus one (rule 46);
//! - elected on reaching the quota (47); the highest surplus is transferred first, ties looked
//!   back to the most recent stage at which the candidates differed, then lot (49);
//! - transfer value = surplus × value of the paper ÷ candidate's total, to five decimal places,
//!   any remainder ignored (48(3)); every paper of the candidate is transferred (inclusive);
//! - when no surplus remains, the lowest candidate is excluded and all their papers move at
//!   the value they arrived with (50), ties as for surpluses but lowest (51);
//! - when the continuing candidates are no more than the vacancies, they are elected and no
//!   further transfer is made (52).
//!
//! Where the order is silent:
//! - several candidates reaching the quota at one stage are declared in order of votes,
//!   ties as rule 49;
//! - a surplus exactly zero (a candidate at the quota) is not transferred; rule 48 only
//!   transfers votes that exceed the quota.

use super::arith::Number;
use super::prepare::Prepared;
use super::ties::{Want, break_tie};
use crate::model::{CandidateId, Election};
use crate::report::{Action, Decimal, Report, Round, TieBreak};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Scottish,
    Wigm,
    Irv,
    /// Minneapolis multi-winner rules (see [`super::minneapolis`]).
    Minneapolis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Excluded,
    Withdrawn,
}

struct Parcel<N> {
    value: N,
    papers: Vec<u32>,
}

struct Count<'a, N: Number> {
    rule: Rule,
    election: &'a Election,
    p: &'a Prepared,
    seed: u64,
    seats: usize,
    pos: Vec<u32>,
    votes: Vec<N>,
    piles: Vec<Vec<Parcel<N>>>,
    state: Vec<State>,
    /// Elected candidates whose surplus has not been transferred yet.
    pending: Vec<u32>,
    exhausted: N,
    quota: N,
    history: Vec<Vec<N>>,
    rounds: Vec<Round>,
    elected: Vec<u32>,
    ties: Vec<TieBreak>,
    notes: Vec<String>,
    buckets: Vec<Vec<u32>>,
    bucket_counts: Vec<u64>,
}

pub fn count<N: Number>(
    election: &Election,
    p: &Prepared,
    rule: Rule,
    method: &str,
    seed: u64,
) -> Report {
    let n = election.candidates.len();
    let seats = match rule {
        Rule::Irv => 1,
        _ => election.seats as usize,
    };
    let quota = match rule {
        Rule::Scottish => N::from_u64(p.total / (seats as u64 + 1) + 1),
        Rule::Wigm => N::from_u64(p.total).div_int_down(seats as u64 + 1) + N::epsilon(),
        // Instant runoff recomputes its threshold every stage from the continuing votes;
        // Minneapolis fixes its threshold once the first round is counted.
        Rule::Irv | Rule::Minneapolis => N::from_u64(p.total / 2 + 1),
    };
    let mut c = Count {
        rule,
        election,
        p,
        seed,
        seats,
        pos: vec![0; p.len()],
        votes: vec![N::zero(); n],
        piles: (0..n).map(|_| Vec::new()).collect(),
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
        buckets: (0..n).map(|_| Vec::new()).collect(),
        bucket_counts: vec![0; n],
    };
    c.run();
    Report {
        method: method.to_string(),
        title: election.title.clone(),
        seats: seats as u32,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: match rule {
            Rule::Irv => None,
            _ => Some(c.quota.to_decimal()),
        },
        elected: c.elected.iter().map(|&e| CandidateId(e)).collect(),
        rounds: c.rounds,
        tie_breaks: c.ties,
        notes: c.notes,
    }
}

impl<N: Number> Count<'_, N> {
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

    fn round_no(&self) -> u32 {
        self.rounds.len() as u32
    }

    fn run(&mut self) {
        self.first_preferences();
        loop {
            self.elect_with_quota();
            if self.complete() {
                break;
            }
            if let Some(x) = self.next_surplus() {
                self.transfer_surplus(x);
            } else {
                self.exclude_lowest();
            }
        }
        self.fill_last_vacancies();
    }

    fn first_preferences(&mut self) {
        let one = N::one();
        let mut unranked = 0u64;
        for i in 0..self.p.len() {
            self.pos[i] = 0;
            let w = self.p.weights[i];
            match self.p.ranking(i).first() {
                Some(&c) => {
                    self.buckets[c as usize].push(i as u32);
                    self.bucket_counts[c as usize] += w;
                }
                None => unranked += w,
            }
        }
        self.exhausted += one.mul_int(unranked);
        self.flush_buckets(&one);
        if self.rule == Rule::Minneapolis {
            // ⌊V ÷ (seats + 1)⌋ + 1 on the ballots that rank anyone.
            let active = self.p.total - unranked;
            self.quota = N::from_u64(active / (self.seats as u64 + 1) + 1);
        }
        self.record(
            Action::FirstPreferences,
            "first preferences counted".to_string(),
        );
    }

    /// Moves every bucketed paper into a new parcel of its recipient at `value`.
    fn flush_buckets(&mut self, value: &N) {
        for c in 0..self.buckets.len() {
            if self.buckets[c].is_empty() {
                continue;
            }
            let papers = std::mem::take(&mut self.buckets[c]);
            let count = std::mem::take(&mut self.bucket_counts[c]);
            self.votes[c] += value.mul_int(count);
            self.piles[c].push(Parcel {
                value: value.clone(),
                papers,
            });
        }
    }

    /// Sends each paper of `parcel` to its next continuing preference at `value`.
    fn move_parcel(&mut self, papers: &[u32], value: &N) {
        let mut exhausted = 0u64;
        for &b in papers {
            let b = b as usize;
            let ranking = self.p.ranking(b);
            let mut k = self.pos[b] as usize + 1;
            while k < ranking.len() && self.state[ranking[k] as usize] != State::Hopeful {
                k += 1;
            }
            self.pos[b] = k as u32;
            if k < ranking.len() {
                let c = ranking[k] as usize;
                self.buckets[c].push(b as u32);
                self.bucket_counts[c] += self.p.weights[b];
            } else {
                exhausted += self.p.weights[b];
            }
        }
        self.exhausted += value.mul_int(exhausted);
        self.flush_buckets(value);
    }

    fn reaches_quota(&self, c: u32) -> bool {
        match self.rule {
            Rule::Irv => {
                let active: N = self
                    .hopeful()
                    .iter()
                    .fold(N::zero(), |acc, &h| acc + self.votes[h as usize].clone());
                self.votes[c as usize].mul_int(2) > active
            }
            _ => self.votes[c as usize] >= self.quota,
        }
    }

    fn elect_with_quota(&mut self) {
        let mut reached: Vec<u32> = self
            .hopeful()
            .into_iter()
            .filter(|&c| self.reaches_quota(c))
            .collect();
        if reached.is_empty() {
            return;
        }
        let mut order = Vec::new();
        while !reached.is_empty() {
            let top = reached
                .iter()
                .map(|&c| &self.votes[c as usize])
                .max()
                .cloned()
                .expect("not empty");
            let tied: Vec<u32> = reached
                .iter()
                .copied()
                .filter(|&c| self.votes[c as usize] == top)
                .collect();
            let round = self.round_no();
            let chosen = break_tie(
                &tied,
                &self.history,
                Want::Highest,
                self.seed,
                round,
                "order of election",
                &mut self.ties,
            );
            reached.retain(|&c| c != chosen);
            order.push(chosen);
        }
        for &c in &order {
            if self.seats_left() == 0 {
                break;
            }
            self.state[c as usize] = State::Elected;
            self.elected.push(c);
            let surplus = match self.rule {
                Rule::Irv => false,
                // The city transfers every winner's surplus in a round, zero or not.
                Rule::Minneapolis => true,
                _ => self.votes[c as usize] > self.quota,
            };
            if surplus {
                self.pending.push(c);
            }
            let text = match self.rule {
                Rule::Irv => format!(
                    "{} elected with a majority of the continuing votes ({})",
                    self.name(c),
                    self.votes[c as usize].to_decimal()
                ),
                _ => format!(
                    "{} elected, reaching the quota with {}",
                    self.name(c),
                    self.votes[c as usize].to_decimal()
                ),
            };
            self.note(text);
        }
    }

    /// Adds a sentence to the current round's reason and to the report notes.
    fn note(&mut self, text: String) {
        let round = self.round_no();
        if let Some(r) = self.rounds.last_mut() {
            r.reason.push_str("; ");
            r.reason.push_str(&text);
        }
        self.notes.push(format!("stage {round}: {text}"));
    }

    fn next_surplus(&mut self) -> Option<u32> {
        if self.pending.is_empty() {
            return None;
        }
        let top = self
            .pending
            .iter()
            .map(|&c| &self.votes[c as usize])
            .max()
            .cloned()
            .expect("not empty");
        let tied: Vec<u32> = self
            .pending
            .iter()
            .copied()
            .filter(|&c| self.votes[c as usize] == top)
            .collect();
        let round = self.round_no();
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
        let total = self.votes[x as usize].clone();
        let surplus = total.clone() - self.quota.clone();
        let parcels = std::mem::take(&mut self.piles[x as usize]);
        for parcel in parcels {
            let value = parcel.value.muldiv_down(&surplus, &total);
            self.move_parcel(&parcel.papers, &value);
        }
        self.votes[x as usize] = self.quota.clone();
        let reason = format!(
            "surplus of {} ({}) transferred: transfer value = surplus × paper value ÷ {}, truncated",
            self.name(x),
            surplus.to_decimal(),
            total.to_decimal()
        );
        self.record(Action::SurplusTransferred(CandidateId(x)), reason);
    }

    fn exclude_lowest(&mut self) {
        let hopeful = self.hopeful();
        let low = hopeful
            .iter()
            .map(|&c| &self.votes[c as usize])
            .min()
            .cloned()
            .expect("a hopeful candidate remains");
        let tied: Vec<u32> = hopeful
            .iter()
            .copied()
            .filter(|&c| self.votes[c as usize] == low)
            .collect();
        let round = self.round_no();
        let x = break_tie(
            &tied,
            &self.history,
            Want::Lowest,
            self.seed,
            round,
            "exclusion",
            &mut self.ties,
        );
        self.state[x as usize] = State::Excluded;
        let parcels = std::mem::take(&mut self.piles[x as usize]);
        for parcel in parcels {
            self.move_parcel(&parcel.papers, &parcel.value);
        }
        self.votes[x as usize] = N::zero();
        let reason = format!(
            "{} excluded with the fewest votes ({}); papers transferred at their current value",
            self.name(x),
            low.to_decimal()
        );
        self.record(Action::Excluded(vec![CandidateId(x)]), reason);
    }

    fn fill_last_vacancies(&mut self) {
        if self.seats_left() == 0 {
            return;
        }
        let mut rest = self.hopeful();
        // Declared in order of votes, ties looked back then lot, so the order is stated.
        while !rest.is_empty() && self.seats_left() > 0 {
            let top = rest
                .iter()
                .map(|&c| &self.votes[c as usize])
                .max()
                .cloned()
                .expect("not empty");
            let tied: Vec<u32> = rest
                .iter()
                .copied()
                .filter(|&c| self.votes[c as usize] == top)
                .collect();
            let round = self.round_no();
            let c = break_tie(
                &tied,
                &self.history,
                Want::Highest,
                self.seed,
                round,
                "order of election",
                &mut self.ties,
            );
            rest.retain(|&x| x != c);
            self.state[c as usize] = State::Elected;
            self.elected.push(c);
            let text = format!(
                "{} elected as a continuing candidate filling a last vacancy ({})",
                self.name(c),
                self.votes[c as usize].to_decimal()
            );
            self.note(text);
        }
    }

    fn record(&mut self, action: Action, reason: String) {
        let totals: Vec<Decimal> = self.votes.iter().map(|v| v.to_decimal()).collect();
        let transfers: Vec<Decimal> = match self.history.last() {
            Some(prev) => self
                .votes
                .iter()
                .zip(prev)
                .map(|(now, before)| (now.clone() - before.clone()).to_decimal())
                .collect(),
            None => totals.clone(),
        };
        let sum = self.votes.iter().fold(N::zero(), |acc, v| acc + v.clone());
        let residual = N::from_u64(self.p.total) - sum - self.exhausted.clone();
        let quota = match self.rule {
            Rule::Irv => {
                let active = self
                    .hopeful()
                    .iter()
                    .fold(N::zero(), |acc, &h| acc + self.votes[h as usize].clone());
                // Whole votes: instant runoff never splits a paper.
                active.div_int_down(2) + N::pow10_inv(0)
            }
            _ => self.quota.clone(),
        };
        self.history.push(self.votes.clone());
        let number = self.round_no() + 1;
        self.rounds.push(Round {
            number,
            totals,
            transfers,
            exhausted: self.exhausted.to_decimal(),
            residual: Some(residual.to_decimal()),
            quota: Some(quota.to_decimal()),
            action,
            reason,
        });
    }
}
