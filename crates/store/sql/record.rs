// The governance record and the log of reads of personal data, written once for both SQL
// dialects: each store crate includes this file in a module that first defines `Db` and
// `StoreImpl`, and imports `commit` and `db_err`.
use charter_domain::MemberId;
use charter_store::*;

use crate::rows::*;

#[async_trait::async_trait]
impl RecordStore for StoreImpl {
    async fn events(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
        let rows = sqlx::query_as::<_, EventRow>(
            "SELECT seq, at, actor_member, actor_office, kind, subject, payload, reason
             FROM governance_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(EventRow::into_record).collect())
    }

    async fn access_log(
        &self,
        subject: MemberId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<AccessEntry>> {
        let per_page = per_page.clamp(1, 1000);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        let mut tx = self.read_tx().await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE subject_id = $1")
                .bind(subject.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let rows = sqlx::query_as::<_, AccessRow>(
            "SELECT a.at, a.reader_id,
                    CASE WHEN r.id IS NULL THEN NULL ELSE r.first_name || ' ' || r.last_name END AS reader_name,
                    a.office, a.purpose
             FROM access_log a LEFT JOIN members r ON r.id = a.reader_id
             WHERE a.subject_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(subject.0)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(Page {
            items: rows.into_iter().map(AccessRow::into_record).collect(),
            total: charter_store::text::decode_u64("count", total)?,
            total_capped: false,
        })
    }
}
