//! Any text given as a condition parses or is refused with a column inside it; whatever
//! parses prints back to the same tree.
#![no_main]

use charter_rules::Expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Expr::parse(src) {
        Ok(e) => {
            let again = Expr::parse(&e.to_string()).expect("printed conditions parse");
            assert_eq!(again, e);
        }
        Err(err) => assert!(err.column >= 1 && err.column <= src.chars().count() + 1),
    }
});
