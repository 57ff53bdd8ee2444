//! Property tests of the shuffle for random numbers of rows `N` and widths `w`: an honest
//! shuffle verifies and keeps the multiset of plaintext rows; any single changed output
//! ciphertext, or a shuffle checked at another position, is refused.

use charter_ballot_crypto::dkg::IdentitySecret;
use charter_ballot_crypto::shuffle::{shuffle, verify_shuffle};
use charter_ballot_crypto::{
    Ciphertext, CiphertextBytes, ElectionContext, ElectionParams, PointBytes, QuestionKind,
    ScalarBytes,
};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn scalar(rng: &mut ChaCha20Rng) -> Scalar {
    let mut wide = [0u8; 64];
    rand::RngCore::fill_bytes(rng, &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

struct Case {
    ctx: ElectionContext,
    x: Scalar,
    identity: IdentitySecret,
    key: PointBytes,
    input: Vec<Vec<CiphertextBytes>>,
}

fn case(n: usize, w: u32, rng: &mut ChaCha20Rng) -> Case {
    let x = scalar(rng);
    let params = ElectionParams {
        id: "prop".into(),
        kind: QuestionKind::Ranked,
        options: w,
        min: 0,
        max: w,
        trustees: 2,
        threshold: 1,
    };
    let y = PointBytes::from_point(&RistrettoPoint::mul_base(&x));
    let ctx = ElectionContext::new(params, [3; 32], y).expect("ctx");
    let z = scalar(rng);
    let input = (0..n)
        .map(|_| {
            (0..w)
                .map(|_| {
                    let m = u64::from(rand::Rng::random_range(rng, 0..=w));
                    Ciphertext::encrypt(&ctx.public_key, m, &scalar(rng)).to_bytes()
                })
                .collect()
        })
        .collect();
    Case {
        ctx,
        x,
        identity: IdentitySecret {
            index: 1,
            secret: ScalarBytes::from_scalar(&z),
        },
        key: PointBytes::from_point(&RistrettoPoint::mul_base(&z)),
        input,
    }
}

fn plaintext_rows(x: &Scalar, rows: &[Vec<CiphertextBytes>]) -> Vec<Vec<PointBytes>> {
    let mut out: Vec<Vec<PointBytes>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| PointBytes::from_point(&c.decode().expect("ct").decrypt_point(x)))
                .collect()
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn honest_shuffles_verify_and_tampered_ones_do_not(
        n in 0usize..9,
        w in 2u32..6,
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        beta in any::<bool>(),
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let c = case(n, w, &mut rng);
        let s = shuffle(&c.ctx, &c.identity, 4, &c.input, &mut rng).expect("shuffle");
        prop_assert!(verify_shuffle(&c.ctx, &c.key, 4, &c.input, &s).is_ok());
        prop_assert_eq!(plaintext_rows(&c.x, &s.ciphertexts), plaintext_rows(&c.x, &c.input));
        prop_assert!(verify_shuffle(&c.ctx, &c.key, 3, &c.input, &s).is_err());
        if n > 0 {
            // Add G to one point of one output ciphertext.
            let at = pick.index(n * w as usize);
            let mut bad = s.clone();
            let ct = &mut bad.ciphertexts[at / w as usize][at % w as usize];
            let p = if beta { &mut ct.beta } else { &mut ct.alpha };
            let moved = p.decode("p").expect("p") + RistrettoPoint::mul_base(&Scalar::ONE);
            *p = PointBytes::from_point(&moved);
            prop_assert!(verify_shuffle(&c.ctx, &c.key, 4, &c.input, &bad).is_err());
        }
    }
}
