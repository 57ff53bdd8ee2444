//! What an import does differently in SQLite: numbering new members, keeping the directory's
//! search index, and multi-row INSERTs within SQLite's limit on bound values. Used by the
//! shared import SQL (`charter-store/sql/import.rs`).

use charter_domain::{MemberId, Payment, UnitId};
use charter_store::text::{search_text, sort_key};
use charter_store::{ImportMember, StatusChangeInput, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::db_err;

/// SQLite binds at most 32,766 values in one statement.
pub(crate) const MAX_BINDS: usize = 32_000;

/// Below this many new members the search index is kept row by row, as always.
const BULK_SEARCH_INDEX: usize = 1_000;

/// The first member number free for members without one: above every member and
/// `at_least`. The writer's lock is held, so nobody else adds a member meanwhile.
pub(crate) async fn first_free_member_id(
    conn: &mut SqliteConnection,
    at_least: i64,
) -> StoreResult<i64> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM members")
        .fetch_one(conn)
        .await
        .map_err(db_err)?;
    Ok(at_least.max(max.unwrap_or(0) + 1))
}

/// Nothing to move on: SQLite numbers a new row after the largest id in the table.
pub(crate) async fn member_ids_used(_conn: &mut SqliteConnection, _up_to: i64) -> StoreResult<()> {
    Ok(())
}

/// The directory's search index (FTS5) is kept by a trigger, row by row; for many new
/// members, indexing them in one statement once they are written is several times faster.
/// The trigger is dropped for the import's transaction only (a rollback puts it back) and
/// re-created from its own text in the schema, so it comes back exactly as the migrations
/// made it. Returns that text when it was dropped.
pub(crate) async fn pause_search_index(
    conn: &mut SqliteConnection,
    members: usize,
) -> StoreResult<Option<String>> {
    if members < BULK_SEARCH_INDEX {
        return Ok(None);
    }
    let sql: Option<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'members_search_insert'",
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    if sql.is_some() {
        sqlx::query("DROP TRIGGER members_search_insert")
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(sql)
}

/// Indexes the new members in one statement, and puts the trigger back.
pub(crate) async fn resume_search_index(
    conn: &mut SqliteConnection,
    paused: Option<String>,
    ids: &[MemberId],
) -> StoreResult<()> {
    let Some(trigger) = paused else {
        return Ok(());
    };
    for chunk in ids.chunks(MAX_BINDS) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO member_search (rowid, search_text)
             SELECT id, search_text FROM members WHERE id IN (",
        );
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(id.0);
        }
        qb.push(")");
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    // The schema's own text for the trigger, as the migration wrote it: no input in it.
    sqlx::raw_sql(sqlx::AssertSqlSafe(trigger))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// SQLite checks a foreign key with one index lookup: nothing to gain by checking later.
pub(crate) async fn pause_foreign_keys(
    _conn: &mut SqliteConnection,
    _table: &'static str,
    _rows: usize,
) -> StoreResult<Vec<String>> {
    Ok(Vec::new())
}

pub(crate) async fn restore_foreign_keys(
    _conn: &mut SqliteConnection,
    _adds: Vec<String>,
) -> StoreResult<()> {
    Ok(())
}

/// Inserts rows with as many a statement as the bound-value limit allows; `shared` (the
/// same for every row) is bound once a statement, each row's own `per_row` values come from
/// a `VALUES` list. Each full statement has the same text, so it is prepared once.
pub(crate) async fn insert_values<T>(
    conn: &mut SqliteConnection,
    head: &'static str,
    shared: Option<DateTime<Utc>>,
    per_row: usize,
    rows: &[T],
    mut push: impl FnMut(&mut Separated<'_, Sqlite, &'static str>, &T),
) -> StoreResult<()> {
    for chunk in rows.chunks((MAX_BINDS / per_row).max(1)) {
        let mut qb = QueryBuilder::<Sqlite>::new(head);
        match shared {
            Some(at) => {
                qb.push_bind(at);
                qb.push(" FROM (");
                qb.push_values(chunk, |mut b, row| push(&mut b, row));
                qb.push(") AS v");
            }
            None => {
                qb.push_values(chunk, |mut b, row| push(&mut b, row));
            }
        }
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn insert_member_rows(
    conn: &mut SqliteConnection,
    rows: &[(MemberId, UnitId, &ImportMember)],
) -> StoreResult<()> {
    insert_values(
        conn,
        "INSERT INTO members (id, first_name, last_name, email, phone, postcode, branch_id, status,
                              joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key) ",
        None,
        14,
        rows,
        |b, (id, branch, im)| {
            let m = &im.member;
            b.push_bind(id.0)
                .push_bind(m.first_name.as_str().to_owned())
                .push_bind(m.last_name.as_str().to_owned())
                .push_bind(m.email.as_str().to_owned())
                .push_bind(m.phone.as_ref().map(|p| p.as_str().to_owned()))
                .push_bind(m.postcode.as_str().to_owned())
                .push_bind(branch.0)
                .push_bind(m.status.as_str())
                .push_bind(m.joined_on)
                .push_bind(m.dues_plan.as_str())
                .push_bind(charter_domain::paid_up_until(&im.payments))
                .push_bind(None::<String>)
                .push_bind(search_text(
                    m.first_name.as_str(),
                    m.last_name.as_str(),
                    m.email.as_str(),
                    m.postcode.as_str(),
                ))
                .push_bind(sort_key(m.first_name.as_str(), m.last_name.as_str()));
        },
    )
    .await
}

pub(crate) async fn insert_status_rows(
    conn: &mut SqliteConnection,
    rows: &[(MemberId, &StatusChangeInput)],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    insert_values(
        conn,
        "INSERT INTO status_changes (member_id, from_status, to_status, effective_on, reason, changed_by, recorded_at)
         SELECT column1, column2, column3, column4, column5, column6, ",
        Some(at),
        6,
        rows,
        |b, (id, h)| {
            b.push_bind(id.0)
                .push_bind(h.from.map(|s| s.as_str()))
                .push_bind(h.to.as_str())
                .push_bind(h.effective_on)
                .push_bind(h.reason.clone())
                .push_bind(h.changed_by.map(|m| m.0));
        },
    )
    .await
}

/// Payments an import brings were recorded by no member of this register.
pub(crate) async fn insert_payment_rows(
    conn: &mut SqliteConnection,
    rows: &[(MemberId, &Payment)],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    insert_values(
        conn,
        "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_by, recorded_at)
         SELECT column1, column2, column3, column4, NULL, ",
        Some(at),
        4,
        rows,
        |b, (id, p)| {
            b.push_bind(id.0)
                .push_bind(p.paid_on)
                .push_bind(p.amount.pence())
                .push_bind(i64::from(p.months));
        },
    )
    .await
}
