//! Composite motions: where several motions before a meeting say much the same, the officers
//! running it propose one wording that merges them, and it replaces them only if every mover
//! agrees. Until then each motion stands as its mover wrote it.

use charter_domain::{Actor, MeetingState, MemberId, MotionState};
use charter_model::{CompositeId, MeetingId, MotionId};
use charter_store::{CompositeRecord, MotionRecord, NewComposite, NewMotion};
use serde_json::json;

use crate::meetings::{MAX_MOTION, MAX_TITLE, is_procedure, too_long};
use crate::{App, AppError, event_actor};

impl App {
    /// A composite motion's record, or `None`.
    pub async fn composite(&self, id: CompositeId) -> Result<Option<CompositeRecord>, AppError> {
        Ok(self.store.composite(id).await?)
    }

    /// The officers running a meeting propose merging `parts` (motions before it, not
    /// amendments or procedure, each with a mover) into one motion worded `text`.
    pub async fn propose_composite(
        &self,
        actor: &Actor,
        meeting: MeetingId,
        title: &str,
        text: &str,
        parts: &[MotionId],
    ) -> Result<CompositeId, AppError> {
        let m = self.meeting_record(meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting propose composites",
            )
            .await?;
        if m.state != MeetingState::Called
            || m.adjourned_by.is_some()
            || self.clock.now() > m.ends_at
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting is over: nothing more can be composited".into(),
            });
        }
        let mut errs = charter_domain::FieldErrors::default();
        let title = title.trim();
        let text = text.trim();
        if title.is_empty() {
            errs.add("title", "give the composite a title");
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if text.is_empty() {
            errs.add("text", "write the composite's wording");
        } else if too_long(text, MAX_MOTION) {
            errs.add("text", "the wording is longer than 20,000 characters");
        }
        let motions = self.store.motions(meeting).await?;
        let mut chosen: Vec<&MotionRecord> = Vec::new();
        for id in parts {
            if chosen.iter().any(|c| c.id == *id) {
                continue;
            }
            match motions.iter().find(|mo| mo.id == *id) {
                None => errs.add("motions", format!("motion {id} is not before this meeting")),
                Some(mo) => chosen.push(mo),
            }
        }
        if chosen.len() < 2 {
            errs.add("motions", "choose at least two motions to composite");
        }
        for mo in &chosen {
            let why = if mo.state != MotionState::Proposed || mo.set_aside_by.is_some() {
                Some("is no longer before the meeting")
            } else if mo.parent.is_some() {
                Some("is an amendment; composite the motions it amends")
            } else if is_procedure(mo) {
                Some("is procedural")
            } else if mo.proposed_by.is_none() {
                Some("has no mover to consent")
            } else {
                None
            };
            if let Some(why) = why {
                errs.add("motions", format!("number {} {why}", mo.number));
            }
        }
        for mo in &chosen {
            let amended = motions.iter().any(|a| {
                a.parent == Some(mo.id)
                    && a.state == MotionState::Proposed
                    && a.set_aside_by.is_none()
            });
            if amended {
                errs.add(
                    "motions",
                    format!(
                        "number {} has amendments before the meeting: they are decided or withdrawn first",
                        mo.number
                    ),
                );
            }
            if self.store.poll(mo.id).await?.is_some() {
                errs.add("motions", format!("number {} is being voted on", mo.number));
            }
        }
        if chosen.iter().any(|mo| mo.kind != chosen[0].kind) {
            errs.add(
                "motions",
                "only motions of one kind can be composited together",
            );
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let ids: Vec<MotionId> = chosen.iter().map(|mo| mo.id).collect();
        let numbers: Vec<i64> = chosen.iter().map(|mo| mo.number).collect();
        let event = self.event(
            event_actor(actor, Some(&office)),
            "composite.proposed",
            format!("meeting:{meeting}"),
            json!({ "meeting": meeting, "title": title, "motions": ids }),
            &format!("{title}: merging numbers {numbers:?}"),
        );
        Ok(self
            .store
            .propose_composite(
                &NewComposite {
                    meeting,
                    title: title.to_string(),
                    text: text.to_string(),
                    parts: ids,
                    proposed_by: Some(actor.member),
                },
                &event,
            )
            .await?)
    }

    /// A meeting's composites with their parts and consents, for anyone who may see it.
    pub async fn composites(&self, meeting: MeetingId) -> Result<Vec<CompositeRecord>, AppError> {
        self.meeting_record(meeting).await?;
        Ok(self.store.composites(meeting).await?)
    }

    async fn composite_record(&self, id: CompositeId) -> Result<CompositeRecord, AppError> {
        self.store
            .composite(id)
            .await?
            .ok_or(AppError::NotFound("composite"))
    }

    /// The actor consents, as mover, for each of their motions in the composite. The last
    /// consent forms it: the composite becomes a motion, moved by the first mover and
    /// seconded by the next, and the motions it merges are set aside. Returns the new motion
    /// once formed.
    pub async fn consent_to_composite(
        &self,
        actor: &Actor,
        id: CompositeId,
    ) -> Result<Option<MotionId>, AppError> {
        let c = self.composite_record(id).await?;
        let motions = self.store.motions(c.meeting).await?;
        let mover = |part: MotionId| {
            motions
                .iter()
                .find(|mo| mo.id == part)
                .and_then(|mo| mo.proposed_by)
        };
        let mine: Vec<MotionId> = c
            .parts
            .iter()
            .filter(|p| p.consented_at.is_none() && mover(p.motion) == Some(actor.member))
            .map(|p| p.motion)
            .collect();
        if mine.is_empty() {
            return Err(
                if c.parts
                    .iter()
                    .any(|p| mover(p.motion) == Some(actor.member))
                {
                    AppError::Conflict {
                        field: "composite".into(),
                        message: "you have already consented to this composite".into(),
                    }
                } else {
                    AppError::Forbidden(
                        "only the movers of the motions in this composite consent to it".into(),
                    )
                },
            );
        }
        let movers: Vec<MemberId> = c.parts.iter().filter_map(|p| mover(p.motion)).collect();
        let first = motions
            .iter()
            .find(|mo| mo.id == c.parts[0].motion)
            .ok_or_else(|| AppError::Internal("composite part".into()))?;
        let parts: Vec<&MotionRecord> = c
            .parts
            .iter()
            .filter_map(|p| motions.iter().find(|mo| mo.id == p.motion))
            .collect();
        let shared = |f: fn(&MotionRecord) -> Option<String>| {
            let v = f(first);
            parts.iter().all(|mo| f(mo) == v).then_some(v).flatten()
        };
        let formed = NewMotion {
            meeting: c.meeting,
            kind: first.kind.clone(),
            title: c.title.clone(),
            text: c.text.clone(),
            matter: shared(|mo| mo.matter.clone()),
            position: shared(|mo| mo.position.clone()),
            requires: shared(|mo| mo.requires.clone()),
            proposed_by: movers.first().copied(),
            seconded_by: movers
                .iter()
                .copied()
                .find(|m| Some(*m) != movers.first().copied()),
            parent: None,
            target: None,
            emergency: parts.iter().any(|mo| mo.emergency),
        };
        let mut made = None;
        for part in mine {
            let consent = self.event(
                event_actor(actor, None),
                "composite.consented",
                format!("meeting:{}", c.meeting),
                json!({ "composite": id, "motion": part }),
                &c.title,
            );
            let forming = self.event(
                event_actor(actor, None),
                "motion.composited",
                format!("meeting:{}", c.meeting),
                json!({ "composite": id, "motions": c.parts.iter().map(|p| p.motion).collect::<Vec<_>>() }),
                &format!("'{}' formed with every mover's consent", c.title),
            );
            made = self
                .store
                .consent_to_composite(id, part, actor.member, &formed, &consent, &forming)
                .await?;
        }
        Ok(made)
    }

    /// A mover refuses the composite (or the officers running the meeting drop it): it is
    /// declined, and every motion stands as its mover wrote it.
    pub async fn decline_composite(&self, actor: &Actor, id: CompositeId) -> Result<(), AppError> {
        let c = self.composite_record(id).await?;
        let motions = self.store.motions(c.meeting).await?;
        let moves_one = c.parts.iter().any(|p| {
            motions
                .iter()
                .any(|mo| mo.id == p.motion && mo.proposed_by == Some(actor.member))
        });
        let office = if moves_one {
            None
        } else {
            let m = self.meeting_record(c.meeting).await?;
            Some(
                self.officer_running(
                    actor,
                    m.unit,
                    "only a mover of a motion in this composite, or the officers running the meeting, may refuse it",
                )
                .await?,
            )
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "composite.declined",
            format!("meeting:{}", c.meeting),
            json!({ "composite": id }),
            &c.title,
        );
        Ok(self.store.decline_composite(id, &event).await?)
    }
}
