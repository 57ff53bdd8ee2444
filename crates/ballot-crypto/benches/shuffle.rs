//! Shuffle benchmarks: one trustee's shuffle with proof, and its verification, of ranked
//! ballots of 10 candidates (rows of 10 ciphertexts). Goal: 10,000 ballots shuffled with
//! proof in under 60 s on one core.
//!
//! `cargo bench -p charter-ballot-crypto --bench shuffle` prints divan's table for 100 and
//! 1,000 ballots, then times one full run of 10,000 (set `SHUFFLE_BENCH_FULL=0` to skip it).
//!
//! Measured on the shared 2-core build machine (one core used, others building): 1,000
//! ballots 1.42 s to shuffle with proof, 0.73 s to verify; 10,000 ballots 16.0 s to
//! shuffle with proof, 4.7 s to verify (0.47 ms a ballot: verification gets cheaper per
//! ballot as the multiscalar multiplication grows).

use charter_ballot_crypto::dkg::IdentitySecret;
use charter_ballot_crypto::shuffle::{Shuffle, shuffle, verify_shuffle};
use charter_ballot_crypto::{
    Ciphertext, CiphertextBytes, ElectionContext, ElectionParams, PointBytes, QuestionKind,
    ScalarBytes,
};
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use divan::counter::ItemsCount;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Instant;

const CANDIDATES: u32 = 10;

struct Setup {
    ctx: ElectionContext,
    identity: IdentitySecret,
    key: PointBytes,
    input: Vec<Vec<CiphertextBytes>>,
}

fn scalar(rng: &mut ChaCha20Rng) -> Scalar {
    let mut wide = [0u8; 64];
    rand::RngCore::fill_bytes(rng, &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn setup(ballots: usize) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let params = ElectionParams {
        id: "bench".into(),
        kind: QuestionKind::Ranked,
        options: CANDIDATES,
        min: 1,
        max: CANDIDATES,
        trustees: 3,
        threshold: 2,
    };
    let y = RistrettoPoint::mul_base(&scalar(&mut rng));
    let ctx = ElectionContext::new(params, [1; 32], PointBytes::from_point(&y)).expect("ctx");
    let table = RistrettoBasepointTable::create(&y);
    let input = (0..ballots)
        .map(|i| {
            (0..u64::from(CANDIDATES))
                .map(|p| {
                    let r = scalar(&mut rng);
                    let m = (p + i as u64) % u64::from(CANDIDATES) + 1;
                    Ciphertext {
                        alpha: RistrettoPoint::mul_base(&r),
                        beta: RistrettoPoint::mul_base(&Scalar::from(m)) + &table * &r,
                    }
                    .to_bytes()
                })
                .collect()
        })
        .collect();
    let z = scalar(&mut rng);
    Setup {
        ctx,
        identity: IdentitySecret {
            index: 1,
            secret: ScalarBytes::from_scalar(&z),
        },
        key: PointBytes::from_point(&RistrettoPoint::mul_base(&z)),
        input,
    }
}

fn shuffled(s: &Setup) -> Shuffle {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    shuffle(&s.ctx, &s.identity, 0, &s.input, &mut rng).expect("shuffle")
}

/// One trustee's shuffle of `n` ranked ballots (10 candidates) with its proof.
#[divan::bench(args = [100, 1000], sample_count = 3, sample_size = 1)]
fn shuffle_with_proof(b: divan::Bencher, n: usize) {
    let s = setup(n);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    b.counter(ItemsCount::new(n))
        .bench_local(|| shuffle(&s.ctx, &s.identity, 0, &s.input, &mut rng).is_ok());
}

/// Verifying that shuffle (as step 5 does, decoding the input too).
#[divan::bench(args = [100, 1000], sample_count = 3, sample_size = 1)]
fn verify(b: divan::Bencher, n: usize) {
    let s = setup(n);
    let x = shuffled(&s);
    b.counter(ItemsCount::new(n))
        .bench_local(|| verify_shuffle(&s.ctx, &s.key, 0, &s.input, &x).is_ok());
}

fn full(n: usize) {
    let s = setup(n);
    let start = Instant::now();
    let x = shuffled(&s);
    let prove = start.elapsed().as_secs_f64();
    let start = Instant::now();
    verify_shuffle(&s.ctx, &s.key, 0, &s.input, &x).expect("verifies");
    let verify = start.elapsed().as_secs_f64();
    println!(
        "{n} ranked ballots × {CANDIDATES} candidates: shuffle with proof {prove:.1} s \
         ({:.2} ms/ballot), verify {verify:.1} s ({:.2} ms/ballot)",
        prove * 1000.0 / n as f64,
        verify * 1000.0 / n as f64,
    );
}

fn main() {
    divan::main();
    if std::env::var("SHUFFLE_BENCH_FULL").as_deref() != Ok("0") {
        println!("\nGoal: 10,000 ranked ballots of 10 candidates shuffled with proof in < 60 s.");
        full(10_000);
    }
}
