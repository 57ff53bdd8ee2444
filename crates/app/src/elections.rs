//! Elections to the seats of a body the constitution fills by election: nominations by members
//! entitled to nominate (as many as the constitution requires per candidate), each candidate's
//! right to stand checked with the clause when nominated, statements, withdrawals until the
//! constitution's deadline, then a ballot of the valid candidates counted by the method in
//! force. When the ballot is counted the winners take their seats for the body's term.

use charter_domain::{Actor, MemberId, NominationState};
use charter_model::{BallotId, ElectionId, RollId};
use charter_rules::{Context, Filling, Forum, Key, Right};
use charter_store::{ElectionRecord, NewElection, NominationRecord, NoticeText, Recipient, Term};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::ballots::BallotRequest;
use crate::constitution::member_facts;
use crate::meetings::{MAX_MOTION, MAX_TITLE, too_long};
use crate::{App, AppError, event_actor};

/// An election as an officer opens it.
#[derive(Debug, Clone, Default)]
pub struct ElectionRequest {
    /// The body's key in the constitution, e.g. steering-committee.
    pub body: String,
    pub title: String,
    /// The frozen roll of those who elect (the electing body's, or all members').
    pub roll: Option<RollId>,
    pub nominations_close_at: Option<DateTime<Utc>>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

impl App {
    /// Opens nominations for an election to `req.body`'s seats.
    pub async fn open_election(
        &self,
        actor: &Actor,
        req: &ElectionRequest,
    ) -> Result<ElectionId, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let mut errs = charter_domain::FieldErrors::default();
        let title = req.title.trim();
        if title.is_empty() {
            errs.add(
                "title",
                "give the election a title, e.g. 'Steering committee 2017'",
            );
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        let body = Key::parse(&req.body)
            .ok()
            .and_then(|k| c.body(&k).map(|(_, b)| b.clone()));
        let Some(body) = body else {
            errs.add(
                "body",
                format!(
                    "'{}' is no body of the constitution in force",
                    req.body.trim()
                ),
            );
            return Err(AppError::Invalid(errs));
        };
        let seats = match (&body.filled, body.seats) {
            (Filling::ElectedBy(_), Some(n)) => n,
            _ => {
                errs.add(
                    "body",
                    format!("the {} is not filled by election", body.name),
                );
                return Err(AppError::Invalid(errs));
            }
        };
        let Some((clause, rule)) = c.nomination_for(&body.key) else {
            errs.add(
                "body",
                format!(
                    "the constitution sets no nomination procedure for the {}",
                    body.name
                ),
            );
            return Err(AppError::Invalid(errs));
        };
        let window = Duration::days(i64::from(rule.window_days));
        let nominations_close = match req.nominations_close_at {
            Some(t) if t >= now + window => Some(t),
            Some(_) => {
                errs.add(
                    "nominations_close_at",
                    format!(
                        "clause {clause}: nominations stay open for at least {} days",
                        rule.window_days
                    ),
                );
                None
            }
            None => {
                errs.add("nominations_close_at", "give the time nominations close");
                None
            }
        };
        let opens = match (nominations_close, req.opens_at) {
            (Some(n), Some(o)) if o > n => Some(o),
            (_, None) => {
                errs.add("opens_at", "give the time voting opens");
                None
            }
            (_, Some(_)) => {
                errs.add("opens_at", "voting opens after nominations close");
                None
            }
        };
        let roll = match req.roll {
            None => {
                errs.add("roll", "choose the frozen roll of those who elect");
                None
            }
            Some(id) => self.store.roll(id).await?.or_else(|| {
                errs.add("roll", "no such roll");
                None
            }),
        };
        let (Some(nominations_close), Some(opens), Some(closes), Some(roll)) =
            (nominations_close, opens, req.closes_at, roll)
        else {
            if req.closes_at.is_none() {
                errs.add("closes_at", "give the time voting closes");
            }
            return Err(AppError::Invalid(errs));
        };
        if closes <= opens {
            errs.add("closes_at", "voting closes after it opens");
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let withdrawals_close = rule
            .withdrawal_due(opens.date_naive())
            .and_hms_opt(23, 59, 59)
            .map(|t| t.and_utc())
            .unwrap_or(opens)
            .min(opens);
        let national = self
            .store
            .units()
            .await?
            .into_iter()
            .find(|u| u.parent.is_none())
            .ok_or(AppError::NotFound("national unit"))?;
        let body_id = self
            .store
            .bodies(Some(national.id), today)
            .await?
            .into_iter()
            .find(|b| b.name == body.name)
            .map(|b| b.id)
            .ok_or_else(|| {
                AppError::invalid(
                    "body",
                    format!("the register has no {} to elect to", body.name),
                )
            })?;
        let office = self.ballot_authority(actor, None).await?.ok_or_else(|| {
            AppError::Forbidden("only national officers who call meetings run elections".into())
        })?;
        // The notice of nominations goes to everyone on the roll of those who elect.
        let electors: Vec<MemberId> = self
            .store
            .roll_frozen_lines(roll.id, None)
            .await?
            .into_iter()
            .filter(|(_, _, eligible)| *eligible)
            .map(|(m, _, _)| m)
            .collect();
        let recipients: Vec<Recipient> = self
            .store
            .member_contacts(&electors)
            .await?
            .into_iter()
            .map(|(member, _, address)| Recipient { member, address })
            .collect();
        let notice = NoticeText {
            subject: format!("Nominations open: {title}"),
            body: nominations_notice(&NominationsNotice {
                title,
                body: &body.name,
                seats,
                nominators: rule.nominators,
                clause: clause.as_str(),
                nominations_close,
                withdrawals_close,
                opens,
                closes,
            }),
        };
        let term_days = body
            .term
            .and_then(|d| d.after(today))
            .and_then(|end| u32::try_from((end - today).num_days()).ok());
        let event = self.event(
            event_actor(actor, Some(&office)),
            "election.opened",
            "election".into(),
            json!({
                "body": body.key.as_str(), "title": title, "seats": seats, "roll": roll.id,
                "nominations_close_at": nominations_close, "opens_at": opens, "closes_at": closes,
            }),
            title,
        );
        Ok(self
            .store
            .create_election(
                &NewElection {
                    body: body.key.as_str().to_string(),
                    body_id,
                    title: title.to_string(),
                    seats,
                    term_days,
                    roll: roll.id,
                    nominators: rule.nominators,
                    clause: Some(clause.as_str().to_string()),
                    nominations_close_at: nominations_close,
                    withdrawals_close_at: withdrawals_close,
                    opens_at: opens,
                    closes_at: closes,
                    created_by: Some(actor.member),
                },
                &notice,
                &recipients,
                &event,
            )
            .await?)
    }

    pub async fn elections(&self) -> Result<Vec<ElectionRecord>, AppError> {
        Ok(self.store.elections().await?)
    }

    pub async fn election(
        &self,
        id: ElectionId,
    ) -> Result<(ElectionRecord, Vec<NominationRecord>), AppError> {
        let e = self
            .store
            .election(id)
            .await?
            .ok_or(AppError::NotFound("election"))?;
        let n = self.store.nominations(id).await?;
        Ok((e, n))
    }

    /// Whether `member` holds `right` for the body's seats today, with the reason and clauses.
    async fn body_right(
        &self,
        member: MemberId,
        body: &str,
        right: Right,
    ) -> Result<(bool, String), AppError> {
        let (allowed, reason, clauses) = self.body_decision(member, body, right).await?;
        let why = if clauses.is_empty() {
            reason
        } else {
            format!("{reason} (clause {})", clauses.join(", "))
        };
        Ok((allowed, why))
    }

    /// Whether `member` has `right` on `body` by the constitution in force today: the
    /// answer, its reason in words (which may speak of the member's status, dues or
    /// affiliations: only for the member themselves and officers entitled to read them) and
    /// the clauses that decide it.
    async fn body_decision(
        &self,
        member: MemberId,
        body: &str,
        right: Right,
    ) -> Result<(bool, String, Vec<String>), AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let key = Key::parse(body).map_err(|e| AppError::Internal(e.to_string()))?;
        let facts = self
            .store
            .member_facts_of(member, today, None)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let d = c.decide(
            &member_facts(facts),
            right,
            &Forum::national(Context::Committee(key)),
            today,
        );
        let clauses = d.clauses.iter().map(|c| c.as_str().to_string()).collect();
        Ok((d.allowed, d.reason.clone(), clauses))
    }

    /// The actor nominates `candidate`. Both rights are checked by the constitution in force:
    /// the nominator's to nominate and the candidate's to stand; a refusal cites the clause.
    pub async fn nominate(
        &self,
        actor: &Actor,
        election: ElectionId,
        candidate: MemberId,
    ) -> Result<NominationRecord, AppError> {
        let (e, _) = self.election(election).await?;
        if self.clock.now() >= e.nominations_close_at {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: format!(
                    "nominations closed at {} UTC",
                    e.nominations_close_at.format("%-d %B %Y %H:%M")
                ),
            });
        }
        if candidate == actor.member {
            return Err(AppError::invalid(
                "candidate",
                "members are nominated by others, not by themselves",
            ));
        }
        let (may, why) = self
            .body_right(actor.member, &e.body, Right::Nominate)
            .await?;
        if !may {
            return Err(AppError::Forbidden(format!("you may not nominate: {why}")));
        }
        // The refusal names the clause only: why a member may not stand (their status, dues
        // or affiliations) is theirs, and an unknown number is refused in the same words,
        // so nominating cannot be used to read the register or to find who is on it.
        let may_not_stand = |clauses: &[String]| {
            let under = if clauses.is_empty() {
                String::new()
            } else {
                format!(" under clause {}", clauses.join(", "))
            };
            AppError::invalid(
                "candidate",
                format!(
                    "this member may not stand{under}; they can see why on their own rights page"
                ),
            )
        };
        match self.body_decision(candidate, &e.body, Right::Stand).await {
            Ok((true, _, _)) => {}
            Ok((false, _, clauses)) => return Err(may_not_stand(&clauses)),
            Err(AppError::NotFound(_)) => return Err(may_not_stand(&[])),
            Err(e) => return Err(e),
        }
        let m = self
            .store
            .member(candidate, None)
            .await?
            .ok_or_else(|| may_not_stand(&[]))?;
        let name = format!("{} {}", m.record.first_name, m.record.last_name);
        let event = self.event(
            event_actor(actor, None),
            "election.nominated",
            format!("election:{election}"),
            json!({ "election": election, "candidate": candidate.0 }),
            &name,
        );
        Ok(self
            .store
            .nominate(
                election,
                candidate,
                &name,
                actor.member,
                e.nominators,
                &event,
            )
            .await?)
    }

    async fn own_nomination(
        &self,
        actor: &Actor,
        election: ElectionId,
    ) -> Result<(ElectionRecord, NominationRecord), AppError> {
        let (e, list) = self.election(election).await?;
        let mine = list
            .into_iter()
            .find(|n| n.candidate == actor.member)
            .ok_or_else(|| {
                AppError::Forbidden("you are not a candidate in this election".into())
            })?;
        Ok((e, mine))
    }

    /// The candidate publishes (or rewrites) their statement until voting opens.
    pub async fn set_statement(
        &self,
        actor: &Actor,
        election: ElectionId,
        text: &str,
    ) -> Result<(), AppError> {
        let (e, n) = self.own_nomination(actor, election).await?;
        if self.clock.now() >= e.opens_at {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: "statements are fixed once voting opens".into(),
            });
        }
        if too_long(text.trim(), MAX_MOTION) {
            return Err(AppError::invalid(
                "statement",
                "the statement is longer than 20,000 characters",
            ));
        }
        let event = self.event(
            event_actor(actor, None),
            "election.statement",
            format!("election:{election}"),
            json!({ "election": election, "nomination": n.id }),
            &n.name,
        );
        Ok(self.store.set_statement(n.id, text.trim(), &event).await?)
    }

    /// The candidate withdraws, until the constitution's withdrawal deadline.
    pub async fn withdraw_candidacy(
        &self,
        actor: &Actor,
        election: ElectionId,
    ) -> Result<(), AppError> {
        let (e, n) = self.own_nomination(actor, election).await?;
        if self.clock.now() > e.withdrawals_close_at {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: format!(
                    "clause {}: withdrawals closed at {} UTC",
                    e.clause.as_deref().unwrap_or("?"),
                    e.withdrawals_close_at.format("%-d %B %Y %H:%M")
                ),
            });
        }
        let event = self.event(
            event_actor(actor, None),
            "election.withdrawn",
            format!("election:{election}"),
            json!({ "election": election, "nomination": n.id }),
            &n.name,
        );
        Ok(self.store.withdraw_nomination(n.id, &event).await?)
    }

    /// After nominations close, builds the election's ballot from the valid nominations (in
    /// the order nominated), counted by the constitution's method for its seats.
    pub async fn build_election_ballot(
        &self,
        actor: &Actor,
        election: ElectionId,
        trustees: &[MemberId],
    ) -> Result<BallotId, AppError> {
        let (e, list) = self.election(election).await?;
        if self.clock.now() < e.nominations_close_at {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: "nominations are still open".into(),
            });
        }
        if e.ballot.is_some() {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: "the ballot is already built".into(),
            });
        }
        let candidates: Vec<String> = list
            .iter()
            .filter(|n| n.state == NominationState::Valid)
            .map(|n| n.name.clone())
            .collect();
        if candidates.len() < e.seats as usize {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: format!(
                    "{} valid nominations for {} seats: reopen nominations or leave seats vacant by the constitution",
                    candidates.len(),
                    e.seats
                ),
            });
        }
        let ballot = self
            .create_ballot(
                actor,
                &BallotRequest {
                    title: e.title.clone(),
                    question: format!("Elect {} to the {}.", e.seats, e.body.replace('-', " ")),
                    kind: "election".into(),
                    decision_kind: None,
                    candidates,
                    seats: Some(e.seats),
                    roll: Some(e.roll),
                    opens_at: Some(e.opens_at),
                    closes_at: Some(e.closes_at),
                    trustees: trustees.to_vec(),
                },
            )
            .await?;
        let event = self.event(
            event_actor(actor, None),
            "election.ballot",
            format!("election:{election}"),
            json!({ "election": election, "ballot": ballot }),
            &e.title,
        );
        self.store
            .attach_election_ballot(election, ballot, &event)
            .await?;
        Ok(ballot)
    }

    /// Once the election's ballot is counted, seats its winners for the body's term from the
    /// day after the count (their seats carry the body's rights from then). Returns them.
    pub async fn seat_election_winners(
        &self,
        election: ElectionId,
    ) -> Result<Vec<MemberId>, AppError> {
        let (e, list) = self.election(election).await?;
        let ballot = e.ballot.ok_or_else(|| AppError::Conflict {
            field: "election".into(),
            message: "the election has no ballot yet".into(),
        })?;
        let b = self
            .store
            .ballot(ballot)
            .await?
            .ok_or(AppError::NotFound("ballot"))?;
        let (Some(json), Some(counted)) = (b.result_json.as_deref(), b.counted_at) else {
            return Err(AppError::Conflict {
                field: "election".into(),
                message: "the ballot is not counted yet".into(),
            });
        };
        let result: serde_json::Value =
            serde_json::from_str(json).map_err(|e| AppError::Internal(e.to_string()))?;
        let winners: Vec<MemberId> = result["elected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|name| {
                list.iter()
                    .find(|n| {
                        n.state == NominationState::Valid && Some(n.name.as_str()) == name.as_str()
                    })
                    .map(|n| n.candidate)
            })
            .collect();
        let starts = counted.date_naive() + chrono::Days::new(1);
        let term = Term {
            starts_on: starts,
            ends_on: e
                .term_days
                .map(|d| starts + chrono::Days::new(u64::from(d)) - chrono::Days::new(1)),
        };
        let event = self.event(
            charter_store::EventActor {
                member: None,
                office: Some("the election's count".into()),
            },
            "election.seated",
            format!("election:{election}"),
            json!({ "election": election, "winners": winners.iter().map(|m| m.0).collect::<Vec<_>>() }),
            &e.title,
        );
        self.store
            .seat_winners(
                election,
                &winners,
                term,
                &format!("elected: {}", e.title),
                &event,
            )
            .await?;
        Ok(winners)
    }
}

/// What the notice of nominations says.
struct NominationsNotice<'a> {
    title: &'a str,
    body: &'a str,
    seats: u32,
    nominators: u32,
    clause: &'a str,
    nominations_close: DateTime<Utc>,
    withdrawals_close: DateTime<Utc>,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
}

fn nominations_notice(n: &NominationsNotice<'_>) -> String {
    let when = |t: DateTime<Utc>| t.format("%-d %B %Y %H:%M UTC").to_string();
    format!(
        "Nominations are open for {seats} seat{s} on the {body} ({title}).\n\n\
         Nominations close: {close}\n\
         Each candidate needs {nominators} nominator{ns} entitled to nominate (clause {clause}).\n\
         Candidates may withdraw until: {withdraw}\n\
         Voting: from {opens} to {closes}, with a personal voting link sent to each voter.\n\n\
         To nominate a member, or to read the candidates' statements, sign in and open \
         Elections. A nomination of someone the constitution does not let stand is refused \
         with the clause that says why.\n",
        seats = n.seats,
        s = if n.seats == 1 { "" } else { "s" },
        body = n.body,
        title = n.title,
        close = when(n.nominations_close),
        nominators = n.nominators,
        ns = if n.nominators == 1 { "" } else { "s" },
        clause = n.clause,
        withdraw = when(n.withdrawals_close),
        opens = when(n.opens),
        closes = when(n.closes),
    )
}
