//! Minneapolis multi-winner ranked-choice rules and the cast-vote-record workbooks the city
//! publishes.
//!
//! The count itself is the weighted-inclusive-Gregory engine ([`super::gregory`]) with the
//! city's differences:
//! - four decimal places;
//! - threshold ⌊V ÷ (seats + 1)⌋ + 1 where V is the first-round count of ballots that rank
//!   anyone, fixed for the whole count;
//! - every candidate at or over the threshold in a round is elected in that round, and each
//!   winner's surplus is transferred in a round of its own, even when it is zero;
//! - one candidate eliminated a round; ties by earlier rounds, then the published lot.
//!
//! The workbook (one row per ballot: precinct, 1st/2nd/3rd choice, count) marks ranks as a
//! candidate's name, `undervote` (no mark), `overvote` (two marks) or `UWI` (an undeclared
//! write-in, counted as the pseudo-candidate "Undeclared Write-ins"). An overvote passes to
//! the next rank; more than [`CvrRules::max_skipped_ranks`] consecutive unmarked ranks end
//! the ballot; a candidate marked twice counts at the first mark only. A ballot with no mark
//! at all is an undervote and is not part of the count; one whose marks are all overvotes
//! is counted as exhausted from the start.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::merge::merge_ballots;
use crate::model::{Ballot, Candidate, CandidateId, Election};

/// The pseudo-candidate undeclared write-ins are counted as, as the city's reports name it.
pub const WRITE_IN_NAME: &str = "Undeclared Write-ins";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvrRules {
    pub overvote_label: String,
    pub undervote_label: String,
    pub write_in_label: String,
    pub max_skipped_ranks: usize,
    /// 0-based columns holding the choices, in rank order.
    pub choice_columns: std::ops::Range<usize>,
    /// 0-based column holding how many ballots the row stands for, if any.
    pub count_column: Option<usize>,
    /// Rows before the first ballot (headers).
    pub header_rows: usize,
}

impl Default for CvrRules {
    /// The 2013 Park Board configuration.
    fn default() -> Self {
        CvrRules {
            overvote_label: "overvote".into(),
            undervote_label: "undervote".into(),
            write_in_label: "UWI".into(),
            max_skipped_ranks: 2,
            choice_columns: 1..4,
            count_column: Some(4),
            header_rows: 1,
        }
    }
}

/// The ballots of a workbook, and the ballots left out of the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvrElection {
    pub election: Election,
    /// Ballots with no mark at any rank.
    pub undervotes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CvrError {
    #[error("cannot read the workbook: {0}")]
    Workbook(String),
    #[error("the workbook has no worksheet")]
    NoSheet,
    #[error("row {row}, column {column}: unknown candidate {name:?}")]
    UnknownCandidate {
        row: usize,
        column: usize,
        name: String,
    },
    #[error("row {row}: ballot count {value:?} is not a whole positive number")]
    BadCount { row: usize, value: String },
}

enum Mark {
    Candidate(u32),
    Skip,
    Over,
}

/// Reads a cast-vote-record workbook into an election for `candidates` (the write-in
/// pseudo-candidate is added after them).
pub fn read_cvr_xlsx(
    bytes: &[u8],
    candidates: &[&str],
    seats: u32,
    rules: &CvrRules,
) -> Result<CvrElection, CvrError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| CvrError::Workbook(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(CvrError::NoSheet)?
        .map_err(|e| CvrError::Workbook(e.to_string()))?;
    let index: HashMap<&str, u32> = candidates
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i as u32))
        .collect();
    let write_in = candidates.len() as u32;
    let mut undervotes = 0u64;
    let mut ballots = Vec::new();
    for (r, row) in range.rows().enumerate().skip(rules.header_rows) {
        let weight = match rules.count_column.and_then(|c| row.get(c)) {
            None | Some(Data::Empty) => 1,
            Some(Data::Int(i)) if *i > 0 => *i as u64,
            // Spreadsheets store every number as a float; a count must be whole.
            Some(Data::Float(f)) if *f >= 1.0 && f.fract() == 0.0 && *f < 1e15 => *f as u64,
            Some(other) => {
                return Err(CvrError::BadCount {
                    row: r + 1,
                    value: other.to_string(),
                });
            }
        };
        let mut marks = Vec::new();
        for c in rules.choice_columns.clone() {
            let text = match row.get(c) {
                None | Some(Data::Empty) => String::new(),
                Some(d) => d.to_string(),
            };
            let text = text.trim();
            let mark = if text.is_empty() || text == rules.undervote_label {
                Mark::Skip
            } else if text == rules.overvote_label {
                Mark::Over
            } else if text == rules.write_in_label {
                Mark::Candidate(write_in)
            } else {
                match index.get(text) {
                    Some(&i) => Mark::Candidate(i),
                    None => {
                        return Err(CvrError::UnknownCandidate {
                            row: r + 1,
                            column: c + 1,
                            name: text.to_string(),
                        });
                    }
                }
            };
            marks.push(mark);
        }
        if marks.iter().all(|m| matches!(m, Mark::Skip)) {
            undervotes += weight;
            continue;
        }
        let mut ranks = Vec::new();
        let mut skipped = 0;
        for m in marks {
            match m {
                Mark::Skip => {
                    skipped += 1;
                    if skipped > rules.max_skipped_ranks {
                        break;
                    }
                }
                Mark::Over => skipped = 0,
                Mark::Candidate(c) => {
                    skipped = 0;
                    ranks.push(vec![CandidateId(c)]);
                }
            }
        }
        ballots.push(Ballot { weight, ranks });
    }
    let mut all: Vec<Candidate> = candidates
        .iter()
        .map(|n| Candidate {
            name: n.to_string(),
            nick: None,
            withdrawn: false,
        })
        .collect();
    all.push(Candidate {
        name: WRITE_IN_NAME.into(),
        nick: None,
        withdrawn: false,
    });
    let ballots = merge_ballots(ballots).map_err(|_| CvrError::BadCount {
        row: 0,
        value: "total beyond 2^64".into(),
    })?;
    Ok(CvrElection {
        election: Election {
            title: String::new(),
            seats,
            candidates: all,
            ballots,
        },
        undervotes,
    })
}
