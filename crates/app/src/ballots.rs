//! Ballots of all members (or of a unit's, or a body's): a question decided by the threshold
//! the constitution sets for that kind of decision, or an election counted by its method.
//!
//! The electorate is a frozen roll whose challenge window has closed. When voting opens every
//! voter gets a personal voting link by email. A ballot goes into the box sealed, under a
//! random tracker the voter keeps as a receipt; the store records that the voter took part
//! and, separately, the sealed choice, and nothing joins the two. At close the box is opened,
//! counted by `charter-count` and published ballot by ballot, so every voter can find their
//! tracker and anyone can recount.

use charter_count::methods::yes_no;
use charter_count::stv::StvOptions;
use charter_count::{Ballot, Candidate, CandidateId, Election};
use charter_count::{Method, count_by};
use charter_domain::{
    Actor, AmendmentState, BallotKind, BallotState, ChallengeState, HeldOffice, MemberId, UnitId,
};
use charter_model::{AmendmentId, BallotId, RollId};
use charter_rules::{BallotRule, Constitution, DecisionKind, Key};
use charter_store::{
    BallotRecord, BoxedBallot, CastOutcome, EventActor, NewBallot, NewBallotVoter, NewCast,
    StoreError,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::token_hash;
use crate::error::stale_is_conflict;
use crate::meetings::{MAX_MOTION, MAX_TITLE, too_long};
use crate::{App, AppError, event_actor};

/// The options of a question, in ballot order.
pub const ANSWERS: [&str; 3] = ["Yes", "No", "Abstain"];
/// The most candidates an election ballot lists.
pub const MAX_CANDIDATES: usize = 100;

/// A ballot as an officer asks for it.
#[derive(Debug, Clone, Default)]
pub struct BallotRequest {
    pub title: String,
    /// The question put, or what the election is for.
    pub question: String,
    /// question or election.
    pub kind: String,
    /// For a question: the kind of decision, which sets its threshold (default ordinary-motion).
    pub decision_kind: Option<String>,
    /// For an election: the candidates.
    pub candidates: Vec<String>,
    pub seats: Option<u32>,
    /// The frozen roll whose eligible members vote.
    pub roll: Option<RollId>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Where the ballot clause names trustees: the members appointed, trustee 1 first.
    pub trustees: Vec<MemberId>,
}

/// What a voter chooses: for a question one answer, for an election candidates in order of
/// preference (by their place on the ballot, counting from 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub ranks: Vec<u32>,
}

/// A ballot in the box as the store keeps it: opaque. Today the plaintext choice with a format
/// tag; end-to-end encryption can replace the contents without changing the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed(pub String);

const SEAL_V1: &str = "v1:";

impl Sealed {
    pub fn seal(choice: &Choice) -> Sealed {
        Sealed(format!(
            "{SEAL_V1}{}",
            serde_json::to_string(choice).unwrap_or_default()
        ))
    }

    pub fn open(&self) -> Result<Choice, AppError> {
        self.0
            .strip_prefix(SEAL_V1)
            .and_then(|j| serde_json::from_str(j).ok())
            .ok_or_else(|| AppError::Internal("a sealed ballot does not open".into()))
    }
}

/// Ballots by id as first read (see `App::ballot_terms`).
#[derive(Clone, Default)]
pub(crate) struct TermsCache(
    std::sync::Arc<
        tokio::sync::RwLock<std::collections::HashMap<BallotId, std::sync::Arc<BallotRecord>>>,
    >,
);

/// The voter's receipt: the tracker to look for in the published ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub ballot: BallotId,
    pub tracker: String,
    /// false when the same ballot had been received before.
    pub new: bool,
    /// A teller had marked the voter as having voted on paper: the ballot is kept aside for
    /// the scrutineer, and goes into the box under this tracker only if that mark is reversed.
    pub kept_aside: bool,
}

/// A ballot with where the reader stands in it.
#[derive(Debug, Clone)]
pub struct BallotView {
    pub ballot: BallotRecord,
    /// `None` when the reader is not a voter (or it has not opened); else whether they voted.
    pub voted: Option<bool>,
    pub may_run: bool,
    /// Whether the reader is the ballot's scrutineer (see `App::ballot_audit`).
    pub may_audit: bool,
    pub voters: i64,
    pub votes: i64,
}

/// Turnout in one branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turnout {
    pub branch: UnitId,
    pub name: String,
    pub voters: i64,
    pub voted: i64,
}

/// One published ballot: its tracker and the choices in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedBallot {
    pub tracker: String,
    pub ranks: Vec<String>,
}

/// A closed ballot's published box: what it asked, how it is counted, and every ballot under
/// its tracker. Serialised, it is the file `charter count` reads to reproduce the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedBox {
    pub title: String,
    pub seats: u32,
    pub method: String,
    pub candidates: Vec<String>,
    pub ballots: Vec<PublishedBallot>,
}

/// A recount from the box by the ballot's own rule, beside the result recorded at close.
#[derive(Debug, Clone)]
pub struct Recount {
    pub ballot: BallotRecord,
    pub report: charter_count::Report,
    /// `None` while the result has not been recorded yet.
    pub matches_recorded: Option<bool>,
}

/// Whether `ranks` is a valid choice in ballot `b`: at least one option, each on the ballot
/// and ranked once, exactly one for a question. The error says what is wrong.
pub(crate) fn check_ranks(b: &BallotRecord, ranks: &[u32]) -> Result<(), String> {
    let n = u32::try_from(b.options.len()).unwrap_or(u32::MAX);
    let mut seen = std::collections::BTreeSet::new();
    if ranks.is_empty() {
        return Err("choose at least one option".into());
    }
    for r in ranks {
        if *r >= n {
            return Err(format!("option {r} is not on this ballot (it has {n})"));
        }
        if !seen.insert(*r) {
            return Err("an option is ranked twice".into());
        }
    }
    if b.kind == BallotKind::Question && ranks.len() != 1 {
        return Err("choose one answer".into());
    }
    Ok(())
}

pub(crate) fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

const TRACKER_CHARS: usize = 12;

/// A tracker reduced to what identifies it: its letters and digits, in capitals.
fn tracker_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A tracker: twelve characters that cannot be mistaken for one another, in groups of four.
pub(crate) fn new_tracker() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..TRACKER_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A submission id as a client chose it: 8 to 100 letters, digits, hyphens or underscores.
/// What the box keeps to answer a resend: the hash of the ballot, the voter and the id their
/// device chose. Scoped to the voter, another member sending the same id is answered as any
/// new ballot of theirs, never with the first voter's receipt; and as the id is the device's
/// random choice, the hash cannot be matched to a voter without it.
fn submission_hash(ballot: BallotId, voter: MemberId, submission: &str) -> String {
    hash(&[&ballot.to_string(), &voter.0.to_string(), submission])
}

fn check_submission(raw: &str) -> Result<&str, AppError> {
    let s = raw.trim();
    if (8..=100).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(s)
    } else {
        Err(AppError::invalid(
            "submission",
            "the ballot id must be 8 to 100 letters, digits, hyphens or underscores (a fresh UUID is ideal)",
        ))
    }
}

impl App {
    /// The office by which `actor` may run ballots over the roll's unit: the power to call
    /// meetings there (national offices for organisation-wide rolls).
    pub(crate) async fn ballot_authority(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
    ) -> Result<Option<HeldOffice>, AppError> {
        self.meeting_authority(actor, unit).await
    }

    /// Sets up a ballot over a frozen roll. It opens for voting at `opens_at`, after the
    /// roll's challenge window has closed, for at least the constitution's window.
    pub async fn create_ballot(
        &self,
        actor: &Actor,
        req: &BallotRequest,
    ) -> Result<BallotId, AppError> {
        self.create_ballot_for(actor, req, None).await
    }

    /// Puts amendment `amendment` to a ballot of the members, where the amendment procedure
    /// in force names `member-ballot` (the refusal cites its clause otherwise). When the
    /// ballot is counted, the decision on the amendment — and the new version, when it binds
    /// — is recorded with the count. `req` gives the roll and the voting window.
    pub async fn put_amendment_to_ballot(
        &self,
        actor: &Actor,
        amendment: AmendmentId,
        req: &BallotRequest,
    ) -> Result<BallotId, AppError> {
        let (r, proposed) = self.amendment_parsed(amendment).await?;
        if r.state == AmendmentState::Adopted {
            return Err(AppError::Conflict {
                field: "amendment".into(),
                message: "this amendment has already been adopted".into(),
            });
        }
        let req = BallotRequest {
            title: if req.title.trim().is_empty() {
                format!("Amendment: {}", r.title)
                    .chars()
                    .take(200)
                    .collect()
            } else {
                req.title.clone()
            },
            question: format!(
                "Should the constitution be amended as set out in amendment {amendment}, \"{}\", making version {}, to take effect on {}?",
                r.title,
                proposed.version(),
                proposed.effective()
            ),
            kind: "question".into(),
            decision_kind: Some(DecisionKind::ConstitutionalAmendment.as_str().into()),
            candidates: Vec::new(),
            seats: None,
            ..req.clone()
        };
        self.create_ballot_for(actor, &req, Some(amendment)).await
    }

    async fn create_ballot_for(
        &self,
        actor: &Actor,
        req: &BallotRequest,
        amendment: Option<AmendmentId>,
    ) -> Result<BallotId, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let (rule_clause, rule) = ballot_rule(&c);
        let mut errs = charter_domain::FieldErrors::default();
        let title = req.title.trim();
        if title.is_empty() {
            errs.add(
                "title",
                "give the ballot a title, e.g. 'Steering committee 2027'",
            );
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        let question = req.question.trim();
        if question.is_empty() {
            errs.add("question", "say what is put to the vote");
        } else if too_long(question, MAX_MOTION) {
            errs.add("question", "the question is longer than 20,000 characters");
        }
        let roll = match req.roll {
            None => {
                errs.add("roll", "choose the frozen roll whose members vote");
                None
            }
            Some(id) => match self.store.roll(id).await? {
                None => {
                    errs.add("roll", "no such roll");
                    None
                }
                Some(r) if r.right != "vote" => {
                    errs.add("roll", "that roll lists another right than voting");
                    None
                }
                Some(r) => Some(r),
            },
        };
        let opens = match req.opens_at {
            None => {
                errs.add("opens_at", "give the date and time voting opens");
                None
            }
            Some(o) if o <= now => {
                errs.add("opens_at", "voting must open in the future");
                None
            }
            Some(o) => Some(o),
        };
        if let (Some(o), Some(r)) = (opens, &roll)
            && o.date_naive() <= r.challenge_closes_on
        {
            errs.add(
                "opens_at",
                format!(
                    "voting opens only after the roll's challenge window closes on {}",
                    r.challenge_closes_on
                ),
            );
        }
        let window = Duration::days(i64::from(rule.window_days));
        let closes = match (opens, req.closes_at) {
            (_, None) => {
                errs.add("closes_at", "give the date and time voting closes");
                None
            }
            (Some(o), Some(cl)) if cl < o + window => {
                errs.add(
                    "closes_at",
                    format!(
                        "{}voting stays open for at least {} days",
                        rule_clause
                            .as_deref()
                            .map(|c| format!("clause {c}: "))
                            .unwrap_or_default(),
                        rule.window_days
                    ),
                );
                None
            }
            (_, Some(cl)) => Some(cl),
        };
        let (kind, method, seats, options, clause, rule_words, decision_kind) =
            match BallotKind::parse(&req.kind) {
                Some(BallotKind::Question) => {
                    let raw = req
                        .decision_kind
                        .as_deref()
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .unwrap_or("ordinary-motion");
                    match DecisionKind::ALL.into_iter().find(|k| k.as_str() == raw) {
                        None => {
                            errs.add(
                                "decision_kind",
                                format!("'{raw}' is not a kind of decision"),
                            );
                            return Err(AppError::Invalid(errs));
                        }
                        Some(DecisionKind::Appointment) => {
                            errs.add(
                                "decision_kind",
                                "an appointment is made by a meeting of the body the constitution names, on a motion naming the office and the member",
                            );
                            return Err(AppError::Invalid(errs));
                        }
                        Some(DecisionKind::ConstitutionalAmendment) if amendment.is_none() => {
                            errs.add(
                            "decision_kind",
                            "an amendment is put to a ballot of the members from its own page, where its procedure applies",
                        );
                            return Err(AppError::Invalid(errs));
                        }
                        Some(k) => match question_threshold(&c, k) {
                            Some((clause, by, threshold))
                                if by
                                    .iter()
                                    .any(|b| b.as_str() == charter_rules::MEMBER_BALLOT) =>
                            {
                                (
                                    BallotKind::Question,
                                    Method::YesNo,
                                    1,
                                    ANSWERS.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                                    Some(clause.as_str().to_string()),
                                    threshold.words(),
                                    Some(k.as_str().to_string()),
                                )
                            }
                            Some((clause, _, _)) if k == DecisionKind::ConstitutionalAmendment => {
                                errs.add(
                                "decision_kind",
                                format!(
                                    "clause {clause}: the constitution does not let a ballot of members decide an amendment"
                                ),
                            );
                                return Err(AppError::Invalid(errs));
                            }
                            _ => {
                                errs.add(
                                "decision_kind",
                                format!(
                                    "the constitution does not let a ballot of members decide {}",
                                    k.words()
                                ),
                            );
                                return Err(AppError::Invalid(errs));
                            }
                        },
                    }
                }
                Some(BallotKind::Election) => {
                    let mut names: Vec<String> = Vec::new();
                    for n in &req.candidates {
                        let n = n.trim();
                        if n.is_empty() {
                            continue;
                        }
                        if too_long(n, 100) {
                            errs.add(
                                "candidates",
                                "a candidate's name is longer than 100 characters",
                            );
                        } else if names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                            errs.add("candidates", format!("{n} is listed twice"));
                        } else {
                            names.push(n.to_string());
                        }
                    }
                    if names.is_empty() {
                        errs.add("candidates", "list the candidates, one per line");
                    } else if names.len() > MAX_CANDIDATES {
                        errs.add("candidates", format!("at most {MAX_CANDIDATES} candidates"));
                    }
                    let seats = req.seats.unwrap_or(1);
                    if seats == 0 || (seats as usize) > names.len().max(1) {
                        errs.add(
                            "seats",
                            "seats must be at least 1 and no more than the candidates",
                        );
                    }
                    let method = rule.counting_method(seats);
                    (
                        BallotKind::Election,
                        method,
                        seats,
                        names,
                        rule_clause.clone(),
                        format!(
                            "counted by {} for {seats} seat{}",
                            method.name(),
                            if seats == 1 { "" } else { "s" }
                        ),
                        None,
                    )
                }
                None => {
                    errs.add("kind", "choose question or election");
                    return Err(AppError::Invalid(errs));
                }
            };
        let (Some(roll), Some(opens), Some(closes)) = (roll, opens, closes) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let office = self
            .ballot_authority(actor, roll.unit)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "only officers who call meetings over the roll's unit run its ballots".into(),
                )
            })?;
        // Where the constitution names trustees, the ballot is encrypted to their key.
        let board = match &rule.trustees {
            None => Vec::new(),
            Some(t) => {
                let params =
                    crate::verifiable::election_params(kind, method.name(), options.len(), t);
                self.appoint_trustees(rule_clause.as_deref(), t, params, &req.trustees)
                    .await?
            }
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.created",
            "ballot".into(),
            json!({
                "title": title, "kind": kind.as_str(), "method": method.name(), "seats": seats,
                "roll": roll.id, "opens_at": opens, "closes_at": closes, "options": options,
            }),
            title,
        );
        Ok(self
            .store
            .create_ballot(
                &NewBallot {
                    title: title.to_string(),
                    question: question.to_string(),
                    kind,
                    decision_kind,
                    method,
                    seats,
                    roll: roll.id,
                    opens_at: opens,
                    closes_at: closes,
                    later_vote_replaces: rule.later_vote_replaces,
                    clause,
                    rule: rule_words,
                    options,
                    created_by: Some(actor.member),
                    amendment,
                    // Reminders of the constitution's timetable that fall inside this window.
                    reminder_days: rule
                        .reminder_days
                        .iter()
                        .copied()
                        .filter(|d| i64::from(*d) < (closes - opens).num_days())
                        .collect(),
                    board,
                },
                &event,
            )
            .await?)
    }

    pub async fn ballots(&self) -> Result<Vec<BallotRecord>, AppError> {
        Ok(self.store.ballots().await?)
    }

    /// What a ballot is, for checking a vote: its state, turnout and result may be out of date.
    pub(crate) async fn ballot_terms(
        &self,
        id: BallotId,
    ) -> Result<std::sync::Arc<BallotRecord>, AppError> {
        if let Some(b) = self.ballot_terms.0.read().await.get(&id) {
            return Ok(b.clone());
        }
        let b = std::sync::Arc::new(self.ballot_record(id).await?);
        self.ballot_terms.0.write().await.insert(id, b.clone());
        Ok(b)
    }

    /// A ballot's public facts (title, state, timetable, outcome once counted), or `None`.
    pub async fn find_ballot(&self, id: BallotId) -> Result<Option<BallotRecord>, AppError> {
        Ok(self.store.ballot(id).await?)
    }

    pub(crate) async fn ballot_record(&self, id: BallotId) -> Result<BallotRecord, AppError> {
        self.store
            .ballot(id)
            .await?
            .ok_or(AppError::NotFound("ballot"))
    }

    /// A ballot as `actor` sees it: whether they may vote and have, and turnout (counts only).
    pub async fn ballot_view(&self, actor: &Actor, id: BallotId) -> Result<BallotView, AppError> {
        let ballot = self.ballot_record(id).await?;
        let voted = self
            .store
            .ballot_voter(id, actor.member)
            .await?
            .map(|v| v.is_some());
        let roll = self.store.roll(ballot.roll).await?;
        let may_run = self
            .ballot_authority(actor, roll.and_then(|r| r.unit))
            .await?
            .is_some();
        let may_audit = match self.scrutineer_office(actor, &ballot).await {
            Ok(_) => true,
            Err(AppError::Forbidden(_)) => false,
            Err(e) => return Err(e),
        };
        let turnout = self.store.ballot_turnout(id).await?;
        Ok(BallotView {
            may_audit,
            voters: turnout.iter().map(|t| t.voters).sum(),
            votes: turnout.iter().map(|t| t.voted).sum(),
            ballot,
            voted,
            may_run,
        })
    }

    /// Turnout by branch, with names: counts only, visible while voting is open.
    pub async fn ballot_turnout(&self, id: BallotId) -> Result<Vec<Turnout>, AppError> {
        self.ballot_record(id).await?;
        let units = self.store.units().await?;
        let mut rows: Vec<Turnout> = self
            .store
            .ballot_turnout(id)
            .await?
            .into_iter()
            .map(|t| Turnout {
                branch: t.branch,
                name: units
                    .iter()
                    .find(|u| u.id == t.branch)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                voters: t.voters,
                voted: t.voted,
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    }

    /// Opens every scheduled ballot whose time has come, sends the reminders its timetable
    /// has due, and closes and counts every open one whose time is up. Runs beside the
    /// server; safe to run twice at once (the store's state checks let one win). Returns how
    /// many ballots it moved.
    pub async fn run_ballot_clock(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut moved = 0;
        for b in self.store.ballots().await? {
            // A board that cannot be read now is read again by the first vote; the timetable
            // goes on.
            if let Err(e) = self.warm_board(&b, now).await {
                tracing::error!(ballot = b.id.0, error = %e, "the board of an open sealed ballot could not be read");
            }
            let step = match b.state {
                BallotState::Scheduled if b.opens_at <= now && !self.ready_to_open(&b).await? => {
                    continue;
                }
                BallotState::Scheduled if b.opens_at <= now => self.open_ballot(&b).await,
                BallotState::Open if b.closes_at <= now => self.close_ballot(&b).await,
                // Sent already is the usual answer after the first tick: nothing moved.
                BallotState::Open if due_reminder(&b, now).is_some() => {
                    match self.send_due_reminder(&b, None).await {
                        Err(AppError::Conflict { .. }) => continue,
                        other => other.map(|_| ()),
                    }
                }
                BallotState::Closed if !self.ready_to_count(&b).await? => continue,
                BallotState::Closed => self.count_ballot(b.id).await.map(|_| ()),
                BallotState::Scheduled | BallotState::Open | BallotState::Counted => continue,
            };
            match step {
                Ok(()) | Err(AppError::Conflict { .. }) => moved += 1,
                Err(e) => return Err(e),
            }
        }
        // Elections whose ballot is counted: the winners take their seats.
        for e in self.store.elections().await? {
            let Some(ballot) = e.ballot else { continue };
            if e.seated_at.is_some() {
                continue;
            }
            let counted = self
                .store
                .ballot(ballot)
                .await?
                .is_some_and(|b| b.state == BallotState::Counted);
            if counted {
                match self.seat_election_winners(e.id).await {
                    Ok(_) | Err(AppError::Conflict { .. }) => moved += 1,
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(moved)
    }

    /// Runs the ballots' timetable until the process ends: opens, reminds, closes and counts
    /// ballots as their times come, checking every few seconds.
    pub async fn run_ballot_timetable(self) {
        loop {
            if let Err(e) = self.run_ballot_clock().await {
                tracing::error!(error = %e, "the ballot timetable could not run a round");
            }
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    }

    /// Puts every voter on the roll (as it stands after challenges) on the ballot and queues
    /// the letter that will carry their personal voting link.
    async fn open_ballot(&self, b: &BallotRecord) -> Result<(), AppError> {
        let eligible = self.eligible_voters(b).await?;
        let voters = self.letters(b, &eligible, false).await?;
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the ballot's timetable".into()),
            },
            "ballot.opened",
            format!("ballot:{}", b.id),
            json!({ "ballot": b.id, "voters": voters.len() }),
            &b.title,
        );
        self.store
            .open_ballot(b.id, &voters, &format!("Your vote: {}", b.title), &event)
            .await?;
        Ok(())
    }

    /// The voters of a ballot: the roll as it stands after challenges.
    pub(crate) async fn eligible_voters(
        &self,
        b: &BallotRecord,
    ) -> Result<Vec<(MemberId, UnitId)>, AppError> {
        let lines = self.store.roll_frozen_lines(b.roll, None).await?;
        let upheld: std::collections::BTreeSet<MemberId> = self
            .store
            .challenges(b.roll)
            .await?
            .into_iter()
            .filter(|c| c.state == ChallengeState::Upheld)
            .map(|c| c.member)
            .collect();
        Ok(lines
            .into_iter()
            .filter(|(m, _, ok)| *ok || upheld.contains(m))
            .map(|(m, b, _)| (m, b))
            .collect())
    }

    /// Whether a ballot may open: a verifiable one once its key is made and its
    /// credentials frozen; any other always.
    async fn ready_to_open(&self, b: &BallotRecord) -> Result<bool, AppError> {
        Ok(
            !b.sealed
                || self.ceremony(b.id).await?.stage == crate::verifiable::CeremonyStage::Ready,
        )
    }

    /// Whether a closed ballot can be counted: a verifiable one once its trustees have
    /// decrypted the tally; any other always.
    async fn ready_to_count(&self, b: &BallotRecord) -> Result<bool, AppError> {
        Ok(!b.sealed || self.ceremony(b.id).await?.tally.is_some())
    }

    /// One letter per voter, with the place for the personal link its sending mints.
    async fn letters(
        &self,
        b: &BallotRecord,
        voters: &[(MemberId, UnitId)],
        reminder: bool,
    ) -> Result<Vec<NewBallotVoter>, AppError> {
        let ids: Vec<MemberId> = voters.iter().map(|(m, _)| *m).collect();
        let contacts: std::collections::BTreeMap<MemberId, (String, String)> = self
            .store
            .member_contacts(&ids)
            .await?
            .into_iter()
            .map(|(m, name, email)| (m, (name, email)))
            .collect();
        Ok(voters
            .iter()
            .filter_map(|(m, branch)| {
                let (name, email) = contacts.get(m)?;
                let mut text = letter(b, name, crate::accounts::LINK_PLACE);
                if reminder {
                    text = format!(
                        "A reminder: our records show you have not voted yet. This link replaces the one sent before.\n\n{text}"
                    );
                }
                Some(NewBallotVoter {
                    member: *m,
                    branch: *branch,
                    address: email.clone(),
                    letter: text,
                })
            })
            .collect())
    }

    /// Sends the reminder the ballot's timetable has due now, to the voters who have not
    /// voted, and only them: `actor` is an officer running the ballot, or `None` for the
    /// timetable itself. A reminder goes once; there are no others. Returns how many letters
    /// were queued.
    pub async fn remind_nonvoters(&self, actor: &Actor, id: BallotId) -> Result<u64, AppError> {
        let b = self.ballot_record(id).await?;
        self.send_due_reminder(&b, Some(actor)).await
    }

    async fn send_due_reminder(
        &self,
        b: &BallotRecord,
        actor: Option<&Actor>,
    ) -> Result<u64, AppError> {
        let office = match actor {
            None => None,
            Some(actor) => {
                let roll = self.store.roll(b.roll).await?;
                Some(
                    self.ballot_authority(actor, roll.and_then(|r| r.unit))
                        .await?
                        .ok_or_else(|| {
                            AppError::Forbidden(
                                "only the officers running this ballot send reminders".into(),
                            )
                        })?,
                )
            }
        };
        if b.state != BallotState::Open {
            return Err(AppError::Conflict {
                field: "ballot".into(),
                message: format!(
                    "the ballot is {}: reminders go out while it is open",
                    b.state
                ),
            });
        }
        let now = self.clock.now();
        let sent: Vec<u32> = self
            .store
            .ballot_reminders(b.id)
            .await?
            .into_iter()
            .map(|r| r.days_before)
            .collect();
        let Some(days) = due_reminder(b, now).filter(|d| !sent.contains(d)) else {
            // The officer is told the timetable and its clause; the timetable itself, on its
            // next tick, only that nothing is due.
            let message = match actor {
                None => "no reminder is due".to_string(),
                Some(_) => {
                    let (_, c) = self.constitution_in_force(self.today()).await?;
                    reminder_refusal(b, ballot_rule(&c).0.as_deref(), now, &sent)
                }
            };
            return Err(AppError::Conflict {
                field: "ballot".into(),
                message,
            });
        };
        let waiting = self.store.ballot_nonvoters(b.id).await?;
        let letters = self.letters(b, &waiting, true).await?;
        let who = match (actor, &office) {
            (Some(actor), office) => event_actor(actor, office.as_ref()),
            (None, _) => EventActor {
                member: None,
                office: Some("the ballot's timetable".into()),
            },
        };
        let event = self.event(
            who,
            "ballot.reminded",
            format!("ballot:{}", b.id),
            json!({ "ballot": b.id, "days_before_close": days, "reminded": letters.len() }),
            &b.title,
        );
        Ok(self
            .store
            .remind_voters(
                b.id,
                days,
                &letters,
                &format!("Reminder: your vote in {}", b.title),
                &event,
            )
            .await?)
    }

    async fn close_ballot(&self, b: &BallotRecord) -> Result<(), AppError> {
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the ballot's timetable".into()),
            },
            "ballot.closed",
            format!("ballot:{}", b.id),
            json!({ "ballot": b.id }),
            &b.title,
        );
        self.store.close_ballot(b.id, &event).await?;
        if self.ready_to_count(b).await? {
            self.count_ballot(b.id).await?;
        }
        Ok(())
    }

    /// The voter a personal voting link belongs to, for voting without signing in.
    pub async fn voter_for_link(&self, id: BallotId, token: &str) -> Result<MemberId, AppError> {
        self.store
            .voter_by_link(id, &token_hash(token.trim()))
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "this voting link is not valid for this ballot: use the link in your letter, or sign in"
                        .into(),
                )
            })
    }

    /// Puts `voter`'s ballot in the box. `submission` is the ballot's own id, chosen by the
    /// voter's device: sending it again returns the same receipt. `replaces` names the
    /// voter's earlier ballot, where the constitution lets a later vote replace it.
    pub async fn cast_ballot(
        &self,
        voter: MemberId,
        id: BallotId,
        submission: &str,
        choice: &Choice,
        replaces: Option<&str>,
    ) -> Result<Receipt, AppError> {
        if self.open_board(id).await?.is_some() {
            return Err(AppError::invalid(
                "ranks",
                "this ballot is encrypted: your device encrypts your choice with the credential the scrutineer sent you, or the server does if you give it the credential",
            ));
        }
        let b = self.ballot_terms(id).await?;
        self.put_in_box(
            voter,
            id,
            submission,
            new_tracker(),
            {
                check_ranks(&b, &choice.ranks).map_err(|m| AppError::invalid("ranks", m))?;
                Sealed::seal(choice).0
            },
            replaces,
        )
        .await
    }

    /// Puts a sealed ballot in the box under its tracker: the checks and the store's answer
    /// shared by plaintext and encrypted ballots.
    pub(crate) async fn put_in_box(
        &self,
        voter: MemberId,
        id: BallotId,
        submission: &str,
        tracker: String,
        sealed: String,
        replaces: Option<&str>,
    ) -> Result<Receipt, AppError> {
        let b = self.ballot_terms(id).await?;
        let submission = check_submission(submission)?;
        let replaces = match replaces.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(_) if !b.later_vote_replaces => {
                return Err(AppError::invalid(
                    "replaces",
                    "the constitution does not let a later vote replace an earlier one in this ballot",
                ));
            }
            Some(r) => Some(submission_hash(id, voter, check_submission(r)?)),
        };
        let now = self.clock.now();
        if now < b.opens_at {
            return Err(AppError::Conflict {
                field: "ballot".into(),
                message: format!(
                    "voting opens at {} UTC",
                    b.opens_at.format("%-d %B %Y %H:%M")
                ),
            });
        }
        // Past its closing time the ballot closes now, whether or not the timetable has run
        // since; a resend of a ballot already in the box is still answered with its receipt.
        if now >= b.closes_at && b.state == BallotState::Open {
            match self.close_ballot(&b).await {
                Ok(()) | Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let cast = NewCast {
            tracker,
            submission_hash: submission_hash(id, voter, submission),
            sealed,
            replaces,
        };
        // Only that a member took part: never the tracker or the choice.
        let event = self.event(
            EventActor {
                member: Some(voter),
                office: None,
            },
            "ballot.voted",
            format!("ballot:{id}"),
            json!({ "ballot": id }),
            "took part",
        );
        let outcome = self
            .store
            .cast_ballot(id, voter, &cast, &event)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Forbidden(
                    "you are not on this ballot's roll, so you may not vote in it".into(),
                ),
                StoreError::Stale(_) => AppError::Conflict {
                    field: "ballot".into(),
                    message: "voting in this ballot has closed".into(),
                },
                other => other.into(),
            })?;
        Ok(match outcome {
            CastOutcome::Recorded { tracker } => Receipt {
                ballot: id,
                tracker,
                new: true,
                kept_aside: false,
            },
            CastOutcome::AlreadyRecorded { tracker } => Receipt {
                ballot: id,
                tracker,
                new: false,
                kept_aside: false,
            },
            CastOutcome::SetAside { tracker } => Receipt {
                ballot: id,
                tracker,
                new: true,
                kept_aside: true,
            },
        })
    }

    /// The ballots as published after close, by tracker, each with its choices by name.
    /// Before close: `Conflict` — nobody sees any choice while voting is open.
    pub async fn published_ballots(&self, id: BallotId) -> Result<Vec<PublishedBallot>, AppError> {
        let b = self.ballot_record(id).await?;
        // A sealed ballot publishes what its trustees decrypted: the rankings after the
        // shuffles, or the totals as that many ballots; its trackers are on its board.
        if let Some(election) = self.verifiable_election(&b).await? {
            return Ok(election
                .ballots
                .iter()
                .flat_map(|x| {
                    let ranks: Vec<String> = x
                        .ranks
                        .iter()
                        .filter_map(|r| b.options.get(r.first()?.0 as usize).cloned())
                        .collect();
                    std::iter::repeat_n(ranks, usize::try_from(x.weight).unwrap_or(0))
                })
                .map(|ranks| PublishedBallot {
                    tracker: String::new(),
                    ranks,
                })
                .collect());
        }
        let boxed = self.sealed_box(id).await?;
        boxed
            .iter()
            .map(|x| {
                let choice = Sealed(x.sealed.clone()).open()?;
                Ok(PublishedBallot {
                    tracker: x.tracker.clone(),
                    ranks: choice
                        .ranks
                        .iter()
                        .filter_map(|r| b.options.get(*r as usize).cloned())
                        .collect(),
                })
            })
            .collect()
    }

    /// The published box of a closed ballot, as the public download and `charter ballot
    /// export` give it.
    pub async fn published_box(&self, id: BallotId) -> Result<PublishedBox, AppError> {
        let ballots = self.published_ballots(id).await?;
        let b = self.ballot_record(id).await?;
        Ok(PublishedBox {
            title: b.title,
            seats: b.seats,
            method: b.method.name().to_string(),
            candidates: b.options,
            ballots,
        })
    }

    /// Counts a closed ballot again from its box, by the rule it was counted by, and says
    /// whether the count agrees with the result recorded at close. Records nothing.
    pub async fn recount_ballot(&self, id: BallotId) -> Result<Recount, AppError> {
        let ballot = self.ballot_record(id).await?;
        let election = self.ballot_election(id).await?;
        let report = self.report_of(&ballot, &election).await?;
        let matches_recorded = match &ballot.result_json {
            Some(recorded) => Some(report_json(&report)? == *recorded),
            None => None,
        };
        Ok(Recount {
            ballot,
            report,
            matches_recorded,
        })
    }

    /// The published ballot under `tracker`, as a voter checks their receipt: case, hyphens
    /// and spaces do not matter. `Ok(None)` when no ballot has that tracker; `Conflict`
    /// before close, like [`App::published_ballots`].
    pub async fn published_ballot(
        &self,
        id: BallotId,
        tracker: &str,
    ) -> Result<Option<PublishedBallot>, AppError> {
        // An encrypted ballot's tracker is on the board from the moment it is cast.
        if let Some(key) = crate::verifiable::board_tracker_key(tracker)
            && self.is_verifiable(id).await?
        {
            return Ok(self
                .store
                .encrypted_box(id)
                .await?
                .into_iter()
                .find(|x| x.tracker == key)
                .map(|x| PublishedBallot {
                    tracker: x.tracker,
                    ranks: Vec::new(),
                }));
        }
        let key = tracker_key(tracker);
        if key.len() != TRACKER_CHARS {
            return Err(AppError::invalid(
                "tracker",
                "a tracker is twelve letters and digits, like ABCD-EFGH-JKLM",
            ));
        }
        Ok(self
            .published_ballots(id)
            .await?
            .into_iter()
            .find(|p| tracker_key(&p.tracker) == key))
    }

    pub(crate) async fn sealed_box(&self, id: BallotId) -> Result<Vec<BoxedBallot>, AppError> {
        self.store
            .ballot_box(id)
            .await
            .map_err(stale_is_conflict("ballot"))
    }

    /// The closed ballot's box as a count input: the options as candidates, one ballot each.
    pub async fn ballot_election(&self, id: BallotId) -> Result<Election, AppError> {
        let b = self.ballot_record(id).await?;
        if let Some(election) = self.verifiable_election(&b).await? {
            return Ok(election);
        }
        let boxed = self.sealed_box(id).await?;
        let mut ballots: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
        for x in &boxed {
            *ballots
                .entry(Sealed(x.sealed.clone()).open()?.ranks)
                .or_default() += 1;
        }
        Ok(election_of(&b, ballots))
    }

    /// Counts a closed ballot by its method and records the result (once). Returns the
    /// count's report.
    pub async fn count_ballot(&self, id: BallotId) -> Result<charter_count::Report, AppError> {
        let b = self.ballot_record(id).await?;
        let election = self.ballot_election(id).await?;
        let report = self.report_of(&b, &election).await?;
        if b.state == BallotState::Closed {
            let outcome = outcome_words(&b, &report);
            let json = report_json(&report)?;
            let event = self.event(
                EventActor {
                    member: None,
                    office: Some("the ballot's timetable".into()),
                },
                "ballot.counted",
                format!("ballot:{id}"),
                json!({ "ballot": id, "ballots": election.total_votes(), "outcome": outcome }),
                &outcome,
            );
            let decision = match self.store.ballot_amendment(id).await? {
                Some(amendment) => Some(self.ballot_decision(&b, amendment, &election).await?),
                None => None,
            };
            let written = self
                .store
                .record_ballot_count(id, &json, &outcome, &event, decision.as_ref())
                .await;
            if decision.is_some() {
                self.constitution_changed().await;
            }
            match written {
                Ok(()) | Err(StoreError::Stale(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(report)
    }

    /// The decision a counted ballot of the members made on the amendment it put, judged by
    /// the amendment procedure of the version in force on its closing day: notice runs from
    /// its opening (when the letters with the voting links went out), the roll is who was
    /// entitled, and the ballots returned are who took part.
    async fn ballot_decision(
        &self,
        b: &BallotRecord,
        amendment: AmendmentId,
        election: &Election,
    ) -> Result<charter_store::AmendmentDecision, AppError> {
        let (r, proposed) = self.amendment_parsed(amendment).await?;
        let count = |option: u32| u32::try_from(answered(election, option)).unwrap_or(u32::MAX);
        let present = u32::try_from(election.total_votes()).unwrap_or(u32::MAX);
        let member_ballot = Key::parse(charter_rules::MEMBER_BALLOT)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let record = charter_rules::DecisionRecord {
            body: member_ballot.clone(),
            meeting_kind: member_ballot,
            notice_sent_on: Some(b.opens_at.date_naive()),
            meeting_on: b.closes_at.date_naive(),
            members_entitled: b
                .electorate
                .and_then(|e| u32::try_from(e).ok())
                .unwrap_or(present)
                .max(present),
            present,
            votes_for: count(0),
            votes_against: count(1),
            abstentions: count(2),
        };
        let text = format!(
            "Adopted by a ballot of the members (\"{}\", ballot {}) closed on {}: {} for, {} against, {} abstaining; {} took part of {} entitled; voting opened on {}",
            b.title,
            b.id,
            record.meeting_on,
            record.votes_for,
            record.votes_against,
            record.abstentions,
            record.present,
            record.members_entitled,
            b.opens_at.date_naive()
        );
        Ok(self
            .judge_amendment(&r, &proposed, &record, text, json!({ "ballot": b.id }))
            .await?
            .decision)
    }

    /// The count of `election` (the ballot's box) by the ballot's method or threshold.
    pub(crate) async fn report_of(
        &self,
        b: &BallotRecord,
        election: &Election,
    ) -> Result<charter_count::Report, AppError> {
        if b.kind == BallotKind::Question {
            self.count_question(b, election).await
        } else {
            count_by(election, b.method, &StvOptions::default())
                .map_err(|e| AppError::Internal(format!("the count failed: {e}")))
        }
    }

    async fn count_question(
        &self,
        b: &BallotRecord,
        election: &Election,
    ) -> Result<charter_count::Report, AppError> {
        let (_, c) = self.constitution_in_force(b.opens_at.date_naive()).await?;
        let kind = DecisionKind::ALL
            .into_iter()
            .find(|k| Some(k.as_str()) == b.decision_kind.as_deref())
            .ok_or_else(|| AppError::Internal("stored decision kind".into()))?;
        let (_, _, t) = question_threshold(&c, kind)
            .ok_or_else(|| AppError::Internal("the threshold is gone".into()))?;
        let count = |option: u32| answered(election, option);
        let (numerator, denominator) = (u64::from(t.fraction.num()), u64::from(t.fraction.den()));
        let threshold = match t.comparison {
            charter_rules::Comparison::AtLeast => yes_no::Threshold::AtLeast {
                numerator,
                denominator,
            },
            charter_rules::Comparison::MoreThan => yes_no::Threshold::MoreThan {
                numerator,
                denominator,
            },
        };
        let base = match t.base {
            charter_rules::Base::VotesCast => yes_no::Base::VotesCast,
            charter_rules::Base::Present => yes_no::Base::Present,
            charter_rules::Base::WholeMembership => yes_no::Base::Electorate,
        };
        let electorate = b.electorate.and_then(|e| u64::try_from(e).ok());
        yes_no::report(
            &b.title,
            yes_no::Counts {
                yes: count(0),
                no: count(1),
                abstain: count(2),
                present: Some(election.total_votes()),
                electorate: electorate.map(|e| e.max(election.total_votes())),
            },
            threshold,
            base,
        )
        .map_err(|e| AppError::Internal(format!("the count failed: {e}")))
    }
}

/// How many ballots of a question gave answer `option` (Yes 0, No 1, Abstain 2).
fn answered(election: &Election, option: u32) -> u64 {
    election
        .ballots
        .iter()
        .filter(|x| x.ranks.first().map(|r| r[0].0) == Some(option))
        .map(|x| x.weight)
        .sum()
}

/// The threshold a question of `kind` is decided by, with its clause and who may decide it:
/// an amendment's comes from the amendment procedure, any other from its threshold clause.
fn question_threshold(
    c: &Constitution,
    kind: DecisionKind,
) -> Option<(&charter_rules::ClauseRef, &[Key], &charter_rules::Threshold)> {
    if kind == DecisionKind::ConstitutionalAmendment {
        return c
            .amendment_procedure()
            .map(|(clause, p)| (clause, p.by.as_slice(), &p.threshold));
    }
    c.threshold_for(kind)
        .map(|(clause, t)| (clause, t.by.as_slice(), &t.threshold))
}

/// A count's report as the JSON record kept with the ballot (`charter count --format json`).
/// A ballot's count input: its options as candidates, and each distinct ranking (options by
/// place on the ballot, most preferred first) with how many ballots gave it.
pub(crate) fn election_of(
    b: &BallotRecord,
    ballots: std::collections::BTreeMap<Vec<u32>, u64>,
) -> Election {
    Election {
        title: b.title.clone(),
        seats: b.seats,
        candidates: b
            .options
            .iter()
            .map(|name| Candidate {
                name: name.clone(),
                nick: None,
                withdrawn: false,
            })
            .collect(),
        ballots: ballots
            .into_iter()
            .map(|(ranks, weight)| Ballot {
                weight,
                ranks: ranks.into_iter().map(|r| vec![CandidateId(r)]).collect(),
            })
            .collect(),
    }
}

pub(crate) fn report_json(report: &charter_count::Report) -> Result<String, AppError> {
    let mut json = Vec::new();
    charter_count::render::render(report, charter_count::render::Format::Json, &mut json)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(json).map_err(|e| AppError::Internal(e.to_string()))
}

/// The constitution's ballot rule with its clause; its defaults when it has no ballot clause.
pub(crate) fn ballot_rule(c: &Constitution) -> (Option<String>, BallotRule) {
    match c.ballot_rule() {
        Some((clause, r)) => (Some(clause.as_str().to_string()), r.clone()),
        None => (None, BallotRule::default()),
    }
}

fn outcome_words(b: &BallotRecord, report: &charter_count::Report) -> String {
    let names: Vec<&str> = report
        .elected
        .iter()
        .filter_map(|c| b.options.get(c.index()).map(String::as_str))
        .collect();
    if b.kind == BallotKind::Question {
        let carried = names.first() == Some(&"Yes");
        let word = if carried { "carried" } else { "not carried" };
        let reason = report
            .rounds
            .last()
            .map(|r| r.reason.clone())
            .unwrap_or_default();
        // The yes/no count says "carried: …" itself; say it once.
        if reason.starts_with(&format!("{word}:")) {
            reason
        } else {
            format!("{word}: {reason}")
        }
    } else {
        format!("elected: {}", names.join(", "))
    }
}

/// The letter carrying a voter's personal link.
/// The reminder of the ballot's timetable whose time has come, latest first: the one to
/// send now if it has not gone.
fn due_reminder(b: &BallotRecord, now: DateTime<Utc>) -> Option<u32> {
    b.reminder_days
        .iter()
        .copied()
        .filter(|d| now >= b.closes_at - chrono::Duration::days(i64::from(*d)))
        .min()
}

/// Why no reminder goes now: the timetable, what went and when the next is due.
fn reminder_refusal(
    b: &BallotRecord,
    clause: Option<&str>,
    now: DateTime<Utc>,
    sent: &[u32],
) -> String {
    let clause = clause.map(|c| format!(" (clause {c})")).unwrap_or_default();
    if b.reminder_days.is_empty() {
        return format!("this ballot's timetable{clause} sends no reminders");
    }
    let next = b
        .reminder_days
        .iter()
        .map(|d| (d, b.closes_at - chrono::Duration::days(i64::from(*d))))
        .filter(|(d, at)| *at > now && !sent.contains(d))
        .min_by_key(|(_, at)| *at);
    let days: Vec<String> = b.reminder_days.iter().map(u32::to_string).collect();
    let timetable = format!(
        "the timetable{clause} reminds those who have not voted {} days before close, once each",
        days.join(" and ")
    );
    match next {
        Some((_, at)) => format!(
            "{timetable}: the next reminder is due at {} UTC",
            at.format("%-d %B %Y %H:%M")
        ),
        None => format!("{timetable}: every reminder has gone"),
    }
}

fn letter(b: &BallotRecord, name: &str, link: &str) -> String {
    format!(
        "Dear {name},\n\nVoting is open in the ballot \"{}\" until {} UTC.\n\n{}\n\nYour personal voting link (do not share it; it works once you open it, without a password):\n{link}\n\nAfter voting you get a receipt with a tracker. When the ballot closes every ballot is published with its tracker, so you can check that yours was counted as you cast it.\n",
        b.title,
        b.closes_at.format("%A %-d %B %Y, %H:%M"),
        b.question
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_sealed_choice_opens_to_itself(ranks in proptest::collection::vec(0u32..50, 1..10)) {
            let c = Choice { ranks };
            prop_assert_eq!(Sealed::seal(&c).open().unwrap(), c);
        }
    }

    #[test]
    fn trackers_are_grouped_and_unambiguous() {
        let t = new_tracker();
        assert_eq!(t.len(), 14);
        assert!(
            t.chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"IO01".contains(c)))
        );
        assert_ne!(new_tracker(), t);
    }

    #[test]
    fn trackers_match_whatever_the_case_and_separators() {
        let t = new_tracker();
        let key = tracker_key(&t);
        assert_eq!(key.len(), TRACKER_CHARS);
        assert_eq!(tracker_key(&t.to_lowercase()), key);
        assert_eq!(tracker_key(&t.replace('-', "")), key);
        assert_eq!(tracker_key(&format!(" {} ", t.replace('-', " "))), key);
        assert_ne!(tracker_key("ABCD-EFGH-JKLN"), tracker_key("ABCD-EFGH-JKLM"));
    }

    #[test]
    fn submissions_are_checked() {
        assert!(check_submission("2f1c8a9e-77aa-4b1e-9d1c-1f0c2b3a4d5e").is_ok());
        assert!(check_submission("short").is_err());
        assert!(check_submission("has spaces in it").is_err());
    }
}
