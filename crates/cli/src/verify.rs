//! `charter verify ballot FILE|URL`: checks a ballot's bulletin board (the JSON document
//! `GET /api/v1/ballots/{id}/board` serves) against every numbered step of
//! `docs/verifiable-ballots.md`, with nothing but the board: no database, no server trust.

use std::io::Read;
use std::time::Duration;

use charter_ballot_crypto::board::Board;
use charter_ballot_crypto::verify::{Failure, Verified, verify_board};

/// The largest board read: a ranked election of 100,000 ballots with its shuffles and shares
/// is a few hundred megabytes.
const MAX_BOARD: u64 = 2 << 30;

/// Why a board could not be verified at all: it could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("could not read {source_name}: {message}")]
    Unreadable {
        source_name: String,
        message: String,
    },
}

/// What verifying a board found.
#[derive(Debug)]
pub enum Verdict {
    /// Every step passed.
    Verified(Verified),
    /// The first step that failed, with why. A document that is not a board fails step 1.
    Failed(Failure),
}

/// Reads the board at `source`, a file path or an `http://`/`https://` address.
pub fn read_board(source: &str) -> Result<Vec<u8>, ReadError> {
    let unreadable = |message: String| ReadError::Unreadable {
        source_name: source.to_string(),
        message,
    };
    if source.starts_with("http://") || source.starts_with("https://") {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .into();
        let response = agent
            .get(source)
            .header("accept", "application/json")
            .call()
            .map_err(|e| unreadable(e.to_string()))?;
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_BOARD)
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(e.to_string()))?;
        Ok(bytes)
    } else {
        let file = std::fs::File::open(source).map_err(|e| unreadable(e.to_string()))?;
        let mut bytes = Vec::new();
        file.take(MAX_BOARD)
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(e.to_string()))?;
        Ok(bytes)
    }
}

/// Verifies a board's bytes: a document that does not read as a board fails step 1.
pub fn verify_bytes(bytes: &[u8]) -> Verdict {
    match serde_json::from_slice::<Board>(bytes) {
        Err(e) => Verdict::Failed(Failure {
            step: charter_ballot_crypto::verify::Step::Parameters,
            reason: format!("the document is not a bulletin board: {e}"),
        }),
        Ok(board) => match verify_board(&board) {
            Ok(v) => Verdict::Verified(v),
            Err(f) => Verdict::Failed(f),
        },
    }
}
