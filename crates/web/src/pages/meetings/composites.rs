//! Composites: motions merged into one wording by the officers, formed only once every mover
//! consents; how each is shown, proposing one, and a mover's answer.

use axum::extract::State;
use charter_app::AppError;
use charter_domain::{CompositeState, MemberId};
use charter_model::MotionId;
use serde::Deserialize;

use super::page::after_meeting_form;
use crate::AppState;
use crate::pages::forms::CsrfOnly;
use crate::pages::{CsrfForm, PageError, PagePath, PageResult, PathId, ids};
use crate::session::PageUser;

/// A composite as the meeting page shows it.
pub(super) struct CompositeView {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub state: String,
    pub pending: bool,
    /// The composite motion's number, once formed.
    pub formed_as: Option<i64>,
    /// (number, title, consented) for each motion it merges.
    pub parts: Vec<(i64, String, bool)>,
    /// The reader moved a motion in it and has yet to consent.
    pub awaiting_me: bool,
}

pub(super) fn composite_view(
    c: &charter_model::CompositeRecord,
    motions: &[charter_model::MotionRecord],
    reader: MemberId,
) -> CompositeView {
    let find = |id: MotionId| motions.iter().find(|m| m.id == id);
    CompositeView {
        id: c.id.0,
        title: c.title.clone(),
        text: c.text.clone(),
        state: match c.state {
            CompositeState::Pending => "awaiting the movers' consent".to_string(),
            other => other.to_string(),
        },
        pending: c.state == CompositeState::Pending,
        formed_as: c.motion.and_then(find).map(|m| m.number),
        parts: c
            .parts
            .iter()
            .filter_map(|p| {
                find(p.motion).map(|m| (m.number, m.title.clone(), p.consented_at.is_some()))
            })
            .collect(),
        awaiting_me: c.state == CompositeState::Pending
            && c.parts.iter().any(|p| {
                p.consented_at.is_none()
                    && find(p.motion).and_then(|m| m.proposed_by) == Some(reader)
            }),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompositeForm {
    pub title: String,
    pub text: String,
    /// The motions' numbers, e.g. "2, 5".
    pub numbers: String,
}

/// The officers propose a composite of motions named by number.
pub async fn propose_composite(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<CompositeForm>,
) -> PageResult {
    let result = async {
        let motions = state.app.meeting_motions(id).await?;
        let mut ids = Vec::new();
        for raw in form
            .numbers
            .split([',', ' ', ';'])
            .filter(|w| !w.trim().is_empty())
        {
            let n: Option<i64> = raw.trim().trim_start_matches('#').parse().ok();
            match n.and_then(|n| motions.iter().find(|m| m.number == n)) {
                Some(m) => ids.push(m.id),
                None => {
                    return Err(AppError::invalid(
                        "motions",
                        format!(
                            "'{}' is not the number of a motion before this meeting",
                            raw.trim()
                        ),
                    ));
                }
            }
        }
        state
            .app
            .propose_composite(&session.actor, id, &form.title, &form.text, &ids)
            .await
    }
    .await
    .map(|_| ("composite", "composites".to_string()));
    after_meeting_form(&state, &session, id, result).await
}

/// A mover consents to a composite, or refuses it (`refusal`); officers may drop it.
pub async fn answer_composite(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Composite>,
    PagePath((_, answer)): PagePath<(String, String)>,
    _: CsrfForm<CsrfOnly>,
) -> PageResult {
    let Some(composite) = state.app.composite(id).await? else {
        return Err(PageError::not_found("composite"));
    };
    let meeting = composite.meeting;
    let result = match answer.as_str() {
        "consent" => state
            .app
            .consent_to_composite(&session.actor, id)
            .await
            .map(|formed| {
                if formed.is_some() {
                    "composited"
                } else {
                    "consented"
                }
            }),
        "refusal" => state
            .app
            .decline_composite(&session.actor, id)
            .await
            .map(|()| "composite-declined"),
        _ => return Err(PageError::not_found("page")),
    };
    let anchored = result.map(|saved| (saved, "composites".to_string()));
    after_meeting_form(&state, &session, meeting, anchored).await
}
