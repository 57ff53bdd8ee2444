//! Any text given as a constitution file is read or refused, never a panic; whatever reads
//! writes back to a file that reads into the same version.
#![no_main]

use charter_rules::Constitution;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Constitution::from_toml(src) {
        let again = Constitution::from_toml(&c.to_toml()).expect("exported files read");
        assert_eq!(again, c);
    }
});
