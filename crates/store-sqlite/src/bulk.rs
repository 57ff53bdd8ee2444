//! Bulk inserts in SQLite's fastest portable form: multi-row VALUES in chunks that stay under
//! its limit on bound values.

use charter_store::{NewRollEntry, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::db_err;

/// Rows per INSERT: 6 values a row must stay under SQLite's 32,766 bound values.
const ENTRY_CHUNK: usize = 5_000;
const _: () = assert!(ENTRY_CHUNK * 6 <= 32_766);

pub(crate) async fn insert_roll_entries(
    conn: &mut SqliteConnection,
    roll: i64,
    entries: &[NewRollEntry],
) -> StoreResult<()> {
    for chunk in entries.chunks(ENTRY_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO roll_entries (roll_id, member_id, branch_id, frozen_eligible, eligible, reason_idx) ",
        );
        qb.push_values(chunk, |mut b, e| {
            b.push_bind(roll)
                .push_bind(e.member.0)
                .push_bind(e.branch.0)
                .push_bind(e.eligible)
                .push_bind(e.eligible)
                .push_bind(e.reason.map(i64::from));
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}
