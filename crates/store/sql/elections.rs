// Elections, nominations and the seating of winners, written once for both SQL dialects: each
// store crate includes this file in a module that first defines `Db`, `UPDATE_LOCK` and
// `StoreImpl`, and imports `append_event`, `commit` and `db_err`.
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::NominationState;

use charter_domain::{BodyId, MemberId};
use charter_store::*;
use charter_model::{BallotId, ElectionId, NominationId};
use chrono::Days;
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;

const ELECTION_SELECT: &str =
    "SELECT id, body, body_id, title, seats, term_days, roll_id, nominators,
        clause, nominations_close_at, withdrawals_close_at, opens_at, closes_at, ballot_id,
        seated_at, created_at
     FROM elections";

fn election_from(r: &DbRow) -> Result<ElectionRecord, sqlx::Error> {
    Ok(ElectionRecord {
        id: r.id("id")?,
        body: r.try_get("body")?,
        body_id: BodyId(r.try_get("body_id")?),
        title: r.try_get("title")?,
        seats: u32::try_from(r.try_get::<i32, _>("seats")?).unwrap_or(1),
        term_days: r
            .try_get::<Option<i32>, _>("term_days")?
            .and_then(|d| u32::try_from(d).ok()),
        roll: r.id("roll_id")?,
        nominators: u32::try_from(r.try_get::<i32, _>("nominators")?).unwrap_or(1),
        clause: r.try_get("clause")?,
        nominations_close_at: r.try_get("nominations_close_at")?,
        withdrawals_close_at: r.try_get("withdrawals_close_at")?,
        opens_at: r.try_get("opens_at")?,
        closes_at: r.try_get("closes_at")?,
        ballot: r.id("ballot_id")?,
        seated_at: r.try_get("seated_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const NOMINATION_SELECT: &str = "SELECT n.id, n.election_id, n.candidate_id, n.name, n.statement,
        n.state, n.created_at,
        (SELECT COUNT(*) FROM nominators x WHERE x.nomination_id = n.id) AS nominators
     FROM nominations n";

fn nomination_from(r: &DbRow) -> Result<NominationRecord, sqlx::Error> {
    Ok(NominationRecord {
        id: r.id("id")?,
        election: r.id("election_id")?,
        candidate: MemberId(r.try_get("candidate_id")?),
        name: r.try_get("name")?,
        statement: r.try_get("statement")?,
        state: stored(r, "state", NominationState::parse)?,
        nominators: r.try_get("nominators")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Letters queued per statement: eight parameters each, well under either database's limit.
const LETTERS_PER_INSERT: usize = 1000;

async fn nomination_in(
    tx: &mut <Db as sqlx::Database>::Connection,
    id: i64,
) -> StoreResult<NominationRecord> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{NOMINATION_SELECT} WHERE n.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .as_ref()
    .map(nomination_from)
    .transpose()
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("nomination"))
}

#[async_trait::async_trait]
impl ElectionStore for StoreImpl {
    async fn create_election(
        &self,
        e: &NewElection,
        notice: &NoticeText,
        recipients: &[Recipient],
        event: &NewEvent,
    ) -> StoreResult<ElectionId> {
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO elections (body, body_id, title, seats, term_days, roll_id, nominators, clause,
                 nominations_close_at, withdrawals_close_at, opens_at, closes_at, created_by,
                 created_at, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(&e.body)
        .bind(e.body_id.0)
        .bind(&e.title)
        .bind(i32::try_from(e.seats).unwrap_or(i32::MAX))
        .bind(e.term_days.map(|d| i32::try_from(d).unwrap_or(i32::MAX)))
        .bind(e.roll.raw())
        .bind(i32::try_from(e.nominators).unwrap_or(i32::MAX))
        .bind(e.clause.as_deref())
        .bind(e.nominations_close_at)
        .bind(e.withdrawals_close_at)
        .bind(e.opens_at)
        .bind(e.closes_at)
        .bind(e.created_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        for chunk in recipients.chunks(LETTERS_PER_INSERT) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO outbox (member_id, address, subject, body, state, next_attempt_at, created_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.member.0)
                    .push_bind(r.address.clone())
                    .push_bind(notice.subject.clone())
                    .push_bind(notice.body.clone())
                    .push_bind("queued")
                    .push_bind(event.at)
                    .push_bind(event.at);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(ElectionId(id))
    }

    async fn elections(&self) -> StoreResult<Vec<ElectionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ELECTION_SELECT} ORDER BY id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(election_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn election(&self, id: ElectionId) -> StoreResult<Option<ElectionRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ELECTION_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(election_from)
        .transpose()
        .map_err(db_err)
    }

    async fn nominate(
        &self,
        election: ElectionId,
        candidate: MemberId,
        name: &str,
        nominator: MemberId,
        needed: u32,
        event: &NewEvent,
    ) -> StoreResult<NominationRecord> {
        let mut tx = self.write_tx().await?;
        let found: Option<(i64, String)> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, state FROM nominations WHERE election_id = $1 AND candidate_id = $2{UPDATE_LOCK}"
        )))
        .bind(election.raw())
        .bind(candidate.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("id")?, r.try_get("state")?)))
        .transpose()
        .map_err(db_err)?;
        let id = match found {
            Some((_, state)) if state == "withdrawn" => {
                return Err(StoreError::Stale(
                    "this candidate has withdrawn from the election".into(),
                ));
            }
            Some((id, _)) => id,
            None => sqlx::query_scalar::<_, i64>(
                "INSERT INTO nominations (election_id, candidate_id, name, state, created_at)
                 VALUES ($1, $2, $3, 'seeking', $4) RETURNING id",
            )
            .bind(election.raw())
            .bind(candidate.0)
            .bind(name)
            .bind(event.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?,
        };
        let added = sqlx::query(
            "INSERT INTO nominators (nomination_id, member_id, nominated_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(nominator.0)
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if added.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                field: "candidate".into(),
                message: "you have already nominated this candidate".into(),
            });
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE nominations SET state = 'valid' WHERE id = $1 AND state = 'seeking'
             AND (SELECT COUNT(*) FROM nominators WHERE nomination_id = $1) >= $2",
        )
        .bind(id)
        .bind(i64::from(needed))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let record = nomination_in(&mut tx, id).await?;
        commit(tx).await?;
        Ok(record)
    }

    async fn nominations(&self, election: ElectionId) -> StoreResult<Vec<NominationRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{NOMINATION_SELECT} WHERE n.election_id = $1 ORDER BY n.id"
        )))
        .bind(election.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(nomination_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn set_statement(
        &self,
        nomination: NominationId,
        text: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        append_event(&mut tx, event).await?;
        let done = sqlx::query(
            "UPDATE nominations SET statement = $1 WHERE id = $2 AND state <> 'withdrawn'",
        )
        .bind(text)
        .bind(nomination.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(
                "no such standing nomination: withdrawn candidates keep no statement".into(),
            ));
        }
        commit(tx).await
    }

    async fn withdraw_nomination(&self, nomination: NominationId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        append_event(&mut tx, event).await?;
        let done = sqlx::query(
            "UPDATE nominations SET state = 'withdrawn', withdrawn_at = $1
             WHERE id = $2 AND state <> 'withdrawn'",
        )
        .bind(event.at)
        .bind(nomination.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(
                "this nomination was already withdrawn".into(),
            ));
        }
        commit(tx).await
    }

    async fn attach_election_ballot(
        &self,
        election: ElectionId,
        ballot: BallotId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        append_event(&mut tx, event).await?;
        let done =
            sqlx::query("UPDATE elections SET ballot_id = $1 WHERE id = $2 AND ballot_id IS NULL")
                .bind(ballot.raw())
                .bind(election.raw())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(
                "the election's ballot is already built".into(),
            ));
        }
        commit(tx).await
    }

    async fn seat_winners(
        &self,
        election: ElectionId,
        winners: &[MemberId],
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let body: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT body_id FROM elections WHERE id = $1 AND seated_at IS NULL{UPDATE_LOCK}"
        )))
        .bind(election.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or_else(|| StoreError::Stale("the winners already hold their seats".into()))?;
        append_event(&mut tx, event).await?;
        let day_before = term
            .starts_on
            .checked_sub_days(Days::new(1))
            .unwrap_or(term.starts_on);
        sqlx::query(
            "UPDATE seats SET ends_on = $1
             WHERE body_id = $2 AND starts_on < $3 AND (ends_on IS NULL OR ends_on >= $3)",
        )
        .bind(day_before)
        .bind(body)
        .bind(term.starts_on)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for w in winners {
            sqlx::query(
                "INSERT INTO seats (body_id, member_id, starts_on, ends_on, how) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(body)
            .bind(w.0)
            .bind(term.starts_on)
            .bind(term.ends_on)
            .bind(how)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query("UPDATE elections SET seated_at = $1 WHERE id = $2")
            .bind(event.at)
            .bind(election.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await
    }
}
