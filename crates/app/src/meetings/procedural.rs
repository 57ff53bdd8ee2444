//! Procedural motions, which take effect in the transaction that decides them.

use super::*;
use charter_model::MotionId;

impl App {
    /// A member present moves a procedural motion during the meeting: that the question be
    /// now put, next business, refer back, admit an emergency motion (each on a motion of
    /// this meeting), adjourn, or suspend standing orders. Each carries by its own threshold.
    pub async fn move_procedural(
        &self,
        actor: &Actor,
        meeting_id: MeetingId,
        kind: &str,
        target: Option<MotionId>,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(meeting_id).await?;
        let Some(kind) = DecisionKind::PROCEDURAL
            .into_iter()
            .find(|k| k.as_str() == kind.trim())
        else {
            return Err(AppError::invalid(
                "kind",
                "choose closure, next-business, refer-back, adjourn, admit-emergency-motion or suspend-standing-orders",
            ));
        };
        let target = match (kind.needs_target(), target) {
            (false, _) => None,
            (true, None) => {
                return Err(AppError::invalid(
                    "target",
                    "say which motion this procedural motion is about",
                ));
            }
            (true, Some(t)) => {
                let Some(tm) = self.store.motion(t).await?.filter(|x| x.meeting == m.id) else {
                    return Err(AppError::invalid(
                        "target",
                        "that is no motion of this meeting",
                    ));
                };
                if tm.state != MotionState::Proposed || tm.set_aside_by.is_some() {
                    return Err(AppError::Conflict {
                        field: "target".into(),
                        message: format!("number {} is no longer before the meeting", tm.number),
                    });
                }
                if kind == DecisionKind::AdmitEmergencyMotion
                    && (!tm.emergency || tm.admitted_by.is_some())
                {
                    return Err(AppError::Conflict {
                        field: "target".into(),
                        message: format!(
                            "number {} is not late business waiting to be admitted",
                            tm.number
                        ),
                    });
                }
                Some(tm)
            }
        };
        let now = self.clock.now();
        if now < m.starts_at || now > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "procedural motions are moved while the meeting is on".into(),
            });
        }
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        if !self.store.attended(m.id, actor.member).await? {
            return Err(AppError::Conflict {
                field: "member".into(),
                message: "only a member present moves a procedural motion; check in first".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        self.may_propose(actor, &m, &c).await?;
        let on = |t: &Option<MotionRecord>| t.as_ref().map(|t| t.number).unwrap_or_default();
        let (title, text) = match kind {
            DecisionKind::Closure => (
                format!("That number {} be now put", on(&target)),
                "That the question be now put: debate ends and the meeting votes.".to_string(),
            ),
            DecisionKind::NextBusiness => (
                format!("Next business on number {}", on(&target)),
                "That the meeting proceed to the next business, leaving the motion undecided."
                    .to_string(),
            ),
            DecisionKind::ReferBack => (
                format!("Refer number {} back", on(&target)),
                "That the motion be referred back to those who brought it.".to_string(),
            ),
            DecisionKind::AdmitEmergencyMotion => (
                format!("Admit number {} as emergency business", on(&target)),
                "That the emergency motion be admitted as late business.".to_string(),
            ),
            DecisionKind::Adjourn => (
                "That the meeting adjourn".to_string(),
                "That the meeting adjourn now; no further business is taken.".to_string(),
            ),
            _ => (
                "Suspend standing orders".to_string(),
                "That standing orders be suspended for the business before the meeting."
                    .to_string(),
            ),
        };
        let new = NewMotion {
            meeting: m.id,
            kind: kind.as_str().to_string(),
            title,
            text,
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: target.as_ref().map(|t| t.id),
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.procedural_moved",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "kind": kind.as_str(), "target": new.target }),
            &new.title,
        );
        Ok(self.store.propose_motion(&new, &event).await?)
    }
}
