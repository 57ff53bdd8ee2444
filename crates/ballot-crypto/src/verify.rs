//! `verify_board`: the numbered verification steps of docs/verifiable-ballots.md.

use crate::ballot::{ElectionContext, verify_ballots_with};
use crate::batch::Batch;
use crate::board::{BOARD_VERSION, Board, counted_ballots, counted_rows, election_fingerprint};
use crate::dkg::{election_key, verification_keys, verify_identity, verify_public_dealing};
use crate::encoding::{PointBytes, Transcript, tags};
use crate::error::Error;
use crate::shuffle::verify_chain;
use crate::tally::{
    DlogTable, Outcome, chunk_seed, combine, decode_alphas, lagrange_at_zero, outcome,
    verify_share_decoded,
};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rayon::prelude::*;
use std::collections::HashMap;

/// The verification steps, numbered as in the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// 1. Version, parameters, credential list and both fingerprints.
    Parameters = 1,
    /// 2. Trustee identity proofs and constant-term proofs.
    TrusteeProofs = 2,
    /// 3. Election key and verification keys from the commitments.
    Keys = 3,
    /// 4. Every ballot: credential listed, tracker, no copy, signature, proofs.
    Ballots = 4,
    /// 5. Ranked: the chain of shuffles of the counted ballots; homomorphic: no shuffles.
    Shuffles = 5,
    /// 6. Tally ciphertexts from the counted ballots (or the last shuffle).
    Tally = 6,
    /// 7. Decryption shares and their proofs.
    DecryptionShares = 7,
    /// 8. Plaintexts are the combined decryption of the tally.
    Plaintexts = 8,
    /// 9. The outcome read from the plaintexts.
    Outcome = 9,
}

impl Step {
    /// The step's number.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// Why a board was rejected: the step that failed and a plain reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("step {} failed: {reason}", .step.number())]
pub struct Failure {
    /// The failing step.
    pub step: Step,
    /// A plain explanation.
    pub reason: String,
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Ballots on the board.
    pub ballots: usize,
    /// Ballots counted (the last one of each credential).
    pub counted: usize,
    /// The verified outcome, once the election is closed.
    pub outcome: Option<Outcome>,
}

fn fail<T>(step: Step, reason: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        step,
        reason: reason.into(),
    })
}

fn at<T>(step: Step, r: Result<T, Error>) -> Result<T, Failure> {
    r.map_err(|e| Failure {
        step,
        reason: e.to_string(),
    })
}

/// Runs every step on a board; the first failure stops it.
pub fn verify_board(board: &Board) -> Result<Verified, Failure> {
    let credentials = step1_parameters(board)?;
    let dealings = step2_trustee_proofs(board)?;
    let ctx = step3_keys(board, &dealings)?;
    step4_ballots(board, &ctx, &credentials)?;
    step5_shuffles(board, &ctx)?;
    let counted = counted_ballots(&board.ballots).len();
    let outcome = match &board.tally {
        None => None,
        Some(_) => Some(verify_tally(board, &ctx, counted as u64)?),
    };
    Ok(Verified {
        ballots: board.ballots.len(),
        counted,
        outcome,
    })
}

fn step1_parameters(board: &Board) -> Result<HashMap<PointBytes, RistrettoPoint>, Failure> {
    let s = Step::Parameters;
    if board.version != BOARD_VERSION {
        return fail(s, format!("unknown board version {}", board.version));
    }
    at(s, board.election.validate())?;
    if board.setup_fingerprint != board.election.setup_fingerprint() {
        return fail(s, "setup fingerprint does not match the parameters");
    }
    if board.trustees.len() != board.election.trustees as usize {
        return fail(s, "number of trustees does not match the parameters");
    }
    if board
        .trustees
        .iter()
        .enumerate()
        .any(|(i, t)| t.identity.index as usize != i + 1)
    {
        return fail(s, "trustees must be numbered 1..=n in order");
    }
    let mut credentials = HashMap::with_capacity(board.credentials.len());
    for (i, c) in board.credentials.iter().enumerate() {
        let p = at(s, c.decode_key("credential")).map_err(|f| Failure {
            reason: format!("credential {i}: {}", f.reason),
            ..f
        })?;
        if credentials.insert(*c, p).is_some() {
            return fail(s, format!("credential {i} is listed twice"));
        }
    }
    let fp = election_fingerprint(
        &board.election,
        &board.trustees,
        &board.public_key,
        &board.credentials,
    );
    if fp != board.fingerprint {
        return fail(s, "election fingerprint does not match the board");
    }
    Ok(credentials)
}

fn step2_trustee_proofs(board: &Board) -> Result<Vec<Vec<RistrettoPoint>>, Failure> {
    let s = Step::TrusteeProofs;
    let mut qualified = Vec::new();
    for t in &board.trustees {
        let i = t.identity.index;
        at(s, verify_identity(&board.election, &t.identity)).map_err(|f| Failure {
            reason: format!("trustee {i}: {}", f.reason),
            ..f
        })?;
        if let Some(d) = &t.dealing {
            let points =
                at(s, verify_public_dealing(&board.election, i, d)).map_err(|f| Failure {
                    reason: format!("trustee {i}: {}", f.reason),
                    ..f
                })?;
            qualified.push(points);
        }
    }
    if qualified.is_empty() {
        return fail(s, "no qualified dealer");
    }
    Ok(qualified)
}

fn step3_keys(board: &Board, dealings: &[Vec<RistrettoPoint>]) -> Result<ElectionContext, Failure> {
    let s = Step::Keys;
    if PointBytes::from_point(&election_key(dealings)) != board.public_key {
        return fail(
            s,
            "public key is not the sum of the qualified constant-term commitments",
        );
    }
    for (t, vk) in board
        .trustees
        .iter()
        .zip(verification_keys(board.election.trustees, dealings))
    {
        if PointBytes::from_point(&vk) != t.verification_key {
            return fail(
                s,
                format!(
                    "trustee {}'s verification key does not match the commitments",
                    t.identity.index
                ),
            );
        }
        // A verification key is a key (section 1): the identity is refused here, not only
        // when a decryption share is checked against it.
        at(s, t.verification_key.decode_key("verification key")).map_err(|f| Failure {
            reason: format!("trustee {}: {}", t.identity.index, f.reason),
            ..f
        })?;
    }
    at(
        s,
        ElectionContext::new(board.election.clone(), board.fingerprint, board.public_key),
    )
}

fn step4_ballots(
    board: &Board,
    ctx: &ElectionContext,
    credentials: &HashMap<PointBytes, RistrettoPoint>,
) -> Result<(), Failure> {
    let s = Step::Ballots;
    let mut trackers = HashMap::with_capacity(board.ballots.len());
    for (i, b) in board.ballots.iter().enumerate() {
        match b.ballot.credential {
            None => return fail(s, format!("ballot {i} has no credential")),
            Some(c) if !credentials.contains_key(&c) => {
                return fail(s, format!("ballot {i}'s credential is not on the list"));
            }
            Some(_) => {}
        }
        if b.ballot.signature.is_none() {
            return fail(s, format!("ballot {i} has no signature"));
        }
        if let Some(j) = trackers.insert(b.tracker, i) {
            return fail(s, format!("ballot {i} is a copy of ballot {j}"));
        }
    }
    let lookup = |c: &PointBytes| {
        credentials
            .get(c)
            .copied()
            .ok_or_else(|| Error::Malformed("credential is not on the list".into()))
    };
    let ballots: Vec<_> = board.ballots.iter().map(|b| &b.ballot).collect();
    for (i, (r, b)) in verify_ballots_with(ctx, &ballots, &lookup)
        .into_iter()
        .zip(&board.ballots)
        .enumerate()
    {
        let tracker = at(s, r).map_err(|f| Failure {
            reason: format!("ballot {i}: {}", f.reason),
            ..f
        })?;
        if tracker != b.tracker {
            return fail(
                s,
                format!("ballot {i}'s tracker does not match its encoding"),
            );
        }
    }
    Ok(())
}

fn step5_shuffles(board: &Board, ctx: &ElectionContext) -> Result<(), Failure> {
    let s = Step::Shuffles;
    if board.election.kind.is_homomorphic() {
        if !board.shuffles.is_empty() {
            return fail(s, "only ranked ballots are shuffled");
        }
        return Ok(());
    }
    let threshold = board.election.threshold as usize;
    if board.tally.is_some() && board.shuffles.len() < threshold {
        return fail(
            s,
            format!(
                "{} shuffles before decryption, at least {threshold} needed",
                board.shuffles.len()
            ),
        );
    }
    if board.shuffles.is_empty() {
        return Ok(());
    }
    let input = at(s, counted_rows(&board.election, &board.ballots))?;
    let keys: Vec<PointBytes> = board.trustees.iter().map(|t| t.identity.key).collect();
    at(s, verify_chain(ctx, &keys, &input, &board.shuffles))
}

fn verify_tally(board: &Board, ctx: &ElectionContext, counted: u64) -> Result<Outcome, Failure> {
    let Some(tally) = &board.tally else {
        return fail(Step::Tally, "no tally");
    };
    // 6. Tally ciphertexts: the sums, or the last shuffle's output (step 5 checked that a
    // ranked tally has at least t ≥ 1 shuffles).
    let rows = match board.shuffles.last() {
        Some(last) => last.ciphertexts.clone(),
        None => at(Step::Tally, counted_rows(&board.election, &board.ballots))?,
    };
    if rows != tally.ciphertexts {
        return fail(
            Step::Tally,
            "tally ciphertexts are not the sums of the counted ballots or the last shuffle",
        );
    }
    // 7. Decryption shares.
    let s = Step::DecryptionShares;
    let alphas = at(s, decode_alphas(&rows))?;
    let mut indices = Vec::new();
    let mut factors = Vec::new();
    for share in &tally.shares {
        let j = share.trustee;
        let Some(t) = j
            .checked_sub(1)
            .and_then(|i| board.trustees.get(i as usize))
        else {
            return fail(s, format!("share from unknown trustee {j}"));
        };
        if indices.contains(&j) {
            return fail(s, format!("two shares from trustee {j}"));
        }
        let vk = at(s, t.verification_key.decode_key("verification key"))?;
        factors.push(at(
            s,
            verify_share_decoded(ctx, &vk, &rows, &alphas, share),
        )?);
        indices.push(j);
    }
    if indices.len() < board.election.threshold as usize {
        return fail(
            s,
            format!(
                "{} shares, {} needed",
                indices.len(),
                board.election.threshold
            ),
        );
    }
    // 8. Plaintexts.
    verify_plaintexts(board, &rows, &indices, &factors, counted)?;
    // 9. Outcome.
    let expected = at(
        Step::Outcome,
        outcome(&board.election, counted, &tally.plaintexts),
    )?;
    if expected != tally.outcome {
        return fail(Step::Outcome, "outcome does not follow from the plaintexts");
    }
    Ok(expected)
}

/// `β − Σ λ_j·d_j = m·G` for each claimed `m` (batched); a `null` (ranked only) must decrypt
/// to no value in `0..=n`; homomorphic totals are at most the number of counted ballots.
fn verify_plaintexts(
    board: &Board,
    rows: &[Vec<crate::elgamal::CiphertextBytes>],
    indices: &[u32],
    factors: &[Vec<Vec<RistrettoPoint>>],
    counted: u64,
) -> Result<(), Failure> {
    let s = Step::Plaintexts;
    let Some(tally) = &board.tally else {
        return fail(s, "no tally");
    };
    let plaintexts = &tally.plaintexts;
    if plaintexts.len() != rows.len()
        || plaintexts.iter().zip(rows).any(|(p, r)| p.len() != r.len())
    {
        return fail(s, "plaintexts do not match the tally's shape");
    }
    let lambdas = at(s, lagrange_at_zero(indices))?;
    let ranked = !board.election.kind.is_homomorphic();
    let bound = if ranked {
        board.election.options.into()
    } else {
        counted
    };
    let seed = {
        let mut t = Transcript::new(tags::BATCH);
        t.part(&serde_json::to_vec(tally).unwrap_or_default());
        t.sha256()
    };
    // Rows in chunks, each a batch of its own weighted from the seed and its number, checked
    // in parallel; each returns its entries marked invalid.
    const ROWS: usize = 256;
    let checked: Vec<Result<Vec<(usize, usize)>, Failure>> = rows
        .par_chunks(ROWS)
        .zip(plaintexts.par_chunks(ROWS))
        .enumerate()
        .map(|(k, (rows, values))| {
            let mut batch = Batch::new(chunk_seed(&seed, k));
            let mut nulls = Vec::new();
            for (i, (row, values)) in rows.iter().zip(values).enumerate() {
                let r = k * ROWS + i;
                for (c, (ct, value)) in row.iter().zip(values).enumerate() {
                    let Some(m) = value else {
                        if !ranked {
                            return fail(s, "a total is missing");
                        }
                        nulls.push((r, c));
                        continue;
                    };
                    if *m > bound {
                        return fail(s, format!("value {m} is above the bound {bound}"));
                    }
                    let beta = at(s, ct.beta.decode("ciphertext beta"))?;
                    let w = batch.weight();
                    batch.add_g(-w * Scalar::from(*m));
                    batch.add(w, beta);
                    for (l, f) in lambdas.iter().zip(factors) {
                        let d = f.get(r).and_then(|row| row.get(c));
                        let Some(d) = d else {
                            return fail(s, "decryption factors do not match the tally");
                        };
                        batch.add(-w * l, *d);
                    }
                }
            }
            if !batch.verify() {
                return fail(s, "plaintexts are not the decryption of the tally");
            }
            Ok(nulls)
        })
        .collect();
    let mut nulls = Vec::new();
    for chunk in checked {
        nulls.extend(chunk?);
    }
    if !nulls.is_empty() {
        let table = DlogTable::new(bound);
        let points = at(s, combine(rows, indices, factors))?;
        for (r, c) in nulls {
            let found = points
                .get(r)
                .and_then(|row| row.get(c))
                .and_then(|p| table.find(p));
            if let Some(m) = found {
                return fail(
                    s,
                    format!("row {r} entry {c} is marked invalid but decrypts to {m}"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::encrypt_values;
    use crate::params::{ElectionParams, QuestionKind};
    use crate::testing::setup;

    fn ranked() -> ElectionParams {
        ElectionParams {
            id: "r".into(),
            kind: QuestionKind::Ranked,
            options: 4,
            min: 1,
            max: 4,
            trustees: 2,
            threshold: 2,
        }
    }

    #[test]
    fn ranked_entries_out_of_range_are_null_and_spoil_the_ballot() {
        let mut s = setup(ranked(), 2, 1);
        let ctx = s.board.context().unwrap();
        let good = encrypt_values(&ctx, &s.credentials[0], &[2, 1, 0, 0], &mut s.rng).unwrap();
        let bad = encrypt_values(&ctx, &s.credentials[1], &[9, 0, 0, 0], &mut s.rng).unwrap();
        s.board.cast(good).unwrap();
        s.board.cast(bad).unwrap();
        s.close(&[0, 1]);
        let tally = s.board.tally.clone().unwrap();
        let spoilt = vec![None, Some(0), Some(0), Some(0)];
        let (bad_row, good_row) = if tally.plaintexts[0] == spoilt {
            (0, 1)
        } else {
            (1, 0)
        };
        assert_eq!(tally.plaintexts[bad_row], spoilt);
        assert_eq!(
            tally.plaintexts[good_row],
            vec![Some(2), Some(1), Some(0), Some(0)]
        );
        let verified = verify_board(&s.board).unwrap();
        assert_eq!(
            verified.outcome,
            Some(Outcome::Rankings {
                ballots: 2,
                rankings: vec![vec![1, 0]],
                spoilt: 1
            })
        );
        // A null where the value is in range, or a value where it is not: step 7.
        let mut b = s.board.clone();
        b.tally.as_mut().unwrap().plaintexts[good_row][3] = None;
        assert_eq!(verify_board(&b).unwrap_err().step, Step::Plaintexts);
        let mut b = s.board.clone();
        b.tally.as_mut().unwrap().plaintexts[bad_row][0] = Some(4);
        assert_eq!(verify_board(&b).unwrap_err().step, Step::Plaintexts);
    }

    #[test]
    fn ballot_added_after_the_tally_is_caught() {
        let params = ElectionParams {
            kind: QuestionKind::Question,
            options: 3,
            min: 1,
            max: 1,
            ..ranked()
        };
        let mut s = setup(params, 2, 2);
        let ctx = s.board.context().unwrap();
        let a = encrypt_values(&ctx, &s.credentials[0], &[1, 0, 0], &mut s.rng).unwrap();
        s.board.cast(a).unwrap();
        s.close(&[1, 0]);
        assert!(verify_board(&s.board).is_ok());
        let late = encrypt_values(&ctx, &s.credentials[1], &[0, 1, 0], &mut s.rng).unwrap();
        assert!(s.board.cast(late.clone()).is_err(), "closed");
        let tracker = crate::ballot::tracker(&ctx, &late).unwrap();
        s.board.ballots.push(crate::board::BoardBallot {
            tracker,
            ballot: late,
        });
        assert_eq!(verify_board(&s.board).unwrap_err().step, Step::Tally);
    }

    /// Dealer 1's polynomial `a − a·x` vanishes at 1, so trustee 1's verification key is the
    /// identity (with dealer 2 disqualified): refused at step 3, as the spec says.
    #[test]
    fn identity_verification_key_is_refused_at_step_3() {
        use crate::dkg::constant_transcript;
        use crate::proofs::SchnorrProof;
        use curve25519_dalek::traits::Identity;

        let params = ElectionParams {
            kind: QuestionKind::Question,
            options: 3,
            min: 1,
            max: 1,
            ..ranked()
        };
        let mut s = setup(params, 1, 4);
        let a = crate::encoding::random_scalar(&mut s.rng);
        let points = vec![RistrettoPoint::mul_base(&a), RistrettoPoint::mul_base(&-a)];
        let commitments: Vec<PointBytes> = points.iter().map(PointBytes::from_point).collect();
        let setup_fp = s.board.election.setup_fingerprint();
        let b = &mut s.board;
        let dealing = b.trustees[0].dealing.as_mut().unwrap();
        dealing.constant_proof = SchnorrProof::prove(
            &a,
            constant_transcript(&setup_fp, 1, &commitments[0]),
            &mut s.rng,
        );
        dealing.commitments = commitments;
        b.trustees[1].dealing = None;
        let qualified = vec![points];
        b.public_key = PointBytes::from_point(&election_key(&qualified));
        for (t, vk) in b.trustees.iter_mut().zip(verification_keys(2, &qualified)) {
            t.verification_key = PointBytes::from_point(&vk);
        }
        assert_eq!(
            b.trustees[0].verification_key,
            PointBytes::from_point(&RistrettoPoint::identity())
        );
        b.fingerprint =
            election_fingerprint(&b.election, &b.trustees, &b.public_key, &b.credentials);
        let failure = verify_board(b).unwrap_err();
        assert_eq!(failure.step, Step::Keys, "{failure}");
        assert!(failure.reason.contains("trustee 1"), "{failure}");
    }

    #[test]
    fn homomorphic_entries_out_of_range_are_refused() {
        let params = ElectionParams {
            kind: QuestionKind::Approval,
            options: 3,
            min: 0,
            max: 3,
            ..ranked()
        };
        let mut s = setup(params, 1, 3);
        let ctx = s.board.context().unwrap();
        assert!(encrypt_values(&ctx, &s.credentials[0], &[2, 0, 0], &mut s.rng).is_err());
    }
}
