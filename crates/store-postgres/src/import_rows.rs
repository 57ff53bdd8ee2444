//! What an import does differently in PostgreSQL: numbering new members past the sequence,
//! and bulk INSERTs as one `INSERT … SELECT FROM UNNEST(arrays)` a chunk — a handful of
//! parameters a statement however many rows, where a `VALUES` list of thousands of rows
//! would be parsed and planned afresh each time. Used by the shared import SQL
//! (`charter-store/sql/import.rs`).

use charter_domain::{MemberId, Payment, UnitId};
use charter_store::text::{search_text, sort_key};
use charter_store::{ImportMember, StatusChangeInput, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::db_err;

/// PostgreSQL binds at most 65,535 values in one statement.
pub(crate) const MAX_BINDS: usize = 65_000;

/// Rows a statement: big enough to amortise the round trip, small enough to keep memory flat.
pub(crate) const CHUNK: usize = 20_000;

/// The first member number free for members without one: above every member, every number
/// the sequence handed out, and `at_least`. New members are numbered under a lock on the
/// table (reads go on), so nobody adds a member until the import commits.
pub(crate) async fn first_free_member_id(
    conn: &mut PgConnection,
    at_least: i64,
) -> StoreResult<i64> {
    sqlx::query("LOCK TABLE members IN EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    sqlx::query_scalar(
        "SELECT GREATEST(nextval(pg_get_serial_sequence('members', 'id')),
                         COALESCE((SELECT MAX(id) FROM members), 0) + 1, $1)",
    )
    .bind(at_least)
    .fetch_one(conn)
    .await
    .map_err(db_err)
}

/// Moves the member numbers' sequence past the numbers the import used (kept numbers are
/// written as given, so the sequence has not seen them).
pub(crate) async fn member_ids_used(conn: &mut PgConnection, up_to: i64) -> StoreResult<()> {
    sqlx::query("SELECT setval(pg_get_serial_sequence('members', 'id'), $1)")
        .bind(up_to)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// PostgreSQL keeps the search index (GIN, trigram) itself.
pub(crate) async fn pause_search_index(
    _conn: &mut PgConnection,
    _members: usize,
) -> StoreResult<Option<String>> {
    Ok(None)
}

pub(crate) async fn resume_search_index(
    _conn: &mut PgConnection,
    _paused: Option<String>,
    _ids: &[MemberId],
) -> StoreResult<()> {
    Ok(())
}

/// Above this many rows a table's foreign keys are checked once, after the rows are in,
/// rather than row by row: PostgreSQL checks each row with a query and a row lock, which for
/// a register's payments is most of the import's time.
const BULK_CHECKS: usize = 10_000;

/// Drops `table`'s foreign keys for the import's transaction (a rollback puts them back) and
/// returns the statements that add them again, made from the catalogue's own definitions so
/// they come back exactly as the migrations made them. Dropping them locks the table from
/// readers until the import commits; only a large import does it.
pub(crate) async fn pause_foreign_keys(
    conn: &mut PgConnection,
    table: &'static str,
    rows: usize,
) -> StoreResult<Vec<String>> {
    if rows < BULK_CHECKS {
        return Ok(Vec::new());
    }
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', $1::TEXT, conname),
                format('ALTER TABLE %I ADD CONSTRAINT %I %s', $1::TEXT, conname,
                       pg_get_constraintdef(oid))
         FROM pg_constraint
         WHERE conrelid = $1::TEXT::regclass AND contype = 'f'
         ORDER BY conname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for (drop, _) in &keys {
        // Built by the catalogue from our own table's constraint names: no input in it.
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop.clone()))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(keys.into_iter().map(|(_, add)| add).collect())
}

/// Adds the foreign keys again, which checks every row of the table in one pass: a row
/// naming nothing fails the import, whole.
pub(crate) async fn restore_foreign_keys(
    conn: &mut PgConnection,
    adds: Vec<String>,
) -> StoreResult<()> {
    for add in adds {
        sqlx::raw_sql(sqlx::AssertSqlSafe(add))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn insert_member_rows(
    conn: &mut PgConnection,
    rows: &[(MemberId, UnitId, &ImportMember)],
) -> StoreResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let n = chunk.len();
        let mut id = Vec::with_capacity(n);
        let mut first = Vec::with_capacity(n);
        let mut last = Vec::with_capacity(n);
        let mut email = Vec::with_capacity(n);
        let mut phone: Vec<Option<String>> = Vec::with_capacity(n);
        let mut postcode = Vec::with_capacity(n);
        let mut branch = Vec::with_capacity(n);
        let mut status = Vec::with_capacity(n);
        let mut joined: Vec<NaiveDate> = Vec::with_capacity(n);
        let mut plan = Vec::with_capacity(n);
        let mut paid: Vec<Option<NaiveDate>> = Vec::with_capacity(n);
        let mut search = Vec::with_capacity(n);
        let mut sort = Vec::with_capacity(n);
        for (i, b, im) in chunk {
            let m = &im.member;
            id.push(i.0);
            first.push(m.first_name.as_str().to_owned());
            last.push(m.last_name.as_str().to_owned());
            email.push(m.email.as_str().to_owned());
            phone.push(m.phone.as_ref().map(|p| p.as_str().to_owned()));
            postcode.push(m.postcode.as_str().to_owned());
            branch.push(b.0);
            status.push(m.status.as_str().to_owned());
            joined.push(m.joined_on);
            plan.push(m.dues_plan.as_str().to_owned());
            paid.push(charter_domain::paid_up_until(&im.payments));
            search.push(search_text(
                m.first_name.as_str(),
                m.last_name.as_str(),
                m.email.as_str(),
                m.postcode.as_str(),
            ));
            sort.push(sort_key(m.first_name.as_str(), m.last_name.as_str()));
        }
        sqlx::query(
            "INSERT INTO members (id, first_name, last_name, email, phone, postcode, branch_id, status,
                                  joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key)
             SELECT u.id, u.first_name, u.last_name, u.email, u.phone, u.postcode, u.branch_id,
                    u.status, u.joined_on, u.dues_plan, u.paid_up_until, NULL, u.search_text, u.sort_key
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                         $7::BIGINT[], $8::TEXT[], $9::DATE[], $10::TEXT[], $11::DATE[], $12::TEXT[],
                         $13::TEXT[])
                  AS u(id, first_name, last_name, email, phone, postcode, branch_id, status,
                       joined_on, dues_plan, paid_up_until, search_text, sort_key)",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .bind(email)
        .bind(phone)
        .bind(postcode)
        .bind(branch)
        .bind(status)
        .bind(joined)
        .bind(plan)
        .bind(paid)
        .bind(search)
        .bind(sort)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn insert_status_rows(
    conn: &mut PgConnection,
    rows: &[(MemberId, &StatusChangeInput)],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let member: Vec<i64> = chunk.iter().map(|(id, _)| id.0).collect();
        let from: Vec<Option<String>> = chunk
            .iter()
            .map(|(_, h)| h.from.map(|s| s.as_str().to_owned()))
            .collect();
        let to: Vec<String> = chunk
            .iter()
            .map(|(_, h)| h.to.as_str().to_owned())
            .collect();
        let on: Vec<NaiveDate> = chunk.iter().map(|(_, h)| h.effective_on).collect();
        let reason: Vec<String> = chunk.iter().map(|(_, h)| h.reason.clone()).collect();
        let by: Vec<Option<i64>> = chunk
            .iter()
            .map(|(_, h)| h.changed_by.map(|m| m.0))
            .collect();
        sqlx::query(
            "INSERT INTO status_changes (member_id, from_status, to_status, effective_on, reason, changed_by, recorded_at)
             SELECT u.*, $7 FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::DATE[], $5::TEXT[], $6::BIGINT[]) AS u",
        )
        .bind(member)
        .bind(from)
        .bind(to)
        .bind(on)
        .bind(reason)
        .bind(by)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

/// Payments an import brings were recorded by no member of this register.
pub(crate) async fn insert_payment_rows(
    conn: &mut PgConnection,
    rows: &[(MemberId, &Payment)],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let member: Vec<i64> = chunk.iter().map(|(id, _)| id.0).collect();
        let on: Vec<NaiveDate> = chunk.iter().map(|(_, p)| p.paid_on).collect();
        let amount: Vec<i64> = chunk.iter().map(|(_, p)| p.amount.pence()).collect();
        let months: Vec<i64> = chunk.iter().map(|(_, p)| i64::from(p.months)).collect();
        sqlx::query(
            "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_by, recorded_at)
             SELECT u.m, u.d, u.a, u.n, NULL, $5
             FROM UNNEST($1::BIGINT[], $2::DATE[], $3::BIGINT[], $4::BIGINT[]) AS u(m, d, a, n)",
        )
        .bind(member)
        .bind(on)
        .bind(amount)
        .bind(months)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
