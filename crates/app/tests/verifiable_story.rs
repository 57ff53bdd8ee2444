//! A verifiable ballot through the app on SQLite with fixed times, and what each insider can
//! try against it. The constitution is amended so that its ballot clause names three
//! trustees (the scrutineer and secretaries of different units), any two of whom open a
//! result. The trustees and the credential authority are played here with the crypto crate,
//! as `charter trustee …` and `charter credentials generate` would on their own machines.

mod common;

use charter_store::prelude::*;
use std::collections::BTreeMap;

use charter_app::amending::HistoricalOutcome;
use charter_app::ballots::{BallotRequest, Choice};
use charter_app::verifiable::CeremonyStage;
use charter_app::{App, AppError};
use charter_ballot_crypto::dkg::{self, IdentitySecret, TrusteeIdentity, TrusteeKey};
use charter_ballot_crypto::documents::{Finished, key_report};
use charter_ballot_crypto::{
    Choice as CryptoChoice, Credential, CredentialList, Setup, encrypt_ballot, tally, verify_board,
};
use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId};
use charter_model::{BallotId, RollId};
use charter_store::{BoardItemKind, Term};
use common::*;

/// The 2017 constitution with trustees named in its ballot clause.
fn with_trustees(text: &str) -> String {
    let marker = "scrutineer = \"scrutineer\"\n";
    assert!(
        text.contains(marker),
        "the fixture's ballot clause names a scrutineer"
    );
    text.replacen(
        marker,
        "scrutineer = \"scrutineer\"\ntrustee_offices = [\"scrutineer\", \"secretary\"]\ntrustees = 3\ntrustee_threshold = 2\n",
        1,
    )
}

async fn hold(w: &World, unit: UnitId, kind: OfficeKind, member: MemberId) {
    let office = w
        .store
        .create_office(unit, kind, &event("office"))
        .await
        .unwrap();
    w.store
        .appoint(
            office,
            member,
            Term {
                starts_on: d(2017, 7, 1),
                ends_on: None,
            },
            &event("appoint"),
        )
        .await
        .unwrap();
}

/// Everyone the story needs besides the world's national secretary.
struct Cast {
    southwark_secretary: MemberId,
    havering_secretary: MemberId,
    scrutineer: MemberId,
}

/// Founds the organisation and adopts the 2017 amendment, with trustees named in its ballot
/// clause, by the full procedure; then fills the offices.
async fn sealed_world() -> (World, Cast) {
    let w = world().await;
    let may = app_at(&w, at(2017, 5, 19, 9));
    may.found_constitution(charter_app::operator_actor(), FOUNDING)
        .await
        .unwrap();
    let secretary = may.actor(w.secretary).await.unwrap();
    let id = may
        .propose_amendment(
            &secretary,
            "Votes for party members, ballots sealed by trustees",
            &with_trustees(AMENDMENT),
        )
        .await
        .unwrap();
    let chair = national_chair(&w).await;
    let recorded = enter_twice(
        &app_at(&w, at(2017, 6, 12, 9)),
        [w.secretary, chair],
        id,
        &conference(d(2017, 5, 20), d(2017, 6, 10)),
    )
    .await;
    assert!(
        matches!(recorded, HistoricalOutcome::Recorded { adopted: true, .. }),
        "{recorded:?}"
    );
    chair_resigns(&w, chair).await;
    let southwark_secretary = add(
        &w.store,
        90,
        w.southwark,
        MemberStatus::Active,
        true,
        None,
        None,
    )
    .await;
    let havering_secretary = add(
        &w.store,
        91,
        w.havering,
        MemberStatus::Active,
        true,
        None,
        None,
    )
    .await;
    let scrutineer = add(
        &w.store,
        92,
        w.havering,
        MemberStatus::Active,
        true,
        None,
        None,
    )
    .await;
    hold(&w, w.southwark, OfficeKind::Secretary, southwark_secretary).await;
    hold(&w, w.havering, OfficeKind::Secretary, havering_secretary).await;
    hold(&w, w.national, OfficeKind::Scrutineer, scrutineer).await;
    (
        w,
        Cast {
            southwark_secretary,
            havering_secretary,
            scrutineer,
        },
    )
}

/// A trustee on their own machine: identity secret, and key share once the ceremony ends.
struct Trustee {
    member: MemberId,
    index: u32,
    secret: IdentitySecret,
    identity: TrusteeIdentity,
    key: Option<TrusteeKey>,
}

async fn post(
    app: &App,
    who: MemberId,
    id: BallotId,
    index: u32,
    kind: BoardItemKind,
    body: String,
) -> Result<(), AppError> {
    let actor = app.actor(who).await.unwrap();
    app.post_trustee_document(&actor, id, index, kind, &body)
        .await
}

/// Runs the key ceremony for a ballot, checking each refusal on the way.
async fn ceremony(app: &App, id: BallotId, members: [MemberId; 3]) -> Vec<Trustee> {
    let setup: Setup = app.ceremony(id).await.unwrap().setup;
    let params = setup.check().unwrap().clone();
    let mut rng = rand::rng();
    let mut trustees: Vec<Trustee> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let index = i as u32 + 1;
            let (secret, identity) = dkg::new_identity(&params, index, &mut rng).unwrap();
            Trustee {
                member: *m,
                index,
                secret,
                identity,
                key: None,
            }
        })
        .collect();
    let json = |v: &dyn erased::Json| v.json();
    // Trustee 2 cannot post as trustee 1; a dealing waits for every identity.
    let as_other = post(
        app,
        members[1],
        id,
        1,
        BoardItemKind::Identity,
        json(&trustees[0].identity),
    )
    .await;
    assert!(
        matches!(as_other, Err(AppError::Forbidden(_))),
        "{as_other:?}"
    );
    for t in &trustees {
        post(
            app,
            t.member,
            id,
            t.index,
            BoardItemKind::Identity,
            json(&t.identity),
        )
        .await
        .unwrap();
    }
    let again = post(
        app,
        members[0],
        id,
        1,
        BoardItemKind::Identity,
        json(&trustees[0].identity),
    )
    .await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "{again:?}");
    assert_eq!(
        app.ceremony(id).await.unwrap().stage,
        CeremonyStage::Dealings
    );
    let identities: Vec<TrusteeIdentity> = trustees.iter().map(|t| t.identity.clone()).collect();
    let dealings: Vec<dkg::Dealing> = trustees
        .iter()
        .map(|t| dkg::deal(&params, &t.secret, &identities, &mut rng).unwrap())
        .collect();
    // A dealing posted under another trustee's number is refused as theirs.
    let wrong = post(
        app,
        members[0],
        id,
        1,
        BoardItemKind::Dealing,
        json(&dealings[1]),
    )
    .await;
    assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
    for (t, dealing) in trustees.iter().zip(&dealings) {
        post(
            app,
            t.member,
            id,
            t.index,
            BoardItemKind::Dealing,
            json(dealing),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        app.ceremony(id).await.unwrap().stage,
        CeremonyStage::Reports
    );
    let refs: Vec<&dkg::Dealing> = dealings.iter().collect();
    for t in &mut trustees {
        let key = dkg::finish_key(&params, &t.secret, &identities, &refs).unwrap();
        let report = key_report(&params, &identities, &dealings, &key).unwrap();
        post(
            app,
            t.member,
            id,
            t.index,
            BoardItemKind::Report,
            json(&Finished::Key(report)),
        )
        .await
        .unwrap();
        t.key = Some(key);
    }
    assert_eq!(
        app.ceremony(id).await.unwrap().stage,
        CeremonyStage::Credentials
    );
    trustees
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
use erased::Json as _;

#[tokio::test]
async fn a_sealed_question_is_decided_by_two_trustees_and_its_board_verifies() {
    let (w, cast) = sealed_world().await;
    let (roll, voters) = roll(&w).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let ask = |trustees: Vec<MemberId>| BallotRequest {
        title: "Affiliation to the Alliance".into(),
        question: "Should the Network affiliate to the Alliance?".into(),
        kind: "question".into(),
        decision_kind: None,
        candidates: Vec::new(),
        seats: None,
        roll: Some(RollId(roll)),
        opens_at: Some(at(2017, 9, 6, 9)),
        closes_at: Some(at(2017, 9, 20, 9)),
        trustees,
    };
    // The clause's trustees: three, each holding a named office now, in different units.
    let ordinary = voters
        .iter()
        .copied()
        .find(|m| {
            ![
                w.secretary,
                cast.southwark_secretary,
                cast.havering_secretary,
                cast.scrutineer,
            ]
            .contains(m)
        })
        .unwrap();
    for wrong in [
        Vec::new(),
        vec![w.secretary, cast.southwark_secretary],
        vec![w.secretary, cast.southwark_secretary, ordinary],
        vec![w.secretary, w.secretary, cast.havering_secretary],
        // The Havering secretary and the national scrutineer: but the scrutineer is national,
        // as is the national secretary.
        vec![w.secretary, cast.scrutineer, cast.havering_secretary],
    ] {
        let r = sep2.create_ballot(&secretary, &ask(wrong.clone())).await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{wrong:?}: {r:?}");
    }
    assert!(sep2.ballots().await.unwrap().is_empty(), "nothing written");
    let members = [
        w.secretary,
        cast.southwark_secretary,
        cast.havering_secretary,
    ];
    let id = sep2
        .create_ballot(&secretary, &ask(members.to_vec()))
        .await
        .unwrap();
    assert!(sep2.is_verifiable(id).await.unwrap());

    let trustees = ceremony(&sep2, id, members).await;
    // Voting cannot open before the credentials are frozen.
    let sep6 = app_at(&w, at(2017, 9, 6, 10));
    sep6.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Scheduled
    );

    // The credential authority: one credential per voter, the list frozen by the scrutineer.
    let setup = sep2.ceremony(id).await.unwrap().setup;
    let mut rng = rand::rng();
    let credentials: BTreeMap<MemberId, Credential> = voters
        .iter()
        .map(|m| (*m, Credential::generate(&mut rng)))
        .collect();
    let publics = |n: usize| {
        CredentialList::new(
            &setup,
            credentials
                .values()
                .take(n)
                .map(Credential::public)
                .collect(),
        )
        .unwrap()
        .json()
    };
    let by_secretary = sep2
        .post_credentials(&secretary, id, &publics(voters.len()))
        .await;
    assert!(
        matches!(by_secretary, Err(AppError::Forbidden(_))),
        "{by_secretary:?}"
    );
    let scrutineer = sep2.actor(cast.scrutineer).await.unwrap();
    let short = sep2
        .post_credentials(&scrutineer, id, &publics(voters.len() - 1))
        .await;
    assert!(matches!(short, Err(AppError::Invalid(_))), "{short:?}");
    sep2.post_credentials(&scrutineer, id, &publics(voters.len()))
        .await
        .unwrap();
    let twice = sep2
        .post_credentials(&scrutineer, id, &publics(voters.len()))
        .await;
    assert!(matches!(twice, Err(AppError::Conflict { .. })), "{twice:?}");
    assert_eq!(sep2.ceremony(id).await.unwrap().stage, CeremonyStage::Ready);

    assert_eq!(
        sep6.warm_open_boards().await.unwrap(),
        0,
        "nothing open yet"
    );
    sep6.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Open
    );
    // The timetable reads an open sealed ballot's board before its first voter comes.
    assert_eq!(sep6.warm_open_boards().await.unwrap(), 1);
    let board = sep6.board(id).await.unwrap();
    let ctx = board.context().unwrap();

    // Voters encrypt on their devices; the tracker is the hash of what they sent.
    let choices = [0u32, 1, 0, 2, 0];
    let mut expected = [0u64; 3];
    let sep7 = app_at(&w, at(2017, 9, 7, 9));
    for (i, (voter, choice)) in voters.iter().zip(choices).enumerate() {
        let receipt = if i == 3 {
            // Without JavaScript: the server encrypts with the credential given.
            sep7.cast_encrypting_here(
                *voter,
                id,
                &format!("sub-{i:08}"),
                &Choice {
                    ranks: vec![choice],
                },
                &hex::encode(credentials[voter].to_bytes().0),
                None,
            )
            .await
            .unwrap()
        } else {
            let ballot = encrypt_ballot(
                &ctx,
                &credentials[voter],
                &CryptoChoice::Options(vec![choice]),
                &mut rng,
            )
            .unwrap();
            let tracker = charter_ballot_crypto::tracker(&ctx, &ballot).unwrap();
            let receipt = sep7
                .cast_encrypted(*voter, id, &format!("sub-{i:08}"), &ballot, None)
                .await
                .unwrap();
            assert_eq!(
                receipt.tracker,
                hex::encode(tracker),
                "the voter computes the tracker"
            );
            receipt
        };
        assert!(receipt.new);
        // The voter finds it on the board at once, however they type the tracker.
        let typed = receipt
            .tracker
            .to_uppercase()
            .as_bytes()
            .chunks(8)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let found = sep7.published_ballot(id, &typed).await.unwrap();
        assert_eq!(found.map(|p| p.tracker), Some(receipt.tracker.clone()));
        expected[choice as usize] += 1;
    }
    let cast_count = choices.len().min(voters.len());

    // Attacks while voting is open, each refused with nothing written.
    let stranger = voters[cast_count];
    let before = w.store.encrypted_box(id).await.unwrap().len();
    // A plaintext vote.
    let plain = sep7
        .cast_ballot(stranger, id, "plain-0001", &Choice { ranks: vec![0] }, None)
        .await;
    assert!(matches!(plain, Err(AppError::Invalid(_))), "{plain:?}");
    // A ballot without a credential, or with one not on the frozen list (the server or an
    // insider stuffing the box).
    let mut unsigned = encrypt_ballot(
        &ctx,
        &credentials[&stranger],
        &CryptoChoice::Options(vec![1]),
        &mut rng,
    )
    .unwrap();
    unsigned.credential = None;
    unsigned.signature = None;
    let forged = encrypt_ballot(
        &ctx,
        &Credential::generate(&mut rng),
        &CryptoChoice::Options(vec![1]),
        &mut rng,
    )
    .unwrap();
    // A ballot changed after it was signed.
    let mut modified = encrypt_ballot(
        &ctx,
        &credentials[&stranger],
        &CryptoChoice::Options(vec![0]),
        &mut rng,
    )
    .unwrap();
    modified.choices.swap(0, 1);
    for (what, ballot) in [
        ("unsigned", unsigned),
        ("forged", forged),
        ("modified", modified),
    ] {
        let r = sep7
            .cast_encrypted(stranger, id, "attack-0001", &ballot, None)
            .await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{what}: {r:?}");
    }
    // Another voter's ballot replayed: it is already in the box.
    let board = sep7.board(id).await.unwrap();
    let replay = sep7
        .cast_encrypted(stranger, id, "replay-0001", &board.ballots[0].ballot, None)
        .await;
    assert!(
        matches!(
            replay,
            Err(AppError::Conflict { .. } | AppError::Invalid(_))
        ),
        "{replay:?}"
    );
    assert_eq!(w.store.encrypted_box(id).await.unwrap().len(), before);
    assert_eq!(
        w.store.ballot_voter(id, stranger).await.unwrap(),
        Some(None),
        "still not voted"
    );

    // Whoever holds the database sees who voted when, and a ciphertext; nothing that opens
    // one. No trustee's share or identity secret, and no voter's credential, is stored.
    let raw = Raw::Sqlite(w.store.pool().clone());
    let rows = raw.every_row().await;
    let secrets: Vec<String> = trustees
        .iter()
        .flat_map(|t| {
            [
                hex::encode(t.secret.secret.0),
                hex::encode(t.key.as_ref().unwrap().share.0),
            ]
        })
        .chain(credentials.values().map(|c| hex::encode(c.to_bytes().0)))
        .collect();
    for (table, row) in &rows {
        for s in &secrets {
            assert!(
                !row.contains(s.as_str()),
                "a secret is stored in {table}: {row}"
            );
        }
        if table == "ballot_box" {
            assert!(!row.contains("v1:"), "no plaintext ballot: {row}");
        }
    }

    // The close: nothing is counted until the trustees decrypt.
    let sep20 = app_at(&w, at(2017, 9, 20, 10));
    sep20.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Closed
    );
    assert_eq!(
        sep20.warm_open_boards().await.unwrap(),
        0,
        "closed: no voter comes"
    );
    let closed = sep20.board(id).await.unwrap();
    let rows = closed.tally_rows().unwrap();
    let ctx = closed.context().unwrap();
    let share = |t: &Trustee, key: &TrusteeKey| {
        let _ = t;
        tally::decrypt_share(&ctx, key, &rows, &mut rand::rng()).unwrap()
    };
    // A share made with another trustee's key is refused.
    let mut wrong = share(&trustees[1], trustees[1].key.as_ref().unwrap());
    wrong.trustee = 1;
    let r = post(
        &sep20,
        trustees[0].member,
        id,
        1,
        BoardItemKind::Share,
        wrong.json(),
    )
    .await;
    assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    // One trustee alone decrypts nothing.
    post(
        &sep20,
        trustees[0].member,
        id,
        1,
        BoardItemKind::Share,
        share(&trustees[0], trustees[0].key.as_ref().unwrap()).json(),
    )
    .await
    .unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Closed
    );
    sep20.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Closed
    );
    // The second makes the tally, and the count follows.
    post(
        &sep20,
        trustees[2].member,
        id,
        3,
        BoardItemKind::Share,
        share(&trustees[2], trustees[2].key.as_ref().unwrap()).json(),
    )
    .await
    .unwrap();
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    let election = sep20.ballot_election(id).await.unwrap();
    let mut counted = [0u64; 3];
    for ballot in &election.ballots {
        counted[ballot.ranks[0][0].0 as usize] += ballot.weight;
    }
    assert_eq!(counted, expected);

    let published = sep20.published_ballots(id).await.unwrap();
    assert_eq!(
        published.len(),
        cast_count,
        "the totals, as that many ballots"
    );
    let board = sep20.board(id).await.unwrap();
    verify_board(&board).unwrap();
    // A third share after the tally is on the board changes nothing.
    let late = post(
        &sep20,
        trustees[1].member,
        id,
        2,
        BoardItemKind::Share,
        share(&trustees[1], trustees[1].key.as_ref().unwrap()).json(),
    )
    .await;
    assert!(matches!(late, Err(AppError::Conflict { .. })), "{late:?}");
}

/// The scrutineer's credentials for every voter, frozen on the board.
async fn freeze_credentials(
    app: &App,
    id: BallotId,
    scrutineer: MemberId,
    voters: &[MemberId],
) -> BTreeMap<MemberId, Credential> {
    let setup = app.ceremony(id).await.unwrap().setup;
    let mut rng = rand::rng();
    let credentials: BTreeMap<MemberId, Credential> = voters
        .iter()
        .map(|m| (*m, Credential::generate(&mut rng)))
        .collect();
    let list = CredentialList::new(
        &setup,
        credentials.values().map(Credential::public).collect(),
    )
    .unwrap();
    let actor = app.actor(scrutineer).await.unwrap();
    app.post_credentials(&actor, id, &list.json())
        .await
        .unwrap();
    credentials
}

#[tokio::test]
async fn a_sealed_election_is_shuffled_before_it_is_decrypted_and_counted_as_ever() {
    let (w, cast) = sealed_world().await;
    let (roll, voters) = roll(&w).await;
    let sep2 = app_at(&w, at(2017, 9, 2, 9));
    let secretary = sep2.actor(w.secretary).await.unwrap();
    let members = [
        w.secretary,
        cast.southwark_secretary,
        cast.havering_secretary,
    ];
    let id = sep2
        .create_ballot(
            &secretary,
            &BallotRequest {
                title: "Steering committee convenor".into(),
                question: "Elect the convenor.".into(),
                kind: "election".into(),
                decision_kind: None,
                candidates: vec!["Ada".into(), "Bea".into(), "Cy".into(), "Di".into()],
                seats: Some(1),
                roll: Some(RollId(roll)),
                opens_at: Some(at(2017, 9, 6, 9)),
                closes_at: Some(at(2017, 9, 20, 9)),
                trustees: members.to_vec(),
            },
        )
        .await
        .unwrap();
    let trustees = ceremony(&sep2, id, members).await;
    let credentials = freeze_credentials(&sep2, id, cast.scrutineer, &voters).await;
    let sep6 = app_at(&w, at(2017, 9, 6, 10));
    sep6.run_ballot_clock().await.unwrap();
    let ctx = sep6.board(id).await.unwrap().context().unwrap();
    let rankings: [&[u32]; 5] = [&[1, 0], &[1, 2, 3], &[0, 1], &[2, 1, 0, 3], &[1]];
    let mut rng = rand::rng();
    let sep7 = app_at(&w, at(2017, 9, 7, 9));
    for (i, (voter, ranking)) in voters.iter().zip(rankings).enumerate() {
        let ballot = encrypt_ballot(
            &ctx,
            &credentials[voter],
            &CryptoChoice::Ranking(ranking.to_vec()),
            &mut rng,
        )
        .unwrap();
        sep7.cast_encrypted(*voter, id, &format!("rank-{i:08}"), &ballot, None)
            .await
            .unwrap();
    }
    let sep20 = app_at(&w, at(2017, 9, 20, 10));
    sep20.run_ballot_clock().await.unwrap();
    assert_eq!(
        w.store.ballot(id).await.unwrap().unwrap().state,
        charter_domain::BallotState::Closed
    );

    // No share is taken before the shuffles: nothing still linked to a credential is opened.
    let early = sep20.board(id).await.unwrap();
    assert!(early.tally_rows().is_err());
    // A shuffle that drops a ballot is refused.
    let mut dropping = early.next_shuffle(&trustees[0].secret, &mut rng).unwrap();
    dropping.ciphertexts.pop();
    let r = post(
        &sep20,
        trustees[0].member,
        id,
        1,
        BoardItemKind::Shuffle,
        dropping.json(),
    )
    .await;
    assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
    // Trustees 1 and 3 shuffle in turn, each over the board as it stands.
    for t in [&trustees[0], &trustees[2]] {
        let board = sep20.board(id).await.unwrap();
        let shuffle = board.next_shuffle(&t.secret, &mut rng).unwrap();
        post(
            &sep20,
            t.member,
            id,
            t.index,
            BoardItemKind::Shuffle,
            shuffle.json(),
        )
        .await
        .unwrap();
    }
    let shuffled = sep20.board(id).await.unwrap();
    let rows = shuffled.tally_rows().unwrap();
    let ctx = shuffled.context().unwrap();
    for t in [&trustees[1], &trustees[2]] {
        let share = tally::decrypt_share(&ctx, t.key.as_ref().unwrap(), &rows, &mut rng).unwrap();
        post(
            &sep20,
            t.member,
            id,
            t.index,
            BoardItemKind::Share,
            share.json(),
        )
        .await
        .unwrap();
    }
    let b = w.store.ballot(id).await.unwrap().unwrap();
    assert_eq!(b.state, charter_domain::BallotState::Counted);
    // The rankings decrypted are the ones cast, in another order; counted by IRV as ever.
    let election = sep20.ballot_election(id).await.unwrap();
    let mut got: Vec<Vec<u32>> = election
        .ballots
        .iter()
        .flat_map(|x| {
            std::iter::repeat_n(
                x.ranks.iter().map(|r| r[0].0).collect::<Vec<_>>(),
                x.weight as usize,
            )
        })
        .collect();
    let mut want: Vec<Vec<u32>> = rankings.iter().map(|r| r.to_vec()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(
        b.outcome.unwrap_or_default().contains("Bea"),
        "Bea leads every count"
    );
    verify_board(&sep20.board(id).await.unwrap()).unwrap();
}
