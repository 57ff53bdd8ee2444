//! Meek's method, as in Hill, Wichmann and Woodall's Algorithm 123 and the New Zealand
//! rules, with the conventions of the published fixed-point counts (Droop 0.14, stv-rs) so
//! that our transcripts match theirs digit for digit:
//! - each ballot starts with weight 1; at each candidate still in the count the candidate keeps
//!   `weight × keep factor` (rounded down) and the ballot goes on with `weight × (1 − keep
//!   factor)` (rounded down); defeated candidates (keep factor 0) are passed over;
//! - quota = votes ÷ (seats + 1) rounded down, plus the smallest unit (exact arithmetic: no
//!   unit, and a candidate must then exceed the quota rather than reach it);
//! - an iteration ends when a candidate is elected, when the total surplus is at most omega,
//!   or when the surplus stops falling; otherwise each elected candidate's keep factor becomes
//!   `⌈⌈kf × quota⌉ ÷ votes⌉`;
//! - one candidate is defeated at a time (no batch defeats).
//!
//! Where the rules leave a choice:
//! - candidates whose votes are within the current surplus of the lowest are treated as tied
//!   (the iteration error can be as large as the surplus, so they cannot be told apart); the
//!   tie is broken by the most recent earlier round at which they differed, then by lot;
//! - an equal-rank group (`a=b`) shares the ballot's weight equally between the continuing
//!   candidates in it, and each share continues to the next group on its own; a group with
//!   no continuing candidate is passed over.
//!
//! Speed: the keep factor of a hopeful candidate is exactly 1, so a ballot stops at its first
//! hopeful candidate and only the elected candidates before it matter. Ballots are grouped
//! in a small tree keyed by that sequence of elected candidates, with the hopeful candidate
//! (or exhaustion) at the leaves. The tree only changes when a candidate is elected or
//! defeated, and then only the ballots of that candidate move, always forward; an iteration
//! walks the tree (a few hundred nodes) instead of every ballot. Each node carries ballot
//! counts, so the sums are exactly those of a ballot-by-ballot count.

use std::fmt::Write as _;

use super::arith::Number;
use super::prepare::Prepared;
use super::ties::{Want, break_tie};
use crate::model::{CandidateId, Election};
use crate::report::{Action, Decimal, Report, Round, TieBreak};

/// Keep factors are rounded up to this many places. Fixed point (9 places) is unaffected;
/// with rationals, an unrounded keep factor's numerator and denominator grow with every
/// iteration until a count of a few thousand ballots takes hours, while 18 places keep every
/// ballot weight and vote exact and move a keep factor by less than 10^-18 (rounding up, as
/// the NZ rules do, so a candidate never keeps less than the quota asks).
pub const KEEP_FACTOR_PLACES: u32 = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Defeated,
    Withdrawn,
}

#[derive(Debug, Default)]
struct Node {
    children: Vec<(u32, u32)>,
    /// (hopeful candidate, ballots whose next continuing preference it is, their weight)
    piles: Vec<(u32, Vec<u32>, u64)>,
    /// For each candidate, 1 + its index in `piles` and in `children` (0: none), so that
    /// filing a ballot is one lookup rather than a scan.
    pile_slot: Vec<u32>,
    child_slot: Vec<u32>,
    exhausted: u64,
    subtree: u64,
}

impl Node {
    fn new(candidates: usize) -> Node {
        Node {
            pile_slot: vec![0; candidates],
            child_slot: vec![0; candidates],
            ..Node::default()
        }
    }
}

/// What one line of a Droop-style transcript records.
#[derive(Debug, Clone)]
pub enum Event {
    Round(u32),
    Log(String),
    Action {
        msg: String,
        /// Candidate lines are shown for state changes, not for iteration summaries.
        snapshot: Option<Vec<(CandidateState, Decimal)>>,
        quota: Decimal,
        votes: Decimal,
        residual: Decimal,
        surplus: Decimal,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateState {
    Hopeful,
    Elected,
    Defeated,
    Withdrawn,
}

/// The full Meek transcript, printable in the layout other counters use so that a count
/// can be diffed against theirs.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub title: String,
    pub seats: u32,
    pub ballots: u64,
    pub names: Vec<String>,
    pub eligible: Vec<bool>,
    pub initial_quota: Decimal,
    pub omega_exp: u32,
    pub omega: Decimal,
    pub arithmetic: String,
    pub events: Vec<Event>,
}

impl Transcript {
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "\nElection: {}\n\n", self.title);
        s.push_str("\tCounter: charter-count\n");
        let _ = writeln!(
            s,
            "\tRule: Meek Parametric (omega = 1/10^{})",
            self.omega_exp
        );
        let _ = writeln!(s, "\tArithmetic: {}", self.arithmetic);
        let _ = writeln!(s, "\tSeats: {}", self.seats);
        let _ = writeln!(s, "\tBallots: {}", self.ballots);
        let _ = writeln!(s, "\tQuota: {}", self.initial_quota);
        let _ = writeln!(s, "\tOmega: {}", self.omega);
        s.push('\n');
        for (i, name) in self.names.iter().enumerate() {
            if self.eligible[i] {
                let _ = writeln!(s, "\tAdd eligible: {name}");
            }
        }
        for e in &self.events {
            match e {
                Event::Round(n) => {
                    let _ = writeln!(s, "Round {n}:");
                }
                Event::Log(m) => {
                    let _ = writeln!(s, "\t{m}");
                }
                Event::Action {
                    msg,
                    snapshot,
                    quota,
                    votes,
                    residual,
                    surplus,
                } => {
                    let _ = writeln!(s, "Action: {msg}");
                    if let Some(snap) = snapshot {
                        self.render_snapshot(&mut s, snap);
                    }
                    let total = Decimal {
                        units: votes.units + residual.units,
                        scale: votes.scale,
                    };
                    let _ = writeln!(s, "\tQuota: {quota}");
                    let _ = writeln!(s, "\tVotes: {votes}");
                    let _ = writeln!(s, "\tResidual: {residual}");
                    let _ = writeln!(s, "\tTotal: {total}");
                    let _ = writeln!(s, "\tSurplus: {surplus}");
                }
            }
        }
        s.push('\n');
        s
    }

    fn render_snapshot(&self, s: &mut String, snap: &[(CandidateState, Decimal)]) {
        let of = |want: CandidateState| {
            snap.iter()
                .enumerate()
                .filter(move |(_, (st, _))| *st == want)
                .map(|(i, (_, v))| (i, *v))
        };
        for (i, v) in of(CandidateState::Elected) {
            let _ = writeln!(s, "\tElected:  {} ({v})", self.names[i]);
        }
        for (i, v) in of(CandidateState::Hopeful) {
            let _ = writeln!(s, "\tHopeful:  {} ({v})", self.names[i]);
        }
        let mut zero = Vec::new();
        let mut zero_value = None;
        for (i, v) in of(CandidateState::Defeated) {
            if v.units > 0 {
                let _ = writeln!(s, "\tDefeated: {} ({v})", self.names[i]);
            } else if v.units == 0 {
                zero.push(self.names[i].as_str());
                zero_value = Some(v);
            }
        }
        if let Some(v) = zero_value {
            let _ = writeln!(s, "\tDefeated: {} ({v})", zero.join(", "));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Elected,
    Omega,
    Stable,
}

struct Meek<'a, N: Number> {
    election: &'a Election,
    p: &'a Prepared,
    seed: u64,
    seats: usize,
    state: Vec<State>,
    kf: Vec<N>,
    votes: Vec<N>,
    /// Ballots' weight left over after every keep (exhausted plus rounding), as counted.
    residual: N,
    exhausted: N,
    quota: N,
    total_votes: N,
    surplus: N,
    omega: N,
    nodes: Vec<Node>,
    pos: Vec<u32>,
    elected: Vec<u32>,
    history: Vec<Vec<N>>,
    events: Vec<Event>,
    rounds: Vec<Round>,
    ties: Vec<TieBreak>,
    round: u32,
    iterations: u32,
}

/// Counts by Meek's method; returns the report and the transcript.
pub fn count<N: Number>(
    election: &Election,
    p: &Prepared,
    method: &str,
    seed: u64,
    omega_exp: u32,
    arithmetic: &str,
) -> (Report, Transcript) {
    let n = election.candidates.len();
    let state: Vec<State> = election
        .candidates
        .iter()
        .map(|c| {
            if c.withdrawn {
                State::Withdrawn
            } else {
                State::Hopeful
            }
        })
        .collect();
    let mut m = Meek {
        election,
        p,
        seed,
        seats: election.seats as usize,
        kf: state
            .iter()
            .map(|s| {
                if *s == State::Hopeful {
                    N::one()
                } else {
                    N::zero()
                }
            })
            .collect(),
        state,
        votes: vec![N::zero(); n],
        residual: N::zero(),
        exhausted: N::zero(),
        quota: N::zero(),
        total_votes: N::from_u64(p.total),
        surplus: N::zero(),
        omega: N::pow10_inv(omega_exp),
        nodes: vec![Node::new(n)],
        pos: vec![0; p.len()],
        elected: Vec::new(),
        history: Vec::new(),
        events: Vec::new(),
        rounds: Vec::new(),
        ties: Vec::new(),
        round: 0,
        iterations: 0,
    };
    m.quota = m.calc_quota();
    let initial_quota = m.quota.to_decimal();
    m.run();
    let transcript = Transcript {
        title: election.title.clone(),
        seats: election.seats,
        ballots: p.total,
        names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        eligible: election.candidates.iter().map(|c| !c.withdrawn).collect(),
        initial_quota,
        omega_exp,
        omega: m.omega.to_decimal(),
        arithmetic: arithmetic.to_string(),
        events: std::mem::take(&mut m.events),
    };
    let notes = vec![format!(
        "{} iterations; omega = 1/10^{omega_exp}",
        m.iterations
    )];
    let report = Report {
        method: method.to_string(),
        title: election.title.clone(),
        seats: election.seats,
        candidate_names: transcript.names.clone(),
        quota: Some(m.quota.to_decimal()),
        elected: m.elected.iter().map(|&c| CandidateId(c)).collect(),
        rounds: m.rounds,
        tie_breaks: m.ties,
        notes,
    };
    (report, transcript)
}

impl<N: Number> Meek<'_, N> {
    fn name(&self, c: u32) -> &str {
        &self.election.candidates[c as usize].name
    }

    fn of_state(&self, s: State) -> Vec<u32> {
        (0..self.state.len() as u32)
            .filter(|&c| self.state[c as usize] == s)
            .collect()
    }

    fn seats_left(&self) -> usize {
        self.seats.saturating_sub(self.elected.len())
    }

    fn complete(&self) -> bool {
        self.of_state(State::Hopeful).len() <= self.seats_left() || self.seats_left() == 0
    }

    fn calc_quota(&self) -> N {
        let q = self.total_votes.div_int_down(self.seats as u64 + 1);
        if N::EXACT { q } else { q + N::epsilon() }
    }

    fn has_quota(&self, c: u32) -> bool {
        if N::EXACT {
            self.votes[c as usize] > self.quota
        } else {
            self.votes[c as usize] >= self.quota
        }
    }

    // ----- the tree of elected prefixes -----

    fn child(&mut self, node: usize, c: u32) -> usize {
        let slot = self.nodes[node].child_slot[c as usize];
        if slot > 0 {
            return self.nodes[node].children[slot as usize - 1].1 as usize;
        }
        let i = self.nodes.len();
        self.nodes.push(Node::new(self.state.len()));
        let parent = &mut self.nodes[node];
        parent.children.push((c, i as u32));
        parent.child_slot[c as usize] = parent.children.len() as u32;
        i
    }

    /// Files ballot `b` under the first continuing candidate at or after rank `k`.
    fn place(&mut self, mut node: usize, b: u32, mut k: usize) {
        let p = self.p;
        let ranking = p.ranking(b as usize);
        let w = p.weights[b as usize];
        loop {
            let Some(&c) = ranking.get(k) else {
                self.nodes[node].exhausted += w;
                return;
            };
            match self.state[c as usize] {
                State::Hopeful => {
                    self.pos[b as usize] = k as u32;
                    let n = &mut self.nodes[node];
                    match n.pile_slot[c as usize] {
                        0 => {
                            n.piles.push((c, vec![b], w));
                            n.pile_slot[c as usize] = n.piles.len() as u32;
                        }
                        slot => {
                            let pile = &mut n.piles[slot as usize - 1];
                            pile.1.push(b);
                            pile.2 += w;
                        }
                    }
                    return;
                }
                State::Elected => node = self.child(node, c),
                State::Defeated | State::Withdrawn => {}
            }
            k += 1;
        }
    }

    fn build(&mut self) {
        for b in 0..self.p.len() as u32 {
            self.place(0, b, 0);
        }
        self.update_subtrees();
    }

    /// Moves the ballots filed under `c` after its state changed.
    fn refile(&mut self, c: u32) {
        let elected = self.state[c as usize] == State::Elected;
        for node in 0..self.nodes.len() {
            let n = &mut self.nodes[node];
            let slot = std::mem::take(&mut n.pile_slot[c as usize]);
            if slot == 0 {
                continue;
            }
            let (_, ballots, _) = n.piles.swap_remove(slot as usize - 1);
            if let Some(&(moved, _, _)) = n.piles.get(slot as usize - 1) {
                n.pile_slot[moved as usize] = slot;
            }
            let target = if elected { self.child(node, c) } else { node };
            for b in ballots {
                let k = self.pos[b as usize] as usize + 1;
                self.place(target, b, k);
            }
        }
        self.update_subtrees();
    }

    fn update_subtrees(&mut self) {
        // Children are always created after their parent, so reverse order sees them first.
        for i in (0..self.nodes.len()).rev() {
            let node = &self.nodes[i];
            let mut t = node.exhausted + node.piles.iter().map(|p| p.2).sum::<u64>();
            for &(_, ch) in &node.children {
                t += self.nodes[ch as usize].subtree;
            }
            self.nodes[i].subtree = t;
        }
    }

    // ----- counting -----

    fn distribute(&mut self) {
        for c in 0..self.votes.len() {
            if matches!(self.state[c], State::Hopeful | State::Elected) {
                self.votes[c] = N::zero();
            }
        }
        self.exhausted = N::zero();
        self.walk(0, N::one());
        for i in 0..self.p.grouped.len() {
            let w = self.p.grouped[i].0;
            self.split(i, 0, N::one(), w);
        }
        let kept = (0..self.votes.len())
            .filter(|&c| matches!(self.state[c], State::Hopeful | State::Elected))
            .fold(N::zero(), |acc, c| acc + self.votes[c].clone());
        self.residual = N::from_u64(self.p.total) - kept;
    }

    fn walk(&mut self, node: usize, w: N) {
        let n = &self.nodes[node];
        for (c, _, count) in &n.piles {
            self.votes[*c as usize] += w.mul_int(*count);
        }
        self.exhausted += w.mul_int(n.exhausted);
        for k in 0..self.nodes[node].children.len() {
            let (e, ch) = self.nodes[node].children[k];
            let kf = &self.kf[e as usize];
            let keep = w.mul_down(kf);
            let rest = w.mul_down(&(N::one() - kf.clone()));
            let through = self.nodes[ch as usize].subtree;
            self.votes[e as usize] += keep.mul_int(through);
            if rest.is_positive() {
                self.walk(ch as usize, rest);
            }
        }
    }

    /// Distributes an equal-ranked ballot from group `g` on with weight `w`.
    fn split(&mut self, i: usize, mut g: usize, w: N, mult: u64) {
        let p = self.p;
        let groups = &p.grouped[i].1;
        let live = |c: &u32| matches!(self.state[*c as usize], State::Hopeful | State::Elected);
        while g < groups.len() && !groups[g].iter().any(live) {
            g += 1;
        }
        if g >= groups.len() {
            self.exhausted += w.mul_int(mult);
            return;
        }
        let cands: Vec<u32> = groups[g].iter().copied().filter(live).collect();
        let share = w.div_int_down(cands.len() as u64);
        for c in cands {
            let kf = self.kf[c as usize].clone();
            let keep = share.mul_down(&kf);
            let rest = share.mul_down(&(N::one() - kf));
            self.votes[c as usize] += keep.mul_int(mult);
            if rest.is_positive() {
                self.split(i, g + 1, rest, mult);
            }
        }
    }

    fn snapshot(&self) -> Vec<(CandidateState, Decimal)> {
        self.state
            .iter()
            .zip(&self.votes)
            .map(|(s, v)| {
                let st = match s {
                    State::Hopeful => CandidateState::Hopeful,
                    State::Elected => CandidateState::Elected,
                    State::Defeated => CandidateState::Defeated,
                    State::Withdrawn => CandidateState::Withdrawn,
                };
                (st, v.to_decimal())
            })
            .collect()
    }

    fn log_action(&mut self, msg: String, with_candidates: bool) {
        let votes = (0..self.votes.len())
            .filter(|&c| self.state[c] != State::Withdrawn)
            .fold(N::zero(), |acc, c| acc + self.votes[c].clone());
        self.events.push(Event::Action {
            msg,
            snapshot: with_candidates.then(|| self.snapshot()),
            quota: self.quota.to_decimal(),
            votes: votes.to_decimal(),
            residual: self.residual.to_decimal(),
            surplus: self.surplus.to_decimal(),
        });
    }

    fn record(&mut self, action: Action, reason: String) {
        let totals: Vec<Decimal> = self.votes.iter().map(|v| v.to_decimal()).collect();
        let transfers = match self.rounds.last() {
            Some(prev) => totals
                .iter()
                .zip(&prev.totals)
                .map(|(a, b)| Decimal {
                    units: a.units - b.units,
                    scale: a.scale,
                })
                .collect(),
            None => totals.clone(),
        };
        let kept = self.votes.iter().fold(N::zero(), |acc, v| acc + v.clone());
        let residual = N::from_u64(self.p.total) - kept - self.exhausted.clone();
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

    fn elect(&mut self, c: u32, msg: &str) {
        self.state[c as usize] = State::Elected;
        self.elected.push(c);
        self.refile(c);
        let m = format!("{msg}: {}", self.name(c));
        self.log_action(m, true);
    }

    fn defeat(&mut self, c: u32, msg: String) {
        self.state[c as usize] = State::Defeated;
        self.log_action(msg, true);
        self.kf[c as usize] = N::zero();
        self.votes[c as usize] = N::zero();
        self.refile(c);
        self.distribute();
    }

    fn iterate(&mut self) -> (Status, Vec<u32>) {
        let mut last = N::from_u64(self.p.total);
        loop {
            self.iterations += 1;
            self.distribute();
            self.total_votes = self
                .of_state(State::Hopeful)
                .into_iter()
                .chain(self.of_state(State::Elected))
                .fold(N::zero(), |acc, c| acc + self.votes[c as usize].clone());
            self.quota = self.calc_quota();
            let winners: Vec<u32> = self
                .of_state(State::Hopeful)
                .into_iter()
                .filter(|&c| self.has_quota(c))
                .collect();
            for &c in &winners {
                self.elect(c, "Elect");
            }
            self.surplus = self
                .of_state(State::Elected)
                .into_iter()
                .fold(N::zero(), |acc, c| {
                    acc + self.votes[c as usize].clone() - self.quota.clone()
                });
            if !winners.is_empty() {
                return (Status::Elected, winners);
            }
            if self.surplus <= self.omega {
                return (Status::Omega, winners);
            }
            if self.surplus >= last {
                self.events.push(Event::Log(format!(
                    "Stable state detected ({})",
                    self.surplus.to_decimal()
                )));
                return (Status::Stable, winners);
            }
            last = self.surplus.clone();
            for c in self.of_state(State::Elected) {
                let c = c as usize;
                if !self.votes[c].is_positive() {
                    // Cannot happen with real ballots (a winner keeps part of every ballot
                    // that reaches them); guarded so a malformed profile cannot divide by 0.
                    continue;
                }
                self.kf[c] = self.kf[c]
                    .mul_up(&self.quota)
                    .div_up(&self.votes[c])
                    .ceil_to_places(KEEP_FACTOR_PLACES);
            }
        }
    }

    fn run(&mut self) {
        self.build();
        // First preferences, as the transcript reports them before any iteration.
        for node in &self.nodes[0].piles {
            self.votes[node.0 as usize] += N::from_u64(node.2);
        }
        for (w, groups) in &self.p.grouped {
            if let Some(first) = groups.first() {
                let v = N::one().div_int_down(first.len() as u64).mul_int(*w);
                for &c in first {
                    self.votes[c as usize] += v.clone();
                }
            }
        }
        self.log_action("Begin Count".into(), true);
        self.exhausted = N::from_u64(self.nodes[0].exhausted);
        self.record(Action::FirstPreferences, "first preferences counted".into());
        self.history.push(self.votes.clone());

        while !self.complete() {
            self.round += 1;
            self.events.push(Event::Round(self.round));
            let before = self.iterations;
            let (status, winners) = self.iterate();
            let status_name = match status {
                Status::Elected => "elected",
                Status::Omega => "omega",
                Status::Stable => "stable",
            };
            self.log_action(format!("Iterate ({status_name})"), false);
            let iters = self.iterations - before;
            if status == Status::Elected {
                let names: Vec<String> =
                    winners.iter().map(|&c| self.name(c).to_string()).collect();
                let reason = format!(
                    "{} reached the quota ({}) after {iters} iteration(s)",
                    names.join(", "),
                    self.quota.to_decimal()
                );
                self.record(
                    Action::Elected(winners.iter().map(|&c| CandidateId(c)).collect()),
                    reason,
                );
                self.history.push(self.votes.clone());
                continue;
            }
            let hopeful = self.of_state(State::Hopeful);
            let low = hopeful
                .iter()
                .map(|&c| self.votes[c as usize].clone())
                .min()
                .expect("count not complete, so a hopeful candidate remains");
            // The surplus can be negative once a winner's vote falls below a quota that
            // shrank under them; the lowest candidate is always among the tied.
            let limit = low.clone() + self.surplus.clone().max(N::zero());
            let tied: Vec<u32> = hopeful
                .iter()
                .copied()
                .filter(|&c| self.votes[c as usize] <= limit)
                .collect();
            let round = self.rounds.len() as u32 + 1;
            let x = break_tie(
                &tied,
                &self.history,
                Want::Lowest,
                self.seed,
                round,
                "defeat (votes within the surplus of the lowest)",
                &mut self.ties,
            );
            let surplus = self.surplus.to_decimal();
            let (msg, why) = match status {
                Status::Omega => (
                    format!("Defeat (surplus {surplus} < omega): {}", self.name(x)),
                    format!("surplus {surplus} at most omega"),
                ),
                _ => (
                    format!("Defeat (stable surplus {surplus}): {}", self.name(x)),
                    format!("surplus {surplus} no longer falling"),
                ),
            };
            let reason = format!(
                "{} defeated with the fewest votes ({}) after {iters} iteration(s); {why}",
                self.name(x),
                self.votes[x as usize].to_decimal()
            );
            self.record(Action::Excluded(vec![CandidateId(x)]), reason);
            self.history.push(self.votes.clone());
            self.defeat(x, msg);
        }

        let mut late_elected = Vec::new();
        let mut late_defeated = Vec::new();
        for c in self.of_state(State::Hopeful) {
            if self.elected.len() < self.seats {
                late_elected.push(c);
                self.elect(c, "Elect remaining");
            } else {
                late_defeated.push(c);
                let msg = format!("Defeat remaining: {}", self.name(c));
                self.defeat(c, msg);
            }
        }
        let elected_votes = self
            .of_state(State::Elected)
            .into_iter()
            .fold(N::zero(), |acc, c| acc + self.votes[c as usize].clone());
        self.residual = N::from_u64(self.p.total) - elected_votes;
        self.log_action("Count Complete".into(), true);
        if !late_elected.is_empty() {
            let names: Vec<&str> = late_elected.iter().map(|&c| self.name(c)).collect();
            let reason = format!(
                "{} elected: no more continuing candidates than vacancies",
                names.join(", ")
            );
            self.record(
                Action::Elected(late_elected.iter().map(|&c| CandidateId(c)).collect()),
                reason,
            );
        }
        let reason = if late_defeated.is_empty() {
            "count complete".to_string()
        } else {
            let names: Vec<&str> = late_defeated.iter().map(|&c| self.name(c)).collect();
            format!(
                "count complete: every seat filled; {} defeated",
                names.join(", ")
            )
        };
        self.record(Action::Finished, reason);
    }
}
