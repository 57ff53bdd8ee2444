//! Sigma proofs made non-interactive with Fiat–Shamir. Each proof is sent in commitment form
//! (commitments and responses; the challenge is recomputed), so that verifiers can check
//! many at once in a batch. The caller builds the transcript with the proof's tag and its
//! whole statement; the proof appends its commitments and derives the challenge.

use crate::batch::{Batch, Shared};
use crate::encoding::{PointBytes, ScalarBytes, Transcript, random_scalar};
use crate::error::{Error, Result};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use serde::{Deserialize, Serialize};

/// Proof of knowledge of `x` with `X = x·G`: commitment `A = w·G`, response `s = w + c·x`;
/// the verifier checks `s·G = A + c·X`. Also used as the voter's signature (the message in the
/// transcript) and as the proof of knowledge of a ciphertext's randomness (`X = α`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchnorrProof {
    /// `A = w·G`
    pub commitment: PointBytes,
    /// `s = w + c·x`
    pub response: ScalarBytes,
}

/// Proof that `log_G X = log_H Z` (Chaum–Pedersen): commitments `A = w·G`, `B = w·H`,
/// response `s = w + c·x`; the verifier checks `s·G = A + c·X` and `s·H = B + c·Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EqualityProof {
    /// `A = w·G`
    pub a: PointBytes,
    /// `B = w·H`
    pub b: PointBytes,
    /// `s = w + c·x`
    pub response: ScalarBytes,
}

/// Disjunctive (Cramer–Damgård–Schoenmakers) proof that `(α, β)` encrypts some `j` in
/// `lo..=hi`: one branch per value, in order. Challenges sum to the Fiat–Shamir challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeProof {
    /// Branch `i` is for the value `lo + i`.
    pub branches: Vec<RangeBranch>,
}

/// One branch of a [`RangeProof`]: `s·G = A + c·α` and `s·Y = B + c·(β − j·G)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeBranch {
    /// `A`
    pub a: PointBytes,
    /// `B`
    pub b: PointBytes,
    /// This branch's challenge `c_j`.
    pub challenge: ScalarBytes,
    /// This branch's response `s_j`.
    pub response: ScalarBytes,
}

impl SchnorrProof {
    /// Proves knowledge of `x`; `t` already holds the tag, context and `X`.
    pub(crate) fn prove<R: rand::CryptoRng + ?Sized>(
        x: &Scalar,
        mut t: Transcript,
        rng: &mut R,
    ) -> Self {
        let w = random_scalar(rng);
        let commitment = PointBytes::from_point(&RistrettoPoint::mul_base(&w));
        t.point(&commitment);
        let c = t.challenge();
        Self {
            commitment,
            response: ScalarBytes::from_scalar(&(w + c * x)),
        }
    }

    /// Adds `s·G − A − c·X = 0` to the batch.
    pub(crate) fn verify_into(
        &self,
        batch: &mut Batch,
        x: Statement,
        mut t: Transcript,
        what: &'static str,
    ) -> Result<()> {
        let a = self.commitment.decode(what)?;
        let s = self.response.decode(what)?;
        t.point(&self.commitment);
        let c = t.challenge();
        match x {
            Statement::Point(x) => batch.equation(s, &[], &[(-Scalar::ONE, a), (-c, x)]),
            Statement::Shared(x) => batch.equation(s, &[(x, -c)], &[(-Scalar::ONE, a)]),
        }
        Ok(())
    }

    /// Checks the proof on its own.
    pub(crate) fn verify(
        &self,
        x: &RistrettoPoint,
        t: Transcript,
        what: &'static str,
    ) -> Result<()> {
        let mut batch = Batch::new(seed_of(&t, &[self.commitment.0, self.response.0]));
        self.verify_into(&mut batch, Statement::Point(*x), t, what)?;
        batch
            .verify()
            .then_some(())
            .ok_or_else(|| Error::Proof(what.into()))
    }
}

/// A statement point, either used once or shared by many equations of a batch.
#[derive(Clone, Copy)]
pub(crate) enum Statement {
    Point(RistrettoPoint),
    Shared(Shared),
}

/// A batch seed covering a transcript and extra bytes (responses).
pub(crate) fn seed_of(t: &Transcript, extra: &[[u8; 32]]) -> [u8; 32] {
    let mut s = Transcript::new(crate::encoding::tags::BATCH);
    s.part(t.as_bytes());
    for e in extra {
        s.part(e);
    }
    s.sha256()
}

impl EqualityProof {
    /// Proves `log_G X = log_H Z = x`; `t` holds the tag and whole statement.
    pub(crate) fn prove<R: rand::CryptoRng + ?Sized>(
        x: &Scalar,
        h: &RistrettoPoint,
        t: Transcript,
        rng: &mut R,
    ) -> Self {
        Self::prove_with_nonce(x, h, t, random_scalar(rng))
    }

    /// [`Self::prove`] with its nonce `w` drawn already (by a caller that draws every
    /// nonce in order, then proves in parallel).
    pub(crate) fn prove_with_nonce(
        x: &Scalar,
        h: &RistrettoPoint,
        mut t: Transcript,
        w: Scalar,
    ) -> Self {
        let a = PointBytes::from_point(&RistrettoPoint::mul_base(&w));
        let b = PointBytes::from_point(&(w * h));
        t.point(&a).point(&b);
        let c = t.challenge();
        Self {
            a,
            b,
            response: ScalarBytes::from_scalar(&(w + c * x)),
        }
    }

    /// Adds `s·G − A − c·X = 0` and `s·H − B − c·Z = 0` to the batch.
    pub(crate) fn verify_into(
        &self,
        batch: &mut Batch,
        x: Statement,
        h: &RistrettoPoint,
        z: &RistrettoPoint,
        mut t: Transcript,
        what: &'static str,
    ) -> Result<()> {
        let a = self.a.decode(what)?;
        let b = self.b.decode(what)?;
        let s = self.response.decode(what)?;
        t.point(&self.a).point(&self.b);
        let c = t.challenge();
        match x {
            Statement::Point(x) => batch.equation(s, &[], &[(-Scalar::ONE, a), (-c, x)]),
            Statement::Shared(x) => batch.equation(s, &[(x, -c)], &[(-Scalar::ONE, a)]),
        }
        batch.equation(Scalar::ZERO, &[], &[(s, *h), (-Scalar::ONE, b), (-c, *z)]);
        Ok(())
    }
}

/// The plaintext, ciphertext and public key of a range proof.
pub(crate) struct RangeStatement<'a> {
    pub y: &'a RistrettoPoint,
    pub ct: &'a crate::elgamal::Ciphertext,
    pub lo: u64,
    pub hi: u64,
}

impl RangeProof {
    /// Proves that `st.ct` encrypts `value` (in `lo..=hi`) with randomness `r`.
    pub(crate) fn prove<R: rand::CryptoRng + ?Sized>(
        st: &RangeStatement<'_>,
        value: u64,
        r: &Scalar,
        mut t: Transcript,
        rng: &mut R,
    ) -> Result<Self> {
        if value < st.lo || value > st.hi {
            return Err(Error::Choice(format!(
                "value {value} outside {}..={}",
                st.lo, st.hi
            )));
        }
        let mut sim = Vec::new();
        let mut commitments = Vec::new();
        let w = random_scalar(rng);
        for j in st.lo..=st.hi {
            if j == value {
                commitments.push((
                    PointBytes::from_point(&RistrettoPoint::mul_base(&w)),
                    PointBytes::from_point(&(w * st.y)),
                ));
                sim.push((Scalar::ZERO, Scalar::ZERO));
            } else {
                let c = random_scalar(rng);
                let s = random_scalar(rng);
                let shifted = st.ct.beta - RistrettoPoint::mul_base(&Scalar::from(j));
                let a = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, &st.ct.alpha, &s);
                let b = RistrettoPoint::vartime_multiscalar_mul([s, -c], [*st.y, shifted]);
                commitments.push((PointBytes::from_point(&a), PointBytes::from_point(&b)));
                sim.push((c, s));
            }
        }
        for (a, b) in &commitments {
            t.point(a).point(b);
        }
        let total = t.challenge();
        let others: Scalar = sim.iter().map(|(c, _)| c).sum();
        let real_c = total - others;
        let branches = (st.lo..=st.hi)
            .zip(commitments)
            .zip(sim)
            .map(|((j, (a, b)), (c, s))| {
                let (c, s) = if j == value {
                    (real_c, w + real_c * r)
                } else {
                    (c, s)
                };
                RangeBranch {
                    a,
                    b,
                    challenge: ScalarBytes::from_scalar(&c),
                    response: ScalarBytes::from_scalar(&s),
                }
            })
            .collect();
        Ok(Self { branches })
    }

    /// Adds the proof's equations to the batch and checks that the challenges add up.
    pub(crate) fn verify_into(
        &self,
        batch: &mut Batch,
        y_shared: Shared,
        st: &RangeStatement<'_>,
        mut t: Transcript,
        what: &'static str,
    ) -> Result<()> {
        let width = st.hi.checked_sub(st.lo).map(|d| d as usize + 1);
        if width != Some(self.branches.len()) {
            return Err(Error::Malformed(format!(
                "{what}: {} branches, expected {}",
                self.branches.len(),
                width.unwrap_or(0)
            )));
        }
        let mut sum = Scalar::ZERO;
        let mut alpha_coeff = Scalar::ZERO;
        let mut beta_coeff = Scalar::ZERO;
        for (j, branch) in (st.lo..).zip(&self.branches) {
            let a = branch.a.decode(what)?;
            let b = branch.b.decode(what)?;
            let c = branch.challenge.decode(what)?;
            let s = branch.response.decode(what)?;
            t.point(&branch.a).point(&branch.b);
            sum += c;
            // w1·(s·G − A − c·α) + w2·(s·Y − B − c·β + c·j·G) = 0, with α and β folded.
            let w1 = batch.weight();
            let w2 = batch.weight();
            batch.add_g(w1 * s + w2 * c * Scalar::from(j));
            batch.add_shared(y_shared, w2 * s);
            batch.add(-w1, a);
            batch.add(-w2, b);
            alpha_coeff -= w1 * c;
            beta_coeff -= w2 * c;
        }
        batch.add(alpha_coeff, st.ct.alpha);
        batch.add(beta_coeff, st.ct.beta);
        if t.challenge() != sum {
            return Err(Error::Proof(format!("{what} (challenges)")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::Ciphertext;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn statement_transcript(lo: u64, hi: u64) -> Transcript {
        let mut t = Transcript::new(crate::encoding::tags::DISJUNCTIVE);
        t.u64(lo).u64(hi);
        t
    }

    fn check(proof: &RangeProof, y: &RistrettoPoint, ct: &Ciphertext, lo: u64, hi: u64) -> bool {
        let mut batch = Batch::new([9; 32]);
        let y_shared = batch.share(*y);
        let st = RangeStatement { y, ct, lo, hi };
        proof
            .verify_into(
                &mut batch,
                y_shared,
                &st,
                statement_transcript(lo, hi),
                "range",
            )
            .is_ok()
            && batch.verify()
    }

    #[test]
    fn range_proofs_accept_only_the_true_statement() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let y = RistrettoPoint::mul_base(&random_scalar(&mut rng));
        for (lo, hi, v) in [(0u64, 1u64, 0u64), (0, 1, 1), (1, 1, 1), (2, 5, 4)] {
            let r = random_scalar(&mut rng);
            let ct = Ciphertext::encrypt(&y, v, &r);
            let st = RangeStatement {
                y: &y,
                ct: &ct,
                lo,
                hi,
            };
            let proof = RangeProof::prove(&st, v, &r, statement_transcript(lo, hi), &mut rng)
                .expect("in range");
            assert!(check(&proof, &y, &ct, lo, hi), "{lo} {hi} {v}");
            // Another ciphertext, another range, or a changed response: refused.
            let other = Ciphertext::encrypt(&y, v, &random_scalar(&mut rng));
            assert!(!check(&proof, &y, &other, lo, hi));
            assert!(!check(&proof, &y, &ct, lo + 1, hi + 1));
            let mut bad = proof.clone();
            bad.branches[0].response = ScalarBytes::from_scalar(&Scalar::ONE);
            assert!(!check(&bad, &y, &ct, lo, hi));
        }
        let r = random_scalar(&mut rng);
        let ct = Ciphertext::encrypt(&y, 2, &r);
        let st = RangeStatement {
            y: &y,
            ct: &ct,
            lo: 0,
            hi: 1,
        };
        assert!(RangeProof::prove(&st, 2, &r, statement_transcript(0, 1), &mut rng).is_err());
    }

    #[test]
    fn schnorr_and_equality_proofs() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let x = random_scalar(&mut rng);
        let big_x = RistrettoPoint::mul_base(&x);
        let t = Transcript::new("test");
        let p = SchnorrProof::prove(&x, t.clone(), &mut rng);
        assert!(p.verify(&big_x, t.clone(), "p").is_ok());
        assert!(p.verify(&(big_x + big_x), t.clone(), "p").is_err());
        assert!(p.verify(&big_x, Transcript::new("other"), "p").is_err());
        let h = RistrettoPoint::mul_base(&random_scalar(&mut rng));
        let e = EqualityProof::prove(&x, &h, t.clone(), &mut rng);
        let ok = |z: &RistrettoPoint| {
            let mut b = Batch::new([3; 32]);
            e.verify_into(&mut b, Statement::Point(big_x), &h, z, t.clone(), "e")
                .is_ok()
                && b.verify()
        };
        assert!(ok(&(x * h)));
        assert!(!ok(&(x * h + h)));
    }
}
