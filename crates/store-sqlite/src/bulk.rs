//! Bulk inserts for SQLite: the rows go in as one JSON array per chunk, unpacked by
//! `json_each` inside SQLite, instead of millions of individually bound values.

use charter_store::{NewRollEntry, StoreResult};
use sqlx::SqliteConnection;

use crate::db_err;

/// Rows per statement: bounds the JSON text held at once (about 30 bytes a row).
const ENTRY_CHUNK: usize = 100_000;

pub(crate) async fn insert_roll_entries(
    conn: &mut SqliteConnection,
    roll: i64,
    entries: &[NewRollEntry],
) -> StoreResult<()> {
    use std::fmt::Write as _;
    for chunk in entries.chunks(ENTRY_CHUNK) {
        let mut json = String::with_capacity(chunk.len() * 30 + 2);
        json.push('[');
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            let reason = e
                .reason
                .map_or_else(|| "null".to_string(), |r| r.to_string());
            let _ = write!(
                json,
                "[{},{},{},{reason}]",
                e.member.0,
                e.branch.0,
                u8::from(e.eligible)
            );
        }
        json.push(']');
        sqlx::query(
            "INSERT INTO roll_entries (roll_id, member_id, branch_id, frozen_eligible, eligible, reason_idx)
             SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 2, j.value ->> 3
             FROM json_each($2) AS j",
        )
        .bind(roll)
        .bind(json)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
