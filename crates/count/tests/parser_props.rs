//! Properties of the readers: no input makes them panic, and what the writers write reads
//! back to the same election.

use charter_count::model::{Ballot, Candidate, CandidateId, Election};
use charter_count::{blt, input, irish, json_ballots, merge, preflib};
use proptest::prelude::*;

/// Text that looks enough like each format to get past the first line.
fn near_miss() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("0".to_string()),
        Just("1".to_string()),
        Just("-".to_string()),
        Just("=".to_string()),
        Just("\"".to_string()),
        Just("[nick".to_string()),
        Just("[withdrawn".to_string()),
        Just("]".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("#".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        "[0-9]{1,25}",
        "-[0-9]{1,3}",
        "[a-z]{1,3}",
    ];
    proptest::collection::vec(token, 0..60).prop_map(|t| t.concat())
}

fn election() -> impl Strategy<Value = Election> {
    (1usize..6, 1u32..4, any::<bool>()).prop_flat_map(|(n, seats, nicks)| {
        let names = proptest::collection::vec("[A-Za-z][A-Za-z .()'-]{0,12}[a-z]", n);
        let withdrawn = proptest::collection::vec(any::<bool>(), n);
        let rank = proptest::collection::vec(0..n as u32, 0..3).prop_map(|g| {
            let mut g: Vec<CandidateId> = g.into_iter().map(CandidateId).collect();
            g.dedup();
            g
        });
        let ballot =
            (1u64..1000, proptest::collection::vec(rank, 0..5)).prop_map(|(weight, mut ranks)| {
                while ranks.last().is_some_and(Vec::is_empty) {
                    ranks.pop();
                }
                Ballot { weight, ranks }
            });
        let ballots = proptest::collection::vec(ballot, 0..12);
        (names, withdrawn, ballots, "[A-Za-z0-9 ]{0,20}").prop_map(
            move |(names, withdrawn, ballots, title)| Election {
                title: title.trim().to_string(),
                seats,
                candidates: names
                    .into_iter()
                    .zip(withdrawn)
                    .enumerate()
                    .map(|(i, (name, withdrawn))| Candidate {
                        name: name.trim().to_string(),
                        nick: nicks.then(|| format!("c{i}")),
                        withdrawn,
                    })
                    .collect(),
                ballots: merge::merge_ballots(ballots).unwrap(),
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC*") {
        let _ = blt::parse(&s);
        let _ = irish::parse(&s);
        let _ = json_ballots::parse(&s);
        let _ = preflib::parse(&s);
        let _ = input::parse(input::detect_content(&s), &s);
    }

    #[test]
    fn near_misses_never_panic_and_errors_are_in_range(s in near_miss()) {
        for r in [blt::parse(&s), preflib::parse(&s), json_ballots::parse(&s), irish::parse(&s)] {
            if let Err(e) = r {
                let lines = s.split('\n').count();
                prop_assert!(e.line >= 1 && e.line <= lines.max(1), "{e} in {s:?}");
                prop_assert!(e.column >= 1);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn blt_round_trips(e in election()) {
        let text = blt::to_blt(&e).unwrap();
        prop_assert_eq!(blt::parse(&text).unwrap(), e);
    }

    #[test]
    fn json_round_trips(e in election()) {
        let text = json_ballots::to_json(&e);
        let back = json_ballots::parse(&text).unwrap();
        prop_assert_eq!(back, e);
    }
}
