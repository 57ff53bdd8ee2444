// Requisitions, written once for both SQL dialects: members sign them, branches' published
// motions count towards them, and once reached the officers must call the meeting. Each store
// crate includes this file in a module that first defines `Db`, `UPDATE_LOCK` (its row-lock
// clause) and `StoreImpl`, and imports `append_event`, `commit`, `db_err` and `queue_letters`.

use crate::rows::{IdColumn, RawId};
use charter_domain::MemberId;
use charter_store::*;
use charter_model::{MeetingId, RequisitionId};
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;

fn all<T>(rows: &[DbRow], f: impl Fn(&DbRow) -> Result<T, sqlx::Error>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect::<Result<_, _>>().map_err(db_err)
}

const REQUISITION_SELECT: &str =
    "SELECT r.id, r.kind, r.title, r.purpose, r.matter, r.opened_by, r.opened_at,
        r.reached_at, r.reached_clause, r.call_by, r.meeting_id, r.reminded_at,
        (SELECT COUNT(*) FROM requisition_signatures s WHERE s.requisition_id = r.id) AS signatures
     FROM requisitions r";

fn requisition_from(r: &DbRow) -> Result<RequisitionRecord, sqlx::Error> {
    Ok(RequisitionRecord {
        id: r.id("id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        purpose: r.try_get("purpose")?,
        matter: r.try_get("matter")?,
        opened_by: r.try_get::<Option<i64>, _>("opened_by")?.map(MemberId),
        opened_at: r.try_get("opened_at")?,
        reached_at: r.try_get("reached_at")?,
        reached_clause: r.try_get("reached_clause")?,
        call_by: r.try_get("call_by")?,
        meeting: r.id("meeting_id")?,
        signatures: r.try_get("signatures")?,
        reminded_at: r.try_get("reminded_at")?,
    })
}

#[async_trait::async_trait]
impl RequisitionStore for StoreImpl {
    async fn open_requisition(&self, r: &NewRequisition, event: &NewEvent) -> StoreResult<RequisitionId> {
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO requisitions (kind, title, purpose, matter, opened_by, opened_at, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&r.kind)
        .bind(&r.title)
        .bind(&r.purpose)
        .bind(r.matter.as_deref())
        .bind(r.opened_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(m) = r.opened_by {
            sqlx::query(
                "INSERT INTO requisition_signatures (requisition_id, member_id, signed_at) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(m.0)
            .bind(event.at)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(RequisitionId(id))
    }

    async fn requisitions(&self) -> StoreResult<Vec<RequisitionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REQUISITION_SELECT} ORDER BY r.id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, requisition_from)
    }

    async fn requisition(&self, id: RequisitionId) -> StoreResult<Option<RequisitionRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REQUISITION_SELECT} WHERE r.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref()
            .map(requisition_from)
            .transpose()
            .map_err(db_err)
    }

    async fn has_signed(&self, id: RequisitionId, member: MemberId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT member_id FROM requisition_signatures WHERE requisition_id = $1 AND member_id = $2",
        )
        .bind(id.raw())
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(found.is_some())
    }

    async fn sign_requisition(
        &self,
        id: RequisitionId,
        member: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let answered: Option<Option<i64>> =
            sqlx::query_scalar("SELECT meeting_id FROM requisitions WHERE id = $1")
                .bind(id.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        match answered {
            None => return Err(StoreError::NotFound("requisition")),
            Some(Some(_)) => {
                return Err(StoreError::Stale(
                    "the meeting this requisition asked for has been called".into(),
                ));
            }
            Some(None) => {}
        }
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT member_id FROM requisition_signatures WHERE requisition_id = $1 AND member_id = $2",
        )
        .bind(id.raw())
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if already.is_some() {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "you have already signed this requisition".into(),
            });
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO requisition_signatures (requisition_id, member_id, signed_at) VALUES ($1, $2, $3)",
        )
        .bind(id.raw())
        .bind(member.0)
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    async fn requisition_reached(
        &self,
        id: RequisitionId,
        clause: &str,
        call_by: chrono::NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let open: Option<i64> =
            sqlx::query_scalar("SELECT id FROM requisitions WHERE id = $1 AND reached_at IS NULL")
                .bind(id.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if open.is_none() {
            return Ok(false);
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE requisitions SET reached_at = $1, reached_clause = $2, call_by = $3
             WHERE id = $4 AND reached_at IS NULL",
        )
        .bind(event.at)
        .bind(clause)
        .bind(call_by)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(true)
    }

    async fn answer_requisition(&self, id: RequisitionId, meeting: MeetingId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT reached_at, meeting_id FROM requisitions WHERE id = $1")
            .bind(id.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound("requisition"))?;
        let reached: Option<DateTime<Utc>> = row.try_get("reached_at").map_err(db_err)?;
        let answered: Option<i64> = row.try_get("meeting_id").map_err(db_err)?;
        if reached.is_none() {
            return Err(StoreError::Stale(
                "this requisition has not reached its threshold".into(),
            ));
        }
        if answered.is_some() {
            return Err(StoreError::Stale(
                "a meeting has already been called for this requisition".into(),
            ));
        }
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE requisitions SET meeting_id = $1 WHERE id = $2")
            .bind(meeting.raw())
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }

    async fn remind_requisition(
        &self,
        id: RequisitionId,
        last: Option<DateTime<Utc>>,
        letters: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT reached_at, meeting_id, reminded_at FROM requisitions WHERE id = $1{UPDATE_LOCK}"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("requisition"))?;
        let reached: Option<DateTime<Utc>> = row.try_get("reached_at").map_err(db_err)?;
        let answered: Option<i64> = row.try_get("meeting_id").map_err(db_err)?;
        let reminded: Option<DateTime<Utc>> = row.try_get("reminded_at").map_err(db_err)?;
        // Another reminder was written since the caller read it, or there is nothing to remind of.
        if reached.is_none() || answered.is_some() || reminded != last {
            return Ok(false);
        }
        append_event(&mut tx, event).await?;
        queue_letters(&mut tx, letters, event.at).await?;
        sqlx::query("UPDATE requisitions SET reminded_at = $1 WHERE id = $2")
            .bind(event.at)
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(true)
    }
}
