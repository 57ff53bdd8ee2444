//! The real elections with official results that live beside the repository, in
//! `../shared/data/elections` (never copied into it).

use std::path::PathBuf;

use crate::skip::{Requirement, require_or_skip};

/// Where the real-election data would be: `../shared/data/elections` beside the repository.
pub fn election_data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/elections")
}

/// The real-election data's folder, or `None` after a loud skip when it is absent. Panics
/// instead when the data is required (`CHARTER_REQUIRE_ELECTION_DATA=1` or `CI=true`): on CI a
/// conformance check that did not run is a failure, not a pass.
#[track_caller]
pub fn election_data() -> Option<PathBuf> {
    let dir = election_data_path();
    if dir.is_dir() {
        return Some(dir);
    }
    require_or_skip(
        Requirement::ElectionData,
        &format!("{} is absent", dir.display()),
    );
    None
}
