//! Plurality (first past the post), and its multi-seat form (the `seats` candidates with the
//! most first preferences — block voting read from ranked ballots).
//!
//! Only a ballot's first preference counts. A ballot whose first rank (after withdrawn
//! candidates are removed) holds several candidates equally is an overvote: it cannot be
//! given to any of them, so it is counted as non-transferable and reported in the notes.

use super::{effective_ranks, eligible, top_n, whole};
use crate::lot::Lot;
use crate::model::Election;
use crate::report::{Action, Decimal, Report, Round};

pub fn count(election: &Election, seed: u64) -> Report {
    let n = election.candidates.len();
    let mut totals = vec![0u128; n];
    let mut empty = 0u128;
    let mut overvotes = 0u128;
    for b in &election.ballots {
        match effective_ranks(election, b).next() {
            Some(g) if g.len() == 1 => totals[g[0].index()] += u128::from(b.weight),
            Some(_) => overvotes += u128::from(b.weight),
            None => empty += u128::from(b.weight),
        }
    }
    let seats = election.seats as usize;
    let mut lot = Lot::new(seed);
    let (elected, tie_breaks) = top_n(&totals, &eligible(election), seats, &mut lot, 1);
    let totals: Vec<Decimal> = totals.iter().map(|&t| whole(t)).collect();
    let mut notes = vec![format!(
        "{} ballots; {} with no first preference; {} with several candidates ranked equal first (not counted)",
        election.total_votes(),
        empty,
        overvotes
    )];
    if elected.len() < seats {
        notes.push(format!(
            "only {} eligible candidates for {} seats",
            elected.len(),
            seats
        ));
    }
    Report {
        method: "plurality".into(),
        title: election.title.clone(),
        seats: election.seats,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: None,
        rounds: vec![Round {
            number: 1,
            transfers: totals.clone(),
            totals,
            exhausted: whole(empty + overvotes),
            residual: None,
            quota: None,
            action: Action::Decided,
            reason: if seats == 1 {
                "the candidate with the most first preferences is elected".into()
            } else {
                format!("the {seats} candidates with the most first preferences are elected")
            },
        }],
        elected,
        tie_breaks,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::testing::election;
    use crate::model::CandidateId;

    #[test]
    fn most_first_preferences_win() {
        let e = election(3, 1, &[(4, "a>b"), (5, "b"), (3, "c>a"), (2, "a=b")]);
        let r = count(&e, 0);
        assert_eq!(r.elected, vec![CandidateId(1)]);
        assert_eq!(r.rounds[0].totals[0], Decimal::whole(4));
        assert_eq!(r.rounds[0].exhausted, Decimal::whole(2));
    }

    #[test]
    fn top_n_and_withdrawn() {
        let mut e = election(3, 2, &[(4, "a>b"), (5, "b"), (3, "c>a")]);
        e.candidates[1].withdrawn = true;
        let r = count(&e, 0);
        // b's voters had no other preference; a's voters keep a
        assert_eq!(r.elected, vec![CandidateId(0), CandidateId(2)]);
        assert_eq!(r.rounds[0].exhausted, Decimal::whole(5));
    }
}
