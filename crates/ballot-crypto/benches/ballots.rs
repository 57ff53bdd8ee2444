//! Ballot benchmarks. Goals: at least 2,000 ballot verifications per second per core for a
//! 3-option question and for a 10-candidate ranked ballot (batched), and 100,000 ballots
//! tallied and fully verified in under 2 minutes on 2 cores.
//!
//! `cargo bench -p charter-ballot-crypto --bench ballots` prints divan's table, then runs the
//! whole way after the close for `BALLOTS_BENCH_QUESTIONS` (10,000) questions and
//! `BALLOTS_BENCH_RANKED` (5,000) ranked ballots on every core, and extrapolates to 100,000.

use charter_ballot_crypto::dkg::{IdentitySecret, combine_shares, deal, new_identity, open_share};
use charter_ballot_crypto::{
    Board, Choice, Credential, ElectionContext, ElectionParams, EncryptedBallot, QuestionKind,
    decrypt_share, encrypt_ballot, verify_ballots, verify_board,
};
use divan::counter::ItemsCount;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use std::sync::LazyLock;
use std::time::Instant;

const BATCH: usize = 256;

struct Setup {
    board: Board,
    identities: Vec<IdentitySecret>,
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
        identities: secrets,
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

/// Every voter's ballot, encrypted on every core (voter `i` draws from a generator seeded
/// with `i`).
fn ballots(s: &Setup, kind: QuestionKind, options: u32) -> (ElectionContext, Vec<EncryptedBallot>) {
    let ctx = s.board.context().expect("ctx");
    let ballots = s
        .credentials
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let rng = &mut ChaCha20Rng::seed_from_u64(8 + i as u64);
            encrypt_ballot(&ctx, c, &choice(kind, options, i), rng).expect("ballot")
        })
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

/// The whole way after the close for `n` ballots, on every core this machine has: for
/// ranked ballots, two trustees shuffle in turn (each checking the board first, and the
/// board checking each shuffle as the server does); two trustees decrypt and the board is
/// closed; then `verify_board` checks everything. Prints the times and their extrapolation
/// to 100,000 ballots beside the goal (tallied and fully verified in under 2 minutes on 2
/// cores).
fn full_board(kind: QuestionKind, options: u32, n: usize) {
    let mut s = setup(kind, options, n);
    let (_, list) = ballots(&s, kind, options);
    for b in list {
        s.board.cast(b).expect("cast");
    }
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let ctx = s.board.context().expect("ctx");
    let ranked = kind == QuestionKind::Ranked;
    let start = Instant::now();
    if ranked {
        for identity in s.identities.iter().take(2) {
            let shuffle = s.board.next_shuffle(identity, &mut rng).expect("shuffle");
            s.board.add_shuffle(shuffle).expect("a valid shuffle");
        }
    }
    let shuffled = start.elapsed().as_secs_f64();
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
    let whole = (shuffled + tally + verify) * per;
    println!(
        "{} ×{n} on {} threads: {}tally (2 shares, combined) {tally:.2}s, verify_board {verify:.2}s ({:.0} ballots/s); \
         extrapolated to 100,000 ballots: {}tally {:.0}s, verify {:.0}s — {:.0}s in all, {}",
        if ranked { "ranked-10" } else { "question-3" },
        rayon::current_num_threads(),
        if ranked {
            format!("2 shuffles (each checked) {shuffled:.2}s, ")
        } else {
            String::new()
        },
        n as f64 / verify,
        if ranked {
            format!("shuffles {:.0}s, ", shuffled * per)
        } else {
            String::new()
        },
        tally * per,
        verify * per,
        whole,
        if whole < 120.0 {
            "under 2 min"
        } else {
            "OVER 2 min"
        },
    );
}

fn main() {
    divan::main();
    println!("\nGoals: ≥ 2,000 ballot verifications/s/core (question and ranked-10), batched.");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    full_board(
        QuestionKind::Question,
        3,
        env("BALLOTS_BENCH_QUESTIONS", 10_000),
    );
    full_board(QuestionKind::Ranked, 10, env("BALLOTS_BENCH_RANKED", 5_000));
}
