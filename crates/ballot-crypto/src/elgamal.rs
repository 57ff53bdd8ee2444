//! Exponential ElGamal on ristretto255: `Enc_Y(m; r) = (r·G, m·G + r·Y)`.

use crate::encoding::PointBytes;
use crate::error::Result;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use serde::{Deserialize, Serialize};

/// A decoded ciphertext.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    /// `r·G`
    pub alpha: RistrettoPoint,
    /// `m·G + r·Y`
    pub beta: RistrettoPoint,
}

/// A ciphertext as stored on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiphertextBytes {
    /// `r·G`, compressed.
    pub alpha: PointBytes,
    /// `m·G + r·Y`, compressed.
    pub beta: PointBytes,
}

impl Ciphertext {
    /// Encryption of zero with randomness zero: the neutral element of [`Ciphertext::add`].
    pub fn zero() -> Self {
        Self {
            alpha: RistrettoPoint::identity(),
            beta: RistrettoPoint::identity(),
        }
    }

    /// Encrypts the small integer `m` under `y` with randomness `r`.
    pub fn encrypt(y: &RistrettoPoint, m: u64, r: &Scalar) -> Self {
        Self {
            alpha: RistrettoPoint::mul_base(r),
            beta: RistrettoPoint::mul_base(&Scalar::from(m)) + r * y,
        }
    }

    /// Homomorphic addition: encrypts the sum of the plaintexts.
    pub fn add(&self, other: &Self) -> Self {
        Self {
            alpha: self.alpha + other.alpha,
            beta: self.beta + other.beta,
        }
    }

    /// Re-encryption: the same plaintext under fresh randomness `r` added.
    pub fn reencrypt(&self, y: &RistrettoPoint, r: &Scalar) -> Self {
        self.add(&Self::encrypt(y, 0, r))
    }

    /// `m·G` recovered with the whole secret key `x` (tests and single-trustee use).
    pub fn decrypt_point(&self, x: &Scalar) -> RistrettoPoint {
        self.beta - x * self.alpha
    }

    /// Compressed form.
    pub fn to_bytes(&self) -> CiphertextBytes {
        CiphertextBytes {
            alpha: PointBytes::from_point(&self.alpha),
            beta: PointBytes::from_point(&self.beta),
        }
    }
}

impl CiphertextBytes {
    /// Decodes both points (canonical encodings; the identity is allowed).
    pub fn decode(&self) -> Result<Ciphertext> {
        Ok(Ciphertext {
            alpha: self.alpha.decode("ciphertext alpha")?,
            beta: self.beta.decode("ciphertext beta")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::random_scalar;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn round_trip_and_homomorphism() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let x = random_scalar(&mut rng);
        let y = RistrettoPoint::mul_base(&x);
        let a = Ciphertext::encrypt(&y, 3, &random_scalar(&mut rng));
        let b = Ciphertext::encrypt(&y, 4, &random_scalar(&mut rng));
        let seven = RistrettoPoint::mul_base(&Scalar::from(7u64));
        assert_eq!(a.add(&b).decrypt_point(&x), seven);
        let c = a.reencrypt(&y, &random_scalar(&mut rng));
        assert_ne!(c, a);
        assert_eq!(c.decrypt_point(&x), a.decrypt_point(&x));
        assert_eq!(a.to_bytes().decode(), Ok(a));
    }
}
