//! Verifiable ballots: where the ballot clause names trustees, a ballot is encrypted to a
//! key that `t` of its `n` trustees hold together, and everything about it is on a public
//! bulletin board that `charter verify ballot` checks step by step
//! (`docs/verifiable-ballots.md`).
//!
//! The server only relays and checks documents. Trustees make their keys, deal, shuffle and
//! decrypt with `charter trustee …` on their own machines; the scrutineer makes the voters'
//! credentials with `charter credentials generate` and freezes their public list here before
//! voting opens. A vote arrives encrypted and signed by the voter's credential; the server
//! checks its proofs, that its credential is on the frozen list, and keeps it under its
//! tracker, the hash of its ciphertext. No secret that opens a vote is ever on the server.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use charter_ballot_crypto::dkg::{
    Dealing, TrusteeIdentity, verify_identity, verify_public_dealing,
};
use charter_ballot_crypto::documents::{Finished, KeyReport, dealing_slots};
use charter_ballot_crypto::tally::verify_decryption_share;
use charter_ballot_crypto::{
    Board, BoardBallot, BoardTally, Choice as CryptoChoice, Credential, CredentialList,
    DecryptionShare, ElectionContext, ElectionParams, EncryptedBallot, Outcome, PointBytes,
    QuestionKind, ScalarBytes, Setup, Shuffle, encrypt_ballot, verify_ballot,
};
use charter_count::Election;
use charter_domain::{Actor, BallotKind, BallotState, MemberId};
use charter_model::BallotId;
use charter_rules::TrusteeRule;
use charter_store::{BallotRecord, BoardItem, BoardItemKind, EventActor, NewBoardItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ballots::{Choice, Receipt};
use crate::{App, AppError, event_actor};

/// What the board keeps of a trustee's appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The member's id.
    pub member: i64,
    pub name: String,
    /// The office by which they qualify, and its unit's id and name.
    pub office: String,
    pub unit: i64,
    pub unit_name: String,
}

/// A trustee and what they have posted so far.
#[derive(Debug, Clone)]
pub struct TrusteeView {
    pub index: u32,
    pub appointment: Appointment,
    pub identity: Option<TrusteeIdentity>,
    pub dealing: Option<Dealing>,
    pub report: Option<Finished>,
    pub shuffle: Option<Shuffle>,
    pub share: Option<DecryptionShare>,
}

/// Where a verifiable ballot's key ceremony stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CeremonyStage {
    /// Waiting for every trustee's identity key.
    Identities,
    /// Waiting for every trustee's dealing.
    Dealings,
    /// Waiting for every trustee's report of the keys they computed.
    Reports,
    /// A trustee complained of a dealer, or the reports disagree: the key cannot be made.
    Failed,
    /// The key is made; waiting for the scrutineer's credentials.
    Credentials,
    /// Ready to open.
    Ready,
}

/// A verifiable ballot's ceremony and board documents, as the trustees' page shows them.
#[derive(Debug, Clone)]
pub struct Ceremony {
    pub setup: Setup,
    pub trustees: Vec<TrusteeView>,
    pub credentials: Option<CredentialList>,
    pub stage: CeremonyStage,
    /// Why the ceremony failed, when it did.
    pub failure: Option<String>,
    pub tally: Option<BoardTally>,
}

impl Ceremony {
    /// The trustees' agreed key report, once every trustee reported the same keys.
    fn agreed_report(&self) -> Result<Option<KeyReport>, String> {
        let mut agreed: Option<KeyReport> = None;
        for t in &self.trustees {
            match &t.report {
                None => return Ok(None),
                Some(Finished::Complaints { complaints }) => {
                    let dealers: BTreeSet<u32> = complaints.iter().map(|c| c.dealer).collect();
                    return Err(format!(
                        "trustee {} complained of the shares dealt by trustee{} {}: the key cannot be made, and the ballot must be set up again",
                        t.index,
                        if dealers.len() == 1 { "" } else { "s" },
                        dealers
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Some(Finished::Key(r)) => match &agreed {
                    None => agreed = Some(r.clone()),
                    Some(a)
                        if a.qualified == r.qualified
                            && a.election_key == r.election_key
                            && a.verification_keys == r.verification_keys => {}
                    Some(_) => {
                        return Err(format!(
                            "trustee {} computed other keys than trustee 1: the key cannot be made",
                            t.index
                        ));
                    }
                },
            }
        }
        Ok(agreed)
    }

    /// The board before any ballot: parameters, trustees, key and credentials.
    fn empty_board(&self) -> Result<Board, AppError> {
        let report = self
            .agreed_report()
            .map_err(|m| conflict(&m))?
            .ok_or_else(|| conflict("the trustees have not made the ballot's key yet"))?;
        let credentials = self
            .credentials
            .as_ref()
            .ok_or_else(|| conflict("the scrutineer has not frozen the credentials yet"))?;
        let identities: Vec<TrusteeIdentity> = self
            .trustees
            .iter()
            .map(|t| t.identity.clone())
            .collect::<Option<_>>()
            .ok_or_else(|| conflict("a trustee's identity is missing"))?;
        let qualified: Vec<Dealing> = self
            .trustees
            .iter()
            .filter(|t| report.qualified.contains(&t.index))
            .filter_map(|t| t.dealing.clone())
            .collect();
        let slots = dealing_slots(&self.setup.election, &qualified).map_err(internal)?;
        let board = Board::new(
            self.setup.election.clone(),
            identities,
            slots,
            credentials.credentials.clone(),
        )
        .map_err(internal)?;
        if board.public_key != report.election_key {
            return Err(internal("the board's key is not the trustees' key"));
        }
        Ok(board)
    }
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        field: "ballot".into(),
        message: message.to_string(),
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("the board does not hold together: {e}"))
}

/// A document refused, naming what is wrong with it.
fn refused(field: &str, e: impl std::fmt::Display) -> AppError {
    AppError::invalid(field, e)
}

fn parse<T: serde::de::DeserializeOwned>(field: &str, body: &str) -> Result<T, AppError> {
    serde_json::from_str(body).map_err(|e| refused(field, format!("this is not a {field}: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// The election parameters of a ballot of `kind` counted by `method` over `options`.
/// Questions and plurality elections are tallied without decrypting any one ballot; every
/// other election is ranked, shuffled and then decrypted, so it is counted exactly as today.
pub(crate) fn election_params(
    kind: BallotKind,
    method: &str,
    options: usize,
    rule: &TrusteeRule,
) -> ElectionParams {
    let options = u32::try_from(options).unwrap_or(u32::MAX);
    let (kind, min, max) = match (kind, method) {
        (BallotKind::Question, _) => (QuestionKind::Question, 1, 1),
        (_, "plurality") => (QuestionKind::Plurality, 1, 1),
        _ => (QuestionKind::Ranked, 1, options),
    };
    let mut id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    ElectionParams {
        // Unique to this ballot, so no document of another election is taken for it.
        id: format!("charter-ballot-{}", hex::encode(id)),
        kind,
        options,
        min,
        max,
        trustees: rule.count,
        threshold: rule.threshold,
    }
}

/// A voter's choice as the crypto layer takes it.
fn crypto_choice(kind: QuestionKind, choice: &Choice) -> CryptoChoice {
    match kind {
        QuestionKind::Ranked => CryptoChoice::Ranking(choice.ranks.clone()),
        _ => CryptoChoice::Options(choice.ranks.clone()),
    }
}

/// The sealed form of an encrypted ballot in the box.
pub(crate) const SEAL_V2: &str = "v2:";

/// Whether a ballot in the box is encrypted (its board checks it), not a plaintext one.
pub(crate) fn is_encrypted(sealed: &str) -> bool {
    sealed.starts_with(SEAL_V2)
}

/// A tracker of an encrypted ballot as a voter may type it: 64 hex digits, whatever the
/// case, spaces or hyphens.
pub(crate) fn board_tracker_key(raw: &str) -> Option<String> {
    let key: String = raw
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (key.len() == 64
        && raw
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ' ' || c == '-'))
    .then_some(key)
}

/// The board as the voters' devices need it once voting opens: fixed from then on.
pub(crate) struct OpenBoard {
    pub context: ElectionContext,
    credentials: HashSet<PointBytes>,
}

/// Open boards by ballot id (see `App::open_board`).
#[derive(Clone, Default)]
pub(crate) struct BoardCache {
    open: Arc<tokio::sync::RwLock<HashMap<BallotId, Arc<OpenBoard>>>>,
    /// Held while a board is read into the cache: the first votes of a ballot arrive
    /// together, and one of them reads the board while the others wait for it.
    loading: Arc<tokio::sync::Mutex<()>>,
}

/// The states in which the key ceremony's documents go on the board.
const BEFORE_OPENING: &[&str] = &["scheduled"];
/// The states in which shuffles and shares go on the board.
const AFTER_CLOSING: &[&str] = &["closed"];

impl App {
    /// The trustees the ballot clause asks for, checked: `n` different members, each holding
    /// now one of the named offices, in `n` different units. Returns the board's setup and
    /// appointment items.
    pub(crate) async fn appoint_trustees(
        &self,
        clause: Option<&str>,
        rule: &TrusteeRule,
        params: ElectionParams,
        members: &[MemberId],
    ) -> Result<Vec<NewBoardItem>, AppError> {
        let at = clause.map(|c| format!("clause {c}: ")).unwrap_or_default();
        if members.len() != rule.count as usize {
            return Err(AppError::invalid(
                "trustees",
                format!(
                    "{at}a ballot has {} trustees, holders of the {} offices; choose {}",
                    rule.count,
                    rule.offices
                        .iter()
                        .map(|k| k.words())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    rule.count
                ),
            ));
        }
        let kinds = rule.office_kinds();
        let mut items = vec![NewBoardItem {
            kind: BoardItemKind::Setup,
            trustee: 0,
            member: None,
            body: to_json(&Setup::new(params).map_err(internal)?)?,
        }];
        let mut units = HashSet::new();
        for (i, member) in members.iter().enumerate() {
            if members[..i].contains(member) {
                return Err(AppError::invalid(
                    "trustees",
                    "each trustee is a different member",
                ));
            }
            let actor = match self.actor(*member).await {
                Ok(a) => a,
                Err(AppError::Unauthenticated) => {
                    return Err(AppError::invalid("trustees", "no such member"));
                }
                Err(e) => return Err(e),
            };
            let name = self
                .store
                .member_contacts(&[*member])
                .await?
                .into_iter()
                .next()
                .map(|(_, name, _)| name)
                .unwrap_or_default();
            let office = kinds
                .iter()
                .find_map(|k| actor.offices.iter().find(|o| o.kind == *k))
                .ok_or_else(|| {
                    AppError::invalid(
                        "trustees",
                        format!("{at}{name} holds none of the offices whose holders are trustees"),
                    )
                })?;
            if !units.insert(office.unit) {
                return Err(AppError::invalid(
                    "trustees",
                    format!(
                        "{at}the trustees hold their offices in different units, and two are of {}",
                        office.unit_name
                    ),
                ));
            }
            items.push(NewBoardItem {
                kind: BoardItemKind::Trustee,
                trustee: u32::try_from(i + 1).unwrap_or(u32::MAX),
                member: Some(*member),
                body: to_json(&Appointment {
                    member: member.0,
                    name,
                    office: office.kind.as_str().to_string(),
                    unit: office.unit.0,
                    unit_name: office.unit_name.clone(),
                })?,
            });
        }
        Ok(items)
    }

    /// Whether a ballot is verifiable (its board has a setup).
    pub async fn is_verifiable(&self, id: BallotId) -> Result<bool, AppError> {
        Ok(self.ballot_terms(id).await?.sealed)
    }

    /// A verifiable ballot's ceremony: its setup, trustees and documents. `NotFound` for a
    /// ballot that is not verifiable.
    pub async fn ceremony(&self, id: BallotId) -> Result<Ceremony, AppError> {
        if !self.is_verifiable(id).await? {
            return Err(AppError::NotFound("verifiable ballot"));
        }
        ceremony_of(&self.store.board_items(id).await?)
    }

    /// Puts a trustee's document on the board after checking it: `actor` must be trustee
    /// `index` of the ballot and still hold an office that makes them one. Identities,
    /// dealings and reports go before voting opens; shuffles and decryption shares after it
    /// closes. When the last share needed is in, the ballot is counted.
    pub async fn post_trustee_document(
        &self,
        actor: &Actor,
        id: BallotId,
        index: u32,
        kind: BoardItemKind,
        body: &str,
    ) -> Result<(), AppError> {
        let b = self.ballot_record(id).await?;
        let ceremony = self.ceremony(id).await?;
        let trustee = ceremony
            .trustees
            .iter()
            .find(|t| t.index == index)
            .ok_or(AppError::NotFound("trustee"))?;
        if trustee.appointment.member != actor.member.0 {
            return Err(AppError::Forbidden(format!(
                "only trustee {index}, {}, posts trustee {index}'s documents",
                trustee.appointment.name
            )));
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let (clause, rule) = crate::ballots::ballot_rule(&c);
        let offices = rule.trustees.map(|t| t.office_kinds()).unwrap_or_default();
        let office = actor
            .offices
            .iter()
            .find(|o| offices.contains(&o.kind))
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(format!(
                    "{}a trustee acts while holding an office whose holders are trustees, and you hold none now",
                    clause
                        .as_deref()
                        .map(|c| format!("clause {c}: "))
                        .unwrap_or_default()
                ))
            })?;
        let params = &ceremony.setup.election;
        let all = |what: &str, have: fn(&TrusteeView) -> bool| {
            if ceremony.trustees.iter().all(have) {
                Ok(())
            } else {
                Err(conflict(&format!("every trustee posts their {what} first")))
            }
        };
        let states = match kind {
            BoardItemKind::Identity => {
                let identity: TrusteeIdentity = parse("identity", body)?;
                if identity.index != index {
                    return Err(refused(
                        "identity",
                        format!("this identity is trustee {}'s", identity.index),
                    ));
                }
                verify_identity(params, &identity).map_err(|e| refused("identity", e))?;
                BEFORE_OPENING
            }
            BoardItemKind::Dealing => {
                all("identity", |t| t.identity.is_some())?;
                let dealing: Dealing = parse("dealing", body)?;
                if dealing.dealer != index {
                    return Err(refused(
                        "dealing",
                        format!("this dealing is trustee {}'s", dealing.dealer),
                    ));
                }
                verify_public_dealing(params, index, &dealing.public)
                    .map_err(|e| refused("dealing", e))?;
                if dealing.shares.len() != params.trustees as usize {
                    return Err(refused("dealing", "a dealing has one share per trustee"));
                }
                BEFORE_OPENING
            }
            BoardItemKind::Report => {
                all("dealing", |t| t.dealing.is_some())?;
                let finished: Finished = parse("report", body)?;
                if let Finished::Key(r) = &finished {
                    if r.trustee != index {
                        return Err(refused(
                            "report",
                            format!("this report is trustee {}'s", r.trustee),
                        ));
                    }
                    if r.setup_fingerprint != ceremony.setup.setup_fingerprint {
                        return Err(refused("report", "this report is for another election"));
                    }
                }
                BEFORE_OPENING
            }
            BoardItemKind::Shuffle => {
                let shuffle: Shuffle = parse("shuffle", body)?;
                if shuffle.trustee != index {
                    return Err(refused(
                        "shuffle",
                        format!("this shuffle is trustee {}'s", shuffle.trustee),
                    ));
                }
                let mut board = self.full_board(id, &ceremony).await?;
                off_the_workers(move || board.add_shuffle(shuffle))
                    .await?
                    .map_err(|e| refused("shuffle", e))?;
                AFTER_CLOSING
            }
            BoardItemKind::Share => {
                let share: DecryptionShare = parse("share", body)?;
                if share.trustee != index {
                    return Err(refused(
                        "share",
                        format!("this share is trustee {}'s", share.trustee),
                    ));
                }
                let board = self.full_board(id, &ceremony).await?;
                let rows = board.tally_rows().map_err(|e| conflict(&e.to_string()))?;
                let vk = board
                    .trustees
                    .get(index as usize - 1)
                    .ok_or(AppError::NotFound("trustee"))?
                    .verification_key
                    .decode_key("verification key")
                    .map_err(internal)?;
                let ctx = board.context().map_err(internal)?;
                off_the_workers(move || verify_decryption_share(&ctx, &vk, &rows, &share))
                    .await?
                    .map_err(|e| refused("share", e))?;
                AFTER_CLOSING
            }
            _ => return Err(AppError::NotFound("document")),
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            &format!("ballot.trustee_{}", kind.as_str()),
            format!("ballot:{id}"),
            json!({ "ballot": id, "trustee": index }),
            &b.title,
        );
        self.store
            .post_board_item(
                id,
                states,
                &NewBoardItem {
                    kind,
                    trustee: index,
                    member: Some(actor.member),
                    body: body.to_string(),
                },
                &event,
            )
            .await?;
        if kind == BoardItemKind::Share {
            self.tally_if_ready(id).await?;
        }
        Ok(())
    }

    /// Freezes the public credentials the scrutineer made for the ballot's voters: one per
    /// voter on the roll as it stands, before voting opens, once.
    pub async fn post_credentials(
        &self,
        actor: &Actor,
        id: BallotId,
        body: &str,
    ) -> Result<(), AppError> {
        let b = self.ballot_record(id).await?;
        let office = self
            .scrutineer_office(actor, &b)
            .await
            .map_err(|e| match e {
                AppError::Forbidden(m) => AppError::Forbidden(format!(
                    "{m}; the scrutineer, not the server, makes the voters' credentials"
                )),
                other => other,
            })?;
        let ceremony = self.ceremony(id).await?;
        let list: CredentialList = parse("credentials", body)?;
        list.check(&ceremony.setup)
            .map_err(|e| refused("credentials", e))?;
        let voters = self.eligible_voters(&b).await?.len();
        if list.credentials.len() != voters {
            return Err(refused(
                "credentials",
                format!(
                    "the roll has {voters} voters and the list {} credentials: one credential per voter",
                    list.credentials.len()
                ),
            ));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.credentials_frozen",
            format!("ballot:{id}"),
            json!({ "ballot": id, "credentials": voters }),
            &b.title,
        );
        self.store
            .post_board_item(
                id,
                BEFORE_OPENING,
                &NewBoardItem {
                    kind: BoardItemKind::Credentials,
                    trustee: 0,
                    member: Some(actor.member),
                    body: to_json(&list)?,
                },
                &event,
            )
            .await?;
        Ok(())
    }

    /// The whole board as `charter verify ballot` reads it. Public, as the published
    /// ballots are. `Conflict` while the key ceremony is not finished.
    pub async fn board(&self, id: BallotId) -> Result<Board, AppError> {
        let ceremony = self.ceremony(id).await?;
        self.full_board(id, &ceremony).await
    }

    async fn full_board(&self, id: BallotId, ceremony: &Ceremony) -> Result<Board, AppError> {
        let mut board = ceremony.empty_board()?;
        board.ballots = self
            .store
            .encrypted_box(id)
            .await?
            .into_iter()
            .map(|x| {
                let ballot: EncryptedBallot =
                    serde_json::from_str(x.sealed.strip_prefix(SEAL_V2).unwrap_or_default())
                        .map_err(internal)?;
                let tracker = charter_ballot_crypto::encoding::parse_hex::<32>(&x.tracker)
                    .map_err(internal)?;
                Ok(BoardBallot { tracker, ballot })
            })
            .collect::<Result<_, AppError>>()?;
        let mut shuffles: Vec<&TrusteeView> = ceremony
            .trustees
            .iter()
            .filter(|t| t.shuffle.is_some())
            .collect();
        shuffles.sort_by_key(|t| t.index);
        board.shuffles = shuffles.iter().filter_map(|t| t.shuffle.clone()).collect();
        board.tally = ceremony.tally.clone();
        Ok(board)
    }

    /// The board of an open verifiable ballot, fixed from its opening: its context for
    /// checking ballots and the frozen credentials. `None` for a ballot that is not
    /// verifiable.
    pub(crate) async fn open_board(
        &self,
        id: BallotId,
    ) -> Result<Option<Arc<OpenBoard>>, AppError> {
        if let Some(b) = self.boards.open.read().await.get(&id) {
            return Ok(Some(b.clone()));
        }
        // A plaintext ballot, the usual case, costs no read of the board.
        if !self.is_verifiable(id).await? {
            return Ok(None);
        }
        let _loading = self.boards.loading.lock().await;
        if let Some(b) = self.boards.open.read().await.get(&id) {
            return Ok(Some(b.clone()));
        }
        let items = self.store.board_items(id).await?;
        let open = off_the_workers(move || {
            let board = ceremony_of(&items)?.empty_board()?;
            Ok::<_, AppError>(Arc::new(OpenBoard {
                context: board.context().map_err(internal)?,
                credentials: board.credentials.iter().copied().collect(),
            }))
        })
        .await??;
        self.boards.open.write().await.insert(id, open.clone());
        Ok(Some(open))
    }

    /// Reads the board of every open sealed ballot into the cache (see [`App::warm_board`]).
    /// Returns how many boards are warm.
    pub async fn warm_open_boards(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut warmed = 0;
        for b in self.store.ballots().await? {
            if self.warm_board(&b, now).await? {
                warmed += 1;
            }
        }
        Ok(warmed)
    }

    /// Reads `b`'s board into the cache when it is sealed and takes votes, so that its first
    /// voters do not wait while 21,000 credentials are parsed for them. The timetable does it
    /// on every round, within seconds of a ballot opening or of the server starting; a board
    /// already cached costs a look-up. Whether the board is warm.
    pub(crate) async fn warm_board(
        &self,
        b: &BallotRecord,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        if b.sealed && b.state == BallotState::Open && b.closes_at > now {
            self.open_board(b.id).await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Puts `voter`'s encrypted ballot in the box after checking its proofs and signature
    /// and that its credential is on the frozen list. The tracker is the hash of the
    /// ballot, which the voter's device computes too.
    pub async fn cast_encrypted(
        &self,
        voter: MemberId,
        id: BallotId,
        submission: &str,
        ballot: &EncryptedBallot,
        replaces: Option<&str>,
    ) -> Result<Receipt, AppError> {
        let Some(open) = self.open_board(id).await? else {
            return Err(AppError::invalid(
                "ballot",
                "this ballot is not encrypted: send your choice as it is",
            ));
        };
        // Half a millisecond of proof checking, on the blocking pool: on the async workers it
        // would hold up every request queued behind it.
        let (board, checked) = (open.clone(), ballot.clone());
        let tracker = off_the_workers(move || verify_ballot(&board.context, &checked))
            .await?
            .map_err(|e| {
                AppError::invalid(
                    "ballot",
                    format!("the encrypted ballot does not check: {e}"),
                )
            })?;
        match &ballot.credential {
            Some(c) if open.credentials.contains(c) => {}
            Some(_) => {
                return Err(AppError::invalid(
                    "ballot",
                    "the ballot's credential is not on the ballot's frozen list",
                ));
            }
            None => {
                return Err(AppError::invalid(
                    "ballot",
                    "the ballot carries no credential: sign it with the credential the scrutineer sent you",
                ));
            }
        }
        let sealed = format!("{SEAL_V2}{}", to_json(ballot)?);
        self.put_in_box(
            voter,
            id,
            submission,
            hex::encode(tracker),
            sealed,
            replaces,
        )
        .await
        .map_err(|e| match e {
            // The box is keyed by tracker, the hash of the ballot: the very same ballot is
            // in it already, sent by another voter or under another submission id.
            AppError::Conflict { field, .. } if field == "record" => conflict(
                "this very encrypted ballot is in the box already: a ballot goes in once; encrypt your choice afresh",
            ),
            other => other,
        })
    }

    /// For a voter without JavaScript: the server encrypts their choice on arrival with
    /// their credential, and forgets both. The page says so before they send it.
    pub async fn cast_encrypting_here(
        &self,
        voter: MemberId,
        id: BallotId,
        submission: &str,
        choice: &Choice,
        credential: &str,
        replaces: Option<&str>,
    ) -> Result<Receipt, AppError> {
        let Some(open) = self.open_board(id).await? else {
            return self
                .cast_ballot(voter, id, submission, choice, replaces)
                .await;
        };
        let secret = charter_ballot_crypto::encoding::parse_hex::<32>(credential.trim())
            .ok()
            .and_then(|s| Credential::from_bytes(&ScalarBytes(s)).ok())
            .ok_or_else(|| {
                AppError::invalid(
                    "credential",
                    "a credential is the 64 letters and digits in the scrutineer's letter",
                )
            })?;
        let b = self.ballot_terms(id).await?;
        crate::ballots::check_ranks(&b, &choice.ranks)
            .map_err(|m| AppError::invalid("ranks", m))?;
        let ballot = encrypt_ballot(
            &open.context,
            &secret,
            &crypto_choice(open.context.params.kind, choice),
            &mut rand::rng(),
        )
        .map_err(|e| AppError::invalid("ranks", e))?;
        self.cast_encrypted(voter, id, submission, &ballot, replaces)
            .await
    }

    /// When `t` checked shares are on the board: decrypts, puts the tally on the board and
    /// counts the ballot by its rule.
    async fn tally_if_ready(&self, id: BallotId) -> Result<(), AppError> {
        let ceremony = self.ceremony(id).await?;
        if ceremony.tally.is_some() {
            return Ok(());
        }
        let shares: Vec<DecryptionShare> = ceremony
            .trustees
            .iter()
            .filter_map(|t| t.share.clone())
            .collect();
        if shares.len() < ceremony.setup.election.threshold as usize {
            return Ok(());
        }
        let mut board = self.full_board(id, &ceremony).await?;
        let tally = off_the_workers(move || {
            board.close(shares)?;
            Ok::<_, charter_ballot_crypto::Error>(board.tally)
        })
        .await?
        .map_err(internal)?
        .ok_or_else(|| internal("no tally"))?;
        let b = self.ballot_record(id).await?;
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the ballot's trustees".into()),
            },
            "ballot.decrypted",
            format!("ballot:{id}"),
            json!({ "ballot": id, "shares": tally.shares.len() }),
            &b.title,
        );
        match self
            .store
            .post_board_item(
                id,
                AFTER_CLOSING,
                &NewBoardItem {
                    kind: BoardItemKind::Tally,
                    trustee: 0,
                    member: None,
                    body: to_json(&tally)?,
                },
                &event,
            )
            .await
        {
            Ok(_) | Err(charter_store::StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        self.count_ballot(id).await?;
        Ok(())
    }

    /// The count input of a verifiable ballot: from the tally on its board, once the
    /// trustees have decrypted it. `Conflict` until then.
    pub(crate) async fn verifiable_election(
        &self,
        b: &BallotRecord,
    ) -> Result<Option<Election>, AppError> {
        if !b.sealed {
            return Ok(None);
        }
        let ceremony = ceremony_of(&self.store.board_items(b.id).await?)?;
        let tally = ceremony.tally.ok_or_else(|| {
            conflict(&format!(
                "the ballot waits for {} of its trustees to decrypt the result",
                ceremony.setup.election.threshold
            ))
        })?;
        let mut ballots: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
        match &tally.outcome {
            Outcome::Totals { totals, .. } => {
                for (option, total) in totals.iter().enumerate() {
                    if *total > 0 {
                        *ballots
                            .entry(vec![u32::try_from(option).unwrap_or(u32::MAX)])
                            .or_default() += total;
                    }
                }
            }
            Outcome::Rankings { rankings, .. } => {
                for r in rankings {
                    *ballots.entry(r.clone()).or_default() += 1;
                }
            }
        }
        Ok(Some(crate::ballots::election_of(b, ballots)))
    }

    /// Refuses paper ballots in a sealed ballot: papers would go into the box unencrypted and
    /// outside the board, so they are not taken until the trustees can encrypt them.
    pub(crate) async fn refuse_paper_if_sealed(&self, id: BallotId) -> Result<(), AppError> {
        if self.is_verifiable(id).await? {
            return Err(conflict(
                "this ballot is sealed by trustees and takes votes online only: paper ballots are not yet taken in a sealed ballot",
            ));
        }
        Ok(())
    }
}

/// The ceremony read from a ballot's board items. `NotFound` without a setup.
fn ceremony_of(items: &[BoardItem]) -> Result<Ceremony, AppError> {
    let setup: Setup = items
        .iter()
        .find(|i| i.kind == BoardItemKind::Setup)
        .map(|i| serde_json::from_str(&i.body).map_err(internal))
        .transpose()?
        .ok_or(AppError::NotFound("verifiable ballot"))?;
    let mut trustees: Vec<TrusteeView> = items
        .iter()
        .filter(|i| i.kind == BoardItemKind::Trustee)
        .map(|i| {
            Ok(TrusteeView {
                index: i.trustee,
                appointment: serde_json::from_str(&i.body).map_err(internal)?,
                identity: None,
                dealing: None,
                report: None,
                shuffle: None,
                share: None,
            })
        })
        .collect::<Result<_, AppError>>()?;
    trustees.sort_by_key(|t| t.index);
    let mut credentials = None;
    let mut tally = None;
    for i in items {
        let slot = trustees.iter_mut().find(|t| t.index == i.trustee);
        match (i.kind, slot) {
            (BoardItemKind::Identity, Some(t)) => {
                t.identity = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Dealing, Some(t)) => {
                t.dealing = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Report, Some(t)) => {
                t.report = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Shuffle, Some(t)) => {
                t.shuffle = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Share, Some(t)) => {
                t.share = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Credentials, _) => {
                credentials = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            (BoardItemKind::Tally, _) => {
                tally = Some(serde_json::from_str(&i.body).map_err(internal)?)
            }
            _ => {}
        }
    }
    let mut c = Ceremony {
        setup,
        trustees,
        credentials,
        stage: CeremonyStage::Identities,
        failure: None,
        tally,
    };
    c.stage = if c.trustees.iter().any(|t| t.identity.is_none()) {
        CeremonyStage::Identities
    } else if c.trustees.iter().any(|t| t.dealing.is_none()) {
        CeremonyStage::Dealings
    } else {
        match c.agreed_report() {
            Err(why) => {
                c.failure = Some(why);
                CeremonyStage::Failed
            }
            Ok(None) => CeremonyStage::Reports,
            Ok(Some(_)) if c.credentials.is_none() => CeremonyStage::Credentials,
            Ok(Some(_)) => CeremonyStage::Ready,
        }
    };
    Ok(c)
}

/// Runs proof work on the blocking pool, so that the site's async workers go on answering
/// meanwhile: half a millisecond for one ballot, seconds of every core for a large board.
async fn off_the_workers<T: Send + 'static>(
    check: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(check).await.map_err(internal)
}
