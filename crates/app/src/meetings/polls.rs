//! Votes on motions: the tellers' count, and polls of the members checked in.

use super::*;
use charter_domain::VoteChoice;
use charter_model::MotionId;

impl App {
    /// Records the tellers' count on a motion and decides what it came to under the version
    /// in force on the meeting's day. `present` defaults to the voting members checked in.
    pub async fn record_vote(
        &self,
        actor: &Actor,
        motion_id: MotionId,
        votes_for: u32,
        votes_against: u32,
        abstentions: u32,
        present: Option<u32>,
    ) -> Result<MotionResult, AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        self.ready_for_vote(&motion, &m).await?;
        if self.store.poll(motion_id).await?.is_some() {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: "this motion is being decided by electronic vote: close the vote to record its result".into(),
            });
        }
        if self.store.card_vote(motion_id).await?.is_some() {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message:
                    "this motion is being decided by card vote: close the vote to record its result"
                        .into(),
            });
        }
        self.decide(
            actor,
            &office,
            &motion,
            &m,
            (votes_for, votes_against, abstentions),
            present,
        )
        .await
    }

    /// An electronic vote on a motion, with the reader's own vote. Any signed-in member may
    /// see it; the count is the caller's to withhold until it closes.
    pub async fn poll_view(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<PollView, AppError> {
        self.store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let poll = self
            .store
            .poll(motion_id)
            .await?
            .ok_or(AppError::NotFound("vote on this motion"))?;
        let mine = self.store.my_vote(motion_id, actor.member).await?;
        Ok(PollView { poll, mine })
    }

    /// Opens an electronic vote on a proposed motion: named (each voter's choice on the
    /// record) or secret (only who voted is kept). Officers running the meeting, while it is on.
    pub async fn open_voting(
        &self,
        actor: &Actor,
        motion_id: MotionId,
        mode: &str,
    ) -> Result<(), AppError> {
        let mode = mode.trim();
        if mode != "named" && mode != "secret" {
            return Err(AppError::invalid(
                "mode",
                "choose a named vote (each member's choice recorded) or a secret vote",
            ));
        }
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        self.ready_for_vote(&motion, &m).await?;
        if self.clock.now() > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has ended: a vote cannot be opened after it".into(),
            });
        }
        if let Some(conf) = self.store.delegate_conference(m.id).await? {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!(
                    "clause {}: at this delegate conference votes are taken by the delegates' cards; open a card vote",
                    conf.clause
                ),
            });
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "motion.poll_opened",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id, "mode": mode }),
            &format!("{mode} vote opened on '{}'", motion.title),
        );
        self.store
            .open_poll(motion_id, mode, Some(actor.member), &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// A member checked in with a vote casts it. `submission` is a key the member's page or
    /// client makes once per vote: sending it again (a double tap, a retry) changes nothing.
    pub async fn cast_vote(
        &self,
        actor: &Actor,
        motion_id: MotionId,
        choice: &str,
        submission: &str,
    ) -> Result<VoteReceipt, AppError> {
        let (choice, submission) = checked_vote(choice, submission)?;
        let vote = NewVote {
            motion: motion_id,
            member: actor.member,
            choice,
            submission: submission.to_string(),
        };
        self.store
            .cast_vote(&vote, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Conflict {
                    field: "motion".into(),
                    message: "voting on this motion has not been opened".into(),
                },
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// Closes an electronic vote and decides the motion from its count. Closing again after
    /// an interruption decides from the same count.
    pub async fn close_voting(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<MotionResult, AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        let poll = self
            .store
            .poll(motion_id)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: "motion".into(),
                message: "voting on this motion has not been opened".into(),
            })?;
        if motion.state != MotionState::Proposed {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was already {}", motion.state),
            });
        }
        let poll = if poll.closed_at.is_none() {
            let event = self.event(
                event_actor(actor, Some(&office)),
                "motion.poll_closed",
                format!("meeting:{}", m.id),
                json!({
                    "motion": motion_id,
                    "mode": poll.mode.as_str(),
                    "voted": poll.voted,
                }),
                &format!("vote closed on '{}'", motion.title),
            );
            match self.store.close_poll(motion_id, &event).await {
                Ok(p) => p,
                // Closed by another officer meanwhile: decide from the final count.
                Err(StoreError::Stale(_)) => self
                    .store
                    .poll(motion_id)
                    .await?
                    .ok_or(AppError::NotFound("vote"))?,
                Err(e) => return Err(e.into()),
            }
        } else {
            poll
        };
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        self.decide(
            actor,
            &office,
            &motion,
            &m,
            (
                count(poll.votes_for),
                count(poll.votes_against),
                count(poll.abstentions),
            ),
            None,
        )
        .await
    }
}

/// The shortest submission key of a vote, in characters.
pub const MIN_SUBMISSION: usize = 8;
/// The longest submission key of a vote, in characters.
pub const MAX_SUBMISSION: usize = 64;

/// A vote's choice and the voting form's submission key, trimmed and checked; a refusal
/// carries a message for each field that is wrong.
pub(crate) fn checked_vote<'a>(
    choice: &'a str,
    submission: &'a str,
) -> Result<(VoteChoice, &'a str), AppError> {
    let mut errs = charter_domain::FieldErrors::default();
    let choice = VoteChoice::parse(choice.trim());
    if choice.is_none() {
        errs.add("choice", "vote for, against or abstain");
    }
    let submission = submission.trim();
    if submission.len() < MIN_SUBMISSION
        || submission.len() > MAX_SUBMISSION
        || !submission
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        errs.add(
            "submission",
            format!(
                "the vote's key must be {MIN_SUBMISSION} to {MAX_SUBMISSION} letters, digits, '-' or '_'; reload the page and vote again"
            ),
        );
    }
    match (errs.is_empty(), choice) {
        (true, Some(choice)) => Ok((choice, submission)),
        _ => Err(AppError::Invalid(errs)),
    }
}
