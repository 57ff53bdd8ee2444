//! Batched verification: many linear equations `Σ cᵢ·Pᵢ = 0` checked at once as one
//! multiscalar multiplication after weighting each equation by a random 128-bit scalar.
//!
//! The weights are derived by hashing a seed that the caller must make commit to every
//! proof in the batch (a ballot's tracker covers its whole encoding). A forged proof then
//! passes only if the weights happen to cancel its error, with probability about 2⁻¹²⁸.

use crate::encoding::tags;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rayon::prelude::*;
use sha2::{Digest, Sha512};

/// Identifies a point shared by many equations (the election key, a verification key): its
/// coefficients are summed so that it costs one term in the multiplication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shared(usize);

/// Terms from which a batch's multiplication is split over the cores: below it, one
/// Pippenger multiplication beats several smaller ones.
const PARALLEL_TERMS: usize = 1 << 16;

pub(crate) struct Batch {
    seed: [u8; 32],
    counter: u64,
    pool: Vec<Scalar>,
    g: Scalar,
    shared: Vec<(RistrettoPoint, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Batch {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        Self {
            seed,
            counter: 0,
            pool: Vec::new(),
            g: Scalar::ZERO,
            shared: Vec::new(),
            scalars: Vec::with_capacity(64),
            points: Vec::with_capacity(64),
        }
    }

    /// Derives the weights of the following equations from a new seed.
    pub(crate) fn reseed(&mut self, seed: [u8; 32]) {
        self.seed = seed;
        self.counter = 0;
        self.pool.clear();
    }

    pub(crate) fn share(&mut self, point: RistrettoPoint) -> Shared {
        self.shared.push((point, Scalar::ZERO));
        Shared(self.shared.len() - 1)
    }

    pub(crate) fn weight(&mut self) -> Scalar {
        if self.pool.is_empty() {
            let mut h = Sha512::new();
            h.update((tags::BATCH.len() as u64).to_be_bytes());
            h.update(tags::BATCH.as_bytes());
            h.update(self.seed);
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let digest: [u8; 64] = h.finalize().into();
            for chunk in digest.chunks_exact(16) {
                let mut wide = [0u8; 32];
                wide[..16].copy_from_slice(chunk);
                wide[0] |= 1; // never zero
                self.pool.push(Scalar::from_bytes_mod_order(wide));
            }
        }
        self.pool.pop().unwrap_or(Scalar::ONE)
    }

    /// Adds an already weighted coefficient of `G`.
    pub(crate) fn add_g(&mut self, c: Scalar) {
        self.g += c;
    }

    /// Adds an already weighted coefficient of a shared point.
    pub(crate) fn add_shared(&mut self, Shared(i): Shared, c: Scalar) {
        if let Some(entry) = self.shared.get_mut(i) {
            entry.1 += c;
        }
    }

    /// Adds an already weighted term.
    pub(crate) fn add(&mut self, c: Scalar, p: RistrettoPoint) {
        self.scalars.push(c);
        self.points.push(p);
    }

    /// Adds the equation `g·G + Σ s·S + Σ c·P = 0` with a fresh weight.
    pub(crate) fn equation(
        &mut self,
        g: Scalar,
        shared: &[(Shared, Scalar)],
        terms: &[(Scalar, RistrettoPoint)],
    ) {
        let w = self.weight();
        self.g += w * g;
        for (Shared(i), c) in shared {
            if let Some(entry) = self.shared.get_mut(*i) {
                entry.1 += w * c;
            }
        }
        for (c, p) in terms {
            self.scalars.push(w * c);
            self.points.push(*p);
        }
    }

    /// True when every equation added holds (with overwhelming probability).
    pub(crate) fn verify(self) -> bool {
        let Batch {
            g,
            shared,
            mut scalars,
            mut points,
            ..
        } = self;
        scalars.push(g);
        points.push(RISTRETTO_BASEPOINT_POINT);
        for (p, c) in shared {
            scalars.push(c);
            points.push(p);
        }
        // A large batch (a shuffle's, a long share's) is summed in parallel parts.
        let threads = rayon::current_num_threads();
        if threads < 2 || points.len() < PARALLEL_TERMS {
            return RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity();
        }
        let part = points.len().div_ceil(threads);
        let sum: RistrettoPoint = scalars
            .par_chunks(part)
            .zip(points.par_chunks(part))
            .map(|(s, p)| RistrettoPoint::vartime_multiscalar_mul(s, p))
            .sum();
        sum.is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_and_fails() {
        let p = RistrettoPoint::mul_base(&Scalar::from(7u64));
        let mut b = Batch::new([1; 32]);
        let s = b.share(p);
        // 7·G − P = 0
        b.equation(Scalar::from(7u64), &[(s, -Scalar::ONE)], &[]);
        b.equation(Scalar::from(14u64), &[], &[(-Scalar::from(2u64), p)]);
        assert!(b.verify());
        let mut b = Batch::new([1; 32]);
        b.equation(Scalar::from(8u64), &[], &[(-Scalar::ONE, p)]);
        assert!(!b.verify());
    }
}
