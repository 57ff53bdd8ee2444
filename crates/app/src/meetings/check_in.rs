//! Checking in: the meeting's code and the window for checking in.

use super::*;
use charter_model::MeetingId;

impl App {
    /// The meeting's check-in code, for the officers running it to read out or show; `None`
    /// for a meeting called before codes were kept, until they make one.
    pub async fn check_in_code(
        &self,
        actor: &Actor,
        id: MeetingId,
    ) -> Result<Option<String>, AppError> {
        let m = self.meeting_record(id).await?;
        self.officer_running(
            actor,
            m.unit,
            "only the officers running this meeting see its check-in code",
        )
        .await?;
        Ok(self.store.check_in_code(id).await?)
    }

    /// Replaces the meeting's check-in code, say when it has been shared beyond the room; the
    /// old code and its link stop working.
    pub async fn new_check_in_code(
        &self,
        actor: &Actor,
        id: MeetingId,
    ) -> Result<String, AppError> {
        let m = self.meeting_record(id).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting change its check-in code",
            )
            .await?;
        let code = new_check_in_code();
        let event = self.event(
            event_actor(actor, Some(&office)),
            "meeting.check_in_code",
            format!("meeting:{id}"),
            json!({ "meeting": id }),
            "a new check-in code",
        );
        self.store.replace_check_in_code(id, &code, &event).await?;
        Ok(code)
    }

    /// Checks in the actor (self check-in, with the code read out at the meeting or carried
    /// in its link) or, for an officer running the meeting, another invited member or
    /// themselves without a code. Only while the meeting is on: from an hour before it starts
    /// until it ends.
    pub async fn check_in(
        &self,
        actor: &Actor,
        id: MeetingId,
        member: Option<MemberId>,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        let m = self.meeting_record(id).await?;
        let now = self.clock.now();
        if m.state != MeetingState::Called {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting was cancelled".into(),
            });
        }
        let window = CheckInWindow::of(m.starts_at, m.ends_at);
        if !window.is_open(now) {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "check-in is open from an hour before the meeting until it ends ({} to {})",
                    window.opens, window.closes
                ),
            });
        }
        let who = member.unwrap_or(actor.member);
        let office = if who == actor.member {
            let runs = self.meeting_authority(actor, m.unit).await?;
            if runs.is_none() {
                self.check_code(id, code).await?;
            }
            runs
        } else {
            Some(
                self.officer_running(
                    actor,
                    m.unit,
                    "only the officers running this meeting may check in someone else",
                )
                .await?,
            )
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "meeting.checked_in",
            format!("meeting:{id}"),
            json!({ "meeting": id, "member": who.0 }),
            "attendance",
        );
        self.store
            .check_in(id, who, office.map(|_| actor.member), &event)
            .await
            .map_err(|e| match e {
                charter_store::StoreError::NotFound(_) => AppError::Forbidden(
                    "not on this meeting's roll: the constitution does not entitle this member to attend".into(),
                ),
                other => other.into(),
            })
    }

    pub(super) async fn check_code(
        &self,
        id: MeetingId,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        let given = normalise_code(code.unwrap_or(""));
        if given.is_empty() {
            return Err(AppError::invalid(
                "code",
                "give the check-in code read out at the meeting, or open its check-in link",
            ));
        }
        match self.store.check_in_code(id).await? {
            Some(kept) if kept == given => Ok(()),
            _ => Err(AppError::invalid(
                "code",
                "that is not this meeting's check-in code: ask the chair for it",
            )),
        }
    }
}

/// A meeting's check-in code: six characters, about a billion possibilities, read out or shown
/// at the meeting and carried in its check-in link.
pub fn new_check_in_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..6)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// A code as typed: case, spaces and hyphens do not matter.
pub(super) fn normalise_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
