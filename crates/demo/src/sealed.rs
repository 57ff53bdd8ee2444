//! The demo's sealed (verifiable) ballots, run the whole way in-process through the app's use
//! cases, as the trustees and the scrutineer would from their own machines: each trustee's
//! key ceremony documents posted as that trustee, one credential per voter made by the
//! scrutineer and frozen before voting opens, encrypted votes signed by those credentials,
//! and after close the trustees' shuffles (ranked ballots) and decryption shares, from which
//! the app tallies and counts. The secrets of the ballot still open (every voter's private
//! credential and the trustees' key files) are kept so that `charter demo` can write them
//! beside its database for a newcomer to vote, and to play trustee, with.

use std::io::Write;
use std::path::{Path, PathBuf};

use charter_app::App;
use charter_ballot_crypto::dkg::{Dealing, deal, finish_key, new_identity};
use charter_ballot_crypto::documents::{Finished, key_report};
use charter_ballot_crypto::keyfile::{KdfParams, KeyFile, TrusteeSecrets};
use charter_ballot_crypto::{
    Choice as CryptoChoice, Credential, CredentialList, ElectionContext, Setup, decrypt_share,
    encrypt_ballot,
};
use charter_domain::{Actor, MemberId};
use charter_model::BallotId;
use charter_store::BoardItemKind;
use serde::Serialize;

use crate::ballots::{BallotsStoryError, err};

/// The passphrase of the demo trustees' key files, printed by `charter demo` (a real
/// trustee's is their own, and never printed).
pub const TRUSTEE_PASSPHRASE: &str = "demo-trustee-passphrase";

/// The folder, under the demo's data directory, of the open sealed ballot's secrets.
pub const SECRETS_DIR: &str = "sealed-ballot";

fn crypto(step: &'static str) -> impl Fn(charter_ballot_crypto::Error) -> BallotsStoryError {
    move |e| BallotsStoryError::Crypto {
        step,
        message: e.to_string(),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, BallotsStoryError> {
    serde_json::to_string(value).map_err(|e| BallotsStoryError::Crypto {
        step: "writing a board document",
        message: e.to_string(),
    })
}

/// One trustee's secrets once the ceremony is over: what their key file seals.
#[derive(Clone)]
pub struct DemoTrustee {
    pub index: u32,
    pub member: MemberId,
    pub name: String,
    pub secrets: TrusteeSecrets,
}

/// One voter's private credential, as the scrutineer's letter gives it.
#[derive(Clone)]
pub struct DemoCredential {
    pub member: MemberId,
    pub name: String,
    pub email: String,
    pub credential: Credential,
}

impl DemoCredential {
    /// The secret as the voter pastes it: 64 hex digits.
    pub fn hex(&self) -> String {
        hex::encode(self.credential.to_bytes().0)
    }
}

/// A sealed ballot whose ceremony is over, with the secrets the demo simulated for it.
#[derive(Clone)]
pub struct SealedBallot {
    pub id: BallotId,
    pub title: String,
    pub setup: Setup,
    pub trustees: Vec<DemoTrustee>,
    pub credentials: Vec<DemoCredential>,
}

impl SealedBallot {
    /// `member`'s private credential for this ballot.
    pub fn credential_of(&self, member: MemberId) -> Option<&DemoCredential> {
        self.credentials.iter().find(|c| c.member == member)
    }

    /// Writes the secrets a newcomer needs under `dir` (a new folder, [`SECRETS_DIR`] under
    /// the demo's data directory): `credentials/MEMBER_ID.json` per voter and
    /// `credentials/letters.csv` as `charter credentials generate` writes them, each
    /// trustee's key file sealed with [`TRUSTEE_PASSPHRASE`] as `charter trustee finish`
    /// leaves it, and a README saying what to do with them. Returns the README's path.
    pub fn write_secrets(&self, dir: &Path) -> std::io::Result<PathBuf> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        let credentials = dir.join("credentials");
        let trustees = dir.join("trustees");
        std::fs::create_dir_all(&credentials)?;
        std::fs::create_dir_all(&trustees)?;
        let mut letters =
            std::io::BufWriter::new(std::fs::File::create(credentials.join("letters.csv"))?);
        writeln!(letters, "member_id,name,email,credential")?;
        for c in &self.credentials {
            let credential = c.credential.to_bytes();
            let file = serde_json::json!({
                "election": self.setup.election.id,
                "setup_fingerprint": hex::encode(self.setup.setup_fingerprint),
                "member_id": c.member.0.to_string(),
                "credential": credential,
                "public": c.credential.public(),
            });
            std::fs::write(
                credentials.join(format!("{}.json", c.member.0)),
                serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?,
            )?;
            writeln!(
                letters,
                "{},\"{}\",{},{}",
                c.member.0,
                c.name.replace('"', "\"\""),
                c.email,
                c.hex()
            )?;
        }
        letters.flush()?;
        // The key files are sealed as a real trustee's are (Argon2id at its default cost),
        // one thread each: a seal is a large part of a second of one core.
        let sealed: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
            let jobs: Vec<_> = self
                .trustees
                .iter()
                .map(|t| {
                    let path = trustees.join(format!("trustee-{}.key.json", t.index));
                    scope.spawn(move || {
                        let file = KeyFile::seal(
                            &t.secrets,
                            TRUSTEE_PASSPHRASE.as_bytes(),
                            KdfParams::DEFAULT,
                            &mut rand::rng(),
                        )
                        .map_err(std::io::Error::other)?;
                        std::fs::write(
                            path,
                            serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?,
                        )
                    })
                })
                .collect();
            jobs.into_iter()
                .map(|j| {
                    j.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("sealing panicked")))
                })
                .collect()
        });
        sealed.into_iter().collect::<std::io::Result<Vec<()>>>()?;
        let readme = dir.join("README.txt");
        std::fs::write(&readme, self.readme())?;
        Ok(readme)
    }

    fn readme(&self) -> String {
        let trustees: String = self
            .trustees
            .iter()
            .map(|t| {
                format!(
                    "  trustees/trustee-{}.key.json  trustee {}, {}\n",
                    t.index, t.index, t.name
                )
            })
            .collect();
        format!(
            "The demo's sealed ballot still open: \"{title}\" (ballot {id}).\n\
             \n\
             These are the secrets the demo simulated for it. In a real organisation each\n\
             voter's credential reaches only that voter, in the scrutineer's letter, and each\n\
             trustee's key file never leaves the trustee's own machine.\n\
             \n\
             credentials/letters.csv       every voter's private credential (64 hex digits)\n\
             credentials/MEMBER_ID.json    the same, one file per voter\n\
             {trustees}\
             \n\
             To vote: sign in as the demo member, open the ballot and paste your credential\n\
             (printed by `charter demo`, and in letters.csv on the demo member's line).\n\
             \n\
             To play trustee once voting has closed: save the ballot's board,\n\
             \n\
             \x20 curl -o board.json http://127.0.0.1:8080/api/v1/ballots/{id}/board\n\
             (the address `charter demo` printed, if you gave it another)\n\
             \n\
             then, for any {t} of the {n} trustees, with the key files' passphrase\n\
             \n\
             \x20 CHARTER_TRUSTEE_PASSPHRASE={pass} \\\n\
             \x20   charter trustee decrypt --key-file trustees/trustee-1.key.json \\\n\
             \x20   --board board.json --out share-1.json\n\
             \n\
             The command verifies the whole board before it writes the trustee's decryption\n\
             share. Anyone can verify a board with\n\
             \n\
             \x20 charter verify ballot http://127.0.0.1:8080/api/v1/ballots/{id}/board\n",
            title = self.title,
            id = self.id,
            t = self.setup.election.threshold,
            n = self.setup.election.trustees,
            pass = TRUSTEE_PASSPHRASE,
        )
    }
}

async fn post(
    app: &App,
    actor: &Actor,
    id: BallotId,
    index: u32,
    kind: BoardItemKind,
    body: String,
) -> Result<(), BallotsStoryError> {
    app.post_trustee_document(actor, id, index, kind, &body)
        .await
        .map_err(err("posting a trustee's document"))
}

/// The key ceremony of ballot `id`, each trustee posting their own documents in turn
/// (identity, dealing, report), then the scrutineer's credentials for `voters`, frozen.
pub async fn ceremony(
    app: &App,
    id: BallotId,
    trustees: &[MemberId],
    scrutineer: MemberId,
    voters: &[MemberId],
) -> Result<SealedBallot, BallotsStoryError> {
    let c = app.ceremony(id).await.map_err(err("reading a ceremony"))?;
    let title = app
        .store()
        .ballot(id)
        .await
        .map_err(|e| err("reading a sealed ballot")(e.into()))?
        .map(|b| b.title)
        .unwrap_or_default();
    let setup = c.setup.clone();
    let params = &setup.election;
    let rng = &mut rand::rng();
    let mut actors = Vec::new();
    for m in trustees {
        actors.push(app.actor(*m).await.map_err(err("reading a trustee"))?);
    }
    let mut secrets = Vec::new();
    let mut identities = Vec::new();
    for (i, actor) in actors.iter().enumerate() {
        let j = i as u32 + 1;
        let (secret, identity) =
            new_identity(params, j, rng).map_err(crypto("making a trustee's identity"))?;
        post(
            app,
            actor,
            id,
            j,
            BoardItemKind::Identity,
            to_json(&identity)?,
        )
        .await?;
        secrets.push(secret);
        identities.push(identity);
    }
    let mut dealings: Vec<Dealing> = Vec::new();
    for (i, actor) in actors.iter().enumerate() {
        let dealing = deal(params, &secrets[i], &identities, rng).map_err(crypto("dealing"))?;
        post(
            app,
            actor,
            id,
            dealing.dealer,
            BoardItemKind::Dealing,
            to_json(&dealing)?,
        )
        .await?;
        dealings.push(dealing);
    }
    let qualified: Vec<&Dealing> = dealings.iter().collect();
    let mut out = Vec::new();
    for (i, actor) in actors.iter().enumerate() {
        let key = finish_key(params, &secrets[i], &identities, &qualified)
            .map_err(crypto("finishing a trustee's key"))?;
        let report = key_report(params, &identities, &dealings, &key)
            .map_err(crypto("reporting a trustee's keys"))?;
        post(
            app,
            actor,
            id,
            key.index,
            BoardItemKind::Report,
            to_json(&Finished::Key(report))?,
        )
        .await?;
        out.push(DemoTrustee {
            index: key.index,
            member: actor.member,
            name: String::new(),
            secrets: TrusteeSecrets {
                setup_fingerprint: setup.setup_fingerprint,
                identity: secrets[i].clone(),
                key: Some(key),
            },
        });
    }
    let names = app
        .store()
        .member_contacts(trustees)
        .await
        .map_err(|e| err("reading the trustees")(e.into()))?;
    for t in &mut out {
        if let Some((_, name, _)) = names.iter().find(|(m, _, _)| *m == t.member) {
            t.name = name.clone();
        }
    }

    // The scrutineer makes one credential per voter and freezes their public halves.
    let contacts = app
        .store()
        .member_contacts(voters)
        .await
        .map_err(|e| err("reading the voters")(e.into()))?;
    let credentials: Vec<DemoCredential> = contacts
        .into_iter()
        .map(|(member, name, email)| DemoCredential {
            member,
            name,
            email,
            credential: Credential::generate(rng),
        })
        .collect();
    let list = CredentialList::new(
        &setup,
        credentials.iter().map(|c| c.credential.public()).collect(),
    )
    .map_err(crypto("listing the credentials"))?;
    let officer = app
        .actor(scrutineer)
        .await
        .map_err(err("reading the scrutineer"))?;
    app.post_credentials(&officer, id, &to_json(&list)?)
        .await
        .map_err(err("freezing the credentials"))?;
    Ok(SealedBallot {
        id,
        title,
        setup,
        trustees: out,
        credentials,
    })
}

/// What a voter's device reads from the board before encrypting: fixed once voting opens.
pub(crate) async fn voting_context(
    app: &App,
    ballot: &SealedBallot,
) -> Result<ElectionContext, BallotsStoryError> {
    app.board(ballot.id)
        .await
        .map_err(err("reading a board"))?
        .context()
        .map_err(crypto("reading a board"))
}

/// Casts `voter`'s encrypted `choice` (option indexes, or a ranking) with their credential.
pub(crate) async fn vote(
    app: &App,
    ballot: &SealedBallot,
    ctx: &ElectionContext,
    voter: MemberId,
    submission: &str,
    ranks: Vec<u32>,
) -> Result<(), BallotsStoryError> {
    let Some(c) = ballot.credential_of(voter) else {
        return Err(BallotsStoryError::Missing("a voter's credential"));
    };
    let choice = if ballot.setup.election.kind.is_homomorphic() {
        CryptoChoice::Options(ranks)
    } else {
        CryptoChoice::Ranking(ranks)
    };
    let encrypted = encrypt_ballot(ctx, &c.credential, &choice, &mut rand::rng())
        .map_err(crypto("encrypting a ballot"))?;
    app.cast_encrypted(voter, ballot.id, submission, &encrypted, None)
        .await
        .map_err(err("casting an encrypted ballot"))?;
    Ok(())
}

/// After close: the first `t` trustees shuffle (ranked ballots), then decrypt; the last
/// share needed makes the app tally and count the ballot.
pub async fn open_result(app: &App, ballot: &SealedBallot) -> Result<(), BallotsStoryError> {
    let t = ballot.setup.election.threshold as usize;
    let rng = &mut rand::rng();
    let mut actors = Vec::new();
    for trustee in ballot.trustees.iter().take(t) {
        actors.push(
            app.actor(trustee.member)
                .await
                .map_err(err("reading a trustee"))?,
        );
    }
    if !ballot.setup.election.kind.is_homomorphic() {
        for (trustee, actor) in ballot.trustees.iter().zip(&actors) {
            let board = app.board(ballot.id).await.map_err(err("reading a board"))?;
            let shuffle = board
                .next_shuffle(&trustee.secrets.identity, rng)
                .map_err(crypto("shuffling"))?;
            post(
                app,
                actor,
                ballot.id,
                trustee.index,
                BoardItemKind::Shuffle,
                to_json(&shuffle)?,
            )
            .await?;
        }
    }
    let board = app.board(ballot.id).await.map_err(err("reading a board"))?;
    let ctx = board.context().map_err(crypto("reading a board"))?;
    let rows = board.tally_rows().map_err(crypto("reading a board"))?;
    for (trustee, actor) in ballot.trustees.iter().zip(&actors) {
        let Some(key) = &trustee.secrets.key else {
            return Err(BallotsStoryError::Missing("a trustee's key share"));
        };
        let share = decrypt_share(&ctx, key, &rows, rng).map_err(crypto("decrypting"))?;
        post(
            app,
            actor,
            ballot.id,
            trustee.index,
            BoardItemKind::Share,
            to_json(&share)?,
        )
        .await?;
    }
    Ok(())
}
