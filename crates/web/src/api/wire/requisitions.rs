//! Wire formats for requisitioned meetings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Requisition {
    pub id: i64,
    /// The meeting required, e.g. `special-conference`.
    pub kind: String,
    pub title: String,
    pub purpose: String,
    pub matter: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub signatures: i64,
    /// Branches whose published motions call for the meeting or support `matter`, each once.
    pub branches_supporting: u32,
    /// collecting, reached, overdue or answered.
    pub state: String,
    /// The constitution's threshold with the counts, citing its clause.
    pub threshold: String,
    pub reached_at: Option<DateTime<Utc>>,
    /// The last day the officers may call the meeting.
    pub call_by: Option<NaiveDate>,
    pub meeting_id: Option<i64>,
    /// When those who must call an overdue meeting were last written to (weekly until it is).
    pub reminded_at: Option<DateTime<Utc>>,
    /// Whether the caller has signed.
    pub signed: bool,
}

impl From<&charter_app::meetings::RequisitionView> for Requisition {
    fn from(v: &charter_app::meetings::RequisitionView) -> Self {
        let r = &v.record;
        Requisition {
            id: r.id.0,
            kind: r.kind.clone(),
            title: r.title.clone(),
            purpose: r.purpose.clone(),
            matter: r.matter.clone(),
            opened_at: r.opened_at,
            signatures: r.signatures,
            branches_supporting: v.branches_supporting,
            state: v.state.as_str().to_string(),
            threshold: v.threshold.clone(),
            reached_at: r.reached_at,
            call_by: r.call_by,
            meeting_id: r.meeting.map(|id| id.0),
            reminded_at: r.reminded_at,
            signed: v.signed,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequisitionRequest {
    #[schema(example = "special-conference")]
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub purpose: String,
    /// A matter key: branches' published motions supporting it count towards the threshold.
    pub matter: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RequisitionOpened {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The meeting called in answer.
    pub meeting_id: i64,
}
