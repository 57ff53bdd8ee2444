//! Verifiable re-encryption shuffle (a mixnet step) of rows of ciphertexts, with the proof of
//! Terelius and Wikström made non-interactive by Fiat–Shamir, for rows of width `w`: one
//! permutation moves whole rows, and every ciphertext is re-encrypted with its own randomness.
//! The equations are in section 7 of `docs/verifiable-ballots.md`.
//!
//! The proof is joined (same challenge) with a proof of knowledge of the shuffling trustee's
//! identity secret, so that a shuffle cannot be attributed to a trustee who did not make it.

use crate::ballot::ElectionContext;
use crate::batch::Batch;
use crate::dkg::IdentitySecret;
use crate::elgamal::{Ciphertext, CiphertextBytes};
use crate::encoding::{PointBytes, ScalarBytes, Transcript, random_scalar, tags};
use crate::error::{Error, Result};
use crate::generators::{chain_generator, generators};
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::MultiscalarMul;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One shuffle of the chain, as stored on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shuffle {
    /// The trustee who shuffled, `1..=n`.
    pub trustee: u32,
    /// The output rows: a permutation of the input rows, each ciphertext re-encrypted.
    pub ciphertexts: Vec<Vec<CiphertextBytes>>,
    /// Proof that the output is a shuffle of the input, by this trustee.
    pub proof: ShuffleProof,
}

/// The Terelius–Wikström proof in commitment form (the challenges are recomputed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuffleProof {
    /// `c_j = r_j·G + H_i` where output row `i` comes from input row `j`, one per input row.
    pub permutation_commitments: Vec<PointBytes>,
    /// `ĉ_i = r̂_i·G + u'_i·ĉ_(i−1)`, `ĉ_(−1) = Ĥ`, one per output row.
    pub chain: Vec<PointBytes>,
    /// `t_1 = ω_1·G`
    pub t1: PointBytes,
    /// `t_2 = ω_2·G`
    pub t2: PointBytes,
    /// `t_3 = ω_3·G + Σ ω'_i·H_i`
    pub t3: PointBytes,
    /// Per column `k`: `(−ω_4k·G + Σ ω'_i·α'_ik, −ω_4k·Y + Σ ω'_i·β'_ik)`.
    pub t4: Vec<CiphertextBytes>,
    /// `t̂_i = ω̂_i·G + ω'_i·ĉ_(i−1)`, one per output row.
    pub t_hat: Vec<PointBytes>,
    /// `t_Z = ω_Z·G`, for the trustee's identity key.
    pub t_key: PointBytes,
    /// `s_1 = ω_1 + c·Σ r_j`
    pub s1: ScalarBytes,
    /// `s_2 = ω_2 + c·Σ r̂_i·v_i`
    pub s2: ScalarBytes,
    /// `s_3 = ω_3 + c·Σ r_j·u_j`
    pub s3: ScalarBytes,
    /// Per column `k`: `s_4k = ω_4k + c·Σ r'_ik·u'_i`.
    pub s4: Vec<ScalarBytes>,
    /// `ŝ_i = ω̂_i + c·r̂_i`
    pub s_hat: Vec<ScalarBytes>,
    /// `s'_i = ω'_i + c·u'_i`
    pub s_prime: Vec<ScalarBytes>,
    /// `s_Z = ω_Z + c·z`
    pub s_key: ScalarBytes,
}

/// What a shuffle proof is about: the election, the place in the chain, the trustee and its
/// identity key, the input and output rows.
struct Statement<'a> {
    ctx: &'a ElectionContext,
    position: u32,
    trustee: u32,
    key: &'a PointBytes,
    input: &'a [Vec<CiphertextBytes>],
    output: &'a [Vec<CiphertextBytes>],
}

impl Statement<'_> {
    /// `δ = D("charter/v1/shuffle/statement", [fingerprint, Y, u64be(position),
    /// u64be(trustee), Z, u64be(N), u64be(w), input α, β row by row, output α, β row by row])`.
    fn digest(&self) -> [u8; 32] {
        let mut t = Transcript::new(tags::SHUFFLE_STATEMENT);
        t.part(&self.ctx.fingerprint)
            .point(&self.ctx.public_key_bytes)
            .u64(self.position.into())
            .u64(self.trustee.into())
            .point(self.key)
            .u64(self.input.len() as u64)
            .u64(self.ctx.params.ciphertexts() as u64);
        for ct in self.input.iter().chain(self.output).flatten() {
            t.point(&ct.alpha).point(&ct.beta);
        }
        t.sha256()
    }
}

/// `ρ = D("charter/v1/shuffle/permutation", [δ, c_0 … c_(N−1)])`.
fn permutation_seed(delta: &[u8; 32], commitments: &[PointBytes]) -> [u8; 32] {
    let mut t = Transcript::new(tags::SHUFFLE_PERMUTATION);
    t.part(delta);
    for c in commitments {
        t.point(c);
    }
    t.sha256()
}

/// `u_j = H("charter/v1/shuffle/challenges", [ρ, u64be(j)])` for `j = 0..N−1`.
fn row_challenges(rho: &[u8; 32], n: usize) -> Vec<Scalar> {
    (0..n as u64)
        .map(|j| {
            let mut t = Transcript::new(tags::SHUFFLE_CHALLENGES);
            t.part(rho).u64(j);
            t.challenge()
        })
        .collect()
}

/// `c = H("charter/v1/shuffle", [ρ, ĉ_0 … ĉ_(N−1), t_1, t_2, t_3, t_40.α, t_40.β, …,
/// t̂_0 … t̂_(N−1), t_Z])`.
fn challenge(rho: &[u8; 32], p: &ShuffleProof) -> Scalar {
    let mut t = Transcript::new(tags::SHUFFLE);
    t.part(rho);
    for c in &p.chain {
        t.point(c);
    }
    t.point(&p.t1).point(&p.t2).point(&p.t3);
    for ct in &p.t4 {
        t.point(&ct.alpha).point(&ct.beta);
    }
    for c in &p.t_hat {
        t.point(c);
    }
    t.point(&p.t_key);
    t.challenge()
}

fn decode_rows(rows: &[Vec<CiphertextBytes>], width: usize) -> Result<Vec<Vec<Ciphertext>>> {
    rows.par_iter()
        .enumerate()
        .map(|(i, row)| {
            if row.len() != width {
                return Err(Error::Malformed(format!(
                    "row {i} has {} ciphertexts, expected {width}",
                    row.len()
                )));
            }
            row.iter().map(CiphertextBytes::decode).collect()
        })
        .collect()
}

fn points(p: &[RistrettoPoint]) -> Vec<PointBytes> {
    p.par_iter().map(PointBytes::from_point).collect()
}

fn scalars(s: &[Scalar]) -> Vec<ScalarBytes> {
    s.iter().map(ScalarBytes::from_scalar).collect()
}

fn randoms<R: rand::CryptoRng + ?Sized>(n: usize, rng: &mut R) -> Vec<Scalar> {
    (0..n).map(|_| random_scalar(rng)).collect()
}

/// Shuffles `input` (rows of `ctx.params.ciphertexts()` ciphertexts) as trustee
/// `identity.index` at `position` in the chain (0-based), and proves it.
///
/// The group operations on secrets are constant-time; moving rows by the permutation is
/// not (memory access follows it), so run this on a machine no one else shares.
pub fn shuffle<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    identity: &IdentitySecret,
    position: u32,
    input: &[Vec<CiphertextBytes>],
    rng: &mut R,
) -> Result<Shuffle> {
    let width = ctx.params.ciphertexts();
    let decoded = decode_rows(input, width)?;
    let mut permutation: Vec<usize> = (0..input.len()).collect();
    permutation.shuffle(rng);
    let y_table = RistrettoBasepointTable::create(&ctx.public_key);
    // The randomness is drawn in order, then rows are re-encrypted in parallel.
    let randomness: Vec<Vec<Scalar>> = permutation.iter().map(|_| randoms(width, rng)).collect();
    let output: Vec<Vec<Ciphertext>> = permutation
        .par_iter()
        .zip(&randomness)
        .map(|(&j, r)| {
            let row = decoded
                .get(j)
                .ok_or_else(|| Error::Malformed("shuffle permutation out of range".into()))?;
            Ok(row
                .iter()
                .zip(r)
                .map(|(ct, r)| Ciphertext {
                    alpha: ct.alpha + RistrettoPoint::mul_base(r),
                    beta: ct.beta + &y_table * r,
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let witness = Witness {
        permutation,
        randomness,
    };
    prove(ctx, identity, position, input, &output, &witness, rng)
}

/// The secret of a shuffle: output row `i` is input row `permutation[i]` re-encrypted with
/// `randomness[i][k]` in column `k`.
pub(crate) struct Witness {
    pub permutation: Vec<usize>,
    pub randomness: Vec<Vec<Scalar>>,
}

impl Drop for Witness {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.permutation.zeroize();
        for row in &mut self.randomness {
            row.zeroize();
        }
    }
}

/// Proves that `output` is `input` shuffled with `witness` (a wrong witness gives a proof
/// that does not verify; tests use this to play a cheating trustee).
pub(crate) fn prove<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    identity: &IdentitySecret,
    position: u32,
    input: &[Vec<CiphertextBytes>],
    output: &[Vec<Ciphertext>],
    witness: &Witness,
    rng: &mut R,
) -> Result<Shuffle> {
    let n = input.len();
    let width = ctx.params.ciphertexts();
    if witness.permutation.len() != n || witness.randomness.len() != n || output.len() != n {
        return Err(Error::Malformed(
            "shuffle witness has the wrong size".into(),
        ));
    }
    let z = identity.secret.decode("identity secret")?;
    let key = PointBytes::from_point(&RistrettoPoint::mul_base(&z));
    let output_bytes: Vec<Vec<CiphertextBytes>> = output
        .par_iter()
        .map(|row| row.iter().map(Ciphertext::to_bytes).collect())
        .collect();
    let h = generators(n);
    // Permutation commitments, indexed by input row: c_π(i) = r_π(i)·G + H_i.
    let r = randoms(n, rng);
    let mut commitments = vec![RistrettoPoint::default(); n];
    for (hi, &j) in h.iter().zip(&witness.permutation) {
        if let (Some(c), Some(rj)) = (commitments.get_mut(j), r.get(j)) {
            *c = RistrettoPoint::mul_base(rj) + hi;
        }
    }
    let commitment_bytes = points(&commitments);
    let statement = Statement {
        ctx,
        position,
        trustee: identity.index,
        key: &key,
        input,
        output: &output_bytes,
    };
    let rho = permutation_seed(&statement.digest(), &commitment_bytes);
    let u = row_challenges(&rho, n);
    let u_out: Vec<Scalar> = witness
        .permutation
        .iter()
        .map(|&j| u.get(j).copied().unwrap_or(Scalar::ZERO))
        .collect();
    // Commitment chain ĉ_i = r̂_i·G + u'_i·ĉ_(i−1), and the t̂_i alongside.
    let r_hat = randoms(n, rng);
    let omega_hat = randoms(n, rng);
    let omega_prime = randoms(n, rng);
    let mut chain = Vec::with_capacity(n);
    let mut t_hat = Vec::with_capacity(n);
    let mut previous = chain_generator();
    for (((rh, ui), oh), op) in r_hat.iter().zip(&u_out).zip(&omega_hat).zip(&omega_prime) {
        t_hat.push(RistrettoPoint::mul_base(oh) + op * previous);
        previous = RistrettoPoint::mul_base(rh) + ui * previous;
        chain.push(previous);
    }
    let [omega1, omega2, omega3, omega_key] = [(); 4].map(|()| random_scalar(rng));
    let omega4 = randoms(width, rng);
    let t3 = RistrettoPoint::mul_base(&omega3) + RistrettoPoint::multiscalar_mul(&omega_prime, &h);
    let t4 = omega4
        .par_iter()
        .enumerate()
        .map(|(k, o4)| {
            // The multiplication wants exact lengths: the rows' widths were checked (decoded
            // input) or built (output), so every row has a column k.
            let (alphas, betas): (Vec<_>, Vec<_>) = output
                .iter()
                .filter_map(|row| row.get(k))
                .map(|c| (c.alpha, c.beta))
                .unzip();
            if alphas.len() != n {
                return Err(Error::Malformed(
                    "shuffle output has the wrong width".into(),
                ));
            }
            Ok(Ciphertext {
                alpha: RistrettoPoint::multiscalar_mul(&omega_prime, &alphas)
                    - RistrettoPoint::mul_base(o4),
                beta: RistrettoPoint::multiscalar_mul(&omega_prime, &betas) - o4 * ctx.public_key,
            }
            .to_bytes())
        })
        .collect::<Result<Vec<_>>>()?;
    let mut proof = ShuffleProof {
        permutation_commitments: commitment_bytes,
        chain: points(&chain),
        t1: PointBytes::from_point(&RistrettoPoint::mul_base(&omega1)),
        t2: PointBytes::from_point(&RistrettoPoint::mul_base(&omega2)),
        t3: PointBytes::from_point(&t3),
        t4,
        t_hat: points(&t_hat),
        t_key: PointBytes::from_point(&RistrettoPoint::mul_base(&omega_key)),
        s1: ScalarBytes([0; 32]),
        s2: ScalarBytes([0; 32]),
        s3: ScalarBytes([0; 32]),
        s4: Vec::new(),
        s_hat: Vec::new(),
        s_prime: Vec::new(),
        s_key: ScalarBytes([0; 32]),
    };
    let c = challenge(&rho, &proof);
    // v_i = u'_(i+1) · … · u'_(N−1), so that ĉ_(N−1) = (Σ r̂_i·v_i)·G + (Π u)·Ĥ.
    let mut v = Scalar::ONE;
    let mut r_chain = Scalar::ZERO;
    for (rh, ui) in r_hat.iter().zip(&u_out).rev() {
        r_chain += rh * v;
        v *= ui;
    }
    let r_sum: Scalar = r.iter().sum();
    let r_weighted: Scalar = r.iter().zip(&u).map(|(a, b)| a * b).sum();
    proof.s1 = ScalarBytes::from_scalar(&(omega1 + c * r_sum));
    proof.s2 = ScalarBytes::from_scalar(&(omega2 + c * r_chain));
    proof.s3 = ScalarBytes::from_scalar(&(omega3 + c * r_weighted));
    proof.s4 = omega4
        .iter()
        .enumerate()
        .map(|(k, o4)| {
            let rk: Scalar = witness
                .randomness
                .iter()
                .zip(&u_out)
                .map(|(row, ui)| row.get(k).copied().unwrap_or(Scalar::ZERO) * ui)
                .sum();
            ScalarBytes::from_scalar(&(o4 + c * rk))
        })
        .collect();
    proof.s_hat = scalars(
        &omega_hat
            .iter()
            .zip(&r_hat)
            .map(|(o, rh)| o + c * rh)
            .collect::<Vec<_>>(),
    );
    proof.s_prime = scalars(
        &omega_prime
            .iter()
            .zip(&u_out)
            .map(|(o, ui)| o + c * ui)
            .collect::<Vec<_>>(),
    );
    proof.s_key = ScalarBytes::from_scalar(&(omega_key + c * z));
    Ok(Shuffle {
        trustee: identity.index,
        ciphertexts: output_bytes,
        proof,
    })
}

/// Checks a shuffle made by the trustee with identity key `key` at `position` (0-based) of
/// `input`; returns its decoded output rows.
pub fn verify_shuffle(
    ctx: &ElectionContext,
    key: &PointBytes,
    position: u32,
    input: &[Vec<CiphertextBytes>],
    shuffle: &Shuffle,
) -> Result<Vec<Vec<Ciphertext>>> {
    let decoded = decode_rows(input, ctx.params.ciphertexts())?;
    verify_decoded(ctx, key, position, input, &decoded, shuffle)
}

fn check_len<T>(what: &str, v: &[T], expected: usize) -> Result<()> {
    if v.len() == expected {
        Ok(())
    } else {
        Err(Error::Malformed(format!(
            "shuffle proof has {} {what}, expected {expected}",
            v.len()
        )))
    }
}

fn decode_points(v: &[PointBytes], what: &'static str) -> Result<Vec<RistrettoPoint>> {
    v.par_iter().map(|p| p.decode(what)).collect()
}

fn decode_scalars(v: &[ScalarBytes], what: &'static str) -> Result<Vec<Scalar>> {
    v.iter().map(|s| s.decode(what)).collect()
}

/// [`verify_shuffle`] with the input already decoded (a chain decodes each list once).
pub(crate) fn verify_decoded(
    ctx: &ElectionContext,
    key: &PointBytes,
    position: u32,
    input: &[Vec<CiphertextBytes>],
    input_points: &[Vec<Ciphertext>],
    shuffle: &Shuffle,
) -> Result<Vec<Vec<Ciphertext>>> {
    let n = input.len();
    let width = ctx.params.ciphertexts();
    let p = &shuffle.proof;
    if shuffle.ciphertexts.len() != n {
        return Err(Error::Malformed(format!(
            "shuffle has {} rows, its input {n}",
            shuffle.ciphertexts.len()
        )));
    }
    if input_points.len() != n {
        return Err(Error::Malformed("decoded input does not match".into()));
    }
    let output = decode_rows(&shuffle.ciphertexts, width)?;
    check_len("permutation commitments", &p.permutation_commitments, n)?;
    check_len("chain commitments", &p.chain, n)?;
    check_len("t_hat", &p.t_hat, n)?;
    check_len("s_hat", &p.s_hat, n)?;
    check_len("s_prime", &p.s_prime, n)?;
    check_len("t4", &p.t4, width)?;
    check_len("s4", &p.s4, width)?;
    let z = key.decode_key("identity key")?;
    let commitments = decode_points(&p.permutation_commitments, "permutation commitment")?;
    let chain = decode_points(&p.chain, "chain commitment")?;
    let t_hat = decode_points(&p.t_hat, "shuffle proof t_hat")?;
    let t4: Vec<Ciphertext> =
        p.t4.iter()
            .map(CiphertextBytes::decode)
            .collect::<Result<_>>()?;
    let [t1, t2, t3, t_key] = [p.t1, p.t2, p.t3, p.t_key].map(|t| t.decode("shuffle proof t"));
    let (t1, t2, t3, t_key) = (t1?, t2?, t3?, t_key?);
    let [s1, s2, s3, s_key] = [p.s1, p.s2, p.s3, p.s_key].map(|s| s.decode("shuffle proof s"));
    let (s1, s2, s3, s_key) = (s1?, s2?, s3?, s_key?);
    let s4 = decode_scalars(&p.s4, "shuffle proof s4")?;
    let s_hat = decode_scalars(&p.s_hat, "shuffle proof s_hat")?;
    let s_prime = decode_scalars(&p.s_prime, "shuffle proof s_prime")?;

    let statement = Statement {
        ctx,
        position,
        trustee: shuffle.trustee,
        key,
        input,
        output: &shuffle.ciphertexts,
    };
    let rho = permutation_seed(&statement.digest(), &p.permutation_commitments);
    let u = row_challenges(&rho, n);
    let c = challenge(&rho, p);

    // Weights of the random linear combination, from a seed covering the challenge (which
    // covers the statement and every commitment) and every response.
    let seed = {
        let mut t = Transcript::new(tags::BATCH);
        t.part(&c.to_bytes());
        for s in [&p.s1, &p.s2, &p.s3, &p.s_key]
            .into_iter()
            .chain(&p.s4)
            .chain(&p.s_hat)
            .chain(&p.s_prime)
        {
            t.scalar(s);
        }
        t.sha256()
    };
    let mut batch = Batch::new(seed);
    let [w1, w2, w3, w_key] = [(); 4].map(|()| batch.weight());
    let w4: Vec<(Scalar, Scalar)> = (0..width)
        .map(|_| (batch.weight(), batch.weight()))
        .collect();
    let w5: Vec<Scalar> = (0..n).map(|_| batch.weight()).collect();

    // (1) s_1·G = t_1 + c·(Σ c_j − Σ H_i)
    // (2) s_2·G = t_2 + c·(ĉ_(N−1) − (Π u_j)·Ĥ)
    // (3) s_3·G + Σ s'_i·H_i = t_3 + c·Σ u_j·c_j
    // (4) per column k: −s_4k·G + Σ s'_i·α'_ik = t_4k.α + c·Σ u_j·α_jk
    //                   −s_4k·Y + Σ s'_i·β'_ik = t_4k.β + c·Σ u_j·β_jk
    // (5) per row i: ŝ_i·G + s'_i·ĉ_(i−1) = t̂_i + c·ĉ_i   (ĉ_(−1) = Ĥ)
    // (6) s_Z·G = t_Z + c·Z
    let mut g = w1 * s1 + w2 * s2 + w3 * s3 + w_key * s_key;
    let mut y = Scalar::ZERO;
    for ((wa, wb), s) in w4.iter().zip(&s4) {
        g -= wa * s;
        y -= wb * s;
    }
    for (w, s) in w5.iter().zip(&s_hat) {
        g += w * s;
    }
    batch.add_g(g);
    batch.add(y, ctx.public_key);
    for (w, t) in [(w1, t1), (w2, t2), (w3, t3), (w_key, t_key)] {
        batch.add(-w, t);
    }
    batch.add(-w_key * c, z);
    for ((wa, wb), t) in w4.iter().zip(&t4) {
        batch.add(-wa, t.alpha);
        batch.add(-wb, t.beta);
    }
    for (w, t) in w5.iter().zip(&t_hat) {
        batch.add(-w, *t);
    }
    let h = generators(n);
    for (hi, sp) in h.iter().zip(&s_prime) {
        batch.add(w1 * c + w3 * sp, *hi);
    }
    let w1c = w1 * c;
    let w3c = w3 * c;
    for (cj, uj) in commitments.iter().zip(&u) {
        batch.add(-w1c - w3c * uj, *cj);
    }
    let product: Scalar = u.iter().product();
    let mut h_chain = w2 * c * product;
    if let (Some(w), Some(s)) = (w5.first(), s_prime.first()) {
        h_chain += w * s;
    }
    // ĉ_i appears as ĉ_i in (5) at i, as ĉ_(i−1) in (5) at i + 1, and the last one in (2).
    let mut last = -w2 * c;
    if n == 0 {
        h_chain += last;
        last = Scalar::ZERO;
    }
    batch.add(h_chain, chain_generator());
    for (i, (ci, w)) in chain.iter().zip(&w5).enumerate() {
        let mut coefficient = -w * c;
        match (w5.get(i + 1), s_prime.get(i + 1)) {
            (Some(wn), Some(sn)) => coefficient += wn * sn,
            _ => coefficient += last,
        }
        batch.add(coefficient, *ci);
    }
    for ((wa, wb), k) in w4.iter().zip(0..width) {
        let (ca, cb) = (wa * c, wb * c);
        for (row, uj) in input_points.iter().zip(&u) {
            if let Some(ct) = row.get(k) {
                batch.add(-ca * uj, ct.alpha);
                batch.add(-cb * uj, ct.beta);
            }
        }
        for (row, sp) in output.iter().zip(&s_prime) {
            if let Some(ct) = row.get(k) {
                batch.add(wa * sp, ct.alpha);
                batch.add(wb * sp, ct.beta);
            }
        }
    }
    if !batch.verify() {
        return Err(Error::Proof(format!(
            "the proof of shuffle {position} by trustee {}",
            shuffle.trustee
        )));
    }
    Ok(output)
}

/// Checks a chain of shuffles: trustees in strictly increasing order, each shuffle the
/// previous one's output (the first one's input is `input`), every proof valid.
/// `identity_keys[j − 1]` is trustee `j`'s identity key.
pub fn verify_chain(
    ctx: &ElectionContext,
    identity_keys: &[PointBytes],
    input: &[Vec<CiphertextBytes>],
    shuffles: &[Shuffle],
) -> Result<()> {
    let mut rows = input;
    let mut decoded = decode_rows(input, ctx.params.ciphertexts())?;
    let mut previous = 0;
    for (position, s) in shuffles.iter().enumerate() {
        let key = s
            .trustee
            .checked_sub(1)
            .and_then(|i| identity_keys.get(i as usize))
            .ok_or_else(|| {
                Error::Malformed(format!(
                    "shuffle {position} by unknown trustee {}",
                    s.trustee
                ))
            })?;
        if s.trustee <= previous {
            return Err(Error::Malformed(format!(
                "shuffle {position}: trustees must shuffle once each, in increasing order"
            )));
        }
        let position =
            u32::try_from(position).map_err(|_| Error::Malformed("too many shuffles".into()))?;
        decoded = verify_decoded(ctx, key, position, rows, &decoded, s).map_err(|e| match e {
            Error::Malformed(m) => Error::Malformed(format!("shuffle {position}: {m}")),
            other => other,
        })?;
        rows = &s.ciphertexts;
        previous = s.trustee;
    }
    Ok(())
}

#[cfg(test)]
#[path = "shuffle_tests.rs"]
mod tests;
