//! Bulk inserts as one statement over arrays (`UNNEST`): PostgreSQL plans it once and reads
//! each column as a single binary array, far faster than many-row VALUES lists.

use charter_store::{NewRollEntry, StoreResult};
use sqlx::PgConnection;

use crate::db_err;

pub(crate) async fn insert_roll_entries(
    conn: &mut PgConnection,
    roll: i64,
    entries: &[NewRollEntry],
) -> StoreResult<()> {
    let members: Vec<i64> = entries.iter().map(|e| e.member.0).collect();
    let branches: Vec<i64> = entries.iter().map(|e| e.branch.0).collect();
    let eligible: Vec<bool> = entries.iter().map(|e| e.eligible).collect();
    let reasons: Vec<Option<i64>> = entries.iter().map(|e| e.reason.map(i64::from)).collect();
    sqlx::query(
        "INSERT INTO roll_entries (roll_id, member_id, branch_id, frozen_eligible, eligible, reason_idx)
         SELECT $1, m, b, e, e, r
         FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BOOLEAN[], $5::BIGINT[]) AS t(m, b, e, r)",
    )
    .bind(roll)
    .bind(&members)
    .bind(&branches)
    .bind(&eligible)
    .bind(&reasons)
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}
