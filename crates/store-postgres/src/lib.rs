//! Charter's production store: [`charter_store::Store`] over PostgreSQL.
//!
//! Writes run in READ COMMITTED transactions; rows a change depends on are locked (`FOR
//! UPDATE`) or changed with a guarded `UPDATE … WHERE status = expected`, so two officers
//! acting at once cannot both win. Governance events take a transaction-level advisory lock
//! and the next `seq`, so seqs are gapless and in commit order, exactly as in SQLite.
//!
//! Directory search uses a GIN trigram index (`pg_trgm`) over `members.search_text` for
//! substring `LIKE`, and byte-order (`COLLATE "C"`) indexes for one- or two-character prefixes.

/// The constitution's tables: the shared portable SQL in `charter-store/sql/constitution.rs`.
mod constitution {
    type Db = sqlx::Postgres;
    type DbConn = sqlx::PgConnection;
    /// Row lock for the compare-and-set on an amendment's state.
    const LOCK: &str = " FOR UPDATE";
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    /// One member's line in a bulk read of facts: dates as days since 2000-01-01, which
    /// PostgreSQL computes faster than it prints a date.
    const FACT_LINE: &str = "concat_ws(' ', m.id, m.status,
        COALESCE(CAST(m.paid_up_until - DATE '2000-01-01' AS TEXT), '-'),
        m.joined_on - DATE '2000-01-01', m.branch_id)";
    include!("../../store/sql/constitution.rs");
}
/// Agenda items and their papers: the shared SQL in `charter-store/sql/agenda.rs`.
mod agenda {
    type Db = sqlx::Postgres;
    /// Locks a meeting's row while its agenda changes (not FOR UPDATE: inserts elsewhere referring to the meeting still go ahead).
    const MEETING_LOCK: &str = " FOR NO KEY UPDATE";
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    include!("../../store/sql/agenda.rs");
}
/// Applications to join, their decisions and resignations: the shared SQL in
/// `charter-store/sql/applications.rs`.
mod applications {
    type Db = sqlx::Postgres;
    use crate::register::{insert_member, insert_status_change};
    use crate::search::push_scope;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    include!("../../store/sql/applications.rs");
}
/// Meetings, notices, attendance and motions: the shared SQL in `charter-store/sql/meetings.rs`.
mod meetings {
    type Db = sqlx::Postgres;
    /// How a sender claims queued messages no other sender holds.
    const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    /// Row locks for a poll: votes share it, closing takes it (a close waits for votes in flight).
    const SHARE_LOCK: &str = " FOR SHARE";
    const UPDATE_LOCK: &str = " FOR UPDATE";
    include!("../../store/sql/meetings.rs");
}
/// Requisitions, their signatures and reminders: the shared SQL in
/// `charter-store/sql/requisitions.rs`.
mod requisitions {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    /// Row lock for the reminder's compare-and-set.
    const UPDATE_LOCK: &str = " FOR UPDATE";
    use crate::applications::queue_letters;
    include!("../../store/sql/requisitions.rs");
}
/// Elections, nominations and seating: the shared SQL in `charter-store/sql/elections.rs`.
mod elections {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    const UPDATE_LOCK: &str = " FOR UPDATE";
    include!("../../store/sql/elections.rs");
}
/// Delegate conferences, credentials, challenges and card votes: the shared SQL in
/// `charter-store/sql/delegates.rs`.
mod delegates {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    /// Row locks for a conference's credentials and a card vote.
    const UPDATE_LOCK: &str = " FOR UPDATE";
    const SHARE_LOCK: &str = " FOR SHARE";
    include!("../../store/sql/delegates.rs");
}
/// Ballots, their voters and their box: the shared SQL in `charter-store/sql/ballots.rs`.
mod ballots {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, append_events, commit, db_err};
    /// Opening, closing and counting take the ballot's row; casting shares it.
    const UPDATE_LOCK: &str = " FOR UPDATE";
    const SHARE_LOCK: &str = " FOR SHARE";
    include!("../../store/sql/ballots.rs");
}
/// Paper ballots and the scrutineer's reads: the shared SQL in `charter-store/sql/paper.rs`.
mod paper {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    /// Entering and marking share the ballot's row, as casting does; a batch's row is taken.
    const UPDATE_LOCK: &str = " FOR UPDATE";
    const SHARE_LOCK: &str = " FOR SHARE";
    /// Counts read together are read at one moment.
    const SNAPSHOT: &str = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    include!("../../store/sql/paper.rs");
}
/// Units after the founding, office holdings with their mandate and appointment motions: the
/// shared SQL in `charter-store/sql/structure.rs`.
mod structure {
    type Db = sqlx::Postgres;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    const UPDATE_LOCK: &str = " FOR UPDATE";
    include!("../../store/sql/structure.rs");
}

/// Accounts: links by email, passwords and two-factor sign-in: the shared SQL in
/// `charter-store/sql/accounts.rs`.
mod accounts {
    type Db = sqlx::Postgres;
    type DbConn = sqlx::PgConnection;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err};
    include!("../../store/sql/accounts.rs");
}
/// Bringing a register in (`charter import`): the shared SQL in `charter-store/sql/import.rs`,
/// over PostgreSQL's own ways (`import_rows`).
mod import {
    type Db = sqlx::Postgres;
    type DbConn = sqlx::PgConnection;
    /// Row lock for the members an import updates, until it commits.
    const ROW_LOCK: &str = " FOR UPDATE";
    use crate::import_rows::{
        MAX_BINDS, first_free_member_id, insert_member_rows, insert_payment_rows,
        insert_status_rows, member_ids_used, pause_foreign_keys, pause_search_index,
        restore_foreign_keys, resume_search_index,
    };
    use crate::rows::MemberRow;
    use crate::{PgStore as StoreImpl, append_events, commit, db_err};
    include!("../../store/sql/import.rs");
}
mod import_rows;
/// The membership register: the shared SQL in `charter-store/sql/register.rs`.
mod register {
    type Db = sqlx::Postgres;
    type DbConn = sqlx::PgConnection;
    /// Row lock for the member a write checks.
    const ROW_LOCK: &str = " FOR UPDATE";
    use crate::search;
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    include!("../../store/sql/register.rs");
}
/// The governance record and the log of reads: the shared SQL in `charter-store/sql/record.rs`.
mod record {
    use crate::{PgStore as StoreImpl, commit, db_err};
    include!("../../store/sql/record.rs");
}
/// Rows as the database returns them: the shared code in `charter-store/sql/rows.rs`.
mod rows {
    type Db = sqlx::Postgres;
    include!("../../store/sql/rows.rs");
}
/// Rolls and challenges: the shared portable SQL in `charter-store/sql/rolls.rs`.
mod rolls {
    type Db = sqlx::Postgres;
    /// Row lock for compare-and-set reads.
    const LOCK: &str = " FOR UPDATE";
    use crate::{PgStore as StoreImpl, append_event, commit, db_err, log_access};
    include!("../../store/sql/rolls.rs");
}
mod search;
mod seed;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use charter_store::batch::Batcher;
use charter_store::text::conflict_for;
use charter_store::*;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// The store over one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Ballots cast at the same time go into the box in one transaction (group commit): one
    /// WAL flush, and one wait for the events' lock, for many.
    casts: Arc<Batcher<ballots::CastJob, CastOutcome>>,
}

pub(crate) type Tx = Transaction<'static, Postgres>;

/// The advisory lock key that orders governance events ("charter" in ASCII).
const EVENT_LOCK: i64 = 0x0063_6861_7274_6572;

/// Maps a driver error to the store's vocabulary: uniqueness → `Conflict` naming the field,
/// a missing referenced row → `NotFound`, no connection or server going away → `Unavailable`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            if d.is_unique_violation() {
                conflict_for(d.constraint().unwrap_or_else(|| d.message()))
            } else if d.is_foreign_key_violation() {
                StoreError::NotFound("referenced record")
            } else if code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || code == "40001"
                || code == "40P01"
            {
                // Connection failures, shutdowns, too many connections, and conflicts a retry
                // resolves (serialization failure, deadlock).
                StoreError::Unavailable(d.message().to_string())
            } else {
                StoreError::Query(Box::new(e))
            }
        }
        _ => StoreError::Query(Box::new(e)),
    }
}

impl PgStore {
    /// Connects to `postgres://…`. Call [`Store::migrate`] before use.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(PgStore {
            pool,
            casts: Arc::new(Batcher::new(ballots::CAST_BATCH)),
        })
    }

    /// The underlying pool, for tests and benchmarks that inspect the database directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Refreshes the planner's statistics and visibility map (after a bulk load).
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("VACUUM ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Refreshes the planner's statistics of the register after a bulk load.
    pub(crate) async fn refresh_statistics(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE members")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn write_tx(&self) -> StoreResult<Tx> {
        self.pool.begin().await.map_err(db_err)
    }

    /// A transaction that only reads (the same as a writing one in PostgreSQL).
    pub(crate) async fn read_tx(&self) -> StoreResult<Tx> {
        self.pool.begin().await.map_err(db_err)
    }
}

pub(crate) async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await.map_err(db_err)
}

/// Appends a governance event. The advisory lock, held to commit, makes `seq` the next
/// number in commit order with no gaps; callers append last so the lock is held briefly.
pub(crate) async fn append_event(conn: &mut PgConnection, e: &NewEvent) -> StoreResult<i64> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(EVENT_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO governance_events (seq, at, actor_member, actor_office, kind, subject, payload, reason)
         SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $7 FROM governance_events
         RETURNING seq",
    )
    .bind(e.at)
    .bind(e.actor.member.map(|m| m.0))
    .bind(e.actor.office.as_deref())
    .bind(&e.kind)
    .bind(&e.subject)
    .bind(&e.payload)
    .bind(&e.reason)
    .fetch_one(conn)
    .await
    .map_err(db_err)
}

/// Appends governance events in one statement under the events' lock, their `seq`s next in
/// commit order and in the order given.
pub(crate) async fn append_events(
    conn: &mut PgConnection,
    events: &[&NewEvent],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(EVENT_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    // 8 values a row keeps each statement below PostgreSQL's 65,535 bound values.
    for chunk in events.chunks(1_000) {
        let mut qb = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO governance_events (seq, at, actor_member, actor_office, kind, subject, payload, reason)
             SELECT last.seq + v.n, v.at, v.actor_member, v.actor_office, v.kind, v.subject, v.payload, v.reason
             FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM governance_events) AS last, (",
        );
        qb.push_values(chunk.iter().enumerate(), |mut b, (n, e)| {
            b.push_bind(n as i64 + 1)
                .push_bind(e.at)
                .push_bind(e.actor.member.map(|m| m.0))
                .push_bind(e.actor.office.clone())
                .push_bind(e.kind.clone())
                .push_bind(e.subject.clone())
                .push_bind(e.payload.clone())
                .push_bind(e.reason.clone());
        });
        qb.push(") AS v (n, at, actor_member, actor_office, kind, subject, payload, reason)");
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn log_access(
    conn: &mut PgConnection,
    subjects: &[i64],
    access: &AccessContext,
) -> StoreResult<()> {
    // 5 values a row keeps each statement below PostgreSQL's 65,535 bound values.
    for chunk in subjects.chunks(5000) {
        let mut qb = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO access_log (subject_id, reader_id, office, purpose, at) ",
        );
        qb.push_values(chunk, |mut b, id| {
            b.push_bind(*id)
                .push_bind(access.reader.map(|r| r.0))
                .push_bind(access.office.clone())
                .push_bind(access.purpose.clone())
                .push_bind(access.at);
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => db_err(e),
                other => StoreError::Query(Box::new(other)),
            })
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
