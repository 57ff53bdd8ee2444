// Meetings, their notices (an outbox the app's sender drains), attendance and motions,
// written once for both SQL dialects: each store crate includes this file in a module that
// first defines `Db`, `SKIP_LOCKED` (its clause for claiming rows no other sender holds),
// `SHARE_LOCK` and `UPDATE_LOCK` (its row-lock clauses) and `StoreImpl`, and imports
// `append_event`, `commit`, `db_err` and `log_access`.
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::{
    CompositeState, MeetingMode, MeetingState, MinutesState, MotionState, PollMode,
};

use charter_domain::{MemberId, UnitId};
use charter_store::*;
use charter_model::{CompositeId, LetterId, MeetingId, MotionId};
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;

/// Rows per multi-row INSERT: 6 values a row stays far under either dialect's limit.
const CHUNK: usize = 4_000;

const MEETING_SELECT: &str = "SELECT id, body, unit_id, kind, title, starts_at, ends_at, mode, place, online_url,
        agenda, notice_clause, notice_days, called_by, called_at, notice_complete_at, entitled, state,
        adjourned_by, historical_entered_at
     FROM meetings";
const MOTION_SELECT: &str = "SELECT id, meeting_id, parent_id, target_id, emergency, admitted_by, set_aside_by,
        proposed_at, number, kind, title, text, matter,
        position, requires, proposed_by, seconded_by, state, votes_for, votes_against, abstentions, present, failures_json,
        decided_at, published
     FROM motions";

fn meeting_from(r: &DbRow) -> Result<MeetingRecord, sqlx::Error> {
    Ok(MeetingRecord {
        id: r.id("id")?,
        body: r.try_get("body")?,
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        mode: stored(r, "mode", MeetingMode::parse)?,
        place: r.try_get("place")?,
        online_url: r.try_get("online_url")?,
        agenda: r.try_get("agenda")?,
        notice_clause: r.try_get("notice_clause")?,
        notice_days: r
            .try_get::<Option<i64>, _>("notice_days")?
            .and_then(|d| u32::try_from(d).ok()),
        called_by: r.try_get::<Option<i64>, _>("called_by")?.map(MemberId),
        called_at: r.try_get("called_at")?,
        notice_complete_at: r.try_get("notice_complete_at")?,
        entitled: r.try_get("entitled")?,
        state: stored(r, "state", MeetingState::parse)?,
        adjourned_by: r.id("adjourned_by")?,
        historical_entered_at: r.try_get("historical_entered_at")?,
    })
}

fn motion_from(r: &DbRow) -> Result<MotionRecord, sqlx::Error> {
    Ok(MotionRecord {
        id: r.id("id")?,
        meeting: r.id("meeting_id")?,
        parent: r.id("parent_id")?,
        target: r.id("target_id")?,
        emergency: r.try_get("emergency")?,
        admitted_by: r.id("admitted_by")?,
        set_aside_by: r.id("set_aside_by")?,
        proposed_at: r.try_get("proposed_at")?,
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        text: r.try_get("text")?,
        matter: r.try_get("matter")?,
        position: r.try_get("position")?,
        requires: r.try_get("requires")?,
        proposed_by: r.try_get::<Option<i64>, _>("proposed_by")?.map(MemberId),
        seconded_by: r.try_get::<Option<i64>, _>("seconded_by")?.map(MemberId),
        state: stored(r, "state", MotionState::parse)?,
        votes_for: r.try_get("votes_for")?,
        votes_against: r.try_get("votes_against")?,
        abstentions: r.try_get("abstentions")?,
        present: r.try_get("present")?,
        failures_json: r.try_get("failures_json")?,
        decided_at: r.try_get("decided_at")?,
        published: r.try_get("published")?,
    })
}

fn all<T>(rows: &[DbRow], f: impl Fn(&DbRow) -> Result<T, sqlx::Error>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect::<Result<_, _>>().map_err(db_err)
}

/// What the record says of a meeting beyond what was asked for when calling it.
pub(crate) struct MeetingFacts {
    pub entitled: i64,
    pub called_at: DateTime<Utc>,
    pub notice_complete_at: Option<DateTime<Utc>>,
    /// For a meeting held before Charter: when two officers' entries of it agreed.
    pub historical_entered_at: Option<DateTime<Utc>>,
}

/// Writes a meeting's row (state `called`), inside the caller's transaction.
pub(crate) async fn insert_meeting(
    tx: &mut <Db as sqlx::Database>::Connection,
    m: &NewMeeting,
    f: &MeetingFacts,
    event_seq: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO meetings (body, unit_id, kind, title, starts_at, ends_at, mode, place, online_url, agenda,
             notice_clause, notice_days, called_by, called_at, notice_complete_at, entitled, state, event_seq,
             check_in_code, historical_entered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'called', $17, $18, $19)
         RETURNING id",
    )
    .bind(&m.body)
    .bind(m.unit.map(|u| u.0))
    .bind(&m.kind)
    .bind(&m.title)
    .bind(m.starts_at)
    .bind(m.ends_at)
    .bind(m.mode.as_str())
    .bind(m.place.as_deref())
    .bind(m.online_url.as_deref())
    .bind(&m.agenda)
    .bind(m.notice_clause.as_deref())
    .bind(m.notice_days.map(i64::from))
    .bind(m.called_by.map(|c| c.0))
    .bind(f.called_at)
    .bind(f.notice_complete_at)
    .bind(f.entitled)
    .bind(event_seq)
    .bind(&m.check_in_code)
    .bind(f.historical_entered_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)
}

/// A meeting's notice is complete, at `at`, once none of its notices is still waiting.
async fn notice_settled(
    conn: &mut <Db as sqlx::Database>::Connection,
    meeting: i64,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE meetings SET notice_complete_at = $1
         WHERE id = $2 AND notice_complete_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM outbox WHERE meeting_id = $2 AND state = 'queued')",
    )
    .bind(at)
    .bind(meeting)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Ids per statement when settling letters in bulk: one bind each, well under either
/// database's limit.
const SENT_PER_STATEMENT: usize = 1000;

/// Adds a motion (checking the motion it amends is still proposed) with its first wording.
pub(crate) async fn insert_motion(
    tx: &mut <Db as sqlx::Database>::Connection,
    m: &NewMotion,
    event: &NewEvent,
) -> StoreResult<MotionId> {
    if let Some(parent) = m.parent {
        let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM motions WHERE id = $1 AND meeting_id = $2{UPDATE_LOCK}"
        )))
        .bind(parent.raw())
        .bind(m.meeting.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match state.as_deref() {
            None => return Err(StoreError::NotFound("motion to amend")),
            Some("proposed") => {}
            Some(other) => {
                return Err(StoreError::Stale(format!(
                    "the motion to amend was already {other}"
                )));
            }
        }
    }
    let seq = append_event(&mut *tx, event).await?;
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM motions WHERE meeting_id = $1",
    )
    .bind(m.meeting.raw())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO motions (meeting_id, parent_id, target_id, emergency, proposed_at, number, kind, title, text,
             matter, position, requires, proposed_by, seconded_by, state, published, event_seq)
         VALUES ($1, $2, $14, $15, $3, $4, $5, $6, $7, $8, $9, $16, $10, $11, 'proposed', $12, $13) RETURNING id",
    )
    .bind(m.meeting.raw())
    .bind(m.parent.raw())
    .bind(event.at)
    .bind(number)
    .bind(&m.kind)
    .bind(&m.title)
    .bind(&m.text)
    .bind(m.matter.as_deref())
    .bind(m.position.as_deref())
    .bind(m.proposed_by.map(|p| p.0))
    .bind(m.seconded_by.map(|p| p.0))
    .bind(false)
    .bind(seq)
    .bind(m.target.raw())
    .bind(m.emergency)
    .bind(m.requires.as_deref())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO motion_versions (motion_id, version, text, amendment_id, at) VALUES ($1, 1, $2, NULL, $3)",
    )
    .bind(id)
    .bind(&m.text)
    .bind(event.at)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(MotionId(id))
}

/// `NotFound` for no such motion, `Stale` once it is no longer proposed.
async fn still_proposed(tx: &mut <Db as sqlx::Database>::Connection, id: MotionId) -> StoreResult<()> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM motions WHERE id = $1")
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    match state.as_deref() {
        None => Err(StoreError::NotFound("motion")),
        Some("proposed") => Ok(()),
        Some(other) => Err(StoreError::Stale(format!(
            "this motion was already {other}"
        ))),
    }
}

/// Records a motion's outcome and what an adopted motion does, inside the caller's
/// transaction.
pub(crate) async fn decide_in(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: MotionId,
    o: &MotionOutcome,
    event: &NewEvent,
) -> StoreResult<()> {
    still_proposed(&mut *tx, id).await?;
    append_event(&mut *tx, event).await?;
    sqlx::query(
        "UPDATE motions SET state = $1, votes_for = $2, votes_against = $3, abstentions = $4,
             present = $5, failures_json = $6, decided_at = $7
         WHERE id = $8 AND state = 'proposed'",
    )
    .bind(o.state.as_str())
    .bind(i64::from(o.votes_for))
    .bind(i64::from(o.votes_against))
    .bind(i64::from(o.abstentions))
    .bind(i64::from(o.present))
    .bind(&o.failures_json)
    .bind(event.at)
    .bind(id.raw())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if o.state == MotionState::Adopted {
        apply_effect(&mut *tx, id, event.at).await?;
        // An adopted appointment motion appoints, here and nowhere else.
        crate::structure::apply_appointment(&mut *tx, id).await?;
        // An adopted discipline motion suspends or expels, here and nowhere else.
        crate::structure::apply_status_motion(&mut *tx, id, event.at).await?;
        sqlx::query(
            "UPDATE minutes SET state = 'approved', approved_at = $1
             WHERE approval_motion = $2 AND state = 'draft'",
        )
        .bind(event.at)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    if o.state == MotionState::Adopted {
        // An amendment adopted: the motion it amends takes its wording, as a new version.
        let row = sqlx::query("SELECT parent_id, text FROM motions WHERE id = $1")
            .bind(id.raw())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let parent: Option<i64> = row.try_get("parent_id").map_err(db_err)?;
        let text: String = row.try_get("text").map_err(db_err)?;
        if let Some(parent) = parent {
            let changed =
                sqlx::query("UPDATE motions SET text = $1 WHERE id = $2 AND state = 'proposed'")
                    .bind(&text)
                    .bind(parent)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
            if changed == 0 {
                return Err(StoreError::Stale(
                    "the motion this amends was already decided".into(),
                ));
            }
            sqlx::query(
                "INSERT INTO motion_versions (motion_id, version, text, amendment_id, at)
                 SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM motion_versions WHERE motion_id = $1",
            )
            .bind(parent)
            .bind(&text)
            .bind(id.raw())
            .bind(event.at)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
    }
    Ok(())
}

/// What an adopted procedural motion or rescission does: sets its target aside, admits it,
/// or adjourns the meeting. `Stale` if the target can no longer take that effect.
async fn apply_effect(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: MotionId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let row = sqlx::query("SELECT kind, target_id, meeting_id FROM motions WHERE id = $1")
        .bind(id.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    let kind: String = row.try_get("kind").map_err(db_err)?;
    let target: Option<i64> = row.try_get("target_id").map_err(db_err)?;
    let meeting: i64 = row.try_get("meeting_id").map_err(db_err)?;
    let q = match (kind.as_str(), target) {
        ("next-business" | "refer-back", Some(t)) => sqlx::query(
            "UPDATE motions SET set_aside_by = $1, decided_at = $2
             WHERE id = $3 AND state = 'proposed' AND set_aside_by IS NULL",
        )
        .bind(id.raw())
        .bind(at)
        .bind(t),
        ("rescind", Some(t)) => sqlx::query(
            "UPDATE motions SET set_aside_by = $1
             WHERE id = $2 AND state = 'adopted' AND set_aside_by IS NULL",
        )
        .bind(id.raw())
        .bind(t),
        ("admit-emergency-motion", Some(t)) => sqlx::query(
            "UPDATE motions SET admitted_by = $1
             WHERE id = $2 AND state = 'proposed' AND emergency = $3 AND admitted_by IS NULL",
        )
        .bind(id.raw())
        .bind(t)
        .bind(true),
        ("adjourn", _) => sqlx::query(
            "UPDATE meetings SET adjourned_by = $1 WHERE id = $2 AND adjourned_by IS NULL",
        )
        .bind(id.raw())
        .bind(meeting),
        _ => return Ok(()),
    };
    let changed = q.execute(&mut *tx).await.map_err(db_err)?.rows_affected();
    if changed == 0 {
        return Err(StoreError::Stale(format!(
            "the {} can no longer take effect: what it acts on has changed",
            kind.replace('-', " ")
        )));
    }
    Ok(())
}

/// Which published motions to read.
enum Only<'a> {
    /// On this national matter.
    Matter(&'a str),
    /// Requiring this kind of meeting.
    Requiring(&'a str),
}

/// Published motions, newest first, all or `only` some.
async fn published_where(
    s: &StoreImpl,
    only: Option<Only<'_>>,
) -> StoreResult<Vec<PublishedMotion>> {
    let mut qb = sqlx::QueryBuilder::<Db>::new(
        "SELECT m.id, m.meeting_id, m.parent_id, m.target_id, m.emergency, m.admitted_by, m.set_aside_by,
                m.proposed_at, m.number, m.kind, m.title, m.text, m.matter, m.position, m.requires,
                m.proposed_by, m.seconded_by, m.state, m.votes_for, m.votes_against, m.abstentions,
                m.present, m.failures_json, m.decided_at, m.published,
                g.unit_id AS meeting_unit, g.title AS meeting_title, g.starts_at AS meeting_on
         FROM motions m JOIN meetings g ON g.id = m.meeting_id
         WHERE m.published = ",
    );
    qb.push_bind(true);
    match only {
        None => {}
        Some(Only::Matter(m)) => {
            qb.push(" AND m.matter = ").push_bind(m.to_string());
        }
        Some(Only::Requiring(k)) => {
            qb.push(" AND m.requires = ").push_bind(k.to_string());
        }
    }
    qb.push(" ORDER BY m.decided_at DESC, m.id DESC");
    let rows = qb.build().fetch_all(&s.pool).await.map_err(db_err)?;
    all(&rows, |r| {
        Ok(PublishedMotion {
            motion: motion_from(r)?,
            unit: r.try_get::<Option<i64>, _>("meeting_unit")?.map(UnitId),
            meeting_title: r.try_get("meeting_title")?,
            meeting_on: r.try_get("meeting_on")?,
        })
    })
}

const POLL_SELECT: &str = "SELECT p.motion_id, p.mode, p.opened_at, p.opened_by, p.closed_at,
        (SELECT COUNT(*) FROM poll_voters v WHERE v.motion_id = p.motion_id) AS voted,
        COALESCE((SELECT t.votes FROM poll_tallies t WHERE t.motion_id = p.motion_id AND t.choice = 'for'), 0) AS votes_for,
        COALESCE((SELECT t.votes FROM poll_tallies t WHERE t.motion_id = p.motion_id AND t.choice = 'against'), 0) AS votes_against,
        COALESCE((SELECT t.votes FROM poll_tallies t WHERE t.motion_id = p.motion_id AND t.choice = 'abstain'), 0) AS abstentions
     FROM motion_polls p";

fn poll_from(r: &DbRow) -> Result<PollRecord, sqlx::Error> {
    Ok(PollRecord {
        motion: r.id("motion_id")?,
        mode: stored(r, "mode", PollMode::parse)?,
        opened_at: r.try_get("opened_at")?,
        opened_by: r.try_get::<Option<i64>, _>("opened_by")?.map(MemberId),
        closed_at: r.try_get("closed_at")?,
        voted: r.try_get("voted")?,
        votes_for: r.try_get("votes_for")?,
        votes_against: r.try_get("votes_against")?,
        abstentions: r.try_get("abstentions")?,
    })
}

async fn poll_in(
    conn: &mut <Db as sqlx::Database>::Connection,
    motion: i64,
) -> StoreResult<Option<PollRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{POLL_SELECT} WHERE p.motion_id = $1"
    )))
    .bind(motion)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref().map(poll_from).transpose().map_err(db_err)
}

const MINUTES_SELECT: &str =
    "SELECT meeting_id, text, state, drafted_at, drafted_by, approval_motion, approved_at
     FROM minutes";

fn minutes_from(r: &DbRow) -> Result<MinutesRecord, sqlx::Error> {
    Ok(MinutesRecord {
        meeting: r.id("meeting_id")?,
        text: r.try_get("text")?,
        state: stored(r, "state", MinutesState::parse)?,
        drafted_at: r.try_get("drafted_at")?,
        drafted_by: r.try_get::<Option<i64>, _>("drafted_by")?.map(MemberId),
        approval_motion: r.id("approval_motion")?,
        approved_at: r.try_get("approved_at")?,
    })
}

async fn minutes_in(
    conn: &mut <Db as sqlx::Database>::Connection,
    meeting: i64,
) -> StoreResult<Option<MinutesRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{MINUTES_SELECT} WHERE meeting_id = $1{UPDATE_LOCK}"
    )))
    .bind(meeting)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref().map(minutes_from).transpose().map_err(db_err)
}

const COMPOSITE_SELECT: &str = "SELECT id, meeting_id, title, text, proposed_by, proposed_at, state, motion_id FROM composites";

async fn composites_where(
    s: &StoreImpl,
    filter: &str,
    key: i64,
) -> StoreResult<Vec<CompositeRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{COMPOSITE_SELECT} WHERE {filter} = $1 ORDER BY id"
    )))
    .bind(key)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    let mut out = all(&rows, |r| {
        Ok(CompositeRecord {
            id: r.id("id")?,
            meeting: r.id("meeting_id")?,
            title: r.try_get("title")?,
            text: r.try_get("text")?,
            proposed_by: r.try_get::<Option<i64>, _>("proposed_by")?.map(MemberId),
            proposed_at: r.try_get("proposed_at")?,
            state: stored(r, "state", CompositeState::parse)?,
            motion: r.id("motion_id")?,
            parts: Vec::new(),
        })
    })?;
    for c in &mut out {
        let rows = sqlx::query(
            "SELECT motion_id, consented_by, consented_at FROM composite_parts
             WHERE composite_id = $1 ORDER BY position",
        )
        .bind(c.id.raw())
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
        c.parts = all(&rows, |r| {
            Ok(CompositePart {
                motion: r.id("motion_id")?,
                consented_by: r.try_get::<Option<i64>, _>("consented_by")?.map(MemberId),
                consented_at: r.try_get("consented_at")?,
            })
        })?;
    }
    Ok(out)
}

/// The composite's state, locked for the rest of the transaction.
async fn pending_composite(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: i64,
) -> StoreResult<()> {
    let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT state FROM composites WHERE id = $1{UPDATE_LOCK}"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    match state.as_deref() {
        None => Err(StoreError::NotFound("composite")),
        Some("pending") => Ok(()),
        Some(other) => Err(StoreError::Stale(format!(
            "this composite was already {other}"
        ))),
    }
}

#[async_trait::async_trait]
impl MeetingStore for StoreImpl {
    async fn call_meeting(
        &self,
        m: &NewMeeting,
        invitees: &[NewInvitee],
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MeetingId> {
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let id = insert_meeting(
            &mut tx,
            m,
            &MeetingFacts {
                entitled: invitees.len() as i64,
                called_at: event.at,
                notice_complete_at: None,
                historical_entered_at: None,
            },
            seq,
        )
        .await?;
        for chunk in invitees.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO meeting_invitees (meeting_id, member_id, may_vote) ",
            );
            qb.push_values(chunk, |mut b, i| {
                b.push_bind(id).push_bind(i.member.0).push_bind(i.may_vote);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO outbox (meeting_id, member_id, address, subject, body, state, next_attempt_at, created_at) ",
            );
            qb.push_values(chunk, |mut b, i| {
                b.push_bind(id)
                    .push_bind(i.member.0)
                    .push_bind(i.address.clone())
                    .push_bind(notice.subject.clone())
                    .push_bind(notice.body.clone())
                    .push_bind("queued")
                    .push_bind(event.at)
                    .push_bind(event.at);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        if invitees.is_empty() {
            // Nobody to tell: notice is complete as soon as the meeting is called.
            sqlx::query("UPDATE meetings SET notice_complete_at = $1 WHERE id = $2")
                .bind(event.at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(MeetingId(id))
    }

    async fn meeting(&self, id: MeetingId) -> StoreResult<Option<MeetingRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEETING_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(meeting_from).transpose().map_err(db_err)
    }

    async fn member_contacts(
        &self,
        members: &[MemberId],
    ) -> StoreResult<Vec<(MemberId, String, String)>> {
        let mut out = Vec::with_capacity(members.len());
        for chunk in members.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "SELECT id, first_name, email FROM members WHERE id IN (",
            );
            let mut ids = qb.separated(", ");
            for m in chunk {
                ids.push_bind(m.0);
            }
            qb.push(") ORDER BY id");
            let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
            out.extend(all(&rows, |r| {
                Ok((
                    MemberId(r.try_get("id")?),
                    r.try_get("first_name")?,
                    r.try_get("email")?,
                ))
            })?);
        }
        Ok(out)
    }

    async fn meetings(
        &self,
        unit: Option<UnitId>,
        from: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<MeetingRecord>> {
        let mut qb = sqlx::QueryBuilder::<Db>::new(format!("{MEETING_SELECT} WHERE 1 = 1"));
        if let Some(u) = unit {
            qb.push(" AND unit_id = ").push_bind(u.0);
        }
        if let Some(f) = from {
            qb.push(" AND starts_at >= ").push_bind(f);
        }
        qb.push(" ORDER BY starts_at, id");
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        all(&rows, meeting_from)
    }

    async fn meetings_for(&self, member: MemberId) -> StoreResult<Vec<MeetingRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEETING_SELECT} WHERE id IN (SELECT meeting_id FROM meeting_invitees WHERE member_id = $1)
             ORDER BY starts_at, id"
        )))
        .bind(member.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, meeting_from)
    }

    async fn invitee(&self, meeting: MeetingId, member: MemberId) -> StoreResult<Option<bool>> {
        sqlx::query_scalar::<_, bool>(
            "SELECT may_vote FROM meeting_invitees WHERE meeting_id = $1 AND member_id = $2",
        )
        .bind(meeting.raw())
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn notice_progress(&self, meeting: MeetingId) -> StoreResult<NoticeProgress> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM outbox WHERE meeting_id = $1 GROUP BY state",
        )
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut p = NoticeProgress::default();
        for r in &rows {
            let state: String = r.try_get("state").map_err(db_err)?;
            let n: i64 = r.try_get("n").map_err(db_err)?;
            match state.as_str() {
                "queued" => p.queued = n,
                "sent" => p.sent = n,
                _ => p.failed = n,
            }
        }
        Ok(p)
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, meeting_id, member_id, address, subject, body, attempts, account_link_id, ballot_id
             FROM outbox
             WHERE state = 'queued' AND next_attempt_at <= $1 ORDER BY id LIMIT $2{SKIP_LOCKED}"
        )))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let claimed = all(&rows, |r| {
            Ok(OutboxMessage {
                id: r.id("id")?,
                meeting: r.id("meeting_id")?,
                member: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
                address: r.try_get("address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
                account_link: r.id("account_link_id")?,
                ballot: r.id("ballot_id")?,
            })
        })?;
        if !claimed.is_empty() {
            let mut qb = sqlx::QueryBuilder::<Db>::new("UPDATE outbox SET next_attempt_at = ");
            qb.push_bind(lease_until).push(" WHERE id IN (");
            let mut ids = qb.separated(", ");
            for m in &claimed {
                ids.push_bind(m.id.raw());
            }
            qb.push(")");
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(claimed)
    }

    async fn record_delivery(
        &self,
        message: LetterId,
        d: &Delivery,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let (state, next, error, sent): (&str, DateTime<Utc>, Option<&str>, Option<DateTime<Utc>>) =
            match d {
                Delivery::Sent => ("sent", at, None, Some(at)),
                Delivery::Retry { at: when, error } => {
                    ("queued", *when, Some(error.as_str()), None)
                }
                Delivery::Failed { error } => ("failed", at, Some(error.as_str()), None),
            };
        let meeting: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE outbox SET state = $1, next_attempt_at = $2, last_error = $3, sent_at = $4,
                 attempts = attempts + 1
             WHERE id = $5 AND state = 'queued' RETURNING meeting_id",
        )
        .bind(state)
        .bind(next)
        .bind(error)
        .bind(sent)
        .bind(message.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(meeting) = meeting else {
            return Err(StoreError::Stale(
                "this message was already delivered or given up".into(),
            ));
        };
        if let Some(m) = meeting
            && state != "queued"
        {
            notice_settled(&mut tx, m, at).await?;
        }
        commit(tx).await?;
        Ok(())
    }

    async fn record_sent(&self, messages: &[LetterId], at: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let mut recorded = 0u64;
        let mut meetings = std::collections::BTreeSet::new();
        for chunk in messages.chunks(SENT_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "UPDATE outbox SET state = 'sent', next_attempt_at = ",
            );
            qb.push_bind(at)
                .push(", last_error = NULL, sent_at = ")
                .push_bind(at)
                .push(", attempts = attempts + 1 WHERE state = 'queued' AND id IN (");
            let mut ids = qb.separated(", ");
            for id in chunk {
                ids.push_bind(id.raw());
            }
            qb.push(") RETURNING meeting_id");
            let settled: Vec<Option<i64>> = qb
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
            recorded += settled.len() as u64;
            meetings.extend(settled.into_iter().flatten());
        }
        for m in meetings {
            notice_settled(&mut tx, m, at).await?;
        }
        commit(tx).await?;
        Ok(recorded)
    }

    async fn check_in(
        &self,
        meeting: MeetingId,
        member: MemberId,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let invited: Option<bool> = sqlx::query_scalar(
            "SELECT may_vote FROM meeting_invitees WHERE meeting_id = $1 AND member_id = $2",
        )
        .bind(meeting.raw())
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if invited.is_none() {
            return Err(StoreError::NotFound("invitation to this meeting"));
        }
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT member_id FROM attendance WHERE meeting_id = $1 AND member_id = $2",
        )
        .bind(meeting.raw())
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if already.is_some() {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "already checked in".into(),
            });
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO attendance (meeting_id, member_id, checked_in_at, recorded_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(meeting.raw())
        .bind(member.0)
        .bind(event.at)
        .bind(recorded_by.map(|m| m.0))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    async fn check_in_code(&self, meeting: MeetingId) -> StoreResult<Option<String>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT check_in_code FROM meetings WHERE id = $1")
                .bind(meeting.raw())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        match row {
            None => Err(StoreError::NotFound("meeting")),
            Some(code) => Ok(code),
        }
    }

    async fn replace_check_in_code(
        &self,
        meeting: MeetingId,
        code: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        append_event(&mut tx, event).await?;
        let done = sqlx::query("UPDATE meetings SET check_in_code = $1 WHERE id = $2")
            .bind(code)
            .bind(meeting.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("meeting"));
        }
        commit(tx).await
    }

    async fn propose_composite(&self, c: &NewComposite, event: &NewEvent) -> StoreResult<CompositeId> {
        let mut tx = self.write_tx().await?;
        for part in &c.parts {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT state, set_aside_by FROM motions WHERE id = $1 AND meeting_id = $2{UPDATE_LOCK}"
            )))
            .bind(part.raw())
            .bind(c.meeting.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("motion to composite"))?;
            let state: String = row.try_get("state").map_err(db_err)?;
            let aside: Option<i64> = row.try_get("set_aside_by").map_err(db_err)?;
            if state != "proposed" || aside.is_some() {
                return Err(StoreError::Stale(
                    "a motion to composite is no longer before the meeting".into(),
                ));
            }
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM composite_parts p JOIN composites c ON c.id = p.composite_id
                 WHERE p.motion_id = $1 AND c.state = 'pending'",
            )
            .bind(part.raw())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            if pending > 0 {
                return Err(StoreError::Stale(
                    "a motion to composite is already in a composite awaiting consent".into(),
                ));
            }
        }
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO composites (meeting_id, title, text, proposed_by, proposed_at, state, event_seq)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
        )
        .bind(c.meeting.raw())
        .bind(&c.title)
        .bind(&c.text)
        .bind(c.proposed_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        for (position, part) in c.parts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO composite_parts (composite_id, motion_id, position) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(part.raw())
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(CompositeId(id))
    }

    async fn composites(&self, meeting: MeetingId) -> StoreResult<Vec<CompositeRecord>> {
        composites_where(self, "meeting_id", meeting.raw()).await
    }

    async fn composite(&self, id: CompositeId) -> StoreResult<Option<CompositeRecord>> {
        Ok(composites_where(self, "id", id.raw()).await?.pop())
    }

    async fn consent_to_composite(
        &self,
        id: CompositeId,
        part: MotionId,
        by: MemberId,
        formed: &NewMotion,
        consent: &NewEvent,
        forming: &NewEvent,
    ) -> StoreResult<Option<MotionId>> {
        let mut tx = self.write_tx().await?;
        pending_composite(&mut tx, id.raw()).await?;
        append_event(&mut tx, consent).await?;
        let done = sqlx::query(
            "UPDATE composite_parts SET consented_by = $1, consented_at = $2
             WHERE composite_id = $3 AND motion_id = $4 AND consented_at IS NULL",
        )
        .bind(by.0)
        .bind(consent.at)
        .bind(id.raw())
        .bind(part.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message:
                    "consent for this motion is already given, or it is not part of the composite"
                        .into(),
            });
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM composite_parts WHERE composite_id = $1 AND consented_at IS NULL",
        )
        .bind(id.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if waiting > 0 {
            commit(tx).await?;
            return Ok(None);
        }
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM composite_parts p JOIN motions m ON m.id = p.motion_id
             WHERE p.composite_id = $1 AND m.state = 'proposed' AND m.set_aside_by IS NULL",
        )
        .bind(id.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let parts: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM composite_parts WHERE composite_id = $1")
                .bind(id.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if live != parts {
            return Err(StoreError::Stale(
                "a motion in this composite was decided, withdrawn or set aside meanwhile".into(),
            ));
        }
        let motion = insert_motion(&mut tx, formed, forming).await?;
        sqlx::query(
            "UPDATE motions SET set_aside_by = $1
             WHERE id IN (SELECT motion_id FROM composite_parts WHERE composite_id = $2)",
        )
        .bind(motion.raw())
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE composites SET state = 'formed', motion_id = $1 WHERE id = $2")
            .bind(motion.raw())
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(Some(MotionId(motion.raw())))
    }

    async fn decline_composite(&self, id: CompositeId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        pending_composite(&mut tx, id.raw()).await?;
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE composites SET state = 'declined' WHERE id = $1")
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await
    }

    async fn attendance(&self, meeting: MeetingId) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS present,
                    COALESCE(SUM(CASE WHEN i.may_vote THEN 1 ELSE 0 END), 0) AS voting
             FROM attendance a JOIN meeting_invitees i
               ON i.meeting_id = a.meeting_id AND i.member_id = a.member_id
             WHERE a.meeting_id = $1",
        )
        .bind(meeting.raw())
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok((
            row.try_get("present").map_err(db_err)?,
            row.try_get("voting").map_err(db_err)?,
        ))
    }

    async fn attended(&self, meeting: MeetingId, member: MemberId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT member_id FROM attendance WHERE meeting_id = $1 AND member_id = $2",
        )
        .bind(meeting.raw())
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(found.is_some())
    }

    async fn voters(&self, meeting: MeetingId) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM meeting_invitees WHERE meeting_id = $1 AND may_vote = $2",
        )
        .bind(meeting.raw())
        .bind(true)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn meeting_voters(&self, meeting: MeetingId) -> StoreResult<Vec<MemberId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT member_id FROM meeting_invitees WHERE meeting_id = $1 AND may_vote = $2 ORDER BY member_id",
        )
        .bind(meeting.raw())
        .bind(true)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(MemberId).collect())
    }

    async fn propose_motion(&self, m: &NewMotion, event: &NewEvent) -> StoreResult<MotionId> {
        let mut tx = self.write_tx().await?;
        let id = insert_motion(&mut tx, m, event).await?;
        commit(tx).await?;
        Ok(MotionId(id.raw()))
    }

    async fn motions(&self, meeting: MeetingId) -> StoreResult<Vec<MotionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MOTION_SELECT} WHERE meeting_id = $1 ORDER BY number"
        )))
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, motion_from)
    }

    async fn motions_of_kind(&self, kind: &str) -> StoreResult<Vec<MotionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MOTION_SELECT} WHERE kind = $1 ORDER BY id"
        )))
        .bind(kind)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, motion_from)
    }

    async fn motion(&self, id: MotionId) -> StoreResult<Option<MotionRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MOTION_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(motion_from).transpose().map_err(db_err)
    }

    async fn decide_motion(&self, id: MotionId, o: &MotionOutcome, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let putting: Option<i64> =
            sqlx::query_scalar("SELECT amendment_id FROM amendment_motions WHERE motion_id = $1")
                .bind(id.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if putting.is_some() {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message: "a motion putting an amendment is decided with its amendment".into(),
            });
        }
        decide_in(&mut tx, MotionId(id.raw()), o, event).await?;
        commit(tx).await
    }

    async fn second_motion(
        &self,
        id: MotionId,
        seconder: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT state, proposed_by, seconded_by FROM motions WHERE id = $1{UPDATE_LOCK}"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("motion"))?;
        let state: String = row.try_get("state").map_err(db_err)?;
        let proposer: Option<i64> = row.try_get("proposed_by").map_err(db_err)?;
        let seconded: Option<i64> = row.try_get("seconded_by").map_err(db_err)?;
        if state != "proposed" {
            return Err(StoreError::Stale(format!(
                "this motion was already {state}"
            )));
        }
        if seconded.is_some() {
            return Err(StoreError::Stale("this motion is already seconded".into()));
        }
        if proposer == Some(seconder.0) {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "the proposer cannot second their own motion".into(),
            });
        }
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE motions SET seconded_by = $1, seconded_at = $2 WHERE id = $3")
            .bind(seconder.0)
            .bind(event.at)
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    /// Withdraws a proposed motion not yet put to a vote, and with it every undecided amendment
    /// to it (they fall with it).
    async fn withdraw_motion(&self, id: MotionId, event: &NewEvent) -> StoreResult<Vec<MotionId>> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.state, m.meeting_id,
                    (SELECT COUNT(*) FROM motion_polls p WHERE p.motion_id = m.id) AS polls
             FROM motions m WHERE m.id = $1{UPDATE_LOCK}"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("motion"))?;
        let state: String = row.try_get("state").map_err(db_err)?;
        let meeting: i64 = row.try_get("meeting_id").map_err(db_err)?;
        let polls: i64 = row.try_get("polls").map_err(db_err)?;
        if state != "proposed" {
            return Err(StoreError::Stale(format!(
                "this motion was already {state}"
            )));
        }
        if polls > 0 {
            return Err(StoreError::Stale(
                "this motion is being voted on; it can no longer be withdrawn".into(),
            ));
        }
        // Everything below it in the meeting's tree of amendments, found level by level.
        let rows = sqlx::query("SELECT id, parent_id, state FROM motions WHERE meeting_id = $1")
            .bind(meeting)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut tree: Vec<(i64, Option<i64>, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            tree.push((
                r.try_get("id").map_err(db_err)?,
                r.try_get("parent_id").map_err(db_err)?,
                r.try_get("state").map_err(db_err)?,
            ));
        }
        let mut fallen = vec![id];
        let mut i = 0;
        while i < fallen.len() {
            let at = fallen[i];
            for (child, parent, state) in &tree {
                if *parent == Some(at.raw()) && state == "proposed" && !fallen.contains(&MotionId(*child)) {
                    fallen.push(MotionId(*child));
                }
            }
            i += 1;
        }
        append_event(&mut tx, event).await?;
        for m in &fallen {
            sqlx::query(
                "UPDATE motions SET state = 'withdrawn', decided_at = $1 WHERE id = $2 AND state = 'proposed'",
            )
            .bind(event.at)
            .bind(m.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(fallen)
    }

    async fn motion_versions(&self, motion: MotionId) -> StoreResult<Vec<MotionVersion>> {
        let rows = sqlx::query(
            "SELECT motion_id, version, text, amendment_id, at FROM motion_versions
             WHERE motion_id = $1 ORDER BY version",
        )
        .bind(motion.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, |r| {
            Ok(MotionVersion {
                motion: r.id("motion_id")?,
                version: r.try_get("version")?,
                text: r.try_get("text")?,
                amendment: r.id("amendment_id")?,
                at: r.try_get("at")?,
            })
        })
    }

    async fn save_minutes(
        &self,
        meeting: MeetingId,
        text: &str,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        match minutes_in(&mut tx, meeting.raw()).await? {
            Some(m) if m.state == MinutesState::Approved => {
                return Err(StoreError::Stale(
                    "these minutes are approved and can no longer change".into(),
                ));
            }
            Some(_) => {
                append_event(&mut tx, event).await?;
                sqlx::query(
                    "UPDATE minutes SET text = $1, drafted_at = $2, drafted_by = $3 WHERE meeting_id = $4",
                )
                .bind(text)
                .bind(event.at)
                .bind(by.map(|m| m.0))
                .bind(meeting.raw())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            None => {
                append_event(&mut tx, event).await?;
                sqlx::query(
                    "INSERT INTO minutes (meeting_id, text, state, drafted_at, drafted_by)
                     VALUES ($1, $2, 'draft', $3, $4)",
                )
                .bind(meeting.raw())
                .bind(text)
                .bind(event.at)
                .bind(by.map(|m| m.0))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
        }
        commit(tx).await?;
        Ok(())
    }

    async fn minutes(&self, meeting: MeetingId) -> StoreResult<Option<MinutesRecord>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MINUTES_SELECT} WHERE meeting_id = $1"
        )))
        .bind(meeting.raw())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
        row.as_ref().map(minutes_from).transpose().map_err(db_err)
    }

    async fn put_minutes_for_approval(
        &self,
        of_meeting: MeetingId,
        motion: &NewMotion,
        event: &NewEvent,
    ) -> StoreResult<MotionId> {
        let mut tx = self.write_tx().await?;
        let Some(draft) = minutes_in(&mut tx, of_meeting.raw()).await? else {
            return Err(StoreError::NotFound("draft minutes"));
        };
        if draft.state == MinutesState::Approved {
            return Err(StoreError::Stale(
                "these minutes are already approved".into(),
            ));
        }
        if let Some(pending) = draft.approval_motion {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM motions WHERE id = $1")
                    .bind(pending.raw())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
            if state.as_deref() == Some("proposed") {
                return Err(StoreError::Stale(
                    "a motion to approve these minutes is already before a meeting".into(),
                ));
            }
        }
        let id = insert_motion(&mut tx, motion, event).await?;
        sqlx::query("UPDATE minutes SET approval_motion = $1 WHERE meeting_id = $2")
            .bind(id.raw())
            .bind(of_meeting.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(MotionId(id.raw()))
    }

    async fn set_calendar_feed(
        &self,
        member: MemberId,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (member_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id) DO UPDATE SET token_hash = $2, created_at = $3",
        )
        .bind(member.0)
        .bind(token_hash)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn calendar_feed_member(&self, token_hash: &str) -> StoreResult<Option<MemberId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT member_id FROM calendar_feeds WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(id.map(MemberId))
    }

    async fn open_poll(
        &self,
        motion: MotionId,
        mode: &str,
        opened_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        still_proposed(&mut tx, MotionId(motion.raw())).await?;
        if poll_in(&mut tx, motion.raw()).await?.is_some() {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message: "voting on this motion was already opened".into(),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO motion_polls (motion_id, mode, opened_at, opened_by, event_seq)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(motion.raw())
        .bind(mode)
        .bind(event.at)
        .bind(opened_by.map(|m| m.0))
        .bind(seq)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    async fn poll(&self, motion: MotionId) -> StoreResult<Option<PollRecord>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        poll_in(&mut conn, motion.raw()).await
    }

    async fn cast_vote(&self, v: &NewVote, at: DateTime<Utc>) -> StoreResult<VoteReceipt> {
        let mut tx = self.write_tx().await?;
        // Shared row lock: votes in flight finish before a close can take the poll's row.
        let poll = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT mode, closed_at FROM motion_polls WHERE motion_id = $1{SHARE_LOCK}"
        )))
        .bind(v.motion.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("vote on this motion"))?;
        let mode: String = poll.try_get("mode").map_err(db_err)?;
        let closed: Option<DateTime<Utc>> = poll.try_get("closed_at").map_err(db_err)?;
        if closed.is_some() {
            return Err(StoreError::Stale("voting on this motion has closed".into()));
        }
        let may_vote: Option<bool> = sqlx::query_scalar(
            "SELECT i.may_vote FROM motions mo
             JOIN attendance a ON a.meeting_id = mo.meeting_id
             JOIN meeting_invitees i ON i.meeting_id = a.meeting_id AND i.member_id = a.member_id
             WHERE mo.id = $1 AND a.member_id = $2",
        )
        .bind(v.motion.raw())
        .bind(v.member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match may_vote {
            Some(true) => {}
            Some(false) => {
                return Err(StoreError::Conflict {
                    field: "member".into(),
                    message: "you are present but not on this meeting's roll of voters".into(),
                });
            }
            None => {
                return Err(StoreError::Conflict {
                    field: "member".into(),
                    message: "only members checked in at the meeting vote; check in first".into(),
                });
            }
        }
        let named = mode == "named";
        let inserted = sqlx::query(
            "INSERT INTO poll_voters (motion_id, member_id, submission, choice, cast_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (motion_id, member_id) DO NOTHING",
        )
        .bind(v.motion.raw())
        .bind(v.member.0)
        .bind(&v.submission)
        .bind(named.then_some(v.choice.as_str()))
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if inserted == 0 {
            let earlier: String = sqlx::query_scalar(
                "SELECT submission FROM poll_voters WHERE motion_id = $1 AND member_id = $2",
            )
            .bind(v.motion.raw())
            .bind(v.member.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            commit(tx).await?;
            return if earlier == v.submission {
                Ok(VoteReceipt::AlreadyRecorded)
            } else {
                Err(StoreError::Conflict {
                    field: "member".into(),
                    message: "you have already voted on this motion; a vote once cast stands"
                        .into(),
                })
            };
        }
        sqlx::query(
            "INSERT INTO poll_tallies (motion_id, choice, votes) VALUES ($1, $2, 1)
             ON CONFLICT (motion_id, choice) DO UPDATE SET votes = poll_tallies.votes + 1",
        )
        .bind(v.motion.raw())
        .bind(v.choice.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(VoteReceipt::Recorded)
    }

    async fn my_vote(
        &self,
        motion: MotionId,
        member: MemberId,
    ) -> StoreResult<Option<(String, Option<String>)>> {
        let row = sqlx::query(
            "SELECT submission, choice FROM poll_voters WHERE motion_id = $1 AND member_id = $2",
        )
        .bind(motion.raw())
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| -> Result<_, sqlx::Error> {
            Ok((r.try_get("submission")?, r.try_get("choice")?))
        })
        .transpose()
        .map_err(db_err)
    }

    async fn named_votes(
        &self,
        motion: MotionId,
        access: &AccessContext,
    ) -> StoreResult<Vec<(MemberId, String, String, String)>> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(
            "SELECT v.member_id, m.first_name, m.last_name, v.choice
             FROM poll_voters v JOIN members m ON m.id = v.member_id
             WHERE v.motion_id = $1 AND v.choice IS NOT NULL
             ORDER BY m.last_name, m.first_name, v.member_id",
        )
        .bind(motion.raw())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((
                MemberId(r.try_get("member_id").map_err(db_err)?),
                r.try_get("first_name").map_err(db_err)?,
                r.try_get("last_name").map_err(db_err)?,
                r.try_get("choice").map_err(db_err)?,
            ));
        }
        let ids: Vec<i64> = out.iter().map(|v| v.0.0).collect();
        log_access(&mut tx, &ids, access).await?;
        commit(tx).await?;
        Ok(out)
    }

    async fn close_poll(&self, motion: MotionId, event: &NewEvent) -> StoreResult<PollRecord> {
        let mut tx = self.write_tx().await?;
        let closed: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(
            format!("SELECT closed_at FROM motion_polls WHERE motion_id = $1{UPDATE_LOCK}"),
        ))
        .bind(motion.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match closed {
            None => return Err(StoreError::NotFound("vote on this motion")),
            Some(Some(_)) => {
                return Err(StoreError::Stale("voting on this motion has closed".into()));
            }
            Some(None) => {}
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE motion_polls SET closed_at = $1 WHERE motion_id = $2 AND closed_at IS NULL",
        )
        .bind(event.at)
        .bind(motion.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let poll = poll_in(&mut tx, motion.raw())
            .await?
            .ok_or(StoreError::NotFound("vote on this motion"))?;
        commit(tx).await?;
        Ok(poll)
    }

    async fn publish_motion(&self, id: MotionId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT state, published FROM motions WHERE id = $1")
            .bind(id.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("motion"))?;
        let state: String = row.try_get("state").map_err(db_err)?;
        let published: bool = row.try_get("published").map_err(db_err)?;
        if state != "adopted" {
            return Err(StoreError::Stale(format!(
                "only an adopted motion can be published; this one is {state}"
            )));
        }
        if published {
            return Err(StoreError::Stale("this motion is already published".into()));
        }
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE motions SET published = $1 WHERE id = $2")
            .bind(true)
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    async fn published_motions(&self, matter: Option<&str>) -> StoreResult<Vec<PublishedMotion>> {
        published_where(self, matter.map(Only::Matter)).await
    }

    async fn published_motions_requiring(&self, kind: &str) -> StoreResult<Vec<PublishedMotion>> {
        published_where(self, Some(Only::Requiring(kind))).await
    }
}
