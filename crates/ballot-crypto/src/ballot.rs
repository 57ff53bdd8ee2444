//! Ballots: the voter's encryption with proofs and signature, the canonical byte encoding,
//! the tracker, and (batched) verification.

use crate::batch::{Batch, Shared};
use crate::elgamal::{Ciphertext, CiphertextBytes};
use crate::encoding::{PointBytes, ScalarBytes, Transcript, random_scalar, tags};
use crate::error::{Error, Result};
use crate::params::ElectionParams;
use crate::proofs::{RangeProof, RangeStatement, SchnorrProof, Statement};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What a voter needs to encrypt and a verifier to check a ballot.
#[derive(Clone, Debug)]
pub struct ElectionContext {
    /// The election parameters.
    pub params: ElectionParams,
    /// The election fingerprint.
    pub fingerprint: [u8; 32],
    /// The election public key `Y`.
    pub public_key: RistrettoPoint,
    /// `Y`, compressed.
    pub public_key_bytes: PointBytes,
}

impl ElectionContext {
    /// Checks the parameters and decodes the key.
    pub fn new(
        params: ElectionParams,
        fingerprint: [u8; 32],
        public_key: PointBytes,
    ) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            fingerprint,
            public_key: public_key.decode_key("election public key")?,
            public_key_bytes: public_key,
        })
    }
}

/// A voter's credential: a secret scalar `s`; the public credential `S = s·G` is on the
/// frozen list of the board.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    secret: Scalar,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(..)")
    }
}

impl Drop for Credential {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl Credential {
    /// A fresh random credential.
    pub fn generate<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            secret: random_scalar(rng),
        }
    }

    /// Reads a credential from its 32-byte scalar.
    pub fn from_bytes(bytes: &ScalarBytes) -> Result<Self> {
        Ok(Self {
            secret: bytes.decode("credential")?,
        })
    }

    /// The secret scalar's bytes (give these to the voter only).
    pub fn to_bytes(&self) -> ScalarBytes {
        ScalarBytes::from_scalar(&self.secret)
    }

    /// The public credential `S = s·G`.
    pub fn public(&self) -> PointBytes {
        PointBytes::from_point(&RistrettoPoint::mul_base(&self.secret))
    }
}

/// A voter's choice in the clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The options chosen (0-based indices), for question, plurality and approval.
    Options(Vec<u32>),
    /// Candidates in order of preference, most preferred first (0-based indices).
    Ranking(Vec<u32>),
}

/// One encrypted entry of a ballot with its proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedChoice {
    /// The ciphertext.
    #[serde(flatten)]
    pub ciphertext: CiphertextBytes,
    /// Homomorphic kinds: proof that the entry is 0 or 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeProof>,
    /// Ranked: proof of knowledge of the randomness `r` with `α = r·G`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<SchnorrProof>,
}

/// An encrypted, signed ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedBallot {
    /// The voter's public credential `S`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<PointBytes>,
    /// One entry per option (homomorphic) or per preference position (ranked).
    pub choices: Vec<EncryptedChoice>,
    /// Homomorphic kinds: proof that the sum of the entries is in `min..=max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<RangeProof>,
    /// Schnorr signature by the credential over the canonical encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SchnorrProof>,
}

/// The plaintext entries of a choice: 0/1 per option, or candidate + 1 per preference.
pub fn plaintext_entries(params: &ElectionParams, choice: &Choice) -> Result<Vec<u64>> {
    let n = params.options;
    let mut seen = vec![false; n as usize];
    let (list, ranked) = match choice {
        Choice::Options(l) => (l, false),
        Choice::Ranking(l) => (l, true),
    };
    if ranked != (params.kind == crate::params::QuestionKind::Ranked) {
        return Err(Error::Choice(
            "choice does not match the question's kind".into(),
        ));
    }
    for &i in list {
        match seen.get_mut(i as usize) {
            Some(s) if !*s => *s = true,
            Some(_) => return Err(Error::Choice(format!("option {i} chosen twice"))),
            None => return Err(Error::Choice(format!("no option {i}"))),
        }
    }
    let k = list.len() as u32;
    if k < params.min || k > params.max {
        return Err(Error::Choice(format!(
            "{k} chosen, allowed {}..={}",
            params.min, params.max
        )));
    }
    Ok(if ranked {
        (0..n as usize)
            .map(|p| list.get(p).map_or(0, |&c| u64::from(c) + 1))
            .collect()
    } else {
        seen.iter().map(|&s| u64::from(s)).collect()
    })
}

fn range_transcript(
    ctx: &ElectionContext,
    cred: &PointBytes,
    index: usize,
    c: &CiphertextBytes,
) -> Transcript {
    let mut t = Transcript::new(tags::DISJUNCTIVE);
    t.part(&ctx.fingerprint)
        .point(cred)
        .point(&ctx.public_key_bytes)
        .u64(index as u64)
        .u64(0)
        .u64(1)
        .point(&c.alpha)
        .point(&c.beta);
    t
}

fn overall_transcript(
    ctx: &ElectionContext,
    cred: &PointBytes,
    choices: &[EncryptedChoice],
) -> Transcript {
    let mut t = Transcript::new(tags::OVERALL);
    t.part(&ctx.fingerprint)
        .point(cred)
        .point(&ctx.public_key_bytes)
        .u64(ctx.params.min.into())
        .u64(ctx.params.max.into());
    for c in choices {
        t.point(&c.ciphertext.alpha).point(&c.ciphertext.beta);
    }
    t
}

fn knowledge_transcript(
    ctx: &ElectionContext,
    cred: &PointBytes,
    index: usize,
    c: &CiphertextBytes,
) -> Transcript {
    let mut t = Transcript::new(tags::RANDOMNESS);
    t.part(&ctx.fingerprint)
        .point(cred)
        .point(&ctx.public_key_bytes)
        .u64(index as u64)
        .point(&c.alpha)
        .point(&c.beta);
    t
}

fn push_range(t: &mut Transcript, proof: &RangeProof) {
    for b in &proof.branches {
        t.point(&b.a)
            .point(&b.b)
            .scalar(&b.challenge)
            .scalar(&b.response);
    }
}

/// The canonical encoding without the signature (the signed message):
/// `enc("charter/v1/ballot", [fingerprint, S, per entry: α, β, proof parts…, overall parts…])`.
fn body(ctx: &ElectionContext, cred: &PointBytes, ballot: &EncryptedBallot) -> Transcript {
    let mut t = Transcript::new(tags::BALLOT);
    t.part(&ctx.fingerprint).point(cred);
    for c in &ballot.choices {
        t.point(&c.ciphertext.alpha).point(&c.ciphertext.beta);
        if let Some(r) = &c.range {
            push_range(&mut t, r);
        }
        if let Some(k) = &c.knowledge {
            t.point(&k.commitment).scalar(&k.response);
        }
    }
    if let Some(o) = &ballot.overall {
        push_range(&mut t, o);
    }
    t
}

fn signature_transcript(ctx: &ElectionContext, cred: &PointBytes, body: &Transcript) -> Transcript {
    let mut t = Transcript::new(tags::SIGNATURE);
    t.part(&ctx.fingerprint).point(cred).part(body.as_bytes());
    t
}

/// Encrypts a voter's choice, proves it valid, and signs it with the credential.
pub fn encrypt_ballot<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    credential: &Credential,
    choice: &Choice,
    rng: &mut R,
) -> Result<EncryptedBallot> {
    let values = plaintext_entries(&ctx.params, choice)?;
    encrypt_values(ctx, credential, &values, rng)
}

/// Like [`encrypt_ballot`], and also returns the randomness `r` of each ciphertext, in entry
/// order. Revealing it (with the choice) lets anyone check the ballot with
/// [`crate::audit::audit_ballot`] — after which the ballot must never be cast.
pub fn encrypt_ballot_with_randomness<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    credential: &Credential,
    choice: &Choice,
    rng: &mut R,
) -> Result<(EncryptedBallot, Vec<ScalarBytes>)> {
    let values = plaintext_entries(&ctx.params, choice)?;
    let (ballot, randomness) = encrypt_values_revealing(ctx, credential, &values, rng)?;
    let randomness = randomness.iter().map(ScalarBytes::from_scalar).collect();
    Ok((ballot, randomness))
}

/// Encrypts, proves and signs the given entries (checked only by the proofs' own ranges).
pub(crate) fn encrypt_values<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    credential: &Credential,
    values: &[u64],
    rng: &mut R,
) -> Result<EncryptedBallot> {
    encrypt_values_revealing(ctx, credential, values, rng).map(|(ballot, _)| ballot)
}

/// [`encrypt_values`] with the randomness of each ciphertext. Randomness is drawn from `rng`
/// in this order (each scalar from 64 bytes, see [`random_scalar`]): for each entry `r`, then
/// its proof's (homomorphic: `w`, then `c` and `s` of the simulated branch; ranked: `w`);
/// then the overall proof's (`w`, then `c` and `s` of each simulated branch in increasing
/// value); then the signature's `w`. `static/ballot-crypto.js` of the web crate follows the
/// same order, and its cross-test replays the same bytes through both.
pub(crate) fn encrypt_values_revealing<R: rand::CryptoRng + ?Sized>(
    ctx: &ElectionContext,
    credential: &Credential,
    values: &[u64],
    rng: &mut R,
) -> Result<(EncryptedBallot, Vec<Scalar>)> {
    let cred = credential.public();
    let mut randomness = Vec::with_capacity(values.len());
    let y = &ctx.public_key;
    let mut choices = Vec::with_capacity(values.len());
    let mut total = (Ciphertext::zero(), Scalar::ZERO, 0u64);
    for (index, &v) in values.iter().enumerate() {
        let r = random_scalar(rng);
        let ct = Ciphertext::encrypt(y, v, &r);
        let bytes = ct.to_bytes();
        let (range, knowledge) = if ctx.params.kind.is_homomorphic() {
            let st = RangeStatement {
                y,
                ct: &ct,
                lo: 0,
                hi: 1,
            };
            let t = range_transcript(ctx, &cred, index, &bytes);
            (Some(RangeProof::prove(&st, v, &r, t, rng)?), None)
        } else {
            let t = knowledge_transcript(ctx, &cred, index, &bytes);
            (None, Some(SchnorrProof::prove(&r, t, rng)))
        };
        total = (total.0.add(&ct), total.1 + r, total.2 + v);
        randomness.push(r);
        choices.push(EncryptedChoice {
            ciphertext: bytes,
            range,
            knowledge,
        });
    }
    let overall = if ctx.params.kind.is_homomorphic() {
        let st = RangeStatement {
            y,
            ct: &total.0,
            lo: ctx.params.min.into(),
            hi: ctx.params.max.into(),
        };
        let t = overall_transcript(ctx, &cred, &choices);
        Some(RangeProof::prove(&st, total.2, &total.1, t, rng)?)
    } else {
        None
    };
    let mut ballot = EncryptedBallot {
        credential: Some(cred),
        choices,
        overall,
        signature: None,
    };
    let body = body(ctx, &cred, &ballot);
    ballot.signature = Some(SchnorrProof::prove(
        &credential.secret,
        signature_transcript(ctx, &cred, &body),
        rng,
    ));
    Ok((ballot, randomness))
}

/// The tracker: SHA-256 of the canonical encoding, which is the signed message followed by
/// the signature's two parts `R` and `s`. Refuses a ballot without credential or signature.
pub fn tracker(ctx: &ElectionContext, ballot: &EncryptedBallot) -> Result<[u8; 32]> {
    let cred = ballot
        .credential
        .ok_or_else(|| Error::Malformed("ballot has no credential".into()))?;
    let sig = ballot
        .signature
        .ok_or_else(|| Error::Malformed("ballot has no signature".into()))?;
    let mut t = body(ctx, &cred, ballot);
    t.point(&sig.commitment).scalar(&sig.response);
    Ok(t.sha256())
}

fn check_shape(ctx: &ElectionContext, ballot: &EncryptedBallot) -> Result<()> {
    let homomorphic = ctx.params.kind.is_homomorphic();
    if ballot.choices.len() != ctx.params.ciphertexts() {
        return Err(Error::Malformed(format!(
            "ballot has {} entries, expected {}",
            ballot.choices.len(),
            ctx.params.ciphertexts()
        )));
    }
    for c in &ballot.choices {
        if c.range.is_some() != homomorphic || c.knowledge.is_some() == homomorphic {
            return Err(Error::Malformed(
                "entry proofs do not match the question's kind".into(),
            ));
        }
    }
    if ballot.overall.is_some() != homomorphic {
        return Err(Error::Malformed(
            "overall proof does not match the question's kind".into(),
        ));
    }
    Ok(())
}

/// Adds a ballot's proofs and signature to a batch (reseeded from the tracker); checks shape,
/// encodings and challenges now. Returns the tracker.
pub(crate) fn verify_into(
    ctx: &ElectionContext,
    batch: &mut Batch,
    y_shared: Shared,
    ballot: &EncryptedBallot,
    credential_point: &(dyn Fn(&PointBytes) -> Result<RistrettoPoint> + Sync),
) -> Result<[u8; 32]> {
    let tracker = tracker(ctx, ballot)?;
    check_shape(ctx, ballot)?;
    let (Some(cred), Some(sig)) = (ballot.credential, ballot.signature) else {
        return Err(Error::Malformed(
            "ballot has no credential or signature".into(),
        ));
    };
    let cred_point = credential_point(&cred)?;
    batch.reseed(tracker);
    let mut total = Ciphertext::zero();
    for (index, c) in ballot.choices.iter().enumerate() {
        let ct = c.ciphertext.decode()?;
        total = total.add(&ct);
        if let Some(range) = &c.range {
            let st = RangeStatement {
                y: &ctx.public_key,
                ct: &ct,
                lo: 0,
                hi: 1,
            };
            let t = range_transcript(ctx, &cred, index, &c.ciphertext);
            range.verify_into(batch, y_shared, &st, t, "entry range proof")?;
        }
        if let Some(k) = &c.knowledge {
            let t = knowledge_transcript(ctx, &cred, index, &c.ciphertext);
            k.verify_into(batch, Statement::Point(ct.alpha), t, "randomness proof")?;
        }
    }
    if let Some(overall) = &ballot.overall {
        let st = RangeStatement {
            y: &ctx.public_key,
            ct: &total,
            lo: ctx.params.min.into(),
            hi: ctx.params.max.into(),
        };
        let t = overall_transcript(ctx, &cred, &ballot.choices);
        overall.verify_into(batch, y_shared, &st, t, "overall range proof")?;
    }
    let body = body(ctx, &cred, ballot);
    sig.verify_into(
        batch,
        Statement::Point(cred_point),
        signature_transcript(ctx, &cred, &body),
        "signature",
    )?;
    Ok(tracker)
}

fn decode_credential(p: &PointBytes) -> Result<RistrettoPoint> {
    p.decode_key("credential")
}

/// Verifies one ballot's shape, proofs and signature (not whether its credential is on the
/// list: that is the board's business). Returns its tracker.
pub fn verify_ballot(ctx: &ElectionContext, ballot: &EncryptedBallot) -> Result<[u8; 32]> {
    verify_ballots_with(ctx, &[ballot], &decode_credential)
        .pop()
        .unwrap_or_else(|| Err(Error::Malformed("no ballot".into())))
}

/// Verifies many ballots, batching their checks in chunks; one result per ballot.
pub fn verify_ballots(ctx: &ElectionContext, ballots: &[EncryptedBallot]) -> Vec<Result<[u8; 32]>> {
    let refs: Vec<&EncryptedBallot> = ballots.iter().collect();
    verify_ballots_with(ctx, &refs, &decode_credential)
}

/// Ballots per batch: large enough for Pippenger's method to pay off.
const CHUNK: usize = 128;

pub(crate) fn verify_ballots_with(
    ctx: &ElectionContext,
    ballots: &[&EncryptedBallot],
    credential_point: &(dyn Fn(&PointBytes) -> Result<RistrettoPoint> + Sync),
) -> Vec<Result<[u8; 32]>> {
    // Chunks are independent batches, checked in parallel.
    let chunks: Vec<Vec<Result<[u8; 32]>>> = ballots
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut batch = Batch::new([0; 32]);
            let y = batch.share(ctx.public_key);
            let results: Vec<_> = chunk
                .iter()
                .map(|b| verify_into(ctx, &mut batch, y, b, credential_point))
                .collect();
            if batch.verify() {
                return results;
            }
            // Find the culprits one by one.
            chunk
                .iter()
                .zip(results)
                .map(|(b, r)| {
                    r.and_then(|tracker| {
                        let mut single = Batch::new([0; 32]);
                        let y = single.share(ctx.public_key);
                        verify_into(ctx, &mut single, y, b, credential_point)?;
                        if single.verify() {
                            Ok(tracker)
                        } else {
                            Err(Error::Proof("ballot proof or signature".into()))
                        }
                    })
                })
                .collect()
        })
        .collect();
    chunks.into_iter().flatten().collect()
}
