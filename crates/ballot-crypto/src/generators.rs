//! Independent generators for the shuffle proof, hashed to ristretto255 so that no one knows
//! a discrete logarithm between any two of them, `G` or an election key.
//!
//! `H_i = from_hash(SHA-512(enc("charter/v1/shuffle/generator", [u64be(i)])))` and
//! `Ĥ = from_hash(SHA-512(enc("charter/v1/shuffle/chain", [])))`, where `from_hash` is the
//! one-way map of RFC 9496 section 4.3.4 (libsodium `crypto_core_ristretto255_from_hash`).

use crate::encoding::{Transcript, tags};
use curve25519_dalek::ristretto::RistrettoPoint;
use sha2::{Digest, Sha512};

fn hash_to_point(t: &Transcript) -> RistrettoPoint {
    let digest: [u8; 64] = Sha512::digest(t.as_bytes()).into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

/// `H_i`, the generator of the permutation commitment of output row `i` (0-based).
pub fn generator(i: u64) -> RistrettoPoint {
    let mut t = Transcript::new(tags::SHUFFLE_GENERATOR);
    t.u64(i);
    hash_to_point(&t)
}

/// `H_0 … H_(n−1)`.
pub fn generators(n: usize) -> Vec<RistrettoPoint> {
    (0..n as u64).map(generator).collect()
}

/// `Ĥ`, the start of the commitment chain.
pub fn chain_generator() -> RistrettoPoint {
    hash_to_point(&Transcript::new(tags::SHUFFLE_CHAIN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::PointBytes;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
    use std::collections::HashSet;

    #[test]
    fn generators_are_distinct_and_not_g() {
        let mut all: Vec<RistrettoPoint> = generators(64);
        all.push(chain_generator());
        all.push(RISTRETTO_BASEPOINT_POINT);
        let set: HashSet<PointBytes> = all.iter().map(PointBytes::from_point).collect();
        assert_eq!(set.len(), all.len());
        assert_eq!(generator(5), generators(6)[5]);
    }

    /// The values the specification quotes (checked against libsodium's
    /// `crypto_core_ristretto255_from_hash`).
    #[test]
    fn known_values() {
        let hex = |p: &RistrettoPoint| hex::encode(PointBytes::from_point(p).0);
        assert_eq!(
            hex(&generator(0)),
            "ba77a97fb5b33cc84684fcbfdbdf99b01c899f8ed5f582f7205a587af547d45b"
        );
        assert_eq!(
            hex(&generator(1)),
            "e83067113eddbfda76a6faf10ba581bb7e90c05f6e9b109bb9c101ea1d3ae017"
        );
        assert_eq!(
            hex(&chain_generator()),
            "802e6bc0196fd32e4845cb8cdf1426c333dd41c4170af0acfe6c3bc5b706ff0e"
        );
    }
}
