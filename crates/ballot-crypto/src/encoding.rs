//! Byte encodings: points and scalars as lowercase hex, and the length-prefixed encoding that
//! every hash, fingerprint, tracker and canonical ballot encoding is built from.

use crate::error::{Error, Result};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256, Sha512};

/// Domain-separation tags, one per use (see docs/verifiable-ballots.md).
pub mod tags {
    /// Setup fingerprint (election parameters, before the key ceremony).
    pub const SETUP: &str = "charter/v1/setup";
    /// Election fingerprint (parameters, trustees, public key, credentials).
    pub const FINGERPRINT: &str = "charter/v1/fingerprint";
    /// Schnorr proof of knowledge of a trustee key or polynomial constant term.
    pub const SCHNORR: &str = "charter/v1/schnorr";
    /// Disjunctive proof that one ciphertext encrypts a value in a range.
    pub const DISJUNCTIVE: &str = "charter/v1/disjunctive";
    /// Disjunctive proof that the sum of a ballot's ciphertexts is in [min, max].
    pub const OVERALL: &str = "charter/v1/overall";
    /// Proof of knowledge of a ciphertext's randomness (ranked ballots).
    pub const RANDOMNESS: &str = "charter/v1/randomness";
    /// Chaum–Pedersen proof of a decryption share.
    pub const DECRYPTION: &str = "charter/v1/decryption";
    /// Voter's Schnorr signature on a ballot.
    pub const SIGNATURE: &str = "charter/v1/signature";
    /// Canonical ballot encoding (trackers and the signed message).
    pub const BALLOT: &str = "charter/v1/ballot";
    /// Key derivation for an encrypted key share.
    pub const SHARE_KEY: &str = "charter/v1/share-key";
    /// Associated data of an encrypted key share.
    pub const SHARE_AD: &str = "charter/v1/share";
    /// Chaum–Pedersen proof that a complaint reveals the right pairwise key.
    pub const COMPLAINT: &str = "charter/v1/complaint";
    /// Associated data of a passphrase-encrypted key file.
    pub const KEY_FILE: &str = "charter/v1/key-file";
    /// Fiat–Shamir challenge of a shuffle proof.
    pub const SHUFFLE: &str = "charter/v1/shuffle";
    /// Digest of a shuffle's statement: position, trustee, input and output rows.
    pub const SHUFFLE_STATEMENT: &str = "charter/v1/shuffle/statement";
    /// Digest binding a shuffle's statement to its permutation commitments.
    pub const SHUFFLE_PERMUTATION: &str = "charter/v1/shuffle/permutation";
    /// The per-row challenges `u_j` of a shuffle proof.
    pub const SHUFFLE_CHALLENGES: &str = "charter/v1/shuffle/challenges";
    /// Independent generators `H_i` of the permutation commitments.
    pub const SHUFFLE_GENERATOR: &str = "charter/v1/shuffle/generator";
    /// The base `Ĥ` of a shuffle proof's commitment chain.
    pub const SHUFFLE_CHAIN: &str = "charter/v1/shuffle/chain";
    /// Random weights of batched verification (internal, not part of the board format).
    pub const BATCH: &str = "charter/v1/batch";
}

/// A 32-byte compressed ristretto255 point as stored on the board (lowercase hex in JSON).
/// Decoding happens when the point is used, so a bad point is a verification failure, not a
/// parse error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PointBytes(pub [u8; 32]);

/// A 32-byte little-endian scalar as stored on the board (lowercase hex in JSON).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScalarBytes(pub [u8; 32]);

impl PointBytes {
    /// Encodes a point.
    pub fn from_point(point: &RistrettoPoint) -> Self {
        Self(point.compress().to_bytes())
    }

    /// Decodes, refusing non-canonical encodings.
    pub fn decode(&self, what: &'static str) -> Result<RistrettoPoint> {
        CompressedRistretto(self.0)
            .decompress()
            .ok_or(Error::InvalidPoint(what))
    }

    /// Decodes a public key or commitment: also refuses the identity.
    pub fn decode_key(&self, what: &'static str) -> Result<RistrettoPoint> {
        if self.0 == [0u8; 32] {
            return Err(Error::IdentityPoint(what));
        }
        self.decode(what)
    }
}

impl ScalarBytes {
    /// Encodes a scalar.
    pub fn from_scalar(scalar: &Scalar) -> Self {
        Self(scalar.to_bytes())
    }

    /// Decodes, refusing values not below the group order.
    pub fn decode(&self, what: &'static str) -> Result<Scalar> {
        Option::from(Scalar::from_canonical_bytes(self.0)).ok_or(Error::InvalidScalar(what))
    }
}

impl std::fmt::Debug for PointBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PointBytes({})", hex::encode(self.0))
    }
}

impl std::fmt::Debug for ScalarBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScalarBytes({})", hex::encode(self.0))
    }
}

/// Parses exactly `N` bytes of lowercase hex.
pub fn parse_hex<const N: usize>(text: &str) -> std::result::Result<[u8; N], String> {
    if text.len() != 2 * N {
        return Err(format!(
            "expected {} hex digits, found {}",
            2 * N,
            text.len()
        ));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err("expected lowercase hex digits".into());
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Parses lowercase hex of any even length.
pub fn parse_hex_vec(text: &str) -> std::result::Result<Vec<u8>, String> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err("expected lowercase hex digits".into());
    }
    hex::decode(text).map_err(|e| e.to_string())
}

macro_rules! hex_serde {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.0))
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                parse_hex::<32>(&text)
                    .map($ty)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}
hex_serde!(PointBytes);
hex_serde!(ScalarBytes);

/// Serde helpers for variable-length byte strings as lowercase hex.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes lowercase hex.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Reads lowercase hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hex_vec(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for 32-byte digests (fingerprints, trackers) as lowercase hex.
pub mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes lowercase hex.
    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Reads lowercase hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hex::<32>(&text).map_err(serde::de::Error::custom)
    }
}

/// The length-prefixed encoding `u64be(len(tag)) ‖ tag ‖ (u64be(len(part)) ‖ part)*`.
/// Hashed with SHA-512 and reduced it gives a Fiat–Shamir challenge; hashed with SHA-256 it
/// gives fingerprints and trackers.
#[derive(Clone, Debug)]
pub struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    /// Starts an encoding with its tag.
    pub fn new(tag: &str) -> Self {
        let mut t = Self {
            bytes: Vec::with_capacity(512),
        };
        t.part(tag.as_bytes());
        t
    }

    /// Appends one length-prefixed part.
    pub fn part(&mut self, part: &[u8]) -> &mut Self {
        self.bytes
            .extend_from_slice(&(part.len() as u64).to_be_bytes());
        self.bytes.extend_from_slice(part);
        self
    }

    /// Appends an integer as an 8-byte big-endian part.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.part(&value.to_be_bytes())
    }

    /// Appends a point's 32-byte encoding.
    pub fn point(&mut self, point: &PointBytes) -> &mut Self {
        self.part(&point.0)
    }

    /// Appends a scalar's 32-byte encoding.
    pub fn scalar(&mut self, scalar: &ScalarBytes) -> &mut Self {
        self.part(&scalar.0)
    }

    /// The encoding so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA-512 of the encoding reduced modulo the group order.
    pub fn challenge(&self) -> Scalar {
        let digest: [u8; 64] = Sha512::digest(&self.bytes).into();
        Scalar::from_bytes_mod_order_wide(&digest)
    }

    /// SHA-256 of the encoding.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }
}

/// A uniformly random scalar from 64 random bytes reduced modulo the group order.
pub fn random_scalar<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    #[test]
    fn transcript_is_length_prefixed() {
        let mut t = Transcript::new("ab");
        t.part(b"c").u64(1);
        let expected: Vec<u8> = [
            &2u64.to_be_bytes()[..],
            b"ab",
            &1u64.to_be_bytes(),
            b"c",
            &8u64.to_be_bytes(),
            &1u64.to_be_bytes(),
        ]
        .concat();
        assert_eq!(t.as_bytes(), &expected[..]);
    }

    #[test]
    fn points_refuse_bad_encodings() {
        let g = PointBytes::from_point(&RISTRETTO_BASEPOINT_POINT);
        assert_eq!(g.decode("g"), Ok(RISTRETTO_BASEPOINT_POINT));
        assert_eq!(
            PointBytes([0; 32]).decode_key("key"),
            Err(Error::IdentityPoint("key"))
        );
        assert!(PointBytes([0; 32]).decode("any").is_ok());
        assert_eq!(
            PointBytes([0xff; 32]).decode("p"),
            Err(Error::InvalidPoint("p"))
        );
    }

    #[test]
    fn scalars_refuse_non_canonical() {
        assert_eq!(
            ScalarBytes([0xff; 32]).decode("s"),
            Err(Error::InvalidScalar("s"))
        );
        assert_eq!(ScalarBytes([0; 32]).decode("s"), Ok(Scalar::ZERO));
    }

    #[test]
    fn hex_is_lowercase_only() {
        let json = format!("\"{}\"", "AB".repeat(32));
        assert!(serde_json::from_str::<PointBytes>(&json).is_err());
        let json = format!("\"{}\"", "ab".repeat(32));
        assert_eq!(
            serde_json::from_str::<PointBytes>(&json).ok(),
            Some(PointBytes([0xab; 32]))
        );
    }
}
