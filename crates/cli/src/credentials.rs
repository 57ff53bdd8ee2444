//! `charter credentials generate`: the credential authority (the scrutineer), not the
//! server, makes each voter's signing credential.
//!
//! From the roll (a CSV file with the header `member_id,name,email`) it writes:
//! * the public list of credentials (`CredentialList` JSON), sorted so that it reveals
//!   nothing of the roll's order: the server freezes it on the board before voting opens;
//! * in a new private directory (0700 on Unix), one file per voter, `MEMBER_ID.json`
//!   ([`PrivateCredential`], 0600 on Unix), and `letters.csv` (`member_id,name,email,credential`)
//!   from which the authority mails each voter their credential itself.
//!
//! The server never sees a private credential, and cannot tell which public credential is
//! whose.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use charter_ballot_crypto::documents::{CredentialList, Setup};
use charter_ballot_crypto::encoding::hex32;
use charter_ballot_crypto::{Credential, PointBytes, ScalarBytes};
use serde::{Deserialize, Serialize};

use crate::export_file::write_private;

/// The roll's columns, in this order, as its header.
pub const ROLL_COLUMNS: [&str; 3] = ["member_id", "name", "email"];

/// The name of the letters file in the private directory.
pub const LETTERS_FILE: &str = "letters.csv";

/// Longest member id: it names a file.
const MAX_MEMBER_ID: usize = 64;

/// Why credentials were not made. Nothing public is written when this happens.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("could not read {}: {message}", .path.display())]
    Read { path: PathBuf, message: String },
    #[error("{}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("the roll, line {line}: {message}")]
    Roll { line: u64, message: String },
    #[error("could not write {}: {message}", .path.display())]
    Write { path: PathBuf, message: String },
}

type Result<T, E = CredentialError> = std::result::Result<T, E>;

/// One voter of the roll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voter {
    /// The member's id: letters, digits, `-` and `_`, at most 64.
    pub member_id: String,
    /// The member's name, for the letter.
    pub name: String,
    /// Where the letter goes.
    pub email: String,
}

/// A voter's private credential file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateCredential {
    /// The election's id.
    pub election: String,
    /// The election's setup fingerprint.
    #[serde(with = "hex32")]
    pub setup_fingerprint: [u8; 32],
    /// The voter's member id.
    pub member_id: String,
    /// The secret credential `s` (64 hex digits): give it to this voter only.
    pub credential: ScalarBytes,
    /// The public credential `S = s·G`, as on the list.
    pub public: PointBytes,
}

/// What `generate` made.
#[derive(Debug)]
pub struct Generated {
    /// Number of credentials.
    pub voters: usize,
    /// The letters file.
    pub letters: PathBuf,
}

fn valid_member_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_MEMBER_ID
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads a roll: the header `member_id,name,email`, then one voter a line. Refuses a
/// missing value, a member id that is not letters, digits, `-` or `_`, and any member id
/// listed twice, naming the line.
pub fn read_roll(reader: impl Read) -> Result<Vec<Voter>> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = csv.headers().map_err(|e| CredentialError::Roll {
        line: 1,
        message: e.to_string(),
    })?;
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if names != ROLL_COLUMNS {
        return Err(CredentialError::Roll {
            line: 1,
            message: format!(
                "the header must be `{}`, not `{}`",
                ROLL_COLUMNS.join(","),
                names.join(",")
            ),
        });
    }
    let mut voters = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|e| CredentialError::Roll {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |message: String| CredentialError::Roll { line, message };
        let cell = |i: usize| record.get(i).unwrap_or("").to_string();
        let (member_id, name, email) = (cell(0), cell(1), cell(2));
        if !valid_member_id(&member_id) {
            return Err(bad(format!(
                "member id `{member_id}` must be 1 to {MAX_MEMBER_ID} letters, digits, `-` or `_`"
            )));
        }
        if !email.contains('@') {
            return Err(bad(format!("member {member_id} has no email address")));
        }
        if let Some(first) = seen.insert(member_id.clone(), line) {
            return Err(bad(format!(
                "member id {member_id} is listed twice (first on line {first})"
            )));
        }
        voters.push(Voter {
            member_id,
            name,
            email,
        });
    }
    if voters.is_empty() {
        return Err(CredentialError::Roll {
            line: 1,
            message: "the roll has no voters".into(),
        });
    }
    Ok(voters)
}

/// Creates `dir` owner-only, refusing one that already holds files: credentials made twice
/// would leave letters in the post that no longer work.
fn private_dir(dir: &Path) -> Result<()> {
    let fail = |message: String| CredentialError::Write {
        path: dir.into(),
        message,
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| fail(e.to_string()))?;
        if entries.next().is_some() {
            return Err(fail(
                "the directory is not empty: give a new one for new credentials".into(),
            ));
        }
    } else {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(|e| fail(e.to_string()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

/// Writes a new file readable and writable by its owner only.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| CredentialError::Write {
            path: path.into(),
            message: e.to_string(),
        })
}

/// `charter credentials generate`: one credential per voter of `roll`, the private files in
/// `private`, the public list at `public`. `show_progress` draws a bar on the terminal.
pub fn generate(
    setup: &Path,
    roll: &Path,
    public: &Path,
    private: &Path,
    show_progress: bool,
) -> Result<Generated> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| CredentialError::Read {
            path: path.into(),
            message: e.to_string(),
        })
    };
    let setup_doc: Setup =
        serde_json::from_slice(&read(setup)?).map_err(|e| CredentialError::Invalid {
            path: setup.into(),
            message: format!("not an election setup: {e}"),
        })?;
    setup_doc.check().map_err(|e| CredentialError::Invalid {
        path: setup.into(),
        message: e.to_string(),
    })?;
    let voters = read_roll(read(roll)?.as_slice())?;
    private_dir(private)?;
    let bar = if show_progress {
        crate::progress::progress_bar(voters.len() as u64, "credentials")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut rng = rand::rng();
    let mut publics = Vec::with_capacity(voters.len());
    let mut letters = csv::Writer::from_writer(Vec::new());
    let letters_err = |e: csv::Error| CredentialError::Write {
        path: private.join(LETTERS_FILE),
        message: e.to_string(),
    };
    letters
        .write_record(["member_id", "name", "email", "credential"])
        .map_err(letters_err)?;
    for v in &voters {
        let credential = Credential::generate(&mut rng);
        let file = PrivateCredential {
            election: setup_doc.election.id.clone(),
            setup_fingerprint: setup_doc.setup_fingerprint,
            member_id: v.member_id.clone(),
            credential: credential.to_bytes(),
            public: credential.public(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| CredentialError::Write {
            path: private.into(),
            message: e.to_string(),
        })?;
        write_new_private(&private.join(format!("{}.json", v.member_id)), &json)?;
        let secret = hex::encode(credential.to_bytes().0);
        letters
            .write_record([&v.member_id, &v.name, &v.email, &secret])
            .map_err(letters_err)?;
        publics.push(file.public);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let letters_path = private.join(LETTERS_FILE);
    let bytes = letters.into_inner().map_err(|e| CredentialError::Write {
        path: letters_path.clone(),
        message: e.to_string(),
    })?;
    write_private(&letters_path, |w: &mut dyn Write| w.write_all(&bytes)).map_err(|e| {
        CredentialError::Write {
            path: letters_path.clone(),
            message: e.to_string(),
        }
    })?;
    let list = CredentialList::new(&setup_doc, publics).map_err(|e| CredentialError::Invalid {
        path: public.into(),
        message: e.to_string(),
    })?;
    let mut json = serde_json::to_vec_pretty(&list).map_err(|e| CredentialError::Write {
        path: public.into(),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    std::fs::write(public, json).map_err(|e| CredentialError::Write {
        path: public.into(),
        message: e.to_string(),
    })?;
    Ok(Generated {
        voters: voters.len(),
        letters: letters_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roll_is_read_and_checked_by_line() {
        let roll =
            "member_id,name,email\n7,Ada Lovelace,ada@example.org\nm-8,\"Bee, B\",b@example.org\n";
        let voters = read_roll(roll.as_bytes()).unwrap();
        assert_eq!(voters.len(), 2);
        assert_eq!(voters[1].name, "Bee, B");

        let twice = "member_id,name,email\n7,A,a@x.org\n8,B,b@x.org\n7,C,c@x.org\n";
        let err = read_roll(twice.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("line 4") && err.contains("line 2"), "{err}");

        let bad_id = "member_id,name,email\n../etc,A,a@x.org\n";
        let err = read_roll(bad_id.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("../etc"), "{err}");

        let header = "id,name,email\n7,A,a@x.org\n";
        let err = read_roll(header.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("member_id,name,email"), "{err}");

        let no_email = "member_id,name,email\n7,A,\n";
        let err = read_roll(no_email.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("no email"), "{err}");

        assert!(read_roll("member_id,name,email\n".as_bytes()).is_err());
    }
}
