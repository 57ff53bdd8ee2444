//! Whatever a reader accepts, every method and renderer must handle without panicking.
#![no_main]

use charter_count::input;
use charter_count::methods::{approval, condorcet, plurality, schulze};
use charter_count::render::{Format, render};
use charter_count::stv::{self, StvMethod, StvOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut e) = input::parse(input::detect_content(text), text) else {
        return;
    };
    // Keep each run fast: the fuzzer looks for panics, not for big elections.
    if e.candidates.len() > 12 || e.ballots.len() > 64 {
        return;
    }
    e.seats = e.seats.min(e.candidates.len() as u32 + 1);
    let mut reports = vec![
        plurality::count(&e, 1),
        approval::count(&e, 1),
        schulze::count(&e, 1),
        condorcet::count(&e),
    ];
    for m in [
        StvMethod::ScottishStv,
        StvMethod::Wigm,
        StvMethod::Ers97,
        StvMethod::Meek,
    ] {
        if let Ok(r) = stv::count(&e, m, &StvOptions::default()) {
            reports.push(r);
        }
    }
    let mut one = e.clone();
    one.seats = 1;
    if let Ok(r) = stv::count(&one, StvMethod::Irv, &StvOptions::default()) {
        reports.push(r);
    }
    for r in &reports {
        assert!(
            r.elected.len() <= r.seats as usize,
            "{} elected too many",
            r.method
        );
        for f in [Format::Text, Format::Json, Format::Html] {
            let mut out = Vec::new();
            render(r, f, &mut out).unwrap();
        }
    }
});
