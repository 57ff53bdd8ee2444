//! The cryptographic core of Charter's end-to-end verifiable secret ballots, in the design of
//! Helios and Belenios, on the ristretto255 group.
//!
//! * Votes are encrypted with exponential ElGamal ([`elgamal`]) under a key that `t` of `n`
//!   trustees share ([`dkg`]); no one learns a vote, and any `t` trustees decrypt the tally.
//! * Each ballot carries zero-knowledge proofs that it is well formed and a signature by the
//!   voter's credential ([`ballot`]); its tracker lets the voter find it on the board. A
//!   voter may instead audit a ballot and not cast it ([`audit`], Benaloh's challenge).
//! * Ranked ballots, which cannot be added up, are shuffled by a chain of trustees with a
//!   verifiable re-encryption mixnet ([`mod@shuffle`]) before decryption, so that no decrypted
//!   ranking is linked to a credential.
//! * The bulletin board ([`board`]) is one JSON document; [`verify_board`] re-checks the whole
//!   election in numbered steps that match `docs/verifiable-ballots.md`.
//!
//! Everything is pure: no I/O, randomness passed in. Bad input gives an [`Error`] (or a
//! [`Failure`] naming the verification step), never a panic.

pub mod audit;
pub mod ballot;
mod batch;
pub mod board;
pub mod dkg;
pub mod documents;
pub mod elgamal;
pub mod encoding;
pub mod error;
pub mod generators;
pub mod keyfile;
pub mod params;
pub mod proofs;
pub mod shuffle;
pub mod tally;
#[cfg(test)]
mod testing;
pub mod verify;

pub use audit::{BallotReveal, audit_ballot};
pub use ballot::{
    Choice, Credential, ElectionContext, EncryptedBallot, EncryptedChoice, encrypt_ballot,
    encrypt_ballot_with_randomness, tracker, verify_ballot, verify_ballots,
};
pub use board::{Board, BoardBallot, BoardTally, BoardTrustee};
pub use documents::{CredentialList, Finished, KeyReport, Setup};
pub use elgamal::{Ciphertext, CiphertextBytes};
pub use encoding::{PointBytes, ScalarBytes};
pub use error::{Error, Result};
pub use params::{ElectionParams, QuestionKind};
pub use shuffle::{Shuffle, ShuffleProof, shuffle, verify_shuffle};
pub use tally::{DecryptionShare, Outcome, decrypt_share};
pub use verify::{Failure, Step, Verified, verify_board};
