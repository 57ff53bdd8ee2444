//! Tests of the shuffle proof: honest shuffles verify; a trustee who drops, duplicates or
//! replaces a row, alters the proof, or claims another trustee's name is refused.

use super::*;
use crate::params::{ElectionParams, QuestionKind};
use crate::testing::setup;
use crate::verify::{Step, verify_board};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn params(options: u32) -> ElectionParams {
    ElectionParams {
        id: "shuffle".into(),
        kind: QuestionKind::Ranked,
        options,
        min: 0,
        max: options,
        trustees: 3,
        threshold: 2,
    }
}

struct Fixture {
    ctx: ElectionContext,
    secret: Scalar,
    identity: IdentitySecret,
    key: PointBytes,
    input: Vec<Vec<CiphertextBytes>>,
    rng: ChaCha20Rng,
}

fn fixture(rows: usize, width: u32) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(rows as u64 * 100 + u64::from(width));
    let secret = random_scalar(&mut rng);
    let y = PointBytes::from_point(&RistrettoPoint::mul_base(&secret));
    let ctx = ElectionContext::new(params(width), [7; 32], y).expect("ctx");
    let z = random_scalar(&mut rng);
    let identity = IdentitySecret {
        index: 2,
        secret: ScalarBytes::from_scalar(&z),
    };
    let key = PointBytes::from_point(&RistrettoPoint::mul_base(&z));
    let input = (0..rows)
        .map(|i| {
            (0..u64::from(width))
                .map(|k| {
                    let r = random_scalar(&mut rng);
                    Ciphertext::encrypt(&ctx.public_key, i as u64 * 10 + k, &r).to_bytes()
                })
                .collect()
        })
        .collect();
    Fixture {
        ctx,
        secret,
        identity,
        key,
        input,
        rng,
    }
}

impl Fixture {
    fn shuffle(&mut self) -> Shuffle {
        shuffle(&self.ctx, &self.identity, 0, &self.input, &mut self.rng).expect("shuffle")
    }

    fn verify(&self, s: &Shuffle) -> Result<Vec<Vec<Ciphertext>>> {
        verify_shuffle(&self.ctx, &self.key, 0, &self.input, s)
    }

    fn plaintexts(&self, rows: &[Vec<CiphertextBytes>]) -> Vec<Vec<PointBytes>> {
        let mut out: Vec<Vec<PointBytes>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| {
                        let p = c.decode().expect("decode").decrypt_point(&self.secret);
                        PointBytes::from_point(&p)
                    })
                    .collect()
            })
            .collect();
        out.sort();
        out
    }

    /// A cheating trustee: proves `output` with `witness` although they do not match.
    fn cheat(&mut self, output: &[Vec<Ciphertext>], witness: &Witness) -> Shuffle {
        prove(
            &self.ctx,
            &self.identity,
            0,
            &self.input,
            output,
            witness,
            &mut self.rng,
        )
        .expect("prove")
    }

    /// An honest shuffle with its witness, to cheat from.
    fn honest_witness(&mut self) -> (Vec<Vec<Ciphertext>>, Witness) {
        let n = self.input.len();
        let permutation: Vec<usize> = (0..n).rev().collect();
        let randomness: Vec<Vec<Scalar>> = (0..n)
            .map(|_| randoms(self.ctx.params.ciphertexts(), &mut self.rng))
            .collect();
        let output = permutation
            .iter()
            .zip(&randomness)
            .map(|(&j, r)| {
                self.input[j]
                    .iter()
                    .zip(r)
                    .map(|(c, r)| c.decode().expect("ct").reencrypt(&self.ctx.public_key, r))
                    .collect()
            })
            .collect();
        (
            output,
            Witness {
                permutation,
                randomness,
            },
        )
    }
}

#[test]
fn honest_shuffles_verify_and_keep_the_plaintexts() {
    for (rows, width) in [(0, 2), (1, 2), (2, 3), (5, 4)] {
        let mut f = fixture(rows, width);
        let s = f.shuffle();
        assert_eq!(s.ciphertexts.len(), rows);
        let out = f.verify(&s).expect("verifies");
        assert_eq!(out.len(), rows);
        assert_eq!(f.plaintexts(&s.ciphertexts), f.plaintexts(&f.input));
        if rows > 0 {
            assert_ne!(s.ciphertexts[0], f.input[0], "re-encrypted");
        }
    }
}

#[test]
fn a_proof_made_from_the_true_witness_verifies() {
    let mut f = fixture(4, 3);
    let (output, witness) = f.honest_witness();
    let s = f.cheat(&output, &witness);
    assert!(f.verify(&s).is_ok());
}

#[test]
fn dropping_a_row_is_refused() {
    let mut f = fixture(4, 3);
    let mut s = f.shuffle();
    s.ciphertexts.pop();
    assert!(matches!(f.verify(&s), Err(Error::Malformed(_))));
    // A trustee who proves the shorter list also gets every length check wrong.
    let (mut output, mut witness) = f.honest_witness();
    output.pop();
    witness.permutation.pop();
    witness.randomness.pop();
    assert!(
        prove(
            &f.ctx,
            &f.identity,
            0,
            &f.input,
            &output,
            &witness,
            &mut f.rng
        )
        .is_err()
    );
}

#[test]
fn duplicating_a_row_is_refused() {
    let mut f = fixture(4, 3);
    let mut s = f.shuffle();
    s.ciphertexts[1] = s.ciphertexts[0].clone();
    assert!(matches!(f.verify(&s), Err(Error::Proof(_))));
    // Proved with a "permutation" that takes input row 0 twice.
    let (mut output, mut witness) = f.honest_witness();
    witness.permutation[1] = witness.permutation[0];
    output[1] = f.input[witness.permutation[0]]
        .iter()
        .zip(&witness.randomness[1])
        .map(|(c, r)| c.decode().expect("ct").reencrypt(&f.ctx.public_key, r))
        .collect();
    let s = f.cheat(&output, &witness);
    assert!(matches!(f.verify(&s), Err(Error::Proof(_))));
}

#[test]
fn replacing_a_row_is_refused() {
    let mut f = fixture(4, 3);
    let (mut output, witness) = f.honest_witness();
    let fresh: Vec<Ciphertext> = (0..3)
        .map(|m| Ciphertext::encrypt(&f.ctx.public_key, m, &random_scalar(&mut f.rng)))
        .collect();
    output[2] = fresh;
    let s = f.cheat(&output, &witness);
    assert!(matches!(f.verify(&s), Err(Error::Proof(_))));
}

#[test]
fn every_altered_proof_part_is_refused() {
    let mut f = fixture(3, 2);
    let s = f.shuffle();
    let one = |x: &mut ScalarBytes| {
        let v = x.decode("s").expect("s") + Scalar::ONE;
        *x = ScalarBytes::from_scalar(&v);
    };
    let g = PointBytes::from_point(&RistrettoPoint::mul_base(&Scalar::from(3u64)));
    let changes: Vec<fn(&mut ShuffleProof)> = vec![
        |p| p.s1 = ScalarBytes::from_scalar(&Scalar::from(9u64)),
        |p| p.s2 = ScalarBytes::from_scalar(&Scalar::from(9u64)),
        |p| p.s3 = ScalarBytes::from_scalar(&Scalar::from(9u64)),
        |p| p.s_key = ScalarBytes::from_scalar(&Scalar::from(9u64)),
        |p| p.t1 = p.t2,
        |p| p.t_key = p.t3,
        |p| p.chain.swap(0, 1),
        |p| p.permutation_commitments.swap(0, 2),
        |p| p.t_hat.swap(1, 2),
        |p| p.t4.swap(0, 1),
        |p| p.s4.swap(0, 1),
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut bad = s.clone();
        change(&mut bad.proof);
        assert!(f.verify(&bad).is_err(), "change {i}");
    }
    for i in 0..3 {
        let mut bad = s.clone();
        one(&mut bad.proof.s_prime[i]);
        assert!(f.verify(&bad).is_err(), "s_prime {i}");
        let mut bad = s.clone();
        one(&mut bad.proof.s_hat[i]);
        assert!(f.verify(&bad).is_err(), "s_hat {i}");
    }
    let mut bad = s.clone();
    bad.proof.t3 = g;
    assert!(f.verify(&bad).is_err());
    let mut bad = s;
    bad.proof.s4[1] = ScalarBytes([0xff; 32]);
    assert!(matches!(f.verify(&bad), Err(Error::InvalidScalar(_))));
}

#[test]
fn the_proof_is_bound_to_its_place_and_trustee() {
    let mut f = fixture(3, 2);
    let s = f.shuffle();
    assert!(
        verify_shuffle(&f.ctx, &f.key, 1, &f.input, &s).is_err(),
        "position"
    );
    let mut other = s.clone();
    other.trustee = 3;
    assert!(f.verify(&other).is_err(), "trustee number");
    let stranger = PointBytes::from_point(&RistrettoPoint::mul_base(&Scalar::from(5u64)));
    assert!(
        verify_shuffle(&f.ctx, &stranger, 0, &f.input, &s).is_err(),
        "key"
    );
    let mut ctx = f.ctx.clone();
    ctx.fingerprint[0] ^= 1;
    assert!(
        verify_shuffle(&ctx, &f.key, 0, &f.input, &s).is_err(),
        "election"
    );
}

#[test]
fn rows_of_the_wrong_width_are_refused() {
    let mut f = fixture(3, 3);
    let mut s = f.shuffle();
    s.ciphertexts[1].pop();
    assert!(matches!(f.verify(&s), Err(Error::Malformed(_))));
    let mut s = f.shuffle();
    for row in &mut s.ciphertexts {
        row.pop();
    }
    assert!(matches!(f.verify(&s), Err(Error::Malformed(_))));
    let mut s = f.shuffle();
    s.proof.t4.pop();
    assert!(matches!(f.verify(&s), Err(Error::Malformed(_))));
}

fn ranked_board() -> crate::testing::Setup {
    let mut s = setup(params(3), 4, 11);
    let ctx = s.board.context().expect("ctx");
    for (i, values) in [[1, 2, 3], [3, 0, 0], [2, 3, 0], [1, 0, 0]]
        .iter()
        .enumerate()
    {
        let b = crate::ballot::encrypt_values(&ctx, &s.credentials[i], values, &mut s.rng)
            .expect("ballot");
        s.board.cast(b).expect("cast");
    }
    s
}

#[test]
fn the_board_refuses_bad_shuffles_at_step_5() {
    let mut s = ranked_board();
    let first = s.board.next_shuffle(&s.secrets[0], &mut s.rng).expect("1");
    s.board.add_shuffle(first).expect("add");
    assert!(
        verify_board(&s.board).is_ok(),
        "open board with one shuffle"
    );
    let extra = s.board.ballots[0].ballot.clone();
    assert!(s.board.cast(extra).is_err(), "no ballot after a shuffle");
    // Out of order, twice, unknown.
    let again = s.board.next_shuffle(&s.secrets[0], &mut s.rng).expect("1");
    assert!(s.board.add_shuffle(again).is_err());
    let mut stranger = s.secrets[2].clone();
    stranger.index = 9;
    assert!(
        s.board.next_shuffle(&stranger, &mut s.rng).is_ok(),
        "anyone can compute"
    );
    let unknown = s.board.next_shuffle(&stranger, &mut s.rng).expect("9");
    assert!(s.board.add_shuffle(unknown.clone()).is_err());
    let mut b = s.board.clone();
    b.shuffles.push(unknown);
    assert_eq!(verify_board(&b).unwrap_err().step, Step::Shuffles);
    // Trustee 3 shuffles honestly; the board closes with trustees 1 and 2.
    let third = s.board.next_shuffle(&s.secrets[2], &mut s.rng).expect("3");
    s.board.add_shuffle(third).expect("add");
    s.close(&[0, 1]);
    assert!(verify_board(&s.board).is_ok());
    let tampers: Vec<fn(&mut Shuffle)> = vec![
        |x| {
            x.ciphertexts.pop();
        },
        |x| x.ciphertexts[1] = x.ciphertexts[0].clone(),
        |x| x.ciphertexts[2][0] = x.ciphertexts[2][1],
        |x| x.proof.s1 = x.proof.s2,
        |x| x.trustee = 2,
        |x| {
            for row in &mut x.ciphertexts {
                row.pop();
            }
        },
    ];
    for (i, tamper) in tampers.iter().enumerate() {
        for which in 0..2 {
            let mut b = s.board.clone();
            tamper(&mut b.shuffles[which]);
            let failure = verify_board(&b).unwrap_err();
            assert_eq!(
                failure.step,
                Step::Shuffles,
                "tamper {i} of shuffle {which}"
            );
        }
    }
    // Too few shuffles for a tally, and shuffles on a homomorphic board.
    let mut b = s.board.clone();
    b.shuffles.pop();
    assert_eq!(verify_board(&b).unwrap_err().step, Step::Shuffles);
    let mut b = s.board.clone();
    b.tally.as_mut().expect("tally").ciphertexts = b.shuffles[0].ciphertexts.clone();
    assert_eq!(verify_board(&b).unwrap_err().step, Step::Tally);
}

#[test]
fn ranked_boards_are_not_decrypted_before_t_shuffles() {
    let mut s = ranked_board();
    assert!(s.board.tally_rows().is_err());
    let first = s.board.next_shuffle(&s.secrets[1], &mut s.rng).expect("2");
    s.board.add_shuffle(first).expect("add");
    assert!(s.board.tally_rows().is_err(), "one of two");
    let second = s.board.next_shuffle(&s.secrets[2], &mut s.rng).expect("3");
    s.board.add_shuffle(second).expect("add");
    assert_eq!(
        s.board.tally_rows().ok().as_ref(),
        s.board.shuffles.last().map(|x| &x.ciphertexts)
    );
}

#[test]
fn homomorphic_boards_have_no_shuffles() {
    let mut p = params(3);
    p.kind = QuestionKind::Approval;
    let mut s = setup(p, 1, 12);
    assert!(s.board.next_shuffle(&s.secrets[0], &mut s.rng).is_err());
    let mut other = ranked_board();
    let x = other
        .board
        .next_shuffle(&other.secrets[0], &mut other.rng)
        .expect("shuffle");
    s.board.shuffles.push(x);
    assert_eq!(verify_board(&s.board).unwrap_err().step, Step::Shuffles);
}
