//! A meeting's agenda items and their papers. Every member may read them and download the
//! papers; the officers running the meeting change the items until it starts and circulate
//! or withdraw papers until it ends. A paper is sent as `multipart/form-data` with one file
//! part named `file`; since a cross-site form can send that type (unlike JSON), the upload
//! also carries the session's CSRF token in an `X-CSRF-Token` header.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use charter_model::{AgendaItemId, MeetingId, PaperId};

use super::ApiPath;
use super::wire::{
    AgendaBody, AgendaItemAdded, AgendaItemEdit, AgendaItemRequest, PaperBody, PaperUpload,
};
use crate::AppState;
use crate::error::{ApiJson, ApiResult, ErrorBody};
use crate::session::{ApiUser, check_csrf};
use crate::upload::{paper_response, read_upload};

/// The header an upload carries the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A meeting's agenda: its items in order, each with its papers' records (withdrawn ones
/// marked), the agenda text given when it was called, and what the caller may change.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/agenda-items",
    operation_id = "list_agenda_items",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = AgendaBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AgendaBody>> {
    let v = state.app.agenda(&user.actor, MeetingId(id)).await?;
    Ok(Json((&v).into()))
}

/// Add an item at the end of the agenda (officers running the meeting, before it starts).
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/agenda-items",
    operation_id = "add_agenda_item",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = AgendaItemRequest,
    responses(
        (status = 201, body = AgendaItemAdded),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting has started (its agenda is fixed) or was cancelled", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names each", body = ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AgendaItemRequest>,
) -> ApiResult<(StatusCode, Json<AgendaItemAdded>)> {
    let item = state
        .app
        .add_agenda_item(
            &user.actor,
            MeetingId(id),
            &req.title,
            req.description.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AgendaItemAdded { id: item.0 })))
}

/// Reword an item, and move it with `position` (officers running the meeting, before it starts).
#[utoipa::path(
    put,
    path = "/api/v1/agenda-items/{item}",
    operation_id = "edit_agenda_item",
    tag = "meetings",
    security(("session" = [])),
    params(("item" = i64, Path, description = "Agenda item id")),
    request_body = AgendaItemEdit,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such agenda item", body = ErrorBody),
        (status = 409, description = "The meeting has started, or the item was taken off the agenda", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `position` is not a place on the agenda", body = ErrorBody),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(item): ApiPath<i64>,
    ApiJson(req): ApiJson<AgendaItemEdit>,
) -> ApiResult<StatusCode> {
    state
        .app
        .change_agenda_item(
            &user.actor,
            AgendaItemId(item),
            &req.title,
            req.description.as_deref(),
            req.position,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take an item off the agenda before the meeting starts; the items after it move up. It is
/// kept for the record. An item with papers in circulation stays until they are withdrawn.
#[utoipa::path(
    delete,
    path = "/api/v1/agenda-items/{item}",
    operation_id = "remove_agenda_item",
    tag = "meetings",
    security(("session" = [])),
    params(("item" = i64, Path, description = "Agenda item id")),
    responses(
        (status = 204, description = "Taken off the agenda"),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such agenda item", body = ErrorBody),
        (status = 409, description = "The meeting has started, the item was already taken off, or it has papers in circulation", body = ErrorBody),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(item): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_agenda_item(&user.actor, AgendaItemId(item))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Circulate a paper for an agenda item (officers running the meeting, until it ends). Send
/// `multipart/form-data` with one file part named `file`, and the session's CSRF token (from
/// sign-in) in the `X-CSRF-Token` header. Accepted: PDF, plain text, Markdown, ODT, DOCX, PNG
/// and JPEG, at most 5 MB; PDF, PNG and JPEG must start with their signatures, ODT and DOCX
/// as ZIP packages, text must be UTF-8. The answer carries the paper's SHA-256.
#[utoipa::path(
    post,
    path = "/api/v1/agenda-items/{item}/papers",
    operation_id = "circulate_paper",
    tag = "meetings",
    security(("session" = [])),
    params(
        ("item" = i64, Path, description = "Agenda item id"),
        ("x-csrf-token" = String, Header, description = "The session's CSRF token, as sign-in returned it"),
    ),
    request_body(content = PaperUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = PaperBody),
        (status = 400, description = "The multipart body is malformed or has parts other than one `file`, or the id in the path is not a whole number", body = ErrorBody),
        (status = 403, description = "Not an officer running the meeting, or the CSRF token is missing or wrong", body = ErrorBody),
        (status = 404, description = "No such agenda item", body = ErrorBody),
        (status = 409, description = "The meeting has ended or was cancelled, or the item was taken off the agenda", body = ErrorBody),
        (status = 415, description = "The body is not multipart/form-data", body = ErrorBody),
        (status = 422, description = "The file is missing, empty, over 5 MB, of a type not accepted, or its content does not match its type (`fields.file` says which)", body = ErrorBody),
    )
)]
pub async fn circulate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiPath(item): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<PaperBody>)> {
    let token = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    check_csrf(&user, token, &headers)?;
    let upload = read_upload(multipart, &[]).await?;
    let paper = state
        .app
        .circulate_paper(
            &user.actor,
            AgendaItemId(item),
            &upload.filename,
            &upload.content_type,
            upload.content,
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&paper).into())))
}

/// Download a paper exactly as circulated (withdrawn ones too: they are on record), as an
/// attachment; its SHA-256 is the `ETag`.
#[utoipa::path(
    get,
    path = "/api/v1/papers/{paper}",
    operation_id = "download_paper",
    tag = "meetings",
    security(("session" = [])),
    params(("paper" = i64, Path, description = "Paper id")),
    responses(
        (status = 200, description = "The paper's content, in its own media type (text with `; charset=utf-8`)",
            content(
                ("application/pdf"),
                ("text/plain"),
                ("text/markdown"),
                ("application/vnd.oasis.opendocument.text"),
                ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                ("image/png"),
                ("image/jpeg"),
            ),
            headers(
                ("content-disposition" = String, description = "attachment, with the paper's file name"),
                ("x-content-type-options" = String, description = "nosniff"),
                ("etag" = String, description = "The quoted hex SHA-256 of the content"),
            )),
        (status = 404, description = "No such paper", body = ErrorBody),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(paper): ApiPath<i64>,
) -> ApiResult<Response> {
    let file = state.app.paper(&user.actor, PaperId(paper)).await?;
    Ok(paper_response(file))
}

/// Withdraw a paper (officers running the meeting, until it ends). It is kept, marked
/// withdrawn, for the record.
#[utoipa::path(
    post,
    path = "/api/v1/papers/{paper}/withdrawal",
    operation_id = "withdraw_paper",
    tag = "meetings",
    security(("session" = [])),
    params(("paper" = i64, Path, description = "Paper id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such paper", body = ErrorBody),
        (status = 409, description = "Already withdrawn, or the meeting has ended or was cancelled", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(paper): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .withdraw_paper(&user.actor, PaperId(paper))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
