//! The shared input and output types every parser, method and renderer agrees on.

/// Index of a candidate in [`Election::candidates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CandidateId(pub u32);

impl CandidateId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// A short name from a `[nick …]` line, when the file gives one.
    pub nick: Option<String>,
    /// Withdrawn before the count: never elected, preferences for them are skipped.
    pub withdrawn: bool,
}

/// One distinct ranking and how many voters cast it.
///
/// `ranks[0]` is the first preference. Each rank is a group of candidates ranked
/// equally (`a=b` in BLT); most ballots have groups of one. Parsers merge identical
/// rankings so memory follows distinct rankings, not voters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub weight: u64,
    pub ranks: Vec<Vec<CandidateId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    pub title: String,
    pub seats: u32,
    pub candidates: Vec<Candidate>,
    pub ballots: Vec<Ballot>,
}

impl Election {
    /// Total number of voters (sum of ballot weights).
    pub fn total_votes(&self) -> u64 {
        self.ballots.iter().map(|b| b.weight).sum()
    }
}
