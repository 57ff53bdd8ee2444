//! The bulletin board: one self-contained JSON document with everything needed to verify an
//! election, and the functions that build it step by step.

use crate::ballot::{ElectionContext, EncryptedBallot, verify_ballot};
use crate::dkg::{IdentitySecret, PublicDealing, TrusteeIdentity, election_key, verification_keys};
use crate::elgamal::{Ciphertext, CiphertextBytes};
use crate::encoding::{PointBytes, Transcript, hex32, tags};
use crate::error::{Error, Result};
use crate::params::ElectionParams;
use crate::shuffle::{Shuffle, shuffle, verify_chain, verify_shuffle};
use crate::tally::{
    DecryptionShare, Outcome, combine, outcome, read_plaintexts, verify_decryption_share,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The board format version this crate writes and verifies.
pub const BOARD_VERSION: u32 = 1;

/// The bulletin board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// Always [`BOARD_VERSION`].
    pub version: u32,
    /// The election parameters.
    pub election: ElectionParams,
    /// [`ElectionParams::setup_fingerprint`].
    #[serde(with = "hex32")]
    pub setup_fingerprint: [u8; 32],
    /// [`election_fingerprint`].
    #[serde(with = "hex32")]
    pub fingerprint: [u8; 32],
    /// The trustees, numbered `1..=n` in order.
    pub trustees: Vec<BoardTrustee>,
    /// The election public key `Y`.
    pub public_key: PointBytes,
    /// The frozen list of public credentials.
    pub credentials: Vec<PointBytes>,
    /// Every ballot accepted, in order of arrival.
    pub ballots: Vec<BoardBallot>,
    /// Ranked elections: the chain of verifiable shuffles of the counted ballots, one per
    /// shuffling trustee in increasing order; empty for the homomorphic kinds.
    #[serde(default)]
    pub shuffles: Vec<Shuffle>,
    /// After the close: the tally, decryption shares and result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<BoardTally>,
}

/// A trustee's public data on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardTrustee {
    /// Identity key and its proof.
    pub identity: TrusteeIdentity,
    /// Commitments and constant-term proof; `null` if the trustee's dealing was disqualified.
    pub dealing: Option<PublicDealing>,
    /// `VK_j`, computable by anyone from the commitments.
    pub verification_key: PointBytes,
}

/// A ballot on the board with its tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardBallot {
    /// SHA-256 of the ballot's canonical encoding.
    #[serde(with = "hex32")]
    pub tracker: [u8; 32],
    /// The ballot.
    pub ballot: EncryptedBallot,
}

/// The tally section, written when the election closes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardTally {
    /// Rows of ciphertexts to decrypt: one row of per-option sums (homomorphic kinds), or the
    /// last shuffle's output rows (ranked).
    pub ciphertexts: Vec<Vec<CiphertextBytes>>,
    /// At least `t` trustees' decryption shares.
    pub shares: Vec<DecryptionShare>,
    /// The decrypted values, same shape; `null` where a ranked entry is outside `0..=n`.
    pub plaintexts: Vec<Vec<Option<u64>>>,
    /// The result read from the plaintexts.
    pub outcome: Outcome,
}

/// `SHA-256(enc("charter/v1/fingerprint", [setup fingerprint, u64 n, per trustee: u64 index,
/// Z, u64 number of commitments (0 if disqualified), C_0…; Y, u64 number of credentials,
/// credentials…]))`.
pub fn election_fingerprint(
    params: &ElectionParams,
    trustees: &[BoardTrustee],
    public_key: &PointBytes,
    credentials: &[PointBytes],
) -> [u8; 32] {
    let mut t = Transcript::new(tags::FINGERPRINT);
    t.part(&params.setup_fingerprint())
        .u64(trustees.len() as u64);
    for tr in trustees {
        t.u64(tr.identity.index.into()).point(&tr.identity.key);
        let commitments = tr.dealing.as_ref().map_or(&[][..], |d| &d.commitments[..]);
        t.u64(commitments.len() as u64);
        for c in commitments {
            t.point(c);
        }
    }
    t.point(public_key).u64(credentials.len() as u64);
    for c in credentials {
        t.point(c);
    }
    t.sha256()
}

/// Indices (into `ballots`) of the counted ballots: for each credential, its last ballot.
pub fn counted_ballots(ballots: &[BoardBallot]) -> Vec<usize> {
    let mut last: HashMap<Option<PointBytes>, usize> = HashMap::new();
    for (i, b) in ballots.iter().enumerate() {
        last.insert(b.ballot.credential, i);
    }
    let mut out: Vec<usize> = last.into_values().collect();
    out.sort_unstable();
    out
}

/// The rows made from the counted ballots: one row of per-option sums (homomorphic kinds),
/// or each counted ballot's ciphertexts in board order (ranked: the first shuffle's input).
pub fn counted_rows(
    params: &ElectionParams,
    ballots: &[BoardBallot],
) -> Result<Vec<Vec<CiphertextBytes>>> {
    let counted = counted_ballots(ballots);
    if params.kind.is_homomorphic() {
        let mut sums = vec![Ciphertext::zero(); params.ciphertexts()];
        for &i in &counted {
            let choices = &ballots[i].ballot.choices;
            if choices.len() != sums.len() {
                return Err(Error::Malformed(format!(
                    "ballot {i} has the wrong number of entries"
                )));
            }
            for (sum, c) in sums.iter_mut().zip(choices) {
                *sum = sum.add(&c.ciphertext.decode()?);
            }
        }
        Ok(vec![sums.iter().map(Ciphertext::to_bytes).collect()])
    } else {
        Ok(counted
            .iter()
            .map(|&i| {
                ballots[i]
                    .ballot
                    .choices
                    .iter()
                    .map(|c| c.ciphertext)
                    .collect()
            })
            .collect())
    }
}

impl Board {
    /// Opens a board after the key ceremony: `dealings[i]` is trustee `i + 1`'s public
    /// dealing, or `None` if it was disqualified.
    pub fn new(
        params: ElectionParams,
        identities: Vec<TrusteeIdentity>,
        dealings: Vec<Option<PublicDealing>>,
        credentials: Vec<PointBytes>,
    ) -> Result<Self> {
        params.validate()?;
        crate::dkg::verify_identities(&params, &identities)?;
        if dealings.len() != identities.len() {
            return Err(Error::Malformed("one dealing slot per trustee".into()));
        }
        let mut qualified = Vec::new();
        for (id, d) in identities.iter().zip(&dealings) {
            if let Some(d) = d {
                qualified.push(crate::dkg::verify_public_dealing(&params, id.index, d)?);
            }
        }
        if qualified.is_empty() {
            return Err(Error::Malformed("no qualified dealer".into()));
        }
        let mut seen = HashSet::new();
        for c in &credentials {
            c.decode_key("credential")?;
            if !seen.insert(*c) {
                return Err(Error::Malformed("credential listed twice".into()));
            }
        }
        let y = election_key(&qualified);
        let public_key = PointBytes::from_point(&y);
        public_key.decode_key("election public key")?;
        let vks = verification_keys(params.trustees, &qualified);
        for vk in &vks {
            // verify_board refuses such a board at step 3.
            PointBytes::from_point(vk).decode_key("verification key")?;
        }
        let trustees: Vec<BoardTrustee> = identities
            .into_iter()
            .zip(dealings)
            .zip(&vks)
            .map(|((identity, dealing), vk)| BoardTrustee {
                identity,
                dealing,
                verification_key: PointBytes::from_point(vk),
            })
            .collect();
        let fingerprint = election_fingerprint(&params, &trustees, &public_key, &credentials);
        Ok(Self {
            version: BOARD_VERSION,
            setup_fingerprint: params.setup_fingerprint(),
            election: params,
            fingerprint,
            trustees,
            public_key,
            credentials,
            ballots: Vec::new(),
            shuffles: Vec::new(),
            tally: None,
        })
    }

    /// What voters and verifiers need for ballots.
    pub fn context(&self) -> Result<ElectionContext> {
        ElectionContext::new(self.election.clone(), self.fingerprint, self.public_key)
    }

    /// Accepts a ballot: valid, from a listed credential, not a copy of one already on the
    /// board. A later ballot from the same credential replaces the earlier one in the count.
    pub fn cast(&mut self, ballot: EncryptedBallot) -> Result<[u8; 32]> {
        if self.tally.is_some() || !self.shuffles.is_empty() {
            return Err(Error::Malformed("the election is closed".into()));
        }
        let tracker = verify_ballot(&self.context()?, &ballot)?;
        match ballot.credential {
            Some(c) if self.credentials.contains(&c) => {}
            _ => return Err(Error::Malformed("credential is not on the list".into())),
        }
        if self.ballots.iter().any(|b| b.tracker == tracker) {
            return Err(Error::Malformed(
                "this ballot is already on the board".into(),
            ));
        }
        self.ballots.push(BoardBallot { tracker, ballot });
        Ok(tracker)
    }

    /// The rows the trustees must decrypt: the sums (homomorphic kinds), or the last
    /// shuffle's output (ranked), which needs at least `t` shuffles.
    pub fn tally_rows(&self) -> Result<Vec<Vec<CiphertextBytes>>> {
        if self.election.kind.is_homomorphic() {
            return counted_rows(&self.election, &self.ballots);
        }
        if self.shuffles.len() < self.election.threshold as usize {
            return Err(Error::Malformed(format!(
                "ranked ballots are decrypted after at least {} shuffles, there are {}",
                self.election.threshold,
                self.shuffles.len()
            )));
        }
        self.shuffle_input()
    }

    /// The rows the next shuffle takes: the counted ballots' rows, or the last shuffle's
    /// output.
    pub fn shuffle_input(&self) -> Result<Vec<Vec<CiphertextBytes>>> {
        if self.election.kind.is_homomorphic() {
            return Err(Error::Malformed("only ranked ballots are shuffled".into()));
        }
        match self.shuffles.last() {
            Some(s) => Ok(s.ciphertexts.clone()),
            None => counted_rows(&self.election, &self.ballots),
        }
    }

    fn identity_keys(&self) -> Vec<PointBytes> {
        self.trustees.iter().map(|t| t.identity.key).collect()
    }

    /// Checks every shuffle on the board (what a trustee does before shuffling in turn).
    pub fn verify_shuffles(&self) -> Result<()> {
        if self.election.kind.is_homomorphic() {
            if !self.shuffles.is_empty() {
                return Err(Error::Malformed("only ranked ballots are shuffled".into()));
            }
            return Ok(());
        }
        let input = counted_rows(&self.election, &self.ballots)?;
        verify_chain(
            &self.context()?,
            &self.identity_keys(),
            &input,
            &self.shuffles,
        )
    }

    /// Trustee `identity.index` checks the shuffles so far, then shuffles the last output
    /// (or the counted ballots) in turn. Voting must be over: the board takes no ballot
    /// once a shuffle is on it. Publish the result with [`Board::add_shuffle`].
    pub fn next_shuffle<R: rand::CryptoRng + ?Sized>(
        &self,
        identity: &IdentitySecret,
        rng: &mut R,
    ) -> Result<Shuffle> {
        self.verify_shuffles()?;
        let position = u32::try_from(self.shuffles.len())
            .map_err(|_| Error::Malformed("too many shuffles".into()))?;
        shuffle(
            &self.context()?,
            identity,
            position,
            &self.shuffle_input()?,
            rng,
        )
    }

    /// Appends a shuffle after checking it: from a trustee numbered above the last shuffler,
    /// of the current last rows, with a valid proof. Ends voting.
    pub fn add_shuffle(&mut self, shuffle: Shuffle) -> Result<()> {
        if self.tally.is_some() {
            return Err(Error::Malformed("the tally is already on the board".into()));
        }
        let previous = self.shuffles.last().map_or(0, |s| s.trustee);
        if shuffle.trustee <= previous {
            return Err(Error::Malformed(
                "trustees shuffle once each, in increasing order".into(),
            ));
        }
        let key = shuffle
            .trustee
            .checked_sub(1)
            .and_then(|i| self.trustees.get(i as usize))
            .map(|t| t.identity.key)
            .ok_or_else(|| Error::Malformed(format!("no trustee {}", shuffle.trustee)))?;
        let position = u32::try_from(self.shuffles.len())
            .map_err(|_| Error::Malformed("too many shuffles".into()))?;
        verify_shuffle(
            &self.context()?,
            &key,
            position,
            &self.shuffle_input()?,
            &shuffle,
        )?;
        self.shuffles.push(shuffle);
        Ok(())
    }

    /// Closes the election with at least `t` trustees' decryption shares: checks them,
    /// combines them and writes the plaintexts and outcome.
    pub fn close(&mut self, shares: Vec<DecryptionShare>) -> Result<&Outcome> {
        let ctx = self.context()?;
        let rows = self.tally_rows()?;
        let mut indices = Vec::new();
        let mut factors = Vec::new();
        for s in &shares {
            let tr = s
                .trustee
                .checked_sub(1)
                .and_then(|i| self.trustees.get(i as usize))
                .ok_or_else(|| Error::Malformed(format!("no trustee {}", s.trustee)))?;
            if indices.contains(&s.trustee) {
                return Err(Error::Malformed(format!(
                    "two shares from trustee {}",
                    s.trustee
                )));
            }
            let vk = tr.verification_key.decode_key("verification key")?;
            factors.push(verify_decryption_share(&ctx, &vk, &rows, s)?);
            indices.push(s.trustee);
        }
        if indices.len() < self.election.threshold as usize {
            return Err(Error::Malformed(format!(
                "{} shares, {} needed",
                indices.len(),
                self.election.threshold
            )));
        }
        let points = combine(&rows, &indices, &factors)?;
        let counted = counted_ballots(&self.ballots).len() as u64;
        let plaintexts = read_plaintexts(&self.election, counted, &points)?;
        let outcome = outcome(&self.election, counted, &plaintexts)?;
        let tally = self.tally.insert(BoardTally {
            ciphertexts: rows,
            shares,
            plaintexts,
            outcome,
        });
        Ok(&tally.outcome)
    }
}
