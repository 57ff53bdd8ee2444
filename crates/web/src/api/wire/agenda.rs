//! Wire formats for a meeting's agenda items and their papers.

use charter_app::agenda::{AgendaView, size_label};
use charter_model::{AgendaItemRecord, PaperRecord};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new item, put at the end of the agenda.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemRequest {
    #[schema(example = "Delegates to the special conference")]
    pub title: String,
    /// Who introduces it, or what the meeting is asked to do.
    #[schema(example = "Introduced by the secretary; the meeting is asked to elect two delegates")]
    pub description: Option<String>,
}

/// An item as it should now read; with `position`, it moves there and the others keep
/// their order around it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemEdit {
    pub title: String,
    /// Absent or null: no description.
    pub description: Option<String>,
    /// 1 is first; absent: it stays where it is.
    #[schema(example = 1)]
    pub position: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemAdded {
    pub id: i64,
}

/// A meeting's agenda: its items in order with their papers, and what the caller may change.
#[derive(Serialize, ToSchema)]
pub struct AgendaBody {
    pub meeting_id: i64,
    /// The agenda text given when the meeting was called (shown as "as called").
    pub agenda_as_called: String,
    pub items: Vec<AgendaItemBody>,
    /// The caller runs the meeting and it has not started: items may be added, changed,
    /// moved and taken off.
    pub may_change_items: bool,
    /// The caller runs the meeting and it has not ended: papers may be circulated and withdrawn.
    pub may_circulate: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemBody {
    pub id: i64,
    /// 1, 2, 3… in the order the meeting takes them.
    pub number: i64,
    pub title: String,
    pub description: Option<String>,
    pub added_at: DateTime<Utc>,
    /// Oldest first, withdrawn ones included (marked).
    pub papers: Vec<PaperBody>,
}

/// A paper's record; its content is at `download`.
#[derive(Serialize, ToSchema)]
pub struct PaperBody {
    pub id: i64,
    pub agenda_item_id: i64,
    pub meeting_id: i64,
    pub filename: String,
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// The size in words, e.g. "2.4 MB".
    pub size_label: String,
    /// Lowercase hex SHA-256 of the content, so members can check they hold the same paper.
    pub sha256: String,
    pub circulated_at: DateTime<Utc>,
    pub circulated_by: Option<i64>,
    pub withdrawn: bool,
    pub withdrawn_at: Option<DateTime<Utc>>,
    #[schema(example = "/api/v1/papers/7")]
    pub download: String,
}

/// The multipart/form-data body that circulates a paper.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaperUpload {
    /// The paper: PDF, plain text, Markdown, ODT, DOCX, PNG or JPEG, at most 5 MB. The part's
    /// filename (made safe) and content type are kept; the content's first bytes must agree
    /// with the type. A part sent as application/octet-stream is typed by its filename.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

impl From<&PaperRecord> for PaperBody {
    fn from(p: &PaperRecord) -> Self {
        PaperBody {
            id: p.id.0,
            agenda_item_id: p.item.0,
            meeting_id: p.meeting.0,
            filename: p.filename.clone(),
            content_type: p.content_type.clone(),
            size: p.size,
            size_label: size_label(u64::try_from(p.size).unwrap_or(0)),
            sha256: p.sha256.clone(),
            circulated_at: p.circulated_at,
            circulated_by: p.circulated_by.map(|m| m.0),
            withdrawn: p.withdrawn_at.is_some(),
            withdrawn_at: p.withdrawn_at,
            download: format!("/api/v1/papers/{}", p.id),
        }
    }
}

impl From<&AgendaItemRecord> for AgendaItemBody {
    fn from(i: &AgendaItemRecord) -> Self {
        AgendaItemBody {
            id: i.id.0,
            number: i.number.unwrap_or(0),
            title: i.title.clone(),
            description: i.description.clone(),
            added_at: i.added_at,
            papers: i.papers.iter().map(PaperBody::from).collect(),
        }
    }
}

impl From<&AgendaView> for AgendaBody {
    fn from(v: &AgendaView) -> Self {
        AgendaBody {
            meeting_id: v.meeting.id.0,
            agenda_as_called: v.meeting.agenda.clone(),
            items: v.items.iter().map(AgendaItemBody::from).collect(),
            may_change_items: v.may_change_items,
            may_circulate: v.may_circulate,
        }
    }
}
