//! The result of a count: what every method returns and every renderer (text, JSON, HTML) reads.

use crate::model::CandidateId;

/// An exact decimal value: `units / 10^scale`. Methods convert their own arithmetic
/// (fixed point, integers, rationals) into this for reporting; nothing here is a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    pub units: i128,
    pub scale: u32,
}

impl Decimal {
    pub const fn whole(n: i128) -> Self {
        Decimal { units: n, scale: 0 }
    }

    /// `units` re-expressed at `scale` decimal places (truncated), saturating: only to draw
    /// and compare for display, never to count.
    pub fn at_scale(self, scale: u32) -> i128 {
        if scale >= self.scale {
            10i128
                .checked_pow(scale - self.scale)
                .and_then(|p| self.units.checked_mul(p))
                .unwrap_or(if self.units < 0 { i128::MIN } else { i128::MAX })
        } else {
            10i128
                .checked_pow(self.scale - scale)
                .map_or(0, |p| self.units / p)
        }
    }
}

/// A number that is not a decimal written with plain digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decimal written with plain digits")]
pub struct DecimalError(pub String);

/// Reads a decimal as [`Display`](std::fmt::Display) writes it (`12`, `-0.99`,
/// `1300.00000`), keeping its scale. At most 18 places, so that any value read can be shown
/// again.
impl std::str::FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || DecimalError(text.to_string());
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 18 {
            return Err(bad());
        }
        let units: i128 = format!("{whole}{frac}").parse().map_err(|_| bad())?;
        Ok(Decimal {
            units: if negative { -units } else { units },
            scale: u32::try_from(frac.len()).map_err(|_| bad())?,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let pow = 10i128.pow(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        let pow = pow as u128;
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / pow,
            abs % pow,
            width = self.scale as usize
        )
    }
}

/// What happened in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// First-preference totals, before any election or exclusion.
    FirstPreferences,
    Elected(Vec<CandidateId>),
    /// A surplus of an elected candidate was transferred.
    SurplusTransferred(CandidateId),
    Excluded(Vec<CandidateId>),
    /// Remaining seats filled by the remaining candidates (or the count otherwise finished).
    Finished,
    /// Methods without rounds (plurality, approval, Schulze, yes/no) report one round of this.
    Decided,
}

/// A tie and how it was broken, so every tie-break appears in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TieBreak {
    pub round: u32,
    pub tied: Vec<CandidateId>,
    pub chosen: CandidateId,
    /// The rule that decided it, e.g. "earlier round 2 totals" or "lot, seed 42".
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub number: u32,
    /// Every candidate's total at the end of this round, indexed by candidate.
    pub totals: Vec<Decimal>,
    /// Change in each candidate's total during this round (transfers in/out).
    pub transfers: Vec<Decimal>,
    pub exhausted: Decimal,
    /// Votes lost to rounding, where the method's arithmetic loses any.
    pub residual: Option<Decimal>,
    pub quota: Option<Decimal>,
    pub action: Action,
    /// Why this action was taken, in words a returning officer can read.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Method name as given on the command line, e.g. "scottish-stv".
    pub method: String,
    pub title: String,
    pub seats: u32,
    pub candidate_names: Vec<String>,
    pub quota: Option<Decimal>,
    /// In order of election.
    pub elected: Vec<CandidateId>,
    pub rounds: Vec<Round>,
    pub tie_breaks: Vec<TieBreak>,
    /// Any further notes (e.g. the Condorcet winner, thresholds met), one per line.
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn numbers_keep_their_digits() {
        let d: Decimal = "1300.00000".parse().unwrap();
        assert_eq!(
            (d.to_string().as_str(), d.units, d.scale),
            ("1300.00000", 130_000_000, 5)
        );
        let parse = |s: &str| s.parse::<Decimal>();
        assert_eq!(parse("-0.99").unwrap().units, -99);
        assert_eq!(parse("12").unwrap().at_scale(2), 1200);
        assert_eq!(parse("4.019").unwrap().at_scale(2), 401);
        for bad in [
            "",
            "1e5",
            "abc",
            ".5",
            "1.2.3",
            "--1",
            "1.0000000000000000000",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
