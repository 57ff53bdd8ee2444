//! Motions: proposing, amending, seconding, withdrawing and rescinding, and their history.

use super::*;
use charter_model::{MeetingId, MotionId};

impl App {
    /// A member entitled to propose motions at this body puts one before a meeting that has
    /// not started.
    pub async fn propose_motion(
        &self,
        actor: &Actor,
        id: MeetingId,
        motion: &NewMotion,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(id).await?;
        let now = self.clock.now();
        let mut errs = charter_domain::FieldErrors::default();
        let title = motion.title.trim();
        if title.is_empty() {
            errs.add("title", "give the motion a title");
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if motion.text.trim().is_empty() {
            errs.add(
                "text",
                "write the motion's text: what the meeting would decide",
            );
        } else if too_long(&motion.text, MAX_MOTION) {
            errs.add("text", "the motion is longer than 20,000 characters");
        }
        let kind = DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == motion.kind.trim());
        match kind {
            None => errs.add(
                "kind",
                "choose ordinary-motion, dissolve-body, create-body, suspend-standing-orders or rescind",
            ),
            Some(DecisionKind::ConstitutionalAmendment) => errs.add(
                "kind",
                "a constitutional amendment is proposed on the amendments page, where its procedure applies",
            ),
            Some(k) if k.is_procedural() && k != DecisionKind::SuspendStandingOrders => errs.add(
                "kind",
                "a procedural motion is moved at the meeting, by a member present",
            ),
            Some(DecisionKind::Appointment) => errs.add(
                "kind",
                "an appointment names the office and the member: propose it as an appointment",
            ),
            Some(DecisionKind::SuspendMember | DecisionKind::ExpelMember) => errs.add(
                "kind",
                "suspending or expelling names the member: propose it as a discipline motion",
            ),
            Some(DecisionKind::Rescind) if motion.target.is_none() => errs.add(
                "target",
                "say which decision the motion would rescind",
            ),
            Some(_) => {}
        }
        match (motion.matter.as_deref(), motion.position.as_deref()) {
            (None, None) => {}
            (Some(mt), Some("support" | "oppose")) if Key::parse(mt).is_ok() => {}
            (Some(_), Some("support" | "oppose")) => errs.add(
                "matter",
                "name the matter in lower-case words joined by hyphens, e.g. constitution-2017",
            ),
            _ => errs.add(
                "position",
                "a motion on a national matter says whether it supports or opposes it",
            ),
        }
        // A motion calling for a meeting branches may require counts towards its requisition.
        let requires = match motion.requires.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => {
                let (_, c) = self.constitution_in_force(self.today()).await?;
                let by_branch = match m.unit {
                    Some(u) => self.tree().await?.kind(u) == Some(UnitKind::Branch),
                    None => false,
                };
                match crate::requisitions::branches_may_require(&c, r, by_branch) {
                    Ok(k) => Some(k.as_str().to_string()),
                    Err(why) => {
                        errs.add("requires", why);
                        None
                    }
                }
            }
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let rescinds = kind == Some(DecisionKind::Rescind);
        if rescinds {
            self.check_rescindable(&m, motion.target).await?;
        }
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        // Late business comes only as an emergency motion, which the meeting must admit.
        if motion.emergency {
            if now > m.ends_at {
                return Err(AppError::Conflict {
                    field: "meeting".into(),
                    message: "the meeting has ended".into(),
                });
            }
        } else if now >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has started: motions are proposed before it, or as an emergency motion the meeting admits".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        if !motion.emergency
            && let Some((clause, due)) = business_due(&c, &m, false)
            && self.today() > due
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "motions for this meeting were due by {due} (clause {clause}); late business comes only as an emergency motion, taken if the meeting admits it"
                ),
            });
        }
        self.may_propose(actor, &m, &c).await?;
        // A seconder seconds for themselves (`second_motion`); a motion is never amended here.
        let new = NewMotion {
            meeting: id,
            title: title.to_string(),
            text: motion.text.trim().to_string(),
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: if rescinds { motion.target } else { None },
            requires,
            ..motion.clone()
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.proposed",
            format!("meeting:{id}"),
            json!({ "meeting": id, "title": new.title, "kind": new.kind, "matter": new.matter,
                    "requires": new.requires }),
            title,
        );
        Ok(self.store.propose_motion(&new, &event).await?)
    }

    /// A rescission's target: a decision adopted at an earlier meeting of the same body and
    /// unit, not already set aside.
    pub(super) async fn check_rescindable(
        &self,
        m: &MeetingRecord,
        target: Option<MotionId>,
    ) -> Result<(), AppError> {
        let bad = |why: &str| AppError::invalid("target", why);
        let Some(t) = target else {
            return Err(bad("say which decision the motion would rescind"));
        };
        let Some(decision) = self.store.motion(t).await? else {
            return Err(bad("there is no such decision to rescind"));
        };
        let held = self.meeting_record(decision.meeting).await?;
        if held.body != m.body || held.unit != m.unit || held.id == m.id {
            return Err(bad(
                "only a decision of an earlier meeting of the same body can be rescinded",
            ));
        }
        if decision.state != MotionState::Adopted || decision.set_aside_by.is_some() {
            return Err(bad(
                "only a decision adopted and still standing can be rescinded",
            ));
        }
        Ok(())
    }

    /// Decisions a rescission at meeting `id` could name: adopted and still standing, taken
    /// at earlier meetings of the same body and unit; (motion, its meeting's title).
    pub async fn rescindable(
        &self,
        id: MeetingId,
    ) -> Result<Vec<(MotionRecord, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let mut out = Vec::new();
        for held in self.store.meetings(m.unit, None).await? {
            if held.id == m.id || held.body != m.body || held.unit != m.unit {
                continue;
            }
            for mo in self.store.motions(held.id).await? {
                if mo.state == MotionState::Adopted
                    && mo.set_aside_by.is_none()
                    && !is_procedure(&mo)
                {
                    out.push((mo, held.title.clone()));
                }
            }
        }
        Ok(out)
    }

    /// Proposes an amendment to a motion (or, as far as the constitution allows, to an
    /// amendment): `text` is the whole wording proposed instead of the motion's current one.
    pub async fn amend_motion(
        &self,
        actor: &Actor,
        motion_id: MotionId,
        text: &str,
    ) -> Result<MotionId, AppError> {
        let parent = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(parent.meeting).await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid(
                "text",
                "write the motion as it would read once amended",
            ));
        }
        if too_long(text, MAX_MOTION) {
            return Err(AppError::invalid(
                "text",
                "the amendment is longer than 20,000 characters",
            ));
        }
        if text == parent.text.trim() {
            return Err(AppError::invalid(
                "text",
                "the amendment changes nothing: edit the wording you want instead",
            ));
        }
        if parent.state != MotionState::Proposed {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was already {}", parent.state),
            });
        }
        if self.clock.now() >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has started: amendments are proposed before it".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let rule = Key::parse(&m.kind)
            .ok()
            .and_then(|k| c.business_for(&k).map(|(cl, b)| (cl.clone(), b.clone())));
        let depth = self.amendment_depth(&parent).await? + 1;
        let allowed = rule.as_ref().map_or(1, |(_, b)| b.amendment_depth);
        if depth > allowed {
            let cite = rule
                .as_ref()
                .map(|(cl, _)| format!(" (clause {cl})"))
                .unwrap_or_default();
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: match allowed {
                    0 => format!("motions at this meeting may not be amended{cite}"),
                    1 => format!("an amendment may not itself be amended here{cite}"),
                    n => format!("amendments may go only {n} levels deep here{cite}"),
                },
            });
        }
        if let Some((clause, due)) = business_due(&c, &m, true)
            && self.today() > due
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "amendments for this meeting were due by {due} (clause {clause}); it is too late to propose one"
                ),
            });
        }
        self.may_propose(actor, &m, &c).await?;
        let what = if parent.parent.is_some() {
            "amendment"
        } else {
            "motion"
        };
        let new = NewMotion {
            meeting: m.id,
            kind: DecisionKind::OrdinaryMotion.as_str().to_string(),
            title: format!("Amendment to {what} {}", parent.number),
            text: text.to_string(),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: Some(parent.id),
            target: None,
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.amendment_proposed",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "amends": parent.id }),
            &new.title,
        );
        self.store
            .propose_motion(&new, &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// How many amendments deep `motion` is: 0 for a motion, 1 for an amendment to it.
    pub(super) async fn amendment_depth(&self, motion: &MotionRecord) -> Result<u32, AppError> {
        let mut depth = 0;
        let mut at = motion.parent;
        while let Some(p) = at {
            depth += 1;
            at = self.store.motion(p).await?.and_then(|m| m.parent);
            if depth > 64 {
                return Err(AppError::Internal("amendments nest in a loop".into()));
            }
        }
        Ok(depth)
    }

    /// A member entitled to propose seconds another's motion or amendment before it is put.
    pub async fn second_motion(&self, actor: &Actor, motion_id: MotionId) -> Result<(), AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        if motion.proposed_by == Some(actor.member) {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: "a motion is seconded by someone other than its proposer".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        self.may_propose(actor, &m, &c).await?;
        let event = self.event(
            event_actor(actor, None),
            "motion.seconded",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store
            .second_motion(motion_id, actor.member, &event)
            .await
            .map_err(stale_is_conflict)
    }

    /// The proposer, or an officer running the meeting, withdraws a motion before it is put
    /// to the vote; its undecided amendments fall with it. Returns the motions withdrawn.
    pub async fn withdraw_motion(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<Vec<MotionId>, AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        let office = self.meeting_authority(actor, m.unit).await?;
        if motion.proposed_by != Some(actor.member) && office.is_none() {
            return Err(AppError::Forbidden(
                "only the motion's proposer or the officers running the meeting may withdraw it"
                    .into(),
            ));
        }
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "motion.withdrawn",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store
            .withdraw_motion(motion_id, &event)
            .await
            .map_err(stale_is_conflict)
    }

    /// Every wording of a motion, oldest first, each with its word diff from the one before.
    pub async fn motion_history(
        &self,
        motion_id: MotionId,
    ) -> Result<Vec<(MotionVersion, Option<WordDiff>)>, AppError> {
        let versions = self.store.motion_versions(motion_id).await?;
        let mut out = Vec::with_capacity(versions.len());
        let mut before: Option<String> = None;
        for v in versions {
            let diff = before.as_deref().map(|b| word_diff(b, &v.text));
            before = Some(v.text.clone());
            out.push((v, diff));
        }
        Ok(out)
    }
}
