//! A count's JSON record reads back as the report it was written from, by every method, so a
//! stored record shows the same rounds and fates as the live count did.

use charter_count::methods::yes_no::{self, Base, Counts, Threshold};
use charter_count::model::{Ballot, Candidate, CandidateId, Election};
use charter_count::render::json;
use charter_count::stv::{MeekArithmetic, StvOptions};
use charter_count::{Fate, Method, Report, count_by};
use proptest::prelude::*;

/// Names that need escaping in JSON and HTML, distinct by their number.
const NAMES: [&str; 4] = ["Ann \"Nan\" O'Neill", "Bob & Co", "Cy <Lab>", "Dée\\Zed"];

fn election() -> impl Strategy<Value = Election> {
    (2usize..7, 1u32..4).prop_flat_map(|(n, seats)| {
        let ranking =
            proptest::sample::subsequence((0..n as u32).collect::<Vec<_>>(), 0..=n).prop_shuffle();
        (
            proptest::collection::vec(any::<bool>(), n),
            proptest::collection::vec((1u64..40, ranking), 1..25),
        )
            .prop_map(move |(withdrawn, ballots)| Election {
                title: "Committee".into(),
                seats,
                candidates: withdrawn
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| Candidate {
                        name: format!("{} {i}", NAMES[i % NAMES.len()]),
                        nick: None,
                        // Withdraw a few, never the first two, so there is a contest.
                        withdrawn: w && i >= 2 && i % 2 == 0,
                    })
                    .collect(),
                ballots: ballots
                    .into_iter()
                    .map(|(weight, r)| Ballot {
                        weight,
                        ranks: r.into_iter().map(|c| vec![CandidateId(c)]).collect(),
                    })
                    .collect(),
            })
    })
}

fn reads_back(report: &Report) -> Result<(), TestCaseError> {
    let read = json::read(&json::render(report))
        .map_err(|e| TestCaseError::fail(format!("{}: {e}", report.method)))?;
    prop_assert_eq!(&read, report);
    prop_assert_eq!(read.fates(), report.fates());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_method_s_record_reads_back(e in election(), seed in any::<u64>(), exact in any::<bool>()) {
        let options = StvOptions {
            seed,
            meek_arithmetic: if exact { MeekArithmetic::Exact } else { MeekArithmetic::Fixed9 },
            meek_omega: None,
        };
        for method in Method::ALL {
            // Yes/no is counted from counts, below; IRV refuses more than one seat.
            if method == Method::YesNo {
                continue;
            }
            if let Ok(report) = count_by(&e, method, &options) {
                reads_back(&report)?;
                let elected = report.fates().iter().filter(|f| f.is_elected()).count();
                prop_assert_eq!(elected, report.elected.len());
            }
        }
    }

    #[test]
    fn a_question_s_record_reads_back(yes in 0u64..50, no in 0u64..50, abstain in 0u64..10) {
        let counts = Counts { yes, no, abstain, present: None, electorate: None };
        let report = yes_no::report("Q", counts, Threshold::TwoThirds, Base::VotesCast).unwrap();
        reads_back(&report)?;
        let winner = if report.elected == [CandidateId(0)] { 0 } else { 1 };
        prop_assert_eq!(report.fates()[winner].brief(1), "elected");
    }
}

#[test]
fn an_stv_record_read_back_tells_each_fate_in_words() {
    let e = Election {
        title: "Committee".into(),
        seats: 2,
        candidates: ["Ann", "Bob", "Cy", "Dee"]
            .map(|name| Candidate {
                name: name.into(),
                nick: None,
                withdrawn: false,
            })
            .into(),
        ballots: [(5, vec![0, 1]), (2, vec![1]), (3, vec![2]), (1, vec![3, 1])]
            .map(|(weight, ranks)| Ballot {
                weight,
                ranks: ranks.into_iter().map(|c| vec![CandidateId(c)]).collect(),
            })
            .into(),
    };
    let report = count_by(&e, Method::ScottishStv, &StvOptions::default()).unwrap();
    let read = json::read(&json::render(&report)).unwrap();
    let fates = read.fates();
    assert_eq!(fates, report.fates());
    assert!(matches!(fates[0], Fate::Elected { order: 0, .. }));
    assert_eq!(fates[2], Fate::Continuing);
    let words: Vec<String> = fates.iter().map(|f| f.brief(read.elected.len())).collect();
    assert_eq!(words[0], "elected 1st");
    // Ann's surplus and Dee's exclusion lift Bob over the quota; Cy is left continuing.
    assert_eq!(
        words,
        ["elected 1st", "elected 2nd", "", "excluded in round 3"]
    );
}
