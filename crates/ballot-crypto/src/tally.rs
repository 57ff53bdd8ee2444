//! Threshold decryption: decryption shares with Chaum–Pedersen proofs, Lagrange combination,
//! small discrete logarithms, and the outcome read from the plaintexts.

use crate::ballot::ElectionContext;
use crate::batch::Batch;
use crate::dkg::TrusteeKey;
use crate::elgamal::CiphertextBytes;
use crate::encoding::{PointBytes, Transcript, random_scalar, tags};
use crate::error::{Error, Result};
use crate::params::{ElectionParams, QuestionKind};
use crate::proofs::{EqualityProof, Statement, seed_of};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One trustee's decryption factor `d = x_j·α` for one ciphertext, with its proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareItem {
    /// `d = x_j·α`
    pub factor: PointBytes,
    /// Proof that `log_G VK_j = log_α d`.
    pub proof: EqualityProof,
}

/// One trustee's decryption of every ciphertext of the tally, row by row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecryptionShare {
    /// The trustee's number `j`.
    pub trustee: u32,
    /// Same shape as the tally's ciphertexts.
    pub factors: Vec<Vec<ShareItem>>,
}

fn share_transcript(
    ctx: &ElectionContext,
    trustee: u32,
    vk: &PointBytes,
    ct: &CiphertextBytes,
    factor: &PointBytes,
) -> Transcript {
    let mut t = Transcript::new(tags::DECRYPTION);
    t.part(&ctx.fingerprint)
        .u64(trustee.into())
        .point(vk)
        .point(&ct.alpha)
        .point(&ct.beta)
        .point(factor);
    t
}

/// Computes trustee `key.index`'s decryption share of every ciphertext, rows in parallel
/// (the proofs' nonces are drawn from `rng` first, in order, so the share does not depend on
/// how the work was split).
pub fn decrypt_share<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    key: &TrusteeKey,
    rows: &[Vec<CiphertextBytes>],
    rng: &mut R,
) -> Result<DecryptionShare> {
    let x = key.share.decode("key share")?;
    let vk = PointBytes::from_point(&RistrettoPoint::mul_base(&x));
    let nonces: Vec<Vec<Scalar>> = rows
        .iter()
        .map(|row| row.iter().map(|_| random_scalar(rng)).collect())
        .collect();
    let factors = rows
        .par_iter()
        .zip(nonces)
        .map(|(row, nonces)| {
            row.iter()
                .zip(nonces)
                .map(|(ct, w)| {
                    let alpha = ct.alpha.decode("ciphertext alpha")?;
                    let factor = PointBytes::from_point(&(x * alpha));
                    let t = share_transcript(ctx, key.index, &vk, ct, &factor);
                    let proof = EqualityProof::prove_with_nonce(&x, &alpha, t, w);
                    Ok(ShareItem { factor, proof })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DecryptionShare {
        trustee: key.index,
        factors,
    })
}

/// Decodes the `α` of every ciphertext, once for all trustees' shares.
pub(crate) fn decode_alphas(rows: &[Vec<CiphertextBytes>]) -> Result<Vec<Vec<RistrettoPoint>>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|ct| ct.alpha.decode("ciphertext alpha"))
                .collect()
        })
        .collect()
}

/// Checks one trustee's share against its verification key (batched); returns the decoded
/// factors.
pub fn verify_decryption_share(
    ctx: &ElectionContext,
    vk: &RistrettoPoint,
    rows: &[Vec<CiphertextBytes>],
    share: &DecryptionShare,
) -> Result<Vec<Vec<RistrettoPoint>>> {
    verify_share_decoded(ctx, vk, rows, &decode_alphas(rows)?, share)
}

pub(crate) fn verify_share_decoded(
    ctx: &ElectionContext,
    vk: &RistrettoPoint,
    rows: &[Vec<CiphertextBytes>],
    alphas: &[Vec<RistrettoPoint>],
    share: &DecryptionShare,
) -> Result<Vec<Vec<RistrettoPoint>>> {
    if share.factors.len() != rows.len()
        || share
            .factors
            .iter()
            .zip(rows)
            .any(|(f, r)| f.len() != r.len())
    {
        return Err(Error::Malformed(format!(
            "trustee {}'s share does not match the tally's shape",
            share.trustee
        )));
    }
    let vk_bytes = PointBytes::from_point(vk);
    let seed = {
        let mut t = Transcript::new(tags::DECRYPTION);
        t.part(&ctx.fingerprint)
            .u64(share.trustee.into())
            .point(&vk_bytes);
        for ct in rows.iter().flatten() {
            t.point(&ct.alpha).point(&ct.beta);
        }
        for item in share.factors.iter().flatten() {
            t.point(&item.factor)
                .point(&item.proof.a)
                .point(&item.proof.b)
                .scalar(&item.proof.response);
        }
        seed_of(&t, &[])
    };
    // Rows in chunks, each chunk a batch of its own whose weights come from the seed (which
    // commits to every proof) and the chunk's number, checked in parallel.
    let chunks: Vec<Result<Vec<Vec<RistrettoPoint>>>> = rows
        .par_chunks(SHARE_ROWS_PER_BATCH)
        .zip(share.factors.par_chunks(SHARE_ROWS_PER_BATCH))
        .zip(alphas.par_chunks(SHARE_ROWS_PER_BATCH))
        .enumerate()
        .map(|(k, ((rows, items), alphas))| {
            let mut batch = Batch::new(chunk_seed(&seed, k));
            let vk_shared = batch.share(*vk);
            let mut out = Vec::with_capacity(rows.len());
            for ((row, items), alpha_row) in rows.iter().zip(items).zip(alphas) {
                let mut decoded = Vec::with_capacity(row.len());
                for ((ct, item), alpha) in row.iter().zip(items).zip(alpha_row) {
                    let d = item.factor.decode("decryption factor")?;
                    let t = share_transcript(ctx, share.trustee, &vk_bytes, ct, &item.factor);
                    item.proof.verify_into(
                        &mut batch,
                        Statement::Shared(vk_shared),
                        alpha,
                        &d,
                        t,
                        "decryption proof",
                    )?;
                    decoded.push(d);
                }
                out.push(decoded);
            }
            if !batch.verify() {
                return Err(Error::Proof(format!(
                    "trustee {}'s decryption proof",
                    share.trustee
                )));
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for chunk in chunks {
        out.extend(chunk?);
    }
    Ok(out)
}

/// Rows of a share checked in one batch: enough ciphertexts for Pippenger's method to pay
/// off, few enough that every core gets chunks.
const SHARE_ROWS_PER_BATCH: usize = 256;

/// The seed of chunk `k`'s weights, from the seed that commits to the whole document.
pub(crate) fn chunk_seed(seed: &[u8; 32], k: usize) -> [u8; 32] {
    let mut t = Transcript::new(tags::BATCH);
    t.part(seed).u64(k as u64);
    t.sha256()
}

/// Lagrange coefficients at 0 for the distinct, non-zero trustee numbers given.
pub fn lagrange_at_zero(indices: &[u32]) -> Result<Vec<Scalar>> {
    let mut out = Vec::with_capacity(indices.len());
    for (a, &i) in indices.iter().enumerate() {
        let mut num = Scalar::ONE;
        let mut den = Scalar::ONE;
        for (b, &m) in indices.iter().enumerate() {
            if a == b {
                continue;
            }
            if m == i || m == 0 || i == 0 {
                return Err(Error::Malformed(
                    "trustee numbers must be distinct and non-zero".into(),
                ));
            }
            num *= Scalar::from(m);
            den *= Scalar::from(m) - Scalar::from(i);
        }
        out.push(num * den.invert());
    }
    Ok(out)
}

/// `m·G = β − Σ λ_j·d_j` for every ciphertext, from the decoded factors of trustees
/// `indices` (same order).
pub fn combine(
    rows: &[Vec<CiphertextBytes>],
    indices: &[u32],
    factors: &[Vec<Vec<RistrettoPoint>>],
) -> Result<Vec<Vec<RistrettoPoint>>> {
    let lambdas = lagrange_at_zero(indices)?;
    let mut coeffs = vec![Scalar::ONE];
    coeffs.extend(lambdas.iter().map(|l| -l));
    rows.par_iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, ct)| {
                    let beta = ct.beta.decode("ciphertext beta")?;
                    let mut points = vec![beta];
                    for f in factors {
                        let d = f.get(r).and_then(|row| row.get(c)).ok_or_else(|| {
                            Error::Malformed("decryption factors do not match the tally".into())
                        })?;
                        points.push(*d);
                    }
                    Ok(RistrettoPoint::vartime_multiscalar_mul(&coeffs, &points))
                })
                .collect()
        })
        .collect()
}

/// Discrete logarithms `m` of `m·G` for `m` in `0..=max`: a direct table for small bounds,
/// baby-step giant-step (`√max` compressions per search) otherwise.
pub struct DlogTable {
    max: u64,
    small: Vec<RistrettoPoint>,
    baby: HashMap<[u8; 32], u64>,
    step: u64,
    giant: RistrettoPoint,
}

impl DlogTable {
    /// Prepares searches up to `max`.
    pub fn new(max: u64) -> Self {
        const SMALL: u64 = 64;
        let g = RistrettoPoint::mul_base(&Scalar::ONE);
        if max < SMALL {
            let mut small = Vec::new();
            let mut p = RistrettoPoint::identity();
            for _ in 0..=max {
                small.push(p);
                p += g;
            }
            return Self {
                max,
                small,
                baby: HashMap::new(),
                step: 0,
                giant: g,
            };
        }
        let step = max.isqrt() + 1;
        let mut baby = HashMap::with_capacity(step as usize);
        let mut p = RistrettoPoint::identity();
        for i in 0..step {
            baby.insert(p.compress().to_bytes(), i);
            p += g;
        }
        Self {
            max,
            small: Vec::new(),
            baby,
            step,
            giant: -p,
        }
    }

    /// `m` with `m·G = point`, if `m ≤ max`.
    pub fn find(&self, point: &RistrettoPoint) -> Option<u64> {
        if !self.small.is_empty() {
            return self.small.iter().position(|p| p == point).map(|m| m as u64);
        }
        let mut p = *point;
        for k in 0..=self.step {
            if let Some(i) = self.baby.get(&p.compress().to_bytes()) {
                let m = k * self.step + i;
                return (m <= self.max).then_some(m);
            }
            p += self.giant;
        }
        None
    }
}

/// What the election decided, read from the plaintexts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Homomorphic kinds: how many counted ballots chose each option.
    Totals {
        /// Ballots counted.
        ballots: u64,
        /// One total per option.
        totals: Vec<u64>,
    },
    /// Ranked: the valid rankings (0-based candidates, most preferred first) in tally order,
    /// for a counting method to use; invalid ones are spoilt and only counted in turnout.
    Rankings {
        /// Ballots counted (valid and spoilt).
        ballots: u64,
        /// Valid rankings.
        rankings: Vec<Vec<u32>>,
        /// Ballots whose decryption was not a valid ranking.
        spoilt: u64,
    },
}

/// Decodes ranked entries: `None` for a value outside `0..=n` (the ballot is spoilt).
pub fn read_plaintexts(
    params: &ElectionParams,
    ballots: u64,
    points: &[Vec<RistrettoPoint>],
) -> Result<Vec<Vec<Option<u64>>>> {
    let max = match params.kind {
        QuestionKind::Ranked => params.options.into(),
        _ => ballots,
    };
    let table = DlogTable::new(max);
    points
        .par_iter()
        .map(|row| {
            row.iter()
                .map(|p| match (table.find(p), params.kind) {
                    (None, QuestionKind::Ranked) => Ok(None),
                    (None, _) => Err(Error::DlogNotFound(max)),
                    (Some(m), _) => Ok(Some(m)),
                })
                .collect()
        })
        .collect()
}

/// A ranked row as a ranking, if valid: `k` distinct candidates + 1 then zeros,
/// `min ≤ k ≤ max`.
pub fn ranking_of(params: &ElectionParams, row: &[Option<u64>]) -> Option<Vec<u32>> {
    let k = row
        .iter()
        .take_while(|v| matches!(v, Some(x) if *x > 0))
        .count();
    if row[k..].iter().any(|v| *v != Some(0)) {
        return None;
    }
    if (k as u64) < u64::from(params.min) || (k as u64) > u64::from(params.max) {
        return None;
    }
    let mut seen = vec![false; params.options as usize];
    let mut ranking = Vec::with_capacity(k);
    for v in row[..k].iter().flatten() {
        let c = usize::try_from(*v - 1).ok()?;
        let slot = seen.get_mut(c)?;
        if *slot {
            return None;
        }
        *slot = true;
        ranking.push(c as u32);
    }
    Some(ranking)
}

/// The outcome from the plaintexts.
pub fn outcome(
    params: &ElectionParams,
    ballots: u64,
    plaintexts: &[Vec<Option<u64>>],
) -> Result<Outcome> {
    if params.kind.is_homomorphic() {
        let [row] = plaintexts else {
            return Err(Error::Malformed("a homomorphic tally has one row".into()));
        };
        let totals = row
            .iter()
            .map(|v| v.ok_or_else(|| Error::Malformed("missing total".into())))
            .collect::<Result<Vec<_>>>()?;
        Ok(Outcome::Totals { ballots, totals })
    } else {
        let mut rankings = Vec::new();
        let mut spoilt = 0;
        for row in plaintexts {
            match ranking_of(params, row) {
                Some(r) => rankings.push(r),
                None => spoilt += 1,
            }
        }
        Ok(Outcome::Rankings {
            ballots,
            rankings,
            spoilt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlog_small_and_large() {
        for max in [0u64, 10, 63, 64, 1000, 100_000] {
            let t = DlogTable::new(max);
            for m in [0, max / 3, max] {
                let p = RistrettoPoint::mul_base(&Scalar::from(m));
                assert_eq!(t.find(&p), Some(m), "max {max} m {m}");
            }
            let p = RistrettoPoint::mul_base(&Scalar::from(max + 1));
            assert_eq!(t.find(&p), None);
        }
    }

    #[test]
    fn lagrange_refuses_duplicates() {
        assert!(lagrange_at_zero(&[1, 1]).is_err());
        assert!(lagrange_at_zero(&[0, 2]).is_err());
        assert_eq!(lagrange_at_zero(&[3]).ok(), Some(vec![Scalar::ONE]));
    }

    #[test]
    fn rankings() {
        let p = ElectionParams {
            id: "r".into(),
            kind: QuestionKind::Ranked,
            options: 3,
            min: 1,
            max: 3,
            trustees: 1,
            threshold: 1,
        };
        assert_eq!(
            ranking_of(&p, &[Some(2), Some(1), Some(0)]),
            Some(vec![1, 0])
        );
        assert_eq!(ranking_of(&p, &[Some(2), Some(2), Some(0)]), None);
        assert_eq!(ranking_of(&p, &[Some(0), Some(1), Some(0)]), None);
        assert_eq!(ranking_of(&p, &[Some(0), Some(0), Some(0)]), None);
        assert_eq!(ranking_of(&p, &[Some(4), Some(0), Some(0)]), None);
        assert_eq!(ranking_of(&p, &[None, Some(0), Some(0)]), None);
    }
}
