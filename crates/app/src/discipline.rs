//! Suspending and expelling a member: only by a decision of the body the constitution names.
//!
//! A discipline motion names the member and what it would do (suspend or expel); it is put
//! to a meeting of a body that the constitution in force lets take that decision (its
//! `suspend-member` or `expel-member` threshold), decided like any other motion — properly
//! convened, quorate, carried by the clause's threshold — and the store changes the status
//! in the transaction that records the decision, naming the motion. No officer suspends or
//! expels alone: `change_status` refuses those two statuses. The due process around it
//! (charges, responses, appeals on enforced deadlines) is a later part.

use charter_domain::{Actor, MemberId, MemberStatus};
use charter_model::{MeetingId, MotionId};
use charter_rules::{DecisionKind, Key};
use charter_store::{AccessContext, NewMotion, NewStatusMotion};
use serde_json::json;

use crate::meetings::{MAX_MOTION, too_long};
use crate::{App, AppError, event_actor};

/// What a member proposes: that `member` be suspended or expelled, on these grounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisciplineRequest {
    pub member: MemberId,
    /// `suspended` or `expelled`.
    pub to: String,
    /// The grounds, as the motion's text.
    pub grounds: String,
}

/// The decision kind for a status a discipline motion may bring about.
fn kind_for(to: MemberStatus) -> Option<DecisionKind> {
    match to {
        MemberStatus::Suspended => Some(DecisionKind::SuspendMember),
        MemberStatus::Expelled => Some(DecisionKind::ExpelMember),
        _ => None,
    }
}

/// Who alone may suspend or expel, in words naming the clause.
fn decided_only_by(c: &charter_rules::Constitution, to: MemberStatus) -> String {
    let (kind, words) = match to {
        MemberStatus::Suspended => (DecisionKind::SuspendMember, "suspended"),
        _ => (DecisionKind::ExpelMember, "expelled"),
    };
    match c.threshold_for(kind) {
        Some((clause, t)) => format!(
            "clause {clause}: a member is {words} only by a decision of {}; propose it as a motion to a meeting of that body",
            t.by.iter()
                .map(|b| format!("the {}", b.words()))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        None => format!(
            "the constitution in force names no body that may decide on {}, so no member can be {words}",
            kind.words()
        ),
    }
}

/// The refusal for suspending or expelling outside a decision, naming the clause.
pub(crate) fn only_by_decision(c: &charter_rules::Constitution, to: MemberStatus) -> AppError {
    AppError::Forbidden(decided_only_by(c, to))
}

impl App {
    /// What a meeting's body may decide about a member's standing under the constitution in
    /// force: (`suspended` or `expelled`, the clause), for its page's form.
    pub async fn discipline_choices(
        &self,
        id: MeetingId,
    ) -> Result<Vec<(String, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let (_, c) = match self.constitution_in_force(self.today()).await {
            Ok(v) => v,
            Err(AppError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let Ok(body) = Key::parse(&m.body) else {
            return Ok(Vec::new());
        };
        Ok([MemberStatus::Suspended, MemberStatus::Expelled]
            .into_iter()
            .filter_map(|to| {
                let kind = kind_for(to)?;
                let (clause, t) = c.threshold_for(kind)?;
                t.by.contains(&body)
                    .then(|| (to.as_str().to_string(), clause.as_str().to_string()))
            })
            .collect())
    }

    /// Proposes a motion to suspend or expel a member to meeting `id`. Refused unless the
    /// constitution in force lets this meeting's body take that decision (the refusal cites
    /// the clause), the member belongs within the meeting's unit and may move to that status,
    /// and the usual rules for business allow the proposer.
    pub async fn propose_discipline(
        &self,
        actor: &Actor,
        id: MeetingId,
        req: &DisciplineRequest,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(id).await?;
        let to = match MemberStatus::parse(req.to.trim()) {
            Ok(s) if kind_for(s).is_some() => s,
            _ => {
                return Err(AppError::invalid(
                    "status",
                    "a discipline motion proposes that the member be suspended or expelled",
                ));
            }
        };
        let grounds = req.grounds.trim();
        if grounds.is_empty() {
            return Err(AppError::invalid(
                "grounds",
                "give the grounds: what the member is said to have done, and under which clause",
            ));
        }
        if too_long(grounds, MAX_MOTION) {
            return Err(AppError::invalid(
                "grounds",
                "the grounds are longer than 20,000 characters",
            ));
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let kind = kind_for(to).ok_or_else(|| AppError::Internal("kind".into()))?;
        let body = Key::parse(&m.body).map_err(|e| AppError::Internal(e.to_string()))?;
        let clause = match c.threshold_for(kind) {
            Some((clause, t)) if t.by.contains(&body) => clause.as_str().to_string(),
            _ => {
                return Err(AppError::invalid(
                    "meeting",
                    format!(
                        "{}; a {} cannot decide it",
                        decided_only_by(&c, to),
                        body.words()
                    ),
                ));
            }
        };
        self.business_open(actor, &m, &c, "the motion").await?;

        // The member's name, status and branch: a read of their record, logged.
        let access = AccessContext {
            reader: Some(actor.member),
            office: None,
            purpose: format!("proposing that they be {}", to.as_str()),
            at: self.clock.now(),
        };
        let member = self
            .store
            .member(req.member, Some(&access))
            .await?
            .ok_or_else(|| AppError::invalid("member_id", "there is no such member"))?
            .record;
        let name = format!("{} {}", member.first_name, member.last_name);
        if let Err(e) = member.status.transition(to) {
            return Err(AppError::invalid("member_id", format!("{name}: {e}")));
        }
        if let Some(unit) = m.unit {
            let tree = self.tree().await?;
            if !tree.is_within(member.branch, unit) {
                return Err(AppError::invalid(
                    "member_id",
                    format!(
                        "{name} belongs to {}, outside this meeting's unit",
                        member.branch_name
                    ),
                ));
            }
        }
        let verb = match to {
            MemberStatus::Suspended => "Suspend",
            _ => "Expel",
        };
        let title = format!("{verb} {name}");
        let motion = NewMotion {
            meeting: id,
            kind: kind.as_str().to_string(),
            title: title.clone(),
            text: format!(
                "That {name} be {} under clause {clause}, on these grounds: {grounds}",
                to.as_str()
            ),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: None,
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.proposed",
            format!("meeting:{id}"),
            json!({ "meeting": id, "title": title, "kind": motion.kind,
                    "member": req.member.0, "to": to.as_str(), "clause": clause }),
            &title,
        );
        Ok(self
            .store
            .propose_status_motion(
                &motion,
                &NewStatusMotion {
                    member: req.member,
                    to,
                    clause,
                },
                &event,
            )
            .await?)
    }
}
