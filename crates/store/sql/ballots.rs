// Ballots, their voters and their box, written once for both SQL dialects: each store crate
// includes this file in a module that first defines `Db`, `UPDATE_LOCK` and `SHARE_LOCK` (its
// row-lock clauses) and `StoreImpl`, and imports `append_event`, `commit` and `db_err`.
//
// Secrecy is kept here as much as in the schema: no statement in this file reads the box
// together with the voters, and the box is read only once its ballot is closed.

use charter_model::Method;
use crate::rows::{IdColumn, RawId};
use charter_domain::{BallotKind, BallotState, MemberId, UnitId};
use charter_store::*;
use charter_model::{AmendmentId, BallotId};
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::rows::stored;

type DbRow = <Db as sqlx::Database>::Row;

/// Rows per multi-row INSERT: six values a row stays far under either dialect's limit.
const CHUNK: usize = 4_000;

const BALLOT_SELECT: &str =
    "SELECT id, title, question, kind, decision_kind, method, seats, roll_id,
        opens_at, closes_at, later_vote_replaces, clause, rule, state, electorate, opened_at,
        closed_at, counted_at, result_json, outcome, created_by, created_at, reminder_days,
        (SELECT COUNT(*) FROM ballot_board b
         WHERE b.ballot_id = ballots.id AND b.kind = 'setup') AS sealed
     FROM ballots";

/// The reminder timetable as the ballots table keeps it: days before close, comma-separated.
fn reminder_days_text(days: &[u32]) -> String {
    days.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn reminder_days_from(text: &str) -> Vec<u32> {
    text.split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect()
}

/// A voter's link before their letter has gone: no token's hash (hex) can equal it.
fn unsent_link(ballot: i64, member: MemberId) -> String {
    format!("unsent:{ballot}:{}", member.0)
}

fn ballot_from(r: &DbRow) -> Result<BallotRecord, sqlx::Error> {
    Ok(BallotRecord {
        id: r.id("id")?,
        title: r.try_get("title")?,
        question: r.try_get("question")?,
        kind: stored(r, "kind", BallotKind::parse)?,
        decision_kind: r.try_get("decision_kind")?,
        method: stored(r, "method", Method::from_name)?,
        seats: u32::try_from(r.try_get::<i32, _>("seats")?).unwrap_or(1),
        roll: r.id("roll_id")?,
        opens_at: r.try_get("opens_at")?,
        closes_at: r.try_get("closes_at")?,
        later_vote_replaces: r.try_get("later_vote_replaces")?,
        clause: r.try_get("clause")?,
        rule: r.try_get("rule")?,
        state: stored(r, "state", BallotState::parse)?,
        electorate: r.try_get("electorate")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        counted_at: r.try_get("counted_at")?,
        result_json: r.try_get("result_json")?,
        outcome: r.try_get("outcome")?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(MemberId),
        created_at: r.try_get("created_at")?,
        options: Vec::new(),
        reminder_days: reminder_days_from(&r.try_get::<String, _>("reminder_days")?),
        sealed: r.try_get::<i64, _>("sealed")? > 0,
    })
}

async fn with_options(
    s: &StoreImpl,
    mut list: Vec<BallotRecord>,
) -> StoreResult<Vec<BallotRecord>> {
    for b in &mut list {
        b.options = sqlx::query_scalar(
            "SELECT name FROM ballot_options WHERE ballot_id = $1 ORDER BY position",
        )
        .bind(b.id.raw())
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
    }
    Ok(list)
}

/// The ballot's state, locked for the rest of the transaction.
async fn state_of(tx: &mut <Db as sqlx::Database>::Connection, id: i64) -> StoreResult<String> {
    sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
        "SELECT state FROM ballots WHERE id = $1{UPDATE_LOCK}"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("ballot"))
}

fn stale(state: &str, wanted: &str) -> StoreError {
    StoreError::Stale(format!("the ballot is {state}, not {wanted}"))
}

/// Queues a voting letter to each voter, carrying the place for their link.
async fn queue_letters(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: i64,
    voters: &[NewBallotVoter],
    subject: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in voters.chunks(CHUNK) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO outbox (member_id, address, subject, body, state, next_attempt_at, created_at, ballot_id) ",
        );
        qb.push_values(chunk, |mut b, v| {
            b.push_bind(v.member.0)
                .push_bind(v.address.clone())
                .push_bind(subject.to_string())
                .push_bind(v.letter.clone())
                .push_bind("queued")
                .push_bind(at)
                .push_bind(at)
                .push_bind(id);
        });
        qb.build().execute(&mut *tx).await.map_err(db_err)?;
    }
    Ok(())
}

async fn tracker_of(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: i64,
    submission_hash: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar::<_, String>(
        "SELECT tracker FROM ballot_box WHERE ballot_id = $1 AND submission_hash = $2",
    )
    .bind(id)
    .bind(submission_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)
}

/// A ballot waiting in the group commit (`charter_store::batch`).
pub(crate) struct CastJob {
    ballot: i64,
    member: MemberId,
    cast: NewCast,
    event: NewEvent,
}

/// Most ballots put in the box in one transaction: enough to spread a commit over many, few
/// enough that other writers wait at most a few milliseconds behind a batch.
pub(crate) const CAST_BATCH: usize = 64;

/// One result per job. A database error fails the whole transaction; then each job is tried
/// again in a transaction of its own, so only a job that fails alone is answered with it.
async fn cast_batch(s: &StoreImpl, jobs: Vec<CastJob>) -> Vec<StoreResult<CastOutcome>> {
    match cast_together(s, &jobs).await {
        Ok(results) => results,
        Err(e) if jobs.len() == 1 => vec![Err(e)],
        // No connection, or the database is locked: trying each again would only wait longer.
        Err(StoreError::Unavailable(m)) => jobs
            .iter()
            .map(|_| Err(StoreError::Unavailable(m.clone())))
            .collect(),
        Err(_) => {
            let mut results = Vec::with_capacity(jobs.len());
            for job in &jobs {
                results.push(match cast_together(s, std::slice::from_ref(job)).await {
                    Ok(mut one) => one
                        .pop()
                        .unwrap_or(Err(StoreError::Database("a ballot went unanswered".into()))),
                    Err(e) => Err(e),
                });
            }
            results
        }
    }
}

/// Casts `jobs` in one transaction. A job refused (already voted, not a voter, closed) is
/// refused before it writes anything, so the others go on; a database error is returned as
/// the whole batch's, and the transaction rolls back.
///
/// The usual ballot costs one statement: each ballot's row is locked (shared, in id order)
/// and read once; each voter who has not voted is marked; then the ballots that went in are
/// boxed in one statement. Anything else — a ballot not open, a voter not marked (already
/// voted, not a voter, or this ballot already in the box), a replacement, the same ballot
/// twice in the batch — is decided after that, one by one, by `cast_one`, which then sees
/// the whole batch in the box. The events follow in one statement: the ballots' rows are
/// locked before the events' lock, in the order a close takes them, and that lock is held
/// only for the appends and the commit.
async fn cast_together(
    s: &StoreImpl,
    jobs: &[CastJob],
) -> StoreResult<Vec<StoreResult<CastOutcome>>> {
    let mut tx = s.write_tx().await?;
    let ballots: std::collections::BTreeSet<i64> = jobs.iter().map(|j| j.ballot).collect();
    let mut open = std::collections::BTreeSet::new();
    for id in ballots {
        let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM ballots WHERE id = $1{SHARE_LOCK}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if state.as_deref() == Some("open") {
            open.insert(id);
        }
    }
    let mut results: Vec<Option<StoreResult<CastOutcome>>> = jobs.iter().map(|_| None).collect();
    let mut boxed = Vec::new();
    let mut later = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Voters' rows are marked in one order (by ballot, then member), so two batches (from two
    // servers on one PostgreSQL) cannot deadlock on them; the sort is stable, so of the same
    // ballot sent twice the first to arrive is the one that goes in.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|i| (jobs[*i].ballot, jobs[*i].member.0));
    for i in order {
        let job = &jobs[i];
        let first = seen.insert((job.ballot, job.cast.submission_hash.as_str()));
        if !first || job.cast.replaces.is_some() || !open.contains(&job.ballot) {
            later.push(i);
            continue;
        }
        let marked = sqlx::query(
            "UPDATE ballot_voters SET voted_at = $1
             WHERE ballot_id = $2 AND member_id = $3 AND voted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM ballot_box WHERE ballot_id = $2 AND submission_hash = $4)",
        )
        .bind(job.event.at)
        .bind(job.ballot)
        .bind(job.member.0)
        .bind(&job.cast.submission_hash)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if marked == 1 {
            boxed.push(i);
            results[i] = Some(Ok(CastOutcome::Recorded {
                tracker: job.cast.tracker.clone(),
            }));
        } else {
            later.push(i);
        }
    }
    for chunk in boxed.chunks(CHUNK) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO ballot_box (ballot_id, tracker, submission_hash, sealed) ",
        );
        qb.push_values(chunk, |mut b, i| {
            let job = &jobs[*i];
            b.push_bind(job.ballot)
                .push_bind(job.cast.tracker.clone())
                .push_bind(job.cast.submission_hash.clone())
                .push_bind(job.cast.sealed.clone());
        });
        qb.build().execute(&mut *tx).await.map_err(db_err)?;
    }
    // In the order they arrived.
    later.sort_unstable();
    for i in later {
        results[i] = Some(cast_one(&mut tx, &jobs[i]).await?);
    }
    let results: Vec<StoreResult<CastOutcome>> = results
        .into_iter()
        .map(|r| r.unwrap_or(Err(StoreError::Database("a ballot went unanswered".into()))))
        .collect();
    let events: Vec<&NewEvent> = jobs
        .iter()
        .zip(&results)
        .filter(|(_, r)| matches!(r, Ok(CastOutcome::Recorded { .. })))
        .map(|(j, _)| &j.event)
        .collect();
    append_events(&mut tx, &events).await?;
    commit(tx).await?;
    Ok(results)
}

/// One ballot inside the batch's transaction, but for its event (appended by the caller when
/// it is `Recorded`). The outer error is the database's (it fails the batch); the inner result
/// is this ballot's answer.
async fn cast_one(
    tx: &mut <Db as sqlx::Database>::Connection,
    job: &CastJob,
) -> StoreResult<StoreResult<CastOutcome>> {
    let CastJob {
        ballot: id,
        member,
        cast: c,
        event,
    } = job;
    // One read for the ballot's state and whether this ballot is already in the box. The row
    // lock is shared: a close (which takes the row for update) waits for ballots in flight.
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT b.state, (SELECT x.tracker FROM ballot_box x
                          WHERE x.ballot_id = b.id AND x.submission_hash = $2) AS tracker,
                (SELECT a.tracker FROM ballot_set_aside a
                 WHERE a.ballot_id = b.id AND a.submission_hash = $2) AS kept
         FROM ballots b WHERE b.id = $1{SHARE_LOCK}"
    )))
    .bind(id)
    .bind(&c.submission_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    else {
        return Ok(Err(StoreError::NotFound("ballot")));
    };
    let state: String = row.try_get("state").map_err(db_err)?;
    // A ballot already in the box is answered with its tracker whatever the state now: the
    // voter's device is retrying a ballot that was acknowledged, or nearly so.
    if let Some(tracker) = row
        .try_get::<Option<String>, _>("tracker")
        .map_err(db_err)?
    {
        return Ok(Ok(CastOutcome::AlreadyRecorded { tracker }));
    }
    if let Some(tracker) = row.try_get::<Option<String>, _>("kept").map_err(db_err)? {
        return Ok(Ok(CastOutcome::SetAside { tracker }));
    }
    if state != "open" {
        return Ok(Err(stale(&state, "open")));
    }
    // The usual case in one statement: a voter who has not voted is marked.
    let marked = sqlx::query(
        "UPDATE ballot_voters SET voted_at = $1
         WHERE ballot_id = $2 AND member_id = $3 AND voted_at IS NULL",
    )
    .bind(event.at)
    .bind(id)
    .bind(member.0)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if marked == 0 {
        // Another transaction (another server's) may have put this very ballot in the box
        // since the read above: its tracker is the answer.
        if let Some(tracker) = tracker_of(tx, *id, &c.submission_hash).await? {
            return Ok(Ok(CastOutcome::AlreadyRecorded { tracker }));
        }
        let voted: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(
            format!(
                "SELECT voted_at FROM ballot_voters WHERE ballot_id = $1 AND member_id = $2{UPDATE_LOCK}"
            ),
        ))
        .bind(id)
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match (voted, &c.replaces) {
            (None, _) => return Ok(Err(StoreError::NotFound("voter on this ballot's roll"))),
            (Some(None), _) => {
                return Err(StoreError::Database(
                    "a voter who had not voted was not marked".into(),
                ));
            }
            (Some(Some(_)), None) => return set_aside(tx, job).await,
            (Some(Some(_)), Some(earlier)) => {
                let replaced = sqlx::query(
                    "UPDATE ballot_box SET superseded = $1
                     WHERE ballot_id = $2 AND submission_hash = $3 AND superseded = $4",
                )
                .bind(true)
                .bind(id)
                .bind(earlier)
                .bind(false)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if replaced.rows_affected() == 0 {
                    return Ok(Err(StoreError::Conflict {
                        field: "replaces".into(),
                        message: "that is not a ballot of yours still in the box".into(),
                    }));
                }
            }
        }
    }
    sqlx::query(
        "INSERT INTO ballot_box (ballot_id, tracker, submission_hash, sealed) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(&c.tracker)
    .bind(&c.submission_hash)
    .bind(&c.sealed)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(Ok(CastOutcome::Recorded {
        tracker: c.tracker.clone(),
    }))
}

/// A second ballot from a voter who has voted: kept aside for the scrutineer when a teller's
/// paper mark (not reversed) is what records them as having voted, once; refused otherwise.
async fn set_aside(
    tx: &mut <Db as sqlx::Database>::Connection,
    job: &CastJob,
) -> StoreResult<StoreResult<CastOutcome>> {
    let refused = || {
        Ok(Err(StoreError::Conflict {
            field: "ballot".into(),
            message: "you have already voted in this ballot".into(),
        }))
    };
    let on_paper: Option<i64> = sqlx::query_scalar(
        "SELECT member_id FROM ballot_paper_voters
         WHERE ballot_id = $1 AND member_id = $2 AND reversed_at IS NULL",
    )
    .bind(job.ballot)
    .bind(job.member.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if on_paper.is_none() {
        return refused();
    }
    let kept = sqlx::query(
        "INSERT INTO ballot_set_aside (ballot_id, member_id, set_aside_at, state, tracker,
             submission_hash, sealed)
         VALUES ($1, $2, $3, 'waiting', $4, $5, $6)
         ON CONFLICT (ballot_id, member_id) DO NOTHING",
    )
    .bind(job.ballot)
    .bind(job.member.0)
    .bind(job.event.at)
    .bind(&job.cast.tracker)
    .bind(&job.cast.submission_hash)
    .bind(&job.cast.sealed)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if kept.rows_affected() == 0 {
        return Ok(Err(StoreError::Conflict {
            field: "ballot".into(),
            message: "a ballot of yours is already kept aside for the scrutineer".into(),
        }));
    }
    Ok(Ok(CastOutcome::SetAside {
        tracker: job.cast.tracker.clone(),
    }))
}

/// Box rows (`tracker`, `sealed`) as the store hands them out.
fn boxed_from(rows: &[DbRow]) -> StoreResult<Vec<BoxedBallot>> {
    rows.iter()
        .map(|r| {
            Ok(BoxedBallot {
                tracker: r.try_get("tracker")?,
                sealed: r.try_get("sealed")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_err)
}

async fn append_board_item(
    tx: &mut <Db as sqlx::Database>::Connection,
    ballot: i64,
    item: &NewBoardItem,
    at: DateTime<Utc>,
) -> StoreResult<i64> {
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT seq FROM ballot_board WHERE ballot_id = $1 AND kind = $2 AND trustee = $3",
    )
    .bind(ballot)
    .bind(item.kind.as_str())
    .bind(i32::try_from(item.trustee).unwrap_or(i32::MAX))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            field: "board".into(),
            message: match item.trustee {
                0 => format!(
                    "the ballot's {} is on its board already",
                    item.kind.as_str()
                ),
                t => format!(
                    "trustee {t}'s {} is on the board already, and is never replaced",
                    item.kind.as_str()
                ),
            },
        });
    }
    let seq: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM ballot_board WHERE ballot_id = $1",
    )
    .bind(ballot)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO ballot_board (ballot_id, seq, kind, trustee, member_id, body, posted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ballot)
    .bind(seq)
    .bind(item.kind.as_str())
    .bind(i32::try_from(item.trustee).unwrap_or(i32::MAX))
    .bind(item.member.map(|m| m.0))
    .bind(&item.body)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(seq)
}

#[async_trait::async_trait]
impl BallotStore for StoreImpl {
    async fn create_ballot(&self, b: &NewBallot, event: &NewEvent) -> StoreResult<BallotId> {
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO ballots (title, question, kind, decision_kind, method, seats, roll_id, opens_at,
                 closes_at, later_vote_replaces, clause, rule, state, created_by, created_at, event_seq,
                 reminder_days)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'scheduled', $13, $14, $15, $16)
             RETURNING id",
        )
        .bind(&b.title)
        .bind(&b.question)
        .bind(b.kind.as_str())
        .bind(b.decision_kind.as_deref())
        .bind(b.method.name())
        .bind(i32::try_from(b.seats).unwrap_or(i32::MAX))
        .bind(b.roll.raw())
        .bind(b.opens_at)
        .bind(b.closes_at)
        .bind(b.later_vote_replaces)
        .bind(b.clause.as_deref())
        .bind(&b.rule)
        .bind(b.created_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .bind(reminder_days_text(&b.reminder_days))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(amendment) = b.amendment {
            crate::constitution::undecided_amendment(&mut tx, amendment.raw()).await?;
            sqlx::query("INSERT INTO ballot_amendments (ballot_id, amendment_id) VALUES ($1, $2)")
                .bind(id)
                .bind(amendment.raw())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        for item in &b.board {
            append_board_item(&mut tx, id, item, event.at).await?;
        }
        for (position, name) in b.options.iter().enumerate() {
            sqlx::query(
                "INSERT INTO ballot_options (ballot_id, position, name) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(BallotId(id))
    }

    async fn ballots(&self) -> StoreResult<Vec<BallotRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{BALLOT_SELECT} ORDER BY id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let list = rows
            .iter()
            .map(ballot_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        with_options(self, list).await
    }

    async fn ballot(&self, id: BallotId) -> StoreResult<Option<BallotRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{BALLOT_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(with_options(self, vec![ballot_from(&r).map_err(db_err)?])
                .await?
                .pop()),
        }
    }

    async fn open_ballot(
        &self,
        id: BallotId,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let state = state_of(&mut tx, id.raw()).await?;
        if state != "scheduled" {
            return Err(stale(&state, "scheduled"));
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE ballots SET state = 'open', opened_at = $1, electorate = $2 WHERE id = $3",
        )
        .bind(event.at)
        .bind(voters.len() as i64)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for chunk in voters.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO ballot_voters (ballot_id, member_id, branch_id, link_hash) ",
            );
            qb.push_values(chunk, |mut b, v| {
                b.push_bind(id.raw())
                    .push_bind(v.member.0)
                    .push_bind(v.branch.0)
                    .push_bind(unsent_link(id.raw(), v.member));
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
            queue_letters(&mut tx, id.raw(), chunk, subject, event.at).await?;
        }
        commit(tx).await
    }

    async fn ballot_voter(
        &self,
        id: BallotId,
        member: MemberId,
    ) -> StoreResult<Option<Option<DateTime<Utc>>>> {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "SELECT voted_at FROM ballot_voters WHERE ballot_id = $1 AND member_id = $2",
        )
        .bind(id.raw())
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn voter_by_link(&self, id: BallotId, link_hash: &str) -> StoreResult<Option<MemberId>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT member_id FROM ballot_voters WHERE ballot_id = $1 AND link_hash = $2",
        )
        .bind(id.raw())
        .bind(link_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .map(MemberId))
    }

    /// Puts a ballot in the box, together with the others arriving at the same time (one
    /// transaction, one commit); answered once they are committed.
    async fn cast_ballot(
        &self,
        id: BallotId,
        member: MemberId,
        c: &NewCast,
        event: &NewEvent,
    ) -> StoreResult<CastOutcome> {
        let job = CastJob {
            ballot: id.raw(),
            member,
            cast: c.clone(),
            event: event.clone(),
        };
        self.casts
            .run(job, |jobs| {
                let self = self.clone();
                async move { cast_batch(&self, jobs).await }
            })
            .await
    }

    async fn ballot_nonvoters(&self, id: BallotId) -> StoreResult<Vec<(MemberId, UnitId)>> {
        let rows = sqlx::query(
            "SELECT member_id, branch_id FROM ballot_voters WHERE ballot_id = $1 AND voted_at IS NULL
             ORDER BY member_id",
        )
        .bind(id.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    MemberId(r.try_get("member_id")?),
                    UnitId(r.try_get("branch_id")?),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_err)
    }

    async fn remind_voters(
        &self,
        id: BallotId,
        days_before: u32,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let state = state_of(&mut tx, id.raw()).await?;
        if state != "open" {
            return Err(stale(&state, "open"));
        }
        let sent: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT sent_at FROM ballot_reminders WHERE ballot_id = $1 AND days_before = $2",
        )
        .bind(id.raw())
        .bind(i64::from(days_before))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(at) = sent {
            return Err(StoreError::Conflict {
                field: "ballot".into(),
                message: format!(
                    "the reminder {days_before} days before close went at {} UTC",
                    at.format("%-d %B %Y %H:%M")
                ),
            });
        }
        // Only those who have still not voted, read in this transaction.
        let mut waiting = Vec::with_capacity(voters.len());
        for chunk in voters.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "SELECT member_id FROM ballot_voters WHERE voted_at IS NULL AND ballot_id = ",
            );
            qb.push_bind(id.raw()).push(" AND member_id IN (");
            let mut ids = qb.separated(", ");
            for v in chunk {
                ids.push_bind(v.member.0);
            }
            qb.push(")");
            let rows: Vec<i64> = qb
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
            waiting.extend(rows);
        }
        let waiting: std::collections::BTreeSet<i64> = waiting.into_iter().collect();
        let letters: Vec<NewBallotVoter> = voters
            .iter()
            .filter(|v| waiting.contains(&v.member.0))
            .cloned()
            .collect();
        let seq = append_event(&mut tx, event).await?;
        queue_letters(&mut tx, id.raw(), &letters, subject, event.at).await?;
        sqlx::query(
            "INSERT INTO ballot_reminders (ballot_id, days_before, sent_at, reminded, event_seq)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.raw())
        .bind(i64::from(days_before))
        .bind(event.at)
        .bind(letters.len() as i64)
        .bind(seq)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(letters.len() as u64)
    }

    async fn ballot_reminders(&self, id: BallotId) -> StoreResult<Vec<BallotReminder>> {
        let rows = sqlx::query(
            "SELECT days_before, sent_at, reminded FROM ballot_reminders
             WHERE ballot_id = $1 ORDER BY days_before DESC",
        )
        .bind(id.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(BallotReminder {
                    days_before: u32::try_from(r.try_get::<i64, _>("days_before")?).unwrap_or(0),
                    sent_at: r.try_get("sent_at")?,
                    reminded: r.try_get("reminded")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_err)
    }

    async fn mint_voting_links(
        &self,
        mints: &[VotingLinkMint],
    ) -> StoreResult<Vec<(BallotId, MemberId)>> {
        if mints.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write_tx().await?;
        let mut kept = Vec::with_capacity(mints.len());
        for m in mints {
            let done = sqlx::query(
                "UPDATE ballot_voters SET link_hash = $1
                 WHERE ballot_id = $2 AND member_id = $3 AND voted_at IS NULL
                   AND (SELECT state FROM ballots WHERE id = $2) = 'open'",
            )
            .bind(&m.link_hash)
            .bind(m.ballot.raw())
            .bind(m.member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() == 1 {
                kept.push((m.ballot, m.member));
            }
        }
        commit(tx).await?;
        Ok(kept)
    }

    async fn ballot_turnout(&self, id: BallotId) -> StoreResult<Vec<TurnoutRow>> {
        let rows = sqlx::query(
            "SELECT branch_id, COUNT(*) AS voters, COUNT(voted_at) AS voted FROM ballot_voters
             WHERE ballot_id = $1 GROUP BY branch_id ORDER BY branch_id",
        )
        .bind(id.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(TurnoutRow {
                    branch: UnitId(r.try_get("branch_id")?),
                    voters: r.try_get("voters")?,
                    voted: r.try_get("voted")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_err)
    }

    async fn close_ballot(&self, id: BallotId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let state = state_of(&mut tx, id.raw()).await?;
        if state != "open" {
            return Err(stale(&state, "open"));
        }
        append_event(&mut tx, event).await?;
        // Ballots still kept aside at the close are void, and no longer held with their members.
        sqlx::query(
            "UPDATE ballot_set_aside SET state = 'void', tracker = NULL, submission_hash = NULL,
                 sealed = NULL
             WHERE ballot_id = $1 AND state = 'waiting'",
        )
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE ballots SET state = 'closed', closed_at = $1 WHERE id = $2")
            .bind(event.at)
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await
    }

    async fn post_board_item(
        &self,
        ballot: BallotId,
        states: &[&str],
        item: &NewBoardItem,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        // The ballot's row is locked, so the board and the ballot's state move in turn.
        let state = state_of(&mut tx, ballot.raw()).await?;
        if !states.contains(&state.as_str()) {
            return Err(StoreError::Stale(format!(
                "the ballot is {state}: a {} goes on its board while it is {}",
                item.kind.as_str(),
                states.join(" or ")
            )));
        }
        let seq = append_board_item(&mut tx, ballot.raw(), item, event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(seq)
    }

    async fn board_items(&self, ballot: BallotId) -> StoreResult<Vec<BoardItem>> {
        let rows = sqlx::query(
            "SELECT seq, kind, trustee, member_id, body, posted_at FROM ballot_board
             WHERE ballot_id = $1 ORDER BY seq",
        )
        .bind(ballot.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(BoardItem {
                    seq: r.try_get("seq")?,
                    kind: BoardItemKind::parse(&kind).ok_or_else(|| {
                        sqlx::Error::Decode(format!("unknown board item kind {kind}").into())
                    })?,
                    trustee: u32::try_from(r.try_get::<i32, _>("trustee")?).unwrap_or(0),
                    member: r.try_get::<Option<i64>, _>("member_id")?.map(MemberId),
                    body: r.try_get("body")?,
                    posted_at: r.try_get("posted_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_err)
    }

    async fn encrypted_box(&self, ballot: BallotId) -> StoreResult<Vec<BoxedBallot>> {
        // Only a ballot with a setup on its board has an encrypted box: the plaintext box of any
        // other stays sealed until the close (see `boxed`).
        let rows = sqlx::query(
            "SELECT tracker, sealed FROM ballot_box
             WHERE ballot_id = $1 AND superseded = $2 AND sealed LIKE 'v2:%'
               AND EXISTS (SELECT 1 FROM ballot_board
                           WHERE ballot_id = $1 AND kind = 'setup' AND trustee = 0)
             ORDER BY tracker",
        )
        .bind(ballot.raw())
        .bind(false)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        boxed_from(&rows)
    }

    async fn ballot_box(&self, id: BallotId) -> StoreResult<Vec<BoxedBallot>> {
        let state: String = sqlx::query_scalar("SELECT state FROM ballots WHERE id = $1")
            .bind(id.raw())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("ballot"))?;
        if state != "closed" && state != "counted" {
            return Err(StoreError::Stale(
                "the ballot box stays sealed until the ballot closes".into(),
            ));
        }
        let rows = sqlx::query(
            "SELECT tracker, sealed FROM ballot_box WHERE ballot_id = $1 AND superseded = $2
             ORDER BY tracker",
        )
        .bind(id.raw())
        .bind(false)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        boxed_from(&rows)
    }

    async fn record_ballot_count(
        &self,
        id: BallotId,
        result_json: &str,
        outcome: &str,
        event: &NewEvent,
        decision: Option<&AmendmentDecision>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let state = state_of(&mut tx, id.raw()).await?;
        if state != "closed" {
            return Err(stale(&state, "closed"));
        }
        let putting: Option<i64> =
            sqlx::query_scalar("SELECT amendment_id FROM ballot_amendments WHERE ballot_id = $1")
                .bind(id.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if putting != decision.map(|d| d.amendment).raw() {
            return Err(StoreError::Conflict {
                field: "ballot".into(),
                message:
                    "a ballot putting an amendment is counted with the decision on it, and only it"
                        .into(),
            });
        }
        if let Some(d) = decision {
            crate::constitution::record_attempt_in(
                &mut tx,
                crate::constitution::DecidedBy::Ballot(id.raw()),
                d,
            )
            .await?;
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE ballots SET state = 'counted', counted_at = $1, result_json = $2, outcome = $3
             WHERE id = $4",
        )
        .bind(event.at)
        .bind(result_json)
        .bind(outcome)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await
    }

    async fn ballot_amendment(&self, ballot: BallotId) -> StoreResult<Option<AmendmentId>> {
        sqlx::query_scalar::<_, i64>(
            "SELECT amendment_id FROM ballot_amendments WHERE ballot_id = $1",
        )
        .bind(ballot.raw())
        .fetch_optional(&self.pool)
        .await
        .map(|a| a.map(AmendmentId))
        .map_err(db_err)
    }
}
