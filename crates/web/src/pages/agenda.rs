//! The agenda on a meeting's page: numbered items with their papers (name, kind, size,
//! SHA-256, when circulated, a download link) for every member, and for the officers running
//! the meeting the forms to add, reword, move and take off items, and to circulate and
//! withdraw papers. Every form carries the session's CSRF token; the paper form is
//! `multipart/form-data`, read by [`crate::upload`].

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use charter_app::AppError;
use charter_app::agenda::{PaperKind, size_label};
use charter_model::{AgendaItemId, MeetingId, PaperId};
use serde::Deserialize;

use super::extract::UploadFields;
use super::forms::Errors;
use super::meetings::{Input, after_meeting_form, meeting_page};
use super::view::time;
use super::{CsrfForm, CsrfUpload, PageError, PageResult, PathId, ids, parse_id};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, PageUser};
use crate::upload::paper_response;

pub const ITEM_FIELDS: &[&str] = &["title", "description", "position"];

/// The add and edit forms of an item.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ItemForm {
    pub meeting: String,
    pub title: String,
    pub description: String,
    pub position: String,
}

/// Forms that only name their meeting (take off an item, withdraw a paper, move an item).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub meeting: String,
    pub position: String,
}

pub struct PaperView {
    pub id: PaperId,
    pub filename: String,
    pub kind: &'static str,
    pub size: String,
    pub sha256: String,
    /// The first 12 hex digits, enough to compare by eye.
    pub sha_short: String,
    pub circulated: String,
    /// When withdrawn, in words.
    pub withdrawn: Option<String>,
}

pub struct ItemView {
    pub id: AgendaItemId,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub papers: Vec<PaperView>,
    /// Papers not withdrawn: while any, the item stays on the agenda.
    pub circulating: usize,
    pub first: bool,
    pub last: bool,
}

/// The agenda section of the meeting page.
pub struct AgendaSection {
    pub items: Vec<ItemView>,
    pub may_change_items: bool,
    pub may_circulate: bool,
    /// The places an item can move to: 1 to the number of items.
    pub positions: Vec<i64>,
    /// For the file input's `accept`: the types and endings a paper may have.
    pub accept: String,
}

fn paper_view(p: &charter_model::PaperRecord) -> PaperView {
    PaperView {
        id: p.id,
        filename: p.filename.clone(),
        kind: PaperKind::from_content_type(&p.content_type)
            .map(PaperKind::label)
            .unwrap_or("file"),
        size: size_label(u64::try_from(p.size).unwrap_or(0)),
        sha256: p.sha256.clone(),
        sha_short: p.sha256.chars().take(12).collect(),
        circulated: time(p.circulated_at),
        withdrawn: p.withdrawn_at.map(time),
    }
}

/// The section as `session`'s member sees it.
pub(super) async fn section(
    state: &AppState,
    session: &CurrentSession,
    meeting: MeetingId,
) -> Result<AgendaSection, AppError> {
    let v = state.app.agenda(&session.actor, meeting).await?;
    let n = v.items.len();
    let items = v
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| ItemView {
            id: it.id,
            number: it.number.unwrap_or(0),
            title: it.title.clone(),
            description: it.description.clone().unwrap_or_default(),
            papers: it.papers.iter().map(paper_view).collect(),
            circulating: it
                .papers
                .iter()
                .filter(|p| p.withdrawn_at.is_none())
                .count(),
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    Ok(AgendaSection {
        items,
        may_change_items: v.may_change_items,
        may_circulate: v.may_circulate,
        positions: (1..=i64::try_from(n).unwrap_or(0)).collect(),
        accept: accept(),
    })
}

fn accept() -> String {
    let mut out: Vec<&str> = PaperKind::ALL.iter().map(|k| k.content_type()).collect();
    out.extend([
        ".pdf", ".txt", ".md", ".odt", ".docx", ".png", ".jpg", ".jpeg",
    ]);
    out.join(",")
}

/// What a `saved=` flag on the meeting page says after an agenda form.
pub(super) fn notice(saved: &str) -> Option<&'static str> {
    Some(match saved {
        "item-added" => "The item is on the agenda.",
        "item-changed" => "The item is changed.",
        "item-moved" => "The item is moved.",
        "item-removed" => "The item is taken off the agenda; it is kept for the record.",
        "paper" => "The paper is circulated.",
        "paper-withdrawn" => "The paper is withdrawn; it is kept for the record.",
        _ => return None,
    })
}

fn anchor(item: AgendaItemId) -> String {
    format!("item-{item}")
}

pub async fn add_item(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Meeting>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> PageResult {
    let description = Some(form.description.as_str());
    match state
        .app
        .add_agenda_item(&session.actor, id, &form.title, description)
        .await
    {
        Ok(item) => Ok(
            Redirect::to(&format!("/meetings/{id}?saved=item-added#{}", anchor(item)))
                .into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            let input = Input {
                item_form: form,
                item_errors: Errors::new("ai-", ITEM_FIELDS, errs.0),
                ..Input::plain(None)
            };
            meeting_page(&state, &session, id, input).await
        }
        Err(e) => after_meeting_form(&state, &session, id, Err(e)).await,
    }
}

pub async fn edit_item(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(item): PathId<ids::AgendaItem>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
    };
    let position = match form.position.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(p) => Some(p),
            Err(_) => {
                let e = AppError::invalid("position", "choose a place on the agenda");
                return after_meeting_form(&state, &session, MeetingId(meeting), Err(e)).await;
            }
        },
    };
    let result = state
        .app
        .change_agenda_item(
            &session.actor,
            item,
            &form.title,
            Some(form.description.as_str()),
            position,
        )
        .await
        .map(|()| ("item-changed", anchor(item)));
    after_meeting_form(&state, &session, MeetingId(meeting), result).await
}

pub async fn move_item(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(item): PathId<ids::AgendaItem>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
    };
    let result = match form.position.trim().parse::<i64>() {
        Ok(p) => state
            .app
            .move_agenda_item(&session.actor, item, p)
            .await
            .map(|()| ("item-moved", anchor(item))),
        Err(_) => Err(AppError::invalid(
            "position",
            "choose a place on the agenda",
        )),
    };
    after_meeting_form(&state, &session, MeetingId(meeting), result).await
}

pub async fn remove_item(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(item): PathId<ids::AgendaItem>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
    };
    let result = state
        .app
        .remove_agenda_item(&session.actor, item)
        .await
        .map(|()| ("item-removed", "agenda".to_string()));
    after_meeting_form(&state, &session, MeetingId(meeting), result).await
}

/// The paper form's text fields beside the `file`.
pub enum PaperFields {}

impl UploadFields for PaperFields {
    const TEXT: &'static [&'static str] = &["csrf", "meeting"];
}

/// The paper form: `multipart/form-data` with `csrf`, `meeting` and the `file`.
pub async fn circulate(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(item): PathId<ids::AgendaItem>,
    CsrfUpload {
        upload, refused, ..
    }: CsrfUpload<PaperFields>,
) -> PageResult {
    let Some(meeting) = parse_id(upload.field("meeting")) else {
        return Err(PageError::not_found("meeting"));
    };
    match refused {
        Some(WebError::App(e)) => {
            return after_meeting_form(&state, &session, MeetingId(meeting), Err(e)).await;
        }
        Some(e) => return Err(e.into()),
        None => {}
    }
    let result = state
        .app
        .circulate_paper(
            &session.actor,
            item,
            &upload.filename,
            &upload.content_type,
            upload.content,
        )
        .await
        .map(|_| ("paper", anchor(item)));
    after_meeting_form(&state, &session, MeetingId(meeting), result).await
}

pub async fn withdraw_paper(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(paper): PathId<ids::Paper>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> PageResult {
    let Some(meeting) = parse_id(&form.meeting) else {
        return Err(PageError::not_found("meeting"));
    };
    let result = state
        .app
        .withdraw_paper(&session.actor, paper)
        .await
        .map(|()| ("paper-withdrawn", "agenda".to_string()));
    after_meeting_form(&state, &session, MeetingId(meeting), result).await
}

pub async fn download(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(paper): PathId<ids::Paper>,
) -> PageResult {
    Ok(paper_response(
        state.app.paper(&session.actor, paper).await?,
    ))
}
