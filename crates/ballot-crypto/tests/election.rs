//! Whole elections through the public API, checked by `verify_board`.

mod common;

use charter_ballot_crypto::{Choice, ElectionContext, Outcome, Step, encrypt_ballot, verify_board};
use common::{ceremony, question, ranked, rng};

#[test]
fn question_election_counts_the_last_ballot_of_each_voter() {
    let mut rng = rng(1);
    let mut e = ceremony(question(3, 2), 4, &mut rng);
    e.vote(0, Choice::Options(vec![0]), &mut rng);
    e.vote(1, Choice::Options(vec![1]), &mut rng);
    e.vote(2, Choice::Options(vec![0]), &mut rng);
    e.vote(0, Choice::Options(vec![2]), &mut rng); // changes their mind
    let open = verify_board(&e.board).expect("open board verifies");
    assert_eq!((open.ballots, open.counted, open.outcome), (4, 3, None));
    e.close(&[3, 1], &mut rng);
    let done = verify_board(&e.board).expect("closed board verifies");
    assert_eq!(
        done.outcome,
        Some(Outcome::Totals {
            ballots: 3,
            totals: vec![1, 1, 1]
        })
    );
}

#[test]
fn approval_election() {
    let mut rng = rng(2);
    let mut params = question(2, 2);
    params.kind = charter_ballot_crypto::QuestionKind::Approval;
    params.options = 4;
    params.min = 0;
    params.max = 4;
    let mut e = ceremony(params, 3, &mut rng);
    e.vote(0, Choice::Options(vec![0, 1, 3]), &mut rng);
    e.vote(1, Choice::Options(vec![]), &mut rng);
    e.vote(2, Choice::Options(vec![3, 1]), &mut rng);
    e.close(&[1, 2], &mut rng);
    let done = verify_board(&e.board).expect("verifies");
    assert_eq!(
        done.outcome,
        Some(Outcome::Totals {
            ballots: 3,
            totals: vec![1, 2, 0, 2]
        })
    );
}

#[test]
fn ranked_election_spoils_invalid_rankings() {
    let mut rng = rng(3);
    let mut e = ceremony(ranked(4, 3, 3), 3, &mut rng);
    e.vote(0, Choice::Ranking(vec![2, 0]), &mut rng);
    e.vote(1, Choice::Ranking(vec![3, 2, 1, 0]), &mut rng);
    // A blank ranking made with looser parameters: proofs of randomness don't see values,
    // so the board accepts it and the count spoils it (min is 1).
    let real = e.board.context().unwrap();
    let mut loose = real.params.clone();
    loose.min = 0;
    let ctx = ElectionContext::new(loose, real.fingerprint, real.public_key_bytes).unwrap();
    let blank =
        encrypt_ballot(&ctx, &e.credentials[2], &Choice::Ranking(vec![]), &mut rng).unwrap();
    e.board.cast(blank).unwrap();
    e.close(&[1, 2, 3], &mut rng);
    let done = verify_board(&e.board).expect("verifies");
    // The shuffles put the rankings in an order unrelated to the ballots'.
    let Some(Outcome::Rankings {
        ballots,
        mut rankings,
        spoilt,
    }) = done.outcome
    else {
        panic!("rankings expected, got {:?}", done.outcome);
    };
    rankings.sort();
    assert_eq!(
        (ballots, rankings, spoilt),
        (3, vec![vec![2, 0], vec![3, 2, 1, 0]], 1)
    );
    assert_eq!(e.board.shuffles.len(), 3);
}

#[test]
fn board_refuses_bad_casts() {
    let mut rng = rng(4);
    let mut e = ceremony(question(1, 1), 2, &mut rng);
    let ctx = e.board.context().unwrap();
    let ballot =
        encrypt_ballot(&ctx, &e.credentials[0], &Choice::Options(vec![1]), &mut rng).unwrap();
    e.board.cast(ballot.clone()).unwrap();
    assert!(e.board.cast(ballot).is_err(), "replay");
    let stranger = charter_ballot_crypto::Credential::generate(&mut rng);
    let stuffed = encrypt_ballot(&ctx, &stranger, &Choice::Options(vec![1]), &mut rng).unwrap();
    assert!(e.board.cast(stuffed).is_err(), "unknown credential");
    assert!(
        encrypt_ballot(
            &ctx,
            &e.credentials[1],
            &Choice::Options(vec![0, 1]),
            &mut rng
        )
        .is_err()
    );
    assert!(encrypt_ballot(&ctx, &e.credentials[1], &Choice::Options(vec![3]), &mut rng).is_err());
    assert!(encrypt_ballot(&ctx, &e.credentials[1], &Choice::Ranking(vec![0]), &mut rng).is_err());
}

#[test]
fn too_few_shares_do_not_close() {
    let mut rng = rng(5);
    let mut e = ceremony(question(3, 2), 1, &mut rng);
    e.vote(0, Choice::Options(vec![1]), &mut rng);
    let ctx = e.board.context().unwrap();
    let rows = e.board.tally_rows().unwrap();
    let one = charter_ballot_crypto::decrypt_share(&ctx, &e.keys[0], &rows, &mut rng).unwrap();
    assert!(e.board.close(vec![one.clone()]).is_err());
    // A hand-made board with one share fails at step 6.
    let mut other = ceremony(question(3, 2), 1, &mut common::rng(5));
    other.vote(0, Choice::Options(vec![1]), &mut common::rng(6));
    other.close(&[1, 2], &mut common::rng(7));
    if let Some(t) = other.board.tally.as_mut() {
        t.shares.truncate(1);
    }
    assert_eq!(
        verify_board(&other.board).unwrap_err().step,
        Step::DecryptionShares
    );
}
