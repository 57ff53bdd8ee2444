//! Verifiable ballots over the API: the public bulletin board that `charter verify ballot`
//! reads, the key ceremony's documents that `charter trustee …` reads and writes, the
//! scrutineer's frozen credentials, and encrypted ballots.
//!
//! Documents go in and come out exactly as the crypto crate serialises them: the server
//! relays and checks, and never holds a secret that opens a vote. Trustees' documents, the
//! credentials and encrypted ballots may be larger than the usual body limit, so their
//! routes are served by [`super::board_router`] and read their bodies here, each with its own
//! limit.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use charter_app::AppError;
use charter_app::verifiable::{Ceremony, CeremonyStage};
use charter_ballot_crypto::dkg::{Dealing, TrusteeIdentity};
use charter_ballot_crypto::{
    Board, CredentialList, DecryptionShare, EncryptedBallot, Finished, Setup, Shuffle,
};
use charter_model::{BallotId, BoardItemKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiPath;
use super::ballots::{VoteReceiptBody, receipt_response, voter};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody, WebError};
use crate::session::{ApiUser, OptionalUser};

/// Largest trustee's document or credential list read: a ranked election's shuffle or
/// decryption share grows with its ballots (about 3 KB a ballot for 20 candidates, so tens
/// of megabytes for 10,000 ballots).
pub const MAX_BOARD_DOCUMENT: usize = 128 * 1024 * 1024;

/// Largest encrypted ballot read: a ranking of many candidates carries a proof per
/// preference and candidate.
pub const MAX_ENCRYPTED_BALLOT: usize = 1024 * 1024;

/// The documents a trustee posts, by the name in the path.
const TRUSTEE_KINDS: [BoardItemKind; 5] = [
    BoardItemKind::Identity,
    BoardItemKind::Dealing,
    BoardItemKind::Report,
    BoardItemKind::Shuffle,
    BoardItemKind::Share,
];

/// The whole bulletin board of a verifiable ballot, exactly as `charter verify ballot URL`
/// reads it (the `Board` document of `docs/verifiable-ballots.md`): parameters, trustees and
/// key, the frozen credentials, every encrypted ballot, and after the close the shuffles,
/// decryption shares and result. Public, as the published ballots are.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/board",
    operation_id = "ballot_board",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "The board (docs/verifiable-ballots.md, section 11)", body = serde_json::Value),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
        (status = 409, description = "The key ceremony is not finished, or the scrutineer has not frozen the credentials", body = ErrorBody),
    )
)]
pub async fn board(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Board>> {
    Ok(Json(state.app.board(BallotId(id)).await?))
}

/// The election's setup: the document every trustee's `charter trustee new` and the
/// scrutineer's `charter credentials generate` start from. Public.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/setup",
    operation_id = "ballot_setup",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "The `Setup` document: {election, setup_fingerprint}", body = serde_json::Value),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
    )
)]
pub async fn setup(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Setup>> {
    Ok(Json(state.app.ceremony(BallotId(id)).await?.setup))
}

/// A verifiable ballot's key ceremony: where it stands, and every document posted so far.
#[derive(Serialize, ToSchema)]
pub struct CeremonyBody {
    /// identities, dealings, reports, failed, credentials or ready: what the ceremony waits
    /// for (`failed`: a trustee complained of a dealer, or the reports disagree).
    #[schema(value_type = String)]
    pub stage: CeremonyStage,
    /// Why the ceremony failed, when it did.
    pub failure: Option<String>,
    /// The `Setup` document.
    #[schema(value_type = Object)]
    pub setup: Setup,
    /// Trustee 1 first.
    pub trustees: Vec<CeremonyTrustee>,
    /// The scrutineer's frozen `CredentialList`, once posted.
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<CredentialList>,
}

/// A trustee, by the office that makes them one, and the documents they have posted (each
/// null until posted).
#[derive(Serialize, ToSchema)]
pub struct CeremonyTrustee {
    pub index: u32,
    pub name: String,
    /// The office by which they are a trustee, and its unit.
    pub office: String,
    pub unit_name: String,
    #[schema(value_type = Option<Object>)]
    pub identity: Option<TrusteeIdentity>,
    #[schema(value_type = Option<Object>)]
    pub dealing: Option<Dealing>,
    /// The key report, or complaints.
    #[schema(value_type = Option<Object>)]
    pub report: Option<Finished>,
    #[schema(value_type = Option<Object>)]
    pub shuffle: Option<Shuffle>,
    #[schema(value_type = Option<Object>)]
    pub share: Option<DecryptionShare>,
}

impl From<Ceremony> for CeremonyBody {
    fn from(c: Ceremony) -> Self {
        CeremonyBody {
            stage: c.stage,
            failure: c.failure,
            setup: c.setup,
            trustees: c
                .trustees
                .into_iter()
                .map(|t| CeremonyTrustee {
                    index: t.index,
                    name: t.appointment.name,
                    office: t.appointment.office,
                    unit_name: t.appointment.unit_name,
                    identity: t.identity,
                    dealing: t.dealing,
                    report: t.report,
                    shuffle: t.shuffle,
                    share: t.share,
                })
                .collect(),
            credentials: c.credentials,
        }
    }
}

/// The key ceremony of a verifiable ballot: its stage, setup, trustees with each document
/// they have posted, and the frozen credentials. Public.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/ceremony",
    operation_id = "ballot_ceremony",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, body = CeremonyBody),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
    )
)]
pub async fn ceremony(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CeremonyBody>> {
    Ok(Json(state.app.ceremony(BallotId(id)).await?.into()))
}

/// Every trustee's posted document of one kind, trustee 1 first; `Conflict` naming the first
/// trustee who has not posted theirs yet.
fn all_posted<T: Clone>(
    c: &Ceremony,
    what: &str,
    of: impl Fn(&charter_app::verifiable::TrusteeView) -> Option<&T>,
) -> Result<Vec<T>, AppError> {
    c.trustees
        .iter()
        .map(|t| {
            of(t).cloned().ok_or_else(|| AppError::Conflict {
                field: "ballot".into(),
                message: format!(
                    "trustee {} ({}) has not posted their {what} yet",
                    t.index, t.appointment.name
                ),
            })
        })
        .collect()
}

/// Every trustee's identity as one JSON list, trustee 1 first: the file `charter trustee
/// deal` and `charter trustee finish` read as `--identities`. Public.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/ceremony/identities",
    operation_id = "ballot_ceremony_identities",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "A JSON list of `TrusteeIdentity` documents", body = [serde_json::Value]),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
        (status = 409, description = "A trustee has not posted their identity yet", body = ErrorBody),
    )
)]
pub async fn identities(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<TrusteeIdentity>>> {
    let c = state.app.ceremony(BallotId(id)).await?;
    Ok(Json(all_posted(&c, "identity", |t| t.identity.as_ref())?))
}

/// Every trustee's dealing as one JSON list, trustee 1 first: the file `charter trustee
/// finish` reads as `--dealings`. Public.
#[utoipa::path(
    get,
    path = "/api/v1/ballots/{id}/ceremony/dealings",
    operation_id = "ballot_ceremony_dealings",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "A JSON list of `Dealing` documents", body = [serde_json::Value]),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
        (status = 409, description = "A trustee has not posted their dealing yet", body = ErrorBody),
    )
)]
pub async fn dealings(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Dealing>>> {
    let c = state.app.ceremony(BallotId(id)).await?;
    Ok(Json(all_posted(&c, "dealing", |t| t.dealing.as_ref())?))
}

/// Reads a body of at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, WebError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.into_inner().is::<http_body_util::LengthLimitError>() {
            WebError::BodyTooLarge(limit)
        } else {
            WebError::BadRequest("the request body could not be read to its end".into())
        }
    })
}

/// A document's text: JSON is UTF-8.
fn text(bytes: &Bytes) -> Result<&str, WebError> {
    std::str::from_utf8(bytes).map_err(|_| {
        WebError::BadRequest(
            "the body is not UTF-8 text; send the JSON document as the command wrote it".into(),
        )
    })
}

/// Post one of your documents as trustee `index` of the ballot: the JSON file a `charter
/// trustee` command wrote, unchanged, as the body. `kind` is `identity` (from `new`),
/// `dealing` (`deal`), `report` (`finish`: the key report or complaints) before voting
/// opens, once every trustee has posted the one before; `shuffle` (`shuffle`, ranked
/// ballots, trustees in increasing order) and `share` (`decrypt`) after it closes. Each
/// document is checked before it goes on the board and is never replaced. When the last
/// share needed is in, the ballot is counted.
#[utoipa::path(
    put,
    path = "/api/v1/ballots/{id}/trustees/{index}/{kind}",
    operation_id = "post_trustee_document",
    tag = "ballots",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "Ballot id"),
        ("index" = u32, Path, description = "Your trustee number, 1 to n"),
        ("kind" = String, Path, description = "identity, dealing, report, shuffle or share"),
    ),
    request_body(content = serde_json::Value, description = "The document as the command wrote it", content_type = "application/json"),
    responses(
        (status = 204, description = "The document is on the board"),
        (status = 400, description = "The body is not text, or an id in the path is not a whole number", body = ErrorBody),
        (status = 403, description = "You are not that trustee, or no longer hold an office that makes you one", body = ErrorBody),
        (status = 404, description = "No such ballot, trustee or kind of document, or the ballot is not verifiable", body = ErrorBody),
        (status = 409, description = "Out of order (a document the others must post first, or voting not closed), or posted already", body = ErrorBody),
        (status = 413, description = "The document is larger than 128 MiB", body = ErrorBody),
        (status = 422, description = "The document is refused: it does not check, or is another trustee's or election's", body = ErrorBody),
    )
)]
pub async fn put_trustee_document(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, index, kind)): ApiPath<(i64, u32, String)>,
    body: Body,
) -> ApiResult<StatusCode> {
    let kind = BoardItemKind::parse(&kind)
        .filter(|k| TRUSTEE_KINDS.contains(k))
        .ok_or(AppError::NotFound(
            "kind of trustee's document (identity, dealing, report, shuffle or share)",
        ))?;
    // Who may post is known before the body is read: nobody else sends a large one.
    let ceremony = state.app.ceremony(BallotId(id)).await?;
    let trustee = ceremony
        .trustees
        .iter()
        .find(|t| t.index == index)
        .ok_or(AppError::NotFound("trustee"))?;
    if trustee.appointment.member != user.actor.member.0 {
        return Err(AppError::Forbidden(format!(
            "only trustee {index}, {}, posts trustee {index}'s documents",
            trustee.appointment.name
        ))
        .into());
    }
    let bytes = read_body(body, MAX_BOARD_DOCUMENT).await?;
    state
        .app
        .post_trustee_document(&user.actor, BallotId(id), index, kind, text(&bytes)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Freeze the voters' public credentials (the ballot's scrutineer, before voting opens,
/// once): the `credentials.json` that `charter credentials generate` wrote, unchanged, with
/// one credential per voter on the roll as it stands.
#[utoipa::path(
    put,
    path = "/api/v1/ballots/{id}/credentials",
    operation_id = "freeze_credentials",
    tag = "ballots",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Ballot id")),
    request_body(content = serde_json::Value, description = "The `CredentialList` document", content_type = "application/json"),
    responses(
        (status = 204, description = "The credentials are frozen on the board"),
        (status = 400, description = "The body is not text, or an id in the path is not a whole number", body = ErrorBody),
        (status = 403, description = "Not the ballot's scrutineer", body = ErrorBody),
        (status = 404, description = "No such ballot, or the ballot is not verifiable", body = ErrorBody),
        (status = 409, description = "Voting has opened, or the credentials are frozen already", body = ErrorBody),
        (status = 413, description = "The list is larger than 128 MiB", body = ErrorBody),
        (status = 422, description = "The list is refused: another election's, malformed, or not one credential per voter", body = ErrorBody),
    )
)]
pub async fn put_credentials(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> ApiResult<StatusCode> {
    let bytes = read_body(body, MAX_BOARD_DOCUMENT).await?;
    state
        .app
        .post_credentials(&user.actor, BallotId(id), text(&bytes)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An encrypted ballot, signed in or with the personal voting link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptedVoteCast {
    /// Your ballot's own id, chosen by your device (a UUID): sending the same ballot again
    /// returns the same receipt and counts nothing twice.
    pub submission: String,
    /// The `EncryptedBallot` your device made with the ballot's key and signed with your
    /// credential (docs/verifiable-ballots.md, section 5).
    #[schema(value_type = super::wire::EncryptedBallotSchema)]
    pub ballot: EncryptedBallot,
    /// Your earlier ballot's submission id, where a later vote may replace an earlier one.
    pub replaces: Option<String>,
    /// The token from your personal voting link, when not signed in.
    pub link: Option<String>,
}

/// JSON of at most `limit` bytes, with rejections in the API's error shape.
async fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, WebError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|m| m.eq_ignore_ascii_case("application/json") || m.ends_with("+json"));
    if !json {
        return Err(WebError::UnsupportedMediaType(
            "send the body as JSON with content-type application/json".into(),
        ));
    }
    let bytes = read_body(body, limit).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_data() {
            WebError::BadRequest(format!("the JSON does not fit: {e}"))
        } else {
            WebError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
    })
}

/// Vote with a ballot your device encrypted and signed with your credential, signed in or
/// with your personal voting link's token. The server checks its proofs and signature and
/// that its credential is on the frozen list; the receipt's tracker is the hash of the
/// ballot, which your device computes too, and which you find on the board.
#[utoipa::path(
    post,
    path = "/api/v1/ballots/{id}/encrypted-votes",
    operation_id = "cast_encrypted_ballot",
    tag = "ballots",
    params(("id" = i64, Path, description = "Ballot id")),
    request_body = EncryptedVoteCast,
    responses(
        (status = 201, description = "Your ballot is in the box", body = VoteReceiptBody),
        (status = 200, description = "This ballot was already in the box", body = VoteReceiptBody),
        (status = 401, description = "Neither signed in nor a voting link", body = ErrorBody),
        (status = 403, description = "Not on the ballot's roll, or the link is not valid", body = ErrorBody),
        (status = 404, description = "No such ballot", body = ErrorBody),
        (status = 409, description = "Voting has not opened or has closed, you have already voted, or this very ballot is in the box already", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "The ballot does not check, its credential is missing or not on the frozen list, the ballot is not encrypted, or the ballot id needs attention", body = ErrorBody),
    )
)]
pub async fn vote(
    State(state): State<AppState>,
    OptionalUser(user): OptionalUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> ApiResult<(StatusCode, Json<VoteReceiptBody>)> {
    let req: EncryptedVoteCast = read_json(&headers, body, MAX_ENCRYPTED_BALLOT).await?;
    let voter = voter(&state, user, &headers, BallotId(id), req.link.as_deref()).await?;
    let receipt = state
        .app
        .cast_encrypted(
            voter,
            BallotId(id),
            &req.submission,
            &req.ballot,
            req.replaces.as_deref(),
        )
        .await?;
    Ok(receipt_response(receipt))
}
