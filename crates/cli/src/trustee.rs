//! `charter trustee …`: a trustee's part of an election, on their own machine, over files.
//!
//! The server publishes documents (the setup, everyone's identities and dealings, the board)
//! and accepts the ones these commands write (an identity, a dealing, a key report or
//! complaints, a shuffle, a decryption share), unchanged. The trustee's secrets never leave
//! the key file, sealed with a passphrase (Argon2id, XChaCha20-Poly1305), and no command
//! needs the database.
//!
//! What the key file holds, and when:
//! * `new` seals the identity secret (to receive shares, to shuffle, to complain);
//! * `deal` keeps nothing more: the random polynomial is thrown away once dealt, because the
//!   encrypted shares in the published dealing are all anyone needs from it, and a complaint
//!   is answered from the identity keys alone;
//! * `finish` adds the final key share `x_j`, which `decrypt` uses.

use std::ffi::OsString;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use charter_ballot_crypto::board::Board;
use charter_ballot_crypto::dkg::{
    Complaint, Dealing, IdentitySecret, TrusteeIdentity, combine_shares, complain, deal,
    new_identity, open_share, verify_identity,
};
use charter_ballot_crypto::documents::{
    Finished, Setup, dealing_slots, identity_key, key_report, verification_key,
};
use charter_ballot_crypto::keyfile::{KdfParams, KeyFile, TrusteeSecrets};
use charter_ballot_crypto::verify::{Failure, verify_board};
use charter_ballot_crypto::{DecryptionShare, ElectionParams, PointBytes, Shuffle};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::export_file::write_private;

/// Where scripts give the key file's passphrase; otherwise it is asked on the terminal.
pub const PASSPHRASE_ENV: &str = "CHARTER_TRUSTEE_PASSPHRASE";

/// The fewest characters of a new passphrase.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Why a trustee command stopped. Messages name the file or the trustee at fault and never
/// contain the passphrase or a secret.
#[derive(Debug, thiserror::Error)]
pub enum TrusteeError {
    #[error("could not read {}: {message}", .path.display())]
    Read { path: PathBuf, message: String },
    #[error("{} is not {what}: {message}", .path.display())]
    Parse {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("could not write {}: {message}", .path.display())]
    Write { path: PathBuf, message: String },
    #[error("the passphrase {0}")]
    Passphrase(String),
    #[error("could not read the passphrase from the terminal ({0}); set {PASSPHRASE_ENV} instead")]
    Terminal(std::io::Error),
    #[error("{}: wrong passphrase, or the key file was altered", .0.display())]
    WrongPassphrase(PathBuf),
    #[error("{0}")]
    Refused(String),
    #[error("{context}: {source}")]
    Crypto {
        context: String,
        source: charter_ballot_crypto::Error,
    },
    #[error("the board does not verify, so nothing was written: {0}")]
    Board(Failure),
}

type Result<T, E = TrusteeError> = std::result::Result<T, E>;

fn crypto(context: impl Into<String>) -> impl FnOnce(charter_ballot_crypto::Error) -> TrusteeError {
    let context = context.into();
    move |source| TrusteeError::Crypto { context, source }
}

fn refuse<T>(why: impl Into<String>) -> Result<T> {
    Err(TrusteeError::Refused(why.into()))
}

/// The passphrase from `from_env` when set, otherwise from `prompt`: asked twice when
/// `creating` a key file (and then at least [`MIN_PASSPHRASE_CHARS`] long), once to open one.
pub fn passphrase(
    from_env: Option<OsString>,
    prompt: &mut dyn FnMut(&str) -> std::io::Result<String>,
    creating: bool,
) -> Result<SecretString> {
    let text = match from_env {
        Some(raw) => raw.into_string().map_err(|_| {
            TrusteeError::Passphrase(format!("in {PASSPHRASE_ENV} is not valid Unicode"))
        })?,
        None if creating => {
            let first =
                prompt("Passphrase for the new key file: ").map_err(TrusteeError::Terminal)?;
            let again = prompt("The same passphrase again: ").map_err(TrusteeError::Terminal)?;
            if first != again {
                return Err(TrusteeError::Passphrase("typed twice differs".into()));
            }
            first
        }
        None => prompt("Passphrase of the key file: ").map_err(TrusteeError::Terminal)?,
    };
    if creating && text.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(TrusteeError::Passphrase(format!(
            "must have at least {MIN_PASSPHRASE_CHARS} characters"
        )));
    }
    if text.is_empty() {
        return Err(TrusteeError::Passphrase("is empty".into()));
    }
    Ok(SecretString::from(text))
}

fn read_json<T: DeserializeOwned>(path: &Path, what: &'static str) -> Result<T> {
    let file = std::fs::File::open(path).map_err(|e| TrusteeError::Read {
        path: path.into(),
        message: e.to_string(),
    })?;
    serde_json::from_reader(BufReader::new(file)).map_err(|e| TrusteeError::Parse {
        path: path.into(),
        what,
        message: e.to_string(),
    })
}

/// Writes `value` as pretty JSON, whole or not at all, readable by the owner only.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    write_private(path, |w: &mut dyn Write| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
    .map_err(|e| TrusteeError::Write {
        path: path.into(),
        message: e.to_string(),
    })
}

fn read_setup(path: &Path) -> Result<ElectionParams> {
    let setup: Setup = read_json(path, "an election setup")?;
    setup
        .check()
        .map_err(crypto(format!("{}", path.display())))
        .cloned()
}

struct Opened {
    file: KeyFile,
    secrets: TrusteeSecrets,
}

fn open_key(path: &Path, passphrase: &SecretString) -> Result<Opened> {
    let file: KeyFile = read_json(path, "a trustee key file")?;
    let secrets = match file.open(passphrase.expose_secret().as_bytes()) {
        Ok(s) => s,
        Err(charter_ballot_crypto::Error::Passphrase) => {
            return Err(TrusteeError::WrongPassphrase(path.into()));
        }
        Err(e) => return Err(crypto(format!("{}", path.display()))(e)),
    };
    Ok(Opened { file, secrets })
}

fn seal_key(
    path: &Path,
    secrets: &TrusteeSecrets,
    passphrase: &SecretString,
    kdf: KdfParams,
) -> Result<()> {
    let file = KeyFile::seal(
        secrets,
        passphrase.expose_secret().as_bytes(),
        kdf,
        &mut rand::rng(),
    )
    .map_err(crypto("sealing the key file"))?;
    write_json(path, &file)
}

fn same_election(secrets: &TrusteeSecrets, fingerprint: &[u8; 32], what: &str) -> Result<()> {
    if secrets.setup_fingerprint != *fingerprint {
        return refuse(format!(
            "the key file belongs to another election than {what} (setup fingerprints differ)"
        ));
    }
    Ok(())
}

fn own_key(secret: &IdentitySecret) -> Result<PointBytes> {
    identity_key(secret).map_err(crypto("the key file"))
}

/// Reads every trustee's identity, checks each proof (naming the trustee whose fails) and
/// that the list is `1..=n` with this trustee's own key in its place.
fn read_identities(
    path: &Path,
    params: &ElectionParams,
    me: &IdentitySecret,
) -> Result<Vec<TrusteeIdentity>> {
    let mut ids: Vec<TrusteeIdentity> = read_json(path, "a list of trustee identities")?;
    ids.sort_by_key(|id| id.index);
    for id in &ids {
        verify_identity(params, id).map_err(crypto(format!("trustee {}'s identity", id.index)))?;
    }
    for (i, id) in ids.iter().enumerate() {
        if id.index as usize != i + 1 {
            return refuse(format!(
                "{}: trustee {} is missing or listed twice",
                path.display(),
                i + 1
            ));
        }
    }
    if ids.len() != params.trustees as usize {
        return refuse(format!(
            "{}: {} identities for {} trustees",
            path.display(),
            ids.len(),
            params.trustees
        ));
    }
    let listed = me
        .index
        .checked_sub(1)
        .and_then(|i| ids.get(i as usize))
        .map(|id| id.key);
    if listed != Some(own_key(me)?) {
        return refuse(format!(
            "{}: trustee {}'s identity is not the one in the key file",
            path.display(),
            me.index
        ));
    }
    Ok(ids)
}

/// `charter trustee new`: makes trustee `index`'s identity, seals its secret into a new
/// `key_file` and writes the public identity (with its proof) to `out`.
pub fn new_trustee(
    setup: &Path,
    index: u32,
    key_file: &Path,
    out: &Path,
    passphrase: &SecretString,
) -> Result<TrusteeIdentity> {
    let params = read_setup(setup)?;
    if key_file.exists() {
        return refuse(format!(
            "{} already exists: a trustee's key file is never overwritten",
            key_file.display()
        ));
    }
    let (secret, identity) = new_identity(&params, index, &mut rand::rng())
        .map_err(crypto(format!("trustee {index}")))?;
    let secrets = TrusteeSecrets {
        setup_fingerprint: params.setup_fingerprint(),
        identity: secret,
        key: None,
    };
    // The identity first: if the key file cannot be written, running again starts afresh.
    write_json(out, &identity)?;
    seal_key(key_file, &secrets, passphrase, KdfParams::DEFAULT)?;
    Ok(identity)
}

/// `charter trustee deal`: checks every identity, then deals a share to each trustee and
/// writes the public dealing with the encrypted shares to `out`. The key file is not changed.
pub fn deal_shares(
    setup: &Path,
    key_file: &Path,
    identities: &Path,
    out: &Path,
    passphrase: &SecretString,
) -> Result<Dealing> {
    let params = read_setup(setup)?;
    let Opened { secrets, .. } = open_key(key_file, passphrase)?;
    same_election(&secrets, &params.setup_fingerprint(), "this setup")?;
    let ids = read_identities(identities, &params, &secrets.identity)?;
    let dealing = deal(&params, &secrets.identity, &ids, &mut rand::rng())
        .map_err(crypto("dealing the shares"))?;
    write_json(out, &dealing)?;
    Ok(dealing)
}

/// What `finish` found.
#[derive(Debug)]
pub struct FinishReport {
    /// The document written (a key report, or complaints).
    pub document: Finished,
    /// For each complaint: the dealer and what was wrong with its share.
    pub problems: Vec<(u32, String)>,
}

/// `charter trustee finish`: opens the share each dealing addressed to this trustee and
/// checks it against the dealer's commitments. Any bad share makes a complaint (written to
/// `out`, the key file unchanged); otherwise the final key share is sealed into the key file
/// and the keys computed from the commitments are written to `out`.
pub fn finish(
    setup: &Path,
    key_file: &Path,
    identities: &Path,
    dealings_file: &Path,
    out: &Path,
    passphrase: &SecretString,
) -> Result<FinishReport> {
    let params = read_setup(setup)?;
    let Opened { file, mut secrets } = open_key(key_file, passphrase)?;
    same_election(&secrets, &params.setup_fingerprint(), "this setup")?;
    let ids = read_identities(identities, &params, &secrets.identity)?;
    let dealings: Vec<Dealing> = read_json(dealings_file, "a list of dealings")?;
    dealing_slots(&params, &dealings).map_err(crypto(format!("{}", dealings_file.display())))?;
    if dealings.is_empty() {
        return refuse("there are no dealings to finish the key from");
    }
    let mut shares = Vec::with_capacity(dealings.len());
    let mut complaints: Vec<Complaint> = Vec::new();
    let mut problems = Vec::new();
    for d in &dealings {
        match open_share(&params, &secrets.identity, &ids, d) {
            Ok(s) => shares.push(s),
            Err(e) => {
                let c = complain(&params, &secrets.identity, &ids, d.dealer, &mut rand::rng())
                    .map_err(crypto(format!("complaining about trustee {}", d.dealer)))?;
                complaints.push(c);
                problems.push((d.dealer, e.to_string()));
            }
        }
    }
    if !complaints.is_empty() {
        let document = Finished::Complaints { complaints };
        write_json(out, &document)?;
        return Ok(FinishReport { document, problems });
    }
    let key = combine_shares(secrets.identity.index, &shares);
    let report =
        key_report(&params, &ids, &dealings, &key).map_err(crypto("checking the key share"))?;
    if secrets.key.as_ref().is_some_and(|k| *k != key) {
        return refuse(format!(
            "{} already holds another key share for this election; not replacing it",
            key_file.display()
        ));
    }
    secrets.key = Some(key);
    seal_key(key_file, &secrets, passphrase, file.kdf_params)?;
    let document = Finished::Key(report);
    write_json(out, &document)?;
    Ok(FinishReport { document, problems })
}

/// Reads a board and checks it is for the key file's election and lists the trustee's key.
fn board_for(path: &Path, secrets: &TrusteeSecrets) -> Result<Board> {
    let board: Board = read_json(path, "a bulletin board")?;
    same_election(secrets, &board.setup_fingerprint, "this board")?;
    let j = secrets.identity.index;
    let listed = j
        .checked_sub(1)
        .and_then(|i| board.trustees.get(i as usize))
        .map(|t| t.identity.key);
    if listed != Some(own_key(&secrets.identity)?) {
        return refuse(format!(
            "the board does not list this key file's identity as trustee {j}"
        ));
    }
    Ok(board)
}

/// `charter trustee shuffle`: verifies the board so far (ballots and every shuffle on it),
/// then shuffles the last rows in turn and writes the shuffle to `out`. Ranked ballots only.
pub fn shuffle(
    key_file: &Path,
    board: &Path,
    out: &Path,
    passphrase: &SecretString,
) -> Result<Shuffle> {
    let Opened { secrets, .. } = open_key(key_file, passphrase)?;
    let board = board_for(board, &secrets)?;
    if board.election.kind.is_homomorphic() {
        return refuse("only ranked ballots are shuffled; this election is added up instead");
    }
    if board.tally.is_some() {
        return refuse("the board already has its result");
    }
    verify_board(&board).map_err(TrusteeError::Board)?;
    let me = secrets.identity.index;
    if let Some(last) = board.shuffles.last().filter(|s| s.trustee >= me) {
        return refuse(format!(
            "trustees shuffle once each in increasing order, and trustee {} has shuffled already",
            last.trustee
        ));
    }
    let shuffle = board
        .next_shuffle(&secrets.identity, &mut rand::rng())
        .map_err(crypto("shuffling"))?;
    write_json(out, &shuffle)?;
    Ok(shuffle)
}

/// `charter trustee decrypt`: verifies the whole board first (every ballot, every shuffle)
/// and refuses a ranked board with fewer than `t` shuffles, so that no ballot still linked to
/// a credential is ever decrypted; then writes this trustee's decryption share with proofs.
pub fn decrypt(
    key_file: &Path,
    board: &Path,
    out: &Path,
    passphrase: &SecretString,
) -> Result<DecryptionShare> {
    let Opened { secrets, .. } = open_key(key_file, passphrase)?;
    let Some(key) = secrets.key.as_ref() else {
        return refuse(format!(
            "{} holds no key share yet: run `charter trustee finish` first",
            key_file.display()
        ));
    };
    let board = board_for(board, &secrets)?;
    if board.tally.is_some() {
        return refuse("the board already has its result");
    }
    verify_board(&board).map_err(TrusteeError::Board)?;
    let t = board.election.threshold as usize;
    if !board.election.kind.is_homomorphic() && board.shuffles.len() < t {
        return refuse(format!(
            "ranked ballots are decrypted only after at least {t} shuffles and the board has {}: \
             decrypting now could link a ranking to its voter",
            board.shuffles.len()
        ));
    }
    let vk = verification_key(key).map_err(crypto("the key file"))?;
    let listed = key
        .index
        .checked_sub(1)
        .and_then(|i| board.trustees.get(i as usize))
        .map(|t| t.verification_key);
    if listed != Some(vk) {
        return refuse(format!(
            "the key share in {} does not match trustee {}'s verification key on the board",
            key_file.display(),
            key.index
        ));
    }
    let ctx = board.context().map_err(crypto("the board"))?;
    let rows = board.tally_rows().map_err(crypto("the board"))?;
    let share = charter_ballot_crypto::decrypt_share(&ctx, key, &rows, &mut rand::rng())
        .map_err(crypto("decrypting"))?;
    write_json(out, &share)?;
    Ok(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> std::io::Result<String> {
        Err(std::io::Error::other("must not prompt"))
    }

    #[test]
    fn the_environment_passphrase_is_checked_when_creating() {
        assert!(passphrase(Some("twelve chars".into()), &mut never, true).is_ok());
        let err = passphrase(Some("short".into()), &mut never, true).unwrap_err();
        assert!(err.to_string().contains("12 characters"), "{err}");
        assert!(!err.to_string().contains("short"), "{err}");
        assert!(passphrase(Some("short".into()), &mut never, false).is_ok());
    }

    fn setup(dir: &Path, id: &str) -> PathBuf {
        let params = ElectionParams {
            id: id.into(),
            kind: charter_ballot_crypto::QuestionKind::Question,
            options: 3,
            min: 1,
            max: 1,
            trustees: 1,
            threshold: 1,
        };
        let path = dir.join(format!("{id}.json"));
        write_json(&path, &Setup::new(params).unwrap()).unwrap();
        path
    }

    #[test]
    fn a_key_file_is_used_only_for_its_election_and_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("a long passphrase");
        let (ours, other) = (setup(dir.path(), "b1"), setup(dir.path(), "b2"));
        let key = dir.path().join("key.json");
        let id = dir.path().join("id.json");
        new_trustee(&ours, 1, &key, &id, &pass).unwrap();
        let ids = dir.path().join("ids.json");
        write_json(&ids, &vec![read_json::<TrusteeIdentity>(&id, "").unwrap()]).unwrap();
        let out = dir.path().join("dealing.json");
        let err = deal_shares(&other, &key, &ids, &out, &pass).unwrap_err();
        assert!(err.to_string().contains("another election"), "{err}");
        assert!(!out.exists());
        let err = new_trustee(&ours, 2, &dir.path().join("k2.json"), &id, &pass).unwrap_err();
        assert!(err.to_string().contains("not in 1..=1"), "{err}");
        // A board is never decrypted with a key file whose ceremony is not finished.
        let err = decrypt(&key, &dir.path().join("board.json"), &out, &pass).unwrap_err();
        assert!(err.to_string().contains("trustee finish"), "{err}");
        let dealing = deal_shares(&ours, &key, &ids, &out, &pass).unwrap();
        write_json(&dir.path().join("dealings.json"), &vec![dealing]).unwrap();
        let report = finish(
            &ours,
            &key,
            &ids,
            &dir.path().join("dealings.json"),
            &dir.path().join("report.json"),
            &pass,
        )
        .unwrap();
        assert!(matches!(report.document, Finished::Key(_)));
    }

    #[test]
    fn a_new_passphrase_is_typed_twice() {
        let mut answers = vec!["another long one", "a long passphrase"];
        let err = passphrase(None, &mut |_| Ok(answers.pop().unwrap().into()), true).unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
        let err = passphrase(None, &mut never, false).unwrap_err();
        assert!(err.to_string().contains(PASSPHRASE_ENV), "{err}");
    }
}
