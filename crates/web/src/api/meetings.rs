//! Meetings and what they decide: calling a meeting (the constitution sets its notice, quorum
//! and roll), its page data (properly convened or not, and why), check-in, motions, the
//! tellers' count with the outcome the constitution gives it, and publication. Published
//! statements and the national tally on a matter are public: no sign-in needed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use charter_app::AppError;
use charter_app::meetings::{MeetingRequest, PollView};
use charter_domain::{MemberId, UnitId};
use charter_model::{MeetingId, MotionId, NewMotion, RequisitionId, VoteReceipt};
use charter_rules::MotionResult;

use super::ApiPath;
use super::wire::{
    AnswerRequest, BallotReceipt, BallotRequest, CheckInCode, CheckInRequest, ClauseReason,
    MatterTallyBody, Meeting, MeetingCalled, MeetingDetail, MeetingRequestBody, MeetingsQuery,
    MinutesApprovalRequest, MinutesBody, MinutesDraft, MinutesRequest, MotionAmendmentRequest,
    MotionProposed, MotionRequest, MotionVersionBody, MyVote, PollBody, PollCount, PollRequest,
    ProceduralRequest, RegionTally, Requisition, RequisitionOpened, RequisitionRequest, Statement,
    VoteOutcome, VoteRequest, Withdrawn,
};
use crate::AppState;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::session::ApiUser;

/// Meetings, soonest first; every signed-in member may see them.
#[utoipa::path(
    get,
    path = "/api/v1/meetings",
    operation_id = "list_meetings",
    tag = "meetings",
    security(("session" = [])),
    params(MeetingsQuery),
    responses(
        (status = 200, body = Vec<Meeting>),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<MeetingsQuery>,
) -> ApiResult<Json<Vec<Meeting>>> {
    let from = q.upcoming.unwrap_or(false).then(|| state.app.clock.now());
    let list = state
        .app
        .meetings(&user.actor, q.unit.map(UnitId), from)
        .await?;
    Ok(Json(list.iter().map(Meeting::from).collect()))
}

/// Call a meeting. Notices go to everyone the constitution entitles to attend. Calling on
/// less notice than the constitution requires is allowed but answered with `short_notice`:
/// the meeting will not be properly convened and its votes will not bind.
#[utoipa::path(
    post,
    path = "/api/v1/meetings",
    operation_id = "call_meeting",
    tag = "meetings",
    security(("session" = [])),
    request_body = MeetingRequestBody,
    responses(
        (status = 201, body = MeetingCalled),
        (status = 403, description = "No office of the caller may call this body's meetings", body = ErrorBody),
        (status = 422, description = "A field is invalid; `fields` names each", body = ErrorBody),
    )
)]
pub async fn call(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<MeetingRequestBody>,
) -> ApiResult<(StatusCode, Json<MeetingCalled>)> {
    let called = state
        .app
        .call_meeting(
            &user.actor,
            &MeetingRequest {
                body: req.body,
                unit: req.unit_id.map(UnitId),
                kind: req.kind,
                title: req.title,
                starts_at: Some(req.starts_at),
                ends_at: req.ends_at,
                mode: req.mode,
                place: req.place,
                online_url: req.online_url,
                agenda: req.agenda,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MeetingCalled {
            id: called.id.0,
            invited: called.invited,
            short_notice: called.short_notice,
        }),
    ))
}

/// One meeting: properly convened or not (with the clause), quorum, attendance, motions and
/// the caller's place on its roll.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}",
    operation_id = "get_meeting",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = MeetingDetail),
        (status = 404, description = "No such meeting", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MeetingDetail>> {
    let v = state.app.meeting_view(&user.actor, MeetingId(id)).await?;
    Ok(Json((&v).into()))
}

/// Check in: yourself, or (officers running the meeting) a member on its roll. Open from an
/// hour before the start until the end.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/attendance",
    operation_id = "check_in",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = CheckInRequest,
    responses(
        (status = 204, description = "Checked in"),
        (status = 403, description = "Not on the roll, or not an officer of the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "Already checked in, or check-in is not open", body = ErrorBody),
        (status = 422, description = "No check-in code, or not this meeting's", body = ErrorBody),
        (status = 429, description = "Too many wrong codes: wait (Retry-After) and try again", body = ErrorBody),
    )
)]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<StatusCode> {
    crate::session::check_in(
        &state,
        &user.actor,
        MeetingId(id),
        req.member_id.map(MemberId),
        req.code.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The meeting's check-in code and link, for the officers running it to read out or show.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/check-in-code",
    operation_id = "check_in_code",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = CheckInCode),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting, or it has no code yet (POST makes one)", body = ErrorBody),
    )
)]
pub async fn check_in_code(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CheckInCode>> {
    let code = state
        .app
        .check_in_code(&user.actor, MeetingId(id))
        .await?
        .ok_or(AppError::NotFound("check-in code"))?;
    Ok(Json(CheckInCode::new(id, code)))
}

/// A new check-in code for the meeting; the old code and its link stop working.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/check-in-code",
    operation_id = "new_check_in_code",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 201, body = CheckInCode),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
    )
)]
pub async fn new_check_in_code(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<CheckInCode>)> {
    let code = state
        .app
        .new_check_in_code(&user.actor, MeetingId(id))
        .await?;
    Ok((StatusCode::CREATED, Json(CheckInCode::new(id, code))))
}

/// Propose a motion to a meeting that has not started (members with the right to propose).
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/motions",
    operation_id = "propose_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = MotionRequest,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "The caller may not propose here; the message cites the clause", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting has started", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn propose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MotionRequest>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let motion = NewMotion {
        meeting: MeetingId(id),
        kind: req.kind,
        title: req.title,
        text: req.text,
        matter: req.matter,
        position: req.position,
        requires: req.requires,
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: req.rescinds_id.map(MotionId),
        emergency: req.emergency,
    };
    let id = state
        .app
        .propose_motion(&user.actor, MeetingId(id), &motion)
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: id.0 })))
}

/// Record the tellers' count on a motion. The constitution in force on the meeting's day
/// decides: adopted, rejected, or not binding with every failing clause.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/vote",
    operation_id = "record_vote",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    request_body = VoteRequest,
    responses(
        (status = 200, body = VoteOutcome),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Already decided, or the meeting has not started", body = ErrorBody),
    )
)]
pub async fn vote(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> ApiResult<Json<VoteOutcome>> {
    let result = state
        .app
        .record_vote(
            &user.actor,
            MotionId(id),
            req.votes_for,
            req.votes_against,
            req.abstentions,
            req.present,
        )
        .await?;
    Ok(Json(outcome_of(&result)))
}

pub(super) fn outcome_of(result: &MotionResult) -> VoteOutcome {
    let reason = |f: &charter_rules::Failure| ClauseReason {
        clause: f.clause.as_ref().map(|c| c.as_str().to_string()),
        reason: f.reason.clone(),
    };
    match result {
        MotionResult::Adopted(_) => VoteOutcome {
            outcome: "adopted".into(),
            reasons: Vec::new(),
        },
        MotionResult::Rejected(f) => VoteOutcome {
            outcome: "rejected".into(),
            reasons: vec![reason(f)],
        },
        MotionResult::NotBinding(nb) => VoteOutcome {
            outcome: "not-binding".into(),
            reasons: nb.failures.iter().map(reason).collect(),
        },
    }
}

fn poll_body(p: &PollView) -> PollBody {
    PollBody {
        motion_id: p.poll.motion.0,
        mode: p.poll.mode.to_string(),
        open: p.open(),
        opened_at: p.poll.opened_at,
        closed_at: p.poll.closed_at,
        voted: p.poll.voted,
        count: (!p.open()).then_some(PollCount {
            votes_for: p.poll.votes_for,
            against: p.poll.votes_against,
            abstain: p.poll.abstentions,
        }),
        my_vote: p.mine.as_ref().map(|(submission, choice)| MyVote {
            submission: submission.clone(),
            choice: choice.clone(),
        }),
    }
}

/// Open an electronic vote on a proposed motion, named or secret. Only members checked in
/// with a vote may cast one; the count is given when the vote closes.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/poll",
    operation_id = "open_poll",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    request_body = PollRequest,
    responses(
        (status = 201, body = PollBody),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Already opened or decided, or the meeting is not on", body = ErrorBody),
        (status = 422, description = "The mode is neither named nor secret", body = ErrorBody),
    )
)]
pub async fn open_poll(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PollRequest>,
) -> ApiResult<(StatusCode, Json<PollBody>)> {
    state
        .app
        .open_voting(&user.actor, MotionId(id), &req.mode)
        .await?;
    let p = state.app.poll_view(&user.actor, MotionId(id)).await?;
    Ok((StatusCode::CREATED, Json(poll_body(&p))))
}

/// An electronic vote: how many have voted, the caller's own vote, and the count once closed.
#[utoipa::path(
    get,
    path = "/api/v1/motions/{id}/poll",
    operation_id = "get_poll",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = PollBody),
        (status = 404, description = "No such motion, or no vote opened on it", body = ErrorBody),
    )
)]
pub async fn get_poll(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PollBody>> {
    let p = state.app.poll_view(&user.actor, MotionId(id)).await?;
    Ok(Json(poll_body(&p)))
}

/// Cast the caller's vote. Sending the same `submission` again is answered 200
/// `already-recorded` and counts nothing; a second, different vote is refused.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/ballots",
    operation_id = "cast_vote",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    request_body = BallotRequest,
    responses(
        (status = 201, body = BallotReceipt, description = "Recorded"),
        (status = 200, body = BallotReceipt, description = "This submission was already recorded"),
        (status = 409, description = "Not checked in with a vote, already voted, or voting not open", body = ErrorBody),
        (status = 422, description = "The choice or submission key is invalid", body = ErrorBody),
    )
)]
pub async fn cast(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<BallotRequest>,
) -> ApiResult<(StatusCode, Json<BallotReceipt>)> {
    let receipt = state
        .app
        .cast_vote(&user.actor, MotionId(id), &req.choice, &req.submission)
        .await?;
    Ok(match receipt {
        VoteReceipt::Recorded => (
            StatusCode::CREATED,
            Json(BallotReceipt {
                status: "recorded".into(),
            }),
        ),
        VoteReceipt::AlreadyRecorded => (
            StatusCode::OK,
            Json(BallotReceipt {
                status: "already-recorded".into(),
            }),
        ),
    })
}

/// Close an electronic vote and decide the motion from its count, as the tellers' count
/// would be: adopted, rejected, or not binding with every failing clause.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/poll/close",
    operation_id = "close_poll",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = VoteOutcome),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "No vote opened, or the motion was already decided", body = ErrorBody),
    )
)]
pub async fn close_poll(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VoteOutcome>> {
    let result = state.app.close_voting(&user.actor, MotionId(id)).await?;
    Ok(Json(outcome_of(&result)))
}

/// Move a procedural motion at the meeting: a member present and entitled to propose.
/// Each kind carries by the threshold the constitution gives it; adopted, it takes effect
/// (admits the emergency motion, sets the motion aside, or adjourns the meeting).
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/procedural-motions",
    operation_id = "move_procedural_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = ProceduralRequest,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "Not entitled to propose at this meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting is not on or was adjourned, the caller is not present, or the motion is no longer before it", body = ErrorBody),
        (status = 422, description = "Unknown kind, or no motion of this meeting named", body = ErrorBody),
    )
)]
pub async fn procedural(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ProceduralRequest>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let id = state
        .app
        .move_procedural(
            &user.actor,
            MeetingId(id),
            &req.kind,
            req.target_id.map(MotionId),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: id.0 })))
}

/// A meeting's minutes: a draft kept by its officers, or approved by a later meeting.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/minutes",
    operation_id = "get_minutes",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = MinutesBody),
        (status = 404, description = "No such meeting, or no minutes yet", body = ErrorBody),
    )
)]
pub async fn get_minutes(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MinutesBody>> {
    let m = state
        .app
        .minutes(MeetingId(id))
        .await?
        .ok_or(charter_app::AppError::NotFound("minutes"))?;
    Ok(Json(MinutesBody {
        meeting_id: m.meeting.0,
        state: m.state.to_string(),
        text: m.text,
        drafted_at: m.drafted_at,
        approval_motion_id: m.approval_motion.map(|id| id.0),
        approved_at: m.approved_at,
    }))
}

/// Save the meeting's draft minutes (the officers running it, once it has begun). Approved
/// minutes cannot change.
#[utoipa::path(
    put,
    path = "/api/v1/meetings/{id}/minutes",
    operation_id = "save_minutes",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    request_body = MinutesRequest,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "The meeting has not begun, or the minutes are approved", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    )
)]
pub async fn save_minutes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MinutesRequest>,
) -> ApiResult<StatusCode> {
    state
        .app
        .save_minutes(&user.actor, MeetingId(id), &req.text)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The minutes as written from the record: convening, attendance, quorum and each motion
/// with its outcome. A starting point for the officers' draft.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/minutes/draft",
    operation_id = "draft_minutes",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Meeting id")),
    responses(
        (status = 200, body = MinutesDraft),
        (status = 404, description = "No such meeting", body = ErrorBody),
    )
)]
pub async fn draft_minutes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MinutesDraft>> {
    let text = state.app.draft_minutes(&user.actor, MeetingId(id)).await?;
    Ok(Json(MinutesDraft { text }))
}

/// Put an earlier meeting's draft minutes before this one as a motion to approve them;
/// adopted, they are final.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/minutes-approvals",
    operation_id = "put_minutes_for_approval",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The meeting to approve them")),
    request_body = MinutesApprovalRequest,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "Not an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 409, description = "No draft, already approved or before a meeting, or this meeting has ended", body = ErrorBody),
        (status = 422, description = "Not an earlier meeting of the same body", body = ErrorBody),
    )
)]
pub async fn minutes_approval(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MinutesApprovalRequest>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let id = state
        .app
        .put_minutes_for_approval(&user.actor, MeetingId(id), MeetingId(req.of_meeting_id))
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: id.0 })))
}

/// Second a motion or amendment: someone other than its proposer, entitled to propose at
/// the meeting. Where the constitution wants a seconder, a motion is put only once seconded.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/seconder",
    operation_id = "second_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 204, description = "Seconded"),
        (status = 403, description = "Not entitled to propose at this meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Already seconded or decided, or the caller proposed it", body = ErrorBody),
    )
)]
pub async fn second(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.second_motion(&user.actor, MotionId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw a motion before it is put to the vote (its proposer, or an officer running the
/// meeting); its undecided amendments fall with it.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/withdrawal",
    operation_id = "withdraw_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = Withdrawn),
        (status = 403, description = "Neither its proposer nor an officer running the meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Already decided, or voting on it has opened", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Withdrawn>> {
    let withdrawn = state.app.withdraw_motion(&user.actor, MotionId(id)).await?;
    Ok(Json(Withdrawn {
        withdrawn: withdrawn.iter().map(|id| id.0).collect::<Vec<_>>(),
    }))
}

/// Propose an amendment: the motion's whole wording as it would read once amended. Due by
/// the constitution's amendment deadline for the meeting, and only as deep as it allows.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/amendments",
    operation_id = "amend_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The motion (or amendment) to amend")),
    request_body = MotionAmendmentRequest,
    responses(
        (status = 201, body = MotionProposed),
        (status = 403, description = "Not entitled to propose at this meeting", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Past the deadline, too deep, or the motion was decided", body = ErrorBody),
        (status = 422, description = "The wording is empty, too long or unchanged", body = ErrorBody),
    )
)]
pub async fn amend(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MotionAmendmentRequest>,
) -> ApiResult<(StatusCode, Json<MotionProposed>)> {
    let id = state
        .app
        .amend_motion(&user.actor, MotionId(id), &req.text)
        .await?;
    Ok((StatusCode::CREATED, Json(MotionProposed { id: id.0 })))
}

/// Every wording a motion has had, oldest first, each with what changed from the one before.
#[utoipa::path(
    get,
    path = "/api/v1/motions/{id}/versions",
    operation_id = "motion_versions",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 200, body = Vec<MotionVersionBody>),
        (status = 404, description = "No such motion", body = ErrorBody),
    )
)]
pub async fn versions(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<MotionVersionBody>>> {
    let history = state.app.motion_history(MotionId(id)).await?;
    if history.is_empty() {
        return Err(charter_app::AppError::NotFound("motion").into());
    }
    Ok(Json(
        history
            .into_iter()
            .map(|(v, diff)| MotionVersionBody {
                version: v.version,
                text: v.text,
                amendment_id: v.amendment.map(|id| id.0),
                at: v.at,
                diff: diff.map(|d| d.to_string()),
            })
            .collect(),
    ))
}

/// Publish an adopted motion as its unit's public statement.
#[utoipa::path(
    post,
    path = "/api/v1/motions/{id}/publication",
    operation_id = "publish_motion",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Motion id")),
    responses(
        (status = 204, description = "Published"),
        (status = 403, description = "Not an officer of the meeting's unit", body = ErrorBody),
        (status = 404, description = "No such motion", body = ErrorBody),
        (status = 409, description = "Not adopted, or already published", body = ErrorBody),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.publish_motion(&user.actor, MotionId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A unit's published statements, newest first. Public.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/statements",
    operation_id = "list_statements",
    tag = "meetings",
    params(("id" = i64, Path, description = "Unit id")),
    responses(
        (status = 200, body = Vec<Statement>),
    )
)]
pub async fn statements(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Statement>>> {
    let list = state.app.statements_of(UnitId(id)).await?;
    Ok(Json(list.iter().map(Statement::from).collect()))
}

/// Branches' published motions on a national matter, added up nationally and by region. Public.
#[utoipa::path(
    get,
    path = "/api/v1/matters/{matter}",
    operation_id = "get_matter_tally",
    tag = "meetings",
    params(("matter" = String, Path, description = "Matter key, e.g. constitution-2017")),
    responses(
        (status = 200, body = MatterTallyBody),
        (status = 422, description = "Not a matter key", body = ErrorBody),
    )
)]
pub async fn matter(
    State(state): State<AppState>,
    ApiPath(matter): ApiPath<String>,
) -> ApiResult<Json<MatterTallyBody>> {
    let t = state.app.matter_tally(&matter).await?;
    Ok(Json(MatterTallyBody {
        matter: t.matter,
        branches: t.branches,
        oppose: t.oppose,
        support: t.support,
        by_region: t
            .by_region
            .iter()
            .map(|(id, name, o, s)| RegionTally {
                region_id: id.map(|u| u.0),
                region: name.clone(),
                oppose: *o,
                support: *s,
            })
            .collect(),
        statements: t.motions.iter().map(Statement::from).collect(),
    }))
}

/// Requisitions with where each stands: collecting, reached (with the date the meeting must be
/// called by), overdue, or answered.
#[utoipa::path(
    get,
    path = "/api/v1/requisitions",
    operation_id = "list_requisitions",
    tag = "meetings",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<Requisition>),
    )
)]
pub async fn requisitions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Requisition>>> {
    let list = state.app.requisitions(&user.actor).await?;
    Ok(Json(list.iter().map(Requisition::from).collect()))
}

/// Open a requisition (signed by the caller) for a meeting the constitution lets members require.
#[utoipa::path(
    post,
    path = "/api/v1/requisitions",
    operation_id = "open_requisition",
    tag = "meetings",
    security(("session" = [])),
    request_body = RequisitionRequest,
    responses(
        (status = 201, body = RequisitionOpened),
        (status = 403, description = "The caller may not require it; the message cites the clause", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn open_requisition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<RequisitionRequest>,
) -> ApiResult<(StatusCode, Json<RequisitionOpened>)> {
    let id = state
        .app
        .open_requisition(
            &user.actor,
            &req.kind,
            &req.title,
            &req.purpose,
            req.matter.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(RequisitionOpened { id: id.0 })))
}

/// Sign a requisition.
#[utoipa::path(
    post,
    path = "/api/v1/requisitions/{id}/signatures",
    operation_id = "sign_requisition",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Requisition id")),
    responses(
        (status = 204, description = "Signed"),
        (status = 403, description = "The caller may not sign it", body = ErrorBody),
        (status = 404, description = "No such requisition", body = ErrorBody),
        (status = 409, description = "Already signed, or already answered", body = ErrorBody),
    )
)]
pub async fn sign_requisition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .sign_requisition(&user.actor, RequisitionId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record the meeting called in answer to a reached requisition.
#[utoipa::path(
    post,
    path = "/api/v1/requisitions/{id}/answer",
    operation_id = "answer_requisition",
    tag = "meetings",
    security(("session" = [])),
    params(("id" = i64, Path, description = "Requisition id")),
    request_body = AnswerRequest,
    responses(
        (status = 204, description = "Answered"),
        (status = 403, description = "Not an officer who calls that meeting", body = ErrorBody),
        (status = 404, description = "No such requisition or meeting", body = ErrorBody),
        (status = 409, description = "Not reached yet, or already answered", body = ErrorBody),
        (status = 422, description = "The meeting is not of the kind required", body = ErrorBody),
    )
)]
pub async fn answer_requisition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<StatusCode> {
    state
        .app
        .answer_requisition(&user.actor, RequisitionId(id), MeetingId(req.meeting_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
