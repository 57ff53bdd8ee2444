//! Threshold key generation for `t`-of-`n` trustees (joint Feldman, as in Pedersen's DKG).
//!
//! Each step is a pure function over serde types, so that a command-line tool and a server can
//! run the ceremony over files or HTTP:
//! 1. every trustee makes an identity key with [`new_identity`] and publishes it;
//! 2. every trustee deals with [`deal`]: Feldman commitments to a random polynomial of degree
//!    `t − 1`, a proof of its constant term, and one encrypted share per trustee (itself too);
//! 3. every trustee opens the shares dealt to it with [`open_share`]; a share that fails
//!    becomes a [`Complaint`] which anyone can judge with [`judge_complaint`]; dealers found
//!    cheating are left out of the qualified set;
//! 4. every trustee adds its shares from the qualified dealers with [`combine_shares`];
//!    anyone computes the election key and the verification keys with [`election_key`] and
//!    [`verification_keys`].

use crate::encoding::{PointBytes, ScalarBytes, Transcript, hex_bytes, random_scalar, tags};
use crate::error::{Error, Result};
use crate::params::ElectionParams;
use crate::proofs::{EqualityProof, SchnorrProof, Statement};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

/// A trustee's secret identity key (for receiving shares). Keep it in a key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySecret {
    /// The trustee's number, `1..=n`.
    pub index: u32,
    /// `z`, with identity key `Z = z·G`.
    pub secret: ScalarBytes,
}

/// A trustee's public identity key with a proof that the trustee knows its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeIdentity {
    /// The trustee's number, `1..=n`.
    pub index: u32,
    /// `Z = z·G`
    pub key: PointBytes,
    /// Schnorr proof of `z`.
    pub proof: SchnorrProof,
}

/// The public part of a dealing: Feldman commitments and a proof of the constant term.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDealing {
    /// `C_k = a_k·G` for `k` in `0..t`.
    pub commitments: Vec<PointBytes>,
    /// Schnorr proof of `a_0`.
    pub constant_proof: SchnorrProof,
}

/// Everything a dealer publishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dealing {
    /// The dealer's number.
    pub dealer: u32,
    /// Commitments and proof.
    pub public: PublicDealing,
    /// One encrypted share per trustee, by recipient number.
    pub shares: Vec<EncryptedShare>,
}

/// `f(j)` encrypted from dealer to recipient `j` with XChaCha20-Poly1305.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedShare {
    /// The recipient's number `j`.
    pub recipient: u32,
    /// 24 random bytes.
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    /// 32-byte scalar plus 16-byte tag.
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

/// A recipient's public accusation: it reveals the pairwise key `K = z_j·Z_i` with a proof,
/// so that anyone can decrypt the share and check it against the commitments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// The accused dealer `i`.
    pub dealer: u32,
    /// The accuser `j`.
    pub accuser: u32,
    /// `K = z_j·Z_i = z_i·Z_j`
    pub shared_key: PointBytes,
    /// Proof that `log_G Z_j = log_{Z_i} K`.
    pub proof: EqualityProof,
}

/// The outcome of judging a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The share is bad: leave the dealer out of the qualified set.
    DealerCheated,
    /// The share is good: the complaint is ignored.
    Unfounded,
}

/// A trustee's final secret share `x_j = Σ_i f_i(j)` of the election key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeKey {
    /// The trustee's number `j`.
    pub index: u32,
    /// `x_j`
    pub share: ScalarBytes,
}

fn identity_transcript(setup: &[u8; 32], index: u32, key: &PointBytes) -> Transcript {
    let mut t = Transcript::new(tags::SCHNORR);
    t.part(setup).part(b"identity").u64(index.into()).point(key);
    t
}

pub(crate) fn constant_transcript(setup: &[u8; 32], dealer: u32, c0: &PointBytes) -> Transcript {
    let mut t = Transcript::new(tags::SCHNORR);
    t.part(setup).part(b"constant").u64(dealer.into()).point(c0);
    t
}

fn check_index(params: &ElectionParams, index: u32) -> Result<()> {
    if index == 0 || index > params.trustees {
        return Err(Error::Malformed(format!(
            "trustee number {index} is not in 1..={}",
            params.trustees
        )));
    }
    Ok(())
}

/// Makes trustee `index`'s identity key.
pub fn new_identity<R: rand::CryptoRng + ?Sized>(
    params: &ElectionParams,
    index: u32,
    rng: &mut R,
) -> Result<(IdentitySecret, TrusteeIdentity)> {
    params.validate()?;
    check_index(params, index)?;
    let z = random_scalar(rng);
    let key = PointBytes::from_point(&RistrettoPoint::mul_base(&z));
    let t = identity_transcript(&params.setup_fingerprint(), index, &key);
    let proof = SchnorrProof::prove(&z, t, rng);
    Ok((
        IdentitySecret {
            index,
            secret: ScalarBytes::from_scalar(&z),
        },
        TrusteeIdentity { index, key, proof },
    ))
}

/// Checks an identity key and its proof; returns the key.
pub fn verify_identity(params: &ElectionParams, id: &TrusteeIdentity) -> Result<RistrettoPoint> {
    check_index(params, id.index)?;
    let key = id.key.decode_key("identity key")?;
    let t = identity_transcript(&params.setup_fingerprint(), id.index, &id.key);
    id.proof.verify(&key, t, "identity key proof")?;
    Ok(key)
}

/// Checks a full list of identities, numbered `1..=n` in order; returns their keys.
pub fn verify_identities(
    params: &ElectionParams,
    identities: &[TrusteeIdentity],
) -> Result<Vec<RistrettoPoint>> {
    params.validate()?;
    if identities.len() != params.trustees as usize {
        return Err(Error::Malformed(format!(
            "{} identities for {} trustees",
            identities.len(),
            params.trustees
        )));
    }
    identities
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if id.index as usize != i + 1 {
                return Err(Error::Malformed(
                    "identities must be numbered 1..=n in order".into(),
                ));
            }
            verify_identity(params, id)
        })
        .collect()
}

fn share_key(
    setup: &[u8; 32],
    dealer: u32,
    recipient: u32,
    k: &RistrettoPoint,
) -> Zeroizing<[u8; 32]> {
    let mut t = Transcript::new(tags::SHARE_KEY);
    t.part(setup)
        .u64(dealer.into())
        .u64(recipient.into())
        .point(&PointBytes::from_point(k));
    let digest = Zeroizing::new(<[u8; 64]>::from(Sha512::digest(t.as_bytes())));
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&digest[..32]);
    key
}

fn share_ad(setup: &[u8; 32], dealer: &TrusteeIdentity, recipient: &TrusteeIdentity) -> Vec<u8> {
    let mut t = Transcript::new(tags::SHARE_AD);
    t.part(setup)
        .u64(dealer.index.into())
        .u64(recipient.index.into())
        .point(&dealer.key)
        .point(&recipient.key);
    t.as_bytes().to_vec()
}

fn powers(j: u32, count: usize) -> Vec<Scalar> {
    let x = Scalar::from(j);
    let mut out = Vec::with_capacity(count);
    let mut p = Scalar::ONE;
    for _ in 0..count {
        out.push(p);
        p *= x;
    }
    out
}

/// Deals a random polynomial of degree `t − 1` from `secret`'s trustee to every trustee.
pub fn deal<R: rand::CryptoRng + ?Sized>(
    params: &ElectionParams,
    secret: &IdentitySecret,
    identities: &[TrusteeIdentity],
    rng: &mut R,
) -> Result<Dealing> {
    params.validate()?;
    let keys = verify_identities(params, identities)?;
    let z = secret.secret.decode("identity secret")?;
    let dealer = secret.index;
    check_index(params, dealer)?;
    let setup = params.setup_fingerprint();
    let coefficients: Vec<Scalar> = (0..params.threshold).map(|_| random_scalar(rng)).collect();
    let commitments: Vec<PointBytes> = coefficients
        .iter()
        .map(|a| PointBytes::from_point(&RistrettoPoint::mul_base(a)))
        .collect();
    let constant_proof = SchnorrProof::prove(
        &coefficients[0],
        constant_transcript(&setup, dealer, &commitments[0]),
        rng,
    );
    let me = &identities[dealer as usize - 1];
    let mut shares = Vec::with_capacity(identities.len());
    for (recipient, key) in identities.iter().zip(&keys) {
        let value = Zeroizing::new(
            powers(recipient.index, coefficients.len())
                .iter()
                .zip(&coefficients)
                .map(|(p, a)| p * a)
                .sum::<Scalar>()
                .to_bytes(),
        );
        let k = share_key(&setup, dealer, recipient.index, &(z * key));
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(k.as_ref().into());
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.as_ref(),
                    aad: &share_ad(&setup, me, recipient),
                },
            )
            .map_err(|_| Error::Malformed("share encryption failed".into()))?;
        shares.push(EncryptedShare {
            recipient: recipient.index,
            nonce: nonce.to_vec(),
            ciphertext,
        });
    }
    Ok(Dealing {
        dealer,
        public: PublicDealing {
            commitments,
            constant_proof,
        },
        shares,
    })
}

/// Checks a dealing's public part (count of commitments, constant-term proof); returns the
/// decoded commitments.
pub fn verify_public_dealing(
    params: &ElectionParams,
    dealer: u32,
    public: &PublicDealing,
) -> Result<Vec<RistrettoPoint>> {
    params.validate()?;
    check_index(params, dealer)?;
    if public.commitments.len() != params.threshold as usize {
        return Err(Error::Malformed(format!(
            "trustee {dealer} has {} commitments, expected {}",
            public.commitments.len(),
            params.threshold
        )));
    }
    let points = public
        .commitments
        .iter()
        .map(|c| c.decode_key("commitment"))
        .collect::<Result<Vec<_>>>()?;
    let t = constant_transcript(&params.setup_fingerprint(), dealer, &public.commitments[0]);
    public
        .constant_proof
        .verify(&points[0], t, "constant term proof")?;
    Ok(points)
}

fn decrypt_share(
    params: &ElectionParams,
    identities: &[TrusteeIdentity],
    dealing: &Dealing,
    recipient: u32,
    k: &RistrettoPoint,
) -> Result<Scalar> {
    let bad = |reason: &str| Error::BadShare {
        dealer: dealing.dealer,
        recipient,
        reason: reason.into(),
    };
    let commitments = verify_public_dealing(params, dealing.dealer, &dealing.public)?;
    let share = dealing
        .shares
        .iter()
        .find(|s| s.recipient == recipient)
        .ok_or_else(|| bad("missing"))?;
    let by_index = |i: u32| i.checked_sub(1).and_then(|i| identities.get(i as usize));
    let (dealer_id, recipient_id) = match (by_index(dealing.dealer), by_index(recipient)) {
        (Some(d), Some(r)) => (d, r),
        _ => return Err(bad("unknown trustee")),
    };
    let nonce: [u8; 24] = share
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| bad("nonce is not 24 bytes"))?;
    let setup = params.setup_fingerprint();
    let key = share_key(&setup, dealing.dealer, recipient, k);
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(key.as_ref().into())
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &share.ciphertext,
                    aad: &share_ad(&setup, dealer_id, recipient_id),
                },
            )
            .map_err(|_| bad("does not decrypt"))?,
    );
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| bad("not 32 bytes"))?;
    let s = ScalarBytes(bytes)
        .decode("share")
        .map_err(|_| bad("not a canonical scalar"))?;
    let expected =
        RistrettoPoint::vartime_multiscalar_mul(powers(recipient, commitments.len()), &commitments);
    if RistrettoPoint::mul_base(&s) != expected {
        return Err(bad("not on the dealer's committed polynomial"));
    }
    Ok(s)
}

/// Opens and checks the share dealt to `secret`'s trustee. An error of kind
/// [`Error::BadShare`] means the recipient should publish a [`complain`]t.
pub fn open_share(
    params: &ElectionParams,
    secret: &IdentitySecret,
    identities: &[TrusteeIdentity],
    dealing: &Dealing,
) -> Result<Scalar> {
    let keys = verify_identities(params, identities)?;
    check_index(params, dealing.dealer)?;
    check_index(params, secret.index)?;
    let z = secret.secret.decode("identity secret")?;
    let k = z * keys[dealing.dealer as usize - 1];
    decrypt_share(params, identities, dealing, secret.index, &k)
}

fn complaint_transcript(
    setup: &[u8; 32],
    c: &Complaint,
    accuser: &PointBytes,
    dealer: &PointBytes,
) -> Transcript {
    let mut t = Transcript::new(tags::COMPLAINT);
    t.part(setup)
        .u64(c.dealer.into())
        .u64(c.accuser.into())
        .point(accuser)
        .point(dealer)
        .point(&c.shared_key);
    t
}

/// Makes a complaint against `dealer` by revealing the pairwise key with a proof.
pub fn complain<R: rand::CryptoRng + ?Sized>(
    params: &ElectionParams,
    secret: &IdentitySecret,
    identities: &[TrusteeIdentity],
    dealer: u32,
    rng: &mut R,
) -> Result<Complaint> {
    let keys = verify_identities(params, identities)?;
    check_index(params, dealer)?;
    check_index(params, secret.index)?;
    let z = secret.secret.decode("identity secret")?;
    let dealer_key = keys[dealer as usize - 1];
    let mut complaint = Complaint {
        dealer,
        accuser: secret.index,
        shared_key: PointBytes::from_point(&(z * dealer_key)),
        proof: EqualityProof {
            a: PointBytes([0; 32]),
            b: PointBytes([0; 32]),
            response: ScalarBytes([0; 32]),
        },
    };
    let t = complaint_transcript(
        &params.setup_fingerprint(),
        &complaint,
        &identities[secret.index as usize - 1].key,
        &identities[dealer as usize - 1].key,
    );
    complaint.proof = EqualityProof::prove(&z, &dealer_key, t, rng);
    Ok(complaint)
}

/// Judges a complaint: an error means the complaint itself is invalid (bad proof).
pub fn judge_complaint(
    params: &ElectionParams,
    identities: &[TrusteeIdentity],
    dealing: &Dealing,
    complaint: &Complaint,
) -> Result<Verdict> {
    let keys = verify_identities(params, identities)?;
    check_index(params, complaint.dealer)?;
    check_index(params, complaint.accuser)?;
    if complaint.dealer != dealing.dealer {
        return Err(Error::Malformed(
            "complaint is about another dealing".into(),
        ));
    }
    let k = complaint.shared_key.decode_key("shared key")?;
    let accuser = keys[complaint.accuser as usize - 1];
    let dealer = keys[complaint.dealer as usize - 1];
    let t = complaint_transcript(
        &params.setup_fingerprint(),
        complaint,
        &identities[complaint.accuser as usize - 1].key,
        &identities[complaint.dealer as usize - 1].key,
    );
    let mut batch = crate::batch::Batch::new(crate::proofs::seed_of(
        &t,
        &[
            complaint.proof.a.0,
            complaint.proof.b.0,
            complaint.proof.response.0,
        ],
    ));
    complaint.proof.verify_into(
        &mut batch,
        Statement::Point(accuser),
        &dealer,
        &k,
        t,
        "complaint proof",
    )?;
    if !batch.verify() {
        return Err(Error::Proof("complaint proof".into()));
    }
    Ok(
        match decrypt_share(params, identities, dealing, complaint.accuser, &k) {
            Ok(_) => Verdict::Unfounded,
            Err(_) => Verdict::DealerCheated,
        },
    )
}

/// Adds the shares a trustee received from the qualified dealers.
pub fn combine_shares(index: u32, shares: &[Scalar]) -> TrusteeKey {
    TrusteeKey {
        index,
        share: ScalarBytes::from_scalar(&shares.iter().sum()),
    }
}

/// Opens the shares of every qualified dealing and adds them: the trustee's final key share.
/// Fails on the first bad share (which should have been complained about earlier).
pub fn finish_key(
    params: &ElectionParams,
    secret: &IdentitySecret,
    identities: &[TrusteeIdentity],
    qualified: &[&Dealing],
) -> Result<TrusteeKey> {
    let shares = qualified
        .iter()
        .map(|d| open_share(params, secret, identities, d))
        .collect::<Result<Vec<_>>>()?;
    Ok(combine_shares(secret.index, &shares))
}

/// `Y = Σ_i C_i0` over the qualified dealers' (already verified) commitments.
pub fn election_key(dealings: &[Vec<RistrettoPoint>]) -> RistrettoPoint {
    dealings
        .iter()
        .filter_map(|c| c.first())
        .fold(RistrettoPoint::identity(), |acc, c| acc + c)
}

/// `VK_j = Σ_i Σ_k j^k·C_ik` for `j` in `1..=n`.
pub fn verification_keys(n: u32, dealings: &[Vec<RistrettoPoint>]) -> Vec<RistrettoPoint> {
    let degree = dealings.iter().map(Vec::len).max().unwrap_or(0);
    let summed: Vec<RistrettoPoint> = (0..degree)
        .map(|k| {
            dealings
                .iter()
                .filter_map(|c| c.get(k))
                .fold(RistrettoPoint::identity(), |acc, c| acc + c)
        })
        .collect();
    (1..=n)
        .map(|j| RistrettoPoint::vartime_multiscalar_mul(powers(j, degree), &summed))
        .collect()
}
