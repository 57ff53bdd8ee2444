//! Delegate conferences. When the constitution makes a kind of conference sitting a delegate
//! conference (`[[clause.delegates]]`), its officers apportion delegates among the branches by
//! their paid-up members on the day the clause says; each branch's officers record its
//! delegates and substitutes until the credentials are due; any member may challenge a
//! credential until the challenge deadline, and the officer the clause names rules on each
//! challenge with a reason (an upheld challenge strikes the credential). At the conference
//! the officers check delegates in, a substitute standing in for an absent delegate of their
//! branch, and put motions to card votes: each delegate present holds a card fixed when the
//! vote opens, and the motion is decided by the cards while the show of hands is kept beside
//! them. Every refusal cites the clause.

use charter_domain::DelegateRole;
use std::collections::BTreeMap;

use charter_domain::{
    Actor, CheckInWindow, DelegateCredentialState, MeetingState, MemberId, MemberStatus,
    MotionState, OfficeKind, Power, UnitId, UnitKind,
};
use charter_model::{CredentialChallengeId, CredentialId, MeetingId, MotionId};
use charter_rules::{Context, DelegatesRule, Forum, Key, MotionResult, Right};
use charter_store::{
    Allocation, AllocationRecord, Card, CardBallotRecord, CardVoteRecord,
    CredentialChallengeRecord, CredentialRecord, DelegateConferenceRecord, MeetingRecord,
    NewApportionment, NewCardBallot, NewCredential, StoreError, VoteReceipt,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use crate::constitution::member_facts;
use crate::error::stale_is_conflict;
use crate::meetings::too_long;
use crate::{App, AppError, event_actor};

/// The longest note of how a branch chose its delegates, in characters.
pub const MAX_SOURCE: usize = 200;
/// The longest grounds of a challenge to a credential, or reason for a ruling, in characters.
pub const MAX_GROUNDS: usize = 4_000;

/// A delegate conference as one member sees it.
#[derive(Debug, Clone)]
pub struct ConferenceView {
    pub meeting: MeetingRecord,
    /// The clause making this sitting a delegate conference, and the rule in words, under the
    /// version in force on the conference's day.
    pub clause: Option<String>,
    pub rule_words: Option<String>,
    /// `None` until the officers apportion the delegates.
    pub conference: Option<DelegateConferenceRecord>,
    pub allocations: Vec<AllocationRecord>,
    pub credentials: Vec<CredentialRecord>,
    pub challenges: Vec<CredentialChallengeRecord>,
    /// Card votes on the conference's motions, by motion id.
    pub card_votes: BTreeMap<MotionId, CardVoteRecord>,
    /// The reader runs the conference: apportions, checks delegates in, takes card votes.
    pub may_run: bool,
    /// The reader holds the office the clause names to rule on challenges.
    pub may_rule: bool,
    /// Branches whose credentials the reader may record.
    pub may_credential: Vec<UnitId>,
    pub now: DateTime<Utc>,
}

impl ConferenceView {
    pub fn total_delegates(&self) -> u64 {
        self.allocations
            .iter()
            .map(|a| u64::from(a.delegates))
            .sum()
    }

    pub fn total_paid_up(&self) -> u64 {
        self.allocations.iter().map(|a| a.paid_up).sum()
    }

    pub fn credential(&self, id: CredentialId) -> Option<&CredentialRecord> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// Whether members may still lodge challenges.
    pub fn challenges_open(&self) -> bool {
        self.conference
            .as_ref()
            .is_some_and(|c| self.now <= c.challenges_close_at)
    }

    pub fn credentials_open(&self) -> bool {
        self.conference
            .as_ref()
            .is_some_and(|c| self.now <= c.credentials_due_at)
    }
}

/// A credential as a branch officer records it.
#[derive(Debug, Clone, Default)]
pub struct CredentialRequest {
    pub branch: Option<UnitId>,
    pub member: Option<MemberId>,
    /// `delegate` or `substitute`.
    pub role: String,
    /// How the branch chose them, e.g. "elected at the branch AGM, 12 September".
    pub source: String,
}

/// A card vote with the record of how each delegate cast their card.
#[derive(Debug, Clone)]
pub struct CardVoteView {
    pub vote: CardVoteRecord,
    pub ballots: Vec<CardBallotRecord>,
}

/// The end of a day, as the moment a deadline "until the end of that day" passes.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y %H:%M UTC").to_string()
}

/// The rule a conference was apportioned under, rebuilt from what was recorded with it.
fn recorded_rule(
    m: &MeetingRecord,
    c: &DelegateConferenceRecord,
) -> Result<DelegatesRule, AppError> {
    let internal = |e: charter_rules::ValueError| AppError::Internal(e.0);
    Ok(DelegatesRule {
        meeting: Key::parse(&m.kind).map_err(internal)?,
        members_per_delegate: c.members_per_delegate,
        minimum: c.minimum,
        maximum: c.maximum,
        counted_days_before: 0,
        substitutes: c.substitutes,
        card_vote: c.card_vote,
        credentials_due_days: 0,
        challenge_days: 0,
        ruled_by: Key::parse(&c.ruled_by).map_err(internal)?,
    })
}

fn no_conference() -> AppError {
    AppError::Conflict {
        field: "meeting".into(),
        message: "this conference's delegates have not been apportioned yet".into(),
    }
}

impl App {
    /// The clause making meeting `m` a delegate conference under the version in force on its
    /// day, or a refusal saying why it is not one.
    async fn delegates_rule(&self, m: &MeetingRecord) -> Result<(String, DelegatesRule), AppError> {
        let on = m.starts_at.date_naive();
        let (info, c) = self.constitution_in_force(on).await?;
        let kind = Key::parse(&m.kind).map_err(|e| AppError::Internal(e.0))?;
        match (m.unit, c.delegates_for(&kind)) {
            (None, Some((clause, rule))) => Ok((clause.as_str().to_string(), rule.clone())),
            _ => Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "the constitution in force on {on} ('{}') makes no {} a delegate conference",
                    info.version,
                    m.kind.replace('-', " ")
                ),
            }),
        }
    }

    async fn delegate_conference_of(
        &self,
        meeting: MeetingId,
    ) -> Result<DelegateConferenceRecord, AppError> {
        self.store
            .delegate_conference(meeting)
            .await?
            .ok_or_else(no_conference)
    }

    /// Apportions the conference's delegates among the branches: each branch's members active
    /// and paid up (with the grace period of the version then in force) on the day the clause
    /// says are counted, and the clause gives the delegates. Once, by the officers running the
    /// conference, from that day until the credentials are due.
    pub async fn apportion_delegates(
        &self,
        actor: &Actor,
        meeting: MeetingId,
    ) -> Result<Vec<AllocationRecord>, AppError> {
        let m = self.meeting_record(meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this conference apportion its delegates",
            )
            .await?;
        if m.state != MeetingState::Called {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting was cancelled".into(),
            });
        }
        let (clause, rule) = self.delegates_rule(&m).await?;
        let on = m.starts_at.date_naive();
        let counted_on = rule.counted_on(on);
        let today = self.today();
        if today < counted_on {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "clause {clause}: paid-up members are counted on {counted_on}, {} days before the conference; apportion on or after that day",
                    rule.counted_days_before
                ),
            });
        }
        let credentials_due_at = end_of(rule.credentials_due(on));
        if self.clock.now() > credentials_due_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "clause {clause}: credentials were due by {}; it is too late to apportion delegates",
                    when(credentials_due_at)
                ),
            });
        }
        let grace = self
            .constitution_in_force(counted_on)
            .await
            .map(|(_, c)| c.grace_days())
            .unwrap_or(self.settings.grace_days);
        let mut paid: BTreeMap<UnitId, u64> = BTreeMap::new();
        for f in self.store.member_facts(counted_on).await? {
            if f.status == MemberStatus::Active
                && charter_domain::is_paid_up(f.paid_up_until, counted_on, grace)
            {
                *paid.entry(f.branch).or_default() += 1;
            }
        }
        let allocations: Vec<Allocation> = self
            .store
            .units()
            .await?
            .into_iter()
            .filter(|u| u.kind == UnitKind::Branch)
            .map(|u| {
                let paid_up = paid.get(&u.id).copied().unwrap_or(0);
                Allocation {
                    branch: u.id,
                    paid_up,
                    delegates: rule.delegates_for(paid_up),
                }
            })
            .collect();
        let total: u64 = allocations.iter().map(|a| u64::from(a.delegates)).sum();
        let reason = format!(
            "clause {clause}: {total} delegates among {} branches, by paid-up members on {counted_on}",
            allocations.len()
        );
        let event = self.event(
            event_actor(actor, Some(&office)),
            "delegates.apportioned",
            format!("meeting:{meeting}"),
            json!({
                "meeting": meeting, "clause": clause, "counted_on": counted_on,
                "delegates": total, "branches": allocations.len(),
            }),
            &reason,
        );
        self.store
            .apportion_delegates(
                &NewApportionment {
                    meeting,
                    clause,
                    counted_on,
                    members_per_delegate: rule.members_per_delegate,
                    minimum: rule.minimum,
                    maximum: rule.maximum,
                    substitutes: rule.substitutes,
                    card_vote: rule.card_vote,
                    credentials_due_at,
                    challenges_close_at: end_of(rule.challenges_close(on)),
                    ruled_by: rule.ruled_by.to_string(),
                    allocations,
                    apportioned_by: Some(actor.member),
                },
                &event,
            )
            .await?;
        Ok(self.store.delegate_allocations(meeting).await?)
    }

    /// A delegate conference as `actor` sees it. Any signed-in member may: delegates,
    /// substitutes, challenges and rulings are public to the membership.
    pub async fn conference_view(
        &self,
        actor: &Actor,
        meeting: MeetingId,
    ) -> Result<ConferenceView, AppError> {
        let m = self.meeting_record(meeting).await?;
        let rule = self.delegates_rule(&m).await.ok();
        let conference = self.store.delegate_conference(meeting).await?;
        let allocations = self.store.delegate_allocations(meeting).await?;
        let credentials = self.store.delegate_credentials(meeting).await?;
        let challenges = self.store.credential_challenges(meeting).await?;
        let mut card_votes = BTreeMap::new();
        for mo in self.store.motions(meeting).await? {
            if let Some(v) = self.store.card_vote(mo.id).await? {
                card_votes.insert(mo.id, v);
            }
        }
        let may_run = self.meeting_authority(actor, m.unit).await?.is_some();
        let tree = self.tree().await?;
        let may_credential = allocations
            .iter()
            .map(|a| a.branch)
            .filter(|b| actor.may(Power::CallMeetings, *b, &tree))
            .collect();
        let ruled_by = conference
            .as_ref()
            .map(|c| c.ruled_by.clone())
            .or_else(|| rule.as_ref().map(|(_, r)| r.ruled_by.to_string()));
        let may_rule = match ruled_by {
            Some(k) => self.ruling_office(actor, &k).await?.is_some(),
            None => false,
        };
        Ok(ConferenceView {
            clause: rule.as_ref().map(|(c, _)| c.clone()),
            rule_words: rule.as_ref().map(|(_, r)| r.describe()),
            meeting: m,
            conference,
            allocations,
            credentials,
            challenges,
            card_votes,
            may_run,
            may_rule,
            may_credential,
            now: self.clock.now(),
        })
    }

    /// The national office `key` names, when `actor` holds it.
    async fn ruling_office(
        &self,
        actor: &Actor,
        key: &str,
    ) -> Result<Option<charter_domain::HeldOffice>, AppError> {
        let Some(kind) = OfficeKind::parse(key) else {
            return Ok(None);
        };
        let tree = self.tree().await?;
        Ok(actor
            .offices
            .iter()
            .find(|o| o.kind == kind && tree.kind(o.unit) == Some(UnitKind::National))
            .cloned())
    }

    /// A branch's officer records one of its delegates or substitutes, until the credentials
    /// are due and within the branch's share. The member must belong to the branch and be
    /// entitled to vote at conference under the version in force; a refusal cites the clause.
    pub async fn record_credential(
        &self,
        actor: &Actor,
        meeting: MeetingId,
        req: &CredentialRequest,
    ) -> Result<CredentialRecord, AppError> {
        let mut errs = charter_domain::FieldErrors::default();
        let role = DelegateRole::parse(req.role.trim());
        if role.is_none() {
            errs.add("role", "choose delegate or substitute");
        }
        let source = req.source.trim();
        if too_long(source, MAX_SOURCE) {
            errs.add(
                "source",
                "say how the branch chose them in up to 200 characters",
            );
        }
        if req.branch.is_none() {
            errs.add("branch", "choose the branch sending them");
        }
        if req.member.is_none() {
            errs.add("member", "give the member's number");
        }
        let (Some(branch), Some(member)) = (req.branch, req.member) else {
            return Err(AppError::Invalid(errs));
        };
        // A role that does not read was added to `errs` above.
        let (true, Some(role)) = (errs.is_empty(), role) else {
            return Err(AppError::Invalid(errs));
        };
        let conf = self.delegate_conference_of(meeting).await?;
        let tree = self.tree().await?;
        let office = actor
            .authority(Power::CallMeetings, branch, &tree)
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(
                    "only the branch's officers (or officers above it) record its delegates".into(),
                )
            })?;
        if self.clock.now() > conf.credentials_due_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "clause {}: credentials were due by {}",
                    conf.clause,
                    when(conf.credentials_due_at)
                ),
            });
        }
        let allocations = self.store.delegate_allocations(meeting).await?;
        let Some(share) = allocations.iter().find(|a| a.branch == branch) else {
            return Err(AppError::invalid(
                "branch",
                "no such branch among those apportioned delegates",
            ));
        };
        let limit = if role == DelegateRole::Delegate {
            share.delegates
        } else {
            conf.substitutes
        };
        if limit == 0 {
            return Err(AppError::Conflict {
                field: "role".into(),
                message: if role == DelegateRole::Delegate {
                    format!(
                        "clause {}: {} has no delegates to send, with {} paid-up members on {}",
                        conf.clause, share.branch_name, share.paid_up, conf.counted_on
                    )
                } else {
                    format!("clause {}: branches name no substitutes", conf.clause)
                },
            });
        }
        if self.store.member_branch(member).await? != Some(branch) {
            return Err(AppError::invalid(
                "member",
                format!(
                    "a branch sends its own members: this member does not belong to {}",
                    share.branch_name
                ),
            ));
        }
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let facts = self
            .store
            .member_facts_of(member, today, None)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let d = c.decide(
            &member_facts(facts),
            Right::Vote,
            &Forum::national(Context::Conference),
            today,
        );
        if !d.allowed {
            let clauses: Vec<&str> = d.clauses.iter().map(|c| c.as_str()).collect();
            return Err(AppError::invalid(
                "member",
                format!(
                    "this member may not vote at conference, so cannot carry a credential: {}{}",
                    d.reason,
                    if clauses.is_empty() {
                        String::new()
                    } else {
                        format!(" (clause {})", clauses.join(", "))
                    }
                ),
            ));
        }
        let record = self
            .store
            .member(member, None)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let name = format!("{} {}", record.record.first_name, record.record.last_name);
        let source = if source.is_empty() {
            format!("named by the {}", crate::office_label(&office))
        } else {
            source.to_string()
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "delegates.credentialed",
            format!("meeting:{meeting}"),
            json!({
                "meeting": meeting, "branch": branch.0, "member": member.0, "role": role.as_str(),
                "source": source,
            }),
            &format!("{name}, {role} for {}", share.branch_name),
        );
        let id = self
            .store
            .add_credential(
                &NewCredential {
                    meeting,
                    branch,
                    member,
                    name,
                    role,
                    source,
                    recorded_by: Some(actor.member),
                },
                limit,
                &event,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict { field, message } if field == "role" => AppError::Conflict {
                    field,
                    message: format!("clause {}: {message}", conf.clause),
                },
                other => other.into(),
            })?;
        self.store
            .delegate_credential(id)
            .await?
            .ok_or(AppError::NotFound("credential"))
    }

    /// A member challenges a credential, giving grounds, until the clause's deadline.
    pub async fn challenge_credential(
        &self,
        actor: &Actor,
        credential: CredentialId,
        grounds: &str,
    ) -> Result<CredentialChallengeRecord, AppError> {
        let grounds = grounds.trim();
        if grounds.is_empty() {
            return Err(AppError::invalid(
                "grounds",
                "say why the credential should not stand",
            ));
        }
        if too_long(grounds, MAX_GROUNDS) {
            return Err(AppError::invalid(
                "grounds",
                "grounds are longer than 4,000 characters",
            ));
        }
        let cred = self
            .store
            .delegate_credential(credential)
            .await?
            .ok_or(AppError::NotFound("credential"))?;
        let conf = self.delegate_conference_of(cred.meeting).await?;
        if self.clock.now() > conf.challenges_close_at {
            return Err(AppError::Conflict {
                field: "credential".into(),
                message: format!(
                    "clause {}: challenges to credentials closed at {}",
                    conf.clause,
                    when(conf.challenges_close_at)
                ),
            });
        }
        if cred.member == actor.member {
            return Err(AppError::invalid(
                "credential",
                "this is your own credential: ask your branch to withdraw you instead",
            ));
        }
        let event = self.event(
            event_actor(actor, None),
            "delegates.credential_challenged",
            format!("meeting:{}", cred.meeting),
            json!({ "meeting": cred.meeting, "credential": credential, "grounds": grounds }),
            &format!("challenge to the credential of {}", cred.name),
        );
        let id = self
            .store
            .lodge_credential_challenge(credential, actor.member, grounds, &event)
            .await
            .map_err(stale_is_conflict("credential"))?;
        self.store
            .credential_challenge(id)
            .await?
            .ok_or(AppError::NotFound("challenge"))
    }

    /// The holder of the office the clause names rules on a challenge, with reasons: upheld
    /// strikes the credential, rejected lets it stand. Once.
    pub async fn rule_on_challenge(
        &self,
        actor: &Actor,
        challenge: CredentialChallengeId,
        ruling: &str,
        reason: &str,
    ) -> Result<CredentialChallengeRecord, AppError> {
        let mut errs = charter_domain::FieldErrors::default();
        let ruling = ruling.trim();
        let upheld = match ruling {
            "upheld" => Some(true),
            "rejected" => Some(false),
            _ => {
                errs.add("ruling", "rule the challenge upheld or rejected");
                None
            }
        };
        let reason = reason.trim();
        if reason.is_empty() {
            errs.add("reason", "record the reasons for the ruling");
        } else if too_long(reason, MAX_GROUNDS) {
            errs.add("reason", "reasons are longer than 4,000 characters");
        }
        let Some(upheld) = upheld.filter(|_| errs.is_empty()) else {
            return Err(AppError::Invalid(errs));
        };
        let x = self
            .store
            .credential_challenge(challenge)
            .await?
            .ok_or(AppError::NotFound("challenge"))?;
        let conf = self.delegate_conference_of(x.meeting).await?;
        let office = self
            .ruling_office(actor, &conf.ruled_by)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(format!(
                    "clause {}: challenges are ruled on by the national {}",
                    conf.clause,
                    conf.ruled_by.replace('-', " ")
                ))
            })?;
        let cred = self
            .store
            .delegate_credential(x.credential)
            .await?
            .ok_or(AppError::NotFound("credential"))?;
        if cred.member == actor.member {
            return Err(AppError::Forbidden(
                "nobody rules on a challenge to their own credential".into(),
            ));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "delegates.challenge_ruled",
            format!("meeting:{}", x.meeting),
            json!({
                "meeting": x.meeting, "challenge": challenge, "credential": x.credential,
                "ruling": ruling, "reason": reason, "clause": conf.clause,
            }),
            &format!(
                "challenge to the credential of {} {ruling}: {reason}",
                cred.name
            ),
        );
        self.store
            .rule_on_credential_challenge(challenge, upheld, reason, actor.member, &event)
            .await
            .map_err(stale_is_conflict("challenge"))?;
        self.store
            .credential_challenge(challenge)
            .await?
            .ok_or(AppError::NotFound("challenge"))
    }

    /// The officers running the conference check a delegate in, or a substitute standing in
    /// for an absent delegate of their branch, while the conference is on.
    pub async fn check_in_delegate(
        &self,
        actor: &Actor,
        meeting: MeetingId,
        credential: CredentialId,
        stands_for: Option<CredentialId>,
    ) -> Result<CredentialRecord, AppError> {
        let m = self.meeting_record(meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this conference check delegates in",
            )
            .await?;
        let conf = self.delegate_conference_of(meeting).await?;
        let now = self.clock.now();
        let window = CheckInWindow::of(m.starts_at, m.ends_at);
        if !window.is_open(now) {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "delegates are checked in from an hour before the conference until it ends ({} to {})",
                    when(window.opens),
                    when(window.closes)
                ),
            });
        }
        let cred = self
            .store
            .delegate_credential(credential)
            .await?
            .filter(|c| c.meeting == meeting)
            .ok_or(AppError::NotFound("credential"))?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "delegates.checked_in",
            format!("meeting:{meeting}"),
            json!({
                "meeting": meeting, "credential": credential, "member": cred.member.0,
                "stands_for": stands_for, "clause": conf.clause,
            }),
            &match stands_for {
                Some(d) => format!("{} stands in for credential {d}", cred.name),
                None => format!("{} present", cred.name),
            },
        );
        self.store
            .check_in_delegate(meeting, credential, stands_for, Some(actor.member), &event)
            .await?;
        self.store
            .delegate_credential(credential)
            .await?
            .ok_or(AppError::NotFound("credential"))
    }

    /// Puts a motion at a delegate conference to a card vote: each delegate present (and
    /// substitute standing in) gets a card fixed now, by the clause recorded with the
    /// apportionment. Officers running the conference, while it is on.
    pub async fn open_card_vote(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<CardVoteRecord, AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        self.ready_for_vote(&motion, &m).await?;
        if self.clock.now() > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the conference has ended: a vote cannot be opened after it".into(),
            });
        }
        let conf = self.delegate_conference_of(m.id).await?;
        let rule = recorded_rule(&m, &conf)?;
        let allocations = self.store.delegate_allocations(m.id).await?;
        let mut present: BTreeMap<UnitId, Vec<&CredentialRecord>> = BTreeMap::new();
        let credentials = self.store.delegate_credentials(m.id).await?;
        for c in credentials
            .iter()
            .filter(|c| c.present && c.state == DelegateCredentialState::Credentialed)
        {
            present.entry(c.branch).or_default().push(c);
        }
        let mut cards = Vec::new();
        for (branch, mut creds) in present {
            creds.sort_by_key(|c| c.id);
            let (paid_up, allocated) = allocations
                .iter()
                .find(|a| a.branch == branch)
                .map(|a| (a.paid_up, a.delegates))
                .unwrap_or((0, 0));
            let weights = rule.cards(paid_up, allocated, creds.len());
            for (c, card) in creds.into_iter().zip(weights) {
                cards.push(Card {
                    member: c.member,
                    credential: c.id,
                    branch,
                    card,
                });
            }
        }
        if cards.is_empty() {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: "no delegates are checked in to vote".into(),
            });
        }
        let held: u64 = cards.iter().map(|c| c.card).sum();
        let event = self.event(
            event_actor(actor, Some(&office)),
            "delegates.card_vote_opened",
            format!("meeting:{}", m.id),
            json!({
                "motion": motion_id, "card_vote": conf.card_vote.as_str(), "clause": conf.clause,
                "delegates": cards.len(), "cards": held,
            }),
            &format!("card vote opened on '{}'", motion.title),
        );
        self.store
            .open_card_vote(
                motion_id,
                m.id,
                conf.card_vote,
                &cards,
                Some(actor.member),
                &event,
            )
            .await
            .map_err(stale_is_conflict("motion"))?;
        self.store
            .card_vote(motion_id)
            .await?
            .ok_or(AppError::NotFound("card vote"))
    }

    /// A delegate holding a card in the vote casts it. `submission` is the vote form's key:
    /// sending it again changes nothing.
    pub async fn cast_card(
        &self,
        actor: &Actor,
        motion_id: MotionId,
        choice: &str,
        submission: &str,
    ) -> Result<VoteReceipt, AppError> {
        let (choice, submission) = crate::meetings::checked_vote(choice, submission)?;
        let vote = self
            .store
            .card_vote(motion_id)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: "motion".into(),
                message: "no card vote has been opened on this motion".into(),
            })?;
        let event = self.event(
            event_actor(actor, None),
            "delegates.card_cast",
            format!("meeting:{}", vote.meeting),
            json!({ "motion": motion_id, "member": actor.member.0, "choice": choice.as_str() }),
            "card cast",
        );
        self.store
            .cast_card_vote(
                &NewCardBallot {
                    motion: motion_id,
                    member: actor.member,
                    choice,
                    submission: submission.to_string(),
                },
                &event,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Conflict {
                    field: "motion".into(),
                    message: "no card vote has been opened on this motion".into(),
                },
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// A card vote with how each delegate cast their card.
    pub async fn card_vote_view(&self, motion_id: MotionId) -> Result<CardVoteView, AppError> {
        let vote = self
            .store
            .card_vote(motion_id)
            .await?
            .ok_or(AppError::NotFound("card vote"))?;
        let ballots = self.store.card_ballots(motion_id).await?;
        Ok(CardVoteView { vote, ballots })
    }

    /// Closes a card vote and decides the motion by the cards (the cards held counted as
    /// those present) under the version in force on the conference's day; the show of hands
    /// stays on the record beside them. Closing again after an interruption decides from the
    /// same count.
    pub async fn close_card_vote(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<(MotionResult, CardVoteRecord), AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        let vote = self
            .store
            .card_vote(motion_id)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: "motion".into(),
                message: "no card vote has been opened on this motion".into(),
            })?;
        if motion.state != MotionState::Proposed {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was already {}", motion.state),
            });
        }
        let vote = if vote.closed_at.is_none() {
            let event = self.event(
                event_actor(actor, Some(&office)),
                "delegates.card_vote_closed",
                format!("meeting:{}", m.id),
                json!({
                    "motion": motion_id,
                    "cards_for": vote.cards_for, "cards_against": vote.cards_against,
                    "cards_abstain": vote.cards_abstain,
                    "hands_for": vote.hands_for, "hands_against": vote.hands_against,
                    "hands_abstain": vote.hands_abstain,
                }),
                &format!("card vote closed on '{}'", motion.title),
            );
            match self.store.close_card_vote(motion_id, &event).await {
                Ok(v) => v,
                Err(StoreError::Stale(_)) => self
                    .store
                    .card_vote(motion_id)
                    .await?
                    .ok_or(AppError::NotFound("card vote"))?,
                Err(e) => return Err(e.into()),
            }
        } else {
            vote
        };
        let n = |x: i64| u32::try_from(x).unwrap_or(u32::MAX);
        let result = self
            .decide(
                actor,
                &office,
                &motion,
                &m,
                (
                    n(vote.cards_for),
                    n(vote.cards_against),
                    n(vote.cards_abstain),
                ),
                Some(n(vote.cards_held)),
            )
            .await?;
        Ok((result, vote))
    }
}
