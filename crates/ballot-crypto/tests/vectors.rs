//! Test vectors for independent verifiers: honest boards and tampered copies, each with the
//! step at which `verify_board` must reject it. Run with `REGENERATE_VECTORS=1` to rewrite
//! them after a deliberate format change; otherwise the files must match exactly.

mod common;

use charter_ballot_crypto::board::election_fingerprint;
use charter_ballot_crypto::{
    Board, Choice, Ciphertext, Credential, ElectionContext, Outcome, PointBytes, ScalarBytes,
    encrypt_ballot, tracker, verify_board,
};
use common::{ceremony, question, ranked, rng};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    file: String,
    /// `null` for a board that verifies, else the step number that must fail.
    failing_step: Option<u8>,
    what: String,
    /// What `verify_board` says (for information; only the step is compared).
    reason: Option<String>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn point(n: u64) -> PointBytes {
    PointBytes::from_point(&RistrettoPoint::mul_base(&Scalar::from(n)))
}

fn refingerprint(b: &mut Board) {
    b.fingerprint = election_fingerprint(&b.election, &b.trustees, &b.public_key, &b.credentials);
}

fn honest_question() -> Board {
    let mut r = rng(2027);
    let mut e = ceremony(question(3, 2), 5, &mut r);
    e.vote(0, Choice::Options(vec![0]), &mut r);
    e.vote(1, Choice::Options(vec![1]), &mut r);
    e.vote(2, Choice::Options(vec![0]), &mut r);
    e.vote(3, Choice::Options(vec![2]), &mut r);
    e.vote(1, Choice::Options(vec![0]), &mut r); // voter 1 votes again: this one counts
    e.close(&[1, 3], &mut r);
    e.board
}

fn honest_ranked() -> Board {
    let mut r = rng(2028);
    let mut e = ceremony(ranked(4, 3, 2), 4, &mut r);
    e.vote(0, Choice::Ranking(vec![2, 0, 1]), &mut r);
    e.vote(1, Choice::Ranking(vec![1]), &mut r);
    e.vote(2, Choice::Ranking(vec![3, 2, 1, 0]), &mut r);
    let real = e.board.context().expect("context");
    let mut loose = real.params.clone();
    loose.min = 0;
    let ctx = ElectionContext::new(loose, real.fingerprint, real.public_key_bytes).expect("ctx");
    let blank =
        encrypt_ballot(&ctx, &e.credentials[3], &Choice::Ranking(vec![]), &mut r).expect("blank");
    e.board.cast(blank).expect("cast");
    e.shuffle(&[1, 3], &mut r); // t = 2 of the 3 trustees shuffle
    e.close(&[2, 3], &mut r);
    e.board
}

/// Tampered copies of the ranked board.
fn ranked_tampers() -> Vec<(&'static str, u8, &'static str, Tamper)> {
    vec![
        (
            "shuffle-drops-ballot",
            5,
            "ranked: the first shuffle's last output row removed",
            |b| {
                b.shuffles[0].ciphertexts.pop();
            },
        ),
        (
            "shuffle-replaces-ballot",
            5,
            "ranked: the first shuffle's output row 0 replaced by a fresh encryption of \
             the ranking 0, 1, 2, 3",
            |b| {
                let mut r = rng(98);
                let ctx = b.context().expect("ctx");
                b.shuffles[0].ciphertexts[0] = (1..=4)
                    .map(|m| {
                        let x = Scalar::from_bytes_mod_order_wide(&r.random());
                        Ciphertext::encrypt(&ctx.public_key, m, &x).to_bytes()
                    })
                    .collect();
            },
        ),
    ]
}

type Tamper = fn(&mut Board);

fn tampers() -> Vec<(&'static str, u8, &'static str, Tamper)> {
    vec![
        ("fingerprint", 1, "a byte of the fingerprint flipped", |b| {
            b.fingerprint[0] ^= 1
        }),
        (
            "identity-proof",
            2,
            "trustee 2's identity proof response changed",
            |b| {
                b.trustees[1].identity.proof.response =
                    ScalarBytes::from_scalar(&Scalar::from(5u64));
            },
        ),
        (
            "constant-commitment",
            2,
            "trustee 2's C_0 replaced, fingerprint recomputed",
            |b| {
                if let Some(d) = b.trustees[1].dealing.as_mut() {
                    d.commitments[0] = point(7);
                }
                refingerprint(b);
            },
        ),
        (
            "wrong-commitment",
            3,
            "trustee 2's C_1 replaced, fingerprint recomputed",
            |b| {
                if let Some(d) = b.trustees[1].dealing.as_mut() {
                    d.commitments[1] = point(7);
                }
                refingerprint(b);
            },
        ),
        (
            "public-key",
            3,
            "public key replaced, fingerprint recomputed",
            |b| {
                b.public_key = point(7);
                refingerprint(b);
            },
        ),
        (
            "modified-ciphertext",
            4,
            "ballot 1's first beta plus G, tracker recomputed",
            |b| {
                let ctx = b.context().expect("ctx");
                let ballot = &mut b.ballots[1].ballot;
                let beta = ballot.choices[0]
                    .ciphertext
                    .beta
                    .decode("beta")
                    .expect("beta");
                ballot.choices[0].ciphertext.beta =
                    PointBytes::from_point(&(beta + RistrettoPoint::mul_base(&Scalar::ONE)));
                b.ballots[1].tracker = tracker(&ctx, ballot).expect("tracker");
            },
        ),
        ("replayed-ballot", 4, "ballot 1 appended again", |b| {
            let copy = b.ballots[1].clone();
            b.ballots.push(copy);
        }),
        (
            "stuffed-ballot",
            4,
            "a valid ballot under a credential not on the list",
            |b| {
                let mut r = rng(99);
                let ctx = b.context().expect("ctx");
                let stranger = Credential::generate(&mut r);
                let ballot = encrypt_ballot(&ctx, &stranger, &Choice::Options(vec![2]), &mut r)
                    .expect("ballot");
                let t = tracker(&ctx, &ballot).expect("tracker");
                b.ballots
                    .push(charter_ballot_crypto::BoardBallot { tracker: t, ballot });
            },
        ),
        (
            "missing-credential",
            4,
            "ballot 2 without its credential",
            |b| {
                b.ballots[2].ballot.credential = None;
            },
        ),
        (
            "missing-signature",
            4,
            "ballot 2 without its signature",
            |b| {
                b.ballots[2].ballot.signature = None;
            },
        ),
        (
            "forged-signature",
            4,
            "ballot 2's signature response changed, tracker recomputed",
            |b| {
                let ctx = b.context().expect("ctx");
                let ballot = &mut b.ballots[2].ballot;
                if let Some(s) = ballot.signature.as_mut() {
                    s.response = ScalarBytes::from_scalar(&Scalar::from(5u64));
                }
                b.ballots[2].tracker = tracker(&ctx, ballot).expect("tracker");
            },
        ),
        (
            "tally-ciphertext",
            6,
            "two option sums of the tally swapped",
            |b| {
                if let Some(t) = b.tally.as_mut() {
                    t.ciphertexts[0].swap(0, 1);
                }
            },
        ),
        (
            "wrong-decryption-share",
            7,
            "a decryption factor of the first share replaced",
            |b| {
                if let Some(t) = b.tally.as_mut() {
                    t.shares[0].factors[0][0].factor = point(7);
                }
            },
        ),
        (
            "too-few-shares",
            7,
            "only one share for a threshold of two",
            |b| {
                if let Some(t) = b.tally.as_mut() {
                    t.shares.truncate(1);
                }
            },
        ),
        (
            "wrong-plaintext",
            8,
            "one more vote for option 0, outcome to match",
            |b| {
                if let Some(t) = b.tally.as_mut() {
                    if let Some(v) = t.plaintexts[0][0].as_mut() {
                        *v += 1;
                    }
                    if let Outcome::Totals { totals, .. } = &mut t.outcome {
                        totals[0] += 1;
                    }
                }
            },
        ),
        (
            "wrong-outcome",
            9,
            "outcome totals of options 0 and 1 swapped",
            |b| {
                if let Some(Outcome::Totals { totals, .. }) =
                    b.tally.as_mut().map(|t| &mut t.outcome)
                {
                    totals.swap(0, 1);
                }
            },
        ),
    ]
}

fn generate() -> Vec<(Entry, String)> {
    let json = |b: &Board| serde_json::to_string_pretty(b).expect("json") + "\n";
    let question = honest_question();
    let ranked = honest_ranked();
    let mut out = vec![
        (
            Entry {
                file: "question.json".into(),
                failing_step: None,
                what: "honest Yes/No/Abstain election, 3 trustees, threshold 2, one revote".into(),
                reason: None,
            },
            json(&question),
        ),
        (
            Entry {
                file: "ranked.json".into(),
                failing_step: None,
                what: "honest ranked election, 4 candidates, one spoilt (blank) ballot".into(),
                reason: None,
            },
            json(&ranked),
        ),
    ];
    let all = tampers()
        .into_iter()
        .map(|t| (&question, t))
        .chain(ranked_tampers().into_iter().map(|t| (&ranked, t)));
    for (honest, (name, step, what, tamper)) in all {
        let mut b = honest.clone();
        tamper(&mut b);
        out.push((
            Entry {
                file: format!("tampered-{name}.json"),
                failing_step: Some(step),
                what: what.into(),
                reason: verify_board(&b).err().map(|f| f.reason),
            },
            json(&b),
        ));
    }
    out
}

#[test]
fn vectors_match_their_generator() {
    let generated = generate();
    let manifest: Vec<&Entry> = generated.iter().map(|(e, _)| e).collect();
    let manifest = serde_json::to_string_pretty(&manifest).expect("json") + "\n";
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        std::fs::create_dir_all(dir()).expect("mkdir");
        std::fs::write(dir().join("manifest.json"), &manifest).expect("write");
        for (e, text) in &generated {
            std::fs::write(dir().join(&e.file), text).expect("write");
        }
    }
    let on_disk = |f: &str| std::fs::read_to_string(dir().join(f)).unwrap_or_default();
    assert!(
        on_disk("manifest.json") == manifest,
        "manifest.json drifted: run with REGENERATE_VECTORS=1 if the change is deliberate"
    );
    for (e, text) in &generated {
        assert!(
            &on_disk(&e.file) == text,
            "{} drifted: run with REGENERATE_VECTORS=1 if the change is deliberate",
            e.file
        );
    }
}

#[test]
fn vectors_verify_as_the_manifest_says() {
    let manifest: Vec<Entry> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("manifest.json")).expect("read"))
            .expect("manifest");
    assert!(manifest.len() > 10);
    for e in manifest {
        let board: Board =
            serde_json::from_str(&std::fs::read_to_string(dir().join(&e.file)).expect("read"))
                .expect("board parses");
        let got = verify_board(&board).err().map(|f| f.step.number());
        assert_eq!(
            got,
            e.failing_step,
            "{}: {:?}",
            e.file,
            verify_board(&board)
        );
    }
}
