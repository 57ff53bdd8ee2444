//! Approval voting read from ranked ballots: a ballot approves every (non-withdrawn)
//! candidate it ranks, once each however often it names them, and the `seats` most approved
//! candidates win.

use super::{effective_ranks, eligible, top_n, whole};
use crate::lot::Lot;
use crate::model::Election;
use crate::report::{Action, Decimal, Report, Round};

pub fn count(election: &Election, seed: u64) -> Report {
    let n = election.candidates.len();
    let mut totals = vec![0u128; n];
    let mut seen = vec![usize::MAX; n];
    let mut none = 0u128;
    for (k, b) in election.ballots.iter().enumerate() {
        let mut any = false;
        for c in effective_ranks(election, b).flatten() {
            if seen[c.index()] != k {
                seen[c.index()] = k;
                totals[c.index()] += u128::from(b.weight);
                any = true;
            }
        }
        if !any {
            none += u128::from(b.weight);
        }
    }
    let seats = election.seats as usize;
    let mut lot = Lot::new(seed);
    let (elected, tie_breaks) = top_n(&totals, &eligible(election), seats, &mut lot, 1);
    let totals: Vec<Decimal> = totals.iter().map(|&t| whole(t)).collect();
    Report {
        method: "approval".into(),
        title: election.title.clone(),
        seats: election.seats,
        candidate_names: election.candidates.iter().map(|c| c.name.clone()).collect(),
        quota: None,
        rounds: vec![Round {
            number: 1,
            transfers: totals.clone(),
            totals,
            exhausted: whole(none),
            residual: None,
            quota: None,
            action: Action::Decided,
            reason: if seats == 1 {
                "the candidate approved on the most ballots is elected".into()
            } else {
                format!("the {seats} candidates approved on the most ballots are elected")
            },
        }],
        elected,
        tie_breaks,
        notes: vec![format!(
            "{} ballots; a ballot approves every candidate it ranks; {} approved no one",
            election.total_votes(),
            none
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::testing::election;
    use crate::model::CandidateId;

    #[test]
    fn counts_each_ranked_candidate_once() {
        let mut e = election(3, 2, &[(4, "a>b"), (5, "b"), (3, "c>a=b")]);
        e.ballots.push(crate::model::Ballot {
            weight: 1,
            ranks: vec![vec![CandidateId(2)], vec![CandidateId(2)]],
        });
        let r = count(&e, 0);
        assert_eq!(
            r.rounds[0].totals,
            vec![Decimal::whole(7), Decimal::whole(12), Decimal::whole(4)]
        );
        assert_eq!(r.elected, vec![CandidateId(1), CandidateId(0)]);
    }
}
