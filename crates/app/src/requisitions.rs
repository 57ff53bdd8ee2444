//! Requisitions: members (by signing) or branches (by their general meetings' published
//! motions) require a meeting the constitution lets them require. Once the constitution's
//! threshold is reached the officers must call it by the date its deadline sets, or it shows
//! to every member as overdue.

use charter_domain::{Actor, UnitKind};
use charter_rules::{Constitution, Context, Forum, Key, Right};
use charter_store::{MeetingRecord, MotionRecord, StoreError};
use chrono::NaiveDate;
use serde_json::json;

use crate::constitution::member_facts;
use crate::meetings::{MAX_AGENDA, MAX_TITLE, too_long};
use crate::{App, AppError, event_actor};

/// The meeting a matter names (`special-conference-2017` names `special-conference`) when
/// the constitution lets branches require it by their motions.
fn meeting_branches_may_require(c: &Constitution, matter: &str) -> Option<Key> {
    let mut prefix = String::new();
    for word in matter.split('-') {
        if !prefix.is_empty() {
            prefix.push('-');
        }
        prefix.push_str(word);
        if let Ok(k) = Key::parse(&prefix)
            && c.requisition_for(&k)
                .is_some_and(|(_, r)| r.branches.is_some())
        {
            return Some(k);
        }
    }
    None
}

/// Where a requisition stands, as every member sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequisitionState {
    /// Still short of the constitution's threshold.
    Collecting,
    /// Reached: the officers must call the meeting by `call_by`.
    Reached,
    /// Reached, and `call_by` has passed with no meeting called.
    Overdue,
    /// The meeting has been called.
    Answered,
}

impl RequisitionState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequisitionState::Collecting => "collecting",
            RequisitionState::Reached => "reached",
            RequisitionState::Overdue => "overdue",
            RequisitionState::Answered => "answered",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequisitionView {
    pub record: charter_store::RequisitionRecord,
    pub state: RequisitionState,
    /// The constitution's threshold in words with the counts, citing its clause.
    pub threshold: String,
    pub branches_supporting: u32,
    pub signed: bool,
}

/// Days the officers have to call a requisitioned meeting when the constitution sets no
/// `call-requisitioned-meeting` deadline.
pub const DEFAULT_CALL_DAYS: u64 = 28;

impl App {
    /// The context whose attendees may sign a requisition for `kind`.
    fn requisition_context(kind: &Key) -> Option<Context> {
        match kind.as_str() {
            "special-conference" | "annual-conference" => Some(Context::Conference),
            _ => None,
        }
    }

    async fn may_sign(&self, actor: &Actor, kind: &Key) -> Result<(), AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let context = Self::requisition_context(kind).ok_or_else(|| {
            AppError::invalid("kind", "members may requisition a special conference")
        })?;
        let facts = self
            .store
            .member_facts_of(actor.member, today, None)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let d = c.decide(
            &member_facts(facts),
            Right::Attend,
            &Forum::national(context),
            today,
        );
        if d.allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "only members entitled to attend may require it: {}",
                d.reason
            )))
        }
    }

    /// Opens a requisition (signed by its opener) for a meeting the constitution lets members
    /// require.
    pub async fn open_requisition(
        &self,
        actor: &Actor,
        kind: &str,
        title: &str,
        purpose: &str,
        matter: Option<&str>,
    ) -> Result<i64, AppError> {
        let mut errs = charter_domain::FieldErrors::default();
        let title = title.trim();
        if title.is_empty() {
            errs.add("title", "say what the meeting is required for");
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if too_long(purpose, MAX_AGENDA) {
            errs.add("purpose", "the purpose is longer than 20,000 characters");
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let key = match Key::parse(kind) {
            Ok(k) if c.requisition_for(&k).is_some() => Some(k),
            _ => {
                errs.add(
                    "kind",
                    "the constitution lets members require a special-conference; no other kind",
                );
                None
            }
        };
        let matter = match matter.map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => match Key::parse(m) {
                Ok(k) => Some(k.as_str().to_string()),
                Err(_) => {
                    errs.add(
                        "matter",
                        "name the matter in lower-case words joined by hyphens, e.g. special-conference-2017",
                    );
                    None
                }
            },
        };
        let Some(key) = key else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        self.may_sign(actor, &key).await?;
        let event = self.event(
            event_actor(actor, None),
            "requisition.opened",
            "requisition".into(),
            json!({ "kind": key.as_str(), "title": title, "matter": matter }),
            title,
        );
        let id = self
            .store
            .open_requisition(
                &charter_store::NewRequisition {
                    kind: key.as_str().to_string(),
                    title: title.to_string(),
                    purpose: purpose.trim().to_string(),
                    matter,
                    opened_by: Some(actor.member),
                },
                &event,
            )
            .await?;
        self.refresh_requisition(id).await?;
        Ok(id)
    }

    pub async fn sign_requisition(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let r = self
            .store
            .requisition(id)
            .await?
            .ok_or(AppError::NotFound("requisition"))?;
        let kind = Key::parse(&r.kind).map_err(|e| AppError::Internal(e.to_string()))?;
        self.may_sign(actor, &kind).await?;
        let event = self.event(
            event_actor(actor, None),
            "requisition.signed",
            format!("requisition:{id}"),
            json!({ "requisition": id }),
            &r.title,
        );
        self.store
            .sign_requisition(id, actor.member, &event)
            .await?;
        self.refresh_requisition(id).await?;
        Ok(())
    }

    /// Counts and the threshold for one requisition; marks it reached the first time it is.
    async fn requisition_status(
        &self,
        r: &charter_store::RequisitionRecord,
    ) -> Result<(String, u32, Option<(String, NaiveDate)>), AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let kind = Key::parse(&r.kind).map_err(|e| AppError::Internal(e.to_string()))?;
        // The per-branch status counts the unit pages use; reading every member's facts just
        // to count the active ones would cost seconds on a large register at every signature.
        let members: u64 = self
            .store
            .branch_stats(today)
            .await?
            .iter()
            .map(|b| b.active)
            .sum();
        // Branches count by their general meetings' motions, not a region's or conference's.
        let branches = match &r.matter {
            Some(m) => {
                let tree = self.tree().await?;
                self.store
                    .published_motions(Some(m))
                    .await?
                    .iter()
                    .filter(|p| p.motion.position.as_deref() == Some("support"))
                    .filter_map(|p| p.unit)
                    .filter(|u| tree.kind(*u) == Some(UnitKind::Branch))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            }
            None => 0,
        };
        let branches = u32::try_from(branches).unwrap_or(u32::MAX);
        let signed = u32::try_from(r.signatures).unwrap_or(u32::MAX);
        let members = u32::try_from(members).unwrap_or(u32::MAX);
        Ok(
            match charter_rules::check_requisition(&c, &kind, signed, members, branches) {
                Ok(check) => {
                    let clause = check
                        .clause
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default();
                    let days = Key::parse("call-requisitioned-meeting")
                        .ok()
                        .and_then(|k| c.deadline(&k, today))
                        .map(|(_, d)| d)
                        .unwrap_or(today + chrono::Days::new(DEFAULT_CALL_DAYS));
                    (
                        format!("clause {clause}: {}", check.finding),
                        branches,
                        Some((clause, days)),
                    )
                }
                Err(f) => (f.to_string(), branches, None),
            },
        )
    }

    async fn refresh_requisition(&self, id: i64) -> Result<(), AppError> {
        let Some(r) = self.store.requisition(id).await? else {
            return Ok(());
        };
        if r.reached_at.is_some() {
            return Ok(());
        }
        if let (threshold, _, Some((clause, call_by))) = self.requisition_status(&r).await? {
            let event = self.event(
                charter_store::EventActor {
                    member: None,
                    office: Some("the constitution".into()),
                },
                "requisition.reached",
                format!("requisition:{id}"),
                json!({ "requisition": id, "call_by": call_by }),
                &format!("{threshold}; the meeting must be called by {call_by}"),
            );
            self.store
                .requisition_reached(id, &clause, call_by, &event)
                .await?;
        }
        Ok(())
    }

    /// Every requisition with where it stands, for every member to see.
    pub async fn requisitions(&self, actor: &Actor) -> Result<Vec<RequisitionView>, AppError> {
        let today = self.today();
        let mut out = Vec::new();
        for r in self.store.requisitions().await? {
            let (threshold, branches_supporting, _) = self.requisition_status(&r).await?;
            let state = match (r.reached_at, r.meeting, r.call_by) {
                (_, Some(_), _) => RequisitionState::Answered,
                (Some(_), None, Some(by)) if today > by => RequisitionState::Overdue,
                (Some(_), None, _) => RequisitionState::Reached,
                (None, _, _) => RequisitionState::Collecting,
            };
            let signed = self.store.has_signed(r.id, actor.member).await?;
            out.push(RequisitionView {
                record: r,
                state,
                threshold,
                branches_supporting,
                signed,
            });
        }
        Ok(out)
    }

    /// Links the meeting an officer called in answer to a reached requisition.
    pub async fn answer_requisition(
        &self,
        actor: &Actor,
        id: i64,
        meeting: i64,
    ) -> Result<(), AppError> {
        let m = self.meeting_record(meeting).await?;
        let r = self
            .store
            .requisition(id)
            .await?
            .ok_or(AppError::NotFound("requisition"))?;
        if m.kind != r.kind {
            return Err(AppError::invalid(
                "meeting",
                format!("the requisition asks for a {}, not a {}", r.kind, m.kind),
            ));
        }
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers who call this meeting may answer it",
            )
            .await?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "requisition.answered",
            format!("requisition:{id}"),
            json!({ "requisition": id, "meeting": meeting }),
            &r.title,
        );
        Ok(self.store.answer_requisition(id, meeting, &event).await?)
    }

    /// A branch's published motion on a matter counts towards the open requisition on that
    /// matter. A matter named after a meeting the constitution lets branches require
    /// (`special-conference`, `special-conference-2017`) opens that requisition, in the
    /// constitution's name, at the first branch motion supporting it; it reaches its
    /// threshold by itself when enough branches have.
    pub(crate) async fn requisition_by_branches(
        &self,
        motion: &MotionRecord,
        m: &MeetingRecord,
        matter: &str,
    ) -> Result<(), AppError> {
        let open = |all: Vec<charter_store::RequisitionRecord>| -> Vec<_> {
            all.into_iter()
                .filter(|r| r.matter.as_deref() == Some(matter) && r.meeting.is_none())
                .collect()
        };
        let mut pending = open(self.store.requisitions().await?);
        let by_branch = match m.unit {
            Some(u) => self.tree().await?.kind(u) == Some(UnitKind::Branch),
            None => false,
        };
        if pending.is_empty() && by_branch && motion.position.as_deref() == Some("support") {
            let (_, c) = self.constitution_in_force(self.today()).await?;
            if let Some(kind) = meeting_branches_may_require(&c, matter) {
                let title = format!("Branches require a {}: {}", kind.words(), motion.title);
                let title: String = title.chars().take(MAX_TITLE).collect();
                let event = self.event(
                    charter_store::EventActor {
                        member: None,
                        office: Some("the constitution".into()),
                    },
                    "requisition.opened",
                    "requisition".into(),
                    json!({ "kind": kind.as_str(), "title": title, "matter": matter, "motion": motion.id }),
                    &title,
                );
                let opened = self
                    .store
                    .open_requisition(
                        &charter_store::NewRequisition {
                            kind: kind.as_str().to_string(),
                            title: title.clone(),
                            purpose: motion.text.clone(),
                            matter: Some(matter.to_string()),
                            opened_by: None,
                        },
                        &event,
                    )
                    .await;
                match opened {
                    // Another branch's motion opened it a moment ago: count towards that one.
                    Ok(_) | Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                pending = open(self.store.requisitions().await?);
            }
        }
        for r in pending {
            if r.reached_at.is_none() {
                self.refresh_requisition(r.id).await?;
            }
        }
        Ok(())
    }
}
