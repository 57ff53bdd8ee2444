//! The pages of a verifiable ballot, one sealed by trustees: the section of its page that
//! says who holds its key and where the ceremony stands; the trustee's and the scrutineer's
//! uploads; the public documents a trustee's `charter trustee …` commands read; the roll the
//! scrutineer makes the credentials from; and what the voting form needs to encrypt in the
//! browser (`static/vote.js`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::sealing::TrusteeCandidate;
use charter_app::verifiable::{Ceremony, CeremonyStage, TrusteeView};
use charter_ballot_crypto::{ElectionContext, QuestionKind};
use charter_domain::{Actor, BallotState, MemberId};
use charter_model::{BallotId, BallotRecord, BoardItemKind};

use super::extract::UploadFields;
use super::forms::{Errors, field_errors};
use super::{CsrfUpload, PageError, PagePath, PageResult, PathId, ids, parse_id};
use crate::AppState;
use crate::error::WebError;
use crate::session::{CurrentSession, PageUser};
use crate::upload::Upload;

/// The fields of the trustee's and the scrutineer's upload forms.
pub const SEALED_FIELDS: &[&str] = &["document", "file"];

/// The creation form's trustees field: the rule, and who may be chosen.
pub struct TrusteeField {
    /// "Clause 6.7: every ballot is encrypted to a key held by 3 trustees, …."
    pub rule: String,
    pub count: u32,
    pub candidates: Vec<CandidateRow>,
}

pub struct CandidateRow {
    pub member: i64,
    pub name: String,
    pub office: String,
    pub unit: String,
}

/// The trustees field, when the ballot clause in force names trustees.
pub async fn trustee_field(state: &AppState) -> Option<TrusteeField> {
    let (clause, rule) = state.app.trustee_rule().await.ok().flatten()?;
    let candidates = state.app.trustee_candidates().await.unwrap_or_default();
    let words = super::rules_view::capitalise(&rule.describe());
    Some(TrusteeField {
        rule: match clause {
            Some(c) => format!("Clause {c}: {words}."),
            None => format!("{words}."),
        },
        count: rule.count,
        candidates: candidates
            .into_iter()
            .map(|c: TrusteeCandidate| CandidateRow {
                member: c.member.0,
                name: c.name,
                office: c.office,
                unit: c.unit_name,
            })
            .collect(),
    })
}

/// Member numbers separated by commas or spaces, in order.
pub fn parse_trustees(raw: &str) -> Result<Vec<MemberId>, String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse_id(s)
                .map(MemberId)
                .ok_or_else(|| format!("'{s}' is not a member number"))
        })
        .collect()
}

/// One trustee as the ballot's page lists them.
pub struct TrusteeRow {
    pub index: u32,
    pub name: String,
    pub office: String,
    pub unit: String,
    /// What they have posted, in words: "identity, dealing, report".
    pub posted: String,
}

/// What the signed-in trustee does next.
pub struct TrusteeTask {
    pub index: u32,
    /// The document's kind, as the form posts it.
    pub kind: &'static str,
    /// "your identity".
    pub what: &'static str,
    /// The commands to run, in order, on the trustee's own machine.
    pub commands: Vec<String>,
    /// The public files those commands read, with where to download them.
    pub files: Vec<(String, String)>,
}

/// What the scrutineer does: freeze the credentials before voting opens.
pub struct ScrutineerTask {
    pub frozen: Option<usize>,
    /// The ballot is scheduled and the key made: the upload form is shown.
    pub may_upload: bool,
    pub command: String,
}

/// The "Sealed by trustees" section of a verifiable ballot's page.
pub struct SealedView {
    pub count: u32,
    pub threshold: u32,
    pub trustees: Vec<TrusteeRow>,
    pub stage: String,
    pub failed: bool,
    pub board_url: String,
    pub verify_command: String,
    pub task: Option<TrusteeTask>,
    pub scrutineer: Option<ScrutineerTask>,
    pub errors: Errors,
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "trustee 2's dealing", "the dealings of trustees 2 and 3".
fn waiting_for(missing: &[u32], one: &str, many: &str) -> String {
    let n: Vec<String> = missing.iter().map(u32::to_string).collect();
    if n.len() == 1 {
        format!("waiting for trustee {}'s {one}", n[0])
    } else {
        format!("waiting for the {many} of trustees {}", join_and(&n))
    }
}

fn missing(c: &Ceremony, has: fn(&TrusteeView) -> bool) -> Vec<u32> {
    c.trustees
        .iter()
        .filter(|t| !has(t))
        .map(|t| t.index)
        .collect()
}

/// Where the ceremony, and then the ballot, stands, in words.
fn stage_words(c: &Ceremony, b: &BallotRecord) -> String {
    let ranked = c.setup.election.kind == QuestionKind::Ranked;
    let t = c.setup.election.threshold;
    match c.stage {
        CeremonyStage::Identities => waiting_for(
            &missing(c, |t| t.identity.is_some()),
            "identity",
            "identities",
        ),
        CeremonyStage::Dealings => {
            waiting_for(&missing(c, |t| t.dealing.is_some()), "dealing", "dealings")
        }
        CeremonyStage::Reports => waiting_for(
            &missing(c, |t| t.report.is_some()),
            "report of the key",
            "reports of the key",
        ),
        CeremonyStage::Failed => format!(
            "the key could not be made: {}",
            c.failure
                .as_deref()
                .unwrap_or("the trustees' reports disagree")
        ),
        CeremonyStage::Credentials => {
            "the key is made; waiting for the scrutineer to freeze the voters' credentials".into()
        }
        CeremonyStage::Ready => match b.state {
            BallotState::Scheduled => "ready to open".into(),
            BallotState::Open => {
                "open: each ballot is encrypted to the trustees' key before it is kept".into()
            }
            _ if c.tally.is_some() => {
                "opened: the trustees decrypted the result, and the tally is on the board".into()
            }
            _ => {
                let shuffles = c.trustees.iter().filter(|x| x.shuffle.is_some()).count();
                let shares = c.trustees.iter().filter(|x| x.share.is_some()).count();
                if ranked && shuffles < t as usize {
                    format!(
                        "closed: waiting for {t} trustees to shuffle the ballots ({shuffles} so far)"
                    )
                } else {
                    format!(
                        "closed: waiting for {t} trustees to decrypt the result ({shares} so far)"
                    )
                }
            }
        },
    }
}

fn posted_words(t: &TrusteeView) -> String {
    let mut out = Vec::new();
    if t.identity.is_some() {
        out.push("identity".to_string());
    }
    if t.dealing.is_some() {
        out.push("dealing".into());
    }
    if let Some(r) = &t.report {
        out.push(match r {
            charter_ballot_crypto::documents::Finished::Key(_) => "report".into(),
            charter_ballot_crypto::documents::Finished::Complaints { .. } => "complaint".into(),
        });
    }
    if t.shuffle.is_some() {
        out.push("shuffle".into());
    }
    if t.share.is_some() {
        out.push("decryption share".into());
    }
    if out.is_empty() {
        "nothing yet".into()
    } else {
        join_and(&out)
    }
}

/// The document trustee `me` posts next, if any now.
fn next_task(
    c: &Ceremony,
    b: &BallotRecord,
    me: &TrusteeView,
    id: BallotId,
) -> Option<TrusteeTask> {
    let j = me.index;
    let key = format!("--key-file trustee-{j}-key.json");
    let setup = format!("/ballots/{id}/sealed/setup.json");
    let identities = format!("/ballots/{id}/sealed/identities.json");
    let dealings = format!("/ballots/{id}/sealed/dealings.json");
    let board = format!("/api/v1/ballots/{id}/board");
    let all = |has: fn(&TrusteeView) -> bool| c.trustees.iter().all(has);
    let task = |kind, what, commands: Vec<String>, files: Vec<(&str, &String)>| TrusteeTask {
        index: j,
        kind,
        what,
        commands,
        files: files
            .into_iter()
            .map(|(n, u)| (n.to_string(), u.clone()))
            .collect(),
    };
    if b.state == BallotState::Scheduled {
        if me.identity.is_none() {
            return Some(task(
                "identity",
                "your identity",
                vec![format!(
                    "charter trustee new --setup setup.json --index {j} {key} --out identity.json"
                )],
                vec![("setup.json", &setup)],
            ));
        }
        if me.dealing.is_none() && all(|t| t.identity.is_some()) {
            return Some(task(
                "dealing",
                "your dealing",
                vec![format!(
                    "charter trustee deal --setup setup.json {key} --identities identities.json --out dealing.json"
                )],
                vec![("setup.json", &setup), ("identities.json", &identities)],
            ));
        }
        if me.report.is_none() && all(|t| t.dealing.is_some()) {
            return Some(task(
                "report",
                "your report of the key",
                vec![format!(
                    "charter trustee finish --setup setup.json {key} --identities identities.json --dealings dealings.json --out report.json"
                )],
                vec![
                    ("setup.json", &setup),
                    ("identities.json", &identities),
                    ("dealings.json", &dealings),
                ],
            ));
        }
        return None;
    }
    if b.state != BallotState::Closed || c.tally.is_some() || c.stage != CeremonyStage::Ready {
        return None;
    }
    if c.setup.election.kind == QuestionKind::Ranked && me.shuffle.is_none() {
        let shuffles = c.trustees.iter().filter(|t| t.shuffle.is_some()).count();
        if shuffles < c.setup.election.threshold as usize {
            return Some(task(
                "shuffle",
                "your shuffle of the ballots",
                vec![format!(
                    "charter trustee shuffle {key} --board board.json --out shuffle.json"
                )],
                vec![("board.json", &board)],
            ));
        }
    }
    if me.share.is_none() {
        return Some(task(
            "share",
            "your decryption share",
            vec![format!(
                "charter trustee decrypt {key} --board board.json --out share.json"
            )],
            vec![("board.json", &board)],
        ));
    }
    None
}

/// The section for a verifiable ballot, as `actor` (if signed in) sees it; `None` for a
/// ballot that is not verifiable.
pub async fn sealed_view(
    state: &AppState,
    actor: Option<&Actor>,
    b: &BallotRecord,
    errors: Errors,
) -> Result<Option<SealedView>, AppError> {
    let c = match state.app.ceremony(b.id).await {
        Err(AppError::NotFound(_)) => return Ok(None),
        found => found?,
    };
    let id = b.id;
    let board_url = format!(
        "{}/api/v1/ballots/{id}/board",
        state.app.settings.public_url.trim_end_matches('/')
    );
    let task = actor.and_then(|a| {
        c.trustees
            .iter()
            .find(|t| t.appointment.member == a.member.0)
            .and_then(|me| next_task(&c, b, me, id))
    });
    let scrutineer = match actor {
        Some(a) if state.app.scrutineer_office(a, b).await.is_ok() => Some(ScrutineerTask {
            frozen: c.credentials.as_ref().map(|l| l.credentials.len()),
            may_upload: b.state == BallotState::Scheduled
                && c.credentials.is_none()
                && c.stage != CeremonyStage::Failed,
            command: "charter credentials generate --setup setup.json --voters roll.csv --out-public credentials.json --out-private private-credentials".into(),
        }),
        _ => None,
    };
    Ok(Some(SealedView {
        count: c.setup.election.trustees,
        threshold: c.setup.election.threshold,
        trustees: c
            .trustees
            .iter()
            .map(|t| TrusteeRow {
                index: t.index,
                name: t.appointment.name.clone(),
                office: charter_domain::OfficeKind::parse(&t.appointment.office)
                    .map_or_else(|| t.appointment.office.clone(), |k| k.title().to_string()),
                unit: t.appointment.unit_name.clone(),
                posted: posted_words(t),
            })
            .collect(),
        stage: stage_words(&c, b),
        failed: c.stage == CeremonyStage::Failed,
        verify_command: format!("charter verify ballot {board_url}"),
        board_url,
        task,
        scrutineer,
        errors,
    }))
}

/// What the voting form of an open verifiable ballot carries for `vote.js`.
pub struct SealedVote {
    /// The election parameters as JSON, for `data-election`.
    pub election: String,
    pub public_key: String,
    pub fingerprint: String,
    pub crypto_js: &'static str,
    pub vote_js: &'static str,
    /// The credential as the voter typed it, when the form comes back.
    pub credential: String,
}

pub fn sealed_vote(ctx: &ElectionContext, credential: String) -> SealedVote {
    SealedVote {
        election: serde_json::to_string(&ctx.params).unwrap_or_default(),
        public_key: lower_hex(&ctx.public_key_bytes.0),
        fingerprint: lower_hex(&ctx.fingerprint),
        crypto_js: super::js_href(),
        vote_js: super::assets::vote_js_href(),
        credential,
    }
}

fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A tracker in groups of four, for reading aloud or copying by hand.
pub fn grouped(tracker: &str) -> String {
    tracker
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn public_json(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `/ballots/{id}/sealed/{file}`: the public documents the trustees' commands read:
/// `setup.json`, `identities.json` and `dealings.json`. Public, as the board is.
pub async fn document(
    State(state): State<AppState>,
    PagePath((raw, file)): PagePath<(String, String)>,
) -> PageResult {
    // Read here rather than by `PathId`: the same page for everyone, signed in or not.
    let Some(id) = parse_id(&raw) else {
        return Err(PageError::signed_out(AppError::NotFound("ballot")));
    };
    let c = state
        .app
        .ceremony(BallotId(id))
        .await
        .map_err(PageError::signed_out)?;
    let body = match file.as_str() {
        "setup.json" => serde_json::to_string_pretty(&c.setup),
        "identities.json" => serde_json::to_string_pretty(
            &c.trustees
                .iter()
                .filter_map(|t| t.identity.clone())
                .collect::<Vec<_>>(),
        ),
        "dealings.json" => serde_json::to_string_pretty(
            &c.trustees
                .iter()
                .filter_map(|t| t.dealing.clone())
                .collect::<Vec<_>>(),
        ),
        _ => return Err(PageError::signed_out(AppError::NotFound("document"))),
    };
    let body = body.map_err(|e| PageError::signed_out(AppError::Internal(e.to_string())))?;
    Ok(public_json(body))
}

/// The ballot page again with the upload refused, or back to it with a notice.
async fn after_upload(
    state: &AppState,
    session: &CurrentSession,
    id: BallotId,
    result: Result<(), AppError>,
    saved: &str,
) -> PageResult {
    let e = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/ballots/{id}?saved={saved}#sealed")).into_response());
        }
        Err(e) => e,
    };
    let status = match &e {
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let fields = match e {
        AppError::Forbidden(why) => BTreeMap::from([("document".to_string(), why)]),
        AppError::Conflict { message, .. } => BTreeMap::from([("document".to_string(), message)]),
        // Whatever the app names (identity, dealing, credentials …) is the document.
        e => BTreeMap::from([(
            "document".to_string(),
            field_errors(e)?
                .into_values()
                .collect::<Vec<_>>()
                .join("; "),
        )]),
    };
    super::ballots::page_with_sealed_errors(
        state,
        session,
        id,
        Errors::new("sd-", SEALED_FIELDS, fields),
        status,
    )
    .await
}

/// The uploaded document as text, or why not.
fn document_text(content: Vec<u8>) -> Result<String, AppError> {
    if content.is_empty() {
        return Err(AppError::invalid(
            "file",
            "choose the file the command wrote",
        ));
    }
    String::from_utf8(content).map_err(|_| {
        AppError::invalid(
            "file",
            "the file is not text: choose the JSON file the command wrote",
        )
    })
}

/// An uploaded JSON document's text, or why the upload was refused.
fn uploaded_document(upload: &mut Upload, refused: Option<WebError>) -> Result<String, AppError> {
    match refused {
        Some(WebError::App(e)) => Err(e),
        Some(other) => Err(AppError::invalid("file", other.public_message())),
        None => document_text(std::mem::take(&mut upload.content)),
    }
}

/// The trustee's upload form's text fields beside the `file`.
pub enum DocumentFields {}

impl UploadFields for DocumentFields {
    const TEXT: &'static [&'static str] = &["csrf", "kind"];
}

/// The scrutineer's upload form's text field beside the `file`.
pub enum CredentialsFields {}

impl UploadFields for CredentialsFields {
    const TEXT: &'static [&'static str] = &["csrf"];
}

/// `POST /ballots/{id}/trustee-documents`: the signed-in trustee's next document
/// (`multipart/form-data` with `csrf`, `kind` and the `file`).
pub async fn post_document(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfUpload {
        mut upload,
        refused,
        ..
    }: CsrfUpload<DocumentFields>,
) -> PageResult {
    let document = uploaded_document(&mut upload, refused);
    let result = async {
        let body = document?;
        let kind = BoardItemKind::parse(upload.field("kind"))
            .ok_or_else(|| AppError::invalid("document", "no such kind of document"))?;
        let ceremony = state.app.ceremony(id).await?;
        let index = ceremony
            .trustees
            .iter()
            .find(|t| t.appointment.member == session.actor.member.0)
            .map(|t| t.index)
            .ok_or_else(|| {
                AppError::Forbidden("you are not one of this ballot's trustees".into())
            })?;
        state
            .app
            .post_trustee_document(&session.actor, id, index, kind, &body)
            .await
    }
    .await;
    after_upload(&state, &session, id, result, "document").await
}

/// `POST /ballots/{id}/credentials`: the scrutineer freezes the public credentials
/// (`multipart/form-data` with `csrf` and the `file`).
pub async fn post_credentials(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
    CsrfUpload {
        mut upload,
        refused,
        ..
    }: CsrfUpload<CredentialsFields>,
) -> PageResult {
    let document = uploaded_document(&mut upload, refused);
    let result = async {
        let body = document?;
        state.app.post_credentials(&session.actor, id, &body).await
    }
    .await;
    after_upload(&state, &session, id, result, "credentials").await
}

/// One CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with([' ', '\t']) || s.ends_with([' ', '\t'])
    {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `GET /ballots/{id}/credentials-roll.csv`: the roll as `charter credentials generate`
/// reads it, for the ballot's scrutineer only; every voter listed is logged as read.
pub async fn credentials_roll(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    PathId(id): PathId<ids::Ballot>,
) -> PageResult {
    let voters = state.app.credentials_roll(&session.actor, id).await?;
    let mut csv = String::from("member_id,name,email\n");
    for v in voters {
        csv.push_str(&format!(
            "{},{},{}\n",
            v.member.0,
            csv_field(&v.name),
            csv_field(&v.email)
        ));
    }
    let mut resp = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"ballot-{id}-roll.csv\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trustees_are_member_numbers_in_order() {
        assert_eq!(
            parse_trustees("12, 7 9").unwrap(),
            vec![MemberId(12), MemberId(7), MemberId(9)]
        );
        assert!(parse_trustees("12, x").unwrap_err().contains("'x'"));
        assert!(parse_trustees("").unwrap().is_empty());
    }

    #[test]
    fn trackers_read_in_fours_and_csv_quotes_what_it_must() {
        assert_eq!(grouped("0123456789abcdef01"), "0123 4567 89ab cdef 01");
        assert_eq!(csv_field("Ann"), "Ann");
        assert_eq!(csv_field("O\"Neil, Ann"), "\"O\"\"Neil, Ann\"");
    }
}
