//! What became of each candidate in a count, read from its rounds. The count's transcripts and
//! any page showing a stored record (read back by [`crate::render::json::read`]) ask here, so
//! the rule is written once.

use std::fmt;

use crate::report::{Action, Report, Round};

/// A candidate's fate at the end of a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Elected `order`-th (from 0) in the order of election, in round `round` (0 when the
    /// count has no rounds).
    Elected { round: u32, order: usize },
    /// Excluded in round `round`.
    Excluded { round: u32 },
    /// Neither elected nor excluded: still in the count when it ended.
    Continuing,
}

impl Fate {
    /// The round the fate was decided in, if it was.
    pub fn round(self) -> Option<u32> {
        match self {
            Fate::Elected { round, .. } | Fate::Excluded { round } => Some(round),
            Fate::Continuing => None,
        }
    }

    pub fn is_elected(self) -> bool {
        matches!(self, Fate::Elected { .. })
    }

    /// Shorter words, for a table that marks the round in its own cells: "elected 1st" (just
    /// "elected" when `elected`, the number elected, is one, as there is no order to tell),
    /// "excluded in round 3", and nothing while continuing.
    pub fn brief(self, elected: usize) -> String {
        match self {
            Fate::Elected { .. } if elected == 1 => "elected".into(),
            Fate::Elected { order, .. } => format!("elected {}", ordinal(order + 1)),
            Fate::Excluded { round } => format!("excluded in round {round}"),
            Fate::Continuing => String::new(),
        }
    }
}

/// "elected 1st (round 4)", "excluded (round 3)", and nothing while continuing: the status
/// column of the count's transcripts.
impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fate::Elected { round, order } => {
                write!(f, "elected {} (round {round})", ordinal(order + 1))
            }
            Fate::Excluded { round } => write!(f, "excluded (round {round})"),
            Fate::Continuing => Ok(()),
        }
    }
}

impl Report {
    /// Every candidate's fate, indexed by candidate.
    ///
    /// Exclusions are read from the rounds' actions. Election order comes from `elected`; the
    /// round is the one whose action announced it, else — methods that elect during another
    /// action, such as an STV stage that excludes someone and so lifts another over the
    /// quota — the first round at or over the quota, else (elected as the last remaining) the
    /// last round.
    pub fn fates(&self) -> Vec<Fate> {
        let mut fates = vec![Fate::Continuing; self.candidate_names.len()];
        for round in &self.rounds {
            if let Action::Excluded(ids) = &round.action {
                for id in ids {
                    if let Some(f) = fates.get_mut(id.index()) {
                        *f = Fate::Excluded {
                            round: round.number,
                        };
                    }
                }
            }
        }
        for (order, id) in self.elected.iter().enumerate() {
            let reached_quota =
                |r: &&Round| match (r.quota.or(self.quota), r.totals.get(id.index())) {
                    (Some(q), Some(&t)) => {
                        let scale = q.scale.max(t.scale);
                        t.at_scale(scale) >= q.at_scale(scale)
                    }
                    _ => false,
                };
            let round = self
                .rounds
                .iter()
                .find(|r| matches!(&r.action, Action::Elected(ids) if ids.contains(id)))
                .or_else(|| self.rounds.iter().find(reached_quota))
                .or(self.rounds.last())
                .map_or(0, |r| r.number);
            if let Some(f) = fates.get_mut(id.index()) {
                *f = Fate::Elected { round, order };
            }
        }
        fates
    }
}

/// `n` as an English ordinal: 1st, 2nd, 3rd, 11th, 21st.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn the_sample_count_reads_as_two_elected_one_excluded_one_continuing() {
        let fates = sample::report().fates();
        assert_eq!(
            fates,
            [
                Fate::Elected { round: 1, order: 0 },
                Fate::Elected { round: 4, order: 1 },
                Fate::Excluded { round: 3 },
                Fate::Continuing,
            ]
        );
        let words: Vec<String> = fates.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "elected 1st (round 1)",
                "elected 2nd (round 4)",
                "excluded (round 3)",
                ""
            ]
        );
        let brief: Vec<String> = fates.iter().map(|f| f.brief(2)).collect();
        assert_eq!(
            brief,
            ["elected 1st", "elected 2nd", "excluded in round 3", ""]
        );
        assert_eq!(fates[1].round(), Some(4));
        assert_eq!(fates[3].round(), None);
        assert!(fates[0].is_elected() && !fates[2].is_elected());
    }

    #[test]
    fn one_elected_has_no_order_and_the_last_remaining_are_elected_in_the_last_round() {
        let mut r = sample::report();
        // Dee, never announced and under the quota, is elected as the last remaining.
        r.elected = vec![crate::CandidateId(3)];
        let dee = r.fates()[3];
        assert_eq!(dee, Fate::Elected { round: 4, order: 0 });
        assert_eq!(dee.brief(1), "elected");
    }

    #[test]
    fn ordinals_read_as_words_do() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th", "112th"
            ]
        );
    }
}
