//! A yes/no question (a motion, a referendum) decided by a threshold over a base.
//!
//! Constitutions differ in both: "a simple majority of votes cast", "two thirds of members
//! present", "an absolute majority of the membership". Counts come from wherever the votes were
//! taken (a meeting's show of hands, a ballot), so this takes counts, not ballots.
//!
//! - [`Threshold::SimpleMajority`]: more yes than no. Abstentions and the base do not matter.
//! - [`Threshold::AbsoluteMajority`]: yes is more than half of the base.
//! - [`Threshold::TwoThirds`], [`Threshold::ThreeQuarters`]: yes is at least that share of
//!   the base ("at least two thirds", as most rules are worded).
//! - [`Threshold::AtLeast`] / [`Threshold::MoreThan`]: any other fraction of the base.
//!
//! The base is the votes cast (yes + no), those present (so abstaining counts against), or
//! the whole electorate (so not voting counts against).
//!
//! Nothing carries without at least one yes, even against an empty base.

use crate::model::CandidateId;
use crate::report::{Action, Decimal, Report, Round};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    /// Those present (or voting at all), needed for [`Base::Present`]; at least yes + no + abstain.
    pub present: Option<u64>,
    /// Everyone entitled to vote, needed for [`Base::Electorate`]; at least `present`.
    pub electorate: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    SimpleMajority,
    AbsoluteMajority,
    TwoThirds,
    ThreeQuarters,
    AtLeast { numerator: u64, denominator: u64 },
    MoreThan { numerator: u64, denominator: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    VotesCast,
    Present,
    Electorate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub carried: bool,
    /// The base's size.
    pub base: u64,
    /// The fewest yes votes that would have carried it.
    pub yes_needed: u64,
    /// In words, e.g. "carried: 70 yes of 100 present, at least 67 needed (two thirds)".
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YesNoError {
    #[error("the number present is needed for a threshold of those present")]
    PresentMissing,
    #[error("the electorate size is needed for a threshold of the whole electorate")]
    ElectorateMissing,
    #[error("present ({present}) is fewer than the votes recorded ({recorded})")]
    PresentTooSmall { present: u64, recorded: u64 },
    #[error("electorate ({electorate}) is smaller than the number present or voting ({present})")]
    ElectorateTooSmall { electorate: u64, present: u64 },
    #[error("threshold fraction {numerator}/{denominator} is not between 0 and 1")]
    BadFraction { numerator: u64, denominator: u64 },
}

impl Threshold {
    fn describe(self) -> String {
        match self {
            Threshold::SimpleMajority => "simple majority".into(),
            Threshold::AbsoluteMajority => "more than half".into(),
            Threshold::TwoThirds => "two thirds".into(),
            Threshold::ThreeQuarters => "three quarters".into(),
            Threshold::AtLeast {
                numerator,
                denominator,
            } => format!("at least {numerator}/{denominator}"),
            Threshold::MoreThan {
                numerator,
                denominator,
            } => format!("more than {numerator}/{denominator}"),
        }
    }
}

pub fn decide(counts: Counts, threshold: Threshold, base: Base) -> Result<Decision, YesNoError> {
    let recorded = u128::from(counts.yes) + u128::from(counts.no) + u128::from(counts.abstain);
    let voting = counts.present.map_or(recorded, u128::from);
    if let Some(p) = counts.present
        && u128::from(p) < recorded
    {
        return Err(YesNoError::PresentTooSmall {
            present: p,
            recorded: u64::try_from(recorded).unwrap_or(u64::MAX),
        });
    }
    if let Some(e) = counts.electorate
        && u128::from(e) < voting
    {
        return Err(YesNoError::ElectorateTooSmall {
            electorate: e,
            present: u64::try_from(voting).unwrap_or(u64::MAX),
        });
    }
    let (base_n, base_name) = match base {
        Base::VotesCast => (u128::from(counts.yes) + u128::from(counts.no), "votes cast"),
        Base::Present => (
            u128::from(counts.present.ok_or(YesNoError::PresentMissing)?),
            "present",
        ),
        Base::Electorate => (
            u128::from(counts.electorate.ok_or(YesNoError::ElectorateMissing)?),
            "in the electorate",
        ),
    };
    let yes = u128::from(counts.yes);
    // The least yes that passes: `strict` means yes * den > num * base, else >=.
    let fraction = |num: u64, den: u64, strict: bool| -> Result<u128, YesNoError> {
        if den == 0 || num > den {
            return Err(YesNoError::BadFraction {
                numerator: num,
                denominator: den,
            });
        }
        let (num, den) = (u128::from(num), u128::from(den));
        let exact = num * base_n;
        Ok(if strict {
            exact / den + 1
        } else {
            exact.div_ceil(den)
        })
    };
    let needed = match threshold {
        Threshold::SimpleMajority => u128::from(counts.no) + 1,
        Threshold::AbsoluteMajority => fraction(1, 2, true)?,
        Threshold::TwoThirds => fraction(2, 3, false)?,
        Threshold::ThreeQuarters => fraction(3, 4, false)?,
        Threshold::AtLeast {
            numerator,
            denominator,
        } => fraction(numerator, denominator, false)?,
        Threshold::MoreThan {
            numerator,
            denominator,
        } => fraction(numerator, denominator, true)?,
    };
    // "At least two thirds of nobody" is zero; a question nobody supported still fails.
    let needed = needed.max(1);
    let carried = yes >= needed;
    let explanation = if threshold == Threshold::SimpleMajority {
        format!(
            "{}: {} yes, {} no, {} abstaining; more yes than no needed (simple majority)",
            if carried { "carried" } else { "not carried" },
            counts.yes,
            counts.no,
            counts.abstain
        )
    } else {
        format!(
            "{}: {} yes of {base_n} {base_name}, at least {needed} needed ({})",
            if carried { "carried" } else { "not carried" },
            counts.yes,
            threshold.describe()
        )
    };
    Ok(Decision {
        carried,
        base: u64::try_from(base_n).unwrap_or(u64::MAX),
        yes_needed: u64::try_from(needed).unwrap_or(u64::MAX),
        explanation,
    })
}

/// The decision as a [`Report`] with the options "Yes", "No" and "Abstain"; the winning
/// option ("Yes" if carried, else "No") is reported as elected.
pub fn report(
    title: &str,
    counts: Counts,
    threshold: Threshold,
    base: Base,
) -> Result<Report, YesNoError> {
    let d = decide(counts, threshold, base)?;
    let whole = |n: u64| Decimal::whole(i128::from(n));
    let totals = vec![whole(counts.yes), whole(counts.no), whole(counts.abstain)];
    let mut notes = vec![d.explanation.clone()];
    if let Some(p) = counts.present {
        notes.push(format!("present: {p}"));
    }
    if let Some(e) = counts.electorate {
        notes.push(format!("electorate: {e}"));
    }
    Ok(Report {
        method: "yes-no".into(),
        title: title.to_string(),
        seats: 1,
        candidate_names: vec!["Yes".into(), "No".into(), "Abstain".into()],
        quota: Some(whole(d.yes_needed)),
        elected: vec![CandidateId(if d.carried { 0 } else { 1 })],
        rounds: vec![Round {
            number: 1,
            transfers: totals.clone(),
            totals,
            exhausted: whole(0),
            residual: None,
            quota: Some(whole(d.yes_needed)),
            action: Action::Decided,
            reason: d.explanation,
        }],
        tie_breaks: Vec::new(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(yes: u64, no: u64, abstain: u64) -> Counts {
        Counts {
            yes,
            no,
            abstain,
            present: None,
            electorate: None,
        }
    }

    #[test]
    fn simple_majority_ignores_abstentions() {
        let d = decide(
            counts(10, 9, 50),
            Threshold::SimpleMajority,
            Base::VotesCast,
        )
        .unwrap();
        assert!(d.carried);
        assert!(
            !decide(counts(9, 9, 0), Threshold::SimpleMajority, Base::VotesCast)
                .unwrap()
                .carried
        );
    }

    #[test]
    fn two_thirds_is_at_least() {
        let d = decide(counts(66, 33, 0), Threshold::TwoThirds, Base::VotesCast).unwrap();
        assert!(d.carried);
        assert_eq!(d.yes_needed, 66);
        let d = decide(counts(65, 34, 0), Threshold::TwoThirds, Base::VotesCast).unwrap();
        assert!(!d.carried);
        let d = decide(counts(3, 1, 0), Threshold::ThreeQuarters, Base::VotesCast).unwrap();
        assert!(d.carried);
    }

    #[test]
    fn bases_count_abstentions_and_absence_against() {
        let c = Counts {
            yes: 51,
            no: 40,
            abstain: 9,
            present: Some(110),
            electorate: Some(200),
        };
        assert!(
            decide(c, Threshold::AbsoluteMajority, Base::VotesCast)
                .unwrap()
                .carried
        );
        let d = decide(c, Threshold::AbsoluteMajority, Base::Present).unwrap();
        assert_eq!(d.yes_needed, 56);
        assert!(!d.carried);
        let d = decide(c, Threshold::AbsoluteMajority, Base::Electorate).unwrap();
        assert_eq!(d.yes_needed, 101);
        assert!(
            d.explanation
                .starts_with("not carried: 51 yes of 200 in the electorate")
        );
    }

    #[test]
    fn inconsistent_counts_are_refused() {
        let c = Counts {
            present: Some(5),
            ..counts(5, 5, 0)
        };
        assert!(matches!(
            decide(c, Threshold::TwoThirds, Base::Present),
            Err(YesNoError::PresentTooSmall { .. })
        ));
        assert_eq!(
            decide(counts(1, 0, 0), Threshold::TwoThirds, Base::Present),
            Err(YesNoError::PresentMissing)
        );
        let bad = Threshold::AtLeast {
            numerator: 3,
            denominator: 2,
        };
        assert!(decide(counts(1, 0, 0), bad, Base::VotesCast).is_err());
    }

    #[test]
    fn nothing_carries_without_a_yes() {
        let d = decide(counts(0, 0, 3), Threshold::TwoThirds, Base::VotesCast).unwrap();
        assert!(!d.carried);
        assert_eq!(d.yes_needed, 1);
        let any_share = Threshold::AtLeast {
            numerator: 0,
            denominator: 1,
        };
        assert!(
            !decide(counts(0, 5, 0), any_share, Base::VotesCast)
                .unwrap()
                .carried
        );
        assert!(
            decide(counts(1, 5, 0), any_share, Base::VotesCast)
                .unwrap()
                .carried
        );
    }

    #[test]
    fn report_names_the_outcome() {
        let r = report(
            "Motion 4",
            counts(70, 30, 5),
            Threshold::TwoThirds,
            Base::VotesCast,
        )
        .unwrap();
        assert_eq!(r.elected, vec![CandidateId(0)]);
        assert_eq!(r.quota, Some(Decimal::whole(67)));
    }
}
