//! Minutes: drafted from the record, saved, and final once a later meeting approves them.

use super::*;
use charter_model::{MeetingId, MotionId};

impl App {
    /// A draft of the minutes written from what was recorded: whether the meeting was
    /// properly convened, attendance and quorum, and each motion with its outcome.
    pub async fn draft_minutes(&self, actor: &Actor, id: MeetingId) -> Result<String, AppError> {
        Ok(minutes_from_record(&self.meeting_view(actor, id).await?))
    }

    /// Saves a meeting's draft minutes: the officers running it, once it has begun.
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        id: MeetingId,
        text: &str,
    ) -> Result<(), AppError> {
        let m = self.meeting_record(id).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting keep its minutes",
            )
            .await?;
        if self.clock.now() < m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "minutes are kept once the meeting has begun".into(),
            });
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid("text", "the minutes are empty"));
        }
        if too_long(text, MAX_MINUTES) {
            return Err(AppError::invalid(
                "text",
                "the minutes are longer than 100,000 characters",
            ));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "minutes.drafted",
            format!("meeting:{id}"),
            json!({ "meeting": id }),
            &format!("minutes of '{}' drafted", m.title),
        );
        self.store
            .save_minutes(id, text, Some(actor.member), &event)
            .await
            .map_err(stale_is_conflict)
    }

    pub async fn minutes(&self, id: MeetingId) -> Result<Option<MinutesRecord>, AppError> {
        self.meeting_record(id).await?;
        Ok(self.store.minutes(id).await?)
    }

    /// Earlier meetings of the same body whose minutes are still a draft: (id, title).
    pub async fn drafts_to_approve(
        &self,
        id: MeetingId,
    ) -> Result<Vec<(MeetingId, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let mut out = Vec::new();
        for held in self.store.meetings(m.unit, None).await? {
            if held.body == m.body
                && held.unit == m.unit
                && held.starts_at < m.starts_at
                && let Some(min) = self.store.minutes(held.id).await?
                && min.state == MinutesState::Draft
            {
                out.push((held.id, held.title));
            }
        }
        Ok(out)
    }

    /// Puts the draft minutes of an earlier meeting of the same body before meeting `id`, as
    /// a motion to approve them; adopted, they become final.
    pub async fn put_minutes_for_approval(
        &self,
        actor: &Actor,
        id: MeetingId,
        of_meeting: MeetingId,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(id).await?;
        let earlier = self.meeting_record(of_meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting put business before it",
            )
            .await?;
        if earlier.body != m.body || earlier.unit != m.unit || earlier.starts_at >= m.starts_at {
            return Err(AppError::invalid(
                "of_meeting",
                "minutes are approved by a later meeting of the same body",
            ));
        }
        if self.clock.now() > m.ends_at || m.adjourned_by.is_some() {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting has ended".into(),
            });
        }
        let motion = NewMotion {
            meeting: id,
            kind: DecisionKind::OrdinaryMotion.as_str().to_string(),
            title: format!("Minutes of {}", earlier.title),
            text: format!(
                "That the minutes of {} on {} be approved as a true record.",
                earlier.title,
                day(earlier.starts_at)
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
            event_actor(actor, Some(&office)),
            "minutes.put_for_approval",
            format!("meeting:{id}"),
            json!({ "meeting": id, "minutes_of": of_meeting }),
            &motion.title,
        );
        self.store
            .put_minutes_for_approval(of_meeting, &motion, &event)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Conflict {
                    field: "of_meeting".into(),
                    message: "that meeting has no draft minutes yet".into(),
                },
                other => stale_is_conflict(other),
            })
    }
}

/// Minutes written from a meeting's record as `meeting_view` gives it (see
/// `App::draft_minutes`); the meeting page passes the view it already has.
pub fn minutes_from_record(v: &MeetingView) -> String {
    let m = &v.meeting;
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(&mut out, format!("Minutes of {}", m.title));
    line(
        &mut out,
        format!(
            "{}{}: {} to {} UTC, {}{}.",
            v.body_name,
            v.unit_name
                .as_ref()
                .map(|u| format!(", {u}"))
                .unwrap_or_default(),
            m.starts_at.format("%-d %B %Y %H:%M"),
            m.ends_at.format("%H:%M"),
            m.mode,
            m.place
                .as_ref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default()
        ),
    );
    line(
        &mut out,
        format!(
            "Properly convened: {}. {}",
            match v.convening.properly_convened {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not known",
            },
            v.convening.explanation
        ),
    );
    let quorum = match &v.quorum {
        Some((clause, q)) => format!(
            " The quorum is {q} (clause {clause}): {}.",
            if v.present_voting >= i64::from(*q) {
                "quorate"
            } else {
                "not quorate"
            }
        ),
        None => String::new(),
    };
    line(
        &mut out,
        format!(
            "Present: {}, of whom {} entitled to vote, of {} on the roll.{quorum}",
            v.present, v.present_voting, v.entitled_to_vote
        ),
    );
    line(&mut out, String::new());
    line(&mut out, "Business".to_string());
    if v.motions.is_empty() {
        line(&mut out, "No motions were before the meeting.".to_string());
    }
    let number = |id: MotionId| v.motions.iter().find(|x| x.id == id).map(|x| x.number);
    for mo in &v.motions {
        let mut about = Vec::new();
        if let Some(n) = mo.parent.and_then(number) {
            about.push(format!("amendment to number {n}"));
        }
        if let Some(n) = mo.target.and_then(number) {
            about.push(format!("on number {n}"));
        }
        if mo.emergency {
            about.push("emergency business".to_string());
        }
        let outcome = match (mo.state, mo.votes_for, mo.votes_against) {
            (MotionState::Proposed, _, _) => match mo.set_aside_by.and_then(number) {
                Some(n) if v.composited_into(mo).is_some() => {
                    format!("composited into number {n} with its mover's consent")
                }
                Some(n) => format!("set aside by number {n}"),
                None => "not decided".to_string(),
            },
            (state, Some(f), Some(a)) => format!(
                "{}: {f} for, {a} against, {} abstaining",
                state.as_str().replace('-', " "),
                mo.abstentions.unwrap_or(0)
            ),
            (state, _, _) => state.as_str().replace('-', " "),
        };
        line(
            &mut out,
            format!(
                "{}. {}{}: {outcome}.",
                mo.number,
                mo.title,
                if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", about.join(", "))
                }
            ),
        );
        let reasons: Vec<(String, String)> = mo
            .failures_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        for (clause, why) in reasons {
            line(
                &mut out,
                format!(
                    "   {}{why}",
                    if clause.is_empty() {
                        String::new()
                    } else {
                        format!("clause {clause}: ")
                    }
                ),
            );
        }
        line(&mut out, format!("   \"{}\"", mo.text.trim()));
    }
    if let Some(n) = m.adjourned_by.and_then(number) {
        line(&mut out, String::new());
        line(
            &mut out,
            format!("The meeting was adjourned by number {n}."),
        );
    }
    out
}
