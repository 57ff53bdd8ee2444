//! The key ceremony: shares, complaints, verdicts and key files.

mod common;

use charter_ballot_crypto::dkg::{Verdict, complain, judge_complaint, open_share};
use charter_ballot_crypto::keyfile::{KdfParams, KeyFile, TrusteeSecrets};
use charter_ballot_crypto::{Ciphertext, Error};
use common::{ceremony, question, rng};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;

#[test]
fn threshold_keys_decrypt_and_match_the_board() {
    let mut r = rng(10);
    let e = ceremony(question(4, 3), 0, &mut r);
    let y = e.board.public_key.decode_key("y").unwrap();
    for (key, t) in e.keys.iter().zip(&e.board.trustees) {
        let x = key.share.decode("x").unwrap();
        assert_eq!(
            charter_ballot_crypto::PointBytes::from_point(&RistrettoPoint::mul_base(&x)),
            t.verification_key
        );
    }
    // Any 3 of the 4 shares give back the secret key.
    let lambdas = charter_ballot_crypto::tally::lagrange_at_zero(&[1, 2, 4]).unwrap();
    let secret: Scalar = [0usize, 1, 3]
        .iter()
        .zip(&lambdas)
        .map(|(&i, l)| l * e.keys[i].share.decode("x").unwrap())
        .sum();
    assert_eq!(RistrettoPoint::mul_base(&secret), y);
    let ct = Ciphertext::encrypt(&y, 5, &Scalar::from(99u64));
    assert_eq!(
        ct.decrypt_point(&secret),
        RistrettoPoint::mul_base(&Scalar::from(5u64))
    );
}

#[test]
fn cheating_dealer_is_caught_and_false_complaint_is_not() {
    let mut r = rng(11);
    let e = ceremony(question(3, 2), 0, &mut r);
    let params = &e.board.election;
    let identities: Vec<_> = e
        .board
        .trustees
        .iter()
        .map(|t| t.identity.clone())
        .collect();
    let mut bad = e.dealings[0].clone();
    bad.shares[2].ciphertext[0] ^= 1;
    let err = open_share(params, &e.secrets[2], &identities, &bad).unwrap_err();
    assert!(matches!(
        err,
        Error::BadShare {
            dealer: 1,
            recipient: 3,
            ..
        }
    ));
    let complaint = complain(params, &e.secrets[2], &identities, 1, &mut r).unwrap();
    assert_eq!(
        judge_complaint(params, &identities, &bad, &complaint),
        Ok(Verdict::DealerCheated)
    );
    assert_eq!(
        judge_complaint(params, &identities, &e.dealings[0], &complaint),
        Ok(Verdict::Unfounded)
    );
    let mut forged = complaint.clone();
    forged.shared_key = identities[0].key;
    assert!(judge_complaint(params, &identities, &bad, &forged).is_err());
}

#[test]
fn trustee_key_file_round_trip() {
    let mut r = rng(12);
    let e = ceremony(question(2, 1), 0, &mut r);
    let secrets = TrusteeSecrets {
        setup_fingerprint: e.board.setup_fingerprint,
        identity: e.secrets[0].clone(),
        key: Some(e.keys[0].clone()),
    };
    let cheap = KdfParams {
        memory_kib: 256,
        passes: 1,
        lanes: 1,
    };
    let file = KeyFile::seal(&secrets, b"passphrase", cheap, &mut r).unwrap();
    let text = serde_json::to_string_pretty(&file).unwrap();
    let back: KeyFile = serde_json::from_str(&text).unwrap();
    assert_eq!(back.open(b"passphrase").unwrap(), secrets);
    assert_eq!(back.open(b"passphrase!"), Err(Error::Passphrase));
}

#[test]
fn election_runs_without_a_disqualified_dealer() {
    use charter_ballot_crypto::dkg::{TrusteeKey, finish_key};
    use charter_ballot_crypto::{
        Board, Choice, Outcome, decrypt_share, encrypt_ballot, verify_board,
    };
    let mut r = rng(13);
    let e = ceremony(question(3, 2), 2, &mut r);
    let params = e.board.election.clone();
    let identities: Vec<_> = e
        .board
        .trustees
        .iter()
        .map(|t| t.identity.clone())
        .collect();
    // Dealer 2 was found cheating: everyone adds only the shares from dealers 1 and 3.
    let qualified = [&e.dealings[0], &e.dealings[2]];
    let keys: Vec<TrusteeKey> = e
        .secrets
        .iter()
        .map(|s| finish_key(&params, s, &identities, &qualified).unwrap())
        .collect();
    let mut board = Board::new(
        params,
        identities,
        vec![
            Some(e.dealings[0].public.clone()),
            None,
            Some(e.dealings[2].public.clone()),
        ],
        e.credentials.iter().map(|c| c.public()).collect(),
    )
    .unwrap();
    let ctx = board.context().unwrap();
    for (i, c) in e.credentials.iter().enumerate() {
        let ballot = encrypt_ballot(&ctx, c, &Choice::Options(vec![i as u32]), &mut r).unwrap();
        board.cast(ballot).unwrap();
    }
    let rows = board.tally_rows().unwrap();
    // Trustee 2, though disqualified as a dealer, still holds a share and may decrypt.
    let shares = [1usize, 2]
        .iter()
        .map(|&i| decrypt_share(&ctx, &keys[i], &rows, &mut r).unwrap())
        .collect();
    board.close(shares).unwrap();
    assert_eq!(
        verify_board(&board).unwrap().outcome,
        Some(Outcome::Totals {
            ballots: 2,
            totals: vec![1, 1, 0]
        })
    );
}
