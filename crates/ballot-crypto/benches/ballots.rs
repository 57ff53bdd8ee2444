//! Ballot benchmarks. Goals: at least 2,000 ballot verifications per second per core for a
//! 3-option question and for a 10-candidate ranked ballot (batched), and a full tally and
//! verification of 100,000+ ballots in minutes.
//!
//! `cargo bench -p charter-ballot-crypto` prints divan's table, then the extrapolation.

use charter_ballot_crypto::dkg::{combine_shares, deal, new_identity, open_share};
use charter_ballot_crypto::{
    Board, Choice, Credential, ElectionContext, ElectionParams, EncryptedBallot, QuestionKind,
    decrypt_share, encrypt_ballot, verify_ballots, verify_board,
};
use divan::counter::ItemsCount;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::LazyLock;
use std::time::Instant;

const BATCH: usize = 256;

struct Setup {
    board: Board,
    keys: Vec<charter_ballot_crypto::dkg::TrusteeKey>,
    credentials: Vec<Credential>,
}

fn setup(kind: QuestionKind, options: u32, voters: usize) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let params = ElectionParams {
        id: "bench".into(),
        kind,
        options,
        min: if kind == QuestionKind::Ranked { 0 } else { 1 },
        max: if kind == QuestionKind::Ranked {
            options
        } else {
            1
        },
        trustees: 3,
        threshold: 2,
    };
    let (secrets, ids): (Vec<_>, Vec<_>) = (1..=3)
        .map(|i| new_identity(&params, i, &mut rng).expect("identity"))
        .unzip();
    let dealings: Vec<_> = secrets
        .iter()
        .map(|s| deal(&params, s, &ids, &mut rng).expect("deal"))
        .collect();
    let keys = secrets
        .iter()
        .map(|s| {
            let shares: Vec<_> = dealings
                .iter()
                .map(|d| open_share(&params, s, &ids, d).expect("share"))
                .collect();
            combine_shares(s.index, &shares)
        })
        .collect();
    let credentials: Vec<_> = (0..voters)
        .map(|_| Credential::generate(&mut rng))
        .collect();
    let board = Board::new(
        params,
        ids,
        dealings.iter().map(|d| Some(d.public.clone())).collect(),
        credentials.iter().map(Credential::public).collect(),
    )
    .expect("board");
    Setup {
        board,
        keys,
        credentials,
    }
}

fn choice(kind: QuestionKind, options: u32, i: usize) -> Choice {
    if kind == QuestionKind::Ranked {
        Choice::Ranking((0..options).map(|p| (p + i as u32) % options).collect())
    } else {
        Choice::Options(vec![(i % options as usize) as u32])
    }
}

fn ballots(s: &Setup, kind: QuestionKind, options: u32) -> (ElectionContext, Vec<EncryptedBallot>) {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let ctx = s.board.context().expect("ctx");
    let ballots = s
        .credentials
        .iter()
        .enumerate()
        .map(|(i, c)| encrypt_ballot(&ctx, c, &choice(kind, options, i), &mut rng).expect("ballot"))
        .collect();
    (ctx, ballots)
}

static QUESTION: LazyLock<(ElectionContext, Vec<EncryptedBallot>)> = LazyLock::new(|| {
    let s = setup(QuestionKind::Question, 3, BATCH);
    ballots(&s, QuestionKind::Question, 3)
});

static RANKED: LazyLock<(ElectionContext, Vec<EncryptedBallot>)> = LazyLock::new(|| {
    let s = setup(QuestionKind::Ranked, 10, BATCH);
    ballots(&s, QuestionKind::Ranked, 10)
});

/// Goal ≥ 2,000/s: a 3-option question ballot, batched 256 at a time.
#[divan::bench]
fn verify_question_ballots(b: divan::Bencher) {
    let (ctx, ballots) = &*QUESTION;
    b.counter(ItemsCount::new(ballots.len()))
        .bench(|| verify_ballots(ctx, ballots).into_iter().all(|r| r.is_ok()));
}

/// Goal ≥ 2,000/s: a 10-candidate ranked ballot, batched 256 at a time.
#[divan::bench]
fn verify_ranked10_ballots(b: divan::Bencher) {
    let (ctx, ballots) = &*RANKED;
    b.counter(ItemsCount::new(ballots.len()))
        .bench(|| verify_ballots(ctx, ballots).into_iter().all(|r| r.is_ok()));
}

/// One ballot checked alone (no batching across ballots).
#[divan::bench]
fn verify_question_ballot_alone(b: divan::Bencher) {
    let (ctx, ballots) = &*QUESTION;
    b.bench(|| charter_ballot_crypto::verify_ballot(ctx, &ballots[0]).is_ok());
}

/// The voter's side: encrypting and proving a 10-candidate ranked ballot.
#[divan::bench]
fn encrypt_ranked10(b: divan::Bencher) {
    let s = setup(QuestionKind::Ranked, 10, 1);
    let ctx = s.board.context().expect("ctx");
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let c = choice(QuestionKind::Ranked, 10, 3);
    b.bench_local(|| encrypt_ballot(&ctx, &s.credentials[0], &c, &mut rng).is_ok());
}

/// The voter's side: encrypting and proving a 3-option question ballot.
#[divan::bench]
fn encrypt_question(b: divan::Bencher) {
    let s = setup(QuestionKind::Question, 3, 1);
    let ctx = s.board.context().expect("ctx");
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let c = choice(QuestionKind::Question, 3, 1);
    b.bench_local(|| encrypt_ballot(&ctx, &s.credentials[0], &c, &mut rng).is_ok());
}

/// Close (2 trustees decrypt) and verify a whole board of `n` question ballots; prints the
/// extrapolation to 100,000 ballots.
fn full_board(kind: QuestionKind, options: u32, n: usize) {
    let mut s = setup(kind, options, n);
    let (_, list) = ballots(&s, kind, options);
    for b in list {
        s.board.cast(b).expect("cast");
    }
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let ctx = s.board.context().expect("ctx");
    let start = Instant::now();
    let rows = s.board.tally_rows().expect("rows");
    let shares = [0, 2]
        .iter()
        .map(|&i| decrypt_share(&ctx, &s.keys[i], &rows, &mut rng).expect("share"))
        .collect();
    s.board.close(shares).expect("close");
    let tally = start.elapsed().as_secs_f64();
    let start = Instant::now();
    verify_board(&s.board).expect("verifies");
    let verify = start.elapsed().as_secs_f64();
    let per = 100_000.0 / n as f64;
    println!(
        "{} ×{n}: tally+decrypt {:.2}s, verify_board {:.2}s ({:.0} ballots/s); \
         extrapolated to 100,000 ballots: tally {:.0}s, verify {:.0}s",
        if kind == QuestionKind::Ranked {
            "ranked-10"
        } else {
            "question-3"
        },
        tally,
        verify,
        n as f64 / verify,
        tally * per,
        verify * per,
    );
}

fn main() {
    divan::main();
    println!("\nGoals: ≥ 2,000 ballot verifications/s/core (question and ranked-10), batched.");
    full_board(QuestionKind::Question, 3, 2000);
    full_board(QuestionKind::Ranked, 10, 500);
}
