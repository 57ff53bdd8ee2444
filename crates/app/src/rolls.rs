//! Rolls: for a meeting or ballot, who may vote (or exercise another right) on a cut-off
//! date by the constitution in force that day, frozen with a content hash and published.
//! Every signed-in member sees the counts per branch and their own line with the clause
//! that decided it; officers who may see members see names (each read logged). A member
//! left off may challenge it until the window closes; an officer over their branch decides,
//! with reasons, and each decision extends the roll's hash chain.

use std::collections::HashMap;

use charter_domain::{Actor, ChallengeState, HeldOffice, MemberId, Power, UnitId, UnitKind};
use charter_model::{ConstitutionVersionId, RollChallengeId, RollId};
use charter_rules::{Context, Forum, Key, Right, RollSpec, build_roll, chain_hash, roll_hash};
use charter_store::{
    ChallengeDecision, ChallengeRecord, MemberScope, NewChallenge, NewRoll, NewRollEntry, Page,
    RollEntryRecord, RollNameRecord, RollQuery, RollReason, RollRecord,
};
use chrono::{Days, NaiveDate};
use serde_json::json;

use crate::constitution::member_facts;
use crate::{App, AppError, event_actor};

/// Days a challenge window stays open when the constitution sets no `roll-challenge` deadline.
pub const DEFAULT_CHALLENGE_DAYS: u64 = 7;
/// The longest title of a roll, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest grounds of a challenge to a roll, or reason for its decision, in characters.
pub const MAX_TEXT: usize = 2000;

/// What an officer asks to freeze.
#[derive(Debug, Clone, Default)]
pub struct RollRequest {
    pub title: String,
    /// A rules context: conference, member-ballot, branch-meeting, regional-meeting,
    /// committee:<body>.
    pub context: String,
    /// The branch (branch meetings) or region (regional meetings) whose meeting it is.
    pub unit: Option<UnitId>,
    /// Defaults to "vote".
    pub right: Option<String>,
    pub cutoff: Option<NaiveDate>,
    /// Defaults to the constitution's `roll-challenge` deadline, else a week from today.
    pub challenge_closes_on: Option<NaiveDate>,
}

/// A roll with what the reader may see of it.
#[derive(Debug, Clone)]
pub struct RollView {
    pub roll: RollRecord,
    /// The constitution version that decided it (its label).
    pub version: String,
    pub unit_name: Option<String>,
    pub challenge_open: bool,
    /// Per branch: (branch, name, eligible, excluded), by branch name.
    pub counts: Vec<(UnitId, String, i64, i64)>,
    /// The reader's own line, when they are listed.
    pub mine: Option<RollEntryRecord>,
    /// Whether the reader may list names (some or all branches).
    pub may_see_names: bool,
    /// Challenges the reader may see: their own, and those over members in their scope.
    pub challenges: Vec<ChallengeRecord>,
}

/// The result of recomputing a roll's hashes from what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollCheck {
    pub frozen_hash_matches: bool,
    pub current_hash_matches: bool,
    pub lines: usize,
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

impl App {
    fn roll_authority(
        &self,
        actor: &Actor,
        tree: &charter_domain::UnitTree,
        unit: Option<UnitId>,
    ) -> Option<HeldOffice> {
        match unit {
            Some(u) => actor.authority(Power::ManageRolls, u, tree).cloned(),
            None => actor
                .offices
                .iter()
                .find(|o| {
                    o.kind.powers().contains(&Power::ManageRolls)
                        && tree.kind(o.unit) == Some(UnitKind::National)
                })
                .cloned(),
        }
    }

    /// Freezes a roll by the version in force on its cut-off date. Returns the roll's id.
    pub async fn freeze_roll(&self, actor: &Actor, req: &RollRequest) -> Result<RollId, AppError> {
        let tree = self.tree().await?;
        let today = self.today();
        let mut errs = charter_domain::FieldErrors::default();
        let title = req.title.trim();
        if title.is_empty() {
            errs.add(
                "title",
                "give the roll a title, e.g. 'Annual conference 2027'",
            );
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        let context = match Context::parse(&req.context) {
            Ok(c) => Some(c),
            Err(e) => {
                errs.add("context", e);
                None
            }
        };
        let right = match req.right.as_deref().map(str::trim) {
            None | Some("") => Some(Right::Vote),
            Some(r) => match Right::ALL.into_iter().find(|x| x.as_str() == r) {
                Some(x) => Some(x),
                None => {
                    errs.add(
                        "right",
                        format!(
                            "'{r}' is not a right; use attend, speak, vote, stand, nominate or propose"
                        ),
                    );
                    None
                }
            },
        };
        let needs = match &context {
            Some(Context::BranchMeeting) => Some(UnitKind::Branch),
            Some(Context::RegionalMeeting) => Some(UnitKind::Region),
            _ => None,
        };
        match (needs, req.unit) {
            (Some(kind), Some(u)) if tree.kind(u) == Some(kind) => {}
            (Some(kind), _) => errs.add(
                "unit",
                format!(
                    "choose the {} whose meeting this roll is for",
                    kind.as_str()
                ),
            ),
            (None, Some(_)) if context.is_some() => errs.add(
                "unit",
                "this roll is organisation-wide; leave the unit empty",
            ),
            _ => {}
        }
        let cutoff = req.cutoff.unwrap_or(today);
        if cutoff > today {
            errs.add(
                "cutoff",
                "the cut-off date cannot be in the future: a roll is frozen from the register as it stood",
            );
        }
        if let Some(close) = req.challenge_closes_on
            && close < today
        {
            errs.add(
                "challenge_closes_on",
                "the challenge window cannot close in the past",
            );
        }
        let (Some(context), Some(right)) = (context, right) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let Some(office) = self.roll_authority(actor, &tree, req.unit) else {
            return Err(AppError::Forbidden(
                "you may not freeze this roll: no office of yours gives that power over its unit"
                    .into(),
            ));
        };
        let versions = self.versions_with_ids().await?;
        let Some((version_id, constitution)) =
            versions.iter().rev().find(|(_, c)| c.effective() <= cutoff)
        else {
            return Err(AppError::invalid(
                "cutoff",
                "no constitution was in force on the cut-off date",
            ));
        };
        let closes = match req.challenge_closes_on {
            Some(d) => d,
            None => Key::parse("roll-challenge")
                .ok()
                .and_then(|k| constitution.deadline(&k, today))
                .map(|(_, d)| d)
                .unwrap_or(today + Days::new(DEFAULT_CHALLENGE_DAYS)),
        };
        let spec = RollSpec {
            forum: Forum::new(context.clone(), req.unit),
            right,
            cutoff,
        };
        let facts: Vec<_> = self
            .store
            .member_facts(cutoff)
            .await?
            .into_iter()
            .map(member_facts)
            .collect();
        let roll = build_roll(constitution, &spec, &facts);
        drop(facts);
        let reasons: Vec<RollReason> = roll
            .reasons
            .iter()
            .map(|e| RollReason {
                clauses: e.clauses.join(", "),
                reason: e.reason.clone(),
            })
            .collect();
        let entries: Vec<NewRollEntry> = roll
            .lines
            .iter()
            .map(|l| NewRollEntry {
                member: l.member,
                branch: l.branch,
                eligible: l.eligible,
                reason: l.why.and_then(|i| u32::try_from(i).ok()),
            })
            .collect();
        let eligible = roll.eligible();
        let new = NewRoll {
            title: title.to_string(),
            context: context.to_string(),
            unit: req.unit,
            right: right.as_str().to_string(),
            cutoff,
            version_id: *version_id,
            challenge_closes_on: closes,
            hash: roll.hash.clone(),
            frozen_by: Some(actor.member),
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "roll.frozen",
            "roll".into(),
            json!({
                "title": new.title,
                "context": new.context,
                "unit": new.unit.map(|u| u.0),
                "right": new.right,
                "cutoff": cutoff,
                "constitution": constitution.version(),
                "hash": roll.hash,
                "eligible": eligible,
                "excluded": roll.lines.len() - eligible,
                "challenge_closes_on": closes,
            }),
            title,
        );
        Ok(self
            .store
            .freeze_roll(&new, &reasons, &entries, &event)
            .await?)
    }

    /// Adopted versions with their store ids, oldest effective date first.
    async fn versions_with_ids(
        &self,
    ) -> Result<Vec<(ConstitutionVersionId, charter_rules::Constitution)>, AppError> {
        Ok(self
            .versions_parsed()
            .await?
            .into_iter()
            .map(|(r, c)| (r.id, c))
            .collect())
    }

    /// Every roll, newest first. Counts and hashes are public to members.
    pub async fn rolls(&self) -> Result<Vec<RollRecord>, AppError> {
        Ok(self.store.rolls().await?)
    }

    async fn roll_record(&self, id: RollId) -> Result<RollRecord, AppError> {
        self.store.roll(id).await?.ok_or(AppError::NotFound("roll"))
    }

    /// One roll as `actor` may see it.
    pub async fn roll_view(&self, actor: &Actor, id: RollId) -> Result<RollView, AppError> {
        let roll = self.roll_record(id).await?;
        let tree = self.tree().await?;
        let names: HashMap<UnitId, String> = self
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut counts: Vec<(UnitId, String, i64, i64)> = self
            .store
            .roll_counts(id)
            .await?
            .into_iter()
            .map(|c| {
                let name = names.get(&c.branch).cloned().unwrap_or_default();
                (c.branch, name, c.eligible, c.excluded)
            })
            .collect();
        counts.sort_by(|a, b| a.1.cmp(&b.1));
        let mine = self.store.roll_entry(id, actor.member, None).await?;
        let scope = self.member_scope(actor).await?;
        let may_see_names = !matches!(scope, MemberScope::Only(_));
        let challenges = self
            .store
            .challenges(id)
            .await?
            .into_iter()
            .filter(|c| c.member == actor.member || actor.may(Power::ViewMembers, c.branch, &tree))
            .collect();
        let version = self
            .store
            .constitution_version(roll.version_id)
            .await?
            .map(|v| v.version)
            .unwrap_or_default();
        Ok(RollView {
            unit_name: roll.unit.and_then(|u| names.get(&u).cloned()),
            challenge_open: self.today() <= roll.challenge_closes_on,
            version,
            roll,
            counts,
            mine,
            may_see_names,
            challenges,
        })
    }

    /// A page of names on a roll, within the reader's scope; every name shown is logged.
    pub async fn roll_names(
        &self,
        actor: &Actor,
        id: RollId,
        branch: Option<UnitId>,
        eligible: Option<bool>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<RollNameRecord>, AppError> {
        self.roll_record(id).await?;
        let scope = self.member_scope(actor).await?;
        if matches!(scope, MemberScope::Only(_)) {
            return Err(AppError::Forbidden(
                "only officers who may see members' details see the names on a roll; you can see your own line and the counts"
                    .into(),
            ));
        }
        let tree = self.tree().await?;
        if let Some(b) = branch
            && tree.kind(b) != Some(UnitKind::Branch)
        {
            return Err(AppError::invalid("branch", "no such branch"));
        }
        let office = actor
            .offices
            .iter()
            .find(|o| o.kind.powers().contains(&Power::ViewMembers))
            .cloned();
        let access = self.access(actor, office.as_ref(), "roll names");
        Ok(self
            .store
            .roll_names(
                id,
                &RollQuery {
                    scope,
                    branch,
                    eligible,
                    page: page.max(1),
                    per_page: per_page.clamp(1, 500),
                },
                &access,
            )
            .await?)
    }

    /// A member challenges their own exclusion while the window is open.
    pub async fn lodge_challenge(
        &self,
        actor: &Actor,
        roll_id: RollId,
        grounds: &str,
    ) -> Result<RollChallengeId, AppError> {
        let roll = self.roll_record(roll_id).await?;
        let grounds = grounds.trim();
        if grounds.is_empty() {
            return Err(AppError::invalid(
                "grounds",
                "say why you should be on the roll, e.g. the date you paid or the affiliation you hold",
            ));
        }
        if too_long(grounds, MAX_TEXT) {
            return Err(AppError::invalid(
                "grounds",
                "grounds are longer than 2000 characters",
            ));
        }
        if self.today() > roll.challenge_closes_on {
            return Err(AppError::Conflict {
                field: "roll".into(),
                message: format!(
                    "the challenge window for this roll closed on {}",
                    roll.challenge_closes_on
                ),
            });
        }
        let event = self.event(
            event_actor(actor, None),
            "roll.challenged",
            format!("roll:{roll_id}"),
            json!({ "roll": roll_id, "member": actor.member.0 }),
            grounds,
        );
        let id = self
            .store
            .lodge_challenge(
                &NewChallenge {
                    roll: roll_id,
                    member: actor.member,
                    grounds: grounds.to_string(),
                    lodged_by: Some(actor.member),
                },
                &event,
            )
            .await
            .map_err(|e| match e {
                charter_store::StoreError::NotFound(_) => AppError::Conflict {
                    field: "roll".into(),
                    message: "you are not listed on this roll (it covers another unit), so there is no exclusion to challenge".into(),
                },
                other => other.into(),
            })?;
        Ok(id)
    }

    /// An officer with the power over the challenger's branch upholds or rejects a challenge,
    /// with reasons. Upheld puts the member on the roll. Returns the roll's id.
    pub async fn decide_challenge(
        &self,
        actor: &Actor,
        challenge_id: RollChallengeId,
        upheld: bool,
        reason: &str,
    ) -> Result<RollId, AppError> {
        let c = self
            .store
            .challenge(challenge_id)
            .await?
            .ok_or(AppError::NotFound("challenge"))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "give the reason for the decision; the member and the roll's record show it",
            ));
        }
        if too_long(reason, MAX_TEXT) {
            return Err(AppError::invalid(
                "reason",
                "reason is longer than 2000 characters",
            ));
        }
        if c.member == actor.member {
            return Err(AppError::Forbidden(
                "you may not decide your own challenge".into(),
            ));
        }
        let (_, office) = self
            .authority_over(actor, c.member, Power::ManageRolls)
            .await?;
        if c.state != ChallengeState::Open {
            return Err(AppError::Conflict {
                field: "challenge".into(),
                message: format!("this challenge was already {}", c.state),
            });
        }
        let roll = self.roll_record(c.roll).await?;
        let new_hash = chain_hash(&roll.current_hash, c.id.0, c.member, upheld);
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "roll.challenge_decided",
            format!("roll:{}", c.roll),
            json!({
                "roll": c.roll,
                "challenge": c.id,
                "member": c.member.0,
                "upheld": upheld,
                "hash": new_hash,
            }),
            reason,
        );
        self.store
            .decide_challenge(
                challenge_id,
                &ChallengeDecision {
                    upheld,
                    reason: reason.to_string(),
                    decided_by: Some(actor.member),
                    expected_hash: roll.current_hash,
                    new_hash,
                },
                &event,
            )
            .await?;
        Ok(c.roll)
    }

    /// A stored roll with the label of the version that decided it and what it is of.
    async fn roll_spec(&self, id: RollId) -> Result<(RollRecord, String, RollSpec), AppError> {
        let roll = self.roll_record(id).await?;
        let version = self
            .store
            .constitution_version(roll.version_id)
            .await?
            .ok_or(AppError::NotFound("constitution version"))?;
        let context = Context::parse(&roll.context)
            .map_err(|e| AppError::Internal(format!("stored roll context: {e}")))?;
        let right = Right::ALL
            .into_iter()
            .find(|r| r.as_str() == roll.right)
            .ok_or_else(|| AppError::Internal("stored roll right".into()))?;
        let spec = RollSpec {
            forum: Forum::new(context, roll.unit),
            right,
            cutoff: roll.cutoff,
        };
        Ok((roll, version.version, spec))
    }

    /// Recomputes the frozen hash from the stored lines and the chain from the decided
    /// challenges, and says whether both match what was published.
    pub async fn check_roll(&self, id: RollId) -> Result<RollCheck, AppError> {
        let (roll, version, spec) = self.roll_spec(id).await?;
        let lines = self.store.roll_frozen_lines(id, None).await?;
        let frozen = roll_hash(&version, &spec, lines.iter().copied());
        let mut decided: Vec<ChallengeRecord> = self
            .store
            .challenges(id)
            .await?
            .into_iter()
            .filter(|c| c.decided_seq.is_some())
            .collect();
        decided.sort_by_key(|c| c.decided_seq);
        let current = decided.iter().fold(frozen.clone(), |h, c| {
            chain_hash(&h, c.id.0, c.member, c.state == ChallengeState::Upheld)
        });
        Ok(RollCheck {
            frozen_hash_matches: frozen == roll.frozen_hash,
            current_hash_matches: current == roll.current_hash,
            lines: lines.len(),
        })
    }

    /// The member's own line on a roll, for "am I on it, and why not?".
    pub async fn my_roll_line(
        &self,
        actor: &Actor,
        id: RollId,
    ) -> Result<Option<RollEntryRecord>, AppError> {
        self.roll_record(id).await?;
        Ok(self.store.roll_entry(id, actor.member, None).await?)
    }

    /// Another member's line, read by an officer who may see them (logged).
    pub async fn roll_line_of(
        &self,
        actor: &Actor,
        id: RollId,
        member: MemberId,
    ) -> Result<Option<RollEntryRecord>, AppError> {
        if member == actor.member {
            return self.my_roll_line(actor, id).await;
        }
        self.roll_record(id).await?;
        let (_, office) = self
            .authority_over(actor, member, Power::ViewMembers)
            .await?;
        let access = self.access(actor, office.as_ref(), "roll line");
        Ok(self.store.roll_entry(id, member, Some(&access)).await?)
    }

    /// The roll's canonical text as frozen (see `charter_rules::roll`), whose SHA-256 is the
    /// published frozen hash: for the operator's command line, so anyone given the file can
    /// check it with any SHA-256 tool. Every member listed is logged as read.
    pub async fn operator_roll_text(&self, id: RollId, reason: &str) -> Result<String, AppError> {
        let (roll, version, spec) = self.roll_spec(id).await?;
        let access = self.operator_access(&format!("roll export: {reason}"));
        let lines = self.store.roll_frozen_lines(roll.id, Some(&access)).await?;
        let mut text = charter_rules::roll_header(&version, &spec);
        text.reserve(lines.len() * 16);
        for (m, b, yes) in lines {
            text.push_str(&format!(
                "{} {} {}\n",
                m.0,
                b.0,
                if yes { 'Y' } else { 'N' }
            ));
        }
        Ok(text)
    }
}
