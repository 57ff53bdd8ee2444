//! The demo's sealed ballots, the whole way: the counted question and ranked election verify
//! from their boards; the open question is sealed, the demo member is on its roll and has not
//! voted, and the credential the demo writes (and prints) for them makes a ballot the app
//! takes; the trustees' key files open with the printed passphrase.

use std::sync::Arc;

use charter_app::{App, FixedClock, Settings};
use charter_ballot_crypto::keyfile::KeyFile;
use charter_ballot_crypto::{Choice, Credential, ScalarBytes, encrypt_ballot, verify_board};
use charter_demo::{
    DemoOptions, OPEN_SEALED_TITLE, SEALED_ELECTION_TITLE, SEALED_QUESTION_TITLE,
    TRUSTEE_PASSPHRASE, generate, load, load_ballots, load_constitution_sealed,
};
use charter_store::Store;
use charter_store_sqlite::SqliteStore;
use chrono::{TimeZone, Utc};

#[tokio::test]
async fn the_demo_runs_sealed_ballots_the_whole_way() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let opts = DemoOptions {
        members: 300,
        ..DemoOptions::default()
    };
    let org = generate(opts);
    let sign_ins = load(&store, &org, &|_, _| {}).await.unwrap();
    let now = Utc.from_utc_datetime(&opts.today.and_hms_opt(10, 0, 0).unwrap());
    let app = App::new(
        Arc::new(store),
        Arc::new(FixedClock(now)),
        Settings::default(),
    );
    load_constitution_sealed(&app, opts.today).await.unwrap();
    let demo = load_ballots(&app, &sign_ins).await.unwrap();

    // The counted sealed ballots: counted by the app from the trustees' tally, and every
    // step of their boards verifies; the election's ballots were shuffled by two trustees.
    let ballots = app.ballots().await.unwrap();
    assert_eq!(demo.counted.len(), 2);
    for title in [SEALED_QUESTION_TITLE, SEALED_ELECTION_TITLE] {
        let b = ballots.iter().find(|b| b.title == title).unwrap();
        assert!(demo.counted.contains(&b.id));
        assert_eq!(b.state, charter_domain::BallotState::Counted, "{title}");
        assert!(b.outcome.is_some(), "{title}");
        let board = app.board(b.id).await.unwrap();
        assert!(board.tally.is_some());
        assert!(!board.ballots.is_empty());
        verify_board(&board).unwrap_or_else(|f| panic!("{title}: {f:?}"));
        if title == SEALED_ELECTION_TITLE {
            assert!(board.shuffles.len() >= board.election.threshold as usize);
        }
    }

    // The open sealed question: the demo member is on its roll and has not voted.
    let open = demo.open.as_ref().unwrap();
    assert_eq!(open.title, OPEN_SEALED_TITLE);
    let b = ballots.iter().find(|b| b.id == open.id).unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Open);
    assert!(app.is_verifiable(open.id).await.unwrap());
    let member = sign_ins.by_role("member").unwrap().member;
    let waiting = app.store().ballot_nonvoters(open.id).await.unwrap();
    assert!(waiting.iter().any(|(m, _)| *m == member), "not voted yet");
    let board = app.board(open.id).await.unwrap();
    assert!(!board.ballots.is_empty(), "others have voted");
    verify_board(&board).unwrap();

    // The secrets as the demo writes them: the member's credential, in letters.csv and in
    // their own file, is the one `credential_of` gives (and `charter demo` prints).
    let dir = tempfile::tempdir().unwrap();
    let readme = open.write_secrets(&dir.path().join("sealed")).unwrap();
    let text = std::fs::read_to_string(&readme).unwrap();
    assert!(text.contains("charter trustee decrypt"), "{text}");
    let printed = open.credential_of(member).unwrap().hex();
    let letters =
        std::fs::read_to_string(dir.path().join("sealed/credentials/letters.csv")).unwrap();
    assert!(
        letters
            .lines()
            .any(|l| l.starts_with(&format!("{},", member.0)) && l.ends_with(&printed)),
        "{letters}"
    );
    assert_eq!(letters.lines().count(), open.credentials.len() + 1);
    let file: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join(format!("sealed/credentials/{}.json", member.0)),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(file["credential"].as_str().unwrap(), printed);
    for t in &open.trustees {
        let key: KeyFile = serde_json::from_slice(
            &std::fs::read(
                dir.path()
                    .join(format!("sealed/trustees/trustee-{}.key.json", t.index)),
            )
            .unwrap(),
        )
        .unwrap();
        let secrets = key.open(TRUSTEE_PASSPHRASE.as_bytes()).unwrap();
        assert_eq!(secrets, t.secrets);
        assert!(secrets.key.is_some());
    }

    // With it the demo member's device makes a ballot the app takes.
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&printed, &mut bytes).unwrap();
    let credential = Credential::from_bytes(&ScalarBytes(bytes)).unwrap();
    let ballot = encrypt_ballot(
        &board.context().unwrap(),
        &credential,
        &Choice::Options(vec![0]),
        &mut rand::rng(),
    )
    .unwrap();
    let receipt = app
        .cast_encrypted(member, open.id, "demo-member-sealed-01", &ballot, None)
        .await
        .unwrap();
    let _ = receipt;
    let board = app.board(open.id).await.unwrap();
    verify_board(&board).unwrap();
    let waiting = app.store().ballot_nonvoters(open.id).await.unwrap();
    assert!(!waiting.iter().any(|(m, _)| *m == member), "voted now");
}
