//! Property tests: encryption round trips, homomorphism, threshold decryption with any `t`
//! of `n` trustees.

use charter_ballot_crypto::Ciphertext;
use charter_ballot_crypto::tally::{DlogTable, lagrange_at_zero};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;

fn scalar(seed: [u8; 32]) -> Scalar {
    Scalar::from_bytes_mod_order(seed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn encryption_round_trips(x in any::<[u8; 32]>(), r in any::<[u8; 32]>(), m in 0u64..5000) {
        let x = scalar(x);
        let y = RistrettoPoint::mul_base(&x);
        let ct = Ciphertext::encrypt(&y, m, &scalar(r));
        prop_assert_eq!(ct.to_bytes().decode(), Ok(ct));
        prop_assert_eq!(DlogTable::new(5000).find(&ct.decrypt_point(&x)), Some(m));
    }

    #[test]
    fn addition_is_homomorphic(
        x in any::<[u8; 32]>(),
        values in proptest::collection::vec((0u64..100, any::<[u8; 32]>()), 1..8),
        fresh in any::<[u8; 32]>(),
    ) {
        let x = scalar(x);
        let y = RistrettoPoint::mul_base(&x);
        let total: u64 = values.iter().map(|(m, _)| m).sum();
        let sum = values
            .iter()
            .map(|(m, r)| Ciphertext::encrypt(&y, *m, &scalar(*r)))
            .fold(Ciphertext::zero(), |a, c| a.add(&c));
        let sum = sum.reencrypt(&y, &scalar(fresh));
        prop_assert_eq!(DlogTable::new(800).find(&sum.decrypt_point(&x)), Some(total));
    }

    #[test]
    fn any_t_of_n_shares_decrypt(
        coefficients in proptest::collection::vec(any::<[u8; 32]>(), 1..5),
        extra in 0usize..4,
        pick in any::<u64>(),
        m in 0u64..50,
        r in any::<[u8; 32]>(),
    ) {
        let t = coefficients.len();
        let n = t + extra;
        let a: Vec<Scalar> = coefficients.iter().map(|c| scalar(*c)).collect();
        let share = |j: u64| {
            let x = Scalar::from(j);
            a.iter().rev().fold(Scalar::ZERO, |acc, c| acc * x + c)
        };
        let y = RistrettoPoint::mul_base(&a[0]);
        let ct = Ciphertext::encrypt(&y, m, &scalar(r));
        // A pseudo-random subset of t trustee numbers out of 1..=n.
        let mut indices: Vec<u32> = (1..=n as u32).collect();
        let mut state = pick;
        for i in (1..indices.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            indices.swap(i, (state >> 33) as usize % (i + 1));
        }
        indices.truncate(t);
        let lambdas = lagrange_at_zero(&indices).expect("distinct");
        let combined: RistrettoPoint = indices
            .iter()
            .zip(&lambdas)
            .map(|(&j, l)| l * (share(j.into()) * ct.alpha))
            .sum();
        let plain = ct.beta - combined;
        prop_assert_eq!(DlogTable::new(50).find(&plain), Some(m));
    }
}

fn hex_positions(text: &str) -> Vec<usize> {
    // Byte offsets of the digits inside 64-character hex strings.
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let end = text[i + 1..].find('"').map_or(bytes.len(), |e| i + 1 + e);
            let inner = &text[i + 1..end];
            if inner.len() == 64 && inner.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.extend(i + 1..end);
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn load(path: &str) -> (String, Vec<usize>) {
    let text = std::fs::read_to_string(path).expect("vector");
    let positions = hex_positions(&text);
    (text, positions)
}

static HONEST: std::sync::LazyLock<(String, Vec<usize>)> = std::sync::LazyLock::new(|| {
    load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/question.json"
    ))
});

static RANKED: std::sync::LazyLock<(String, Vec<usize>)> = std::sync::LazyLock::new(|| {
    load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/ranked.json"
    ))
});

fn changed_digit_is_caught(
    (text, positions): &(String, Vec<usize>),
    pick: prop::sample::Index,
    delta: u8,
) -> bool {
    let at = positions[pick.index(positions.len())];
    let mut bytes = text.clone().into_bytes();
    let digit = (bytes[at] as char).to_digit(16).unwrap_or(0) as u8;
    bytes[at] = b"0123456789abcdef"[((digit + delta) % 16) as usize];
    let board: charter_ballot_crypto::Board = serde_json::from_slice(&bytes).expect("still parses");
    charter_ballot_crypto::verify_board(&board).is_err()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every hex value on the board is covered by some check: changing any one digit makes
    /// verification fail, and never panics.
    #[test]
    fn any_changed_hex_digit_is_caught(pick in any::<prop::sample::Index>(), delta in 1u8..16) {
        prop_assert!(changed_digit_is_caught(&HONEST, pick, delta));
    }

    /// The same on the ranked board, whose shuffles hold most of its hex digits.
    #[test]
    fn any_changed_hex_digit_of_a_ranked_board_is_caught(
        pick in any::<prop::sample::Index>(),
        delta in 1u8..16,
    ) {
        prop_assert!(changed_digit_is_caught(&RANKED, pick, delta));
    }
}
