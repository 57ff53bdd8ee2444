//! Charter JSON ballots: never panic, and read back what `to_json` writes.
#![no_main]

use charter_count::json_ballots;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = json_ballots::parse(text) {
        let back =
            json_ballots::parse(&json_ballots::to_json(&e)).expect("to_json output must parse");
        assert_eq!(
            back.ballots.iter().map(|b| b.weight).sum::<u64>(),
            e.total_votes()
        );
        assert_eq!(back.candidates, e.candidates);
    }
});
