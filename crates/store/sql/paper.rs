// Paper ballots and the scrutineer's reads, written once for both SQL dialects: each store
// crate includes this file in a module that first defines `Db`, `UPDATE_LOCK` and
// `SHARE_LOCK` (its row-lock clauses), `SNAPSHOT` (the statement that makes a read
// transaction one snapshot, if it is not one already) and `StoreImpl`, and imports `append_event`, `commit`,
// `db_err` and `log_access`.
//
// Secrecy is kept here as in `ballots.rs`: no statement reads the box together with the
// voters (or the paper voters), and the box is read here only for its number of ballots.
// A batch of papers names its tellers, never a voter.
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::{ChallengeState, PaperBatchState};

use charter_domain::{MemberId, UnitId};
use charter_store::*;
use charter_model::{BallotId, PaperBatchId, PaperEntryId};
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

/// Rows per multi-row INSERT into the box: four values a row.
const CHUNK: usize = 4_000;

/// The ballot's state under a shared lock: a close (which takes the row) waits for papers in
/// flight, as it waits for ballots cast online. Locked before any other row of the ballot's.
async fn open_ballot(tx: &mut Conn, id: BallotId) -> StoreResult<()> {
    let state: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT state FROM ballots WHERE id = $1{SHARE_LOCK}"
    )))
    .bind(id.raw())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("ballot"))?;
    if state == "open" {
        Ok(())
    } else {
        Err(StoreError::Stale(format!(
            "the ballot is {state}, not open"
        )))
    }
}

const MARK_SELECT: &str =
    "SELECT p.member_id, p.marked_by, p.marked_at, p.reversed_by, p.reversed_at,
        p.reversal_reason,
        EXISTS (SELECT 1 FROM ballot_set_aside x WHERE x.ballot_id = p.ballot_id
                AND x.member_id = p.member_id AND x.state = 'waiting') AS kept_aside
     FROM ballot_paper_voters p WHERE p.ballot_id = $1 AND p.member_id = $2";

async fn mark_in(conn: &mut Conn, id: i64, member: MemberId) -> StoreResult<Option<PaperMark>> {
    let row = sqlx::query(MARK_SELECT)
        .bind(id)
        .bind(member.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(PaperMark {
            member: MemberId(r.try_get("member_id")?),
            marked_by: MemberId(r.try_get("marked_by")?),
            marked_at: r.try_get("marked_at")?,
            reversed_by: r.try_get::<Option<i64>, _>("reversed_by")?.map(MemberId),
            reversed_at: r.try_get("reversed_at")?,
            reversal_reason: r.try_get("reversal_reason")?,
            kept_aside: r.try_get("kept_aside")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| db_err(e))
}

async fn tally_in(conn: &mut Conn, id: i64) -> StoreResult<PaperTally> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM ballot_paper_voters
                 WHERE ballot_id = $1 AND reversed_at IS NULL) AS voters,
                (SELECT CAST(COALESCE(SUM(papers), 0) AS BIGINT) FROM paper_batches
                 WHERE ballot_id = $1 AND state = 'committed') AS committed,
                (SELECT CAST(COALESCE(SUM(spoilt), 0) AS BIGINT) FROM paper_batches
                 WHERE ballot_id = $1 AND state = 'committed') AS spoilt",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(PaperTally {
        voters: row.try_get("voters").map_err(db_err)?,
        committed: row.try_get("committed").map_err(db_err)?,
        spoilt: row.try_get("spoilt").map_err(db_err)?,
    })
}

/// `Conflict` unless `papers` more would leave no more papers than paper voters.
fn within(t: &PaperTally, papers: i64) -> StoreResult<()> {
    if t.committed + papers > t.voters {
        return Err(StoreError::Conflict {
            field: "papers".into(),
            message: format!(
                "{papers} more papers would outnumber the {} members marked as voting on paper ({} papers are in already): mark the members whose envelopes came back first",
                t.voters, t.committed
            ),
        });
    }
    Ok(())
}

const BATCH_SELECT: &str = "SELECT id, ballot_id, label, papers, state, created_by, created_at,
        agreed_entry, spoilt, committed_at FROM paper_batches";

fn batch_from(r: &DbRow) -> Result<PaperBatchRecord, sqlx::Error> {
    Ok(PaperBatchRecord {
        id: r.id("id")?,
        ballot: r.id("ballot_id")?,
        label: r.try_get("label")?,
        papers: r.try_get("papers")?,
        state: stored(r, "state", PaperBatchState::parse)?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(MemberId),
        created_at: r.try_get("created_at")?,
        agreed_entry: r.id("agreed_entry")?,
        spoilt: r.try_get("spoilt")?,
        committed_at: r.try_get("committed_at")?,
        entries: Vec::new(),
    })
}

fn entry_from(r: &DbRow) -> Result<(i64, PaperEntryRecord), sqlx::Error> {
    Ok((
        r.try_get("batch_id")?,
        PaperEntryRecord {
            id: r.id("id")?,
            teller: MemberId(r.try_get("teller_id")?),
            papers: r.try_get("papers")?,
            entered_at: r.try_get("entered_at")?,
        },
    ))
}

async fn with_entries(
    s: &StoreImpl,
    rows: Vec<DbRow>,
    entries_sql: &str,
    key: i64,
) -> StoreResult<Vec<PaperBatchRecord>> {
    let mut batches = rows
        .iter()
        .map(batch_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    let entries = sqlx::query(sqlx::AssertSqlSafe(entries_sql.to_string()))
        .bind(key)
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
    for r in &entries {
        let (batch, e) = entry_from(r).map_err(db_err)?;
        if let Some(b) = batches.iter_mut().find(|b| b.id == PaperBatchId(batch)) {
            b.entries.push(e);
        }
    }
    Ok(batches)
}

/// Most voters on one page of the scrutineer's roll.
const MAX_AUDIT_PAGE: u32 = 500;

#[async_trait::async_trait]
impl PaperStore for StoreImpl {
    async fn mark_paper_voter(
        &self,
        id: BallotId,
        member: MemberId,
        teller: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        open_ballot(&mut tx, id).await?;
        let marked = sqlx::query(
            "UPDATE ballot_voters SET voted_at = $1
             WHERE ballot_id = $2 AND member_id = $3 AND voted_at IS NULL",
        )
        .bind(event.at)
        .bind(id.raw())
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if marked == 0 {
            let voted: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
                "SELECT voted_at FROM ballot_voters WHERE ballot_id = $1 AND member_id = $2",
            )
            .bind(id.raw())
            .bind(member.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let reversed: Option<Option<String>> = sqlx::query_scalar(
                "SELECT reversal_reason FROM ballot_paper_voters
                 WHERE ballot_id = $1 AND member_id = $2 AND reversed_at IS NOT NULL",
            )
            .bind(id.raw())
            .bind(member.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            return Err(match (voted, reversed) {
                (None, _) => StoreError::NotFound("voter on this ballot's roll"),
                (Some(_), Some(reason)) => StoreError::Conflict {
                    field: "member".into(),
                    message: format!(
                        "this member's paper mark was reversed ({}): they vote with their own link",
                        reason.unwrap_or_default()
                    ),
                },
                (Some(_), None) => StoreError::Conflict {
                    field: "member".into(),
                    message: "this member has already voted in this ballot, online or on paper"
                        .into(),
                },
            });
        }
        if mark_in(&mut tx, id.raw(), member).await?.is_some() {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "this member's paper mark was reversed: they vote with their own link"
                    .into(),
            });
        }
        sqlx::query(
            "INSERT INTO ballot_paper_voters (ballot_id, member_id, marked_by, marked_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.raw())
        .bind(member.0)
        .bind(teller.0)
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn paper_tally(&self, id: BallotId) -> StoreResult<PaperTally> {
        let mut tx = self.read_tx().await?;
        let t = tally_in(&mut tx, id.raw()).await?;
        commit(tx).await?;
        Ok(t)
    }

    async fn paper_mark(&self, id: BallotId, member: MemberId) -> StoreResult<Option<PaperMark>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        mark_in(&mut conn, id.raw(), member).await
    }

    async fn reverse_paper_mark(
        &self,
        id: BallotId,
        member: MemberId,
        by: MemberId,
        reason: &str,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        open_ballot(&mut tx, id).await?;
        let mark = mark_in(&mut tx, id.raw(), member)
            .await?
            .ok_or(StoreError::NotFound("paper mark on this member"))?;
        let refuse = |message: String| StoreError::Conflict {
            field: "member".into(),
            message,
        };
        if mark.reversed_at.is_some() {
            return Err(refuse("this paper mark has been reversed already".into()));
        }
        if mark.marked_by == by {
            return Err(refuse(
                "the teller who made a paper mark cannot reverse it: the scrutineer or another teller does"
                    .into(),
            ));
        }
        let tally = tally_in(&mut tx, id.raw()).await?;
        if tally.committed > tally.voters - 1 {
            return Err(refuse(format!(
                "{} papers are in the box for {} paper marks: with this mark reversed the papers would outnumber the marks, so its paper may be in the box already",
                tally.committed, tally.voters
            )));
        }
        sqlx::query(
            "UPDATE ballot_paper_voters SET reversed_by = $1, reversed_at = $2, reversal_reason = $3
             WHERE ballot_id = $4 AND member_id = $5",
        )
        .bind(by.0)
        .bind(event.at)
        .bind(reason)
        .bind(id.raw())
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let kept = sqlx::query(
            "SELECT set_aside_at, tracker, submission_hash, sealed FROM ballot_set_aside
             WHERE ballot_id = $1 AND member_id = $2 AND state = 'waiting'",
        )
        .bind(id.raw())
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let boxed = match kept {
            Some(r) => {
                let at: DateTime<Utc> = r.try_get("set_aside_at").map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO ballot_box (ballot_id, tracker, submission_hash, sealed)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id.raw())
                .bind(r.try_get::<String, _>("tracker").map_err(db_err)?)
                .bind(r.try_get::<String, _>("submission_hash").map_err(db_err)?)
                .bind(r.try_get::<String, _>("sealed").map_err(db_err)?)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                // In the box, it is no longer held with its member.
                sqlx::query(
                    "UPDATE ballot_set_aside SET state = 'boxed', tracker = NULL,
                         submission_hash = NULL, sealed = NULL
                     WHERE ballot_id = $1 AND member_id = $2",
                )
                .bind(id.raw())
                .bind(member.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Some(at)
            }
            None => None,
        };
        sqlx::query(
            "UPDATE ballot_voters SET voted_at = $1 WHERE ballot_id = $2 AND member_id = $3",
        )
        .bind(boxed)
        .bind(id.raw())
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(boxed.is_some())
    }

    async fn create_paper_batch(&self, b: &NewPaperBatch, event: &NewEvent) -> StoreResult<PaperBatchId> {
        let mut tx = self.write_tx().await?;
        open_ballot(&mut tx, b.ballot).await?;
        within(&tally_in(&mut tx, b.ballot.raw()).await?, b.papers)?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO paper_batches (ballot_id, label, papers, state, created_by, created_at, event_seq)
             VALUES ($1, $2, $3, 'entering', $4, $5, $6) RETURNING id",
        )
        .bind(b.ballot.raw())
        .bind(&b.label)
        .bind(b.papers)
        .bind(b.created_by.0)
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(PaperBatchId(id))
    }

    async fn paper_batches(&self, id: BallotId) -> StoreResult<Vec<PaperBatchRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{BATCH_SELECT} WHERE ballot_id = $1 ORDER BY id"
        )))
        .bind(id.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        with_entries(
            self,
            rows,
            "SELECT e.id, e.batch_id, e.teller_id, e.papers, e.entered_at FROM paper_entries e
             JOIN paper_batches b ON b.id = e.batch_id WHERE b.ballot_id = $1 ORDER BY e.id",
            id.raw(),
        )
        .await
    }

    async fn paper_batch(&self, batch: PaperBatchId) -> StoreResult<Option<PaperBatchRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{BATCH_SELECT} WHERE id = $1")))
            .bind(batch.raw())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(with_entries(
            self,
            rows,
            "SELECT id, batch_id, teller_id, papers, entered_at FROM paper_entries
             WHERE batch_id = $1 ORDER BY id",
            batch.raw(),
        )
        .await?
        .pop())
    }

    async fn enter_paper_batch(
        &self,
        batch: PaperBatchId,
        entry: &NewPaperEntry,
        seen: usize,
        commit_with: Option<&PaperCommit>,
        event: &NewEvent,
    ) -> StoreResult<PaperEntryId> {
        let mut tx = self.write_tx().await?;
        let ballot: i64 = sqlx::query_scalar("SELECT ballot_id FROM paper_batches WHERE id = $1")
            .bind(batch.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("batch"))?;
        open_ballot(&mut tx, BallotId(ballot)).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT state, papers FROM paper_batches WHERE id = $1{UPDATE_LOCK}"
        )))
        .bind(batch.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let state: String = row.try_get("state").map_err(db_err)?;
        let papers: i64 = row.try_get("papers").map_err(db_err)?;
        if state != "entering" {
            return Err(StoreError::Stale("the batch is already in the box".into()));
        }
        let entries: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM paper_entries WHERE batch_id = $1")
                .bind(batch.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if usize::try_from(entries).ok() != Some(seen) {
            return Err(StoreError::Stale(
                "another teller entered this batch meanwhile".into(),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO paper_entries (batch_id, teller_id, papers, entered_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(batch.raw())
        .bind(entry.teller.0)
        .bind(&entry.papers)
        .bind(event.at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        if let Some(c) = commit_with {
            if i64::try_from(c.ballots.len()).ok().map(|n| n + c.spoilt) != Some(papers) {
                return Err(StoreError::Database(
                    "a batch's ballots and spoilt papers must add up to its papers".into(),
                ));
            }
            within(&tally_in(&mut tx, ballot).await?, papers)?;
            for chunk in c.ballots.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO ballot_box (ballot_id, tracker, submission_hash, sealed) ",
                );
                qb.push_values(chunk, |mut b, x| {
                    b.push_bind(ballot)
                        .push_bind(x.tracker.clone())
                        .push_bind(x.submission_hash.clone())
                        .push_bind(x.sealed.clone());
                });
                qb.build().execute(&mut *tx).await.map_err(db_err)?;
            }
            sqlx::query(
                "UPDATE paper_batches SET state = 'committed', agreed_entry = $1, spoilt = $2,
                     committed_at = $3 WHERE id = $4",
            )
            .bind(id)
            .bind(c.spoilt)
            .bind(c.event.at)
            .bind(batch.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            append_event(&mut tx, &c.event).await?;
        }
        commit(tx).await?;
        Ok(PaperEntryId(id))
    }

    async fn ballot_roll_audit(
        &self,
        id: BallotId,
        page: u32,
        per_page: u32,
        access: &AccessContext,
    ) -> StoreResult<BallotRollAudit> {
        let per_page = per_page.clamp(1, MAX_AUDIT_PAGE);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        let mut tx = self.write_tx().await?;
        let roll: i64 = sqlx::query_scalar("SELECT roll_id FROM ballots WHERE id = $1")
            .bind(id.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("ballot"))?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ballot_voters WHERE ballot_id = $1")
                .bind(id.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        // Who took part and how: the voters' rows and the paper marks, never the box.
        let rows = sqlx::query(
            "SELECT v.member_id, v.branch_id, v.voted_at, m.first_name, m.last_name,
                    (p.member_id IS NOT NULL AND p.reversed_at IS NULL) AS on_paper,
                    EXISTS (SELECT 1 FROM ballot_set_aside x WHERE x.ballot_id = v.ballot_id
                            AND x.member_id = v.member_id AND x.state = 'waiting') AS kept_aside
             FROM ballot_voters v
             JOIN members m ON m.id = v.member_id
             LEFT JOIN ballot_paper_voters p ON p.ballot_id = v.ballot_id AND p.member_id = v.member_id
             WHERE v.ballot_id = $1 ORDER BY v.member_id LIMIT $2 OFFSET $3",
        )
        .bind(id.raw())
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(BallotRollLine {
                    member: MemberId(r.try_get("member_id")?),
                    branch: UnitId(r.try_get("branch_id")?),
                    voted_at: r.try_get("voted_at")?,
                    first_name: r.try_get("first_name")?,
                    last_name: r.try_get("last_name")?,
                    on_paper: r.try_get("on_paper")?,
                    kept_aside: r.try_get("kept_aside")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(db_err)?;
        let rows = sqlx::query(
            "SELECT c.id, c.roll_id, c.member_id, c.branch_id, c.grounds, c.lodged_at, c.lodged_by,
                    c.state, c.decision_reason, c.decided_at, c.decided_by, c.decided_event_seq,
                    m.first_name, m.last_name
             FROM roll_challenges c JOIN members m ON m.id = c.member_id
             WHERE c.roll_id = $1 ORDER BY c.id",
        )
        .bind(roll)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let challenges = rows
            .iter()
            .map(|r| {
                Ok(NamedChallenge {
                    challenge: ChallengeRecord {
                        id: r.id("id")?,
                        roll: r.id("roll_id")?,
                        member: MemberId(r.try_get("member_id")?),
                        branch: UnitId(r.try_get("branch_id")?),
                        grounds: r.try_get("grounds")?,
                        lodged_at: r.try_get("lodged_at")?,
                        lodged_by: r.try_get::<Option<i64>, _>("lodged_by")?.map(MemberId),
                        state: stored(r, "state", ChallengeState::parse)?,
                        decision_reason: r.try_get("decision_reason")?,
                        decided_at: r.try_get("decided_at")?,
                        decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(MemberId),
                        decided_seq: r.try_get("decided_event_seq")?,
                    },
                    first_name: r.try_get("first_name")?,
                    last_name: r.try_get("last_name")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(db_err)?;
        let mut read: Vec<i64> = items
            .iter()
            .map(|l| l.member.0)
            .chain(challenges.iter().map(|c| c.challenge.member.0))
            .collect();
        read.sort_unstable();
        read.dedup();
        log_access(&mut tx, &read, access).await?;
        commit(tx).await?;
        Ok(BallotRollAudit {
            voters: Page {
                items,
                total: u64::try_from(total).unwrap_or(0),
                total_capped: false,
            },
            challenges,
        })
    }

    async fn ballot_trail(&self, id: BallotId) -> StoreResult<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_member, actor_office, kind, subject, payload, reason
             FROM governance_events WHERE seq = (SELECT event_seq FROM ballots WHERE id = $1)
             UNION ALL
             SELECT seq, at, actor_member, actor_office, kind, subject, payload, reason
             FROM governance_events
             WHERE subject = $2 AND kind NOT IN ('ballot.voted', 'ballot.paper_voted')
             ORDER BY seq",
        )
        .bind(id.raw())
        .bind(format!("ballot:{id}"))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(EventRecord {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor_member: r.try_get::<Option<i64>, _>("actor_member")?.map(MemberId),
                    actor_office: r.try_get("actor_office")?,
                    kind: r.try_get("kind")?,
                    subject: r.try_get("subject")?,
                    payload: r.try_get("payload")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_err)
    }

    async fn ballot_box_size(&self, id: BallotId) -> StoreResult<BoxSize> {
        let mut tx = self.read_tx().await?;
        // One snapshot for every count below, so ballots arriving meanwhile cannot make the box
        // and the marks disagree.
        if !SNAPSHOT.is_empty() {
            sqlx::query(sqlx::AssertSqlSafe(SNAPSHOT))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        // Only how many: no tracker, no sealed choice.
        let rows = sqlx::query(
            "SELECT superseded, COUNT(*) AS n FROM ballot_box WHERE ballot_id = $1 GROUP BY superseded",
        )
        .bind(id.raw())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut size = BoxSize::default();
        for r in &rows {
            let n: i64 = r.try_get("n").map_err(db_err)?;
            if r.try_get::<bool, _>("superseded").map_err(db_err)? {
                size.superseded = n;
            } else {
                size.counting = n;
            }
        }
        size.voted =
            sqlx::query_scalar("SELECT COUNT(voted_at) FROM ballot_voters WHERE ballot_id = $1")
                .bind(id.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        size.paper = tally_in(&mut tx, id.raw()).await?;
        commit(tx).await?;
        Ok(size)
    }
}
