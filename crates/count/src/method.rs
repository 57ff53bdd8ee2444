//! The counting methods by name, and the one call that counts an election by any of them.
//! The constitution names a method, `charter count --method` names one, and both come here.

use crate::methods;
use crate::report::Report;
use crate::stv::{self, StvMethod, StvOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Method {
    Plurality,
    Approval,
    Irv,
    ScottishStv,
    Meek,
    Wigm,
    Ers97,
    Schulze,
    /// The Condorcet winner and loser, with every pairwise contest.
    Condorcet,
    /// A yes/no question: options named Yes, No and (optionally) Abstain, decided by
    /// `--threshold` over `--base`.
    YesNo,
}

impl Method {
    /// Every method, in the order `--help` lists them.
    pub const ALL: [Method; 10] = [
        Method::Plurality,
        Method::Approval,
        Method::Irv,
        Method::ScottishStv,
        Method::Meek,
        Method::Wigm,
        Method::Ers97,
        Method::Schulze,
        Method::Condorcet,
        Method::YesNo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Plurality => "plurality",
            Method::Approval => "approval",
            Method::Irv => "irv",
            Method::ScottishStv => "scottish-stv",
            Method::Meek => "meek",
            Method::Wigm => "wigm",
            Method::Ers97 => "ers97",
            Method::Schulze => "schulze",
            Method::Condorcet => "condorcet",
            Method::YesNo => "yes-no",
        }
    }

    /// The STV-family method this is, counted round by round by [`stv::count`].
    pub fn stv(self) -> Option<StvMethod> {
        match self {
            Method::Irv => Some(StvMethod::Irv),
            Method::ScottishStv => Some(StvMethod::ScottishStv),
            Method::Meek => Some(StvMethod::Meek),
            Method::Wigm => Some(StvMethod::Wigm),
            Method::Ers97 => Some(StvMethod::Ers97),
            Method::Plurality
            | Method::Approval
            | Method::Schulze
            | Method::Condorcet
            | Method::YesNo => None,
        }
    }

    /// The method a name given by a constitution or a command line stands for.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Counts `election` by a ranked or plurality-style `method` (every method but yes-no, whose
/// threshold and base come from elsewhere). The count `charter count` runs on the same file.
pub fn count_by(
    election: &crate::Election,
    method: Method,
    options: &StvOptions,
) -> Result<Report, stv::CountError> {
    Ok(match method {
        Method::Plurality => methods::plurality::count(election, options.seed),
        Method::Approval => methods::approval::count(election, options.seed),
        Method::Schulze => methods::schulze::count(election, options.seed),
        Method::Condorcet => methods::condorcet::count(election),
        m => {
            // Every remaining method is in the STV family (yes-no is counted by threshold).
            let method = m.stv().unwrap_or(StvMethod::Irv);
            stv::count(election, method, options)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_is_found_by_its_name_and_stv_names_agree() {
        for m in Method::ALL {
            assert_eq!(Method::from_name(m.name()), Some(m));
            if let Some(s) = m.stv() {
                assert_eq!(StvMethod::from_name(m.name()), Some(s), "{m:?}");
            }
        }
        assert_eq!(Method::from_name("Meek"), None);
    }
}
