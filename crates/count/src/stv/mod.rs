//! Single transferable vote in its common rule sets, and instant runoff.
//!
//! Call [`count`] with a method and [`StvOptions`]; every method returns a [`Report`] with
//! one [`Round`](crate::report::Round) per stage, and every tie-break in
//! [`Report::tie_breaks`]. Meek also has a transcript in the layout of other counters
//! ([`meek_transcript`]) so that a count can be diffed against theirs.
//!
//! | method | rule | arithmetic |
//! |---|---|---|
//! | [`StvMethod::ScottishStv`] | Scottish Local Government Elections Order 2007/2011 | fixed point, 5 places, truncated |
//! | [`StvMethod::Meek`] | Hill–Wichmann–Woodall Algorithm 123 / NZ | fixed point, 9 places (default) or big rationals |
//! | [`StvMethod::Wigm`] | weighted inclusive Gregory | fixed point, 9 places, truncated |
//! | [`StvMethod::Ers97`] | Electoral Reform Society 1997 | fixed point, 2 places, truncated |
//! | [`StvMethod::Irv`] | instant runoff, one seat | whole votes |
//! | [`StvMethod::Minneapolis`] | Minneapolis multi-winner ranked choice | fixed point, 4 places |

pub mod arith;
pub mod ers97;
pub mod gregory;
pub mod meek;
#[cfg(feature = "xlsx")]
pub mod minneapolis;
pub mod prepare;
pub mod ties;

use arith::{Exact, Fixed};
use prepare::{EqualRanks, Prepared};

use crate::model::Election;
use crate::report::Report;

/// The rule set to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StvMethod {
    ScottishStv,
    Meek,
    Wigm,
    Ers97,
    Irv,
    /// Minneapolis multi-winner rules (2013 Park Board), see [`minneapolis`].
    Minneapolis,
}

impl StvMethod {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            StvMethod::ScottishStv => "scottish-stv",
            StvMethod::Meek => "meek",
            StvMethod::Wigm => "wigm",
            StvMethod::Ers97 => "ers97",
            StvMethod::Irv => "irv",
            StvMethod::Minneapolis => "minneapolis",
        }
    }

    pub fn from_name(name: &str) -> Option<StvMethod> {
        Some(match name {
            "scottish-stv" => StvMethod::ScottishStv,
            "meek" => StvMethod::Meek,
            "wigm" => StvMethod::Wigm,
            "ers97" => StvMethod::Ers97,
            "irv" => StvMethod::Irv,
            "minneapolis" => StvMethod::Minneapolis,
            _ => return None,
        })
    }
}

/// How Meek's method does its arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MeekArithmetic {
    /// Fixed point with nine decimal places: the convention of published Meek counts.
    #[default]
    Fixed9,
    /// Rational arithmetic on big integers: every vote, weight and quota exact; only keep
    /// factors are rounded (up, to [`meek::KEEP_FACTOR_PLACES`] places) so that the count
    /// finishes. Slower than fixed point.
    Exact,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StvOptions {
    /// Seed of the lot that breaks ties nothing else breaks. Published with the result so
    /// anyone can repeat the draw; 0 by default.
    pub seed: u64,
    pub meek_arithmetic: MeekArithmetic,
    /// Meek iterations stop when the total surplus is at most 10^-omega; `None` takes 6 for
    /// fixed point and 10 for exact arithmetic.
    pub meek_omega: Option<u32>,
}

impl Default for StvOptions {
    fn default() -> Self {
        StvOptions {
            seed: 0,
            meek_arithmetic: MeekArithmetic::Fixed9,
            meek_omega: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    #[error("the election has no seats to fill")]
    NoSeats,
    #[error("the election has no candidates")]
    NoCandidates,
    #[error("{method} fills one seat, but the election has {seats}")]
    SingleSeatOnly { method: &'static str, seats: u32 },
    #[error("ballot ranks candidate {candidate}, but there are only {count} candidates")]
    UnknownCandidate { candidate: u32, count: usize },
    #[error("too many votes for this arithmetic: {total} ballots")]
    TooManyVotes { total: u64 },
}

/// Counts `election` by `method`.
pub fn count(
    election: &Election,
    method: StvMethod,
    options: &StvOptions,
) -> Result<Report, CountError> {
    validate(election, method)?;
    let name = method.name();
    let seed = options.seed;
    Ok(match method {
        StvMethod::ScottishStv => {
            let p = Prepared::new(election, EqualRanks::Stop)?;
            gregory::count::<Fixed<5>>(election, &p, gregory::Rule::Scottish, name, seed)
        }
        StvMethod::Wigm => {
            let p = Prepared::new(election, EqualRanks::Stop)?;
            gregory::count::<Fixed<9>>(election, &p, gregory::Rule::Wigm, name, seed)
        }
        StvMethod::Irv => {
            let p = Prepared::new(election, EqualRanks::Stop)?;
            gregory::count::<Fixed<0>>(election, &p, gregory::Rule::Irv, name, seed)
        }
        StvMethod::Minneapolis => {
            let p = Prepared::new(election, EqualRanks::Stop)?;
            gregory::count::<Fixed<4>>(election, &p, gregory::Rule::Minneapolis, name, seed)
        }
        StvMethod::Ers97 => {
            let p = Prepared::new(election, EqualRanks::Stop)?;
            ers97::count(election, &p, name, seed)
        }
        StvMethod::Meek => meek_transcript(election, options)?.0,
    })
}

/// Counts by Meek's method and also returns the transcript, printable with
/// [`meek::Transcript::render`] in the layout Droop and stv-rs print.
pub fn meek_transcript(
    election: &Election,
    options: &StvOptions,
) -> Result<(Report, meek::Transcript), CountError> {
    validate(election, StvMethod::Meek)?;
    let p = Prepared::new(election, EqualRanks::Split)?;
    let name = StvMethod::Meek.name();
    Ok(match options.meek_arithmetic {
        MeekArithmetic::Fixed9 => meek::count::<Fixed<9>>(
            election,
            &p,
            name,
            options.seed,
            options.meek_omega.unwrap_or(6),
            "fixed-point decimal arithmetic (9 places)",
        ),
        MeekArithmetic::Exact => meek::count::<Exact>(
            election,
            &p,
            name,
            options.seed,
            options.meek_omega.unwrap_or(10),
            "exact rational arithmetic",
        ),
    })
}

fn validate(election: &Election, method: StvMethod) -> Result<(), CountError> {
    if election.candidates.is_empty() {
        return Err(CountError::NoCandidates);
    }
    if election.seats == 0 {
        return Err(CountError::NoSeats);
    }
    if method == StvMethod::Irv && election.seats != 1 {
        return Err(CountError::SingleSeatOnly {
            method: "irv",
            seats: election.seats,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
