//! The trustees' and the credential authority's commands, run as the real binary over files,
//! with the test playing the server (building the board from the uploaded documents) and the
//! voters (casting ballots with their private credentials).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use charter_ballot_crypto::dkg::{Dealing, TrusteeIdentity, Verdict, judge_complaint};
use charter_ballot_crypto::documents::{CredentialList, Finished, Setup, dealing_slots};
use charter_ballot_crypto::{
    Board, Choice, Credential, DecryptionShare, ElectionParams, QuestionKind, Shuffle,
    encrypt_ballot,
};
use charter_cli::credentials::PrivateCredential;
use serde::Serialize;
use serde::de::DeserializeOwned;

const PASSPHRASE: &str = "correct horse battery staple";

fn charter(args: &[&str], passphrase: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env("CHARTER_TRUSTEE_PASSPHRASE", passphrase)
        .env("CHARTER_LOG", "warn")
        .output()
        .expect("the charter binary runs")
}

fn ok(args: &[&str]) -> Output {
    let out = charter(args, PASSPHRASE);
    assert!(
        out.status.success(),
        "charter {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read<T: DeserializeOwned>(path: &Path) -> T {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write<T: Serialize>(path: &Path, value: &T) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The files of a key ceremony run through the commands up to the dealings.
struct Ceremony {
    dir: tempfile::TempDir,
    params: ElectionParams,
    identities: Vec<TrusteeIdentity>,
    dealings: Vec<Dealing>,
}

impl Ceremony {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn key(&self, j: u32) -> PathBuf {
        self.path(&format!("key{j}.json"))
    }

    /// `trustee new` then `trustee deal` by every trustee; the test uploads the documents.
    fn dealt(params: ElectionParams) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let setup = dir.path().join("setup.json");
        write(&setup, &Setup::new(params.clone()).unwrap());
        let n = params.trustees;
        for j in 1..=n {
            let key = dir.path().join(format!("key{j}.json"));
            let id = dir.path().join(format!("identity{j}.json"));
            let jj = j.to_string();
            ok(&[
                "trustee",
                "new",
                "--setup",
                s(&setup),
                "--index",
                &jj,
                "--key-file",
                s(&key),
                "--out",
                s(&id),
            ]);
        }
        let identities: Vec<TrusteeIdentity> = (1..=n)
            .map(|j| read(&dir.path().join(format!("identity{j}.json"))))
            .collect();
        let ids = dir.path().join("identities.json");
        write(&ids, &identities);
        for j in 1..=n {
            let key = dir.path().join(format!("key{j}.json"));
            let out = dir.path().join(format!("dealing{j}.json"));
            ok(&[
                "trustee",
                "deal",
                "--setup",
                s(&setup),
                "--key-file",
                s(&key),
                "--identities",
                s(&ids),
                "--out",
                s(&out),
            ]);
        }
        let dealings: Vec<Dealing> = (1..=n)
            .map(|j| read(&dir.path().join(format!("dealing{j}.json"))))
            .collect();
        write(&dir.path().join("dealings.json"), &dealings);
        Ceremony {
            dir,
            params,
            identities,
            dealings,
        }
    }

    fn finish(&self, j: u32, passphrase: &str) -> (Output, PathBuf) {
        let out = self.path(&format!("result{j}.json"));
        let o = charter(
            &[
                "trustee",
                "finish",
                "--setup",
                s(&self.path("setup.json")),
                "--key-file",
                s(&self.key(j)),
                "--identities",
                s(&self.path("identities.json")),
                "--dealings",
                s(&self.path("dealings.json")),
                "--out",
                s(&out),
            ],
            passphrase,
        );
        (o, out)
    }

    fn with_board(&self, board: &Board, name: &str) -> PathBuf {
        let p = self.path(name);
        write(&p, board);
        p
    }

    fn trustee_on_board(&self, what: &str, j: u32, board: &Path) -> (Output, PathBuf) {
        let out = self.path(&format!(
            "{what}-{j}-{}",
            board.file_name().unwrap().display()
        ));
        let o = charter(
            &[
                "trustee",
                what,
                "--key-file",
                s(&self.key(j)),
                "--board",
                s(board),
                "--out",
                s(&out),
            ],
            PASSPHRASE,
        );
        (o, out)
    }
}

fn ranked() -> ElectionParams {
    ElectionParams {
        id: "council-2027".into(),
        kind: QuestionKind::Ranked,
        options: 4,
        min: 1,
        max: 4,
        trustees: 3,
        threshold: 2,
    }
}

#[test]
fn a_ranked_election_from_the_ceremony_to_a_verified_result() {
    let c = Ceremony::dealt(ranked());
    // Every trustee finishes the key, and all agree on it.
    let reports: Vec<_> = (1..=3)
        .map(|j| {
            let (o, out) = c.finish(j, PASSPHRASE);
            assert!(o.status.success(), "{}", stderr(&o));
            match read::<Finished>(&out) {
                Finished::Key(k) => k,
                other => panic!("trustee {j} complained: {other:?}"),
            }
        })
        .collect();
    assert!(
        reports
            .iter()
            .all(|r| r.election_key == reports[0].election_key)
    );
    assert!(
        reports
            .iter()
            .all(|r| r.verification_keys == reports[0].verification_keys)
    );

    // The credential authority makes 20 voters' credentials.
    let mut roll = String::from("member_id,name,email\n");
    for i in 0..20 {
        roll += &format!("m{:03},Member {i},m{i}@example.org\n", 20 - i);
    }
    std::fs::write(c.path("roll.csv"), roll).unwrap();
    let private = c.path("private");
    ok(&[
        "credentials",
        "generate",
        "--setup",
        s(&c.path("setup.json")),
        "--voters",
        s(&c.path("roll.csv")),
        "--out-public",
        s(&c.path("credentials.json")),
        "--out-private",
        s(&private),
    ]);
    let list: CredentialList = read(&c.path("credentials.json"));
    assert_eq!(list.credentials.len(), 20);
    assert!(list.credentials.is_sorted());
    let letters = std::fs::read_to_string(private.join("letters.csv")).unwrap();
    assert_eq!(letters.lines().count(), 21);
    assert!(letters.starts_with("member_id,name,email,credential\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&private.join("m001.json")), 0o600);
        assert_eq!(mode(&private.join("letters.csv")), 0o600);
        assert_eq!(mode(&private), 0o700);
    }
    // Making them again into the same directory is refused.
    let again = charter(
        &[
            "credentials",
            "generate",
            "--setup",
            s(&c.path("setup.json")),
            "--voters",
            s(&c.path("roll.csv")),
            "--out-public",
            s(&c.path("again.json")),
            "--out-private",
            s(&private),
        ],
        PASSPHRASE,
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    // The server opens the board; the voters vote with their private credentials.
    let mut board = Board::new(
        c.params.clone(),
        c.identities.clone(),
        dealing_slots(&c.params, &c.dealings).unwrap(),
        list.credentials.clone(),
    )
    .unwrap();
    assert_eq!(board.public_key, reports[0].election_key);
    let ctx = board.context().unwrap();
    let mut rng = rand::rng();
    for i in 1..=20 {
        let file: PrivateCredential = read(&private.join(format!("m{i:03}.json")));
        let credential = Credential::from_bytes(&file.credential).unwrap();
        let ranking = vec![i % 4, (i + 1) % 4];
        let ballot = encrypt_ballot(&ctx, &credential, &Choice::Ranking(ranking), &mut rng);
        board.cast(ballot.unwrap()).unwrap();
    }

    // Decrypting before the shuffles is refused: the ballots are still linked to voters.
    let open = c.with_board(&board, "open.json");
    let (o, share) = c.trustee_on_board("decrypt", 1, &open);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("shuffles"), "{}", stderr(&o));
    assert!(!share.exists());

    // Trustees 1 and 3 shuffle in turn.
    let (o, out) = c.trustee_on_board("shuffle", 1, &open);
    assert!(o.status.success(), "{}", stderr(&o));
    board.add_shuffle(read::<Shuffle>(&out)).unwrap();
    let once = c.with_board(&board, "once.json");
    let (o, _) = c.trustee_on_board("shuffle", 1, &once);
    assert!(!o.status.success(), "a trustee shuffles once");
    let (o, out) = c.trustee_on_board("shuffle", 3, &once);
    assert!(o.status.success(), "{}", stderr(&o));
    board.add_shuffle(read::<Shuffle>(&out)).unwrap();
    let shuffled = c.with_board(&board, "shuffled.json");

    // A shuffle tampered with on the board: decrypting is refused and no share is written.
    let mut tampered = board.clone();
    tampered.shuffles[1].ciphertexts.swap(0, 1);
    let bad = c.with_board(&tampered, "tampered.json");
    let (o, share) = c.trustee_on_board("decrypt", 2, &bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("step 5"), "{}", stderr(&o));
    assert!(!share.exists());

    // Trustees 1 and 2 decrypt; the server closes; anyone verifies.
    let shares: Vec<DecryptionShare> = [1, 2]
        .iter()
        .map(|&j| {
            let (o, out) = c.trustee_on_board("decrypt", j, &shuffled);
            assert!(o.status.success(), "{}", stderr(&o));
            read(&out)
        })
        .collect();
    assert!(
        board.close(vec![shares[0].clone()]).is_err(),
        "one share is not enough"
    );
    board.close(shares.clone()).unwrap();
    let closed = c.with_board(&board, "closed.json");
    let v = ok(&["verify", "ballot", s(&closed)]);
    let said = String::from_utf8_lossy(&v.stdout);
    assert!(said.contains("20 valid rankings"), "{said}");

    // A trustee below the threshold cannot decrypt alone: one share fails step 7.
    let mut alone = board.clone();
    alone.tally.as_mut().unwrap().shares.truncate(1);
    let alone = c.with_board(&alone, "alone.json");
    let v = charter(&["verify", "ballot", s(&alone)], PASSPHRASE);
    assert_eq!(v.status.code(), Some(1));
    let said = String::from_utf8_lossy(&v.stdout);
    assert!(said.contains("step 7"), "{said}");
}

#[test]
fn a_wrong_or_short_passphrase_is_refused() {
    let c = Ceremony::dealt(ElectionParams {
        id: "motion-9".into(),
        kind: QuestionKind::Question,
        options: 3,
        min: 1,
        max: 1,
        trustees: 2,
        threshold: 2,
    });
    let before = std::fs::read(c.key(1)).unwrap();
    let (o, out) = c.finish(1, "not the passphrase at all");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("not the passphrase"), "never echoed");
    assert_eq!(
        std::fs::read(c.key(1)).unwrap(),
        before,
        "key file unchanged"
    );
    assert!(!out.exists());

    // A new key file needs a passphrase of 12 characters or more, and is never overwritten.
    let setup = c.path("setup.json");
    let fresh = c.path("fresh.json");
    let o = charter(
        &[
            "trustee",
            "new",
            "--setup",
            s(&setup),
            "--index",
            "1",
            "--key-file",
            s(&fresh),
            "--out",
            s(&c.path("id.json")),
        ],
        "too short",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("12 characters"), "{}", stderr(&o));
    assert!(!fresh.exists());
    let o = charter(
        &[
            "trustee",
            "new",
            "--setup",
            s(&setup),
            "--index",
            "1",
            "--key-file",
            s(&c.key(1)),
            "--out",
            s(&c.path("id.json")),
        ],
        PASSPHRASE,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("never overwritten"), "{}", stderr(&o));
    assert_eq!(std::fs::read(c.key(1)).unwrap(), before);

    // The right passphrase finishes, and the key file now holds the key share.
    let (o, _) = c.finish(1, PASSPHRASE);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(std::fs::read(c.key(1)).unwrap(), before);
}

#[test]
fn a_tampered_dealing_makes_a_complaint_naming_the_dealer() {
    let mut c = Ceremony::dealt(ranked());
    // Trustee 2's share for trustee 1 is altered on its way.
    let share = c.dealings[1]
        .shares
        .iter_mut()
        .find(|s| s.recipient == 1)
        .unwrap();
    share.ciphertext[0] ^= 1;
    write(&c.path("dealings.json"), &c.dealings);
    let before = std::fs::read(c.key(1)).unwrap();
    let (o, out) = c.finish(1, PASSPHRASE);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("complaint against trustee 2"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(c.key(1)).unwrap(),
        before,
        "no key share kept"
    );
    let Finished::Complaints { complaints } = read::<Finished>(&out) else {
        panic!("a complaint was expected");
    };
    assert_eq!(complaints.len(), 1);
    assert_eq!((complaints[0].dealer, complaints[0].accuser), (2, 1));
    // Anyone can judge it from the published documents.
    assert_eq!(
        judge_complaint(&c.params, &c.identities, &c.dealings[1], &complaints[0]).unwrap(),
        Verdict::DealerCheated
    );
    // The other trustees' shares from trustee 2 were not touched.
    let (o, _) = c.finish(3, PASSPHRASE);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_forged_identity_is_refused_naming_the_trustee() {
    let c = Ceremony::dealt(ElectionParams {
        id: "motion-10".into(),
        kind: QuestionKind::Question,
        options: 3,
        min: 1,
        max: 1,
        trustees: 2,
        threshold: 1,
    });
    let mut ids = c.identities.clone();
    ids[1].proof = ids[0].proof;
    let forged = c.path("forged.json");
    write(&forged, &ids);
    let out = c.path("dealing.json");
    let o = charter(
        &[
            "trustee",
            "deal",
            "--setup",
            s(&c.path("setup.json")),
            "--key-file",
            s(&c.key(1)),
            "--identities",
            s(&forged),
            "--out",
            s(&out),
        ],
        PASSPHRASE,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("trustee 2's identity"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn a_question_is_decrypted_from_its_sums_without_shuffles() {
    let c = Ceremony::dealt(ElectionParams {
        id: "motion-11".into(),
        kind: QuestionKind::Question,
        options: 3,
        min: 1,
        max: 1,
        trustees: 2,
        threshold: 2,
    });
    for j in 1..=2 {
        let (o, _) = c.finish(j, PASSPHRASE);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // A roll with a member twice is refused, and nothing public is written.
    std::fs::write(
        c.path("roll.csv"),
        "member_id,name,email\n1,A,a@example.org\n2,B,b@example.org\n1,C,c@example.org\n",
    )
    .unwrap();
    let o = charter(
        &[
            "credentials",
            "generate",
            "--setup",
            s(&c.path("setup.json")),
            "--voters",
            s(&c.path("roll.csv")),
            "--out-public",
            s(&c.path("credentials.json")),
            "--out-private",
            s(&c.path("private")),
        ],
        PASSPHRASE,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("listed twice"), "{}", stderr(&o));
    assert!(!c.path("credentials.json").exists());

    let mut rng = rand::rng();
    let voters: Vec<Credential> = (0..3).map(|_| Credential::generate(&mut rng)).collect();
    let mut board = Board::new(
        c.params.clone(),
        c.identities.clone(),
        dealing_slots(&c.params, &c.dealings).unwrap(),
        voters.iter().map(Credential::public).collect(),
    )
    .unwrap();
    let ctx = board.context().unwrap();
    for (v, option) in voters.iter().zip([0, 0, 2]) {
        let ballot = encrypt_ballot(&ctx, v, &Choice::Options(vec![option]), &mut rng);
        board.cast(ballot.unwrap()).unwrap();
    }
    let open = c.with_board(&board, "open.json");
    let (o, out) = c.trustee_on_board("shuffle", 1, &open);
    assert_eq!(o.status.code(), Some(1), "a question is not shuffled");
    assert!(!out.exists());
    let shares: Vec<DecryptionShare> = [1, 2]
        .iter()
        .map(|&j| {
            let (o, out) = c.trustee_on_board("decrypt", j, &open);
            assert!(o.status.success(), "{}", stderr(&o));
            read(&out)
        })
        .collect();
    board.close(shares).unwrap();
    let closed = c.with_board(&board, "closed.json");
    let v = ok(&["verify", "ballot", s(&closed)]);
    let said = String::from_utf8_lossy(&v.stdout);
    assert!(said.contains("totals by option: 2, 0, 1"), "{said}");
}
