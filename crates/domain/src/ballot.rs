//! A ballot's kind and where it stands in its timetable.

use crate::stored::stored_words;

stored_words! {
    /// Where a ballot stands: scheduled until its opening time (and, when sealed, its
    /// trustees' key ceremony), open for votes until its closing time, closed while it waits
    /// for its count (a sealed one for its trustees' decryption), then counted.
    pub enum BallotState {
        Scheduled => "scheduled",
        Open => "open",
        Closed => "closed",
        Counted => "counted",
    }
}

stored_words! {
    /// What a ballot asks: a question decided by a threshold, or an election of candidates
    /// counted by a method.
    pub enum BallotKind {
        Question => "question",
        Election => "election",
    }
}

impl BallotState {
    /// Whether votes go in now.
    pub fn takes_votes(self) -> bool {
        self == BallotState::Open
    }

    /// Whether voting is over (the box may be read).
    pub fn is_closed(self) -> bool {
        matches!(self, BallotState::Closed | BallotState::Counted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_kinds_round_trip_and_refuse_other_words() {
        for s in BallotState::ALL {
            assert_eq!(BallotState::parse(s.as_str()), Some(*s));
            assert_eq!(s.to_string(), s.as_str());
        }
        for k in BallotKind::ALL {
            assert_eq!(BallotKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(BallotState::parse(" open "), Some(BallotState::Open));
        assert_eq!(BallotState::parse("comitted"), None);
        assert_eq!(BallotKind::parse("referendum"), None);
    }

    #[test]
    fn only_an_open_ballot_takes_votes_and_only_a_closed_one_is_over() {
        use BallotState::*;
        let taking: Vec<_> = BallotState::ALL
            .iter()
            .filter(|s| s.takes_votes())
            .collect();
        assert_eq!(taking, [&Open]);
        let over: Vec<_> = BallotState::ALL.iter().filter(|s| s.is_closed()).collect();
        assert_eq!(over, [&Closed, &Counted]);
    }
}
