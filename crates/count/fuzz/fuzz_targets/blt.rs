//! BLT: never panic, report positions inside the input, and read back what `to_blt` writes.
#![no_main]

use charter_count::blt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match blt::parse(text) {
        Ok(e) => {
            let nicks_plain = e.candidates.iter().all(|c| {
                c.nick
                    .as_deref()
                    .is_none_or(|n| !n.contains(['"', '\n', '\r']))
            });
            if let (Ok(written), true) = (blt::to_blt(&e), nicks_plain) {
                let back = blt::parse(&written).expect("to_blt output must parse");
                assert_eq!(back, e, "round trip through to_blt changed the election");
            }
        }
        Err(err) => {
            assert!(err.line >= 1 && err.line <= text.split('\n').count());
            assert!(err.column >= 1);
        }
    }
});
