//! The one error type of the crate: bad input is reported, never panicked on.

/// Why an operation or a check refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Bytes that are not the canonical encoding of a ristretto255 point.
    #[error("{0} is not a canonical ristretto255 point")]
    InvalidPoint(&'static str),
    /// A public key or commitment that is the identity point.
    #[error("{0} must not be the identity point")]
    IdentityPoint(&'static str),
    /// Bytes that are not a canonical scalar (32 bytes little-endian, below the group order).
    #[error("{0} is not a canonical scalar")]
    InvalidScalar(&'static str),
    /// Election parameters that make no sense.
    #[error("invalid election parameters: {0}")]
    Params(String),
    /// A voter's choice that the question does not allow.
    #[error("invalid choice: {0}")]
    Choice(String),
    /// Data of the wrong shape (counts, indices, lengths).
    #[error("malformed: {0}")]
    Malformed(String),
    /// A zero-knowledge proof or signature that does not verify.
    #[error("{0} does not verify")]
    Proof(String),
    /// An encrypted key share that does not decrypt or is not on the dealer's polynomial.
    #[error("key share from trustee {dealer} to trustee {recipient}: {reason}")]
    BadShare {
        /// The trustee that dealt the share.
        dealer: u32,
        /// The trustee the share was for.
        recipient: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// The passphrase is wrong or the key file was altered.
    #[error("wrong passphrase or damaged key file")]
    Passphrase,
    /// A key file this version cannot read.
    #[error("key file: {0}")]
    KeyFile(String),
    /// A decrypted value outside the range searched.
    #[error("decrypted value is not in 0..={0}")]
    DlogNotFound(u64),
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
